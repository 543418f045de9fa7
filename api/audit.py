"""Each request's id and audit trail: `X-Request-Id` is taken from the request (or made) and
sent back, and the cross-partner questions the request asks are recorded under it."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import audit

REQUEST_ID = "x-request-id"
FIT = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")  # anything else is replaced, not recorded


class RequestAudit:
    """ASGI middleware: binds the trail and the request id while the request is answered."""

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

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        with audit.bind(self.trail, request_id):
            await self.app(scope, receive, send_with_id)
