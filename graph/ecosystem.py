"""The ecosystem as a whole: when it was last imported and analysed, and what it holds.

One metadata node, `(:Ecosystem {key: 'ecosystem'})`, carries `importedAt` (the last import
that wrote rows), `analyzedAt` (when the last `partnergraph analyze` began reading),
`communities` (how many it found), `overlapsAt` (when the overlap counts that analysis
stored were read: `graph.analytics.overlap_store`) and `accountWrites` (accounts created or
removed through the API, so that an analysis knows whether any landed while it ran). It is
no part of the ecosystem's data: no API type resolves to it (`Query.ecosystem` reads its
properties).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.db import Graph

KEY = "ecosystem"

MARK_IMPORTED = """
MERGE (e:Ecosystem {key: $key})
SET e.importedAt = datetime($at)
"""

# An analysis begins by reading how many account writes there have been (`graph.accounts`)...
BEGIN_ANALYSIS = """
MERGE (e:Ecosystem {key: $key})
RETURN coalesce(e.accountWrites, 0) AS writes
"""

# ... and ends stamping its stored overlap counts only if there have been no more since: one
# written while it ran may be in neither its read nor the counts it kept. (The first SET takes
# the node's lock, so the count read after it is the last.)
RECORD_ANALYSIS = """
MERGE (e:Ecosystem {key: $key})
SET e.analyzedAt = datetime($at), e.communities = $communities
WITH e
SET e.overlapsAt = CASE WHEN coalesce(e.accountWrites, 0) = $writes THEN datetime($at) END,
    e.boundWrites = $writes
RETURN e.overlapsAt IS NOT NULL AS stored
"""

# Whether the stored overlap counts hold: written, and no import since. A query embeds it (it
# needs no parameter) and reads `fresh`; where it is false, counts are counted live. `bounded`:
# besides, no account was written since, so each partner's `overlapBound` (the most customers
# it shared with one partner when analysed) still bounds its overlaps.
_STORE_HOLDS = "e.overlapsAt IS NOT NULL AND (e.importedAt IS NULL OR e.importedAt <= e.overlapsAt)"
OVERLAPS_FRESH = f"""
CALL () {{
  OPTIONAL MATCH (e:Ecosystem {{key: 'ecosystem'}})
  RETURN {_STORE_HOLDS} AS fresh,
         coalesce({_STORE_HOLDS} AND coalesce(e.accountWrites, 0) = e.boundWrites, false)
         AS bounded
}}
"""

OVERLAPS_ARE_FRESH = f"{OVERLAPS_FRESH} RETURN fresh"

# Totals from the count store; the ecosystem node may not exist yet.
EVERYTHING = """
OPTIONAL MATCH (e:Ecosystem {key: $key})
RETURN e {.importedAt, .analyzedAt, .communities} AS meta,
       COUNT { (:Partner) } AS partners,
       COUNT { (:Customer) } AS customers,
       COUNT { ()-[:HAS_ACCOUNT]->() } AS accounts
"""

# What a partner viewer may see: the accounts of `$owners` and the customers they hold.
VISIBLE = """
OPTIONAL MATCH (e:Ecosystem {key: $key})
CALL () {
  UNWIND $owners AS owner
  MATCH (:Partner {key: owner})-[:HAS_ACCOUNT]->(c:Customer)
  RETURN count(*) AS accounts, count(DISTINCT c) AS customers
}
RETURN e {.importedAt, .analyzedAt, .communities} AS meta,
       COUNT { (:Partner) } AS partners, customers, accounts
"""


@dataclass(frozen=True)
class Census:
    partners: int
    customers: int
    accounts: int
    imported_at: datetime | None
    analyzed_at: datetime | None
    communities: int | None

    @property
    def stale(self) -> bool:
        """Scores that an import has overtaken, or none while there are partners to score."""
        if self.analyzed_at is None:
            return self.partners > 0
        return self.imported_at is not None and self.analyzed_at < self.imported_at


async def mark_imported(graph: Graph, at: datetime) -> None:
    await graph.write(MARK_IMPORTED, {"key": KEY, "at": at.isoformat()})


async def begin_analysis(graph: Graph) -> int:
    """The account writes so far, for `record_analysis` to compare with."""
    return int((await graph.write(BEGIN_ANALYSIS, {"key": KEY}))[0]["writes"])


async def record_analysis(graph: Graph, at: datetime, communities: int, writes: int) -> bool:
    """Record the run; its overlap counts are fresh unless accounts were written since
    `begin_analysis` counted `writes` (then False)."""
    params = {"key": KEY, "at": at.isoformat(), "communities": communities, "writes": writes}
    return bool((await graph.write(RECORD_ANALYSIS, params))[0]["stored"])


async def overlaps_fresh(graph: Graph) -> bool:
    """Whether the stored overlap counts may be read in place of counting."""
    return bool((await graph.read(OVERLAPS_ARE_FRESH))[0]["fresh"])


async def census(graph: Graph, owners: list[str] | None) -> Census:
    """The totals; with `owners`, only their accounts and customers (None: every partner's)."""
    if owners is None:
        records = await graph.read(EVERYTHING, {"key": KEY})
    else:
        records = await graph.read(VISIBLE, {"key": KEY, "owners": owners})
    row = records[0]
    meta: dict[str, Any] = row["meta"] or {}
    return Census(
        partners=row["partners"],
        customers=row["customers"],
        accounts=row["accounts"],
        imported_at=_native(meta.get("importedAt")),
        analyzed_at=_native(meta.get("analyzedAt")),
        communities=meta.get("communities"),
    )


def _native(value: Any) -> datetime | None:
    return value.to_native() if value is not None else None
