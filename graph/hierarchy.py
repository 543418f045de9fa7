"""The sub-partner hierarchy, written: link a child under a parent, never closing a cycle; unlink.

The cycle check and the MERGE run in one write transaction. Before the check trusts what it read
of the parent's ancestry, it holds the write lock of every partner in it (and of the child): a
link writes a SUB_PARTNER_OF out of a child it has locked, so no other link can change what this
one read until it commits. Two links that would close a cycle together are serialised; the
second sees the first and is refused.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.db import Graph, Transaction
from graph.errors import Conflict, NotFound
from graph.links import SelfReference
from graph.messages import shown
from graph.model import SUB_PARTNER_STRENGTH
from graph.partners import PARTNER

Row = dict[str, Any]

# Lock the given partners and the parent's ancestry as it stands, in key order (so two links
# rarely deadlock), then read the ancestry again: the parent, every partner above it and each
# one's parents. A property set and removed takes a node's write lock, held until commit; the
# aggregation is eager, so every lock is held before the second read.
LOCK_AND_READ_ANCESTRY = """
OPTIONAL MATCH (:Partner {key: $parent})-[:SUB_PARTNER_OF*0..]->(up:Partner)
WITH collect(DISTINCT up.key) AS seen
UNWIND seen + $keys AS key
WITH DISTINCT key ORDER BY key
MATCH (n:Partner {key: key})
SET n._lock = true
REMOVE n._lock
WITH collect(n.key) AS locked
OPTIONAL MATCH (:Partner {key: $parent})-[:SUB_PARTNER_OF*0..]->(a:Partner)
WITH DISTINCT locked, a
OPTIONAL MATCH (a)-[:SUB_PARTNER_OF]->(b:Partner)
RETURN locked,
       collect(DISTINCT a.key) AS ancestry,
       collect(CASE WHEN b IS NOT NULL THEN [a.key, b.key] END) AS edges
"""

LINK = f"""
MATCH (child:Partner {{key: $child}})
MATCH (parent:Partner {{key: $parent}})
MERGE (child)-[s:SUB_PARTNER_OF]->(parent)
SET s.since = $since, s.strength = $strength
RETURN [p IN [child, parent] | {PARTNER}] AS ends, s.since AS since, s.strength AS strength
"""

UNLINK = f"""
OPTIONAL MATCH (child:Partner {{key: $child}})
OPTIONAL MATCH (parent:Partner {{key: $parent}})
OPTIONAL MATCH (child)-[s:SUB_PARTNER_OF]->(parent)
WITH child, parent, s, s IS NOT NULL AS removed
DELETE s
RETURN [p IN [child, parent] | {PARTNER}] AS ends, removed
"""


class Cycle(Conflict):
    """The link would close a loop in the sub-partner hierarchy."""

    user_code = "CYCLE"


@dataclass(frozen=True)
class SubPartnerLink:
    child: Row
    parent: Row
    since: Any
    strength: float


def self_parent_message(child: str) -> str:
    return f"{shown(child)} cannot be a sub-partner of itself"


def cycle_message(child: str, path: list[str]) -> str:
    """The loop a link child → parent would close; `path` runs from the parent up to the child."""
    loop = " → ".join([child, *path])
    return f"would close a cycle in the sub-partner hierarchy: {loop}"


async def link_sub_partner(
    graph: Graph, child: str, parent: str, since: date | None, strength: float | None
) -> SubPartnerLink:
    """Put `child` under `parent` (or update that link); Cycle when it would close a loop,
    SelfReference when both are one partner."""
    if child == parent:
        raise SelfReference(self_parent_message(child), field="parent")
    params = {
        "child": child,
        "parent": parent,
        "since": since,
        "strength": SUB_PARTNER_STRENGTH if strength is None else strength,
    }

    async def work(tx: Transaction) -> SubPartnerLink:
        await _check_acyclic(tx, child, parent)
        record = (await tx.run(LINK, params))[0]
        ends = record["ends"]
        return SubPartnerLink(ends[0], ends[1], record["since"], record["strength"])

    return await graph.transaction(work)


async def _check_acyclic(tx: Transaction, child: str, parent: str) -> None:
    keys = {child, parent}
    while True:
        record = (await tx.run(LOCK_AND_READ_ANCESTRY, {"keys": sorted(keys), "parent": parent}))[0]
        locked = set(record["locked"])
        for key, field in ((child, "child"), (parent, "parent")):
            if key not in locked:
                raise NotFound(f"there is no partner {shown(key)}", field=field)
        ancestry = set(record["ancestry"])
        if ancestry <= locked:
            break
        # The ancestry grew between the two reads: lock the newcomers too, and read again.
        keys = locked | ancestry
    if child in ancestry:
        path = _path_up(record["edges"], parent, child)
        raise Cycle(cycle_message(child, path), field="parent")


def _path_up(edges: list[list[str]], start: str, goal: str) -> list[str]:
    """The shortest path from `start` up to `goal` (ties: parent keys in order)."""
    parents: dict[str, list[str]] = {}
    for below, above in sorted(map(tuple, edges)):
        parents.setdefault(below, []).append(above)
    trail: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for above in parents.get(node, []):
            if above not in trail:
                trail[above] = node
                queue.append(above)
    path: list[str] = []
    step: str | None = goal
    while step is not None:
        path.append(step)
        step = trail[step]
    return path[::-1]


async def unlink_sub_partner(graph: Graph, child: str, parent: str) -> tuple[Row, Row]:
    """Take `child` from under `parent`; NotFound when either or the link is missing."""
    record = (await graph.write(UNLINK, {"child": child, "parent": parent}))[0]
    found_child, found_parent = record["ends"]
    if found_child is None:
        raise NotFound(f"there is no partner {shown(child)}", field="child")
    if found_parent is None:
        raise NotFound(f"there is no partner {shown(parent)}", field="parent")
    if not record["removed"]:
        raise NotFound(f"{shown(child)} is not a sub-partner of {shown(parent)}")
    return found_child, found_parent
