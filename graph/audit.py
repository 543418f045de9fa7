"""The audit trail: one JSON line per cross-partner question, appended to a file.

Each event is written with one `write` on a file opened for appending (once, and again when it
was rotated away), so it is in the file (the page cache) when the question is answered, and the
lines of requests answered at the same time, or of several API processes given the same file,
never interleave. Reading filters the file newest first; a page ends at an event's mark, the
byte offset of its line (which appending never moves) and its time, so a mark names one line
and a rotated file or an offset inside a line is refused, not misread.

The trail and the request id of the request being answered are context variables, set for each
request by the API (`bind`), so code that records an event needs neither passed down to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from graph.errors import InvalidInput

Mark = tuple[int, str]  # an event's offset and time (ISO 8601): one line of the file


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
    offset: int = -1  # where its line starts in the file; -1 until it is read back

    @property
    def mark(self) -> Mark:
        """Where a page that ends with this event ends."""
        return self.offset, self.at.isoformat()

    def line(self) -> bytes:
        fields = {
            "at": self.at.isoformat(),
            "requestId": self.request_id,
            "subject": self.subject,
            "role": self.role,
            "viewer": self.viewer,
            "operation": self.operation,
            "partners": list(self.partners),
            "allowed": self.allowed,
        }
        return (json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    @classmethod
    def parse(cls, line: bytes, offset: int) -> AuditEvent | None:
        """The event of a line; None for a line that is not one (cut short by a crash)."""
        try:
            fields = json.loads(line)
            return cls(
                at=datetime.fromisoformat(fields["at"]),
                request_id=str(fields["requestId"]),
                subject=str(fields["subject"]),
                role=str(fields["role"]),
                viewer=str(fields["viewer"]),
                operation=str(fields["operation"]),
                partners=tuple(str(key) for key in fields["partners"]),
                allowed=bool(fields["allowed"]),
                offset=offset,
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class AuditFilter:
    viewer: str | None = None
    partner: str | None = None
    operation: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    allowed: bool | None = None

    def matches(self, event: AuditEvent) -> bool:
        return (
            (self.viewer is None or event.viewer == self.viewer)
            and (self.partner is None or self.partner in event.partners)
            and (self.operation is None or event.operation == self.operation)
            and (self.since is None or event.at >= self.since)
            and (self.until is None or event.at < self.until)
            and (self.allowed is None or event.allowed == self.allowed)
        )


class AuditTrail:
    """The events of one file; `record` appends, `events` reads them back, newest first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._inode = -1
        self._lock = threading.Lock()  # a reopen is not raced by another thread's write

    def record(self, event: AuditEvent) -> None:
        line = event.line()
        with self._lock:
            os.write(self._open(), line)  # one write: an appended line is never interleaved

    def _open(self) -> int:
        """The file, opened for appending once, and again when it was moved away (rotated)."""
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = -1
        if self._fd is None or inode != self._inode:
            self.close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            self._inode = os.fstat(self._fd).st_ino
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def events(
        self, where: AuditFilter, first: int, after: tuple[object, ...] | None
    ) -> tuple[list[AuditEvent], int, bool]:
        """Up to `first` matching events older than the matching event marked `after`, newest
        first; with the number of matching events in all, and whether more follow. A mark that
        is no matching event's (hand-made, or of a file rotated away) is InvalidInput on
        `after`."""
        matching = [event for event in self._read() if where.matches(event)]
        matching.reverse()
        total = len(matching)
        if after is not None:
            index = next((i for i, event in enumerate(matching) if event.mark == after), None)
            if index is None:
                raise InvalidInput(
                    "after is not a cursor of this list (or the trail was rotated since): "
                    "start again without it",
                    field="after",
                )
            matching = matching[index + 1 :]
        return matching[:first], total, len(matching) > first

    def _read(self) -> Iterator[AuditEvent]:
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            offset = 0
            for line in handle:
                event = AuditEvent.parse(line, offset)
                if event is not None:
                    yield event
                offset += len(line)


_trail: ContextVar[AuditTrail | None] = ContextVar("audit_trail", default=None)
_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_trail() -> AuditTrail | None:
    return _trail.get()


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def bind(trail: AuditTrail | None, request_id: str) -> Iterator[None]:
    """Answer a request with this trail and request id."""
    trail_token = _trail.set(trail)
    id_token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(id_token)
        _trail.reset(trail_token)
