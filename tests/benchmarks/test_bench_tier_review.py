"""The tier-review scenarios time what the API answers: their floor returns the same reviews;
the bench closes the loaded deals once when none has a closedOn (a bundle made before bundles
carried closed_on), and leaves a bundle's own closing days alone."""

from __future__ import annotations

import asyncio
import random

import pytest
from neo4j import GraphDatabase
from support import ask

from api.settings import Settings
from bench.scenarios import Scenario
from bench.tier_review import AS_OF, TIER_SCENARIOS, ensure_closed
from graph.db import Graph

CLOSED = """
MATCH (d:Deal) WHERE d.status IN ['WON', 'LOST']
RETURN count(d) AS closing, count(d.closedOn) AS closed, max(d.closedOn) AS last,
       count(CASE WHEN d.closedOn < d.registeredOn THEN 1 END) AS early
"""


def _closed_twice(uri: str) -> None:
    with GraphDatabase.driver(uri, auth=None) as driver:
        ensure_closed(driver, "neo4j")
        ensure_closed(driver, "neo4j")  # a second time changes nothing


@pytest.mark.parametrize("scenario", TIER_SCENARIOS, ids=lambda s: s.name)
async def test_the_floor_answers_what_the_api_does(
    loaded: Graph, settings: Settings, scenario: Scenario
) -> None:
    own = (await loaded.read(CLOSED))[0]
    assert 0 < own["closed"] < own["closing"]  # the generator leaves a few without one
    await asyncio.to_thread(_closed_twice, settings.bolt_uri)
    assert (await loaded.read(CLOSED))[0] == own  # the bundle's own closing days are kept
    await loaded.write("MATCH (d:Deal) REMOVE d.closedOn")  # as an older bundle loads
    await asyncio.to_thread(_closed_twice, settings.bolt_uri)
    closed = (await loaded.read(CLOSED))[0]
    assert closed["closing"] == closed["closed"] > 0
    assert closed["last"].to_native() <= AS_OF and closed["early"] == 0

    def picked() -> list[dict[str, object]]:
        with GraphDatabase.driver(settings.bolt_uri, auth=None) as driver:
            return scenario.pick(driver, "neo4j", random.Random(1))

    compared = 0
    for args in await asyncio.to_thread(picked):
        answer = await ask(loaded, scenario.graphql, scenario.variables(args))
        assert answer.errors == []
        if "tierReview" in answer.data:
            edges = answer.data["tierReview"]["edges"]
            api = {edge["node"]["partner"]["key"]: edge["node"] for edge in edges}
        else:
            api = {node["key"]: node["tierReview"] for node in answer.data["nodes"]}
        floor = await loaded.read(scenario.cypher, scenario.params(args))
        expected = {record["key"]: record["review"] for record in floor[:100]}
        assert list(api) == list(expected)
        for key, review in expected.items():
            for field in ("current", "qualified", "change", "sales", "wonDeals", "nextTier"):
                assert api[key][field] == review[field]
        compared += len(api)
    assert compared > 0
