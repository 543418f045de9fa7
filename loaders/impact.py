"""The partners that influenced deals named by key, every deal of a request in one query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.analytics import impact
from loaders.base import Loader

Row = dict[str, Any]


class InfluencersByDealKeyLoader(Loader[str, list[Row]]):
    """Each deal's influencing partners (their rows), by partner key."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await impact.influencers_by_keys(self.graph, keys)
