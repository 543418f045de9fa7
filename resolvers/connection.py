"""Cursor connections (Relay): edges with cursors, pageInfo, and a totalCount asked for lazily."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from graph import listing
from graph.db import Graph
from graph.listing import Listing
from graph.paging import Page, Window, page_of

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(
    page: Page[Any], make: Callable[[Any], T], count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    edges = [
        Edge(cursor=cursor, node=make(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]
    info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )
    return Connection(edges=edges, page_info=info, count=count)


async def nothing() -> int:
    return 0


def empty() -> Connection[Any]:
    return connection(Page([], [], False, False), lambda item: item, nothing)


async def listed(
    graph: Graph,
    source: Listing,
    filters: dict[str, Any],
    window: Window,
    make: Callable[[Any], T],
    order: str = "KEY",
    descending: bool = False,
) -> Connection[T]:
    """A page of a top-level listing, with its count asked for only when wanted."""
    page = await listing.page(graph, source, filters, window, order=order, descending=descending)
    return connection(page, make, lambda: listing.count(graph, source, filters))


def by_key(rows: Sequence[Any], window: Window, key: Callable[[Any], Any]) -> Page[Any]:
    """A page of rows ordered by their key alone (or a tuple of sort values)."""
    return page_of(rows, window, lambda row: _values(key(row)))


def _values(sort: Any) -> tuple[Any, ...]:
    return sort if isinstance(sort, tuple) else (sort,)
