"""Parsing untrusted XML safely, and writing it back in one canonical spelling.

Prompt-answer XML arrives from URLs, forms and captured pages, so it is hostile until
proven otherwise.  The parser here resolves no entities, reads no DTD, never touches the
network or the filesystem, and refuses a document that declares a DTD at all (that is
where external entities, parameter entities and "billion laughs" live).  Input larger
than :data:`MAX_XML_CHARS` is refused before parsing.

Text is already decoded, so :func:`parse` reads it as the characters it is and never lets
an ``encoding="…"`` declaration re-decode it (``é`` declared ISO-8859-1 would otherwise
become ``Ã©``, and a UTF-7 declaration could hide a ``<pa>`` in ``+ADw-pa+AD4-``).
Bytes are turned into text by :func:`decode_bytes`, which honours a declaration only
where it cannot change what UTF-8 reads.
"""

from __future__ import annotations

import codecs
import re
from typing import NoReturn

from lxml import etree

from . import limits
from .errors import DecodeError, InputTooLarge

__all__ = [
    "MAX_XML_CHARS",
    "decode_bytes",
    "decode_bytes_as",
    "parse",
    "pull_parser",
    "serialize",
    "streamable",
    "without_dtd",
]

MAX_XML_CHARS = limits.MAX_SIZE
"""The largest XML text accepted by default (32 Mi characters, :data:`mstr_prompts.limits.MAX_SIZE`);
:func:`mstr_prompts.limits.allowing` raises it."""

# libxml2's limits without its huge_tree flag, which stays off: no real answer set nears them.
_LIMITS = {
    "depth": "elements are nested more than 256 deep",
    "size": "a text node, attribute value or name is over 10,000,000 bytes",
}

_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    # The text handed to libxml2 is always the UTF-8 encoding of a str: an encoding
    # declaration inside it describes some earlier byte form, not these bytes.
    "encoding": "utf-8",
}
_PARSER = etree.XMLParser(**_OPTIONS)  # type: ignore[arg-type]
# Without an XML declaration the bytes are read as UTF-8 anyway (XML 1.0 §4.3.3), so the
# encoding option, whose converter costs a twentieth of a parse, is left out.
_PARSER_UNDECLARED = etree.XMLParser(
    **{name: value for name, value in _OPTIONS.items() if name != "encoding"}  # type: ignore[arg-type]
)
# The XML declaration's encoding (XML 1.0 §4.3.3 EncName), read from the first bytes.
_DECLARED = re.compile(
    rb"""\s*<\?xml\s+version\s*=\s*(["'])[^"']*\1\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._\-]*)\2"""
)
# UTF-32's marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without a mark, '<' in UTF-16 or UTF-32 has zero bytes no ASCII-compatible text has
# (XML 1.0 Appendix F, https://www.w3.org/TR/xml/#sec-guessing-no-ext-info).
_UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# Python codecs that are not character encodings a document can be in: they would turn
# escapes or labels into other characters.
_NOT_CHARSETS = frozenset(
    {"unicode_escape", "raw_unicode_escape", "punycode", "idna", "utf_7", "mbcs", "oem"}
)
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_ASCII = bytes([0x9, 0xA, 0xD, *range(0x20, 0x7F)])


def _ascii_compatible(encoding: str) -> bool:
    """True when ``encoding`` reads every printable ASCII byte as that ASCII character."""
    try:
        return _ASCII.decode(encoding) == _ASCII.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def decode_bytes(data: bytes, *, where: str = "xml") -> str:
    """Turn XML bytes into text: UTF-8, or what the declaration says, never a guess.

    A byte-order mark decides first.  Bytes that are UTF-8 are read as UTF-8; a
    declaration naming another encoding is accepted only if it reads them the same
    (ASCII text), and is otherwise refused as contradicting the content.  Bytes that are
    not UTF-8 are read in their declared encoding if it is an ASCII-compatible one
    (ISO-8859-1, windows-1252, Shift_JIS, …).

    >>> decode_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'.encode("latin-1"))[-8:]
    '<a>é</a>'
    >>> decode_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'.encode("utf-8"))
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: xml: the XML declaration says ISO-8859-1, but the bytes are UTF-8 text that ISO-8859-1 reads differently ('é' would become 'Ã©'); fix or remove the declaration
    """
    return decode_bytes_as(data, where=where)[0]


def decode_bytes_as(data: bytes, *, where: str = "xml") -> tuple[str, str]:
    """:func:`decode_bytes`'s text, and the encoding it read the bytes in: ``"utf-8"``
    exactly when the text is the bytes (after a UTF-8 byte-order mark) read as UTF-8, so
    that what holds for the bytes holds for the text (a caller checks its characters on
    the bytes: a strict UTF-8 decoder has refused lone surrogates already).

    >>> decode_bytes_as(b"\\xef\\xbb\\xbf<a/>")
    ('<a/>', 'utf-8')
    >>> decode_bytes_as('<?xml version="1.0" encoding="latin-1"?><a>é</a>'.encode("latin-1"))[1]
    'iso8859-1'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            why = f"the byte-order mark says {encoding}"
            return _decode(data[len(bom) :], encoding, where, why), encoding
    for start, encoding in _UNMARKED:
        if data.startswith(start):
            why = f"the first bytes are '<' in {encoding}"
            return _decode(data, encoding, where, why), encoding
    declared = _DECLARED.match(data)
    name = declared.group(3).decode("ascii") if declared else None
    try:
        encoding = codecs.lookup(name).name if name else "utf-8"
        if name:
            "".encode(encoding)  # refuses bytes-to-bytes codecs such as base64
    except LookupError:
        raise DecodeError(
            f"the XML declaration names an unknown encoding {name!r}", where=where
        ) from None
    if encoding.replace("-", "_") in _NOT_CHARSETS:
        raise DecodeError(
            f"the XML declaration names {name!r}, which is not a character encoding an XML "
            "document can be in",
            where=where,
            hint="give the XML as UTF-8",
        )
    if encoding == "utf-8":
        return _decode(data, "utf-8", where, None), encoding  # decoded once: no other to compare
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None:
        try:
            other = data.decode(encoding)
        except (UnicodeError, LookupError):  # LookupError: a bytes-to-bytes codec
            other = None
        if other != as_utf8:
            sample = next((c for c in as_utf8 if not c.isascii()), as_utf8[:1])
            shown = ""
            if other is not None and sample:
                shown = f" ({sample!r} would become {sample.encode('utf-8').decode(encoding, 'replace')!r})"
            raise DecodeError(
                f"the XML declaration says {name}, but the bytes are UTF-8 text that {name} "
                f"reads differently{shown}; fix or remove the declaration",
                where=where,
            )
        return as_utf8, "utf-8"
    if not _ascii_compatible(encoding):
        raise DecodeError(
            f"the XML declaration says {name}, which is not an ASCII-compatible encoding; "
            "give the XML as UTF-8",
            where=where,
        )
    text = _decode(data, encoding, where, f"the XML declaration says {name}")
    control = _C1_CONTROLS.search(text)
    if control is not None:
        # Real text has no C1 controls; windows-1252 text declared ISO-8859-1 (the common
        # mistake) would read its €, “ and ” as them.
        raise DecodeError(
            f"the XML declaration says {name}, which reads a byte as the control character "
            f"U+{ord(control.group()):04X} (text index {control.start()}); the bytes are in "
            "another encoding (windows-1252?)",
            where=where,
            hint="declare the encoding the bytes are in, or give the XML as UTF-8",
        )
    return text, encoding


def _decode(data: bytes, encoding: str, where: str, why: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        problem = f"byte {exc.start}: {exc.reason}"
    except UnicodeError as exc:  # punycode and friends raise the base class
        problem = str(exc)
    if why is None:
        message = f"the input is not UTF-8 ({problem})"
    else:
        message = f"{why}, but the bytes are not {encoding} ({problem})"
    raise DecodeError(message, where=where, hint="give the XML as UTF-8")


def parse(text: str, *, where: str = "xml") -> etree._Element:
    """Parse ``text`` into an element tree, refusing anything unsafe or malformed.

    >>> parse("<rsl><pa/></rsl>").tag
    'rsl'
    >>> parse('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: xml: a DTD is not allowed in prompt-answer XML (it could declare entities)
    """
    if not streamable(text):
        _refuse(text, where)
    try:
        parser = _PARSER if text.startswith("<?xml") else _PARSER_UNDECLARED
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = (exc.msg or "not well-formed").split(", line ")[0]
        # libxml2's own limits name a parser flag the user cannot set; say what the limit is.
        if "XML_PARSE_HUGE" in message:
            limit = _LIMITS["depth" if "depth" in message.lower() else "size"]
            raise DecodeError(
                f"the XML is over a size limit at line {line}, column {column}: {limit}",
                where=where,
            ) from None
        raise DecodeError(
            f"not well-formed XML at line {line}, column {column}: {message}", where=where
        ) from None
    except (ValueError, UnicodeError) as exc:  # e.g. an encoding declaration that lies
        raise DecodeError(f"cannot read the XML: {exc}", where=where) from None
    if root is None:
        raise DecodeError("empty XML document", where=where)
    if not without_dtd(root):
        raise DecodeError("a DTD is not allowed in prompt-answer XML", where=where)
    return root


def streamable(text: str) -> bool:
    """True when ``text`` is within the size limit and declares no DTD (checked as text).

    >>> streamable("<rsl/>"), streamable("<!DOCTYPE rsl><rsl/>")
    (True, False)
    """
    return len(text) <= limits.current() and (
        "<!" not in text or ("<!DOCTYPE" not in text and "<!ENTITY" not in text)
    )


def without_dtd(root: etree._Element) -> bool:
    """True when the parsed document has no document type declaration.

    >>> without_dtd(parse("<rsl/>"))
    True
    """
    return not getattr(root.getroottree().docinfo, "doctype", "")


def pull_parser(tag: str, *more: str, events: tuple[str, ...] = ("end",)) -> etree.XMLPullParser:
    """A parser fed text piece by piece, with :func:`parse`'s options, reporting ``tag``.

    It reports ``events`` (the end, by default) of every element named ``tag`` (or any of
    ``more``), in document order.  For large documents, read element by element so that
    the whole tree never exists.
    Feed it UTF-8 bytes of already decoded text, as :func:`parse` does; a caller checks
    the text with :func:`streamable` first and the root with :func:`without_dtd` after.

    >>> parser = pull_parser("pa")
    >>> parser.feed(b"<rsl><pa/></rsl>")
    >>> [element.tag for _, element in parser.read_events()]
    ['pa']
    """
    tags = (tag, *more) if more else tag
    return etree.XMLPullParser(events=events, tag=tags, **_OPTIONS)  # type: ignore[arg-type]


def _refuse(text: str, where: str) -> NoReturn:
    """Raise the error for text that :func:`streamable` refused."""
    if len(text) > limits.current():
        raise InputTooLarge(len(text), limits.current(), where=where)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise DecodeError(
            "a DTD is not allowed in prompt-answer XML (it could declare entities)", where=where
        )
    raise AssertionError("streamable text refused")  # pragma: no cover


def serialize(element: etree._Element) -> str:
    """Write ``element`` (without its tail) as text: double quotes, attribute order kept.

    >>> serialize(parse("<exp nc='3'>a &gt; 1<nd/></exp>"))
    '<exp nc="3">a &gt; 1<nd/></exp>'
    """
    return etree.tostring(element, encoding="unicode", with_tail=False)
