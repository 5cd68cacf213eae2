"""One attribute element, as element prompts and element-list qualifications hold it.

Kept apart from :mod:`mstr_prompts.model` because both the answers there and the
expression trees of :mod:`mstr_prompts.expressions` hold elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, overload

from pydantic import Field, model_validator

from ._base import Model
from ._trusted import build
from ._tuple_like import TupleLike
from .element_id import GUID_PATTERN, ElementId, OpaqueElementId, plain_element_id, plain_keys
from .errors import PromptAnswerError
from .rules import is_text

__all__ = ["Element", "ElementList"]


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


_GUID = re.compile(GUID_PATTERN)


def _parts_problem(
    attribute: str, keys: tuple[str, ...], names: tuple[str | None, ...]
) -> str | None:
    """Why the parts are not those of plain elements, or None.  Checked in bulk (one
    join and one scan per list), since every decoded element list is built here: the
    elements are later built without validation, so the parts must be valid now."""
    if type(attribute) is not str or not _GUID.fullmatch(attribute):
        return f"the attribute {attribute!r} is not a 32-hex-digit GUID"
    if len(keys) != len(names):
        return f"{len(keys)} keys but {len(names)} names"
    if not keys:
        return "an element answer has at least one element"
    if not all(type(k) is str for k in keys):
        return "every key part is a string"
    joined = "\0".join(keys)
    if not plain_keys(joined) or not is_text(joined):
        return "a key part needs an escape or is not valid text (not a plain element ID)"
    given = [n for n in names if n is not None]
    if not all(type(n) is str for n in given) or not is_text("".join(given)):
        return "a display name is None or valid text"
    return None


class ElementList(TupleLike[Element]):
    """The elements of one answer, held compactly: each :class:`Element` is built when read.

    A decoded element answer of plain IDs (one GUID attribute, keys that need no escape:
    :func:`~mstr_prompts.element_id.plain_key`) keeps its elements as the attribute,
    the key parts and the display names it was decoded from, and builds an
    :class:`Element` each time one is read; nothing is cached.  Ten thousand elements
    so cost the strings they came from (a few times the input), not ten thousand pairs
    of models (about 700 bytes an element): reading every element one after another
    keeps memory flat, and only a caller that holds them all at once
    (``tuple(answer.elements)``) pays for the models.

    It is an immutable sequence, equal to (and hashing as) the tuple of its elements:
    index it, slice it (a slice is a tuple), iterate, join it with a tuple (``+`` gives a
    tuple), compare with ``==``, and ``model_dump`` writes the elements as a tuple's
    would be written.

    >>> es = ElementList("8D679D3711D3E4981000E787EC6DE8A4", ("1", "2"), (None, "Books"))
    >>> len(es), es[1].name, es[0].id.to_old_short()
    (2, 'Books', '8D679D3711D3E4981000E787EC6DE8A4:1')
    >>> es == tuple(es), hash(es) == hash(tuple(es))
    (True, True)
    """

    __slots__ = ("_attribute", "_keys", "_names")

    def __init__(
        self,
        attribute: str,
        keys: Sequence[str] = (),
        names: Sequence[str | None] | None = None,
    ) -> None:
        # Bad parts get the library's error, whatever they are (None, a number, one str
        # where a sequence of them goes), never a TypeError from tuple().
        for part, value in (("keys", keys), ("names", () if names is None else names)):
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise PromptAnswerError(
                    f"ElementList: {part} must be a sequence (tuple or list) of str, "
                    f"not {type(value).__name__}"
                )
        if names is None:  # no display names: each element is its ID alone
            names = (None,) * len(keys)
        keys, names = tuple(keys), tuple(names)
        problem = _parts_problem(attribute, keys, names)
        if problem is not None:
            raise PromptAnswerError(f"ElementList: {problem}")
        self._attribute = attribute
        self._keys = keys
        self._names = names

    @property
    def attribute(self) -> str:
        """The attribute every element belongs to."""
        return self._attribute

    @property
    def keys(self) -> tuple[str, ...]:
        """Each element's key part as written (``ATTR:key`` and ``h{key};ATTR`` alike).

        Writers spell the elements from these, as they do a decoder's rows, instead of
        building every element to read it back.
        """
        return self._keys

    @property
    def names(self) -> tuple[str | None, ...]:
        """Each element's display name, or None."""
        return self._names

    def _element(self, index: int) -> Element:
        return Element.of(plain_element_id(self._attribute, self._keys[index]), self._names[index])

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Element: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Element, ...]: ...

    def __getitem__(self, index: int | slice) -> Element | tuple[Element, ...]:
        if isinstance(index, slice):
            return tuple(self._element(i) for i in range(*index.indices(len(self._keys))))
        count = len(self._keys)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError("element index out of range")
        return self._element(position)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The first position of ``value`` in ``[start:stop]``, as ``tuple.index``: a
        ValueError that says so when it is not there.

        >>> es = ElementList("8D679D3711D3E4981000E787EC6DE8A4", ("1", "2"))
        >>> es.index(es[1])
        1
        """
        positions = range(len(self._keys))[start:stop]
        for position in positions:
            if self._element(position) == value:
                return position
        raise ValueError("ElementList.index(x): x not in ElementList")

    def __iter__(self) -> Iterator[Element]:
        attribute = self._attribute
        for key, name in zip(self._keys, self._names, strict=True):
            yield Element.of(plain_element_id(attribute, key), name)

    def _same(self, other: TupleLike[Element]) -> bool:
        assert isinstance(other, ElementList)
        # The parts map one to one onto the elements (a plain key splits on ":" alone),
        # so equal parts are equal elements, without building any.
        return (self._attribute, self._keys, self._names) == (
            other._attribute,
            other._keys,
            other._names,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (ElementList, (self._attribute, self._keys, self._names))
