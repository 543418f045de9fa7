"""Customers: lookups and the listing, limited to what a partner-scoped viewer may see."""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ConstraintError

from graph.db import Graph
from graph.errors import Conflict
from graph.listing import Listing, Order, lower_name, name_contains
from graph.messages import shown

Row = dict[str, Any]

CUSTOMER = "c {.key, .name, .domain, .industry, .region, .employees}"

# A partner viewer sees a customer held by a partner whose accounts it may see, or one of its
# own deals' customers. `$visible` is {owners: [...], me: key}, or null for staff.
VISIBLE = (
    "$visible IS NULL"
    " OR EXISTS { MATCH (o:Partner)-[:HAS_ACCOUNT]->(c) WHERE o.key IN $visible.owners }"
    " OR EXISTS { MATCH (:Partner {key: $visible.me})-[:REGISTERED]->(:Deal)-[:FOR]->(c) }"
)

CUSTOMERS = Listing(
    label="Customer",
    var="c",
    projection=CUSTOMER,
    filters={
        "industries": "c.industry IN $industries",
        "regions": "c.region IN $regions",
        "nameContains": name_contains("c"),
        "keys": "c.key IN $keys",
        "visible": VISIBLE,
    },
    sources={
        "visible": """
CALL () {
  UNWIND $visible.owners AS owner
  MATCH (:Partner {key: owner})-[:HAS_ACCOUNT]->(c:Customer)
  RETURN c
  UNION
  MATCH (:Partner {key: $visible.me})-[:REGISTERED]->(:Deal)-[:FOR]->(c:Customer)
  RETURN c
}""",
    },
    orders={
        "KEY": Order("c.key", seekable=True),
        "NAME": Order("c.name", seekable=True),
        "EMPLOYEES": Order("coalesce(c.employees, -1)"),
    },
)

CUSTOMERS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (c:Customer {{key: key}})
WHERE {VISIBLE}
RETURN {CUSTOMER} AS customer
"""

CREATE_CUSTOMER = f"""
CREATE (c:Customer {{key: $key}})
SET c.name = $name, c.domain = $domain, c.industry = $industry, c.region = $region,
    c.employees = $employees
{lower_name("c")}
RETURN {CUSTOMER} AS customer
"""


async def customers_by_keys(
    graph: Graph, keys: list[str], visible: dict[str, Any] | None
) -> dict[str, Row]:
    found = await graph.read_column(
        CUSTOMERS_BY_KEYS, "customer", {"keys": keys, "visible": visible}
    )
    return {row["key"]: row for row in found}


async def create_customer(graph: Graph, fields: dict[str, Any]) -> Row:
    """A new customer from `fields` (key, name, domain, industry, region, employees)."""
    try:
        records = await graph.write(CREATE_CUSTOMER, fields)
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(f"a customer with key {shown(taken)} exists already", field="key") from None
    return records[0]["customer"]
