"""Importing bundles into the real Neo4j: counts, values, idempotence, bad rows, rejects."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from support import awkward_bundle, counts, dump, read_csv, write_csv

from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

# Written out here rather than taken from the code under test.
ACCOUNT_DEFAULTS = {"CUSTOMER": 0.9, "OPPORTUNITY": 0.6, "PROSPECT": 0.3}
LINK_TYPES = {"CO_SELL": "CO_SELLS_WITH", "REFERRAL": "REFERS_TO", "INTEGRATION": "INTEGRATES_WITH"}
NODE_FILES = {
    "program_tiers.csv": "ProgramTier",
    "partners.csv": "Partner",
    "customers.csv": "Customer",
    "solutions.csv": "Solution",
    "agreements.csv": "Agreement",
    "campaigns.csv": "Campaign",
    "deals.csv": "Deal",
    "cosell_plans.csv": "CoSellPlan",
}


def expected_counts(folder: Path) -> Counter[str]:
    expected: Counter[str] = Counter()
    for name, label in NODE_FILES.items():
        expected[label] = len(read_csv(folder / name))
    expected["SUB_PARTNER_OF"] = len(read_csv(folder / "sub_partners.csv"))
    expected["HAS_ACCOUNT"] = len(read_csv(folder / "accounts.csv"))
    expected["CO_CREATED"] = len(read_csv(folder / "solution_partners.csv"))
    expected["PARTICIPATES_IN"] = len(read_csv(folder / "campaign_partners.csv"))
    expected["MEMBER_OF"] = len(read_csv(folder / "cosell_plan_partners.csv"))
    expected["PROMOTED_BY"] = len(read_csv(folder / "cosell_plan_campaigns.csv"))
    expected["GRANTS"] = expected["TO"] = expected["Agreement"]
    expected["REGISTERED"] = expected["FOR"] = expected["Deal"]
    for row in read_csv(folder / "partner_links.csv"):
        expected[LINK_TYPES[row["kind"]]] += 1
    return +expected


@pytest.mark.parametrize("seed", [1, 2])
async def test_generated_bundle_imports_with_counts_equal_to_rows(
    empty_graph: Graph, tmp_path: Path, seed: int
) -> None:
    generate("tiny", seed, tmp_path)
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, [str(error) for error in result.validation.errors]
    assert await counts(empty_graph) == expected_counts(tmp_path)


async def test_values_survive_the_import(empty_graph: Graph, tmp_path: Path) -> None:
    generate("tiny", 3, tmp_path)
    await import_bundle(empty_graph, tmp_path)
    partners = {
        record["p"]["key"]: record["p"]
        for record in await empty_graph.read("MATCH (p:Partner) RETURN p {.*} AS p")
    }
    for row in read_csv(tmp_path / "partners.csv"):
        stored = partners[row["key"]]
        assert stored["name"] == row["name"]
        assert (stored["type"], stored["tier"]) == (row["type"], row["tier"])
        assert stored.get("industries") == [item for item in row["industries"].split(";") if item]
        joined = stored.get("joinedOn")
        assert (joined.iso_format() if joined else "") == row["joined_on"]
    accounts = {
        (record["p"], record["c"]): (record["status"], record["strength"])
        for record in await empty_graph.read(
            "MATCH (p:Partner)-[a:HAS_ACCOUNT]->(c:Customer) "
            "RETURN p.key AS p, c.key AS c, a.status AS status, a.strength AS strength"
        )
    }
    for row in read_csv(tmp_path / "accounts.csv"):
        strength = float(row["strength"]) if row["strength"] else ACCOUNT_DEFAULTS[row["status"]]
        assert accounts[(row["partner_key"], row["customer_key"])] == (row["status"], strength)


async def test_importing_twice_changes_nothing(empty_graph: Graph, tmp_path: Path) -> None:
    generate("tiny", 4, tmp_path)
    await import_bundle(empty_graph, tmp_path)
    before = await dump(empty_graph)
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok
    assert await dump(empty_graph) == before


async def test_bad_rows_of_every_kind_write_nothing_and_are_each_reported(
    empty_graph: Graph, tmp_path: Path
) -> None:
    expected = awkward_bundle(tmp_path)
    result = await import_bundle(empty_graph, tmp_path)
    found = {
        (error.file, error.line, error.column): error.reason for error in result.validation.errors
    }
    assert set(found) == set(expected)
    for where, word in expected.items():
        assert word in found[where], (where, found[where])
    assert not result.wrote
    assert await counts(empty_graph) == {}


async def test_skip_invalid_writes_exactly_the_good_rows(
    empty_graph: Graph, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    expected = awkward_bundle(bundle)
    rejects = tmp_path / "rejects.csv"
    result = await import_bundle(empty_graph, bundle, skip_invalid=True, rejects=rejects)
    assert await counts(empty_graph) == {
        "Partner": 4,
        "Customer": 1,
        "Agreement": 1,
        "GRANTS": 1,
        "TO": 1,
        "HAS_ACCOUNT": 2,
        "SUB_PARTNER_OF": 2,
    }
    assert result.rows_written == 4 + 1 + 1 + 2 + 2
    rejected = read_csv(rejects)
    assert {(row["file"], int(row["line"])) for row in rejected} == {
        (file, line) for file, line, _ in expected
    }
    for row in rejected:  # the row as it stood, so it can be fixed and loaded again
        with (bundle / row["file"]).open(newline="", encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        assert row["row"] == lines[int(row["line"]) - 1]
        assert row["column"] in row["reason"]


async def test_names_with_unicode_quotes_commas_and_newlines_round_trip(
    empty_graph: Graph, tmp_path: Path
) -> None:
    names = [
        'Müller, "Söhne" & Co',
        "株式会社サンプル",
        "Ñandú;Soluciones",
        "Two\nlines",
        " padded ",
    ]
    write_csv(
        tmp_path,
        "partners.csv",
        [[f"P{i}", name, "RESELLER", "GOLD", "", "", "", "", ""] for i, name in enumerate(names)],
    )
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok
    stored = await empty_graph.read("MATCH (p:Partner) RETURN p.key AS key, p.name AS name")
    assert {record["key"]: record["name"] for record in stored} == {
        f"P{i}": name.strip() for i, name in enumerate(names)
    }


async def test_references_and_cycles_count_what_the_graph_already_holds(
    empty_graph: Graph, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_csv(
        first,
        "partners.csv",
        [
            ["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""],
            ["P2", "Two", "DISTRIBUTOR", "GOLD", "", "", "", "", ""],
        ],
    )
    write_csv(first, "sub_partners.csv", [["P1", "P2", "", ""]])
    assert (await import_bundle(empty_graph, first)).validation.ok
    write_csv(second, "partners.csv", [])
    write_csv(second, "customers.csv", [["C1", "One", "", "", "", ""]])
    write_csv(second, "accounts.csv", [["P1", "C1", "CUSTOMER", "", ""]])
    write_csv(second, "sub_partners.csv", [["P2", "P1", "", ""]])
    result = await import_bundle(empty_graph, second)
    assert [(e.file, e.line, e.column) for e in result.validation.errors] == [
        ("sub_partners.csv", 2, "parent_key")
    ]
    assert "P2 → P1 → P2" in result.validation.errors[0].reason


async def test_updates_move_an_agreement_and_clear_emptied_cells(
    empty_graph: Graph, tmp_path: Path
) -> None:
    partners = [[f"P{i}", f"N{i}", "RESELLER", "GOLD", "EMEA", "", "", "", ""] for i in (1, 2, 3)]
    write_csv(tmp_path, "partners.csv", partners)
    write_csv(
        tmp_path, "agreements.csv", [["A1", "P1", "P2", "ACCOUNT_LIST", "2025-01-01", "", "ACTIVE"]]
    )
    await import_bundle(empty_graph, tmp_path)
    partners[0][4] = ""
    write_csv(tmp_path, "partners.csv", partners)
    write_csv(
        tmp_path,
        "agreements.csv",
        [["A1", "P1", "P3", "ACCOUNT_LIST", "2025-01-01", "2027-01-01", "REVOKED"]],
    )
    await import_bundle(empty_graph, tmp_path)
    records = await empty_graph.read(
        "MATCH (g:Partner)-[:GRANTS]->(a:Agreement)-[:TO]->(e:Partner) "
        "RETURN g.key AS g, e.key AS e, a.status AS status, a.validTo AS to"
    )
    assert [(r["g"], r["e"], r["status"], r["to"].to_native()) for r in records] == [
        ("P1", "P3", "REVOKED", date(2027, 1, 1))
    ]
    region = await empty_graph.read("MATCH (p:Partner {key: 'P1'}) RETURN p.region AS region")
    assert region[0]["region"] is None


@pytest.mark.parametrize(
    ("header", "column", "reason"),
    [
        (["key", "name", "type"], "tier", "required column is missing"),
        (["key", "name", "type", "tier", "colour"], "colour", "unknown column"),
        (["key", "name", "type", "tier", "name"], "name", "column given twice"),
    ],
)
async def test_a_bad_header_stops_the_import_in_any_mode(
    empty_graph: Graph, tmp_path: Path, header: list[str], column: str, reason: str
) -> None:
    write_csv(tmp_path, "partners.csv", [["P1"] * len(header)], header=header)
    result = await import_bundle(
        empty_graph, tmp_path, skip_invalid=True, rejects=tmp_path / "r.csv"
    )
    assert [(p.file, p.line, p.column, p.reason) for p in result.validation.fatal] == [
        ("partners.csv", 1, column, reason)
    ]
    assert await counts(empty_graph) == {}


async def test_optional_columns_may_be_left_out_and_partners_csv_is_required(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(
        tmp_path,
        "partners.csv",
        [["P1", "One", "MSP", "GOLD"]],
        header=["key", "name", "type", "tier"],
    )
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    (tmp_path / "partners.csv").unlink()
    result = await import_bundle(empty_graph, tmp_path)
    assert [p.reason for p in result.validation.fatal] == ["required file is missing"]


# The bold columns of the README's table; the rest may be left out.
REQUIRED = {
    "program_tiers.csv": ["tier", "min_sales", "min_won_deals", "margin"],
    "partners.csv": ["key", "name", "type", "tier"],
    "sub_partners.csv": ["child_key", "parent_key"],
    "customers.csv": ["key", "name"],
    "accounts.csv": ["partner_key", "customer_key", "status"],
    "partner_links.csv": ["from_key", "to_key", "kind"],
    "solutions.csv": ["key", "name"],
    "solution_partners.csv": ["solution_key", "partner_key"],
    "agreements.csv": ["key", "grantor_key", "grantee_key", "scopes", "valid_from", "status"],
    "campaigns.csv": ["key", "name", "starts_on"],
    "campaign_partners.csv": ["campaign_key", "partner_key"],
    "deals.csv": ["key", "partner_key", "customer_key", "status", "registered_on"],
}
# What each file writes, and the properties left once its optional cells are all empty
# (strength and a co-creator's role take their defaults; an empty list stays an empty list).
WRITES = {
    "program_tiers.csv": ("MATCH (n:ProgramTier)", {"tier", "minSales", "minWonDeals", "margin"}),
    "partners.csv": ("MATCH (n:Partner)", {"key", "name", "nameLower", "type", "tier"}),
    "sub_partners.csv": ("MATCH ()-[n:SUB_PARTNER_OF]->()", {"strength"}),
    "customers.csv": ("MATCH (n:Customer)", {"key", "name", "nameLower"}),
    "accounts.csv": ("MATCH ()-[n:HAS_ACCOUNT]->()", {"status", "strength"}),
    "partner_links.csv": ("MATCH ()-[n:CO_SELLS_WITH|REFERS_TO|INTEGRATES_WITH]->()", {"strength"}),
    "solutions.csv": ("MATCH (n:Solution)", {"key", "name", "nameLower"}),
    "solution_partners.csv": ("MATCH ()-[n:CO_CREATED]->()", {"role", "strength"}),
    "agreements.csv": ("MATCH (n:Agreement)", {"key", "scopes", "validFrom", "status"}),
    "campaigns.csv": ("MATCH (n:Campaign)", {"key", "name", "nameLower", "startsOn"}),
    "campaign_partners.csv": ("MATCH ()-[n:PARTICIPATES_IN]->()", set()),
    "deals.csv": ("MATCH (n:Deal)", {"key", "status", "registeredOn"}),
}


def _rewrite(source: Path, target: Path, name: str, *, keep: list[str], empty: bool) -> None:
    """Copy one file with only the `keep` columns, or with every other cell emptied."""
    rows = read_csv(source / name)
    header = list(rows[0]) if empty else keep
    cells = [[row[col] if col in keep else "" for col in header] for row in rows]
    write_csv(target, name, cells, header=header)
    if name != "partners.csv":
        write_csv(target, "partners.csv", [])


@pytest.mark.parametrize("name", list(REQUIRED))
async def test_a_left_out_column_keeps_the_property_and_an_empty_cell_removes_it(
    empty_graph: Graph, tmp_path: Path, name: str
) -> None:
    generate("tiny", 11, tmp_path / "full")
    assert (await import_bundle(empty_graph, tmp_path / "full")).validation.ok
    before = await dump(empty_graph)

    _rewrite(tmp_path / "full", tmp_path / "short", name, keep=REQUIRED[name], empty=False)
    result = await import_bundle(empty_graph, tmp_path / "short")
    assert result.validation.ok, [str(error) for error in result.validation.errors[:3]]
    assert result.rows_written == len(read_csv(tmp_path / "full" / name))
    assert await dump(empty_graph) == before

    _rewrite(tmp_path / "full", tmp_path / "emptied", name, keep=REQUIRED[name], empty=True)
    assert (await import_bundle(empty_graph, tmp_path / "emptied")).validation.ok
    match, left = WRITES[name]
    found = await empty_graph.read(f"{match} RETURN properties(n) AS props")
    assert found
    for record in found:
        props = {prop for prop, value in record["props"].items() if value != []}
        if name == "deals.csv" and record["props"]["status"] == "WON":
            props.remove("margin")  # an empty margin cell is "not given": a WON deal keeps it
        assert props == left


async def test_link_kinds_take_the_api_names_too(empty_graph: Graph, tmp_path: Path) -> None:
    write_csv(
        tmp_path,
        "partners.csv",
        [[f"P{i}", f"N{i}", "RESELLER", "GOLD", "", "", "", "", ""] for i in (1, 2, 3)],
    )
    write_csv(
        tmp_path,
        "partner_links.csv",
        [
            ["P1", "P2", "CO_SELLS_WITH", "", ""],
            ["P1", "P3", "refers_to", "", ""],
            ["P2", "P3", "INTEGRATES_WITH", "", ""],
            ["P3", "P1", "CO_SELL", "", ""],
            ["P3", "P2", "CO_SELLS_WITH", "", ""],
            ["P3", "P2", "CO_SELL", "", ""],  # 7: the same link by its other name
        ],
    )
    result = await import_bundle(empty_graph, tmp_path)
    assert [(e.line, e.column, e.reason[:12]) for e in result.validation.errors] == [
        (7, "kind", "duplicate of")
    ]
    write_csv(tmp_path, "partner_links.csv", read_csv_rows(tmp_path / "partner_links.csv")[:-1])
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    found = await empty_graph.read(
        "MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS type, b.key AS b, r.strength AS s"
    )
    assert sorted((r["a"], r["type"], r["b"], r["s"]) for r in found) == [
        ("P1", "CO_SELLS_WITH", "P2", 0.7),
        ("P1", "REFERS_TO", "P3", 0.5),
        ("P2", "INTEGRATES_WITH", "P3", 0.4),
        ("P3", "CO_SELLS_WITH", "P1", 0.7),
        ("P3", "CO_SELLS_WITH", "P2", 0.7),
    ]


def read_csv_rows(path: Path) -> list[list[str]]:
    return [list(row.values()) for row in read_csv(path)]


@pytest.mark.parametrize("cells", [10, 8, 1])
async def test_a_row_with_a_cell_too_many_or_too_few_says_how_many(
    empty_graph: Graph, tmp_path: Path, cells: int
) -> None:
    row = ["P1", "One", "RESELLER", "GOLD", "", "", "", "", "2024-01-01", "extra"][:cells]
    write_csv(tmp_path, "partners.csv", [row])
    result = await import_bundle(empty_graph, tmp_path)
    assert [str(error) for error in result.validation.errors] == [
        f"partners.csv:2: -: the row has {cells} {'cell' if cells == 1 else 'cells'}, not 9"
    ]


async def test_a_rejected_partner_is_reported_once_with_a_count_of_the_rows_that_need_it(
    empty_graph: Graph, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    write_csv(
        bundle,
        "partners.csv",
        [
            ["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""],
            ["P3", "Three", "RESELLER", "DIAMOND", "", "", "", "", ""],
        ],
    )
    write_csv(bundle, "customers.csv", [[f"C{i}", f"N{i}", "", "", "", ""] for i in range(30)])
    write_csv(
        bundle,
        "accounts.csv",
        [["P3" if i % 3 else "P1", f"C{i}", "CUSTOMER", "", ""] for i in range(30)],
    )
    write_csv(bundle, "deals.csv", [["D1", "P3", "C1", "", "", "PENDING", "2025-01-01", ""]])
    result = await import_bundle(empty_graph, bundle)
    dependents = [e for e in result.validation.errors if "itself rejected" in e.reason]
    assert len(dependents) == 21  # every one is still a bad row of its own
    assert result.validation.report() == [
        "partners.csv:3: tier: 'DIAMOND' is not one of REGISTERED, SILVER, GOLD, PLATINUM",
        "deals.csv:2: partner_key: partner 'P3' is itself rejected (partners.csv:3)",
        "accounts.csv:3: partner_key: partner 'P3' is itself rejected (partners.csv:3)",
        "accounts.csv:4: partner_key: partner 'P3' is itself rejected (partners.csv:3)",
        "… and 18 more rows referring to partner 'P3', rejected with it",
    ]
    last = result.validation.report(few=len(dependents) - 1)[-1]
    assert last == "… and 1 more row referring to partner 'P3', rejected with it"
    rejects = tmp_path / "rejects.csv"
    await import_bundle(empty_graph, bundle, skip_invalid=True, rejects=rejects)
    assert len(read_csv(rejects)) == 1 + 21


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("deal.csv", "not a file of a bundle; did you mean deals.csv?"),
        ("Partners.csv", "not a file of a bundle; did you mean partners.csv?"),
        ("notes.csv", "not a file of a bundle"),
    ],
)
async def test_an_unknown_file_stops_the_import_unless_allowed(
    empty_graph: Graph, tmp_path: Path, name: str, reason: str
) -> None:
    write_csv(tmp_path, "partners.csv", [["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""]])
    (tmp_path / name).write_text("key\nX\n", encoding="utf-8")
    (tmp_path / ".hidden").write_text("editors leave these\n", encoding="utf-8")
    result = await import_bundle(empty_graph, tmp_path)
    assert [(p.file, p.reason) for p in result.validation.fatal] == [(name, reason)]
    assert await counts(empty_graph) == {}
    allowed = await import_bundle(empty_graph, tmp_path, ignore_unknown_files=True)
    assert allowed.validation.ok
    assert await counts(empty_graph) == {"Partner": 1}


async def test_the_rejects_file_may_sit_in_the_bundle_folder(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""]])
    rejects = tmp_path / "rejects.csv"
    for _ in range(2):
        result = await import_bundle(empty_graph, tmp_path, skip_invalid=True, rejects=rejects)
        assert result.validation.ok
