"""Loaders of deals, by key and per partner or customer: only the viewer's own, or all for staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import conflicts, deals
from graph.access import today
from loaders.base import Loader

Row = dict[str, Any]


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values is not None else None


class DealByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await deals.deals_by_keys(self.graph, keys, self.viewer.member)


class DealsByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: statuses, window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        statuses = _list(self.args["statuses"])
        return await deals.deals_by_partner(
            self.graph, keys, self.viewer.member, statuses, self.args["window"]
        )


class DealCountByPartnerKeyLoader(Loader[str, int]):
    """args: statuses."""

    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        statuses = _list(self.args["statuses"])
        return await deals.deal_counts_by_partner(self.graph, keys, self.viewer.member, statuses)


class DealsByCustomerKeyLoader(Loader[str, list[Row]]):
    """args: statuses, window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        statuses = _list(self.args["statuses"])
        return await deals.deals_by_customer(
            self.graph, keys, self.viewer.member, statuses, self.args["window"]
        )


class DealCountByCustomerKeyLoader(Loader[str, int]):
    """args: statuses."""

    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        statuses = _list(self.args["statuses"])
        return await deals.deal_counts_by_customer(self.graph, keys, self.viewer.member, statuses)


class ConflictsByDealKeyLoader(Loader[str, list[str]]):
    """The keys of the deals open today colliding with each deal (graph.conflicts), of those
    the viewer may see."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[str]]:
        return await conflicts.conflicts_by_deal(self.graph, keys, self.viewer.member, today())
