"""An independent model of influence paths, built straight from a bundle's CSV rows.

The influence graph is undirected over Partner, Customer and Solution nodes, keyed by
(kind, key). Each edge keeps, for every relationship type joining its two nodes, the strongest
strength of that type, so that a `via` filter can pick the strongest remaining one (ties: the
type first in KINDS). Strengths count to six decimals, as the contract says: a strength s is
q(s) = max(1, floor(s * 1,000,000 + 0.5)) millionths, kept exactly (`Fraction(q, 1,000,000)`) for
ranking, so equal decimal products tie exactly.

Two exact searches of the k best paths: `brute_force` lists every simple path with networkx
(small graphs only), `best_paths` is a depth-first branch and bound. The defaults of empty
strengths are written out here from the contract, not read from the code under test.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
from support import read_csv

Node = tuple[str, str]  # (kind, key)
KINDS = (
    "SUB_PARTNER_OF",
    "HAS_ACCOUNT",
    "CO_SELLS_WITH",
    "REFERS_TO",
    "INTEGRATES_WITH",
    "CO_CREATED",
)
RANK = {"Partner": 0, "Customer": 1, "Solution": 2}
ACCOUNT_DEFAULT = {"CUSTOMER": 0.9, "OPPORTUNITY": 0.6, "PROSPECT": 0.3}
LINK_DEFAULT = {"CO_SELLS_WITH": 0.7, "REFERS_TO": 0.5, "INTEGRATES_WITH": 0.4}
LINK_TYPE = {
    "CO_SELL": "CO_SELLS_WITH",
    "REFERRAL": "REFERS_TO",
    "INTEGRATION": "INTEGRATES_WITH",
    **{kind: kind for kind in LINK_DEFAULT},
}
SUB_PARTNER_DEFAULT = 0.8
CO_CREATED_DEFAULT = 0.7


@dataclass(frozen=True)
class Relationship:
    kind: str  # one of KINDS
    a: Node
    b: Node
    strength: float
    owner: str | None = None  # the partner of a HAS_ACCOUNT


@dataclass(frozen=True)
class Chain:
    influence: Fraction
    nodes: tuple[Node, ...]
    steps: tuple[tuple[str, float], ...]  # (kind, strength) of each edge

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1

    def order(self) -> tuple[Fraction, int, tuple[tuple[str, int], ...]]:
        return (-self.influence, self.hops, tuple((key, RANK[kind]) for kind, key in self.nodes))


MILLION = 1_000_000


def millionths(strength: float) -> Fraction:
    """A strength as the contract ranks it: to six decimals, and at least one millionth."""
    return Fraction(max(1, math.floor(strength * MILLION + 0.5)), MILLION)


def _strength(cell: str, default: float) -> float:
    return float(cell) if cell.strip() else default


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    return read_csv(folder / name) if (folder / name).exists() else []


def read_bundle(folder: Path) -> tuple[dict[Node, str], list[Relationship]]:
    """The bundle's nodes (with their names) and influence relationships."""
    names: dict[Node, str] = {}
    for name, kind in (
        ("partners.csv", "Partner"),
        ("customers.csv", "Customer"),
        ("solutions.csv", "Solution"),
    ):
        for row in _rows(folder, name):
            names[(kind, row["key"])] = row["name"]
    found: list[Relationship] = []
    for row in _rows(folder, "sub_partners.csv"):
        found.append(
            Relationship(
                "SUB_PARTNER_OF",
                ("Partner", row["child_key"]),
                ("Partner", row["parent_key"]),
                _strength(row["strength"], SUB_PARTNER_DEFAULT),
            )
        )
    for row in _rows(folder, "accounts.csv"):
        found.append(
            Relationship(
                "HAS_ACCOUNT",
                ("Partner", row["partner_key"]),
                ("Customer", row["customer_key"]),
                _strength(row["strength"], ACCOUNT_DEFAULT[row["status"].upper()]),
                owner=row["partner_key"],
            )
        )
    for row in _rows(folder, "partner_links.csv"):
        kind = LINK_TYPE[row["kind"].upper()]
        found.append(
            Relationship(
                kind,
                ("Partner", row["from_key"]),
                ("Partner", row["to_key"]),
                _strength(row["strength"], LINK_DEFAULT[kind]),
            )
        )
    for row in _rows(folder, "solution_partners.csv"):
        found.append(
            Relationship(
                "CO_CREATED",
                ("Partner", row["partner_key"]),
                ("Solution", row["solution_key"]),
                _strength(row["strength"], CO_CREATED_DEFAULT),
            )
        )
    return names, found


def influence_graph(
    names: dict[Node, str],
    relationships: Iterable[Relationship],
    keep: Callable[[Relationship], bool] = lambda relationship: True,
) -> nx.Graph:
    """Every node; per pair of nodes, the strongest strength of each type that `keep` keeps."""
    graph = nx.Graph()
    for node, name in names.items():
        graph.add_node(node, name=name)
    for rel in relationships:
        if not keep(rel):
            continue
        if not graph.has_edge(rel.a, rel.b):
            graph.add_edge(rel.a, rel.b, kinds={})
        kinds: dict[str, float] = graph.edges[rel.a, rel.b]["kinds"]
        kinds[rel.kind] = max(kinds.get(rel.kind, 0.0), rel.strength)
    return graph


def edge_of(kinds: dict[str, float], via: Collection[str] | None) -> tuple[str, float] | None:
    """The edge two nodes share under `via`: the strongest kept type, ties by KINDS order."""
    kept = [(kind, kinds[kind]) for kind in KINDS if kind in kinds and (via is None or kind in via)]
    if not kept:
        return None
    return max(kept, key=lambda item: (millionths(item[1]), -KINDS.index(item[0])))


def view(graph: nx.Graph, via: Collection[str] | None, avoid: Collection[Node]) -> nx.Graph:
    """The graph the search walks: edges as (kind, strength, exact), avoided nodes removed."""
    walked = nx.Graph()
    walked.add_nodes_from(node for node in graph if node not in avoid)
    for a, b, data in graph.edges(data=True):
        if a in avoid or b in avoid:
            continue
        edge = edge_of(data["kinds"], via)
        if edge is not None:
            exact = millionths(edge[1])
            walked.add_edge(a, b, kind=edge[0], strength=float(exact), exact=exact)
    return walked


def _path(walked: nx.Graph, nodes: list[Node]) -> Chain:
    steps = tuple(
        (walked.edges[a, b]["kind"], walked.edges[a, b]["strength"]) for a, b in pairwise(nodes)
    )
    influence = Fraction(1)
    for a, b in pairwise(nodes):
        influence *= walked.edges[a, b]["exact"]
    return Chain(influence, tuple(nodes), steps)


def brute_force(
    graph: nx.Graph,
    source: Node,
    target: Node,
    first: int,
    max_hops: int,
    via: Collection[str] | None = None,
    avoid: Collection[Node] = (),
) -> list[Chain]:
    """Every simple path of at most max_hops edges, sorted: for small graphs."""
    walked = view(graph, via, avoid)
    if source not in walked or target not in walked:
        return []
    found = [
        _path(walked, nodes)
        for nodes in nx.all_simple_paths(walked, source, target, cutoff=max_hops)
    ]
    return sorted(found, key=Chain.order)[:first]


def _best_reach(walked: nx.Graph, target: Node) -> dict[Node, Fraction]:
    """The largest product of any walk from each node to target (Dijkstra on products ≤ 1):
    no simple path from a node does better, so it bounds what a prefix can still become."""
    best = {target: Fraction(1)}
    heap: list[tuple[Fraction, int, Node]] = [(Fraction(-1), 0, target)]
    done: set[Node] = set()
    tick = 0
    while heap:
        negative, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for other in walked[node]:
            value = -negative * walked.edges[node, other]["exact"]
            if other not in best or value > best[other]:
                best[other] = value
                tick += 1
                heapq.heappush(heap, (-value, tick, other))
    return best


def best_paths(
    graph: nx.Graph,
    source: Node,
    target: Node,
    first: int,
    max_hops: int,
    via: Collection[str] | None = None,
    avoid: Collection[Node] = (),
) -> list[Chain]:
    """The same answer as brute_force without listing every path: a depth-first branch and bound.

    A prefix ending at v can become at best prefix * reach(v) (a product of strengths ≤ 1 only
    falls, and reach(v) is the best walk to target, simple or not) within hops + distance(v)
    edges; it is dropped only when that is strictly below the k-th best path found so far, or
    too long — a path that ties the k-th best may still come first by hops or keys.
    """
    walked = view(graph, via, avoid)
    if source not in walked or target not in walked:
        return []
    reach = _best_reach(walked, target)
    distance = nx.single_source_shortest_path_length(walked, target, cutoff=max_hops)
    kept: list[Chain] = []  # sorted, at most `first`

    def worst() -> Fraction | None:
        return kept[-1].influence if len(kept) == first else None

    def extend(nodes: list[Node], product: Fraction) -> None:
        here = nodes[-1]
        if here == target:
            kept.append(_path(walked, nodes))
            kept.sort(key=Chain.order)
            del kept[first:]
            return
        # Strongest first, so that good paths are found early and the bound bites.
        for other in sorted(walked[here], key=lambda n: -walked.edges[here, n]["exact"]):
            if other in nodes or other not in reach or other not in distance:
                continue
            if len(nodes) + distance[other] > max_hops:
                continue
            value = product * walked.edges[here, other]["exact"]
            bar = worst()
            if bar is not None and value * reach[other] < bar:
                continue
            nodes.append(other)
            extend(nodes, value)
            nodes.pop()

    extend([source], Fraction(1))
    return kept


def rounded(influence: float) -> float:
    """An influence to 12 significant digits: what answers are compared by (ranking is exact;
    `test_influence_is_the_exact_product_as_a_float` checks the last digits)."""
    return float(f"{influence:.12g}")


def answer_of(
    paths: list[Chain], names: dict[Node, str], exact: bool = False
) -> list[dict[str, Any]]:
    """The paths as the API's InfluencePath objects (steps without `node`); the influence
    `rounded` unless `exact`."""
    shaped = []
    for path in paths:
        steps: list[dict[str, Any]] = [
            {
                "key": path.nodes[0][1],
                "label": names[path.nodes[0]],
                "kind": path.nodes[0][0],
                "via": None,
                "strength": None,
            }
        ]
        for node, (kind, strength) in zip(path.nodes[1:], path.steps, strict=True):
            steps.append(
                {
                    "key": node[1],
                    "label": names[node],
                    "kind": node[0],
                    "via": kind,
                    "strength": strength,
                }
            )
        influence = float(path.influence)
        shaped.append(
            {
                "influence": influence if exact else rounded(influence),
                "hops": path.hops,
                "steps": steps,
            }
        )
    return shaped


def hops_of(answer: list[dict[str, Any]]) -> Iterator[tuple[Node, Node]]:
    """Every (node, node) pair an answer steps across."""
    for path in answer:
        for a, b in pairwise(path["steps"]):
            yield (a["kind"], a["key"]), (b["kind"], b["key"])
