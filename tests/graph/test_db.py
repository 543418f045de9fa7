"""Reads ride out a database that is not there yet, and give up after `retry_seconds`.

The database is the real test Neo4j. Between it and the graph sits a plain TCP gate that this
test holds open on a port of its own (no other process can take it meanwhile): while the gate is
shut it hangs up on every connection, counting them; once open, it relays them byte for byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

from graph.db import Graph
from graph.errors import TooLarge, Unavailable


@dataclass
class Gate:
    target: tuple[str, int]
    open: bool = False
    refused: int = 0
    first_refusal: asyncio.Event = field(default_factory=asyncio.Event)
    server: asyncio.Server | None = None

    @property
    def uri(self) -> str:
        assert self.server is not None
        return f"bolt://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> Gate:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            self.refused += 1
            self.first_refusal.set()
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


def target_of(graph: Graph) -> tuple[str, int]:
    target = urlparse(graph.uri)
    return target.hostname or "127.0.0.1", target.port or 7687


async def test_a_read_waits_for_a_database_that_comes_up_within_the_retry_time(
    graph: Graph,
) -> None:
    async with Gate(target_of(graph)) as gate:
        late = Graph.connect(gate.uri, "neo4j", "", graph.database, retry_seconds=30)

        async def open_after_the_first_refusal() -> None:
            await gate.first_refusal.wait()
            gate.open = True

        opener = asyncio.ensure_future(open_after_the_first_refusal())
        try:
            records = await late.read("RETURN 41 + 1 AS answer")
        finally:
            opener.cancel()
            await late.close()
    assert records[0]["answer"] == 42
    assert gate.refused >= 1  # it was refused first, and tried again


async def test_a_read_gives_up_after_the_retry_time() -> None:
    async with Gate(("127.0.0.1", 9)) as gate:
        down = Graph.connect(gate.uri, "neo4j", "", "neo4j", retry_seconds=0.5)
        try:
            with pytest.raises(Unavailable):
                await down.read("RETURN 1")
        finally:
            await down.close()
    # Tried at once and again after pauses of 0.05, 0.1 and 0.2 s; the next pause would pass the
    # half second. (A read that never gave up would hang and fail on the test timeout.)
    assert 2 <= gate.refused <= 8, gate.refused


async def test_a_write_to_a_database_that_is_not_there_is_unavailable() -> None:
    async with Gate(("127.0.0.1", 9)) as gate:
        down = Graph.connect(gate.uri, "neo4j", "", "neo4j", retry_seconds=0.2)
        try:
            with pytest.raises(Unavailable, match="the database is unavailable"):
                await down.write("CREATE (:Nothing)")
            with pytest.raises(Unavailable):
                await down.transaction(lambda tx: tx.run("RETURN 1"))
        finally:
            await down.close()


async def test_a_query_over_the_memory_limit_is_too_large_at_once(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neo4j calls it transient; tried again, it would only take the memory again. Retried, it
    would fail for the minute transient failures are retried."""
    monkeypatch.setattr(graph, "retry_seconds", 60.0)
    started = time.monotonic()
    with pytest.raises(TooLarge) as refused:
        await graph.read(
            "UNWIND range(1, 100000000) AS i WITH collect(range(1, 1000)) AS lists RETURN size(lists)"
        )
    assert refused.value.code == "QUERY_TOO_COMPLEX"
    assert "fewer hops" in refused.value.message
    assert time.monotonic() - started < 30


async def test_a_read_past_its_time_is_too_large(graph: Graph) -> None:
    slow = "UNWIND range(1, 50000000) AS i WITH i WHERE i % 7 = 0 RETURN count(*) AS n"
    with pytest.raises(TooLarge) as refused:
        await graph.read(slow, seconds=0.05)
    assert "takes longer" in refused.value.message
    assert (await graph.read("RETURN 1 AS one", seconds=5))[0]["one"] == 1
