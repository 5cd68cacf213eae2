"""The :class:`~mstr_prompts.definitions.PromptDefinition` model, defined apart.

Defining a pydantic model class loads pydantic's model machinery (``pydantic.main`` and
its schema builders, tens of milliseconds): :mod:`mstr_prompts.definitions` reads
definitions into plain records (:class:`~mstr_prompts.definitions.PromptRecord`) and
gives this class on first use of ``definitions.PromptDefinition`` (or of a definition
as a model), so that a ``convert --definitions`` whose answers are rows loads none of it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from pydantic import ConfigDict, Field, model_validator

from ._base import Model
from ._prompt_naming import PromptNaming
from .enums import PromptFamily, ValueType
from .errors import with_article
from .model import Answer, ObjectAnswer, ObjectRef, PromptRef

__all__ = ["PromptDefinition"]


class PromptDefinition(Model, PromptNaming):
    """One prompt as ``GET …/prompts`` describes it.

    ``prompt`` identifies it (key, id, name, and its 1-based ``position`` among the
    prompts of its family, which :class:`Definitions` assigns).  ``family`` is None for
    a prompt of type ``UNSUPPORTED`` (one REST cannot answer).  ``min`` and ``max`` are
    counts for element, object, expression and level prompts, numbers
    (:class:`~decimal.Decimal`), dates (aware UTC datetimes) or text lengths for value
    prompts.  ``attribute`` is the element prompt's attribute (``source.id``).
    ``default`` and ``current`` are the default and current answers as model answers,
    None when there are none.

    >>> from mstr_prompts.definitions import decode
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
    min: int | Decimal | datetime | None = None
    max: int | Decimal | datetime | None = None
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
    def objects(self) -> tuple[ObjectRef, ...]:
        """The objects an object prompt's default and current answers list, in order.

        :func:`~mstr_prompts.definitions.bind` takes from them the type of an object answered without one.

        >>> from mstr_prompts.definitions import decode
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
