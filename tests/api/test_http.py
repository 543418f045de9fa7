"""GraphQL over HTTP: tokens, methods, media types and status codes, error shapes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from support import ask
from tokens import claims, signed

from api.app import create_app
from api.auth import Tokens
from api.graphql_http import GraphQLEndpoint
from api.settings import Settings
from graph.db import Graph
from resolvers.schema import schema

QUERY = "{ partners(first: 1) { totalCount } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def admin(settings: Settings) -> dict[str, str]:
    return bearer(Tokens(settings).mint("admin"))


def unauthenticated(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Token abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not.a.jwt"},
    ],
)
def test_a_missing_or_malformed_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    unauthenticated(client.post("/graphql", json={"query": QUERY}, headers=headers))


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(time.time()) - 10},
        {"aud": "someone-else"},
        {"iss": "someone-else"},
        {"role": "superuser"},
        {"role": "partner"},  # without the partner's key
        {"role": None},
        {"exp": None},
    ],
)
def test_a_token_that_does_not_fit_is_401(
    client: TestClient, settings: Settings, changes: dict[str, Any]
) -> None:
    unauthenticated(
        client.post("/graphql", json={"query": QUERY}, headers=bearer(signed(settings, **changes)))
    )


def test_a_token_signed_with_another_secret_is_401(client: TestClient, settings: Settings) -> None:
    token = jwt.encode(claims(settings), "another-secret-of-enough-length-for-hs256", "HS256")
    unauthenticated(client.post("/graphql", json={"query": QUERY}, headers=bearer(token)))


def test_an_expired_minted_token_is_401_and_says_so(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/graphql", json={"query": QUERY}, headers=bearer(Tokens(settings).mint("admin", ttl=-5))
    )
    unauthenticated(response)
    assert "expired" in response.json()["errors"][0]["message"]


def test_a_401_says_what_failed_and_nothing_of_the_library(client: TestClient) -> None:
    garbled = "npv_.eyJzdWIiOiJ0In0.c2lnbmF0dXJl"  # its header decodes to 9e 9b ff: not UTF-8
    response = client.post("/graphql", json={"query": QUERY}, headers=bearer(garbled))
    unauthenticated(response)
    assert response.json()["errors"][0]["message"] == "the token is malformed"


def test_post_and_get_answer_queries(client: TestClient, admin: dict[str, str]) -> None:
    posted = client.post("/graphql", json={"query": QUERY}, headers=admin)
    got = client.get("/graphql", params={"query": QUERY}, headers=admin)
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    assert posted.headers["content-type"].startswith("application/json")


def test_a_mutation_over_get_is_405(client: TestClient, admin: dict[str, str]) -> None:
    mutation = 'mutation { partnerCreate(input: {key: "x", name: "x", type: MSP, tier: GOLD}) { userErrors { code } } }'
    response = client.get("/graphql", params={"query": mutation}, headers=admin)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("body", "variables"),
    [
        ("{ partners(first: 1) { totalCount }", None),  # syntax
        ("{ partners { noSuchField } }", None),  # validation
        ("query($n: Int!) { partners(first: $n) { totalCount } }", {"n": "many"}),  # variables
    ],
)
def test_request_errors_are_400_with_graphql_response_json_and_200_with_json(
    client: TestClient, admin: dict[str, str], body: str, variables: Any
) -> None:
    payload = {"query": body, "variables": variables}
    modern = client.post("/graphql", json=payload, headers={**admin, "Accept": GRAPHQL_RESPONSE})
    legacy = client.post("/graphql", json=payload, headers={**admin, "Accept": "application/json"})
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert legacy.status_code == 200
    for response in (modern, legacy):
        assert "data" not in response.json()
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_field_errors_keep_200_and_partial_data(client: TestClient, admin: dict[str, str]) -> None:
    query = '{ ok: partner(key: "no-such") { key } bad: node(id: "%%%") { id } }'
    response = client.post(
        "/graphql", json={"query": query}, headers={**admin, "Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"ok": None, "bad": None}
    assert body["errors"][0]["path"] == ["bad"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE),
    ],
)
def test_media_type_negotiation(
    client: TestClient, admin: dict[str, str], accept: str, expected: str
) -> None:
    response = client.post("/graphql", json={"query": QUERY}, headers={**admin, "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)


def test_unacceptable_and_unsupported_media_types(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert (
        client.post(
            "/graphql", json={"query": QUERY}, headers={**admin, "Accept": "text/csv"}
        ).status_code
        == 406
    )
    text = client.post("/graphql", content=QUERY, headers={**admin, "Content-Type": "text/plain"})
    assert text.status_code == 415


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2]", b'{"query": 5}', b'{"query": "{ __typename }", "variables": [1]}'],
)
def test_malformed_bodies_are_400(
    client: TestClient, admin: dict[str, str], content: bytes
) -> None:
    response = client.post(
        "/graphql", content=content, headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_graphiql_is_served_in_development_without_a_token(client: TestClient) -> None:
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_an_unreachable_database_is_service_unavailable(graph: Graph) -> None:
    down = Graph.connect("bolt://127.0.0.1:9", "neo4j", "", "neo4j", retry_seconds=0.5)
    try:
        answer = await ask(down, QUERY)
    finally:
        await down.close()
    assert answer.codes == ["SERVICE_UNAVAILABLE"]


async def test_unexpected_errors_are_masked(graph: Graph) -> None:
    broken = Graph(graph.driver, database="no-such-database")
    answer = await ask(broken, QUERY)
    assert answer.codes == ["INTERNAL_SERVER_ERROR"]
    assert answer.errors[0]["message"] == "internal server error"
    assert "MATCH" not in json.dumps(answer.errors)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_rs256_tokens_with_a_public_key(settings: Settings, rsa_key: rsa.RSAPrivateKey) -> None:
    public = (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    configured = settings.model_copy(
        update={"token_algorithm": "RS256", "token_public_key": public}
    )
    token = jwt.encode(claims(settings, role="marketer"), rsa_key, "RS256")
    assert Tokens(configured).viewer(f"Bearer {token}").role == "marketer"
    with pytest.raises(Exception, match="algorithm this API does not accept"):
        Tokens(configured).viewer(f"Bearer {signed(settings)}")  # an HS256 token is refused


def test_rs256_tokens_with_a_jwks_address(settings: Settings, rsa_key: rsa.RSAPrivateKey) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    document = json.dumps({"keys": [jwk]}).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/jwks.json"
        configured = settings.model_copy(update={"token_algorithm": "RS256", "token_jwks_url": url})
        token = jwt.encode(
            claims(settings, role="partner", partner="P7"), rsa_key, "RS256", headers={"kid": "k1"}
        )
        viewer = Tokens(configured).viewer(f"Bearer {token}")
        assert (viewer.role, viewer.partner_key) == ("partner", "P7")
        stranger = jwt.encode(claims(settings), rsa_key, "RS256", headers={"kid": "k2"})
        with pytest.raises(Exception, match="no signing key of the identity provider matches"):
            Tokens(configured).viewer(f"Bearer {stranger}")
        gone = settings.model_copy(
            update={"token_algorithm": "RS256", "token_jwks_url": "http://127.0.0.1:9/jwks"}
        )
        with pytest.raises(Exception, match="signing keys cannot be fetched"):
            Tokens(gone).viewer(f"Bearer {token}")
    finally:
        server.shutdown()


@pytest.fixture
async def partner_p1(graph: Graph) -> AsyncIterator[str]:
    await graph.write(
        "MERGE (p:Partner {key: 'http-P1'}) SET p.name = 'One', p.type = 'MSP', p.tier = 'GOLD'"
    )
    yield "http-P1"
    await graph.write("MATCH (p:Partner {key: 'http-P1'}) DETACH DELETE p")


def test_a_partner_token_for_a_partner_in_the_graph_is_accepted(
    client: TestClient, settings: Settings, partner_p1: str
) -> None:
    token = Tokens(settings).mint("partner", partner_p1)
    response = client.post("/graphql", json={"query": "{ __typename }"}, headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_partner_token_for_a_partner_not_in_the_graph_is_401(
    client: TestClient, settings: Settings, partner_p1: str
) -> None:
    token = Tokens(settings).mint("partner", "no-such-partner")
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = client.post(
            "/graphql",
            json={"query": "{ partners(first: 1) { totalCount } }"},
            headers={**bearer(token), "Accept": accept},
        )
        unauthenticated(response)
        assert response.json()["errors"][0]["message"] == (
            "the token acts for partner 'no-such-partner', which is not in the graph"
        )
        assert "data" not in response.json()


def request_error(response: Any, status: int, message: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_REQUEST")
    ]


TWO_OPERATIONS = "query A { a: __typename } query B { b: __typename }"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"query": "query A { __typename }", "operationName": "Nope"},
            "the document has no operation named 'Nope'",
        ),
        (
            {"query": TWO_OPERATIONS},
            "the document has 2 operations (A, B): name the one to run with operationName",
        ),
        (
            {"query": "fragment F on Query { __typename }"},
            "the document has no operation to run",
        ),
    ],
)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_operation_that_cannot_be_chosen_is_a_request_error(
    client: TestClient, admin: dict[str, str], payload: dict[str, str], message: str, method: str
) -> None:
    """The graphql-over-http spec: 400 with graphql-response+json, 200 with application/json."""
    for accept, status in ((GRAPHQL_RESPONSE, 400), ("application/json", 200)):
        headers = {**admin, "Accept": accept}
        if method == "POST":
            response = client.post("/graphql", json=payload, headers=headers)
        else:
            response = client.get("/graphql", params=payload, headers=headers)
        request_error(response, status, message)
        assert response.headers["content-type"].startswith(accept)


def test_operation_name_picks_one_of_several(client: TestClient, admin: dict[str, str]) -> None:
    payload = {"query": TWO_OPERATIONS, "operationName": "B"}
    response = client.post("/graphql", json=payload, headers=admin)
    assert response.status_code == 200
    assert response.json() == {"data": {"b": "Query"}}


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_subscription_is_refused_as_not_supported(
    client: TestClient, admin: dict[str, str], method: str
) -> None:
    query = "subscription { partners { totalCount } }"
    for accept, status in ((GRAPHQL_RESPONSE, 400), ("application/json", 200)):
        headers = {**admin, "Accept": accept}
        if method == "POST":
            response = client.post("/graphql", json={"query": query}, headers=headers)
        else:
            response = client.get("/graphql", params={"query": query}, headers=headers)
        request_error(response, status, "subscriptions are not supported")


def test_get_runs_the_query_it_names_and_refuses_the_mutation(
    client: TestClient, admin: dict[str, str]
) -> None:
    document = "query Q { __typename } mutation M { __typename }"
    query = client.get("/graphql", params={"query": document, "operationName": "Q"}, headers=admin)
    assert query.status_code == 200
    assert query.json() == {"data": {"__typename": "Query"}}
    mutation = client.get(
        "/graphql", params={"query": document, "operationName": "M"}, headers=admin
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert mutation.json()["errors"][0]["message"] == "mutations need POST"


async def test_a_partner_token_while_the_database_is_down_is_503(settings: Settings) -> None:
    down = Graph.connect("bolt://127.0.0.1:9", "neo4j", "", "neo4j", retry_seconds=0.2)
    endpoint = GraphQLEndpoint(schema, Tokens(settings), lambda: down, ide=False)
    app = Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])
    try:
        with TestClient(app) as client:
            token = Tokens(settings).mint("partner", "P1")
            response = client.post("/graphql", json={"query": QUERY}, headers=bearer(token))
    finally:
        await down.close()
    assert response.status_code == 503
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["SERVICE_UNAVAILABLE"]
