"""Mutations of solutions: create one, and add (or change) the partners that co-created it."""

from __future__ import annotations

import datetime

import strawberry

from graph import solutions
from graph.access import Role
from graph.errors import NotFound
from graph.members import UnknownPartners
from graph.model import CO_CREATED_STRENGTH
from graph.solutions import TooManyLeads
from resolvers.context import Info
from resolvers.enums import SolutionRole
from resolvers.mutations.common import (
    Problems,
    UserError,
    UserErrorCode,
    allow,
    attempt,
    missing_members,
    user_error,
)
from resolvers.solutions import Solution


@strawberry.input
class SolutionCreateInput:
    key: str
    name: str
    industry: str | None = None
    launched_on: datetime.date | None = None


@strawberry.type
class SolutionPayload:
    solution: Solution | None
    user_errors: list[UserError]


@strawberry.input(description="A partner's part in a solution, as it should stand.")
class SolutionPartnerInput:
    partner: strawberry.ID
    role: SolutionRole | None = strawberry.field(
        default=SolutionRole.CONTRIBUTOR, description="CONTRIBUTOR when left out or null."
    )
    share: float | None = strawberry.field(default=None, description="In [0, 1].")
    strength: float | None = strawberry.field(
        default=None, description="In (0, 1]; 0.7 when left out."
    )


@strawberry.input
class SolutionAddPartnersInput:
    solution: strawberry.ID
    partners: list[SolutionPartnerInput] = strawberry.field(
        description="At least one, each partner once."
    )


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


def _check_partners(problems: Problems, given: list[SolutionPartnerInput]) -> list[str]:
    keys = problems.members([item.partner for item in given], "partners", ".partner")
    leads = 0
    for index, item in enumerate(given):
        problems.fraction(f"partners[{index}].share", item.share)
        problems.strength(f"partners[{index}].strength", item.strength)
        if item.role == SolutionRole.LEAD:
            leads += 1
            if leads > 1:
                message = "a solution has at most one LEAD partner"
                problems.add(f"partners[{index}].role", message, UserErrorCode.CONFLICT)
    return keys


def _lead_field(given: list[SolutionPartnerInput]) -> str:
    """Where a clash of leads is reported: the input's LEAD, or the whole list."""
    leads = [i for i, item in enumerate(given) if item.role == SolutionRole.LEAD]
    return f"partners[{leads[0]}].role" if leads else "partners"


@strawberry.type
class SolutionMutations:
    @strawberry.mutation(description="Add a solution; CONFLICT when its key is taken.")
    async def solution_create(self, info: Info, input: SolutionCreateInput) -> SolutionPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        problems.text("key", input.key)
        problems.text("name", input.name)
        if problems:
            return SolutionPayload(solution=None, user_errors=problems.errors)
        fields = {
            "key": input.key.strip(),
            "name": input.name.strip(),
            "industry": _optional(input.industry),
            "launchedOn": input.launched_on,
        }
        row, errors = await attempt(lambda: solutions.create_solution(info.context.graph, fields))
        return SolutionPayload(solution=Solution.of(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Add partners to a solution, or change their part in it: each partner's "
        "role, share and strength are set as given (a share left out is cleared). All or "
        "nothing; the solution keeps at most one LEAD (CONFLICT otherwise)."
    )
    async def solution_add_partners(
        self, info: Info, input: SolutionAddPartnersInput
    ) -> SolutionPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        solution = problems.key_of(input.solution, "solution", "Solution")
        keys = _check_partners(problems, input.partners)
        if problems:
            return SolutionPayload(solution=None, user_errors=problems.errors)
        contributions = [
            {
                "partner": key,
                "role": (item.role or SolutionRole.CONTRIBUTOR).value,
                "share": item.share,
                "strength": CO_CREATED_STRENGTH if item.strength is None else item.strength,
            }
            for key, item in zip(keys, input.partners, strict=True)
        ]
        try:
            row = await solutions.add_contributions(info.context.graph, solution, contributions)
        except UnknownPartners as error:
            errors = missing_members(keys, error.keys, "partners", ".partner")
        except TooManyLeads as error:
            field = _lead_field(input.partners)
            errors = [UserError(field=field, message=error.message, code=UserErrorCode.CONFLICT)]
        except NotFound as error:
            errors = [user_error(error)]
        else:
            return SolutionPayload(solution=Solution.of(row), user_errors=[])
        return SolutionPayload(solution=None, user_errors=errors)
