"""Reads ride out a database that is not there yet, and give up after `retry_seconds`.

The database is the real test Neo4j; between it and the graph sits a plain TCP relay that
starts listening only after the first attempts have been refused."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from urllib.parse import urlparse

import pytest

from graph.db import Graph
from graph.errors import Unavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def relay(port: int, target: tuple[str, int]) -> asyncio.Server:
    """Forward every connection on `port` to `target`, byte for byte."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*target)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    return await asyncio.start_server(serve, "127.0.0.1", port)


async def test_a_read_waits_for_a_database_that_comes_up_within_the_retry_time(
    graph: Graph,
) -> None:
    target = urlparse(graph.uri)
    port = free_port()
    late = Graph.connect(f"bolt://127.0.0.1:{port}", "neo4j", "", graph.database, retry_seconds=10)
    opened: list[asyncio.Server] = []

    async def open_later() -> None:
        await asyncio.sleep(0.5)
        opened.append(await relay(port, (target.hostname or "127.0.0.1", target.port or 7687)))

    began = time.monotonic()
    opener = asyncio.ensure_future(open_later())
    try:
        records = await late.read("RETURN 41 + 1 AS answer")
    finally:
        await opener
        await late.close()
        for server in opened:
            server.close()
    assert records[0]["answer"] == 42
    assert time.monotonic() - began >= 0.5  # it was refused first, and tried again


async def test_a_read_gives_up_after_the_retry_time() -> None:
    down = Graph.connect(f"bolt://127.0.0.1:{free_port()}", "neo4j", "", "neo4j", retry_seconds=0.5)
    began = time.monotonic()
    try:
        with pytest.raises(Unavailable):
            await down.read("RETURN 1")
    finally:
        await down.close()
    # Tried again after 0.05, 0.1 and 0.2 s; the next pause would pass the half second.
    assert 0.3 <= time.monotonic() - began < 2


async def test_a_write_to_a_database_that_is_not_there_is_unavailable() -> None:
    down = Graph.connect(f"bolt://127.0.0.1:{free_port()}", "neo4j", "", "neo4j", retry_seconds=0.2)
    try:
        with pytest.raises(Unavailable, match="the database is unavailable"):
            await down.write("CREATE (:Nothing)")
        with pytest.raises(Unavailable):
            await down.transaction(lambda tx: tx.run("RETURN 1"))
    finally:
        await down.close()
