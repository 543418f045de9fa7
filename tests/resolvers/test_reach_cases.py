"""campaignReach and planReach on a hand-made ecosystem of awkward corners (an empty campaign,
targets matching nothing, a sub-partner under two parents at two depths, depth 0, status
filters, unicode and commas in names, customers without segments), and their limits."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from reach_cases import load_cases
from reach_oracle import Bundle, answer
from reach_support import CAMPAIGN_REACH, campaign_reach, every_customer, plan_reach, rounded
from support import ask, wipe

from graph.db import Graph
from resolvers.node import encode_id

FIELDS = ("total", "participants", "byIndustry", "byRegion", "overlapShare")


@pytest.fixture(scope="module")
async def cases(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[Bundle]:
    folder: Path = tmp_path_factory.mktemp("reach-cases")
    await load_cases(graph, folder)
    yield Bundle.read(folder)
    await wipe(graph)


async def _matches(graph: Graph, cases: Bundle, key: str, depth: int, **arguments: Any) -> Any:
    campaign = cases.campaigns[key]
    statuses = tuple(arguments.get("statuses") or ("CUSTOMER", "OPPORTUNITY", "PROSPECT"))
    full = answer(
        cases, campaign["partners"], depth, statuses, campaign["industries"], campaign["regions"]
    )
    asker = functools.partial(campaign_reach, graph, key, depth=depth, **arguments)
    head, customers = await every_customer(graph, asker, "campaignReach", first=2)
    assert rounded(head) == rounded({field: full[field] for field in FIELDS}), (key, depth)
    assert customers == full["customers"], (key, depth)
    return head


@pytest.mark.parametrize("key", ["KE", "KN", "KA", "KB", "KD"])
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
async def test_every_campaign_at_every_depth(
    graph: Graph, cases: Bundle, key: str, depth: int
) -> None:
    await _matches(graph, cases, key, depth)


async def test_an_empty_campaign_and_one_whose_targets_match_nothing(
    graph: Graph, cases: Bundle
) -> None:
    empty = await _matches(graph, cases, "KE", 1)
    assert empty == {
        "total": 0,
        "participants": [],
        "byIndustry": [],
        "byRegion": [],
        "overlapShare": 0.0,
    }
    nothing = await _matches(graph, cases, "KN", 3)
    assert nothing["total"] == 0
    assert nothing["participants"] == [{"partner": {"key": "P1"}, "reach": 0, "exclusive": 0}]


async def test_a_sub_partner_under_two_parents_counts_once(graph: Graph, cases: Bundle) -> None:
    # P1 reaches P3 one level down (directly) and two (through P2), and P4 below P3: with C1
    # held by P1, P3 and P5, each customer counts once.
    head = await _matches(graph, cases, "KA", 1)
    assert head["participants"][0] == {"partner": {"key": "P1"}, "reach": 3, "exclusive": 2}
    assert head["total"] == 5
    deeper = await _matches(graph, cases, "KA", 2)
    assert deeper["participants"][0] == {"partner": {"key": "P1"}, "reach": 5, "exclusive": 4}
    assert (await _matches(graph, cases, "KA", 0))["participants"][0]["reach"] == 1


async def test_status_filters(graph: Graph, cases: Bundle) -> None:
    await _matches(graph, cases, "KA", 3, statuses=["CUSTOMER"])
    head = await _matches(graph, cases, "KD", 2, statuses=["PROSPECT", "OPPORTUNITY"])
    assert head["total"] == 3


async def test_segments_name_customers_without_one_and_overlap_share(
    graph: Graph, cases: Bundle
) -> None:
    head = await _matches(graph, cases, "KA", 3)
    assert {"segment": "", "customers": 1} in head["byIndustry"]
    assert head["byIndustry"][0] == {"segment": "Retail", "customers": 3}
    assert head["overlapShare"] == pytest.approx(1 / 7)


async def test_names_with_commas_quotes_and_unicode_come_back_whole(
    graph: Graph, cases: Bundle
) -> None:
    found = await campaign_reach(graph, "KD", depth=0, first=50)
    names = {
        edge["node"]["customer"]["name"]
        for edge in found.data["campaignReach"]["customers"]["edges"]
    }
    assert names == {"Acme, Inc.", 'The "Quoted" Co', "Zürich Ünïcode 株式会社"}


async def test_plan_reach_counts_a_partner_listed_twice_once(graph: Graph, cases: Bundle) -> None:
    twice = await plan_reach(graph, ["P5", "P2", "P5"], depth=1)
    once = await plan_reach(graph, ["P2", "P5"], depth=1)
    assert not twice.errors
    assert twice.data == once.data
    assert [p["partner"]["key"] for p in twice.data["planReach"]["participants"]] == ["P2", "P5"]


def refused(found: Any, code: str, field: str) -> None:
    assert found.codes == [code], found.errors
    assert found.errors[0]["extensions"].get("field") == field, found.errors
    assert found.data is None


@pytest.mark.parametrize("depth", [-1, 6])
async def test_depth_out_of_range(graph: Graph, cases: Bundle, depth: int) -> None:
    refused(await campaign_reach(graph, "KA", depth=depth), "BAD_USER_INPUT", "depth")
    refused(await plan_reach(graph, ["P1"], depth=depth), "BAD_USER_INPUT", "depth")


@pytest.mark.parametrize("first", [0, 101])
async def test_first_out_of_range(graph: Graph, cases: Bundle, first: int) -> None:
    found = await campaign_reach(graph, "KA", first=first)
    assert found.codes == ["BAD_USER_INPUT"], found.errors
    assert found.errors[0]["extensions"].get("field") == "first"
    assert found.data["campaignReach"]["customers"] is None  # the field is nulled, not the answer


async def test_too_many_partners_and_targets(graph: Graph, cases: Bundle) -> None:
    refused(await plan_reach(graph, [f"Q{i}" for i in range(501)]), "BAD_USER_INPUT", "partners")
    assert not (await plan_reach(graph, ["P1"] * 501)).errors  # one partner, listed 501 times
    many = [f"I{i}" for i in range(51)]
    refused(
        await plan_reach(graph, ["P1"], targetIndustries=many), "BAD_USER_INPUT", "targetIndustries"
    )
    refused(await plan_reach(graph, ["P1"], targetRegions=many), "BAD_USER_INPUT", "targetRegions")
    assert not (await plan_reach(graph, ["P1"] * 500, targetRegions=many[:50])).errors


async def test_unknown_campaign_and_partner_are_not_found(graph: Graph, cases: Bundle) -> None:
    refused(await campaign_reach(graph, "K-none"), "NOT_FOUND", "campaign")
    refused(await plan_reach(graph, ["P1", "P5", "P1", "P-none"]), "NOT_FOUND", "partners[3]")


async def test_ids_of_the_wrong_kind(graph: Graph, cases: Bundle) -> None:
    found = await ask(graph, CAMPAIGN_REACH, {"campaign": encode_id("Partner", "P1")})
    assert found.codes == ["BAD_USER_INPUT"], found.errors
    found = await plan_reach(graph, ["P1"])
    assert not found.errors
