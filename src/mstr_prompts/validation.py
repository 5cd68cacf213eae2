"""Checking answers against prompt definitions, as the server does, in its words.

When ``PUT …/prompts/answers`` refuses an answer, the REST server replies with HTTP 400
and ``{"code": "ERR006", "message": …}`` (``ERR001`` for an element of another
attribute).  This module holds those rules and the server's message templates, in one
place, so that a client (:func:`validate`) and a test server (``mstr_prompts.testing``)
give exactly the same texts.  The templates are the published samples of the REST
documentation (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-execution-errors
and the pages of each prompt type), kept byte for byte, typos such as ``required(2}``
included.

The server stops at its first problem; :func:`validate` reports every problem, in the
order the server would meet them (answer by answer: is the prompt there, is the type
right, then the type's own checks), so ``problems[0].message`` is what it would say.

>>> from mstr_prompts import definitions, rest
>>> defs = definitions.decode('[{"key": "K@0@10", "name": "Value (Text)", "type": "VALUE",'
...                           ' "dataType": "TEXT", "min": 2, "max": 5}]')
>>> body = rest.decode('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "q"}]}')
>>> print(validate(body, defs)[0].message)
The number of characters provided for prompt name: Value (Text) key: K@0@10 does not meet the minimum required(2} text length.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .enums import PromptFamily, ValueType
from .errors import AnswersRejected, DecodeError, with_article
from .rest import TYPE_NAMES
from .row_kinds import ELEMENTS_ROW, OBJECTS_ROW, VALUE_ROW, Row
from .rows import Ref, RowSet

if TYPE_CHECKING:
    # Defined in its own module, loaded on first use (see __getattr__ below).
    from ._problem import Problem
    from .definitions import Definitions
    from .element_id import ElementId, OpaqueElementId
    from .model import Answer, Element, ElementAnswer, PromptRef
    from .rows import Answers

__all__ = [
    "ERR001",
    "ERR006",
    "MESSAGES",
    "Problem",
    "check",
    "check_answer",
    "format_date",
    "parse_date",
    "parse_number",
    "render",
    "validate",
]

ERR006 = "ERR006"
"""The REST error code for invalid input, which every prompt validation error uses."""
ERR001 = "ERR001"
"""The code of the one prompt error that is not ERR006: an element of another attribute."""

MESSAGES: dict[str, str] = {
    # Prompt not found, by the identifier the answer gave first (key, then id, then name).
    "key_not_found": "Failed to locate the prompt by either key: {key}, please verify this "
    "information is correct.",
    "name_not_found": "Failed to locate the prompt by either name: {name}, please verify this "
    "information is correct.",
    "id_not_found": "Failed to locate the prompt by either id: {id}, please verify this "
    "information is correct.",
    "type_mismatch": "The supplied prompt type {supplied} for prompt {key} does not match, this "
    "prompt is of type {actual} please verify this information.",
    "required": "Prompt validation failed. This is a required prompt.",
    # An element the prompt's element list does not have (by name, or by ID).  Checking it
    # needs that list, which only the server (or the reference server) has.
    "element_not_found": "Unable to find elements that match {value} for prompt name: {name} "
    "key: {key}.",
    "too_few_elements": "The number of attribute elements for prompt name: {name} key: {key} "
    "does not meet the minimum required({min}} answers.",
    "too_many_elements": "The number of attribute elements for prompt name: {name} key: {key} "
    "exceeds the maximum allowed({max}} answers.",
    "other_attribute": "Cannot add an element to the collection which is not from the source "
    "attribute.",
    "too_many_objects": "The number of objects provided for prompt name: {name} key: {key} "
    "exceeds the maximum allowed({max}} answers",
    "too_few_objects": "The number of objects provided for prompt name: {name} key: {key} "
    "does not meet the minimum required({min}} answer.",
    "below_minimum": "The value({value}) provided for prompt name: {name} key: {key} does not "
    "meet the minimum required value({min})",
    "above_maximum": "The value({value}) provided for prompt name: {name} key: {key} exceeds "
    "the maximum allowed value({max}}",
    "too_early": "The date({value}) provided for prompt name: {name} key: {key} does not meet "
    "the minimum date range specified({min}) by the prompt",
    "too_late": "The date({value}) provided for prompt name: {name} key: {key} exceeds the "
    "maximum date range specified({max}) by the prompt",
    "too_short": "The number of characters provided for prompt name: {name} key: {key} does "
    "not meet the minimum required({min}} text length.",
    "too_long": "The number of characters provided for prompt name: {name} key: {key} exceeds "
    "the maximum allowed({max}) text length.",
    # The docs list these causes with no sample message: our own wording, so a Problem
    # with one of them has verbatim=False.
    "no_default": "The prompt {key} does not have a default answer, please verify this "
    "information.",
    "wrong_data_type": "Incorrect data type provided for answer {value} for prompt name: {name} "
    "key: {key}",
    "answered_twice": "The prompt {key} is answered more than once, please verify this "
    "information.",
}
"""The server's message per rule; ``{…}`` are the fields :class:`Problem` fills in.

Every other character is the server's, byte for byte, including the mismatched ``(n}``
brackets and the missing or present final period."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(rule: str, **fields: object) -> str:
    """The server's message for ``rule`` with its fields filled in.

    Not ``str.format``: the published texts have stray ``}`` that are part of them.

    >>> render("too_many_elements", name="Elements of Year", key="K@0@10", max=2)
    'The number of attribute elements for prompt name: Elements of Year key: K@0@10 exceeds the maximum allowed(2} answers.'
    """
    return _PLACEHOLDER.sub(lambda m: str(fields[m[1]]), MESSAGES[rule])


_UNPUBLISHED = frozenset({"no_default", "wrong_data_type", "answered_twice"})
_ERR001_RULES = frozenset({"other_attribute"})


_ROW_FAMILY = {
    VALUE_ROW: PromptFamily.VALUE,
    ELEMENTS_ROW: PromptFamily.ELEMENTS,
    OBJECTS_ROW: PromptFamily.OBJECTS,
}


def __getattr__(name: str) -> object:
    # Problem is a pydantic model, and defining one loads pydantic's model machinery: it
    # is defined (in mstr_prompts._problem) when first asked for, which a run whose
    # answers pass every check never does.
    if name == "Problem":
        from ._problem import Problem

        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@runtime_checkable
class DefinitionFacts(Protocol):
    """What the checks read of a prompt's definition.

    Both :class:`~mstr_prompts.definitions.PromptDefinition` and the plain
    :class:`~mstr_prompts.definitions.PromptRecord` (a definition read without building
    a model) have these, so each rule below is written once for both.

    >>> from mstr_prompts import definitions
    >>> record = definitions.decode('[{"key": "K@0@10", "type": "VALUE"}]').records[0]
    >>> isinstance(record, DefinitionFacts)
    True
    """

    @property
    def prompt(self) -> PromptRef | Ref: ...
    @property
    def key(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def family(self) -> PromptFamily | None: ...
    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def has_default(self) -> bool: ...
    @property
    def min(self) -> int | Decimal | datetime | None: ...
    @property
    def max(self) -> int | Decimal | datetime | None: ...
    @property
    def value_type(self) -> ValueType | None: ...
    @property
    def attribute(self) -> str | None: ...
    @property
    def attribute_name(self) -> str | None: ...


def _model_ref(ref: PromptRef | Ref) -> PromptRef:
    """The PromptRef a problem names (a plain Ref's fields, already checked as PromptRef
    checks them, give an equal PromptRef)."""
    if type(ref) is not Ref:
        return ref  # type: ignore[return-value]
    from ._trusted import build
    from .model import PromptRef

    return build(
        PromptRef, {"key": ref.key, "id": ref.id, "name": ref.name, "position": ref.position}
    )


# --------------------------------------------------------------------------- parsing

# A plain decimal number: what the server's BigDecimal and Double parsers share.  No
# spaces, no thousands separators, no NaN or Infinity.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_ISO_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[T ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
# The US English forms Web shows and its URL samples use (1/1/2003, 11/24/2016 12:00:00 AM).
_US_DATE = re.compile(
    r"(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})"
    r"(?:\s+(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?(?:\s*(?P<ap>[AaPp][Mm]))?)?"
)
_US_ENGLISH = 1033


def parse_number(text: str) -> Decimal | None:
    """The number a value answer or bound spells, exactly (a Decimal), or None.

    >>> parse_number("0.999999999"), parse_number("1e3"), parse_number("1,5")
    (Decimal('0.999999999'), Decimal('1E+3'), None)
    """
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


# What Python's datetime can hold; an instant outside it is refused, never wrapped.
DATE_RANGE = "0001-01-01T00:00:00.000+0000 to 9999-12-31T23:59:59.999+0000"


def parse_date(text: str, *, locale: int | None = None) -> datetime | None:
    """The instant a date answer or bound spells, in UTC, or None if it is not a date.

    ISO 8601 forms are read always (``2026-07-01``, ``2017-09-27T23:37:39.000+0000``,
    ``…Z``); a time without an offset, or a date alone, is UTC.  The US English forms
    (``1/1/2003``, ``11/24/2016 12:00:00 AM``) are read when ``locale`` is None or
    1033 (English, United States), since Web's URL samples use them [INFERRED].
    A date whose instant in UTC falls outside years 1 to 9999 (``0001-01-01T00:00+0100``
    is in year 0) is None too: :func:`date_out_of_range` tells the two apart.

    >>> parse_date("2011-08-07T21:09:50.000+0200")
    datetime.datetime(2011, 8, 7, 19, 9, 50, tzinfo=datetime.timezone.utc)
    >>> parse_date("1/1/2003").date(), parse_date("1/1/2003", locale=1031)
    (datetime.date(2003, 1, 1), None)
    >>> parse_date("0001-01-01T00:00:00+0100") is None
    True
    """
    try:
        return _read_date(text, locale)
    except OverflowError:  # a real date, but its UTC instant is in year 0 or 10000
        return None


def date_out_of_range(text: str, *, locale: int | None = None) -> bool:
    """Whether ``text`` is a real date whose UTC instant Python cannot hold (year 0 or
    10000 once its offset is applied), so that :func:`parse_date` gives None for it.

    >>> date_out_of_range("9999-12-31T23:00:00-0100"), date_out_of_range("2020-13-01")
    (True, False)
    """
    try:
        _read_date(text, locale)
    except OverflowError:
        return True
    return False


def _read_date(text: str, locale: int | None) -> datetime | None:
    match = _ISO_DATE.fullmatch(text)
    try:
        if match is not None:
            fraction = (match["f"] or "0")[:6].ljust(6, "0")
            moment = datetime(
                int(match["y"]),
                int(match["mo"]),
                int(match["d"]),
                int(match["h"] or 0),
                int(match["mi"] or 0),
                int(match["s"] or 0),
                int(fraction),
                tzinfo=_offset(match["tz"]),
            )
            return moment.astimezone(timezone.utc)  # OverflowError past the range
        if locale is None or locale == _US_ENGLISH:
            match = _US_DATE.fullmatch(text)
            if match is not None:
                hour = int(match["h"] or 0)
                if match["ap"] is not None:
                    if not 1 <= hour <= 12:
                        return None
                    hour = hour % 12 + (12 if match["ap"].upper() == "PM" else 0)
                return datetime(
                    int(match["y"]),
                    int(match["mo"]),
                    int(match["d"]),
                    hour,
                    int(match["mi"] or 0),
                    int(match["s"] or 0),
                    tzinfo=timezone.utc,
                )
    except ValueError:  # day 31 of a short month, hour 25, year 0, offset of 24 hours…
        return None
    return None


def _offset(text: str | None) -> timezone:
    if text is None or text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    extra = int(digits[2:4]) if len(digits) > 2 else 0
    if extra > 59:
        # "+0099" is no offset (ISO 8601 minutes are 00-59); reading it as 1:39 would
        # compare the answer at an instant nobody wrote.  _read_date reads it as no date.
        raise ValueError(f"offset minutes {extra} out of range")
    return timezone(sign * timedelta(minutes=int(digits[:2]) * 60 + extra))


def format_date(moment: datetime) -> str:
    """A date as the server writes it in messages: ``yyyy-MM-dd'T'HH:mm:ss.SSS+0000``.

    >>> format_date(parse_date("2011-08-07T21:09:50Z"))
    '2011-08-07T21:09:50.000+0000'
    >>> format_date(parse_date("0001-01-01"))
    '0001-01-01T00:00:00.000+0000'
    """
    utc = moment.astimezone(timezone.utc)
    # Four-digit years always (yyyy): strftime's %Y writes year 1 as "1" on glibc.
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


def _java_length(text: str) -> int:
    """Text length as the server (Java) counts it: UTF-16 code units [INFERRED]."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _show(bound: object) -> str:
    if isinstance(bound, datetime):
        return format_date(bound)
    return str(bound)


# --------------------------------------------------------------------------- checking


class _Checker:
    """Builds the problems of one answer against one definition."""

    def __init__(
        self,
        answer: Answer | Row,
        definition: DefinitionFacts,
        index: int | None,
        available: Iterable[Element] | None = None,
    ) -> None:
        self.available = available
        self.answer = answer
        self.definition = definition
        self.index = index
        self.key = definition.key or _identifier(_prompt_of(answer)) or "?"
        self.name = definition.name if definition.name is not None else ""
        label = definition.title or definition.name
        self.label = f"prompt {label!r} ({self.key})" if label else f"prompt {self.key}"

    def problem(self, rule: str, explanation: str, **fields: object) -> Problem:
        from ._problem import Problem  # loaded when there is a problem (see __getattr__)

        message = render(rule, key=self.key, name=self.name, **fields)
        return Problem(
            key=self.key,
            code=ERR001 if rule in _ERR001_RULES else ERR006,
            rule=rule,
            message=message,
            explanation=explanation,
            verbatim=rule not in _UNPUBLISHED,
            index=self.index,
            prompt=_model_ref(self.definition.prompt),
        )

    def type_mismatch(self, family: PromptFamily | None) -> list[Problem]:
        definition = self.definition
        if family is None or definition.family is None or family == definition.family:
            return []
        supplied = TYPE_NAMES[family]
        return [
            self.problem(
                "type_mismatch",
                f"{self.label} is {with_article(definition.type)} prompt, but the answer is "
                f"for {with_article(supplied)} prompt",
                supplied=supplied,
                actual=definition.type,
            )
        ]

    def run(self, locale: int | None) -> list[Problem]:
        if type(self.answer) is tuple:
            return self.row(self.answer, locale)
        # An answer model: the model module is loaded already.
        from .model import Close, ElementAnswer, ObjectAnswer, Unanswered, UseDefault, ValueAnswer

        answer: Answer = self.answer  # type: ignore[assignment]
        definition = self.definition
        if isinstance(answer, Unanswered):
            return []  # the prompt stays open: the server asks for it again
        mismatch = self.type_mismatch(getattr(answer, "family", None))
        if mismatch:
            return mismatch
        if isinstance(answer, UseDefault):
            if definition.has_default:
                return []
            return [
                self.problem(
                    "no_default",
                    f"{self.label} has no default answer, so useDefault cannot answer it",
                )
            ]
        if isinstance(answer, Close):
            if not definition.required:
                return []
            return [
                self.problem(
                    "required",
                    f"{self.label} is required, so it cannot be closed or answered with nothing",
                )
            ]
        if isinstance(answer, ElementAnswer):
            return self.elements(answer)
        if isinstance(answer, ObjectAnswer):
            return self.counts(
                len(answer.objects),
                "objects",
                "too_few_objects",
                "too_many_objects",
                max_first=True,
            )
        if isinstance(answer, ValueAnswer):
            problems: list[Problem] = []
            for value in answer.values:
                problems += self.value(value, locale)
            return problems
        # Expression and level answers are carried opaquely: their qualifications are not
        # counted, and the server's view-filter checks need the project's metadata.
        return []

    def counts(
        self, count: int, noun: str, too_few: str, too_many: str, *, max_first: bool = False
    ) -> list[Problem]:
        low, high = self.definition.min, self.definition.max
        checks: list[Problem] = []
        if isinstance(low, int) and low > 0 and count < low:
            checks.append(
                self.problem(
                    too_few,
                    f"{self.label} needs at least {low} {noun}; the answer has {count}",
                    min=low,
                )
            )
        if isinstance(high, int) and high > 0 and count > high:
            checks.append(
                self.problem(
                    too_many,
                    f"{self.label} takes at most {high} {noun}; the answer has {count}",
                    max=high,
                )
            )
        return checks[::-1] if max_first else checks

    def row(self, row: Row, locale: int | None) -> list[Problem]:
        """The same checks on a decoder's row, read without building its models."""
        kind = row[0]
        mismatch = self.type_mismatch(_ROW_FAMILY[kind])
        if mismatch:
            return mismatch
        if kind == VALUE_ROW:
            return self.value(row[2], locale)
        if kind == ELEMENTS_ROW:
            if self.available is not None:  # the lookup needs the element IDs
                from .model import ElementAnswer, answer_of

                answer = answer_of(row)
                assert isinstance(answer, ElementAnswer)
                return self.elements(answer)
            return self.element_rules(row[2], len(row[3]), None)
        return self.counts(
            len(row[2]), "objects", "too_few_objects", "too_many_objects", max_first=True
        )

    def elements(self, answer: ElementAnswer) -> list[Problem]:
        return self.element_rules(answer.attribute, len(answer.elements), answer)

    def element_rules(
        self, attribute: str | None, count: int, answer: ElementAnswer | None
    ) -> list[Problem]:
        problems: list[Problem] = []
        expected = self.definition.attribute
        if expected is not None and attribute is not None and attribute.upper() != expected.upper():
            source = self.definition.attribute_name or expected
            problems.append(
                self.problem(
                    "other_attribute",
                    f"{self.label} takes elements of attribute {source}; the answer's "
                    f"elements are of attribute {attribute}",
                )
            )
        if self.available is not None and answer is not None:
            problems += self.unknown_elements(answer, self.available)
        return problems + self.counts(count, "elements", "too_few_elements", "too_many_elements")

    def unknown_elements(
        self, answer: ElementAnswer, available: Iterable[Element]
    ) -> list[Problem]:
        ids = set()
        names = set()
        for element in available:
            if element.id is not None:
                ids.add(_element_key(element.id))
            if element.name is not None:
                names.add(element.name)
        for element in answer.elements:
            if element.id is not None:
                if _element_key(element.id) in ids:
                    continue
                shown = _element_text(element.id)
            elif element.name in names:
                continue
            else:
                shown = element.name or ""
            # The server stops at the first element it cannot find.
            return [
                self.problem(
                    "element_not_found",
                    f"{self.label} has no element {shown!r} in its list of elements",
                    value=shown,
                )
            ]
        return []

    def value(self, text: str, locale: int | None) -> list[Problem]:
        definition = self.definition
        value_type = definition.value_type
        low, high = definition.min, definition.max
        if value_type is None:  # no dataType: the bounds say what the value should be
            bound = low if low is not None else high
            if isinstance(bound, Decimal):
                value_type = ValueType.DOUBLE
            elif isinstance(bound, datetime):
                value_type = ValueType.DATE
            else:
                return []
        if value_type in (ValueType.LONG, ValueType.DOUBLE, ValueType.BIG_DECIMAL):
            number = parse_number(text)
            if number is None or (
                value_type is ValueType.LONG and number != number.to_integral_value()
            ):
                kind = "a whole number" if value_type is ValueType.LONG else "a number"
                return [self.wrong_type(text, kind)]
            if isinstance(low, Decimal) and number < low:
                return [
                    self.problem(
                        "below_minimum",
                        f"{self.label} takes numbers from {low}; {text} is smaller",
                        value=text,
                        min=low,
                    )
                ]
            if isinstance(high, Decimal) and number > high:
                return [
                    self.problem(
                        "above_maximum",
                        f"{self.label} takes numbers up to {high}; {text} is bigger",
                        value=text,
                        max=high,
                    )
                ]
            return []
        if value_type is ValueType.DATE:
            moment = parse_date(text, locale=locale)
            if moment is None:
                if date_out_of_range(text, locale=locale):
                    return [
                        self.problem(
                            "wrong_data_type",
                            f"{text!r} is outside the dates that can be compared "
                            f"({DATE_RANGE} in UTC)",
                            value=text,
                        )
                    ]
                return [self.wrong_type(text, "a date (ISO 8601, e.g. 2026-07-01)")]
            if isinstance(low, datetime) and moment < low:
                return [
                    self.problem(
                        "too_early",
                        f"{self.label} takes dates from {_show(low)}; {text} is earlier",
                        value=format_date(moment),
                        min=_show(low),
                    )
                ]
            if isinstance(high, datetime) and moment > high:
                return [
                    self.problem(
                        "too_late",
                        f"{self.label} takes dates up to {_show(high)}; {text} is later",
                        value=format_date(moment),
                        max=_show(high),
                    )
                ]
            return []
        if value_type is ValueType.STRING:
            length = _java_length(text)
            if isinstance(low, int) and length < low:
                return [
                    self.problem(
                        "too_short",
                        f"{self.label} takes texts of at least {low} characters; "
                        f"{text!r} has {length}",
                        min=low,
                    )
                ]
            if isinstance(high, int) and length > high:
                return [
                    self.problem(
                        "too_long",
                        f"{self.label} takes texts of at most {high} characters; "
                        f"{text!r} has {length}",
                        max=high,
                    )
                ]
            return []
        if value_type is ValueType.BOOLEAN and text.lower() not in ("0", "1", "true", "false"):
            return [self.wrong_type(text, "a boolean (0, 1, true or false)")]
        return []

    def wrong_type(self, text: str, kind: str) -> Problem:
        return self.problem(
            "wrong_data_type", f"{self.label} takes {kind}; {text!r} is not one", value=text
        )


def _element_key(element_id: ElementId | OpaqueElementId) -> str:
    """What identifies an element, whatever presentation it came in."""
    from .element_id import OpaqueElementId

    if isinstance(element_id, OpaqueElementId):
        return element_id.text
    return element_id.to_terse(include_display=False).upper()


def _element_text(element_id: ElementId | OpaqueElementId) -> str:
    from .element_id import OpaqueElementId

    if isinstance(element_id, OpaqueElementId):
        return element_id.text
    return element_id.to_terse(include_display=False)


def _identifier(ref: PromptRef | Ref) -> str | None:
    return ref.key if ref.key is not None else ref.id if ref.id is not None else ref.name


def _prompt_of(item: Answer | Row) -> PromptRef | Ref:
    """The prompt an answer or row names, read without building a model."""
    if type(item) is tuple:
        prompt = item[1]
        return Ref.of(key=prompt) if type(prompt) is str else prompt
    return item.prompt  # type: ignore[union-attr]


def _not_found(answer: Answer | Row, index: int) -> Problem:
    from ._problem import Problem

    ref = _model_ref(_prompt_of(answer))
    if ref.key is not None:
        rule, field, value = "key_not_found", "key", ref.key
    elif ref.id is not None:
        rule, field, value = "id_not_found", "id", ref.id
    else:
        rule, field, value = "name_not_found", "name", ref.name or ""
    return Problem(
        key=value,
        code=ERR006,
        rule=rule,
        message=render(rule, **{field: value}),
        explanation=f"no prompt of the definitions has the {field} {value!r}",
        verbatim=True,
        index=index,
        prompt=ref,
    )


def check_answer(
    answer: Answer,
    definition: DefinitionFacts,
    *,
    index: int | None = None,
    locale: int | None = None,
    available: Iterable[Element] | None = None,
) -> list[Problem]:
    """The problems of one answer to the prompt it answers, in the server's order.

    >>> from mstr_prompts import definitions
    >>> from mstr_prompts.model import Close
    >>> d = definitions.decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE",'
    ...                        ' "required": true}]')[0]
    >>> [p.rule for p in check_answer(Close(family="value"), d)]
    ['required']
    """
    return _Checker(answer, definition, index, available).run(locale)


def validate(
    answers: Answers,
    definitions: Definitions,
    *,
    elements: Mapping[str, Iterable[Element]] | None = None,
) -> tuple[Problem, ...]:
    """Every problem the server would find in ``answers``, in the order it meets them.

    Answers that name their prompt by key, id or name are looked up as the server does
    (the first identifier given decides) and a miss is a problem; URL answers, which
    name their prompt by position or attribute, are bound first, and one that cannot be
    bound raises :class:`~mstr_prompts.errors.DecodeError` (no server would see it).
    Prompts the answers leave out are not problems: the server asks for them again
    (use :func:`mstr_prompts.definitions.complete` to decide them).

    ``elements``, if given, maps a prompt's key to its available elements (what
    ``GET …/prompts/{key}/elements`` lists); an element answer's elements are then
    looked up there, by ID or, for elements given by name only, by name.

    >>> from mstr_prompts import definitions, rest
    >>> defs = definitions.decode('[{"key": "K@0@10", "name": "Elements of Year",'
    ...     ' "type": "ELEMENTS", "min": 2}]')
    >>> body = rest.decode('{"prompts": [{"key": "K@0@10", "type": "ELEMENTS",'
    ...     ' "answers": [{"id": "h2014;8D679D5111D3E4981000E787EC6DE8A4"}]}]}')
    >>> [(p.code, p.rule) for p in validate(body, defs)]
    [('ERR006', 'too_few_elements')]
    """
    if not isinstance(answers, RowSet) and not _is_answer_set(answers):
        raise DecodeError(
            "the answers must be an AnswerSet or a RowSet (a decoder's result), "
            f"not {type(answers).__name__}",
            where="validate",
        )
    problems: list[Problem] = []
    seen: set[int] = set()
    # A prompt is answered once per prompting round: a nested prompt may be asked again
    # in a later round (docs/library.md, "Rounds"), so "answered twice" counts per round.
    ends = list(itertools.accumulate(answers.rounds or ()))
    # Binding's lookup rules, through the definitions (this module is below them): on a
    # decoder's value, element and object rows, with the definitions' plain records, so
    # that checking answers that pass builds no model.
    pairs: Sequence[tuple[Answer | Row, DefinitionFacts | None]] | None
    pairs = definitions.plain_pairs(answers)
    if pairs is None:
        pairs = definitions.pairs(answers)
    for index, (answer, definition) in enumerate(pairs):
        while ends and index >= ends[0]:
            ends.pop(0)
            seen = set()
        if definition is None:
            problems.append(_not_found(answer, index))
            continue
        available = None
        if elements is not None and definition.key is not None:
            available = elements.get(definition.key)
        found = _Checker(answer, definition, index, available).run(answers.locale)
        if found and found[0].rule == "type_mismatch":
            problems += found
            continue
        if id(definition) in seen and not _unanswered(answer):
            checker = _Checker(answer, definition, index)
            problems.append(
                checker.problem(
                    "answered_twice",
                    f"{checker.label} has more than one answer; send one answer per prompt",
                )
            )
        if not _unanswered(answer):
            seen.add(id(definition))
        problems += found
    return tuple(problems)


def _is_answer_set(answers: object) -> bool:
    from .model import AnswerSet

    return isinstance(answers, AnswerSet)


def _unanswered(answer: Answer | Row) -> bool:
    """An open slot (rows reach here as rows only for value, element and object answers)."""
    if type(answer) is tuple:
        return False
    from .model import Unanswered

    return isinstance(answer, Unanswered)


def check(answers: Answers, definitions: Definitions) -> None:
    """Raise :class:`~mstr_prompts.errors.AnswersRejected` if :func:`validate` finds
    any problem; it holds all of them, the server's first one first.

    >>> from mstr_prompts import definitions, rest
    >>> defs = definitions.decode('[{"key": "K@0@10", "type": "VALUE", "required": true}]')
    >>> check(rest.decode('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": ""}]}'), defs)
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.AnswersRejected: K@0@10: ERR006: Prompt validation failed. This is a required prompt.
    """
    problems = validate(answers, definitions)
    if problems:
        raise AnswersRejected(problems)


def problems_json(problems: Sequence[Problem]) -> list[dict[str, object]]:
    """The problems as JSON values (what ``validate --json`` prints).

    >>> problems_json([])
    []
    """
    return [
        {
            "key": p.key,
            "code": p.code,
            "rule": p.rule,
            "message": p.message,
            "explanation": p.explanation,
            "verbatim": p.verbatim,
            "index": p.index,
        }
        for p in problems
    ]
