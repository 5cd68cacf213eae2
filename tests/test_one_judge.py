"""Issue 20 item 4: one judge, one verdict.  ``validate`` and ``convert --definitions``
give the same problems, the same first message and the same exit status for the same
answers against the same definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstr_prompts import definitions, rest
from mstr_prompts.cli import main
from mstr_prompts.errors import AnswersRejected

DEFS = [
    {"key": "A@0@10", "name": "Year", "type": "VALUE", "dataType": "NUMERIC", "max": 2030},
    {"key": "B@0@10", "name": "Region", "type": "ELEMENTS", "required": True},
]

CASES = {
    "unknown-key": {"key": "Z@0@10", "type": "VALUE", "answers": "2020"},
    "wrong-type": {"key": "A@0@10", "type": "ELEMENTS", "answers": []},
    "too-big": {"key": "A@0@10", "type": "VALUE", "answers": "2040"},
    "required": {"key": "B@0@10", "type": "ELEMENTS", "answers": []},
    "not-a-number": {"key": "A@0@10", "type": "VALUE", "answers": "soon"},
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("target", ["rest", "xml", "library"])
def test_validate_and_convert_give_one_verdict(
    case: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(DEFS))
    body = tmp_path / "answers.json"
    body.write_text(json.dumps({"prompts": [CASES[case]]}))
    status = main(["validate", "--definitions", str(defs), "--from", "rest", str(body)])
    judged = capsys.readouterr()
    first = judged.out.splitlines()[0]
    converted = main(
        ["convert", "--from", "rest", "--to", target, "--definitions", str(defs), str(body)]
    )
    said = capsys.readouterr()
    assert (status, converted) == (1, 1)
    assert said.out == ""
    assert said.err == f"mstr-prompts: error: {first}\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_prepare_raises_what_validate_finds(case: str) -> None:
    defs = definitions.decode(json.dumps(DEFS))
    answers = rest.decode({"prompts": [CASES[case]]})
    found = definitions.validate(answers, defs)
    with pytest.raises(AnswersRejected) as info:
        definitions.prepare(answers, defs)
    assert info.value.problems == found
    with pytest.raises(AnswersRejected) as info:
        definitions.prepare(answers, defs, missing="default")
    assert info.value.problems == found
