"""The k strongest simple paths between two nodes of a collected piece of the influence graph.

Pure Python, no database: `graph/analytics/paths.py` reads from Neo4j the part of the graph
that can hold the answer into a `Piece`, and this module ranks its paths.

Strengths count in millionths (`units`), so a path's influence is an exact integer product
and equal products tie exactly, as a person expects (0.6 · 0.6 = 0.9 · 0.4). Paths are ranked
by influence desc, then hops asc, then the (key, kind) of the nodes along the path asc.

Why the search returns exactly the k best: it is a best-first search over partial paths
(prefixes from the source), each filed under a key no completion of it can beat: influence at
most the prefix's product times `reach` — the best product of any walk of the remaining hops
to the target, computed exactly on the piece by hop-layered relaxation (a walk may repeat
nodes, so it bounds every simple completion; strengths are at most 1, so products only fall)
— then the prefix's hops (a completion has at least as many), then its keys (a completion's
keys start with them). A complete path is filed under its own exact key. So when a complete
path is taken from the queue, nothing still queued can complete into a better one: complete
paths leave the queue in exactly the ranking's order, and the first k are the answer.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

UNIT = 1_000_000
KINDS = ("Partner", "Customer", "Solution")  # a node's kind rank breaks ties of equal keys
SLACK = 1 + 1e-9  # float bounds are inflated by far more than their rounding error


def units(strength: float) -> int:
    """A strength in millionths: at least one, so that every relationship counts."""
    return max(1, math.floor(strength * UNIT + 0.5))


@dataclass
class Piece:
    """Nodes (by database id) with their (key, kind rank), and the strongest relationship
    between each two of them: (strength in units, kind index) — a larger strength wins, then
    the kind listed first."""

    names: dict[str, tuple[str, int]] = field(default_factory=dict)
    edges: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def add_node(self, node: str, key: str, kind: int) -> None:
        self.names.setdefault(node, (key, kind))

    def add_edge(self, a: str, b: str, strength: int, kind: int) -> None:
        for one, other in ((a, b), (b, a)):
            out = self.edges.setdefault(one, {})
            known = out.get(other)
            if known is None or (strength, -kind) > (known[0], -known[1]):
                out[other] = (strength, kind)


@dataclass(frozen=True)
class RankedPath:
    nodes: tuple[str, ...]
    steps: tuple[tuple[int, int], ...]  # (strength in units, kind index) of each relationship
    product: int  # the exact product of the strengths, in units ** hops

    @property
    def hops(self) -> int:
        return len(self.steps)

    @property
    def influence(self) -> float:
        return self.product / UNIT**self.hops


def reach(piece: Piece, target: str, hops: int) -> list[dict[str, float]]:
    """reach[j][v]: the best product (as a float, inflated by SLACK) of a walk of at most j
    relationships from v to the target; a node missing from reach[j] cannot get there."""
    layers = [{target: 1.0}]
    changed = {target}
    for _ in range(hops):
        best = dict(layers[-1])
        improved: set[str] = set()
        for node in changed:
            value = layers[-1][node]
            for other, (strength, _) in piece.edges.get(node, {}).items():
                if other == target:
                    continue
                candidate = value * strength / UNIT * SLACK
                if candidate > best.get(other, 0.0):
                    best[other] = candidate
                    improved.add(other)
        layers.append(best)
        changed = improved
    return layers


def best_paths(
    piece: Piece, source: str, target: str, first: int, max_hops: int, floor: float = 0.0
) -> list[RankedPath]:
    """The `first` best simple paths of at most `max_hops` relationships; `floor` is an
    influence the k-th best is known to reach (paths that cannot reach it are not queued)."""
    layers = reach(piece, target, max_hops)
    names = piece.names
    low = floor / SLACK
    found: list[RankedPath] = []
    # (-bound, hops, keys, tie, nodes, steps, exact product); `tie` keeps tuples comparable.
    queue: list[tuple[float | Fraction, int, tuple[tuple[str, int], ...], int, tuple[str, ...],
                      tuple[tuple[int, int], ...], int]] = []  # fmt: skip
    counter = 0
    start = layers[max_hops].get(source)
    if start is None:
        return []
    queue.append((-start, 0, (names[source],), 0, (source,), (), 1))
    while queue and len(found) < first:
        _, hops, keys, _, nodes, steps, product = heapq.heappop(queue)
        last = nodes[-1]
        if last == target:
            found.append(RankedPath(nodes, steps, product))
            continue
        left = max_hops - hops - 1
        layer = layers[left]
        for other, (strength, kind) in piece.edges.get(last, {}).items():
            if other in nodes:
                continue
            exact = product * strength
            if other == target:
                bound: float | Fraction = Fraction(exact, UNIT ** (hops + 1))
                if bound < low:
                    continue
            else:
                rest = layer.get(other)
                if rest is None:
                    continue
                bound = exact / UNIT ** (hops + 1) * rest * SLACK
                if bound < low:
                    continue
            counter += 1
            heapq.heappush(
                queue,
                (
                    -bound,
                    hops + 1,
                    (*keys, names[other]),
                    counter,
                    (*nodes, other),
                    (*steps, (strength, kind)),
                    exact,
                ),
            )
    return found
