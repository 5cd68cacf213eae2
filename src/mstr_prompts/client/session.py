"""The HTTP core of the client: a session with a MicroStrategy Library REST API, on urllib3.

:class:`Session` logs in, sends requests and logs out; it knows nothing of reports,
datamarts or runs, so that every module above it (polling, instances, runs, objects,
datamarts) builds on it without importing the facade.  Users make a
:class:`~mstr_prompts.client.Connection`, which is a :class:`Session` with the
convenience methods (``report()``, ``datamart()``, ``run_many()`` …) on top.

The rules it follows are MicroStrategy's own (https://microstrategy.github.io/rest-api-docs/getting-started/authentication):
log in with ``POST /api/auth/login``, keep the ``X-MSTR-AuthToken`` **and every cookie**
the server sets, and send both on every later request, with ``X-MSTR-ProjectID`` on
project-scoped calls.  urllib3 keeps no cookies, so the connection does: each
``Set-Cookie`` name=value is replayed to the same base URL whatever its ``Path`` or
``Secure`` attribute says (a server behind a proxy mounts the webapp elsewhere; a test
server speaks plain HTTP).

Resilience comes from urllib3's pieces, driven by the client itself: a
:class:`urllib3.util.Timeout` on every request and a :class:`urllib3.util.Retry` that
repeats GET, PUT and DELETE on connection errors and on 429/500/502/503/504, honouring
``Retry-After``; the client sleeps between attempts itself so that no sleep outlasts
the caller's time limit.  A POST is never repeated once it may have reached the server
(only a failure to connect, or a 429 with ``Retry-After``, which the server did not
process, is retried).  An expired session (401 ERR009) logs in again and repeats the request, up
to :data:`RELOGINS` times, so that a session many threads share survives repeated
expiry without looping.

Nothing a server sends can make a call run away: every reply body is read against a
size cap (:data:`DEFAULT_MAX_BODY`) as it arrives, no content encoding but ``identity``
is accepted (so a gzip bomb never expands), every request has a total deadline that
covers connecting, the headers and the whole body (a server that drips one byte at a
time is cut off at the deadline, not at each byte's read timeout), redirects are
errors, and retries and their sleeps never outlast the caller's own time limit
(:func:`time_limit`).
"""

from __future__ import annotations

import contextlib
import email.utils
import enum
import http.client
import json
import logging
import math
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, LocationParseError, MaxRetryError
from urllib3.util import Retry, Timeout, parse_url

from ..errors import Hint, Option, PromptAnswerError
from .deadlines import Attempt, current_deadline, pool_manager, time_limit
from .errors import (
    BadBaseUrl,
    BadIdentifier,
    LoginFailed,
    ServerError,
    ServerUnreachable,
    TransportError,
    from_response,
)
from .redaction import Redactor, install_log_filter, redact_error, register

if TYPE_CHECKING:
    from .polling import PollPolicy

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "LoginMode",
    "Response",
    "Session",
    "retry_after_seconds",
    "segment",
    "server_id",
    "time_limit",
]

_log = logging.getLogger("mstr_prompts.client")
install_log_filter(_log)

DEFAULT_TIMEOUT = Timeout(connect=10.0, read=120.0)
"""Connect and read timeouts of every request unless the connection is given others.

A request also has a total deadline: the ``Timeout``'s ``total`` if it has one, else
connect plus read (130 s here); ``timeout=5`` (a number) means 5 s in all."""

DEFAULT_MAX_BODY = 64 * 1024 * 1024
"""The most bytes one reply body may have (64 MiB), checked while it is read.

A v2 report page of 10,000 rows by 20 columns is about 5 MiB; larger results come in
pages (``Report.data(limit=…)``).  ``Connection(max_body=…)`` changes it."""

RELOGINS = 3
"""How often one request logs in again when the session keeps expiring under it."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_METHODS = frozenset({"GET", "PUT", "DELETE"})


_SECONDS = re.compile(r"[ \t]*([0-9]{1,12})[ \t]*")
_DIGITS = re.compile(r"[ \t]*[0-9]+[ \t]*")  # ASCII only: "²".isdigit() is True


def retry_after_seconds(value: str | None, *, cap: float = 30.0) -> float | None:
    """The seconds a ``Retry-After`` value asks for, at most ``cap``; None if unreadable.

    Delta-seconds and HTTP dates are read (RFC 9110, section 10.2.3); anything else
    (``nan``, ``-1``, ``1e400``, 5,000 digits) is no ``Retry-After`` at all.

    >>> retry_after_seconds("3"), retry_after_seconds("nan"), retry_after_seconds("9" * 5000)
    (3.0, None, 30.0)
    """
    if value is None:
        return None
    if match := _SECONDS.fullmatch(value):
        return min(float(match.group(1)), cap)
    if _DIGITS.fullmatch(value):  # more digits than any real wait: the cap
        return cap
    if len(value) > 64:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        seconds = when.timestamp() - time.time()
    except (OverflowError, OSError, ValueError):
        return None
    return min(max(seconds, 0.0), cap) if math.isfinite(seconds) else None


class _Retry(Retry):
    """urllib3's Retry, with the server's ``Retry-After`` capped so a wild value cannot hang us."""

    RETRY_AFTER_CAP = 30.0

    def get_retry_after(self, response: Any) -> float | None:
        return retry_after_seconds(response.headers.get("Retry-After"), cap=self.RETRY_AFTER_CAP)


DEFAULT_RETRY: Retry = _Retry(
    total=4,
    connect=3,
    read=2,
    status=3,
    other=0,
    redirect=0,
    backoff_factor=0.2,
    status_forcelist=RETRY_STATUSES,
    allowed_methods=RETRY_METHODS,
    respect_retry_after_header=True,
    raise_on_status=False,
    raise_on_redirect=False,
)
"""GET/PUT/DELETE on connection errors and 429/5xx with backoff and Retry-After; POST never."""


class LoginMode(enum.IntEnum):
    """``loginMode`` of ``POST /api/auth/login`` (Standard 1, Anonymous 8, LDAP 16, API token 4096).

    >>> LoginMode(16).name
    'LDAP'
    """

    STANDARD = 1
    ANONYMOUS = 8
    LDAP = 16
    API_TOKEN = 4096


def _shown(value: object, width: int = 60) -> str:
    """``value`` for a message: whole (so that redaction finds any secret in it) or not at all.

    A cut value could show most of a secret that redaction, which looks for the whole
    secret, would not recognise; a long value is described by its length instead.
    """
    text = json.dumps(value, ensure_ascii=True) if isinstance(value, str) else repr(value)
    if len(text) <= width:
        return text
    return f"({type(value).__name__} of {len(value) if isinstance(value, str) else len(text)} characters)"


def segment(value: str, what: str = "ID") -> str:
    """Quote one path segment (an object ID, instance ID or prompt key) for a URL.

    Prompt keys keep their ``@`` (``did@pin@tp``), everything else unsafe is escaped, so
    an ID can never add a path level.  An empty ID, ``.`` and ``..`` raise
    :class:`~mstr_prompts.client.BadIdentifier`: URL parsers remove dot segments, so
    they would change which resource the request goes to.

    >>> segment("9B9ADA7F464E63CE0D0B709B03BD9370@0@10"), segment("a/b")
    ('9B9ADA7F464E63CE0D0B709B03BD9370@0@10', 'a%2Fb')
    >>> segment("..", "report ID")
    Traceback (most recent call last):
    ...
    mstr_prompts.client.errors.BadIdentifier: report ID ".." cannot be a path segment (it would change the request's path)
    """
    if not isinstance(value, str):
        raise BadIdentifier(f"{what} must be a string, not {type(value).__name__}")
    if value in ("", ".", ".."):
        raise BadIdentifier(
            f"{what} {_shown(value)} cannot be a path segment (it would change the request's path)"
        )
    return quote(value, safe="@")


def instance_header(value: str) -> str:
    """An instance ID for the ``X-MSTR-MS-Instance`` header, checked as :func:`segment` checks
    a path segment: an empty ID, ``.`` and ``..`` name no instance and raise
    :class:`~mstr_prompts.client.BadIdentifier` before anything is sent.

    >>> instance_header("6A0B4F3C2D1E4F5A8B9C0D1E2F3A4B5C")
    '6A0B4F3C2D1E4F5A8B9C0D1E2F3A4B5C'
    >>> instance_header("..")
    Traceback (most recent call last):
    ...
    mstr_prompts.client.errors.BadIdentifier: instance ID ".." cannot be a path segment (it would change the request's path)
    """
    segment(value, "instance ID")
    return value


_ID_CHARS = re.compile(r"[!-~]{1,256}")


def server_id(value: object, request: str, what: str = "instance ID") -> str:
    """An ID the server sent, checked before the client sends it back in a path or header.

    Real IDs are 32 hexadecimal digits; anything printable ASCII up to 256 characters
    is taken, but not an empty one, ``.``, ``..``, whitespace, control characters or
    other characters that could not go back into a header as they are.

    >>> server_id("6A0B4F3C2D1E4F5A8B9C0D1E2F3A4B5C", "POST /api/x")
    '6A0B4F3C2D1E4F5A8B9C0D1E2F3A4B5C'
    >>> server_id("a\\r\\nb", "POST /api/x")
    Traceback (most recent call last):
    ...
    mstr_prompts.client.errors.TransportError: POST /api/x: the server sent an unusable instance ID: "a\\r\\nb"
    """
    if not isinstance(value, str) or value in (".", "..") or not _ID_CHARS.fullmatch(value):
        raise TransportError(
            request, server_message=f"the server sent an unusable {what}: {_shown(value)}"
        )
    return value


def _header_value(name: str, value: str) -> str:
    """A value the client put in a header: printable ASCII (and spaces) only."""
    if not all(" " <= c <= "~" for c in value):
        raise BadIdentifier(
            f"the {name} header cannot carry {_shown(value)}: "
            "it holds a control character or a character outside ASCII"
        )
    return value


class Response:
    """One HTTP response: ``status``, case-insensitive ``headers`` and the ``data`` bytes.

    >>> Response("GET /api/x", 204, {}, b"").json_or_none() is None
    True
    """

    __slots__ = ("data", "headers", "request", "status")

    def __init__(self, request: str, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self.request = request
        self.status = status
        self.headers = headers
        self.data = data

    def json_or_none(self) -> Any:
        """The JSON body, or None for a 204 or an empty body (which are never parsed)."""
        if self.status == 204 or not self.data.strip():
            return None
        return self.json()

    def json(self, what: str = "a JSON body") -> Any:
        """The JSON body; a clear :class:`TransportError` if there is none or it is not JSON."""
        if self.status == 204 or not self.data.strip():
            raise TransportError(
                self.request,
                status=self.status,
                server_message=f"the server sent an empty body where {what} was expected",
            )
        try:
            return json.loads(self.data)
        except (ValueError, RecursionError):
            raise TransportError(
                self.request,
                status=self.status,
                server_message=f"the server sent a body that is not JSON where {what} was expected",
            ) from None

    def json_object(self, what: str) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        body = self.json(what)
        if not isinstance(body, dict):
            raise TransportError(
                self.request,
                status=self.status,
                server_message=f"expected {what} as a JSON object, got {type(body).__name__}",
            )
        return body


def _root(base_url: str) -> str:
    """The webapp root: no trailing slash, no ``/api``, no query or fragment."""
    try:
        url = parse_url(base_url.strip())
    except LocationParseError:
        raise BadBaseUrl("the base URL cannot be parsed") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise BadBaseUrl(
            "the base URL must be http:// or https:// with a host",
            hint="give the Library webapp root, e.g. https://host/MicroStrategyLibrary",
        )
    if any(c <= " " or c == "\x7f" for c in base_url.strip()):
        raise BadBaseUrl("the base URL must not contain spaces or control characters")
    if url.auth:
        # Not echoed: the userinfo is a credential.
        raise BadBaseUrl(
            "the base URL must not carry credentials",
            hint=Hint(
                "pass username= and password= (MSTR_USERNAME and MSTR_PASSWORD for the "
                "command line)",
                cli=False,
            ),
        )
    path = (url.path or "").rstrip("/")
    if path.lower().endswith("/api"):
        path = path[: -len("/api")]
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{path}"


_S = TypeVar("_S", bound="Session")


class Session:
    """A logged-in session with a MicroStrategy Library server: the HTTP core.

    It logs in on first use (standard, LDAP, anonymous or API token), keeps the token
    and every cookie, sends ``X-MSTR-ProjectID``, and logs out on :meth:`close` or at
    the end of a ``with`` block.  ``base_url`` is the Library webapp root; a base that
    ends in ``/api`` or a slash is accepted too.  ``timeout`` is seconds or a urllib3
    ``Timeout``; ``retries`` a urllib3 ``Retry`` or a number of retries; ``poll`` the
    :class:`~mstr_prompts.client.PollPolicy` its reports, documents, datamarts and runs
    poll with (intervals, back-off cap, timeout); ``max_body`` the most bytes a reply
    body may have (:data:`DEFAULT_MAX_BODY`).

    :class:`~mstr_prompts.client.Connection` is this with the convenience methods; the
    modules of the client take a session, so that they work with either.

    >>> conn = Session("https://example.com/MicroStrategyLibrary/api/", username="u",
    ...                   password="secret", project_id="B19DEDCC11D4E0EFC000EB9495D0F44F")
    >>> conn.base_url
    'https://example.com/MicroStrategyLibrary'
    >>> "secret" in repr(conn)
    False
    """

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        api_token: str | None = None,
        login_mode: int | None = None,
        project_id: str | None = None,
        timeout: float | Timeout = DEFAULT_TIMEOUT,
        retries: int | Retry = DEFAULT_RETRY,
        pool: urllib3.PoolManager | None = None,
        application_type: int | None = None,
        poll: PollPolicy | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._root = _root(base_url)
        if login_mode is None:
            login_mode = LoginMode.API_TOKEN if api_token is not None else LoginMode.STANDARD
        self.login_mode = int(login_mode)
        if self.login_mode == LoginMode.API_TOKEN and not api_token:
            raise PromptAnswerError("login mode 4096 (API token) needs api_token=")
        if self.login_mode in (LoginMode.STANDARD, LoginMode.LDAP) and not username:
            raise PromptAnswerError(
                f"login mode {self.login_mode} needs username= (and password=)",
                hint=Hint("use login_mode=8 for anonymous access", cli=False),
            )
        self.username = username
        self._password = password
        self._api_token = api_token
        self.project_id = project_id
        self.application_type = application_type
        self.poll_policy = poll
        if isinstance(timeout, Timeout):
            self.timeout = timeout
            total = timeout.total
            if not isinstance(total, (int, float)):
                parts = (timeout.connect_timeout, timeout.read_timeout)
                numbers = [p for p in parts if isinstance(p, (int, float))]
                total = sum(numbers) if len(numbers) == 2 else None
        else:
            self.timeout = Timeout(connect=timeout, read=timeout)
            total = timeout
        # Connect, headers and the whole body of one attempt, in seconds.
        self.total_timeout: float = math.inf if total is None else float(total)
        # The connect and per-read timeouts as numbers (a Timeout with only a total
        # answers read_timeout only once started).
        probe = self.timeout.clone()
        probe.start_connect()
        self._per_read = (probe.connect_timeout, probe.read_timeout)
        self.max_body = max_body
        if isinstance(retries, Retry):
            self.retries = retries
        else:
            self.retries = DEFAULT_RETRY.new(
                total=retries, connect=retries, read=retries, status=retries
            )
        self._pool = pool if pool is not None else pool_manager()
        self._lock = threading.RLock()
        # The refusal of a login: the credentials are never sent again on this connection
        # (a lockout policy counts every attempt), not by another job, retry or cleanup.
        self._refused: ServerError | None = None
        self._token: str | None = None
        # Replaced whole, never mutated, so that requests on other threads read a
        # consistent store without taking the lock.
        self._cookies: dict[str, str] = {}
        self._cookie_header = ""
        self._closed = False
        self.relogins = RELOGINS
        # Undocumented endpoints this server turned out not to have (404/405/501); the
        # client then keeps to the documented requests (see ReportInstance.status_reply).
        self.lacking: set[str] = set()
        self._redactor: tuple[tuple[str | None, ...], Redactor] | None = None
        register(self)

    # ------------------------------------------------------------------ identity

    @property
    def base_url(self) -> str:
        """The Library webapp root every path is joined to."""
        return self._root

    @property
    def logged_in(self) -> bool:
        """True while the connection holds a session token."""
        return self._token is not None

    def __repr__(self) -> str:
        who = f"{self.username!r}" if self.username else "anonymous"
        if self.login_mode == LoginMode.API_TOKEN:
            who = "API token"
        state = "logged in" if self._token else "not logged in"
        return self.redactor().redact(
            f"<{type(self).__name__} {self._root} as {who} (loginMode {self.login_mode}), "
            f"project {self.project_id}, {state}>"
        )

    def secrets(self) -> tuple[str | None, ...]:
        """The values this connection must never show: password, API token, session, cookies."""
        return (self._password, self._api_token, self._token, *self._cookies.values())

    def redactor(self) -> Redactor:
        """A :class:`~mstr_prompts.client.redaction.Redactor` for this connection's secrets.

        >>> conn = Session("http://127.0.0.1:1", username="u", password="pw")
        >>> conn.redactor().redact("echo: pw")
        'echo: ***'
        """
        secrets = self.secrets()
        cached = self._redactor
        if cached is not None and cached[0] == secrets:
            return cached[1]
        redactor = Redactor(secrets)
        self._redactor = (secrets, redactor)
        return redactor

    def _scrub(self, error: ServerError) -> ServerError:
        """Remove every spelling of every secret the connection holds from an error's texts."""
        redact_error(error, self.redactor())
        return error

    # ------------------------------------------------------------------ session

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def login(self) -> None:
        """Log in now (requests log in on first use anyway).  Raises :class:`LoginFailed`."""
        with self._lock:
            if self._closed:
                raise PromptAnswerError("the connection is closed")
            self._login_locked()

    def _login_locked(self) -> None:
        if self._refused is not None:
            # One refusal ends the connection's logins: a second attempt with the same
            # credentials would only count against the account's lockout.
            first = self._refused
            raise self._scrub(
                type(first)(
                    first.request,
                    status=first.status,
                    code_text=first.code_text,
                    server_message=f"{first.server_message} (refused before: the credentials "
                    "are not sent again on this connection)",
                    ticket_id=first.ticket_id,
                    iserver_code=first.iserver_code,
                    hint="check the user name and password, then make a new connection",
                )
            )
        body: dict[str, Any] = {"loginMode": self.login_mode}
        if self.login_mode == LoginMode.API_TOKEN:
            body["username"] = self._api_token
        elif self.login_mode != LoginMode.ANONYMOUS:
            body["username"] = self.username
            body["password"] = self._password or ""
        if self.application_type is not None:
            body["applicationType"] = self.application_type
        self._token = None
        self._cookies, self._cookie_header = {}, ""
        response = self._send("POST", "/api/auth/login", None, body, None, project=False)
        if response.status >= 300:
            error = self._refusal(response, login=True)
            if 400 <= response.status < 500 and response.status not in (408, 429):
                self._refused = error  # refused, not "try later": never sent again
            raise error
        token = response.headers.get("X-MSTR-AuthToken")
        if not token:
            raise self._scrub(
                LoginFailed(
                    response.request,
                    status=response.status,
                    server_message="the login response carries no X-MSTR-AuthToken header",
                )
            )
        self._token = token
        _log.debug("logged in to %s (loginMode %s)", self._root, self.login_mode)

    def _ensure_session(self) -> str:
        token = self._token
        if token is not None:
            return token
        with self._lock:
            if self._closed:
                raise PromptAnswerError("the connection is closed")
            if self._token is None:
                self._login_locked()
            assert self._token is not None
            return self._token

    def close(self) -> None:
        """Log out (``POST /api/auth/logout``) and release the pool; safe to call twice.

        An already-expired session (401 ERR009) or an unreachable server is not an error
        here: there is nothing left to end.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._token is not None:
                try:
                    response = self._send(
                        "POST", "/api/auth/logout", None, None, None, project=False
                    )
                    if response.status >= 400 and response.status != 401:
                        _log.warning("logout answered HTTP %s", response.status)
                except TransportError as exc:
                    _log.warning("logout failed: %s", self._scrub(exc))
            self._token = None
            self._cookies, self._cookie_header = {}, ""
        self._pool.clear()

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        project: bool = True,
        answering: bool = False,
    ) -> Response:
        """Send one request to ``path`` (``/api/...``) and return the response if it is 2xx.

        ``project`` sends ``X-MSTR-ProjectID``; ``answering`` marks a prompt-answer call so
        that 400 ERR006 becomes :class:`AnswersRejectedByServer`.  Any other status raises
        the matching :class:`ServerError`; a redirect (3xx) is a :class:`TransportError`,
        never followed.  A 202 is returned (callers poll on it).  The request, its
        retries and their sleeps end by the connection's total timeout and by the
        caller's :func:`time_limit`; the body is read against ``max_body``.

        >>> from mstr_prompts.testing import ReferenceServer
        >>> with ReferenceServer() as server, Session(server.url, login_mode=8,
        ...         project_id=server.project_id) as conn:
        ...     conn.request("GET", "/api/reports/0F1E2D3C4B5A49687786958473625140/prompts").status
        200
        """
        if not path.startswith("/"):
            path = "/" + path
        if project and not self.project_id:
            raise PromptAnswerError(
                f"{method} {path} is project-scoped but the connection has no project",
                hint=Hint(
                    "pass {0} to Connection",
                    Option("project_id", metavar="ID", flag="--project ID"),
                ),
            )
        self._ensure_session()
        logins = 0
        # The session expired: log in again and repeat the request (the server refused
        # it, so repeating even a POST is safe).  A session that many threads share can
        # end again meanwhile, so this is bounded rather than once: at most
        # ``relogins`` logins of this request's own, and a hard cap on repeats when
        # another thread has logged in already.
        for _ in range(2 * self.relogins + 2):
            sent = self._token
            response = self._send(method, path, query, json_body, headers, project=project)
            if response.status != 401:
                break
            if from_response(response.request, 401, response.data).code not in (9, None):
                break
            with self._lock:
                if self._closed:
                    break
                if self._token == sent or self._token is None:
                    if logins == self.relogins:
                        break
                    logins += 1
                    _log.info("%s: session expired; logging in again", response.request)
                    self._login_locked()
        if response.status >= 300:
            raise self._refusal(response, answering=answering)
        return response

    def _refusal(
        self, response: Response, *, login: bool = False, answering: bool = False
    ) -> ServerError:
        """The error for a reply that is not a success: a refusal, or a redirect."""
        if response.status < 400:
            # A redirect is never followed for an API call (it could send the token and
            # the request elsewhere) and never taken for success: a DELETE answered 302
            # did not delete anything.
            location = response.headers.get("Location") or "(no Location)"
            return self._scrub(
                TransportError(
                    response.request,
                    status=response.status,
                    server_message=f"the server redirected the request to {_shown(location, 200)}; "
                    "API calls do not follow redirects",
                    hint="check the base URL (an http:// base is often redirected to https://)",
                )
            )
        redact = self.redactor().redact
        return self._scrub(
            from_response(
                response.request,
                response.status,
                response.data,
                login=login,
                answering=answering,
                redact=redact,
            )
        )

    def _send(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | Sequence[tuple[str, Any]] | None,
        json_body: Any,
        extra: Mapping[str, str] | None,
        *,
        project: bool,
    ) -> Response:
        url = self._root + path
        if query:
            url = f"{url}?{urlencode(query)}"
        request = f"{method} {path}"
        # identity only: a compressed body could expand far past the size cap (a gzip
        # bomb), so none is asked for and none is accepted.
        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        body: bytes | None = None
        if json_body is not None:
            try:
                body = json.dumps(json_body, ensure_ascii=False).encode()
            except UnicodeEncodeError:
                raise BadIdentifier(
                    f"{request}: the request body holds text that is not valid Unicode "
                    "(a lone surrogate, as from a byte that is not UTF-8)"
                ) from None
            headers["Content-Type"] = "application/json"
        if self._token is not None:
            headers["X-MSTR-AuthToken"] = self._token
        if self._cookie_header:
            headers["Cookie"] = self._cookie_header
        if project and self.project_id:
            headers["X-MSTR-ProjectID"] = _header_value("X-MSTR-ProjectID", self.project_id)
        for name, value in (extra or {}).items():
            headers[name] = _header_value(name, value)
        started = time.perf_counter() if _log.isEnabledFor(logging.DEBUG) else 0.0
        retry = self.retries
        while True:
            deadline = min(time.monotonic() + self.total_timeout, current_deadline())
            try:
                raw, data = self._exchange(method, url, body, headers, deadline, request)
            except _Failed as failed:
                pause = None
                if not failed.final and time.monotonic() < current_deadline():
                    with contextlib.suppress(HTTPError):
                        retry = retry.increment(method, url, error=failed.error)
                        pause = retry.get_backoff_time()
                if pause is None or time.monotonic() + pause >= current_deadline():
                    raise self._scrub(failed.transport) from None
                time.sleep(pause)
                continue
            again = self._again(retry, method, url, raw)
            if again is not None and time.monotonic() + again[1] < current_deadline():
                retry = again[0]
                time.sleep(again[1])
                continue
            break
        set_cookies = raw.headers.getlist("Set-Cookie")
        if set_cookies:
            self._absorb(set_cookies)
        if started:
            # The reply's own token is a secret already (the session is not stored yet).
            fresh = Redactor([*self.secrets(), raw.headers.get("X-MSTR-AuthToken")])
            line = f"{request} -> {raw.status} in {(time.perf_counter() - started) * 1000:.1f} ms"
            _log.debug("%s", fresh.redact(line))
        return Response(request, raw.status, raw.headers, data)

    @staticmethod
    def _again(retry: Retry, method: str, url: str, raw: Any) -> tuple[Retry, float] | None:
        """The retry state and the pause before repeating a request that got ``raw``, or None."""
        status = raw.status
        retry_after = retry_after_seconds(
            raw.headers.get("Retry-After"), cap=getattr(retry, "RETRY_AFTER_CAP", 30.0)
        )
        # 429 with Retry-After refuses the request unprocessed ("Too Many Requests",
        # RFC 6585), so even a POST is sent again after the wait.
        unprocessed = status == 429 and retry_after is not None and retry.total is not False
        if not (retry.is_retry(method, status, retry_after is not None) or unprocessed):
            return None
        try:
            retry = retry.increment(method, url, response=raw)
        except MaxRetryError:
            return None
        if retry_after and retry.respect_retry_after_header:
            return retry, retry_after
        # As urllib3's Retry.sleep: a Retry-After of 0 falls back to the back-off, which
        # spreads the attempts of many clients instead of repeating at once.
        return retry, retry.get_backoff_time()

    def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        deadline: float,
        request: str,
    ) -> tuple[Any, bytes]:
        """One attempt: send, read the headers and the whole body, all by ``deadline``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failed(None, self._timed_out(request), final=True)
        timeout = Timeout(
            connect=_bounded(self._per_read[0], remaining),
            read=_bounded(self._per_read[1], remaining),
        )
        raw: Any = None
        try:
            with Attempt(deadline) as attempt:
                raw = self._pool.urlopen(
                    method,
                    url,
                    body=body,
                    headers=headers,
                    timeout=timeout,
                    retries=False,
                    redirect=False,
                    preload_content=False,
                    decode_content=False,
                )
                attempt.sent(raw)
                data = self._read_body(raw, request, deadline)
        except HTTPError as exc:
            if time.monotonic() >= deadline - 0.001:
                raise _Failed(exc, self._timed_out(request), final=True) from None
            raise _Failed(exc, self._transport(request, exc, url)) from None
        except (http.client.HTTPException, OSError, ValueError) as exc:
            if isinstance(exc, PromptAnswerError):
                raise
            if time.monotonic() >= deadline - 0.001:
                raise _Failed(exc, self._timed_out(request), final=True) from None
            reason = f"the reply could not be read ({type(exc).__name__})"
            raise _Failed(exc, TransportError(request, server_message=reason), final=True) from None
        return raw, data

    def _read_body(self, raw: Any, request: str, deadline: float) -> bytes:
        """The reply body, read against the size cap and refused if it is encoded."""
        encoding = (raw.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raw.close()
            raise _Failed(
                None,
                TransportError(
                    request,
                    status=raw.status,
                    server_message=f"the reply is {_shown(encoding)}-encoded, which was not "
                    "asked for (Accept-Encoding: identity)",
                ),
                final=True,
            )
        cap = self.max_body
        declared = raw.headers.get("Content-Length")
        if (
            declared
            and _DIGITS.fullmatch(declared)
            and (len(declared.strip()) > 18 or int(declared) > cap)
        ):
            raw.close()
            raise _Failed(None, self._too_large(request, raw.status, cap), final=True)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = raw.read(65536, decode_content=False)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raw.close()
                    raise _Failed(None, self._too_large(request, raw.status, cap), final=True)
                chunks.append(chunk)
                if time.monotonic() >= deadline:
                    raw.close()
                    raise _Failed(None, self._timed_out(request), final=True)
        finally:
            raw.release_conn()
        return b"".join(chunks)

    def _too_large(self, request: str, status: int, cap: int) -> TransportError:
        return TransportError(
            request,
            status=status,
            server_message=f"the reply is larger than the {cap:,}-byte limit",
            hint="ask for smaller pages (limit=…), or raise Connection(max_body=…)",
        )

    def _timed_out(self, request: str) -> TransportError:
        if current_deadline() <= time.monotonic() + 0.001:
            reason = "no complete response before the caller's time limit"
        else:
            reason = f"no complete response within {self.total_timeout:g} s"
        return TransportError(request, server_message=reason)

    def _transport(self, request: str, exc: HTTPError, url: str) -> TransportError:
        if isinstance(exc, ConnectTimeoutError):
            # No connection was made (refused, unknown host, no route, connect timeout):
            # name where the client tried to go, since nothing else happened.
            parsed = parse_url(url)
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            why = "in time" if type(exc) is ConnectTimeoutError else ""
            return ServerUnreachable(
                request,
                server_message=f"cannot connect to {parsed.host}:{port}"
                f"{' ' + why if why else ''} ({type(exc).__name__})",
            )
        return TransportError(request, server_message=_transport_reason(exc))

    def _absorb(self, set_cookies: list[str]) -> None:
        with self._lock:
            cookies = dict(self._cookies)
            for header in set_cookies:
                pair, _, attributes = header.partition(";")
                name, sep, value = pair.partition("=")
                name = name.strip()
                if not sep or not name:
                    continue
                expired = any(
                    a.strip().lower().replace(" ", "") == "max-age=0" for a in attributes.split(";")
                )
                if expired:
                    cookies.pop(name, None)
                else:
                    cookies[name] = value.strip()
            self._cookies = cookies
            self._cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())


def _bounded(seconds: object, remaining: float) -> float | None:
    """A socket timeout: ``seconds`` (None: none) but never past the ``remaining`` time."""
    limit = remaining if math.isfinite(remaining) else None
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return seconds if limit is None else min(seconds, limit)
    return limit


class _Failed(Exception):
    """One attempt failed: ``error`` is urllib3's (None for a reply refused here),
    ``transport`` the error to raise, ``final`` says whether a retry is pointless."""

    def __init__(
        self, error: Exception | None, transport: TransportError, *, final: bool = False
    ) -> None:
        super().__init__(str(transport))
        self.error = error
        self.transport = transport
        self.final = final or error is None


def _transport_reason(exc: BaseException) -> str:
    """Say why no response came, without URLs (urllib3's texts repeat them)."""
    reason: BaseException = exc
    inner = getattr(exc, "reason", None)
    if isinstance(inner, BaseException):
        reason = inner
    kind = type(reason).__name__
    if "Timeout" in kind:
        return f"no response in time ({kind})"
    if "Protocol" in kind or "RemoteDisconnected" in str(reason):
        return f"the connection was dropped ({kind})"
    if "NewConnection" in kind or "Connect" in kind:
        return f"cannot connect ({kind})"
    if kind == "ResponseError":
        return "too many retries"
    return f"request failed ({kind})"
