"""Who may see what: the viewer of a request and the data-sharing grants in force for it.

Staff roles (admin, alliance_manager, marketer) see everything. A partner-scoped viewer P sees
its own data, the partner directory, and partner B's accounts only where B grants P an
agreement that is ACTIVE and dated to include today: OVERLAP_COUNTS reveals counts,
ACCOUNT_LIST (which implies OVERLAP_COUNTS) also which customers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from graph.db import Graph

audit_log = logging.getLogger("partnergraph.audit")


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
class Grants:
    """The partners whose accounts a partner viewer may see, by how much."""

    account_list: frozenset[str] = frozenset()
    overlap_counts: frozenset[str] = frozenset()  # includes every ACCOUNT_LIST grantor


@dataclass
class Viewer:
    role: Role
    partner_key: str | None = None
    subject: str = ""
    _grants: Grants | None = field(default=None, repr=False)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def scope(self) -> str | None:
        """The `$scope` of queries that show a partner only what it takes part in; None: all."""
        if self.is_staff:
            return None
        return self.partner_key or ""  # a partner viewer without a key takes part in nothing

    def label(self) -> str:
        return f"{self.role}:{self.partner_key}" if self.partner_key else str(self.role)

    async def grants(self, graph: Graph) -> Grants:
        """Loaded once per request, on first need."""
        if self._grants is None:
            self._grants = await grants_in_force(graph, self.partner_key or "", today())
        return self._grants

    async def account_owners(self, graph: Graph) -> frozenset[str] | None:
        """The partners whose accounts this viewer sees in full; None means every partner."""
        if self.is_staff:
            return None
        return (await self.grants(graph)).account_list | {self.partner_key or ""}

    async def sees_accounts_of(self, graph: Graph, partner_key: str) -> bool:
        owners = await self.account_owners(graph)
        return owners is None or partner_key in owners

    async def sees_counts_of(self, graph: Graph, partner_key: str) -> bool:
        if self.is_staff or partner_key == self.partner_key:
            return True
        return partner_key in (await self.grants(graph)).overlap_counts

    def audit(self, action: str, **details: object) -> None:
        """Record a cross-partner question: who asked what, when."""
        if self.is_staff:
            return
        event = {
            "at": datetime.now(UTC).isoformat(),
            "viewer": self.label(),
            "subject": self.subject,
            "action": action,
            **details,
        }
        audit_log.info(json.dumps(event, default=str, sort_keys=True))


async def grants_in_force(graph: Graph, grantee: str, on: date) -> Grants:
    records = await graph.read(GRANTS_IN_FORCE, {"grantee": grantee, "today": on})
    account_list = {r["grantor"] for r in records if "ACCOUNT_LIST" in r["scopes"]}
    counts = {r["grantor"] for r in records} | account_list
    return Grants(frozenset(account_list), frozenset(counts))
