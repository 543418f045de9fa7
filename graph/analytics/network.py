"""`partnergraph analyze`: influence scores and communities, written onto the partners.

The influence graph is read in a few round trips (the node keys, then accounts a chunk of
partners at a time, one record per chunk, then the links and co-creations), scored in
`graph.analytics.scores`, and written back in batches: `Partner.influence` (PageRank over the
undirected influence graph, the top partner 1) and `Partner.community`, with the run's time and
the number of communities on the ecosystem node (`graph.ecosystem`). It also stores the
overlap counts between the largest partners (`graph.analytics.overlap_store`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.analytics.overlap_store import (
    MIN_STORED_ACCOUNTS,
    STORED_PARTNERS,
    stored_block,
    write_store,
)
from graph.analytics.scores import (
    Edges,
    Network,
    communities,
    influence,
    overlap_bounds,
    shared_customers,
)
from graph.db import Graph, Transaction
from graph.ecosystem import KEY, begin_analysis, record_analysis
from graph.errors import Unavailable
from graph.model import ACCOUNT_STRENGTH_BY_STATUS, CO_CREATED_STRENGTH, STRENGTH_BY_TYPE

Progress = Callable[[str, int, int], None]  # (phase, done, total)

CHUNK = 500  # partners whose accounts one read returns (a million accounts at the most)
BATCH = 5_000  # partners written per transaction

PARTNER_KEYS = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key"
CUSTOMER_KEYS = "MATCH (c:Customer) RETURN c.key AS key ORDER BY key"
SOLUTION_KEYS = "MATCH (s:Solution) RETURN s.key AS key ORDER BY key"

# Each partner's customers and the strengths of its accounts (defaults by status).
ACCOUNTS = """
UNWIND $keys AS key
MATCH (:Partner {key: key})-[a:HAS_ACCOUNT]->(c:Customer)
WITH key, c.key AS customer, coalesce(a.strength, $defaults[a.status]) AS strength
RETURN key, collect(customer) AS customers, collect(strength) AS strengths
"""

# Sub-partner edges and partner links, each once (its direction does not matter here).
PARTNER_LINKS = """
MATCH (a:Partner)-[r:SUB_PARTNER_OF|CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH]->(b:Partner)
RETURN a.key AS a, b.key AS b, coalesce(r.strength, $defaults[type(r)]) AS strength
"""

CO_CREATIONS = """
MATCH (p:Partner)-[r:CO_CREATED]->(s:Solution)
RETURN p.key AS partner, s.key AS solution, coalesce(r.strength, $default) AS strength
"""

WRITE_SCORES = """
UNWIND $rows AS row
MATCH (p:Partner {key: row[0]})
SET p.influence = row[1], p.community = row[2], p.overlapBound = row[3]
"""


@dataclass
class Analysis:
    partners: int = 0
    communities: int = 0
    stored_partners: int = 0  # partners whose overlap counts are stored
    stored_overlaps: int = 0  # OVERLAPS relationships between them
    overlaps_fresh: bool = False  # False: accounts were written while it ran
    analyzed_at: datetime | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # read, compute, write, store

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


async def read_network(graph: Graph, progress: Progress | None = None) -> Network:
    """The influence graph, read in several transactions: a node written while it reads (by
    an import running meanwhile) is left to the next run, which the import's time asks for."""
    tell = progress or (lambda phase, done, total: None)
    partners = sorted(await graph.read_column(PARTNER_KEYS, "key"))
    customers = sorted(await graph.read_column(CUSTOMER_KEYS, "key"))
    solutions = sorted(await graph.read_column(SOLUTION_KEYS, "key"))
    number = {key: i for i, key in enumerate(partners)}
    customer_number = {key: len(partners) + i for i, key in enumerate(customers)}
    solution_number = {key: len(partners) + len(customers) + i for i, key in enumerate(solutions)}
    chunks: list[Edges] = []  # numbers in arrays: five million Python ints would be 400 MB
    tell("read", 0, len(partners))
    for start in range(0, len(partners), CHUNK):
        keys = partners[start : start + CHUNK]
        params = {"keys": keys, "defaults": ACCOUNT_STRENGTH_BY_STATUS}
        rows = await graph.read_rows(ACCOUNTS, ("key", "customers", "strengths"), params)
        holder: list[int] = []
        held: list[int] = []
        strength: list[float] = []
        for key, customer_keys, strengths in rows:
            try:
                found = [customer_number[customer] for customer in customer_keys]
            except KeyError:  # a customer written since its key was read: the next run's
                pairs = zip(customer_keys, strengths, strict=True)
                kept = [(customer_number[c], s) for c, s in pairs if c in customer_number]
                found = [i for i, _ in kept]
                strengths = [s for _, s in kept]
            holder.extend([number[key]] * len(found))
            held.extend(found)
            strength.extend(strengths)
        chunks.append(Edges.of(holder, held, strength))
        tell("read", len(keys), len(partners))
    del customer_number
    linked = [
        row
        for row in await graph.read_rows(
            PARTNER_LINKS, ("a", "b", "strength"), {"defaults": STRENGTH_BY_TYPE}
        )
        if row[0] in number and row[1] in number
    ]
    created = [
        row
        for row in await graph.read_rows(
            CO_CREATIONS, ("partner", "solution", "strength"), {"default": CO_CREATED_STRENGTH}
        )
        if row[0] in number and row[1] in solution_number
    ]
    return Network(
        partners=partners,
        nodes=len(partners) + len(customers) + len(solutions),
        accounts=Edges.join(Edges.of([], [], []), *chunks),
        links=Edges.of(
            [number[a] for a, _, _ in linked],
            [number[b] for _, b, _ in linked],
            [s for _, _, s in linked],
        ),
        created=Edges.of(
            [number[p] for p, _, _ in created],
            [solution_number[s] for _, s, _ in created],
            [s for _, _, s in created],
        ),
    )


async def write_scores(
    graph: Graph, rows: list[list[Any]], progress: Progress | None = None
) -> None:
    """[key, influence, community, overlap bound] per partner, a batch per transaction."""
    tell = progress or (lambda phase, done, total: None)
    tell("write", 0, len(rows))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]

        async def work(tx: Transaction, batch: list[list[Any]] = batch) -> None:
            await tx.run(WRITE_SCORES, {"rows": batch})

        await graph.transaction(work)
        tell("write", len(batch), len(rows))


async def analyze(
    graph: Graph,
    progress: Progress | None = None,
    *,
    stored: int = STORED_PARTNERS,
    minimum: int = MIN_STORED_ACCOUNTS,
) -> Analysis:
    """Score every partner and find the communities; write both, the overlap counts between
    the `stored` largest partners (of at least `minimum` accounts), and when it ran. An outage
    is an `Unavailable` saying how far it got."""
    phase = "reading the graph"

    def tell(step: str, done: int, total: int) -> None:
        nonlocal phase
        phase = "reading the graph" if step == "read" else "writing the scores"
        if progress is not None:
            progress(step, done, total)

    try:
        return await _analyze(graph, tell, stored, minimum)
    except Unavailable as error:
        landed = (
            "nothing was written"
            if phase == "reading the graph"
            else "some partners hold the new scores and some the old ones"
        )
        raise Unavailable(
            f"Neo4j at {graph.uri} went away while {phase}: {landed}; run "
            "`partnergraph analyze` again"
        ) from error


async def _analyze(graph: Graph, progress: Progress, stored: int, minimum: int) -> Analysis:
    result = Analysis()
    # The time the read began: an import that lands while this runs leaves the scores stale.
    result.analyzed_at = datetime.now(UTC)
    began = time.perf_counter()
    writes = await begin_analysis(graph)
    network = await read_network(graph, progress)
    result.seconds["read"] = time.perf_counter() - began

    began = time.perf_counter()
    scores = influence(network)
    shared = shared_customers(network)
    groups = communities(network, shared)
    bounds = overlap_bounds(shared)
    rows = [
        [key, float(score), int(group), int(bound)]
        for key, score, group, bound in zip(network.partners, scores, groups, bounds, strict=True)
    ]
    block = stored_block(network, shared, stored, minimum)
    result.seconds["compute"] = time.perf_counter() - began

    began = time.perf_counter()
    await write_scores(graph, rows, progress)
    result.partners = len(rows)
    result.communities = int(groups.max()) + 1 if len(groups) else 0
    result.seconds["write"] = time.perf_counter() - began

    began = time.perf_counter()
    await write_store(graph, block, KEY)
    result.stored_partners, result.stored_overlaps = len(block.partners), len(block.pairs)
    result.overlaps_fresh = await record_analysis(
        graph, result.analyzed_at, result.communities, writes
    )
    result.seconds["store"] = time.perf_counter() - began
    return result
