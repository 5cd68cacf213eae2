"""An in-process MicroStrategy Library REST server for offline tests, over real HTTP.

It listens on 127.0.0.1 on a free port (stdlib ``http.server``, one thread per
connection, HTTP/1.1 keep-alive) and behaves as the documentation says:

* ``POST /api/auth/login`` answers 204 with the token in ``X-MSTR-AuthToken`` and sets
  the ``JSESSIONID`` and ``iSession`` cookies with the webapp's ``Path`` and ``Secure``;
  every later request needs the token **and** both cookies, or gets 401 ERR009
  (https://microstrategy.github.io/rest-api-docs/getting-started/authentication);
* project-scoped calls need ``X-MSTR-ProjectID``;
* report instances are created through the modeling service and deleted with
  ``X-MSTR-MS-Instance`` (seed 000); documents and dashboards have ``mid`` instances,
  ``linkingInfo.promptsAnswers`` XML, ``rePrompt`` and delete;
* ``PUT …/prompts/answers`` checks the answers against the prompts' definitions and
  refuses them with the server's own ERR006 messages; answered rounds open the next
  nested round; ``GET …/status`` answers 202 for a configurable number of polls;
* ``sqlView`` shows the answers it received, so a test can see that they arrived, and
  the data come in pages.

Faults can be injected (:meth:`ReferenceServer.fail`, :meth:`~ReferenceServer.slow`,
:meth:`~ReferenceServer.drop`, :meth:`~ReferenceServer.expire_sessions`) and every
request is recorded (:attr:`ReferenceServer.requests`).  Routes are a table of
``(method, pattern, handler)``, so new resources are one method and one line.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import definitions, rest, xml
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .catalog import PROJECT_ID, Served, demo_catalog
from .rules import server_problem

__all__ = [
    "Call",
    "Fault",
    "Recorded",
    "ReferenceServer",
    "Refusal",
    "Reply",
    "ServedInstance",
    "render_sql",
    "reply",
]

JSON = "application/json"

_STATE = frozenset({"lock", "sessions", "instances", "faults", "saved", "routes"})
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

    @property
    def status(self) -> int:
        """2 while a round has open prompts, else 1."""
        return 2 if self.open_prompts() else 1

    def open_prompts(self) -> list[dict[str, Any]]:
        """The current round's definitions not answered yet."""
        return [p for p in self.served.prompts(self.round) if p["key"] not in self.answered]


class Refusal(Exception):
    """Raised by a route handler: the server answers with this status and error body.

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

    def json(self) -> Any:
        """The body as JSON (None when empty); bad JSON is refused with 400 ERR006."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise Refusal(400, "ERR006", "The request body is not valid JSON.") from None

    def group(self, name: str) -> str:
        """A named group of the route's path pattern, percent-decoded."""
        return unquote(self.match.group(name))


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
        status_polls: int = 1,
        retry_after: str = "0",
        page_size: int = 1000,
        resolve_states: tuple[int, ...] = (8, 23),
        execute_states: tuple[int, ...] = (4, 5, 6, 7),
        instance_ttl: float | None = None,
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
        self.saved: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()
        self.sessions: dict[str, str] = {}  # token -> JSESSIONID
        self.instances: dict[str, ServedInstance] = {}
        self.faults: list[Fault] = []
        self._requests: list[Recorded] = []
        # Requests being handled: a slow one (an injected delay the client gave up on)
        # must not land in the next test's record, so fixtures wait for them (quiesce).
        self._in_flight = 0
        self._idle = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
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
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
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
        """The Library webapp root, e.g. ``http://127.0.0.1:PORT/MicroStrategyLibrary``."""
        return f"http://127.0.0.1:{self.port}{self.context}"

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
        (2, (4, 5, 6, 7))
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
        r = self.route
        r("POST", "/api/auth/login", auth=False, project=False)(self._login)
        r("POST", "/api/auth/logout", project=False)(self._logout)
        r("GET", f"/api/reports/{obj}/prompts")(self._object_prompts)
        r("GET", f"/api/documents/{obj}/prompts")(self._object_prompts)
        r("POST", f"/api/model/reports/{obj}/instances")(self._create_report_instance)
        r("DELETE", f"/api/model/reports/{obj}/instances", project=False)(
            self._delete_report_instance
        )
        for base in (rep, doc):
            r("GET", f"{base}/status")(self._status)
            r("GET", f"{base}/prompts")(self._prompts)
            r("PUT", f"{base}/prompts/answers")(self._answers)
            r("GET", rf"{base}/prompts/(?P<key>[^/]+)/elements")(self._elements)
            r("GET", rf"{base}/prompts/(?P<key>[^/]+)/objects")(self._objects)
        r("GET", r"/api/v2/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)/sqlView")(self._sql_view)
        r("GET", r"/api/v2/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)")(self._data)
        r("POST", f"/api/documents/{obj}/instances")(self._create_document_instance)
        r("POST", f"/api/dossiers/{obj}/instances")(self._create_document_instance)
        r("POST", f"{doc}/rePrompt")(self._reprompt)
        r("DELETE", doc)(self._delete_document_instance)
        from .datamarts import install_datamarts

        install_datamarts(self)

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        """Answer one request: ``(status, JSON body or None, extra headers)``."""
        matched_path = False
        for route_method, pattern, handler, auth, project in self.routes:
            match = pattern.match(path)
            if match is None:
                continue
            matched_path = True
            if route_method != method:
                continue
            try:
                if auth:
                    self._check_session(headers)
                if project and headers.get("x-mstr-projectid") != self.project_id:
                    raise Refusal(400, "ERR006", "Invalid or missing X-MSTR-ProjectID header.")
                return handler(Call(method, path, query, headers, body, match))
            except Refusal as refusal:
                error = {
                    "code": refusal.code,
                    "message": refusal.message,
                    "ticketId": uuid.uuid4().hex,
                }
                error.update(refusal.extra)
                return refusal.status, error, []
        if matched_path:
            return 405, {"code": "ERR001", "message": "HTTP 405 Method Not Allowed"}, []
        return 404, {"code": "ERR004", "message": "HTTP 404 Not Found"}, []

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
        try:
            mode = int(body.get("loginMode", 1))
        except (TypeError, ValueError):
            raise Refusal(400, "ERR006", "loginMode must be a number.") from None
        username = body.get("username")
        if mode in (1, 16):
            accepted = username in self.users and self.users[username] == body.get("password", "")
        elif mode == 8:
            accepted = self.anonymous
        elif mode == 4096:
            accepted = username in self.api_tokens
        else:
            accepted = False
        if not accepted:
            raise Refusal(401, "ERR003", "Login failure: wrong username or password.")
        token = secrets.token_hex(13)
        session = secrets.token_hex(16).upper()
        with self.lock:
            self.sessions[token] = session
        attributes = f"Path={self.context}; Secure; HttpOnly"
        return reply(
            204,
            None,
            ("X-MSTR-AuthToken", token),
            ("Set-Cookie", f"JSESSIONID={session}; {attributes}"),
            ("Set-Cookie", f"iSession={token}; {attributes}"),
        )

    def _logout(self, call: Call) -> Reply:
        with self.lock:
            self.sessions.pop(call.headers.get("x-mstr-authtoken", ""), None)
        return reply(204)

    # ------------------------------------------------------------ objects and instances

    def _served(self, oid: str, kinds: tuple[str, ...]) -> Served:
        served = self.catalog.get(oid)
        if served is None or served.kind not in kinds:
            raise Refusal(
                404, "ERR004", f"Object with ID '{oid}' and type {kinds[0]} is not found."
            )
        return served

    def _new_instance(self, served: Served, stage: str | None = None) -> ServedInstance:
        instance = ServedInstance(
            uuid.uuid4().hex.upper(), served, pending_polls=self.status_polls, stage=stage
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
        if instance is None or instance.served.id != call.group("oid"):
            raise Refusal(
                404,
                "ERR004",
                "Message not found in user history list.",
                iServerCode=-2147468986,
            )
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
        instance = self._new_instance(served, stage)
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
        linking = body.get("linkingInfo") or {}
        instance = self._new_instance(served)
        xml_text = linking.get("promptsAnswers") if isinstance(linking, dict) else None
        if xml_text:
            try:
                answers = xml.decode(xml_text)
                self._apply(instance, answers)
            except PromptAnswerError as exc:
                with self.lock:
                    self.instances.pop(instance.id, None)
                raise Refusal(400, "ERR006", str(exc)) from None
        return reply(201, {"id": served.id, "mid": instance.id, "status": instance.status})

    def _delete_document_instance(self, call: Call) -> Reply:
        instance = self._instance(call)
        with self.lock:
            self.instances.pop(instance.id, None)
        return reply(204)

    def _reprompt(self, call: Call) -> Reply:
        instance = self._instance(call)
        fresh = self._new_instance(instance.served)
        return reply(200, {"mid": fresh.id, "status": fresh.status})

    def _status(self, call: Call) -> Reply:
        instance = self._instance(call)
        with self.lock:
            if instance.pending_polls > 0:
                instance.pending_polls -= 1
                return reply(202, None, ("Retry-After", self.retry_after))
            return reply(200, {"status": self.current_status(instance)})

    def current_status(self, instance: ServedInstance) -> int:
        """The status a poll reports now: the next running state, or the real status."""
        with self.lock:
            if instance.schedule:
                return instance.schedule.pop(0)
            return instance.status

    def _prompts(self, call: Call) -> Reply:
        instance = self._instance(call)
        closed_items = [dict(item, closed=True) for item in instance.answered.values()]
        open_items = [dict(p, closed=False) for p in instance.open_prompts()]
        closed = call.param("closed")
        if closed == "false":
            return reply(200, open_items)
        return reply(200, closed_items + open_items)

    def _answers(self, call: Call) -> Reply:
        instance = self._instance(call)
        try:
            answers = rest.decode(call.body)
        except PromptAnswerError as exc:
            raise Refusal(400, "ERR006", str(exc)) from None
        self._apply(instance, answers)
        return reply(204)

    def _apply(self, instance: ServedInstance, answers: AnswerSet) -> None:
        """Check answers against the open prompts (first problem -> ERR006), then record them."""
        with self.lock:
            open_now = instance.open_prompts()
            problem = server_problem(answers, open_now, instance.served.elements)
            if problem is not None:
                raise Refusal(400, problem[0], problem[1])
            try:
                body = rest.encode(answers, ignore_locale=True)["prompts"]
            except PromptAnswerError as exc:
                raise Refusal(400, "ERR006", str(exc)) from None
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
        if limit > 200 or limit < 1 or offset < 0:
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

    def _data(self, call: Call) -> Reply:
        instance = self._instance(call)
        served = instance.served
        if instance.status == 2 or instance.schedule:
            # A poll like any other: the running states go by, then 2 (prompted).
            status = self.current_status(instance)
            if status != 1:
                return reply(200, {"id": served.id, "status": status, "instanceId": instance.id})
        offset = _int(call.param("offset"), 0)
        limit = _int(call.param("limit"), self.page_size)
        if limit < 1 or offset < 0:
            raise Refusal(400, "ERR006", "offset and limit must be positive.")
        rows = served.rows[offset : offset + limit]
        return reply(
            200,
            {
                "name": served.name,
                "id": served.id,
                "instanceId": instance.id,
                "status": 1,
                "definition": {
                    "grid": {
                        "rows": [{"name": "Row", "type": "attribute"}],
                        "columns": [
                            {
                                "name": "Metrics",
                                "type": "templateMetrics",
                                "elements": [{"name": "Revenue"}],
                            }
                        ],
                    }
                },
                "data": {
                    "paging": {
                        "total": len(served.rows),
                        "current": len(rows),
                        "offset": offset,
                        "limit": limit,
                    },
                    "headers": {"rows": [[offset + i] for i in range(len(rows))], "columns": [[0]]},
                    "metricValues": {
                        "raw": [[value] for _, value in rows],
                        "formatted": [[f"${value:,.2f}"] for _, value in rows],
                        "extras": [[{}] for _ in rows],
                    },
                    "rowNames": [name for name, _ in rows],
                },
            },
        )


def _fault_body(status: int) -> Any:
    """An injected failure's body: ERR009 for 401, none for 5xx (as real proxies answer)."""
    if status == 401:
        return {
            "code": "ERR009",
            "message": "The user's session has expired, please reauthenticate",
        }
    if status >= 500:
        return None
    return {"code": "ERR001", "message": f"Injected HTTP {status}."}


def _answer_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in ("answers", "useDefault")}


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise Refusal(400, "ERR006", f"'{text}' is not a number.") from None


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

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    app: ReferenceServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, each
    # keep-alive response would wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server_version = "mstr-prompts-reference/1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _serve(self) -> None:
        app = self.app
        parts = urlsplit(self.path)
        length = _int_header(self.headers.get("Content-Length"))
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        inner = path[len(app.context) :] if path.startswith(app.context + "/") else None
        fault = app._take_fault(self.command, inner or path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            app._record(Recorded(self.command, inner or path, query, headers, body, 0))
            self.close_connection = True
            return
        if fault is not None and fault.status is not None:
            extra = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
            status, reply = fault.status, _fault_body(fault.status)
        elif inner is None:
            status, reply, extra = 404, None, []
        else:
            status, reply, extra = app.handle(self.command, inner, query, headers, body)
        app._record(Recorded(self.command, inner or path, query, headers, body, status))
        data = b"" if reply is None or status == 204 else json.dumps(reply).encode()
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _counted(self) -> None:
        self.app._enter()
        try:
            self._serve()
        finally:
            self.app._leave()

    do_GET = do_POST = do_PUT = do_DELETE = _counted


def _int_header(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0
