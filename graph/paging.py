"""Keyset pagination, done in Cypher: a window is `first` rows after a cursor.

A cursor is the opaque form of the sort values of the last row seen (ending with its key, so
it is unique); the next page asks for rows strictly after it. Queries fetch `first + 1` rows to
know whether another page follows. A cursor is signed with what its list was made under (the
connection, its parent, filters and order): under anything else it is refused, not misread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Generic, TypeVar

from neo4j.time import Date

from graph.errors import InvalidInput

T = TypeVar("T")
DEFAULT_FIRST = 20
MAX_FIRST = 100
CursorValue = str | int | float | None


def made_under(*parts: Any) -> str:
    """What a list is made under, as the string its cursors are signed with."""
    return json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=1024)
def _signature(under: str) -> str:
    return hashlib.blake2b(under.encode(), digest_size=6).hexdigest()


def encode_cursor(values: Sequence[Any], under: str = "") -> str:
    plain = [_signature(under), *(_plain(value) for value in values)]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _plain(value: Any) -> Any:
    if isinstance(value, Date):
        return value.iso_format()
    return value.isoformat() if isinstance(value, date) else value


def decode_cursor(cursor: str, size: int, under: str = "") -> tuple[CursorValue, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size + 1
        or not all(_sort_value(value) for value in values[1:])
    ):
        raise InvalidInput("after is not a cursor of this list", field="after")
    if values[0] != _signature(under):
        raise InvalidInput(
            "after is a cursor of another list, order or filter: start again without it",
            field="after",
        )
    return tuple(values[1:])


def _sort_value(value: Any) -> bool:
    """Whether a cursor value is one a list sorts by. The signature says which list a cursor was
    made for, not which values it holds: a hand-made one may carry anything JSON can."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63  # what Neo4j's integers hold
    return value is None or isinstance(value, str)


@dataclass(frozen=True)
class Window:
    """The rows asked for: `first` of them after the cursor's sort values (None: from the start),
    and what the list is made under (`made_under`), which its cursors are signed with. Windows
    of the same rows compare equal under different parents, so one loader batches them."""

    first: int = DEFAULT_FIRST
    after: tuple[CursorValue, ...] | None = None
    under: str = field(default="", compare=False)

    @classmethod
    def of(cls, first: int | None, after: str | None, size: int = 1, under: str = "") -> Window:
        count = DEFAULT_FIRST if first is None else first
        if not 1 <= count <= MAX_FIRST:
            raise InvalidInput(f"first must be between 1 and {MAX_FIRST}", field="first")
        return cls(count, decode_cursor(after, size, under) if after is not None else None, under)

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
        cursors=[encode_cursor(sort_values(item), window.under) for item in items],
        has_next=len(rows) > window.first,
        has_previous=window.after is not None,
    )
