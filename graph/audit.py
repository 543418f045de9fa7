"""The audit trail: one (:AuditEvent) node per cross-partner question, in the graph itself.

Why the graph: every API process, on any number of machines, already shares Neo4j, its
durability and its backups, so the trail is one trail for all of them with no new service to
run, and `auditEvents` reads every process's events, complete and in order (newest first by
`at`, then `id`). Nothing else the API answers reads AuditEvent nodes.

How it is written (`AuditTrail`): a request records its events in memory (`record`, a list
append). When it is ready to be answered, the API holds the response back until the events it
recorded are committed (`Receipt.committed`), so nothing a client was answered is lost when the
process dies right after answering; when that commit fails the request is answered 503 instead.
One writer task per process then commits whatever is pending in one transaction (`UNWIND
$events MERGE …`): group commit, so a request's events go in one round trip, and a busy
process's requests share theirs. A request that records nothing waits for nothing. `close`
commits whatever is pending (graceful shutdown). Optionally every committed event is also
appended as a JSON line to a file (`graph.audit_file`) for log shipping.

The trail, the request id and the request's receipt are context variables, set for each
request by the API (`bind`), so code that records an event needs none of them passed down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.audit_file import AuditFile
from graph.db import Graph
from graph.errors import InvalidInput, Unavailable

log = logging.getLogger("partnergraph.audit")

Mark = tuple[str, str]  # an event's time (ISO 8601) and id: where a page ends
NOT_RECORDED = "the audit trail could not record this request's questions; try again shortly"
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def new_event_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    request_id: str
    subject: str
    role: str
    viewer: str  # the partner the viewer acts for
    operation: str
    partners: tuple[str, ...]
    allowed: bool
    id: str = field(default_factory=new_event_id)

    @property
    def mark(self) -> Mark:
        """Where a page that ends with this event ends."""
        return self.at.isoformat(), self.id

    def row(self) -> list[Any]:
        """The event as `WRITE_EVENTS` takes it."""
        return [
            self.id,
            self.at.isoformat(),
            self.request_id,
            self.subject,
            self.role,
            self.viewer,
            self.operation,
            list(self.partners),
            self.allowed,
        ]

    @classmethod
    def of(cls, node: dict[str, Any]) -> AuditEvent:
        at = node["at"]
        return cls(
            at=at.to_native() if hasattr(at, "to_native") else at,
            request_id=node["requestId"],
            subject=node["subject"],
            role=node["role"],
            viewer=node["viewer"],
            operation=node["operation"],
            partners=tuple(node["partners"]),
            allowed=node["allowed"],
            id=node["id"],
        )


@dataclass(frozen=True)
class AuditFilter:
    viewer: str | None = None
    partner: str | None = None
    operation: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    allowed: bool | None = None

    def params(self) -> dict[str, Any]:
        """The filter as the parameters of `EVENTS` (an absent bound is the widest one, so the
        index on `at` serves every question as a range)."""
        return {
            "viewer": self.viewer,
            "partner": self.partner,
            "operation": self.operation,
            "since": self.since or EARLIEST,
            "until": self.until or LATEST,
            "allowed": self.allowed,
        }


# In: $events, each an event's `row`. Idempotent: a batch written again (its commit
# unconfirmed) neither doubles an event nor trips the constraint on `id`. Rows of plain values,
# `at` as text: the driver encodes them at a fifth of the CPU of maps holding a datetime.
WRITE_EVENTS = """
UNWIND $events AS row
MERGE (e:AuditEvent {id: row[0]})
ON CREATE SET e.at = datetime(row[1]), e.requestId = row[2], e.subject = row[3],
  e.role = row[4], e.viewer = row[5], e.operation = row[6], e.partners = row[7],
  e.allowed = row[8]
"""

# In: the filter's $params, $afterAt/$afterId (null: from the newest), $limit.
# Out: total (the matching events), events (up to $limit of them, newest first).
_MATCHING = """
MATCH (e:AuditEvent)
WHERE e.at >= $since AND e.at < $until
  AND ($viewer IS NULL OR e.viewer = $viewer)
  AND ($partner IS NULL OR $partner IN e.partners)
  AND ($operation IS NULL OR e.operation = $operation)
  AND ($allowed IS NULL OR e.allowed = $allowed)
"""
EVENTS = f"""
CALL () {{ {_MATCHING} RETURN count(e) AS total }}
CALL () {{
  {_MATCHING}
    AND ($afterAt IS NULL OR e.at < $afterAt OR (e.at = $afterAt AND e.id < $afterId))
  WITH e ORDER BY e.at DESC, e.id DESC LIMIT $limit
  RETURN collect(e {{.*}}) AS events
}}
RETURN total, events
"""


def _after(mark: tuple[object, ...] | None) -> tuple[datetime | None, str | None]:
    """A cursor's time and id; InvalidInput on `after` for values no event can have."""
    if mark is None:
        return None, None
    at, event_id = mark
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not isinstance(event_id, str):
        raise InvalidInput("after is not a cursor of this list", field="after")
    return moment, event_id


async def events(
    graph: Graph, where: AuditFilter, first: int, after: tuple[object, ...] | None
) -> tuple[list[AuditEvent], int, bool]:
    """Up to `first` events the filter keeps, older than the mark `after` (newest first), of
    every process; with the number of matching events in all, and whether more follow."""
    after_at, after_id = _after(after)
    params = {**where.params(), "afterAt": after_at, "afterId": after_id, "limit": first + 1}
    [record] = await graph.read(EVENTS, params)
    found = [AuditEvent.of(node) for node in record["events"]]
    return found[:first], record["total"], len(found) > first


class Batch:
    """Events committed in one transaction: `done` once it is over, `error` if it failed."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.error: BaseException | None = None


class Receipt:
    """The batches holding one request's events: the request is answered once they commit."""

    __slots__ = ("batches", "trail")

    def __init__(self, trail: AuditTrail | None) -> None:
        self.trail = trail
        self.batches: list[Batch] = []

    def __bool__(self) -> bool:
        return bool(self.batches)

    def hold(self, batch: Batch) -> None:
        if not self.batches or self.batches[-1] is not batch:
            self.batches.append(batch)

    async def committed(self) -> None:
        """Once every event of the request is in the graph; Unavailable when one could not be."""
        if self.trail is not None and self.batches:
            self.trail.flush()
        for batch in self.batches:
            await batch.done.wait()
            if batch.error is not None:
                raise Unavailable(NOT_RECORDED) from batch.error


class AuditTrail:
    """This process's writer of the trail: `record` takes an event, the writer task commits it.

    `written` counts the events this process committed, `pending` those recorded and not yet
    committed (both plain ints, for metrics); `failed` those whose commit failed (their requests
    were answered 503); `commits` the transactions that wrote them. `start(graph)` starts the
    writer; `close()` commits whatever is pending and stops it, for a graceful shutdown: call it
    before the driver closes (the app's lifespan does).
    """

    def __init__(self, sink: AuditFile | None = None) -> None:
        self.sink = sink
        self.graph: Graph | None = None
        self.written = 0
        self.pending = 0
        self.failed = 0
        self.commits = 0  # transactions: `written / commits` events each
        self._events: list[AuditEvent] = []
        self._batch = Batch()
        self._wake = asyncio.Event()
        self._closing = False
        self._flight: Batch | None = None  # the batch being committed
        self._task: asyncio.Task[None] | None = None

    def start(self, graph: Graph) -> None:
        self.graph = graph
        self._closing = False
        self._wake = asyncio.Event()  # of this event loop
        if self._events:
            self._wake.set()
        self._task = asyncio.get_running_loop().create_task(self._write(), name="audit-trail")

    def record(self, event: AuditEvent) -> None:
        self._events.append(event)
        self.pending += 1
        receipt = _receipt.get()
        if receipt is not None and receipt.trail is self:
            receipt.hold(self._batch)  # written once the request is ready to be answered
        else:
            self._wake.set()

    def flush(self) -> None:
        """Have the writer commit what is pending: a request is ready to be answered (its
        events, and those of every other request recorded so far, go in one transaction)."""
        self._wake.set()

    async def drain(self) -> None:
        """Once every event recorded so far is committed (or has failed)."""
        self.flush()
        if self._events:
            await self._batch.done.wait()
        elif self._flight is not None:
            await self._flight.done.wait()

    async def close(self) -> None:
        """Commit whatever is pending, stop the writer and close the file."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self.sink is not None:
            self.sink.close()

    async def _write(self) -> None:
        while True:
            if not self._events:
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            events, batch = self._events, self._batch
            self._events, self._batch, self._flight = [], Batch(), batch
            await self._commit(events, batch)
            self._flight = None

    async def _commit(self, events: list[AuditEvent], batch: Batch) -> None:
        try:
            await self._write_rows([event.row() for event in events])
        except Exception as error:  # whatever it was, these requests must not be answered
            batch.error = error
            self.failed += len(events)
            log.error("the audit trail could not commit %d events: %s", len(events), error)
        else:
            self.written += len(events)
            self.commits += 1
            if self.sink is not None:
                try:
                    self.sink.append(events)
                except OSError as error:  # the graph holds them; the copy for shipping is lost
                    log.error("the audit log file could not be written: %s", error)
        finally:
            self.pending -= len(events)
            batch.done.set()

    async def _write_rows(self, rows: list[list[Any]]) -> None:
        """One auto-commit write, tried again after a failure for the graph's `retry_seconds`
        (the write is idempotent), as the driver retries a managed transaction."""
        graph = self.graph
        assert graph is not None
        deadline = time.monotonic() + graph.retry_seconds
        pause = 0.05
        while True:
            try:
                await graph.write_auto_commit(WRITE_EVENTS, {"events": rows})
                return
            except Exception:
                if time.monotonic() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)


_trail: ContextVar[AuditTrail | None] = ContextVar("audit_trail", default=None)
_request_id: ContextVar[str] = ContextVar("request_id", default="")
_receipt: ContextVar[Receipt | None] = ContextVar("audit_receipt", default=None)


def current_trail() -> AuditTrail | None:
    return _trail.get()


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def bind(trail: AuditTrail | None, request_id: str) -> Iterator[Receipt]:
    """Answer a request with this trail and request id; yields the request's receipt."""
    receipt = Receipt(trail)
    tokens = (_trail.set(trail), _request_id.set(request_id), _receipt.set(receipt))
    try:
        yield receipt
    finally:
        if receipt and trail is not None:
            trail.flush()  # a request that failed before its answer leaves: still recorded
        _receipt.reset(tokens[2])
        _request_id.reset(tokens[1])
        _trail.reset(tokens[0])
