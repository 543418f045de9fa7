"""Overlap detection: which partners share which customers, computed in Neo4j, one query each.

A(p) is the set of customers p holds with an account status in $statuses. With roll-up a partner
stands for itself and every partner below it in the sub-partner DAG (a customer reached twice
counts once). `allowed`, when given, is the set of partners whose accounts may count (a partner
viewer's own key and its grantors): descendants outside it are left out. An intersection looks
one side's customers up in the other's (hashed `IN`), walking or probing a side only when its
size came from its degree; no account list is pulled into Python. Asked for every status, no
query reads a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.customers import CUSTOMER
from graph.db import Graph
from graph.model import AccountStatus
from graph.paging import Window
from graph.partners import PARTNER, partner_map

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


def _status(r: str) -> str:
    """`r`'s status is one asked for. Every status asked: true without reading the property,
    which costs more than the relationship itself (a third of the time on a large partner)."""
    return f"($everyStatus OR {r}.status IN $statuses)"


def _size(members: str, name: str, keep: bool = True) -> str:
    """|A| of a member list, as `name`. One partner holds a customer once, so a lone member with
    every status counts its degree (no relationship read; `{name}ByDegree`); otherwise the
    DISTINCT customers are counted, and with `keep` collected (`{name}Held`) for an
    intersection to reuse."""
    by_degree = f"size({members}) = 1 AND $everyStatus"
    walked = f"collect(DISTINCT c) AS {name}Held" if keep else f"count(DISTINCT c) AS {name}Held"
    counted = f"size({name}Held)" if keep else f"{name}Held"
    return f"""
CALL ({members}) {{
  UNWIND CASE WHEN {by_degree} THEN [] ELSE {members} END AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE {_status("r")}
  RETURN {walked}
}}
WITH *, {by_degree} AS {name}ByDegree, head({members}) AS {name}Only
WITH *, CASE WHEN {name}ByDegree THEN COUNT {{ ({name}Only)-[:HAS_ACCOUNT]->() }}
             ELSE {counted} END AS {name}
"""


# Past this ratio of the sides' sizes, probing the larger side from each customer of the smaller
# (a customer has a handful of holders) beats walking the larger side's accounts.
PROBE_RATIO = 8


def _shared(result: str) -> str:
    """The customers both sides hold. The smaller side's customers (`mine`) are those its size
    collected, or, counted by degree, its accounts. The larger side's collected customers are
    looked up from `mine` (a hash lookup); counted by degree, its accounts are walked and each
    customer looked up in `mine`, or, when it is much larger, probed from each of `mine`.
    `result` aggregates the customers `c` inside a subquery, so an empty overlap is one row.
    (Every HAS_ACCOUNT ends at a customer: the walks check no label.)"""
    return f"""
WITH *, sizeA <= sizeB AS aFirst
WITH *, CASE WHEN aFirst THEN [am, bm] ELSE [bm, am] END AS sides,
        CASE WHEN aFirst THEN [sizeAHeld, sizeBHeld] ELSE [sizeBHeld, sizeAHeld] END AS held,
        CASE WHEN aFirst THEN [sizeAByDegree, sizeBByDegree]
             ELSE [sizeBByDegree, sizeAByDegree] END AS byDegree,
        CASE WHEN aFirst THEN sizeB > {PROBE_RATIO} * sizeA
             ELSE sizeA > {PROBE_RATIO} * sizeB END AS probe
CALL (sides, byDegree) {{
  UNWIND CASE WHEN byDegree[0] THEN sides[0] ELSE [] END AS m
  MATCH (m)-[:HAS_ACCOUNT]->(c)
  RETURN collect(c) AS accounts
}}
WITH *, CASE WHEN byDegree[0] THEN accounts ELSE held[0] END AS mine
CALL (held, byDegree, mine) {{
  WITH held[1] AS theirs
  UNWIND CASE WHEN byDegree[1] THEN [] ELSE mine END AS c
  WITH c WHERE c IN theirs
  RETURN collect(c) AS looked
}}
CALL (sides, byDegree, probe, mine) {{
  UNWIND CASE WHEN byDegree[1] AND NOT probe THEN sides[1] ELSE [] END AS m
  MATCH (m)-[:HAS_ACCOUNT]->(c)
  WHERE c IN mine
  RETURN collect(c) AS walked
}}
CALL (sides, byDegree, probe, mine) {{
  UNWIND CASE WHEN byDegree[1] AND probe THEN mine ELSE [] END AS c
  WITH c, sides[1][0] AS other
  WHERE EXISTS {{ (other)-[:HAS_ACCOUNT]->(c) }}
  RETURN collect(c) AS probed
}}
CALL (looked, walked, probed) {{
  UNWIND looked + walked + probed AS c
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

OVERLAP = (
    SIDES
    + _shared("RETURN count(c) AS shared")
    + f"RETURN sizeA, sizeB, shared, {partner_map('a')} AS aRow, {partner_map('b')} AS bRow"
)


def _page_of_found(*carried: str) -> str:
    """How many customers `found` holds (ordered by key) and one window of them, whose rows
    alone are read; with the `carried` columns."""
    return f"""
RETURN {"".join(f"{column}, " for column in carried)}size(found) AS total,
       [c IN [c IN found WHERE $after IS NULL OR c.key > $after][..$limit] | {CUSTOMER}] AS page
"""


OVERLAP_CUSTOMERS = (
    SIDES + _shared("WITH c ORDER BY c.key RETURN collect(c) AS found") + _page_of_found()
)


def _reached(roll_up: bool) -> str:
    """From each of p's customers to the partners it makes overlap with: its holders and, with
    roll-up, every partner above a holder (looked up once per holder, not once per customer).
    One holder holds a customer once, so without roll-up a count of rows is a count of
    customers; with it, a customer reached through two holders counts once."""
    if not roll_up:
        return f"""
CALL (p, customers) {{
  UNWIND customers AS c
  MATCH (q)-[r:HAS_ACCOUNT]->(c)
  WHERE {_status("r")} AND q <> p
    AND ($allowed IS NULL OR q.key IN $allowed)
    AND ($shown IS NULL OR q.key IN $shown)
  RETURN q, count(*) AS shared
}}
"""
    return f"""
CALL (pm, customers) {{
  UNWIND customers AS c
  MATCH (x)-[r:HAS_ACCOUNT]->(c)
  WHERE {_status("r")} AND ($allowed IS NULL OR x.key IN $allowed)
  WITH x, collect(c) AS held
  OPTIONAL MATCH (x)-[:SUB_PARTNER_OF]->+(above:Partner)
  WITH x, held, collect(DISTINCT above) AS aboves
  UNWIND [x] + aboves AS q
  WITH q, held
  WHERE NOT q IN pm AND ($shown IS NULL OR q.key IN $shown)
  UNWIND held AS c
  RETURN q, count(DISTINCT c) AS shared
}}
"""


def _top_overlaps(roll_up: bool) -> str:
    # Sizes (for the jaccard) are read only for candidates whose count reaches the `first`-th
    # best count: below it no jaccard can change the ranking.
    # The ranking runs inside CALL (p): an unknown partner gives no row, none found an empty list.
    return (
        "MATCH (p:Partner {key: $p}) CALL (p) {"
        + _members("p", "pm")
        + """
CALL (pm) {
  UNWIND pm AS m
  MATCH (m)-[r:HAS_ACCOUNT]->(c)
  WHERE """
        + _status("r")
        + "\n  RETURN "
        + ("collect(DISTINCT c)" if roll_up else "collect(c)")  # one partner: no duplicates
        + """ AS customers
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
        + _size("qm", "sizeQ", keep=False)  # only the jaccard needs it
        + f"""
WITH q, shared, toFloat(shared) / (sizeP + sizeQ - shared) AS jaccard
ORDER BY shared DESC, jaccard DESC, q.key ASC
LIMIT $first
RETURN collect({{partner: {partner_map("q")}, shared: shared, jaccard: jaccard}}) AS top
}}
RETURN top
"""
    )


TOP_OVERLAPS = {roll_up: _top_overlaps(roll_up) for roll_up in (False, True)}

# The listed partners' rows; then, per customer, which of them hold it: each pair of holders
# counts it once.
OVERLAP_MATRIX = f"""
CALL () {{
  UNWIND $keys AS key
  MATCH (p:Partner {{key: key}})
  RETURN collect({PARTNER}) AS partners
}}
CALL () {{
  UNWIND range(0, size($keys) - 1) AS i
  MATCH (p:Partner {{key: $keys[i]}})-[r:HAS_ACCOUNT]->(c)
  WHERE {_status("r")}
  WITH c, collect(i) AS holders
  UNWIND holders AS row
  UNWIND holders AS column
  WITH row, column, count(*) AS n
  RETURN collect([row, column, n]) AS cells
}}
RETURN partners, cells
"""

# Customers every member holds with one of its own statuses: walk the member with the fewest
# accounts (by degree), probe the others from each customer. `known` counts the members found.
COMMON_ACCOUNTS = f"""
UNWIND $members AS member
MATCH (p:Partner {{key: member.key}})
WITH p, member ORDER BY COUNT {{ (p)-[:HAS_ACCOUNT]->() }}, p.key
WITH collect({{partner: p, statuses: member.statuses, every: member.every}}) AS members
CALL (members) {{
  WITH members[0] AS lead, members[0].partner AS walked, members[1..] AS rest
  MATCH (walked)-[r:HAS_ACCOUNT]->(c)
  WHERE (lead.every OR r.status IN lead.statuses)
    AND all(m IN rest WHERE EXISTS {{
      MATCH (x)-[r2:HAS_ACCOUNT]->(c)
      WHERE x = m.partner AND (m.every OR r2.status IN m.statuses)
    }})
  WITH c ORDER BY c.key
  RETURN collect(c) AS found
}}
WITH size(members) AS known, found
{_page_of_found("known")}"""


@dataclass(frozen=True)
class OverlapCount:
    size_a: int
    size_b: int
    shared: int
    a: Row  # the partners' rows
    b: Row

    @property
    def jaccard(self) -> float:
        union = self.size_a + self.size_b - self.shared
        return self.shared / union if union else 0.0


def _every(statuses: list[str]) -> bool:
    return sorted(set(statuses)) == EVERY_STATUS


def _scope(statuses: list[str], roll_up: bool, allowed: list[str] | None) -> dict[str, Any]:
    return {
        "statuses": statuses,
        "everyStatus": _every(statuses),
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
    return OverlapCount(
        record["sizeA"], record["sizeB"], record["shared"], record["aRow"], record["bRow"]
    )


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


async def overlap_matrix(
    graph: Graph, keys: list[str], statuses: list[str]
) -> tuple[dict[str, Row], list[list[int]]]:
    """The partners' rows by key (an unknown one is missing), and counts[i][j] =
    |A(keys[i]) ∩ A(keys[j])|; the diagonal is |A(keys[i])|."""
    params = {"keys": keys, "statuses": statuses, "everyStatus": _every(statuses)}
    records = await graph.read(OVERLAP_MATRIX, params)
    counts = [[0] * len(keys) for _ in keys]
    for row, column, n in records[0]["cells"]:
        counts[row][column] = n
    return {row["key"]: row for row in records[0]["partners"]}, counts


async def common_accounts(
    graph: Graph, members: list[tuple[str, list[str]]], window: Window
) -> tuple[list[Row], int] | None:
    """One window (by customer key) of the customers every member holds with one of its own
    statuses, and how many there are in all; None when a member is unknown."""
    params = {
        "members": [
            {"key": key, "statuses": statuses, "every": _every(statuses)}
            for key, statuses in members
        ],
        "after": window.after_key,
        "limit": window.limit,
    }
    records = await graph.read(COMMON_ACCOUNTS, params)
    if records[0]["known"] < len(members):
        return None
    return _window(records)


def _window(records: list[Any]) -> tuple[list[Row], int]:
    if not records:
        return [], 0
    return list(records[0]["page"]), int(records[0]["total"])
