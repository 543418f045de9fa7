"""CoSellPlan.progress through the API, against the plain-Python oracle (tests/plan_oracle.py)
over the worlds of tests/plan_world.py: every plan of a page as of days around every plan's
window, in a fixed number of round trips; a member partner sees the totals and its own row of
byMember alone, audited; another partner sees nothing of the plan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from plan_oracle import World, mismatches, oracle
from plan_world import T0, as_of_days, world_of, write_world
from support import ask, partner_viewer, trail_events, wipe

from graph.audit import AuditTrail
from graph.db import Graph
from resolvers.context import Context
from resolvers.schema import schema

FIGURES = "wonAmount wonDeals pipelineAmount pipelineDeals"
PROGRESS = f"""progress(asOf: $asOf) {{ {FIGURES} attainment expectedByNow onTrack
  byMember {{ partner {{ key }} {FIGURES} }} campaignInfluenced {{ {FIGURES} }} }}"""
PAGE = f"""query($asOf: Date) {{ coSellPlans(first: 100) {{ totalCount nodes {{ key {PROGRESS} }} }} }}"""
ONE = f"""query($key: String!, $asOf: Date) {{ coSellPlan(key: $key) {{ key {PROGRESS} }} }}"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph) -> AsyncIterator[World]:
    await wipe(graph)
    made = world_of(2)
    await write_world(graph, made)
    yield made
    await wipe(graph)


def as_graph(progress: dict[str, Any]) -> dict[str, Any]:
    """The API's progress shaped as the oracle's (byMember partners by key)."""
    members = [{**row, "partner": row["partner"]["key"]} for row in progress["byMember"]]
    return {**progress, "byMember": members}


async def test_a_page_of_plans_matches_the_oracle_on_every_day(graph: Graph, world: World) -> None:
    for as_of in as_of_days(world):
        answer = await ask(graph, PAGE, {"asOf": as_of.isoformat()})
        assert not answer.errors, answer.errors
        # the page, its count, its plans' progress in one batch, the byMember partners in one
        assert answer.round_trips == 4, answer.round_trips
        expected = oracle(world, as_of)
        got = {n["key"]: as_graph(n["progress"]) for n in answer.data["coSellPlans"]["nodes"]}
        assert set(got) == set(expected)
        wrong = {key: mismatches(got[key], expected[key]) for key in expected}
        assert not any(wrong.values()), (as_of, {k: w for k, w in wrong.items() if w})


async def test_a_member_sees_the_totals_and_its_own_row(
    graph: Graph, world: World, trail: AuditTrail
) -> None:
    plan = world.plans["XPLAN"]
    assert len(plan.members) >= 2
    expected = oracle(world, T0)["XPLAN"]
    for member in plan.members:
        context = Context(graph, partner_viewer(member), trail=trail)
        result = await schema.execute(
            ONE, variable_values={"key": "XPLAN", "asOf": T0.isoformat()}, context_value=context
        )
        assert not result.errors, result.errors
        got = as_graph(result.data["coSellPlan"]["progress"])
        own = [row for row in expected["byMember"] if row["partner"] == member]
        assert not mismatches(got, {**expected, "byMember": own}), member
    events, total, _ = await trail_events(trail)
    assert total == 2 * len(plan.members)  # the plan read, and its progress
    assert {(e.viewer, e.operation) for e in events} == {
        (m, op) for m in plan.members for op in ("coSellPlan", "coSellPlan.progress")
    }
    assert all(e.partners == tuple(sorted(plan.members)) and e.allowed for e in events)


async def test_another_partner_sees_nothing_of_the_plan(graph: Graph, world: World) -> None:
    plan = world.plans["XPLAN"]
    outsider = next(p for p in world.partners if p not in plan.members)
    answer = await ask(graph, ONE, {"key": "XPLAN", "asOf": None}, partner_viewer(outsider))
    assert answer.codes == ["NOT_FOUND"] and answer.data == {"coSellPlan": None}
    listed = await ask(graph, PAGE, {"asOf": None}, partner_viewer(outsider))
    keys = [n["key"] for n in listed.data["coSellPlans"]["nodes"]]
    assert keys == sorted(k for k, p in world.plans.items() if outsider in p.members)


async def test_progress_as_of_today_by_default(graph: Graph, world: World) -> None:
    from graph.access import today

    asked = await ask(graph, ONE, {"key": "XPLAN", "asOf": None})
    on_today = await ask(graph, ONE, {"key": "XPLAN", "asOf": today().isoformat()})
    assert asked.data == on_today.data and not asked.errors
    far = await ask(graph, ONE, {"key": "XPLAN", "asOf": (T0 + timedelta(days=3650)).isoformat()})
    progress = far.data["coSellPlan"]["progress"]
    assert progress["expectedByNow"] == world.plans["XPLAN"].target  # the whole plan is due
