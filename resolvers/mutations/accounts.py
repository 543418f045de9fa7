"""Mutations of accounts: a partner's relationship with a customer, upserted and removed."""

from __future__ import annotations

import datetime

import strawberry

from graph import accounts
from graph.access import Role
from graph.messages import shown
from graph.model import ACCOUNT_STRENGTH
from resolvers.accounts import Account
from resolvers.context import Info
from resolvers.enums import AccountStatus
from resolvers.mutations.common import Problems, UserError, UserErrorCode, allow, unknown


@strawberry.input(description="A partner's account with a customer, as it should stand.")
class AccountUpsertInput:
    partner: strawberry.ID
    customer: strawberry.ID
    status: AccountStatus
    since: datetime.date | None = None
    strength: float | None = strawberry.field(
        default=None,
        description="In (0, 1]; by status when left out: CUSTOMER 0.9, OPPORTUNITY 0.6, "
        "PROSPECT 0.3.",
    )


@strawberry.type
class AccountPayload:
    account: Account | None
    user_errors: list[UserError]


@strawberry.input
class AccountRemoveInput:
    partner: strawberry.ID
    customer: strawberry.ID


@strawberry.type
class AccountRemovePayload:
    removed: bool
    user_errors: list[UserError]


def _ends(problems: Problems, partner_id: str, customer_id: str) -> tuple[str, str]:
    partner = problems.key_of(partner_id, "partner", "Partner")
    customer = problems.key_of(customer_id, "customer", "Customer")
    return partner, customer


async def _missing(info: Info, partner: str, customer: str, otherwise: str) -> list[UserError]:
    """Why a write found nothing to work on: an unknown end, or else `otherwise`."""
    errors = await unknown(info, {"partner": partner}, {"customer": customer})
    return errors or [UserError(field=None, message=otherwise, code=UserErrorCode.NOT_FOUND)]


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Create or update a partner's account with a customer; every field is set "
        "as given (a since left out is cleared)."
    )
    async def account_upsert(self, info: Info, input: AccountUpsertInput) -> AccountPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        partner, customer = _ends(problems, input.partner, input.customer)
        problems.strength("strength", input.strength)
        if problems:
            return AccountPayload(account=None, user_errors=problems.errors)
        strength = ACCOUNT_STRENGTH[input.status] if input.strength is None else input.strength
        row = await accounts.upsert_account(
            info.context.graph, partner, customer, input.status.value, input.since, strength
        )
        if row is None:  # an end is missing (or went missing meanwhile)
            gone = f"{shown(partner)} or {shown(customer)} is gone"
            errors = await _missing(info, partner, customer, gone)
            return AccountPayload(account=None, user_errors=errors)
        return AccountPayload(account=Account.of(row), user_errors=[])

    @strawberry.mutation(description="Remove a partner's account with a customer.")
    async def account_remove(self, info: Info, input: AccountRemoveInput) -> AccountRemovePayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        partner, customer = _ends(problems, input.partner, input.customer)
        if problems:
            return AccountRemovePayload(removed=False, user_errors=problems.errors)
        if await accounts.remove_account(info.context.graph, partner, customer):
            return AccountRemovePayload(removed=True, user_errors=[])
        errors = await _missing(
            info, partner, customer, f"{shown(partner)} has no account with {shown(customer)}"
        )
        return AccountRemovePayload(removed=False, user_errors=errors)
