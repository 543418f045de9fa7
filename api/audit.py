"""Each request's id and audit trail: `X-Request-Id` is taken from the request (or made) and
sent back, the cross-partner questions the request asks are recorded under it, and its answer
leaves only once they are committed (503 when they cannot be)."""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.graphql_http import GRAPHQL_RESPONSE, JSON, outage
from graph import audit
from graph.errors import Unavailable

REQUEST_ID = "x-request-id"
FIT = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")  # anything else is replaced, not recorded


class RequestAudit:
    """ASGI middleware: binds the trail and the request id while the request is answered, and
    holds the response's start back until the request's audit events are committed."""

    def __init__(self, app: ASGIApp, trail: audit.AuditTrail | None) -> None:
        self.app = app
        self.trail = trail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope["headers"]:
            if name == REQUEST_ID.encode():
                given = value.decode("latin-1")
        request_id = given if FIT.fullmatch(given) else audit.new_request_id()
        replaced = False

        async def send_with_id(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the answer whose audit was lost never leaves
            if message["type"] == "http.response.start":
                if receipt:
                    try:
                        await receipt.committed()
                    except Unavailable as error:
                        replaced = True
                        media = Headers(raw=message["headers"]).get("content-type", "")
                        fallback = outage(
                            GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in media else JSON, error.message
                        )
                        fallback.headers["X-Request-Id"] = request_id
                        await fallback(scope, receive, send)
                        return
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        with audit.bind(self.trail, request_id) as receipt:
            await self.app(scope, receive, send_with_id)
