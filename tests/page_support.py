"""The map page's browser tests: the API served for real, Debian's chromium, PNG pixels."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from api.app import create_app
from api.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
# What runs here without a GPU, a sandbox or any network but the API (WebGL in SwiftShader).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_chromium() -> str | None:
    if CHROMIUM.exists():
        return None
    return (
        f"{CHROMIUM} is missing: the map page's browser tests need Debian's chromium, "
        "which `make test` installs (apt-get install -y chromium)"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn on a free port, in a thread; yields its base address."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="map-page-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass(frozen=True)
class Pixels:
    width: int
    height: int
    rgb: bytes  # width * height * 3

    def at(self, x: int, y: int) -> tuple[int, int, int]:
        offset = (y * self.width + x) * 3
        return self.rgb[offset], self.rgb[offset + 1], self.rgb[offset + 2]

    def share_unlike(self, background: tuple[int, int, int], tolerance: int = 24) -> float:
        """The share of pixels that differ from the background by more than `tolerance`."""
        differ = 0
        for index in range(0, len(self.rgb), 3):
            r, g, b = self.rgb[index], self.rgb[index + 1], self.rgb[index + 2]
            if abs(r - background[0]) + abs(g - background[1]) + abs(b - background[2]) > tolerance:
                differ += 1
        return differ / (self.width * self.height)

    def colours(self, step: int = 16) -> set[tuple[int, int, int]]:
        """The distinct colours, each channel rounded to `step` (anti-aliasing blurs the rest)."""
        return {
            (self.rgb[i] // step, self.rgb[i + 1] // step, self.rgb[i + 2] // step)
            for i in range(0, len(self.rgb), 3)
        }


def decode_png(data: bytes) -> Pixels:
    """An 8-bit RGB or RGBA PNG (what chromium's screenshots are) as RGB pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"PNG of depth {depth}, colour type {colour}"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    rgb = bytearray()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        if channels == 3:
            rgb += line
        else:
            for index in range(0, stride, 4):
                rgb += line[index : index + 3]
        previous = line
    return Pixels(width, height, bytes(rgb))


def _unfilter(kind: int, line: bytearray, previous: bytearray, channels: int) -> None:
    for index in range(len(line)):
        left = line[index - channels] if index >= channels else 0
        up = previous[index]
        corner = previous[index - channels] if index >= channels else 0
        if kind == 1:
            line[index] = (line[index] + left) & 0xFF
        elif kind == 2:
            line[index] = (line[index] + up) & 0xFF
        elif kind == 3:
            line[index] = (line[index] + (left + up) // 2) & 0xFF
        elif kind == 4:
            estimate = left + up - corner
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
            nearest = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[index] = (line[index] + nearest) & 0xFF
