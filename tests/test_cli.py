"""The command line behaves like a Unix tool."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mstr_prompts import cli, rest, xml
from mstr_prompts.cli import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_IO,
    EXIT_NOT_REPRESENTABLE,
    EXIT_USAGE,
    main,
)
from mstr_prompts.model import AnswerSet

FIXTURES = Path(__file__).parent.parent / "fixtures"
LIBRARY_XML = FIXTURES / "xml" / "library-hierarchy-key-lcl.xml"
CATEGORY_REST = FIXTURES / "rest" / "elements-category-books.json"


REPORT = "4CF6D88A4588097466A4B7B8851A161F"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run the real command in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def assert_one_line_error(
    result: subprocess.CompletedProcess[bytes], *needles: str, status: int = EXIT_BAD_INPUT
) -> None:
    assert result.returncode == status, result.stderr
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
    assert_one_line_error(
        run("convert", "--from", "url", "--to", "rest", stdin=query),
        "position",
        status=EXIT_NOT_REPRESENTABLE,
    )


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
        status=EXIT_IO,
    )
    assert_one_line_error(
        run("convert", "--from", "rest", "--to", "xml", stdin=b"\xff\xfe{}"), "not UTF-8"
    )


def test_unrepresentable_answer_names_the_prompt() -> None:
    body = {"prompts": [{"key": "K@0@10", "type": "VALUE", "useDefault": True}]}
    result = run("convert", "--from", "rest", "--to", "xml", stdin=json.dumps(body).encode())
    assert_one_line_error(result, "K@0@10", status=EXIT_NOT_REPRESENTABLE)


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
    assert_one_line_error(
        run("link", "--base", base, "--report", REPORT, "--mode", "3"), "mode", status=EXIT_USAGE
    )
    assert_one_line_error(
        run("link", "--base", "http://webserver/other", "--report", REPORT),
        "base",
        status=EXIT_USAGE,
    )


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


# --------------------------------------------------------------- the promises of issue 11

ONE_VALUE = (
    b'<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">W\xc3\xa9b</pa></rsl>'
)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("frobnicate",),
        ("convert", "--from", "xml"),
        ("convert", "--from", "yaml", "--to", "rest"),
        ("convert", "--from", "xml", "--to", "rest", "--bogus"),
        ("convert", "--from", "xml", "--to", "rest", "--indent", "x"),
        ("link", "--base", "http://h/MicroStrategy/servlet/mstrWeb"),
        (
            "link",
            "--base",
            "http://h/MicroStrategy/servlet/mstrWeb",
            "--report",
            REPORT,
            "--param",
            "x",
        ),
    ],
)
def test_usage_errors_are_one_line_with_status_2(args: tuple[str, ...]) -> None:
    assert_one_line_error(run(*args), status=EXIT_USAGE)


def test_help_lists_the_exit_codes() -> None:
    result = run("--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    for status in ("0", "1", "2", "3", "4", "5", "6", "70"):
        assert f"\n  {status:>3}  " in text
    assert "exit status" in run("convert", "--help").stdout.decode()


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "latin-1"])
def test_output_is_utf8_whatever_the_terminal(encoding: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run(
        [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"],
        input=ONE_VALUE,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Wéb" in result.stdout.decode("utf-8")
    bad = b'<rsl><pa pt="3" pin="0" did="X" tp="10">\xc3\xa9\xe2\x82\xac</pa>'
    failed = subprocess.run(
        [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"],
        input=bad,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert_one_line_error(failed)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_is_an_io_error() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"],
            input=ONE_VALUE,
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    assert result.returncode == EXIT_IO
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "disk is full" in err and "Traceback" not in err


class _ClosedPipe(io.BytesIO):
    def write(self, data: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_is_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Simulated in-process: some sandboxes never report EPIPE to a real child.
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(_ClosedPipe()))
    assert main(["convert", "--from", "xml", "--to", "xml", str(LIBRARY_XML)]) == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_unreadable_file_is_an_io_error(tmp_path: Path) -> None:
    assert_one_line_error(
        run("convert", "--from", "xml", "--to", "rest", str(tmp_path)),
        "cannot read",
        status=EXIT_IO,
    )


def test_internal_error_is_one_line_and_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(text: str) -> AnswerSet:
        raise KeyError("oops")

    monkeypatch.setitem(cli.DECODERS, "xml", broken)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ONE_VALUE)))
    assert main(["convert", "--from", "xml", "--to", "rest"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (KeyError" in err


def test_formats_are_case_insensitive() -> None:
    result = run("convert", "--from", "XML", "--to", "Rest", "--compact", stdin=ONE_VALUE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == (
        '{"prompts":[{"key":"2294C41E44244ADAED930CB4E00A9DA0@0@10","type":"VALUE",'
        '"answers":"Wéb"}]}\n'
    )


def test_indent_sets_the_layout() -> None:
    result = run("convert", "--from", "xml", "--to", "rest", "--indent", "4", stdin=ONE_VALUE)
    assert result.stdout.decode().startswith('{\n    "prompts": [\n        {')
    both = run("convert", "--from", "xml", "--to", "rest", "--indent", "4", "--compact")
    assert_one_line_error(both, status=EXIT_USAGE)


def test_convert_several_files_writes_json_lines(tmp_path: Path) -> None:
    one = tmp_path / "one.xml"
    one.write_bytes(ONE_VALUE)
    result = run("convert", "--from", "xml", "--to", "rest", str(one), str(LIBRARY_XML))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert lines == [
        {"file": str(one), "output": rest.encode(xml.decode(ONE_VALUE.decode()))},
        {"file": str(LIBRARY_XML), "output": rest.encode(xml.decode(LIBRARY_XML.read_text()))},
    ]
    as_xml = run("convert", "--from", "xml", "--to", "xml", str(one), str(one))
    assert [json.loads(line)["output"] for line in as_xml.stdout.decode().splitlines()] == [
        xml.encode(xml.decode(ONE_VALUE.decode()))
    ] * 2
    bad = tmp_path / "bad.xml"
    bad.write_text("<rsl><pa>")
    # The good file before the bad one is written; the message names the bad one.
    failed = run("convert", "--from", "xml", "--to", "rest", str(one), str(bad), str(one))
    assert failed.returncode == EXIT_BAD_INPUT
    assert [json.loads(line)["file"] for line in failed.stdout.decode().splitlines()] == [str(one)]
    err = failed.stderr.decode()
    assert err.count("\n") == 1 and err.startswith(f"mstr-prompts: error: {bad}: xml: ")


def test_inspect_prints_the_model_json() -> None:
    result = run("inspect", "--from", "XML", stdin=ONE_VALUE)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert AnswerSet.model_validate(document) == xml.decode(ONE_VALUE.decode())


def test_inspect_summary_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    assert main(["inspect", "--from", "rest", str(CATEGORY_REST)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "elements prompt 'Elements of Category' (key 76B7EBEE487913EF5C0A21975B577733@0@10): "
        "1 element: Books"
    )


def test_hints_use_the_cli_spelling() -> None:
    positional = b"valuePromptAnswers=a%5Eb"
    xml_to_url = (
        b'<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">a^b</pa></rsl>'
    )
    result = run("convert", "--from", "xml", "--to", "url", stdin=xml_to_url)
    assert_one_line_error(
        result, "(hint: encode with --fallback xml", status=EXIT_NOT_REPRESENTABLE
    )
    assert b"fallback=" not in result.stderr
    ok = run("convert", "--from", "xml", "--to", "url", "--fallback", "XML", stdin=xml_to_url)
    assert ok.returncode == 0 and ok.stdout.startswith(b"promptsAnswerXML=")
    # URL answers have no key: the hint is to bind them, spelled as the option.
    to_rest = run("convert", "--from", "url", "--to", "rest", stdin=positional)
    assert_one_line_error(to_rest, "--definitions FILE", status=EXIT_NOT_REPRESENTABLE)
    assert b"mstr_prompts." not in to_rest.stderr
    locale = b'<rsl lcl="1031"><pa key="A1B8DB554346F27B715C97A2ADF654FA@0@10">1,5</pa></rsl>'
    warned = run("convert", "--from", "xml", "--to", "rest", stdin=locale)
    assert b"--ignore-locale" in warned.stderr and b"ignore_locale" not in warned.stderr


def test_assume_order_hint(tmp_path: Path) -> None:
    body = {
        "prompts": [
            {"key": "A1B8DB554346F27B715C97A2ADF654FA@0@10", "type": "VALUE", "answers": "x"}
        ]
    }
    # REST answers have keys but no positions: the URL needs positions.
    result = run("convert", "--from", "rest", "--to", "url", stdin=json.dumps(body).encode())
    assert_one_line_error(result, "--assume-order", status=EXIT_NOT_REPRESENTABLE)


def test_link_param_adds_web_parameters() -> None:
    result = run(
        "link",
        "--base",
        "http://webserver/MicroStrategy/servlet/mstrWeb",
        "--report",
        "4CF6D88A4588097466A4B7B8851A161F",
        "--param",
        "Server=bi.example.com",
        "--param",
        "Project=MicroStrategy Tutorial",
        "--param",
        "Port=0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == (
        "http://webserver/MicroStrategy/servlet/mstrWeb?evt=4001&src=mstrWeb.4001"
        "&reportID=4CF6D88A4588097466A4B7B8851A161F&Server=bi.example.com"
        "&Project=MicroStrategy%20Tutorial&Port=0\n"
    )


# --- issue 13: the inputs that crashed the CLI are bad input, one line, no traceback ---

_XML_LINK = ("--report", REPORT, "--from", "xml", "-")


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
    # A base given with --base is a bad option (usage); bad answer input is bad input.
    expected = cli.EXIT_USAGE if args[0] == "link" else cli.EXIT_BAD_INPUT
    assert result.returncode == expected, result.stderr
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err and needle in err


def test_link_refuses_what_it_cannot_use() -> None:
    base = "http://webserver/MicroStrategy/servlet/mstrWeb"
    # An object ID is 32 hex digits; "XYZ" once went into reportID unchecked.
    assert_one_line_error(
        run("link", "--base", base, "--report", "XYZ"), "32-hex-digit", status=EXIT_USAGE
    )
    # A Web link has no Library part: --library-form was accepted and ignored.
    result = run("link", "--base", base, "--report", REPORT, "--library-form", "param")
    assert_one_line_error(result, "--library-form", status=EXIT_USAGE)
