"""Who a token may act for: a partner-scoped token must name a partner the graph holds.

It is asked on every partner-scoped request, so it is one index lookup that returns one value.
"""

from __future__ import annotations

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph.db import Graph
from graph.errors import Unavailable

PARTNER_EXISTS = "RETURN EXISTS { MATCH (:Partner {key: $key}) } AS known"


async def partner_exists(graph: Graph, key: str) -> bool:
    try:
        records = await graph.read(PARTNER_EXISTS, {"key": key})
    except (ServiceUnavailable, SessionExpired) as error:
        raise Unavailable("the database is unavailable; try again shortly") from error
    return bool(records[0]["known"])
