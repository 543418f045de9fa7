"""docker-compose.yml: Neo4j, two API replicas with health checks on /readyz, and nginx balancing
them on port 8000. Where a docker compose client is installed it validates the file; everywhere
the file is read as YAML and its structure checked."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _interpolated(text: str) -> str:
    """What Compose makes of a value: `$$` is a literal `$`."""
    return text.replace("$$", "$")


def test_compose_file_is_valid() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no docker compose client on this machine")
    done = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_two_api_replicas_behind_one_port(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"neo4j", "api", "balancer"}
    api = services["api"]
    assert api["deploy"]["replicas"] == 2
    assert "ports" not in api  # two replicas cannot share a host port; the balancer has it
    assert api["expose"] == ["8000"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    balancer = services["balancer"]
    assert balancer["image"].startswith("nginx:")
    assert balancer["ports"] == ["127.0.0.1:8000:8000"]
    assert balancer["depends_on"]["api"]["condition"] == "service_healthy"
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert sum(port.endswith(":8000") for port in published) == 1


def test_health_checks_ask_readiness(compose: dict[str, Any]) -> None:
    services = compose["services"]
    api_check = " ".join(services["api"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in api_check
    assert "http://127.0.0.1:8000/readyz" in " ".join(services["balancer"]["healthcheck"]["test"])
    neo4j_check = " ".join(services["neo4j"]["healthcheck"]["test"])
    assert "cypher-shell" in neo4j_check


def test_the_balancer_sends_to_every_replica(compose: dict[str, Any]) -> None:
    mounted = compose["services"]["balancer"]["configs"]
    assert mounted == [{"source": "balancer", "target": "/etc/nginx/conf.d/default.conf"}]
    conf = _interpolated(compose["configs"]["balancer"]["content"])
    upstream = re.search(r"upstream api \{(.*?)\}", conf, re.S)
    assert upstream is not None
    # Docker's DNS answers `api` with every replica; `resolve` looks again as they come and go.
    assert re.search(r"^\s*server api:8000 resolve\b", upstream.group(1), re.M)
    assert "resolver 127.0.0.11" in conf
    assert re.search(r"^\s*listen 8000;", conf, re.M)
    assert re.search(r"proxy_pass http://api;", conf)
    assert "$forwarded_request_id" in conf and "$http_x_request_id" in conf
    assert conf.count("{") == conf.count("}")
