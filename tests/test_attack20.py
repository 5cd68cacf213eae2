"""Issue 20's acceptance, attacked from outside: what a mutation fuzzer found.

Each test is one reproducer the fuzzer written for the attack found against the merged
codecs (the classes: silent empty results, an encode its decoder refuses, foreign
exceptions, super-linear time).
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mstr_prompts import batch, definitions, links, rest, url, validation
from mstr_prompts.cli import main
from mstr_prompts.errors import DecodeError
from mstr_prompts.model import Close


@pytest.mark.parametrize(
    "link",
    [
        "objectsPromptAnswers%3D4C05177011D3E877C000B3B2D86C964F~4~Revenue",
        "http://h/MicroStrategy/servlet/mstrWeb%3Fevt%3D4001%26valuePromptAnswers%3Da",
        "valuePromptAnswers%3D900%",
    ],
)
def test_links_parse_reads_a_percent_encoded_link_as_url_decode_does(link: str) -> None:
    # url.decode reads a whole link percent-encoded once; links.parse gave a Web link with
    # no answers for the same text (a silent empty result).
    parsed = links.parse(link)
    assert isinstance(parsed, links.WebLink)
    assert parsed.answers == url.decode(link)
    assert len(parsed.answers) > 0


def test_links_parse_of_a_percent_encoded_link_keeps_its_parts() -> None:
    parsed = links.parse(
        "http://h/MicroStrategy/servlet/mstrWeb%3Fevt%3D4001%26reportID%3D"
        "4CF6D88A4588097466A4B7B8851A161F%26valuePromptAnswers%3Da"
    )
    assert isinstance(parsed, links.WebLink)
    assert parsed.base == "http://h/MicroStrategy/servlet/mstrWeb"
    assert (parsed.event, parsed.object_kind) == (4001, "report")
    assert [a.value for a in parsed.answers] == ["a"]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [",", ",,", "%2C"])
def test_an_elements_parameter_of_separators_only_is_the_empty_parameter(value: str) -> None:
    # 'elementsPromptAnswers=,' decoded to no answers at all ({"prompts": []}, exit 0),
    # while 'elementsPromptAnswers=' is one open slot: one meaning for both.
    answers = url.decode(f"evt=4001&elementsPromptAnswers={value}")
    assert answers == url.decode("evt=4001&elementsPromptAnswers=")
    assert url.decode(url.encode_query(answers)) == answers


def test_cli_refuses_an_elements_parameter_of_separators_only_as_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "link.txt"
    source.write_text("evt=4001&elementsPromptAnswers=,\n")
    status = main(["convert", "--from", "url", "--to", "rest", str(source)])
    captured = capsys.readouterr()
    assert status != 0 and captured.out == ""
    assert captured.err.count("\n") == 1


def test_dates_in_messages_have_four_digit_years() -> None:
    # The server writes yyyy; strftime's %Y wrote year 1 as "1-01-01T…".
    assert validation.format_date(datetime(1, 1, 1, tzinfo=timezone.utc)).startswith("0001-01-01T")
    defs = definitions.decode(
        '[{"key":"K@0@10","type":"VALUE","dataType":"DATE","min":"0001-01-01T00:00:00-0100"}]'
    )
    (problem,) = validation.validate(rest.decode(_value("0001-01-01")), defs)
    assert "(0001-01-01T00:00:00.000+0000)" in problem.message
    assert "(0001-01-01T01:00:00.000+0000)" in problem.message


@pytest.mark.parametrize("offset", ["+0099", "+01:60", "-0075"])
def test_an_offset_with_minutes_past_59_is_no_date(offset: str) -> None:
    # "+0099" was read as +01:39, comparing the answer at an instant nobody wrote.
    assert validation.parse_date(f"2020-01-01T00:00:00{offset}") is None
    with pytest.raises(DecodeError, match="not an ISO date"):
        definitions.decode(
            '[{"key":"K@0@10","type":"VALUE","dataType":"DATE",'
            f'"min":"2020-01-01T00:00:00{offset}"}}]'
        )


def _value(text: str) -> str:
    return json.dumps({"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": text}]})


@pytest.mark.parametrize("text", ['{"prompts": []}', "<rsl></rsl>", "[[]]"])
def test_batch_to_url_refuses_an_empty_set_as_convert_does(text: str) -> None:
    # convert --to url refuses an empty set; convert --records gave an empty output line
    # with no error, which url.decode then refuses (an encode its decoder refuses).
    result = batch.convert_record(
        batch.Record(text, batch.RecordId(line=1)), batch.Options(source="auto", target="url")
    )
    assert result.output is None and result.error is not None
    assert "no answer to write" in str(result.error)


def test_cli_records_to_url_report_an_empty_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "records.txt"
    source.write_text('{"prompts": []}\nvaluePromptAnswers=1\n')
    status = main(
        ["convert", "--records", "lines", "--keep-going", "--from", "auto", "--to", "url",
         str(source)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status != 0
    assert '"output": ""' not in captured.out
    assert "no answer to write" in captured.out + captured.err


@pytest.mark.parametrize("name", ["answer", "Answers", "values", "value", "ANSWERS "])
def test_a_misspelt_answers_field_is_refused_not_read_as_close(name: str) -> None:
    # {"answer": "x"} decoded to Close (the unknown field ignored, "answers" absent): the
    # prompt the user meant to answer would be closed without a word.
    body = {"prompts": [{"key": "K@0@10", "type": "VALUE", name: "x"}]}
    with pytest.raises(DecodeError, match='did you mean "answers"'):
        rest.decode(body)
    with pytest.raises(DecodeError, match="is not a field the server reads"):
        rest.decode(json.dumps(body))


def test_definition_fields_beside_a_missing_answers_still_close() -> None:
    body = {"prompts": [{"key": "K@0@10", "type": "VALUE", "defaultAnswer": "x"}]}
    (answer,) = rest.decode(body)
    assert isinstance(answer, Close)


@pytest.mark.parametrize(
    "extra",
    [
        ["--definitions", "DEFS"],
        ["--definitions", "DEFS", "--missing", "default"],
        ["--missing", "default"],
        ["--project", "4CF6D88A4588097466A4B7B8851A161F", "--definitions", "DEFS"],
    ],
)
def test_link_without_answers_does_not_ignore_definitions(
    extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # link with --definitions (and --missing) but no ANSWERS_FILE printed a link without
    # answers, status 0: the options it was given did nothing, without a word.
    defs = tmp_path / "defs.json"
    defs.write_text('[{"key":"K@0@10","type":"VALUE","dataType":"DATE","required":true}]')
    extra = [str(defs) if a == "DEFS" else a for a in extra]
    base = "https://h/MicroStrategyLibrary" if "--project" in extra else "http://h/servlet/mstrWeb"
    target = "--dossier" if "--project" in extra else "--report"
    status = main(["link", "--base", base, target, "4CF6D88A4588097466A4B7B8851A161F", *extra])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and "--definitions FILE" in captured.err


_ROUNDS = '[[{"key":"K@0@10","values":["a"],"useDefault":false}]]'
_LIBRARY_LINK = (
    "https://h/MicroStrategyLibrary/app/4CF6D88A4588097466A4B7B8851A161F/"
    "4CF6D88A4588097466A4B7B8851A161F?prompts=" + urllib.parse.quote(_ROUNDS, safe="")
)


@pytest.mark.parametrize(
    "text",
    [_ROUNDS, urllib.parse.quote(_ROUNDS, safe=""), '{"answers":[]}', " [[]]"],
)
def test_links_parse_refuses_library_answers_without_a_path(text: str) -> None:
    # The rounds' JSON (raw or percent-encoded) parsed as a Web link with no answers;
    # the bare prompts= query was already refused (issue 20 item 3): the same class.
    with pytest.raises(DecodeError, match="no /app/"):
        links.parse(text)


def test_links_parse_reads_a_percent_encoded_library_link() -> None:
    # A whole Library link percent-encoded once parsed as a Web link with no answers.
    parsed = links.parse(urllib.parse.quote(_LIBRARY_LINK, safe=""))
    assert parsed == links.parse(_LIBRARY_LINK)
    assert isinstance(parsed, links.LibraryLink) and len(parsed.answers) == 1


def test_links_parse_still_reads_a_web_link_without_answers() -> None:
    parsed = links.parse("http://h/MicroStrategy/servlet/mstrWeb?evt=4001&reportID=X")
    assert isinstance(parsed, links.WebLink) and len(parsed.answers) == 0
