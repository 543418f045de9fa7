"""Partner fields and the directory, checked against the bundle's own rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support import ask, read_csv, wipe, wipe_and_load

from graph.db import Graph

ACCOUNT_DEFAULTS = {"CUSTOMER": 0.9, "OPPORTUNITY": 0.6, "PROSPECT": 0.3}
LINK_TYPES = {"CO_SELL": "CO_SELLS_WITH", "REFERRAL": "REFERS_TO", "INTEGRATION": "INTEGRATES_WITH"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    yield await wipe_and_load(graph, tmp_path_factory.mktemp("tiny"), seed=11)
    await wipe(graph)


def rows(bundle: Path, name: str) -> list[dict[str, str]]:
    return read_csv(bundle / name)


async def walk(
    graph: Graph, query: str, path: list[str], variables: dict[str, Any], size: int
) -> list[Any]:
    """Every node of a connection, page by page; checks pageInfo along the way."""
    seen: list[Any] = []
    after = None
    while True:
        answer = await ask(graph, query, {**variables, "first": size, "after": after})
        assert not answer.errors, answer.errors
        found = answer.data
        for step in path:
            found = found[step]
        seen.extend(edge["node"] for edge in found["edges"])
        info = found["pageInfo"]
        if found["edges"]:
            assert info["endCursor"] == found["edges"][-1]["cursor"]
        assert info["hasPreviousPage"] == (after is not None)
        if not info["hasNextPage"]:
            assert len(seen) == found["totalCount"]
            return seen
        assert len(found["edges"]) == size
        after = info["endCursor"]


ACCOUNTS = """
query($key: String!, $first: Int, $after: String, $statuses: [AccountStatus!]) {
  partner(key: $key) {
    accounts(first: $first, after: $after, statuses: $statuses) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { status strength since customer { key name } partner { key } } }
    }
  }
}"""


async def test_accounts_page_through_every_account_once(graph: Graph, bundle: Path) -> None:
    expected: dict[str, dict[str, tuple[str, float]]] = defaultdict(dict)
    for row in rows(bundle, "accounts.csv"):
        strength = float(row["strength"]) if row["strength"] else ACCOUNT_DEFAULTS[row["status"]]
        expected[row["partner_key"]][row["customer_key"]] = (row["status"], strength)
    busiest = max(expected, key=lambda key: len(expected[key]))
    for key in (busiest, sorted(expected)[0]):
        nodes = await walk(graph, ACCOUNTS, ["partner", "accounts"], {"key": key}, size=7)
        assert [node["customer"]["key"] for node in nodes] == sorted(expected[key])
        assert {n["customer"]["key"]: (n["status"], n["strength"]) for n in nodes} == expected[key]
        assert {node["partner"]["key"] for node in nodes} == {key}


@pytest.mark.parametrize("statuses", [["CUSTOMER"], ["OPPORTUNITY", "PROSPECT"]])
async def test_accounts_filter_by_status(graph: Graph, bundle: Path, statuses: list[str]) -> None:
    accounts = rows(bundle, "accounts.csv")
    key = accounts[0]["partner_key"]
    wanted = sorted(
        row["customer_key"]
        for row in accounts
        if row["partner_key"] == key and row["status"] in statuses
    )
    nodes = await walk(
        graph, ACCOUNTS, ["partner", "accounts"], {"key": key, "statuses": statuses}, 3
    )
    assert [node["customer"]["key"] for node in nodes] == wanted


async def test_partner_scalars_match_the_bundle(graph: Graph, bundle: Path) -> None:
    query = """query($key: String!) { partner(key: $key) {
        id key name type tier region country industries stage joinedOn } }"""
    for row in rows(bundle, "partners.csv")[:15]:
        answer = await ask(graph, query, {"key": row["key"]})
        got = answer.data["partner"]
        assert got["name"] == row["name"]
        assert (got["type"], got["tier"]) == (row["type"], row["tier"])
        assert got["region"] == (row["region"] or None)
        assert got["industries"] == [item for item in row["industries"].split(";") if item]
        assert got["stage"] == (row["stage"] or None)
        assert got["joinedOn"] == (row["joined_on"] or None)
        by_id = await ask(
            graph,
            "query($id: ID!) { node(id: $id) { id ... on Partner { key } } }",
            {"id": got["id"]},
        )
        assert by_id.data["node"] == {"id": got["id"], "key": row["key"]}


async def test_hierarchy_children_parents_and_tree(graph: Graph, bundle: Path) -> None:
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in rows(bundle, "sub_partners.csv"):
        children[row["parent_key"]].add(row["child_key"])
        parents[row["child_key"]].add(row["parent_key"])
    two_parents = next(key for key, found in parents.items() if len(found) == 2)
    query = """query($key: String!) { partner(key: $key) { parents { key } } }"""
    answer = await ask(graph, query, {"key": two_parents})
    assert [p["key"] for p in answer.data["partner"]["parents"]] == sorted(parents[two_parents])

    root = max(children, key=lambda key: len(children[key]))
    page = """query($key: String!, $first: Int, $after: String) { partner(key: $key) {
        subPartners(first: $first, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { key } } } } }"""
    nodes = await walk(graph, page, ["partner", "subPartners"], {"key": root}, size=2)
    assert [node["key"] for node in nodes] == sorted(children[root])

    for depth in (1, 2, 3):
        level = {root: 0}
        frontier = {root}
        for step in range(1, depth + 1):
            frontier = {c for p in frontier for c in children[p]} - set(level)
            level.update({c: step for c in frontier})
        members = set(level)
        edges = {(c, p) for c in members - {root} for p in parents[c] if p in members}
        tree = """query($key: String!, $depth: Int!) { partner(key: $key) {
            subPartnerTree(depth: $depth) { partner { key } parentKey level parent { key } } } }"""
        answer = await ask(graph, tree, {"key": root, "depth": depth})
        got = answer.data["partner"]["subPartnerTree"]
        assert {(e["partner"]["key"], e["parentKey"]) for e in got} == edges
        assert all(e["level"] == level[e["partner"]["key"]] for e in got)
        assert all(e["parent"]["key"] == e["parentKey"] for e in got)


async def test_links_both_ways_and_by_kind(graph: Graph, bundle: Path) -> None:
    links: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in rows(bundle, "partner_links.csv"):
        kind = LINK_TYPES[row["kind"]]
        links[row["from_key"]].add((row["to_key"], kind, "OUTGOING"))
        links[row["to_key"]].add((row["from_key"], kind, "INCOMING"))
    key = max(links, key=lambda k: len(links[k]))
    query = """query($key: String!, $first: Int, $after: String, $kinds: [LinkKind!], $direction: LinkDirection) {
        partner(key: $key) { links(first: $first, after: $after, kinds: $kinds, direction: $direction) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
          edges { cursor node { partner { key } kind direction strength } } } } }"""
    nodes = await walk(graph, query, ["partner", "links"], {"key": key}, size=2)
    assert {(n["partner"]["key"], n["kind"], n["direction"]) for n in nodes} == links[key]
    assert len(nodes) == len(links[key])
    for kinds, direction in (
        (["REFERS_TO"], None),
        (None, "INCOMING"),
        (["CO_SELLS_WITH"], "OUTGOING"),
    ):
        variables = {"key": key, "kinds": kinds, "direction": direction}
        nodes = await walk(graph, query, ["partner", "links"], variables, size=3)
        assert {(n["partner"]["key"], n["kind"], n["direction"]) for n in nodes} == {
            link
            for link in links[key]
            if (kinds is None or link[1] in kinds) and (direction is None or link[2] == direction)
        }


DIRECTORY = """query($first: Int, $after: String, $filter: PartnerFilter, $orderBy: PartnerOrder) {
  partners(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { key name tier joinedOn } } } }"""
TIER_RANK = {"REGISTERED": 0, "SILVER": 1, "GOLD": 2, "PLATINUM": 3}


@pytest.mark.parametrize(
    ("order", "sort"),
    [
        ({"field": "KEY", "direction": "ASC"}, lambda r: (r["key"],)),
        ({"field": "NAME", "direction": "ASC"}, lambda r: (r["name"], r["key"])),
        ({"field": "TIER", "direction": "DESC"}, lambda r: (-TIER_RANK[r["tier"]], r["key"])),
        (
            {"field": "JOINED_ON", "direction": "ASC"},
            lambda r: (r["joined_on"] or "0001-01-01", r["key"]),
        ),
    ],
)
async def test_directory_orders_and_pages(
    graph: Graph, bundle: Path, order: dict[str, str], sort: Any
) -> None:
    expected = [row["key"] for row in sorted(rows(bundle, "partners.csv"), key=sort)]
    nodes = await walk(graph, DIRECTORY, ["partners"], {"orderBy": order}, size=9)
    assert [node["key"] for node in nodes] == expected


@pytest.mark.parametrize(
    ("given", "keep"),
    [
        ({"tier": ["GOLD", "PLATINUM"]}, lambda r: r["tier"] in ("GOLD", "PLATINUM")),
        ({"type": ["DISTRIBUTOR"]}, lambda r: r["type"] == "DISTRIBUTOR"),
        (
            {"region": ["EMEA"], "stage": ["SELL", "MARKET"]},
            lambda r: r["region"] == "EMEA" and r["stage"] in ("SELL", "MARKET"),
        ),
        ({"industry": ["Retail"]}, lambda r: "Retail" in r["industries"].split(";")),
        ({"nameContains": "SA"}, lambda r: "sa" in r["name"].lower()),
        ({"country": ["DE", "FR"]}, lambda r: r["country"] in ("DE", "FR")),
    ],
)
async def test_directory_filters(
    graph: Graph, bundle: Path, given: dict[str, Any], keep: Any
) -> None:
    expected = sorted(row["key"] for row in rows(bundle, "partners.csv") if keep(row))
    nodes = await walk(graph, DIRECTORY, ["partners"], {"filter": given}, size=50)
    assert [node["key"] for node in nodes] == expected


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 0}, "first"), ({"first": 101}, "first"), ({"after": "not-a-cursor"}, "after")],
)
async def test_bad_page_arguments_are_bad_user_input(
    graph: Graph, bundle: Path, variables: dict[str, Any], field: str
) -> None:
    answer = await ask(graph, DIRECTORY, variables)
    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["field"] == field


async def test_unknown_keys_and_ids(graph: Graph, bundle: Path) -> None:
    answer = await ask(
        graph, '{ partner(key: "no-such") { key } node(id: "UGFydG5lcjpubw") { id } }'
    )
    assert answer.data == {"partner": None, "node": None}
    bad = await ask(graph, '{ node(id: "%%%") { id } }')
    assert bad.codes == ["BAD_USER_INPUT"]
