"""Mutations of deals: register one, and move it through the deal workflow.

Staff (admins, alliance managers) register deals for any partner, approve or reject them, and
mark them WON or LOST. A partner viewer registers deals only as its own partner, for a customer
it may see, and reports only the outcome of its own deals (WON or LOST): approving and rejecting
are the vendor's call. Any deal not its own, whether it exists or not, is FORBIDDEN with the
same message. A move the workflow does not allow (graph.deals.MOVES) is INVALID_TRANSITION.
"""

from __future__ import annotations

import datetime

import strawberry

from graph import conflicts, deals
from graph.access import Role, today
from graph.errors import Forbidden
from graph.model import DealStatus
from resolvers.context import Info
from resolvers.deals import Deal
from resolvers.mutations.common import (
    Problems,
    UserError,
    acting_for,
    attempt,
    missing_ends,
    new_key,
)

# What a partner viewer may report of its own deals.
OUTCOMES = (DealStatus.WON, DealStatus.LOST)


@strawberry.input(description="A deal to register; it starts PENDING.")
class DealRegisterInput:
    key: str | None = strawberry.field(
        default=None,
        description="Generated when left out; CONFLICT when taken. Staff only: a partner"
        " viewer leaves it out (a key of its choosing could match one it may not see).",
    )
    partner: strawberry.ID = strawberry.field(
        description="The partner registering it; a partner viewer may register only as itself."
    )
    customer: strawberry.ID = strawberry.field(
        description="A partner viewer registers only for a customer it may see."
    )
    amount: float | None = strawberry.field(default=None, description="Zero or more.")
    stage: str | None = None
    registered_on: datetime.date | None = strawberry.field(
        default=None,
        description="Today when left out. Staff only: a partner viewer registers today.",
    )
    expires_on: datetime.date | None = strawberry.field(
        default=None, description="On or after registeredOn; null: open-ended."
    )
    allow_conflict: bool | None = strawberry.field(
        default=False,
        description="Register it even where its window shares a day with another partner's"
        " PENDING or APPROVED deal for the customer (else CHANNEL_CONFLICT); the conflict"
        " then shows in dealConflicts.",
    )


@strawberry.input
class DealChangeStatusInput:
    deal: strawberry.ID
    status: DealStatus = strawberry.field(
        description="PENDING → APPROVED or REJECTED (staff); APPROVED → WON or LOST (staff, or "
        "the deal's own partner), not WON once past expiresOn. REJECTED, WON and LOST are "
        "final; any other move (to the status it has, too) is INVALID_TRANSITION."
    )


@strawberry.type
class DealPayload:
    deal: Deal | None
    user_errors: list[UserError]


@strawberry.type
class DealMutations:
    @strawberry.mutation(
        description="Register a partner's deal for a customer (PENDING); CHANNEL_CONFLICT,"
        " naming the protected deal, where it would collide with another partner's, unless"
        " allowConflict."
    )
    async def deal_register(self, info: Info, input: DealRegisterInput) -> DealPayload:
        acting = acting_for(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        partner = problems.key_of(input.partner, "partner", "Partner")
        if acting is not None and partner and partner != acting:
            raise Forbidden("a partner may register deals only as itself", field="partner")
        customer = problems.key_of(input.customer, "customer", "Customer")
        problems.text("key", input.key, required=False)
        problems.generated_key("key", input.key, acting)
        problems.not_negative("amount", input.amount)
        registered_on = input.registered_on or today()
        if acting is not None and registered_on != today():
            # Protection goes to the earliest registration: a partner dating its own would take
            # it from a deal registered before it.
            problems.add("registeredOn", f"a partner registers a deal today ({today()})")
        problems.ordered(registered_on, input.expires_on, "expiresOn", "registeredOn")
        if problems:
            return DealPayload(deal=None, user_errors=problems.errors)
        context = info.context
        fields = {
            "key": input.key.strip() if input.key is not None else new_key("D"),
            "partner": partner,
            "customer": customer,
            "amount": input.amount,
            "stage": (input.stage or "").strip() or None,
            "registeredOn": registered_on,
            "expiresOn": input.expires_on,
        }
        visible = await context.access.customer_visibility()
        row, errors = await attempt(
            lambda: conflicts.register_checked(
                context.graph, fields, visible, acting, bool(input.allow_conflict)
            )
        )
        if row is None and not errors:  # the partner or the (visible) customer is missing
            errors = await missing_ends(info, {"partner": partner}, {"customer": customer})
        return DealPayload(deal=Deal.of(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Move a deal on in the deal workflow.")
    async def deal_change_status(self, info: Info, input: DealChangeStatusInput) -> DealPayload:
        acting = acting_for(info, Role.ALLIANCE_MANAGER)
        if acting is not None and input.status not in OUTCOMES:
            raise Forbidden("a partner may only mark its own deals WON or LOST", field="status")
        problems = Problems()
        key = problems.key_of(input.deal, "deal", "Deal")
        if problems:
            return DealPayload(deal=None, user_errors=problems.errors)
        row, errors = await attempt(
            lambda: deals.change_deal_status(
                info.context.graph, key, input.status.value, acting, today()
            )
        )
        return DealPayload(deal=Deal.of(row) if row else None, user_errors=errors)
