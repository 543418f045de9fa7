"""Keyset pagination, done in Cypher: a window is `first` rows after a cursor.

A cursor is the opaque form of the sort values of the last row seen (ending with its key, so
it is unique); the next page asks for rows strictly after it. Queries fetch `first + 1` rows to
know whether another page follows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from neo4j.time import Date

from graph.errors import InvalidInput

T = TypeVar("T")
DEFAULT_FIRST = 20
MAX_FIRST = 100
CursorValue = str | int | float | None


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [_plain(value) for value in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _plain(value: Any) -> Any:
    if isinstance(value, Date):
        return value.iso_format()
    return value.isoformat() if isinstance(value, date) else value


def decode_cursor(cursor: str, size: int) -> tuple[CursorValue, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("after is not a cursor of this list", field="after")
    return tuple(values)


@dataclass(frozen=True)
class Window:
    """The rows asked for: `first` of them after the cursor's sort values (None: from the start)."""

    first: int = DEFAULT_FIRST
    after: tuple[CursorValue, ...] | None = None

    @classmethod
    def of(cls, first: int | None, after: str | None, size: int = 1) -> Window:
        count = DEFAULT_FIRST if first is None else first
        if not 1 <= count <= MAX_FIRST:
            raise InvalidInput(f"first must be between 1 and {MAX_FIRST}", field="first")
        return cls(count, decode_cursor(after, size) if after is not None else None)

    @property
    def limit(self) -> int:
        return self.first + 1

    @property
    def after_key(self) -> CursorValue:
        """The cursor of a list ordered by key alone."""
        return self.after[-1] if self.after else None

    def params(self) -> dict[str, Any]:
        return {"limit": self.limit, "after": list(self.after) if self.after else None}


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def page_of(
    rows: Sequence[T], window: Window, sort_values: Callable[[T], Sequence[Any]]
) -> Page[T]:
    items = list(rows[: window.first])
    return Page(
        items=items,
        cursors=[encode_cursor(sort_values(item)) for item in items],
        has_next=len(rows) > window.first,
        has_previous=window.after is not None,
    )
