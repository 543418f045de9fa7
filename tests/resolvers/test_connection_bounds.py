"""Every connection takes `first` from 1 to the same bound (graph.paging.MAX_FIRST), found by
walking the schema: a connection added later is held to it without anyone listing it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from graphql import get_named_type
from mutation_support import seed
from schema_walk import SEEDED, Place, named, places
from support import ask, wipe

from graph.db import Graph
from graph.paging import MAX_FIRST

CONNECTIONS = [
    place
    for place in places(named("Int"))
    if place.argument == "first"
    and not place.slot
    and get_named_type(place.path[-1][0].type).name.endswith("Connection")
]


@pytest.fixture(scope="module")
async def seeded(graph: Graph) -> AsyncIterator[Graph]:
    await wipe(graph)
    await seed(graph, SEEDED)
    yield graph
    await wipe(graph)


def test_the_walk_finds_every_connection() -> None:
    names = {place.path[-1][1] for place in CONNECTIONS}
    assert {
        "partners",
        "dealConflicts",
        "tierReview",
        "customers",
        "auditEvents",
        "accounts",
    } <= names


@pytest.mark.parametrize("place", CONNECTIONS, ids=str)
async def test_a_connection_takes_up_to_the_one_bound(seeded: Graph, place: Place) -> None:
    document, variables = place.document(MAX_FIRST)
    answer = await ask(seeded, document, variables)
    assert not [e for e in answer.errors if e.get("extensions", {}).get("field") == "first"], (
        answer.errors
    )
    document, variables = place.document(MAX_FIRST + 1)
    refused = await ask(seeded, document, variables)
    assert refused.codes == ["BAD_USER_INPUT"], refused.errors
    assert refused.errors[0]["extensions"]["field"] == "first"
    assert f"between 1 and {MAX_FIRST}" in refused.errors[0]["message"]
