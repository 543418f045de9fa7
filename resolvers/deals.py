"""Deal: a partner's registered deal for a customer, and the deal queries.

A partner-scoped viewer sees only its own deals; another partner's are FORBIDDEN when asked
for by partner, and absent everywhere else.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

import strawberry

from graph.deals import DEALS
from graph.paging import Window, made_under
from loaders.base import Loader
from loaders.deals import ConflictsByDealKeyLoader, DealByKeyLoader
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.enums import DealStatus, OrderDirection
from resolvers.impact import influencers_of
from resolvers.node import Node, key_of, registers
from resolvers.partners import Partner
from resolvers.scalars import date_of, names_of, statuses_of

Row = dict[str, Any]


@strawberry.type(description="A deal a partner registered for a customer.")
class Deal(Node):
    key: str
    amount: float | None
    stage: str | None
    status: DealStatus
    registered_on: datetime.date
    expires_on: datetime.date | None
    closed_on: datetime.date | None = strawberry.field(
        description="The day it was WON or LOST; null while open (and for a closed deal imported"
        " without one)."
    )
    margin: float | None = strawberry.field(
        description="A WON deal's margin: its partner's tier margin under the program in force"
        " the day it was won (or as imported); a later tier or program change leaves it."
    )
    partner: Partner = strawberry.field(description="The partner that registered it.")
    customer: Customer

    @strawberry.field(description="amount times margin; null where either is null.")
    def earnings(self) -> float | None:
        if self.amount is None or self.margin is None:
            return None
        return self.amount * self.margin

    @classmethod
    def of(cls, row: Row) -> Deal:
        return cls(
            key=row["key"],
            amount=row.get("amount"),
            stage=row.get("stage"),
            status=DealStatus(row["status"]),
            registered_on=row["registeredOn"].to_native(),  # required on every deal
            expires_on=date_of(row.get("expiresOn")),
            closed_on=date_of(row.get("closedOn")),
            margin=row.get("margin"),
            partner=Partner.of(row["partner"]),
            customer=Customer.of(row["customer"]),
        )

    @strawberry.field(
        description="While this deal is open (PENDING or APPROVED, expiresOn today or later, or"
        " none): the other open deals for its customer, of other partners, whose windows share"
        " a day with this one's (registeredOn, then key); only those you may see: a partner"
        " viewer sees no other partner's deal, so dealConflicts counts them. Empty once lapsed."
    )
    async def conflicts(self, info: Info) -> list[Deal]:
        context = info.context
        keys = await context.loader(ConflictsByDealKeyLoader).load(self.key)
        rows = await context.loader(DealByKeyLoader).load_many(list(keys))
        return [Deal.of(row) for row in rows if row is not None]

    @strawberry.field(
        description="The partners that influenced it, by key: those other than its own holding"
        " its customer as an account (CUSTOMER or OPPORTUNITY) since its registration day or"
        " earlier, or with no `since`. Staff only: null with FORBIDDEN for a partner token."
    )
    async def influenced_by(self, info: Info) -> list[Partner] | None:
        return await influencers_of(info, self.key)


async def deals_of(
    info: Info,
    key: str,
    loaders: tuple[type[Loader[str, list[Row]]], type[Loader[str, int]]],
    first: int | None,
    after: str | None,
    statuses: list[DealStatus] | None,
) -> Connection[Deal]:
    """The deals of a partner or customer (by its loaders), of those the viewer may see."""
    wanted = statuses_of(statuses)
    rows_of, count_of = loaders
    window = Window.of(first, after, under=made_under(rows_of.__name__, key, wanted))
    context = info.context
    counter = context.loader(count_of, statuses=wanted)
    rows = context.loader(rows_of, statuses=wanted, window=window)
    return nested(rows, counter, key, window, lambda row: row["key"], Deal.of)


@strawberry.input(description="Deals matching every field given (a list: any of its values).")
class DealFilter:
    status: list[DealStatus] | None = None
    partner: strawberry.ID | None = strawberry.field(default=None, description="Registered by.")
    customer: strawberry.ID | None = None

    def params(self) -> dict[str, Any]:
        return {
            "statuses": names_of(self.status),
            "partner": _key(self.partner, "filter.partner", "Partner"),
            "customer": _key(self.customer, "filter.customer", "Customer"),
        }


def _key(value: str | None, field: str, type_name: str) -> str | None:
    return key_of(value, field, type_name) if value is not None else None


@strawberry.enum
class DealOrderField(StrEnum):
    KEY = "KEY"
    REGISTERED_ON = "REGISTERED_ON"
    AMOUNT = "AMOUNT"


@strawberry.input
class DealOrder:
    field: DealOrderField = DealOrderField.KEY
    direction: OrderDirection = OrderDirection.ASC


@registers("Deal")
async def fetch_deal(info: Info, key: str) -> Deal | None:
    row = await info.context.loader(DealByKeyLoader).load(key)
    return Deal.of(row) if row else None


@strawberry.type
class DealQueries:
    @strawberry.field(description="A deal by key; null when unknown or not yours to see.")
    async def deal(self, info: Info, key: str) -> Deal | None:
        return await fetch_deal(info, key)

    @strawberry.field(description="The deals you may see, filtered and ordered.")
    async def deals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: DealFilter | None = None,
        order_by: DealOrder | None = None,
    ) -> Connection[Deal]:
        context = info.context
        asked = (filter or DealFilter()).params()
        filters = {**asked, "member": context.viewer.member}
        order = order_by or DealOrder()
        descending = order.direction == OrderDirection.DESC
        under = made_under("deals", asked, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        return listed(context.graph, DEALS, filters, window, Deal.of, order.field.value, descending)
