"""The local Neo4j runner, with real Java and real servers."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from graph.db import Graph
from graph.errors import Unavailable
from graph.localdb import runner

pytestmark = pytest.mark.skipif(
    not Settings().uses_local_neo4j, reason="NEO4J_URI points at another server"
)


@contextlib.contextmanager
def reserved_port() -> Iterator[int]:
    """A port bound (not listening) for as long as it is used: nothing else can take it, and a
    connection to it is refused, so the runner sees it free. For servers that never bind it."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])


def start_on_a_free_port(db: runner.LocalNeo4j, tries: int = 5) -> runner.LocalNeo4j:
    """Start `db` on a port that was free a moment ago; another process may take it before the
    server binds it, so try again on another port then (the data folder stays the same)."""
    for _ in range(tries):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        moved = runner.LocalNeo4j(db.home, port, heap=db.heap, page_cache=db.page_cache)
        try:
            started = runner.start(moved)
        except Unavailable as error:
            if "is taken" in str(error) or "Address already in use" in str(error):
                continue
            raise
        assert started.message.startswith("started"), started.message
        return moved
    raise AssertionError(f"no free port in {tries} tries")


def the_test_server(settings: Settings) -> runner.LocalNeo4j:
    return runner.LocalNeo4j(settings.local_neo4j_home, settings.local_neo4j_port)


def test_a_second_start_is_a_no_op_that_says_so(settings: Settings) -> None:
    db = the_test_server(settings)
    before = runner.status(db)
    again = runner.start(db)
    assert before.running
    assert again.pid == before.pid
    assert again.message.startswith("already running")


def test_a_taken_port_is_refused_with_a_clear_message(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match=f"port {settings.local_neo4j_port} .* is taken"):
        runner.start(runner.LocalNeo4j(tmp_path / "other", settings.local_neo4j_port))
    assert not (tmp_path / "other").exists()


def test_missing_java_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk-here"))
    with reserved_port() as port, pytest.raises(Unavailable, match="Java 17 or newer is needed"):
        runner.start(runner.LocalNeo4j(tmp_path / "db", port))


def test_missing_maven_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runner, "LAUNCHER_JAR", tmp_path / "not-built.jar")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Unavailable, match=r"Maven \(mvn\) is needed"):
        runner.build()


def test_a_server_that_dies_early_shows_the_end_of_its_log(tmp_path: Path) -> None:
    with reserved_port() as port:
        db = runner.LocalNeo4j(tmp_path / "db", port, heap="256m", page_cache="a-lot")
        with pytest.raises(Unavailable, match="exited with code") as raised:
            runner.start(db)
    assert "a-lot" in str(raised.value)
    assert not runner.status(db).running


async def test_data_survives_a_stop_and_a_start(tmp_path: Path) -> None:
    db = start_on_a_free_port(runner.LocalNeo4j(tmp_path / "db", 0, heap="512m", page_cache="64m"))
    try:
        assert runner.status(db).running
        graph = Graph.connect(db.uri, "neo4j", "", "neo4j")
        await graph.write("CREATE (:Partner {key: 'kept'})")
        await graph.close()
        stopped = runner.stop(db)
        assert not stopped.running and not runner.status(db).running
        db = start_on_a_free_port(db)
        graph = Graph.connect(db.uri, "neo4j", "", "neo4j")
        records = await graph.read("MATCH (p:Partner) RETURN p.key AS key")
        await graph.close()
        assert [record["key"] for record in records] == ["kept"]
    finally:
        runner.stop(db)
