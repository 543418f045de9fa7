"""Partner suggestions: DESIGN.md's greedy pick, evaluated lazily.

Among the partners not taking part, the greedy repeatedly picks the one whose reach R (read
through `reach_scope.reached`) adds the most customers not yet reached, ties by key asc, and
stops after `first` picks or when the best adds nothing. `reached` starts as the union of the
participants' R.

Every candidate starts with a cheap upper bound of its gain, read for all candidates in one
query: the HAS_ACCOUNT degrees of its team, or, where the targets are narrow, its team's
accounts of the targeted customers; only the candidates that come to the top of the
queue have their R read (in batches, one query each) and their gain computed, in Python.

Why the picks are the plain greedy's: the gain of a candidate can only shrink as `reached` grows
(|R - X| ≥ |R - Y| for X ⊆ Y: the function is submodular), so a gain computed in an earlier round,
like the degree bound, stays an upper bound of the current gain. The queue is ordered by
(-bound, key). When its top entry was computed in the current round (fresh), its bound is its
exact gain g, and every other entry has a bound < g, or = g with a larger key; their exact gains
are no larger than their bounds, so none beats the top — the plain greedy, recomputing everyone,
would pick the same partner, with the same tie-break. A candidate whose gain reaches 0 leaves the
queue (it can only stay 0), and an empty queue is "the best adds nothing".
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from graph.analytics.reach_scope import MAX_DEPTH, reached, team
from graph.campaigns import VISIBLE
from graph.db import Graph
from graph.members import MISSING

# How many stale candidates are evaluated at once, and how many accounts (by their bounds) the
# R sets of one read may hold: reading costs about 5 µs an account on medium, and a larger
# batch mostly reads candidates that will not be picked (each further read costs a round trip).
BATCH = 32
READ_BUDGET = 60_000

# A stored campaign the viewer may see: its participants and its targets.
CAMPAIGN_PLAN = f"""
MATCH (k:Campaign {{key: $campaign}})
WHERE {VISIBLE}
RETURN [(p:Partner)-[:PARTICIPATES_IN]->(k) | p.key] AS partners,
       coalesce(k.targetIndustries, []) AS industries,
       coalesce(k.targetRegions, []) AS regions
"""

PARTNERS_MISSING = f"RETURN {MISSING}"

# Each candidate (every partner not in $taking) with an upper bound of |R|: the sum over its team
# (counting only the members whose accounts may be counted) of each member's accounts, or, given
# `$held`, of its accounts of targeted customers. Without `$held` the accounts are the
# HAS_ACCOUNT degree, from the degree store (no account is read). Statuses and targets only remove
# customers, and a customer held by two members is counted twice, so a bound is never below |R|.
BOUNDS = {
    depth: f"""
MATCH (p:Partner)
WHERE NOT p.key IN $taking
{team(depth)}
WITH p, sum(CASE WHEN $allowed IS NOT NULL AND NOT q.key IN $allowed THEN 0
                 WHEN $held IS NULL THEN COUNT {{ (q)-[:HAS_ACCOUNT]->() }}
                 ELSE coalesce($held[q.key], 0) END) AS bound
RETURN p.key AS key, bound
"""
    for depth in range(MAX_DEPTH + 1)
}

# The customers matching the targets, found through the index of the more selective target
# (industry or region): how many each index finds, and each partner's accounts of the targeted
# customers (`$held` above).
SEEK_COUNT = {
    "industry": "MATCH (c:Customer) WHERE c.industry IN $industries RETURN count(c) AS n",
    "region": "MATCH (c:Customer) WHERE c.region IN $regions RETURN count(c) AS n",
}
_TARGETED = {
    "industry": """MATCH (c:Customer) WHERE c.industry IN $industries
  AND (size($regions) = 0 OR c.region IN $regions)""",
    "region": """MATCH (c:Customer) WHERE c.region IN $regions
  AND (size($industries) = 0 OR c.industry IN $industries)""",
}
TARGETED_HELD = {
    by: f"""{match}
MATCH (q:Partner)-[a:HAS_ACCOUNT]->(c)
WHERE a.status IN $statuses AND ($allowed IS NULL OR q.key IN $allowed)
RETURN q.key AS key, count(a) AS held"""
    for by, match in _TARGETED.items()
}
# Up to this many customers found by the index (about five accounts each on medium), reading
# their accounts costs less than the reach sets the looser degree bounds make the greedy read.
TARGETED_LIMIT = 120_000

# R of each partner in $keys, as internal customer ids: they are only compared with each other
# within one request, and are a third cheaper to send and to hash than keys. A partner reaching
# nobody has no row.
REACH_SETS = {
    depth: f"""
UNWIND $keys AS key
MATCH (p:Partner {{key: key}})
{reached(depth)}
WITH key, collect(id(c)) AS customers
RETURN key, customers
"""
    for depth in range(MAX_DEPTH + 1)
}

Reader = Callable[[list[str]], Awaitable[dict[str, Collection[int]]]]


@dataclass(frozen=True)
class Suggestions:
    """The picks in order (partner key, customers it adds), and the work it took: `evaluations`
    exact gains computed, where the plain greedy computes `plain_evaluations` (every candidate
    not yet picked, every round, the last one that finds nothing included)."""

    picks: list[tuple[str, int]]
    candidates: int
    evaluations: int
    plain_evaluations: int
    sets_read: int


def plain_count(candidates: int, picks: int, first: int) -> int:
    rounds = picks if picks == first else picks + 1  # it stopped on a round adding nothing
    rounds = min(rounds, candidates)
    return sum(candidates - i for i in range(rounds))


async def lazy_greedy(
    bounds: dict[str, int],
    reached: set[int],
    first: int,
    read: Reader,
    *,
    batch: int = BATCH,
    budget: int = READ_BUDGET,
) -> Suggestions:
    """The greedy picks over candidates with upper `bounds` of their reach; `read` gives the R
    of the keys it is passed (a key it leaves out reaches nobody). `reached` grows as it picks."""
    # (-bound, key, round the bound was computed in; -1: not a gain yet)
    queue = [(-bound, key, -1) for key, bound in bounds.items() if bound > 0]
    heapq.heapify(queue)
    sets: dict[str, frozenset[int]] = {}
    picks: list[tuple[str, int]] = []
    evaluations = sets_read = 0
    while queue and len(picks) < first:
        negative, key, computed = queue[0]
        if computed == len(picks):  # fresh: nothing else can add more (module docstring)
            heapq.heappop(queue)
            picks.append((key, -negative))
            reached |= sets.pop(key)
            continue
        stale: list[str] = []
        size = 0
        while queue and queue[0][2] != len(picks) and len(stale) < batch:
            if stale and queue[0][1] not in sets and size - queue[0][0] > budget:
                break
            negative, key, _ = heapq.heappop(queue)
            stale.append(key)
            size += 0 if key in sets else -negative
        unread = [key for key in stale if key not in sets]
        if unread:
            found = await read(unread)
            sets_read += len(unread)
            for key in unread:
                sets[key] = frozenset(found.get(key, ()))
        for key in stale:
            members = sets[key]
            gain = len(members) - len(members & reached)
            evaluations += 1
            if gain > 0:
                heapq.heappush(queue, (-gain, key, len(picks)))
            else:
                del sets[key]
    return Suggestions(
        picks,
        len(bounds),
        evaluations,
        plain_count(len(bounds), len(picks), first),
        sets_read,
    )


@dataclass(frozen=True)
class Plan:
    """Whom a suggestion starts from, and which customers count."""

    partners: list[str]
    industries: list[str]
    regions: list[str]


async def campaign_plan(graph: Graph, campaign: str, member: str | None) -> Plan | None:
    """A stored campaign's participants and targets; None where unknown or unseen."""
    records = await graph.read(CAMPAIGN_PLAN, {"campaign": campaign, "member": member})
    if not records:
        return None
    row = records[0]
    return Plan(sorted(row["partners"]), list(row["industries"]), list(row["regions"]))


async def missing_partners(graph: Graph, keys: list[str]) -> list[str]:
    records = await graph.read(PARTNERS_MISSING, {"partners": keys})
    return list(records[0]["missing"])


async def suggest_partners(
    graph: Graph,
    plan: Plan,
    first: int,
    depth: int,
    statuses: list[str],
    allowed: list[str] | None,
) -> Suggestions:
    """The greedy picks for `plan`, counting only the customers held by `allowed` partners
    (None: all)."""
    params: dict[str, Any] = {
        "statuses": statuses,
        "industries": plan.industries,
        "regions": plan.regions,
        "allowed": allowed,
    }

    async def read(keys: list[str]) -> dict[str, Collection[int]]:
        return await graph.read_by_key(REACH_SETS[depth], "customers", {**params, "keys": keys})

    reached: set[int] = set()
    if plan.partners:
        for customers in (await read(plan.partners)).values():
            reached.update(customers)
    held = await _targeted_held(graph, params)
    bounds = await graph.read_by_key(
        BOUNDS[depth], "bound", {"taking": plan.partners, "allowed": allowed, "held": held}
    )
    return await lazy_greedy(bounds, reached, first, read)


async def _targeted_held(graph: Graph, params: dict[str, Any]) -> dict[str, int] | None:
    """Each partner's accounts of the targeted customers, where the targets are narrow enough
    for that to be cheap; else None (the degree bounds)."""
    found = {}
    for by, given in (("industry", params["industries"]), ("region", params["regions"])):
        if given:
            found[by] = (await graph.read(SEEK_COUNT[by], params))[0]["n"]
    if not found or min(found.values()) > TARGETED_LIMIT:
        return None
    by = min(found, key=lambda side: found[side])
    return await graph.read_by_key(TARGETED_HELD[by], "held", params)
