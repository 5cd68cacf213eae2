"""Prompt definitions: what each prompt of a report, document or dashboard accepts.

The REST API describes the prompts of an object with ``GET /api/reports/{id}/prompts``
(and ``…/instances/{iid}/prompts``, ``/api/documents/…``): a JSON array with, per prompt,
its key, id, name and title, its type, whether it is required or closed, its bounds
(``min``/``max``), the value prompt's data type, the element prompt's attribute
(``source``), and its default and current answers.  :func:`decode` reads that into an
immutable :class:`Definitions`; the functions below put it to work:

* :func:`bind` gives every answer its prompt's identity: URL value and object answers by
  position, URL element answers by attribute, REST answers by key, id or name;
* :func:`validate` and :func:`check` find what the server would reject, with the
  server's own messages (the rules and texts live in :mod:`mstr_prompts.validation`);
* :func:`complete` decides explicitly what happens to the prompts the answers leave out.

>>> defs = decode('[{"key": "K1@0@10", "name": "Year", "type": "VALUE", "required": true,'
...               ' "dataType": "NUMERIC", "min": 2000, "max": 2030}]')
>>> from mstr_prompts import url
>>> bound = bind(url.decode("valuePromptAnswers=2031"), defs)
>>> bound[0].prompt.key
'K1@0@10'
>>> validate(bound, defs)[0].message
'The value(2031) provided for prompt name: Year key: K1@0@10 exceeds the maximum allowed value(2030}'
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import ConfigDict, Field, ValidationError, model_validator

from . import rest
from ._base import Model
from ._trusted import build
from .element_id import GUID_PATTERN
from .errors import (
    AnswersRejected,
    DecodeError,
    Hint,
    ModeWarning,
    NotRepresentableError,
    Option,
    PromptAnswerError,
    PromptsOutstanding,
    validation_message,
    with_article,
)
from .model import (
    ANSWER_CLASSES,
    ELEMENTS_ROW,
    OBJECTS_ROW,
    VALUE_ROW,
    Answer,
    AnswerMode,
    AnswerSet,
    Close,
    ElementAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptFamily,
    PromptRef,
    Row,
    Unanswered,
    UseDefault,
    ValueAnswer,
    ValueType,
    answer_of,
    deferred,
    prompt_of,
)
from .rows import STATE_ROWS, RowSet, pending_rows
from .rules import is_text
from .validation import (
    DATE_RANGE,
    Problem,
    check,
    date_out_of_range,
    parse_date,
    parse_number,
    validate,
)
from .validation import validate as check_problems
from .vocabulary import identified_by, is_json_number, json_kind

if TYPE_CHECKING:
    from .rows import Answers

__all__ = [
    "AnswersRejected",
    "Bound",
    "Definitions",
    "Missing",
    "Problem",
    "PromptDefinition",
    "answers_given",
    "bind",
    "check",
    "complete",
    "decode",
    "inline_defaults",
    "prepare",
    "validate",
]

Bound = int | Decimal | datetime
"""A prompt's ``min`` or ``max``: a count or text length (int), a number (Decimal) or a
date (an aware datetime in UTC)."""

Missing = Literal["default", "close", "error"]
"""What :func:`complete` does with a prompt the answers leave out."""

_GUID = re.compile(GUID_PATTERN)

# EnumDSSXMLDataType, the numbers GET …/prompts gives as ``dataType`` (the enum is documented in MicroStrategy's Web SDK reference:
# https://www2.microstrategy.com/producthelp/Current/ReferenceFiles/reference/com/microstrategy/webapi/EnumDSSXMLDataType.html).
_DATA_TYPE_NUMBERS: dict[int, ValueType] = {
    1: ValueType.LONG,  # Integer
    2: ValueType.LONG,  # Unsigned
    3: ValueType.DOUBLE,  # Numeric
    4: ValueType.DOUBLE,  # Decimal
    5: ValueType.DOUBLE,  # Real
    6: ValueType.DOUBLE,  # Double
    7: ValueType.DOUBLE,  # Float
    8: ValueType.STRING,  # Char
    9: ValueType.STRING,  # VarChar
    10: ValueType.STRING,  # LongVarChar
    14: ValueType.DATE,  # Date
    15: ValueType.DATE,  # Time
    16: ValueType.DATE,  # TimeStamp
    17: ValueType.STRING,  # NChar
    18: ValueType.STRING,  # NVarChar
    30: ValueType.BIG_DECIMAL,  # BigDecimal
    34: ValueType.LONG,  # Int64
}
# The spellings the REST docs use ("NUMERIC" for both number and big decimal prompts,
# "DATE", "TEXT"), and the enum's own names, upper case.  Anything else is refused so
# that a spelling we have not seen fails loudly instead of turning checks off.
_DATA_TYPE_NAMES: dict[str, ValueType] = {
    "NUMERIC": ValueType.DOUBLE,
    "NUMBER": ValueType.DOUBLE,
    "DECIMAL": ValueType.DOUBLE,
    "REAL": ValueType.DOUBLE,
    "DOUBLE": ValueType.DOUBLE,
    "FLOAT": ValueType.DOUBLE,
    "INTEGER": ValueType.LONG,
    "UNSIGNED": ValueType.LONG,
    "LONG": ValueType.LONG,
    "INT64": ValueType.LONG,
    "BIGDECIMAL": ValueType.BIG_DECIMAL,
    "BIG_DECIMAL": ValueType.BIG_DECIMAL,
    "DATE": ValueType.DATE,
    "TIME": ValueType.DATE,
    "TIMESTAMP": ValueType.DATE,
    "DATETIME": ValueType.DATE,
    "TEXT": ValueType.STRING,
    "STRING": ValueType.STRING,
    "CHAR": ValueType.STRING,
    "VARCHAR": ValueType.STRING,
    "NCHAR": ValueType.STRING,
    "NVARCHAR": ValueType.STRING,
    "LONGVARCHAR": ValueType.STRING,
    "BOOLEAN": ValueType.BOOLEAN,
    "BOOL": ValueType.BOOLEAN,
}

_TYPE_OF: dict[PromptFamily, str] = {family: name for name, family in rest.PROMPT_TYPES.items()}
_TYPE_OF[PromptFamily.LEVEL] = "LEVEL"

# The subscription form of the definitions (GET /api/subscriptions/{id}/prompts).
ENVELOPE = "prompts"
"""The key of the definitions' envelope, ``{"prompts": [...]}`` (public for the schema)."""


class PromptDefinition(Model):
    """One prompt as ``GET …/prompts`` describes it.

    ``prompt`` identifies it (key, id, name, and its 1-based ``position`` among the
    prompts of its family, which :class:`Definitions` assigns).  ``family`` is None for
    a prompt of type ``UNSUPPORTED`` (one REST cannot answer).  ``min`` and ``max`` are
    counts for element, object, expression and level prompts, numbers
    (:class:`~decimal.Decimal`), dates (aware UTC datetimes) or text lengths for value
    prompts.  ``attribute`` is the element prompt's attribute (``source.id``).
    ``default`` and ``current`` are the default and current answers as model answers,
    None when there are none.

    >>> d = decode('[{"key": "K@0@10", "name": "Region", "type": "ELEMENTS", "max": 2,'
    ...            ' "source": {"id": "8D679D4B11D3E4981000E787EC6DE8A4", "type": 12}}]')[0]
    >>> d.family.value, d.max, d.required, d.attribute
    ('elements', 2, False, '8D679D4B11D3E4981000E787EC6DE8A4')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: PromptRef
    family: PromptFamily | None
    title: str | None = None
    required: bool = False
    closed: bool | None = None
    min: Bound | None = None
    max: Bound | None = None
    data_type: int | str | None = None
    value_type: ValueType | None = None
    attribute: str | None = None
    attribute_name: str | None = None
    default: Answer | None = Field(default=None)
    current: Answer | None = Field(default=None)

    @model_validator(mode="after")
    def _bounds_in_their_unit(self) -> PromptDefinition:
        # One spelling per meaning, as in the model: a number bound is a Decimal, a date
        # bound an aware UTC datetime, a count or length an int.  decode() builds them
        # so; this keeps hand-built definitions (tests, the strategies) honest too.
        numeric = self.family is PromptFamily.VALUE and self.value_type not in (
            ValueType.STRING,
            ValueType.DATE,
            ValueType.BOOLEAN,
        )
        for side in ("min", "max"):
            bound = getattr(self, side)
            if bound is None:
                continue
            if isinstance(bound, datetime):
                if self.family is not PromptFamily.VALUE:
                    raise ValueError(
                        f"{side} of {with_article(self.type)} prompt is a count, not a date"
                    )
                zone = timezone.utc if bound.tzinfo is None else None
                bound = bound.replace(tzinfo=zone) if zone else bound.astimezone(timezone.utc)
            elif numeric and isinstance(bound, int):
                bound = Decimal(bound)
            elif not numeric and isinstance(bound, Decimal):
                if bound != bound.to_integral_value():
                    raise ValueError(f"{side} {bound} must be a whole number here")
                bound = int(bound)
            object.__setattr__(self, side, bound)
        return self

    @property
    def key(self) -> str | None:
        """The prompt's key (``did@pin@tp`` or an opaque dashboard key)."""
        return self.prompt.key

    @property
    def id(self) -> str | None:
        """The prompt object's GUID."""
        return self.prompt.id

    @property
    def name(self) -> str | None:
        """The prompt's name (what the server's messages call it)."""
        return self.prompt.name

    @property
    def type(self) -> str:
        """The REST ``type`` of the prompt (``VALUE``, ``ELEMENTS``… or ``UNSUPPORTED``).

        >>> PromptDefinition(prompt=PromptRef(key="K@0@10"), family=PromptFamily.LEVEL).type
        'LEVEL'
        """
        return "UNSUPPORTED" if self.family is None else _TYPE_OF[self.family]

    @property
    def objects(self) -> tuple[ObjectRef, ...]:
        """The objects an object prompt's default and current answers list, in order.

        :func:`bind` takes from them the type of an object answered without one.

        >>> d = decode('[{"key": "K@0@10", "type": "OBJECTS", "defaultAnswer": '
        ...            '[{"id": "7FD5B69611D5AC76C000D98A4CC5F24F", "type": "metric"}]}]')[0]
        >>> d.objects[0].type
        4
        """
        return tuple(
            o
            for answer in (self.default, self.current)
            if isinstance(answer, ObjectAnswer)
            for o in answer.objects
        )

    @property
    def has_default(self) -> bool:
        """True when ``useDefault`` can answer the prompt."""
        return self.default is not None

    def describe(self) -> str:
        """Name the prompt for people: ``prompt 'Name' (key …)``.

        >>> PromptDefinition(prompt=PromptRef(key="K@0@10", name="Year"), family=None).describe()
        "prompt 'Year' (key K@0@10)"
        """
        return self.prompt.describe()


def _with_position(definition: PromptDefinition, position: int) -> PromptDefinition:
    """The definition with its position, and its answers naming it."""
    if definition.prompt.position == position:
        return definition
    ref = definition.prompt.model_copy(update={"position": position})
    update: dict[str, Any] = {"prompt": ref}
    for field in ("default", "current"):
        answer = getattr(definition, field)
        if answer is not None:
            update[field] = answer.model_copy(update={"prompt": ref})
    return definition.model_copy(update=update)


class Definitions(Sequence[PromptDefinition]):
    """The prompts of one object, in the server's order; immutable.

    Look prompts up by key, id or name (:meth:`get`, :meth:`find`), list one family's
    prompts in order (:meth:`of_family`), or the element prompts on one attribute
    (:meth:`on_attribute`).  Each prompt's ``position`` among its family is set here.

    >>> defs = decode('[{"key": "A@0@10", "id": "0C", "name": "Name", "type": "VALUE"},'
    ...               ' {"key": "B@0@10", "name": "Pay", "type": "VALUE"}]')
    >>> [d.prompt.position for d in defs], defs.get("Pay").key, defs.get("0C").key
    ([1, 2], 'B@0@10', 'A@0@10')
    """

    __slots__ = ("_by_attribute", "_by_family", "_by_id", "_by_key", "_by_name", "_prompts")

    def __init__(self, prompts: Iterable[PromptDefinition] = ()) -> None:
        counts: dict[PromptFamily | None, int] = {}
        placed: list[PromptDefinition] = []
        for definition in prompts:
            if not isinstance(definition, PromptDefinition):
                raise TypeError(f"expected PromptDefinition, not {type(definition).__name__}")
            counts[definition.family] = counts.get(definition.family, 0) + 1
            placed.append(_with_position(definition, counts[definition.family]))
        self._prompts: tuple[PromptDefinition, ...] = tuple(placed)
        self._by_key: dict[str, PromptDefinition] = {}
        self._by_id: dict[str, PromptDefinition] = {}
        self._by_name: dict[str, PromptDefinition] = {}
        self._by_family: dict[PromptFamily | None, tuple[PromptDefinition, ...]] = {}
        self._by_attribute: dict[str, tuple[PromptDefinition, ...]] = {}
        families: dict[PromptFamily | None, list[PromptDefinition]] = {}
        attributes: dict[str, list[PromptDefinition]] = {}
        for definition in self._prompts:
            # The first prompt wins a shared id or name, as the server's lookup would
            # meet it first [INFERRED: the docs only say ids and names may repeat].
            if definition.key is not None:
                self._by_key.setdefault(definition.key, definition)
            if definition.id is not None:
                self._by_id.setdefault(definition.id.upper(), definition)
            if definition.name is not None:
                self._by_name.setdefault(definition.name, definition)
            families.setdefault(definition.family, []).append(definition)
            if definition.family is PromptFamily.ELEMENTS and definition.attribute is not None:
                attributes.setdefault(definition.attribute.upper(), []).append(definition)
        self._by_family = {f: tuple(ds) for f, ds in families.items()}
        self._by_attribute = {a: tuple(ds) for a, ds in attributes.items()}

    @overload
    def __getitem__(self, index: int) -> PromptDefinition: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PromptDefinition]: ...

    def __getitem__(self, index: int | slice) -> PromptDefinition | Sequence[PromptDefinition]:
        return self._prompts[index]

    def __len__(self) -> int:
        return len(self._prompts)

    def __iter__(self) -> Iterator[PromptDefinition]:
        return iter(self._prompts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Definitions):
            return NotImplemented
        return self._prompts == other._prompts

    def __hash__(self) -> int:
        return hash(self._prompts)

    def __repr__(self) -> str:
        return f"Definitions({list(self._prompts)!r})"

    @property
    def prompts(self) -> tuple[PromptDefinition, ...]:
        """All prompts, in order."""
        return self._prompts

    def get(self, identifier: str) -> PromptDefinition | None:
        """The prompt whose key, else id, else name is ``identifier`` (REST's order).

        >>> decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE"}]').get("Year").key
        'K@0@10'
        """
        found = self._by_key.get(identifier)
        if found is None:
            found = self._by_id.get(identifier.upper())
        if found is None:
            found = self._by_name.get(identifier)
        return found

    def find(self, prompt: PromptRef) -> PromptDefinition | None:
        """The prompt an answer names, as the server finds it: by its key if it gives
        one, else by its id, else by its name.  The first identifier given decides.

        >>> defs = decode('[{"key": "K@0@10", "id": "0C", "name": "Year", "type": "VALUE"}]')
        >>> defs.find(PromptRef(name="Year")).key, defs.find(PromptRef(key="X", name="Year"))
        ('K@0@10', None)
        """
        if prompt.key is not None:
            return self._by_key.get(prompt.key)
        if prompt.id is not None:
            return self._by_id.get(prompt.id.upper())
        if prompt.name is not None:
            return self._by_name.get(prompt.name)
        return None

    def of_family(self, family: PromptFamily | str) -> tuple[PromptDefinition, ...]:
        """The prompts of one family, in order (URL positions count among these).

        >>> len(decode('[{"key": "K@0@10", "type": "VALUE"}]').of_family("value"))
        1
        """
        return self._by_family.get(PromptFamily(family), ())

    def at(self, family: PromptFamily | str, position: int) -> PromptDefinition | None:
        """The prompt at a 1-based ``position`` among its family, if there is one."""
        prompts = self.of_family(family)
        return prompts[position - 1] if 1 <= position <= len(prompts) else None

    def on_attribute(self, attribute: str) -> tuple[PromptDefinition, ...]:
        """The element prompts whose attribute (``source``) is ``attribute``, in order."""
        return self._by_attribute.get(attribute.upper(), ())

    def pairs(
        self, answers: Answers, *, strict: bool = False
    ) -> list[tuple[Answer | Row, PromptDefinition | None]]:
        """Each answer (or decoded row, see :mod:`mstr_prompts.model`) with its prompt.

        The lookup rules of :func:`bind`, which :func:`mstr_prompts.validation.validate`
        shares without importing this module: answers that give a key, id or name are
        looked up (None when not found, unless ``strict``, which raises
        :class:`~mstr_prompts.errors.DecodeError`); positional and attribute-only
        answers are bound or raise, since nothing else could tell their prompt.

        >>> from mstr_prompts import url
        >>> defs = decode('[{"key": "K@0@10", "type": "VALUE"}]')
        >>> [(a[2], d.key) for a, d in defs.pairs(url.decode_rows("valuePromptAnswers=2015"))]
        [('2015', 'K@0@10')]
        """
        return _pairs(answers, self, strict=strict)


# --------------------------------------------------------------------------- decoding


# The JSON dialect is REST's: the same helpers (mstr_prompts.vocabulary) read both.


def _number_text(value: int | float) -> str:
    text = getattr(value, "text", None)  # rest.load_json keeps the digits as written
    return text if isinstance(text, str) else repr(value)


def _identity(item: Mapping[str, Any], where: str) -> PromptRef:
    ref = rest.prompt_ref(item, where)
    if not ref.is_identified:
        raise DecodeError(
            "the prompt has no key, id or name, so no answer could ever name it", where=where
        )
    return ref


def _family(item: Mapping[str, Any], where: str) -> PromptFamily | None:
    raw = item.get("type")
    if not isinstance(raw, str):
        got = "no type" if raw is None else f"a type that is {json_kind(raw)}"
        raise DecodeError(
            f"the prompt has {got}",
            where=where,
            hint="type is one of VALUE, ELEMENTS, OBJECTS, EXPRESSION, LEVEL, UNSUPPORTED",
        )
    if raw.upper() == "UNSUPPORTED":
        return None
    family = rest.PROMPT_TYPES.get(raw.upper())
    if family is None:
        raise DecodeError(
            f"unknown prompt type {raw!r}",
            where=where,
            hint="type is one of VALUE, ELEMENTS, OBJECTS, EXPRESSION, LEVEL, UNSUPPORTED",
        )
    return family


def _flag(item: Mapping[str, Any], name: str, where: str) -> bool | None:
    value = item.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise DecodeError(f"{name} must be true or false, not {json_kind(value)}", where=where)


def _optional_text(item: Mapping[str, Any], name: str, where: str) -> str | None:
    value = item.get(name)
    if value is None or isinstance(value, str):
        return value
    raise DecodeError(f"{name} must be a string, not {json_kind(value)}", where=where)


def _value_type(raw: Any, where: str) -> ValueType | None:
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        found = _DATA_TYPE_NUMBERS.get(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        found = (
            _DATA_TYPE_NUMBERS.get(int(text))
            if text.isascii() and text.isdigit() and len(text) < 4
            else _DATA_TYPE_NAMES.get(text.upper())
        )
    else:
        raise DecodeError(
            f"dataType must be a whole number or a name, not {json_kind(raw)}", where=where
        )
    if found is None:
        raise DecodeError(
            f"unknown dataType {raw!r}; its answers could not be checked",
            where=where,
            hint="known: EnumDSSXMLDataType numbers (1 Integer, 3 Numeric, 5 Real, 6 Double, "
            "8 Char, 14 Date, 16 TimeStamp, 30 BigDecimal…) or NUMERIC, DATE, TEXT",
        )
    return found


_MAX_COUNT_DIGITS = 18  # a Java long, what the server can count with


def _count(raw: Any, name: str, where: str, what: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return int(raw)
    text = raw.strip() if isinstance(raw, str) else ""
    if text.lstrip("-").isdigit() and text.isascii():
        if len(text) > _MAX_COUNT_DIGITS:  # int() refuses 4,300 digits with its own error
            raise DecodeError(
                f"{name} has {len(text)} digits, far more than any count", where=where
            )
        return int(text)
    raise DecodeError(f"{name} must be a whole number ({what}), not {raw!r}", where=where)


def _bound(
    raw: Any, name: str, family: PromptFamily | None, value_type: ValueType | None, where: str
) -> Bound | None:
    """Read ``min``/``max`` in the unit the prompt's family and data type give it."""
    if raw is None:
        return None
    if family is not PromptFamily.VALUE:
        if family is PromptFamily.ELEMENTS:
            what = "a number of elements"
        elif family is PromptFamily.OBJECTS:
            what = "a number of objects"
        else:
            what = "a number of qualifications"
        return _count(raw, name, where, what)
    if value_type is ValueType.STRING:
        return _count(raw, name, where, "a text length")
    if value_type is ValueType.BOOLEAN:
        raise DecodeError(f"a boolean prompt has no {name}, got {raw!r}", where=where)
    text = _number_text(raw) if is_json_number(raw) else raw
    if not isinstance(text, str):
        raise DecodeError(f"{name} must be a number or a date, not {json_kind(raw)}", where=where)
    if value_type in (ValueType.LONG, ValueType.DOUBLE, ValueType.BIG_DECIMAL) or (
        value_type is None and is_json_number(raw)
    ):
        number = parse_number(text)
        if number is None:
            raise DecodeError(f"{name} {raw!r} is not a number", where=where)
        return number
    date = parse_date(text)
    if date is None:
        if date_out_of_range(text):
            raise DecodeError(
                f"{name} {raw!r} is outside the dates that can be compared ({DATE_RANGE} in UTC)",
                where=where,
            )
        if value_type is None:
            raise DecodeError(
                f"{name} {raw!r} is neither a number nor an ISO date, and the prompt has no "
                "dataType to say which it should be",
                where=where,
            )
        raise DecodeError(f"{name} {raw!r} is not an ISO date", where=where)
    return date


def _answer(
    item: Mapping[str, Any], name: str, ref: PromptRef, family: PromptFamily | None, where: str
) -> Answer | None:
    """The definition's ``answers``/``defaultAnswer`` as a model answer; None when empty."""
    raw = item.get(name)
    if raw is None or family is None:
        return None
    try:
        answer = rest.decode_answers(ref, family, raw, where=f"{where}: {name}")
    except DecodeError as exc:
        raise DecodeError(exc.message, where=exc.where, hint=exc.hint) from None
    return None if isinstance(answer, Close) else answer


def _definition(item: Any, index: int) -> PromptDefinition:
    where = f"definitions: prompts[{index}]"
    if not isinstance(item, dict):
        raise DecodeError(
            f"a prompt definition must be an object, not {json_kind(item)}", where=where
        )
    ref = _identity(item, where)
    where = f"{where} ({ref.describe()})"
    family = _family(item, where)
    value_type = _value_type(item.get("dataType"), where)
    attribute = attribute_name = None
    source = item.get("source")
    if source is not None:
        if not isinstance(source, dict):
            raise DecodeError(f"source must be an object, not {json_kind(source)}", where=where)
        attribute = _optional_text(source, "id", f"{where}: source")
        attribute_name = _optional_text(source, "name", f"{where}: source")
    if family is PromptFamily.ELEMENTS and attribute is not None and not _GUID.fullmatch(attribute):
        raise DecodeError(f"source.id {attribute!r} is not an attribute GUID", where=where)
    required = _flag(item, "required", where)
    try:
        return _built(item, ref, family, value_type, attribute, attribute_name, required, where)
    except ValidationError as exc:  # a model rule the reading above did not foresee
        raise DecodeError(validation_message(exc, locations=True), where=where) from None


def _built(
    item: Mapping[str, Any],
    ref: PromptRef,
    family: PromptFamily | None,
    value_type: ValueType | None,
    attribute: str | None,
    attribute_name: str | None,
    required: bool | None,
    where: str,
) -> PromptDefinition:
    fields: dict[str, Any] = {  # every field, in declaration order (_trusted.build)
        "prompt": ref,
        "family": family,
        "title": _optional_text(item, "title", where),
        "required": bool(required),
        "closed": _flag(item, "closed", where),
        "min": _bound(item.get("min"), "min", family, value_type, where),
        "max": _bound(item.get("max"), "max", family, value_type, where),
        "data_type": item.get("dataType") if isinstance(item.get("dataType"), (int, str)) else None,
        "value_type": value_type,
        "attribute": attribute,
        "attribute_name": attribute_name,
        "default": _answer(item, "defaultAnswer", ref, family, where),
        "current": _answer(item, "answers", ref, family, where),
    }
    if _TRUSTED and _unchanged_by_validation(fields):
        return build(PromptDefinition, fields)
    return PromptDefinition(**fields)


# Definitions are read as they are written (the fields above), and pydantic's validation
# of a PromptDefinition then only checks them: building its schema (and PromptRef's) is
# about 30 ms of a one-file `convert --definitions`, more than reading the definitions.
# So fields that validation would accept unchanged build the instance directly; anything
# else (a text with a lone surrogate, a bound in another unit) takes the validated path,
# which normalizes or raises as always.  Tests turn this off to hold the two paths equal.
_TRUSTED = True


def _is_text_or_none(value: Any) -> bool:
    return value is None or (type(value) is str and is_text(value))


def _unchanged_by_validation(fields: Mapping[str, Any]) -> bool:
    """True when ``PromptDefinition(**fields)`` would keep every field as given: what the
    model's fields and its validators (``_base.Model``'s text check, the bounds' unit)
    accept without a change."""
    family, value_type = fields["family"], fields["value_type"]
    data_type = fields["data_type"]
    if not (
        type(fields["prompt"]) is PromptRef
        and (family is None or type(family) is PromptFamily)
        and (value_type is None or type(value_type) is ValueType)
        and type(fields["required"]) is bool
        and (fields["closed"] is None or type(fields["closed"]) is bool)
        and _is_text_or_none(fields["title"])
        and _is_text_or_none(fields["attribute"])
        and _is_text_or_none(fields["attribute_name"])
        and (type(data_type) is int or _is_text_or_none(data_type))
        and all(
            fields[side] is None or isinstance(fields[side], ANSWER_CLASSES)
            for side in ("default", "current")
        )
    ):
        return False
    # _bounds_in_their_unit, as a test: a number bound of a numeric value prompt is a
    # finite Decimal, a date bound (value prompts only) an aware UTC datetime, any other
    # bound an int.
    numeric = family is PromptFamily.VALUE and value_type not in (
        ValueType.STRING,
        ValueType.DATE,
        ValueType.BOOLEAN,
    )
    for side in ("min", "max"):
        bound = fields[side]
        if bound is None:
            continue
        if type(bound) is datetime:
            if family is not PromptFamily.VALUE or bound.tzinfo is not timezone.utc:
                return False
        elif type(bound) is Decimal:
            if not (numeric and bound.is_finite()):
                return False
        elif type(bound) is not int or numeric:
            return False
    return True


def decode(
    source: str | bytes | bytearray | Mapping[str, Any] | Sequence[Any],
) -> Definitions:
    """Read prompt definitions: the response of ``GET …/prompts``.

    ``source`` is JSON text or UTF-8 bytes, or the parsed value: the array the endpoint
    returns, the subscription form ``{"prompts": [...]}``, or one definition object.
    Every spelling the REST docs use is accepted: ``dataType`` as a number or a name,
    ``min``/``max`` as numbers, ISO dates or text lengths, ``defaultAnswer``/``answers``
    as one object or an array, no ``id``, no ``closed``.  Unknown fields are ignored, as
    a client should ignore what a newer server adds.  Malformed input raises
    :class:`~mstr_prompts.errors.DecodeError` saying where.

    >>> defs = decode(b'{"prompts": [{"key": "K@0@10", "name": "Name", "type": "VALUE",'
    ...               b' "dataType": 8, "defaultAnswer": "Darren"}]}')
    >>> defs[0].value_type, defs[0].default.value
    (<ValueType.STRING: 'string'>, 'Darren')
    >>> decode('[{"key": "K@0@10", "type": "VALUE", "dataType": "DATE", "min": "soon"}]')
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: definitions: prompts[0] (prompt K@0@10): min 'soon' is not an ISO date
    """
    if isinstance(source, (str, bytes, bytearray, Mapping, list, tuple)):
        document = rest.load_json(source, source="definitions")
    else:
        raise DecodeError(
            f"expected JSON text, bytes, a list or a dict, not {type(source).__name__}",
            where="definitions",
        )
    if isinstance(document, dict):
        if ENVELOPE in document:
            document = document[ENVELOPE]
            if not isinstance(document, list):
                raise DecodeError(
                    f'"prompts" must be an array, not {json_kind(document)}', where="definitions"
                )
        elif "type" in document:
            document = [document]  # one definition, as the docs print many of them
        else:
            raise DecodeError(
                'expected an array of prompt definitions, {"prompts": [...]}, or one '
                "definition with a type",
                where="definitions",
            )
    if not isinstance(document, list):
        raise DecodeError(
            f"expected an array of prompt definitions, not {json_kind(document)}",
            where="definitions",
        )
    return Definitions(_definition(item, i) for i, item in enumerate(document))


# --------------------------------------------------------------------------- binding


# Decoders may hand over answers as checked compact rows whose models are built on first
# use (model.deferred).  Binding and validation read a row's few facts directly and
# write rows back, so a 10,000-element answer never has to become 10,000 models here.
Item = Answer | Row
"""An answer, or a decoder's row standing for one."""

_ROW_FAMILY = {
    VALUE_ROW: PromptFamily.VALUE,
    ELEMENTS_ROW: PromptFamily.ELEMENTS,
    OBJECTS_ROW: PromptFamily.OBJECTS,
}


def answers_given(answers: object, where: str) -> None:
    """Refuse, with the library's error, what is neither an AnswerSet nor a RowSet.

    >>> answers_given({"prompts": []}, "bind")
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: bind: the answers must be an AnswerSet or a RowSet (a decoder's result), not dict
    """
    if not isinstance(answers, (AnswerSet, RowSet)):
        raise DecodeError(
            "the answers must be an AnswerSet or a RowSet (a decoder's result), "
            f"not {type(answers).__name__}",
            where=where,
        )


def _items(answers: Answers) -> tuple[Item, ...]:
    answers_given(answers, "bind")
    pending = pending_rows(answers)  # a RowSet's items, or a decoded set's rows
    if pending is None:
        # A set built by hand: its answers are a tuple, kept as it is.
        return tuple(answers.answers)  # type: ignore[union-attr]  # a RowSet always has rows
    rows: Sequence[Item] = pending  # read as rows, like a set's
    # A prompt's state (open, default, closed) is read as its model, as binding and
    # validation know them.
    return tuple(answer_of(i) if type(i) is tuple and i[0] in STATE_ROWS else i for i in rows)


def _family_of(item: Item) -> PromptFamily | None:
    if type(item) is tuple:
        return _ROW_FAMILY[item[0]]
    family: PromptFamily | None = getattr(item, "family", None)
    return family


def _ref_of(item: Item) -> PromptRef:
    return prompt_of(item) if type(item) is tuple else item.prompt  # type: ignore[union-attr]


def _attribute_only(item: Item) -> str | None:
    """The attribute of an element answer that names its prompt by attribute alone."""
    ref = _ref_of(item)
    if ref.is_identified or ref.position is not None:
        return None
    if type(item) is tuple:
        # An element row's attribute is the one its model would have (every element
        # carries it); value and object rows have none.
        return item[2] if item[0] == ELEMENTS_ROW else None
    if isinstance(item, (ElementAnswer, Close)):
        return item.attribute
    return None


def _same_answer(a: Item, b: Item) -> bool:
    """``answer_of(a) == answer_of(b)``, without building two element rows' models."""
    if type(a) is tuple and type(b) is tuple:
        return _row_identity(a) == _row_identity(b)
    return answer_of(a) == answer_of(b)


def _row_identity(row: Row) -> tuple[Any, ...]:
    # A row's parts map one to one onto its model's fields (model.py, "Deferred
    # answers": plain element keys split on ":" alone, each name None or a str), so two
    # rows are equal models exactly when these are equal; the prompt is normalised
    # (a key string or a PromptRef) and lists compare as the model's tuples.
    return (row[0], prompt_of(row), *(tuple(p) if type(p) is list else p for p in row[2:]))


def _describe(item: Item) -> str:
    if type(item) is tuple:
        # What the row's model would say (_AnswerBase.describe), without building it.
        return prompt_of(item).describe(_ROW_FAMILY[item[0]].value)
    return item.describe()  # type: ignore[union-attr]


def _give(item: Item, definition: PromptDefinition, where: str) -> Item:
    """The answer (or row) naming ``definition``'s prompt, with what the definition adds."""
    family = _family_of(item)
    if definition.family is None:
        raise NotRepresentableError(
            f"{definition.describe()} is of type UNSUPPORTED: REST cannot answer it",
            prompt=_describe(item),
            target=where,
        )
    if family is not None and family is not definition.family:
        raise DecodeError(
            f"{_describe(item)}: the answer is of type {_TYPE_OF[family]}, but "
            f"{definition.describe()} is {with_article(definition.type)} prompt",
            where=where,
        )
    ref = definition.prompt
    if type(item) is tuple:
        if item[0] == VALUE_ROW and item[3] is None:
            return (VALUE_ROW, ref, item[2], definition.value_type)
        return (item[0], ref, *item[2:])
    answer: Answer = item  # type: ignore[assignment]
    update: dict[str, Any] = {"prompt": ref}
    if isinstance(answer, ObjectAnswer) and answer.untyped:
        # An object answered without its type (mstrio-py's documented spelling) takes
        # it from the objects the definition lists; others stay untyped.
        answer = answer.with_types({o.id: o.type for o in definition.objects if o.type is not None})
    if type(answer) is ValueAnswer and type(answer.value) is str:
        # Bound as a decoder's value row is (the same answer when read): a Web link's
        # positional answers are models, and copying each one costs more than the rest
        # of binding it.
        value_type = answer.type if answer.type is not None else definition.value_type
        return (VALUE_ROW, ref, answer.value, value_type)
    if type(answer) is ObjectAnswer and not answer.untyped:
        return (OBJECTS_ROW, ref, [(o.id, o.type, o.name) for o in answer.objects])
    if isinstance(answer, ValueAnswer) and answer.type is None:
        update["type"] = definition.value_type
    elif isinstance(answer, (Close, UseDefault, Unanswered)) and family is None:
        update["family"] = definition.family
    if (
        isinstance(answer, ElementAnswer)
        and answer.attribute is None
        and definition.attribute is not None
    ):
        return ElementAnswer.of(ref, definition.attribute, answer.elements)
    if (
        isinstance(answer, Close)
        and definition.family is PromptFamily.ELEMENTS
        and answer.attribute is None
        and definition.attribute is not None
    ):
        update["attribute"] = definition.attribute
    return answer.model_copy(update=update)


def _pairs(
    answers: Answers, definitions: Definitions, *, strict: bool
) -> list[tuple[Item, PromptDefinition | None]]:
    """Each answer (or row) with the prompt it answers.

    Answers that give a key, id or name are looked up (None when not found, unless
    ``strict``, which raises); positional and attribute-only answers are bound or
    raise, since nothing else could tell their prompt.
    """
    pairs: list[tuple[Item, PromptDefinition | None]] = []
    by_attribute: dict[str, Item] = {}
    for index, item in enumerate(_items(answers)):
        # Rows are read as rows (binding without building): a row's prompt, family and
        # attribute are the fields its model would have, so both take the same path.
        where = f"bind: answers[{index}]"
        ref = _ref_of(item)
        if ref.is_identified:
            definition = definitions.find(ref)
            if definition is None and strict:
                raise DecodeError(
                    f"{_describe(item)} matches no prompt of the definitions "
                    f"(looked up by {identified_by(ref)})",
                    where=where,
                )
            pairs.append((item, definition))
            continue
        family = _family_of(item)
        if ref.position is not None:
            if family is None:
                raise DecodeError(
                    f"{_describe(item)} has a position but no family to count it in",
                    where=where,
                )
            definition = definitions.at(family, ref.position)
            if definition is None:
                if isinstance(item, Unanswered):
                    # An empty slot past the last prompt (a trailing "^"): it answers
                    # nothing, and the Web server ignores it too.
                    continue
                count = len(definitions.of_family(family))
                raise DecodeError(
                    f"{_describe(item)}: the definitions have {count} {family.value} "
                    f"prompt{'' if count == 1 else 's'}, so there is no #{ref.position}",
                    where=where,
                    hint="value and object answers in a URL are matched by their place "
                    "among the prompts of their family; check the definitions belong to "
                    "this report",
                )
            pairs.append((item, definition))
            continue
        attribute = _attribute_only(item)
        if attribute is None and isinstance(item, Unanswered):
            # An empty elementsPromptAnswers: an open slot of no prompt in particular.  It
            # answers nothing (the element prompts are asked), like a slot past the end.
            continue
        if attribute is None:
            raise DecodeError(
                f"{_describe(item)} does not say which prompt it answers "
                "(no key, id, name, position or attribute)",
                where=where,
            )
        prompts = definitions.on_attribute(attribute)
        if not prompts:
            raise DecodeError(
                f"no element prompt of the definitions is on attribute {attribute}, "
                "so the element answer matches no prompt",
                where=where,
            )
        earlier = by_attribute.get(attribute.upper())
        if earlier is not None:
            if _same_answer(earlier, item):
                continue  # the same answer again: it already answers those prompts
            names = ", ".join(d.describe() for d in prompts)
            raise DecodeError(
                f"two different answers for attribute {attribute}; element answers are "
                f"matched by attribute, and the prompt(s) on it ({names}) can take only one",
                where=where,
            )
        by_attribute[attribute.upper()] = item
        # The Web server matches by attribute, so it gives the answer to every element
        # prompt on that attribute; it cannot tell them apart (docs/url.md, "elementsPromptAnswers").
        pairs.extend((item, definition) for definition in prompts)
    return pairs


def bind(answers: Answers, definitions: Definitions) -> AnswerSet:
    """Give every answer its prompt's identity (key, id, name and position).

    * URL value and object answers by their position among the prompts of their family;
    * URL element answers, and closed element prompts, by attribute: an answer goes to
      every element prompt on its attribute (the Web server cannot tell them apart), so
      two different answers for one attribute are an error;
    * answers that give a key, id or name by REST's rule: key, else id, else name.

    Order and meaning are kept; unanswered slots stay unanswered, and the definitions
    add what the answer lacked (a value answer's data type, an element answer's
    attribute, the family of a bare close or use-default, the type of an object the
    definition lists).  An answer that matches no
    prompt, or whose family is not its prompt's, raises
    :class:`~mstr_prompts.errors.DecodeError` naming both.

    >>> from mstr_prompts import url, rest
    >>> defs = decode('[{"key": "A@0@10", "name": "Metrics", "type": "OBJECTS"}]')
    >>> bound = bind(url.decode("objectsPromptAnswers=4C051DB611D3E877C000B3B2D86C964F~4~Profit"), defs)
    >>> rest.encode(bound)["prompts"][0]["key"]
    'A@0@10'
    """
    answers_given(answers, "bind")
    if answers.rounds is not None:
        # Each round is bound on its own, so rounds are never merged (Library links).
        return AnswerSet.from_rounds([bind(part, definitions) for part in answers.by_round()])
    pairs = _pairs(answers, definitions, strict=True)
    bound = tuple(
        _give(answer, definition, f"bind: answers[{index}]")
        for index, (answer, definition) in enumerate(pairs)
        if definition is not None
    )
    return deferred(bound, mode=answers.mode, locale=answers.locale)


# --------------------------------------------------------------------------- completing

_MODE_POLICY: dict[AnswerMode, Missing] = {
    AnswerMode.ALL_PROMPTS_USE_DEFAULT_ANSWER: "default",
    AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER: "close",
}


def _fill(definition: PromptDefinition, policy: Missing) -> Answer | None:
    """The explicit answer ``policy`` gives a prompt left out, or None if it cannot."""
    family = definition.family
    if policy == "default" and definition.has_default:
        return UseDefault(prompt=definition.prompt, family=family)
    if policy in ("default", "close") and not definition.required:
        return Close(
            prompt=definition.prompt,
            family=family,
            attribute=definition.attribute
            if family is PromptFamily.ELEMENTS and definition.attribute is not None
            else None,
        )
    return None


def complete(answers: Answers, definitions: Definitions, missing: Missing = "default") -> AnswerSet:
    """Bind the answers and answer every prompt they leave out, explicitly.

    A prompt is left out when no answer names it or its answer is an unanswered slot.
    ``missing`` decides what it gets:

    * ``"default"``: its default answer (``useDefault``); an optional prompt without a
      default is closed;
    * ``"close"``: optional prompts are closed;
    * ``"error"``: nothing.

    A prompt the policy cannot answer (a required prompt with no default, under
    ``"close"`` a required prompt, under ``"error"`` any) raises
    :class:`~mstr_prompts.errors.PromptsOutstanding` naming all of them.  An answer the
    user gave is never changed.  The answer mode of a URL becomes explicit answers:
    ``promptAnswerMode=1`` completes with ``"default"`` and ``2`` with ``"close"``,
    whatever ``missing`` says, and the result carries no mode.  Prompts the definitions
    mark ``closed`` (already answered in the instance) and UNSUPPORTED ones are left
    alone.

    >>> defs = decode('[{"key": "A@0@10", "type": "VALUE", "required": true, "defaultAnswer": "7"},'
    ...               ' {"key": "B@0@10", "type": "ELEMENTS", "required": false}]')
    >>> [a.kind for a in complete(AnswerSet(), defs)]
    ['use_default', 'close']
    """
    if missing not in ("default", "close", "error"):
        raise ValueError(f"missing must be 'default', 'close' or 'error', not {missing!r}")
    answers_given(answers, "complete")
    if answers.rounds is not None:
        # The definitions describe one round's prompts; completing several rounds
        # against them would put every missing prompt in one round.
        raise NotRepresentableError(
            f"the answers are in {len(answers.rounds)} prompting rounds; the definitions "
            "describe one round",
            target="complete",
            hint=Hint(
                "complete each round against its own definitions: AnswerSet.by_round()", cli=False
            ),
        )
    policy = missing
    if answers.mode is not None:
        if answers.mode is AnswerMode.DO_NOT_PASS_PROMPT_ANSWERS:
            raise NotRepresentableError(
                "promptAnswerMode 0 (DO_NOT_PASS_PROMPT_ANSWERS) tells the Web server to "
                "ignore the answers, which explicit answers cannot say",
                target="complete",
                hint="drop promptAnswerMode from the link if the answers should be used",
            )
        policy = _MODE_POLICY.get(answers.mode, missing)
    pairs = _pairs(answers, definitions, strict=True)
    answered: set[int] = set()
    slots: dict[int, int] = {}  # definition -> index in out of its unanswered slot
    out: list[Item] = []
    for index, (answer, definition) in enumerate(pairs):
        assert definition is not None  # strict pairs
        given = _give(answer, definition, f"bind: answers[{index}]")
        if isinstance(given, Unanswered):
            if id(definition) not in answered and id(definition) not in slots:
                slots[id(definition)] = len(out)
                out.append(given)
            continue
        answered.add(id(definition))
        out.append(given)
    outstanding: list[PromptDefinition] = []
    extra: list[Item] = []
    drop: set[int] = set()
    for definition in definitions:
        if id(definition) in answered or definition.closed or definition.family is None:
            if id(definition) in slots and id(definition) in answered:
                drop.add(slots[id(definition)])
            continue
        fill = _fill(definition, policy)
        if fill is None:
            outstanding.append(definition)
        elif id(definition) in slots:
            out[slots[id(definition)]] = fill
        else:
            extra.append(fill)
    if outstanding:
        reason = {
            "default": "required and without a default answer, and no answer was given",
            "close": "required, so it cannot be closed, and no answer was given",
            "error": "no answer was given",
        }[policy]
        if answers.mode is not None:
            # The link's mode decides, whatever `missing` says: say so, so that the hint
            # is not "--missing …", which would change nothing.
            reason += (
                f" (the link's promptAnswerMode={int(answers.mode)} decides what the prompts "
                "it leaves out get, whatever the missing policy says)"
            )
        raise PromptsOutstanding(
            [d.prompt for d in outstanding],
            reason,
            hint=_outstanding_hint(outstanding, policy, answers.mode),
        )
    kept = [a for i, a in enumerate(out) if i not in drop]
    return deferred(tuple(kept + extra), mode=None, locale=answers.locale)


def _outstanding_hint(
    outstanding: Sequence[PromptDefinition], policy: Missing, mode: AnswerMode | None
) -> Hint:
    """Only the policies that would answer every outstanding prompt are offered, and
    under a link's answer mode only together with dropping it (the mode wins)."""
    works = [
        option
        for option, fits in (
            ("default", all(d.has_default or not d.required for d in outstanding)),
            ("close", not any(d.required for d in outstanding)),
        )
        if fits and option != policy
    ]
    if not works:
        return Hint("answer these prompts: no missing policy can (they are required)")
    options = [Option("missing", option) for option in works]
    spelled = " or ".join(f"{{{i}}}" for i in range(len(options)))
    if mode is not None:
        return Hint(
            f"answer these prompts, or drop promptAnswerMode from the link and use {spelled}",
            *options,
        )
    return Hint(f"answer these prompts, or use {spelled}", *options)


def inline_defaults(answers: AnswerSet, definitions: Definitions) -> AnswerSet:
    """Replace each ``useDefault`` by the prompt's default answer, spelled out.

    Prompt-answer XML and Web URL parameters cannot say "use the default answer" for one
    prompt; the default itself they can carry (mstrio-py does the same for REST: it
    copies ``defaultAnswer`` into ``answers``).  The answers must be bound.

    >>> defs = decode('[{"key": "K@0@10", "type": "VALUE", "defaultAnswer": "7"}]')
    >>> inline_defaults(complete(AnswerSet(), defs), defs)[0].value
    '7'
    """
    spelled: list[Item] = []
    for index, answer in enumerate(_items(answers)):
        if isinstance(answer, UseDefault):
            definition = definitions.find(answer.prompt)
            if definition is None:
                raise DecodeError(
                    f"{answer.describe()} matches no prompt of the definitions",
                    where=f"defaults: answers[{index}]",
                )
            if definition.default is None:
                raise NotRepresentableError(
                    f"{definition.describe()} has no default answer to spell out",
                    prompt=answer.describe(),
                )
            spelled.append(_give(definition.default, definition, f"defaults: answers[{index}]"))
        else:
            spelled.append(answer)
    # One answer for one: the rounds still describe the answers, and must stay, or the
    # encoders that refuse several rounds would merge them silently.
    spelled_set = deferred(tuple(spelled), mode=answers.mode, locale=answers.locale)
    if answers.rounds is None:
        return spelled_set
    return spelled_set.model_copy(update={"rounds": answers.rounds})


def prepare(
    answers: AnswerSet,
    definitions: Definitions,
    *,
    missing: Missing | None = None,
    validate: bool = True,
    keep_mode: bool = False,
) -> AnswerSet:
    """Make answers ready to send: bind, complete, check (what ``--definitions`` does).

    The answers are bound; completed with ``missing`` when it is given, or when they
    carry an answer mode and ``keep_mode`` is False (a REST body or XML cannot carry
    one; a Web link can); then checked, unless ``validate`` is False, raising
    :class:`~mstr_prompts.errors.AnswersRejected` with every problem.

    >>> from mstr_prompts import url
    >>> defs = decode('[{"key": "K@0@10", "name": "Pay", "type": "VALUE", "dataType": 6, "max": 500}]')
    >>> prepare(url.decode("valuePromptAnswers=30&promptAnswerMode=1"), defs)[0].prompt.key
    'K@0@10'
    >>> prepare(url.decode("valuePromptAnswers=900"), defs)
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.AnswersRejected: K@0@10: ERR006: The value(900) provided for prompt name: Pay key: K@0@10 exceeds the maximum allowed value(500}
    """
    decided = _MODE_POLICY.get(answers.mode) if answers.mode is not None else None
    if missing is not None and decided is not None and decided != missing and not keep_mode:
        # The mode wins (docs/definitions.md, "Completing the answers"): say so.
        warnings.warn(
            ModeWarning(
                f"the link's promptAnswerMode={int(answers.mode or 0)} decides what the "
                f"prompts it leaves out get ({decided}); the missing policy {missing!r} is not used"
            ),
            stacklevel=2,
        )
    try:
        if missing is not None or (answers.mode is not None and not keep_mode):
            ready = complete(answers, definitions, missing or "default")
        else:
            ready = bind(answers, definitions)
    except PromptAnswerError:
        # One judge: binding stops at an unknown key or a wrong type in its own words, and
        # completing at a prompt left out; the server judges the answers given first, so
        # what validate finds in them is the verdict (the same problems, messages and
        # exit status as `mstr-prompts validate`).
        if validate:
            try:
                problems = check_problems(answers, definitions)
            except PromptAnswerError:
                problems = ()  # not even validate can place them: the first error stands
            if problems:
                raise AnswersRejected(problems) from None
        raise
    if validate:
        check(ready, definitions)
    return ready
