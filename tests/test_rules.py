"""Shared field rules (issue 13): text, numbers, bounds, one rule for every codec."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mstr_prompts import rest, url, xml
from mstr_prompts.element_id import parse_element_id
from mstr_prompts.errors import DecodeError, NotRepresentableError
from mstr_prompts.model import (
    AnswerSet,
    Element,
    ElementAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptRef,
    ValueAnswer,
)
from mstr_prompts.rules import (
    MAX_INT,
    MAX_OBJECT_TYPE,
    MAX_POSITION,
    ascii_number,
    is_digits,
    is_text,
)
from mstr_prompts.strategies import answer_sets, hostile_texts

ATTR = "8D679D3711D3E4981000E787EC6DE8A4"
SURROGATES = ["\ud800", "a\udfffb", "\udc80"]


# --- text: the model refuses what UTF-8 cannot encode, in every field -----------------

_TEXT_FIELDS: list[Any] = [
    lambda t: PromptRef(key=t),
    lambda t: PromptRef(id=t),
    lambda t: PromptRef(name=t),
    lambda t: ValueAnswer(value=t),
    lambda t: ValueAnswer(value=("ok", t)),
    lambda t: Element(name=t),
    lambda t: ObjectRef(id=t, type=4),
    lambda t: ObjectRef(id="X", type=4, name=t),
    lambda t: ObjectRef.of(t, 4),
    lambda t: ObjectRef.of("X", 4, t),
    lambda t: Element.of(parse_element_id(ATTR + ":1"), t),
]


@pytest.mark.parametrize("make", _TEXT_FIELDS)
@pytest.mark.parametrize("text", SURROGATES)
def test_every_text_field_refuses_lone_surrogates(make: Any, text: str) -> None:
    with pytest.raises(ValidationError, match="lone surrogate"):
        make(text)


@pytest.mark.parametrize("text", SURROGATES)
def test_element_ids_refuse_lone_surrogates(text: str) -> None:
    with pytest.raises(DecodeError, match="lone surrogate"):
        parse_element_id(f"{ATTR}:{text}")


@pytest.mark.parametrize(
    ("decode", "source"),
    [
        (url.decode, {"valuePromptAnswers": "\ud800"}),
        (url.decode, {"elementsPromptAnswers": f"{ATTR};{ATTR}:\ud800"}),
        (url.decode, {"elementsPromptAnswers": f"{ATTR};{ATTR}:1^\ud800"}),
        (url.decode, {"objectsPromptAnswers": "A~4~\ud800"}),
        (rest.decode, '{"prompts":[{"key":"K","type":"VALUE","answers":"\\ud800"}]}'),
        (rest.decode, '{"prompts":[{"key":"\\udc00","type":"VALUE","answers":"x"}]}'),
        (rest.decode, '{"prompts":[{"key":"K","type":"ELEMENTS","answers":[{"name":"\\ud800"}]}]}'),
        (
            rest.decode,
            '{"prompts":[{"key":"K","type":"OBJECTS","answers":[{"id":"\\ud800","type":4}]}]}',
        ),
        (xml.decode, '<rsl><pa key="K">\ud800</pa></rsl>'),
    ],
)
def test_decoders_refuse_lone_surrogates_with_their_own_error(decode: Any, source: Any) -> None:
    with pytest.raises(DecodeError):
        decode(source)


@given(answer_sets())
def test_every_model_value_is_utf8_text(answers: AnswerSet) -> None:
    # What exists in the model can be written as UTF-8, so no encoder meets a surrogate.
    assert is_text(answers.model_dump_json())


@given(hostile_texts())
def test_hostile_text_in_every_codec_is_a_library_error_or_a_round_trip(text: str) -> None:
    try:
        value = ValueAnswer(value=text, prompt=PromptRef(key=f"{ATTR}@0@10", position=1))
    except ValidationError:
        assert not is_text(text) or text == ""
        return
    answers = AnswerSet(answers=(value,))
    body = rest.encode(answers)
    assert rest.decode(json.dumps(body)) == AnswerSet(
        answers=(value.model_copy(update={"prompt": PromptRef(key=f"{ATTR}@0@10")}),)
    )
    for encode, decode in ((url.encode_query, url.decode), (xml.encode, xml.decode)):
        try:
            written = encode(AnswerSet(answers=(value,)))
        except NotRepresentableError:
            continue
        back = decode(written)
        assert back[0].value == text  # type: ignore[union-attr]


# --- numbers: ASCII digits, bounded --------------------------------------------------


@pytest.mark.parametrize("text", ["²", "٣", "1²", " 1", "+1", "1_0", "", "-0"])
def test_digits_are_ascii_only(text: str) -> None:
    assert not is_digits(text)
    assert ascii_number(text, MAX_INT) is None


@given(st.integers(0, 10**12))
def test_ascii_number_is_int_within_bounds(number: int) -> None:
    expected = number if number <= MAX_INT else None
    assert ascii_number(str(number), MAX_INT) == expected
    assert ascii_number("000" + str(number), MAX_INT) == expected


def test_ascii_number_does_little_work_on_huge_input() -> None:
    assert ascii_number("9" * 100_000, MAX_INT) is None
    assert ascii_number("0" * 100_000 + "7", MAX_INT) == 7


@pytest.mark.parametrize(
    "make",
    [
        lambda: ObjectRef(id="A", type=MAX_OBJECT_TYPE + 1),
        lambda: ObjectRef.of("A", MAX_OBJECT_TYPE + 1),
        lambda: PromptRef(position=MAX_POSITION + 1),
        lambda: AnswerSet(locale=MAX_INT + 1),
        lambda: AnswerSet.of((), locale=MAX_INT + 1),
    ],
)
def test_size_driving_numbers_are_bounded(make: Any) -> None:
    with pytest.raises(ValidationError, match="less than or equal"):
        make()


def test_position_bound_keeps_a_small_answer_from_making_a_huge_link() -> None:
    last = ValueAnswer(value="x", prompt=PromptRef(position=MAX_POSITION))
    written = url.encode(AnswerSet(answers=(last,)))["valuePromptAnswers"]
    assert len(written) == MAX_POSITION  # 999 separators and the value
    assert url.decode({"valuePromptAnswers": written})[-1] == last
    with pytest.raises(DecodeError, match=f"at most {MAX_POSITION}"):
        url.decode({"valuePromptAnswers": written + "^"})
    many = AnswerSet(answers=tuple(ValueAnswer(value="x") for _ in range(MAX_POSITION + 1)))
    with pytest.raises(NotRepresentableError, match=f"at most {MAX_POSITION}"):
        url.encode(many, assume_order=True)


@pytest.mark.parametrize(
    "source",
    [
        '<rsl lcl="' + "9" * 5000 + '"></rsl>',
        '<rsl><pa key="K" pt="' + "3" * 5000 + '">x</pa></rsl>',
        '<rsl><pa key="K"><mi><fct><mt did="A" tp="' + "4" * 5000 + '"/></fct></mi></pa></rsl>',
        '<rsl><pa key="K"><mi><fct><mt did="A" tp="2147483648"/></fct></mi></pa></rsl>',
        '<rsl lcl="-' + "1" * 5000 + '"></rsl>',
    ],
)
def test_xml_huge_numbers_are_decode_errors(source: str) -> None:
    with pytest.raises(DecodeError):
        xml.decode(source)


@given(st.integers(0, MAX_OBJECT_TYPE))
def test_object_types_round_trip_through_every_format(number: int) -> None:
    answer = ObjectAnswer(
        objects=(ObjectRef(id="A", type=number),), prompt=PromptRef(key="K", position=1)
    )
    answers = AnswerSet(answers=(answer,))
    assert url.decode(url.encode(answers))[0].objects == answer.objects  # type: ignore[union-attr]
    assert xml.decode(xml.encode(answers))[0].objects == answer.objects  # type: ignore[union-attr]
    assert rest.decode(rest.encode(answers))[0].objects == answer.objects  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["X@²@10", "X@0@١٠", "X@0@10²", "X@@10"])
def test_keys_with_non_ascii_digits_are_opaque_in_xml(key: str) -> None:
    answers = AnswerSet(answers=(ValueAnswer(value="a", prompt=PromptRef(key=key)),))
    assert PromptRef(key=key).location is None
    written = xml.encode(answers)
    assert "pin=" not in written
    assert xml.decode(written) == answers


def test_element_answer_rule_is_shared() -> None:
    answer = ElementAnswer(elements=(Element(id=parse_element_id(ATTR + ":1")),))
    assert url.decode(url.encode(AnswerSet(answers=(answer,))))[0] == answer
