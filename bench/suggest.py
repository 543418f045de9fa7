"""Partner suggestions: first 5 picks over every partner not taking part, for the generated
campaign with the most participants (then the smallest key), depth 1, over HTTP.

No single Cypher query answers the greedy (it reads reach sets round by round), so the floor is
its fixed cost: the one query reading every candidate's bound. `python -m bench.suggest` runs the
same question in-process against the bench's Neo4j and prints the gain evaluations the lazy
greedy made against the plain greedy's (every candidate left, every round).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from neo4j import Driver, RoutingControl

from bench.scenarios import Args, Scenario
from graph.analytics import suggest
from graph.db import Graph
from graph.model import AccountStatus
from resolvers.node import encode_id

FIRST, DEPTH = 5, 1
GRAPHQL = """query($campaign: ID!) {
  suggestPartners(campaign: $campaign, first: 5, depth: 1) { partner { key name } addedReach } }"""
# Of the generated campaigns (other scenarios add their own BENCH-… ones).
LARGEST_CAMPAIGN = """MATCH (k:Campaign) WHERE NOT k.key STARTS WITH 'BENCH-'
WITH k, [(p:Partner)-[:PARTICIPATES_IN]->(k) | p.key] AS taking
RETURN k.key AS key, taking ORDER BY size(taking) DESC, key LIMIT 1"""


def largest_campaign(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    records, _, _ = driver.execute_query(
        LARGEST_CAMPAIGN, database_=database, routing_=RoutingControl.READ
    )
    return [{"campaign": records[0]["key"], "taking": sorted(records[0]["taking"])}]


SUGGEST_SCENARIOS = (
    Scenario(
        name="suggestPartners 5",
        graphql=GRAPHQL,
        cypher=suggest.BOUNDS[DEPTH],
        pick=largest_campaign,
        note="first 5 over all candidates, the campaign with the most participants, depth 1",
        variables=lambda args: {"campaign": encode_id("Campaign", args["campaign"])},
        params=lambda args: {"taking": args["taking"], "allowed": None, "held": None},
    ),
)


async def evaluations(uri: str, campaign: str | None, rounds: int) -> None:
    graph = Graph.connect(uri, "neo4j", "", "neo4j")
    try:
        if campaign is None:
            records = await graph.read(LARGEST_CAMPAIGN)
            campaign = records[0]["key"]
        plan = await suggest.campaign_plan(graph, campaign, None)
        assert plan is not None, f"no campaign {campaign!r}"
        statuses = [status.value for status in AccountStatus]
        for _ in range(rounds):
            began = time.perf_counter()
            found = await suggest.suggest_partners(graph, plan, FIRST, DEPTH, statuses, None)
            seconds = time.perf_counter() - began
            print(
                f"{campaign} ({len(plan.partners)} participants, targets {plan.industries} "
                f"{plan.regions}): {seconds:.2f} s, {found.candidates:,} candidates, "
                f"{found.evaluations:,} gain evaluations "
                f"(plain greedy {found.plain_evaluations:,}), "
                f"{found.sets_read:,} reach sets read; picks {found.picks}"
            )
    finally:
        await graph.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.suggest", description=__doc__)
    parser.add_argument("--uri", default="bolt://127.0.0.1:7689")
    parser.add_argument("--campaign", help="a campaign key (default: the most participants)")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(evaluations(options.uri, options.campaign, options.rounds))


if __name__ == "__main__":
    main()
