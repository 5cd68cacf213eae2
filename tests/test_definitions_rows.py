"""The row path of ``convert --definitions`` is the model path (issue 22 item 2).

``definitions.prepare_rows`` binds and checks a decoder's value, element and object
rows against the definitions' plain records, building no model, and falls back to
``prepare`` on the models for everything else.  Held equal here: for definitions read
from JSON (``GET …/prompts``) and answers in every source format (REST naming prompts
by key, id or name; Web links with values, elements and objects; Library; XML), what the
CLI's encoders write for every target, or the error (type and message), is the same
with the row path on and forced off (``definitions._ROWS``).
"""

from __future__ import annotations

import argparse
import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from mstr_prompts import cli, definitions, library, rest, url, xml
from mstr_prompts.errors import AnswersRejected, PromptAnswerError
from mstr_prompts.model import AnswerSet, PromptRef
from mstr_prompts.rows import RowSet
from mstr_prompts.strategies import (
    answers_for,
    definition_documents,
    out_of_bounds,
    strip_identity,
)

if TYPE_CHECKING:
    from mstr_prompts.rows import Answers

# The CLI's own arguments for its encoders (what `convert` passes them).
ARGS = argparse.Namespace(
    compact=False,
    indent=None,
    ignore_locale=True,
    fallback="error",
    assume_order=False,
    library_form="json",
)
TARGETS = ("rest", "xml", "url", "library")


@contextmanager
def _rows(on: bool) -> Iterator[None]:
    definitions._ROWS = on
    try:
        yield
    finally:
        definitions._ROWS = True


def _outcome(
    rows: Answers, defs: definitions.Definitions, target: str, on: bool, **options: Any
) -> tuple[object, ...]:
    """What `convert --definitions … --to TARGET` writes, or its error."""
    with _rows(on), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ready = definitions.prepare_rows(
                rows,
                defs,
                keep_mode=target == "url",
                spell_defaults=target in ("xml", "url"),
                **options,
            )
            kind = type(ready).__name__
            written = cli.ENCODERS[target](ready, ARGS)
        except PromptAnswerError as exc:
            problems = [p.line() for p in exc.problems] if isinstance(exc, AnswersRejected) else []
            return ("error", type(exc).__name__, str(exc), problems)
        except Exception as exc:  # the CLI's own refusals (usage), the same on both paths
            return ("error", type(exc).__name__, str(exc), [])
    return ("ok", written, kind)


def _by(answers: AnswerSet, how: str) -> AnswerSet:
    """The answers naming their prompt by key, id or name alone (as mstrio-py writes)."""

    def ref(prompt: PromptRef) -> PromptRef:
        value = getattr(prompt, how)
        return PromptRef(**{how: value}) if value is not None else prompt

    return AnswerSet(answers=[a.model_copy(update={"prompt": ref(a.prompt)}) for a in answers])


_DECODERS: dict[str, Callable[[str], Answers]] = {
    "rest": rest.decode_rows,
    "url": lambda text: url.decode_rows(text, allow_empty=True),
    "library": library.decode_rows,
    "xml": xml.decode_rows,
}


@st.composite
def _cases(draw: st.DrawFn) -> tuple[definitions.Definitions, str, str]:
    """Definitions read from JSON, and the text of answers in one format: written for
    them (perhaps one out of its bounds), or for other definitions (binding fails)."""
    source = draw(st.sampled_from(["rest-key", "rest-id", "rest-name", "url", "library", "xml"]))
    web = source == "url"
    document = draw(definition_documents(expressions=not web))
    defs = definitions.decode(document)
    written_for = defs
    if draw(st.integers(0, 4)) == 0:
        written_for = definitions.decode(draw(definition_documents(expressions=not web)))
    answers = draw(answers_for(written_for, url=web))
    kept = list(answers)
    breakable = [
        i
        for i, a in enumerate(kept)
        if a.kind in ("value", "elements", "objects") and _breakable(written_for, a.prompt.key)
    ]
    flip: bool = draw(st.booleans())
    if breakable and flip:
        index = draw(st.sampled_from(breakable))
        definition = next(d for d in written_for if d.key == kept[index].prompt.key)
        kept[index] = draw(out_of_bounds(definition))
    answers = AnswerSet(answers=tuple(kept))
    try:
        if web:
            text = url.encode_query(strip_identity(answers))
        elif source == "library":
            text = library.encode(answers, ignore_locale=True)
        elif source == "xml":
            text = xml.encode(answers)
        else:
            text = rest.dumps(_by(answers, source.split("-")[1]))
    except PromptAnswerError:
        assume(False)
    return defs, source.split("-")[0], text


def _breakable(defs: definitions.Definitions, key: str | None) -> bool:
    definition = defs.get(key) if key is not None else None
    if definition is None:
        return False
    low, high = definition.min, definition.max
    if definition.type == "VALUE":
        if definition.value_type is not None and definition.value_type.value == "string":
            return (isinstance(low, int) and low >= 2) or high is not None
        return low is not None or high is not None
    if definition.type in ("ELEMENTS", "OBJECTS"):
        return (isinstance(low, int) and low >= 2) or (isinstance(high, int) and high > 0)
    return False


@settings(max_examples=300, deadline=None)
@given(
    _cases(),
    st.sampled_from(TARGETS),
    st.sampled_from([None, None, None, "close"]),
    st.sampled_from([True, True, False]),
)
def test_the_row_path_writes_what_the_model_path_writes(
    case: tuple[definitions.Definitions, str, str],
    target: str,
    missing: str | None,
    validate: bool,
) -> None:
    defs, source, text = case
    rows = _DECODERS[source](text)
    options: dict[str, Any] = {"missing": missing, "validate": validate}
    on = _outcome(rows, defs, target, True, **options)
    off = _outcome(_DECODERS[source](text), defs, target, False, **options)
    event(f"{source} -> {target}: {on[0]} {on[-1] if on[0] == 'ok' else on[1]}")
    if on[0] == "ok" and off[0] == "ok":
        assert on[1] == off[1]  # the same text (a RowSet on one side, models on the other)
    else:
        assert on == off  # the same error, message and problems


@pytest.mark.parametrize("validate", [True, False])
def test_the_reviewers_shapes_stay_rows(validate: bool) -> None:
    defs = definitions.decode(DEFINITIONS)
    by_name = rest.decode_rows(
        '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}'
    )
    link = url.decode_rows(
        f"elementsPromptAnswers={ATTRIBUTE};{ATTRIBUTE}:1%5EBooks;{ATTRIBUTE}:2%5EMusic"
    )
    assert isinstance(by_name, RowSet)
    for rows, target in ((by_name, "url"), (link, "rest")):
        ready = definitions.prepare_rows(rows, defs, validate=validate, keep_mode=target == "url")
        assert isinstance(ready, RowSet)
        on, off = _outcome(rows, defs, target, True), _outcome(rows, defs, target, False)
        assert on[:2] == off[:2]
        assert (on[0], on[2], off[2]) == ("ok", "RowSet", "AnswerSet")
    ready = definitions.prepare_rows(by_name, defs, validate=validate)
    assert isinstance(ready, RowSet)
    assert ready.answer_set() == definitions.prepare(by_name.answer_set(), defs, validate=validate)


def test_a_problem_on_the_row_path_is_the_model_paths_error() -> None:
    defs = definitions.decode(DEFINITIONS)
    too_late = rest.decode_rows(
        '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2031"}]}'
    )
    assert isinstance(too_late, RowSet)
    with pytest.raises(AnswersRejected) as rows_error:
        definitions.prepare_rows(too_late, defs)
    with pytest.raises(AnswersRejected) as models_error:
        definitions.prepare(too_late.answer_set(), defs)
    assert str(rows_error.value) == str(models_error.value)
    assert rows_error.value.problems == models_error.value.problems


ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"
# Three definitions as GET /api/reports/{id}/prompts returns them: an element prompt
# with its attribute, a numeric value prompt, an object prompt; no default answers.
DEFINITIONS = [
    {
        "key": "2294C41E44244ADAED930CB4E00A9DA0@0@10",
        "id": "2294C41E44244ADAED930CB4E00A9DA0",
        "name": "Category",
        "title": "Category",
        "type": "ELEMENTS",
        "required": True,
        "closed": False,
        "min": 1,
        "max": 5,
        "source": {"id": ATTRIBUTE, "name": "Category", "type": 12},
    },
    {
        "key": "0CE45CA4483E29FFB0AF969D68588E95@0@10",
        "id": "0CE45CA4483E29FFB0AF969D68588E95",
        "name": "Year",
        "title": "Year",
        "type": "VALUE",
        "required": False,
        "dataType": "NUMERIC",
        "min": 2000,
        "max": 2030,
    },
    {
        "key": "4C051DB611D3E877C000B3B2D86C964F@0@10",
        "id": "4C051DB611D3E877C000B3B2D86C964F",
        "name": "Metrics",
        "title": "Metrics",
        "type": "OBJECTS",
        "required": False,
        "max": 3,
    },
]


def test_definitions_of_records_copy_and_pickle() -> None:
    # A batch's options (with the definitions) go to worker processes by pickle.
    import copy
    import pickle

    defs = definitions.decode(DEFINITIONS)
    for copied in (pickle.loads(pickle.dumps(defs)), copy.deepcopy(defs)):
        assert copied.records == defs.records
        assert copied == defs
        assert [d.prompt for d in copied] == [d.prompt for d in defs]


def _validated(document: Any) -> definitions.Definitions:
    """``document`` read with every definition validated as a model (the reading the
    plain records are held to)."""
    definitions._TRUSTED = False
    try:
        return definitions.decode(document)
    finally:
        definitions._TRUSTED = True


def test_records_are_what_the_models_say() -> None:
    # A record read directly and the record of the validated model are equal, and the
    # model built from a record is the one validation builds.
    direct = definitions.decode(DEFINITIONS)
    validated = _validated(DEFINITIONS)
    assert direct.records == validated.records
    assert list(direct) == list(validated)
    assert repr(direct) == repr(validated)


def test_definitions_with_answers_are_records_with_their_models_on_demand() -> None:
    document = copy.deepcopy(DEFINITIONS)
    document[0]["defaultAnswer"] = [{"id": f"h1;{ATTRIBUTE}", "name": "Books"}]
    document[1]["defaultAnswer"] = "2020"
    document[1]["answers"] = "2021"
    document[2]["defaultAnswer"] = []  # empty: no default
    direct = definitions.decode(document)
    assert [r.has_default for r in direct.records] == [True, True, False]
    validated = _validated(document)
    assert direct.records == validated.records
    assert repr(direct) == repr(validated)
    assert direct[1].default is not None and direct[1].default.prompt.position == 1
    # A default that does not read is the model reading's error, word for word.
    document[1]["defaultAnswer"] = {"oops": 1}
    with pytest.raises(PromptAnswerError) as direct_error:
        definitions.decode(document)
    with pytest.raises(PromptAnswerError) as validated_error:
        _validated(document)
    assert str(direct_error.value) == str(validated_error.value)


@settings(deadline=None)
@given(definition_documents())
def test_generated_definitions_read_as_records_are_the_validated_ones(
    document: list[dict[str, Any]],
) -> None:
    # With default answers of every kind (values, elements, objects, expressions): a
    # record where they read as rows, a model where not; the models alike either way.
    direct = definitions.decode(document)
    validated = _validated(document)
    assert direct.records == validated.records
    assert repr(direct) == repr(validated)
    assert list(direct) == list(validated)


def test_a_data_type_given_as_a_number_is_read_into_a_record() -> None:
    """REST's reader gives numbers as an int subclass; a definition whose dataType is a
    number (as the docs' samples write it) is a plain record all the same, and a
    `convert --definitions` with it builds no model."""
    defs = definitions.decode(
        '[{"key": "K@0@10", "name": "EmployeeID", "type": "VALUE", "dataType": 1}]'
    )
    record = defs.records[0]
    assert type(record.data_type) is int and record.data_type == 1
    assert defs[0].data_type == 1
