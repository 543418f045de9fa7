"""The served application: health and GraphQL over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support import write_csv

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph
from graph.ingest.load import import_bundle


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def test_health_says_the_process_is_alive_and_readiness_that_neo4j_is_up(
    client: TestClient,
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "neo4j": "up"})


async def test_a_partner_can_be_looked_up_by_key(
    empty_graph: Graph, tmp_path: Path, client: TestClient, settings: Settings
) -> None:
    write_csv(
        tmp_path, "partners.csv", [["P1", "Ünïcode, Ltd", "OEM", "GOLD", "", "", "a;b", "", ""]]
    )
    await import_bundle(empty_graph, tmp_path)
    query = (
        '{ partner(key: "P1") { key name tier industries } missing: partner(key: "nope") { key } }'
    )
    token = Tokens(settings).mint("admin")
    response = client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {
        "partner": {"key": "P1", "name": "Ünïcode, Ltd", "tier": "GOLD", "industries": ["a", "b"]},
        "missing": None,
    }


def test_the_app_starts_without_neo4j_and_says_it_is_not_ready(settings: Settings) -> None:
    unreachable = settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:9"})
    with TestClient(create_app(unreachable)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "unavailable", "neo4j": "down"},
        )
        token = Tokens(settings).mint("admin")
        began = time.monotonic()
        answer = client.post(
            "/graphql",
            json={"query": "{ partners { totalCount } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert time.monotonic() - began <= 2.0
        assert answer.status_code == 503 and answer.headers["retry-after"]
        assert [e["extensions"]["code"] for e in answer.json()["errors"]] == ["SERVICE_UNAVAILABLE"]
