"""The model's enumerations: prompt families, value types and answer modes.

Plain :mod:`enum` classes, kept apart from the pydantic models of
:mod:`mstr_prompts.model` so that the codecs can name them (XML's ``pt`` numbers, REST's
``type`` names) without loading pydantic's model machinery: a one-file ``mstr-prompts
convert`` decodes rows and writes them out without building a model class (see
:mod:`mstr_prompts.rows`).  :mod:`mstr_prompts.model` re-exports all three.

>>> from mstr_prompts.model import ValueType as Same
>>> Same is ValueType
True
"""

from __future__ import annotations

import enum

__all__ = ["AnswerMode", "PromptFamily", "ValueType"]


class PromptFamily(str, enum.Enum):
    """The kind of question a prompt asks.

    >>> PromptFamily("elements") is PromptFamily.ELEMENTS
    True
    """

    VALUE = "value"
    ELEMENTS = "elements"
    OBJECTS = "objects"
    EXPRESSION = "expression"
    LEVEL = "level"


class ValueType(str, enum.Enum):
    """The data type of a value prompt (the value members of EnumDSSXMLPromptType).

    >>> ValueType("date").name
    'DATE'
    """

    BOOLEAN = "boolean"
    LONG = "long"
    STRING = "string"
    DOUBLE = "double"
    DATE = "date"
    BIG_DECIMAL = "big_decimal"


class AnswerMode(enum.IntEnum):
    """How a server treats prompts the answers do not cover (EnumWebPromptAnswerMode).

    >>> AnswerMode(2).name
    'OPTIONAL_PROMPTS_USE_EMPTY_ANSWER'
    """

    DO_NOT_PASS_PROMPT_ANSWERS = 0
    ALL_PROMPTS_USE_DEFAULT_ANSWER = 1
    OPTIONAL_PROMPTS_USE_EMPTY_ANSWER = 2
    USE_SOURCE_ANSWERS_FOR_PROMPT_IN_PROMPT = 4
