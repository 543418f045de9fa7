"""The partner map page: `GET /map` serves the web app built into `web/dist` (vite, base
`/map/`), `/map/assets/...` its hashed files. Everything is sent with a strict Content Security
Policy — scripts, styles and requests from this origin only, nothing inline — so a token in
the page's session storage is read by no script but the page's own. An unbuilt page is 503 with
the command that builds it."""

from __future__ import annotations

from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page names its assets by content hash: the page is checked every time, an asset never.
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"
NOT_BUILT = (
    "The map page is not built: run `make run` "
    "(or `npm --prefix web ci && npm --prefix web run build`).\n"
)


class _Assets(StaticFiles):
    async def check_config(self) -> None:
        if self.directory is not None and await anyio.Path(self.directory).is_dir():
            await super().check_config()  # not built: every asset is a 404, not a 500

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update({**HEADERS, "Cache-Control": ASSET_CACHE})
        return response


def map_routes(dist: Path) -> list[BaseRoute]:
    """`/map`, `/map/` and `/map/assets/...`, served from the build folder `dist`."""

    async def page(request: Request) -> Response:
        index = dist / "index.html"
        if not await anyio.Path(index).is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503, headers=HEADERS)
        return FileResponse(index, headers={**HEADERS, "Cache-Control": PAGE_CACHE})

    return [
        Route("/map", page, methods=["GET", "HEAD"]),
        Route("/map/", page, methods=["GET", "HEAD"]),
        Mount("/map/assets", _Assets(directory=dist / "assets", check_dir=False)),
    ]
