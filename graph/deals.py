"""Deals: (partner)-[:REGISTERED]->(d)-[:FOR]->(customer): looked up, listed, read, written.

A partner-scoped viewer sees only its own deals: every query takes `$member`, the viewer's
partner key, or null for staff.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.customers import CUSTOMER
from graph.customers import VISIBLE as CUSTOMER_VISIBLE
from graph.db import Graph, Transaction
from graph.errors import Conflict, Forbidden, NotFound
from graph.listing import Listing, Order
from graph.messages import shown
from graph.model import DealStatus
from graph.paging import Window
from graph.partners import PARTNER
from graph.program import DEFAULT_MARGINS, TIER_MARGIN

Row = dict[str, Any]

# The partner and customer ride along; `p` and `c` are local to each comprehension (no query
# below binds them). A deal the viewer sees is its own, so its customer is one it may see.
DEAL = (
    "d {.key, .amount, .stage, .status, .registeredOn, .expiresOn, .closedOn, .margin,"
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


# Closed deals without a closing day: they count in no window of days (an import may leave them).
UNDATED = """
MATCH (d:Deal)
WHERE d.status IN ['WON', 'LOST'] AND d.closedOn IS NULL
RETURN count(d) AS n
"""


async def undated_closed_deals(graph: Graph) -> int:
    """How many WON or LOST deals have no closedOn."""
    return int((await graph.read(UNDATED))[0]["n"])


# Writes: a deal registered (always PENDING; graph.conflicts runs it after its check), and its
# status changed. `$visible` in REGISTER is the customers' visibility of graph.customers (a
# partner registers only for a customer it may see);
# `$partner` in LOCK_DEAL is the partner a partner viewer acts for, or null for staff.
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

# Take the deal's write lock (a property set and removed holds it until commit) before reading its
# status, so two changes of one deal run one after the other and the second sees the first.
LOCK_DEAL = """
MATCH (d:Deal {key: $key})
WHERE $partner IS NULL OR EXISTS { (:Partner {key: $partner})-[:REGISTERED]->(d) }
SET d._lock = true
REMOVE d._lock
RETURN d.status AS status, d.registeredOn AS registeredOn, d.expiresOn AS expiresOn
"""

SET_STATUS = f"""
MATCH (d:Deal {{key: $key}})
SET d.status = $status
RETURN {DEAL} AS deal
"""

# A deal WON or LOST is closed on day $closedOn; a WON one keeps the margin of its partner's tier
# under the program in force, read here, in the transaction holding the deal's lock (TIER_MARGIN).
CLOSE = f"""
MATCH (d:Deal {{key: $key}})
OPTIONAL MATCH (p:Partner)-[:REGISTERED]->(d)
SET d.status = $status, d.closedOn = $closedOn,
    d.margin = CASE WHEN $status = 'WON' THEN {TIER_MARGIN} ELSE d.margin END
RETURN {DEAL} AS deal
"""
CLOSING = frozenset({DealStatus.WON, DealStatus.LOST})

# The deal workflow: the moves from each status. REJECTED, WON and LOST are final, and an
# APPROVED deal can be WON only within its window: not before registeredOn (staff may date a
# registration ahead), not past expiresOn (it may still be LOST).
MOVES: dict[str, frozenset[str]] = {
    DealStatus.PENDING: frozenset({DealStatus.APPROVED, DealStatus.REJECTED}),
    DealStatus.APPROVED: frozenset({DealStatus.WON, DealStatus.LOST}),
}


class InvalidTransition(Conflict):
    """The deal workflow has no such move from the deal's current status."""

    user_code = "INVALID_TRANSITION"


def refusal(
    key: str, current: str, asked: str, window: tuple[date | None, date | None], on: date
) -> str | None:
    """Why the workflow refuses moving deal `key` from `current` to `asked` on day `on`, its
    window being (registeredOn, expiresOn); None when it allows it."""
    refused = f"deal {shown(key)} is {current}: it cannot become {asked}"
    if asked not in MOVES.get(current, frozenset()):
        if current not in MOVES:
            return f"{refused} ({current} is final)"
        allowed = " or ".join(sorted(MOVES[current]))
        return f"{refused} (from {current} it may become {allowed})"
    registered_on, expires_on = window
    if asked == DealStatus.WON and registered_on is not None and on < registered_on:
        return f"{refused} (it is registered from {registered_on.isoformat()})"
    if asked == DealStatus.WON and expires_on is not None and expires_on < on:
        return f"{refused} (it expired on {expires_on.isoformat()})"
    return None


async def change_deal_status(
    graph: Graph, key: str, status: str, partner: str | None, on: date
) -> Row:
    """Move the deal to `status` as the workflow allows on day `on` (InvalidTransition when it
    does not); WON or LOST, it is closed on `on`, and WON it keeps its partner's tier margin.
    The check and the write are one transaction. Acting for `partner`, only one of
    its own deals: anything else is Forbidden, whether it exists or not; for staff an unknown
    key is NotFound."""

    async def work(tx: Transaction) -> Row:
        found = await tx.run(LOCK_DEAL, {"key": key, "partner": partner})
        if not found:
            if partner is not None:
                raise Forbidden("a partner may change only its own deals")
            raise NotFound(f"there is no deal {shown(key)}", field="deal")
        window = (_day(found[0]["registeredOn"]), _day(found[0]["expiresOn"]))
        why = refusal(key, found[0]["status"], status, window, on)
        if why is not None:
            raise InvalidTransition(why, field="status")
        if status in CLOSING:
            params = {"key": key, "status": status, "closedOn": on, "margins": DEFAULT_MARGINS}
            return dict((await tx.run(CLOSE, params))[0]["deal"])
        return dict((await tx.run(SET_STATUS, {"key": key, "status": status}))[0]["deal"])

    return await graph.transaction(work)


def _day(value: Any) -> date | None:
    return value.to_native() if value is not None else None
