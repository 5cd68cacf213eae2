"""The kinds of a decoder's rows.

The vocabulary both :mod:`mstr_prompts.model` (which builds answers from rows) and the
codecs (which make and write rows) share, kept below both; :mod:`mstr_prompts.rows`
describes the rows and re-exports these names.

>>> VALUE_ROW, ELEMENTS_ROW, OBJECTS_ROW
('value', 'elements', 'objects')
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CLOSE_ROW",
    "ELEMENTS_ROW",
    "OBJECTS_ROW",
    "PENDING",
    "STATE_ROWS",
    "UNANSWERED_ROW",
    "USE_DEFAULT_ROW",
    "VALUE_ROW",
    "Row",
]

VALUE_ROW = "value"
ELEMENTS_ROW = "elements"
OBJECTS_ROW = "objects"
# A prompt's state rather than an answer: (kind, prompt, family), spelled as the model's kind.
UNANSWERED_ROW = "unanswered"
USE_DEFAULT_ROW = "use_default"
CLOSE_ROW = "close"
STATE_ROWS = frozenset({UNANSWERED_ROW, USE_DEFAULT_ROW, CLOSE_ROW})

Row = tuple[Any, ...]
"""A compact, already-checked answer (see :mod:`mstr_prompts.rows`)."""

PENDING = "deferred rows"
"""Where a deferred :class:`~mstr_prompts.model.AnswerSet` used to keep its rows (its
pydantic private attributes).  A decoded set now holds them in its ``answers``, an
:class:`~mstr_prompts.model.AnswerList`; read them with
:func:`mstr_prompts.rows.pending_rows`.  Kept so that importing the name still works."""
