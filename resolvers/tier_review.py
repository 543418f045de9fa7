"""tierReview: the tier each partner's sales over the trailing year qualify it for.

Staff see every partner's review; a partner viewer sees its own alone (the list holds its row
only, and another partner's `Partner.tierReview` is null with FORBIDDEN, audited).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.access import today
from graph.analytics import tier_review
from graph.analytics.tier_review import EARLIEST, TierChange
from graph.errors import Forbidden, InvalidInput
from graph.messages import shown
from graph.paging import MAX_FIRST, Page, Window, encode_cursor, made_under
from graph.program import read_program
from loaders.tier_review import TierHistoryByPartnerKeyLoader, TierReviewByPartnerKeyLoader
from resolvers.connection import Connection
from resolvers.context import Info
from resolvers.enums import Tier

if TYPE_CHECKING:
    from resolvers.partners import Partner

PartnerType = Annotated["Partner", strawberry.lazy("resolvers.partners")]
Row = dict[str, Any]
strawberry.enum(TierChange, description="The qualified tier against the partner's tier.")

AS_OF = (
    "The last day of the window (UTC today when omitted): WON deals closed in the 365 days up to"
    " it, that day included, count."
)


@strawberry.type(
    description="The tier a partner's sales qualify it for: WON deals of the partner and every"
    " partner below it in the sub-partner hierarchy (each deal once) closed in the 365 days up"
    " to the day asked."
)
class TierReview:
    partner: PartnerType
    current: Tier = strawberry.field(description="The partner's tier now.")
    qualified: Tier = strawberry.field(
        description="The highest tier whose minSales and minWonDeals both are reached."
    )
    change: TierChange = strawberry.field(description="qualified against current.")
    sales: float = strawberry.field(
        description="The amount of the WON deals in the window (a deal without amount adds 0)."
    )
    won_deals: int = strawberry.field(description="How many WON deals are in the window.")
    next_tier: Tier | None = strawberry.field(
        description="The tier above qualified; null at the top."
    )
    sales_to_next: float | None = strawberry.field(
        description="What sales still lack for nextTier's minSales (0 when reached)."
    )
    deals_to_next: int | None = strawberry.field(
        description="What wonDeals still lack for nextTier's minWonDeals (0 when reached)."
    )

    @classmethod
    def of(cls, partner: Partner, row: Row) -> TierReview:
        next_tier = row.get("nextTier")
        return cls(
            partner=partner,
            current=Tier(row["current"]),
            qualified=Tier(row["qualified"]),
            change=TierChange(row["change"]),
            sales=row["sales"],
            won_deals=row["wonDeals"],
            next_tier=Tier(next_tier) if next_tier else None,
            sales_to_next=row.get("salesToNext"),
            deals_to_next=row.get("dealsToNext"),
        )


def its_own(info: Info, key: str, operation: str, what: str) -> None:
    """Staff may ask of any partner, a partner viewer of itself alone: asking of another is
    FORBIDDEN, and audited as a refused `operation`."""
    member = info.context.viewer.member
    if member is not None and member != key:
        info.context.audit(operation, [key], allowed=False)
        raise Forbidden(f"{what} of {shown(key)} is its own")


def day_of(as_of: datetime.date | None) -> datetime.date:
    """The day a review is as of: today (UTC) when not given; a day whose window would start
    before the calendar does is refused."""
    if as_of is None:
        return today()
    if as_of < EARLIEST:
        raise InvalidInput(
            f"asOf must be {EARLIEST.isoformat()} or later (its window is the 365 days before)",
            field="asOf",
        )
    return as_of


async def review_of(info: Info, partner: Partner, as_of: datetime.date | None) -> TierReview:
    """Partner.tierReview: its own, or any for staff; another partner's is FORBIDDEN."""
    context = info.context
    day = day_of(as_of)
    its_own(info, partner.key, "tierReview", "the tier review")
    row = await context.loader(TierReviewByPartnerKeyLoader, as_of=day).load(partner.key)
    return TierReview.of(partner, row or {})  # the partner exists: it has a review


@strawberry.type
class TierReviewQueries:
    @strawberry.field(
        description="Every partner's tier review as of `asOf`, by partner key; `change` keeps"
        f" only the partners with that change. first 1-{MAX_FIRST} (20). A partner viewer sees"
        " its own review alone."
    )
    async def tier_review(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        change: TierChange | None = None,
        as_of: Annotated[datetime.date | None, strawberry.argument(description=AS_OF)] = None,
    ) -> Connection[TierReview]:
        from resolvers.partners import Partner

        context = info.context
        day = day_of(as_of)
        wanted = change.value if change is not None else None
        only = context.viewer.member
        under = made_under("tierReview", wanted, day.isoformat(), only)
        window = Window.of(first, after, under=under)
        graph = context.graph
        program = await read_program(graph)

        async def fetch() -> Page[Any]:
            after_key = window.after_key
            rows = await tier_review.review_page(
                graph, program, day, wanted, str(after_key or ""), window.limit, only
            )
            items = rows[: window.first]
            return Page(
                items=items,
                cursors=[encode_cursor([row["partner"]["key"]], under) for row in items],
                has_next=len(rows) > window.first,
                has_previous=window.after is not None,
            )

        async def count() -> int:
            return await tier_review.review_count(graph, program, day, wanted, only)

        def make(row: Row) -> TierReview:
            return TierReview.of(Partner.of(row["partner"]), row)

        return Connection(fetch=fetch, make=make, count=count)


@strawberry.type(
    description="A tier change tierApply made: the partner moved from one tier to another."
)
class TierChangeRecord:
    partner_key: strawberry.Private[str]
    from_: Tier = strawberry.field(name="from", description="The tier it had.")
    to: Tier = strawberry.field(description="The tier it qualified for, and now has.")
    on: datetime.date = strawberry.field(description="The day the change was applied (UTC).")
    as_of: datetime.date = strawberry.field(description="The day the review it applied was as of.")
    sales: float = strawberry.field(description="The review's sales.")
    won_deals: int = strawberry.field(description="The review's won deals.")
    by: str = strawberry.field(description="Who applied it (the token's subject).")

    @strawberry.field(description="The partner that moved.")
    async def partner(self, info: Info) -> PartnerType:
        from resolvers.partners import partner_of

        return await partner_of(info, self.partner_key)

    @classmethod
    def of(cls, key: str, row: Row) -> TierChangeRecord:
        return cls(
            partner_key=key,
            from_=Tier(row["from"]),
            to=Tier(row["to"]),
            on=row["on"].to_native(),
            as_of=row["asOf"].to_native(),
            sales=row["sales"],
            won_deals=row["wonDeals"],
            by=row["by"],
        )


async def history_of(info: Info, key: str) -> list[TierChangeRecord]:
    """Partner.tierHistory: its own, or any for staff; another partner's is FORBIDDEN."""
    context = info.context
    its_own(info, key, "tierHistory", "the tier history")
    rows = await context.loader(TierHistoryByPartnerKeyLoader).load(key)
    return [TierChangeRecord.of(key, row) for row in rows]
