"""REST JSON answer bodies: ``{"prompts": [...]}`` ⇄ :class:`~mstr_prompts.model.AnswerSet`.

This is the body of ``PUT /api/reports/{id}/instances/{iid}/prompts/answers`` and
``PUT /api/documents/{id}/instances/{iid}/prompts/answers`` (documented at
https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts).
Each item names its prompt by ``key``, ``id`` and/or ``name`` (the server tries them
in that order), gives its ``type``, and either ``useDefault: true`` or ``answers``.

:func:`decode` is tolerant where the published docs are inconsistent (§7): ``DIMENSION``
for ``LEVEL``, object types as numbers or names, JSON numbers for value answers,
definition fields inside answer items.  It is strict everywhere else, so that nothing
is dropped without a rule that says why.  :func:`encode` writes one canonical spelling.

>>> body = {"prompts": [{"key": "9BC4631D436CAA78D7A70AB2D0635D88@0@10",
...                      "type": "VALUE", "answers": "2015"}]}
>>> encode(decode(body)) == body
True
"""

from __future__ import annotations

import json
import math
import re
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NoReturn, cast

from pydantic import ValidationError

from . import limits, safexml
from ._trusted import TRUSTED
from .element_text import GUID_PATTERN, plain_keys, plain_terse_ids, terse
from .enums import PromptFamily
from .errors import (
    DecodeError,
    Hint,
    LocaleWarning,
    NotRepresentableError,
    Option,
    placeholder_refusal,
    rounds_refusal,
    validation_message,
)
from .expression_plain import canonical_answers
from .object_types import OBJECT_TYPE_NAMES, object_type_from_name, object_type_name
from .row_kinds import CLOSE_ATTRIBUTE_ROW, EXPRESSION_ROW, VALUES_ROW, WRITER_ROWS
from .rows import (
    CLOSE_ROW,
    ELEMENTS_ROW,
    OBJECTS_ROW,
    STATE_ROWS,
    UNANSWERED_ROW,
    USE_DEFAULT_ROW,
    VALUE_ROW,
    Ref,
    RowSet,
    describe_row,
    pending_rows,
)
from .rows import Row as _Row
from .rules import (
    MAX_OBJECT_TYPE,
    ascii_number,
    display_text,
    is_digits,
    is_text,
    refuse_to_write_repeated_keys,
)
from .vocabulary import identified_by, is_json_number, json_kind

# The models load on first use, in the functions that build or read them: decoding plain
# answers into rows and writing rows needs none (mstr_prompts.rows).
if TYPE_CHECKING:
    from .element_id import ElementId, OpaqueElementId
    from .model import (
        Answer,
        AnswerSet,
        Element,
        ObjectRef,
        PromptRef,
        ValueAnswer,
    )
    from .rows import Answers

__all__ = ["MAX_REST_CHARS", "PROMPT_TYPES", "TYPE_NAMES", "decode", "dumps", "encode"]

TARGET = "rest"

# https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts: the envelope key.  Before rest-api-docs commit abe8b210 one sample
# used "answers" here; that was a doc bug and the server never accepted it (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts).
ENVELOPE = "prompts"
"""The key of a REST body's answer list (public: :mod:`~mstr_prompts.schema` writes it)."""
_OLD_ENVELOPE = "answers"

PROMPT_TYPES: dict[str, PromptFamily] = {
    # answer-prompts (cited above): the doc tables' enum ...
    "VALUE": PromptFamily.VALUE,
    "ELEMENTS": PromptFamily.ELEMENTS,
    "OBJECTS": PromptFamily.OBJECTS,
    "EXPRESSION": PromptFamily.EXPRESSION,
    "LEVEL": PromptFamily.LEVEL,
    # ... and the Swagger model's name for LEVEL, accepted on input only [INFERRED].
    "DIMENSION": PromptFamily.LEVEL,
}
"""REST ``type`` (upper case) -> prompt family.  ``UNSUPPORTED`` is deliberately absent."""

TYPE_NAMES: dict[PromptFamily, str] = {
    PromptFamily.VALUE: "VALUE",
    PromptFamily.ELEMENTS: "ELEMENTS",
    PromptFamily.OBJECTS: "OBJECTS",
    PromptFamily.EXPRESSION: "EXPRESSION",
    PromptFamily.LEVEL: "LEVEL",
}
"""Prompt family -> the REST ``type`` written for it (``DIMENSION`` is read, never written)."""

# The documented keys inside one answer (answer-prompts, cited above).  Keys beyond these are
# refused rather than dropped: no doc sample has any, so a stray key is more likely a
# mistake than something the server reads.
ELEMENT_KEYS = frozenset({"id", "name"})  # §1.4
OBJECT_KEYS = frozenset({"id", "type", "name"})  # §1.5
EXPRESSION_KEYS = frozenset({"content", "expression", "xml"})  # §1.6
# (public: mstr_prompts.schema describes the same keys.)

_GUID = re.compile(GUID_PATTERN)

_TYPES_HINT = "type is one of VALUE, ELEMENTS, OBJECTS, EXPRESSION, LEVEL (any case)"


# --------------------------------------------------------------------------- decoding


class _JsonInt(int):
    """An integer read from JSON text, remembering how it was written."""

    text: str

    def __new__(cls, text: str) -> _JsonInt:
        number = super().__new__(cls, text)
        number.text = text
        return number


class _JsonFloat(float):
    """A non-integer number read from JSON text, remembering how it was written.

    A value answer keeps the digits the sender wrote (``1.50`` stays ``1.50``); inside
    expression and level trees it serialises as an ordinary float.
    """

    text: str

    def __new__(cls, text: str) -> _JsonFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number


class _NotJson(ValueError):
    """Raised from json.loads hooks; turned into a DecodeError by :func:`load_json`."""


def _reject_constant(name: str) -> NoReturn:
    raise _NotJson(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON leaves duplicate keys undefined and json.loads keeps the last one; refusing
    # them keeps a value from vanishing without a word.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotJson(f"duplicate key {key!r} in a JSON object")
        result[key] = value
    return result


def _plain(value: Any, path: str, source: str = "rest") -> Any:
    """Check that a caller's Python value is JSON, and copy it into dicts and lists."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DecodeError(f"{value!r} is not a JSON number", where=f"{source}: {path}")
        return value
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise DecodeError(
                    f"object key {key!r} is not a string", where=f"{source}: {path or 'body'}"
                )
            result[key] = _plain(item, f"{path}.{key}" if path else key, source)
        return result
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]", source) for i, item in enumerate(value)]
    raise DecodeError(
        f"{type(value).__name__} is not a JSON value", where=f"{source}: {path or 'body'}"
    )


MAX_REST_CHARS = limits.MAX_SIZE
"""The largest JSON text (characters, or bytes for bytes input) the decoders read by
default: :data:`mstr_prompts.limits.MAX_SIZE` (33,554,432), which ``max_size=`` raises.

Far above any real answer body, and a runaway input fails at once instead of exhausting
memory.
"""


def load_json(
    body: Mapping[str, Any] | list[Any] | tuple[Any, ...] | str | bytes | bytearray,
    *,
    source: str = "rest",
) -> Any:
    """Read JSON (a Python value, text or UTF-8 bytes) into plain JSON values.

    Numbers read from text remember how they were written, so a value answer keeps
    its digits.  Shared with :mod:`mstr_prompts.definitions`, whose input is the same
    JSON dialect; ``source`` names the reader in error messages.

    >>> load_json('[1.50]')[0].text
    '1.50'
    """
    if isinstance(body, (Mapping, list, tuple)):
        try:
            return _plain(body, "", source)
        except RecursionError:
            raise DecodeError(
                "the body is nested too deeply (or refers to itself)", where=source
            ) from None
    limits.check(body, where=source)
    if isinstance(body, (bytes, bytearray)):
        try:
            # utf-8-sig: a leading byte-order mark is tolerated, as many editors write one.
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the body is not UTF-8 (byte {exc.start}: {exc.reason})", where=source
            ) from None
    elif isinstance(body, str):
        text = body[1:] if body.startswith("\ufeff") else body
    else:
        raise DecodeError(
            f"expected a JSON object, text or bytes, not {type(body).__name__}", where=source
        )
    try:
        return json.loads(
            text,
            parse_int=_JsonInt,
            parse_float=_JsonFloat,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        looks_xml = text.lstrip()[:1] in ("<", "%") and "rsl" in text[:200].lower()
        raise DecodeError(
            f"not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            where=source,
            hint=Hint("read it as {0}", Option("from", "xml", api="mstr_prompts.xml.decode"))
            if looks_xml
            else None,
        ) from None
    except _NotJson as exc:
        raise DecodeError(str(exc), where=source) from None
    except ValueError:  # an integer beyond Python's digit limit (4300 by default)
        raise DecodeError(
            f"a JSON number has more than {sys.get_int_max_str_digits()} digits, far more "
            "than any prompt answer or definition holds",
            where=source,
        ) from None
    except RecursionError:
        raise DecodeError("the JSON is nested too deeply", where=source) from None


def _build(model: Callable[..., Any], where: str, path: str, **fields: Any) -> Any:
    """Construct ``model``, turning a ValidationError into a DecodeError at ``where``."""
    try:
        return model(**fields)
    except ValidationError as exc:
        prefix = f"{path}: " if path else ""
        raise DecodeError(prefix + validation_message(exc, locations=True), where=where) from None


def prompt_ref(item: Mapping[str, Any], where: str) -> PromptRef:
    """The prompt an item of REST JSON names by ``key``, ``id`` and ``name``.

    Shared with :mod:`~mstr_prompts.definitions`, whose JSON is REST's dialect.  A
    ``null`` identifier is not given; an empty key or id is refused.

    >>> prompt_ref({"key": "K@0@10", "name": None}, where="x")
    PromptRef(key='K@0@10', id=None, name=None, position=None)
    """
    from .model import PromptRef

    fields: dict[str, str] = {}
    for name in ("key", "id", "name"):
        value = item.get(name)
        # null is "not given": mstrio's answer_prompts helper copies key/id/name from
        # the definition with dict.get, so absent identifiers arrive as null.
        if value is None:
            continue
        if not isinstance(value, str):
            raise DecodeError(f"{name} must be a string, not {json_kind(value)}", where=where)
        if value == "" and name != "name":
            raise DecodeError(f"{name} is empty", where=where)
        fields[name] = value
    if all(is_text(value) for value in fields.values()):
        # Valid as PromptRef checks its fields (a key and an id non-empty, every text
        # valid): built directly, as model.prompt_of builds a row's, so that reading a
        # definition or an item builds no PromptRef schema.
        from ._trusted import build

        values: dict[str, str | None] = {"key": None, "id": None, "name": None}
        values.update(fields)
        return build(PromptRef, {**values, "position": None})
    ref: PromptRef = _build(PromptRef, where, "", **fields)
    return ref


def _family(item: Mapping[str, Any], where: str) -> PromptFamily:
    raw = item.get("type")
    if raw is None:
        raise DecodeError(
            "type is missing; REST needs it in every item, even with useDefault",
            where=where,
            hint=_TYPES_HINT,
        )
    if not isinstance(raw, str):
        raise DecodeError(
            f"type must be a string, not {json_kind(raw)}", where=where, hint=_TYPES_HINT
        )
    upper = raw.upper()
    if upper == "UNSUPPORTED":
        raise DecodeError(
            "type UNSUPPORTED is how the server labels prompts it cannot answer through "
            "REST; there is no answer here to convert",
            where=where,
        )
    family = PROMPT_TYPES.get(upper)
    if family is None:
        raise DecodeError(f"unknown prompt type {raw!r}", where=where, hint=_TYPES_HINT)
    return family


def _number_text(value: int | float, where: str, path: str) -> str:
    """The JSON text of a number: as written when read from text, else Python's JSON."""
    if isinstance(value, (_JsonInt, _JsonFloat)):
        return value.text
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError as exc:
        raise DecodeError(f"{path}: cannot write the number as text: {exc}", where=where) from None


def _is_empty(value: Any) -> bool:
    return isinstance(value, list) and not value


def _decode_value(ref: PromptRef, answers: Any, where: str) -> Answer:
    from .model import Close, ValueAnswer

    if answers is None or answers == "" or _is_empty(answers):
        return Close(prompt=ref, family=PromptFamily.VALUE)
    if isinstance(answers, str):
        value: str | tuple[str, ...] = answers
    elif is_json_number(answers):
        value = _number_text(answers, where, "answers")
    elif isinstance(answers, list):
        texts = []
        for i, item in enumerate(answers):
            if isinstance(item, str):
                texts.append(item)
            elif is_json_number(item):
                texts.append(_number_text(item, where, f"answers[{i}]"))
            else:
                raise DecodeError(
                    f"answers[{i}] of a VALUE prompt must be a string, not {json_kind(item)}",
                    where=where,
                )
        value = tuple(texts)
    else:
        hint = 'send booleans as text, e.g. "true"' if isinstance(answers, bool) else None
        raise DecodeError(
            f"answers of a VALUE prompt must be a string (or an array of strings), "
            f"not {json_kind(answers)}",
            where=where,
            hint=hint,
        )
    answer: ValueAnswer = _build(ValueAnswer, where, "answers", prompt=ref, value=value)
    return answer


def _check_keys(value: dict[str, Any], allowed: frozenset[str], path: str, where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise DecodeError(
            f"{path} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected only {', '.join(sorted(allowed))}",
            where=where,
        )


def _optional_str(value: dict[str, Any], key: str, path: str, where: str) -> str | None:
    text = value.get(key)
    if text is None or isinstance(text, str):
        return text
    raise DecodeError(f"{path}.{key} must be a string, not {json_kind(text)}", where=where)


def _decode_element(item: Any, path: str, where: str) -> Element:
    # Once per element: a module import costs a fifth of ``from … import`` (xml._located).
    import mstr_prompts.element_id as element_ids
    import mstr_prompts.model as model

    if not isinstance(item, dict):
        raise DecodeError(
            f'{path} must be an object {{"id", "name"}}, not {json_kind(item)}', where=where
        )
    _check_keys(item, ELEMENT_KEYS, path, where)
    text = _optional_str(item, "id", path, where)
    name = _optional_str(item, "name", path, where)
    if text is None and name is None:
        raise DecodeError(f"{path} has neither an id nor a name", where=where)
    element_id: ElementId | OpaqueElementId | None = None
    if text is not None:
        try:
            element_id = element_ids.parse_element_id(text)
        except DecodeError as exc:
            raise DecodeError(f"{path}.id: {exc.message}", where=where, hint=exc.hint) from None
    element: Element = _build(model.Element, where, path, id=element_id, name=name)
    return element


def _decode_elements(ref: PromptRef, answers: Any, where: str) -> Answer:
    from .model import Close, ElementAnswer

    if answers is None or _is_empty(answers):
        return Close(prompt=ref, family=PromptFamily.ELEMENTS)
    if not isinstance(answers, list):
        raise DecodeError(
            f'answers of an ELEMENTS prompt must be an array of {{"id", "name"}} objects, '
            f"not {json_kind(answers)}",
            where=where,
        )
    elements = [_decode_element(e, f"answers[{i}]", where) for i, e in enumerate(answers)]
    answer: ElementAnswer = _build(ElementAnswer, where, "answers", prompt=ref, elements=elements)
    return answer


def _object_type(raw: Any, path: str, where: str) -> int:
    hint = "give the EnumDSSXMLObjectTypes number or its REST name, e.g. 4 or 'metric'"
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        stripped = raw.strip()
        if is_digits(stripped):
            number = ascii_number(stripped, MAX_OBJECT_TYPE)
            if number is not None:
                return number
        else:
            number = object_type_from_name(raw)
            if number is not None:
                return number
        raise DecodeError(f"{path}.type: unknown object type {raw!r}", where=where, hint=hint)
    raise DecodeError(
        f"{path}.type must be a whole number or a type name, not {json_kind(raw)}",
        where=where,
        hint=hint,
    )


def _decode_object(item: Any, path: str, where: str) -> ObjectRef:
    from .model import ObjectRef

    if not isinstance(item, dict):
        raise DecodeError(
            f'{path} must be an object {{"id", "type", "name"}}, not {json_kind(item)}', where=where
        )
    _check_keys(item, OBJECT_KEYS, path, where)
    object_id = item.get("id")
    if not isinstance(object_id, str):
        got = "no id" if object_id is None else f"an id that is {json_kind(object_id)}"
        raise DecodeError(f"{path} has {got}; an object answer needs its GUID", where=where)
    raw = item.get("type")
    # No type (or null) is "not known": mstrio-py's documentation answers object prompts
    # with {"id", "name"} alone.  The model keeps it unknown rather than guessing one;
    # REST writes it back as it came, and formats that need it refuse (docs/rest.md).
    number = None if raw is None else _object_type(raw, path, where)
    name = _optional_str(item, "name", path, where)
    ref: ObjectRef = _build(ObjectRef, where, path, id=object_id, type=number, name=name)
    return ref


def _decode_objects(ref: PromptRef, answers: Any, where: str) -> Answer:
    from .model import Close, ObjectAnswer

    if answers is None or _is_empty(answers):
        return Close(prompt=ref, family=PromptFamily.OBJECTS)
    if isinstance(answers, dict):
        # Captured prompt definitions (fixtures/rest/) sometimes give one object instead of an
        # array, and a definition's answer is what clients send back.
        objects = [_decode_object(answers, "answers", where)]
    elif isinstance(answers, list):
        objects = [_decode_object(o, f"answers[{i}]", where) for i, o in enumerate(answers)]
    else:
        raise DecodeError(
            f'answers of an OBJECTS prompt must be an array of {{"id", "type"}} objects, '
            f"not {json_kind(answers)}",
            where=where,
        )
    answer: ObjectAnswer = _build(ObjectAnswer, where, "answers", prompt=ref, objects=objects)
    return answer


def _decode_expression(ref: PromptRef, answers: Any, where: str) -> Answer:
    from . import expression_json, expression_xml
    from .expression_xml import is_empty
    from .model import Close, ExpressionAnswer

    if answers is None:
        return Close(prompt=ref, family=PromptFamily.EXPRESSION)
    if not isinstance(answers, dict):
        raise DecodeError(
            'answers of an EXPRESSION prompt must be an object {"content", "expression", '
            f'"xml"}}, not {json_kind(answers)}',
            where=where,
        )
    _check_keys(answers, EXPRESSION_KEYS, "answers", where)
    content = _optional_str(answers, "content", "answers", where)
    xml_text = _optional_str(answers, "xml", "answers", where)
    expression = answers.get("expression")
    if expression is not None and not isinstance(expression, dict):
        raise DecodeError(
            f"answers.expression must be an object (a view-filter tree), not {json_kind(expression)}",
            where=where,
        )
    xml: str | None = None
    empty_xml = xml_text is None
    if xml_text is not None:
        root = safexml.parse(xml_text, where=f"{where}: answers.xml")
        if root.tag != "exp":
            raise DecodeError(
                f"answers.xml must be an <exp> element, not <{root.tag}>", where=where
            )
        xml = safexml.serialize(root)
        empty_xml = is_empty(root)  # the rule the XML decoder shares
    if expression is None and empty_xml:
        # Blank content is no content (REST's documented default is ""), as in the model.
        shown = display_text(content)
        if shown is not None and xml_text is not None:
            # An empty <exp> is there, so "needs xml" would be wrong: say what disagrees.
            raise DecodeError(
                f"answers.xml is an empty <exp>, which closes the prompt, but content "
                f"{shown[:40]!r} describes a qualification; the two disagree",
                where=where,
                hint="to close the prompt, drop content (or leave answers out); to answer it, "
                "give the qualification's <exp> XML or its expression tree",
            )
        if shown is not None:
            raise DecodeError(
                "content is informational only; the answer needs expression or xml",
                where=where,
                hint="to close the prompt, leave answers out; to answer it, add the "
                "expression tree or its <exp> XML",
            )
        # docs/rest.md "Inferred rules": an expression prompt is closed by leaving the
        # answer blank; an empty <exp/> says the same.
        return Close(prompt=ref, family=PromptFamily.EXPRESSION)
    # The codecs of the two expression forms make the answer (typed whenever it can be).
    answer: ExpressionAnswer
    if xml is not None:
        answer = _build(
            expression_xml.answer,
            where,
            "answers",
            exp=xml,
            prompt=ref,
            expression=expression,
            content=content,
        )
    else:
        answer = _build(
            expression_json.answer, where, "answers", tree=expression, prompt=ref, content=content
        )
    return answer


def _decode_level(ref: PromptRef, answers: Any, where: str) -> Answer:
    from .model import Close, LevelAnswer

    if answers is None:
        return Close(prompt=ref, family=PromptFamily.LEVEL)
    if not isinstance(answers, dict):
        raise DecodeError(
            'answers of a LEVEL prompt must be an object {"canContinue", "filterRest", '
            f'"units"}}, not {json_kind(answers)}',
            where=where,
        )
    answer: LevelAnswer = _build(LevelAnswer, where, "answers", prompt=ref, definition=answers)
    return answer


_DECODERS = {
    PromptFamily.VALUE: _decode_value,
    PromptFamily.ELEMENTS: _decode_elements,
    PromptFamily.OBJECTS: _decode_objects,
    PromptFamily.EXPRESSION: _decode_expression,
    PromptFamily.LEVEL: _decode_level,
}


def decode_answers(prompt: PromptRef, family: PromptFamily, answers: Any, *, where: str) -> Answer:
    """Read one ``answers`` value (already JSON, from :func:`load_json`) for a prompt.

    The definitions' ``answers`` and ``defaultAnswer`` have the same shapes as an answer
    body's, so :mod:`mstr_prompts.definitions` reads them with this.  An empty value
    is :class:`~mstr_prompts.model.Close`.

    >>> from mstr_prompts.model import PromptRef
    >>> decode_answers(PromptRef(key="K@0@10"), PromptFamily.VALUE, "Darren", where="x").value
    'Darren'
    """
    try:
        return _DECODERS[family](prompt, answers, where)
    except RecursionError:
        raise DecodeError("an answer is nested too deeply", where=where) from None


def _decode_item(item: Any, index: int) -> Answer:
    from .model import UseDefault

    where = f"rest: prompts[{index}]"
    if not isinstance(item, dict):
        raise DecodeError(f"a prompt answer must be an object, not {json_kind(item)}", where=where)
    ref = prompt_ref(item, where)
    if not ref.is_identified:
        raise DecodeError(
            "the item has no key, id or name, so the server cannot tell which prompt it answers",
            where=where,
            hint="add the prompt's key (preferred), id or name",
        )
    where = f"{where} ({identified_by(ref)})"
    family = _family(item, where)
    use_default = item.get("useDefault")
    if use_default is not None and not isinstance(use_default, bool):
        raise DecodeError(
            f"useDefault must be true or false, not {json_kind(use_default)}", where=where
        )
    if use_default:
        # The server ignores answers when useDefault is true (§1.1: "If this is set to
        # true, the values are ignored"), so they carry no meaning here either.
        return UseDefault(prompt=ref, family=family)
    answers = item.get("answers")
    if answers is None:
        _refuse_answers_near_miss(item, where)
    return _DECODERS[family](ref, answers, where)


# Spellings of "answers" the server does not read.  Unknown item fields are ignored (a
# definition's fields come back in bodies), but without "answers" the item closes its
# prompt: a misspelt "answers" would silently close the prompt it meant to answer.
_ANSWERS_NEAR_MISSES = frozenset({"answer", "answers", "value", "values", "answervalues"})


def _refuse_answers_near_miss(item: dict[str, Any], where: str) -> None:
    for name in item:
        if name != "answers" and "".join(filter(str.isalpha, name)).lower() in (
            _ANSWERS_NEAR_MISSES
        ):
            raise DecodeError(
                f'{name!r} is not a field the server reads, and without "answers" the '
                "item closes its prompt",
                where=where,
                hint=f'did you mean "answers"? (leave {name!r} out to close the prompt)',
            )


def decode(
    body: Mapping[str, Any] | str | bytes | bytearray, *, max_size: int | None = None
) -> AnswerSet:
    """Read a REST answer body (a dict, JSON text, or UTF-8 bytes) into an AnswerSet.

    Raises :class:`~mstr_prompts.errors.DecodeError` saying what is wrong and where;
    text over ``max_size`` characters (bytes for bytes; default
    :data:`mstr_prompts.limits.MAX_SIZE`, 33,554,432) is refused with
    :class:`~mstr_prompts.errors.InputTooLarge` before it is parsed.

    >>> s = decode('{"prompts": [{"name": "Elements of Country", "type": "elements",'
    ...            ' "answers": [{"name": "USA"}]}]}')
    >>> s[0].elements[0].name
    'USA'
    >>> decode('{"answers": []}')
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: rest: the body has no "prompts" list but has "answers" (hint: the envelope key is "prompts", as in https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts)
    """
    if not isinstance(body, (Mapping, str, bytes, bytearray)):
        raise DecodeError(
            f"expected a JSON object, text or bytes, not {type(body).__name__}", where="rest"
        )
    return decode_rows(body, max_size=max_size).answer_set()


def decode_rows(
    body: Mapping[str, Any] | str | bytes | bytearray, *, max_size: int | None = None
) -> RowSet:
    """Read a REST answer body as :func:`decode` does, into rows: a
    :class:`~mstr_prompts.rows.RowSet`, whose plain answers are not models yet.

    Every encoder takes the rows in place of the set and writes the same text;
    ``decode_rows(body).answer_set() == decode(body)``.  Errors are those of
    :func:`decode`.

    >>> decode_rows('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "2015"}]}').items
    (('value', 'K@0@10', '2015', None),)
    """
    if not isinstance(body, (Mapping, str, bytes, bytearray)):
        raise DecodeError(
            f"expected a JSON object, text or bytes, not {type(body).__name__}", where="rest"
        )
    limits.check(body, where="rest", limit=max_size)
    if max_size is None:
        return _decode(body)
    with limits.allowing(max_size):
        return _decode(body)


def _decode(body: Mapping[str, Any] | str | bytes | bytearray) -> RowSet:
    document = load_json(body)
    if not isinstance(document, dict):
        raise DecodeError(
            f'the body must be an object {{"prompts": [...]}}, not {json_kind(document)}',
            where="rest",
        )
    if ENVELOPE not in document:
        if _OLD_ENVELOPE in document:
            raise DecodeError(
                'the body has no "prompts" list but has "answers"',
                where="rest",
                hint='the envelope key is "prompts", as in https://microstrategy.github.io/'
                "rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts",
            )
        raise DecodeError('the body has no "prompts" list', where="rest")
    _check_keys(document, frozenset({ENVELOPE}), "the body", "rest")
    prompts = document[ENVELOPE]
    if not isinstance(prompts, list):
        raise DecodeError(f'"prompts" must be an array, not {json_kind(prompts)}', where="rest")
    fast = _FAST and not isinstance(body, Mapping) and _plain_text(_document_text(body))
    items: list[Answer | _Row] = []
    append = items.append
    try:
        for index, item in enumerate(prompts):
            row = _plain_item(item) if fast else None
            append(_decode_item(item, index) if row is None else row)
    except RecursionError:
        raise DecodeError("an answer is nested too deeply", where="rest") from None
    rows = RowSet(
        tuple(items),
        trusted=TRUSTED,
        # A value of several texts is a row only REST's and Library's writers read.
        expression_rows=any(type(item) is tuple and item[0] in WRITER_ROWS for item in items),
    )
    if not all(type(item) is tuple for item in items):
        rows.answer_set()  # answers that are models already: the set checks them now
    return rows


# --------------------------------------------------------------------------- fast path
#
# Items spelled as the server and this library write them are kept as compact rows
# (model.py, "Deferred answers") without building models.  The functions below apply
# the checked path's rules and return None at the first thing that is not plainly
# fine; that item then takes the checked path, which builds the same answer or raises
# the precise error.  pydantic refuses lone surrogates in strings, which JSON can
# smuggle in as "\ud800": a body that may hold one takes the checked path throughout.
# The property tests decode every body both ways (``_FAST = False`` turns this off).

_FAST = True
# A "\ud800" escape: JSON's way to write a surrogate.  A high one followed at once by a
# low one is a pair, one astral character ("\ud83d\ude80", as json.dumps and mstrio-py
# write any emoji), and stays on the fast path; any other (a lone half) is group 1.  An
# escape counts only after an even run of backslashes ("\\ud800" is the text "\ud800"),
# which the lookbehind and the run make sure of: every match starts at a run's start, so
# the search is linear.  A pattern, compiled when first used (re caches it): writing REST
# from another format never reads it.
_SURROGATE_ESCAPE = (
    r"(?<!\\)(?:\\\\)*\\u"
    r"(?:[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|([dD][89a-fA-F][0-9a-fA-F]{2}))"
)
_PLAIN_TYPES = {
    "VALUE": VALUE_ROW,
    "ELEMENTS": ELEMENTS_ROW,
    "OBJECTS": OBJECTS_ROW,
    "EXPRESSION": EXPRESSION_ROW,
}
_TERSE_TAIL = 33  # ";" and a GUID: what follows the key part of a plain terse ID


def _plain_text(text: str) -> bool:
    """True when no string read from ``text`` can hold a lone surrogate (rules.is_text)."""
    if not is_text(text):
        return False
    return all(match.group(1) is None for match in re.finditer(_SURROGATE_ESCAPE, text))


def _document_text(body: str | bytes | bytearray) -> str:
    """The body as text, for the surrogate check (bytes are ASCII-decoded loosely)."""
    if isinstance(body, str):
        return body
    return bytes(body).decode("ascii", "replace")


def _plain_item(item: Any) -> _Row | None:
    if type(item) is not dict:
        return None
    key = item.get("key")
    family = item.get("type")
    kind = _PLAIN_TYPES.get(family) if type(family) is str else None
    use_default = item.get("useDefault")
    if kind is None or (use_default is not None and type(use_default) is not bool):
        return None
    prompt_id, name = item.get("id"), item.get("name")
    prompt: Any = key
    if prompt_id is not None or name is not None or type(key) is not str:
        # Named by id or name (as mstrio-py writes them), maybe beside the key: a plain
        # reference with prompt_ref's rules (null is not given, an empty key or id is
        # refused there); anything else takes the checked path, which says what is wrong.
        if not (
            (key is None or (type(key) is str and key))
            and (prompt_id is None or (type(prompt_id) is str and prompt_id))
            and (name is None or type(name) is str)
            and (key is not None or prompt_id is not None or name is not None)
        ):
            return None
        prompt = Ref.of(key, prompt_id, name)
    elif not key:
        return None
    if use_default:
        # The server ignores the answers then (see _decode_item), and so does the model.
        return (USE_DEFAULT_ROW, prompt, _ROW_FAMILY[kind])
    answers = item.get("answers")
    if kind == EXPRESSION_ROW:
        return _plain_expression(prompt, answers)
    if (type(answers) is list and not answers) or (kind == VALUE_ROW and answers == ""):
        # Blank answers close the prompt (see _decode_value); absent ones take the checked
        # path, which first looks for a misspelt "answers".
        return (CLOSE_ROW, prompt, _ROW_FAMILY[kind])
    if kind == VALUE_ROW:
        if type(answers) is str and answers:
            return (VALUE_ROW, prompt, answers, None)
        if type(answers) is list and all(type(text) is str and text for text in answers):
            # A list of texts (not blank: that closes, above), as _decode_value reads it:
            # one text is the value, several a tuple (an empty text is the model's error).
            if len(answers) == 1:
                return (VALUE_ROW, prompt, answers[0], None)
            return (VALUES_ROW, prompt, tuple(answers), None)
        return None
    if type(answers) is not list:
        return None
    if kind == ELEMENTS_ROW:
        return _plain_elements(prompt, answers)
    return _plain_objects(prompt, answers)


def _plain_elements(key: str | Ref, answers: list[Any]) -> _Row | None:
    ids: list[Any] = []
    names: list[Any] = []
    for element in answers:
        if type(element) is not dict:
            return None
        size = len(element)
        if not (size == 1 or (size == 2 and "name" in element)):
            return None
        ids.append(element.get("id"))
        names.append(element.get("name"))
    if not all(type(i) is str for i in ids) or not all(n is None or type(n) is str for n in names):
        return None
    # Plain terse IDs of one GUID attribute (element_id.plain_key): h{key};ATTR, where
    # "\0" between the IDs proves each starts with "h" and ends with ";ATTR".
    first = ids[0]
    attribute = first[-32:]
    tail = first[-_TERSE_TAIL:]
    joined = "\0".join(ids)
    count = len(ids)
    if (
        len(first) < _TERSE_TAIL + 1
        or tail[0] != ";"
        or not _GUID.fullmatch(attribute)
        or joined.count("\0") != count - 1
        or ("\0" + joined).count("\0h") != count
        or (joined + "\0").count(tail + "\0") != count
    ):
        return None
    keys = [i[1:-_TERSE_TAIL] for i in ids]
    if not plain_keys("\0".join(keys)):
        return None
    return (ELEMENTS_ROW, key, attribute, keys, names)


def _plain_expression(prompt: str | Ref, answers: Any) -> _Row | None:
    """The expression row of ``answers`` whose tree is of the usual shapes
    (:func:`~mstr_prompts.expression_plain.canonical_answers`), else None (the checked
    path reads it: a blank one that closes the prompt, a tree of another shape, or an
    error).  An ``{"xml": …}`` answer is :func:`_xml_expression`'s."""
    if type(answers) is dict and answers.get("xml") is not None:
        return _xml_expression(prompt, answers)
    if canonical_answers(answers) is None:
        return None
    # The body's JSON is this decoder's own (the fast path reads text, never a caller's
    # dict), so the row may keep it: each writer's call writes the answers anew from it.
    return (
        EXPRESSION_ROW,
        prompt,
        partial(_expression_answers, answers),
        partial(_expression_model, prompt, answers),
    )


_XML_ANSWER_KEYS = frozenset({"content", "xml"})


def _xml_expression(prompt: str | Ref, answers: dict[str, Any]) -> _Row | None:
    """The row prompt-answer XML's reader makes of an ``{"xml": "<exp>…</exp>"}`` answer's
    ``<exp>`` (REST's alternative form, :func:`mstr_prompts._expression_scan.serialised_row`),
    with no model class; None for anything :func:`_decode_expression` must read itself
    (then its errors are the ones it has always raised, word for word).

    The ``<exp>`` is parsed as the checked path parses it (:func:`safexml.parse`: its size
    and depth limits before and while parsing) and written in lxml's one spelling, which
    the checked path's answer keeps.  Beside it, ``content`` is taken only where that
    answer would be the row's: blank (no display text), or the very text the ``<exp>``
    carries for a typed tree (an ``<exp>`` kept verbatim beside display text is the
    model's).
    """
    from ._expression_scan import (
        KEPT,
        OUTSIDE,
        SCAN,
        VerbatimAnswers,
        is_empty,
        scan_text,
        typed_row,
    )

    text, content = answers.get("xml"), answers.get("content")
    if (
        not SCAN
        or not answers.keys() <= _XML_ANSWER_KEYS
        or type(text) is not str
        or not (content is None or type(content) is str)
    ):
        return None
    if content is not None:
        content = display_text(content)  # the model's one spelling of "no display text"
    try:
        root = safexml.parse(text, where="answers.xml")
    except DecodeError:
        return None  # the checked path raises it, where it says
    if root.tag != "exp" or is_empty(root):
        return None  # refused, or it closes the prompt: the checked path says which
    text = safexml.serialize(root)
    made = partial(_expression_model, prompt, answers)
    scanned = scan_text(text)
    if type(scanned) is tuple:
        if content is not None and content != scanned[1]:
            return None  # verbatim beside its text, or typed with text the <exp> lacks
        # The scan's answers object (its key is not read: the row names the prompt).
        return (EXPRESSION_ROW, prompt, typed_row(text, "", scanned, _unbuilt)[2], made)
    # Outside the case table: kept verbatim (expression_xml.scan_row's verdict).  Display
    # text beside it is the model's to keep (the scan's rows carry none), and so is a
    # prompt with no key: the Web URL's refusal probes a verbatim row's model under a
    # stand-in key, which a row's own build (of this prompt) would not take.
    keyed = type(prompt) is str or cast(Ref, prompt).key is not None
    outside = scanned is KEPT or (scanned is None and OUTSIDE.search(text) is not None)
    if outside and content is None and keyed:
        return (EXPRESSION_ROW, prompt, VerbatimAnswers(text), made)
    return None  # read by the walk, which builds on the model


def _unbuilt(text: str, key: str) -> None:  # pragma: no cover - never called
    """The build of a row whose answers alone are kept (the row builds by its own)."""


def _expression_answers(answers: Any) -> dict[str, Any]:
    """REST's ``answers`` of an expression row (a new object at each call)."""
    written = canonical_answers(answers)
    assert written is not None  # it was read when the row was made
    return written


def _expression_model(prompt: str | Ref, answers: Any) -> Answer:
    """The answer of an expression row, built by the checked path as :func:`decode` would."""
    from .model import PromptRef

    ref = PromptRef(key=prompt) if isinstance(prompt, str) else PromptRef(**prompt.dump())
    return _decode_expression(ref, answers, f"rest ({identified_by(ref)})")


def _plain_objects(key: str | Ref, answers: list[Any]) -> _Row | None:
    objects: list[tuple[str, int, str | None]] = []
    for ref in answers:
        if type(ref) is not dict or not ref.keys() <= OBJECT_KEYS:
            return None
        object_id, raw, name = ref.get("id"), ref.get("type"), ref.get("name")
        if type(object_id) is not str or not object_id or not (name is None or type(name) is str):
            return None
        if type(raw) is str:
            stripped = raw.strip()
            number = None if stripped.isdigit() else object_type_from_name(raw)
        elif type(raw) is _JsonInt or type(raw) is int:
            number = raw
        else:
            number = None
        if number is None or not 0 <= number <= MAX_OBJECT_TYPE:
            return None
        objects.append((object_id, int(number), name))
    return (OBJECTS_ROW, key, objects)


# --------------------------------------------------------------------------- encoding


def _refuse(answer: Answer, message: str, hint: str | None = None) -> NotRepresentableError:
    return NotRepresentableError(message, prompt=answer.describe(), target=TARGET, hint=hint)


_BIND_HINT = Hint(
    "bind the answers to the prompt definitions first ({0}), or give the key",
    Option("definitions", metavar="FILE", api="mstr_prompts.definitions.bind"),
)


def _check_identified(answer: Answer) -> None:
    ref = answer.prompt
    if ref.is_identified:
        return
    from .model import Close, ElementAnswer

    attribute = getattr(answer, "attribute", None)
    if isinstance(answer, (ElementAnswer, Close)) and attribute is not None:
        raise _refuse(
            answer,
            "the answer names its prompt only by attribute (as URL element answers do); "
            "REST needs the prompt's key, id or name",
            hint=_BIND_HINT,
        )
    if ref.position is not None:
        raise _refuse(
            answer,
            "a positional answer cannot be written as REST, which finds prompts by key, id or name",
            hint=_BIND_HINT,
        )
    raise _refuse(
        answer,
        "the answer does not say which prompt it answers",
        hint=Hint("give the answer a prompt key", cli=False),
    )


def _element_id(element: Element) -> str | None:
    # By kind rather than by class: once per element, with no import of element_id.
    element_id = element.id
    if element_id is None:
        return None
    if element_id.kind == "element_id":
        return element_id.to_terse(include_display=False)
    return element_id.text  # opaque: undocumented structure, verbatim, never rebuilt


def _element_items(ids: Sequence[str | None], names: Sequence[str | None]) -> list[dict[str, Any]]:
    """``{"id", "name"}`` items, each key present only when it has a value."""
    return [
        {"id": i, "name": n}
        if i is not None and n is not None
        else {"id": i}
        if i is not None
        else {"name": n}
        for i, n in zip(ids, names, strict=True)
    ]


def _object_item(object_id: str, number: int | None, name: str | None) -> dict[str, Any]:
    # Strings since the 2020 switch (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-types/object-prompts); a number without a known name
    # stays a number, which the server has always accepted.  An object whose type is not
    # known is written as it was read, without one (mstrio-py's documented spelling).
    if number is None:
        return {"id": object_id} if name is None else {"id": object_id, "name": name}
    type_name = OBJECT_TYPE_NAMES.get(number) or number  # object_type_name, inlined
    if name is None:
        return {"id": object_id, "type": type_name}
    return {"id": object_id, "type": type_name, "name": name}


def _encode_answers(answer: Answer) -> tuple[bool, Any]:
    """``(has answers, answers)`` for an answer that is not UseDefault."""
    # Once per answer: a module import (a dictionary look-up) costs a fifth of a
    # ``from .model import A, B, ...``, which resolves the package and each name anew.
    import mstr_prompts.elements as elements_module
    import mstr_prompts.expression_json as expression_json
    import mstr_prompts.expression_xml as expression_xml
    import mstr_prompts.model as model

    if isinstance(answer, model.ValueAnswer):
        return True, list(answer.value) if isinstance(answer.value, tuple) else answer.value
    if isinstance(answer, model.ElementAnswer):
        elements = answer.elements
        if type(elements) is elements_module.ElementList and elements.attribute == answer.attribute:
            # Plain elements held as their parts: spelled as a decoder's row is, without
            # building each element (twice) to read it back.
            ids = plain_terse_ids(elements.attribute, list(elements.keys))
            return True, _element_items(ids, elements.names)
        return True, _element_items([_element_id(e) for e in elements], [e.name for e in elements])
    if isinstance(answer, model.ObjectAnswer):
        return True, [_object_item(o.id, o.type, o.name) for o in answer.objects]
    if isinstance(answer, model.ExpressionAnswer):
        body: dict[str, Any] = {}
        if answer.content is not None:
            body["content"] = answer.content
        if answer.expression is not None:
            try:
                body["expression"] = expression_json.answer_tree(answer)
            except NotRepresentableError as exc:
                raise _refuse(answer, exc.message, exc.hint) from None
        if answer.xml is not None:
            # The model keeps <exp> text opaque; a hand-built answer's is checked here.
            try:
                expression_xml.stored(answer.xml, "exp", where="stored xml", empty=False)
            except DecodeError as exc:
                raise _refuse(answer, f"its stored XML cannot be read: {exc.message}") from None
            body["xml"] = answer.xml
        return True, body
    if isinstance(answer, model.LevelAnswer):
        if answer.definition is None:
            form = "XML form (<dmy>)" if answer.xml is not None else "Library display-unit form"
            raise _refuse(
                answer,
                f"a level answer in {form} has no REST spelling; REST takes the "
                "{canContinue, filterRest, units} object",
                hint="send it in the format it came in",
            )
        return True, answer.definition_tree
    if isinstance(answer, model.Close):
        # docs/rest.md "Inferred rules": leave the answer blank.  A closed element
        # prompt's attribute only identifies the prompt, and the key/id/name already
        # does that, so it is not written.
        if answer.family in (PromptFamily.ELEMENTS, PromptFamily.OBJECTS):
            return True, []
        if answer.family is PromptFamily.VALUE:
            return True, ""
        return False, None
    raise AssertionError(f"unexpected answer {answer!r}")  # pragma: no cover


def _encode_answer(answer: Answer) -> dict[str, Any]:
    import mstr_prompts.model as model  # see _encode_answers

    if isinstance(answer, model.PlaceholderAnswer):
        raise placeholder_refusal(answer.describe(), TARGET)
    if isinstance(answer, model.Unanswered):
        raise _refuse(
            answer,
            "REST cannot mark a prompt as deliberately left open",
            hint="leave the prompt out of the body; the server then asks for it",
        )
    _check_identified(answer)
    family: PromptFamily | None = getattr(answer, "family", None)
    if family is None:
        raise _refuse(
            answer,
            "the prompt's type is not known, and REST requires it",
            hint=Hint(
                "give the answer a family (value, elements, objects, expression or level)",
                cli=False,
            ),
        )
    item = _head(answer.prompt, family)
    if isinstance(answer, model.UseDefault):
        item["useDefault"] = True
        return item
    has_answers, answers = _encode_answers(answer)
    if has_answers:
        item["answers"] = answers
    return item


def _head(ref: PromptRef, family: PromptFamily) -> dict[str, Any]:
    """The item's identification and type: ``key``, ``id``, ``name`` when known, ``type``."""
    item: dict[str, Any] = {}
    if ref.key is not None:
        item["key"] = ref.key
    if ref.id is not None:
        item["id"] = ref.id
    if ref.name is not None:
        item["name"] = ref.name
    item["type"] = TYPE_NAMES[family]
    return item


_ROW_FAMILY = {
    VALUE_ROW: PromptFamily.VALUE,
    VALUES_ROW: PromptFamily.VALUE,
    ELEMENTS_ROW: PromptFamily.ELEMENTS,
    OBJECTS_ROW: PromptFamily.OBJECTS,
    EXPRESSION_ROW: PromptFamily.EXPRESSION,
}


# The item of a value row keyed by text, as a dict display: built once per row, so that
# a body of many small prompts costs json.dumps little more than its own walk.
_VALUE_TYPE = TYPE_NAMES[PromptFamily.VALUE]
_ELEMENTS_TYPE = TYPE_NAMES[PromptFamily.ELEMENTS]
_OBJECTS_TYPE = TYPE_NAMES[PromptFamily.OBJECTS]


def _encode_state(row: _Row) -> dict[str, Any]:
    """The item of a UseDefault or Close row, as :func:`_encode_answer` writes its model;
    an open slot, a family not known or a prompt not named is refused as its model is
    (:func:`_row_refusal`)."""
    kind, prompt, family = row
    if kind != UNANSWERED_ROW and family is not None:
        item: dict[str, Any] | None
        if type(prompt) is str:
            item = {"key": prompt, "type": TYPE_NAMES[family]}
        elif prompt.is_identified:
            item = _head(prompt, family)
        else:
            item = None
        if item is not None:
            if kind == USE_DEFAULT_ROW:
                item["useDefault"] = True
            elif family in (PromptFamily.ELEMENTS, PromptFamily.OBJECTS):
                item["answers"] = []  # a closed prompt: blank (see _encode_answers)
            elif family is PromptFamily.VALUE:
                item["answers"] = ""
            return item
    raise _row_refusal(row)


def _row_refusal(row: _Row) -> NotRepresentableError:
    """What :func:`_encode_answer` raises for the model of a row REST cannot write (an open
    slot, a prompt not named by key, id or name, a family not known), worded from the row
    (``rows.describe_row``) so that the refusal builds no model."""
    kind, prompt = row[0], row[1]
    where = describe_row(row)
    if kind == UNANSWERED_ROW:
        return NotRepresentableError(
            "REST cannot mark a prompt as deliberately left open",
            prompt=where,
            target=TARGET,
            hint="leave the prompt out of the body; the server then asks for it",
        )
    if type(prompt) is not str and not prompt.is_identified:  # _check_identified
        if kind in (ELEMENTS_ROW, CLOSE_ATTRIBUTE_ROW):  # its attribute is its row's
            return NotRepresentableError(
                "the answer names its prompt only by attribute (as URL element answers do); "
                "REST needs the prompt's key, id or name",
                prompt=where,
                target=TARGET,
                hint=_BIND_HINT,
            )
        if prompt.position is not None:
            return NotRepresentableError(
                "a positional answer cannot be written as REST, which finds prompts by key, "
                "id or name",
                prompt=where,
                target=TARGET,
                hint=_BIND_HINT,
            )
        return NotRepresentableError(
            "the answer does not say which prompt it answers",
            prompt=where,
            target=TARGET,
            hint=Hint("give the answer a prompt key", cli=False),
        )
    # A UseDefault or Close of no family (the only rows left that REST cannot write).
    return NotRepresentableError(
        "the prompt's type is not known, and REST requires it",
        prompt=where,
        target=TARGET,
        hint=Hint(
            "give the answer a family (value, elements, objects, expression or level)",
            cli=False,
        ),
    )


def _keyed_value(row: _Row) -> dict[str, Any]:
    return {"key": row[1], "type": _VALUE_TYPE, "answers": row[2]}


def _keyed_values(row: _Row) -> dict[str, Any]:
    # several texts: a list, as _encode_answers writes a tuple
    return {"key": row[1], "type": _VALUE_TYPE, "answers": list(row[2])}


def _keyed_elements(row: _Row) -> dict[str, Any]:
    """The item of an element row keyed by text: each element one dict display, its ID
    the key between ``h`` and the attribute's ``;ATTR`` (plain_terse_ids, inlined)."""
    suffix = f";{row[2]}"  # element_text.terse("", attribute)
    names = row[4]
    if None not in names:  # every element named
        answers = [{"id": f"h{k}{suffix}", "name": n} for k, n in zip(row[3], names, strict=True)]
    else:  # _element_items, inlined: a name only where there is one
        answers = [
            {"id": f"h{k}{suffix}"} if n is None else {"id": f"h{k}{suffix}", "name": n}
            for k, n in zip(row[3], names, strict=True)
        ]
    return {"key": row[1], "type": _ELEMENTS_TYPE, "answers": answers}


def _keyed_objects(row: _Row) -> dict[str, Any]:
    """The item of an object row keyed by text (_object_item, inlined for the usual
    object: typed and named)."""
    names_of = OBJECT_TYPE_NAMES
    return {
        "key": row[1],
        "type": _OBJECTS_TYPE,
        "answers": [
            {"id": i, "type": names_of.get(t) or t, "name": n}
            if t is not None and n is not None
            else _object_item(i, t, n)
            for i, t, n in row[2]
        ],
    }


# The writers of the usual rows keyed by text, each item one dict display: looked up
# once a row (encode, _encode_row) rather than told by a test per kind.
_KEYED: dict[str, Callable[[_Row], dict[str, Any]]] = {
    VALUE_ROW: _keyed_value,
    VALUES_ROW: _keyed_values,
    ELEMENTS_ROW: _keyed_elements,
    OBJECTS_ROW: _keyed_objects,
}


def _encode_row(row: _Row) -> dict[str, Any]:
    """The item of a decoder's row (model.py, "Deferred answers"), as for its answer."""
    kind, prompt = row[0], row[1]
    if kind == CLOSE_ATTRIBUTE_ROW:
        # Written as its Close is: the attribute only identifies the prompt, which the
        # key, id or name already does (_encode_answers); refused as that Close is.
        if type(prompt) is not str and not prompt.is_identified:
            raise _row_refusal(row)  # as for the Close: it names the prompt by attribute
        return _encode_state((CLOSE_ROW, prompt, PromptFamily.ELEMENTS))
    if type(prompt) is str:
        keyed = _KEYED.get(kind)
        if keyed is not None:  # the usual rows
            return keyed(row)
    if kind in STATE_ROWS:
        return _encode_state(row)
    family = _ROW_FAMILY[kind]
    item: dict[str, Any]
    if type(prompt) is str:
        item = {"key": prompt, "type": TYPE_NAMES[family]}
    elif prompt.is_identified:
        item = _head(prompt, family)
    else:
        raise _row_refusal(row)  # the checked path's error, from the row
    if kind == VALUE_ROW:
        item["answers"] = row[2]
    elif kind == VALUES_ROW:
        item["answers"] = list(row[2])
    elif kind == EXPRESSION_ROW:
        item["answers"] = row[2]()  # written from the scanned tree, a new one each time
    elif kind == ELEMENTS_ROW:
        names = row[4]
        if None in names:
            item["answers"] = _element_items(plain_terse_ids(row[2], row[3]), names)
        else:  # every element named
            suffix = terse("", row[2])
            item["answers"] = [
                {"id": f"h{k}{suffix}", "name": n} for k, n in zip(row[3], names, strict=True)
            ]
    else:  # _object_item, inlined for the usual object: typed and named
        names_of = OBJECT_TYPE_NAMES
        item["answers"] = [
            {"id": i, "type": names_of.get(t) or t, "name": n}
            if t is not None and n is not None
            else _object_item(i, t, n)
            for i, t, n in row[2]
        ]
    return item


_TUPLE = {tuple}
_STR = {str}
_second = itemgetter(1)


def _refuse_repeated_rows(rows: Sequence[_Row | Answer]) -> bool:
    """:func:`~mstr_prompts.rules.refuse_to_write_repeated_keys` for a decoder's rows;
    True when every item is a row keyed by text (the usual set).

    Rows keyed by text with no key twice are told by one set of their keys; anything
    else is left to the rule, which finds and names the repeat.
    """
    if type(rows) is tuple:
        # Each pass is one C-level loop (``map``): a comprehension's step per row cost
        # as much as writing the row's item.
        if set(map(type, rows)) == _TUPLE:
            keys = list(map(_second, rows))
            if set(map(type, keys)) == _STR and len(set(keys)) == len(keys):
                return True
    else:  # rows built as they are read (rows.PackedRows): read them once
        keys = [row[1] for row in rows if type(row) is tuple and type(row[1]) is str]
        if len(keys) == len(rows) and len(set(keys)) == len(keys):
            return True
    refuse_to_write_repeated_keys(rows, "rest")
    return False


_VALUE_ROWS = (VALUE_ROW, VALUES_ROW)


def _first_value(answers: Answers) -> str | None:
    """The description of the first value answer (for the locale warning), if any."""
    rows = pending_rows(answers, expression_rows=True)
    for item in answers if rows is None else rows:
        if type(item) is tuple:
            if item[0] in _VALUE_ROWS and type(item[1]) is str:
                return f"value prompt {item[1]}"  # PromptRef(key=…).describe("value")
            if item[0] in _VALUE_ROWS:
                return str(item[1].describe("value"))
        elif getattr(item, "kind", None) == "value":
            return str(item.describe())  # type: ignore[union-attr]
    return None


def _check_set(answers: Answers, ignore_locale: bool) -> None:
    """Refuse what a REST body cannot carry about the set as a whole; warn of a locale."""
    if answers.rounds is not None:
        raise rounds_refusal(TARGET, len(answers.rounds))
    if answers.mode is not None:
        raise NotRepresentableError(
            f"a REST answer body carries no answer mode (got {answers.mode.name})",
            target=TARGET,
            hint=Hint(
                "answer the prompts explicitly (useDefault: true, or an empty answer to close "
                "them), or send the mode as promptAnswerMode in a Web link ({0})",
                Option("to", "url", api="url.encode"),
            ),
        )
    if answers.locale is not None and not ignore_locale:
        value = _first_value(answers)
        if value is not None:
            warnings.warn(
                LocaleWarning(
                    f"rest: {value}: a REST answer body carries no locale; the "
                    f"value texts, written in locale {answers.locale}, are sent as they are "
                    "and the server reads them in the session locale"
                ),
                stacklevel=3,
            )


def encode(answers: Answers, *, ignore_locale: bool = False) -> dict[str, Any]:
    """Write an AnswerSet as a REST answer body ``{"prompts": [...]}`` (a dict).

    Raises :class:`~mstr_prompts.errors.NotRepresentableError` for what REST cannot say:
    an answer mode, a locale for value texts (unless ``ignore_locale``), deliberately
    unanswered slots, answers without key/id/name, and level answers in XML form.

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> encode(AnswerSet(answers=[ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))]))
    {'prompts': [{'key': 'K@0@10', 'type': 'VALUE', 'answers': '2015'}]}
    """
    _check_set(answers, ignore_locale)
    # Without value answers the locale changes nothing (element, object, expression and
    # level answers are IDs and trees), so dropping it loses no meaning.
    rows = pending_rows(answers, expression_rows=True)
    if rows is None:
        refuse_to_write_repeated_keys(answers, "rest")
        return {ENVELOPE: [_encode_answer(a) for a in answers]}
    value_type = _VALUE_TYPE
    if _refuse_repeated_rows(rows):  # rows keyed by text only: _encode_row's first case
        keyed = cast("Sequence[_Row]", rows)
        writers = _KEYED
        return {
            ENVELOPE: [
                # a value inlined: a body of many value prompts is mostly it
                {"key": a[1], "type": value_type, "answers": a[2]}
                if a[0] == VALUE_ROW
                else (writers.get(a[0]) or _encode_row)(a)
                for a in keyed
            ]
        }
    return {
        ENVELOPE: [
            # _encode_row's first case, inlined: a body of many value prompts is mostly it
            {"key": a[1], "type": value_type, "answers": a[2]}
            if type(a) is tuple and a[0] == VALUE_ROW and type(a[1]) is str
            else _encode_row(a)
            if type(a) is tuple
            else _encode_answer(a)  # type: ignore[arg-type]
            for a in rows
        ]
    }


def dumps(
    answers: Answers,
    *,
    ignore_locale: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
) -> str:
    """Write an AnswerSet as REST JSON text (UTF-8 characters kept, not escaped).

    The text is ``json.dumps(encode(answers), ensure_ascii=False, indent=indent,
    separators=separators)``: on one line by default, as ``json.dumps`` writes (so one
    body is one JSON Lines record); ``indent=2`` lays it out for people, and
    ``separators=(",", ":")`` leaves out the spaces.

    >>> from mstr_prompts.model import AnswerSet, PromptRef, UseDefault
    >>> answers = AnswerSet(answers=[UseDefault(family="value", prompt=PromptRef(id="0C"))])
    >>> print(dumps(answers))
    {"prompts": [{"id": "0C", "type": "VALUE", "useDefault": true}]}
    >>> print(dumps(answers, separators=(",", ":")))
    {"prompts":[{"id":"0C","type":"VALUE","useDefault":true}]}
    >>> print(dumps(answers, indent=1))
    {
     "prompts": [
      {
       "id": "0C",
       "type": "VALUE",
       "useDefault": true
      }
     ]
    }
    """
    rows = pending_rows(answers, expression_rows=True)
    if rows is not None:
        _refuse_repeated_rows(rows)  # what encode checks, for the rows path
    layout = _layout(indent, separators) if rows is not None and _FAST else None
    if rows is None or layout is None:
        return json.dumps(
            encode(answers, ignore_locale=ignore_locale),
            ensure_ascii=False,
            indent=indent,
            separators=separators,
        )
    _check_set(answers, ignore_locale)
    return _rows_text(rows, layout)


# --------------------------------------------------------------------------- text
#
# A decoder's rows (model.py, "Deferred answers") are written straight to JSON text, in
# json.dumps's own layout, rather than as one dict per element for json.dumps to walk:
# with thousands of elements that walk costs more than writing the text.  The text is
# gathered as a list of pieces (the rows' own strings, and separators computed once per
# layout) joined once at the end, so a list of 160,000 elements costs one list of
# pointers and the finished text, not a string per element and copies of the text.
# Strings are quoted by json's own function, or, for an element list, proved to need no
# escape by one search over all of them.  Models, and rows that need more than a key, go
# through encode's functions and json.dumps.  The property tests hold the text equal to
# ``json.dumps(encode(...))`` for every set and layout.

# What json.dumps(ensure_ascii=False) escapes in a string.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_quote: Any = json.encoder.encode_basestring


class _Layout:
    """The separators json.dumps writes at each nesting level for one layout."""

    def __init__(self, indent: int | None, separators: tuple[str, str] | None) -> None:
        self.indent = indent
        self.separators = separators
        if separators is None:  # json.dumps's defaults
            item, colon = (", " if indent is None else ","), ": "
        else:
            item, colon = separators
        if indent is None:
            self.nl = [""] * 6
            self.sep = [item] * 6
        else:
            self.nl = ["\n" + " " * (indent * level) for level in range(6)]
            self.sep = [item + nl for nl in self.nl]
        nl, sep = self.nl, self.sep
        # Levels: 1 the envelope, 2 the prompts, 3 an item, 4 its answers, 5 an element.
        self.start = "{" + nl[1] + f'"{ENVELOPE}"' + colon + "[" + nl[2]
        self.finish = nl[1] + "]" + nl[0] + "}"
        self.empty = "{" + nl[1] + f'"{ENVELOPE}"' + colon + "[]" + nl[0] + "}"
        self.comma = sep[2]
        self.head = "{" + nl[3] + '"key"' + colon
        self.types = {
            kind: sep[3]
            + '"type"'
            + colon
            + f'"{TYPE_NAMES[family]}"'
            + sep[3]
            + '"answers"'
            + colon
            for kind, family in _ROW_FAMILY.items()
        }
        self.end = nl[2] + "}"
        self.open = "[" + nl[4]
        self.close = nl[3] + "]" + nl[2] + "}"
        self.element = "{" + nl[5] + '"id"' + colon + '"h'
        self.between = '"' + nl[4] + "}" + sep[4] + self.element
        self.name = '"' + sep[5] + '"name"' + colon + '"'
        self.last = '"' + nl[4] + "}" + self.close
        self.object = "{" + nl[5] + '"id"' + colon
        self.type = sep[5] + '"type"' + colon
        self.object_name = sep[5] + '"name"' + colon
        self.object_end = nl[4] + "}"
        self.objects_sep = sep[4]
        self.types_of: dict[int, str] = {}  # filled by _type_piece
        # json.dumps(item, ensure_ascii=False, indent=…, separators=…) builds this encoder
        # at every call; an answer set of many models pays that once.
        self.encoder = json.JSONEncoder(ensure_ascii=False, indent=indent, separators=separators)
        # An expression row's answers, one line: a tree of dicts, lists and strings the
        # codec made (never circular), written by the C encoder that encoder.encode would
        # build at each call (json.encoder.c_make_encoder; None without the C module).
        # (Not in typeshed: read as attributes.)
        c_make = getattr(json.encoder, "c_make_encoder", None)
        c_quote = getattr(json.encoder, "c_encode_basestring", None)
        self.tree: Callable[[Any, int], list[str]] | None = (
            None
            if c_make is None or c_quote is None or indent is not None
            else c_make(None, self.encoder.default, c_quote, None, colon, item, False, False, True)
        )


_LAYOUTS: dict[tuple[int | None, tuple[str, str] | None], _Layout] = {}
_MAX_LAYOUTS = 32


def _layout(indent: Any, separators: Any) -> _Layout | None:
    """The layout of ``indent`` and ``separators``, or None for what json.dumps must write."""
    if separators is not None:
        if not (
            type(separators) in (tuple, list)
            and len(separators) == 2
            and type(separators[0]) is str
            and type(separators[1]) is str
        ):
            return None
        if indent is not None and "\n" in separators[0] + separators[1]:
            return None  # the models' items are indented by their line breaks
        separators = tuple(separators)
    if not (indent is None or type(indent) is int):
        return None
    key = (indent, separators)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _Layout(indent, separators)
        # Callers choose the layouts: only the first few are kept, so that a program
        # writing with ever new separators or indents does not grow this table.
        if len(_LAYOUTS) < _MAX_LAYOUTS:
            layout = _LAYOUTS.setdefault(key, layout)
    return layout


def _type_piece(layout: _Layout, number: int) -> str:
    """The ``"type"`` member of an object of type ``number`` in ``layout``'s spelling."""
    type_name = object_type_name(number)
    piece = layout.type + (_quote(type_name) if type_name else str(number))
    if type_name:  # the named types only: a bounded table, whatever the input holds
        layout.types_of[number] = piece
    return piece


def _rows_text(rows: Sequence[_Row | Answer], layout: _Layout) -> str:
    if not rows:
        return layout.empty
    parts = [layout.start]
    append, extend = parts.append, parts.extend
    head, types, end, comma = layout.head, layout.types, layout.end, layout.comma
    tree = layout.tree
    for row in rows:
        if type(row) is tuple and type(row[1]) is str and row[0] not in STATE_ROWS:
            kind = row[0]
            if kind == VALUE_ROW:
                extend((head, _quote(row[1]), types[kind], _quote(row[2]), end, comma))
                continue
            if kind == EXPRESSION_ROW:
                if tree is not None:  # else the item's lines need indenting
                    answers = "".join(tree(row[2](), 0))
                    extend((head, _quote(row[1]), types[kind], answers, end, comma))
                    continue
                body = None
            else:
                body = (
                    _elements_text(row, layout)
                    if kind == ELEMENTS_ROW
                    else _objects_text(row, layout)
                    if kind == OBJECTS_ROW
                    else None  # several values: the item, through json's encoder
                )
            if body is not None:
                extend((head, _quote(row[1]), types[kind]))
                extend(body)
                append(comma)
                continue
        item = _encode_row(row) if type(row) is tuple else _encode_answer(row)  # type: ignore[arg-type]
        text = layout.encoder.encode(item)
        append(text if layout.indent is None else text.replace("\n", layout.nl[2]))
        append(comma)
    parts[-1] = layout.finish  # the last comma
    return "".join(parts)


def _elements_text(row: _Row, layout: _Layout) -> list[str] | None:
    """The pieces of an elements row's answers and the item's end, or None for the slow way."""
    _, _, attribute, keys, names = row
    if not keys:
        return None
    count = len(keys)
    if _NEEDS_ESCAPE.search("".join(keys)):
        return None
    unnamed = names.count(None)
    if unnamed == count:  # no element has a name: {"id": …} items
        pieces = [plain_terse_ids(attribute, [""])[0][1:] + layout.between] * (2 * count + 1)
        pieces[0] = layout.open + layout.element
        pieces[1::2] = keys
        pieces[-1] = plain_terse_ids(attribute, [""])[0][1:] + layout.last
        return pieces
    if _NEEDS_ESCAPE.search("".join(filter(None, names))):
        # Names with a quote, a backslash or a control character (display names such as
        # 'Music "CD"'): every name as json's own function writes it, without its quotes,
        # still one piece each rather than a dict per element for json.dumps to walk.
        names = [None if name is None else _quote(name)[1:-1] for name in names]
    suffix = plain_terse_ids(attribute, [""])[0][1:]  # ";ATTR", after each key
    if unnamed:  # some named, some not: element by element
        named = suffix + layout.name
        pieces = [layout.open + layout.element]
        extend = pieces.extend
        between = layout.between
        for key, name in zip(keys, names, strict=True):
            extend((key, suffix, between) if name is None else (key, named, name, between))
        pieces[-1] = layout.last
        return pieces
    # key, ";ATTR" with the name's key, name, and between elements: four pieces each.
    pieces = [layout.between] * (4 * count + 1)
    pieces[0] = layout.open + layout.element
    pieces[1::4] = keys
    pieces[2::4] = [suffix + layout.name] * count
    pieces[3::4] = names
    pieces[-1] = layout.last
    return pieces


def _objects_text(row: _Row, layout: _Layout) -> list[str] | None:
    """The pieces of an objects row's answers and the item's end."""
    objects = row[2]
    if not objects:
        return None
    pieces = [layout.open]
    append, extend = pieces.append, pieces.extend
    start, name_key = layout.object, layout.object_name
    end = layout.object_end + layout.objects_sep
    types = layout.types_of  # ', "type": "metric"' for each type number met
    for object_id, number, name in objects:
        if number is None:
            extend((start, _quote(object_id)))
        else:
            type_piece = types.get(number)
            if type_piece is None:
                type_piece = _type_piece(layout, number)
            extend((start, _quote(object_id), type_piece))
        if name is not None:
            extend((name_key, _quote(name)))
        append(end)
    pieces[-1] = layout.object_end + layout.close
    return pieces
