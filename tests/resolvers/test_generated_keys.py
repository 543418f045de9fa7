"""A partner token does not name the deals and agreements it creates: a key it chose that is
taken by another partner's deal or agreement (which it may not see) would answer CONFLICT, and
so tell it that one exists. Staff name keys as before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mutation_support import VIEWERS, customer_id, partner_id, seed, unchanged
from support import ask, partner_viewer, wipe

from graph.db import Graph

# P2's deal D-HIDDEN for C2 (not C1, where a deal of P1's would collide with it), and an
# agreement A-HIDDEN from P2 to P3: P1 may see neither.
HIDDEN = """
MATCH (p1:Partner {key: 'P1'}), (p2:Partner {key: 'P2'}), (p3:Partner {key: 'P3'}),
      (c1:Customer {key: 'C1'}), (c2:Customer {key: 'C2'})
CREATE (p2)-[:REGISTERED]->(:Deal {key: 'D-HIDDEN', status: 'PENDING', registeredOn: date()})
       -[:FOR]->(c2)
CREATE (p2)-[:GRANTS]->(:Agreement {key: 'A-HIDDEN', scopes: ['OVERLAP_COUNTS'], status: 'ACTIVE',
       validFrom: date('2020-01-01')})-[:TO]->(p3)
CREATE (p1)-[:HAS_ACCOUNT {status: 'CUSTOMER'}]->(c1)
"""
REGISTER = "mutation($i: DealRegisterInput!) { dealRegister(input: $i) { deal { key } userErrors { field message code } } }"
GRANT = "mutation($i: AgreementGrantInput!) { agreementGrant(input: $i) { agreement { key } userErrors { field message code } } }"
CASES = [
    (REGISTER, "dealRegister", {"partner": partner_id("P1"), "customer": customer_id("C1")}, "D"),
    (
        GRANT,
        "agreementGrant",
        {"grantor": partner_id("P1"), "grantee": partner_id("P4"), "scopes": ["OVERLAP_COUNTS"]},
        "A",
    ),
]


@pytest.fixture
async def world(empty_graph: Graph) -> AsyncIterator[Graph]:
    await seed(empty_graph, HIDDEN)
    yield empty_graph
    await wipe(empty_graph)


@pytest.mark.parametrize(("query", "field", "given", "prefix"), CASES)
@pytest.mark.parametrize("key", ["D-HIDDEN", "A-HIDDEN", "FREE-KEY"])
async def test_a_partner_naming_a_key_is_told_the_same_whether_it_is_taken_or_not(
    world: Graph, query: str, field: str, given: dict[str, object], prefix: str, key: str
) -> None:
    answer = await unchanged(
        world, ask(world, query, {"i": {**given, "key": key}}, partner_viewer("P1"))
    )
    assert not answer.errors, answer.errors
    payload = answer.data[field]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("key", "INVALID")]
    assert "generated keys" in payload["userErrors"][0]["message"]
    assert key not in payload["userErrors"][0]["message"]


@pytest.mark.parametrize(("query", "field", "given", "prefix"), CASES)
async def test_a_partner_leaving_the_key_out_gets_a_generated_one(
    world: Graph, query: str, field: str, given: dict[str, object], prefix: str
) -> None:
    answer = await ask(world, query, {"i": given}, partner_viewer("P1"))
    assert not answer.errors, answer.errors
    payload = answer.data[field]
    assert payload["userErrors"] == []
    assert next(iter(payload.values()))["key"].startswith(f"{prefix}-")


@pytest.mark.parametrize(("query", "field", "given", "prefix"), CASES)
async def test_staff_still_name_keys_and_hear_of_a_taken_one(
    world: Graph, query: str, field: str, given: dict[str, object], prefix: str
) -> None:
    taken = f"{prefix}-HIDDEN"
    answer = await unchanged(
        world, ask(world, query, {"i": {**given, "key": taken}}, VIEWERS["admin"])
    )
    assert [e["code"] for e in answer.data[field]["userErrors"]] == ["CONFLICT"]
    named = await ask(world, query, {"i": {**given, "key": f"{prefix}-NEW"}}, VIEWERS["admin"])
    assert named.data[field]["userErrors"] == []
