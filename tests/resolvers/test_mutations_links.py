"""partnerLink / partnerUnlink: CO_SELLS_WITH, REFERS_TO and INTEGRATES_WITH between partners."""

from __future__ import annotations

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
from support import Answer, ask

from graph.db import Graph

LINK = """
mutation($input: PartnerLinkInput!) {
  partnerLink(input: $input) {
    link { partner { key } kind direction strength since }
    userErrors { field message code }
  }
}"""

UNLINK = """
mutation($input: PartnerUnlinkInput!) {
  partnerUnlink(input: $input) { removed userErrors { field message code } }
}"""

LINKS = """
MATCH (a:Partner)-[r:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH]->(b:Partner)
RETURN a.key AS source, type(r) AS kind, b.key AS target, r.strength AS strength, r.since AS since
ORDER BY source, kind, target
"""
LINKS_SEED = """
MATCH (a:Partner {key: 'P1'}) MATCH (b:Partner {key: 'P2'})
CREATE (a)-[:CO_SELLS_WITH {strength: 0.7}]->(b)
CREATE (a)-[:REFERS_TO {strength: 0.5}]->(b)
"""
DEFAULTS = {"CO_SELLS_WITH": 0.7, "REFERS_TO": 0.5, "INTEGRATES_WITH": 0.4}


async def link(
    graph: Graph,
    source: str,
    target: str,
    kind: str = "CO_SELLS_WITH",
    viewer: str = "alliance_manager",
    **more: Any,
) -> Answer:
    given = {"from": partner_id(source), "to": partner_id(target), "kind": kind}
    return await ask(graph, LINK, {"input": {**given, **more}}, VIEWERS[viewer])


async def unlink(
    graph: Graph, source: str, target: str, kind: str, viewer: str = "alliance_manager"
) -> Answer:
    given = {"from": partner_id(source), "to": partner_id(target), "kind": kind}
    return await ask(graph, UNLINK, {"input": given}, VIEWERS[viewer])


async def links(graph: Graph) -> list[tuple[str, str, str, float, Any]]:
    return [
        (r["source"], r["kind"], r["target"], r["strength"], r["since"] and r["since"].to_native())
        for r in await graph.read(LINKS)
    ]


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
async def test_link_creates_the_link_seen_from_its_source(empty_graph: Graph, kind: str) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P3", "P4", kind, since="2022-02-02", strength=0.25)
    assert answer.data["partnerLink"] == {
        "link": {
            "partner": {"key": "P4"},
            "kind": kind,
            "direction": "OUTGOING",
            "strength": 0.25,
            "since": "2022-02-02",
        },
        "userErrors": [],
    }
    assert await links(graph) == [("P3", kind, "P4", 0.25, datetime.date(2022, 2, 2))]


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
async def test_link_defaults_the_strength_by_kind(empty_graph: Graph, kind: str) -> None:
    graph = await seed(empty_graph)
    answer = await link(graph, "P3", "P4", kind)
    assert answer.data["partnerLink"]["link"]["strength"] == DEFAULTS[kind]
    assert await links(graph) == [("P3", kind, "P4", DEFAULTS[kind], None)]


async def test_linking_again_updates_the_one_link(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    answer = await unchanged(graph, link(graph, "P1", "P2", "CO_SELLS_WITH"))
    assert user_errors(answer, "partnerLink") == []
    await link(graph, "P1", "P2", "CO_SELLS_WITH", strength=0.9, since="2020-01-01")
    assert await links(graph) == [
        ("P1", "CO_SELLS_WITH", "P2", 0.9, datetime.date(2020, 1, 1)),
        ("P1", "REFERS_TO", "P2", 0.5, None),
    ]


async def test_links_are_directed_and_one_per_kind(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    await link(graph, "P2", "P1", "CO_SELLS_WITH")
    await link(graph, "P1", "P2", "INTEGRATES_WITH")
    assert [(s, k, t) for s, k, t, *_ in await links(graph)] == [
        ("P1", "CO_SELLS_WITH", "P2"),
        ("P1", "INTEGRATES_WITH", "P2"),
        ("P1", "REFERS_TO", "P2"),
        ("P2", "CO_SELLS_WITH", "P1"),
    ]
    found = await ask(
        graph, '{ partner(key: "P2") { links(kinds: [CO_SELLS_WITH]) { totalCount } } }'
    )
    assert found.data == {"partner": {"links": {"totalCount": 2}}}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"to": partner_id("P1")}, [("to", "SELF_REFERENCE")]),
        ({"from": partner_id("P9")}, [("from", "NOT_FOUND")]),
        ({"to": partner_id("P9")}, [("to", "NOT_FOUND")]),
        ({"from": customer_id("C1")}, [("from", "INVALID")]),
        ({"to": "zzz"}, [("to", "INVALID")]),
        ({"strength": 0}, [("strength", "INVALID")]),
        ({"strength": 2}, [("strength", "INVALID")]),
    ],
)
async def test_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    variables = {
        "input": {"from": partner_id("P1"), "to": partner_id("P3"), "kind": "REFERS_TO", **given}
    }
    answer = await unchanged(graph, ask(graph, LINK, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "partnerLink") == expected
    assert answer.data["partnerLink"]["link"] is None


async def test_an_unknown_kind_is_refused_by_the_schema(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    variables = {"input": {"from": partner_id("P1"), "to": partner_id("P2"), "kind": "CO_SELL"}}
    answer = await unchanged(graph, ask(graph, LINK, variables, VIEWERS["alliance_manager"]))
    assert answer.codes == ["BAD_USER_INPUT"]


async def test_unlink_removes_only_that_kind(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    answer = await unlink(graph, "P1", "P2", "REFERS_TO")
    assert answer.data["partnerUnlink"] == {"removed": True, "userErrors": []}
    assert await links(graph) == [("P1", "CO_SELLS_WITH", "P2", 0.7, None)]


@pytest.mark.parametrize(
    ("source", "target", "kind", "expected"),
    [
        ("P1", "P2", "INTEGRATES_WITH", [(None, "NOT_FOUND")]),
        ("P2", "P1", "CO_SELLS_WITH", [(None, "NOT_FOUND")]),
        ("P9", "P2", "CO_SELLS_WITH", [("from", "NOT_FOUND")]),
        ("P1", "P9", "CO_SELLS_WITH", [("to", "NOT_FOUND")]),
        ("P1", "P1", "CO_SELLS_WITH", [("to", "SELF_REFERENCE")]),
    ],
)
async def test_unlink_of_no_such_link_is_a_user_error(
    empty_graph: Graph,
    source: str,
    target: str,
    kind: str,
    expected: list[tuple[str | None, str]],
) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    answer = await unchanged(graph, unlink(graph, source, target, kind))
    assert answer.data["partnerUnlink"]["removed"] is False
    assert user_errors(answer, "partnerUnlink") == expected


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_writers_may_change_links(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    forbidden(await unchanged(graph, link(graph, "P3", "P1", viewer=viewer)))
    forbidden(await unchanged(graph, unlink(graph, "P1", "P2", "REFERS_TO", viewer=viewer)))


@pytest.mark.parametrize("viewer", WRITERS)
async def test_writers_may_change_links(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph, LINKS_SEED)
    assert user_errors(await link(graph, "P3", "P1", viewer=viewer), "partnerLink") == []
    answer = await unlink(graph, "P1", "P2", "REFERS_TO", viewer=viewer)
    assert user_errors(answer, "partnerUnlink") == []
    assert [(s, k, t) for s, k, t, *_ in await links(graph)] == [
        ("P1", "CO_SELLS_WITH", "P2"),
        ("P3", "CO_SELLS_WITH", "P1"),
    ]
