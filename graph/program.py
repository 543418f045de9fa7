"""The partner program: the tiers partners earn by sales, and what each tier pays.

A program is the four tiers, REGISTERED to PLATINUM. Each says what qualifies for it over the
trailing 365 days — `min_sales` (the amount of WON deals) and `min_won_deals` (how many) — the
`margin` a deal WON at that tier earns (a fraction in [0, 1)), and the `benefits` that go with
it. Thresholds never decrease up the tiers: a program that breaks this is refused, naming the
tier (`problem`). Until a program is loaded (`program_tiers.csv`) or set (`programTierSet`),
DEFAULT is the program.

The graph keeps it as one (:ProgramTier {tier, minSales, minWonDeals, margin, benefits}) node
per tier (unique by `tier`); a tier without a node is the default's. `set_tier` changes one tier
under a lock on all four; a deal WON takes its partner's tier margin from TIER_MARGIN.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from graph.db import Graph, Transaction
from graph.errors import InvalidInput
from graph.model import Tier

TIERS = tuple(Tier)  # REGISTERED first: the order thresholds never decrease in
DECREASING = "the program would decrease up the tiers"  # a refusal's start; `problem` says why


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

# The margins of the default program, by tier: `$margins` of TIER_MARGIN.
DEFAULT_MARGINS = {tier.tier.value: tier.margin for tier in DEFAULT}

# In: `p`, a partner (null: none), and $margins (DEFAULT_MARGINS) / Out: the margin of p's tier
# under the program in force (its stored node's, else the default's); null without a partner.
TIER_MARGIN = (
    "coalesce(COLLECT { MATCH (t:ProgramTier {tier: p.tier}) RETURN t.margin }[0],"
    " $margins[p.tier])"
)

# Every tier's node, created from the program in force where missing (the same program: a tier
# without a node is the default's), and write-locked REGISTERED first (the order $program is
# in): two changes of the program run one after the other, and each checks the one before it.
LOCK_PROGRAM = """
UNWIND $program AS given
MERGE (t:ProgramTier {tier: given.tier})
ON CREATE SET t += given
SET t._lock = true
REMOVE t._lock
RETURN t {.tier, .minSales, .minWonDeals, .margin, .benefits} AS tier
"""

SET_TIER = """
MATCH (t:ProgramTier {tier: $tier.tier})
SET t += $tier
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


def threshold(program: Sequence[ProgramTier], tier: Tier) -> str:
    """Which threshold of `tier` (as `problem` names it) falls below the tier beneath it:
    "minSales" or "minWonDeals"."""
    at = [t.tier for t in program].index(tier)
    below, named = program[at - 1], program[at]
    return "minSales" if named.min_sales < below.min_sales else "minWonDeals"


async def read_program(graph: Graph) -> list[ProgramTier]:
    """The program in force, REGISTERED first: the stored tiers, the default's where none is."""
    rows = await graph.read_column(PROGRAM, "tier", {})
    return merged(ProgramTier.of(row) for row in rows)


class DecreasingProgram(InvalidInput):
    """A change that would leave thresholds decreasing up the tiers."""


async def set_tier(graph: Graph, tier: ProgramTier) -> list[ProgramTier]:
    """Put `tier` in the program in force and return the whole program, REGISTERED first; a
    program it would leave decreasing is refused (DecreasingProgram, naming the tier and its
    threshold) and nothing changes. The check and the write are one transaction."""

    async def work(tx: Transaction) -> list[ProgramTier]:
        defaults = [t.params() for t in DEFAULT]
        stored = await tx.run(LOCK_PROGRAM, {"program": defaults})
        program = merged([tier], merged(ProgramTier.of(row["tier"]) for row in stored))
        found = problem(program)
        if found is not None:
            named, why = found
            raise DecreasingProgram(
                f"{DECREASING}: {why}",
                field=threshold(program, named),
            )
        await tx.run(SET_TIER, {"tier": tier.params()})
        return program

    return await graph.transaction(work)
