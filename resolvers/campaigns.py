"""Campaign: a joint marketing campaign, its participants (Participation), the campaign queries.

A partner-scoped viewer sees only the campaigns it takes part in, and all of their participants.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

import strawberry

from graph.campaigns import CAMPAIGNS
from graph.paging import Window, made_under
from loaders.campaigns import (
    CampaignByKeyLoader,
    ParticipationCountByCampaignKeyLoader,
    ParticipationsByCampaignKeyLoader,
)
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.enums import OrderDirection
from resolvers.node import Node, registers
from resolvers.partners import Partner, partner_of
from resolvers.scalars import date_of, names_of

Row = dict[str, Any]


@strawberry.type(description="A joint marketing campaign of partners.")
class Campaign(Node):
    key: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    channel: str | None
    budget: float | None
    target_industries: list[str] = strawberry.field(description="Empty: every industry.")
    target_regions: list[str] = strawberry.field(description="Empty: every region.")

    @classmethod
    def of(cls, row: Row) -> Campaign:
        return cls(
            key=row["key"],
            name=row["name"],
            starts_on=row["startsOn"].to_native(),  # required on every campaign
            ends_on=date_of(row.get("endsOn")),
            channel=row.get("channel"),
            budget=row.get("budget"),
            target_industries=row.get("targetIndustries") or [],
            target_regions=row.get("targetRegions") or [],
        )

    @strawberry.field(description="Every partner taking part in it, by partner key.")
    async def partners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Participation]:
        window = Window.of(first, after, under=made_under("Campaign.partners", self.key))
        context = info.context
        counter = context.loader(ParticipationCountByCampaignKeyLoader)
        rows = context.loader(ParticipationsByCampaignKeyLoader, window=window)
        return nested(
            rows, counter, self.key, window, lambda row: row["partner"]["key"], Participation.of
        )


@strawberry.type(description="A partner's part in a campaign (PARTICIPATES_IN).")
class Participation:
    role: str | None
    mdf: float | None = strawberry.field(description="Market development funds committed.")
    partner_row: strawberry.Private[Row | str]  # the row, or only its key
    campaign_row: strawberry.Private[Row | str]

    @classmethod
    def of(cls, row: Row) -> Participation:
        return cls(
            role=row.get("role"),
            mdf=row.get("mdf"),
            partner_row=row["partner"],
            campaign_row=row["campaign"],
        )

    @strawberry.field
    async def partner(self, info: Info) -> Partner:
        return await partner_of(info, self.partner_row)

    @strawberry.field
    async def campaign(self, info: Info) -> Campaign:
        row = self.campaign_row
        if isinstance(row, str):  # reached through a campaign the viewer may see
            return Campaign.of(await info.context.loader(CampaignByKeyLoader).load(row) or {})
        return Campaign.of(row)


@strawberry.input(description="Campaigns matching every field given (a list: any of its values).")
class CampaignFilter:
    channel: list[str] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    active_on: datetime.date | None = strawberry.field(
        default=None, description="Running on this day: started, and not yet ended."
    )

    def params(self) -> dict[str, Any]:
        return {
            "channels": names_of(self.channel),
            "nameContains": self.name_contains or None,
            "activeOn": self.active_on,
        }


@strawberry.enum
class CampaignOrderField(StrEnum):
    KEY = "KEY"
    NAME = "NAME"
    STARTS_ON = "STARTS_ON"


@strawberry.input
class CampaignOrder:
    field: CampaignOrderField = CampaignOrderField.KEY
    direction: OrderDirection = OrderDirection.ASC


@registers("Campaign")
async def fetch_campaign(info: Info, key: str) -> Campaign | None:
    row = await info.context.loader(CampaignByKeyLoader).load(key)
    return Campaign.of(row) if row else None


@strawberry.type
class CampaignQueries:
    @strawberry.field(description="A campaign by key; null when unknown or not one of yours.")
    async def campaign(self, info: Info, key: str) -> Campaign | None:
        return await fetch_campaign(info, key)

    @strawberry.field(description="The campaigns you may see, filtered and ordered.")
    async def campaigns(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CampaignFilter | None = None,
        order_by: CampaignOrder | None = None,
    ) -> Connection[Campaign]:
        context = info.context
        asked = (filter or CampaignFilter()).params()
        filters = {**asked, "member": context.viewer.member}
        order = order_by or CampaignOrder()
        descending = order.direction == OrderDirection.DESC
        under = made_under("campaigns", asked, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        return listed(
            context.graph, CAMPAIGNS, filters, window, Campaign.of, order.field.value, descending
        )
