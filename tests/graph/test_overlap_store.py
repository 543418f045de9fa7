"""`partnergraph analyze` stores the overlap counts between the largest partners: the flags and
every OVERLAPS count equal a plain Python intersection over the bundle's CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest
from overlap_store_oracle import bundle_accounts, bundle_partners, expected_store, stored_store
from support import partner_rows, write_csv

from graph.analytics.network import analyze
from graph.analytics.overlap_store import MIN_STORED_ACCOUNTS, StoredBlock, changes
from graph.db import Graph
from graph.ecosystem import OVERLAPS_FRESH, census, overlaps_fresh
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

EVERYONE = 1_000_000


async def load(graph: Graph, folder: Path) -> None:
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:3]]


async def check(graph: Graph, folder: Path, stored: int, minimum: int) -> None:
    result = await analyze(graph, stored=stored, minimum=minimum)
    flags, pairs = expected_store(bundle_partners(folder), bundle_accounts(folder), stored, minimum)
    assert await stored_store(graph) == (flags, pairs)
    assert (result.stored_partners, result.stored_overlaps) == (len(flags), len(pairs))
    assert await overlaps_fresh(graph)


@pytest.mark.parametrize(("preset", "seed"), [("tiny", 1), ("tiny", 2), ("tiny", 3), ("small", 1)])
async def test_generated_bundles_store_the_counts_of_the_largest_partners(
    empty_graph: Graph, tmp_path: Path, preset: str, seed: int
) -> None:
    generate(preset, seed, tmp_path)
    await load(empty_graph, tmp_path)
    for stored, minimum in [(5, 1), (5, MIN_STORED_ACCOUNTS), (EVERYONE, 1), (3, 1)]:
        await check(empty_graph, tmp_path, stored, minimum)


WIDE_A = "\uff21"  # before '😀' by code point (Python), after it by UTF-16 code unit (Cypher)
# Accounts per partner: Z 4, 'É' 3, '😀' 3, WIDE_A 3 (a tie of three at a cut of 2), Q 1,
# N none; a customer held under several statuses counts once per partner.
PARTNERS = ["Z", "É", "😀", WIDE_A, "Q", "N"]
ACCOUNTS = [
    ["Z", "c1", "CUSTOMER"],
    ["Z", "c2", "PROSPECT"],
    ["Z", "c3", "OPPORTUNITY"],
    ["Z", "ç4", "CUSTOMER"],
    ["É", "c1", "PROSPECT"],
    ["É", "c2", "OPPORTUNITY"],
    ["É", "c9", "CUSTOMER"],
    ["😀", "c1", "CUSTOMER"],
    ["😀", "ç4", "PROSPECT"],
    ["😀", "c9", "PROSPECT"],
    [WIDE_A, "c5", "CUSTOMER"],
    [WIDE_A, "c6", "CUSTOMER"],
    [WIDE_A, "c7", "CUSTOMER"],
    ["Q", "c1", "OPPORTUNITY"],
]


def handmade(folder: Path) -> None:
    write_csv(folder, "partners.csv", partner_rows(PARTNERS))
    customers = sorted({row[1] for row in ACCOUNTS})
    write_csv(folder, "customers.csv", [[key, key, "", "", "", ""] for key in customers])
    write_csv(folder, "accounts.csv", [[*row, "", ""] for row in ACCOUNTS])


@pytest.mark.parametrize("stored", [1, 2, 3, 4, 5, 6, EVERYONE])
@pytest.mark.parametrize("minimum", [1, 2, 3, 4])
async def test_ties_at_the_cut_go_by_key_and_unicode_keys_order_as_cypher_orders_them(
    empty_graph: Graph, tmp_path: Path, stored: int, minimum: int
) -> None:
    handmade(tmp_path)
    await load(empty_graph, tmp_path)
    await check(empty_graph, tmp_path, stored, minimum)


async def test_a_new_analysis_replaces_the_flags_and_the_counts(
    empty_graph: Graph, tmp_path: Path
) -> None:
    handmade(tmp_path)
    await load(empty_graph, tmp_path)
    await check(empty_graph, tmp_path, EVERYONE, 1)
    await check(empty_graph, tmp_path, 2, 1)  # the unflagged partners lose the property
    await check(empty_graph, tmp_path, 0, 1)
    assert await stored_store(empty_graph) == (set(), {})


async def test_the_largest_partners_are_stored_by_default(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", partner_rows(["big", "bigger", "small"]))
    customers = [f"c{n}" for n in range(150)]
    write_csv(tmp_path, "customers.csv", [[key, key, "", "", "", ""] for key in customers])
    rows = [["bigger", c, "CUSTOMER", "", ""] for c in customers]
    rows += [["big", c, "PROSPECT", "", ""] for c in customers[:120]]
    rows += [["small", c, "PROSPECT", "", ""] for c in customers[:99]]
    write_csv(tmp_path, "accounts.csv", rows)
    await load(empty_graph, tmp_path)
    await analyze(empty_graph)
    assert await stored_store(empty_graph) == ({"big", "bigger"}, {("big", "bigger"): 120})


FRESH = f"{OVERLAPS_FRESH} RETURN fresh"
# The fragment inside a query that has rows of its own.
EMBEDDED = f"UNWIND [1, 2, 3] AS n {OVERLAPS_FRESH} RETURN collect(fresh) AS fresh"


async def fresh(graph: Graph) -> bool:
    value = (await graph.read(FRESH))[0]["fresh"]
    assert (await graph.read(EMBEDDED))[0]["fresh"] == [value] * 3
    assert await overlaps_fresh(graph) is value
    return bool(value)


async def test_the_store_is_fresh_from_its_analysis_until_an_import(
    empty_graph: Graph, tmp_path: Path
) -> None:
    assert not await fresh(empty_graph)  # no ecosystem node yet
    handmade(tmp_path / "first")
    await load(empty_graph, tmp_path / "first")
    assert not await fresh(empty_graph)  # imported, never analysed
    result = await analyze(empty_graph, stored=EVERYONE, minimum=1)
    assert await fresh(empty_graph)
    stamps = await empty_graph.read(
        "MATCH (e:Ecosystem) RETURN e.overlapsAt AS overlaps, e.analyzedAt AS analyzed"
    )
    assert stamps[0]["overlaps"] == stamps[0]["analyzed"]
    assert stamps[0]["overlaps"].to_native() == result.analyzed_at

    write_csv(tmp_path / "later", "partners.csv", partner_rows(["late"]))
    await load(empty_graph, tmp_path / "later")
    assert (await census(empty_graph, None)).stale
    assert not await fresh(empty_graph)
    await analyze(empty_graph, stored=EVERYONE, minimum=1)
    assert await fresh(empty_graph)


TAMPER = """
MATCH (z:Partner {key: 'Z'}), (e:Partner {key: 'É'}), (q:Partner {key: 'Q'}), (n:Partner {key: 'N'})
MATCH (z)-[o:OVERLAPS]-(e)
SET o.count = 99
CREATE (e)-[:OVERLAPS {count: 2}]->(z)
CREATE (q)-[:OVERLAPS {count: 1}]->(n)
"""


async def test_a_new_analysis_mends_a_store_that_went_wrong_and_rewrites_only_what_differs(
    empty_graph: Graph, tmp_path: Path
) -> None:
    handmade(tmp_path)
    await load(empty_graph, tmp_path)
    await check(empty_graph, tmp_path, 4, 1)
    await empty_graph.write(TAMPER)  # a wrong count, a second relationship, an unstored pair
    await check(empty_graph, tmp_path, 4, 1)
    ids = "MATCH ()-[o:OVERLAPS]->() RETURN elementId(o) AS id ORDER BY id"
    before = await empty_graph.read(ids)
    await check(empty_graph, tmp_path, 4, 1)
    assert await empty_graph.read(ids) == before  # nothing to change: nothing rewritten


def test_changes_keep_what_is_right_and_mend_the_rest() -> None:
    block = StoredBlock(
        partners=["a", "b", "c"], pairs=[["a", "b", 2], ["a", "c", 1], ["b", "c", 5]]
    )
    stored: list[list[str | int]] = [
        ["r1", "a", "b", 2],  # right
        ["r2", "a", "c", 3],  # wrong count
        ["r3", "a", "b", 2],  # a second one for the pair
        ["r4", "c", "b", 5],  # the wrong way round
        ["r5", "a", "x", 1],  # not a stored pair
    ]
    found = changes(stored, block)
    assert sorted(found.deleted) == ["r3", "r4", "r5"]
    assert found.counted == [["r2", 1]]
    assert found.created == [["b", "c", 5]]
