"""A page of accounts read while other requests remove and add accounts on it: every row is an
account as it was held, never one half-read after its removal committed (Neo4j reads committed
data, not a snapshot: a relationship matched before a concurrent delete commits reads as holding
no properties)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from graph.accounts import (
    accounts_by_customer,
    accounts_by_partner,
    remove_account,
    upsert_account,
)
from graph.db import Graph
from graph.paging import Window

pytestmark = pytest.mark.timeout(120)

N = 40
SECONDS = 15.0
MAKE = """
CREATE (:Partner {key: 'RACE-P', name: 'p', nameLower: 'p', type: 'RESELLER', tier: 'GOLD'})
CREATE (:Customer {key: 'RACE-C', name: 'c', nameLower: 'c'})
WITH 1 AS one
UNWIND range(0, $n - 1) AS i
CREATE (:Customer {key: 'RACE-C' + right('00' + i, 2), name: 'c', nameLower: 'c'})
CREATE (:Partner {key: 'RACE-P' + right('00' + i, 2), name: 'p', nameLower: 'p',
                  type: 'RESELLER', tier: 'GOLD'})
"""
CLEAN = "MATCH (n) WHERE n.key STARTS WITH 'RACE-' DETACH DELETE n"


@pytest.fixture
async def race(graph: Graph) -> AsyncIterator[Graph]:
    await graph.write(CLEAN)
    await graph.write(MAKE, {"n": N})
    yield graph
    await graph.write(CLEAN)


async def test_accounts_read_while_they_are_removed_are_whole(race: Graph) -> None:
    stop = time.monotonic() + SECONDS
    pairs = [("RACE-P", f"RACE-C{i:02d}") for i in range(N)]
    pairs += [(f"RACE-P{i:02d}", "RACE-C") for i in range(N)]
    rows: list[dict[str, object]] = []

    async def writer(start: int) -> None:
        while time.monotonic() < stop:
            for partner, customer in pairs[start::4]:
                await upsert_account(race, partner, customer, "CUSTOMER", None, 0.9)
                await remove_account(race, partner, customer)

    async def reader() -> None:
        while time.monotonic() < stop:
            by_partner = await accounts_by_partner(race, ["RACE-P"], None, Window(100))
            by_customer = await accounts_by_customer(race, ["RACE-C"], None, None, Window(100))
            rows.extend(by_partner.get("RACE-P", []) + by_customer.get("RACE-C", []))

    await asyncio.gather(*(writer(k) for k in range(4)), *(reader() for _ in range(4)))
    assert len(rows) > 1000  # the reads saw accounts come and go
    half_read = [row for row in rows if row["status"] is None or row["strength"] is None]
    assert half_read == []
