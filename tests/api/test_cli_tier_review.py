"""`partnergraph tier-review`, as a user runs it: every row and cell of the file, read back with
csv, is what the API's tierReview answers for the same asOf and change (staff view), with the
margins of the program in force; names with commas, quotes and unicode survive; `-` is the
file's bytes on stdout; a bad option is exit 2 with no file."""

from __future__ import annotations

import csv
import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from support import ask, wipe, wipe_and_load
from test_cli import CLOSED, one_line_error, partnergraph, partnergraph_bytes

import api.export_tier_review as export
from graph.db import Graph
from graph.ingest.generate import TODAY

HEADER = (
    "partner,name,type,region,current,qualified,change,sales,won_deals,next_tier,"
    "sales_to_next,deals_to_next,current_margin,qualified_margin\n"
)
REVIEW = """query($after: String, $change: TierChange, $asOf: Date) {
  tierReview(first: 100, after: $after, change: $change, asOf: $asOf) {
    pageInfo { hasNextPage endCursor }
    nodes { partner { key name type region } current qualified change sales wonDeals nextTier
            salesToNext dealsToNext }
  }
  program { tier margin }
}"""
SET_TIER = """mutation($input: ProgramTierSetInput!) {
  programTierSet(input: $input) { userErrors { message } }
}"""
AWKWARD = ["Acme, Inc.", 'The "Quoted" Co', "Zürich Ünïcode 株式会社", "Two\nlines"]
NAME = "MATCH (p:Partner {key: $key}) SET p.name = $name, p.nameLower = toLower($name)"


@pytest.fixture(scope="module")
async def ecosystem(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[list[str]]:
    """A generated ecosystem, some partners renamed awkwardly and GOLD's margin changed (so that
    the margins are the program's in force, not the default's); the renamed partners' keys."""
    await wipe_and_load(graph, tmp_path_factory.mktemp("tier-cli"), seed=3)
    keys = await graph.read_column("MATCH (p:Partner) RETURN p.key AS key ORDER BY key", "key")
    renamed = keys[1 : 1 + len(AWKWARD)]
    for key, name in zip(renamed, AWKWARD, strict=True):
        await graph.write(NAME, {"key": key, "name": name})
    gold = {"tier": "GOLD", "minSales": 1e6, "minWonDeals": 5, "margin": 0.2125, "benefits": ["x"]}
    assert (await ask(graph, SET_TIER, {"input": gold})).data["programTierSet"]["userErrors"] == []
    yield renamed
    await wipe(graph)


async def api_rows(graph: Graph, as_of: date | None, change: str | None) -> list[dict[str, Any]]:
    """The API's tierReview, every page, each review with the margins of its two tiers."""
    variables: dict[str, Any] = {"change": change, "asOf": as_of and as_of.isoformat()}
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        answer = await ask(graph, REVIEW, {**variables, "after": after})
        assert answer.errors == [], answer.errors
        found = answer.data["tierReview"]
        margin = {tier["tier"]: tier["margin"] for tier in answer.data["program"]}
        for node in found["nodes"]:
            node["margins"] = (margin[node["current"]], margin[node["qualified"]])
            rows.append(node)
        if not found["pageInfo"]["hasNextPage"]:
            return rows
        after = found["pageInfo"]["endCursor"]


def read_back(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def nothing_or(kind: type, cell: str) -> Any:
    return None if cell == "" else kind(cell)


def as_api(cells: list[str]) -> dict[str, Any]:
    """A row of the file in the API's shape, its numbers read back as numbers (no separators)."""
    key, name, kind, region, current, qualified, change, sales, won, next_tier, *rest = cells
    sales_to_next, deals_to_next, current_margin, qualified_margin = rest
    return {
        "partner": {"key": key, "name": name, "type": kind, "region": region or None},
        "current": current,
        "qualified": qualified,
        "change": change,
        "sales": float(sales),
        "wonDeals": int(won),
        "nextTier": next_tier or None,
        "salesToNext": nothing_or(float, sales_to_next),
        "dealsToNext": nothing_or(int, deals_to_next),
        "margins": (float(current_margin), float(qualified_margin)),
    }


@pytest.mark.parametrize(
    ("as_of", "change"),
    [(TODAY, None), (TODAY, "upgrade"), (TODAY, "DOWNGRADE"), (TODAY, "Hold"), (None, None)],
)
async def test_every_row_is_the_apis_review(
    graph: Graph, ecosystem: list[str], tmp_path: Path, as_of: date | None, change: str | None
) -> None:
    target = tmp_path / "review.csv"
    flags = ["--as-of", as_of.isoformat()] if as_of else []
    flags += ["--change", change] if change else []
    done = partnergraph("tier-review", *flags, "--out", str(target))
    assert done.returncode == 0, done.stderr
    expected = await api_rows(graph, as_of, change.upper() if change else None)
    assert expected, "the ecosystem has no partner with this change: the test proves nothing"
    assert target.read_text(encoding="utf-8").startswith(HEADER)
    rows = read_back(target)
    assert [as_api(cells) for cells in rows[1:]] == expected
    for cells in rows[1:]:  # floats as Python's repr: the text reads back as the same float
        floats = [cells[7], cells[10], cells[12], cells[13]]
        assert all(cell == repr(float(cell)) for cell in floats if cell), cells
    said = f"{len(expected):,} partner{'s' if len(expected) != 1 else ''}"
    assert f"wrote the tier review of {said} (" in done.stdout, done.stdout


async def test_awkward_names_survive(graph: Graph, ecosystem: list[str], tmp_path: Path) -> None:
    target = tmp_path / "review.csv"
    done = partnergraph("tier-review", "--as-of", TODAY.isoformat(), "--out", str(target))
    assert done.returncode == 0, done.stderr
    names = {cells[0]: cells[1] for cells in read_back(target)[1:]}
    assert [names[key] for key in ecosystem] == AWKWARD
    assert '"The ""Quoted"" Co"' in target.read_text(encoding="utf-8")


async def test_dash_gives_exactly_the_files_bytes_on_stdout(
    graph: Graph, ecosystem: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "review.csv"
    args = ["tier-review", "--as-of", TODAY.isoformat(), "--change", "hold"]
    assert partnergraph(*args, "--out", str(target)).returncode == 0
    piped = partnergraph_bytes(*args, "--out", "-", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == target.read_bytes()
    assert b"wrote the tier review of" in piped.stderr


@pytest.mark.parametrize("size", [1, 7, 10])
async def test_paging_writes_every_review_once(
    graph: Graph,
    ecosystem: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: int,
) -> None:
    """Pages smaller than the ecosystem (one dividing its size among them) give the same file."""
    whole = tmp_path / "whole.csv"
    done = partnergraph("tier-review", "--as-of", TODAY.isoformat(), "--out", str(whole))
    assert done.returncode == 0, done.stderr
    monkeypatch.setattr(export, "PAGE", size)
    paged = tmp_path / "paged.csv"
    written = await export.export_tier_review(graph, TODAY, None, paged, Console(quiet=True))
    assert paged.read_bytes() == whole.read_bytes()
    assert written == len(read_back(whole)) - 1
    if size == 10:
        assert written % size == 0, "the ecosystem's size no longer is a multiple of 10"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--as-of", "0001-12-31"], "--as-of"),  # its window would start before the calendar
        (["--as-of", "2026-02-30"], "--as-of"),
        (["--as-of", "someday"], "'someday' is not a day (YYYY-MM-DD)"),
        (["--as-of", "2026-6-1"], "'2026-6-1' is not a day (YYYY-MM-DD)"),  # as the API: ISO
        (["--change", "sideways"], "--change"),
        (["--change", ""], "--change"),
    ],
)
async def test_a_bad_option_is_exit_2_and_writes_nothing(
    graph: Graph, ecosystem: list[str], tmp_path: Path, args: list[str], option: str
) -> None:
    done = partnergraph("tier-review", *args, "--out", str(tmp_path / "review.csv"))
    one_line_error(done, 2, option)
    assert os.listdir(tmp_path) == []


def test_an_unreachable_neo4j_is_one_line(tmp_path: Path) -> None:
    done = partnergraph("tier-review", "--out", str(tmp_path / "review.csv"), env=CLOSED)
    one_line_error(done, 1, "cannot reach Neo4j at bolt://127.0.0.1:9", "refused")
    assert os.listdir(tmp_path) == []
