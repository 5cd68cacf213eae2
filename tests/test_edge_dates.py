"""Issue 20 item 1: dates at the edges of the representable range, and every other number
the standard library refuses, are read or refused with the library's own error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import definitions, rest
from mstr_prompts.cli import main
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.validation import parse_date, validate

EDGES = [
    "0001-01-01T00:00:00+0100",  # the reproducer: 31 Dec of year 0 in UTC
    "0001-01-01T00:59:59.999+01:00",
    "9999-12-31T23:00:00-0100",  # 1 Jan of year 10000 in UTC
    "9999-12-31T23:59:59.999999999-00:01",
]


def defs_text(**bounds: object) -> str:
    prompt = {"key": "K@0@10", "name": "Day", "type": "VALUE", "dataType": "DATE", **bounds}
    return json.dumps([prompt])


@pytest.mark.parametrize("text", EDGES)
def test_parse_date_out_of_range_is_not_a_date(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00-0100",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:00:00+0100",
    ],
)
def test_parse_date_reads_the_edges_that_fit(text: str) -> None:
    assert parse_date(text) is not None


@pytest.mark.parametrize("side", ["min", "max"])
@pytest.mark.parametrize("text", EDGES)
def test_definitions_refuse_an_unrepresentable_bound(side: str, text: str) -> None:
    with pytest.raises(PromptAnswerError, match="outside the dates"):
        definitions.decode(defs_text(**{side: text}))


@pytest.mark.parametrize("text", EDGES)
def test_validate_reports_an_unrepresentable_answer(text: str) -> None:
    defs = definitions.decode(defs_text(min="2000-01-01"))
    body = rest.decode(
        json.dumps({"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": text}]})
    )
    problems = validate(body, defs)
    assert [p.rule for p in problems] == ["wrong_data_type"]
    assert "outside the dates" in problems[0].explanation


@pytest.mark.parametrize("text", EDGES)
def test_cli_refuses_the_bound_in_one_line(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defs = tmp_path / "defs.json"
    defs.write_text(defs_text(min=text))
    answers = tmp_path / "a.json"
    answers.write_text('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "2020-01-01"}]}')
    for args in (
        ["validate", "--definitions", str(defs), "--from", "rest", str(answers)],
        ["convert", "--from", "rest", "--to", "xml", "--definitions", str(defs), str(answers)],
    ):
        assert main(args) == 3
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "internal error" not in err and "outside the dates" in err


def test_a_count_with_too_many_digits_is_the_librarys_error() -> None:
    text = json.dumps([{"key": "K@0@10", "type": "ELEMENTS", "min": "1" * 5000}])
    with pytest.raises(PromptAnswerError, match="min"):
        definitions.decode(text)


@given(
    year=st.sampled_from([1, 2, 9998, 9999]),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    hour=st.integers(0, 23),
    offset=st.integers(-23 * 60 - 59, 23 * 60 + 59),
    side=st.sampled_from(["min", "max"]),
)
def test_any_edge_date_bound_is_read_or_refused_with_our_error(
    year: int, month: int, day: int, hour: int, offset: int, side: str
) -> None:
    sign = "-" if offset < 0 else "+"
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:00:00{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    try:
        defs = definitions.decode(defs_text(**{side: text}))
    except PromptAnswerError:
        return
    body = rest.decode(
        json.dumps({"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": text}]})
    )
    assert validate(body, defs) == ()
