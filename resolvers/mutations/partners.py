"""Mutations of partners: create and update."""

from __future__ import annotations

import datetime

import strawberry
from strawberry import UNSET

from graph import partners
from graph.access import Role
from resolvers.context import Info
from resolvers.enums import PartnerType, Stage, Tier
from resolvers.mutations.common import Problems, UserError, allow, attempt, given_fields
from resolvers.partners import Partner


@strawberry.type
class PartnerPayload:
    partner: Partner | None
    user_errors: list[UserError]


@strawberry.input
class PartnerCreateInput:
    key: str
    name: str
    type: PartnerType
    tier: Tier
    region: str | None = None
    country: str | None = None
    industries: list[str] | None = None
    stage: Stage | None = None
    joined_on: datetime.date | None = None


@strawberry.input(description="The fields to change; a field left out stays, null clears it.")
class PartnerUpdateInput:
    partner: strawberry.ID
    name: str | None = UNSET
    type: PartnerType | None = UNSET
    tier: Tier | None = UNSET
    region: str | None = UNSET
    country: str | None = UNSET
    industries: list[str] | None = UNSET
    stage: Stage | None = UNSET
    joined_on: datetime.date | None = UNSET


PROPS = {
    "name": "name",
    "type": "type",
    "tier": "tier",
    "region": "region",
    "country": "country",
    "industries": "industries",
    "stage": "stage",
    "joined_on": "joinedOn",
}
REQUIRED = ("name", "type", "tier")


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(description="Add a partner to the directory.")
    async def partner_create(self, info: Info, input: PartnerCreateInput) -> PartnerPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        problems.text("key", input.key)
        problems.text("name", input.name)
        if problems:
            return PartnerPayload(partner=None, user_errors=problems.errors)
        props = given_fields(input, PROPS, ("industries",))
        row, errors = await attempt(
            lambda: partners.create_partner(info.context.graph, input.key.strip(), props)
        )
        return PartnerPayload(partner=Partner.of(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Change a partner's fields.")
    async def partner_update(self, info: Info, input: PartnerUpdateInput) -> PartnerPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        key = problems.key_of(input.partner, "partner", "Partner")
        for name in REQUIRED:
            value = getattr(input, name)
            if value is not UNSET:
                problems.text(name, value if value is None or isinstance(value, str) else "x")
        if problems:
            return PartnerPayload(partner=None, user_errors=problems.errors)
        props = given_fields(input, PROPS, ("industries",))
        row, errors = await attempt(lambda: partners.update_partner(info.context.graph, key, props))
        return PartnerPayload(partner=Partner.of(row) if row else None, user_errors=errors)
