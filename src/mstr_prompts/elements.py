"""One attribute element, as element prompts and element-list qualifications hold it.

Kept apart from :mod:`mstr_prompts.model` because both the answers there and the
expression trees of :mod:`mstr_prompts.expressions` hold elements.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ._base import Model
from ._trusted import build
from .element_id import ElementId, OpaqueElementId
from .rules import is_text

__all__ = ["Element"]


class Element(Model):
    """One attribute element: its ID, its display name, or both.

    A display name spelled inside the ID (terse ``h4;ATTR;40K-50K``, old long DESC) is
    moved to ``name`` so that each element has one spelling.

    >>> Element(id=ElementId.parse("h4;8D679D4111D3E4981000E787EC6DE8A4;40K-50K")).name
    '40K-50K'
    """

    id: Annotated[ElementId | OpaqueElementId, Field(discriminator="kind")] | None = None
    name: str | None = None

    @classmethod
    def of(cls, id: ElementId | OpaqueElementId | None = None, name: str | None = None) -> Element:
        """Build an element from parts that are already models; cheap on the hot path.

        Codecs decode thousands of elements per answer, and an element whose ID carries
        no display name has nothing to normalise, so full validation is skipped then.

        >>> Element.of(ElementId.parse("8D679D3711D3E4981000E787EC6DE8A4:1"), "Books").name
        'Books'
        """
        if (
            id is not None
            and id.display is None
            and (name is None or (type(name) is str and is_text(name)))
        ):
            return build(cls, {"id": id, "name": name})
        return cls(id=id, name=name)

    @model_validator(mode="after")
    def _normalise(self) -> Element:
        if self.id is None and self.name is None:
            raise ValueError("an element needs an id, a name, or both")
        if isinstance(self.id, ElementId) and self.id.display is not None:
            if self.name is not None and self.name != self.id.display:
                raise ValueError(
                    f"element {self.id.to_terse()!r} names itself {self.id.display!r} "
                    f"but its name is {self.name!r}"
                )
            object.__setattr__(self, "name", self.id.display)
            object.__setattr__(self, "id", self.id.without_display())
        return self
