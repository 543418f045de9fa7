"""Where `serve` listens: checked before anything starts, so a host or port it cannot use is
one line (uvicorn would say it only in its log, after starting the application)."""

from __future__ import annotations

import errno
import socket

import typer

from graph.errors import Unavailable


def check_listen(host: str, port: int) -> None:
    """Bind where `serve` will listen, and let go; a host that is not this machine's is a usage
    error, a port another program holds is Unavailable."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
        raise typer.BadParameter(
            f"{host!r} names no address ({str(reason).lower()})", param_hint="--host"
        ) from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRNOTAVAIL:
                raise typer.BadParameter(
                    f"{host!r} is not an address of this machine", param_hint="--host"
                ) from None
            reason = (error.strerror or str(error)).lower()
            if error.errno == errno.EADDRINUSE:
                reason = "the port is in use by another program"
            raise Unavailable(f"cannot listen on {host}:{port}: {reason}") from None
