"""Agreements: fields, in force today, filters, ordering, and who may see which of them."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from connection_support import edges, load, ordered, refuses_bad_pages, walk
from support import ask, partner_viewer, read_csv, wipe, write_csv

from graph.access import today
from graph.db import Graph
from resolvers.node import encode_id

PARTNERS = ["P", "B", "C", "D", "E", "F"]
VIEWER = "P"
SCOPES = [
    "OVERLAP_COUNTS",
    "ACCOUNT_LIST",
    "OVERLAP_COUNTS;ACCOUNT_LIST",
    "ACCOUNT_LIST;OVERLAP_COUNTS",
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = tmp_path_factory.mktemp("agreements")
    rng = random.Random(3)
    day = today()

    def on(offset: int | None) -> str:
        return "" if offset is None else (day + timedelta(days=offset)).isoformat()

    # Every edge of validity: starting today or tomorrow, ending yesterday, today or never.
    starts, ends = [-400, -30, -1, 0, 0, 1, 90], [None, None, -1, 0, 1, 30, 400]
    rows = []
    for i in range(1, 43):
        grantor, grantee = rng.sample(PARTNERS, 2)
        start = rng.choice(starts)
        end = rng.choice([offset for offset in ends if offset is None or offset >= start])
        status = "REVOKED" if i % 5 == 0 else "ACTIVE"
        rows.append([f"A{i:02d}", grantor, grantee, rng.choice(SCOPES), on(start), on(end), status])
    write_csv(
        folder,
        "partners.csv",
        [[key, f"Partner {key}", "RESELLER", "SILVER", "", "", "", "", ""] for key in PARTNERS],
    )
    write_csv(folder, "agreements.csv", rows)
    yield await load(graph, folder)
    await wipe(graph)


def agreements_of(bundle: Path) -> dict[str, dict[str, Any]]:
    now = today().isoformat()
    found = {}
    for row in read_csv(bundle / "agreements.csv"):
        valid_to = row["valid_to"] or None
        found[row["key"]] = {
            "id": encode_id("Agreement", row["key"]),
            "key": row["key"],
            "scopes": row["scopes"].split(";"),
            "validFrom": row["valid_from"],
            "validTo": valid_to,
            "status": row["status"],
            "inForce": row["status"] == "ACTIVE"
            and row["valid_from"] <= now
            and (valid_to is None or now <= valid_to),
            "grantor": {"key": row["grantor_key"], "name": f"Partner {row['grantor_key']}"},
            "grantee": {"key": row["grantee_key"], "name": f"Partner {row['grantee_key']}"},
        }
    return found


def involves(agreement: dict[str, Any], partner: str) -> bool:
    return partner in (agreement["grantor"]["key"], agreement["grantee"]["key"])


FIELDS = "id key scopes validFrom validTo status inForce grantor { key name } grantee { key name }"
AGREEMENTS = f"""query($first: Int, $after: String, $filter: AgreementFilter, $orderBy: AgreementOrder) {{
  agreements(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {edges(FIELDS)} }}
}}"""
SIDES = {"agreementsGranted": "grantor", "agreementsReceived": "grantee"}


def side_query(side: str) -> str:
    return f"""query($key: String!, $first: Int, $after: String, $inForce: Boolean) {{
      partner(key: $key) {{ {side}(first: $first, after: $after, inForce: $inForce) {{ {edges(FIELDS)} }} }}
    }}"""


async def test_an_agreement_by_key_and_by_id_has_every_field(graph: Graph, bundle: Path) -> None:
    expected = agreements_of(bundle)
    assert {a["inForce"] for a in expected.values()} == {True, False}
    query = f"""query($key: String!, $id: ID!) {{
      agreement(key: $key) {{ {FIELDS} }}
      node(id: $id) {{ ... on Agreement {{ {FIELDS} }} }}
      missing: agreement(key: "nope") {{ key }}
    }}"""
    for key, agreement in expected.items():
        answer = await ask(graph, query, {"key": key, "id": agreement["id"]})
        assert not answer.errors, answer.errors
        assert answer.data == {"agreement": agreement, "node": agreement, "missing": None}


@pytest.mark.parametrize(
    ("field", "sort"), [("KEY", lambda a: a["key"]), ("VALID_FROM", lambda a: a["validFrom"])]
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_agreements_page_through_every_agreement_once_in_order(
    graph: Graph, bundle: Path, field: str, sort: Any, direction: str
) -> None:
    expected = agreements_of(bundle)
    order = {"orderBy": {"field": field, "direction": direction}}
    nodes = await walk(graph, AGREEMENTS, ["agreements"], order, size=5)
    assert [node["key"] for node in nodes] == ordered(
        list(expected.values()), sort, direction == "DESC"
    )
    assert nodes == [expected[node["key"]] for node in nodes]


FILTERS = [
    {"status": ["REVOKED"]},
    {"status": ["ACTIVE", "REVOKED"]},
    {"scope": ["ACCOUNT_LIST"]},
    {"scope": ["OVERLAP_COUNTS"]},
    {"grantor": "B"},
    {"grantee": "C"},
    {"grantor": "D", "grantee": "E"},
    {"inForce": True},
    {"inForce": False},
    {"inForce": True, "scope": ["ACCOUNT_LIST"], "grantee": "P"},
    {"status": ["ACTIVE"], "inForce": False},
]


def matches(agreement: dict[str, Any], given: dict[str, Any]) -> bool:
    checks = [
        "status" not in given or agreement["status"] in given["status"],
        "scope" not in given or bool(set(agreement["scopes"]) & set(given["scope"])),
        "grantor" not in given or agreement["grantor"]["key"] == given["grantor"],
        "grantee" not in given or agreement["grantee"]["key"] == given["grantee"],
        "inForce" not in given or agreement["inForce"] == given["inForce"],
    ]
    return all(checks)


def as_filter(given: dict[str, Any]) -> dict[str, Any]:
    ids: dict[str, Any] = {
        name: encode_id("Partner", given[name]) for name in ("grantor", "grantee") if name in given
    }
    return {**given, **ids}


@pytest.mark.parametrize("given", FILTERS)
async def test_agreements_filter(graph: Graph, bundle: Path, given: dict[str, Any]) -> None:
    nodes = await walk(graph, AGREEMENTS, ["agreements"], {"filter": as_filter(given)}, size=4)
    wanted = sorted(key for key, a in agreements_of(bundle).items() if matches(a, given))
    assert wanted
    assert [node["key"] for node in nodes] == wanted


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("in_force", [None, True, False])
async def test_a_partners_agreements_page_through_each_once(
    graph: Graph, bundle: Path, side: str, in_force: bool | None
) -> None:
    expected = agreements_of(bundle)
    for partner in PARTNERS:
        variables = {"key": partner, "inForce": in_force}
        nodes = await walk(graph, side_query(side), ["partner", side], variables, size=2)
        wanted = [
            a
            for _, a in sorted(expected.items())
            if a[SIDES[side]]["key"] == partner and in_force in (None, a["inForce"])
        ]
        assert nodes == wanted


async def test_bad_arguments_are_bad_user_input(graph: Graph, bundle: Path) -> None:
    await refuses_bad_pages(graph, AGREEMENTS)
    await refuses_bad_pages(graph, side_query("agreementsGranted"), {"key": "B"})
    await refuses_bad_pages(graph, side_query("agreementsReceived"), {"key": "B"})
    for name, value in (("grantor", "not an id"), ("grantee", encode_id("Customer", "B"))):
        answer = await ask(graph, AGREEMENTS, {"filter": {name: value}})
        assert answer.codes == ["BAD_USER_INPUT"]
        assert answer.errors[0]["extensions"]["field"] == f"filter.{name}"
    first = await ask(graph, AGREEMENTS, {"first": 1})
    after = first.data["agreements"]["pageInfo"]["endCursor"]  # a cursor of the key order
    answer = await ask(graph, AGREEMENTS, {"after": after, "orderBy": {"field": "VALID_FROM"}})
    assert answer.codes == ["BAD_USER_INPUT"]


async def test_a_partner_sees_only_agreements_it_grants_or_receives(
    graph: Graph, bundle: Path
) -> None:
    expected = agreements_of(bundle)
    viewer = partner_viewer(VIEWER)
    mine = sorted(key for key, a in expected.items() if involves(a, VIEWER))
    assert 0 < len(mine) < len(expected)
    nodes = await walk(graph, AGREEMENTS, ["agreements"], size=4, viewer=viewer)
    assert nodes == [expected[key] for key in mine]
    query = """query($ids: [ID!]!, $key: String!) {
      nodes(ids: $ids) { ... on Agreement { key } }
      agreement(key: $key) { key }
    }"""
    ids = [a["id"] for _, a in sorted(expected.items())]
    for key in expected:
        answer = await ask(graph, query, {"ids": ids, "key": key}, viewer)
        assert not answer.errors
        assert answer.data["agreement"] == ({"key": key} if key in mine else None)
    seen = [node["key"] if node else None for node in answer.data["nodes"]]
    assert seen == [key if key in mine else None for key in sorted(expected)]


@pytest.mark.parametrize("given", FILTERS)
async def test_a_partners_filtered_lists_and_counts_hold_only_its_agreements(
    graph: Graph, bundle: Path, given: dict[str, Any]
) -> None:
    viewer = partner_viewer(VIEWER)
    nodes = await walk(
        graph, AGREEMENTS, ["agreements"], {"filter": as_filter(given)}, size=3, viewer=viewer
    )
    wanted = sorted(
        key for key, a in agreements_of(bundle).items() if matches(a, given) and involves(a, VIEWER)
    )
    assert [node["key"] for node in nodes] == wanted  # walk checks totalCount too


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("in_force", [None, True, False])
async def test_another_partners_agreements_show_only_those_with_the_viewer(
    graph: Graph, bundle: Path, side: str, in_force: bool | None
) -> None:
    expected = agreements_of(bundle)
    viewer = partner_viewer(VIEWER)
    hidden = 0
    for partner in PARTNERS:
        variables = {"key": partner, "inForce": in_force}
        nodes = await walk(graph, side_query(side), ["partner", side], variables, viewer=viewer)
        on_side = [
            a
            for _, a in sorted(expected.items())
            if a[SIDES[side]]["key"] == partner and in_force in (None, a["inForce"])
        ]
        assert nodes == [a for a in on_side if involves(a, VIEWER)]
        hidden += len(on_side) - len(nodes)
    assert hidden > 0  # the rule was put to the test
