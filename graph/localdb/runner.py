"""The project's local Neo4j: Neo4j Community embedded in a small Java launcher, Bolt on loopback.

Maven builds the launcher and copies Neo4j's jars from Maven Central (once, into `target/`); Java 17
runs it with an explicit heap and page cache. Data, log and pid file live in one folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import Unavailable

HERE = Path(__file__).resolve().parent
TARGET = HERE / "target"
LAUNCHER_JAR = TARGET / "partnergraph-neo4j-1.jar"
SOURCES = [HERE / "pom.xml", HERE / "src" / "main" / "java" / "partnergraph" / "Launcher.java"]
READY = "partnergraph-neo4j ready"
MAIN_CLASS = "partnergraph.Launcher"


@dataclass(frozen=True)
class LocalNeo4j:
    home: Path
    port: int = 7687
    heap: str = "2g"
    page_cache: str = "1g"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.home / "neo4j.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "neo4j.pid"


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str
    message: str


def status(db: LocalNeo4j) -> Status:
    pid = _running_pid(db)
    if pid is None:
        return Status(False, None, db.uri, f"stopped (data in {db.home})")
    return Status(True, pid, db.uri, f"running (pid {pid}) at {db.uri}")


def start(db: LocalNeo4j, *, timeout: float = 180.0, say: Callable[[str], None] = print) -> Status:
    """Start the server and wait for its ready line; a no-op when it already runs."""
    current = status(db)
    if current.running:
        return Status(True, current.pid, db.uri, f"already running (pid {current.pid}) at {db.uri}")
    java = _java()
    if _port_taken(db.port):
        raise Unavailable(
            f"port {db.port} on 127.0.0.1 is taken by another process; stop it or set "
            "PARTNERGRAPH_NEO4J_PORT to a free port"
        )
    build(say=say)
    db.home.mkdir(parents=True, exist_ok=True)
    classpath = f"{LAUNCHER_JAR}{os.pathsep}{TARGET / 'lib' / '*'}"
    command = [
        java,
        f"-Xms{db.heap}",
        f"-Xmx{db.heap}",
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dfile.encoding=UTF-8",
        "-cp",
        classpath,
        MAIN_CLASS,
        str(db.home),
        str(db.port),
        db.page_cache,
    ]
    began = time.monotonic()
    with db.log_file.open("w") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command; never holds the caller's pipes
        )
    db.pid_file.write_text(f"{process.pid}\n")
    while time.monotonic() - began < timeout:
        if READY in db.log_file.read_text(errors="replace"):
            seconds = time.monotonic() - began
            return Status(
                True,
                process.pid,
                db.uri,
                f"started (pid {process.pid}) at {db.uri} in {seconds:.1f} s",
            )
        if process.poll() is not None:
            db.pid_file.unlink(missing_ok=True)
            raise Unavailable(
                f"Neo4j exited with code {process.returncode} before it was ready; "
                f"the end of {db.log_file}:\n{_tail(db.log_file)}"
            )
        time.sleep(0.2)
    _terminate(process.pid, grace=10)
    db.pid_file.unlink(missing_ok=True)
    tail = _tail(db.log_file)
    raise Unavailable(f"Neo4j was not ready after {timeout:.0f} s; the end of its log:\n{tail}")


def stop(db: LocalNeo4j, *, timeout: float = 60.0) -> Status:
    pid = _running_pid(db)
    if pid is None:
        return Status(False, None, db.uri, "not running")
    _terminate(pid, grace=timeout)
    db.pid_file.unlink(missing_ok=True)
    return Status(False, None, db.uri, f"stopped (pid {pid})")


def build(*, say: Callable[[str], None] = print) -> None:
    """Build the launcher and fetch Neo4j's jars, unless an up-to-date build is there."""
    if LAUNCHER_JAR.exists() and (TARGET / "lib").is_dir():
        built = LAUNCHER_JAR.stat().st_mtime
        if all(source.stat().st_mtime <= built for source in SOURCES):
            return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Unavailable(
            "Maven (mvn) is needed once to fetch Neo4j from Maven Central: install Maven 3, "
            "or set NEO4J_URI to a running Neo4j 5 (for example the one in docker-compose.yml)"
        )
    say("building the local Neo4j launcher (Maven; the first time downloads Neo4j's jars)")
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(HERE / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise Unavailable("Maven could not build the local Neo4j:\n" + "\n".join(output[-30:]))
    LAUNCHER_JAR.touch()


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    candidate = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not candidate or not Path(candidate).exists():
        raise Unavailable(
            "Java 17 or newer is needed to run the local Neo4j: install a JDK 17 "
            "(for example `apt install openjdk-17-jdk`), or set NEO4J_URI to a running Neo4j 5"
        )
    out = subprocess.run([candidate, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', out.stderr + out.stdout)
    if match is None or int(match.group(1)) < 17:
        raise Unavailable(f"Java 17 or newer is needed; {candidate} says: {out.stderr.strip()}")
    return candidate


def _running_pid(db: LocalNeo4j) -> int | None:
    try:
        pid = int(db.pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    if _is_launcher(pid):
        return pid
    db.pid_file.unlink(missing_ok=True)  # stale: the process is gone
    return None


def _is_launcher(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        return MAIN_CLASS.encode() in cmdline.read_bytes()
    return True


def _terminate(pid: int, *, grace: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)  # the shutdown hook checkpoints the store
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _is_launcher(pid):
            return
        _reap(pid)
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
