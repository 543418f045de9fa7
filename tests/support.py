"""Helpers the tests share: writing small bundles, and reading the whole graph back."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from graph.access import Role, Viewer
from graph.audit import AuditEvent, AuditFilter, AuditTrail, events
from graph.db import Graph, RoundTrips
from graph.ingest.spec import BY_NAME

# The ecosystem's run metadata (when it was imported, analysed) is no part of its data.
# The run metadata and the audit trail (written on the side by every partner question) left out.
NOT_DATA = "NOT n:Ecosystem AND NOT n:AuditEvent"
ALL_NODES = f"MATCH (n) WHERE {NOT_DATA} RETURN labels(n) AS labels, properties(n) AS props"
ALL_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS type, b.key AS b, properties(r) AS props"
)


def partner_rows(keys: Iterable[str], names: Mapping[str, str] | None = None) -> list[list[str]]:
    """partners.csv rows: gold resellers named "Partner KEY" unless `names` says otherwise."""
    named = names or {}
    return [
        [key, named.get(key, f"Partner {key}"), "RESELLER", "GOLD", "", "", "", "", ""]
        for key in keys
    ]


# DESIGN.md's default partner program, written out here rather than taken from the code:
# tier -> (minSales, minWonDeals, margin), REGISTERED first.
DESIGN_PROGRAM = {
    "REGISTERED": (0.0, 0, 0.10),
    "SILVER": (250_000.0, 2, 0.15),
    "GOLD": (1_000_000.0, 5, 0.20),
    "PLATINUM": (3_000_000.0, 10, 0.25),
}

# The cells of a row before the file gained optional columns (deals.csv: closed_on, margin).
EARLIER = {"deals.csv": 8}


def write_csv(
    folder: Path, name: str, rows: list[list[Any]], header: list[str] | None = None
) -> Path:
    """Write one bundle file; the header defaults to the file's full column list, and then a row
    of the columns a file had before it gained optional ones (`EARLIER`) leaves those empty."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    full = header or BY_NAME[name].header
    if header is None and name in EARLIER:
        rows = [
            [*row, *[""] * (len(full) - len(row))] if len(row) == EARLIER[name] else row
            for row in rows
        ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(full)
        out.writerows(rows)
    return path


def write_holders(
    folder: Path, partners: Iterable[str], holders: Mapping[str, Iterable[str]]
) -> None:
    """partners.csv (`partner_rows`), and customers.csv and accounts.csv from `holders`, each
    customer's key to the partners holding it (as CUSTOMER)."""
    write_csv(folder, "partners.csv", partner_rows(partners))
    write_csv(
        folder, "customers.csv", [[key, f"Customer {key}", "", "", "", ""] for key in holders]
    )
    write_csv(
        folder,
        "accounts.csv",
        [[p, c, "CUSTOMER", "", ""] for c, keys in holders.items() for p in keys],
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


async def dump(graph: Graph) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with every property, in a stable order."""
    nodes = await graph.read(ALL_NODES)
    relationships = await graph.read(ALL_RELATIONSHIPS)
    return (
        sorted(_freeze([sorted(record["labels"]), record["props"]]) for record in nodes),
        sorted(
            _freeze([record["a"], record["type"], record["b"], record["props"]])
            for record in relationships
        ),
    )


async def counts(graph: Graph) -> dict[str, int]:
    """Nodes per label and relationships per type (the run metadata and the audit trail left
    out, as in `dump`)."""
    found: dict[str, int] = {}
    nodes = f"MATCH (n) WHERE {NOT_DATA} RETURN labels(n)[0] AS name, count(*) AS n"
    for record in await graph.read(nodes):
        found[record["name"]] = record["n"]
    for record in await graph.read("MATCH ()-[r]->() RETURN type(r) AS name, count(*) AS n"):
        found[record["name"]] = record["n"]
    return found


CENSUS = """
CALL () { MATCH (n) RETURN count(n) AS all }
CALL () { MATCH (n:AuditEvent) RETURN count(n) AS audit }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN all - audit AS nodes, relationships
"""


async def census(graph: Graph) -> tuple[int, int]:
    """How many nodes (the audit trail's left out) and relationships the graph holds (from the
    count store: cheap)."""
    record = (await graph.read(CENSUS))[0]
    return record["nodes"], record["relationships"]


def awkward_bundle(folder: Path) -> dict[tuple[str, int, str], str]:
    """A bundle with one bad row of every kind; returns the errors expected, with a word of each."""
    write_csv(
        folder,
        "partners.csv",
        [
            [
                "P1",
                "Alpha",
                "RESELLER",
                "GOLD",
                "EMEA",
                "DE",
                "Retail;Health",
                "SELL",
                "2024-01-31",
            ],
            ["P2", "Beta\nwith a line break", "DISTRIBUTOR", "SILVER", "", "", "", "", ""],  # 3-4
            ["P3", "Gamma", "RESELLER", "DIAMOND", "", "", "", "", ""],  # 5: bad enum
            ["P4", "Delta", "RESELLER", "GOLD", "", "", "", "", "2026-02-30"],  # 6: bad date
            ["P1", "Alpha again", "RESELLER", "GOLD", "", "", "", "", ""],  # 7: duplicate key
            ["P5", "Epsilon", "MSP", "platinum", "", "", "", "", ""],
            ["P6", 'Müller, "Söhne" & Co — 株式会社', "OEM", "REGISTERED", "", "", "", "", ""],
        ],
    )
    write_csv(
        folder, "customers.csv", [["C1", "One", "", "", "", ""], ["C2", "Two", "", "", "", "-5"]]
    )
    write_csv(
        folder,
        "accounts.csv",
        [
            ["P1", "C1", "CUSTOMER", "", ""],
            ["P2", "C1", "OPPORTUNITY", "", "0"],  # 3: strength 0
            ["P5", "C1", "PROSPECT", "", "1.5"],  # 4: strength 1.5
            ["P9", "C1", "CUSTOMER", "", ""],  # 5: unknown partner
            ["P3", "C1", "CUSTOMER", "", ""],  # 6: a rejected partner
            ["P1", "C1", "PROSPECT", "", ""],  # 7: duplicate pair
            ["P2", "C1", "CUSTOMER", "2023-05-01", ""],
        ],
    )
    write_csv(
        folder,
        "sub_partners.csv",
        [
            ["P1", "P2", "", ""],
            ["P5", "P1", "", "0.5"],
            ["P2", "P5", "", ""],  # 4: P2 → P5 → P1 → P2
            ["P6", "P6", "", ""],  # 5: its own parent
        ],
    )
    write_csv(
        folder,
        "agreements.csv",
        [
            ["A1", "P1", "P5", "OVERLAP_COUNTS;ACCOUNT_LIST", "2025-01-01", "", "ACTIVE"],
            [
                "A2",
                "P1",
                "P5",
                "EVERYTHING",
                "2025-01-01",
                "2024-01-01",
                "ACTIVE",
            ],  # 3: two bad cells
        ],
    )
    return {
        ("partners.csv", 5, "tier"): "DIAMOND",
        ("partners.csv", 6, "joined_on"): "2026-02-30",
        ("partners.csv", 7, "key"): "duplicate",
        ("customers.csv", 3, "employees"): "negative",
        ("accounts.csv", 3, "strength"): "outside",
        ("accounts.csv", 4, "strength"): "outside",
        ("accounts.csv", 5, "partner_key"): "unknown partner 'P9'",
        ("accounts.csv", 6, "partner_key"): "rejected (partners.csv:5)",
        ("accounts.csv", 7, "customer_key"): "duplicate of line 2",
        ("sub_partners.csv", 4, "parent_key"): "cycle",
        ("sub_partners.csv", 5, "parent_key"): "sub-partner of itself",
        ("agreements.csv", 3, "scopes"): "EVERYTHING",
        ("agreements.csv", 3, "valid_to"): "before",
    }


@dataclass
class Answer:
    """A GraphQL result with its errors shaped as the API sends them."""

    data: Any
    errors: list[dict[str, Any]]
    round_trips: int

    @property
    def codes(self) -> list[str]:
        return [error.get("extensions", {}).get("code") for error in self.errors]


async def ask(
    graph: Graph,
    query: str,
    variables: dict[str, Any] | None = None,
    viewer: Viewer | None = None,
) -> Answer:
    """Run a query or mutation in-process, as `viewer` (an admin by default)."""
    from resolvers.context import Context
    from resolvers.schema import schema

    context = Context(graph, viewer or Viewer(Role.ADMIN, subject="tests"))
    with RoundTrips() as trips:
        result = await schema.execute(query, variable_values=variables, context_value=context)
    errors: list[dict[str, Any]] = [dict(error.formatted) for error in result.errors or []]
    return Answer(result.data, errors, trips.count)


def partner_viewer(key: str) -> Viewer:
    return Viewer(Role.PARTNER, partner_key=key, subject=f"tests:{key}")


WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


async def wipe(graph: Graph) -> None:
    """Delete every node (constraints and indexes stay)."""
    await graph.write_in_batches(WIPE)


async def wipe_and_load(graph: Graph, folder: Path, seed: int, preset: str = "tiny") -> Path:
    """A clean graph holding a generated bundle; returns the bundle's folder."""
    from graph.ingest.generate import generate
    from graph.ingest.load import import_bundle

    await wipe(graph)
    generate(preset, seed, folder)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
    return folder


CLEAR_TRAIL = "MATCH (e:AuditEvent) DETACH DELETE e"


async def clear_trail(graph: Graph) -> None:
    """Delete the audit trail's events (those of earlier tests)."""
    await graph.write(CLEAR_TRAIL)


async def trail_events(
    trail: AuditTrail, where: AuditFilter | None = None, first: int = 100
) -> tuple[list[AuditEvent], int, bool]:
    """The trail's events once what it holds is committed, newest first (`graph.audit.events`)."""
    await trail.drain()
    assert trail.graph is not None
    return await events(trail.graph, where or AuditFilter(), first, None)


async def load_granting_world(graph: Graph, folder: Path) -> None:
    """An empty graph, then P, A and N: A lists its accounts to P (ACCOUNT_LIST), N grants P
    nothing; P holds c0, A c0 and c1, N c2."""
    from graph.access import today
    from graph.ingest.load import import_bundle

    write_csv(folder, "partners.csv", partner_rows("PAN"))
    write_csv(folder, "customers.csv", [[f"c{i}", f"C{i}", "", "", "", ""] for i in range(3)])
    holdings = [("P", "c0"), ("A", "c0"), ("A", "c1"), ("N", "c2")]
    write_csv(folder, "accounts.csv", [[p, c, "CUSTOMER", "", ""] for p, c in holdings])
    start = (today() - timedelta(days=30)).isoformat()
    write_csv(folder, "agreements.csv", [["ag-1", "A", "P", "ACCOUNT_LIST", start, "", "ACTIVE"]])
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
