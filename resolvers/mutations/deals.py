"""Mutations of deals: register one, and move it through the deal workflow.

Staff (admins, alliance managers) register deals for any partner, approve or reject them, and
mark them WON or LOST. A partner viewer registers deals only as its own partner, for a customer
it may see, and reports only the outcome of its own deals (WON or LOST): approving and rejecting
are the vendor's call. Any deal not its own, whether it exists or not, is FORBIDDEN with the
same message. A move the workflow does not allow (graph.deals.MOVES) is INVALID_TRANSITION.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

import strawberry

from graph import conflicts, deals
from graph.access import Role, today
from graph.conflicts import Row
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

# The dates a registration may take: registered at most a year ahead of today; expiring on or
# after that day and within two years of it; left out, it expires 90 days after it.
AHEAD = timedelta(days=365)
LONGEST = timedelta(days=730)
WINDOW = timedelta(days=90)


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
        description=f"Today (UTC) when left out; at most {AHEAD.days} days ahead. Staff only: a"
        " partner viewer registers today.",
    )
    expires_on: datetime.date | None = strawberry.field(
        default=None,
        description=f"On or after registeredOn and at most {LONGEST.days} days after it;"
        f" {WINDOW.days} days after it when left out. From the day after, the deal has lapsed:"
        " it protects nothing and collides with nothing.",
    )
    allow_conflict: bool | None = strawberry.field(
        default=False,
        description="Register it even where its window shares a day with another partner's"
        " open deal for the customer (else CHANNEL_CONFLICT); the conflict then shows in"
        " dealConflicts.",
    )


@strawberry.input
class DealChangeStatusInput:
    deal: strawberry.ID
    status: DealStatus = strawberry.field(
        description="PENDING → APPROVED or REJECTED (staff); APPROVED → WON or LOST (staff, or "
        "the deal's own partner), WON only from registeredOn to expiresOn. REJECTED, WON and "
        "LOST are final; any other move (to the status it has, too) is INVALID_TRANSITION."
    )


@strawberry.type
class DealPayload:
    deal: Deal | None
    user_errors: list[UserError]


@strawberry.type
class DealMutations:
    @strawberry.mutation(
        description="Register a partner's deal for a customer (PENDING); CHANNEL_CONFLICT,"
        " naming the earliest open deal of another partner it would collide with (to a partner"
        " viewer: only the day that deal was registered), unless allowConflict. A partner"
        " viewer's refused registration is audited."
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
        now = today()
        registered_on = input.registered_on or now
        if acting is not None and registered_on != now:
            # Protection goes to the earliest registration: a partner dating its own would take
            # it from a deal registered before it.
            problems.add("registeredOn", f"a partner registers a deal today ({now})")
        elif registered_on > now + AHEAD:
            problems.add("registeredOn", f"{registered_on} is more than {AHEAD.days} days ahead")
        if registered_on > now + AHEAD:  # no expiry to check (nor to compute) after it
            return DealPayload(deal=None, user_errors=problems.errors)
        expires_on = input.expires_on or registered_on + WINDOW
        problems.ordered(registered_on, expires_on, "expiresOn", "registeredOn")
        if expires_on > registered_on + LONGEST:
            problems.add(
                "expiresOn", f"{expires_on} is more than {LONGEST.days} days after registeredOn"
            )
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
            "expiresOn": expires_on,
        }
        visible = await context.access.customer_visibility()

        async def register() -> Row | None:
            try:
                return await conflicts.register_checked(
                    context.graph, fields, visible, acting, bool(input.allow_conflict), now
                )
            except conflicts.ChannelConflict as refused:  # it tells of another partner's deal
                context.audit("dealRegister", [refused.partner], allowed=False)
                raise

        row, errors = await attempt(register)
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
