"""The plan-progress bench makes its plan once (a second preparation changes nothing), and its
floor, the Cypher through the synchronous driver, answers what the graph function does."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from neo4j import GraphDatabase
from support import census, wipe, wipe_and_load

from api.settings import Settings
from bench.plan_progress import CAMPAIGN, PLAN, PLAN_SCENARIOS
from graph.analytics.plan_progress import progress_by_keys
from graph.db import Graph

SHAPE = """
MATCH (plan:CoSellPlan {key: $plan})
RETURN COUNT { (plan)<-[:MEMBER_OF]-() } AS members,
       COUNT { (plan)-[:PROMOTED_BY]->() } AS campaigns,
       COUNT { (:Campaign {key: $campaign})<-[:PARTICIPATES_IN]-() } AS participants
"""


@pytest_asyncio.fixture(loop_scope="session")
async def loaded(graph: Graph, tmp_path: Path) -> AsyncIterator[Graph]:
    await wipe_and_load(graph, tmp_path, seed=4)
    yield graph
    await wipe(graph)


def _prepare_and_read(uri: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Prepare the plan; the argument sets, and the floor's answer for each."""
    scenario = PLAN_SCENARIOS[0]
    with GraphDatabase.driver(uri, auth=None) as driver:
        args = scenario.pick(driver, "neo4j", random.Random(1))
        answers = []
        for chosen in args:
            records, _, _ = driver.execute_query(
                scenario.cypher, scenario.params(chosen), database_="neo4j"
            )
            answers.append({r["key"]: r["progress"] for r in records})
    return args, answers


async def test_the_plan_is_made_once_and_the_floor_answers_as_the_function(
    loaded: Graph, settings: Settings
) -> None:
    before = await census(loaded)
    args, answers = await asyncio.to_thread(_prepare_and_read, settings.bolt_uri)
    once = await census(loaded)
    assert (await asyncio.to_thread(_prepare_and_read, settings.bolt_uri))[1] == answers
    assert await census(loaded) == once != before
    shape = (await loaded.read(SHAPE, {"plan": PLAN, "campaign": CAMPAIGN}))[0]
    assert shape["members"] == shape["participants"] == 5 and shape["campaigns"] == 3
    for chosen, floor in zip(args, answers, strict=True):
        assert floor == await progress_by_keys(loaded, [PLAN], chosen["asOf"])
    assert any(floor[PLAN]["wonDeals"] + floor[PLAN]["pipelineDeals"] for floor in answers)
