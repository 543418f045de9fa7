"""What the audit trail adds to a request: `python -m bench.audit [--runs N --rounds R]`.

Runs against the configured Neo4j (NEO4J_URI, or the local one of PARTNERGRAPH_NEO4J_PORT),
which must hold a loaded ecosystem with at least one ACCOUNT_LIST agreement in force. In one
process it serves two apps on that graph: the real one, whose answers wait until their events
are committed to the graph, and the same app without the audit middleware (no trail, no request
id); `--control` audits neither, to show what the comparison measures without a difference.
Each audited question is asked by the grantee's partner token of both apps in turn, request by
request, so both see the same machine; a round's figure is its p50 (of wall time, and of this
process's CPU time while the request was answered, the trail's writer included), and the result
is the median over the rounds. It also times `AuditTrail.record` and the JSON-lines file alone.
The events it wrote (request ids `bench-…`) are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.audit import AuditEvent, AuditTrail
from graph.audit_file import AuditFile

GRANTS = """
MATCH (g:Partner)-[:GRANTS]->(a:Agreement {status: 'ACTIVE'})-[:TO]->(p:Partner)
WHERE 'ACCOUNT_LIST' IN a.scopes AND a.validFrom <= date()
  AND (a.validTo IS NULL OR a.validTo >= date())
RETURN p.key AS me, g.key AS other ORDER BY me, other LIMIT 50
"""
QUESTIONS = {
    "another partner's accounts (1 event)": (
        "query($other: String!) { partner(key: $other) { key accounts(first: 5) { totalCount "
        "nodes { customer { key } } } } }",
        lambda pair: {"other": pair["other"]},
    ),
    "overlap with customers (2 events)": (
        "query($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count jaccard "
        "customers(first: 5) { nodes { key } } } }",
        lambda pair: {"a": _id(pair["me"]), "b": _id(pair["other"])},
    ),
}


FORGET = "MATCH (e:AuditEvent) WHERE e.requestId STARTS WITH $prefix DETACH DELETE e"
_asked = [0]  # requests made, for their ids


def _id(key: str) -> str:
    from resolvers.node import encode_id

    return encode_id("Partner", key)


def _pairs(settings: Settings) -> list[dict[str, str]]:
    async def read() -> list[dict[str, str]]:
        graph = settings.connect()
        try:
            return [dict(r) for r in await graph.read(GRANTS)]
        finally:
            await graph.close()

    pairs = asyncio.run(read())
    if not pairs:
        raise SystemExit("no ACCOUNT_LIST agreement in force: load an ecosystem first")
    return pairs


def _p50(samples: list[float]) -> float:
    return statistics.median(samples)


async def call(app: Any, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """One POST /graphql straight into the ASGI app, on this event loop (no client, no thread)."""
    _asked[0] += 1
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"content-type", b"application/json"),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
            (b"x-request-id", f"bench-{_asked[0]}".encode()),
        ],
    }
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return dict(json.loads(b"".join(chunks)))


@dataclass(frozen=True)
class Apps:
    """The audited app, the one that is not, and who asks them what."""

    on: Any
    off: Any
    pairs: list[dict[str, str]]
    tokens: dict[str, dict[str, str]]


async def time_question(name: str, apps: Apps, runs: int, rounds: int) -> dict[str, Any]:
    query, variables = QUESTIONS[name]
    on, off, pairs, tokens = apps.on, apps.off, apps.pairs, apps.tokens
    per_round: list[tuple[float, float]] = []
    cpu_round: list[float] = []
    for _ in range(rounds):
        timed: dict[str, list[float]] = {"on": [], "off": []}
        cpu: dict[str, list[float]] = {"on": [], "off": []}
        for index in range(runs):
            pair = pairs[index % len(pairs)]
            body = json.dumps({"query": query, "variables": variables(pair)}).encode()
            order = [("on", on), ("off", off)] if index % 2 else [("off", off), ("on", on)]
            for label, app in order:
                began, began_cpu = time.perf_counter(), time.process_time()
                answer = await call(app, body, tokens[pair["me"]])
                timed[label].append((time.perf_counter() - began) * 1000)
                cpu[label].append((time.process_time() - began_cpu) * 1000)
                if answer.get("errors"):
                    raise SystemExit(f"{name}: {answer['errors'][:1]}")
        per_round.append((_p50(timed["on"]), _p50(timed["off"])))
        cpu_round.append(statistics.mean(cpu["on"]) - statistics.mean(cpu["off"]))
    on_ms = statistics.median(r[0] for r in per_round)
    off_ms = statistics.median(r[1] for r in per_round)
    added = statistics.median(r[0] - r[1] for r in per_round)
    return {
        "on_p50_ms": on_ms,
        "off_p50_ms": off_ms,
        "added_p50_ms": added,
        "added_cpu_ms": statistics.median(cpu_round),
        "rounds": per_round,
    }


async def time_concurrent(name: str, apps: Apps, clients: int, each: int) -> dict[str, float]:
    """`clients` tasks asking at once, `each` questions apiece, of one app then the other (twice,
    the second time counted): the time and this process's CPU per request."""
    query, variables = QUESTIONS[name]

    async def lane(app: Any, index: int) -> None:
        for n in range(each):
            pair = apps.pairs[(index * each + n) % len(apps.pairs)]
            body = json.dumps({"query": query, "variables": variables(pair)}).encode()
            await call(app, body, apps.tokens[pair["me"]])

    figures: dict[str, float] = {}
    for label, app in [("off", apps.off), ("on", apps.on)] * 2:
        began, began_cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(lane(app, index) for index in range(clients)))
        asked = clients * each
        figures[f"{label}_ms"] = (time.perf_counter() - began) * 1000 / asked
        figures[f"{label}_cpu_ms"] = (time.process_time() - began_cpu) * 1000 / asked
    return figures


def _event() -> AuditEvent:
    return AuditEvent(datetime.now(UTC), "bench", "bench", "partner", "P", "accounts", ("A",), True)


def time_record(count: int) -> float:
    """`AuditTrail.record` alone (what a request pays; the writer is not running)."""
    trail = AuditTrail()
    events = [_event() for _ in range(count)]
    began = time.perf_counter()
    for event in events:
        trail.record(event)
    return (time.perf_counter() - began) / count * 1e6


def time_file(path: Path, count: int) -> float:
    """One event appended to the JSON-lines file (the writer's cost per event when it is set)."""
    sink = AuditFile(path)
    event = _event()
    began = time.perf_counter()
    for _ in range(count):
        sink.append([event])
    sink.close()
    return (time.perf_counter() - began) / count * 1e6


def time_middleware(count: int) -> float:
    """What the request-id middleware adds around an app that answers at once, per request."""
    from api.audit import RequestAudit

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def sent(message: Any) -> None:
        return None

    async def received() -> Any:
        return {"type": "http.request"}

    scope = {"type": "http", "headers": [(b"x-request-id", b"bench-1")]}

    async def run(app: Any) -> float:
        began = time.perf_counter()
        for _ in range(count):
            await app(scope, received, sent)
        return (time.perf_counter() - began) / count * 1e6

    wrapped = RequestAudit(answer, trail=None)
    return asyncio.run(run(wrapped)) - asyncio.run(run(answer))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument(
        "--control", action="store_true", help="audit neither app: the noise of the comparison"
    )
    parser.add_argument("--clients", type=int, default=8, help="asking at once, at the end")
    parser.add_argument("--each", type=int, default=100, help="questions each client asks")
    options = parser.parse_args()
    settings = Settings()
    pairs = _pairs(settings)
    tokens_of = Tokens(settings)
    tokens = {
        pair["me"]: {"Authorization": f"Bearer {tokens_of.mint('partner', pair['me'])}"}
        for pair in pairs
    }
    asyncio.run(_measure(settings, pairs, tokens, options))
    print(f"AuditTrail.record alone: {time_record(20000):.2f} µs")
    with tempfile.TemporaryDirectory() as folder:
        print(f"one JSON line appended: {time_file(Path(folder) / 'a.jsonl', 5000):.1f} µs")
    print(f"the request-id middleware alone: {time_middleware(20000):.1f} µs")


async def _measure(
    settings: Settings,
    pairs: list[dict[str, str]],
    tokens: dict[str, dict[str, str]],
    options: argparse.Namespace,
) -> None:
    audited = create_app(settings.model_copy(update={"audit_log": None}))
    plain = create_app(settings)
    plain.user_middleware.clear()  # auditing off: no trail, no request id
    if options.control:
        audited.user_middleware.clear()
    async with audited.router.lifespan_context(audited), plain.router.lifespan_context(plain):
        apps = Apps(audited, plain, pairs, tokens)
        for name in QUESTIONS:
            await time_question(name, apps, options.warmup, 1)
            figures = await time_question(name, apps, options.runs, options.rounds)
            print(
                f"{name}: audited p50 {figures['on_p50_ms']:.3f} ms, "
                f"not audited {figures['off_p50_ms']:.3f} ms, "
                f"added {figures['added_p50_ms'] * 1000:.0f} µs, CPU added "
                f"{figures['added_cpu_ms'] * 1000:.0f} µs a request (median of "
                f"{options.rounds} rounds of {options.runs})"
            )
        trail = audited.state.audit_trail
        print(f"{trail.written} events written in {trail.commits} commits, {trail.failed} failed")
        name = next(iter(QUESTIONS))
        written, commits = trail.written, trail.commits
        together = await time_concurrent(name, apps, options.clients, options.each)
        print(
            f"{name}, {options.clients} clients at once: {together['on_ms']:.3f} ms a request "
            f"audited, {together['off_ms']:.3f} ms not; CPU {together['on_cpu_ms']:.3f} / "
            f"{together['off_cpu_ms']:.3f} ms a request; "
            f"{(trail.written - written) / max(1, trail.commits - commits):.1f} events a commit"
        )
    graph = settings.connect()
    try:
        await graph.write(FORGET, {"prefix": "bench-"})
    finally:
        await graph.close()


if __name__ == "__main__":
    main()
