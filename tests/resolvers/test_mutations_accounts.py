"""accountUpsert / accountRemove: a partner's HAS_ACCOUNT to a customer."""

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

UPSERT = """
mutation($input: AccountUpsertInput!) {
  accountUpsert(input: $input) {
    account { partner { key } customer { key name } status since strength }
    userErrors { field message code }
  }
}"""

REMOVE = """
mutation($input: AccountRemoveInput!) {
  accountRemove(input: $input) { removed userErrors { field message code } }
}"""

ACCOUNTS = """
MATCH (p:Partner)-[a:HAS_ACCOUNT]->(c:Customer)
RETURN p.key AS partner, c.key AS customer, a.status AS status, a.since AS since,
       a.strength AS strength
ORDER BY partner, customer
"""
ACCOUNTS_SEED = """
MATCH (p:Partner {key: 'P1'}) MATCH (c:Customer {key: 'C1'})
CREATE (p)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c)
"""


async def upsert(
    graph: Graph,
    partner: str,
    customer: str,
    status: str = "CUSTOMER",
    viewer: str = "alliance_manager",
    **more: Any,
) -> Answer:
    given = {"partner": partner_id(partner), "customer": customer_id(customer), "status": status}
    return await ask(graph, UPSERT, {"input": {**given, **more}}, VIEWERS[viewer])


async def remove(
    graph: Graph, partner: str, customer: str, viewer: str = "alliance_manager"
) -> Answer:
    given = {"partner": partner_id(partner), "customer": customer_id(customer)}
    return await ask(graph, REMOVE, {"input": given}, VIEWERS[viewer])


async def accounts(graph: Graph) -> list[tuple[str, str, str, Any, float]]:
    return [
        (
            r["partner"],
            r["customer"],
            r["status"],
            r["since"] and r["since"].to_native(),
            r["strength"],
        )
        for r in await graph.read(ACCOUNTS)
    ]


async def test_upsert_creates_the_account(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await upsert(graph, "P2", "C2", "OPPORTUNITY", since="2023-05-01", strength=0.75)
    assert answer.data["accountUpsert"] == {
        "account": {
            "partner": {"key": "P2"},
            "customer": {"key": "C2", "name": "Two"},
            "status": "OPPORTUNITY",
            "since": "2023-05-01",
            "strength": 0.75,
        },
        "userErrors": [],
    }
    assert await accounts(graph) == [("P2", "C2", "OPPORTUNITY", datetime.date(2023, 5, 1), 0.75)]


@pytest.mark.parametrize(
    ("status", "strength"), [("CUSTOMER", 0.9), ("OPPORTUNITY", 0.6), ("PROSPECT", 0.3)]
)
async def test_upsert_defaults_the_strength_by_status(
    empty_graph: Graph, status: str, strength: float
) -> None:
    graph = await seed(empty_graph)
    answer = await upsert(graph, "P1", "C1", status)
    assert answer.data["accountUpsert"]["account"]["strength"] == strength
    assert await accounts(graph) == [("P1", "C1", status, None, strength)]


async def test_upsert_again_updates_the_one_account(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    await upsert(graph, "P1", "C1", "PROSPECT", since="2024-01-02")
    answer = await unchanged(graph, upsert(graph, "P1", "C1", "PROSPECT", since="2024-01-02"))
    assert user_errors(answer, "accountUpsert") == []
    assert await accounts(graph) == [("P1", "C1", "PROSPECT", datetime.date(2024, 1, 2), 0.3)]
    await upsert(graph, "P1", "C1", "CUSTOMER", strength=0.95)
    assert await accounts(graph) == [("P1", "C1", "CUSTOMER", None, 0.95)]


async def test_an_upserted_account_reads_back_through_the_partner(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    await upsert(graph, "P3", "C1", "PROSPECT")
    found = await ask(
        graph,
        '{ partner(key: "P3") { accounts { totalCount edges { node { status customer { key } } } } } }',
    )
    assert found.data["partner"]["accounts"] == {
        "totalCount": 1,
        "edges": [{"node": {"status": "PROSPECT", "customer": {"key": "C1"}}}],
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"partner": partner_id("P9")}, [("partner", "NOT_FOUND")]),
        ({"customer": customer_id("C9")}, [("customer", "NOT_FOUND")]),
        (
            {"partner": partner_id("P9"), "customer": customer_id("C9")},
            [("partner", "NOT_FOUND"), ("customer", "NOT_FOUND")],
        ),
        ({"partner": customer_id("C1")}, [("partner", "INVALID")]),
        ({"customer": partner_id("P1")}, [("customer", "INVALID")]),
        ({"customer": "???"}, [("customer", "INVALID")]),
        ({"strength": 0}, [("strength", "INVALID")]),
        ({"strength": 1.01}, [("strength", "INVALID")]),
    ],
)
async def test_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    variables = {
        "input": {
            "partner": partner_id("P1"),
            "customer": customer_id("C2"),
            "status": "CUSTOMER",
            **given,
        }
    }
    answer = await unchanged(graph, ask(graph, UPSERT, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "accountUpsert") == expected
    assert answer.data["accountUpsert"]["account"] is None


async def test_remove_deletes_the_account(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    await upsert(graph, "P1", "C2")
    answer = await remove(graph, "P1", "C1")
    assert answer.data["accountRemove"] == {"removed": True, "userErrors": []}
    assert await accounts(graph) == [("P1", "C2", "CUSTOMER", None, 0.9)]
    assert (await graph.read("MATCH (c:Customer {key: 'C1'}) RETURN count(c) AS n"))[0]["n"] == 1


@pytest.mark.parametrize(
    ("partner", "customer", "expected"),
    [
        ("P2", "C1", [(None, "NOT_FOUND")]),
        ("P1", "C2", [(None, "NOT_FOUND")]),
        ("P9", "C1", [("partner", "NOT_FOUND")]),
        ("P1", "C9", [("customer", "NOT_FOUND")]),
    ],
)
async def test_remove_of_no_such_account_is_not_found(
    empty_graph: Graph, partner: str, customer: str, expected: list[tuple[str | None, str]]
) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    answer = await unchanged(graph, remove(graph, partner, customer))
    assert answer.data["accountRemove"]["removed"] is False
    assert user_errors(answer, "accountRemove") == expected


async def test_remove_with_a_bad_id_is_a_user_error(empty_graph: Graph) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    variables = {"input": {"partner": partner_id("P1"), "customer": "nope"}}
    answer = await unchanged(graph, ask(graph, REMOVE, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "accountRemove") == [("customer", "INVALID")]


@pytest.mark.parametrize("viewer", NOT_WRITERS)
async def test_only_writers_may_change_accounts(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    forbidden(await unchanged(graph, upsert(graph, "P1", "C2", viewer=viewer)))
    forbidden(await unchanged(graph, remove(graph, "P1", "C1", viewer=viewer)))


@pytest.mark.parametrize("viewer", WRITERS)
async def test_writers_may_change_accounts(empty_graph: Graph, viewer: str) -> None:
    graph = await seed(empty_graph, ACCOUNTS_SEED)
    assert user_errors(await upsert(graph, "P1", "C2", viewer=viewer), "accountUpsert") == []
    assert user_errors(await remove(graph, "P1", "C1", viewer=viewer), "accountRemove") == []
    assert await accounts(graph) == [("P1", "C2", "CUSTOMER", None, 0.9)]
