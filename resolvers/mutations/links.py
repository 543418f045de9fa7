"""Mutations of partner links: co-selling, referral and integration, linked and unlinked."""

from __future__ import annotations

import datetime

import strawberry

from graph import links
from graph.access import Role
from graph.messages import shown
from resolvers.context import Info
from resolvers.enums import LinkKind
from resolvers.mutations.common import (
    Problems,
    UserError,
    UserErrorCode,
    allow,
    attempt,
    unknown,
)
from resolvers.partners import PartnerLink


@strawberry.input(description="A link from one partner to another; linking again updates it.")
class PartnerLinkInput:
    from_: strawberry.ID = strawberry.field(name="from")
    to: strawberry.ID
    kind: LinkKind
    strength: float | None = strawberry.field(
        default=None,
        description="In (0, 1]; by kind when left out: CO_SELLS_WITH 0.7, REFERS_TO 0.5, "
        "INTEGRATES_WITH 0.4.",
    )
    since: datetime.date | None = None


@strawberry.type
class PartnerLinkPayload:
    link: PartnerLink | None = strawberry.field(description="The link as `from` sees it.")
    user_errors: list[UserError]


@strawberry.input
class PartnerUnlinkInput:
    from_: strawberry.ID = strawberry.field(name="from")
    to: strawberry.ID
    kind: LinkKind


@strawberry.type
class PartnerUnlinkPayload:
    removed: bool
    user_errors: list[UserError]


def _ends(problems: Problems, source_id: str, target_id: str) -> tuple[str, str]:
    source = problems.key_of(source_id, "from", "Partner")
    target = problems.key_of(target_id, "to", "Partner")
    if source and source == target:
        problems.add("to", f"{shown(source)} cannot link to itself", UserErrorCode.SELF_REFERENCE)
    return source, target


async def _missing(info: Info, source: str, target: str, otherwise: str) -> list[UserError]:
    errors = await unknown(info, {"from": source, "to": target})
    return errors or [UserError(field=None, message=otherwise, code=UserErrorCode.NOT_FOUND)]


@strawberry.type
class LinkMutations:
    @strawberry.mutation(
        description="Create or update a directed link between two partners; every field is set "
        "as given (a since left out is cleared)."
    )
    async def partner_link(self, info: Info, input: PartnerLinkInput) -> PartnerLinkPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        source, target = _ends(problems, input.from_, input.to)
        problems.strength("strength", input.strength)
        if problems:
            return PartnerLinkPayload(link=None, user_errors=problems.errors)
        graph = info.context.graph
        kind = input.kind.value
        row, errors = await attempt(
            lambda: links.link_partners(graph, source, target, kind, input.strength, input.since)
        )
        if errors:
            return PartnerLinkPayload(link=None, user_errors=errors)
        if row is None:
            errors = await _missing(
                info, source, target, f"{shown(source)} or {shown(target)} is gone"
            )
            return PartnerLinkPayload(link=None, user_errors=errors)
        return PartnerLinkPayload(link=PartnerLink.of(row), user_errors=[])

    @strawberry.mutation(description="Remove a link of a kind from one partner to another.")
    async def partner_unlink(self, info: Info, input: PartnerUnlinkInput) -> PartnerUnlinkPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        source, target = _ends(problems, input.from_, input.to)
        if problems:
            return PartnerUnlinkPayload(removed=False, user_errors=problems.errors)
        if await links.unlink_partners(info.context.graph, source, target, input.kind.value):
            return PartnerUnlinkPayload(removed=True, user_errors=[])
        absent = f"there is no {input.kind.value} link from {shown(source)} to {shown(target)}"
        errors = await _missing(info, source, target, absent)
        return PartnerUnlinkPayload(removed=False, user_errors=errors)
