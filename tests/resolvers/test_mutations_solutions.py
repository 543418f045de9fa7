"""solutionCreate / solutionAddPartners: solutions and the partners that co-created them."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from mutation_support import (
    NOT_WRITERS,
    VIEWERS,
    WRITERS,
    customer_id,
    forbidden,
    partner_id,
    seed,
    stored,
    unchanged,
    user_errors,
)
from support import Answer, ask

from graph.db import Graph
from resolvers.node import encode_id

CREATE = """
mutation($input: SolutionCreateInput!) {
  solutionCreate(input: $input) {
    solution { id key name industry launchedOn }
    userErrors { field message code }
  }
}"""

ADD = """
mutation($input: SolutionAddPartnersInput!) {
  solutionAddPartners(input: $input) {
    solution { key partners { totalCount edges { node { partner { key } role share strength } } } }
    userErrors { field message code }
  }
}"""

CONTRIBUTIONS = """
MATCH (p:Partner)-[r:CO_CREATED]->(s:Solution)
RETURN s.key AS solution, p.key AS partner, r.role AS role, r.share AS share,
       r.strength AS strength
ORDER BY solution, partner
"""
# S1 (P1 its lead, P2 a contributor) and S2 (no partners).
SOLUTIONS_SEED = """
CREATE (s1:Solution {key: 'S1', name: 'One'}), (:Solution {key: 'S2', name: 'Two'})
WITH s1
MATCH (p1:Partner {key: 'P1'}) MATCH (p2:Partner {key: 'P2'})
CREATE (p1)-[:CO_CREATED {role: 'LEAD', share: 0.6, strength: 0.9}]->(s1)
CREATE (p2)-[:CO_CREATED {role: 'CONTRIBUTOR', share: 0.4, strength: 0.7}]->(s1)
"""
SEEDED = [("S1", "P1", "LEAD", 0.6, 0.9), ("S1", "P2", "CONTRIBUTOR", 0.4, 0.7)]


def solution_id(key: str) -> str:
    return encode_id("Solution", key)


async def create(graph: Graph, viewer: str = "alliance_manager", **given: Any) -> Answer:
    return await ask(graph, CREATE, {"input": given}, VIEWERS[viewer])


async def add(
    graph: Graph, solution: str, *partners: dict[str, Any], viewer: str = "alliance_manager"
) -> Answer:
    given = [{**item, "partner": partner_id(item["partner"])} for item in partners]
    variables = {"input": {"solution": solution_id(solution), "partners": given}}
    return await ask(graph, ADD, variables, VIEWERS[viewer])


async def contributions(graph: Graph) -> list[tuple[str, str, str, float | None, float]]:
    return [
        (r["solution"], r["partner"], r["role"], r["share"], r["strength"])
        for r in await graph.read(CONTRIBUTIONS)
    ]


async def seeded(graph: Graph) -> Graph:
    return await seed(graph, SOLUTIONS_SEED)


async def test_create_adds_the_solution(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(
        graph, key=" S3 ", name=" Three ", industry=" Retail ", launchedOn="2025-02-01"
    )
    assert user_errors(answer, "solutionCreate") == []
    solution = answer.data["solutionCreate"]["solution"]
    assert solution == {
        "id": solution_id("S3"),
        "key": "S3",
        "name": "Three",
        "industry": "Retail",
        "launchedOn": "2025-02-01",
    }
    assert await stored(graph, "Solution", "S3") == [
        {
            "key": "S3",
            "name": "Three",
            "industry": "Retail",
            "launchedOn": datetime.date(2025, 2, 1),
        }
    ]
    found = await ask(
        graph,
        "query($id: ID!) { node(id: $id) { ... on Solution { key } } }",
        {"id": solution["id"]},
    )
    assert found.data == {"node": {"key": "S3"}}


async def test_create_leaves_out_what_is_not_given(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await create(graph, key="S3", name="Three", industry="  ")
    assert answer.data["solutionCreate"]["solution"]["industry"] is None
    assert await stored(graph, "Solution", "S3") == [{"key": "S3", "name": "Three"}]


async def test_a_taken_key_is_a_conflict_and_nothing_changes(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, create(graph, key="S1", name="Another one"))
    assert user_errors(answer, "solutionCreate") == [("key", "CONFLICT")]
    assert answer.data["solutionCreate"]["solution"] is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"key": " "}, [("key", "REQUIRED")]),
        ({"name": ""}, [("name", "REQUIRED")]),
        ({"key": "", "name": " "}, [("key", "REQUIRED"), ("name", "REQUIRED")]),
    ],
)
async def test_create_with_bad_input_is_a_user_error(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seed(empty_graph)
    answer = await unchanged(graph, create(graph, **{"key": "S3", "name": "Three", **given}))
    assert user_errors(answer, "solutionCreate") == expected


async def test_add_partners_merges_each_contribution(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await add(
        graph,
        "S2",
        {"partner": "P3", "role": "LEAD", "share": 0.5, "strength": 1},
        {"partner": "P4", "share": 0},
        {"partner": "P5", "role": None},
    )
    assert user_errors(answer, "solutionAddPartners") == []
    assert answer.data["solutionAddPartners"]["solution"] == {
        "key": "S2",
        "partners": {
            "totalCount": 3,
            "edges": [
                {"node": {"partner": {"key": "P3"}, "role": "LEAD", "share": 0.5, "strength": 1.0}},
                {
                    "node": {
                        "partner": {"key": "P4"},
                        "role": "CONTRIBUTOR",
                        "share": 0.0,
                        "strength": 0.7,
                    }
                },
                {
                    "node": {
                        "partner": {"key": "P5"},
                        "role": "CONTRIBUTOR",
                        "share": None,
                        "strength": 0.7,
                    }
                },
            ],
        },
    }
    assert await contributions(graph) == [
        *SEEDED,
        ("S2", "P3", "LEAD", 0.5, 1.0),
        ("S2", "P4", "CONTRIBUTOR", 0.0, 0.7),
        ("S2", "P5", "CONTRIBUTOR", None, 0.7),
    ]
    # One transaction (lock and check, then merge), then the partners' page and its count.
    assert answer.round_trips == 4


async def test_adding_again_changes_nothing_and_a_change_updates(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    again = {"partner": "P2", "role": "CONTRIBUTOR", "share": 0.4, "strength": 0.7}
    answer = await unchanged(graph, add(graph, "S1", again))
    assert user_errors(answer, "solutionAddPartners") == []
    # Every field is set as given: a share left out is cleared, a strength takes its default.
    await add(graph, "S1", {"partner": "P2"})
    assert await contributions(graph) == [SEEDED[0], ("S1", "P2", "CONTRIBUTOR", None, 0.7)]


async def test_the_lead_may_change_hands_in_one_change(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await add(
        graph, "S1", {"partner": "P1", "share": 0.6}, {"partner": "P2", "role": "LEAD"}
    )
    assert user_errors(answer, "solutionAddPartners") == []
    assert await contributions(graph) == [
        ("S1", "P1", "CONTRIBUTOR", 0.6, 0.7),
        ("S1", "P2", "LEAD", None, 0.7),
    ]


async def test_a_second_lead_is_a_conflict_and_nothing_written(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(
        graph, add(graph, "S1", {"partner": "P3"}, {"partner": "P4", "role": "LEAD"})
    )
    assert user_errors(answer, "solutionAddPartners") == [("partners[1].role", "CONFLICT")]
    message = answer.data["solutionAddPartners"]["userErrors"][0]["message"]
    assert "'P1' and 'P4'" in message, message
    assert answer.data["solutionAddPartners"]["solution"] is None


async def test_two_leads_in_the_input_are_a_conflict(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(
        graph,
        add(graph, "S2", {"partner": "P3", "role": "LEAD"}, {"partner": "P4", "role": "LEAD"}),
    )
    assert user_errors(answer, "solutionAddPartners") == [("partners[1].role", "CONFLICT")]
    assert answer.round_trips == 0


async def test_concurrent_leads_cannot_both_win(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for _round in range(5):
        answers = await asyncio.gather(
            add(graph, "S2", {"partner": "P3", "role": "LEAD"}),
            add(graph, "S2", {"partner": "P4", "role": "LEAD"}),
        )
        codes = sorted(user_errors(answer, "solutionAddPartners") for answer in answers)
        assert codes == [[], [("partners[0].role", "CONFLICT")]], codes
        leads = [row for row in await contributions(graph) if row[0] == "S2"]
        assert len(leads) == 1
        await graph.write("MATCH (:Solution {key: 'S2'})<-[r:CO_CREATED]-() DELETE r")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"solution": solution_id("S9")}, [("solution", "NOT_FOUND")]),
        ({"solution": partner_id("P1")}, [("solution", "INVALID")]),
        ({"solution": "nope"}, [("solution", "INVALID")]),
        (
            {"partners": [{"partner": partner_id("P3")}, {"partner": partner_id("P9")}]},
            [("partners[1].partner", "NOT_FOUND")],
        ),
        (
            {"partners": [{"partner": partner_id("P8")}, {"partner": partner_id("P9")}]},
            [("partners[0].partner", "NOT_FOUND"), ("partners[1].partner", "NOT_FOUND")],
        ),
        (
            {"partners": [{"partner": partner_id("P3")}, {"partner": partner_id("P3")}]},
            [("partners[1].partner", "DUPLICATE")],
        ),
        ({"partners": [{"partner": customer_id("C1")}]}, [("partners[0].partner", "INVALID")]),
        (
            {"partners": [{"partner": partner_id("P3"), "share": 1.5}]},
            [("partners[0].share", "INVALID")],
        ),
        (
            {"partners": [{"partner": partner_id("P3"), "share": -0.1}]},
            [("partners[0].share", "INVALID")],
        ),
        (
            {"partners": [{"partner": partner_id("P3"), "strength": 0}]},
            [("partners[0].strength", "INVALID")],
        ),
        (
            {"partners": [{"partner": partner_id("P3"), "strength": 1.1}]},
            [("partners[0].strength", "INVALID")],
        ),
    ],
)
async def test_add_with_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    variables = {
        "input": {
            "solution": solution_id("S1"),
            "partners": [{"partner": partner_id("P3")}],
            **given,
        }
    }
    answer = await unchanged(graph, ask(graph, ADD, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "solutionAddPartners") == expected
    assert answer.data["solutionAddPartners"]["solution"] is None


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_writers_may_change_solutions(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, create(graph, viewer, key="S3", name="Three"))
    forbidden(answer)
    assert answer.round_trips == 0
    answer = await unchanged(graph, add(graph, "S2", {"partner": "P1"}, viewer=viewer))
    forbidden(answer)
    assert answer.round_trips == 0


@pytest.mark.parametrize("viewer", WRITERS)
async def test_writers_may_change_solutions(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    assert user_errors(await create(graph, viewer, key="S3", name="Three"), "solutionCreate") == []
    answer = await add(graph, "S3", {"partner": "P1"}, viewer=viewer)
    assert user_errors(answer, "solutionAddPartners") == []
    assert await contributions(graph) == [*SEEDED, ("S3", "P1", "CONTRIBUTOR", None, 0.7)]
