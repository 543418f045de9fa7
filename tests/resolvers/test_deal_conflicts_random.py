"""dealConflicts and Deal.conflicts on generated ecosystems of several seeds, compared with the
independent model of conflicts_oracle (from the bundle's deals.csv), as staff and as partners.
The bundles are dated around today, so some of their deals are open and some have lapsed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conflicts_oracle import OPEN, colliding_with, expected, read_deals, utc_today
from paths_support import load_generated
from support import ask, partner_viewer, wipe
from test_deal_conflicts import DEAL_CONFLICTS, conflicts_of

from graph.db import Graph


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
async def test_generated_ecosystems_match_the_model(
    graph: Graph, tmp_path: Path, seed: int
) -> None:
    folder = tmp_path / "eco"
    await load_generated(graph, folder, "tiny", seed, utc_today())
    try:
        deals = read_deals(folder)
        staff = expected(deals)
        assert staff, "the generator makes colliding deals"
        today = utc_today()
        assert any(d.status in OPEN and not d.is_open(today) for d in deals), "some lapsed"
        assert await conflicts_of(graph, first=7) == staff
        involved = sorted({d.partner for d in deals})
        for partner in involved[:: max(1, len(involved) // 6)]:
            got = await conflicts_of(graph, partner_viewer(partner), first=5)
            assert got == expected(deals, partner), partner
        for deal in deals[::3]:
            answer = await ask(graph, DEAL_CONFLICTS, {"key": deal.key})
            wanted = [{"key": d.key} for d in colliding_with(deal, deals)]
            assert answer.data == {"deal": {"conflicts": wanted}}, deal.key
    finally:
        await wipe(graph)
