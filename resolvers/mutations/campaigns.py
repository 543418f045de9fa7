"""Mutations of campaigns: create one, and add or remove the partners taking part in it."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from graph import campaigns
from graph.access import Role
from graph.errors import NotFound
from graph.members import UnknownPartners
from resolvers.campaigns import Campaign
from resolvers.context import Info
from resolvers.inputs import distinct
from resolvers.mutations.common import (
    Problems,
    UserError,
    allow,
    attempt,
    missing_members,
    names,
    user_error,
)

Row = dict[str, Any]


@strawberry.input
class CampaignCreateInput:
    key: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date | None = strawberry.field(
        default=None, description="On or after startsOn; null: open-ended."
    )
    channel: str | None = None
    budget: float | None = strawberry.field(default=None, description="Zero or more.")
    target_industries: list[str] | None = strawberry.field(
        default=None, description="Left out or null: every industry."
    )
    target_regions: list[str] | None = strawberry.field(
        default=None, description="Left out or null: every region."
    )


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None
    user_errors: list[UserError]


@strawberry.input(description="A partner's part in a campaign, as it should stand.")
class CampaignPartnerInput:
    partner: strawberry.ID
    role: str | None = None
    mdf: float | None = strawberry.field(
        default=None, description="Market development funds committed: zero or more."
    )


@strawberry.input
class CampaignAddPartnersInput:
    campaign: strawberry.ID
    partners: list[CampaignPartnerInput] = strawberry.field(
        description="At least one, each partner once."
    )


@strawberry.input
class CampaignRemovePartnersInput:
    campaign: strawberry.ID
    partners: list[strawberry.ID] = strawberry.field(
        description="At least one (a partner listed twice counts once); one not taking part is "
        "left as it is."
    )


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


def _names(values: list[str] | None) -> list[str] | None:
    """A list of names without blanks or repeats; None (not stored) when nothing is left."""
    return names(values) or None


async def _change(
    keys: list[str], item: str, write: Callable[[], Awaitable[Row]]
) -> CampaignPayload:
    """Run a change of a campaign's partners; what refused it becomes user errors."""
    try:
        row = await write()
    except UnknownPartners as error:
        errors = missing_members(keys, error.keys, "partners", item)
    except NotFound as error:
        errors = [user_error(error)]
    else:
        return CampaignPayload(campaign=Campaign.of(row), user_errors=[])
    return CampaignPayload(campaign=None, user_errors=errors)


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(description="Add a campaign; CONFLICT when its key is taken.")
    async def campaign_create(self, info: Info, input: CampaignCreateInput) -> CampaignPayload:
        allow(info, Role.MARKETER)
        problems = Problems()
        problems.text("key", input.key)
        problems.text("name", input.name)
        problems.ordered(input.starts_on, input.ends_on, "endsOn", "startsOn")
        problems.not_negative("budget", input.budget)
        if problems:
            return CampaignPayload(campaign=None, user_errors=problems.errors)
        fields = {
            "key": input.key.strip(),
            "name": input.name.strip(),
            "startsOn": input.starts_on,
            "endsOn": input.ends_on,
            "channel": _optional(input.channel),
            "budget": input.budget,
            "targetIndustries": _names(input.target_industries),
            "targetRegions": _names(input.target_regions),
        }
        row, errors = await attempt(lambda: campaigns.create_campaign(info.context.graph, fields))
        return CampaignPayload(campaign=Campaign.of(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Add partners to a campaign, or change their part in it: each partner's "
        "role and mdf are set as given (left out: cleared). All or nothing."
    )
    async def campaign_add_partners(
        self, info: Info, input: CampaignAddPartnersInput
    ) -> CampaignPayload:
        allow(info, Role.MARKETER)
        problems = Problems()
        campaign = problems.key_of(input.campaign, "campaign", "Campaign")
        keys = problems.members([item.partner for item in input.partners], "partners", ".partner")
        for index, item in enumerate(input.partners):
            problems.not_negative(f"partners[{index}].mdf", item.mdf)
        if problems:
            return CampaignPayload(campaign=None, user_errors=problems.errors)
        rows = [
            {"partner": key, "role": _optional(item.role), "mdf": item.mdf}
            for key, item in zip(keys, input.partners, strict=True)
        ]
        graph = info.context.graph
        return await _change(
            keys, ".partner", lambda: campaigns.add_participations(graph, campaign, rows)
        )

    @strawberry.mutation(description="Take partners out of a campaign. All or nothing.")
    async def campaign_remove_partners(
        self, info: Info, input: CampaignRemovePartnersInput
    ) -> CampaignPayload:
        allow(info, Role.MARKETER)
        problems = Problems()
        campaign = problems.key_of(input.campaign, "campaign", "Campaign")
        keys = problems.members(input.partners, "partners")
        if problems:
            return CampaignPayload(campaign=None, user_errors=problems.errors)
        graph = info.context.graph
        once = list(distinct(keys))
        return await _change(
            keys, "", lambda: campaigns.remove_participations(graph, campaign, once)
        )
