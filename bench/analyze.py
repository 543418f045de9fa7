"""`python -m bench analyze`: `partnergraph analyze` on a loaded preset, seconds per phase and
peak memory. Each round runs in a child process (`python -m bench.analyze URI`), so its peak
resident memory is the child's own maximum RSS as `wait4` reports it."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
from typing import Any

from graph.analytics.network import analyze
from graph.db import Graph

PHASES = ("read", "compute", "write", "store")


def one_round(uri: str) -> dict[str, Any]:
    """Run the analysis in a child process: its seconds per phase and its peak RSS in MB."""
    command = [sys.executable, "-m", "bench.analyze", uri]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    printed = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the analysis failed (exit {child.returncode})")
    figures: dict[str, Any] = json.loads(printed.strip().splitlines()[-1])
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return figures


def rounds(uri: str, count: int) -> dict[str, Any]:
    runs = []
    for index in range(count):
        figures = one_round(uri)
        runs.append(figures)
        seconds = figures["seconds"]
        print(
            f"round {index + 1}: {figures['partners']:,} partners, "
            f"{figures['communities']:,} communities; "
            + ", ".join(f"{phase} {seconds[phase]:.1f} s" for phase in PHASES)
            + f", total {sum(seconds.values()):.1f} s; peak RSS {figures['peak_rss_mb']:,.0f} MB"
        )
    medians = {phase: statistics.median(run["seconds"][phase] for run in runs) for phase in PHASES}
    total = statistics.median(sum(run["seconds"].values()) for run in runs)
    peak = max(run["peak_rss_mb"] for run in runs)
    print(
        "median: "
        + ", ".join(f"{phase} {medians[phase]:.1f} s" for phase in PHASES)
        + f", total {total:.1f} s; peak RSS {peak:,.0f} MB"
    )
    return {"median_s": medians, "median_total_s": total, "peak_rss_mb": peak, "rounds": runs}


async def _analyze(uri: str) -> dict[str, Any]:
    graph = Graph.connect(uri, "neo4j", "", "neo4j")
    try:
        result = await analyze(graph)
    finally:
        await graph.close()
    return {
        "partners": result.partners,
        "communities": result.communities,
        "seconds": result.seconds,
        "stored_partners": result.stored_partners,
        "stored_overlaps": result.stored_overlaps,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_analyze(sys.argv[1]))))
