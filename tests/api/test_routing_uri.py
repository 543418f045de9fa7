"""The API runs unchanged through a routing URI (`neo4j://`), as against a cluster or Aura: the
driver asks the server for its routing table and sends reads to readers, writes to the writer.
Neo4j Community answers a routing request with itself, so the local test instance serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from neo4j import AsyncNeo4jDriver
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph
from resolvers.node import encode_id

KEY = "ROUTED-1"
PARTNER = "query($key: String!) { partner(key: $key) { key name tier } }"
CREATE = """mutation($input: PartnerCreateInput!) { partnerCreate(input: $input) {
  partner { key name } userErrors { field message code } } }"""
UPDATE = """mutation($input: PartnerUpdateInput!) { partnerUpdate(input: $input) {
  partner { key name tier } userErrors { field message code } } }"""


@pytest.fixture(scope="module")
def routed(settings: Settings) -> Settings:
    """The test settings with the same server reached through `neo4j://`."""
    where = urlsplit(settings.bolt_uri)
    if where.scheme.startswith("neo4j"):  # NEO4J_URI routes already (a cluster, Aura)
        return settings
    return settings.model_copy(update={"neo4j_uri": f"neo4j://{where.hostname}:{where.port}"})


@pytest.fixture
async def cleaned(graph: Graph) -> AsyncIterator[None]:
    yield
    await graph.write("MATCH (p:Partner {key: $key}) DETACH DELETE p", {"key": KEY})


@pytest.fixture
def client(routed: Settings, cleaned: None) -> Iterator[TestClient]:
    with TestClient(create_app(routed)) as client:
        client.headers["Authorization"] = f"Bearer {Tokens(routed).mint('admin')}"
        yield client


def _ask(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_the_routing_uri_makes_a_routing_driver(routed: Settings) -> None:
    graph = routed.connect()
    try:
        assert routed.bolt_uri.startswith("neo4j://")
        assert isinstance(graph.driver, AsyncNeo4jDriver)  # one that asks for routing tables
        await graph.verify()
    finally:
        await graph.close()


def test_a_read_a_write_and_reading_the_write_through_a_routing_uri(client: TestClient) -> None:
    assert _ask(client, PARTNER, key=KEY)["partner"] is None
    made = {"key": KEY, "name": "Routed", "type": "RESELLER", "tier": "SILVER"}
    created = _ask(client, CREATE, input=made)["partnerCreate"]
    assert created == {"partner": {"key": KEY, "name": "Routed"}, "userErrors": []}
    assert _ask(client, PARTNER, key=KEY)["partner"] == {
        "key": KEY,
        "name": "Routed",
        "tier": "SILVER",
    }
    change = {"partner": encode_id("Partner", KEY), "name": "Routed again", "tier": "GOLD"}
    updated = _ask(client, UPDATE, input=change)["partnerUpdate"]
    assert updated["userErrors"] == []
    # Read right after the write, as a reader: the process's bookmarks make it see the write.
    assert _ask(client, PARTNER, key=KEY)["partner"] == {
        "key": KEY,
        "name": "Routed again",
        "tier": "GOLD",
    }
