"""The soak: the API as a real uvicorn process, `clients` callers in a closed loop (each sends
its next request when the last one is answered) for a while, a mix of reads and writes.

Reads, as staff: a partner's page, a page of partners, overlap and topOverlaps of typical
partners, a campaign's reach, a page of tier reviews, co-selling plans with their progress, the
first page of partnerImpact over a year, lookups by key. As partner tokens (so the audit trail is
written): an overlap with a partner whose agreement allows it, its own topOverlaps, its own plans
with their progress, its own page. Writes, each a pair that undoes itself: accountUpsert then
accountRemove of an account the partner does not hold, dealRegister then dealChangeStatus to
REJECTED (deals keyed SOAK-…, removed when the soak ends and before it starts), and
coSellPlanMemberSet then coSellPlanMemberRemove of a partner outside the plan. Each client writes
through partners of its own, so no two clients' pairs meet; the graph ends as it began.

Every answer other than 200, every GraphQL error and every mutation's userError is an error.
The API process's resident memory (RSS) is sampled every 10 s: it holds when the last sample is
within 10% of the one at minute 2 (of a run shorter than 4 minutes: at half time).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from neo4j import Driver, RoutingControl

from bench.impact import one_year
from bench.overlap import TOP_GRAPHQL, typical
from bench.scenarios import LOOKUP, PARTNER_PAGE, PARTNERS_PAGE, percentile
from bench.tier_review import PAGE as TIER_PAGE
from graph.ingest.generate import TODAY
from resolvers.node import encode_id

DEAL_PREFIX = "SOAK-"
RSS_EVERY = 10.0  # seconds between samples of the API's memory
RSS_REFERENCE = 120.0  # the sample the last one is held to
RSS_SLACK = 0.10

OVERLAP = "query($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count jaccard } }"
REACH = """query($campaign: ID!) { campaignReach(campaign: $campaign) {
  total overlapShare participants { partner { key } reach exclusive } } }"""
PROGRESS = """wonAmount wonDeals pipelineAmount pipelineDeals attainment expectedByNow onTrack
  byMember { partner { key } wonAmount wonDeals } campaignInfluenced { wonAmount wonDeals }"""
PLANS = f"""query($partner: ID) {{ coSellPlans(first: 20, partner: $partner) {{ totalCount
  nodes {{ key name targetAmount members {{ partner {{ key }} }}
  progress {{ {PROGRESS} }} }} }} }}"""
IMPACT = """query($from: Date!, $to: Date!) { partnerImpact(from: $from, to: $to, first: 100) {
  totalCount baselineWinRate edges { node { partner { key } sourcedWonAmount
  influencedWonAmount influencedWonDeals winRateInfluenced lift } } } }"""
ACCOUNT_UPSERT = """mutation($input: AccountUpsertInput!) { accountUpsert(input: $input) {
  userErrors { field message code } } }"""
ACCOUNT_REMOVE = """mutation($input: AccountRemoveInput!) { accountRemove(input: $input) {
  removed userErrors { field message code } } }"""
DEAL_REGISTER = """mutation($input: DealRegisterInput!) { dealRegister(input: $input) {
  deal { id status } userErrors { field message code } } }"""
DEAL_STATUS = """mutation($input: DealChangeStatusInput!) { dealChangeStatus(input: $input) {
  deal { status } userErrors { field message code } } }"""
MEMBER_SET = """mutation($input: CoSellPlanMemberSetInput!) { coSellPlanMemberSet(input: $input) {
  plan { key } userErrors { field message code } } }"""
MEMBER_REMOVE = """mutation($input: CoSellPlanMemberRemoveInput!) {
  coSellPlanMemberRemove(input: $input) { plan { key } userErrors { field message code } } }"""

# Each question of the world the soak asks from: the graph as loaded.
PARTNERS = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key"
CAMPAIGNS = "MATCH (k:Campaign)<-[:PARTICIPATES_IN]-() RETURN DISTINCT k.key AS key ORDER BY key"
# A grantee and a grantor whose agreement lets the grantee see their overlap today.
GRANTS = """
MATCH (g:Partner)-[:GRANTS]->(a:Agreement {status: 'ACTIVE'})-[:TO]->(e:Partner)
WHERE a.validFrom <= date() AND (a.validTo IS NULL OR a.validTo >= date()) AND g <> e
RETURN DISTINCT e.key AS viewer, g.key AS other ORDER BY viewer, other
"""
MEMBERS = "MATCH (p:Partner)-[:MEMBER_OF]->(l:CoSellPlan) RETURN p.key AS key, l.key AS plan"
PLAN_KEYS = "MATCH (l:CoSellPlan) RETURN l.key AS key ORDER BY key"
# Customers a partner holds no account with, for account pairs that undo themselves.
NOT_HELD = """
MATCH (p:Partner {key: $partner})
MATCH (c:Customer) WHERE NOT (p)-[:HAS_ACCOUNT]->(c)
RETURN c.key AS key ORDER BY key LIMIT 20
"""
REMOVE_DEALS = """
MATCH (d:Deal) WHERE d.key STARTS WITH $prefix
DETACH DELETE d
RETURN count(*) AS removed
"""


def _column(driver: Driver, query: str, column: str = "key", **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(
        query, params, database_="neo4j", routing_=RoutingControl.READ
    )
    return [record[column] for record in records]


def remove_soak_deals(driver: Driver) -> int:
    records, _, _ = driver.execute_query(
        REMOVE_DEALS, {"prefix": DEAL_PREFIX}, database_="neo4j", routing_=RoutingControl.WRITE
    )
    return int(records[0]["removed"])


@dataclass
class Own:
    """What one client writes through: its partner, customers it does not hold, a plan it is
    not a member of."""

    partner: str
    customers: list[str]
    plan: str | None


@dataclass
class World:
    partners: list[str]
    typical: list[str]
    campaigns: list[str]
    grants: list[tuple[str, str]]  # (viewer, other)
    members: list[str]  # partners in some plan
    own: list[Own]  # one a client


def explore(driver: Driver, clients: int, rng: random.Random) -> World:
    """The keys the soak asks about, drawn from the loaded graph."""
    partners = _column(driver, PARTNERS)
    records, _, _ = driver.execute_query(GRANTS, database_="neo4j", routing_=RoutingControl.READ)
    grants = [(record["viewer"], record["other"]) for record in records]
    records, _, _ = driver.execute_query(MEMBERS, database_="neo4j", routing_=RoutingControl.READ)
    plans_of: dict[str, set[str]] = {}
    for record in records:
        plans_of.setdefault(record["key"], set()).add(record["plan"])
    plans = _column(driver, PLAN_KEYS)
    writers = rng.sample(partners, clients)
    own = []
    for key in writers:
        outside = [plan for plan in plans if plan not in plans_of.get(key, set())]
        customers = _column(driver, NOT_HELD, partner=key)
        own.append(Own(key, customers, rng.choice(outside) if outside else None))
    return World(
        partners=partners,
        typical=typical(driver, "neo4j") or partners,
        campaigns=_column(driver, CAMPAIGNS),
        grants=grants,
        members=sorted(plans_of),
        own=own,
    )


Request = tuple[str, dict[str, Any], str | None]  # (query, variables, partner token or staff)


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    # The requests of one turn: a read is one, a write pair two (the second undoes the first).
    turn: Callable[[World, Own, random.Random, int], list[Request]]


def _p(key: str) -> str:
    return encode_id("Partner", key)


def _year() -> dict[str, str]:
    start, end = one_year(TODAY)
    return {"from": start.isoformat(), "to": end.isoformat()}


def _account_pair(world: World, own: Own, rng: random.Random, n: int) -> list[Request]:
    ids = {"partner": _p(own.partner), "customer": encode_id("Customer", rng.choice(own.customers))}
    return [
        (ACCOUNT_UPSERT, {"input": {**ids, "status": "PROSPECT"}}, None),
        (ACCOUNT_REMOVE, {"input": ids}, None),
    ]


def _deal_pair(world: World, own: Own, rng: random.Random, n: int) -> list[Request]:
    key = f"{DEAL_PREFIX}{own.partner}-{n}"
    register = {
        "key": key,
        "partner": _p(own.partner),
        "customer": encode_id("Customer", rng.choice(own.customers)),
        "amount": float(rng.randrange(1_000, 100_000)),
        "allowConflict": True,
    }
    change = {"deal": encode_id("Deal", key), "status": "REJECTED"}
    return [(DEAL_REGISTER, {"input": register}, None), (DEAL_STATUS, {"input": change}, None)]


def _member_pair(world: World, own: Own, rng: random.Random, n: int) -> list[Request]:
    if own.plan is None:
        return []
    ids = {"plan": encode_id("CoSellPlan", own.plan), "partner": _p(own.partner)}
    member = {**ids, "responsibilities": ["soak"], "mdfCommitted": 1000.0}
    return [(MEMBER_SET, {"input": member}, None), (MEMBER_REMOVE, {"input": ids}, None)]


def _staff(query: str, variables: Callable[[World, random.Random], dict[str, Any]]) -> Any:
    return lambda world, own, rng, n: [(query, variables(world, rng), None)]


def _as_partner(viewer: Callable[[World, random.Random], str], query: str, variables: Any) -> Any:
    def turn(world: World, own: Own, rng: random.Random, n: int) -> list[Request]:
        key = viewer(world, rng)
        return [(query, variables(key, world, rng), key)]

    return turn


def _grant_turn(world: World, own: Own, rng: random.Random, n: int) -> list[Request]:
    if not world.grants:
        return []
    viewer, other = rng.choice(world.grants)
    return [(OVERLAP, {"a": _p(viewer), "b": _p(other)}, viewer)]


KINDS = (
    Kind(
        "partner page", 10, _staff(PARTNER_PAGE.graphql, lambda w, r: {"key": r.choice(w.partners)})
    ),
    Kind("partners page", 6, _staff(PARTNERS_PAGE.graphql, lambda w, r: {})),
    Kind(
        "overlap",
        8,
        _staff(OVERLAP, lambda w, r: dict(zip("ab", map(_p, r.sample(w.typical, 2)), strict=True))),
    ),
    Kind("topOverlaps", 6, _staff(TOP_GRAPHQL, lambda w, r: {"p": _p(r.choice(w.typical))})),
    Kind(
        "campaignReach",
        4,
        _staff(REACH, lambda w, r: {"campaign": encode_id("Campaign", r.choice(w.campaigns))}),
    ),
    Kind(
        "tierReview page",
        3,
        _staff(TIER_PAGE, lambda w, r: {"after": None, "change": None, "asOf": TODAY.isoformat()}),
    ),
    Kind("coSellPlans progress", 4, _staff(PLANS, lambda w, r: {"partner": None})),
    Kind("partnerImpact first page", 2, _staff(IMPACT, lambda w, r: _year())),
    Kind("lookup", 12, _staff(LOOKUP.graphql, lambda w, r: {"key": r.choice(w.partners)})),
    Kind("overlap as partner", 6, _grant_turn),
    Kind(
        "topOverlaps as partner",
        4,
        _as_partner(lambda w, r: r.choice(w.partners), TOP_GRAPHQL, lambda k, w, r: {"p": _p(k)}),
    ),
    Kind(
        "coSellPlans as partner",
        4,
        _as_partner(
            lambda w, r: r.choice(w.members or w.partners),
            PLANS,
            lambda k, w, r: {"partner": _p(k)},
        ),
    ),
    Kind(
        "partner page as partner",
        6,
        _as_partner(
            lambda w, r: r.choice(w.partners), PARTNER_PAGE.graphql, lambda k, w, r: {"key": k}
        ),
    ),
    Kind("account upsert+remove", 4, _account_pair),
    Kind("deal register+reject", 3, _deal_pair),
    Kind("plan member set+remove", 2, _member_pair),
)


@dataclass
class Tally:
    """What the clients saw, by kind: latencies (ms) and errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # the first few errors, as said

    def error(self, kind: str, said: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {said[:500]}")


def _problem(status: int, body: Any) -> str | None:
    """Why an answer is an error, or None: not 200, GraphQL errors, or a payload's userErrors."""
    if status != 200:
        return f"HTTP {status} {body}"
    if not isinstance(body, dict) or body.get("errors") or body.get("data") is None:
        return f"errors {body}"
    for payload in body["data"].values():
        if isinstance(payload, dict) and payload.get("userErrors"):
            return f"userErrors {payload['userErrors']}"
    return None


async def _client(
    http: httpx2.AsyncClient,
    world: World,
    own: Own,
    seed: int,
    until: float,
    tokens: Callable[[str | None], dict[str, str]],
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    kinds = list(KINDS)
    weights = [kind.weight for kind in kinds]
    turn = 0
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        turn += 1
        for query, variables, partner in kind.turn(world, own, rng, turn):
            began = time.perf_counter()
            try:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers=tokens(partner),
                )
                body = response.json()
                status = response.status_code
            except (httpx2.HTTPError, ValueError) as error:
                status, body = 0, repr(error)
            tally.latencies.setdefault(kind.name, []).append((time.perf_counter() - began) * 1000)
            said = _problem(status, body)
            if said is not None:
                tally.error(kind.name, said)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _sample_rss(pid: int, began: float, until: float, into: list[tuple[float, int]]) -> None:
    while True:
        into.append((time.monotonic() - began, rss_kib(pid)))
        if time.monotonic() + RSS_EVERY > until:
            break
        await asyncio.sleep(RSS_EVERY)
    await asyncio.sleep(max(0.0, until - time.monotonic()))
    into.append((time.monotonic() - began, rss_kib(pid)))


async def _run(
    url: str,
    pid: int,
    world: World,
    seconds: float,
    tokens: Callable[[str | None], dict[str, str]],
    seed: int,
) -> tuple[Tally, list[tuple[float, int]], float]:
    tally = Tally()
    rss: list[tuple[float, int]] = []
    limits = httpx2.Limits(max_connections=len(world.own), max_keepalive_connections=len(world.own))
    async with httpx2.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        began = time.monotonic()
        until = began + seconds
        clients = [
            _client(http, world, own, seed * 1000 + i, until, tokens, tally)
            for i, own in enumerate(world.own)
        ]
        await asyncio.gather(_sample_rss(pid, began, until, rss), *clients)
        took = time.monotonic() - began
    return tally, rss, took


def soak(
    driver: Driver,
    url: str,
    pid: int,
    seconds: float,
    clients: int,
    bearer: Callable[[str, str | None], dict[str, str]],
    seed: int = 1,
) -> dict[str, Any]:
    """Run the soak against the API at `url` (process `pid`) over the graph `driver` reaches;
    `bearer(role, partner)` gives a token's header. Its figures, errors and RSS samples."""
    remove_soak_deals(driver)  # a run stopped before its end may have left some
    world = explore(driver, clients, random.Random(seed))
    minted: dict[str | None, dict[str, str]] = {None: bearer("admin", None)}

    def tokens(partner: str | None) -> dict[str, str]:
        if partner not in minted:
            minted[partner] = bearer("partner", partner)
        return minted[partner]

    load_before = os.getloadavg()
    try:
        tally, rss, took = asyncio.run(_run(url, pid, world, seconds, tokens, seed))
    finally:
        removed = remove_soak_deals(driver)
    requests = sum(len(samples) for samples in tally.latencies.values())
    kinds = {
        name: {
            "requests": len(samples),
            "per_s": len(samples) / took,
            **{f"p{q}": percentile(samples, q / 100) for q in (50, 95, 99)},
            "errors": tally.errors.get(name, 0),
        }
        for name, samples in sorted(tally.latencies.items())
    }
    reference_at = RSS_REFERENCE if seconds >= 2 * RSS_REFERENCE else seconds / 2
    reference = min(rss, key=lambda sample: abs(sample[0] - reference_at))
    end = rss[-1]
    return {
        "seconds": took,
        "clients": clients,
        "requests": requests,
        "requests_per_s": requests / took,
        "errors": sum(tally.errors.values()),
        "error_samples": tally.samples,
        "kinds": kinds,
        "rss_kib": rss,
        "rss_reference": {"at_s": reference[0], "kib": reference[1]},
        "rss_end_kib": end[1],
        "rss_growth": end[1] / reference[1] - 1,
        "rss_holds": abs(end[1] / reference[1] - 1) <= RSS_SLACK,
        "soak_deals_removed": removed,
        "machine_load": {"before": load_before, "after": os.getloadavg()},
    }


def report(figures: dict[str, Any]) -> list[str]:
    """The figures as lines to print."""
    lines = [
        f"{figures['requests']:,} requests in {figures['seconds']:.0f} s from "
        f"{figures['clients']} clients: {figures['requests_per_s']:.1f} requests/s, "
        f"{figures['errors']} errors"
    ]
    for name, kind in figures["kinds"].items():
        lines.append(
            f"  {name:<26} {kind['requests']:>7,} ({kind['per_s']:6.2f}/s)  p50 {kind['p50']:8.1f}"
            f"  p95 {kind['p95']:8.1f}  p99 {kind['p99']:8.1f} ms  errors {kind['errors']}"
        )
    rss = ", ".join(f"{at:.0f}s {kib / 1024:.0f}" for at, kib in figures["rss_kib"])
    lines.append(f"API RSS (MiB): {rss}")
    reference = figures["rss_reference"]
    lines.append(
        f"RSS at the end {figures['rss_end_kib'] / 1024:.0f} MiB vs "
        f"{reference['kib'] / 1024:.0f} MiB at {reference['at_s']:.0f} s: "
        f"{figures['rss_growth']:+.1%} ({'holds' if figures['rss_holds'] else 'GROWS'})"
    )
    for sample in figures["error_samples"]:
        lines.append(f"  error {sample}")
    return lines
