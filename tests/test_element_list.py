"""ElementList: a decoded element answer's elements, built one at a time when read.

Element answers decoded from plain IDs keep their elements as the strings they came
from (issue 22 item 4: memory within 10x the input).  Everything a caller can do with
``answer.elements`` must give what the tuple of built elements gives.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import Callable
from unittest import mock

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from mstr_prompts import library, rest, url, xml
from mstr_prompts.element_id import ElementId, plain_key
from mstr_prompts.elements import Element, ElementList
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import AnswerSet, ElementAnswer, PromptRef, pending_rows
from mstr_prompts.strategies import (
    answer_sets,
    element_ids,
    guids,
    library_answer_sets,
    prompt_keys,
    url_answer_sets,
)

A = "8D679D3711D3E4981000E787EC6DE8A4"


@st.composite
def _plain(draw: st.DrawFn) -> tuple[str, tuple[Element, ...]]:
    attribute = draw(guids())
    ids = element_ids(attribute=True, display=False).filter(lambda e: plain_key(e.key))
    names = st.one_of(st.none(), st.text(max_size=6).filter(lambda t: "\0" not in t))
    elements = draw(
        st.lists(
            st.builds(Element, id=ids.map(lambda e: e.with_attribute(attribute)), name=names),
            min_size=1,
            max_size=5,
        )
    )
    return attribute, tuple(elements)


def _lazy(attribute: str, elements: tuple[Element, ...]) -> ElementList:
    keys = [e.id.key for e in elements if isinstance(e.id, ElementId)]
    return ElementList(attribute, keys, [e.name for e in elements])


@given(_plain(), prompt_keys(opaque=False))
def test_an_element_list_is_its_tuple_of_elements(
    case: tuple[str, tuple[Element, ...]], key: str
) -> None:
    attribute, elements = case
    lazy = _lazy(attribute, elements)
    assert lazy == elements and elements == lazy
    assert (lazy != elements) is False and (elements != lazy) is False
    assert hash(lazy) == hash(elements) and repr(lazy) == repr(elements)
    assert tuple(lazy) == elements and list(lazy) == list(elements)
    assert [lazy[i] for i in range(-len(elements), len(elements))] == [
        elements[i] for i in range(-len(elements), len(elements))
    ]
    assert lazy[1:] == elements[1:] and lazy[::-1] == elements[::-1]
    assert lazy + elements == elements + lazy == elements + elements == lazy + lazy
    assert type(lazy + ()) is tuple and type(() + lazy) is tuple  # noqa: RUF005 - the operator is the test
    assert all(e in lazy for e in elements) and lazy.index(elements[-1]) == elements.index(
        elements[-1]
    )
    eager = ElementAnswer(prompt=PromptRef(key=key), elements=elements)
    held = ElementAnswer.of(PromptRef(key=key), None, lazy)
    assert type(held.elements) is ElementList and held.attribute == attribute
    assert held == eager and eager == held and hash(held) == hash(eager)
    assert held.model_dump() == eager.model_dump()
    assert held.model_dump_json() == eager.model_dump_json()
    assert json.loads(held.model_dump_json()) == json.loads(eager.model_dump_json())
    assert repr(held) == repr(eager)
    for copied in (pickle.loads(pickle.dumps(held)), copy.deepcopy(held), held.model_copy()):
        assert copied == eager
    assert ElementAnswer.model_validate(held.model_dump()) == eager
    assert ElementAnswer(prompt=held.prompt, elements=held.elements) == eager


def test_every_plain_decoder_holds_the_elements_as_a_list_and_equals_the_built_answer() -> None:
    elements = tuple(
        Element(id=ElementId(attribute=A, keys=(str(k),)), name=f"E {k}") for k in range(3)
    )
    answers = AnswerSet(answers=[ElementAnswer(prompt=PromptRef(key="K@0@10"), elements=elements)])
    for text, decode in (
        (xml.encode(answers), xml.decode),
        (rest.dumps(answers), rest.decode),
        (url.encode_query(answers), url.decode),
    ):
        decoded = decode(text)
        assert pending_rows(decoded) is not None
        (answer,) = decoded
        assert isinstance(answer, ElementAnswer) and type(answer.elements) is ElementList
        assert answer.elements == elements and answer.elements[2].name == "E 2"


def test_reading_the_elements_builds_a_new_element_each_time() -> None:
    lazy = ElementList(A, ("1", "2"), (None, None))
    assert lazy[0] == lazy[0] and lazy[0] is not lazy[0]  # built on each read, not kept


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        ((A, ("1",), ()), "1 keys but 0 names"),
        (("A" * 31, ("1",), (None,)), "is not a 32-hex-digit GUID"),
        ((A, (), ()), "at least one element"),
        ((A, ("a*b",), (None,)), "needs an escape"),
        ((A, ("a;b",), (None,)), "needs an escape"),
        ((A, ("a\ud800",), (None,)), "not valid text"),
        ((A, ("1",), (1,)), "display name"),
        ((A, ("1",), ("\udc80",)), "display name"),
    ],
)
def test_an_element_list_refuses_parts_that_are_not_plain_elements(
    parts: tuple[str, tuple[str, ...], tuple[str | None, ...]], why: str
) -> None:
    with pytest.raises(PromptAnswerError, match="ElementList: .*" + re.escape(why)):
        ElementList(*parts)


@pytest.mark.parametrize(
    ("parts", "why"),
    [
        ((None,), "the attribute None is not a 32-hex-digit GUID"),
        ((A, None), "keys must be a sequence"),
        ((A, "12"), "keys must be a sequence (tuple or list) of str, not str"),
        ((A, 5), "keys must be a sequence"),
        ((A, ("1",), 3), "names must be a sequence"),
        ((A, ("1",), "x"), "names must be a sequence"),
        ((A, (1,)), "every key part is a string"),
    ],
)
def test_bad_construction_is_the_librarys_error(parts: tuple[object, ...], why: str) -> None:
    # ElementList(None) raised TypeError (issue 22 review).
    with pytest.raises(PromptAnswerError, match="ElementList: " + re.escape(why)):
        ElementList(*parts)  # type: ignore[arg-type]


def test_names_may_be_left_out() -> None:
    assert ElementList(A, ("1", "2")) == ElementList(A, ("1", "2"), (None, None))


def test_index_of_a_missing_element_says_so_as_the_tuples_does() -> None:
    es = ElementList(A, ("1", "2", "1"), (None, None, None))
    elements = tuple(es)
    found: list[tuple[object, int, int]] = [
        (elements[0], 0, 3),
        (elements[0], 1, 3),
        (elements[2], -1, 3),
        (elements[1], 0, 2),
    ]
    for value, start, stop in found:
        assert es.index(value, start, stop) == elements.index(value, start, stop)
    assert es.index(elements[1]) == 1
    missing: list[tuple[object, int, int]] = [(3, 0, 3), (elements[1], 2, 3), (elements[1], 0, 1)]
    for value, start, stop in missing:
        with pytest.raises(ValueError, match=r"^ElementList\.index\(x\): x not in ElementList$"):
            es.index(value, start, stop)


def test_an_index_out_of_range_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        ElementList(A, ("1",), (None,))[1]
    assert ElementList(A, ("1",), (None,))[-1] == ElementList(A, ("1",), (None,))[0]


@given(library_answer_sets())
def test_library_decodes_plain_elements_as_the_checked_path_does(answers: AnswerSet) -> None:
    try:
        text = library.encode(answers)
    except PromptAnswerError:
        return
    fast = _outcome(library.decode, text)
    with mock.patch.object(library, "_plain_elements", return_value=None):
        checked = _outcome(library.decode, text)
    assert fast == checked
    if isinstance(fast, AnswerSet) and isinstance(checked, AnswerSet):
        assert fast.model_dump() == checked.model_dump()


def _outcome(decode: Callable[[str], AnswerSet], text: str) -> object:
    try:
        return decode(text)
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))


def _held_as_lists(answers: AnswerSet) -> AnswerSet:
    """The set with every element answer of plain elements holding an ElementList."""
    out = []
    for answer in answers:
        if isinstance(answer, ElementAnswer) and answer.attribute is not None:
            ids = [e.id for e in answer.elements]
            if all(isinstance(i, ElementId) and i.display is None for i in ids):
                keys = [i.key for i in ids if isinstance(i, ElementId)]
                try:
                    listed = ElementList(answer.attribute, keys, [e.name for e in answer.elements])
                except PromptAnswerError:
                    pass  # not plain: keeps its tuple
                else:
                    if listed == answer.elements:
                        answer = ElementAnswer.of(answer.prompt, answer.attribute, listed)
        out.append(answer)
    return AnswerSet.of(tuple(out), mode=answers.mode, locale=answers.locale)


def _written(encode: Callable[[AnswerSet], object], answers: AnswerSet) -> object:
    try:
        return encode(answers)
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))


@st.composite
def _plain_answer_sets(draw: st.DrawFn) -> AnswerSet:
    """Element answers of plain elements whose names may hold the URL's separators or be
    empty (what the writers must refuse or write as for a tuple)."""
    answers: list[ElementAnswer] = []
    for _ in range(draw(st.integers(1, 3))):
        attribute, elements = draw(_plain())
        names = st.one_of(st.none(), st.text(alphabet=st.sampled_from("ab^;,~ é"), max_size=3))
        elements = tuple(e.model_copy(update={"name": draw(names)}) for e in elements)
        prompt = draw(st.sampled_from([PromptRef(), PromptRef(key=f"K{len(answers)}@0@10")]))
        answers.append(ElementAnswer(prompt=prompt, attribute=attribute, elements=elements))
    return AnswerSet(answers=tuple(answers))


@given(st.one_of(url_answer_sets(), answer_sets(), _plain_answer_sets()))
def test_writers_write_an_element_list_as_its_tuple(answers: AnswerSet) -> None:
    held = _held_as_lists(answers)
    assert held == answers
    lists = sum(isinstance(a, ElementAnswer) and type(a.elements) is ElementList for a in held)
    event(f"element lists: {min(lists, 2)}")
    for encode in (url.encode, rest.dumps, xml.encode):
        assert _written(encode, held) == _written(encode, answers)
