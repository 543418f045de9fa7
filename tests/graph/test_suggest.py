"""The lazy greedy alone, in plain Python: the same picks as the plain greedy (everyone's gain
recomputed every round) on random set systems, with fewer gain evaluations."""

from __future__ import annotations

import random
from collections.abc import Collection

import pytest
from suggest_oracle import plain_greedy

from graph.analytics.suggest import lazy_greedy, plain_count


def system(rng: random.Random, candidates: int, universe: int) -> dict[str, set[int]]:
    """Candidates of very different sizes over a small universe (many overlaps and ties); some
    reach nobody."""
    sets = {}
    for i in range(candidates):
        size = rng.choice([0, 1, 2, 3, 5, 8, rng.randint(0, universe)])
        key = f"K{rng.randint(0, 3 * candidates):04d}-{i}"
        sets[key] = set(rng.sample(range(universe), min(size, universe)))
    return sets


async def run_lazy(
    sets: dict[str, set[int]], bounds: dict[str, int], reached: set[int], first: int, batch: int
) -> tuple[list[tuple[str, int]], int, int]:
    reads: list[list[str]] = []

    async def read(keys: list[str]) -> dict[str, Collection[int]]:
        reads.append(keys)
        return {key: sets[key] for key in keys if sets[key]}  # nobody reached: no row

    found = await lazy_greedy(bounds, set(reached), first, read, batch=batch, budget=10)
    read_keys = [key for keys in reads for key in keys]
    assert len(read_keys) == len(set(read_keys)), "a candidate's set was read twice"
    assert all(len(keys) <= batch for keys in reads)
    assert found.sets_read == len(read_keys)
    assert found.plain_evaluations == plain_count(len(sets), len(found.picks), first)
    return found.picks, found.evaluations, found.plain_evaluations


@pytest.mark.parametrize("seed", range(60))
async def test_the_lazy_picks_are_the_plain_greedys(seed: int) -> None:
    rng = random.Random(seed)
    sets = system(rng, rng.randint(1, 80), rng.randint(1, 60))
    reached = set(rng.sample(range(60), rng.randint(0, 20)))
    first = rng.randint(1, 12)
    # The bound is any upper bound of |R|: exact, or loose by up to a few times.
    bounds = {key: len(s) * rng.choice([1, 1, 2, 5]) + rng.randint(0, 3) for key, s in sets.items()}
    picks, evaluations, plain = await run_lazy(sets, bounds, reached, first, rng.choice([1, 4, 32]))
    expected, plain_evaluations = plain_greedy(sets, reached, first)
    assert picks == expected
    assert plain == plain_evaluations
    assert evaluations <= plain


@pytest.mark.parametrize("loose", ["A", "B", "C"])
async def test_ties_go_to_the_smaller_key_whichever_bound_is_looser(loose: str) -> None:
    sets = {"B": {1, 2}, "A": {2, 3}, "C": {4, 5}, "D": {1}}
    bounds = {key: len(s) for key, s in sets.items()} | {loose: 9}
    picks, _, _ = await run_lazy(sets, bounds, set(), 5, 1)
    assert picks == plain_greedy(sets, set(), 5)[0] == [("A", 2), ("C", 2), ("B", 1)]


async def test_it_stops_when_the_best_adds_nothing() -> None:
    sets = {"A": {1, 2}, "B": {1}, "C": set(), "D": {2}}
    picks, evaluations, plain = await run_lazy(sets, {k: 5 for k in sets}, set(), 10, 2)
    assert picks == [("A", 2)]
    assert plain == 4 + 3  # the round that picked A, and the round that found nothing
    assert evaluations < plain


async def test_a_reached_start_leaves_only_new_customers() -> None:
    sets = {"A": {1, 2, 3}, "B": {4}, "C": {5, 6}}
    picks, _, _ = await run_lazy(sets, {k: len(s) for k, s in sets.items()}, {1, 2, 3}, 5, 8)
    assert picks == [("C", 2), ("B", 1)]


async def test_the_lazy_greedy_saves_most_evaluations_on_a_large_system() -> None:
    rng = random.Random(7)
    sets = {f"P{i:05d}": set(rng.sample(range(20_000), rng.randint(0, 400))) for i in range(3_000)}
    bounds = {key: len(s) for key, s in sets.items()}
    picks, evaluations, plain = await run_lazy(sets, bounds, set(), 10, 32)
    assert picks == plain_greedy(sets, set(), 10)[0]
    assert plain == sum(3_000 - i for i in range(10))
    assert evaluations * 20 < plain, (evaluations, plain)
