"""dealChangeStatus follows the deal workflow: each (from, to, role) cell, expiry, and races.

The expectations come from the workflow as the README and the design state it, not from the
code: PENDING → APPROVED or REJECTED (staff: admin, alliance_manager); APPROVED → WON or LOST
(the deal's own partner, or staff); REJECTED, WON and LOST are final; an APPROVED deal past its
expiresOn can no longer be WON. Any other move is the user error INVALID_TRANSITION.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from mutation_support import VIEWERS, forbidden, seed, unchanged, user_errors
from support import Answer, ask, dump, partner_viewer

from graph import deals
from graph.access import Viewer
from graph.db import Graph
from resolvers.node import encode_id

STATUSES = ["PENDING", "APPROVED", "REJECTED", "WON", "LOST"]
STAFF = frozenset({"admin", "alliance_manager"})
# Who may make each move; every move not listed is INVALID_TRANSITION.
MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("PENDING", "APPROVED"): STAFF,
    ("PENDING", "REJECTED"): STAFF,
    ("APPROVED", "WON"): STAFF | {"owner"},
    ("APPROVED", "LOST"): STAFF | {"owner"},
}
# A partner token reports only the outcome of its own deals.
OUTCOMES = ("WON", "LOST")
# "owner" is the deal's partner (P1); "another" is a partner token of P2.
ROLES = ["admin", "alliance_manager", "marketer", "owner", "another"]
VIEWER_OF: dict[str, Viewer] = {
    "admin": VIEWERS["admin"],
    "alliance_manager": VIEWERS["alliance_manager"],
    "marketer": VIEWERS["marketer"],
    "owner": partner_viewer("P1"),
    "another": partner_viewer("P2"),
}
FOREIGN = "a partner may change only its own deals"

CHANGE = """
mutation($input: DealChangeStatusInput!) {
  dealChangeStatus(input: $input) {
    deal { key status expiresOn partner { key } }
    userErrors { field message code }
  }
}"""

# P1's deal D for C1, in the given status and with the given expiry (null: open-ended).
DEAL_SEED = """
MATCH (p1:Partner {key: 'P1'}) MATCH (c1:Customer {key: 'C1'})
CREATE (p1)-[:REGISTERED]->(:Deal {key: 'D', status: $status, registeredOn: date('2026-01-05'),
                                   expiresOn: $expires})-[:FOR]->(c1)
"""
STATUS = "MATCH (d:Deal {key: 'D'}) RETURN d.status AS status"


def expected(start: str, asked: str, role: str) -> str:
    """ "ok", "INVALID_TRANSITION" or "FORBIDDEN" for a move asked by a role."""
    if role in ("marketer", "another"):
        return "FORBIDDEN"
    if role == "owner" and asked not in OUTCOMES:
        return "FORBIDDEN"
    return "ok" if role in MOVES.get((start, asked), frozenset()) else "INVALID_TRANSITION"


async def with_deal(graph: Graph, status: str, expires: datetime.date | None = None) -> Graph:
    return await seed(graph, DEAL_SEED, status=status, expires=expires)


async def change(graph: Graph, status: str, role: str, key: str = "D") -> Answer:
    variables = {"input": {"deal": encode_id("Deal", key), "status": status}}
    return await ask(graph, CHANGE, variables, VIEWER_OF[role])


async def status_of(graph: Graph) -> str:
    return str((await graph.read(STATUS))[0]["status"])


def payload(answer: Answer) -> dict[str, Any]:
    assert not answer.errors, answer.errors
    return dict(answer.data["dealChangeStatus"])


def invalid_transition(answer: Answer, start: str, asked: str) -> str:
    """The one user error of a refused move; it names the current and the asked status."""
    assert user_errors(answer, "dealChangeStatus") == [("status", "INVALID_TRANSITION")]
    assert payload(answer)["deal"] is None
    message = str(payload(answer)["userErrors"][0]["message"])
    assert start in message and asked in message, message
    return message


CELLS = [
    pytest.param(start, asked, role, expected(start, asked, role), id=f"{start}-{asked}-{role}")
    for start in STATUSES
    for asked in STATUSES
    for role in ROLES
]


@pytest.mark.parametrize(("start", "asked", "role", "outcome"), CELLS)
async def test_every_move_by_every_role(
    empty_graph: Graph, start: str, asked: str, role: str, outcome: str
) -> None:
    graph = await with_deal(empty_graph, start)
    if outcome == "ok":
        answer = await change(graph, asked, role)
        assert payload(answer) == {
            "deal": {"key": "D", "status": asked, "expiresOn": None, "partner": {"key": "P1"}},
            "userErrors": [],
        }
        assert await status_of(graph) == asked
        return
    answer = await unchanged(graph, change(graph, asked, role))
    if outcome == "FORBIDDEN":
        forbidden(answer)
        if role == "another" and asked in OUTCOMES:
            # The same words as for a deal that does not exist: nothing tells its status.
            assert answer.errors[0]["message"] == FOREIGN
    else:
        invalid_transition(answer, start, asked)


def test_the_table_covers_every_cell() -> None:
    outcomes = [cell.values[3] for cell in CELLS]
    assert len(CELLS) == len(STATUSES) ** 2 * len(ROLES)
    assert outcomes.count("ok") == 2 * len(STAFF) + 2 * (len(STAFF) + 1)
    assert {"ok", "INVALID_TRANSITION", "FORBIDDEN"} == set(outcomes)


@pytest.mark.parametrize("role", ["admin", "alliance_manager", "owner"])
async def test_an_approved_deal_past_its_expiry_may_be_lost_but_not_won(
    empty_graph: Graph, role: str
) -> None:
    graph = await with_deal(empty_graph, "APPROVED", datetime.date(2000, 1, 31))
    message = invalid_transition(
        await unchanged(graph, change(graph, "WON", role)), "APPROVED", "WON"
    )
    assert "2000-01-31" in message, message
    answer = await change(graph, "LOST", role)
    assert payload(answer)["userErrors"] == []
    assert await status_of(graph) == "LOST"


async def test_an_approved_deal_not_yet_expired_may_be_won(empty_graph: Graph) -> None:
    graph = await with_deal(empty_graph, "APPROVED", datetime.date(2999, 12, 31))
    answer = await change(graph, "WON", "owner")
    assert payload(answer)["deal"]["status"] == "WON"


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        pytest.param(datetime.date(2026, 3, 30), True, id="the-day-before"),
        pytest.param(datetime.date(2026, 3, 31), True, id="on-its-last-day"),
        pytest.param(datetime.date(2026, 4, 1), False, id="the-day-after"),
    ],
)
async def test_a_deal_may_be_won_up_to_and_on_its_expiry_date(
    empty_graph: Graph, on: datetime.date, allowed: bool
) -> None:
    graph = await with_deal(empty_graph, "APPROVED", datetime.date(2026, 3, 31))
    if allowed:
        row = await deals.change_deal_status(graph, "D", "WON", None, on)
        assert row["status"] == "WON"
    else:
        with pytest.raises(deals.InvalidTransition):
            await deals.change_deal_status(graph, "D", "WON", None, on)
        assert await status_of(graph) == "APPROVED"


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        pytest.param(datetime.date(2026, 1, 4), False, id="the-day-before"),
        pytest.param(datetime.date(2026, 1, 5), True, id="on-its-first-day"),
    ],
)
async def test_a_deal_is_not_won_before_it_is_registered(
    empty_graph: Graph, on: datetime.date, allowed: bool
) -> None:
    """Staff may date a registration ahead; it cannot be won before that day."""
    graph = await with_deal(empty_graph, "APPROVED")
    if allowed:
        row = await deals.change_deal_status(graph, "D", "WON", None, on)
        assert row["status"] == "WON"
    else:
        with pytest.raises(deals.InvalidTransition, match="registered from 2026-01-05"):
            await deals.change_deal_status(graph, "D", "WON", None, on)
        assert await status_of(graph) == "APPROVED"


@pytest.mark.parametrize(
    ("start", "racing"),
    [
        pytest.param(
            "PENDING",
            [("APPROVED", "admin"), ("REJECTED", "alliance_manager")] * 4,
            id="approve-or-reject",
        ),
        pytest.param(
            "APPROVED", [("WON", "owner"), ("LOST", "alliance_manager")] * 4, id="won-or-lost"
        ),
    ],
)
async def test_concurrent_changes_of_one_deal_make_one_move(
    empty_graph: Graph, start: str, racing: list[tuple[str, str]]
) -> None:
    graph = await with_deal(empty_graph, start)
    # Closing sets closedOn (and, WON, margin): the reset takes them off again.
    reset = "MATCH (d:Deal {key: 'D'}) SET d.status = $status REMOVE d.closedOn, d.margin"
    for _round in range(5):
        before = await dump(graph)
        answers = await asyncio.gather(*(change(graph, asked, role) for asked, role in racing))
        passed = [
            asked
            for (asked, _), answer in zip(racing, answers, strict=True)
            if payload(answer)["userErrors"] == []
        ]
        assert len(passed) == 1, [payload(answer) for answer in answers]
        assert await status_of(graph) == passed[0]
        for (asked, _), answer in zip(racing, answers, strict=True):
            if payload(answer)["userErrors"]:
                # Each refused request saw the winner's status, not the one it started from.
                invalid_transition(answer, passed[0], asked)
        await graph.write(reset, {"status": start})
        assert await dump(graph) == before
