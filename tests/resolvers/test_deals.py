"""Deals: fields, filters, ordering, per partner and per customer, and that each is its owner's."""

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

PARTNERS = ["P", "B", "C", "D"]
CUSTOMERS = [f"C{i:02d}" for i in range(1, 11)]
VIEWER = "P"
STATUSES = ["PENDING", "APPROVED", "REJECTED", "WON", "LOST"]
DAYS = ["2025-01-05", "2025-02-10", "2025-02-10", "2025-07-01"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = tmp_path_factory.mktemp("deals")
    rng = random.Random(9)
    deals = []
    for i in range(1, 41):
        registered = rng.choice(DAYS)
        deals.append(
            [
                f"D{i:02d}",
                rng.choice(PARTNERS),
                rng.choice(CUSTOMERS),
                rng.choice(["", "1000", "2500.75", "99999"]),
                rng.choice(["", "Qualify", "Close"]),
                rng.choice(STATUSES),
                registered,
                rng.choice(["", "2025-12-31"]),
            ]
        )
    write_csv(
        folder,
        "partners.csv",
        [[key, f"Partner {key}", "RESELLER", "GOLD", "", "", "", "", ""] for key in PARTNERS],
    )
    write_csv(
        folder, "customers.csv", [[key, f"Customer {key}", "", "", "", ""] for key in CUSTOMERS]
    )
    write_csv(folder, "deals.csv", deals)
    # B shows P its account list: P sees B's customers, but never B's deals on them.
    write_csv(folder, "accounts.csv", [["B", key, "CUSTOMER", "", ""] for key in CUSTOMERS])
    since = (today() - timedelta(days=10)).isoformat()
    write_csv(folder, "agreements.csv", [["A1", "B", "P", "ACCOUNT_LIST", since, "", "ACTIVE"]])
    yield await load(graph, folder)
    await wipe(graph)


def deals_of(bundle: Path) -> dict[str, dict[str, Any]]:
    return {
        row["key"]: {
            "id": encode_id("Deal", row["key"]),
            "key": row["key"],
            "amount": float(row["amount"]) if row["amount"] else None,
            "stage": row["stage"] or None,
            "status": row["status"],
            "registeredOn": row["registered_on"],
            "expiresOn": row["expires_on"] or None,
            "partner": {"key": row["partner_key"], "name": f"Partner {row['partner_key']}"},
            "customer": {"key": row["customer_key"], "name": f"Customer {row['customer_key']}"},
        }
        for row in read_csv(bundle / "deals.csv")
    }


def owned_by(deal: dict[str, Any], partner: str) -> bool:
    return bool(deal["partner"]["key"] == partner)


FIELDS = (
    "id key amount stage status registeredOn expiresOn partner { key name } customer { key name }"
)
DEALS = f"""query($first: Int, $after: String, $filter: DealFilter, $orderBy: DealOrder) {{
  deals(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {edges(FIELDS)} }}
}}"""
PARTNER_DEALS = f"""query($key: String!, $first: Int, $after: String, $statuses: [DealStatus!]) {{
  partner(key: $key) {{ deals(first: $first, after: $after, statuses: $statuses) {{ {edges(FIELDS)} }} }}
}}"""
CUSTOMER_DEALS = f"""query($key: String!, $first: Int, $after: String, $statuses: [DealStatus!]) {{
  customer(key: $key) {{ deals(first: $first, after: $after, statuses: $statuses) {{ {edges(FIELDS)} }} }}
}}"""


async def test_a_deal_by_key_and_by_id_has_every_field(graph: Graph, bundle: Path) -> None:
    query = f"""query($key: String!, $id: ID!) {{
      deal(key: $key) {{ {FIELDS} }}
      node(id: $id) {{ ... on Deal {{ {FIELDS} }} }}
      missing: deal(key: "nope") {{ key }}
    }}"""
    for key, deal in deals_of(bundle).items():
        answer = await ask(graph, query, {"key": key, "id": deal["id"]})
        assert not answer.errors, answer.errors
        assert answer.data == {"deal": deal, "node": deal, "missing": None}


@pytest.mark.parametrize(
    ("field", "sort"),
    [
        ("KEY", lambda d: d["key"]),
        ("REGISTERED_ON", lambda d: d["registeredOn"]),
        ("AMOUNT", lambda d: -1.0 if d["amount"] is None else d["amount"]),
    ],
)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_deals_page_through_every_deal_once_in_order(
    graph: Graph, bundle: Path, field: str, sort: Any, direction: str
) -> None:
    expected = deals_of(bundle)
    order = {"orderBy": {"field": field, "direction": direction}}
    nodes = await walk(graph, DEALS, ["deals"], order, size=6)
    assert [node["key"] for node in nodes] == ordered(
        list(expected.values()), sort, direction == "DESC"
    )
    assert nodes == [expected[node["key"]] for node in nodes]


FILTERS = [
    {"status": ["PENDING"]},
    {"status": ["WON", "LOST"]},
    {"partner": "B"},
    {"customer": "C03"},
    {"partner": "P", "status": ["APPROVED", "PENDING"]},
    {"partner": "C", "customer": "C05"},
]


def matches(deal: dict[str, Any], given: dict[str, Any]) -> bool:
    return all(
        [
            "status" not in given or deal["status"] in given["status"],
            "partner" not in given or deal["partner"]["key"] == given["partner"],
            "customer" not in given or deal["customer"]["key"] == given["customer"],
        ]
    )


def as_filter(given: dict[str, Any]) -> dict[str, Any]:
    ids = {}
    if "partner" in given:
        ids["partner"] = encode_id("Partner", given["partner"])
    if "customer" in given:
        ids["customer"] = encode_id("Customer", given["customer"])
    return {**given, **ids}


@pytest.mark.parametrize("given", FILTERS)
async def test_deals_filter(graph: Graph, bundle: Path, given: dict[str, Any]) -> None:
    nodes = await walk(graph, DEALS, ["deals"], {"filter": as_filter(given)}, size=4)
    assert [node["key"] for node in nodes] == sorted(
        key for key, deal in deals_of(bundle).items() if matches(deal, given)
    )


@pytest.mark.parametrize("statuses", [None, ["PENDING", "APPROVED"], ["LOST"]])
async def test_a_partners_and_a_customers_deals_page_through_each_once(
    graph: Graph, bundle: Path, statuses: list[str] | None
) -> None:
    expected = deals_of(bundle)
    for query, name, side, keys in (
        (PARTNER_DEALS, "partner", "partner", PARTNERS),
        (CUSTOMER_DEALS, "customer", "customer", CUSTOMERS),
    ):
        for key in keys:
            variables = {"key": key, "statuses": statuses}
            nodes = await walk(graph, query, [name, "deals"], variables, size=2)
            assert nodes == [
                deal
                for _, deal in sorted(expected.items())
                if deal[side]["key"] == key and (statuses is None or deal["status"] in statuses)
            ]


async def test_bad_arguments_are_bad_user_input(graph: Graph, bundle: Path) -> None:
    await refuses_bad_pages(graph, DEALS)
    await refuses_bad_pages(graph, PARTNER_DEALS, {"key": "B"})
    await refuses_bad_pages(graph, CUSTOMER_DEALS, {"key": "C01"})
    for name, value in (("partner", "%%%"), ("customer", encode_id("Partner", "B"))):
        answer = await ask(graph, DEALS, {"filter": {name: value}})
        assert answer.codes == ["BAD_USER_INPUT"]
        assert answer.errors[0]["extensions"]["field"] == f"filter.{name}"
    answer = await ask(graph, PARTNER_DEALS, {"key": "B", "statuses": []})
    assert answer.codes == ["BAD_USER_INPUT"]


async def test_a_partner_sees_only_its_own_deals(graph: Graph, bundle: Path) -> None:
    expected = deals_of(bundle)
    mine = sorted(key for key, deal in expected.items() if owned_by(deal, VIEWER))
    assert 0 < len(mine) < len(expected)
    viewer = partner_viewer(VIEWER)
    nodes = await walk(graph, DEALS, ["deals"], size=4, viewer=viewer)
    assert nodes == [expected[key] for key in mine]
    query = """query($ids: [ID!]!, $key: String!) {
      nodes(ids: $ids) { ... on Deal { key } }
      deal(key: $key) { key }
    }"""
    ids = [expected[key]["id"] for key in sorted(expected)]
    for key in expected:
        answer = await ask(graph, query, {"ids": ids, "key": key}, viewer)
        assert not answer.errors
        assert answer.data["deal"] == ({"key": key} if key in mine else None)
    assert [node["key"] if node else None for node in answer.data["nodes"]] == [
        key if key in mine else None for key in sorted(expected)
    ]


@pytest.mark.parametrize("given", FILTERS)
async def test_a_partners_filtered_deals_and_counts_hold_only_its_own(
    graph: Graph, bundle: Path, given: dict[str, Any]
) -> None:
    viewer = partner_viewer(VIEWER)
    nodes = await walk(graph, DEALS, ["deals"], {"filter": as_filter(given)}, size=3, viewer=viewer)
    assert [node["key"] for node in nodes] == sorted(
        key
        for key, deal in deals_of(bundle).items()
        if matches(deal, given) and owned_by(deal, VIEWER)
    )  # walk checks totalCount too


async def test_another_partners_deals_are_forbidden(graph: Graph, bundle: Path) -> None:
    viewer = partner_viewer(VIEWER)
    for partner in PARTNERS:
        answer = await ask(graph, PARTNER_DEALS, {"key": partner, "first": 100}, viewer)
        if partner == VIEWER:
            assert not answer.errors
            continue
        assert answer.codes == ["FORBIDDEN"]
        assert answer.data == {"partner": {"deals": None}}  # that field, not the partner
        count = await ask(
            graph, f'{{ partner(key: "{partner}") {{ deals {{ totalCount }} }} }}', None, viewer
        )
        assert count.codes == ["FORBIDDEN"]


async def test_a_customers_deals_show_a_partner_only_its_own(graph: Graph, bundle: Path) -> None:
    expected = deals_of(bundle)
    viewer = partner_viewer(VIEWER)
    hidden = 0
    for customer in CUSTOMERS:  # P sees every customer, through B's account list
        nodes = await walk(
            graph, CUSTOMER_DEALS, ["customer", "deals"], {"key": customer}, viewer=viewer
        )
        theirs = [
            deal for _, deal in sorted(expected.items()) if deal["customer"]["key"] == customer
        ]
        assert nodes == [deal for deal in theirs if owned_by(deal, VIEWER)]
        hidden += len(theirs) - len(nodes)
    assert hidden > 0
