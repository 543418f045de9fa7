"""The Starlette application: GraphQL over HTTP, health and readiness, the map page, and the
driver's lifespan.

`/healthz` says the process is alive (nothing else: a load balancer restarts what fails it);
`/readyz` says it should be sent requests: Neo4j answers, every constraint and index is online,
and the process is not draining (`app.state.draining`, set when SIGTERM arrives: see
`partnergraph serve`). The API starts with Neo4j down, and applies the schema once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from api.telemetry import observability
from graph.audit import AuditTrail
from graph.audit_file import AuditFile
from graph.db import OUTAGE_SECONDS, Graph
from graph.errors import Unavailable
from graph.schema import apply_schema, missing_schema
from resolvers.schema import schema

log = logging.getLogger("partnergraph.api")

# A write's transient failures (a deadlock, a leader switch) are tried again for this long: a
# request must fail fast when the database is down (OUTAGE_SECONDS for reads).
WRITE_RETRY_SECONDS = 1.5 * OUTAGE_SECONDS
SCHEMA_RETRY_SECONDS = 2.0  # between tries to apply the schema while Neo4j is down at start-up


async def _apply_schema_when_up(graph: Graph) -> None:
    """Apply the schema, trying again while Neo4j cannot be reached."""
    while True:
        try:
            await apply_schema(graph)
            return
        except Unavailable as error:
            log.warning(
                "Neo4j is unavailable (%s); trying again in %.0f s", error, SCHEMA_RETRY_SECONDS
            )
        await asyncio.sleep(SCHEMA_RETRY_SECONDS)


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
        graph = settings.connect(retry_seconds=WRITE_RETRY_SECONDS)
        state["graph"] = graph
        try:  # in place before the first request when Neo4j is up, else once it is
            await apply_schema(graph)
            schema_task = asyncio.create_task(asyncio.sleep(0))
        except Unavailable as error:
            log.warning(
                "Neo4j is unavailable at start-up (%s): serving 503 until it is back", error
            )
            schema_task = asyncio.create_task(_apply_schema_when_up(graph))
        trail.start(graph)
        try:
            yield
        finally:
            schema_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await schema_task
            await trail.close()  # what requests recorded is committed before the driver goes
            await graph.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if request.app.state.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        try:
            missing = await missing_schema(state["graph"])
        except Unavailable:
            return JSONResponse({"status": "unavailable", "neo4j": "down"}, status_code=503)
        if missing:
            body = {"status": "not ready", "neo4j": "up", "missing": missing}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ready", "neo4j": "up"})

    graphql = GraphQLEndpoint(
        served,
        Tokens(settings),
        lambda: state["graph"],
        ide=settings.graphiql,
        request_seconds=settings.request_seconds,
    )
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        *map_routes(settings.map_dist),
    ]
    # Metrics, the request log and traces, as the settings turn them on (api/telemetry.py).
    observed_routes, observers = observability(settings, lambda: state.get("graph"), trail)
    routes += observed_routes
    middleware = [Middleware(RequestAudit, trail=trail), *observers]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.draining = False
    app.state.audit_trail = trail  # its `written` and `pending` counts
    return app
