"""Ctrl-C during an import: one line saying what was written, and exit 130.

An interrupted `asyncio.run` cancels its task; the import turns that into `Interrupted`, whose
message says whether anything was written."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import counts, read_csv, wipe, write_csv

from graph.db import Graph
from graph.errors import Interrupted
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle


async def _cancelled_at(graph: Graph, folder: Path, phase: str) -> Interrupted:
    task: asyncio.Task[object] | None = None

    def cancel_once(now: str, name: str, done: int) -> None:
        if now == phase and task is not None and not task.cancelling():
            task.cancel()

    task = asyncio.ensure_future(import_bundle(graph, folder, progress=cancel_once))
    with pytest.raises(Interrupted) as raised:
        await task
    return raised.value


async def test_an_interrupted_check_says_nothing_was_written(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 3, tmp_path)
    interrupted = await _cancelled_at(empty_graph, tmp_path, "check")
    assert interrupted.message == "interrupted while the bundle was being checked: nothing written"
    assert await counts(empty_graph) == {}


async def test_an_interrupted_write_says_what_is_written_and_how_to_complete_it(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 3, tmp_path)
    interrupted = await _cancelled_at(empty_graph, tmp_path, "write")
    # Cancelled once the first file's one batch (program_tiers.csv) is written: at the first
    # await after it.
    tiers = len(read_csv(tmp_path / "program_tiers.csv"))
    assert interrupted.message == (
        f"interrupted while partners.csv was being written, with {tiers} rows of the bundle "
        "written and the rest not; running the same import again completes it"
    )
    assert await counts(empty_graph) == {"ProgramTier": tiers}
    await wipe(empty_graph)


def test_the_check_of_a_long_file_can_be_interrupted(tmp_path: Path) -> None:
    """The check reads files without awaiting anything; Ctrl-C must still stop it soon."""
    write_csv(tmp_path, "partners.csv", [])
    rows = [[f"P{i}", f"C{i}", "CUSTOMER", "", ""] for i in range(1_500_000)]
    write_csv(tmp_path, "accounts.csv", rows)
    began = time.monotonic()
    done = _interrupted_command(["import", str(tmp_path)], after=3.0)
    assert time.monotonic() - began < 8, "Ctrl-C waited for the check to end"
    assert done.returncode == 130
    assert done.stderr.strip().splitlines() == [
        "error: interrupted while the bundle was being checked: nothing written"
    ]


async def test_ctrl_c_during_an_import_is_one_line_and_exit_130(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [])
    write_csv(tmp_path, "customers.csv", [[f"C{i}", "c", "", "", "", ""] for i in range(300_000)])
    done = _interrupted_command(["import", str(tmp_path)], after=3.0)  # in whichever phase
    assert done.returncode == 130, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: interrupted while "), lines
    assert "nothing written" in lines[0] or "running the same import again completes it" in lines[0]
    await wipe(empty_graph)


def _hears_ctrl_c() -> None:
    """In the child, before it runs: Ctrl-C as a terminal gives it. A suite run as a background
    job (`make test &`, nohup, setsid) ignores SIGINT, and a child inherits that: Python then
    installs no KeyboardInterrupt handler, and a Ctrl-C sent to it would never arrive."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_hears_ctrl_c,
    )


def test_a_child_hears_ctrl_c_even_where_the_suite_ignores_it() -> None:
    asks = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as under nohup or `make test &`
    try:
        child = _child([sys.executable, "-c", asks])
        stdout, stderr = child.communicate(timeout=60)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert stdout.strip() == "True", stderr


def _interrupted_command(args: list[str], after: float) -> subprocess.CompletedProcess[str]:
    """Run `partnergraph` and press Ctrl-C after `after` seconds."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    process = _child([sys.executable, "-m", "api.cli", *args], env)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_ctrl_c_during_generate_leaves_no_part_of_a_bundle_behind(tmp_path: Path) -> None:
    """A part of a bundle (its first files, whole rows each) would import as a whole one."""
    done = _interrupted_command(
        ["generate", "--preset", "medium", "--out", str(tmp_path / "b")], after=3.0
    )
    assert done.returncode == 130
    assert done.stderr.strip().splitlines() == [
        f"error: interrupted: the unfinished bundle in {tmp_path / 'b'} is removed"
    ]
    assert list((tmp_path / "b").iterdir()) == []
