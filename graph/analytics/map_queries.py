"""The Cypher of partner maps: the center, one hop of an ego network, a filtered ecosystem, and
the fields and edges of the nodes a map keeps.

Every query meets nodes by element id (`$frontier`, `$seen`, `$ids`: lists a query gets from the
one before it) and only the filter's fixed fragments vary the text. A partner viewer's sight is
`$counted` (partners whose accounts it may count) and `$listed` (whose customers it may see);
both are null for staff.

Overlap counts between the largest partners are read from the OVERLAPS relationships that
`partnergraph analyze` stores, while that store is fresh; every other pair is counted live from
the side that is not stored (a stored partner has the most accounts: it is never the side read).
"""

from __future__ import annotations

from graph.customers import VISIBLE
from graph.ecosystem import OVERLAPS_FRESH as FRESH

COUNTED = "($counted IS NULL OR {v}.key IN $counted)"
LISTED = "($listed IS NULL OR {v}.key IN $listed)"
LINKS = "SUB_PARTNER_OF|CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH"
KIND = "CASE WHEN {v}:Partner THEN 'Partner' WHEN {v}:Solution THEN 'Solution' ELSE 'Customer' END"
SCORE = "coalesce({v}.influence, -1.0)"  # a node without a score ranks after every scored one


def _stored(v: str) -> str:
    return f"(fresh AND coalesce({v}.overlapsStored, false))"


def _row(v: str) -> str:
    """What the next step needs of a node: its id, kind, key, accounts and whether it is stored."""
    return (
        f"{{id: elementId({v}), kind: {KIND.format(v=v)}, key: {v}.key,"
        f" accounts: COUNT {{ ({v})-[:HAS_ACCOUNT]->() }}, stored: {_stored(v)}}}"
    )


def _ranked(source: str, out: str) -> str:
    """`out`: the nodes of the list `source`, best first (influence desc, key, kind)."""
    return f"""
CALL ({source}) {{
  UNWIND {source} AS n
  WITH DISTINCT n
  WITH n ORDER BY {SCORE.format(v="n")} DESC, n.key, {KIND.format(v="n")}
  RETURN collect(n) AS {out}
}}"""


def center_query(label: str) -> str:
    """The center, a node of `label` (Partner, Customer or Solution: never request text); a
    customer only where the viewer may see it (`$visible`, as every customer lookup)."""
    if label == "Customer":
        return f"""{FRESH}
MATCH (c:Customer {{key: $key}}) WHERE {VISIBLE}
RETURN {_row("c")} AS row
"""
    return f"""{FRESH}
MATCH (n:{label} {{key: $key}})
RETURN {_row("n")} AS row
"""


# A partner that may share `$least` customers with one other: it holds that many, and, while no
# account was written since `analyze`, its overlap bound is that high.
_CAN_SHARE = (
    "COUNT { (p)-[:HAS_ACCOUNT]->() } >= $least"
    " AND NOT (bounded AND coalesce(p.overlapBound < $least, false))"
)


def _shares(front: str, least_one: bool) -> str:
    """Whether the partner `p` shares at least `$least` customers with one partner of the list
    `front` that the viewer counts, other than a pair whose count is stored: read from p's side,
    stopping at the first such partner when one customer is enough."""
    pair = (
        f"elementId(f) IN {front} AND {COUNTED.format(v='f')}"
        f" AND NOT ({_stored('p')} AND {_stored('f')})"
    )
    walk = f"MATCH (p)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(f:Partner) WHERE {pair}"
    if least_one:
        return f"EXISTS {{ {walk} }}"
    return f"EXISTS {{ {walk} WITH f, count(*) AS shared WHERE shared >= $least RETURN f }}"


def hop_query(admits: str, least_one: bool) -> str:
    """The nodes one hop beyond `$frontier`, not in `$seen`: the `$need` best, and whether there
    were more. `admits` is the partner filter's predicate on `p`.

    The cheap neighbours come first: links, solutions, a customer's holders, and overlaps whose
    counts are stored (from the frontier's stored partners in `$storedFront`, or, when they are
    many (`$scanStored`), by asking each stored partner whether it meets one of them). When
    they are more than `$need`, the `$need + 1`-th of them is a floor that any other neighbour
    must reach, and the others are looked for from their own side, best first, above it.
    Otherwise the overlap neighbours of the frontier's partners in `$live` are read from the
    frontier's side, and those of the partners in `$wide` (stored ones holding too many
    accounts to read) from the other side, best first, as far as one could be kept."""
    return f"""{FRESH}
CALL (fresh) {{
 CALL (fresh) {{
  UNWIND $frontier AS id
  MATCH (f:Partner) WHERE elementId(f) = id
  MATCH (f)-[:{LINKS}]-(n:Partner)
  RETURN n
  UNION
  UNWIND $frontier AS id
  MATCH (f:Partner) WHERE elementId(f) = id
  MATCH (f)-[:CO_CREATED]->(n:Solution)
  RETURN n
  UNION
  UNWIND $frontier AS id
  MATCH (s:Solution) WHERE elementId(s) = id
  MATCH (s)<-[:CO_CREATED]-(n:Partner)
  RETURN n
  UNION
  UNWIND $frontier AS id
  MATCH (c:Customer) WHERE elementId(c) = id
  MATCH (c)<-[:HAS_ACCOUNT]-(n:Partner) WHERE {LISTED.format(v="n")}
  RETURN n
  UNION
  WITH fresh WHERE NOT $scanStored
  UNWIND $storedFront AS id
  MATCH (f:Partner) WHERE elementId(f) = id AND {_stored("f")} AND {COUNTED.format(v="f")}
  MATCH (f)-[o:OVERLAPS]-(n:Partner) WHERE o.count >= $least AND {COUNTED.format(v="n")}
  WITH DISTINCT n
  RETURN n
  UNION
  WITH fresh WHERE fresh AND $scanStored
  MATCH (n:Partner) WHERE n.overlapsStored AND {COUNTED.format(v="n")}
    AND EXISTS {{
      MATCH (n)-[o:OVERLAPS]-(f:Partner)
      WHERE elementId(f) IN $storedFront AND o.count >= $least AND {COUNTED.format(v="f")}
    }}
  RETURN n
 }}
 WITH n AS p WHERE NOT elementId(p) IN $seen AND (NOT p:Partner OR ({admits}))
 RETURN collect(p) AS near
}}
{_ranked("near", "nearest")}
WITH fresh, bounded, nearest[..$need + 1] AS best
WITH fresh, bounded, best,
     CASE WHEN size(best) > $need THEN {SCORE.format(v="best[$need]")} ELSE -2.0 END AS floor
CALL (fresh, bounded, best, floor) {{
 CALL (fresh, bounded, best, floor) {{
  WITH floor WHERE floor < -1.5
  UNWIND $live AS id
  MATCH (f:Partner) WHERE elementId(f) = id AND {COUNTED.format(v="f")}
  MATCH (f)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(p:Partner)
  WHERE p <> f AND {COUNTED.format(v="p")} AND NOT ({_stored("f")} AND {_stored("p")})
    AND NOT elementId(p) IN $seen AND ({admits})
  WITH f, p, count(*) AS shared WHERE shared >= $least
  WITH DISTINCT p
  RETURN p
  UNION
  WITH fresh, bounded, floor WHERE floor < -1.5 AND fresh AND size($wide) > 0
  MATCH (p:Partner)
  WHERE NOT coalesce(p.overlapsStored, false) AND NOT elementId(p) IN $seen
    AND {COUNTED.format(v="p")} AND ({admits}) AND {_CAN_SHARE}
  WITH p ORDER BY {SCORE.format(v="p")} DESC, p.key
  WHERE {_shares("$wide", least_one)}
  WITH p LIMIT $need + 1
  RETURN p
  UNION
  WITH fresh, bounded, best, floor WHERE floor >= -1.5
  MATCH (p:Partner)
  WHERE {SCORE.format(v="p")} >= floor AND NOT elementId(p) IN $seen
    AND {COUNTED.format(v="p")} AND ({admits}) AND NOT p IN best AND {_CAN_SHARE}
  WITH p ORDER BY {SCORE.format(v="p")} DESC, p.key
  WHERE {_shares("$partners", least_one)}
  WITH p LIMIT $need + 1
  RETURN p
 }}
 RETURN collect(p) AS far
}}
WITH fresh, best + far AS found
{_ranked("found", "ranked")}
RETURN size(ranked) > $need AS cut, [n IN ranked[..$need] | {_row("n")}] AS rows
"""


def top_query(admits: str) -> str:
    """A map without a center: the `$limit` partners the filter admits with the most influence,
    and whether there were more."""
    return f"""
CALL () {{
  MATCH (p:Partner) WHERE {admits}
  WITH p ORDER BY {SCORE.format(v="p")} DESC, p.key LIMIT $limit + 1
  RETURN collect(p) AS ranked
}}
{FRESH}
RETURN size(ranked) > $limit AS cut, [n IN ranked[..$limit] | {_row("n")}] AS rows
"""


# The overlap pairs of the kept partners `$ids` that are not both stored, counted live from the
# side that is not stored (both unstored: from the one with the smaller key).
# An overlap pair as an edge: from the lower key to the higher, both read from the store (so
# compared by code point, as the answer promises; a stored OVERLAPS may point either way).
_PAIR = (
    "pair[0].key AS low, pair[1].key AS high, elementId(pair[0]) AS source,"
    " elementId(pair[1]) AS target, shared"
)


def _live_pairs(least: str) -> str:
    """The overlap pairs of the kept partners `$ids` that are not both stored, sharing at least
    `least` customers (a Cypher expression), counted live from the side that is not stored (both
    unstored: from the one with the smaller key). A partner that shares fewer than `least`
    customers with anyone is not read: it holds fewer accounts, or, while no account was
    written since `analyze`, its `overlapBound` (the most it shared with one partner) is less."""
    return f"""
    UNWIND $ids AS id
    MATCH (a:Partner) WHERE elementId(a) = id AND NOT {_stored("a")} AND {COUNTED.format(v="a")}
      AND COUNT {{ (a)-[:HAS_ACCOUNT]->() }} >= {least}
      AND NOT (bounded AND coalesce(a.overlapBound < {least}, false))
    MATCH (a)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(b:Partner)
    WHERE elementId(b) IN $ids AND b <> a AND {COUNTED.format(v="b")}
      AND ({_stored("b")} OR a.key < b.key)
    WITH a, b, count(*) AS shared WHERE shared >= {least}
    WITH CASE WHEN a.key < b.key THEN [a, b] ELSE [b, a] END AS pair, shared
    RETURN {_PAIR}"""


# The fields of the kept nodes, the relationships between them, and their `$most` strongest
# overlaps of at least `$least` (ties by key). The `$most`-th strongest stored pair of the map is
# a floor: only pairs at or above it can compete, stored or live. It is looked for in the index
# on the counts, strongest first, `$scan` entries at most (then the stored pairs at the floor
# come from the index too), else among the map's stored partners' own pairs.
DETAILS = f"""{FRESH}
CALL () {{
  UNWIND $ids AS id
  MATCH (n) WHERE elementId(n) = id
  WITH id, n, {COUNTED.format(v="n")} AS known
  RETURN collect(CASE
    WHEN n:Partner THEN {{id: id, kind: 'Partner', key: n.key, label: n.name, type: n.type,
      tier: n.tier, region: n.region, influence: n.influence, community: n.community,
      known: known, size: CASE WHEN known THEN COUNT {{ (n)-[:HAS_ACCOUNT]->() }} ELSE 0 END}}
    WHEN n:Customer THEN {{id: id, kind: 'Customer', key: n.key, label: n.name,
      region: n.region, known: true,
      size: COUNT {{ MATCH (o:Partner)-[:HAS_ACCOUNT]->(n) WHERE {LISTED.format(v="o")} }}}}
    ELSE {{id: id, kind: 'Solution', key: n.key, label: n.name, known: true,
      size: COUNT {{ (:Partner)-[:CO_CREATED]->(n) }}}}
  END) AS nodes
}}
CALL () {{
  UNWIND $ids AS id
  MATCH (a:Partner) WHERE elementId(a) = id
  MATCH (a)-[r:{LINKS}|CO_CREATED]->(b) WHERE elementId(b) IN $ids
  RETURN collect([id, elementId(b), type(r), r.strength]) AS links
}}
CALL () {{
  UNWIND $ids AS id
  MATCH (c:Customer) WHERE elementId(c) = id
  MATCH (c)<-[r:HAS_ACCOUNT]-(a:Partner) WHERE elementId(a) IN $ids AND {LISTED.format(v="a")}
  RETURN collect([elementId(a), id, 'HAS_ACCOUNT', r.strength]) AS held
}}
CALL (fresh, bounded) {{
  CALL (fresh) {{
    WITH fresh WHERE fresh
    MATCH (a:Partner)-[o:OVERLAPS]->(b:Partner) USING INDEX o:OVERLAPS(count)
    WHERE o.count >= $least
    WITH a, b, o ORDER BY o.count DESC LIMIT $scan
    WITH o WHERE elementId(a) IN $ids AND elementId(b) IN $ids
      AND {COUNTED.format(v="a")} AND {COUNTED.format(v="b")}
    WITH o ORDER BY o.count DESC LIMIT $most
    RETURN count(*) AS strong, min(o.count) AS weakest
  }}
  CALL (fresh, strong) {{
    WITH fresh, strong WHERE fresh AND strong < $most
    UNWIND $ids AS id
    MATCH (a:Partner) WHERE elementId(a) = id AND a.overlapsStored AND {COUNTED.format(v="a")}
    MATCH (a)-[o:OVERLAPS]->(b:Partner)
    WHERE elementId(b) IN $ids AND o.count >= $least AND {COUNTED.format(v="b")}
    WITH o ORDER BY o.count DESC LIMIT $most
    RETURN count(*) AS many, min(o.count) AS weakest_read
  }}
  WITH fresh, bounded, strong = $most AS indexed, CASE
    WHEN $most > 0 AND strong = $most THEN weakest
    WHEN $most > 0 AND many = $most THEN weakest_read
  END AS floor
  CALL (fresh, bounded, indexed, floor) {{
    WITH floor WHERE indexed
    MATCH (a:Partner)-[o:OVERLAPS]->(b:Partner) USING INDEX o:OVERLAPS(count)
    WHERE o.count >= floor AND elementId(a) IN $ids AND elementId(b) IN $ids
      AND {COUNTED.format(v="a")} AND {COUNTED.format(v="b")}
    WITH CASE WHEN a.key < b.key THEN [a, b] ELSE [b, a] END AS pair, o.count AS shared
    RETURN {_PAIR}
    UNION ALL
    WITH fresh, indexed, floor WHERE fresh AND NOT indexed
    UNWIND $ids AS id
    MATCH (a:Partner) WHERE elementId(a) = id AND a.overlapsStored AND {COUNTED.format(v="a")}
    MATCH (a)-[o:OVERLAPS]->(b:Partner)
    WHERE elementId(b) IN $ids AND o.count >= coalesce(floor, $least) AND {COUNTED.format(v="b")}
    WITH CASE WHEN a.key < b.key THEN [a, b] ELSE [b, a] END AS pair, o.count AS shared
    RETURN {_PAIR}
    UNION ALL
    {_live_pairs("coalesce(floor, $least)")}
  }}
  WITH low, high, source, target, shared ORDER BY shared DESC, low, high
  RETURN collect([source, target, 'OVERLAP', shared])[..$most] AS pairs
}}
RETURN nodes, links + held + pairs AS edges
"""


# How many overlaps of at least `$least` the kept partners `$ids` have in all.
OVERLAP_COUNT = f"""{FRESH}
CALL (fresh) {{
  UNWIND $ids AS id
  MATCH (a:Partner) WHERE elementId(a) = id AND {_stored("a")} AND {COUNTED.format(v="a")}
  MATCH (a)-[o:OVERLAPS]->(b:Partner)
  WHERE elementId(b) IN $ids AND o.count >= $least AND {COUNTED.format(v="b")}
  RETURN count(*) AS stored
}}
CALL (fresh, bounded) {{
  CALL (fresh, bounded) {{ {_live_pairs("$least")}
  }}
  RETURN count(*) AS live
}}
RETURN stored + live AS overlaps
"""
