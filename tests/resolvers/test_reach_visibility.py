"""What a partner-scoped viewer sees of campaign reach: only campaigns it takes part in, the
whole campaign's totals but only its own PartnerReach, only the customers it may see (with and
without ACCOUNT_LIST grants); in a plan only what it may see counts. Every question is audited."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from reach_cases import load_cases
from reach_oracle import Bundle, answer
from reach_support import campaign_reach, every_customer, plan_reach, rounded
from support import partner_viewer, trail_events, wipe

from graph import audit
from graph.audit import AuditTrail
from graph.db import Graph

FIELDS = ("total", "participants", "byIndustry", "byRegion", "overlapShare")


@pytest.fixture(scope="module")
async def cases(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[Bundle]:
    folder: Path = tmp_path_factory.mktemp("reach-visibility")
    await load_cases(graph, folder)
    yield Bundle.read(folder)
    await wipe(graph)


@pytest.mark.parametrize(
    ("viewer", "key"), [("P1", "KA"), ("P5", "KA"), ("P5", "KB"), ("P6", "KB")]
)
@pytest.mark.parametrize("depth", [0, 1, 3])
async def test_a_participant_sees_the_totals_its_own_reach_and_the_customers_it_may_see(
    graph: Graph, cases: Bundle, viewer: str, key: str, depth: int
) -> None:
    campaign = cases.campaigns[key]
    targets = (campaign["industries"], campaign["regions"])
    full = answer(cases, campaign["partners"], depth, industries=targets[0], regions=targets[1])
    listed = cases.listed_for(viewer)
    seen = answer(
        cases,
        campaign["partners"],
        depth,
        industries=targets[0],
        regions=targets[1],
        allowed=listed,
    )
    asker = functools.partial(campaign_reach, graph, key, partner_viewer(viewer), depth=depth)
    head, customers = await every_customer(graph, asker, "campaignReach", first=2)
    expected = rounded({field: full[field] for field in FIELDS})
    expected["participants"] = [p for p in full["participants"] if p["partner"]["key"] == viewer]
    assert rounded(head) == expected
    assert customers == {c: [p for p in by if p in listed] for c, by in seen["customers"].items()}


async def test_grants_decide_which_customers_a_participant_lists(
    graph: Graph, cases: Bundle
) -> None:
    # P1 lists P5's accounts (ACCOUNT_LIST) but not P4's (OVERLAP_COUNTS only) nor its own
    # sub-partners'; P6 holds nothing and is granted nothing.
    _, by_p1 = await every_customer(
        graph,
        functools.partial(campaign_reach, graph, "KA", partner_viewer("P1"), depth=3),
        "campaignReach",
    )
    assert by_p1 == {"C1": ["P1", "P5"], "C5": ["P5"], "C7": ["P5"]}
    head, by_p6 = await every_customer(
        graph,
        functools.partial(campaign_reach, graph, "KB", partner_viewer("P6"), depth=1),
        "campaignReach",
    )
    assert by_p6 == {} and head["total"] == 3


async def test_a_campaign_it_does_not_take_part_in_is_not_found(
    graph: Graph, cases: Bundle
) -> None:
    for viewer, key in [("P1", "KB"), ("P6", "KA"), ("P4", "KD")]:
        found = await campaign_reach(graph, key, partner_viewer(viewer))
        assert found.codes == ["NOT_FOUND"] and found.data is None, (viewer, key)
        assert found.errors[0]["message"] == f"campaign: there is no campaign {key!r}"


@pytest.mark.parametrize("viewer", ["P1", "P5", "P6"])
async def test_a_plan_counts_only_the_customers_the_viewer_may_see(
    graph: Graph, cases: Bundle, viewer: str
) -> None:
    listed = cases.listed_for(viewer)
    for partners, depth in [(["P1", "P4", "P5"], 1), (["P2", "P3"], 2), (["P4"], 0)]:
        seen = answer(cases, set(partners), depth, allowed=listed)
        asker = functools.partial(plan_reach, graph, partners, partner_viewer(viewer), depth=depth)
        head, customers = await every_customer(graph, asker, "planReach", first=2)
        assert rounded(head) == rounded({field: seen[field] for field in FIELDS})
        assert customers == seen["customers"]


async def test_reach_questions_are_audited(graph: Graph, cases: Bundle, trail: AuditTrail) -> None:
    with audit.bind(trail, "req-reach"):
        await campaign_reach(graph, "KA", partner_viewer("P1"))
        await campaign_reach(graph, "KB", partner_viewer("P1"))
        await plan_reach(graph, ["P5", "P2", "P5"], partner_viewer("P1"))
        await plan_reach(graph, ["P5"])  # staff: not audited
    events, total, _ = await trail_events(trail)
    assert total == 3
    assert [(e.operation, e.partners, e.allowed) for e in reversed(events)] == [
        ("campaignReach", ("P1", "P5"), True),
        ("campaignReach", (), False),
        ("planReach", ("P2", "P5"), True),
    ]
