"""Loaders of agreements: by key, and a partner's granted or received, as the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph import agreements
from graph.access import today
from graph.agreements import Side
from loaders.base import Loader

Row = dict[str, Any]


class AgreementByKeyLoader(Loader[str, Row | None]):
    async def fetch(self, keys: list[str]) -> Mapping[str, Row]:
        return await agreements.agreements_by_keys(self.graph, keys, self.viewer.member)


class _AgreementsByPartnerKeyLoader(Loader[str, list[Row]]):
    """args: in_force, window."""

    side: ClassVar[Side]
    default = ()

    async def fetch(self, keys: list[str]) -> Mapping[str, list[Row]]:
        return await agreements.agreements_by_partner(
            self.graph,
            keys,
            self.side,
            self.viewer.member,
            self.args["in_force"],
            today(),
            self.args["window"],
        )


class _AgreementCountByPartnerKeyLoader(Loader[str, int]):
    """args: in_force."""

    side: ClassVar[Side]
    default = 0

    async def fetch(self, keys: list[str]) -> Mapping[str, int]:
        return await agreements.agreement_counts_by_partner(
            self.graph, keys, self.side, self.viewer.member, self.args["in_force"], today()
        )


class AgreementsGrantedByPartnerKeyLoader(_AgreementsByPartnerKeyLoader):
    side = "GRANTED"


class AgreementGrantedCountByPartnerKeyLoader(_AgreementCountByPartnerKeyLoader):
    side = "GRANTED"


class AgreementsReceivedByPartnerKeyLoader(_AgreementsByPartnerKeyLoader):
    side = "RECEIVED"


class AgreementReceivedCountByPartnerKeyLoader(_AgreementCountByPartnerKeyLoader):
    side = "RECEIVED"
