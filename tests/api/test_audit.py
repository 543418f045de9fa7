"""The audit trail, through the served application: every cross-partner question of a
partner-scoped viewer is one event in the graph, committed before its answer leaves (503 when it
cannot be), also one JSON line in PARTNERGRAPH_AUDIT_LOG when that is set, and admins can read
it."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from starlette.testclient import TestClient
from support import load_granting_world, trail_events, wipe
from tokens import signed

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings
from graph.audit import AuditEvent, AuditFilter, AuditTrail
from graph.db import Graph
from resolvers.node import encode_id

ACCOUNTS = "query($k: String!) { partner(key: $k) { key accounts { totalCount } } }"
OVERLAP = "query($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count } }"
EVENTS = """query($first: Int, $after: String, $filter: AuditFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { at requestId subject role viewer operation partners allowed } } }"""


@pytest_asyncio.fixture(loop_scope="session")
async def world(graph: Graph, tmp_path: Path) -> AsyncIterator[None]:
    """P asks; A grants P an account list, N grants nothing."""
    await load_granting_world(graph, tmp_path / "bundle")
    yield
    await wipe(graph)


@pytest.fixture
def trail_file(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "audit.jsonl"


@pytest.fixture
def client(settings: Settings, trail_file: Path, empty_trail: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"audit_log": trail_file}))) as client:
        yield client


def _ask(
    client: TestClient,
    settings: Settings,
    query: str,
    variables: dict[str, Any],
    role: str = "partner",
    partner: str | None = "P",
    request_id: str | None = None,
) -> Any:
    token = Tokens(settings).mint(role, partner if role == "partner" else None, subject="alice")
    headers = {"Authorization": f"Bearer {token}"}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    return client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_file_is_written_only_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNERGRAPH_AUDIT_LOG", raising=False)
    assert Settings().audit_log is None
    monkeypatch.setenv("PARTNERGRAPH_AUDIT_LOG", "")
    assert Settings().audit_log is None
    monkeypatch.setenv("PARTNERGRAPH_AUDIT_LOG", "/tmp/elsewhere.jsonl")
    assert Settings().audit_log == Path("/tmp/elsewhere.jsonl")


def test_a_granted_question_is_one_line_with_the_request_id(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    response = _ask(client, settings, ACCOUNTS, {"k": "A"}, request_id="req-42")
    assert response.json()["data"]["partner"]["accounts"] == {"totalCount": 2}
    assert response.headers["x-request-id"] == "req-42"
    [line] = _lines(trail_file)
    assert line.pop("at")
    assert line == {
        "requestId": "req-42",
        "subject": "alice",
        "role": "partner",
        "viewer": "P",
        "operation": "accounts",
        "partners": ["A"],
        "allowed": True,
    }


def test_a_refused_question_is_audited_under_a_made_request_id(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    response = _ask(client, settings, ACCOUNTS, {"k": "N"})
    body = response.json()
    assert body["data"] == {"partner": {"key": "N", "accounts": None}}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    made = response.headers["x-request-id"]
    assert len(made) >= 16
    [line] = _lines(trail_file)
    assert (line["operation"], line["partners"], line["allowed"]) == ("accounts", ["N"], False)
    assert line["requestId"] == made


def test_a_token_without_a_subject_is_audited_under_the_partner_it_acts_for(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    # an identity provider's token may carry no `sub`
    token = signed(settings, sub=None, role="partner", partner="P")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/graphql", json={"query": ACCOUNTS, "variables": {"k": "A"}}, headers=headers
    )
    assert response.json()["data"]["partner"]["accounts"] == {"totalCount": 2}
    [line] = _lines(trail_file)
    assert (line["subject"], line["viewer"]) == ("partner:P", "P")


def test_a_header_unfit_for_the_trail_is_replaced(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    response = _ask(client, settings, ACCOUNTS, {"k": "A"}, request_id='x"\\n{}' + "y" * 200)
    made = response.headers["x-request-id"]
    assert made != "" and '"' not in made and len(made) <= 128
    assert _lines(trail_file)[0]["requestId"] == made


def test_staff_and_own_questions_are_not_audited(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    _ask(client, settings, ACCOUNTS, {"k": "N"}, role="alliance_manager")
    _ask(client, settings, ACCOUNTS, {"k": "P"})
    assert not trail_file.exists() or _lines(trail_file) == []


def test_overlaps_refused_and_allowed_are_audited(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    allowed = _ask(client, settings, OVERLAP, {"a": pid("P"), "b": pid("A")})
    assert allowed.json()["data"] == {"overlap": {"count": 1}}
    refused = _ask(client, settings, OVERLAP, {"a": pid("P"), "b": pid("N")})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    seen = [(line["operation"], line["partners"], line["allowed"]) for line in _lines(trail_file)]
    assert seen == [("overlap", ["P", "A"], True), ("overlap", ["P", "N"], False)]


def test_admins_page_through_the_trail_newest_first_and_filter_it(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    for key, request_id in [("A", "r1"), ("N", "r2"), ("A", "r3")]:
        _ask(client, settings, ACCOUNTS, {"k": key}, request_id=request_id)
    first = _ask(client, settings, EVENTS, {"first": 2}, role="admin").json()
    events = first["data"]["auditEvents"]
    assert events["totalCount"] == 3
    assert [e["requestId"] for e in events["nodes"]] == ["r3", "r2"]
    assert events["pageInfo"]["hasNextPage"]
    # A question asked between two pages does not shift the next page.
    _ask(client, settings, ACCOUNTS, {"k": "N"}, request_id="r4")
    after = {"first": 2, "after": events["pageInfo"]["endCursor"]}
    rest = _ask(client, settings, EVENTS, after, role="admin").json()["data"]["auditEvents"]
    assert [e["requestId"] for e in rest["nodes"]] == ["r1"]
    assert not rest["pageInfo"]["hasNextPage"]
    refused = {"filter": {"allowed": False, "viewer": "P", "operation": "accounts"}}
    found = _ask(client, settings, EVENTS, refused, role="admin").json()["data"]["auditEvents"]
    assert [e["requestId"] for e in found["nodes"]] == ["r4", "r2"]
    assert found["nodes"][0]["partners"] == ["N"] and found["nodes"][0]["subject"] == "alice"
    by_partner = {"filter": {"partner": "A", "since": "2000-01-01T00:00:00Z"}}
    found = _ask(client, settings, EVENTS, by_partner, role="admin").json()["data"]["auditEvents"]
    assert [e["requestId"] for e in found["nodes"]] == ["r3", "r1"]
    none = {"filter": {"until": "2000-01-01T00:00:00"}}
    found = _ask(client, settings, EVENTS, none, role="admin").json()["data"]["auditEvents"]
    assert found["totalCount"] == 0


@pytest.mark.parametrize(
    ("role", "partner"), [("alliance_manager", None), ("marketer", None), ("partner", "P")]
)
def test_only_admins_read_the_trail(
    world: None, client: TestClient, settings: Settings, role: str, partner: str | None
) -> None:
    body = _ask(client, settings, EVENTS, {}, role=role, partner=partner).json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


def test_a_bad_cursor_is_bad_user_input(
    world: None, client: TestClient, settings: Settings
) -> None:
    body = _ask(client, settings, EVENTS, {"after": "nonsense"}, role="admin").json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "after"


def _record_many(client: TestClient, count: int) -> None:
    """`count` events of two viewers, two operations, some refused, some about a partner whose
    key is more than one byte long, recorded by the app's trail a millisecond apart."""
    trail: AuditTrail = client.app.state.audit_trail  # type: ignore[attr-defined]
    began = datetime.now(UTC)

    async def record() -> None:
        for n in range(count):
            trail.record(_made(began + timedelta(milliseconds=n), n))
        await trail.drain()

    client.portal.call(record)  # type: ignore[union-attr]


def _made(at: datetime, n: int) -> AuditEvent:
    return AuditEvent(
        at=at,
        request_id=f"e{n}",
        subject="alice",
        role="partner",
        viewer="Q" if n % 3 == 0 else "P",
        operation="overlap" if n % 2 else "accounts",
        partners=("A",) if n % 4 else ("Ärzte", "A"),
        allowed=n % 5 != 0,
    )


def _expected(path: Path, where: dict[str, Any]) -> list[str]:
    """The request ids of the file's lines the filter keeps, newest first, read as plain JSON."""
    kept = []
    for line in _lines(path):
        if (
            where.get("viewer", line["viewer"]) == line["viewer"]
            and where.get("operation", line["operation"]) == line["operation"]
            and where.get("allowed", line["allowed"]) == line["allowed"]
            and ("partner" not in where or where["partner"] in line["partners"])
        ):
            kept.append(line["requestId"])
    return kept[::-1]


def _events(client: TestClient, settings: Settings, **variables: Any) -> Any:
    return _ask(client, settings, EVENTS, variables, role="admin").json()


FILTERS: list[dict[str, Any]] = [
    {},
    {"partner": "A"},
    {"partner": "Ärzte"},
    {"allowed": False},
    {"viewer": "Q", "operation": "overlap"},
    {"viewer": "nobody"},
]


@pytest.mark.parametrize("where", FILTERS)
def test_cursors_walk_every_event_once_in_order(
    client: TestClient, settings: Settings, trail_file: Path, where: dict[str, Any]
) -> None:
    _record_many(client, 40)
    want = _expected(trail_file, where)
    for first in (1, 7, 40):
        seen: list[str] = []
        after = None
        while True:
            body = _events(client, settings, first=first, after=after, filter=where)
            assert "errors" not in body, body
            page = body["data"]["auditEvents"]
            assert page["totalCount"] == len(want)
            seen += [node["requestId"] for node in page["nodes"]]
            assert len(page["nodes"]) <= first
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == want, (where, first)


def _refused(body: Any) -> None:
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["field"] == "after"


def _tampered(cursor: str, change: Callable[[list[Any]], None]) -> str:
    """A cursor whose values (not its signature) were changed by hand."""
    values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    change(values)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_a_cursor_of_another_filter_or_made_by_hand_is_refused(
    client: TestClient, settings: Settings, trail_file: Path
) -> None:
    _record_many(client, 12)
    plain = _events(client, settings, first=2)["data"]["auditEvents"]["pageInfo"]["endCursor"]
    by_a = {"partner": "A"}
    of_a = _events(client, settings, first=2, filter=by_a)["data"]["auditEvents"]
    # Under the filter it was made under, each pages on.
    assert "errors" not in _events(client, settings, first=2, after=plain)
    then = _events(client, settings, first=2, after=of_a["pageInfo"]["endCursor"], filter=by_a)
    assert "errors" not in then
    # Under another filter, or none, neither does.
    _refused(_events(client, settings, after=plain, filter=by_a))
    _refused(_events(client, settings, after=plain, filter={"allowed": True}))
    _refused(_events(client, settings, after=of_a["pageInfo"]["endCursor"]))
    _refused(
        _events(client, settings, after=of_a["pageInfo"]["endCursor"], filter={"partner": "N"})
    )
    # Not a cursor at all.
    for raw in (b"audit:3", b'["x", 3]'):
        bare = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        _refused(_events(client, settings, after=bare))

    # Values no event has: a time that is none, a time without its zone, an id that is no text.
    def not_a_time(values: list[Any]) -> None:
        values[1] = "yesterday"

    def no_zone(values: list[Any]) -> None:
        values[1] = datetime.fromisoformat(values[1]).replace(tzinfo=None).isoformat()

    def not_an_id(values: list[Any]) -> None:
        values[2] = 7

    for change in (not_a_time, no_zone, not_an_id):
        _refused(_events(client, settings, after=_tampered(plain, change)))


def test_serve_writes_the_trail(
    world: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code path of `partnergraph serve`, with uvicorn replaced by the test client."""
    import uvicorn

    from api import cli

    served: list[Any] = []
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, sockets=None: served.append(server.config.app)
    )
    path = tmp_path / "served" / "audit.jsonl"
    monkeypatch.setenv("PARTNERGRAPH_AUDIT_LOG", str(path))
    cli.serve_command(host=None, port=None)
    with TestClient(served[0]) as client:
        response = _ask(client, settings, ACCOUNTS, {"k": "N"}, request_id="served-1")
    assert response.headers["x-request-id"] == "served-1"
    [line] = _lines(path)
    assert (line["requestId"], line["viewer"], line["allowed"]) == ("served-1", "P", False)


def pid(key: str) -> str:
    return encode_id("Partner", key)


def test_counts_over_a_granted_partners_accounts_are_audited(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    """P's ecosystem counts cover A's accounts (A lists them to P); N's cover only its own."""
    query = "{ ecosystem { customers accounts } }"
    assert _ask(client, settings, query, {}).json()["data"]["ecosystem"] == {
        "customers": 2,
        "accounts": 3,
    }
    _ask(client, settings, query, {}, partner="N")
    seen = [(line["operation"], line["partners"], line["allowed"]) for line in _lines(trail_file)]
    assert seen == [("ecosystem", ["A", "P"], True)]


def test_an_answer_whose_event_cannot_be_committed_is_503_not_the_answer(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    """Neo4j unreachable for the trail's write: the question is answered 503 (in the shape of
    every outage), a question that records nothing is answered, and once the trail can write
    again so is the question."""
    trail: AuditTrail = client.app.state.audit_trail  # type: ignore[attr-defined]
    reachable = trail.graph
    assert reachable is not None
    nowhere = Graph.connect(f"bolt://127.0.0.1:{free_port()}", "neo4j", "", "neo4j")
    nowhere.retry_seconds = 0.5
    trail.graph = nowhere
    try:
        for accept in ("application/json", "application/graphql-response+json"):
            token = Tokens(settings).mint("partner", "P", subject="alice")
            response = client.post(
                "/graphql",
                json={"query": ACCOUNTS, "variables": {"k": "A"}},
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": accept,
                    "X-Request-Id": "lost",
                },
            )
            assert response.status_code == 503
            assert response.headers["content-type"].startswith(accept)
            assert response.headers["x-request-id"] == "lost"
            body = response.json()
            assert "data" not in body
            assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
        staff = _ask(client, settings, ACCOUNTS, {"k": "A"}, role="alliance_manager")
        assert staff.status_code == 200
        assert staff.json()["data"]["partner"]["accounts"] == {"totalCount": 2}
        assert trail.failed == 2 and trail.pending == 0
    finally:
        trail.graph = reachable
        client.portal.call(nowhere.close)  # type: ignore[union-attr]
    again = _ask(client, settings, ACCOUNTS, {"k": "A"}, request_id="kept")
    assert again.status_code == 200
    assert again.json()["data"]["partner"]["accounts"] == {"totalCount": 2}
    assert [line["requestId"] for line in _lines(trail_file)] == ["kept"]  # committed only


def test_the_file_holds_every_committed_event_as_the_graph_does(
    world: None, client: TestClient, settings: Settings, trail_file: Path
) -> None:
    for key, request_id in [("A", "f1"), ("N", "f2"), ("P", "own"), ("A", "f3")]:
        _ask(client, settings, ACCOUNTS, {"k": key}, request_id=request_id)
    _ask(client, settings, OVERLAP, {"a": pid("P"), "b": pid("A")}, request_id="f4")
    trail: AuditTrail = client.app.state.audit_trail  # type: ignore[attr-defined]
    assert (trail.written, trail.pending) == (4, 0)
    read = _events(client, settings, first=100)["data"]["auditEvents"]["nodes"]
    assert [line for line in _lines(trail_file)] == read[::-1]
    assert [line["requestId"] for line in _lines(trail_file)] == ["f1", "f2", "f3", "f4"]


def test_no_file_is_written_unless_one_is_set(
    world: None,
    empty_trail: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    working = tmp_path / "working"
    working.mkdir()
    monkeypatch.chdir(working)
    with TestClient(create_app(settings.model_copy(update={"audit_log": None}))) as client:
        response = _ask(client, settings, ACCOUNTS, {"k": "A"}, request_id="no-file")
        assert response.status_code == 200
        [event] = _events(client, settings)["data"]["auditEvents"]["nodes"]
    assert event["requestId"] == "no-file"
    assert list(working.rglob("*")) == []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_events_are_in_no_answer_but_audit_events(
    world: None, client: TestClient, settings: Settings
) -> None:
    counts = "{ ecosystem { partners customers accounts } }"
    before = _ask(client, settings, counts, {}, role="admin").json()
    _record_many(client, 12)
    assert _ask(client, settings, counts, {}, role="admin").json() == before
    [event] = _events(client, settings, first=1)["data"]["auditEvents"]["nodes"]
    assert event["requestId"] == "e11"
    trail: AuditTrail = client.app.state.audit_trail  # type: ignore[attr-defined]
    stored = client.portal.call(  # type: ignore[union-attr]
        trail_events, trail, AuditFilter(), 1
    )[0][0]
    for type_name in ("AuditEvent", "Partner"):
        made = base64.urlsafe_b64encode(f"{type_name}:{stored.id}".encode()).decode()
        body = _ask(
            client, settings, "query($id: ID!) { node(id: $id) { id } }", {"id": made}, role="admin"
        ).json()
        assert body.get("data") in (None, {"node": None}), body
