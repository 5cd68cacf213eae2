"""What a prompt's definition says of its prompt, whichever form holds it.

A definition is held as a plain :class:`~mstr_prompts.definitions.PromptRecord` (read
without building a model) or as a :class:`~mstr_prompts.definitions.PromptDefinition`
model; both derive these names from their ``prompt`` and ``family`` fields, here, so
that they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .enums import PromptFamily
from .rest import TYPE_NAMES

if TYPE_CHECKING:
    from .model import PromptRef
    from .rows import Ref

__all__ = ["PromptNaming"]


class PromptNaming:
    """The key, id, name, REST type and description of a definition's prompt.

    >>> from mstr_prompts import definitions
    >>> d = definitions.decode('[{"key": "K@0@10", "name": "Year", "type": "LEVEL"}]')
    >>> d.records[0].type, d[0].type, d[0].describe()
    ('LEVEL', 'LEVEL', "prompt 'Year' (key K@0@10)")
    """

    __slots__ = ()

    if TYPE_CHECKING:
        prompt: PromptRef | Ref
        family: PromptFamily | None

    @property
    def key(self) -> str | None:
        """The prompt's key (``did@pin@tp`` or an opaque dashboard key)."""
        return self.prompt.key

    @property
    def id(self) -> str | None:
        """The prompt object's GUID."""
        return self.prompt.id

    @property
    def name(self) -> str | None:
        """The prompt's name (what the server's messages call it)."""
        return self.prompt.name

    @property
    def type(self) -> str:
        """The REST ``type`` of the prompt (``VALUE``, ``ELEMENTS``… or ``UNSUPPORTED``)."""
        return "UNSUPPORTED" if self.family is None else TYPE_NAMES[self.family]

    def describe(self) -> str:
        """Name the prompt for people: ``prompt 'Name' (key …)``."""
        return self.prompt.describe()
