"""Applying the tier review: partners moved to the tier their sales qualify them for, each move
recorded in the partner's tier history.

A partner whose tier holds is left as it is and records nothing, so applying twice changes
nothing the second time. The partners are locked (in key order, so that two applies never wait
on each other in a circle) before their tiers are read: of two applies to one partner at once,
the second sees the first's tier and records no second change.

A change is a (:Partner)-[:TIER_CHANGED]->(:TierChange {from, to, on, asOf, sales, wonDeals,
by, at}) node: `on` the day it was applied, `asOf` the day the review was as of, `by` who
applied it, `at` the moment (it orders changes of one day).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.analytics.tier_review import JUDGED, ROLL_UP, review_params
from graph.db import Graph, Transaction
from graph.program import ProgramTier

Row = dict[str, Any]

# In: $keys (partner keys, sorted). Out: key, one row per partner found, each locked (a
# property set and removed holds the partner's write lock until commit).
LOCK_PARTNERS = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
SET p._lock = true
REMOVE p._lock
RETURN p.key AS key
"""

# In: $keys (partners found and locked), $today, $by, and what ROLL_UP and JUDGED take ($change
# null). Out: rows (key, change) for the partners whose tier moved, with the change recorded.
APPLY = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
{ROLL_UP}
{JUDGED}
WITH p, review WHERE review.change <> 'HOLD'
SET p.tier = review.qualified
CREATE (p)-[:TIER_CHANGED]->(c:TierChange {{
  from: review.current, to: review.qualified, on: $today, asOf: $asOf,
  sales: review.sales, wonDeals: review.wonDeals, by: $by, at: datetime()
}})
RETURN p.key AS key, c {{.from, .to, .on, .asOf, .sales, .wonDeals, .by}} AS change
"""

# In: $keys. Out: rows (key, changes), the changes of each partner found, newest first.
HISTORY_BY_KEYS = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
CALL (p) {
  OPTIONAL MATCH (p)-[:TIER_CHANGED]->(c:TierChange)
  WITH c ORDER BY c.on DESC, c.at DESC
  RETURN collect(c {.from, .to, .on, .asOf, .sales, .wonDeals, .by}) AS changes
}
RETURN p.key AS key, changes
"""


async def apply_tiers(
    graph: Graph,
    program: list[ProgramTier],
    keys: list[str],
    as_of: date,
    today: date,
    by: str,
) -> tuple[list[str], dict[str, Row]]:
    """Move each partner of `keys` to the tier its review as of `as_of` qualifies it for, in one
    transaction; the keys that name no partner, and the change recorded for each that moved.
    When a key names no partner, nothing is written."""
    wanted = sorted(set(keys))

    async def work(tx: Transaction) -> tuple[list[str], dict[str, Row]]:
        found = {row["key"] for row in await tx.run(LOCK_PARTNERS, {"keys": wanted})}
        missing = [key for key in keys if key not in found]
        if missing:
            return missing, {}
        params = {**review_params(program, as_of, None), "keys": sorted(found)}
        moved = await tx.run(APPLY, {**params, "today": today, "by": by})
        return [], {row["key"]: row["change"] for row in moved}

    return await graph.transaction(work)


async def history_by_keys(graph: Graph, keys: list[str]) -> dict[str, list[Row]]:
    """The tier changes of each partner named in `keys`, newest first."""
    return await graph.read_by_key(HISTORY_BY_KEYS, "changes", {"keys": keys})
