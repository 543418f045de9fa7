"""Campaign reach: how many distinct customers a set of partners reaches, and which.

R(p) is read through graph/analytics/reach_scope.py `reached(depth)` (one definition of reach).
One query answers the summary (total, each participant's reach and exclusive reach, segments,
how many customers two or more participants reach); another a page of the reached customers,
each with the participants reaching it. A customer without an industry or region counts under
the segment "".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graph.analytics.reach_scope import reached
from graph.campaigns import VISIBLE
from graph.customers import CUSTOMER
from graph.db import Graph
from graph.partners import PARTNER

Row = dict[str, Any]

# A campaign the viewer may see ($member), its targets and its participants in key order.
CAMPAIGN_SCOPE = f"""
MATCH (k:Campaign {{key: $campaign}})
WHERE {VISIBLE}
RETURN k.key AS key, coalesce(k.targetIndustries, []) AS industries,
       coalesce(k.targetRegions, []) AS regions,
       COLLECT {{ MATCH (p:Partner)-[:PARTICIPATES_IN]->(k) RETURN p.key ORDER BY p.key }}
         AS partners
"""

# Each participant ($partners: distinct keys) with its reach, then every reached customer once,
# with how many participants reach it (and which, where only one does), folded into groups of
# (industry, region, shared, only participant): a few thousand groups even for a large
# campaign, which the figures are summed from. No list per customer is built.
_SEGMENTS = """CALL (groups) {{
  UNWIND groups AS g
  WITH g.{field} AS segment, sum(g.n) AS customers
  ORDER BY customers DESC, segment
  RETURN collect({{segment: segment, customers: customers}}) AS {name}
}}"""


def _summary(depth: int) -> str:
    return f"""
CALL () {{
  UNWIND $partners AS key
  MATCH (p:Partner {{key: key}})
  CALL (p) {{
    {reached(depth)}
    RETURN collect(c) AS cs
  }}
  RETURN collect({{partner: {PARTNER}, reach: size(cs)}}) AS reaches, collect([p.key, cs]) AS sets
}}
CALL (sets) {{
  UNWIND sets AS set
  UNWIND set[1] AS c
  WITH c, count(*) AS by, min(set[0]) AS first
  WITH coalesce(c.industry, '') AS industry, coalesce(c.region, '') AS region, by > 1 AS shared,
       CASE by WHEN 1 THEN first END AS only, count(*) AS n
  RETURN collect({{industry: industry, region: region, shared: shared, only: only, n: n}})
    AS groups
}}
CALL (groups) {{
  UNWIND groups AS g
  WITH g.only AS only, sum(g.n) AS n
  WHERE only IS NOT NULL
  RETURN collect({{key: only, n: n}}) AS exclusives
}}
{_SEGMENTS.format(field="industry", name="byIndustry")}
{_SEGMENTS.format(field="region", name="byRegion")}
RETURN reaches, exclusives, byIndustry, byRegion,
       reduce(total = 0, g IN groups | total + g.n) AS total,
       reduce(shared = 0, g IN groups | shared + CASE WHEN g.shared THEN g.n ELSE 0 END) AS shared
"""


def _customers(depth: int) -> str:
    """A window of the reached customers by key ($after, $limit) and how many there are; each
    with the participants reaching it, of those in $shown (null: all)."""
    return f"""
UNWIND $partners AS key
MATCH (p:Partner {{key: key}})
{reached(depth)}
WITH c, p ORDER BY p.key
WITH c, collect(p.key) AS by
ORDER BY c.key
WITH count(*) AS total,
     collect(CASE WHEN $after IS NULL OR c.key > $after THEN [c, by] END)[..$limit] AS page
UNWIND (CASE page WHEN [] THEN [null] ELSE page END) AS item
WITH total, item[0] AS c, item[1] AS by
RETURN total, collect(CASE WHEN c IS NOT NULL THEN {{customer: {CUSTOMER},
  participants: [k IN by WHERE $shown IS NULL OR k IN $shown]}} END) AS rows
"""


SUMMARIES = {depth: _summary(depth) for depth in range(6)}
CUSTOMER_PAGES = {depth: _customers(depth) for depth in range(6)}


@dataclass(frozen=True)
class Scope:
    """Whose reach, counted how: distinct partner keys, the depth, the account statuses, the
    target lists (empty: all), the partners whose accounts count (None: all)."""

    partners: tuple[str, ...]
    depth: int
    statuses: tuple[str, ...]
    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None

    def params(self) -> dict[str, Any]:
        return {
            "partners": list(self.partners),
            "statuses": list(self.statuses),
            "industries": list(self.industries),
            "regions": list(self.regions),
            "allowed": None if self.allowed is None else list(self.allowed),
        }


@dataclass(frozen=True)
class CampaignScope:
    key: str
    industries: list[str]
    regions: list[str]
    partners: list[str]


@dataclass(frozen=True)
class PartnerReach:
    partner: Row
    reach: int
    exclusive: int


@dataclass(frozen=True)
class Summary:
    total: int
    shared: int  # customers reached by two or more participants
    participants: list[PartnerReach]  # in key order
    by_industry: list[Row]
    by_region: list[Row]

    @property
    def overlap_share(self) -> float:
        return self.shared / self.total if self.total else 0.0


async def campaign_scope(graph: Graph, campaign: str, member: str | None) -> CampaignScope | None:
    """The campaign's targets and participants; None when unknown or not the viewer's."""
    records = await graph.read(CAMPAIGN_SCOPE, {"campaign": campaign, "member": member})
    if not records:
        return None
    r = records[0]
    return CampaignScope(r["key"], list(r["industries"]), list(r["regions"]), list(r["partners"]))


async def summary(graph: Graph, scope: Scope) -> Summary:
    records = await graph.read(SUMMARIES[scope.depth], scope.params())
    r = records[0]
    exclusive = {row["key"]: row["n"] for row in r["exclusives"]}
    rows = sorted(r["reaches"], key=lambda row: row["partner"]["key"])
    participants = [
        PartnerReach(row["partner"], row["reach"], exclusive.get(row["partner"]["key"], 0))
        for row in rows
    ]
    return Summary(r["total"], r["shared"], participants, r["byIndustry"], r["byRegion"])


async def reached_customers(
    graph: Graph,
    scope: Scope,
    after: str | None,
    limit: int,
    shown: list[str] | None = None,
) -> tuple[list[Row], int]:
    """Up to `limit` reached customers after the key `after`, by key, each as {customer,
    participants}; and how many are reached in all."""
    params = {**scope.params(), "after": after, "limit": limit, "shown": shown}
    records = await graph.read(CUSTOMER_PAGES[scope.depth], params)
    return list(records[0]["rows"]), records[0]["total"]


async def every_reached_customer(
    graph: Graph, scope: Scope, chunk: int = 2_000
) -> AsyncIterator[tuple[list[Row], int]]:
    """Every reached customer by key, a chunk at a time, each chunk with the total."""
    after: str | None = None
    while True:
        rows, total = await reached_customers(graph, scope, after, chunk)
        if rows:
            yield rows, total
        if len(rows) < chunk:
            return
        after = rows[-1]["customer"]["key"]
