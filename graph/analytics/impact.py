"""Influenced revenue: who sourced and who influenced the deals closed in a window of days.

DESIGN.md: for a deal d of partner p on customer c registered on r, influencedBy(d) are the
partners q != p holding an account on c with status CUSTOMER or OPPORTUNITY whose `since` is on
or before r (an account without `since` counts). partnerImpact(from, to) runs over the deals
closed (WON or LOST) with from <= closedOn <= to (a closed deal without closedOn counts in no
window): for each partner q that registered or influenced one of them, the amount and number of
the WON ones it registered (sourced) and of the WON ones it influenced, how many of them it
influenced in all (WON or LOST), and its win rate among those; the table's baseline is WON /
closed over every deal of the window, and a row's lift its win rate over the baseline. A deal
without amount adds 0 to the amounts and counts as a deal.

The table is ordered by influencedWonAmount desc, then key; its order needs every deal of the
window, so a page of it costs the whole table. One query computes the table (`IMPACT_TABLE`),
and the process keeps the last four tables computed (`Tables`: about 4 MB each for the
7,542 rows of a year on the medium preset), each under the stamp of the
database it was read from (`Graph.stamp`: the last committed transaction, changed by any write
of any process); a table is read again only once something was written since.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.analytics.overlap_store import cypher_order
from graph.db import Graph
from graph.model import AccountStatus, DealStatus
from graph.partners import partner_map

Row = dict[str, Any]

CLOSED = [DealStatus.WON.value, DealStatus.LOST.value]
INFLUENCING = [AccountStatus.CUSTOMER.value, AccountStatus.OPPORTUNITY.value]

# In: d, a Deal; $closed (['WON', 'LOST']), $from and $to (dates). True where d closed in
# the window.
CLOSED_IN_WINDOW = "d.status IN $closed AND $from <= d.closedOn <= $to"

# In: q (a partner), a (its HAS_ACCOUNT to c), p (the partner of deal d), d; $influencing
# (['CUSTOMER', 'OPPORTUNITY']). True where q influenced d.
INFLUENCES = """q <> p AND a.status IN $influencing
    AND (a.since IS NULL OR a.since <= d.registeredOn)"""

# In: d (a Deal), p (its partner), c (its customer); $influencing. Out: the list of d's
# influencing partners (nodes), by key. HAS_ACCOUNT leads only from partners.
INFLUENCERS = f"""COLLECT {{
  MATCH (q)-[a:HAS_ACCOUNT]->(c)
  WHERE {INFLUENCES}
  RETURN q ORDER BY q.key
}}"""

# In: $keys (deal keys), $influencing. Out: rows (key, influencers), one per key naming a deal,
# influencers being the partner rows of its influencing partners, by key.
INFLUENCERS_BY_DEAL_KEYS = f"""
UNWIND $keys AS key
MATCH (p)-[:REGISTERED]->(d:Deal {{key: key}})-[:FOR]->(c)
RETURN key, [q IN {INFLUENCERS} | {partner_map("q")}] AS influencers
"""

# In: $closed, $won ('WON'), $influencing, $from, $to. Out: one row (closedDeals, wonDeals,
# sourced, influenced): the window's closed and WON deals; for each partner that registered
# one of them [key, sourcedWonAmount, sourcedWonDeals]; for each partner that influenced one
# [key, influencedWonAmount, influencedWonDeals, influencedClosedDeals] (both lists in no
# order). Two aggregations merged in Python cost a third of one over (partner, role) rows.
IMPACT_TABLE = f"""
CALL () {{
  MATCH (d:Deal) WHERE {CLOSED_IN_WINDOW}
  RETURN count(d) AS closedDeals, count(CASE WHEN d.status = $won THEN 1 END) AS wonDeals
}}
CALL () {{
  MATCH (d:Deal) WHERE {CLOSED_IN_WINDOW}
  MATCH (p)-[:REGISTERED]->(d)
  WITH p, d.status = $won AS won, toFloat(coalesce(d.amount, 0)) AS amount
  WITH p, sum(CASE WHEN won THEN amount ELSE 0.0 END) AS amount,
       count(CASE WHEN won THEN 1 END) AS won
  RETURN collect([p.key, amount, won]) AS sourced
}}
CALL () {{
  MATCH (d:Deal) WHERE {CLOSED_IN_WINDOW}
  MATCH (p)-[:REGISTERED]->(d)-[:FOR]->(c)
  MATCH (q)-[a:HAS_ACCOUNT]->(c)
  WHERE {INFLUENCES}
  WITH q, d.status = $won AS won, toFloat(coalesce(d.amount, 0)) AS amount
  WITH q, sum(CASE WHEN won THEN amount ELSE 0.0 END) AS amount,
       count(CASE WHEN won THEN 1 END) AS won, count(*) AS closed
  RETURN collect([q.key, amount, won, closed]) AS influenced
}}
RETURN closedDeals, wonDeals, sourced, influenced
"""

# A partner's figures before its deals are counted.
NOTHING: Row = {
    "sourcedWonAmount": 0.0,
    "sourcedWonDeals": 0,
    "influencedWonAmount": 0.0,
    "influencedWonDeals": 0,
    "influencedClosedDeals": 0,
}


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole; None where either is None or the whole is 0."""
    if part is None or not whole:
        return None
    return part / whole


def sort_key(row: Row) -> tuple[float, bytes]:
    """The table's order: influencedWonAmount desc, then key (as Cypher orders strings)."""
    return -row["influencedWonAmount"], cypher_order(row["key"])


@dataclass(frozen=True)
class Table:
    """partnerImpact over one window: every row in order, and the window's deal counts."""

    rows: list[Row]
    closed_deals: int
    won_deals: int
    _order: list[tuple[float, bytes]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        closed_deals: int,
        won_deals: int,
        sourced: list[list[Any]],
        influenced: list[list[Any]],
    ) -> Table:
        """The table from IMPACT_TABLE's lists, merged by partner key."""
        baseline = ratio(won_deals, closed_deals)
        rows: dict[str, Row] = {}
        for key, amount, won in sourced:
            rows[key] = {**NOTHING, "key": key, "sourcedWonAmount": amount, "sourcedWonDeals": won}
        for key, amount, won, closed in influenced:
            row = rows.setdefault(key, {**NOTHING, "key": key})
            row.update(influencedWonAmount=amount, influencedWonDeals=won)
            row["influencedClosedDeals"] = closed
        for row in rows.values():
            rate = ratio(row["influencedWonDeals"], row["influencedClosedDeals"])
            row["winRateInfluenced"] = rate
            row["lift"] = ratio(rate, baseline) if rate else None  # a rate of 0 lifts nothing
        ordered = sorted(rows.values(), key=sort_key)
        return cls(ordered, closed_deals, won_deals, [sort_key(row) for row in ordered])

    @property
    def baseline_win_rate(self) -> float | None:
        return ratio(self.won_deals, self.closed_deals)

    def after(self, amount: float, key: str) -> int:
        """The index of the first row after the row (influencedWonAmount, key) in the table's
        order (that row need not be in the table any more)."""
        return bisect.bisect_right(self._order, (-amount, cypher_order(key)))


def window_params(start: date, end: date) -> dict[str, Any]:
    return {
        "closed": CLOSED,
        "won": DealStatus.WON.value,
        "influencing": INFLUENCING,
        "from": start,
        "to": end,
    }


async def compute(graph: Graph, start: date, end: date) -> Table:
    """The table for the deals closed from `start` to `end`, both included: one query."""
    record = (await graph.read(IMPACT_TABLE, window_params(start, end)))[0]
    return Table.of(
        record["closedDeals"], record["wonDeals"], record["sourced"], record["influenced"]
    )


class Tables:
    """The last `size` tables computed in this process, by window, each kept with the stamp of
    the database it was read from: a table is computed again once the stamp has moved (any
    write, by any process, moves it), so an answer is never older than the request."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[date, date], tuple[str, Table]] = OrderedDict()

    async def get(self, graph: Graph, start: date, end: date) -> Table:
        stamp = await graph.stamp()  # before reading: a write after it moves the stamp on
        window = (start, end)
        kept = self._kept.get(window)
        if kept is not None and kept[0] == stamp:
            self._kept.move_to_end(window)
            return kept[1]
        table = await compute(graph, start, end)
        self._kept[window] = (stamp, table)
        self._kept.move_to_end(window)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return table


TABLES = Tables()


async def influencers_by_keys(graph: Graph, keys: list[str]) -> dict[str, list[Row]]:
    """The influencing partners' rows of each deal named in `keys`, by key."""
    params = {"keys": keys, "influencing": INFLUENCING}
    return await graph.read_by_key(INFLUENCERS_BY_DEAL_KEYS, "influencers", params)
