"""The canonical model: one spelling per meaning, immutability, validation."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import given

from mstr_prompts import (
    AnswerMode,
    AnswerSet,
    Close,
    Element,
    ElementAnswer,
    ElementId,
    ExpressionAnswer,
    LevelAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptFamily,
    PromptRef,
    Unanswered,
    UseDefault,
    ValueAnswer,
    expression_json,
    parse_element_id,
)
from mstr_prompts.strategies import answer_sets

CATEGORY = "8D679D3711D3E4981000E787EC6DE8A4"
REGION = "8D679D4B11D3E4981000E787EC6DE8A4"


def test_value_list_of_one_is_the_value() -> None:
    assert ValueAnswer(value=["2015"]) == ValueAnswer(value="2015")
    assert ValueAnswer(value=("abc", "dfg")).values == ("abc", "dfg")


@pytest.mark.parametrize("empty", ["", [], ("a", "")])
def test_empty_value_is_not_a_value(empty: object) -> None:
    with pytest.raises(pydantic.ValidationError, match="Close"):
        ValueAnswer(value=empty)


def test_display_name_inside_the_id_moves_to_the_element() -> None:
    element = Element(id=parse_element_id(f"h4;{CATEGORY};40K-50K"))
    assert element == Element(id=ElementId(attribute=CATEGORY, keys=("4",)), name="40K-50K")


def test_display_name_conflict_is_an_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="names itself"):
        Element(id=parse_element_id(f"h4;{CATEGORY};Books"), name="Music")


def test_element_needs_id_or_name() -> None:
    with pytest.raises(pydantic.ValidationError, match="an id, a name"):
        Element()


def test_element_answer_takes_and_gives_its_attribute() -> None:
    answer = ElementAnswer(
        elements=[Element(id=parse_element_id("h11")), Element(id=parse_element_id(f"{REGION}:3"))]
    )
    assert answer.attribute == REGION
    assert [e.id.to_old_short() for e in answer.elements if e.id is not None] == [
        f"{REGION}:11",
        f"{REGION}:3",
    ]
    explicit = ElementAnswer(attribute=REGION, elements=[Element(id=parse_element_id("h11"))])
    assert explicit == ElementAnswer(elements=[Element(id=parse_element_id(f"h11;{REGION}"))])


def test_element_answer_has_one_attribute() -> None:
    with pytest.raises(pydantic.ValidationError, match="one attribute"):
        ElementAnswer(
            elements=[
                Element(id=parse_element_id(f"{REGION}:1")),
                Element(id=parse_element_id(f"{CATEGORY}:1")),
            ]
        )
    with pytest.raises(pydantic.ValidationError, match="one attribute"):
        ElementAnswer(attribute=CATEGORY, elements=[Element(id=parse_element_id(f"{REGION}:1"))])


def test_empty_lists_are_not_answers() -> None:
    with pytest.raises(pydantic.ValidationError):
        ElementAnswer(elements=[])
    with pytest.raises(pydantic.ValidationError):
        ObjectAnswer(objects=[])


def test_close_attribute_only_for_element_prompts() -> None:
    assert Close(family=PromptFamily.ELEMENTS, attribute=REGION).attribute == REGION
    with pytest.raises(pydantic.ValidationError, match="element prompt"):
        Close(family=PromptFamily.VALUE, attribute=REGION)


def test_expression_and_level_need_a_body() -> None:
    with pytest.raises(pydantic.ValidationError, match="xml or its expression"):
        ExpressionAnswer(content="Category In List Books")
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        LevelAnswer()
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        LevelAnswer(xml="<dmy/>", definition={"units": []})


def test_json_documents_compare_by_meaning_not_spelling() -> None:
    a = ExpressionAnswer(expression='{"operator": "In",  "operands": []}')
    b = ExpressionAnswer(expression={"operator": "In", "operands": []})
    assert a == b
    # The model writes no REST tree (issue 22): the REST codec of expressions does.
    assert expression_json.answer_tree(a) == {"operator": "In", "operands": []}


def test_models_are_immutable_and_hashable() -> None:
    answer = ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))
    with pytest.raises(pydantic.ValidationError):
        answer.value = "2016"  # type: ignore[misc]
    answers = AnswerSet(answers=[answer], mode=AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER)
    assert hash(answers) == hash(AnswerSet(answers=[answer], mode=2))
    assert list(answers) == [answer] and len(answers) == 1 and answers[0] is answer


def test_prompt_ref_location_and_description() -> None:
    assert PromptRef(key="9BC4631D436CAA78D7A70AB2D0635D88@0@10").location == (
        "9BC4631D436CAA78D7A70AB2D0635D88",
        "0",
        "10",
    )
    assert PromptRef(key="W34D600FCA9CE481F89859762AED04C69").location is None
    assert Unanswered(family="objects", prompt=PromptRef(position=3)).describe() == (
        "objects prompt #3"
    )
    assert UseDefault(prompt=PromptRef(id="055A")).describe() == "prompt id 055A"
    assert ElementAnswer(elements=[Element(id=parse_element_id(f"{REGION}:1"))]).describe() == (
        "unidentified elements prompt"
    )
    with pytest.raises(pydantic.ValidationError):
        PromptRef(position=0)


def test_object_ref_type_name() -> None:
    assert ObjectRef(id="4C051DB611D3E877C000B3B2D86C964F", type=12).type_name == "attribute"
    assert ObjectRef(id="X", type=9999).type_name is None


@given(answer_sets())
def test_every_generated_answer_set_survives_json(answers: AnswerSet) -> None:
    assert AnswerSet.model_validate_json(answers.model_dump_json()) == answers
