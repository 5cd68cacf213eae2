"""The canonical, format-neutral prompt-answer model.

An :class:`AnswerSet` is an ordered sequence of answers (a tuple, or for a decoded set
an :class:`AnswerList` that builds each answer when read) plus an optional answer mode
and locale.  Every answer names its prompt with a :class:`PromptRef` and is one of:

=====================  ===============================================================
:class:`ValueAnswer`   a value prompt (text, number, date, …) answered with text
:class:`ElementAnswer` an attribute element prompt answered with one or more elements
:class:`ObjectAnswer`  an object prompt answered with one or more objects
:class:`ExpressionAnswer`  an expression prompt (attribute / metric / hierarchy
                       qualification): a typed tree, or verbatim outside the table
:class:`LevelAnswer`   a level (dimensionality) prompt, carried opaquely
:class:`PlaceholderAnswer` a Library link-generator template, filled in when the link
                       is followed (kept verbatim; only Library links carry it)
:class:`UseDefault`    "use the prompt's default answer"
:class:`Close`         an optional prompt closed with an empty answer
:class:`Unanswered`    a slot deliberately left open, so the user is prompted
=====================  ===============================================================

Nothing here knows a wire format.  Each value has exactly one spelling in the model, so
``==`` means "same meaning": an empty element list *is* :class:`Close`, a one-item value
list *is* its single value, and an element's display name lives on :class:`Element`.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, overload

from pydantic import (
    BeforeValidator,
    Field,
    FieldSerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from ._base import Model
from ._trusted import build
from ._tuple_like import TupleLike
from .element_id import (
    GUID_PATTERN,
    ElementId,
)
from .elements import Element, ElementList
from .enums import AnswerMode, PromptFamily, ValueType
from .errors import DecodeError, PromptAnswerError, validation_message
from .expressions import EXPRESSION_TYPES, Expression, render
from .object_types import object_type_name
from .row_kinds import (
    CLOSE_ATTRIBUTE_ROW,
    CLOSE_ROW,
    EXPRESSION_ROW,
    UNANSWERED_ROW,
    USE_DEFAULT_ROW,
    VALUES_ROW,
)
from .row_kinds import ELEMENTS_ROW as ELEMENTS_ROW
from .row_kinds import OBJECTS_ROW as OBJECTS_ROW
from .row_kinds import VALUE_ROW as VALUE_ROW
from .row_kinds import Row as Row
from .rules import (
    MAX_INT,
    MAX_OBJECT_TYPE,
    MAX_POSITION,
    MIN_INT,
    describe_prompt,
    display_text,
    is_text,
    key_location,
)

__all__ = [
    "ANSWER_CLASSES",
    "Answer",
    "AnswerList",
    "AnswerMode",
    "AnswerSet",
    "Close",
    "Element",
    "ElementAnswer",
    "ExpressionAnswer",
    "LevelAnswer",
    "LevelUnit",
    "ObjectAnswer",
    "ObjectRef",
    "PlaceholderAnswer",
    "PromptFamily",
    "PromptRef",
    "Unanswered",
    "UseDefault",
    "ValueAnswer",
    "ValueType",
]


def _canonical_json(value: Any) -> Any:
    """Store JSON documents as compact text: immutable, hashable, comparable."""
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, (dict, list)):
        raise ValueError("expected a JSON object or array")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


_GUID = re.compile(GUID_PATTERN)


def _json_object(value: Any) -> Any:
    """A JSON object (REST's tree or definition) as canonical text; anything else refused."""
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, not {type(value).__name__}")
    return _canonical_json(value)


_EXPRESSION_KINDS = frozenset(t.model_fields["kind"].default for t in EXPRESSION_TYPES)


def _expression_tree(value: Any) -> Any:
    """A typed tree as it is, or a JSON tree kept verbatim as canonical text.

    The model reads no wire format: REST's tree becomes typed in the codecs
    (:func:`mstr_prompts.expression_json.answer`); here it is an opaque document.
    """
    if value is None or isinstance(value, EXPRESSION_TYPES):
        return value
    dumped = not isinstance(value, str)  # model_dump writes a verbatim tree as text
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(
            f"an expression tree is a JSON object or a typed expression, not {type(value).__name__}"
        )
    if dumped and isinstance(kind := value.get("kind"), str) and kind in _EXPRESSION_KINDS:
        # The model's own serialised form (model_dump). A REST tree may carry a "kind" key
        # of its own; only one naming a typed expression's kind is read as the dump.
        return value
    return _canonical_json(value)  # kept verbatim


class PromptRef(Model):
    """Everything an answer may know about the prompt it answers.

    ``key`` is ``did@pin@tp`` (or an opaque dashboard key such as ``W34D…``); ``id``
    is the prompt object's GUID; ``name`` its name; ``position`` its 1-based place among
    the prompts of its family (how URL value and object answers are matched).  All are
    optional: a URL element answer, for one, is matched by its attribute alone.

    >>> PromptRef(key="9BC4631D436CAA78D7A70AB2D0635D88@0@10").location
    ('9BC4631D436CAA78D7A70AB2D0635D88', '0', '10')
    >>> PromptRef(position=2).describe("value")
    'value prompt #2'
    """

    key: str | None = Field(default=None, min_length=1)
    id: str | None = Field(default=None, min_length=1)
    name: str | None = None
    position: int | None = Field(default=None, ge=1, le=MAX_POSITION)

    @property
    def location(self) -> tuple[str, str, str] | None:
        """``(did, pin, tp)`` when the key has the ``did@pin@tp`` shape, else None."""
        return key_location(self.key)

    @property
    def is_identified(self) -> bool:
        """True when a server could find the prompt by key, id or name."""
        return self.key is not None or self.id is not None or self.name is not None

    def describe(self, family: str | None = None) -> str:
        """A short human name for the prompt, for error messages.

        >>> PromptRef(key="K@0@10", name="Region").describe()
        "prompt 'Region' (key K@0@10)"
        """
        return describe_prompt(self.key, self.id, self.name, self.position, family)


class _AnswerBase(Model):
    prompt: PromptRef = Field(default_factory=PromptRef)

    def describe(self) -> str:
        """Name the prompt this answers, for messages.

        >>> ValueAnswer(value="2015", prompt=PromptRef(position=1)).describe()
        'value prompt #1'
        """
        family: PromptFamily | None = getattr(self, "family", None)
        return self.prompt.describe(family.value if family else None)


class ValueAnswer(_AnswerBase):
    """A value prompt's answer: the value as text, in the server's spelling for its type.

    ``value`` is one non-empty string; REST's rare list form with several strings is a
    tuple.  An empty answer is :class:`Close`, never ``""``.

    >>> ValueAnswer(value=["2015"]).value
    '2015'
    >>> try:
    ...     ValueAnswer(value="")
    ... except ValueError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, a value answer cannot be empty; an empty answer is Close(family=VALUE)
    """

    kind: Literal["value"] = "value"
    value: str | tuple[str, ...]
    type: ValueType | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _one_spelling(cls, value: Any) -> Any:
        if isinstance(value, list):
            value = tuple(value)
        if isinstance(value, tuple):
            if not value:
                raise ValueError(
                    "a value answer needs a value; an empty answer is Close(family=VALUE)"
                )
            if len(value) == 1:
                value = value[0]
        if value == "" or (isinstance(value, tuple) and "" in value):
            raise ValueError(
                "a value answer cannot be empty; an empty answer is Close(family=VALUE)"
            )
        return value

    @property
    def family(self) -> PromptFamily:
        return PromptFamily.VALUE

    @property
    def values(self) -> tuple[str, ...]:
        """The value(s) as a tuple, whichever form was given."""
        return self.value if isinstance(self.value, tuple) else (self.value,)


class ElementAnswer(_AnswerBase):
    """An element prompt's answer: the attribute and the chosen elements (at least one).

    ``attribute`` is filled from the elements when they agree on one, and elements whose
    ID lacks an attribute (terse default ``h11``) take the answer's.

    >>> a = ElementAnswer(elements=[Element(id=ElementId.parse("8D679D3711D3E4981000E787EC6DE8A4:1"))])
    >>> a.attribute
    '8D679D3711D3E4981000E787EC6DE8A4'
    """

    kind: Literal["elements"] = "elements"
    attribute: str | None = Field(default=None, pattern=GUID_PATTERN)
    if TYPE_CHECKING:
        # A tuple, or (decoded from plain IDs) an ElementList that builds each element
        # when read: both are sequences that compare, hash and dump alike.
        elements: Sequence[Element]
    else:
        elements: tuple[Element, ...] = Field(min_length=1)

    # No return annotation: with one, pydantic would describe the serialized form by it
    # instead of by the field (model_json_schema(mode="serialization")).
    @field_serializer("elements", mode="wrap")
    def _elements_as_tuple(self, elements: Any, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # An ElementList is written as the tuple it stands for, one element at a time
        # built for the writing (the tuple lives only while it is written).
        return handler(tuple(elements) if type(elements) is ElementList else elements)

    @classmethod
    def of(
        cls, prompt: PromptRef, attribute: str | None, elements: Sequence[Element]
    ) -> ElementAnswer:
        """Build from parts that are already models; cheap on the hot path.

        The same rules as the validating constructor apply; anything unusual goes
        through it, so errors are the ordinary pydantic ``ValidationError``.

        >>> e = Element.of(ElementId.parse("8D679D3711D3E4981000E787EC6DE8A4:1"))
        >>> ElementAnswer.of(PromptRef(key="K@0@10"), None, (e,)).attribute
        '8D679D3711D3E4981000E787EC6DE8A4'
        """
        if type(elements) is ElementList:
            # Its elements are all of its attribute and plain: nothing to check or fill.
            if type(prompt) is PromptRef and attribute in (None, elements.attribute):
                return build(
                    cls,
                    {
                        "prompt": prompt,
                        "kind": "elements",
                        "attribute": elements.attribute,
                        "elements": elements,
                    },
                )
            elements = tuple(elements)
        if (
            elements
            and type(elements) is tuple
            and type(prompt) is PromptRef
            and (attribute is None or (type(attribute) is str and _GUID.fullmatch(attribute)))
            and all(type(e) is Element for e in elements)
        ):
            try:
                attribute, elements = _one_attribute(attribute, elements)
            except ValueError:
                pass  # let the validating constructor raise it
            else:
                return build(
                    cls,
                    {
                        "prompt": prompt,
                        "kind": "elements",
                        "attribute": attribute,
                        "elements": elements,
                    },
                )
        return cls(prompt=prompt, attribute=attribute, elements=elements)

    @model_validator(mode="after")
    def _normalise(self) -> ElementAnswer:
        attribute, elements = _one_attribute(self.attribute, tuple(self.elements))
        object.__setattr__(self, "attribute", attribute)
        object.__setattr__(self, "elements", elements)
        return self

    @property
    def family(self) -> PromptFamily:
        return PromptFamily.ELEMENTS


def _one_attribute(
    attribute: str | None, elements: tuple[Element, ...]
) -> tuple[str | None, tuple[Element, ...]]:
    """The answer's attribute, from it or its elements; and elements that all carry it."""
    seen = {
        e.id.attribute
        for e in elements
        if isinstance(e.id, ElementId) and e.id.attribute is not None
    }
    if attribute is not None:
        seen.add(attribute)
    if len(seen) > 1:
        raise ValueError(
            "the elements of one answer belong to one attribute; got " + ", ".join(sorted(seen))
        )
    if not seen:
        return attribute, elements
    attribute = seen.pop()
    if any(isinstance(e.id, ElementId) and e.id.attribute is None for e in elements):
        elements = tuple(
            e.model_copy(update={"id": e.id.with_attribute(attribute)})
            if isinstance(e.id, ElementId) and e.id.attribute is None
            else e
            for e in elements
        )
    return attribute, elements


class ObjectRef(Model):
    """A schema or application object: GUID, EnumDSSXMLObjectTypes number, maybe a name.

    ``type`` is None when the source did not say: mstrio-py's documentation answers
    object prompts with ``{"id", "name"}`` alone, and the server knows each object's
    type.  It stays unknown until the prompt's definitions
    (:func:`mstr_prompts.definitions.bind`), its object list
    (:meth:`AnswerSet.with_object_types`) or the server supply it; REST carries an
    object without a type as it came, and every format that needs the type (XML, Web
    URL parameters, Library) refuses it, naming the prompt.

    >>> ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F", type=4, name="Profit").type_name
    'metric'
    >>> ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F", name="Profit").type is None
    True
    """

    id: str = Field(min_length=1)
    type: int | None = Field(default=None, ge=0, le=MAX_OBJECT_TYPE)
    name: str | None = None

    @classmethod
    def of(cls, id: str, type: int | None, name: str | None = None) -> ObjectRef:
        """Build from plain values; cheap when they are already valid.

        >>> ObjectRef.of("4C051DB611D3E877C000B3B2D86C964F", 4) == ObjectRef(
        ...     id="4C051DB611D3E877C000B3B2D86C964F", type=4)
        True
        """
        if (
            builtins.type(id) is str
            and id
            and is_text(id)
            and (type is None or (builtins.type(type) is int and 0 <= type <= MAX_OBJECT_TYPE))
            and (name is None or (builtins.type(name) is str and is_text(name)))
        ):
            return build(cls, {"id": id, "type": type, "name": name})
        return cls(id=id, type=type, name=name)

    @property
    def type_name(self) -> str | None:
        """The type's name (``"metric"``, ``"attribute"``…), None if unknown or untyped."""
        return None if self.type is None else object_type_name(self.type)


class ObjectAnswer(_AnswerBase):
    """An object prompt's answer: the chosen objects (at least one), in order.

    >>> ObjectAnswer(objects=[ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F", type=4)]).family
    <PromptFamily.OBJECTS: 'objects'>
    """

    kind: Literal["objects"] = "objects"
    objects: tuple[ObjectRef, ...] = Field(min_length=1)

    @classmethod
    def of(cls, prompt: PromptRef, objects: tuple[ObjectRef, ...]) -> ObjectAnswer:
        """Build from parts that are already models; cheap on the hot path.

        >>> ObjectAnswer.of(PromptRef(key="K@0@10"), (ObjectRef.of("X", 4),)).objects[0].type
        4
        """
        if (
            objects
            and type(objects) is tuple
            and type(prompt) is PromptRef
            and all(type(o) is ObjectRef for o in objects)
        ):
            return build(cls, {"prompt": prompt, "kind": "objects", "objects": objects})
        return cls(prompt=prompt, objects=objects)

    @property
    def family(self) -> PromptFamily:
        return PromptFamily.OBJECTS

    @property
    def untyped(self) -> tuple[ObjectRef, ...]:
        """The objects whose type is not known (see :class:`ObjectRef`).

        >>> ObjectAnswer(objects=[ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F")]).untyped[0].id
        '4C051DB611D3E877C000B3B2D86C964F'
        """
        return tuple(o for o in self.objects if o.type is None)

    def with_types(self, types: Mapping[str, int]) -> ObjectAnswer:
        """The answer with each untyped object's type taken from ``types`` (ID -> type).

        IDs are matched without regard to case, as GUIDs are; an object whose type is
        known keeps it, and one ``types`` does not name stays untyped.

        >>> a = ObjectAnswer(objects=[ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F")])
        >>> a.with_types({"4c051db611d3e877c000b3b2d86c964f": 4}).objects[0].type
        4
        """
        if not self.untyped:
            return self
        wanted = {k.upper(): v for k, v in types.items()}
        try:
            objects = tuple(
                ObjectRef.of(o.id, wanted[o.id.upper()], o.name)  # checks the number given
                if o.type is None and o.id.upper() in wanted
                else o
                for o in self.objects
            )
        except ValidationError as exc:
            raise DecodeError(validation_message(exc), where="object types") from None
        if objects == self.objects:
            return self
        return ObjectAnswer(prompt=self.prompt, objects=objects)


class ExpressionAnswer(_AnswerBase):
    """An expression prompt's answer: a typed tree, or MicroStrategy's own text verbatim.

    ``expression`` is the typed :mod:`~mstr_prompts.expressions` tree whenever the
    answer is inside the case table of docs/expressions.md.  An answer outside the table
    is kept verbatim (``xml``, the ``<exp>`` text, and/or ``expression``, REST's JSON
    tree as canonical JSON text) and travels only in the form it came in; converting it
    raises :class:`~mstr_prompts.errors.NotRepresentableError` naming the node.
    ``content`` is display text that never changes the meaning (REST's ``content``, the
    text inside ``<exp>``); :attr:`text` renders the tree when there is none.

    The model reads no wire format.  Wire text becomes an answer in the codecs, which
    give the typed tree whenever it is inside the table and check verbatim text:
    :func:`mstr_prompts.expression_xml.answer` for ``<exp>`` XML,
    :func:`mstr_prompts.expression_json.answer` for REST's tree; every decoder uses
    them.  An empty ``<exp/>`` alone is not an answer: closing the prompt is
    :class:`Close`.

    >>> from mstr_prompts.expressions import metric, qualify
    >>> a = ExpressionAnswer(expression=qualify(metric("4C05177011D3E877C000B3B2D86C964F",
    ...                                                "Revenue"), ">", 10))
    >>> a.text
    '{Revenue} > 10'
    >>> from mstr_prompts import expression_xml
    >>> expression_xml.answer(expression_xml.dumps(a.expression)) == a
    True
    """

    kind: Literal["expression"] = "expression"
    xml: str | None = Field(default=None, min_length=1)
    expression: Annotated[Expression | str, BeforeValidator(_expression_tree)] | None = None
    content: str | None = None

    @model_validator(mode="after")
    def _normalise(self) -> ExpressionAnswer:
        if self.content is not None and display_text(self.content) is None:
            object.__setattr__(self, "content", None)  # "no display text": one spelling
        if self.expression is None and self.xml is None:
            raise ValueError("an expression answer needs its xml or its expression tree")
        return self

    @property
    def family(self) -> PromptFamily:
        return PromptFamily.EXPRESSION

    @property
    def typed(self) -> bool:
        """True when the answer is a typed tree (it converts between every format)."""
        return self.expression is not None and not isinstance(self.expression, str)

    @property
    def text(self) -> str | None:
        """``content`` if given, else the typed tree rendered as MicroStrategy shows it."""
        if self.content is not None:
            return self.content
        if self.expression is None or isinstance(self.expression, str):
            return None
        return render(self.expression)


class LevelUnit(Model):
    """One unit of a level answer as Web's display-unit serializer writes it.

    ``type`` is the EnumWebDependentObjectType of the unit (1048578 dimty unit,
    1048581 dimty unit attribute, 1048582 dimty unit dimension); ``aggregation``,
    ``filtering``, ``group_by`` and ``report_level`` are its four numeric settings,
    kept as the numbers the serializer writes (their REST names are unverified).

    >>> LevelUnit(id="15969E6C4B5037A647A7F9AF80EAAB53", type=1048581, name="Year",
    ...           aggregation=1, filtering=1, group_by=1, report_level=0).type
    1048581
    """

    id: str = Field(min_length=1)
    type: Literal[1048578, 1048581, 1048582]
    name: str | None = None
    # Each is a Java int on the server; bounded so that every encoder can write it.
    aggregation: int = Field(ge=MIN_INT, le=MAX_INT)
    filtering: int = Field(ge=MIN_INT, le=MAX_INT)
    group_by: int = Field(ge=MIN_INT, le=MAX_INT)
    report_level: int = Field(ge=MIN_INT, le=MAX_INT)


class LevelAnswer(_AnswerBase):
    """A level (dimensionality) prompt's answer, carried opaquely.

    Exactly one of ``xml`` (a ``<dmy>…</dmy>`` element's text), ``definition`` (REST's
    ``{"canContinue", "filterRest", "units"}`` object) and ``units`` (the Library/Web
    display units, :class:`LevelUnit`) is present; none converts to another yet.  The
    model reads no XML: :func:`mstr_prompts.expression_xml.level_answer` checks a
    ``<dmy>`` and gives it one spelling, and the XML decoder uses it.

    >>> LevelAnswer(definition={"units": [{"id": "15969E6C4B5037A647A7F9AF80EAAB53"}]}).definition
    '{"units":[{"id":"15969E6C4B5037A647A7F9AF80EAAB53"}]}'
    """

    kind: Literal["level"] = "level"
    xml: str | None = Field(default=None, min_length=1)
    definition: Annotated[str, BeforeValidator(_json_object)] | None = None
    units: tuple[LevelUnit, ...] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> LevelAnswer:
        given = sum(f is not None for f in (self.xml, self.definition, self.units))
        if given != 1:
            raise ValueError("a level answer has exactly one of xml, definition and units")
        return self

    @property
    def family(self) -> PromptFamily:
        return PromptFamily.LEVEL

    @property
    def definition_tree(self) -> Any:
        """The REST level definition, parsed (None if absent)."""
        return None if self.definition is None else json.loads(self.definition)


class PlaceholderAnswer(_AnswerBase):
    """A Library link-generator template: the answer is filled in when the link is used.

    Library's link generator writes dynamic tokens (``DYNAMIC_PLACEHOLDER_Date``, an
    element ``ATTR:{[Year]@ID}~1048576~{[Year]@ID}``) that the dashboard replaces with
    the clicked or current value.  ``values`` holds the Library ``values`` strings
    verbatim; ``family`` is the prompt family when the token says it.  No other format
    has templates, so every other encoder refuses this answer.

    >>> PlaceholderAnswer(values=["DYNAMIC_PLACEHOLDER_Date"]).values
    ('DYNAMIC_PLACEHOLDER_Date',)
    """

    kind: Literal["placeholder"] = "placeholder"
    values: tuple[str, ...] = Field(min_length=1)
    family: PromptFamily | None = None


class UseDefault(_AnswerBase):
    """Answer the prompt with its default answer.

    >>> UseDefault(family="value", prompt=PromptRef(id="0CE45CA4483E29FFB0AF969D68588E95")).family
    <PromptFamily.VALUE: 'value'>
    """

    kind: Literal["use_default"] = "use_default"
    family: PromptFamily | None = None


class Close(_AnswerBase):
    """Close an optional prompt with an empty answer.

    ``family`` is None only when the source did not say (an XML ``<pa pt="">`` with no
    body).  ``attribute`` is the attribute of a closed element prompt, when known.

    >>> Close(family="elements", attribute="54BABC8311D59D57C000B28A4CC5F24F").attribute
    '54BABC8311D59D57C000B28A4CC5F24F'
    """

    kind: Literal["close"] = "close"
    family: PromptFamily | None = None
    attribute: str | None = Field(default=None, pattern=GUID_PATTERN)

    @model_validator(mode="after")
    def _attribute_only_for_elements(self) -> Close:
        if self.attribute is not None and self.family is not PromptFamily.ELEMENTS:
            raise ValueError("only a closed element prompt has an attribute")
        return self


class Unanswered(_AnswerBase):
    """A slot that leaves its prompt open on purpose: the user will be asked.

    Positional URL parameters need these to keep later answers in place (``a^^c``).

    >>> Unanswered(family="value", prompt=PromptRef(position=2)).describe()
    'value prompt #2'
    """

    kind: Literal["unanswered"] = "unanswered"
    family: PromptFamily


Answer = Annotated[
    ValueAnswer
    | ElementAnswer
    | ObjectAnswer
    | ExpressionAnswer
    | LevelAnswer
    | PlaceholderAnswer
    | UseDefault
    | Close
    | Unanswered,
    Field(discriminator="kind"),
]
"""Any one answer; ``kind`` tells which."""

ANSWER_CLASSES: tuple[type[Any], ...] = (
    ValueAnswer,
    ElementAnswer,
    ObjectAnswer,
    ExpressionAnswer,
    LevelAnswer,
    PlaceholderAnswer,
    UseDefault,
    Close,
    Unanswered,
)
"""The classes of :data:`Answer`, for ``isinstance``: ``isinstance(UseDefault(prompt=PromptRef(key="K@0@10")), ANSWER_CLASSES)`` is True."""

_ANSWER_TYPES = frozenset(ANSWER_CLASSES)


class AnswerSet(Model):
    """An ordered sequence of answers, plus an optional answer mode, locale and rounds.

    ``mode`` is what the server does with prompts the answers leave out.  ``locale`` is
    the Windows LCID the answer texts were written in (XML's ``rsl/@lcl``).  ``rounds``
    divides the answers into prompting rounds (nested prompts open only after the
    previous round is answered): the number of answers in each round, in order.  It is
    None for one round, which is what every format but Library links can carry; see
    :meth:`by_round` and :meth:`from_rounds`.

    ``answers`` is a tuple for a set built by hand; a decoder's set holds an
    :class:`AnswerList`, which builds each answer from the decoded row when it is read
    and keeps none (so ``s[0] == s[0]`` but ``s[0] is not s[0]``), and compares, hashes
    and dumps as the tuple.

    >>> s = AnswerSet(answers=[ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))])
    >>> len(s), s[0].describe()
    (1, 'value prompt K@0@10')
    """

    if TYPE_CHECKING:
        # A tuple, or (in a decoded set) an AnswerList that builds each answer when read:
        # both are sequences that compare, hash and dump alike.
        answers: Sequence[Answer] = ()
    else:
        answers: tuple[Answer, ...] = ()
    mode: AnswerMode | None = None
    locale: int | None = Field(default=None, ge=0, le=MAX_INT)
    rounds: tuple[Annotated[int, Field(ge=0, le=MAX_INT)], ...] | None = None

    @field_validator("answers", mode="wrap")
    @classmethod
    def _keep_answer_list(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # A decoded set's AnswerList holds answers that were checked when decoded: a new
        # set made from it (``model_copy(update=...)``, ``AnswerSet(answers=s.answers)``)
        # keeps it as it is, lazy, instead of building every answer to validate it again.
        if type(value) is AnswerList:
            return value
        return handler(value)

    # No return annotation: with one, pydantic would describe the serialized form by it
    # instead of by the field (model_json_schema(mode="serialization")).
    @field_serializer("answers", mode="wrap")
    def _answers_as_tuple(  # type: ignore[no-untyped-def]
        self, answers: Any, handler: SerializerFunctionWrapHandler, info: FieldSerializationInfo
    ):
        if type(answers) is not AnswerList:
            return handler(answers)
        if info.include is not None or info.exclude is not None:
            # Their indices name places in the whole tuple: write it whole.
            return handler(tuple(answers))
        # An AnswerList is written as the tuple it stands for, one answer at a time: in
        # JSON mode a generator, which pydantic writes item by item, so that one answer
        # model and its dump live at once (model_dump_json of a 6 MB document of value
        # prompts peaked at 18.9x its size when the tuple was built whole, 10.0x now,
        # the JSON text included).
        dumped = (handler((answer,))[0] for answer in answers)
        return dumped if info.mode_is_json() else tuple(dumped)

    @model_validator(mode="after")
    def _rounds_cover_answers(self) -> AnswerSet:
        rounds = self.rounds
        if rounds is None:
            return self
        if not rounds:
            raise ValueError("rounds is None (one round) or has at least two rounds")
        if sum(rounds) != len(self.answers):
            raise ValueError(
                f"the rounds hold {sum(rounds)} answers but there are {len(self.answers)}"
            )
        if len(rounds) == 1:
            object.__setattr__(self, "rounds", None)  # one round is the plain set
        return self

    @classmethod
    def of(
        cls,
        answers: tuple[Answer, ...],
        mode: AnswerMode | None = None,
        locale: int | None = None,
        rounds: tuple[int, ...] | None = None,
    ) -> AnswerSet:
        """Build from answers that are already models; cheap on the hot path.

        pydantic runs each answer's after-validators again when answers are put into a
        set, which doubles the cost of a 10,000-element answer; already-built answers
        need no second look.

        >>> AnswerSet.of((Close(family="value", prompt=PromptRef(key="K@0@10")),)).answers[0].kind
        'close'
        """
        if (
            type(answers) is tuple
            and all(type(a) in _ANSWER_TYPES for a in answers)
            and (mode is None or type(mode) is AnswerMode)
            and (locale is None or (type(locale) is int and 0 <= locale <= MAX_INT))
            and rounds is None
        ):
            return build(cls, {"answers": answers, "mode": mode, "locale": locale, "rounds": None})
        return cls(answers=answers, mode=mode, locale=locale, rounds=rounds)

    @classmethod
    def from_rounds(cls, sets: Sequence[AnswerSet]) -> AnswerSet:
        """Join one set per prompting round into one set that remembers the rounds.

        The sets must agree on mode and locale (a set has one of each).

        >>> a = AnswerSet(answers=[UseDefault(prompt=PromptRef(key="A@0@10"))])
        >>> b = AnswerSet(answers=[UseDefault(prompt=PromptRef(key="B@0@10"))])
        >>> AnswerSet.from_rounds([a, b]).rounds
        (1, 1)
        """
        if not sets:
            raise ValueError("from_rounds needs at least one round")
        for name in ("mode", "locale"):
            seen = {getattr(s, name) for s in sets}
            if len(seen) > 1:
                raise ValueError(f"the rounds disagree on {name}: {sorted(map(str, seen))}")
            for s in sets:
                if s.rounds is not None:
                    raise ValueError("a round cannot itself hold rounds")
        return cls(
            answers=tuple(a for s in sets for a in s.answers),
            mode=sets[0].mode,
            locale=sets[0].locale,
            rounds=tuple(len(s) for s in sets),
        )

    def by_round(self) -> tuple[AnswerSet, ...]:
        """One set per prompting round, in order (a one-round set gives itself).

        >>> AnswerSet().by_round()
        (AnswerSet(answers=(), mode=None, locale=None, rounds=None),)
        """
        if self.rounds is None:
            return (self,)
        result = []
        start = 0
        for count in self.rounds:
            part = tuple(self.answers[start : start + count])
            start += count
            result.append(AnswerSet.of(part, mode=self.mode, locale=self.locale))
        return tuple(result)

    def with_object_types(self, known: Iterable[ObjectRef]) -> AnswerSet:
        """The set with each untyped object's type taken from objects whose type is known.

        ``known`` is any list of typed objects: a prompt's object list (``GET
        …/prompts/{key}/objects``, :meth:`mstr_prompts.client.Instance.objects`), or
        the objects of its definition.  An object's type belongs to the object, not to
        the prompt, so objects are matched by ID alone (without regard to case, as
        GUIDs are).  Types already known are kept; objects ``known`` does not name stay
        untyped.  Two different types for one ID raise
        :class:`~mstr_prompts.errors.DecodeError`.

        >>> G = "7FD5B69611D5AC76C000D98A4CC5F24F"
        >>> s = AnswerSet(answers=[ObjectAnswer(prompt=PromptRef(key="K@0@10"),
        ...                                     objects=[ObjectRef(id=G, name="Cost")])])
        >>> s.with_object_types([ObjectRef(id=G, type=4)])[0].objects[0].type_name
        'metric'
        """
        types: dict[str, int] = {}
        for ref in known:
            if ref.type is None:
                continue
            seen = types.setdefault(ref.id.upper(), ref.type)
            if seen != ref.type:
                raise DecodeError(
                    f"object {ref.id} is given two types, {seen} and {ref.type}",
                    where="object types",
                )
        rows = pending_rows(self)
        items: Sequence[Row | Answer] = tuple(self.answers) if rows is None else rows
        out: list[Row | Answer] = []
        # Told by the answers with_types replaced, not by comparing every item: rows may be
        # built anew on each walk (PackedRows), so they are never the same objects twice.
        changed = False
        for item in items:
            if type(item) is ObjectAnswer and item.untyped:
                typed = item.with_types(types)
                changed = changed or typed is not item
                item = typed
            out.append(item)
        if not changed:
            return self
        if self.rounds is None:
            return deferred(tuple(out), mode=self.mode, locale=self.locale)
        return AnswerSet(
            answers=tuple(map(answer_of, out)),
            mode=self.mode,
            locale=self.locale,
            rounds=self.rounds,
        )

    def __hash__(self) -> int:
        return hash((AnswerSet, self.answers, self.mode, self.locale, self.rounds))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, as pydantic's (a decoded set's copy shares its lazy answers).

        >>> s = AnswerSet(locale=1033)
        >>> s.model_copy(update={"locale": 1036}).locale
        1036
        """
        copied = super().model_copy(update=update, deep=deep)
        if not update:
            return copied
        # pydantic's copy does not validate the update: validate the copy as a new set,
        # so that new answers with the old round sizes are refused, never split silently
        # by rounds that no longer describe them (issue 20 item 5).
        return type(self).model_validate(
            {name: getattr(copied, name) for name in type(self).model_fields}
        )

    def __iter__(self) -> Iterator[Answer]:  # type: ignore[override]
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)

    @overload
    def __getitem__(self, index: int) -> Answer: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Answer]: ...

    def __getitem__(self, index: int | slice) -> Answer | Sequence[Answer]:
        return self.answers[index]


# --- Deferred answers ---------------------------------------------------------------
#
# Decoders meet answer sets of tens of thousands of elements, or of tens of thousands of
# small prompts, and building pydantic objects per element or per prompt costs more than
# parsing and writing the text together, and several times the input in memory (an
# answer and its PromptRef are about 900 bytes, a small prompt's XML 60 to 80).  So a
# decoder that has fully checked an answer may keep it as a compact *row* of plain
# values, and the set's ``answers`` is an :class:`AnswerList` over the rows, which builds
# an answer each time one is read and keeps none.  Encoders, binding and validation read
# the rows directly through :func:`pending_rows`, which is what makes a conversion such
# as XML -> REST cost little more than parsing and writing.
#
# Every row is built from the same text the slow path would read, and is turned into
# models by the same functions that path calls (``parse_element_id``, ``Element.of``,
# ``ElementAnswer.of``...), so a deferred set and an eagerly built one are equal; the
# property tests hold the two paths equal, errors included.  A decoder makes a row only
# when its checks found nothing wrong: anything unusual takes the checked path, which
# raises exactly as before.
#
# Rows (the prompt is a key string, or a rows.Ref (or PromptRef) when it has more than a key):
#   (VALUE_ROW, prompt, text, type)          a ValueAnswer with a single value
#   (ELEMENTS_ROW, prompt, attribute, keys, names)
#       an ElementAnswer whose every element ID is plain (element_id.plain_key): a GUID
#       attribute shared by all, and key parts as written; names[i] is None or a str
#   (OBJECTS_ROW, prompt, objects)           an ObjectAnswer; objects are (id, type, name)
#   (UNANSWERED_ROW, prompt, family)         an Unanswered slot
#   (USE_DEFAULT_ROW, prompt, family), (CLOSE_ROW, prompt, family)
#       a UseDefault, a Close without attribute (family may be None)
#   (CLOSE_ATTRIBUTE_ROW, prompt, attribute)
#       a Close of an element prompt naming its attribute (a GUID)
#   (EXPRESSION_ROW, key, answers, make)
#       an ExpressionAnswer whose REST answers object answers() writes; make() builds it
#       (row_kinds.EXPRESSION_ROW; rows.pending_rows gives every other reader the model)
#   (VALUES_ROW, prompt, texts, type)
#       a ValueAnswer of two or more texts (row_kinds.VALUES_ROW; read as expression rows are)

# The row kinds and ``Row`` live in :mod:`mstr_prompts.row_kinds`, which imports no
# pydantic: the codecs make and write rows without loading this module
# (:mod:`mstr_prompts.rows`).  They are imported here under their old names.


def _prompt(prompt: Any) -> PromptRef:
    if isinstance(prompt, PromptRef):
        return prompt
    if type(prompt) is str:
        # A non-empty key and nothing else: valid by construction.
        return build(PromptRef, {"key": prompt, "id": None, "name": None, "position": None})
    # A codec's plain reference (mstr_prompts.rows.Ref, read by its fields: the codecs
    # sit above this module), checked as PromptRef checks its fields when it was made.
    fields = {
        "key": prompt.key,
        "id": prompt.id,
        "name": prompt.name,
        "position": prompt.position,
    }
    return build(PromptRef, fields)


def prompt_of(row: Row) -> PromptRef:
    """The prompt a row answers, as a model.

    >>> prompt_of((VALUE_ROW, "K@0@10", "2015", None)).key
    'K@0@10'
    """
    return _prompt(row[1])


def answer_of(row: Row | Answer) -> Answer:
    """The answer model of a row (a model is returned as it is).

    >>> answer_of((VALUE_ROW, "K@0@10", "2015", ValueType.LONG)).value
    '2015'
    """
    if type(row) is not tuple:
        return row  # type: ignore[return-value]
    kind = row[0]
    if kind == VALUE_ROW:
        return build(
            ValueAnswer,
            {"prompt": _prompt(row[1]), "kind": "value", "value": row[2], "type": row[3]},
        )
    if kind == ELEMENTS_ROW:
        # The elements stay as the row holds them, built one at a time when read.
        return ElementAnswer.of(_prompt(row[1]), row[2], ElementList(row[2], row[3], row[4]))
    if kind == OBJECTS_ROW:
        objects = tuple(ObjectRef.of(i, t, n) for i, t, n in row[2])
        return ObjectAnswer.of(_prompt(row[1]), objects)
    if kind == UNANSWERED_ROW:
        return build(
            Unanswered, {"prompt": _prompt(row[1]), "kind": "unanswered", "family": row[2]}
        )
    if kind == USE_DEFAULT_ROW:
        return build(
            UseDefault, {"prompt": _prompt(row[1]), "kind": "use_default", "family": row[2]}
        )
    if kind == CLOSE_ROW:
        fields = {"prompt": _prompt(row[1]), "kind": "close", "family": row[2], "attribute": None}
        return build(Close, fields)
    if kind == EXPRESSION_ROW:
        return row[3]()  # type: ignore[no-any-return]  # the codec that read it builds it
    if kind == CLOSE_ATTRIBUTE_ROW:
        fields = {
            "prompt": _prompt(row[1]),
            "kind": "close",
            "family": PromptFamily.ELEMENTS,
            "attribute": row[2],
        }
        return build(Close, fields)
    if kind == VALUES_ROW:
        # Two or more non-empty texts, as ValueAnswer keeps several (a tuple).
        return build(
            ValueAnswer,
            {"prompt": _prompt(row[1]), "kind": "value", "value": tuple(row[2]), "type": row[3]},
        )
    raise AssertionError(f"unknown row kind {kind!r}")  # pragma: no cover


class AnswerList(TupleLike[Answer]):
    """The answers of a decoded set, held as the decoder's rows: each answer is built when
    read, and none is kept.

    A decoder keeps each answer it has fully checked as a row of plain values (a value
    answer as its key, text and type; see :mod:`mstr_prompts.rows`), and a decoded
    :class:`AnswerSet`'s ``answers`` is an AnswerList over them.  Reading an answer
    (``s[0]``, ``for a in s``) builds its model from the row, each time: a document of
    many small prompts so costs the strings it came from, not an answer model and a
    :class:`PromptRef` per prompt (about 900 bytes, against 60 to 80 bytes of XML), and
    walking the answers one after another keeps memory flat.  Only a caller that holds
    them all (``tuple(s)``) pays for every model.  Because of that, ``s[0] is s[0]`` is
    False for a decoded set (the two are equal).

    It is an immutable sequence, equal to (and hashing as) the tuple of its answers:
    index it, slice it (a slice is a tuple), iterate, join it with a tuple (``+`` gives a
    tuple), compare with ``==`` (a list is no more equal to it than to a tuple), and
    ``model_dump``, ``repr`` and pickle write it as the tuple would be written.  A set
    built by hand (``AnswerSet(answers=[...])``) keeps its answers as a tuple: only
    decoders make an AnswerList, which has no public constructor.

    >>> from mstr_prompts import xml
    >>> s = xml.decode('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" '
    ...                'tp="10">Web</pa></rsl>')
    >>> type(s.answers).__name__, len(s.answers), s.answers[0].value
    ('AnswerList', 1, 'Web')
    >>> s.answers == tuple(s.answers), s[0] is s[0]
    (True, False)
    """

    __slots__ = ("_items",)

    _items: Sequence[Row | Answer]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise PromptAnswerError(
            "an AnswerList is made by the decoders; build a set by hand with "
            "AnswerSet(answers=[...])"
        )

    @property
    def items(self) -> Sequence[Row | Answer]:
        """The rows and answer models it holds, in order (what :func:`pending_rows`
        gives the encoders, which write rows without building their answers)."""
        return self._items

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"an AnswerList is immutable; cannot set {name!r}")

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Answer: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Answer, ...]: ...

    def __getitem__(self, index: int | slice) -> Answer | tuple[Answer, ...]:
        if isinstance(index, slice):
            return tuple(map(answer_of, self._items[index]))
        count = len(self._items)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError("answer index out of range")
        return answer_of(self._items[position])

    def __iter__(self) -> Iterator[Answer]:
        return map(answer_of, self._items)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The first position of ``value`` in ``[start:stop]``, as ``tuple.index``.

        >>> from mstr_prompts import xml
        >>> s = xml.decode('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" '
        ...                'tp="10">Web</pa></rsl>')
        >>> s.answers.index(s[0])
        0
        """
        for position in range(len(self._items))[start:stop]:
            if answer_of(self._items[position]) == value:
                return position
        raise ValueError("AnswerList.index(x): x not in AnswerList")

    def _same(self, other: TupleLike[Answer]) -> bool:
        assert isinstance(other, AnswerList)
        if self._items is other._items:
            return True
        if len(self._items) != len(other._items):
            return False
        # Equal rows are equal answers; unequal ones may still be (a key string and a
        # PromptRef with that key alone), so those are built and compared.
        return all(
            a is b or (type(a) is type(b) and a == b) or answer_of(a) == answer_of(b)
            for a, b in zip(self._items, other._items, strict=True)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # An expression row holds the functions that write and build it (not picklable):
        # it travels as its model.
        items = self._items
        if any(type(i) is tuple and i[0] == EXPRESSION_ROW for i in items):
            items = tuple(
                answer_of(i) if type(i) is tuple and i[0] == EXPRESSION_ROW else i for i in items
            )
        return (_answer_list, (items,))


def _answer_list(items: Sequence[Row | Answer]) -> AnswerList:
    """An AnswerList over rows checked as their models would check them (and unpickling)."""
    instance = object.__new__(AnswerList)
    object.__setattr__(instance, "_items", items)
    return instance


def deferred(
    items: Sequence[Row | Answer],
    mode: AnswerMode | None = None,
    locale: int | None = None,
) -> AnswerSet:
    """An answer set of answers and rows, whose answers are an :class:`AnswerList`: each
    row becomes a model when it is read.

    For codecs only: each row must have been checked as the model would check it.

    >>> s = deferred(((VALUE_ROW, "K@0@10", "2015", None),))
    >>> s == AnswerSet(answers=[ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))])
    True
    """
    if not any(type(item) is tuple for item in items):
        return AnswerSet.of(items, mode=mode, locale=locale)  # type: ignore[arg-type]
    if not (
        (mode is None or type(mode) is AnswerMode)
        and (locale is None or (type(locale) is int and 0 <= locale <= MAX_INT))
    ):
        return AnswerSet(answers=tuple(map(answer_of, items)), mode=mode, locale=locale)
    return build(
        AnswerSet, {"answers": _answer_list(items), "mode": mode, "locale": locale, "rounds": None}
    )


def pending_rows(answers: AnswerSet) -> Sequence[Row | Answer] | None:
    """The rows and answers of a decoded set whose answers are built when read (an
    :class:`AnswerList`), else None (:func:`mstr_prompts.rows.pending_rows` also reads a
    ``RowSet``).

    >>> pending_rows(AnswerSet()) is None
    True
    """
    held = answers.__dict__.get("answers")
    return held._items if type(held) is AnswerList else None
