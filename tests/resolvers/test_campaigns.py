"""Campaigns and participations, checked against the bundle's rows, and who may see which."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from connection_support import edges, load, ordered, refuses_bad_pages, walk
from support import ask, partner_viewer, read_csv, wipe, write_csv

from graph.db import Graph
from resolvers.node import encode_id

PARTNERS = ["P", "B", "C", "D", "E", "F", "G"]
VIEWER = "P"
STARTS = ["2025-01-01", "2025-03-15", "2025-03-15", "2025-06-30", "2026-01-10"]
DAYS = ["2025-03-15", "2025-04-30", "2025-06-30", "2026-02-01", "2024-12-31"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = tmp_path_factory.mktemp("campaigns")
    rng = random.Random(5)
    campaigns, crews = [], []
    for i in range(1, 25):
        key, starts = f"K{i:02d}", rng.choice(STARTS)
        ends = rng.choice(["", starts, "2025-04-30", "2026-12-31"])
        ends = "" if ends and ends < starts else ends
        campaigns.append(
            [
                key,
                f"{rng.choice(['Spring', 'spring', 'Summit', 'Harbor'])} {i % 3}",
                starts,
                ends,
                rng.choice(["EMAIL", "EVENT", "WEBINAR", ""]),
                rng.choice(["", "5000", "125000.5"]),
                rng.choice(["", "Retail", "Retail;Health"]),
                rng.choice(["", "EMEA;NA"]),
            ]
        )
        for place, partner in enumerate(rng.sample(PARTNERS, rng.randint(0, 5))):
            role = "LEAD" if place == 0 else rng.choice(["PARTICIPANT", ""])
            crews.append([key, partner, role, rng.choice(["", "0", "2500.5"])])
    write_csv(
        folder,
        "partners.csv",
        [[key, f"Partner {key}", "MSP", "GOLD", "", "", "", "", ""] for key in PARTNERS],
    )
    write_csv(folder, "campaigns.csv", campaigns)
    write_csv(folder, "campaign_partners.csv", crews)
    yield await load(graph, folder)
    await wipe(graph)


def campaigns_of(bundle: Path) -> dict[str, dict[str, Any]]:
    def items(cell: str) -> list[str]:
        return [item for item in cell.split(";") if item]

    return {
        row["key"]: {
            "id": encode_id("Campaign", row["key"]),
            "key": row["key"],
            "name": row["name"],
            "startsOn": row["starts_on"],
            "endsOn": row["ends_on"] or None,
            "channel": row["channel"] or None,
            "budget": float(row["budget"]) if row["budget"] else None,
            "targetIndustries": items(row["target_industries"]),
            "targetRegions": items(row["target_regions"]),
        }
        for row in read_csv(bundle / "campaigns.csv")
    }


def crews_of(bundle: Path) -> list[dict[str, Any]]:
    return [
        {
            "campaign": row["campaign_key"],
            "partner": row["partner_key"],
            "role": row["role"] or None,
            "mdf": float(row["mdf"]) if row["mdf"] else None,
        }
        for row in read_csv(bundle / "campaign_partners.csv")
    ]


def members(bundle: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in crews_of(bundle):
        found[row["campaign"]].add(row["partner"])
    return found


FIELDS = "id key name startsOn endsOn channel budget targetIndustries targetRegions"
PARTICIPATION = "role mdf partner { key name } campaign { key }"
CAMPAIGNS = f"""query($first: Int, $after: String, $filter: CampaignFilter, $orderBy: CampaignOrder) {{
  campaigns(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {edges(FIELDS)} }}
}}"""
CAMPAIGN_PARTNERS = f"""query($key: String!, $first: Int, $after: String) {{
  campaign(key: $key) {{ partners(first: $first, after: $after) {{ {edges(PARTICIPATION)} }} }}
}}"""
PARTNER_CAMPAIGNS = f"""query($key: String!, $first: Int, $after: String) {{
  partner(key: $key) {{ campaigns(first: $first, after: $after) {{ {edges(PARTICIPATION)} }} }}
}}"""


def flat(node: dict[str, Any]) -> dict[str, Any]:
    assert node["partner"]["name"] == f"Partner {node['partner']['key']}"
    return {
        "campaign": node["campaign"]["key"],
        "partner": node["partner"]["key"],
        "role": node["role"],
        "mdf": node["mdf"],
    }


async def test_a_campaign_by_key_and_by_id_has_every_field(graph: Graph, bundle: Path) -> None:
    query = f"""query($key: String!, $id: ID!) {{
      campaign(key: $key) {{ {FIELDS} }}
      node(id: $id) {{ ... on Campaign {{ {FIELDS} }} }}
      missing: campaign(key: "nope") {{ key }}
    }}"""
    for key, campaign in campaigns_of(bundle).items():
        answer = await ask(graph, query, {"key": key, "id": campaign["id"]})
        assert not answer.errors, answer.errors
        assert answer.data == {"campaign": campaign, "node": campaign, "missing": None}


@pytest.mark.parametrize(
    ("field", "sort"),
    [
        ("KEY", lambda c: c["key"]),
        ("NAME", lambda c: c["name"]),
        ("STARTS_ON", lambda c: c["startsOn"]),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_campaigns_page_through_every_campaign_once_in_order(
    graph: Graph, bundle: Path, field: str, sort: Any, direction: str
) -> None:
    expected = campaigns_of(bundle)
    order = {"orderBy": {"field": field, "direction": direction}}
    nodes = await walk(graph, CAMPAIGNS, ["campaigns"], order, size=5)
    assert [node["key"] for node in nodes] == ordered(
        list(expected.values()), sort, direction == "DESC"
    )
    assert nodes == [expected[node["key"]] for node in nodes]


def matches(campaign: dict[str, Any], given: dict[str, Any]) -> bool:
    day = given.get("activeOn")
    text = given.get("nameContains")
    return all(
        [
            "channel" not in given or campaign["channel"] in given["channel"],
            text is None or text.lower() in campaign["name"].lower(),
            day is None
            or (
                campaign["startsOn"] <= day
                and (campaign["endsOn"] is None or campaign["endsOn"] >= day)
            ),
        ]
    )


FILTERS = [
    {"channel": ["EMAIL"]},
    {"channel": ["EVENT", "WEBINAR"]},
    {"nameContains": "SPRING"},
    {"nameContains": "harbor 1"},
    *({"activeOn": day} for day in DAYS),
    {"activeOn": "2025-04-30", "channel": ["EMAIL", "EVENT"], "nameContains": "s"},
]


@pytest.mark.parametrize("given", FILTERS)
async def test_campaigns_filter(graph: Graph, bundle: Path, given: dict[str, Any]) -> None:
    nodes = await walk(graph, CAMPAIGNS, ["campaigns"], {"filter": given}, size=4)
    wanted = sorted(key for key, c in campaigns_of(bundle).items() if matches(c, given))
    assert [node["key"] for node in nodes] == wanted


async def test_a_campaigns_partners_page_through_every_participant(
    graph: Graph, bundle: Path
) -> None:
    by_campaign: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in crews_of(bundle):
        by_campaign[row["campaign"]].append(row)
    for key in campaigns_of(bundle):
        nodes = await walk(graph, CAMPAIGN_PARTNERS, ["campaign", "partners"], {"key": key}, size=2)
        assert [flat(node) for node in nodes] == sorted(
            by_campaign[key], key=lambda row: row["partner"]
        )


async def test_a_partners_campaigns_page_through_every_participation(
    graph: Graph, bundle: Path
) -> None:
    by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in crews_of(bundle):
        by_partner[row["partner"]].append(row)
    for key in PARTNERS:
        nodes = await walk(graph, PARTNER_CAMPAIGNS, ["partner", "campaigns"], {"key": key}, size=3)
        assert [flat(node) for node in nodes] == sorted(
            by_partner[key], key=lambda row: row["campaign"]
        )


async def test_bad_arguments_are_bad_user_input(graph: Graph, bundle: Path) -> None:
    await refuses_bad_pages(graph, CAMPAIGNS)
    await refuses_bad_pages(graph, CAMPAIGN_PARTNERS, {"key": "K01"})
    await refuses_bad_pages(graph, PARTNER_CAMPAIGNS, {"key": "B"})
    answer = await ask(graph, CAMPAIGNS, {"filter": {"activeOn": "2025-02-30"}})
    assert answer.codes == ["BAD_USER_INPUT"]


async def test_a_partner_sees_only_the_campaigns_it_takes_part_in(
    graph: Graph, bundle: Path
) -> None:
    expected = campaigns_of(bundle)
    crews = members(bundle)
    mine = sorted(key for key in expected if VIEWER in crews[key])
    assert 0 < len(mine) < len(expected)
    viewer = partner_viewer(VIEWER)
    nodes = await walk(graph, CAMPAIGNS, ["campaigns"], size=3, viewer=viewer)
    assert nodes == [expected[key] for key in mine]
    query = """query($ids: [ID!]!, $key: String!) {
      nodes(ids: $ids) { ... on Campaign { key } }
      campaign(key: $key) { key }
    }"""
    ids = [expected[key]["id"] for key in sorted(expected)]
    for key in expected:
        answer = await ask(graph, query, {"ids": ids, "key": key}, viewer)
        assert not answer.errors
        assert answer.data["campaign"] == ({"key": key} if key in mine else None)
    assert [node["key"] if node else None for node in answer.data["nodes"]] == [
        key if key in mine else None for key in sorted(expected)
    ]


@pytest.mark.parametrize("given", FILTERS)
async def test_a_partners_filtered_campaigns_and_counts_hold_only_its_own(
    graph: Graph, bundle: Path, given: dict[str, Any]
) -> None:
    crews = members(bundle)
    viewer = partner_viewer(VIEWER)
    nodes = await walk(graph, CAMPAIGNS, ["campaigns"], {"filter": given}, size=2, viewer=viewer)
    wanted = sorted(
        key for key, c in campaigns_of(bundle).items() if matches(c, given) and VIEWER in crews[key]
    )
    assert [node["key"] for node in nodes] == wanted  # walk checks totalCount too


async def test_another_partners_campaigns_show_only_those_shared_with_the_viewer(
    graph: Graph, bundle: Path
) -> None:
    crews = members(bundle)
    viewer = partner_viewer(VIEWER)
    hidden = 0
    for partner in PARTNERS:
        nodes = await walk(
            graph, PARTNER_CAMPAIGNS, ["partner", "campaigns"], {"key": partner}, viewer=viewer
        )
        theirs = sorted(key for key, crew in crews.items() if partner in crew)
        shared = [key for key in theirs if VIEWER in crews[key]]
        assert [node["campaign"]["key"] for node in nodes] == shared
        hidden += len(theirs) - len(shared)
    assert hidden > 0


async def test_a_visible_campaign_shows_all_its_participants(graph: Graph, bundle: Path) -> None:
    crews = members(bundle)
    viewer = partner_viewer(VIEWER)
    for key, crew in crews.items():
        answer = await ask(graph, CAMPAIGN_PARTNERS, {"key": key, "first": 100}, viewer)
        assert not answer.errors
        if VIEWER not in crew:
            assert answer.data["campaign"] is None
            continue
        found = answer.data["campaign"]["partners"]
        assert found["totalCount"] == len(crew)
        assert {edge["node"]["partner"]["key"] for edge in found["edges"]} == crew
