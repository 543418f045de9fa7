"""The `partnergraph` command, run as a user runs it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support import awkward_bundle, counts, read_csv, wipe, write_csv

from graph.db import Graph
from graph.ingest.generate import TODAY

COMMAND = [sys.executable, "-m", "api.cli"]


def partnergraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=environment, timeout=300, check=False
    )


def partnergraph_bytes(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The command run in `cwd`, its output as bytes, exactly as a pipe receives them."""
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, env=environment, cwd=cwd, timeout=300, check=False
    )


def read_in_a_thread(fifo: Path) -> Callable[[], bytes]:
    """A reader on the FIFO, as `cat fifo` would be; its bytes once the writer closes it."""
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()

    def received() -> bytes:
        reader.join(timeout=30)
        assert got, "the reader never saw the writer close the FIFO"
        return got[0]

    return received


async def test_import_prints_every_bad_row_and_writes_nothing(
    empty_graph: Graph, tmp_path: Path
) -> None:
    expected = awkward_bundle(tmp_path)
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 1
    printed = [line for line in done.stderr.splitlines() if ".csv:" in line]
    assert len(printed) == len(expected)
    for file, line, column in expected:
        assert any(row.startswith(f"{file}:{line}: {column}: ") for row in printed), (file, line)
    assert "nothing written" in done.stderr
    assert await counts(empty_graph) == {}


async def test_import_with_skip_invalid_needs_a_rejects_file(tmp_path: Path) -> None:
    awkward_bundle(tmp_path)
    done = partnergraph("import", str(tmp_path), "--skip-invalid")
    assert done.returncode == 2
    assert "--rejects" in done.stderr


async def test_generate_and_import_print_a_summary(empty_graph: Graph, tmp_path: Path) -> None:
    generated = partnergraph("generate", "--preset", "tiny", "--seed", "5", "--out", str(tmp_path))
    assert generated.returncode == 0, generated.stderr
    assert "accounts.csv" in generated.stdout
    done = partnergraph("import", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "rows/s" in done.stdout
    lines = sum(1 for _ in (tmp_path / "accounts.csv").open()) - 1
    cells = [[cell.strip() for cell in row.split("│")] for row in done.stdout.splitlines()]
    assert ["", "accounts.csv", f"{lines:,}", "0"] in [row[:4] for row in cells]
    deals = read_csv(tmp_path / "deals.csv")
    undated = sum(d["status"] in ("WON", "LOST") and not d["closed_on"] for d in deals)
    assert undated
    said = f"{undated} WON or LOST deal{'s' if undated != 1 else ''} in the graph"
    assert said in done.stdout, done.stdout


def test_an_unknown_preset_is_refused(tmp_path: Path) -> None:
    done = partnergraph("generate", "--preset", "huge", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "huge" in done.stderr


def one_line_error(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """A refusal: the exit code, one line on stderr (no traceback) holding every word."""
    assert done.returncode == code, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_token_in_production_refuses_the_development_secret() -> None:
    done = partnergraph("token", "--role", "admin", env={"PARTNERGRAPH_ENV": "production"})
    one_line_error(done, 1, "PARTNERGRAPH_TOKEN_SECRET", "development secret")
    assert done.stdout == ""


# Nothing listens there: Neo4j is unreachable. (A secret of its own, so `serve` has no warning.)
CLOSED = {"NEO4J_URI": "bolt://127.0.0.1:9", "PARTNERGRAPH_TOKEN_SECRET": "x" * 32}


@pytest.mark.parametrize(
    "args",
    [
        ["import", "{bundle}"],
        ["demo"],
        ["analyze"],
        ["serve"],
        ["token", "--role", "partner", "--partner", "P1"],
        ["tier-review", "--out", "{bundle}/review.csv"],
    ],
)
def test_every_command_says_in_one_line_that_neo4j_is_unreachable(
    tmp_path: Path, args: list[str]
) -> None:
    write_csv(tmp_path, "partners.csv", [["P1", "One", "MSP", "GOLD", "", "", "", "", ""]])
    command = [arg.format(bundle=tmp_path) for arg in args]
    done = partnergraph(*command, env=CLOSED)
    one_line_error(done, 1, "cannot reach Neo4j at bolt://127.0.0.1:9", "refused")


def test_commands_that_need_no_database_run_without_one(tmp_path: Path) -> None:
    assert partnergraph("schema", env=CLOSED).returncode == 0
    assert partnergraph("token", "--role", "admin", env=CLOSED).returncode == 0
    assert partnergraph("neo4j", "status", env=CLOSED).returncode == 0


def test_serve_refuses_a_port_out_of_range() -> None:
    one_line_error(partnergraph("serve", "--port", "99999"), 2, "--port", "65535")


def test_a_setting_that_cannot_be_read_is_one_line() -> None:
    done = partnergraph("serve", env={"PARTNERGRAPH_PORT": "99999", "PARTNERGRAPH_ENV": "prod"})
    one_line_error(done, 1, "PARTNERGRAPH_PORT", "65535", "PARTNERGRAPH_ENV", "production")


def test_serve_in_production_refuses_a_weak_secret_before_anything_starts() -> None:
    done = partnergraph(
        "serve",
        env={**CLOSED, "PARTNERGRAPH_ENV": "production", "PARTNERGRAPH_TOKEN_SECRET": "short"},
    )
    one_line_error(done, 1, "PARTNERGRAPH_TOKEN_SECRET is 5 bytes", "at least 32")


def test_generate_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me\n")
    done = partnergraph("generate", "--preset", "tiny", "--out", str(target))
    one_line_error(done, 2, "--out", "a-file")
    assert target.read_text() == "keep me\n"


@pytest.fixture
async def a_partner(graph: Graph) -> AsyncIterator[str]:
    await graph.write("MERGE (p:Partner {key: 'cli-P1'}) SET p.name = 'One'")
    yield "cli-P1"
    await graph.write("MATCH (p:Partner {key: 'cli-P1'}) DETACH DELETE p")


async def test_demo_refuses_an_unknown_preset_even_when_the_graph_has_partners(
    a_partner: str,
) -> None:
    one_line_error(partnergraph("demo", "--preset", "nope"), 2, "--preset", "nope")


@pytest.mark.parametrize("ttl", ["0", "-5"])
def test_token_refuses_a_ttl_that_is_not_positive(ttl: str) -> None:
    done = partnergraph("token", "--role", "admin", "--ttl", ttl)
    one_line_error(done, 2, "--ttl", "greater than or equal to 1")


async def test_token_refuses_a_partner_the_graph_does_not_hold(a_partner: str) -> None:
    done = partnergraph("token", "--role", "partner", "--partner", "cli-nobody")
    one_line_error(done, 1, "no partner 'cli-nobody' in the graph")
    assert done.stdout == ""
    minted = partnergraph("token", "--role", "partner", "--partner", a_partner)
    assert minted.returncode == 0, minted.stderr
    assert minted.stdout.strip().splitlines()[-1].count(".") == 2


def test_token_refuses_a_role_in_one_line() -> None:
    one_line_error(partnergraph("token", "--role", "superuser"), 2, "--role", "is not one of")


async def test_demo_on_a_graph_already_loaded_scores_it_when_it_never_was(
    graph: Graph, a_partner: str
) -> None:
    scored = "MATCH (p:Partner {key: $key}) RETURN p.influence AS influence"
    try:
        kept = partnergraph("demo", "--no-analyze")
        assert kept.returncode == 0, kept.stderr
        assert "demo load skipped" in kept.stdout
        assert (await graph.read(scored, {"key": a_partner}))[0]["influence"] is None
        done = partnergraph("demo")
        assert done.returncode == 0, done.stderr
        assert "demo load skipped" in done.stdout
        assert (await graph.read(scored, {"key": a_partner}))[0]["influence"] == 1.0
        again = partnergraph("demo")  # scores as new as the data: nothing to do
        assert again.stdout.strip() == "the graph already holds partners: demo load skipped"
    finally:
        await graph.write("MATCH (e:Ecosystem) DETACH DELETE e")


def _deal_days(folder: Path) -> list[date]:
    with (folder / "deals.csv").open(encoding="utf-8", newline="") as handle:
        return [date.fromisoformat(row["registered_on"]) for row in csv.DictReader(handle)]


def test_generate_dates_a_bundle_around_the_day_asked_and_a_fixed_one_by_default(
    tmp_path: Path,
) -> None:
    asked = date(2031, 3, 15)
    for name, more in (("fixed", []), ("again", []), ("asked", ["--today", asked.isoformat()])):
        args = ["generate", "--preset", "tiny", "--seed", "4", "--out", str(tmp_path / name)]
        done = partnergraph(*args, *more)
        assert done.returncode == 0, done.stderr
    fixed = (tmp_path / "fixed" / "deals.csv").read_bytes()
    assert (tmp_path / "again" / "deals.csv").read_bytes() == fixed  # the same bytes each time
    assert max(_deal_days(tmp_path / "fixed")) <= TODAY
    days = _deal_days(tmp_path / "asked")
    assert max(days) <= asked and max(days) > TODAY + timedelta(days=365)
    one_line_error(
        partnergraph("generate", "--today", "someday", "--out", str(tmp_path / "bad")),
        2,
        "--today",
        "'someday' is not a day",
    )


async def test_the_demo_is_dated_around_today(empty_graph: Graph, tmp_path: Path) -> None:
    """Its deals are current ones, so that some are open (dealConflicts shows them)."""
    try:
        done = partnergraph(
            "demo", "--preset", "tiny", "--no-analyze", env={"PARTNERGRAPH_VAR_DIR": str(tmp_path)}
        )
        assert done.returncode == 0, done.stderr
        day = datetime.now(UTC).date()
        folders = [folder.name for folder in (tmp_path / "bundles").iterdir()]
        assert folders in ([f"tiny-7-{day}"], [f"tiny-7-{day + timedelta(days=1)}"])
        days = _deal_days(tmp_path / "bundles" / folders[0])
        assert day - timedelta(days=60) <= max(days) <= day + timedelta(days=1)
    finally:
        await wipe(empty_graph)
