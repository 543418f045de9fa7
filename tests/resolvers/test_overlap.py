"""Overlap queries against an independent computation (sets, networkx) on generated ecosystems
and on a hand-made awkward one: empty partners, siblings under a distributor, a reseller under
two parents, ties, unicode and commas in names."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from oracle import EVERY, Ecosystem
from support import ask, wipe, wipe_and_load, write_csv

from graph.analytics.overlap import PROBE_RATIO
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

# No filter, and every non-empty subset of the statuses.
STATUS_FILTERS: list[list[str] | None] = [
    None,
    *(
        sorted(subset)
        for size in (1, 2, 3)
        for subset in itertools.combinations(sorted(EVERY), size)
    ),
]


def pid(key: str) -> str:
    return encode_id("Partner", key)


def wanted(statuses: list[str] | None) -> frozenset[str]:
    return EVERY if statuses is None else frozenset(statuses)


def awkward(folder: Path) -> None:
    """D heads R1, R2 and R3; R3 also sits under D2; R4 sits under R1 (three levels).
    T1..T3 tie with X on count and jaccard; E holds nothing; names carry unicode and commas."""
    names = {"D": "Dístri, Büro & Co", "D2": "株式会社 Two", "X": 'X "quoted", Ltd'}
    keys = ["D", "D2", "R1", "R2", "R3", "R4", "X", "T1", "T2", "T3", "T4", "E"]
    write_csv(
        folder,
        "partners.csv",
        [
            [
                key,
                names.get(key, f"Partner {key}"),
                "DISTRIBUTOR" if key.startswith("D") else "RESELLER",
                "GOLD",
                "EMEA",
                "DE",
                "",
                "",
                "",
            ]
            for key in keys
        ],
    )
    holdings = {
        "D": {"c1": "CUSTOMER", "c2": "PROSPECT"},
        "D2": {"c9": "CUSTOMER"},
        "R1": {"c2": "CUSTOMER", "c3": "OPPORTUNITY"},
        "R2": {"c3": "CUSTOMER", "c4": "PROSPECT", "c5": "CUSTOMER"},
        "R3": {"c5": "OPPORTUNITY", "c6": "CUSTOMER"},
        "R4": {"c7": "CUSTOMER", "c1": "PROSPECT"},
        "X": {"c1": "CUSTOMER", "c2": "CUSTOMER", "c5": "CUSTOMER", "c8": "OPPORTUNITY"},
        "T1": {"c1": "CUSTOMER", "c8": "CUSTOMER"},
        "T2": {"c2": "CUSTOMER", "c8": "CUSTOMER"},
        "T3": {"c5": "CUSTOMER", "c8": "PROSPECT"},
        "T4": {"c1": "CUSTOMER", "c2": "CUSTOMER", "c9": "CUSTOMER"},
    }
    customers = sorted({c for held in holdings.values() for c in held})
    write_csv(
        folder, "customers.csv", [[c, f"Customer, {c} — ü", "", "", "", ""] for c in customers]
    )
    write_csv(
        folder,
        "accounts.csv",
        [
            [partner, customer, status, "", ""]
            for partner, held in holdings.items()
            for customer, status in held.items()
        ],
    )
    write_csv(
        folder,
        "sub_partners.csv",
        [
            ["R1", "D", "", ""],
            ["R2", "D", "", ""],
            ["R3", "D", "", ""],
            ["R3", "D2", "", ""],
            ["R4", "R1", "", ""],
        ],
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=["awkward", 1, 2])
async def world(
    request: pytest.FixtureRequest, graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Ecosystem]:
    folder = tmp_path_factory.mktemp(f"overlap-{request.param}")
    if request.param == "awkward":
        await wipe(graph)
        awkward(folder)
        assert (await import_bundle(graph, folder)).validation.ok
    else:
        await wipe_and_load(graph, folder, seed=int(request.param))
    yield Ecosystem.read(folder)
    await wipe(graph)


def pairs(world: Ecosystem, count: int) -> list[tuple[str, str]]:
    rng = random.Random(7)
    chosen = [(a, b) for a in world.partners for b in world.partners if a < b]
    return rng.sample(chosen, min(count, len(chosen)))


OVERLAPS = "query($a: ID!, $b: ID!, $s: [AccountStatus!], $sub: Boolean) { overlap(a: $a, b: $b, statuses: $s, includeSubPartners: $sub) { count jaccard } }"


@pytest.mark.parametrize("roll_up", [False, True])
@pytest.mark.parametrize("statuses", STATUS_FILTERS)
async def test_overlap_counts_and_jaccard(
    graph: Graph, world: Ecosystem, statuses: list[str] | None, roll_up: bool
) -> None:
    for a, b in pairs(world, 25):
        answer = await ask(
            graph, OVERLAPS, {"a": pid(a), "b": pid(b), "s": statuses, "sub": roll_up}
        )
        count, jaccard = world.overlap(a, b, wanted(statuses), roll_up)
        assert answer.data["overlap"]["count"] == count, (a, b)
        assert answer.data["overlap"]["jaccard"] == pytest.approx(float(jaccard)), (a, b)


@pytest.mark.parametrize("roll_up", [False, True])
@pytest.mark.parametrize("statuses", [None, ["CUSTOMER"]])
async def test_both_ways_of_intersecting_agree_with_the_oracle(
    graph: Graph, world: Ecosystem, statuses: list[str] | None, roll_up: bool
) -> None:
    """Sides counted by degree (every status, no roll-up) are intersected by walking the larger
    side, or past PROBE_RATIO by probing it; sides whose customers were collected (a status
    filter, a roll-up) by looking one up in the other. A partner against itself overlaps in
    full."""
    size = {key: len(world.holds(key, wanted(statuses), roll_up)) for key in world.partners}
    everything = [(a, b) for a in world.partners for b in world.partners if a < b]
    lopsided = [
        (a, b)
        for a, b in everything
        if 0 < min(size[a], size[b]) * PROBE_RATIO < max(size[a], size[b])
    ]
    alike = [
        (a, b)
        for a, b in everything
        if 0 < max(size[a], size[b]) <= min(size[a], size[b]) * PROBE_RATIO
    ]
    assert alike
    assert lopsided or "X" in world.partners  # generated ecosystems are heavy-tailed
    rng = random.Random(11)
    chosen = rng.sample(lopsided, min(10, len(lopsided))) + rng.sample(alike, min(10, len(alike)))
    busiest = max(world.partners, key=size.__getitem__)
    for a, b in [*chosen, (busiest, busiest)]:
        answer = await ask(
            graph, OVERLAPS, {"a": pid(a), "b": pid(b), "s": statuses, "sub": roll_up}
        )
        count, jaccard = world.overlap(a, b, wanted(statuses), roll_up)
        assert answer.data["overlap"]["count"] == count, (a, b)
        assert answer.data["overlap"]["jaccard"] == pytest.approx(float(jaccard)), (a, b)


async def test_overlap_customers_page_through_the_intersection(
    graph: Graph, world: Ecosystem
) -> None:
    query = """query($a: ID!, $b: ID!, $first: Int, $after: String) { overlap(a: $a, b: $b) {
        customers(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { key name } } } }"""
    best = max(pairs(world, 60), key=lambda pair: world.overlap(*pair)[0])
    for a, b in [best, *pairs(world, 5)]:
        seen: list[str] = []
        after = None
        while True:
            answer = await ask(graph, query, {"a": pid(a), "b": pid(b), "first": 2, "after": after})
            customers = answer.data["overlap"]["customers"]
            seen += [node["key"] for node in customers["nodes"]]
            if not customers["pageInfo"]["hasNextPage"]:
                break
            after = customers["pageInfo"]["endCursor"]
        expected = sorted(world.holds(a) & world.holds(b))
        assert seen == expected
        assert customers["totalCount"] == len(expected)


TOP = "query($p: ID!, $first: Int, $s: [AccountStatus!], $sub: Boolean) { topOverlaps(partner: $p, first: $first, statuses: $s, includeSubPartners: $sub) { partner { key } count jaccard } }"


@pytest.mark.parametrize("roll_up", [False, True])
@pytest.mark.parametrize("statuses", STATUS_FILTERS)
async def test_top_overlaps_rank_like_the_oracle(
    graph: Graph, world: Ecosystem, statuses: list[str] | None, roll_up: bool
) -> None:
    rng = random.Random(3)
    for partner in (
        rng.sample(world.partners, min(6, len(world.partners)))
        + ["D", "X"][: 2 if "X" in world.partners else 0]
    ):
        for first in (1, 3, 10):
            answer = await ask(
                graph, TOP, {"p": pid(partner), "first": first, "s": statuses, "sub": roll_up}
            )
            got = [
                (row["partner"]["key"], row["count"], row["jaccard"])
                for row in answer.data["topOverlaps"]
            ]
            expected = world.top(partner, first, wanted(statuses), roll_up)
            assert [(key, count) for key, count, _ in got] == [
                (key, count) for key, count, _ in expected
            ], (partner, first)
            assert [j for _, _, j in got] == pytest.approx([float(j) for _, _, j in expected])


async def test_ties_break_by_jaccard_then_key(graph: Graph, world: Ecosystem) -> None:
    if "X" not in world.partners:
        pytest.skip("the hand-made ecosystem holds the ties")
    answer = await ask(graph, TOP, {"p": pid("X"), "first": 10})
    ranked = [
        (row["partner"]["key"], row["count"], Fraction(row["jaccard"]).limit_denominator(100))
        for row in answer.data["topOverlaps"]
    ]
    # D, T1, T2 and T3 each share two customers with X at jaccard 1/2: key order among them.
    tied = [key for key, count, jaccard in ranked if count == 2 and jaccard == Fraction(1, 2)]
    assert tied == ["D", "T1", "T2", "T3"]
    # T4 shares two too, with a smaller jaccard: after the ties.
    assert [key for key, count, _ in ranked if count == 2][-1] == "T4"


async def test_roll_up_keeps_a_partners_own_tree_out_and_counts_twice_reached_customers_once(
    graph: Graph, world: Ecosystem
) -> None:
    if "D" not in world.partners:
        pytest.skip("the hand-made ecosystem holds the hierarchy")
    answer = await ask(graph, TOP, {"p": pid("D"), "first": 20, "sub": True})
    ranked = {row["partner"]["key"]: row["count"] for row in answer.data["topOverlaps"]}
    assert not {"R1", "R2", "R3", "R4"} & set(ranked)
    # R3 sits under D2 too: D2's tree reaches c5 and c6 through it, and c9 on its own.
    assert ranked["D2"] == len(world.holds("D", roll_up=True) & world.holds("D2", roll_up=True))
    both = await ask(graph, OVERLAPS, {"a": pid("R1"), "b": pid("R2"), "sub": True})
    assert both.data["overlap"]["count"] == 1  # siblings under one distributor share c3
    empty = await ask(graph, OVERLAPS, {"a": pid("E"), "b": pid("X")})
    assert empty.data["overlap"] == {"count": 0, "jaccard": 0.0}
    nothing = await ask(graph, TOP, {"p": pid("E")})
    assert nothing.data["topOverlaps"] == []


MATRIX = "query($ps: [ID!]!, $s: [AccountStatus!]) { overlapMatrix(partners: $ps, statuses: $s) { partners { key } counts } }"


@pytest.mark.parametrize("statuses", STATUS_FILTERS)
async def test_overlap_matrix(graph: Graph, world: Ecosystem, statuses: list[str] | None) -> None:
    rng = random.Random(5)
    chosen = rng.sample(world.partners, min(8, len(world.partners)))
    answer = await ask(graph, MATRIX, {"ps": [pid(key) for key in chosen], "s": statuses})
    assert answer.round_trips <= 2
    matrix = answer.data["overlapMatrix"]
    assert [p["key"] for p in matrix["partners"]] == chosen
    holds = {key: world.holds(key, wanted(statuses)) for key in chosen}
    assert matrix["counts"] == [[len(holds[a] & holds[b]) for b in chosen] for a in chosen]


COMMON = """query($m: [OverlapMember!]!, $first: Int, $after: String) { commonAccounts(members: $m, first: $first, after: $after) {
    count customers { totalCount pageInfo { hasNextPage endCursor } nodes { key } } } }"""


async def test_common_accounts_with_a_status_list_per_member(
    graph: Graph, world: Ecosystem
) -> None:
    rng = random.Random(9)
    busy = sorted(world.partners, key=lambda key: -len(world.accounts[key]))[:6]
    for _ in range(6):
        members = rng.sample(busy, rng.choice([2, 3]))
        statuses = [rng.choice(STATUS_FILTERS) for _ in members]
        variables: dict[str, Any] = {
            "m": [
                {"partner": pid(m), "statuses": s} for m, s in zip(members, statuses, strict=True)
            ],
            "first": 3,
        }
        expected = sorted(
            world.common([(m, wanted(s)) for m, s in zip(members, statuses, strict=True)])
        )
        seen: list[str] = []
        while True:
            answer = await ask(graph, COMMON, variables)
            common = answer.data["commonAccounts"]
            assert common["count"] == common["customers"]["totalCount"] == len(expected)
            seen += [node["key"] for node in common["customers"]["nodes"]]
            if not common["customers"]["pageInfo"]["hasNextPage"]:
                break
            variables["after"] = common["customers"]["pageInfo"]["endCursor"]
        assert seen == expected


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        (OVERLAPS, {"a": pid("nobody"), "b": "P"}, "NOT_FOUND", "a"),
        (OVERLAPS, {"a": "P", "b": pid("nobody")}, "NOT_FOUND", "b"),
        (OVERLAPS, {"a": "%%", "b": "P"}, "BAD_USER_INPUT", "a"),
        (OVERLAPS, {"a": "P", "b": encode_id("Customer", "c1"), "s": None}, "BAD_USER_INPUT", "b"),
        (OVERLAPS, {"a": "P", "b": "P", "s": []}, "BAD_USER_INPUT", "statuses"),
        (TOP, {"p": "P", "first": 0}, "BAD_USER_INPUT", "first"),
        (TOP, {"p": "P", "first": 101}, "BAD_USER_INPUT", "first"),
        (TOP, {"p": pid("nobody")}, "NOT_FOUND", "partner"),
        (MATRIX, {"ps": []}, "BAD_USER_INPUT", "partners"),
        (MATRIX, {"ps": [pid(f"n{i}") for i in range(51)]}, "BAD_USER_INPUT", "partners"),
        (MATRIX, {"ps": ["P", pid("nobody")]}, "NOT_FOUND", "partners[1]"),
        (COMMON, {"m": [{"partner": "P"}]}, "BAD_USER_INPUT", "members"),
        (COMMON, {"m": [{"partner": "P"}] * 11}, "BAD_USER_INPUT", "members"),
        (COMMON, {"m": [{"partner": "P"}, {"partner": "P"}]}, "BAD_USER_INPUT", "members[1]"),
        (
            COMMON,
            {"m": [{"partner": "P"}, {"partner": "Q", "statuses": []}]},
            "BAD_USER_INPUT",
            "members[1].statuses",
        ),
    ],
)
async def test_bad_arguments_name_the_argument(
    graph: Graph, world: Ecosystem, query: str, variables: dict[str, Any], code: str, field: str
) -> None:
    real = {"P": pid(world.partners[0]), "Q": pid(world.partners[1])}

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return real.get(value, value)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    answer = await ask(graph, query, fill(variables))
    assert answer.codes == [code]
    assert answer.errors[0]["extensions"].get("field") == field


async def test_a_status_that_does_not_exist_is_bad_user_input(
    graph: Graph, world: Ecosystem
) -> None:
    answer = await ask(
        graph, OVERLAPS, {"a": pid(world.partners[0]), "b": pid(world.partners[1]), "s": ["GOLD"]}
    )
    assert answer.codes == ["BAD_USER_INPUT"]


async def test_each_answer_is_one_query(graph: Graph, world: Ecosystem) -> None:
    a, b = world.partners[:2]
    cases: list[tuple[str, dict[str, Any]]] = [
        (OVERLAPS, {"a": pid(a), "b": pid(b), "sub": True}),
        (TOP, {"p": pid(a), "sub": True}),
        (MATRIX, {"ps": [pid(a), pid(b)]}),
        (COMMON, {"m": [{"partner": pid(a)}, {"partner": pid(b)}]}),
    ]
    for query, variables in cases:
        answer = await ask(graph, query, variables)
        assert not answer.errors
        assert answer.round_trips == 1  # the partners' rows come with the answer


async def test_a_null_argument_takes_its_default(graph: Graph, world: Ecosystem) -> None:
    """first: null is 10 and includeSubPartners: null is false, as if left out."""
    partner = pid(world.partners[0])
    left_out = await ask(graph, TOP, {"p": partner, "first": 10, "s": None, "sub": False})
    nulls = await ask(graph, TOP, {"p": partner, "first": None, "s": None, "sub": None})
    assert nulls.errors == [] and nulls.data == left_out.data
    pair = "query($a: ID!, $b: ID!, $sub: Boolean) { overlap(a: $a, b: $b, includeSubPartners: $sub) { count } }"
    ids = {"a": partner, "b": pid(world.partners[1])}
    assert (await ask(graph, pair, {**ids, "sub": None})).data == (
        await ask(graph, pair, {**ids, "sub": False})
    ).data
    tree = "query($d: Int) { partner(key: $k) { subPartnerTree(depth: $d) { level partner { key } } } }"
    query = tree.replace("query($d: Int)", "query($d: Int, $k: String!)")
    for key in world.partners:
        null_depth = await ask(graph, query, {"d": None, "k": key})
        assert null_depth.errors == []
        assert null_depth.data == (await ask(graph, query, {"d": 3, "k": key})).data
