"""The benchmark runner: `python -m bench [latency|import|start] --preset P`.

latency  loads the preset once into its own Neo4j (cached under var/bench/), serves the API
         against it, then times each scenario as a GraphQL request over HTTP and as the same
         Cypher through the driver (the floor), interleaved; prints p50/p95/p99 and API/floor.
import   imports the preset into a fresh, empty Neo4j: seconds and rows/s per file.
start    starts and stops an empty Neo4j several times: seconds until it answers.
analyze  runs `partnergraph analyze` on the loaded preset: seconds per phase, peak memory.
map-page opens the map page in headless chromium on a 500-node map: time to drawn, hover,
         click and zoom (bench/map_page.py).

Every run also writes its figures as JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from neo4j import READ_ACCESS, GraphDatabase

from api.auth import Tokens
from api.settings import Settings
from bench.analyze import rounds as analyze_rounds
from bench.conflicts import CONFLICT_SCENARIOS
from bench.map_page import measure as measure_map_page
from bench.overlap import OVERLAP_SCENARIOS
from bench.partner_map import MAP_SCENARIOS
from bench.paths import PATH_SCENARIOS
from bench.reach import REACH_SCENARIOS
from bench.scenarios import CORE, Scenario
from bench.suggest import SUGGEST_SCENARIOS
from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle
from graph.localdb import runner

ALL = (
    *CORE,
    *OVERLAP_SCENARIOS,
    *PATH_SCENARIOS,
    *REACH_SCENARIOS,
    *SUGGEST_SCENARIOS,
    *CONFLICT_SCENARIOS,
    *MAP_SCENARIOS,
)
SCENARIOS = {scenario.name: scenario for scenario in ALL}
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_PORT = 7689
API_PORT = 8765
MEMORY = {
    "tiny": ("1g", "256m"),
    "small": ("2g", "1g"),
    "medium": ("4g", "6g"),
    "large": ("8g", "12g"),
}


@dataclass(frozen=True)
class Place:
    preset: str
    seed: int

    @property
    def folder(self) -> Path:
        return ROOT / "var" / "bench" / f"{self.preset}-{self.seed}"

    @property
    def bundle(self) -> Path:
        return ROOT / "var" / "bundles" / f"{self.preset}-{self.seed}"

    def neo4j(self, home: Path | None = None) -> runner.LocalNeo4j:
        heap, cache = MEMORY[self.preset]
        return runner.LocalNeo4j(home or self.folder / "neo4j", BENCH_PORT, heap, cache)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ensure_bundle(place: Place) -> Path:
    if not (place.bundle / "partners.csv").is_file():
        print(f"generating {place.preset} (seed {place.seed}) into {place.bundle}")
        generate(place.preset, place.seed, place.bundle)
    return place.bundle


async def _import(uri: str, bundle: Path) -> dict[str, Any]:
    graph = Graph.connect(uri, "neo4j", "", "neo4j")
    try:
        result = await import_bundle(graph, bundle)
    finally:
        await graph.close()
    if not result.validation.ok:
        raise SystemExit(f"the bundle has bad rows: {result.validation.errors[:5]}")
    return {
        "check_seconds": result.check_seconds,
        "write_seconds": result.write_seconds,
        "rows": result.rows_written,
        "files": {
            w.file: {"rows": w.rows, "seconds": w.seconds, "rows_per_s": w.rate}
            for w in result.written
        },
    }


def ensure_loaded(place: Place) -> runner.LocalNeo4j:
    """The preset's own Neo4j, started, with the bundle imported once."""
    db = place.neo4j()
    marker = place.folder / "loaded.json"
    runner.start(db)
    if not marker.exists():
        bundle = ensure_bundle(place)
        print(f"importing {bundle} into {db.uri} (once)")
        figures = asyncio.run(_import(db.uri, bundle))
        marker.write_text(json.dumps(figures, indent=2))
    return db


def serve_api(uri: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NEO4J_URI": uri, "PARTNERGRAPH_DEVELOPMENT": "false"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(API_PORT)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{API_PORT}/healthz", timeout=1).status_code == 200:
                return process
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the API did not become healthy within 60 s")


def bearer(role: str, partner: str | None = None) -> dict[str, str]:
    token = Tokens(Settings()).mint(role, partner=partner, ttl=24 * 3600)
    return {"Authorization": f"Bearer {token}"}


def time_scenario(
    scenario: Scenario,
    client: httpx2.Client,
    driver: Any,
    args: list[dict[str, Any]],
    runs: int,
    warmup: int,
) -> dict[str, Any]:
    api: list[float] = []
    floor: list[float] = []
    tokens: dict[str, dict[str, str]] = {}  # minted before timing
    for chosen in args:
        partner = scenario.partner(chosen)
        if partner is not None and partner not in tokens:
            tokens[partner] = bearer("partner", partner)
    for index in range(warmup + runs):
        chosen = args[index % len(args)]
        variables, params = scenario.variables(chosen), scenario.params(chosen)
        headers = tokens.get(scenario.partner(chosen) or "")
        body = {"query": scenario.graphql, "variables": variables}
        began = time.perf_counter()
        response = client.post("/graphql", json=body, headers=headers)
        api_ms = (time.perf_counter() - began) * 1000
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SystemExit(f"{scenario.name}: {response.status_code} {body}")
        began = time.perf_counter()
        with driver.session(database="neo4j", default_access_mode=READ_ACCESS) as session:
            list(session.run(scenario.cypher, params))  # auto-commit, as the API reads
        floor_ms = (time.perf_counter() - began) * 1000
        if index >= warmup:
            api.append(api_ms)
            floor.append(floor_ms)
    api_p = {f"p{q}": percentile(api, q / 100) for q in (50, 95, 99)}
    floor_p = {f"p{q}": percentile(floor, q / 100) for q in (50, 95, 99)}
    ratio = api_p["p50"] / floor_p["p50"]
    return {"api_ms": api_p, "floor_ms": floor_p, "runs": runs, "ratio_p50": ratio}


def latency(options: argparse.Namespace) -> dict[str, Any]:
    place = Place(options.preset, options.seed)
    db = ensure_loaded(place)
    names = options.scenarios or list(SCENARIOS)
    server = serve_api(db.uri)
    results: dict[str, Any] = {}
    try:
        driver = GraphDatabase.driver(db.uri, auth=None, notifications_min_severity="OFF")
        rng = random.Random(options.seed)
        base = f"http://127.0.0.1:{API_PORT}"
        with httpx2.Client(base_url=base, timeout=60, headers=bearer("admin")) as client:
            for name in names:
                scenario = SCENARIOS[name]
                args = scenario.pick(driver, "neo4j", rng)
                rounds = [
                    time_scenario(scenario, client, driver, args, options.runs, options.warmup)
                    for _ in range(options.rounds)
                ]
                results[name] = _median_of_rounds(rounds)
                _print_row(name, results[name])
        driver.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def _median_of_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure is the median over rounds; the rounds themselves are kept."""
    merged: dict[str, Any] = {"rounds": rounds}
    for side in ("api_ms", "floor_ms"):
        merged[side] = {
            q: statistics.median(r[side][q] for r in rounds) for q in ("p50", "p95", "p99")
        }
    merged["ratio_p50"] = statistics.median(r["ratio_p50"] for r in rounds)
    return merged


def _print_row(name: str, figures: dict[str, Any]) -> None:
    api, floor = figures["api_ms"], figures["floor_ms"]
    print(
        f"{name:<28} API p50 {api['p50']:8.2f} p95 {api['p95']:8.2f} p99 {api['p99']:8.2f} ms | "
        f"floor p50 {floor['p50']:8.2f} p95 {floor['p95']:8.2f} p99 {floor['p99']:8.2f} ms | "
        f"API/floor {figures['ratio_p50']:.2f}x"
    )


def import_throughput(options: argparse.Namespace) -> dict[str, Any]:
    place = Place(options.preset, options.seed)
    bundle = ensure_bundle(place)
    runs = []
    for attempt in range(options.rounds):
        home = place.folder.parent / f"import-{place.preset}" / "neo4j"
        shutil.rmtree(home, ignore_errors=True)
        db = place.neo4j(home)
        try:
            runner.start(db)
            figures = asyncio.run(_import(db.uri, bundle))
        finally:
            runner.stop(db)
            shutil.rmtree(home, ignore_errors=True)
        accounts = figures["files"]["accounts.csv"]
        total = figures["check_seconds"] + figures["write_seconds"]
        print(
            f"run {attempt + 1}: {figures['rows']:,} rows, "
            f"checked {figures['check_seconds']:.1f} s, "
            f"wrote {figures['write_seconds']:.1f} s, {total:.1f} s in all; accounts "
            f"{accounts['rows']:,} at {accounts['rows_per_s']:,.0f} rows/s"
        )
        runs.append(figures)
    return {"runs": runs}


def start_time(options: argparse.Namespace) -> dict[str, Any]:
    seconds = []
    home = ROOT / "var" / "bench" / "start" / "neo4j"
    shutil.rmtree(home, ignore_errors=True)
    db = runner.LocalNeo4j(home, BENCH_PORT, "1g", "512m")
    for attempt in range(options.rounds + 1):  # the first start creates the store
        began = time.perf_counter()
        runner.start(db)
        seconds.append(time.perf_counter() - began)
        runner.stop(db)
        label = "first (new store)" if attempt == 0 else f"restart {attempt}"
        print(f"{label}: {seconds[-1]:.2f} s")
    shutil.rmtree(home, ignore_errors=True)
    return {
        "first_s": seconds[0],
        "restart_median_s": statistics.median(seconds[1:]),
        "all_s": seconds,
    }


def analysis(options: argparse.Namespace) -> dict[str, Any]:
    db = ensure_loaded(Place(options.preset, options.seed))
    return analyze_rounds(db.uri, options.rounds)


def map_page(options: argparse.Namespace) -> dict[str, Any]:
    db = ensure_loaded(Place(options.preset, options.seed))
    server = serve_api(db.uri)
    try:
        return measure_map_page(db.uri, f"http://127.0.0.1:{API_PORT}", options.rounds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "what",
        nargs="?",
        default="latency",
        choices=["latency", "import", "start", "analyze", "map-page"],
    )
    parser.add_argument("--preset", default="small", choices=list(MEMORY))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200, help="timed requests per round")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; figures are their medians")
    parser.add_argument("--scenarios", nargs="*", choices=list(SCENARIOS))
    options = parser.parse_args()
    if Settings().neo4j_uri:
        raise SystemExit("the benchmark runs its own local Neo4j; unset NEO4J_URI")
    actions = {
        "latency": latency,
        "import": import_throughput,
        "start": start_time,
        "analyze": analysis,
        "map-page": map_page,
    }
    action = actions[options.what]
    figures = action(options)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = RESULTS / f"{stamp}-{options.what}-{options.preset}.json"
    report = {
        "what": options.what,
        "preset": options.preset,
        "seed": options.seed,
        "machine": machine(),
        "figures": figures,
    }
    target.write_text(json.dumps(report, indent=2, default=str))
    print(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
