"""`partnergraph export-impact`: influenced revenue over a window of days as CSV.

One row per partner, in `partnerImpact`'s order (influencedWonAmount desc, then key), with the
figures it answers for the same `from` and `to`, the partner's name, and the window's baseline
win rate on every row (so that a spreadsheet holds what `lift` is measured against). The file
goes where `api.commands.destination` says (a regular file whole or not at all, `-` on standard
output).
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from api.commands import (
    OUT_RULE,
    check_folder,
    day_option,
    ensure_neo4j,
    writing,
    writing_failed,
    wrote,
)
from api.export_tier_review import number
from api.settings import Settings, load_settings
from graph.analytics import impact
from graph.db import Graph
from graph.errors import InvalidInput
from graph.messages import number_of
from graph.partners import partners_by_keys
from resolvers.impact import window_of

HEADER = [
    "partner",
    "name",
    "sourced_won_amount",
    "sourced_won_deals",
    "influenced_won_amount",
    "influenced_won_deals",
    "influenced_closed_deals",
    "win_rate_influenced",
    "lift",
    "baseline_win_rate",
]
FIGURES = [
    "sourcedWonAmount",
    "sourcedWonDeals",
    "influencedWonAmount",
    "influencedWonDeals",
    "influencedClosedDeals",
    "winRateInfluenced",
    "lift",
]
NAMES = 1000  # partner names read at a time


def export_impact_command(
    out_file: Annotated[
        Path, typer.Option("--out", help=f"The CSV file to write. {OUT_RULE}", show_default=False)
    ],
    start: Annotated[
        str,
        typer.Option(
            "--from", metavar="DAY", help="The window's first day, YYYY-MM-DD.", show_default=False
        ),
    ],
    end: Annotated[
        str,
        typer.Option(
            "--to", metavar="DAY", help="The window's last day, YYYY-MM-DD.", show_default=False
        ),
    ],
) -> None:
    """Write each partner's influenced revenue over the deals closed from --from to --to (the
    API's partnerImpact) as CSV."""
    try:
        first, last = window_of(day_option(start, "--from"), day_option(end, "--to"))
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint="--to") from None
    check_folder(out_file)
    settings = load_settings()
    ensure_neo4j(settings)
    try:
        table = asyncio.run(export_to_file(settings, first, last, out_file))
    except OSError as error:  # its file name would be the temporary one beside the file
        writing_failed(out_file, error)
    baseline = table.baseline_win_rate
    said = "no deal closed" if baseline is None else f"baseline win rate {baseline:.1%}"
    wrote(
        out_file,
        f"the impact of {number_of(len(table.rows), 'partner')} from {first} to {last} ({said})",
    )


async def export_to_file(settings: Settings, start: date, end: date, out: Path) -> impact.Table:
    graph = settings.connect()
    try:
        return await export_impact(graph, start, end, out)
    finally:
        await graph.close()


async def export_impact(graph: Graph, start: date, end: date, out: Path) -> impact.Table:
    """Write the file; return the table it holds."""
    table = await impact.compute(graph, start, end)
    baseline = number(table.baseline_win_rate)
    with writing(out, newline="") as handle:
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow(HEADER)
        for begin in range(0, len(table.rows), NAMES):
            chunk = table.rows[begin : begin + NAMES]
            partners = await partners_by_keys(graph, [row["key"] for row in chunk])
            for row in chunk:
                name = (partners.get(row["key"]) or {}).get("name", "")
                figures = [number(row[figure]) for figure in FIGURES]
                rows.writerow([row["key"], name, *figures, baseline])
    return table
