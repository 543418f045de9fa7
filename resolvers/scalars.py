"""Turning graph values into GraphQL ones, and arguments into query parameters."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLError

from resolvers.inputs import distinct


def _parse_date(value: Any) -> datetime.date:
    """An ISO calendar date; anything else is refused in words of its own, echoing at most the
    start of the value (no parser internals)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise GraphQLError(f"{shown} is not a date: give an ISO date such as 2026-03-31")


DATE = strawberry.scalar(
    name="Date",
    description="A calendar date, ISO 8601 (2026-03-31).",
    serialize=datetime.date.isoformat,
    parse_value=_parse_date,
)
SCALARS: dict[object, Any] = {datetime.date: DATE}
"""The scalars the schema defines in its own words (StrawberryConfig's `scalar_map`)."""


def date_of(value: Any) -> datetime.date | None:
    """A Neo4j date as a Python one."""
    return value.to_native() if value is not None else None


def statuses_of(values: Sequence[StrEnum] | None) -> tuple[str, ...] | None:
    """A status filter as a hashable parameter, each status once, sorted; None means every
    status (an empty list is refused before it gets here: resolvers.inputs)."""
    if values is None:
        return None
    return tuple(sorted(distinct([str(value) for value in values])))


def names_of(values: Sequence[Any] | None) -> list[str] | None:
    """A list filter as a parameter, each value once in the order given: None (no filter) when
    absent (an empty list is refused before it gets here: resolvers.inputs)."""
    if values is None:
        return None
    return list(distinct([str(value) for value in values]))  # StrEnums as their names
