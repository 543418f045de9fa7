"""The closed sets of the graph, as GraphQL enums."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from graph.model import (
    AccountStatus,
    AgreementScope,
    AgreementStatus,
    DealStatus,
    PartnerType,
    SolutionRole,
    Stage,
    Tier,
)

# The graph's enums become GraphQL enums in place (strawberry.enum returns the class).
for closed_set in (
    PartnerType,
    Tier,
    Stage,
    AccountStatus,
    SolutionRole,
    AgreementScope,
    AgreementStatus,
    DealStatus,
):
    strawberry.enum(closed_set)

__all__ = [
    "AccountStatus",
    "AgreementScope",
    "AgreementStatus",
    "DealStatus",
    "LinkDirection",
    "LinkKind",
    "OrderDirection",
    "PartnerType",
    "RelationshipKind",
    "SolutionRole",
    "Stage",
    "Tier",
]


@strawberry.enum
class LinkKind(StrEnum):
    """A partner link's relationship type."""

    CO_SELLS_WITH = "CO_SELLS_WITH"
    REFERS_TO = "REFERS_TO"
    INTEGRATES_WITH = "INTEGRATES_WITH"


@strawberry.enum
class LinkDirection(StrEnum):
    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="A kind of relationship of the influence graph.")
class RelationshipKind(StrEnum):
    SUB_PARTNER_OF = "SUB_PARTNER_OF"
    HAS_ACCOUNT = "HAS_ACCOUNT"
    CO_SELLS_WITH = "CO_SELLS_WITH"
    REFERS_TO = "REFERS_TO"
    INTEGRATES_WITH = "INTEGRATES_WITH"
    CO_CREATED = "CO_CREATED"
