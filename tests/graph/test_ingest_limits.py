"""What Neo4j would refuse is refused by the check, so a checked bundle is written whole.

Neo4j's indexes refuse a value over about 8 kB of UTF-8, the driver an integer beyond 64 bits;
the API refuses control characters and non-finite numbers. The README's limits, written out
here: a text cell holds at most 1,000 characters, a list at most 100 items.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support import counts, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle

MAX_TEXT = 1_000
MAX_ITEMS = 100
WIDE = "😀"  # four bytes in UTF-8
PARTNERS = [[f"P{i}", f"Partner {i}", "RESELLER", "GOLD", "", "", "", "", ""] for i in range(12)]


BASE = {
    "partners.csv": PARTNERS,
    "customers.csv": [["C1", "One", "", "", "", ""]],
    "solutions.csv": [["S1", "One", "", ""]],
    "campaigns.csv": [["K1", "One", "2025-01-01", "", "", "", "", ""]],
}


# For every file and column under test: the i-th row of that file holding `value` there.
Rows = Callable[[int, str], list[str]]
TEXT_COLUMNS: dict[tuple[str, str], Rows] = {
    ("partners.csv", "key"): lambda i, v: [v, "N", "OEM", "GOLD", "", "", "", "", ""],
    ("partners.csv", "name"): lambda i, v: [f"X{i}", v, "OEM", "GOLD", "", "", "", "", ""],
    ("partners.csv", "region"): lambda i, v: [f"X{i}", "N", "OEM", "GOLD", v, "", "", "", ""],
    ("partners.csv", "country"): lambda i, v: [f"X{i}", "N", "OEM", "GOLD", "", v, "", "", ""],
    ("partners.csv", "industries"): lambda i, v: [f"X{i}", "N", "OEM", "GOLD", "", "", v, "", ""],
    ("customers.csv", "key"): lambda i, v: [v, "N", "", "", "", ""],
    ("customers.csv", "name"): lambda i, v: [f"X{i}", v, "", "", "", ""],
    ("customers.csv", "domain"): lambda i, v: [f"X{i}", "N", v, "", "", ""],
    ("customers.csv", "industry"): lambda i, v: [f"X{i}", "N", "", v, "", ""],
    ("customers.csv", "region"): lambda i, v: [f"X{i}", "N", "", "", v, ""],
    ("solutions.csv", "name"): lambda i, v: [f"X{i}", v, "", ""],
    ("campaigns.csv", "name"): lambda i, v: [f"X{i}", v, "2025-01-01", "", "", "", "", ""],
    ("campaigns.csv", "target_regions"): lambda i, v: [
        f"X{i}",
        "N",
        "2025-01-01",
        "",
        "",
        "",
        "",
        v,
    ],
    ("agreements.csv", "key"): lambda i, v: [
        v,
        "P1",
        "P2",
        "ACCOUNT_LIST",
        "2025-01-01",
        "",
        "ACTIVE",
    ],
    ("deals.csv", "key"): lambda i, v: [v, "P1", "C1", "", "", "PENDING", "2025-01-01", ""],
    ("deals.csv", "stage"): lambda i, v: [f"X{i}", "P1", "C1", "", v, "PENDING", "2025-01-01", ""],
    ("campaign_partners.csv", "role"): lambda i, v: ["K1", f"P{i}", v, ""],
}
NUMBER_COLUMNS: dict[tuple[str, str], Rows] = {
    ("customers.csv", "employees"): lambda i, v: [f"X{i}", "N", "", "", "", v],
    ("campaigns.csv", "budget"): lambda i, v: [f"X{i}", "N", "2025-01-01", "", "", v, "", ""],
    ("deals.csv", "amount"): lambda i, v: [f"X{i}", "P1", "C1", v, "", "PENDING", "2025-01-01", ""],
    ("sub_partners.csv", "strength"): lambda i, v: [f"P{i + 1}", "P0", "", v],
    ("accounts.csv", "strength"): lambda i, v: [f"P{i}", "C1", "CUSTOMER", "", v],
    ("partner_links.csv", "strength"): lambda i, v: [f"P{i + 1}", "P0", "CO_SELL", v, ""],
    ("solution_partners.csv", "share"): lambda i, v: ["S1", f"P{i}", "", v, ""],
    ("solution_partners.csv", "strength"): lambda i, v: ["S1", f"P{i}", "", "", v],
    ("campaign_partners.csv", "mdf"): lambda i, v: ["K1", f"P{i}", "", v],
}
NON_FINITE = ["inf", "-inf", "nan", "NaN", "Infinity", "1e999", "-1e999", "1E400"]


def bundle(folder: Path, file: str, rows: list[list[str]]) -> None:
    """Partners P0-P11, customer C1, solution S1 and campaign K1, and `rows` in `file`."""
    for name, base in BASE.items():
        write_csv(folder, name, base)
    write_csv(folder, file, BASE.get(file, []) + rows)
    # A file after it, so a refusal there would leave the earlier files written.
    if file != "campaign_partners.csv":
        write_csv(folder, "campaign_partners.csv", [["K1", "P0", "LEAD", ""]])


def first_line(file: str) -> int:
    return 2 + len(BASE.get(file, []))


async def refused(graph: Graph, folder: Path, file: str, column: str, lines: int) -> list[str]:
    """Import; every one of `lines` rows from the first is refused on `column`; nothing is written."""
    result = await import_bundle(graph, folder)
    found = {
        (error.file, error.line, error.column): error.reason for error in result.validation.errors
    }
    start = first_line(file)
    assert set(found) == {(file, line, column) for line in range(start, start + lines)}, found
    assert not result.wrote
    assert await counts(graph) == {}
    return list(found.values())


@pytest.mark.parametrize(("file", "column"), list(TEXT_COLUMNS))
async def test_text_over_the_limit_is_refused_in_characters_and_at_9_kb(
    empty_graph: Graph, tmp_path: Path, file: str, column: str
) -> None:
    make = TEXT_COLUMNS[(file, column)]
    values = ["a" * 9_000, WIDE * 2_100, "b" * (MAX_TEXT + 1)]
    bundle(tmp_path, file, [make(i, value) for i, value in enumerate(values)])
    for reason in await refused(empty_graph, tmp_path, file, column, len(values)):
        assert f"{MAX_TEXT:,}" in reason


@pytest.mark.parametrize(("file", "column"), list(TEXT_COLUMNS))
async def test_text_at_the_limit_in_four_byte_characters_is_written(
    empty_graph: Graph, tmp_path: Path, file: str, column: str
) -> None:
    bundle(tmp_path, file, [TEXT_COLUMNS[(file, column)](1, WIDE * MAX_TEXT)])
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, [str(error) for error in result.validation.errors]
    nodes = await empty_graph.read("MATCH (n) RETURN properties(n) AS props")
    edges = await empty_graph.read("MATCH ()-[r]->() RETURN properties(r) AS props")
    found = [
        value
        for record in [*nodes, *edges]
        for value in record["props"].values()
        if WIDE * MAX_TEXT in (value if isinstance(value, list) else [value])
    ]
    assert found  # (a name is also stored lowered)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f"])
async def test_control_characters_are_refused(
    empty_graph: Graph, tmp_path: Path, char: str
) -> None:
    rows = [
        [f"K{char}K", "N", "OEM", "GOLD", "", "", "", "", ""],
        ["X1", f"a{char}b", "OEM", "GOLD", "", "", "", "", ""],
        ["X2", "N", "OEM", "GOLD", "", "", f"Retail;He{char}alth", "", ""],
    ]
    bundle(tmp_path, "partners.csv", rows)
    result = await import_bundle(empty_graph, tmp_path)
    assert [(error.line, error.column) for error in result.validation.errors] == [
        (14, "key"),
        (15, "name"),
        (16, "industries"),
    ]
    assert all("control character" in error.reason for error in result.validation.errors)
    assert await counts(empty_graph) == {}


async def test_tabs_and_line_breaks_in_a_name_are_kept(empty_graph: Graph, tmp_path: Path) -> None:
    bundle(tmp_path, "partners.csv", [["X1", "a\tb\r\nc", "OEM", "GOLD", "", "", "", "", ""]])
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    stored = await empty_graph.read("MATCH (p:Partner {key: 'X1'}) RETURN p.name AS name")
    assert stored[0]["name"] == "a\tb\r\nc"


@pytest.mark.parametrize("char", ["\t", "\n"])
async def test_a_key_holds_no_tab_or_line_break_as_the_api_looks_it_up(
    empty_graph: Graph, tmp_path: Path, char: str
) -> None:
    rows = [[f"K{char}K", "N", "OEM", "GOLD", "", "", "", "", ""]]
    bundle(tmp_path, "partners.csv", rows)
    write_csv(tmp_path, "accounts.csv", [[f"P{char}1", "C1", "CUSTOMER", "", ""]])
    result = await import_bundle(empty_graph, tmp_path)
    assert [(error.file, error.line, error.column) for error in result.validation.errors] == [
        ("partners.csv", 14, "key"),
        ("accounts.csv", 2, "partner_key"),
    ], [str(error) for error in result.validation.errors]
    assert all("tab or line break" in error.reason for error in result.validation.errors)
    assert await counts(empty_graph) == {}


@pytest.mark.parametrize(("file", "column"), list(NUMBER_COLUMNS))
async def test_non_finite_numbers_are_refused_in_every_numeric_column(
    empty_graph: Graph, tmp_path: Path, file: str, column: str
) -> None:
    make = NUMBER_COLUMNS[(file, column)]
    bundle(tmp_path, file, [make(i, value) for i, value in enumerate(NON_FINITE)])
    await refused(empty_graph, tmp_path, file, column, len(NON_FINITE))


async def test_employees_beyond_neo4j_integers_are_refused(
    empty_graph: Graph, tmp_path: Path
) -> None:
    make = NUMBER_COLUMNS[("customers.csv", "employees")]
    bundle(tmp_path, "customers.csv", [make(0, str(2**63)), make(1, "1" + "0" * 30)])
    await refused(empty_graph, tmp_path, "customers.csv", "employees", 2)
    bundle(tmp_path, "customers.csv", [make(0, str(2**63 - 1))])
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok


@pytest.mark.parametrize("value", ["1_000", "١٢", "0x10", "12abc"])
async def test_numbers_are_plain_decimals(empty_graph: Graph, tmp_path: Path, value: str) -> None:
    make = NUMBER_COLUMNS[("deals.csv", "amount")]
    bundle(tmp_path, "deals.csv", [make(0, value)])
    await refused(empty_graph, tmp_path, "deals.csv", "amount", 1)


async def test_a_list_holds_at_most_100_items(empty_graph: Graph, tmp_path: Path) -> None:
    make = TEXT_COLUMNS[("partners.csv", "industries")]
    many = ";".join(f"I{n}" for n in range(MAX_ITEMS + 1))
    bundle(tmp_path, "partners.csv", [make(0, many)])
    (reason,) = await refused(empty_graph, tmp_path, "partners.csv", "industries", 1)
    assert f"{MAX_ITEMS}" in reason
    bundle(tmp_path, "partners.csv", [make(0, many.rsplit(";", 1)[0])])
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
