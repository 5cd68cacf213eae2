"""Issue 20 item 3: no silent or empty results.

An empty answer parameter means the same in all three Web parameters; a bare Library
query is a Library link; two answers for one prompt are refused in every decoder; a
link's answer mode and ``--missing`` say which wins; Library -> XML says the value types
are unknown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstr_prompts import definitions, url
from mstr_prompts.cli import main
from mstr_prompts.errors import NotRepresentableError
from mstr_prompts.model import AnswerSet, PromptFamily, Unanswered

FAMILIES = {
    "valuePromptAnswers": PromptFamily.VALUE,
    "elementsPromptAnswers": PromptFamily.ELEMENTS,
    "objectsPromptAnswers": PromptFamily.OBJECTS,
}


@pytest.mark.parametrize("param", sorted(FAMILIES))
def test_an_empty_answer_parameter_is_one_open_slot_in_all_three(param: str) -> None:
    answers = url.decode(f"evt=4001&{param}=")
    assert len(answers) == 1
    (slot,) = answers
    assert isinstance(slot, Unanswered) and slot.family is FAMILIES[param]
    assert url.encode(answers) == {param: ""}
    assert url.decode(url.encode_query(answers)) == answers


@pytest.mark.parametrize("param", sorted(FAMILIES))
def test_an_empty_answer_parameter_is_not_an_empty_rest_body(
    param: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    link = tmp_path / "link.txt"
    link.write_text(f"evt=4001&{param}=")
    assert main(["convert", "--from", "url", "--to", "rest", str(link)]) == 4
    captured = capsys.readouterr()
    assert captured.out == "" and "left open" in captured.err


def test_an_open_element_slot_beside_element_answers_is_refused() -> None:
    answers = url.decode(
        "elementsPromptAnswers=8D679D5111D3E4981000E787EC6DE8A4;8D679D5111D3E4981000E787EC6DE8A4:2014"
    )
    mixed = AnswerSet(answers=(*answers, Unanswered(family=PromptFamily.ELEMENTS)))
    with pytest.raises(NotRepresentableError, match="open"):
        url.encode(mixed)


def test_whatever_url_encode_writes_url_decode_reads() -> None:
    # The library writes "" for an empty set, which decode reads with allow_empty=True;
    # the command line, whose `--from url` refuses an empty query, says so instead.
    assert url.decode(url.encode_query(AnswerSet()), allow_empty=True) == AnswerSet()


def test_cli_refuses_to_write_an_empty_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "empty.json"
    body.write_text('{"prompts": []}')
    assert main(["convert", "--from", "rest", "--to", "url", str(body)]) == 4
    captured = capsys.readouterr()
    assert captured.out == "" and "no answer to write" in captured.err


def test_bind_drops_an_open_element_slot() -> None:
    defs = definitions.decode(
        '[{"key": "K@0@10", "type": "ELEMENTS", "source": {"id": "8D679D5111D3E4981000E787EC6DE8A4"}}]'
    )
    assert len(definitions.bind(url.decode("elementsPromptAnswers="), defs)) == 0


# --- a bare Library query is a Library answer set or an error, never a Web link ----------

BARE = "prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%222016%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"


@pytest.mark.parametrize(
    "link", [BARE, "?" + BARE, "https://h/MicroStrategyLibrary/?" + BARE, "x=1&" + BARE]
)
def test_links_parse_of_a_bare_library_query_is_an_error_with_a_hint(link: str) -> None:
    from mstr_prompts import library, links
    from mstr_prompts.errors import DecodeError

    with pytest.raises(DecodeError, match="Library answers") as info:
        links.parse(link)
    assert "mstr_prompts.library.decode" in str(info.value.hint)
    # the hint leads somewhere: the Library decoder reads the answers
    (answer,) = library.decode(link)
    assert answer.prompt.key == "K@0@10"


# --- two answers for one prompt key are refused in every decoder, naming the prompt ------

TWICE = {
    "xml": (
        "xml",
        '<rsl><pa did="X" pin="0" tp="10" pt="5">North</pa>'
        '<pa did="X" pin="0" tp="10" pt="5">South</pa></rsl>',
    ),
    "rest": (
        "rest",
        '{"prompts": [{"key": "X@0@10", "type": "VALUE", "answers": "North"},'
        ' {"key": "X@0@10", "type": "VALUE", "answers": "South"}]}',
    ),
    "library": (
        "library",
        '[[{"key":"X@0@10","values":["North"],"useDefault":false},'
        '{"key":"X@0@10","values":[],"useDefault":true}]]',
    ),
    "library-body": (
        "library",
        '{"answers": [{"key":"X@0@10","values":["North"]},{"key":"X@0@10","useDefault":true}]}',
    ),
    "url-xml": (
        "url",
        "promptsAnswerXML=%3Crsl%3E%3Cpa%20key%3D%22X%400%4010%22%20pt%3D%225%22%3ENorth"
        "%3C%2Fpa%3E%3Cpa%20key%3D%22X%400%4010%22%20pt%3D%225%22%3ESouth%3C%2Fpa%3E%3C%2Frsl%3E",
    ),
}


@pytest.mark.parametrize("case", sorted(TWICE))
def test_two_answers_for_one_prompt_are_carried_and_refused_at_encode(case: str) -> None:
    """Decoders carry both (REST's own answer-prompts sample repeats a placeholder key);
    every encoder refuses the set, naming the prompt."""
    import importlib

    from mstr_prompts import library, rest, xml

    fmt, text = TWICE[case]
    answers = importlib.import_module(f"mstr_prompts.{fmt}").decode(text)
    assert len(answers) == 2
    for encode in (rest.encode, xml.encode, library.encode):
        with pytest.raises(NotRepresentableError, match="prompt X@0@10: it is answered twice"):
            encode(answers)


@pytest.mark.parametrize("case", sorted(TWICE))
def test_cli_refuses_two_answers_for_one_prompt(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fmt, text = TWICE[case]
    source = tmp_path / "answers.txt"
    source.write_text(text)
    for target in ("rest", "xml", "library"):
        assert main(["convert", "--from", fmt, "--to", target, str(source)]) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "X@0@10: it is answered twice" in err


def test_a_nested_prompt_may_be_answered_again_in_a_later_library_round() -> None:
    from mstr_prompts import library

    text = (
        '[[{"key":"X@0@10","values":["North"],"useDefault":false}],'
        '[{"key":"X@0@10","values":["South"],"useDefault":false}]]'
    )
    answers = library.decode(text)
    assert answers.rounds == (1, 1)
    assert library.decode(library.encode(answers)) == answers


# --- a link's promptAnswerMode and --missing: the mode wins, the error says so -----------

MODE_DEFS = json.dumps(
    [
        {"key": "A@0@10", "name": "Year", "type": "VALUE", "required": True, "defaultAnswer": "7"},
        {"key": "B@0@10", "name": "Region", "type": "VALUE", "required": True},
        {"key": "C@0@10", "name": "Note", "type": "VALUE", "required": False},
    ]
)


def _cli(tmp_path: Path, link: str, *extra: str) -> tuple[int, str, str]:
    import subprocess
    import sys

    defs = tmp_path / "defs.json"
    defs.write_text(MODE_DEFS)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mstr_prompts",
            "convert",
            "--from",
            "url",
            "--to",
            "rest",
            "--definitions",
            str(defs),
            *extra,
        ],
        input=link.encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def test_the_links_mode_wins_and_the_error_says_so(tmp_path: Path) -> None:
    link = "valuePromptAnswers=^b^x&promptAnswerMode=2"
    status, _, err = _cli(tmp_path, link, "--missing", "default")
    assert status == 1 and err.count("\n") == 1
    assert "promptAnswerMode=2" in err and "whatever the missing policy says" in err
    # The hint works: dropping the mode and using what the hint names completes the set.
    assert "drop promptAnswerMode from the link and use --missing default" in err
    status, _, err = _cli(tmp_path, link.replace("&promptAnswerMode=2", ""), "--missing", "default")
    assert status == 0, err


def test_no_hint_offers_an_option_that_cannot_help(tmp_path: Path) -> None:
    # Region is required with no default: no --missing policy can answer it.
    status, _, err = _cli(tmp_path, "valuePromptAnswers=^^x", "--missing", "close")
    assert status == 1
    assert "--missing default" not in err


def test_the_hint_for_prompts_with_defaults_leads_somewhere(tmp_path: Path) -> None:
    # Year is required with a default; Region is answered.
    link = "valuePromptAnswers=^b^x&promptAnswerMode=2"
    status, _, err = _cli(tmp_path, link)
    assert status == 1 and "drop promptAnswerMode" in err and "--missing default" in err
    status, out, err = _cli(tmp_path, "valuePromptAnswers=^b^x", "--missing", "default")
    assert status == 0, err
    assert json.loads(out)["prompts"][0]["key"] == "A@0@10"


# --- Library -> XML: the value type is unknown, and the output says so ---------------------


def test_library_to_xml_warns_that_the_value_type_is_a_guess(tmp_path: Path) -> None:
    import subprocess
    import sys

    key = "A1B2C3D4E5F60718293A4B5C6D7E8F90@0@10"
    source = tmp_path / "link.json"
    source.write_text(json.dumps([[{"key": key, "values": ["2016"], "useDefault": False}]]))

    def convert(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "mstr_prompts",
                "convert",
                "--from",
                "library",
                "--to",
                "xml",
                *extra,
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    plain = convert()
    assert plain.returncode == 0 and 'pt="3"' in plain.stdout
    assert "warning: xml: the data type of 1 value answer is unknown" in plain.stderr
    assert "--definitions FILE" in plain.stderr
    # the hint leads somewhere: with the prompt's definition, its type is written, silently
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps([{"key": key, "type": "VALUE", "dataType": "NUMERIC"}]))
    typed = convert("--definitions", str(defs))
    assert typed.returncode == 0, typed.stderr
    assert typed.stderr == "" and 'pt="3"' not in typed.stdout


def test_the_mode_winning_over_missing_is_said_on_success_too(tmp_path: Path) -> None:
    # Year has a default; mode 1 uses it whatever --missing close says, and a warning says so.
    status, _, err = _cli(
        tmp_path, "valuePromptAnswers=^b^x&promptAnswerMode=1", "--missing", "close"
    )
    assert status == 0, err
    assert "warning: the link's promptAnswerMode=1 decides" in err
    assert "the missing policy 'close' is not used" in err and "--missing" in err
    # and following the hint (dropping the mode) makes --missing decide, silently
    status, _, err = _cli(tmp_path, "valuePromptAnswers=^b^x", "--missing", "default")
    assert status == 0 and err == ""
