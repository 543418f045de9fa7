"""Solutions: lookups, the listing, and the partners that co-created them (CO_CREATED).

Solutions and who built them are directory data: every viewer sees them.
"""

from __future__ import annotations

from typing import Any

from graph.db import Graph
from graph.listing import Listing, Order
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

SOLUTION = "s {.key, .name, .industry, .launchedOn}"
CONTRIBUTION = "role: r.role, share: r.share, strength: r.strength"

SOLUTIONS = Listing(
    label="Solution",
    var="s",
    projection=SOLUTION,
    filters={
        "industries": "s.industry IN $industries",
        "nameContains": "toLower(s.name) CONTAINS toLower($nameContains)",
        "keys": "s.key IN $keys",
    },
    orders={
        "KEY": Order("s.key"),
        "NAME": Order("s.name"),
        "LAUNCHED_ON": Order("coalesce(s.launchedOn, date('0001-01-01'))", "date($after[0])"),
    },
)

SOLUTIONS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (s:Solution {{key: key}})
RETURN {SOLUTION} AS solution
"""

# A partner's contributions by solution key, each partner's own window.
CONTRIBUTIONS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
CALL (p) {{
  MATCH (p)-[r:CO_CREATED]->(s:Solution)
  WHERE $after IS NULL OR s.key > $after
  WITH r, s ORDER BY s.key LIMIT $limit
  RETURN collect({{{CONTRIBUTION}, partner: p.key, solution: {SOLUTION}}}) AS contributions
}}
RETURN key, contributions
"""

CONTRIBUTION_COUNTS_BY_PARTNER = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
RETURN key, COUNT { (p)-[:CO_CREATED]->(:Solution) } AS n
"""

# A solution's contributions by partner key.
CONTRIBUTIONS_BY_SOLUTION = f"""
UNWIND $keys AS key
MATCH (s:Solution {{key: key}})
CALL (s) {{
  MATCH (p:Partner)-[r:CO_CREATED]->(s)
  WHERE $after IS NULL OR p.key > $after
  WITH r, p ORDER BY p.key LIMIT $limit
  RETURN collect({{{CONTRIBUTION}, solution: s.key, partner: {PARTNER}}}) AS contributions
}}
RETURN key, contributions
"""

CONTRIBUTION_COUNTS_BY_SOLUTION = """
UNWIND $keys AS key
MATCH (s:Solution {key: key})
RETURN key, COUNT { (:Partner)-[:CO_CREATED]->(s) } AS n
"""


async def solutions_by_keys(graph: Graph, keys: list[str]) -> dict[str, Row]:
    records = await graph.read(SOLUTIONS_BY_KEYS, {"keys": keys})
    return {record["solution"]["key"]: record["solution"] for record in records}


async def contributions_by_partner(
    graph: Graph, keys: list[str], window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(CONTRIBUTIONS_BY_PARTNER, "contributions", params)


async def contribution_counts_by_partner(graph: Graph, keys: list[str]) -> dict[str, int]:
    return await graph.read_by_key(CONTRIBUTION_COUNTS_BY_PARTNER, "n", {"keys": keys})


async def contributions_by_solution(
    graph: Graph, keys: list[str], window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(CONTRIBUTIONS_BY_SOLUTION, "contributions", params)


async def contribution_counts_by_solution(graph: Graph, keys: list[str]) -> dict[str, int]:
    return await graph.read_by_key(CONTRIBUTION_COUNTS_BY_SOLUTION, "n", {"keys": keys})
