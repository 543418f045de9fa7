"""Nested requests batch their lookups: the round trips do not grow with the page size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from support import ask, wipe, wipe_and_load

from graph.db import Graph

NESTED = """query($first: Int!) { partners(first: $first) { totalCount edges { node {
  key name
  accounts(first: 5) { totalCount edges { node { status customer { key name
      partners(first: 3) { totalCount nodes { partner { key } } } } } } }
  subPartners(first: 5) { totalCount nodes { key tier } }
  parents { key }
  subPartnerTree(depth: 2) { partner { key } parent { key } }
  links(first: 3) { totalCount nodes { kind partner { key } } }
} } } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    yield await wipe_and_load(graph, tmp_path_factory.mktemp("tiny"), seed=5)
    await wipe(graph)


async def test_round_trips_do_not_grow_with_the_page(graph: Graph, bundle: Path) -> None:
    small = await ask(graph, NESTED, {"first": 20})
    large = await ask(graph, NESTED, {"first": 50})
    assert not small.errors and not large.errors
    assert len(large.data["partners"]["edges"]) == 50
    assert large.round_trips == small.round_trips
    # One query per field (a list and its count), never one per partner: 13 fields ask.
    assert large.round_trips <= 13


async def test_a_node_list_is_one_batch(graph: Graph, bundle: Path) -> None:
    page = await ask(graph, "{ partners(first: 30) { nodes { id } } }")
    ids = [node["id"] for node in page.data["partners"]["nodes"]]
    answer = await ask(graph, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert [node["id"] for node in answer.data["nodes"]] == ids
    assert answer.round_trips == 1
