"""`partnergraph neo4j start|stop|status`: the project's local Neo4j."""

from __future__ import annotations

import typer
from rich.console import Console

from api.settings import Settings, load_settings
from graph.localdb import runner

neo4j_app = typer.Typer(help="The project's local Neo4j (unused when NEO4J_URI is set).")
out = Console()
err = Console(stderr=True)


def local(settings: Settings) -> runner.LocalNeo4j:
    return runner.LocalNeo4j(
        home=settings.local_neo4j_home,
        port=settings.local_neo4j_port,
        heap=settings.local_neo4j_heap,
        page_cache=settings.local_neo4j_page_cache,
    )


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j and wait until it answers (a no-op when it runs already)."""
    settings = load_settings()
    if not settings.uses_local_neo4j:
        out.print(f"NEO4J_URI is set: using {settings.bolt_uri}; nothing to start")
        return
    status = runner.start(local(settings), say=err.print)
    out.print(f"Neo4j {status.message}")
    out.print(status.uri)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (a checkpoint first)."""
    settings = load_settings()
    if not settings.uses_local_neo4j:
        out.print(f"NEO4J_URI is set: using {settings.bolt_uri}; nothing to stop")
        return
    out.print(f"Neo4j {runner.stop(local(settings)).message}")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j runs, and its bolt URI; exit 3 when it does not run."""
    settings = load_settings()
    if not settings.uses_local_neo4j:
        out.print(f"NEO4J_URI is set: using {settings.bolt_uri}")
        return
    status = runner.status(local(settings))
    out.print(f"Neo4j {status.message}")
    out.print(status.uri)
    if not status.running:
        raise typer.Exit(3)
