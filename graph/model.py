"""The closed sets of the graph and the defaults its relationships take."""

from __future__ import annotations

from enum import StrEnum


class PartnerType(StrEnum):
    RESELLER = "RESELLER"
    DISTRIBUTOR = "DISTRIBUTOR"
    SYSTEM_INTEGRATOR = "SYSTEM_INTEGRATOR"
    TECHNOLOGY = "TECHNOLOGY"
    MSP = "MSP"
    REFERRAL = "REFERRAL"
    OEM = "OEM"


class Tier(StrEnum):
    REGISTERED = "REGISTERED"
    SILVER = "SILVER"
    GOLD = "GOLD"
    PLATINUM = "PLATINUM"


class Stage(StrEnum):
    RECRUIT = "RECRUIT"
    ONBOARD = "ONBOARD"
    ENABLE = "ENABLE"
    MARKET = "MARKET"
    SELL = "SELL"
    INCENTIVIZE = "INCENTIVIZE"
    ACCELERATE = "ACCELERATE"


class AccountStatus(StrEnum):
    CUSTOMER = "CUSTOMER"
    OPPORTUNITY = "OPPORTUNITY"
    PROSPECT = "PROSPECT"


class LinkKind(StrEnum):
    """The bundle's names for partner links; each maps to one relationship type."""

    CO_SELL = "CO_SELL"
    REFERRAL = "REFERRAL"
    INTEGRATION = "INTEGRATION"


class SolutionRole(StrEnum):
    LEAD = "LEAD"
    CONTRIBUTOR = "CONTRIBUTOR"


class AgreementScope(StrEnum):
    OVERLAP_COUNTS = "OVERLAP_COUNTS"
    ACCOUNT_LIST = "ACCOUNT_LIST"


class AgreementStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"


class DealStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WON = "WON"
    LOST = "LOST"


LINK_TYPES: dict[LinkKind, str] = {
    LinkKind.CO_SELL: "CO_SELLS_WITH",
    LinkKind.REFERRAL: "REFERS_TO",
    LinkKind.INTEGRATION: "INTEGRATES_WITH",
}

SUB_PARTNER_STRENGTH = 0.8
ACCOUNT_STRENGTH: dict[AccountStatus, float] = {
    AccountStatus.CUSTOMER: 0.9,
    AccountStatus.OPPORTUNITY: 0.6,
    AccountStatus.PROSPECT: 0.3,
}
CO_CREATED_STRENGTH = 0.7
LINK_STRENGTH: dict[LinkKind, float] = {
    LinkKind.CO_SELL: 0.7,
    LinkKind.REFERRAL: 0.5,
    LinkKind.INTEGRATION: 0.4,
}

# The same defaults as queries look them up: `coalesce(r.strength, $byType[type(r)])`, and an
# account's by its status.
STRENGTH_BY_TYPE: dict[str, float] = {
    "SUB_PARTNER_OF": SUB_PARTNER_STRENGTH,
    "CO_CREATED": CO_CREATED_STRENGTH,
    **{LINK_TYPES[kind]: strength for kind, strength in LINK_STRENGTH.items()},
}
ACCOUNT_STRENGTH_BY_STATUS: dict[str, float] = {
    status.value: strength for status, strength in ACCOUNT_STRENGTH.items()
}
