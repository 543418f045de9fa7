"""The influenced-revenue scenarios time what the API answers: their floor computes the table
whose rows the API's page shows, and the walk reads every row once."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from neo4j import GraphDatabase
from starlette.testclient import TestClient
from support import ask

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from bench.impact import IMPACT_SCENARIOS, one_year, walk
from bench.scenarios import Scenario
from graph.analytics.impact import Table
from graph.db import Graph
from graph.ingest.generate import TODAY


@pytest.mark.parametrize("scenario", IMPACT_SCENARIOS, ids=lambda s: s.name)
async def test_the_floor_answers_what_the_api_does(
    loaded: Graph, settings: Settings, scenario: Scenario
) -> None:
    def picked() -> list[dict[str, Any]]:
        with GraphDatabase.driver(settings.bolt_uri, auth=None) as driver:
            return scenario.pick(driver, "neo4j", random.Random(1))

    compared = 0
    for args in (await asyncio.to_thread(picked))[:10]:
        answer = await ask(loaded, scenario.graphql, scenario.variables(args))
        assert answer.errors == [], answer.errors
        edges = answer.data["partnerImpact"]["edges"]
        record = (await loaded.read(scenario.cypher, scenario.params(args)))[0]
        table = Table.of(
            record["closedDeals"], record["wonDeals"], record["sourced"], record["influenced"]
        )
        keys = [row["key"] for row in table.rows]
        begin = keys.index(edges[0]["node"]["partner"]["key"]) if edges else len(keys)
        if scenario.variables(args)["after"] is None:
            assert begin == 0
        assert [edge["node"]["partner"]["key"] for edge in edges] == keys[begin : begin + 100]
        assert answer.data["partnerImpact"]["baselineWinRate"] == table.baseline_win_rate
        compared += len(edges)
    assert compared > 0


def test_the_walk_reads_every_row_once(loaded: Graph, settings: Settings) -> None:
    token = Tokens(settings).mint("admin")
    start, end = one_year(TODAY)
    count = "query($from: Date!, $to: Date!) { partnerImpact(from: $from, to: $to) { totalCount } }"
    variables = {"from": start.isoformat(), "to": end.isoformat()}
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        seconds, rows, pages = walk(client, TODAY)
        answer = client.post("/graphql", json={"query": count, "variables": variables}).json()
    total = answer["data"]["partnerImpact"]["totalCount"]
    assert rows == total > 0 and pages == (total + 99) // 100 and seconds > 0
