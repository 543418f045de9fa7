"""Cursor connections (Relay): edges with cursors, pageInfo and totalCount, each fetched lazily.

A connection holds how to fetch its page and how to count the whole list; it asks the graph for
the page only when edges, nodes or pageInfo are selected, and counts only for totalCount — so
`accounts { totalCount }` on a hundred partners is one count query, not a page of rows each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from graph import listing
from graph.db import Graph
from graph.listing import Listing
from graph.paging import Page, Window, page_of
from loaders.base import Loader

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
    fetch: strawberry.Private[Callable[[], Awaitable[Page[Any]]]]
    make: strawberry.Private[Callable[[Any], T]]
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    total: strawberry.Private[int | None] = None  # when the parent's row knew it already
    pending: strawberry.Private[asyncio.Future[Page[Any]] | None] = None

    def page(self) -> asyncio.Future[Page[Any]]:
        if self.pending is None:
            self.pending = asyncio.ensure_future(self.fetch())
        return self.pending

    @strawberry.field
    async def edges(self) -> list[Edge[T]]:
        page = await self.page()
        make = self.make
        return [
            Edge(cursor=c, node=make(item))
            for item, c in zip(page.items, page.cursors, strict=True)
        ]

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    async def nodes(self) -> list[T]:
        page = await self.page()
        return [self.make(item) for item in page.items]

    @strawberry.field
    async def page_info(self) -> PageInfo:
        page = await self.page()
        return PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    def total_count(self) -> int:
        if self.total is not None:
            return self.total  # no awaiting: a page of a hundred parents feels each await
        return self.count()  # type: ignore[return-value]  # awaitable; GraphQL awaits it


def nested(
    rows: Loader[str, Any],
    counter: Loader[str, int],
    key: str,
    window: Window,
    sort: Callable[[Any], Any],
    make: Callable[[Any], T],
    total: int | None = None,
) -> Connection[T]:
    """One parent's list from batched loaders: `rows` gives its window, `counter` its total
    (unless the parent's row brought the `total` along)."""

    async def fetch() -> Page[Any]:
        return page_of(await rows.load(key), window, lambda row: _values(sort(row)))

    return Connection(fetch=fetch, make=make, count=lambda: counter.load(key), total=total)


def listed(
    graph: Graph,
    source: Listing,
    filters: dict[str, Any],
    window: Window,
    make: Callable[[Any], T],
    order: str = "KEY",
    descending: bool = False,
) -> Connection[T]:
    """A page of a top-level listing."""

    async def fetch() -> Page[Any]:
        return await listing.page(
            graph, source, filters, window, order=order, descending=descending
        )

    return Connection(fetch=fetch, make=make, count=lambda: listing.count(graph, source, filters))


def ready(page: Page[Any], make: Callable[[Any], T], total: int) -> Connection[T]:
    """A connection whose page and total one query has already brought."""

    async def fetch() -> Page[Any]:
        return page

    return Connection(fetch=fetch, make=make, count=_nothing, total=total)


async def _nothing() -> int:
    return 0


async def _no_page() -> Page[Any]:
    return Page([], [], False, False)


def empty() -> Connection[Any]:
    return Connection(fetch=_no_page, make=lambda item: item, count=_nothing)


def _values(sort: Any) -> tuple[Any, ...]:
    return sort if isinstance(sort, tuple) else (sort,)
