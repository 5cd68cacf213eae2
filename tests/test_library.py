"""Library short answers: the real strings, the item grammar, rounds, templates, errors."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from mstr_prompts import (
    AnswerSet,
    Close,
    DecodeError,
    Element,
    ElementAnswer,
    ElementId,
    ExpressionAnswer,
    LevelAnswer,
    LocaleWarning,
    NotRepresentableError,
    ObjectAnswer,
    ObjectRef,
    PromptFamily,
    PromptRef,
    Unanswered,
    UseDefault,
    ValueAnswer,
    formats,
    library,
    rest,
    url,
    xml,
)
from mstr_prompts.model import LevelUnit, PlaceholderAnswer
from mstr_prompts.strategies import (
    answer_sets,
    library_answer_sets,
    library_items,
    rest_answer_sets,
    xml_answer_sets,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
URL = FIXTURES / "url"
LIB = FIXTURES / "library"


def fixture(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def param_of(text: str) -> str:
    return text.rpartition("prompts=")[2]


def one(answer: dict[str, Any]) -> str:
    return json.dumps([[answer]])


# --- the real strings (url.md §10, library.md) -------------------------------------------


def test_l2_unanswered_value_prompt_closes_it_and_encodes_byte_for_byte() -> None:
    text = fixture(URL / "L2.txt")
    answers = library.decode(text)
    assert answers == AnswerSet(
        answers=[Close(prompt=PromptRef(key="94EADED142FEFAC3C8581FB64E73FF0D@0@10"))]
    )
    assert library.encode(answers, form="param") == param_of(text)


def test_l4_dynamic_link_keeps_the_template_and_leaves_the_token_raw() -> None:
    text = fixture(URL / "L4.txt")
    answers = library.decode(text)
    first, second = answers
    assert isinstance(first, ElementAnswer)
    assert first.prompt.key == "C58682B140FC654DEC83338BD4AEF634@0@10"
    assert first.elements == (
        Element(
            id=ElementId(attribute="8D679D4211D3E4981000E787EC6DE8A4", keys=("37",)),
            name="Brave New World",
        ),
    )
    assert second == PlaceholderAnswer(
        prompt=PromptRef(key="E50CBB6E4CF122FD844A8FAF7470278C@0@10"),
        values=("8D679D5111D3E4981000E787EC6DE8A4:{[Year]@ID}~1048576~{[Year]@ID}",),
        family=PromptFamily.ELEMENTS,
    )
    assert library.encode(answers, form="param") == param_of(text)


def test_l5_export_link_with_filters_reads_only_the_prompts() -> None:
    text = fixture(URL / "L5.txt")
    answers = library.decode(text)
    assert answers == AnswerSet(
        answers=[
            ValueAnswer(value="750", prompt=PromptRef(key="34DF05924F261FC68D6450BC619EB31E@0@10"))
        ]
    )
    assert library.encode(answers, form="param") == param_of(text)


def test_l6_embedding_event_payload_converts_to_rest_with_the_element_id() -> None:
    text = fixture(URL / "L6.txt")
    answers, name = library.decode_body(text)
    assert name == "Sales Dashboard (w/ Attribute Element Prompt)"
    assert rest.encode(answers) == {
        "prompts": [
            {
                "key": "3ECF2592C947B909B01624BCF690D6EA@0@10",
                "type": "ELEMENTS",
                "answers": [
                    {"id": "h14;8D679D4F11D3E4981000E787EC6DE8A4", "name": "Books - Miscellaneous"}
                ],
            }
        ]
    }
    compact = json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    assert library.encode(answers, form="body", message_name=name) == compact


def test_c15_element_string_in_the_wild() -> None:
    item = fixture(URL / "C15.txt")
    (answer,) = library.decode(one({"key": "K@0@10", "values": [item], "useDefault": False}))
    assert isinstance(answer, ElementAnswer)
    assert answer.attribute == "D266CB2011D4C75E2000058EE23BF035"
    assert answer.elements[0].id is not None and answer.elements[0].name == "gener de 2025"
    assert url.encode(AnswerSet(answers=[answer.model_copy(update={"prompt": PromptRef()})])) == {
        "elementsPromptAnswers": "D266CB2011D4C75E2000058EE23BF035;"
        "D266CB2011D4C75E2000058EE23BF035:202501^gener de 2025"
    }


@pytest.mark.parametrize("path", sorted(LIB.glob("*.json")), ids=lambda p: p.name)
def test_library_fixtures_decode_to_their_rest_equivalents(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    answers = library.decode(case["library"])
    if "rest" in case:
        assert rest.encode(answers) == case["rest"]
    if "refused" in case:
        with pytest.raises(NotRepresentableError, match=case["refused"]):
            rest.encode(answers)
    assert library.decode(library.encode(answers)) == answers
    assert library.encode(answers) == json.dumps(
        case["library"], separators=(",", ":"), ensure_ascii=False
    )


def test_captured_expression_xml_travels_as_rsl_and_back() -> None:
    xml_text = (FIXTURES / "xml" / "library-hierarchy-key-lcl.xml").read_text(encoding="utf-8")
    from_xml = xml.decode(xml_text)
    body = {"answers": [{"key": from_xml[0].prompt.key, "values": [xml_text], "useDefault": False}]}
    answers = library.decode(body)
    assert answers == from_xml
    assert answers.locale == 1033
    (item,) = library.encode_rounds(answers)[0]
    assert item["values"][0].startswith(
        '<rsl lcl="1033"><pa key="2C8E58F049B088D631DE75B4C1F25EAB@0@10"><exp>'
    )
    assert library.decode(library.encode(answers)) == answers
    (expression,) = from_xml
    assert isinstance(expression, ExpressionAnswer) and expression.typed
    # a typed tree: REST gets the JSON tree, and REST -> Library -> REST keeps it
    rest_body = rest.encode(answers)
    assert rest_body["prompts"][0]["answers"]["expression"]["operator"] == "And"
    via = library.decode(library.encode(rest.decode(rest_body)))
    assert rest.encode(via)["prompts"][0]["answers"] == rest_body["prompts"][0]["answers"]


# --- the item grammar (library.md B.2) -------------------------------------------------


def decode_values(*values: str) -> Any:
    (answer,) = library.decode(one({"key": "K@0@10", "values": list(values), "useDefault": False}))
    return answer


def test_a_tilde_inside_a_name_belongs_to_the_name() -> None:
    answer = decode_values("8D679D3811D3E4981000E787EC6DE8A4:1~1048576~A~1~B")
    assert answer.elements[0].name == "A~1~B"


def test_compound_element_keys_and_empty_names() -> None:
    answer = decode_values("8D679D5211D3E4981000E787EC6DE8A4:1:2~1048576~")
    assert answer.elements[0] == Element(
        id=ElementId(attribute="8D679D5211D3E4981000E787EC6DE8A4", keys=("1", "2"))
    )


def test_objects_keep_their_type() -> None:
    answer = decode_values(
        "4C05177011D3E877C000B3B2D86C964F~4~Revenue", "8D679D3711D3E4981000E787EC6DE8A4~12~Category"
    )
    assert answer == ObjectAnswer(
        prompt=PromptRef(key="K@0@10"),
        objects=(
            ObjectRef(id="4C05177011D3E877C000B3B2D86C964F", type=4, name="Revenue"),
            ObjectRef(id="8D679D3711D3E4981000E787EC6DE8A4", type=12, name="Category"),
        ),
    )


def test_level_units_split_their_four_numbers_from_the_right() -> None:
    answer = decode_values("15969E6C4B5037A647A7F9AF80EAAB53~1048581~Year~2~1~1~0")
    assert answer == LevelAnswer(
        prompt=PromptRef(key="K@0@10"),
        units=(
            LevelUnit(
                id="15969E6C4B5037A647A7F9AF80EAAB53",
                type=1048581,
                name="Year",
                aggregation=2,
                filtering=1,
                group_by=1,
                report_level=0,
            ),
        ),
    )
    with pytest.raises(NotRepresentableError, match="Library display-unit form"):
        rest.encode(AnswerSet(answers=[answer]))
    with pytest.raises(NotRepresentableError, match="Library's units"):
        xml.encode(AnswerSet(answers=[answer]))


def test_values_and_their_kinds() -> None:
    assert decode_values("2016") == ValueAnswer(value="2016", prompt=PromptRef(key="K@0@10"))
    assert decode_values("11/24/2016 12:00:00 AM").value == "11/24/2016 12:00:00 AM"
    assert decode_values("a", "b").value == ("a", "b")
    assert decode_values("x~y").value == "x~y"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["8D679D3811D3E4981000E787EC6DE8A4:1~1048576~USA", "2016"], "mix items"),
        (
            [
                "8D679D3811D3E4981000E787EC6DE8A4:1~1048576~USA",
                "4C05177011D3E877C000B3B2D86C964F~4~R",
            ],
            "mix elements",
        ),
        (["abc~4~Revenue"], "not a 32-hex-digit object ID"),
        (["8D679D3811D3E4981000E787EC6DE8A4:a~b~1048576~X"], "contains '~'"),
        (["8D679D3811D3E4981000E787EC6DE8A4~1048577~X"], "dependent object type"),
        (["8D679D3811D3E4981000E787EC6DE8A4~-4~X"], "negative"),
        (["h1;8D679D3811D3E4981000E787EC6DE8A4~1048576~USA"], "is not ATTR:key"),
        (["15969E6C4B5037A647A7F9AF80EAAB53~1048581~Year~1~1"], "four numbers"),
        (["<rsl><pa key='K@0@10'>2016</pa></rsl>"], "only expression answers"),
        (["<rsl><pa key='X@0@10'><exp><nd/></exp></pa></rsl>"], "not for this answer's key"),
        (["<rsl><pa key='K@0@10'><exp><nd/></exp></pa></rsl>", "2"], "one <rsl> string"),
        (["2", "<rsl/>"], "mix <rsl>"),
        (["<rsl><pa"], "values\\[0\\]"),
        ([""], "cannot be empty"),
    ],
)
def test_what_cannot_be_told_apart_is_refused(values: list[str], message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode_values(*values)


@given(library_items())
def test_published_items_decode(item: str) -> None:
    answer = decode_values(item)
    assert answer.kind in ("elements", "objects", "level")
    assert library.encode_rounds(AnswerSet(answers=[answer]))[0][0]["values"] == [item]


# --- answers, bodies and rounds -----------------------------------------------------------


def test_use_default_and_close() -> None:
    use = library.decode(one({"key": "K@0@10", "values": [], "useDefault": True}))
    assert use == AnswerSet(answers=[UseDefault(prompt=PromptRef(key="K@0@10"))])
    assert library.decode('[[{"key":"K@0@10","useDefault":true}]]') == use
    assert library.decode(one({"key": "K@0@10", "values": []}))[0] == Close(
        prompt=PromptRef(key="K@0@10")
    )


def test_rounds_are_kept_in_order_and_round_trip_exactly() -> None:
    text = '[[{"key":"A@0@10","values":["1"],"useDefault":false}],[],[{"key":"B@0@10","values":[],"useDefault":true}]]'
    answers = library.decode(text)
    assert answers.rounds == (1, 0, 1)
    assert [len(r) for r in answers.by_round()] == [1, 0, 1]
    assert library.encode(answers) == text
    assert AnswerSet.from_rounds(answers.by_round()) == answers
    for encode in (rest.encode, xml.encode, url.encode):
        with pytest.raises(NotRepresentableError, match="3 prompting rounds"):
            encode(answers)
    with pytest.raises(NotRepresentableError, match="one round"):
        library.encode_body(answers)
    # Each round converts on its own (REST then needs B's type from its definition).
    first = answers.by_round()[0]
    assert rest.encode(first) == {"prompts": [{"key": "A@0@10", "type": "VALUE", "answers": "1"}]}


def test_one_round_is_the_plain_set() -> None:
    assert AnswerSet(rounds=(0,)).rounds is None
    assert library.decode("[[]]") == AnswerSet()
    assert library.encode(AnswerSet()) == "[[]]"


def test_body_and_payload_forms() -> None:
    body = {"answers": [{"key": "K@0@10", "values": ["2016"], "useDefault": False}]}
    answers = library.decode(body)
    assert library.encode_body(answers) == body
    assert library.encode(answers, form="body") == json.dumps(body, separators=(",", ":"))
    assert library.decode_body(json.dumps(body))[1] is None
    with pytest.raises(NotRepresentableError, match="messageName"):
        library.encode(answers, message_name="x")


def test_placeholders_are_refused_by_every_other_format() -> None:
    answers = library.decode(fixture(URL / "L4.txt"))
    for encode in (rest.encode, xml.encode, url.encode):
        with pytest.raises(NotRepresentableError, match="Library link template"):
            encode(AnswerSet(answers=answers.answers[1:]))
    placeholder = library.decode(one({"key": "K@0@10", "values": ["DYNAMIC_PLACEHOLDER_Date"]}))
    assert isinstance(placeholder[0], PlaceholderAnswer) and placeholder[0].family is None
    assert library.decode(library.encode(placeholder, form="param")) == placeholder


# --- encoding -----------------------------------------------------------------------------


def test_encode_uri_component_percent_encoding() -> None:
    answers = AnswerSet(
        answers=[ValueAnswer(value="a b+c&d=é~!*'()", prompt=PromptRef(key="K@0@10"))]
    )
    param = library.encode(answers, form="param")
    assert "a%20b%2Bc%26d%3D%C3%A9~!*'()" in param
    assert library.decode(param) == answers
    assert library.decode("prompts=" + param) == answers


def test_key_order_and_compact_json() -> None:
    answers = AnswerSet(answers=[UseDefault(prompt=PromptRef(key="K@0@10", id="X", name="N"))])
    assert library.encode(answers) == '[[{"key":"K@0@10","values":[],"useDefault":true}]]'


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (ValueAnswer(value="1", prompt=PromptRef(position=1)), "only by key"),
        (Unanswered(family="value", prompt=PromptRef(key="K@0@10")), "left open"),
        (ValueAnswer(value="A~1~B", prompt=PromptRef(key="K@0@10")), "read back"),
        (ValueAnswer(value="<rsl>", prompt=PromptRef(key="K@0@10")), "read back"),
        (ValueAnswer(value="DYNAMIC_PLACEHOLDER_X", prompt=PromptRef(key="K@0@10")), "read back"),
        (
            ElementAnswer(elements=[Element(name="USA")], prompt=PromptRef(key="K@0@10")),
            "has no ID",
        ),
        (
            ObjectAnswer(objects=[ObjectRef(id="Profit", type=4)], prompt=PromptRef(key="K@0@10")),
            "not a 32-hex-digit GUID",
        ),
        (
            ExpressionAnswer(expression={"operator": "In"}, prompt=PromptRef(key="K@0@10")),
            "expression tree has no <exp> form",
        ),
        (LevelAnswer(definition={"units": []}, prompt=PromptRef(key="K@0@10")), "display units"),
    ],
)
def test_what_library_cannot_carry_is_refused(answer: Any, message: str) -> None:
    with pytest.raises(NotRepresentableError, match=message):
        library.encode(AnswerSet(answers=[answer]))


def test_mode_is_refused_and_locale_warns_for_values() -> None:
    value = ValueAnswer(value="1/10/2016", prompt=PromptRef(key="K@0@10"))
    with pytest.raises(NotRepresentableError, match="answer mode"):
        library.encode(AnswerSet(answers=[value], mode=1))
    with pytest.warns(LocaleWarning):
        library.encode(AnswerSet(answers=[value], locale=1033))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        library.encode(AnswerSet(answers=[value], locale=1033), ignore_locale=True)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("[]", "rounds array is empty"),
        ("[{}]", "round must be an array"),
        ('[[{"key":"K@0@10","values":[],"useDefault":false,"type":"VALUE"}]]', "unknown key"),
        ('[["x"]]', "must be an object"),
        ('[[{"values":[]}]]', "no key"),
        ('[[{"key":"","values":[]}]]', "key is empty"),
        ('[[{"key":1,"values":[]}]]', "key must be a string"),
        ('[[{"key":"K","values":"2016"}]]', "values must be an array"),
        ('[[{"key":"K","values":[2016]}]]', "must be a string"),
        ('[[{"key":"K","values":[],"useDefault":"yes"}]]', "true or false"),
        ('[[{"key":"K","values":["1"],"useDefault":true}]]', "either values or useDefault"),
        ('[[{"key":"K"}]]', "no values"),
        ('[[{"key":"K","key":"L","values":[]}]]', "duplicate key"),
        ('[{"messageName":"x","answers":[]}]', "body object"),
        ('{"prompts":[]}', "--from rest"),
        ('{"messageName":"x"}', 'no "answers"'),
        ('{"messageName":1,"answers":[]}', "messageName must be a string"),
        ("[[", "not JSON"),
        ("%5B%5B%FF%5D%5D", "not UTF-8"),
        ("https://h/MicroStrategyLibrary/app/A/B", "no prompts= parameter"),
        ("prompts=%5B%5D&prompts=%5B%5B%5D%5D", "more than once"),
        ("42", "no prompts= parameter"),
        (42, "expected a link"),
    ],
)
def test_bad_input_says_what_and_where(source: Any, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        library.decode(source)


def test_rsl_answers_must_agree_on_the_locale() -> None:
    exp = "<exp><nd et='1' nt='5' dmt='1' ddt='-1'></nd></exp>"
    rounds = [
        [
            {"key": "A@0@10", "values": [f"<rsl lcl='1033'><pa key='A@0@10'>{exp}</pa></rsl>"]},
            {"key": "B@0@10", "values": [f"<rsl lcl='1031'><pa key='B@0@10'>{exp}</pa></rsl>"]},
        ]
    ]
    with pytest.raises(DecodeError, match="different locales"):
        library.decode(rounds)


def test_lone_surrogates_never_reach_the_encoder() -> None:
    # The model refuses text UTF-8 cannot carry in every field, so no Library encoding of
    # it can exist; a decoded escape is refused the same way.
    with pytest.raises(ValueError, match="lone surrogate"):
        ValueAnswer(value="\ud800", prompt=PromptRef(key="K@0@10"))
    with pytest.raises(DecodeError, match="lone surrogate"):
        library.decode('[[{"key":"K@0@10","values":["\\ud800"],"useDefault":false}]]')


def test_looks_like_library() -> None:
    assert library.looks_like_library(fixture(URL / "L2.txt"))
    assert library.looks_like_library(fixture(URL / "L6.txt"))
    assert library.looks_like_library("%5B%5B%5D%5D")
    assert not library.looks_like_library(fixture(URL / "D1.txt"))


# --- properties -----------------------------------------------------------------------------


@given(library_answer_sets())
def test_round_trip_in_every_form(answers: AnswerSet) -> None:
    assert library.decode(library.encode(answers, form="json")) == answers
    assert library.decode(library.encode(answers, form="param")) == answers
    if answers.rounds is None:
        assert library.decode(library.encode(answers, form="body")) == answers


@given(library_answer_sets())
def test_canonical_spelling(answers: AnswerSet) -> None:
    text = library.encode(answers)
    respelled = json.dumps(json.loads(text), indent=1)
    assert library.encode(library.decode(respelled)) == text


def unkeyed_family(answers: AnswerSet) -> AnswerSet:
    """What Library keeps: the key only, no prompt family on use-default and close, no
    value data type (Library writes no type; its server knows the prompt's)."""

    def kept(answer: Any) -> Any:
        update: dict[str, Any] = {"prompt": PromptRef(key=answer.prompt.key)}
        if isinstance(answer, (UseDefault, Close)):
            update["family"] = None
            if isinstance(answer, Close):
                update["attribute"] = None
        if isinstance(answer, ValueAnswer):
            update["type"] = None
        if isinstance(answer, ExpressionAnswer) and answer.xml is not None:
            # verbatim <exp> carries its own display text; REST's content is not written
            update["content"] = None
        return answer.model_copy(update=update)

    return answers.model_copy(update={"answers": tuple(kept(a) for a in answers)})


def encodable(encode: Callable[[AnswerSet], Any], answers: AnswerSet) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LocaleWarning)
            encode(answers)
    except NotRepresentableError:
        return False
    return True


def via_library(answers: AnswerSet) -> AnswerSet:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LocaleWarning)
        return library.decode(library.encode(answers, form="param"))


@given(rest_answer_sets())
def test_rest_to_library_keeps_what_library_carries(answers: AnswerSet) -> None:
    if encodable(library.encode, answers):
        assert via_library(answers) == unkeyed_family(answers)


@given(xml_answer_sets())
def test_xml_to_library_keeps_what_library_carries(answers: AnswerSet) -> None:
    if encodable(library.encode, answers):
        got = via_library(answers)
        has_rsl = any(isinstance(a, ExpressionAnswer) for a in answers)
        expected = unkeyed_family(answers)
        if not has_rsl:
            expected = expected.model_copy(update={"locale": None})
        assert got == expected


def without_locale(answers: AnswerSet) -> AnswerSet:
    return answers.model_copy(update={"locale": None})


@given(library_answer_sets())
def test_library_then_rest_equals_rest(answers: AnswerSet) -> None:
    for part in answers.by_round():
        if encodable(rest.encode, part):
            body = rest.encode(part, ignore_locale=True)
            assert rest.encode(via_library(part), ignore_locale=True) == body
            # REST carries no locale: the <rsl> of an expression answer then has none.
            assert via_library(rest.decode(body)) == without_locale(unkeyed_family(part))


@given(library_answer_sets())
def test_library_then_xml_equals_xml(answers: AnswerSet) -> None:
    for part in answers.by_round():
        if not any(isinstance(a, ExpressionAnswer) for a in part):
            # Library carries the locale only inside expression answers' <rsl>; a round
            # without one has no text whose reading the locale would change.
            part = without_locale(part)
        if encodable(xml.encode, part):
            text = xml.encode(part)
            assert xml.encode(via_library(part)) == text
            assert via_library(xml.decode(text)) == unkeyed_family(part)


@given(answer_sets())
def test_encode_succeeds_or_says_why_not(answers: AnswerSet) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LocaleWarning)
            wire = library.encode(answers, form="param")
    except NotRepresentableError as exc:
        assert str(exc)
        return
    assert isinstance(library.decode(wire), AnswerSet)


# --- telling formats apart (--from auto) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (fixture(URL / "L2.txt"), "library"),
        (fixture(URL / "L4.txt"), "library"),
        (fixture(URL / "L6.txt"), "library"),
        ('[[{"key":"K@0@10","values":[]}]]', "library"),
        ('{"answers": [{"key": "K@0@10", "values": []}]}', "library"),
        ('{"answers": [{"key": "K@0@10", "type": "VALUE"}]}', "rest"),
        ('{"prompts": []}', "rest"),
        ('{"prompts": [{"key": "K", "type": "VALUE", "required": true}]}', "definitions"),
        ('{"key": "K", "type": "VALUE"}', "definitions"),
        # Seed 000's PUT body copies definition fields beside its answers: still answers.
        (fixture(FIXTURES / "client" / "seed-000-answer-elements-by-name.json"), "rest"),
        (
            '{"prompts": [{"key": "K", "type": "VALUE", "required": true, "answers": "1"},'
            ' {"key": "L", "type": "VALUE", "required": true}]}',
            "definitions",
        ),
        (fixture(URL / "D1.txt"), "url"),
        ("%3Crsl%3E%3C%2Frsl%3E", "xml"),
        ("<rsl></rsl>", "xml"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert formats.detect(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "[]", "{}", "[1]", "{x"])
def test_detect_says_when_it_cannot_tell(text: str) -> None:
    with pytest.raises(DecodeError, match="auto"):
        formats.detect(text)


@pytest.mark.parametrize(
    "encode",
    [rest.encode, xml.encode, url.encode],
    ids=["rest", "xml", "url"],
)
@given(answers=library_answer_sets())
def test_other_formats_encode_library_answers_or_say_why_not(
    encode: Callable[[AnswerSet], Any], answers: AnswerSet
) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LocaleWarning)
            encode(answers)
    except NotRepresentableError as exc:
        assert str(exc)


def test_bind_keeps_rounds() -> None:
    from mstr_prompts import definitions

    defs = definitions.decode(
        '[{"key": "A@0@10", "type": "VALUE"}, {"key": "B@0@10", "type": "ELEMENTS"}]'
    )
    answers = library.decode(
        '[[{"key":"A@0@10","values":[],"useDefault":true}],[{"key":"B@0@10","values":[]}]]'
    )
    bound = definitions.bind(answers, defs)
    assert bound.rounds == (1, 1)
    first, second = bound.by_round()
    assert rest.encode(first)["prompts"] == [{"key": "A@0@10", "type": "VALUE", "useDefault": True}]
    assert rest.encode(second)["prompts"] == [{"key": "B@0@10", "type": "ELEMENTS", "answers": []}]
    with pytest.raises(NotRepresentableError, match="2 prompting rounds"):
        definitions.complete(answers, defs)


# Found by fuzz/fuzz_library.py (plain loop, seed 7).
@pytest.mark.parametrize("token", ["{[Year%26]@ID}", "{[A&B]@ID}", "{[A#B]@ID}"])
def test_a_placeholder_with_a_percent_escape_survives_the_param_form(token: str) -> None:
    text = (
        '{"answers": [{"key": "3ECF2592C947B909B01624BCF690D6EA@0@10", "values": '
        f'["8D679D4F11D3E4981000E787EC6DE8A4::{token}14~1048576~Books"]}}]}}'
    )
    answers = library.decode(text)
    assert library.decode(library.encode(answers, form="param")) == answers
