"""No silent empties, and size limits (issue 11): a decoder never reads what it does not
recognise as "no answers", and refuses runaway input at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mstr_prompts import links, rest, url
from mstr_prompts.cli import EXIT_BAD_INPUT
from mstr_prompts.errors import DecodeError, Hint
from mstr_prompts.model import AnswerSet

GUID = "2294C41E44244ADAED930CB4E00A9DA0"
LINK = "http://h/MicroStrategy/servlet/mstrWeb?evt=4001&src=mstrWeb.4001&valuePromptAnswers=a%5Eb"
LIBRARY = (
    "https://h/MicroStrategyLibrary/app/B7CA92F04B9FAE8D941C3E9B7E0CD754/"
    "27D332AC6D43352E0928B9A1FCAF4AB0?prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%7D%5D%5D"
)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        (" \n\t", "empty"),
        ('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "1"}]}', "REST answer body"),
        ("[1, 2]", "JSON"),
        (f'<rsl><pa pt="3" pin="0" did="{GUID}" tp="10">x</pa></rsl>', "prompt-answer XML"),
        ("<html><body>hi</body></html>", "XML or HTML"),
        ("hello world", "no query parameters"),
        ("http://h/MicroStrategy/servlet/mstrWeb", "no query parameters"),
        ("mstrWeb?evt", "not a query string"),
        (LIBRARY, "Library link"),
        ("mstrWeb?evt=4001&reportID=X", "'evt', 'reportID'"),
        ("mstrWeb?evt=4001&elementPromptAnswers=X", "did you mean elementsPromptAnswers"),
        ("valuePromptAnswer=1", "did you mean valuePromptAnswers"),
        ("promptAnswersXML=%3Crsl%3E", "did you mean promptsAnswerXML"),
        ("objectPromptAnswers=x", "did you mean objectsPromptAnswers"),
        ("promptsAnswerMode=1", "did you mean promptAnswerMode"),
    ],
)
def test_text_without_answer_parameters_is_an_error(text: str, says: str) -> None:
    with pytest.raises(DecodeError) as info:
        url.decode(text)
    assert says in str(info.value)
    assert str(info.value).startswith("url: ")


def test_mappings_without_answer_parameters_are_errors() -> None:
    with pytest.raises(DecodeError, match="mapping is empty"):
        url.decode({})
    with pytest.raises(DecodeError, match="did you mean valuePromptAnswers"):
        url.decode({"valuepromptanswer": "1"})


def test_hints_name_the_codec_that_reads_it() -> None:
    with pytest.raises(DecodeError) as info:
        url.decode('{"prompts": []}')
    hint = info.value.hint
    assert isinstance(hint, Hint) and hint.cli() == "read it as --from rest"
    assert "mstr_prompts.rest.decode" in str(hint)


def test_links_without_answers_are_fine_where_asked_for() -> None:
    link = "http://h/MicroStrategy/servlet/mstrWeb?evt=4001&src=mstrWeb.4001&reportID=X"
    assert links.parse(link).answers == AnswerSet()
    assert url.decode(link, allow_empty=True) == AnswerSet()


def test_html_escaped_links_are_read() -> None:
    escaped = LINK.replace("&", "&amp;")
    assert url.decode(escaped) == url.decode(LINK)
    assert links.parse(escaped).answers == url.decode(LINK)
    assert [v for n, v in links.parse(escaped).params] == ["4001", "mstrWeb.4001"]


def test_amp_is_not_unescaped_beside_a_bare_ampersand() -> None:
    # A bare & exists: "&amp;" is then the pair "amp;…", which carries no answers.
    mixed = "evt=4001&valuePromptAnswers=a&amp;b=c"
    assert [getattr(a, "value", None) for a in url.decode(mixed)] == ["a"]


def test_a_percent_encoded_link_is_read_once() -> None:
    encoded = urllib_quote(LINK)
    assert url.decode(encoded) == url.decode(LINK)
    # Twice encoded is not read as answers: its decoding is itself still encoded.
    with pytest.raises(DecodeError):
        url.decode(urllib_quote(encoded))


def urllib_quote(text: str) -> str:
    import urllib.parse

    return urllib.parse.quote(text, safe="")


def test_task_api_prompt_answer_xml() -> None:
    xml_text = f'<rsl><pa pt="3" pin="0" did="{GUID}" tp="10">x</pa></rsl>'
    import urllib.parse

    query = "taskId=answerPrompts&promptAnswerXML=" + urllib.parse.quote(xml_text)
    answers = url.decode(query)
    assert [getattr(a, "value", None) for a in answers] == ["x"]
    assert url.decode("promptsAnswerXML=" + urllib.parse.quote(xml_text)) == answers
    # Both names at once, with different XML: ambiguous.
    other = xml_text.replace(">x<", ">y<")
    both = query + "&promptsAnswerXML=" + urllib.parse.quote(other)
    with pytest.raises(DecodeError, match="more than once"):
        url.decode(both)
    # encode writes the Web name.
    assert list(url.encode(answers, fallback="xml")) == ["promptsAnswerXML"]


def test_errors_inside_promptsanswerxml_have_one_prefix() -> None:
    with pytest.raises(DecodeError) as info:
        url.decode("promptsAnswerXML=%3Crsl%3E%3Cpa%3E")
    text = str(info.value)
    assert text.startswith("url: promptsAnswerXML: not well-formed")
    assert "xml: " not in text


@pytest.mark.parametrize(
    "stdin",
    [b"", b'{"prompts": []}', b"<rsl></rsl>", LIBRARY.encode(), b"elementPromptAnswers=x"],
)
def test_cli_refuses_with_one_line_and_status_3(stdin: bytes) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mstr_prompts", "convert", "--from", "url", "--to", "rest"],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stdout == b""
    assert result.stderr.count(b"\n") == 1 and result.stderr.startswith(b"mstr-prompts: error: ")
    assert b"mstr_prompts." not in result.stderr  # hints in the CLI's spelling


# ---------------------------------------------------------------------------- limits


def test_url_and_rest_have_size_limits() -> None:
    big = "valuePromptAnswers=" + "x" * url.MAX_URL_CHARS
    with pytest.raises(DecodeError, match="over the 33554432-character limit"):
        url.decode(big)
    with pytest.raises(DecodeError, match="over the 33554432-character limit"):
        url.decode({"valuePromptAnswers": "x" * url.MAX_URL_CHARS + "x"})
    body = '{"prompts": [' + " " * rest.MAX_REST_CHARS + "]}"
    with pytest.raises(DecodeError, match="over the 33554432-character limit"):
        rest.decode(body)
    with pytest.raises(DecodeError, match="over the 33554432-byte limit"):
        rest.decode(body.encode())


def test_limits_admit_20_mb() -> None:
    size = 20_000_000
    assert len(url.decode("valuePromptAnswers=" + "x" * (size - 19))) == 1
    assert len(rest.decode('{"prompts": [' + " " * (size - 16) + "]}")) == 0
