"""A plain TCP relay to the test Neo4j, to stand for a network between the code and the database.

It forwards every connection byte for byte; `cut()` drops every connection and stops listening,
as an outage would, and `cut_after` does so once that many bytes have gone to the database.
"""

from __future__ import annotations

import asyncio
import contextlib


class Relay:
    def __init__(self, target: tuple[str, int], cut_after: int | None = None) -> None:
        self.target = target
        self.cut_after = cut_after
        self.sent = 0  # bytes forwarded to the database
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self, port: int = 0) -> Relay:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return self

    def cut(self) -> None:
        """Stop listening and drop every open connection at once."""
        self.close()
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: bool
    ) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if upstream:
                    self.sent += len(data)
                    if self.cut_after is not None and self.sent > self.cut_after:
                        self.cut()
                        return
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]
        await asyncio.gather(
            self._pipe(reader, upstream_writer, upstream=True),
            self._pipe(upstream_reader, writer, upstream=False),
        )


async def relay(port: int, target: tuple[str, int], *, cut_after: int | None = None) -> Relay:
    """Forward every connection on `port` (0: any free port) to `target`, byte for byte."""
    return await Relay(target, cut_after).start(port)
