"""Loaders of co-selling plans and their progress, limited to the plans the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import plans
from graph.analytics import plan_progress
from loaders.base import Loader

Row = dict[str, Any]


class CoSellPlanByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await plans.plans_by_keys(self.graph, keys, self.viewer.member)


class CoSellPlansByPartnerKeyLoader(Loader[str, list[Row]]):
    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await plans.plans_by_partner(self.graph, keys, self.viewer.member)


class PlanProgressByPlanKeyLoader(Loader[str, Row | None]):
    """args: as_of. Only for plans the viewer may see (the resolver holds one already)."""

    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await plan_progress.progress_by_keys(self.graph, keys, self.args["as_of"])
