"""dealRegister refuses a registration colliding with another partner's open deal
(CHANNEL_CONFLICT, naming the protected deal as the caller may hear it), unless allowConflict;
concurrent registrations for one customer are checked one after the other."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mutation_support import customer_id, partner_id, unchanged
from support import Answer, ask, partner_viewer

from graph.access import Role, Viewer
from graph.db import Graph

REGISTER = """
mutation($input: DealRegisterInput!) {
  dealRegister(input: $input) { deal { key partner { key } } userErrors { field message code } }
}"""
CONFLICTS = """query($customer: ID) { dealConflicts(customer: $customer) {
  totalCount nodes { deals { key } protected { key } hiddenDeals } } }"""
STAFF = Viewer(Role.ALLIANCE_MANAGER, subject="tests")
RIVALS = [f"R{n:02}" for n in range(20)]

# P1 and P2 hold accounts with C1 (so their viewers see it). On C1: P1's D1 (PENDING, from
# 2026-03-01, open-ended) and P2's D2 (APPROVED, March), colliding already; P3's D3 REJECTED.
WORLD = """
UNWIND $partners AS key CREATE (:Partner {key: key, name: key, nameLower: toLower(key),
                                          type: 'RESELLER', tier: 'GOLD'})
WITH count(*) AS made
CREATE (c1:Customer {key: 'C1', name: 'One', nameLower: 'one'})
CREATE (:Customer {key: 'C2', name: 'Two', nameLower: 'two'})
WITH c1
MATCH (p1:Partner {key: 'P1'}), (p2:Partner {key: 'P2'}), (p3:Partner {key: 'P3'})
CREATE (p1)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1)
CREATE (p2)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1)
CREATE (p1)-[:REGISTERED]->(:Deal {key: 'D1', status: 'PENDING', amount: 5.0,
                                  registeredOn: date('2026-03-01')})-[:FOR]->(c1)
CREATE (p2)-[:REGISTERED]->(:Deal {key: 'D2', status: 'APPROVED', amount: 7.0,
                                  registeredOn: date('2026-03-02'),
                                  expiresOn: date('2026-03-31')})-[:FOR]->(c1)
CREATE (p3)-[:REGISTERED]->(:Deal {key: 'D3', status: 'REJECTED',
                                  registeredOn: date('2026-01-01')})-[:FOR]->(c1)
"""
CLEAN = "MATCH (n) WHERE n:Partner OR n:Customer OR n:Deal DETACH DELETE n"


@pytest.fixture
async def world(empty_graph: Graph) -> Graph:
    await empty_graph.write(WORLD, {"partners": ["P1", "P2", "P3", "P4", *RIVALS]})
    return empty_graph


async def register(
    graph: Graph, partner: str, viewer: Viewer = STAFF, customer: str = "C1", **more: Any
) -> Answer:
    given = {"partner": partner_id(partner), "customer": customer_id(customer), **more}
    return await ask(graph, REGISTER, {"input": given}, viewer)


def errors_of(answer: Answer) -> list[tuple[str | None, str, str]]:
    assert not answer.errors, answer.errors
    return [
        (e["field"], e["code"], e["message"]) for e in answer.data["dealRegister"]["userErrors"]
    ]


PROTECTED = "'D1' registered on 2026-03-01 protects this customer"
ANOTHERS = "another partner's deal registered on 2026-03-01 protects this customer"


async def test_staff_are_told_the_protected_deals_key_and_date(world: Graph) -> None:
    answer = await unchanged(world, register(world, "P4", registeredOn="2026-05-01"))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", f"deal {PROTECTED}")]
    assert answer.data["dealRegister"]["deal"] is None


async def test_a_partner_hears_only_the_date_of_anothers_deal(world: Graph) -> None:
    answer = await unchanged(world, register(world, "P2", partner_viewer("P2")))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", ANOTHERS)]


async def test_a_partner_is_told_its_own_protected_deal_by_key(world: Graph) -> None:
    # P2's deal from today collides with P1's open-ended D1 (staff let it in); P1's new deal
    # collides with it, and the conflict's earliest deal is P1's own D1.
    flagged = await register(world, "P2", allowConflict=True)
    assert errors_of(flagged) == []
    answer = await unchanged(world, register(world, "P1", partner_viewer("P1")))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", f"your deal {PROTECTED}")]


async def test_only_staff_date_a_registration(world: Graph) -> None:
    """The earliest registration is protected: a partner dating its own deal back would take
    the protection from a deal registered before it."""
    backdated = {"registeredOn": "2026-02-01", "allowConflict": True}
    refused = await unchanged(world, register(world, "P2", partner_viewer("P2"), **backdated))
    assert [(field, code) for field, code, _ in errors_of(refused)] == [("registeredOn", "INVALID")]
    assert errors_of(await register(world, "P2", partner_viewer("P2"), allowConflict=True)) == []
    assert errors_of(await register(world, "P4", **backdated)) == []


async def test_the_same_partners_deals_and_closed_deals_are_no_conflict(
    world: Graph,
) -> None:
    # After March only P1's open-ended D1 is open: P1 may add another, P3 (REJECTED) may not.
    assert errors_of(await register(world, "P1", registeredOn="2026-04-01")) == []
    refused = await register(world, "P3", registeredOn="2026-04-01")
    assert [code for _, code, _ in errors_of(refused)] == ["CHANNEL_CONFLICT"]
    # Another customer, no deals: nothing to collide with.
    assert errors_of(await register(world, "P3", customer="C2")) == []


async def test_one_day_apart_is_no_conflict_and_a_shared_day_is(world: Graph) -> None:
    await world.write("MATCH (d:Deal {key: 'D1'}) SET d.expiresOn = date('2026-03-01')")
    await world.write("MATCH (d:Deal {key: 'D2'}) SET d.status = 'LOST'")
    early = await register(world, "P4", registeredOn="2026-02-01", expiresOn="2026-02-28")
    assert errors_of(early) == []
    touching = await register(world, "P4", registeredOn="2026-02-10", expiresOn="2026-03-01")
    assert [code for _, code, _ in errors_of(touching)] == ["CHANNEL_CONFLICT"]


async def test_allow_conflict_registers_it_and_it_shows_in_deal_conflicts(world: Graph) -> None:
    answer = await register(world, "P4", registeredOn="2026-05-01", allowConflict=True)
    assert errors_of(answer) == []
    key = answer.data["dealRegister"]["deal"]["key"]
    shown = await ask(world, CONFLICTS, {"customer": customer_id("C1")})
    assert shown.data["dealConflicts"]["nodes"] == [
        {"deals": [{"key": "D1"}, {"key": "D2"}, {"key": key}], "protected": {"key": "D1"},
         "hiddenDeals": 0}
    ]  # fmt: skip
    mine = await ask(world, CONFLICTS, {}, partner_viewer("P4"))
    assert mine.data["dealConflicts"] == {
        "totalCount": 1,
        "nodes": [{"deals": [{"key": key}], "protected": None, "hiddenDeals": 2}],
    }


async def test_an_unseen_customer_is_not_found_not_a_conflict(world: Graph) -> None:
    # P4 holds no account with C1: it may not learn that C1 has deals.
    answer = await unchanged(world, register(world, "P4", partner_viewer("P4")))
    assert [(f, code) for f, code, _ in errors_of(answer)] == [("customer", "NOT_FOUND")]


async def test_twenty_concurrent_registrations_let_exactly_one_in(world: Graph) -> None:
    await world.write("MATCH (d:Deal) WHERE d.key IN ['D1', 'D2'] SET d.status = 'LOST'")
    for _round in range(3):
        answers = await asyncio.gather(*(register(world, rival) for rival in RIVALS))
        passed = [a for a in answers if not errors_of(a)]
        refused = [code for a in answers for _, code, _ in errors_of(a)]
        assert len(passed) == 1, refused
        assert refused == ["CHANNEL_CONFLICT"] * 19
        winner = passed[0].data["dealRegister"]["deal"]["key"]
        assert await open_deals(world) == [winner]
        await world.write("MATCH (d:Deal {key: $key}) DETACH DELETE d", {"key": winner})


async def test_flagged_concurrent_registrations_all_go_in_beside_one_unflagged(
    world: Graph,
) -> None:
    # The flagged ones share January (they collide with each other), the others June on: so
    # every flagged one goes in, and of the others exactly one.
    await world.write("MATCH (d:Deal) WHERE d.key IN ['D1', 'D2'] SET d.status = 'LOST'")
    flagged = set(RIVALS[::4])
    january = {"registeredOn": "2026-01-01", "expiresOn": "2026-01-31", "allowConflict": True}
    june = {"registeredOn": "2026-06-01"}
    for _round in range(3):
        answers = await asyncio.gather(
            *(register(world, r, **(january if r in flagged else june)) for r in RIVALS)
        )
        passed = {r for r, a in zip(RIVALS, answers, strict=True) if not errors_of(a)}
        assert flagged <= passed
        assert len(passed - flagged) == 1, passed
        assert sorted(await open_owners(world)) == sorted(passed)
        shown = await ask(world, CONFLICTS, {"customer": customer_id("C1")})
        assert len(shown.data["dealConflicts"]["nodes"][0]["deals"]) == len(flagged)
        await world.write("MATCH (d:Deal {status: 'PENDING'}) DETACH DELETE d")


async def test_flagged_and_unflagged_racing_for_one_window_let_at_most_one_unflagged_in(
    world: Graph,
) -> None:
    await world.write("MATCH (d:Deal) WHERE d.key IN ['D1', 'D2'] SET d.status = 'LOST'")
    flagged = set(RIVALS[::4])
    for _round in range(3):
        answers = await asyncio.gather(
            *(register(world, r, allowConflict=r in flagged) for r in RIVALS)
        )
        passed = {r for r, a in zip(RIVALS, answers, strict=True) if not errors_of(a)}
        refused = [code for a in answers for _, code, _ in errors_of(a)]
        assert flagged <= passed
        assert len(passed - flagged) <= 1, passed  # none when a flagged one went in first
        assert refused == ["CHANNEL_CONFLICT"] * (len(RIVALS) - len(passed))
        assert sorted(await open_owners(world)) == sorted(passed)
        await world.write("MATCH (d:Deal {status: 'PENDING'}) DETACH DELETE d")


async def open_owners(graph: Graph) -> list[str]:
    found = await graph.read(
        "MATCH (p:Partner)-[:REGISTERED]->(d:Deal) WHERE d.status IN ['PENDING', 'APPROVED']"
        " RETURN p.key AS key"
    )
    return [r["key"] for r in found]


async def open_deals(graph: Graph) -> list[str]:
    found = await graph.read(
        "MATCH (d:Deal) WHERE d.status IN ['PENDING', 'APPROVED'] RETURN d.key AS key"
    )
    return sorted(r["key"] for r in found)
