"""`partnergraph export-reach`: a campaign's reached customers as CSV, for a marketing tool.

The rows are those of `Reach.customers` in the staff view, by customer key: the customer's key,
name, industry and region and the keys of the participants reaching it, `;`-joined. The file is
written beside its final name and renamed into place when complete, so a failure leaves none.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import typer
from rich.console import Console

from api.progress import bar
from api.settings import Settings
from graph.analytics import reach
from graph.db import Graph
from graph.errors import NotFound
from graph.model import AccountStatus

HEADER = ["customer", "name", "industry", "region", "participants"]


def statuses_from(values: list[str]) -> list[str]:
    """`--statuses`, repeated or comma-separated, in any case; every status when none."""
    known = [status.value for status in AccountStatus]
    wanted = sorted({s.strip().upper() for value in values for s in value.split(",")} - {""})
    for status in wanted:
        if status not in known:
            raise typer.BadParameter(
                f"{status!r} is not one of {', '.join(known)}", param_hint="--statuses"
            )
    return wanted or sorted(known)


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
    fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(part, 0o666 & ~umask)  # as an open() would have made it, not mkstemp's 0600
    written = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle, bar(console) as progress:
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
        os.replace(part, out)
    except BaseException:
        os.unlink(part)
        raise
    return written
