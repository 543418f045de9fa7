"""Named scenarios: a GraphQL request over HTTP and the same Cypher through the driver (the floor).

Each scenario draws its arguments from the loaded graph (`pick`), so it runs on any preset.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, RoutingControl

from graph.paging import encode_cursor, made_under

Args = dict[str, Any]
Pick = Callable[[Driver, str, random.Random], list[Args]]


@dataclass(frozen=True)
class Scenario:
    name: str
    graphql: str
    cypher: str
    pick: Pick  # argument sets to cycle through
    note: str = ""
    # The GraphQL variables and the Cypher parameters of one argument set (by default the same).
    variables: Callable[[Args], Args] = lambda args: args
    params: Callable[[Args], Args] = lambda args: args
    # The partner whose token asks, for scenarios seen through a partner's eyes (else admin).
    partner: Callable[[Args], str | None] = lambda args: None
    # It reads what `partnergraph analyze` writes (scores, stored overlaps): see bench.prepare.
    needs_analysis: bool = False


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def walk_pages(client: Any, query: str, variables: Args, field: str) -> tuple[float, int, int]:
    """Every row of the connection `field` that `query` asks for (100 a page, its `$after` the
    last page's endCursor), page after page over HTTP: seconds, rows, pages."""
    after, rows, pages = None, 0, 0
    began = time.perf_counter()
    while True:
        body = {"query": query, "variables": {**variables, "after": after}}
        response = client.post("/graphql", json=body)
        answer = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise SystemExit(f"{field} walk: {response.status_code} {answer}")
        found = answer["data"][field]
        rows, pages = rows + len(found["edges"]), pages + 1
        if not found["pageInfo"]["hasNextPage"]:
            return time.perf_counter() - began, rows, pages
        after = found["pageInfo"]["endCursor"]


def _read(driver: Driver, database: str, query: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(
        query, params, database_=database, routing_=RoutingControl.READ
    )
    return records


def random_partners(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = [r["key"] for r in _read(driver, database, "MATCH (p:Partner) RETURN p.key AS key")]
    return [{"key": key} for key in rng.sample(sorted(keys), min(100, len(keys)))]


PING = Scenario(
    name="ping",
    graphql="{ __typename }",
    cypher="RETURN 1 AS one",
    pick=lambda driver, database, rng: [{}],
    note="the fixed cost of a request: HTTP, the token, GraphQL; and of a Bolt round trip",
)

LOOKUP = Scenario(
    name="lookup",
    graphql="query($key: String!) { partner(key: $key) { key name type tier region } }",
    cypher=(
        "MATCH (p:Partner {key: $key}) RETURN p {.key, .name, .type, .tier, .region} AS partner"
    ),
    pick=random_partners,
    note="one partner by key, five scalar fields",
)


def partners_with_accounts(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """Partners holding at least 20 accounts, so a page of 20 fills."""
    query = "MATCH (p:Partner) WHERE COUNT { (p)-[:HAS_ACCOUNT]->() } >= 20 RETURN p.key AS key"
    keys = sorted(record["key"] for record in _read(driver, database, query))
    return [{"key": key} for key in rng.sample(keys, min(100, len(keys)))]


def nothing(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{}]


PARTNER_PAGE = Scenario(
    name="partner page",
    graphql="""query($key: String!) { partner(key: $key) { key name type tier region
  accounts(first: 20) { totalCount edges { node { status strength customer { key name industry } } } }
  subPartners(first: 20) { totalCount nodes { key name tier } }
  agreementsGranted(first: 20) { totalCount nodes { key scopes status validTo grantee { key name } } }
  agreementsReceived(first: 20) { totalCount nodes { key scopes status validTo grantor { key name } } }
} }""",
    cypher="""MATCH (p:Partner {key: $key})
CALL (p) { MATCH (p)-[a:HAS_ACCOUNT]->(c:Customer) WITH a, c ORDER BY c.key LIMIT 20
  RETURN collect({status: a.status, strength: a.strength, customer: c {.key, .name, .industry}}) AS accounts }
CALL (p) { RETURN COUNT { (p)-[:HAS_ACCOUNT]->() } AS accountCount }
CALL (p) { MATCH (s:Partner)-[:SUB_PARTNER_OF]->(p) WITH s ORDER BY s.key LIMIT 20
  RETURN collect(s {.key, .name, .tier}) AS subs, COUNT { (:Partner)-[:SUB_PARTNER_OF]->(p) } AS subCount }
CALL (p) { MATCH (p)-[:GRANTS]->(g:Agreement)-[:TO]->(e:Partner) WITH g, e ORDER BY g.key LIMIT 20
  RETURN collect(g {.key, .scopes, .status, .validTo, grantee: e {.key, .name}}) AS granted }
CALL (p) { MATCH (r:Partner)-[:GRANTS]->(g:Agreement)-[:TO]->(p) WITH g, r ORDER BY g.key LIMIT 20
  RETURN collect(g {.key, .scopes, .status, .validTo, grantor: r {.key, .name}}) AS received }
RETURN p {.key, .name, .type, .tier, .region, accounts, accountCount, subs, subCount, granted, received}""",
    pick=partners_with_accounts,
    note="a partner with 20 accounts and their customers, sub-partners, agreements both ways",
)

PARTNERS_PAGE = Scenario(
    name="partners page",
    graphql="""{ partners(first: 100) { totalCount edges { cursor node {
  key name type tier region accounts { totalCount } } } } }""",
    cypher="""MATCH (p:Partner) WITH p ORDER BY p.key LIMIT 101
RETURN p {.key, .name, .type, .tier, .region, accounts: COUNT { (p)-[:HAS_ACCOUNT]->() }} AS partner""",
    pick=nothing,
    note="100 partners, five scalar fields and their account totals",
)

PARTNERS_CUSTOMERS = Scenario(
    name="a partner's customers",
    graphql="{ customers(first: 20) { nodes { key name industry } } }",
    cypher="""MATCH (me:Partner {key: $key})
CALL (me) {
  OPTIONAL MATCH (g:Partner)-[:GRANTS]->(a:Agreement {status: 'ACTIVE'})-[:TO]->(me)
  WHERE 'ACCOUNT_LIST' IN a.scopes AND a.validFrom <= date()
    AND (a.validTo IS NULL OR a.validTo >= date())
  WITH collect(DISTINCT g) AS grantors
  RETURN [me] + grantors AS owners
}
CALL (me, owners) {
  UNWIND owners AS o MATCH (o)-[:HAS_ACCOUNT]->(c:Customer) RETURN c
  UNION
  MATCH (me)-[:REGISTERED]->(:Deal)-[:FOR]->(c:Customer) RETURN c
}
WITH c ORDER BY c.key LIMIT 21
RETURN collect(c {.key, .name, .industry}) AS customers""",
    pick=random_partners,
    note="the first page of the customers a partner token may see (its own, its grantors')",
    variables=lambda args: {},
    partner=lambda args: str(args["key"]),
)


def name_fragments(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """Six-letter pieces of random customers' names, in upper case (the search ignores case)."""
    query = "MATCH (c:Customer) WITH c SKIP toInteger(rand() * 1000) LIMIT 200 RETURN c.name AS n"
    names = sorted(record["n"] for record in _read(driver, database, query))
    needles = []
    for name in rng.sample(names, min(50, len(names))):
        start = rng.randrange(max(1, len(name) - 6))
        needles.append({"needle": name[start : start + 6].upper()})
    return needles


CUSTOMER_SEARCH = Scenario(
    name="customer search",
    graphql="""query($needle: String!) { customers(first: 20, filter: {nameContains: $needle}) {
  totalCount nodes { key name } } }""",
    cypher="""MATCH (c:Customer) WHERE c.nameLower CONTAINS toLower($needle)
WITH c ORDER BY c.key
WITH collect(c {.key, .name}) AS found
RETURN size(found) AS total, found[..20] AS page""",
    pick=name_fragments,
    note="customers whose name contains a six-letter piece of another's, with their number",
)


def name_cursors(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """Cursors into the customer directory by name, anywhere in it (and its first page)."""
    query = "MATCH (c:Customer) WITH c SKIP toInteger(rand() * 1000) LIMIT 500 RETURN c"
    found = sorted((r["c"]["name"], r["c"]["key"]) for r in _read(driver, database, query))
    picked = [None, *rng.sample(found, min(49, len(found)))]
    filters = {"industries": None, "regions": None, "nameContains": None}
    under = made_under("customers", filters, "NAME", False)  # as the API signs them
    return [{"after": None if at is None else encode_cursor(at, under), "at": at} for at in picked]


CUSTOMERS_BY_NAME = Scenario(
    name="customers by name",
    graphql="""query($after: String) { customers(first: 20, after: $after,
  orderBy: {field: NAME}) { pageInfo { endCursor } nodes { key name industry } } }""",
    cypher="""MATCH (c:Customer) WHERE c.name >= $name
WITH c WHERE c.name > $name OR c.key > $key
RETURN c {.key, .name, .industry} AS customer ORDER BY c.name, c.key LIMIT 21""",
    pick=name_cursors,
    note="a page of the customer directory by name, from a cursor anywhere in it",
    variables=lambda args: {"after": args["after"]},
    params=lambda args: {"name": (args["at"] or ("", ""))[0], "key": (args["at"] or ("", ""))[1]},
)

CORE = (
    PING,
    LOOKUP,
    PARTNER_PAGE,
    PARTNERS_PAGE,
    PARTNERS_CUSTOMERS,
    CUSTOMER_SEARCH,
    CUSTOMERS_BY_NAME,
)
