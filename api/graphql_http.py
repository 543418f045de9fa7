"""GraphQL over HTTP, as the graphql-over-http specification describes it.

POST a JSON body, or GET with query parameters (queries only: a mutation over GET is 405).
Responses are `application/graphql-response+json` when the client accepts it — a request error
(syntax, validation, limits, variables, an operation that cannot be picked, a subscription) is
then 400 — or `application/json`, always 200 for a well-formed request. A request that is not
GraphQL over HTTP at all (not JSON, another media type) is 4xx with BAD_REQUEST. Every request
needs a bearer token (401 and UNAUTHENTICATED without one), except the GraphiQL page in
development. A database that cannot be reached makes any request 503 with SERVICE_UNAVAILABLE and
a `Retry-After`, whichever media type; each request is answered within its budget
(`request_seconds`), its queries stopped in Neo4j when the budget is spent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api import telemetry
from api.auth import Tokens, Unauthenticated
from graph.access import Viewer
from graph.db import Graph, budget
from graph.errors import TooLarge, Unavailable
from graph.viewers import partner_exists
from resolvers.context import Context
from resolvers.limits import MAX_TOKENS
from resolvers.schema import Schema

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# A request is small: the largest useful one is `nodes(ids:)` with 100 long ids (about 1.2 MB).
MAX_BODY = 2 * 1024 * 1024
MAX_QUERY = 100_000  # characters of the query text itself; values travel as variables
REQUEST_SECONDS = 30.0  # a request's budget unless the app says otherwise
# Seconds a client is told to wait before asking again while the database is unreachable: a
# restarting Neo4j answers again within seconds, and the API reconnects by itself.
RETRY_AFTER = "2"
UNAVAILABLE = "SERVICE_UNAVAILABLE"
TOO_LONG = "the request took longer than its budget; ask a narrower question"


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when it accepts neither."""
    if not accept:
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *options = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranked):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return None


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept and "query" not in request.query_params


async def read_params(request: Request) -> Params:
    if request.method == "GET":
        raw: dict[str, Any] = dict(request.query_params)
        if raw.get("variables"):
            raw["variables"] = _json(raw["variables"], "variables")
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise BadRequest(415, "POST a body of Content-Type application/json")
        raw = _json_object(await _read_body(request))
    query, variables, name = raw.get("query"), raw.get("variables"), raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest(400, "a string query is required")
    if len(query) > MAX_QUERY:
        raise BadRequest(413, f"the query is {len(query):,} characters; at most {MAX_QUERY:,}")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest(400, "variables must be a JSON object")
    if name is not None and not isinstance(name, str):
        raise BadRequest(400, "operationName must be a string")
    return Params(query, variables, name)


async def _read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it outgrows MAX_BODY, whatever Content-Length says."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(413, f"the body is larger than {MAX_BODY:,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(413, f"the body is larger than {MAX_BODY:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise BadRequest(400, f"{what} is not JSON") from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise BadRequest(400, f"{what} is JSON nested too deeply") from None


def _json_object(body: bytes) -> dict[str, Any]:
    raw = _json(body, "the body")
    if not isinstance(raw, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return raw


def _body(media: str, status: int, payload: dict[str, Any], **headers: str) -> Response:
    """A GraphQL answer (every one passes here, so its outcome is noted here)."""
    telemetry.current().outcome = telemetry.outcome(payload)
    content = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    try:
        encoded = content.encode()
    except UnicodeEncodeError:  # a message repeats a lone surrogate the client sent: escape it
        encoded = json.dumps(payload, separators=(",", ":")).encode()
    return Response(encoded, status_code=status, media_type=media, headers=headers or None)


def _errors(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _code(error: Mapping[str, Any]) -> str | None:
    extensions = error.get("extensions")
    return extensions.get("code") if isinstance(extensions, dict) else None


def outage(media: str, message: str) -> Response:
    """A request the API cannot answer for now: 503, SERVICE_UNAVAILABLE, and when to ask again."""
    return _body(media, 503, _errors(message, Unavailable.code), **{"Retry-After": RETRY_AFTER})


def _request_error(errors: list[GraphQLError]) -> bool:
    return all(error.path is None for error in errors)


def _request_error_status(media: str) -> int:
    """A GraphQL request error (nothing ran, no `data`): the spec's status for the media type."""
    return 400 if media == GRAPHQL_RESPONSE else 200


@lru_cache(maxsize=512)
def operations(query: str) -> tuple[tuple[str | None, OperationType], ...] | None:
    """The document's operations, by name and type; None when it does not parse (the schema
    then reports why)."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    return tuple(
        (node.name.value if node.name else None, OperationType(node.operation.value))
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
    )


def operation_name(params: Params) -> str:
    """The name a request's operation goes by: the one asked for, or the document's only one."""
    if params.operation_name is not None:
        return params.operation_name
    found = operations(params.query)
    if found and len(found) == 1 and found[0][0]:
        return found[0][0]
    return telemetry.ANONYMOUS


def choose(query: str, name: str | None) -> OperationType | None:
    """The type of the operation a request runs, as GetOperation() picks it; BadRequest when
    none can be picked or it is a subscription."""
    found = operations(query)
    if found is None:
        return None
    if name is not None:
        named = [kind for operation, kind in found if operation == name]
        if not named:
            raise BadRequest(400, f"the document has no operation named '{name}'")
        kind = named[0]
    elif not found:
        raise BadRequest(400, "the document has no operation to run")
    elif len(found) > 1:
        names = ", ".join(operation or "anonymous" for operation, _ in found)
        raise BadRequest(
            400,
            f"the document has {len(found)} operations ({names}): "
            "name the one to run with operationName",
        )
    else:
        kind = found[0][1]
    if kind is OperationType.SUBSCRIPTION:
        raise BadRequest(400, "subscriptions are not supported")
    return kind


async def _known(graph: Graph, viewer: Viewer) -> None:
    """A partner-scoped token must act for a partner the graph holds (one index lookup)."""
    key = viewer.partner_key
    if key is not None and not await partner_exists(graph, key):
        raise Unauthenticated(f"the token acts for partner '{key}', which is not in the graph")


class GraphQLEndpoint:
    def __init__(
        self,
        schema: Schema,
        tokens: Tokens,
        graph_of: Callable[[], Graph],
        ide: bool,
        request_seconds: float = REQUEST_SECONDS,
    ) -> None:
        self.schema = schema
        self.tokens = tokens
        self.graph_of = graph_of
        self.ide = ide
        self.request_seconds = request_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept")) or JSON
        try:
            with budget(self.request_seconds):
                async with asyncio.timeout(self.request_seconds):
                    response = await self.handle(request)
        except TimeoutError:  # its queries have timed out in Neo4j too (their timeout is `budget`)
            response = _body(
                media, 503, _errors(TOO_LONG, UNAVAILABLE), **{"Retry-After": RETRY_AFTER}
            )
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if self.ide and _wants_html(request):
            return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
        seen = telemetry.current()
        media = negotiate(request.headers.get("accept"))
        if media is None:
            seen.outcome = "BAD_REQUEST"
            return PlainTextResponse(f"accepts only {GRAPHQL_RESPONSE} or {JSON}", status_code=406)
        graph = self.graph_of()
        try:
            viewer = self.tokens.viewer(request.headers.get("authorization"))
            seen.role = viewer.role.value
            await _known(graph, viewer)
        except Unauthenticated as error:
            payload = _errors(error.message, error.code)
            return _body(media, 401, payload, **{"WWW-Authenticate": "Bearer"})
        except Unavailable as error:
            return _body(
                media, 503, _errors(error.message, error.code), **{"Retry-After": RETRY_AFTER}
            )
        except TooLarge:
            return _body(media, 503, _errors(TOO_LONG, UNAVAILABLE), **{"Retry-After": RETRY_AFTER})
        try:
            params = await read_params(request)
        except BadRequest as error:
            return _body(media, error.status, _errors(error.message, "BAD_REQUEST"))
        seen.operation = operation_name(params)
        try:
            operation = choose(params.query, params.operation_name)
        except BadRequest as error:
            return _body(media, _request_error_status(media), _errors(error.message, "BAD_REQUEST"))
        seen.kind = operation.value if operation else ""
        if operation is OperationType.MUTATION and request.method != "POST":
            payload = _errors("mutations need POST", "BAD_REQUEST")
            return _body(media, 405, payload, Allow="POST")
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            result = await self.schema.execute(
                params.query,
                variable_values=params.variables,
                context_value=Context(graph, viewer),
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
            )
        except (InvalidOperationTypeError, CannotGetOperationTypeError, MissingQueryError):
            # `choose` has refused these already; kept so that nothing else can run.
            status = _request_error_status(media)
            return _body(media, status, _errors("no operation to run", "BAD_REQUEST"))
        errors = [error.formatted for error in result.errors or []]
        if result.data is None and result.errors and _request_error(result.errors):
            return _body(media, _request_error_status(media), {"errors": errors})
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        if any(_code(error) == UNAVAILABLE for error in errors):
            # Part of the answer could not be read: the client should ask again, not use it.
            return _body(media, 503, body, **{"Retry-After": RETRY_AFTER})
        return _body(media, 200, body)
