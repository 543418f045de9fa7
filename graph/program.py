"""The partner program: the tiers partners earn by sales, and what each tier pays.

A program is the four tiers, REGISTERED to PLATINUM. Each says what qualifies for it over the
trailing 365 days — `min_sales` (the amount of WON deals) and `min_won_deals` (how many) — the
`margin` a deal WON at that tier earns (a fraction in [0, 1)), and the `benefits` that go with
it. Thresholds never decrease up the tiers: a program that breaks this is refused, naming the
tier (`problem`). Until a program is loaded (`program_tiers.csv`) or set (`programTierSet`),
DEFAULT is the program.

The graph keeps it as one (:ProgramTier {tier, minSales, minWonDeals, margin, benefits}) node
per tier (unique by `tier`); a tier without a node is the default's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from graph.db import Graph
from graph.model import Tier

TIERS = tuple(Tier)  # REGISTERED first: the order thresholds never decrease in


@dataclass(frozen=True)
class ProgramTier:
    tier: Tier
    min_sales: float
    min_won_deals: int
    margin: float
    benefits: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: dict[str, Any]) -> ProgramTier:
        return cls(
            Tier(row["tier"]),
            float(row["minSales"]),
            int(row["minWonDeals"]),
            float(row["margin"]),
            tuple(row.get("benefits") or ()),
        )

    def params(self) -> dict[str, Any]:
        """As the graph stores it (and as queries take it: `$program`)."""
        return {
            "tier": self.tier.value,
            "minSales": self.min_sales,
            "minWonDeals": self.min_won_deals,
            "margin": self.margin,
            "benefits": list(self.benefits),
        }


DEFAULT: tuple[ProgramTier, ...] = (
    ProgramTier(
        Tier.REGISTERED,
        0.0,
        0,
        0.10,
        ("deal registration", "partner portal", "self-paced training"),
    ),
    ProgramTier(
        Tier.SILVER,
        250_000.0,
        2,
        0.15,
        ("market development funds", "sales enablement", "partner locator listing"),
    ),
    ProgramTier(
        Tier.GOLD,
        1_000_000.0,
        5,
        0.20,
        ("dedicated partner manager", "co-selling with the field team", "shared leads"),
    ),
    ProgramTier(
        Tier.PLATINUM,
        3_000_000.0,
        10,
        0.25,
        ("executive sponsor", "joint business planning", "early product access"),
    ),
)

PROGRAM = """
MATCH (t:ProgramTier)
RETURN t {.tier, .minSales, .minWonDeals, .margin, .benefits} AS tier
"""


def merged(
    given: Iterable[ProgramTier], base: Sequence[ProgramTier] = DEFAULT
) -> list[ProgramTier]:
    """`base` with the tiers `given` in place of its own, REGISTERED first."""
    by_tier = {tier.tier: tier for tier in base}
    by_tier.update({tier.tier: tier for tier in given})
    return [by_tier[tier] for tier in TIERS]


def problem(program: Sequence[ProgramTier]) -> tuple[Tier, str] | None:
    """The first tier (REGISTERED first) whose threshold is below the tier beneath it, and why;
    None when the thresholds never decrease."""
    for below, tier in pairwise(program):
        if tier.min_sales < below.min_sales:
            return tier.tier, (
                f"{tier.tier} asks minSales {tier.min_sales:,.2f}, less than"
                f" {below.tier}'s {below.min_sales:,.2f}"
            )
        if tier.min_won_deals < below.min_won_deals:
            return tier.tier, (
                f"{tier.tier} asks minWonDeals {tier.min_won_deals}, fewer than"
                f" {below.tier}'s {below.min_won_deals}"
            )
    return None


def qualified(program: Sequence[ProgramTier], sales: float, won_deals: int) -> ProgramTier:
    """The highest tier whose thresholds `sales` and `won_deals` both reach (REGISTERED when
    none does)."""
    reached = [t for t in program if t.min_sales <= sales and t.min_won_deals <= won_deals]
    return reached[-1] if reached else program[0]


async def read_program(graph: Graph) -> list[ProgramTier]:
    """The program in force, REGISTERED first: the stored tiers, the default's where none is."""
    rows = await graph.read_column(PROGRAM, "tier", {})
    return merged(ProgramTier.of(row) for row in rows)
