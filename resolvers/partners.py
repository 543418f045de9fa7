"""Partner: the type, its relationships, and the directory queries."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.errors import Forbidden, InvalidInput
from graph.paging import Window, made_under
from graph.partners import PARTNERS
from loaders.accounts import AccountCountByPartnerKeyLoader, AccountsByPartnerKeyLoader
from loaders.campaigns import ParticipationCountByPartnerKeyLoader, ParticipationsByPartnerKeyLoader
from loaders.deals import DealCountByPartnerKeyLoader, DealsByPartnerKeyLoader
from loaders.partners import (
    LinkCountByPartnerKeyLoader,
    LinksByPartnerKeyLoader,
    ParentsByPartnerKeyLoader,
    PartnerByKeyLoader,
    SubPartnerCountByPartnerKeyLoader,
    SubPartnersByPartnerKeyLoader,
    SubPartnerTreeByPartnerKeyLoader,
)
from loaders.solutions import ContributionCountByPartnerKeyLoader, ContributionsByPartnerKeyLoader
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.enums import (
    AccountStatus,
    DealStatus,
    LinkDirection,
    LinkKind,
    OrderDirection,
    PartnerType,
    Stage,
    Tier,
)
from resolvers.inputs import distinct
from resolvers.node import Node, registers
from resolvers.scalars import date_of, names_of, statuses_of

if TYPE_CHECKING:
    from resolvers.accounts import Account
    from resolvers.agreements import Agreement
    from resolvers.campaigns import Participation
    from resolvers.deals import Deal
    from resolvers.plans import CoSellPlan
    from resolvers.solutions import Contribution
    from resolvers.tier_review import TierChangeRecord, TierReview

AccountType = Annotated["Account", strawberry.lazy("resolvers.accounts")]
AgreementType = Annotated["Agreement", strawberry.lazy("resolvers.agreements")]
ContributionType = Annotated["Contribution", strawberry.lazy("resolvers.solutions")]
DealType = Annotated["Deal", strawberry.lazy("resolvers.deals")]
ParticipationType = Annotated["Participation", strawberry.lazy("resolvers.campaigns")]
CoSellPlanType = Annotated["CoSellPlan", strawberry.lazy("resolvers.plans")]
TierReviewType = Annotated["TierReview", strawberry.lazy("resolvers.tier_review")]
TierChangeRecordType = Annotated["TierChangeRecord", strawberry.lazy("resolvers.tier_review")]
Row = dict[str, Any]
MAX_TREE_DEPTH = 10
INFLUENCE = (
    "Its influence in the ecosystem from `partnergraph analyze`: PageRank over partners, customers"
    " and solutions with relationship strengths as weights, the top partner 1 (all in [0, 1]);"
    " null before a run scored it. Directory data: every viewer sees it (see `ecosystem.stale`)."
)
COMMUNITY = (
    "Its community from `partnergraph analyze`: partners that share customers, links and"
    " solutions densely share an id (0 is the largest community); null before a run grouped it."
    " Directory data: every viewer sees it."
)


@strawberry.type(description="A partner of the ecosystem: reseller, distributor, integrator, ...")
class Partner(Node):
    key: str
    name: str
    type: PartnerType
    tier: Tier
    region: str | None
    country: str | None
    industries: list[str]
    stage: Stage | None
    joined_on: datetime.date | None
    influence: float | None = strawberry.field(description=INFLUENCE, default=None)
    community: int | None = strawberry.field(description=COMMUNITY, default=None)
    account_count: strawberry.Private[int | None] = None
    sub_partner_count: strawberry.Private[int | None] = None

    @classmethod
    def of(cls, row: Row) -> Partner:
        stage = row.get("stage")
        return cls(
            key=row["key"],
            name=row["name"],
            type=PartnerType(row["type"]),
            tier=Tier(row["tier"]),
            region=row.get("region"),
            country=row.get("country"),
            industries=row.get("industries") or [],
            stage=Stage(stage) if stage else None,
            joined_on=date_of(row.get("joinedOn")),
            influence=row.get("influence"),
            community=row.get("community"),
            account_count=row.get("accountCount"),
            sub_partner_count=row.get("subPartnerCount"),
        )

    @strawberry.field(
        description="Its customers; another partner's only under its ACCOUNT_LIST agreement "
        "in force (null and FORBIDDEN otherwise)."
    )
    def accounts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        statuses: list[AccountStatus] | None = None,
    ) -> Connection[AccountType] | None:
        from resolvers.accounts import Account

        context = info.context
        wanted = statuses_of(statuses)
        window = Window.of(first, after, under=made_under("Partner.accounts", self.key, wanted))
        rows = context.loader(AccountsByPartnerKeyLoader, statuses=wanted, window=window)
        counter = context.loader(AccountCountByPartnerKeyLoader, statuses=wanted)
        total = self.account_count if wanted is None else None
        found = nested(rows, counter, self.key, window, _customer_key, Account.of, total)
        viewer = context.viewer
        if viewer.is_staff or self.key == viewer.partner_key:
            return found  # no grant to check: no awaiting, which a page of partners feels
        return self._shared(info, found)  # type: ignore[return-value]

    async def _shared(self, info: Info, found: Connection[Any]) -> Connection[Any]:
        context = info.context
        allowed = (await context.sight()).sees_accounts_of(self.key)
        context.audit("accounts", [self.key], allowed=allowed)
        if not allowed:
            raise Forbidden(f"{self.key} shares no account list with you (ACCOUNT_LIST)")
        return found

    @strawberry.field(description="Its direct sub-partners (children in the hierarchy), by key.")
    async def sub_partners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Partner]:
        window = Window.of(first, after, under=made_under("Partner.subPartners", self.key))
        rows = info.context.loader(SubPartnersByPartnerKeyLoader, window=window)
        counter = info.context.loader(SubPartnerCountByPartnerKeyLoader)
        total = self.sub_partner_count
        return nested(rows, counter, self.key, window, lambda row: row["key"], Partner.of, total)

    @strawberry.field(description="The partners it sits under directly (a reseller may have two).")
    async def parents(self, info: Info) -> list[Partner]:
        rows = await info.context.loader(ParentsByPartnerKeyLoader).load(self.key)
        return [Partner.of(row) for row in rows]

    @strawberry.field(
        description="Every sub-partner edge below it, down to `depth` levels, shallow first."
    )
    async def sub_partner_tree(self, info: Info, depth: int | None = 3) -> list[SubPartnerEdge]:
        depth = 3 if depth is None else depth  # null: the default
        if not 1 <= depth <= MAX_TREE_DEPTH:
            raise InvalidInput(f"depth must be between 1 and {MAX_TREE_DEPTH}", field="depth")
        rows = await info.context.loader(SubPartnerTreeByPartnerKeyLoader, depth=depth).load(
            self.key
        )
        return [SubPartnerEdge.of(row) for row in rows]

    @strawberry.field(description="Its co-selling, referral and integration links, both ways.")
    async def links(
        self,
        info: Info,
        kinds: list[LinkKind] | None = None,
        direction: LinkDirection | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PartnerLink]:
        types = tuple(sorted(distinct([kind.value for kind in kinds]))) if kinds else None
        way = direction.value if direction else None
        under = made_under("Partner.links", self.key, types, way)
        window = Window.of(first, after, size=3, under=under)
        loader = info.context.loader(
            LinksByPartnerKeyLoader, types=types, direction=way, window=window
        )
        counter = info.context.loader(LinkCountByPartnerKeyLoader, types=types, direction=way)
        return nested(loader, counter, self.key, window, _link_sort, PartnerLink.of)

    @strawberry.field(description="The solutions it co-created, by solution key.")
    async def solutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ContributionType]:
        from resolvers.solutions import Contribution

        window = Window.of(first, after, under=made_under("Partner.solutions", self.key))
        context = info.context
        rows = context.loader(ContributionsByPartnerKeyLoader, window=window)
        counter = context.loader(ContributionCountByPartnerKeyLoader)
        return nested(rows, counter, self.key, window, _solution_key, Contribution.of)

    @strawberry.field(description="The agreements it grants, by key; another's: only those to you.")
    async def agreements_granted(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        in_force: bool | None = None,
    ) -> Connection[AgreementType]:
        from resolvers.agreements import agreements_of

        return await agreements_of(info, self.key, "GRANTED", first, after, in_force)

    @strawberry.field(description="The agreements granted to it; another's: only those from you.")
    async def agreements_received(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        in_force: bool | None = None,
    ) -> Connection[AgreementType]:
        from resolvers.agreements import agreements_of

        return await agreements_of(info, self.key, "RECEIVED", first, after, in_force)

    @strawberry.field(
        description="The campaigns it takes part in, by key; another's: only those you share."
    )
    async def campaigns(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ParticipationType]:
        from resolvers.campaigns import Participation

        window = Window.of(first, after, under=made_under("Partner.campaigns", self.key))
        context = info.context
        rows = context.loader(ParticipationsByPartnerKeyLoader, window=window)
        counter = context.loader(ParticipationCountByPartnerKeyLoader)
        return nested(rows, counter, self.key, window, _campaign_key, Participation.of)

    @strawberry.field(
        description="The deals it registered, by key; a partner may ask only for its own "
        "(another's are null, FORBIDDEN)."
    )
    async def deals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        statuses: list[DealStatus] | None = None,
    ) -> Connection[DealType] | None:
        from resolvers.deals import deals_of

        member = info.context.viewer.member
        if member is not None and member != self.key:
            raise Forbidden(f"the deals of {self.key} are its own")
        loaders = (DealsByPartnerKeyLoader, DealCountByPartnerKeyLoader)
        return await deals_of(info, self.key, loaders, first, after, statuses)

    @strawberry.field(
        description="The tier its sales qualify it for as of `asOf` (UTC today when omitted); a"
        " partner may ask only for its own (another's is null, FORBIDDEN)."
    )
    async def tier_review(
        self, info: Info, as_of: datetime.date | None = None
    ) -> TierReviewType | None:
        from resolvers.tier_review import review_of

        return await review_of(info, self, as_of)

    @strawberry.field(
        description="The tier changes tierApply made to it, newest first; a partner may ask only"
        " for its own (another's is null, FORBIDDEN)."
    )
    async def tier_history(self, info: Info) -> list[TierChangeRecordType] | None:
        from resolvers.tier_review import history_of

        return await history_of(info, self.key)

    @strawberry.field(
        description="The co-selling plans it is a member of, by key; a partner viewer sees only"
        " the plans it is a member of too."
    )
    async def co_sell_plans(self, info: Info) -> list[CoSellPlanType]:
        from resolvers.plans import plans_of

        return await plans_of(info, self.key)


async def partner_of(info: Info, row: Row | str) -> Partner:
    """A partner from its row, or by its key: the partner at the end of a relationship exists."""
    if isinstance(row, str):
        return Partner.of(await info.context.loader(PartnerByKeyLoader).load(row) or {})
    return Partner.of(row)


def _customer_key(row: Row) -> str:
    return str(row["customer"]["key"])


def _solution_key(row: Row) -> str:
    return str(row["solution"]["key"])


def _campaign_key(row: Row) -> str:
    return str(row["campaign"]["key"])


def _link_sort(row: Row) -> tuple[str, str, str]:
    return (row["partner"]["key"], row["kind"], row["direction"])


@strawberry.type(description="One SUB_PARTNER_OF relationship of a hierarchy.")
class SubPartnerEdge:
    partner: Partner
    parent_key: str
    level: int = strawberry.field(description="How many levels below the root the partner sits.")
    strength: float
    since: datetime.date | None

    @classmethod
    def of(cls, row: Row) -> SubPartnerEdge:
        return cls(
            partner=Partner.of(row["partner"]),
            parent_key=row["parent"],
            level=row["level"],
            strength=row["strength"],
            since=date_of(row.get("since")),
        )

    @strawberry.field
    async def parent(self, info: Info) -> Partner:
        row = await info.context.loader(PartnerByKeyLoader).load(self.parent_key)
        return Partner.of(row or {})  # a parent in the tree exists


@strawberry.type(description="A link between two partners, seen from one of them.")
class PartnerLink:
    partner: Partner = strawberry.field(description="The partner at the other end.")
    kind: LinkKind
    direction: LinkDirection
    strength: float
    since: datetime.date | None

    @classmethod
    def of(cls, row: Row) -> PartnerLink:
        return cls(
            partner=Partner.of(row["partner"]),
            kind=LinkKind(row["kind"]),
            direction=LinkDirection(row["direction"]),
            strength=row["strength"],
            since=date_of(row.get("since")),
        )


@strawberry.input(description="Partners matching every field given (a list: any of its values).")
class PartnerFilter:
    type: list[PartnerType] | None = None
    tier: list[Tier] | None = None
    region: list[str] | None = None
    country: list[str] | None = None
    industry: list[str] | None = None
    stage: list[Stage] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    community: list[int] | None = strawberry.field(
        default=None, description="Partners in any of these communities (`Partner.community`)."
    )

    def params(self) -> dict[str, Any]:
        return {
            "types": names_of(self.type),
            "tiers": names_of(self.tier),
            "regions": names_of(self.region),
            "countries": names_of(self.country),
            "industries": names_of(self.industry),
            "stages": names_of(self.stage),
            "nameContains": self.name_contains or None,
            "communities": sorted(distinct(self.community)) if self.community is not None else None,
        }


@strawberry.enum
class PartnerOrderField(StrEnum):
    KEY = "KEY"
    NAME = "NAME"
    TIER = "TIER"
    JOINED_ON = "JOINED_ON"
    INFLUENCE = "INFLUENCE"


@strawberry.input(
    description="An order of the directory, ties by key; by INFLUENCE, partners not scored yet "
    "come last in either direction."
)
class PartnerOrder:
    field: PartnerOrderField = PartnerOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@registers("Partner")
async def fetch_partner(info: Info, key: str) -> Partner | None:
    row = await info.context.loader(PartnerByKeyLoader).load(key)
    return Partner.of(row) if row else None


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="A partner by its key; null when there is none.")
    async def partner(self, info: Info, key: str) -> Partner | None:
        return await fetch_partner(info, key)

    @strawberry.field(description="The partner directory, filtered and ordered.")
    async def partners(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: PartnerFilter | None = None,
        order_by: PartnerOrder | None = None,
    ) -> Connection[Partner]:
        filters = (filter or PartnerFilter()).params()
        order = order_by or PartnerOrder(field=PartnerOrderField.KEY)
        descending = order.direction == OrderDirection.DESC
        under = made_under("partners", filters, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        graph = info.context.graph
        return listed(graph, PARTNERS, filters, window, Partner.of, order.field.value, descending)
