"""The benchmark runner: `python -m bench [latency|import|start] --preset P`.

latency  loads the preset once into its own Neo4j (cached under var/bench/), serves the API
         against it, then times each scenario as a GraphQL request over HTTP and as the same
         Cypher through the driver (the floor), interleaved; prints p50/p95/p99 and API/floor.
import   imports the preset into a fresh, empty Neo4j: seconds and rows/s per file.
start    starts and stops an empty Neo4j several times: seconds until it answers.
analyze  runs `partnergraph analyze` on the loaded preset: seconds per phase, peak memory.
map-page opens the map page in headless chromium on a 500-node map: time to drawn, hover,
         click and zoom (bench/map_page.py).
tier-walk pages through every partner's tier review, 100 a page, as staff: seconds per walk.
tier-apply applies the tier review to 1,000 partners drawn at random, then undoes it: seconds.
plan-progress times a five-member co-selling plan's progress through the graph function and
         its Cypher (the floor), interleaved, without the API (bench/plan_progress.py).
impact-walk pages through partnerImpact over a year, 100 a page, as staff: seconds per walk.
soak     serves the API as a real uvicorn process and runs --clients callers in a closed loop for
         --minutes, reads and self-undoing writes, as staff and as partners: requests/s,
         p50/p95/p99 per kind, errors, the API's RSS every 10 s (bench/soak.py).

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
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
from neo4j import READ_ACCESS, GraphDatabase

from api.auth import Tokens
from api.settings import Settings
from bench.analyze import rounds as analyze_rounds
from bench.conflicts import CONFLICT_SCENARIOS
from bench.impact import IMPACT_SCENARIOS
from bench.impact import walk as impact_walk_once
from bench.map_page import measure as measure_map_page
from bench.overlap import OVERLAP_SCENARIOS
from bench.partner_map import MAP_SCENARIOS
from bench.paths import PATH_SCENARIOS
from bench.plan_progress import PLAN_SCENARIOS, timings
from bench.prepare import ensure_analysed
from bench.reach import REACH_SCENARIOS
from bench.scenarios import CORE, Scenario, percentile
from bench.soak import report as soak_report
from bench.soak import soak as run_soak
from bench.suggest import SUGGEST_SCENARIOS
from bench.tier_review import TIER_SCENARIOS, apply_once, ensure_closed, partner_keys, walk
from graph.db import Graph
from graph.ingest.generate import TODAY, generate
from graph.ingest.load import import_bundle
from graph.localdb import runner

ALL = (
    *CORE,
    *OVERLAP_SCENARIOS,
    *PATH_SCENARIOS,
    *REACH_SCENARIOS,
    *SUGGEST_SCENARIOS,
    *CONFLICT_SCENARIOS,
    *TIER_SCENARIOS,
    *PLAN_SCENARIOS,
    *IMPACT_SCENARIOS,
    *MAP_SCENARIOS,
)
SCENARIOS = {scenario.name: scenario for scenario in ALL}
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_PORT = 7689  # the bench's own Neo4j, unless --bolt-port says otherwise
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
    port: int = BENCH_PORT

    @property
    def folder(self) -> Path:
        return ROOT / "var" / "bench" / f"{self.preset}-{self.seed}"

    @property
    def bundle(self) -> Path:
        return ROOT / "var" / "bundles" / f"{self.preset}-{self.seed}"

    def neo4j(self, home: Path | None = None) -> runner.LocalNeo4j:
        heap, cache = MEMORY[self.preset]
        return runner.LocalNeo4j(home or self.folder / "neo4j", self.port, heap, cache)


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


def api_port(asked: int = 0) -> int:
    """The port the bench's API listens on: `asked`, refused while anything else listens there
    (the bench would time that instead), or with 0 one the system has free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", asked))
        except OSError:
            raise SystemExit(
                f"port {asked} on 127.0.0.1 is in use by another process; the bench serves its "
                "own API against its own Neo4j: stop that process or pass --api-port 0 (any free "
                "port)"
            ) from None
        return int(probe.getsockname()[1])


@dataclass
class Api:
    """The bench's own API process and where it answers."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def serve_api(uri: str, port: int = 0) -> Api:
    """Serve the API against `uri` on a port nothing else listens on (`api_port`), and wait
    until this process, not another one, answers there."""
    port = api_port(port)
    env = {**os.environ, "NEO4J_URI": uri, "PARTNERGRAPH_DEVELOPMENT": "false"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    log = ROOT / "var" / "bench" / "api.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as written:
        process = subprocess.Popen(command, env=env, stdout=written, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise SystemExit(
                f"the API exited (code {process.returncode}) before it served {url}:\n"
                + "\n".join(said)
            )
        try:
            if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Api(process, url)
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
    # The first timed request: what a question the server has not planned for costs.
    return {
        "api_ms": api_p,
        "floor_ms": floor_p,
        "runs": runs,
        "ratio_p50": ratio,
        "first_ms": api[0],
    }


def _place(options: argparse.Namespace) -> Place:
    return Place(options.preset, options.seed, options.bolt_port)


def latency(options: argparse.Namespace) -> dict[str, Any]:
    db = ensure_loaded(_place(options))
    names = options.scenarios or list(SCENARIOS)
    if any(SCENARIOS[name].needs_analysis for name in names):
        ensure_analysed(db.uri)
    api = serve_api(db.uri, options.api_port)
    results: dict[str, Any] = {}
    try:
        driver = GraphDatabase.driver(db.uri, auth=None, notifications_min_severity="OFF")
        rng = random.Random(options.seed)
        with httpx2.Client(base_url=api.url, timeout=60, headers=bearer("admin")) as client:
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
        api.stop()
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
        f"API/floor {figures['ratio_p50']:.2f}x | first "
        + " ".join(f"{r['first_ms']:.0f}" for r in figures["rounds"])
        + " ms"
    )


def import_throughput(options: argparse.Namespace) -> dict[str, Any]:
    place = _place(options)
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
    db = runner.LocalNeo4j(home, options.bolt_port, "1g", "512m")
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
    db = ensure_loaded(_place(options))
    return analyze_rounds(db.uri, options.rounds)


Walk = Callable[[httpx2.Client, int], tuple[float, int, int]]


def walks(options: argparse.Namespace, once: Walk, what: str) -> dict[str, Any]:
    """Walks through every page of a list over HTTP, as staff, on the loaded preset (its deals
    closed, as the tier review reads them): `once(client, attempt)` is one walk, attempt 0 the
    warm-up; seconds per walk."""
    db = ensure_loaded(_place(options))
    driver = GraphDatabase.driver(db.uri, auth=None, notifications_min_severity="OFF")
    ensure_closed(driver, "neo4j")
    driver.close()
    api = serve_api(db.uri, options.api_port)
    done = []
    try:
        with httpx2.Client(base_url=api.url, timeout=60, headers=bearer("admin")) as client:
            once(client, 0)  # warm-up
            for attempt in range(1, options.rounds + 1):
                seconds, rows, pages = once(client, attempt)
                print(f"walk {attempt}: {rows:,} {what} in {pages} pages, {seconds:.2f} s")
                done.append({"seconds": seconds, "rows": rows, "pages": pages})
    finally:
        api.stop()
    return {"walks": done, "median_seconds": statistics.median(w["seconds"] for w in done)}


def tier_walk(options: argparse.Namespace) -> dict[str, Any]:
    """Every partner's tier review, 100 a page, as staff: seconds per walk, each walk's pages
    one after the other (each from the last one's cursor)."""
    return walks(options, lambda client, attempt: walk(client), "reviews")


def impact_walk(options: argparse.Namespace) -> dict[str, Any]:
    """Every row of partnerImpact over a year, 100 a page, as staff: seconds per walk. Each walk
    asks a year the API has not computed yet (ending a day earlier than the last), so its first
    page computes the table and the others find it kept."""

    def once(client: httpx2.Client, attempt: int) -> tuple[float, int, int]:
        return impact_walk_once(client, TODAY - timedelta(days=attempt))

    return walks(options, once, "rows")


def tier_apply(options: argparse.Namespace) -> dict[str, Any]:
    """tierApply for 1,000 partners drawn at random, as an admin, each round undone after it:
    seconds per apply."""
    db = ensure_loaded(_place(options))
    driver = GraphDatabase.driver(db.uri, auth=None, notifications_min_severity="OFF")
    api = serve_api(db.uri, options.api_port)
    applies = []
    try:
        ensure_closed(driver, "neo4j")
        keys = partner_keys(driver, "neo4j")
        rng = random.Random(options.seed)
        with httpx2.Client(base_url=api.url, timeout=120, headers=bearer("admin")) as client:
            apply_once(client, driver, "neo4j", rng.sample(keys, min(1_000, len(keys))))  # warm
            for attempt in range(options.rounds):
                picked = rng.sample(keys, min(1_000, len(keys)))
                seconds, moved = apply_once(client, driver, "neo4j", picked)
                said = f"{len(picked):,} partners, {moved:,} moved"
                print(f"apply {attempt + 1}: {said}, {seconds:.2f} s")
                applies.append({"seconds": seconds, "partners": len(picked), "moved": moved})
    finally:
        api.stop()
        driver.close()
    return {"applies": applies, "median_seconds": statistics.median(a["seconds"] for a in applies)}


def plan_progress(options: argparse.Namespace) -> dict[str, Any]:
    """A five-member plan's progress (`progress_by_keys`) against its Cypher through the
    driver, interleaved: each figure the median over rounds of each round's percentile."""
    db = ensure_loaded(_place(options))
    rounds = []
    for attempt in range(options.rounds):
        function, floor = asyncio.run(timings(db.uri, options.runs, options.warmup))
        found = {
            side: {f"p{q}": percentile(samples, q / 100) for q in (50, 95, 99)}
            for side, samples in (("function_ms", function), ("floor_ms", floor))
        }
        print(
            f"round {attempt + 1}: progress_by_keys p50 {found['function_ms']['p50']:.2f} "
            f"p95 {found['function_ms']['p95']:.2f} ms | floor p50 "
            f"{found['floor_ms']['p50']:.2f} p95 {found['floor_ms']['p95']:.2f} ms"
        )
        rounds.append(found)
    return {
        "rounds": rounds,
        **{
            side: {q: statistics.median(r[side][q] for r in rounds) for q in ("p50", "p95", "p99")}
            for side in ("function_ms", "floor_ms")
        },
    }


def map_page(options: argparse.Namespace) -> dict[str, Any]:
    db = ensure_loaded(_place(options))
    ensure_analysed(db.uri)
    api = serve_api(db.uri, options.api_port)
    try:
        return measure_map_page(db.uri, api.url, options.rounds)
    finally:
        api.stop()


def soak(options: argparse.Namespace) -> dict[str, Any]:
    db = ensure_loaded(_place(options))
    api = serve_api(db.uri, options.api_port)
    driver = GraphDatabase.driver(db.uri, auth=None, notifications_min_severity="OFF")
    try:
        figures = run_soak(
            driver,
            api.url,
            api.process.pid,
            options.minutes * 60,
            options.clients,
            bearer,
            options.seed,
        )
    finally:
        driver.close()
        api.stop()
    for line in soak_report(figures):
        print(line)
    return figures


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
        choices=[
            "latency",
            "import",
            "start",
            "analyze",
            "map-page",
            "tier-walk",
            "tier-apply",
            "plan-progress",
            "impact-walk",
            "soak",
        ],
    )
    parser.add_argument("--preset", default="small", choices=list(MEMORY))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200, help="timed requests per round")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; figures are their medians")
    parser.add_argument("--scenarios", nargs="*", choices=list(SCENARIOS))
    parser.add_argument(
        "--bolt-port", type=int, default=BENCH_PORT, help="the bench's own Neo4j listens here"
    )
    parser.add_argument(
        "--api-port",
        type=int,
        default=0,
        help="the bench's own API listens here (0: any free port; a busy one is refused)",
    )
    parser.add_argument("--minutes", type=float, default=10, help="soak: how long")
    parser.add_argument("--clients", type=int, default=32, help="soak: concurrent callers")
    options = parser.parse_args()
    if Settings().neo4j_uri:
        raise SystemExit("the benchmark runs its own local Neo4j; unset NEO4J_URI")
    actions = {
        "latency": latency,
        "import": import_throughput,
        "start": start_time,
        "analyze": analysis,
        "map-page": map_page,
        "tier-walk": tier_walk,
        "tier-apply": tier_apply,
        "plan-progress": plan_progress,
        "impact-walk": impact_walk,
        "soak": soak,
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
