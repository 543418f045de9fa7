"""What the metrics add to a request: `python -m bench.telemetry [--runs N --rounds R]`.

Runs against the configured Neo4j (NEO4J_URI, or the local one of PARTNERGRAPH_NEO4J_PORT); the
lookup needs a loaded ecosystem (any partner), the ping nothing. In one process it serves two
apps on that graph, with metrics on and off (PARTNERGRAPH_METRICS), the request log and traces
off in both; `--control` turns metrics off in both, to show what the comparison measures
without a difference. Each question is asked by an admin token of both apps in turn, request by
request, straight through ASGI (bench/audit.py's `call`), so both see the same machine; a
round's figure is its p50, and the result is the median over the rounds. It also times the
middleware alone, with metrics, around an app that answers at once, and one request-log line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import time
from typing import Any

from api.app import create_app
from api.auth import Tokens
from api.metrics import Metrics
from api.request_log import LOGGER, RequestLog
from api.settings import Settings
from api.telemetry import Seen, Telemetry
from bench.audit import call

ANY_PARTNER = "MATCH (p:Partner) RETURN p.key AS key ORDER BY key LIMIT 1"
QUESTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "ping": ("query Ping { __typename }", {}),
    "lookup": ("query Lookup($k: String!) { partner(key: $k) { key name tier } }", {}),
}


def _a_partner(settings: Settings) -> str | None:
    async def read() -> str | None:
        graph = settings.connect()
        try:
            records = await graph.read(ANY_PARTNER)
            return str(records[0]["key"]) if records else None
        finally:
            await graph.close()

    return asyncio.run(read())


async def compare(
    query: str, variables: dict[str, Any], on: Any, off: Any, headers: dict[str, str], runs: int
) -> tuple[float, float]:
    """The p50 (ms) of `on` and `off` answering the same request in turn, `runs` times each."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    timed: dict[str, list[float]] = {"on": [], "off": []}
    for index in range(runs):
        order = [("on", on), ("off", off)] if index % 2 else [("off", off), ("on", on)]
        for label, app in order:
            began = time.perf_counter()
            answer = await call(app, body, headers)
            timed[label].append((time.perf_counter() - began) * 1000)
            if answer.get("errors"):
                raise SystemExit(f"{query}: {answer['errors'][:1]}")
    return statistics.median(timed["on"]), statistics.median(timed["off"])


def time_middleware(count: int) -> float:
    """What the middleware with metrics adds around an app that answers at once (µs)."""

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def noted(scope: Any, receive: Any, send: Any) -> None:
        from api import telemetry

        seen = telemetry.current()
        seen.operation, seen.role, seen.outcome = "Ping", "admin", "ok"
        await answer(scope, receive, send)

    async def sent(message: Any) -> None:
        return None

    async def received() -> Any:
        return {"type": "http.request"}

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}

    async def run(app: Any) -> float:
        began = time.perf_counter()
        for _ in range(count):
            await app(scope, received, sent)
        return (time.perf_counter() - began) / count * 1e6

    wrapped = Telemetry(noted, metrics=Metrics(lambda: None, None), log=None, tracing=None)
    return asyncio.run(run(wrapped)) - asyncio.run(run(noted))


def time_log_line(count: int) -> float:
    """One request-log line, formatted and written to /dev/null (µs)."""
    log = RequestLog()
    handler = logging.getLogger(LOGGER).handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    with open(os.devnull, "w") as devnull:
        handler.setStream(devnull)
        seen = Seen("POST", "/graphql", "Ping", "query", "admin", "ok", 200, 0.002, 1, 0.001)
        began = time.perf_counter()
        for _ in range(count):
            log.write(seen, "bench-1")
        took = (time.perf_counter() - began) / count * 1e6
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--control", action="store_true", help="metrics off in both apps")
    options = parser.parse_args()
    settings = Settings(request_log="off", otel=False)
    headers = {"Authorization": f"Bearer {Tokens(settings).mint('admin')}"}
    partner = _a_partner(settings)
    questions = dict(QUESTIONS)
    if partner is None:
        print("no partner in the graph: timing the ping alone")
        del questions["lookup"]
    else:
        questions["lookup"] = (questions["lookup"][0], {"k": partner})
    on = create_app(settings.model_copy(update={"metrics": not options.control}))
    off = create_app(settings.model_copy(update={"metrics": False}))

    async def measure() -> None:
        async with on.router.lifespan_context(on), off.router.lifespan_context(off):
            for name, (query, variables) in questions.items():
                await compare(query, variables, on, off, headers, options.warmup)
                rounds = [
                    await compare(query, variables, on, off, headers, options.runs)
                    for _ in range(options.rounds)
                ]
                added = statistics.median(a - b for a, b in rounds) * 1000
                print(
                    f"{name}: metrics off p50 {statistics.median(b for _, b in rounds):.3f} ms, "
                    f"on {statistics.median(a for a, _ in rounds):.3f} ms, added {added:.0f} µs "
                    f"(median of {options.rounds} rounds of {options.runs})"
                )

    asyncio.run(measure())
    print(f"the middleware with metrics alone: {time_middleware(20000):.1f} µs")
    print(f"one request-log line: {time_log_line(20000):.1f} µs")


if __name__ == "__main__":
    main()
