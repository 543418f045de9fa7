"""Over HTTP, a JSON body may carry what GraphQL values cannot: Python's json accepts NaN and
Infinity tokens, and "\\ud800" is valid JSON. Each is BAD_USER_INPUT naming the field, and
nothing is written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from support import dump, wipe

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph
from resolvers.node import encode_id

SEED = """
CREATE (:Partner {key: 'P1', name: 'One', nameLower: 'one', type: 'RESELLER', tier: 'GOLD'}),
       (:Customer {key: 'C1', name: 'Acme', nameLower: 'acme'})
"""
REGISTER = "mutation($input: DealRegisterInput!) { dealRegister(input: $input) { deal { key } } }"
AMOUNT = (
    "mutation($a: Float, $p: ID!, $c: ID!) {"
    " dealRegister(input: {partner: $p, customer: $c, amount: $a}) { deal { key } } }"
)
CUSTOMER = (
    "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { key } } }"
)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def admin(settings: Settings) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {Tokens(settings).mint('admin')}",
        "Content-Type": "application/json",
    }


@pytest.fixture
async def seeded(empty_graph: Graph) -> AsyncIterator[Graph]:
    await empty_graph.write(SEED)
    yield empty_graph
    await wipe(empty_graph)


def refused(response: Any, field: str) -> None:
    body = response.json()
    assert response.status_code == 200, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["field"] == field
    assert field in body["errors"][0]["message"]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_json_tokens_are_refused(
    client: TestClient, admin: dict[str, str], seeded: Graph, token: str
) -> None:
    partner, customer = encode_id("Partner", "P1"), encode_id("Customer", "C1")
    ids = f'"p": "{partner}", "c": "{customer}"'
    before = await dump(seeded)
    given = f'{{"partner": "{partner}", "customer": "{customer}", "amount": {token}}}'
    inline = f'{{"query": "{REGISTER}", "variables": {{"input": {given}}}}}'
    refused(client.post("/graphql", content=inline, headers=admin), "input.amount")
    alone = f'{{"query": "{AMOUNT}", "variables": {{"a": {token}, {ids}}}}}'
    refused(client.post("/graphql", content=alone, headers=admin), "input.amount")
    assert await dump(seeded) == before


@pytest.mark.parametrize(
    ("escaped", "field"),
    [("a\\ud800b", "input.name"), ("a\\u0000b", "input.name"), ("x" * 9000, "input.name")],
)
async def test_broken_strings_in_json_are_refused(
    client: TestClient, admin: dict[str, str], seeded: Graph, escaped: str, field: str
) -> None:
    before = await dump(seeded)
    body = (
        f'{{"query": "{CUSTOMER}", "variables": {{"input": {{"key": "C9", "name": "{escaped}"}}}}}}'
    )
    refused(client.post("/graphql", content=body, headers=admin), field)
    assert await dump(seeded) == before


def test_a_body_over_the_limit_is_413_before_it_is_read_whole(
    client: TestClient, admin: dict[str, str]
) -> None:
    from api.graphql_http import MAX_BODY

    padding = " " * MAX_BODY
    body = '{"query": "{ __typename }"' + padding + "}"
    response = client.post("/graphql", content=body, headers=admin)
    assert response.status_code == 413, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert f"{MAX_BODY:,} bytes" in response.json()["errors"][0]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is counted as it comes
        yield b'{"query": "{ __typename }"'
        for _ in range(MAX_BODY // 65536 + 1):
            yield b" " * 65536
        yield b"}"

    streamed = client.post("/graphql", content=chunks(), headers=admin)
    assert streamed.status_code == 413, streamed.text


def test_a_query_text_over_the_limit_is_413(client: TestClient, admin: dict[str, str]) -> None:
    from api.graphql_http import MAX_QUERY

    fits = "{ __typename }" + "#" * (MAX_QUERY - 20)
    assert client.post("/graphql", json={"query": fits}, headers=admin).status_code == 200
    long = "{ __typename }" + "#" * MAX_QUERY
    response = client.post("/graphql", json={"query": long}, headers=admin)
    assert response.status_code == 413, response.text
    assert "at most 100,000" in response.json()["errors"][0]["message"]
