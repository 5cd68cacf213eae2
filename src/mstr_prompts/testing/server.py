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
``(method, pattern, handler)``, so new resources are one method and one line.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import secrets
import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import definitions, rest, xml
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .catalog import PROJECT_ID, Served, demo_catalog
from .rules import server_problem

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

JSON = "application/json"

_DONE = frozenset({1, 2, 3})
"""The statuses a job ends in: ready, prompted, failed (EnumDSSXMLStatus)."""

E_FAIL = -2147467259
"""The I-Server's "unspecified error" (HRESULT 0x80004005): the ``iServerCode`` of a
refusal for which the documentation shows no code of its own."""

MESSAGE_NOT_FOUND = (
    "(Message not found in user history list. It may have been deleted from other session "
    "already. Please refresh your history list.)"
)
"""The documented 404 ERR004 (iServerCode -2147468986) of an instance this session cannot
see: https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-execution-errors"""

_STATE = frozenset(
    {
        "lock",
        "sessions",
        "session_users",
        "session_owners",
        "instances",
        "faults",
        "saved",
        "routes",
    }
)
"""The server's live state: what :meth:`ReferenceServer.reset` clears rather than restores."""


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it, and the status it answered (0: dropped).

    ``headers`` has lower-case names; ``query`` maps each name to its values.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def line(self) -> str:
        """``"METHOD /path"`` without the webapp prefix, e.g. ``"GET /api/x"``."""
        return f"{self.method} {self.path}"

    def json(self) -> Any:
        """The request body as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None


@dataclass
class Fault:
    """A misbehaviour for the next ``times`` matching requests.

    ``status`` answers with that HTTP status (and ``Retry-After`` if given); ``delay``
    waits that many seconds first; ``drop`` closes the connection without a response.
    ``method`` and ``path`` (a regular expression searched in the path) select requests.
    """

    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    method: str | None = None
    path: str | None = None
    retry_after: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Does this fault apply to the request?"""
        if self.times <= 0 or (self.method is not None and self.method != method):
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class ServedInstance:
    """One live instance: its object, its round, and the answers it has received."""

    id: str
    served: Served
    round: int = 0
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_polls: int = 0
    stage: str | None = None
    schedule: list[int] = field(default_factory=list)
    """Running states (EnumDSSXMLStatus) the status reports, one per poll, before the real one."""
    asynchronous: bool = False
    touched: float = field(default_factory=time.monotonic)
    job_id: str | None = None
    owner: tuple[str, str] | None = None
    """Whose session created it (:meth:`ReferenceServer.owner_of`); another user's
    sessions cannot see it."""

    @property
    def status(self) -> int:
        """2 while a round has open prompts, else 1."""
        return 2 if self.open_prompts() else 1

    def open_prompts(self) -> list[dict[str, Any]]:
        """The current round's definitions not answered yet."""
        return [p for p in self.served.prompts(self.round) if p["key"] not in self.answered]


class Refusal(Exception):
    """Raised by a route handler: the server answers with this status and error body.

    The body is MicroStrategy's error shape, ``{"code", "message", "ticketId",
    "iServerCode"}`` (https://microstrategy.github.io/rest-api-docs/getting-started/handle-rest-api-exceptions);
    ``extra`` adds or overrides fields (``iServerCode`` is E_FAIL unless given).

    >>> Refusal(404, "ERR004", "Not found").status
    404
    """

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


Reply = tuple[int, Any, list[tuple[str, str]]]
"""A handler's answer: status, JSON body (None for none) and extra headers."""

Handler = Callable[["Call"], Reply]


@dataclass
class Call:
    """One request as a route handler sees it: path groups, query, lower-case headers, body.

    >>> c = Call("GET", "/api/x", {"limit": ["5"]}, {}, b"", re.match("(?P<oid>x)", "x"))
    >>> c.param("limit"), c.group("oid"), c.json()
    ('5', 'x', None)
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    match: re.Match[str]

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def token(self) -> str:
        """The ``X-MSTR-AuthToken`` of the request ("" without one).

        >>> Call("GET", "/x", {}, {"x-mstr-authtoken": "t"}, b"", re.match("", "")).token
        't'
        """
        return self.headers.get("x-mstr-authtoken", "")

    def flag(self, name: str) -> bool | None:
        """A boolean query parameter read as Java reads it: ``true`` in any case is true.

        None when absent; any other value is false (``Boolean.parseBoolean``), so
        ``closed=False``, as ``requests`` writes a Python ``False``, is false.

        >>> c = Call("GET", "/x", {"closed": ["False"], "a": ["TRUE"]}, {}, b"", re.match("", ""))
        >>> c.flag("closed"), c.flag("a"), c.flag("b")
        (False, True, None)
        """
        value = self.param(name)
        return None if value is None else value.strip().lower() == "true"

    def json(self) -> Any:
        """The body as JSON (None when empty); bad JSON is refused with 400 ERR006."""
        return parse_json(self.body)

    def group(self, name: str) -> str:
        """A named group of the route's path pattern, percent-decoded."""
        return unquote(self.match.group(name))


def parse_json(body: bytes) -> Any:
    """A request body as JSON, or a 400 ERR006 :class:`Refusal` as the server words it.

    Too deep a nesting, ``NaN``/``Infinity`` and text that is not UTF-8 are refused like
    any malformed JSON (the server's parser, Jackson, refuses them too).

    >>> parse_json(b'{"a": 1}')
    {'a': 1}
    >>> parse_json(b"[" * 100000)
    Traceback (most recent call last):
    ...
    mstr_prompts.testing.server.Refusal: Malformed JSON in the request body: nesting too deep.
    """
    if not body.strip():
        return None
    try:
        return json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        reason = "nesting too deep"
    except UnicodeDecodeError:
        reason = "the body is not UTF-8"
    except ValueError as exc:
        reason = str(exc).split(":", 1)[0].lower()
    raise Refusal(400, "ERR006", f"Malformed JSON in the request body: {reason}.")


def _no_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


def reply(status: int = 200, body: Any = None, *headers: tuple[str, str]) -> Reply:
    """A handler's answer.

    >>> reply(202, None, ("Retry-After", "1"))
    (202, None, [('Retry-After', '1')])
    """
    return status, body, list(headers)


class ReferenceServer:
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

    def __init__(
        self,
        catalog: Mapping[str, Served] | None = None,
        *,
        project_id: str = PROJECT_ID,
        users: Mapping[str, str] | None = None,
        api_tokens: tuple[str, ...] = (),
        anonymous: bool = True,
        context: str = "/MicroStrategyLibrary",
        status_polls: int = 0,
        retry_after: str = "0",
        page_size: int = 1000,
        resolve_states: tuple[int, ...] = (),
        execute_states: tuple[int, ...] = (),
        instance_ttl: float | None = None,
        tls: bool = False,
        port: int = 0,
        secure_cookies: bool | None = None,
        status_walk: bool = False,
        max_body: int = 8 * 1024 * 1024,
        request_timeout: float = 30.0,
        max_recorded: int | None = None,
        iserver_version: str = "11.3.0000.15868",
        web_version: str = "11.3.0000.14308J",
    ) -> None:
        self.catalog: dict[str, Served] = dict(catalog if catalog is not None else demo_catalog())
        self.project_id = project_id
        self.users = dict(users if users is not None else {"user": "password"})
        self.api_tokens = set(api_tokens)
        self.anonymous = anonymous
        self.context = context.rstrip("/")
        self.status_polls = status_polls
        self.retry_after = retry_after
        self.page_size = page_size
        self.resolve_states = resolve_states
        self.execute_states = execute_states
        self.instance_ttl = instance_ttl
        self.tls = tls
        self.requested_port = port
        self.secure_cookies = secure_cookies
        self.status_walk = status_walk
        self.max_body = max_body
        self.request_timeout = request_timeout
        self.max_recorded = max_recorded
        self.iserver_version = iserver_version
        self.web_version = web_version
        self.saved: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()
        self.sessions: dict[str, str] = {}  # token -> JSESSIONID
        self.session_users: dict[str, str] = {}  # token -> user name
        # token -> whose instances it sees: a kind of login and a name, so that the
        # anonymous guest or an API token never shares a working set with a user who
        # happens to be called "guest" or "api-token:x".
        self.session_owners: dict[str, tuple[str, str]] = {}
        self.instances: dict[str, ServedInstance] = {}
        self.faults: list[Fault] = []
        self._requests: deque[Recorded] = deque()
        # Requests being handled: a slow one (an injected delay the client gave up on)
        # must not land in the next test's record, so fixtures wait for them (quiesce).
        self._in_flight = 0
        self._idle = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
        self._ssl_context: ssl.SSLContext | None = None
        self._ca_path: str | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._thread: threading.Thread | None = None
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool, bool]] = []
        self._install_routes()
        # Every public attribute set so far that is not live state is a knob; reset()
        # restores them all, so that a knob added later is reset without naming it.
        self._knobs = {
            name: copy.deepcopy(value)
            for name, value in vars(self).items()
            if not name.startswith("_") and name not in _STATE
        }

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

    @property
    def cookies_secure(self) -> bool:
        """Whether login cookies carry ``Secure``: over https, unless ``secure_cookies`` says.

        >>> ReferenceServer().cookies_secure, ReferenceServer(secure_cookies=True).cookies_secure
        (False, True)
        """
        return self.tls if self.secure_cookies is None else self.secure_cookies

    # ------------------------------------------------------------ test controls

    @property
    def requests(self) -> list[Recorded]:
        """A copy of every request recorded so far, in arrival order."""
        with self.lock:
            return list(self._requests)

    def quiesce(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being handled; False if ``timeout`` ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def _enter(self) -> None:
        with self._idle:
            self._in_flight += 1

    def _leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    def clear(self) -> None:
        """Forget recorded requests and pending faults (sessions and instances stay)."""
        with self.lock:
            self._requests.clear()
            self.faults.clear()

    def reset(self) -> None:
        """Back to the state just after construction, sessions aside.

        Recorded requests, faults, instances and saved objects are forgotten, and every
        setting (``status_polls``, ``retry_after``, ``execute_states``,
        ``instance_ttl``, the catalog, the users, …) gets its constructor value again.
        Sessions stay, so that connected clients go on.

        >>> server = ReferenceServer(status_polls=2)
        >>> server.status_polls, server.execute_states = 0, (5,)
        >>> server.reset(); server.status_polls, server.execute_states
        (2, ())
        """
        with self.lock:
            self._requests.clear()
            self.faults.clear()
            self.instances.clear()
            self.saved.clear()
            for name, value in self._knobs.items():
                setattr(self, name, copy.deepcopy(value))

    def inject(self, fault: Fault) -> Fault:
        """Add a fault; it applies to the next ``fault.times`` matching requests."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def fail(
        self,
        status: int = 503,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (a 5xx burst)."""
        return self.inject(
            Fault(status=status, times=times, method=method, path=path, retry_after=retry_after)
        )

    def slow(
        self, seconds: float, *, times: int = 1, method: str | None = None, path: str | None = None
    ) -> Fault:
        """Delay the next ``times`` matching responses by ``seconds``."""
        return self.inject(Fault(delay=seconds, times=times, method=method, path=path))

    def drop(self, *, times: int = 1, method: str | None = None, path: str | None = None) -> Fault:
        """Close the connection instead of answering the next ``times`` matching requests."""
        return self.inject(Fault(drop=True, times=times, method=method, path=path))

    def expire_sessions(self) -> None:
        """End every session: the next request of each client gets 401 ERR009."""
        with self.lock:
            # session_users and session_owners stay: a request already past the session check still
            # acts as its user (the instance is not "another user's" mid-request).
            self.sessions.clear()

    def live_instances(self) -> list[str]:
        """IDs of instances not deleted yet (nor expired)."""
        with self.lock:
            self._expire()
            return list(self.instances)

    def expire_instances(self) -> None:
        """Drop every instance now, as the server does when they time out."""
        with self.lock:
            self.instances.clear()

    def _expire(self) -> None:
        if self.instance_ttl is None:
            return
        oldest = time.monotonic() - self.instance_ttl
        for iid in [i.id for i in self.instances.values() if i.touched < oldest]:
            del self.instances[iid]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _record(self, entry: Recorded) -> None:
        with self.lock:
            self._requests.append(entry)
            # A server left running (python -m) keeps only the latest requests: bodies
            # of up to max_body each must not pile up for ever.
            while self.max_recorded is not None and len(self._requests) > self.max_recorded:
                self._requests.popleft()

    # ------------------------------------------------------------ routing

    def route(
        self, method: str, pattern: str, *, auth: bool = True, project: bool = True
    ) -> Callable[[Handler], Handler]:
        """Register ``handler`` for ``method`` and a path pattern (named groups are IDs)."""

        def register(handler: Handler) -> Handler:
            self.routes.append((method, re.compile(f"^{pattern}$"), handler, auth, project))
            return handler

        return register

    def _install_routes(self) -> None:
        obj = r"(?P<oid>[^/]+)"
        rep = r"/api/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
        doc = r"/api/documents/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
        dossier = r"/api/dossiers/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
        r = self.route
        r("POST", "/api/auth/login", auth=False, project=False)(self._login)
        r("POST", "/api/auth/logout", project=False)(self._logout)
        r("GET", f"/api/reports/{obj}/prompts")(self._object_prompts)
        r("GET", f"/api/documents/{obj}/prompts")(self._object_prompts)
        r("POST", f"/api/model/reports/{obj}/instances")(self._create_report_instance)
        r("DELETE", f"/api/model/reports/{obj}/instances", project=False)(
            self._delete_report_instance
        )
        for base in (rep, doc, dossier):
            r("GET", f"{base}/status")(self._status)
            r("GET", f"{base}/prompts")(self._prompts)
            r("PUT", f"{base}/prompts/answers")(self._answers)
            r("GET", rf"{base}/prompts/(?P<key>[^/]+)/elements")(self._elements)
            r("GET", rf"{base}/prompts/(?P<key>[^/]+)/objects")(self._objects)
        # "Answer prompts": documents and dashboards also take POST …/prompts/answers
        # (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-types/object-prompts)
        r("POST", f"{doc}/prompts/answers")(self._answers)
        r("POST", f"{dossier}/prompts/answers")(self._answers)
        r("GET", r"/api/v2/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)/sqlView")(self._sql_view)
        r("POST", f"/api/documents/{obj}/instances")(self._create_document_instance)
        r("POST", f"/api/dossiers/{obj}/instances")(self._create_document_instance)
        for base in (doc, dossier):
            r("POST", f"{base}/rePrompt")(self._reprompt)
            r("DELETE", base)(self._delete_document_instance)
        from .analytics import install_analytics
        from .datamarts import install_datamarts

        install_datamarts(self)
        install_analytics(self)

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        """Answer one request: ``(status, JSON body or None, extra headers)``."""
        allowed: list[str] = []
        for route_method, pattern, handler, auth, project in self.routes:
            match = pattern.match(path)
            if match is None:
                continue
            allowed.append(route_method)
            if route_method != method:
                continue
            try:
                if auth:
                    self._check_session(headers)
                given = headers.get("x-mstr-projectid")
                # An instance already names its project: calls on one may leave the
                # header out (the official SDK sends none on document instances).
                optional = "iid" in pattern.groupindex
                if project and given != self.project_id and not (given is None and optional):
                    raise Refusal(400, "ERR006", "Invalid or missing X-MSTR-ProjectID header.")
                return handler(Call(method, path, query, headers, body, match))
            except Refusal as refusal:
                return refusal.status, error_body(refusal), []
            except (
                TypeError,
                ValueError,
                KeyError,
                IndexError,
                AttributeError,
                OverflowError,
                RecursionError,
            ):
                # A request shape no handler foresaw: the server answers 400 in its own
                # shape rather than a traceback or a dropped connection.
                unforeseen = Refusal(400, "ERR006", "The request is not valid for this endpoint.")
                return 400, error_body(unforeseen), []
            except Exception:  # a bug of ours: still the server's shape, never a traceback
                internal = Refusal(500, "ERR001", "Internal server error.")
                return 500, error_body(internal), []
        if allowed:
            # RFC 9110 §15.5.6: a 405 lists the methods the resource has.
            allow = ("Allow", ", ".join(sorted(set(allowed))))
            return 405, error_body(Refusal(405, "ERR001", "HTTP 405 Method Not Allowed")), [allow]
        return 404, error_body(Refusal(404, "ERR004", "HTTP 404 Not Found")), []

    # ------------------------------------------------------------ auth

    def _check_session(self, headers: Mapping[str, str]) -> None:
        token = headers.get("x-mstr-authtoken")
        cookies = _cookies(headers.get("cookie", ""))
        with self.lock:
            session = self.sessions.get(token or "")
        if (
            token is None
            or session is None
            or cookies.get("JSESSIONID") != session
            or cookies.get("iSession") != token
        ):
            raise Refusal(401, "ERR009", "The user's session has expired, please reauthenticate")

    def _login(self, call: Call) -> Reply:
        content_type = call.headers.get("content-type", "")
        if "json" in content_type or call.body.strip().startswith(b"{"):
            body = call.json()
        else:
            body = {k: v[0] for k, v in parse_qs(call.body.decode(errors="replace")).items()}
        if not isinstance(body, dict):
            raise Refusal(400, "ERR006", "The login body must be a JSON object.")
        mode = _login_mode(body.get("loginMode", 1))
        username, password = body.get("username"), body.get("password", "")
        for name, value in (("username", username), ("password", password)):
            if value is not None and not isinstance(value, str):
                raise Refusal(400, "ERR006", f"Invalid value for '{name}': a string is expected.")
        if mode in (1, 16):
            accepted = (
                isinstance(username, str)
                and username in self.users
                and self.users[username] == password
            )
        elif mode == 8:
            accepted = self.anonymous
        elif mode == 4096:
            accepted = isinstance(username, str) and username in self.api_tokens
        else:
            accepted = False
        if not accepted:
            raise Refusal(401, "ERR003", "Login failure: wrong username or password.")
        token = secrets.token_hex(13)
        session = secrets.token_hex(16).upper()
        with self.lock:
            self.sessions[token] = session
            # Whose instances this session sees: the user's, the API token's, or the guest's.
            if mode in (1, 16) and isinstance(username, str):
                self.session_users[token] = username
                self.session_owners[token] = ("user", username)
            elif mode == 4096:
                self.session_users[token] = f"api-token:{username}"
                self.session_owners[token] = ("api-token", str(username))
            else:
                self.session_users[token] = "guest"
                self.session_owners[token] = ("guest", "")
        # RFC 6265 §4.1.2.5: a Secure cookie goes back over https only, so a webapp
        # served over plain http cannot set one that a standard cookie jar returns.
        secure = "Secure; " if self.cookies_secure else ""
        attributes = f"Path={self.context}; {secure}HttpOnly"
        return reply(
            204,
            None,
            ("X-MSTR-AuthToken", token),
            ("Set-Cookie", f"JSESSIONID={session}; {attributes}"),
            ("Set-Cookie", f"iSession={token}; {attributes}"),
        )

    def _logout(self, call: Call) -> Reply:
        with self.lock:
            self.sessions.pop(call.token, None)
            self.session_users.pop(call.token, None)
            self.session_owners.pop(call.token, None)
        return reply(204)

    def user_of(self, call: Call) -> str | None:
        """The user name behind the request's session (None without a session).

        >>> server = ReferenceServer()
        >>> server.user_of(Call("GET", "/x", {}, {}, b"", re.match("", ""))) is None
        True
        """
        with self.lock:
            return self.session_users.get(call.token)

    def owner_of(self, call: Call) -> tuple[str, str] | None:
        """Whose instances the request's session sees: ``(kind, name)``, None without one.

        The kind is ``"user"`` (standard and LDAP logins), ``"api-token"`` or ``"guest"``.

        >>> server = ReferenceServer()
        >>> server.owner_of(Call("GET", "/x", {}, {}, b"", re.match("", ""))) is None
        True
        """
        with self.lock:
            return self.session_owners.get(call.token)

    # ------------------------------------------------------------ objects and instances

    def _served(self, oid: str, kinds: tuple[str, ...]) -> Served:
        served = self.catalog.get(oid)
        if served is None or served.kind not in kinds:
            raise Refusal(
                404, "ERR004", f"Object with ID '{oid}' and type {kinds[0]} is not found."
            )
        return served

    def _new_instance(
        self,
        served: Served,
        stage: str | None = None,
        owner: tuple[str, str] | None = None,
    ) -> ServedInstance:
        instance = ServedInstance(
            uuid.uuid4().hex.upper(),
            served,
            pending_polls=self.status_polls,
            stage=stage,
            owner=owner,
        )
        with self.lock:
            self.instances[instance.id] = instance
        return instance

    def _instance(self, call: Call, iid: str | None = None) -> ServedInstance:
        iid = iid if iid is not None else call.group("iid")
        with self.lock:
            self._expire()
            instance = self.instances.get(iid)
            if instance is not None:
                instance.touched = time.monotonic()
        # An instance lives in its user's working set: another user's session does not
        # find it, exactly as it does not find a deleted one.
        foreign = instance is not None and instance.owner not in (None, self.owner_of(call))
        if instance is None or foreign or instance.served.id != call.group("oid"):
            raise Refusal(404, "ERR004", MESSAGE_NOT_FOUND, iServerCode=-2147468986)
        return instance

    def _object_prompts(self, call: Call) -> Reply:
        served = self.catalog.get(call.group("oid"))
        if served is None:
            raise Refusal(404, "ERR004", "Object not found.")
        return reply(200, served.prompts(0))

    def _create_report_instance(self, call: Call) -> Reply:
        served = self._served(call.group("oid"), ("report",))
        stage = call.param("executionStage") or "resolve_prompts"
        if stage not in ("resolve_prompts", "execute_data", "no_action"):
            raise Refusal(400, "ERR006", f"Invalid executionStage '{stage}'.")
        instance = self._new_instance(served, stage, self.owner_of(call))
        if "respond-async" in call.headers.get("prefer", "").lower():
            # Asynchronous creation: 202 with the instance, which then runs through
            # the running states before it is prompted (2) or ready (1).
            self.run_async(instance)
            return reply(202, {"id": instance.id}, ("X-MSTR-MS-Instance", instance.id))
        return reply(201, {"id": instance.id})

    def run_async(self, instance: ServedInstance) -> None:
        """Make ``instance`` run: resolving states before a prompt, executing ones before 1."""
        with self.lock:
            instance.asynchronous = True
            prompted = instance.status == 2
            instance.schedule = list(self.resolve_states if prompted else self.execute_states)

    def _delete_report_instance(self, call: Call) -> Reply:
        iid = call.headers.get("x-mstr-ms-instance")
        if not iid:
            raise Refusal(400, "ERR006", "The X-MSTR-MS-Instance header is required.")
        self._instance(call, iid)
        with self.lock:
            self.instances.pop(iid, None)
        return reply(204)

    def _create_document_instance(self, call: Call) -> Reply:
        kind = "dossier" if call.path.startswith("/api/dossiers/") else "document"
        served = self._served(call.group("oid"), (kind, "document", "dossier"))
        body = call.json() or {}
        if not isinstance(body, dict):
            raise Refusal(400, "ERR006", "The request body must be a JSON object.")
        linking = body.get("linkingInfo")
        if linking is None:
            linking = {}
        if not isinstance(linking, dict):
            # As the server's JSON binding refuses it: linkingInfo is an object.
            raise Refusal(400, "ERR006", "linkingInfo must be a JSON object.")
        instance = self._new_instance(served, owner=self.owner_of(call))
        xml_text = linking.get("promptsAnswers")
        if xml_text:
            try:
                if not isinstance(xml_text, str):
                    raise Refusal(400, "ERR006", "linkingInfo.promptsAnswers must be a string.")
                try:
                    answers = xml.decode(xml_text)
                except PromptAnswerError:
                    raise Refusal(
                        400, "ERR006", "The prompt answers XML in linkingInfo is not valid."
                    ) from None
                self._apply(instance, answers)
            except Refusal:
                # A refused creation leaves nothing behind.
                with self.lock:
                    self.instances.pop(instance.id, None)
                raise
        return reply(201, {"id": served.id, "mid": instance.id, "status": instance.status})

    def _delete_document_instance(self, call: Call) -> Reply:
        instance = self._instance(call)
        with self.lock:
            self.instances.pop(instance.id, None)
        return reply(204)

    def _reprompt(self, call: Call) -> Reply:
        instance = self._instance(call)
        fresh = self._new_instance(instance.served, owner=instance.owner)
        return reply(200, {"mid": fresh.id, "status": fresh.status})

    def _status(self, call: Call) -> Reply:
        instance = self._instance(call)
        with self.lock:
            if instance.pending_polls > 0:
                instance.pending_polls -= 1
                return reply(202, None, ("Retry-After", self.retry_after))
            if instance.schedule and not self.status_walk and instance.schedule[0] not in _DONE:
                # Still running: 202 and when to come back, as MicroStrategy's SDK reads
                # it (200 means ready, prompted or failed); the state goes by unseen.
                instance.schedule.pop(0)
                return reply(202, None, ("Retry-After", self.retry_after))
            # The datamart execution sample's shape, {id, status, instanceId}: the SDK
            # takes the instance ID from whichever reply ends its wait.
            status = self.current_status(instance)
            body = {"id": instance.served.id, "status": status, "instanceId": instance.id}
            return reply(200, body)

    def finish(self, instance: ServedInstance) -> None:
        """Run ``instance`` to its end now, as a synchronous request waits for it.

        >>> from mstr_prompts.testing.catalog import Served
        >>> instance = ServedInstance("I", Served("R", "r"), schedule=[4, 5], pending_polls=1)
        >>> ReferenceServer().finish(instance); instance.schedule, instance.pending_polls
        ([], 0)
        """
        with self.lock:
            # A failure (3) on the way is where the run ends.
            ends = [s for s in instance.schedule if s in _DONE][:1]
            instance.schedule[:] = ends
            instance.pending_polls = 0

    def current_status(self, instance: ServedInstance) -> int:
        """The status a poll reports now: the next running state, or the real status."""
        with self.lock:
            if instance.schedule == [3]:
                return 3  # a failed job stays failed
            if instance.schedule:
                return instance.schedule.pop(0)
            return instance.status

    def _prompts(self, call: Call) -> Reply:
        instance = self._instance(call)
        closed_items = [dict(item, closed=True) for item in instance.answered.values()]
        open_items = [dict(p, closed=False) for p in instance.open_prompts()]
        if call.flag("closed") is False:
            return reply(200, open_items)
        return reply(200, closed_items + open_items)

    def _answers(self, call: Call) -> Reply:
        from .reading import read_answers

        instance = self._instance(call)
        with self.lock:
            known = instance.open_prompts() + list(instance.answered.values())
        self._apply(instance, read_answers(call.json(), known, instance.served.objects))
        return reply(204)

    def _apply(self, instance: ServedInstance, answers: AnswerSet) -> None:
        """Check answers against the open prompts (first problem -> ERR006), then record them."""
        with self.lock:
            open_now = instance.open_prompts()
            served = instance.served
            problem = server_problem(answers, open_now, served.elements, served.objects)
            if problem is not None:
                raise Refusal(400, problem[0], problem[1])
            try:
                body = rest.encode(answers, ignore_locale=True)["prompts"]
            except PromptAnswerError:
                raise Refusal(400, "ERR006", "The prompt answers are not valid.") from None
            defs = definitions.decode(open_now)
            for answer, item in zip(answers, body, strict=True):
                found = defs.find(answer.prompt)
                assert found is not None and found.key is not None  # server_problem found it
                definition = next(p for p in open_now if p["key"] == found.key)
                instance.answered[found.key] = dict(definition, **_answer_fields(item))
            if not instance.open_prompts():
                instance.round += 1
            instance.pending_polls = self.status_polls
            if instance.asynchronous:
                self.run_async(instance)

    def _look_up(
        self, call: Call, table: dict[str, list[dict[str, Any]]], field_name: str
    ) -> Reply:
        instance = self._instance(call)
        key = call.group("key")
        items = table.get(key)
        if items is None:
            # The identifier may be the prompt's ID instead of its key.
            items = next((v for k, v in table.items() if k.split("@")[0] == key), None)
        if items is None:
            raise Refusal(
                404, "ERR004", f"Prompt '{key}' of {instance.served.id} has no {field_name}."
            )
        pattern = (call.param("searchPattern") or "").lower()
        chosen = [i for i in items if pattern in str(i.get("name", "")).lower()]
        offset, limit = _int(call.param("offset"), 0), _int(call.param("limit"), 100)
        if offset < 0:
            raise Refusal(400, "ERR006", "offset must not be negative.")
        if limit > 200 or limit < 1:
            raise Refusal(400, "ERR006", "limit must be between 1 and 200.")
        return reply(200, {field_name: chosen[offset : offset + limit], "totalSize": len(chosen)})

    def _elements(self, call: Call) -> Reply:
        served = self.catalog.get(call.group("oid"))
        return self._look_up(call, served.elements if served else {}, "elements")

    def _objects(self, call: Call) -> Reply:
        served = self.catalog.get(call.group("oid"))
        return self._look_up(call, served.objects if served else {}, "objects")

    def _sql_view(self, call: Call) -> Reply:
        instance = self._instance(call)
        if instance.status != 1:
            raise Refusal(400, "ERR006", "The report instance still has unanswered prompts.")
        return reply(200, {"sqlStatement": render_sql(instance)})


def error_body(refusal: Refusal) -> dict[str, Any]:
    """MicroStrategy's error body for a refusal: ``code``, ``message``, ``ticketId``, ``iServerCode``.

    >>> sorted(error_body(Refusal(400, "ERR006", "Bad.")))
    ['code', 'iServerCode', 'message', 'ticketId']
    """
    body: dict[str, Any] = {
        "code": refusal.code,
        "message": refusal.message,
        "ticketId": uuid.uuid4().hex,
        "iServerCode": E_FAIL,
    }
    body.update(refusal.extra)
    return body


def _fault_body(status: int) -> Any:
    """An injected failure's body: ERR009 for 401, none for 5xx (as real proxies answer)."""
    if status == 401:
        return error_body(
            Refusal(401, "ERR009", "The user's session has expired, please reauthenticate")
        )
    if status >= 500:
        return None
    return error_body(Refusal(status, "ERR001", f"Injected HTTP {status}."))


def _answer_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in ("answers", "useDefault")}


def _login_mode(value: Any) -> int:
    """``loginMode`` as a number or a numeric string (PBI sends ``"1"``); else 400."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,10}", value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise Refusal(400, "ERR006", "Invalid value for 'loginMode': an integer is expected.")
    return value


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    if not re.fullmatch(r"-?[0-9]{1,9}", text.strip()):
        raise Refusal(400, "ERR006", f"'{text[:40]}' is not a number.")
    return int(text)


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out


def _shown(item: dict[str, Any]) -> str:
    """An answer as SQL text: element names or IDs, object IDs, values, or the default."""
    answers = item.get("defaultAnswer", []) if item.get("useDefault") else item.get("answers", [])
    if not isinstance(answers, list):
        answers = [answers]
    texts = []
    for a in answers:
        if isinstance(a, dict):
            texts.append(str(a.get("name") or a.get("id") or a.get("xml") or json.dumps(a)))
        else:
            texts.append(str(a))
    return ", ".join("'" + t.replace("'", "''") + "'" for t in texts)


def render_sql(instance: ServedInstance) -> str:
    """The SQL of an answered instance: one condition per answer, as received.

    >>> from mstr_prompts.testing.catalog import Served
    >>> i = ServedInstance("I", Served("R", "r", table="T"))
    >>> i.answered["K@0@10"] = {"key": "K@0@10", "name": "Year", "answers": "2015"}
    >>> print(render_sql(i))
    select a11.*
    from T a11
    where a11.[Year] in ('2015') /* K@0@10 */
    """
    lines = ["select a11.*", f"from {instance.served.table} a11"]
    conditions = [
        f"a11.[{item.get('name', key)}] in ({_shown(item)}) /* {key} */"
        for key, item in instance.answered.items()
    ]
    if conditions:
        lines.append("where " + "\n  and ".join(conditions))
    return "\n".join(lines)


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
            app._record(Recorded(self.command, inner or path, query, headers, body, length.status))
            self.close_connection = True
            self._send(length.status, error_body(length), [])
            return
        fault = app._take_fault(self.command, inner or path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            app._record(Recorded(self.command, inner or path, query, headers, body, 0))
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
        app._record(Recorded(self.command, inner or path, query, headers, body, status))
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
        self.app._enter()
        try:
            self._serve()
        finally:
            self.app._leave()

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
