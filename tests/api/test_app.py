"""The served application: health and GraphQL over HTTP."""

from __future__ import annotations

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


def test_health_says_neo4j_is_up(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "neo4j": "up"}


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


def test_the_app_will_not_start_without_neo4j(settings: Settings) -> None:
    unreachable = settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:9"})
    with pytest.raises(Exception, match="cannot reach Neo4j"), TestClient(create_app(unreachable)):
        pass
