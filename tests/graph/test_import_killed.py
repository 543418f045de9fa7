"""An import killed outright (SIGKILL: no handler runs, no transaction is closed) at a random
point, then run again to its end, leaves the graph exactly as one clean import of the bundle
does: every node, relationship and property, the scores and stored overlap counts included.

Each kill waits for its point, seen from the database: in the check (the command started,
nothing written yet: a delay drawn before the first write of a clean run), in the writes (once a
random share of the bundle's nodes and relationships is in the graph, so between two batches),
and in the analysis the command runs after them (every relationship of the bundle written, the
analysis not yet recorded after the import: a random delay into it)."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support import dump, wipe

from graph.analytics.network import analyze
from graph.db import Graph
from graph.ecosystem import census, overlaps_fresh
from graph.errors import Interrupted
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

pytestmark = pytest.mark.timeout(600)

# The bundle's nodes and relationships: all but the run metadata and the overlap counts that
# the analysis stores.
STATE = """
OPTIONAL MATCH (e:Ecosystem {key: 'ecosystem'})
RETURN COUNT { MATCH (p:Partner) } AS partners,
       COUNT { MATCH (n) WHERE NOT n:Ecosystem } AS nodes,
       COUNT { MATCH ()-[r]->() WHERE NOT r:OVERLAPS } AS relationships,
       e.importedAt AS importedAt, e.analyzedAt AS analyzedAt
"""


async def _state(graph: Graph) -> dict[str, Any]:
    return dict((await graph.read(STATE))[0])


def _phase(state: dict[str, Any], relationships: int) -> str:
    """Where an import of a bundle of so many `relationships` stood, from what it had written."""
    if state["partners"] == 0:
        return "check"
    if state["relationships"] < relationships:
        return "write"
    analysed, imported = state["analyzedAt"], state["importedAt"]
    return "analysis" if analysed is None or imported is None or analysed < imported else "done"


def _command(folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "import", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


async def _import(folder: Path) -> None:
    process = _command(folder)
    _, stderr = await asyncio.to_thread(process.communicate, timeout=300)
    assert process.returncode == 0, stderr.decode(errors="replace")


PHASES = ("check", "write", "analysis", "done")


async def _killed(
    graph: Graph, folder: Path, relationships: int, phase: str, delay: float, rows: int = 0
) -> str:
    """Run the import, SIGKILL it `delay` seconds after `phase` began and at least `rows` nodes
    and relationships are written; the phase it was in."""
    process = _command(folder)

    def before(state: dict[str, Any]) -> bool:
        reached = PHASES.index(_phase(state, relationships)) >= PHASES.index(phase)
        return not reached or state["nodes"] + state["relationships"] < rows

    try:
        while before(await _state(graph)):
            assert process.poll() is None, f"the import ended before its {phase} began"
            await asyncio.sleep(0.02)
        await asyncio.sleep(delay)
        assert process.poll() is None, f"the import ended within {delay:.2f} s of its {phase}"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        await asyncio.to_thread(process.wait, 60)
    assert process.returncode == -signal.SIGKILL
    return _phase(await _state(graph), relationships)


async def test_an_import_killed_anywhere_and_run_again_ends_exact(
    empty_graph: Graph, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    generate("tiny", 11, folder)

    # A clean import into the emptied database, timed in its phases to pick delays within them
    # (after one to warm Neo4j's query plans, which the kills' imports find warm).
    await _import(folder)
    await wipe(empty_graph)
    states: list[tuple[float, dict[str, Any]]] = []
    process = _command(folder)
    began = time.monotonic()
    while process.poll() is None:
        states.append((time.monotonic() - began, await _state(empty_graph)))
        await asyncio.sleep(0.02)
    assert process.returncode == 0
    clean = await dump(empty_graph)
    assert clean[0] and clean[1]
    relationships = sum(1 for relationship in clean[1] if relationship[1] != "OVERLAPS")
    seen = [(at, _phase(state, relationships)) for at, state in states]
    starts = {phase: min(t for t, p in seen if p == phase) for _, phase in seen}
    ends = {phase: max(t for t, p in seen if p == phase) for _, phase in seen}
    assert {"write", "analysis"} <= set(starts), seen[::10]
    lasting = {phase: max(0.05, ends[phase] - starts[phase]) for phase in starts}
    lasting["check"] = starts["write"]  # from the command's start

    total = len(clean[0]) + relationships

    rng = random.Random()
    seed = rng.randrange(1_000_000)
    rng.seed(seed)
    # (phase, delay, rows): the first point's delay is from the command's start. A share of
    # the rows below the accounts' (the largest file, written after every node file) leaves
    # files to write when the kill comes.
    points = [("check", rng.uniform(0.3, 0.9) * lasting["check"], 0), ("write", 0.0, 1)]
    points += [("write", 0.0, round(rng.uniform(0.02, 0.3) * total)) for _ in range(2)]
    points += [("analysis", 0.0, 0), ("analysis", rng.uniform(0, 0.3 * lasting["analysis"]), 0)]
    for phase, delay, rows in points:
        await wipe(empty_graph)
        hit = await _killed(empty_graph, folder, relationships, phase, delay, rows)
        # Timed kills land where the machine's speed puts them: one drawn in the check may come
        # in a later phase, one drawn in the analysis after it recorded itself (the command
        # printing its summary). Those waiting for rows written come where they wait.
        assert hit == phase or delay > 0, (
            f"seed {seed}: killed {delay:.2f} s into the {phase} ({rows} rows), found {hit}"
        )
        await _import(folder)
        assert await dump(empty_graph) == clean, (
            f"seed {seed}: killed {delay:.2f} s into the {phase} ({rows} rows), then run again"
        )

    # Killed twice over (in the writes, then in the analysis) before it completes.
    await wipe(empty_graph)
    rows = round(rng.uniform(0.05, 0.75) * total)
    assert await _killed(empty_graph, folder, relationships, "write", 0.0, rows) == "write"
    # The second run writes every file again, then analyses.
    assert await _killed(empty_graph, folder, relationships, "analysis", 0.0) == "analysis"
    await _import(folder)
    assert await dump(empty_graph) == clean, f"seed {seed}: killed twice, then run again"
    await wipe(empty_graph)


async def test_an_import_stopped_in_its_writes_leaves_the_stored_overlaps_stale(
    empty_graph: Graph, tmp_path: Path
) -> None:
    """Between two batches (where a kill leaves the graph, as this cancel does) the accounts are
    partly the new bundle's: the overlap counts and scores the last analysis stored no longer
    hold, and the graph must say so until the import is run again and analysed."""
    # The same bundle twice, the first time with half of its accounts.
    generate("tiny", 11, tmp_path / "after")
    shutil.copytree(tmp_path / "after", tmp_path / "before")
    header, *accounts = (tmp_path / "after" / "accounts.csv").read_text().splitlines(True)
    (tmp_path / "before" / "accounts.csv").write_text("".join([header, *accounts[::2]]))
    assert (await import_bundle(empty_graph, tmp_path / "before")).validation.ok
    await analyze(empty_graph)
    assert await overlaps_fresh(empty_graph)
    assert not (await census(empty_graph, None)).stale

    task: asyncio.Task[object] | None = None

    def stop_after_accounts(phase: str, name: str, done: int) -> None:
        if (phase, name) == ("write", "accounts.csv") and task and not task.cancelling():
            task.cancel()

    task = asyncio.ensure_future(
        import_bundle(empty_graph, tmp_path / "after", progress=stop_after_accounts)
    )
    with pytest.raises(Interrupted):
        await task
    assert not await overlaps_fresh(empty_graph)
    assert (await census(empty_graph, None)).stale

    assert (await import_bundle(empty_graph, tmp_path / "after")).validation.ok
    await analyze(empty_graph)
    assert await overlaps_fresh(empty_graph)
    await wipe(empty_graph)
