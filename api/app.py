"""The Starlette application: GraphQL over HTTP, health, the map page, and the driver's lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.audit import RequestAudit
from api.auth import Tokens
from api.graphql_http import GraphQLEndpoint
from api.map_page import map_routes
from api.production import production_schema
from api.settings import Settings, load_settings
from graph.audit import AuditTrail
from graph.audit_file import AuditFile
from graph.db import Graph
from graph.errors import Unavailable
from graph.schema import apply_schema
from resolvers.schema import schema

log = logging.getLogger("partnergraph.api")


def create_app(settings: Settings | None = None) -> Starlette:
    """The app; Misconfigured when production settings are unfit (a weak token secret)."""
    settings = settings or load_settings()
    warning = settings.check()
    if warning:
        log.warning(warning)
    served = production_schema(schema) if settings.production else schema
    state: dict[str, Graph] = {}
    trail = AuditTrail(AuditFile(settings.audit_log) if settings.audit_log else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        graph = settings.connect()
        await graph.verify()
        await apply_schema(graph)
        state["graph"] = graph
        trail.start(graph)
        try:
            yield
        finally:
            await trail.close()  # what requests recorded is committed before the driver goes
            await graph.close()

    async def healthz(request: Request) -> Response:
        try:
            await state["graph"].verify()
        except Unavailable:
            return JSONResponse({"status": "unavailable", "neo4j": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "neo4j": "up"})

    graphql = GraphQLEndpoint(
        served, Tokens(settings), lambda: state["graph"], ide=settings.graphiql
    )
    routes = [
        Route("/healthz", healthz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        *map_routes(settings.map_dist),
    ]
    middleware = [Middleware(RequestAudit, trail=trail)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.audit_trail = trail  # its `written` and `pending` counts
    return app
