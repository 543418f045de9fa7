"""Options given values a user might type by mistake: each is one line and the right exit code."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from test_cli import CLOSED, one_line_error, partnergraph


def test_generate_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "partners.csv").write_text("key,name,type,tier\nMINE,Mine,MSP,GOLD\n")
    (tmp_path / "notes.txt").write_text("keep me\n")
    done = partnergraph("generate", "--preset", "tiny", "--out", str(tmp_path))
    one_line_error(done, 2, "--out", "is not empty")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt", "partners.csv"]
    assert "MINE" in (tmp_path / "partners.csv").read_text()


def test_generate_into_an_empty_or_new_folder_works(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        done = partnergraph("generate", "--preset", "tiny", "--out", str(folder))
        assert done.returncode == 0, done.stderr
        assert (folder / "partners.csv").is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "superuser"], ["--role", "superuser", "admin, alliance_manager"]),
        (["--role", "partner"], ["--partner", "a partner token needs the partner's key"]),
        (["--role", "admin", "--partner", "P1"], ["--partner", "only a partner token"]),
    ],
)
def test_token_options_that_do_not_fit_are_a_usage_error(args: list[str], words: list[str]) -> None:
    one_line_error(partnergraph("token", *args, env=CLOSED), 2, *words)


@pytest.mark.parametrize("role", ["ADMIN", "Alliance_Manager"])
def test_token_takes_a_role_in_any_case_as_the_bundle_takes_its_names(role: str) -> None:
    done = partnergraph("token", "--role", role, env=CLOSED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().count(".") == 2


def test_generate_takes_a_preset_in_any_case(tmp_path: Path) -> None:
    done = partnergraph("generate", "--preset", "TINY", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "tiny bundle" in done.stdout


def test_serve_refuses_a_host_that_names_nothing() -> None:
    done = partnergraph("serve", "--host", "no-such-host.invalid", "--port", "8799", env=CLOSED)
    one_line_error(done, 2, "--host", "no-such-host.invalid")
    assert "INFO" not in done.stderr


def test_serve_refuses_a_port_taken_by_another_program() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = partnergraph("serve", "--host", "127.0.0.1", "--port", str(port), env=CLOSED)
    one_line_error(done, 1, f"cannot listen on 127.0.0.1:{port}", "in use")


def test_serve_refuses_an_address_of_another_machine() -> None:
    done = partnergraph("serve", "--host", "192.0.2.1", "--port", "8799", env=CLOSED)
    one_line_error(done, 2, "--host", "'192.0.2.1' is not an address of this machine")


@pytest.mark.parametrize("ttl", ["31622401", "9" * 30])
def test_token_refuses_a_ttl_over_366_days(ttl: str) -> None:
    """A token cannot be revoked before it expires: one for ever is a key that never changes."""
    done = partnergraph("token", "--role", "admin", "--ttl", ttl, env=CLOSED)
    one_line_error(done, 2, "--ttl", "31622400")
    assert done.stdout == ""


def test_token_takes_a_ttl_of_366_days() -> None:
    assert partnergraph("token", "--role", "admin", "--ttl", "31622400").returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        ["token", "--role", "partner", "--partner", "P1\nerror: something else"],
        ["import", "/no/such\nfolder"],
        ["generate", "--preset", "tiny\nhuge", "--out", "/tmp/x"],
    ],
)
def test_a_value_with_a_line_break_is_still_one_line(args: list[str]) -> None:
    done = partnergraph(*args)
    assert done.returncode in (1, 2), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "\\n" in done.stderr


def test_a_long_partner_key_is_shown_shortened() -> None:
    line = one_line_error(partnergraph("token", "--role", "partner", "--partner", "x" * 5000), 1)
    assert len(line) < 200, line
