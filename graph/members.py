"""Partners added to or taken from a solution or a campaign as a list, all or nothing.

A write of such a list first finds the listed partners that are missing, in its own
transaction, and raises `UnknownPartners` naming all of them, so nothing is written.
"""

from __future__ import annotations

from graph.errors import NotFound
from graph.messages import shown

# The keys in `$partners` that name no partner.
MISSING = "[key IN $partners WHERE NOT EXISTS { MATCH (:Partner {key: key}) }] AS missing"


class UnknownPartners(NotFound):
    """Some of the listed partners do not exist."""

    def __init__(self, keys: list[str]) -> None:
        listed = ", ".join(shown(key) for key in keys)
        super().__init__(f"there is no partner {listed}", field="partners")
        self.keys = keys
