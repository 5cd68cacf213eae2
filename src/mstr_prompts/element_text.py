"""Element IDs as text: the GUID pattern, the presentations, and plain IDs.

The spellings themselves are described in :mod:`mstr_prompts.element_id`, which parses
them into models and re-exports everything here.  These are the parts that need no
model: the codecs' row paths (:mod:`mstr_prompts.rows`) read and write plain IDs with
them without loading pydantic's model machinery.

>>> plain_terse("8D679D3711D3E4981000E787EC6DE8A4", "1")
'h1;8D679D3711D3E4981000E787EC6DE8A4'
"""

from __future__ import annotations

import enum

__all__ = [
    "GUID_PATTERN",
    "OLD_ESCAPE",
    "TERSE_ESCAPE",
    "Presentation",
    "classify",
    "old_short",
    "plain_key",
    "plain_keys",
    "plain_old_short",
    "plain_terse",
    "plain_terse_ids",
    "terse",
]

GUID_PATTERN = r"^[0-9A-Fa-f]{32}$"
"""A GUID as MicroStrategy writes it: 32 hex digits, no dashes."""

OLD_ESCAPE = "*"
"""The old-short escape (Web's mojo getElementArity, and the Web SDK's ``*:``)."""

TERSE_ESCAPE = "\\"
"""The terse escape (WebElementHelper.SEPARATOR_TERSE_ESCAPE, in the page cited in
:mod:`mstr_prompts.element_id`)."""


class Presentation(str, enum.Enum):
    """The spellings of an element ID (``WebElementHelper`` presentations).

    >>> Presentation("terse") is Presentation.TERSE
    True
    """

    OLD_SHORT = "old_short"
    TERSE = "terse"
    TERSE_DEFAULT = "terse_default"
    OLD_LONG = "old_long"


def classify(text: str) -> Presentation | None:
    """Name the presentation of ``text`` the way MicroStrategy's own classifier does.

    This mirrors ``getIdPresentation`` in Web's ``elementHelper.js`` (docs/element-ids.md); it
    looks only at the shape, not at whether the rest is well formed.

    >>> classify("8D679D3711D3E4981000E787EC6DE8A4:1")
    <Presentation.OLD_SHORT: 'old_short'>
    >>> classify("h1;8D679D3711D3E4981000E787EC6DE8A4").value
    'terse'
    >>> classify("USA") is None
    True
    """
    if not text:
        return None
    c0 = text[0]
    if "g" <= c0 <= "w" or "V" <= c0 <= "Z":
        escaped = False
        for ch in text[1:]:
            if escaped:
                escaped = False
            elif ch == TERSE_ESCAPE:
                escaped = True
            elif ch == ";":
                return Presentation.TERSE
        return Presentation.TERSE_DEFAULT
    if "B" <= c0 <= "Q" and len(text) > 2 and "A" <= text[1] <= "Q" and text[2] == ":":
        return Presentation.OLD_LONG
    if len(text) >= 33 and text[32] == ":":
        return Presentation.OLD_SHORT
    return None


def old_short(attribute: str, key: str) -> str:
    """``ATTR:key``: the old short spelling of an escaped key part.

    >>> old_short("8D679D3711D3E4981000E787EC6DE8A4", "1:2")
    '8D679D3711D3E4981000E787EC6DE8A4:1:2'
    """
    return f"{attribute}:{key}"


def terse(head: str, attribute: str) -> str:
    """``h{key};ATTR``: the terse spelling of a head ``h{key}`` (already escaped).

    >>> terse("h1", "8D679D3711D3E4981000E787EC6DE8A4")
    'h1;8D679D3711D3E4981000E787EC6DE8A4'
    """
    return f"{head};{attribute}"


# --- plain IDs ------------------------------------------------------------------------
# Decoders keep element lists as the wire's ID texts until a caller needs the models
# (model.py, "deferred answers").  They do so only for *plain* IDs: a concrete element
# of a GUID attribute whose key part needs no escape in either presentation.  Such an ID
# is spelled ATTR:key in old short and h{key};ATTR in terse, the same key text in both,
# so converting it is a matter of moving the two parts (functions below), and parsing it
# gives an ElementId with that attribute and no display name.

_NOT_PLAIN = (OLD_ESCAPE, TERSE_ESCAPE, ";")


def plain_key(key: str) -> bool:
    """True when ``key`` (a key part as written) needs no escape in old short or terse.

    >>> plain_key("1:2"), plain_key("a;b"), plain_key("a*:b")
    (True, False, False)
    """
    return OLD_ESCAPE not in key and TERSE_ESCAPE not in key and ";" not in key


def plain_keys(keys: str) -> bool:
    """:func:`plain_key` for many key parts at once, given joined by any separator.

    >>> plain_keys("1,2,3"), plain_keys("1,2*,3")
    (True, False)
    """
    # _NOT_PLAIN, spelled out: a generator over three characters cost more than the
    # three searches (a list of eight elements is checked once per prompt).
    return OLD_ESCAPE not in keys and TERSE_ESCAPE not in keys and ";" not in keys


def plain_terse(attribute: str, key: str) -> str:
    """The terse spelling ``h{key};ATTR`` of a plain ID.

    >>> plain_terse("8D679D3711D3E4981000E787EC6DE8A4", "1")
    'h1;8D679D3711D3E4981000E787EC6DE8A4'
    """
    return terse("h" + key, attribute)


def plain_terse_ids(attribute: str, keys: list[str]) -> list[str]:
    """:func:`plain_terse` for many keys of one attribute.

    >>> plain_terse_ids("8D679D3711D3E4981000E787EC6DE8A4", ["1", "2"])[1]
    'h2;8D679D3711D3E4981000E787EC6DE8A4'
    """
    suffix = terse("", attribute)
    return [f"h{key}{suffix}" for key in keys]  # one string built: faster than two "+"


def plain_old_short(attribute: str, key: str) -> str:
    """The old short spelling ``ATTR:key`` of a plain ID.

    >>> plain_old_short("8D679D3711D3E4981000E787EC6DE8A4", "1")
    '8D679D3711D3E4981000E787EC6DE8A4:1'
    """
    return old_short(attribute, key)
