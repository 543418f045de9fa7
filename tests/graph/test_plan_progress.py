"""Co-selling plan progress against the plain-Python oracle (tests/plan_oracle.py), over worlds
with a random part and a crafted part holding every boundary case (tests/plan_world.py), asked
as of days before, on, inside and after every plan's window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
import pytest_asyncio
from plan_oracle import FLOATS, INTS, World, in_pipeline, is_won, mismatches, oracle, reach, team
from plan_world import END, START, T0, as_of_days, crafted_deals, world_of, write_world
from support import wipe

from graph.analytics.plan_progress import progress_by_keys
from graph.db import Graph, RoundTrips


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=[1, 2, 3])
async def world(graph: Graph, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    await wipe(graph)
    made = world_of(request.param)
    await write_world(graph, made)
    yield made
    await wipe(graph)


async def test_every_plan_on_every_day_matches_the_oracle(graph: Graph, world: World) -> None:
    keys = [*sorted(world.plans), "NO-SUCH-PLAN"]
    for as_of in as_of_days(world):
        got = await progress_by_keys(graph, keys, as_of)
        expected = oracle(world, as_of)
        assert set(got) == set(expected), as_of
        wrong = {key: mismatches(got[key], expected[key]) for key in expected}
        assert not any(wrong.values()), (as_of, {k: w for k, w in wrong.items() if w})


async def test_the_figures_are_typed_and_zero_when_there_is_nothing(
    graph: Graph, world: World
) -> None:
    before = min(plan.starts for plan in world.plans.values()) - timedelta(days=30)
    got = await progress_by_keys(graph, sorted(world.plans), before)
    for progress in got.values():
        parts = [progress, progress["campaignInfluenced"], *progress["byMember"]]
        assert all(isinstance(part[f], float) and part[f] == 0.0 for part in parts for f in FLOATS)
        assert all(isinstance(part[f], int) and part[f] == 0 for part in parts for f in INTS)
        assert progress["expectedByNow"] == 0.0 and progress["onTrack"] is True


async def test_a_batch_of_plans_is_one_round_trip(graph: Graph, world: World) -> None:
    with RoundTrips() as trips:
        got = await progress_by_keys(graph, sorted(world.plans), T0)
    assert trips.count == 1 and set(got) == set(world.plans)
    assert await progress_by_keys(graph, [], T0) == {}


async def test_the_world_has_every_case(world: World) -> None:
    """The cases the comparison must meet are in the world, as DESIGN.md reads them (this pins
    the oracle to the definitions; the comparison above pins the query to the oracle)."""
    plan = world.plans["XPLAN"]
    deals = {deal.key: deal for deal in crafted_deals()}

    def counted(as_of: date) -> set[str]:
        return {
            k for k, d in deals.items() if is_won(plan, d, as_of) or in_pipeline(plan, d, as_of)
        }

    at_t0 = counted(T0)
    assert {"XW-START", "XW-T0", "XW-NOAMOUNT", "XP-START", "XP-T0"} <= at_t0
    assert not {"XW-END", "XW-T0+1", "XW-BEFORE", "XW-NOCLOSE", "XP-BEFORE", "XP-T0+1"} & at_t0
    assert not {"XP-LAPSED", "XP-REJECTED", "XW-DIST-LOST"} & at_t0
    assert {"XW-END", "XP-END"} <= counted(END) and "XP-T0" not in counted(END)
    assert not {"XW-AFTER", "XP-AFTER"} & counted(END + timedelta(days=5))
    assert counted(START - timedelta(days=1)) == set()
    # A distributor whose resellers make every sale; a sub-partner under two members.
    assert not any(d.partner == "XDIST" for d in world.deals)
    assert "XSHARED" in team(world, "XDIST") & team(world, "XM2")
    # Reached on the day the campaign started, or by a direct sub-partner; not by a grandchild,
    # a campaign targeting another industry, or one that started the day after.
    k = world.campaigns
    assert k["XK-ON"].starts == deals["XI-ON"].registered
    on = reach(world, k["XK-ON"])
    assert {"XC-K1", "XC-K5"} <= on and "XC-K4" not in on
    assert k["XK-LATE"].starts == deals["XI-LATE"].registered + timedelta(days=1)
    assert not {"XC-K3", "XC-NONE"} & reach(world, k["XK-TARGET"])  # Retail, no industry
    assert "XC-K5" not in reach(world, k["XK-EMEA"])  # no region
    expected = oracle(world, T0)
    assert expected["XPLAN"]["campaignInfluenced"]["wonDeals"] == 2  # XI-ON, XI-CHILD
    assert expected["XPLAN"]["campaignInfluenced"]["pipelineDeals"] == 1  # XI-LATE-ON
    assert world.plans["PLAN0"].members == [] and world.plans["PLAN1"].campaigns == []
    assert world.plans["XPLAN-R"].campaigns == []
