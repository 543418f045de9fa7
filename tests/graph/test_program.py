"""The partner program's core: the default program as DESIGN.md gives it, the order its
thresholds keep, and the program read from the graph. (The tier a partner qualifies for is
judged in Cypher: tests/resolvers/test_tier_review.py checks it against its own oracle.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.db import Graph
from graph.model import Tier
from graph.program import DEFAULT, ProgramTier, merged, problem, read_program


def test_the_default_program() -> None:
    figures = [(t.tier, t.min_sales, t.min_won_deals, t.margin) for t in DEFAULT]
    assert figures == [
        (Tier.REGISTERED, 0, 0, 0.10),
        (Tier.SILVER, 250_000, 2, 0.15),
        (Tier.GOLD, 1_000_000, 5, 0.20),
        (Tier.PLATINUM, 3_000_000, 10, 0.25),
    ]
    assert all(t.benefits for t in DEFAULT)
    assert problem(DEFAULT) is None


@pytest.mark.parametrize(
    ("tier", "change", "named"),
    [
        (Tier.GOLD, {"min_sales": 200_000.0}, Tier.GOLD),  # below SILVER's
        (Tier.SILVER, {"min_won_deals": 6}, Tier.GOLD),  # GOLD now asks fewer than SILVER
        (Tier.PLATINUM, {"min_won_deals": 4}, Tier.PLATINUM),
    ],
)
def test_a_threshold_decreasing_up_the_tiers_is_named(
    tier: Tier, change: dict[str, float], named: Tier
) -> None:
    program = merged([replace(next(t for t in DEFAULT if t.tier == tier), **change)])
    found = problem(program)
    assert found is not None and found[0] == named, found


def test_equal_thresholds_are_allowed() -> None:
    flat = merged(replace(t, min_sales=5.0, min_won_deals=1) for t in DEFAULT)
    assert problem(flat) is None


async def test_the_program_read_is_the_stored_tiers_over_the_default(empty_graph: Graph) -> None:
    assert await read_program(empty_graph) == list(DEFAULT)
    gold = ProgramTier(Tier.GOLD, 900_000.0, 4, 0.18, ("a; b", "Müller & Co"))
    await empty_graph.write("CREATE (t:ProgramTier) SET t = $tier", {"tier": gold.params()})
    assert await read_program(empty_graph) == [DEFAULT[0], DEFAULT[1], gold, DEFAULT[3]]
