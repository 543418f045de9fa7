"""Customer: the type, the partners that hold it, and the customer queries."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.customers import CUSTOMERS
from graph.paging import Window, made_under
from loaders.accounts import AccountCountByCustomerKeyLoader, AccountsByCustomerKeyLoader
from loaders.customers import CustomerByKeyLoader
from loaders.deals import DealCountByCustomerKeyLoader, DealsByCustomerKeyLoader
from resolvers.accounts import Account
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.enums import AccountStatus, DealStatus, OrderDirection
from resolvers.node import Node, registers
from resolvers.scalars import statuses_of

if TYPE_CHECKING:
    from resolvers.deals import Deal

DealType = Annotated["Deal", strawberry.lazy("resolvers.deals")]
Row = dict[str, Any]


@strawberry.type(description="A customer account that partners share.")
class Customer(Node):
    key: str
    name: str
    domain: str | None
    industry: str | None
    region: str | None
    employees: int | None

    @classmethod
    def of(cls, row: Row) -> Customer:
        return cls(
            key=row["key"],
            name=row["name"],
            domain=row.get("domain"),
            industry=row.get("industry"),
            region=row.get("region"),
            employees=row.get("employees"),
        )

    @strawberry.field(description="The partners holding it as an account, of those you may see.")
    async def partners(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        statuses: list[AccountStatus] | None = None,
    ) -> Connection[Account]:
        wanted = statuses_of(statuses)
        window = Window.of(first, after, under=made_under("Customer.partners", self.key, wanted))
        context = info.context
        loader = context.loader(AccountsByCustomerKeyLoader, statuses=wanted, window=window)
        counter = context.loader(AccountCountByCustomerKeyLoader, statuses=wanted)
        return nested(
            loader, counter, self.key, window, lambda row: row["partner"]["key"], Account.of
        )

    @strawberry.field(
        description="The deals registered for it, by key; a partner sees only its own."
    )
    async def deals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        statuses: list[DealStatus] | None = None,
    ) -> Connection[DealType]:
        from resolvers.deals import deals_of

        loaders = (DealsByCustomerKeyLoader, DealCountByCustomerKeyLoader)
        return await deals_of(info, self.key, loaders, first, after, statuses)


@strawberry.input(description="Customers matching every field given (a list: any of its values).")
class CustomerFilter:
    industry: list[str] | None = None
    region: list[str] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")


@strawberry.enum
class CustomerOrderField(StrEnum):
    KEY = "KEY"
    NAME = "NAME"
    EMPLOYEES = "EMPLOYEES"


@strawberry.input
class CustomerOrder:
    field: CustomerOrderField = CustomerOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@registers("Customer")
async def fetch_customer(info: Info, key: str) -> Customer | None:
    row = await info.context.loader(CustomerByKeyLoader).load(key)
    return Customer.of(row) if row else None


@strawberry.type
class CustomerQueries:
    @strawberry.field(description="A customer by key; null when unknown or not visible to you.")
    async def customer(self, info: Info, key: str) -> Customer | None:
        return await fetch_customer(info, key)

    @strawberry.field(description="The customers you may see, filtered and ordered.")
    async def customers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CustomerFilter | None = None,
        order_by: CustomerOrder | None = None,
    ) -> Connection[Customer]:
        given = filter or CustomerFilter()
        asked = {
            "industries": given.industry or None,
            "regions": given.region or None,
            "nameContains": given.name_contains or None,
        }
        order = order_by or CustomerOrder(field=CustomerOrderField.KEY)
        descending = order.direction == OrderDirection.DESC
        under = made_under("customers", asked, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        graph = info.context.graph
        filters = {**asked, "visible": await info.context.access.customer_visibility()}
        return listed(graph, CUSTOMERS, filters, window, Customer.of, order.field.value, descending)
