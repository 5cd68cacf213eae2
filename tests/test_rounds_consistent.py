"""Issue 20 item 5: rounds stay consistent with the answers through every operation."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mstr_prompts import definitions, library, xml
from mstr_prompts.cli import main
from mstr_prompts.errors import NotRepresentableError
from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
from mstr_prompts.strategies import library_answer_sets

DEFS = definitions.decode(
    '[{"key": "A@0@10", "type": "VALUE", "defaultAnswer": "7"}, {"key": "B@0@10", "type": "VALUE"}]'
)


def value(key: str, text: str) -> ValueAnswer:
    return ValueAnswer(prompt=PromptRef(key=key), value=text)


def test_validate_lets_a_nested_prompt_be_asked_again_in_another_round() -> None:
    again = library.decode(
        '[[{"key":"A@0@10","values":["1"],"useDefault":false}],'
        '[{"key":"A@0@10","values":["2"],"useDefault":false}]]'
    )
    assert definitions.validate(again, DEFS) == ()
    twice = library.decode(
        '[[{"key":"A@0@10","values":["1"],"useDefault":false},'
        '{"key":"A@0@10","values":["2"],"useDefault":false}]]'
    )
    assert [p.rule for p in definitions.validate(twice, DEFS)] == ["answered_twice"]


def test_copying_with_new_answers_refuses_stale_round_sizes() -> None:
    two = AnswerSet.from_rounds(
        [AnswerSet(answers=[value("A@0@10", "1")]), AnswerSet(answers=[value("B@0@10", "2")])]
    )
    with pytest.raises(ValidationError, match="rounds"):
        two.model_copy(update={"answers": (value("A@0@10", "3"),)})
    same_size = two.model_copy(update={"answers": (value("A@0@10", "3"), value("B@0@10", "4"))})
    assert same_size.rounds == (1, 1)
    assert (
        two.model_copy(update={"answers": (value("A@0@10", "3"),), "rounds": None}).rounds is None
    )
    assert copy.copy(two) == two and copy.deepcopy(two) == two


def test_inline_defaults_keeps_the_rounds() -> None:
    two = library.decode(
        '[[{"key":"A@0@10","values":[],"useDefault":true}],'
        '[{"key":"B@0@10","values":["x"],"useDefault":false}]]'
    )
    spelled = definitions.inline_defaults(definitions.bind(two, DEFS), DEFS)
    assert spelled.rounds == (1, 1)
    with pytest.raises(NotRepresentableError, match="round"):
        xml.encode(spelled)


def test_cli_never_merges_rounds_into_one_xml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defs = tmp_path / "defs.json"
    defs.write_text(
        json.dumps(
            [
                {"key": "A@0@10", "type": "VALUE", "defaultAnswer": "7"},
                {"key": "B@0@10", "type": "VALUE"},
            ]
        )
    )
    two = tmp_path / "two.json"
    two.write_text(
        '[[{"key":"A@0@10","values":[],"useDefault":true}],'
        '[{"key":"B@0@10","values":["x"],"useDefault":false}]]'
    )
    for target in ("xml", "url", "rest"):
        status = main(
            ["convert", "--from", "library", "--to", target, "--definitions", str(defs), str(two)]
        )
        captured = capsys.readouterr()
        assert status == 4 and captured.out == "" and "round" in captured.err


@given(library_answer_sets(), st.data())
def test_every_copy_keeps_rounds_consistent(answers: AnswerSet, data: st.DataObject) -> None:
    keep = data.draw(st.integers(0, len(answers)))
    try:
        copied = answers.model_copy(update={"answers": answers.answers[:keep]})
    except ValidationError:
        assert answers.rounds is not None and keep != len(answers)
        return
    rounds = copied.rounds
    assert rounds is None or sum(rounds) == len(copied)
    parts = copied.by_round()
    assert sum(len(p) for p in parts) == len(copied)
