"""Influenced revenue in plain Python, from the graph's raw rows and DESIGN.md's words alone.

influencedBy(d): the partners q other than d's partner holding an account on d's customer with
status CUSTOMER or OPPORTUNITY whose `since` is on or before d's registeredOn (none: counts), by
key. partnerImpact(from, to): over the WON and LOST deals with from <= closedOn <= to, for each
partner that registered or influenced one, the WON ones it registered (amount, number), the WON
ones it influenced (amount, number), every one it influenced, its win rate among those; the
baseline is WON / closed over all of them; lift = win rate / baseline (None where either is None
or 0). Order: influencedWonAmount desc, then key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.db import Graph

RAW_DEALS = """
MATCH (p:Partner)-[:REGISTERED]->(d:Deal)-[:FOR]->(c:Customer)
RETURN d.key AS key, p.key AS partner, c.key AS customer, d.status AS status,
       d.amount AS amount, d.registeredOn AS registeredOn, d.closedOn AS closedOn
"""
RAW_ACCOUNTS = """
MATCH (p:Partner)-[a:HAS_ACCOUNT]->(c:Customer)
RETURN p.key AS partner, c.key AS customer, a.status AS status, a.since AS since
"""


@dataclass(frozen=True)
class Deal:
    key: str
    partner: str
    customer: str
    status: str
    amount: float | None
    registered_on: date
    closed_on: date | None


@dataclass(frozen=True)
class Account:
    partner: str
    customer: str
    status: str
    since: date | None


@dataclass
class World:
    deals: list[Deal]
    accounts: list[Account]


def _day(value: Any) -> date | None:
    return value.to_native() if value is not None else None


async def read_world(graph: Graph) -> World:
    deals = [
        Deal(
            r["key"],
            r["partner"],
            r["customer"],
            r["status"],
            r["amount"],
            r["registeredOn"].to_native(),
            _day(r["closedOn"]),
        )
        for r in await graph.read(RAW_DEALS)
    ]
    accounts = [
        Account(r["partner"], r["customer"], r["status"], _day(r["since"]))
        for r in await graph.read(RAW_ACCOUNTS)
    ]
    return World(sorted(deals, key=lambda d: d.key), accounts)


def influenced_by(world: World, deal: Deal) -> list[str]:
    return sorted(
        account.partner
        for account in world.accounts
        if account.customer == deal.customer
        and account.partner != deal.partner
        and account.status in ("CUSTOMER", "OPPORTUNITY")
        and (account.since is None or account.since <= deal.registered_on)
    )


def _divided(part: float | None, whole: float | None) -> float | None:
    return None if part is None or not whole else part / whole


def closed_in(world: World, start: date, end: date) -> list[Deal]:
    return [
        deal
        for deal in world.deals
        if deal.status in ("WON", "LOST")
        and deal.closed_on is not None
        and start <= deal.closed_on <= end
    ]


def baseline(world: World, start: date, end: date) -> float | None:
    closed = closed_in(world, start, end)
    return _divided(sum(deal.status == "WON" for deal in closed), len(closed))


def partner_impact(world: World, start: date, end: date) -> list[dict[str, Any]]:
    """Every row, in order, each with its partner's key under `partner`."""
    rows: dict[str, dict[str, Any]] = {}

    def row(key: str) -> dict[str, Any]:
        return rows.setdefault(
            key,
            {
                "partner": {"key": key},
                "sourcedWonAmount": 0.0,
                "sourcedWonDeals": 0,
                "influencedWonAmount": 0.0,
                "influencedWonDeals": 0,
                "influencedClosedDeals": 0,
            },
        )

    for deal in closed_in(world, start, end):
        won = deal.status == "WON"
        amount = deal.amount or 0.0
        mine = row(deal.partner)
        if won:
            mine["sourcedWonAmount"] += amount
            mine["sourcedWonDeals"] += 1
        for key in influenced_by(world, deal):
            theirs = row(key)
            theirs["influencedClosedDeals"] += 1
            if won:
                theirs["influencedWonAmount"] += amount
                theirs["influencedWonDeals"] += 1
    base = baseline(world, start, end)
    for found in rows.values():
        rate = _divided(found["influencedWonDeals"], found["influencedClosedDeals"])
        found["winRateInfluenced"] = rate
        found["lift"] = _divided(rate, base) if rate else None
    return sorted(rows.values(), key=lambda r: (-r["influencedWonAmount"], r["partner"]["key"]))
