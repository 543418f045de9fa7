"""The customer directory: filters, orderings and pages against the bundle's rows, for staff and
for a partner, who lists only the customers it may see (its own and its ACCOUNT_LIST grantors'
accounts in force today, and its own deals' customers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from connection_support import edges, walk
from support import partner_viewer, read_csv, wipe, wipe_and_load

from graph.access import today
from graph.db import Graph

Row = dict[str, str]

DIRECTORY = f"""query($first: Int, $after: String, $filter: CustomerFilter, $order: CustomerOrder) {{
  customers(first: $first, after: $after, filter: $filter, orderBy: $order) {{
    {edges("key name")} }} }}"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bundle(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    yield await wipe_and_load(graph, tmp_path_factory.mktemp("customers"), seed=17)
    await wipe(graph)


def in_force(agreement: Row, on: date) -> bool:
    ends = agreement["valid_to"]
    return (
        agreement["status"] == "ACTIVE"
        and date.fromisoformat(agreement["valid_from"]) <= on
        and (not ends or date.fromisoformat(ends) >= on)
    )


def visible_to(bundle: Path, partner: str) -> set[str]:
    owners = {partner} | {
        agreement["grantor_key"]
        for agreement in read_csv(bundle / "agreements.csv")
        if agreement["grantee_key"] == partner
        and "ACCOUNT_LIST" in agreement["scopes"].split(";")
        and in_force(agreement, today())
    }
    held = {
        account["customer_key"]
        for account in read_csv(bundle / "accounts.csv")
        if account["partner_key"] in owners
    }
    dealt = {
        deal["customer_key"]
        for deal in read_csv(bundle / "deals.csv")
        if deal["partner_key"] == partner
    }
    return held | dealt


def viewer_key(bundle: Path) -> str:
    """A partner that sees customers through a grant, beyond its own accounts."""
    partners = [row["key"] for row in read_csv(bundle / "partners.csv")]
    own = Counter(account["partner_key"] for account in read_csv(bundle / "accounts.csv"))
    return max(partners, key=lambda key: (len(visible_to(bundle, key)) - own[key], key))


def employees(row: Row) -> int:
    return int(row["employees"]) if row["employees"] else -1


ORDERS: list[tuple[dict[str, str] | None, Callable[[Row], Any]]] = [
    (None, lambda row: row["key"]),
    ({"field": "NAME", "direction": "ASC"}, lambda row: (row["name"], row["key"])),
    ({"field": "EMPLOYEES", "direction": "DESC"}, lambda row: (-employees(row), row["key"])),
]

FILTERS: list[tuple[dict[str, Any], Callable[[Row], bool]]] = [
    ({}, lambda row: True),
    ({"industry": ["Retail", "Finance"]}, lambda row: row["industry"] in ("Retail", "Finance")),
    (
        {"region": ["EMEA"], "nameContains": "a"},
        lambda row: row["region"] == "EMEA" and "a" in row["name"].lower(),
    ),
    ({"nameContains": "CO"}, lambda row: "co" in row["name"].lower()),
]


@pytest.mark.parametrize(("order", "sort"), ORDERS)
@pytest.mark.parametrize(("given", "keep"), FILTERS)
@pytest.mark.parametrize("as_partner", [False, True])
async def test_the_directory_filters_orders_and_pages_what_the_viewer_may_see(
    graph: Graph,
    bundle: Path,
    order: dict[str, str] | None,
    sort: Callable[[Row], Any],
    given: dict[str, Any],
    keep: Callable[[Row], bool],
    as_partner: bool,
) -> None:
    rows = read_csv(bundle / "customers.csv")
    viewer = None
    if as_partner:
        key = viewer_key(bundle)
        seen = visible_to(bundle, key)
        assert 0 < len(seen) < len(rows)
        rows = [row for row in rows if row["key"] in seen]
        viewer = partner_viewer(key)
    expected = [row["key"] for row in sorted(filter(keep, rows), key=sort)]
    variables = {"filter": given or None, "order": order}
    nodes = await walk(graph, DIRECTORY, ["customers"], variables, size=7, viewer=viewer)
    assert [node["key"] for node in nodes] == expected  # walk checks totalCount too
