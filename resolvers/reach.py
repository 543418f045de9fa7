"""Campaign reach over GraphQL: campaignReach (a stored campaign) and planReach (a what-if).

A partner-scoped viewer asks about a campaign only where it takes part (others are NOT_FOUND,
as the campaign lookup is); it then sees the totals, segments and overlap share of the whole
campaign but only its own PartnerReach, and `customers` lists only customers it may see (held
by a partner whose accounts it may list), with only itself and those partners as participants.
In a plan it counts only the customers it may see. Every such question is audited.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from graph.analytics import reach as analytics
from graph.analytics.reach_scope import MAX_DEPTH
from graph.errors import InvalidInput, NotFound
from graph.messages import shown
from graph.model import AccountStatus as Status
from graph.paging import MAX_FIRST, Page, Window, made_under, page_of
from resolvers.connection import Connection
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.enums import AccountStatus
from resolvers.inputs import distinct
from resolvers.node import key_of
from resolvers.partners import Partner, partner_of
from resolvers.scalars import statuses_of

Row = dict[str, Any]
EVERY_STATUS = tuple(sorted(status.value for status in Status))
MAX_PARTNERS = 500
MAX_TARGETS = 50


@strawberry.type(description="A participant's reach: the customers it reaches, and those only it.")
class PartnerReach:
    partner: Partner
    reach: int = strawberry.field(description="Customers it reaches with its sub-partners.")
    exclusive: int = strawberry.field(description="Customers no other participant reaches.")


@strawberry.type(description="Reached customers of one industry or region.")
class Segment:
    segment: str = strawberry.field(description='"" for customers without one.')
    customers: int


@strawberry.type(description="A reached customer and the participants reaching it.")
class ReachedCustomer:
    customer: Customer
    keys: strawberry.Private[list[str]]

    @strawberry.field(description="The participants reaching it, by key.")
    async def participants(self, info: Info) -> list[Partner]:
        return list(await asyncio.gather(*(partner_of(info, key) for key in self.keys)))

    @classmethod
    def of(cls, row: Row) -> ReachedCustomer:
        return cls(customer=Customer.of(row["customer"]), keys=list(row["participants"]))


def _depth(depth: int | None) -> int:
    depth = 1 if depth is None else depth
    if not 0 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth must be between 0 and {MAX_DEPTH}", field="depth")
    return depth


def partner_keys(values: list[strawberry.ID], field: str = "partners") -> dict[str, int]:
    """The partners of a what-if list, each once in the order given, by the index each was
    first given at; 1 to MAX_PARTNERS different ones (resolvers.inputs.distinct)."""
    keys = [key_of(value, f"{field}[{i}]", "Partner") for i, value in enumerate(values)]
    return distinct(keys, field, most=MAX_PARTNERS, what="partners")


def targets_of(values: list[str] | None, field: str) -> tuple[str, ...]:
    """Target industries or regions, each once, sorted; none (no filter) when left out."""
    return tuple(sorted(distinct(values or [], field, most=MAX_TARGETS, least=0)))


def _statuses(values: list[AccountStatus] | None) -> tuple[str, ...]:
    return statuses_of(values) or EVERY_STATUS


@strawberry.type(description="How many distinct customers a set of partners reaches, and which.")
class Reach:
    total: int = strawberry.field(description="Distinct customers reached.")
    participants: list[PartnerReach] = strawberry.field(description="By partner key.")
    by_industry: list[Segment] = strawberry.field(description="Largest first, then by segment.")
    by_region: list[Segment] = strawberry.field(description="Largest first, then by segment.")
    overlap_share: float = strawberry.field(
        description="The share of reached customers reached by two or more participants."
    )
    scope: strawberry.Private[analytics.Scope]
    shown: strawberry.Private[list[str] | None]

    @strawberry.field(
        description=f"The reached customers by key (first 1-{MAX_FIRST}), each with the "
        "participants reaching it."
    )
    def customers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ReachedCustomer] | None:
        under = made_under("Reach.customers", self.scope.params(), self.scope.depth, self.shown)
        window = Window.of(first, after, under=under)
        graph, scope, shown = info.context.graph, self.scope, self.shown
        after_key = window.after_key
        pending: list[asyncio.Future[tuple[list[Row], int]]] = []

        def once() -> asyncio.Future[tuple[list[Row], int]]:
            if not pending:
                load = analytics.reached_customers(
                    graph,
                    scope,
                    None if after_key is None else str(after_key),
                    window.limit,
                    shown,
                )
                pending.append(asyncio.ensure_future(load))
            return pending[0]

        async def fetch() -> Page[Any]:
            rows, _ = await once()
            return page_of(rows, window, lambda row: (row["customer"]["key"],))

        async def count() -> int:
            return (await once())[1]

        return Connection(fetch=fetch, make=ReachedCustomer.of, count=count)

    @classmethod
    def of(
        cls,
        found: analytics.Summary,
        scope: analytics.Scope,
        shown: list[str] | None,
        only: str | None = None,
    ) -> Reach:
        return cls(
            total=found.total,
            participants=[
                PartnerReach(partner=Partner.of(p.partner), reach=p.reach, exclusive=p.exclusive)
                for p in found.participants
                if only is None or p.partner["key"] == only
            ],
            by_industry=[
                Segment(segment=s["segment"], customers=s["customers"]) for s in found.by_industry
            ],
            by_region=[
                Segment(segment=s["segment"], customers=s["customers"]) for s in found.by_region
            ],
            overlap_share=found.overlap_share,
            scope=scope,
            shown=shown,
        )


@strawberry.type
class ReachQueries:
    @strawberry.field(
        description="How many distinct customers a campaign's participants reach, with their "
        f"sub-partners up to `depth` levels down (0-{MAX_DEPTH}), among its target industries "
        "and regions."
    )
    async def campaign_reach(
        self,
        info: Info,
        campaign: strawberry.ID,
        depth: int | None = 1,
        statuses: list[AccountStatus] | None = None,
    ) -> Reach:
        key = key_of(campaign, "campaign", "Campaign")
        levels, wanted = _depth(depth), _statuses(statuses)
        context = info.context
        viewer = context.viewer
        found = await analytics.campaign_scope(context.graph, key, viewer.member)
        if found is None:
            context.audit("campaignReach", [], allowed=False)
            raise NotFound(f"campaign: there is no campaign {shown(key)}", field="campaign")
        context.audit("campaignReach", found.partners, allowed=True)
        scope = analytics.Scope(
            tuple(found.partners), levels, wanted, tuple(found.industries), tuple(found.regions)
        )
        summary = await analytics.summary(context.graph, scope)
        owners = (await context.sight()).account_owners()
        if owners is None:
            return Reach.of(summary, scope, None)
        seen = analytics.Scope(
            scope.partners, levels, wanted, scope.industries, scope.regions, tuple(owners)
        )
        return Reach.of(summary, seen, owners, only=viewer.partner_key or "")

    @strawberry.field(
        description=f"The reach of any 1-{MAX_PARTNERS} different partners (a what-if plan), as "
        f"campaignReach; up to {MAX_TARGETS} different target industries and regions (left "
        "out: all). A partner or target listed twice counts once."
    )
    async def plan_reach(
        self,
        info: Info,
        partners: list[strawberry.ID],
        depth: int | None = 1,
        statuses: list[AccountStatus] | None = None,
        target_industries: list[str] | None = None,
        target_regions: list[str] | None = None,
    ) -> Reach:
        given = partner_keys(partners)
        levels, wanted = _depth(depth), _statuses(statuses)
        industries = targets_of(target_industries, "targetIndustries")
        regions = targets_of(target_regions, "targetRegions")
        context = info.context
        keys = sorted(given)
        context.audit("planReach", keys, allowed=True)
        owners = (await context.sight()).account_owners()
        scope = analytics.Scope(
            tuple(keys),
            levels,
            wanted,
            industries,
            regions,
            None if owners is None else tuple(owners),
        )
        summary = await analytics.summary(context.graph, scope)
        if len(summary.participants) < len(keys):
            known = {p.partner["key"] for p in summary.participants}
            key = next(key for key in given if key not in known)
            field = f"partners[{given[key]}]"
            raise NotFound(f"{field}: there is no partner {shown(key)}", field=field)
        return Reach.of(summary, scope, None)
