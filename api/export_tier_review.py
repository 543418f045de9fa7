"""`partnergraph tier-review`: the tier review as CSV, the program manager's spreadsheet.

One row per partner, by key, with the figures `tierReview` answers for the same `asOf` and
`change` in the staff view, and the margins of the partner's current and qualified tiers under
the program in force. Pages of reviews are written as they come, so the file never sits in
memory whole; it goes where `api.commands.destination` says (a regular file whole or not at
all, `-` on standard output).
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from api.commands import (
    OUT_RULE,
    check_folder,
    day_option,
    ensure_neo4j,
    err,
    writing,
    writing_failed,
    wrote,
)
from api.progress import bar
from api.settings import Settings, load_settings
from graph.analytics.tier_review import TierChange, review_count, review_page
from graph.db import Graph
from graph.errors import InvalidInput
from graph.messages import number_of
from graph.program import read_program
from resolvers.tier_review import day_of

HEADER = [
    "partner",
    "name",
    "type",
    "region",
    "current",
    "qualified",
    "change",
    "sales",
    "won_deals",
    "next_tier",
    "sales_to_next",
    "deals_to_next",
    "current_margin",
    "qualified_margin",
]
# Reviews asked for at a time. On the small preset (1,000 partners, every review written) a
# median of 7 runs took 0.14 s at 100 a page, 0.10 s at 500 and 0.06 s at 1,000 (with --change
# the sizes are within noise of each other). A page is all the file holds in memory.
PAGE = 1000


def tier_review_command(
    out_file: Annotated[
        Path, typer.Option("--out", help=f"The CSV file to write. {OUT_RULE}", show_default=False)
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DAY",
            help="The last day of the window, YYYY-MM-DD (UTC today when left out): WON deals"
            " closed in the 365 days up to it, that day included, count.",
            show_default=False,
        ),
    ] = None,
    change: Annotated[
        TierChange | None,
        typer.Option(
            case_sensitive=False,
            help="Only the partners with this change (upgrade, downgrade or hold); all when"
            " left out.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write every partner's tier review (the API's tierReview, staff view) as CSV."""
    try:
        day = day_of(day_option(as_of, "--as-of") if as_of is not None else None)
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint="--as-of") from None
    wanted = change.value if change is not None else None
    check_folder(out_file)
    settings = load_settings()
    ensure_neo4j(settings)
    try:
        written = asyncio.run(export_to_file(settings, day, wanted, out_file, err))
    except OSError as error:  # its file name would be the temporary one beside the file
        writing_failed(out_file, error)
    which = f"{wanted}, " if wanted else ""
    wrote(out_file, f"the tier review of {number_of(written, 'partner')} ({which}as of {day})")


async def export_to_file(
    settings: Settings, as_of: date, change: str | None, out: Path, console: Console
) -> int:
    graph = settings.connect()
    try:
        return await export_tier_review(graph, as_of, change, out, console)
    finally:
        await graph.close()


async def export_tier_review(
    graph: Graph, as_of: date, change: str | None, out: Path, console: Console
) -> int:
    """Write the file; return how many partners it lists."""
    program = await read_program(graph)
    margins = {tier.tier.value: tier.margin for tier in program}
    written = 0
    after = ""
    with writing(out, newline="") as handle, bar(console) as progress:
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow(HEADER)
        # The total costs a second pass over the reviews: only worth it for a bar that is drawn.
        total = await review_count(graph, program, as_of, change) if console.is_terminal else None
        task = progress.add_task(f"tier review as of {as_of}", total=total)
        while True:
            page = await review_page(graph, program, as_of, change, after, PAGE)
            rows.writerows(cells(review, margins) for review in page)
            written += len(page)
            progress.advance(task, len(page))
            if len(page) < PAGE:
                return written
            after = page[-1]["partner"]["key"]


def cells(review: dict[str, Any], margins: dict[str, float]) -> list[str]:
    """A review's row of the file: numbers as they read back exactly (`number`), none as ''."""
    partner = review["partner"]
    return [
        partner["key"],
        partner["name"],
        partner.get("type") or "",
        partner.get("region") or "",
        review["current"],
        review["qualified"],
        review["change"],
        number(review["sales"]),
        number(review["wonDeals"]),
        review.get("nextTier") or "",
        number(review.get("salesToNext")),
        number(review.get("dealsToNext")),
        number(margins[review["current"]]),
        number(margins[review["qualified"]]),
    ]


def number(value: float | int | None) -> str:
    """An int as digits, a float as Python's repr (the shortest text that reads back as the
    same float: `250000.0`, `0.15`), without thousands separators; nothing as ''."""
    return "" if value is None else repr(value)
