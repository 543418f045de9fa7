"""dealConflicts and Deal.conflicts, compared with an independent model (conflicts_oracle) on
hand-made cases and on generated ecosystems, as staff and as partner viewers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conflicts_oracle import colliding_with, expected, read_deals, utc_today
from paths_support import load_bundle
from support import ask, partner_rows, partner_viewer, trail_events, wipe, write_csv

from graph.access import Viewer
from graph.audit import AuditTrail
from graph.db import Graph
from resolvers.context import Context
from resolvers.node import encode_id
from resolvers.schema import schema

CONFLICT_FIELDS = (
    "customer { key } deals { key } protected { key } protectedOn protectedIsYours"
    " hiddenDeals notice"
)
CONFLICTS = f"""query($first: Int, $after: String, $customer: ID) {{
  dealConflicts(first: $first, after: $after, customer: $customer) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {CONFLICT_FIELDS} }}
  }}
}}"""
DEAL_CONFLICTS = "query($key: String!) { deal(key: $key) { conflicts { key } } }"

PARTNERS = ["P1", "P2", "P3", "P4"]
CUSTOMERS = [f"C{n}" for n in range(1, 12)]
TODAY = utc_today()


def day(offset: int) -> str:
    """A day relative to today (UTC): deals lapse, so the cases are dated around it."""
    return (TODAY + timedelta(days=offset)).isoformat()


# (key, partner, customer, status, registeredOn, expiresOn); each customer is one case.
DEALS = [
    # C1: windows touching on a single day collide: P2 registers on P1's last day, today.
    ("D11", "P1", "C1", "PENDING", day(-30), day(0)),
    ("D12", "P2", "C1", "APPROVED", day(0), day(10)),
    # C2: one day apart: no conflict.
    ("D21", "P1", "C2", "PENDING", day(-10), day(5)),
    ("D22", "P2", "C2", "PENDING", day(6), day(20)),
    # C3: REJECTED, WON and LOST deals collide with nothing.
    ("D31", "P1", "C3", "PENDING", day(-30), ""),
    ("D32", "P2", "C3", "REJECTED", day(-30), ""),
    ("D33", "P3", "C3", "WON", day(-29), day(300)),
    ("D34", "P4", "C3", "LOST", day(-28), day(300)),
    # C4: one partner's own deals do not collide.
    ("D41", "P1", "C4", "PENDING", day(-30), day(30)),
    ("D42", "P1", "C4", "APPROVED", day(-10), day(60)),
    # C5: registered the same day: the key decides which is protected.
    ("D52", "P1", "C5", "PENDING", day(-5), day(25)),
    ("D51", "P2", "C5", "PENDING", day(-5), day(0)),
    # C6: an open-ended deal collides with a late one; one that ended before it began does not.
    ("D61", "P1", "C6", "APPROVED", day(-400), ""),
    ("D62", "P2", "C6", "PENDING", day(100), day(101)),
    ("D63", "P3", "C6", "PENDING", day(-800), day(-401)),
    # C7: three deals, one of them colliding only with its own partner's: not listed.
    ("D71", "P3", "C7", "APPROVED", day(-20), day(8)),
    ("D72", "P1", "C7", "PENDING", day(-6), day(22)),
    ("D73", "P1", "C7", "PENDING", day(9), day(18)),
    # C8: a registration that lapsed yesterday collides with nothing, though it once did.
    ("D81", "P1", "C8", "PENDING", day(-200), day(-1)),
    ("D82", "P2", "C8", "APPROVED", day(-20), day(40)),
    # C9: a single deal.
    ("D91", "P4", "C9", "PENDING", day(-30), ""),
    # C10: an earlier registration that lapsed protects nothing: the earliest open one does.
    ("D101", "P1", "C10", "PENDING", day(-300), day(-1)),
    ("D102", "P2", "C10", "APPROVED", day(-10), day(30)),
    ("D103", "P3", "C10", "PENDING", day(5), day(40)),
    # C11: lapsed deals of two partners, their windows shared long ago: no conflict.
    ("D111", "P1", "C11", "PENDING", day(-200), day(-100)),
    ("D112", "P2", "C11", "APPROVED", day(-150), day(-2)),
]
NAMES = {"C6": 'Müller, "Söhne" & Co — 株式会社', "C7": "O'Brien; Ltd, Dublin"}


def cid(key: str) -> str:
    return encode_id("Customer", key)


def hand_bundle(folder: Path) -> Path:
    write_csv(folder, "partners.csv", partner_rows(PARTNERS))
    customer_rows = [[c, NAMES.get(c, f"Customer {c}"), "", "", "", ""] for c in CUSTOMERS]
    write_csv(folder, "customers.csv", customer_rows)
    rows = [[k, p, c, "1000", "Qualify", s, on, until] for k, p, c, s, on, until in DEALS]
    write_csv(folder, "deals.csv", rows)
    return folder


@pytest.fixture(scope="module")
async def hand(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    folder = hand_bundle(tmp_path_factory.mktemp("conflicts"))
    await load_bundle(graph, folder)
    yield folder
    await wipe(graph)


async def conflicts_of(
    graph: Graph, viewer: Viewer | None = None, first: int = 50, **more: Any
) -> list[dict[str, Any]]:
    """Every conflict, page after page of `first`, checking totalCount and the cursors."""
    found: list[dict[str, Any]] = []
    after, total = None, None
    while True:
        answer = await ask(graph, CONFLICTS, {"first": first, "after": after, **more}, viewer)
        assert not answer.errors, answer.errors
        got = answer.data["dealConflicts"]
        assert total in (None, got["totalCount"])
        total = got["totalCount"]
        found += got["nodes"]
        if not got["pageInfo"]["hasNextPage"]:
            break
        assert len(got["nodes"]) == first
        after = got["pageInfo"]["endCursor"]
    assert total == len(found)
    return found


async def test_staff_see_every_conflict_as_the_model_does(graph: Graph, hand: Path) -> None:
    got = await conflicts_of(graph)
    assert got == expected(read_deals(hand))
    assert [c["customer"]["key"] for c in got] == ["C1", "C10", "C5", "C6", "C7"]
    by_customer = {c["customer"]["key"]: c for c in got}
    assert by_customer["C1"]["deals"] == [{"key": "D11"}, {"key": "D12"}]  # D11 expires today
    assert by_customer["C5"]["protected"] == {"key": "D51"}  # the tie: key asc
    assert by_customer["C6"]["deals"] == [{"key": "D61"}, {"key": "D62"}]  # D63 ended before
    assert by_customer["C7"]["deals"] == [{"key": "D71"}, {"key": "D72"}]
    assert by_customer["C10"]["deals"] == [{"key": "D102"}, {"key": "D103"}]
    assert by_customer["C10"]["protected"] == {"key": "D102"}  # not the lapsed D101


@pytest.mark.parametrize("viewer", PARTNERS)
async def test_a_partner_sees_only_conflicts_with_its_own_deals(
    graph: Graph, hand: Path, viewer: str
) -> None:
    got = await conflicts_of(graph, partner_viewer(viewer))
    assert got == expected(read_deals(hand), viewer)


async def test_a_partner_is_told_only_the_date_of_anothers_protected_deal(
    graph: Graph, hand: Path
) -> None:
    got = {c["customer"]["key"]: c for c in await conflicts_of(graph, partner_viewer("P1"))}
    assert got["C1"] == {  # its own deal protects the customer
        "customer": {"key": "C1"},
        "deals": [{"key": "D11"}],
        "protected": {"key": "D11"},
        "protectedOn": day(-30),
        "protectedIsYours": True,
        "hiddenDeals": 1,
        "notice": None,
    }
    assert got["C5"] == {  # another partner's deal does
        "customer": {"key": "C5"},
        "deals": [{"key": "D52"}],
        "protected": None,
        "protectedOn": day(-5),
        "protectedIsYours": False,
        "hiddenDeals": 1,
        "notice": f"another partner's deal registered on {day(-5)} protects this customer",
    }
    assert sorted(got) == ["C1", "C5", "C6", "C7"]  # its lapsed D101 on C10 is in none
    assert await conflicts_of(graph, partner_viewer("P4")) == []  # its only open deal is alone


async def test_a_partner_answer_names_no_other_partner_nor_its_deals(
    graph: Graph, hand: Path
) -> None:
    whole = f"""{{ dealConflicts(first: 50) {{ totalCount nodes {{
      customer {{ key name }} deals {{ key amount stage status partner {{ key }}
        customer {{ key }} conflicts {{ key partner {{ key }} }} }}
      protected {{ key amount stage status partner {{ key }} }} {CONFLICT_FIELDS} }} }} }}"""
    for me in PARTNERS:
        answer = await ask(graph, whole, viewer=partner_viewer(me))
        assert not answer.errors, answer.errors
        text = json.dumps(answer.data)
        for key, partner, *_ in DEALS:
            if partner != me:
                assert f'"{key}"' not in text, (me, key)
        for other in PARTNERS:
            if other != me:
                assert f'"{other}"' not in text, (me, other)


async def test_paging_by_customer_with_signed_cursors(graph: Graph, hand: Path) -> None:
    whole = expected(read_deals(hand))
    for first in (1, 2, 3):
        assert await conflicts_of(graph, first=first) == whole
    one = await ask(graph, CONFLICTS, {"first": 2})
    cursor = one.data["dealConflicts"]["pageInfo"]["endCursor"]
    second = await ask(graph, CONFLICTS, {"first": 2, "after": cursor})
    assert [c["customer"]["key"] for c in second.data["dealConflicts"]["nodes"]] == ["C5", "C6"]
    # A cursor of the whole list is not one of a single customer's.
    other = await ask(graph, CONFLICTS, {"after": cursor, "customer": cid("C7")})
    assert other.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_is_one_to_a_hundred(graph: Graph, hand: Path, first: int) -> None:
    answer = await ask(graph, CONFLICTS, {"first": first})
    assert answer.codes == ["BAD_USER_INPUT"]
    assert "first" in answer.errors[0]["message"]


async def test_the_customer_filter(graph: Graph, hand: Path) -> None:
    whole = {c["customer"]["key"]: c for c in expected(read_deals(hand))}
    for customer in CUSTOMERS:
        got = await conflicts_of(graph, customer=cid(customer))
        assert got == ([whole[customer]] if customer in whole else []), customer
    mine = await conflicts_of(graph, partner_viewer("P2"), customer=cid("C5"))
    assert mine == [c for c in expected(read_deals(hand), "P2") if c["customer"]["key"] == "C5"]
    # P2 sees C2 (its deal's customer) but collides on it with nothing.
    assert await conflicts_of(graph, partner_viewer("P2"), customer=cid("C2")) == []


@pytest.mark.parametrize(("viewer", "customer"), [(None, "C99"), ("P4", "C99"), ("P4", "C1")])
async def test_an_unknown_or_unseen_customer_is_not_found_by_name(
    graph: Graph, hand: Path, viewer: str | None, customer: str
) -> None:
    asking = partner_viewer(viewer) if viewer else None
    answer = await ask(graph, CONFLICTS, {"customer": cid(customer)}, asking)
    assert answer.codes == ["NOT_FOUND"]
    assert answer.errors[0]["message"] == f"customer: there is no customer {customer!r}"


async def test_a_deal_lists_the_deals_colliding_with_it(graph: Graph, hand: Path) -> None:
    deals = read_deals(hand)
    for deal in deals:
        answer = await ask(graph, DEAL_CONFLICTS, {"key": deal.key})
        wanted = [{"key": d.key} for d in colliding_with(deal, deals)]
        assert answer.data == {"deal": {"conflicts": wanted}}, deal.key
        seen = await ask(graph, DEAL_CONFLICTS, {"key": deal.key}, partner_viewer(deal.partner))
        assert seen.data == {"deal": {"conflicts": []}}  # another partner's deals are unseen


async def test_partner_questions_are_audited(graph: Graph, hand: Path, trail: AuditTrail) -> None:
    for asked in ({}, {"customer": cid("C99")}):
        context = Context(graph, partner_viewer("P1"), trail=trail)
        await schema.execute(CONFLICTS, variable_values=asked, context_value=context)
    events, total, _ = await trail_events(trail)
    assert total == 2
    # newest first: the refused question about an unknown customer, then the answered one
    assert [(e.operation, e.viewer, e.allowed) for e in events] == [
        ("dealConflicts", "P1", False),
        ("dealConflicts", "P1", True),
    ]
    assert set(events[1].partners) == {"P2", "P3"}


async def test_a_page_is_two_round_trips_whatever_it_holds(graph: Graph, hand: Path) -> None:
    nested = f"""{{ dealConflicts(first: 50) {{ totalCount nodes {{ {CONFLICT_FIELDS}
      deals {{ partner {{ key }} customer {{ key }} }} protected {{ amount }} }} }} }}"""
    answer = await ask(graph, nested)
    assert not answer.errors, answer.errors
    assert len(answer.data["dealConflicts"]["nodes"]) == 5
    assert answer.round_trips == 2  # the conflicts, then every listed deal in one batch
    with_conflicts = "{ deals(first: 50) { nodes { key conflicts { key } } } }"
    assert (await ask(graph, with_conflicts)).round_trips == 3  # the page, conflicts, deals
