"""The stored overlap block computed in plain Python from a bundle's CSV files (or from a set
of accounts), and the store as Neo4j holds it, for comparing the two. Keys order as Cypher
orders them (`cypher_order`: by UTF-16 code unit)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from support import read_csv

from graph.analytics.overlap_store import cypher_order
from graph.db import Graph

Pairs = dict[tuple[str, str], int]

FLAGS = "MATCH (p:Partner) WHERE p.overlapsStored IS NOT NULL RETURN p.key AS key, p.overlapsStored AS flag"
OVERLAPS = """
MATCH (a)-[o:OVERLAPS]->(b)
RETURN a.key AS a, b.key AS b, labels(a) AS la, labels(b) AS lb, properties(o) AS props
"""


def bundle_accounts(folder: Path) -> set[tuple[str, str]]:
    path = folder / "accounts.csv"
    if not path.exists():
        return set()
    return {(row["partner_key"], row["customer_key"]) for row in read_csv(path)}


def bundle_partners(folder: Path) -> list[str]:
    return [row["key"] for row in read_csv(folder / "partners.csv")]


def expected_store(
    partners: Iterable[str], accounts: Iterable[tuple[str, str]], stored: int, minimum: int
) -> tuple[set[str], Pairs]:
    """The flagged partners and the count of every stored pair sharing a customer."""
    every = list(accounts)
    held: dict[str, set[str]] = {key: set() for key in partners}
    for partner, customer in every:
        held[partner].add(customer)
    ranked = sorted(held, key=lambda key: (-len(held[key]), cypher_order(key)))
    eligible = [key for key in ranked if len(held[key]) >= minimum]
    chosen = set(eligible[:stored])
    return chosen, pairs_among(chosen, every)


def pairs_among(chosen: set[str], accounts: Iterable[tuple[str, str]]) -> Pairs:
    """The customers every two of `chosen` (a before b) share, where they share any."""
    held: dict[str, set[str]] = {key: set() for key in chosen}
    for partner, customer in accounts:
        if partner in held:
            held[partner].add(customer)
    pairs: Pairs = {}
    for a in chosen:
        for b in chosen:
            if cypher_order(a) < cypher_order(b) and (shared := len(held[a] & held[b])) > 0:
                pairs[(a, b)] = shared
    return pairs


async def stored_store(graph: Graph) -> tuple[set[str], Pairs]:
    """The flags and OVERLAPS as stored; every flag is true, every relationship joins two
    partners, carries only its count, and no pair has two (the direction is checked by
    comparing with pairs keyed in `cypher_order`)."""
    locked = "MATCH (c:Customer) WHERE c.overlapsLock IS NOT NULL RETURN c.key AS key"
    assert await graph.read(locked) == []  # the writes' lock property never stays
    flags = await graph.read(FLAGS)
    assert all(record["flag"] is True for record in flags)
    pairs: Pairs = {}
    for record in await graph.read(OVERLAPS):
        assert record["la"] == ["Partner"] and record["lb"] == ["Partner"]
        assert set(record["props"]) == {"count"}, record
        pair = (record["a"], record["b"])
        assert pair not in pairs and pair[::-1] not in pairs, pair
        pairs[pair] = record["props"]["count"]
    return {record["key"] for record in flags}, pairs
