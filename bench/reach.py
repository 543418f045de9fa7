"""Campaign-reach scenarios: campaignReach of a 50-partner campaign at depth 2, and planReach of
200 random partners at depth 1, over HTTP against the summary query through the driver.

Medium's campaigns have at most 15 participants, so the pick step makes the 50-partner one
itself, idempotently: it MERGEs the campaign `BENCH-K50` and the PARTICIPATES_IN of 50 partners
drawn with a fixed seed, and changes nothing else.
"""

from __future__ import annotations

import random

from neo4j import Driver, RoutingControl

from bench.scenarios import Args, Scenario
from graph.analytics.reach import SUMMARIES, Scope
from resolvers.node import encode_id

BENCH_CAMPAIGN = "BENCH-K50"
EVERY_STATUS = ("CUSTOMER", "OPPORTUNITY", "PROSPECT")
PARTNERS = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key"
MAKE_CAMPAIGN = """
MERGE (k:Campaign {key: $campaign})
ON CREATE SET k.name = 'Bench 50 partners', k.nameLower = 'bench 50 partners',
  k.startsOn = date('2026-01-01'), k.targetIndustries = [], k.targetRegions = []
WITH k
UNWIND $partners AS key
MATCH (p:Partner {key: key})
MERGE (p)-[:PARTICIPATES_IN]->(k)
"""
FIELDS = """total overlapShare participants { partner { key } reach exclusive }
  byIndustry { segment customers } byRegion { segment customers }"""
CAMPAIGN_REACH = f"""query($campaign: ID!) {{
  campaignReach(campaign: $campaign, depth: 2) {{ {FIELDS} }} }}"""
PLAN_REACH = f"""query($partners: [ID!]!) {{
  planReach(partners: $partners, depth: 1) {{ {FIELDS} }} }}"""


def _keys(driver: Driver, database: str) -> list[str]:
    records, _, _ = driver.execute_query(PARTNERS, database_=database, routing_=RoutingControl.READ)
    return [record["key"] for record in records]


def fifty_partner_campaign(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    partners = sorted(random.Random(50).sample(_keys(driver, database), 50))
    driver.execute_query(
        MAKE_CAMPAIGN,
        {"campaign": BENCH_CAMPAIGN, "partners": partners},
        database_=database,
        routing_=RoutingControl.WRITE,
    )
    return [{"campaign": BENCH_CAMPAIGN, "partners": partners}]


def random_two_hundreds(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = _keys(driver, database)
    return [{"partners": sorted(rng.sample(keys, 200))} for _ in range(20)]


def _campaign_params(args: Args) -> Args:
    return Scope(tuple(args["partners"]), 2, EVERY_STATUS).params()


def _plan_params(args: Args) -> Args:
    return Scope(tuple(args["partners"]), 1, EVERY_STATUS).params()


REACH_SCENARIOS = (
    Scenario(
        name="campaignReach 50",
        graphql=CAMPAIGN_REACH,
        cypher=SUMMARIES[2],
        pick=fifty_partner_campaign,
        note="a 50-partner campaign (BENCH-K50) at depth 2: totals, participants, segments",
        variables=lambda args: {"campaign": encode_id("Campaign", args["campaign"])},
        params=_campaign_params,
    ),
    Scenario(
        name="planReach 200",
        graphql=PLAN_REACH,
        cypher=SUMMARIES[1],
        pick=random_two_hundreds,
        note="200 random partners at depth 1: totals, participants, segments",
        variables=lambda args: {"partners": [encode_id("Partner", p) for p in args["partners"]]},
        params=_plan_params,
    ),
)
