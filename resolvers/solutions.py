"""Solution: the type, the partners that co-created it (Contribution), and the solution queries."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Any

import strawberry

from graph.paging import Window, made_under
from graph.solutions import SOLUTIONS
from loaders.solutions import (
    ContributionCountBySolutionKeyLoader,
    ContributionsBySolutionKeyLoader,
    SolutionByKeyLoader,
)
from resolvers.connection import Connection, listed, nested
from resolvers.context import Info
from resolvers.enums import OrderDirection, SolutionRole
from resolvers.node import Node, registers
from resolvers.partners import Partner, partner_of
from resolvers.scalars import date_of, names_of

Row = dict[str, Any]


@strawberry.type(description="A solution that partners co-created.")
class Solution(Node):
    key: str
    name: str
    industry: str | None
    launched_on: datetime.date | None

    @classmethod
    def of(cls, row: Row) -> Solution:
        return cls(
            key=row["key"],
            name=row["name"],
            industry=row.get("industry"),
            launched_on=date_of(row.get("launchedOn")),
        )

    @strawberry.field(description="The partners that co-created it, by partner key.")
    async def partners(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Contribution]:
        window = Window.of(first, after, under=made_under("Solution.partners", self.key))
        context = info.context
        counter = context.loader(ContributionCountBySolutionKeyLoader)
        rows = context.loader(ContributionsBySolutionKeyLoader, window=window)
        return nested(
            rows, counter, self.key, window, lambda row: row["partner"]["key"], Contribution.of
        )


@strawberry.type(description="A partner's part in a solution (CO_CREATED).")
class Contribution:
    role: SolutionRole
    share: float | None
    strength: float
    partner_row: strawberry.Private[Row | str]  # the row, or only its key
    solution_row: strawberry.Private[Row | str]

    @classmethod
    def of(cls, row: Row) -> Contribution:
        return cls(
            role=SolutionRole(row["role"]),
            share=row.get("share"),
            strength=row["strength"],
            partner_row=row["partner"],
            solution_row=row["solution"],
        )

    @strawberry.field
    async def partner(self, info: Info) -> Partner:
        return await partner_of(info, self.partner_row)

    @strawberry.field
    async def solution(self, info: Info) -> Solution:
        row = self.solution_row
        if isinstance(row, str):  # a contribution's solution always exists
            return Solution.of(await info.context.loader(SolutionByKeyLoader).load(row) or {})
        return Solution.of(row)


@strawberry.input(description="Solutions matching every field given (a list: any of its values).")
class SolutionFilter:
    industry: list[str] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")

    def params(self) -> dict[str, Any]:
        return {"industries": names_of(self.industry), "nameContains": self.name_contains or None}


@strawberry.enum
class SolutionOrderField(StrEnum):
    KEY = "KEY"
    NAME = "NAME"
    LAUNCHED_ON = "LAUNCHED_ON"


@strawberry.input
class SolutionOrder:
    field: SolutionOrderField = SolutionOrderField.KEY
    direction: OrderDirection = OrderDirection.ASC


@registers("Solution")
async def fetch_solution(info: Info, key: str) -> Solution | None:
    row = await info.context.loader(SolutionByKeyLoader).load(key)
    return Solution.of(row) if row else None


@strawberry.type
class SolutionQueries:
    @strawberry.field(description="A solution by its key; null when there is none.")
    async def solution(self, info: Info, key: str) -> Solution | None:
        return await fetch_solution(info, key)

    @strawberry.field(description="The solutions, filtered and ordered (by key unless told).")
    async def solutions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: SolutionFilter | None = None,
        order_by: SolutionOrder | None = None,
    ) -> Connection[Solution]:
        filters = (filter or SolutionFilter()).params()
        order = order_by or SolutionOrder()
        descending = order.direction == OrderDirection.DESC
        under = made_under("solutions", filters, order.field.value, descending)
        window = Window.of(first, after, size=2, under=under)
        graph = info.context.graph
        return listed(graph, SOLUTIONS, filters, window, Solution.of, order.field.value, descending)
