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

# The participants ($partners: distinct keys) as rows, and each reached customer's segments and
# the participants reaching it, folded into the figures of the summary.
_SEGMENTS = """CALL (rows) {{
  UNWIND rows AS row
  WITH row.{field} AS segment, count(*) AS customers
  ORDER BY customers DESC, segment
  RETURN collect({{segment: segment, customers: customers}}) AS {name}
}}"""


def _summary(depth: int) -> str:
    return f"""
CALL () {{
  UNWIND $partners AS key
  MATCH (p:Partner {{key: key}})
  RETURN collect({PARTNER}) AS partners
}}
CALL () {{
  UNWIND $partners AS key
  MATCH (p:Partner {{key: key}})
  {reached(depth)}
  WITH c, collect(p.key) AS by
  RETURN collect({{industry: coalesce(c.industry, ''), region: coalesce(c.region, ''),
                   by: by}}) AS rows
}}
CALL (rows) {{
  UNWIND rows AS row
  UNWIND row.by AS key
  WITH key, count(*) AS reach, sum(CASE size(row.by) WHEN 1 THEN 1 ELSE 0 END) AS exclusive
  RETURN collect({{key: key, reach: reach, exclusive: exclusive}}) AS reaches
}}
{_SEGMENTS.format(field="industry", name="byIndustry")}
{_SEGMENTS.format(field="region", name="byRegion")}
RETURN partners, reaches, byIndustry, byRegion, size(rows) AS total,
       size([row IN rows WHERE size(row.by) > 1]) AS shared
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
    reaches = {row["key"]: row for row in r["reaches"]}
    rows = sorted(r["partners"], key=lambda row: row["key"])
    participants = [
        PartnerReach(
            row,
            reaches.get(row["key"], {}).get("reach", 0),
            reaches.get(row["key"], {}).get("exclusive", 0),
        )
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
