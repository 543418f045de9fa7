"""influencePaths against the independent oracle (tests/paths_oracle.py) on generated ecosystems
of several seeds: partner to customer, partner, solution, and customer to customer, every
maxHops and page size, through the heaviest hubs, and under via/avoid filters.

Small ecosystems are checked against every simple path (networkx), larger ones against the
oracle's branch and bound; both are exact and agree with each other (tests/test_paths_oracle.py).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pytest
import pytest_asyncio
from paths_oracle import (
    KINDS,
    Chain,
    Node,
    answer_of,
    best_paths,
    brute_force,
    influence_graph,
    read_bundle,
)
from paths_support import ask_paths, load_generated, shaped
from support import wipe

from graph.db import Graph
from graph.ingest.generate import Preset

SMALL = Preset(partners=10, customers=25, accounts_per_customer=2.0)
LARGER = Preset(partners=40, customers=300, accounts_per_customer=3.0)
WORLDS = {
    "small-1": (SMALL, 1, brute_force),
    "small-2": (SMALL, 2, brute_force),
    "larger-3": (LARGER, 3, best_paths),
    "larger-4": (LARGER, 4, best_paths),
}
Search = Callable[..., list[Chain]]


@dataclass
class World:
    names: dict[Node, str]
    graph: nx.Graph
    search: Search
    seed: int

    def of(self, kind: str) -> list[Node]:
        return sorted(node for node in self.names if node[0] == kind)

    def rng(self, salt: object) -> random.Random:
        return random.Random(f"{self.seed}:{salt}")

    def pairs(self, count: int, salt: object) -> list[tuple[Node, Node]]:
        """`count` random pairs of each shape the contract names (the same for the same salt)."""
        rng = self.rng(salt)
        partners, customers = self.of("Partner"), self.of("Customer")
        found = []
        for targets in (customers, partners, self.of("Solution")):
            for _ in range(count):
                source = rng.choice(partners)
                found.append((source, rng.choice([t for t in targets if t != source])))
        for _ in range(count):
            one, other = rng.sample(customers, 2)
            found.append((one, other))
        return found

    def expected(self, source: Node, target: Node, **arguments: Any) -> list[dict[str, Any]]:
        avoid = set(arguments.get("avoid") or ())
        chains = self.search(
            self.graph,
            source,
            target,
            arguments.get("first", 3),
            arguments.get("maxHops", 4),
            arguments.get("via"),
            avoid,
        )
        return answer_of(chains, self.names)


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=sorted(WORLDS))
async def world(
    request: pytest.FixtureRequest, graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    preset, seed, search = WORLDS[request.param]
    folder = tmp_path_factory.mktemp(f"paths-{request.param}")
    await load_generated(graph, folder, preset, seed)
    names, relationships = read_bundle(folder)
    yield World(names, influence_graph(names, relationships), search, seed)
    await wipe(graph)


async def check(graph: Graph, world: World, source: Node, target: Node, **arguments: Any) -> int:
    """Ask, compare with the oracle, and say how many paths there were."""
    answer = await ask_paths(graph, source, target, **arguments)
    want = world.expected(source, target, **arguments)
    assert shaped(answer) == want, (source, target, arguments)
    return len(want)


@pytest.mark.parametrize("first", [1, 3, 10])
@pytest.mark.parametrize("max_hops", [1, 2, 3, 4, 5, 6])
async def test_paths_are_the_oracle_s(
    graph: Graph, world: World, max_hops: int, first: int
) -> None:
    for source, target in world.pairs(2, (max_hops, first)):
        await check(graph, world, source, target, first=first, maxHops=max_hops)


async def test_the_defaults_are_three_paths_of_at_most_four_hops(
    graph: Graph, world: World
) -> None:
    lengths: Counter[int] = Counter()
    for source, target in world.pairs(3, "defaults"):
        answer = await ask_paths(graph, source, target)
        want = world.expected(source, target, first=3, maxHops=4)
        assert shaped(answer) == want, (source, target)
        lengths[len(want)] += 1
    assert lengths[3], lengths  # a full page among them


async def test_through_the_heaviest_hubs(graph: Graph, world: World) -> None:
    """The partner with the most accounts and the customer with the most partners, as ends of
    paths and as the middle of every other path."""
    degree = world.graph.degree
    hub = max(world.of("Partner"), key=lambda n: (degree(n), n))
    held = max(world.of("Customer"), key=lambda n: (degree(n), n))
    assert degree(hub) >= 10 and degree(held) >= 3, (degree(hub), degree(held))
    rng = world.rng("hubs")
    others = rng.sample(world.of("Customer"), 4) + rng.sample(world.of("Partner"), 3)
    for max_hops in (2, 4, 6):
        for source, target in [
            (hub, held),
            (held, hub),
            *((hub, other) for other in others if other != hub),
            *((other, held) for other in others if other != held),
        ]:
            await check(graph, world, source, target, first=10, maxHops=max_hops)


VIAS: list[list[str]] = [[kind] for kind in KINDS] + [
    ["HAS_ACCOUNT", "CO_CREATED"],
    ["HAS_ACCOUNT", "SUB_PARTNER_OF"],
    ["HAS_ACCOUNT", "CO_SELLS_WITH", "REFERS_TO", "INTEGRATES_WITH"],
    list(reversed(KINDS)),
]


@pytest.mark.parametrize("via", VIAS, ids="+".join)
async def test_via_keeps_only_those_relationships(
    graph: Graph, world: World, via: list[str]
) -> None:
    for source, target in world.pairs(1, via):
        await check(graph, world, source, target, first=10, maxHops=5, via=via)


async def test_avoiding_the_nodes_of_the_best_path(graph: Graph, world: World) -> None:
    changed = 0
    for source, target in world.pairs(2, "avoid"):
        best = world.expected(source, target, first=1, maxHops=4)
        if not best or best[0]["hops"] < 2:
            continue
        inner = [(step["kind"], step["key"]) for step in best[0]["steps"][1:-1]]
        for avoid in ([inner[0]], inner):
            await check(graph, world, source, target, first=3, maxHops=4, avoid=avoid)
        changed += 1
    assert changed


async def test_too_few_hops_finds_nothing_or_fewer(graph: Graph, world: World) -> None:
    """Pairs more than one hop apart have no path of one hop; pairs joined only by long paths
    have fewer paths than asked for."""
    empty = fewer = 0
    for source, target in world.pairs(4, "short"):
        if world.graph.has_edge(source, target):
            continue
        answer = await ask_paths(graph, source, target, first=10, maxHops=1)
        assert shaped(answer) == []
        empty += 1
        found = await check(graph, world, source, target, first=10, maxHops=2)
        fewer += found < 10
    assert empty and fewer
