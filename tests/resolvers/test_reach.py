"""campaignReach and planReach against plain Python sets over generated ecosystems of several
seeds: every field, every page of the customers, several depths and status filters."""

from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from reach_oracle import Bundle, answer
from reach_support import campaign_reach, every_customer, plan_reach, rounded
from support import wipe, wipe_and_load

from graph.db import Graph

SEEDS = (1, 2, 3)
FIELDS = ("total", "participants", "byIndustry", "byRegion", "overlapShare")


@pytest.fixture(scope="module", params=SEEDS)
async def bundle(
    graph: Graph, request: pytest.FixtureRequest, tmp_path_factory: Any
) -> AsyncIterator[Bundle]:
    folder: Path = tmp_path_factory.mktemp(f"reach-{request.param}")
    await wipe_and_load(graph, folder, request.param)
    yield Bundle.read(folder)
    await wipe(graph)


def expected_of(full: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    head = rounded({field: full[field] for field in FIELDS})
    return head, full["customers"]


@pytest.mark.parametrize("depth", [0, 1, 2, 5])
async def test_campaign_reach_is_the_union_of_the_participants_reach(
    graph: Graph, bundle: Bundle, depth: int
) -> None:
    assert bundle.campaigns
    for key, campaign in bundle.campaigns.items():
        full = answer(
            bundle,
            campaign["partners"],
            depth,
            industries=campaign["industries"],
            regions=campaign["regions"],
        )
        asker = functools.partial(campaign_reach, graph, key, depth=depth)
        head, customers = await every_customer(graph, asker, "campaignReach")
        expected_head, expected_customers = expected_of(full)
        assert rounded(head) == expected_head, key
        assert customers == expected_customers, key


@pytest.mark.parametrize("statuses", [["CUSTOMER"], ["OPPORTUNITY", "PROSPECT"]])
async def test_campaign_reach_counts_only_the_statuses_asked_for(
    graph: Graph, bundle: Bundle, statuses: list[str]
) -> None:
    for key, campaign in bundle.campaigns.items():
        full = answer(
            bundle,
            campaign["partners"],
            2,
            tuple(statuses),
            campaign["industries"],
            campaign["regions"],
        )
        asker = functools.partial(campaign_reach, graph, key, depth=2, statuses=statuses)
        head, customers = await every_customer(graph, asker, "campaignReach", first=50)
        assert (rounded(head), customers) == expected_of(full), key


async def test_plan_reach_of_random_partners_and_targets(graph: Graph, bundle: Bundle) -> None:
    rng = random.Random(len(bundle.customers))
    partners = sorted({p for p, _, _ in bundle.accounts} | set(bundle.children))
    industries = sorted({c["industry"] for c in bundle.customers.values() if c["industry"]})
    regions = sorted({c["region"] for c in bundle.customers.values() if c["region"]})
    for round_ in range(6):
        chosen = rng.sample(partners, rng.randint(1, 12))
        asked = chosen + chosen[:2]  # listed twice: counted once
        depth = round_ % 3
        targets_i = rng.sample(industries, 2) if round_ % 2 else None
        targets_r = rng.sample(regions, 1) if round_ % 3 == 1 else None
        full = answer(bundle, set(chosen), depth, industries=targets_i, regions=targets_r)
        asker = functools.partial(
            plan_reach,
            graph,
            asked,
            depth=depth,
            targetIndustries=targets_i,
            targetRegions=targets_r,
        )
        head, customers = await every_customer(graph, asker, "planReach", first=13)
        assert (rounded(head), customers) == expected_of(full), (chosen, depth)


async def test_plan_reach_of_a_campaigns_partners_is_its_campaign_reach(
    graph: Graph, bundle: Bundle
) -> None:
    key, campaign = sorted(bundle.campaigns.items())[0]
    by_campaign = await campaign_reach(graph, key, depth=1)
    by_plan = await plan_reach(
        graph,
        sorted(campaign["partners"]),
        depth=1,
        targetIndustries=campaign["industries"] or None,
        targetRegions=campaign["regions"] or None,
    )
    assert not by_campaign.errors and not by_plan.errors
    assert by_campaign.data["campaignReach"] == by_plan.data["planReach"]
