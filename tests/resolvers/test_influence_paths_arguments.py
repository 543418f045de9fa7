"""influencePaths refuses every hostile argument, naming it; and every question a partner
viewer asks is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from paths_oracle import Node
from paths_support import ask_paths, load_bundle
from support import partner_rows, partner_viewer, trail_events, wipe, write_csv

from graph import audit
from graph.audit import AuditTrail
from graph.db import Graph
from resolvers.node import encode_id


def p(key: str) -> Node:
    return ("Partner", key)


def c(key: str) -> Node:
    return ("Customer", key)


def s(key: str) -> Node:
    return ("Solution", key)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    """A, B and T; A and T hold q, A holds big; A and B co-sell; S1 is A's; D1 A's deal."""
    folder = tmp_path_factory.mktemp("paths-arguments")
    write_csv(
        folder,
        "partners.csv",
        partner_rows(("A", "B", "T", "Z")),
    )
    write_csv(folder, "customers.csv", [[k, f"Customer {k}", "", "", "", ""] for k in ("big", "q")])
    write_csv(
        folder,
        "accounts.csv",
        [
            ["A", "q", "CUSTOMER", "", ""],
            ["T", "q", "CUSTOMER", "", ""],
            ["A", "big", "PROSPECT", "", ""],
        ],
    )
    write_csv(folder, "partner_links.csv", [["A", "B", "CO_SELL", "", ""]])
    write_csv(folder, "solutions.csv", [["S1", "Suite", "", ""]])
    write_csv(folder, "solution_partners.csv", [["S1", "A", "", "", ""]])
    write_csv(folder, "deals.csv", [["D1", "A", "big", "100", "", "PENDING", "2026-01-01", ""]])
    await load_bundle(graph, folder)
    yield None
    await wipe(graph)


def refused(answer: Any, code: str, field: str) -> None:
    assert answer.codes == [code], answer.errors
    assert answer.errors[0]["extensions"].get("field") == field, answer.errors
    assert answer.data is None


@pytest.mark.parametrize("first", [0, 11, -1, -(2**31), 2**31 - 1, 1_000_000])
async def test_first_outside_one_to_ten(graph: Graph, world: None, first: int) -> None:
    refused(await ask_paths(graph, p("A"), p("T"), first=first), "BAD_USER_INPUT", "first")


@pytest.mark.parametrize("max_hops", [0, 7, -1, -(2**31), 2**31 - 1, 1_000])
async def test_max_hops_outside_one_to_six(graph: Graph, world: None, max_hops: int) -> None:
    refused(await ask_paths(graph, p("A"), p("T"), maxHops=max_hops), "BAD_USER_INPUT", "maxHops")


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 10**30])
async def test_integers_beyond_int_are_refused_not_failed(
    graph: Graph, world: None, value: int
) -> None:
    for name in ("first", "maxHops"):
        answer = await ask_paths(graph, p("A"), p("T"), **{name: value})
        assert answer.data is None and answer.errors
        assert "INTERNAL_SERVER_ERROR" not in answer.codes


async def test_from_equal_to_to_names_to(graph: Graph, world: None) -> None:
    for node in (p("A"), c("big"), s("S1")):
        refused(await ask_paths(graph, node, node), "BAD_USER_INPUT", "to")


@pytest.mark.parametrize(
    "bad",
    [
        encode_id("Deal", "D1"),
        encode_id("Agreement", "x"),
        encode_id("Campaign", "x"),
        "garbage!",
        "",
        encode_id("Nope", "A"),
    ],
)
async def test_ids_of_other_types_or_garbage(graph: Graph, world: None, bad: str) -> None:
    refused(await ask_paths(graph, bad, p("T")), "BAD_USER_INPUT", "from")
    refused(await ask_paths(graph, p("T"), bad), "BAD_USER_INPUT", "to")
    refused(
        await ask_paths(graph, p("A"), p("T"), avoid=[p("B"), bad]), "BAD_USER_INPUT", "avoid[1]"
    )


async def test_unknown_nodes_are_not_found_naming_the_argument(graph: Graph, world: None) -> None:
    # A is a partner, not a customer.
    for unknown in (p("nobody"), c("nobody"), s("nobody"), c("A")):
        refused(await ask_paths(graph, unknown, p("T")), "NOT_FOUND", "from")
        refused(await ask_paths(graph, p("T"), unknown), "NOT_FOUND", "to")
        avoid = [p("B"), c("big"), unknown]
        refused(await ask_paths(graph, p("A"), p("T"), avoid=avoid), "NOT_FOUND", "avoid[2]")


async def test_avoiding_an_end_is_refused(graph: Graph, world: None) -> None:
    refused(await ask_paths(graph, p("A"), p("T"), avoid=[p("A")]), "BAD_USER_INPUT", "avoid[0]")
    refused(
        await ask_paths(graph, p("A"), c("big"), avoid=[p("B"), c("big")]),
        "BAD_USER_INPUT",
        "avoid[1]",
    )


async def test_empty_lists_are_refused(graph: Graph, world: None) -> None:
    refused(await ask_paths(graph, p("A"), p("T"), via=[]), "BAD_USER_INPUT", "via")
    refused(await ask_paths(graph, p("A"), p("T"), avoid=[]), "BAD_USER_INPUT", "avoid")


async def test_an_unknown_relationship_kind_is_refused(graph: Graph, world: None) -> None:
    answer = await ask_paths(graph, p("A"), p("T"), via=["HAS_DEAL"])
    assert answer.data is None and answer.errors
    assert "INTERNAL_SERVER_ERROR" not in answer.codes


async def test_a_partner_viewer_s_every_question_is_audited(
    graph: Graph, world: None, trail: AuditTrail
) -> None:
    viewer = partner_viewer("A")
    with audit.bind(trail, "req-paths"):
        await ask_paths(graph, p("A"), c("q"), viewer)
        await ask_paths(graph, p("B"), p("T"), viewer, first=10, maxHops=6)
        await ask_paths(graph, p("A"), p("Z"), viewer)  # no path: still asked
    events, total, _ = await trail_events(trail)
    assert total == 3
    assert [(e.operation, e.allowed) for e in events] == [("influencePaths", True)] * 3
    assert {(e.viewer, e.role, e.request_id) for e in events} == {("A", "partner", "req-paths")}
