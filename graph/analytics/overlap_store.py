"""Stored overlap counts between the largest partners, written by `partnergraph analyze`.

Counting the shared customers of the few hundred largest partners live reads millions of
accounts (seconds on the medium preset); `analyze` has every pairwise count at hand already
(`held @ held.T`). So it stores the block of the largest partners:

- the `STORED_PARTNERS` partners with the most accounts (any status; ties by key asc) among
  those with at least `MIN_STORED_ACCOUNTS`, carry `p.overlapsStored = true` (every other
  partner has no such property);
- between two of them, a and b with a.key < b.key, sharing n ≥ 1 customers (any status):
  `(a)-[:OVERLAPS {count: n}]->(b)` (one relationship a pair; keys in `cypher_order`);
- the ecosystem node's `overlapsAt` is the instant the analysis began reading
  (`graph.ecosystem.OVERLAPS_FRESH` says whether an import has overtaken it since).

Account writes keep the counts exact (`graph.accounts`). OVERLAPS is no part of the
ecosystem's data: no query other than those that ask for it follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph.analytics.scores import Network
from graph.db import Graph, Transaction

STORED_PARTNERS = 1000
MIN_STORED_ACCOUNTS = 100
BATCH = 10_000  # relationships written or deleted per transaction

# While the store is rewritten it is not fresh: readers count live.
UNSTAMP = "MATCH (e:Ecosystem {key: $key}) REMOVE e.overlapsAt"

UNFLAG = "MATCH (p:Partner) WHERE p.overlapsStored IS NOT NULL REMOVE p.overlapsStored"

# The store as it stands, to change only what differs: a run over unchanged accounts writes
# nothing but the flags.
STORED = """
MATCH (a:Partner)-[o:OVERLAPS]->(b:Partner)
RETURN elementId(o) AS id, a.key AS a, b.key AS b, o.count AS count
"""

DELETE_OVERLAPS = """
UNWIND $ids AS id
MATCH ()-[o:OVERLAPS]->() WHERE elementId(o) = id
DELETE o
"""

# Rows [id, count].
SET_COUNTS = """
UNWIND $rows AS row
MATCH ()-[o:OVERLAPS]->() WHERE elementId(o) = row[0]
SET o.count = row[1]
"""

# Rows [a, b, count] with a's key before b's.
CREATE_OVERLAPS = """
UNWIND $rows AS row
MATCH (a:Partner {key: row[0]})
MATCH (b:Partner {key: row[1]})
CREATE (a)-[:OVERLAPS {count: row[2]}]->(b)
"""

FLAG = """
UNWIND $keys AS key
MATCH (p:Partner {key: key})
SET p.overlapsStored = true
"""


def cypher_order(key: str) -> bytes:
    """A sort key that orders strings as Cypher orders strings it is given or makes (by UTF-16
    code unit, as Java does: U+1F600 before U+FF21, which Python puts the other way round).
    Ties at the cut and the direction of a pair follow it; in Cypher `a.key + '' < b.key + ''`
    (two keys read from the store compare by code point instead)."""
    return key.encode("utf-16-be")


@dataclass(frozen=True)
class StoredBlock:
    partners: list[str]  # the stored partners' keys, most accounts first
    pairs: list[list[str | int]]  # [a, b, count] with a < b, in key order


def stored_block(
    network: Network,
    shared: sp.csr_matrix,
    stored: int = STORED_PARTNERS,
    minimum: int = MIN_STORED_ACCOUNTS,
) -> StoredBlock:
    """The partners to store and the overlap count of every pair of them that shares any, cut
    from `shared` (`graph.analytics.scores.shared_customers`: its diagonal is each partner's
    own customers)."""
    p = len(network.partners)
    sizes = np.asarray(shared.diagonal()).astype(np.int64)
    ordered = sorted(range(p), key=lambda i: cypher_order(network.partners[i]))
    rank = np.empty(p, dtype=np.int64)
    rank[ordered] = np.arange(p)
    order = np.lexsort((rank, -sizes))  # by size desc, then key asc
    picked = order[sizes[order] >= minimum][:stored]
    chosen = picked[np.argsort(rank[picked])]  # in key order: i < j is a.key < b.key
    block = sp.triu(shared[chosen][:, chosen], k=1).tocoo()
    keys = [network.partners[i] for i in chosen]
    found = zip(block.row.tolist(), block.col.tolist(), block.data.tolist(), strict=True)
    pairs: list[list[str | int]] = [
        [keys[i], keys[j], round(n)] for i, j, n in sorted(found) if n > 0
    ]
    return StoredBlock(partners=[network.partners[i] for i in picked], pairs=pairs)


@dataclass(frozen=True)
class Changes:
    deleted: list[str]  # relationship ids
    counted: list[list[str | int]]  # [id, count]
    created: list[list[str | int]]  # [a, b, count]


def changes(stored: list[list[str | int]], block: StoredBlock) -> Changes:
    """What turns the `stored` rows [id, a, b, count] into the block's pairs."""
    wanted = {(str(a), str(b)): int(n) for a, b, n in block.pairs}
    seen: set[tuple[str, str]] = set()
    deleted: list[str] = []
    counted: list[list[str | int]] = []
    for rid, a, b, n in stored:
        pair = (str(a), str(b))
        if pair not in wanted or pair in seen:
            deleted.append(str(rid))
            continue
        seen.add(pair)
        if n != wanted[pair]:
            counted.append([str(rid), wanted[pair]])
    created: list[list[str | int]] = [
        [a, b, n] for (a, b), n in wanted.items() if (a, b) not in seen
    ]
    return Changes(deleted, counted, created)


async def _in_batches(graph: Graph, query: str, rows: list[Any], name: str) -> None:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]

        async def work(tx: Transaction, batch: list[Any] = batch) -> None:
            await tx.run(query, {name: batch})

        await graph.transaction(work)


async def write_store(graph: Graph, block: StoredBlock, key: str) -> Changes:
    """Make the stored flags and counts the block's; the caller stamps `overlapsAt` when it
    is done. The flags go first and come back last: while no partner carries one, no account
    write touches the counts, so none is lost between the read of the store and its change."""
    await graph.write(UNSTAMP, {"key": key})
    await graph.write(UNFLAG)
    stored = await graph.read_rows(STORED, ("id", "a", "b", "count"))
    change = changes(stored, block)
    await _in_batches(graph, DELETE_OVERLAPS, change.deleted, "ids")
    await _in_batches(graph, SET_COUNTS, change.counted, "rows")
    await _in_batches(graph, CREATE_OVERLAPS, change.created, "rows")
    await graph.write(FLAG, {"keys": block.partners})
    return change
