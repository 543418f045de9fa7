"""dealConflicts: the customers on which partners' open deals collide, and who is protected.

Staff see every conflict in full. A partner viewer sees a conflict only where one of the
colliding deals is its own, and then only its own deals: the others are counted
(`hiddenDeals`), and another partner's protected deal is told by its date alone (`notice`).
Every partner viewer's question is audited.
"""

from __future__ import annotations

import asyncio
import datetime

import strawberry

from graph import conflicts
from graph.access import today
from graph.errors import NotFound
from graph.messages import shown
from graph.paging import MAX_FIRST, Page, Window, encode_cursor, made_under
from loaders.customers import CustomerByKeyLoader
from loaders.deals import DealByKeyLoader
from resolvers.connection import Connection, ready
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.deals import Deal
from resolvers.node import key_of

Row = conflicts.Row


@strawberry.type(description="A customer on which deals of different partners collide.")
class DealConflict:
    customer: Customer
    deals: list[Deal] = strawberry.field(
        description="The colliding deals you may see (a partner viewer: its own), by"
        " registeredOn, then key."
    )
    protected: Deal | None = strawberry.field(
        description="The earliest registration of the colliding deals (ties by key); null for a"
        " partner viewer when it is another partner's."
    )
    protected_on: datetime.date = strawberry.field(
        description="The day the protected deal was registered."
    )
    protected_is_yours: bool | None = strawberry.field(
        description="For a partner viewer, whether the protected deal is its own; null for staff."
    )
    hidden_deals: int = strawberry.field(
        description="How many colliding deals are not listed (another partner's); 0 for staff."
    )
    notice: str | None = strawberry.field(
        description="When the protected deal is another partner's: the day it was registered."
    )


async def _conflict(info: Info, row: Row) -> DealConflict:
    member = info.context.viewer.member
    deals = sorted(row["deals"], key=lambda deal: (deal["on"].to_native(), deal["key"]))
    shown = [deal for deal in deals if member is None or deal["partner"] == member]
    first = conflicts.protected(deals)
    yours = member is None or first["partner"] == member
    wanted = [deal["key"] for deal in shown]
    loaded = await info.context.loader(DealByKeyLoader).load_many(wanted)
    listed = [Deal.of(found) for found in loaded if found is not None]
    on = first["on"].to_native()
    return DealConflict(
        customer=Customer.of(row["customer"]),
        deals=listed,
        protected=next((deal for deal in listed if deal.key == first["key"]), None),
        protected_on=on,
        protected_is_yours=None if member is None else yours,
        hidden_deals=len(deals) - len(shown),
        notice=None if yours else conflicts.notice(on),
    )


@strawberry.type
class ConflictQueries:
    @strawberry.field(
        description="Every customer on which open deals of different partners have windows"
        " sharing a day, by customer key; first"
        f" 1-{MAX_FIRST} (20). A deal is open while it is"
        " PENDING or APPROVED and its expiresOn is today (UTC) or later (no expiresOn: until it"
        " closes); a lapsed registration protects nothing and collides with nothing."
        " `customer` asks about one customer. A partner viewer sees only conflicts involving one"
        " of its own deals."
    )
    async def deal_conflicts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        customer: strawberry.ID | None = None,
    ) -> Connection[DealConflict]:
        context = info.context
        wanted = key_of(customer, "customer", "Customer") if customer is not None else None
        window = Window.of(first, after, under=made_under("dealConflicts", wanted))
        if wanted is not None and await context.loader(CustomerByKeyLoader).load(wanted) is None:
            context.audit("dealConflicts", [], allowed=False)
            raise NotFound(f"customer: there is no customer {shown(wanted)}", field="customer")
        member = context.viewer.member
        total, rows = await conflicts.deal_conflicts(context.graph, window, wanted, member, today())
        others = {deal["partner"] for row in rows for deal in row["deals"]} - {member}
        context.audit("dealConflicts", sorted(others), allowed=True)
        items = rows[: window.first]
        page = Page(
            items=list(await asyncio.gather(*(_conflict(info, row) for row in items))),
            cursors=[encode_cursor([row["key"]], window.under) for row in items],
            has_next=len(rows) > window.first,
            has_previous=window.after is not None,
        )
        return ready(page, lambda item: item, total)
