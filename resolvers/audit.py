"""The audit trail over GraphQL: `auditEvents`, newest first, for admins only."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import strawberry

from graph import audit
from graph.access import Role
from graph.errors import Forbidden, InvalidInput
from graph.paging import Page, Window, encode_cursor, made_under
from resolvers.connection import Connection, ready
from resolvers.context import Info

MAX_TEXT = 200


@strawberry.type(description="One cross-partner question a partner-scoped viewer asked.")
class AuditEvent:
    at: datetime.datetime
    request_id: str = strawberry.field(description="X-Request-Id of the request that asked.")
    subject: str = strawberry.field(description="The token's subject.")
    role: str
    viewer: str = strawberry.field(description="The key of the partner the viewer acts for.")
    operation: str = strawberry.field(
        description="What was asked: the field's name (topOverlaps, influencePaths, "
        "agreementGrant, ...; overlap.customers for a nested one). The README lists them."
    )
    partners: list[str] = strawberry.field(
        description="The keys of the partners asked about; for partnerMap, its center and every "
        "other partner whose accounts (size, overlaps, holding the center) the answer showed."
    )
    allowed: bool = strawberry.field(description="False when the question was refused.")

    @classmethod
    def of(cls, event: audit.AuditEvent) -> AuditEvent:
        return cls(
            at=event.at,
            request_id=event.request_id,
            subject=event.subject,
            role=event.role,
            viewer=event.viewer,
            operation=event.operation,
            partners=list(event.partners),
            allowed=event.allowed,
        )


@strawberry.input(description=f"Events matching every field given (text: at most {MAX_TEXT}).")
class AuditFilter:
    viewer: str | None = strawberry.field(default=None, description="The viewer's partner key.")
    partner: str | None = strawberry.field(default=None, description="A partner asked about.")
    operation: str | None = None
    since: datetime.datetime | None = strawberry.field(default=None, description="At or after.")
    until: datetime.datetime | None = strawberry.field(default=None, description="Before.")
    allowed: bool | None = None

    def where(self) -> audit.AuditFilter:
        for name in ("viewer", "partner", "operation"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_TEXT:
                field = f"filter.{name}"
                raise InvalidInput(f"{field}: at most {MAX_TEXT} characters", field=field)
        return audit.AuditFilter(
            viewer=self.viewer,
            partner=self.partner,
            operation=self.operation,
            since=_utc(self.since),
            until=_utc(self.until),
            allowed=self.allowed,
        )


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.UTC)  # a time without a zone is UTC, as the trail's


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The audit trail of cross-partner questions, of every API process, newest "
        "first."
    )
    async def audit_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilter | None = None,
    ) -> Connection[AuditEvent]:
        context = info.context
        if context.viewer.role is not Role.ADMIN:
            raise Forbidden("only admins may read the audit trail")
        where = (filter or AuditFilter()).where()
        under = made_under("auditEvents", dataclasses.asdict(where))
        window = Window.of(first, after, size=2, under=under)  # a cursor is an event's mark
        events, total, more = await audit.events(context.graph, where, window.first, window.after)
        page: Page[Any] = Page(
            items=events,
            cursors=[encode_cursor(event.mark, under) for event in events],
            has_next=more,
            has_previous=window.after is not None,
        )
        return ready(page, AuditEvent.of, total)
