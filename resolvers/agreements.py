"""Agreement: a data-sharing grant between two partners, and the agreement queries.

A partner-scoped viewer sees only the agreements it grants or receives; everywhere else they
are as absent as an unknown key.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

import strawberry

from graph.access import today
from graph.agreements import AGREEMENTS, Side
from graph.paging import Window, made_under
from loaders.agreements import (
    AgreementByKeyLoader,
    AgreementGrantedCountByPartnerKeyLoader,
    AgreementReceivedCountByPartnerKeyLoader,
    AgreementsGrantedByPartnerKeyLoader,
    AgreementsReceivedByPartnerKeyLoader,
)
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.enums import AgreementScope, AgreementStatus, OrderDirection
from resolvers.node import Node, key_of, registers
from resolvers.partners import Partner
from resolvers.scalars import date_of, names_of

Row = dict[str, Any]

LOADERS = {
    "GRANTED": (AgreementsGrantedByPartnerKeyLoader, AgreementGrantedCountByPartnerKeyLoader),
    "RECEIVED": (AgreementsReceivedByPartnerKeyLoader, AgreementReceivedCountByPartnerKeyLoader),
}


@strawberry.type(description="A data-sharing agreement: what a grantor shares with a grantee.")
class Agreement(Node):
    key: str
    scopes: list[AgreementScope]
    valid_from: datetime.date
    valid_to: datetime.date | None = strawberry.field(description="Null: open-ended.")
    status: AgreementStatus
    in_force: bool = strawberry.field(description="ACTIVE, and dated to include today.")
    grantor: Partner
    grantee: Partner

    @classmethod
    def of(cls, row: Row) -> Agreement:
        status = AgreementStatus(row["status"])
        valid_from: datetime.date = row["validFrom"].to_native()  # required on every agreement
        valid_to = date_of(row.get("validTo"))
        now = today()
        return cls(
            key=row["key"],
            scopes=[AgreementScope(scope) for scope in row.get("scopes") or []],
            valid_from=valid_from,
            valid_to=valid_to,
            status=status,
            in_force=status == AgreementStatus.ACTIVE
            and valid_from <= now
            and (valid_to is None or now <= valid_to),
            grantor=Partner.of(row["grantor"]),
            grantee=Partner.of(row["grantee"]),
        )


async def agreements_of(
    info: Info,
    partner_key: str,
    side: Side,
    first: int | None,
    after: str | None,
    in_force: bool | None,
) -> Connection[Agreement]:
    """A partner's agreements on one side, of those the viewer may see (Partner's fields)."""
    under = made_under("Partner.agreements", side, partner_key, in_force)
    window = Window.of(first, after, under=under)
    rows_of, count_of = LOADERS[side]
    context = info.context
    counter = context.loader(count_of, in_force=in_force)
    rows = context.loader(rows_of, in_force=in_force, window=window)
    return nested(rows, counter, partner_key, window, lambda row: row["key"], Agreement.of)


@strawberry.input(description="Agreements matching every field given (a list: any of its values).")
class AgreementFilter:
    status: list[AgreementStatus] | None = None
    scope: list[AgreementScope] | None = strawberry.field(
        default=None, description="Agreements holding any of these scopes."
    )
    grantor: strawberry.ID | None = None
    grantee: strawberry.ID | None = None
    in_force: bool | None = strawberry.field(
        default=None, description="True: only those in force today; false: only those not."
    )

    def params(self, on: datetime.date) -> dict[str, Any]:
        def partner(value: str | None, field: str) -> str | None:
            return key_of(value, f"filter.{field}", "Partner") if value is not None else None

        return {
            "statuses": names_of(self.status),
            "scopes": names_of(self.scope),
            "grantor": partner(self.grantor, "grantor"),
            "grantee": partner(self.grantee, "grantee"),
            "inForceOn": on if self.in_force is True else None,
            "notInForceOn": on if self.in_force is False else None,
        }


@strawberry.enum
class AgreementOrderField(StrEnum):
    KEY = "KEY"
    VALID_FROM = "VALID_FROM"


@strawberry.input
class AgreementOrder:
    field: AgreementOrderField = AgreementOrderField.KEY
    direction: OrderDirection = OrderDirection.ASC


@registers("Agreement")
async def fetch_agreement(info: Info, key: str) -> Agreement | None:
    row = await info.context.loader(AgreementByKeyLoader).load(key)
    return Agreement.of(row) if row else None


@strawberry.type
class AgreementQueries:
    @strawberry.field(description="An agreement by key; null when unknown or not yours to see.")
    async def agreement(self, info: Info, key: str) -> Agreement | None:
        return await fetch_agreement(info, key)

    @strawberry.field(description="The agreements you may see, filtered and ordered.")
    async def agreements(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AgreementFilter | None = None,
        order_by: AgreementOrder | None = None,
    ) -> Connection[Agreement]:
        context = info.context
        asked = (filter or AgreementFilter()).params(today())
        filters = {**asked, "member": context.viewer.member}
        order = order_by or AgreementOrder()
        descending = order.direction == OrderDirection.DESC
        under = made_under("agreements", asked, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        return listed(
            context.graph, AGREEMENTS, filters, window, Agreement.of, order.field.value, descending
        )
