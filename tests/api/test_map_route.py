"""GET /map: the built page with strict headers, or a 503 saying how to build it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "web" / "dist"
PAGE = '<!doctype html><html><head><script type="module" src="/map/assets/app-1.js"></script></head><body></body></html>'


def client_for(settings: Settings, dist: Path) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"map_dist": dist})))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "assets" / "app-1.js").write_text("console.log('map');\n")
    return tmp_path


@pytest.fixture
def client(settings: Settings, built: Path) -> Iterator[TestClient]:
    with client_for(settings, built) as client:
        yield client


@pytest.mark.parametrize("path", ["/map", "/map/"])
def test_the_page_is_the_built_index(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.text == PAGE
    assert response.headers["content-type"].startswith("text/html")


def test_the_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/map").headers
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in headers["content-security-policy"].split(";")
        if part.strip()
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-cache"


def test_built_assets_are_served_with_the_same_headers(client: TestClient) -> None:
    response = client.get("/map/assets/app-1.js")
    assert response.status_code == 200
    assert response.text == "console.log('map');\n"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "immutable" in response.headers["cache-control"]


@pytest.mark.parametrize(
    "path", ["/map/assets/nope.js", "/map/assets/../index.html", "/map/assets/%2e%2e/index.html"]
)
def test_nothing_else_is_served_from_the_assets(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_page_not_built_is_503_saying_how_to_build_it(settings: Settings, tmp_path: Path) -> None:
    with client_for(settings, tmp_path / "missing") as client:
        response = client.get("/map")
        assets = client.get("/map/assets/app-1.js")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/plain")
    assert "make run" in response.text
    assert "npm --prefix web ci && npm --prefix web run build" in response.text
    assert response.text.count("\n") == 1
    assert assets.status_code == 404


def test_the_default_folder_is_the_web_build(settings: Settings) -> None:
    assert Settings().map_dist == BUILT


TOKEN_LIKE = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def test_no_token_or_secret_is_built_into_the_page(settings: Settings) -> None:
    """The built page (when built) carries no token and no signing secret."""
    files = [path for path in BUILT.rglob("*") if path.is_file()]
    if not files:
        pytest.fail("web/dist is not built: `make test` builds it (npm --prefix web run build)")
    secret = settings.token_secret.get_secret_value().encode()
    for path in files:
        content = path.read_bytes()
        assert not TOKEN_LIKE.search(content), f"{path} holds something like a token"
        assert secret not in content, f"{path} holds the token secret"
        assert b"Bearer ey" not in content, path
