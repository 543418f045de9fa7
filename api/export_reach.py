"""`partnergraph export-reach`: a campaign's reached customers as CSV, for a marketing tool.

The rows are those of `Reach.customers` in the staff view, by customer key: the customer's key,
name, industry and region and the keys of the participants reaching it, `;`-joined. The file is
written where `api.commands.destination` says (a regular file whole or not at all, `-` on
standard output).
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.commands import (
    OUT_RULE,
    check_folder,
    ensure_neo4j,
    err,
    fail,
    text,
    writing,
    writing_failed,
    wrote,
)
from api.progress import bar
from api.settings import Settings, load_settings
from graph.analytics import reach
from graph.analytics.reach_scope import MAX_DEPTH
from graph.db import Graph
from graph.errors import NotFound
from graph.messages import number_of
from graph.model import AccountStatus

HEADER = ["customer", "name", "industry", "region", "participants"]


def export_reach_command(
    campaign: Annotated[str, typer.Argument(help="The campaign's key.")],
    out_file: Annotated[Path, typer.Option("--out", help=f"The CSV file to write. {OUT_RULE}")],
    depth: Annotated[
        int, typer.Option(min=0, max=MAX_DEPTH, help="Sub-partner levels below each participant.")
    ] = 1,
    statuses: Annotated[
        list[str] | None,
        typer.Option(
            help="Account statuses that count (repeat, or comma-separated); all when left out."
        ),
    ] = None,
) -> None:
    """Write the customers a campaign reaches, with the participants reaching each, as CSV."""
    campaign = text(campaign, "CAMPAIGN")
    wanted = statuses_from(statuses)
    check_folder(out_file)
    settings = load_settings()
    ensure_neo4j(settings)
    try:
        written = asyncio.run(export_to_file(settings, campaign, depth, wanted, out_file, err))
    except NotFound as error:
        fail(error.message, 2)
    except OSError as error:  # its file name would be the temporary one beside the file
        writing_failed(out_file, error)
    wrote(out_file, f"{number_of(written, 'customer')} reached by {campaign}")


def statuses_from(values: list[str] | None) -> list[str]:
    """`--statuses`, repeated or comma-separated, in any case, each once; every status when
    left out. As the API's `statuses: []`, an option naming no status is refused (exit 2)."""
    known = [status.value for status in AccountStatus]
    if values is None:
        return sorted(known)
    wanted = sorted({s.strip().upper() for value in values for s in value.split(",")} - {""})
    if not wanted:
        raise typer.BadParameter(
            f"give at least one of {', '.join(known)}, or leave the option out for all",
            param_hint="--statuses",
        )
    for status in wanted:
        if status not in known:
            raise typer.BadParameter(
                f"{status!r} is not one of {', '.join(known)}", param_hint="--statuses"
            )
    return wanted


async def export_to_file(
    settings: Settings, campaign: str, depth: int, statuses: list[str], out: Path, console: Console
) -> int:
    graph = settings.connect()
    try:
        return await export_reach(graph, campaign, depth, statuses, out, console)
    finally:
        await graph.close()


async def export_reach(
    graph: Graph,
    campaign: str,
    depth: int,
    statuses: list[str],
    out: Path,
    console: Console,
) -> int:
    """Write the file; return how many customers it lists. NotFound for an unknown campaign."""
    found = await reach.campaign_scope(graph, campaign, None)
    if found is None:
        raise NotFound(f"there is no campaign {campaign!r}", field="campaign")
    scope = reach.Scope(
        tuple(found.partners), depth, tuple(statuses), tuple(found.industries), tuple(found.regions)
    )
    written = 0
    with writing(out, newline="") as handle, bar(console) as progress:
        rows = csv.writer(handle, lineterminator="\n")
        rows.writerow(HEADER)
        task = progress.add_task(f"reach of {campaign}", total=None)
        async for chunk, total in reach.every_reached_customer(graph, scope):
            progress.update(task, total=total)
            for row in chunk:
                customer = row["customer"]
                rows.writerow(
                    [
                        customer["key"],
                        customer["name"],
                        customer.get("industry") or "",
                        customer.get("region") or "",
                        ";".join(row["participants"]),
                    ]
                )
            written += len(chunk)
            progress.advance(task, len(chunk))
    return written
