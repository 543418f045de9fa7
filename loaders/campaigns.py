"""Loaders of campaigns and their participants, limited to the campaigns the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph import campaigns
from loaders.base import Loader

Row = dict[str, Any]


class CampaignByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await campaigns.campaigns_by_keys(self.graph, keys, self.viewer.member)


class ParticipationsByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await campaigns.participations_by_partner(
            self.graph, keys, self.viewer.member, self.args["window"]
        )


class ParticipationCountByPartnerKeyLoader(Loader[str, int]):
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await campaigns.participation_counts_by_partner(self.graph, keys, self.viewer.member)


class ParticipationsByCampaignKeyLoader(Loader[str, list[Row]]):
    """args: window."""

    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await campaigns.participations_by_campaign(
            self.graph, keys, self.viewer.member, self.args["window"]
        )


class ParticipationCountByCampaignKeyLoader(Loader[str, int]):
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await campaigns.participation_counts_by_campaign(
            self.graph, keys, self.viewer.member
        )
