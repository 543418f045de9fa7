"""Bundles as they come from other tools and hands: links, encodings, odd headers."""

from __future__ import annotations

from pathlib import Path

from support import counts, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle

PARTNER = ["P1", "One", "RESELLER", "GOLD", "", "", "", "", ""]


def fatal(result: object) -> list[str]:
    return [str(problem) for problem in result.validation.fatal]  # type: ignore[attr-defined]


async def test_a_bundle_file_that_is_a_broken_link_stops_the_import(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    (tmp_path / "customers.csv").symlink_to(tmp_path / "gone" / "customers.csv")
    result = await import_bundle(empty_graph, tmp_path)
    assert fatal(result) == [
        "customers.csv: is a link to a file that does not exist "
        f"({tmp_path / 'gone' / 'customers.csv'})"
    ]
    assert await counts(empty_graph) == {}


async def test_a_folder_named_as_a_bundle_file_stops_the_import(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER])
    (tmp_path / "accounts.csv").mkdir()
    result = await import_bundle(empty_graph, tmp_path)
    assert fatal(result) == ["accounts.csv: is not a file"]
    assert await counts(empty_graph) == {}


async def test_a_link_to_a_bundle_file_is_read(empty_graph: Graph, tmp_path: Path) -> None:
    write_csv(tmp_path / "elsewhere", "partners.csv", [PARTNER])
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "partners.csv").symlink_to(tmp_path / "elsewhere" / "partners.csv")
    result = await import_bundle(empty_graph, tmp_path / "bundle")
    assert result.validation.ok
    assert await counts(empty_graph) == {"Partner": 1}


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


HEADER = b"key,name,type,tier\n"


async def test_a_latin_1_byte_is_named_at_its_own_line(empty_graph: Graph, tmp_path: Path) -> None:
    good = b"".join(b"P%d,Partner %d,RESELLER,GOLD\n" % (i, i) for i in range(2_000))
    _write(tmp_path, "partners.csv", HEADER + good + b"X1,Caf\xe9,RESELLER,GOLD\n")
    result = await import_bundle(empty_graph, tmp_path)
    assert fatal(result) == [
        "partners.csv:2002: -: not UTF-8: byte 0xE9 (Latin-1 or Windows-1252 text? "
        "save the file as UTF-8)"
    ]


async def test_utf_16_is_named_as_such(empty_graph: Graph, tmp_path: Path) -> None:
    text = "key,name,type,tier\nP1,One,RESELLER,GOLD\n"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        _write(tmp_path, "partners.csv", text.encode(encoding))
        result = await import_bundle(empty_graph, tmp_path)
        assert fatal(result) == [
            "partners.csv: is UTF-16 text, not UTF-8 (save the file as UTF-8)"
        ], encoding
    assert await counts(empty_graph) == {}


async def _header_problem(graph: Graph, folder: Path, header: bytes) -> list[str]:
    _write(folder, "partners.csv", header + b"\n")
    return fatal(await import_bundle(graph, folder))


async def test_an_unknown_column_is_named_with_the_column_it_is_near_to(
    empty_graph: Graph, tmp_path: Path
) -> None:
    assert await _header_problem(empty_graph, tmp_path, b"Key,name,type,tier") == [
        "partners.csv:1: Key: unknown column; did you mean key?"
    ]
    assert await _header_problem(empty_graph, tmp_path, b"key,name,type,tier,Joined On") == [
        "partners.csv:1: Joined On: unknown column; did you mean joined_on?"
    ]


async def test_a_column_without_a_name_and_another_separator_are_said_plainly(
    empty_graph: Graph, tmp_path: Path
) -> None:
    assert await _header_problem(empty_graph, tmp_path, b"key,name,type,tier,") == [
        "partners.csv:1: #5: the column has no name"
    ]
    assert await _header_problem(empty_graph, tmp_path, b"key;name;type;tier") == [
        "partners.csv:1: key;name;type;tier: unknown column; cells are separated by commas, not ';'"
    ]
    assert await _header_problem(empty_graph, tmp_path, b"key\tname\ttype\ttier") == [
        "partners.csv:1: 'key\\tname\\ttype\\ttier': unknown column; "
        "cells are separated by commas, not '\\t'"
    ]


async def test_blank_lines_before_the_header_are_skipped(
    empty_graph: Graph, tmp_path: Path
) -> None:
    _write(tmp_path, "partners.csv", b"\n\r\n" + HEADER + b"P1,One,RESELLER,GOLD\n")
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, fatal(result)
    assert await counts(empty_graph) == {"Partner": 1}


async def test_a_quote_left_open_is_named_at_the_row_it_opens(
    empty_graph: Graph, tmp_path: Path
) -> None:
    rows = b"P1,One,RESELLER,GOLD\n" + b'P2,"Two,RESELLER,GOLD\n' + b"P3,Three,RESELLER,GOLD\n" * 5
    _write(tmp_path, "partners.csv", HEADER + rows)
    assert fatal(await import_bundle(empty_graph, tmp_path)) == [
        "partners.csv:3: -: a quoted cell starts in this row and is not closed before the end "
        "of the file"
    ]


async def test_a_cell_too_long_to_read_is_said_in_words(empty_graph: Graph, tmp_path: Path) -> None:
    long = b"P2," + b"x" * 200_000 + b",RESELLER,GOLD\n"
    _write(tmp_path, "partners.csv", HEADER + b"P1,One,RESELLER,GOLD\n" + long)
    assert fatal(await import_bundle(empty_graph, tmp_path)) == [
        "partners.csv:3: -: a cell of this row runs over 131,072 characters, too long to read "
        "(the most a cell holds is 1,000; is a quote left open?)"
    ]


async def test_scopes_are_stored_once_each_as_the_api_stores_them(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(tmp_path, "partners.csv", [PARTNER, ["P2", "Two", "MSP", "GOLD"] + [""] * 5])
    scopes = "ACCOUNT_LIST;overlap_counts;ACCOUNT_LIST;"
    write_csv(tmp_path, "agreements.csv", [["A1", "P1", "P2", scopes, "2025-01-01", "", "ACTIVE"]])
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, fatal(result)
    records = await empty_graph.read("MATCH (a:Agreement) RETURN a.scopes AS scopes")
    assert [record["scopes"] for record in records] == [["ACCOUNT_LIST", "OVERLAP_COUNTS"]]
