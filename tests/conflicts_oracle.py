"""An independent model of deal conflicts, straight from a bundle's deals.csv rows.

DESIGN.md: two deals collide when they are for one customer, from different partners, both
PENDING or APPROVED, and their [registeredOn, expiresOn] windows share a day (no expiresOn:
open-ended). A customer's conflict lists every open deal that collides with another; the
protected one is the earliest registration, ties by key. Seen by partner P: only conflicts with
one of P's deals, only P's deals listed, the others counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from support import read_csv

OPEN = {"PENDING", "APPROVED"}
NOTICE = "another partner's deal registered on {} protects this customer"


@dataclass(frozen=True)
class DealRow:
    key: str
    partner: str
    customer: str
    status: str
    on: date
    until: date | None

    def shares_a_day_with(self, other: DealRow) -> bool:
        last = min(self.until or date.max, other.until or date.max)
        return max(self.on, other.on) <= last


def read_deals(folder: Path) -> list[DealRow]:
    return [
        DealRow(
            row["key"],
            row["partner_key"],
            row["customer_key"],
            row["status"],
            date.fromisoformat(row["registered_on"]),
            date.fromisoformat(row["expires_on"]) if row["expires_on"] else None,
        )
        for row in read_csv(folder / "deals.csv")
    ]


def colliding_with(deal: DealRow, deals: list[DealRow]) -> list[DealRow]:
    if deal.status not in OPEN:
        return []
    found = [
        other
        for other in deals
        if other.customer == deal.customer
        and other.partner != deal.partner
        and other.status in OPEN
        and deal.shares_a_day_with(other)
    ]
    return sorted(found, key=lambda d: (d.on, d.key))


def conflicts(deals: list[DealRow]) -> dict[str, list[DealRow]]:
    """Customer key -> its colliding deals (registeredOn, then key), customers by key."""
    found: dict[str, list[DealRow]] = {}
    for customer in sorted({deal.customer for deal in deals}):
        hit = [d for d in deals if d.customer == customer and colliding_with(d, deals)]
        if hit:
            found[customer] = sorted(hit, key=lambda d: (d.on, d.key))
    return found


def expected(deals: list[DealRow], viewer: str | None = None) -> list[dict[str, Any]]:
    """The dealConflicts answer as staff (viewer None) or partner `viewer` should get it, in the
    shape CONFLICT_FIELDS selects."""
    answer = []
    for customer, hit in conflicts(deals).items():
        first = hit[0]  # sorted by (registeredOn, key): the earliest registration
        if viewer is None:
            answer.append(
                {
                    "customer": {"key": customer},
                    "deals": [{"key": d.key} for d in hit],
                    "protected": {"key": first.key},
                    "protectedOn": first.on.isoformat(),
                    "protectedIsYours": None,
                    "hiddenDeals": 0,
                    "notice": None,
                }
            )
            continue
        own = [d for d in hit if d.partner == viewer]
        if not own:
            continue
        mine = first.partner == viewer
        answer.append(
            {
                "customer": {"key": customer},
                "deals": [{"key": d.key} for d in own],
                "protected": {"key": first.key} if mine else None,
                "protectedOn": first.on.isoformat(),
                "protectedIsYours": mine,
                "hiddenDeals": len(hit) - len(own),
                "notice": None if mine else NOTICE.format(first.on.isoformat()),
            }
        )
    return answer
