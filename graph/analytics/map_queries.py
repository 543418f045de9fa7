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

COUNTED = "($counted IS NULL OR {v}.key IN $counted)"
LISTED = "($listed IS NULL OR {v}.key IN $listed)"
LINKS = "SUB_PARTNER_OF|CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH"
KIND = "CASE WHEN {v}:Partner THEN 'Partner' WHEN {v}:Solution THEN 'Solution' ELSE 'Customer' END"
SCORE = "coalesce({v}.influence, -1.0)"  # a node without a score ranks after every scored one

# Whether the stored overlap counts hold for the graph as it is now.
FRESH = """
CALL () {
  OPTIONAL MATCH (e:Ecosystem {key: 'ecosystem'})
  RETURN coalesce(e.overlapsAt IS NOT NULL
                  AND (e.importedAt IS NULL OR e.importedAt <= e.overlapsAt), false) AS fresh
}
"""


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
    customer only where a partner whose customers the viewer may see holds it."""
    seen = (
        f"WHERE EXISTS {{ MATCH (o:Partner)-[:HAS_ACCOUNT]->(n) WHERE {LISTED.format(v='o')} }}"
        if label == "Customer"
        else ""
    )
    return f"""{FRESH}
MATCH (n:{label} {{key: $key}})
{seen}
RETURN {_row("n")} AS row
"""


def hop_query(admits: str, least_one: bool) -> str:
    """The nodes one hop beyond `$frontier`, not in `$seen`: the `$need` best, and whether there
    were more. `admits` is the partner filter's predicate on `p`. Overlap neighbours of the
    frontier's partners in `$live` are counted from the frontier's side; those of the partners in
    `$wide` (stored ones with too many accounts to read) from the other side, in rank order, only
    as far as they could still make the cut."""
    shares = (
        "EXISTS { MATCH (p)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(w:Partner)"
        " WHERE elementId(w) IN $wide }"
        if least_one
        else "EXISTS { MATCH (p)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(w:Partner)"
        " WHERE elementId(w) IN $wide WITH w, count(*) AS shared WHERE shared >= $least RETURN w }"
    )
    return f"""{FRESH}
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
  UNWIND $frontier AS id
  MATCH (f:Partner) WHERE elementId(f) = id AND {_stored("f")} AND {COUNTED.format(v="f")}
  MATCH (f)-[o:OVERLAPS]-(n:Partner) WHERE o.count >= $least AND {COUNTED.format(v="n")}
  RETURN n
  UNION
  UNWIND $live AS id
  MATCH (f:Partner) WHERE elementId(f) = id AND {COUNTED.format(v="f")}
  MATCH (f)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(n:Partner)
  WHERE n <> f AND {COUNTED.format(v="n")} AND NOT ({_stored("f")} AND {_stored("n")})
  WITH f, n, count(*) AS shared WHERE shared >= $least
  RETURN n
}}
WITH n AS p WHERE NOT elementId(p) IN $seen AND (NOT p:Partner OR ({admits}))
WITH collect(p) AS near
{FRESH}{_ranked("near", "nearest")}
WITH fresh, nearest[..$need + 1] AS best
WITH fresh, best,
     CASE WHEN size(best) > $need THEN {SCORE.format(v="best[$need]")} ELSE -2.0 END AS floor
CALL (fresh, floor) {{
  WITH fresh, floor WHERE fresh AND size($wide) > 0
  MATCH (p:Partner)
  WHERE {SCORE.format(v="p")} >= floor AND NOT coalesce(p.overlapsStored, false)
    AND NOT elementId(p) IN $seen AND {COUNTED.format(v="p")} AND ({admits})
  WITH p ORDER BY {SCORE.format(v="p")} DESC, p.key
  WHERE {shares}
  WITH p LIMIT $need + 1
  RETURN collect(p) AS far
}}
WITH fresh, best + far AS found
{_ranked("found", "ranked")}
RETURN size(ranked) > $need AS cut, [n IN ranked[..$need] | {_row("n")}] AS rows
"""


def top_query(admits: str) -> str:
    """A map without a center: the `$limit` partners the filter admits with the most influence,
    and whether there were more."""
    return f"""{FRESH}
MATCH (p:Partner) WHERE {admits}
WITH fresh, p ORDER BY {SCORE.format(v="p")} DESC, p.key LIMIT $limit + 1
WITH fresh, collect(p) AS ranked
RETURN size(ranked) > $limit AS cut, [n IN ranked[..$limit] | {_row("n")}] AS rows
"""


# The overlap pairs of the kept partners `$ids` that are not both stored, counted live from the
# side that is not stored (both unstored: from the one with the smaller key).
LIVE_PAIRS = f"""
    UNWIND $ids AS id
    MATCH (a:Partner) WHERE elementId(a) = id AND NOT {_stored("a")} AND {COUNTED.format(v="a")}
    MATCH (a)-[:HAS_ACCOUNT]->(:Customer)<-[:HAS_ACCOUNT]-(b:Partner)
    WHERE elementId(b) IN $ids AND b <> a AND {COUNTED.format(v="b")}
      AND ({_stored("b")} OR a.key < b.key)
    WITH a, b, count(*) AS shared WHERE shared >= $least
    WITH CASE WHEN a.key < b.key THEN [a, b] ELSE [b, a] END AS pair, shared
    RETURN pair[0].key AS low, pair[1].key AS high, elementId(pair[0]) AS source,
           elementId(pair[1]) AS target, shared"""


# The fields of the kept nodes, the relationships between them, and their `$most` strongest
# overlaps of at least `$least` (ties by key): the stored ones from the index on their counts,
# strongest first — the `$most`-th sets a floor, and every stored pair at the floor or above
# competes with the live ones.
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
CALL (fresh) {{
  CALL (fresh) {{
    MATCH (a:Partner)-[o:OVERLAPS]->(b:Partner) USING INDEX o:OVERLAPS(count)
    WHERE fresh AND o.count >= $least AND elementId(a) IN $ids AND elementId(b) IN $ids
      AND {COUNTED.format(v="a")} AND {COUNTED.format(v="b")}
    WITH o ORDER BY o.count DESC LIMIT $most
    RETURN coalesce(min(o.count), $least) AS floor
  }}
  CALL (fresh, floor) {{
    MATCH (a:Partner)-[o:OVERLAPS]->(b:Partner) USING INDEX o:OVERLAPS(count)
    WHERE fresh AND o.count >= floor AND elementId(a) IN $ids AND elementId(b) IN $ids
      AND {COUNTED.format(v="a")} AND {COUNTED.format(v="b")}
    RETURN a.key AS low, b.key AS high, elementId(a) AS source, elementId(b) AS target,
           o.count AS shared
    UNION ALL
    {LIVE_PAIRS}
  }}
  WITH low, high, source, target, shared ORDER BY shared DESC, low, high LIMIT $most
  RETURN collect([source, target, 'OVERLAP', shared]) AS pairs
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
CALL (fresh) {{
  CALL (fresh) {{ {LIVE_PAIRS}
  }}
  RETURN count(*) AS live
}}
RETURN stored + live AS overlaps
"""
