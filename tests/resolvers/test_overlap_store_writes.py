"""Account writes keep the stored overlap counts exact: accountUpsert that creates an account
between two stored partners' shared customer adds one, a status or strength update changes
nothing, accountRemove takes one away (and the relationship at none); concurrent writes all
count. Checked against plain Python sets after every few writes."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from mutation_support import customer_id, partner_id
from neo4j import GraphDatabase
from overlap_store_oracle import (
    bundle_accounts,
    bundle_partners,
    expected_store,
    pairs_among,
    stored_store,
)
from support import Answer, ask, partner_rows, write_csv

from api.settings import Settings
from graph.access import Role, Viewer
from graph.accounts import UPSERT_ACCOUNT
from graph.analytics.network import analyze
from graph.db import Graph
from graph.ecosystem import overlaps_fresh
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

STAFF = Viewer(Role.ALLIANCE_MANAGER, subject="tests")
EVERYONE = 1_000_000
STATUSES = ["CUSTOMER", "OPPORTUNITY", "PROSPECT"]

UPSERT = """
mutation($input: AccountUpsertInput!) {
  accountUpsert(input: $input) { account { status } userErrors { code } }
}"""
REMOVE = """
mutation($input: AccountRemoveInput!) {
  accountRemove(input: $input) { removed userErrors { code } }
}"""


async def upsert(graph: Graph, partner: str, customer: str, status: str = "CUSTOMER") -> None:
    given = {"partner": partner_id(partner), "customer": customer_id(customer), "status": status}
    answer: Answer = await ask(graph, UPSERT, {"input": given}, STAFF)
    assert not answer.errors and answer.data["accountUpsert"]["userErrors"] == [], answer


async def remove(graph: Graph, partner: str, customer: str) -> bool:
    given = {"partner": partner_id(partner), "customer": customer_id(customer)}
    answer: Answer = await ask(graph, REMOVE, {"input": given}, STAFF)
    assert not answer.errors, answer.errors
    return bool(answer.data["accountRemove"]["removed"])


async def load(graph: Graph, folder: Path) -> None:
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:3]]


@pytest.mark.parametrize("stored", [5, EVERYONE])
@pytest.mark.parametrize("seed", [1, 2])
async def test_random_account_writes_keep_every_stored_count_exact(
    empty_graph: Graph, tmp_path: Path, seed: int, stored: int
) -> None:
    generate("tiny", seed, tmp_path)
    await load(empty_graph, tmp_path)
    await analyze(empty_graph, stored=stored, minimum=1)
    partners = bundle_partners(tmp_path)
    accounts = bundle_accounts(tmp_path)
    flags, _ = expected_store(partners, accounts, stored, 1)
    customers = sorted({customer for _, customer in accounts})
    # Mostly stored partners and the customers they hold, where the counts change.
    busy = sorted(flags) or partners
    theirs = sorted({c for p, c in accounts if p in flags}) or customers
    chance = random.Random(seed * 1000 + stored)
    for step in range(120):
        partner = chance.choice(busy if chance.random() < 0.8 else partners)
        customer = chance.choice(theirs if chance.random() < 0.8 else customers)
        action = chance.random()
        if (partner, customer) in accounts and action < 0.5:
            assert await remove(empty_graph, partner, customer)
            accounts.discard((partner, customer))
        else:  # a new account, or a status update of one held
            await upsert(empty_graph, partner, customer, chance.choice(STATUSES))
            accounts.add((partner, customer))
        if step % 10 == 9:
            assert await stored_store(empty_graph) == (flags, pairs_among(flags, accounts))
    assert await stored_store(empty_graph) == (flags, pairs_among(flags, accounts))


WIDE_A = "\uff21"  # before '😀' by code point (Python), after it by UTF-16 code unit (Cypher)
KEYS = ["😀", WIDE_A, "É", "z", "a", "small"]


@pytest.fixture
async def unicode_world(empty_graph: Graph, tmp_path: Path) -> Graph:
    """Five stored partners with unicode keys holding k0 each, and one unstored ("small")."""
    write_csv(tmp_path, "partners.csv", partner_rows(KEYS))
    customers = [f"k{n}" for n in range(12)]
    write_csv(tmp_path, "customers.csv", [[key, key, "", "", "", ""] for key in customers])
    rows = [[key, "k0", "CUSTOMER", "", ""] for key in KEYS]
    rows += [[key, "k1", "PROSPECT", "", ""] for key in KEYS if key != "small"]
    write_csv(tmp_path, "accounts.csv", rows)
    await load(empty_graph, tmp_path)
    await analyze(empty_graph, stored=5, minimum=1)
    return empty_graph


async def test_a_new_shared_customer_adds_one_an_update_nothing_a_removal_one(
    unicode_world: Graph,
) -> None:
    graph = unicode_world
    stored = set(KEYS) - {"small"}
    accounts = {(key, "k0") for key in KEYS} | {(key, "k1") for key in stored}
    assert await stored_store(graph) == (stored, pairs_among(stored, accounts))
    await upsert(graph, "😀", "k2")
    await upsert(graph, WIDE_A, "k2", "PROSPECT")  # the pair's count is created here
    await upsert(graph, "small", "k2")  # not stored: no count changes
    accounts |= {("😀", "k2"), (WIDE_A, "k2"), ("small", "k2")}
    found = await stored_store(graph)
    assert found == (stored, pairs_among(stored, accounts))
    assert found[1][("😀", WIDE_A)] == 3  # '😀' first in Cypher's order
    for status in STATUSES:  # updates of an existing account change nothing
        await upsert(graph, WIDE_A, "k2", status)
        await upsert(graph, "z", "k0", status)
    assert await stored_store(graph) == found
    assert await remove(graph, "😀", "k0")
    assert await remove(graph, "😀", "k1")
    assert await remove(graph, "small", "k0")
    accounts -= {("😀", "k0"), ("😀", "k1"), ("small", "k0")}
    assert await stored_store(graph) == (stored, pairs_among(stored, accounts))
    assert not await remove(graph, "😀", "k0")  # gone already: nothing counted twice
    assert await remove(graph, "😀", "k2")
    accounts.discard(("😀", "k2"))
    flags, pairs = await stored_store(graph)
    assert (flags, pairs) == (stored, pairs_among(stored, accounts))
    assert not any("😀" in pair for pair in pairs)  # deleted at 0, not kept with 0


async def test_concurrent_writes_for_many_customers_of_one_pair_all_count(
    unicode_world: Graph,
) -> None:
    graph = unicode_world
    spread = [f"k{n}" for n in range(2, 12)]
    await asyncio.gather(*(upsert(graph, "a", customer) for customer in spread))
    # The pair (a, z) shares k0 and k1; ten new customers written for both at once.
    await asyncio.gather(
        *(upsert(graph, "z", customer, "PROSPECT") for customer in spread),
        *(upsert(graph, "É", customer) for customer in spread),
    )
    stored = set(KEYS) - {"small"}
    accounts = {(key, "k0") for key in KEYS} | {(key, "k1") for key in stored}
    accounts |= {(key, customer) for key in ("a", "z", "É") for customer in spread}
    found = await stored_store(graph)
    assert found == (stored, pairs_among(stored, accounts))
    assert found[1][("a", "z")] == 12 and found[1][("z", "É")] == 12
    removed = await asyncio.gather(
        *(remove(graph, key, customer) for key in ("a", "z", "É") for customer in spread)
    )
    assert all(removed)
    accounts -= {(key, customer) for key in ("a", "z", "É") for customer in spread}
    assert await stored_store(graph) == (stored, pairs_among(stored, accounts))


async def test_concurrent_writes_for_one_customer_see_each_other(unicode_world: Graph) -> None:
    graph = unicode_world
    stored = set(KEYS) - {"small"}
    for attempt in range(3):
        customer = f"k{attempt + 5}"
        await asyncio.gather(*(upsert(graph, key, customer) for key in KEYS))
        accounts = {(key, "k0") for key in KEYS} | {(key, "k1") for key in stored}
        accounts |= {(key, customer) for key in KEYS}
        assert await stored_store(graph) == (stored, pairs_among(stored, accounts))
        assert all(await asyncio.gather(*(remove(graph, key, customer) for key in KEYS)))
        accounts -= {(key, customer) for key in KEYS}
        assert await stored_store(graph) == (stored, pairs_among(stored, accounts))


async def test_an_account_written_while_analyze_runs_leaves_its_counts_stale(
    unicode_world: Graph, settings: Settings
) -> None:
    """Written after analyze read the accounts and before it stored the counts, the account is
    in neither: the run says its counts are stale, and the next run has them right."""
    graph = unicode_world
    assert await overlaps_fresh(graph)
    written: list[str] = []

    def meanwhile(phase: str, done: int, total: int) -> None:
        if phase == "write" and not written:  # the accounts are read: write one as the API does
            password = settings.neo4j_password.get_secret_value()
            auth = (settings.neo4j_user, password)
            with GraphDatabase.driver(settings.bolt_uri, auth=auth) as driver:
                params = {"partner": "z", "customer": "k3", "status": "CUSTOMER"}
                params |= {"since": None, "strength": 0.9}
                driver.execute_query(UPSERT_ACCOUNT, params, database_=settings.neo4j_database)
            written.append("z")

    await upsert(graph, "a", "k3")
    result = await analyze(graph, meanwhile, stored=5, minimum=1)
    assert written and not result.overlaps_fresh and not await overlaps_fresh(graph)
    stored = set(KEYS) - {"small"}
    accounts = {(key, "k0") for key in KEYS} | {(key, "k1") for key in stored}
    accounts |= {("a", "k3"), ("z", "k3")}
    result = await analyze(graph, stored=5, minimum=1)
    assert result.overlaps_fresh and await overlaps_fresh(graph)
    assert await stored_store(graph) == (stored, pairs_among(stored, accounts))
