"""The one way to reach Neo4j: a `Graph` holds the process's driver and the database name.

Reads are routed to readers, writes to the writer; every call names the database (it saves a
round trip) and is counted and timed, so tests and the API's metrics see how many round trips a
request makes and how long Neo4j took. A write that must check and change the graph atomically
runs as one `transaction`, each query counted.
A database that cannot be reached raises the project's own `Unavailable`, never a driver error,
and soon: a request tries a database it cannot reach for OUTAGE_SECONDS, not the driver's
timeouts. The API gives each request a `budget`; every query sent under it carries the time left
as its transaction timeout, so Neo4j itself stops a query the request can no longer wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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
    unit_of_work,
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
DATABASE_UNAVAILABLE = "Neo.TransientError.General.DatabaseUnavailable"  # starting or stopping
# How long a request keeps trying a database that does not answer (refused connections, a
# database starting or stopping) before it is SERVICE_UNAVAILABLE; the driver's own timeouts
# (seconds each) would hold a request far longer than a client waits.
OUTAGE_SECONDS = 1.0
CONNECT_SECONDS = 1.0  # to open one connection (a host that drops packets answers nothing)
TOO_LARGE = (
    "the question needs more memory than the database gives one query; ask a narrower one "
    "(fewer hops, fewer partners)"
)

# A query's span, when the request is traced: (query text, "read" or "write") -> context manager.
Trace = Callable[[str, str], contextlib.AbstractContextManager[object]]


# When the current request must be answered by (time.monotonic()), set by `budget`.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Answer the current request (task) within `seconds`: every query under it times out in
    Neo4j when the time is up (TooLarge)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _timeout(seconds: float | None = None) -> float | None:
    """The transaction timeout of a query: the request's time left (TooLarge when none is), or
    `seconds` when that is shorter; None without either."""
    deadline = _deadline.get()
    if deadline is None:
        return seconds
    left = deadline - time.monotonic()
    if left <= 0:
        raise TooLarge(TOO_LONG)
    return left if seconds is None else min(seconds, left)


def _outage(error: Exception) -> bool:
    """The database cannot be reached, or is starting or stopping."""
    if isinstance(error, (ServiceUnavailable, SessionExpired)):
        return True
    return isinstance(error, Neo4jError) and error.code == DATABASE_UNAVAILABLE


class RoundTrips:
    """Counts the queries sent to Neo4j while it is active and sums the seconds they take:
    `with RoundTrips() as trips`. One opened inside another adds its figures to the outer one
    when it closes. With `trace`, each query runs inside the span it makes."""

    def __init__(self, trace: Trace | None = None) -> None:
        self.count = 0
        self.seconds = 0.0
        self.trace = trace
        self._outer: RoundTrips | None = None
        self._token: contextvars.Token[RoundTrips | None] | None = None

    def __enter__(self) -> RoundTrips:
        self._outer = _round_trips.get()
        if self.trace is None and self._outer is not None:
            self.trace = self._outer.trace
        self._token = _round_trips.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _round_trips.reset(self._token)
        if self._outer is not None:
            self._outer.count += self.count
            self._outer.seconds += self.seconds


# The queries of the current task (a request, a test); see `RoundTrips`.
_round_trips: contextvars.ContextVar[RoundTrips | None] = contextvars.ContextVar(
    "round_trips", default=None
)


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """The driver's failures to reach the database, as the project's own `Unavailable`, so only
    this package knows the driver; a query stopped at its transaction timeout, as TooLarge."""
    try:
        yield
    except (Neo4jError, DriverError) as error:
        if _outage(error):
            raise Unavailable(UNAVAILABLE) from error
        if isinstance(error, Neo4jError) and (error.code or "").startswith(TIMED_OUT):
            raise TooLarge(TOO_LONG) from error
        raise


@contextlib.contextmanager
def _counted(query: str, operation: str) -> Iterator[None]:
    """One query sent to Neo4j: counted and timed in the current `RoundTrips`, and traced when
    it traces. Every query passes here, so a request's figures are complete."""
    trips = _round_trips.get()
    if trips is None:
        yield
        return
    began = time.perf_counter()
    try:
        if trips.trace is None:
            yield
        else:
            with trips.trace(query, operation):
                yield
    finally:
        trips.count += 1
        trips.seconds += time.perf_counter() - began


class Transaction:
    """One write transaction's queries, each counted as a round trip."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(self, query: str, parameters: dict[str, Any] | None = None) -> list[Record]:
        with _counted(query, "write"):
            result = await self._tx.run(query, parameters)
            return [record async for record in result]


@dataclass
class Graph:
    driver: AsyncDriver
    database: str = "neo4j"
    uri: str = field(default="", repr=False)
    retry_seconds: float = 5.0
    sessions_open: int = field(default=0, init=False, repr=False)

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
            connection_timeout=CONNECT_SECONDS,
            max_transaction_retry_time=retry_seconds,
            notifications_min_severity="OFF",  # the queries are reviewed; warnings are noise
        )
        return cls(driver, database, uri, retry_seconds)

    @contextlib.asynccontextmanager
    async def _session(self, mode: str) -> AsyncIterator[AsyncSession]:
        """A session sharing the bookmarks of `execute_query` (the writes): in a cluster every
        read and transaction then sees what this process has written before it."""
        with self._held():
            async with self.driver.session(
                database=self.database,
                default_access_mode=mode,
                bookmark_manager=self.driver.execute_query_bookmark_manager,
            ) as session:
                yield session

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """A session open (each holds at most one of the driver's pooled connections, which the
        driver does not count publicly): `sessions_open` is the pool in use."""
        self.sessions_open += 1
        try:
            yield
        finally:
            self.sessions_open -= 1

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
        would: for `retry_seconds` (within the request's budget), or OUTAGE_SECONDS when the
        database cannot be reached. With `seconds`, the database stops the query after that long
        (TooLarge)."""
        began = time.monotonic()
        pause = 0.05
        with _reachable(), _counted(query, "read"):
            while True:
                try:
                    async with self._session(READ_ACCESS) as session:
                        timed = Query(query, timeout=_timeout(seconds))
                        result = await session.run(timed, parameters)
                        return [record async for record in result]
                except (Neo4jError, DriverError) as error:
                    if isinstance(error, Neo4jError) and error.code == OUT_OF_MEMORY:
                        # Retrying would only take the memory again, from other questions.
                        raise TooLarge(TOO_LARGE) from error
                    trying = OUTAGE_SECONDS if _outage(error) else self.retry_seconds
                    if not error.is_retryable() or time.monotonic() + pause > began + trying:
                        raise
                    deadline = _deadline.get()
                    if deadline is not None and time.monotonic() + pause > deadline:
                        raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)

    async def stamp(self) -> str:
        """The database's last committed transaction, as the bookmark a read returns: it changes
        with every write to the database, by any process, so an answer computed under one stamp
        holds while the stamp does (graph.analytics.impact keeps its tables by it)."""
        with _reachable(), _counted("RETURN 1", "read"):
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
        with _reachable(), _counted(query, "write"), self._held():
            records, _, _ = await self.driver.execute_query(
                Query(query, timeout=_timeout()),
                parameters,
                database_=self.database,
                routing_=RoutingControl.WRITE,
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
        with _reachable(), _counted(query, "write"):
            async with self._session(WRITE_ACCESS) as session:
                result = await session.run(query, parameters)
                await result.consume()

    async def transaction(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction: it commits when `work` returns, rolls back when
        it raises, and runs again after a transient error (a deadlock), so it must be repeatable.
        """

        @unit_of_work(timeout=_timeout())
        async def run(tx: AsyncManagedTransaction) -> T:
            return await work(Transaction(tx))

        with _reachable():
            async with self._session(WRITE_ACCESS) as session:
                return await session.execute_write(run)

    async def close(self) -> None:
        await self.driver.close()
