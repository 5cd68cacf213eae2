"""The command line behaves like a Unix tool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mstr_prompts import rest, xml
from mstr_prompts.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
LIBRARY_XML = FIXTURES / "xml" / "library-hierarchy-key-lcl.xml"
CATEGORY_REST = FIXTURES / "rest" / "elements-category-books.json"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], *needles: str) -> None:
    assert result.returncode == 2
    assert result.stdout == b""
    err = result.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("mstr-prompts: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_convert_xml_file_to_pretty_rest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "--from", "xml", "--to", "rest", str(LIBRARY_XML)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{\n  "prompts": [\n')
    assert json.loads(out) == rest.encode(xml.decode(LIBRARY_XML.read_text()))


def test_convert_reads_stdin_and_writes_xml() -> None:
    result = run("convert", "--from", "rest", "--to", "xml", stdin=CATEGORY_REST.read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == (
        '<rsl><pa pt="7" pin="0" did="76B7EBEE487913EF5C0A21975B577733" tp="10"><mi><es>'
        '<at did="8D679D3711D3E4981000E787EC6DE8A4" tp="12"></at>'
        '<e ei="8D679D3711D3E4981000E787EC6DE8A4:1" emt="1" art="1" disp_n="Books"></e>'
        "</es></mi></pa></rsl>\n"
    )


def test_convert_url_to_url_and_to_rest() -> None:
    query = b"valuePromptAnswers=South%5e1/1/2003"
    result = run("convert", "--from", "url", "--to", "url", stdin=query)
    assert result.returncode == 0 and result.stdout == b"valuePromptAnswers=South%5E1%2F1%2F2003\n"
    assert_one_line_error(run("convert", "--from", "url", "--to", "rest", stdin=query), "position")


def test_bad_xml_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text('<rsl><pa pt="3" pin="0" did="X" tp="10">oops</rsl>')
    assert_one_line_error(run("convert", "--from", "xml", "--to", "rest", str(bad)), "line 1")


def test_hostile_xml_is_refused() -> None:
    payload = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rsl>&x;</rsl>'
    result = run("convert", "--from", "xml", "--to", "rest", stdin=payload)
    assert_one_line_error(result, "DTD")
    assert b"root:" not in result.stdout + result.stderr


def test_unreadable_and_non_utf8_input(tmp_path: Path) -> None:
    assert_one_line_error(
        run("convert", "--from", "rest", "--to", "xml", str(tmp_path / "missing.json")),
        "cannot read",
    )
    assert_one_line_error(
        run("convert", "--from", "rest", "--to", "xml", stdin=b"\xff\xfe{}"), "not UTF-8"
    )


def test_unrepresentable_answer_names_the_prompt() -> None:
    body = {"prompts": [{"key": "K@0@10", "type": "VALUE", "useDefault": True}]}
    result = run("convert", "--from", "rest", "--to", "xml", stdin=json.dumps(body).encode())
    assert_one_line_error(result, "K@0@10")


def test_link_command_builds_a_web_link() -> None:
    query = b"elementsPromptAnswers=54BABC8311D59D57C000B28A4CC5F24F;54BABC8311D59D57C000B28A4CC5F24F:3%5eConnecticut"
    result = run(
        "link",
        "--base",
        "http://webserver/MicroStrategy/servlet/mstrWeb",
        "--document",
        "B9800BBC42B65FD064717BB94AF0B44B",
        "--from",
        "url",
        "--mode",
        "2",
        "-",
        stdin=query,
    )
    assert result.returncode == 0, result.stderr
    link = result.stdout.decode().strip()
    assert link.startswith(
        "http://webserver/MicroStrategy/servlet/mstrWeb?evt=2048001&src=mstrWeb.2048001"
        "&documentID=B9800BBC42B65FD064717BB94AF0B44B"
    )
    assert "54BABC8311D59D57C000B28A4CC5F24F:3%5EConnecticut" in link
    assert link.endswith("promptAnswerMode=2")


def test_link_rejects_unknown_mode_and_base() -> None:
    base = "http://webserver/MicroStrategy/servlet/mstrWeb"
    assert_one_line_error(run("link", "--base", base, "--report", "R", "--mode", "3"), "mode")
    assert_one_line_error(run("link", "--base", "http://webserver/other", "--report", "R"), "base")


def test_locale_warning_is_one_stderr_line_and_success() -> None:
    payload = b'<rsl lcl="1031"><pa key="A1B8DB554346F27B715C97A2ADF654FA@0@10">1,5</pa></rsl>'
    result = run("convert", "--from", "xml", "--to", "rest", stdin=payload)
    assert result.returncode == 0
    assert json.loads(result.stdout)["prompts"][0]["answers"] == "1,5"
    err = result.stderr.decode()
    assert err.startswith("mstr-prompts: warning: ") and err.count("\n") == 1
    assert "1031" in err
    quiet = run("convert", "--from", "xml", "--to", "rest", "--ignore-locale", stdin=payload)
    assert quiet.returncode == 0 and quiet.stderr == b""


# --- issue 13: the inputs that crashed the CLI are bad input, one line, no traceback ---

_XML_LINK = ("--report", "R", "--from", "xml", "-")


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (
            ("convert", "--from", "rest", "--to", "url", "-"),
            b'{"prompts":[{"key":"K","type":"VALUE","answers":"\\ud800"}]}',
            "lone surrogate",
        ),
        (
            ("convert", "--from", "xml", "--to", "rest", "-"),
            b'<rsl lcl="' + b"9" * 5000 + b'"></rsl>',
            "out of range",
        ),
        (
            ("link", "--base", "http://[::1/servlet/mstrWeb", *_XML_LINK),
            b"<rsl></rsl>",
            "malformed host",
        ),
        (
            ("link", "--base", "x=1&valuePromptAnswers=EVIL/servlet/mstrWeb", *_XML_LINK),
            b"<rsl></rsl>",
            "read as a query string",
        ),
    ],
)
def test_hostile_inputs_are_bad_input_not_internal_errors(
    args: tuple[str, ...], stdin: bytes, needle: str
) -> None:
    from mstr_prompts import cli

    result = run(*args, stdin=stdin)
    assert result.returncode == cli.EXIT_BAD_INPUT, result.stderr
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err and needle in err
