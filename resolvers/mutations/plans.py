"""Mutations of co-selling plans: create, update and delete one, set or remove a member, add or
remove a campaign that promotes it. Admins and alliance managers write plans; marketers may
also link campaigns to them."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry import UNSET

from graph import plans
from graph.access import Role
from graph.plans import MAX_PLAN_DAYS, plan_problems
from resolvers.context import Info
from resolvers.mutations.common import (
    Problems,
    UserError,
    UserErrorCode,
    allow,
    attempt,
    given_fields,
    names,
)
from resolvers.plans import CoSellPlan

Row = dict[str, Any]

TARGETS = "Empty, null or left out: every one."
DAYS = f"On or after startsOn; a plan runs at most {MAX_PLAN_DAYS:,} days."


@strawberry.input
class CoSellPlanCreateInput:
    key: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date = strawberry.field(description=DAYS)
    target_amount: float = strawberry.field(description="Above zero.")
    target_deals: int | None = strawberry.field(default=None, description="Zero or more.")
    target_industries: list[str] | None = strawberry.field(default=None, description=TARGETS)
    target_regions: list[str] | None = strawberry.field(default=None, description=TARGETS)


@strawberry.input(description="The fields to change; a field left out stays.")
class CoSellPlanUpdateInput:
    plan: strawberry.ID
    name: str | None = UNSET
    starts_on: datetime.date | None = UNSET
    ends_on: datetime.date | None = strawberry.field(default=UNSET, description=DAYS)
    target_amount: float | None = strawberry.field(default=UNSET, description="Above zero.")
    target_deals: int | None = strawberry.field(default=UNSET, description="null clears it.")
    target_industries: list[str] | None = strawberry.field(
        default=UNSET, description="Empty or null: every one."
    )
    target_regions: list[str] | None = strawberry.field(
        default=UNSET, description="Empty or null: every one."
    )


@strawberry.input
class CoSellPlanDeleteInput:
    plan: strawberry.ID


@strawberry.input(description="A partner's part in a plan, as it should stand.")
class CoSellPlanMemberSetInput:
    plan: strawberry.ID
    partner: strawberry.ID
    responsibilities: list[str] | None = strawberry.field(
        default=None, description="Each once; left out or null: none."
    )
    mdf_committed: float | None = strawberry.field(
        default=None, description="Zero or more; null: none said."
    )


@strawberry.input
class CoSellPlanMemberRemoveInput:
    plan: strawberry.ID
    partner: strawberry.ID = strawberry.field(description="One not a member is left as it is.")


@strawberry.input
class CoSellPlanCampaignInput:
    plan: strawberry.ID
    campaign: strawberry.ID


@strawberry.type
class CoSellPlanPayload:
    plan: CoSellPlan | None
    user_errors: list[UserError]


@strawberry.type
class CoSellPlanDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The id the plan had.")
    user_errors: list[UserError]


# Input fields as the graph names the plan's properties.
PROPS = {
    "name": "name",
    "starts_on": "startsOn",
    "ends_on": "endsOn",
    "target_amount": "targetAmount",
    "target_deals": "targetDeals",
    "target_industries": "targetIndustries",
    "target_regions": "targetRegions",
}
REQUIRED = ("name", "starts_on", "ends_on", "target_amount")


def _fields(input: object) -> dict[str, Any]:
    """The plan's properties the input gives; a target list left null is empty (every one)."""
    return given_fields(input, PROPS, ("target_industries", "target_regions"))


def _checked(problems: Problems, fields: dict[str, Any]) -> None:
    if "name" in fields and fields["name"] is None:
        problems.add("name", "must not be blank", UserErrorCode.REQUIRED)
    for field, reason in plan_problems(fields):
        problems.add(field, reason)


async def _written(write: Callable[[], Awaitable[Row]]) -> CoSellPlanPayload:
    row, errors = await attempt(write)
    return CoSellPlanPayload(plan=CoSellPlan.of(row) if row else None, user_errors=errors)


@strawberry.type
class PlanMutations:
    @strawberry.mutation(description="Add a co-selling plan; CONFLICT when its key is taken.")
    async def co_sell_plan_create(
        self, info: Info, input: CoSellPlanCreateInput
    ) -> CoSellPlanPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        problems.text("key", input.key)
        fields = _fields(input)
        _checked(problems, fields)
        if problems:
            return CoSellPlanPayload(plan=None, user_errors=problems.errors)
        fields["key"] = input.key.strip()
        return await _written(lambda: plans.create_plan(info.context.graph, fields))

    @strawberry.mutation(description="Change a co-selling plan's fields.")
    async def co_sell_plan_update(
        self, info: Info, input: CoSellPlanUpdateInput
    ) -> CoSellPlanPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        key = problems.key_of(input.plan, "plan", "CoSellPlan")
        fields = _fields(input)
        for name in REQUIRED:
            if PROPS[name] in fields and fields[PROPS[name]] is None:
                problems.add(
                    PROPS[name], "is required: it cannot be cleared", UserErrorCode.REQUIRED
                )
        if not problems:
            _checked(problems, fields)
        if problems:
            return CoSellPlanPayload(plan=None, user_errors=problems.errors)
        return await _written(lambda: plans.update_plan(info.context.graph, key, fields))

    @strawberry.mutation(
        description="Delete a co-selling plan; its members and campaigns stay as they are."
    )
    async def co_sell_plan_delete(
        self, info: Info, input: CoSellPlanDeleteInput
    ) -> CoSellPlanDeletePayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        key = problems.key_of(input.plan, "plan", "CoSellPlan")
        if problems:
            return CoSellPlanDeletePayload(deleted_id=None, user_errors=problems.errors)
        _, errors = await attempt(lambda: plans.delete_plan(info.context.graph, key))
        return CoSellPlanDeletePayload(
            deleted_id=None if errors else input.plan, user_errors=errors
        )

    @strawberry.mutation(
        description="Make a partner a member of a plan, or set its part in it: responsibilities"
        " and mdfCommitted are set as given (left out: cleared)."
    )
    async def co_sell_plan_member_set(
        self, info: Info, input: CoSellPlanMemberSetInput
    ) -> CoSellPlanPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        plan = problems.key_of(input.plan, "plan", "CoSellPlan")
        partner = problems.key_of(input.partner, "partner", "Partner")
        problems.not_negative("mdfCommitted", input.mdf_committed)
        if problems:
            return CoSellPlanPayload(plan=None, user_errors=problems.errors)
        duties = names(input.responsibilities)
        graph, mdf = info.context.graph, input.mdf_committed
        return await _written(lambda: plans.set_member(graph, plan, partner, duties, mdf))

    @strawberry.mutation(description="Take a partner out of a plan.")
    async def co_sell_plan_member_remove(
        self, info: Info, input: CoSellPlanMemberRemoveInput
    ) -> CoSellPlanPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        plan = problems.key_of(input.plan, "plan", "CoSellPlan")
        partner = problems.key_of(input.partner, "partner", "Partner")
        if problems:
            return CoSellPlanPayload(plan=None, user_errors=problems.errors)
        graph = info.context.graph
        return await _written(lambda: plans.remove_member(graph, plan, partner))

    @strawberry.mutation(description="Link a campaign that promotes a plan (once, however often).")
    async def co_sell_plan_campaign_add(
        self, info: Info, input: CoSellPlanCampaignInput
    ) -> CoSellPlanPayload:
        return await _campaign_link(info, input, plans.add_campaign)

    @strawberry.mutation(description="Unlink a campaign from a plan (the campaign stays).")
    async def co_sell_plan_campaign_remove(
        self, info: Info, input: CoSellPlanCampaignInput
    ) -> CoSellPlanPayload:
        return await _campaign_link(info, input, plans.remove_campaign)


async def _campaign_link(
    info: Info, input: CoSellPlanCampaignInput, change: Callable[..., Awaitable[Row]]
) -> CoSellPlanPayload:
    allow(info, Role.ALLIANCE_MANAGER, Role.MARKETER)
    problems = Problems()
    plan = problems.key_of(input.plan, "plan", "CoSellPlan")
    campaign = problems.key_of(input.campaign, "campaign", "Campaign")
    if problems:
        return CoSellPlanPayload(plan=None, user_errors=problems.errors)
    graph = info.context.graph
    return await _written(lambda: change(graph, plan, campaign))
