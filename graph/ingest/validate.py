"""Checking a whole bundle before anything is written.

Every row is read and checked: its cells, its dates and ranges, duplicate identities, references
to keys in the bundle or already in the graph, and cycles in the sub-partner hierarchy (with the
graph's own edges). The result names every bad row; the writer skips exactly those.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Record

from graph.db import Graph
from graph.ingest.read import FileProblem, rows
from graph.ingest.spec import FILES, LABEL_FILES, REQUIRED_FILES, SUB_PARTNERS, FileSpec
from graph.schema import LABELS

Progress = Callable[[str, int], None]  # (file name, rows just done)

EXISTING_KEYS = {
    label: f"UNWIND $keys AS key MATCH (n:{label} {{key: key}}) RETURN n.key AS key"
    for label in LABELS
}
SUB_PARTNER_EDGES = (
    "MATCH (child:Partner)-[:SUB_PARTNER_OF]->(parent:Partner) "
    "RETURN child.key AS child, parent.key AS parent"
)
LOOKUP_BATCH = 10_000
PROGRESS_EVERY = 10_000


@dataclass(frozen=True, order=True)
class RowError:
    order: int  # the file's place in the bundle, so errors sort file by file
    line: int
    file: str
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class FileReport:
    spec: FileSpec
    path: Path
    rows: int = 0
    bad: dict[int, int] = field(default_factory=dict)  # first line -> last line of each bad row

    @property
    def good(self) -> int:
        return self.rows - len(self.bad)


@dataclass
class Validation:
    files: list[FileReport]
    errors: list[RowError]
    fatal: list[FileProblem]  # a whole file is unreadable: nothing can be written

    @property
    def bad_rows(self) -> int:
        return sum(len(report.bad) for report in self.files)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.fatal


@dataclass(frozen=True)
class _Reference:
    """A row's reference to a key the bundle does not hold: the graph may hold it."""

    report: FileReport
    line: int
    end: int
    column: str
    label: str
    key: str


def bundle_files(folder: Path) -> list[tuple[FileSpec, Path]]:
    return [(spec, folder / spec.name) for spec in FILES if (folder / spec.name).is_file()]


async def validate(graph: Graph, folder: Path, progress: Progress | None = None) -> Validation:
    checker = _Checker(progress or (lambda name, done: None))
    fatal = [
        FileProblem(name, 0, "-", "required file is missing")
        for name in REQUIRED_FILES
        if not (folder / name).is_file()
    ]
    for spec, path in bundle_files(folder):
        try:
            checker.check_file(spec, path)
        except FileProblem as problem:
            fatal.append(problem)
    if not fatal:
        await checker.resolve_references(graph)
        checker.check_cycles(await graph.read(SUB_PARTNER_EDGES))
    return Validation(checker.reports, sorted(checker.errors), fatal)


class _Checker:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.keys: dict[str, dict[str, int]] = defaultdict(dict)  # label -> good key -> line
        self.rejected: dict[str, dict[str, int]] = defaultdict(dict)  # label -> bad key -> line
        self.references: list[_Reference] = []
        self.errors: list[RowError] = []
        self.hierarchy: list[tuple[FileReport, int, int, str, str]] = []
        self.reports: list[FileReport] = []
        self.order = {spec.name: position for position, spec in enumerate(FILES)}

    def fail(self, report: FileReport, line: int, end: int, column: str, reason: str) -> None:
        name = report.spec.name
        self.errors.append(RowError(self.order[name], line, name, column, reason))
        report.bad.setdefault(line, end)

    def check_file(self, spec: FileSpec, path: Path) -> None:
        report = FileReport(spec, path)
        self.reports.append(report)
        identities: dict[object, int] = {}
        refs = [(column.prop, column.name, column.ref or "") for column in spec.refs]
        done = 0
        for line, end, row, problems in rows(path, spec):
            report.rows += 1
            done += 1
            if done == PROGRESS_EVERY:
                self.progress(spec.name, done)
                done = 0
            for column, reason in problems:
                self.fail(report, line, end, column, reason)
            if problems:
                if spec.label and row.get("key"):
                    self.rejected[spec.label].setdefault(row["key"], line)
                continue
            for prop, name, label in refs:
                self._check_reference(report, line, end, name, label, row[prop])
            # Interned: a file of millions of rows shares each key's one string.
            identity = tuple(sys.intern(row[prop]) for prop in spec.identity)
            first = identities.setdefault(identity, line)
            if first != line:
                columns = ", ".join(spec.identity_columns)
                self.fail(
                    report,
                    line,
                    end,
                    spec.identity_columns[-1],
                    f"duplicate of line {first} (same {columns})",
                )
                continue
            if spec.label:
                self.keys[spec.label][row["key"]] = line
            if spec is SUB_PARTNERS:
                self.hierarchy.append((report, line, end, row["child"], row["parent"]))
        self.progress(spec.name, done)

    def _check_reference(
        self, report: FileReport, line: int, end: int, column: str, label: str, key: str
    ) -> None:
        if key in self.keys[label]:
            return
        if key in self.rejected[label]:
            source = LABEL_FILES[label].name
            where = self.rejected[label][key]
            self.fail(
                report,
                line,
                end,
                column,
                f"{label.lower()} {key!r} is itself rejected ({source}:{where})",
            )
            return
        self.references.append(_Reference(report, line, end, column, label, key))

    async def resolve_references(self, graph: Graph) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for reference in self.references:
            wanted[reference.label].add(reference.key)
        found: dict[str, set[str]] = {}
        for label, keys in wanted.items():
            ordered = sorted(keys)
            found[label] = set()
            for start in range(0, len(ordered), LOOKUP_BATCH):
                batch = ordered[start : start + LOOKUP_BATCH]
                records = await graph.read(EXISTING_KEYS[label], {"keys": batch})
                found[label].update(record["key"] for record in records)
        for ref in self.references:
            if ref.key not in found[ref.label]:
                source = LABEL_FILES[ref.label].name
                self.fail(
                    ref.report,
                    ref.line,
                    ref.end,
                    ref.column,
                    f"unknown {ref.label.lower()} {ref.key!r}: not in {source} nor in the graph",
                )

    def check_cycles(self, existing: list[Record]) -> None:
        """Add the bundle's edges in file order; an edge that would close a cycle is bad."""
        parents: dict[str, set[str]] = defaultdict(set)
        for record in existing:
            parents[record["child"]].add(record["parent"])
        for report, line, end, child, parent in self.hierarchy:
            if line in report.bad:
                continue
            path = _path_up(parents, parent, child)
            if path is not None:
                loop = " → ".join([child, *path])
                self.fail(
                    report,
                    line,
                    end,
                    "parent_key",
                    f"would close a cycle in the sub-partner hierarchy: {loop}",
                )
                continue
            parents[child].add(parent)


def _path_up(parents: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path from `start` up through parents to `goal`, or None."""
    if start == goal:
        return [start]
    trail: dict[str, str | None] = {start: None}
    stack = [start]
    while stack:
        node = stack.pop()
        for parent in sorted(parents.get(node, ())):
            if parent in trail:
                continue
            trail[parent] = node
            if parent == goal:
                path = [parent]
                step: str | None = node
                while step is not None:
                    path.append(step)
                    step = trail[step]
                return path[::-1]
            stack.append(parent)
    return None
