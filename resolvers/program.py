"""The partner program: its tiers, read by every caller, and set one tier at a time by staff.

Admins and alliance managers set a tier (`programTierSet`); anyone else is FORBIDDEN. A change
that would leave thresholds decreasing up the tiers is a user error naming the tier.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from graph import program
from graph.access import Role
from graph.ingest.spec import MAX_ITEMS as MAX_BENEFITS  # what program_tiers.csv holds
from graph.program import ProgramTier as ProgramTierRecord
from graph.program import read_program
from resolvers.context import Info
from resolvers.enums import Tier
from resolvers.mutations.common import Problems, UserError, allow, attempt


@strawberry.type(
    description="A tier of the partner program: what qualifies for it over the trailing 365 days"
    " (WON deals' amount and number), the margin a deal WON at it earns, and its benefits."
)
class ProgramTier:
    tier: Tier
    min_sales: float
    min_won_deals: int
    margin: float = strawberry.field(description="A fraction in [0, 1).")
    benefits: list[str]

    @classmethod
    def of(cls, record: ProgramTierRecord) -> ProgramTier:
        return cls(
            tier=record.tier,
            min_sales=record.min_sales,
            min_won_deals=record.min_won_deals,
            margin=record.margin,
            benefits=list(record.benefits),
        )


def program_of(records: Sequence[ProgramTierRecord]) -> list[ProgramTier]:
    return [ProgramTier.of(record) for record in records]


@strawberry.type
class ProgramQueries:
    @strawberry.field(
        description="The partner program in force, REGISTERED first; the default program's"
        " tiers until one is loaded (program_tiers.csv) or set (programTierSet)."
    )
    async def program(self, info: Info) -> list[ProgramTier]:
        return program_of(await read_program(info.context.graph))


@strawberry.input(description="A tier of the program, in full: it replaces the tier's figures.")
class ProgramTierSetInput:
    tier: Tier
    min_sales: float = strawberry.field(description="Zero or more.")
    min_won_deals: int = strawberry.field(description="Zero or more.")
    margin: float = strawberry.field(description="A fraction in [0, 1).")
    benefits: list[str] = strawberry.field(
        description=f"1 to {MAX_BENEFITS}, none blank nor holding ';'; a benefit listed twice"
        " counts once."
    )


@strawberry.type
class ProgramPayload:
    program: list[ProgramTier] | None = strawberry.field(
        description="The whole program after the change (REGISTERED first); null when refused."
    )
    user_errors: list[UserError]


@strawberry.type
class ProgramMutations:
    @strawberry.mutation(
        description="Set a tier of the partner program (admins and alliance managers). A change"
        " that would make a threshold decrease up the tiers is refused, naming the tier. Deals"
        " already WON keep their margin."
    )
    async def program_tier_set(self, info: Info, input: ProgramTierSetInput) -> ProgramPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        problems.not_negative("minSales", input.min_sales)
        problems.not_negative("minWonDeals", input.min_won_deals)
        if not 0.0 <= input.margin < 1.0:
            problems.add("margin", f"{input.margin} is outside [0, 1)")
        benefits = list(dict.fromkeys(benefit.strip() for benefit in input.benefits))
        for index, benefit in enumerate(input.benefits):
            problems.text(f"benefits[{index}]", benefit)
            if ";" in benefit:  # program_tiers.csv separates benefits with it
                problems.add(f"benefits[{index}]", "a benefit holds no ';'")
        if len(benefits) > MAX_BENEFITS:
            problems.add("benefits", f"give at most {MAX_BENEFITS} benefits, not {len(benefits)}")
        if problems:
            return ProgramPayload(program=None, user_errors=problems.errors)
        tier = ProgramTierRecord(
            input.tier,
            float(input.min_sales),
            input.min_won_deals,
            input.margin,
            tuple(benefits),
        )
        records, errors = await attempt(lambda: program.set_tier(info.context.graph, tier))
        return ProgramPayload(
            program=program_of(records) if records is not None else None, user_errors=errors
        )
