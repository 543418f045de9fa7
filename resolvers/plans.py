"""CoSellPlan: a co-selling plan of partners with joint targets, its members and its progress.

Staff see every plan. A partner viewer sees the plans it is a member of (another is NOT_FOUND,
null through `node`), each with all its members, the campaigns of it that the viewer takes part
in, the totals of its progress, and in `byMember` only its own row; every plan it reads is
audited, naming the plan's members.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.access import today
from graph.errors import NotFound
from graph.messages import shown
from graph.paging import MAX_FIRST, Window, made_under
from graph.plans import PLANS
from loaders.campaigns import CampaignByKeyLoader
from loaders.plans import (
    CoSellPlanByKeyLoader,
    CoSellPlansByPartnerKeyLoader,
    PlanProgressByPlanKeyLoader,
)
from resolvers.campaigns import Campaign
from resolvers.connection import Connection, listed
from resolvers.context import Info
from resolvers.node import Node, key_of, registers

if TYPE_CHECKING:
    from resolvers.partners import Partner

PartnerType = Annotated["Partner", strawberry.lazy("resolvers.partners")]
Row = dict[str, Any]

TEAM = (
    "A member's team is the member and every partner below it in the sub-partner hierarchy; the"
    " plan's team is its members' teams together. A plan's deals are the deals a team partner"
    " registered for a customer matching the plan's target industries and regions, each once."
)


@strawberry.type(description="A member's part in a co-selling plan.")
class PlanMember:
    partner_key: strawberry.Private[str]
    responsibilities: list[str] = strawberry.field(
        description="What it does for the plan (its share of the marketing, the selling)."
    )
    mdf_committed: float | None = strawberry.field(
        description="The market development funds it committed; null: none said."
    )

    @strawberry.field
    async def partner(self, info: Info) -> PartnerType:
        from resolvers.partners import partner_of

        return await partner_of(info, self.partner_key)


@strawberry.type(description="Won and pipeline figures of a set of a plan's deals.")
class PlanFigures:
    won_amount: float = strawberry.field(
        description="The amount of the WON deals closed from startsOn to the earlier of endsOn"
        " and the day asked (a deal without amount adds 0)."
    )
    won_deals: int = strawberry.field(description="How many deals wonAmount counts.")
    pipeline_amount: float = strawberry.field(
        description="The amount of the deals PENDING or APPROVED now, registered from startsOn to"
        " the earlier of endsOn and the day asked, and not expired on that day."
    )
    pipeline_deals: int = strawberry.field(description="How many deals pipelineAmount counts.")

    @classmethod
    def of(cls, row: Row) -> PlanFigures:
        return cls(
            won_amount=row["wonAmount"],
            won_deals=row["wonDeals"],
            pipeline_amount=row["pipelineAmount"],
            pipeline_deals=row["pipelineDeals"],
        )


@strawberry.type(description="A member's figures: the plan's deals of its own team.")
class MemberProgress(PlanFigures):
    partner_key: strawberry.Private[str]

    @strawberry.field
    async def partner(self, info: Info) -> PartnerType:
        from resolvers.partners import partner_of

        return await partner_of(info, self.partner_key)

    @classmethod
    def of_member(cls, row: Row) -> MemberProgress:
        return cls(partner_key=row["partner"], **vars(PlanFigures.of(row)))


@strawberry.type(description=f"How far a plan has come by a day. {TEAM}")
class PlanProgress(PlanFigures):
    attainment: float = strawberry.field(description="wonAmount / the plan's targetAmount.")
    expected_by_now: float = strawberry.field(
        description="targetAmount * the plan's days up to the day asked (both ends counted, none"
        " before startsOn, all after endsOn) / all its days."
    )
    on_track: bool = strawberry.field(description="wonAmount ≥ expectedByNow.")
    by_member: list[MemberProgress] = strawberry.field(
        description="Each member's figures, by partner key (a deal of a partner below two members"
        " counts for each, once in the totals); a partner viewer sees its own row alone."
    )
    campaign_influenced: PlanFigures = strawberry.field(
        description="The plan's won and pipeline deals for a customer that one of the plan's"
        " campaigns reached (its participants' and their direct sub-partners' accounts of any"
        " status, within the campaign's targets), the campaign having started on or before the"
        " deal was registered: what the plan's marketing bought."
    )

    @classmethod
    def of_row(cls, row: Row, member: str | None) -> PlanProgress:
        rows = [item for item in row["byMember"] if member is None or item["partner"] == member]
        return cls(
            **vars(PlanFigures.of(row)),
            attainment=row["attainment"],
            expected_by_now=row["expectedByNow"],
            on_track=row["onTrack"],
            by_member=[MemberProgress.of_member(item) for item in rows],
            campaign_influenced=PlanFigures.of(row["campaignInfluenced"]),
        )


@strawberry.type(
    description="A co-selling plan: partners' joint sales target over a period, who does what,"
    " the funds they commit, and the campaigns that promote it."
)
class CoSellPlan(Node):
    key: str
    name: str
    starts_on: datetime.date = strawberry.field(description="Its first day.")
    ends_on: datetime.date = strawberry.field(description="Its last day.")
    target_amount: float = strawberry.field(description="The joint sales target (above zero).")
    target_deals: int | None = strawberry.field(description="A target number of won deals.")
    target_industries: list[str] = strawberry.field(
        description="The customers' industries its deals count for; empty: every industry."
    )
    target_regions: list[str] = strawberry.field(
        description="The customers' regions its deals count for; empty: every region."
    )
    member_rows: strawberry.Private[list[Row]]
    campaign_keys: strawberry.Private[list[str]]

    @classmethod
    def of(cls, row: Row) -> CoSellPlan:
        return cls(
            key=row["key"],
            name=row["name"],
            starts_on=row["startsOn"].to_native(),  # required on every plan
            ends_on=row["endsOn"].to_native(),
            target_amount=row["targetAmount"],
            target_deals=row.get("targetDeals"),
            target_industries=row.get("targetIndustries") or [],
            target_regions=row.get("targetRegions") or [],
            member_rows=sorted(row.get("members") or [], key=lambda item: item["partner"]),
            campaign_keys=sorted(row.get("campaigns") or []),
        )

    @property
    def member_keys(self) -> list[str]:
        return [row["partner"] for row in self.member_rows]

    @strawberry.field(description="Its members, by partner key.")
    def members(self) -> list[PlanMember]:
        return [
            PlanMember(
                partner_key=row["partner"],
                responsibilities=row["responsibilities"],
                mdf_committed=row.get("mdfCommitted"),
            )
            for row in self.member_rows
        ]

    @strawberry.field(
        description="The campaigns that promote it, by key; a partner viewer sees those it takes"
        " part in."
    )
    async def campaigns(self, info: Info) -> list[Campaign]:
        rows = await info.context.loader(CampaignByKeyLoader).load_many(self.campaign_keys)
        return [Campaign.of(row) for row in rows if row]

    @strawberry.field(description="The funds its members committed, together.")
    def mdf_committed(self) -> float:
        return float(sum(row.get("mdfCommitted") or 0.0 for row in self.member_rows))

    @strawberry.field(description="How far it has come by `asOf` (UTC today when omitted).")
    async def progress(self, info: Info, as_of: datetime.date | None = None) -> PlanProgress:
        context = info.context
        day = as_of or today()
        context.audit("coSellPlan.progress", self.member_keys, allowed=True)
        row = await context.loader(PlanProgressByPlanKeyLoader, as_of=day).load(self.key)
        if row is None:  # deleted since this request read it
            raise NotFound(f"there is no co-selling plan {shown(self.key)}")
        return PlanProgress.of_row(row, context.viewer.member)


def seen(info: Info, row: Row) -> CoSellPlan:
    """A plan the viewer may see; a partner viewer's read is audited, naming its members."""
    plan = CoSellPlan.of(row)
    info.context.audit("coSellPlan", plan.member_keys, allowed=True)
    return plan


@registers("CoSellPlan")
async def fetch_plan(info: Info, key: str) -> CoSellPlan | None:
    row = await info.context.loader(CoSellPlanByKeyLoader).load(key)
    return seen(info, row) if row else None


async def plans_of(info: Info, partner: str) -> list[CoSellPlan]:
    """Partner.coSellPlans: the plans it is a member of that the viewer may see, by key."""
    rows = await info.context.loader(CoSellPlansByPartnerKeyLoader).load(partner)
    return [seen(info, row) for row in rows]


@strawberry.type
class PlanQueries:
    @strawberry.field(
        description="A co-selling plan by key; null with NOT_FOUND when unknown or, for a partner"
        " viewer, not one it is a member of."
    )
    async def co_sell_plan(self, info: Info, key: str) -> CoSellPlan | None:
        plan = await fetch_plan(info, key)
        if plan is None:
            info.context.audit("coSellPlan", [], allowed=False)
            raise NotFound(f"there is no co-selling plan {shown(key)}", field="key")
        return plan

    @strawberry.field(
        description=f"The co-selling plans you may see, by key. first 1-{MAX_FIRST} (20)."
        " `partner`: only the plans that partner is a member of; `activeOn`: only those running"
        " on that day (startsOn ≤ it ≤ endsOn)."
    )
    async def co_sell_plans(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        partner: strawberry.ID | None = None,
        active_on: datetime.date | None = None,
    ) -> Connection[CoSellPlan]:
        context = info.context
        asked = {
            "partner": key_of(partner, "partner", "Partner") if partner is not None else None,
            "activeOn": active_on,
        }
        filters = {**asked, "member": context.viewer.member}
        window = Window.of(first, after, size=2, under=made_under("coSellPlans", asked))
        return listed(context.graph, PLANS, filters, window, lambda row: seen(info, row))
