"""Hypothesis properties of binding, validation and completion.

The strategies are the published ones (mstr_prompts.strategies): definitions with random
bounds, answers inside them, answers pushed out of one bound, and the identity a Web URL
keeps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from mstr_prompts import rest, url, xml
from mstr_prompts.definitions import Definitions, bind, check, complete, validate
from mstr_prompts.definitions import decode as definitions_decode
from mstr_prompts.errors import DecodeError, PromptAnswerError, PromptsOutstanding
from mstr_prompts.model import Answer, AnswerSet, PromptRef, Unanswered, answer_of, pending_rows
from mstr_prompts.rows import RowSet
from mstr_prompts.strategies import (
    answer_sets,
    answers_for,
    out_of_bounds,
    prompt_definitions,
    strip_identity,
)

if TYPE_CHECKING:
    from mstr_prompts.rows import Answers


def with_answers(*, url_only: bool = False) -> st.SearchStrategy[tuple[Definitions, AnswerSet]]:
    definitions = prompt_definitions(expressions=not url_only)
    return definitions.flatmap(lambda d: st.tuples(st.just(d), answers_for(d, url=url_only)))


@given(with_answers())
def test_answers_inside_their_bounds_validate_clean(pair: tuple[Definitions, AnswerSet]) -> None:
    definitions, answers = pair
    assert validate(answers, definitions) == ()
    assert bind(answers, definitions) == answers


@given(with_answers(), st.data())
def test_one_answer_out_of_bounds_is_exactly_one_problem_on_its_prompt(
    pair: tuple[Definitions, AnswerSet], data: st.DataObject
) -> None:
    definitions, answers = pair
    breakable = [
        i
        for i, a in enumerate(answers)
        if a.kind in ("value", "elements", "objects") and _breakable(definitions, a.prompt.key)
    ]
    assume(breakable)
    index = data.draw(st.sampled_from(breakable))
    definition = next(d for d in definitions if d.key == answers[index].prompt.key)
    broken = data.draw(out_of_bounds(definition))
    changed = answers.model_copy(
        update={"answers": (*answers.answers[:index], broken, *answers.answers[index + 1 :])}
    )
    problems = validate(changed, definitions)
    assert len(problems) == 1
    assert problems[0].key == definition.key and problems[0].index == index
    assert problems[0].code == "ERR006" and problems[0].verbatim


def _breakable(definitions: Definitions, key: str | None) -> bool:
    definition = next(d for d in definitions if d.key == key)
    low, high = definition.min, definition.max
    if definition.family is not None and definition.family.value == "value":
        if definition.value_type is not None and definition.value_type.value == "string":
            return (isinstance(low, int) and low >= 2) or high is not None
        return low is not None or high is not None
    return (isinstance(low, int) and low >= 2) or (isinstance(high, int) and high > 0)


@given(with_answers(url_only=True))
def test_binding_restores_what_a_url_drops(pair: tuple[Definitions, AnswerSet]) -> None:
    definitions, answers = pair
    through_url = url.decode(url.encode(strip_identity(answers)), allow_empty=True)
    assert bind(through_url, definitions) == answers


@given(with_answers(), st.sampled_from(["default", "close", "error"]))
def test_complete_answers_every_prompt_and_keeps_every_answer(
    pair: tuple[Definitions, AnswerSet], missing: str
) -> None:
    definitions, answers = pair
    try:
        done = complete(answers, definitions, missing)  # type: ignore[arg-type]
    except PromptsOutstanding as exc:
        given_keys = {a.prompt.key for a in answers if not isinstance(a, Unanswered)}
        for ref in exc.prompts:
            definition = next(d for d in definitions if d.prompt == ref)
            assert ref.key not in given_keys and not definition.closed
            assert missing == "error" or definition.required
            assert missing != "default" or not definition.has_default
        return
    assert done.mode is None
    assert list(done.answers[: len(answers)]) == list(answers.answers)
    answered = {a.prompt.key for a in done if not isinstance(a, Unanswered)}
    for definition in definitions:
        if not definition.closed and definition.family is not None:
            assert definition.key in answered
    assert validate(done, definitions) == ()


_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["VALUE", "ELEMENTS", "OBJECTS", "DATE", "TEXT", "", "2020-01-01", "x"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "key",
                    "id",
                    "name",
                    "type",
                    "required",
                    "closed",
                    "min",
                    "max",
                    "dataType",
                    "source",
                    "defaultAnswer",
                    "answers",
                    "prompts",
                    "title",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=12,
)


@given(_JSON)
def test_decoding_anything_gives_definitions_or_a_decode_error(document: object) -> None:
    try:
        defs = definitions_decode(document)  # type: ignore[arg-type]
    except DecodeError:
        return
    assert all(d.prompt.position is not None for d in defs)


@given(prompt_definitions(), answer_sets())
def test_bind_validate_complete_raise_only_the_librarys_errors(
    defs: Definitions, answers: AnswerSet
) -> None:
    for action in (bind, validate, complete):
        with contextlib.suppress(PromptAnswerError):
            action(answers, defs)


@given(with_answers(), st.data())
def test_rows_from_a_decoder_bind_and_validate_as_their_models_do(
    pair: tuple[Definitions, AnswerSet], data: st.DataObject
) -> None:
    definitions, answers = pair
    kept: list[Answer] = [a for a in answers if a.kind in ("value", "elements", "objects")]
    breakable: list[int] = [i for i, a in enumerate(kept) if _breakable(definitions, a.prompt.key)]
    flip: bool = data.draw(st.booleans())
    if breakable and flip:
        index = data.draw(st.sampled_from(breakable))
        definition = next(d for d in definitions if d.key == kept[index].prompt.key)
        kept[index] = data.draw(out_of_bounds(definition))
    # Strip the identity XML does not carry, so that binding has work to do.
    text = xml.encode(
        AnswerSet(answers=[a.model_copy(update={"prompt": PromptRef(key=a.prompt.key)}) for a in kept])
    )  # fmt: skip
    lazy, eager = xml.decode(text), AnswerSet(answers=tuple(xml.decode(text)))
    assert pending_rows(lazy) is not None or not kept
    assert validate(lazy, definitions) == validate(eager, definitions)
    bound = bind(lazy, definitions)
    assert bound == bind(eager, definitions)
    assert rest.encode(bound) == rest.encode(bind(eager, definitions))
    assert _completed(lazy, definitions) == _completed(eager, definitions)


def _completed(answers: AnswerSet, definitions: Definitions) -> AnswerSet | str:
    try:
        return complete(answers, definitions, "close")
    except PromptsOutstanding as exc:
        return str(exc)


# --- binding without building (issue 22 item 3) -----------------------------------------
#
# bind, validate and complete read a decoder's rows as rows: a Web link's 10,000 element
# answers are bound and checked without building 10,000 models.  The row path must agree
# with the model path in everything a caller can see: the bound answers, the problems and
# their order, and the errors with their messages.


def _outcome(action: object, answers: Answers, definitions: Definitions) -> object:
    try:
        return action(answers, definitions)  # type: ignore[operator]
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))


def _written(answers: AnswerSet) -> object:
    try:
        return rest.encode(answers)
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))


def _broken(data: st.DataObject, definitions: Definitions, answers: AnswerSet) -> AnswerSet:
    """The answers, perhaps with one pushed out of its bounds."""
    kept = list(answers)
    breakable = [
        i
        for i, a in enumerate(kept)
        if a.kind in ("value", "elements", "objects")
        and any(d.key == a.prompt.key for d in definitions)
        and _breakable(definitions, a.prompt.key)
    ]
    flip: bool = data.draw(st.booleans())
    if breakable and flip:
        index = data.draw(st.sampled_from(breakable))
        definition = next(d for d in definitions if d.key == kept[index].prompt.key)
        kept[index] = data.draw(out_of_bounds(definition))
    return AnswerSet(answers=tuple(kept))


def _key_only(answers: AnswerSet) -> AnswerSet:
    """The answers naming their prompt by key alone, as prompt-answer XML and the REST
    bodies most clients write do (the decoders keep those as rows)."""
    return AnswerSet(
        answers=[a.model_copy(update={"prompt": PromptRef(key=a.prompt.key)}) for a in answers]
    )


def _url_decode(text: str) -> AnswerSet:
    return url.decode(text, allow_empty=True)


_CODECS: dict[str, tuple[Callable[[AnswerSet], str], Callable[[str], AnswerSet]]] = {
    "rest": (rest.dumps, rest.decode),
    "xml": (xml.encode, xml.decode),
    "url": (url.encode_query, _url_decode),
}


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Definitions, str, str]:
    """Definitions and the text of answers in one format: answers written for them,
    or for other definitions (so that binding fails in every way it can), or any
    answers at all."""
    codec = draw(st.sampled_from(sorted(_CODECS)))
    web = codec == "url"
    definitions = draw(prompt_definitions(expressions=not web))
    source = draw(st.sampled_from(["these", "these", "other", "any"]))
    if source == "any":
        answers = draw(answer_sets())
    else:
        written_for = definitions
        if source == "other":
            written_for = draw(prompt_definitions(expressions=not web))
        answers = _broken(draw(st.data()), written_for, draw(answers_for(written_for, url=web)))
        if web:
            answers = strip_identity(answers)
        elif draw(st.booleans()) and all(a.prompt.key for a in answers):
            answers = _key_only(answers)
    encode = _CODECS[codec][0]
    try:
        text = encode(answers)
    except PromptAnswerError:
        assume(False)
    return definitions, codec, text


@given(_cases())
def test_the_row_path_and_the_model_path_agree(case: tuple[Definitions, str, str]) -> None:
    definitions, codec, text = case
    decode = _CODECS[codec][1]
    # Every model built and held: the model path (a decoded set's answers are an
    # AnswerList, built when read, so reading them no longer turns the set into models).
    lazy, eager = decode(text), _eager(decode(text))
    assert pending_rows(eager) is None
    rows = pending_rows(lazy) is not None
    event(
        f"{codec}: {'rows' if rows else 'models'}, bind {type(_outcome(bind, lazy, definitions)).__name__}"
    )
    for action in (validate, bind, complete):
        assert _outcome(action, lazy, definitions) == _outcome(action, eager, definitions)
    # Reading the rows built nothing: the decoded set still holds them.
    assert (pending_rows(lazy) is not None) == rows
    bound, bound_eager = _outcome(bind, lazy, definitions), _outcome(bind, eager, definitions)
    if isinstance(bound, AnswerSet) and isinstance(bound_eager, AnswerSet):
        assert _written(bound) == _written(bound_eager)
        assert validate(bound, definitions) == validate(bound_eager, definitions)
        assert list(bound) == list(bound_eager)


# --- a decoder's RowSet wherever an AnswerSet goes (issue 22 review) ---------------------
#
# decode_rows gives a RowSet, which every encoder takes; bind, validate, check, complete
# and Definitions.pairs took only an AnswerSet and failed on one with an AttributeError.

_ROW_DECODERS: dict[str, Callable[[str], RowSet]] = {
    "rest": rest.decode_rows,
    "xml": xml.decode_rows,
    "url": lambda text: url.decode_rows(text, allow_empty=True),
}


def _pairs_of(answers: Answers, definitions: Definitions) -> object:
    found = definitions.pairs(answers)
    # A row is compared as the model it stands for (a set keeps rows as rows too).
    return [(answer_of(item), d) for item, d in found]


def _checked(answers: Answers, definitions: Definitions) -> object:
    check(answers, definitions)
    return "clean"


@given(_cases())
def test_a_row_set_binds_validates_and_checks_as_its_answer_set(
    case: tuple[Definitions, str, str],
) -> None:
    definitions, codec, text = case
    rows, answers = _ROW_DECODERS[codec](text), _CODECS[codec][1](text)
    assert isinstance(rows, RowSet)
    for action in (bind, validate, _checked, complete, _pairs_of):
        assert _outcome(action, rows, definitions) == _outcome(action, answers, definitions)


def _eager(decoded: AnswerSet) -> AnswerSet:
    """The decoded set with every answer model built and held (a tuple): the model path."""
    return AnswerSet(answers=tuple(decoded), mode=decoded.mode, locale=decoded.locale)


# --- definitions read without pydantic's validation (issue 22 item 2) -------------------
#
# definitions.decode builds a PromptDefinition (and rest.prompt_ref its PromptRef)
# directly when validation would keep every field as given, so a one-file
# `convert --definitions` builds no model schema.  Held equal, field types included
# (repr tells 5 from Decimal("5")), to the validated path, errors word for word.

_TEXT = st.sampled_from(["Year", "", "\ud800", "K@0@10", "é"]) | st.text(max_size=4)
_BOUND = st.one_of(
    st.none(),
    st.integers(-3, 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["2020-01-01", "2020-01-01T10:00:00+02:00", "2020-01-01T10:00:00Z", "5", "1.5",
         "1e3", "soon", "", "-0", "NaN", "Infinity", "12/31/2020"]
    ),
    st.booleans(),
)  # fmt: skip
_DEFINITION = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["VALUE", "ELEMENTS", "OBJECTS", "EXPRESSION", "LEVEL", "UNSUPPORTED"]
        ),
        # Mostly a valid key, so that most documents are read and their fields compared.
        "key": st.sampled_from(["K@0@10", "K@1@10", "W34D"]) | _TEXT,
    },
    optional={
        "id": _TEXT,
        "name": _TEXT | st.none(),
        "title": _TEXT | st.integers(),
        "required": st.booleans() | st.none(),
        "closed": st.booleans() | st.none(),
        "dataType": st.sampled_from([1, 3, 6, 8, 14, 16, 30, 99, "DATE", "NUMERIC", "TEXT", "8"]),
        "min": _BOUND,
        "max": _BOUND,
        "source": st.fixed_dictionaries(
            {"id": st.sampled_from(["8D679D3711D3E4981000E787EC6DE8A4", "X", "\ud800"])},
            optional={"name": _TEXT},
        ),
        "defaultAnswer": st.sampled_from(["2015", ["2015", "2016"], "", []]),
    },
)


def _decoded(document: object) -> tuple[object, ...]:
    try:
        defs = definitions_decode(document)  # type: ignore[arg-type]
    except PromptAnswerError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", repr(defs.prompts), defs)


@settings(max_examples=400, deadline=None)
@given(st.lists(_DEFINITION, min_size=1, max_size=2))
def test_definitions_read_directly_are_the_validated_ones(document: list[object]) -> None:
    import mstr_prompts.definitions as definitions_module

    direct = _decoded(document)
    definitions_module._TRUSTED = False
    try:
        validated = _decoded(document)
    finally:
        definitions_module._TRUSTED = True
    assert direct[:2] == validated[:2]
    assert direct[-1] == validated[-1] or direct[0] == "error"


@given(
    st.fixed_dictionaries(
        {}, optional={"key": _TEXT | st.none(), "id": _TEXT | st.none(), "name": _TEXT | st.none()}
    )
)
def test_a_prompt_ref_read_directly_is_the_validated_one(item: dict[str, object]) -> None:
    try:
        ref = rest.prompt_ref(item, where="x")
    except DecodeError:
        return
    given = {name: value for name, value in item.items() if value is not None}
    assert repr(ref) == repr(PromptRef(**given))
    assert ref == PromptRef(**given)
