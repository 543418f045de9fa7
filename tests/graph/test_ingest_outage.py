"""A database that goes away in the middle of an import: what was written stays, the command
says so in one line, and running the same import again completes it.

Between the importer and the real test Neo4j sits a TCP relay that is cut mid-write."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from relay import Relay, relay
from support import counts, dump, wipe, write_csv

from graph.db import Graph
from graph.errors import Unavailable
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

PARTNERS = 30_000  # three batches of writes


async def relay_to(graph: Graph, cut_after: int | None = None) -> Relay:
    target = urlparse(graph.uri)
    return await relay(
        0, (target.hostname or "127.0.0.1", target.port or 7687), cut_after=cut_after
    )


async def test_an_outage_mid_write_is_one_clear_error_and_a_second_run_completes_it(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 8, tmp_path / "once")
    await import_bundle(empty_graph, tmp_path / "once")
    whole = await dump(empty_graph)
    await wipe(empty_graph)

    generate("tiny", 8, tmp_path)
    link = await relay_to(empty_graph)
    flaky = Graph.connect(
        f"bolt://127.0.0.1:{link.port}", "neo4j", "", empty_graph.database, retry_seconds=1
    )

    def cut_after_customers(phase: str, name: str, done: int) -> None:
        if (phase, name) == ("write", "customers.csv"):
            link.cut()

    try:
        with pytest.raises(Unavailable) as raised:
            await import_bundle(flaky, tmp_path, progress=cut_after_customers)
    finally:
        link.close()
        await flaky.close()
    message = raised.value.message
    assert "\n" not in message
    assert "running the same import again completes it" in message
    written = await counts(empty_graph)
    assert written.get("Partner") and written.get("Customer")  # half a bundle: the first files
    assert "HAS_ACCOUNT" not in written
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    assert await dump(empty_graph) == whole


async def test_the_import_command_says_so_in_one_line_without_a_traceback(
    empty_graph: Graph, tmp_path: Path
) -> None:
    rows = [
        [f"P{i:06}", f"Partner number {i:06} of a long list", "RESELLER", "GOLD"]
        for i in range(PARTNERS)
    ]
    write_csv(tmp_path, "partners.csv", rows, header=["key", "name", "type", "tier"])
    # A batch of 10,000 such rows is about 0.6 MB: the cut falls in the second one.
    link = await relay_to(empty_graph, cut_after=1_000_000)
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{link.port}",
        "NEO4J_DATABASE": empty_graph.database,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    try:
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.cli", "import", str(tmp_path),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(command.communicate(), timeout=120)
    finally:
        link.close()
    said = [line for line in err.decode().splitlines() if line.strip()]
    assert command.returncode == 1, (out, err)
    assert len(said) == 1, said
    assert "running the same import again completes it" in said[0]
    assert "partners.csv" in said[0]
    written = (await counts(empty_graph)).get("Partner", 0)
    assert 0 < written < PARTNERS
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    assert await counts(empty_graph) == {"Partner": PARTNERS}
