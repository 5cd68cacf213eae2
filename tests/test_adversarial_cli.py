"""Issue 11's hostile inputs through the API and the CLI (a withheld-set rehearsal).

Garbage, Library links, escaped and near-miss links, hostile and oversized inputs get a
precise DecodeError or the right answers, never an empty answer set; the CLI gives one
line on stderr, no traceback, and the documented exit status for each, from a file or
from standard input.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mstr_prompts import cli, url, xml
from mstr_prompts.cli import EXIT_BAD_INPUT, EXIT_IO, EXIT_NOT_REPRESENTABLE, EXIT_OK, main
from mstr_prompts.errors import DecodeError

G = "4CF6D88A4588097466A4B7B8851A161F"
ATTR = "8D679D3711D3E4981000E787EC6DE8A4"
VALUE_XML = f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">é</pa></rsl>'
Q = (
    "%3Crsl%3E%3Cpa%20pt%3D%223%22%20pin%3D%220%22%20did%3D%22"
    + G
    + "%22%20tp%3D%2210%22%3Ex%3C%2Fpa%3E%3C%2Frsl%3E"
)

# (input, what the error must say) for text that holds no answers the URL codec can read.
NO_ANSWERS = [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ('{"prompts": []}', "JSON"),
    ("[[1]]", "JSON"),
    (VALUE_XML, "XML"),
    ("%3Crsl%3E%3C%2Frsl%3E", "XML"),
    ("hello world", "no query parameters"),
    ("The report ran fine.\n", "no query parameters"),
    (f"https://h/MicroStrategyLibrary/app/{G}/{ATTR}?prompts=%5B%5B%5D%5D", "Library link"),
    ("prompts=%5B%5B%5D%5D", "Library link"),
    ("mstrWeb?evt=4001&elementPromptAnswers=x", "elementsPromptAnswers"),
    ("mstrWeb?evt=4001&valuePromptAnswer=x", "valuePromptAnswers"),
    ("mstrWeb?evt=4001&objectPromptAnswers=x", "objectsPromptAnswers"),
    ("mstrWeb?evt=4001&promptsAnswerXm=x", "promptsAnswerXML"),
    ("mstrWeb?evt=4001&valuePromptAnswers=a&elementPromptAnswers=x", "elementsPromptAnswers"),
    ("mstrWeb%253Fevt%253D4001%2526valuePromptAnswers%253Da", "percent-encoded twice"),
    ("mstrWeb?evt=4001&reportID=" + G, "no prompt-answer parameter"),
    ("a=1&b=2", "no prompt-answer parameter"),
    ("=&=&=", "no prompt-answer parameter"),
]


@pytest.mark.parametrize(("text", "says"), NO_ANSWERS)
def test_url_decode_never_returns_an_empty_set(text: str, says: str) -> None:
    with pytest.raises(DecodeError, match=says):
        url.decode(text)


ANSWERED = [
    (f"mstrWeb?evt=4001&amp;valuePromptAnswers=a%5Eb&amp;reportID={G}", ["a", "b"]),
    ("mstrWeb%3Fevt%3D4001%26valuePromptAnswers%3Da%255Eb", ["a", "b"]),
    ("mstrWeb?VALUEPROMPTANSWERS=a", ["a"]),
    ("mstrWeb?valuepromptanswerſ=a", ["a"]),
    (f"taskProc?taskId=reportExecute&promptAnswerXML={Q}", ["x"]),
    ("valuePromptAnswers=a\n&\nvaluePromptAnswers=a", ["a"]),
]


@pytest.mark.parametrize(("text", "values"), ANSWERED)
def test_url_decode_reads_what_is_unambiguous(text: str, values: list[str]) -> None:
    answers = url.decode(text)
    assert [a.value for a in answers] == values  # type: ignore[union-attr]


# --- the CLI, in process: one line, the documented status, from a file and from stdin --


def _run(argv: list[str], stdin: bytes = b"") -> tuple[int, bytes, bytes]:
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    sys.stdout = io.TextIOWrapper(out, encoding="ascii")
    sys.stderr = io.TextIOWrapper(err, encoding="ascii")
    try:
        status = main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        return status, out.getvalue(), err.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _assert_one_line(err: bytes) -> None:
    assert err.count(b"\n") == 1 and err.startswith(b"mstr-prompts: error: "), err
    assert b"Traceback" not in err


CLI_BAD = [
    (b"", "url"),
    (b"  \n", "auto"),
    (b"hello", "auto"),
    (b"hello", "url"),
    (b'{"a": 1}', "auto"),
    (b'{"a": 1}', "url"),
    (b"<foo/>", "auto"),
    (b"<foo/>", "url"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "auto"),
    (b"\xff\xfe\x00garbage", "url"),
    (b"\xc3\x28", "rest"),
    (b"[" * 100_000, "rest"),
    (b"[" * 100_000, "auto"),
    (b"<a>" * 100_000, "xml"),
    (b"{" * 10_000, "library"),
    (b"mstrWeb?evt=4001&elementPromptAnswers=x", "auto"),
    (b"mstrWeb?evt=4001&elementPromptAnswers=x", "url"),
    (b"mstrWeb%253Fevt%253D4001%2526valuePromptAnswers%253Da", "auto"),
    (b"mstrWeb?valuePromptAnswers=%ED%A0%80", "url"),
    (b'{"prompts":[{"key":"K","type":"VALUE","answers":"\\ud800"}]}', "rest"),
    (b'{"prompts":[{"key":"K","type":"VALUE","answers":"\\ud800"}]}', "auto"),
    (
        b'{"prompts":[{"key":"K","type":"OBJECTS","answers":[{"id":"x","type":'
        + b"9" * 5000
        + b"}]}]}",
        "rest",
    ),
    (f'<rsl lcl="{"9" * 5000}"><pa pt="3" pin="0" did="{G}" tp="10">x</pa></rsl>'.encode(), "xml"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?>' + VALUE_XML.encode(), "xml"),
    (b'<?xml version="1.0" encoding="UTF-7"?>' + VALUE_XML.encode(), "auto"),
    (b"https://[::1/MicroStrategyLibrary/app/x", "auto"),
    (b"prompts=" + b"%5B" * 1000, "library"),
]


@pytest.mark.parametrize(("data", "fmt"), CLI_BAD)
@pytest.mark.parametrize("command", ["convert", "inspect"])
def test_cli_bad_input_is_one_line_and_status_3(
    data: bytes, fmt: str, command: str, tmp_path: Path
) -> None:
    extra = ["--to", "rest"] if command == "convert" else []
    status, out, err = _run([command, "--from", fmt, *extra, "-"], stdin=data)
    assert (status, out) == (EXIT_BAD_INPUT, b""), err
    _assert_one_line(err)
    path = tmp_path / "input"
    path.write_bytes(data)
    assert _run([command, "--from", fmt, *extra, str(path)])[:2] == (EXIT_BAD_INPUT, b"")


def test_cli_validate_and_link_bad_input_is_status_3(tmp_path: Path) -> None:
    defs = tmp_path / "defs.json"
    defs.write_text(f'[{{"key":"{G}@0@10","type":"VALUE","dataType":"Text","required":true}}]')
    for argv in (
        ["validate", "--definitions", str(defs), "--from", "url", "-"],
        ["link", "--base", "mstrWeb", "--report", G, "--from", "url", "-"],
    ):
        status, out, err = _run(argv, stdin=b"mstrWeb?evt=4001&elementPromptAnswers=x")
        assert (status, out) == (EXIT_BAD_INPUT, b"")
        _assert_one_line(err)


def test_cli_reads_xml_files_in_their_declared_encoding(tmp_path: Path) -> None:
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + VALUE_XML.encode("latin-1")
    path = tmp_path / "latin.xml"
    path.write_bytes(data)
    expected = xml.decode(data)
    for fmt in ("xml", "auto", "XML"):
        status, out, err = _run(["convert", "--from", fmt, "--to", "rest", "--compact", str(path)])
        assert (status, err) == (EXIT_OK, b"")
        assert (
            out.decode("utf-8")
            == '{"prompts":[{"key":"' + G + '@0@10","type":"VALUE","answers":"é"}]}\n'
        )
    assert _run(["inspect", "--from", "xml", "-"], stdin=data)[0] == EXIT_OK
    assert expected[0].value == "é"  # type: ignore[union-attr]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_cli_reads_xml_in_unicode_encodings(encoding: str) -> None:
    status, out, err = _run(
        ["convert", "--from", "auto", "--to", "xml", "-"], stdin=VALUE_XML.encode(encoding)
    )
    assert (status, err) == (EXIT_OK, b"")
    assert out.decode("utf-8").strip() == VALUE_XML


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"mstrWeb%3Fevt%3D4001%26valuePromptAnswers%3Da", EXIT_NOT_REPRESENTABLE),
        (f"taskProc?taskId=x&promptAnswerXML={Q}".encode(), EXIT_OK),
        (
            f"mstrWeb?evt=4001&amp;valuePromptAnswers=a&amp;reportID={G}".encode(),
            EXIT_NOT_REPRESENTABLE,
        ),
    ],
)
def test_cli_auto_reads_escaped_and_task_api_links(data: bytes, status: int) -> None:
    # Positional value answers cannot be REST (status 4): they were read, not refused.
    code, _, err = _run(["convert", "--from", "auto", "--to", "rest", "-"], stdin=data)
    assert code == status, err
    if status != EXIT_OK:
        _assert_one_line(err)
        assert b"positional" in err


def test_cli_unreadable_files_are_io_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"
    status, out, err = _run(["convert", "--from", "xml", "--to", "rest", str(missing)])
    assert (status, out) == (EXIT_IO, b"")
    _assert_one_line(err)
    status, _, err = _run(["convert", "--from", "xml", "--to", "rest", str(tmp_path)])
    assert status == EXIT_IO
    _assert_one_line(err)
    if os.geteuid() != 0:
        locked = tmp_path / "locked.xml"
        locked.write_text(VALUE_XML)
        locked.chmod(0)
        status, _, err = _run(["convert", "--from", "xml", "--to", "rest", str(locked)])
        assert status == EXIT_IO
        _assert_one_line(err)


# --- the real command: terminal encodings, closed pipes, a full disk -------------------


def _child(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None, **kw: Any) -> Any:
    streams = kw or {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
        **streams,
    )


@pytest.mark.parametrize(
    "env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}]
)
def test_output_is_utf8_whatever_the_terminal(env: dict[str, str]) -> None:
    result = _child(
        "convert", "--from", "xml", "--to", "rest", "--compact", stdin=VALUE_XML.encode(), env=env
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert "é" in result.stdout.decode("utf-8")
    bad = _child(
        "convert",
        "--from",
        "url",
        "--to",
        "rest",
        stdin="mstrWeb?élémentPromptAnswers=é".encode(),
        env=env,
    )
    assert bad.returncode == EXIT_BAD_INPUT
    assert bad.stderr.count(b"\n") == 1 and b"Traceback" not in bad.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line_and_status_6() -> None:
    with open("/dev/full", "wb") as full:
        result = _child(
            "convert",
            "--from",
            "xml",
            "--to",
            "rest",
            stdin=VALUE_XML.encode(),
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert result.returncode == EXIT_IO
    assert result.stderr.count(b"\n") == 1 and b"full" in result.stderr


def test_a_closed_pipe_is_quiet() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader went away before the first byte (as `| head` may)
    try:
        result = _child(
            "convert",
            "--from",
            "xml",
            "--to",
            "rest",
            stdin=VALUE_XML.encode(),
            stdout=write_end,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    assert result.returncode == cli.EXIT_BROKEN_PIPE
    assert result.stderr == b""


# --- every byte or an error (found on a fresh clone: a short write passed for success) ---

_BIG_XML = (
    "<rsl>"
    + "".join(
        # one prompt each: no encoder writes two answers for one prompt (issue 20 item 3)
        f'<pa pt="3" pin="0" did="{i:032X}" tp="10">v{i}</pa>'
        for i in range(4000)
    )
    + "</rsl>"
).encode()


def test_a_short_write_is_repeated_and_a_failure_midway_is_status_6(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a nearly full disk does: the first write stores part of the data, the next fails.
    source = tmp_path / "big.xml"
    source.write_bytes(_BIG_XML)
    calls: list[int] = []

    def short_then_full(descriptor: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return 65536
        raise OSError(28, "No space left on device")

    with open(tmp_path / "out.json", "wb") as out:
        stdout = io.TextIOWrapper(out, encoding="ascii")
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(os, "write", short_then_full)
        status = main(["convert", "--from", "xml", "--to", "rest", str(source)])
    assert status == EXIT_IO and len(calls) == 2 and calls[1] == calls[0] - 65536
    assert capsys.readouterr().err.endswith("cannot write standard output: the disk is full\n")


def test_short_writes_are_repeated_until_all_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:1000])))
    source = tmp_path / "big.xml"
    source.write_bytes(_BIG_XML)
    with open(tmp_path / "out.xml", "wb") as out:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="ascii"))
        assert main(["convert", "--from", "xml", "--to", "xml", str(source)]) == EXIT_OK
    assert xml.decode((tmp_path / "out.xml").read_bytes()) == xml.decode(_BIG_XML)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["--version"]])
def test_help_and_version_on_a_full_disk_are_status_6(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = _child(*args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == EXIT_IO
    assert result.stderr.count(b"\n") == 1 and b"full" in result.stderr


@pytest.mark.parametrize(
    ("closed", "says"),
    [(1, b"standard output: it is closed"), (0, b"standard input: it is closed")],
)
def test_a_closed_standard_stream_is_status_6(closed: int, says: bytes, tmp_path: Path) -> None:
    # `>&-` / `<&-`: the process starts without the descriptor, and Python's stream is None.
    source = tmp_path / "a.xml"
    source.write_bytes(VALUE_XML.encode())
    result = subprocess.run(
        [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"]
        + (["-"] if closed == 0 else [str(source)]),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL if closed == 0 else None,
        preexec_fn=lambda: os.close(closed),
        check=False,
        timeout=120,
    )
    assert result.returncode == EXIT_IO
    assert result.stderr.count(b"\n") == 1 and says in result.stderr


def test_the_library_never_prints_its_log_by_itself() -> None:
    # A cleanup warning once reached stderr through logging's last-resort handler, as a
    # second line beside the CLI's one; an application that configures logging still sees it.
    script = (
        "import logging, mstr_prompts.client; "
        "logging.getLogger('mstr_prompts.client').warning('could not delete')"
    )
    quiet = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert quiet.returncode == 0 and quiet.stderr == b""
    configured = subprocess.run(
        [sys.executable, "-c", "import logging; logging.basicConfig(); " + script],
        capture_output=True,
        check=False,
    )
    assert b"could not delete" in configured.stderr


def test_a_file_name_that_is_not_utf8_is_shown_as_its_bytes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = os.fsdecode(b"/nonexistent/\xff.xml")
    assert main(["convert", "--from", "xml", "--to", "rest", name]) == EXIT_IO
    assert "/nonexistent/\\xff.xml" in capsys.readouterr().err
