"""Reading connections as a client does: page by page, checking pageInfo and totalCount."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from support import Answer, ask, wipe

from graph.access import Viewer
from graph.db import Graph
from graph.ingest.load import import_bundle

PAGE_INFO = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def edges(fields: str) -> str:
    """The selection of a connection: its count, pageInfo, and edges with these node fields."""
    return f"{PAGE_INFO} edges {{ cursor node {{ {fields} }} }}"


def dig(data: Any, path: Iterable[str]) -> Any:
    for step in path:
        data = data[step]
    return data


async def walk(
    graph: Graph,
    query: str,
    path: list[str],
    variables: dict[str, Any] | None = None,
    *,
    size: int = 3,
    viewer: Viewer | None = None,
) -> list[Any]:
    """Every node of a connection, `size` at a time; the query takes $first and $after."""
    seen: list[Any] = []
    after = None
    while True:
        answer = await ask(
            graph, query, {**(variables or {}), "first": size, "after": after}, viewer
        )
        assert not answer.errors, answer.errors
        found = dig(answer.data, path)
        page, info = found["edges"], found["pageInfo"]
        seen.extend(edge["node"] for edge in page)
        assert info["hasPreviousPage"] == (after is not None)
        if page:
            assert info["startCursor"] == page[0]["cursor"]
            assert info["endCursor"] == page[-1]["cursor"]
        if not info["hasNextPage"]:
            assert len(page) <= size
            assert len(seen) == found["totalCount"]
            return seen
        assert len(page) == size
        after = info["endCursor"]


def ordered(
    rows: list[dict[str, Any]], sort: Callable[[dict[str, Any]], Any], desc: bool
) -> list[str]:
    """Keys in the API's order: by the sort value, then by key ascending (also when descending)."""
    by_key = sorted(rows, key=lambda row: row["key"])
    return [row["key"] for row in sorted(by_key, key=sort, reverse=desc)]


async def refuses_bad_pages(
    graph: Graph, query: str, variables: dict[str, Any] | None = None
) -> None:
    """first 0 and 101 and a cursor that is not one are BAD_USER_INPUT, naming the argument."""
    for first, after, field in ((0, None, "first"), (101, None, "first"), (2, "bogus!", "after")):
        answer: Answer = await ask(
            graph, query, {**(variables or {}), "first": first, "after": after}
        )
        assert answer.codes == ["BAD_USER_INPUT"], (first, after, answer.errors)
        assert answer.errors[0]["extensions"].get("field") == field


async def load(graph: Graph, folder: Path) -> Path:
    """A clean graph holding the bundle in `folder`, which must import without a bad row."""
    await wipe(graph)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
    return folder
