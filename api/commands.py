"""What the commands share: a failure as one line on stderr, a Neo4j that answers, and an
output file written whole or not at all (or streamed, where it is a device, a FIFO or stdout)."""

from __future__ import annotations

import asyncio
import errno
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, NoReturn, TextIO

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


OUT_RULE = (
    "A regular file is replaced whole when complete (through a link, the file it leads to); "
    "a device or FIFO (/dev/null, /dev/stdout) is written as it is; - is standard output."
)


@dataclass(frozen=True)
class Destination:
    """Where `--out` sends the file: `path` is what is opened (`stream`, `stdout`) or replaced
    by a file written beside it and renamed onto it (`replace`)."""

    path: Path
    how: Literal["replace", "stream", "stdout"]


def destination(out: Path) -> Destination:
    """Decided as `cp` decides. `-` is standard output. A name that leads to a regular file, or
    to nothing yet, is followed through every link to the file at its end, which is replaced
    (so a link stays a link); anything else but a folder (a device, a FIFO) is written to as it
    is, never replaced: `/dev/null` stays a device, a FIFO's reader gets the file. OSError for
    a folder, a link that loops, or a new file whose folder is not there."""
    if str(out) == "-":
        return Destination(out, "stdout")
    try:
        found = os.stat(out)  # through every link, /dev/stdout's into /proc among them
    except (FileNotFoundError, NotADirectoryError):
        target = Path(os.path.realpath(out))  # a new file, or the end of a dangling link
        if not target.parent.is_dir():
            said = f"it links to {target}, and {target.parent}" if out.is_symlink() else out.parent
            raise NotADirectoryError(errno.ENOTDIR, f"{said} is not a folder") from None
        return Destination(target, "replace")
    if stat.S_ISDIR(found.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder")
    if stat.S_ISREG(found.st_mode):
        return Destination(Path(os.path.realpath(out)), "replace")
    return Destination(out, "stream")


def check_folder(out: Path) -> None:
    """Exit 2 before any work when `out` cannot be written (see `destination`)."""
    try:
        destination(out)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}", 2)


@contextmanager
def writing(out: Path, newline: str | None = None) -> Iterator[TextIO]:
    """`out` as a UTF-8 text file, where `destination` says. A regular file is written beside
    the file it replaces and renamed onto it when the block completes; on any failure that is
    removed, so the file is either the whole new one or as it was. Standard output, a device or
    a FIFO gets the text as it comes, as `cp` would give it."""
    where = destination(out)
    if where.how == "stdout":
        yield from _standard_output(newline)
    elif where.how == "stream":
        with where.path.open("w", encoding="utf-8", newline=newline) as handle:
            yield handle
    else:
        yield from _replacing(where.path, newline)


def _standard_output(newline: str | None) -> Iterator[TextIO]:
    sys.stdout.flush()
    handle = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline=newline)
    try:
        yield handle
        handle.flush()
    except BrokenPipeError:
        # The reader left (`| head`): what is still buffered has nowhere to go, not even at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise
    finally:
        handle.detach()  # sys.stdout stays open for the summary and for exit


def _replacing(target: Path, newline: str | None) -> Iterator[TextIO]:
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:  # the file it replaces keeps its mode: one only its owner may read stays so
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:  # a new one: as an open() would make it, not mkstemp's 0600
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(part, mode)
    try:
        with os.fdopen(fd, "w", newline=newline, encoding="utf-8") as handle:
            yield handle
        os.replace(part, target)
    except BaseException:
        os.unlink(part)
        raise


def _named(out: Path) -> str:
    return "standard output" if str(out) == "-" else str(out)


def wrote(out: Path, what: str) -> None:
    """The command's last line, "wrote `what` to `out`": on stdout, unless the file went there
    (`-`, or a name for it such as /dev/stdout)."""
    typer.echo(f"wrote {what} to {_named(out)}", err=_is_stdout(out))


def _is_stdout(out: Path) -> bool:
    if str(out) == "-":
        return True
    try:
        return os.path.samestat(os.stat(out), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError):  # not there, or a stdout without a file (io.UnsupportedOperation)
        return False


def writing_failed(out: Path, error: OSError) -> NoReturn:
    """A file the folder refuses: named as the user gave it, not by its temporary name."""
    fail(f"cannot write {_named(out)}: {error.strerror or error}", 1)


def day_option(given: str, option: str) -> date:
    """A day given on the command line as YYYY-MM-DD; exit 2 naming `option` for anything else."""
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise typer.BadParameter(
            f"{given!r} is not a day (YYYY-MM-DD)", param_hint=option
        ) from None
