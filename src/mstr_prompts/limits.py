"""The size limit every decoder applies to its input before decoding anything.

Captured answers arrive percent-encoded, form-encoded, HTML-escaped or as a JSON string,
and each layer is undone in memory.  A limit checked only after such a layer has already
paid for it: a 531 MB percent-encoded file became gigabytes of intermediate strings
before the old 32 Mi-character check on the decoded XML could fire.  So the limit is on
the input *as given*, at each decoder's entry, and every later stage can only shrink
the text (decoding ``%3C`` gives one character for three, UTF-8 bytes give at most one
character each), so nothing after the entry check can outgrow it.

The limit is :data:`MAX_SIZE`, 33,554,432 (32 Mi): characters for text, bytes for bytes,
and for a mapping of URL parameters the characters of every name and value together.
Far above any real answer set, low enough that a runaway input fails at once.  Raise it
per call (``xml.decode(text, max_size=64 << 20)``, ``--max-size`` on the command line);
:func:`allowing` raises it for every decoder called inside, which is how a decoder that
calls another (URL → ``promptsAnswerXML`` → XML) keeps the caller's limit.

>>> check("<rsl/>", where="xml")
>>> check("x" * 11, where="url", limit=10)
Traceback (most recent call last):
...
mstr_prompts.errors.InputTooLarge: url: input of 11 characters is over the 10-character limit (hint: raise the limit with max_size=...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import InputTooLarge

__all__ = ["MAX_SIZE", "allowing", "check", "current", "unquote_bytes"]

MAX_SIZE = 32 * 1024 * 1024
"""The default limit: 33,554,432 characters (text) or bytes (bytes input)."""

_LIMIT: ContextVar[int] = ContextVar("mstr_prompts_max_size", default=MAX_SIZE)


def current(max_size: int | None = None) -> int:
    """The limit in force: ``max_size`` when given, else the one :func:`allowing` set.

    >>> current(), current(10)
    (33554432, 10)
    """
    return _LIMIT.get() if max_size is None else max_size


@contextmanager
def allowing(max_size: int | None) -> Iterator[None]:
    """Apply ``max_size`` (``None``: keep the current limit) to every decoder inside.

    >>> with allowing(100):
    ...     current()
    100
    """
    if max_size is None or max_size == _LIMIT.get():
        yield
        return
    if max_size < 0:
        raise ValueError(f"max_size must be 0 or more, not {max_size}")
    token = _LIMIT.set(max_size)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def check(source: object, *, where: str, limit: int | None = None) -> None:
    """Raise :class:`~mstr_prompts.errors.InputTooLarge` if ``source`` is over the limit.

    ``source`` is text (counted in characters) or bytes (counted in bytes); anything
    else is left to the decoder, which measures it its own way.
    """
    if isinstance(source, str):
        unit = "character"
    elif isinstance(source, (bytes, bytearray, memoryview)):
        unit = "byte"
    else:
        return
    size = len(source)
    limit = current(limit)
    if size > limit:
        raise InputTooLarge(size, limit, unit=unit, where=where)


# unquote_to_bytes splits its input at every "%": on a 20 MB text that list alone is many
# times the input, so long texts are decoded a piece at a time.  64 Ki characters: a
# megabyte of densely encoded JSON (every quote, brace and colon a %XX) made a list of
# some 300,000 pieces, about 20 MB of work space, 3x a 6 MB Library link; at 64 Ki the
# work space is about a megabyte, and the decoding is no slower (fewer, smaller lists).
_CHUNK = 1 << 16


def unquote_bytes(text: str, *, plus: bool = False) -> bytes | bytearray:
    """``urllib.parse.unquote_to_bytes`` (``plus``: '+' is a space first), in bounded memory.

    The result is never longer than ``text`` and the work space is about a megabyte, so a
    percent-encoded document costs about its own size again, not fifty times it.  A cut
    never splits a ``%XX``.  Raises ``UnicodeEncodeError`` for a lone surrogate, as
    ``unquote_to_bytes`` does.

    >>> unquote_bytes("%3Crsl+a%3D'1'%2F%3E", plus=True)
    b"<rsl a='1'/>"
    """
    # Imported here: with ipaddress, urllib.parse costs about 2.5 ms, which a command
    # reading XML or REST JSON would otherwise pay for percent-decoding it never does.
    import urllib.parse

    if len(text) <= _CHUNK:
        return urllib.parse.unquote_to_bytes(text.replace("+", " ") if plus else text)
    data = bytearray()
    start, size = 0, len(text)
    while start < size:
        end = min(start + _CHUNK, size)
        # A cut splits a %XX exactly when a "%" is one of the two characters before it.
        while end < size and "%" in text[max(start, end - 2) : end]:
            end += 1
        piece = text[start:end]
        data += urllib.parse.unquote_to_bytes(piece.replace("+", " ") if plus else piece)
        start = end
    return data
