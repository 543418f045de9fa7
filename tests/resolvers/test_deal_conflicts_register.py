"""dealRegister refuses a registration colliding with another partner's open deal
(CHANNEL_CONFLICT, naming the earliest open deal it collides with, as the caller may hear of
it), unless allowConflict; a lapsed registration collides with nothing; registration dates stay
in a sane range; a partner's refused registration is audited; concurrent registrations for one
customer are checked one after the other."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from conflicts_oracle import utc_today
from mutation_support import customer_id, partner_id, unchanged
from support import Answer, ask, partner_viewer, trail_events

from graph.access import Role, Viewer
from graph.audit import AuditFilter, AuditTrail
from graph.db import Graph
from resolvers.context import Context
from resolvers.schema import schema

REGISTER = """
mutation($input: DealRegisterInput!) {
  dealRegister(input: $input) {
    deal { key partner { key } registeredOn expiresOn }
    userErrors { field message code }
  }
}"""
CONFLICTS = """query($customer: ID) { dealConflicts(customer: $customer) {
  totalCount nodes { deals { key } protected { key } hiddenDeals } } }"""
STAFF = Viewer(Role.ALLIANCE_MANAGER, subject="tests")
RIVALS = [f"R{n:02}" for n in range(20)]
TODAY = utc_today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


# P1 and P2 hold accounts with C1 (so their viewers see it). On C1: P1's D1 (PENDING, from 60
# days ago, open-ended) and P2's D2 (APPROVED, from 59 days ago to 30 days ahead), colliding
# already; P3's D3 REJECTED.
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
                                  registeredOn: date($d1)})-[:FOR]->(c1)
CREATE (p2)-[:REGISTERED]->(:Deal {key: 'D2', status: 'APPROVED', amount: 7.0,
                                  registeredOn: date($d2), expiresOn: date($d2Until)})-[:FOR]->(c1)
CREATE (p3)-[:REGISTERED]->(:Deal {key: 'D3', status: 'REJECTED',
                                  registeredOn: date($d3)})-[:FOR]->(c1)
"""
DATES = {"d1": day(-60), "d2": day(-59), "d2Until": day(30), "d3": day(-100)}


@pytest.fixture
async def world(empty_graph: Graph) -> Graph:
    partners = ["P1", "P2", "P3", "P4", *RIVALS]
    await empty_graph.write(WORLD, {"partners": partners, **DATES})
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


def codes_of(answer: Answer) -> list[str]:
    return [code for _, code, _ in errors_of(answer)]


def protects(key: str, on: str) -> str:
    return f"deal {key!r} registered on {on} protects this customer"


def anothers(on: str) -> str:
    return f"another partner's deal registered on {on} protects this customer"


async def test_staff_are_told_the_protected_deals_key_and_date(world: Graph) -> None:
    answer = await unchanged(world, register(world, "P4", registeredOn=day(5)))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", protects("D1", day(-60)))]
    assert answer.data["dealRegister"]["deal"] is None


async def test_a_partner_hears_only_the_date_of_anothers_deal(world: Graph) -> None:
    answer = await unchanged(world, register(world, "P2", partner_viewer("P2")))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", anothers(day(-60)))]


async def test_the_deal_named_is_the_earliest_the_new_one_itself_collides_with(
    world: Graph,
) -> None:
    # The customer's conflict is protected by P1's D1; P1's new deal collides only with P2's D2
    # (its own D1 is no collision), so it hears of D2's day, not of its own deal.
    answer = await unchanged(world, register(world, "P1", partner_viewer("P1")))
    assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", anothers(day(-59)))]
    # D1 ends in two days: a window from day 10 to 20 collides with D2 alone.
    await world.write("MATCH (d:Deal {key: 'D1'}) SET d.expiresOn = date($on)", {"on": day(2)})
    later = await unchanged(world, register(world, "P4", registeredOn=day(10), expiresOn=day(20)))
    assert errors_of(later) == [("customer", "CHANNEL_CONFLICT", protects("D2", day(-59)))]


async def test_only_staff_date_a_registration(world: Graph) -> None:
    """The earliest registration is protected: a partner dating its own deal back would take
    the protection from a deal registered before it."""
    backdated = {"registeredOn": day(-90), "allowConflict": True}
    refused = await unchanged(world, register(world, "P2", partner_viewer("P2"), **backdated))
    assert [(field, code) for field, code, _ in errors_of(refused)] == [("registeredOn", "INVALID")]
    assert errors_of(await register(world, "P2", partner_viewer("P2"), allowConflict=True)) == []
    assert errors_of(await register(world, "P4", **backdated)) == []


async def test_the_same_partners_deals_and_closed_deals_are_no_conflict(
    world: Graph,
) -> None:
    # After D2 ends only P1's open-ended D1 is open: P1 may add another, P3 (REJECTED) may not.
    assert errors_of(await register(world, "P1", registeredOn=day(31))) == []
    assert codes_of(await register(world, "P3", registeredOn=day(31))) == ["CHANNEL_CONFLICT"]
    # Another customer, no deals: nothing to collide with.
    assert errors_of(await register(world, "P3", customer="C2")) == []


async def test_one_day_apart_is_no_conflict_and_a_shared_day_is(world: Graph) -> None:
    await world.write("MATCH (d:Deal {key: 'D1'}) SET d.expiresOn = date($on)", {"on": day(10)})
    await world.write("MATCH (d:Deal {key: 'D2'}) SET d.status = 'LOST'")
    after = await register(world, "P4", registeredOn=day(11), expiresOn=day(20))
    assert errors_of(after) == []
    touching = await register(world, "P4", registeredOn=day(5), expiresOn=day(10))
    assert codes_of(touching) == ["CHANNEL_CONFLICT"]


@pytest.mark.parametrize(("ends", "collides"), [(0, True), (-1, False)])
async def test_a_deal_expiring_today_still_protects_and_one_expired_yesterday_does_not(
    world: Graph, ends: int, collides: bool
) -> None:
    await world.write("MATCH (d:Deal {key: 'D1'}) SET d.expiresOn = date($on)", {"on": day(ends)})
    await world.write("MATCH (d:Deal {key: 'D2'}) SET d.status = 'LOST'")
    answer = await register(world, "P4")  # today, for 90 days
    if collides:
        assert errors_of(answer) == [("customer", "CHANNEL_CONFLICT", protects("D1", day(-60)))]
    else:
        assert errors_of(answer) == []
        shown = await ask(world, CONFLICTS, {"customer": customer_id("C1")})
        assert shown.data["dealConflicts"]["totalCount"] == 0


async def test_a_registration_lapsed_already_collides_with_nothing(world: Graph) -> None:
    # Staff record one that ran from 100 to 50 days ago: D1 was open then, but it is history.
    answer = await register(world, "P4", registeredOn=day(-100), expiresOn=day(-50))
    assert errors_of(answer) == []
    shown = await ask(world, CONFLICTS, {"customer": customer_id("C1")})
    assert shown.data["dealConflicts"]["nodes"] == [
        {"deals": [{"key": "D1"}, {"key": "D2"}], "protected": {"key": "D1"}, "hiddenDeals": 0}
    ]


async def test_registration_dates_stay_in_a_sane_range(world: Graph) -> None:
    far = {"registeredOn": "9999-12-31", "allowConflict": True}
    too_far = await unchanged(world, register(world, "P4", **far))
    assert [(field, code) for field, code, _ in errors_of(too_far)] == [("registeredOn", "INVALID")]
    long = {"registeredOn": day(0), "expiresOn": day(731), "allowConflict": True}
    too_long = await unchanged(world, register(world, "P4", **long))
    assert [(field, code) for field, code, _ in errors_of(too_long)] == [("expiresOn", "INVALID")]
    edge = {"registeredOn": day(365), "expiresOn": day(365 + 730), "allowConflict": True}
    answer = await register(world, "P4", **edge)
    assert errors_of(answer) == []
    deal = answer.data["dealRegister"]["deal"]
    assert (deal["registeredOn"], deal["expiresOn"]) == (day(365), day(1095))


async def test_a_registration_without_an_expiry_runs_ninety_days(world: Graph) -> None:
    answer = await register(world, "P3", customer="C2")
    assert errors_of(answer) == []
    deal = answer.data["dealRegister"]["deal"]
    assert (deal["registeredOn"], deal["expiresOn"]) == (day(0), day(90))


async def test_allow_conflict_registers_it_and_it_shows_in_deal_conflicts(world: Graph) -> None:
    answer = await register(world, "P4", registeredOn=day(5), allowConflict=True)
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


async def test_a_partners_refused_registration_is_audited(world: Graph, trail: AuditTrail) -> None:
    """CHANNEL_CONFLICT tells a partner that another partner's deal exists: the trail shows
    whose deal it was told of; an accepted registration tells of no one and is not recorded."""
    for partner, customer in (("P2", "C1"), ("P1", "C1"), ("P2", "C2")):
        given = {"partner": partner_id(partner), "customer": customer_id(customer)}
        context = Context(world, partner_viewer(partner), trail=trail)
        result = await schema.execute(
            REGISTER, variable_values={"input": given}, context_value=context
        )
        assert not result.errors, result.errors
    events, total, _ = await trail_events(trail)
    told_of_p1, _, _ = await trail_events(trail, AuditFilter(partner="P1"))
    assert total == 2  # P2 on C2 (a customer it may not see) is NOT_FOUND, not a disclosure
    assert [(e.operation, e.viewer, e.partners, e.allowed) for e in events] == [
        ("dealRegister", "P1", ("P2",), False),
        ("dealRegister", "P2", ("P1",), False),
    ]
    assert [e.viewer for e in told_of_p1] == ["P2"]


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
    # The flagged ones share a month 200 days ahead (they collide with each other), the others
    # the next 90 days: so every flagged one goes in, and of the others exactly one.
    await world.write("MATCH (d:Deal) WHERE d.key IN ['D1', 'D2'] SET d.status = 'LOST'")
    flagged = set(RIVALS[::4])
    january = {"registeredOn": day(200), "expiresOn": day(230), "allowConflict": True}
    june: dict[str, Any] = {}  # today, for 90 days
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
