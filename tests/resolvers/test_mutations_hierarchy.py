"""subPartnerLink / subPartnerUnlink: the hierarchy stays a DAG, even under concurrent writes."""

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
    unchanged,
    user_errors,
)
from support import Answer, ask, dump

from graph.db import Graph

LINK = """
mutation($input: SubPartnerLinkInput!) {
  subPartnerLink(input: $input) {
    child { key } parent { key } since strength
    userErrors { field message code }
  }
}"""

UNLINK = """
mutation($input: SubPartnerUnlinkInput!) {
  subPartnerUnlink(input: $input) {
    child { key } parent { key } removed
    userErrors { field message code }
  }
}"""

EDGES = """
MATCH (c:Partner)-[s:SUB_PARTNER_OF]->(p:Partner)
RETURN c.key AS child, p.key AS parent, s.since AS since, s.strength AS strength
ORDER BY child, parent
"""
CYCLES = "MATCH (p:Partner)-[:SUB_PARTNER_OF*]->(p) RETURN count(*) AS n"
# (child, parent) pairs as $edges.
EDGES_SEED = """
UNWIND $edges AS e
MATCH (c:Partner {key: e[0]}) MATCH (p:Partner {key: e[1]})
CREATE (c)-[:SUB_PARTNER_OF {strength: 0.8}]->(p)
"""


async def link(
    graph: Graph, child: str, parent: str, viewer: str = "alliance_manager", **more: Any
) -> Answer:
    variables = {"input": {"child": partner_id(child), "parent": partner_id(parent), **more}}
    return await ask(graph, LINK, variables, VIEWERS[viewer])


async def unlink(graph: Graph, child: str, parent: str, viewer: str = "alliance_manager") -> Answer:
    variables = {"input": {"child": partner_id(child), "parent": partner_id(parent)}}
    return await ask(graph, UNLINK, variables, VIEWERS[viewer])


async def edges(graph: Graph) -> list[tuple[str, str, Any, float]]:
    return [
        (r["child"], r["parent"], r["since"] and r["since"].to_native(), r["strength"])
        for r in await graph.read(EDGES)
    ]


async def with_edges(graph: Graph, *pairs: tuple[str, str]) -> Graph:
    return await seed(graph, EDGES_SEED, edges=[list(pair) for pair in pairs])


async def test_link_puts_the_child_under_the_parent(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P2", "P1", since="2024-03-01", strength=0.5)
    assert user_errors(answer, "subPartnerLink") == []
    assert answer.data["subPartnerLink"] | {"userErrors": None} == {
        "child": {"key": "P2"},
        "parent": {"key": "P1"},
        "since": "2024-03-01",
        "strength": 0.5,
        "userErrors": None,
    }
    assert await edges(graph) == [("P2", "P1", datetime.date(2024, 3, 1), 0.5)]
    # A root parent: one query locks and reads the ancestry, one merges.
    assert answer.round_trips == 2


async def test_link_defaults_the_strength_and_reads_back_through_the_partner(
    empty_graph: Graph,
) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P2", "P1")
    assert answer.data["subPartnerLink"]["strength"] == 0.8
    assert answer.data["subPartnerLink"]["since"] is None
    assert await edges(graph) == [("P2", "P1", None, 0.8)]
    found = await ask(graph, '{ partner(key: "P2") { parents { key } } }')
    assert found.data == {"partner": {"parents": [{"key": "P1"}]}}


async def test_linking_again_updates_the_one_link(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    await link(graph, "P2", "P1", since="2024-03-01", strength=0.5)
    answer = await unchanged(graph, link(graph, "P2", "P1", since="2024-03-01", strength=0.5))
    assert user_errors(answer, "subPartnerLink") == []
    answer = await link(graph, "P2", "P1", since="2025-01-01", strength=0.9)
    assert answer.data["subPartnerLink"]["strength"] == 0.9
    assert await edges(graph) == [("P2", "P1", datetime.date(2025, 1, 1), 0.9)]
    # The input is the whole link: what is left out takes its default.
    await link(graph, "P2", "P1")
    assert await edges(graph) == [("P2", "P1", None, 0.8)]


async def test_a_reseller_may_sit_under_two_distributors(empty_graph: Graph) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"), ("P3", "P1"), ("P4", "P2"))
    answer = await link(graph, "P4", "P3")
    assert user_errors(answer, "subPartnerLink") == []
    assert [(child, parent) for child, parent, *_ in await edges(graph)] == [
        ("P2", "P1"),
        ("P3", "P1"),
        ("P4", "P2"),
        ("P4", "P3"),
    ]


@pytest.mark.parametrize(
    ("existing", "child", "parent", "loop"),
    [
        pytest.param([("P2", "P1")], "P1", "P2", "P1 → P2 → P1", id="direct"),
        pytest.param(
            [("P5", "P1"), ("P1", "P2")], "P2", "P5", "P2 → P5 → P1 → P2", id="like-import"
        ),
        pytest.param(
            [("P2", "P1"), ("P3", "P1"), ("P4", "P2"), ("P4", "P3")],
            "P1",
            "P4",
            "P1 → P4 → P2 → P1",
            id="through-two-parents",
        ),
    ],
)
async def test_a_cycle_is_refused_and_nothing_written(
    empty_graph: Graph, existing: list[tuple[str, str]], child: str, parent: str, loop: str
) -> None:
    graph = await with_edges(empty_graph, *existing)
    answer = await unchanged(graph, link(graph, child, parent))
    assert user_errors(answer, "subPartnerLink") == [("parent", "CYCLE")]
    message = answer.data["subPartnerLink"]["userErrors"][0]["message"]
    assert message.endswith(loop), message
    assert answer.data["subPartnerLink"]["child"] is None


async def test_a_self_link_is_refused_before_any_database_work(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P1", "P1")
    assert user_errors(answer, "subPartnerLink") == [("parent", "SELF_REFERENCE")]
    assert answer.round_trips == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"child": partner_id("P9")}, [("child", "NOT_FOUND")]),
        ({"parent": partner_id("P9")}, [("parent", "NOT_FOUND")]),
        ({"child": "not-an-id"}, [("child", "INVALID")]),
        ({"parent": customer_id("C1")}, [("parent", "INVALID")]),
        ({"child": "", "parent": "x"}, [("child", "INVALID"), ("parent", "INVALID")]),
        ({"strength": 0}, [("strength", "INVALID")]),
        ({"strength": 1.5}, [("strength", "INVALID")]),
        ({"strength": -0.2}, [("strength", "INVALID")]),
    ],
)
async def test_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await with_edges(empty_graph, ("P3", "P1"))
    variables = {"input": {"child": partner_id("P2"), "parent": partner_id("P1"), **given}}
    answer = await unchanged(graph, ask(graph, LINK, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "subPartnerLink") == expected


async def test_a_strength_of_one_is_allowed(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P2", "P1", strength=1)
    assert user_errors(answer, "subPartnerLink") == []
    assert await edges(graph) == [("P2", "P1", None, 1.0)]


async def test_unlink_removes_only_that_link(empty_graph: Graph) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"), ("P3", "P1"), ("P2", "P4"))
    answer = await unlink(graph, "P2", "P1")
    assert answer.data["subPartnerUnlink"] == {
        "child": {"key": "P2"},
        "parent": {"key": "P1"},
        "removed": True,
        "userErrors": [],
    }
    assert [(child, parent) for child, parent, *_ in await edges(graph)] == [
        ("P2", "P4"),
        ("P3", "P1"),
    ]


@pytest.mark.parametrize(
    ("child", "parent", "expected"),
    [
        ("P1", "P2", [(None, "NOT_FOUND")]),  # the link points the other way
        ("P3", "P1", [(None, "NOT_FOUND")]),
        ("P9", "P1", [("child", "NOT_FOUND")]),
        ("P2", "P9", [("parent", "NOT_FOUND")]),
    ],
)
async def test_unlink_of_no_such_link_is_not_found(
    empty_graph: Graph, child: str, parent: str, expected: list[tuple[str | None, str]]
) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"))
    answer = await unchanged(graph, unlink(graph, child, parent))
    assert user_errors(answer, "subPartnerUnlink") == expected
    assert answer.data["subPartnerUnlink"]["removed"] is False


async def test_unlink_with_a_bad_id_is_a_user_error(empty_graph: Graph) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"))
    variables = {"input": {"child": customer_id("C1"), "parent": partner_id("P1")}}
    answer = await unchanged(graph, ask(graph, UNLINK, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "subPartnerUnlink") == [("child", "INVALID")]


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_writers_may_change_the_hierarchy(empty_graph: Graph, viewer: str) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"))
    forbidden(await unchanged(graph, link(graph, "P3", "P1", viewer)))
    forbidden(await unchanged(graph, unlink(graph, "P2", "P1", viewer)))


@pytest.mark.parametrize("viewer", WRITERS)
async def test_writers_may_change_the_hierarchy(empty_graph: Graph, viewer: str) -> None:
    graph = await with_edges(empty_graph, ("P2", "P1"))
    assert user_errors(await link(graph, "P3", "P1", viewer), "subPartnerLink") == []
    assert user_errors(await unlink(graph, "P2", "P1", viewer), "subPartnerUnlink") == []
    assert [(child, parent) for child, parent, *_ in await edges(graph)] == [("P3", "P1")]


@pytest.mark.parametrize(
    ("existing", "racing"),
    [
        pytest.param([], [("P1", "P2"), ("P2", "P1")], id="two-ends"),
        # Neither link shares a partner with the other: only locking the ancestry serialises them.
        pytest.param(
            [("P1", "P2"), ("P3", "P4")], [("P2", "P3"), ("P4", "P1")], id="through-ancestors"
        ),
    ],
)
async def test_concurrent_links_cannot_close_a_cycle_together(
    empty_graph: Graph, existing: list[tuple[str, str]], racing: list[tuple[str, str]]
) -> None:
    graph = await with_edges(empty_graph, *existing)
    for _round in range(10):
        before = await dump(graph)
        answers = await asyncio.gather(*(link(graph, child, parent) for child, parent in racing))
        codes = [user_errors(answer, "subPartnerLink") for answer in answers]
        assert sorted(codes) == [[], [("parent", "CYCLE")]], codes
        assert (await graph.read(CYCLES))[0]["n"] == 0
        assert len(await edges(graph)) == len(existing) + 1
        # Put the graph back for the next round, which may go the other way.
        winner = racing[codes.index([])]
        assert user_errors(await unlink(graph, *winner), "subPartnerUnlink") == []
        assert await dump(graph) == before
