"""`partnergraph export-impact`, as a user runs it: every row and cell of the file, read back
with csv, is what the API's partnerImpact answers for the same window (staff view), in its
order, with the partner's name and the window's baseline; `-` is the file's bytes on stdout; a
bad option is exit 2 with no file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import ask, wipe, wipe_and_load
from test_cli import CLOSED, one_line_error, partnergraph, partnergraph_bytes
from test_cli_tier_review import nothing_or, read_back

from graph.db import Graph
from graph.ingest.generate import TODAY

HEADER = (
    "partner,name,sourced_won_amount,sourced_won_deals,influenced_won_amount,"
    "influenced_won_deals,influenced_closed_deals,win_rate_influenced,lift,baseline_win_rate\n"
)
IMPACT = """query($from: Date!, $to: Date!, $after: String) {
  partnerImpact(from: $from, to: $to, first: 100, after: $after) {
    baselineWinRate pageInfo { hasNextPage endCursor }
    nodes { partner { key name } sourcedWonAmount sourcedWonDeals influencedWonAmount
            influencedWonDeals influencedClosedDeals winRateInfluenced lift }
  }
}"""
NAME = "MATCH (p:Partner {key: $key}) SET p.name = $name, p.nameLower = toLower($name)"
AWKWARD = 'Acme, "Quoted" & Zürich 株式会社'
FROM = TODAY - timedelta(days=365)


@pytest.fixture(scope="module")
async def ecosystem(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[str]:
    """A generated ecosystem, its busiest influencer renamed awkwardly; that partner's key."""
    await wipe_and_load(graph, tmp_path_factory.mktemp("impact-cli"), seed=3)
    variables = {"from": FROM.isoformat(), "to": TODAY.isoformat()}
    top = (await ask(graph, IMPACT, variables)).data["partnerImpact"]["nodes"][0]["partner"]
    await graph.write(NAME, {"key": top["key"], "name": AWKWARD})
    yield top["key"]
    await wipe(graph)


async def api_rows(graph: Graph, start: date, end: date) -> tuple[list[Any], float | None]:
    variables: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat()}
    rows: list[Any] = []
    after = None
    while True:
        answer = await ask(graph, IMPACT, {**variables, "after": after})
        assert answer.errors == [], answer.errors
        found = answer.data["partnerImpact"]
        rows += found["nodes"]
        if not found["pageInfo"]["hasNextPage"]:
            return rows, found["baselineWinRate"]
        after = found["pageInfo"]["endCursor"]


def as_api(cells: list[str]) -> tuple[dict[str, Any], float | None]:
    key, name, sourced, sourced_deals, influenced, won, closed, rate, lift, base = cells
    row = {
        "partner": {"key": key, "name": name},
        "sourcedWonAmount": float(sourced),
        "sourcedWonDeals": int(sourced_deals),
        "influencedWonAmount": float(influenced),
        "influencedWonDeals": int(won),
        "influencedClosedDeals": int(closed),
        "winRateInfluenced": nothing_or(float, rate),
        "lift": nothing_or(float, lift),
    }
    return row, nothing_or(float, base)


@pytest.mark.parametrize(
    ("start", "end"),
    [(FROM, TODAY), (TODAY - timedelta(days=30), TODAY - timedelta(days=30)), (FROM, FROM)],
)
async def test_every_row_is_the_apis(
    graph: Graph, ecosystem: str, tmp_path: Path, start: date, end: date
) -> None:
    target = tmp_path / "impact.csv"
    done = partnergraph(
        "export-impact", "--from", start.isoformat(), "--to", end.isoformat(), "--out", str(target)
    )
    assert done.returncode == 0, done.stderr
    expected, baseline = await api_rows(graph, start, end)
    assert target.read_text(encoding="utf-8").startswith(HEADER)
    rows = [as_api(cells) for cells in read_back(target)[1:]]
    assert [row for row, _ in rows] == expected
    assert {base for _, base in rows} <= {baseline}
    said = f"{len(expected):,} partner{'s' if len(expected) != 1 else ''}"
    assert f"wrote the impact of {said} from {start} to {end}" in done.stdout, done.stdout


async def test_a_window_without_a_closed_deal_is_a_header(
    graph: Graph, ecosystem: str, tmp_path: Path
) -> None:
    target = tmp_path / "impact.csv"
    done = partnergraph(
        "export-impact", "--from", "1990-01-01", "--to", "1990-12-31", "--out", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == HEADER
    assert "0 partners" in done.stdout and "no deal closed" in done.stdout


async def test_names_survive_and_dash_is_the_files_bytes(
    graph: Graph, ecosystem: str, tmp_path: Path
) -> None:
    target = tmp_path / "impact.csv"
    args = ["export-impact", "--from", FROM.isoformat(), "--to", TODAY.isoformat()]
    assert partnergraph(*args, "--out", str(target)).returncode == 0
    assert {cells[0]: cells[1] for cells in read_back(target)[1:]}[ecosystem] == AWKWARD
    piped = partnergraph_bytes(*args, "--out", "-", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == target.read_bytes()
    assert b"wrote the impact of" in piped.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-02-01", "--to", "2026-01-31"], ["--to", "before from"]),
        (["--from", "2026-02-30", "--to", "2026-03-01"], ["--from", "'2026-02-30' is not a day"]),
        (["--from", "2026-01-01", "--to", "someday"], ["--to", "'someday' is not a day"]),
        (["--from", "2026-01-01"], ["--to"]),
    ],
)
async def test_a_bad_option_is_exit_2_and_writes_nothing(
    graph: Graph, ecosystem: str, tmp_path: Path, args: list[str], words: list[str]
) -> None:
    done = partnergraph("export-impact", *args, "--out", str(tmp_path / "impact.csv"))
    one_line_error(done, 2, *words)
    assert os.listdir(tmp_path) == []


def test_an_unreachable_neo4j_is_one_line(tmp_path: Path) -> None:
    args = ["--from", "2026-01-01", "--to", "2026-01-31", "--out", str(tmp_path / "impact.csv")]
    done = partnergraph("export-impact", *args, env=CLOSED)
    one_line_error(done, 1, "cannot reach Neo4j at bolt://127.0.0.1:9", "refused")
    assert os.listdir(tmp_path) == []
