"""`partnergraph export-map`: the API's partner map as a GraphML, GEXF or JSON file, for Gephi,
Cytoscape and other analysts' tools.

The map is the one `partnerMap` answers with the same arguments, in the staff view (the command
line is the operator's): the same nodes, named by the same global ids, and the same edges. The
arguments are checked as the API checks them, before any work; the file is written where
`api.commands.destination` says (a regular file whole or not at all, `-` on standard output).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from api.commands import (
    OUT_RULE,
    check_folder,
    ensure_neo4j,
    fail,
    text,
    writing,
    writing_failed,
    wrote,
)
from api.map_formats import FORMATS, write
from api.settings import Settings, load_settings
from graph.analytics.partner_map import MapSlice, MissingCenter, partner_map
from graph.analytics.paths import Ref
from graph.messages import number_of, shown
from graph.model import PartnerType, Tier
from resolvers.partner_map import (
    DEFAULT_DEPTH,
    DEFAULT_LIMIT,
    DEFAULT_OVERLAPS,
    MAX_DEPTH,
    MAX_LIMIT,
    MAX_MIN_OVERLAP,
    MAX_OVERLAPS,
)
from resolvers.partners import PartnerFilter

CENTER_KINDS = {"partner": "Partner", "customer": "Customer", "solution": "Solution"}
Choice = TypeVar("Choice", bound=StrEnum)


def export_map_command(
    out_file: Annotated[
        Path, typer.Option("--out", help=f"The file to write. {OUT_RULE}", show_default=False)
    ],
    form: Annotated[
        str,
        typer.Option("--format", help="graphml, gexf or json.", show_default=False),
    ],
    center: Annotated[
        str | None,
        typer.Option(
            help="A partner's key: the centre of an ego map (a customer's or a solution's key "
            "with --center-kind); without it, the ecosystem the filters admit."
        ),
    ] = None,
    center_kind: Annotated[
        str,
        typer.Option(help="What --center names: partner, customer or solution."),
    ] = "partner",
    depth: Annotated[
        int,
        typer.Option(
            min=1, max=MAX_DEPTH, help=f"Hops from the centre (1 to {MAX_DEPTH}; with --center)."
        ),
    ] = DEFAULT_DEPTH,
    limit: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_LIMIT,
            help=f"At most this many nodes (1 to {MAX_LIMIT}): the most important are kept.",
        ),
    ] = DEFAULT_LIMIT,
    min_overlap: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_MIN_OVERLAP,
            help="Overlap edges only for at least this many shared customers.",
        ),
    ] = 1,
    max_overlaps: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_OVERLAPS,
            help=f"At most this many overlap edges (0 to {MAX_OVERLAPS}), the heaviest.",
        ),
    ] = DEFAULT_OVERLAPS,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", help="Partners of these types (repeat, or comma-separated)."),
    ] = None,
    tiers: Annotated[
        list[str] | None,
        typer.Option("--tier", help="Partners of these tiers (repeat, or comma-separated)."),
    ] = None,
    regions: Annotated[
        list[str] | None, typer.Option("--region", help="Partners in these regions (repeat).")
    ] = None,
    industries: Annotated[
        list[str] | None, typer.Option("--industry", help="Partners in these industries (repeat).")
    ] = None,
    communities: Annotated[
        list[int] | None,
        typer.Option("--community", help="Partners in these communities (repeat)."),
    ] = None,
) -> None:
    """Write the partner map (the API's partnerMap, staff view) as GraphML, GEXF or JSON."""
    form = _one_of(form.lower(), FORMATS, "--format")
    kind = CENTER_KINDS[_one_of(center_kind.lower(), tuple(CENTER_KINDS), "--center-kind")]
    chosen = PartnerFilter(
        type=_choices(PartnerType, types, "--type"),
        tier=_choices(Tier, tiers, "--tier"),
        region=[text(region, "--region") for region in regions or []] or None,
        industry=[text(industry, "--industry") for industry in industries or []] or None,
        community=communities or None,
    )
    center = None if center is None else text(center, "--center")
    if center is None and center_kind.lower() != "partner":
        raise typer.BadParameter("--center-kind names what --center is", param_hint="--center")
    check_folder(out_file)
    settings = load_settings()
    ensure_neo4j(settings)
    ref = Ref(kind, center) if center is not None else None
    arguments = Arguments(ref, depth, limit, chosen.params(), min_overlap, max_overlaps)
    try:
        found = asyncio.run(export_to_file(settings, arguments, form, out_file))
    except MissingCenter:
        fail(f"--center: there is no {kind.lower()} {shown(center or '')}", 2)
    except OSError as error:  # its file name would be the temporary one beside the file
        writing_failed(out_file, error)
    cut = f" (cut to the {number_of(limit, 'most important node')})" if found.truncated else ""
    said = f"{number_of(len(found.nodes), 'node')} and {number_of(len(found.edges), 'edge')}"
    wrote(out_file, f"{said}{cut}")


@dataclass(frozen=True)
class Arguments:
    """The map asked for, as `partnerMap` takes it."""

    center: Ref | None
    depth: int
    limit: int
    filters: dict[str, Any]
    min_overlap: int
    max_overlaps: int


async def export_to_file(
    settings: Settings, arguments: Arguments, form: str, out: Path
) -> MapSlice:
    """Write the file; return the map it holds. MissingCenter for a centre the graph lacks."""
    graph = settings.connect()
    try:
        found = await partner_map(
            graph,
            center=arguments.center,
            depth=arguments.depth,
            limit=arguments.limit,
            filters=arguments.filters,
            min_overlap=arguments.min_overlap,
            max_overlaps=arguments.max_overlaps,
            counted=None,
            listed=None,
        )
    finally:
        await graph.close()
    with writing(out) as handle:
        write(found, form, handle)
    return found


def _one_of(value: str, known: tuple[str, ...], option: str) -> str:
    if value not in known:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(known)}", param_hint=option)
    return value


def _choices(enum: type[Choice], values: list[str] | None, option: str) -> list[Choice] | None:
    """Enum names from a repeatable, comma-separable option, in any case; None when not given."""
    if not values:
        return None
    known = tuple(member.value for member in enum)
    wanted = sorted({name.strip().upper() for value in values for name in value.split(",")})
    return [enum(_one_of(name, known, option)) for name in wanted]
