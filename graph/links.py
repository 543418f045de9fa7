"""Partner links, written: CO_SELLS_WITH, REFERS_TO and INTEGRATES_WITH, merged by their ends.

A relationship type cannot be a Cypher parameter, so each type has its own constant query,
built from the graph's closed set of link types (never from a request's values).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.db import Graph
from graph.errors import InvalidInput
from graph.messages import shown
from graph.model import LINK_STRENGTH, LINK_TYPES
from graph.partners import PARTNER

Row = dict[str, Any]

KIND_OF_TYPE = {rel: kind for kind, rel in LINK_TYPES.items()}


def _link(rel: str) -> str:
    return f"""
MATCH (me:Partner {{key: $from}})
MATCH (p:Partner {{key: $to}})
MERGE (me)-[r:{rel}]->(p)
SET r.strength = $strength, r.since = $since
RETURN {{partner: {PARTNER}, kind: type(r), direction: 'OUTGOING',
        strength: r.strength, since: r.since}} AS link
"""


def _unlink(rel: str) -> str:
    return f"""
MATCH (:Partner {{key: $from}})-[r:{rel}]->(:Partner {{key: $to}})
DELETE r
RETURN count(*) AS removed
"""


LINK = {rel: _link(rel) for rel in KIND_OF_TYPE}
UNLINK = {rel: _unlink(rel) for rel in KIND_OF_TYPE}


class SelfReference(InvalidInput):
    """Both ends of a link are the same partner."""

    user_code = "SELF_REFERENCE"


def _query(queries: dict[str, str], rel: str) -> str:
    if rel not in queries:
        raise InvalidInput(f"{rel!r} is not a kind of partner link", field="kind")
    return queries[rel]


def default_strength(rel: str) -> float:
    return LINK_STRENGTH[KIND_OF_TYPE[rel]]


async def link_partners(
    graph: Graph, source: str, target: str, rel: str, strength: float | None, since: date | None
) -> Row | None:
    """Merge the link `source -[rel]-> target` and set its properties; None when an end is
    missing. The link comes back as `source` sees it."""
    query = _query(LINK, rel)
    if source == target:
        raise SelfReference(f"{shown(source)} cannot link to itself", field="to")
    params = {
        "from": source,
        "to": target,
        "strength": default_strength(rel) if strength is None else strength,
        "since": since,
    }
    records = await graph.write(query, params)
    return records[0]["link"] if records else None


async def unlink_partners(graph: Graph, source: str, target: str, rel: str) -> bool:
    """Delete the link `source -[rel]-> target`; False when there is none."""
    records = await graph.write(_query(UNLINK, rel), {"from": source, "to": target})
    return bool(records[0]["removed"])
