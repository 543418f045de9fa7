"""Co-selling plan progress: one plan's progress as of a day, through GraphQL
(`coSellPlan(key) { progress(asOf) }`) and as the one Cypher query that answers it (the floor).

Generated bundles hold no plans, so the preparation makes one itself, idempotently (MERGE, by
parameterised Cypher), and changes nothing else: `BENCH-PLAN5`, running through 2026, with five
members — the three distributors with the most partners below them (the largest first; on
medium each has 40 or more) and, up to five, the other partners holding the most accounts — and
three campaigns: its own `BENCH-PLAN5-K` (the five members take part) and the two campaigns with
the most participants. Its progress is asked as of four days in and around its window.
`python -m bench plan-progress` times the graph function (`progress_by_keys`, what the API will
call) against the floor, interleaved, without the API.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from neo4j import READ_ACCESS, Driver, GraphDatabase, RoutingControl

from bench.scenarios import Args, Scenario
from graph.analytics.plan_progress import PROGRESS_BY_KEYS, progress_by_keys, progress_params
from graph.db import Graph

PLAN = "BENCH-PLAN5"
CAMPAIGN = "BENCH-PLAN5-K"
STARTS, ENDS = date(2026, 1, 1), date(2026, 12, 31)
AS_OF = (date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 1), date(2027, 1, 31))

# Out: key, the distributors with the most partners below them (ties: key), largest first.
LARGEST_DISTRIBUTORS = """
MATCH (p:Partner) WHERE NOT (p)-[:SUB_PARTNER_OF]->() AND (p)<-[:SUB_PARTNER_OF]-()
CALL (p) { MATCH (q:Partner)-[:SUB_PARTNER_OF*1..]->(p) RETURN count(DISTINCT q) AS below }
RETURN p.key AS key ORDER BY below DESC, key LIMIT 3
"""
# Out: key, the partners holding the most accounts (ties: key), most first.
MOST_ACCOUNTS = """
MATCH (p:Partner)
RETURN p.key AS key ORDER BY COUNT { (p)-[:HAS_ACCOUNT]->() } DESC, key LIMIT 5
"""
# Out: key, the campaigns with the most participants (ties: key).
LARGEST_CAMPAIGNS = """
MATCH (k:Campaign) WHERE k.key <> $campaign
RETURN k.key AS key ORDER BY COUNT { (k)<-[:PARTICIPATES_IN]-() } DESC, key LIMIT 2
"""
# In: $plan, $campaign, $members, $campaigns (keys), $starts, $ends.
MAKE_PLAN = """
MERGE (plan:CoSellPlan {key: $plan})
ON CREATE SET plan.name = 'Bench plan of five', plan.startsOn = $starts, plan.endsOn = $ends,
  plan.targetAmount = 5000000.0, plan.targetDeals = 100, plan.targetIndustries = [],
  plan.targetRegions = []
MERGE (own:Campaign {key: $campaign})
ON CREATE SET own.name = 'Bench plan campaign', own.nameLower = 'bench plan campaign',
  own.startsOn = $starts, own.endsOn = $ends, own.targetIndustries = [], own.targetRegions = []
WITH plan, own
CALL (plan, own) {
  UNWIND $members AS key
  MATCH (p:Partner {key: key})
  MERGE (p)-[m:MEMBER_OF]->(plan)
  ON CREATE SET m.responsibilities = ['joint pipeline'], m.mdfCommitted = 25000.0
  MERGE (p)-[:PARTICIPATES_IN]->(own)
}
CALL (plan) {
  UNWIND $campaigns AS key
  MATCH (k:Campaign {key: key})
  MERGE (plan)-[:PROMOTED_BY]->(k)
}
"""
FIELDS = "wonAmount wonDeals pipelineAmount pipelineDeals"
PROGRESS = f"""query($plan: String!, $asOf: Date) {{ coSellPlan(key: $plan) {{
  progress(asOf: $asOf) {{ {FIELDS} attainment expectedByNow onTrack
    byMember {{ partner {{ key }} {FIELDS} }} campaignInfluenced {{ {FIELDS} }} }} }} }}"""


def _keys(driver: Driver, database: str, query: str, **params: Any) -> list[str]:
    records, _, _ = driver.execute_query(
        query, params, database_=database, routing_=RoutingControl.READ
    )
    return [record["key"] for record in records]


def make_plan(driver: Driver, database: str, rng: random.Random | None = None) -> list[Args]:
    """Make BENCH-PLAN5 (once; again changes nothing): the argument sets to time."""
    members = _keys(driver, database, LARGEST_DISTRIBUTORS)
    holders = [key for key in _keys(driver, database, MOST_ACCOUNTS) if key not in members]
    members += holders[: 5 - len(members)]
    campaigns = [CAMPAIGN, *_keys(driver, database, LARGEST_CAMPAIGNS, campaign=CAMPAIGN)]
    params = {"plan": PLAN, "campaign": CAMPAIGN, "members": members, "campaigns": campaigns}
    driver.execute_query(
        MAKE_PLAN,
        {**params, "starts": STARTS, "ends": ENDS},
        database_=database,
        routing_=RoutingControl.WRITE,
    )
    return [{"plan": PLAN, "asOf": as_of} for as_of in AS_OF]


PLAN_SCENARIOS = (
    Scenario(
        name="CoSellPlan.progress",
        graphql=PROGRESS,
        cypher=PROGRESS_BY_KEYS,
        pick=make_plan,
        note="a five-member plan (the largest distributor's tree among them) as of four days",
        variables=lambda args: {"plan": args["plan"], "asOf": args["asOf"].isoformat()},
        params=lambda args: progress_params([args["plan"]], args["asOf"]),
    ),
)


async def timings(uri: str, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    """`progress_by_keys` through the project's async Graph and the floor through the
    synchronous driver, request by request in turn: the ms of each, warm-up left out."""
    driver = GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF")
    graph = Graph.connect(uri, "neo4j", "", "neo4j")
    function: list[float] = []
    floor: list[float] = []
    try:
        args = make_plan(driver, "neo4j")
        for index in range(warmup + runs):
            chosen = args[index % len(args)]
            began = time.perf_counter()
            found = await progress_by_keys(graph, [PLAN], chosen["asOf"])
            function_ms = (time.perf_counter() - began) * 1000
            if PLAN not in found:
                raise SystemExit(f"{PLAN} has no progress: {found}")
            began = time.perf_counter()
            with driver.session(database="neo4j", default_access_mode=READ_ACCESS) as session:
                list(session.run(PROGRESS_BY_KEYS, progress_params([PLAN], chosen["asOf"])))
            floor_ms = (time.perf_counter() - began) * 1000
            if index >= warmup:
                function.append(function_ms)
                floor.append(floor_ms)
    finally:
        await graph.close()
        driver.close()
    return function, floor
