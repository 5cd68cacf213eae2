"""Attribute element IDs and the presentations MicroStrategy spells them in.

One element, several spellings (docs/element-ids.md;
https://www2.microstrategy.com/producthelp/Current/WebAPIReference/com/microstrategy/web/objects/WebElementHelper.html):

* **old short** ``ATTR:key[:key2…]``: URL API and ``<e ei=…>``; ``*`` escapes the next
  character, so a literal ``:`` inside a key is ``*:`` and ``*`` is ``**``.
* **terse** ``h{key};ATTR[;display]``: REST.  ``\\`` escapes the next character, so ``;``
  inside a field is ``\\;``.  The key part keeps old-short escapes, as MicroStrategy's own
  converter (``DocXtabModel.normalizedFormElementId``) does.  ``h{key};;display`` omits
  the attribute and keeps the name.
* **terse default** ``h{key}``: the attribute comes from context.
* **old long** ``BB:ATTR:arity:nForms:(idx:formType)*:value*``: read only.

:class:`ElementId` holds the meaning (attribute, key values, optional display name) and
prints any presentation.  An ID whose family is recognised but whose structure is not
documented (REST's ``h1874;ATTR:3771``, element types other than concrete, ``HF:…``
consolidation IDs, the terse null ``h\\N``) becomes an :class:`OpaqueElementId`:
kept verbatim, and converting it raises :class:`~mstr_prompts.errors.NotRepresentableError`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationError

from ._base import Model
from ._trusted import build
from .element_text import GUID_PATTERN as GUID_PATTERN
from .element_text import OLD_ESCAPE, TERSE_ESCAPE
from .element_text import Presentation as Presentation
from .element_text import classify as classify
from .element_text import old_short as _old_short
from .element_text import plain_key as plain_key
from .element_text import plain_keys as plain_keys
from .element_text import plain_old_short as plain_old_short
from .element_text import plain_terse as plain_terse
from .element_text import plain_terse_ids as plain_terse_ids
from .element_text import terse as _terse
from .errors import DecodeError, Hint, NotRepresentableError, validation_message
from .rules import text_problem

__all__ = [
    "GUID_PATTERN",
    "ElementId",
    "OpaqueElementId",
    "Presentation",
    "classify",
    "parse_element_id",
    "plain_element_id",
]

_GUID = re.compile(r"[0-9A-Fa-f]{32}")
# The escapes and the plain IDs are defined with the other spellings as text, which
# the codecs read without loading the models here (element_text).
_OLD_ESCAPE = OLD_ESCAPE
_TERSE_ESCAPE = TERSE_ESCAPE
# Terse null marker `\N` (WebElementHelper TERSE_NULL): a null element, not a key "N".
_TERSE_NULL = "\\N"


def _split_escaped(text: str, sep: str, escape: str) -> list[str] | None:
    """Split on unescaped ``sep``, removing escapes; None if ``text`` ends mid-escape."""
    if escape not in text:  # the common case, at C speed
        return text.split(sep)
    parts: list[str] = []
    buf: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            buf.append(ch)
            escaped = False
        elif ch == escape:
            escaped = True
        elif ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    if escaped:
        return None
    parts.append("".join(buf))
    return parts


def _escape_old(key: str) -> str:
    if _OLD_ESCAPE not in key and ":" not in key:  # nearly always: skip two copies
        return key
    return key.replace(_OLD_ESCAPE, _OLD_ESCAPE * 2).replace(":", _OLD_ESCAPE + ":")


def _escape_terse(field: str) -> str:
    if _TERSE_ESCAPE not in field and ";" not in field:
        return field
    return field.replace(_TERSE_ESCAPE, _TERSE_ESCAPE * 2).replace(";", _TERSE_ESCAPE + ";")


class ElementId(Model):
    """A concrete attribute element: its attribute, its key value(s), maybe a display name.

    Compound keys have several values.  ``attribute`` is None when the ID came in terse
    default form (``h11``) and the attribute is known only from context.

    >>> e = ElementId.parse("8D679D5211D3E4981000E787EC6DE8A4:1:2")
    >>> e.keys
    ('1', '2')
    >>> e.to_terse()
    'h1:2;8D679D5211D3E4981000E787EC6DE8A4'
    >>> ElementId.parse("h4;8D679D4111D3E4981000E787EC6DE8A4;40K-50K").display
    '40K-50K'
    """

    kind: Literal["element_id"] = Field(default="element_id", repr=False)
    # A GUID, or the old short form ATTR:key could not be read back (docs/element-ids.md).
    attribute: str | None = Field(default=None, pattern=GUID_PATTERN)
    keys: tuple[str, ...] = Field(min_length=1)
    display: str | None = None

    @staticmethod
    def parse(text: str) -> ElementId | OpaqueElementId:
        """Parse any presentation; see :func:`parse_element_id`.

        >>> ElementId.parse("h1874;8D679D3C11D3E4981000E787EC6DE8A4:3771").kind
        'opaque'
        """
        return parse_element_id(text)

    def with_attribute(self, attribute: str | None) -> ElementId:
        """Return a copy whose attribute is ``attribute``.

        >>> ElementId(keys=("11",)).with_attribute("8D679D4B11D3E4981000E787EC6DE8A4").to_old_short()
        '8D679D4B11D3E4981000E787EC6DE8A4:11'
        """
        return self.model_copy(update={"attribute": attribute})

    def without_display(self) -> ElementId:
        """Return a copy with no display name (the identity alone).

        >>> ElementId(attribute="A" * 32, keys=("1",), display="USA").without_display().display
        """
        return self.model_copy(update={"display": None})

    @property
    def key(self) -> str:
        """The key part as old short and terse write it: values joined by ``:``, escaped.

        >>> ElementId(keys=("a:b", "c")).key
        'a*:b:c'
        """
        keys = self.keys
        if len(keys) == 1:
            return _escape_old(keys[0])
        return ":".join([_escape_old(k) for k in keys])

    def to_old_short(self) -> str:
        """Spell as ``ATTR:key[:key2]`` (URL API, XML ``ei``).  Carries no display name.

        >>> ElementId(attribute="8D679D3711D3E4981000E787EC6DE8A4", keys=("1",)).to_old_short()
        '8D679D3711D3E4981000E787EC6DE8A4:1'
        """
        if self.attribute is None:
            raise NotRepresentableError(
                f"element ID h{self.key} has no attribute; the old short form ATTR:key needs one",
                hint=Hint("give the attribute, e.g. ElementId.with_attribute(guid)", cli=False),
            )
        return _old_short(self.attribute, self.key)

    def to_terse(self, *, include_display: bool = True) -> str:
        """Spell as ``h{key};ATTR[;display]`` (REST); ``h{key}`` if nothing else is known.

        >>> ElementId(keys=("1",), display="Books").to_terse()
        'h1;;Books'
        >>> ElementId(keys=("11",)).to_terse()
        'h11'
        """
        head = "h" + _escape_terse(self.key)
        display = self.display if include_display else None
        if self.attribute is None and display is None:
            return head
        text = _terse(head, self.attribute or "")
        if display is not None:
            text += ";" + _escape_terse(display)
        return text

    def to_terse_default(self) -> str:
        """Spell as ``h{key}``, leaving the attribute to context.

        >>> ElementId(attribute="8D679D3711D3E4981000E787EC6DE8A4", keys=("2",)).to_terse_default()
        'h2'
        """
        return "h" + _escape_terse(self.key)

    def to(self, presentation: Presentation) -> str:
        """Spell in ``presentation``; old long is read only.

        >>> ElementId(attribute="8D679D3711D3E4981000E787EC6DE8A4", keys=("2",)).to(
        ...     Presentation.OLD_SHORT)
        '8D679D3711D3E4981000E787EC6DE8A4:2'
        """
        if presentation is Presentation.OLD_SHORT:
            return self.to_old_short()
        if presentation is Presentation.TERSE:
            return self.to_terse()
        if presentation is Presentation.TERSE_DEFAULT:
            return self.to_terse_default()
        raise NotRepresentableError(
            "the old long (BB:…) presentation is read only: it needs the attribute's "
            "form metadata, which an element ID does not carry"
        )

    def __str__(self) -> str:
        return self.to_terse()


class OpaqueElementId(Model):
    """An element ID of undocumented structure, kept verbatim.

    It round-trips through the format it came from; converting it raises.

    >>> o = parse_element_id("h1874;8D679D3C11D3E4981000E787EC6DE8A4:3771")
    >>> o.to_old_short()
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.NotRepresentableError: element ID 'h1874;8D679D3C11D3E4981000E787EC6DE8A4:3771' has an undocumented structure (terse ID whose attribute field is not a GUID); it is kept verbatim and cannot be converted to the old short form
    """

    kind: Literal["opaque"] = Field(default="opaque", repr=False)
    text: str = Field(min_length=1)
    reason: str = Field(default="undocumented structure", repr=False)

    attribute: None = Field(default=None, repr=False)
    display: None = Field(default=None, repr=False)

    # Identity is the text alone: ``reason`` only explains, so an opaque ID built by
    # hand equals the one the parser makes from the same text.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, OpaqueElementId):
            return self.text == other.text
        return NotImplemented

    def __hash__(self) -> int:
        return hash((OpaqueElementId, self.text))

    @property
    def presentation(self) -> Presentation | None:
        """The presentation family the text looks like."""
        return classify(self.text)

    def _refuse(self, target: str) -> NotRepresentableError:
        return NotRepresentableError(
            f"element ID {self.text!r} has an undocumented structure ({self.reason}); it is "
            f"kept verbatim and cannot be converted to the {target} form"
        )

    def to_old_short(self) -> str:
        """Return the text if it already is old short, else raise.

        >>> parse_element_id("NE:8D679D3711D3E4981000E787EC6DE8A4:2").kind
        'opaque'
        >>> parse_element_id("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345:1").to_old_short()
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345:1'
        """
        if self.presentation is Presentation.OLD_SHORT:
            return self.text
        raise self._refuse("old short")

    def to_terse(self, *, include_display: bool = True) -> str:
        """Return the text if it already is terse, else raise.

        >>> parse_element_id("h1874;8D679D3C11D3E4981000E787EC6DE8A4:3771").to_terse()
        'h1874;8D679D3C11D3E4981000E787EC6DE8A4:3771'
        """
        if self.presentation in (Presentation.TERSE, Presentation.TERSE_DEFAULT):
            return self.text
        raise self._refuse("terse")

    def to_terse_default(self) -> str:
        """Return the text if it already is terse default (``h…`` without ``;``), else raise.

        >>> parse_element_id("w").to_terse_default()  # not a concrete ("h") element
        'w'
        """
        if self.presentation is Presentation.TERSE_DEFAULT:
            return self.text
        raise self._refuse("terse default")

    def to(self, presentation: Presentation) -> str:
        """Return the text if it is in ``presentation`` already, else raise.

        >>> parse_element_id("u;8D679D3711D3E4981000E787EC6DE8A4").to(Presentation.TERSE)
        'u;8D679D3711D3E4981000E787EC6DE8A4'
        """
        if self.presentation is presentation:
            return self.text
        raise self._refuse(presentation.value.replace("_", " "))

    def __str__(self) -> str:
        return self.text


AnyElementId = ElementId | OpaqueElementId


def _bad(text: str, why: str) -> DecodeError:
    return DecodeError(f"malformed element ID {text!r}: {why}")


def _trusted(attribute: str | None, keys: tuple[str, ...], display: str | None) -> ElementId:
    # The parsers below build only valid fields (strings, at least one key), so the
    # model's validation would only cost time: decoding 10,000 elements pays it 10,000x.
    return build(
        ElementId, {"kind": "element_id", "attribute": attribute, "keys": keys, "display": display}
    )


def _parse_keys(text: str, key_part: str) -> tuple[str, ...]:
    keys = _split_escaped(key_part, ":", _OLD_ESCAPE)
    if keys is None:
        raise _bad(text, "it ends in the middle of a '*' escape")
    return tuple(keys)


def _parse_terse(text: str) -> AnyElementId:
    if text[0] != "h":
        return OpaqueElementId(text=text, reason="element type other than concrete ('h')")
    fields = _split_escaped(text[1:], ";", _TERSE_ESCAPE)
    if fields is None:
        raise _bad(text, "it ends in the middle of a '\\' escape")
    if text[1:].startswith(_TERSE_NULL):
        return OpaqueElementId(text=text, reason="terse null element")
    if len(fields) > 3:
        return OpaqueElementId(text=text, reason="more than three terse fields")
    attribute: str | None = None
    display: str | None = None
    if len(fields) >= 2 and fields[1]:
        if not _GUID.fullmatch(fields[1]):
            return OpaqueElementId(text=text, reason="terse ID whose attribute field is not a GUID")
        attribute = fields[1]
    if len(fields) == 3:
        display = fields[2]
    # The key part keeps old-short escapes (MicroStrategy's converter copies them).
    keys = _parse_keys(text, fields[0])
    return _trusted(attribute, keys, display)


def _parse_old_short(text: str) -> AnyElementId:
    attribute = text[:32]
    if not _GUID.fullmatch(attribute):
        return OpaqueElementId(text=text, reason="old short ID whose attribute is not a GUID")
    return _trusted(attribute, _parse_keys(text, text[33:]), None)


def _number(token: str) -> int:
    # ASCII digits only: int() would also take " 1", "+1", "1_0" and other scripts' digits.
    if not (token.isascii() and token.isdigit()):
        raise ValueError(token)
    return int(token)


def _parse_old_long(text: str) -> AnyElementId:
    tokens = _split_escaped(text, ":", _OLD_ESCAPE)
    if tokens is None:
        raise _bad(text, "it ends in the middle of a '*' escape")
    prefix = tokens[0]
    if prefix not in ("BB", "BF"):
        return OpaqueElementId(text=text, reason=f"old long ID of kind {prefix!r}")
    pos = 2 if prefix == "BB" else 3  # "BF" puts one more field before the attribute
    try:
        attribute = tokens[pos - 1]
        arity = _number(tokens[pos])
        n_forms = _number(tokens[pos + 1])
    except (ValueError, IndexError):
        raise _bad(text, "old long fields are missing or not numbers") from None
    # Checked outside the try: DecodeError is a ValueError and would be swallowed there.
    if arity < 1 or n_forms < arity:
        raise _bad(text, f"arity {arity} with {n_forms} forms")
    idx_at = pos + 2
    values_at = idx_at + 2 * n_forms
    try:
        indexes = [_number(tokens[idx_at + 2 * j]) for j in range(n_forms)]
    except (ValueError, IndexError):
        raise _bad(text, "old long form indexes are missing or not numbers") from None
    values = tokens[values_at : values_at + n_forms]
    if len(values) != n_forms or len(tokens) != values_at + n_forms:
        raise _bad(text, f"expected {n_forms} form values")
    keys: dict[int, str] = {}
    extra: list[str] = []
    for idx, value in zip(indexes, values, strict=True):
        if 0 <= idx < arity:
            keys[idx] = value
        else:
            extra.append(value)
    if sorted(keys) != list(range(arity)):
        raise _bad(text, f"not every one of the {arity} key forms has a value")
    if not _GUID.fullmatch(attribute):
        return OpaqueElementId(text=text, reason="old long ID whose attribute is not a GUID")
    # One non-key form is the description (DESC); with several we cannot tell which
    # one the user sees, so no display name is claimed.
    display = extra[0] if len(extra) == 1 else None
    return _trusted(attribute, tuple(keys[i] for i in range(arity)), display)


def plain_element_id(attribute: str, key: str) -> ElementId:
    """The :class:`ElementId` of a plain ID (:func:`plain_key`), from its two parts.

    What :func:`parse_element_id` gives for ``ATTR:key``, without writing and reading
    the text: the attribute string is shared, not cut from the text once per element.
    For decoders' checked parts only (a GUID attribute, a plain key).

    >>> plain_element_id("8D679D3711D3E4981000E787EC6DE8A4", "1:2").keys
    ('1', '2')
    """
    return _trusted(attribute, tuple(key.split(":")), None)


def parse_element_id(text: str) -> AnyElementId:
    """Parse an element ID in any presentation.

    Returns an :class:`ElementId`, or an :class:`OpaqueElementId` when the family is
    known but the structure is not documented.  Raises
    :class:`~mstr_prompts.errors.DecodeError` when ``text`` is no element ID at all.

    >>> parse_element_id("BB:8D679D4B11D3E4981000E787EC6DE8A4:1:2:0:2:1:3:1:Northeast")
    ElementId(attribute='8D679D4B11D3E4981000E787EC6DE8A4', keys=('1',), display='Northeast')
    >>> parse_element_id("h11")
    ElementId(attribute=None, keys=('11',), display=None)
    """
    if not isinstance(text, str):
        raise DecodeError(f"an element ID must be a string, not {type(text).__name__}")
    # Checked once here: every part the parsers cut from valid text is valid text.
    problem = text_problem(text)
    if problem is not None:
        raise _bad(text, problem)
    if len(text) > 32 and text[32] == ":" and _GUID.match(text):
        # Old short with a hex GUID, the spelling of nearly every ei and URL element:
        # no other classifier branch can match a hex digit first and ':' at 32.
        rest = text[33:]
        if _OLD_ESCAPE not in rest:
            return _trusted(text[:32], tuple(rest.split(":")), None)
    presentation = classify(text)
    try:
        if presentation is Presentation.OLD_SHORT:
            return _parse_old_short(text)
        if presentation in (Presentation.TERSE, Presentation.TERSE_DEFAULT):
            return _parse_terse(text)
        if presentation is Presentation.OLD_LONG:
            return _parse_old_long(text)
    except ValidationError as exc:
        # pydantic refuses some str values (e.g. lone surrogates, which no wire format
        # can carry); the brief says a decode raises DecodeError, never ValidationError.
        raise _bad(text, validation_message(exc)) from None
    raise _bad(
        text,
        "it is none of ATTR:key, h{key};ATTR, h{key} or BB:…",
    )
