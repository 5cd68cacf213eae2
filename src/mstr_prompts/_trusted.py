"""Building model instances from values that are valid by construction.

Decoders build one :class:`~mstr_prompts.element_id.ElementId` and one
:class:`~mstr_prompts.model.Element` per element, and element prompts run to tens of
thousands of elements.  pydantic's validation, and even ``model_construct``, cost more
than the whole rest of decoding there, so the hot paths fill the instance directly.
Callers must pass every field, in declaration order, with values the model's own
validation would accept unchanged; the property tests compare such instances with
validated ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # a type only: importing this module loads no pydantic model machinery
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")

_new = object.__new__  # what BaseModel inherits; calling it directly skips a lookup
# Models here are frozen, so pydantic never mutates an instance's fields-set (copies
# copy it): one shared set per class saves building a set per element.
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}
# BaseModel's own slot setters (__dict__, fields-set, extra, private), taken from their
# descriptors: object.__setattr__ would look each one up by name on every call, and this
# runs once per element.  Taken on the first build, so that importing this module loads
# no pydantic model machinery (the first build has a model class, so pydantic is loaded).
_SETTERS: tuple[Any, Any, Any, Any] | None = None


def _slot_setters() -> tuple[Any, Any, Any, Any]:
    global _SETTERS
    from pydantic import BaseModel

    slots = BaseModel.__dict__
    _SETTERS = (
        slots["__dict__"].__set__,
        slots["__pydantic_fields_set__"].__set__,
        slots["__pydantic_extra__"].__set__,
        slots["__pydantic_private__"].__set__,
    )
    return _SETTERS


def build(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` (all fields, declaration order).

    >>> from mstr_prompts.model import ObjectRef
    >>> build(ObjectRef, {"id": "X", "type": 4, "name": None}) == ObjectRef(id="X", type=4)
    True
    """
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    set_dict, set_fields_set, set_extra, set_private = _SETTERS or _slot_setters()
    instance = _new(cls)
    set_dict(instance, values)
    set_fields_set(instance, fields_set)
    set_extra(instance, None)
    set_private(instance, None)
    return instance


class _Token:
    """A value only this private module gives out (see :data:`TRUSTED`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TRUSTED"


TRUSTED = _Token()
"""Passed as ``RowSet(..., trusted=TRUSTED)`` by the decoders, whose rows are checked as
they are made, so that the constructor keeps them as given: every other caller's rows
are checked (a module being private is what keeps a caller from reaching it).

>>> from mstr_prompts.rows import VALUE_ROW, RowSet
>>> RowSet(((VALUE_ROW, "K@0@10", "2015", None),), trusted=TRUSTED).items[0][2]
'2015'
"""
