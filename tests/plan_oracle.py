"""Co-selling plan progress in plain Python: DESIGN.md's definitions over the raw rows of a world.

Nothing here reads Neo4j or the project's own code: the team is a breadth-first walk down the
sub-partner edges, a campaign's reach a set of customer keys, every figure a sum over lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

WON = "WON"
OPEN = ("PENDING", "APPROVED")


@dataclass
class Customer:
    key: str
    industry: str | None
    region: str | None


@dataclass
class Deal:
    key: str
    partner: str
    customer: str
    status: str
    amount: float | None
    registered: date
    expires: date | None = None
    closed: date | None = None


@dataclass
class Campaign:
    key: str
    starts: date
    ends: date | None
    industries: list[str]
    regions: list[str]
    participants: list[str]


@dataclass
class Plan:
    key: str
    starts: date
    ends: date
    target: float
    industries: list[str]
    regions: list[str]
    members: list[str]
    campaigns: list[str]
    target_deals: int | None = None
    mdf: dict[str, float] = field(default_factory=dict)  # member -> mdfCommitted, where given


@dataclass
class World:
    partners: list[str]
    parents: dict[str, list[str]]  # child -> its parents in the sub-partner DAG
    customers: dict[str, Customer]
    accounts: list[tuple[str, str, str]]  # (partner, customer, status)
    deals: list[Deal]
    campaigns: dict[str, Campaign]
    plans: dict[str, Plan]


def children(world: World) -> dict[str, list[str]]:
    below: dict[str, list[str]] = {key: [] for key in world.partners}
    for child, parents in world.parents.items():
        for parent in parents:
            below[parent].append(child)
    return below


def team(world: World, top: str) -> set[str]:
    """`top` and every partner below it, however deep."""
    below = children(world)
    seen, todo = {top}, [top]
    while todo:
        for child in below[todo.pop()]:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def matches(customer: Customer, industries: list[str], regions: list[str]) -> bool:
    """An empty list matches all; a customer without a value matches no non-empty list."""
    return (not industries or customer.industry in industries) and (
        not regions or customer.region in regions
    )


def reach(world: World, campaign: Campaign) -> set[str]:
    """campaignReach at depth 1, every status: the customers of the participants and of their
    direct sub-partners, kept where they match the campaign's targets."""
    below = children(world)
    holders = set(campaign.participants)
    for participant in campaign.participants:
        holders |= set(below[participant])
    return {
        c
        for p, c, _ in world.accounts
        if p in holders and matches(world.customers[c], campaign.industries, campaign.regions)
    }


def is_won(plan: Plan, deal: Deal, as_of: date) -> bool:
    last = min(plan.ends, as_of)
    return deal.status == WON and deal.closed is not None and plan.starts <= deal.closed <= last


def in_pipeline(plan: Plan, deal: Deal, as_of: date) -> bool:
    last = min(plan.ends, as_of)
    return (
        deal.status in OPEN
        and plan.starts <= deal.registered <= last
        and (deal.expires is None or deal.expires >= as_of)
    )


def plan_deals(world: World, plan: Plan, as_of: date, partners: set[str]) -> list[Deal]:
    """The plan's won and pipeline deals registered by one of `partners`."""
    return [
        deal
        for deal in world.deals
        if deal.partner in partners
        and matches(world.customers[deal.customer], plan.industries, plan.regions)
        and (is_won(plan, deal, as_of) or in_pipeline(plan, deal, as_of))
    ]


def figures(plan: Plan, deals: Iterable[Deal], as_of: date) -> dict[str, Any]:
    won = [deal for deal in deals if is_won(plan, deal, as_of)]
    pipeline = [deal for deal in deals if in_pipeline(plan, deal, as_of)]
    return {
        "wonAmount": float(sum(deal.amount or 0.0 for deal in won)),
        "wonDeals": len(won),
        "pipelineAmount": float(sum(deal.amount or 0.0 for deal in pipeline)),
        "pipelineDeals": len(pipeline),
    }


def days(first: date, last: date) -> int:
    """The days of [first, last], both inclusive."""
    return (last - first).days + 1


def progress(world: World, plan: Plan, as_of: date) -> dict[str, Any]:
    whole = set().union(*(team(world, m) for m in plan.members)) if plan.members else set()
    deals = plan_deals(world, plan, as_of, whole)
    total = figures(plan, deals, as_of)
    span = days(plan.starts, plan.ends)
    elapsed = min(max(days(plan.starts, as_of), 0), span)
    expected = plan.target * elapsed / span
    reached = {key: reach(world, world.campaigns[key]) for key in plan.campaigns}
    influenced = [
        deal
        for deal in deals
        if any(
            world.campaigns[key].starts <= deal.registered and deal.customer in customers
            for key, customers in reached.items()
        )
    ]
    return {
        **total,
        "attainment": total["wonAmount"] / plan.target,
        "expectedByNow": expected,
        "onTrack": total["wonAmount"] >= expected,
        "byMember": [
            {"partner": m, **figures(plan, plan_deals(world, plan, as_of, team(world, m)), as_of)}
            for m in sorted(set(plan.members))
        ],
        "campaignInfluenced": figures(plan, influenced, as_of),
    }


def oracle(world: World, as_of: date) -> dict[str, dict[str, Any]]:
    """Every plan's progress as of `as_of`, by plan key."""
    return {key: progress(world, plan, as_of) for key, plan in world.plans.items()}


# Comparing a progress (as the graph or the API gives it, byMember partners by key) with this
# oracle's: amounts within float noise, counts exactly.
FLOATS = ("wonAmount", "pipelineAmount")
INTS = ("wonDeals", "pipelineDeals")


def close(got: float, expected: float) -> bool:
    return got == pytest.approx(expected, rel=1e-9, abs=1e-6)


def same_figures(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    return all(close(got[f], expected[f]) for f in FLOATS) and all(
        got[f] == expected[f] for f in INTS
    )


def mismatches(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """What differs between one plan's progress and the oracle's, field by field."""
    wrong = [f for f in (*FLOATS, "attainment", "expectedByNow") if not close(got[f], expected[f])]
    wrong += [f for f in INTS if got[f] != expected[f]]
    tied = close(expected["wonAmount"], expected["expectedByNow"])  # either side of a float tie
    if got["onTrack"] != expected["onTrack"] and not tied:
        wrong.append("onTrack")
    members = [row["partner"] for row in expected["byMember"]]
    if [row["partner"] for row in got["byMember"]] != members:
        wrong.append("byMember order")
    else:
        wrong += [
            f"byMember {e['partner']}"
            for g, e in zip(got["byMember"], expected["byMember"], strict=True)
            if not same_figures(g, e)
        ]
    if not same_figures(got["campaignInfluenced"], expected["campaignInfluenced"]):
        wrong.append("campaignInfluenced")
    return wrong
