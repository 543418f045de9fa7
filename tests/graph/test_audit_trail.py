"""The audit trail's file: one whole line per event, whoever writes at the same time."""

from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.audit import AuditEvent, AuditFilter, AuditTrail
from graph.errors import InvalidInput

# Long enough that a line is written in more than one piece by anything but one write().
PARTNERS = tuple(f"partner-{i:04d}" for i in range(400))


def _event(writer: int, n: int) -> AuditEvent:
    return AuditEvent(
        at=datetime.now(UTC),
        request_id=f"{writer}-{n}",
        subject=f"writer-{writer}",
        role="partner",
        viewer=f"W{writer}",
        operation="overlapMatrix",
        partners=PARTNERS,
        allowed=n % 2 == 0,
    )


def _write_many(path: str, writer: int, count: int) -> None:
    trail = AuditTrail(Path(path))
    for n in range(count):
        trail.record(_event(writer, n))


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


def test_events_read_back_newest_first_and_a_cut_line_is_skipped(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "audit.jsonl")
    for n in range(5):
        trail.record(_event(1, n))
    with trail.path.open("ab") as handle:
        handle.write(b'{"at": "2026-')  # a crash in the middle of a line
    events, total, more = trail.events(AuditFilter(), 3, None)
    assert [e.request_id for e in events] == ["1-4", "1-3", "1-2"] and total == 5 and more
    rest, _, more = trail.events(AuditFilter(), 3, events[-1].mark)
    assert [e.request_id for e in rest] == ["1-1", "1-0"] and not more
    refused, total, _ = trail.events(AuditFilter(allowed=False), 10, None)
    assert [e.request_id for e in refused] == ["1-3", "1-1"] and total == 2
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert trail.events(AuditFilter(since=later), 10, None)[1] == 0


def test_a_missing_file_has_no_events(tmp_path: Path) -> None:
    assert AuditTrail(tmp_path / "none.jsonl").events(AuditFilter(), 10, None) == ([], 0, False)


def test_a_rotated_file_is_left_behind_and_a_new_one_started(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "audit.jsonl")
    trail.record(_event(1, 0))
    trail.path.rename(tmp_path / "audit.jsonl.1")
    trail.record(_event(1, 1))
    trail.close()
    assert [e.request_id for e in trail.events(AuditFilter(), 10, None)[0]] == ["1-1"]
    assert len((tmp_path / "audit.jsonl.1").read_bytes().splitlines()) == 1


def test_a_page_ends_only_at_a_matching_event_of_this_file(tmp_path: Path) -> None:
    """A mark names one line: not an offset inside a line, not another time at that offset
    (a rotated file), not an event the filter leaves out."""
    trail = AuditTrail(tmp_path / "audit.jsonl")
    for n in range(4):
        trail.record(_event(1, n))
    events = trail.events(AuditFilter(), 10, None)[0]
    offset, at = events[1].mark
    refused = AuditFilter(allowed=False)  # 1-3 and 1-1; events[1] is 1-2
    for after, where in [
        ((offset + 3, at), AuditFilter()),
        ((offset, events[0].mark[1]), AuditFilter()),
        ((offset, at), refused),
    ]:
        with pytest.raises(InvalidInput) as raised:
            trail.events(where, 10, after)
        assert raised.value.field == "after"
    assert [e.request_id for e in trail.events(refused, 10, events[0].mark)[0]] == ["1-1"]
    trail.path.rename(tmp_path / "audit.jsonl.1")
    for n in range(4):
        trail.record(_event(2, n))  # lines as long as before: the same offsets, other times
    with pytest.raises(InvalidInput):
        trail.events(AuditFilter(), 10, (offset, at))
