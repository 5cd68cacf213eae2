"""A hostile HTTP server on 127.0.0.1, written for the tests: it lies, stalls, drips and floods.

It shares no code with ``mstr_prompts.testing`` and speaks HTTP/1.1 by hand over a raw
socket, so that a handler can send anything at all: a body one byte at a time, a gzip
bomb nobody asked for, an endless chunked body, a redirect, a status line with no
body behind it, a ``Retry-After`` of 5,000 digits.  Everything it does is bounded: a
handler writes through :class:`Wire`, which stops after ``limit`` seconds (10 by
default) or ``max_bytes`` bytes, and as soon as the client goes away or the server
closes.

Handlers are plain functions ``handler(request, wire) -> None`` registered per method
and path pattern; ``POST /api/auth/login`` answers 204 with a token unless a test
registers its own.  Every request is recorded in ``server.requests``.

>>> with HostileServer() as server:
...     server.route("GET", "/api/x$", lambda req, wire: wire.reply(200, b'{"a": 1}'))
...     import urllib3
...     urllib3.request("GET", server.url + "/api/x").json()
{'a': 1}
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

CONTEXT = "/MicroStrategyLibrary"
TOKEN = "hostile-token-0123456789"
PROJECT = "B19DEDCC11D4E0EFC000EB9495D0F44F"
REPORT = "9B9ADA7F464E63CE0D0B709B03BD9370"
INSTANCE = "6A0B4F3C2D1E4F5A8B9C0D1E2F3A4B5C"


@dataclass
class Request:
    """One request as it arrived: method, path (without the webapp), query, headers, body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}"

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Closed(Exception):
    """The client went away, the server is closing, or the handler's bounds ran out."""


class Wire:
    """The raw connection a handler writes to, with the handler's time and size bounds."""

    def __init__(self, sock: socket.socket, stop: threading.Event, limit: float, max_bytes: int):
        self.sock = sock
        self.stop = stop
        self.until = time.monotonic() + limit
        self.left = max_bytes
        self.keep_alive = True

    def send(self, data: bytes) -> None:
        """Send ``data``; :class:`Closed` once the client, the server or a bound says stop."""
        if self.stop.is_set() or time.monotonic() > self.until or self.left <= 0:
            raise Closed
        data = data[: self.left]
        self.left -= len(data)
        try:
            self.sock.sendall(data)
        except OSError:
            raise Closed from None

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up (and stop) when the server closes."""
        if self.stop.wait(min(seconds, max(self.until - time.monotonic(), 0))):
            raise Closed

    def head(self, status: int, headers: Iterable[tuple[str, str]] = (), reason: str = "X") -> None:
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def reply(self, status: int, body: bytes = b"", *headers: tuple[str, str]) -> None:
        """A well-formed reply with a Content-Length (JSON unless a Content-Type is given)."""
        names = {k.lower() for k, _ in headers}
        extra = list(headers)
        if "content-type" not in names and body:
            extra.append(("Content-Type", "application/json"))
        if "content-length" not in names:
            extra.append(("Content-Length", str(len(body))))
        self.head(status, extra)
        if body:
            self.send(body)

    def json(self, status: int, value: Any, *headers: tuple[str, str]) -> None:
        self.reply(status, json.dumps(value).encode(), *headers)

    def drip(
        self, status: int, body: bytes, every: float = 0.05, *headers: tuple[str, str]
    ) -> None:
        """The whole Content-Length announced, then one byte every ``every`` seconds."""
        self.head(status, [("Content-Length", str(len(body))), *headers])
        for i in range(len(body)):
            self.send(body[i : i + 1])
            self.pause(every)

    def drip_head(self, every: float = 0.05) -> None:
        """The status line and then one header byte at a time, for ever (within the bounds)."""
        self.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while True:
            self.send(b"x")
            self.pause(every)

    def endless_chunks(self, chunk: bytes = b"[" * 4096) -> None:
        """A chunked body that never ends (until the bounds say stop)."""
        self.head(200, [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")])
        piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            self.send(piece)

    def flood(self, size: int, status: int = 200) -> None:
        """A body of ``size`` bytes with its honest Content-Length."""
        self.head(status, [("Content-Length", str(size)), ("Content-Type", "application/json")])
        block = b" " * 65536
        while size > 0:
            self.send(block[:size])
            size -= len(block)

    def stall(self, seconds: float = 60.0) -> None:
        """Say nothing at all."""
        self.pause(seconds)
        raise Closed


def gzip_bomb(expanded: int = 1 << 30) -> bytes:
    """A gzip stream of ``expanded`` spaces (1 GiB by default: about 1 MiB compressed)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [compressor.compress(block) for _ in range(expanded // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


Handler = Callable[[Request, Wire], None]


def login(req: Request, wire: Wire) -> None:
    wire.reply(
        204,
        b"",
        ("X-MSTR-AuthToken", TOKEN),
        ("Set-Cookie", f"JSESSIONID=J{TOKEN}; Path=/; HttpOnly"),
    )


def ok_204(req: Request, wire: Wire) -> None:
    wire.reply(204)


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


@dataclass
class HostileServer:
    """The server; a context manager.  ``url`` is its webapp root (``…/MicroStrategyLibrary``)."""

    limit: float = 10.0
    max_bytes: int = 1 << 32
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._routes: list[_Route] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._socks: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}{CONTEXT}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.route("POST", "/api/auth/login$", login)
        self.route("POST", "/api/auth/logout$", ok_204)

    # ------------------------------------------------------------ set-up

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``method`` on paths matching ``path`` (searched); later routes win."""
        self._routes.insert(0, _Route(method, re.compile(path), handler))

    def seen(self, method: str | None = None, path: str = "") -> list[Request]:
        """The recorded requests with this method whose path matches ``path``."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and re.search(path, r.path)
            ]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._listener.close()

    # ------------------------------------------------------------ serving

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._socks.add(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(self.limit)
        reader = sock.makefile("rb")
        try:
            while not self._stop.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                wire = Wire(sock, self._stop, self.limit, self.max_bytes)
                handler = self._find(request)
                try:
                    handler(request, wire)
                except Closed:
                    return
                if not wire.keep_alive:
                    return
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._socks.discard(sock)
            with contextlib.suppress(OSError):
                sock.close()

    def _find(self, request: Request) -> Handler:
        for route in self._routes:
            if route.method == request.method and route.pattern.search(request.path):
                return route.handler
        return lambda req, wire: wire.reply(404)


def _read_request(reader: Any) -> Request | None:
    line = reader.readline(65537)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = reader.read(length) if length else b""
    split = urlsplit(target)
    path = split.path
    if path.startswith(CONTEXT):
        path = path[len(CONTEXT) :]
    return Request(method, path, parse_qs(split.query), headers, body)
