"""campaignCreate / campaignAddPartners / campaignRemovePartners: campaigns and who takes part."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from mutation_support import (
    VIEWERS,
    customer_id,
    forbidden,
    partner_id,
    seed,
    stored,
    unchanged,
    user_errors,
)
from support import Answer, ask, wipe

from graph.db import Graph
from resolvers.node import encode_id

WRITERS = ["admin", "marketer"]
NOT_WRITERS = ["alliance_manager", "partner"]

CREATE = """
mutation($input: CampaignCreateInput!) {
  campaignCreate(input: $input) {
    campaign { id key name startsOn endsOn channel budget targetIndustries targetRegions }
    userErrors { field message code }
  }
}"""

ADD = """
mutation($input: CampaignAddPartnersInput!) {
  campaignAddPartners(input: $input) {
    campaign { key partners { totalCount edges { node { partner { key } role mdf } } } }
    userErrors { field message code }
  }
}"""

REMOVE = """
mutation($input: CampaignRemovePartnersInput!) {
  campaignRemovePartners(input: $input) {
    campaign { key partners { totalCount } }
    userErrors { field message code }
  }
}"""

PARTICIPATIONS = """
MATCH (p:Partner)-[r:PARTICIPATES_IN]->(k:Campaign)
RETURN k.key AS campaign, p.key AS partner, r.role AS role, r.mdf AS mdf
ORDER BY campaign, partner
"""
# K1 with P1 and P2 taking part, and K2 with nobody.
CAMPAIGNS_SEED = """
CREATE (k1:Campaign {key: 'K1', name: 'One', startsOn: date('2026-01-01')})
CREATE (:Campaign {key: 'K2', name: 'Two', startsOn: date('2026-02-01')})
WITH k1
MATCH (p1:Partner {key: 'P1'}) MATCH (p2:Partner {key: 'P2'})
CREATE (p1)-[:PARTICIPATES_IN {role: 'host', mdf: 1000.0}]->(k1)
CREATE (p2)-[:PARTICIPATES_IN {role: 'guest'}]->(k1)
"""
SEEDED = [("K1", "P1", "host", 1000.0), ("K1", "P2", "guest", None)]
MINIMAL = {"key": "K3", "name": "Three", "startsOn": "2026-03-01"}


def campaign_id(key: str) -> str:
    return encode_id("Campaign", key)


async def create(graph: Graph, viewer: str = "marketer", **given: Any) -> Answer:
    return await ask(graph, CREATE, {"input": given}, VIEWERS[viewer])


async def add(
    graph: Graph, campaign: str, *partners: dict[str, Any], viewer: str = "marketer"
) -> Answer:
    given = [{**item, "partner": partner_id(item["partner"])} for item in partners]
    variables = {"input": {"campaign": campaign_id(campaign), "partners": given}}
    return await ask(graph, ADD, variables, VIEWERS[viewer])


async def remove(graph: Graph, campaign: str, *partners: str, viewer: str = "marketer") -> Answer:
    given = [partner_id(key) for key in partners]
    variables = {"input": {"campaign": campaign_id(campaign), "partners": given}}
    return await ask(graph, REMOVE, variables, VIEWERS[viewer])


async def participations(graph: Graph) -> list[tuple[str, str, str | None, float | None]]:
    return [
        (r["campaign"], r["partner"], r["role"], r["mdf"]) for r in await graph.read(PARTICIPATIONS)
    ]


async def seeded(graph: Graph) -> Graph:
    return await seed(graph, CAMPAIGNS_SEED)


async def test_create_adds_the_campaign(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(
        graph,
        key=" K3 ",
        name=" Three ",
        startsOn="2026-03-01",
        endsOn="2026-03-01",
        channel=" Webinar ",
        budget=0,
        targetIndustries=["Retail", " ", "Health", "Retail "],
        targetRegions=[" EMEA"],
    )
    assert user_errors(answer, "campaignCreate") == []
    assert answer.data["campaignCreate"]["campaign"] == {
        "id": campaign_id("K3"),
        "key": "K3",
        "name": "Three",
        "startsOn": "2026-03-01",
        "endsOn": "2026-03-01",
        "channel": "Webinar",
        "budget": 0.0,
        "targetIndustries": ["Retail", "Health"],
        "targetRegions": ["EMEA"],
    }
    assert await stored(graph, "Campaign", "K3") == [
        {
            "key": "K3",
            "name": "Three",
            "startsOn": datetime.date(2026, 3, 1),
            "endsOn": datetime.date(2026, 3, 1),
            "channel": "Webinar",
            "budget": 0.0,
            "targetIndustries": ["Retail", "Health"],
            "targetRegions": ["EMEA"],
        }
    ]
    found = await ask(graph, '{ campaign(key: "K3") { name } }')
    assert found.data == {"campaign": {"name": "Three"}}


async def test_create_leaves_out_what_is_not_given(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(graph, **MINIMAL, channel="", targetIndustries=None, targetRegions=[" "])
    campaign = answer.data["campaignCreate"]["campaign"]
    assert (campaign["targetIndustries"], campaign["targetRegions"]) == ([], [])
    assert await stored(graph, "Campaign", "K3") == [
        {"key": "K3", "name": "Three", "startsOn": datetime.date(2026, 3, 1)}
    ]


async def test_a_taken_key_is_a_conflict_and_nothing_changes(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, create(graph, **{**MINIMAL, "key": "K1"}))
    assert user_errors(answer, "campaignCreate") == [("key", "CONFLICT")]
    assert answer.data["campaignCreate"]["campaign"] is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"key": " "}, [("key", "REQUIRED")]),
        ({"name": ""}, [("name", "REQUIRED")]),
        ({"endsOn": "2026-02-28"}, [("endsOn", "INVALID")]),
        ({"budget": -0.01}, [("budget", "INVALID")]),
        (
            {"name": "", "endsOn": "2025-01-01", "budget": -1},
            [("name", "REQUIRED"), ("endsOn", "INVALID"), ("budget", "INVALID")],
        ),
    ],
)
async def test_create_with_bad_input_is_a_user_error(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seed(empty_graph)
    answer = await unchanged(graph, create(graph, **{**MINIMAL, **given}))
    assert user_errors(answer, "campaignCreate") == expected


async def test_add_partners_merges_each_participation(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await add(
        graph, "K2", {"partner": "P3", "role": " co-host ", "mdf": 2500.5}, {"partner": "P4"}
    )
    assert user_errors(answer, "campaignAddPartners") == []
    assert answer.data["campaignAddPartners"]["campaign"] == {
        "key": "K2",
        "partners": {
            "totalCount": 2,
            "edges": [
                {"node": {"partner": {"key": "P3"}, "role": "co-host", "mdf": 2500.5}},
                {"node": {"partner": {"key": "P4"}, "role": None, "mdf": None}},
            ],
        },
    }
    assert await participations(graph) == [
        *SEEDED,
        ("K2", "P3", "co-host", 2500.5),
        ("K2", "P4", None, None),
    ]


async def test_adding_again_changes_nothing_and_a_change_updates(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(
        graph, add(graph, "K1", {"partner": "P1", "role": "host", "mdf": 1000})
    )
    assert user_errors(answer, "campaignAddPartners") == []
    await add(graph, "K1", {"partner": "P1", "mdf": 0}, {"partner": "P3", "role": "guest"})
    assert await participations(graph) == [
        ("K1", "P1", None, 0.0),
        SEEDED[1],
        ("K1", "P3", "guest", None),
    ]


async def test_a_partner_listed_twice_is_taken_out_once(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    twice = await remove(graph, "K1", "P1", "P3", "P1")
    left = await participations(graph)
    await wipe(graph)
    graph = await seeded(graph)
    once = await remove(graph, "K1", "P1", "P3")
    assert twice.errors == [] and twice.data == once.data
    assert left == await participations(graph)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"campaign": campaign_id("K9")}, [("campaign", "NOT_FOUND")]),
        ({"campaign": partner_id("P1")}, [("campaign", "INVALID")]),
        (
            {"partners": [{"partner": partner_id("P3")}, {"partner": partner_id("P9")}]},
            [("partners[1].partner", "NOT_FOUND")],
        ),
        (
            {"partners": [{"partner": partner_id("P3")}, {"partner": partner_id("P3")}]},
            [("partners[1].partner", "DUPLICATE")],
        ),
        ({"partners": [{"partner": customer_id("C1")}]}, [("partners[0].partner", "INVALID")]),
        (
            {"partners": [{"partner": partner_id("P3"), "mdf": -5}]},
            [("partners[0].mdf", "INVALID")],
        ),
    ],
)
async def test_add_with_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    variables = {
        "input": {
            "campaign": campaign_id("K1"),
            "partners": [{"partner": partner_id("P3")}],
            **given,
        }
    }
    answer = await unchanged(graph, ask(graph, ADD, variables, VIEWERS["marketer"]))
    assert user_errors(answer, "campaignAddPartners") == expected
    assert answer.data["campaignAddPartners"]["campaign"] is None


async def test_remove_partners_takes_out_only_those_listed(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    await add(graph, "K2", {"partner": "P1"})
    answer = await remove(graph, "K1", "P1", "P3")  # P3 does not take part: left as it is
    assert answer.data["campaignRemovePartners"] == {
        "campaign": {"key": "K1", "partners": {"totalCount": 1}},
        "userErrors": [],
    }
    assert await participations(graph) == [SEEDED[1], ("K2", "P1", None, None)]
    answer = await unchanged(graph, remove(graph, "K1", "P1"))
    assert user_errors(answer, "campaignRemovePartners") == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"campaign": campaign_id("K9")}, [("campaign", "NOT_FOUND")]),
        ({"campaign": "nope"}, [("campaign", "INVALID")]),
        ({"partners": [partner_id("P1"), partner_id("P9")]}, [("partners[1]", "NOT_FOUND")]),
        (
            {"partners": [partner_id("P1"), partner_id("P9"), partner_id("P9")]},
            [("partners[1]", "NOT_FOUND")],
        ),
        ({"partners": [customer_id("C1")]}, [("partners[0]", "INVALID")]),
    ],
)
async def test_remove_with_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    variables = {"input": {"campaign": campaign_id("K1"), "partners": [partner_id("P1")], **given}}
    answer = await unchanged(graph, ask(graph, REMOVE, variables, VIEWERS["marketer"]))
    assert user_errors(answer, "campaignRemovePartners") == expected
    assert answer.data["campaignRemovePartners"]["campaign"] is None


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_marketers_and_admins_may_change_campaigns(
    empty_graph: Graph, viewer: str
) -> None:
    graph = await seeded(empty_graph)
    for asking in (
        create(graph, viewer, **MINIMAL),
        add(graph, "K1", {"partner": "P1"}, viewer=viewer),
        remove(graph, "K1", "P1", viewer=viewer),
    ):
        answer = await unchanged(graph, asking)
        forbidden(answer)
        assert answer.round_trips == 0


@pytest.mark.parametrize("viewer", WRITERS)
async def test_marketers_and_admins_may_change_campaigns(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    assert user_errors(await create(graph, viewer, **MINIMAL), "campaignCreate") == []
    answer = await add(graph, "K3", {"partner": "P1", "mdf": 10}, viewer=viewer)
    assert user_errors(answer, "campaignAddPartners") == []
    answer = await remove(graph, "K1", "P1", "P2", viewer=viewer)
    assert user_errors(answer, "campaignRemovePartners") == []
    assert await participations(graph) == [("K3", "P1", None, 10.0)]
