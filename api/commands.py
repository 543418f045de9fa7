"""What the commands share: a failure as one line on stderr, a Neo4j that answers, and a file
written whole or not at all."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from api.neo4j_commands import local
from api.settings import Settings
from graph.errors import Unavailable
from graph.localdb import runner

err = Console(stderr=True)


def text(value: str, option: str) -> str:
    """A key or name given on the command line, as the API would take it: a byte sequence that
    is not UTF-8 (the shell hands it over as lone surrogates) is a bad parameter, not a crash."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise typer.BadParameter("not valid UTF-8 text", param_hint=option) from None
    return value


def fail(message: str, code: int) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def ensure_neo4j(settings: Settings) -> None:
    """Start the local Neo4j when it is the one in use and is not running yet; then make sure
    the Neo4j in use answers (Unavailable, in one line, when it does not)."""
    if settings.uses_local_neo4j:
        status = runner.start(local(settings), say=err.print)
        if not status.message.startswith("already"):
            err.print(f"local Neo4j {status.message}")
    asyncio.run(_reachable(settings))


async def _reachable(settings: Settings) -> None:
    graph = settings.connect()
    try:
        await graph.verify()
    except Unavailable as error:
        reason = _reason(error.__cause__ or error)
        raise Unavailable(f"cannot reach Neo4j at {settings.bolt_uri}: {reason}") from None
    finally:
        await graph.close()


def _reason(error: BaseException) -> str:
    """The gist of a driver's failure: its messages run over several lines."""
    text = str(error)
    errno = re.search(r"\[Errno (\d+)\]", text)
    if errno:
        return os.strerror(int(errno.group(1))).lower()
    reason = re.search(r"\(reason ([^()]+)\)", text)
    if reason:
        return reason.group(1)
    lines = text.strip().splitlines()
    return lines[-1] if lines else type(error).__name__


def check_folder(out: Path) -> None:
    """Exit 2 before any work when the file's folder is not there."""
    if not out.parent.is_dir():
        fail(f"cannot write {out}: {out.parent} is not a folder", 2)


@contextmanager
def replacing(out: Path, newline: str | None = None) -> Iterator[TextIO]:
    """A UTF-8 text file written beside `out` and renamed onto it when the block completes;
    on any failure it is removed, so `out` is either the whole new file or as it was."""
    fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(part, 0o666 & ~umask)  # as an open() would have made it, not mkstemp's 0600
    try:
        with os.fdopen(fd, "w", newline=newline, encoding="utf-8") as handle:
            yield handle
        os.replace(part, out)
    except BaseException:
        os.unlink(part)
        raise


def writing_failed(out: Path, error: OSError) -> NoReturn:
    """A file the folder refuses: named as the user gave it, not by its temporary name."""
    fail(f"cannot write {out}: {error.strerror or error}", 1)
