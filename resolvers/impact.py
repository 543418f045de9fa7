"""Influenced revenue: `Deal.influencedBy` and `partnerImpact`, for staff only.

Both tell who holds which accounts, so a partner token is refused (FORBIDDEN; `influencedBy`
is then null), and each refusal is audited as a cross-partner question.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import strawberry

from graph.analytics import impact
from graph.errors import Forbidden, InvalidInput
from graph.paging import MAX_FIRST, Page, Window, made_under, page_of
from loaders.impact import InfluencersByDealKeyLoader
from resolvers.connection import Connection
from resolvers.context import Info
from resolvers.partners import Partner, partner_of

Row = dict[str, Any]

INFLUENCED = (
    "a partner influenced a deal of another partner when it held the deal's customer as an"
    " account, CUSTOMER or OPPORTUNITY, since the deal's registration day or earlier (or with"
    " no `since`)"
)


def staff_only(info: Info, operation: str) -> None:
    """Staff may ask; a partner viewer's question is FORBIDDEN, and audited as refused."""
    context = info.context
    if not context.viewer.is_staff:
        context.audit(operation, [], allowed=False)
        raise Forbidden(f"{operation} is for staff only: it tells who holds which accounts")


def window_of(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days from `start` to `end`, both included; `end` before `start` is refused."""
    if end < start:
        raise InvalidInput(f"to ({end}) is before from ({start})", field="to")
    return start, end


async def influencers_of(info: Info, deal_key: str) -> list[Partner]:
    """Deal.influencedBy: staff only."""
    staff_only(info, "influencedBy")
    rows = await info.context.loader(InfluencersByDealKeyLoader).load(deal_key)
    return [Partner.of(row) for row in rows]


async def partner_in(root: PartnerImpact, info: Info) -> Partner:
    return await partner_of(info, root.partner_key)


@strawberry.type(
    description="A partner's part in the deals closed in a window: the WON deals it registered"
    f" (sourced), and the closed deals it influenced: {INFLUENCED}."
)
class PartnerImpact:
    partner_key: strawberry.Private[str]
    partner: Partner = strawberry.field(resolver=partner_in, description="The partner.")
    sourced_won_amount: float = strawberry.field(
        description="The amount of the WON deals it registered (a deal without amount adds 0)."
    )
    sourced_won_deals: int = strawberry.field(description="How many WON deals it registered.")
    influenced_won_amount: float = strawberry.field(
        description="The amount of the WON deals it influenced."
    )
    influenced_won_deals: int = strawberry.field(description="How many WON deals it influenced.")
    influenced_closed_deals: int = strawberry.field(
        description="How many of the window's deals (WON or LOST) it influenced."
    )
    win_rate_influenced: float | None = strawberry.field(
        description="influencedWonDeals / influencedClosedDeals; null at 0 closed."
    )
    lift: float | None = strawberry.field(
        description="winRateInfluenced / the connection's baselineWinRate; null where either is"
        " null or 0."
    )

    @classmethod
    def of(cls, row: Row) -> PartnerImpact:
        return cls(
            partner_key=row["key"],
            sourced_won_amount=row["sourcedWonAmount"],
            sourced_won_deals=row["sourcedWonDeals"],
            influenced_won_amount=row["influencedWonAmount"],
            influenced_won_deals=row["influencedWonDeals"],
            influenced_closed_deals=row["influencedClosedDeals"],
            win_rate_influenced=row["winRateInfluenced"],
            lift=row["lift"],
        )


@strawberry.type(description="The partners' impact over a window of days, and its baseline.")
class PartnerImpactConnection(Connection[PartnerImpact]):
    baseline_win_rate: float | None = strawberry.field(
        default=None,
        description="WON / closed over every deal closed in the window; null when none closed.",
    )


@strawberry.type
class ImpactQueries:
    @strawberry.field(
        description="Each partner that registered or influenced a deal closed (WON or LOST) from"
        " `from` to `to`, both included (a closed deal without closedOn counts in none), by"
        f" influencedWonAmount desc, then key. first 1-{MAX_FIRST} (20). Staff only."
    )
    async def partner_impact(
        self,
        info: Info,
        from_: Annotated[
            datetime.date, strawberry.argument(name="from", description="The window's first day.")
        ],
        to: Annotated[datetime.date, strawberry.argument(description="The window's last day.")],
        first: int | None = None,
        after: str | None = None,
    ) -> PartnerImpactConnection:
        staff_only(info, "partnerImpact")
        start, end = window_of(from_, to)
        under = made_under("partnerImpact", start.isoformat(), end.isoformat())
        window = Window.of(first, after, size=2, under=under)
        table = await impact.TABLES.get(info.context.graph, start, end)
        begin = 0
        if window.after is not None:
            amount, key = window.after
            if not isinstance(amount, float | int) or not isinstance(key, str):
                raise InvalidInput("after is not a cursor of this list", field="after")
            begin = table.after(float(amount), key)
        rows = table.rows[begin : begin + window.limit]
        page = page_of(rows, window, lambda row: (row["influencedWonAmount"], row["key"]))

        async def fetch() -> Page[Any]:
            return page

        async def count() -> int:
            return len(table.rows)

        return PartnerImpactConnection(
            fetch=fetch,
            make=PartnerImpact.of,
            count=count,
            total=len(table.rows),
            baseline_win_rate=table.baseline_win_rate,
        )
