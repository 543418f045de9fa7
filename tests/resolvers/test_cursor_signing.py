"""A cursor is good only under what it was made under: the same connection, parent, filter and
order. Anywhere else it is BAD_USER_INPUT naming `after`, not a wrong page."""

from __future__ import annotations

from typing import Any

import pytest
from schema_walk import named, places
from support import ask

from graph.db import Graph
from graph.paging import encode_cursor

PARTNERS = """query($first: Int, $after: String, $filter: PartnerFilter, $orderBy: PartnerOrder) {
  partners(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    nodes { key } pageInfo { endCursor } } }"""
CUSTOMERS = "query { customers(first: 1) { pageInfo { endCursor } } }"
ACCOUNTS = """query($key: String!, $after: String, $statuses: [AccountStatus!]) {
  partner(key: $key) { accounts(first: 1, after: $after, statuses: $statuses) {
    nodes { customer { key } } pageInfo { endCursor } } } }"""
CURSORS = [place for place in places(named("String")) if place.argument == "after"]


def refused(answer: Any) -> None:
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors
    assert answer.errors[0]["extensions"]["field"] == "after"


async def partners(graph: Graph, **variables: Any) -> Any:
    return await ask(graph, PARTNERS, {"first": 2, **variables})


async def test_a_cursor_pages_on_under_what_it_was_made_under(seeded: Graph) -> None:
    by_name = {"orderBy": {"field": "NAME", "direction": "DESC"}, "filter": {"tier": ["GOLD"]}}
    first = (await partners(seeded, **by_name)).data["partners"]
    after = first["pageInfo"]["endCursor"]
    second = (await partners(seeded, after=after, **by_name)).data["partners"]
    keys = [row["key"] for row in first["nodes"] + second["nodes"]]
    assert keys == ["P7", "P6", "P5", "P4"]


@pytest.mark.parametrize(
    "other",
    [
        {"orderBy": {"field": "KEY", "direction": "DESC"}, "filter": {"tier": ["GOLD"]}},
        {"orderBy": {"field": "NAME", "direction": "ASC"}, "filter": {"tier": ["GOLD"]}},
        {"orderBy": {"field": "NAME", "direction": "DESC"}},
        {"orderBy": {"field": "NAME", "direction": "DESC"}, "filter": {"tier": ["SILVER"]}},
    ],
)
async def test_a_cursor_under_another_order_or_filter_is_refused(
    seeded: Graph, other: dict[str, Any]
) -> None:
    by_name = {"orderBy": {"field": "NAME", "direction": "DESC"}, "filter": {"tier": ["GOLD"]}}
    after = (await partners(seeded, **by_name)).data["partners"]["pageInfo"]["endCursor"]
    refused(await partners(seeded, after=after, **other))


async def test_a_cursor_of_another_connection_is_refused(seeded: Graph) -> None:
    after = (await ask(seeded, CUSTOMERS)).data["customers"]["pageInfo"]["endCursor"]
    refused(await partners(seeded, after=after))


async def test_a_cursor_of_another_parent_or_status_filter_is_refused(seeded: Graph) -> None:
    page = (await ask(seeded, ACCOUNTS, {"key": "P1"})).data["partner"]["accounts"]
    after = page["pageInfo"]["endCursor"]
    again = await ask(seeded, ACCOUNTS, {"key": "P1", "after": after})
    assert [row["customer"]["key"] for row in again.data["partner"]["accounts"]["nodes"]] == ["C2"]
    refused(await ask(seeded, ACCOUNTS, {"key": "P2", "after": after}))
    refused(await ask(seeded, ACCOUNTS, {"key": "P1", "after": after, "statuses": ["CUSTOMER"]}))


async def test_every_connection_refuses_a_cursor_made_for_another(seeded: Graph) -> None:
    assert len(CURSORS) >= 15
    wrong = []
    for place in CURSORS:
        for size in (1, 2, 3):
            query, variables = place.document(encode_cursor(["C1"] * size))
            answer = await ask(seeded, query, variables)
            codes = answer.codes
            fields = [error["extensions"].get("field") for error in answer.errors]
            if codes != ["BAD_USER_INPUT"] or fields != ["after"]:
                wrong.append(f"{place} size {size}: {answer.errors or answer.data}")
    assert wrong == []
