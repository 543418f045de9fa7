"""The `partnergraph` command: the local Neo4j, bundles, analytics, the API, tokens, the schema."""

from __future__ import annotations

import asyncio
import logging
import math
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from api.analysis import run_analysis, summary
from api.commands import day_option, ensure_neo4j, err, fail
from api.export_impact import export_impact_command
from api.export_map import export_map_command
from api.export_reach import export_reach_command
from api.export_tier_review import tier_review_command
from api.listen import check_listen
from api.neo4j_commands import neo4j_app
from api.progress import bar as progress_bar
from api.settings import Settings, load_settings
from graph.access import Role, today
from graph.ecosystem import Census, census
from graph.errors import Interrupted, InvalidInput, NotFound, PartnergraphError, Unavailable
from graph.ingest.generate import PRESETS, TODAY, generate
from graph.ingest.load import ImportResult, import_bundle
from graph.ingest.validate import bundle_files
from graph.messages import number_of, shown
from graph.viewers import partner_exists

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
app.add_typer(neo4j_app, name="neo4j")
out = Console()
# A token cannot be revoked before it expires; one that never does is a key that never changes.
MAX_TTL = 366 * 24 * 3600
NO_ANALYZE = "Leave the influence scores and communities as they are (stale) after loading."
INTERRUPTED = 130  # the exit code of a command stopped by Ctrl-C (128 + SIGINT)


def main() -> None:
    """Run a command. A failure is one line on stderr: exit 2 for a command line that does not
    fit its options, 130 for Ctrl-C, 1 for anything else."""
    # The driver logs each retry while Neo4j is away; a command says what happened, once.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as error:  # a command line that does not fit (usage errors)
        if type(error).__name__ == "NoArgsIsHelpError":
            sys.exit(error.exit_code)  # typer has printed the help
        fail(f"{error.format_message()} (see --help)", error.exit_code)
    except typer.Abort:
        fail("aborted", 1)
    except Interrupted as error:
        fail(error.message, INTERRUPTED)
    except PartnergraphError as error:
        fail(error.message, 1)
    except OSError as error:
        fail(str(error), 1)
    except Exception as error:  # a bug; still one line, never a traceback
        fail(f"unexpected {type(error).__name__}: {error}", 1)
    if code == INTERRUPTED:  # typer's word for Ctrl-C, which it leaves unsaid
        fail("interrupted", INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def _settings() -> Settings:
    return load_settings()


@app.command("generate")
def generate_command(
    out_dir: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Folder to write the bundle into.")
    ],
    preset: Annotated[str, typer.Option(help="tiny, small, medium or large.")] = "small",
    seed: Annotated[int, typer.Option(help="The same seed gives the same bundle.")] = 1,
    around: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="DAY",
            help="The day the bundle's dates are set around (deals, agreements, campaigns),"
            f" as YYYY-MM-DD; {TODAY} when left out, so a seed always gives the same bytes.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a synthetic ecosystem bundle, deterministic for a seed (and day)."""
    preset = _check_preset(preset)
    day = day_option(around, "--today") if around is not None else TODAY
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise typer.BadParameter(
            f"{out_dir} is not empty: give a new or empty folder (the bundle would overwrite "
            "or mix with what is there)",
            param_hint="--out",
        )
    try:
        counts = generate(preset, seed, out_dir, day)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: the unfinished bundle in {out_dir} is removed") from None
    table = Table("file", "rows", title=f"{preset} bundle (seed {seed}) in {out_dir}")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)


def _check_preset(preset: str) -> str:
    """The preset named, in any case (as the bundle's names are)."""
    if preset.lower() not in PRESETS:
        raise typer.BadParameter(
            f"{preset!r} is not one of {', '.join(PRESETS)}", param_hint="--preset"
        )
    return preset.lower()


@app.command("import")
def import_command(
    folder: Annotated[
        Path, typer.Argument(help="The bundle folder.", exists=True, file_okay=False)
    ],
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Write the good rows; put the bad ones in --rejects."),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="File for the bad rows, unchanged, with their reasons."),
    ] = None,
    ignore_unknown_files: Annotated[
        bool,
        typer.Option(
            "--ignore-unknown-files",
            help="Load the bundle's files and leave out the folder's other files.",
        ),
    ] = False,
    no_analyze: Annotated[bool, typer.Option("--no-analyze", help=NO_ANALYZE)] = False,
) -> None:
    """Check every row of a bundle, then load it; with any bad row nothing is written."""
    if skip_invalid and rejects is None:
        raise typer.BadParameter("--skip-invalid needs --rejects FILE", param_hint="--rejects")
    if rejects is not None and not skip_invalid:
        raise typer.BadParameter(
            "--rejects is for --skip-invalid (without it nothing is written and every bad row "
            "is printed)",
            param_hint="--rejects",
        )
    taken = {path.resolve(): spec.name for spec, path in bundle_files(folder)}
    if rejects is not None and rejects.resolve() in taken:  # it would be overwritten
        raise typer.BadParameter(
            f"{rejects} is {taken[rejects.resolve()]} of the bundle; give another file",
            param_hint="--rejects",
        )
    settings = _settings()
    ensure_neo4j(settings)
    try:
        result = asyncio.run(_import(settings, folder, skip_invalid, rejects, ignore_unknown_files))
    except Unavailable as error:
        err.print(f"[red]error:[/red] {escape(error.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    _report(result, skip_invalid, rejects)
    if not no_analyze:
        _analyze(settings)


async def _import(
    settings: Settings,
    folder: Path,
    skip_invalid: bool,
    rejects: Path | None,
    ignore_unknown_files: bool = False,
) -> ImportResult:
    files = bundle_files(folder)
    lines = {spec.name: _data_lines(path) for spec, path in files}
    graph = settings.connect()
    try:
        with progress_bar(err) as bar:
            tasks: dict[tuple[str, str], TaskID] = {}

            def tell(phase: str, name: str, done: int) -> None:
                if (phase, name) not in tasks:
                    tasks[(phase, name)] = bar.add_task(f"{phase} {name}", total=lines.get(name))
                bar.advance(tasks[(phase, name)], done)

            return await import_bundle(
                graph,
                folder,
                skip_invalid=skip_invalid,
                rejects=rejects,
                ignore_unknown_files=ignore_unknown_files,
                progress=tell,
            )
    finally:
        await graph.close()


def _data_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _report(result: ImportResult, skip_invalid: bool, rejects: Path | None) -> None:
    from graph.ingest.read import UnknownFile

    validation = result.validation
    for problem in validation.fatal:
        err.print(str(problem), highlight=False, markup=False)
    for line in validation.report():
        err.print(line, highlight=False, markup=False, soft_wrap=True)
    if any(isinstance(problem, UnknownFile) for problem in validation.fatal):
        err.print(
            "[red]nothing written:[/red] the folder holds files that are not bundle files "
            "(rename them, or leave them out with --ignore-unknown-files)"
        )
        raise typer.Exit(1)
    if validation.fatal:
        err.print("[red]nothing written:[/red] the bundle cannot be read as it is")
        raise typer.Exit(1)
    if validation.errors and not skip_invalid:
        err.print(
            f"[red]nothing written:[/red] {_rows(validation.bad_rows)} "
            "(use --skip-invalid --rejects FILE to write the good ones)"
        )
        raise typer.Exit(1)
    table = Table("file", "rows", "rejected", "seconds", "rows/s", title="import")
    for written, report in zip(result.written, validation.files, strict=True):
        table.add_row(
            written.file,
            f"{written.rows:,}",
            f"{len(report.bad):,}",
            f"{written.seconds:.1f}",
            f"{written.rate:,.0f}",
        )
    out.print(table)
    total = result.check_seconds + result.write_seconds
    rate = result.rows_written / max(result.write_seconds, 1e-9)
    out.print(
        f"checked in {result.check_seconds:.1f} s, "
        f"wrote {number_of(result.rows_written, 'row')} in "
        f"{result.write_seconds:.1f} s ({rate:,.0f} rows/s); {total:.1f} s in all"
    )
    if validation.bad_rows:
        out.print(f"{_rows(validation.bad_rows)} written to {rejects}")
    if result.undated:
        out.print(
            f"{number_of(result.undated, 'WON or LOST deal')} in the graph "
            f"{'has' if result.undated == 1 else 'have'} no closed_on: "
            f"{'it counts' if result.undated == 1 else 'they count'} in no window of days"
        )


def _rows(count: int) -> str:
    return number_of(count, "bad row")


@app.command("analyze")
def analyze_command() -> None:
    """Score every partner's influence and find the communities; write them onto the graph."""
    settings = _settings()
    ensure_neo4j(settings)
    _analyze(settings)


def _analyze(settings: Settings) -> None:
    try:
        result = asyncio.run(run_analysis(settings, err))
    except Unavailable as error:
        err.print(f"[red]error:[/red] {escape(error.message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    out.print(summary(result), highlight=False, soft_wrap=True)


app.command("export-reach")(export_reach_command)
app.command("export-map")(export_map_command)
app.command("tier-review")(tier_review_command)
app.command("export-impact")(export_impact_command)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on.")] = None,
) -> None:
    """Serve the API (uvicorn); GraphQL at /graphql, liveness at /healthz, readiness at /readyz.
    SIGTERM drains: /readyz turns 503, no new connection is taken, and requests in flight have
    PARTNERGRAPH_DRAIN_SECONDS to finish before the driver is closed."""
    import uvicorn

    from api.app import create_app

    settings = _settings()
    application = create_app(settings)  # production settings are checked before anything starts
    host, port = host or settings.host, port or settings.port
    check_listen(host, port)
    ensure_neo4j(settings)

    class Draining(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            application.state.draining = True  # a load balancer asking /readyz stops sending
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=math.ceil(settings.drain_seconds),  # 0: cancel at once
    )
    Draining(config).run()


@app.command("token")
def token_command(
    role: Annotated[str, typer.Option(help="admin, alliance_manager, marketer or partner.")],
    partner: Annotated[
        str | None, typer.Option(help="The partner's key, for a partner-scoped token.")
    ] = None,
    ttl: Annotated[
        int, typer.Option(min=1, max=MAX_TTL, help="Seconds until it expires (at most 366 days).")
    ] = 3600,
) -> None:
    """Print a signed bearer token that this API accepts (the last line of output)."""
    from api.auth import Tokens

    settings = _settings()
    if settings.production:
        settings.check()  # a weak secret signs tokens the API refuses to start with
    roles = [known.value for known in Role]
    if role.lower() not in roles:  # in any case, as the bundle's names are
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(roles)}", param_hint="--role")
    try:
        token = Tokens(settings).mint(role.lower(), partner, ttl)
    except InvalidInput as error:  # options that do not fit together: a usage error
        raise typer.BadParameter(error.message, param_hint=f"--{error.field}") from None
    if partner is not None:
        ensure_neo4j(settings)
        if not asyncio.run(_partner_known(settings, partner)):
            raise NotFound(f"no partner {shown(partner)} in the graph", field="partner")
    typer.echo(token)


async def _partner_known(settings: Settings, key: str) -> bool:
    graph = settings.connect()
    try:
        return await partner_exists(graph, key)
    finally:
        await graph.close()


@app.command("schema")
def schema_command() -> None:
    """Print the GraphQL schema (SDL)."""
    from resolvers.schema import schema

    typer.echo(schema.as_str())


@app.command("demo")
def demo_command(
    preset: Annotated[str, typer.Option(help="The preset to load.")] = "small",
    seed: Annotated[int, typer.Option(help="The seed of the bundle.")] = 7,
    no_analyze: Annotated[bool, typer.Option("--no-analyze", help=NO_ANALYZE)] = False,
) -> None:
    """Load a demo ecosystem once: generate a bundle and import it unless the graph has partners."""
    preset = _check_preset(preset)
    settings = _settings()
    ensure_neo4j(settings)
    held = asyncio.run(_census(settings))
    if held.partners:
        out.print("the graph already holds partners: demo load skipped")
        if held.stale and not no_analyze:  # scores older than the data, or never computed
            _analyze(settings)
        return
    # Dated around today, so that its deals, agreements and campaigns are current ones.
    day = today()
    folder = settings.var_dir / "bundles" / f"{preset}-{seed}-{day}"
    if not (folder / "partners.csv").is_file():
        generate(preset, seed, folder, day)
    result = asyncio.run(_import(settings, folder, False, None))
    _report(result, False, None)
    if not no_analyze:
        _analyze(settings)


async def _census(settings: Settings) -> Census:
    graph = settings.connect()
    try:
        return await census(graph, None)
    finally:
        await graph.close()


if __name__ == "__main__":
    main()
