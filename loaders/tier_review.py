"""The tier review and the tier history of partners named by key, every partner of a request in
one query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import tiers
from graph.analytics import tier_review
from graph.program import read_program
from loaders.base import Loader

Row = dict[str, Any]


class TierReviewByPartnerKeyLoader(Loader[str, Row | None]):
    """args: as_of (a date)."""

    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        program = await read_program(self.graph)
        return await tier_review.reviews_by_keys(self.graph, program, self.args["as_of"], keys)


class TierHistoryByPartnerKeyLoader(Loader[str, list[Row]]):
    """The tier changes applied to each partner, newest first."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await tiers.history_by_keys(self.graph, keys)
