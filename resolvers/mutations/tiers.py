"""tierApply: partners moved to the tier their sales qualify them for, each move recorded.

Admins and alliance managers apply the tier review; anyone else is FORBIDDEN. A partner whose
tier holds records nothing, so applying again changes nothing; of two applies to one partner at
once, one records the change (graph.tiers).
"""

from __future__ import annotations

import datetime

import strawberry

from graph.access import Role, today
from graph.program import read_program
from graph.tiers import apply_tiers
from resolvers.context import Info
from resolvers.inputs import distinct
from resolvers.mutations.common import Problems, UserError, allow, missing_members
from resolvers.tier_review import AS_OF, TierChangeRecord, day_of

MAX_PARTNERS = 1_000  # partners in one apply


@strawberry.input(description="The partners to move to the tier their review qualifies them for.")
class TierApplyInput:
    partners: list[strawberry.ID] = strawberry.field(
        description=f"1 to {MAX_PARTNERS:,} different partners (a repeat counts once)."
    )
    as_of: datetime.date | None = strawberry.field(default=None, description=AS_OF)


@strawberry.type
class TierApplyPayload:
    changes: list[TierChangeRecord] = strawberry.field(
        description="The changes recorded, one per partner whose tier moved, in the order the"
        " partners were listed; a partner whose tier holds has none."
    )
    user_errors: list[UserError]


@strawberry.type
class TierMutations:
    @strawberry.mutation(
        description="Set each listed partner's tier to the one its tier review as of `asOf`"
        " qualifies it for, recording each change in its tierHistory (admin, alliance_manager)."
    )
    async def tier_apply(self, info: Info, input: TierApplyInput) -> TierApplyPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        day = day_of(input.as_of)
        problems = Problems()
        keys = problems.members(input.partners, "partners")
        if problems:
            return TierApplyPayload(changes=[], user_errors=problems.errors)
        order = distinct(keys, "partners", most=MAX_PARTNERS, what="partners")
        context = info.context
        viewer = context.viewer
        program = await read_program(context.graph)
        missing, moved = await apply_tiers(
            context.graph, program, list(order), day, today(), viewer.subject or viewer.label()
        )
        changes = [TierChangeRecord.of(key, moved[key]) for key in order if key in moved]
        return TierApplyPayload(
            changes=changes, user_errors=missing_members(keys, missing, "partners")
        )
