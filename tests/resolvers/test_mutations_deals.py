"""dealRegister / dealChangeStatus: deals, by staff and by partners for their own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from mutation_support import (
    VIEWERS,
    customer_id,
    forbidden,
    partner_id,
    seed,
    unchanged,
    user_errors,
)
from support import Answer, ask, partner_viewer

from graph.access import Viewer, today
from graph.db import Graph
from resolvers.node import encode_id

STAFF_WRITERS = ["admin", "alliance_manager"]

REGISTER = """
mutation($input: DealRegisterInput!) {
  dealRegister(input: $input) {
    deal { id key amount stage status registeredOn expiresOn partner { key } customer { key } }
    userErrors { field message code }
  }
}"""

CHANGE = """
mutation($input: DealChangeStatusInput!) {
  dealChangeStatus(input: $input) {
    deal { key status partner { key } }
    userErrors { field message code }
  }
}"""

DEALS = """
MATCH (p:Partner)-[:REGISTERED]->(d:Deal)-[:FOR]->(c:Customer)
RETURN d.key AS key, p.key AS partner, c.key AS customer, properties(d) AS props
ORDER BY key
"""
# P1 has an account with C1 (so a P1 viewer sees C1, not C2); D1 is P1's deal, D2 is P2's.
# Both expire in January, so a deal registered later collides with neither.
DEALS_SEED = """
MATCH (p1:Partner {key: 'P1'}) MATCH (p2:Partner {key: 'P2'})
MATCH (c1:Customer {key: 'C1'}) MATCH (c2:Customer {key: 'C2'})
CREATE (p1)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1)
CREATE (p1)-[:REGISTERED]->(:Deal {key: 'D1', status: 'PENDING', registeredOn: date('2026-01-05'),
                                  expiresOn: date('2026-01-31')})
       -[:FOR]->(c1)
CREATE (p2)-[:REGISTERED]->(:Deal {key: 'D2', status: 'APPROVED', registeredOn: date('2026-01-06'),
                                  expiresOn: date('2026-01-31')})
       -[:FOR]->(c2)
"""
FOREIGN = "a partner may change only its own deals"


def deal_id(key: str) -> str:
    return encode_id("Deal", key)


def viewer_of(name: str) -> Viewer:
    return VIEWERS[name] if name in VIEWERS else partner_viewer(name)


async def register(
    graph: Graph, partner: str, customer: str, viewer: str = "alliance_manager", **more: Any
) -> Answer:
    given = {"partner": partner_id(partner), "customer": customer_id(customer), **more}
    return await ask(graph, REGISTER, {"input": given}, viewer_of(viewer))


async def change(graph: Graph, key: str, status: str, viewer: str = "alliance_manager") -> Answer:
    variables = {"input": {"deal": deal_id(key), "status": status}}
    return await ask(graph, CHANGE, variables, viewer_of(viewer))


async def deals(graph: Graph) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {r["key"]: (r["partner"], r["customer"], r["props"]) for r in await graph.read(DEALS)}


async def statuses(graph: Graph) -> dict[str, str]:
    return {key: props["status"] for key, (_, _, props) in (await deals(graph)).items()}


async def seeded(graph: Graph) -> Graph:
    return await seed(graph, DEALS_SEED)


async def test_register_creates_a_pending_deal(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await register(
        graph,
        "P3",
        "C2",
        key=" D3 ",
        amount=125000.5,
        stage=" Propose ",
        registeredOn="2026-02-01",
        expiresOn="2026-05-01",
    )
    assert user_errors(answer, "dealRegister") == []
    assert answer.data["dealRegister"]["deal"] == {
        "id": deal_id("D3"),
        "key": "D3",
        "amount": 125000.5,
        "stage": "Propose",
        "status": "PENDING",
        "registeredOn": "2026-02-01",
        "expiresOn": "2026-05-01",
        "partner": {"key": "P3"},
        "customer": {"key": "C2"},
    }
    assert (await deals(graph))["D3"] == (
        "P3",
        "C2",
        {
            "key": "D3",
            "amount": 125000.5,
            "stage": "Propose",
            "status": "PENDING",
            "registeredOn": datetime.date(2026, 2, 1),
            "expiresOn": datetime.date(2026, 5, 1),
        },
    )


async def test_register_defaults_the_key_and_the_dates(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    began = today()
    first = (await register(graph, "P3", "C1")).data["dealRegister"]["deal"]
    second = (await register(graph, "P3", "C1")).data["dealRegister"]["deal"]
    assert first["key"].startswith("D-") and first["key"] != second["key"]
    assert first["registeredOn"] in {began.isoformat(), today().isoformat()}  # midnight may pass
    registered_on = datetime.date.fromisoformat(first["registeredOn"])
    assert (await deals(graph))[first["key"]] == (
        "P3",
        "C1",
        {
            "key": first["key"],
            "status": "PENDING",
            "registeredOn": registered_on,
            "expiresOn": registered_on + datetime.timedelta(days=90),
        },
    )


async def test_a_taken_key_is_a_conflict_and_nothing_changes(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, register(graph, "P3", "C1", key="D2"))
    assert user_errors(answer, "dealRegister") == [("key", "CONFLICT")]
    assert answer.data["dealRegister"]["deal"] is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"amount": -1}, [("amount", "INVALID")]),
        ({"registeredOn": "2026-02-01", "expiresOn": "2026-01-31"}, [("expiresOn", "INVALID")]),
        ({"expiresOn": "2000-01-01"}, [("expiresOn", "INVALID")]),  # before today, the default
        ({"key": ""}, [("key", "REQUIRED")]),
        ({"partner": partner_id("P9")}, [("partner", "NOT_FOUND")]),
        ({"customer": customer_id("C9")}, [("customer", "NOT_FOUND")]),
        (
            {"partner": partner_id("P9"), "customer": customer_id("C9")},
            [("partner", "NOT_FOUND"), ("customer", "NOT_FOUND")],
        ),
        ({"partner": customer_id("C1")}, [("partner", "INVALID")]),
        ({"customer": partner_id("P1")}, [("customer", "INVALID")]),
        ({"customer": "???", "amount": -2}, [("customer", "INVALID"), ("amount", "INVALID")]),
    ],
)
async def test_register_with_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    variables = {"input": {"partner": partner_id("P3"), "customer": customer_id("C1"), **given}}
    answer = await unchanged(graph, ask(graph, REGISTER, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "dealRegister") == expected
    assert answer.data["dealRegister"]["deal"] is None


async def test_a_partner_registers_as_itself_for_a_customer_it_sees(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await register(graph, "P1", "C1", viewer="P1", amount=10)
    assert user_errors(answer, "dealRegister") == []
    key = answer.data["dealRegister"]["deal"]["key"]
    assert (await deals(graph))[key][:2] == ("P1", "C1")
    found = await ask(
        graph, "query($k: String!) { deal(key: $k) { status } }", {"k": key}, partner_viewer("P1")
    )
    assert found.data == {"deal": {"status": "PENDING"}}


async def test_a_partner_may_not_register_for_a_customer_it_cannot_see(
    empty_graph: Graph,
) -> None:
    graph = await seeded(empty_graph)
    # C2 exists, but P1 may not see it: the same answer as for a customer that does not exist.
    for customer in ("C2", "C9"):
        answer = await unchanged(graph, register(graph, "P1", customer, viewer="P1"))
        assert user_errors(answer, "dealRegister") == [("customer", "NOT_FOUND")]
        assert answer.data["dealRegister"]["userErrors"][0]["message"] == (
            f"there is no customer {customer!r}"
        )


async def test_a_partner_may_not_register_as_another(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, register(graph, "P2", "C2", viewer="P1"))
    forbidden(answer)
    assert answer.round_trips == 0


async def test_change_of_an_unknown_deal_is_not_found_for_staff(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, change(graph, "D9", "WON"))
    assert user_errors(answer, "dealChangeStatus") == [("deal", "NOT_FOUND")]
    variables = {"input": {"deal": customer_id("C1"), "status": "WON"}}
    answer = await unchanged(graph, ask(graph, CHANGE, variables, VIEWERS["admin"]))
    assert user_errors(answer, "dealChangeStatus") == [("deal", "INVALID")]


@pytest.mark.parametrize("status", ["APPROVED", "REJECTED", "PENDING"])
async def test_approving_and_rejecting_are_the_vendors_call(
    empty_graph: Graph, status: str
) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, change(graph, "D1", status, viewer="P1"))
    forbidden(answer)
    assert answer.round_trips == 0


@pytest.mark.parametrize(
    "key", [pytest.param("D2", id="another-partners"), pytest.param("D9", id="unknown")]
)
async def test_a_partner_may_not_change_any_other_deal(empty_graph: Graph, key: str) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, change(graph, key, "WON", viewer="P1"))
    forbidden(answer)
    # One message for both: it does not tell whether the deal exists.
    assert answer.errors[0]["message"] == FOREIGN


async def test_marketers_may_not_register_or_change_deals(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for asking in (register(graph, "P1", "C1", "marketer"), change(graph, "D1", "WON", "marketer")):
        answer = await unchanged(graph, asking)
        forbidden(answer)
        assert answer.round_trips == 0


@pytest.mark.parametrize("viewer", STAFF_WRITERS)
async def test_staff_register_and_change_for_any_partner(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    answer = await register(graph, "P4", "C2", viewer=viewer, key="D4")
    assert user_errors(answer, "dealRegister") == []
    assert user_errors(await change(graph, "D4", "APPROVED", viewer), "dealChangeStatus") == []
    assert user_errors(await change(graph, "D1", "REJECTED", viewer), "dealChangeStatus") == []
    assert await statuses(graph) == {"D1": "REJECTED", "D2": "APPROVED", "D4": "APPROVED"}
