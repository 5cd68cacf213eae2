"""Prompt definitions: decoding, binding, validation with the server's texts, completion.

Fixtures are the definition samples of the REST docs and definitions written for the
Web links of the URL API page (fixtures/definitions/SOURCES.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from seed_links import SEED_LINKS
from test_rest import strip_line_comments

from mstr_prompts import definitions, rest, url, xml
from mstr_prompts.definitions import Definitions, PromptDefinition, bind, check, complete, validate
from mstr_prompts.element_id import ElementId
from mstr_prompts.errors import (
    AnswersRejected,
    DecodeError,
    Hint,
    NotRepresentableError,
    PromptAnswerError,
    PromptsOutstanding,
)
from mstr_prompts.model import (
    AnswerMode,
    AnswerSet,
    Close,
    Element,
    ElementAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptFamily,
    PromptRef,
    Unanswered,
    UseDefault,
    ValueAnswer,
    ValueType,
    pending_rows,
)
from mstr_prompts.validation import MESSAGES, parse_date, problems_json

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
DEFS = ROOT / "definitions"
URLS = ROOT / "url"

YEAR = "8D679D5111D3E4981000E787EC6DE8A4"
QUARTER = "8D679D4A11D3E4981000E787EC6DE8A4"
CATEGORY = "8D679D3711D3E4981000E787EC6DE8A4"


def load(name: str) -> Definitions:
    text = (DEFS / name).read_text(encoding="utf-8")
    if name.endswith(".jsonc"):
        text = strip_line_comments(text)
    return definitions.decode(text)


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in DEFS.iterdir() if p.suffix in (".json", ".jsonc"))
    + ["url/" + p.name for p in sorted((DEFS / "url").iterdir())],
)
def test_every_definition_sample_decodes(name: str) -> None:
    if name == "server-messages.json":
        for case in json.loads((DEFS / name).read_text(encoding="utf-8")):
            assert len(definitions.decode(case["definitions"])) >= 1
        return
    defs = load(name)
    assert len(defs) >= 1
    for d in defs:
        assert d.prompt.is_identified and d.prompt.position is not None
        for answer in (d.default, d.current):
            assert answer is None or answer.prompt == d.prompt


@pytest.mark.parametrize("name", sorted(p.name for p in DEFS.iterdir() if p.name.endswith(".txt")))
def test_definitions_broken_as_published_are_refused(name: str) -> None:
    with pytest.raises(DecodeError, match=r"^definitions: not JSON at line \d+"):
        load(name)


def test_repaired_samples_decode() -> None:
    aq = (DEFS / "expression-attribute-qualification.invalid.txt").read_text()
    d = definitions.decode(aq.replace('"closed": false\n', '"closed": false,\n'))[0]
    assert (d.family, d.min, d.max, d.required) == (PromptFamily.EXPRESSION, 1, 2, True)
    assert d.default is not None and d.default.kind == "expression"

    level = (DEFS / "level.invalid.txt").read_text()
    level = strip_line_comments(level).replace(",,", ",").replace("},\n  }", "}\n  }")
    d = definitions.decode(level)[0]
    assert d.family is PromptFamily.LEVEL and d.default is not None
    assert d.current is not None and d.current.kind == "level"


def test_element_definition_fields() -> None:
    (d,) = load("elements-month.json")
    assert d.key == "0E6BAF5211EB0899810D0080EF25B228@0@10"
    assert d.id == "0E6BAF5211EB0899810D0080EF25B228"
    assert (d.name, d.title, d.type) == ("Elements of Month", "Month", "ELEMENTS")
    assert (d.required, d.closed, d.min, d.max) == (False, False, None, None)
    assert (d.attribute, d.attribute_name) == ("415C548749D69B14A728D0B1EF04E29E", "Month")
    assert isinstance(d.default, ElementAnswer)
    assert [e.name for e in d.default.elements] == ["November", "December"]
    assert d.current == d.default


def test_mixed_sample_single_object_default_and_int_data_type() -> None:
    objects, elements, value = load("mixed-objects-elements-value.jsonc")
    assert isinstance(objects.default, ObjectAnswer)
    assert objects.default.objects == (
        ObjectRef(id="D823D64B48A0104B01135587BA87A2BD", type=4, name="Cost Growth"),
    )
    assert (objects.min, objects.max) == (1, 2)
    assert isinstance(elements.default, ElementAnswer)
    assert elements.default.attribute == "5603951E4FE1BC04A44E44B85BBB8ED2"
    assert (value.data_type, value.value_type, value.required) == (8, ValueType.STRING, True)
    assert isinstance(value.default, ValueAnswer) and value.default.value == "Darren"


def test_value_bounds_have_their_units() -> None:
    (number,) = load("value-number.json")
    assert (number.min, number.max) == (Decimal("0.25"), Decimal("50"))
    assert number.value_type is ValueType.DOUBLE and number.id is None
    (date,) = load("value-date.json")
    moment = datetime(2018, 9, 26, 23, 37, 39, tzinfo=timezone.utc)
    assert (date.min, date.max) == (moment, moment)
    (text,) = load("value-text.json")
    assert (text.min, text.max, text.value_type) == (1, 5, ValueType.STRING)
    (big,) = load("value-big-decimal.json")
    assert big.max == Decimal("999999999999.4") and str(big.max) == "999999999999.4"
    assert isinstance(big.current, ValueAnswer) and big.current.value == "2000"
    assert isinstance(big.default, ValueAnswer) and big.default.value == "12"


def test_empty_default_is_none_and_positions_count_per_family() -> None:
    (year,) = load("elements-year-open.json")
    assert year.default is None and year.current is None and not year.has_default
    defs = load("mixed-objects-elements-value.jsonc")
    assert [d.prompt.position for d in defs] == [1, 1, 1]
    defs = load("url/employee-values.json")
    assert [d.prompt.position for d in defs] == [1, 2, 3]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "not JSON at line 1"),
        ("{}", "expected an array of prompt definitions"),
        ('{"prompts": {}}', '"prompts" must be an array'),
        ("[1]", "prompts[0]: a prompt definition must be an object"),
        ('[{"type": "VALUE"}]', "has no key, id or name"),
        ('[{"key": "K"}]', "has no type"),
        ('[{"key": "K", "type": "SLIDER"}]', "unknown prompt type 'SLIDER'"),
        ('[{"key": "K", "type": "VALUE", "dataType": 99}]', "unknown dataType 99"),
        ('[{"key": "K", "type": "VALUE", "dataType": "COLOUR"}]', "unknown dataType 'COLOUR'"),
        ('[{"key": "K", "type": "VALUE", "required": "yes"}]', "required must be true or false"),
        ('[{"key": "K", "type": "ELEMENTS", "max": 2.5}]', "max must be a whole number"),
        ('[{"key": "K", "type": "VALUE", "dataType": "NUMERIC", "min": "x"}]', "min 'x' is not"),
        ('[{"key": "K", "type": "VALUE", "min": "soon"}]', "neither a number nor an ISO date"),
        ('[{"key": "K", "type": "ELEMENTS", "source": {"id": "Year"}}]', "not an attribute GUID"),
        ('[{"key": "K", "type": "ELEMENTS", "defaultAnswer": "x"}]', "defaultAnswer"),
        (
            '[{"key": "K", "type": "OBJECTS", "answers": [{"id": "X", "type": "x"}]}]',
            "unknown object type 'x'",
        ),
    ],
)
def test_malformed_definitions_say_what_and_where(source: str, message: str) -> None:
    with pytest.raises(DecodeError, match=r"^definitions") as caught:
        definitions.decode(source)
    assert message in str(caught.value)


def test_decode_accepts_every_container() -> None:
    item = {"key": "K@0@10", "name": "N", "type": "value", "dataType": "numeric", "max": 5}
    expected = definitions.decode([item])
    assert definitions.decode({"prompts": [item]}) == expected
    assert definitions.decode(item) == expected
    assert definitions.decode((item,)) == expected
    assert definitions.decode(json.dumps([item]).encode()) == expected
    assert definitions.decode("\ufeff" + json.dumps([item])) == expected
    with pytest.raises(DecodeError, match="expected JSON text"):
        definitions.decode(42)  # type: ignore[arg-type]
    unsupported = definitions.decode([{"key": "U@0@10", "type": "UNSUPPORTED"}])[0]
    assert unsupported.family is None and unsupported.type == "UNSUPPORTED"


def test_lookup_precedence_and_families() -> None:
    defs = definitions.decode(
        [
            {"key": "A@0@10", "id": "0C", "name": "Shared", "type": "VALUE"},
            {"key": "B@0@10", "id": "0D", "name": "Shared", "type": "ELEMENTS"},
            {"key": "0D", "name": "Odd", "type": "VALUE"},
        ]
    )
    assert defs.get("0D") is defs[2]  # a key beats an id
    assert defs.get("0c") is defs[0]  # ids are GUIDs: any case
    assert defs.get("Shared") is defs[0]  # a repeated name: the first
    assert defs.get("nothing") is None
    assert defs.find(PromptRef(key="B@0@10", name="Odd")) is defs[1]
    assert defs.find(PromptRef(key="Z@0@10", id="0C")) is None  # the first identifier decides
    assert defs.find(PromptRef(position=1)) is None
    assert [d.key for d in defs.of_family("value")] == ["A@0@10", "0D"]
    assert defs.at(PromptFamily.VALUE, 2) is defs[2] and defs.at("value", 3) is None
    assert len(defs) == 3 and list(defs) == list(defs.prompts) and defs[0:1] == defs.prompts[:1]
    assert hash(defs) == hash(Definitions(defs.prompts)) and defs != defs.prompts
    assert "Definitions([" in repr(defs)
    with pytest.raises(TypeError):
        Definitions([1])  # type: ignore[list-item]


# --------------------------------------------------------------------------- seed Web links


@pytest.mark.parametrize(("link", "defs_name"), sorted(SEED_LINKS.items()))
def test_every_seed_link_converts_to_rest_and_xml(link: str, defs_name: str) -> None:
    defs = load(f"url/{defs_name}.json")
    answers = url.decode((URLS / f"{link}.txt").read_text(encoding="utf-8"))
    with pytest.raises(NotRepresentableError):
        rest.encode(answers)  # without definitions: no identity, or a mode
    bound = complete(answers, defs, "error") if answers.mode is not None else bind(answers, defs)
    assert validate(bound, defs) == ()
    body = rest.encode(bound)
    keys = {d.key for d in defs}
    assert body["prompts"] and {item["key"] for item in body["prompts"]} <= keys
    # Both outputs carry everything the bound answers say, up to what binding adds again.
    assert bind(rest.decode(body), defs) == bound
    assert bind(xml.decode(xml.encode(bound)), defs) == bound


def test_seed_d1_binds_by_position_in_the_pages_order() -> None:
    defs = load("url/employee-values.json")
    bound = bind(url.decode((URLS / "D1.txt").read_text()), defs)
    assert [(a.prompt.name, a.value) for a in bound if isinstance(a, ValueAnswer)] == [
        ("PayRate", "30"),
        ("EmployeeName", "Sam Hill"),
        ("EmployeeID", "25354"),
    ]
    assert [a.type for a in bound if isinstance(a, ValueAnswer)] == [
        ValueType.DOUBLE,
        ValueType.STRING,
        ValueType.LONG,
    ]


def test_seed_d9_mode_becomes_explicit_closes() -> None:
    defs = load("url/subscription-optional.json")
    answers = url.decode((URLS / "D9.txt").read_text())
    assert answers.mode is AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER
    done = complete(answers, defs)
    assert done.mode is None
    assert [(a.kind, a.prompt.key) for a in done] == [("close", d.key) for d in defs]
    assert rest.encode(done)["prompts"][0]["answers"] == []


# --------------------------------------------------------------------------- binding

TWO_ON_YEAR = definitions.decode(
    [
        {"key": "Y1@0@10", "name": "Year 1", "type": "ELEMENTS", "source": {"id": YEAR}},
        {"key": "Q@0@10", "name": "Quarter", "type": "ELEMENTS", "source": {"id": QUARTER}},
        {"key": "Y2@0@10", "name": "Year 2", "type": "ELEMENTS", "source": {"id": YEAR}},
    ]
)


def test_an_attribute_answer_goes_to_every_prompt_on_its_attribute() -> None:
    answers = url.decode(f"elementsPromptAnswers={YEAR};{YEAR}:2014,{QUARTER};")
    bound = bind(answers, TWO_ON_YEAR)
    assert [(a.kind, a.prompt.key) for a in bound] == [
        ("elements", "Y1@0@10"),
        ("elements", "Y2@0@10"),
        ("close", "Q@0@10"),
    ]
    assert bound[2] == Close(family="elements", attribute=QUARTER, prompt=TWO_ON_YEAR[1].prompt)


def test_two_different_answers_for_one_attribute_are_an_error() -> None:
    year = ElementAnswer(elements=[Element(id=ElementId(attribute=YEAR, keys=("2014",)))])
    other = ElementAnswer(elements=[Element(id=ElementId(attribute=YEAR, keys=("2015",)))])
    same = bind(AnswerSet(answers=[year, year]), TWO_ON_YEAR)
    assert len(same) == 2  # the repeat adds nothing
    with pytest.raises(DecodeError, match=f"two different answers for attribute {YEAR}") as caught:
        bind(AnswerSet(answers=[year, other]), TWO_ON_YEAR)
    assert "Year 1" in str(caught.value) and "Year 2" in str(caught.value)


def test_binding_errors_name_the_answer_and_the_prompt() -> None:
    defs = load("url/employee-values.json")
    with pytest.raises(
        DecodeError,
        match=r"bind: answers\[3\]: value prompt #4: the definitions have 3 value prompts",
    ):
        bind(url.decode("valuePromptAnswers=1^a^2^3"), defs)
    with pytest.raises(
        DecodeError, match=r"matches no prompt of the definitions \(looked up by key X@0@10"
    ):
        bind(AnswerSet(answers=[ValueAnswer(value="1", prompt=PromptRef(key="X@0@10"))]), defs)
    wrong = ObjectAnswer(objects=[ObjectRef(id="X", type=4)], prompt=PromptRef(name="PayRate"))
    with pytest.raises(DecodeError, match="answer is of type OBJECTS, but prompt 'PayRate'"):
        bind(AnswerSet(answers=[wrong]), defs)
    with pytest.raises(
        DecodeError, match=f"no element prompt of the definitions is on attribute {YEAR}"
    ):
        bind(url.decode(f"elementsPromptAnswers={YEAR};{YEAR}:1"), defs)
    with pytest.raises(DecodeError, match="does not say which prompt it answers"):
        bind(AnswerSet(answers=[UseDefault(family="value")]), defs)
    unsupported = definitions.decode([{"key": "U@0@10", "type": "UNSUPPORTED"}])
    with pytest.raises(NotRepresentableError, match="UNSUPPORTED"):
        bind(AnswerSet(answers=[UseDefault(prompt=PromptRef(key="U@0@10"))]), unsupported)


def test_binding_keeps_order_unanswered_slots_and_fills_what_it_knows() -> None:
    defs = load("url/employee-values.json")
    bound = bind(url.decode("valuePromptAnswers=^Sam^^"), defs)  # the trailing slot: no prompt
    assert [(a.kind, a.prompt.name) for a in bound] == [
        ("unanswered", "PayRate"),
        ("value", "EmployeeName"),
        ("unanswered", "EmployeeID"),
    ]
    closed = xml.decode(f'<rsl><pa key="{defs[2].key}"></pa></rsl>')
    assert closed[0].family is None
    assert bind(closed, defs)[0] == Close(family="value", prompt=defs[2].prompt)
    by_name = rest.decode(
        {"prompts": [{"name": "EmployeeID", "type": "VALUE", "useDefault": True}]}
    )
    assert bind(by_name, defs)[0].prompt == defs[2].prompt


def test_binding_gives_elements_their_attribute() -> None:
    defs = load("elements-month.json")
    body = {"prompts": [{"key": defs[0].key, "type": "ELEMENTS", "answers": [{"id": "h201411"}]}]}
    answer = bind(rest.decode(body), defs)[0]
    assert isinstance(answer, ElementAnswer) and answer.attribute == defs[0].attribute
    assert 'ei="415C548749D69B14A728D0B1EF04E29E:201411"' in xml.encode(
        bind(rest.decode(body), defs)
    )


# --------------------------------------------------------------------------- validation

SERVER_CASES = json.loads((DEFS / "server-messages.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SERVER_CASES, ids=[c["case"] for c in SERVER_CASES])
def test_every_published_server_message_is_reproduced_exactly(case: dict[str, Any]) -> None:
    defs = definitions.decode(case["definitions"])
    elements: dict[str, Sequence[Element]] | None = None
    if "elements" in case:
        listed = rest.decode(
            {"prompts": [{"key": k, "type": "ELEMENTS", "answers": v} for k, v in case["elements"].items()]}
        )  # fmt: skip
        elements = {str(a.prompt.key): a.elements for a in listed if isinstance(a, ElementAnswer)}
        assert validate(rest.decode(case["body"]), defs) == ()  # without the list: unknowable
    problems = validate(rest.decode(case["body"]), defs, elements=elements)
    assert len(problems) == 1
    assert problems[0].code == case["code"]
    assert problems[0].message == case["message"]
    assert problems[0].verbatim
    assert problems[0].explanation and problems[0].explanation != problems[0].message


def test_valid_answers_get_no_problems() -> None:
    for case in SERVER_CASES:
        defs = definitions.decode(case["definitions"])
        for d in defs:
            if d.current is not None:
                good = [d.current] if d.key != "A46842D548C3F0CEEDD3979528480FE5@0@10" else []
                assert validate(AnswerSet(answers=good), defs) == ()
    defs = load("value-text.json")
    ok = rest.decode({"prompts": [{"key": defs[0].key, "type": "VALUE", "answers": "abcde"}]})
    assert validate(ok, defs) == ()


def test_all_problems_in_the_servers_order_and_check_raises_them_all() -> None:
    defs = definitions.decode(
        [
            {"key": "N@0@10", "name": "N", "type": "VALUE", "dataType": 6, "max": 10},
            {"key": "R@0@10", "name": "R", "type": "ELEMENTS", "required": True},
            {"key": "O@0@10", "name": "O", "type": "OBJECTS", "max": 1},
        ]
    )
    body = {
        "prompts": [
            {"key": "N@0@10", "type": "VALUE", "answers": "11"},
            {"key": "R@0@10", "type": "ELEMENTS", "answers": []},
            {"key": "O@0@10", "type": "OBJECTS", "answers": [{"id": "A", "type": 4}, {"id": "B", "type": 4}]},
            {"key": "N@0@10", "type": "VALUE", "answers": "ten"},
            {"key": "X@0@10", "type": "VALUE", "useDefault": True},
            {"key": "O@0@10", "type": "OBJECTS", "useDefault": True},
        ]
    }  # fmt: skip
    problems = validate(rest.decode(body), defs)
    assert [(p.key, p.rule, p.index) for p in problems] == [
        ("N@0@10", "above_maximum", 0),
        ("R@0@10", "required", 1),
        ("O@0@10", "too_many_objects", 2),
        ("N@0@10", "answered_twice", 3),
        ("N@0@10", "wrong_data_type", 3),
        ("X@0@10", "key_not_found", 4),
        ("O@0@10", "answered_twice", 5),
        ("O@0@10", "no_default", 5),
    ]
    assert [p.verbatim for p in problems] == [True, True, True, False, False, True, False, False]
    with pytest.raises(AnswersRejected) as caught:
        check(rest.decode(body), defs)
    assert caught.value.problems == problems
    assert str(caught.value).endswith("(and 7 more problems)")
    assert isinstance(caught.value, PromptAnswerError) and isinstance(caught.value, ValueError)
    assert problems_json(problems)[0]["rule"] == "above_maximum"
    assert (
        problems[0].line().startswith("N@0@10: ERR006: The value(11) provided for prompt name: N")
    )


@pytest.mark.parametrize(
    ("data_type", "bounds", "good", "bad", "rule"),
    [
        (1, {}, "42", "4.2", "wrong_data_type"),
        (1, {"min": 1}, "1", "0", "below_minimum"),
        ("NUMERIC", {"max": "0.3"}, "0.3", "0.30000000000000001", "above_maximum"),
        ("NUMERIC", {}, "-1.5e3", "1,5", "wrong_data_type"),
        ("DATE", {}, "2026-07-01", "July 1st", "wrong_data_type"),
        (
            "DATE",
            {"max": "2026-07-01T00:00:00Z"},
            "2026-07-01T02:00:00+0200",
            "7/2/2026",
            "too_late",
        ),
        ("TEXT", {"max": 2}, "😀", "😀a", "too_long"),  # Java counts UTF-16 units
        ("BOOLEAN", {}, "1", "yes", "wrong_data_type"),
    ],
)
def test_value_checks(
    data_type: Any, bounds: dict[str, Any], good: str, bad: str, rule: str
) -> None:
    defs = definitions.decode(
        [{"key": "K@0@10", "name": "V", "type": "VALUE", "dataType": data_type, **bounds}]
    )
    ref = defs[0].prompt
    assert validate(AnswerSet(answers=[ValueAnswer(value=good, prompt=ref)]), defs) == ()
    problems = validate(AnswerSet(answers=[ValueAnswer(value=bad, prompt=ref)]), defs)
    assert [p.rule for p in problems] == [rule]


def test_value_without_data_type_is_checked_by_its_bounds() -> None:
    defs = definitions.decode([{"key": "K@0@10", "type": "VALUE", "min": 5}])
    ref = defs[0].prompt
    assert [
        p.rule for p in validate(AnswerSet(answers=[ValueAnswer(value="4", prompt=ref)]), defs)
    ] == ["below_minimum"]
    defs = definitions.decode([{"key": "K@0@10", "type": "VALUE"}])
    assert validate(AnswerSet(answers=[ValueAnswer(value="anything", prompt=ref)]), defs) == ()


def test_dates_in_us_form_need_us_english_or_no_locale() -> None:
    defs = load("url/region-date-values.json")
    answers = bind(url.decode((URLS / "D5.txt").read_text()), defs)
    assert validate(answers, defs) == ()
    german = answers.model_copy(update={"locale": 1031})
    assert [p.rule for p in validate(german, defs)] == ["wrong_data_type"]
    assert parse_date("2/30/2003") is None and parse_date("13:00") is None
    assert parse_date("1/1/2003 12:30:00 AM") == datetime(2003, 1, 1, 0, 30, tzinfo=timezone.utc)


def test_url_answers_are_bound_before_validation() -> None:
    defs = load("url/metric-attribute-objects.json")
    too_many = url.decode(
        "objectsPromptAnswers=A~4%1BB~4%1BC~4^8D679D3711D3E4981000E787EC6DE8A4~12"
    )
    (problem,) = validate(too_many, defs)
    assert problem.key == defs[0].key and problem.rule == "too_many_objects"
    with pytest.raises(DecodeError):
        validate(url.decode("objectsPromptAnswers=^^A~4"), defs)


def test_unpublished_messages_say_so() -> None:
    assert set(MESSAGES) >= {"key_not_found", "required", "too_long", "no_default"}


# --------------------------------------------------------------------------- completion

COMPLETE_DEFS = definitions.decode(
    [
        {"key": "A@0@10", "type": "VALUE", "required": True, "defaultAnswer": "7"},
        {"key": "B@0@10", "type": "ELEMENTS", "source": {"id": CATEGORY}},
        {"key": "C@0@10", "type": "OBJECTS", "defaultAnswer": [{"id": "X", "type": 4}]},
        {"key": "D@0@10", "type": "VALUE", "closed": True},
        {"key": "E@0@10", "type": "EXPRESSION", "required": True},
    ]
)


def test_complete_default_close_and_error() -> None:
    given = rest.decode(
        {
            "prompts": [
                {"key": "E@0@10", "type": "EXPRESSION", "answers": {"xml": "<exp><nd/></exp>"}}
            ]
        }
    )
    done = complete(given, COMPLETE_DEFS)
    assert [(a.kind, a.prompt.key) for a in done] == [
        ("expression", "E@0@10"),
        ("use_default", "A@0@10"),
        ("close", "B@0@10"),
        ("use_default", "C@0@10"),
    ]
    assert done[0] == bind(given, COMPLETE_DEFS)[0]
    assert done[2] == Close(family="elements", attribute=CATEGORY, prompt=COMPLETE_DEFS[1].prompt)
    with pytest.raises(
        PromptsOutstanding, match="prompt A@0@10: required, so it cannot be closed"
    ) as caught:
        complete(given, COMPLETE_DEFS, "close")
    assert caught.value.prompts == (COMPLETE_DEFS[0].prompt,)
    # The hint is spelled for Python here and for the command line there (issue 20 item 7).
    assert "missing='default'" in str(caught.value)
    assert isinstance(caught.value.hint, Hint)
    assert "--missing default" in (caught.value.hint.cli() or "")
    with pytest.raises(PromptsOutstanding, match="A@0@10, prompt B@0@10, prompt C@0@10: no answer"):
        complete(given, COMPLETE_DEFS, "error")
    with pytest.raises(PromptsOutstanding, match="prompt E@0@10: required and without a default"):
        complete(AnswerSet(), COMPLETE_DEFS)
    with pytest.raises(ValueError, match="missing must be"):
        complete(given, COMPLETE_DEFS, "ask")  # type: ignore[arg-type]


def test_complete_turns_modes_into_answers_and_fills_unanswered_slots() -> None:
    defs = load("url/employee-values.json")
    slots = url.decode("valuePromptAnswers=^Sam^&promptAnswerMode=1")
    with pytest.raises(PromptsOutstanding, match="PayRate"):
        complete(slots, defs)  # required, no default: the mode cannot answer it
    slots = url.decode("valuePromptAnswers=30^^&promptAnswerMode=2")
    with pytest.raises(PromptsOutstanding, match="EmployeeName"):
        complete(slots, defs, "default")  # the link's mode wins over the argument
    slots = url.decode("valuePromptAnswers=30^Sam^&promptAnswerMode=2")
    done = complete(slots, defs, "error")
    assert [(a.kind, a.prompt.name) for a in done] == [
        ("value", "PayRate"),
        ("value", "EmployeeName"),
        ("close", "EmployeeID"),
    ]
    assert done.mode is None and rest.encode(done)["prompts"][2]["answers"] == ""
    with pytest.raises(NotRepresentableError, match="promptAnswerMode 0"):
        complete(url.decode("valuePromptAnswers=30&promptAnswerMode=0"), defs)
    keep = complete(url.decode("valuePromptAnswers=30^Sam^1&promptAnswerMode=4"), defs, "error")
    assert keep.mode is None and len(keep) == 3


def test_complete_drops_a_slot_the_answers_answer_elsewhere() -> None:
    defs = load("url/employee-values.json")
    ref = defs[2].prompt
    answers = AnswerSet(
        answers=[
            Unanswered(family="value", prompt=PromptRef(position=3)),
            ValueAnswer(value="5", prompt=PromptRef(key=ref.key)),
            Unanswered(family="value", prompt=PromptRef(position=3)),
        ]
    )
    with pytest.raises(PromptsOutstanding):
        complete(answers, defs, "close")  # PayRate and EmployeeName are required
    filled = answers.model_copy(
        update={"answers": (*answers.answers, ValueAnswer(value="1", prompt=PromptRef(position=1)),
                            ValueAnswer(value="x", prompt=PromptRef(position=2)))}
    )  # fmt: skip
    done = complete(filled, defs, "error")
    assert [(a.kind, a.prompt.name) for a in done] == [
        ("value", "EmployeeID"),
        ("value", "PayRate"),
        ("value", "EmployeeName"),
    ]


def test_definition_model_basics() -> None:
    d = PromptDefinition(prompt=PromptRef(key="K@0@10"), family=PromptFamily.VALUE)
    assert d.type == "VALUE" and d.describe() == "prompt K@0@10" and not d.has_default
    with pytest.raises(ValueError):
        PromptDefinition(prompt=PromptRef(key="K@0@10"), family="colour")


def test_hand_built_bounds_take_their_units() -> None:
    ref = PromptRef(key="K@0@10")
    number = PromptDefinition(prompt=ref, family="value", value_type="double", min=5, max=7.5)
    assert (number.min, number.max) == (Decimal(5), Decimal("7.5"))
    naive = PromptDefinition(
        prompt=ref, family="value", value_type="date", min=datetime(2020, 1, 1)
    )
    assert naive.min == datetime(2020, 1, 1, tzinfo=timezone.utc)
    count = PromptDefinition(prompt=ref, family="elements", max=Decimal(3))
    assert count.max == 3 and type(count.max) is int
    with pytest.raises(ValueError, match="whole number"):
        PromptDefinition(prompt=ref, family="objects", max=Decimal("2.5"))
    with pytest.raises(ValueError, match="is a count, not a date"):
        PromptDefinition(prompt=ref, family="objects", max=datetime(2020, 1, 1))


def test_prepare_binds_completes_and_checks() -> None:
    defs = load("url/subscription-optional.json")
    link = url.decode((URLS / "D9.txt").read_text())
    assert [a.kind for a in definitions.prepare(link, defs)] == ["close", "close"]
    kept = definitions.prepare(link, defs, keep_mode=True)
    assert kept.mode is AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER and len(kept) == 0
    assert len(definitions.prepare(link, defs, keep_mode=True, missing="close")) == 2
    defs = load("url/employee-values.json")
    bad = url.decode("valuePromptAnswers=900^Sam")
    with pytest.raises(AnswersRejected, match=r"value\(900\)"):
        definitions.prepare(bad, defs)
    assert len(definitions.prepare(bad, defs, validate=False)) == 2


def test_seed_answer_body_with_definition_fields_reads_as_definitions() -> None:
    body = (ROOT / "rest" / "elements-by-name-execute-report.json").read_bytes()
    (d,) = definitions.decode(body)
    assert (d.name, d.required, d.closed, d.attribute) == (
        "Elements of Country",
        True,
        False,
        "8D679D3811D3E4981000E787EC6DE8A4",
    )
    assert d.default is None and isinstance(d.current, ElementAnswer)
    assert [e.name for e in d.current.elements] == ["USA", "England"]
    answers = rest.decode(body)
    assert bind(answers, definitions.decode(body))[0].prompt == d.prompt
    assert validate(answers, definitions.decode(body)) == ()


def test_element_lookup_by_id_when_the_list_is_given() -> None:
    defs = load("elements-month.json")
    month = defs[0]
    assert isinstance(month.default, ElementAnswer)
    listed = {str(month.key): month.default.elements}
    body = {"prompts": [{"key": month.key, "type": "ELEMENTS", "answers": [
        {"id": "h201411;415C548749D69B14A728D0B1EF04E29E"},
        {"id": "h201401;415C548749D69B14A728D0B1EF04E29E", "name": "January"},
    ]}]}  # fmt: skip
    (problem,) = validate(rest.decode(body), defs, elements=listed)
    assert problem.message == (
        "Unable to find elements that match h201401;415C548749D69B14A728D0B1EF04E29E for "
        f"prompt name: Elements of Month key: {month.key}."
    )
    assert validate(rest.decode(body), defs, elements={"other": ()}) == ()


def test_inline_defaults_spells_out_what_xml_cannot_say() -> None:
    done = complete(AnswerSet(), Definitions(COMPLETE_DEFS.prompts[1:3]))
    assert [a.kind for a in done] == ["close", "use_default"]
    with pytest.raises(NotRepresentableError, match="use the default answer"):
        xml.encode(done)
    spelled = definitions.inline_defaults(done, COMPLETE_DEFS)
    assert [a.kind for a in spelled] == ["close", "objects"]
    assert spelled[1].prompt == COMPLETE_DEFS[2].prompt
    assert 'did="X"' in xml.encode(spelled)
    with pytest.raises(NotRepresentableError, match="has no default answer"):
        definitions.inline_defaults(
            AnswerSet(answers=[UseDefault(prompt=COMPLETE_DEFS[1].prompt)]), COMPLETE_DEFS
        )
    with pytest.raises(DecodeError, match="matches no prompt"):
        definitions.inline_defaults(
            AnswerSet(answers=[UseDefault(prompt=PromptRef(key="Z@0@10"))]), COMPLETE_DEFS
        )


# --- binding without building (issue 22 item 3) -----------------------------------------

_ATTR = "8D679D3711D3E4981000E787EC6DE8A4"
_OTHER = "8D679D3811D3E4981000E787EC6DE8A4"


def _web_defs(max_elements: int = 20000) -> Definitions:
    return definitions.decode(
        [
            {"key": "V@0@10", "name": "Year", "type": "VALUE", "dataType": 6, "max": 2030},
            {
                "key": "E@0@10",
                "name": "Category",
                "type": "ELEMENTS",
                "max": max_elements,
                "source": {"id": _ATTR},
            },
        ]
    )


def _web_link(count: int, attribute: str = _ATTR) -> str:
    elements = ";".join(f"{attribute}:{k}" for k in range(count))
    return f"valuePromptAnswers=2031&elementsPromptAnswers={attribute};{elements}"


def test_a_web_links_element_answers_are_bound_and_validated_as_rows() -> None:
    answers = url.decode(_web_link(10_000))
    defs = _web_defs(max_elements=9_999)
    problems = validate(answers, defs)
    bound = bind(answers, defs)
    # Neither built the 10,000 element models: the decoded set and the bound one hold rows.
    assert pending_rows(answers) is not None
    rows = pending_rows(bound)
    assert rows is not None and type(rows[1]) is tuple
    assert [p.rule for p in problems] == ["above_maximum", "too_many_elements"]
    assert validate(bound, defs) == problems
    eager = url.decode(_web_link(10_000))
    assert bind(AnswerSet(answers=tuple(eager)), defs) == bound
    answer = bound[1]
    assert isinstance(answer, ElementAnswer) and answer.prompt.key == "E@0@10"
    assert len(answer.elements) == 10_000


def test_a_repeated_element_answer_binds_once_as_rows_and_as_models() -> None:
    link = _web_link(3) + f",{_ATTR};" + ";".join(f"{_ATTR}:{k}" for k in range(3))
    # Every model built and held: the model path (a decoded set's answers build when read).
    lazy, eager = url.decode(link), _eager(url.decode(link))
    assert len(pending_rows(lazy) or ()) == 3
    assert bind(lazy, _web_defs()) == bind(eager, _web_defs())
    assert len(bind(lazy, _web_defs())) == 2


def test_a_row_on_an_attribute_no_prompt_has_fails_as_its_model_does() -> None:
    defs = _web_defs()
    lazy, eager = url.decode(_web_link(2, _OTHER)), _eager(url.decode(_web_link(2, _OTHER)))
    for action in (bind, validate):
        with pytest.raises(DecodeError) as from_rows:
            action(lazy, defs)
        with pytest.raises(DecodeError) as from_models:
            action(eager, defs)
        assert str(from_rows.value) == str(from_models.value)
        assert "no element prompt of the definitions is on attribute" in str(from_rows.value)


# --- "an ELEMENTS prompt", not "a ELEMENTS prompt" (issue 22 review) ---------------------

_FAMILIES = {
    "VALUE": '"answers": "2015"',
    "ELEMENTS": '"answers": [{"id": "h1;8D679D3711D3E4981000E787EC6DE8A4"}]',
    "OBJECTS": '"answers": [{"id": "4C051DB611D3E877C000B3B2D86C964F", "type": 4}]',
}
_ARTICLE = {"VALUE": "a VALUE", "ELEMENTS": "an ELEMENTS", "OBJECTS": "an OBJECTS"}


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [(p, a) for p in _FAMILIES for a in _FAMILIES if p != a],
)
def test_family_messages_take_the_right_article(prompt: str, answer: str) -> None:
    defs = definitions.decode(f'[{{"key": "K@0@10", "type": "{prompt}"}}]')
    body = rest.decode(
        f'{{"prompts": [{{"key": "K@0@10", "type": "{answer}", {_FAMILIES[answer]}}}]}}'
    )
    with pytest.raises(DecodeError) as caught:
        bind(body, defs)
    assert f"is {_ARTICLE[prompt]} prompt" in str(caught.value)
    (problem,) = validate(body, defs)
    assert f"is {_ARTICLE[prompt]} prompt, but the answer is for {_ARTICLE[answer]} prompt" in (
        problem.explanation
    )


def test_a_bound_of_an_elements_prompt_that_is_a_date_says_an() -> None:
    with pytest.raises(ValueError, match="max of an OBJECTS prompt is a count, not a date"):
        PromptDefinition(prompt=PromptRef(key="K@0@10"), family="objects", max=datetime(2020, 1, 1))


def test_format_names_take_the_right_article() -> None:
    from mstr_prompts.errors import rounds_refusal, untyped_object_refusal, with_article

    assert "an xml body is one round" in str(rounds_refusal("xml", 2))
    assert "a url answer must" in str(untyped_object_refusal("p", "X", "url"))
    words = ["EXPRESSION", "OBJECTS", "ELEMENTS", "UNSUPPORTED", "VALUE", "HIERARCHY", "LEVEL"]
    assert [with_article(w).split()[0] for w in words] == ["an"] * 4 + ["a"] * 3


@pytest.mark.parametrize("given", [None, [], "x", {"prompts": []}])
def test_what_is_no_answer_set_is_the_librarys_error(given: object) -> None:
    # Definitions.pairs(None) and the like raised AttributeError (issue 22 review).
    defs = definitions.decode('[{"key": "K@0@10", "type": "VALUE"}]')
    actions: list[Callable[[Any], object]] = [
        defs.pairs,
        lambda a: bind(a, defs),
        lambda a: validate(a, defs),
        lambda a: check(a, defs),
        lambda a: complete(a, defs),
    ]
    for action in actions:
        with pytest.raises(DecodeError, match="must be an AnswerSet or a RowSet"):
            action(given)


def _eager(decoded: AnswerSet) -> AnswerSet:
    """The decoded set with every answer model built and held (a tuple): the model path."""
    return AnswerSet(answers=tuple(decoded), mode=decoded.mode, locale=decoded.locale)
