"""Top-level lists of nodes: filtered, ordered and paged in Cypher.

A `Listing` names, for one label, the Cypher fragment of each filter and the sort expression of
each order. Queries are assembled from these fixed fragments only; every value is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.db import Graph
from graph.errors import InvalidInput
from graph.paging import Page, Window, page_of

DATE_CURSOR = "date($after[0])"

# A name filter is case-insensitive: every write of a `name` also writes `nameLower`, which a
# text index answers CONTAINS from (a trigram lookup instead of lowering every name).
NAME_LOWER = "nameLower"


def name_contains(v: str) -> str:
    """The `nameContains` filter on the variable `v`."""
    return f"{v}.{NAME_LOWER} CONTAINS toLower($nameContains)"


def lower_name(v: str) -> str:
    """The SET clause that keeps `v`'s searchable name in step with its name."""
    return f"SET {v}.{NAME_LOWER} = toLower({v}.name)"


@dataclass(frozen=True)
class Order:
    expression: str  # over the listing's variable
    cursor: str = "$after[0]"  # the cursor's sort value as Cypher (dates need date())
    # The expression is an indexed property every node has (key, name): a page then walks the
    # index in order from the cursor and stops at the page's end, instead of sorting them all.
    seekable: bool = False
    # The expression when the order is descending, where it differs: a value that some nodes
    # lack sorts last both ways when each direction replaces it with its own far end.
    descending: str | None = None

    def sort_by(self, descending: bool) -> str:
        return (self.descending or self.expression) if descending else self.expression

    def check(self, window: Window) -> None:
        """A cursor of another ordering would make `date()` fail in Cypher: refuse it here."""
        if window.after is None or self.cursor != DATE_CURSOR:
            return
        value = window.after[0]
        try:
            date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            raise InvalidInput("after is not a cursor of this list", field="after") from None


@dataclass(frozen=True)
class Listing:
    label: str
    var: str
    projection: str  # a map projection of the variable
    filters: dict[str, str]  # filter name -> a predicate using $<name>
    orders: dict[str, Order] = field(default_factory=dict)
    # filter name -> Cypher binding the variable to exactly the nodes that filter admits, each
    # once. When the filter is active the list starts there instead of testing every node of
    # the label: a partner's few dozen customers, not a million. The first active one is used.
    sources: dict[str, str] = field(default_factory=dict)

    def admits(self, filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One predicate on the variable for every active filter (`true` for none), and its
        parameters: for a query that meets the nodes some other way than by listing them."""
        active = {name: value for name, value in filters.items() if value is not None}
        unknown = set(active) - set(self.filters)
        if unknown:
            raise ValueError(f"no such filter on {self.label}: {sorted(unknown)}")
        tests = [f"({self.filters[name]})" for name in sorted(active)]
        return " AND ".join(tests) or "true", active

    def match(
        self, filters: dict[str, Any], extra: tuple[str, ...] = ()
    ) -> tuple[str, dict[str, Any]]:
        """The clauses binding the variable to the filtered nodes (and to the `extra`
        predicates), and their parameters."""
        active = {name: value for name, value in filters.items() if value is not None}
        unknown = set(active) - set(self.filters)
        if unknown:
            raise ValueError(f"no such filter on {self.label}: {sorted(unknown)}")
        source = next((name for name in self.sources if name in active), None)
        rest = [f"({self.filters[name]})" for name in sorted(active) if name != source]
        rest += [f"({predicate})" for predicate in extra]
        where = f"WHERE {' AND '.join(rest)}" if rest else ""
        v = self.var
        if source is None:
            return f"MATCH ({v}:{self.label}) {where}", active
        return f"{self.sources[source]}\nWITH {v} {where}", active


def _page_query(
    listing: Listing, filters: dict[str, Any], order: Order, descending: bool, after: bool
) -> tuple[str, dict[str, Any]]:
    """A page after the cursor `$after` ([sort value, key]) when `after`, else the first page.
    The query text differs between the two, so that each gets a plan of its own: a seekable
    order seeks its index from the cursor, or scans it from the start."""
    v = listing.var
    beyond = "<" if descending else ">"
    sort = order.sort_by(descending)
    extra: tuple[str, ...] = ()
    if order.seekable:
        within = "<=" if descending else ">="
        seek = f"{sort} {within} {order.cursor}"
        extra = (seek if after else f"{sort} IS NOT NULL",)
    start, params = listing.match(filters, extra)
    keyset = (
        f"WHERE sort {beyond} {order.cursor} OR (sort = {order.cursor} AND {v}.key > $after[1])"
        if after
        else ""
    )
    query = f"""
{start}
WITH {v}, {sort} AS sort
{keyset}
RETURN {listing.projection} AS item, sort
ORDER BY sort {"DESC" if descending else "ASC"}, {v}.key ASC
LIMIT $limit
"""
    return query, params


async def page(
    graph: Graph,
    listing: Listing,
    filters: dict[str, Any],
    window: Window,
    order: str = "KEY",
    descending: bool = False,
) -> Page[dict[str, Any]]:
    listing.orders[order].check(window)
    after = window.after is not None
    query, params = _page_query(listing, filters, listing.orders[order], descending, after)
    rows = await graph.read_rows(query, ("item", "sort"), {**params, **window.params()})
    result = page_of(rows, window, lambda row: (row[1], row[0]["key"]))
    return Page(
        [item for item, _ in result.items], result.cursors, result.has_next, result.has_previous
    )


async def count(graph: Graph, listing: Listing, filters: dict[str, Any]) -> int:
    start, params = listing.match(filters)
    query = f"{start} RETURN count(*) AS n"
    records = await graph.read(query, params)
    return int(records[0]["n"])
