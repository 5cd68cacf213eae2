"""Decoded answers as compact rows, before (or instead of) building their models.

Decoders meet answer sets of tens of thousands of elements, and building two pydantic
objects per element costs more than parsing and writing the text together.  So a
decoder that has fully checked an answer may keep it as a *row* of plain values
(:mod:`mstr_prompts.model`, "Deferred answers"), and an encoder writes the rows directly.

A :class:`RowSet` is such a decoded set with no model built at all: what each codec's
``decode_rows`` returns (:func:`mstr_prompts.xml.decode_rows`,
:func:`mstr_prompts.rest.decode_rows`, :func:`mstr_prompts.url.decode_rows`,
:func:`mstr_prompts.library.decode_rows`) and what
every encoder accepts in place of an :class:`~mstr_prompts.model.AnswerSet`.  Nothing in
this module imports pydantic's model machinery, so a one-file ``mstr-prompts convert``,
``inspect`` or ``link`` of value, element and object answers never loads a model class;
:meth:`RowSet.answer_set` gives the models when a caller wants them, and the output of
every encoder is the same for a set and its rows (the tests hold them byte-identical).

Rows (the prompt is a key string, or a :class:`Ref` when it has more than a key or is
known by its id, name or position; a hand-built set may also give a PromptRef):

* ``(VALUE_ROW, prompt, text, type)``: a ValueAnswer with a single value; ``type`` is a
  :class:`~mstr_prompts.enums.ValueType` or None;
* ``(ELEMENTS_ROW, prompt, attribute, keys, names)``: an ElementAnswer whose every
  element ID is plain (:func:`mstr_prompts.element_text.plain_key`): a GUID attribute
  shared by all, and key parts as written; ``names[i]`` is None or a str;
* ``(OBJECTS_ROW, prompt, objects)``: an ObjectAnswer; objects are ``(id, type, name)``;
* ``(UNANSWERED_ROW, prompt, family)``: an Unanswered slot (a Web link's ``a^^c``);
  ``family`` is a :class:`~mstr_prompts.enums.PromptFamily`;
* ``(USE_DEFAULT_ROW, prompt, family)`` and ``(CLOSE_ROW, prompt, family)``: a UseDefault,
  and a Close with no attribute; ``family`` is a PromptFamily or None;
* ``(CLOSE_ATTRIBUTE_ROW, prompt, attribute)``: a Close of an element prompt that names
  its attribute (a GUID), as prompt-answer XML's ``<mi><es><at did=…/></es></mi>`` and a
  Web link's ``elementsPromptAnswers=ATTR;`` give it; a writers' row (below).

A decoder may also keep an answer as a row that only the writers able to carry it read:
expression rows (:data:`~mstr_prompts.row_kinds.EXPRESSION_ROW`, made by prompt-answer
XML's and REST's decoders, read by every writer), and a value of several texts
(:data:`~mstr_prompts.row_kinds.VALUES_ROW`, ``(VALUES_ROW, prompt, texts, type)``, read
by REST's and Library's writers; the other formats carry one text per value prompt), and
a close that names its attribute (:data:`~mstr_prompts.row_kinds.CLOSE_ATTRIBUTE_ROW`,
read by every writer).
Every other reader (:attr:`RowSet.items`, :func:`pending_rows`, the answer models) is
given the answer's model in such a row's place.

>>> from mstr_prompts import rest, xml
>>> rows = xml.decode_rows('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" '
...                        'tp="10">Web</pa></rsl>')
>>> rest.dumps(rows)
'{"prompts": [{"key": "2294C41E44244ADAED930CB4E00A9DA0@0@10", "type": "VALUE", "answers": "Web"}]}'
>>> rows.answer_set() == xml.decode('<rsl><pa pt="3" pin="0" '
...     'did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Web</pa></rsl>')
True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from ._trusted import TRUSTED
from ._tuple_like import TupleLike
from .element_text import plain_key
from .enums import AnswerMode, PromptFamily, ValueType
from .errors import DecodeError, with_article
from .row_kinds import CLOSE_ATTRIBUTE_ROW as CLOSE_ATTRIBUTE_ROW
from .row_kinds import CLOSE_ROW as CLOSE_ROW
from .row_kinds import ELEMENTS_ROW as ELEMENTS_ROW
from .row_kinds import EXPRESSION_ROW, WRITER_ROWS
from .row_kinds import OBJECTS_ROW as OBJECTS_ROW
from .row_kinds import PENDING as PENDING
from .row_kinds import STATE_ROWS as STATE_ROWS
from .row_kinds import UNANSWERED_ROW as UNANSWERED_ROW
from .row_kinds import USE_DEFAULT_ROW as USE_DEFAULT_ROW
from .row_kinds import VALUE_ROW as VALUE_ROW
from .row_kinds import VALUES_ROW as VALUES_ROW
from .row_kinds import Row as Row
from .rules import MAX_INT, MAX_POSITION, describe_prompt, is_text, key_location

if TYPE_CHECKING:
    from array import array
    from typing import TypeAlias

    from .model import Answer, AnswerSet

__all__ = [
    "CLOSE_ATTRIBUTE_ROW",
    "CLOSE_ROW",
    "ELEMENTS_ROW",
    "OBJECTS_ROW",
    "PENDING",
    "STATE_ROWS",
    "UNANSWERED_ROW",
    "USE_DEFAULT_ROW",
    "VALUES_ROW",
    "VALUE_ROW",
    "Answers",
    "PackedRows",
    "Ref",
    "Row",
    "RowSet",
    "describe_row",
    "pending_rows",
]

if TYPE_CHECKING:
    Answers: TypeAlias = "AnswerSet | RowSet"
    """What every encoder takes: an answer set, or a decoder's rows."""
    Items: TypeAlias = "Sequence[Row | Answer]"
    """A set's rows and answers, in order: a tuple, or a :class:`PackedRows`."""


class Ref:
    """The prompt a row answers, when a key alone does not say it: a plain, immutable
    value with the fields of :class:`~mstr_prompts.model.PromptRef` (``key``, ``id``,
    ``name``, ``position``), its checks, its ``describe`` and ``location``, and no
    pydantic model behind it.

    Decoders put one in a row for a REST item named by ``id`` or ``name``, a URL value
    answer known by its position, and a URL element answer known by its attribute alone
    (the empty ``Ref()``); the answer's model gets the equal ``PromptRef``.  The
    constructor checks each field as ``PromptRef`` does; what it refuses goes to
    ``PromptRef`` itself, which raises the very ``ValidationError`` it always has.

    >>> Ref(id="0CE45CA4483E29FFB0AF969D68588E95").describe("value")
    'value prompt id 0CE45CA4483E29FFB0AF969D68588E95'
    >>> Ref(position=2).dump()
    {'position': 2}
    >>> Ref(key="K@0@10", name="Year") == Ref(key="K@0@10", name="Year")
    True
    """

    __slots__ = ("id", "key", "name", "position")

    key: str | None
    id: str | None
    name: str | None
    position: int | None

    def __init__(
        self,
        key: str | None = None,
        id: str | None = None,  # PromptRef's field name
        name: str | None = None,
        position: int | None = None,
    ) -> None:
        if not (
            (key is None or (type(key) is str and key and is_text(key)))
            and (id is None or (type(id) is str and id and is_text(id)))
            and (name is None or (type(name) is str and is_text(name)))
            and (position is None or (type(position) is int and 1 <= position <= MAX_POSITION))
        ):
            # Anything the plain checks do not pass is the model's to judge: it raises its
            # own error, or gives the values it reads (a str subclass becomes a str).
            from .model import PromptRef

            given = {"key": key, "id": id, "name": name, "position": position}
            # None is "not given", as for the model's defaults (its error repeats the input).
            model = PromptRef(**{k: v for k, v in given.items() if v is not None})
            key, id, name, position = model.key, model.id, model.name, model.position
        _SET_KEY(self, key)
        _SET_ID(self, id)
        _SET_NAME(self, name)
        _SET_POSITION(self, position)

    @classmethod
    def of(
        cls,
        key: str | None = None,
        id: str | None = None,
        name: str | None = None,
        position: int | None = None,
    ) -> Ref:
        """For codecs: fields already checked (as ``PromptRef`` checks them), kept unchecked.

        >>> Ref.of(position=3).position
        3
        """
        return _new_ref(key, id, name, position)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Ref is immutable; cannot set {name!r}")

    def _fields(self) -> tuple[str | None, str | None, str | None, int | None]:
        return (self.key, self.id, self.name, self.position)

    def __reduce__(self) -> tuple[Any, ...]:
        # Copied and pickled through Ref.of: __setattr__ refuses the default way.
        return (Ref.of, self._fields())

    def __eq__(self, other: object) -> bool:
        if type(other) is not Ref:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Ref(key={self.key!r}, id={self.id!r}, name={self.name!r}, position={self.position!r})"
        )

    @property
    def location(self) -> tuple[str, str, str] | None:
        """``(did, pin, tp)`` when the key has the ``did@pin@tp`` shape, else None
        (``PromptRef.location``).

        >>> Ref(key="K@0@10").location
        ('K', '0', '10')
        """
        return key_location(self.key)

    @property
    def is_identified(self) -> bool:
        """True when a server could find the prompt by key, id or name."""
        return self.key is not None or self.id is not None or self.name is not None

    def describe(self, family: str | None = None) -> str:
        """A short human name for the prompt, for error messages (``PromptRef.describe``).

        >>> Ref(key="K@0@10", name="Region").describe()
        "prompt 'Region' (key K@0@10)"
        """
        return describe_prompt(self.key, self.id, self.name, self.position, family)

    def dump(self) -> dict[str, Any]:
        """The ``PromptRef``'s ``model_dump(mode="json", exclude_none=True)``.

        >>> Ref(key="K@0@10", id="0C").dump()
        {'key': 'K@0@10', 'id': '0C'}
        """
        fields = (("key", self.key), ("id", self.id), ("name", self.name))
        dumped: dict[str, Any] = {name: value for name, value in fields if value is not None}
        if self.position is not None:
            dumped["position"] = self.position
        return dumped


# A Ref filled through its slots' own member descriptors (Ref.__setattr__ refuses
# assignment): every walk of packed rows builds a Ref per row, and this costs about 0.3 µs
# against 0.5 µs through object.__setattr__ by name.
_NEW_REF = object.__new__
_SLOT: dict[str, Any] = dict(Ref.__dict__)  # the member descriptors of Ref's slots
_SET_KEY, _SET_ID = _SLOT["key"].__set__, _SLOT["id"].__set__
_SET_NAME, _SET_POSITION = _SLOT["name"].__set__, _SLOT["position"].__set__
del _SLOT


def _new_ref(key: str | None, id: str | None, name: str | None, position: int | None) -> Ref:
    ref: Ref = _NEW_REF(Ref)
    _SET_KEY(ref, key)
    _SET_ID(ref, id)
    _SET_NAME(ref, name)
    _SET_POSITION(ref, position)
    return ref


EMPTY_REF = Ref.of()
"""The prompt of an answer known by nothing but its content (a URL element answer, matched
by its attribute)."""


# The separator of valuePromptAnswers' slots (url.SLOT_SEP; this module sits below url).
_SLOT_SEP = "^"


class PackedRows(TupleLike["Row | Answer"]):
    """The value rows of a Web link's ``valuePromptAnswers``, packed: the parameter's
    text once and where each slot starts, each row built when it is read and not kept;
    then, unpacked, the rows and answers that follow it in the set (``rest``).

    A link answers up to 1,000 value prompts by position, a few bytes each (``2024^``),
    and a row per answer (a tuple, a :class:`Ref` with the position, the text) is about
    230 bytes: 20 to 30 times the input.  Packed, the slots cost the decoded text and two
    or four bytes each.  Row ``i`` (below the slot count) is ``(VALUE_ROW,
    Ref.of(position=i + 1), slot_text, None)``, or for an open slot (``a^^c``)
    ``(UNANSWERED_ROW, Ref.of(position=i + 1), PromptFamily.VALUE)``: the very row the
    decoder would keep, so every reader of a set's rows (the encoders, ``bind``, ``validate``, the answer
    models, :meth:`RowSet.dump`) reads it unchanged.

    It is an immutable sequence equal to (and hashing as) the tuple of its rows: index
    it, slice it (a slice is a tuple), iterate, compare with ``==``; ``repr`` and pickle
    write it as the tuple would be written (pickle keeps it packed).  Only valid text
    (:meth:`packable`: no lone surrogate, at most ``MAX_POSITION`` slots) is packed;
    anything else keeps its rows, so the answers and errors are the same.

    >>> packed = PackedRows("2015^Sam Hill^25354")
    >>> len(packed), packed[1]
    (3, ('value', Ref(key=None, id=None, name=None, position=2), 'Sam Hill', None))
    >>> packed == tuple(packed), PackedRows("2015^^25354")[1][0]
    (True, 'unanswered')
    >>> RowSet(packed, trusted=None).dump()["answers"][2]
    {'prompt': {'position': 3}, 'kind': 'value', 'value': '25354'}
    """

    __slots__ = ("_bounds", "_rest", "_text")

    _text: str
    _bounds: array[int]
    _rest: tuple[Row | Answer, ...]

    def __init__(
        self, text: str, rest: Sequence[Row | Answer] = (), *, trusted: object = None
    ) -> None:
        # Decoders pass rows they have checked (_trusted.TRUSTED); anything else is
        # checked here as RowSet checks a hand-built set.
        if type(text) is not str or not PackedRows.packable(text):
            raise DecodeError(
                f"{str(text)[:40]!r} is not a valuePromptAnswers text of plain values "
                f"(valid text; at most {MAX_POSITION} slots)",
                where="PackedRows",
            )
        rests = tuple(rest if trusted is TRUSTED else _checked_items(rest))
        if any(type(item) is tuple and item[0] in WRITER_ROWS for item in rests):
            raise DecodeError(
                "an expression or several-values row is not packed", where="PackedRows"
            )
        # Where each slot starts, and one past the end: the text of slot i is
        # text[bounds[i] : bounds[i + 1] - 1].  Two bytes a slot when they fit.
        starts = [0]
        find = text.find
        begin = find(_SLOT_SEP)
        while begin != -1:
            starts.append(begin + 1)
            begin = find(_SLOT_SEP, begin + 1)
        starts.append(len(text) + 1)
        from array import array  # here: only a Web link's valuePromptAnswers is packed

        _set = object.__setattr__
        _set(self, "_text", text)
        _set(self, "_bounds", array("H" if len(text) < 0xFFFF else "I", starts))
        _set(self, "_rest", rests)

    @staticmethod
    def packable(text: str) -> bool:
        """True when every ``^``-separated slot of ``text`` is a plain value or an open
        slot: valid text (:func:`~mstr_prompts.rules.is_text`), at most ``MAX_POSITION``
        slots.

        >>> PackedRows.packable("30^^Sam Hill"), PackedRows.packable("^" * 1000)
        (True, False)
        """
        return text.count(_SLOT_SEP) < MAX_POSITION and is_text(text)

    @property
    def text(self) -> str:
        """The packed ``valuePromptAnswers`` text, as decoded."""
        return self._text

    @property
    def slots(self) -> int:
        """How many value rows are packed (the rest follow them)."""
        return len(self._bounds) - 1

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a PackedRows is immutable; cannot set {name!r}")

    def _row(self, index: int) -> Row:
        bounds = self._bounds
        return _slot_row(index + 1, self._text[bounds[index] : bounds[index + 1] - 1])

    def __len__(self) -> int:
        return len(self._bounds) - 1 + len(self._rest)

    @overload
    def __getitem__(self, index: int) -> Row | Answer: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Row | Answer, ...]: ...

    def __getitem__(self, index: int | slice) -> Row | Answer | tuple[Row | Answer, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        count = len(self)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError("row index out of range")
        slots = len(self._bounds) - 1
        return self._row(position) if position < slots else self._rest[position - slots]

    def __iter__(self) -> Iterator[Row | Answer]:
        text, bounds, row = self._text, self._bounds, _slot_row
        end = bounds[0]
        for position in range(1, len(bounds)):
            begin, end = end, bounds[position]
            yield row(position, text[begin : end - 1])
        yield from self._rest

    def _same(self, other: TupleLike[Row | Answer]) -> bool:
        assert isinstance(other, PackedRows)
        # Equal texts are equal rows (the bounds follow from the text).
        return (self._text, self._rest) == (other._text, other._rest) or (
            len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Copied and pickled packed, without checking the rows again.
        return (_packed, (self._text, self._rest))


def _slot_row(position: int, text: str) -> Row:
    """The row url's decoder keeps for slot ``position`` of valuePromptAnswers: a value,
    or an open slot (``a^^c``)."""
    ref = _new_ref(None, None, None, position)
    return (VALUE_ROW, ref, text, None) if text else (UNANSWERED_ROW, ref, PromptFamily.VALUE)


def _packed(text: str, rest: tuple[Row | Answer, ...]) -> PackedRows:
    """A copied or unpickled PackedRows (its rest was checked when the original was made)."""
    return PackedRows(text, rest, trusted=TRUSTED)


class RowSet:
    """Decoded answers kept as rows (and answer models, for what has no row), with the
    set's answer mode and locale: an :class:`~mstr_prompts.model.AnswerSet` whose models
    are not built.

    Every encoder takes one where it takes an AnswerSet, and writes the same text;
    :meth:`answer_set` builds the set (the rows become models when its answers are first
    read); :meth:`dump` is the set's ``model_dump(mode="json", exclude_none=True)``,
    written from the rows.  A RowSet is one round (``rounds`` is always None), and is
    immutable.

    The constructor checks every row and answer as the models would (the encoders
    trust the rows), raising :class:`~mstr_prompts.errors.DecodeError` with the item's
    index; there is no public way around it (the decoders, whose rows are checked as they
    are made, build theirs through a private module).

    >>> rows = RowSet(((VALUE_ROW, "K@0@10", "2015", None),), locale=1033)
    >>> rows.dump()
    {'answers': [{'prompt': {'key': 'K@0@10'}, 'kind': 'value', 'value': '2015'}], 'locale': 1033}
    >>> len(rows), rows.answer_set()[0].value
    (1, '2015')
    >>> RowSet(((VALUE_ROW, "K@0@10", "2015", "text"),))
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: RowSet: items[0]: a value row's type must be a ValueType or None, not 'text'
    """

    __slots__ = ("_built", "_items", "_rows", "locale", "mode")

    _rows: Items
    _items: Items | None
    mode: AnswerMode | None
    locale: int | None
    _built: AnswerSet | None
    rounds: None = None

    def __init__(
        self,
        items: Items,
        mode: AnswerMode | None = None,
        locale: int | None = None,
        *,
        expression_rows: bool = False,
        trusted: object = None,
    ) -> None:
        # A hand-built set is checked here, row by row, as the models would check it:
        # the encoders write rows without looking at them again, so a bad row would
        # otherwise surface as an IndexError in one encoder and as wrong text in
        # another.  Decoders, whose rows are checked as they are made, pass the private
        # token _trusted.TRUSTED, and may hold expression and several-values rows
        # (``expression_rows``: :data:`~mstr_prompts.row_kinds.WRITER_ROWS`, which
        # :attr:`items` gives as their models); a hand-built set cannot (its rows are of
        # the kinds above).
        if trusted is not TRUSTED:
            items = _checked_items(items)
            mode, locale = _checked_mode_locale(mode, locale)
            expression_rows = False
        _set = object.__setattr__
        _set(self, "_rows", items)
        _set(self, "_items", None if expression_rows else items)
        _set(self, "mode", mode)
        _set(self, "locale", locale)
        _set(self, "_built", None)

    @property
    def items(self) -> Items:
        """The rows and answer models (an expression row is given as its model, built
        once: only REST's writer reads those rows, through :func:`pending_rows`).

        >>> RowSet(((VALUE_ROW, "K@0@10", "2015", None),)).items[0][0]
        'value'
        """
        items = self._items
        if items is None:
            items = _modelled(self._rows)
            object.__setattr__(self, "_items", items)
        return items

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a RowSet is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        return f"RowSet({len(self._rows)} items, mode={self.mode!r}, locale={self.locale!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Copied and pickled without checking the rows again (they were checked when
        # first made): __setattr__ refuses the default way.
        return (_restored, (self.items, self.mode, self.locale))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Answer]:
        """The answer models (building them)."""
        return iter(self.answer_set())

    def answer_set(self) -> AnswerSet:
        """The :class:`~mstr_prompts.model.AnswerSet` these rows are (built once).

        Its models are built when its answers are first read; its mode and locale are
        validated here, so an invalid one raises pydantic's ``ValidationError``.

        >>> RowSet(((VALUE_ROW, "K@0@10", "2015", None),)).answer_set()[0].prompt.key
        'K@0@10'
        """
        # Unset until the first call (a decoder's set is made without the constructor).
        built: AnswerSet | None = getattr(self, "_built", None)
        if built is None:
            from .model import deferred

            built = deferred(self._rows, mode=self.mode, locale=self.locale)
            object.__setattr__(self, "_built", built)
        return built

    def by_round(self) -> tuple[AnswerSet]:
        """The one round a RowSet is, as a set (see ``AnswerSet.by_round``)."""
        return (self.answer_set(),)

    def with_mode(self, mode: AnswerMode | None) -> RowSet:
        """The same rows with another answer mode.

        >>> RowSet(()).with_mode(AnswerMode(2)).mode
        <AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER: 2>
        """
        mode, _ = _checked_mode_locale(mode, None)
        return RowSet(
            self._rows,
            mode=mode,
            locale=self.locale,
            expression_rows=self._items is not self._rows,
            trusted=TRUSTED,
        )

    def dump(self) -> dict[str, Any]:
        """The set as JSON values: ``answer_set().model_dump(mode="json",
        exclude_none=True)``, written from the rows without building their models.

        >>> RowSet(((OBJECTS_ROW, "K@0@10", [("4C05", 4, None)]),)).dump()["answers"][0]
        {'prompt': {'key': 'K@0@10'}, 'kind': 'objects', 'objects': [{'id': '4C05', 'type': 4}]}
        """
        # The rows as held: a several-values row is dumped as its ValueAnswer would be,
        # an expression row as its ExpressionAnswer (from its REST tree where _dump can).
        document: dict[str, Any] = {"answers": [_dump(item) for item in self._rows]}
        if self.mode is not None:
            document["mode"] = self.mode.value
        if self.locale is not None:
            document["locale"] = self.locale
        return document


def _restored(items: Items, mode: AnswerMode | None, locale: int | None) -> RowSet:
    """A copied or unpickled RowSet (its rows were checked when the original was made)."""
    return RowSet(items, mode=mode, locale=locale, trusted=TRUSTED)


# --- checking a hand-built set ----------------------------------------------------------

_ROW_LENGTH = {
    VALUE_ROW: 4,
    ELEMENTS_ROW: 5,
    OBJECTS_ROW: 3,
    UNANSWERED_ROW: 3,
    USE_DEFAULT_ROW: 3,
    CLOSE_ROW: 3,
}


def _refuse(index: int, what: str) -> DecodeError:
    return DecodeError(what, where=f"RowSet: items[{index}]")


def _checked_mode_locale(mode: Any, locale: Any) -> tuple[AnswerMode | None, int | None]:
    if mode is not None and type(mode) is not AnswerMode:
        raise DecodeError(f"mode must be an AnswerMode or None, not {mode!r}", where="RowSet")
    if locale is not None and not (type(locale) is int and 0 <= locale <= MAX_INT):
        raise DecodeError(
            f"locale must be None or an int from 0 to {MAX_INT}, not {locale!r}", where="RowSet"
        )
    return mode, locale


def _is_text(value: Any, *, optional: bool = False) -> bool:
    return type(value) is str or (optional and value is None)


def _shape(index: int, row: Any) -> None:
    """The parts of a row have the types the encoders read (see the module docstring)."""
    from .model import PromptRef

    kind = row[0] if len(row) else None
    if type(kind) is not str or kind not in _ROW_LENGTH:
        raise _refuse(index, f"a row's kind must be one of {sorted(_ROW_LENGTH)}, not {kind!r}")
    if len(row) != _ROW_LENGTH[kind]:
        raise _refuse(
            index, f"{with_article(kind)} row has {_ROW_LENGTH[kind]} parts, not {len(row)}"
        )
    prompt = row[1]
    if not (
        (type(prompt) is str and prompt) or type(prompt) is Ref or isinstance(prompt, PromptRef)
    ):
        raise _refuse(
            index,
            f"a row's prompt must be a key (a non-empty str), a Ref or a PromptRef, not {prompt!r}",
        )
    if kind in STATE_ROWS:
        if type(row[2]) is not PromptFamily and not (kind != UNANSWERED_ROW and row[2] is None):
            allowed = "a PromptFamily" if kind == UNANSWERED_ROW else "a PromptFamily or None"
            raise _refuse(
                index, f"{with_article(kind)} row's family must be {allowed}, not {row[2]!r}"
            )
    elif kind == VALUE_ROW:
        if type(row[2]) is not str:
            raise _refuse(index, f"a value row's text must be a str, not {row[2]!r}")
        if row[3] is not None and type(row[3]) is not ValueType:
            raise _refuse(index, f"a value row's type must be a ValueType or None, not {row[3]!r}")
    elif kind == ELEMENTS_ROW:
        attribute, keys, names = row[2], row[3], row[4]
        if type(attribute) is not str:
            raise _refuse(index, f"an elements row's attribute must be a str, not {attribute!r}")
        if type(keys) not in (tuple, list) or type(names) not in (tuple, list):
            raise _refuse(index, "an elements row's keys and names must be tuples or lists")
        if len(keys) != len(names):
            raise _refuse(index, f"an elements row has {len(keys)} keys but {len(names)} names")
        for key, name in zip(keys, names, strict=True):
            if not _is_text(key) or not _is_text(name, optional=True):
                raise _refuse(
                    index,
                    f"an element's key must be a str and its name a str or None, not {key!r}, {name!r}",
                )
            if not plain_key(key):
                raise _refuse(
                    index,
                    f"element key {key!r} is not plain (it holds *, \\ or ;): give the answer as a model",
                )
    else:
        objects = row[2]
        if type(objects) not in (tuple, list):
            raise _refuse(index, "an objects row's objects must be a tuple or list")
        for item in objects:
            if not (
                type(item) is tuple
                and len(item) == 3
                and _is_text(item[0])
                and (item[1] is None or type(item[1]) is int)
                and _is_text(item[2], optional=True)
            ):
                raise _refuse(
                    index,
                    f"an object must be (id: str, type: int | None, name: str | None), not {item!r}",
                )


def _checked_items(items: Any) -> Items:
    from pydantic import ValidationError

    from .errors import validation_message
    from .model import AnswerSet, answer_of

    if type(items) is PackedRows:
        return items  # checked when it was made
    if type(items) not in (tuple, list):
        raise DecodeError(
            f"items must be a tuple of rows and answers, not {type(items).__name__}", where="RowSet"
        )
    checked_items: tuple[Row | Answer, ...] = tuple(items)
    for index, item in enumerate(checked_items):
        if type(item) is tuple:
            _shape(index, item)
            document: dict[str, list[Any]] = {"answers": [_dump(item)]}
        else:
            document = {"answers": [item]}
        try:
            # The row as its model would read it, checked: it must be the very answer the
            # row is taken for (a text the model would change, say, is refused).
            checked = AnswerSet.model_validate(document)
        except ValidationError as exc:
            raise _refuse(index, validation_message(exc)) from None
        if type(item) is tuple and checked.answers[0] != answer_of(item):
            raise _refuse(index, "the row is not the answer its model reads from it")
    return checked_items


def _dump_model(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def _dump(item: Row | Answer) -> dict[str, Any]:
    if type(item) is not tuple:
        return _dump_model(item)  # type: ignore[no-any-return]
    kind, prompt = item[0], item[1]
    if kind == EXPRESSION_ROW:
        # Written from the scan's tree where the scan made the row, else from its REST
        # tree where it is canonical (REST's rows, the walk's), with no model loaded.
        from ._expression_scan import row_dump

        dumped = row_dump(item)
        if dumped is not None:
            # The scan names the prompt by its key; a REST row may name it otherwise.
            dumped["prompt"] = _prompt_dump(prompt)
        else:
            dumped = _expression_dump(item)
        if dumped is None:
            from .model import answer_of

            return _dump_model(answer_of(item))  # type: ignore[no-any-return]
        return dumped
    if kind == CLOSE_ATTRIBUTE_ROW:  # Close's fields, in its order
        return {
            "prompt": _prompt_dump(prompt),
            "kind": "close",
            "family": PromptFamily.ELEMENTS.value,
            "attribute": item[2],
        }
    head = {"prompt": _prompt_dump(prompt), "kind": kind}
    if kind in STATE_ROWS:
        if item[2] is not None:
            head["family"] = item[2].value
        return head
    if kind in (VALUE_ROW, VALUES_ROW):
        head["kind"] = VALUE_ROW  # the model's kind for one value or several
        head["value"] = item[2] if kind == VALUE_ROW else list(item[2])
        if item[3] is not None:
            head["type"] = item[3].value
        return head
    if kind == ELEMENTS_ROW:
        attribute = item[2]
        elements = []
        for key, name in zip(item[3], item[4], strict=True):
            element: dict[str, Any] = {
                "id": {"kind": "element_id", "attribute": attribute, "keys": key.split(":")}
            }
            if name is not None:
                element["name"] = name
            elements.append(element)
        head["attribute"] = attribute
        head["elements"] = elements
        return head
    objects = []
    for object_id, number, name in item[2]:
        ref: dict[str, Any] = {"id": object_id}
        if number is not None:
            ref["type"] = number
        if name is not None:
            ref["name"] = name
        objects.append(ref)
    head["objects"] = objects
    return head


def _prompt_dump(prompt: Any) -> dict[str, Any]:
    if type(prompt) is str:
        return {"key": prompt}
    return prompt.dump() if type(prompt) is Ref else _dump_model(prompt)


def _expression_dump(row: Row) -> dict[str, Any] | None:
    """An expression row's dump written from its REST tree (a typed answer's fields:
    prompt, kind, expression, content), or None for what only its model can dump
    (verbatim XML, an element ID that is not plain)."""
    answers = row[2]()
    tree = answers.get("expression")
    if "xml" in answers or tree is None:
        return None
    from .expression_plain import typed_dump  # only for expression rows

    typed = typed_dump(tree)
    if typed is None:
        return None
    dumped = {"prompt": _prompt_dump(row[1]), "kind": "expression", "expression": typed}
    if answers.get("content") is not None:
        dumped["content"] = answers["content"]
    return dumped


def pending_rows(answers: Answers, *, expression_rows: bool = False) -> Items | None:
    """The rows and answers of a set whose models are not built yet, else None.

    An expression row or a several-values row (:data:`~mstr_prompts.row_kinds.EXPRESSION_ROW`,
    :data:`~mstr_prompts.row_kinds.VALUES_ROW`) is given as its answer model (for a
    decoded set, built for each call and not kept), unless ``expression_rows``: the
    writers that read those rows (REST's, and Library's for several values) ask for them.

    >>> pending_rows(RowSet(((VALUE_ROW, "K@0@10", "2015", None),)))[0][2]
    '2015'
    """
    if isinstance(answers, RowSet):
        return answers._rows if expression_rows else answers.items
    from .model import pending_rows as of_set

    rows = of_set(answers)  # a decoded set's AnswerList holds them
    if rows is None or expression_rows:
        return rows
    # Every reader but REST's writer is given each expression row's model, built for
    # this call and not kept (as the set's AnswerList builds each answer it is asked for).
    return _modelled(rows)


def _modelled(rows: Items) -> Items:
    """``rows`` with each expression or several-values row (``WRITER_ROWS``) replaced by
    its model (the same tuple if none)."""
    if type(rows) is PackedRows:
        return rows  # value rows, and a rest with no such row (see PackedRows)
    if not any(type(row) is tuple and row[0] in WRITER_ROWS for row in rows):
        return rows
    from .model import answer_of

    return tuple(
        answer_of(row) if type(row) is tuple and row[0] in WRITER_ROWS else row for row in rows
    )


# The family a row's answer names itself by (``answer.describe()``), by the row's kind.
_FAMILY_OF_KIND = {
    VALUE_ROW: PromptFamily.VALUE.value,
    VALUES_ROW: PromptFamily.VALUE.value,
    ELEMENTS_ROW: PromptFamily.ELEMENTS.value,
    OBJECTS_ROW: PromptFamily.OBJECTS.value,
    EXPRESSION_ROW: PromptFamily.EXPRESSION.value,
    CLOSE_ATTRIBUTE_ROW: PromptFamily.ELEMENTS.value,
}


def describe_row(row: Row) -> str:
    """``answer_of(row).describe()`` without building the answer: the prompt a row answers,
    named for an error message as its model names it.

    An encoder that refuses a row words its error with this, so a refusal builds no model.

    >>> describe_row((VALUE_ROW, Ref.of(position=2), "2015", None))
    'value prompt #2'
    >>> describe_row((CLOSE_ROW, "K@0@10", None))
    'prompt K@0@10'
    """
    kind, prompt = row[0], row[1]
    if kind in STATE_ROWS:
        family = None if row[2] is None else row[2].value
    else:
        family = _FAMILY_OF_KIND[kind]
    if type(prompt) is str:
        return describe_prompt(prompt, None, None, None, family)
    return str(prompt.describe(family))
