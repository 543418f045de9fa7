"""Partner: the type and its lookups."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from graph.partners import partners_by_keys
from resolvers.context import Info


@strawberry.type
class Partner:
    key: str
    name: str
    type: str
    tier: str
    region: str | None
    country: str | None
    industries: list[str]
    stage: str | None
    joined_on: datetime.date | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Partner:
        joined = row.get("joinedOn")
        return cls(
            key=row["key"],
            name=row["name"],
            type=row["type"],
            tier=row["tier"],
            region=row.get("region"),
            country=row.get("country"),
            industries=row.get("industries") or [],
            stage=row.get("stage"),
            joined_on=joined.to_native() if joined is not None else None,
        )


@strawberry.type
class PartnerQueries:
    @strawberry.field
    async def partner(self, info: Info, key: str) -> Partner | None:
        found = await partners_by_keys(info.context.graph, [key])
        return Partner.of(found[key]) if key in found else None
