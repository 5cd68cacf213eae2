"""An in-process MicroStrategy Library REST server for offline tests, over real HTTP.

It listens on 127.0.0.1 on a free port (stdlib ``http.server``, one thread per
connection, HTTP/1.1 keep-alive; https with ``tls=True``) and behaves as the
documentation says:

* ``POST /api/auth/login`` answers 204 with the token in ``X-MSTR-AuthToken`` and sets
  the ``JSESSIONID`` and ``iSession`` cookies with the webapp's ``Path``, and ``Secure``
  over https only (RFC 6265, so a standard cookie jar keeps working over http); every
  later request needs the token **and** both cookies, or gets 401 ERR009
  (https://microstrategy.github.io/rest-api-docs/getting-started/authentication);
* project-scoped calls need ``X-MSTR-ProjectID`` (calls on an instance may leave it out);
* report instances are created through the modeling service and deleted with
  ``X-MSTR-MS-Instance`` (seed 000), or through the v1 and v2 analytics endpoints
  (:mod:`.analytics`); documents and dashboards have ``mid`` instances,
  ``linkingInfo.promptsAnswers`` XML, ``rePrompt`` and delete; an instance belongs to
  the user whose session created it;
* ``PUT …/prompts/answers`` reads the answers as the server does (:mod:`.reading`),
  checks them against the prompts' definitions and element and object lists, and
  refuses them with the server's own ERR006 messages; answered rounds open the next
  nested round; ``GET …/status`` answers 202 with ``Retry-After`` while a job runs and
  200 when it is ready, prompted or failed;
* ``sqlView`` shows the answers it received, so a test can see that they arrived, and
  the data come in pages;
* every refusal, malformed requests included, is MicroStrategy's error body
  (``code``, ``message``, ``ticketId``, ``iServerCode``), and bodies are bounded
  before they are read.

Faults can be injected (:meth:`ReferenceServer.fail`, :meth:`~ReferenceServer.slow`,
:meth:`~ReferenceServer.drop`, :meth:`~ReferenceServer.expire_sessions`) and every
request is recorded (:attr:`ReferenceServer.requests`).  Routes are a table of
``(method, pattern, handler)``, so new resources are one handler and one line.

This module is the top of :mod:`mstr_prompts.testing`: :class:`ReferenceServer` is a
:class:`~.core.ServerCore` (settings, state, dispatch) that installs the route modules
(:mod:`.routes`, :mod:`.datamarts`, :mod:`.analytics`) and serves them over HTTP.
The vocabulary (:class:`Call`, :class:`Refusal`, :func:`reply` …) is :mod:`.wire`'s,
and importable from here as before.
"""

from __future__ import annotations

import io
import json
import os
import re
import ssl
import tempfile
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .analytics import install_analytics
from .core import ServerCore
from .datamarts import install_datamarts
from .routes import install_routes
from .wire import (
    E_FAIL,
    JSON,
    MESSAGE_NOT_FOUND,
    Call,
    Fault,
    Recorded,
    Refusal,
    Reply,
    ServedInstance,
    error_body,
    parse_json,
    render_sql,
    reply,
)

__all__ = [
    "E_FAIL",
    "MESSAGE_NOT_FOUND",
    "Call",
    "Fault",
    "Recorded",
    "ReferenceServer",
    "Refusal",
    "Reply",
    "ServedInstance",
    "error_body",
    "parse_json",
    "render_sql",
    "reply",
]


class ReferenceServer(ServerCore):
    """A MicroStrategy Library REST server on 127.0.0.1, for tests; a context manager.

    ``catalog`` maps object IDs to :class:`~mstr_prompts.testing.catalog.Served`
    objects (the demo catalog by default); ``users`` maps user names to passwords;
    ``api_tokens`` are accepted with login mode 4096; ``status_polls`` is how many
    status polls answer 202 after each creation and each answer.

    ``tls=True`` serves https with a certificate for 127.0.0.1 from a throw-away CA
    (trustme, in the ``testing`` extra); :attr:`ca_file` is that CA as a PEM file for
    the client.  Cookies carry ``Secure`` only over https, as a webapp sets them;
    ``secure_cookies=True``/``False`` forces it either way.  A running job answers its
    status polls with 202 and ``Retry-After``; ``status_walk=True`` brings back the
    old walk (200 with each running state in turn).  ``max_body`` bounds a request
    body, checked on ``Content-Length`` before reading; ``port`` is where to listen
    (0, the default: a free port).

    >>> with ReferenceServer() as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    # The HTTP side, made by start(); until then there is none.
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _ssl_context: ssl.SSLContext | None = None
    _ca_path: str | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def install_routes(self) -> None:
        """The REST API: sessions, instances and prompts, then datamarts, then the rest.

        >>> len(ReferenceServer().routes) > 40
        True
        """
        install_routes(self)
        install_datamarts(self)
        install_analytics(self)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> ReferenceServer:
        """Start serving on a free port in a daemon thread."""
        if self._httpd is not None:
            return self
        handler = type("_BoundHandler", (_RequestHandler,), {"app": self})
        httpd = _QuietServer(("127.0.0.1", self.requested_port), handler)
        httpd.daemon_threads = True
        if self.tls:
            # The handshake runs in the connection's own thread (on its first read), so
            # a client that connects and says nothing cannot stall the accept loop.
            httpd.socket = self._tls_context().wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._httpd = httpd
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd = None

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The Library webapp root, e.g. ``http://127.0.0.1:PORT/MicroStrategyLibrary``.

        ``https://`` when the server was made with ``tls=True``.
        """
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{self.context}"

    @property
    def ca_file(self) -> str:
        """The PEM file of the CA that signed the https certificate: a client's CA bundle.

        ``requests.get(url, verify=server.ca_file)``, ``urllib3.PoolManager(ca_certs=…)``,
        mstrio-py's ``Connection(…, certificate_path=server.ca_file)``.  Only with
        ``tls=True``.

        >>> with ReferenceServer(tls=True) as server:
        ...     server.url.startswith("https://"), server.ca_file.endswith("ca.pem")
        (True, True)
        """
        if not self.tls:
            raise RuntimeError("the server serves plain http; make it with tls=True")
        self._tls_context()
        assert self._ca_path is not None
        return self._ca_path

    def _tls_context(self) -> ssl.SSLContext:
        """The server's TLS context, made once: trustme's CA and a 127.0.0.1 certificate."""
        with self.lock:
            if self._ssl_context is not None:
                return self._ssl_context
            try:
                import trustme
            except ImportError:  # pragma: no cover - the testing extra installs it
                raise RuntimeError(
                    "tls=True needs trustme: pip install 'mstr-prompts[testing]'"
                ) from None
            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self._tmp = tempfile.TemporaryDirectory(prefix="mstr-reference-")
            path = os.path.join(self._tmp.name, "ca.pem")
            ca.cert_pem.write_to_path(path)
            self._ca_path, self._ssl_context = path, context
            return context


def _fault_body(status: int) -> Any:
    """An injected failure's body: ERR009 for 401, none for 5xx (as real proxies answer)."""
    if status == 401:
        return error_body(
            Refusal(401, "ERR009", "The user's session has expired, please reauthenticate")
        )
    if status >= 500:
        return None
    return error_body(Refusal(status, "ERR001", f"Injected HTTP {status}."))


class _QuietServer(ThreadingHTTPServer):
    """Clients that gave up (timeouts) close their end; that is not the server's error."""

    daemon_threads = True
    # Hundreds of clients may connect at once (run_many); socketserver's backlog of 5
    # would make the kernel drop their SYNs and the clients wait a second to retry.
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        # A client that gives up, or refuses our test certificate, is not our error.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    app: ReferenceServer
    raw_requestline: bytes
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, each
    # keep-alive response would wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server_version = "mstr-prompts-reference/1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What ``http.server`` refuses itself (a bad request line, too many headers, an
        unknown method) is answered in MicroStrategy's JSON shape too, not in HTML."""
        text = message or self.responses.get(code, ("Error",))[0]
        error = "ERR006" if code == 400 else "ERR001"
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = self.protocol_version  # a status line, even for garbage
        self._send(code, error_body(Refusal(code, error, text)), [])

    def setup(self) -> None:
        # One deadline per request (``request_timeout``, read when the connection opens,
        # so a test may change it) for its request line, headers and body together, so a
        # client that stalls or drips a byte at a time (slowloris) holds neither a
        # thread nor quiesce() for ever.
        super().setup()
        assert isinstance(self.rfile, io.BufferedReader)
        self.rfile = _DeadlineReader(self.rfile, self.connection, self.app.request_timeout)

    def handle_one_request(self) -> None:
        if isinstance(self.rfile, _DeadlineReader):
            self.rfile.next_request()
        super().handle_one_request()

    def parse_request(self) -> bool:
        # RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before
        # the request-line (http.server drops the connection without a word); a few.
        for _ in range(_EMPTY_LINES):
            if self.raw_requestline not in (b"\r\n", b"\n"):
                break
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
        if len(self.raw_requestline) > _MAX_LINE:
            self.requestline, self.request_version, self.command = "", "HTTP/0.9", ""
            self.send_error(414)
            return False
        if not self.raw_requestline.strip():
            self.close_connection = True
            return False
        words = self.raw_requestline.split()
        if len(words) == 2:
            # HTTP/0.9 ("GET /path"): http.server would wait for headers such a client
            # never sends, then answer without a status line; refuse it at once.
            self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
            self.command, self.request_version = "", "HTTP/0.9"
            self.send_error(400, "HTTP/0.9 requests are not supported.")
            return False
        return super().parse_request()

    def handle_expect_100(self) -> bool:
        # RFC 9110 §10.1.1: no "100 Continue" for a body that will be refused anyway,
        # so the client never starts sending it.
        if isinstance(_content_length(self.headers, self.app.max_body), Refusal):
            return True
        return super().handle_expect_100()

    def _serve(self) -> None:
        app = self.app
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = parts.path
        try:
            query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=1000)
        except ValueError:
            self.close_connection = True
            self.send_error(400, "Too many query parameters.")
            return
        inner = path[len(app.context) :] if path.startswith(app.context + "/") else None
        # The body is bounded before a byte of it is read: a wrong or huge length is
        # refused in the server's shape and the connection closed (its body unread).
        length = _content_length(self.headers, app.max_body)
        body = b""
        if not isinstance(length, Refusal) and length:
            read = self._read_body(length)
            body, length = (read, length) if isinstance(read, bytes) else (b"", read)
        if isinstance(length, Refusal):
            app.record(Recorded(self.command, inner or path, query, headers, body, length.status))
            self.close_connection = True
            self._send(length.status, error_body(length), [])
            return
        fault = app.take_fault(self.command, inner or path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            app.record(Recorded(self.command, inner or path, query, headers, body, 0))
            self.close_connection = True
            return
        # HEAD is GET without the body, as the servlet container answers it.
        method = "GET" if self.command == "HEAD" else self.command
        if fault is not None and fault.status is not None:
            extra = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
            status, reply, extra = fault.status, _fault_body(fault.status), extra
        elif inner is None:
            # Outside the webapp: still the error shape, never an empty 404.
            not_found = Refusal(404, "ERR004", "HTTP 404 Not Found")
            status, reply, extra = 404, error_body(not_found), []
        else:
            status, reply, extra = app.handle(method, inner, query, headers, body)
        app.record(Recorded(self.command, inner or path, query, headers, body, status))
        self._send(status, reply, extra)

    def _read_body(self, length: int) -> bytes | Refusal:
        """``length`` bytes of body within the request's deadline; a body that stops
        short or comes too slowly is refused."""
        chunks: list[bytes] = []
        got = 0
        try:
            while got < length:
                chunk = self.rfile.read1(min(length - got, 1 << 16))
                if not chunk:
                    return Refusal(400, "ERR006", "The request body is shorter than its length.")
                chunks.append(chunk)
                got += len(chunk)
        except TimeoutError:
            return Refusal(408, "ERR006", "The request body did not arrive in time.")
        return b"".join(chunks)

    def _send(self, status: int, reply: Any, extra: list[tuple[str, str]]) -> None:
        data = b"" if reply is None or status == 204 else json.dumps(reply).encode()
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and getattr(self, "command", "") != "HEAD":
            self.wfile.write(data)

    def _counted(self) -> None:
        with self.app.handling():
            self._serve()

    # The methods the REST API uses, and those a servlet container answers for any
    # resource (HEAD as GET, the others 405 with Allow, or 404); any other method is
    # http.server's 501, in the server's shape, as a container answers it.
    do_GET = do_POST = do_PUT = do_DELETE = _counted
    do_HEAD = do_PATCH = do_OPTIONS = do_TRACE = _counted


class _DeadlineReader(io.BufferedIOBase):
    """A connection's reader whose reads share one deadline per request.

    A socket timeout bounds each ``recv`` alone, so a client that sends a byte just
    before each one expires keeps a request open for ever.  Here every ``recv`` gets
    what is left of the request's time: ``budget`` seconds from its first byte (before
    it, an idle keep-alive connection also waits ``budget``, then is closed).
    """

    def __init__(self, raw: io.BufferedReader, sock: Any, budget: float) -> None:
        super().__init__()
        self._raw, self._sock, self._budget = raw, sock, budget
        self._deadline: float | None = None

    def next_request(self) -> None:
        """The next request's clock starts with its first byte."""
        self._deadline = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._sock.settimeout(self._budget)
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)

    def _started(self) -> None:
        if self._deadline is None:
            self._deadline = time.monotonic() + self._budget

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        out = bytearray()
        while limit < 0 or len(out) < limit:
            self._arm()
            ahead = self._raw.peek(1)  # at most one recv, under the deadline
            if not ahead:
                break
            self._started()
            room = len(ahead) if limit < 0 else min(len(ahead), limit - len(out))
            end = ahead.find(b"\n", 0, room)
            out += self._raw.read(room if end < 0 else end + 1)  # buffered: no recv
            if end >= 0:
                break
        return bytes(out)

    def read1(self, size: int = -1) -> bytes:
        self._arm()
        data = self._raw.read1(size)
        self._started()
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise ValueError("unbounded reads are not used on a request")
        out = bytearray()
        while len(out) < size:
            chunk = self.read1(size - len(out))
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def close(self) -> None:
        self._raw.close()
        super().close()


_MAX_LINE = 65536
"""http.server's longest request line (longer: 414)."""

_EMPTY_LINES = 8
"""How many empty lines before a request line are skipped."""


def _content_length(headers: Message, limit: int) -> int | Refusal:
    """The body's length from ``Content-Length``, or the refusal of a bad or huge one.

    Two different ``Content-Length`` values are refused (RFC 9112 §6.3): which one to
    believe is how requests are smuggled, and believing the larger one would wait for
    bytes that never come.

    >>> from email.message import Message
    >>> m = Message(); m["Content-Length"] = "2"; m["Content-Length"] = "5"
    >>> _content_length(m, 100).message
    'Invalid Content-Length header.'
    """
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return Refusal(400, "ERR006", "A request body must be sent with a Content-Length.")
    values = {v.strip() for v in headers.get_all("Content-Length") or []}
    if not values:
        return 0
    value = values.pop()
    if values or not re.fullmatch(r"[0-9]{1,20}", value):
        return Refusal(400, "ERR006", "Invalid Content-Length header.")
    length = int(value)
    if length > limit:
        return Refusal(
            400, "ERR006", f"The request body of {length} bytes exceeds the limit of {limit}."
        )
    return length
