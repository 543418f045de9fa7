"""The `partnergraph` command, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import awkward_bundle, counts

from graph.db import Graph

COMMAND = [sys.executable, "-m", "api.cli"]


def partnergraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=environment, timeout=300, check=False
    )


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
