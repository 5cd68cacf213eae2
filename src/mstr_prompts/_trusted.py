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
# BaseModel's own slots, set through their descriptors: object.__setattr__ would look
# each one up by name on every call, and this runs once per element.
_slots = BaseModel.__dict__
_set_dict = _slots["__dict__"].__set__
_set_fields_set = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__
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
    _set_dict(instance, values)
    _set_fields_set(instance, fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance
