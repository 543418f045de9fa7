"""Overlap scenarios: the API's answer over HTTP against the same Cypher through the driver.

"Typical" partners hold between half and twice the median number of accounts; "largest" are
the partners with the most accounts.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from neo4j import Driver, RoutingControl

from bench.scenarios import Args, Scenario
from graph.analytics.overlap import EVERY_STATUS, PROBE_RATIO
from graph.analytics.overlap_queries import OVERLAP
from graph.analytics.overlap_rankings import COMMON_ACCOUNTS, OVERLAP_MATRIX, TOP_OVERLAPS
from resolvers.node import encode_id

SIZES = "MATCH (p:Partner) RETURN p.key AS key, COUNT { (p)-[:HAS_ACCOUNT]->() } AS n"


def _sizes(driver: Driver, database: str) -> list[tuple[str, int]]:
    records, _, _ = driver.execute_query(SIZES, database_=database, routing_=RoutingControl.READ)
    return sorted((record["key"], record["n"]) for record in records)


def typical(driver: Driver, database: str) -> list[str]:
    sizes = _sizes(driver, database)
    median = statistics.median(n for _, n in sizes)
    return [key for key, n in sizes if median / 2 <= n <= median * 2]


def largest(driver: Driver, database: str, count: int) -> list[str]:
    return [key for key, _ in sorted(_sizes(driver, database), key=lambda item: -item[1])[:count]]


def _id(key: str) -> str:
    return encode_id("Partner", key)


def typical_pairs(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = typical(driver, database)
    return [{"a": a, "b": b} for a, b in (rng.sample(keys, 2) for _ in range(100))]


def largest_pair(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    a, b = largest(driver, database, 2)
    return [{"a": a, "b": b}]


def typical_partners(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"p": key} for key in rng.sample(typical(driver, database), 50)]


def largest_partner(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{"p": largest(driver, database, 1)[0]}]


def typical_twenties(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = typical(driver, database)
    return [{"keys": rng.sample(keys, 20)} for _ in range(30)]


def typical_triples(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = typical(driver, database)
    return [{"keys": rng.sample(keys, 3)} for _ in range(50)]


def _pair_variables(args: Args) -> Args:
    return {"a": _id(args["a"]), "b": _id(args["b"])}


def _pair_params(args: Args) -> Args:
    return {**args, "probeRatio": PROBE_RATIO}


def _top_variables(args: Args) -> Args:
    return {"p": _id(args["p"])}


def _top_params(args: Args) -> Args:
    return {**args, "first": 10, "allowed": None, "shown": None}


def _list_variables(args: Args) -> Args:
    return {"ids": [_id(key) for key in args["keys"]]}


def _members_variables(args: Args) -> Args:
    return {"members": [{"partner": _id(key)} for key in args["keys"]]}


def _members_params(args: Args) -> dict[str, Any]:
    members = [{"key": key, "statuses": EVERY_STATUS, "every": True} for key in args["keys"]]
    return {"members": members, "after": None, "limit": 21}


OVERLAP_GRAPHQL = "query($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count jaccard } }"
TOP_GRAPHQL = """query($p: ID!) { topOverlaps(partner: $p, first: 10) {
  partner { key name } count jaccard } }"""

OVERLAP_SCENARIOS = (
    Scenario(
        "overlap typical",
        OVERLAP_GRAPHQL,
        OVERLAP,
        typical_pairs,
        "count and jaccard of two typical partners",
        _pair_variables,
        _pair_params,
    ),
    Scenario(
        "overlap largest",
        OVERLAP_GRAPHQL,
        OVERLAP,
        largest_pair,
        "count and jaccard of the two partners with the most accounts",
        _pair_variables,
        _pair_params,
    ),
    Scenario(
        "topOverlaps typical",
        TOP_GRAPHQL,
        TOP_OVERLAPS,
        typical_partners,
        "the 10 partners sharing most customers with a typical partner",
        _top_variables,
        _top_params,
    ),
    Scenario(
        "topOverlaps largest",
        TOP_GRAPHQL,
        TOP_OVERLAPS,
        largest_partner,
        "the 10 partners sharing most customers with the largest partner",
        _top_variables,
        _top_params,
    ),
    Scenario(
        "overlapMatrix 20",
        "query($ids: [ID!]!) { overlapMatrix(partners: $ids) { partners { key } counts } }",
        OVERLAP_MATRIX,
        typical_twenties,
        "the 20 by 20 counts of 20 typical partners",
        _list_variables,
        lambda args: {"keys": args["keys"], "statuses": EVERY_STATUS, "everyStatus": True},
    ),
    Scenario(
        "commonAccounts 3",
        """query($members: [OverlapMember!]!) { commonAccounts(members: $members) {
  count customers { nodes { key name } } } }""",
        COMMON_ACCOUNTS,
        typical_triples,
        "the customers three typical partners all hold, and a first page of them",
        _members_variables,
        _members_params,
    ),
)
