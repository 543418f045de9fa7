"""Influence-path scenarios: first 3 from a partner to a customer, over HTTP.

No single Cypher query answers a path question (the search takes several), so the floor is
the search's first round trip: looking up its two ends — the fixed cost of any answer.
"Largest" is the partner with the most accounts; "most held" the customer with the most
partners. "avoid 300" keeps 298 random partners off every path (30 pairs); "new via" asks
each request with a `via` combination (63 of them) not asked before. Both empty Neo4j's query
cache and ask a plain question first: run them with `--warmup 1`, and "new via" with
`--rounds 1` and at most 63 runs; the `first` figure is each round's first timed request.
"""

from __future__ import annotations

import itertools
import random

from neo4j import Driver, RoutingControl

from bench.overlap import largest
from bench.scenarios import Args, Pick, Scenario
from graph.analytics.paths import ENDS, RELATIONSHIPS
from resolvers.node import encode_id

GRAPHQL = """query($from: ID!, $to: ID!, $hops: Int!, $via: [RelationshipKind!], $avoid: [ID!]) {
  influencePaths(from: $from, to: $to, first: 3, maxHops: $hops, via: $via, avoid: $avoid) {
    influence hops steps { key label kind via strength } } }"""
AVOIDED = 298
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


def _fresh_plans(driver: Driver, database: str, pairs: list[Args]) -> list[Args]:
    """Empties Neo4j's query cache and puts a plain question (no via, no avoid) first: with
    `--warmup 1` the server has planned plain questions, and the timed ones are the first of
    their kind."""
    with driver.session(database=database) as session:
        session.run("CALL db.clearQueryCaches()").consume()
    plain = {key: pairs[0][key] for key in ("partner", "customer", "hops")}
    return [plain, *pairs]


def avoiding(count: int) -> Pick:
    """Random partner → random customer pairs, each avoiding `AVOIDED` other random partners."""

    def pick(driver: Driver, database: str, rng: random.Random) -> list[Args]:
        everyone = _keys(driver, database, PARTNERS)
        pairs = random_pairs(4, count)(driver, database, rng)
        for pair in pairs:
            others = [key for key in everyone if key != pair["partner"]]
            pair["avoid"] = rng.sample(others, min(AVOIDED, len(others)))
        return _fresh_plans(driver, database, pairs)

    return pick


def new_vias(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """Every non-empty combination of relationship kinds once, shuffled, on random pairs."""
    combinations = [
        list(chosen)
        for size in range(1, len(RELATIONSHIPS) + 1)
        for chosen in itertools.combinations(RELATIONSHIPS, size)
    ]
    rng.shuffle(combinations)
    pairs = random_pairs(4, len(combinations))(driver, database, rng)
    asked = [{**pair, "via": via} for pair, via in zip(pairs, combinations, strict=True)]
    return _fresh_plans(driver, database, asked)


def _variables(args: Args) -> Args:
    return {
        "from": encode_id("Partner", args["partner"]),
        "to": encode_id("Customer", args["customer"]),
        "hops": args["hops"],
        "via": args.get("via"),
        "avoid": [encode_id("Partner", key) for key in args["avoid"]] if "avoid" in args else None,
    }


def _params(args: Args) -> Args:
    ends = {
        "0": {"index": 0, "kind": "Partner", "key": args["partner"]},
        "1": {"index": 1, "kind": "Customer", "key": args["customer"]},
    }
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
    _scenario("paths avoid 300", avoiding(30), "random partner → random customer, 298 avoided"),
    _scenario("paths new via", new_vias, "random partner → random customer, a new via each"),
)
