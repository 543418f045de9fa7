"""`partnergraph analyze`, and the analysis `import` runs when it is done, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

from relay import relay
from support import write_csv
from test_cli import partnergraph

from graph.db import Graph
from graph.ecosystem import census
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

SUMMARY = re.compile(r"^analyzed (\d+) partners: (\d+) communit(y|ies) in [\d.]+ s \(read ")


def summary_line(stdout: str) -> re.Match[str]:
    found = [SUMMARY.match(line) for line in stdout.splitlines()]
    matched = [match for match in found if match]
    assert len(matched) == 1, stdout
    return matched[0]


async def test_analyze_scores_every_partner_and_says_so_in_one_line(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 2, tmp_path)
    await import_bundle(empty_graph, tmp_path)
    assert (await census(empty_graph, None)).stale
    done = partnergraph("analyze")
    assert done.returncode == 0, done.stderr
    line = summary_line(done.stdout)
    assert int(line.group(1)) == 50
    after = await census(empty_graph, None)
    assert not after.stale and after.communities == int(line.group(2))
    unscored = await empty_graph.read("MATCH (p:Partner) WHERE p.influence IS NULL RETURN p.key")
    assert unscored == []


async def test_import_analyzes_at_the_end_unless_told_not_to(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 3, tmp_path / "first")
    done = partnergraph("import", str(tmp_path / "first"))
    assert done.returncode == 0, done.stderr
    assert int(summary_line(done.stdout).group(1)) == 50
    analyzed = await census(empty_graph, None)
    assert not analyzed.stale

    write_csv(
        tmp_path / "later", "partners.csv", [["cli-N1", "New", "OEM", "GOLD", "", "", "", "", ""]]
    )
    later = partnergraph("import", "--no-analyze", str(tmp_path / "later"))
    assert later.returncode == 0, later.stderr
    assert "analyzed" not in later.stdout
    stale = await census(empty_graph, None)
    assert stale.stale and stale.analyzed_at == analyzed.analyzed_at


PARTNERS = 30_000


async def test_an_outage_while_the_scores_are_written_is_one_line(
    empty_graph: Graph, tmp_path: Path
) -> None:
    rows = [[f"P{i:06}", f"Partner {i:06}", "RESELLER", "GOLD"] for i in range(PARTNERS)]
    write_csv(tmp_path, "partners.csv", rows, header=["key", "name", "type", "tier"])
    await import_bundle(empty_graph, tmp_path)
    target = urlparse(empty_graph.uri)
    # The reads send the keys (about 260 KB); each batch of scores is about 100 KB more.
    link = await relay(0, (target.hostname or "127.0.0.1", target.port or 7687), cut_after=450_000)
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{link.port}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    try:
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.cli", "analyze",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(command.communicate(), timeout=120)
    finally:
        link.close()
    said = [line for line in err.decode().splitlines() if line.strip()]
    assert command.returncode == 1, (out, err)
    assert len(said) == 1, said
    assert "went away while writing the scores" in said[0]
    assert "run `partnergraph analyze` again" in said[0]
