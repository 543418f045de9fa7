"""influencePaths on a hand-made ecosystem: parallel relationships of different strengths and
kinds (both directions, empty strengths), ties of every kind, a partner holding most customers
and a customer held by many partners, unreachable nodes, unicode and commas in keys and names
(hostile arguments and the audit: test_influence_paths_arguments.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import pytest_asyncio
from paths_oracle import Node, answer_of, brute_force, influence_graph, read_bundle
from paths_support import ask_paths, load_bundle, shaped
from support import partner_rows, wipe, write_csv

from graph.db import Graph

HUB_CUSTOMERS = [f"h{i:02}" for i in range(30)]
GROUP = [f"G{i:02}" for i in range(1, 13)]  # the partners holding "big"
NAMES = {
    "A": "Ärger, Söhne & Co",
    "B": 'B "quoted", Ltd',
    "H": "Hub 株式会社",
    "k,1": "Comma, Key; Inc",
    "Ü-1": "Ünïcode — 🚀",
}
PARTNERS = ["A", "B", "C", "D", "M", "T", "H", "q", "k,1", "Z", "Ü-1", *GROUP]
CUSTOMERS = [*HUB_CUSTOMERS, "big", "q", "lonely", "c,ü"]
STATUSES = ["CUSTOMER", "OPPORTUNITY", "PROSPECT"]
# Pairs whose answer differs from the contract, each checked by its own test below.


def p(key: str) -> Node:
    return ("Partner", key)


def c(key: str) -> Node:
    return ("Customer", key)


def s(key: str) -> Node:
    return ("Solution", key)


def awkward(folder: Path) -> None:
    write_csv(
        folder,
        "partners.csv",
        partner_rows(PARTNERS, NAMES),
    )
    write_csv(
        folder,
        "customers.csv",
        [
            [k, f"Customer {k}, ü" if "," not in k else "Komma, Kunde", "", "", "", ""]
            for k in CUSTOMERS
        ],
    )
    accounts = [
        ["H", h, "CUSTOMER", "", "0.95" if i % 7 == 0 else ""] for i, h in enumerate(HUB_CUSTOMERS)
    ]
    accounts += [[g, "big", STATUSES[i % 3], "", ""] for i, g in enumerate(GROUP)]
    accounts += [
        ["H", "big", "CUSTOMER", "", "1.0"],
        ["A", "big", "PROSPECT", "", ""],
        ["A", "q", "CUSTOMER", "", ""],  # A-q(customer)-T ties A-q(partner)-T
        ["T", "q", "CUSTOMER", "", ""],
        ["k,1", "c,ü", "OPPORTUNITY", "", ""],
        ["T", "c,ü", "CUSTOMER", "", "0.6"],
    ]
    write_csv(folder, "accounts.csv", accounts)
    write_csv(
        folder,
        "partner_links.csv",
        [
            # A and B: four relationships of three kinds, both directions, one empty strength.
            ["A", "B", "CO_SELL", "0.3", ""],
            ["B", "A", "CO_SELL", "0.6", ""],
            ["A", "B", "REFERRAL", "", ""],
            ["A", "B", "INTEGRATION", "0.9", ""],
            # C and D: equal strengths of three kinds (with the sub-partner edge below).
            ["C", "D", "CO_SELL", "0.5", ""],
            ["D", "C", "REFERRAL", "0.5", ""],
            ["A", "q", "CO_SELL", "0.9", ""],
            ["q", "T", "CO_SELL", "0.9", ""],
            # A-T in one hop and A-M-T in two, both exactly 0.25.
            ["A", "T", "CO_SELL", "0.25", ""],
            ["A", "M", "REFERRAL", "0.5", ""],
            ["T", "M", "REFERRAL", "0.5", ""],
            ["B", "C", "INTEGRATION", "", ""],
            ["D", "H", "REFERRAL", "0.8", ""],
            ["H", "T", "CO_SELL", "1.0", ""],
            ["k,1", "Ü-1", "REFERRAL", "1.0", ""],
            ["Ü-1", "T", "INTEGRATION", "", ""],
            ["G01", "G02", "CO_SELL", "0.7", ""],
            ["G02", "G03", "REFERRAL", "", ""],
            ["G05", "G09", "INTEGRATION", "0.2", ""],
        ],
    )
    write_csv(
        folder,
        "sub_partners.csv",
        [["B", "A", "", ""], ["D", "C", "", "0.5"], ["G04", "H", "", ""]],
    )
    write_csv(
        folder,
        "solutions.csv",
        [["S1", "Suite, ü", "", ""], ["S2", "Solo", "", ""], ["S3", "Orphan", "", ""]],
    )
    write_csv(
        folder,
        "solution_partners.csv",
        [
            ["S1", "A", "LEAD", "", ""],
            ["S1", "G06", "", "", "0.9"],
            ["S2", "H", "", "", "0.9"],
            ["S2", "G03", "", "", "0.3"],
        ],
    )
    write_csv(folder, "deals.csv", [["D1", "A", "big", "100", "", "PENDING", "2026-01-01", ""]])


@dataclass
class World:
    names: dict[Node, str]
    graph: nx.Graph

    def expected(self, source: Node, target: Node, **arguments: Any) -> list[dict[str, Any]]:
        chains = brute_force(
            self.graph,
            source,
            target,
            arguments.get("first", 3),
            arguments.get("maxHops", 4),
            arguments.get("via"),
            set(arguments.get("avoid") or ()),
        )
        return answer_of(chains, self.names)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp("paths-awkward")
    awkward(folder)
    await load_bundle(graph, folder)
    names, relationships = read_bundle(folder)
    yield World(names, influence_graph(names, relationships))
    await wipe(graph)


async def paths(graph: Graph, source: Node, target: Node, **arguments: Any) -> list[dict[str, Any]]:
    return shaped(await ask_paths(graph, source, target, **arguments))


def walk(path: dict[str, Any]) -> list[tuple[str, str | None, float | None]]:
    return [(step["key"], step["via"], step["strength"]) for step in path["steps"]]


ENDS = [
    p("A"),
    p("T"),
    p("H"),
    p("C"),
    p("k,1"),
    p("G07"),
    c("big"),
    c("h03"),
    c("c,ü"),
    c("q"),
    s("S1"),
    s("S2"),
]


@pytest.mark.parametrize(
    ("max_hops", "first"), [*((hops, 10) for hops in range(1, 7)), (4, 1), (4, 3), (6, 1), (6, 3)]
)
async def test_every_pair_is_the_oracle_s(
    graph: Graph, world: World, max_hops: int, first: int
) -> None:
    for source in ENDS:
        for target in ENDS:
            if source != target:
                got = await paths(graph, source, target, first=first, maxHops=max_hops)
                want = world.expected(source, target, first=first, maxHops=max_hops)
                assert got == want, (source, target)


@pytest.mark.parametrize(
    ("via", "kind", "strength"),
    [
        (None, "INTEGRATES_WITH", 0.9),
        (["CO_SELLS_WITH"], "CO_SELLS_WITH", 0.6),  # the stronger of the two directions
        (["REFERS_TO"], "REFERS_TO", 0.5),  # an empty strength: the default
        (["SUB_PARTNER_OF"], "SUB_PARTNER_OF", 0.8),
        (["CO_SELLS_WITH", "SUB_PARTNER_OF"], "SUB_PARTNER_OF", 0.8),
    ],
)
async def test_the_strongest_of_parallel_relationships_is_the_edge(
    graph: Graph, world: World, via: list[str] | None, kind: str, strength: float
) -> None:
    [best] = await paths(graph, p("A"), p("B"), first=1, maxHops=1, via=via)
    assert walk(best) == [("A", None, None), ("B", kind, strength)]
    assert best["influence"] == strength and best["hops"] == 1


@pytest.mark.parametrize(
    ("via", "kind"),
    [
        (None, "SUB_PARTNER_OF"),
        (["REFERS_TO", "CO_SELLS_WITH"], "CO_SELLS_WITH"),
        (["REFERS_TO"], "REFERS_TO"),
    ],
)
async def test_equal_strengths_take_the_kind_first_in_the_enum(
    graph: Graph, world: World, via: list[str] | None, kind: str
) -> None:
    [best] = await paths(graph, p("D"), p("C"), first=1, maxHops=1, via=via)
    assert walk(best) == [("D", None, None), ("C", kind, 0.5)]


async def test_ties_go_to_fewer_hops_then_keys_then_partners_before_customers(
    graph: Graph, world: World
) -> None:
    found = await paths(graph, p("A"), p("T"), first=10, maxHops=2)
    shown = [([step["key"] for step in path["steps"]], path["influence"]) for path in found]
    # 0.9 * 0.9 through q the partner and q the customer: the same key, Partner first.
    assert found[0]["steps"][1]["kind"] == "Partner" and found[1]["steps"][1]["kind"] == "Customer"
    assert shown[0] == shown[1] == (["A", "q", "T"], 0.9 * 0.9)
    # 0.25 in one hop before 0.5 * 0.5 in two.
    direct, through = shown.index((["A", "T"], 0.25)), shown.index((["A", "M", "T"], 0.25))
    assert direct < through
    assert found == world.expected(p("A"), p("T"), first=10, maxHops=2)


async def test_unreachable_targets_have_no_paths(graph: Graph, world: World) -> None:
    for target in (p("Z"), c("lonely"), s("S3")):
        for max_hops in (1, 6):
            assert await paths(graph, p("A"), target, first=10, maxHops=max_hops) == []
    assert await paths(graph, c("h01"), p("A"), maxHops=1) == []


async def test_a_customer_held_by_many_partners_and_a_partner_holding_most_customers(
    graph: Graph, world: World
) -> None:
    between = await paths(graph, c("h00"), c("h01"), first=10, maxHops=6)
    assert walk(between[0]) == [
        ("h00", None, None),
        ("H", "HAS_ACCOUNT", 0.95),
        ("h01", "HAS_ACCOUNT", 0.9),
    ]
    assert between == world.expected(c("h00"), c("h01"), first=10, maxHops=6)
    for group in GROUP:
        for target in (c("h05"), p("G01"), s("S1")):
            if target == p(group):
                continue
            got = await paths(graph, p(group), target, first=10, maxHops=6)
            assert got == world.expected(p(group), target, first=10, maxHops=6), (group, target)


async def test_unicode_and_commas_in_keys_and_names(graph: Graph, world: World) -> None:
    found = await paths(graph, p("k,1"), p("A"), first=10, maxHops=4)
    assert found == world.expected(p("k,1"), p("A"), first=10, maxHops=4)
    labels = {step["key"]: step["label"] for path in found for step in path["steps"]}
    assert labels["k,1"] == "Comma, Key; Inc" and labels["A"] == "Ärger, Söhne & Co"
    assert labels["Ü-1"] == "Ünïcode — 🚀" and labels["c,ü"] == "Komma, Kunde"


@pytest.mark.parametrize(
    ("source", "target", "avoid", "via"),
    [
        (p("D"), p("T"), [p("H")], None),
        (p("A"), p("T"), [p("q"), c("q")], None),
        (
            p("A"),
            p("T"),
            [c("big"), p("M"), s("S1")],
            ["HAS_ACCOUNT", "REFERS_TO", "CO_SELLS_WITH"],
        ),
        (c("big"), s("S2"), [p("H")], None),
        (p("G01"), c("h02"), [p("H")], None),  # the only way in is avoided
        (p("k,1"), p("A"), None, ["HAS_ACCOUNT"]),
        (p("A"), s("S2"), None, ["CO_CREATED", "HAS_ACCOUNT"]),
    ],
)
async def test_via_and_avoid(
    graph: Graph,
    world: World,
    source: Node,
    target: Node,
    avoid: list[Node] | None,
    via: list[str] | None,
) -> None:
    for max_hops in (2, 4, 6):
        got = await paths(graph, source, target, first=10, maxHops=max_hops, avoid=avoid, via=via)
        assert got == world.expected(
            source, target, first=10, maxHops=max_hops, avoid=avoid, via=via
        )
        shown = {(step["kind"], step["key"]) for path in got for step in path["steps"]}
        assert not shown & set(avoid or ())
        if via is not None:
            assert {step["via"] for path in got for step in path["steps"][1:]} <= set(via)


async def test_influence_is_the_product_of_six_decimal_strengths(
    graph: Graph, world: World
) -> None:
    """0.3 * 0.3 * 0.3 is 0.027: strengths count to six decimals, so the product is the decimal
    one (binary fractions multiplied exactly would make it 0.026999999999999996)."""
    got = shaped(await ask_paths(graph, p("A"), s("S2"), first=10, maxHops=3), exact=True)
    want = answer_of(brute_force(world.graph, p("A"), s("S2"), 10, 3), world.names, exact=True)
    assert [path["steps"] for path in got] == [path["steps"] for path in want]
    assert 0.027 in [path["influence"] for path in got]
    assert [path["influence"] for path in got] == [path["influence"] for path in want]


async def test_equal_decimal_products_tie_and_fewer_hops_come_first(
    graph: Graph, world: World
) -> None:
    """G01-big-G04-H-T-A-S1 (0.9 * 0.9 * 0.8 * 1.0 * 0.25 * 0.7) and G01-G02-big-G06-S1
    (0.7 * 0.6 * 0.3 * 0.9) are both 0.1134 — as binary floats a hair apart, in six-decimal
    strengths a tie: the path with fewer hops comes first."""
    found = await paths(graph, p("G01"), s("S1"), first=10, maxHops=6)
    order = [[step["key"] for step in path["steps"]] for path in found]
    longer = ["G01", "big", "G04", "H", "T", "A", "S1"]
    shorter = ["G01", "G02", "big", "G06", "S1"]
    assert order.index(shorter) < order.index(longer)
    assert found == world.expected(p("G01"), s("S1"), first=10, maxHops=6)
