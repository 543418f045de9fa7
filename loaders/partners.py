"""Loaders of partners and of the hierarchy and links around them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import partners
from loaders.base import Loader

Row = dict[str, Any]


class PartnerByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await partners.partners_by_keys(self.graph, keys)


class SubPartnersByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await partners.sub_partners(self.graph, keys, self.args["window"])


class SubPartnerCountByPartnerKeyLoader(Loader[str, int]):
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await partners.sub_partner_counts(self.graph, keys)


class ParentsByPartnerKeyLoader(Loader[str, list[Row]]):
    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await partners.parents(self.graph, keys)


class SubPartnerTreeByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: depth."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await partners.trees(self.graph, keys, self.args["depth"])


class LinksByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: types, direction, window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        types = list(self.args["types"]) if self.args["types"] else None
        return await partners.links(
            self.graph, keys, types, self.args["direction"], self.args["window"]
        )


class LinkCountByPartnerKeyLoader(Loader[str, int]):
    """args: types, direction."""

    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        types = list(self.args["types"]) if self.args["types"] else None
        return await partners.link_counts(self.graph, keys, types, self.args["direction"])
