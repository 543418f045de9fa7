"""Solutions and contributions (CO_CREATED), checked against the bundle's own rows."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from connection_support import dig, edges, load, ordered, refuses_bad_pages, walk
from support import ask, partner_viewer, read_csv, wipe, write_csv

from graph.db import Graph
from resolvers.node import encode_id

PARTNERS = [f"P{i:02d}" for i in range(1, 11)]
WORDS = ["Atlas", "Cedar", "Orion", "Atlas", "Zenith", "Maple", "Orion"]  # names repeat
INDUSTRIES = ["Retail", "Health", "Energy", ""]
CO_CREATED_DEFAULT = 0.7  # DESIGN.md: CO_CREATED strength when the source leaves it empty


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = tmp_path_factory.mktemp("solutions")
    rng = random.Random(7)
    partners = [[key, f"Partner {key}", "OEM", "GOLD", "", "", "", "", ""] for key in PARTNERS]
    solutions = [
        [
            f"S{i:02d}",
            f"{rng.choice(WORDS)} {'Suite' if i % 2 else 'suite'}",
            rng.choice(INDUSTRIES),
            rng.choice(["", "2023-05-01", f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]),
        ]
        for i in range(1, 24)
    ]
    contributions = []
    for solution in solutions[:-2]:  # the last two have no partner
        team = rng.sample(PARTNERS, rng.randint(1, 7))
        for place, partner in enumerate(team):
            contributions.append(
                [
                    solution[0],
                    partner,
                    "LEAD" if place == 0 else rng.choice(["CONTRIBUTOR", ""]),
                    rng.choice(["", "0.25", "0.5"]),
                    rng.choice(["", "0.3", "1"]),
                ]
            )
    write_csv(folder, "partners.csv", partners)
    write_csv(folder, "solutions.csv", solutions)
    write_csv(folder, "solution_partners.csv", contributions)
    yield await load(graph, folder)
    await wipe(graph)


def solutions_of(bundle: Path) -> dict[str, dict[str, Any]]:
    return {
        row["key"]: {
            "key": row["key"],
            "name": row["name"],
            "industry": row["industry"] or None,
            "launchedOn": row["launched_on"] or None,
        }
        for row in read_csv(bundle / "solutions.csv")
    }


def contributions_of(bundle: Path) -> list[dict[str, Any]]:
    return [
        {
            "solution": row["solution_key"],
            "partner": row["partner_key"],
            "role": row["role"] or "CONTRIBUTOR",
            "share": float(row["share"]) if row["share"] else None,
            "strength": float(row["strength"]) if row["strength"] else CO_CREATED_DEFAULT,
        }
        for row in read_csv(bundle / "solution_partners.csv")
    ]


SOLUTION_FIELDS = "id key name industry launchedOn"
CONTRIBUTION_FIELDS = "role share strength partner { key name } solution { key name }"


def flat(node: dict[str, Any]) -> dict[str, Any]:
    """A contribution node in the oracle's shape."""
    return {
        **{name: node[name] for name in ("role", "share", "strength")},
        "partner": node["partner"]["key"],
        "solution": node["solution"]["key"],
    }


async def test_a_solution_by_key_and_by_id_has_every_field(graph: Graph, bundle: Path) -> None:
    query = """query($key: String!, $id: ID!) {
      solution(key: $key) { id key name industry launchedOn }
      node(id: $id) { ... on Solution { id key name industry launchedOn } }
      missing: solution(key: "nope") { key }
    }"""
    for key, expected in solutions_of(bundle).items():
        answer = await ask(graph, query, {"key": key, "id": encode_id("Solution", key)})
        assert not answer.errors, answer.errors
        wanted = {"id": encode_id("Solution", key), **expected}
        assert answer.data == {"solution": wanted, "node": wanted, "missing": None}


SOLUTIONS = f"""query($first: Int, $after: String, $filter: SolutionFilter, $orderBy: SolutionOrder) {{
  solutions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {edges(SOLUTION_FIELDS)} }}
}}"""


@pytest.mark.parametrize(
    ("field", "sort"),
    [
        ("KEY", lambda row: row["key"]),
        ("NAME", lambda row: row["name"]),
        ("LAUNCHED_ON", lambda row: row["launchedOn"] or "0001-01-01"),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_solutions_page_through_every_solution_once_in_order(
    graph: Graph, bundle: Path, field: str, sort: Any, direction: str
) -> None:
    expected = solutions_of(bundle)
    order = {"field": field, "direction": direction}
    nodes = await walk(graph, SOLUTIONS, ["solutions"], {"orderBy": order}, size=4)
    assert [node["key"] for node in nodes] == ordered(
        list(expected.values()), sort, direction == "DESC"
    )
    assert all(
        node == {"id": encode_id("Solution", node["key"]), **expected[node["key"]]}
        for node in nodes
    )


async def test_solutions_are_ordered_by_key_by_default(graph: Graph, bundle: Path) -> None:
    nodes = await walk(graph, SOLUTIONS, ["solutions"], size=5)
    assert [node["key"] for node in nodes] == sorted(solutions_of(bundle))


@pytest.mark.parametrize(
    "given",
    [
        {"industry": ["Retail"]},
        {"industry": ["Health", "Energy"]},
        {"nameContains": "ATLAS"},
        {"nameContains": "suite"},
        {"nameContains": "rio", "industry": ["Retail", "Energy"]},
        {"nameContains": "no such name"},
    ],
)
async def test_solutions_filter(graph: Graph, bundle: Path, given: dict[str, Any]) -> None:
    def matches(row: dict[str, Any]) -> bool:
        industries = given.get("industry")
        text = given.get("nameContains")
        return (industries is None or row["industry"] in industries) and (
            text is None or text.lower() in row["name"].lower()
        )

    nodes = await walk(graph, SOLUTIONS, ["solutions"], {"filter": given}, size=4)
    assert [node["key"] for node in nodes] == sorted(
        key for key, row in solutions_of(bundle).items() if matches(row)
    )


SOLUTION_PARTNERS = f"""query($key: String!, $first: Int, $after: String) {{
  solution(key: $key) {{ partners(first: $first, after: $after) {{ {edges(CONTRIBUTION_FIELDS)} }} }}
}}"""

PARTNER_SOLUTIONS = f"""query($key: String!, $first: Int, $after: String) {{
  partner(key: $key) {{ solutions(first: $first, after: $after) {{ {edges(CONTRIBUTION_FIELDS)} }} }}
}}"""


async def test_a_solutions_partners_page_through_every_contribution(
    graph: Graph, bundle: Path
) -> None:
    by_solution: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in contributions_of(bundle):
        by_solution[row["solution"]].append(row)
    for key in solutions_of(bundle):
        nodes = await walk(graph, SOLUTION_PARTNERS, ["solution", "partners"], {"key": key}, size=2)
        expected = sorted(by_solution[key], key=lambda row: row["partner"])
        assert [flat(node) for node in nodes] == expected
        assert all(node["partner"]["name"] == f"Partner {node['partner']['key']}" for node in nodes)


async def test_a_partners_solutions_page_through_every_contribution(
    graph: Graph, bundle: Path
) -> None:
    by_partner: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in contributions_of(bundle):
        by_partner[row["partner"]].append(row)
    names = {key: row["name"] for key, row in solutions_of(bundle).items()}
    for key in PARTNERS:
        nodes = await walk(graph, PARTNER_SOLUTIONS, ["partner", "solutions"], {"key": key}, size=3)
        assert [flat(node) for node in nodes] == sorted(
            by_partner[key], key=lambda row: row["solution"]
        )
        assert all(node["solution"]["name"] == names[node["solution"]["key"]] for node in nodes)


async def test_page_arguments_are_checked(graph: Graph, bundle: Path) -> None:
    await refuses_bad_pages(graph, SOLUTIONS)
    await refuses_bad_pages(graph, SOLUTION_PARTNERS, {"key": "S01"})
    await refuses_bad_pages(graph, PARTNER_SOLUTIONS, {"key": PARTNERS[0]})
    date_order = {"orderBy": {"field": "LAUNCHED_ON"}}
    key_cursor = (await ask(graph, SOLUTIONS, {"first": 1}, None)).data["solutions"]["pageInfo"]
    answer = await ask(graph, SOLUTIONS, {**date_order, "after": key_cursor["endCursor"]})
    assert answer.codes == ["BAD_USER_INPUT"]  # a cursor of another ordering


async def test_nested_contributions_cost_the_same_round_trips_for_any_page_size(
    graph: Graph, bundle: Path
) -> None:
    query = """query($first: Int) { solutions(first: $first) { edges { node { key
      partners(first: 3) { totalCount edges { node { role partner { key } solution { key } } } }
    } } } }"""
    few = await ask(graph, query, {"first": 2})
    many = await ask(graph, query, {"first": 20})
    assert not few.errors and not many.errors
    assert len(dig(many.data, ["solutions", "edges"])) == 20
    assert few.round_trips == many.round_trips


async def test_a_partner_sees_solutions_and_contributions_as_staff_do(
    graph: Graph, bundle: Path
) -> None:
    query = f"""{{
      solutions(first: 100) {{ {edges(SOLUTION_FIELDS)} }}
      solution(key: "S03") {{ key partners(first: 100) {{ {edges(CONTRIBUTION_FIELDS)} }} }}
      partner(key: "P05") {{ solutions(first: 100) {{ {edges(CONTRIBUTION_FIELDS)} }} }}
      node(id: "{encode_id("Solution", "S04")}") {{ ... on Solution {{ key name }} }}
    }}"""
    staff = await ask(graph, query)
    outsider = await ask(graph, query, viewer=partner_viewer("P01"))
    assert not staff.errors and not outsider.errors
    assert outsider.data == staff.data
    assert staff.data["solutions"]["totalCount"] == len(solutions_of(bundle))
    assert staff.data["node"]["key"] == "S04"
