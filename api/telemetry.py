"""Each request as operations see it: how long it took, the GraphQL operation it ran and its
outcome, who asked, and the queries it sent to Neo4j (their number and time).

`Telemetry`, an ASGI middleware inside the request-id one, times each request and counts its
Neo4j queries (graph.db's `RoundTrips`); the GraphQL endpoint fills in the operation, the role
and the outcome on the request's `Seen`. At the end the figures go to what is turned on: the
metrics (api/metrics.py), the request log (api/request_log.py), the trace (api/tracing.py).
With all three off there is no middleware; the endpoint's notes then fall on a throwaway `Seen`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import Metrics
from api.request_log import RequestLog
from api.settings import Settings
from api.tracing import Tracing
from graph import audit
from graph.db import Graph, RoundTrips

ANONYMOUS = "anonymous"  # a request whose operation has no name, or whose document was not read
OK = "ok"
# Error codes as outcomes: the masked internal error by a shorter name, the others as they are.
OUTCOMES = {"INTERNAL_SERVER_ERROR": "INTERNAL"}


@dataclass
class Seen:
    """One request's figures; the endpoint sets operation, kind, role and outcome."""

    method: str = ""
    path: str = ""
    operation: str = ANONYMOUS
    kind: str = ""  # query or mutation, once the operation is picked
    role: str | None = None
    outcome: str | None = None  # set for a GraphQL answer only: "ok" or its first error's code
    status: int = 500  # until the response starts
    seconds: float = 0.0
    round_trips: int = 0
    neo4j_seconds: float = 0.0


_seen: ContextVar[Seen | None] = ContextVar("seen", default=None)


def current() -> Seen:
    """The request's `Seen`, or a throwaway one when nothing observes requests."""
    return _seen.get() or Seen()


def outcome(payload: dict[str, Any]) -> str:
    """A GraphQL answer's outcome: ok, or the code of its first error."""
    errors = payload.get("errors")
    if not errors:
        return OK
    code = str(errors[0].get("extensions", {}).get("code", "INTERNAL"))
    return OUTCOMES.get(code, code)


class Telemetry:
    """ASGI middleware: a `Seen` and a `RoundTrips` per HTTP request, handed on at its end."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics | None,
        log: RequestLog | None,
        tracing: Tracing | None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = Seen(method=scope["method"], path=scope["path"])

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            await send(message)

        tracing = self.tracing
        span = tracing.request(scope, seen) if tracing else contextlib.nullcontext()
        trips = RoundTrips(tracing.cypher if tracing else None)
        token = _seen.set(seen)
        began = time.perf_counter()
        try:
            with span, trips:
                await self.app(scope, receive, send_status)
        finally:
            seen.seconds = time.perf_counter() - began
            _seen.reset(token)
            seen.round_trips, seen.neo4j_seconds = trips.count, trips.seconds
            if self.metrics:
                self.metrics.observe(seen)
            if self.log:
                self.log.write(seen, audit.current_request_id())


def observability(
    settings: Settings, graph_of: Callable[[], Graph | None], trail: object
) -> tuple[list[Route], list[Middleware]]:
    """The routes (GET /metrics) and middleware that the settings turn on."""
    metrics = Metrics(graph_of, trail) if settings.metrics_served else None
    log = RequestLog() if settings.request_log == "json" else None
    tracing = Tracing.configure(settings) if settings.tracing else None
    routes = [Route("/metrics", metrics.endpoint)] if metrics else []
    if not (metrics or log or tracing):
        return routes, []
    return routes, [Middleware(Telemetry, metrics=metrics, log=log, tracing=tracing)]
