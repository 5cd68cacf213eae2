"""mstrio-py, MicroStrategy's Python SDK: every answer body it writes, and the bridge.

The bodies are made by calling the installed SDK (tests/mstrio_bodies.py); the
documented examples are kept in fixtures/mstrio/ with their public sources.  The tests
need mstrio-py (the ``test`` extra installs it) and skip only when it is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mstrio", reason="mstrio-py is not installed (pip install -e '.[test]')")

import mstrio_bodies as sdk
from hypothesis import given
from hypothesis import strategies as st
from mstrio.modeling.prompt import Prompt
from test_untyped_objects import with_untyped

from mstr_prompts import definitions, library, rest, url, xml
from mstr_prompts.errors import DecodeError, NotRepresentableError
from mstr_prompts.model import (
    Answer,
    AnswerMode,
    AnswerSet,
    Close,
    ElementAnswer,
    ExpressionAnswer,
    LevelAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptFamily,
    PromptRef,
    UseDefault,
    ValueAnswer,
)
from mstr_prompts.mstrio import from_prompts, to_prompts
from mstr_prompts.strategies import prompt_keys

FIXTURES = Path(__file__).parent.parent / "fixtures"
KINDS = list(sdk.kinds())
BY_NAME = {name: bodies for name, bodies, _ in KINDS}
PROMPTS = {name: prompts for name, _, prompts in KINDS if prompts is not None}

# --- every body the SDK writes ------------------------------------------------------------


def test_nineteen_kinds_of_body() -> None:
    assert len(BY_NAME) == len(KINDS) == 19


@pytest.mark.parametrize(("name", "bodies", "prompts"), KINDS, ids=[k[0] for k in KINDS])
def test_every_body_the_sdk_writes_decodes_and_round_trips(
    name: str, bodies: list[dict[str, Any]], prompts: list[Any] | None
) -> None:
    for body in bodies:
        answers = rest.decode(body)
        assert len(answers) == len(body["prompts"])
        # The text the SDK sends (requests' json=) reads the same as the dict.
        assert rest.decode(json.dumps(body)) == answers
        # Nothing is lost: the canonical body means the same.
        assert rest.decode(rest.encode(answers)) == answers
        assert rest.decode(rest.dumps(answers)) == answers


def _objects(answer: Answer) -> tuple[ObjectRef, ...]:
    assert isinstance(answer, ObjectAnswer)
    return answer.objects


def _value(answer: Answer) -> str | tuple[str, ...]:
    assert isinstance(answer, ValueAnswer)
    return answer.value


def _one(name: str, index: int = 0) -> Any:
    return rest.decode(BY_NAME[name][index])[0]


def test_what_each_body_means() -> None:
    assert _one("value-text") == ValueAnswer(prompt=PromptRef(key=sdk.K_VALUE), value="2015")
    # JSON numbers: the digits as written.
    assert _one("value-integer").value == "100"
    assert _one("value-decimal").value == "1.5"
    assert _one("value-list").value == "value1"
    # Lower-case and enum types are the same prompt types.
    assert _one("type-lower-case") == _one("value-text")
    assert isinstance(_one("type-enum"), ElementAnswer)
    assert _one("use-default") == UseDefault(
        prompt=PromptRef(key=sdk.K_VALUE), family=PromptFamily.VALUE
    )
    assert _one("elements").elements[0].name == "Canada"
    assert _one("objects").objects == (ObjectRef(id=sdk.COST, type=4, name="Cost"),)
    # The docstring's object: its type stays unknown, nothing is guessed.
    assert _one("objects-untyped").objects == (ObjectRef(id=sdk.COST, type=None, name="Cost"),)
    assert isinstance(_one("expression"), ExpressionAnswer) and _one("expression").typed
    assert isinstance(_one("level"), LevelAnswer)
    # answers left out, and "", close the prompt.
    assert _one("close-left-out") == Close(
        prompt=PromptRef(key=sdk.K_ELEMENTS), family=PromptFamily.ELEMENTS
    )
    assert _one("close-empty-value") == Close(
        prompt=PromptRef(key=sdk.K_VALUE), family=PromptFamily.VALUE
    )
    assert _one("deprecated-dataclass") == _one("objects")
    assert len(rest.decode(BY_NAME["workflow"][0])) == 5
    # answer_prompts copies id: null from a definition without an id.
    null_id = _one("answer-prompts-null-id")
    assert (null_id.prompt.id, null_id.prompt.name, null_id.value) == (None, "Value (Number)", "12")
    assert _one("answer-prompts-default").objects[0].type_name == "metric"
    assert len(BY_NAME["answer-prompts-rounds"]) == 2
    assert isinstance(_one("answer-prompts-rounds", 0), ElementAnswer)
    assert _one("answer-prompts-rounds", 1).objects[0].type is None


# --- the documented examples, kept as fixtures --------------------------------------------

DOCUMENTED = {
    "prompt-docstring-objects-untyped.json": lambda: BY_NAME["objects-untyped"][0],
    "import-report-data-value-integer.json": lambda: BY_NAME["value-integer"][0],
    "answer-prompts-docstring-value-list.json": lambda: sdk.answer_prompts(
        [[{"key": "prompt_key", "name": "prompt_name", "type": "VALUE", "required": True}]],
        [Prompt(key="prompt_key", answers=["value1"])],
    )[0],
}


def test_every_documented_example_has_its_source() -> None:
    files = sorted(p.name for p in (FIXTURES / "mstrio").glob("*.json"))
    assert files == sorted(DOCUMENTED)
    sources = (FIXTURES / "mstrio" / "SOURCES.md").read_text(encoding="utf-8")
    for name in files:
        assert f"`{name}`" in sources


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_examples_decode_as_the_sdk_writes_them(name: str) -> None:
    stored = json.loads((FIXTURES / "mstrio" / name).read_text(encoding="utf-8"))
    assert rest.decode(stored) == rest.decode(DOCUMENTED[name]())


def test_the_workflow_fixture_is_what_the_sdk_writes() -> None:
    stored = json.loads(
        (FIXTURES / "rest" / "mstrio-prompted-subscription.json").read_text(encoding="utf-8")
    )
    assert rest.decode(stored) == rest.decode(BY_NAME["workflow"][0])


# --- the bridge ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_from_prompts_reads_what_the_sdk_sends(name: str) -> None:
    assert from_prompts(PROMPTS[name]) == rest.decode(BY_NAME[name][0])


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_to_prompts_round_trips_every_sdk_body(name: str) -> None:
    answers = rest.decode(BY_NAME[name][0])
    assert from_prompts(to_prompts(answers)) == answers


def test_to_prompts_sends_the_same_body_as_the_users_prompts() -> None:
    answers = rest.decode(BY_NAME["workflow"][0])
    assert rest.decode(sdk.envelope(to_prompts(answers))) == answers


def test_from_prompts_reads_prompts_from_a_server() -> None:
    # report.prompts: definitions the SDK read; their current answers are what they send.
    served = Prompt.from_dict(
        source=json.loads((FIXTURES / "definitions" / "objects-metric.json").read_text())[0],
        connection=None,
    )
    answer = from_prompts([served])[0]
    assert isinstance(answer, ObjectAnswer) and answer.objects[0].name == "Cost Growth"


def test_captured_xml_answers_the_sdks_answer_prompts() -> None:
    captured = (
        '<rsl><pa pt="5" pin="0" did="9780961349394064B659679AA3D0A822" tp="10">12</pa></rsl>'
    )
    answers = xml.decode(captured)
    number = json.loads((FIXTURES / "definitions" / "value-number.json").read_text())
    sent = sdk.answer_prompts([[number]], to_prompts(answers))
    assert _value(rest.decode(sent[0])[0]) == "12"


def test_a_web_link_answers_after_binding() -> None:
    number = json.loads((FIXTURES / "definitions" / "value-number.json").read_text())
    bound = definitions.bind(url.decode("valuePromptAnswers=12"), definitions.decode([number]))
    sent = rest.decode(sdk.envelope(to_prompts(bound)))
    assert _value(sent[0]) == "12" and sent[0].prompt.key == number["key"]


def test_library_rounds_answer_nested_prompts() -> None:
    rounds = sdk._nested_rounds()
    year_key, metric_key = rounds[0][0]["key"], rounds[1][0]["key"]
    growth = "D823D64B48A0104B01135587BA87A2BD"
    link = json.dumps(
        [
            [{"key": year_key, "values": [f"{sdk.YEAR}:2014~1048576~2014"], "useDefault": False}],
            [{"key": metric_key, "values": [f"{growth}~4~Cost Growth"], "useDefault": False}],
        ]
    )
    answers = library.decode(link)
    assert answers.rounds == (1, 1)
    prompts = to_prompts(answers)
    assert [p.key for p in prompts] == [year_key, metric_key]
    # answer_prompts picks each round's answer from the one list by key.
    sent = sdk.answer_prompts(rounds, prompts)
    assert len(sent) == 2
    for body, part in zip(sent, answers.by_round(), strict=True):
        got, want = rest.decode(body)[0], part[0]
        assert got.prompt.key == want.prompt.key
        assert got.model_copy(update={"prompt": want.prompt}) == want


def test_to_prompts_needs_the_key() -> None:
    answers = AnswerSet(
        answers=[ValueAnswer(prompt=PromptRef(id="9780961349394064B659679AA3D0A822"), value="1")]
    )
    with pytest.raises(NotRepresentableError, match="needs the prompt's key") as caught:
        to_prompts(answers)
    assert caught.value.target == "mstrio" and "definitions" in (caught.value.hint or "")


def test_to_prompts_refuses_what_rest_cannot_say_in_its_own_name() -> None:
    answers = AnswerSet(mode=AnswerMode.ALL_PROMPTS_USE_DEFAULT_ANSWER)
    with pytest.raises(NotRepresentableError, match="answer mode") as caught:
        to_prompts(answers)
    assert caught.value.target == "mstrio"


def test_to_prompts_refuses_keys_the_sdk_would_rename() -> None:
    answer = ExpressionAnswer(
        prompt=PromptRef(key="K@0@10"), expression={"operator": "X", "data_type": 1}
    )
    with pytest.raises(NotRepresentableError, match="renames the key 'data_type'"):
        to_prompts(AnswerSet(answers=[answer]))


def test_to_prompts_refuses_an_answer_the_sdk_would_drop() -> None:
    answer = LevelAnswer(prompt=PromptRef(key="K@0@10"), definition={})
    with pytest.raises(NotRepresentableError, match="would send close instead of this level"):
        to_prompts(AnswerSet(answers=[answer]))


def test_to_prompts_refuses_two_answers_for_one_key() -> None:
    ref = PromptRef(key="K@0@10")
    first = AnswerSet(answers=[ValueAnswer(prompt=ref, value="1")])
    second = AnswerSet(answers=[ValueAnswer(prompt=ref, value="2")])
    with pytest.raises(NotRepresentableError, match="two different answers"):
        to_prompts(AnswerSet.from_rounds([first, second]))
    assert len(to_prompts(AnswerSet.from_rounds([first, first]))) == 2


def test_from_prompts_refuses_what_is_not_a_prompt() -> None:
    with pytest.raises(DecodeError, match=r"^mstrio: prompts\[0\]: expected a mstrio-py Prompt"):
        from_prompts([{"key": "K"}])


def test_from_prompts_errors_name_the_sdk_prompt() -> None:
    bad = Prompt(key="K@0@10", type="OBJECTS", answers=[{"name": "Cost"}])
    with pytest.raises(DecodeError, match=r"^mstrio: prompts\[0\] \(key K@0@10\)"):
        from_prompts([bad])


# --- properties -----------------------------------------------------------------------------


def _keyed(answers: AnswerSet, keys: list[str]) -> AnswerSet:
    """The answers, each with a key of its own (the answer-mode Prompt needs one)."""
    return AnswerSet(
        answers=[
            a.model_copy(update={"prompt": a.prompt.model_copy(update={"key": k})})
            for a, k in zip(answers, keys, strict=False)
        ]
    )


_REFUSALS = ("renames the key", "would send")


@given(
    with_untyped(),
    st.lists(prompt_keys(), min_size=6, max_size=6, unique=True),
)
def test_bridge_round_trip(answers: AnswerSet, keys: list[str]) -> None:
    answers = _keyed(answers, keys)
    try:
        prompts = to_prompts(answers)
    except NotRepresentableError as exc:
        assert exc.target == "mstrio" and any(r in exc.message for r in _REFUSALS), exc
        return
    assert from_prompts(prompts) == answers
    assert rest.decode(sdk.envelope(prompts)) == answers


# --- mstrio-py behaviour docs/mstrio.md describes (fails when the SDK changes it) ----------


def test_sdk_behaviour_answer_prompts_ignores_use_default() -> None:
    open_round = sdk._default_round()
    key = open_round[0]["key"]
    with pytest.raises(ValueError, match="Cannot find an answer"):
        sdk.answer_prompts([open_round], [Prompt(key=key, type="OBJECTS", use_default=True)])
    # to_dataframe's body says useDefault as it should.
    assert sdk.envelope([Prompt(key=key, type="OBJECTS", use_default=True)])["prompts"][0][
        "useDefault"
    ]


def test_sdk_behaviour_answer_prompts_cannot_close_an_object_prompt() -> None:
    open_round = sdk._default_round()
    with pytest.raises(ValueError, match="Cannot find an answer"):
        sdk.answer_prompts(
            [open_round], [Prompt(key=open_round[0]["key"], type="OBJECTS", answers=[])]
        )


def test_defaults_spelled_out_answer_prompts() -> None:
    open_round = sdk._default_round()
    defs = definitions.decode(open_round)
    wanted = AnswerSet(
        answers=[UseDefault(prompt=PromptRef(key=open_round[0]["key"]), family="objects")]
    )
    spelled = definitions.inline_defaults(definitions.bind(wanted, defs), defs)
    sent = sdk.answer_prompts([open_round], to_prompts(spelled))
    assert _objects(rest.decode(sent[0])[0]) == (
        ObjectRef(id="D823D64B48A0104B01135587BA87A2BD", type=4, name="Cost Growth"),
    )


def test_from_prompts_takes_a_missing_type_from_the_definitions() -> None:
    # The PromptMixin docstring's answer: no type; answer_prompts takes it from the server.
    documented = Prompt(key="prompt_key", answers=["value1"])
    with pytest.raises(
        DecodeError, match=r"^mstrio: prompts\[0\] \(key prompt_key\): the Prompt has no type"
    ):
        from_prompts([documented])
    defs = definitions.decode([{"key": "prompt_key", "name": "prompt_name", "type": "VALUE"}])
    read = from_prompts([documented], definitions=defs)
    stored = json.loads(
        (FIXTURES / "mstrio" / "answer-prompts-docstring-value-list.json").read_text()
    )
    assert _value(read[0]) == _value(rest.decode(stored)[0]) == "value1"
    other = definitions.decode([{"key": "other", "type": "VALUE"}])
    with pytest.raises(DecodeError, match="no prompt of the definitions has its key"):
        from_prompts([documented], definitions=other)
