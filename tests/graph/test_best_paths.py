"""The ranking of paths in a collected piece of the graph, against plain enumeration of every
simple path (networkx) on random pieces: ties of equal products, parallel relationships of
different kinds, keys shared by a partner and a customer, floors."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from graph.analytics.best_paths import UNIT, Piece, best_paths, units

STRENGTHS = (0.9, 0.6, 0.3, 0.8, 0.7, 0.5, 0.4, 1.0, 0.45, 0.123457)


def random_piece(rng: random.Random, size: int, density: float) -> Piece:
    piece = Piece()
    for i in range(size):
        # A few keys are shared by nodes of two kinds: the kind then breaks the tie.
        piece.add_node(f"n{i}", f"K{i % (size - 2)}", i % 3)
    for a, b in itertools.combinations(range(size), 2):
        if rng.random() < density:
            for _ in range(rng.choice((1, 1, 2))):  # parallel relationships of two kinds
                piece.add_edge(f"n{a}", f"n{b}", units(rng.choice(STRENGTHS)), rng.randrange(6))
    return piece


def enumerated(
    piece: Piece, source: str, target: str, first: int, hops: int
) -> list[tuple[str, ...]]:
    graph = nx.Graph()
    graph.add_nodes_from(piece.names)
    for a, out in piece.edges.items():
        for b in out:
            graph.add_edge(a, b)
    ranked = []
    for path in nx.all_simple_paths(graph, source, target, cutoff=hops):
        product = 1
        for a, b in itertools.pairwise(path):
            product *= piece.edges[a][b][0]
        influence = product * UNIT ** (hops - (len(path) - 1))  # on a common scale
        ranked.append((-influence, len(path) - 1, [piece.names[n] for n in path], tuple(path)))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:first]]


@pytest.mark.parametrize("seed", range(60))
def test_best_paths_are_the_first_of_every_simple_path(seed: int) -> None:
    rng = random.Random(seed)
    piece = random_piece(rng, rng.randint(4, 11), rng.choice((0.2, 0.4, 0.7)))
    source, target = rng.sample(sorted(piece.names), 2)
    for first, hops in itertools.product((1, 3, 10), (1, 2, 4, 6)):
        found = best_paths(piece, source, target, first, hops)
        assert [path.nodes for path in found] == enumerated(piece, source, target, first, hops)


def test_strongest_relationship_wins_and_equal_strengths_keep_the_kind_listed_first() -> None:
    piece = Piece()
    piece.add_node("a", "A", 0)
    piece.add_node("b", "B", 0)
    piece.add_edge("a", "b", units(0.5), 3)
    piece.add_edge("b", "a", units(0.7), 4)
    piece.add_edge("a", "b", units(0.7), 2)
    piece.add_edge("a", "b", units(0.6), 0)
    assert piece.edges["a"]["b"] == piece.edges["b"]["a"] == (700_000, 2)


def test_products_count_in_millionths_so_equal_decimals_tie() -> None:
    """0.6 · 0.6 and 0.9 · 0.4 are both 0.36: a tie, broken by the keys along the path."""
    piece = Piece()
    for node in ("s", "x", "y", "t"):
        piece.add_node(node, node.upper(), 0)
    piece.add_edge("s", "y", units(0.6), 2)
    piece.add_edge("y", "t", units(0.6), 2)
    piece.add_edge("s", "x", units(0.9), 2)
    piece.add_edge("x", "t", units(0.4), 2)
    found = best_paths(piece, "s", "t", 2, 2)
    assert [path.nodes for path in found] == [("s", "x", "t"), ("s", "y", "t")]
    assert found[0].product == found[1].product and found[0].influence == pytest.approx(0.36)


def test_a_floor_leaves_out_only_what_cannot_reach_it() -> None:
    rng = random.Random(7)
    piece = random_piece(rng, 9, 0.6)
    source, target = "n0", "n8"
    every = best_paths(piece, source, target, 10, 4)
    assert len(every) == 10
    kth = every[2].influence
    assert best_paths(piece, source, target, 3, 4, floor=kth) == every[:3]


def test_no_path_is_an_empty_answer() -> None:
    piece = Piece()
    piece.add_node("a", "A", 0)
    piece.add_node("b", "B", 1)
    assert best_paths(piece, "a", "b", 3, 6) == []
