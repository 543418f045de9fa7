"""An independent model of a bundle for checking relationship queries: plain sets and networkx.

Built straight from the CSV rows (never from the code under test): who holds which customer with
which status, and the sub-partner DAG.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import networkx as nx
from support import read_csv

EVERY = frozenset({"CUSTOMER", "OPPORTUNITY", "PROSPECT"})


@dataclass
class Ecosystem:
    partners: list[str]
    accounts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    dag: nx.DiGraph = field(default_factory=nx.DiGraph)  # child -> parent

    @classmethod
    def read(cls, folder: Path) -> Ecosystem:
        model = cls([row["key"] for row in read_csv(folder / "partners.csv")])
        model.dag.add_nodes_from(model.partners)
        if (folder / "accounts.csv").exists():
            for row in read_csv(folder / "accounts.csv"):
                model.accounts[row["partner_key"]][row["customer_key"]] = row["status"]
        if (folder / "sub_partners.csv").exists():
            for row in read_csv(folder / "sub_partners.csv"):
                model.dag.add_edge(row["child_key"], row["parent_key"])
        return model

    def below(self, partner: str) -> set[str]:
        """D(p): the partners with a SUB_PARTNER_OF path up to p."""
        return set(nx.ancestors(self.dag, partner))

    def members(self, partner: str, roll_up: bool, allowed: set[str] | None = None) -> set[str]:
        below = self.below(partner) if roll_up else set()
        if allowed is not None:
            below &= allowed
        return {partner} | below

    def holds(
        self,
        partner: str,
        statuses: frozenset[str] = EVERY,
        roll_up: bool = False,
        allowed: set[str] | None = None,
    ) -> set[str]:
        """A(p) over p's members."""
        return {
            customer
            for member in self.members(partner, roll_up, allowed)
            for customer, status in self.accounts[member].items()
            if status in statuses
        }

    def overlap(
        self,
        a: str,
        b: str,
        statuses: frozenset[str] = EVERY,
        roll_up: bool = False,
        allowed: set[str] | None = None,
    ) -> tuple[int, Fraction]:
        first = self.holds(a, statuses, roll_up, allowed)
        second = self.holds(b, statuses, roll_up, allowed)
        union = len(first | second)
        shared = len(first & second)
        return shared, Fraction(shared, union) if union else Fraction(0)

    def top(
        self,
        partner: str,
        first: int,
        statuses: frozenset[str] = EVERY,
        roll_up: bool = False,
        allowed: set[str] | None = None,
    ) -> list[tuple[str, int, Fraction]]:
        own = self.members(partner, roll_up, allowed) if roll_up else {partner}
        ranked = []
        for other in self.partners:
            if other in own or (allowed is not None and other not in allowed):
                continue
            count, jaccard = self.overlap(partner, other, statuses, roll_up, allowed)
            if count:
                ranked.append((other, count, jaccard))
        ranked.sort(key=lambda item: (-item[1], -item[2], item[0]))
        return ranked[:first]

    def common(self, members: list[tuple[str, frozenset[str]]]) -> set[str]:
        sets = [self.holds(partner, statuses) for partner, statuses in members]
        return set.intersection(*sets)
