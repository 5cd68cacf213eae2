"""The tuple behaviour shared by the lazy sequences that stand in for tuples.

:class:`~mstr_prompts.elements.ElementList`, :class:`~mstr_prompts.model.AnswerList` and
:class:`~mstr_prompts.rows.PackedRows` each hold compact parts and build an item when it
is read, in place of a tuple a caller used to get.  So that code written against the
tuple keeps working, each compares, hashes, joins and prints as the tuple of its items;
that contract lives here once.  Each class says how two of its own kind compare
(:meth:`TupleLike._same`), which it can tell from its parts without building any item.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class TupleLike(Sequence[T]):
    """A sequence equal to, hashing, joining and printing as the tuple of its items.

    >>> class Squares(TupleLike[int]):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, i): return (0, 1, 4)[i]
    ...     def _same(self, other): return True
    >>> Squares() == (0, 1, 4), hash(Squares()) == hash((0, 1, 4)), Squares() + (9,)
    (True, True, (0, 1, 4, 9))
    """

    __slots__ = ()

    def _same(self, other: TupleLike[T]) -> bool:
        """Whether ``other``, of this very class, holds equal items."""
        raise NotImplementedError  # pragma: no cover - every subclass says

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._same(other)
        if isinstance(other, tuple):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the equal tuple hashes

    # Joining gives a tuple, as joining the tuple would.
    def __add__(self, other: object) -> tuple[T, ...]:
        if isinstance(other, (tuple, type(self))):
            return (*self, *other)
        return NotImplemented

    def __radd__(self, other: object) -> tuple[T, ...]:
        if isinstance(other, tuple):
            return (*other, *self)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(tuple(self))
