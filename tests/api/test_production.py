"""PARTNERGRAPH_ENV=production: a strong token secret or no start; no introspection, no GraphiQL,
no "Did you mean" in error messages. Development starts with a warning about a weak secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import Tokens
from api.production import production_schema
from api.settings import Misconfigured, Settings
from resolvers.schema import schema

STRONG = "s" * 32
GRAPHQL_RESPONSE = "application/graphql-response+json"
TYPO = "{ partners(first: 1) { totalCont } }"
ENUM_TYPO = "{ partners(first: 1, filter: {tier: [GOLDD]}) { totalCount } }"
ENUM_VARIABLE = "query($t: [Tier!]) { partners(first: 1, filter: {tier: $t}) { totalCount } }"
INTROSPECTION = ["{ __schema { types { name } } }", '{ __type(name: "Partner") { name } }']


def configured(settings: Settings, **changes: Any) -> Settings:
    if isinstance(changes.get("token_secret"), str):
        changes["token_secret"] = SecretStr(changes["token_secret"])
    return settings.model_copy(update=changes)


@pytest.fixture(scope="module")
def production(settings: Settings) -> Settings:
    return configured(settings, env="production", token_secret=STRONG)


@pytest.fixture(scope="module")
def client(production: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(production)) as client:
        yield client


@pytest.fixture(scope="module")
def development(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def post(client: TestClient, settings: Settings, query: str, variables: Any = None) -> Any:
    headers = {
        "Authorization": f"Bearer {Tokens(settings).mint('admin')}",
        "Accept": GRAPHQL_RESPONSE,
    }
    return client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "PARTNERGRAPH_TOKEN_SECRET is the built-in development secret"),
        ("s" * 31, "PARTNERGRAPH_TOKEN_SECRET is 31 bytes; production needs at least 32"),
        ("", "PARTNERGRAPH_TOKEN_SECRET is 0 bytes; production needs at least 32"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret(
    settings: Settings, secret: str | None, reason: str
) -> None:
    changes: dict[str, Any] = {"env": "production"}
    if secret is not None:
        changes["token_secret"] = secret
    with pytest.raises(Misconfigured) as refused:
        create_app(configured(Settings(), **changes))
    assert refused.value.message.startswith(reason)
    assert "\n" not in refused.value.message


def test_production_accepts_a_secret_of_32_bytes_and_any_secret_with_rs256(
    settings: Settings,
) -> None:
    create_app(configured(settings, env="production", token_secret=STRONG))
    create_app(configured(Settings(), env="production", token_algorithm="RS256"))


def test_production_refuses_graphiql_asked_for_explicitly(settings: Settings) -> None:
    with pytest.raises(Misconfigured, match="PARTNERGRAPH_DEVELOPMENT"):
        create_app(configured(settings, env="production", token_secret=STRONG, development=True))


@pytest.mark.parametrize(
    ("secret", "words"),
    [(None, "built-in development secret"), ("short", "5 bytes")],
)
def test_development_warns_of_a_weak_secret_at_start_up(
    caplog: pytest.LogCaptureFixture, secret: str | None, words: str
) -> None:
    changes: dict[str, Any] = {} if secret is None else {"token_secret": secret}
    with caplog.at_level(logging.WARNING, logger="partnergraph.api"):
        create_app(configured(Settings(), **changes))
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
    assert words in caplog.records[0].getMessage()
    assert "production" in caplog.records[0].getMessage()


def test_development_says_nothing_of_a_strong_secret(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="partnergraph.api"):
        create_app(configured(Settings(), token_secret=STRONG))
    assert caplog.records == []


def test_the_environment_is_read_from_partnergraph_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERGRAPH_ENV", "production")
    assert Settings().production
    monkeypatch.setenv("PARTNERGRAPH_ENV", "development")
    assert not Settings().production


def test_production_serves_no_graphiql(client: TestClient, development: TestClient) -> None:
    assert "graphiql" in development.get("/graphql", headers={"Accept": "text/html"}).text.lower()
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 406  # the page is not there: only GraphQL's media types
    assert "graphiql" not in response.text.lower()


def test_graphiql_can_be_turned_off_in_development(settings: Settings) -> None:
    with TestClient(create_app(configured(settings, development=False))) as quiet:
        response = quiet.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 406


@pytest.mark.parametrize("query", INTROSPECTION)
def test_production_refuses_introspection(
    client: TestClient,
    development: TestClient,
    production: Settings,
    settings: Settings,
    query: str,
) -> None:
    assert post(development, settings, query).status_code == 200
    response = post(client, production, query)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "introspection" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_production_still_answers_typename(client: TestClient, production: Settings) -> None:
    response = post(client, production, "{ __typename partners(first: 1) { totalCount } }")
    assert response.status_code == 200
    assert response.json()["data"]["__typename"] == "Query"


@pytest.mark.parametrize(
    ("query", "variables"),
    [(TYPO, None), (ENUM_TYPO, None), (ENUM_VARIABLE, {"t": ["GOLDD"]})],
)
def test_production_makes_no_suggestions(
    client: TestClient,
    development: TestClient,
    production: Settings,
    settings: Settings,
    query: str,
    variables: Any,
) -> None:
    suggested = post(development, settings, query, variables).json()["errors"][0]["message"]
    assert "Did you mean" in suggested
    response = post(client, production, query, variables)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "Did you mean" not in message
    assert message == suggested[: suggested.index(" Did you mean")]


def test_an_empty_partnergraph_development_means_the_environment_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERGRAPH_DEVELOPMENT", "")  # as docker-compose.yml passes it unset
    assert Settings().graphiql
    monkeypatch.setenv("PARTNERGRAPH_ENV", "production")
    assert not Settings().graphiql


def test_the_production_schema_is_the_same_schema() -> None:
    assert production_schema(schema).as_str() == schema.as_str()
