"""Co-selling plans: joint sales targets of partners, their members and the campaigns behind them.

A plan is a (:CoSellPlan {key, name, startsOn, endsOn, targetAmount, targetDeals,
targetIndustries, targetRegions}) node; the lists are never null (empty: every industry or
region). Its members are (:Partner)-[:MEMBER_OF {responsibilities, mdfCommitted}]->(plan), its
own campaigns (what the marketing buys) (plan)-[:PROMOTED_BY]->(:Campaign). A member or a
campaign added twice is one relationship (MERGE). How far a plan has come is
graph.analytics.plan_progress.

A partner-scoped viewer sees only the plans it is a member of: every read takes `$member`, the
viewer's partner key, or null for staff. Writes are staff's (resolvers check the role).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from neo4j.exceptions import ConstraintError
from neo4j.time import Date

from graph.db import Graph, Transaction
from graph.errors import Conflict, InvalidInput, NotFound
from graph.listing import Listing, Order, lower_name
from graph.messages import shown

Row = dict[str, Any]

# The longest plan: ten years, both ends included (joint business plans run a year or a few).
MAX_PLAN_DAYS = 3_653

# `pl` for a plan. Its members by partner key and its campaigns by key ride along: a plan has a
# handful of each, and every view of a plan shows them.
PLAN = """pl {.key, .name, .startsOn, .endsOn, .targetAmount, .targetDeals, .targetIndustries,
  .targetRegions,
  members: [(m:Partner)-[r:MEMBER_OF]->(pl) | {partner: m.key,
    responsibilities: coalesce(r.responsibilities, []), mdfCommitted: r.mdfCommitted}],
  campaigns: [(pl)-[:PROMOTED_BY]->(k:Campaign) | k.key]}"""

PLAN_VISIBLE = "$member IS NULL OR EXISTS { (:Partner {key: $member})-[:MEMBER_OF]->(pl) }"

PLANS = Listing(
    label="CoSellPlan",
    var="pl",
    projection=PLAN,
    filters={
        "partner": "EXISTS { (:Partner {key: $partner})-[:MEMBER_OF]->(pl) }",
        "activeOn": "pl.startsOn <= $activeOn AND pl.endsOn >= $activeOn",
        "member": PLAN_VISIBLE,
    },
    sources={
        "member": "MATCH (:Partner {key: $member})-[:MEMBER_OF]->(pl:CoSellPlan)",
        "partner": "MATCH (:Partner {key: $partner})-[:MEMBER_OF]->(pl:CoSellPlan)",
    },
    orders={"KEY": Order("pl.key", seekable=True)},
)

# In: $keys, $member. Out: plan, one row per key naming a plan the viewer may see.
PLANS_BY_KEYS = f"""
UNWIND $keys AS key
MATCH (pl:CoSellPlan {{key: key}})
WHERE {PLAN_VISIBLE}
RETURN {PLAN} AS plan
"""

# In: $keys (partner keys), $member. Out: (key, plans): the plans each partner is a member of
# that the viewer may see, by plan key.
PLANS_BY_PARTNER = f"""
UNWIND $keys AS key
MATCH (me:Partner {{key: key}})
CALL (me) {{
  MATCH (me)-[:MEMBER_OF]->(pl:CoSellPlan)
  WHERE {PLAN_VISIBLE}
  WITH pl ORDER BY pl.key
  RETURN collect({PLAN}) AS plans
}}
RETURN key, plans
"""


def plan_problems(fields: Row) -> list[tuple[str, str]]:
    """What a plan's fields (API names) break, as (field, reason): an end before the start, a
    span over MAX_PLAN_DAYS, a target amount that is not above zero, negative target deals."""
    problems = []
    starts, ends = fields.get("startsOn"), fields.get("endsOn")
    if isinstance(starts, date) and isinstance(ends, date):
        if ends < starts:
            problems.append(("endsOn", f"{ends} is before startsOn {starts}"))
        elif (ends - starts).days + 1 > MAX_PLAN_DAYS:
            last = starts + timedelta(days=MAX_PLAN_DAYS - 1)
            problems.append(
                ("endsOn", f"a plan runs at most {MAX_PLAN_DAYS:,} days: {last} at the latest")
            )
    amount = fields.get("targetAmount")
    if amount is not None and not amount > 0:
        problems.append(("targetAmount", f"{amount} is not above zero"))
    deals = fields.get("targetDeals")
    if deals is not None and deals < 0:
        problems.append(("targetDeals", f"{deals} is negative"))
    return problems


async def plans_by_keys(graph: Graph, keys: list[str], member: str | None) -> dict[str, Row]:
    found = await graph.read_column(PLANS_BY_KEYS, "plan", {"keys": keys, "member": member})
    return {row["key"]: row for row in found}


async def plans_by_partner(
    graph: Graph, keys: list[str], member: str | None
) -> dict[str, list[Row]]:
    return await graph.read_by_key(PLANS_BY_PARTNER, "plans", {"keys": keys, "member": member})


# Writes. Each names the plan by `$plan` and returns it whole (`plan`), or nothing when the plan
# is not there (a NotFound for the caller).

FIELDS = ("name", "startsOn", "endsOn", "targetAmount", "targetDeals", "targetIndustries",
          "targetRegions")  # fmt: skip

CREATE_PLAN = f"""
CREATE (pl:CoSellPlan {{key: $key}})
SET pl.name = $name, pl.startsOn = $startsOn, pl.endsOn = $endsOn,
    pl.targetAmount = $targetAmount, pl.targetDeals = $targetDeals,
    pl.targetIndustries = $targetIndustries, pl.targetRegions = $targetRegions
{lower_name("pl")}
RETURN {PLAN} AS plan
"""

# The plan as stored, locked for the update that follows in the same transaction.
LOCKED_PLAN = """
MATCH (pl:CoSellPlan {key: $plan})
SET pl._lock = true REMOVE pl._lock
RETURN pl {.startsOn, .endsOn, .targetAmount, .targetDeals} AS plan
"""

# In: $plan, $fields (a map of the properties to set; a null removes one).
UPDATE_PLAN = f"""
MATCH (pl:CoSellPlan {{key: $plan}})
SET pl += $fields
{lower_name("pl")}
RETURN {PLAN} AS plan
"""

DELETE_PLAN = """
MATCH (pl:CoSellPlan {key: $plan})
DETACH DELETE pl
RETURN count(*) AS deleted
"""

SET_MEMBER = f"""
MATCH (pl:CoSellPlan {{key: $plan}})
OPTIONAL MATCH (partner:Partner {{key: $partner}})
CALL (pl, partner) {{
  WITH pl, partner WHERE partner IS NOT NULL
  MERGE (partner)-[r:MEMBER_OF]->(pl)
  SET r.responsibilities = $responsibilities, r.mdfCommitted = $mdfCommitted
}}
RETURN {PLAN} AS plan, partner IS NOT NULL AS found
"""

REMOVE_MEMBER = f"""
MATCH (pl:CoSellPlan {{key: $plan}})
OPTIONAL MATCH (partner:Partner {{key: $partner}})
CALL (pl, partner) {{
  MATCH (partner)-[r:MEMBER_OF]->(pl)
  DELETE r
}}
RETURN {PLAN} AS plan, partner IS NOT NULL AS found
"""

ADD_CAMPAIGN = f"""
MATCH (pl:CoSellPlan {{key: $plan}})
OPTIONAL MATCH (k:Campaign {{key: $campaign}})
CALL (pl, k) {{
  WITH pl, k WHERE k IS NOT NULL
  MERGE (pl)-[:PROMOTED_BY]->(k)
}}
RETURN {PLAN} AS plan, k IS NOT NULL AS found
"""

REMOVE_CAMPAIGN = f"""
MATCH (pl:CoSellPlan {{key: $plan}})
OPTIONAL MATCH (k:Campaign {{key: $campaign}})
CALL (pl, k) {{
  MATCH (pl)-[r:PROMOTED_BY]->(k)
  DELETE r
}}
RETURN {PLAN} AS plan, k IS NOT NULL AS found
"""


def _native(value: Any) -> Any:
    """A Neo4j date as a Python one (other values as they are)."""
    return value.to_native() if isinstance(value, Date) else value


def no_plan(key: str) -> NotFound:
    return NotFound(f"there is no co-selling plan {shown(key)}", field="plan")


def _refused(problems: list[tuple[str, str]]) -> InvalidInput:
    field, reason = problems[0]
    return InvalidInput(reason, field=field)


async def create_plan(graph: Graph, fields: Row) -> Row:
    """A new plan from `fields` (key and every field of FIELDS); Conflict on a taken key."""
    if problems := plan_problems(fields):
        raise _refused(problems)
    try:
        records = await graph.write(CREATE_PLAN, fields)
    except ConstraintError:
        taken = fields["key"]
        raise Conflict(
            f"a co-selling plan with key {shown(taken)} exists already", field="key"
        ) from None
    return records[0]["plan"]


async def update_plan(graph: Graph, key: str, fields: Row) -> Row:
    """Set the given fields (a None removes an optional one), checked against those the plan
    keeps, under the plan's lock."""

    async def work(tx: Transaction) -> Row:
        records = await tx.run(LOCKED_PLAN, {"plan": key})
        if not records:
            raise no_plan(key)
        stored = {name: _native(value) for name, value in records[0]["plan"].items()}
        if problems := plan_problems({**stored, **fields}):
            raise _refused(problems)
        return (await tx.run(UPDATE_PLAN, {"plan": key, "fields": fields}))[0]["plan"]

    return await graph.transaction(work)


async def delete_plan(graph: Graph, key: str) -> None:
    """Delete the plan and its links to members and campaigns (those stay)."""
    records = await graph.write(DELETE_PLAN, {"plan": key})
    if not records[0]["deleted"]:
        raise no_plan(key)


async def _linked(graph: Graph, query: str, params: Row, noun: str, end: str) -> Row:
    """Run a write of one of the plan's links; NotFound when the plan or the other end is
    missing (then nothing is written)."""
    records = await graph.write(query, params)
    if not records:
        raise no_plan(params["plan"])
    if not records[0]["found"]:
        raise NotFound(f"there is no {noun} {shown(params[end])}", field=end)
    return records[0]["plan"]


async def set_member(
    graph: Graph, plan: str, partner: str, responsibilities: list[str], mdf: float | None
) -> Row:
    """Make `partner` a member of `plan` with these responsibilities and committed MDF (a
    member already: its part is set to these)."""
    params = {
        "plan": plan,
        "partner": partner,
        "responsibilities": responsibilities,
        "mdfCommitted": mdf,
    }
    return await _linked(graph, SET_MEMBER, params, "partner", "partner")


async def remove_member(graph: Graph, plan: str, partner: str) -> Row:
    """Take `partner` out of `plan` (one not in it is left as it is)."""
    params = {"plan": plan, "partner": partner}
    return await _linked(graph, REMOVE_MEMBER, params, "partner", "partner")


async def add_campaign(graph: Graph, plan: str, campaign: str) -> Row:
    params = {"plan": plan, "campaign": campaign}
    return await _linked(graph, ADD_CAMPAIGN, params, "campaign", "campaign")


async def remove_campaign(graph: Graph, plan: str, campaign: str) -> Row:
    params = {"plan": plan, "campaign": campaign}
    return await _linked(graph, REMOVE_CAMPAIGN, params, "campaign", "campaign")
