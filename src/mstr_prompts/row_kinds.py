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
    "CLOSE_ATTRIBUTE_ROW",
    "CLOSE_ROW",
    "ELEMENTS_ROW",
    "EXPRESSION_ROW",
    "MODELLED",
    "OBJECTS_ROW",
    "PENDING",
    "STATE_ROWS",
    "UNANSWERED_ROW",
    "USE_DEFAULT_ROW",
    "VALUES_ROW",
    "VALUE_ROW",
    "WRITER_ROWS",
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
EXPRESSION_ROW = "expression rows"
"""An expression answer read by prompt-answer XML's scan (``expression_xml.scan_row``) or
by REST's decoder (a tree of the usual shapes, ``expression_plain.canonical_answers``):
``(EXPRESSION_ROW, prompt, answers, make)``: two functions of no arguments, one writing
REST's ``answers`` object (a new one each call), one building the ExpressionAnswer.
The writers read these rows (``rows.pending_rows(..., expression_rows=True)``): REST's
writes the answers, prompt-answer XML's, the Web URL's promptsAnswerXML and Library's
write its ``<exp>`` from them (``expression_plain.exp_element``), and ``RowSet.dump``
its dump (``expression_plain.typed_dump``); each gives a row it cannot write plainly to
the model's path.  Every other reader of a set's rows is given the answer model."""
VALUES_ROW = "several values"
"""A value answer of several texts (REST's ``"answers": ["a", "b"]``, Library's
``"values": ["a", "b"]`` of plain texts): ``(VALUES_ROW, prompt, texts, type)``, ``texts``
a tuple of two or more non-empty strings, ``type`` a ValueType or None.  Only the writers
that can carry it read these rows (REST's and Library's, through
``rows.pending_rows(..., expression_rows=True)``); every other reader is given the
ValueAnswer in their place, as for expression rows."""
CLOSE_ATTRIBUTE_ROW = "close with attribute"
"""A closed element prompt that names its attribute: prompt-answer XML's
``<pa …><mi><es><at did="ATTR" tp="12"/></es></mi></pa>`` and the Web URL's
``elementsPromptAnswers=ATTR;``: ``(CLOSE_ATTRIBUTE_ROW, prompt, attribute)``, ``attribute``
a GUID, the answer ``Close(family=ELEMENTS, attribute=attribute)``.  Every writer reads
these rows (``rows.pending_rows(..., expression_rows=True)``) and writes them as that
Close is written; every other reader (``bind``, ``validate``, the answer models) is given
the Close, as for expression rows."""
WRITER_ROWS = frozenset({EXPRESSION_ROW, VALUES_ROW, CLOSE_ATTRIBUTE_ROW})
"""The row kinds only the writers that ask for them read (see above)."""

Row = tuple[Any, ...]
"""A compact, already-checked answer (see :mod:`mstr_prompts.rows`)."""

PENDING = "deferred rows"
"""Where a deferred :class:`~mstr_prompts.model.AnswerSet` used to keep its rows (its
pydantic private attributes).  A decoded set now holds them in its ``answers``, an
:class:`~mstr_prompts.model.AnswerList`; read them with
:func:`mstr_prompts.rows.pending_rows`.  Kept so that importing the name still works."""

MODELLED = "deferred rows, expression rows modelled"
"""Where :func:`mstr_prompts.rows.pending_rows` used to keep a deferred set's rows with
each expression row replaced by its model.  It now builds them on each call, keeping
none (as a decoded set's ``AnswerList`` does).  Kept so that importing the name works."""
