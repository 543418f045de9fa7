"""Constraints and indexes, applied idempotently whenever partnergraph writes or serves."""

from __future__ import annotations

import re

from graph.db import Graph
from graph.listing import NAME_LOWER

LABELS = ("Partner", "Customer", "Solution", "Agreement", "Campaign", "Deal", "CoSellPlan")

# One uniqueness constraint on `key` per label (it also gives the lookup index by key).
# The one node of run metadata (graph.ecosystem) is kept one by its key too.
KEY_CONSTRAINT = (
    "CREATE CONSTRAINT {name}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE"
)
CONSTRAINTS = (
    *(KEY_CONSTRAINT.format(name=label.lower(), label=label) for label in (*LABELS, "Ecosystem")),
    # The partner program's tiers (graph.program): one node per tier.
    "CREATE CONSTRAINT programtier_tier IF NOT EXISTS FOR (n:ProgramTier) REQUIRE n.tier IS UNIQUE",
    # The audit trail (graph.audit): one node per event.
    "CREATE CONSTRAINT auditevent_id IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE",
)

# What the filters and orderings of the API look up (a seekable order needs its index here).
INDEXES = (
    "CREATE INDEX partner_type IF NOT EXISTS FOR (n:Partner) ON (n.type)",
    "CREATE INDEX partner_tier IF NOT EXISTS FOR (n:Partner) ON (n.tier)",
    "CREATE INDEX partner_region IF NOT EXISTS FOR (n:Partner) ON (n.region)",
    "CREATE INDEX partner_name IF NOT EXISTS FOR (n:Partner) ON (n.name)",
    "CREATE INDEX customer_industry IF NOT EXISTS FOR (n:Customer) ON (n.industry)",
    "CREATE INDEX customer_region IF NOT EXISTS FOR (n:Customer) ON (n.region)",
    "CREATE INDEX customer_name IF NOT EXISTS FOR (n:Customer) ON (n.name)",
    "CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)",
    "CREATE INDEX agreement_status IF NOT EXISTS FOR (n:Agreement) ON (n.status)",
    "CREATE INDEX campaign_starts IF NOT EXISTS FOR (n:Campaign) ON (n.startsOn)",
    # Partner maps read the strongest stored overlaps first (graph/analytics/map_queries.py).
    "CREATE INDEX overlaps_count IF NOT EXISTS FOR ()-[o:OVERLAPS]-() ON (o.count)",
    # `auditEvents` reads newest first, within `since` and `until`.
    "CREATE INDEX auditevent_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at)",
)

# The labels a `nameContains` filter searches: each has a text index on its lowered name.
NAMED = ("Partner", "Customer", "Solution", "Campaign")
NAME_INDEXES = {label: f"{label.lower()}_name_lower" for label in NAMED}
DROPPED = ("partner_name_text", "customer_name_text")  # text indexes on `name` nothing uses

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"
# A uniqueness constraint's index carries the constraint's name, so one list answers for both.
ONLINE_INDEXES = (
    "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN collect(name) AS names"
)
_NAMED = re.compile(r"CREATE (?:CONSTRAINT|INDEX) (\w+) IF NOT EXISTS")
INDEX_NAMES = "SHOW INDEXES YIELD name RETURN collect(name) AS names"


def backfill(label: str) -> str:
    """Fill `nameLower` where a graph written before it existed lacks it (one pass, committed
    in batches)."""
    return f"""
MATCH (n:{label}) WHERE n.{NAME_LOWER} IS NULL AND n.name IS NOT NULL
CALL (n) {{ SET n.{NAME_LOWER} = toLower(n.name) }} IN TRANSACTIONS OF 10000 ROWS
"""


def expected_names() -> set[str]:
    """The name of every constraint and index partnergraph relies on."""
    named = {found.group(1) for found in map(_NAMED.search, (*CONSTRAINTS, *INDEXES)) if found}
    return named | set(NAME_INDEXES.values())


async def missing_schema(graph: Graph) -> list[str]:
    """The constraints and indexes partnergraph relies on that are not online, by name (one
    query; the API is not ready while any is missing)."""
    online = set((await graph.read(ONLINE_INDEXES))[0]["names"])
    return sorted(expected_names() - online)


async def apply_schema(graph: Graph, *, wait_seconds: int = 300) -> None:
    for statement in (*CONSTRAINTS, *INDEXES):
        await graph.write(statement)
    for name in DROPPED:
        await graph.write(f"DROP INDEX {name} IF EXISTS")
    existing = set((await graph.read(INDEX_NAMES))[0]["names"])
    for label, index in NAME_INDEXES.items():
        if index in existing:
            continue  # made after its backfill: every name since is written lowered too
        await graph.write_in_batches(backfill(label))
        await graph.write(
            f"CREATE TEXT INDEX {index} IF NOT EXISTS FOR (n:{label}) ON (n.{NAME_LOWER})"
        )
    await graph.write(AWAIT_INDEXES, {"seconds": wait_seconds})
