"""Loaders of accounts, from the partner's side and from the customer's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import accounts
from loaders.base import Loader

Row = dict[str, Any]


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values is not None else None


class AccountsByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: statuses, window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        statuses = _list(self.args["statuses"])
        return await accounts.accounts_by_partner(self.graph, keys, statuses, self.args["window"])


class AccountCountByPartnerKeyLoader(Loader[str, int]):
    """args: statuses."""

    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        statuses = _list(self.args["statuses"])
        return await accounts.account_counts_by_partner(self.graph, keys, statuses)


class AccountsByCustomerKeyLoader(Loader[str, list[Row]]):
    """args: statuses, window; only the accounts of partners the viewer may see."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        owners = (await self.access.sight()).account_owners()
        return await accounts.accounts_by_customer(
            self.graph,
            keys,
            _list(self.args["statuses"]),
            owners,
            self.args["window"],
        )


class AccountCountByCustomerKeyLoader(Loader[str, int]):
    """args: statuses; only the accounts of partners the viewer may see."""

    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        owners = (await self.access.sight()).account_owners()
        return await accounts.account_counts_by_customer(
            self.graph,
            keys,
            _list(self.args["statuses"]),
            owners,
        )
