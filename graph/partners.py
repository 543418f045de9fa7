"""Partners: lookups, the directory listing, the sub-partner hierarchy and partner links."""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ConstraintError

from graph.db import Graph
from graph.errors import Conflict, NotFound
from graph.listing import Listing, Order, lower_name, name_contains
from graph.messages import shown
from graph.paging import Window

Row = dict[str, Any]


def partner_map(v: str) -> str:
    """A partner's fields as a map projection of the variable `v`, with the totals a page of
    partners shows most: degree counts, read without touching the relationships."""
    return (
        f"{v} {{.key, .name, .type, .tier, .region, .country, .industries, .stage, .joinedOn,"
        f" .influence, .community,"
        f" accountCount: COUNT {{ ({v})-[:HAS_ACCOUNT]->() }},"
        f" subPartnerCount: COUNT {{ (:Partner)-[:SUB_PARTNER_OF]->({v}) }}}}"
    )


PARTNER = partner_map("p")
TIER_RANK = (
    "CASE p.tier WHEN 'REGISTERED' THEN 0 WHEN 'SILVER' THEN 1 WHEN 'GOLD' THEN 2 ELSE 3 END"
)

PARTNERS = Listing(
    label="Partner",
    var="p",
    projection=PARTNER,
    filters={
        "types": "p.type IN $types",
        "tiers": "p.tier IN $tiers",
        "regions": "p.region IN $regions",
        "countries": "p.country IN $countries",
        "industries": "any(industry IN p.industries WHERE industry IN $industries)",
        "stages": "p.stage IN $stages",
        "nameContains": name_contains("p"),
        "keys": "p.key IN $keys",
        "communities": "p.community IN $communities",
    },
    orders={
        "KEY": Order("p.key", seekable=True),
        "NAME": Order("p.name", seekable=True),
        "TIER": Order(TIER_RANK),
        "JOINED_ON": Order("coalesce(p.joinedOn, date('0001-01-01'))", "date($after[0])"),
        # Scores lie in [0, 1]: a partner not scored yet sorts after every scored one.
        "INFLUENCE": Order("coalesce(p.influence, 2.0)", descending="coalesce(p.influence, -1.0)"),
    },
)

PARTNERS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
RETURN {PARTNER} AS partner
"""

# Direct children, by key, each parent's own window.
SUB_PARTNERS = f"""
UNWIND $keys AS key
MATCH (parent:Partner {{key: key}})
CALL (parent) {{
  MATCH (p:Partner)-[:SUB_PARTNER_OF]->(parent)
  WHERE $after IS NULL OR p.key > $after
  WITH p ORDER BY p.key LIMIT $limit
  RETURN collect({PARTNER}) AS children
}}
RETURN key, children
"""

SUB_PARTNER_COUNTS = """
UNWIND $keys AS key
MATCH (parent:Partner {key: key})
RETURN key, COUNT { (:Partner)-[:SUB_PARTNER_OF]->(parent) } AS n
"""

PARENTS = f"""
UNWIND $keys AS key
MATCH (child:Partner {{key: key}})
CALL (child) {{
  MATCH (child)-[:SUB_PARTNER_OF]->(p:Partner)
  WITH p ORDER BY p.key
  RETURN collect({PARTNER}) AS parents
}}
RETURN key, parents
"""

# Links in either direction; `direction` says which way the relationship points from the partner.
LINKS = f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
CALL (me) {{
  MATCH (me)-[r:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH]-(p:Partner)
  WHERE ($types IS NULL OR type(r) IN $types)
    AND ($direction IS NULL OR (startNode(r) = me) = ($direction = 'OUTGOING'))
  WITH r, p, type(r) AS kind, CASE WHEN startNode(r) = me THEN 'OUTGOING' ELSE 'INCOMING' END AS way
  WHERE $after IS NULL OR [p.key, kind, way] > $after
  WITH r, p, kind, way ORDER BY p.key, kind, way LIMIT $limit
  RETURN collect({{partner: {PARTNER}, kind: kind, direction: way,
                  strength: r.strength, since: r.since}}) AS links
}}
RETURN key, links
"""

LINK_COUNTS = """
UNWIND $keys AS key
MATCH (me:Partner {key: key})
RETURN key, COUNT {
  MATCH (me)-[r:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH]-(:Partner)
  WHERE ($types IS NULL OR type(r) IN $types)
    AND ($direction IS NULL OR (startNode(r) = me) = ($direction = 'OUTGOING'))
} AS n
"""


def _tree_query(depth: int) -> str:
    # A variable-length bound cannot be a parameter: `depth` is checked to be an int in 1..10.
    if not isinstance(depth, int) or not 1 <= depth <= 10:
        raise ValueError("depth must be an int from 1 to 10")
    return f"""
UNWIND $keys AS key
MATCH (root:Partner {{key: key}})
CALL (root) {{
  MATCH path = (p:Partner)-[:SUB_PARTNER_OF*1..{depth}]->(root)
  WITH p, min(length(path)) AS level
  WITH collect(p) AS members, collect({{partner: p, level: level}}) AS found
  UNWIND found AS member
  WITH member.partner AS p, member.level AS level, members
  MATCH (p)-[s:SUB_PARTNER_OF]->(parent:Partner)
  WHERE parent = root OR parent IN members
  WITH p, level, parent, s ORDER BY level, p.key, parent.key
  RETURN collect({{partner: {PARTNER}, parent: parent.key, level: level,
                  strength: s.strength, since: s.since}}) AS edges
}}
RETURN key, edges
"""


async def partners_by_keys(graph: Graph, keys: list[str]) -> dict[str, Row]:
    found = await graph.read_column(PARTNERS_BY_KEYS, "partner", {"keys": keys})
    return {row["key"]: row for row in found}


async def sub_partners(graph: Graph, keys: list[str], window: Window) -> dict[str, list[Row]]:
    params = {"keys": keys, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(SUB_PARTNERS, "children", params)


async def sub_partner_counts(graph: Graph, keys: list[str]) -> dict[str, int]:
    return await graph.read_by_key(SUB_PARTNER_COUNTS, "n", {"keys": keys})


async def parents(graph: Graph, keys: list[str]) -> dict[str, list[Row]]:
    return await graph.read_by_key(PARENTS, "parents", {"keys": keys})


async def trees(graph: Graph, keys: list[str], depth: int) -> dict[str, list[Row]]:
    """Every SUB_PARTNER_OF edge below each root within `depth` levels, shallow first."""
    return await graph.read_by_key(_tree_query(depth), "edges", {"keys": keys})


async def links(
    graph: Graph,
    keys: list[str],
    types: list[str] | None,
    direction: str | None,
    window: Window,
) -> dict[str, list[Row]]:
    params = {"keys": keys, "types": types, "direction": direction, **window.params()}
    return await graph.read_by_key(LINKS, "links", params)


async def link_counts(
    graph: Graph, keys: list[str], types: list[str] | None, direction: str | None
) -> dict[str, int]:
    params = {"keys": keys, "types": types, "direction": direction}
    return await graph.read_by_key(LINK_COUNTS, "n", params)


CREATE_PARTNER = f"""
CREATE (p:Partner {{key: $key}})
SET p += $props
{lower_name("p")}
RETURN {PARTNER} AS partner
"""

UPDATE_PARTNER = f"""
MATCH (p:Partner {{key: $key}})
SET p += $props
{lower_name("p")}
RETURN {PARTNER} AS partner
"""


async def create_partner(graph: Graph, key: str, props: dict[str, Any]) -> Row:
    try:
        records = await graph.write(CREATE_PARTNER, {"key": key, "props": props})
    except ConstraintError:
        raise Conflict(f"a partner with key {shown(key)} exists already", field="key") from None
    return records[0]["partner"]


async def update_partner(graph: Graph, key: str, props: dict[str, Any]) -> Row:
    """Set the given properties; a None value removes one."""
    records = await graph.write(UPDATE_PARTNER, {"key": key, "props": props})
    if not records:
        raise NotFound(f"there is no partner {shown(key)}", field="partner")
    return records[0]["partner"]
