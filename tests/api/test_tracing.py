"""OpenTelemetry traces (PARTNERGRAPH_OTEL=true): a span per GraphQL request with a child span
per Cypher query, read here through the SDK's in-memory exporter; nothing of OpenTelemetry is
imported when tracing is off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.testclient import TestClient
from support import ask

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph

ROOT = Path(__file__).resolve().parent.parent.parent
QUERY = "query Lookup($k: String!) { partner(key: $k) { key } }"
KEY = "nobody-3f9a1c"  # the variable's value, which no span may carry
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    """The process's tracer provider (set here when none is), with an in-memory exporter."""
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    exporter.clear()
    yield exporter
    exporter.clear()


async def test_a_request_is_a_span_with_a_child_span_per_cypher_query(
    graph: Graph, settings: Settings, spans: InMemorySpanExporter
) -> None:
    round_trips = (await ask(graph, QUERY, {"k": KEY})).round_trips  # graph.db's own count
    spans.clear()
    traced = settings.model_copy(update={"otel": True})
    token = Tokens(settings).mint("admin")
    with TestClient(create_app(traced)) as client:
        response = client.post(
            "/graphql",
            json={"query": QUERY, "variables": {"k": KEY}},
            headers={
                "Authorization": f"Bearer {token}",
                "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
            },
        )
    assert response.json() == {"data": {"partner": None}}
    finished = list(spans.get_finished_spans())
    [request] = [span for span in finished if span.kind is trace.SpanKind.SERVER]
    queries = [span for span in finished if span.kind is trace.SpanKind.CLIENT]
    assert request.name == "query Lookup"
    assert request.attributes is not None
    assert request.attributes["graphql.operation.name"] == "Lookup"
    assert request.attributes["graphql.operation.type"] == "query"
    assert request.attributes["http.response.status_code"] == 200
    assert request.context is not None
    assert format(request.context.trace_id, "032x") == TRACE_ID  # the caller's trace goes on
    assert len(queries) == round_trips > 0
    for span in queries:
        assert span.parent is not None and span.parent.span_id == request.context.span_id
        assert _within(span, request)
        assert span.name == f"read {settings.neo4j_database}"
        attributes = dict(span.attributes or {})
        assert attributes["db.system"] == "neo4j"
        assert attributes["db.operation"] == "read"
        assert attributes["db.name"] == settings.neo4j_database
        assert "$" in str(attributes["db.statement"])  # the text, with its parameters unfilled
    # the variable's value is in no span
    assert all(KEY not in json.dumps(dict(span.attributes or {})) for span in finished)


def _within(child: ReadableSpan, parent: ReadableSpan) -> bool:
    assert child.start_time and child.end_time and parent.start_time and parent.end_time
    return parent.start_time <= child.start_time <= child.end_time <= parent.end_time


def test_the_settings_turn_tracing_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARTNERGRAPH_OTEL", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().tracing is False
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert Settings().tracing is True
    monkeypatch.setenv("PARTNERGRAPH_OTEL", "false")
    assert Settings().tracing is False
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    monkeypatch.setenv("PARTNERGRAPH_OTEL", "true")
    assert Settings().tracing is True


def test_nothing_of_opentelemetry_is_imported_when_tracing_is_off(settings: Settings) -> None:
    """A process of its own: this one has imported OpenTelemetry for the tests above."""
    script = textwrap.dedent(
        """
        import sys
        from starlette.testclient import TestClient
        from api.app import create_app
        from api.auth import Tokens
        from api.settings import Settings

        settings = Settings(request_log="json", metrics=True)
        assert not settings.tracing
        token = Tokens(settings).mint("admin")
        with TestClient(create_app(settings)) as client:
            answer = client.post(
                "/graphql",
                json={"query": "{ partners(first: 1) { totalCount } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
            assert client.get("/metrics").status_code == 200
        loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
        print("loaded:", loaded)
        """
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PARTNERGRAPH_OTEL", "OTEL_EXPORTER_OTLP_ENDPOINT")
    }
    environment["NEO4J_URI"] = settings.bolt_uri
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded: []"
