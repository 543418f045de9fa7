"""Overlap detection: which partners share which customers, computed in Neo4j, one query each.

A(p) is the set of customers p holds with an account status in `statuses`. With roll-up a partner
stands for itself and every partner below it in the sub-partner DAG (a customer reached twice
counts once). `allowed`, when given, is the set of partners whose accounts may count (a partner
viewer's own key and its grantors): descendants outside it are left out.

Every query is written out whole, with its `$parameters`, in graph/analytics/overlap_queries.py;
this module picks one and passes exactly its parameters. `overlap`, `shared_customers` and
`top_overlaps` have three queries each, picked by `_variant`: the plain one (no roll-up, every
status: sizes are degrees and no status is read), `*_BY_STATUS` and `*_ROLLED_UP`. No account
list is pulled into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from graph.analytics.overlap_queries import (
    OVERLAP,
    OVERLAP_BY_STATUS,
    OVERLAP_ROLLED_UP,
    SHARED_CUSTOMERS,
    SHARED_CUSTOMERS_BY_STATUS,
    SHARED_CUSTOMERS_ROLLED_UP,
)
from graph.analytics.overlap_rankings import (
    COMMON_ACCOUNTS,
    OVERLAP_MATRIX,
    TOP_OVERLAPS,
    TOP_OVERLAPS_BY_STATUS,
    TOP_OVERLAPS_ROLLED_UP,
)
from graph.db import Graph
from graph.model import AccountStatus
from graph.paging import Window

Row = dict[str, Any]
Variant = Literal["plain", "by status", "rolled up"]
EVERY_STATUS = sorted(status.value for status in AccountStatus)

# Past this ratio of the sides' sizes, probing the larger side from each customer of the smaller
# (a customer has a handful of holders) beats walking the larger side's accounts.
PROBE_RATIO = 8


@dataclass(frozen=True)
class OverlapCount:
    size_a: int
    size_b: int
    shared: int
    a: Row  # the partners' rows
    b: Row

    @property
    def jaccard(self) -> float:
        union = self.size_a + self.size_b - self.shared
        return self.shared / union if union else 0.0


def _every(statuses: list[str]) -> bool:
    return sorted(set(statuses)) == EVERY_STATUS


def _variant(statuses: list[str], roll_up: bool) -> Variant:
    """Which query answers: "rolled up", else "plain" for every status, else "by status"."""
    if roll_up:
        return "rolled up"
    return "plain" if _every(statuses) else "by status"


def _pair_scope(variant: Variant, statuses: list[str], allowed: list[str] | None) -> dict[str, Any]:
    """The parameters, beyond the partners, of a pair question's `variant`."""
    if variant == "plain":
        return {"probeRatio": PROBE_RATIO}
    if variant == "by status":
        return {"statuses": statuses}
    return {
        "statuses": statuses,
        "everyStatus": _every(statuses),
        "allowed": allowed,
        "probeRatio": PROBE_RATIO,
    }


OVERLAPS: dict[Variant, str] = {
    "plain": OVERLAP,
    "by status": OVERLAP_BY_STATUS,
    "rolled up": OVERLAP_ROLLED_UP,
}
SHARED: dict[Variant, str] = {
    "plain": SHARED_CUSTOMERS,
    "by status": SHARED_CUSTOMERS_BY_STATUS,
    "rolled up": SHARED_CUSTOMERS_ROLLED_UP,
}
TOPS: dict[Variant, str] = {
    "plain": TOP_OVERLAPS,
    "by status": TOP_OVERLAPS_BY_STATUS,
    "rolled up": TOP_OVERLAPS_ROLLED_UP,
}


async def overlap(
    graph: Graph,
    a: str,
    b: str,
    statuses: list[str],
    roll_up: bool = False,
    allowed: list[str] | None = None,
) -> OverlapCount | None:
    """|A(a)|, |A(b)| and |A(a) ∩ A(b)|; None when either partner is unknown."""
    variant = _variant(statuses, roll_up)
    params = {"a": a, "b": b, **_pair_scope(variant, statuses, allowed)}
    records = await graph.read(OVERLAPS[variant], params)
    if not records:
        return None
    record = records[0]
    return OverlapCount(
        record["sizeA"], record["sizeB"], record["shared"], record["aRow"], record["bRow"]
    )


async def shared_customers(
    graph: Graph,
    a: str,
    b: str,
    statuses: list[str],
    window: Window,
    roll_up: bool = False,
    allowed: list[str] | None = None,
) -> tuple[list[Row], int]:
    """One window of A(a) ∩ A(b) by customer key, and the size of the whole intersection."""
    variant = _variant(statuses, roll_up)
    params = {
        "a": a,
        "b": b,
        **_pair_scope(variant, statuses, allowed),
        "after": window.after_key,
        "limit": window.limit,
    }
    return _window(await graph.read(SHARED[variant], params))


async def top_overlaps(
    graph: Graph,
    partner: str,
    first: int,
    statuses: list[str],
    roll_up: bool = False,
    allowed: list[str] | None = None,
    shown: list[str] | None = None,
) -> list[Row] | None:
    """The `first` partners sharing most customers with `partner` (count desc, jaccard desc,
    key asc); `shown` limits who may be ranked. None when the partner is unknown."""
    variant = _variant(statuses, roll_up)
    params: dict[str, Any] = {"p": partner, "first": first, "allowed": allowed, "shown": shown}
    if variant != "plain":
        params["statuses"] = statuses
    if variant == "rolled up":
        params["everyStatus"] = _every(statuses)
    records = await graph.read(TOPS[variant], params)
    return list(records[0]["top"]) if records else None


async def overlap_matrix(
    graph: Graph, keys: list[str], statuses: list[str]
) -> tuple[dict[str, Row], list[list[int]]]:
    """The partners' rows by key (an unknown one is missing), and counts[i][j] =
    |A(keys[i]) ∩ A(keys[j])|; the diagonal is |A(keys[i])|."""
    params = {"keys": keys, "statuses": statuses, "everyStatus": _every(statuses)}
    records = await graph.read(OVERLAP_MATRIX, params)
    counts = [[0] * len(keys) for _ in keys]
    for row, column, n in records[0]["cells"]:
        counts[row][column] = n
    return {row["key"]: row for row in records[0]["partners"]}, counts


async def common_accounts(
    graph: Graph, members: list[tuple[str, list[str]]], window: Window
) -> tuple[list[Row], int] | None:
    """One window (by customer key) of the customers every member holds with one of its own
    statuses, and how many there are in all; None when a member is unknown."""
    params = {
        "members": [
            {"key": key, "statuses": statuses, "every": _every(statuses)}
            for key, statuses in members
        ],
        "after": window.after_key,
        "limit": window.limit,
    }
    records = await graph.read(COMMON_ACCOUNTS, params)
    if records[0]["known"] < len(members):
        return None
    return _window(records)


def _window(records: list[Any]) -> tuple[list[Row], int]:
    if not records:
        return [], 0
    return list(records[0]["page"]), int(records[0]["total"])
