"""Loaders of solutions and of the partners that co-created them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import solutions
from loaders.base import Loader

Row = dict[str, Any]


class SolutionByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await solutions.solutions_by_keys(self.graph, keys)


class ContributionsByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await solutions.contributions_by_partner(self.graph, keys, self.args["window"])


class ContributionCountByPartnerKeyLoader(Loader[str, int]):
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await solutions.contribution_counts_by_partner(self.graph, keys)


class ContributionsBySolutionKeyLoader(Loader[str, list[Row]]):
    """args: window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await solutions.contributions_by_solution(self.graph, keys, self.args["window"])


class ContributionCountBySolutionKeyLoader(Loader[str, int]):
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await solutions.contribution_counts_by_solution(self.graph, keys)
