"""One JSON line per HTTP request on the `partnergraph.requests` logger, which writes to stderr
(PARTNERGRAPH_REQUEST_LOG=json):

  {"at": "2026-12-08T00:31:02.118+00:00", "requestId": "…", "method": "POST",
   "path": "/graphql", "operation": "PartnerCard", "outcome": "ok", "role": "admin",
   "status": 200, "durationMs": 4.21, "neo4jRoundTrips": 2, "neo4jMs": 1.87}

`operation`, `outcome` and `role` are null where the request ran no GraphQL operation or gave
no token; an operation name is cut to 64 characters.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.telemetry import Seen

LOGGER = "partnergraph.requests"
MAX_NAME = 64


class _ToStderr(logging.StreamHandler):
    """The lines as they are, on stderr."""


def _logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(handler, _ToStderr) for handler in logger.handlers):
        handler = _ToStderr(sys.stderr)  # once per process, however many apps it builds
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the line is written once, not again by a root handler
    return logger


class RequestLog:
    def __init__(self) -> None:
        self.logger = _logger()

    def write(self, seen: Seen, request_id: str) -> None:
        graphql = seen.outcome is not None
        line = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "requestId": request_id,
            "method": seen.method,
            "path": seen.path,
            "operation": seen.operation[:MAX_NAME] if graphql else None,
            "outcome": seen.outcome,
            "role": seen.role,
            "status": seen.status,
            "durationMs": round(seen.seconds * 1000, 3),
            "neo4jRoundTrips": seen.round_trips,
            "neo4jMs": round(seen.neo4j_seconds * 1000, 3),
        }
        self.logger.info(json.dumps(line, separators=(",", ":")))
