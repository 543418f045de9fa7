"""influencePaths against every simple path on seeded random bundles whose strengths are drawn
from a few values (empty ones among them), so that equal and nearly equal products abound."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from paths_oracle import answer_of, brute_force, influence_graph, read_bundle
from paths_support import ask_paths, load_bundle, shaped
from support import partner_rows, wipe, write_csv

from graph.analytics import paths
from graph.db import Graph

STRENGTHS = ["0.7", "0.6", "0.3", "0.9", "0.8", "0.25", "1.0", "0.5", "0.1", "0.2", ""]
SEEDS = range(12)


def random_bundle(rng: random.Random, folder: Path) -> None:
    partners = [f"p{i}" for i in range(rng.randint(3, 7))]
    customers = [f"c{i}" for i in range(rng.randint(1, 4))]
    solutions = [f"s{i}" for i in range(rng.randint(0, 2))]
    write_csv(folder, "partners.csv", partner_rows(partners))
    write_csv(folder, "customers.csv", [[key, key, "", "", "", ""] for key in customers])
    write_csv(folder, "solutions.csv", [[key, key, "", ""] for key in solutions])
    statuses = ["CUSTOMER", "OPPORTUNITY", "PROSPECT"]
    write_csv(
        folder,
        "accounts.csv",
        [
            [p, c, rng.choice(statuses), "", rng.choice(STRENGTHS)]
            for p in partners
            for c in customers
            if rng.random() < 0.4
        ],
    )
    links: dict[tuple[str, str, str], str] = {}
    for _ in range(rng.randint(0, 10)):
        a, b = rng.sample(partners, 2)
        links[(a, b, rng.choice(["CO_SELL", "REFERRAL", "INTEGRATION"]))] = rng.choice(STRENGTHS)
    write_csv(folder, "partner_links.csv", [[*key, s, ""] for key, s in links.items()])
    write_csv(
        folder,
        "sub_partners.csv",
        [
            [child, partners[rng.randrange(i)], "", rng.choice(STRENGTHS)]
            for i, child in enumerate(partners[1:], start=1)
            if rng.random() < 0.3
        ],
    )
    write_csv(
        folder,
        "solution_partners.csv",
        [
            [s, p, "", "", rng.choice(STRENGTHS)]
            for s in solutions
            for p in partners
            if rng.random() < 0.4
        ],
    )


async def differences(graph: Graph, tmp_path: Path, questions: list[tuple[int, int]]) -> list[Any]:
    """Every ordered pair of nodes of every seeded bundle asked with each (first, maxHops), where
    the answer differs from the model's."""
    differ: list[Any] = []
    try:
        for seed in SEEDS:
            folder = tmp_path / str(seed)
            random_bundle(random.Random(seed), folder)
            await load_bundle(graph, folder)
            names, relationships = read_bundle(folder)
            model = influence_graph(names, relationships)
            pairs = itertools.permutations(sorted(names), 2)
            for (source, target), (first, hops) in itertools.product(pairs, questions):
                got = shaped(await ask_paths(graph, source, target, first=first, maxHops=hops))
                want = answer_of(brute_force(model, source, target, first, hops), names)
                if got != want:
                    differ.append((seed, source, target, first, hops, got, want))
    finally:
        await wipe(graph)
    return differ


async def test_random_bundles_against_every_simple_path(graph: Graph, tmp_path: Path) -> None:
    """Every ordered pair of nodes, up to 6 hops, exactly as the model ranks them."""
    differ = await differences(graph, tmp_path, [(10, 6)])
    assert not differ, differ[:3]


@pytest.mark.parametrize(("cap", "neighbours"), [(3, 6), (3, 0), (5, 0)])
async def test_random_bundles_searched_as_through_hubs(
    graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: int, neighbours: int
) -> None:
    """The same, with every end of more than `cap` relationships taken for a hub: probes
    capped and meeting through one middle node, looked up from the other side of a hub, and
    tried before the last join; the last hop grown inside the join (its customers' two steps
    read from the near side or walked, as `neighbours` makes the walk dear or cheap)."""
    monkeypatch.setattr(paths, "PROBE_CAP", cap)
    monkeypatch.setattr(paths, "NEIGHBOURS", neighbours)
    monkeypatch.setattr(paths, "PROBE_MIDDLES", 1)
    differ = await differences(graph, tmp_path, [(3, 4), (2, 5)])
    assert not differ, differ[:3]


async def test_equal_decimal_products_tie_and_keys_decide(graph: Graph, tmp_path: Path) -> None:
    """p2-p6-c2-p5 (0.2 * 0.9 * 0.1) and p2-c0-p3-p5 (0.2 * 0.3 * 0.3) are both 0.018 (as
    binary floats a hair apart): a tie of three hops each, so c0 before p6 decides."""
    keys = ("p2", "p3", "p5", "p6")
    write_csv(tmp_path, "partners.csv", partner_rows(keys, {k: k for k in keys}))
    write_csv(tmp_path, "customers.csv", [[k, k, "", "", "", ""] for k in ("c0", "c2")])
    write_csv(
        tmp_path,
        "accounts.csv",
        [
            ["p2", "c0", "CUSTOMER", "", "0.2"],
            ["p3", "c0", "CUSTOMER", "", "0.3"],
            ["p6", "c2", "CUSTOMER", "", "0.9"],
            ["p5", "c2", "CUSTOMER", "", "0.1"],
        ],
    )
    write_csv(
        tmp_path,
        "partner_links.csv",
        [["p3", "p5", "REFERRAL", "0.3", ""], ["p2", "p6", "INTEGRATION", "0.2", ""]],
    )
    await load_bundle(graph, tmp_path)
    try:
        found = shaped(await ask_paths(graph, ("Partner", "p2"), ("Partner", "p5"), first=2))
    finally:
        await wipe(graph)
    assert [[step["key"] for step in path["steps"]] for path in found] == [
        ["p2", "c0", "p3", "p5"],
        ["p2", "p6", "c2", "p5"],
    ]
    assert found[0]["influence"] == found[1]["influence"]
