"""Mutations of agreements: grant one, and revoke it.

Staff (admins, alliance managers) grant and revoke for any partner. A partner viewer grants
only as its own partner, and revokes only the agreements its partner granted: any other
agreement, whether it exists or not, is FORBIDDEN with the same message, so that nothing
tells a partner which agreements exist between others.
"""

from __future__ import annotations

import datetime

import strawberry

from graph import agreements
from graph.access import Role, today
from graph.errors import Forbidden
from graph.messages import shown
from resolvers.agreements import Agreement
from resolvers.context import Info
from resolvers.enums import AgreementScope
from resolvers.mutations.common import (
    Problems,
    UserError,
    UserErrorCode,
    acting_for,
    attempt,
    missing_ends,
    new_key,
)


@strawberry.input(description="A data-sharing agreement to grant; it starts ACTIVE.")
class AgreementGrantInput:
    key: str | None = strawberry.field(
        default=None,
        description="Generated when left out; CONFLICT when taken. Staff only: a partner"
        " viewer leaves it out (a key of its choosing could match one it may not see).",
    )
    grantor: strawberry.ID = strawberry.field(
        description="The partner that shares; a partner viewer may grant only as itself."
    )
    grantee: strawberry.ID = strawberry.field(description="The partner it shares with.")
    scopes: list[AgreementScope] = strawberry.field(description="At least one.")
    valid_from: datetime.date | None = strawberry.field(
        default=None, description="Today when left out."
    )
    valid_to: datetime.date | None = strawberry.field(
        default=None, description="On or after validFrom; null: open-ended."
    )


@strawberry.input
class AgreementRevokeInput:
    agreement: strawberry.ID


@strawberry.type
class AgreementPayload:
    agreement: Agreement | None
    user_errors: list[UserError]


def _scopes(problems: Problems, given: list[AgreementScope]) -> list[str]:
    """The scopes once each, in the enum's order."""
    if not given:
        problems.add("scopes", "give at least one scope", UserErrorCode.REQUIRED)
    return [scope.value for scope in AgreementScope if scope in given]


@strawberry.type
class AgreementMutations:
    @strawberry.mutation(
        description="Grant a data-sharing agreement from one partner to another (ACTIVE)."
    )
    async def agreement_grant(self, info: Info, input: AgreementGrantInput) -> AgreementPayload:
        acting = acting_for(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        grantor = problems.key_of(input.grantor, "grantor", "Partner")
        grantee = problems.key_of(input.grantee, "grantee", "Partner")
        if acting is not None and grantor and grantor != acting:
            info.context.audit("agreementGrant", [grantor, grantee], allowed=False)
            raise Forbidden("a partner may grant agreements only as itself", field="grantor")
        if grantor and grantor == grantee:
            message = f"{shown(grantor)} cannot grant an agreement to itself"
            problems.add("grantee", message, UserErrorCode.SELF_REFERENCE)
        problems.text("key", input.key, required=False)
        problems.generated_key("key", input.key, acting)
        scopes = _scopes(problems, input.scopes)
        valid_from = input.valid_from or today()
        problems.ordered(valid_from, input.valid_to, "validTo", "validFrom")
        if problems:
            return AgreementPayload(agreement=None, user_errors=problems.errors)
        fields = {
            "key": input.key.strip() if input.key is not None else new_key("A"),
            "grantor": grantor,
            "grantee": grantee,
            "scopes": scopes,
            "validFrom": valid_from,
            "validTo": input.valid_to,
        }
        row, errors = await attempt(lambda: agreements.grant_agreement(info.context.graph, fields))
        if row is None and not errors:  # the grantor or the grantee is missing
            errors = await missing_ends(info, {"grantor": grantor, "grantee": grantee})
        if row:
            info.context.audit("agreementGrant", [grantor, grantee], allowed=True)
        return AgreementPayload(agreement=Agreement.of(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Revoke an agreement (revoking it again changes nothing).")
    async def agreement_revoke(self, info: Info, input: AgreementRevokeInput) -> AgreementPayload:
        acting = acting_for(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        key = problems.key_of(input.agreement, "agreement", "Agreement")
        if problems:
            return AgreementPayload(agreement=None, user_errors=problems.errors)
        try:
            row, errors = await attempt(
                lambda: agreements.revoke_agreement(info.context.graph, key, acting)
            )
        except Forbidden:
            info.context.audit("agreementRevoke", [acting or ""], allowed=False)
            raise
        if row:
            ends = [row["grantor"]["key"], row["grantee"]["key"]]
            info.context.audit("agreementRevoke", ends, allowed=True)
        return AgreementPayload(agreement=Agreement.of(row) if row else None, user_errors=errors)
