"""A decoded set's answers are an AnswerList: built when read, kept nowhere (issue 22 item 4).

A decoder keeps each answer it has checked as a row, and the set's ``answers`` builds
an answer from its row each time one is read.  Here a decoded (lazy) set is held equal
to the set of the same answers built and held (eager), through every codec: equal both
ways, the same hash, dump, JSON and repr, the same text from every encoder; and walking
a decoded set's answers leaves no answer model behind.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts import library, rest, url, xml
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import (
    VALUE_ROW,
    AnswerList,
    AnswerSet,
    ObjectAnswer,
    PromptRef,
    ValueAnswer,
    deferred,
    pending_rows,
)
from mstr_prompts.strategies import (
    library_answer_sets,
    rest_answer_sets,
    url_answer_sets,
    xml_answer_sets,
)

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"

ENCODERS: list[Callable[[AnswerSet], Any]] = [
    rest.encode,
    lambda s: rest.dumps(s, indent=None),
    rest.dumps,
    lambda s: json.dumps(rest.encode(s)),
    xml.encode,
    url.encode_query,
    lambda s: url.encode(s, fallback="xml", assume_order=True),
    library.encode,
    lambda s: library.encode(s, form="param"),
    library.encode_rounds,
]


def outcome(function: Callable[[], Any]) -> Any:
    """The result, or the error's type and message."""
    try:
        return ("ok", function())
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def eager(decoded: AnswerSet) -> AnswerSet:
    """The same set with every answer built and held in a tuple."""
    return AnswerSet(
        answers=tuple(decoded),
        mode=decoded.mode,
        locale=decoded.locale,
        rounds=decoded.rounds,
    )


def assert_indistinguishable(lazy: AnswerSet, held: AnswerSet) -> None:
    # Encode first, while nothing has read the answers: the encoders read the rows.
    for encode in ENCODERS:
        assert outcome(partial(encode, lazy)) == outcome(partial(encode, held))
    assert lazy == held and held == lazy
    assert hash(lazy) == hash(held)
    assert lazy.answers == held.answers and held.answers == lazy.answers
    assert lazy.answers == tuple(held.answers)
    assert hash(lazy.answers) == hash(tuple(held.answers))
    assert lazy.model_dump() == held.model_dump()
    assert lazy.model_dump(mode="json") == held.model_dump(mode="json")
    assert lazy.model_dump_json() == held.model_dump_json()
    assert lazy.model_dump_json(exclude_none=True) == held.model_dump_json(exclude_none=True)
    for index in (0, len(held) - 1):  # indices name places in the whole tuple
        assert lazy.model_dump(include={"answers": {index}}) == held.model_dump(
            include={"answers": {index}}
        )
        assert lazy.model_dump(exclude={"answers": {index: {"prompt"}}}) == held.model_dump(
            exclude={"answers": {index: {"prompt"}}}
        )
    assert json.dumps(lazy.model_dump(mode="json")) == json.dumps(held.model_dump(mode="json"))
    assert repr(lazy) == repr(held) and str(lazy) == str(held)
    assert repr(lazy.answers) == repr(tuple(held.answers))
    assert len(lazy) == len(held) and list(lazy) == list(held)
    assert lazy[1:] == tuple(held.answers[1:]) and lazy.answers[::-1] == held.answers[::-1]
    for index, answer in enumerate(held):
        assert lazy[index] == answer and lazy[index - len(held)] == answer
        assert answer in lazy.answers
        assert lazy.answers.index(answer) <= index
    assert lazy.by_round() == held.by_round()
    for copied in (
        pickle.loads(pickle.dumps(lazy)),
        copy.copy(lazy),
        copy.deepcopy(lazy),
        lazy.model_copy(),
        lazy.model_copy(update={"locale": held.locale}),
        AnswerSet.model_validate(lazy.model_dump()),
    ):
        assert copied == held and hash(copied) == hash(held)


def _case(
    encode: Callable[[AnswerSet], str], decode: Callable[[str], AnswerSet], answers: AnswerSet
) -> None:
    text = encode(answers)
    lazy = decode(text)
    assert_indistinguishable(lazy, eager(decode(text)))
    assert lazy == answers


@settings(max_examples=60)
@given(xml_answer_sets())
def test_xml_lazy_equals_eager(answers: AnswerSet) -> None:
    _case(xml.encode, xml.decode, answers)


@settings(max_examples=60)
@given(rest_answer_sets())
def test_rest_lazy_equals_eager(answers: AnswerSet) -> None:
    _case(rest.dumps, rest.decode, answers)


@settings(max_examples=60)
@given(url_answer_sets())
def test_url_lazy_equals_eager(answers: AnswerSet) -> None:
    _case(url.encode_query, url.decode, answers)


@settings(max_examples=60)
@given(library_answer_sets(), st.booleans())
def test_library_lazy_equals_eager(answers: AnswerSet, param: bool) -> None:
    encode = partial(library.encode, form="param") if param else library.encode
    _case(encode, library.decode, answers)


# --- documents of many small prompts, as the benchmarks write them ----------------------


def _small_prompts(count: int) -> str:
    parts = ["<rsl>"]
    for n in range(count):
        did = f"{n:032X}"
        if n % 3 == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif n % 3 == 1:
            elements = "".join(
                f'<e emt="1" ei="{ATTRIBUTE}:{k}" art="1" disp_n="E {k}"/>' for k in range(3)
            )
            parts.append(
                f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es><at did="{ATTRIBUTE}" '
                f'tp="12"/>{elements}</es></mi></pa>'
            )
        else:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="1" '
                f'sto="1" pfc="0" pcc="1"><mt did="{n + 9000:032X}" tp="4" n="Revenue"/>'
                "</fct></mi></pa>"
            )
    parts.append("</rsl>")
    return "".join(parts)


SMALL = _small_prompts(30)
URL_QUERY = (
    "valuePromptAnswers="
    + "^".join(f"value {n}" for n in range(20))
    + (
        "&elementsPromptAnswers="
        + ",".join(
            f"{n:08X}11D3E4981000E787EC6DE8A4;{n:08X}11D3E4981000E787EC6DE8A4:{n}" for n in range(5)
        )
    )
)


def library_round_trip(text: str) -> AnswerSet:
    return library.decode(library.encode(xml.decode(text)))


@pytest.mark.parametrize(
    "decode",
    [
        xml.decode,
        lambda text: rest.decode(rest.dumps(xml.decode(text))),
        lambda text: url.decode(URL_QUERY),
        library_round_trip,
    ],
    ids=["xml", "rest", "url", "library"],
)
def test_a_decoded_set_of_small_prompts_is_lazy_and_equal(
    decode: Callable[[str], AnswerSet],
) -> None:
    lazy = decode(SMALL)
    assert type(lazy.answers) is AnswerList
    assert_indistinguishable(lazy, eager(decode(SMALL)))


def _models_alive() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) in (ValueAnswer, ObjectAnswer, PromptRef))


def test_walking_the_answers_keeps_none_of_them() -> None:
    lazy = xml.decode(SMALL)
    rows = pending_rows(lazy)
    assert rows is not None and all(type(item) is tuple for item in rows)
    before = _models_alive()
    for answer in lazy:  # as a caller reads a set: every answer's fields
        assert answer.prompt.key
        for field in ("value", "objects", "elements"):
            getattr(answer, field, None)
    for index in range(len(lazy)):
        lazy[index].describe()
    assert lazy == eager(lazy) and hash(lazy) == hash(eager(lazy))
    lazy.model_dump(), lazy.model_dump_json(), repr(lazy), xml.encode(lazy), rest.dumps(lazy)
    del answer
    # The set still holds its rows and no model: nothing it built outlived its reading.
    held = lazy.answers
    assert isinstance(held, AnswerList) and pending_rows(lazy) is rows and held.items is rows
    assert _models_alive() == before


def test_each_read_builds_a_new_answer() -> None:
    lazy = xml.decode(SMALL)
    assert lazy[0] == lazy[0] and lazy[0] is not lazy[0]


def test_a_set_built_by_hand_keeps_a_tuple() -> None:
    answers = [ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))]
    built = AnswerSet(answers=answers)
    assert type(built.answers) is tuple and built[0] is built[0]
    assert type(AnswerSet.of(tuple(answers)).answers) is tuple
    assert pending_rows(built) is None


def test_a_new_set_from_lazy_answers_stays_lazy() -> None:
    lazy = xml.decode(SMALL)
    for made in (
        AnswerSet(answers=lazy.answers, locale=1033),
        lazy.model_copy(update={"locale": 1033}),
    ):
        assert type(made.answers) is AnswerList and made.locale == 1033
        assert made.answers == lazy.answers


def test_an_answer_list_is_not_built_by_hand() -> None:
    with pytest.raises(PromptAnswerError, match="made by the decoders"):
        AnswerList(((VALUE_ROW, "K@0@10", "2015", None),))


def test_an_answer_list_compares_as_a_tuple() -> None:
    lazy = deferred(((VALUE_ROW, "K@0@10", "2015", None),))
    answers = lazy.answers
    assert type(answers) is AnswerList
    as_tuple = tuple(answers)
    assert answers == as_tuple and as_tuple == answers and answers != list(as_tuple)
    assert answers + as_tuple == as_tuple * 2 and as_tuple + answers == as_tuple * 2
    assert answers + answers == as_tuple * 2
    assert answers != (*as_tuple, *as_tuple) and answers != 3
    with pytest.raises(IndexError):
        answers[1]
    with pytest.raises(ValueError, match="not in AnswerList"):
        answers.index(ValueAnswer(value="other", prompt=PromptRef(key="K@0@10")))
    with pytest.raises(AttributeError):
        answers._items = ()
    # A key string and a PromptRef of that key alone are the same prompt.
    by_ref = deferred(((VALUE_ROW, PromptRef(key="K@0@10"), "2015", None),))
    assert by_ref.answers == answers and by_ref == lazy and hash(by_ref) == hash(lazy)
