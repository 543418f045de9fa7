"""Who may see which accounts and customers: every grant case, through every path of the schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from support import ask, partner_viewer, trail_events, wipe, write_csv, write_holders

from graph import audit
from graph.access import Role, Viewer, today
from graph.audit import AuditTrail
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

# P asks. A grants it an account list; C only counts; E's grant expired, F's is not yet valid,
# R's was revoked; N grants nothing; G grants an account list to someone else. Every date is
# days away from today, so a run across midnight sees the same grants in force.
GRANTS = {
    "A": ("ACCOUNT_LIST", -30, 30, "ACTIVE"),
    "C": ("OVERLAP_COUNTS", -30, None, "ACTIVE"),
    "E": ("ACCOUNT_LIST", -60, -10, "ACTIVE"),
    "F": ("ACCOUNT_LIST", 10, 60, "ACTIVE"),
    "R": ("ACCOUNT_LIST", -30, 30, "REVOKED"),
}
HOLDERS = {  # customer -> partners holding it
    "c-shared": ["P", "A", "C", "E", "F", "R", "N"],
    "c-p": ["P"],
    "c-a": ["A"],
    "c-a2": ["A", "N"],
    "c-c": ["C"],
    "c-e": ["E"],
    "c-f": ["F"],
    "c-r": ["R"],
    "c-n": ["N"],
    "c-g": ["G"],
    "c-deal": ["N"],  # P has only a deal on it
}
PARTNERS = ["P", "A", "C", "E", "F", "R", "N", "G", "X"]
VISIBLE_TO_P = {"c-shared", "c-p", "c-a", "c-a2", "c-deal"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ecosystem(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = tmp_path_factory.mktemp("grants")
    day = today()

    def on(offset: int | None) -> str:
        return "" if offset is None else (day + timedelta(days=offset)).isoformat()

    write_holders(folder, PARTNERS, HOLDERS)
    agreements = [
        [f"ag-{g}", g, "P", scope, on(start), on(end), status]
        for g, (scope, start, end, status) in GRANTS.items()
    ]
    agreements.append(["ag-G", "G", "X", "ACCOUNT_LIST", on(-10), "", "ACTIVE"])
    write_csv(folder, "agreements.csv", agreements)
    write_csv(folder, "deals.csv", [["d-1", "P", "c-deal", "100", "", "PENDING", on(-5), on(30)]])
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield folder
    await wipe(graph)


P = partner_viewer("P")
ACCOUNTS = """query($key: String!) { partner(key: $key) { key accounts(first: 50) {
    totalCount edges { node { customer { key } } } } } }"""


async def test_own_accounts_are_visible(graph: Graph, ecosystem: Path) -> None:
    answer = await ask(graph, ACCOUNTS, {"key": "P"}, P)
    accounts = answer.data["partner"]["accounts"]
    assert {e["node"]["customer"]["key"] for e in accounts["edges"]} == {"c-shared", "c-p"}
    assert accounts["totalCount"] == 2


async def test_an_account_list_in_force_shows_the_grantors_accounts(
    graph: Graph, ecosystem: Path, trail: AuditTrail
) -> None:
    with audit.bind(trail, "req-1"):
        answer = await ask(graph, ACCOUNTS, {"key": "A"}, P)
    accounts = answer.data["partner"]["accounts"]
    assert {e["node"]["customer"]["key"] for e in accounts["edges"]} == {"c-shared", "c-a", "c-a2"}
    [event] = (await trail_events(trail))[0]
    assert (event.viewer, event.operation, event.partners, event.allowed) == (
        "P",
        "accounts",
        ("A",),
        True,
    )


@pytest.mark.parametrize("grantor", ["C", "E", "F", "R", "N", "G"])
async def test_no_account_list_in_force_is_forbidden_and_leaks_nothing(
    graph: Graph, ecosystem: Path, grantor: str
) -> None:
    answer = await ask(graph, ACCOUNTS, {"key": grantor}, P)
    assert answer.codes == ["FORBIDDEN"]
    assert answer.data == {"partner": {"key": grantor, "accounts": None}}
    assert answer.errors[0]["path"] == ["partner", "accounts"]
    message = answer.errors[0]["message"]
    assert "ACCOUNT_LIST" in message
    assert not any(customer in message for customer in HOLDERS)


async def test_a_forbidden_accounts_in_a_list_nulls_only_that_field(
    graph: Graph, ecosystem: Path
) -> None:
    query = "{ partners(first: 50) { nodes { key accounts { totalCount } } } }"
    answer = await ask(graph, query, None, P)
    nodes = answer.data["partners"]["nodes"]
    assert [node["key"] for node in nodes] == sorted(PARTNERS)
    shown = {node["key"]: node["accounts"] for node in nodes}
    assert shown["P"] == {"totalCount": 2} and shown["A"] == {"totalCount": 3}
    assert {key for key, accounts in shown.items() if accounts is None} == set(PARTNERS) - {
        "P",
        "A",
    }
    paths = sorted(error["path"][2] for error in answer.errors)
    assert paths == [i for i, key in enumerate(sorted(PARTNERS)) if key not in {"P", "A"}]
    assert set(answer.codes) == {"FORBIDDEN"}


async def test_staff_see_every_account(graph: Graph, ecosystem: Path) -> None:
    for role in (Role.ADMIN, Role.ALLIANCE_MANAGER, Role.MARKETER):
        answer = await ask(graph, ACCOUNTS, {"key": "N"}, Viewer(role))
        assert answer.data["partner"]["accounts"]["totalCount"] == 4


async def test_customers_visible_only_through_visible_accounts_or_own_deals(
    graph: Graph, ecosystem: Path
) -> None:
    for customer in HOLDERS:
        by_key = await ask(
            graph, "query($k: String!) { customer(key: $k) { key } }", {"k": customer}, P
        )
        by_id = await ask(
            graph,
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": encode_id("Customer", customer)},
            P,
        )
        visible = customer in VISIBLE_TO_P
        assert (by_key.data["customer"] is not None) == visible, customer
        assert (by_id.data["node"] is not None) == visible, customer
    listing = await ask(graph, "{ customers(first: 100) { totalCount nodes { key } } }", viewer=P)
    assert {node["key"] for node in listing.data["customers"]["nodes"]} == VISIBLE_TO_P
    assert listing.data["customers"]["totalCount"] == len(VISIBLE_TO_P)
    staff = await ask(graph, "{ customers(first: 100) { totalCount } }")
    assert staff.data["customers"]["totalCount"] == len(HOLDERS)


async def test_a_customers_partners_show_only_visible_holders(
    graph: Graph, ecosystem: Path
) -> None:
    query = """query($k: String!) { customer(key: $k) { partners(first: 20) {
        totalCount edges { node { partner { key } status } } } } }"""
    answer = await ask(graph, query, {"k": "c-shared"}, P)
    partners = answer.data["customer"]["partners"]
    assert {e["node"]["partner"]["key"] for e in partners["edges"]} == {"P", "A"}
    assert partners["totalCount"] == 2
    deal_customer = await ask(graph, query, {"k": "c-deal"}, P)
    assert deal_customer.data["customer"]["partners"] == {"totalCount": 0, "edges": []}
    staff = await ask(graph, query, {"k": "c-shared"})
    assert staff.data["customer"]["partners"]["totalCount"] == len(HOLDERS["c-shared"])


async def test_nested_paths_do_not_reach_hidden_accounts(graph: Graph, ecosystem: Path) -> None:
    # From a visible customer to its holders and on to their accounts: only A's open up.
    query = """{ customer(key: "c-a2") { partners(first: 10) { nodes { partner { key
        accounts(first: 10) { totalCount } } } } } }"""
    answer = await ask(graph, query, viewer=P)
    holders = answer.data["customer"]["partners"]["nodes"]
    assert [h["partner"]["key"] for h in holders] == ["A"]
    directory = await ask(
        graph, "{ partners(first: 20) { nodes { key accounts { totalCount } } } }", viewer=P
    )
    assert set(directory.codes) == {"FORBIDDEN"}
    assert all(
        node["accounts"] is None or node["key"] in ("P", "A")
        for node in directory.data["partners"]["nodes"]
    )
