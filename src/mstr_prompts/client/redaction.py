"""Removing secrets from every text the client shows: errors, log lines, ``repr``.

A server can echo what it was sent (a password in a login error, the session token in
a message), and it can echo it in another spelling than the one sent: escaped in JSON
(``\\"`` and ``\\\\``, ``\\u00e9``), percent-encoded as a form or a URL would carry it,
HTML-escaped, as Python's ``repr`` shows it, or with its whitespace collapsed.  A
:class:`Redactor` knows every such spelling of every secret, whatever its length or
characters (a one-letter password and one made of spaces are secrets too), and
replaces each with a mask that cannot itself contain a secret.  Redaction runs on the
server's raw text before any whitespace is collapsed, and once more after.

Errors are redacted in place by :func:`redact_error` (every text field and the
message), so that their type, attributes and traceback stay as they were; the public
methods of the client's classes are wrapped with :func:`redacting`, so that an error
built from a normal reply (a status, an element ID, a prompt definition) is redacted
on its way out as well.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, quote_plus

from ..errors import PromptAnswerError

__all__ = ["Redactor", "forms", "redact_error", "redacting"]

_MASKS = ("***", "[secret]", "#", "")
WITHHELD = "(text withheld: it contained a secret)"
_HEX = re.compile(r"%[0-9A-F]{2}")
# Fields that hold no server text and must keep their exact value (a handle is JSON
# that resumes a run; mangling it would lose the run, and it holds no secret).
_KEEP = frozenset({"handle"})


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def forms(secret: str) -> frozenset[str]:
    """Every spelling in which a server could echo ``secret`` (empty ones left out).

    >>> sorted(forms('a"b c'))[:4]
    ['a"b c', 'a%22b%20c', 'a%22b+c', 'a&quot;b c']
    >>> forms("")
    frozenset()
    """
    if not secret:
        return frozenset()
    spellings = {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret, ensure_ascii=True)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
    }
    for escaped in list(spellings):
        spellings.add(escaped.replace("/", "\\/"))
    for safe in ("", "/"):
        for encoded in (quote(secret, safe=safe), quote_plus(secret, safe=safe)):
            spellings.add(encoded)
            spellings.add(_HEX.sub(lambda m: m.group().lower(), encoded))
    spellings |= {_collapsed(s) for s in spellings}
    spellings.discard("")
    return frozenset(spellings)


class Redactor:
    """Replaces every spelling of the given secrets; idempotent, and total.

    >>> r = Redactor(["pa  ss", "x"])
    >>> r.redact('login "pa ss" refused for pa%20%20ss')
    'login "***" refused for ***'
    >>> r.redact("box")
    'bo***'
    """

    __slots__ = ("_forms", "mask")

    def __init__(self, secrets: Iterable[str | None]) -> None:
        spelled: set[str] = set()
        for secret in secrets:
            if secret:
                spelled |= forms(secret)
        # Longest first, so that a secret containing another is removed whole.
        self._forms = sorted(spelled, key=len, reverse=True)
        self.mask = next(m for m in _MASKS if not any(f in m for f in spelled))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def redact(self, text: str) -> str:
        """``text`` with no spelling of any secret left in it."""
        if not self._forms:
            return text
        for _ in range(8):  # a replacement can join two halves of a secret: repeat
            found = False
            for form in self._forms:
                if form in text:
                    text = text.replace(form, self.mask)
                    found = True
            if not found:
                return text
        return WITHHELD if not any(f in WITHHELD for f in self._forms) else self.mask


def redact_error(error: BaseException, redactor: Redactor) -> BaseException:
    """Redact ``error`` in place: its message, every text attribute, its ``args``.

    >>> from mstr_prompts.client.errors import ServerError
    >>> e = ServerError("POST /api/auth/login", status=401, server_message="bad pw: hunter2")
    >>> str(redact_error(e, Redactor(["hunter2"])))
    'POST /api/auth/login: HTTP 401: bad pw: ***'
    """
    if not redactor:
        return error
    for name, value in list(vars(error).items()):
        if isinstance(value, str) and name not in _KEEP and type(value) is str:
            cleaned = redactor.redact(value)
            if cleaned != value:
                setattr(error, name, cleaned)
    error.args = tuple(redactor.redact(a) if isinstance(a, str) else a for a in error.args)
    return error


class _HasConn(Protocol):
    conn: Any


_C = TypeVar("_C", bound=type)


def redacting(cls: _C) -> _C:
    """Wrap the public methods of ``cls`` (whose instances have ``conn``) to redact errors.

    Every :class:`~mstr_prompts.errors.PromptAnswerError` leaving such a method is
    redacted with the connection's secrets before the caller sees it.
    """
    for name, member in list(vars(cls).items()):
        if name.startswith("_") and name not in ("__enter__", "__exit__"):
            continue
        if not callable(member) or isinstance(member, (staticmethod, classmethod, type)):
            continue
        setattr(cls, name, _wrap(member))
    return cls


def _wrap(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except PromptAnswerError as exc:
            conn = getattr(self, "conn", None)
            redactor = getattr(conn, "redactor", None)
            if callable(redactor):
                redact_error(exc, redactor())
            raise

    return wrapper


# ------------------------------------------------------------------ log lines

_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
"""Every connection that holds secrets; the log filter redacts with all of them."""


def register(conn: Any) -> None:
    """Let the client's log filter redact ``conn``'s secrets from every log line."""
    _LIVE.add(conn)


class _LogFilter(logging.Filter):
    _cached: tuple[tuple[str | None, ...], Redactor] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        live = list(_LIVE)
        if not live:
            return True
        secrets = tuple(secret for conn in live for secret in conn.secrets())
        cached = self._cached
        if cached is None or cached[0] != secrets:
            # One redactor for all: masks chosen so that no connection's secret is in them.
            cached = self._cached = (secrets, Redactor(secrets))
        text = record.getMessage()
        cleaned = cached[1].redact(text)
        if cleaned != text:
            record.msg, record.args = cleaned, ()
        return True


def install_log_filter(logger: logging.Logger) -> None:
    """Redact every line ``logger`` writes (once per logger)."""
    if not any(isinstance(f, _LogFilter) for f in logger.filters):
        logger.addFilter(_LogFilter())
