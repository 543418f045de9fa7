"""The API's metrics in Prometheus' text format (GET /metrics), from one registry per app.

Series (every name starts `partnergraph_`):
  graphql_requests_total{operation, outcome}       counter: GraphQL requests answered
  graphql_request_duration_seconds{operation}      histogram: from the request to its answer
  neo4j_round_trips_per_request                     histogram: queries sent to Neo4j per request
  neo4j_seconds_per_request                         histogram: the time those queries took
  neo4j_sessions_open                               gauge: sessions open, the driver's pool in use
  audit_events_written, audit_events_pending       gauges: the audit trail's counts
  build_info{version, python, neo4j_driver}         the running build
and the process' own (process_cpu_seconds_total, process_resident_memory_bytes, python_gc_*).

An operation is named by the document's operation name ("anonymous" without one); a name over
64 characters, or one past the first 200 distinct names, is counted as "other", so a client
cannot grow the series without bound.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import Response

from graph.db import Graph

if TYPE_CHECKING:
    from api.telemetry import Seen

MAX_NAME = 64
MAX_NAMES = 200
OTHER = "other"
UNNAMED = frozenset({"anonymous", OTHER})  # labels that take no place among the 200
ROUND_TRIP_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64)
# Seconds, up to a request's whole budget (PARTNERGRAPH_REQUEST_SECONDS, 30 by default).
SECONDS_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _reader(source: object, count: str) -> Callable[[], float]:
    """A gauge's reading: `source.count`, or 0 when it keeps no such count."""
    return lambda: getattr(source, count, 0)


class Metrics:
    def __init__(self, graph_of: Callable[[], Graph | None], trail: object) -> None:
        self.registry = registry = CollectorRegistry()
        self._names: set[str] = set()
        self.requests = Counter(
            "partnergraph_graphql_requests",
            "GraphQL requests answered, by operation name and outcome (ok or the error code)",
            ["operation", "outcome"],
            registry=registry,
        )
        self.duration = Histogram(
            "partnergraph_graphql_request_duration_seconds",
            "Time from a GraphQL request to its answer, by operation name",
            ["operation"],
            buckets=SECONDS_BUCKETS,
            registry=registry,
        )
        self.round_trips = Histogram(
            "partnergraph_neo4j_round_trips_per_request",
            "Queries sent to Neo4j while answering one GraphQL request",
            buckets=ROUND_TRIP_BUCKETS,
            registry=registry,
        )
        self.neo4j_seconds = Histogram(
            "partnergraph_neo4j_seconds_per_request",
            "Time spent in Neo4j queries while answering one GraphQL request, summed over them "
            "(queries sent side by side can add up to more than the request took)",
            buckets=SECONDS_BUCKETS,
            registry=registry,
        )

        def sessions_open() -> float:
            graph = graph_of()
            return graph.sessions_open if graph else 0

        gauge = Gauge(
            "partnergraph_neo4j_sessions_open",
            "Neo4j sessions open, each holding at most one pooled connection: the pool in use",
            registry=registry,
        )
        gauge.set_function(sessions_open)
        for count in ("written", "pending"):
            gauge = Gauge(
                f"partnergraph_audit_events_{count}",
                f"Audit events {count} by this process's audit trail",
                registry=registry,
            )
            gauge.set_function(_reader(trail, count))
        Info("partnergraph_build", "The running build", registry=registry).info(
            {
                "version": _version("partnergraph"),
                "python": platform.python_version(),
                "neo4j_driver": _version("neo4j"),
            }
        )
        ProcessCollector(registry=registry)
        GCCollector(registry=registry)

    def label(self, operation: str) -> str:
        """The operation's label: its name, or "other" past the length or the count bound."""
        if operation in self._names or operation in UNNAMED:
            return operation
        if len(operation) > MAX_NAME or len(self._names) >= MAX_NAMES:
            return OTHER
        self._names.add(operation)
        return operation

    def observe(self, seen: Seen) -> None:
        if seen.outcome is None:  # not a GraphQL answer (health, the map page, these metrics)
            return
        operation = self.label(seen.operation)
        self.requests.labels(operation, seen.outcome).inc()
        self.duration.labels(operation).observe(seen.seconds)
        self.round_trips.observe(seen.round_trips)
        self.neo4j_seconds.observe(seen.neo4j_seconds)

    async def endpoint(self, request: Request) -> Response:
        """The text format a scraper asks for (OpenMetrics or Prometheus' own, 0.0.4 by default)."""
        encode, media = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(self.registry), headers={"Content-Type": media})
