"""Checking a whole bundle before anything is written.

Every row is read and checked: its cells (what Neo4j or the API would refuse among them), its
dates and ranges, duplicate identities, references to keys in the bundle or already in the graph,
cycles in the sub-partner hierarchy (with the graph's own edges), and the program the bundle
leaves (with the graph's own tiers). The result names every bad row; the writer skips exactly
those. A file of the folder that is not a bundle file stops it all.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Record

from graph.db import Graph
from graph.ingest.read import FileProblem, UnknownFile, rows
from graph.ingest.spec import (
    BY_NAME,
    FILES,
    LABEL_FILES,
    PROGRAM_TIERS,
    REQUIRED_FILES,
    SUB_PARTNERS,
    FileSpec,
    shown,
)
from graph.messages import number_of
from graph.program import (
    DECREASING,
    TIERS,
    ProgramTier,
    merged,
    problem,
    read_program,
    threshold,
)
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
FEW = 3  # rows shown of those rejected with a row they refer to


@dataclass(frozen=True, order=True)
class RowError:
    order: int  # the file's place in the bundle, so errors sort file by file
    line: int
    file: str
    column: str
    reason: str
    # Set when the row refers to a rejected row: that row ("partners.csv:5") and what it is.
    root: str = field(default="", compare=False)
    subject: str = field(default="", compare=False)

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

    def report(self, few: int = FEW) -> list[str]:
        """Every error, one a line, in bundle order; the rows rejected only because they refer to
        a rejected row follow that row's errors: the first `few`, then how many more."""
        followers: dict[str, list[RowError]] = defaultdict(list)
        for error in self.errors:
            if error.root:
                followers[error.root].append(error)
        lines: list[str] = []
        for (file, line), errors in itertools.groupby(self.errors, lambda e: (e.file, e.line)):
            lines.extend(str(error) for error in errors if not error.root)
            after = followers.pop(f"{file}:{line}", [])
            lines.extend(str(error) for error in after[:few])
            if len(after) > few:
                lines.append(
                    f"… and {number_of(len(after) - few, 'more row')} referring to "
                    f"{after[0].subject}, rejected with it"
                )
        return lines


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


def unknown_files(folder: Path, own: Iterable[Path] = ()) -> list[FileProblem]:
    """The folder's files that are not bundle files (hidden ones and `own` aside), each with the
    bundle file its name is nearest to, if any."""
    skipped = {path.resolve() for path in own}
    lowered = {name.lower(): name for name in BY_NAME}
    problems: list[FileProblem] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name in BY_NAME or name.startswith(".") or not path.is_file():
            continue
        if path.resolve() in skipped:
            continue
        near = difflib.get_close_matches(name.lower(), lowered, n=1, cutoff=0.75)
        hint = f"; did you mean {lowered[near[0]]}?" if near else ""
        problems.append(UnknownFile(name, f"not a file of a bundle{hint}"))
    return problems


def unusable_files(folder: Path) -> list[FileProblem]:
    """The bundle's names in the folder that are not files to read (a broken link, a folder):
    left out, they would lose a whole file without a word."""
    problems: list[FileProblem] = []
    for spec in FILES:
        path = folder / spec.name
        if path.is_file():
            continue
        if path.is_symlink() and not path.exists():
            target = path.parent / path.readlink()
            reason = f"is a link to a file that does not exist ({target})"
            problems.append(FileProblem(spec.name, 0, "-", reason))
        elif path.exists():
            problems.append(FileProblem(spec.name, 0, "-", "is not a file"))
    return problems


async def validate(
    graph: Graph,
    folder: Path,
    progress: Progress | None = None,
    *,
    ignore_unknown_files: bool = False,
    own: Iterable[Path] = (),
) -> Validation:
    """Check the bundle in `folder`; `own` are files there that are not the bundle's (the
    rejects file), and with `ignore_unknown_files` every other file is left out too."""
    checker = _Checker(progress or (lambda name, done: None))
    fatal = [] if ignore_unknown_files else unknown_files(folder, own)
    fatal += unusable_files(folder)
    fatal += [
        FileProblem(name, 0, "-", "required file is missing")
        for name in REQUIRED_FILES
        if not (folder / name).is_file() and not (folder / name).is_symlink()
    ]
    for spec, path in bundle_files(folder):
        try:
            await checker.check_file(spec, path)
        except FileProblem as problem:
            fatal.append(problem)
    if not fatal:
        await checker.resolve_references(graph)
        checker.check_cycles(await graph.read(SUB_PARTNER_EDGES))
        if checker.tiers:
            checker.check_program(await read_program(graph))
    return Validation(checker.reports, sorted(checker.errors), fatal)


class _Checker:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.keys: dict[str, dict[str, int]] = defaultdict(dict)  # label -> good key -> line
        self.rejected: dict[str, dict[str, int]] = defaultdict(dict)  # label -> bad key -> line
        self.references: list[_Reference] = []
        self.errors: list[RowError] = []
        self.hierarchy: list[tuple[FileReport, int, int, str, str]] = []
        self.tiers: list[tuple[FileReport, int, int, ProgramTier]] = []
        self.reports: list[FileReport] = []
        self.order = {spec.name: position for position, spec in enumerate(FILES)}

    def fail(
        self,
        report: FileReport,
        line: int,
        end: int,
        column: str,
        reason: str,
        root: str = "",
        subject: str = "",
    ) -> None:
        name = report.spec.name
        self.errors.append(RowError(self.order[name], line, name, column, reason, root, subject))
        report.bad.setdefault(line, end)

    async def check_file(self, spec: FileSpec, path: Path) -> None:
        report = FileReport(spec, path)
        self.reports.append(report)
        identities: dict[object, int] = {}
        refs = [(column.prop, column.name, column.ref or "") for column in spec.refs]
        done = 0
        for line, end, row, problems, _size in rows(path, spec):
            report.rows += 1
            done += 1
            if done == PROGRESS_EVERY:
                self.progress(spec.name, done)
                done = 0
                await asyncio.sleep(0)  # where Ctrl-C (a cancelled task) stops a long check
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
            if spec is PROGRAM_TIERS:
                self.tiers.append((report, line, end, ProgramTier.of(row)))
        self.progress(spec.name, done)

    def _check_reference(
        self, report: FileReport, line: int, end: int, column: str, label: str, key: str
    ) -> None:
        if key in self.keys[label]:
            return
        if key in self.rejected[label]:
            root = f"{LABEL_FILES[label].name}:{self.rejected[label][key]}"
            subject = f"{label.lower()} {shown(key)}"
            self.fail(
                report, line, end, column, f"{subject} is itself rejected ({root})", root, subject
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
                    f"unknown {ref.label.lower()} {shown(ref.key)}: "
                    f"not in {source} nor in the graph",
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

    def check_program(self, stored: list[ProgramTier]) -> None:
        """The program the bundle's good tiers leave over the stored ones must not decrease up
        the tiers: the row of the tier named (or, when the bundle leaves that tier as stored,
        of the tier below it) is bad, and the rest are checked again without it."""
        rows = {item[3].tier: item for item in self.tiers}
        while True:
            program = merged((item[3] for item in rows.values()), stored)
            found = problem(program)
            if found is None:
                return
            named, why = found
            blamed = named if named in rows else TIERS[TIERS.index(named) - 1]
            report, line, end, _tier = rows.pop(blamed)
            column = "min_sales" if threshold(program, named) == "minSales" else "min_won_deals"
            self.fail(report, line, end, column, f"{DECREASING}: {why}")


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
