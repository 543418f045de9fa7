"""Campaigns: lookups, the listing, the partners taking part in them (PARTICIPATES_IN), writes.

A partner-scoped viewer sees only the campaigns it takes part in (and all of their
participants): every query takes `$member`, the viewer's partner key, or null for staff.
"""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ConstraintError

from graph.db import Graph, Transaction
from graph.errors import Conflict, NotFound
from graph.listing import Listing, Order, lower_name, name_contains
from graph.members import MISSING, UnknownPartners
from graph.messages import shown
from graph.paging import Window
from graph.partners import PARTNER

Row = dict[str, Any]

# `k` for a campaign: `c` is a customer's variable elsewhere.
CAMPAIGN = (
    "k {.key, .name, .startsOn, .endsOn, .channel, .budget, .targetIndustries, .targetRegions}"
)
PARTICIPATION = "role: r.role, mdf: r.mdf"

VISIBLE = "$member IS NULL OR EXISTS { (:Partner {key: $member})-[:PARTICIPATES_IN]->(k) }"

CAMPAIGNS = Listing(
    label="Campaign",
    var="k",
    projection=CAMPAIGN,
    filters={
        "channels": "k.channel IN $channels",
        "nameContains": name_contains("k"),
        "activeOn": "k.startsOn <= $activeOn AND (k.endsOn IS NULL OR k.endsOn >= $activeOn)",
        "member": VISIBLE,
    },
    sources={"member": "MATCH (:Partner {key: $member})-[:PARTICIPATES_IN]->(k:Campaign)"},
    orders={
        "KEY": Order("k.key", seekable=True),
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


async def campaigns_by_keys(graph: Graph, keys: list[str], member: str | None) -> dict[str, Row]:
    found = await graph.read_column(CAMPAIGNS_BY_KEYS, "campaign", {"keys": keys, "member": member})
    return {row["key"]: row for row in found}


async def participations_by_partner(
    graph: Graph, keys: list[str], member: str | None, window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "member": member, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(PARTICIPATIONS_BY_PARTNER, "participations", params)


async def participation_counts_by_partner(
    graph: Graph, keys: list[str], member: str | None
) -> dict[str, int]:
    return await graph.read_by_key(
        PARTICIPATION_COUNTS_BY_PARTNER, "n", {"keys": keys, "member": member}
    )


async def participations_by_campaign(
    graph: Graph, keys: list[str], member: str | None, window: Window
) -> dict[str, list[Row]]:
    params = {"keys": keys, "member": member, "limit": window.limit, "after": window.after_key}
    return await graph.read_by_key(PARTICIPATIONS_BY_CAMPAIGN, "participations", params)


async def participation_counts_by_campaign(
    graph: Graph, keys: list[str], member: str | None
) -> dict[str, int]:
    return await graph.read_by_key(
        PARTICIPATION_COUNTS_BY_CAMPAIGN, "n", {"keys": keys, "member": member}
    )


# Writes, by staff only (so without `$member`): a new campaign, and its partners added or removed.

CREATE_CAMPAIGN = f"""
CREATE (k:Campaign {{key: $key}})
SET k.name = $name, k.startsOn = $startsOn, k.endsOn = $endsOn, k.channel = $channel,
    k.budget = $budget, k.targetIndustries = $targetIndustries,
    k.targetRegions = $targetRegions
{lower_name("k")}
RETURN {CAMPAIGN} AS campaign
"""

CHECK_CAMPAIGN = f"""
MATCH (k:Campaign {{key: $campaign}})
RETURN {MISSING}
"""

ADD_PARTICIPATIONS = f"""
MATCH (k:Campaign {{key: $campaign}})
UNWIND $participations AS row
MATCH (partner:Partner {{key: row.partner}})
MERGE (partner)-[r:PARTICIPATES_IN]->(k)
SET r.role = row.role, r.mdf = row.mdf
WITH DISTINCT k
RETURN {CAMPAIGN} AS campaign
"""

REMOVE_PARTICIPATIONS = f"""
MATCH (k:Campaign {{key: $campaign}})
CALL (k) {{
  MATCH (partner:Partner)-[r:PARTICIPATES_IN]->(k)
  WHERE partner.key IN $partners
  DELETE r
}}
RETURN {CAMPAIGN} AS campaign
"""


async def create_campaign(graph: Graph, fields: dict[str, Any]) -> Row:
    """A new campaign from `fields` (every property of one); Conflict on a taken key."""
    try:
        records = await graph.write(CREATE_CAMPAIGN, fields)
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(f"a campaign with key {shown(taken)} exists already", field="key") from None
    return records[0]["campaign"]


async def _change_participants(
    graph: Graph, campaign: str, partners: list[str], query: str, params: dict[str, Any]
) -> Row:
    """Check the campaign and the partners, then run `query`, in one transaction."""

    async def work(tx: Transaction) -> Row:
        records = await tx.run(CHECK_CAMPAIGN, {"campaign": campaign, "partners": partners})
        if not records:
            raise NotFound(f"there is no campaign {shown(campaign)}", field="campaign")
        if records[0]["missing"]:
            raise UnknownPartners(records[0]["missing"])
        return (await tx.run(query, {"campaign": campaign, **params}))[0]["campaign"]

    return await graph.transaction(work)


async def add_participations(graph: Graph, campaign: str, participations: list[Row]) -> Row:
    """Merge each partner's PARTICIPATES_IN (partner, role, mdf); all or nothing."""
    partners = [row["partner"] for row in participations]
    params = {"participations": participations}
    return await _change_participants(graph, campaign, partners, ADD_PARTICIPATIONS, params)


async def remove_participations(graph: Graph, campaign: str, partners: list[str]) -> Row:
    """Delete the partners' PARTICIPATES_IN (those not taking part are left as they are)."""
    params = {"partners": partners}
    return await _change_participants(graph, campaign, partners, REMOVE_PARTICIPATIONS, params)
