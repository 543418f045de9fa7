"""An independent model of partner suggestions, from a bundle's CSV rows (never from the code
under test): each partner's reach R as a plain set, and the plain (non-lazy) greedy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import read_csv

EVERY = frozenset({"CUSTOMER", "OPPORTUNITY", "PROSPECT"})


def plain_greedy(
    sets: dict[str, set[Any]], reached: set[Any], first: int
) -> tuple[list[tuple[str, int]], int]:
    """DESIGN.md's greedy as written: each round every candidate left is evaluated; the most
    new customers wins, ties by key; stop after `first` picks or when the best adds nothing.
    Returns the picks and how many gains it evaluated."""
    reached, left = set(reached), set(sets)
    picks: list[tuple[str, int]] = []
    evaluations = 0
    while left and len(picks) < first:
        gains = {key: len(sets[key] - reached) for key in left}
        evaluations += len(gains)
        best = min(gains, key=lambda key: (-gains[key], key))
        if gains[best] == 0:
            break
        picks.append((best, gains[best]))
        reached |= sets[best]
        left.remove(best)
    return picks, evaluations


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    return read_csv(folder / name) if (folder / name).exists() else []


def _list(cell: str) -> list[str]:
    return [item for item in cell.split(";") if item]


@dataclass
class Model:
    partners: list[str]
    customers: dict[str, tuple[str, str]]  # key -> (industry, region)
    accounts: list[tuple[str, str, str]]  # partner, customer, status
    children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    campaigns: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    participants: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def read(cls, folder: Path) -> Model:
        model = cls(
            [row["key"] for row in _rows(folder, "partners.csv")],
            {
                row["key"]: (row["industry"], row["region"])
                for row in _rows(folder, "customers.csv")
            },
            [
                (r["partner_key"], r["customer_key"], r["status"])
                for r in _rows(folder, "accounts.csv")
            ],
        )
        for row in _rows(folder, "sub_partners.csv"):
            model.children[row["parent_key"]].add(row["child_key"])
        for row in _rows(folder, "campaigns.csv"):
            model.campaigns[row["key"]] = (
                _list(row["target_industries"]),
                _list(row["target_regions"]),
            )
        for row in _rows(folder, "campaign_partners.csv"):
            model.participants[row["campaign_key"]].append(row["partner_key"])
        return model

    def team(self, partner: str, depth: int) -> set[str]:
        """The partner and its sub-partners at most `depth` levels below (breadth first)."""
        found, level = {partner}, {partner}
        for _ in range(depth):
            level = {child for parent in level for child in self.children[parent]} - found
            found |= level
        return found

    def reach(
        self,
        partner: str,
        depth: int,
        statuses: frozenset[str] = EVERY,
        industries: list[str] | None = None,
        regions: list[str] | None = None,
        allowed: set[str] | None = None,
    ) -> set[str]:
        team = self.team(partner, depth)
        if allowed is not None:
            team &= allowed
        return {
            c
            for p, c, status in self.accounts
            if p in team
            and status in statuses
            and (not industries or self.customers[c][0] in industries)
            and (not regions or self.customers[c][1] in regions)
        }

    def suggest(
        self,
        taking: list[str],
        first: int,
        depth: int,
        statuses: frozenset[str] = EVERY,
        industries: list[str] | None = None,
        regions: list[str] | None = None,
        allowed: set[str] | None = None,
    ) -> list[tuple[str, int]]:
        def reach(p: str) -> set[str]:
            return self.reach(p, depth, statuses, industries, regions, allowed)

        reached = set().union(*(reach(p) for p in taking))
        sets = {p: reach(p) for p in self.partners if p not in taking}
        return plain_greedy(sets, reached, first)[0]

    def suggest_for(
        self,
        campaign: str,
        first: int,
        depth: int,
        statuses: frozenset[str] = EVERY,
        allowed: set[str] | None = None,
    ) -> list[tuple[str, int]]:
        industries, regions = self.campaigns[campaign]
        taking = self.participants[campaign]
        return self.suggest(taking, first, depth, statuses, industries, regions, allowed)
