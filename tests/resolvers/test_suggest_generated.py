"""suggestPartners against the plain greedy over plain Python sets, on generated ecosystems of
several seeds: every stored campaign (with its targets), what-if lists with and without targets,
depths 0 to 3 and status filters."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from suggest_oracle import Model
from suggest_support import ask_suggest, picks
from support import wipe, wipe_and_load

from graph.db import Graph

SEEDS = [1, 2, 3]


@pytest_asyncio.fixture(scope="module", params=SEEDS, loop_scope="session")
async def world(
    request: pytest.FixtureRequest, graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Graph, Model]]:
    folder = tmp_path_factory.mktemp(f"suggest-{request.param}")
    await wipe_and_load(graph, Path(folder), request.param)
    yield graph, Model.read(Path(folder))
    await wipe(graph)


@pytest.mark.parametrize("depth", [0, 1, 3])
async def test_every_campaign_gets_the_plain_greedys_picks(
    world: tuple[Graph, Model], depth: int
) -> None:
    graph, model = world
    assert model.campaigns
    for campaign in sorted(model.campaigns):
        expected = model.suggest_for(campaign, 5, depth)
        answer = await ask_suggest(graph, campaign=campaign, depth=depth)
        assert picks(answer) == expected, campaign


async def test_many_picks_and_status_filters(world: tuple[Graph, Model]) -> None:
    graph, model = world
    for campaign in sorted(model.campaigns)[:4]:
        for statuses in (["CUSTOMER"], ["OPPORTUNITY", "PROSPECT"]):
            expected = model.suggest_for(campaign, 50, 2, frozenset(statuses))
            answer = await ask_suggest(
                graph, campaign=campaign, first=50, depth=2, statuses=statuses
            )
            assert picks(answer) == expected, (campaign, statuses)


async def test_what_if_lists_with_targets(world: tuple[Graph, Model]) -> None:
    graph, model = world
    rng = random.Random(len(model.partners))
    industries = sorted({industry for industry, _ in model.customers.values() if industry})
    regions = sorted({region for _, region in model.customers.values() if region})
    for _ in range(6):
        taking = rng.sample(model.partners, rng.randint(1, 8))
        wanted_industries = rng.sample(industries, rng.randint(0, 3)) or None
        wanted_regions = rng.sample(regions, rng.randint(0, 2)) or None
        depth = rng.randint(0, 2)
        expected = model.suggest(
            taking, 8, depth, industries=wanted_industries, regions=wanted_regions
        )
        answer = await ask_suggest(
            graph,
            partners=taking,
            first=8,
            depth=depth,
            industries=wanted_industries,
            regions=wanted_regions,
        )
        assert picks(answer) == expected, (taking, wanted_industries, wanted_regions, depth)
