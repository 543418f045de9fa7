"""Influence-path scenarios: first 3 from a partner to a customer, over HTTP.

No single Cypher query answers a path question (the search takes several), so the floor is
the search's first round trip: looking up its two ends — the fixed cost of any answer.
"Largest" is the partner with the most accounts; "most held" the customer with the most
partners.
"""

from __future__ import annotations

import random

from neo4j import Driver, RoutingControl

from bench.overlap import largest
from bench.scenarios import Args, Pick, Scenario
from graph.analytics.paths import ENDS
from resolvers.node import encode_id

GRAPHQL = """query($from: ID!, $to: ID!, $hops: Int!) {
  influencePaths(from: $from, to: $to, first: 3, maxHops: $hops) {
    influence hops steps { key label kind via strength } } }"""
PARTNERS = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key"
CUSTOMERS = "MATCH (c:Customer) WITH c SKIP toInteger(rand() * 1000) LIMIT 2000 RETURN c.key AS key"
MOST_HELD = """MATCH (c:Customer) WITH c, COUNT { (c)<-[:HAS_ACCOUNT]-() } AS n
ORDER BY n DESC, c.key LIMIT 1 RETURN c.key AS key"""


def _keys(driver: Driver, database: str, query: str) -> list[str]:
    records, _, _ = driver.execute_query(query, database_=database, routing_=RoutingControl.READ)
    return sorted(record["key"] for record in records)


def _pairs(partners: list[str], customers: list[str], hops: int) -> list[Args]:
    return [
        {"partner": p, "customer": c, "hops": hops}
        for p, c in zip(partners, customers, strict=True)
    ]


def random_pairs(hops: int, count: int) -> Pick:
    def pick(driver: Driver, database: str, rng: random.Random) -> list[Args]:
        partners = rng.sample(_keys(driver, database, PARTNERS), count)
        customers = rng.sample(_keys(driver, database, CUSTOMERS), count)
        return _pairs(partners, customers, hops)

    return pick


def from_largest(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    customers = rng.sample(_keys(driver, database, CUSTOMERS), 30)
    return _pairs(largest(driver, database, 1) * 30, customers, 4)


def to_most_held(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    partners = rng.sample(_keys(driver, database, PARTNERS), 30)
    return _pairs(partners, _keys(driver, database, MOST_HELD) * 30, 4)


def largest_to_most_held(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return _pairs(largest(driver, database, 1), _keys(driver, database, MOST_HELD), 4)


def _variables(args: Args) -> Args:
    return {
        "from": encode_id("Partner", args["partner"]),
        "to": encode_id("Customer", args["customer"]),
        "hops": args["hops"],
    }


def _params(args: Args) -> Args:
    ends = [
        {"index": 0, "kind": "Partner", "key": args["partner"]},
        {"index": 1, "kind": "Customer", "key": args["customer"]},
    ]
    return {"ends": ends, "visible": None}


def _scenario(name: str, pick: Pick, note: str) -> Scenario:
    return Scenario(
        name=name,
        graphql=GRAPHQL,
        cypher=ENDS,
        pick=pick,
        note=note,
        variables=_variables,
        params=_params,
    )


PATH_SCENARIOS = (
    _scenario("paths typical", random_pairs(4, 100), "random partner → random customer, 4 hops"),
    _scenario("paths from largest", from_largest, "the largest partner → random customers"),
    _scenario("paths to most held", to_most_held, "random partners → the most held customer"),
    _scenario(
        "paths largest pair", largest_to_most_held, "the largest partner → the most held customer"
    ),
    _scenario("paths 6 hops", random_pairs(6, 50), "random partner → random customer, 6 hops"),
)
