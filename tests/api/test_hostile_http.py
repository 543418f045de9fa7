"""GraphQL over HTTP as a hostile client sends it: whatever arrives, the answer is a 4xx with
BAD_REQUEST or a GraphQL answer, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import Tokens
from api.settings import Settings

DEEP = 100_000  # far beyond any recursion limit


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def admin(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(settings).mint('admin')}"}


def bad_request(response: object, status: int = 400) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    errors = response.json()["errors"]  # type: ignore[attr-defined]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_REQUEST"]


@pytest.mark.parametrize("nesting", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP])
def test_a_body_nested_too_deeply_is_a_bad_request(
    client: TestClient, admin: dict[str, str], nesting: str
) -> None:
    body = '{"query": "{ __typename }", "variables": {"v": ' + nesting + "}}"
    headers = {**admin, "Content-Type": "application/json"}
    bad_request(client.post("/graphql", headers=headers, content=body.encode()))


def test_get_variables_nested_too_deeply_are_a_bad_request(
    client: TestClient, admin: dict[str, str]
) -> None:
    variables = '{"v": ' + "[" * 3000 + "]" * 3000 + "}"
    params = {"query": "{ __typename }", "variables": variables}
    bad_request(client.get("/graphql", headers=admin, params=params))


SURROGATE = "\\ud800"  # valid JSON, not text
FILTER = "query($f: PartnerFilter) { partners(filter: $f) { totalCount } }"
ECHOED = [  # requests whose error message repeats what the client sent
    '{"query": "{ __typename }", "operationName": "' + SURROGATE + '"}',
    '{"query": "' + FILTER + '", "variables": {"f": {"' + SURROGATE + '": 1}}}',
]


@pytest.mark.parametrize("body", ECHOED)
def test_a_lone_surrogate_echoed_in_an_error_is_sent_escaped(
    client: TestClient, admin: dict[str, str], body: str
) -> None:
    headers = {**admin, "Content-Type": "application/json"}
    response = client.post("/graphql", headers=headers, content=body.encode())
    assert response.status_code == 200, response.text
    assert "\\ud800" in response.text  # escaped, so the body is UTF-8 and still says what came
    assert response.json()["errors"][0]["extensions"]["code"] in {"BAD_REQUEST", "BAD_USER_INPUT"}
