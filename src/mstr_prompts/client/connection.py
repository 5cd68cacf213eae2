"""A session with a MicroStrategy Library REST API, on urllib3.

The rules it follows are MicroStrategy's own (https://microstrategy.github.io/rest-api-docs/getting-started/authentication):
log in with ``POST /api/auth/login``, keep the ``X-MSTR-AuthToken`` **and every cookie**
the server sets, and send both on every later request, with ``X-MSTR-ProjectID`` on
project-scoped calls.  urllib3 keeps no cookies, so the connection does: each
``Set-Cookie`` name=value is replayed to the same base URL whatever its ``Path`` or
``Secure`` attribute says (a server behind a proxy mounts the webapp elsewhere; a test
server speaks plain HTTP).

Resilience comes from urllib3's own pieces: a :class:`urllib3.util.Timeout` on every
request and a :class:`urllib3.util.Retry` that repeats GET, PUT and DELETE on
connection errors and on 429/500/502/503/504, honouring ``Retry-After``.  A POST is
never repeated once it may have reached the server (only a failure to connect is
retried).  An expired session (401 ERR009) logs in again and repeats the request, up
to :data:`RELOGINS` times, so that a session many threads share survives repeated
expiry without looping.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import urllib3
from urllib3.exceptions import HTTPError, LocationParseError
from urllib3.util import Retry, Timeout, parse_url

from ..errors import Hint, Option, PromptAnswerError
from .errors import BadBaseUrl, LoginFailed, ServerError, TransportError, from_response

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable

    from .datamarts import Datamart
    from .many import Job, Outcome
    from .objects import Document, Dossier, Report
    from .polling import PollPolicy

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "Connection",
    "LoginMode",
    "Response",
    "segment",
]

_log = logging.getLogger("mstr_prompts.client")

DEFAULT_TIMEOUT = Timeout(connect=10.0, read=120.0)
"""Connect and read timeouts of every request unless the connection is given others."""

RELOGINS = 3
"""How often one request logs in again when the session keeps expiring under it."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_METHODS = frozenset({"GET", "PUT", "DELETE"})


class _Retry(Retry):
    """urllib3's Retry, with the server's ``Retry-After`` capped so a wild value cannot hang us."""

    RETRY_AFTER_CAP = 30.0

    def get_retry_after(self, response: Any) -> float | None:
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else min(retry_after, self.RETRY_AFTER_CAP)


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


def segment(value: str) -> str:
    """Quote one path segment (an object ID, instance ID or prompt key) for a URL.

    Prompt keys keep their ``@`` (``did@pin@tp``), everything else unsafe is escaped, so
    an ID can never add a path level.

    >>> segment("9B9ADA7F464E63CE0D0B709B03BD9370@0@10"), segment("a/b")
    ('9B9ADA7F464E63CE0D0B709B03BD9370@0@10', 'a%2Fb')
    """
    return quote(value, safe="@")


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


class Connection:
    """A logged-in session with a MicroStrategy Library server.

    It logs in on first use (standard, LDAP, anonymous or API token), keeps the token
    and every cookie, sends ``X-MSTR-ProjectID``, and logs out on :meth:`close` or at
    the end of a ``with`` block.  ``base_url`` is the Library webapp root; a base that
    ends in ``/api`` or a slash is accepted too.  ``timeout`` is seconds or a urllib3
    ``Timeout``; ``retries`` a urllib3 ``Retry`` or a number of retries; ``poll`` the
    :class:`~mstr_prompts.client.PollPolicy` its reports, documents, datamarts and runs
    poll with (intervals, back-off cap, timeout).

    >>> conn = Connection("https://example.com/MicroStrategyLibrary/api/", username="u",
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
        self.timeout = timeout if isinstance(timeout, Timeout) else Timeout(timeout)
        if isinstance(retries, Retry):
            self.retries = retries
        else:
            self.retries = DEFAULT_RETRY.new(
                total=retries, connect=retries, read=retries, status=retries
            )
        self._pool = pool if pool is not None else urllib3.PoolManager(maxsize=8, block=False)
        self._lock = threading.RLock()
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
        return (
            f"<Connection {self._root} as {who} (loginMode {self.login_mode}), "
            f"project {self.project_id}, {state}>"
        )

    def _secrets(self) -> list[str]:
        values = [self._password, self._api_token, self._token, *self._cookies.values()]
        # Longest first, so that a secret containing another is removed whole.
        return sorted((v for v in values if v and len(v) >= 4), key=len, reverse=True)

    def _scrub(self, error: ServerError) -> ServerError:
        """Remove every secret the connection holds from an error's texts."""
        secrets = self._secrets()
        text = str(error)
        if not any(s in text or s in error.server_message for s in secrets):
            return error

        def clean(value: str) -> str:
            for secret in secrets:
                value = value.replace(secret, "***")
            return value

        error.server_message = clean(error.server_message)
        error.message = clean(error.message)
        error.args = (clean(text),)
        return error

    # ------------------------------------------------------------------ objects

    def report(self, report_id: str, *, policy: PollPolicy | None = None) -> Report:
        """The report with this ID; ``policy`` says how its instances are polled.

        >>> Connection("http://127.0.0.1:1", login_mode=8).report("R1").id
        'R1'
        """
        from .objects import Report

        return Report(self, report_id, policy=policy)

    def document(self, document_id: str, *, policy: PollPolicy | None = None) -> Document:
        """The document with this ID.

        >>> Connection("http://127.0.0.1:1", login_mode=8).document("D1").id
        'D1'
        """
        from .objects import Document

        return Document(self, document_id, policy=policy)

    def dossier(self, dossier_id: str, *, policy: PollPolicy | None = None) -> Dossier:
        """The dashboard (dossier) with this ID.

        >>> Connection("http://127.0.0.1:1", login_mode=8).dossier("D1").id
        'D1'
        """
        from .objects import Dossier

        return Dossier(self, dossier_id, policy=policy)

    def datamart(self, datamart_id: str) -> Datamart:
        """The datamart with this ID; ``execute`` runs it (seed 001).

        >>> Connection("http://127.0.0.1:1", login_mode=8).datamart("D1").id
        'D1'
        """
        from .datamarts import Datamart

        return Datamart(self, datamart_id)

    def run_many(
        self,
        jobs: Iterable[Job | str | tuple[Any, ...]],
        *,
        max_parallel: int = 8,
        timeout: float | None = None,
    ) -> Generator[Outcome, None, None]:
        """Run many prompted reports at once; yield each :class:`Outcome` as it finishes.

        ``jobs`` are :class:`~mstr_prompts.client.Job` objects, report IDs, or
        ``(report ID, answers)`` pairs, taken lazily.  At most ``max_parallel`` runs
        go at once over this connection's pool; ``timeout`` bounds each run's wait.
        One failing run never stops the others (its outcome holds the error), and
        every instance is deleted at the end, whatever happened, also when the caller
        stops iterating early.

        >>> from mstr_prompts.testing import ReferenceServer
        >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
        ...         project_id=server.project_id) as conn:
        ...     outcomes = list(conn.run_many(["0F1E2D3C4B5A49687786958473625140", "nope"]))
        ...     sorted(o.ok for o in outcomes), server.live_instances()
        ([False, True], [])
        """
        from .many import run_many

        return run_many(self, jobs, max_parallel=max_parallel, timeout=timeout)

    # ------------------------------------------------------------------ session

    def __enter__(self) -> Connection:
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
        if response.status >= 400:
            raise self._scrub(
                from_response(response.request, response.status, response.data, login=True)
            )
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
        the matching :class:`ServerError`.  A 202 is returned (callers poll on it).
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
        if response.status >= 400:
            raise self._scrub(
                from_response(response.request, response.status, response.data, answering=answering)
            )
        return response

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
        headers = {"Accept": "application/json"}
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if self._token is not None:
            headers["X-MSTR-AuthToken"] = self._token
        if self._cookie_header:
            headers["Cookie"] = self._cookie_header
        if project and self.project_id:
            headers["X-MSTR-ProjectID"] = self.project_id
        if extra:
            headers.update(extra)
        request = f"{method} {path}"
        started = time.perf_counter() if _log.isEnabledFor(logging.DEBUG) else 0.0
        try:
            raw = self._pool.request(
                method,
                url,
                body=body,
                headers=headers,
                timeout=self.timeout,
                retries=self.retries,
                redirect=False,
            )
        except HTTPError as exc:
            raise self._scrub(
                TransportError(request, server_message=_transport_reason(exc))
            ) from None
        set_cookies = raw.headers.getlist("Set-Cookie")
        if set_cookies:
            self._absorb(set_cookies)
        if started:
            _log.debug(
                "%s -> %s in %.1f ms", request, raw.status, (time.perf_counter() - started) * 1000
            )
        return Response(request, raw.status, raw.headers, raw.data)

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


def _transport_reason(exc: HTTPError) -> str:
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
