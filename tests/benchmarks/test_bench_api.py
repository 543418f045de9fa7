"""The bench serves its own API and times nothing else: a port another process listens on is
refused when asked for, and never used when the bench picks one."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx2
import pytest

from api.settings import Settings
from bench.__main__ import serve_api

OLD_DEFAULT = 8765  # the port the bench once served on, where `partnergraph serve` listens too


def _listening(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    listener.setblocking(False)
    return listener


def _contacted(listener: socket.socket) -> bool:
    """Whether anything connected to the listener (it accepts nothing on its own)."""
    try:
        connection, _ = listener.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


@pytest.fixture
def elsewhere() -> Iterator[socket.socket]:
    """Another process's server, as far as the bench can tell: a socket listening on the port
    the bench served on by default."""
    try:
        listener = _listening(OLD_DEFAULT)
    except OSError:
        pytest.skip(f"port {OLD_DEFAULT} is taken on this machine")
    yield listener
    listener.close()


def test_a_busy_port_asked_for_is_refused() -> None:
    listener = _listening(0)
    port = listener.getsockname()[1]
    try:
        with pytest.raises(SystemExit) as refused:
            serve_api("bolt://127.0.0.1:1", port)
        assert f"port {port}" in str(refused.value) and "in use" in str(refused.value)
        assert not _contacted(listener)
    finally:
        listener.close()


def test_the_bench_serves_on_a_port_nothing_else_listens_on(
    settings: Settings, elsewhere: socket.socket
) -> None:
    api = serve_api(settings.bolt_uri)
    try:
        assert not api.url.endswith(f":{OLD_DEFAULT}")
        assert httpx2.get(f"{api.url}/healthz", timeout=5).status_code == 200
        assert api.process.poll() is None  # its own process answers
    finally:
        api.stop()
    assert not _contacted(elsewhere)
