"""An independent model of campaign reach, built straight from a bundle's CSV rows with sets.

R(p) = the customers of an account in `statuses` of p or a sub-partner at most `depth` levels
below it (breadth first over the child lists), matching the targets (empty: all), held by a
partner in `allowed` (None: any). Grants in force are worked out from agreements.csv.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from support import read_csv

EVERY_STATUS = ("CUSTOMER", "OPPORTUNITY", "PROSPECT")


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    return read_csv(path) if path.exists() else []


def _list(cell: str) -> list[str]:
    return [value for value in cell.split(";") if value] if cell else []


@dataclass
class Bundle:
    children: dict[str, set[str]]
    accounts: set[tuple[str, str, str]]  # (partner, customer, status)
    customers: dict[str, dict[str, str]]
    campaigns: dict[str, dict[str, Any]]  # key -> {industries, regions, partners}
    agreements: list[dict[str, str]]

    @classmethod
    def read(cls, folder: Path) -> Bundle:
        children: dict[str, set[str]] = {}
        for row in _rows(folder, "sub_partners.csv"):
            children.setdefault(row["parent_key"], set()).add(row["child_key"])
        accounts = {
            (row["partner_key"], row["customer_key"], row["status"])
            for row in _rows(folder, "accounts.csv")
        }
        customers = {row["key"]: row for row in _rows(folder, "customers.csv")}
        campaigns = {
            row["key"]: {
                "industries": _list(row["target_industries"]),
                "regions": _list(row["target_regions"]),
                "partners": set(),
            }
            for row in _rows(folder, "campaigns.csv")
        }
        for row in _rows(folder, "campaign_partners.csv"):
            campaigns[row["campaign_key"]]["partners"].add(row["partner_key"])
        return cls(children, accounts, customers, campaigns, _rows(folder, "agreements.csv"))

    def team(self, p: str, depth: int) -> set[str]:
        seen, frontier = {p}, {p}
        for _ in range(depth):
            frontier = {c for q in frontier for c in self.children.get(q, ())} - seen
            seen |= frontier
        return seen

    def reach(
        self,
        p: str,
        depth: int,
        statuses: tuple[str, ...] = EVERY_STATUS,
        industries: list[str] | None = None,
        regions: list[str] | None = None,
        allowed: set[str] | None = None,
    ) -> set[str]:
        team = self.team(p, depth)
        found = set()
        for q, c, status in self.accounts:
            if q not in team or status not in statuses:
                continue
            if allowed is not None and q not in allowed:
                continue
            customer = self.customers[c]
            if industries and customer["industry"] not in industries:
                continue
            if regions and customer["region"] not in regions:
                continue
            found.add(c)
        return found

    def listed_for(self, viewer: str, on: date | None = None) -> set[str]:
        """The partners whose accounts `viewer` may list: itself and ACCOUNT_LIST grantors."""
        return self.grantors_for(viewer, {"ACCOUNT_LIST"}, on)

    def grantors_for(self, viewer: str, scopes: set[str], on: date | None = None) -> set[str]:
        """`viewer` and every partner whose agreement in force grants it one of `scopes`."""
        today = (on or datetime.now(UTC).date()).isoformat()
        found = {viewer}
        for a in self.agreements:
            if a["grantee_key"] != viewer or a["status"] != "ACTIVE":
                continue
            if not scopes & set(_list(a["scopes"])):
                continue
            if a["valid_from"] <= today and (not a["valid_to"] or a["valid_to"] >= today):
                found.add(a["grantor_key"])
        return found


def answer(
    bundle: Bundle,
    partners: set[str],
    depth: int,
    statuses: tuple[str, ...] = EVERY_STATUS,
    industries: list[str] | None = None,
    regions: list[str] | None = None,
    allowed: set[str] | None = None,
) -> dict[str, Any]:
    """The whole Reach answer (as the API shapes it, with partner and customer keys)."""
    r = {
        p: bundle.reach(p, depth, statuses, industries, regions, allowed) for p in sorted(partners)
    }
    by: dict[str, list[str]] = {}
    for p in sorted(partners):
        for c in r[p]:
            by.setdefault(c, []).append(p)
    total = len(by)
    participants = [
        {
            "partner": {"key": p},
            "reach": len(r[p]),
            "exclusive": len(r[p] - set().union(*(r[q] for q in partners if q != p))),
        }
        for p in sorted(partners)
    ]
    return {
        "total": total,
        "participants": participants,
        "byIndustry": segments(Counter(bundle.customers[c]["industry"] for c in by)),
        "byRegion": segments(Counter(bundle.customers[c]["region"] for c in by)),
        "overlapShare": sum(1 for ps in by.values() if len(ps) > 1) / total if total else 0.0,
        "customers": {c: by[c] for c in sorted(by)},  # key -> participants in key order
    }


def segments(counts: Counter[str]) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"segment": segment, "customers": n} for segment, n in ordered]
