"""Partners: lookups by key."""

from __future__ import annotations

from typing import Any

from graph.db import Graph

PARTNERS_BY_KEYS = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
RETURN p {.*} AS partner
"""


async def partners_by_keys(graph: Graph, keys: list[str]) -> dict[str, dict[str, Any]]:
    records = await graph.read(PARTNERS_BY_KEYS, {"keys": keys})
    return {record["partner"]["key"]: record["partner"] for record in records}
