"""What a hostile partner-scoped caller tried in-process, and what must hold: a refusal nulls one
field, not the answer around it; a cursor tampered with is BAD_USER_INPUT, never an internal
error."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from support import ask, partner_viewer

from graph.db import Graph
from resolvers.node import encode_id


async def test_another_partners_deals_null_that_field_not_the_list_around_it(
    seeded: Graph,
) -> None:
    # P2 may see P1's partner node (the directory) but not its deals.
    query = "{ partners(first: 3) { nodes { key deals { totalCount } } } }"
    answer = await ask(seeded, query, viewer=partner_viewer("P2"))
    assert answer.codes == ["FORBIDDEN", "FORBIDDEN"]
    nodes = answer.data["partners"]["nodes"]
    assert nodes[0] == {"key": "P1", "deals": None}
    assert nodes[1] == {"key": "P2", "deals": {"totalCount": 0}}
    assert answer.errors[0]["path"] == ["partners", "nodes", 0, "deals"]


def tampered(cursor: str, values: list[Any]) -> str:
    """The cursor's signature with other values after it."""
    signature = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[0]
    raw = json.dumps([signature, *values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ACCOUNTS = """query($after: String) { partner(key: "P1") {
  accounts(first: 1, after: $after) { nodes { customer { key } } pageInfo { endCursor } } } }"""
CUSTOMERS = """query($after: String) { customers(first: 1, after: $after,
  orderBy: {field: EMPLOYEES}) { nodes { key } pageInfo { endCursor } } }"""


@pytest.mark.parametrize(
    "value", [{"key": "C1"}, ["C1"], True, 1e999, float("nan"), 2**63, -(2**63) - 1]
)
async def test_a_cursor_whose_values_are_not_sort_values_is_refused(
    seeded: Graph, value: Any
) -> None:
    for query, size, path in [
        (ACCOUNTS, 1, ("partner", "accounts")),
        (CUSTOMERS, 2, ("customers",)),
    ]:
        page = (await ask(seeded, query)).data
        for step in path:
            page = page[step]
        after = tampered(page["pageInfo"]["endCursor"], [value] * size)
        answer = await ask(seeded, query, {"after": after})
        assert answer.codes == ["BAD_USER_INPUT"], answer.errors
        assert answer.errors[0]["extensions"]["field"] == "after"


@pytest.mark.parametrize(
    "query",
    [
        "{ " + " ".join(["partners { totalCount }"] * 1000) + " }",
        "{ ...F } fragment F on Query { " + " ".join(["__typename"] * 4000) + " }",
    ],
)
async def test_a_document_too_costly_to_validate_says_so(graph: Graph, query: str) -> None:
    answer = await ask(graph, query)
    assert answer.codes == ["QUERY_TOO_COMPLEX"], answer.errors
    assert "too complex to validate" in answer.errors[0]["message"]


NESTED_PAGES = """query($n: Int = 100) { partners(first: $n) { nodes {
  accounts(first: $n) { nodes { customer { key } } } } } }"""


async def test_a_page_size_from_a_variables_default_counts_against_the_cost_limit(
    graph: Graph,
) -> None:
    # 100 partners x 100 accounts: 30,000 fields, whether $n is sent or left to its default.
    for variables in ({"n": 100}, None):
        answer = await ask(graph, NESTED_PAGES, variables)
        assert answer.codes == ["QUERY_TOO_COMPLEX"], (variables, answer.errors)


BY_IDS = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Partner {
  accounts(first: 100) { nodes { customer { partners(first: 7) { nodes { partner { key } } } } } }
} } }"""


async def test_nodes_counts_every_id_against_the_cost_limit(graph: Graph) -> None:
    # 100 partners x 100 accounts x 7 of their customers' partners: 240,000 fields, not 24,000.
    ids = [encode_id("Partner", f"P{n}") for n in range(100)]
    answer = await ask(graph, BY_IDS, {"ids": ids})
    assert answer.codes == ["QUERY_TOO_COMPLEX"], answer.errors


async def test_a_refused_id_is_echoed_only_by_its_start(graph: Graph) -> None:
    # About 10,700 characters each (an ID may hold 12,000): an unknown type, and another type's.
    variables = {"id": encode_id("Nothing", "k" * 8000), "b": encode_id("Customer", "k" * 8000)}
    query = "query($id: ID!, $b: ID!) { node(id: $id) { id } overlap(a: $b, b: $b) { count } }"
    answer = await ask(graph, query, variables)
    assert answer.codes == ["BAD_USER_INPUT", "BAD_USER_INPUT"], answer.errors
    assert all(len(error["message"]) < 200 for error in answer.errors), answer.errors
