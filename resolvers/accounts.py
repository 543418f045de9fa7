"""Account: a partner's relationship with a customer (HAS_ACCOUNT)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from loaders.customers import CustomerByKeyLoader
from loaders.partners import PartnerByKeyLoader
from resolvers.context import Info
from resolvers.enums import AccountStatus
from resolvers.scalars import date_of

if TYPE_CHECKING:
    from resolvers.customers import Customer
    from resolvers.partners import Partner

Row = dict[str, Any]


@strawberry.type(
    description="A partner's account: the customer, its status, since when, how strong."
)
class Account:
    status: AccountStatus
    since: datetime.date | None
    strength: float
    partner_row: strawberry.Private[Row | str]  # the row, or only its key
    customer_row: strawberry.Private[Row | str]

    @classmethod
    def of(cls, row: Row) -> Account:
        return cls(
            status=AccountStatus(row["status"]),
            since=date_of(row.get("since")),
            strength=row["strength"],
            partner_row=row["partner"],
            customer_row=row["customer"],
        )

    @strawberry.field
    async def partner(
        self, info: Info
    ) -> Annotated[Partner, strawberry.lazy("resolvers.partners")]:
        from resolvers.partners import Partner

        row = self.partner_row
        if isinstance(row, str):  # an account's partner always exists
            return Partner.of(await info.context.loader(PartnerByKeyLoader).load(row) or {})
        return Partner.of(row)

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("resolvers.customers")]:
        from resolvers.customers import Customer

        row = self.customer_row
        if isinstance(row, str):  # seen through an account the viewer may see
            return Customer.of(await info.context.loader(CustomerByKeyLoader).load(row) or {})
        return Customer.of(row)
