"""The one way to reach Neo4j: a `Graph` holds the process's driver and the database name.

Reads are routed to readers, writes to the writer; every call names the database (it saves a
round trip) and is counted, so tests can see how many round trips a request makes. A write that
must check and change the graph atomically runs as one `transaction`, each query counted.
A database that cannot be reached raises the project's own `Unavailable`, never a driver error.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncSession,
    Query,
    Record,
    RoutingControl,
)
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.errors import TooLarge, Unavailable

T = TypeVar("T")

UNAVAILABLE = "the database is unavailable; try again shortly"
OUT_OF_MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOut"
TOO_LONG = "the question takes longer to answer than one request may; ask a narrower one"
TOO_LARGE = (
    "the question needs more memory than the database gives one query; ask a narrower one "
    "(fewer hops, fewer partners)"
)

# Round trips made in the current task (a request, a test); see `count_round_trips`.
_round_trips: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "round_trips", default=None
)


class RoundTrips:
    """Counts the queries sent to Neo4j while it is active: `with RoundTrips() as trips`."""

    def __init__(self) -> None:
        self.cell = [0]
        self._token: contextvars.Token[list[int] | None] | None = None

    @property
    def count(self) -> int:
        return self.cell[0]

    def __enter__(self) -> RoundTrips:
        self._token = _round_trips.set(self.cell)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _round_trips.reset(self._token)


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """The driver's failures to reach the database, as the project's own `Unavailable`, so only
    this package knows the driver."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired) as error:
        raise Unavailable(UNAVAILABLE) from error


def _count() -> None:
    cell = _round_trips.get()
    if cell is not None:
        cell[0] += 1


class Transaction:
    """One write transaction's queries, each counted as a round trip."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, query: str, parameters: dict[str, Any] | None = None) -> list[Record]:
        _count()
        result = await self._tx.run(query, parameters)
        return [record async for record in result]


@dataclass
class Graph:
    driver: AsyncDriver
    database: str = "neo4j"
    uri: str = field(default="", repr=False)
    retry_seconds: float = 5.0

    @classmethod
    def connect(
        cls, uri: str, user: str, password: str, database: str, *, retry_seconds: float = 5.0
    ) -> Graph:
        """A driver that retries transient failures for `retry_seconds`, then gives up."""
        auth = (user, password) if password else None
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=auth,
            max_connection_pool_size=50,
            connection_acquisition_timeout=10,
            connection_timeout=5,
            max_transaction_retry_time=retry_seconds,
            notifications_min_severity="OFF",  # the queries are reviewed; warnings are noise
        )
        return cls(driver, database, uri, retry_seconds)

    def _session(self, mode: str) -> AsyncSession:
        """A session sharing the bookmarks of `execute_query` (the writes): in a cluster every
        read and transaction then sees what this process has written before it."""
        return self.driver.session(
            database=self.database,
            default_access_mode=mode,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    async def verify(self) -> None:
        try:
            await self.driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError) as error:
            raise Unavailable(f"cannot reach Neo4j at {self.uri}: {error}") from error

    async def read(
        self, query: str, parameters: dict[str, Any] | None = None, *, seconds: float | None = None
    ) -> list[Record]:
        """A read in an auto-commit transaction: one message flight (RUN and PULL) where a managed
        transaction needs two (BEGIN, RUN, PULL, then COMMIT), a quarter of a small query's time.
        A read changes nothing, so a transient failure is simply tried again, as the driver
        would, for `retry_seconds`. With `seconds`, the database stops the query after that long
        (TooLarge)."""
        _count()
        deadline = time.monotonic() + self.retry_seconds
        pause = 0.05
        with _reachable():
            while True:
                try:
                    async with self._session(READ_ACCESS) as session:
                        result = await session.run(Query(query, timeout=seconds), parameters)
                        return [record async for record in result]
                except (Neo4jError, DriverError) as error:
                    if isinstance(error, Neo4jError) and error.code == OUT_OF_MEMORY:
                        # Retrying would only take the memory again, from other questions.
                        raise TooLarge(TOO_LARGE) from error
                    if isinstance(error, Neo4jError) and (error.code or "").startswith(TIMED_OUT):
                        raise TooLarge(TOO_LONG) from error
                    if not error.is_retryable() or time.monotonic() + pause > deadline:
                        raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)

    async def stamp(self) -> str:
        """The database's last committed transaction, as the bookmark a read returns: it changes
        with every write to the database, by any process, so an answer computed under one stamp
        holds while the stamp does (graph.analytics.impact keeps its tables by it)."""
        _count()
        with _reachable():
            async with self._session(READ_ACCESS) as session:
                await (await session.run("RETURN 1")).consume()
                return ",".join(sorted((await session.last_bookmarks()).raw_values))

    async def read_rows(
        self, query: str, columns: tuple[str, ...], parameters: dict[str, Any] | None = None
    ) -> list[list[Any]]:
        """Every row of a query, as one record: the async driver pays per record received
        (a hundred small records cost four times one record holding a hundred rows)."""
        # `columns` are names the query itself returns, never request values.
        picked = ", ".join(columns)
        wrapped = f"CALL () {{ {query} }} RETURN collect([{picked}]) AS rows"
        records = await self.read(wrapped, parameters)
        return list(records[0]["rows"]) if records else []

    async def read_column(
        self, query: str, column: str, parameters: dict[str, Any] | None = None
    ) -> list[Any]:
        return [row[0] for row in await self.read_rows(query, (column,), parameters)]

    async def read_by_key(
        self, query: str, field: str, parameters: dict[str, Any] | None = None
    ) -> dict[Any, Any]:
        """A query returning one row per `key`: its `field`, by key."""
        return dict(await self.read_rows(query, ("key", field), parameters))

    async def write(self, query: str, parameters: dict[str, Any] | None = None) -> list[Record]:
        _count()
        with _reachable():
            records, _, _ = await self.driver.execute_query(
                query, parameters, database_=self.database, routing_=RoutingControl.WRITE
            )
        return records

    async def write_in_batches(self, query: str, parameters: dict[str, Any] | None = None) -> None:
        """A query that commits as it goes (`CALL { … } IN TRANSACTIONS`): it runs outside a
        managed transaction, so it is not retried."""
        await self.write_auto_commit(query, parameters)

    async def write_auto_commit(self, query: str, parameters: dict[str, Any] | None = None) -> None:
        """A write in an auto-commit transaction: one message flight where `write` needs two (a
        managed transaction's BEGIN, then COMMIT), and less of the driver's CPU. It is not retried:
        the caller retries, so the query must be idempotent."""
        _count()
        with _reachable():
            async with self._session(WRITE_ACCESS) as session:
                result = await session.run(query, parameters)
                await result.consume()

    async def transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction: it commits when `work` returns, rolls back when
        it raises, and runs again after a transient error (a deadlock), so it must be repeatable.
        """

        async def run(tx: AsyncManagedTransaction) -> T:
            return await work(Transaction(tx))

        with _reachable():
            async with self._session(WRITE_ACCESS) as session:
                return await session.execute_write(run)

    async def close(self) -> None:
        await self.driver.close()
