"""Plain prompt-answer XML read straight from its text, without building lxml's tree.

Nearly every document is a ``<rsl>`` of ``<pa>`` elements spelled one way, or a few ways
when several tools wrote it: value text, ``<mi><es>`` element lists, ``<mi><fct>`` object
lists.  Walking lxml's tree of
such a document from Python costs more than parsing it (about 1.5 µs per ``<e>`` for the
reads an element needs), while a regular expression over the text reads a whole list in
one C-level pass.  :func:`read` does that for a strict textual subset of XML 1.0 and
returns None, as early in the text as it can, for anything outside it; the codec
(:mod:`mstr_prompts.xml`) then parses the document as before, so every result and every
error message is the tree path's.  Nothing here raises on any input.

The subset (https://www.w3.org/TR/xml/ section numbers), checked as text:

* §2.2 Char: no character XML 1.0 forbids (C0 controls other than tab and LF, lone
  surrogates, U+FFFE, U+FFFF), checked in C-level passes (:func:`_survey`), on the
  bytes the text was read from when the codec has them.
* §2.11 end-of-line handling: CR LF and lone CR are read as LF before anything else, as
  the parser does.
* §2.3 S: whitespace is space, tab and LF (CR is gone); it may indent elements and sit
  inside tags around ``=`` and before ``>`` or ``/>``.  ``str.isspace`` accepts more
  (the tree path's rule for indentation): such text is left to the tree path.
* §2.3 Name: ASCII letters, digits, ``_ . -`` only, at most 1,000 characters; no ``:``,
  so no namespace prefix, and no ``xmlns`` anywhere.
* §2.3 AttValue: double or single quotes, no ``<``, no literal tab or LF (§3.3.3 would
  turn them into spaces); an attribute name at most once per tag (§3.1 "Unique Att Spec").
* §2.4 CharData: value text without ``<``; no ``]]>`` anywhere.
* §4.6 and §4.1: ``&lt; &gt; &amp; &quot; &apos;`` and character references to a Char
  (:func:`unescape`); any other ``&`` leaves the document to the parser.
* No ``<!`` (comments, CDATA, DTD) and no ``<?`` but one leading XML declaration of
  version 1.0 (encoding UTF-8, if named: the text is already decoded).
* No text node or attribute value over :data:`MAX_TEXT` characters (libxml2 refuses
  those over 10,000,000 bytes; a character is at most 4).
* The shapes: ``<rsl>`` (any attributes; ``lcl`` is returned as written) holding only
  ``<pa>`` elements and whitespace; a ``<pa>`` identified by ``pt pin did tp`` or ``key``
  in any order; its body empty, text, or ``<mi>`` holding one ``<es>`` (an optional
  leading ``<at>``, then ``<e>`` items) or one ``<fct>`` (items of any tag), each item
  empty (self-closed or ``<x …></x>``).  Attributes the codec ignores may be present.
* At most :data:`_SPELLINGS` spellings (attribute names and quotes in order) of
  ``<pa>`` in a document, and as many of ``<e>`` and of object items in the lists read
  together (:func:`_read_lists`) or in one list: the
  text is split once by the alternatives of the spellings met (:class:`_Spellings`:
  those of the first few tags, then of each tag a split leaves), so that a document
  several tools wrote costs a pass or two more than one of a single spelling.
* An expression's ``<pa>`` body, ``<exp>…</exp>``, of the shapes
  :func:`mstr_prompts.expression_xml.scan_text_row` reads from the text (compact or
  indented, empty elements self-closed or written as pairs): its row, made with no
  model class (``mstr_prompts._expression_scan``); an empty ``<exp/>``: a
  :class:`Closing`.

A ``<pa>`` of another shape (an ``<exp>`` the scan does not read, a ``<dmy>``, an item
with content, an unusual attribute value) is returned as a :class:`Piece`, its text, for
the codec to parse alone; an empty answer as a :class:`Closing`.  Past
:data:`_SLOW_READS` such pieces (or lists read item by item), the document is left to
the tree: each costs more than its share of one parse.  So it is past a budget of work
(:meth:`_Lists.pass_over`, :meth:`_Lists.one_by_one`): the splits' characters, up to
:data:`_PASSES` times the text's, and :data:`_ONE_BY_ONE` list items read one at a time.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, chain, compress, repeat
from operator import and_, attrgetter, is_not, itemgetter, not_, or_, sub, truth
from typing import Any, NamedTuple, cast

from ._lazy import lazy as _lazy  # compiled on first use
from .element_text import plain_keys
from .enums import PromptFamily, ValueType
from .row_kinds import ELEMENTS_ROW, OBJECTS_ROW, VALUE_ROW
from .rules import MAX_OBJECT_TYPE, ascii_number, is_digits

__all__ = [
    "FAMILY_OF_PT",
    "MAX_TEXT",
    "PT_OF_FAMILY",
    "PT_OF_TYPE",
    "TYPE_OF_PT",
    "Closing",
    "Piece",
    "Scan",
    "expression_answer",
    "read",
    "unescape",
]

# --- vocabulary shared with the codec -----------------------------------------------------

# pt = EnumDSSXMLPromptType (https://www2.microstrategy.com/producthelp/2021/WebAPIReference/com/microstrategy/webapi/EnumDSSXMLPromptType.html): the value members.
PT_OF_TYPE: dict[ValueType, int] = {
    ValueType.BOOLEAN: 1,
    ValueType.LONG: 2,
    ValueType.STRING: 3,
    ValueType.DOUBLE: 4,
    ValueType.DATE: 5,
    ValueType.BIG_DECIMAL: 16,
}
TYPE_OF_PT: dict[int, ValueType] = {pt: vt for vt, pt in PT_OF_TYPE.items()}
# pt of the other families (same enum): 6 objects, 7 elements, 8 expression, 13 dimty.
PT_OF_FAMILY: dict[PromptFamily, int] = {
    PromptFamily.OBJECTS: 6,
    PromptFamily.ELEMENTS: 7,
    PromptFamily.EXPRESSION: 8,
    PromptFamily.LEVEL: 13,
}
FAMILY_OF_PT: dict[int, PromptFamily] = {pt: f for f, pt in PT_OF_FAMILY.items()}
FAMILY_OF_PT.update({pt: PromptFamily.VALUE for pt in TYPE_OF_PT})


# --- grammar constants --------------------------------------------------------------------

MAX_TEXT = 10_000_000 // 4
"""The longest text node or attribute value read here, in characters (see the module)."""

_WS = " \t\n"
_S = "[ \t\n]"  # §2.3 S, once CR is gone (§2.11)
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]{0,999}"  # an ASCII subset of §2.3 Name, no ':'
# §2.3 AttValue without '<', and without a literal tab or LF (§3.3.3 would change them).
_DQ = '[^"<\t\n]*'
_SQ = "[^'<\t\n]*"
_ATTRS = rf"""(?:{_S}+{_NAME}{_S}*={_S}*(?:"{_DQ}"|'{_SQ}'))*"""
_ATTR = _lazy(rf"""({_NAME}){_S}*={_S}*(?:(")({_DQ})"|(')({_SQ})')""")
# §2.8 XMLDecl, version 1.0, encoding UTF-8 if named (the text is decoded already).
_DECLARATION = _lazy(
    rf"""<\?xml{_S}+version{_S}*={_S}*(?:"1\.0"|'1\.0')"""
    rf"""(?:{_S}+encoding{_S}*={_S}*(?:"(?i:utf-8)"|'(?i:utf-8)'))?"""
    rf"""(?:{_S}+standalone{_S}*={_S}*(?:"(?:yes|no)"|'(?:yes|no)'))?{_S}*\?>"""
)
_RSL_OPEN = _lazy(rf"{_S}*<rsl({_ATTRS}){_S}*(/?)>")
_RSL_CLOSE = _lazy(rf"</rsl{_S}*>{_S}*")
_BLANK = _lazy(f"{_S}*")  # matches anywhere: whitespace, maybe none
_PA_TEXT = _lazy("<pa")
_PA_END = _lazy(rf"</pa{_S}*>")
_PA_ANY = _lazy(rf"(<pa({_ATTRS}){_S}*(/?)>)")
_E_ANY = _lazy(rf"{_S}*<e({_ATTRS}){_S}*(?:/>|></e{_S}*>)")
_ITEM_ANY = _lazy(rf"{_S}*<({_NAME})({_ATTRS}){_S}*(?:/>|></\1{_S}*>)")
_NOT_BLANK = _lazy("[^ \t\n\0]")  # in a split's gaps, joined: where an item was left
# §4.6 predefined entities and §4.1 character references.
_REFERENCE = _lazy(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_GUID = _lazy(r"[0-9A-Fa-f]{32}")
_PLAIN_PT: dict[str, int] = {str(pt): pt for pt in FAMILY_OF_PT}
_PLAIN_TP: dict[str, int] = {str(n): n for n in range(1, 100)}
_SLOW_READS = 8  # see _Lists.slow
_DENSE_REFERENCES = 6  # more than one '&' in 2**6 characters: see _read
_MAX_SPELLINGS = 256  # compiled patterns remembered: they come from the input
# The spellings of <pa>s in a document, or of items in a document's lists, that a
# split reads (_prompts, _items_by_spelling); more are left to the tree.
_MAX_ATTRIBUTES = 64  # on one tag: far more than any writer puts (see _spelling)
_SPELLINGS = 8
# The regular expressions' passes a document may take (_Lists.pass_over): this many times
# its length, and a little more for a short one (the documents of the bench take at most
# three); and the list items it may read one at a time (_Lists.one_by_one).
_PASSES = 6
_PASS_SLACK = 1 << 17
_ONE_BY_ONE = 512
_SAMPLE = 16  # list items whose spellings are read one by one first (_items_by_spelling)


class Closing(NamedTuple):
    """An empty answer: it closes the prompt ``key`` (of ``family``, if known)."""

    key: str
    family: PromptFamily | None
    attribute: str | None = None


class Piece(NamedTuple):
    """A ``<pa>`` of a shape read only by the tree: its text, for the codec to parse."""

    text: str


class Scan(NamedTuple):
    """What :func:`read` found: ``items`` (rows, with a :class:`Closing` or a
    :class:`Piece` at each index of ``marks``) and ``<rsl>``'s ``lcl`` as written."""

    items: list[Any]
    lcl: str | None
    marks: list[int]


class _Fallback(Exception):
    """The document is outside the subset: the tree path reads it."""


def unescape(text: str) -> str | None:
    """``text`` with its references replaced (§4.6, §4.1), or None if one is not plain.

    >>> unescape("Caf&#xE9; &amp; Bar"), unescape("&nbsp;"), unescape("&#0;")
    ('Café & Bar', None, None)
    >>> unescape("&amp;lt; &quot;&lt;&gt;&apos;&amp;")
    '&lt; "<>\\'&'
    """
    if "&" not in text:
        return text
    # Predefined entities: C-level counts and replaces (a callback per reference cost
    # three times as much), '&amp;' last so that '&amp;lt;' stays '&lt;'.  Each other
    # kind is replaced only while some '&' is unaccounted for, and the replace counts
    # it (by the length it took off): no count per kind first.
    left = text.count("&")
    amps = text.count("&amp;")
    left -= amps
    out = text
    if left:
        for entity, char, shorter in _OTHER_ENTITIES:
            replaced = out.replace(entity, char)
            left -= (len(out) - len(replaced)) // shorter
            out = replaced
            if not left:
                break
        else:
            # character references, or a bare '&' or another entity (&nbsp;)
            return _referenced(text)
    return out.replace("&amp;", "&") if amps else out


# The predefined entities but '&amp;', the likelier first, with their characters and what
# each replacement takes off the length.
_OTHER_ENTITIES = tuple(
    (f"&{name};", _PREDEFINED[name], len(name) + 1) for name in ("quot", "lt", "gt", "apos")
)


def _referenced(text: str) -> str | None:
    """:func:`unescape` of a text with character references (or a reference that is
    not plain: then None)."""
    parts = _REFERENCE.split(text)  # text, then name, decimal, hex for each reference
    out = [parts[0]]
    for index in range(1, len(parts), 4):
        name, decimal, hexadecimal, after = parts[index : index + 4]
        if name:
            out.append(_PREDEFINED[name])
        else:
            code = int(decimal) if decimal else int(hexadecimal, 16)
            if not (
                code in (0x9, 0xA, 0xD)
                or 0x20 <= code <= 0xD7FF
                or 0xE000 <= code <= 0xFFFD
                or 0x10000 <= code <= 0x10FFFF
            ):
                return None  # §2.2: not a Char
            out.append(chr(code))
        out.append(after)
    if any("&" in part for part in parts[::4]):
        return None  # a bare '&' or another entity (&nbsp;): the parser's to refuse
    return "".join(out)


def _attributes(text: str) -> dict[str, str]:
    """The attributes of a tag's attribute text (matched by _ATTRS), references replaced."""
    found = _ATTR.findall(text)
    values: dict[str, str] = {}
    for name, dq, dv, _sq, sv in found:
        value = unescape(dv if dq else sv)
        if value is None or name in values:
            raise _Fallback  # a bad reference, or a duplicate attribute (§3.1)
        values[name] = value
    return values


def _spelling(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An attribute text's names and quotes, in order."""
    found = _ATTR.findall(text)
    if len(found) > _MAX_ATTRIBUTES:
        raise _Fallback  # its pattern would take time quadratic in them to compile
    names = tuple(f[0] for f in found)
    if len(set(names)) != len(names):
        raise _Fallback
    return names, tuple(f[1] or f[3] for f in found)


def _value(quote: str) -> str:
    return _DQ if quote == '"' else _SQ


def _attribute_patterns(
    names: tuple[str, ...],
    quotes: tuple[str, ...],
    guid: str | None = None,
    literal: str | None = None,
    capture: bool = True,
) -> str:
    """The attributes of one spelling, a group per value; with ``guid`` (a pattern: an
    attribute GUID escaped, or a group that reads any GUID), ``ei`` is that GUID and ':',
    then a group for the key part.

    With ``literal`` (the attribute text of a tag of this spelling), the whitespace
    around names and ``=`` is the one written there, to the character: a pattern of
    literals reads a list in a third less time than one of ``[ \t\n]*``.  Without
    ``capture``, the values are not groups.
    """
    groups = []
    for name, quote in zip(names, quotes, strict=True):
        value = f"({_value(quote)})" if capture else _value(quote)
        groups.append(f"{guid}:{value}" if guid and name == "ei" else value)
    if literal is None:
        return "".join(
            f"{_S}+{re.escape(name)}{_S}*={_S}*{quote}{group}{quote}"
            for name, quote, group in zip(names, quotes, groups, strict=True)
        )
    out = []
    position = 0
    for found, group in zip(_ATTR.finditer(literal), groups, strict=True):
        start, end = found.span(3) if found.group(2) else found.span(5)
        out.append(re.escape(literal[position:start]))
        out.append(group)
        position = end
    out.append(re.escape(literal[position:]))
    return "".join(out)


class _Spelling(NamedTuple):
    """A compiled spelling of list items: its pattern, the stride of its split, and
    where each attribute's values start in the split (0: absent)."""

    pattern: re.Pattern[str]
    stride: int
    at: dict[str, int]
    guid: str = ""  # an element list's attribute, written in the pattern


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(source)
    if pattern is None:
        pattern = re.compile(source)
        if len(_PATTERNS) < _MAX_SPELLINGS:
            _PATTERNS[source] = pattern
    return pattern


def _blank(parts: list[str]) -> bool:
    return not "".join(parts).strip(_WS)


def _decoded(column: list[Any]) -> list[Any]:
    """A column of values (str or None) with references replaced, all in one string: NUL
    never occurs in XML text (_survey), so it separates them.  _Fallback on a bad one."""
    try:
        # A None (an item without the attribute) makes join refuse: a test for one
        # first ('None in column') cost twice the join.
        joined = "\0".join(column)
    except TypeError:
        # Items of other spellings: their values re-spread in Python, only if one of
        # the others holds a reference (a C-level look first).
        if "&" not in "".join(filter(None, column)):
            return column
        present = [v for v in column if v is not None]
        given = iter(_decoded(present))
        return [None if v is None else next(given) for v in column]
    if "&" not in joined:
        return column
    decoded = unescape(joined)
    if decoded is None:
        raise _Fallback
    return decoded.split("\0")


def _checked(column: list[Any]) -> None:
    """_Fallback if a value of ``column`` (str or None) holds a reference that is not
    plain: :func:`_decoded`'s check, for values not kept (nothing re-spread)."""
    try:
        joined = "\0".join(column)
    except TypeError:  # an item of another spelling: '' and None hold no reference
        joined = "\0".join(filter(None, column))
    if "&" in joined and unescape(joined) is None:
        raise _Fallback


def _long(column: list[Any]) -> bool:
    return bool(column) and max(len(v) for v in column if v is not None) > MAX_TEXT


def _survey(text: str, data: bytes | None) -> bytes | None:
    """The bytes of ``text`` (or ``data``, the UTF-8 bytes it was read from) that
    :func:`_read` looks at, in order, all others deleted: ``&``, ``!``, ``?``, ``]``, CR,
    the C0 controls XML 1.0 forbids (§2.2), and in UTF-8 the byte 0xEF that starts
    U+FFFE and U+FFFF (and little else text holds); None for a lone surrogate.

    One C-level pass answers several questions at once (how many references, whether a
    comment, PI, ']]>' or CR may be there, whether a character is not a Char), each
    then asked of the few bytes left, or of the text only when its byte is there.  The
    UTF-8 decoder refused lone surrogates in ``data``; ``text`` is encoded here, as
    Latin-1 when CPython holds it one byte a character (a copy: a third of the cost),
    else as UTF-8, whose encoder refuses them.
    """
    if data is None:
        if text.isascii() or _one_byte(text):
            try:
                return text.encode("latin-1").translate(None, _UNSURVEYED_LATIN)
            except UnicodeEncodeError:  # pragma: no cover - _one_byte is a guess
                pass
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None  # a lone surrogate
    return data.translate(None, _UNSURVEYED)


def _one_byte(text: str) -> bool:
    """True when CPython holds ``text`` one byte a character (every character below
    U+0100, PEP 393), by its size: a guess elsewhere, confirmed by the encoder."""
    return sys.getsizeof(text) - len(text) == _ONE_BYTE_OVERHEAD


_ONE_BYTE_OVERHEAD = sys.getsizeof("\xe9") - 1  # a header and a NUL (two bytes a char: more)

# The bytes _survey keeps: '&', '!', '?', ']', CR and the C0 controls but tab and LF; in
# UTF-8, 0xEF (in Latin-1 it is 'ï', and no U+FFFE can be there).
_SURVEYED = bytes([*range(0x9), 0xB, 0xC, *range(0xD, 0x20), *b"&!?]"])
_UNSURVEYED = bytes(sorted(set(range(0x100)) - {*_SURVEYED, 0xEF}))
_UNSURVEYED_LATIN = bytes(sorted(set(range(0x100)) - set(_SURVEYED)))
_LOOKED_AT = b"!?]\r\xef"  # what _read looks for; any other byte _survey keeps: not a Char


class _Lists:
    """The spellings met so far in one document, tried first for the next list (a
    document spells its lists alike), and the attributes of its ``<at>`` and list tags."""

    __slots__ = ("attributes", "budget", "e", "item", "items", "large", "slow", "spellings")

    def __init__(self, large: bool, size: int = 0) -> None:
        self.large = large
        # The characters the regular expressions' passes may read (see pass_over).
        self.budget = _PASSES * size + _PASS_SLACK
        self.items = _ONE_BY_ONE  # the list items left to read one at a time
        # Lists read item by item, and <pa>s left for the codec to parse alone: each costs
        # more than its share of one parse, so past a few the tree path is cheaper.
        self.slow = 0
        # the last spelling of each kind of list item: its pattern and attribute names
        self.e: _Spelling | None = None
        self.item: _Spelling | None = None
        self.attributes: dict[str, dict[str, str]] = {}
        # the spellings met by the joined reads of each tag ('' any), kept for the next
        self.spellings: dict[str, _Spellings] = {}

    def spelled(self, tag: str, needed: tuple[str, ...]) -> _Spellings:
        """The spellings of ``tag`` items the document's joined lists met so far."""
        found = self.spellings.get(tag)
        if found is None:
            found = self.spellings[tag] = _Spellings(needed)
        return found

    def spend(self) -> None:
        """Count one slow read; past :data:`_SLOW_READS`, leave the document to the tree."""
        self.slow += 1
        if self.slow > _SLOW_READS:
            raise _Fallback

    def pass_over(self, size: int) -> None:
        """Count a pass over ``size`` characters of the document; past the budget (a few
        passes over the whole text), leave the document to the tree, whose parse is one.

        Every split is counted as it is made, so that no spelling of the text, however
        many writers' or however late in a long list, costs more than a few passes (a
        list of many late spellings, split by ever more alternatives, cost three to
        five times the tree's time before).
        """
        self.budget -= size
        if self.budget < 0:
            raise _Fallback

    def one_by_one(self, region: str) -> None:
        """Count the items of ``region``, about to be read one at a time (a match and a
        dict an item: about four times the tree's cost); past :data:`_ONE_BY_ONE` in the
        document, leave it to the tree.  One '<' an item, two with its end tag: values
        hold no '<'."""
        self.items -= region.count("<") - region.count("</")
        if self.items < 0:
            raise _Fallback

    def parsed(self, text: str) -> dict[str, str]:
        found = self.attributes.get(text)
        if found is None:
            found = _attributes(text)
            self.attributes[text] = found  # bounded by the document's tags
        return found


def read(text: str, data: bytes | None = None) -> Scan | None:
    """The rows of ``text`` if it is plain prompt-answer XML (see the module), else None.

    ``data``, if given: the bytes ``text`` was read from as UTF-8, less whitespace or a
    byte-order mark before it (every character of ``text`` but an ``<rsl>`` wrapper is
    there); the characters are then checked on them, in fewer passes.

    >>> scan = read('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" '
    ...             'tp="10">Web &amp; co</pa></rsl>')
    >>> scan.items
    [('value', '2294C41E44244ADAED930CB4E00A9DA0@0@10', 'Web & co', <ValueType.STRING: 'string'>)]
    >>> read("<rsl><!-- a comment --></rsl>") is None
    True
    >>> read("<rsl>\x01</rsl>", b"<rsl>\x01</rsl>") is None
    True
    """
    try:
        return _read(text, data)
    except _Fallback:
        return None
    except (ValueError, LookupError, TypeError):  # pragma: no cover - a bug of ours
        # Whatever went wrong here, the tree path reads the document and words any error;
        # tests/test_xml_text.py checks that the documents this should read are read.
        return None


def _read(text: str, data: bytes | None = None) -> Scan | None:
    # References replaced in Python cost more than the parser's C, on text that is not
    # ASCII (a str of two bytes a character) and dense with them: the parse is cheaper
    # (bench: "200 value prompts of 2 KB", one '&' in 30 characters).  Without the bytes,
    # counted before the text is encoded for _survey, which such a document need not pay.
    dense = len(text) >> _DENSE_REFERENCES
    if data is None and not text.isascii() and "&" in text and text.count("&") > dense:
        return None
    surveyed = _survey(text, data)  # one pass: see _survey
    if surveyed is None:
        return None  # §2.2: a lone surrogate
    cr = question = False
    if surveyed:
        references = surveyed.count(b"&")
        if references > dense and not text.isascii():
            return None
        left = surveyed.replace(b"&", b"") if references else surveyed
        if left:
            if left.translate(None, _LOOKED_AT):
                return None  # §2.2: a C0 control other than tab, LF and CR
            if b"!" in left and _after_lt(text, "!", 0):
                return None  # §2.5 comments, §2.7 CDATA, §2.8 DTD
            if b"]" in left and "]]>" in text:
                return None  # §2.4: ']]>' in text
            if b"\xef" in left and ("\ufffe" in text or "\uffff" in text):
                return None  # §2.2: not a Char
            cr = b"\r" in left
            question = b"?" in left
    alike = _pa_alike(text)
    if "xmlns" in text:
        return None  # namespaces
    if cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # §2.11
    start = 0
    if text.startswith("<?"):
        declaration = _DECLARATION.match(text)
        if declaration is None:
            return None
        start = declaration.end()
    if question and _after_lt(text, "?", start):  # §2.6 PIs
        return None
    opening = _RSL_OPEN.match(text, start)
    if opening is None:
        return None
    lcl = _attributes(opening.group(1)).get("lcl")
    if opening.group(2):  # <rsl/>
        return Scan([], lcl, []) if not text[opening.end() :].strip(_WS) else None
    end = text.rfind("</rsl")
    if end < opening.end() or not _RSL_CLOSE.fullmatch(text, end):
        return None
    if _BLANK.match(text, opening.end()).end() == end:  # type: ignore[union-attr]
        return Scan([], lcl, [])
    lists = _Lists(len(text) > MAX_TEXT, len(text))
    return _prompts(text, opening.end(), end, lcl, lists, alike)


def _after_lt(text: str, char: str, start: int) -> bool:
    """True when ``'<' + char`` occurs in ``text`` from ``start``: found from ``char``,
    rarer in a document than '<' (a search for the pair stops at every tag)."""
    at = start - 1
    for _ in range(64):
        at = text.find(char, at + 1)
        if at == -1:
            return False
        if at > start and text[at - 1] == "<":
            return True
    return text.find("<" + char, start) != -1


def _pa_alike(text: str) -> bool:
    """Whether the ``<pa>``s of ``text`` look spelled alike: the next few start as the
    first one does, up to its first value (``<pa pt="``).  The spellings of a document
    spelled several ways are then met before its split (:func:`_prompts`), rather than
    after one in vain."""
    first = _PA_ANY.search(text)
    if first is None:
        return True  # no <pa>, or one the checks below refuse
    lead = _ATTR.search(first.group(2))
    if lead is None:
        return False  # a <pa> of no attribute: a Piece, beside whatever else
    prefix = "<pa" + first.group(2)[: lead.start(3) if lead.group(2) else lead.start(5)]
    at = first.start()
    for _ in range(8):  # the next few: a document spelled several ways is usually so early
        at = text.find("<pa", at + 1)
        if at == -1:
            break
        if not text.startswith(prefix, at):
            return False
    return True


# A list's head after a <pa>'s '>', read by the <pa> split (_pa_pattern): the whole head,
# then the attribute texts of <es>, of its leading <at> and of <fct> (those of the other
# kind: None).  The same tags as _ES_OPEN and _FCT_OPEN read.
_HEAD = (
    rf"({_S}*<mi{_S}*>{_S}*<(?:es(%(es)s){_S}*>"
    rf"(?:{_S}*<at(%(at)s){_S}*(?:/>|></at{_S}*>))?|fct(%(fct)s){_S}*>))"
)
_HEAD_GROUPS = 4
# A <pa>'s groups after its attributes': '/>', a value's text, and the head's.
_PA_TAIL_GROUPS = 2 + _HEAD_GROUPS
_HEAD_ANY = _lazy(_HEAD % {"es": _ATTRS, "at": _ATTRS, "fct": _ATTRS})
_HEAD_SAMPLE = 1 << 14  # the characters searched for the first list, and between lists
_HEAD_LISTS = 4  # the lists whose heads are read for their spellings, at most


def _head(text: str) -> str:
    """:data:`_HEAD`, each tag's attributes tried first as the first such tag of the
    first few lists of ``text`` spells them (names, quotes and whitespace; any values),
    then as any tag may: a pattern of literals reads an ``<at did="…" tp="12"/>`` in
    about half the time of :data:`_ATTRS`, and the head is read for every list.  Either
    way the group holds the same text: what follows the attributes, '>' or '/>', ends
    them.  A document of no list early on costs one short search."""
    found: dict[str, str] = {}
    at = text.find("<mi", 0, _HEAD_SAMPLE)
    for _ in range(_HEAD_LISTS):
        if at == -1:
            break
        head = _HEAD_ANY.match(text, at)
        if head is not None:
            for name, attributes in zip(("es", "at", "fct"), head.groups()[1:], strict=True):
                if attributes is not None:
                    found.setdefault(name, attributes)
            if len(found) == 3:
                break
        at = text.find("<mi", at + 3, at + _HEAD_SAMPLE)
    spelled = {}
    for name in ("es", "at", "fct"):
        attributes = found.get(name)
        if attributes:
            names, quotes = _spelling(attributes)
            literal = _attribute_patterns(names, quotes, literal=attributes, capture=False)
            spelled[name] = f"(?:{literal})|{_ATTRS}"
        else:
            spelled[name] = _ATTRS
    return _HEAD % spelled


def _pa_pattern(
    spellings: _Spellings, head: str
) -> tuple[re.Pattern[str], int, dict[str, list[int]]]:
    """The pattern that splits a document at each ``<pa>`` of ``spellings``: the start
    tag, a group per attribute of each spelling; then '/>' or '>', and a value's text
    with its end tag, or a list's head (``head``: :func:`_head`), when that is what
    follows.  With its stride and the groups of each attribute name.

    Reading each list's head here, in the split's pass, leaves its body to start at its
    items: the document's lists are then read without a pass to find their tags
    (:func:`_read_lists`)."""
    where: dict[str, list[int]] = {}
    alternatives = []
    index = 1
    for (names, quotes), literal in spellings.literal.items():
        alternatives.append(_attribute_patterns(names, quotes, literal=literal))
        for name in names:
            where.setdefault(name, []).append(index)
            index += 1
    source = f"<pa(?:{'|'.join(alternatives)}){_S}*(?:(/>)|>(?:([^<]*)</pa{_S}*>|{head})?)"
    return _pattern(source), index + _PA_TAIL_GROUPS, where


def _prompts(
    text: str, start: int, end: int, lcl: str | None, lists: _Lists, alike: bool
) -> Scan | None:
    """The items of ``<rsl>``'s content, ``text[start:end]``: split at each ``<pa>``, a
    column per attribute (the text is not copied first: a document of one long list
    would be held twice more).  The split found every ``<pa>`` when no ``'<pa'`` is left
    in the bodies between the tags it matched: values and attribute values hold no
    '<', and what comes before the first is checked to be the ``<rsl>`` tag (a count of
    ``'<pa'`` in the whole text cost as much as a fifth of lxml's parse, on long
    non-ASCII values).

    The ``<pa>``s of a document written by several tools are spelled several ways
    (quotes, attribute order, ``key=`` or ``did pin tp``): the split is by the
    alternatives of every spelling met, up to :data:`_SPELLINGS` of them, found as for
    list items (:func:`_items_by_spelling`): the first ``<pa>``'s, the next few's unless
    ``alike`` (the next few start as the first does), then each that a split leaves in
    a body.
    """
    lead = _BLANK.match(text, start).end()  # type: ignore[union-attr]
    first = _PA_ANY.match(text, lead)
    if first is None:
        return None
    spellings = _Spellings(())
    spellings.met(first.group(2))
    if not alike and not spellings.sample(_PA_ANY, 2, text, first.end()):
        return None
    head = _head(text)
    for _ in range(2 * _SPELLINGS + 1):
        pattern, stride, where = _pa_pattern(spellings, head)
        lists.pass_over(len(text))
        parts = pattern.split(text)
        count = len(parts) // stride
        bodies_text = "\0".join(parts[stride::stride])  # NUL: no '<pa' across two
        if _PA_TEXT.search(bodies_text) is None:  # '<pa' in …: a slower search in C
            break
        # a <pa> of a spelling not met: in the body of the one before it
        found = _PA_ANY.search(bodies_text)
        if not spellings.met(None if found is None else found.group(2)):
            return None
    else:
        return None
    if parts[0] != text[:lead]:  # only the declaration, <rsl> and whitespace before
        return None
    tail = len(text) - end  # </rsl> and what follows it, at the end of the last body
    if len(parts[-1]) < tail:
        return None
    parts[-1] = parts[-1][: len(parts[-1]) - tail]
    # Each attribute's column; a spelling's columns (of the others' <pa>s: None) as
    # written, for a Piece's tag.
    written = [
        (names, quotes, [parts[i::stride] for i in range(at, at + len(names))])
        for at, (names, quotes) in zip(
            accumulate((len(n) for n, _ in spellings.literal), initial=1),
            spellings.literal,
            strict=False,
        )
    ]
    columns = {name: _column(parts, indexes, stride, False) for name, indexes in where.items()}
    if "&" in text:
        columns = {name: _decoded(column) for name, column in columns.items()}
    large = lists.large
    if large and any(_long(c) for c in columns.values()):
        return None
    after = stride - _PA_TAIL_GROUPS  # the first group after the attributes'
    raw_texts = texts = parts[after + 1 :: stride]
    if "&" in text:
        texts = _decoded(texts)
    absent: list[Any] = [None] * count
    keys, pts, pins, dids, tps = (
        columns.get(name, absent) for name in ("key", "pt", "pin", "did", "tp")
    )
    closes = parts[after::stride]
    heads = parts[after + 2 :: stride]
    # each list's tag attributes: <es>'s, its <at>'s, <fct>'s (None for the other kind)
    tags = _Heads(
        parts[after + 3 :: stride], parts[after + 4 :: stride], parts[after + 5 :: stride]
    )
    bodies = parts[stride::stride]
    del parts
    if keys[0] is None and None not in dids and None not in pins and None not in tps:
        # Every <pa> located by did pin tp (xml._plain_location for all at once).
        joined = "".join(pins) + "".join(tps)
        if (
            joined.isdigit()
            and joined.isascii()
            and "" not in pins
            and "" not in tps
            and "" not in dids
            and "@" not in "".join(dids)
            and keys.count(None) == count
        ):
            # "@".join of each triple: a fifth of the time of a str.format each
            keys = list(map(_AT_JOIN, zip(dids, pins, tps, strict=True)))
            pins = dids = tps = absent
    elif None in keys and len(spellings.literal) > 1:
        # Some <pa>s keyed, the others located by did pin tp (several writers): the same
        # for the located ones, picked out by C-level passes.
        located = [key is None for key in keys]
        some = [list(compress(column, located)) for column in (dids, pins, tps)]
        joined = "".join(some[1]) + "".join(some[2]) if None not in chain(*some) else ""
        if (
            joined.isdigit()
            and joined.isascii()
            and all(column.count(None) == count - len(some[0]) for column in (dids, pins, tps))
            and not any("" in column for column in some)
            and "@" not in "".join(some[0])
        ):
            made = iter(list(map(_AT_JOIN, zip(*some, strict=True))))
            keys = [next(made) if key is None else key for key in keys]
            pins = dids = tps = absent

    def tag(index: int) -> str:
        # The <pa>'s start tag as written but for the spaces between attributes (a
        # Piece's, parsed alone: rare, so rebuilt rather than kept for every <pa>).
        for names, quotes, raw in written:
            values = [column[index] for column in raw]
            if values and values[0] is not None:
                spelled = zip(names, quotes, values, strict=True)
                return "<pa" + "".join(f" {n}={q}{v}{q}" for n, q, v in spelled)
        return "<pa"  # of the spelling of no attribute

    items: list[Any] = [None] * count
    listed: list[_Listed] = []
    if (
        pins is absent
        and dids is absent
        and tps is absent
        and not large
        and None not in keys
        and "" not in keys
    ):
        # Every <pa> keyed (as usual): the usual values and lists picked out at once.
        left = _usual(keys, pts, texts, closes, raw_texts, heads, bodies, tags, items, listed)
        rows: Iterable[tuple[Any, ...]] = zip(
            left,
            zip(
                map(keys.__getitem__, left),
                map(pts.__getitem__, left),
                repeat(None),
                repeat(None),
                repeat(None),
            ),
            map(closes.__getitem__, left),
            map(texts.__getitem__, left),
            map(raw_texts.__getitem__, left),
            map(heads.__getitem__, left),
            map(bodies.__getitem__, left),
            strict=True,
        )
    else:
        rows = zip(
            range(count),
            zip(keys, pts, pins, dids, tps, strict=True),
            closes,
            texts,
            raw_texts,
            heads,
            bodies,
            strict=True,
        )
    return _scan(rows, tag, tags, lcl, lists, items, listed)


_LIST_PT = {None, *_PLAIN_PT}  # the pt of a <pa> whose list is read (or none)


def _usual(
    keys: list[str],
    pts: list[str | None],
    texts: list[str | None],
    closes: list[str | None],
    raw_texts: list[str | None],
    heads: list[str | None],
    bodies: list[str],
    tags: _Heads,
    items: list[Any],
    listed: list[_Listed],
) -> list[int]:
    """Put the rows of the usual values in ``items`` and the usual lists in ``listed``
    (as :func:`_scan` would, each keyed <pa> a step of its loop), picked out by C-level
    passes over the columns; the indexes of the other <pa>s, for :func:`_scan`.

    A usual value: its text read with its end tag (not empty), a value's pt or none, and
    whitespace after it (checked for all at once: else :func:`_scan` reads every value).
    A usual list: its head read by the split, a pt of a family or none."""
    count = len(keys)
    indexes = range(count)
    types = list(map(_VALUE_TYPES.get, pts, repeat(False)))  # False: not a value's pt
    is_value = list(map(and_, map(truth, texts), map(is_not, types, repeat(False))))
    if "".join(compress(bodies, is_value)).strip(_WS):
        is_value = [False] * count
    values = is_value.count(True)
    if values == count:  # a document of values alone
        items[:] = zip(repeat(VALUE_ROW), keys, texts, types, strict=False)
        return []
    if values:
        rows = zip(
            repeat(VALUE_ROW),
            compress(keys, is_value),
            compress(texts, is_value),
            compress(types, is_value),
        )
        for index, row in zip(compress(indexes, is_value), rows, strict=True):
            items[index] = row
    if heads.count(None) == count:  # no list whose head the split read
        return list(compress(indexes, map(not_, is_value)))
    is_list = list(map(and_, map(is_not, heads, repeat(None)), map(_LIST_PT.__contains__, pts)))
    places = list(compress(indexes, is_list))
    listed_bodies = list(compress(bodies, is_list))
    written = zip(
        places,
        compress(closes, is_list),
        compress(raw_texts, is_list),
        listed_bodies,
        compress(heads, is_list),
        strict=True,
    )
    listed.extend(
        zip(
            places,
            compress(keys, is_list),
            listed_bodies,
            written,
            compress(tags.es, is_list),
            compress(tags.at, is_list),
            compress(tags.fct, is_list),
            strict=True,
        )
    )
    return list(compress(indexes, map(not_, map(or_, is_value, is_list))))


_AT_JOIN = "@".join  # a prompt's key: did, pin and tp


class _Heads(NamedTuple):
    """The attribute texts of the list tags the ``<pa>`` split read, a column each (None
    where a ``<pa>`` has no such tag)."""

    es: list[str | None]
    at: list[str | None]
    fct: list[str | None]


def _piece(
    tag: Callable[[int], str],
    index: int,
    close: str | None,
    raw_text: str | None,
    body: str,
    head: str = "",
) -> Piece:
    """A ``<pa>`` handed back whole, spelled from its parts as written (``head``: the
    list's head the split read, before ``body``)."""
    text = tag(index) + (
        "/>" if close else ">" + ("" if raw_text is None else raw_text + "</pa>") + head + body
    )
    return Piece(text.rstrip(_WS))


def _scan(
    rows: Iterable[tuple[Any, ...]],
    tag: Callable[[int], str],
    tags: _Heads,
    lcl: str | None,
    lists: _Lists,
    items: list[Any],
    listed: list[_Listed],
) -> Scan | None:
    """The items of the ``<pa>``s given as rows ``index (key pt pin did tp) close text
    raw_text head body`` (a value's text, if it was read with its tag: decoded, and as
    written; a list's head, if it was read, its tags' attributes in ``tags``), each put
    in ``items`` at its index; ``tag(index)`` spells a <pa>'s start tag, for a Piece.
    ``items`` and ``listed`` may hold the usual rows and lists already (:func:`_usual`),
    those <pa>s not among the rows."""
    large = lists.large
    marks: list[int] = []
    value_types = _VALUE_TYPES
    families = FAMILY_OF_PT
    for index, (key, pt_text, pin, did, tp), close, text, raw_text, head, body in rows:
        # xml._plain_pa's rules for the prompt and pt; a <pa> they leave is a Piece.
        if key and pin is None and did is None and tp is None:
            # A key made above, or key= alone: the usual value, and the usual list (the
            # rules below, taken in one step; anything else goes on to them).
            if text:
                if not body or not body.strip(_WS):
                    if large and len(text) > MAX_TEXT:
                        return None
                    value_type = value_types.get(pt_text, False)
                    if value_type is not False:
                        items[index] = (VALUE_ROW, key, text, value_type)
                        continue
            elif text is None and not close and (pt_text is None or pt_text in _PLAIN_PT):
                if head is not None:
                    # a list whose head the split read: below, with the document's other
                    # lists (_read_lists), the head's text kept for a Piece
                    written = (index, close, raw_text, body, head)
                    es, fct = tags.es[index], tags.fct[index]
                    listed.append((index, key, body, written, es, tags.at[index], fct))
                    continue
                lt = body.find("<")
                if lt != -1 and (not lt or not body[:lt].strip(_WS)):
                    if body.startswith("<mi", lt):
                        # read below with the document's other lists (_read_lists)
                        written = (index, close, raw_text, body, "")
                        listed.append((index, key, body, written, None, None, None))
                        continue
                    if body.startswith("<exp", lt):
                        written = (index, close, raw_text, body, "")
                        _expression_item(key, body, tag, written, items, marks, lists)
                        continue
        # The <pa>'s own text, for a Piece (references as written), made only for one;
        # a list's head read by the split is read again with its body, as it is written.
        if head is not None:
            body = head + body
        written = (index, close, raw_text, body, "")
        if text is None and not close:
            lt = body.find("<")
            end = _PA_END.match(body, lt) if lt != -1 else None
            if end is not None and not body[end.end() :].strip(_WS):
                raw_text, body = body[:lt], body[end.end() :]
                text = unescape(raw_text)
                if text is None:
                    return None
        if key is None:
            if not (did and pin and tp and "@" not in did and is_digits(pin + tp)):
                lists.spend()
                marks.append(index)
                items[index] = _piece(tag, *written)
                continue
            key = f"{did}@{pin}@{tp}"
        elif not key or did is not None or pin is not None or tp is not None:
            lists.spend()
            marks.append(index)
            items[index] = _piece(tag, *written)
            continue
        pt = None if pt_text is None else _PLAIN_PT.get(pt_text)
        if pt is None and pt_text is not None:
            lists.spend()
            marks.append(index)
            items[index] = _piece(tag, *written)
            continue
        if close or text is not None:
            if body.strip(_WS):
                return None  # something other than <pa> after it
            if large and text and len(text) > MAX_TEXT:
                return None
            if not text:  # an empty answer, told apart by pt
                marks.append(index)
                items[index] = Closing(key, None if pt is None else families[pt])
            elif pt is None:
                items[index] = (VALUE_ROW, key, text, None)
            elif (value_type := TYPE_OF_PT.get(pt)) is not None:
                items[index] = (VALUE_ROW, key, text, value_type)
            else:
                lists.spend()
                marks.append(index)
                items[index] = _piece(tag, *written)
            continue
        if body.startswith("<exp", _BLANK.match(body).end()):  # type: ignore[union-attr]
            _expression_item(key, body, tag, written, items, marks, lists)
            continue
        # A list: read below with the document's other lists (_read_lists).
        listed.append((index, key, body, written, None, None, None))
    if listed:
        listed.sort(key=_first)  # the usual lists first (_usual), then those of the rows
        read = _read_lists(listed, lists)
        if None not in read and Closing not in set(map(type, read)):
            # every list a row, as usual: each put in its place, nothing marked
            for index, item in zip(map(_first, listed), read, strict=True):
                items[index] = item
            return Scan(items, lcl, marks)
        for (index, _key, _body, written, *_tags), item in zip(listed, read, strict=True):
            if item is None:
                lists.spend()
            if item is None or type(item) is Closing:
                marks.append(index)
                items[index] = _piece(tag, *written) if item is None else item
            else:
                items[index] = item
        marks.sort()
    return Scan(items, lcl, marks)


# A <pa>'s parts as written, for a Piece (_piece's arguments after ``tag``).
_Written = tuple[int, str | None, str | None, str, str]
# A list of the document: its item's index, its key, its body, its <pa> as written, and
# the attribute texts of its <es>, <at> and <fct> if the split read its head (_Heads):
# then its body starts at its items.
_Listed = tuple[int, str, str, _Written, str | None, str | None, str | None]


def _expression_item(
    key: str,
    body: str,
    tag: Callable[[int], str],
    written: _Written,
    items: list[Any],
    marks: list[int],
    lists: _Lists,
) -> None:
    """Put the item of an expression's ``<pa>`` in ``items`` at its index: its row read
    from the text (:func:`_expression`), a Closing (marked), or else a piece (marked, a
    slow read)."""
    index = written[0]
    item = _expression(key, body)
    if item is None:
        lists.spend()
        marks.append(index)
        items[index] = _piece(tag, *written)
        return
    if type(item) is Closing:
        marks.append(index)
    items[index] = item


# pt as written, to the type of a value row (None: no pt, a value of unknown type).
_VALUE_TYPES: dict[str | None, ValueType | None] = {
    str(pt): value_type for pt, value_type in TYPE_OF_PT.items()
}
_VALUE_TYPES[None] = None

_ES_OPEN = _lazy(
    rf"{_S}*<mi{_S}*>{_S}*<es({_ATTRS}){_S}*>(?:{_S}*<at({_ATTRS}){_S}*(?:/>|></at{_S}*>))?"
)
_FCT_OPEN = _lazy(rf"{_S}*<mi{_S}*>{_S}*<fct({_ATTRS}){_S}*>")
_ES_CLOSE = _lazy(rf"</es{_S}*>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*")
_FCT_CLOSE = _lazy(rf"</fct{_S}*>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*")
_EMPTY_BODY = _lazy(
    rf"{_S}*<mi{_S}*>{_S}*<(es|fct)({_ATTRS}){_S}*/>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*"
)


def _listed(key: str, body: str, lists: _Lists) -> Any:
    """The row (or Closing) of a ``<pa>`` body ``<mi><es|fct>…</es|fct></mi></pa>``; None
    for another body (the codec then reads the <pa> alone)."""
    # The start tags from the front, the end tags from the back (rfind, a C-level scan):
    # a lazy pattern across the items cost as much as reading them.
    found = _ES_OPEN.match(body)
    if found is not None:
        close = body.rfind("</es")
        if close < found.end() or not _ES_CLOSE.fullmatch(body, close):
            return None
        tag_attributes, at = found.groups()
        if tag_attributes:
            lists.parsed(tag_attributes)  # ignored, but well-formed
        return _elements(key, at, body, found.end(), close, lists)
    found = _FCT_OPEN.match(body)
    if found is not None:
        close = body.rfind("</fct")
        if close < found.end() or not _FCT_CLOSE.fullmatch(body, close):
            return None
        if found.group(1):
            lists.parsed(found.group(1))
        return _objects(key, body[found.end() : close], lists)
    found = _EMPTY_BODY.fullmatch(body)
    if found is not None:
        if found.group(2):
            lists.parsed(found.group(2))
        if found.group(1) == "es":
            return Closing(key, PromptFamily.ELEMENTS)
        return Closing(key, PromptFamily.OBJECTS)
    return None


_EXP_CLOSE = _lazy(rf"</exp>{_S}*</pa{_S}*>{_S}*")


def _expression(key: str, body: str) -> Any:
    """The row of a ``<pa>`` body ``<exp>…</exp></pa>`` of the usual shapes
    (:func:`~mstr_prompts._expression_scan.text_row`), read from its text, or the
    :class:`Closing` of an empty ``<exp/>``; None for another (the codec then parses the
    <pa> alone, and the tree's rules read it)."""
    if body.startswith("<exp><") and not body.startswith("</", 5):
        start = 0  # as Web writes it: no whitespace first, and an element in it
    elif _EMPTY_EXP.fullmatch(body):
        # nothing at all in it (expression_xml.is_empty): it closes the prompt
        return Closing(key, PromptFamily.EXPRESSION)
    else:
        start = _BLANK.match(body).end()  # type: ignore[union-attr]
    close = body.rfind("</exp")
    if close < start or not _EXP_CLOSE.fullmatch(body, close):
        return None
    text = body[start : close + 6]
    # What text_row leaves to its caller: every reference one XML defines (the
    # document's characters are checked already, and it declares no namespace).
    if "&" in text and unescape(text) is None:
        return None
    # The scan loads no model class: the row's answer is built only when a reader asks.
    return (_TEXT_ROW[0] if _TEXT_ROW else _text_row())(text, key, expression_answer)


_TEXT_ROW: list[Callable[[str, str, Callable[[str, str], Any]], Any]] = []


def _text_row() -> Callable[[str, str, Callable[[str, str], Any]], Any]:
    # The scan is imported when a document first holds an <exp>, and kept here: an
    # import statement in _expression cost a tenth of reading an expression.
    from ._expression_scan import text_row

    _TEXT_ROW.append(text_row)
    return text_row


_EMPTY_EXP = _lazy(rf"{_S}*<exp{_S}*(?:/>|>{_S}*</exp{_S}*>){_S}*</pa{_S}*>{_S}*")


def expression_answer(text: str, key: str) -> Any:
    """The answer of an expression row read from ``text`` (the ``<exp>`` as lxml writes
    it) for prompt ``key``: :func:`mstr_prompts.expression_xml.text_answer`, imported
    only then (the expression codec builds on the model).

    >>> expression_answer('<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>', "K@0@10").xml
    '<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>'
    """
    from . import expression_xml

    return expression_xml.text_answer(text, key)


# --- every list of a document at once ---------------------------------------------------
#
# A document of many small prompts holds hundreds of lists of a few items.  Read one by
# one (_listed), each costs a dozen calls from Python (about 10 µs: its tags matched, its
# items split, each column's references replaced, its rows checked) for a few items.
# _read_lists reads them all in a few C-level passes instead: the <pa> split has read
# each list's head (_HEAD), so the bodies of each kind, joined, are split once into
# columns, each list's end tags checked in the split's gaps (_tails_read); references are
# replaced and rows checked once per column of the document; each list is then a slice
# of those columns.  Bodies whose heads the split did not read are first split into their
# tags and item text (_BODIES), as before.  NUL never occurs in XML text (_survey), so
# it joins and cannot be matched by any value.  A list these passes do not read exactly
# as _listed would (another shape, a spelling unlike the first item's, a check that
# fails) is handed to _listed, which reads it, or refuses it, as before.

# Longer bodies are read one by one: their split pays for its calls, and joining them
# would hold the document's text twice more.
_JOINED_BODY = 1 << 14
_JOINED_CHARS = 1 << 16  # the bodies joined at once, about (see _read_lists)
_GUID_GROUP = "([0-9A-Fa-f]{32})"
# Each body joined with a NUL after it: an <es> list (its attributes, the <at>'s, its
# items' text), a <fct> list (its attributes, its items' text), or another body.  The
# greedy [^\0]* runs to the body's end and backs off to its last end tag, a C-level scan.
_BODIES = _lazy(
    rf"{_S}*<mi{_S}*>{_S}*<es({_ATTRS}){_S}*>(?:{_S}*<at({_ATTRS}){_S}*(?:/>|></at{_S}*>))?"
    rf"([^\0]*)</es{_S}*>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*\0"
    rf"|{_S}*<mi{_S}*>{_S}*<fct({_ATTRS}){_S}*>([^\0]*)</fct{_S}*>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*\0"
    r"|[^\0]*\0"
)
_BODIES_STRIDE = 6  # a split's gap and the five groups


def _read_lists(listed: list[_Listed], lists: _Lists) -> list[Any]:
    """The row, Closing or None (as :func:`_listed` gives) of each list of ``listed``,
    the bodies of a document's lists (see :data:`_Listed`)."""
    out: list[Any] = [None] * len(listed)
    done: set[int] = set()
    short = [i for i in range(len(listed)) if len(listed[i][2]) <= _JOINED_BODY]
    if len(short) > 1 and not lists.large:
        # A chunk at a time: the joined copies then hold a bounded part of the text.
        chunk: list[int] = []
        size = 0
        for i in short:
            chunk.append(i)
            size += len(listed[i][2])
            if size >= _JOINED_CHARS:
                done.update(_joined(listed, chunk, out, lists))
                chunk, size = [], 0
        if chunk:
            done.update(_joined(listed, chunk, out, lists))
    for i in range(len(listed)):
        if i not in done:
            out[i] = _listed_headed(listed[i], lists)
    return out


def _listed_headed(entry: _Listed, lists: _Lists) -> Any:
    """As :func:`_listed`, for a list whose head the ``<pa>`` split may have read."""
    _index, key, body, written, es, at, fct = entry
    if es is not None:
        close = body.rfind("</es")
        if close == -1 or not _ES_CLOSE.fullmatch(body, close):
            return _listed(key, written[4] + body, lists)  # as written, read as before
        if es:
            lists.parsed(es)  # ignored, but well-formed
        return _elements(key, at, body, 0, close, lists)
    if fct is not None:
        close = body.rfind("</fct")
        if close == -1 or not _FCT_CLOSE.fullmatch(body, close):
            return _listed(key, written[4] + body, lists)
        if fct:
            lists.parsed(fct)
        return _objects(key, body[:close], lists)
    return _listed(key, body, lists)


class _Tails(NamedTuple):
    """The end of each list of a kind whose head the ``<pa>`` split read, left at the end
    of its body: ``close`` one (with what follows up to the next ``<pa>``: whitespace),
    ``joined`` those of lists joined by NUL, each after its NUL, then \x01 (a C0 control,
    never in the text: _survey), for :func:`_tails_read`."""

    close: re.Pattern[str]
    joined: re.Pattern[str]


def _tails(kind: str) -> _Tails:
    tail = rf"{_S}*</{kind}{_S}*>{_S}*</mi{_S}*>{_S}*</pa{_S}*>{_S}*\0{_S}*"
    return _Tails(_ES_CLOSE if kind == "es" else _FCT_CLOSE, _lazy(f"{tail}(?:\x01{tail})*"))


_ES_TAILS = _tails("es")
_FCT_TAILS = _tails("fct")
# In a split's gaps, up to the first item it left: whitespace, NUL and the end tags of the
# lists (where each list ends is checked once every item is split: _tails_read).
_PAST_TAILS = _lazy(r"(?:[ \t\n\0]|</(?:es|fct|mi|pa)[ \t\n]*>)*")


def _ink(text: str) -> int:
    """The characters of ``text`` that are not XML whitespace: C-level counts."""
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t")


def _tails_read(gaps: list[str], tails: tuple[_Tails, list[int]]) -> bool:
    """True when a split of lists joined each with a NUL after it (see :class:`_Tails`)
    left, in ``gaps``, each list's end tags and its NUL right after its last item and
    whitespace everywhere else: the split then read every list's items and only them.
    ``tails``: the kind's patterns, and the number of items of the lists up to each.

    The gap after each list's last item is found from the counts; were a count wrong,
    some gap so picked would hold no NUL, or one left holds one (which ``ink`` sees)."""
    kind, ends = tails
    if len(gaps) != ends[-1] + 1:
        return False
    picked = "\x01".join(map(gaps.__getitem__, ends))
    if kind.joined.fullmatch(picked) is None:
        return False
    # The other gaps hold only whitespace: every non-blank character is a picked one's.
    return _ink("".join(gaps)) == _ink(picked) - (len(ends) - 1)


def _joined(listed: list[_Listed], chunk: list[int], out: list[Any], lists: _Lists) -> list[int]:
    """Read the lists of ``listed`` at the places ``chunk`` all at once into ``out``; the
    places read.

    The lists whose heads the ``<pa>`` split read are read by kind, their bodies joined as
    they are (items, then end tags); those it did not, and those of a kind whose joined
    read failed, as before (:func:`_joined_bodies`)."""
    es = [listed[i][4] for i in chunk]
    fct = [listed[i][6] for i in chunk]
    is_es = list(map(is_not, es, repeat(None)))
    is_fct = list(map(is_not, fct, repeat(None)))
    done: list[int] = []
    others: list[int] = []
    if True in is_es:
        places = list(compress(chunk, is_es))
        for tag in set(compress(es, is_es)):
            if tag:
                lists.parsed(tag)  # ignored, but well-formed
        ats = [listed[i][5] for i in places]
        regions = [listed[i][2] for i in places]
        read = _joined_elements(listed, places, ats, regions, out, lists, _ES_TAILS)
        done.extend(read)
        if len(read) != len(places):
            others.extend(set(places).difference(read))
    if True in is_fct:
        places = list(compress(chunk, is_fct))
        for tag in set(compress(fct, is_fct)):
            if tag:
                lists.parsed(tag)
        regions = [listed[i][2] for i in places]
        read = _joined_objects(listed, places, regions, out, lists, _FCT_TAILS)
        done.extend(read)
        if len(read) != len(places):
            others.extend(set(places).difference(read))
    if is_es.count(True) + is_fct.count(True) != len(chunk):
        # lists the split did not read the head of
        others.extend(compress(chunk, map(not_, map(or_, is_es, is_fct))))
    if others:
        others.sort()
        done.extend(_joined_bodies(listed, others, out, lists))
    return done


def _joined_bodies(
    listed: list[_Listed], chunk: list[int], out: list[Any], lists: _Lists
) -> list[int]:
    """Read the lists of ``listed`` at the places ``chunk``, each body as written (its
    head too), all at once into ``out``; the places read."""
    bodies = "\0".join([listed[i][3][4] + listed[i][2] for i in chunk]) + "\0"
    lists.pass_over(len(bodies))
    parts = _BODIES.split(bodies)
    del bodies
    es_items = parts[3::_BODIES_STRIDE]
    fct_items = parts[5::_BODIES_STRIDE]
    # The list tags' attributes are ignored, but must be well-formed: each distinct
    # text parsed once (lists.parsed keeps them), not once a list.
    for tag in {*parts[1::_BODIES_STRIDE], *parts[4::_BODIES_STRIDE]}:
        if tag:
            lists.parsed(tag)
    ats = parts[2::_BODIES_STRIDE]
    del parts
    # Each kind's lists picked out by C-level passes (a None where the body is not one).
    is_es = list(map(is_not, es_items, repeat(None)))
    is_fct = list(map(is_not, fct_items, repeat(None)))
    return _joined_elements(
        listed,
        list(compress(chunk, is_es)),
        list(compress(ats, is_es)),
        list(compress(es_items, is_es)),
        out,
        lists,
    ) + _joined_objects(
        listed, list(compress(chunk, is_fct)), list(compress(fct_items, is_fct)), out, lists
    )


def _joined_elements(
    listed: list[_Listed],
    places: list[int],
    ats: list[str | None],
    regions: list[str],
    out: list[Any],
    lists: _Lists,
    tails: _Tails | None = None,
) -> list[int]:
    """Read the element lists at ``places`` in ``listed`` (``ats``: each one's ``<at>``
    attribute text or None, ``regions``: its items' text, and with ``tails`` its end
    tags) into ``out`` at their places, all at once; the places read."""
    done: list[int] = []
    # Where each list ends in the columns: one '<e' an item (values hold no '<').
    counts = list(map(str.count, regions, repeat("<e")))
    sources: list[str | None] = [None] * len(places)
    refused: set[str] = set()
    if ats.count(None) != len(ats):
        found, refused = _at_sources([at for at in set(ats) if at is not None], lists)
        sources = list(map(found.__getitem__, ats))
    if refused or 0 in counts:
        # Lists a <at> refuses, and those of no item (empty, or not read here): one by one.
        kept = []
        for place, at, region, count, source in zip(
            places, ats, regions, counts, sources, strict=True
        ):
            if at in refused:
                continue
            if not count and (
                not region.strip(_WS) if tails is None else tails.close.fullmatch(region)
            ):
                # an empty list closes the prompt; its source, a GUID, is kept
                if source is None or _GUID.fullmatch(source):
                    out[place] = Closing(listed[place][1], PromptFamily.ELEMENTS, source)
                    done.append(place)
                continue
            kept.append((place, region, count, source))
        if not kept:
            return done
        places, regions, counts, sources = (list(c) for c in zip(*kept, strict=True))
    ends = list(accumulate(counts))
    if tails is None:
        text = "\0".join(regions)
        columns = _element_columns(text, len(regions), lists.spelled("e", ("ei",)), lists)
    else:
        text = "\0".join(regions) + "\0"
        known = lists.spelled("e", ("ei",))
        columns = _element_columns(text, len(regions), known, lists, (tails, ends))
    if columns is None:
        return done
    guids, keys, names_column, emts = columns
    # _element_row's checks, once for the document: past them every list is a row but
    # for its own attribute GUID, checked below.
    if emts is not None and emts.count("1") + emts.count(None) != len(emts):
        return done
    if not plain_keys("\0".join(keys)):
        return done
    spans = list(map(slice, [0, *ends[:-1]], ends))
    attribute = guids[0]
    attributes: Iterable[str] | None = None
    if guids.count(attribute) == len(guids) and not set(sources) - {None, attribute}:
        attributes = repeat(attribute)  # one attribute throughout
    else:
        # An attribute a list, as when each prompt is on its own: every item's GUID its
        # list's first, and its <at>'s if it has one, checked by C-level passes.
        firsts = list(map(guids.__getitem__, map(_start, spans)))
        if list(chain.from_iterable(map(repeat, firsts, counts))) == guids and (
            sources.count(None) == len(sources)
            or [
                first if source is None else source
                for first, source in zip(firsts, sources, strict=True)
            ]
            == firsts
        ):
            attributes = firsts
    if attributes is not None:
        # Every list a row, made by C-level passes.
        shown: Iterable[list[Any]] = (
            map(list.__mul__, repeat([None]), counts)
            if names_column is None
            else map(names_column.__getitem__, spans)
        )
        rows = zip(
            repeat(ELEMENTS_ROW),
            map(_second, map(listed.__getitem__, places)),
            attributes,
            map(keys.__getitem__, spans),
            shown,
        )
        for place, row in zip(places, rows, strict=True):
            out[place] = row
        done.extend(places)
        return done
    for place, source, span in zip(places, sources, spans, strict=True):
        attribute = guids[span.start]
        if guids[span].count(attribute) == span.stop - span.start and (
            source is None or source == attribute
        ):
            part = keys[span]
            shown_part = [None] * len(part) if names_column is None else names_column[span]
            out[place] = (ELEMENTS_ROW, listed[place][1], attribute, part, shown_part)
            done.append(place)
    return done


_first = itemgetter(0)
_second = itemgetter(1)
_start = attrgetter("start")
_MANY_ATS = 8  # distinct <at> tags read at once (_at_sources), rather than one by one


def _at_sources(ats: list[str], lists: _Lists) -> tuple[dict[str | None, str | None], set[str]]:
    """The source (``did``) of each distinct ``<at>`` attribute text of ``ats``, and
    those :func:`_elements` refuses (no ``did``, or a ``tp`` other than 12).

    A document whose element prompts are each on its own attribute holds as many: past a
    few, those spelled as the first are matched by one pattern of its spelling in a
    C-level pass, their values picked out as columns (a dict built for each cost a
    fifth of the lists' reading); the others, or all if one value holds a reference that
    is not plain, each parsed alone as before."""
    found: dict[str | None, str | None] = {None: None}
    refused: set[str] = set()
    if len(ats) > _MANY_ATS:
        names, quotes = _spelling(ats[0])
        if "did" in names:
            pattern = _pattern(_attribute_patterns(names, quotes, literal=ats[0]))
            matches = list(map(pattern.fullmatch, ats))
            if None not in matches:
                written = list(map(re.Match.groups, cast("list[re.Match[str]]", matches)))
                dids = list(map(itemgetter(names.index("did")), written))
                tps = (
                    list(map(itemgetter(names.index("tp")), written))
                    if "tp" in names
                    else [None] * len(ats)
                )
                for index in range(len(names)):  # every value well-formed, as parsed
                    column = list(map(itemgetter(index), written))
                    if "&" in "".join(column):
                        _decoded(column)
                dids, tps = _decoded(dids), _decoded(tps)
                found.update(zip(ats, dids, strict=True))
                refused.update(
                    at
                    for at, did, tp in zip(ats, dids, tps, strict=True)
                    if not did or (tp is not None and tp != "12")
                )
                return found, refused
    for at in ats:
        values = lists.parsed(at)
        source = found[at] = values.get("did")
        tp = values.get("tp")
        if not source or (tp is not None and tp != "12"):
            refused.add(at)  # _listed's to refuse
    return found, refused


def _element_columns(
    text: str,
    count: int,
    known: _Spellings,
    lists: _Lists,
    tails: tuple[_Tails, list[int]] | None = None,
) -> tuple[list[str], list[str], Any, Any] | None:
    """The attribute GUIDs, key parts, display names and ``emt`` values (None where
    absent) of the element items of ``count`` lists joined by NUL, references replaced;
    None if not every item reads so.  ``known``: the spellings of the items of the
    document's lists read so far (see :func:`_items_by_spelling`); ``tails``: the lists'
    end tags are in the text (see :func:`_tails_read`)."""
    first = _E_ANY.match(text)
    if first is None:
        return None
    names, quotes = _spelling(first.group(1))
    if not known.literal and "ei" in names and _alike(text, "<e", first.group(1)):
        stride = len(names) + 2  # ei is two groups: its GUID and its key part
        where = {n: 1 + i + (i > names.index("ei")) for i, n in enumerate(names)}
        # As the first item is spelled, to the whitespace: else, by _items_by_spelling,
        # which also reads whitespace that varies (a loose split here, in vain for
        # items spelled several ways, would cost a pass more).
        literal = first.group(1)
        attributes = _attribute_patterns(names, quotes, guid=_GUID_GROUP, literal=literal)
        pattern = _pattern(f"<e{attributes}{_S}*(?:/>|></e{_S}*>)")
        parts = _joined_split(pattern, text, stride, count, lists, tails)
        if parts is not None:
            guids = parts[where["ei"] :: stride]
            keys, names_column, emts = _split_element_columns(
                parts, stride, where, where["ei"] + 1, "&" in text
            )
            return guids, keys, names_column, emts
    # items spelled several ways (several writers, or display names on some only)
    columns = _items_by_spelling(
        text,
        count,
        lists,
        tag="e",
        needed=("ei",),
        labels=("disp_n",),
        known=known,
        ones=("emt",),
        tails=tails,
    )
    if columns is None:
        return None
    return columns[" guid"], columns["ei"], columns.get(" label"), None  # emt: checked


def _alike(text: str, tag: str, attributes: str) -> bool:
    """True when every ``tag`` in ``text`` starts as the one of ``attributes`` does, up to
    its first value: two C-level counts, where a split for that spelling in vain costs
    a regular expression's pass."""
    lead = _ATTR.search(attributes)
    if lead is None:
        return False
    prefix = tag + attributes[: lead.start(3) if lead.group(2) else lead.start(5)]
    return text.count(prefix) == text.count(tag)


_Spelled = tuple[tuple[str, ...], tuple[str, ...]]  # attribute names and quotes, in order


class _Spellings:
    """The spellings of one kind of tag met in a document (at most :data:`_SPELLINGS`),
    each with the attribute text of its first tag: its pattern then matches the
    whitespace written there, to the character (a third faster than any whitespace),
    until a tag of that spelling is met spaced otherwise (None: any whitespace)."""

    __slots__ = ("literal", "needed", "spaced")

    def __init__(self, needed: tuple[str, ...]) -> None:
        self.literal: dict[_Spelled, str | None] = {}
        self.spaced: dict[_Spelled, str] = {}
        self.needed = needed  # the attributes every tag has

    def new(self, attributes: str) -> bool:
        """True when a tag of these attributes is one the spellings so far do not match."""
        spacing = _spacing(attributes)
        spelling = _spelling_spaced(spacing, attributes)
        literal = self.literal.get(spelling, False)
        if literal is False:
            return True
        return literal is not None and self.spaced[spelling] != spacing

    def met(self, attributes: str | None) -> bool:
        """Count a tag of these attributes, one the spellings so far left (see
        :meth:`new`); False if the text is not read so (None: not a tag)."""
        if attributes is None:
            return False
        spacing = _spacing(attributes)
        spelling = _spelling_spaced(spacing, attributes)
        if spelling in self.literal:
            if self.literal[spelling] is None or self.spaced[spelling] == spacing:
                return False  # met as it is: not a tag the split would leave
            self.literal[spelling] = None  # spaced otherwise too: any whitespace
            return True
        names = spelling[0]
        if len(self.literal) == _SPELLINGS or any(n not in names for n in self.needed):
            return False
        self.literal[spelling] = attributes
        self.spaced[spelling] = spacing
        return True

    def sample(self, pattern: re.Pattern[str], group: int, text: str, at: int) -> bool:
        """Meet the spellings of the next few tags ``pattern`` finds from ``at`` (its
        ``group`` the attribute text): the writers of a document usually show early."""
        for _ in range(_SAMPLE):
            found = pattern.search(text, at)
            if found is None:
                break
            attributes = found.group(group)
            if self.new(attributes) and not self.met(attributes):
                return False
            at = found.end()
        return True


def _items_by_spelling(
    text: str,
    count: int,
    lists: _Lists,
    *,
    tag: str | None,
    needed: tuple[str, ...],
    labels: tuple[str, ...],
    kept: tuple[str, ...] | None = (),
    known: _Spellings | None = None,
    ones: tuple[str, ...] = (),
    tails: tuple[_Tails, list[int]] | None = None,
) -> dict[str, list[Any]] | None:
    """The attribute values of the list items in ``text`` (``count`` lists' item texts
    joined by NUL), spelled up to :data:`_SPELLINGS` ways: a column per attribute name in
    document order, None where an item has no such attribute, references replaced.

    The items are ``<tag>``s (any tag if None).  The spellings (names and quotes in
    order) are found as the split stops at them: the first item's, then the first item
    the split of the spellings found so far leaves in its gaps, and so on; the text is
    then split once by the alternatives of all of them (a regular expression's pass costs
    about 0.5 µs an item, so this costs one pass more than a document of one spelling,
    and no pass a spelling).  Every item has the attributes ``needed``; with ``ei`` among
    them, the column ``" guid"`` is the GUID its ``ei`` starts with and ``ei`` what
    follows the ':'.  The column ``" label"`` is the first of ``labels`` each item has.
    None if the text holds anything but such items and whitespace.

    Only the columns of ``needed``, ``kept`` (None: every name) and the label are made (each a pass in
    Python over the items of every spelling that has the name); the others' values are
    checked, not kept; those of ``ones`` are checked to be "1" (else None: the
    check of ``emt`` that xml._plain_es makes), a spelling at a time.  ``known``: the spellings met in the document's lists so far, met
    here too (a document spells its lists alike): a later part of it is then split by
    them at once, without sampling its items again.
    """
    first = _E_ANY if tag == "e" else _ITEM_ANY
    group = 1 if tag == "e" else 2  # the attribute text's group in ``first``
    if known is not None and known.literal:
        spellings = known
    else:
        spellings = known if known is not None else _Spellings(needed)
        if not spellings.sample(first, group, text, 0):
            return None
    # Then the splits, each by every spelling met so far, until one leaves only
    # whitespace: at each other, the first item it left is met.
    for _ in range(2 * _SPELLINGS + 1):
        pattern, stride, where = _alternatives(spellings, tag, "ei" in needed)
        lists.pass_over(len(text))
        parts = pattern.split(text)
        if tails is None:
            gaps = "".join(parts[::stride])
            if gaps.count("\0") == count - 1 and not gaps.strip(" \t\n\0"):
                break
            stop = _NOT_BLANK.search(gaps)
            found = None if stop is None else first.match(gaps, stop.start())
        else:
            if _tails_read(parts[::stride], tails):
                break
            gaps = "".join(parts[::stride])
            found = first.match(gaps, _PAST_TAILS.match(gaps).end())  # type: ignore[union-attr]
        if not spellings.met(None if found is None else found.group(group)):
            return None
    else:
        return None
    if lists.large and len(spellings.literal) > 1:
        # A large document reads each list alone (see _Lists.large) and so finds its
        # spellings again for every list: past one spelling that cost grew faster than
        # the text (10x the text took 49x the time just over MAX_TEXT), so the tree reads it.
        raise _Fallback
    columns: dict[str, list[Any]] = {}
    made = (*needed, *(kept or ()), " guid")
    references = "&" in text
    for name, indexes in where.items():
        if name in ones:
            for index in indexes:
                values = parts[index::stride]
                if values.count("1") + values.count(None) == len(values):
                    continue  # no reference: nothing to decode
                if references:
                    values = _decoded(values)
                if values.count("1") + values.count(None) != len(values):
                    return None
            continue
        if kept is not None and name not in made:
            if references and name not in labels:
                for index in indexes:  # every value well-formed, even those not kept
                    _checked(parts[index::stride])
            continue
        columns[name] = _column(parts, indexes, stride, references and name != " guid")
    # The label of an item is the first of ``labels`` its spelling has: one column.
    label_indexes = []
    index = 1 if tag else 2  # the groups as _alternatives numbers them
    ei = "ei" in needed
    for names, _quotes in spellings.literal:
        for name in labels:
            if name in names:
                at = names.index(name)
                label_indexes.append(index + at + (ei and names.index("ei") < at))
                break
        index += len(names) + ei  # ei is two groups: its GUID and its key part
    if label_indexes:
        columns[" label"] = _column(parts, label_indexes, stride, references)
    if references:
        for name in labels:  # the labels not picked: checked as the others
            for at in where.get(name, ()):
                if at not in label_indexes:
                    _checked(parts[at::stride])
    del parts
    return columns


def _column(parts: list[str], indexes: list[int], stride: int, decode: bool) -> list[Any]:
    """The values at ``indexes`` of each item of a split (one index a spelling, None for
    the items of the others), references replaced if ``decode``."""
    column = parts[indexes[0] :: stride]
    rest = indexes[1:]
    while rest:  # items of the other spellings: None in this column
        if len(rest) == 1:
            column = _coalesced(column, parts[rest[0] :: stride])
            break
        # two more at once: one pass in Python, not two (a document of three writers)
        column = _coalesced3(column, parts[rest[0] :: stride], parts[rest[1] :: stride])
        rest = rest[2:]
    return _decoded(column) if decode else column


def _spacing(attributes: str) -> str:
    """An attribute text (matched by _ATTRS) without its values: names, '=', the
    whitespace between them as written, and one quote a value.  A C-level split: from
    the left, the first quote of such a text opens a value, and the next one like it
    closes it."""
    return "".join(_VALUES.split(attributes))


_VALUES = _lazy(r"""(["'])(?:(?<=")[^"]*"|(?<=')[^']*')""")
_SPELLED: dict[str, _Spelled] = {}  # spellings by spacing: as many as the patterns


def _spelling_spaced(spacing: str, attributes: str) -> _Spelled:
    """:func:`_spelling` of ``attributes``, remembered by their :func:`_spacing` (it
    holds their names and quotes) for the tags spaced alike."""
    spelled = _SPELLED.get(spacing)
    if spelled is None:
        spelled = _spelling(attributes)  # _Fallback for a name twice
        if len(_SPELLED) < _MAX_SPELLINGS:
            _SPELLED[spacing] = spelled
    return spelled


def _coalesced(column: list[Any], other: list[Any]) -> list[Any]:
    return [b if a is None else a for a, b in zip(column, other, strict=True)]


def _coalesced3(column: list[Any], second: list[Any], third: list[Any]) -> list[Any]:
    return [
        a if a is not None else b if b is not None else c
        for a, b, c in zip(column, second, third, strict=True)
    ]


def _alternatives(
    spellings: _Spellings, tag: str | None, ei: bool
) -> tuple[re.Pattern[str], int, dict[str, list[int]]]:
    """A pattern that splits list items of any of ``spellings`` (see
    :func:`_items_by_spelling`), its stride, and the groups of each attribute name (not
    to be changed: remembered for the next chunk of lists spelled alike)."""
    key = (tuple(spellings.literal.items()), tag, ei)
    found = _ALTERNATIVES.get(key)
    if found is None:
        found = _alternatives_made(spellings, tag, ei)
        if len(_ALTERNATIVES) < _MAX_SPELLINGS:
            _ALTERNATIVES[key] = found
    return found


_ALTERNATIVES: dict[Any, tuple[re.Pattern[str], int, dict[str, list[int]]]] = {}


def _alternatives_made(
    spellings: _Spellings, tag: str | None, ei: bool
) -> tuple[re.Pattern[str], int, dict[str, list[int]]]:
    where: dict[str, list[int]] = {}
    alternatives = []
    index = 1 if tag else 2  # any tag: its name the first group
    for (names, quotes), literal in spellings.literal.items():
        guid = _GUID_GROUP if ei else None
        alternatives.append(_attribute_patterns(names, quotes, guid=guid, literal=literal))
        for name in names:
            if ei and name == "ei":
                where.setdefault(" guid", []).append(index)
                index += 1
            where.setdefault(name, []).append(index)
            index += 1
    head, end = (f"<{tag}", f"</{tag}") if tag else (f"<({_NAME})", "</\\1")
    source = f"{head}(?:{'|'.join(alternatives)}){_S}*(?:/>|>{end}{_S}*>)"
    return _pattern(source), index, where


def _joined_split(
    pattern: re.Pattern[str],
    text: str,
    stride: int,
    count: int,
    lists: _Lists,
    tails: tuple[_Tails, list[int]] | None = None,
) -> list[str] | None:
    """``pattern.split`` of ``count`` item texts joined by NUL, if the text between the
    items is whitespace, and each NUL between items (none inside one); with ``tails``,
    of lists joined each with its end tags and a NUL after it (see :func:`_tails_read`)."""
    lists.pass_over(len(text))
    parts = pattern.split(text)
    if tails is not None:
        return parts if _tails_read(parts[::stride], tails) else None
    gaps = "".join(parts[::stride])
    if gaps.count("\0") != count - 1 or gaps.strip(" \t\n\0"):
        return None
    return parts


def _joined_objects(
    listed: list[_Listed],
    places: list[int],
    regions: list[str],
    out: list[Any],
    lists: _Lists,
    tails: _Tails | None = None,
) -> list[int]:
    """Read the object lists at ``places`` in ``listed`` (``regions``: each one's items'
    text, and with ``tails`` its end tags) into ``out`` at their places, all at once;
    the places read."""
    done: list[int] = []
    # Where each list ends in the columns: one '<' an item, two with its end tag (values
    # hold no '<'; end tags of a list's tail: a '</' each).
    counts = list(map(str.count, regions, repeat("<")))
    if any(map(str.__contains__, regions, repeat("</"))):
        counts = list(map(sub, counts, map(str.count, regions, repeat("</"))))
    if 0 in counts:
        # Lists of no item (empty, or not read here): one by one.
        kept = []
        for place, region, count in zip(places, regions, counts, strict=True):
            if not count and (
                not region.strip(_WS) if tails is None else tails.close.fullmatch(region)
            ):
                out[place] = Closing(listed[place][1], PromptFamily.OBJECTS)
                done.append(place)
                continue
            kept.append((place, region, count))
        if not kept:
            return done
        places, regions, counts = (list(c) for c in zip(*kept, strict=True))
    ends = list(accumulate(counts))
    known = lists.spelled("", ("did", "tp"))
    if tails is None:
        text = "\0".join(regions)
        columns = _object_columns(text, len(regions), known, lists)
    else:
        text = "\0".join(regions) + "\0"
        columns = _object_columns(text, len(regions), known, lists, (tails, ends))
    if columns is None:
        return done
    dids, tps = columns["did"], columns["tp"]
    if "" in dids:
        return done
    numbers = list(map(_PLAIN_TP.get, tps))
    if None in numbers:
        numbers = [_PLAIN_TP.get(tp) or ascii_number(tp, MAX_OBJECT_TYPE) for tp in tps]
        if None in numbers:
            return done
    labels: list[Any] = columns.get(" label") or [None] * len(dids)
    objects = list(zip(dids, numbers, labels, strict=True))
    rows = zip(
        repeat(OBJECTS_ROW),
        map(_second, map(listed.__getitem__, places)),
        map(objects.__getitem__, map(slice, [0, *ends[:-1]], ends)),
    )
    for place, row in zip(places, rows, strict=True):
        out[place] = row
    done.extend(places)
    return done


def _object_columns(
    text: str,
    count: int,
    known: _Spellings,
    lists: _Lists,
    tails: tuple[_Tails, list[int]] | None = None,
) -> dict[str, list[Any]] | None:
    """The attribute values of the object items of ``count`` lists joined by NUL, a
    column per name (or only ``did``, ``tp``), references replaced, ``" label"`` the
    ``n`` (else ``disp_n``) of each; None if not every item reads so.  ``known`` and
    ``tails``: as for :func:`_element_columns`."""
    first = _ITEM_ANY.match(text)
    if first is None:
        return None
    names, quotes = _spelling(first.group(2))
    if (
        not known.literal
        and "did" in names
        and "tp" in names
        and _alike(text, "<" + first.group(1), first.group(2))
    ):
        spelling = _item_spelling(names, quotes, first.group(2))  # see _element_columns
        parts = _joined_split(spelling.pattern, text, spelling.stride, count, lists, tails)
        if parts is not None:
            stride = spelling.stride
            columns = {name: parts[index::stride] for name, index in spelling.at.items()}
            del parts
            if "&" in text:
                columns = {name: _decoded(column) for name, column in columns.items()}
            label = columns.get("n") or columns.get("disp_n")
            if label is not None:
                columns[" label"] = label
            return columns
    # items spelled several ways
    return _items_by_spelling(
        text,
        count,
        lists,
        tag=None,
        needed=("did", "tp"),
        labels=("n", "disp_n"),
        known=known,
        tails=tails,
    )


def _split(
    pattern: re.Pattern[str] | None, region: str, stride: int, lists: _Lists
) -> list[str] | None:
    if pattern is None:
        return None
    lists.pass_over(len(region))
    parts = pattern.split(region)
    return parts if _blank(parts[::stride]) else None


def _split_within(
    pattern: re.Pattern[str], body: str, start: int, stop: int, stride: int, lists: _Lists
) -> list[str] | None:
    """``pattern.split`` of ``body[start:stop]`` without copying it out of ``body`` (a
    list can be most of a document): what the split finds before ``start`` and after
    ``stop`` must be the text there, less whitespace next to the items."""
    lists.pass_over(len(body))
    parts = pattern.split(body)
    head, tail = parts[0], parts[-1]
    after = len(body) - stop
    if (
        len(parts) == 1
        or len(head) < start
        or len(tail) < after
        or head[start:].strip(_WS)
        or tail[: len(tail) - after].strip(_WS)
        or not _blank(parts[stride:-1:stride])
    ):
        return None
    return parts


def _elements(key: str, at: str | None, body: str, start: int, stop: int, lists: _Lists) -> Any:
    """xml._plain_es's rules, read from the text of an ``<es>``, ``body[start:stop]``."""
    source: str | None = None
    if at is not None:
        values = lists.parsed(at)
        source = values.get("did")
        tp = values.get("tp")
        if not source or (tp is not None and tp != "12"):
            return None
    if _BLANK.match(body, start).end() >= stop:  # type: ignore[union-attr]
        # an empty list closes the prompt; its source, a GUID, is kept
        if source is not None and not _GUID.fullmatch(source):
            return None
        return Closing(key, PromptFamily.ELEMENTS, source)
    spelling = lists.e
    parts = (
        None
        if spelling is None
        else _split_within(spelling.pattern, body, start, stop, spelling.stride, lists)
    )
    if parts is None:
        if spelling is not None and lists.large:
            # A document over MAX_TEXT is read list by list: a list spelled unlike the
            # one before costs a new pattern, so past a few the tree is cheaper.
            lists.spend()
        first = _E_ANY.match(body, start)
        if first is None:
            return None
        names, quotes = _spelling(first.group(1))
        ei_text = _attributes(first.group(1)).get("ei") or ""
        guid = ei_text[:32]
        if ei_text[32:33] != ":" or not _GUID.fullmatch(guid):
            return _mixed_elements(key, source, body[start:stop], lists)
        for literal in (first.group(1), None):  # as the first item is spelled, then loosely
            spelling = _e_spelling(names, quotes, guid, literal)
            parts = _split_within(spelling.pattern, body, start, stop, spelling.stride, lists)
            if parts is not None:
                break
        else:
            return _mixed_elements(key, source, body[start:stop], lists)
        lists.e = spelling
    assert spelling is not None
    stride, where = spelling.stride, spelling.at
    references = body.find("&", start, stop) != -1
    keys, names_column, emts = _split_element_columns(parts, stride, where, where["ei"], references)
    del parts
    # Every ID is the attribute GUID, ':' and a key part, the GUID written in the pattern:
    # xml._plain_es's test that all start with the first one's 32 characters and ':'.
    return _element_row(key, source, spelling.guid, keys, names_column, emts, lists)


def _e_spelling(
    names: tuple[str, ...], quotes: tuple[str, ...], guid: str, literal: str | None
) -> _Spelling:
    attributes = _attribute_patterns(names, quotes, guid=re.escape(guid), literal=literal)
    at = {name: 1 + i for i, name in enumerate(names)}
    pattern = _pattern(f"<e{attributes}{_S}*(?:/>|></e{_S}*>)")
    return _Spelling(pattern, len(names) + 1, at, guid)


def _element_row(
    key: str,
    source: str | None,
    attribute: str,
    keys: list[str],
    names: list[Any] | None,
    emts: list[Any] | None,
    lists: _Lists,
) -> Any:
    if lists.large and (_long(keys) or (names is not None and _long(names))):
        raise _Fallback
    if emts is not None and emts.count("1") + emts.count(None) != len(emts):
        return None
    if source is not None and source != attribute:
        return None
    if not plain_keys("\0".join(keys)):
        return None
    return (ELEMENTS_ROW, key, attribute, keys, names or [None] * len(keys))


def _one_by_one(
    pattern: re.Pattern[str], group: int, region: str
) -> Iterator[dict[str, str] | None]:
    """The attributes of each item of a list spelled several ways, matched one at a time
    by ``pattern`` (the attribute text in ``group``); None, last, at text that is no item."""
    position = 0
    end = len(region.rstrip(_WS))
    while position < end:
        item = pattern.match(region, position)
        if item is None:
            yield None
            return
        position = item.end()
        yield _attributes(item.group(group))


def _split_element_columns(
    parts: list[Any], stride: int, where: dict[str, int], key_index: int, references: bool
) -> tuple[list[Any], list[Any] | None, list[Any] | None]:
    """The key, display-name and ``emt`` columns of ``<e>`` items split one spelling at a
    time (``where``: each attribute's group; the keys at ``key_index``), references
    replaced where ``references``; the values of every other attribute are checked, not
    kept."""
    ei, disp_n, emt = where["ei"], where.get("disp_n"), where.get("emt")
    keys = parts[key_index::stride]
    names = None if disp_n is None else parts[disp_n::stride]
    emts = None if emt is None else parts[emt::stride]
    if references:
        for index in where.values():  # every value well-formed, even those not kept
            if index not in (ei, disp_n, emt):
                _decoded(parts[index::stride])
        keys = _decoded(keys)
        names = None if names is None else _decoded(names)
        emts = None if emts is None else _decoded(emts)
    return keys, names, emts


def _mixed_elements(key: str, source: str | None, region: str, lists: _Lists) -> Any:
    """A list whose items are spelled differently from each other: read a spelling at a
    time, or else item by item."""
    columns = _items_by_spelling(
        region, 1, lists, tag="e", needed=("ei",), labels=("disp_n",), kept=("emt",)
    )
    if columns is not None:
        guids = columns[" guid"]
        if guids.count(guids[0]) != len(guids):
            return None  # as xml._plain_es: every ID starts with the first one's GUID
        shown, emt = columns.get(" label"), columns.get("emt")
        return _element_row(key, source, guids[0], columns["ei"], shown, emt, lists)
    lists.spend()
    lists.one_by_one(region)
    attribute: str | None = None
    keys: list[str] = []
    names: list[str | None] = []
    emts: list[str | None] = []
    for values in _one_by_one(_E_ANY, 1, region):
        if values is None:
            return None
        ei = values.get("ei")
        if ei is None or len(ei) < 33 or ei[32] != ":" or not _GUID.fullmatch(ei, 0, 32):
            return None
        if attribute is None:
            attribute = ei[:32]
        elif ei[:32] != attribute:
            return None  # as xml._plain_es: every ID starts with the first one's GUID
        keys.append(ei[33:])
        names.append(values.get("disp_n"))
        emts.append(values.get("emt"))
    assert attribute is not None  # the region holds an item
    return _element_row(key, source, attribute, keys, names, emts, lists)


def _item_spelling(
    names: tuple[str, ...], quotes: tuple[str, ...], literal: str | None
) -> _Spelling:
    attributes = _attribute_patterns(names, quotes, literal=literal)
    source = f"<({_NAME}){attributes}{_S}*(?:/>|></\\1{_S}*>)"
    return _Spelling(_pattern(source), len(names) + 2, {n: 2 + i for i, n in enumerate(names)})


def _objects(key: str, inner: str, lists: _Lists) -> Any:
    """xml._plain_fct's rules, read from the text of a ``<fct>``."""
    if not inner.strip(_WS):
        return Closing(key, PromptFamily.OBJECTS)
    spelling = lists.item
    parts = None if spelling is None else _split(spelling.pattern, inner, spelling.stride, lists)
    if parts is None:
        if spelling is not None and lists.large:
            lists.spend()  # as in _elements: a long document's lists respelled
        first = _ITEM_ANY.match(inner)
        if first is None:
            return None
        names, quotes = _spelling(first.group(2))
        if "did" not in names or "tp" not in names:
            return _mixed_objects(key, inner, lists)
        for literal in (first.group(2), None):
            spelling = _item_spelling(names, quotes, literal)
            parts = _split(spelling.pattern, inner, spelling.stride, lists)
            if parts is not None:
                break
        else:
            return _mixed_objects(key, inner, lists)
        lists.item = spelling
    assert spelling is not None
    stride = spelling.stride
    columns = {name: parts[index::stride] for name, index in spelling.at.items()}
    if "&" in inner:
        columns = {name: _decoded(column) for name, column in columns.items()}
    if lists.large and any(_long(c) for c in columns.values()):
        raise _Fallback
    labels = columns.get("n") or columns.get("disp_n")
    return _object_row(key, columns["did"], columns["tp"], labels)


def _object_row(key: str, dids: list[Any], tps: list[Any], labels: list[Any] | None) -> Any:
    if "" in dids or None in dids or None in tps:
        return None
    numbers = [_PLAIN_TP.get(tp) or ascii_number(tp, MAX_OBJECT_TYPE) for tp in tps]
    if None in numbers:
        return None
    return (OBJECTS_ROW, key, list(zip(dids, numbers, labels or [None] * len(dids), strict=True)))


def _mixed_objects(key: str, inner: str, lists: _Lists) -> Any:
    """An object list whose items are spelled differently: read a spelling at a time,
    or else item by item."""
    columns = _items_by_spelling(
        inner,
        1,
        lists,
        tag=None,
        needed=("did", "tp"),
        labels=("n", "disp_n"),
        kept=None if lists.large else (),  # a long value anywhere: see _Lists.large
    )
    if columns is not None:
        if lists.large and any(_long(c) for c in columns.values()):
            raise _Fallback
        return _object_row(key, columns["did"], columns["tp"], columns.get(" label"))
    lists.spend()
    lists.one_by_one(inner)
    dids: list[str | None] = []
    tps: list[str | None] = []
    labels: list[str | None] = []
    for values in _one_by_one(_ITEM_ANY, 2, inner):
        if values is None:
            return None
        if lists.large and any(len(v) > MAX_TEXT for v in values.values()):
            raise _Fallback
        dids.append(values.get("did"))
        tps.append(values.get("tp"))
        name = values.get("n")
        labels.append(values.get("disp_n") if name is None else name)
    return _object_row(key, dids, tps, labels)
