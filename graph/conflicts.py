"""Deal conflicts: open deals of different partners for one customer whose windows overlap.

A deal is open while it is PENDING or APPROVED and its expiresOn is today or later (UTC); a deal
without expiresOn (an import may hold one) stays open until it is closed. A lapsed registration
protects nothing and collides with nothing. Two open deals collide when they are for the same
customer, come from different partners, and their [registeredOn, expiresOn] windows share at
least one day. A customer's conflict lists its *colliding* deals: every open deal that collides
with at least one other (not the connected groups: two separate collisions on one customer are
one conflict). The protected deal is the earliest registration among them, ties by deal key.

A registration that would collide is refused in one write transaction that first takes the
customer's write lock, so two registrations for one customer check one after the other. The
refusal names the earliest open deal the new one itself collides with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j.exceptions import ConstraintError

from graph.customers import VISIBLE as CUSTOMER_VISIBLE
from graph.db import Graph, Transaction
from graph.deals import REGISTER, VISIBLE
from graph.errors import Conflict
from graph.messages import shown
from graph.model import DealStatus
from graph.paging import Window

Row = dict[str, Any]

OPEN = [DealStatus.PENDING.value, DealStatus.APPROVED.value]

# x and y (maps with .partner, .on, .until) collide: other partners, windows sharing a day.
COLLIDE = (
    "y.partner <> x.partner AND (y.until IS NULL OR x.on <= y.until)"
    " AND (x.until IS NULL OR y.on <= x.until)"
)

# Every customer with colliding deals (those with one of the viewer's own among them, for a
# partner viewer: `$member`), by customer key: how many, and the page after `$after`. The deals
# come as {key, partner, on}; which of them the viewer may see is the caller's to decide.
# Asked about one customer, the deals are read from it; for a partner viewer, from the customers
# of its own open deals; else from every open deal.
ALL_OPEN = """
MATCH (d:Deal) WHERE d.status IN $open AND (d.expiresOn IS NULL OR d.expiresOn >= $today)
MATCH (owner:Partner)-[:REGISTERED]->(d)-[:FOR]->(cust:Customer)
"""
CUSTOMER_OPEN = """
MATCH (cust:Customer {key: $customer})<-[:FOR]-(d:Deal)<-[:REGISTERED]-(owner:Partner)
WHERE d.status IN $open AND (d.expiresOn IS NULL OR d.expiresOn >= $today)
"""
MEMBER_OPEN = """
MATCH (:Partner {key: $member})-[:REGISTERED]->(mine:Deal)-[:FOR]->(cust:Customer)
WHERE mine.status IN $open AND (mine.expiresOn IS NULL OR mine.expiresOn >= $today)
WITH DISTINCT cust
MATCH (cust)<-[:FOR]-(d:Deal)<-[:REGISTERED]-(owner:Partner)
WHERE d.status IN $open AND (d.expiresOn IS NULL OR d.expiresOn >= $today)
"""
COLLIDING = f"""
WITH cust, collect({{key: d.key, partner: owner.key, on: d.registeredOn, until: d.expiresOn}})
     AS open
WHERE size(open) > 1
WITH cust, [x IN open WHERE any(y IN open WHERE {COLLIDE}) | x {{.key, .partner, .on}}] AS hit
WHERE size(hit) > 0 AND ($member IS NULL OR any(x IN hit WHERE x.partner = $member))
WITH cust.key AS key, cust, hit ORDER BY key
WITH collect({{key: key, customer: cust, deals: hit}}) AS found
RETURN size(found) AS total,
       [row IN found WHERE $after IS NULL OR row.key > $after][0..$limit] AS page
"""
CONFLICTS = ALL_OPEN + COLLIDING
CUSTOMER_CONFLICTS = CUSTOMER_OPEN + COLLIDING
MEMBER_CONFLICTS = MEMBER_OPEN + COLLIDING

# The open deals colliding with each of the given deals, of those the viewer may see.
CONFLICTS_BY_DEAL = f"""
UNWIND $keys AS key
MATCH (owner:Partner)-[:REGISTERED]->(x:Deal {{key: key}})-[:FOR]->(cust:Customer)
WHERE x.status IN $open AND (x.expiresOn IS NULL OR x.expiresOn >= $today)
CALL (owner, x, cust) {{
  MATCH (other:Partner)-[:REGISTERED]->(d:Deal)-[:FOR]->(cust)
  WHERE d.status IN $open AND (d.expiresOn IS NULL OR d.expiresOn >= $today)
    AND other <> owner
    AND (d.expiresOn IS NULL OR x.registeredOn <= d.expiresOn)
    AND (x.expiresOn IS NULL OR d.registeredOn <= x.expiresOn)
    AND ({VISIBLE})
  RETURN d.key AS colliding ORDER BY d.registeredOn, d.key
}}
RETURN key, collect(colliding) AS deals
"""

# The customer's write lock (a property set and removed holds it until commit), then its open
# deals, and whether the new deal's key is taken. Nothing comes back for a customer the viewer
# may not see, or an unknown partner.
LOCK_CUSTOMER = f"""
MATCH (c:Customer {{key: $customer}})
WHERE {CUSTOMER_VISIBLE}
MATCH (:Partner {{key: $partner}})
SET c._lock = true
REMOVE c._lock
WITH c AS cust
OPTIONAL MATCH (owner:Partner)-[:REGISTERED]->(d:Deal)-[:FOR]->(cust)
WHERE d.status IN $open AND (d.expiresOn IS NULL OR d.expiresOn >= $today)
RETURN [x IN collect({{key: d.key, partner: owner.key, on: d.registeredOn,
        until: d.expiresOn}}) WHERE x.key IS NOT NULL] AS open,
       EXISTS {{ MATCH (:Deal {{key: $key}}) }} AS taken
"""


@dataclass(frozen=True)
class Open:
    """An open deal's window, as a conflict needs it."""

    key: str
    partner: str
    on: date
    until: date | None = None

    @classmethod
    def of(cls, row: Row) -> Open:
        until = row.get("until")
        return cls(
            row["key"],
            row["partner"],
            row["on"].to_native(),
            until.to_native() if until is not None else None,
        )

    def collides(self, other: Open) -> bool:
        return (
            self.partner != other.partner
            and (other.until is None or self.on <= other.until)
            and (self.until is None or other.on <= self.until)
        )


def protected(deals: list[Row]) -> Row:
    """The earliest registration ({key, partner, on}) of a conflict's deals, ties by key."""
    return min(deals, key=lambda deal: (deal["on"].to_native(), deal["key"]))


def notice(on: date) -> str:
    """What a partner viewer is told of another partner's protected deal: its date, no more."""
    return f"another partner's deal registered on {on.isoformat()} protects this customer"


async def deal_conflicts(
    graph: Graph, window: Window, customer: str | None, member: str | None, today: date
) -> tuple[int, list[Row]]:
    """How many customers have deals open on `today` colliding (one of `member`'s among them,
    unless staff), and the window's page: {key, customer, deals: [{key, partner, on}]} by
    customer key."""
    params = {
        "open": OPEN,
        "today": today,
        "customer": customer,
        "member": member,
        "after": window.after_key,
        "limit": window.limit,
    }
    if customer is not None:
        query = CUSTOMER_CONFLICTS
    else:
        query = CONFLICTS if member is None else MEMBER_CONFLICTS
    records = await graph.read(query, params)
    page = [{**row, "customer": _customer(row["customer"])} for row in records[0]["page"]]
    return records[0]["total"], page


def _customer(node: Any) -> Row:
    """A customer node as graph.customers.CUSTOMER projects it."""
    fields = ("key", "name", "domain", "industry", "region", "employees")
    return {name: node.get(name) for name in fields}


async def conflicts_by_deal(
    graph: Graph, keys: list[str], member: str | None, today: date
) -> dict[str, list[str]]:
    """The deals (of those `member` may see) open on `today` colliding with each of `keys`."""
    params = {"keys": keys, "open": OPEN, "member": member, "today": today}
    return await graph.read_by_key(CONFLICTS_BY_DEAL, "deals", params)


class ChannelConflict(Conflict):
    """The registration would collide with another partner's open deal for the customer; the
    message names that deal as the registering viewer may hear of it, and `partner` says whose
    deal it is (for the audit trail)."""

    user_code = "CHANNEL_CONFLICT"

    def __init__(self, message: str, *, field: str | None = None, partner: str) -> None:
        super().__init__(message, field=field)
        self.partner = partner


def refusal(
    new: Open, deals: list[Open], acting: str | None, today: date
) -> ChannelConflict | None:
    """Why `new` may not be registered beside the customer's open `deals`, told as `acting`
    (a partner viewer's key, None for staff) may hear it; None when it collides with none (a
    registration that has lapsed already, expiring before `today`, collides with nothing).
    The deal named is the earliest open deal `new` itself collides with: always another
    partner's, so a partner viewer hears only the day it was registered."""
    if new.until is not None and new.until < today:
        return None
    hit = [deal for deal in deals if new.collides(deal)]
    if not hit:
        return None
    first = min(hit, key=lambda deal: (deal.on, deal.key))
    if acting is not None:
        why = notice(first.on)
    else:
        why = f"deal {shown(first.key)} registered on {first.on.isoformat()} protects this customer"
    return ChannelConflict(why, field="customer", partner=first.partner)


async def register_checked(
    graph: Graph,
    fields: dict[str, Any],
    visible: Row | None,
    acting: str | None,
    allow_conflict: bool,
    today: date,
) -> Row | None:
    """A new PENDING deal from `fields` (key, partner, customer, amount, stage, registeredOn,
    expiresOn), refused as ChannelConflict when it would collide with a deal open on `today`,
    unless `allow_conflict`; None
    when the partner or the (visible) customer is missing, Conflict when the key is taken. The
    check and the write are one transaction, under the customer's lock."""

    async def work(tx: Transaction) -> Row | None:
        params = {key: fields[key] for key in ("customer", "partner", "key")}
        locked = await tx.run(
            LOCK_CUSTOMER, {**params, "open": OPEN, "today": today, "visible": visible}
        )
        if not locked:
            return None
        if locked[0]["taken"]:
            raise _taken(fields["key"])
        new = Open(fields["key"], fields["partner"], fields["registeredOn"], fields["expiresOn"])
        refused = refusal(new, [Open.of(row) for row in locked[0]["open"]], acting, today)
        if refused is not None and not allow_conflict:
            raise refused
        created = await tx.run(REGISTER, {**fields, "visible": visible})
        return dict(created[0]["deal"]) if created else None

    try:
        return await graph.transaction(work)
    except ConstraintError:  # taken meanwhile, by a registration for another customer
        raise _taken(fields["key"]) from None


def _taken(key: str) -> Conflict:
    return Conflict(f"a deal with key {shown(key)} exists already", field="key")
