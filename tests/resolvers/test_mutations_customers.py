"""customerCreate: a new customer, its key unique."""

from __future__ import annotations

from typing import Any

import pytest
from mutation_support import (
    NOT_WRITERS,
    VIEWERS,
    WRITERS,
    forbidden,
    seed,
    stored,
    unchanged,
    user_errors,
)
from support import Answer, ask

from graph.db import Graph

CREATE = """
mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) {
    customer { id key name domain industry region employees }
    userErrors { field message code }
  }
}"""


async def create(graph: Graph, viewer: str = "alliance_manager", **given: Any) -> Answer:
    return await ask(graph, CREATE, {"input": given}, VIEWERS[viewer])


async def test_create_adds_the_customer(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(
        graph,
        key=" C3 ",
        name=" Three ",
        domain="three.example",
        industry="Retail",
        region="APAC",
        employees=0,
    )
    assert user_errors(answer, "customerCreate") == []
    customer = answer.data["customerCreate"]["customer"]
    assert customer | {"id": None} == {
        "id": None,
        "key": "C3",
        "name": "Three",
        "domain": "three.example",
        "industry": "Retail",
        "region": "APAC",
        "employees": 0,
    }
    assert await stored(graph, "Customer", "C3") == [
        {
            "key": "C3",
            "name": "Three",
            "domain": "three.example",
            "industry": "Retail",
            "region": "APAC",
            "employees": 0,
        }
    ]
    found = await ask(
        graph,
        "query($id: ID!) { node(id: $id) { ... on Customer { key } } }",
        {"id": customer["id"]},
    )
    assert found.data == {"node": {"key": "C3"}}


async def test_optional_fields_left_out_or_blank_are_not_stored(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(graph, key="C3", name="Three", domain="  ")
    assert answer.data["customerCreate"]["customer"]["domain"] is None
    assert await stored(graph, "Customer", "C3") == [{"key": "C3", "name": "Three"}]


async def test_a_taken_key_is_a_conflict_and_nothing_changes(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await unchanged(graph, create(graph, key="C1", name="Another one"))
    assert user_errors(answer, "customerCreate") == [("key", "CONFLICT")]
    assert answer.data["customerCreate"]["customer"] is None
    assert (await stored(graph, "Customer", "C1"))[0]["name"] == "One"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"key": ""}, [("key", "REQUIRED")]),
        ({"key": "   "}, [("key", "REQUIRED")]),
        ({"name": " "}, [("name", "REQUIRED")]),
        ({"key": "", "name": ""}, [("key", "REQUIRED"), ("name", "REQUIRED")]),
        ({"employees": -1}, [("employees", "INVALID")]),
    ],
)
async def test_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seed(empty_graph)
    answer = await unchanged(graph, create(graph, **{"key": "C3", "name": "Three", **given}))
    assert user_errors(answer, "customerCreate") == expected


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_writers_may_create_customers(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph)
    forbidden(await unchanged(graph, create(graph, viewer, key="C3", name="Three")))


@pytest.mark.parametrize("viewer", WRITERS)
async def test_writers_may_create_customers(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph)
    assert user_errors(await create(graph, viewer, key="C3", name="Three"), "customerCreate") == []
    assert await stored(graph, "Customer", "C3") == [{"key": "C3", "name": "Three"}]
