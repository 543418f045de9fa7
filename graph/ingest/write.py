"""Writing a checked bundle: batched `UNWIND` upserts, file by file, skipping the bad rows.

Nodes are merged by key (program tiers by tier), relationships by their two ends (and type);
every property whose column the file has is set from the row (an empty cell removes it), one
whose column it leaves out stays as the graph holds it; so writing the same bundle twice changes
nothing. One column differs: a deal's `margin`, where an empty cell is "not given" (a WON deal
keeps the margin it has, else takes its partner's tier margin under the program in force). Rows
travel as lists and properties are set one by one: a third faster than maps and `+=`.

The database failing midway (an outage) is an `Unavailable` saying what was written, Ctrl-C an
`Interrupted`; the batches already committed stay, and since every write is an upsert, running
the import again completes it. The graph is stamped imported before the first batch and again
after the last, so an import stopped anywhere between them (killed, even) leaves the scores and
the stored overlap counts marked stale until a complete run and its analysis.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.db import Graph
from graph.ecosystem import mark_imported
from graph.errors import Interrupted, Unavailable
from graph.ingest.read import layout, rows
from graph.ingest.spec import (
    ACCOUNTS,
    AGREEMENTS,
    CAMPAIGN_PARTNERS,
    CAMPAIGNS,
    COSELL_PLAN_CAMPAIGNS,
    COSELL_PLAN_PARTNERS,
    COSELL_PLANS,
    CUSTOMERS,
    DEALS,
    PARTNER_LINKS,
    PARTNERS,
    PROGRAM_TIERS,
    SOLUTION_PARTNERS,
    SOLUTIONS,
    SUB_PARTNERS,
    Column,
    FileSpec,
    Row,
)
from graph.ingest.validate import FileReport, Validation
from graph.listing import lower_name
from graph.messages import number_of
from graph.model import LINK_TYPES
from graph.program import DEFAULT_MARGINS, TIER_MARGIN

Progress = Callable[[str, int], None]  # (file name, rows just written)

BATCH = 10_000
# A batch of long rows is cut shorter: Neo4j holds a transaction in a share of its heap (70% by
# default), and takes some 15 bytes of it for each character sent. Rows of common length are
# far below this, so their batches are of BATCH rows.
BATCH_CHARACTERS = 2_000_000
# The database or the way to it failing (the driver has retried for a while by then).
OUTAGES = (ServiceUnavailable, SessionExpired, OSError, Unavailable)


@dataclass(frozen=True)
class Upsert:
    """One Cypher statement and the props it takes from each row, in the order of `r[i]`."""

    query: str
    props: tuple[str, ...]
    margins: bool = False  # it takes $margins (graph.program.TIER_MARGIN)

    def param(self, row: Row) -> list[Any]:
        return [row[prop] for prop in self.props]


def _props(spec: FileSpec, present: frozenset[str], skip: set[str]) -> list[Column]:
    """The columns a row sets: those in the file, and those that take a default when left out."""
    return [
        column
        for column in spec.columns
        if column.prop not in skip and (column.prop in present or column.defaulted)
    ]


def _sets(var: str, columns: list[Column], present: frozenset[str], first: int) -> str:
    """`SET` each property from the row; a defaulted one left out of the file only where unset."""
    sets = [
        f"{var}.{column.prop} = r[{first + i}]"
        if column.prop in present
        else f"{var}.{column.prop} = coalesce({var}.{column.prop}, r[{first + i}])"
        for i, column in enumerate(columns)
    ]
    return f"SET {', '.join(sets)}" if sets else ""


def _node(spec: FileSpec, present: frozenset[str], ends: str = "", tail: str = "") -> Upsert:
    """MERGE by key; `ends` may MATCH the nodes the row names, `tail` link to them."""
    refs = [column.prop for column in spec.refs]
    columns = _props(spec, present, {"key", *refs})
    named = lower_name("n") if "name" in present else ""
    query = (
        f"UNWIND $rows AS r {ends} MERGE (n:{spec.label} {{key: r[0]}}) "
        f"{_sets('n', columns, present, 1 + len(refs))} {named} {tail}"
    )
    return Upsert(" ".join(query.split()), ("key", *refs, *(c.prop for c in columns)))


def _relationship(
    spec: FileSpec, present: frozenset[str], start: str, rel: str, end: str, skip: str = ""
) -> Upsert:
    """MERGE (start)-[rel]->(end) by its two ends, the first two props of the row."""
    a, b = spec.refs[0], spec.refs[1]
    ends = (a, b) if a.ref == start else (b, a)
    columns = _props(spec, present, {a.prop, b.prop, skip})
    query = (
        f"UNWIND $rows AS r MATCH (a:{start} {{key: r[0]}}) MATCH (b:{end} {{key: r[1]}}) "
        f"MERGE (a)-[e:{rel}]->(b) {_sets('e', columns, present, 2)}"
    )
    return Upsert(query.strip(), (ends[0].prop, ends[1].prop, *(c.prop for c in columns)))


# An agreement or a deal has one of each end: re-pointing it moves the relationship.
AGREEMENT_ENDS = "MATCH (grantor:Partner {key: r[1]}) MATCH (grantee:Partner {key: r[2]})"
AGREEMENT_TAIL = """WITH n, grantor, grantee
    CALL (n, grantor) { MATCH (other:Partner)-[old:GRANTS]->(n) WHERE other <> grantor DELETE old }
    CALL (n, grantee) { MATCH (n)-[old:TO]->(other:Partner) WHERE other <> grantee DELETE old }
    MERGE (grantor)-[:GRANTS]->(n)
    MERGE (n)-[:TO]->(grantee)"""
DEAL_ENDS = "MATCH (partner:Partner {key: r[1]}) MATCH (customer:Customer {key: r[2]})"
DEAL_TAIL = """WITH n, partner, customer
    CALL (n, partner) {
        MATCH (other:Partner)-[old:REGISTERED]->(n) WHERE other <> partner DELETE old
    }
    CALL (n, customer) { MATCH (n)-[old:FOR]->(other:Customer) WHERE other <> customer DELETE old }
    MERGE (partner)-[:REGISTERED]->(n)
    MERGE (n)-[:FOR]->(customer)"""


def _deal_margin(given: str) -> str:
    """In: r, n, partner, customer; $margins / Out: the same. A WON deal's margin: `given` (the
    row's cell, or null), else the one it has, else its partner's tier margin (TIER_MARGIN over
    `p`); a deal of another status keeps whatever it holds."""
    return f"""WITH r, n, partner, customer, partner AS p
    SET n.margin = CASE WHEN n.status = 'WON'
        THEN coalesce({given}, n.margin, {TIER_MARGIN}) ELSE n.margin END"""


def _deal(present: frozenset[str]) -> Upsert:
    """A deal's MERGE, its margin set apart (`_deal_margin`), after the other columns."""
    upsert = _node(DEALS, present - {"margin"}, DEAL_ENDS)
    given = f"r[{len(upsert.props)}]" if "margin" in present else "null"
    props = (*upsert.props, "margin") if "margin" in present else upsert.props
    query = f"{upsert.query} {_deal_margin(given)} {DEAL_TAIL}"
    return Upsert(" ".join(query.split()), props, margins=True)


def _tier(present: frozenset[str]) -> Upsert:
    """A program tier: MERGE by tier (every column but benefits is required)."""
    columns = _props(PROGRAM_TIERS, present, {"tier"})
    query = (
        f"UNWIND $rows AS r MERGE (n:ProgramTier {{tier: r[0]}}) {_sets('n', columns, present, 1)}"
    )
    return Upsert(query, ("tier", *(c.prop for c in columns)))


# Each file's statement, for the columns its header has.
UPSERTS: dict[str, Callable[[frozenset[str]], Upsert]] = {
    PROGRAM_TIERS.name: _tier,
    PARTNERS.name: lambda present: _node(PARTNERS, present),
    CUSTOMERS.name: lambda present: _node(CUSTOMERS, present),
    SOLUTIONS.name: lambda present: _node(SOLUTIONS, present),
    CAMPAIGNS.name: lambda present: _node(CAMPAIGNS, present),
    AGREEMENTS.name: lambda present: _node(AGREEMENTS, present, AGREEMENT_ENDS, AGREEMENT_TAIL),
    DEALS.name: _deal,
    SUB_PARTNERS.name: lambda present: _relationship(
        SUB_PARTNERS, present, "Partner", "SUB_PARTNER_OF", "Partner"
    ),
    ACCOUNTS.name: lambda present: _relationship(
        ACCOUNTS, present, "Partner", "HAS_ACCOUNT", "Customer"
    ),
    SOLUTION_PARTNERS.name: lambda present: _relationship(
        SOLUTION_PARTNERS, present, "Partner", "CO_CREATED", "Solution"
    ),
    CAMPAIGN_PARTNERS.name: lambda present: _relationship(
        CAMPAIGN_PARTNERS, present, "Partner", "PARTICIPATES_IN", "Campaign"
    ),
    COSELL_PLANS.name: lambda present: _node(COSELL_PLANS, present),
    COSELL_PLAN_PARTNERS.name: lambda present: _relationship(
        COSELL_PLAN_PARTNERS, present, "Partner", "MEMBER_OF", "CoSellPlan"
    ),
    COSELL_PLAN_CAMPAIGNS.name: lambda present: _relationship(
        COSELL_PLAN_CAMPAIGNS, present, "CoSellPlan", "PROMOTED_BY", "Campaign"
    ),
}


def upserts_for(spec: FileSpec, present: frozenset[str]) -> Callable[[Row], Upsert]:
    """The statement for each row of a file with these columns."""
    if spec is PARTNER_LINKS:  # a partner link's kind picks its relationship type
        links = {
            kind.value: _relationship(spec, present, "Partner", rel, "Partner", skip="kind")
            for kind, rel in LINK_TYPES.items()
        }
        return lambda row: links[row["kind"]]
    upsert = UPSERTS[spec.name](present)
    return lambda row: upsert


@dataclass(frozen=True)
class Written:
    file: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _batches(report: FileReport) -> Iterator[tuple[Upsert, list[list[Any]]]]:
    """The good rows of a file, in batches of one statement each."""
    batches: dict[Upsert, list[list[Any]]] = {}
    sizes: dict[Upsert, int] = {}
    upsert_for = upserts_for(report.spec, layout(report.path, report.spec).present)
    for line, _end, row, _problems, size in rows(report.path, report.spec):
        if line in report.bad:
            continue
        upsert = upsert_for(row)
        batch = batches.setdefault(upsert, [])
        batch.append(upsert.param(row))
        sizes[upsert] = sizes.get(upsert, 0) + size
        if len(batch) >= BATCH or sizes[upsert] >= BATCH_CHARACTERS:
            del sizes[upsert]
            yield upsert, batches.pop(upsert)
    yield from batches.items()


async def write_file(graph: Graph, report: FileReport, progress: Progress) -> Written:
    """Write a file's batches; the next batch is read in a thread while Neo4j writes one."""
    began = time.perf_counter()
    source = _batches(report)
    written = 0
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, source, None))
    while (item := await upcoming) is not None:
        upcoming = asyncio.ensure_future(asyncio.to_thread(next, source, None))
        upsert, batch = item
        params: dict[str, Any] = {"rows": batch}
        if upsert.margins:
            params["margins"] = DEFAULT_MARGINS
        await graph.write(upsert.query, params)
        written += len(batch)
        progress(report.spec.name, len(batch))
    return Written(report.spec.name, written, time.perf_counter() - began)


async def write_bundle(
    graph: Graph, validation: Validation, progress: Progress | None = None
) -> list[Written]:
    """Write every good row of a validated bundle, file by file in dependency order."""
    tell = progress or (lambda name, done: None)
    done = 0

    def counted(name: str, rows: int) -> None:
        nonlocal done
        done += rows
        tell(name, rows)

    try:
        # From the first batch on, the scores and the stored overlap counts are stale: an
        # import stopped midway (killed between two batches) must leave them marked so, not
        # trusted over accounts they no longer count. The end stamps the import again.
        await mark_imported(graph, datetime.now(UTC))
    except (Neo4jError, DriverError, Unavailable) as error:
        raise Unavailable(_failed(graph, "the import time", done, error)) from error
    except asyncio.CancelledError:
        raise Interrupted("interrupted before the bundle was written: nothing written") from None
    written = []
    for report in validation.files:
        try:
            written.append(await write_file(graph, report, counted))
        except (Neo4jError, DriverError, OSError, Unavailable) as error:
            raise Unavailable(_failed(graph, report.spec.name, done, error)) from error
        except asyncio.CancelledError:
            raise Interrupted(
                f"interrupted while {report.spec.name} was being written, {_partly(done)}"
            ) from None
    try:
        await mark_imported(graph, datetime.now(UTC))
    except (Neo4jError, DriverError, Unavailable) as error:
        raise Unavailable(_failed(graph, "the import time", done, error)) from error
    return written


def _failed(graph: Graph, name: str, done: int, error: Exception) -> str:
    """One line on a write that failed: an outage, or (a case the check should have caught) a
    batch the database refused."""
    if isinstance(error, OUTAGES):
        return f"Neo4j at {graph.uri} went away while {name} was being written, {_partly(done)}"
    message = error.message if isinstance(error, Neo4jError) else None
    cause = (message or str(error) or type(error).__name__).splitlines()[0]
    written = number_of(done, "row")
    return f"Neo4j refused a batch of {name} ({cause}), with {written} written before it"


def _partly(done: int) -> str:
    """What an import stopped halfway leaves, and what to do about it."""
    return (
        f"with {number_of(done, 'row')} of the bundle written and the rest not; running the same "
        "import again completes it"
    )
