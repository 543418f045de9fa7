"""Campaigns: lookups, the listing, and the partners taking part in them (PARTICIPATES_IN).

A partner-scoped viewer sees only the campaigns it takes part in (and all of their
participants): every query takes `$scope`, the viewer's partner key, or null for staff.
"""

from __future__ import annotations

from typing import Any

from graph.db import Graph
from graph.listing import Listing, Order
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

# `k` for a campaign: `c` is a customer's variable elsewhere.
CAMPAIGN = (
    "k {.key, .name, .startsOn, .endsOn, .channel, .budget, .targetIndustries, .targetRegions}"
)
PARTICIPATION = "role: r.role, mdf: r.mdf"

VISIBLE = "$scope IS NULL OR EXISTS { (:Partner {key: $scope})-[:PARTICIPATES_IN]->(k) }"

CAMPAIGNS = Listing(
    label="Campaign",
    var="k",
    projection=CAMPAIGN,
    filters={
        "channels": "k.channel IN $channels",
        "nameContains": "toLower(k.name) CONTAINS toLower($nameContains)",
        "activeOn": "k.startsOn <= $activeOn AND (k.endsOn IS NULL OR k.endsOn >= $activeOn)",
        "scope": VISIBLE,
    },
    orders={
        "KEY": Order("k.key"),
        "NAME": Order("k.name"),
        "STARTS_ON": Order("coalesce(k.startsOn, date('0001-01-01'))", "date($after[0])"),
    },
)

CAMPAIGNS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (k:Campaign {{key: key}})
WHERE {VISIBLE}
RETURN {CAMPAIGN} AS campaign
"""

# A partner's participations by campaign key, of the campaigns the viewer may see.
PARTICIPATIONS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
CALL (me) {{
  MATCH (me)-[r:PARTICIPATES_IN]->(k:Campaign)
  WHERE ({VISIBLE}) AND ($after IS NULL OR k.key > $after)
  WITH r, k ORDER BY k.key LIMIT $limit
  RETURN collect({{{PARTICIPATION}, partner: me.key, campaign: {CAMPAIGN}}}) AS participations
}}
RETURN key, participations
"""

PARTICIPATION_COUNTS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
RETURN key, COUNT {{ MATCH (me)-[:PARTICIPATES_IN]->(k:Campaign) WHERE {VISIBLE} }} AS n
"""

# A campaign's participants by partner key: all of them, where the viewer sees the campaign.
PARTICIPATIONS_BY_CAMPAIGN = f"""
UNWIND $keys AS key
MATCH (k:Campaign {{key: key}})
WHERE {VISIBLE}
CALL (k) {{
  MATCH (p:Partner)-[r:PARTICIPATES_IN]->(k)
  WHERE $after IS NULL OR p.key > $after
  WITH r, p ORDER BY p.key LIMIT $limit
  RETURN collect({{{PARTICIPATION}, campaign: k.key, partner: {PARTNER}}}) AS participations
}}
RETURN key, participations
"""

PARTICIPATION_COUNTS_BY_CAMPAIGN = f"""
UNWIND $keys AS key
MATCH (k:Campaign {{key: key}})
WHERE {VISIBLE}
RETURN key, COUNT {{ (:Partner)-[:PARTICIPATES_IN]->(k) }} AS n
"""


async def campaigns_by_keys(graph: Graph, keys: list[str], scope: str | None) -> dict[str, Row]:
    records = await graph.read(CAMPAIGNS_BY_KEYS, {"keys": keys, "scope": scope})
    return {record["campaign"]["key"]: record["campaign"] for record in records}


async def participations_by_partner(
    graph: Graph, keys: list[str], scope: str | None, window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "scope": scope, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(PARTICIPATIONS_BY_PARTNER, "participations", params)


async def participation_counts_by_partner(
    graph: Graph, keys: list[str], scope: str | None
) -> dict[str, int]:
    return await graph.read_by_key(
        PARTICIPATION_COUNTS_BY_PARTNER, "n", {"keys": keys, "scope": scope}
    )


async def participations_by_campaign(
    graph: Graph, keys: list[str], scope: str | None, window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "scope": scope, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(PARTICIPATIONS_BY_CAMPAIGN, "participations", params)


async def participation_counts_by_campaign(
    graph: Graph, keys: list[str], scope: str | None
) -> dict[str, int]:
    return await graph.read_by_key(
        PARTICIPATION_COUNTS_BY_CAMPAIGN, "n", {"keys": keys, "scope": scope}
    )
