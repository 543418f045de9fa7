"""The stored overlap counts are no part of the ecosystem's data: with them in the graph, every
answer (and the work the influence-path search does for it) is what it is without them."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path
from typing import Any

from overlap_store_oracle import stored_store
from support import ask

from graph.analytics.network import analyze
from graph.analytics.paths import ENDS
from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

EVERYONE = 1_000_000
LARGEST = """
MATCH (p:Partner)
RETURN p.key AS key ORDER BY COUNT { (p)-[:HAS_ACCOUNT]->() } DESC, key LIMIT 6
"""
SOME = "MATCH (n) WHERE n:Partner OR n:Customer RETURN labels(n)[0] AS label, n.key AS key"

PARTNER = """query($key: String!) { partner(key: $key) {
  key influence community
  accounts(first: 5) { totalCount edges { node { customer { key } status } } }
  subPartners { totalCount nodes { key } } parents { key }
  subPartnerTree(depth: 4) { partner { key } parentKey level strength }
  links { totalCount nodes { partner { key } kind direction strength } }
  solutions { totalCount }
} }"""
PATHS = """query($from: ID!, $to: ID!) { influencePaths(from: $from, to: $to, first: 3, maxHops: 4) {
  influence hops steps { key label via strength } } }"""
OVERLAPS = """query($a: ID!, $b: ID!) {
  overlap(a: $a, b: $b) { count jaccard }
  topOverlaps(partner: $a, first: 5) { partner { key } count jaccard }
  overlapMatrix(partners: [$a, $b]) { counts }
}"""
ECOSYSTEM = "{ ecosystem { partners customers accounts communities stale } }"


async def answers(graph: Graph, largest: list[str], ends: list[tuple[str, str]]) -> list[Any]:
    """Answers with the database round trips each took."""
    found: list[Any] = []

    async def asked(query: str, variables: dict[str, Any] | None = None) -> None:
        answer = await ask(graph, query, variables)
        assert not answer.errors, answer.errors
        found.append((answer.data, answer.round_trips))

    for key in largest:
        await asked(PARTNER, {"key": key})
    for a, b in pairwise(largest):
        await asked(OVERLAPS, {"a": encode_id("Partner", a), "b": encode_id("Partner", b)})
    for (la, a), (lb, b) in zip(ends[::2], ends[1::2], strict=True):
        await asked(PATHS, {"from": encode_id(la, a), "to": encode_id(lb, b)})
    await asked(ECOSYSTEM)
    params = {
        "ends": {str(i): {"index": i, "kind": "Partner", "key": k} for i, k in enumerate(largest)}
    }
    found.append((await graph.read(ENDS, {**params, "visible": None}))[0]["found"])
    return found


async def test_answers_and_path_searches_are_the_same_with_the_store_as_without(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 4, tmp_path)
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    largest = [record["key"] for record in await empty_graph.read(LARGEST)]
    nodes = sorted((r["label"], r["key"]) for r in await empty_graph.read(SOME))
    chance = random.Random(4)
    ends = [("Partner", key) for key in largest] + chance.sample(nodes, 24)
    ends = [end for pair in zip(ends[:15], ends[15:], strict=True) for end in pair]

    await analyze(empty_graph, stored=0)
    assert await stored_store(empty_graph) == (set(), {})
    without = await answers(empty_graph, largest, ends)

    await analyze(empty_graph, stored=EVERYONE, minimum=1)
    flags, pairs = await stored_store(empty_graph)
    assert set(largest) <= flags and len(pairs) > 20
    assert await answers(empty_graph, largest, ends) == without
