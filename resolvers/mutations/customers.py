"""Mutations of customers: create."""

from __future__ import annotations

import strawberry

from graph import customers
from graph.access import Role
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.mutations.common import Problems, UserError, allow, attempt


@strawberry.input
class CustomerCreateInput:
    key: str
    name: str
    domain: str | None = None
    industry: str | None = None
    region: str | None = None
    employees: int | None = strawberry.field(default=None, description="Zero or more.")


@strawberry.type
class CustomerPayload:
    customer: Customer | None
    user_errors: list[UserError]


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(description="Add a customer; CONFLICT when its key is taken.")
    async def customer_create(self, info: Info, input: CustomerCreateInput) -> CustomerPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        problems.text("key", input.key)
        problems.text("name", input.name)
        problems.not_negative("employees", input.employees)
        if problems:
            return CustomerPayload(customer=None, user_errors=problems.errors)
        fields = {
            "key": input.key.strip(),
            "name": input.name.strip(),
            "domain": _optional(input.domain),
            "industry": _optional(input.industry),
            "region": _optional(input.region),
            "employees": input.employees,
        }
        row, errors = await attempt(lambda: customers.create_customer(info.context.graph, fields))
        return CustomerPayload(customer=Customer.of(row) if row else None, user_errors=errors)
