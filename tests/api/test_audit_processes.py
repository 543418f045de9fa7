"""One audit trail for every API process: two `partnergraph serve` processes on one Neo4j, each
in its own working folder (as on two machines), answer partner questions at once; either one's
`auditEvents` reads every event of both, complete and in order. A process killed (SIGKILL) right
after an answer reached its client has left that answer's event in the trail."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
import pytest_asyncio
from support import load_granting_world, wipe

from api.auth import Tokens
from api.settings import Settings
from graph.db import Graph

ACCOUNTS = "query($k: String!) { partner(key: $k) { key accounts { totalCount } } }"
EVENTS = """query($after: String) {
  auditEvents(first: 100, after: $after, filter: {operation: "accounts"}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { at requestId viewer partners allowed } } }"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    """P asks about A (which lists its accounts to P) and N (which grants P nothing)."""
    await load_granting_world(graph, tmp_path_factory.mktemp("processes"))
    yield
    await wipe(graph)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Api:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def _serve(folder: Path) -> Api:
    """`partnergraph serve` on a free port, working in `folder` (no file shared with another)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {**os.environ, "PARTNERGRAPH_DEVELOPMENT": "false"}
    env.pop("PARTNERGRAPH_AUDIT_LOG", None)
    log = folder / "api.log"
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    with log.open("wb") as written:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=written, stderr=subprocess.STDOUT
        )
    api = Api(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx2.get(f"{api.url}/healthz", timeout=1).status_code == 200:
                return api
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the API at {api.url} did not start: {log.read_text(errors='replace')}")


def _stop(api: Api) -> None:
    if api.process.poll() is None:
        api.process.terminate()
        api.process.wait(timeout=30)


@pytest.fixture
def two(world: None, empty_trail: None, tmp_path: Path) -> Iterator[tuple[Api, Api]]:
    first, second = _serve(tmp_path / "one"), _serve(tmp_path / "two")
    try:
        yield first, second
    finally:
        _stop(first)
        _stop(second)


def _headers(settings: Settings, role: str, request_id: str | None = None) -> dict[str, str]:
    partner = "P" if role == "partner" else None
    headers = {"Authorization": f"Bearer {Tokens(settings).mint(role, partner, subject='t')}"}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    return headers


def _ask_accounts(client: httpx2.Client, settings: Settings, key: str, request_id: str) -> None:
    body = {"query": ACCOUNTS, "variables": {"k": key}}
    response = client.post("/graphql", json=body, headers=_headers(settings, "partner", request_id))
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == request_id


def _trail(api: Api, settings: Settings) -> list[dict[str, Any]]:
    """Every `accounts` event, newest first, page by page, as `api` reads them."""
    found: list[dict[str, Any]] = []
    after = None
    with httpx2.Client(base_url=api.url, timeout=30) as client:
        while True:
            body = {"query": EVENTS, "variables": {"after": after}}
            answer = client.post("/graphql", json=body, headers=_headers(settings, "admin"))
            page = answer.json()["data"]["auditEvents"]
            found += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


def test_every_process_reads_every_process_events_complete_and_in_order(
    two: tuple[Api, Api], settings: Settings
) -> None:
    asked: dict[str, list[str]] = {}  # each client's request ids, in the order it asked
    failures: list[BaseException] = []

    def client(api: Api, name: str, count: int) -> None:
        ids = asked.setdefault(name, [])
        try:
            with httpx2.Client(base_url=api.url, timeout=30) as http:
                for n in range(count):
                    ids.append(f"{name}-{n}")
                    _ask_accounts(http, settings, "AN"[n % 2], ids[-1])
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [
        threading.Thread(target=client, args=(api, f"{which}{lane}", 25))
        for which, api in zip("xy", two, strict=True)
        for lane in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    first, second = (_trail(api, settings) for api in two)
    assert first == second
    # Complete: every question either process was asked, once.
    everything = [request for ids in asked.values() for request in ids]
    assert sorted(event["requestId"] for event in first) == sorted(everything)
    # In order: newest first, and each client's questions in the reverse of the order it asked.
    times = [datetime.fromisoformat(event["at"]) for event in first]
    assert times == sorted(times, reverse=True)
    position = {event["requestId"]: index for index, event in enumerate(first)}
    for ids in asked.values():
        assert [position[request] for request in ids] == sorted(
            (position[request] for request in ids), reverse=True
        )
    by_request = {event["requestId"]: event for event in first}
    assert all(
        (event["viewer"], event["partners"], event["allowed"]) == ("P", [key], key == "A")
        for request, event in by_request.items()
        for key in ["AN"[int(request.split("-")[1]) % 2]]
    )


def test_an_answer_of_a_process_killed_right_after_it_is_in_the_trail(
    two: tuple[Api, Api], settings: Settings
) -> None:
    victim, survivor = two
    with httpx2.Client(base_url=victim.url, timeout=30) as http:
        _ask_accounts(http, settings, "A", "last-words")
        os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait(timeout=30)
    [event] = _trail(survivor, settings)
    assert (event["requestId"], event["partners"], event["allowed"]) == ("last-words", ["A"], True)
