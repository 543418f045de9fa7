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
