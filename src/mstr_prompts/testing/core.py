"""The reference server's core: its settings, its live state and the rules every route shares.

:class:`ServerCore` holds what a MicroStrategy Library server remembers (sessions,
instances, saved objects), the test controls (recorded requests, injected faults,
:meth:`~ServerCore.reset`), the route table and its dispatch, and the operations the
route modules build on: finding a served object (:meth:`~ServerCore.served_object`), an
instance as a session sees it (:meth:`~ServerCore.instance_for`), making and dropping
instances, and checking and recording answers (:meth:`~ServerCore.apply_answers`).

The route modules (:mod:`.routes`, :mod:`.analytics`, :mod:`.datamarts`) take a core and
register their handlers on it; :class:`~mstr_prompts.testing.ReferenceServer` is a core
that serves them over HTTP and installs them all.  No module here imports the server.
"""

from __future__ import annotations

import contextlib
import copy
import re
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import definitions, rest
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .catalog import PROJECT_ID, Served, demo_catalog
from .rules import server_problem
from .wire import (
    DONE,
    MESSAGE_NOT_FOUND,
    Call,
    Fault,
    Handler,
    Recorded,
    Refusal,
    Reply,
    ServedInstance,
    error_body,
)

__all__ = ["ServerCore"]

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
"""The server's live state: what :meth:`ServerCore.reset` clears rather than restores."""


class ServerCore:
    """What the reference server knows and does, without HTTP: settings, state, routes.

    The arguments are :class:`~mstr_prompts.testing.ReferenceServer`'s (see there); the
    HTTP ones (``tls``, ``port``, ``secure_cookies``, ``max_body``, ``request_timeout``,
    ``max_recorded``) are kept here as settings the HTTP layer reads.  A core has no
    routes of its own: :meth:`install_routes` is where a server adds them.

    >>> core = ServerCore()
    >>> core.handle("GET", "/api/nothing", {}, {}, b"")[0]
    404
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
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool, bool]] = []
        self.install_routes()
        # Every public attribute set so far that is not live state is a knob; reset()
        # restores them all, so that a knob added later is reset without naming it.
        self._knobs = {
            name: copy.deepcopy(value)
            for name, value in vars(self).items()
            if not name.startswith("_") and name not in _STATE
        }

    def install_routes(self) -> None:
        """Register the routes (the constructor calls it); a core alone has none.

        :class:`~mstr_prompts.testing.ReferenceServer` installs the REST API's.

        >>> ServerCore().routes
        []
        """

    @property
    def cookies_secure(self) -> bool:
        """Whether login cookies carry ``Secure``: over https, unless ``secure_cookies`` says.

        >>> ServerCore().cookies_secure, ServerCore(secure_cookies=True).cookies_secure
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

    @contextlib.contextmanager
    def handling(self) -> Iterator[None]:
        """Count a request as being handled while the block runs (what :meth:`quiesce` waits for).

        >>> core = ServerCore()
        >>> with core.handling():
        ...     core.quiesce(0)
        False
        >>> core.quiesce(0)
        True
        """
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
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

        >>> server = ServerCore(status_polls=2)
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

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first injected fault that applies to the request, counted as used; or None."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def record(self, entry: Recorded) -> None:
        """Record one request as answered (the HTTP layer calls it; :attr:`requests` reads)."""
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
                    self.check_session(headers)
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

    # ------------------------------------------------------------ sessions

    def check_session(self, headers: Mapping[str, str]) -> None:
        """Refuse (401 ERR009) a request without the token and both cookies of a live session.

        >>> ServerCore().check_session({})
        Traceback (most recent call last):
        ...
        mstr_prompts.testing.wire.Refusal: The user's session has expired, please reauthenticate
        """
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

    def open_session(self, owner: tuple[str, str], user: str) -> tuple[str, str]:
        """Start a session for ``owner`` (``(kind, name)``) shown as ``user``: ``(token, JSESSIONID)``.

        The kind is ``"user"`` (standard and LDAP logins), ``"api-token"`` or ``"guest"``;
        it keeps working sets apart (a user called "guest" never sees the guest's).

        >>> core = ServerCore()
        >>> token, _ = core.open_session(("user", "ann"), "ann")
        >>> core.session_users[token]
        'ann'
        """
        token = secrets.token_hex(13)
        session = secrets.token_hex(16).upper()
        with self.lock:
            self.sessions[token] = session
            self.session_users[token] = user
            self.session_owners[token] = owner
        return token, session

    def end_session(self, token: str) -> None:
        """End the session of ``token`` (a logout); an unknown token is no error.

        >>> core = ServerCore()
        >>> token, _ = core.open_session(("guest", ""), "guest")
        >>> core.end_session(token); token in core.sessions
        False
        """
        with self.lock:
            self.sessions.pop(token, None)
            self.session_users.pop(token, None)
            self.session_owners.pop(token, None)

    def user_of(self, call: Call) -> str | None:
        """The user name behind the request's session (None without a session).

        >>> server = ServerCore()
        >>> server.user_of(Call("GET", "/x", {}, {}, b"", re.match("", ""))) is None
        True
        """
        with self.lock:
            return self.session_users.get(call.token)

    def owner_of(self, call: Call) -> tuple[str, str] | None:
        """Whose instances the request's session sees: ``(kind, name)``, None without one.

        The kind is ``"user"`` (standard and LDAP logins), ``"api-token"`` or ``"guest"``.

        >>> server = ServerCore()
        >>> server.owner_of(Call("GET", "/x", {}, {}, b"", re.match("", ""))) is None
        True
        """
        with self.lock:
            return self.session_owners.get(call.token)

    # ------------------------------------------------------------ objects and instances

    def served_object(self, oid: str, kinds: tuple[str, ...]) -> Served:
        """The catalog's object ``oid`` if it is one of ``kinds``; else 404 ERR004.

        >>> ServerCore().served_object("0F1E2D3C4B5A49687786958473625140", ("report",)).kind
        'report'
        """
        served = self.catalog.get(oid)
        if served is None or served.kind not in kinds:
            raise Refusal(
                404, "ERR004", f"Object with ID '{oid}' and type {kinds[0]} is not found."
            )
        return served

    def new_instance(
        self,
        served: Served,
        stage: str | None = None,
        owner: tuple[str, str] | None = None,
    ) -> ServedInstance:
        """A new live instance of ``served`` at its first round, owned by ``owner``.

        >>> from mstr_prompts.testing.catalog import Served
        >>> core = ServerCore()
        >>> core.new_instance(Served("R", "report")).id in core.instances
        True
        """
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

    def instance_for(self, call: Call, iid: str | None = None) -> ServedInstance:
        """The live instance the request names (``iid``, else its path's), as its session sees it.

        An instance that is gone, expired, another user's or of another object is the
        server's 404 ERR004 (iServerCode -2147468986); reading it counts as a use (TTL).
        """
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

    def drop_instance(self, instance: ServedInstance) -> None:
        """Forget ``instance`` (a DELETE); one already gone is no error.

        >>> from mstr_prompts.testing.catalog import Served
        >>> core = ServerCore()
        >>> instance = core.new_instance(Served("R", "report"))
        >>> core.drop_instance(instance); core.live_instances()
        []
        """
        with self.lock:
            self.instances.pop(instance.id, None)

    def run_async(self, instance: ServedInstance) -> None:
        """Make ``instance`` run: resolving states before a prompt, executing ones before 1."""
        with self.lock:
            instance.asynchronous = True
            prompted = instance.status == 2
            instance.schedule = list(self.resolve_states if prompted else self.execute_states)

    def finish(self, instance: ServedInstance) -> None:
        """Run ``instance`` to its end now, as a synchronous request waits for it.

        >>> from mstr_prompts.testing.catalog import Served
        >>> instance = ServedInstance("I", Served("R", "r"), schedule=[4, 5], pending_polls=1)
        >>> ServerCore().finish(instance); instance.schedule, instance.pending_polls
        ([], 0)
        """
        with self.lock:
            # A failure (3) on the way is where the run ends.
            ends = [s for s in instance.schedule if s in DONE][:1]
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

    def apply_answers(self, instance: ServedInstance, answers: AnswerSet) -> None:
        """Check answers against the open prompts (first problem -> ERR006), then record them.

        A round whose prompts are all answered opens the next; the instance then runs
        again (``status_polls`` 202s, and the running states of an asynchronous one).
        """
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


def _answer_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in ("answers", "useDefault")}


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
