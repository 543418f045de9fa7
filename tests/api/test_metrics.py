"""GET /metrics: Prometheus text from the app's own registry; requests by operation and outcome,
their latency, Neo4j round trips and time per request, the pool in use, the audit trail's
counts and the build; served in development, and in production only with PARTNERGRAPH_METRICS."""

from __future__ import annotations

import platform
from collections.abc import AsyncIterator, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.testclient import TestClient
from support import ask, wipe, write_holders

from api.app import create_app
from api.auth import Tokens
from api.graphql_http import GraphQLEndpoint
from api.metrics import MAX_NAME, MAX_NAMES, Metrics
from api.settings import Settings
from api.telemetry import Telemetry
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id
from resolvers.schema import schema

CARD = "query Card($k: String!) { partner(key: $k) { key name accounts(first: 5) { totalCount nodes { customer { key } } } } }"
REQUESTS = "partnergraph_graphql_requests_total"
STRONG = "s" * 32


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    folder = tmp_path_factory.mktemp("bundle")
    write_holders(folder, "PQ", {"c0": ["P"], "c1": ["P"], "c2": ["Q"]})
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield
    await wipe(graph)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def token(settings: Settings, role: str = "admin", partner: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(settings).mint(role, partner)}"}


def scrape(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of GET /metrics, by name and labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_each_outcome_is_counted_under_its_operation(
    world: None, client: TestClient, settings: Settings
) -> None:
    # 100 partners x 100 accounts each: past the cost limit
    wide = "query Wide { partners(first: 100) { nodes { accounts(first: 100) { nodes { customer { key } } } } } }"
    nobody = encode_id("Partner", "nobody")
    asked: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        ("Card", "ok", {"query": CARD, "variables": {"k": "P"}}, token(settings)),
        ("anonymous", "ok", {"query": "{ __typename }"}, token(settings)),
        (
            "Bad",
            "BAD_USER_INPUT",
            {"query": "query Bad { partner(key: 1) { key } }"},
            token(settings),
        ),
        (
            "Trail",
            "FORBIDDEN",
            {"query": "query Trail { auditEvents(first: 1) { totalCount } }"},
            token(settings, "marketer"),
        ),
        ("anonymous", "UNAUTHENTICATED", {"query": CARD, "variables": {"k": "P"}}, {}),
        (
            "Overlap",
            "NOT_FOUND",
            {
                "query": "query Overlap($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count } }",
                "variables": {"a": nobody, "b": nobody},
            },
            token(settings),
        ),
        ("Wide", "QUERY_TOO_COMPLEX", {"query": wide}, token(settings)),
        (
            "anonymous",
            "BAD_REQUEST",
            {"query": CARD, "operationName": "Card", "variables": [1]},
            token(settings),
        ),
        ("Missing", "BAD_REQUEST", {"query": CARD, "operationName": "Missing"}, token(settings)),
    ]
    for operation, outcome, body, headers in asked:
        before = value(scrape(client), REQUESTS, operation=operation, outcome=outcome)
        response = client.post("/graphql", json=body, headers=headers)
        codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
        assert codes[:1] == ([] if outcome == "ok" else [outcome]), (operation, response.json())
        after = value(scrape(client), REQUESTS, operation=operation, outcome=outcome)
        assert after == before + 1, (operation, outcome)


async def test_an_unreachable_or_failing_database_is_counted_as_such(
    graph: Graph, settings: Settings
) -> None:
    """SERVICE_UNAVAILABLE and the masked INTERNAL, through the endpoint behind the middleware."""
    down = Graph.connect("bolt://127.0.0.1:9", "neo4j", "", "neo4j", retry_seconds=0.2)
    broken = Graph(graph.driver, database="no-such-database")
    try:
        for failing, outcome in ((down, "SERVICE_UNAVAILABLE"), (broken, "INTERNAL")):
            metrics = Metrics(lambda failing=failing: failing, trail=None)
            endpoint = GraphQLEndpoint(schema, Tokens(settings), lambda f=failing: f, ide=False)
            app = Starlette(
                routes=[
                    Route("/graphql", endpoint, methods=["POST"]),
                    Route("/metrics", metrics.endpoint),
                ],
                middleware=[Middleware(Telemetry, metrics=metrics, log=None, tracing=None)],
            )
            with TestClient(app) as client:
                query = "query Count { partners(first: 1) { totalCount } }"
                client.post("/graphql", json={"query": query}, headers=token(settings))
                samples = scrape(client)
            assert value(samples, REQUESTS, operation="Count", outcome=outcome) == 1
            assert value(samples, "partnergraph_neo4j_round_trips_per_request_count") == 1
    finally:
        await down.close()


async def test_histograms_observe_each_request_and_its_round_trips(
    world: None, graph: Graph, client: TestClient, settings: Settings
) -> None:
    expected = (await ask(graph, CARD, {"k": "P"})).round_trips
    assert expected > 0
    before = scrape(client)
    response = client.post(
        "/graphql", json={"query": CARD, "variables": {"k": "P"}}, headers=token(settings)
    )
    assert response.json()["data"]["partner"]["accounts"]["totalCount"] == 2
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("partnergraph_graphql_request_duration_seconds_count", operation="Card") == 1
    assert grew("partnergraph_graphql_request_duration_seconds_sum", operation="Card") > 0
    assert grew("partnergraph_neo4j_round_trips_per_request_count") == 1
    assert grew("partnergraph_neo4j_round_trips_per_request_sum") == expected
    # the request falls in the first bucket that holds its round trips
    buckets = [
        float(dict(labels)["le"])
        for name, labels in after
        if name == "partnergraph_neo4j_round_trips_per_request_bucket"
    ]
    for bound in buckets:
        moved = grew("partnergraph_neo4j_round_trips_per_request_bucket", le=_le(bound))
        assert moved == (1 if bound >= expected else 0), bound
    assert grew("partnergraph_neo4j_seconds_per_request_count") == 1
    assert grew("partnergraph_neo4j_seconds_per_request_sum") > 0


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


def test_health_and_the_metrics_themselves_are_not_graphql_requests(client: TestClient) -> None:
    before = scrape(client)
    client.get("/healthz")
    after = scrape(client)
    assert value(after, "partnergraph_neo4j_round_trips_per_request_count") == value(
        before, "partnergraph_neo4j_round_trips_per_request_count"
    )
    requests = {key: v for key, v in after.items() if key[0] == REQUESTS}
    assert requests == {key: v for key, v in before.items() if key[0] == REQUESTS}


def test_build_pool_and_process_series(client: TestClient) -> None:
    samples = scrape(client)
    build = {
        "version": version("partnergraph"),
        "python": platform.python_version(),
        "neo4j_driver": version("neo4j"),
    }
    assert value(samples, "partnergraph_build_info", **build) == 1
    assert value(samples, "partnergraph_neo4j_sessions_open") == 0  # nothing runs while scraped
    assert ("partnergraph_neo4j_sessions_open", frozenset()) in samples
    assert value(samples, "process_resident_memory_bytes") > 0


class Trail:
    written = 7
    pending = 2


async def test_the_pool_and_audit_gauges_read_their_sources(graph: Graph) -> None:
    counted = Metrics(lambda: graph, trail=Trail())
    bare = Metrics(lambda: None, trail=object())  # a trail without counts, no graph yet

    def reading(metrics: Metrics, name: str) -> float | None:
        return metrics.registry.get_sample_value(name)

    assert reading(counted, "partnergraph_audit_events_written") == 7
    assert reading(counted, "partnergraph_audit_events_pending") == 2
    assert reading(bare, "partnergraph_audit_events_written") == 0
    assert reading(bare, "partnergraph_audit_events_pending") == 0
    assert reading(bare, "partnergraph_neo4j_sessions_open") == 0
    from neo4j import READ_ACCESS

    async with graph._session(READ_ACCESS):
        assert reading(counted, "partnergraph_neo4j_sessions_open") == graph.sessions_open >= 1


def test_operation_names_are_bounded() -> None:
    metrics = Metrics(lambda: None, trail=None)
    assert metrics.label("x" * MAX_NAME) == "x" * MAX_NAME
    assert metrics.label("x" * (MAX_NAME + 1)) == "other"
    names = [f"Op{i}" for i in range(MAX_NAMES + 5)]
    labels = [metrics.label(name) for name in names]
    # the long name above took one of the places; anonymous and other take none
    assert labels[: MAX_NAMES - 1] == names[: MAX_NAMES - 1]
    assert set(labels[MAX_NAMES - 1 :]) == {"other"}
    assert metrics.label("anonymous") == "anonymous"
    assert metrics.label("Op3") == "Op3"  # a name already counted keeps its label


def test_each_app_has_its_own_registry(settings: Settings) -> None:
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        first.post("/graphql", json={"query": "query Lone { __typename }"}, headers=token(settings))
        assert value(scrape(first), REQUESTS, operation="Lone", outcome="ok") == 1
        assert value(scrape(second), REQUESTS, operation="Lone", outcome="ok") == 0


@pytest.mark.parametrize(
    ("changes", "served"),
    [
        ({}, True),
        ({"metrics": False}, False),
        ({"env": "production", "token_secret": STRONG}, False),
        ({"env": "production", "token_secret": STRONG, "metrics": True}, True),
    ],
)
def test_production_serves_metrics_only_when_asked(
    settings: Settings, tmp_path: Path, changes: dict[str, Any], served: bool
) -> None:
    from pydantic import SecretStr

    if "token_secret" in changes:
        changes["token_secret"] = SecretStr(changes["token_secret"])
    settings = settings.model_copy(update=changes)
    with TestClient(create_app(settings)) as client:
        response = client.get("/metrics")
        assert response.status_code == (200 if served else 404)
        answered = client.post(
            "/graphql", json={"query": "{ __typename }"}, headers=token(settings)
        )
        assert answered.status_code == 200


def test_the_metrics_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERGRAPH_ENV", "production")
    assert Settings().metrics_served is False
    monkeypatch.setenv("PARTNERGRAPH_METRICS", "true")
    assert Settings().metrics_served is True
    monkeypatch.setenv("PARTNERGRAPH_METRICS", "")  # as docker-compose passes an unset one
    assert Settings().metrics_served is False
    monkeypatch.setenv("PARTNERGRAPH_ENV", "development")
    assert Settings().metrics_served is True
