"""Who may see what: the viewer of a request, and the data-sharing grants in force for it.

Staff roles (admin, alliance_manager, marketer) see everything. A partner-scoped viewer P sees
its own data, the partner directory, and partner B's accounts only where B grants P an
agreement that is ACTIVE and dated to include today: OVERLAP_COUNTS reveals counts,
ACCOUNT_LIST (which implies OVERLAP_COUNTS) also which customers.

A `Viewer` is who asks, and never changes; `Access` is one request's view of the graph: the
viewer and its `Sight` (what it may see of partners' accounts), loaded once, on first need.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from graph.db import Graph


class Role(StrEnum):
    ADMIN = "admin"
    ALLIANCE_MANAGER = "alliance_manager"
    MARKETER = "marketer"
    PARTNER = "partner"


STAFF = frozenset({Role.ADMIN, Role.ALLIANCE_MANAGER, Role.MARKETER})

# The grantors whose agreement with the grantee is in force on $today, with its scopes.
GRANTS_IN_FORCE = """
MATCH (grantor:Partner)-[:GRANTS]->(a:Agreement {status: 'ACTIVE'})
      -[:TO]->(:Partner {key: $grantee})
WHERE a.validFrom <= $today AND (a.validTo IS NULL OR a.validTo >= $today)
UNWIND a.scopes AS scope
RETURN grantor.key AS grantor, collect(DISTINCT scope) AS scopes
"""


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Viewer:
    """Who asks: a role, the partner a partner-scoped viewer acts for, the token's subject."""

    role: Role
    partner_key: str | None = None
    subject: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def member(self) -> str | None:
        """The `$member` of queries that show a partner only what it takes part in (its deals,
        its campaigns, its agreements); None for staff, who see all."""
        if self.is_staff:
            return None
        return self.partner_key or ""  # a partner viewer without a key takes part in nothing

    def label(self) -> str:
        return f"{self.role}:{self.partner_key}" if self.partner_key else str(self.role)


@dataclass(frozen=True)
class Sight:
    """What a viewer may see of partners' accounts: everything (staff), or the accounts of the
    partners in `listed` and the counts of those in `counted` (its own partner in both)."""

    everything: bool
    listed: frozenset[str] = frozenset()  # ACCOUNT_LIST grantors and the viewer's own partner
    counted: frozenset[str] = frozenset()  # every `listed` one and the OVERLAP_COUNTS grantors

    def sees_accounts_of(self, partner_key: str) -> bool:
        return self.everything or partner_key in self.listed

    def sees_counts_of(self, partner_key: str) -> bool:
        return self.everything or partner_key in self.counted

    def account_owners(self) -> list[str] | None:
        """The partners whose accounts (and customers) may be listed, as a query parameter;
        None: every partner."""
        return None if self.everything else sorted(self.listed)

    def count_owners(self) -> list[str] | None:
        """The partners whose accounts may be counted, as a query parameter; None: all."""
        return None if self.everything else sorted(self.counted)


EVERYTHING = Sight(everything=True)


async def sight_of(graph: Graph, viewer: Viewer, on: date) -> Sight:
    """The viewer's sight on day `on`: one query for a partner viewer, none for staff."""
    if viewer.is_staff:
        return EVERYTHING
    me = viewer.partner_key or ""
    records = await graph.read(GRANTS_IN_FORCE, {"grantee": me, "today": on})
    listed = {r["grantor"] for r in records if "ACCOUNT_LIST" in r["scopes"]} | {me}
    counted = {r["grantor"] for r in records} | listed
    return Sight(False, frozenset(listed), frozenset(counted))


class Access:
    """One request's viewer and its sight, loaded on first need and then shared by every
    resolver and loader of the request (and never by another request)."""

    def __init__(self, graph: Graph, viewer: Viewer) -> None:
        self.graph = graph
        self.viewer = viewer
        self._sight: asyncio.Future[Sight] | None = None

    async def sight(self) -> Sight:
        if self.viewer.is_staff:
            return EVERYTHING
        if self._sight is None:  # fields resolved side by side share the one query
            self._sight = asyncio.ensure_future(sight_of(self.graph, self.viewer, today()))
        try:
            return await asyncio.shield(self._sight)
        except Exception:
            self._sight = None  # a failed load (an outage) is tried again by the next field
            raise

    async def customer_visibility(self) -> dict[str, Any] | None:
        """The `$visible` parameter of customer queries, {owners, me}; None for staff."""
        owners = (await self.sight()).account_owners()
        if owners is None:
            return None
        return {"owners": owners, "me": self.viewer.partner_key}
