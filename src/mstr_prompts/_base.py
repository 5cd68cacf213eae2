"""The base of every model class: immutable, no unknown fields, valid text everywhere.

Kept apart from :mod:`mstr_prompts.rules` (where it was ``rules.Model``) because defining
a pydantic class loads pydantic's model machinery, and the rules also serve the codecs'
row paths, which build no model (:mod:`mstr_prompts.rows`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .rules import text_problem

__all__ = ["Model"]


def _check_value(value: Any) -> Any:
    if type(value) is str:
        problem = text_problem(value)
        if problem is not None:
            raise ValueError(problem)
    elif type(value) is tuple or type(value) is list:
        for item in value:
            _check_value(item)
    elif type(value) is dict:
        for key, item in value.items():
            _check_value(key)
            _check_value(item)
    return value


class Model(BaseModel):
    """Base of every model class: immutable, no unknown fields, valid text in every field.

    The text rule is checked here once for every string field (and strings in tuples) of
    every subclass, so no field can forget it.  The fast constructors that skip
    validation check their strings with :func:`is_text` instead.

    >>> class Named(Model):
    ...     name: str
    >>> from pydantic import ValidationError
    >>> try:
    ...     Named(name="\\ud800")
    ... except ValidationError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, it contains a lone surrogate (U+D800 at index 0), which is not a character and which no format can carry
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # Before validation, so the message is this one for every field (pydantic's own str
    # check refuses some surrogates, with a message that does not say which character) ...
    @model_validator(mode="before")
    @classmethod
    def _valid_input_text(cls, data: Any) -> Any:
        return _check_value(data)

    # ... and after it, for text a field derives from its input (a JSON tree read from
    # text whose "\\ud800" escape becomes a lone surrogate).
    @field_validator("*")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        return _check_value(value)
