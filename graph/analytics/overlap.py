"""Overlap detection: which partners share which customers, computed in Neo4j, one query each.

A(p) is the set of customers p holds with an account status in $statuses. With roll-up a partner
stands for itself and every partner below it in the sub-partner DAG (a customer reached twice
counts once). `allowed`, when given, is the set of partners whose accounts may count (a partner
viewer's own key and its grantors): descendants outside it are left out. Intersections walk the
smaller side and probe the other with EXISTS; no account list is pulled into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.customers import CUSTOMER
from graph.db import Graph
from graph.model import AccountStatus
from graph.paging import Window
from graph.partners import partner_map

Row = dict[str, Any]
EVERY_STATUS = sorted(status.value for status in AccountStatus)


def _members(side: str, name: str) -> str:
    """The partners `side` stands for, as the list `name`: itself, and with roll-up those below."""
    return f"""
CALL ({side}) {{
  OPTIONAL MATCH (m:Partner)-[:SUB_PARTNER_OF]->+({side})
  WHERE $rollUp AND ($allowed IS NULL OR m.key IN $allowed)
  WITH collect(DISTINCT m) AS below
  RETURN [{side}] + below AS {name}
}}
"""


def _size(members: str, name: str) -> str:
    """|A| of a member list. One partner holds a customer once, so a lone member with every
    status counts its degree (no relationship read); otherwise DISTINCT customers."""
    by_degree = f"size({members}) = 1 AND $everyStatus"
    return f"""
CALL ({members}) {{
  UNWIND CASE WHEN {by_degree} THEN [] ELSE {members} END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c:Customer)
  WHERE r.status IN $statuses
  RETURN count(DISTINCT c) AS {name}Counted
}}
WITH *, head({members}) AS {name}Only
WITH *, CASE WHEN {by_degree} THEN COUNT {{ ({name}Only)-[:HAS_ACCOUNT]->() }}
             ELSE {name}Counted END AS {name}
"""


def _shared(result: str) -> str:
    """The customers both sides hold, walking the smaller side and probing the other from each
    customer; `result` aggregates them inside the subquery, so an empty overlap is one row."""
    return f"""
WITH *, CASE WHEN sizeA <= sizeB THEN [am, bm] ELSE [bm, am] END AS sides
CALL (sides) {{
  UNWIND sides[0] AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c:Customer)
  WHERE r.status IN $statuses
  WITH DISTINCT c, sides[1] AS other
  WHERE EXISTS {{
    MATCH (x:Partner)-[r2:HAS_ACCOUNT]->(c) WHERE x IN other AND r2.status IN $statuses
  }}
  {result}
}}
"""


SIDES = (
    "MATCH (a:Partner {key: $a}) MATCH (b:Partner {key: $b})"
    + _members("a", "am")
    + _members("b", "bm")
    + _size("am", "sizeA")
    + _size("bm", "sizeB")
)

OVERLAP = SIDES + _shared("RETURN count(c) AS shared") + "RETURN sizeA, sizeB, shared"

OVERLAP_CUSTOMERS = (
    SIDES
    + _shared(f"WITH c ORDER BY c.key RETURN collect({CUSTOMER}) AS found")
    + """
RETURN size(found) AS total,
       [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] AS page
"""
)


def _reached(roll_up: bool) -> str:
    """From each of p's customers to the partners it makes overlap with: its holders and, with
    roll-up, every partner above a holder. One holder holds a customer once, so without roll-up
    a count of rows is a count of customers."""
    if not roll_up:
        return """
CALL (p, customers) {
  UNWIND customers AS c
  MATCH (q:Partner)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses AND q <> p AND ($allowed IS NULL OR q.key IN $allowed)
    AND ($shown IS NULL OR q.key IN $shown)
  RETURN q, count(*) AS shared
}
"""
    return """
CALL (pm, customers) {
  UNWIND customers AS c
  MATCH (x:Partner)-[r:HAS_ACCOUNT]->(c)
  WHERE r.status IN $statuses AND ($allowed IS NULL OR x.key IN $allowed)
  OPTIONAL MATCH (x)-[:SUB_PARTNER_OF]->+(above:Partner)
  WITH c, x, collect(DISTINCT above) AS aboves
  UNWIND [x] + aboves AS q
  WITH DISTINCT c, q
  WHERE NOT q IN pm AND ($shown IS NULL OR q.key IN $shown)
  RETURN q, count(c) AS shared
}
"""


def _top_overlaps(roll_up: bool) -> str:
    # Sizes (for the jaccard) are read only for candidates whose count reaches the `first`-th
    # best count: below it no jaccard can change the ranking.
    return (
        "MATCH (p:Partner {key: $p})"
        + _members("p", "pm")
        + """
CALL (pm) {
  UNWIND pm AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c:Customer)
  WHERE r.status IN $statuses
  RETURN collect(DISTINCT c) AS customers
}
WITH p, pm, customers, size(customers) AS sizeP
"""
        + _reached(roll_up)
        + """
WITH sizeP, q, shared ORDER BY shared DESC
WITH sizeP, collect({q: q, shared: shared}) AS ranked
WITH sizeP, ranked,
     CASE WHEN size(ranked) >= $first THEN ranked[$first - 1].shared ELSE 1 END AS cut
UNWIND ranked AS candidate
WITH sizeP, candidate.q AS q, candidate.shared AS shared, cut
WHERE shared >= cut
"""
        + _members("q", "qm")
        + _size("qm", "sizeQ")
        + f"""
WITH q, shared, toFloat(shared) / (sizeP + sizeQ - shared) AS jaccard
ORDER BY shared DESC, jaccard DESC, q.key ASC
LIMIT $first
RETURN collect({{partner: {partner_map("q")}, shared: shared, jaccard: jaccard}}) AS top
"""
    )


TOP_OVERLAPS = {roll_up: _top_overlaps(roll_up) for roll_up in (False, True)}

# Per customer, which listed partners hold it; each pair of holders counts it once.
OVERLAP_MATRIX = """
UNWIND range(0, size($keys) - 1) AS i
MATCH (p:Partner {key: $keys[i]})-[r:HAS_ACCOUNT]->(c:Customer)
WHERE r.status IN $statuses
WITH c, collect(i) AS holders
UNWIND holders AS row
UNWIND holders AS column
WITH row, column, count(*) AS n
RETURN collect([row, column, n]) AS cells
"""

# Customers every member holds with one of its own statuses: walk the member with the fewest
# accounts (by degree), probe the others from each customer.
COMMON_ACCOUNTS = f"""
UNWIND $members AS member
MATCH (p:Partner {{key: member.key}})
WITH p, member.statuses AS statuses ORDER BY COUNT {{ (p)-[:HAS_ACCOUNT]->() }}, p.key
WITH collect({{partner: p, statuses: statuses}}) AS members
WITH members[0].partner AS lead, members[0].statuses AS statuses, members[1..] AS rest
MATCH (lead)-[r:HAS_ACCOUNT]->(c:Customer)
WHERE r.status IN statuses
  AND all(m IN rest WHERE EXISTS {{
    MATCH (x:Partner)-[r2:HAS_ACCOUNT]->(c) WHERE x = m.partner AND r2.status IN m.statuses
  }})
WITH c ORDER BY c.key
WITH collect({CUSTOMER}) AS found
RETURN size(found) AS total,
       [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] AS page
"""


@dataclass(frozen=True)
class OverlapCount:
    size_a: int
    size_b: int
    shared: int

    @property
    def jaccard(self) -> float:
        union = self.size_a + self.size_b - self.shared
        return self.shared / union if union else 0.0


def _scope(statuses: list[str], roll_up: bool, allowed: list[str] | None) -> dict[str, Any]:
    return {
        "statuses": statuses,
        "everyStatus": sorted(set(statuses)) == EVERY_STATUS,
        "rollUp": roll_up,
        "allowed": allowed,
    }


async def overlap(
    graph: Graph,
    a: str,
    b: str,
    statuses: list[str],
    roll_up: bool = False,
    allowed: list[str] | None = None,
) -> OverlapCount | None:
    """|A(a)|, |A(b)| and |A(a) ∩ A(b)|; None when either partner is unknown."""
    records = await graph.read(OVERLAP, {"a": a, "b": b, **_scope(statuses, roll_up, allowed)})
    if not records:
        return None
    record = records[0]
    return OverlapCount(record["sizeA"], record["sizeB"], record["shared"])


async def shared_customers(
    graph: Graph,
    a: str,
    b: str,
    statuses: list[str],
    window: Window,
    roll_up: bool = False,
    allowed: list[str] | None = None,
) -> tuple[list[Row], int]:
    """One window of A(a) ∩ A(b) by customer key, and the size of the whole intersection."""
    params = {
        "a": a,
        "b": b,
        **_scope(statuses, roll_up, allowed),
        "after": window.after_key,
        "limit": window.limit,
    }
    return _window(await graph.read(OVERLAP_CUSTOMERS, params))


async def top_overlaps(
    graph: Graph,
    partner: str,
    first: int,
    statuses: list[str],
    roll_up: bool = False,
    allowed: list[str] | None = None,
    shown: list[str] | None = None,
) -> list[Row] | None:
    """The `first` partners sharing most customers with `partner` (count desc, jaccard desc,
    key asc); `shown` limits who may be ranked. None when the partner is unknown."""
    params = {"p": partner, "first": first, "shown": shown, **_scope(statuses, roll_up, allowed)}
    records = await graph.read(TOP_OVERLAPS[roll_up], params)
    return list(records[0]["top"]) if records else None


async def overlap_matrix(graph: Graph, keys: list[str], statuses: list[str]) -> list[list[int]]:
    """counts[i][j] = |A(keys[i]) ∩ A(keys[j])|; the diagonal is |A(keys[i])|."""
    records = await graph.read(OVERLAP_MATRIX, {"keys": keys, "statuses": statuses})
    counts = [[0] * len(keys) for _ in keys]
    for row, column, n in records[0]["cells"] if records else []:
        counts[row][column] = n
    return counts


async def common_accounts(
    graph: Graph, members: list[tuple[str, list[str]]], window: Window
) -> tuple[list[Row], int]:
    """One window (by customer key) of the customers every member holds with one of its own
    statuses, and how many there are in all."""
    params = {
        "members": [{"key": key, "statuses": statuses} for key, statuses in members],
        "after": window.after_key,
        "limit": window.limit,
    }
    return _window(await graph.read(COMMON_ACCOUNTS, params))


def _window(records: list[Any]) -> tuple[list[Row], int]:
    if not records:
        return [], 0
    return list(records[0]["page"]), int(records[0]["total"])
