"""Deals: (partner)-[:REGISTERED]->(d)-[:FOR]->(customer): looked up, listed, read, written.

A partner-scoped viewer sees only its own deals: every query takes `$member`, the viewer's
partner key, or null for staff.
"""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ConstraintError

from graph.customers import CUSTOMER
from graph.customers import VISIBLE as CUSTOMER_VISIBLE
from graph.db import Graph
from graph.errors import Conflict, Forbidden, NotFound
from graph.listing import Listing, Order
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

# The partner and customer ride along; `p` and `c` are local to each comprehension (no query
# below binds them). A deal the viewer sees is its own, so its customer is one it may see.
DEAL = (
    "d {.key, .amount, .stage, .status, .registeredOn, .expiresOn,"
    f" partner: [(p:Partner)-[:REGISTERED]->(d) | {PARTNER}][0],"
    f" customer: [(d)-[:FOR]->(c:Customer) | {CUSTOMER}][0]}}"
)

VISIBLE = "$member IS NULL OR EXISTS { (:Partner {key: $member})-[:REGISTERED]->(d) }"

DEALS = Listing(
    label="Deal",
    var="d",
    projection=DEAL,
    filters={
        "statuses": "d.status IN $statuses",
        "partner": "EXISTS { (:Partner {key: $partner})-[:REGISTERED]->(d) }",
        "customer": "EXISTS { (d)-[:FOR]->(:Customer {key: $customer}) }",
        "member": VISIBLE,
    },
    sources={
        "member": "MATCH (:Partner {key: $member})-[:REGISTERED]->(d:Deal)",
        "partner": "MATCH (:Partner {key: $partner})-[:REGISTERED]->(d:Deal)",
        "customer": "MATCH (d:Deal)-[:FOR]->(:Customer {key: $customer})",
    },
    orders={
        "KEY": Order("d.key", seekable=True),
        "REGISTERED_ON": Order("coalesce(d.registeredOn, date('0001-01-01'))", "date($after[0])"),
        "AMOUNT": Order("coalesce(d.amount, -1.0)"),
    },
)

DEALS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (d:Deal {{key: key}})
WHERE {VISIBLE}
RETURN {DEAL} AS deal
"""

# The side a deal is read from: the partner that registered it, or the customer it is for.
PATTERNS = {
    "Partner": "(me)-[:REGISTERED]->(d:Deal)",
    "Customer": "(d:Deal)-[:FOR]->(me)",
}
WANTED = f"({VISIBLE}) AND ($statuses IS NULL OR d.status IN $statuses)"


def _by(label: str) -> str:
    return f"""
UNWIND $keys AS key
MATCH (me:{label} {{key: key}})
CALL (me) {{
  MATCH {PATTERNS[label]}
  WHERE {WANTED} AND ($after IS NULL OR d.key > $after)
  WITH d ORDER BY d.key LIMIT $limit
  RETURN collect({DEAL}) AS deals
}}
RETURN key, deals
"""


def _counts_by(label: str) -> str:
    return f"""
UNWIND $keys AS key
MATCH (me:{label} {{key: key}})
RETURN key, COUNT {{ MATCH {PATTERNS[label]} WHERE {WANTED} }} AS n
"""


DEALS_BY_PARTNER = _by("Partner")
DEAL_COUNTS_BY_PARTNER = _counts_by("Partner")
DEALS_BY_CUSTOMER = _by("Customer")
DEAL_COUNTS_BY_CUSTOMER = _counts_by("Customer")


async def deals_by_keys(graph: Graph, keys: list[str], member: str | None) -> dict[str, Row]:
    found = await graph.read_column(DEALS_BY_KEYS, "deal", {"keys": keys, "member": member})
    return {row["key"]: row for row in found}


async def deals_by_partner(
    graph: Graph,
    keys: list[str],
    member: str | None,
    statuses: list[str] | None,
    window: Window,
) -> dict[str, list[Row]]:
    params = {
        "keys": keys,
        "member": member,
        "statuses": statuses,
        "limit": window.limit,
        "after": window.after_key,
    }
    return await graph.read_by_key(DEALS_BY_PARTNER, "deals", params)


async def deal_counts_by_partner(
    graph: Graph, keys: list[str], member: str | None, statuses: list[str] | None
) -> dict[str, int]:
    params = {"keys": keys, "member": member, "statuses": statuses}
    return await graph.read_by_key(DEAL_COUNTS_BY_PARTNER, "n", params)


async def deals_by_customer(
    graph: Graph,
    keys: list[str],
    member: str | None,
    statuses: list[str] | None,
    window: Window,
) -> dict[str, list[Row]]:
    params = {
        "keys": keys,
        "member": member,
        "statuses": statuses,
        "limit": window.limit,
        "after": window.after_key,
    }
    return await graph.read_by_key(DEALS_BY_CUSTOMER, "deals", params)


async def deal_counts_by_customer(
    graph: Graph, keys: list[str], member: str | None, statuses: list[str] | None
) -> dict[str, int]:
    params = {"keys": keys, "member": member, "statuses": statuses}
    return await graph.read_by_key(DEAL_COUNTS_BY_CUSTOMER, "n", params)


# Writes: a deal registered (always PENDING), and its status changed. `$visible` in REGISTER is
# the customers' visibility of graph.customers (a partner registers only for a customer it may see);
# `$partner` in CHANGE_STATUS is the partner a partner viewer acts for, or null for staff.
# The customer is bound as `c` for the check only: DEAL's comprehension binds its own.

REGISTER = f"""
MATCH (partner:Partner {{key: $partner}})
MATCH (c:Customer {{key: $customer}})
WHERE {CUSTOMER_VISIBLE}
WITH partner, c AS customer
CREATE (partner)-[:REGISTERED]->(d:Deal {{key: $key}})-[:FOR]->(customer)
SET d.amount = $amount, d.stage = $stage, d.status = 'PENDING',
    d.registeredOn = $registeredOn, d.expiresOn = $expiresOn
RETURN {DEAL} AS deal
"""

CHANGE_STATUS = f"""
MATCH (d:Deal {{key: $key}})
WHERE $partner IS NULL OR EXISTS {{ (:Partner {{key: $partner}})-[:REGISTERED]->(d) }}
SET d.status = $status
RETURN {DEAL} AS deal
"""


async def register_deal(graph: Graph, fields: dict[str, Any], visible: Row | None) -> Row | None:
    """A new PENDING deal from `fields` (key, partner, customer, amount, stage, registeredOn,
    expiresOn); None when the partner or the (visible) customer is missing, Conflict when the
    key is taken."""
    try:
        records = await graph.write(REGISTER, {**fields, "visible": visible})
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(f"a deal with key {taken!r} exists already", field="key") from None
    return records[0]["deal"] if records else None


async def change_deal_status(graph: Graph, key: str, status: str, partner: str | None) -> Row:
    """Set the deal's status. Acting for `partner`, only one of its own deals: anything else is
    Forbidden, whether it exists or not; for staff an unknown key is NotFound."""
    records = await graph.write(CHANGE_STATUS, {"key": key, "status": status, "partner": partner})
    if records:
        return records[0]["deal"]
    if partner is not None:
        raise Forbidden("a partner may change only its own deals")
    raise NotFound(f"there is no deal {key!r}", field="deal")
