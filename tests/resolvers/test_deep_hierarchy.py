"""A sub-partner DAG built to explode path enumeration: a ladder of diamonds, every partner under
both partners of the level above, so the bottom reaches the top by 2^(levels-1) paths. Roll-up,
the tree and linking must answer from the partners, not the paths (a query enumerating paths
does not return here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import networkx as nx
import pytest
import pytest_asyncio
from oracle import Ecosystem
from support import ask, wipe, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

LEVELS = 24  # 2^23 paths from the bottom to the top


def key(level: int, side: str) -> str:
    return f"L{level:02d}{side}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ladder(
    graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Ecosystem]:
    folder: Path = tmp_path_factory.mktemp("ladder")
    keys = [key(level, side) for level in range(LEVELS) for side in "ab"]
    write_csv(
        folder,
        "partners.csv",
        [[k, f"Partner {k}", "RESELLER", "GOLD", "", "", "", "", ""] for k in keys],
    )
    # Each partner holds its own customer; the second level also holds the bottom one's.
    held = [[k, f"c{k}", "CUSTOMER", "", ""] for k in keys]
    held += [[key(1, side), f"c{key(LEVELS - 1, 'a')}", "PROSPECT", "", ""] for side in "ab"]
    write_csv(folder, "customers.csv", [[f"c{k}", f"Customer {k}", "", "", "", ""] for k in keys])
    write_csv(folder, "accounts.csv", held)
    write_csv(
        folder,
        "sub_partners.csv",
        [
            [key(level + 1, child), key(level, parent), "", ""]
            for level in range(LEVELS - 1)
            for child in "ab"
            for parent in "ab"
        ],
    )
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield Ecosystem.read(folder)
    await wipe(graph)


def pid(k: str) -> str:
    return encode_id("Partner", k)


async def test_roll_up_over_a_ladder_of_diamonds(graph: Graph, ladder: Ecosystem) -> None:
    top, bottom = key(0, "a"), key(LEVELS - 1, "a")
    query = """query($a: ID!, $b: ID!, $p: ID!) {
      overlap(a: $a, b: $b, includeSubPartners: true) { count jaccard }
      topOverlaps(partner: $p, first: 5, includeSubPartners: true) { partner { key } count }
    }"""
    answer = await ask(graph, query, {"a": pid(top), "b": pid(key(0, "b")), "p": pid(bottom)})
    assert not answer.errors
    count, jaccard = ladder.overlap(top, key(0, "b"), roll_up=True)
    assert answer.data["overlap"] == {"count": count, "jaccard": pytest.approx(float(jaccard))}
    expected = ladder.top(bottom, 5, roll_up=True)
    assert [(row["partner"]["key"], row["count"]) for row in answer.data["topOverlaps"]] == [
        (k, n) for k, n, _ in expected
    ]


async def test_the_tree_of_a_ladder_gives_each_partner_its_nearest_level(
    graph: Graph, ladder: Ecosystem
) -> None:
    query = """query($k: String!) { partner(key: $k) {
      subPartnerTree(depth: 10) { level partner { key } parent { key } } } }"""
    answer = await ask(graph, query, {"k": key(0, "a")})
    assert not answer.errors
    edges = answer.data["partner"]["subPartnerTree"]
    levels = {edge["partner"]["key"]: edge["level"] for edge in edges}
    distance = nx.single_source_shortest_path_length(ladder.dag.reverse(), key(0, "a"), 10)
    assert levels == {k: d for k, d in distance.items() if d > 0}


async def test_linking_the_top_under_the_bottom_of_a_ladder_is_a_cycle(
    graph: Graph, ladder: Ecosystem
) -> None:
    mutation = """mutation($input: SubPartnerLinkInput!) {
      subPartnerLink(input: $input) { userErrors { field code } } }"""
    cycle = {"child": pid(key(0, "a")), "parent": pid(key(LEVELS - 1, "b"))}
    answer = await ask(graph, mutation, {"input": cycle})
    assert not answer.errors
    assert [e["code"] for e in answer.data["subPartnerLink"]["userErrors"]] == ["CYCLE"]
