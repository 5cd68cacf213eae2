"""The decoders' fast paths against their checked paths: the same answers, the same errors.

Decoders keep plainly spelled answers as compact rows and build the models only when a
caller needs them (model.py, "Deferred answers"); encoders read the rows directly.  Here
every input is decoded both ways (the fast path switched off with ``_FAST = False``),
including inputs mutated to be unusual or wrong, and the results must agree: equal
answer sets, equal REST bodies, or the same error with the same message.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from mstr_prompts import rest, xml
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import (
    VALUE_ROW,
    AnswerSet,
    PromptRef,
    ValueAnswer,
    answer_of,
    deferred,
    pending_rows,
)
from mstr_prompts.strategies import guids, xml_answer_sets

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


@contextmanager
def checked_path() -> Iterator[None]:
    """Turn the fast paths off for the duration."""
    saved = xml._FAST
    xml._FAST = False
    try:
        yield
    finally:
        xml._FAST = saved


def outcome(function: Callable[[], Any]) -> Any:
    """The result, or the error's type and message."""
    try:
        return ("ok", function())
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))


def both_ways(decode: Callable[[str], AnswerSet], text: str) -> tuple[Any, Any]:
    fast = outcome(lambda: decode(text))
    with checked_path():
        checked = outcome(lambda: decode(text))
    return fast, checked


def assert_same(decode: Callable[[str], AnswerSet], text: str) -> None:
    fast, checked = both_ways(decode, text)
    assert fast[0] == checked[0], (fast, checked)
    if fast[0] != "ok":
        assert fast == checked
        return
    # Encode before anything else touches the models: the encoder reads the rows.
    fast_rest = outcome(lambda: rest.encode(fast[1], ignore_locale=True))
    checked_rest = outcome(lambda: rest.encode(checked[1], ignore_locale=True))
    assert fast_rest == checked_rest
    assert fast[1] == checked[1]
    assert repr(fast[1]) == repr(checked[1])
    assert hash(fast[1]) == hash(checked[1])


# --- documents spelled as MicroStrategy writes them, then mutated -------------------------


def _element_pa(did: str, count: int, source: bool, names: bool) -> str:
    at = f'<at did="{ATTRIBUTE}" tp="12"></at>' if source else ""
    elements = "".join(
        f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1"' + (f' disp_n="E {k}"' if names else "") + "></e>"
        for k in range(count)
    )
    return f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es>{at}{elements}</es></mi></pa>'


@st.composite
def plain_documents(draw: st.DrawFn) -> str:
    parts = ["<rsl>"]
    for n in range(draw(st.integers(1, 4))):
        did = draw(guids())
        kind = draw(st.sampled_from(["value", "date", "elements", "many", "objects"]))
        if kind == "value":
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif kind == "date":
            parts.append(f'<pa pt="5" pin="1" did="{did}" tp="10">1/{n}/2024</pa>')
        elif kind in ("elements", "many"):
            # "many" crosses the size where lists are checked in bulk.
            count = draw(st.integers(1, 5) if kind == "elements" else st.integers(60, 90))
            parts.append(_element_pa(did, count, draw(st.booleans()), draw(st.booleans())))
        else:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="2" '
                f'sto="1" pfc="0" pcc="2"><mt did="{draw(guids())}" tp="4" n="Revenue"></mt>'
                f'<at did="{ATTRIBUTE}" tp="12" disp_n="Category"></at></fct></mi></pa>'
            )
    parts.append("</rsl>")
    return "".join(parts)


# Small edits that make a plain document unusual (but maybe fine) or wrong.
MUTATIONS = [
    ('emt="1"', 'emt=" 1"'),
    ('emt="1"', 'emt="2"'),
    ('emt="1"', ""),
    (' ei="', ' eix="'),
    (' ei="', ' ei="h'),
    (f'ei="{ATTRIBUTE}', f'ei="{ATTRIBUTE.lower()}'),
    (f'ei="{ATTRIBUTE}', f'ei="{"8D679D3811D3E4981000E787EC6DE8A4"}'),
    (f'ei="{ATTRIBUTE}', 'ei="NOTAGUIDNOTAGUIDNOTAGUIDNOTAGUID'),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:*"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:a;"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:\\"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:2:"),
    ("></e>", "> </e>"),
    ("></e>", ">x</e>"),
    ("></e>", "><x></x></e>"),
    ("</e>", "</e> "),
    ("</e>", "</e>x"),
    ("</e>", "</e>\u00a0"),
    ("</e>", "</e><at did='8D679D3711D3E4981000E787EC6DE8A4'></at>"),
    ("</e>", "</e><x></x>"),
    ("<es>", "<es> "),
    ("<es>", "<es>x"),
    ("<es>", "<es><at did='8D679D3811D3E4981000E787EC6DE8A4'></at>"),
    ('tp="12"', 'tp="4"'),
    ('tp="12"', 'tp=" 12"'),
    ('tp="12"', ""),
    ('tp="4"', 'tp="-4"'),
    ('tp="4"', 'tp="x"'),
    ('tp="4"', ""),
    ('did="', 'did="@'),
    ('did="', 'did="'),
    (f'did="{ATTRIBUTE}"', f'did="{ATTRIBUTE.lower()}"'),
    (f'did="{ATTRIBUTE}"', 'did=""'),
    ('pt="', 'pt=" '),
    ('pt="3"', 'pt="7"'),
    ('pt="3"', 'pt=""'),
    ('pt="7"', 'pt="3"'),
    ('pt="6"', 'pt="99"'),
    ('pin="0"', 'pin="x"'),
    ('pin="0"', 'pin="\u0660"'),
    ('pin="0"', ""),
    ('tp="10"', 'tp="10" key="K@0@10"'),
    ("<mi>", "<mi> "),
    ("<mi>", "<mi>x"),
    ("</mi>", "</mi>x"),
    ("</es>", "</es>x"),
    ("<mi>", "<mi><es></es>"),
    (' disp_n="', ' n="'),
    (' n="', ' disp_n="'),
    ("></mt>", ">x</mt>"),
    ("value ", ""),
    (">value", "> "),
    ("</pa>", "</pa> "),
    ("</pa>", "</pa>x"),
]


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    text = draw(plain_documents())
    for _ in range(draw(st.integers(1, 3))):
        old, new = draw(st.sampled_from(MUTATIONS))
        count = text.count(old)
        if count:
            which = draw(st.integers(0, count - 1))
            at = -1
            for _ in range(which + 1):
                at = text.index(old, at + 1)
            text = text[:at] + new + text[at + len(old) :]
    return text


@given(plain_documents())
def test_plain_xml_is_kept_as_rows(text: str) -> None:
    rows = pending_rows(xml.decode(text))
    assert rows is not None
    assert all(type(r) is tuple for r in rows)
    assert_same(xml.decode, text)


@settings(max_examples=600)
@given(mutated_documents())
def test_xml_fast_path_equals_checked_path(text: str) -> None:
    assert_same(xml.decode, text)


@given(xml_answer_sets())
def test_xml_fast_path_equals_checked_path_on_every_carried_answer(answers: AnswerSet) -> None:
    assert_same(xml.decode, xml.encode(answers))


def test_bench_workloads_take_the_fast_path() -> None:
    text = "<rsl>" + _element_pa(ATTRIBUTE, 10000, True, True) + "</rsl>"
    rows = pending_rows(xml.decode(text))
    assert rows is not None and type(rows[0]) is tuple
    assert_same(xml.decode, text)


# --- a deferred set behaves as any other ------------------------------------------------


def _deferred() -> AnswerSet:
    return deferred(((VALUE_ROW, "K@0@10", "2015", None),), locale=1033)


def _built() -> AnswerSet:
    answer = ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))
    return AnswerSet(answers=[answer], locale=1033)


@pytest.mark.parametrize(
    "use",
    [
        lambda s: s.answers,
        lambda s: list(s),
        lambda s: len(s),
        lambda s: s[0],
        repr,
        str,
        hash,
        lambda s: s.model_dump(),
        lambda s: s.model_dump_json(),
        lambda s: s.model_copy(update={"locale": 1031}),
        lambda s: pickle.loads(pickle.dumps(s)),
        copy.copy,
        copy.deepcopy,
        lambda s: json.loads(s.model_dump_json())["answers"],
    ],
)
def test_a_deferred_set_is_indistinguishable(use: Callable[[AnswerSet], Any]) -> None:
    result = use(_deferred())
    assert result == use(_built())
    if isinstance(result, AnswerSet):
        assert result == _built().model_copy(update={"locale": result.locale})


def test_a_deferred_set_nested_in_another_model() -> None:
    class Job(BaseModel):
        answers: AnswerSet

    assert Job(answers=_deferred()).model_dump() == Job(answers=_built()).model_dump()
    assert Job(answers=_deferred()) == Job(answers=_built())


def test_rows_and_models_mix() -> None:
    model = _built()[0]
    s = deferred(((VALUE_ROW, "K@0@10", "2015", None), model))
    assert s.answers == (model, model)
    assert answer_of(model) is model


def test_the_schema_is_unchanged() -> None:
    assert AnswerSet.model_json_schema(mode="serialization") == AnswerSet.model_json_schema()
