"""The graph's word on who a partner-scoped token may act for."""

from __future__ import annotations

from graph.db import Graph, RoundTrips
from graph.viewers import partner_exists


async def test_a_partner_exists_only_when_the_graph_holds_it(graph: Graph) -> None:
    await graph.write("MERGE (p:Partner {key: 'viewers-P1'}) SET p.name = 'One'")
    try:
        with RoundTrips() as trips:
            assert await partner_exists(graph, "viewers-P1")
        assert trips.count == 1
        assert not await partner_exists(graph, "viewers-P2")
        assert not await partner_exists(graph, "")
    finally:
        await graph.write("MATCH (p:Partner {key: 'viewers-P1'}) DETACH DELETE p")
