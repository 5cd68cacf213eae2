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
* :func:`complete` decides explicitly what happens to the prompts the answers leave out;
* :func:`prepare` does all three, as ``--definitions`` does, and :func:`prepare_rows`
  the same keeping a decoder's rows as rows where it can.

The prompts are held as plain :class:`PromptRecord` values and each
:class:`PromptDefinition` (a pydantic model) is built when first asked for, so binding
and checking a decoder's rows builds no model and loads no model class.

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

import json
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import ValidationError  # pydantic_core's: loads no model machinery

from . import rest
from ._prompt_naming import PromptNaming
from ._trusted import TRUSTED, build
from .element_text import GUID_PATTERN
from .enums import AnswerMode, PromptFamily, ValueType
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
from .row_kinds import CLOSE_ROW, ELEMENTS_ROW, OBJECTS_ROW, VALUE_ROW, VALUES_ROW, Row
from .rows import STATE_ROWS, Ref, RowSet, describe_row, pending_rows
from .rules import is_text
from .validation import (
    DATE_RANGE,
    check,
    date_out_of_range,
    parse_date,
    parse_number,
    validate,
)
from .validation import validate as check_problems
from .vocabulary import identified_by, is_json_number, json_kind

if TYPE_CHECKING:
    from ._definition_model import PromptDefinition
    from ._problem import Problem
    from .model import Answer, AnswerSet, PromptRef
    from .rows import Answers

__all__ = [
    "AnswersRejected",
    "Bound",
    "Definitions",
    "Missing",
    "Problem",
    "PromptDefinition",
    "PromptRecord",
    "answers_given",
    "bind",
    "check",
    "complete",
    "decode",
    "inline_defaults",
    "prepare",
    "prepare_rows",
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


# The subscription form of the definitions (GET /api/subscriptions/{id}/prompts).
ENVELOPE = "prompts"
"""The key of the definitions' envelope, ``{"prompts": [...]}`` (public for the schema)."""


class PromptRecord(PromptNaming):
    """One prompt as ``GET …/prompts`` describes it, as a plain immutable value.

    What :func:`decode` reads, and what binding and checking a decoder's rows use (see
    :meth:`Definitions.plain_pairs`): the fields of :class:`PromptDefinition` but the
    default and current answers (``has_default`` says whether there is a default),
    with ``prompt`` a :class:`~mstr_prompts.rows.Ref` and ``index`` the prompt's place
    in its :class:`Definitions`.  No pydantic model is built to read, bind or check
    with it; ``definitions[record.index]`` is its :class:`PromptDefinition`.

    >>> record = decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE",'
    ...                 ' "dataType": "NUMERIC", "max": 2030}]').records[0]
    >>> record.prompt.position, record.type, record.max, record.describe()
    (1, 'VALUE', Decimal('2030'), "prompt 'Year' (key K@0@10)")
    """

    __slots__ = (
        "_source",
        "attribute",
        "attribute_name",
        "closed",
        "data_type",
        "family",
        "has_default",
        "index",
        "max",
        "min",
        "prompt",
        "required",
        "title",
        "value_type",
    )

    # The fields a record is compared, hashed, printed and copied by.
    _FIELDS = __slots__[1:]

    prompt: Ref
    family: PromptFamily | None
    title: str | None
    required: bool
    closed: bool | None
    min: Bound | None
    max: Bound | None
    data_type: int | str | None
    value_type: ValueType | None
    attribute: str | None
    attribute_name: str | None
    has_default: bool
    index: int
    _source: Mapping[str, Any] | None

    def __init__(
        self,
        prompt: Ref,
        family: PromptFamily | None,
        *,
        title: str | None = None,
        required: bool = False,
        closed: bool | None = None,
        min: Bound | None = None,  # the field names of PromptDefinition
        max: Bound | None = None,
        data_type: int | str | None = None,
        value_type: ValueType | None = None,
        attribute: str | None = None,
        attribute_name: str | None = None,
        has_default: bool = False,
        index: int = 0,
    ) -> None:
        values = (
            ("prompt", prompt),
            ("family", family),
            ("title", title),
            ("required", required),
            ("closed", closed),
            ("min", min),
            ("max", max),
            ("data_type", data_type),
            ("value_type", value_type),
            ("attribute", attribute),
            ("attribute_name", attribute_name),
            ("has_default", has_default),
            ("index", index),
        )
        for name, value in values:
            object.__setattr__(self, name, value)
        # The definition's JSON when it has answers (read, as rows, to be valid), from
        # which its PromptDefinition is read on first use (the answers are models).
        object.__setattr__(self, "_source", None)

    @classmethod
    def of(cls, definition: PromptDefinition, index: int = 0) -> PromptRecord:
        """The record of a :class:`PromptDefinition`.

        >>> d = decode('[{"key": "K@0@10", "type": "VALUE", "defaultAnswer": "7"}]')[0]
        >>> PromptRecord.of(d).has_default, PromptRecord.of(d).prompt
        (True, Ref(key='K@0@10', id=None, name=None, position=1))
        """
        ref = definition.prompt
        return cls(
            Ref.of(ref.key, ref.id, ref.name, ref.position),
            definition.family,
            title=definition.title,
            required=definition.required,
            closed=definition.closed,
            min=definition.min,
            max=definition.max,
            data_type=definition.data_type,
            value_type=definition.value_type,
            attribute=definition.attribute,
            attribute_name=definition.attribute_name,
            has_default=definition.default is not None,
            index=index,
        )

    def _placed(self, position: int, index: int) -> PromptRecord:
        """The record at its place in its definitions."""
        ref = self.prompt
        return PromptRecord._of_source(
            self._source,
            Ref.of(ref.key, ref.id, ref.name, position),
            self.family,
            title=self.title,
            required=self.required,
            closed=self.closed,
            min=self.min,
            max=self.max,
            data_type=self.data_type,
            value_type=self.value_type,
            attribute=self.attribute,
            attribute_name=self.attribute_name,
            has_default=self.has_default,
            index=index,
        )

    @staticmethod
    def _of_source(source: Mapping[str, Any] | None, *args: Any, **fields: Any) -> PromptRecord:
        record = PromptRecord(*args, **fields)
        object.__setattr__(record, "_source", source)
        return record

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a PromptRecord is immutable; cannot set {name!r}")

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __reduce__(self) -> tuple[Any, ...]:
        # Copied and pickled through the constructor: __setattr__ refuses the default way.
        fields = dict(zip(self._FIELDS, self._fields(), strict=True))
        prompt, family = fields.pop("prompt"), fields.pop("family")
        return (_restored_record, (self._source, prompt, family, fields))

    def __eq__(self, other: object) -> bool:
        if type(other) is not PromptRecord:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"PromptRecord({fields})"


def _restored_record(
    source: Mapping[str, Any] | None,
    prompt: Ref,
    family: PromptFamily | None,
    fields: dict[str, Any],
) -> PromptRecord:
    """A copied or unpickled PromptRecord."""
    return PromptRecord._of_source(source, prompt, family, **fields)


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


def _model_of(record: PromptRecord) -> PromptDefinition:
    """The PromptDefinition of a record :func:`decode` read: with answers, read from its
    JSON as decode reads a model (then placed); without, built directly, every field as
    validation would keep it (decode checked)."""
    from ._definition_model import PromptDefinition
    from .model import PromptRef

    if record._source is not None:
        model = _definition(record._source, record.index, plain=False)
        assert not isinstance(model, PromptRecord)
        return _with_position(model, record.prompt.position or 1)

    ref = record.prompt
    prompt = build(
        PromptRef, {"key": ref.key, "id": ref.id, "name": ref.name, "position": ref.position}
    )
    fields: dict[str, Any] = {  # every field, in declaration order (_trusted.build)
        "prompt": prompt,
        "family": record.family,
        "title": record.title,
        "required": record.required,
        "closed": record.closed,
        "min": record.min,
        "max": record.max,
        "data_type": record.data_type,
        "value_type": record.value_type,
        "attribute": record.attribute,
        "attribute_name": record.attribute_name,
        "default": None,
        "current": None,
    }
    return build(PromptDefinition, fields)


class Definitions(Sequence["PromptDefinition"]):
    """The prompts of one object, in the server's order; immutable.

    Look prompts up by key, id or name (:meth:`get`, :meth:`find`), list one family's
    prompts in order (:meth:`of_family`), or the element prompts on one attribute
    (:meth:`on_attribute`).  Each prompt's ``position`` among its family is set here.

    The prompts are held as plain :class:`PromptRecord` values (:attr:`records`); each
    :class:`PromptDefinition` is built when first asked for, so that binding and
    checking a decoder's rows (:meth:`plain_pairs`) builds no model.

    >>> defs = decode('[{"key": "A@0@10", "id": "0C", "name": "Name", "type": "VALUE"},'
    ...               ' {"key": "B@0@10", "name": "Pay", "type": "VALUE"}]')
    >>> [d.prompt.position for d in defs], defs.get("Pay").key, defs.get("0C").key
    ([1, 2], 'B@0@10', 'A@0@10')
    """

    __slots__ = (
        "_by_attribute",
        "_by_family",
        "_by_id",
        "_by_key",
        "_by_name",
        "_models",
        "_records",
    )

    def __init__(self, prompts: Iterable[PromptDefinition] = ()) -> None:
        items: list[PromptDefinition | PromptRecord] = []
        for definition in prompts:
            from ._definition_model import PromptDefinition

            if not isinstance(definition, PromptDefinition):
                raise TypeError(f"expected PromptDefinition, not {type(definition).__name__}")
            items.append(definition)
        self._fill(items)

    @classmethod
    def _read(cls, items: Iterable[PromptDefinition | PromptRecord]) -> Definitions:
        """Definitions of what :func:`decode` read: records, and models where a prompt
        has default or current answers (or was read through validation)."""
        new = cls.__new__(cls)
        new._fill(list(items))
        return new

    def _fill(self, items: list[PromptDefinition | PromptRecord]) -> None:
        counts: dict[PromptFamily | None, int] = {}
        records: list[PromptRecord] = []
        models: list[PromptDefinition | None] = []
        for index, item in enumerate(items):
            counts[item.family] = counts.get(item.family, 0) + 1
            position = counts[item.family]
            if type(item) is PromptRecord:
                records.append(item._placed(position, index))
                models.append(None)
            else:
                model = _with_position(item, position)  # type: ignore[arg-type]
                records.append(PromptRecord.of(model, index))
                models.append(model)
        self._records: tuple[PromptRecord, ...] = tuple(records)
        self._models: list[PromptDefinition | None] = models
        self._by_key: dict[str, PromptRecord] = {}
        self._by_id: dict[str, PromptRecord] = {}
        self._by_name: dict[str, PromptRecord] = {}
        families: dict[PromptFamily | None, list[PromptRecord]] = {}
        attributes: dict[str, list[PromptRecord]] = {}
        for record in self._records:
            # The first prompt wins a shared id or name, as the server's lookup would
            # meet it first [INFERRED: the docs only say ids and names may repeat].
            if record.key is not None:
                self._by_key.setdefault(record.key, record)
            if record.id is not None:
                self._by_id.setdefault(record.id.upper(), record)
            if record.name is not None:
                self._by_name.setdefault(record.name, record)
            families.setdefault(record.family, []).append(record)
            if record.family is PromptFamily.ELEMENTS and record.attribute is not None:
                attributes.setdefault(record.attribute.upper(), []).append(record)
        self._by_family: dict[PromptFamily | None, tuple[PromptRecord, ...]] = {
            f: tuple(rs) for f, rs in families.items()
        }
        self._by_attribute: dict[str, tuple[PromptRecord, ...]] = {
            a: tuple(rs) for a, rs in attributes.items()
        }

    def _model(self, record: PromptRecord) -> PromptDefinition:
        """The record's PromptDefinition, built once."""
        model = self._models[record.index]
        if model is None:
            model = self._models[record.index] = _model_of(record)
        return model

    def _optional_model(self, record: PromptRecord | None) -> PromptDefinition | None:
        return None if record is None else self._model(record)

    @overload
    def __getitem__(self, index: int) -> PromptDefinition: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[PromptDefinition]: ...

    def __getitem__(self, index: int | slice) -> PromptDefinition | Sequence[PromptDefinition]:
        if isinstance(index, slice):
            return tuple(self._model(r) for r in self._records[index])
        return self._model(self._records[index])

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[PromptDefinition]:
        return (self._model(r) for r in self._records)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Definitions):
            return NotImplemented
        return self.prompts == other.prompts

    def __hash__(self) -> int:
        return hash(self.prompts)

    def __repr__(self) -> str:
        return f"Definitions({list(self.prompts)!r})"

    @property
    def prompts(self) -> tuple[PromptDefinition, ...]:
        """All prompts, in order."""
        return tuple(self)

    @property
    def records(self) -> tuple[PromptRecord, ...]:
        """All prompts as plain records, in order (no model built).

        >>> [r.key for r in decode('[{"key": "K@0@10", "type": "VALUE"}]').records]
        ['K@0@10']
        """
        return self._records

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
        return self._optional_model(found)

    def _find(self, prompt: PromptRef | Ref) -> PromptRecord | None:
        if prompt.key is not None:
            return self._by_key.get(prompt.key)
        if prompt.id is not None:
            return self._by_id.get(prompt.id.upper())
        if prompt.name is not None:
            return self._by_name.get(prompt.name)
        return None

    def find(self, prompt: PromptRef) -> PromptDefinition | None:
        """The prompt an answer names, as the server finds it: by its key if it gives
        one, else by its id, else by its name.  The first identifier given decides.

        >>> from mstr_prompts.model import PromptRef
        >>> defs = decode('[{"key": "K@0@10", "id": "0C", "name": "Year", "type": "VALUE"}]')
        >>> defs.find(PromptRef(name="Year")).key, defs.find(PromptRef(key="X", name="Year"))
        ('K@0@10', None)
        """
        return self._optional_model(self._find(prompt))

    def of_family(self, family: PromptFamily | str) -> tuple[PromptDefinition, ...]:
        """The prompts of one family, in order (URL positions count among these).

        >>> len(decode('[{"key": "K@0@10", "type": "VALUE"}]').of_family("value"))
        1
        """
        return tuple(self._model(r) for r in self._by_family.get(PromptFamily(family), ()))

    def records_of_family(self, family: PromptFamily | str) -> tuple[PromptRecord, ...]:
        """:meth:`of_family` as plain records (no model built).

        >>> len(decode('[{"key": "K@0@10", "type": "VALUE"}]').records_of_family("value"))
        1
        """
        return self._by_family.get(PromptFamily(family), ())

    def _at(self, family: PromptFamily, position: int) -> PromptRecord | None:
        records = self._by_family.get(family, ())
        return records[position - 1] if 1 <= position <= len(records) else None

    def at(self, family: PromptFamily | str, position: int) -> PromptDefinition | None:
        """The prompt at a 1-based ``position`` among its family, if there is one."""
        return self._optional_model(self._at(PromptFamily(family), position))

    def _on_attribute(self, attribute: str) -> tuple[PromptRecord, ...]:
        return self._by_attribute.get(attribute.upper(), ())

    def on_attribute(self, attribute: str) -> tuple[PromptDefinition, ...]:
        """The element prompts whose attribute (``source``) is ``attribute``, in order."""
        return tuple(self._model(r) for r in self._on_attribute(attribute))

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
        return [
            (item, self._optional_model(record))
            for item, record in _pairs(answers, self, strict=strict)
        ]

    def plain_pairs(
        self, answers: Answers, *, strict: bool = False
    ) -> list[tuple[Row, PromptRecord | None]] | None:
        """:meth:`pairs` with each prompt's :class:`PromptRecord`, when every answer is a
        decoder's value, element or object row (else None): binding without building.

        >>> from mstr_prompts import rest
        >>> defs = decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE"}]')
        >>> [(a[2], d.key) for a, d in defs.plain_pairs(rest.decode_rows(
        ...     '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}'))]
        [('2015', 'K@0@10')]
        """
        if not _plain_rows(answers):
            return None
        return _pairs(answers, self, strict=strict)  # type: ignore[return-value]


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
    from .model import Close

    try:
        answer = rest.decode_answers(ref, family, raw, where=f"{where}: {name}")
    except DecodeError as exc:
        raise DecodeError(exc.message, where=exc.where, hint=exc.hint) from None
    return None if isinstance(answer, Close) else answer


def _plain_identity(item: Mapping[str, Any]) -> Ref | None:
    """The prompt's identity as a plain Ref, when ``rest.prompt_ref`` would read the same
    fields without a complaint (else None: that reading then decides, or raises)."""
    values: list[str | None] = []
    for name in ("key", "id", "name"):
        value = item.get(name)
        if value is not None and not (
            type(value) is str and (value or name == "name") and is_text(value)
        ):
            return None
        values.append(value)
    ref = Ref.of(values[0], values[1], values[2])
    return ref if ref.is_identified else None


def _definition(item: Any, index: int, *, plain: bool = True) -> PromptDefinition | PromptRecord:
    where = f"definitions: prompts[{index}]"
    if not isinstance(item, dict):
        raise DecodeError(
            f"a prompt definition must be an object, not {json_kind(item)}", where=where
        )
    plain_ref = _plain_identity(item) if _TRUSTED and plain else None
    ref: PromptRef | Ref = plain_ref if plain_ref is not None else _identity(item, where)
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
    ref: PromptRef | Ref,
    family: PromptFamily | None,
    value_type: ValueType | None,
    attribute: str | None,
    attribute_name: str | None,
    required: bool | None,
    where: str,
) -> PromptDefinition | PromptRecord:
    def fields(prompt: PromptRef | Ref) -> dict[str, Any]:
        """Every field, in declaration order (_trusted.build), the answers None."""
        return {
            "prompt": prompt,
            "family": family,
            "title": _optional_text(item, "title", where),
            "required": bool(required),
            "closed": _flag(item, "closed", where),
            "min": _bound(item.get("min"), "min", family, value_type, where),
            "max": _bound(item.get("max"), "max", family, value_type, where),
            "data_type": _data_type(item),
            "value_type": value_type,
            "attribute": attribute,
            "attribute_name": attribute_name,
            "default": None,
            "current": None,
        }

    if type(ref) is Ref:
        # Read as a plain record when there is no answer to read with it and validation
        # would keep every field as given; else as a model, from the start (the same
        # reading, so the same errors: a plain Ref is read only where PromptRef's is).
        answered = family is not None and (
            item.get("defaultAnswer") is not None or item.get("answers") is not None
        )
        has_default = _plain_default(item, ref, family) if answered else False
        if has_default is not None:
            plain = fields(ref)
            if _unchanged_by_validation(plain):
                del plain["default"], plain["current"]
                return PromptRecord._of_source(
                    item if answered else None, **plain, has_default=has_default
                )
    model_ref = _identity(item, where) if isinstance(ref, Ref) else ref
    from ._definition_model import PromptDefinition

    read = fields(model_ref)
    read["default"] = _answer(item, "defaultAnswer", model_ref, family, where)
    read["current"] = _answer(item, "answers", model_ref, family, where)
    if _TRUSTED and _unchanged_by_validation(read):
        return build(PromptDefinition, read)
    return PromptDefinition(**read)


# Definitions are read as they are written (the fields above), and pydantic's validation
# of a PromptDefinition then only checks them: building its schema (and PromptRef's) is
# about 30 ms of a one-file `convert --definitions`, more than reading the definitions.
# So fields that validation would accept unchanged build the instance directly; anything
# else (a text with a lone surrogate, a bound in another unit) takes the validated path,
# which normalizes or raises as always.  Tests turn this off to hold the two paths equal.
_TRUSTED = True


def _is_text_or_none(value: Any) -> bool:
    return value is None or (type(value) is str and is_text(value))


_ANSWER_ROWS = frozenset({VALUE_ROW, VALUES_ROW, ELEMENTS_ROW, OBJECTS_ROW, CLOSE_ROW})


def _plain_default(item: Mapping[str, Any], ref: Ref, family: PromptFamily | None) -> bool | None:
    """Whether the definition has a default answer, when its ``defaultAnswer`` and
    ``answers`` read as plain rows (REST's reader: the same answers and errors as its
    models, ``rest.decode_rows``); None when either does not, or does not read at all
    (then the definition is read as a model, which decides and words any error)."""
    assert family is not None
    has_default = False
    for name in ("defaultAnswer", "answers"):
        raw = item.get(name)
        if raw is None:
            continue
        body = {"prompts": [{**ref.dump(), "type": rest.TYPE_NAMES[family], "answers": raw}]}
        try:
            # As text: REST's row reader reads text (a parsed body is read as models).
            text = json.dumps(body)
            rows = pending_rows(rest.decode_rows(text), expression_rows=True)
        except (PromptAnswerError, ValueError, RecursionError):
            return None  # (a number json cannot write, a tree too deep: the model decides)
        if not (
            rows is not None
            and len(rows) == 1
            and type(rows[0]) is tuple
            and rows[0][0] in _ANSWER_ROWS
        ):
            return None
        if name == "defaultAnswer":
            has_default = rows[0][0] != CLOSE_ROW  # an empty default is none (_answer)
    return has_default


def _is_prompt_ref(value: Any) -> bool:
    if type(value) is Ref:
        return True  # a PromptRef's fields, checked as it checks them (_plain_identity)
    from .model import PromptRef

    return type(value) is PromptRef


def _is_answer(value: Any) -> bool:
    if value is None:
        return True
    from .model import ANSWER_CLASSES

    return isinstance(value, ANSWER_CLASSES)


def _data_type(item: Mapping[str, Any]) -> int | str | None:
    """The definition's ``dataType`` as given: a name, or a number as a plain ``int``
    (REST's reader gives an ``int`` subclass that remembers its spelling, which
    validation would have to look at, and which would send every definition whose
    ``dataType`` is a number to the model path)."""
    raw = item.get("dataType")
    if isinstance(raw, int) and type(raw) is not bool:
        return int(raw)
    return raw if isinstance(raw, (int, str)) else None  # a bool: validation decides


def _unchanged_by_validation(fields: Mapping[str, Any]) -> bool:
    """True when ``PromptDefinition(**fields)`` would keep every field as given: what the
    model's fields and its validators (``_base.Model``'s text check, the bounds' unit)
    accept without a change."""
    family, value_type = fields["family"], fields["value_type"]
    data_type = fields["data_type"]
    if not (
        _is_prompt_ref(fields["prompt"])
        and (family is None or type(family) is PromptFamily)
        and (value_type is None or type(value_type) is ValueType)
        and type(fields["required"]) is bool
        and (fields["closed"] is None or type(fields["closed"]) is bool)
        and _is_text_or_none(fields["title"])
        and _is_text_or_none(fields["attribute"])
        and _is_text_or_none(fields["attribute_name"])
        and (type(data_type) is int or _is_text_or_none(data_type))
        and all(_is_answer(fields[side]) for side in ("default", "current"))
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
    return Definitions._read(_definition(item, i) for i, item in enumerate(document))


# --------------------------------------------------------------------------- binding


# Decoders may hand over answers as checked compact rows whose models are built on first
# use (model.deferred).  Binding and validation read a row's few facts directly and
# write rows back, so a 10,000-element answer never has to become 10,000 models here.
if TYPE_CHECKING:
    from typing import TypeAlias

    Item: TypeAlias = "Answer | Row"
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
    if isinstance(answers, RowSet):
        return
    from .model import AnswerSet

    if not isinstance(answers, AnswerSet):
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
    if not any(type(i) is tuple and i[0] in STATE_ROWS for i in rows):
        return tuple(rows)
    # A prompt's state (open, default, closed) is read as its model, as binding and
    # validation know them.
    from .model import answer_of

    return tuple(answer_of(i) if type(i) is tuple and i[0] in STATE_ROWS else i for i in rows)


_PLAIN_KINDS = frozenset({VALUE_ROW, ELEMENTS_ROW, OBJECTS_ROW})


def _plain_rows(answers: Answers) -> bool:
    """True for a decoder's RowSet of value, element and object rows only: what binding
    and checking read as rows against the definitions' plain records, building no model
    (a state row is read as its model, see _items)."""
    if not isinstance(answers, RowSet):
        return False
    rows = pending_rows(answers)
    return rows is not None and all(type(i) is tuple and i[0] in _PLAIN_KINDS for i in rows)


def _family_of(item: Item) -> PromptFamily | None:
    if type(item) is tuple:
        return _ROW_FAMILY[item[0]]
    family: PromptFamily | None = getattr(item, "family", None)
    return family


def _ref_of(item: Item) -> PromptRef | Ref:
    """The prompt an answer or row names (a row's read without building its model)."""
    if type(item) is tuple:
        prompt = item[1]
        return Ref.of(key=prompt) if type(prompt) is str else prompt
    return item.prompt  # type: ignore[union-attr]


def _attribute_only(item: Item) -> str | None:
    """The attribute of an element answer that names its prompt by attribute alone."""
    ref = _ref_of(item)
    if ref.is_identified or ref.position is not None:
        return None
    if type(item) is tuple:
        # An element row's attribute is the one its model would have (every element
        # carries it); value and object rows have none.
        return item[2] if item[0] == ELEMENTS_ROW else None
    from .model import Close, ElementAnswer

    if isinstance(item, (ElementAnswer, Close)):
        return item.attribute
    return None


def _same_answer(a: Item, b: Item) -> bool:
    """``answer_of(a) == answer_of(b)``, without building two element rows' models."""
    if type(a) is tuple and type(b) is tuple:
        return _row_identity(a) == _row_identity(b)
    from .model import answer_of

    return answer_of(a) == answer_of(b)


def _row_identity(row: Row) -> tuple[Any, ...]:
    # A row's parts map one to one onto its model's fields (model.py, "Deferred
    # answers": plain element keys split on ":" alone, each name None or a str), so two
    # rows are equal models exactly when these are equal; the prompt is normalised
    # (a key string or a PromptRef) and lists compare as the model's tuples.
    ref = _ref_of(row)
    fields = (ref.key, ref.id, ref.name, ref.position)
    return (row[0], fields, *(tuple(p) if type(p) is list else p for p in row[2:]))


def _describe(item: Item) -> str:
    if type(item) is tuple:
        # What the row's model would say (_AnswerBase.describe), without building it.
        return describe_row(item)
    return item.describe()  # type: ignore[union-attr]


def _give(item: Item, definition: PromptDefinition | PromptRecord, where: str) -> Item:
    """The answer (or row) naming ``definition``'s prompt, with what the definition adds.

    A row reads the few facts a record has too; an answer model needs the definition's
    model (its prompt is a PromptRef, its default lists the objects' types)."""
    family = _family_of(item)
    if definition.family is None:
        raise NotRepresentableError(
            f"{definition.describe()} is of type UNSUPPORTED: REST cannot answer it",
            prompt=_describe(item),
            target=where,
        )
    if family is not None and family is not definition.family:
        raise DecodeError(
            f"{_describe(item)}: the answer is of type {rest.TYPE_NAMES[family]}, but "
            f"{definition.describe()} is {with_article(definition.type)} prompt",
            where=where,
        )
    ref = definition.prompt
    if type(item) is tuple:
        if item[0] == VALUE_ROW and item[3] is None:
            return (VALUE_ROW, ref, item[2], definition.value_type)
        return (item[0], ref, *item[2:])
    assert not isinstance(definition, PromptRecord)  # answer models bind to models
    from .model import Close, ElementAnswer, ObjectAnswer, Unanswered, UseDefault, ValueAnswer

    ref = definition.prompt

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


def _is_unanswered(item: Item) -> bool:
    if type(item) is tuple:
        return False  # a state row is read as its model (_items)
    from .model import Unanswered

    return isinstance(item, Unanswered)


def _pairs(
    answers: Answers, definitions: Definitions, *, strict: bool
) -> list[tuple[Item, PromptRecord | None]]:
    """Each answer (or row) with the record of the prompt it answers.

    Answers that give a key, id or name are looked up (None when not found, unless
    ``strict``, which raises); positional and attribute-only answers are bound or
    raise, since nothing else could tell their prompt.
    """
    pairs: list[tuple[Item, PromptRecord | None]] = []
    by_attribute: dict[str, Item] = {}
    for index, item in enumerate(_items(answers)):
        # Rows are read as rows (binding without building): a row's prompt, family and
        # attribute are the fields its model would have, so both take the same path.
        where = f"bind: answers[{index}]"
        ref = _ref_of(item)
        if ref.is_identified:
            definition = definitions._find(ref)
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
            definition = definitions._at(family, ref.position)
            if definition is None:
                if _is_unanswered(item):
                    # An empty slot past the last prompt (a trailing "^"): it answers
                    # nothing, and the Web server ignores it too.
                    continue
                count = len(definitions.records_of_family(family))
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
        if attribute is None and _is_unanswered(item):
            # An empty elementsPromptAnswers: an open slot of no prompt in particular.  It
            # answers nothing (the element prompts are asked), like a slot past the end.
            continue
        if attribute is None:
            raise DecodeError(
                f"{_describe(item)} does not say which prompt it answers "
                "(no key, id, name, position or attribute)",
                where=where,
            )
        prompts = definitions._on_attribute(attribute)
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
    from .model import AnswerSet, deferred

    answers_given(answers, "bind")
    if answers.rounds is not None:
        # Each round is bound on its own, so rounds are never merged (Library links).
        return AnswerSet.from_rounds([bind(part, definitions) for part in answers.by_round()])
    pairs = _pairs(answers, definitions, strict=True)
    bound = tuple(
        _give(answer, definitions._model(record), f"bind: answers[{index}]")
        for index, (answer, record) in enumerate(pairs)
        if record is not None
    )
    return deferred(bound, mode=answers.mode, locale=answers.locale)


def _bound_rows(answers: RowSet, definitions: Definitions) -> RowSet:
    """:func:`bind` on a decoder's value, element and object rows (``_plain_rows``),
    with the definitions' plain records: the same rows, naming their prompts by a
    :class:`~mstr_prompts.rows.Ref` equal to the PromptRef bind gives them."""
    pairs = _pairs(answers, definitions, strict=True)
    bound = tuple(
        _give(answer, record, f"bind: answers[{index}]")
        for index, (answer, record) in enumerate(pairs)
        if record is not None
    )
    # The rows are a decoder's, with a checked prompt and type put in: still checked.
    return RowSet(bound, mode=answers.mode, locale=answers.locale, trusted=TRUSTED)


# --------------------------------------------------------------------------- completing

_MODE_POLICY: dict[AnswerMode, Missing] = {
    AnswerMode.ALL_PROMPTS_USE_DEFAULT_ANSWER: "default",
    AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER: "close",
}


def _fill(definition: PromptDefinition, policy: Missing) -> Answer | None:
    """The explicit answer ``policy`` gives a prompt left out, or None if it cannot."""
    from .model import Close, UseDefault

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
    >>> from mstr_prompts.model import AnswerSet
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
    from .model import Unanswered, deferred

    pairs = [
        (answer, None if record is None else definitions._model(record))
        for answer, record in _pairs(answers, definitions, strict=True)
    ]
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
    >>> from mstr_prompts.model import AnswerSet
    >>> inline_defaults(complete(AnswerSet(), defs), defs)[0].value
    '7'
    """
    from .model import UseDefault, deferred

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


# The CLI's row path (prepare_rows); tests turn it off to hold it equal to the model path.
_ROWS = True


def prepare_rows(
    answers: Answers,
    definitions: Definitions,
    *,
    missing: Missing | None = None,
    validate: bool = True,
    keep_mode: bool = False,
    spell_defaults: bool = False,
) -> Answers:
    """:func:`prepare` (then, with ``spell_defaults``, :func:`inline_defaults`), keeping a
    decoder's rows as rows where that gives the very same answers: what
    ``convert --definitions`` does.

    A :class:`~mstr_prompts.rows.RowSet` of value, element and object answers that
    needs no completing is bound and checked as rows, against the definitions' plain
    records, and comes back a RowSet that every encoder writes: no pydantic model is
    built.  Anything else (an open slot, a use-default, a policy to complete with), and
    every failure, takes :func:`prepare`'s path on the answers' models, so the result,
    or the error and its message, is :func:`prepare`'s.

    >>> from mstr_prompts import rest, url
    >>> defs = decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE", "dataType": 1}]')
    >>> rows = prepare_rows(rest.decode_rows(
    ...     '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}'), defs)
    >>> type(rows).__name__, url.encode_query(rows)
    ('RowSet', 'valuePromptAnswers=2015')
    """
    if (
        _ROWS
        and missing is None
        and (answers.mode is None or keep_mode)
        and isinstance(answers, RowSet)
        and _plain_rows(answers)
    ):
        try:
            ready = _bound_rows(answers, definitions)
            if validate:
                check(ready, definitions)
        except PromptAnswerError:
            pass  # prepare words every failure, from the models, as it always has
        else:
            return ready  # nothing for inline_defaults to spell: no use-default row
    built = answers.answer_set() if isinstance(answers, RowSet) else answers
    prepared = prepare(built, definitions, missing=missing, validate=validate, keep_mode=keep_mode)
    return inline_defaults(prepared, definitions) if spell_defaults else prepared


def __getattr__(name: str) -> object:
    # The pydantic models are defined in modules of their own, loaded on first use:
    # defining a model class loads pydantic's model machinery, which binding and checking
    # a decoder's rows against plain records never needs.
    if name == "PromptDefinition":
        from ._definition_model import PromptDefinition

        return PromptDefinition
    if name == "Problem":
        from ._problem import Problem

        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
