"""The database's stamp moves with every write, whoever writes, and with nothing else; a kept
partnerImpact table is used while it holds and computed again once it has moved."""

from __future__ import annotations

from datetime import date

from api.settings import Settings
from graph.analytics.impact import Tables
from graph.db import Graph, RoundTrips

DEAL = """
MERGE (p:Partner {key: 'TP', name: 'P', type: 'RESELLER', tier: 'GOLD', industries: []})
MERGE (q:Partner {key: 'TQ', name: 'Q', type: 'RESELLER', tier: 'GOLD', industries: []})
MERGE (c:Customer {key: 'TC', name: 'C'})
MERGE (q)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c)
CREATE (p)-[:REGISTERED]->(:Deal {key: $key, status: 'WON', amount: $amount,
                                  registeredOn: date('2026-01-01'),
                                  closedOn: date('2026-02-01')})-[:FOR]->(c)
"""
WINDOW = (date(2026, 1, 1), date(2026, 12, 31))


async def test_the_stamp_moves_with_any_write_and_only_then(
    empty_graph: Graph, settings: Settings
) -> None:
    first = await empty_graph.stamp()
    await empty_graph.read("MATCH (n) RETURN count(n) AS n")
    assert await empty_graph.stamp() == first  # reads move nothing
    other = settings.connect()  # another driver: another process, as far as Neo4j knows
    try:
        await other.write("CREATE (:Partner {key: 'TS', name: 'S', type: 'MSP', tier: 'GOLD'})")
        moved = await empty_graph.stamp()
        assert moved != first
        await other.write("MATCH (p:Partner {key: 'TS'}) DELETE p")
    finally:
        await other.close()
    assert await empty_graph.stamp() not in (first, moved)


async def test_a_kept_table_holds_until_another_process_writes(
    empty_graph: Graph, settings: Settings
) -> None:
    tables = Tables(size=1)
    await empty_graph.write(DEAL, {"key": "TD1", "amount": 100.0})
    with RoundTrips() as trips:
        table = await tables.get(empty_graph, *WINDOW)
    assert trips.count == 2  # the stamp, then the table
    assert [row["key"] for row in table.rows] == ["TQ", "TP"]
    assert table.rows[0]["influencedWonAmount"] == 100.0
    with RoundTrips() as trips:
        assert await tables.get(empty_graph, *WINDOW) is table
    assert trips.count == 1  # the stamp alone
    other = settings.connect()
    try:
        await other.write(DEAL, {"key": "TD2", "amount": 50.0})
    finally:
        await other.close()
    again = await tables.get(empty_graph, *WINDOW)
    assert again is not table and again.rows[0]["influencedWonAmount"] == 150.0
    # A second window pushes the first out of a table of size 1.
    await tables.get(empty_graph, date(2025, 1, 1), date(2025, 12, 31))
    with RoundTrips() as trips:
        assert (await tables.get(empty_graph, *WINDOW)).rows == again.rows
    assert trips.count == 2
