"""A loopback HTTP server written for the tests: it answers every request with what a
test tells it to, and records each one.  It shares no code with mstr_prompts.testing.

``Hostile(answer)`` calls ``answer(method, path, headers, body)`` for every request;
the function returns ``(status, headers, body bytes)``.  ``requests`` lists
``(method, path, headers, body)`` in order; ``connections`` counts accepted sockets,
so a test can check that nothing at all reached the server.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def refuse_all(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """401 ERR003 for everything: a login that never works."""
    payload = {"code": "ERR003", "message": "Invalid credentials"}
    return 401, {"Content-Type": "application/json"}, json.dumps(payload).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: Hostile) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> Any:
        request = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        return request


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()}
        owner = self.server.owner
        with owner.lock:
            owner.requests.append((self.command, self.path, headers, body))
        status, extra, data = owner.answer(self.command, self.path, headers, body)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _any


class Hostile:
    """The server; a context manager that serves on a thread until the block ends."""

    def __init__(self, answer: Answer = refuse_all) -> None:
        self.answer = answer
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.connections = 0
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/MicroStrategyLibrary"

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
        port: int = probe.server_address[1]
    return port
