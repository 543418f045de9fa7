"""Tier-review scenarios: pages of tierReview and Partner.tierReview, and the walk through every
page (`python -m bench tier-walk`).

A bundle generated before bundles carried `closed_on` loads deals without closedOn, and every
review is then empty: `ensure_closed` gives each WON and LOST deal one first (only while no deal
has one; in one Cypher statement run in batches), a day drawn from its key within 0-119 days
after it was registered and never after the generator's today. The floor is the one Cypher
query the API sends for the page (graph.analytics.tier_review.TIER_REVIEW_PAGE); the API reads
the program in force first.
"""

from __future__ import annotations

import random
import time
from typing import Any

from neo4j import Driver, RoutingControl

from bench.scenarios import Args, Scenario, walk_pages
from graph.analytics.tier_review import TIER_REVIEW_PAGE, TIER_REVIEWS_BY_KEYS, review_params
from graph.ingest.generate import TODAY
from graph.paging import encode_cursor, made_under
from graph.program import DEFAULT
from resolvers.node import encode_id

AS_OF = TODAY  # the generator's today: its deals were registered in the 540 days before it
FIELDS = "current qualified change sales wonDeals nextTier salesToNext dealsToNext"
PAGE = f"""query($after: String, $change: TierChange, $asOf: Date) {{
  tierReview(first: 100, after: $after, change: $change, asOf: $asOf) {{
    pageInfo {{ endCursor hasNextPage }}
    edges {{ cursor node {{ partner {{ key name tier }} {FIELDS} }} }} }} }}"""
NESTED = f"""query($asOf: Date, $ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Partner {{
  key tierReview(asOf: $asOf) {{ {FIELDS} }} }} }} }}"""

# Each WON or LOST deal without closedOn: a day after registeredOn drawn from its key's digits,
# capped at $today. Run only while no deal has one (bundles that carry closed_on keep theirs).
CLOSE = """
MATCH (d:Deal) WHERE d.status IN ['WON', 'LOST'] AND d.closedOn IS NULL
CALL (d) {
  WITH d, reduce(n = 0, ch IN split(d.key, '') |
    CASE WHEN '0' <= ch <= '9' THEN (n * 10 + toInteger(ch)) % 1000003 ELSE n END) % 120 AS days
  WITH d, d.registeredOn + duration({days: days}) AS on
  SET d.closedOn = CASE WHEN on > $today THEN $today ELSE on END
} IN TRANSACTIONS OF 10000 ROWS
"""
ANY_CLOSED = "MATCH (d:Deal) WHERE d.closedOn IS NOT NULL RETURN count(d) > 0 AS closed LIMIT 1"


def ensure_closed(driver: Driver, database: str) -> None:
    records, _, _ = driver.execute_query(
        ANY_CLOSED, database_=database, routing_=RoutingControl.READ
    )
    if records[0]["closed"]:
        return
    began = time.perf_counter()
    with driver.session(database=database) as session:
        session.run(CLOSE, {"today": TODAY}).consume()  # IN TRANSACTIONS: an implicit one
    print(f"gave WON and LOST deals a closedOn in {time.perf_counter() - began:.1f} s")


def partner_keys(driver: Driver, database: str) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (p:Partner) RETURN p.key AS key ORDER BY key",
        database_=database,
        routing_=RoutingControl.READ,
    )
    return [record["key"] for record in records]


def _random_pages(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """100 pages, each starting after a partner drawn at random."""
    ensure_closed(driver, database)
    keys = partner_keys(driver, database)
    return [{"after": key, "change": None} for key in rng.sample(keys, min(100, len(keys)))]


def _first_upgrades(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    ensure_closed(driver, database)
    return [{"after": "", "change": "UPGRADE"}]


def _under(change: str | None) -> str:
    return made_under("tierReview", change, AS_OF.isoformat(), None)


def _variables(args: Args) -> Args:
    after = args["after"]
    cursor = encode_cursor([after], _under(args["change"])) if after else None
    return {"after": cursor, "change": args["change"], "asOf": AS_OF.isoformat()}


def _params(args: Args) -> Args:
    judged = review_params(list(DEFAULT), AS_OF, args["change"])
    return {**judged, "after": args["after"], "only": None, "limit": 101}


def _nested_variables(args: Args) -> Args:
    return {"asOf": AS_OF.isoformat(), "ids": [encode_id("Partner", key) for key in args["keys"]]}


def _nested_params(args: Args) -> Args:
    return {**_params({"after": "", "change": None}), "keys": args["keys"]}


def _random_hundreds(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """Ten sets of 100 partners drawn at random."""
    ensure_closed(driver, database)
    keys = partner_keys(driver, database)
    return [{"change": None, "keys": rng.sample(keys, min(100, len(keys)))} for _ in range(10)]


TIER_SCENARIOS = (
    Scenario(
        name="tierReview page",
        graphql=PAGE,
        cypher=TIER_REVIEW_PAGE,
        pick=_random_pages,
        note="100 reviews after a random partner, as staff",
        variables=_variables,
        params=_params,
    ),
    Scenario(
        name="tierReview UPGRADE page",
        graphql=PAGE,
        cypher=TIER_REVIEW_PAGE,
        pick=_first_upgrades,
        note="the first 100 partners whose sales qualify them for a higher tier",
        variables=_variables,
        params=_params,
    ),
    Scenario(
        name="Partner.tierReview 100",
        graphql=NESTED,
        cypher=TIER_REVIEWS_BY_KEYS,
        pick=_random_hundreds,
        note="100 partners by ID (nodes), each with its review: one query for all of them",
        variables=_nested_variables,
        params=_nested_params,
    ),
)


def walk(client: Any, change: str | None = None) -> tuple[float, int, int]:
    """Every review, 100 a page, each page after the last: seconds, rows, pages."""
    variables = {"change": change, "asOf": AS_OF.isoformat()}
    return walk_pages(client, PAGE, variables, "tierReview")


APPLY = """mutation($input: TierApplyInput!) { tierApply(input: $input) {
  changes { partner { key } } userErrors { field message } } }"""
TIERS = "UNWIND $keys AS key MATCH (p:Partner {key: key}) RETURN p.key AS key, p.tier AS tier"
# What an apply changed, undone: the tiers as they were, and the changes it recorded.
UNDO = """
UNWIND $rows AS row
MATCH (p:Partner {key: row.key})
SET p.tier = row.tier
WITH p
MATCH (p)-[:TIER_CHANGED]->(c:TierChange)
DETACH DELETE c
"""


def apply_once(client: Any, driver: Driver, database: str, keys: list[str]) -> tuple[float, int]:
    """tierApply for `keys` over HTTP, timed, then undone: seconds, partners moved."""
    tiers, _, _ = driver.execute_query(TIERS, {"keys": keys}, database_=database)
    ids = [encode_id("Partner", key) for key in keys]
    variables = {"input": {"partners": ids, "asOf": AS_OF.isoformat()}}
    began = time.perf_counter()
    response = client.post("/graphql", json={"query": APPLY, "variables": variables})
    seconds = time.perf_counter() - began
    body = response.json()
    if response.status_code != 200 or body.get("errors") or body["data"]["tierApply"]["userErrors"]:
        raise SystemExit(f"tier apply: {response.status_code} {body}")
    rows = [{"key": r["key"], "tier": r["tier"]} for r in tiers]
    driver.execute_query(UNDO, {"rows": rows}, database_=database)
    return seconds, len(body["data"]["tierApply"]["changes"])
