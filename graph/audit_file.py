"""The audit trail's optional copy for log shipping: one JSON line per committed event,
appended to a file (PARTNERGRAPH_AUDIT_LOG).

Each batch of lines is written with one `write` on a file opened for appending (once, and
again when it was rotated away), so the lines of several writers given the same file never
interleave (on a local disk; NFS does not promise it), and a rotated file is left behind
whole while a new one is started.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.audit import AuditEvent


def line(event: AuditEvent) -> bytes:
    fields = {
        "at": event.at.isoformat(),
        "requestId": event.request_id,
        "subject": event.subject,
        "role": event.role,
        "viewer": event.viewer,
        "operation": event.operation,
        "partners": list(event.partners),
        "allowed": event.allowed,
    }
    return (json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class AuditFile:
    """A JSON-lines file that `append` adds whole lines to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._inode = -1
        self._lock = threading.Lock()  # a reopen is not raced by another thread's write

    def append(self, events: Iterable[AuditEvent]) -> None:
        lines = b"".join(line(event) for event in events)
        with self._lock:
            os.write(self._open(), lines)  # one write: appended lines are never interleaved

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
