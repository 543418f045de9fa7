"""Closing a deal: WON or LOST, it gets closedOn (today, UTC); WON, it keeps the margin of its
partner's tier under the program in force that day, and earnings = amount x margin. A later tier
or program change never rewrites it.

The margin expected is read off the program the test stores (random margins, DESIGN.md's
defaults for tiers it leaves out), not from the code under test.
"""

from __future__ import annotations

import random

import pytest
from mutation_support import VIEWERS, seed
from support import DESIGN_PROGRAM, ask, partner_viewer

from graph.access import Viewer, today
from graph.db import Graph
from resolvers.node import encode_id

DESIGN_MARGINS = {tier: margin for tier, (_, _, margin) in DESIGN_PROGRAM.items()}

# P1 (GOLD, as mutation_support seeds it) holds APPROVED deals D1..D3 with amounts.
DEALS = """
MATCH (p1:Partner {key: 'P1'}) MATCH (c1:Customer {key: 'C1'})
UNWIND $deals AS row
CREATE (p1)-[:REGISTERED]->(:Deal {key: row.key, status: 'APPROVED', amount: row.amount,
                                   registeredOn: date('2026-01-05')})-[:FOR]->(c1)
"""
STORE_TIER = "MERGE (t:ProgramTier {tier: $tier.tier}) SET t += $tier"
CHANGE = """
mutation($input: DealChangeStatusInput!) {
  dealChangeStatus(input: $input) {
    deal { key status closedOn margin earnings amount }
    userErrors { field code }
  }
}"""
READ = "query($key: String!) { deal(key: $key) { key closedOn margin earnings amount } }"
SET = """
mutation($input: ProgramTierSetInput!) {
  programTierSet(input: $input) { program { tier margin } userErrors { field message } }
}"""
AMOUNTS = {"D1": 120_000.0, "D2": 33_333.33, "D3": 5.0}


def tier_row(tier: str, margin: float) -> dict[str, object]:
    sales, won, _ = DESIGN_PROGRAM[tier]
    return {"tier": tier, "minSales": sales, "minWonDeals": won, "margin": margin, "benefits": []}


@pytest.fixture
async def closing(empty_graph: Graph) -> Graph:
    deals = [{"key": key, "amount": amount} for key, amount in AMOUNTS.items()]
    return await seed(empty_graph, DEALS, deals=deals)


async def move(graph: Graph, key: str, status: str, viewer: Viewer | None = None) -> dict:
    variables = {"input": {"deal": encode_id("Deal", key), "status": status}}
    answer = await ask(graph, CHANGE, variables, viewer or VIEWERS["admin"])
    assert not answer.errors, answer.errors
    payload = answer.data["dealChangeStatus"]
    assert payload["userErrors"] == []
    return payload["deal"]


@pytest.mark.parametrize("viewer", ["admin", "owner"])
async def test_a_won_deal_keeps_its_partners_tier_margin_under_the_program_in_force(
    closing: Graph, viewer: str
) -> None:
    margin = round(random.Random(viewer).uniform(0.01, 0.99), 4)
    await closing.write(STORE_TIER, {"tier": tier_row("GOLD", margin)})
    who = partner_viewer("P1") if viewer == "owner" else VIEWERS["admin"]
    deal = await move(closing, "D1", "WON", who)
    assert deal["closedOn"] == today().isoformat()
    assert deal["margin"] == margin
    assert deal["earnings"] == pytest.approx(AMOUNTS["D1"] * margin)


async def test_without_a_stored_program_the_default_margin_applies(closing: Graph) -> None:
    await closing.write("MATCH (p:Partner {key: 'P1'}) SET p.tier = 'SILVER'")
    deal = await move(closing, "D2", "WON")
    assert deal["margin"] == DESIGN_MARGINS["SILVER"]
    assert deal["earnings"] == pytest.approx(AMOUNTS["D2"] * DESIGN_MARGINS["SILVER"])


async def test_a_lost_deal_is_closed_and_earns_nothing(closing: Graph) -> None:
    deal = await move(closing, "D3", "LOST")
    assert deal["closedOn"] == today().isoformat()
    assert deal["margin"] is None and deal["earnings"] is None


async def test_approving_closes_nothing(closing: Graph) -> None:
    await closing.write("MATCH (d:Deal {key: 'D3'}) SET d.status = 'PENDING'")
    deal = await move(closing, "D3", "APPROVED")
    assert deal["closedOn"] is None and deal["margin"] is None


async def test_a_later_tier_or_program_change_never_rewrites_a_margin(closing: Graph) -> None:
    won = await move(closing, "D1", "WON")
    assert won["margin"] == DESIGN_MARGINS["GOLD"]
    await closing.write("MATCH (p:Partner {key: 'P1'}) SET p.tier = 'PLATINUM'")
    changed = {"tier": "GOLD", "minSales": 1_000_000.0, "minWonDeals": 5, "margin": 0.5}
    answer = await ask(closing, SET, {"input": {**changed, "benefits": ["x"]}})
    assert answer.data["programTierSet"]["userErrors"] == [], answer
    for margin in (0.6, 0.7):
        await closing.write(STORE_TIER, {"tier": tier_row("PLATINUM", margin)})
    after = (await ask(closing, READ, {"key": "D1"})).data["deal"]
    assert after == {field: won[field] for field in after}
    # The next deal won takes the partner's new tier under the new program.
    assert (await move(closing, "D2", "WON"))["margin"] == 0.7
