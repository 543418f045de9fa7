"""`partnergraph analyze`, and the analysis that `import` and `demo` run when they are done."""

from __future__ import annotations

from rich.console import Console
from rich.progress import TaskID

from api.progress import bar as progress_bar
from api.settings import Settings
from graph.analytics.network import Analysis, analyze
from graph.messages import number_of

STALE = ", stale: accounts were written while it ran (they are counted live until the next run)"
PHASES = {"read": "reading accounts", "write": "writing scores"}


async def run_analysis(settings: Settings, err: Console) -> Analysis:
    """Analyse the graph in use, with a progress bar on a terminal."""
    graph = settings.connect()
    try:
        with progress_bar(err) as bar:
            tasks: dict[str, TaskID] = {}

            def tell(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
                bar.advance(tasks[phase], done)

            return await analyze(graph, tell)
    finally:
        await graph.close()


def summary(result: Analysis) -> str:
    seconds = ", ".join(f"{phase} {took:.1f} s" for phase, took in result.seconds.items())
    return (
        f"analyzed {number_of(result.partners, 'partner')}: "
        f"{number_of(result.communities, 'community', 'communities')} in "
        f"{result.total_seconds:.1f} s ({seconds}); overlap counts stored between "
        f"{number_of(result.stored_partners, 'partner')} "
        f"({number_of(result.stored_overlaps, 'pair')})" + ("" if result.overlaps_fresh else STALE)
    )
