"""Influenced-revenue scenarios: partnerImpact over one year, its first page and a page from a
cursor, and the walk through every page (`python -m bench impact-walk`).

A page of partnerImpact needs the whole table (its order is by an aggregate), which one Cypher
query computes (graph.analytics.impact.IMPACT_TABLE: the floor of every scenario here); the API
keeps the table while the database's stamp holds. `partnerImpact first page` asks a window not
asked before each time (a year ending on one of 50 days, more than the tables a process keeps),
so every request computes its table; `partnerImpact kept page` asks one window from cursors
anywhere in it, so every request but the first finds its table kept. The deals' closing days are
the tier review's (bench.tier_review.ensure_closed).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from neo4j import Driver, RoutingControl

from bench.scenarios import Args, Scenario, walk_pages
from bench.tier_review import ensure_closed
from graph.analytics.impact import IMPACT_TABLE, Table, window_params
from graph.ingest.generate import TODAY
from graph.paging import encode_cursor, made_under

YEAR = 365
FIELDS = (
    "sourcedWonAmount sourcedWonDeals influencedWonAmount influencedWonDeals"
    " influencedClosedDeals winRateInfluenced lift"
)
PAGE = f"""query($from: Date!, $to: Date!, $after: String) {{
  partnerImpact(from: $from, to: $to, first: 100, after: $after) {{
    totalCount baselineWinRate pageInfo {{ endCursor hasNextPage }}
    edges {{ cursor node {{ partner {{ key name tier }} {FIELDS} }} }} }} }}"""


def one_year(end: date) -> tuple[date, date]:
    """The 365 days ending on `end`, both ends included."""
    return end - timedelta(days=YEAR - 1), end


def _window(args: Args) -> Args:
    return {"from": args["from"].isoformat(), "to": args["to"].isoformat()}


def _new_windows(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """A year ending on each of the 50 days up to the generator's today."""
    ensure_closed(driver, database)
    windows = [one_year(TODAY - timedelta(days=back)) for back in range(50)]
    return [{"from": start, "to": end, "after": None} for start, end in windows]


def _cursors(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    """100 cursors into the year up to the generator's today, drawn from its table."""
    ensure_closed(driver, database)
    start, end = one_year(TODAY)
    records, _, _ = driver.execute_query(
        IMPACT_TABLE, window_params(start, end), database_=database, routing_=RoutingControl.READ
    )
    record = records[0]
    table = Table.of(
        record["closedDeals"], record["wonDeals"], record["sourced"], record["influenced"]
    )
    under = made_under("partnerImpact", start.isoformat(), end.isoformat())
    picked = rng.sample(table.rows, min(100, len(table.rows)))
    return [
        {
            "from": start,
            "to": end,
            "after": encode_cursor([row["influencedWonAmount"], row["key"]], under),
        }
        for row in picked
    ]


IMPACT_SCENARIOS = (
    Scenario(
        name="partnerImpact first page",
        graphql=PAGE,
        cypher=IMPACT_TABLE,
        pick=_new_windows,
        note="the first 100 rows over a year not asked before: its table computed",
        variables=lambda args: {**_window(args), "after": None},
        params=lambda args: window_params(args["from"], args["to"]),
    ),
    Scenario(
        name="partnerImpact kept page",
        graphql=PAGE,
        cypher=IMPACT_TABLE,
        pick=_cursors,
        note="100 rows after a random cursor of one year: its table kept",
        variables=lambda args: {**_window(args), "after": args["after"]},
        params=lambda args: window_params(args["from"], args["to"]),
    ),
)


def walk(client: Any, end: date) -> tuple[float, int, int]:
    """Every row of the year ending on `end`, 100 a page, each page after the last: seconds,
    rows, pages."""
    start, end = one_year(end)
    variables = {"from": start.isoformat(), "to": end.isoformat()}
    return walk_pages(client, PAGE, variables, "partnerImpact")
