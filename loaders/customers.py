"""Loaders of customers, limited to those the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import customers
from graph.access import Viewer
from graph.db import Graph
from loaders.base import Loader

Row = dict[str, Any]


async def customer_scope(graph: Graph, viewer: Viewer) -> dict[str, Any] | None:
    """The `$scope` parameter of customer queries: None for staff."""
    owners = await viewer.account_owners(graph)
    if owners is None:
        return None
    return {"owners": sorted(owners), "me": viewer.partner_key}


class CustomerByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        scope = await customer_scope(self.graph, self.viewer)
        return await customers.customers_by_keys(self.graph, keys, scope)
