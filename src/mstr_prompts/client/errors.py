"""Errors of the REST client: one hierarchy under :class:`ServerError`.

Every error is a :class:`~mstr_prompts.errors.PromptAnswerError` (so a ``ValueError``).
A :class:`ServerError` carries what the server said: the HTTP status, the error code
as a number (``ERR006``, ``ERR0014`` and ``ERR014`` all parse, because the
documentation spells codes both ways: https://microstrategy.github.io/rest-api-docs/),
the message verbatim, the ``ticketId`` and the ``iServerCode``.  Nothing built here
ever holds a request header or body, so passwords and tokens cannot leak through an
error; the connection also redacts its secrets from every message it raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import DecodeError, PromptAnswerError, PromptsOutstanding
from ..model import Answer

__all__ = [
    "AnswersRejectedByServer",
    "BadBaseUrl",
    "BadIdentifier",
    "ExecutionFailed",
    "Forbidden",
    "InstanceGone",
    "LoginFailed",
    "NameNotResolved",
    "NotFound",
    "PromptsOutstanding",
    "RunHandleError",
    "ServerError",
    "ServerUnreachable",
    "SessionExpired",
    "TransportError",
    "UnusedAnswers",
    "parse_code",
]

_CODE = re.compile(r"ERR0*(\d{1,9})", re.IGNORECASE)  # bounded: int() of 5,000 digits raises


def parse_code(code: object) -> int | None:
    """The number in an error code, whichever way it is spelled; None if there is none.

    >>> parse_code("ERR006"), parse_code("ERR0014"), parse_code("ERR014"), parse_code("ERR0R22")
    (6, 14, 14, None)
    """
    if not isinstance(code, str):
        return None
    match = _CODE.fullmatch(code.strip())
    return int(match.group(1)) if match else None


class BadBaseUrl(PromptAnswerError):
    """The base URL given for a connection is not one a client can use.

    A setting the caller chose, not something the server said (the command line exits
    with its usage status).

    >>> str(BadBaseUrl("the base URL cannot be parsed"))
    'the base URL cannot be parsed'
    """


class BadIdentifier(PromptAnswerError):
    """An ID or header value given to the client cannot go into a request as it is.

    An empty ID, ``.`` or ``..`` would change the request's path (URL parsers remove
    dot segments: ``--report ..`` would post to the parent collection), and a control
    character or a character outside Latin-1 cannot go into an HTTP header.

    >>> str(BadIdentifier("report ID '..' cannot be a path segment"))
    "report ID '..' cannot be a path segment"
    """


class ServerError(PromptAnswerError):
    """The server refused a request, or could not be reached.

    ``status`` is the HTTP status (None when no response came), ``code`` the error code
    as a number, ``code_text`` as the server spelled it, ``server_message`` its message
    verbatim, ``ticket_id`` and ``iserver_code`` as given.  ``request`` is ``"METHOD
    /path"`` (no query, no headers, no body).

    >>> e = ServerError("GET /api/x", status=404, code_text="ERR004", server_message="Not found")
    >>> e.code, str(e)
    (4, 'GET /api/x: HTTP 404 ERR004: Not found')
    """

    def __init__(
        self,
        request: str,
        *,
        status: int | None = None,
        code_text: str | None = None,
        server_message: str = "",
        ticket_id: str | None = None,
        iserver_code: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.request = request
        self.status = status
        self.code_text = code_text
        self.code = parse_code(code_text)
        self.server_message = server_message
        self.ticket_id = ticket_id
        self.iserver_code = iserver_code
        parts = [f"HTTP {status}" if status is not None else None, code_text]
        head = " ".join(p for p in parts if p)
        text = f"{request}: {head}: {server_message}" if head else f"{request}: {server_message}"
        if ticket_id:
            text = f"{text} (ticket {ticket_id})"
        super().__init__(text, hint=hint)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[ServerError], state: dict[str, Any]) -> ServerError:
    error = cls.__new__(cls)
    ValueError.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class LoginFailed(ServerError):
    """The login was refused (HTTP 401 ERR003, or any refusal of ``POST /api/auth/login``).

    >>> issubclass(LoginFailed, ServerError)
    True
    """


class SessionExpired(ServerError):
    """The session is no longer valid (HTTP 401 ERR009); raised once logging in again did not help.

    >>> SessionExpired("GET /api/x", status=401, code_text="ERR009", server_message="x").code
    9
    """


class Forbidden(ServerError):
    """The user lacks a privilege or permission (HTTP 403, ERR014/ERR017).

    >>> issubclass(Forbidden, ServerError)
    True
    """


class NotFound(ServerError):
    """The object or instance does not exist (HTTP 404, ERR004).

    >>> issubclass(NotFound, ServerError)
    True
    """


class InstanceGone(NotFound):
    """The server no longer has the instance of a run (404 ERR004, "message not found").

    The instance was deleted, expired on the server, or never existed; the run cannot be
    resumed and must be submitted again.

    >>> e = InstanceGone("GET /api/x", status=404, code_text="ERR004", server_message="gone")
    >>> isinstance(e, NotFound), e.code
    (True, 4)
    """

    @classmethod
    def of(cls, error: ServerError, what: str) -> InstanceGone:
        """The :class:`InstanceGone` for ``what`` (an instance) from the server's 404."""
        gone = cls(
            error.request,
            status=error.status,
            code_text=error.code_text,
            server_message=(
                f"{what} is gone from the server (deleted, expired or never created): "
                f"{error.server_message}"
            ),
            ticket_id=error.ticket_id,
            iserver_code=error.iserver_code,
            hint="submit the run again",
        )
        return gone


class RunHandleError(DecodeError):
    """A run handle cannot be read: not JSON, not a handle, or for another project.

    >>> str(RunHandleError("not JSON"))
    'run handle: not JSON'
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, where="run handle", hint=hint)


# The server's ERR006 templates name the prompt in these ways (
# https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-execution-errors).
# Read with str.find, not a lazy regex: "prompt name: " repeated in a hostile message made
# the pattern rescan the rest of the text from every occurrence (quadratic).
_NAMED = ("prompt name: ", " key: ")
_TYPED = re.compile(r"for prompt (?P<key>\S+) does not match")
_LOCATE = re.compile(r"Failed to locate the prompt by either (?P<by>key|name|id): ")


def _named(text: str) -> tuple[str, str] | None:
    """(name, key) of "prompt name: NAME key: KEY." in ``text``, in linear time."""
    start = text.find(_NAMED[0])
    if start < 0:
        return None
    start += len(_NAMED[0])
    middle = text.find(_NAMED[1], start)
    if middle < 0:
        return None
    key = text[middle + len(_NAMED[1]) :].split(maxsplit=1)
    if not key or key[0] in (".", ""):
        return None
    return text[start:middle], key[0].removesuffix(".") or key[0]


def _located(text: str) -> tuple[str, str] | None:
    """(by, value) of "Failed to locate the prompt by either BY: VALUE, please"."""
    match = _LOCATE.search(text)
    if match is None:
        return None
    end = text.find(", please", match.end())
    return None if end < 0 else (match.group("by"), text[match.end() : end])


class AnswersRejectedByServer(ServerError):
    """The server rejected prompt answers (HTTP 400 ERR006); names the prompt if it can.

    ``prompt_key`` and ``prompt_name`` are read from the message when the server's
    template names them (most do; "This is a required prompt." does not).

    >>> e = AnswersRejectedByServer("PUT /api/x", status=400, code_text="ERR006",
    ...     server_message="The number of objects provided for prompt name: P key: K@0@10 "
    ...     "exceeds the maximum allowed(3} answers")
    >>> e.prompt_name, e.prompt_key
    ('P', 'K@0@10')
    """

    def __init__(self, request: str, **fields: Any) -> None:
        super().__init__(request, **fields)
        self.prompt_key: str | None = None
        self.prompt_name: str | None = None
        self.prompt_id: str | None = None
        text = self.server_message
        if named := _named(text):
            self.prompt_name, self.prompt_key = named
        elif match := _TYPED.search(text):
            self.prompt_key = match.group("key")
        elif located := _located(text):
            setattr(self, f"prompt_{located[0]}", located[1])


class ExecutionFailed(ServerError):
    """The instance ended in an execution error (status 3).

    >>> issubclass(ExecutionFailed, ServerError)
    True
    """


class TransportError(ServerError):
    """No usable response: connection refused or dropped, timeout, or a malformed reply.

    ``status`` is None when no response arrived.

    >>> str(TransportError("GET /api/x", server_message="read timed out"))
    'GET /api/x: read timed out'
    """


class ServerUnreachable(TransportError):
    """No connection to the server could be made (refused, no route, unknown host).

    The message names the host and port.  Nothing was sent, so nothing happened on the
    server.

    >>> str(ServerUnreachable("GET /api/x", server_message="cannot connect to h:1"))
    'GET /api/x: cannot connect to h:1'
    """


class UnusedAnswers(PromptAnswerError):
    """Some answers matched no prompt of any round, so they were never sent.

    >>> from mstr_prompts.model import PromptRef, ValueAnswer
    >>> str(UnusedAnswers([ValueAnswer(value="1", prompt=PromptRef(key="X@0@10"))]))
    'no round of prompts took the answer for value prompt X@0@10 (hint: check the keys against the prompts (GET …/prompts))'
    """

    def __init__(self, answers: Sequence[Answer]) -> None:
        self.answers = tuple(answers)
        names = ", ".join(a.describe() for a in self.answers)
        plural = "s" if len(self.answers) != 1 else ""
        super().__init__(
            f"no round of prompts took the answer{plural} for {names}",
            hint="check the keys against the prompts (GET …/prompts)",
        )


class NameNotResolved(PromptAnswerError):
    """An element given by name matches no element of its prompt, or more than one.

    >>> str(NameNotResolved("England", "K@0@10", matches=0))
    "element 'England' of prompt K@0@10: no element has this name"
    """

    def __init__(self, name: str, prompt: str, *, matches: int) -> None:
        self.name = name
        self.prompt = prompt
        self.matches = matches
        reason = (
            "no element has this name"
            if matches == 0
            else f"{matches} elements have this name; give the element ID"
        )
        super().__init__(f"element {name!r} of prompt {prompt}: {reason}")


UNSUPPORTED_STATUSES = frozenset({404, 405, 501})
"""What a server answers to an endpoint it does not have (or a method it does not allow)."""


def unsupported(error: ServerError) -> bool:
    """Could ``error`` mean "this server has no such endpoint" (HTTP 404, 405 or 501)?

    >>> unsupported(ServerError("GET /api/x", status=405)), unsupported(ServerError("GET /api/x", status=400))
    (True, False)
    """
    return error.status in UNSUPPORTED_STATUSES


# C0 and C1 controls (ESC, BEL, …) and the bidirectional overrides: a server's text
# must not move a terminal's cursor, ring it, or reorder what it shows.
_CONTROLS = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``), in linear time.

    >>> printable("red\\x1b[31m bell\\x07")
    'red\\\\x1b[31m bell\\\\x07'
    """
    return text.translate(_CONTROLS)


def _lower_keys(body: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in body.items()}


def from_response(
    request: str,
    status: int,
    body: bytes,
    *,
    login: bool = False,
    answering: bool = False,
    redact: Callable[[str], str] | None = None,
) -> ServerError:
    """Build the error for a refused request from its status and body.

    JSON bodies ``{"code", "message", "ticketId", "iServerCode"}`` (keys in any case, or
    wrapped in ``{"errors": [...]}``) are read; any other body gives a clear error too.
    ``redact`` runs on the server's raw message before its whitespace is collapsed, so
    that a secret it echoes is removed in the spelling it was sent in.

    >>> e = from_response("GET /api/x", 401, b'{"code":"ERR009","message":"Expired","IserverCode":-1}')
    >>> type(e).__name__, e.code, e.iserver_code
    ('SessionExpired', 9, -1)
    >>> str(from_response("GET /api/x", 502, b"<html>Bad gateway</html>"))
    'GET /api/x: HTTP 502: the server sent no JSON error body'
    """
    fields = _error_fields(body, redact)
    code = parse_code(fields.get("code_text"))
    cls: type[ServerError] = ServerError
    if login and status in (400, 401):
        cls = LoginFailed
    elif status == 401:
        cls = SessionExpired
    elif status == 403:
        cls = Forbidden
    elif status == 404:
        cls = NotFound
    elif status == 400 and code == 6 and answering:
        cls = AnswersRejectedByServer
    return cls(request, status=status, **fields)


def _error_fields(body: bytes, redact: Callable[[str], str] | None = None) -> dict[str, Any]:
    document: Any = None
    if body.strip():
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            document = None
    if isinstance(document, dict):
        errors = document.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            document = errors[0]
        fields = _lower_keys(document)
        code = fields.get("code")
        message = fields.get("message")
        ticket = fields.get("ticketid")
        iserver = fields.get("iservercode")
        if isinstance(message, str) and redact is not None:
            message = redact(message)  # before the whitespace is collapsed
        return {
            "code_text": printable(code) if isinstance(code, str) else None,
            "server_message": (
                printable(" ".join(message.split())) if isinstance(message, str) else "(no message)"
            ),
            "ticket_id": printable(ticket) if isinstance(ticket, str) else None,
            "iserver_code": (
                iserver if isinstance(iserver, int) and not isinstance(iserver, bool) else None
            ),
        }
    return {"server_message": "the server sent no JSON error body"}
