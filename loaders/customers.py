"""Loaders of customers, limited to those the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import customers
from loaders.base import Loader

Row = dict[str, Any]


class CustomerByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        visible = await self.access.customer_visibility()
        return await customers.customers_by_keys(self.graph, keys, visible)
