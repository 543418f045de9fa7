"""graph.db's accounting of each task's queries: their number, the time they took, the span each
runs in when traced, and the sessions open (the driver's pool in use)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from neo4j import READ_ACCESS

from api.settings import Settings
from graph.db import Graph, RoundTrips

SLOW = "UNWIND range(1, 20000) AS i WITH i WHERE i % 7 = 0 RETURN count(i) AS n"


async def test_round_trips_count_and_time_every_query(graph: Graph) -> None:
    began = time.perf_counter()
    with RoundTrips() as trips:
        await graph.read(SLOW)
        await graph.read_rows("UNWIND [1, 2] AS x RETURN x", ("x",))
        await graph.write("RETURN 1 AS one")
    wall = time.perf_counter() - began
    assert trips.count == 3
    assert 0 < trips.seconds <= wall


async def test_an_inner_count_adds_to_the_outer_one(graph: Graph) -> None:
    with RoundTrips() as outer:
        await graph.read("RETURN 1 AS one")
        with RoundTrips() as inner:
            await graph.read("RETURN 2 AS two")
            await graph.read("RETURN 3 AS three")
            assert (outer.count, inner.count) == (1, 2)
        assert outer.count == 3
    assert outer.count == 3
    assert outer.seconds >= inner.seconds > 0


async def test_a_traced_task_runs_each_query_in_its_span(graph: Graph) -> None:
    spans: list[tuple[str, str]] = []
    open_spans: list[int] = []

    @contextlib.contextmanager
    def trace(query: str, operation: str) -> Iterator[None]:
        spans.append((query, operation))
        open_spans.append(1)
        yield
        open_spans.pop()

    async def work(tx: object) -> None:
        await tx.run("RETURN 5 AS five")  # type: ignore[attr-defined]

    with RoundTrips(trace) as trips:
        await graph.read("RETURN $x AS x", {"x": "a value"})
        await graph.write("RETURN 4 AS four")
        with RoundTrips() as inner:  # an inner count keeps the outer one's tracing
            await graph.transaction(work)  # type: ignore[arg-type]
    assert spans == [
        ("RETURN $x AS x", "read"),
        ("RETURN 4 AS four", "write"),
        ("RETURN 5 AS five", "write"),
    ]
    assert (trips.count, inner.count, open_spans) == (3, 1, [])


async def test_a_failed_query_is_counted_and_its_span_closed(graph: Graph) -> None:
    closed: list[str] = []

    @contextlib.contextmanager
    def trace(query: str, operation: str) -> Iterator[None]:
        try:
            yield
        finally:
            closed.append(query)

    with RoundTrips(trace) as trips, pytest.raises(Exception, match="SyntaxError"):
        await graph.read("RETURN RETURN")
    assert (trips.count, closed) == (1, ["RETURN RETURN"])


async def test_sessions_open_is_the_pool_in_use(graph: Graph, settings: Settings) -> None:
    fresh = settings.connect()
    try:
        assert fresh.sessions_open == 0
        async with fresh._session(READ_ACCESS) as first, fresh._session(READ_ACCESS):
            await (await first.run("RETURN 1")).consume()
            assert fresh.sessions_open == 2
        assert fresh.sessions_open == 0
        with pytest.raises(Exception, match="SyntaxError"):
            await fresh.read("RETURN RETURN")
        await fresh.write("RETURN 1 AS one")
        assert fresh.sessions_open == 0
    finally:
        await fresh.close()
