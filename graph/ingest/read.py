"""Reading a bundle file: rows with the line each starts on, cells turned into typed values."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.ingest.spec import MAX_TEXT, SHOWN, FileSpec, Problem, Row, shown
from graph.messages import number_of


class FileProblem(Exception):
    """A file that cannot be read row by row at all (a bad header, not UTF-8)."""

    def __init__(self, file: str, line: int, column: str, reason: str) -> None:
        where = f"{file}:{line}: {column}" if line else file  # line 0: the file as a whole
        super().__init__(f"{where}: {reason}")
        self.file, self.line, self.column, self.reason = file, line, column, reason


class UnknownFile(FileProblem):
    """A file in the bundle's folder that is not one of the bundle's (a typo would lose it)."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(file, 0, "-", reason)


@dataclass(frozen=True)
class Layout:
    """Where each column of the file's header sits. A column left out is not in the rows: the
    writer leaves its property as the graph holds it."""

    spec: FileSpec
    cells: int
    slots: tuple[tuple[str, int, Any, bool, str, bool], ...]
    present: frozenset[str]  # the props of the columns in the header

    @classmethod
    def of(cls, spec: FileSpec, header: list[str], line: int = 1) -> Layout:
        names = [name.strip() for name in header]
        known = set(spec.header)
        for position, name in enumerate(names):
            if not name:
                raise FileProblem(spec.name, line, f"#{position + 1}", "the column has no name")
            if name not in known:
                shown_name = name if name.isprintable() and len(name) <= SHOWN else shown(name)
                reason = "unknown column" + _hint(name, names, spec)
                raise FileProblem(spec.name, line, shown_name, reason)
            if names.index(name) != position:
                raise FileProblem(spec.name, line, name, "column given twice")
        slots = []
        for column in spec.columns:
            if column.name not in names:
                if column.required:
                    raise FileProblem(spec.name, line, column.name, "required column is missing")
                continue
            index = names.index(column.name)
            slots.append(
                (column.prop, index, column.parse, column.required, column.name, column.many)
            )
        return cls(spec, len(names), tuple(slots), frozenset(slot[0] for slot in slots))

    def parse(self, cells: list[str]) -> tuple[Row, list[Problem]]:
        row: Row = {}
        problems: list[Problem] = []
        if len(cells) != self.cells:
            problems.append(("-", f"the row has {number_of(len(cells), 'cell')}, not {self.cells}"))
            return row, problems
        for prop, index, parse, required, name, many in self.slots:
            raw = cells[index].strip()
            if not raw:
                if required:
                    problems.append((name, "is empty; a value is required"))
                row[prop] = [] if many else None
                continue
            try:
                row[prop] = parse(raw)
            except ValueError as error:
                problems.append((name, str(error)))
        # The row's own rules (dates in order, ...) skip the cells already found bad.
        flagged = {column for column, _ in problems}
        problems.extend(item for item in self.spec.check(row) if item[0] not in flagged)
        if not problems:
            self.spec.finish(row)
        return row, problems


SEPARATORS = (";", "\t", "|")  # what other tools put between cells


def _hint(name: str, names: list[str], spec: FileSpec) -> str:
    """What an unknown column name is likely meant to be."""
    if len(names) == 1:
        for separator in SEPARATORS:
            if separator in name:
                return f"; cells are separated by commas, not {separator!r}"
    written = name.lower().replace(" ", "_").replace("-", "_")
    near = difflib.get_close_matches(written, spec.header, n=1, cutoff=0.75)
    return f"; did you mean {near[0]}?" if near else ""


def _header(reader: Iterator[list[str]]) -> list[str] | None:
    """The first row that is not a blank line, or None."""
    return next((cells for cells in reader if cells), None)


def layout(path: Path, spec: FileSpec) -> Layout:
    """The layout of a file whose rows have been read (and the header found good) before."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return Layout.of(spec, _header(csv.reader(handle, strict=True)) or [])


def rows(path: Path, spec: FileSpec) -> Iterator[tuple[int, int, Row, list[Problem], int]]:
    """Yield (first line, last line, row, problems, characters in its cells) for each row;
    blank lines are skipped."""
    _check_utf_16(path, spec)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        last = 0  # the last line of the last row read: the row being read starts after it
        try:
            header = _header(reader)
            if header is None:
                raise FileProblem(spec.name, 1, "-", "the file is empty; a header row is needed")
            layout = Layout.of(spec, header, reader.line_num)
            last = reader.line_num
            for cells in reader:
                start, last = last + 1, reader.line_num
                if not cells:
                    continue
                row, problems = layout.parse(cells)
                yield start, last, row, problems, sum(map(len, cells))
        except UnicodeDecodeError:
            raise _not_utf_8(path, spec) from None
        except csv.Error as error:
            raise FileProblem(spec.name, last + 1, "-", _csv_reason(str(error))) from None


def _csv_reason(error: str) -> str:
    """The csv module's complaint about a row, in words (it reports the row's last line)."""
    if error == "unexpected end of data":
        return "a quoted cell starts in this row and is not closed before the end of the file"
    if error.startswith("field larger than field limit"):
        return (
            f"a cell of this row runs over {csv.field_size_limit():,} characters, too long to "
            f"read (the most a cell holds is {MAX_TEXT:,}; is a quote left open?)"
        )
    return f"not valid CSV ({error})"


UTF_16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _check_utf_16(path: Path, spec: FileSpec) -> None:
    """UTF-16 (a spreadsheet's "Unicode text") starts with its byte order mark or, without one,
    with a NUL byte beside the header's first letter."""
    with path.open("rb") as handle:
        start = handle.read(2)
    if start.startswith(UTF_16_MARKS) or 0 in start:
        raise FileProblem(spec.name, 0, "-", "is UTF-16 text, not UTF-8 (save the file as UTF-8)")


def _not_utf_8(path: Path, spec: FileSpec) -> FileProblem:
    """The line and byte where a file stops being UTF-8: the decoder reads ahead in blocks, so
    the line the reader was on when it failed is not that line."""
    with io.TextIOWrapper(path.open("rb"), encoding="latin-1", newline="") as handle:
        for number, line in enumerate(handle, start=1):  # the lines as the reader counts them
            data = line.encode("latin-1")  # the line's bytes, unchanged
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                reason = (
                    f"not UTF-8: byte 0x{data[error.start]:02X} (Latin-1 or Windows-1252 text? "
                    "save the file as UTF-8)"
                )
                return FileProblem(spec.name, number, "-", reason)
    return FileProblem(spec.name, 0, "-", "not UTF-8")


def raw_lines(path: Path, spans: dict[int, int]) -> dict[int, str]:
    """The text of the rows starting at each line in `spans` (start -> end line), unchanged."""
    found: dict[int, str] = {}
    if not spans:
        return found
    collecting: list[str] = []
    start = end = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if number in spans:
                start, end, collecting = number, spans[number], []
            if start and number <= end:
                collecting.append(line)
                if number == end:
                    found[start] = "".join(collecting)
                    start = 0
    return found
