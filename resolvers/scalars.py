"""Turning graph values into GraphQL ones, and arguments into query parameters."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from graph.errors import InvalidInput


def date_of(value: Any) -> datetime.date | None:
    """A Neo4j date as a Python one."""
    return value.to_native() if value is not None else None


def statuses_of(
    values: Sequence[StrEnum] | None, field: str = "statuses"
) -> tuple[str, ...] | None:
    """A status filter as a hashable parameter; None means every status."""
    if values is None:
        return None
    if not values:
        raise InvalidInput(f"{field}: give at least one status, or leave it out", field=field)
    return tuple(sorted({str(value) for value in values}))


def names_of(values: Sequence[Any] | None) -> list[str] | None:
    """A list filter as a parameter: None (no filter) when absent (an empty list is refused
    before it gets here: resolvers.inputs)."""
    return [str(value) for value in values] if values is not None else None  # StrEnums
