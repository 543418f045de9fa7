"""Constraints and indexes, applied idempotently whenever partnergraph writes or serves."""

from __future__ import annotations

from graph.db import Graph

LABELS = ("Partner", "Customer", "Solution", "Agreement", "Campaign", "Deal")

# One uniqueness constraint on `key` per label (it also gives the lookup index by key).
CONSTRAINTS = tuple(
    f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE"
    for label in LABELS
)

# What the filters and orderings of the API look up.
INDEXES = (
    "CREATE INDEX partner_type IF NOT EXISTS FOR (n:Partner) ON (n.type)",
    "CREATE INDEX partner_tier IF NOT EXISTS FOR (n:Partner) ON (n.tier)",
    "CREATE INDEX partner_region IF NOT EXISTS FOR (n:Partner) ON (n.region)",
    "CREATE INDEX partner_name IF NOT EXISTS FOR (n:Partner) ON (n.name)",
    "CREATE TEXT INDEX partner_name_text IF NOT EXISTS FOR (n:Partner) ON (n.name)",
    "CREATE INDEX customer_industry IF NOT EXISTS FOR (n:Customer) ON (n.industry)",
    "CREATE INDEX customer_region IF NOT EXISTS FOR (n:Customer) ON (n.region)",
    "CREATE INDEX customer_name IF NOT EXISTS FOR (n:Customer) ON (n.name)",
    "CREATE TEXT INDEX customer_name_text IF NOT EXISTS FOR (n:Customer) ON (n.name)",
    "CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)",
    "CREATE INDEX agreement_status IF NOT EXISTS FOR (n:Agreement) ON (n.status)",
    "CREATE INDEX campaign_starts IF NOT EXISTS FOR (n:Campaign) ON (n.startsOn)",
)

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"


async def apply_schema(graph: Graph, *, wait_seconds: int = 300) -> None:
    for statement in (*CONSTRAINTS, *INDEXES):
        await graph.write(statement)
    await graph.write(AWAIT_INDEXES, {"seconds": wait_seconds})
