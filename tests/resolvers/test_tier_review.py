"""tierReview and Partner.tierReview against an oracle in plain Python, over generated ecosystems
whose WON and LOST deals the test closes itself (on the window's edges too).

The oracle reads the raw rows (partners, sub-partner edges, deals) and applies DESIGN.md's
definition with networkx for the descendants: T(p) = {p} and every partner below it; sales are
the WON deals of T(p) closed in (asOf - 365 days, asOf], each once; the qualified tier is the
highest whose thresholds both are reached.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import networkx as nx
import pytest
import pytest_asyncio
from support import ask, partner_viewer, wipe, wipe_and_load

from graph.db import Graph
from graph.ingest.generate import TODAY
from graph.program import DEFAULT

AS_OF = TODAY
SILVER = DEFAULT[1]
FIELDS = "current qualified change sales wonDeals nextTier salesToNext dealsToNext"
PAGE = f"""query($first: Int, $after: String, $change: TierChange, $asOf: Date) {{
  tierReview(first: $first, after: $after, change: $change, asOf: $asOf) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ partner {{ key }} {FIELDS} }} }}
  }}
}}"""
NESTED = f"""query($first: Int, $asOf: Date) {{ partners(first: $first) {{ nodes {{
  key tierReview(asOf: $asOf) {{ partner {{ key }} {FIELDS} }}
}} }} }}"""

CLOSE = """
UNWIND $rows AS row
MATCH (d:Deal {key: row.key})
SET d.closedOn = row.on
"""
# A diamond under TOPX: LEAF sits under MIDA and MIDB, both under TOPX, so LEAF's deals reach
# TOPX twice and must count once. LEAF's two deals add up to SILVER's minSales exactly; MIDA
# has a WON deal without amount.
CRAFT = """
CREATE (top:Partner {key: 'TOPX', name: 'Top', type: 'DISTRIBUTOR', tier: 'GOLD',
                     industries: []}),
       (a:Partner {key: 'MIDA', name: 'Mid A', type: 'RESELLER', tier: 'SILVER', industries: []}),
       (b:Partner {key: 'MIDB', name: 'Mid B', type: 'RESELLER', tier: 'SILVER', industries: []}),
       (leaf:Partner {key: 'LEAF', name: 'Leaf', type: 'RESELLER', tier: 'REGISTERED',
                      industries: []}),
       (a)-[:SUB_PARTNER_OF {strength: 1.0}]->(top), (b)-[:SUB_PARTNER_OF {strength: 1.0}]->(top),
       (leaf)-[:SUB_PARTNER_OF {strength: 1.0}]->(a),
       (leaf)-[:SUB_PARTNER_OF {strength: 1.0}]->(b),
       (leaf)-[:REGISTERED]->(:Deal {key: 'DLEAF1', status: 'WON', amount: $half,
                                     registeredOn: $asOf, closedOn: $asOf}),
       (leaf)-[:REGISTERED]->(:Deal {key: 'DLEAF2', status: 'WON', amount: $half,
                                     registeredOn: $asOf, closedOn: $late}),
       (a)-[:REGISTERED]->(:Deal {key: 'DMIDA', status: 'WON', registeredOn: $asOf,
                                  closedOn: $asOf})
"""
RAW_PARTNERS = "MATCH (p:Partner) RETURN p.key AS key, p.tier AS tier"
RAW_EDGES = (
    "MATCH (c:Partner)-[:SUB_PARTNER_OF]->(p:Partner) RETURN c.key AS child, p.key AS parent"
)
RAW_DEALS = """
MATCH (p:Partner)-[:REGISTERED]->(d:Deal)
RETURN d.key AS key, p.key AS partner, d.status AS status, d.amount AS amount,
       d.closedOn AS closedOn
"""


@dataclass
class World:
    tiers: dict[str, str]
    hierarchy: nx.DiGraph  # child -> parent
    deals: list[dict[str, Any]]


def closing_day(rng: random.Random) -> date | None:
    """About 10% none; the window's two edges often; else anywhere around it."""
    draw = rng.random()
    if draw < 0.1:
        return None
    if draw < 0.25:
        return AS_OF - timedelta(days=365)  # out: the window starts the day after
    if draw < 0.4:
        return AS_OF  # in
    if draw < 0.45:
        return AS_OF - timedelta(days=364)  # in
    if draw < 0.5:
        return AS_OF + timedelta(days=rng.randint(1, 30))  # after asOf: out
    return AS_OF - timedelta(days=rng.randint(0, 500))


async def close_deals(graph: Graph, seed: int) -> None:
    rng = random.Random(seed)
    keys = await graph.read_column(
        "MATCH (d:Deal) WHERE d.status IN ['WON', 'LOST'] RETURN d.key AS key ORDER BY key", "key"
    )
    rows = [{"key": key, "on": closing_day(rng)} for key in keys]
    await graph.write(CLOSE, {"rows": rows})


async def read_world(graph: Graph) -> World:
    tiers = {r["key"]: r["tier"] for r in await graph.read(RAW_PARTNERS)}
    hierarchy = nx.DiGraph()
    hierarchy.add_nodes_from(tiers)
    hierarchy.add_edges_from((r["child"], r["parent"]) for r in await graph.read(RAW_EDGES))
    deals = [dict(r) for r in await graph.read(RAW_DEALS)]
    return World(tiers, hierarchy, deals)


def oracle(world: World, as_of: date) -> dict[str, dict[str, Any]]:
    """Every partner's review by key, from the raw rows."""
    start = as_of - timedelta(days=365)
    won: dict[str, list[dict[str, Any]]] = {}
    for deal in world.deals:
        closed = deal["closedOn"].to_native() if deal["closedOn"] is not None else None
        if deal["status"] == "WON" and closed is not None and start < closed <= as_of:
            won.setdefault(deal["partner"], []).append(deal)
    names = [tier.tier.value for tier in DEFAULT]
    reviews = {}
    for key, tier in world.tiers.items():
        team = {key} | nx.ancestors(world.hierarchy, key)  # edges point up: below = ancestors
        counted = {deal["key"]: deal for q in team for deal in won.get(q, [])}
        sales = float(sum(deal["amount"] or 0 for deal in counted.values()))
        count = len(counted)
        reached = [
            i for i, t in enumerate(DEFAULT) if t.min_sales <= sales and t.min_won_deals <= count
        ]
        rank = max(reached, default=0)
        held = names.index(tier)
        above = DEFAULT[rank + 1] if rank + 1 < len(DEFAULT) else None
        reviews[key] = {
            "partner": {"key": key},
            "current": tier,
            "qualified": names[rank],
            "change": "UPGRADE" if rank > held else "DOWNGRADE" if rank < held else "HOLD",
            "sales": sales,
            "wonDeals": count,
            "nextTier": above.tier.value if above else None,
            "salesToNext": max(0.0, above.min_sales - sales) if above else None,
            "dealsToNext": max(0, above.min_won_deals - count) if above else None,
        }
    return reviews


def same(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    sales_equal = got["sales"] == pytest.approx(expected["sales"], rel=1e-12)
    to_next = got["salesToNext"], expected["salesToNext"]
    next_equal = to_next[0] == to_next[1] or (
        None not in to_next and to_next[0] == pytest.approx(to_next[1], rel=1e-9, abs=1e-6)
    )
    rest = ("partner", "current", "qualified", "change", "wonDeals", "nextTier", "dealsToNext")
    return sales_equal and next_equal and all(got[f] == expected[f] for f in rest)


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=[3, 11])
async def world(
    graph: Graph, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    seed = request.param
    await wipe_and_load(graph, tmp_path_factory.mktemp("tiny"), seed=seed)
    await close_deals(graph, seed)
    late = AS_OF - timedelta(days=364)
    await graph.write(CRAFT, {"half": SILVER.min_sales / 2, "asOf": AS_OF, "late": late})
    yield await read_world(graph)
    await wipe(graph)


async def pages(graph: Graph, first: int, change: str | None, viewer: Any = None) -> list[Any]:
    """Every row of tierReview, page by page; checks totalCount on each page."""
    rows: list[Any] = []
    after = None
    totals = set()
    while True:
        variables = {"first": first, "after": after, "change": change, "asOf": AS_OF.isoformat()}
        answer = await ask(graph, PAGE, variables, viewer)
        assert answer.errors == [], answer.errors
        found = answer.data["tierReview"]
        totals.add(found["totalCount"])
        rows += [edge["node"] for edge in found["edges"]]
        assert len(found["edges"]) <= first
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert totals == {len(rows)}
    return rows


async def test_the_world_has_every_case(world: World) -> None:
    expected = oracle(world, AS_OF)
    two_parents = [key for key in world.tiers if world.hierarchy.out_degree(key) == 2]
    generated = [key for key in two_parents if key != "LEAF"]
    assert generated, "the generator makes sub-partners with two parents"
    assert {row["change"] for row in expected.values()} == {"UPGRADE", "DOWNGRADE", "HOLD"}
    closed = [deal["closedOn"] for deal in world.deals if deal["status"] == "WON"]
    assert None in closed and AS_OF in closed and AS_OF - timedelta(days=365) in closed
    days = [day.to_native() for day in closed if day is not None]
    assert any(day > AS_OF for day in days)
    assert any(day < AS_OF - timedelta(days=365) for day in days)
    assert any(deal["amount"] is None and deal["status"] == "WON" for deal in world.deals)
    # The tie: exactly SILVER's thresholds; the diamond counts LEAF's deals once.
    assert expected["LEAF"]["sales"] == SILVER.min_sales
    assert expected["LEAF"]["qualified"] == "SILVER" and expected["LEAF"]["change"] == "UPGRADE"
    assert expected["TOPX"]["wonDeals"] == 3 and expected["MIDA"]["wonDeals"] == 3


@pytest.mark.parametrize("change", [None, "UPGRADE", "DOWNGRADE", "HOLD"])
@pytest.mark.parametrize("first", [1, 7, 100])
async def test_staff_page_through_every_review(
    graph: Graph, world: World, first: int, change: str | None
) -> None:
    expected = oracle(world, AS_OF)
    rows = await pages(graph, first, change)
    wanted = sorted(key for key, row in expected.items() if change in (None, row["change"]))
    assert [row["partner"]["key"] for row in rows] == wanted
    for row in rows:
        assert same(row, expected[row["partner"]["key"]]), (row, expected[row["partner"]["key"]])


async def test_other_days_move_the_window(graph: Graph, world: World) -> None:
    for as_of in (AS_OF - timedelta(days=1), AS_OF + timedelta(days=365), date(2020, 1, 1)):
        expected = oracle(world, as_of)
        answer = await ask(graph, NESTED, {"first": 100, "asOf": as_of.isoformat()})
        assert answer.errors == []
        for node in answer.data["partners"]["nodes"]:
            assert same(node["tierReview"], expected[node["key"]]), node


async def test_a_partner_sees_its_own_review_alone(graph: Graph, world: World) -> None:
    expected = oracle(world, AS_OF)
    for key in [*sorted(world.tiers)[::9], "LEAF", "TOPX"]:
        viewer = partner_viewer(key)
        for change in (None, "UPGRADE", "DOWNGRADE", "HOLD"):
            rows = await pages(graph, 5, change, viewer)
            shown = [] if change not in (None, expected[key]["change"]) else [key]
            assert [row["partner"]["key"] for row in rows] == shown
            assert all(same(row, expected[key]) for row in rows)
        answer = await ask(graph, NESTED, {"first": 100, "asOf": AS_OF.isoformat()}, viewer)
        nodes = answer.data["partners"]["nodes"]
        refused = [node["key"] for node in nodes if node["tierReview"] is None]
        assert sorted(refused) == sorted(node["key"] for node in nodes if node["key"] != key)
        assert answer.codes == ["FORBIDDEN"] * len(refused)
        assert all(error["path"][-1] == "tierReview" for error in answer.errors)
        own = [node["tierReview"] for node in nodes if node["key"] == key]
        assert all(same(review, expected[key]) for review in own)


async def test_reviews_of_many_partners_are_one_round_trip(graph: Graph, world: World) -> None:
    plain = await ask(graph, "query($f: Int) { partners(first: $f) { nodes { key } } }", {"f": 50})
    few = await ask(graph, NESTED, {"first": 5, "asOf": AS_OF.isoformat()})
    many = await ask(graph, NESTED, {"first": 50, "asOf": AS_OF.isoformat()})
    assert not few.errors and not many.errors
    assert len(many.data["partners"]["nodes"]) == 50
    # The partners, the program in force, then every review at once.
    assert many.round_trips == few.round_trips == plain.round_trips + 2


async def test_a_missing_as_of_is_today(graph: Graph, world: World) -> None:
    today = datetime.now(UTC).date()  # as the API takes today
    query = "{ tierReview(first: 100) { edges { node { partner { key } " + FIELDS + " } } } }"
    answer = await ask(graph, query)
    expected = oracle(world, today)
    for edge in answer.data["tierReview"]["edges"]:
        assert same(edge["node"], expected[edge["node"]["partner"]["key"]])


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-12-31"])
async def test_a_day_before_any_window_is_refused(graph: Graph, world: World, as_of: str) -> None:
    answer = await ask(graph, PAGE, {"first": 5, "asOf": as_of})
    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["message"].startswith("asOf")
    nested = await ask(graph, NESTED, {"first": 2, "asOf": as_of})
    assert nested.codes == ["BAD_USER_INPUT"] * 2
    assert all("asOf" in error["message"] for error in nested.errors)


async def test_the_calendar_edges_answer(graph: Graph, world: World) -> None:
    for as_of in ("0002-01-01", "9999-12-31"):
        answer = await ask(graph, PAGE, {"first": 3, "asOf": as_of})
        assert answer.errors == []
        assert all(edge["node"]["wonDeals"] == 0 for edge in answer.data["tierReview"]["edges"])


async def test_a_cursor_holds_only_under_its_change_and_day(graph: Graph, world: World) -> None:
    first = await ask(graph, PAGE, {"first": 2, "asOf": AS_OF.isoformat()})
    cursor = first.data["tierReview"]["pageInfo"]["endCursor"]
    for changed in ({"change": "HOLD"}, {"asOf": "2020-01-01"}):
        variables = {"first": 2, "after": cursor, "asOf": AS_OF.isoformat(), **changed}
        answer = await ask(graph, PAGE, variables)
        assert answer.codes == ["BAD_USER_INPUT"]
        assert "after" in answer.errors[0]["message"]
    answer = await ask(graph, PAGE, {"first": 101})
    assert answer.codes == ["BAD_USER_INPUT"] and "first" in answer.errors[0]["message"]
