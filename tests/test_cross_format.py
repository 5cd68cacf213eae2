"""Conversions between formats commute wherever both formats carry the answer.

Also: every codec's ``encode`` either succeeds or raises ``NotRepresentableError`` for
any answer set the model allows, and what it produces always decodes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from mstr_prompts import (
    AnswerSet,
    ExpressionAnswer,
    LocaleWarning,
    NotRepresentableError,
    PromptRef,
    ValueAnswer,
    rest,
    url,
    xml,
)
from mstr_prompts.strategies import answer_sets, rest_answer_sets, url_answer_sets, xml_answer_sets

FIXTURES = Path(__file__).parent.parent / "fixtures"


def via_rest(answers: AnswerSet) -> AnswerSet:
    return rest.decode(rest.encode(answers))


def via_xml(answers: AnswerSet) -> AnswerSet:
    return xml.decode(xml.encode(answers))


def via_url(answers: AnswerSet) -> AnswerSet:
    return url.decode(url.encode_query(answers), allow_empty=True)


def key_only(answers: AnswerSet) -> AnswerSet:
    """What XML keeps: the key (id and name are redundant next to it), and no REST
    display text beside verbatim <exp> XML (an expression's content "does not affect the
    resulting answer"; a typed tree's content travels as the <exp>'s text)."""

    def kept(answer: Any) -> Any:
        update: dict[str, Any] = {"prompt": PromptRef(key=answer.prompt.key)}
        if isinstance(answer, ExpressionAnswer) and answer.xml is not None:
            update["content"] = None
        return answer.model_copy(update=update)

    return answers.model_copy(update={"answers": tuple(kept(a) for a in answers)})


def encodable(encode: Callable[[AnswerSet], Any], answers: AnswerSet) -> bool:
    try:
        encode(answers)
    except NotRepresentableError:
        return False
    return True


@given(xml_answer_sets())
def test_xml_then_rest_equals_rest(answers: AnswerSet) -> None:
    if encodable(rest.encode, answers):
        assert via_rest(via_xml(answers)) == via_rest(answers)


@given(rest_answer_sets())
def test_rest_then_xml_equals_xml(answers: AnswerSet) -> None:
    if encodable(xml.encode, answers):
        assert via_xml(via_rest(answers)) == via_xml(answers)


@given(rest_answer_sets())
def test_rest_to_xml_to_rest_is_identity_where_xml_carries_it(answers: AnswerSet) -> None:
    if encodable(xml.encode, answers):
        assert via_rest(via_xml(answers)) == key_only(answers)


@given(url_answer_sets())
def test_positional_answers_need_prompt_identities_elsewhere(answers: AnswerSet) -> None:
    positional = [a for a in answers if a.prompt.position is not None]
    if positional:
        for encode in (rest.encode, xml.encode):
            with pytest.raises(NotRepresentableError):
                encode(answers)


def meaning_in_a_link(answers: AnswerSet) -> list[str]:
    """What a Web link says, order aside: element answers are matched by attribute there,
    so their prompt identity is not part of what the link means."""

    def strip(answer: Any) -> Any:
        if answer.kind == "elements" or (answer.kind == "close" and answer.attribute):
            return answer.model_copy(update={"prompt": PromptRef()})
        return answer

    return sorted(repr(strip(a)) for a in answers)


@given(xml_answer_sets())
def test_url_with_xml_fallback_means_what_xml_means(answers: AnswerSet) -> None:
    if answers.locale is not None or not encodable(xml.encode, answers):
        return
    query = url.encode_query(answers, fallback="xml")
    assert meaning_in_a_link(url.decode(query, allow_empty=True)) == meaning_in_a_link(
        via_xml(answers)
    )


@pytest.mark.parametrize(
    "codec",
    [
        pytest.param((rest.encode, rest.decode), id="rest"),
        pytest.param((xml.encode, xml.decode), id="xml"),
        pytest.param((url.encode_query, partial(url.decode, allow_empty=True)), id="url"),
    ],
)
@given(answers=answer_sets())
def test_encode_succeeds_or_says_why_not(
    codec: tuple[Callable[[AnswerSet], Any], Callable[[Any], AnswerSet]], answers: AnswerSet
) -> None:
    encode, decode = codec
    try:
        wire = encode(answers)
    except NotRepresentableError as exc:
        assert str(exc)
        return
    assert isinstance(decode(wire), AnswerSet)


@pytest.mark.parametrize("path", sorted((FIXTURES / "xml").glob("*.xml")), ids=lambda p: p.name)
def test_every_captured_xml_fixture_converts_to_rest(path: Path) -> None:
    answers = xml.decode(path.read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LocaleWarning)
        body = rest.encode(answers)
    assert rest.decode(body) == rest.decode(rest.encode(answers, ignore_locale=True))


def test_captured_library_hierarchy_answer_becomes_a_rest_expression_tree() -> None:
    answers = xml.decode((FIXTURES / "xml" / "library-hierarchy-key-lcl.xml").read_text())
    (answer,) = answers
    assert isinstance(answer, ExpressionAnswer) and answer.typed and answer.xml is None
    body = rest.encode(answers)
    (item,) = body["prompts"]
    assert item["key"] == "2C8E58F049B088D631DE75B4C1F25EAB@0@10"
    assert item["type"] == "EXPRESSION"
    assert item["answers"]["expression"]["operator"] == "And"
    # REST carries no locale; with no value answer in the set it has no meaning to lose.
    assert via_xml(via_rest(answers)) == answers.model_copy(update={"locale": None})


def test_value_type_is_advisory_across_formats() -> None:
    typed = AnswerSet(
        answers=[ValueAnswer(value="10/10/2009", type="date", prompt=PromptRef(key="A@0@10"))]
    )
    assert via_rest(typed) == AnswerSet(
        answers=[ValueAnswer(value="10/10/2009", prompt=PromptRef(key="A@0@10"))]
    )
    assert via_xml(typed) == typed


@given(xml_answer_sets())
def test_xml_to_url_with_fallback_keeps_the_order(answers: AnswerSet) -> None:
    # Issue 13: the XML part used to be filled family by family, so XML -> URL -> XML
    # came back in another order.
    try:
        params = url.encode(answers, fallback="xml", ignore_locale=True)
    except NotRepresentableError:
        return
    if url.XML_PARAM not in params:
        return
    # The XML part is a subsequence of the answers, in their order.
    remaining = iter(answers)
    part = xml.decode(params[url.XML_PARAM]).answers
    assert all(any(answer == given for given in remaining) for answer in part)
    back = url.decode(params)
    if all(a.prompt.key is not None for a in back):  # everything went to XML
        assert back.answers == answers.answers
        assert xml.decode(xml.encode(back)) == back
