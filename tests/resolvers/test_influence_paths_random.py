"""influencePaths against every simple path on seeded random bundles whose strengths are drawn
from a few values (empty ones among them), so that equal and nearly equal products abound."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

from paths_oracle import answer_of, brute_force, influence_graph, read_bundle
from paths_support import ask_paths, load_bundle, shaped
from support import wipe, write_csv

from graph.db import Graph

STRENGTHS = ["0.7", "0.6", "0.3", "0.9", "0.8", "0.25", "1.0", "0.5", "0.1", "0.2", ""]
SEEDS = range(12)


def random_bundle(rng: random.Random, folder: Path) -> None:
    partners = [f"p{i}" for i in range(rng.randint(3, 7))]
    customers = [f"c{i}" for i in range(rng.randint(1, 4))]
    solutions = [f"s{i}" for i in range(rng.randint(0, 2))]
    row = ["RESELLER", "GOLD", "", "", "", "", ""]
    write_csv(folder, "partners.csv", [[key, f"Partner {key}", *row] for key in partners])
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


async def test_random_bundles_against_every_simple_path(graph: Graph, tmp_path: Path) -> None:
    """Every ordered pair of nodes, up to 6 hops, exactly as the model ranks them."""
    differ: list[Any] = []
    try:
        for seed in SEEDS:
            folder = tmp_path / str(seed)
            random_bundle(random.Random(seed), folder)
            await load_bundle(graph, folder)
            names, relationships = read_bundle(folder)
            model = influence_graph(names, relationships)
            for source, target in itertools.permutations(sorted(names), 2):
                got = shaped(await ask_paths(graph, source, target, first=10, maxHops=6))
                want = answer_of(brute_force(model, source, target, 10, 6), names)
                if got != want:
                    differ.append((seed, source, target, got, want))
    finally:
        await wipe(graph)
    assert not differ, differ[:3]


async def test_equal_decimal_products_tie_and_keys_decide(graph: Graph, tmp_path: Path) -> None:
    """p2-p6-c2-p5 (0.2 * 0.9 * 0.1) and p2-c0-p3-p5 (0.2 * 0.3 * 0.3) are both 0.018 (as
    binary floats a hair apart): a tie of three hops each, so c0 before p6 decides."""
    row = ["RESELLER", "GOLD", "", "", "", "", ""]
    write_csv(tmp_path, "partners.csv", [[k, k, *row] for k in ("p2", "p3", "p5", "p6")])
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
