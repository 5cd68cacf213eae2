"""The reference server's vocabulary: what a route handler is given and what it answers.

:class:`Call` is one request as a handler sees it, :data:`Reply` its answer and
:class:`Refusal` the error it raises (MicroStrategy's error body, :func:`error_body`);
:class:`ServedInstance` is one live instance, :class:`Recorded` one request as the
server saw it and :class:`Fault` an injected misbehaviour.  Every other module of
:mod:`mstr_prompts.testing` builds on these; this module imports none of them but the
catalog.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .catalog import Served

__all__ = [
    "DONE",
    "E_FAIL",
    "JSON",
    "MESSAGE_NOT_FOUND",
    "Call",
    "Fault",
    "Handler",
    "Recorded",
    "Refusal",
    "Reply",
    "ServedInstance",
    "error_body",
    "parse_json",
    "render_sql",
    "reply",
]

JSON = "application/json"

DONE = frozenset({1, 2, 3})
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
    """Whose session created it (:meth:`~.core.ServerCore.owner_of`); another user's
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
    mstr_prompts.testing.wire.Refusal: Malformed JSON in the request body: nesting too deep.
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
