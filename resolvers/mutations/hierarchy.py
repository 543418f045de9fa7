"""Mutations of the sub-partner hierarchy: link a child under a parent, and unlink it."""

from __future__ import annotations

import datetime

import strawberry

from graph import hierarchy
from graph.access import Role
from resolvers.context import Info
from resolvers.mutations.common import Problems, UserError, UserErrorCode, allow, attempt
from resolvers.partners import Partner
from resolvers.scalars import date_of


@strawberry.input(description="Put `child` under `parent`; linking the pair again updates it.")
class SubPartnerLinkInput:
    child: strawberry.ID
    parent: strawberry.ID
    since: datetime.date | None = None
    strength: float | None = strawberry.field(
        default=None, description="In (0, 1]; 0.8 when left out."
    )


@strawberry.type
class SubPartnerLinkPayload:
    child: Partner | None
    parent: Partner | None
    since: datetime.date | None = strawberry.field(description="As the link now stands.")
    strength: float | None = strawberry.field(description="As the link now stands.")
    user_errors: list[UserError]


@strawberry.input
class SubPartnerUnlinkInput:
    child: strawberry.ID
    parent: strawberry.ID


@strawberry.type
class SubPartnerUnlinkPayload:
    child: Partner | None
    parent: Partner | None
    removed: bool
    user_errors: list[UserError]


def _ends(problems: Problems, child_id: str, parent_id: str) -> tuple[str, str]:
    child = problems.key_of(child_id, "child", "Partner")
    parent = problems.key_of(parent_id, "parent", "Partner")
    return child, parent


@strawberry.type
class HierarchyMutations:
    @strawberry.mutation(
        description="Put a partner under another in the sub-partner hierarchy (a DAG: a cycle "
        "is refused with CYCLE, a partner under itself with SELF_REFERENCE)."
    )
    async def sub_partner_link(
        self, info: Info, input: SubPartnerLinkInput
    ) -> SubPartnerLinkPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        child, parent = _ends(problems, input.child, input.parent)
        problems.strength("strength", input.strength)
        if child and child == parent:
            message = hierarchy.self_parent_message(child)
            problems.add("parent", message, UserErrorCode.SELF_REFERENCE)
        if problems:
            return SubPartnerLinkPayload(
                child=None, parent=None, since=None, strength=None, user_errors=problems.errors
            )
        link, errors = await attempt(
            lambda: hierarchy.link_sub_partner(
                info.context.graph, child, parent, input.since, input.strength
            )
        )
        if link is None:
            return SubPartnerLinkPayload(
                child=None, parent=None, since=None, strength=None, user_errors=errors
            )
        return SubPartnerLinkPayload(
            child=Partner.of(link.child),
            parent=Partner.of(link.parent),
            since=date_of(link.since),
            strength=link.strength,
            user_errors=[],
        )

    @strawberry.mutation(description="Take a partner from under one of its parents.")
    async def sub_partner_unlink(
        self, info: Info, input: SubPartnerUnlinkInput
    ) -> SubPartnerUnlinkPayload:
        allow(info, Role.ALLIANCE_MANAGER)
        problems = Problems()
        child, parent = _ends(problems, input.child, input.parent)
        if problems:
            return SubPartnerUnlinkPayload(
                child=None, parent=None, removed=False, user_errors=problems.errors
            )
        ends, errors = await attempt(
            lambda: hierarchy.unlink_sub_partner(info.context.graph, child, parent)
        )
        if ends is None:
            return SubPartnerUnlinkPayload(
                child=None, parent=None, removed=False, user_errors=errors
            )
        return SubPartnerUnlinkPayload(
            child=Partner.of(ends[0]), parent=Partner.of(ends[1]), removed=True, user_errors=[]
        )
