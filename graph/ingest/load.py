"""Importing a bundle: check every row, then write all of it, or only its good rows on request.

The database failing, before the write or during it, is an `Unavailable` with a one-line message;
Ctrl-C (the import's task cancelled) is an `Interrupted` saying what is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from neo4j.exceptions import DriverError, Neo4jError

from graph.db import Graph
from graph.deals import undated_closed_deals
from graph.errors import Interrupted, Unavailable
from graph.ingest.read import raw_lines
from graph.ingest.spec import DEALS
from graph.ingest.validate import RowError, Validation, validate
from graph.ingest.write import Written, write_bundle
from graph.schema import apply_schema

Progress = Callable[[str, str, int], None]  # (phase "check" or "write", file name, rows done)

REJECTS_HEADER = ["file", "line", "column", "reason", "row"]


@dataclass
class ImportResult:
    validation: Validation
    written: list[Written] = field(default_factory=list)
    check_seconds: float = 0.0
    write_seconds: float = 0.0
    # After a bundle with deals.csv is written: the WON or LOST deals left without closedOn.
    undated: int | None = None

    @property
    def wrote(self) -> bool:
        return bool(self.written)

    @property
    def rows_written(self) -> int:
        return sum(item.rows for item in self.written)


async def import_bundle(
    graph: Graph,
    folder: Path,
    *,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    ignore_unknown_files: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the bundle; write it when every row is good, or its good rows with `skip_invalid`.

    A file that cannot be read at all (a bad header, not UTF-8), or one in the folder that is not
    a bundle file (unless `ignore_unknown_files`), stops the import in any mode.
    """
    tell = progress or (lambda phase, name, done: None)
    try:
        await apply_schema(graph)
        began = time.perf_counter()
        validation = await validate(
            graph,
            folder,
            lambda name, done: tell("check", name, done),
            ignore_unknown_files=ignore_unknown_files,
            own=[rejects] if rejects else [],
        )
    except (Neo4jError, DriverError) as error:
        cause = (str(error) or type(error).__name__).splitlines()[0].rstrip(":")
        raise Unavailable(f"Neo4j at {graph.uri} failed ({cause}); nothing was written") from error
    except asyncio.CancelledError:
        raise Interrupted(
            "interrupted while the bundle was being checked: nothing written"
        ) from None
    result = ImportResult(validation, check_seconds=time.perf_counter() - began)
    if validation.fatal or (validation.errors and not skip_invalid):
        return result
    if rejects is not None:
        write_rejects(validation, rejects)
    began = time.perf_counter()
    result.written = await write_bundle(
        graph, validation, lambda name, done: tell("write", name, done)
    )
    result.write_seconds = time.perf_counter() - began
    if any(report.spec is DEALS for report in validation.files):
        # The bundle is written: the database failing now costs the summary this figure only.
        with contextlib.suppress(Neo4jError, DriverError, Unavailable):
            result.undated = await undated_closed_deals(graph)
    return result


def write_rejects(validation: Validation, target: Path) -> int:
    """Write each bad row, unchanged, with where it came from and every reason it was refused."""
    by_row: dict[tuple[str, int], list[RowError]] = {}
    for error in validation.errors:
        by_row.setdefault((error.file, error.line), []).append(error)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(REJECTS_HEADER)
        for report in validation.files:
            texts = raw_lines(report.path, report.bad)
            for line in sorted(report.bad):
                errors = by_row[(report.spec.name, line)]
                reason = "; ".join(f"{error.column}: {error.reason}" for error in errors)
                raw = texts[line].rstrip("\r\n")
                out.writerow([report.spec.name, line, errors[0].column, reason, raw])
                count += 1
    return count
