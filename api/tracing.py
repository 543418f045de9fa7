"""OpenTelemetry traces, when configured (OTEL_EXPORTER_OTLP_ENDPOINT or PARTNERGRAPH_OTEL=true):
a server span per HTTP request, named after its GraphQL operation ("query PartnerCard"), and
inside it a client span per Cypher query (db.system=neo4j, db.name, db.operation "read" or
"write", db.statement: the query text, never its parameters).

The spans go to the process's tracer provider when one is set (by `opentelemetry-instrument`, or
by the code that builds the app); otherwise the app sets one exporting over OTLP/HTTP to
OTEL_EXPORTER_OTLP_ENDPOINT (the exporter's default, http://localhost:4318, without it). An
incoming `traceparent` header is continued. OpenTelemetry (`pip install 'partnergraph[otel]'`)
is imported here only, and only when tracing is on: off, it costs nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

if TYPE_CHECKING:
    from api.settings import Settings
    from api.telemetry import Seen

SERVICE = "partnergraph"


class Tracing:
    def __init__(self, tracer: Any, database: str) -> None:
        from opentelemetry import propagate, trace

        self.tracer = tracer
        self.database = database
        self._extract = propagate.extract
        self._server = trace.SpanKind.SERVER
        self._client = trace.SpanKind.CLIENT

    @classmethod
    def configure(cls, settings: Settings) -> Tracing:
        from api.settings import Misconfigured

        try:
            from opentelemetry import trace
        except ImportError:
            raise Misconfigured(
                "tracing is on (PARTNERGRAPH_OTEL or OTEL_EXPORTER_OTLP_ENDPOINT) but "
                "OpenTelemetry is not installed: pip install 'partnergraph[otel]'"
            ) from None
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            trace.set_tracer_provider(_otlp_provider())
        return cls(trace.get_tracer("partnergraph"), settings.neo4j_database)

    @contextlib.contextmanager
    def request(self, scope: Scope, seen: Seen) -> Iterator[None]:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        with self.tracer.start_as_current_span(
            f"{seen.method} {seen.path}", context=self._extract(headers), kind=self._server
        ) as span:
            yield
            span.set_attribute("http.request.method", seen.method)
            span.set_attribute("url.path", seen.path)
            span.set_attribute("http.response.status_code", seen.status)
            if seen.outcome is not None:
                span.update_name(f"{seen.kind or 'graphql'} {seen.operation}")
                span.set_attribute("graphql.operation.name", seen.operation)
                span.set_attribute("graphql.operation.type", seen.kind)
                span.set_attribute("partnergraph.outcome", seen.outcome)
            if seen.role:
                span.set_attribute("partnergraph.role", seen.role)

    def cypher(self, query: str, operation: str) -> contextlib.AbstractContextManager[object]:
        """A query's span, a child of the request's (graph.db's `RoundTrips` opens it)."""
        return self.tracer.start_as_current_span(
            f"{operation} {self.database}",
            kind=self._client,
            attributes={
                "db.system": "neo4j",
                "db.name": self.database,
                "db.operation": operation,
                "db.statement": query,
            },
        )


def _otlp_provider() -> Any:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = os.environ.get("OTEL_SERVICE_NAME") or SERVICE
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider
