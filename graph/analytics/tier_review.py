"""The tier review: which tier each partner's sales over the trailing year qualify it for.

DESIGN.md, as of day t: T(p) = {p} and every partner below it in the sub-partner DAG, however
deep. sales(p) is the sum of `amount` over the WON deals registered by a partner in T(p) with
t - 365 days < closedOn <= t, each deal once (a sub-partner under two of p's partners brings
its deals once); wonDeals(p) is how many. A WON deal without closedOn counts in no window; one
without amount counts as a won deal adding nothing to sales. `qualified` is the highest tier of
the program whose minSales and minWonDeals both are reached (the first tier when none is);
`change` compares it with the partner's tier; `nextTier` is the tier above it (none at the top)
with what is still missing to reach it.

Everything is computed in Cypher, so that the `change` filter pages by key like any list. The
program comes in as `$program` (`[t.params() for t in program]`, lowest tier first).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from graph.db import Graph
from graph.model import DealStatus
from graph.partners import PARTNER
from graph.program import ProgramTier

Row = dict[str, Any]


class TierChange(StrEnum):
    """The qualified tier against the partner's tier."""

    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    HOLD = "HOLD"


WINDOW_DAYS = 365
EARLIEST = date.min + timedelta(days=WINDOW_DAYS)  # the first day whose window a date can hold

# In: p, a Partner; $won ('WON'), $from and $asOf (dates: the window is $from < closedOn <= $asOf).
# Out: rows (p, sales, wonDeals), one per p: T(p)'s WON deals in the window, each once.
# REGISTERED leads only to deals; `d` carries no label so that the planner walks from each
# partner to its own deals: with the label, on a small graph, it seeks every WON deal through
# the status index for each partner instead, a plan a graph that grows cannot afford.
ROLL_UP = """CALL (p) {
  MATCH (q:Partner)-[:SUB_PARTNER_OF*0..]->(p)
  WITH DISTINCT q
  MATCH (q)-[:REGISTERED]->(d)
  WHERE d.status = $won AND $from < d.closedOn <= $asOf
  WITH DISTINCT d
  RETURN toFloat(coalesce(sum(d.amount), 0)) AS sales, count(d) AS wonDeals
}"""

# In: rows (p, sales, wonDeals); $program (the tiers, lowest first), $change (a TierChange or
# null for every row). Out: rows (p, review), only those whose change is $change.
# `qualified` is the last tier reached (the first when none is);
# an index past the program's end reads as null, so the top tier has no next.
JUDGED = """WITH p, sales, wonDeals, range(0, size($program) - 1) AS ranks
WITH p, sales, wonDeals,
     reduce(best = 0, i IN ranks |
       CASE WHEN $program[i].minSales <= sales AND $program[i].minWonDeals <= wonDeals
            THEN i ELSE best END) AS reached,
     reduce(found = 0, i IN ranks | CASE WHEN $program[i].tier = p.tier THEN i ELSE found END)
       AS held
WITH p, sales, wonDeals, reached, $program[reached + 1] AS next,
     CASE WHEN reached > held THEN 'UPGRADE' WHEN reached < held THEN 'DOWNGRADE' ELSE 'HOLD' END
       AS change
WHERE $change IS NULL OR change = $change
WITH p, {current: p.tier, qualified: $program[reached].tier, change: change, sales: sales,
         wonDeals: wonDeals, nextTier: next.tier,
         salesToNext: CASE WHEN next IS NULL THEN null
                           WHEN next.minSales > sales THEN next.minSales - sales ELSE 0.0 END,
         dealsToNext: CASE WHEN next IS NULL THEN null
                           WHEN next.minWonDeals > wonDeals THEN next.minWonDeals - wonDeals
                           ELSE 0 END} AS review"""

# In: $after (the last key seen, '' from the start: keys are never empty), $only (a partner's
# key, or null for every partner), $limit, and what ROLL_UP and JUDGED take.
# Out: rows (key, review) by key, review holding the partner's row as `partner`: the first
# $limit partners after $after whose change is $change.
TIER_REVIEW_PAGE = f"""
MATCH (p:Partner)
WHERE p.key > $after AND ($only IS NULL OR p.key = $only)
WITH p ORDER BY p.key
{ROLL_UP}
{JUDGED}
RETURN p.key AS key, review {{.*, partner: {PARTNER}}} AS review
LIMIT $limit
"""

# In: $only, and what ROLL_UP and JUDGED take. Out: total, how many partners have change $change.
TIER_REVIEW_COUNT = f"""
MATCH (p:Partner)
WHERE $only IS NULL OR p.key = $only
{ROLL_UP}
{JUDGED}
RETURN count(*) AS total
"""

# In: $only. Out: total, how many partners are reviewed when no change is asked for.
PARTNER_COUNT = """
MATCH (p:Partner)
WHERE $only IS NULL OR p.key = $only
RETURN count(p) AS total
"""

# In: $keys (partner keys), and what ROLL_UP and JUDGED take ($change null).
# Out: rows (key, review), one per key naming a partner.
TIER_REVIEWS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
{ROLL_UP}
{JUDGED}
RETURN p.key AS key, review
"""


def window_start(as_of: date) -> date:
    """The last day before the window ending on `as_of` (closedOn must be after it). `as_of`
    is no earlier than EARLIEST (callers check)."""
    return as_of - timedelta(days=WINDOW_DAYS)


def review_params(program: list[ProgramTier], as_of: date, change: str | None) -> dict[str, Any]:
    """What ROLL_UP and JUDGED take, for a review as of `as_of` keeping change `change`."""
    return {
        "program": [tier.params() for tier in program],
        "won": DealStatus.WON.value,
        "from": window_start(as_of),
        "asOf": as_of,
        "change": change,
    }


async def review_page(
    graph: Graph,
    program: list[ProgramTier],
    as_of: date,
    change: str | None,
    after: str | None,
    limit: int,
    only: str | None = None,
) -> list[Row]:
    """Up to `limit` reviews (partner row included) of partners after key `after`, by key: only
    those whose change is `change` (None: all), of partner `only` alone when given."""
    params = {**review_params(program, as_of, change), "after": after or "", "only": only}
    return await graph.read_column(TIER_REVIEW_PAGE, "review", {**params, "limit": limit})


async def review_count(
    graph: Graph,
    program: list[ProgramTier],
    as_of: date,
    change: str | None,
    only: str | None = None,
) -> int:
    """How many partners (partner `only` alone, when given) have change `change` (None: all)."""
    if change is None:
        records = await graph.read(PARTNER_COUNT, {"only": only})
    else:
        params = {**review_params(program, as_of, change), "only": only}
        records = await graph.read(TIER_REVIEW_COUNT, params)
    return int(records[0]["total"])


async def reviews_by_keys(
    graph: Graph, program: list[ProgramTier], as_of: date, keys: list[str]
) -> dict[str, Row]:
    """The review of each partner named in `keys` (the partner row not included), by key."""
    params = {**review_params(program, as_of, None), "keys": keys}
    return await graph.read_by_key(TIER_REVIEWS_BY_KEYS, "review", params)
