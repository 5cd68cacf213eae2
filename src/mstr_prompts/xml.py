"""The prompt-answer XML codec: ``<rsl><pa …>…</pa></rsl>`` (the "short" answer format).

This is what the Web URL API's ``promptsAnswerXML`` parameter, the Task API's
``promptAnswerXML``, ``WebPrompts.getShortAnswerXML()`` and Library's stored answers carry
(https://www2.microstrategy.com/producthelp/current/ReportDesigner/WebHelp/Lang_1033/Content/Link_to_a_prompted_report_using_prompt_XML.htm).  :func:`decode` reads it tolerantly (raw, percent- or
form-encoded, single or double quotes, pretty-printed, bare ``<pa>`` fragments) and
:func:`encode` writes one canonical spelling, the one MicroStrategy's DHTML builder
writes.  See docs/xml.md for the mapping table and the tolerance rules.

Every parse goes through :func:`mstr_prompts.safexml.parse`: no DTD, no entities, no
network, a size limit.  A plain document, in the strict textual subset of XML 1.0 that
``mstr_prompts._xml_text`` describes (no DTD, no entity but the five predefined ones and
character references), is read from its text without a parse; anything else is parsed,
and results and errors are the same either way.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Callable, Iterable
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from lxml import etree
from pydantic import ValidationError

from . import _xml_text, limits, safexml
from ._trusted import TRUSTED, build
from ._xml_text import FAMILY_OF_PT, PT_OF_FAMILY, PT_OF_TYPE, TYPE_OF_PT, Closing
from .element_text import GUID_PATTERN, plain_keys, plain_old_short
from .enums import PromptFamily, ValueType
from .errors import (
    DecodeError,
    Hint,
    NotRepresentableError,
    Option,
    ValueTypeWarning,
    placeholder_refusal,
    rounds_refusal,
    untyped_object_refusal,
    validation_message,
)
from .expression_plain import exp_element
from .row_kinds import CLOSE_ATTRIBUTE_ROW, CLOSE_ROW, EXPRESSION_ROW, VALUES_ROW
from .rows import ELEMENTS_ROW, OBJECTS_ROW, STATE_ROWS, VALUE_ROW, RowSet, pending_rows
from .rows import Row as _Row
from .rules import (
    MAX_INT,
    MAX_OBJECT_TYPE,
    ascii_number,
    is_digits,
    refuse_to_write_repeated_keys,
)

# The models load on first use, in the functions that build or read them: decoding plain
# answers into rows and writing rows needs none (mstr_prompts.rows).
if TYPE_CHECKING:
    from .model import (
        Answer,
        AnswerSet,
        Close,
        Element,
        ElementAnswer,
        ExpressionAnswer,
        ObjectAnswer,
        ObjectRef,
        PromptRef,
    )
    from .rows import Answers

__all__ = ["decode", "encode"]

# --- grammar constants ------------------------------------------------------------------

# pt = EnumDSSXMLPromptType: the tables live with the text reader, which reads pt too.
_PT_OF_TYPE: dict[ValueType, int] = PT_OF_TYPE
_TYPE_OF_PT: dict[int, ValueType] = TYPE_OF_PT
_PT_OF_FAMILY: dict[PromptFamily, int] = PT_OF_FAMILY
_FAMILY_OF_PT: dict[int, PromptFamily] = FAMILY_OF_PT
# A value answer of unknown type is written as a string (pt 3): pt is advisory on input
# (docs/xml.md, "Tolerance on input"), and a string is what the text is.
_PT_UNKNOWN_VALUE = _PT_OF_TYPE[ValueType.STRING]

# Object-reference tag from EnumDSSXMLObjectTypes (Web's mojo WebOI.getObjectNodeName).
_TAG_OF_TYPE: dict[int, str] = {
    1: "f",
    2: "tm",
    3: "rd",
    4: "mt",
    7: "amt",
    8: "fd",
    10: "p",
    11: "fun",
    12: "at",
    13: "fc",
    14: "dm",
    21: "fm",
    47: "con",
    48: "ce",
}
_TAG_OTHER = "resv"
_ATTRIBUTE_TYPE = 12  # the only source object type an element list has (docs/xml.md)
_CONCRETE_ELEMENT = "1"  # emt: EnumDSSXMLElementType Concrete
# fct counters as writers set them (docs/xml.md): qsr fcn cc sto pfc pcc.
_FCT_COUNTERS = ("qsr", "fcn", "cc", "sto", "pfc", "pcc")

_INT = re.compile(r"[+-]?[0-9]+")
_GUID = re.compile(GUID_PATTERN)
# A bare <pa> fragment, as in fixtures/xml/f07-constant-pt4-date.xml ("framed as <rsl>{PROMPT}</rsl>").
_BARE_PA = re.compile(r"<pa[\s/>]")
# raw, percent-encoded, encoded twice (mobile deep links), or HTML-escaped on top
_MAX_TRANSPORT_DECODES = 3
_TUPLE = {tuple}
_first = itemgetter(0)


# --- decode -----------------------------------------------------------------------------


def decode(text: str | bytes, *, max_size: int | None = None) -> AnswerSet:
    """Read prompt-answer XML (raw, percent- or form-encoded) into an :class:`AnswerSet`.

    Input over ``max_size`` characters (bytes for bytes; default
    :data:`mstr_prompts.limits.MAX_SIZE`, 33,554,432) is refused with
    :class:`~mstr_prompts.errors.InputTooLarge` before any of it is decoded.

    >>> s = decode("<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>"
    ...            "Web</pa></rsl>")
    >>> s[0].prompt.key, s[0].value, s[0].type.value
    ('2294C41E44244ADAED930CB4E00A9DA0@0@10', 'Web', 'string')
    >>> decode("%3Crsl%3E%3C%2Frsl%3E")
    AnswerSet(answers=(), mode=None, locale=None, rounds=None)
    >>> decode("<mi/>")
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: xml: the root is <mi>, the long prompt-answer format, which is not supported; give the short <rsl><pa …>…</pa></rsl> format
    """
    return decode_rows(text, max_size=max_size).answer_set()


def decode_rows(text: str | bytes, *, max_size: int | None = None) -> RowSet:
    """Read prompt-answer XML as :func:`decode` does, into rows: a
    :class:`~mstr_prompts.rows.RowSet`, whose plain answers are not models yet.

    Every encoder takes the rows in place of the set and writes the same text;
    ``decode_rows(text).answer_set() == decode(text)``.  Errors are those of
    :func:`decode`.

    >>> rows = decode_rows("<rsl lcl='1033'><pa pt='3' pin='0' "
    ...                    "did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>Web</pa></rsl>")
    >>> rows.items, rows.locale
    ((('value', '2294C41E44244ADAED930CB4E00A9DA0@0@10', 'Web', <ValueType.STRING: 'string'>),), 1033)
    """
    limits.check(text, where="xml", limit=max_size)
    if max_size is None:
        return _decode(text)
    with limits.allowing(max_size):
        return _decode(text)


def _decode(text: str | bytes) -> RowSet:
    xml_text, data = _untransport(text)
    if _BARE_PA.match(xml_text):
        xml_text = f"<rsl>{xml_text}</rsl>"
    if _FAST and _RAW and len(xml_text) <= min(_RAW_CHARS, limits.current()):
        read = _read_text(xml_text, data)
        if read is not None:
            return read
    if _FAST and len(xml_text) > _STREAM_CHARS:
        streamed = _streamed(xml_text)
        if streamed is not None:
            root, rows = streamed
            return _answer_set(rows, _locale(root))
    root = safexml.parse(xml_text, where="xml")
    if root.tag == "mi":
        raise DecodeError(
            "the root is <mi>, the long prompt-answer format, which is not supported; "
            "give the short <rsl><pa …>…</pa></rsl> format",
            where="xml",
        )
    if root.tag != "rsl":
        raise DecodeError(
            f"the root is <{_tag(root)}>; expected <rsl> (or bare <pa> elements)", where="xml"
        )
    # Rows, answers, and (until the checked path reads them) <pa> elements.
    items: list[Any] | None = _plain_items(root) if _FAST else None
    if items is None or not _blank(root.text):  # else the fast walk checked the tails
        _no_text(root, "xml: rsl", "<rsl>")
    locale = _locale(root)
    if items is None:
        items = []
        append = items.append
        for index, child in enumerate(root, start=1):
            if child.tag != "pa":
                raise DecodeError(
                    f"unexpected <{_tag(child)}> (line {child.sourceline}); <rsl> holds only <pa>",
                    where="xml: rsl",
                )
            append(_decode_pa(child, index))
    else:
        # The checked path, in document order, for each <pa> the fast path left.
        for index, item in enumerate(items):
            if isinstance(item, etree._Element):
                items[index] = _decode_pa(item, index + 1)
    return _answer_set(items, locale)


# --- plain documents read as text -------------------------------------------------------
#
# A document in the textual subset of mstr_prompts._xml_text is read without building a
# tree: its rows come from regular expressions over the text.  A <pa> of another shape
# comes back as its text, parsed alone here (inside an <rsl>, at the depth it has in the
# document) and read by the functions the tree path uses for it; if any of that fails,
# the whole document takes the tree path, which words the error.  ``_RAW = False``
# turns this off (the property tests compare both).

_RAW = True
# Above this many characters a document is read as it is parsed (_streamed), as before:
# the text reader keeps every value of a list at once, with the list's text (one <pa> of
# 160,000 elements: a peak of 3.4x the input, against 1.8x streamed; bench_memory.py).
_RAW_CHARS = 4 << 20


def _read_text(xml_text: str, data: bytes | None = None) -> RowSet | None:
    scan = _xml_text.read(xml_text, data)
    if scan is None:
        return None
    items = scan.items
    for index in scan.marks:
        mark = items[index]
        if type(mark) is Closing:
            items[index] = _closed(mark.key, mark.family, mark.attribute)
            continue
        item = _read_piece(mark.text, index + 1)
        if item is None:
            return None
        items[index] = item
    return _answer_set(items, _locale_of(scan.lcl))


def _read_piece(text: str, index: int) -> Any:
    """The item of one ``<pa>``'s text, as the tree path makes it; None if it fails."""
    try:
        root = safexml.parse(f"<rsl>{text}</rsl>", where="xml")
        if len(root) != 1 or root.text is not None:
            return None
        pa = root[0]
        if pa.tag != "pa" or pa.tail is not None:
            return None
        item = _plain_pa(pa)
        return _decode_pa(pa, index) if item is None else item
    except ValueError:  # DecodeError, and the models' ValidationError
        return None


_WRITERS_OWN = frozenset({EXPRESSION_ROW, CLOSE_ATTRIBUTE_ROW})  # the writers' rows XML makes


def _answer_set(items: list[Any], locale: int | None) -> RowSet:
    if not items or set(map(type, items)) == _TUPLE:  # one C-level pass over the items
        # checked row by row: nothing for the models to refuse
        return RowSet(
            tuple(items),
            locale=locale,
            # writers' rows held (row_kinds.WRITER_ROWS): C-level, as above
            expression_rows=not _WRITERS_OWN.isdisjoint(map(_first, items)),
            trusted=TRUSTED,
        )
    rows = RowSet(tuple(items), locale=locale, expression_rows=True, trusted=TRUSTED)
    try:
        rows.answer_set()  # answers that are models already: the set checks them now
    except ValidationError as exc:
        raise DecodeError(validation_message(exc), where="xml: rsl") from None
    return rows


def _untransport(text: str | bytes) -> tuple[str, bytes | None]:
    """Undo the URL transport: find the raw XML under up to two layers of encoding.

    With it, the bytes given when the XML is their UTF-8 text (less whitespace and a
    byte-order mark before it): the text reader checks the characters on them
    (``_xml_text.read``), in fewer passes than on the text."""
    data: bytes | None = None
    if isinstance(text, (bytes, bytearray)):
        data = bytes(text)
        text, encoding = safexml.decode_bytes_as(data, where="xml")
        if encoding != "utf-8":
            data = None
    if not isinstance(text, str):
        raise DecodeError(f"expected text or bytes, not {type(text).__name__}", where="xml")
    current = text.lstrip().lstrip("\ufeff").lstrip()
    if current.startswith("<"):
        return current, data
    for _ in range(_MAX_TRANSPORT_DECODES):
        if current.startswith("<"):
            return current, None
        if current.startswith("&lt;"):
            # HTML-escaped XML, as copied from a page's source or a hidden form field
            # (fixtures/url/C16.html writes it with fn:escapeXml): one level of entities, nothing else.
            import html  # here: with html.entities, 2 ms no plain document needs

            current = html.unescape(current).lstrip()
            continue
        # '+' is a space only in form encoding; a raw '<' means the text is not encoded.
        form = "+" in current and "<" not in current
        try:
            # A piece at a time: unquote() of the whole text costs fifty times its size.
            current = limits.unquote_bytes(current, plus=form).decode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate in the text itself
            raise DecodeError(
                "the text is not valid Unicode (lone surrogate)", where="xml"
            ) from None
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the percent-encoded input is not UTF-8: {exc.reason} at byte {exc.start}",
                where="xml",
            ) from None
        current = current.lstrip().lstrip("\ufeff").lstrip()
    if current.startswith("<"):
        return current, None
    if not current:
        raise DecodeError("the input is empty", where="xml")
    json_like = current[:1] in ("{", "[")
    library_like = current.startswith("[[") or '"answers"' in current[:200]
    codec = "library" if library_like else "rest"
    raise DecodeError(
        f"not prompt-answer XML: it starts with {current[:20]!r}, not '<' "
        "(even after undoing percent-encoding and HTML escaping)",
        where="xml",
        hint=Hint("read it as {0}", Option("from", codec, api=f"mstr_prompts.{codec}.decode"))
        if json_like
        else None,
    )


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else repr(tag)


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


def _no_text(element: etree._Element, where: str, what: str) -> None:
    """Refuse text content (other than indentation) where only elements belong."""
    text = element.text
    if (text and not text.isspace()) or any(c.tail and not c.tail.isspace() for c in element):
        raise DecodeError(
            f"{what} (line {element.sourceline}) has text content where only elements belong",
            where=where,
        )


def _int(value: str, what: str, where: str) -> int:
    """An integer attribute: ASCII digits, an optional sign and surrounding spaces."""
    number = ascii_number(value, MAX_INT)  # the usual spelling, checked cheaply
    if number is not None:
        return number
    text = value.strip()
    if not _INT.fullmatch(text):
        raise DecodeError(f"{what} must be an integer, got {value!r}", where=where)
    number = ascii_number(text.lstrip("+-"), MAX_INT)
    if number is None:
        shown = value if len(value) <= 20 else f"{value[:12]}… ({len(value)} characters)"
        raise DecodeError(
            f"{what} {shown!r} is out of range (a server reads at most {MAX_INT})", where=where
        )
    return -number if text.startswith("-") else number


def _locale(root: etree._Element) -> int | None:
    return _locale_of(root.get("lcl"))


def _locale_of(lcl: str | None) -> int | None:
    if lcl is None:
        return None
    what = "lcl (the locale, a Windows LCID)"
    locale = _int(lcl, what, "xml: rsl")
    if locale < 0:  # the model's rule (AnswerSet.locale >= 0), said here with its name
        raise DecodeError(f"{what} must not be negative, got {lcl!r}", where="xml: rsl")
    return locale


def _located(key: str) -> PromptRef:
    # A non-empty key and nothing else: valid by construction, built without validation.
    # Once per prompt: a module import costs a fifth of ``from .model import PromptRef``.
    import mstr_prompts.model as model

    return build(model.PromptRef, {"key": key, "id": None, "name": None, "position": None})


def _plain_location(did: str | None, pin: str | None, tp: str | None) -> bool:
    """True for ``did pin tp`` as MicroStrategy writes them: nothing to check further."""
    # pin and tp are both digits when their concatenation is (neither is empty)
    return bool(did and pin and tp and "@" not in did and is_digits(pin + tp))


def _prompt_ref(pa: etree._Element, where: str) -> PromptRef:
    """Identify the prompt: ``key="did@pin@tp"`` or ``pt pin did tp`` (docs/xml.md, "Grammar")."""
    get = pa.get
    key = get("key")
    did, pin, tp = get("did"), get("pin"), get("tp")
    if key is None and _plain_location(did, pin, tp):
        return _located(f"{did}@{pin}@{tp}")
    parts = {"did": did, "pin": pin, "tp": tp}
    if key is not None:
        if not key:
            raise DecodeError("<pa> has an empty key attribute", where=where)
        given = {name: value for name, value in parts.items() if value is not None}
        if given:
            split = key.split("@")
            found = dict(zip(("did", "pin", "tp"), split, strict=True)) if len(split) == 3 else {}
            for name, value in given.items():
                if found.get(name) != value:
                    raise DecodeError(
                        f'<pa> has key="{key}" and {name}="{value}", which disagree',
                        where=where,
                    )
        return _located(key)
    for name, part in parts.items():
        if part is None:
            raise DecodeError(
                f"<pa> has no {name} attribute (and no key); it needs did, pin and tp, "
                'or key="did@pin@tp"',
                where=where,
            )
    did, pin, tp = (parts[name] or "" for name in ("did", "pin", "tp"))
    if not did or "@" in did:
        raise DecodeError(f"<pa> did {did!r} is not a prompt location ID", where=where)
    for name, value in (("pin", pin), ("tp", tp)):
        if not is_digits(value):
            raise DecodeError(f"<pa> {name} must be a whole number, got {value!r}", where=where)
    return _located(f"{did}@{pin}@{tp}")


def _pt(pa: etree._Element, where: str) -> int | None:
    pt = pa.get("pt")
    if pt is None or not pt.strip():
        return None  # empty pt occurs in production code (fixtures/xml/SOURCES.md)
    return _int(pt, "pt (EnumDSSXMLPromptType)", where)


def _decode_pa(pa: etree._Element, index: int) -> Answer:
    where = f"xml: pa[{index}]"
    prompt = _prompt_ref(pa, where)
    where = f"xml: pa[{index}] (key {prompt.key})"
    pt = _pt(pa, where)
    try:
        return _decode_body(pa, prompt, pt, where)
    except ValidationError as exc:
        raise DecodeError(validation_message(exc), where=where) from None


def _closed(key: str, family: PromptFamily | None, attribute: str | None = None) -> _Row | Close:
    """An empty answer to prompt ``key``: a close row, a close row naming an element
    list's source attribute (a GUID), or (for anything else, which the model judges) the
    Close model."""
    if attribute is None:
        return (CLOSE_ROW, key, family)
    if family is PromptFamily.ELEMENTS and _GUID.fullmatch(attribute):
        return (CLOSE_ATTRIBUTE_ROW, key, attribute)  # what _close builds, as a row
    return _close(_located(key), family, attribute)


def _close(prompt: PromptRef, family: PromptFamily | None, attribute: str | None = None) -> Close:
    """``Close(prompt=prompt, family=family, attribute=attribute)``.

    Built without validation when it is valid by construction (a PromptRef, a family,
    and an attribute only for an element list, that a GUID), as a document of many empty
    answers would otherwise pay a validation each; else validated, for the model's error.
    """
    from .model import Close

    if attribute is not None and (
        family is not PromptFamily.ELEMENTS or not _GUID.fullmatch(attribute)
    ):
        return Close(prompt=prompt, family=family, attribute=attribute)
    return build(
        Close, {"prompt": prompt, "kind": "close", "family": family, "attribute": attribute}
    )


def _decode_body(pa: etree._Element, prompt: PromptRef, pt: int | None, where: str) -> Answer:
    import mstr_prompts.expression_xml as expression_xml  # once per answer: see _located
    import mstr_prompts.model as model

    is_empty = expression_xml.is_empty
    children = list(pa)
    if not children:
        text = pa.text or ""
        pt_family = _FAMILY_OF_PT.get(pt) if pt is not None else None
        if not text or (
            # Indentation alone inside a <pa> whose pt names a non-value family is an
            # empty pretty-printed body, not a value.
            _blank(text) and pt_family not in (None, PromptFamily.VALUE)
        ):
            return _close(prompt, pt_family)
        # A value's text is significant to the byte: no stripping.
        value_type = _TYPE_OF_PT.get(pt) if pt is not None else None
        # Valid by construction (non-empty text, a ValueType or None): skip validation.
        return build(
            model.ValueAnswer,
            {"prompt": prompt, "kind": "value", "value": text, "type": value_type},
        )
    if len(children) > 1:
        raise DecodeError(
            "<pa> has several body elements ("
            + ", ".join(f"<{_tag(c)}>" for c in children)
            + "); expected one of text, <mi>, <exp> or <dmy>",
            where=where,
        )
    _no_text(pa, where, "<pa>")
    body = children[0]
    if body.tag == "mi":
        return _decode_mi(body, prompt, where)
    if body.tag == "exp":
        # Only a body with nothing at all in it closes (expression_xml.is_empty, the rule
        # REST's decoder shares): <exp nc="0"/> stays an answer, as it does in REST.
        if is_empty(body):
            return _close(prompt, PromptFamily.EXPRESSION)
        if _FAST and prompt.id is None and prompt.name is None and prompt.position is None:
            # The usual shapes, read as REST's writer needs them and built as a model
            # only when another reader asks (expression_xml.scan_row).
            row = expression_xml.scan_row(body, prompt.key)  # type: ignore[arg-type]
            if row is not None:
                return row  # type: ignore[return-value]
        return expression_xml.answer(body, prompt=prompt, where=where)
    if body.tag == "dmy":
        if is_empty(body):
            return _close(prompt, PromptFamily.LEVEL)
        return expression_xml.level_answer(body, prompt=prompt, where=where)
    raise DecodeError(
        f"unexpected <{_tag(body)}> (line {body.sourceline}) as the answer body; "
        "expected text, <mi>, <exp> or <dmy>",
        where=where,
    )


def _decode_mi(mi: etree._Element, prompt: PromptRef, where: str) -> Answer:
    _no_text(mi, where, "<mi>")
    children = list(mi)
    if len(children) != 1 or children[0].tag not in ("es", "fct"):
        found = ", ".join(f"<{_tag(c)}>" for c in children) or "nothing"
        raise DecodeError(
            f"<mi> (line {mi.sourceline}) must hold one <es> or <fct>; found {found}",
            where=where,
        )
    body = children[0]
    if body.tag == "es":
        return _decode_es(body, prompt, where)
    return _decode_fct(body, prompt, where)


def _decode_es(es: etree._Element, prompt: PromptRef, where: str) -> Answer:
    """Element list: optional ``<at>`` source, then ``<e>`` elements."""
    from .model import ElementAnswer

    # One pass over what may be tens of thousands of children: each child's tail is
    # checked here rather than in a second walk by _no_text.
    if not _blank(es.text):
        _no_text(es, where, "<es>")
    attribute: str | None = None
    elements: list[Element] = []
    append = elements.append
    for child in es:
        tag = child.tag
        if tag == "e":
            append(_decode_e(child, len(elements) + 1, where))
        elif tag == "at":
            if attribute is not None:
                raise DecodeError(
                    f"<es> has a second <at> source (line {child.sourceline})", where=where
                )
            attribute = _decode_source(child, where)
        else:
            raise DecodeError(
                f"unexpected <{_tag(child)}> (line {child.sourceline}) in <es>; "
                "expected <at> and <e>",
                where=where,
            )
        tail = child.tail
        if tail and not tail.isspace():
            _no_text(es, where, "<es>")
    if not elements:
        return _close(prompt, PromptFamily.ELEMENTS, attribute)
    return ElementAnswer.of(prompt, attribute, tuple(elements))


def _decode_source(at: etree._Element, where: str) -> str:
    _no_content(at, where, "the <at> source")
    did = at.get("did")
    if not did:
        raise DecodeError(f"the <at> source (line {at.sourceline}) has no did", where=where)
    tp = at.get("tp")
    if tp is not None and _int(tp, "the <at> source's tp", where) != _ATTRIBUTE_TYPE:
        raise DecodeError(
            f"the <es> source has tp={tp!r}; only attributes (tp 12) are supported",
            where=where,
        )
    return did


def _no_content(element: etree._Element, where: str, what: str) -> None:
    if len(element) or not _blank(element.text):
        raise DecodeError(
            f"{what} (line {element.sourceline}) has content; expected an empty element",
            where=where,
        )


def _what_e(e: etree._Element, number: int) -> str:
    # Built only on error: sourceline costs a lookup, and lists run to 10,000 elements.
    return f"<e> #{number} (line {e.sourceline})"


def _decode_e(e: etree._Element, number: int, where: str) -> Element:
    # Once per element: a module import costs a fifth of ``from … import`` (xml._located).
    import mstr_prompts.element_id as element_ids
    import mstr_prompts.model as model

    text = e.text
    if len(e) or (text and not text.isspace()):
        _no_content(e, where, _what_e(e, number))
    get = e.get
    ei = get("ei")
    if ei is None:
        raise DecodeError(f"{_what_e(e, number)} has no ei attribute", where=where)
    emt = get("emt")
    if emt is not None and emt != _CONCRETE_ELEMENT and emt.strip() != _CONCRETE_ELEMENT:
        raise DecodeError(
            f"{_what_e(e, number)} has emt={emt!r}; only concrete elements (emt=1) are supported",
            where=where,
        )
    try:
        element_id = element_ids.parse_element_id(ei)
    except DecodeError as exc:
        raise DecodeError(f"{_what_e(e, number)}: {exc.message}", where=where) from None
    # art (arity) is derived from ei and disp_id is presentation: neither is kept.
    try:
        return model.Element.of(element_id, get("disp_n"))
    except ValidationError as exc:
        raise DecodeError(f"{_what_e(e, number)}: {validation_message(exc)}", where=where) from None


def _what_object(child: etree._Element, number: int) -> str:
    # Built only on error, like _what_e.
    return f"<{_tag(child)}> object #{number} (line {child.sourceline})"


def _decode_fct(fct: etree._Element, prompt: PromptRef, where: str) -> Answer:
    """Object list: any tag, keyed on did + tp; counters ignored."""
    from .model import ObjectAnswer, ObjectRef

    _no_text(fct, where, "<fct>")
    objects: list[ObjectRef] = []
    for number, child in enumerate(fct, start=1):
        if len(child) or not _blank(child.text):
            _no_content(child, where, _what_object(child, number))
        did = child.get("did")
        tp = child.get("tp")
        if not did:
            raise DecodeError(f"{_what_object(child, number)} has no did attribute", where=where)
        if tp is None:
            raise DecodeError(f"{_what_object(child, number)} has no tp attribute", where=where)
        name = child.get("n")
        name = child.get("disp_n") if name is None else name
        number_type = ascii_number(tp, MAX_OBJECT_TYPE)
        if number_type is None:
            number_type = _int(tp, f"{_what_object(child, number)} tp", where)
        objects.append(ObjectRef.of(did, number_type, name))
    if not objects:
        return _close(prompt, PromptFamily.OBJECTS)
    return ObjectAnswer.of(prompt, tuple(objects))


# --- the fast path ----------------------------------------------------------------------
#
# Nearly every document is spelled as MicroStrategy's own writers spell it.  For such a
# <pa>, the functions below read the few attributes that matter and keep the answer as a
# compact row (model.py, "Deferred answers"), without building models or error context.
# They apply the rules of the checked path above (the same helpers where they share one)
# and return None at the first thing that is not plainly fine: that <pa> then takes the
# checked path, which builds the same answer or raises the precise error.  The property
# tests decode every document both ways (``_FAST = False`` turns this path off).

_FAST = True
_PLAIN_PT: dict[str, int] = {str(pt): pt for pt in _FAMILY_OF_PT}
# Object types as written (ascii_number's result for their usual spelling), to skip
# the call for each object of a list.
_PLAIN_TP: dict[str, int] = {str(n): n for n in range(1, 100)}
_PA_NAMES = ["pt", "pin", "did", "tp"]  # a <pa>'s attributes as MicroStrategy writes them
_VALUE_TYPE_OF_PT: dict[str, ValueType] = {str(pt): vt for pt, vt in _TYPE_OF_PT.items()}
_get = etree._Element.get
# Text between the items of a list and any content inside them, counted in one C-level
# walk.  Each XPath call has a fixed cost of several microseconds on a new document, so
# short lists are checked item by item instead.
_STRAY = etree.XPath("count(*/node()) + count(text()[normalize-space()])")
_BULK = 64
# The same for every list of a document at once, ``<rsl><pa><mi><es|fct>`` (the shape the
# fast walk reads): one call in place of three reads of each item of many short lists.
# XPath's whitespace is XML's, narrower than str.isspace: a document it finds text in is
# checked item by item as before.
_STRAY_LISTS = etree.XPath("count(pa/mi/*/*/node()) + count(pa/mi/*/text()[normalize-space()])")


def _bare(item: etree._Element) -> bool:
    """True when a list item has no content and only whitespace after it."""
    if len(item) or item.text is not None:
        return False
    tail = item.tail
    return tail is None or tail.isspace()


def _plain_items(root: etree._Element) -> list[_Row | Close | etree._Element] | None:
    """One walk over ``<rsl>``: a row (or Close) for each plain ``<pa>``, else the ``<pa>``.

    None when ``<rsl>`` holds anything but ``<pa>`` elements and indentation: the checked
    walk then finds the first problem and reports it, so errors keep their order.
    """
    items: list[_Row | Close | etree._Element] = []
    append = items.append
    names_written = _PA_NAMES
    value_types = _VALUE_TYPE_OF_PT
    bare: bool | None = None  # _STRAY_LISTS found nothing: computed at the first list
    for child in root:
        tail = child.tail
        if child.tag != "pa" or (tail and not tail.isspace()):
            return None
        # _plain_pa's usual case, inlined: this loop runs once per prompt, and a call,
        # with the reads it repeats, was a third of a small prompt's walk.
        if child.keys() == names_written:
            values: list[str] = child.values()  # type: ignore[assignment]  # text, not bytes
            pt_text, pin, did, tp = values
            digits = pin + tp  # _plain_location, inlined
            if did and pin and tp and "@" not in did and digits.isdigit() and digits.isascii():
                key = f"{did}@{pin}@{tp}"
                if not len(child):
                    text = child.text
                    value_type = value_types.get(pt_text)
                    if text and value_type is not None:
                        append((VALUE_ROW, key, text, value_type))
                        continue
                if bare is None and len(child):
                    bare = not _STRAY_LISTS(root)
                row = _plain_body(child, key, pt_text, None, bool(bare))
                append(child if row is None else row)
                continue
        if bare is None and len(child):
            bare = not _STRAY_LISTS(root)
        row = _plain_pa(child, None, bool(bare))
        append(child if row is None else row)
    return items


_PLAIN_ATTRIBUTES = 64  # far more than any writer puts on a <pa> (it reads five)


def _plain_pa(
    pa: etree._Element, read: _Read | None = None, bare: bool = False
) -> _Row | Close | None:
    """The row of a plain ``<pa>``, its Close if it is a plain empty answer, or None.

    ``read`` holds the ``<e>`` items of its list that were already read and removed from
    the tree while it was being parsed (:func:`_streamed`); ``bare`` is as for
    :func:`_plain_body`.
    """
    # One call for the names and one for the values: lxml checks the name given to each
    # get(), which made five reads cost more than the rest of this function.
    names: list[str] = pa.keys()  # type: ignore[assignment]  # text, never bytes
    if len(names) > _PLAIN_ATTRIBUTES:
        # lxml's values() takes time quadratic in their number (50,000: 6 s); the checked
        # path reads the few it needs by name.
        return None
    values: list[str] = pa.values()  # type: ignore[assignment]
    key: str | None = None
    pt_text: str | None
    pin: str | None
    did: str | None
    tp: str | None
    if names == _PA_NAMES:
        pt_text, pin, did, tp = values
    else:
        # Another order or another set: where each of the five sits, found once per
        # spelling (a document spells its <pa>s alike) instead of a dict per prompt.
        spelling = tuple(names)
        pick = _PA_PICKS.get(spelling)
        if pick is None:
            pick = _pa_pick(spelling)
        values.append(None)  # type: ignore[arg-type]  # where an absent one is read
        key, pt_text, pin, did, tp = pick(values)
    if key is None:
        if not _plain_location(did, pin, tp):
            return None
        key = f"{did}@{pin}@{tp}"
    elif not key or did is not None or pin is not None or tp is not None:
        return None  # empty, or beside parts it must agree with: the checked path says
    return _plain_body(pa, key, pt_text, read, bare)


_PA_PICKS: dict[tuple[str, ...], Callable[[list[str]], tuple[str | None, ...]]] = {}
_MAX_PICKS = 64  # spellings remembered: a bound, since they come from the input


def _pa_pick(names: tuple[str, ...]) -> Callable[[list[str]], tuple[str | None, ...]]:
    """``key pt pin did tp`` from a ``<pa>``'s values (with None appended), for its names."""
    absent = len(names)
    pick = itemgetter(
        *(names.index(n) if n in names else absent for n in ("key", "pt", "pin", "did", "tp"))
    )
    if len(_PA_PICKS) < _MAX_PICKS:
        _PA_PICKS[names] = pick
    return pick


def _plain_body(
    pa: etree._Element,
    key: str,
    pt_text: str | None,
    read: _Read | None = None,
    bare: bool = False,
) -> _Row | Close | None:
    """:func:`_plain_pa` once the prompt's key is known: the answer in the ``<pa>``.

    ``bare``: every list of the document is known to hold only bare items and
    indentation (_STRAY_LISTS), so its items need no check of their own.
    """
    # pt is advisory (docs/xml.md): absent, it leaves a value's type unknown.
    pt = None if pt_text is None else _PLAIN_PT.get(pt_text)
    if pt is None and pt_text is not None:
        return None
    if not len(pa):
        text = pa.text
        if not text:  # an empty answer, told apart by pt (_decode_body)
            return _closed(key, None if pt is None else _FAMILY_OF_PT[pt])
        if pt is None:
            return (VALUE_ROW, key, text, None)
        value_type = _TYPE_OF_PT.get(pt)
        if value_type is None:
            family = _FAMILY_OF_PT[pt]
            if family is not PromptFamily.VALUE and text.isspace():
                # indentation alone under a pt of another family closes (_decode_body)
                return _closed(key, family)
            return None  # text under a pt of another family
        return (VALUE_ROW, key, text, value_type)
    # <pa><mi><es|fct>, with at most indentation around them (_blank, inlined: it is
    # five calls per prompt).
    if len(pa) != 1 or ((t := pa.text) and not t.isspace()):
        return None
    mi = pa[0]
    if mi.tag == "exp" and read is None:
        return _plain_exp(mi, key)
    if (
        mi.tag != "mi"
        or len(mi) != 1
        or ((t := mi.text) and not t.isspace())
        or ((t := mi.tail) and not t.isspace())
    ):
        return None
    body = mi[0]
    if ((t := body.tail) and not t.isspace()) or ((t := body.text) and not t.isspace()):
        return None
    each = not bare
    if each and len(body) > _BULK:
        if _STRAY(body):
            return None
        each = False
    if body.tag == "es":
        return _plain_es(body, key, each, read)
    if read is not None:
        return None  # pragma: no cover - streamed items always sit in an <es>
    if body.tag == "fct":
        return _plain_fct(body, key, each)
    return None


def _plain_exp(exp: etree._Element, key: str) -> _Row | None:
    """The row of a ``<pa>``'s ``<exp>`` of the usual shapes (expression_xml.scan_row),
    which _decode_body would read into the same answer, or the close row of an empty
    one; None for anything else."""
    from ._expression_scan import OUTSIDE, is_empty, serialised_row, verbatim_row

    if (t := exp.tail) and not t.isspace():
        return None  # text after the body: the checked path refuses it
    if is_empty(exp):
        return (CLOSE_ROW, key, PromptFamily.EXPRESSION)  # _decode_body's Close
    # The usual shapes and what the scan certainly keeps verbatim, with no model class
    # loaded; the rest by expression_xml (the walk), which builds on the model.
    text = etree.tostring(exp, encoding="unicode", with_tail=False)
    row = serialised_row(text, key, _xml_text.expression_answer)
    if row is not None:
        return row
    if OUTSIDE.search(text) is not None:
        # A node the case table does not map, in a non-empty <exp>: scan_row's verbatim row
        return verbatim_row(text, key, _xml_text.expression_answer)
    import mstr_prompts.expression_xml as expression_xml  # see _located

    return expression_xml.scan_row(exp, key)


def _plain_es(
    es: etree._Element, key: str, each: bool, read: _Read | None = None
) -> _Row | Close | None:
    source: str | None = None
    ids: list[str] = []
    names: list[str | None] = []
    # Names bound locally: this loop runs once per element.
    add_id, add_name, get, concrete = ids.append, names.append, _get, _CONCRETE_ELEMENT
    for child in es:
        # _bare(child), inlined
        if each and (
            len(child) or child.text is not None or ((t := child.tail) and not t.isspace())
        ):
            return None
        tag = child.tag
        if tag == "e":
            add_id(get(child, "ei"))  # type: ignore[arg-type]  # None: checked below
            add_name(get(child, "disp_n"))
            emt = get(child, "emt")
            if emt != concrete and emt is not None:
                return None
        elif tag == "at" and source is None:
            source = _get(child, "did")
            tp = _get(child, "tp")
            if not source or (tp is not None and tp != "12"):
                return None
        else:
            return None
    if read is not None and read.prefix is not None:
        return read.row(key, source, ids, names)
    if not ids:  # an empty list closes the prompt; its source, a GUID, is kept
        if source is not None and not _GUID.fullmatch(source):
            return None
        return _closed(key, PromptFamily.ELEMENTS, source)
    if None in ids:
        return None
    # Plain IDs of one GUID attribute, shared with the source (element_id.plain_key):
    # every ID starts with the attribute and ':', which "\0" (never in XML) proves.
    attribute = ids[0][:32]
    if (source is not None and source != attribute) or (
        attribute not in _GUIDS_SEEN and not _guid(attribute)
    ):
        return None
    joined = "\0" + "\0".join(ids)
    if joined.count("\0" + attribute + ":") != len(ids) or not plain_keys(joined):
        return None
    return (ELEMENTS_ROW, key, attribute, [i[33:] for i in ids], names)


# Attributes found to be GUIDs: a document names a few, each in many lists, and the
# regular expression cost more than the rest of a short list's checks.  Bounded, as they
# come from the input.
_GUIDS_SEEN: set[str] = set()
_MAX_GUIDS_SEEN = 256


def _guid(text: str) -> bool:
    """True when ``text`` is a GUID (remembered, up to a bound)."""
    if not _GUID.fullmatch(text):
        return False
    if len(_GUIDS_SEEN) < _MAX_GUIDS_SEEN:
        _GUIDS_SEEN.add(text)
    return True


def _plain_fct(fct: etree._Element, key: str, each: bool) -> _Row | Close | None:
    objects: list[tuple[str, int, str | None]] = []
    for child in fct:
        if each and (
            len(child) or child.text is not None or ((t := child.tail) and not t.isspace())
        ):
            return None  # not _bare(child), inlined as above
        did = _get(child, "did")
        tp = _get(child, "tp")
        number = None if tp is None else _PLAIN_TP.get(tp) or ascii_number(tp, MAX_OBJECT_TYPE)
        if not did or number is None:
            return None
        name = _get(child, "n")
        objects.append((did, number, _get(child, "disp_n") if name is None else name))
    if not objects:  # an empty list closes the prompt
        return _closed(key, PromptFamily.OBJECTS)
    return (OBJECTS_ROW, key, objects)


# --- large documents --------------------------------------------------------------------
#
# libxml2's tree of an element-heavy document is about 12 times the document's size, more
# than the answers it holds.  A large document is therefore read as it is parsed: each
# <pa> is turned into a row as soon as it has been parsed, and its subtree freed; inside
# a <pa>, the <e> items of its element list parsed so far (all but the last, which may
# still be open) are read into the row's lists after each piece fed to the parser, and
# removed, so that neither the whole tree nor the tree of one <pa> of 160,000 elements
# ever exists.  This applies only when every <pa> takes the fast path, under the same
# parser options, and the rows are those _plain_pa makes of the whole tree; at the first
# thing that is not plain (a <pa> or an <e> the fast path leaves, anything but <pa> in
# <rsl>, stray text, a DTD, a syntax error) it gives up and the document is parsed
# whole, so results and errors are those of the path above.

_STREAM_CHARS = 1 << 20  # characters; below this the tree is small and one parse is faster
_CHUNK = 1 << 20  # characters fed to the parser at a time
_BATCH = _BULK  # the items of a list read at once: enough to pay for its bulk check


def _owner(es: etree._Element, root: etree._Element | None) -> etree._Element | None:
    """The ``<pa>`` of ``<rsl><pa><mi><es>`` (under ``root`` once it is known), else None."""
    mi = es.getparent()
    pa = None if mi is None else mi.getparent()
    rsl = None if pa is None else pa.getparent()
    if (
        es.tag != "es"
        or mi is None
        or mi.tag != "mi"
        or pa is None
        or pa.tag != "pa"
        or rsl is None
        or not (rsl is root if root is not None else rsl.tag == "rsl" and rsl.getparent() is None)
    ):
        return None
    return pa


class _Read:
    """The first items of an element list, read while it was parsed (then removed).

    Only the key part of each ID is kept, the part an elements row keeps: every ID read
    starts with ``prefix``, the first one's 32 characters and ':', so the row needs
    nothing else of them.  :meth:`row` applies _plain_es's rules to these items and the
    ones left in the tree together.
    """

    __slots__ = ("keys", "names", "prefix")

    def __init__(self) -> None:
        self.prefix: str | None = None
        self.keys: list[str] = []
        self.names: list[str | None] = []

    def extend(self, items: Iterable[etree._Element]) -> bool:
        """Read plain ``<e>`` items as _plain_es reads them; False at one that is not.

        The caller has checked the list in bulk (_STRAY): no item has content and no
        text lies between them.
        """
        keys, names = self.keys, self.names
        prefix = self.prefix
        for item in items:
            ei = _get(item, "ei")
            emt = _get(item, "emt")
            if item.tag != "e" or ei is None or (emt is not None and emt != _CONCRETE_ELEMENT):
                return False
            if prefix is None:
                prefix = self.prefix = ei[:32] + ":"
            if not ei.startswith(prefix):
                return False
            keys.append(ei[33:])
            names.append(_get(item, "disp_n"))
        return True

    def row(
        self, key: str, source: str | None, ids: list[str], names: list[str | None]
    ) -> _Row | None:
        """The elements row of these items followed by ``ids`` and ``names``, or None."""
        assert self.prefix is not None
        attribute = self.prefix[:32]
        if (
            None in ids
            or (source is not None and source != attribute)
            or not _GUID.fullmatch(attribute)
        ):
            return None
        keys = self.keys
        if ids:
            joined = "\0" + "\0".join(ids)
            if joined.count("\0" + self.prefix) != len(ids):
                return None
            keys.extend(i[33:] for i in ids)
        if not plain_keys("\0".join(keys)):
            return None
        self.names.extend(names)
        return (ELEMENTS_ROW, key, attribute, keys, self.names)


def _utf8(xml_text: str, start: int) -> bytes:
    """The chunk of ``xml_text`` at ``start`` as UTF-8, refusing a lone surrogate with the
    message the one-parse path gives (safexml.parse), its position counted in the text."""
    chunk = xml_text[start : start + _CHUNK]
    try:
        return chunk.encode("utf-8")
    except UnicodeEncodeError as exc:
        whole = UnicodeEncodeError(
            exc.encoding, xml_text, start + exc.start, start + exc.end, exc.reason
        )
        raise DecodeError(f"cannot read the XML: {whole}", where="xml") from None


def _streamed(xml_text: str) -> tuple[etree._Element, list[Any]] | None:
    """``(root, rows)`` read as parsed, or None when the document is not all plain."""
    if not safexml.streamable(xml_text):
        return None
    parser = safexml.pull_parser("pa", "es", events=("start", "end"))
    rows: list[Any] = []
    root: etree._Element | None = None
    previous: etree._Element | None = None  # the last <pa>, kept until the next one ends
    # The list being read (None once it cannot be), its <pa>, and its items read so far.
    es: etree._Element | None = None
    owner: etree._Element | None = None
    read = _Read()
    try:
        for start in range(0, len(xml_text), _CHUNK):
            parser.feed(_utf8(xml_text, start))
            for action, event in parser.read_events():
                element = cast(etree._Element, event)
                if element.tag == "es":
                    if action == "start" and owner is None:
                        owner = _owner(element, root)
                        es = None if owner is None else element
                    continue
                if action == "start":
                    continue
                pa = element
                parent = pa.getparent()
                if root is None:
                    root = parent
                    if root is None or root.tag != "rsl" or root.getparent() is not None:
                        return None
                elif parent is not root:
                    return None
                if pa.getprevious() is not previous:
                    return None  # something other than <pa> before it
                if previous is not None:
                    if not _blank(previous.tail):
                        return None
                    root.remove(previous)
                row = _plain_pa(pa, read if owner is pa else None)
                if row is None:
                    return None
                rows.append(row)
                es = owner = None
                read = _Read()
                pa.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs lack it
                previous = pa
            if es is not None and len(es) > _BATCH:
                # The items parsed so far but the last (which may be open).  They are read
                # only while every item before them has been (one <at> may lead), so the
                # lists keep document order; the rest stay for _plain_pa.
                first = 1 if es[0].tag == "at" else 0
                if _STRAY(es) or not read.extend(islice(es, first, len(es) - 1)):
                    return None
                del es[first:-1]
        final = parser.close()
    except etree.XMLSyntaxError:
        return None
    if (
        final is not root
        or not _blank(final.text)
        or previous is None
        or len(final) != 1
        or not _blank(previous.tail)
        or not safexml.without_dtd(final)
    ):
        return None
    return final, rows


# --- encode -----------------------------------------------------------------------------


def encode(answers: Answers) -> str:
    """Write ``answers`` as canonical prompt-answer XML (DHTML style, never self-closed).

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> encode(AnswerSet(answers=[ValueAnswer(value="Q&A", type="string",
    ...     prompt=PromptRef(key="2294C41E44244ADAED930CB4E00A9DA0@0@10"))]))
    '<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Q&amp;A</pa></rsl>'
    """
    if answers.rounds is not None:
        raise rounds_refusal("xml", len(answers.rounds))
    if answers.mode is not None:
        raise NotRepresentableError(
            f"the answer mode {answers.mode.name} cannot be carried: prompt-answer XML has "
            "no answer mode",
            target="xml",
            hint=Hint(
                "send it as the URL parameter promptAnswerMode, or clear AnswerSet.mode",
                cli=False,
            ),
        )
    # Expression rows are written here too (their <exp> from REST's tree of them); a
    # value of several texts is given to its model's path, which refuses it.
    rows = pending_rows(answers, expression_rows=True)
    items: Any = answers if rows is None else rows
    refuse_to_write_repeated_keys(items, "xml")
    untyped = sum(
        1
        for a in items
        if (a[0] in _VALUE_ROWS and a[3] is None if type(a) is tuple else _untyped_value(a))
    )
    if untyped:
        warnings.warn(
            ValueTypeWarning(
                f"xml: the data type of {untyped} value answer{'' if untyped == 1 else 's'} "
                "is unknown (Library and REST do not write one), so pt says string (3); "
                "the server reads pt as advisory, but it is a guess"
            ),
            stacklevel=2,
        )
    root = etree.Element("rsl")
    if answers.locale is not None:
        root.set("lcl", str(answers.locale))
    root.text = ""
    for item in items:
        if type(item) is tuple:
            # A row is written directly; one that is not plainly writable (a prompt with
            # more than a located key, text XML cannot carry) takes the model's path,
            # which says what is wrong.
            pa = _encode_row(item)
            if pa is None:
                from .model import answer_of

                pa = _encode_answer(answer_of(item))
            root.append(pa)
        else:
            root.append(_encode_answer(item))
    return etree.tostring(root, encoding="unicode")


_VALUE_ROWS = frozenset({VALUE_ROW, VALUES_ROW})


def _untyped_value(answer: Answer) -> bool:
    from .model import ValueAnswer

    return isinstance(answer, ValueAnswer) and answer.type is None


def _encode_row(row: _Row) -> etree._Element | None:
    """The ``<pa>`` of a decoder's row (mstr_prompts.rows), as :func:`_encode_answer`
    writes its answer; None when the row needs that path (it then says what is wrong).

    The rules are the model path's: ``pt pin did tp`` from a located key, ``<mi><es>``
    with the ``<at>`` source and ``<e ei emt art [disp_n]>`` per element, ``<mi><fct>``
    with its counters and one tag per object type.
    """
    kind, key = row[0], row[1]
    if (kind in STATE_ROWS and kind != CLOSE_ROW) or kind == VALUES_ROW:
        # An open slot or a default: the model's path refuses it (and several values,
        # which prompt-answer XML cannot carry).
        return None
    if type(key) is not str:
        # A reference by more than its key (mstr_prompts.rows.Ref): XML writes the key
        # alone, as the model path does; with none, that path says why it cannot.
        key = key.key
        if key is None:
            return None
    parts = key.split("@")  # a located key, as PromptRef.location reads it
    if len(parts) != 3 or not parts[0] or not is_digits(parts[1]) or not is_digits(parts[2]):
        return None
    did, pin, tp = parts
    try:
        pa = etree.Element("pa")
        exp = None
        pt: int | None
        if kind == VALUE_ROW:
            pt = _PT_UNKNOWN_VALUE if row[3] is None else _PT_OF_TYPE[row[3]]
        elif kind == CLOSE_ROW:
            pt = _pt_of_family(row[2])  # as _pt_for gives for its Close
        elif kind == EXPRESSION_ROW:
            # Its <exp> from REST's tree of it, by the writer the model's path uses;
            # None for what that path must write or refuse (verbatim <exp>, say).
            exp = exp_element(row[2]())
            if exp is None:
                return None
            pt = _PT_OF_FAMILY[PromptFamily.EXPRESSION]
        else:
            pt = _PT_OF_FAMILY[
                PromptFamily.OBJECTS if kind == OBJECTS_ROW else PromptFamily.ELEMENTS
            ]
        pa.set("pt", "" if pt is None else str(pt))
        pa.set("pin", pin)
        pa.set("did", did)
        pa.set("tp", tp)
        pa.text = ""
        if kind == VALUE_ROW:
            pa.text = row[2]
        elif exp is not None:
            pa.append(exp)
        elif kind == CLOSE_ROW:  # as _encode_close writes a Close without an attribute
            _close_body(pa, row[2])
        elif kind == CLOSE_ATTRIBUTE_ROW:  # _encode_close: <es> with its <at> source alone
            at = _child(_close_body(pa, PromptFamily.ELEMENTS), "at")
            at.set("did", row[2])
            at.set("tp", str(_ATTRIBUTE_TYPE))
        elif kind == ELEMENTS_ROW:
            attribute = row[2]
            es = _child(_child(pa, "mi"), "es")
            at = _child(es, "at")
            at.set("did", attribute)
            at.set("tp", str(_ATTRIBUTE_TYPE))
            for key_part, name in zip(row[3], row[4], strict=True):
                e = _child(es, "e")
                e.set("ei", plain_old_short(attribute, key_part))
                e.set("emt", _CONCRETE_ELEMENT)
                e.set("art", str(key_part.count(":") + 1))  # one key form per ':' part
                if name is not None:
                    e.set("disp_n", name)
        else:
            objects = row[2]
            if any(number is None for _, number, _ in objects):
                return None  # untyped: the model path refuses it, naming the prompt
            fct = _fct(_child(pa, "mi"), len(objects))
            for object_id, number, name in objects:
                ref = _child(fct, _TAG_OF_TYPE.get(number, _TAG_OTHER))
                ref.set("did", object_id)
                ref.set("tp", str(number))
                if name is not None:
                    ref.set("n", name)
    except ValueError:  # text XML 1.0 cannot carry (lxml's refusal)
        return None
    return pa


def _refuse(answer: Answer, message: str, hint: str | None = None) -> NotRepresentableError:
    return NotRepresentableError(message, prompt=answer.describe(), target="xml", hint=hint)


def _setter(answer: Answer) -> Callable[[etree._Element, str, str, str], None]:
    """An attribute setter that turns lxml's refusal into a NotRepresentableError."""

    def set_attribute(element: etree._Element, name: str, value: str, field: str) -> None:
        try:
            element.set(name, value)
        except ValueError:  # includes UnicodeEncodeError for lone surrogates
            raise _refuse(
                answer,
                f"{field} {value!r} contains characters XML 1.0 cannot carry",
                hint="remove control characters and lone surrogates",
            ) from None

    return set_attribute


def _child(parent: etree._Element, tag: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = ""  # never self-close, as Web's DHTML writer
    return child


def _encode_answer(answer: Answer) -> etree._Element:
    from .model import Close, PlaceholderAnswer, Unanswered, UseDefault, ValueAnswer

    if isinstance(answer, PlaceholderAnswer):
        raise placeholder_refusal(answer.describe(), "xml")
    if isinstance(answer, (UseDefault, Unanswered)):
        what = "use the default answer" if isinstance(answer, UseDefault) else "leave unanswered"
        raise _refuse(
            answer,
            f"prompt-answer XML cannot say '{what}': it has no such marker",
            # Not "use REST": REST refuses an open slot too.  Leaving the prompt out means
            # the same to the server: it asks for it.
            hint=Hint(
                "leave the prompt out of the XML (the server then asks for it), or answer "
                "it from the prompt definitions with {0} and {1}",
                Option("definitions", metavar="FILE", api="mstr_prompts.definitions.complete"),
                Option("missing", "default", api="missing='default'"),
            ),
        )
    prompt = answer.prompt
    if prompt.key is None:
        raise _refuse(
            answer,
            "prompt-answer XML identifies prompts only by key (did@pin@tp)",
            hint=(
                Hint(
                    "positions need the prompt definitions to find keys: bind the answers to them ({0})",
                    Option("definitions", metavar="FILE", api="definitions.bind"),
                )
                if prompt.id is None and prompt.name is None
                else "look the key up in the prompt definitions (GET …/prompts)"
            ),
        )
    set_attribute = _setter(answer)
    pa = etree.Element("pa")
    pt = _pt_for(answer)
    pt_text = "" if pt is None else str(pt)
    location = prompt.location
    if location is not None:
        did, pin, tp = location
        set_attribute(pa, "pt", pt_text, "pt")
        set_attribute(pa, "pin", pin, "pin")
        set_attribute(pa, "did", did, "did")
        set_attribute(pa, "tp", tp, "tp")
    else:
        # DHTML writes no pt with a key (docs/xml.md, "What encode writes").  pt is added only where it is the
        # sole carrier of meaning: a value's type, or that an empty answer closes a value
        # prompt (an empty <pa key=…></pa> alone decodes as Close of unknown family).
        set_attribute(pa, "key", prompt.key, "the prompt key")
        if (isinstance(answer, ValueAnswer) and answer.type is not None) or (
            isinstance(answer, Close) and answer.family is PromptFamily.VALUE
        ):
            set_attribute(pa, "pt", pt_text, "pt")
    pa.text = ""
    _encode_body(pa, answer, set_attribute)
    return pa


def _pt_for(answer: Answer) -> int | None:
    from .model import ValueAnswer

    if isinstance(answer, ValueAnswer):
        return _PT_OF_TYPE[answer.type] if answer.type is not None else _PT_UNKNOWN_VALUE
    return _pt_of_family(getattr(answer, "family", None))


def _pt_of_family(family: PromptFamily | None) -> int | None:
    # None for an unknown family; a value prompt's is the unknown value type
    # (_PT_OF_FAMILY has no VALUE)
    if family is None:
        return None
    return _PT_OF_FAMILY.get(family, _PT_UNKNOWN_VALUE)


def _encode_body(
    pa: etree._Element,
    answer: Answer,
    set_attribute: Callable[[etree._Element, str, str, str], None],
) -> None:
    from .model import (
        Close,
        ElementAnswer,
        ExpressionAnswer,
        LevelAnswer,
        ObjectAnswer,
        ValueAnswer,
    )

    if isinstance(answer, ValueAnswer):
        if isinstance(answer.value, tuple):
            raise _refuse(
                answer,
                f"prompt-answer XML carries one value per value prompt; got {len(answer.value)}",
                hint="several values for one value prompt exist only in REST",
            )
        try:
            pa.text = answer.value
        except ValueError:
            raise _refuse(
                answer,
                f"the value {answer.value!r} contains characters XML 1.0 cannot carry",
                hint="remove control characters and lone surrogates",
            ) from None
    elif isinstance(answer, ElementAnswer):
        _encode_elements(pa, answer, set_attribute)
    elif isinstance(answer, ObjectAnswer):
        _encode_objects(pa, answer, set_attribute)
    elif isinstance(answer, ExpressionAnswer):
        pa.append(expression_element(answer))
    elif isinstance(answer, LevelAnswer):
        if answer.xml is None:
            raise _refuse(
                answer,
                "prompt-answer XML carries a level answer only as <dmy> XML; this answer has "
                + ("REST's level definition" if answer.units is None else "Library's units"),
                hint="use REST for level definitions",
            )
        pa.append(_stored_xml(answer, answer.xml, "dmy"))
    elif isinstance(answer, Close):
        _encode_close(pa, answer, set_attribute)


def _encode_close(
    pa: etree._Element,
    answer: Close,
    set_attribute: Callable[[etree._Element, str, str, str], None],
) -> None:
    es = _close_body(pa, answer.family)
    if answer.attribute is not None:
        _source(es, answer.attribute, set_attribute)


def _close_body(pa: etree._Element, family: PromptFamily | None) -> etree._Element:
    """Write the empty answer of ``family`` in ``pa``: the ``<es>`` of an element prompt
    (returned, for its source), an ``<fct>`` of no objects, ``<exp>``, ``<dmy>``; for a
    value prompt and an unknown family, nothing (the empty ``<pa></pa>``, told apart by
    ``pt``).  The model's and the rows' writers share it."""
    if family is PromptFamily.ELEMENTS:
        return _child(_child(pa, "mi"), "es")
    if family is PromptFamily.OBJECTS:
        _fct(_child(pa, "mi"), 0)
    elif family is PromptFamily.EXPRESSION:
        _child(pa, "exp")
    elif family is PromptFamily.LEVEL:
        _child(pa, "dmy")
    return pa


def _source(
    es: etree._Element,
    attribute: str,
    set_attribute: Callable[[etree._Element, str, str, str], None],
) -> None:
    at = _child(es, "at")
    set_attribute(at, "did", attribute, "the attribute ID")
    at.set("tp", str(_ATTRIBUTE_TYPE))


def _fct(mi: etree._Element, count: int) -> etree._Element:
    fct = _child(mi, "fct")
    values = {"qsr": "0", "fcn": "0", "cc": str(count), "sto": "1", "pfc": "0", "pcc": str(count)}
    for name in _FCT_COUNTERS:
        fct.set(name, values[name])
    return fct


def _encode_elements(
    pa: etree._Element,
    answer: ElementAnswer,
    set_attribute: Callable[[etree._Element, str, str, str], None],
) -> None:
    es = _child(_child(pa, "mi"), "es")
    if answer.attribute is not None:
        _source(es, answer.attribute, set_attribute)
    for number, element in enumerate(answer.elements, start=1):
        ei, arity = _old_short(answer, element, number)
        e = _child(es, "e")
        set_attribute(e, "ei", ei, f"element #{number}'s ID")
        e.set("emt", _CONCRETE_ELEMENT)
        e.set("art", str(arity))
        if element.name is not None:
            set_attribute(e, "disp_n", element.name, f"element #{number}'s name")


def _old_short(answer: ElementAnswer, element: Element, number: int) -> tuple[str, int]:
    """The ``ei`` text and arity of an answer's element (expression_xml.element_ei)."""
    from .expression_xml import element_ei

    try:
        return element_ei(element, number)
    except NotRepresentableError as exc:
        raise _refuse(answer, exc.message, exc.hint) from None


def _encode_objects(
    pa: etree._Element,
    answer: ObjectAnswer,
    set_attribute: Callable[[etree._Element, str, str, str], None],
) -> None:
    for obj in answer.untyped[:1]:
        # <oi tp=…> is how the server tells an object's kind; no guess may stand in.
        raise untyped_object_refusal(answer.describe(), obj.id, "xml")
    fct = _fct(_child(pa, "mi"), len(answer.objects))
    for number, obj in enumerate(answer.objects, start=1):
        assert obj.type is not None  # refused above
        ref = _child(fct, _TAG_OF_TYPE.get(obj.type, _TAG_OTHER))
        set_attribute(ref, "did", obj.id, f"object #{number}'s ID")
        ref.set("tp", str(obj.type))
        if obj.name is not None:
            set_attribute(ref, "n", obj.name, f"object #{number}'s name")


def expression_element(answer: ExpressionAnswer, target: str = "xml") -> etree._Element:
    """The ``<exp>`` of an expression answer: its typed tree written, or its XML verbatim.

    The one rule for every format that carries ``<exp>`` (prompt-answer XML, and
    Library's ``<rsl>`` values); ``target`` names that format in the error raised for an
    answer that has no ``<exp>`` form.

    >>> from mstr_prompts.expressions import metric, qualify
    >>> from mstr_prompts.model import ExpressionAnswer
    >>> answer = ExpressionAnswer(expression=qualify(metric("4C05177011D3E877C000B3B2D86C964F",
    ...                                                     "Revenue"), ">", 10))
    >>> expression_element(answer).tag
    'exp'
    """
    from . import expression_json, expression_xml

    tree = answer.expression

    def refuse(message: str, hint: str | None = None) -> NotRepresentableError:
        return NotRepresentableError(message, prompt=answer.describe(), target=target, hint=hint)

    if tree is not None and not isinstance(tree, str):
        if answer.xml is not None:  # REST's answers carried both, and they disagree
            raise refuse(
                "the answer has both an expression tree and <exp> XML that says something "
                "else; an <exp> carries one",
                hint=Hint("keep only the one you mean", cli=False),
            )
        try:
            return expression_xml.to_element(tree, answer.content)
        except NotRepresentableError as exc:
            raise refuse(exc.message, exc.hint) from None
    if tree is not None:
        # Verbatim JSON is outside the case table; reading it again names the node.
        try:
            expression_json.loads(json.loads(tree))
        except NotRepresentableError as exc:
            raise refuse(
                f"REST's expression tree has no <exp> form: {exc.message}",
                hint="send it as REST, or rewrite the qualification inside the case table "
                "of docs/expressions.md",
            ) from None
        raise AssertionError("a verbatim tree that reads as typed")  # pragma: no cover
    # Verbatim <exp> carries its own display text; REST's content "does not affect the
    # resulting answer" (https://microstrategy.github.io/rest-api-docs/common-workflows/
    # analytics/use-prompts-objects/prompt-types/metric-expression-prompts), so next to
    # the XML it is not written.
    assert answer.xml is not None
    try:  # the model keeps the text opaque: a hand-built answer's is checked here
        element = expression_xml.stored(answer.xml, "exp", where="stored xml", empty=False)
    except DecodeError as exc:
        raise refuse(f"its stored XML cannot be read: {exc.message}") from None
    for node in element.iter():
        if len(node) == 0 and node.text is None:
            node.text = ""  # never self-closed, as MicroStrategy's builder writes it
    return element


def _stored_xml(answer: Answer, xml_text: str, tag: str) -> etree._Element:
    """Parse an answer's stored ``<exp>``/``<dmy>`` XML, ready to append, never self-closed."""
    from .expression_xml import is_empty

    try:
        element = safexml.parse(xml_text, where="stored xml")
    except DecodeError as exc:
        raise _refuse(answer, f"its stored XML cannot be read: {exc.message}") from None
    if element.tag != tag:
        raise _refuse(answer, f"its stored XML has root <{_tag(element)}>; expected <{tag}>")
    if is_empty(element):  # the model keeps the text opaque: an empty one would close
        raise _refuse(answer, f"its stored <{tag}> is empty, which would close the prompt")
    element = copy.deepcopy(element)
    for node in element.iter():
        if len(node) == 0 and node.text is None:
            node.text = ""
    return element
