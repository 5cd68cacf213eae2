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

_set = object.__setattr__
_new = object.__new__  # what BaseModel inherits; calling it directly skips a lookup
# Models here are frozen, so pydantic never mutates an instance's fields-set (copies
# copy it): one shared set per class saves building a set per element.
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def build(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` (all fields, declaration order).

    >>> from mstr_prompts.model import ObjectRef
    >>> build(ObjectRef, {"id": "X", "type": 4, "name": None}) == ObjectRef(id="X", type=4)
    True
    """
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    instance = _new(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", fields_set)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
