"""Words the JSON codecs and the definitions share, so that none reaches into another.

REST answer bodies, Library short answers and prompt definitions are all JSON, read by
:func:`mstr_prompts.rest.load_json`; their messages name what was found in one spelling
(:func:`json_kind`) and say how a prompt was looked up in one spelling
(:func:`identified_by`).  This module sits with the codecs, above the model, and below
:mod:`~mstr_prompts.definitions` and :mod:`~mstr_prompts.validation` (see the layers in
docs/design.md).

>>> json_kind([1, 2])
'an array'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .errors import with_article

if TYPE_CHECKING:  # a type only: the codecs' row paths load no model (mstr_prompts.rows)
    from .model import PromptRef
    from .rows import Ref

__all__ = ["identified_by", "is_json_number", "json_kind"]


def json_kind(value: Any) -> str:
    """Name a JSON value's type for messages ("must be a string, not an array").

    A number read by :func:`mstr_prompts.rest.load_json` remembers its text (``text``),
    and is named by it, since "not a number" would read as nonsense where a whole number
    is wanted.

    >>> json_kind(None), json_kind(True), json_kind(3), json_kind(1.5), json_kind({})
    ('null', 'a boolean', 'a number', 'the number 1.5', 'an object')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        written = getattr(value, "text", None)
        text = written if isinstance(written, str) else repr(value)
        if not math.isfinite(value):
            return f"the number {text[:24]}, which is out of range"
        return f"the number {text[:24]}"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return with_article(type(value).__name__)


def is_json_number(value: Any) -> bool:
    """True for a JSON number (``true`` and ``false`` are not numbers, though Python's
    ``bool`` is an ``int``).

    >>> is_json_number(2), is_json_number(2.5), is_json_number(True)
    (True, True, False)
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def identified_by(ref: PromptRef | Ref) -> str:
    """How a server finds the prompt: REST's precedence, key, then id, then name.

    >>> from mstr_prompts.model import PromptRef
    >>> identified_by(PromptRef(id="0CE45CA4483E29FFB0AF969D68588E95", name="Year"))
    'id 0CE45CA4483E29FFB0AF969D68588E95'
    """
    if ref.key is not None:
        return f"key {ref.key}"
    if ref.id is not None:
        return f"id {ref.id}"
    return f"name {ref.name!r}"
