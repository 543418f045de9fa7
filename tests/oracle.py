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


# DESIGN.md's strengths for an empty cell, written out here rather than read from the code.
DEFAULT_STRENGTH = {
    "sub_partner": 0.8,
    "CUSTOMER": 0.9,
    "OPPORTUNITY": 0.6,
    "PROSPECT": 0.3,
    "co_created": 0.7,
    "CO_SELL": 0.7,
    "REFERRAL": 0.5,
    "INTEGRATION": 0.4,
}


def influence_graph(folder: Path) -> nx.Graph:
    """DESIGN.md's undirected influence graph of a bundle: partners, customers and solutions
    (nodes named (label, key)); between two nodes the strongest relationship is the edge."""
    graph = nx.Graph()

    def rows(name: str) -> list[dict[str, str]]:
        return read_csv(folder / name) if (folder / name).exists() else []

    for name, label in (
        ("partners.csv", "Partner"),
        ("customers.csv", "Customer"),
        ("solutions.csv", "Solution"),
    ):
        graph.add_nodes_from((label, row["key"]) for row in rows(name))

    def join(a: tuple[str, str], b: tuple[str, str], cell: str, default: str) -> None:
        strength = float(cell) if cell else DEFAULT_STRENGTH[default]
        if a != b and strength > graph.get_edge_data(a, b, {"weight": 0.0})["weight"]:
            graph.add_edge(a, b, weight=strength)

    for row in rows("sub_partners.csv"):
        child, parent = ("Partner", row["child_key"]), ("Partner", row["parent_key"])
        join(child, parent, row["strength"], "sub_partner")
    for row in rows("accounts.csv"):
        partner, customer = ("Partner", row["partner_key"]), ("Customer", row["customer_key"])
        join(partner, customer, row["strength"], row["status"])
    for row in rows("partner_links.csv"):
        join(("Partner", row["from_key"]), ("Partner", row["to_key"]), row["strength"], row["kind"])
    for row in rows("solution_partners.csv"):
        partner, solution = ("Partner", row["partner_key"]), ("Solution", row["solution_key"])
        join(partner, solution, row["strength"], "co_created")
    return graph
