"""The Web URL API's prompt-answer parameters <-> :class:`~mstr_prompts.model.AnswerSet`.

Five query parameters carry prompt answers to MicroStrategy Web (https://www2.microstrategy.com/producthelp/Current/WebSDK/Content/topics/urlapi/Passing_Prompt_Answers_Using_the_URL_API.htm):

=========================  ==============================================================
``valuePromptAnswers``     value prompts, positional: ``30^Sam Hill^25354``
``elementsPromptAnswers``  element prompts, matched by attribute:
                           ``ATTR;ATTR:key^Display;…,ATTR2;…``
``objectsPromptAnswers``   object prompts, positional: ``id~type~name<ESC>id~type^…``
``promptsAnswerXML``       anything, as prompt-answer XML (see :mod:`mstr_prompts.xml`)
``promptAnswerMode``       what to do with the prompts left out (EnumWebPromptAnswerMode)
=========================  ==============================================================

There is no escape syntax for the separators (docs/url.md, "What the parameters cannot carry"): the server percent-decodes a
parameter once and then splits it, so a ``^`` sent as ``%5E`` is still a separator.
:func:`encode` therefore refuses, with :class:`~mstr_prompts.errors.NotRepresentableError`,
every answer whose text would change the split, and :func:`decode` reads exactly what
the server would read.  See docs/url.md for the full rules.
"""

from __future__ import annotations

import itertools
import re
import urllib.parse
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from . import limits
from ._trusted import TRUSTED
from .element_text import GUID_PATTERN, Presentation, classify, plain_keys, plain_old_short
from .enums import AnswerMode, PromptFamily
from .errors import (
    DecodeError,
    Hint,
    InputTooLarge,
    LocaleWarning,
    NotRepresentableError,
    Option,
    PromptAnswerError,
    placeholder_refusal,
    rounds_refusal,
    untyped_object_refusal,
    validation_message,
)
from .row_kinds import CLOSE_ATTRIBUTE_ROW, CLOSE_ROW, EXPRESSION_ROW
from .rows import (
    ELEMENTS_ROW,
    EMPTY_REF,
    OBJECTS_ROW,
    UNANSWERED_ROW,
    VALUE_ROW,
    VALUES_ROW,
    PackedRows,
    Ref,
    RowSet,
    describe_row,
    pending_rows,
)
from .rows import Row as _Row
from .rules import (
    MAX_OBJECT_TYPE,
    MAX_POSITION,
    ascii_number,
    fold_name,
    is_text,
    text_problem,
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
        ObjectAnswer,
        Unanswered,
        ValueAnswer,
    )
    from .rows import Answers

__all__ = [
    "ANSWER_PARAMS",
    "ELEMENTS_PARAM",
    "MAX_URL_CHARS",
    "MODE_PARAM",
    "OBJECTS_PARAM",
    "TASK_XML_PARAM",
    "VALUE_PARAM",
    "XML_PARAM",
    "decode",
    "encode",
    "encode_query",
    "is_answer_param",
    "percent_encoded_link",
    "quote_param",
    "split_query",
    "split_url",
]

# Parameter names (the URL API page cited above), in the order encode() emits them.
VALUE_PARAM = "valuePromptAnswers"
ELEMENTS_PARAM = "elementsPromptAnswers"
OBJECTS_PARAM = "objectsPromptAnswers"
XML_PARAM = "promptsAnswerXML"
MODE_PARAM = "promptAnswerMode"
ANSWER_PARAMS = (VALUE_PARAM, ELEMENTS_PARAM, OBJECTS_PARAM, XML_PARAM, MODE_PARAM)
# Servers differ on the case of parameter names; a public scraper sends
# `valuepromptanswers` (fixtures/url/C7.txt), so names are matched case-insensitively, by the
# same rule links.web_url uses to keep its own parameters from being overridden.
_BY_FOLD = {fold_name(name): name for name in ANSWER_PARAMS}
# The Task API's answerPrompts task names the XML parameter in the singular
# (MicroStrategy's mojo client: `request.promptAnswerXML = prompts.getAnswerXML()`,
# https://github.com/ethan0306/Front-End/blob/0bd1adb2970310df7edb0b807eb1d9ca3e623d2c/mojo/js/source/_ResultSetXt.js);
# decode reads it as promptsAnswerXML, encode writes the Web name.
TASK_XML_PARAM = "promptAnswerXML"
_BY_FOLD[fold_name(TASK_XML_PARAM)] = XML_PARAM

MAX_URL_CHARS = limits.MAX_SIZE
"""The longest URL, query string or mapping (all names and values together) :func:`decode`
reads by default: :data:`mstr_prompts.limits.MAX_SIZE` (33,554,432), which ``max_size=``
raises.

Like :data:`mstr_prompts.safexml.MAX_XML_CHARS`: far above any real link (web servers
refuse query strings beyond a few KB, and a POSTed form of answers is rarely above a few
MB), and low enough that a runaway input fails at once rather than exhausting memory.
"""
# The three parameters whose text is split on separators (doc samples wrap them over lines).
_SPLIT_PARAMS = frozenset({VALUE_PARAM, ELEMENTS_PARAM, OBJECTS_PARAM})

# valuePromptAnswers / objectsPromptAnswers: one slot per prompt, "^" between (§4.1, §4.3).
SLOT_SEP = "^"
# objectsPromptAnswers: objects of one prompt joined by ESC, sent as %1B (§4.3, KB16699).
OBJECT_SEP = "\x1b"
# objectsPromptAnswers: `id~type[~name]` (§4.3).
FIELD_SEP = "~"
# elementsPromptAnswers: "," between prompts, ";" between attribute and elements,
# "^" before an element's display name (§4.2).
PROMPT_SEP = ","
ELEMENT_SEP = ";"
DISPLAY_SEP = "^"

_GUID = re.compile(GUID_PATTERN)
# Decoders keep plain element lists as rows (model.py, "Deferred answers"); tests turn
# this off to compare with the checked path.
_FAST = True
# A valuePromptAnswers text of plain values is kept packed (rows.PackedRows); tests turn
# this off to compare with the rows it stands for.
_PACK = True
# Layout: a run of whitespace that contains a line break.  A URL cannot contain a raw line
# break (RFC 3986), so one in the raw text is layout: the doc prints samples one parameter
# or one separator per line (the URL API page: "the real value is the concatenation without
# whitespace").  Plain spaces are content (`30%5eSam Hill%5e25354`, fixtures/url/D1.txt).  The
# pattern matches every whitespace run (one pass, no backtracking: a pattern that must
# find a line break inside the run retries at every space and is quadratic) and the
# replacement keeps the runs without a line break.
_WHITESPACE_RUN = re.compile(r"[ \t\r\n]+")
_LAYOUT_CHARS = " \t\r\n"


def _drop_layout_run(match: re.Match[str]) -> str:
    run = match.group()
    return "" if "\n" in run or "\r" in run else run


def _drop_layout(raw: str) -> str:
    """Remove every whitespace run that contains a line break (linear time)."""
    return _WHITESPACE_RUN.sub(_drop_layout_run, raw)


def _drop_edge_layout(raw: str) -> str:
    """Remove a whitespace run with a line break at either end of ``raw``."""
    body = raw.lstrip(_LAYOUT_CHARS)
    head = raw[: len(raw) - len(body)]
    if "\n" in head or "\r" in head:
        raw = body
    body = raw.rstrip(_LAYOUT_CHARS)
    tail = raw[len(body) :]
    if "\n" in tail or "\r" in tail:
        raw = body
    return raw


# "scheme://" at the start: the text is a full URL even if its path holds "=" or "&".
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# Percent-encoding for the answer parameters: their grammar characters stay readable,
# everything else outside RFC 3986 "unreserved" is %XX of its UTF-8 bytes ("^" -> %5E,
# ESC -> %1B, " " -> %20, "+" -> %2B; docs/url.md, "Percent-encoding").
_GRAMMAR_SAFE = ",;:~"

_CHAR_NAMES = {OBJECT_SEP: "ESC (U+001B)"}


def _show(char: str) -> str:
    return _CHAR_NAMES.get(char, repr(char))


# ---------------------------------------------------------------------------- decoding


def _percent_decode(raw: str, where: str) -> str:
    """Decode one name or value once: '+' is a space, %XX are UTF-8 bytes.

    A '%' not followed by two hex digits stays literal (servlet containers are lenient);
    bytes that are not UTF-8 are an error rather than U+FFFD, so nothing changes silently.
    """
    try:
        data = limits.unquote_bytes(raw, plus=True)  # long values a piece at a time
    except UnicodeEncodeError:  # a lone surrogate in the str itself
        raise DecodeError("the text is not valid Unicode (lone surrogate)", where=where) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"percent-encoded bytes are not UTF-8 (byte {exc.start} of the decoded value: "
            f"{bytes(data[exc.start : exc.start + 1])!r})",
            where=where,
            hint="the URL API reads parameters as UTF-8; re-encode the text as UTF-8",
        ) from None


def split_url(text: str) -> tuple[str, str]:
    """Split a URL, relative URL or bare query string into ``(base, query)``.

    The text is a URL when it starts with ``scheme://`` or when the part before its first
    ``?`` has no ``=`` and no ``&`` (``mstrWeb?…``, ``?evt=…``); otherwise all of it is a
    query string (a raw ``?`` is legal inside a query).  A raw ``#`` starts the fragment,
    which is not sent to the server, so it is dropped.

    >>> split_url("http://h/MicroStrategy/servlet/mstrWeb?evt=4001#top")
    ('http://h/MicroStrategy/servlet/mstrWeb', 'evt=4001')
    >>> split_url("valuePromptAnswers=why?")
    ('', 'valuePromptAnswers=why?')
    """
    head, sep, tail = text.partition("?")
    if sep and (_SCHEME.match(text) or ("=" not in head and "&" not in head)):
        return head.partition("#")[0], tail.partition("#")[0]
    if not sep and "=" not in text and "&" not in text:
        return text.partition("#")[0], ""  # a bare base URL: no parameters at all
    return "", text.partition("#")[0]


def is_answer_param(name: str) -> bool:
    """True for the names :func:`decode` reads answers from (any case, Task API alias too).

    >>> is_answer_param("VALUEPROMPTANSWERS"), is_answer_param("promptAnswerXML"), is_answer_param("evt")
    (True, True, False)
    """
    return fold_name(name) in _BY_FOLD


def _unescape_amp(query: str) -> str:
    """A query copied from HTML source separates its pairs with ``&amp;``.

    Read so only when every ``&`` is one of those: then there is no other reading.
    """
    if "&amp;" in query and "&" not in query.replace("&amp;", ""):
        return query.replace("&amp;", "&")
    return query


def split_query(
    text: str, *, answers_only: bool = False, keep_raw: bool = False
) -> list[tuple[str, str]]:
    """Split a URL or query string into decoded ``(name, value)`` pairs, in order.

    Empty pairs (``?&…``, ``&&``) are skipped; a pair without ``=`` has the value ``""``.
    A query whose every ``&`` is written ``&amp;`` (copied from HTML) is read unescaped.
    With ``answers_only`` only the answer parameters are decoded and returned, so a
    malformed parameter that does not carry answers cannot fail a decode; with
    ``keep_raw`` such a parameter is kept as written (its percent-encoding is not UTF-8,
    so no decoded text would be true to it).  Used by :func:`decode` and by
    :mod:`mstr_prompts.links`.

    >>> split_query("mstrWeb?&src=mstrWeb.4001&&valuePromptAnswers=30%5eSam Hill")
    [('src', 'mstrWeb.4001'), ('valuePromptAnswers', '30^Sam Hill')]
    """
    pairs: list[tuple[str, str]] = []
    for number, (_, raw) in enumerate(_segments(_unescape_amp(split_url(text)[1]), "&"), 1):
        where = f"url: query, pair {number}"
        has_layout = "\n" in raw or "\r" in raw  # the common case has none: skip the regexes
        if has_layout:
            raw = _drop_edge_layout(raw)
        if not raw:
            continue
        raw_name, _, raw_value = raw.partition("=")
        raw = ""  # a long value is held once, not also as its pair
        try:
            name = _percent_decode(raw_name, where)
        except DecodeError:
            if answers_only:  # no answer parameter has a name that is not UTF-8
                continue
            if keep_raw:
                pairs.append((raw_name, raw_value))
                continue
            raise
        canonical = _BY_FOLD.get(fold_name(name))
        if canonical is None and answers_only:
            continue
        if canonical is not None:
            where = f"url: {canonical}"
            if canonical in _SPLIT_PARAMS and has_layout:
                raw_value = _drop_layout(raw_value)
        elif keep_raw:
            try:
                pairs.append((name, _percent_decode(raw_value, where)))
            except DecodeError:
                pairs.append((raw_name, raw_value))
            continue
        pairs.append((name, _percent_decode(raw_value, where)))
    return pairs


def _pairs_of_mapping(source: Mapping[str, object]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in source.items():
        if not isinstance(name, str):
            raise DecodeError(f"parameter names must be strings, not {type(name).__name__}")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, Sequence) or isinstance(values, (bytes, bytearray)):
            raise DecodeError(
                f"a value must be a string or a list of strings, not {type(value).__name__}",
                where=f"url: {name}",
            )
        for item in values:
            if not isinstance(item, str):
                raise DecodeError(
                    f"a value must be a string, not {type(item).__name__}", where=f"url: {name}"
                )
            pairs.append((name, item))
    return pairs


def _answer_params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The answer parameters by canonical name; a repeat must repeat the same value."""
    found: dict[str, str] = {}
    for name, value in pairs:
        canonical = _BY_FOLD.get(fold_name(name))
        if canonical is None:
            continue
        problem = text_problem(value)
        if problem is not None:  # a mapping's values are not percent-decoded: check here
            raise DecodeError(f"the value is not valid text: {problem}", where=f"url: {canonical}")
        if canonical in found and found[canonical] != value:
            raise DecodeError(
                "given more than once with different values; which one a server uses is "
                "undefined, so the answers are ambiguous",
                where=f"url: {canonical}",
            )
        found[canonical] = value
    return found


def _segments(text: str, sep: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Split on ``sep``, yielding each part with its offset in the whole parameter."""
    # One part at a time: a list of all parts would copy a 20 MB parameter at once.
    begin = 0
    while True:
        end = text.find(sep, begin)
        if end == -1:
            yield start + begin, text[begin:]
            return
        yield start + begin, text[begin:end]
        begin = end + len(sep)


def _check_slots(text: str, param: str) -> None:
    slots = text.count(SLOT_SEP) + 1
    if slots > MAX_POSITION:
        raise DecodeError(
            f"{slots} positional slots; a URL addresses at most {MAX_POSITION} prompts of "
            "one family",
            where=f"url: {param}",
        )


def _decode_values(text: str, fast: bool = True) -> list[Answer | _Row]:
    _check_slots(text, VALUE_PARAM)
    answers: list[Answer | _Row] = []
    for position, part in enumerate(text.split(SLOT_SEP), 1):
        # A value known by its place, or an open slot: a row (mstr_prompts.rows), no model.
        if fast and not part:
            answers.append((UNANSWERED_ROW, Ref.of(position=position), PromptFamily.VALUE))
            continue
        if fast and is_text(part):
            answers.append((VALUE_ROW, Ref.of(position=position), part, None))
            continue
        # The checked path (and text the model refuses, a lone surrogate: its error).
        from .model import PromptRef, Unanswered, ValueAnswer

        prompt = PromptRef(position=position)
        if part:
            answers.append(ValueAnswer(value=part, prompt=prompt))
        else:
            answers.append(Unanswered(family=PromptFamily.VALUE, prompt=prompt))
    return answers


def _decode_element(text: str, attribute: str, where: str) -> Element:
    # Once per element: a module import costs a fifth of ``from … import`` (xml._located).
    import mstr_prompts.element_id as element_ids
    import mstr_prompts.model as model

    id_text, *names = text.split(DISPLAY_SEP)
    if len(names) > 1:
        raise DecodeError(
            f"{text!r} has {len(names)} '^'; one separates the element ID from its display "
            "name and there is no escape for more",
            where=where,
        )
    name = names[0] if names and names[0] else None
    if classify(id_text) is not Presentation.OLD_SHORT:
        raise DecodeError(
            f"element ID {id_text!r} is not in the old short form ATTR:key[:key2…]",
            where=where,
        )
    try:
        element_id = element_ids.parse_element_id(id_text)
    except DecodeError as exc:
        raise DecodeError(exc.message, where=where, hint=exc.hint) from None
    if not isinstance(element_id, element_ids.ElementId):
        raise DecodeError(f"element ID {id_text!r}: {element_id.reason}", where=where)
    if element_id.attribute != attribute:
        raise DecodeError(
            f"element {id_text!r} belongs to attribute {element_id.attribute}, but the "
            f"prompt answer is for attribute {attribute}",
            where=where,
        )
    return model.Element.of(element_id, name)


def _plain_elements(texts: list[str], attribute: str) -> _Row | None:
    """The row of one prompt's plain elements ``ATTR:key[^Display]``, or None.

    The fast path (model.py, "Deferred answers"): the rules of :func:`_decode_element`
    for IDs that need no escape; anything else returns None and takes that path.
    """
    prefix = plain_old_short(attribute, "")
    keys: list[str] = []
    names: list[str | None] = []
    for text in texts:
        if not text:
            continue
        id_text, _, name = text.partition(DISPLAY_SEP)
        if not id_text.startswith(prefix) or DISPLAY_SEP in name:
            return None
        keys.append(id_text[len(prefix) :])
        names.append(name or None)
    if not keys or not plain_keys("".join(keys)):
        return None
    return (ELEMENTS_ROW, EMPTY_REF, attribute, keys, names)


def _same(a: Answer | _Row, b: Answer | _Row) -> bool:
    if type(a) is tuple and type(b) is tuple:
        return a == b  # two rows: compared as they are, with no model class loaded
    from .model import answer_of

    return answer_of(a) == answer_of(b)


def _decode_elements(text: str, fast: bool = False) -> list[Answer | _Row]:
    if not text:
        # One meaning for an empty answer parameter, as for values and objects: one open
        # slot (the element prompts are asked).  Element answers have no position, so the
        # slot has no identity either (docs/url.md, "Empty parameters").
        return [_open_elements()]
    answers: list[Answer | _Row] = []
    by_attribute: dict[str, Answer | _Row] = {}
    number = 0
    for offset, segment in _segments(text, PROMPT_SEP):
        if not segment:  # a trailing "," (fixtures/url/C17.txt) or ",,"
            continue
        number += 1
        where = f"url: {ELEMENTS_PARAM}, prompt {number} (offset {offset})"
        answer: Answer | _Row | None = None
        if fast:
            attribute, *texts = segment.split(ELEMENT_SEP)
            if _GUID.fullmatch(attribute):
                if any(texts):
                    answer = _plain_elements(texts, attribute)
                else:  # "ATTR;" (fixtures/url/D3.txt): _checked_elements's close row
                    answer = (CLOSE_ATTRIBUTE_ROW, EMPTY_REF, attribute)
        if answer is None:
            answer = _checked_elements(segment, offset, number, where)
            attribute = answer[2] if isinstance(answer, tuple) else answer.attribute or ""
        earlier = by_attribute.get(attribute.upper())
        if earlier is not None and not _same(earlier, answer):
            raise DecodeError(
                f"element answers are matched by attribute; two different answers for "
                f"attribute {attribute} are ambiguous",
                where=where,
            )
        by_attribute[attribute.upper()] = answer
        answers.append(answer)
    if not answers:
        # Only separators (",", ",,"): every piece is empty, so the parameter says what an
        # empty one says.  Reading it as no answers at all was a silent empty result.
        return [_open_elements()]
    return answers


def _open_elements() -> Answer:
    """An open elements slot (the model is loaded only for it)."""
    from .model import Unanswered

    return Unanswered(family=PromptFamily.ELEMENTS)


def _checked_elements(segment: str, offset: int, number: int, where: str) -> ElementAnswer | _Row:
    from .model import ElementAnswer, PromptRef

    parts = list(_segments(segment, ELEMENT_SEP, offset))
    attribute = parts[0][1]
    if not _GUID.fullmatch(attribute):
        raise DecodeError(
            f"attribute ID {attribute!r} is not a 32-hex-digit GUID",
            where=where,
            hint="each prompt answer starts with its attribute ID: ATTR;ATTR:key^Display",
        )
    elements: list[Element] = []
    for element_offset, element_text in parts[1:]:
        if not element_text:  # "ATTR;" and trailing ";" (fixtures/url/D3.txt)
            continue
        element_where = (
            f"url: {ELEMENTS_PARAM}, prompt {number}, element {len(elements) + 1} "
            f"(offset {element_offset})"
        )
        elements.append(_decode_element(element_text, attribute, element_where))
    if elements:
        return ElementAnswer.of(PromptRef(), attribute, tuple(elements))
    # "ATTR;": Close(family=ELEMENTS, attribute=attribute), kept as its row
    return (CLOSE_ATTRIBUTE_ROW, EMPTY_REF, attribute)


def _decode_object(text: str, where: str) -> tuple[str, int, str | None]:
    """``(id, type, name)`` of one ``id~type[~name]`` (its ObjectRef is built by the caller)."""
    fields = text.split(FIELD_SEP)
    if len(fields) > 3:
        raise DecodeError(
            f"{text!r} has {len(fields)} '~' fields; an object is id~type[~name] and "
            "there is no escape for '~'",
            where=where,
        )
    if not fields[0]:
        raise DecodeError(f"{text!r} has no object ID before '~'", where=where)
    if len(fields) < 2:
        raise DecodeError(f"{text!r} has no object type; an object is id~type[~name]", where=where)
    number = ascii_number(fields[1], MAX_OBJECT_TYPE)
    if number is None:
        raise DecodeError(
            f"object type {fields[1]!r} is not an EnumDSSXMLObjectTypes number "
            f"(ASCII digits, at most {MAX_OBJECT_TYPE}: 4 = metric, 12 = attribute, …)",
            where=where,
        )
    name = fields[2] if len(fields) == 3 and fields[2] else None
    return (fields[0], number, name)


def _decode_objects(text: str, fast: bool = True) -> list[Answer | _Row]:
    _check_slots(text, OBJECTS_PARAM)
    answers: list[Answer | _Row] = []
    for position, (offset, slot) in enumerate(_segments(text, SLOT_SEP), 1):
        objects: list[tuple[str, int, str | None]] = []
        for object_offset, object_text in _segments(slot, OBJECT_SEP, offset):
            if not object_text:  # a trailing ESC
                continue
            where = (
                f"url: {OBJECTS_PARAM}, prompt {position}, object {len(objects) + 1} "
                f"(offset {object_offset})"
            )
            object_id, number, name = found = _decode_object(object_text, where)
            if not (is_text(object_id) and (name is None or is_text(name))):
                from .model import ObjectRef

                ObjectRef(id=object_id, type=number, name=name)  # raises the model's error
            objects.append(found)
        # Objects known by their place, or an open slot: a row (mstr_prompts.rows).
        if fast and objects:
            answers.append((OBJECTS_ROW, Ref.of(position=position), objects))
        elif fast:
            answers.append((UNANSWERED_ROW, Ref.of(position=position), PromptFamily.OBJECTS))
        else:  # the checked path
            from .model import ObjectAnswer, ObjectRef, PromptRef, Unanswered

            prompt = PromptRef(position=position)
            if objects:
                refs = tuple(ObjectRef(id=i, type=t, name=n) for i, t, n in objects)
                answers.append(ObjectAnswer(objects=refs, prompt=prompt))
            else:
                answers.append(Unanswered(family=PromptFamily.OBJECTS, prompt=prompt))
    return answers


def _decode_mode(text: str) -> AnswerMode:
    known = ", ".join(f"{m.value} ({m.name})" for m in AnswerMode)
    number = ascii_number(text, max(AnswerMode))
    if number is not None and number in AnswerMode.__members__.values():
        return AnswerMode(number)
    raise DecodeError(
        f"{text!r} is not a known mode; known values: {known}", where=f"url: {MODE_PARAM}"
    )


def _decode_xml(text: str) -> RowSet:
    from . import xml as xml_codec  # imported late: xml is an optional peer for url

    try:
        return xml_codec.decode_rows(text)
    except DecodeError as exc:
        inner = (exc.where or "").removeprefix("xml").removeprefix(":").strip()
        where = f"url: {XML_PARAM}" + (f", {inner}" if inner else "")
        raise DecodeError(exc.message, where=where, hint=exc.hint) from None


def _size(source: str | Mapping[str, object]) -> int:
    if isinstance(source, str):
        return len(source)
    total = 0
    for name, value in source.items():
        total += len(name) if isinstance(name, str) else 0
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
            total += sum(len(v) for v in value if isinstance(v, str))
    return total


def _loose_names(text: str) -> list[str]:
    """Parameter names for a message: decoded leniently, never failing."""
    names = []
    for raw in _unescape_amp(split_url(text)[1]).split("&"):
        raw = raw.strip()
        if raw:
            name = urllib.parse.unquote(raw.partition("=")[0].replace("+", " "), errors="replace")
            names.append(name)
    return names


# A name as similar as 0.8 to one of the answer names (15 to 21 characters) has 10 to 31.
_NEAR_LENGTHS = range(10, 32)
_NEAR_CHECKED = 1000  # a diagnosis: the first names are enough, however many a text has


def near_miss(name: str) -> str | None:
    """The answer parameter ``name`` is one typo away from, if any (not itself one).

    :func:`decode` refuses a link with such a name, whose answers a server would ignore,
    and :func:`mstr_prompts.links.web_url` refuses to write one.

    >>> near_miss("elementPromptAnswers"), near_miss("Server"), near_miss("valuePromptAnswers")
    ('elementsPromptAnswers', None, None)
    """
    if len(name) not in _NEAR_LENGTHS or fold_name(name) in _BY_FOLD:
        return None
    import difflib  # here: most links have no near miss to look for

    close = difflib.get_close_matches(name.lower(), list(_BY_FOLD), n=1, cutoff=0.8)
    return _BY_FOLD[close[0]] if close else None


def _near_miss(names: Sequence[str]) -> tuple[str, str] | None:
    """(given, known) for the first parameter name one typo away from an answer parameter."""
    for name in itertools.islice(dict.fromkeys(names), _NEAR_CHECKED):
        close = near_miss(name)
        if close is not None:
            return name, close
    return None


def _listing(names: Sequence[str]) -> str:
    unique = list(dict.fromkeys(names))
    shown = ", ".join(repr(n) if len(n) <= 40 else repr(n[:37] + "...") for n in unique[:6])
    return shown + (f" and {len(unique) - 6} more" if len(unique) > 6 else "")


def _codec_hint(fmt: str) -> Hint | None:
    """``--from FMT`` / ``mstr_prompts.FMT.decode``, if this installation has that codec."""
    import importlib.util  # here: only an input that is not a link asks

    if importlib.util.find_spec(f"mstr_prompts.{fmt}") is None:
        return None
    return Hint("read it as {0}", Option("from", fmt, api=f"mstr_prompts.{fmt}.decode"))


_EXPECTED = (
    "expected a Web URL or query string with prompt-answer parameters "
    "(valuePromptAnswers, elementsPromptAnswers, objectsPromptAnswers, promptsAnswerXML, "
    "promptAnswerMode)"
)


def _no_answers(source: str | Mapping[str, object]) -> DecodeError:
    """Say what the text looks like, since it is not prompt answers in URL parameters."""
    if not isinstance(source, str):
        names = [str(name) for name in source]
        if not names:
            return DecodeError(f"the mapping is empty; {_EXPECTED}", where="url")
        return _unknown_params(names, "the parameters")
    text = source.strip()
    if not text:
        return DecodeError(f"the input is empty; {_EXPECTED}", where="url")
    if text[0] in "{[":
        what = "JSON"
        hint = None
        if '"prompts"' in text[:1000]:
            what = "JSON, like a REST answer body"
            hint = _codec_hint("rest")
        return DecodeError(
            f"the text looks like {what}, not URL parameters", where="url", hint=hint
        )
    if text[0] == "<" or text.startswith("%3C") or text.startswith("%3c"):
        hint = _codec_hint("xml") if "rsl" in text[:1000].lower() else None
        what = "prompt-answer XML" if hint is not None else "XML or HTML"
        return DecodeError(
            f"the text looks like {what}, not URL parameters; XML travels in the "
            "promptsAnswerXML parameter",
            where="url",
            hint=hint,
        )
    twice = _percent_encoded_twice(text)
    if twice is not None:
        return DecodeError(
            f"the text is a link percent-encoded twice ({twice!r} stands for an encoded "
            f"{urllib.parse.unquote(twice)!r}); only a link encoded once is read, because "
            "a value may itself hold '%'",
            where="url",
            hint="decode it once (as urllib.parse.unquote does) and read the result",
        )
    names = _loose_names(text)
    if any(name.lower() == "prompts" for name in names):
        return DecodeError(
            "the text is a Library link: its answers are in the prompts= parameter (Library "
            "short answers), which Web's URL parameters do not use",
            where="url",
            hint=_codec_hint("library"),
        )
    if not names:
        return DecodeError(
            f"the text has no query parameters, so no answers; {_EXPECTED}", where="url"
        )
    if not any("=" in raw for raw in _unescape_amp(split_url(text)[1]).split("&")):
        return DecodeError(
            f"the text is not a query string (no name=value pair); {_EXPECTED}", where="url"
        )
    return _unknown_params(names, "the link's parameters")


def _unknown_params(names: Sequence[str], what: str) -> DecodeError:
    near = _near_miss(names)
    if near is not None:
        return DecodeError(
            f"{what} ({_listing(names)}) include no prompt-answer parameter; "
            f"{near[0]!r} is not a parameter the server reads",
            where="url",
            hint=f"did you mean {near[1]}?",
        )
    return DecodeError(
        f"{what} ({_listing(names)}) include no prompt-answer parameter, so there are no "
        "answers to read",
        where="url",
    )


_TWICE = re.compile(r"%25(?:3[dDfF]|26)")  # an encoded "%3D", "%3F" or "%26"


def _percent_encoded_twice(text: str) -> str | None:
    """The first ``%253D``-like escape when ``text`` is a link percent-encoded twice."""
    found = _TWICE.search(text)
    if found is None or "=" in text:
        return None
    inner = urllib.parse.unquote(urllib.parse.unquote(text))
    return found.group() if split_query(inner, answers_only=True) else None


def percent_encoded_link(text: str) -> str | None:
    """The link inside ``text`` when all of ``text`` is one percent-encoded URL, else None.

    Only when the text has no raw ``=`` (so it is not a query string itself) and its
    decoding is a link with answers: then that is the only reading.  :func:`decode` and
    :func:`mstr_prompts.links.parse` both read such text as the link it stands for, so
    the two never disagree on whether it has answers.

    >>> percent_encoded_link("mstrWeb%3Fevt%3D4001%26valuePromptAnswers%3D2015")
    'mstrWeb?evt=4001&valuePromptAnswers=2015'
    >>> percent_encoded_link("mstrWeb?evt=4001") is None
    True
    """
    if "=" in text or "%3d" not in text.lower():
        return None
    try:
        inner = urllib.parse.unquote(text.strip(), errors="strict")
    except UnicodeDecodeError:
        return None
    inner_pairs = split_query(inner, answers_only=True)
    return inner if inner_pairs else None


def decode(
    source: str | Mapping[str, str | Sequence[str]],
    *,
    allow_empty: bool = False,
    max_size: int | None = None,
) -> AnswerSet:
    """Read the prompt answers of a Web URL, query string or parameter mapping.

    ``source`` is a full or relative URL, a query string (with or without ``?``), or a
    mapping of already-decoded parameters (a list value for a repeated parameter).  Only
    the five answer parameters are read, names matched in any case (and the Task API's
    ``promptAnswerXML`` as ``promptsAnswerXML``).  The result is in canonical order: value
    slots, element answers, object slots, then the XML answers.

    Text with no answer parameter at all is a :class:`~mstr_prompts.errors.DecodeError`
    that says what the text looks like (empty, JSON, XML, a Library link, other
    parameters and the nearest answer parameter's name), never an empty answer set;
    ``allow_empty=True`` accepts a link without answers (as :func:`mstr_prompts.links.parse`
    does).  A query copied from HTML (``&amp;`` between every pair) and a whole link
    percent-encoded once are read as the link they stand for.  Input over ``max_size``
    characters (default :data:`mstr_prompts.limits.MAX_SIZE`, 33,554,432; for a mapping,
    every name and value together) is refused before anything is percent-decoded.

    >>> s = decode("mstrWeb?evt=4001&valuePromptAnswers=30%5eSam Hill%5e25354")
    >>> [a.value for a in s]
    ['30', 'Sam Hill', '25354']
    >>> decode({"objectsPromptAnswers": "4C051DB611D3E877C000B3B2D86C964F~4~Profit"})[0].objects[0].name
    'Profit'
    >>> decode("valuePromptAnswers=^^")[2].kind
    'unanswered'
    >>> decode("mstrWeb?evt=4001&elementPromptAnswers=X")
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: url: the link's parameters ('evt', 'elementPromptAnswers') include no prompt-answer parameter; 'elementPromptAnswers' is not a parameter the server reads (hint: did you mean elementsPromptAnswers?)
    """
    return decode_rows(source, allow_empty=allow_empty, max_size=max_size).answer_set()


def decode_rows(
    source: str | Mapping[str, str | Sequence[str]],
    *,
    allow_empty: bool = False,
    max_size: int | None = None,
) -> RowSet:
    """Read the prompt answers of a Web URL as :func:`decode` does, into rows: a
    :class:`~mstr_prompts.rows.RowSet`, whose plain answers are not models yet.

    Every encoder takes the rows in place of the set and writes the same text;
    ``decode_rows(source).answer_set() == decode(source)``.  Errors are those of
    :func:`decode`.  (Value and object answers, matched by position, are models.)

    >>> decode_rows("promptsAnswerXML=<rsl><pa pt='5' pin='0' "
    ...             "did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>2015</pa></rsl>").items[0][2]
    '2015'
    """
    limit = limits.current(max_size)
    if isinstance(source, str):
        limits.check(source, where="url", limit=limit)
    elif isinstance(source, Mapping):
        size = _size(source)
        if size > limit:
            raise InputTooLarge(size, limit, where="url")
    if max_size is None:
        return _decode(source, allow_empty)
    with limits.allowing(max_size):
        return _decode(source, allow_empty)


def _decode(source: str | Mapping[str, str | Sequence[str]], allow_empty: bool) -> RowSet:
    try:
        if isinstance(source, str):
            pairs = split_query(source, answers_only=True)
            if not pairs:
                inner = percent_encoded_link(source)
                if inner is not None:
                    pairs = split_query(inner, answers_only=True)
            elif "rompt" in source:  # cheap: a near miss of an answer name has "rompt"
                near = _near_miss(_loose_names(source))
                if near is not None:
                    # Reading the others would drop this one's answers without a word.
                    raise DecodeError(
                        f"{near[0]!r} is not a parameter the server reads, so its answers "
                        "would be lost",
                        where="url",
                        hint=f"did you mean {near[1]}?",
                    )
        elif isinstance(source, Mapping):
            pairs = _pairs_of_mapping(source)
        else:
            raise DecodeError(
                f"expected a URL, a query string or a mapping, not {type(source).__name__}",
                where="url",
            )
        params = _answer_params(pairs)
        if not params and not allow_empty:
            raise _no_answers(source)
        answers: list[Answer | _Row] = []
        packed: str | None = None  # a valuePromptAnswers text whose rows are packed
        if VALUE_PARAM in params:
            text = params[VALUE_PARAM]
            _check_slots(text, VALUE_PARAM)
            if _FAST and _PACK and PackedRows.packable(text):
                # Every slot a plain value or open: the rows _decode_values would make, packed
                # (a row per answer is 20 to 30 times a few bytes of input).
                packed = text
            else:
                answers += _decode_values(text, _FAST)
        if ELEMENTS_PARAM in params:
            # A mapping's strings may hold lone surrogates, which only the models refuse.
            fast = _FAST and isinstance(source, str)
            answers += _decode_elements(params[ELEMENTS_PARAM], fast)
        if OBJECTS_PARAM in params:
            answers += _decode_objects(params[OBJECTS_PARAM], _FAST)
        mode = _decode_mode(params[MODE_PARAM]) if MODE_PARAM in params else None
        locale = None
        if XML_PARAM in params:
            from_xml = _decode_xml(params[XML_PARAM])
            answers += from_xml.items
            locale = from_xml.locale
            mode = mode if mode is not None else from_xml.mode
        items: Sequence[Answer | _Row] = tuple(answers)
        if packed is not None and any(
            type(item) is tuple and item[0] == CLOSE_ATTRIBUTE_ROW for item in items
        ):
            # A writers' row is not packed (PackedRows): the values as their own rows.
            items = (*_decode_values(packed, _FAST), *items)
        elif packed is not None:
            items = PackedRows(packed, items, trusted=TRUSTED)
        rows = RowSet(
            items,
            mode=mode,
            locale=locale,
            expression_rows=any(
                type(item) is tuple and item[0] == CLOSE_ATTRIBUTE_ROW for item in items
            ),
            trusted=TRUSTED,
        )
        if not all(type(item) is tuple for item in answers):
            rows.answer_set()  # answers that are models already: the set checks them now
        return rows
    except ValidationError as exc:  # a model invariant the grammar above did not catch
        raise DecodeError(f"invalid answer: {validation_message(exc)}", where="url") from None


# ---------------------------------------------------------------------------- encoding

_FALLBACK = Option("fallback", "xml")
_CLOSE_ALL = Option(
    "mode", 2, api="mode=AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER", flag="link --mode 2"
)
_SOME_KEY = "00000000000000000000000000000000@0@10"


def _fallback_hint(answer: Answer | _Row) -> Hint | None:
    """Suggest ``fallback='xml'`` only when promptsAnswerXML could carry the answer (a
    model, or a value or object row whose prompt is a key or a :class:`Ref`)."""
    from . import xml as xml_codec  # imported late: xml is an optional peer for url

    probe: Answers
    if isinstance(answer, tuple) and answer[0] == VALUES_ROW:
        return None  # prompt-answer XML carries one value per value prompt (xml refuses more)
    if isinstance(answer, tuple):
        # A row is probed as a row (every encoder writes a row as its model, errors
        # included), so naming the prompt in an error builds no model.
        key = _row_key(answer)
        prompt = answer[1]
        if key is None:
            prompt = Ref.of(_SOME_KEY, prompt.id, prompt.name, prompt.position)
        probe = RowSet(((answer[0], prompt, *answer[2:]),), trusted=TRUSTED)
    else:
        from .model import AnswerSet

        key = answer.prompt.key
        keyed = answer
        if key is None:
            keyed = answer.model_copy(
                update={"prompt": answer.prompt.model_copy(update={"key": _SOME_KEY})}
            )
        probe = AnswerSet.of((keyed,))
    try:
        with warnings.catch_warnings():  # a probe: its warnings are not the caller's
            warnings.simplefilter("ignore")
            xml_codec.encode(probe)
    except PromptAnswerError:
        return None
    if key is None:
        # Only a Python caller can add a key; a URL or CLI user has none to give.
        return Hint(
            "give the answer a prompt key and encode with {0} to send it in promptsAnswerXML",
            _FALLBACK,
            cli=False,
        )
    return Hint("encode with {0} to send it in promptsAnswerXML", _FALLBACK)


_DEFAULT: Hint = Hint("")


def _refuse(
    answer: Answer | _Row, reason: str, hint: str | None = _DEFAULT
) -> NotRepresentableError:
    if hint is _DEFAULT:
        hint = _fallback_hint(answer)
    prompt = describe_row(answer) if isinstance(answer, tuple) else answer.describe()
    return NotRepresentableError(reason, prompt=prompt, target="url", hint=hint)


def _row_key(row: _Row) -> str | None:
    """The prompt key of a value or object row whose prompt is a key or a :class:`Ref`."""
    prompt = row[1]
    return prompt if type(prompt) is str else prompt.key


_CHAR_CLASSES: dict[str, re.Pattern[str]] = {}


def _forbidden(text: str, chars: str) -> str | None:
    """The first character of ``text`` that is one of ``chars``, if any."""
    pattern = _CHAR_CLASSES.get(chars)
    if pattern is None:
        pattern = _CHAR_CLASSES[chars] = re.compile(f"[{re.escape(chars)}]")
    found = pattern.search(text)
    return None if found is None else found.group()


def _check_value(answer: ValueAnswer) -> NotRepresentableError | None:
    if isinstance(answer.value, tuple):
        return _refuse(
            answer,
            f"{len(answer.value)} values for one prompt; valuePromptAnswers has one per slot",
        )
    bad = _forbidden(answer.value, SLOT_SEP)
    if bad is not None:
        return _refuse(
            answer,
            f"the value contains {_show(bad)}, the slot separator of valuePromptAnswers; "
            "the URL API has no escape for it",
        )
    return None


def _check_object(answer: ObjectAnswer) -> NotRepresentableError | None:
    for ref in answer.untyped[:1]:
        # objectsPromptAnswers writes ID~type~name; no guess may stand in for the type.
        return untyped_object_refusal(answer.describe(), ref.id, "url")
    for ref in answer.objects:
        for label, text in (("ID", ref.id), ("name", ref.name)):
            if text is None:
                continue
            if text == "" and label == "name":
                return _refuse(
                    answer,
                    f"object {ref.id!r} has an empty name, which objectsPromptAnswers cannot "
                    "tell apart from no name",
                    hint=Hint("use name=None", cli=False),
                )
            bad = _forbidden(text, FIELD_SEP + SLOT_SEP + OBJECT_SEP)
            if bad is not None:
                return _refuse(
                    answer,
                    f"object {label} {text!r} contains {_show(bad)}, a separator of "
                    "objectsPromptAnswers with no escape",
                )
    return None


def _element_text(answer: Answer, element: Element) -> str | NotRepresentableError:
    """``ATTR:key[^Display]`` for one element, or the reason it cannot be written."""
    if element.id is None:
        return _refuse(answer, f"element {element.name!r} has a name but no ID; the URL needs IDs")
    if element.id.kind == "opaque":  # by kind: once per element, with no import
        return _refuse(
            answer,
            f"element ID {element.id.text!r} has an undocumented structure and no old short "
            "form ATTR:key",
        )
    for key in element.id.keys:
        bad = _forbidden(key, PROMPT_SEP + ELEMENT_SEP + DISPLAY_SEP)
        if bad is not None:
            return _refuse(
                answer,
                f"element key {key!r} contains {_show(bad)}, a separator of "
                "elementsPromptAnswers with no escape",
            )
    text = element.id.to_old_short()
    if element.name is not None:
        if element.name == "":
            return _refuse(
                answer,
                f"element {text!r} has an empty display name, which elementsPromptAnswers "
                "cannot tell apart from no name",
                hint=Hint("use name=None", cli=False),
            )
        bad = _forbidden(element.name, PROMPT_SEP + ELEMENT_SEP + DISPLAY_SEP)
        if bad is not None:
            return _refuse(
                answer,
                f"display name {element.name!r} contains {_show(bad)}, a separator of "
                "elementsPromptAnswers with no escape",
            )
    return _spell_element(text, element.name)


def _spell_element(id_text: str, name: str | None) -> str:
    """``ATTR:key[^Display]``."""
    return id_text if name is None else id_text + DISPLAY_SEP + name


_ELEMENT_SEPARATORS = PROMPT_SEP + ELEMENT_SEP + DISPLAY_SEP


def _row_text(row: _Row) -> str | None:
    """The text of a decoder's element row, as :func:`_element_answer_text` writes it.

    None when a key or name holds a separator or a name is empty: the row's answer
    then takes the checked path, which says why it cannot be written.
    """
    attribute, keys, names = row[2], row[3], row[4]
    if (
        "" in names
        or _forbidden("".join(keys), _ELEMENT_SEPARATORS) is not None
        or _forbidden("".join(n for n in names if n), _ELEMENT_SEPARATORS) is not None
    ):
        return None
    parts = [attribute]
    parts += [
        _spell_element(plain_old_short(attribute, k), n) for k, n in zip(keys, names, strict=True)
    ]
    return ELEMENT_SEP.join(parts)


def _element_answer_text(answer: ElementAnswer | Close) -> str | NotRepresentableError:
    from .elements import ElementList
    from .model import ElementAnswer

    attribute = answer.attribute
    if attribute is None:
        return _refuse(
            answer,
            "an element answer without its attribute; elementsPromptAnswers matches prompts "
            "by attribute",
        )
    if not _GUID.fullmatch(attribute):
        return _refuse(answer, f"attribute {attribute!r} is not a 32-hex-digit GUID")
    if isinstance(answer, ElementAnswer):
        listed = answer.elements
        if type(listed) is ElementList and listed.attribute == attribute:
            # Plain elements held as their parts: written as a decoder's row is, without
            # building each element to read it back (None: the checked path says why not).
            written = _row_text((ELEMENTS_ROW, answer.prompt, attribute, listed.keys, listed.names))
            if written is not None:
                return written
    parts = [attribute]
    if isinstance(answer, ElementAnswer):
        for element in answer.elements:
            text = _element_text(answer, element)
            if isinstance(text, NotRepresentableError):
                return text
            parts.append(text)
    else:
        parts.append("")  # "ATTR;" closes the prompt (fixtures/url/D3.txt)
    return ELEMENT_SEP.join(parts)


class _Plan:
    """Which answers go into which parameter, or why one cannot go anywhere."""

    def __init__(self) -> None:
        # Answers, or value and object rows that fit (numbered by their order).
        self.values: dict[int, Answer | _Row] = {}
        self.elements: list[str] = []
        self.objects: dict[int, Answer | _Row] = {}
        self.xml: list[Answer | _Row] = []  # answers, and expression rows


def _needs_xml(
    answers: Sequence[Answer | _Row], problems: dict[int, NotRepresentableError], fallback: str
) -> list[Answer | _Row]:
    """Send ``answers`` to promptsAnswerXML, or raise the first problem if we may not
    (worded from a row as from its model: ``_refuse``, ``describe_row``)."""
    first = next(iter(problems.values()))
    if fallback != "xml":
        raise first
    for index, answer in enumerate(answers):
        key = _row_key(answer) if isinstance(answer, tuple) else answer.prompt.key
        if key is None:
            problem = problems.get(index)
            if problem is None:
                raise _refuse(
                    answer,
                    f"it would have to move to promptsAnswerXML with the rest of its family "
                    f"(because of: {first.message}) and it has no prompt key",
                    hint=Hint("give every answer of the family a prompt key", cli=False),
                )
            raise NotRepresentableError(
                f"{problem.message}; promptsAnswerXML needs a prompt key, and it has none",
                prompt=describe_row(answer) if isinstance(answer, tuple) else answer.describe(),
                target="url",
                hint=Hint("give the answer its prompt key (did@pin@tp)", cli=False),
            )
    return list(answers)


_BIND = Option("definitions", metavar="FILE", api="mstr_prompts.definitions.bind")


def _position_hint(answer: Answer | _Row) -> Hint:
    # The binding, safe option first: the definitions give each answer its position;
    # assume_order only numbers them in the order given, which can misplace values.
    order = "bind the answers to their prompt definitions ({0}), which gives each its position"
    order += ", or encode with {1} if the answers are in prompt order"
    key = _row_key(answer) if isinstance(answer, tuple) else answer.prompt.key
    if _fallback_hint(answer) is not None and key is not None:
        return Hint(
            order + ", or with {2} to send them in promptsAnswerXML", _BIND, _ORDER, _FALLBACK
        )
    return Hint(order, _BIND, _ORDER)


_ORDER = Option("assume_order")


def _describe_item(item: Answer | _Row) -> str:
    return describe_row(item) if isinstance(item, tuple) else item.describe()


def _plan_positional(
    family: Sequence[Answer | _Row], assume_order: bool, check: dict[int, NotRepresentableError]
) -> dict[int, Answer | _Row]:
    """Positions for one positional family; problems go into ``check`` by index.

    The family is of models, or of value and object rows (prompts as keys or
    :class:`Ref`, every one :func:`_row_fits`) whose problems are worded from the rows
    exactly as from their models, so a refused row builds no model."""
    slots: dict[int, Answer | _Row] = {}
    for index, answer in enumerate(family):
        position = _position_of(answer) if isinstance(answer, tuple) else answer.prompt.position
        if position is None and assume_order:
            position = index + 1
            if position > MAX_POSITION:
                check.setdefault(
                    index,
                    _refuse(
                        answer,
                        f"it would be prompt #{position} of its family; a URL addresses at "
                        f"most {MAX_POSITION}",
                        hint=None,
                    ),
                )
                continue
        if position is None:
            check.setdefault(
                index,
                _refuse(
                    answer,
                    "no position and none can be derived; value and object answers are "
                    "matched by their place among the prompts of their family",
                    hint=_position_hint(answer),
                ),
            )
            continue
        if position in slots:
            check.setdefault(
                index,
                _refuse(
                    answer,
                    f"position {position} is claimed by two answers: "
                    f"{_describe_item(slots[position])} and this one",
                ),
            )
            continue
        slots[position] = answer
    return slots


def _plan(answers: Answers, fallback: str, assume_order: bool) -> _Plan:
    plan = _Plan()
    values: list[Answer | _Row] = []
    objects: list[Answer | _Row] = []
    # Where each value or object row stands in the input (see below).
    row_positions: dict[int, int] = {}
    elements: list[ElementAnswer | Close | _Row] = []
    open_elements: list[Unanswered] = []  # an empty elementsPromptAnswers
    # Where each answer stands in the input, by the identity of the object planned, so the
    # XML part can keep the input's order (models built from rows are new objects).
    position: dict[int, int] = {}
    element_positions: list[int] = []
    # Several values are rows here too (row_kinds.VALUES_ROW): refused, from the row; an
    # expression row goes to promptsAnswerXML as a row, or is refused from the row.
    rows = pending_rows(answers, expression_rows=True)
    for where, item in enumerate(answers if rows is None else rows):
        if type(item) is tuple and item[0] in (ELEMENTS_ROW, CLOSE_ATTRIBUTE_ROW):
            elements.append(item)  # read directly below
            element_positions.append(where)
            continue
        if type(item) is tuple and item[0] == EXPRESSION_ROW:
            # No URL parameter carries it: promptsAnswerXML, which writes the row itself,
            # or the refusal _unsupported words for its model, from the row.
            refusal = _refuse(item, _NO_EXPRESSIONS)
            position[id(item)] = where
            plan.xml += _needs_xml([item], {0: refusal}, fallback)
            continue
        if type(item) is tuple and item[0] == CLOSE_ROW:
            # A close without its attribute has no URL parameter either: as an expression
            # row, to promptsAnswerXML as a row, or refused from the row.
            refusal = _close_refusal(item, item[2], _row_key(item))
            position[id(item)] = where
            plan.xml += _needs_xml([item], {0: refusal}, fallback)
            continue
        family_of_row = _positional_family(item) if type(item) is tuple else None
        if family_of_row is not None:
            # Numbered by their place or their order: a family of rows that all fit is
            # written directly (or, when one has no place or two claim one, refused from
            # the rows); any other becomes its models below.
            (values if family_of_row is PromptFamily.VALUE else objects).append(item)
            row_positions[id(item)] = where
            continue
        # Only answers other than element rows need the models (every use below is of
        # such an answer): element rows are written without them.
        from .model import Close, ElementAnswer, ObjectAnswer, Unanswered, ValueAnswer, answer_of

        answer = answer_of(item)
        position[id(answer)] = where
        if isinstance(answer, ValueAnswer) or (
            isinstance(answer, Unanswered) and answer.family is PromptFamily.VALUE
        ):
            values.append(answer)
        elif isinstance(answer, ObjectAnswer) or (
            isinstance(answer, Unanswered) and answer.family is PromptFamily.OBJECTS
        ):
            objects.append(answer)
        elif isinstance(answer, ElementAnswer) or (
            isinstance(answer, Close)
            and answer.family is PromptFamily.ELEMENTS
            and answer.attribute is not None
        ):
            elements.append(answer)
            element_positions.append(where)
        elif isinstance(answer, Unanswered) and answer.family is PromptFamily.ELEMENTS:
            open_elements.append(answer)
        else:
            _needs_xml([answer], {0: _unsupported(answer)}, fallback)
            plan.xml.append(answer)

    # Positional families: all or nothing, so no slot shifts (docs/url.md, "Positional matching").
    for family, target in ((values, plan.values), (objects, plan.objects)):
        if not family:
            continue
        if len(family) <= MAX_POSITION and all(type(a) is tuple and _row_fits(a) for a in family):
            row_slots = _row_slots(family, assume_order)
            if row_slots is not None:
                target.update(row_slots)
                continue
        if (
            fallback != "xml"
            and len(family) <= MAX_POSITION
            and all(type(a) is tuple and _row_checkable(a) for a in family)
        ):
            # Refused (the rows above were not all placed and written): the first problem,
            # worded from the rows as from their models, which are not built.
            row_problems: dict[int, NotRepresentableError] = {}
            for index, row in enumerate(family):
                refused = _check_value_row(row)  # type: ignore[arg-type]
                if refused is not None:
                    row_problems[index] = refused
            _plan_positional(family, assume_order, row_problems)
            raise row_problems[min(row_problems)]
        from .model import ObjectAnswer, ValueAnswer

        planned = _models(family, row_positions, position)
        problems: dict[int, NotRepresentableError] = {}
        for index, answer in enumerate(planned):
            problem: NotRepresentableError | None = None
            if isinstance(answer, ValueAnswer):
                problem = _check_value(answer)
            elif isinstance(answer, ObjectAnswer):
                problem = _check_object(answer)
            if problem is not None:
                problems[index] = problem
        slots = _plan_positional(planned, assume_order, problems)
        if problems:
            plan.xml += _needs_xml(planned, dict(sorted(problems.items())), fallback)
        else:
            target.update(slots)

    # Element answers: matched by attribute, so each attribute stands alone.  A row
    # whose text can be written directly is; any other becomes its model first.
    texts: list[str | NotRepresentableError] = []
    attributes: list[str | None] = []
    for index, item in enumerate(elements):
        if type(item) is tuple and item[0] == CLOSE_ATTRIBUTE_ROW:
            # "ATTR;" closes the prompt (fixtures/url/D3.txt); the row's attribute is a GUID
            texts.append(item[2] + ELEMENT_SEP)
            attributes.append(item[2])
            continue
        written = _row_text(item) if type(item) is tuple else None
        if written is not None:
            texts.append(written)
            attributes.append(item[2])  # type: ignore[index]
            continue
        answer = elements[index] = _element_model(item)
        texts.append(_element_answer_text(answer))
        attributes.append(answer.attribute)
    groups: dict[str, list[int]] = {}
    for index, attribute in enumerate(attributes):
        if attribute is not None:
            groups.setdefault(attribute.upper(), []).append(index)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        models = {i: _element_model(elements[i]) for i in indexes}
        if len(set(models.values())) > 1:
            for i in indexes:
                if not isinstance(texts[i], NotRepresentableError):
                    texts[i] = _refuse(
                        models[i],
                        f"{len(indexes)} different answers for attribute "
                        f"{models[i].attribute}; elementsPromptAnswers matches prompts by "
                        "attribute, so only one answer per attribute can be sent",
                    )
    for index, text in enumerate(texts):
        if isinstance(text, NotRepresentableError):
            model = _element_model(elements[index])
            position[id(model)] = element_positions[index]
            plan.xml += _needs_xml([model], {0: text}, fallback)
        else:
            plan.elements.append(text)
    if open_elements:
        if len(open_elements) > 1 or elements:
            first = open_elements[0]
            raise _refuse(
                first,
                "an open elements slot is written as an empty elementsPromptAnswers, so it "
                "can only stand alone; beside other element answers (or another open slot) "
                "it would be lost",
                hint=None,
            )
        plan.elements.append("")
    # The XML part keeps the answers' own order (families were planned one at a time), so
    # XML -> URL -> XML gives back the same sequence.
    plan.xml.sort(key=lambda answer: position[id(answer)])
    return plan


def _models(
    family: list[Answer | _Row], row_positions: dict[int, int], position: dict[int, int]
) -> list[Answer]:
    """The family as models (rows built), each built one placed where its row stood."""
    from .model import answer_of

    models = []
    for item in family:
        model = answer_of(item)
        if model is not item:
            position[id(model)] = row_positions[id(item)]
        models.append(model)
    return models


def _element_model(item: ElementAnswer | Close | _Row) -> ElementAnswer | Close:
    from .model import Close, ElementAnswer, answer_of

    answer = answer_of(item)
    assert isinstance(answer, (ElementAnswer, Close))
    return answer


def _close_refusal(
    answer: Answer | _Row, family: PromptFamily | None, key: str | None
) -> NotRepresentableError:
    """Why a Close (or its row, worded the same) has no URL parameter."""
    if family is PromptFamily.ELEMENTS:
        return _refuse(answer, "a closed element prompt needs its attribute (ATTR;)")
    return _refuse(
        answer,
        "the URL parameters cannot close one prompt; an empty positional slot means "
        "'ask the user', not 'close'",
        hint=_close_hint(key),
    )


def _close_hint(key: str | None) -> Hint:
    # promptAnswerMode=2 closes all optional prompts: the answer set's mode, which only a
    # Python caller or `link --mode 2` can give (convert has no option for it).
    mode = "leave the prompt out and close all optional prompts with promptAnswerMode 2 ({0})"
    if key is None:
        return Hint(mode, _CLOSE_ALL)
    return Hint(mode + ", or send it in promptsAnswerXML with {1}", _CLOSE_ALL, _FALLBACK)


def _unsupported(answer: Answer) -> NotRepresentableError:
    from .model import Close, PlaceholderAnswer, Unanswered

    if isinstance(answer, PlaceholderAnswer):
        return placeholder_refusal(answer.describe(), "url")
    if isinstance(answer, Close):
        return _close_refusal(answer, answer.family, answer.prompt.key)
    if answer.kind == "use_default":
        return _refuse(
            answer,
            "the URL parameters cannot ask for one prompt's default answer; only "
            "promptAnswerMode=1 does that, for all prompts",
        )
    if isinstance(answer, Unanswered):
        return _refuse(
            answer,
            f"the URL parameters have no slot for an unanswered {answer.family.value} prompt; "
            "leave it out (prompts the URL does not answer are asked)",
            hint=None,
        )
    if answer.kind == "expression":
        return _refuse(answer, _NO_EXPRESSIONS)
    return _refuse(
        answer,
        f"the URL parameters have no {answer.kind} answers; only promptsAnswerXML carries them",
    )


_NO_EXPRESSIONS = (
    "the URL parameters have no expression answers; only promptsAnswerXML carries them"
)


def _slots(slots: dict[int, Answer | _Row], render: dict[int, str]) -> str:
    return SLOT_SEP.join(render.get(p, "") for p in range(1, max(slots) + 1))


def _object_text(answer: ObjectAnswer) -> str:
    return _objects_text([(ref.id, ref.type, ref.name) for ref in answer.objects])


def _objects_text(objects: Sequence[tuple[str, int | None, str | None]]) -> str:
    return OBJECT_SEP.join(
        FIELD_SEP.join([object_id, str(number)] + ([name] if name is not None else []))
        for object_id, number, name in objects
    )


_OBJECT_SEPARATORS = FIELD_SEP + SLOT_SEP + OBJECT_SEP


def _positional_family(row: _Row) -> PromptFamily | None:
    """VALUE or OBJECTS for a row of a positional family (an answer or an open slot)."""
    kind = row[0]
    if kind in (VALUE_ROW, VALUES_ROW):
        return PromptFamily.VALUE
    if kind == OBJECTS_ROW:
        return PromptFamily.OBJECTS
    if kind == UNANSWERED_ROW and row[2] in (PromptFamily.VALUE, PromptFamily.OBJECTS):
        return row[2]  # type: ignore[no-any-return]
    return None


def _position_of(row: _Row) -> int | None:
    """The position a value or object row's prompt carries (a Ref or PromptRef), if any."""
    prompt = row[1]
    return None if type(prompt) is str else prompt.position


def _row_slots(family: list[Answer | _Row], assume_order: bool) -> dict[int, Answer | _Row] | None:
    """The slots of a family of rows, as :func:`_plan_positional` places their answers
    (each at its prompt's position, or numbered by its order with ``assume_order``); None
    when one has no place or two claim one: the models' path then says why."""
    slots: dict[int, Answer | _Row] = {}
    for index, row in enumerate(family):
        position = _position_of(row)  # type: ignore[arg-type]
        if position is None:
            if not assume_order:
                return None
            position = index + 1
        if position in slots:
            return None
        slots[position] = row
    return slots


def _row_checkable(row: _Row) -> bool:
    """True when the problems of a value or object row are worded from the row itself
    (:func:`_check_value_row`, :func:`_plan_positional`): its prompt is a key or a
    :class:`Ref` (a hand-built set may give a PromptRef, which only its model's path
    words), and it fits or is a value that :func:`_check_value_row` refuses."""
    return type(row[1]) in (str, Ref) and (row[0] in (VALUE_ROW, VALUES_ROW) or _row_fits(row))


def _check_value_row(row: _Row) -> NotRepresentableError | None:
    """:func:`_check_value` of a value row (one text or several), without its model; None
    for any other row (which :func:`_row_checkable` lets through only when it fits)."""
    if row[0] == VALUES_ROW:
        return _refuse(
            row, f"{len(row[2])} values for one prompt; valuePromptAnswers has one per slot"
        )
    if row[0] == VALUE_ROW:
        bad = _forbidden(row[2], SLOT_SEP)
        if bad is not None:
            return _refuse(
                row,
                f"the value contains {_show(bad)}, the slot separator of valuePromptAnswers; "
                "the URL API has no escape for it",
            )
    return None


def _row_fits(row: _Row) -> bool:
    """True when a value or object row keyed by its prompt is written as its answer
    would be, with nothing for :func:`_check_value` or :func:`_check_object` to refuse."""
    if row[0] == UNANSWERED_ROW:
        return True  # an empty slot
    if row[0] == VALUE_ROW:
        return _forbidden(row[2], SLOT_SEP) is None
    if row[0] == VALUES_ROW:
        return False  # several values: refused (_check_value_row)
    return all(
        number is not None
        and _forbidden(object_id, _OBJECT_SEPARATORS) is None
        and (name is None or (name != "" and _forbidden(name, _OBJECT_SEPARATORS) is None))
        for object_id, number, name in row[2]
    )


def encode(
    answers: Answers,
    *,
    fallback: Literal["error", "xml"] = "error",
    assume_order: bool = False,
    ignore_locale: bool = False,
) -> dict[str, str]:
    """Write ``answers`` as URL API parameters: decoded values, in canonical order.

    Keys, when present: valuePromptAnswers, elementsPromptAnswers, objectsPromptAnswers,
    promptsAnswerXML, promptAnswerMode.  Raises
    :class:`~mstr_prompts.errors.NotRepresentableError` for any answer the parameters
    cannot carry; with ``fallback="xml"`` such answers go to promptsAnswerXML instead when
    they have a prompt key (a positional family moves as a whole).  ``assume_order=True``
    numbers value/object answers without a position by their order in the set.
    ``ignore_locale=True`` drops the set's locale where no XML part carries it.

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> encode(AnswerSet(answers=[ValueAnswer(value="30", prompt=PromptRef(position=1)),
    ...                           ValueAnswer(value="25354", prompt=PromptRef(position=3))]))
    {'valuePromptAnswers': '30^^25354'}
    >>> encode(AnswerSet(answers=[ValueAnswer(value="a^b", prompt=PromptRef(position=1))]))
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.NotRepresentableError: url: value prompt #1: the value contains '^', the slot separator of valuePromptAnswers; the URL API has no escape for it (hint: give the answer a prompt key and encode with fallback='xml' to send it in promptsAnswerXML)
    """
    if fallback not in ("error", "xml"):
        raise PromptAnswerError(f"fallback must be 'error' or 'xml', not {str(fallback)[:40]!r}")
    if answers.rounds is not None:
        raise rounds_refusal("url", len(answers.rounds))
    plan = _plan(answers, fallback, assume_order)
    # As held (an expression row read as a row builds no model): a value of several
    # texts is a value answer too.
    rows = pending_rows(answers, expression_rows=True)
    has_values = any(
        (a[0] in (VALUE_ROW, VALUES_ROW) if type(a) is tuple else a.kind == VALUE_ROW)  # type: ignore[union-attr]
        for a in (answers if rows is None else rows)
    )
    if answers.locale is not None and has_values and not plan.xml and not ignore_locale:
        warnings.warn(
            LocaleWarning(
                f"url: the answers are in locale {answers.locale}, which the URL parameters "
                "cannot carry; the value texts are sent as they are and the server reads "
                "them in the session locale"
            ),
            stacklevel=2,
        )
    out: dict[str, str] = {}
    if plan.values:
        out[VALUE_PARAM] = _slots(
            plan.values,
            {
                p: a[2] if type(a) is tuple else a.values[0]  # type: ignore[union-attr]
                for p, a in plan.values.items()
                if (a[0] if type(a) is tuple else a.kind) == VALUE_ROW  # type: ignore[union-attr]
            },
        )
    if plan.elements:
        out[ELEMENTS_PARAM] = PROMPT_SEP.join(plan.elements)
    if plan.objects:
        out[OBJECTS_PARAM] = _slots(
            plan.objects,
            {
                p: _objects_text(a[2]) if type(a) is tuple else _object_text(a)  # type: ignore[arg-type]
                for p, a in plan.objects.items()
                if (a[0] if type(a) is tuple else a.kind) == OBJECTS_ROW  # type: ignore[union-attr]
            },
        )
    if plan.xml:
        from . import xml as xml_codec  # imported late: xml is an optional peer for url

        carried: Answers
        if any(type(item) is tuple for item in plan.xml):
            # Expression rows, which xml writes itself (no model built), among answers.
            carried = RowSet(
                tuple(plan.xml), locale=answers.locale, expression_rows=True, trusted=TRUSTED
            )
        else:
            from .model import AnswerSet

            carried = AnswerSet(answers=tuple(plan.xml), locale=answers.locale)
        out[XML_PARAM] = xml_codec.encode(carried)
    if answers.mode is not None:
        out[MODE_PARAM] = str(int(answers.mode))
    return out


def quote_param(name: str, value: str) -> str:
    """Percent-encode one parameter value the way :func:`encode_query` does.

    The separators of the answer grammar that are safe in a query (``, ; : ~``) stay
    literal; everything else outside RFC 3986 "unreserved" becomes ``%XX`` of its UTF-8
    bytes.  ``promptsAnswerXML`` is encoded completely.

    >>> quote_param("valuePromptAnswers", "30^Sam Hill^a+b")
    '30%5ESam%20Hill%5Ea%2Bb'
    """
    safe = "" if name == XML_PARAM else _GRAMMAR_SAFE
    problem = text_problem(value)
    if problem is not None:  # only text built around the model's validation gets here
        raise NotRepresentableError(
            f"the value is not valid text: {problem}", target=f"url: {name}"
        )
    return urllib.parse.quote(value, safe=safe)


NO_ANSWERS = (
    "there is no answer to write: the set is empty, and a query without "
    "prompt-answer parameters answers no prompt"
)
"""Why an empty set has no query of its own (:func:`encode_query` with ``refuse_empty``)."""


def encode_query(
    answers: Answers,
    *,
    fallback: Literal["error", "xml"] = "error",
    assume_order: bool = False,
    ignore_locale: bool = False,
    refuse_empty: bool = False,
) -> str:
    """Like :func:`encode`, but return the percent-encoded query string (no ``?``).

    An empty set gives an empty query, which a link without answers wants; with
    ``refuse_empty=True`` (a query that stands alone, which :func:`decode` would refuse
    as naming no prompt-answer parameter) it raises ``NotRepresentableError`` instead.

    >>> from mstr_prompts.model import AnswerSet, ObjectAnswer, ObjectRef, PromptRef
    >>> a = ObjectAnswer(objects=[ObjectRef(id="4C05177011D3E877C000B3B2D86C964F", type=4),
    ...                           ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F", type=4)],
    ...                  prompt=PromptRef(position=1))
    >>> encode_query(AnswerSet(answers=[a], mode=2))
    'objectsPromptAnswers=4C05177011D3E877C000B3B2D86C964F~4%1B4C051DB611D3E877C000B3B2D86C964F~4&promptAnswerMode=2'
    """
    params = encode(
        answers, fallback=fallback, assume_order=assume_order, ignore_locale=ignore_locale
    )
    if refuse_empty and not params:
        raise NotRepresentableError(NO_ANSWERS, target="url")
    return "&".join(f"{name}={quote_param(name, value)}" for name, value in params.items())
