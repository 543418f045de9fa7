"""The audit trail: events committed to the graph in batches and read back newest first; its
optional file: one whole line per event, whoever writes at the same time."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import trail_events

from graph import audit
from graph.audit import AuditEvent, AuditFilter, AuditTrail
from graph.audit_file import AuditFile
from graph.db import Graph
from graph.errors import InvalidInput, Unavailable

# Long enough that a line is written in more than one piece by anything but one write().
PARTNERS = tuple(f"partner-{i:04d}" for i in range(400))
BEGAN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _event(writer: int, n: int, at: datetime | None = None) -> AuditEvent:
    return AuditEvent(
        at=at or datetime.now(UTC),
        request_id=f"{writer}-{n}",
        subject=f"writer-{writer}",
        role="partner",
        viewer=f"W{writer}",
        operation="overlapMatrix",
        partners=PARTNERS,
        allowed=n % 2 == 0,
    )


def _write_many(path: str, writer: int, count: int) -> None:
    sink = AuditFile(Path(path))
    for n in range(count):
        sink.append([_event(writer, n)])


def test_threads_and_processes_writing_at_once_never_interleave_a_line(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "audit.jsonl"
    threads = [
        threading.Thread(target=_write_many, args=(str(path), writer, 200)) for writer in range(4)
    ]
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_write_many, args=(str(path), writer, 200)) for writer in (4, 5)
    ]
    for worker in [*threads, *processes]:
        worker.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(line) for line in lines[:-1]]
    assert len(parsed) == 6 * 200
    assert all(tuple(line["partners"]) == PARTNERS for line in parsed)
    assert {line["requestId"] for line in parsed} == {
        f"{w}-{n}" for w in range(6) for n in range(200)
    }


def test_a_rotated_file_is_left_behind_and_a_new_one_started(tmp_path: Path) -> None:
    sink = AuditFile(tmp_path / "audit.jsonl")
    sink.append([_event(1, 0)])
    sink.path.rename(tmp_path / "audit.jsonl.1")
    sink.append([_event(1, 1), _event(1, 2)])
    sink.close()
    kept = [json.loads(line)["requestId"] for line in sink.path.read_text().splitlines()]
    assert kept == ["1-1", "1-2"]
    assert len((tmp_path / "audit.jsonl.1").read_bytes().splitlines()) == 1


async def test_events_are_read_back_newest_first_and_filtered(trail: AuditTrail) -> None:
    for n in range(5):
        trail.record(_event(1, n, BEGAN + timedelta(seconds=n)))
    events, total, more = await trail_events(trail, first=3)
    assert [e.request_id for e in events] == ["1-4", "1-3", "1-2"] and total == 5 and more
    assert events[0].at == BEGAN + timedelta(seconds=4) and events[0].partners == PARTNERS
    assert trail.graph is not None
    rest, _, more = await audit.events(trail.graph, AuditFilter(), 3, events[-1].mark)
    assert [e.request_id for e in rest] == ["1-1", "1-0"] and not more
    refused, total, _ = await trail_events(trail, AuditFilter(allowed=False))
    assert [e.request_id for e in refused] == ["1-3", "1-1"] and total == 2
    window = AuditFilter(since=BEGAN + timedelta(seconds=1), until=BEGAN + timedelta(seconds=3))
    assert [e.request_id for e in (await trail_events(trail, window))[0]] == ["1-2", "1-1"]
    assert (await trail_events(trail, AuditFilter(partner="partner-0399")))[1] == 5
    assert (await trail_events(trail, AuditFilter(viewer="W2")))[1] == 0


async def test_events_of_one_time_are_ordered_by_id(trail: AuditTrail) -> None:
    for n in range(6):
        trail.record(_event(1, n, BEGAN))
    await trail.drain()
    assert trail.graph is not None
    seen: list[str] = []
    after = None
    while True:
        page, _, more = await audit.events(trail.graph, AuditFilter(), 4, after)
        seen += [event.id for event in page]
        if not more:
            break
        after = page[-1].mark
    assert seen == sorted(seen, reverse=True) and len(seen) == 6


async def test_an_empty_trail_has_no_events(trail: AuditTrail) -> None:
    assert await trail_events(trail) == ([], 0, False)


async def test_a_mark_no_event_can_have_is_refused(graph: Graph) -> None:
    for mark in [("yesterday", "x"), ("2026-03-01T12:00:00", "x"), (BEGAN.isoformat(), 3)]:
        with pytest.raises(InvalidInput) as raised:
            await audit.events(graph, AuditFilter(), 10, mark)
        assert raised.value.field == "after"


async def test_what_is_pending_goes_in_the_next_transaction(trail: AuditTrail) -> None:
    """Group commit: events recorded while a batch is being committed go together in the next
    one; `written` and `pending` count them."""
    first = [_event(1, n) for n in range(3)]
    for event in first:
        trail.record(event)
    await asyncio.sleep(0)  # the writer takes these three
    later = [_event(2, n) for n in range(50)]
    for event in later:
        trail.record(event)
    assert trail.pending == 53
    await trail.drain()
    assert (trail.written, trail.pending, trail.failed) == (53, 0, 0)
    assert trail.graph is not None
    batches = await trail.graph.read(
        "MATCH (e:AuditEvent) RETURN e.viewer AS viewer, count(*) AS n ORDER BY viewer"
    )
    assert [(r["viewer"], r["n"]) for r in batches] == [("W1", 3), ("W2", 50)]


async def test_a_request_waits_for_its_own_events_only(trail: AuditTrail) -> None:
    with audit.bind(trail, "quiet") as quiet:
        pass
    assert not quiet
    await quiet.committed()  # nothing to wait for
    with audit.bind(trail, "asks") as asks:
        trail.record(_event(1, 0))
        trail.record(_event(1, 1))
    assert trail.pending == 2
    await asks.committed()
    assert (trail.written, trail.pending) == (2, 0)


async def test_a_request_s_events_go_in_one_transaction_when_it_is_answered(
    trail: AuditTrail,
) -> None:
    with audit.bind(trail, "two") as receipt:
        trail.record(_event(1, 0))
        await asyncio.sleep(0.05)  # the request asks Neo4j something more
        trail.record(_event(1, 1))
        assert trail.pending == 2
        await receipt.committed()
    assert (trail.written, trail.commits, trail.pending) == (2, 1, 0)


async def test_close_commits_what_is_pending(graph: Graph, empty_trail: None) -> None:
    trail = AuditTrail()
    trail.start(graph)
    for n in range(7):
        trail.record(_event(1, n))
    await trail.close()
    assert (trail.written, trail.pending) == (7, 0)
    assert (await audit.events(graph, AuditFilter(), 10, None))[1] == 7


async def test_a_failed_commit_fails_the_requests_that_wait_for_it(
    trail: AuditTrail, graph: Graph
) -> None:
    nowhere = Graph.connect("bolt://127.0.0.1:9", "neo4j", "", "neo4j", retry_seconds=0.2)
    trail.graph = nowhere
    try:
        with audit.bind(trail, "lost") as lost:
            trail.record(_event(1, 0))
        with pytest.raises(Unavailable):
            await lost.committed()
        assert (trail.written, trail.pending, trail.failed) == (0, 0, 1)
    finally:
        trail.graph = graph
        await nowhere.close()
    with audit.bind(trail, "kept") as kept:
        trail.record(_event(1, 1))
    await kept.committed()
    assert [e.request_id for e in (await trail_events(trail))[0]] == ["1-1"]
