"""Influence paths: the strongest chains of relationships between two nodes, exact, from Neo4j.

The influence graph is undirected over Partner, Customer and Solution nodes; between two nodes
the strongest relationship is the edge. The search reads from Neo4j only the part of the graph
that can hold the k best paths, then ranks them in Python (`best_paths`):

- Two balls grow hop by hop, one around each end (`EXPAND`), always the side whose
  frontier (the nodes whose best product improved at the last hop) has fewer relationships —
  so a hub at one end is met from the other. Every node carries the best product of a walk to
  it from its end within the ball's hops.
- When the balls' depths leave one or two hops, one query joins the frontiers: the
  relationships from one frontier straight into the other, and the nodes one hop from both —
  computed inside Neo4j, which ships only the meeting points (`JOIN` hashes both sides
  as overlaps do; `PROBE` reads from the near side when the far frontier is much
  larger). Between two frontier nodes only the best `first + maxHops - 2` middle nodes are
  kept: a path through a worse one could swap it for one of them that is not already on the
  path (a path holds at most maxHops - 2 other nodes) and be better, so at least `first`
  better paths exist. The same join as a probe (at most PROBE_CAP relationships a side,
  through a few middle nodes) finds real paths early: while more hops are left, and before a
  last join between two wide frontiers. A probe through a hub looks it up from the other
  side's neighbours.
- When the last hop would grow an end that has not grown yet and is a hub, it grows inside
  the last join (`GROWN_JOIN`): its neighbours never leave the database, and only
  those that meet the other frontier are sent back, with their steps from the end. (By the
  argument below, a path through a neighbour that does not meet runs inside the other ball,
  whose relationships the piece already holds.)
- The k-th best influence found so far (`floor`) prunes every relationship that cannot lie on
  a path reaching it: a prefix's product times an upper bound of the rest, below the floor.
  The bound: a node inside the other ball carries its own product there; a path from outside
  it enters it at a frontier node, so the best frontier product bounds it (`_Ball.reach`).
  Products of strengths ≤ 1 only fall, so no path as good as the floor loses a relationship,
  and the floor never exceeds the true k-th best, being that of real paths.

Every path of at most maxHops relationships runs from its end inside one ball, possibly
through one join, to the other end inside the other ball; so every path the floor keeps is in
the collected piece, and the piece's k best are the graph's k best. A search that would take
more than SEARCH_SECONDS, or more memory than the database gives one query, is refused
(`TooLarge`) rather than answered approximately.

For a partner viewer `$allowed` lists the partners whose accounts it may see: no step, probe
or bound uses a HAS_ACCOUNT of any other partner, so hidden accounts shape neither the answer
nor its order.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.analytics.best_paths import KINDS, UNIT, Piece, RankedPath, best_paths, units
from graph.customers import CUSTOMER, VISIBLE
from graph.db import Graph
from graph.model import ACCOUNT_STRENGTH_BY_STATUS, STRENGTH_BY_TYPE
from graph.partners import PARTNER
from graph.solutions import SOLUTION

Row = dict[str, Any]

# The relationship kinds of the influence graph, in the order that breaks ties of strength.
RELATIONSHIPS = (
    "SUB_PARTNER_OF",
    "HAS_ACCOUNT",
    "CO_SELLS_WITH",
    "REFERS_TO",
    "INTEGRATES_WITH",
    "CO_CREATED",
)
RANK = {kind: index for index, kind in enumerate(RELATIONSHIPS)}
BELOW = 1 - 1e-9  # the floor a query prunes with sits a little lower than any rounding
# One question's search may take this long; past it, it is refused (TooLarge) rather than
# holding the database.
SEARCH_SECONDS = 10.0
# A middle node of a join with more relationships than this many per far node is joined to
# each far node directly rather than expanded.
INTO_RATIO = 8
# A join tried only to find paths early reads at most this many relationships on each side.
PROBE_CAP = 20_000
# ... and meets the far frontier through some of the middle nodes: as many as its cap allows
# at what each may cost, and at least this many.
PROBE_MIDDLES = 64
EVERYTHING = 2**62
# The relationships a node one step from a frontier has, on average, for choosing a join.
NEIGHBOURS = 6


def _degree(x: str) -> str:
    """How many relationships node `x` has, for choosing the cheaper side (from the degree
    store, without reading them); the stored overlap counts between partners are left out, so
    that storing them changes no choice."""
    return f"(COUNT {{ ({x})--() }} - COUNT {{ ({x})-[:OVERLAPS]-() }})"


# The ends of a question (and the nodes to avoid) by kind and key: a customer the viewer may
# not see is as missing as an unknown one.
ENDS = f"""
UNWIND keys($ends) AS index
WITH $ends[index] AS end
CALL (end) {{
  MATCH (n:Partner {{key: end.key}}) WHERE end.kind = 'Partner'
  RETURN n
  UNION
  MATCH (c:Customer {{key: end.key}}) WHERE end.kind = 'Customer' AND ({VISIBLE})
  RETURN c AS n
  UNION
  MATCH (n:Solution {{key: end.key}}) WHERE end.kind = 'Solution'
  RETURN n
}}
RETURN collect([end.index, elementId(n), {_degree("n")}]) AS found
"""


def _strength(r: str) -> str:
    """The strength of relationship `r`, or the default for its kind (an account's: for its
    status)."""
    return f"""CASE type({r}) WHEN 'HAS_ACCOUNT' THEN coalesce({r}.strength, $account[{r}.status])
  ELSE coalesce({r}.strength, $strength[type({r})]) END"""


def _usable(r: str, x: str) -> str:
    """A step over relationship `r` to node `x` is allowed: `x` is not avoided, and `r` is not
    the account of a partner the viewer may not see (an account runs from its partner)."""
    return f"NOT {x} IN avoided AND {_shown(r)}"


def _shown(r: str) -> str:
    """Relationship `r` is not the account of a partner the viewer may not see."""
    owner = f"$allowed[startNode({r}).key]"
    return f"($allowed IS NULL OR type({r}) <> 'HAS_ACCOUNT' OR {owner} IS NOT NULL)"


# Every query below is one text, planned once, whatever the question asks. Neo4j plans each
# new text anew (seconds for these) and keeps a plan per text and per size class of each list
# parameter (0, 1, up to 10, up to 100, ...): so the sets a question brings — the kinds asked
# (`$kinds`), the nodes to avoid (`$avoid`, by element id), the partners whose accounts a
# viewer may see (`$allowed`, by key) — are sent as maps from member to true, whose size no
# plan depends on, and tested by lookup (`$kinds[type(r)]` is true, or null when not asked).
#
# The nodes to avoid, read once per query. Out: `avoided`, a list of nodes: each step checks
# its node against it by identity (hashed), not by building the node's element id as text.
AVOIDED = """CALL () {
  UNWIND keys($avoid) AS id
  MATCH (n) WHERE elementId(n) = id
  RETURN collect(n) AS avoided
}"""

# Two partners are joined by partner links and sub-partner edges only; a partner and a customer
# or solution by an account or a co-creation only.
BETWEEN_PARTNERS = ("SUB_PARTNER_OF", "CO_SELLS_WITH", "REFERS_TO", "INTEGRATES_WITH")
HELD = ("HAS_ACCOUNT", "CO_CREATED")


def _types(kinds: tuple[str, ...]) -> str:
    # Relationship types cannot be parameters: these are the module's own constants, never a
    # request's text; `$kinds` picks among them where the query runs.
    return "|".join(kinds)


def _steps(u: str, r: str, x: str, kinds: tuple[str, ...] = RELATIONSHIPS) -> str:
    """In: a bound node `u`. Out: rows (`r`, `x`), each relationship `r` of a kind in both
    `kinds` and $kinds from `u` to a node `x`. Accounts are matched on their own, only when
    $kinds holds them: a partner's accounts (up to 100,000) are a group of their own in the
    store, so a question without them never reads them."""
    others = tuple(kind for kind in kinds if kind != "HAS_ACCOUNT")
    branches = []
    if others:
        branches.append(
            f"MATCH ({u})-[{r}:{_types(others)}]-({x}) WHERE $kinds[type({r})] RETURN {r}, {x}"
        )
    if "HAS_ACCOUNT" in kinds:
        branches.append(
            f"WITH {u} WHERE $kinds.HAS_ACCOUNT MATCH ({u})-[{r}:HAS_ACCOUNT]-({x}) RETURN {r}, {x}"
        )
    return f"CALL ({u}) {{ " + " UNION ALL ".join(branches) + " }"


def _nodes(frontier: str, name: str) -> str:
    """The nodes of a frontier ({id: product}) as the list `name`."""
    return f"""CALL () {{
  UNWIND keys({frontier}) AS id
  MATCH (n) WHERE elementId(n) = id
  RETURN collect(n) AS {name}
}}"""


def _rank(x: str) -> str:
    return f"CASE WHEN {x}:Partner THEN 0 WHEN {x}:Customer THEN 1 ELSE 2 END"


def _units(s: str) -> str:
    """A strength in millionths, at least one (as `units` in best_paths)."""
    return f"CASE WHEN round({s} * {UNIT}) < 1 THEN 1 ELSE toInteger(round({s} * {UNIT})) END"


# One hop out of a frontier ({id: product}): for each frontier node, the relationships that can
# still lie on a path reaching $floor, each with the node it reaches (id, key, kind rank,
# degree).
EXPAND = f"""
{AVOIDED}
UNWIND keys($frontier) AS id
MATCH (u) WHERE elementId(u) = id
{_steps("u", "r", "x")}
WITH * WHERE {_usable("r", "x")}
WITH id, x, r, {_strength("r")} AS s
WHERE $frontier[id] * s * coalesce($closer[elementId(x)], $rest) >= $floor
WITH id, collect([elementId(x), x.key, {_rank("x")}, {_degree("x")}, type(r), s]) AS steps
RETURN collect([id, steps]) AS out
"""


# The end of both joins. In: rows (x, start, end, k1, s1, k2, s2) — a middle node x between a
# near node `start` and a far node `end` (ids), reached by a step of kind k1 and strength s1 and
# left by one of kind k2 and strength s2. Out: `pairs`, for each (start, end) its best $perPair
# middle nodes with every pair of steps through each.
_BEST_MIDDLES = f"""
  WITH x, start, end, collect([k1, s1, k2, s2]) AS ways,
       max({_units("s1")} * {_units("s2")}) AS q
  WITH x, start, end, ways, q, {_rank("x")} AS rank
  ORDER BY q DESC, x.key, rank
  WITH start, end, collect([elementId(x), x.key, rank, ways])[..$perPair] AS middles
  RETURN collect([start, end, middles]) AS pairs
"""


def _into(w: str) -> str:
    """The relationships `r` of a kind in $kinds joining bound nodes x and `w`, each pair of
    kinds of node matched with only the relationship types that can join them (so two
    partners' accounts are never scanned to find a link between them)."""
    branches = []
    for where, types in (
        (f"x:Partner AND {w}:Partner", BETWEEN_PARTNERS),
        (f"NOT (x:Partner AND {w}:Partner)", HELD),
    ):
        match = f"MATCH (x)-[r:{_types(types)}]-({w}) WHERE $kinds[type(r)]"
        branches.append(f"WITH x, {w} WHERE {where} {match} RETURN r")
    return f"CALL (x, {w}) {{ " + " UNION ALL ".join(branches) + " }"


# In: a middle node x, the far node w it was reached from, and nearNodes. Out: rows (r, u),
# each relationship r from x back to a near node u other than w. A node with few
# relationships looks each near node up in a hashed list; one with many is joined to each
# near node from whichever end has fewer (expand-into).
_BACK = f"""CALL (x, w, nearNodes) {{
    WITH x, w, nearNodes WHERE {_degree("x")} <= $intoAbove
    {_steps("x", "r", "u")}
    WITH * WHERE u IN nearNodes AND u <> w
    RETURN r, u
    UNION ALL
    WITH x, w, nearNodes WHERE {_degree("x")} > $intoAbove
    UNWIND nearNodes AS u
    WITH x, u, w WHERE u <> w
    {_into("u")}
    RETURN r, u
  }}"""


# Where the near frontier meets the far one, hashed as overlaps are: the near side's
# neighbours are collected (no property read), the far side's steps are walked and looked up
# in them, and only the steps that meet are read. The answer: the steps from the far frontier
# straight into the near one (`direct`), and for each near node and far node the best $perPair
# middle nodes one step from both (by the product of the two strengths in millionths, then
# key, then kind), each with every pair of steps through it (partners may be joined several
# ways). A probe meets through at most $middles of them (a plain join passes more than there
# can be).
JOIN = f"""
{AVOIDED}
{_nodes("$near", "nearNodes")}
CALL (nearNodes, avoided) {{
  UNWIND nearNodes AS u
  {_steps("u", "r", "x")}
  WITH r, x, avoided LIMIT $cap
  WHERE {_usable("r", "x")}
  RETURN collect(DISTINCT x) AS reached
}}
CALL (nearNodes, reached, avoided) {{
  UNWIND keys($far) AS id
  WITH id ORDER BY $far[id] DESC  // a capped read takes the strongest nodes first
  MATCH (w) WHERE elementId(w) = id
  {_steps("w", "r", "y")}
  WITH id, w, r, y, reached, nearNodes, avoided LIMIT $cap
  WHERE (y IN reached OR y IN nearNodes) AND NOT y IN avoided AND {_shown("r")}
  WITH id AS end, w, y, type(r) AS k2, {_strength("r")} AS s2
  WHERE $far[end] * s2 * $nearBest >= $floor
  RETURN collect([end, w, y, k2, s2, y IN reached]) AS landed
}}
WITH nearNodes, landed,
     [l IN landed WHERE l[2] IN nearNodes
        AND $far[l[0]] * l[4] * $near[elementId(l[2])] >= $floor
      | [l[0], elementId(l[2]), l[3], l[4]]] AS direct
CALL (nearNodes, landed) {{
  // One step from the near frontier: a middle (a probe meets through a few).
  UNWIND [l IN landed WHERE l[5]][..$middles] AS l
  WITH l[0] AS end, l[1] AS w, l[2] AS x, l[3] AS k2, l[4] AS s2
  {_BACK}
  WITH end, x, k2, s2, r, elementId(u) AS start
  WHERE {_shown("r")}
  WITH end, x, k2, s2, start, type(r) AS k1, {_strength("r")} AS s1
  WHERE $near[start] * s1 * s2 * $far[end] >= $floor
{_BEST_MIDDLES}}}
RETURN direct, pairs
"""


# The first hop out of an end ($end) and the join after it, in one query, as `JOIN` with the
# end's neighbours as the far frontier: each carries the best strength of its steps from the
# end (its product), computed where it is read, so a hub's neighbours are never shipped. Only
# those that lie on a path through the join are sent back (`grown`, each with its steps from
# the end): in the near frontier, next to it, or two steps from it. A customer or solution is
# two steps from the near frontier only through a partner (its only neighbours), so those
# steps are read from the near side: from the partners next to the frontier with a value that
# can still reach $floor, into the nodes next to the end — a hub's customers are then looked
# up, not walked (`held`; none when $kinds has neither accounts nor co-creations).
GROWN_JOIN = f"""
{AVOIDED}
{_nodes("$near", "nearNodes")}
CALL (nearNodes, avoided) {{
  UNWIND nearNodes AS u
  {_steps("u", "r", "x")}
  WITH * WHERE {_usable("r", "x")}
  RETURN collect(DISTINCT x) AS reached
}}
CALL (nearNodes, avoided) {{
  // The partners next to the near frontier, each with its best value there and its steps.
  UNWIND nearNodes AS u
  CALL (u) {{
    WITH u WHERE u:Partner
    MATCH (u)-[r:{_types(BETWEEN_PARTNERS)}]-(y) WHERE $kinds[type(r)]
    RETURN r, y
    UNION ALL
    WITH u WHERE NOT u:Partner
    MATCH (u)-[r:{_types(HELD)}]-(y) WHERE $kinds[type(r)]
    RETURN r, y
  }}
  WITH u, r, y WHERE {_usable("r", "y")}
  WITH u, y, type(r) AS k1, {_strength("r")} AS s1
  WITH y, max($near[elementId(u)] * s1) AS onto, collect([elementId(u), k1, s1]) AS froms
  RETURN collect([y, onto, froms]) AS ontoPartners, coalesce(max(onto), 0.0) AS ontoBest,
         sum(CASE WHEN onto >= $floor THEN {_degree("y")} ELSE 0 END) AS heldCost
}}
MATCH (h) WHERE elementId(h) = $end
// Read from the near side (`held`) when the partners there have fewer relationships to walk
// than the end's customers and solutions; else those are walked, bounded by `ontoBest`.
WITH *, h:Partner AND heldCost <= $walkCost AS fromNear
CALL (h, nearNodes, reached, ontoBest, fromNear, avoided) {{
  {_steps("h", "r", "w")}
  WITH * WHERE {_usable("r", "w")}
  WITH w, type(r) AS k0, {_strength("r")} AS s0
  WHERE s0 * coalesce($closer[elementId(w)], $rest) >= $floor
  WITH w, max(s0) AS value, collect([k0, s0]) AS steps
  // A partner may be two steps from the near frontier; any node, next to it.
  WITH w, value, steps, CASE WHEN w:Partner THEN value * $nearBest >= $floor
       ELSE NOT fromNear AND value * ontoBest >= $floor END AS far
  CALL (w, value, far, nearNodes, reached, h, avoided) {{
    WITH w, value, far WHERE far OR w IN reached
    {_steps("w", "r", "y")}
    WITH * WHERE (y IN nearNodes OR (far AND y IN reached)) AND y <> h
      AND NOT y IN avoided AND {_shown("r")}
    WITH w, value, y, type(r) AS k2, {_strength("r")} AS s2
    WHERE value * s2 * $nearBest >= $floor
    RETURN collect([w, value, y, k2, s2]) AS outs
  }}
  WITH w, value, steps, outs
  WITH max(value) AS endBest, collect(CASE
         WHEN outs <> [] OR (w IN nearNodes AND value * $near[elementId(w)] >= $floor)
         THEN [elementId(w), w.key, {_rank("w")}, steps] END) AS grown,
       collect(outs) AS outs
  RETURN coalesce(endBest, 0.0) AS endBest, grown, outs
}}
CALL (outs) {{
  UNWIND outs AS out
  UNWIND out AS t
  RETURN collect(t) AS steps
}}
CALL (h, ontoPartners, endBest, fromNear, avoided) {{
  UNWIND ontoPartners AS o
  WITH o[0] AS y, o[1] AS onto, o[2] AS froms
  WHERE fromNear AND y <> h AND onto * endBest >= $floor
  {_steps("y", "r", "w", HELD)}
  WITH * WHERE w <> h AND {_usable("r", "w")}
  WITH y, onto, froms, w, type(r) AS k2, {_strength("r")} AS s2
  WHERE onto * s2 * endBest >= $floor
  MATCH (w)-[r0:{_types(RELATIONSHIPS)}]-(h)
  WHERE $kinds[type(r0)] AND {_shown("r0")}
  WITH y, onto, froms, w, k2, s2, type(r0) AS k0, {_strength("r0")} AS s0
  WHERE s0 * coalesce($closer[elementId(w)], $rest) >= $floor
  WITH y, onto, froms, w, k2, s2, max(s0) AS value, collect([k0, s0]) AS steps
  WHERE onto * s2 * value >= $floor
  RETURN collect([elementId(w), w.key, {_rank("w")}, steps]) AS heldGrown,
         collect([y, froms, elementId(w), value, k2, s2]) AS held
}}
WITH nearNodes, reached, grown + heldGrown AS grown, steps, held,
     [t IN steps WHERE t[2] IN nearNodes AND t[1] * t[4] * $near[elementId(t[2])] >= $floor
      | [elementId(t[0]), elementId(t[2]), t[3], t[4]]] AS direct
CALL (nearNodes, reached, steps, held) {{
  CALL (nearNodes, reached, steps, held) {{
    UNWIND [t IN steps WHERE t[2] IN reached] AS t
    WITH t[0] AS w, t[1] AS value, t[2] AS x, t[3] AS k2, t[4] AS s2
    {_BACK}
    WITH elementId(w) AS end, value, x, k2, s2, r, elementId(u) AS start
    WHERE {_shown("r")}
    RETURN x, start, end, value, type(r) AS k1, {_strength("r")} AS s1, k2, s2
    UNION ALL
    UNWIND held AS t
    UNWIND t[1] AS f
    RETURN t[0] AS x, f[0] AS start, t[2] AS end, t[3] AS value, f[1] AS k1, f[2] AS s1,
           t[4] AS k2, t[5] AS s2
  }}
  WITH x, start, end, k1, s1, k2, s2, value
  WHERE $near[start] * s1 * s2 * value >= $floor
{_BEST_MIDDLES}}}
RETURN grown, direct, pairs
"""


# The same meeting as `JOIN`, read from the near side when the far frontier has far more
# relationships than the near side's neighbours: each node one step from the near frontier
# (read once however many near nodes reach it) looks its far neighbours up in a hashed list if
# it has few relationships, or is joined to each far node from whichever end has fewer
# (expand-into) if it has many.
PROBE = f"""
{AVOIDED}
{_nodes("$far", "farNodes")}
CALL (avoided) {{
  UNWIND keys($near) AS id
  WITH id ORDER BY $near[id] DESC  // a capped read takes the strongest nodes first
  MATCH (u) WHERE elementId(u) = id
  {_steps("u", "r", "x")}
  WITH id, u, r, x, avoided LIMIT $cap
  WHERE {_usable("r", "x")}
  WITH id, u, x, type(r) AS k1, {_strength("r")} AS s1
  WHERE $near[id] * s1 * $farBest >= $floor
  RETURN collect([id, u, x, k1, s1]) AS steps
}}
WITH farNodes, steps,
     [t IN steps WHERE t[2] IN farNodes
        AND $near[t[0]] * t[4] * $far[elementId(t[2])] >= $floor
      | [t[0], elementId(t[2]), t[3], t[4]]] AS direct
CALL (steps) {{
  UNWIND steps AS t
  WITH t[2] AS x, collect([t[0], t[1], t[3], t[4]]) AS froms, max($near[t[0]] * t[4]) AS best
  RETURN collect([x, froms, best, {_degree("x")}])[..$middles] AS middles
}}
CALL (middles, farNodes) {{
  UNWIND [m IN middles WHERE m[3] <= $intoAbove] AS m
  WITH m[0] AS x, m[1] AS froms, m[2] AS best
  {_steps("x", "r", "w")}
  WITH * WHERE w IN farNodes
  RETURN collect([x, froms, best, r, w]) AS looked
}}
CALL (middles, farNodes) {{
  UNWIND [m IN middles WHERE m[3] > $intoAbove] AS m
  WITH m[0] AS x, m[1] AS froms, m[2] AS best
  UNWIND farNodes AS w
  {_into("w")}
  RETURN collect([x, froms, best, r, w]) AS joined
}}
CALL (looked, joined) {{
  UNWIND looked + joined AS m
  WITH m[0] AS x, m[1] AS froms, m[2] AS best, m[3] AS r, m[4] AS w
  WHERE {_shown("r")}
  WITH x, froms, best, w, elementId(w) AS end, type(r) AS k2, {_strength("r")} AS s2
  WHERE best * s2 * $far[end] >= $floor
  UNWIND froms AS f
  WITH x, f[0] AS start, end, f[2] AS k1, f[3] AS s1, k2, s2, f[1] <> w AS simple
  WHERE simple AND $near[start] * s1 * s2 * $far[end] >= $floor
{_BEST_MIDDLES}}}
RETURN direct, pairs
"""

# The fields of the nodes on the answer's paths, each as its own type's queries return them.
NODE_ROWS = f"""
UNWIND keys($ids) AS id
MATCH (n) WHERE elementId(n) = id
CALL (n) {{
  WITH n AS p WHERE p:Partner
  RETURN 'Partner' AS kind, {PARTNER} AS row
  UNION
  WITH n AS c WHERE c:Customer
  RETURN 'Customer' AS kind, {CUSTOMER} AS row
  UNION
  WITH n AS s WHERE s:Solution
  RETURN 'Solution' AS kind, {SOLUTION} AS row
}}
RETURN collect([id, kind, row]) AS rows
"""


@dataclass(frozen=True)
class Ref:
    """A node of the question: its kind (Partner, Customer, Solution) and key."""

    kind: str
    key: str


@dataclass(frozen=True)
class Step:
    kind: str
    row: Row  # the node's fields, as its type's queries return them
    via: str | None
    strength: float | None


@dataclass(frozen=True)
class InfluencePath:
    influence: float
    steps: list[Step]

    @property
    def hops(self) -> int:
        return len(self.steps) - 1


@dataclass
class _Ball:
    """The nodes within `depth` hops of one end, with the best product of a walk from it."""

    end: str
    value: dict[str, float]
    frontier: dict[str, float]
    degree: dict[str, int] = field(default_factory=dict)
    depth: int = 0

    def cost(self) -> int:
        return sum(self.degree.get(node, 1) for node in self.frontier)

    def reach(self) -> float:
        """An upper bound of the product of a path's part inside this ball, for a path coming
        from outside it: such a path enters at a frontier node (had it touched a node of
        smaller depth, it would be inside the ball)."""
        return max(self.frontier.values(), default=0.0)

    def closer(self) -> dict[str, float]:
        """The ball's nodes whose own product beats `reach`: a path may start from them."""
        bound = self.reach()
        return {node: value for node, value in self.value.items() if value > bound}


class Missing(Exception):
    """One of the question's nodes is not in the graph (or not visible): its index."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


@dataclass
class _Search:
    graph: Graph
    kinds: dict[str, bool]  # sets as maps: see the queries' note on plans
    avoid: dict[str, bool]
    allowed: dict[str, bool] | None
    first: int
    max_hops: int
    piece: Piece = field(default_factory=Piece)
    floor: float = 0.0
    deadline: float = field(default_factory=lambda: time.monotonic() + SEARCH_SECONDS)

    def left(self) -> float:
        """The seconds the search has left: the database stops a query that would overrun."""
        return max(self.deadline - time.monotonic(), 0.001)

    def _params(self) -> dict[str, Any]:
        return {
            "kinds": self.kinds,
            "avoid": self.avoid,
            "allowed": self.allowed,
            "strength": STRENGTH_BY_TYPE,
            "account": ACCOUNT_STRENGTH_BY_STATUS,
            "floor": self.floor * BELOW,
        }

    async def expand(self, ball: _Ball, other: _Ball) -> None:
        params = {
            **self._params(),
            "frontier": ball.frontier,
            "closer": other.closer(),
            "rest": other.reach(),
        }
        record = (await self.graph.read(EXPAND, params, seconds=self.left()))[0]
        improved: dict[str, float] = {}
        known = ball.value
        for start, steps in record["out"]:
            start_value = ball.frontier[start]
            for node, key, rank, degree, kind, strength in steps:
                self.piece.add_node(node, key, rank)
                self.piece.add_edge(start, node, units(strength), RANK[kind])
                ball.degree[node] = degree
                value = start_value * strength
                if value > known.get(node, 0.0) and value > improved.get(node, 0.0):
                    improved[node] = value
        ball.value.update(improved)
        ball.frontier = improved
        ball.depth += 1

    async def join(self, front: _Ball, back: _Ball, *, probe: bool = False) -> None:
        """Collect where the frontiers meet; a `probe` reads at most PROBE_CAP relationships
        on each side: it only looks for real paths early, to raise the floor."""
        near, far = (front, back) if front.cost() <= back.cost() else (back, front)
        # Hashed, both frontiers' relationships are read once; probed, the near frontier's
        # and its neighbours' (about NEIGHBOURS each).
        hashed = near.cost() + far.cost() <= NEIGHBOURS * near.cost()
        cap = PROBE_CAP if probe else EVERYTHING
        if probe and len(near.frontier) == 1 < len(far.frontier) and near.cost() > PROBE_CAP:
            # Looking for paths early through a hub: it is looked up from the other side's
            # neighbours, so every one read finds its paths (a capped hashed join would meet
            # only the few the two samples share).
            near, far, hashed = far, near, False
            cap = PROBE_CAP // 4
        # A middle node is looked up by its relationships up to this many, else joined to each
        # node across: what it costs a join, at most.
        into_above = INTO_RATIO * len(near.frontier if hashed else far.frontier)
        params = {
            **self._params(),
            "near": near.frontier,
            "far": far.frontier,
            "nearBest": near.reach(),
            "farBest": far.reach(),
            "perPair": max(1, self.first + self.max_hops - 2),
            "intoAbove": into_above,
            "cap": cap,
            # A plain join meets through every middle node (a list slice's bound is 32 bits).
            "middles": max(PROBE_MIDDLES, cap // into_above) if probe else 2**31 - 1,
        }
        query = JOIN if hashed else PROBE
        record = (await self.graph.read(query, params, seconds=self.left()))[0]
        self._met(record)

    async def grow_and_join(self, ball: _Ball, other: _Ball) -> None:
        """The last hop out of `ball`, which is still only its end, and the join with `other`
        after it (`GROWN_JOIN`): so a hub's neighbours stay in the database."""
        params = {
            **self._params(),
            "end": ball.end,
            "closer": other.closer(),
            "rest": other.reach(),
            "near": other.frontier,
            "nearBest": other.reach(),
            "perPair": max(1, self.first + self.max_hops - 2),
            "intoAbove": INTO_RATIO * len(other.frontier),
            "walkCost": NEIGHBOURS * ball.cost(),
        }
        record = (await self.graph.read(GROWN_JOIN, params, seconds=self.left()))[0]
        for node, key, rank, steps in record["grown"]:
            self.piece.add_node(node, key, rank)
            for kind, strength in steps:
                self.piece.add_edge(ball.end, node, units(strength), RANK[kind])
        self._met(record)

    def _met(self, record: Any) -> None:
        """Adds a join's meeting points to the piece."""
        for start, node, kind, strength in record["direct"]:
            self.piece.add_edge(start, node, units(strength), RANK[kind])
        for start, end, middles in record["pairs"]:
            for node, key, rank, ways in middles:
                self.piece.add_node(node, key, rank)
                for kind_a, strength_a, kind_b, strength_b in ways:
                    self.piece.add_edge(start, node, units(strength_a), RANK[kind_a])
                    self.piece.add_edge(node, end, units(strength_b), RANK[kind_b])

    def ranked(self, source: str, target: str) -> list[RankedPath]:
        found = best_paths(self.piece, source, target, self.first, self.max_hops, self.floor)
        if len(found) == self.first:
            self.floor = max(self.floor, found[-1].influence)
        return found

    async def run(self, source: str, target: str, degrees: tuple[int, int]) -> list[RankedPath]:
        front = _Ball(source, {source: 1.0}, {source: 1.0}, {source: degrees[0]})
        back = _Ball(target, {target: 1.0}, {target: 1.0}, {target: degrees[1]})
        while front.frontier and back.frontier:
            gap = self.max_hops - front.depth - back.depth
            wide = min(len(front.frontier), len(back.frontier)) > 1
            if gap <= 2 and wide and front.cost() + back.cost() > PROBE_CAP:
                # A last join between two wide frontiers costs far less with a high floor:
                # some paths first.
                await self.join(front, back, probe=True)
                self.ranked(source, target)
            await self.join(front, back, probe=gap > 2)
            if gap <= 2:
                break
            self.ranked(source, target)
            if not self.floor and min(front.cost(), back.cost()) > PROBE_CAP:
                # Too few paths to prune with, before a large expansion: meet in full.
                await self.join(front, back)
                self.ranked(source, target)
            ball, other = (front, back) if front.cost() <= back.cost() else (back, front)
            if gap == 3 and ball.depth == 0 and ball.cost() > PROBE_CAP:
                # The last hop grows a hub at an end inside the join, so that its neighbours
                # are not shipped out and back.
                await self.grow_and_join(ball, other)
                break
            await self.expand(ball, other)
        return self.ranked(source, target)


async def influence_paths(
    graph: Graph,
    source: Ref,
    target: Ref,
    first: int,
    max_hops: int,
    kinds: Iterable[str] = RELATIONSHIPS,
    avoid: Iterable[Ref] = (),
    allowed: list[str] | None = None,
    visible: dict[str, Any] | None = None,
) -> list[InfluencePath]:
    """The `first` strongest paths of at most `max_hops` relationships from source to target
    (influence desc, hops asc, then the keys along the path); Missing names the first node of
    [source, target, *avoid] that is not there. `allowed`: the partners whose accounts a step
    may use (None: all); `visible`: the customers the viewer may name (None: all)."""
    asked = set(kinds)
    unknown = asked - set(RELATIONSHIPS)
    if unknown or not asked:
        raise ValueError(f"not relationship kinds of the influence graph: {sorted(unknown)}")
    refs = [source, target, *avoid]
    ends = {str(i): {"index": i, "kind": ref.kind, "key": ref.key} for i, ref in enumerate(refs)}
    record = (await graph.read(ENDS, {"ends": ends, "visible": visible}))[0]
    found = {index: (node, degree) for index, node, degree in record["found"]}
    for index in range(len(refs)):
        if index not in found:
            raise Missing(index)
    (start, start_degree), (goal, goal_degree) = found[0], found[1]
    search = _Search(
        graph,
        _set(asked),
        _set(found[i][0] for i in range(2, len(refs))),
        None if allowed is None else _set(allowed),
        first,
        max_hops,
    )
    search.piece.add_node(start, source.key, KINDS.index(source.kind))
    search.piece.add_node(goal, target.key, KINDS.index(target.kind))
    ranked = await search.run(start, goal, (start_degree, goal_degree))
    return await _described(graph, ranked)


def _set(members: Iterable[str]) -> dict[str, bool]:
    """A set as the queries take it: a map from member to true (see the note on plans)."""
    return dict.fromkeys(members, True)


async def _described(graph: Graph, ranked: list[RankedPath]) -> list[InfluencePath]:
    """The ranked paths with every node's fields, read in one query."""
    if not ranked:
        return []
    ids = sorted({node for path in ranked for node in path.nodes})
    rows = {
        node: (kind, row)
        for node, kind, row in (await graph.read(NODE_ROWS, {"ids": _set(ids)}))[0]["rows"]
    }
    described = []
    for path in ranked:
        steps = [Step(*rows[path.nodes[0]], via=None, strength=None)]
        for node, (strength, kind) in zip(path.nodes[1:], path.steps, strict=True):
            steps.append(Step(*rows[node], via=RELATIONSHIPS[kind], strength=strength / UNIT))
        described.append(InfluencePath(path.influence, steps))
    return described
