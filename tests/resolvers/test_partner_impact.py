"""partnerImpact and Deal.influencedBy against a plain-Python oracle (tests/impact_oracle.py),
over generated ecosystems with a crafted corner added: deals closed on the window's first and
last days and a day outside either, a WON deal without closedOn, one without amount, accounts
without `since`, one held since the deal's registration day and one since the day after, a
PROSPECT account, the deal's own partner holding its customer, a partner that only influences,
and two partners tied on influencedWonAmount."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
import pytest_asyncio
from impact_oracle import World, baseline, influenced_by, partner_impact, read_world
from support import ask, partner_viewer, trail_events, wipe, wipe_and_load

from graph import audit
from graph.audit import AuditFilter, AuditTrail
from graph.db import Graph
from graph.ingest.generate import TODAY

FROM = TODAY - timedelta(days=200)
TO = TODAY - timedelta(days=20)
REGISTERED = FROM - timedelta(days=30)
FIGURES = (
    "sourcedWonAmount sourcedWonDeals influencedWonAmount influencedWonDeals"
    " influencedClosedDeals winRateInfluenced lift"
)
PAGE = f"""query($from: Date!, $to: Date!, $first: Int, $after: String) {{
  partnerImpact(from: $from, to: $to, first: $first, after: $after) {{
    totalCount baselineWinRate pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    edges {{ cursor node {{ partner {{ key }} {FIGURES} }} }}
  }}
}}"""
DEALS = """query($after: String) { deals(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { key influencedBy { key name } } } }"""

# XA registers on XX1: XD1 WON 1,000 closed on FROM, XD2 LOST closed on TO; XB's XD3 and XD4
# closed a day outside the window either side; XB's XD5 WON without closedOn; XC's XD6 WON
# without amount; XB's XD7 WON 300 on XX3. On XX1, XE (which registers nothing) holds a
# CUSTOMER account without since, XB an OPPORTUNITY since XD1's registration day, XC a CUSTOMER
# since the day after it, XF a PROSPECT, and XA itself a CUSTOMER. XB and XE influence XD1 and
# XD2 alike: tied at 1,000 influenced, XB first by key. Amounts are whole: sums are exact.
CRAFT = """
CREATE (xa:Partner {key: 'XA', name: 'Craft A', type: 'RESELLER', tier: 'GOLD', industries: []}),
       (xb:Partner {key: 'XB', name: 'Craft B', type: 'RESELLER', tier: 'GOLD', industries: []}),
       (xc:Partner {key: 'XC', name: 'Craft C', type: 'RESELLER', tier: 'GOLD', industries: []}),
       (xe:Partner {key: 'XE', name: 'Craft E', type: 'MSP', tier: 'SILVER', industries: []}),
       (xf:Partner {key: 'XF', name: 'Craft F', type: 'MSP', tier: 'SILVER', industries: []}),
       (c1:Customer {key: 'XX1', name: 'Crafted One'}),
       (c2:Customer {key: 'XX2', name: 'Crafted Two'}),
       (c3:Customer {key: 'XX3', name: 'Crafted Three'}),
       (xe)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1),
       (xb)-[:HAS_ACCOUNT {status: 'OPPORTUNITY', strength: 0.6, since: $registered}]->(c1),
       (xc)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9, since: $dayAfter}]->(c1),
       (xf)-[:HAS_ACCOUNT {status: 'PROSPECT', strength: 0.3}]->(c1),
       (xa)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c1),
       (xa)-[:REGISTERED]->(:Deal {key: 'XD1', status: 'WON', amount: 1000.0,
                                   registeredOn: $registered, closedOn: $from})-[:FOR]->(c1),
       (xa)-[:REGISTERED]->(:Deal {key: 'XD2', status: 'LOST', amount: 500.0,
                                   registeredOn: $registered, closedOn: $to})-[:FOR]->(c1),
       (xb)-[:REGISTERED]->(:Deal {key: 'XD3', status: 'WON', amount: 700.0,
                                   registeredOn: $registered, closedOn: $before})-[:FOR]->(c1),
       (xb)-[:REGISTERED]->(:Deal {key: 'XD4', status: 'WON', amount: 800.0,
                                   registeredOn: $registered, closedOn: $after})-[:FOR]->(c1),
       (xb)-[:REGISTERED]->(:Deal {key: 'XD5', status: 'WON', amount: 900.0,
                                   registeredOn: $registered})-[:FOR]->(c2),
       (xc)-[:REGISTERED]->(:Deal {key: 'XD6', status: 'WON', registeredOn: $registered,
                                   closedOn: $from})-[:FOR]->(c2),
       (xb)-[:REGISTERED]->(:Deal {key: 'XD7', status: 'WON', amount: 300.0,
                                   registeredOn: $registered, closedOn: $to})-[:FOR]->(c3)
"""


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=[3, 11])
async def world(
    graph: Graph, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    await wipe_and_load(graph, tmp_path_factory.mktemp("impact"), seed=request.param)
    days = {
        "registered": REGISTERED,
        "dayAfter": REGISTERED + timedelta(days=1),
        "from": FROM,
        "to": TO,
        "before": FROM - timedelta(days=1),
        "after": TO + timedelta(days=1),
    }
    await graph.write(CRAFT, days)
    yield await read_world(graph)
    await wipe(graph)


async def pages(graph: Graph, start: date, end: date, first: int) -> tuple[list[Any], Any]:
    """Every row of partnerImpact, page by page, and the baseline (the same on every page)."""
    rows: list[Any] = []
    after = None
    seen = set()
    while True:
        variables = {"from": start.isoformat(), "to": end.isoformat(), "first": first}
        answer = await ask(graph, PAGE, {**variables, "after": after})
        assert answer.errors == [], answer.errors
        found = answer.data["partnerImpact"]
        seen.add((found["totalCount"], found["baselineWinRate"]))
        assert len(found["edges"]) <= first
        assert found["pageInfo"]["hasPreviousPage"] == (after is not None)
        rows += [edge["node"] for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert len(seen) == 1, seen
    total, base = seen.pop()
    assert total == len(rows)
    return rows, base


def same(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    for name, value in expected.items():
        if isinstance(value, float):
            if got[name] is None or got[name] != pytest.approx(value, rel=1e-12, abs=1e-9):
                return False
        elif got[name] != value:
            return False
    return got.keys() == expected.keys()


def rounded_order(rows: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """The order's two keys, the amount to cents (a sum's last bits depend on its order)."""
    return [(-round(row["influencedWonAmount"], 2), row["partner"]["key"]) for row in rows]


WINDOWS = [
    (FROM, TO),
    (TODAY - timedelta(days=365), TODAY),
    (FROM, FROM),
    (date(1, 1, 1), date(9999, 12, 31)),
]


async def test_the_world_has_every_case(world: World) -> None:
    rows = {row["partner"]["key"]: row for row in partner_impact(world, FROM, TO)}
    deals = {deal.key: deal for deal in world.deals}
    assert influenced_by(world, deals["XD1"]) == ["XB", "XE"]  # not XA, XC (a day late), XF
    assert rows["XB"]["influencedWonAmount"] == rows["XE"]["influencedWonAmount"] == 1000.0
    assert rows["XE"]["sourcedWonDeals"] == 0 and rows["XE"]["influencedClosedDeals"] == 2
    assert rows["XC"]["sourcedWonDeals"] == 1 and rows["XC"]["sourcedWonAmount"] == 0.0
    assert rows["XB"]["sourcedWonAmount"] == 300.0  # XD3, XD4 outside, XD5 without a day
    assert "XF" not in rows
    generated = [row for key, row in rows.items() if not key.startswith("X")]
    assert sum(row["influencedClosedDeals"] > 0 for row in generated) > 5
    assert any(row["winRateInfluenced"] == 0.0 for row in generated)  # lift null at rate 0
    assert any(deal.amount is None and deal.status == "WON" for deal in world.deals)


@pytest.mark.parametrize("first", [1, 7, 100])
async def test_staff_page_through_the_oracles_table(graph: Graph, world: World, first: int) -> None:
    windows = WINDOWS if first == 7 else WINDOWS[:1]
    for start, end in windows:
        expected = partner_impact(world, start, end)
        rows, base = await pages(graph, start, end, first)
        assert rounded_order(rows) == rounded_order(expected)
        assert [row["partner"]["key"] for row in rows] == [r["partner"]["key"] for r in expected]
        for got, wanted in zip(rows, expected, strict=True):
            assert same(got, wanted), (got, wanted)
        wanted_base = baseline(world, start, end)
        assert base == pytest.approx(wanted_base) if wanted_base is not None else base is None


async def test_crafted_rows_in_order(graph: Graph, world: World) -> None:
    rows, base = await pages(graph, FROM, TO, 100)
    keys = [row["partner"]["key"] for row in rows]
    assert keys.index("XB") + 1 == keys.index("XE")  # tied: by key
    tied = {"influencedWonAmount": 1000.0, "influencedWonDeals": 1, "influencedClosedDeals": 2}
    for key, sourced in (("XB", (300.0, 1)), ("XE", (0.0, 0))):
        row = rows[keys.index(key)]
        assert {name: row[name] for name in tied} == tied
        assert (row["sourcedWonAmount"], row["sourcedWonDeals"]) == sourced
        assert row["winRateInfluenced"] == 0.5
        assert row["lift"] == pytest.approx(0.5 / base)


async def test_a_window_without_a_closed_deal(graph: Graph, world: World) -> None:
    answer = await ask(graph, PAGE, {"from": "1990-01-01", "to": "1990-12-31"})
    assert answer.errors == []
    found = answer.data["partnerImpact"]
    assert found["totalCount"] == 0 and found["edges"] == [] and found["baselineWinRate"] is None


async def test_every_deals_influencers(graph: Graph, world: World) -> None:
    expected = {deal.key: influenced_by(world, deal) for deal in world.deals}
    after, seen = None, {}
    while True:
        answer = await ask(graph, DEALS, {"after": after})
        assert answer.errors == [], answer.errors
        # The deals, then every deal's influencers at once (the partners come with them).
        assert answer.round_trips == 2
        found = answer.data["deals"]
        for node in found["nodes"]:
            seen[node["key"]] = [partner["key"] for partner in node["influencedBy"]]
            assert all(partner["name"] for partner in node["influencedBy"])
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert seen == expected


async def test_a_table_is_read_again_after_a_write(graph: Graph, world: World) -> None:
    variables = {"from": FROM.isoformat(), "to": TO.isoformat(), "first": 100}
    await graph.write("MATCH (d:Deal {key: 'XD3'}) SET d.closedOn = $on", {"on": FROM})
    try:
        fresh = await ask(graph, PAGE, variables)
        kept = await ask(graph, PAGE, variables)
        # The stamp, the table, the page's partners; then the stamp and the partners alone.
        assert (fresh.round_trips, kept.round_trips) == (3, 2)
        assert kept.data == fresh.data
        rows = {e["node"]["partner"]["key"]: e["node"] for e in kept.data["partnerImpact"]["edges"]}
        assert rows["XB"]["sourcedWonAmount"] == 1000.0  # XD3's 700 counts now
    finally:
        await graph.write(
            "MATCH (d:Deal {key: 'XD3'}) SET d.closedOn = $on", {"on": FROM - timedelta(days=1)}
        )
    restored = await ask(graph, PAGE, variables)
    rows = {e["node"]["partner"]["key"]: e["node"] for e in restored.data["partnerImpact"]["edges"]}
    assert rows["XB"]["sourcedWonAmount"] == 300.0


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "to"),
        ({"from": "0000-01-01", "to": "2026-01-31"}, "from"),
        ({"from": "2026-01-01", "to": "10000-01-01"}, "to"),
        ({"from": "2026-01-01", "to": "2026-02-30"}, "to"),
        ({"from": "2026-01-01", "to": "2026-01-31", "first": 101}, "first"),
        ({"from": "2026-01-01", "to": "2026-01-31", "first": 0}, "first"),
    ],
)
async def test_bad_arguments_are_refused_naming_them(
    graph: Graph, world: World, variables: dict[str, Any], field: str
) -> None:
    answer = await ask(graph, PAGE, variables)
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors
    assert field in answer.errors[0]["message"]
    assert answer.data is None


async def test_a_cursor_holds_only_for_its_window(graph: Graph, world: World) -> None:
    first = await ask(graph, PAGE, {"from": FROM.isoformat(), "to": TO.isoformat(), "first": 2})
    cursor = first.data["partnerImpact"]["pageInfo"]["endCursor"]
    for start, end in ((FROM - timedelta(days=1), TO), (FROM, TO + timedelta(days=1))):
        variables = {"from": start.isoformat(), "to": end.isoformat(), "after": cursor}
        answer = await ask(graph, PAGE, variables)
        assert answer.codes == ["BAD_USER_INPUT"] and "after" in answer.errors[0]["message"]
    tier_cursor = (await ask(graph, "{ tierReview(first: 1) { pageInfo { endCursor } } }")).data
    variables = {"from": FROM.isoformat(), "to": TO.isoformat()}
    after = tier_cursor["tierReview"]["pageInfo"]["endCursor"]
    answer = await ask(graph, PAGE, {**variables, "after": after})
    assert answer.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("role", ["admin", "alliance_manager", "marketer"])
async def test_every_staff_role_is_answered(graph: Graph, world: World, role: str) -> None:
    from graph.access import Role, Viewer

    viewer = Viewer(Role(role), subject="tests")
    variables = {"from": FROM.isoformat(), "to": TO.isoformat(), "first": 3}
    assert (await ask(graph, PAGE, variables, viewer)).errors == []
    answer = await ask(graph, '{ deal(key: "XD1") { influencedBy { key } } }', viewer=viewer)
    assert answer.data == {"deal": {"influencedBy": [{"key": "XB"}, {"key": "XE"}]}}


async def test_a_partner_is_refused_and_audited(
    graph: Graph, world: World, trail: AuditTrail
) -> None:
    viewer = partner_viewer("XA")
    variables = {"from": FROM.isoformat(), "to": TO.isoformat()}
    with audit.bind(trail, "impact"):
        answer = await ask(graph, PAGE, variables, viewer)
    assert answer.codes == ["FORBIDDEN"] and answer.data is None
    query = "{ deals(first: 10) { nodes { key influencedBy { key } } } }"
    with audit.bind(trail, "influencers"):
        answer = await ask(graph, query, viewer=viewer)
    nodes = answer.data["deals"]["nodes"]
    assert sorted(node["key"] for node in nodes) == ["XD1", "XD2"]  # its own deals
    assert all(node["influencedBy"] is None for node in nodes)
    assert answer.codes == ["FORBIDDEN"] * 2
    assert all(error["path"][-1] == "influencedBy" for error in answer.errors)
    events, _, _ = await trail_events(trail, AuditFilter(allowed=False))
    recorded = sorted((event.request_id, event.operation, event.viewer) for event in events)
    assert recorded == [
        ("impact", "partnerImpact", "XA"),
        ("influencers", "influencedBy", "XA"),
        ("influencers", "influencedBy", "XA"),
    ]
