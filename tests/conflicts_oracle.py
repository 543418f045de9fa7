"""An independent model of deal conflicts, straight from a bundle's deals.csv rows.

DESIGN.md: a deal is open while it is PENDING or APPROVED and its expiresOn is today or later (no
expiresOn: until it closes). Two open deals collide when they are for one customer, from
different partners, and their [registeredOn, expiresOn] windows share a day. A customer's
conflict lists every open deal that collides with another; the protected one is the earliest
registration, ties by key. Seen by partner P: only conflicts with one of P's deals, only P's
deals listed, the others counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
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

    def is_open(self, today: date) -> bool:
        return self.status in OPEN and (self.until is None or self.until >= today)

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


def utc_today() -> date:
    return datetime.now(UTC).date()


def colliding_with(deal: DealRow, deals: list[DealRow], today: date | None = None) -> list[DealRow]:
    today = today or utc_today()
    if not deal.is_open(today):
        return []
    found = [
        other
        for other in deals
        if other.customer == deal.customer
        and other.partner != deal.partner
        and other.is_open(today)
        and deal.shares_a_day_with(other)
    ]
    return sorted(found, key=lambda d: (d.on, d.key))


def conflicts(deals: list[DealRow], today: date) -> dict[str, list[DealRow]]:
    """Customer key -> its colliding deals (registeredOn, then key), customers by key."""
    found: dict[str, list[DealRow]] = {}
    for customer in sorted({deal.customer for deal in deals}):
        hit = [d for d in deals if d.customer == customer and colliding_with(d, deals, today)]
        if hit:
            found[customer] = sorted(hit, key=lambda d: (d.on, d.key))
    return found


def expected(
    deals: list[DealRow], viewer: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """The dealConflicts answer as staff (viewer None) or partner `viewer` should get it on
    `today` (the real one by default), in the shape CONFLICT_FIELDS selects."""
    answer = []
    for customer, hit in conflicts(deals, today or utc_today()).items():
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
