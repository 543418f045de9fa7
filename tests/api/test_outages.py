"""The API as an operator runs it, against a Neo4j of its own that the tests stop and start: a
request caught by the outage, and every request during it, fails fast (503, SERVICE_UNAVAILABLE,
Retry-After); readiness says so; the API answers again once Neo4j is back, without a restart;
SIGTERM lets a request in flight finish; a query past its request's budget is stopped in Neo4j
too."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph, budget
from graph.errors import TooLarge
from graph.localdb import runner

QUERY = "{ partners(first: 1) { totalCount } }"
FAST = 2.0  # seconds within which an outage must be answered


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[runner.LocalNeo4j]:
    """A Neo4j of these tests' own, to stop and start without touching the suite's."""
    db = runner.LocalNeo4j(
        tmp_path_factory.mktemp("outage-neo4j"), free_port(), heap="512m", page_cache="64m"
    )
    runner.start(db, say=lambda line: None)
    try:
        yield db
    finally:
        runner.stop(db)


def up(db: runner.LocalNeo4j) -> None:
    if not runner.status(db).running:
        runner.start(db, say=lambda line: None)


@pytest.fixture
def api(
    own_neo4j: runner.LocalNeo4j, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`partnergraph serve` on a free port, against the tests' own Neo4j."""
    up(own_neo4j)
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": own_neo4j.uri,
        "PARTNERGRAPH_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        "PARTNERGRAPH_DRAIN_SECONDS": "10",
    }
    log = (tmp_path / "api.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(f"{base}/readyz").status_code == 200:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "api.log").read_text()
        time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError((tmp_path / "api.log").read_text())
    try:
        yield base, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        log.close()


class Reply:
    """An HTTP response, read whole."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def call(url: str, payload: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    """GET `url`, or POST `payload` as JSON; OSError when nothing listens."""
    request = urllib.request.Request(url, data=payload, headers=headers or {})
    if payload is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def ask(base: str) -> Reply:
    return call(f"{base}/graphql", body_of(QUERY), admin())


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(Settings()).mint('admin')}"}


def body_of(query: str) -> bytes:
    return json.dumps({"query": query}).encode()


def begin(base: str, body: bytes, headers: dict[str, str]) -> socket.socket:
    """A POST whose headers and first half of the body are sent: a request in flight."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = [
        "POST /graphql HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[: len(body) // 2])
    return sock


def finish(sock: socket.socket, body: bytes) -> tuple[int, dict[str, str], Any]:
    """Send the rest of the body; the response's status, headers and JSON."""
    sock.sendall(body[len(body) // 2 :])
    raw = b""
    while chunk := sock.recv(65536):
        raw += chunk
    sock.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    lowered = {name.lower(): value for name, value in headers.items()}
    if lowered.get("transfer-encoding") == "chunked":
        size, _, rest = payload.partition(b"\r\n")
        payload = rest[: int(size, 16)]
    return int(lines[0].split()[1]), lowered, json.loads(payload)


def codes(answer: Any) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


def test_an_outage_is_a_fast_503_and_the_api_answers_again_by_itself(
    own_neo4j: runner.LocalNeo4j, api: tuple[str, subprocess.Popen[bytes]]
) -> None:
    base, _ = api
    before = ask(base)
    assert before.status_code == 200, before.body
    body = body_of(QUERY)
    in_flight = begin(base, body, admin())
    runner.stop(own_neo4j)  # Neo4j goes away while the request is being received
    began = time.monotonic()
    status, headers, answer = finish(in_flight, body)
    assert time.monotonic() - began <= FAST
    assert (status, codes(answer)) == (503, ["SERVICE_UNAVAILABLE"])
    assert int(headers["retry-after"]) >= 1
    for _ in range(3):  # and every request while it is down
        began = time.monotonic()
        during = ask(base)
        assert time.monotonic() - began <= FAST
        assert during.status_code == 503 and codes(during.json()) == ["SERVICE_UNAVAILABLE"]
        assert during.headers["retry-after"]
    assert call(f"{base}/healthz").status_code == 200  # the process itself is fine
    ready = call(f"{base}/readyz")
    assert ready.status_code == 503 and ready.json()["neo4j"] == "down"
    runner.start(own_neo4j, say=lambda line: None)
    deadline = time.monotonic() + 30
    while call(f"{base}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "not ready 30 s after Neo4j came back"
        time.sleep(0.2)
    after = ask(base)
    assert after.status_code == 200 and after.json() == before.json()


def test_sigterm_lets_a_request_in_flight_finish(
    api: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    base, process = api
    body = body_of(QUERY)
    in_flight = begin(base, body, admin())
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # draining: no new connection is taken
    with pytest.raises(OSError):
        call(f"{base}/healthz")
    status, _, answer = finish(in_flight, body)
    assert status == 200 and "errors" not in answer, answer
    # uvicorn ends by raising the signal again once shut down: the code a SIGTERM gives
    assert process.wait(timeout=15) == -signal.SIGTERM
    log = (tmp_path / "api.log").read_text()
    assert "Application shutdown complete" in log  # the lifespan ran out: the driver closed


async def test_readiness_says_what_is_missing_and_when_draining(
    own_neo4j: runner.LocalNeo4j, settings: Settings
) -> None:
    up(own_neo4j)
    ours = settings.model_copy(update={"neo4j_uri": own_neo4j.uri})
    app = create_app(ours)
    with TestClient(app) as client:
        assert client.get("/readyz").json() == {"status": "ready", "neo4j": "up"}
        graph = Graph.connect(own_neo4j.uri, "neo4j", "", "neo4j")
        try:
            await graph.write("DROP INDEX partner_tier")
            missing = client.get("/readyz")
            assert missing.status_code == 503
            assert missing.json()["missing"] == ["partner_tier"]
        finally:
            await graph.write("CREATE INDEX partner_tier IF NOT EXISTS FOR (n:Partner) ON (n.tier)")
            await graph.close()
        app.state.draining = True
        draining = client.get("/readyz")
        assert (draining.status_code, draining.json()) == (503, {"status": "draining"})
        assert client.get("/healthz").status_code == 200


SLOW = "UNWIND range(1, 400000000) AS x RETURN sum(x % 7) AS s"


async def test_a_query_past_its_budget_is_stopped_in_neo4j(own_neo4j: runner.LocalNeo4j) -> None:
    up(own_neo4j)
    graph = Graph.connect(own_neo4j.uri, "neo4j", "", "neo4j")
    try:
        began = time.monotonic()
        with budget(0.5), pytest.raises(TooLarge):
            await graph.read(SLOW)
        assert time.monotonic() - began < 0.5 + FAST  # the query alone takes tens of seconds
        # Neo4j ends a timed-out transaction as it notices (soon): it must not keep running.
        deadline = time.monotonic() + 5
        while True:
            running = await graph.read(
                "SHOW TRANSACTIONS YIELD currentQuery RETURN collect(currentQuery) AS queries"
            )
            if not [q for q in running[0]["queries"] if "400000000" in q]:
                break
            assert time.monotonic() < deadline, "the query still runs in Neo4j"
            await asyncio.sleep(0.1)
    finally:
        await graph.close()
