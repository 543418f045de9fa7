"""The influence-path oracle checked against itself: its branch and bound gives exactly what
listing every simple path gives, on many random small graphs full of ties and parallel
relationships; and a few answers worked out by hand."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from paths_oracle import (
    KINDS,
    Node,
    Relationship,
    best_paths,
    brute_force,
    edge_of,
    influence_graph,
)

# Few distinct strengths, so that equal products (ties) are common.
STRENGTHS = [1.0, 0.9, 0.8, 0.5, 0.4, 0.3, 0.1, 0.7, 0.6]


def random_world(rng: random.Random) -> tuple[dict[Node, str], list[Relationship]]:
    partners = [("Partner", f"p{i}") for i in range(rng.randint(2, 6))]
    customers = [("Customer", f"c{i}") for i in range(rng.randint(1, 4))]
    solutions = [("Solution", f"s{i}") for i in range(rng.randint(0, 2))]
    # Keys that sort the same under another kind: ("x", Partner) and ("x", Customer).
    if rng.random() < 0.3:
        partners.append(("Partner", "x"))
        customers.append(("Customer", "x"))
    names = {node: node[1].upper() for node in [*partners, *customers, *solutions]}
    strengths = STRENGTHS[: rng.randint(2, len(STRENGTHS))]
    found: list[Relationship] = []
    for _ in range(rng.randint(0, 14)):
        a, b = rng.sample(partners, 2)
        kind = rng.choice(["SUB_PARTNER_OF", "CO_SELLS_WITH", "REFERS_TO", "INTEGRATES_WITH"])
        found.append(Relationship(kind, a, b, rng.choice(strengths)))
    for partner in partners:
        for customer in customers:
            if rng.random() < 0.4:
                found.append(
                    Relationship(
                        "HAS_ACCOUNT", partner, customer, rng.choice(strengths), partner[1]
                    )
                )
        for solution in solutions:
            if rng.random() < 0.4:
                found.append(Relationship("CO_CREATED", partner, solution, rng.choice(strengths)))
    return names, found


@pytest.mark.parametrize("seed", range(40))
def test_branch_and_bound_agrees_with_every_simple_path(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        names, found = random_world(rng)
        graph = influence_graph(names, found)
        nodes = sorted(names)
        source, target = rng.sample(nodes, 2)
        first = rng.choice([1, 2, 3, 10])
        max_hops = rng.randint(1, 6)
        via = rng.choice([None, None, sorted(rng.sample(KINDS, rng.randint(1, 3)))])
        avoid = set(rng.sample([n for n in nodes if n not in (source, target)], rng.randint(0, 1)))
        expected = brute_force(graph, source, target, first, max_hops, via, avoid)
        got = best_paths(graph, source, target, first, max_hops, via, avoid)
        assert got == expected, (seed, source, target, first, max_hops, via, avoid)


def test_the_strongest_relationship_is_the_edge_ties_by_kind_order() -> None:
    assert edge_of({"REFERS_TO": 0.5, "CO_SELLS_WITH": 0.3}, None) == ("REFERS_TO", 0.5)
    assert edge_of({"REFERS_TO": 0.5, "CO_SELLS_WITH": 0.5}, None) == ("CO_SELLS_WITH", 0.5)
    assert edge_of({"REFERS_TO": 0.5, "SUB_PARTNER_OF": 0.5}, None) == ("SUB_PARTNER_OF", 0.5)
    assert edge_of({"REFERS_TO": 0.5, "CO_SELLS_WITH": 0.9}, ["REFERS_TO"]) == ("REFERS_TO", 0.5)
    assert edge_of({"REFERS_TO": 0.5}, ["CO_CREATED"]) is None


def test_ranking_is_exact_then_hops_then_keys() -> None:
    p = {k: ("Partner", k) for k in ("a", "b", "c", "d", "t")}
    names = {node: node[1] for node in p.values()}
    found = [
        # a-t directly at 0.25; a-b-t at 0.5 * 0.5 = 0.25 exactly: fewer hops first.
        Relationship("CO_SELLS_WITH", p["a"], p["t"], 0.25),
        Relationship("CO_SELLS_WITH", p["a"], p["b"], 0.5),
        Relationship("REFERS_TO", p["b"], p["t"], 0.5),
        # a-c-t and a-d-t tie on product and hops: c before d.
        Relationship("CO_SELLS_WITH", p["a"], p["d"], 0.1),
        Relationship("CO_SELLS_WITH", p["d"], p["t"], 0.2),
        Relationship("CO_SELLS_WITH", p["a"], p["c"], 0.2),
        Relationship("CO_SELLS_WITH", p["c"], p["t"], 0.1),
    ]
    graph = influence_graph(names, found)
    paths = brute_force(graph, p["a"], p["t"], 10, 4)
    assert [[key for _, key in path.nodes] for path in paths][:4] == [
        ["a", "t"],
        ["a", "b", "t"],
        ["a", "c", "t"],
        ["a", "d", "t"],
    ]
    # 0.1 * 0.2 and 0.2 * 0.1 are the same product of six-decimal strengths; 0.25 is exact.
    assert paths[0].influence == paths[1].influence == Fraction(1, 4)
    assert paths[2].influence == paths[3].influence == Fraction(1, 50)
    assert best_paths(graph, p["a"], p["t"], 10, 4) == paths
