"""partnerMap against the plain-Python model, on generated ecosystems: ego maps around every
kind of center, filtered maps, limits and truncation, minOverlap and maxOverlaps, partner
viewers, and the stored overlap counts (fresh, stale, absent) giving the same answers."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from map_oracle import MapModel
from map_support import ask_map, compare, scores, shaped, store_overlaps, unstore_overlaps
from support import partner_viewer, wipe, wipe_and_load

from graph.analytics import partner_map
from graph.analytics.network import analyze
from graph.db import Graph

SEEDS = [3, 11]


@pytest.fixture(scope="module", params=SEEDS)
async def model(
    graph: Graph, request: pytest.FixtureRequest, tmp_path_factory: Any
) -> AsyncIterator[MapModel]:
    folder: Path = tmp_path_factory.mktemp(f"map-{request.param}")
    await wipe_and_load(graph, folder, request.param)
    await analyze(graph)
    await unstore_overlaps(graph)  # each test says which store it reads
    yield MapModel.read(folder, await scores(graph))
    await wipe(graph)


def _centers(model: MapModel, rng: random.Random, n: int) -> list[tuple[str, str]]:
    partners = [("Partner", key) for key in sorted(model.partners)]
    others = sorted(node for node in model.names if node[0] != "Partner")
    return rng.sample(partners, min(n, len(partners))) + rng.sample(others, min(4, len(others)))


CASES = [
    {"depth": 1},
    {"depth": 2},
    {"depth": 2, "limit": 7},
    {"depth": 3, "limit": 25, "least": 2},
    {"depth": 2, "least": 3, "most": 5},
    {"depth": 4, "limit": 1},
    {"depth": 2, "most": 0},
]


def _arguments(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "depth": case.get("depth"),
        "limit": case.get("limit"),
        "minOverlap": case.get("least"),
        "maxOverlaps": case.get("most"),
    }


def _model_arguments(case: dict[str, Any]) -> dict[str, Any]:
    names = {"depth": "depth", "limit": "limit", "least": "least", "most": "most"}
    return {names[k]: v for k, v in case.items()}


@pytest.mark.parametrize(
    ("stored", "wide", "scan"),
    [(None, None, None), (5, None, None), (1000, None, None), (1000, 0, 3), (12, 0, 40)],
    ids=["live", "store-5", "store-all", "store-all-wide-short-scan", "store-12-wide"],
)
async def test_ego_maps_equal_the_model(
    graph: Graph,
    model: MapModel,
    stored: int | None,
    wide: int | None,
    scan: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a store, also searched as if every stored partner of a frontier held too many
    accounts to read (`wide`: their other neighbours are found from those neighbours' side),
    and with the strongest stored pairs read only a few at a time (`scan`)."""
    if wide is not None:
        monkeypatch.setattr(partner_map, "WIDE_ACCOUNTS", wide)
    if scan is not None:
        monkeypatch.setattr(partner_map, "SCAN_OVERLAPS", scan)
    if stored is not None:
        await store_overlaps(graph, stored)
    try:
        rng = random.Random(len(model.partners))
        for center in _centers(model, rng, 8):
            for case in CASES:
                answer = await ask_map(graph, center=center, **_arguments(case))
                compare(answer, model, center, **_model_arguments(case))
    finally:
        if stored is not None:
            await unstore_overlaps(graph)


async def test_a_stale_store_is_not_read(graph: Graph, model: MapModel) -> None:
    """An import after the store was written: its counts may be wrong, so they are not used."""
    await store_overlaps(graph, 1000)
    try:
        await graph.write("MATCH ()-[o:OVERLAPS]->() SET o.count = o.count + 1000")
        await graph.write(
            "MATCH (e:Ecosystem {key: 'ecosystem'}) "
            "SET e.importedAt = e.overlapsAt + duration('PT1S')"
        )
        center = ("Partner", sorted(model.partners)[0])
        compare(await ask_map(graph, center=center), model, center)
    finally:
        await unstore_overlaps(graph)


FILTERS = [
    {},
    {"tier": ["GOLD", "PLATINUM"]},
    {"type": ["RESELLER"], "region": ["EMEA", "NA"]},
    {"community": [0, 1]},
    {"nameContains": "a"},
]


def _filter_params(given: dict[str, Any]) -> dict[str, Any]:
    names = {
        "tier": "tiers",
        "type": "types",
        "region": "regions",
        "community": "communities",
        "nameContains": "nameContains",
    }
    return {names[k]: v for k, v in given.items()}


@pytest.mark.parametrize("limit", [500, 6])
async def test_filtered_maps_equal_the_model(graph: Graph, model: MapModel, limit: int) -> None:
    for given in FILTERS:
        answer = await ask_map(graph, filter=given, limit=limit, minOverlap=2)
        compare(answer, model, None, limit=limit, filters=_filter_params(given), least=2)


async def test_a_filter_narrows_an_ego_map_but_keeps_its_center(
    graph: Graph, model: MapModel
) -> None:
    center = ("Partner", sorted(model.partners)[1])
    given = {"tier": ["REGISTERED"]}
    answer = await ask_map(graph, center=center, filter=given, depth=3)
    compare(answer, model, center, depth=3, filters=_filter_params(given))


async def test_partner_viewers_see_what_their_grants_allow(graph: Graph, model: MapModel) -> None:
    grantees = sorted({a["grantee_key"] for a in model.bundle.agreements})
    viewers = grantees[:4] + sorted(model.partners)[:2]
    rng = random.Random(7)
    for viewer in viewers:
        for center in _centers(model, rng, 3):
            if center[0] == "Customer":
                continue  # a customer center is checked on its own below
            for case in CASES[:3]:
                answer = await ask_map(
                    graph, partner_viewer(viewer), center=center, **_arguments(case)
                )
                compare(answer, model, center, viewer=viewer, **_model_arguments(case))
        answer = await ask_map(graph, partner_viewer(viewer), limit=30)
        compare(answer, model, None, limit=30, viewer=viewer)


async def test_accounts_written_since_the_analysis_lift_the_overlap_bounds(
    graph: Graph, model: MapModel
) -> None:
    """A partner's `overlapBound` holds only for the accounts analysed: after a write, a pair
    that outgrew it still makes the map's strongest overlaps."""
    from test_overlap_store_writes import remove, upsert

    await store_overlaps(graph, 5)
    stored = {r["key"] for r in await graph.read(STORED)}
    small = sorted(set(model.partners) - stored, key=lambda k: -len(model.accounts[k]))[0]
    big = sorted(stored, key=lambda k: -len(model.accounts[k]))[0]
    added = sorted(model.accounts[big] - model.accounts[small])
    try:
        for customer in added:
            await upsert(graph, small, customer)
        model.accounts[small] |= set(added)
        center = ("Partner", small)
        answer = await ask_map(graph, center=center, depth=1, maxOverlaps=3)
        compare(answer, model, center, depth=1, most=3)
        assert (("Partner", min(small, big)), ("Partner", max(small, big)), "OVERLAP") in {
            key for key in shaped(answer)["edges"]
        }
    finally:
        model.accounts[small] -= set(added)
        for customer in added:
            await remove(graph, small, customer)
        await unstore_overlaps(graph)


STORED = "MATCH (p:Partner) WHERE p.overlapsStored RETURN p.key AS key"
