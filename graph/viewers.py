"""Who a token may act for: a partner-scoped token must name a partner the graph holds.

It is asked on every partner-scoped request, so it is one index lookup that returns one value.
"""

from __future__ import annotations

from graph.db import Graph

PARTNER_EXISTS = "RETURN EXISTS { MATCH (:Partner {key: $key}) } AS known"


async def partner_exists(graph: Graph, key: str) -> bool:
    """Unavailable (from `Graph.read`) when the database cannot be reached."""
    records = await graph.read(PARTNER_EXISTS, {"key": key})
    return bool(records[0]["known"])
