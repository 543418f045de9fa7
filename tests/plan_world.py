"""Worlds for co-selling plan progress: a random part drawn from a seed and a crafted part that
holds every boundary case, written into Neo4j by parameterised Cypher (partners, the sub-partner
DAG, customers, accounts, deals, campaigns, plans with their members and campaigns).

All dates sit within a few weeks of BASE, so that deals often fall on a plan's first or last
day, or on the day asked about.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from plan_oracle import Campaign, Customer, Deal, Plan, World

from graph.db import Graph, Transaction

BASE = date(2026, 3, 1)
INDUSTRIES = ("Retail", "Health", "Energy")
REGIONS = ("EMEA", "NA", "APAC")
STATUSES = ("PENDING", "APPROVED", "REJECTED", "WON", "LOST")
ACCOUNT_STATUSES = ("CUSTOMER", "OPPORTUNITY", "PROSPECT")


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


# The crafted plan's window and the day its cases are drawn around.
START, END, T0 = day(10), day(30), day(20)


def _maybe(rng: random.Random, value: Any, none: float) -> Any:
    return None if rng.random() < none else value


def _targets(rng: random.Random, values: tuple[str, ...]) -> list[str]:
    return [] if rng.random() < 0.5 else sorted(rng.sample(values, rng.randint(1, 2)))


def _window(rng: random.Random, earliest: int, latest: int) -> tuple[date, date]:
    """A first day drawn from [day(earliest), day(latest)] and a last one up to 30 days later."""
    starts = day(rng.randint(earliest, latest))
    return starts, starts + timedelta(days=rng.randint(0, 30))


def random_world(seed: int) -> World:
    """24 partners (some with two parents), 40 customers (some without industry or region),
    160 deals, 6 campaigns and 6 plans: the first without members, the second without campaigns."""
    rng = random.Random(seed)
    partners = [f"P{i:02d}" for i in range(24)]
    parents: dict[str, list[str]] = {}
    for i, key in enumerate(partners[4:], start=4):
        if rng.random() < 0.7:
            picked = rng.sample(partners[:i], 2 if rng.random() < 0.25 else 1)
            parents[key] = picked
    customers = {
        f"C{i:03d}": Customer(
            f"C{i:03d}",
            _maybe(rng, rng.choice(INDUSTRIES), 0.2),
            _maybe(rng, rng.choice(REGIONS), 0.2),
        )
        for i in range(40)
    }
    keys = sorted(customers)
    accounts = [
        (p, c, rng.choice(ACCOUNT_STATUSES))
        for p in partners
        for c in rng.sample(keys, rng.randint(0, 6))
    ]
    deals = []
    for i in range(160):
        status = rng.choices(STATUSES, weights=(25, 25, 10, 25, 15))[0]
        registered = day(rng.randint(-8, 40))
        expires = _maybe(rng, registered + timedelta(days=rng.randint(0, 25)), 0.15)
        closed = None
        if status in ("WON", "LOST"):
            closed = _maybe(rng, registered + timedelta(days=rng.randint(0, 20)), 0.1)
        amount = _maybe(rng, round(rng.uniform(100, 5000), 2), 0.1)
        partner, customer = rng.choice(partners), rng.choice(keys)
        deals.append(
            Deal(f"D{i:03d}", partner, customer, status, amount, registered, expires, closed)
        )
    campaigns = {}
    for i in range(6):
        starts, ends = _window(rng, -10, 35)
        campaigns[f"K{i}"] = Campaign(
            f"K{i}",
            starts,
            _maybe(rng, ends, 0.2),
            _targets(rng, INDUSTRIES),
            _targets(rng, REGIONS),
            sorted(rng.sample(partners, rng.randint(1, 4))),
        )
    plans = {}
    for i in range(6):
        plans[f"PLAN{i}"] = Plan(
            f"PLAN{i}",
            *_window(rng, -5, 15),
            float(rng.randint(10, 200) * 100),
            _targets(rng, INDUSTRIES),
            _targets(rng, REGIONS),
            [] if i == 0 else rng.sample(partners, rng.randint(1, 4)),
            [] if i == 1 else rng.sample(sorted(campaigns), rng.randint(1, 3)),
            _maybe(rng, rng.randint(1, 20), 0.5),
        )
    return World(partners, parents, customers, accounts, deals, campaigns, plans)


def _deal(key: str, partner: str, customer: str, status: str, **fields: Any) -> Deal:
    amount = fields.pop("amount", 1_000.0)
    registered = fields.pop("registered", START)
    return Deal(key, partner, customer, status, amount, registered, **fields)


def crafted_deals() -> list[Deal]:
    """XPLAN's cases, all by its team on a Retail customer unless said otherwise."""
    won, d = "WON", timedelta(days=1)
    reg = START - 5 * d  # registered before the window: only closedOn decides a won deal
    return [
        _deal("XW-START", "XR1", "XC-RET", won, registered=reg, closed=START, amount=100.0),
        _deal("XW-END", "XR3", "XC-RET", won, registered=reg, closed=END, amount=200.0),
        _deal("XW-BEFORE", "XR1", "XC-RET", won, registered=reg, closed=START - d, amount=400.0),
        _deal("XW-AFTER", "XR1", "XC-RET", won, registered=reg, closed=END + d, amount=800.0),
        _deal("XW-T0", "XR2", "XC-RET", won, registered=reg, closed=T0, amount=1_600.0),
        _deal("XW-T0+1", "XR2", "XC-RET", won, registered=reg, closed=T0 + d, amount=3_200.0),
        _deal("XW-NOCLOSE", "XR1", "XC-RET", won, registered=START),
        _deal("XW-NOAMOUNT", "XR3", "XC-HEA", won, registered=START, closed=START + d, amount=None),
        _deal("XW-NOIND", "XR1", "XC-NONE", won, registered=START, closed=START + 2 * d),
        _deal("XW-SHARED", "XSHARED", "XC-RET", won, registered=START, closed=START + 3 * d),
        _deal("XW-OUT", "XOUT", "XC-RET", won, registered=START, closed=START + 4 * d),
        _deal("XW-DIST-LOST", "XR2", "XC-RET", "LOST", registered=START, closed=START + d),
        _deal("XP-START", "XR1", "XC-RET", "PENDING", registered=START, amount=10.0),
        _deal("XP-BEFORE", "XR1", "XC-RET", "PENDING", registered=START - d, amount=20.0),
        _deal("XP-END", "XR3", "XC-RET", "APPROVED", registered=END, amount=40.0),
        _deal("XP-AFTER", "XR3", "XC-RET", "APPROVED", registered=END + d, amount=80.0),
        _deal("XP-T0", "XM2", "XC-RET", "PENDING", registered=T0, expires=T0, amount=160.0),
        _deal("XP-T0+1", "XM2", "XC-RET", "PENDING", registered=T0 + d, amount=320.0),
        _deal("XP-LAPSED", "XR2", "XC-RET", "APPROVED", registered=START, expires=T0 - d),
        _deal("XP-REJECTED", "XR2", "XC-RET", "REJECTED", registered=START),
        _deal("XI-ON", "XR1", "XC-K1", won, registered=START + 5 * d, closed=START + 6 * d),
        _deal("XI-LATE", "XR1", "XC-K2", "PENDING", registered=START + 6 * d),
        _deal("XI-LATE-ON", "XR2", "XC-K2", "PENDING", registered=START + 7 * d, amount=None),
        _deal("XI-CHILD", "XR3", "XC-K5", won, registered=START + 8 * d, closed=START + 8 * d),
        _deal("XI-GRAND", "XR3", "XC-K4", won, registered=START + 8 * d, closed=START + 9 * d),
        _deal("XI-TARGET", "XM2", "XC-K3", "APPROVED", registered=START + 8 * d),
    ]


def add_crafted(world: World) -> None:
    """XPLAN: members XDIST (a distributor whose resellers make every sale: XR1 and XR2 below it,
    XR3 below XR1) and XM2; XSHARED sits below both XR2 and XM2. It targets Retail and Health
    and has three campaigns: XK-ON (started the day XI-ON was registered; participants XCP,
    holding XC-K1, and XCPP, whose child XCPC holds XC-K5 and grandchild XCPG holds XC-K4),
    XK-LATE (started the day after XI-LATE was registered, the day XI-LATE-ON was; XCQ holds
    XC-K2) and XK-TARGET (Health only; XCT holds the Retail XC-K3 and XC-NONE, which has no
    industry). XK-OTHER reaches XC-K2 too but promotes no plan. XPLAN-R: XDIST alone, EMEA only,
    no campaigns. XPLAN-N: XR1 alone, no targets, XK-TARGET and XK-EMEA (EMEA only; XCR holds
    XC-K5, which has no region)."""
    partners = ["XDIST", "XR1", "XR2", "XR3", "XM2", "XSHARED", "XOUT"]
    partners += ["XCP", "XCPP", "XCPC", "XCPG", "XCQ", "XCT", "XCR"]
    world.partners += partners
    world.parents.update(
        {
            "XR1": ["XDIST"],
            "XR2": ["XDIST"],
            "XR3": ["XR1"],
            "XSHARED": ["XR2", "XM2"],
            "XCPC": ["XCPP"],
            "XCPG": ["XCPC"],
        }
    )
    for key, industry, region in [
        ("XC-RET", "Retail", "EMEA"),
        ("XC-HEA", "Health", "NA"),
        ("XC-NONE", None, "EMEA"),
        ("XC-K1", "Retail", "EMEA"),
        ("XC-K2", "Retail", "NA"),
        ("XC-K3", "Retail", "EMEA"),
        ("XC-K4", "Retail", "EMEA"),
        ("XC-K5", "Health", None),
    ]:
        world.customers[key] = Customer(key, industry, region)
    world.accounts += [
        ("XCP", "XC-K1", "PROSPECT"),
        ("XCQ", "XC-K2", "CUSTOMER"),
        ("XCT", "XC-K3", "OPPORTUNITY"),
        ("XCT", "XC-NONE", "CUSTOMER"),
        ("XCR", "XC-K5", "CUSTOMER"),
        ("XCPG", "XC-K4", "CUSTOMER"),
        ("XCPC", "XC-K5", "PROSPECT"),
        ("XR1", "XC-RET", "CUSTOMER"),
    ]
    world.deals += crafted_deals()
    d = timedelta(days=1)
    for campaign in [
        Campaign("XK-ON", START + 5 * d, None, [], [], ["XCP", "XCPP"]),
        Campaign("XK-LATE", START + 7 * d, END, [], [], ["XCQ"]),
        Campaign("XK-TARGET", START - 20 * d, END, ["Health"], [], ["XCT"]),
        Campaign("XK-OTHER", START - 20 * d, None, [], [], ["XCQ"]),
        Campaign("XK-EMEA", START - 20 * d, None, [], ["EMEA"], ["XCR"]),
    ]:
        world.campaigns[campaign.key] = campaign
    crafted = [
        Plan(
            "XPLAN", START, END, 10_000.0, ["Retail", "Health"], [], ["XM2", "XDIST"],
            ["XK-ON", "XK-LATE", "XK-TARGET"], 12, {"XDIST": 5_000.0},
        ),
        Plan("XPLAN-R", START, END, 2_500.0, [], ["EMEA"], ["XDIST"], []),
        Plan("XPLAN-N", START, END, 1_000.0, [], [], ["XR1"], ["XK-TARGET", "XK-EMEA"]),
    ]  # fmt: skip
    for plan in crafted:
        world.plans[plan.key] = plan


def world_of(seed: int) -> World:
    world = random_world(seed)
    add_crafted(world)
    return world


def as_of_days(world: World) -> list[date]:
    """Before every plan, after every plan, T0, and each plan's edges and the days around them."""
    d = timedelta(days=1)
    days = {day(-20), day(80), T0, T0 - d}
    for plan in world.plans.values():
        days |= {plan.starts - d, plan.starts, plan.ends, plan.ends + d}
    return sorted(days)


PARTNERS = """
UNWIND $rows AS row
CREATE (:Partner {key: row.key, name: 'Partner ' + row.key, nameLower: 'partner ' + row.key,
                  type: row.type, tier: 'REGISTERED', industries: []})
"""
SUB_PARTNERS = """
UNWIND $rows AS row
MATCH (c:Partner {key: row.child}), (p:Partner {key: row.parent})
CREATE (c)-[:SUB_PARTNER_OF {strength: 1.0}]->(p)
"""
CUSTOMERS = """
UNWIND $rows AS row
CREATE (:Customer {key: row.key, name: row.key, nameLower: toLower(row.key),
                   industry: row.industry, region: row.region})
"""
ACCOUNTS = """
UNWIND $rows AS row
MATCH (p:Partner {key: row.partner}), (c:Customer {key: row.customer})
CREATE (p)-[:HAS_ACCOUNT {status: row.status}]->(c)
"""
DEALS = """
UNWIND $rows AS row
MATCH (p:Partner {key: row.partner}), (c:Customer {key: row.customer})
CREATE (p)-[:REGISTERED]->(:Deal {key: row.key, status: row.status, amount: row.amount,
                                 registeredOn: row.registered, expiresOn: row.expires,
                                 closedOn: row.closed})-[:FOR]->(c)
"""
CAMPAIGNS = """
UNWIND $rows AS row
CREATE (k:Campaign {key: row.key, name: row.key, nameLower: toLower(row.key),
                    startsOn: row.starts, endsOn: row.ends,
                    targetIndustries: row.industries, targetRegions: row.regions})
WITH k, row
UNWIND row.participants AS key
MATCH (p:Partner {key: key})
CREATE (p)-[:PARTICIPATES_IN {role: 'PARTICIPANT'}]->(k)
"""
PLANS = """
UNWIND $rows AS row
CREATE (plan:CoSellPlan {key: row.key, name: 'Plan ' + row.key, startsOn: row.starts,
                         endsOn: row.ends, targetAmount: row.target, targetDeals: row.targetDeals,
                         targetIndustries: row.industries, targetRegions: row.regions})
WITH plan, row
CALL (plan, row) {
  UNWIND row.members AS member
  MATCH (p:Partner {key: member.key})
  CREATE (p)-[:MEMBER_OF {responsibilities: ['co-sell'], mdfCommitted: member.mdf}]->(plan)
}
CALL (plan, row) {
  UNWIND row.campaigns AS key
  MATCH (k:Campaign {key: key})
  CREATE (plan)-[:PROMOTED_BY]->(k)
}
"""


async def write_world(graph: Graph, world: World) -> None:
    """The whole world in one write transaction."""
    below = {parent for parents in world.parents.values() for parent in parents}
    writes: list[tuple[str, list[dict[str, Any]]]] = [
        (
            PARTNERS,
            [
                {"key": key, "type": "DISTRIBUTOR" if key in below else "RESELLER"}
                for key in world.partners
            ],
        ),
        (
            SUB_PARTNERS,
            [
                {"child": child, "parent": parent}
                for child, parents in world.parents.items()
                for parent in parents
            ],
        ),
        (CUSTOMERS, [vars(customer) for customer in world.customers.values()]),
        (
            ACCOUNTS,
            [{"partner": p, "customer": c, "status": s} for p, c, s in world.accounts],
        ),
        (DEALS, [vars(deal) for deal in world.deals]),
        (CAMPAIGNS, [vars(campaign) for campaign in world.campaigns.values()]),
        (
            PLANS,
            [
                {
                    **vars(plan),
                    "targetDeals": plan.target_deals,
                    "members": [{"key": m, "mdf": plan.mdf.get(m)} for m in plan.members],
                }
                for plan in world.plans.values()
            ],
        ),
    ]

    async def work(tx: Transaction) -> None:
        for query, rows in writes:
            await tx.run(query, {"rows": rows})

    await graph.transaction(work)
