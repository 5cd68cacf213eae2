"""Library short answers: ``prompts=[[{"key", "values", "useDefault"}]]`` ⇄ AnswerSet.

MicroStrategy Library speaks a fourth prompt-answer format (docs/library.md):

* the ``prompts=`` parameter of Library links (``…/app/{project}/{dashboard}?prompts=…``),
  percent-encoded JSON whose outer array is the list of prompting **rounds** (nested
  prompts open only after the previous round is answered);
* the body of ``POST …/promptsAnswers``, one round: ``{"messageName"?, "answers": […]}``;
* the Embedding SDK's ``ON_PROMPT_ANSWERED`` event payload, the same shape as the body.

Each answer is ``{"key": K, "values": [strings], "useDefault": bool}``.  A ``values``
string is a value answer's text, a Web display-unit item ``id~type~name`` (an element
``ATTR:key~1048576~name``, an object ``GUID~4~name``, a level unit
``UNIT~1048581~name~agg~flt~gb~rps``), a whole ``<rsl>`` prompt-answer XML string for an
expression prompt, or a link-generator template (``DYNAMIC_PLACEHOLDER_…``,
``{[Attr]@Form}``).  Library writes no prompt type, so the decoder tells them apart
by their shape and refuses what it cannot tell apart rather than guess.

>>> s = decode('[[{"key":"K@0@10","values":["8D679D3811D3E4981000E787EC6DE8A4:1~1048576~USA"],'
...            '"useDefault":false}]]')
>>> s[0].elements[0].name
'USA'
>>> encode(s, form="param")
'%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%228D679D3811D3E4981000E787EC6DE8A4%3A1~1048576~USA%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D'
"""

from __future__ import annotations

import json
import re
import urllib.parse
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree
from pydantic import ValidationError

from . import limits
from ._trusted import TRUSTED
from .element_text import GUID_PATTERN, Presentation, classify, plain_key, plain_old_short
from .enums import PromptFamily
from .errors import (
    DecodeError,
    Hint,
    LocaleWarning,
    NotRepresentableError,
    Option,
    PromptAnswerError,
    untyped_object_refusal,
    validation_message,
)
from .expression_plain import exp_element
from .rest import load_json
from .row_kinds import CLOSE_ATTRIBUTE_ROW, EXPRESSION_ROW, WRITER_ROWS
from .rows import (
    CLOSE_ROW,
    ELEMENTS_ROW,
    OBJECTS_ROW,
    STATE_ROWS,
    UNANSWERED_ROW,
    USE_DEFAULT_ROW,
    VALUE_ROW,
    VALUES_ROW,
    RowSet,
    describe_row,
    pending_rows,
)
from .rows import Row as _Row
from .rules import (
    MAX_INT,
    MIN_INT,
    is_text,
    java_int,
    refuse_to_write_repeated_keys,
)
from .vocabulary import json_kind

# The models load on first use, in the functions that build or read them: a link
# without answers, or with the rows of another codec (mstr_prompts.rows), needs none
# until its answers are written.
if TYPE_CHECKING:
    from .elements import ElementList
    from .model import (
        Answer,
        AnswerSet,
        Element,
        ElementAnswer,
        ExpressionAnswer,
        LevelAnswer,
        LevelUnit,
        ObjectAnswer,
        ObjectRef,
        PromptRef,
    )
    from .rows import Answers

__all__ = [
    "ANSWER_KEYS",
    "BODY_KEYS",
    "ELEMENT_TYPE",
    "LEVEL_TYPES",
    "MAX_CHARS",
    "PARAM",
    "decode",
    "decode_body",
    "decode_rows",
    "encode",
    "encode_body",
    "encode_rounds",
    "looks_like_library",
    "quote",
    "unquote",
]

TARGET = "library"

PARAM = "prompts"
"""The Library link parameter that carries the answers (docs/library.md, "Library links")."""

ANSWER_KEYS = ("key", "values", "useDefault")
"""The keys of one answer, in the order Library writes them (docs/library.md, "Grammar")."""

BODY_KEYS = ("messageName", "answers")
"""The keys of a ``promptsAnswers`` body and of an Embedding event payload."""

ELEMENT_TYPE = 1048576
"""EnumWebDependentObjectType.WebDependentObjectElement: the type of an element item."""

LEVEL_TYPES = (1048578, 1048581, 1048582)
"""Dimty unit, dimty unit attribute, dimty unit dimension: the types of level units."""

# EnumWebDependentObjectType runs from 1048576 (element) to 1048593 (MDX metric group);
# only the element and the dimty units have a known place in a prompt answer.
_DEPENDENT_TYPES = range(1048576, 1048594)

MAX_CHARS = limits.MAX_SIZE
"""The longest input accepted by default (:data:`mstr_prompts.limits.MAX_SIZE`, 33,554,432
characters, or bytes for bytes): far above any real link or body; ``max_size=`` raises it."""

# docs/library.md "Items": the id is the text up to the first "~" followed by "-?digits~", the
# type those digits, and the name everything after, verbatim (names are not escaped).
_ITEM = re.compile(r"(?P<id>.*?)~(?P<type>-?[0-9]+)~(?P<rest>.*)", re.DOTALL)
# A level unit's name is followed by four numeric fields: split them from the right.
_LEVEL_REST = re.compile(
    r"(?P<name>.*)~(?P<agg>-?[0-9]+)~(?P<flt>-?[0-9]+)~(?P<gb>-?[0-9]+)~(?P<rps>-?[0-9]+)",
    re.DOTALL,
)
_GUID = re.compile(GUID_PATTERN)
_PLACEHOLDER_PREFIX = "DYNAMIC_PLACEHOLDER_"
# A dashboard link token such as {[Year]@ID}: attribute in brackets, then @form.  Neither
# part may hold a brace, so a search started at one "{" never runs past the next one:
# with "[^\]]*" alone, "{[" repeated made every search rescan the rest (quadratic time).
_TOKEN = re.compile(r"\{\[[^\]{}]*\]@[^{}]*\}")
_RSL = "<rsl"

# JavaScript's encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone; Python's
# quote always keeps A-Z a-z 0-9 - _ . ~, so these four complete the set.
_URI_COMPONENT_SAFE = "!*'()"


# ---------------------------------------------------------------------------- helpers


def quote(text: str) -> str:
    """Percent-encode ``text`` exactly as JavaScript's ``encodeURIComponent`` does.

    >>> quote('["a b~c"]')
    '%5B%22a%20b~c%22%5D'
    """
    return urllib.parse.quote(text, safe=_URI_COMPONENT_SAFE)


def _is_placeholder(value: str) -> bool:
    return value.startswith(_PLACEHOLDER_PREFIX) or _TOKEN.search(value) is not None


def is_plain_value(text: str) -> bool:
    """True when a value text reads back from Library as the same value.

    Library writes value texts without escapes, so a text shaped like an item
    (``id~type~rest``), an ``<rsl>`` string or a link template would read back as that;
    the encoder refuses such a value, and the test strategies avoid it.

    >>> is_plain_value("2015"), is_plain_value("X~4~Profit"), is_plain_value("DYNAMIC_PLACEHOLDER_Date")
    (True, False, False)
    """
    return not (_is_placeholder(text) or text.startswith(_RSL) or _ITEM.fullmatch(text))


def looks_like_library(text: str) -> bool:
    """True when ``text`` looks like Library short answers or a Library link.

    That is: a ``prompts=`` parameter, JSON or percent-encoded JSON that opens with
    ``[[`` or ``{"messageName"``/``{"answers"``, or a ``…/app/{project}/{dashboard}`` path.
    Meant for messages such as "this is a Library link, not a Web link".

    >>> looks_like_library("https://h/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/"
    ...                    "837B57D711E941BF000000806FA1298F/K53--K46")
    True
    >>> looks_like_library("valuePromptAnswers=2015")
    False
    """
    head = text.lstrip()[:4096]
    unquoted = urllib.parse.unquote(head)
    compact = re.sub(r"\s+", "", unquoted)
    if compact.startswith("[[") or compact.startswith("[]"):
        return True
    if compact.startswith('{"answers"') or compact.startswith('{"messageName"'):
        return True
    query = text.partition("?")[2] if "?" in text else text
    for pair in query.split("&"):
        if pair.partition("=")[0].strip().lower() == PARAM and "=" in pair:
            return True
    return re.search(r"/app/[0-9A-Fa-f]{32}/[0-9A-Fa-f]{32}(?:[/?#]|$)", head) is not None


# ---------------------------------------------------------------------------- decoding


def unquote(raw: str, where: str = "library") -> str:
    """Percent-decode once, as ``decodeURIComponent``: ``+`` stays ``+``; UTF-8 only.

    A ``%`` not followed by two hex digits stays literal; bytes that are not UTF-8 raise
    :class:`~mstr_prompts.errors.DecodeError` rather than turning into U+FFFD.

    >>> unquote("a+b%20%C3%A9")
    'a+b é'
    """
    try:
        data = limits.unquote_bytes(raw)  # a piece at a time: memory stays at the text's size
    except UnicodeEncodeError:
        raise DecodeError("the text is not valid Unicode (lone surrogate)", where=where) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"percent-encoded bytes are not UTF-8 (byte {exc.start} of the decoded text)",
            where=where,
            hint="Library links percent-encode UTF-8 (encodeURIComponent)",
        ) from None


def _prompts_param(text: str) -> str:
    """The decoded value of the ``prompts`` parameter of a link or query string."""
    from .url import split_url

    query = split_url(text)[1]
    # Where each prompts= value lies in the query, found without splitting the query into
    # copies of its parts: the value is most of a long link, and each copy of it cost the
    # link's size again at the peak.
    found: list[tuple[int, int]] = []
    start, size = 0, len(query)
    while start <= size:  # each turn moves past one "&"
        end = query.find("&", start)
        end = size if end < 0 else end
        equals = query.find("=", start, end)
        if equals >= 0 and unquote(query[start:equals].strip(), "library: query") == PARAM:
            found.append((equals + 1, end))
        start = end + 1
    if not found:
        raise DecodeError(
            "no prompts= parameter, no JSON rounds [[…]] and no promptsAnswers body {…}",
            where="library",
            hint="give a Library link with prompts=…, its value, or the JSON",
        )
    if len(found) > 1 and len({query[a:b] for a, b in found}) > 1:
        raise DecodeError(
            "prompts= is given more than once with different values, so the answers are ambiguous",
            where="library",
        )
    first, last = found[0]
    return unquote(query[first:last], f"library: {PARAM}")


def _load(text: str) -> Any:
    return load_json(text, source="library")


def _document(source: Any) -> Any:
    """The JSON document of any accepted input: rounds (a list) or a body (a dict)."""
    limits.check(source, where="library")
    if isinstance(source, (bytes, bytearray)):
        try:
            source = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the input is not UTF-8 (byte {exc.start})", where="library"
            ) from None
    if isinstance(source, str):
        text = source.strip().removeprefix("\ufeff")
        if text[:1] in ("[", "{"):
            return _load(text)
        if text[:3].upper() in ("%5B", "%7B"):
            return _load(unquote(text, "library"))
        return _load(_prompts_param(text))
    if isinstance(source, (Mapping, list, tuple)):
        return _load_value(source)
    raise DecodeError(
        f"expected a link, JSON text, bytes, a list of rounds or a body, not "
        f"{type(source).__name__}",
        where="library",
    )


def _load_value(source: Any) -> Any:
    return load_json(source, source="library")


def _string(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str):
        raise DecodeError(f"{what} must be a string, not {json_kind(value)}", where=where)
    return value


def _decode_element(text: str, id_text: str, name: str, where: str) -> Element:
    # Once per element: a module import costs a fifth of ``from … import`` (xml._located).
    import mstr_prompts.element_id as element_ids
    import mstr_prompts.model as model

    if classify(id_text) is not Presentation.OLD_SHORT:
        raise DecodeError(
            f"element {text!r}: the ID {id_text!r} is not ATTR:key[:key2…]", where=where
        )
    try:
        element_id = element_ids.parse_element_id(id_text)
    except DecodeError as exc:
        raise DecodeError(f"element {text!r}: {exc.message}", where=where) from None
    if not isinstance(element_id, element_ids.ElementId) or element_id.attribute is None:
        raise DecodeError(f"element {text!r}: the ID {id_text!r} is not ATTR:key", where=where)
    return model.Element.of(element_id, name or None)


def _number(digits: str, text: str, where: str) -> int:
    """A numeric field of an item, within what a server reads (a Java ``int``)."""
    number = java_int(digits)
    if number is None:
        shown = digits if len(digits) <= 24 else f"{digits[:12]}… ({len(digits)} digits)"
        raise DecodeError(
            f"{text[:80]!r}: the number {shown} is out of range (a server reads "
            f"{MIN_INT} to {MAX_INT})",
            where=where,
        )
    return number


def _decode_unit(text: str, id_text: str, type_: int, rest: str, where: str) -> LevelUnit:
    from .model import LevelUnit

    match = _LEVEL_REST.fullmatch(rest)
    if match is None:
        raise DecodeError(
            f"level unit {text!r} must be id~type~name~agg~flt~gb~rps (four numbers after "
            "the name)",
            where=where,
        )
    return LevelUnit(
        id=id_text,
        type=type_,
        name=match["name"] or None,
        aggregation=_number(match["agg"], text, where),
        filtering=_number(match["flt"], text, where),
        group_by=_number(match["gb"], text, where),
        report_level=_number(match["rps"], text, where),
    )


def _plain_elements(items: list[re.Match[str]]) -> ElementList | None:
    """The elements as an :class:`~mstr_prompts.elements.ElementList` when every ID is
    a plain ``ATTR:key`` of one GUID attribute (element_id.plain_key) and every text is
    valid, else None: anything else takes :func:`_decode_element`, which raises as
    before.  What that path would build, without two models per element."""
    from .elements import ElementList

    attribute = items[0]["id"][:32]
    if not _GUID.fullmatch(attribute):
        return None
    prefix = attribute + ":"
    keys: list[str] = []
    names: list[str | None] = []
    for match in items:
        id_text, name = match["id"], match["rest"]
        key = id_text[33:]
        if not (id_text.startswith(prefix) and plain_key(key) and is_text(key) and is_text(name)):
            return None
        keys.append(key)
        names.append(name or None)
    return ElementList(attribute, keys, names)


def _decode_items(
    ref: PromptRef, values: list[str], items: list[re.Match[str]], where: str
) -> Answer:
    from .model import ElementAnswer, LevelAnswer, ObjectAnswer, ObjectRef

    for i, match in enumerate(items):
        if "~" in match["id"]:
            raise DecodeError(
                f"{values[i]!r}: the ID {match['id']!r} contains '~', so where it ends is a guess",
                where=f"{where}: values[{i}]",
            )
    types = [
        _number(m["type"], v, f"{where}: values[{i}]")
        for i, (v, m) in enumerate(zip(values, items, strict=True))
    ]
    if all(t == ELEMENT_TYPE for t in types):
        plain = _plain_elements(items)
        if plain is not None:
            return ElementAnswer.of(ref, None, plain)
        elements = tuple(
            _decode_element(v, m["id"], m["rest"], f"{where}: values[{i}]")
            for i, (v, m) in enumerate(zip(values, items, strict=True))
        )
        return ElementAnswer.of(ref, None, elements)
    if all(t in LEVEL_TYPES for t in types):
        units = tuple(
            _decode_unit(v, m["id"], t, m["rest"], f"{where}: values[{i}]")
            for i, (v, m, t) in enumerate(zip(values, items, types, strict=True))
        )
        return LevelAnswer(prompt=ref, units=units)
    if any(t == ELEMENT_TYPE or t in LEVEL_TYPES for t in types):
        raise DecodeError(
            "values mix elements, level units and objects; one answer holds one kind",
            where=where,
        )
    objects = []
    for i, (value, match, type_) in enumerate(zip(values, items, types, strict=True)):
        item_where = f"{where}: values[{i}]"
        if type_ in _DEPENDENT_TYPES:
            raise DecodeError(
                f"{value!r}: type {type_} is a dependent object type "
                "(EnumWebDependentObjectType) with no known place in a prompt answer",
                where=item_where,
            )
        if type_ < 0:
            raise DecodeError(f"{value!r}: object type {type_} is negative", where=item_where)
        if not _GUID.fullmatch(match["id"]):
            raise DecodeError(
                f"{value!r} looks like an item id~type~name, but {match['id']!r} is not a "
                "32-hex-digit object ID",
                where=item_where,
                hint="a value text cannot contain '~<digits>~' in Library short answers",
            )
        objects.append(ObjectRef.of(match["id"], type_, match["rest"] or None))
    return ObjectAnswer.of(ref, tuple(objects))


def _decode_rsl(ref: PromptRef, text: str, where: str) -> tuple[Answer, int | None]:
    from . import xml
    from .model import ExpressionAnswer

    try:
        inner = xml.decode(text)
    except DecodeError as exc:
        raise DecodeError(f"values[0]: {exc}", where=where) from None
    if len(inner) != 1 or not isinstance(inner[0], ExpressionAnswer):
        kinds = ", ".join(a.kind for a in inner) or "nothing"
        raise DecodeError(
            f"values[0] is prompt-answer XML with {kinds}; Library carries only expression "
            "answers as <rsl> XML (elements, objects and values are item strings)",
            where=where,
        )
    answer = inner[0]
    if answer.prompt.key != ref.key:
        raise DecodeError(
            f"values[0] is XML for prompt {answer.prompt.key}, not for this answer's key",
            where=where,
        )
    return answer.model_copy(update={"prompt": ref}), inner.locale


def _decode_answer(item: Any, where: str) -> tuple[Answer, int | None]:
    from .model import Close, PlaceholderAnswer, PromptRef, UseDefault, ValueAnswer

    if not isinstance(item, dict):
        raise DecodeError(
            f'an answer must be an object {{"key", "values", "useDefault"}}, not {json_kind(item)}',
            where=where,
        )
    unknown = [k for k in item if k not in ANSWER_KEYS]
    if unknown:
        raise DecodeError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; an answer has only key, values "
            "and useDefault",
            where=where,
            hint="the REST API rejects extra fields such as type in promptsAnswers",
        )
    if "key" not in item:
        raise DecodeError("the answer has no key", where=where)
    key = _string(item["key"], "key", where)
    if not key:
        raise DecodeError("key is empty", where=where)
    where = f"{where} (key {key})"
    ref = PromptRef(key=key)
    use_default = item.get("useDefault", False)
    if not isinstance(use_default, bool):
        raise DecodeError(
            f"useDefault must be true or false, not {json_kind(use_default)}", where=where
        )
    if "values" not in item:
        if use_default:
            return UseDefault(prompt=ref), None
        raise DecodeError(
            "the answer has no values and useDefault is not true",
            where=where,
            hint='give "values": [] to close the prompt, or "useDefault": true',
        )
    raw = item["values"]
    if not isinstance(raw, list):
        raise DecodeError(f"values must be an array of strings, not {json_kind(raw)}", where=where)
    values = [_string(v, f"values[{i}]", where) for i, v in enumerate(raw)]
    if use_default:
        if values:
            raise DecodeError(
                "useDefault is true but values are given; which one the server uses is "
                "not documented",
                where=where,
                hint="give either values or useDefault: true",
            )
        return UseDefault(prompt=ref), None
    if not values:
        return Close(prompt=ref), None
    if any(_is_placeholder(v) for v in values):
        matches = [_ITEM.fullmatch(v) for v in values]
        family = (
            PromptFamily.ELEMENTS
            if all(m is not None and java_int(m["type"]) == ELEMENT_TYPE for m in matches)
            else None
        )
        return PlaceholderAnswer(prompt=ref, values=tuple(values), family=family), None
    if values[0].startswith(_RSL):
        if len(values) > 1:
            raise DecodeError(
                f"an expression answer is one <rsl> string; got {len(values)} values",
                where=where,
            )
        return _decode_rsl(ref, values[0], where)
    if any(v.startswith(_RSL) for v in values):
        raise DecodeError("values mix <rsl> XML with other values", where=where)
    items = [_ITEM.fullmatch(v) for v in values]
    found = [m for m in items if m is not None]
    if not found:
        return ValueAnswer(prompt=ref, value=tuple(values)), None
    if len(found) != len(items):
        first = next(i for i, m in enumerate(items) if m is None)
        raise DecodeError(
            f"values mix items (id~type~name) with plain text (values[{first}] = "
            f"{values[first]!r}); one answer holds one kind",
            where=where,
        )
    return _decode_items(ref, values, found, where), None


def _decode_round(
    answers: Any, where: str, fast: bool = False
) -> tuple[list[Answer | _Row], set[int]]:
    if not isinstance(answers, list):
        raise DecodeError(
            f"a round must be an array of answers, not {json_kind(answers)}", where=where
        )
    result: list[Answer | _Row] = []
    locales: set[int] = set()
    for index, item in enumerate(answers):
        row = _plain_answer(item) if fast else None
        if row is not None:
            result.append(row)
            continue
        try:
            answer, locale = _decode_answer(item, f"{where}[{index}]")
        except ValidationError as exc:
            raise DecodeError(validation_message(exc), where=f"{where}[{index}]") from None
        result.append(answer)
        if locale is not None:
            locales.add(locale)
    return result, locales


def _locale(locales: set[int]) -> int | None:
    if len(locales) > 1:
        raise DecodeError(
            f"the <rsl> answers are written in different locales {sorted(locales)}; an "
            "answer set has one",
            where="library",
        )
    return locales.pop() if locales else None


def _answer_set(rounds: list[list[Answer | _Row]], locales: set[int]) -> AnswerSet:
    from .model import AnswerSet, answer_of

    locale = _locale(locales)
    answers = tuple(answer_of(a) for r in rounds for a in r)
    counts = tuple(len(r) for r in rounds) if len(rounds) > 1 else None
    try:
        return AnswerSet.of(answers, locale=locale, rounds=counts)
    except ValidationError as exc:
        raise DecodeError(validation_message(exc), where="library") from None


def _answers(rounds: list[list[Answer | _Row]], locales: set[int]) -> Answers:
    """One round as rows (a :class:`~mstr_prompts.rows.RowSet`), several as a set."""
    if len(rounds) > 1:
        return _answer_set(rounds, locales)
    items = tuple(rounds[0])
    rows = RowSet(
        items,
        locale=_locale(locales),
        trusted=TRUSTED,
        # A value of several texts is a row only REST's and Library's writers read.
        expression_rows=any(type(item) is tuple and item[0] in WRITER_ROWS for item in items),
    )
    if not all(type(item) is tuple for item in items):
        try:
            rows.answer_set()  # answers that are models already: the set checks them now
        except ValidationError as exc:
            raise DecodeError(validation_message(exc), where="library") from None
    return rows


# --------------------------------------------------------------------------- fast path
#
# Answers spelled as Library writes them (one value, or element or object items) are kept
# as rows (mstr_prompts.rows) without building models.  _plain_answer applies the checked
# path's rules and returns None at the first thing that is not plainly fine; the answer
# then takes _decode_answer, which builds the same answer or raises the precise error.
# The property tests decode every input both ways.


def _plain_answer(item: Any) -> _Row | None:
    if type(item) is not dict or not item.keys() <= _ANSWER_KEY_SET:
        return None
    key, raw, use_default = item.get("key"), item.get("values"), item.get("useDefault", False)
    if type(key) is not str or not key or not is_text(key) or type(use_default) is not bool:
        return None
    if "values" not in item:
        return (USE_DEFAULT_ROW, key, None) if use_default else None
    if type(raw) is not list or not all(type(v) is str and is_text(v) for v in raw):
        return None
    if use_default or not raw:
        # The default (values must then be empty), or a close (see _decode_answer).
        if raw:
            return None
        return (USE_DEFAULT_ROW, key, None) if use_default else (CLOSE_ROW, key, None)
    values: list[str] = raw
    if any(_is_placeholder(v) or v.startswith(_RSL) for v in values):
        return None
    items = [_ITEM.fullmatch(v) for v in values]
    if not any(items):
        if not all(values):
            return None  # an empty text: the model's error
        if len(values) == 1:
            return (VALUE_ROW, key, values[0], None)
        return (VALUES_ROW, key, tuple(values), None)  # several: a tuple, as the model keeps
    if not all(items):
        return None
    found: list[re.Match[str]] = items  # type: ignore[assignment]  # all matched
    types = [java_int(m["type"]) for m in found]
    if any(t is None for t in types) or any("~" in m["id"] for m in found):
        return None
    if all(t == ELEMENT_TYPE for t in types):
        attribute = found[0]["id"][:32]
        if not _GUID.fullmatch(attribute):
            return None
        prefix = attribute + ":"
        keys: list[str] = []
        names: list[str | None] = []
        for match in found:
            id_text = match["id"]
            element_key = id_text[33:]
            if not (id_text.startswith(prefix) and plain_key(element_key) and element_key):
                return None
            keys.append(element_key)
            names.append(match["rest"] or None)
        return (ELEMENTS_ROW, key, attribute, keys, names)
    objects: list[tuple[str, int, str | None]] = []
    for match, number in zip(found, types, strict=True):
        if number is None or number in _DEPENDENT_TYPES or number in LEVEL_TYPES or number < 0:
            return None
        if not _GUID.fullmatch(match["id"]):
            return None
        objects.append((match["id"], number, match["rest"] or None))
    return (OBJECTS_ROW, key, objects)


_ANSWER_KEY_SET = frozenset(ANSWER_KEYS)


def decode_body(source: Any) -> tuple[AnswerSet, str | None]:
    """Read a ``promptsAnswers`` body or Embedding event payload: answers and messageName.

    ``messageName`` names the dashboard's message (instance) for display; it is not an
    answer, so :func:`decode` leaves it out and this function returns it beside.

    >>> s, name = decode_body('{"messageName": "Sales", "answers": [{"key": "K@0@10",'
    ...                       ' "values": ["2016"], "useDefault": false}]}')
    >>> name, s[0].value
    ('Sales', '2016')
    """
    document = _document(source)
    if not isinstance(document, dict):
        raise DecodeError(
            f'a promptsAnswers body is an object {{"messageName"?, "answers"}}, not '
            f"{json_kind(document)}",
            where="library",
        )
    return _decode_body(document)


def _decode_body(document: dict[str, Any]) -> tuple[AnswerSet, str | None]:
    name = _decode_body_head(document)
    answers, locales = _decode_round(document["answers"], "library: answers")
    return _answer_set([answers], locales), name


def _decode_body_head(document: dict[str, Any]) -> str | None:
    """The checks of a body's keys; its messageName."""
    unknown = [k for k in document if k not in BODY_KEYS]
    if unknown:
        raise DecodeError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; a promptsAnswers body has only "
            "messageName and answers",
            where="library",
            hint='a REST answer body {"prompts": […]} is read with --from rest'
            if "prompts" in document
            else None,
        )
    if "answers" not in document:
        raise DecodeError('the body has no "answers" array', where="library")
    name = document.get("messageName")
    if name is not None and not isinstance(name, str):
        raise DecodeError(f"messageName must be a string, not {json_kind(name)}", where="library")
    return name


def _body_rows(document: dict[str, Any]) -> Answers:
    """:func:`_decode_body`'s answers, as rows (its checks first, in its order)."""
    _decode_body_head(document)
    answers, locales = _decode_round(document["answers"], "library: answers", fast=True)
    return _answers([answers], locales)


def decode(source: Any, *, max_size: int | None = None) -> AnswerSet:
    """Read Library short answers into an AnswerSet; rounds are kept in ``rounds``.

    ``source`` is a Library link or query string with ``prompts=``, the parameter's value
    (percent-encoded or raw JSON), the rounds as a list, a ``promptsAnswers`` body or an
    Embedding event payload (text, bytes or a dict).  Raises
    :class:`~mstr_prompts.errors.DecodeError` saying what is wrong and where.

    >>> decode("prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%5D"
    ...        "%2C%22useDefault%22%3Afalse%7D%5D%5D")[0].kind
    'close'
    >>> decode('[[{"key":"A@0@10","values":["2016"],"useDefault":false}],[]]').rounds
    (1, 0)

    Text over ``max_size`` characters (bytes for bytes; default
    :data:`mstr_prompts.limits.MAX_SIZE`, 33,554,432) is refused with
    :class:`~mstr_prompts.errors.InputTooLarge` before any of it is decoded.
    """
    rows = decode_rows(source, max_size=max_size)
    # Plain answers stay rows: the set builds each answer when it is read and keeps none
    # (model.AnswerList), as the other decoders' sets do.
    return rows.answer_set() if isinstance(rows, RowSet) else rows


def decode_rows(source: Any, *, max_size: int | None = None) -> Answers:
    """Read Library short answers as :func:`decode` does, into rows: a
    :class:`~mstr_prompts.rows.RowSet`, whose plain answers are not models yet.

    Every encoder takes the rows in place of the set and writes the same text;
    ``decode_rows(source).answer_set() == decode(source)``.  Errors are those of
    :func:`decode`.  A RowSet is one round: answers in several rounds are an
    :class:`~mstr_prompts.model.AnswerSet`, as :func:`decode` gives them.

    >>> decode_rows('[[{"key":"K@0@10","values":["2016"],"useDefault":false}]]').items
    (('value', 'K@0@10', '2016', None),)
    """
    limits.check(source, where="library", limit=max_size)
    if max_size is None:
        return _decode(source, fast=_FAST)
    with limits.allowing(max_size):
        return _decode(source, fast=_FAST)


_FAST = True
"""Keep plain answers as rows; the tests switch it off to run the checked path (as
xml._FAST, rest._FAST and url._FAST)."""


def _decode(source: Any, fast: bool = False) -> Answers:
    document = _document(source)
    if isinstance(document, dict):
        return _body_rows(document) if fast else _decode_body(document)[0]
    if not isinstance(document, list):
        raise DecodeError(
            f"expected rounds [[…]] or a body {{…}}, not {json_kind(document)}", where="library"
        )
    if not document:
        raise DecodeError(
            "the rounds array is empty; answering no prompts in one round is [[]]",
            where="library",
        )
    rounds: list[list[Answer | _Row]] = []
    locales: set[int] = set()
    for number, answers in enumerate(document):
        if isinstance(answers, dict) and "answers" in answers:
            raise DecodeError(
                f"round {number} is a body object; the rounds are arrays of answers",
                where=f"library: rounds[{number}]",
                hint="give each round's answers array, [[…],[…]]",
            )
        found, round_locales = _decode_round(
            answers, f"library: rounds[{number}]", fast=fast and len(document) == 1
        )
        rounds.append(found)
        locales |= round_locales
    return _answers(rounds, locales) if fast else _answer_set(rounds, locales)


# ---------------------------------------------------------------------------- encoding


def _refuse(answer: Answer, message: str, hint: str | None = None) -> NotRepresentableError:
    return NotRepresentableError(message, prompt=answer.describe(), target=TARGET, hint=hint)


def _check_value(answer: Answer, text: str) -> str:
    if not is_plain_value(text):
        raise _refuse(
            answer,
            f"the value {text!r} would read back as an item, XML or a link template; Library "
            "writes value texts without escapes",
        )
    return text


def _element_item(answer: ElementAnswer, element: Element) -> str:
    # Once per element: a module import costs a fifth of ``from … import`` (xml._located).
    import mstr_prompts.element_id as element_ids

    if element.id is None:
        raise _refuse(
            answer,
            f"element {element.name!r} has no ID; a Library element is ATTR:key~1048576~name",
            hint="look the element ID up (GET …/attributes/{id}/elements)",
        )
    if not isinstance(element.id, element_ids.ElementId):
        raise _refuse(
            answer,
            f"element ID {element.id.text!r} has an undocumented structure that cannot be "
            "written as ATTR:key",
        )
    try:
        id_text = element.id.to_old_short()
    except NotRepresentableError as exc:
        raise _refuse(answer, exc.message, exc.hint) from None
    if "~" in id_text:
        raise _refuse(answer, f"element ID {id_text!r} contains '~', which Library cannot escape")
    return f"{id_text}~{ELEMENT_TYPE}~{element.name or ''}"


def _object_item(answer: ObjectAnswer, ref: ObjectRef) -> str:
    if ref.type is None:
        # A Library object value is ID~type~name; no guess may stand in for the type.
        raise untyped_object_refusal(answer.describe(), ref.id, TARGET)
    if not _GUID.fullmatch(ref.id):
        raise _refuse(answer, f"object ID {ref.id!r} is not a 32-hex-digit GUID")
    if ref.type in _DEPENDENT_TYPES:
        raise _refuse(answer, f"object type {ref.type} would read back as an element or unit")
    return f"{ref.id}~{ref.type}~{ref.name or ''}"


def _unit_item(answer: LevelAnswer, unit: LevelUnit) -> str:
    if "~" in unit.id:
        raise _refuse(answer, f"level unit ID {unit.id!r} contains '~'")
    return "~".join(
        [
            unit.id,
            str(unit.type),
            unit.name or "",
            str(unit.aggregation),
            str(unit.filtering),
            str(unit.group_by),
            str(unit.report_level),
        ]
    )


def _rsl(answer: ExpressionAnswer, locale: int | None) -> str:
    from . import xml

    exp = xml.expression_element(answer, target=TARGET)  # the one answer -> <exp> rule
    text = _rsl_text(exp, answer.prompt.key or "", locale)
    if text is None:
        raise _refuse(answer, "the prompt key contains characters XML cannot carry")
    return text


def _rsl_text(exp: etree._Element, key: str, locale: int | None) -> str | None:
    """The ``<rsl>`` value of an expression answer's ``<exp>``, for its model and its row
    alike; None for a key XML cannot carry (the model's path words the refusal)."""
    root = etree.Element("rsl")
    if locale is not None:
        root.set("lcl", str(locale))
    pa = etree.SubElement(root, "pa")
    try:
        pa.set("key", key)
    except ValueError:
        return None
    pa.append(exp)
    for node in root.iter():
        if len(node) == 0 and node.text is None:
            node.text = ""  # never self-closed, as MicroStrategy's builder writes it
    return etree.tostring(root, encoding="unicode")


def _values(answer: Answer, locale: int | None) -> tuple[list[str], bool]:
    """``(values, useDefault)`` of one answer."""
    from .model import (
        Close,
        ElementAnswer,
        ExpressionAnswer,
        LevelAnswer,
        ObjectAnswer,
        PlaceholderAnswer,
        Unanswered,
        UseDefault,
        ValueAnswer,
    )

    if isinstance(answer, UseDefault):
        return [], True
    if isinstance(answer, Close):
        return [], False
    if isinstance(answer, ValueAnswer):
        return [_check_value(answer, v) for v in answer.values], False
    if isinstance(answer, ElementAnswer):
        return [_element_item(answer, e) for e in answer.elements], False
    if isinstance(answer, ObjectAnswer):
        return [_object_item(answer, o) for o in answer.objects], False
    if isinstance(answer, LevelAnswer):
        if answer.units is None:
            raise _refuse(
                answer,
                "Library carries a level answer only as display units "
                "(UNIT~1048581~name~agg~flt~gb~rps); this one is "
                + ("XML (<dmy>)" if answer.xml is not None else "REST's level definition"),
            )
        return [_unit_item(answer, u) for u in answer.units], False
    if isinstance(answer, ExpressionAnswer):
        return [_rsl(answer, locale)], False
    if isinstance(answer, PlaceholderAnswer):
        return list(answer.values), False
    if isinstance(answer, Unanswered):
        raise _refuse(
            answer,
            "Library cannot mark a prompt as deliberately left open",
            hint="leave the prompt out; Library then asks for it",
        )
    raise AssertionError(f"unexpected answer {answer!r}")  # pragma: no cover


_KEY_HINT = Hint(
    "bind the answers to the prompt definitions first ({0}), or give the key",
    Option("definitions", metavar="FILE", api="definitions.bind"),
)


def _encode_answer(answer: Answer, locale: int | None) -> dict[str, Any]:
    key = answer.prompt.key
    if key is None:
        raise _refuse(answer, "Library finds prompts only by key", hint=_KEY_HINT)
    values, use_default = _values(answer, locale)
    return {"key": key, "values": values, "useDefault": use_default}


def _encode_row(row: _Row, locale: int | None) -> dict[str, Any] | None:
    """The answer of a decoder's row (mstr_prompts.rows), as :func:`_encode_answer` writes
    its model; None when the row needs that path (which then says what is wrong).  A row
    with no key, or an open slot, is refused from the row, as its model would be."""
    prompt = row[1]
    key = prompt if type(prompt) is str else prompt.key
    kind = row[0]
    if kind == CLOSE_ATTRIBUTE_ROW:  # written and refused as its Close: a close (see _values)
        kind, row = CLOSE_ROW, (CLOSE_ROW, prompt, PromptFamily.ELEMENTS)
    if key is None:
        raise NotRepresentableError(
            "Library finds prompts only by key",
            prompt=describe_row(row),
            target=TARGET,
            hint=_KEY_HINT,
        )
    if kind == UNANSWERED_ROW:  # Library has no open slot (see _values)
        raise NotRepresentableError(
            "Library cannot mark a prompt as deliberately left open",
            prompt=describe_row(row),
            target=TARGET,
            hint="leave the prompt out; Library then asks for it",
        )
    if kind in STATE_ROWS:  # UseDefault, Close (see _values)
        return {"key": key, "values": [], "useDefault": kind == USE_DEFAULT_ROW}
    if kind == VALUE_ROW:
        if not is_plain_value(row[2]):
            return None
        values = [row[2]]
    elif kind == VALUES_ROW:
        if not all(map(is_plain_value, row[2])):
            return None
        values = list(row[2])
    elif kind == EXPRESSION_ROW:
        # Its <exp> from REST's tree of it, by the writer the model's path uses (None:
        # verbatim <exp> and the like, written or refused by that path).
        exp = exp_element(row[2]())
        text = None if exp is None else _rsl_text(exp, key, locale)
        if text is None:
            return None
        values = [text]
    elif kind == ELEMENTS_ROW:
        attribute, keys, names = row[2], row[3], row[4]
        if any("~" in k for k in keys):
            return None
        values = [
            f"{plain_old_short(attribute, k)}~{ELEMENT_TYPE}~{n or ''}"
            for k, n in zip(keys, names, strict=True)
        ]
    else:
        values = []
        for object_id, number, name in row[2]:
            if number is None or number in _DEPENDENT_TYPES or not _GUID.fullmatch(object_id):
                return None
            values.append(f"{object_id}~{number}~{name or ''}")
    return {"key": key, "values": values, "useDefault": False}


def _first_value(items: Any) -> str | None:
    """The description of the first value answer (for the locale warning), if any."""
    for item in items:
        if type(item) is tuple:
            if item[0] in (VALUE_ROW, VALUES_ROW):
                prompt = item[1]
                return f"value prompt {prompt}" if type(prompt) is str else prompt.describe("value")
        elif getattr(item, "kind", None) == "value":
            return str(item.describe())
    return None


def _check_set(answers: Answers, ignore_locale: bool) -> None:
    rows = pending_rows(answers, expression_rows=True)
    if rows is not None:
        refuse_to_write_repeated_keys(rows, TARGET)
    else:
        for part in answers.by_round() if answers.rounds is not None else (answers,):
            refuse_to_write_repeated_keys(part, TARGET)
    if answers.mode is not None:
        raise NotRepresentableError(
            f"Library short answers carry no answer mode (got {answers.mode.name})",
            target=TARGET,
            hint='answer the prompts explicitly ("useDefault": true, or "values": [] to '
            "close them)",
        )
    if answers.locale is not None and not ignore_locale:
        value = _first_value(answers if rows is None else rows)
        if value is not None:
            warnings.warn(
                LocaleWarning(
                    f"library: {value}: Library value texts carry no locale; the "
                    f"texts, written in locale {answers.locale}, are sent as they are and "
                    "Library reads them in the display locale"
                ),
                stacklevel=3,
            )


def encode_rounds(answers: Answers, *, ignore_locale: bool = False) -> list[list[dict[str, Any]]]:
    """The rounds as JSON values: one list of ``{"key", "values", "useDefault"}`` per round.

    >>> from mstr_prompts.model import AnswerSet, PromptRef, UseDefault
    >>> encode_rounds(AnswerSet(answers=[UseDefault(prompt=PromptRef(key="K@0@10"))]))
    [[{'key': 'K@0@10', 'values': [], 'useDefault': True}]]
    """
    _check_set(answers, ignore_locale)
    # Several values and expression rows are rows this writer reads (row_kinds.WRITER_ROWS);
    # an expression row it cannot write plainly is written from its model.
    rows = pending_rows(answers, expression_rows=True)
    if rows is not None:  # one round of rows: each written directly where it can be
        written = []
        for item in rows:
            answer = _encode_row(item, answers.locale) if type(item) is tuple else None
            if answer is None:
                from .model import answer_of

                answer = _encode_answer(answer_of(item), answers.locale)
            written.append(answer)
        return [written]
    return [
        [_encode_answer(a, answers.locale) for a in part.answers] for part in answers.by_round()
    ]


def encode_body(
    answers: Answers, *, message_name: str | None = None, ignore_locale: bool = False
) -> dict[str, Any]:
    """One round as a ``promptsAnswers`` body ``{"messageName"?, "answers": […]}``.

    Raises :class:`~mstr_prompts.errors.NotRepresentableError` for answers in several
    rounds: a body is one round (send one body per round, :meth:`AnswerSet.by_round`).

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> encode_body(AnswerSet(answers=[ValueAnswer(value="750", prompt=PromptRef(key="K@0@10"))]))
    {'answers': [{'key': 'K@0@10', 'values': ['750'], 'useDefault': False}]}
    """
    if answers.rounds is not None:
        raise NotRepresentableError(
            f"a promptsAnswers body is one round; these answers have {len(answers.rounds)}",
            target=TARGET,
            hint="send one body per round (AnswerSet.by_round), or write the rounds as a "
            "prompts= value",
        )
    rounds = encode_rounds(answers, ignore_locale=ignore_locale)
    body: dict[str, Any] = {}
    if message_name is not None:
        body["messageName"] = message_name
    body["answers"] = rounds[0]
    return body


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotRepresentableError(
            "a text contains a lone surrogate, which no link or UTF-8 body can carry",
            target=TARGET,
        ) from None
    return text


_NOT_RAW = "%&#"
"""Characters a placeholder token cannot keep unescaped in a ``prompts=`` value."""


def _placeholder_tokens(answers: Answers) -> list[str]:
    rows = pending_rows(answers, expression_rows=True)
    tokens: set[str] = set()
    for answer in answers if rows is None else rows:
        # A row is never a placeholder (mstr_prompts.rows): only models are looked at.
        if type(answer) is not tuple and answer.kind == "placeholder":  # type: ignore[union-attr]
            for value in answer.values:  # type: ignore[union-attr]
                tokens.update(_TOKEN.findall(value))
    return sorted(tokens, key=len, reverse=True)


def encode(
    answers: Answers,
    *,
    form: Literal["json", "param", "body"] = "json",
    message_name: str | None = None,
    ignore_locale: bool = False,
) -> str:
    """Write ``answers`` exactly as Library does: compact JSON, key order key, values, useDefault.

    ``form`` is ``"json"`` for the rounds ``[[…]]``, ``"param"`` for the same
    percent-encoded as the ``prompts=`` value of a link (``encodeURIComponent``; link
    tokens such as ``:{[Year]@ID}`` stay raw, as Library's generator leaves them so the
    dashboard can fill them in), or ``"body"`` for a one-round ``promptsAnswers`` body.
    Raises :class:`~mstr_prompts.errors.NotRepresentableError` for what Library cannot
    carry: an answer mode, answers without a key, unanswered slots, REST's expression
    trees and level definitions, XML level answers, and texts that would read back as
    something else.

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> encode(AnswerSet(answers=[ValueAnswer(value="2016", prompt=PromptRef(key="K@0@10"))]))
    '[[{"key":"K@0@10","values":["2016"],"useDefault":false}]]'
    """
    if form == "body":
        return _dumps(encode_body(answers, message_name=message_name, ignore_locale=ignore_locale))
    if message_name is not None:
        raise NotRepresentableError(
            "only a promptsAnswers body carries messageName",
            target=TARGET,
            hint=Hint("use {0}", Option("library_form", "body", api="form='body'")),
        )
    text = _dumps(encode_rounds(answers, ignore_locale=ignore_locale))
    if form == "json":
        return text
    if form != "param":
        raise PromptAnswerError(f"form must be 'json', 'param' or 'body', not {str(form)[:40]!r}")
    encoded = quote(text)
    for token in _placeholder_tokens(answers):
        # A token stays readable for the link generator only if reading the link gives it
        # back: '%' would be decoded, '&' and '#' would end the parameter.
        if any(c in token for c in _NOT_RAW):
            continue
        encoded = encoded.replace(quote(":" + token), ":" + token).replace(quote(token), token)
    return encoded
