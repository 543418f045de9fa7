"""A co-selling plan's progress as of day t: what its team has won and has in the pipeline.

DESIGN.md. The team is the plan's members M and every partner below them in the sub-partner
DAG, however deep. The plan's deals: those registered by a team partner for a customer matching
the plan's target industries and regions (an empty list matches all; a customer without an
industry or region matches no non-empty list), each deal once. With last = min(endsOn, t):

- won: WON, startsOn <= closedOn <= last (a WON deal without closedOn counts in no window);
- pipeline: PENDING or APPROVED now, startsOn <= registeredOn <= last, expiresOn >= t or none.

A deal without amount counts as a deal adding 0.0. attainment = wonAmount / targetAmount;
expectedByNow = targetAmount * d / D, D the days of [startsOn, endsOn] and d those of
[startsOn, t], both inclusive, d clamped to [0, D]; onTrack = wonAmount >= expectedByNow.
byMember gives the same four figures for each member m over {m} and the partners below it, in
member key order, every member listed (a deal of a sub-partner under two members counts for
each, and once in the totals). campaignInfluenced: the plan's won and pipeline deals whose
customer one of the plan's own campaigns (PROMOTED_BY) had reached by the deal's registeredOn:
the campaign started on or before it, and one of its participants or their direct
sub-partners holds an account on the customer (any status), the customer matching the
campaign's targets — campaignReach at depth 1 with every status, asked of one customer.

One query answers a batch of plans (`UNWIND $plans`). The team is walked from each member down
to its deals (a few hundred even for the largest distributor); a deal's influence is read from
its customer's few account holders, looked up among the partners each campaign reaches through
(its participants and their direct sub-partners, reach_scope's `team(1)`), never from those
partners down to their accounts (a participant may hold a hundred thousand).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.analytics.reach_scope import team
from graph.db import Graph
from graph.model import DealStatus

Row = dict[str, Any]

OPEN = [DealStatus.PENDING.value, DealStatus.APPROVED.value]

# In: plan. Out: one row (plan, campaigns): the plan's own campaigns, each as {startsOn,
# industries and regions (its targets, [] for all), reachers (the partners whose accounts it
# reaches: its participants and their direct sub-partners, as campaignReach at depth 1)}.
PLAN_CAMPAIGNS = f"""CALL (plan) {{
  MATCH (plan)-[:PROMOTED_BY]->(k:Campaign)
  RETURN collect({{startsOn: k.startsOn, industries: coalesce(k.targetIndustries, []),
                  regions: coalesce(k.targetRegions, []),
                  reachers: COLLECT {{ MATCH (p:Partner)-[:PARTICIPATES_IN]->(k)
                                       {team(1)}
                                       RETURN DISTINCT q }}}}) AS campaigns
}}"""

# In: plan, last (min(endsOn, $asOf)), industries and regions (the plan's targets, [] for all),
# campaigns (PLAN_CAMPAIGNS); $won ('WON'), $open (the open statuses), $asOf.
# Out: one row (plan, deals): each of the plan's won and pipeline deals once, as {members (the
# keys of the members whose team registered it), won (true: won; false: pipeline), amount
# (0.0 when absent), influenced}. `d` carries no label, so that the planner walks from each
# team partner to its own deals rather than seeking deals by status through the index. A
# deal's influence is read from its customer's account holders (a handful), looked up among
# each campaign's reachers.
PLAN_DEALS = """CALL (plan, last, industries, regions, campaigns) {
  MATCH (m:Partner)-[:MEMBER_OF]->(plan)
  MATCH (q:Partner)-[:SUB_PARTNER_OF*0..]->(m)
  WITH DISTINCT m.key AS member, q
  MATCH (q)-[:REGISTERED]->(d)
  WHERE (d.status = $won AND plan.startsOn <= d.closedOn <= last)
     OR (d.status IN $open AND plan.startsOn <= d.registeredOn <= last
         AND (d.expiresOn IS NULL OR d.expiresOn >= $asOf))
  MATCH (d)-[:FOR]->(c:Customer)
  WHERE (size(industries) = 0 OR c.industry IN industries)
    AND (size(regions) = 0 OR c.region IN regions)
  WITH d, c, collect(member) AS members,
       COLLECT { MATCH (c)<-[:HAS_ACCOUNT]-(h) RETURN h } AS holders
  RETURN collect({members: members, won: d.status = $won,
                  amount: toFloat(coalesce(d.amount, 0.0)),
                  influenced: any(k IN campaigns WHERE k.startsOn <= d.registeredOn
                    AND (size(k.industries) = 0 OR c.industry IN k.industries)
                    AND (size(k.regions) = 0 OR c.region IN k.regions)
                    AND any(h IN holders WHERE h IN k.reachers))}) AS deals
}"""

# In: counted, a list of deals as PLAN_DEALS gives them. Out: the map of the four figures over
# them; the amounts are floats, 0.0 when there is nothing.
FIGURES = """{wonAmount: reduce(s = 0.0, x IN counted |
                         s + CASE WHEN x.won THEN x.amount ELSE 0.0 END),
  wonDeals: size([x IN counted WHERE x.won]),
  pipelineAmount: reduce(s = 0.0, x IN counted |
                         s + CASE WHEN x.won THEN 0.0 ELSE x.amount END),
  pipelineDeals: size([x IN counted WHERE NOT x.won])}"""

# In: $plans (plan keys), $asOf, $won, $open (`progress_params`).
# Out: rows (key, progress), one per key naming a plan (a key given twice, twice). Neither
# division is by 0 while a plan holds targetAmount > 0 and endsOn >= startsOn, which the plans'
# writes are to refuse otherwise.
PROGRESS_BY_KEYS = f"""
UNWIND $plans AS key
MATCH (plan:CoSellPlan {{key: key}})
WITH plan, coalesce(plan.targetIndustries, []) AS industries,
     coalesce(plan.targetRegions, []) AS regions,
     CASE WHEN plan.endsOn < $asOf THEN plan.endsOn ELSE $asOf END AS last,
     duration.inDays(plan.startsOn, plan.endsOn).days + 1 AS span,
     duration.inDays(plan.startsOn, $asOf).days + 1 AS elapsed
{PLAN_CAMPAIGNS}
{PLAN_DEALS}
CALL (plan, deals) {{
  MATCH (m:Partner)-[:MEMBER_OF]->(plan)
  WITH DISTINCT m.key AS member ORDER BY member
  WITH member, [x IN deals WHERE member IN x.members] AS counted
  WITH member, {FIGURES} AS figures
  RETURN collect(figures {{partner: member, .*}}) AS byMember
}}
WITH plan, deals AS counted, byMember,
     CASE WHEN elapsed < 0 THEN 0 WHEN elapsed > span THEN span ELSE elapsed END AS due, span
WITH plan, counted, byMember, {FIGURES} AS total,
     toFloat(plan.targetAmount) * due / span AS expected
WITH plan, byMember, total, expected, [x IN counted WHERE x.influenced] AS counted
RETURN plan.key AS key,
       total {{.*, attainment: total.wonAmount / plan.targetAmount, expectedByNow: expected,
               onTrack: total.wonAmount >= expected, byMember: byMember,
               campaignInfluenced: {FIGURES}}} AS progress
"""


def progress_params(keys: list[str], as_of: date) -> dict[str, Any]:
    """What PROGRESS_BY_KEYS takes, for the plans named in `keys` as of `as_of`."""
    return {"plans": keys, "asOf": as_of, "won": DealStatus.WON.value, "open": OPEN}


async def progress_by_keys(graph: Graph, keys: list[str], as_of: date) -> dict[str, Row]:
    """The progress as of `as_of` of each plan named in `keys`, by plan key (a key naming no
    plan is absent): wonAmount, wonDeals, pipelineAmount, pipelineDeals, attainment,
    expectedByNow, onTrack, byMember [{partner (its key), wonAmount, wonDeals, pipelineAmount,
    pipelineDeals}] in member key order, campaignInfluenced {the four figures}."""
    return await graph.read_by_key(PROGRESS_BY_KEYS, "progress", progress_params(keys, as_of))
