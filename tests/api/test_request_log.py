"""PARTNERGRAPH_REQUEST_LOG=json: one JSON line per HTTP request on `partnergraph.requests`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from support import ask

from api.app import create_app
from api.auth import Tokens
from api.request_log import LOGGER
from api.settings import Settings
from graph.db import Graph

QUERY = "query Count($n: Int!) { partners(first: $n) { totalCount nodes { key } } }"
FIELDS = {
    "at",
    "requestId",
    "method",
    "path",
    "operation",
    "outcome",
    "role",
    "status",
    "durationMs",
    "neo4jRoundTrips",
    "neo4jMs",
}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def lines() -> Iterator[list[dict[str, Any]]]:
    handler = Lines()
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


async def test_each_request_is_one_line_with_every_field(
    graph: Graph, settings: Settings, lines: list[dict[str, Any]]
) -> None:
    round_trips = (await ask(graph, QUERY, {"n": 3})).round_trips  # graph.db's own count
    logged = settings.model_copy(update={"request_log": "json"})
    token = Tokens(settings).mint("marketer")
    with TestClient(create_app(logged)) as client:
        answered = client.post(
            "/graphql",
            json={"query": QUERY, "variables": {"n": 3}},
            headers={"Authorization": f"Bearer {token}", "X-Request-Id": "trace-me-1"},
        )
        refused = client.post("/graphql", json={"query": QUERY, "variables": {"n": 3}})
        health = client.get("/healthz")
    assert [line.keys() == FIELDS for line in lines] == [True, True, True]
    first, second, third = lines
    assert first["requestId"] == "trace-me-1" == answered.headers["x-request-id"]
    assert (first["method"], first["path"], first["operation"], first["role"]) == (
        "POST",
        "/graphql",
        "Count",
        "marketer",
    )
    assert (first["status"], first["outcome"]) == (200, "ok")
    assert first["neo4jRoundTrips"] == round_trips > 0
    # the queries' times summed: queries run side by side can add up to more than the request
    assert first["neo4jMs"] > 0 and first["durationMs"] > 0
    assert second["requestId"] == refused.headers["x-request-id"] != first["requestId"]
    assert (second["status"], second["outcome"], second["role"]) == (401, "UNAUTHENTICATED", None)
    assert second["neo4jRoundTrips"] == 0
    assert third["path"] == "/healthz" and third["status"] == health.status_code == 200
    assert (third["operation"], third["outcome"]) == (None, None)


def test_off_by_default(settings: Settings, lines: list[dict[str, Any]]) -> None:
    assert settings.request_log == "off"
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
    assert lines == []


def test_the_line_goes_to_stderr_once(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger(LOGGER)
    made_before = list(logger.handlers)  # they hold the stderr of before capfd
    for handler in made_before:
        logger.removeHandler(handler)
    logged = settings.model_copy(update={"request_log": "json"})
    try:
        with TestClient(create_app(logged)) as client, TestClient(create_app(logged)):
            client.get("/healthz")
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in made_before:
            logger.addHandler(handler)
    written = [line for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [json.loads(line)["path"] for line in written] == ["/healthz"]
