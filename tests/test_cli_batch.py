"""``convert`` over many files and records: JSON Lines, identifiers, --keep-going, --jobs,
limits, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from mstr_prompts import library, rest, url, xml
from mstr_prompts.cli import (
    EXIT_BAD_INPUT,
    EXIT_NOT_REPRESENTABLE,
    EXIT_OK,
    EXIT_RECORDS_FAILED,
    EXIT_TOO_LARGE,
    EXIT_USAGE,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
KEYED_XML = "<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>Web</pa></rsl>"
REST_BODY = {"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "2016"}]}
LIBRARY_BODY = {"answers": [{"key": "L@0@10", "values": ["7"], "useDefault": False}]}
LIBRARY_LINK = (
    "https://host/MicroStrategyLibrary/app/B7CA92F04B9FAE8D941C3E9B7E0CD754/27D3A2AD4E0E4E8B7B8A8D8C8E7E6D5C?prompts="
    + urllib.parse.quote(
        json.dumps([[{"key": "M@0@10", "values": ["x"], "useDefault": False}]]), safe=""
    )
)
XML_IN_URL = "promptsAnswerXML=" + urllib.parse.quote(KEYED_XML, safe="")


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


# The peak resident memory of a command, measured from a fresh, small launcher: a child
# forked straight from this (large) test process would count the test's own pages in its
# ru_maxrss, since fork and vfork hand the parent's high-water mark to the child.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "process = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(process.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss * 1024))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run_measured(command: list[str], peak_file: Path) -> tuple[int, bytes, bytes, int]:
    """Run ``command``; its exit status, output, errors and peak resident bytes."""
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(peak_file), *command],
        capture_output=True,
        check=False,
        timeout=120,
    )
    return result.returncode, result.stdout, result.stderr, int(peak_file.read_text())


def lines_of(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    text = result.stdout.decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def rest_of(text: str) -> Any:
    """The REST body the codecs give for one record, as the CLI writes it."""
    for decode in (xml.decode, rest.decode, url.decode, library.decode):
        try:
            return rest.encode(decode(text.strip()), ignore_locale=True)
        except ValueError:
            continue
    raise AssertionError(text)


# ------------------------------------------------------------------- every record form


def test_jsonl_records_of_every_format(tmp_path: Path) -> None:
    texts = [KEYED_XML, urllib.parse.quote(KEYED_XML, safe=""), XML_IN_URL, LIBRARY_LINK]
    objects: list[Any] = [REST_BODY, LIBRARY_BODY]
    path = tmp_path / "records.jsonl"
    path.write_text(
        "".join(json.dumps(t) + "\n" for t in texts)
        + "".join(json.dumps(o) + "\n" for o in objects)
    )
    result = run("convert", "--from", "auto", "--to", "rest", "--records", "jsonl", str(path))
    assert result.returncode == EXIT_OK, result.stderr
    got = lines_of(result)
    assert [line["line"] for line in got] == [1, 2, 3, 4, 5, 6]
    assert all(line["file"] == str(path) for line in got)
    assert [line["output"] for line in got[:4]] == [rest_of(t) for t in texts]
    assert got[4]["output"] == REST_BODY
    assert got[5]["output"] == rest_of(json.dumps(LIBRARY_BODY))
    # Each target, one line per record whatever the input's layout.
    for target in ("xml", "url", "library"):
        extra = ["--fallback", "xml"] if target == "url" else []
        out = run(
            "convert", "--from", "auto", "--to", target, *extra, "--records", "jsonl", str(path)
        )
        assert out.returncode == EXIT_OK, out.stderr
        assert len(lines_of(out)) == 6


def test_csv_records_of_every_format(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rest_text = json.dumps(REST_BODY, indent=2)  # several lines in one quoted field
    cells = [KEYED_XML, XML_IN_URL, LIBRARY_LINK, rest_text, urllib.parse.quote_plus(KEYED_XML)]
    rows = ["name,answers"] + [
        f'sub-{n},"{cell.replace(chr(34), chr(34) * 2)}"' for n, cell in enumerate(cells)
    ]
    path.write_bytes("\r\n".join(rows).encode() + b"\r\n")
    result = run(
        "convert", "--from", "auto", "--to", "rest", "--records", "csv", "--column", "answers",
        "--id-column", "name", str(path),
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    got = lines_of(result)
    assert [line["id"] for line in got] == [f"sub-{n}" for n in range(5)]
    assert [line["line"] for line in got] == [2, 3, 4, 5, 14]  # the REST cell spans 9 lines
    assert [line["output"] for line in got] == [rest_of(c) for c in cells]


def test_lines_records_and_many_files(tmp_path: Path) -> None:
    links = tmp_path / "links.txt"
    web = "http://h/MicroStrategy/servlet/mstrWeb?evt=4001&" + XML_IN_URL
    links.write_text(f"{web}\n\n{LIBRARY_LINK}\n")
    result = run("convert", "--from", "auto", "--to", "rest", "--records", "lines", str(links))
    assert result.returncode == EXIT_OK, result.stderr
    assert [(line["line"], line["output"]) for line in lines_of(result)] == [
        (1, rest_of(web)),
        (3, rest_of(LIBRARY_LINK)),
    ]
    files = []
    for name, text in (("a.xml", KEYED_XML), ("b.json", json.dumps(REST_BODY)), ("c.txt", web)):
        files.append(tmp_path / name)
        files[-1].write_text(text)
    many = run("convert", "--from", "auto", "--to", "rest", *map(str, files))
    assert many.returncode == EXIT_OK, many.stderr
    assert [line["file"] for line in lines_of(many)] == [str(f) for f in files]
    piped = run(
        "convert", "--from", "auto", "--to", "rest", "--records", "lines", stdin=web.encode()
    )
    assert lines_of(piped) == [{"line": 1, "output": rest_of(web)}]


# ----------------------------------------------------------------- bad records, order


def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(KEYED_XML),
                json.dumps("<rsl><pa>"),  # malformed
                json.dumps("valuePromptAnswers=2015"),  # positional: REST cannot carry it
                json.dumps(KEYED_XML * 40),  # over --max-size 2K
                "{not json",
                json.dumps(REST_BODY),
            ]
        )
        + "\n"
    )
    return path


def test_keep_going_names_every_bad_record_and_writes_every_good_one(tmp_path: Path) -> None:
    path = mixed(tmp_path)
    result = run(
        "convert", "--from", "auto", "--to", "rest", "--records", "jsonl", "--keep-going",
        "--max-size", "2K", str(path),
    )  # fmt: skip
    assert result.returncode == EXIT_RECORDS_FAILED
    got = lines_of(result)
    assert [line["line"] for line in got] == [1, 2, 3, 4, 5, 6]
    assert [line.get("error", {}).get("code") for line in got] == [
        None,
        "bad_input",
        "not_representable",
        "too_large",
        "bad_input",
        None,
    ]
    assert got[3]["error"]["hint"] == "raise the limit with --max-size BYTES"
    assert "not well-formed" in got[1]["error"]["message"]
    assert got[2]["error"]["hint"].startswith("bind the answers")
    err = result.stderr.decode()
    assert (
        err == f"mstr-prompts: error: 4 of 6 records failed; the first is {path}:2 (see its line)\n"
    )


def test_without_keep_going_the_first_bad_record_stops_the_run(tmp_path: Path) -> None:
    path = mixed(tmp_path)
    result = run("convert", "--from", "auto", "--to", "rest", "--records", "jsonl", str(path))
    assert result.returncode == EXIT_BAD_INPUT
    assert [out["line"] for out in lines_of(result)] == [1]  # every earlier good record
    err = result.stderr.decode()
    assert err.count("\n") == 1 and err.startswith(f"mstr-prompts: error: {path}:2: xml: ")


def test_each_kind_of_failure_has_its_status(tmp_path: Path) -> None:
    for record, status in (
        (json.dumps("valuePromptAnswers=2015"), EXIT_NOT_REPRESENTABLE),
        (json.dumps(KEYED_XML * 40), EXIT_TOO_LARGE),
    ):
        path = tmp_path / "one.jsonl"
        path.write_text(json.dumps(KEYED_XML) + "\n" + record + "\n")
        result = run(
            "convert", "--from", "auto", "--to", "rest", "--records", "jsonl", "--max-size", "2K",
            str(path),
        )  # fmt: skip
        assert result.returncode == status
        assert len(lines_of(result)) == 1
        assert result.stderr.decode().startswith(f"mstr-prompts: error: {path}:2: ")


def test_jobs_keep_the_input_order(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    texts = [KEYED_XML.replace("Web", f"v{n}") if n % 11 else "<rsl><pa>" for n in range(2000)]
    path.write_text("".join(json.dumps(t) + "\n" for t in texts))
    command = ("convert", "--from", "xml", "--to", "rest", "--records", "jsonl", "--keep-going")
    four = run(*command, "--jobs", "4", str(path))
    one = run(*command, str(path))
    assert four.returncode == one.returncode == EXIT_RECORDS_FAILED
    assert four.stdout == one.stdout
    got = lines_of(four)
    assert [line["line"] for line in got] == list(range(1, 2001))
    assert got[5]["output"]["prompts"][0]["answers"] == "v5"


def test_batch_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    for args, needle in (
        (["--records", "csv"], "--column NAME"),
        (["--records", "csv", "--column", "zz"], "no column 'zz'"),
        (["--records", "jsonl", "--column", "a"], "--column is for --records csv"),
        (["--records", "jsonl", "--indent", "2"], "--indent needs a single input"),
        (["--jobs", "0"], "not a number of processes"),
        (["--max-size", "lots"], "not a size"),
    ):
        result = run("convert", "--from", "auto", "--to", "rest", *args, str(path))
        assert result.returncode == EXIT_USAGE, (args, result.stderr)
        err = result.stderr.decode()
        assert err.count("\n") == 1 and needle in err, err


# ------------------------------------------------------------------------------ limits


def test_a_huge_file_is_refused_before_decoding(tmp_path: Path) -> None:
    """A 531 MB file (sparse: it takes no disk) is refused after reading the limit."""
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.write(b"%3Crsl%3E")
        handle.truncate(531_000_000)
    command = [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"]
    status, out, err, peak = run_measured([*command, str(huge)], tmp_path / "peak")
    assert status == EXIT_TOO_LARGE
    assert out == b""
    assert err.decode() == (
        f"mstr-prompts: error: {huge}: the input is over the 33554432-byte limit "
        "(hint: raise the limit with --max-size BYTES)\n"
    )
    assert peak < 300_000_000  # the limit read once, not the file


def test_dev_zero_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    zero = "/dev/zero"
    for extra in ([], ["--records", "jsonl"], ["--records", "csv", "--column", "a"]):
        command = [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"]
        status, _, raw_err, peak = run_measured(
            [*command, *extra, "--max-size", "1M", zero], tmp_path / "peak"
        )
        err = raw_err.decode()
        assert status in (EXIT_TOO_LARGE, EXIT_BAD_INPUT), (extra, err)
        assert (err.count("\n") == 1 and "limit" in err) or "header" in err, err
        assert peak < 300_000_000


def test_max_size_raises_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text(KEYED_XML)
    small = run("convert", "--from", "xml", "--to", "rest", "--max-size", "50", str(path))
    assert small.returncode == EXIT_TOO_LARGE
    assert small.stderr.decode().count("\n") == 1
    assert (
        run("convert", "--from", "xml", "--to", "rest", "--max-size", "1K", str(path)).returncode
        == 0
    )


# ---------------------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupted_run_leaves_complete_lines_only(tmp_path: Path, jobs: str) -> None:
    path = tmp_path / "big.jsonl"
    line = json.dumps(KEYED_XML) + "\n"
    path.write_text(line * 200_000)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest",
            "--records", "jsonl", "--jobs", jobs, str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: communicate() below reads the rest from the descriptor
    )  # fmt: skip
    assert process.stdout is not None
    first = b""
    while len(first) < 100_000:  # the run is under way
        first += process.stdout.read(100_000 - len(first))
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    rest_out, err = process.communicate(timeout=60)
    output = (first + rest_out).decode()
    assert process.returncode == 130, err
    assert output.endswith("\n")
    lines = output.splitlines()
    assert 0 < len(lines) < 200_000
    assert [json.loads(text)["line"] for text in lines] == list(range(1, len(lines) + 1))
    assert b"Traceback" not in err


# -------------------------------------------------------------------------- progress


def test_progress_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstr_prompts import cli

    path = tmp_path / "many.jsonl"
    path.write_text((json.dumps(KEYED_XML) + "\n") * 2000)
    args = ["convert", "--from", "xml", "--to", "rest", "--records", "jsonl", str(path)]
    piped = run(*args)
    assert piped.returncode == EXIT_OK and piped.stderr == b""
    # On a terminal (standard error says it is one), with a clock that moves a second a call.
    ticks = iter(range(10**6))
    monkeypatch.setattr(cli, "_isatty", lambda stream: stream is sys.stderr)
    monkeypatch.setattr(time, "monotonic", lambda: float(next(ticks)))
    assert cli.main(args) == EXIT_OK
    shown = capsys.readouterr().err
    assert "\r1 records, " in shown and "/s, 0 errors" in shown
    assert ", about 0:" in shown and " left" in shown  # from the share of the file read
    assert shown.endswith("\r")  # the progress line is wiped at the end
    assert "\n" not in shown


def test_keep_going_with_one_file_writes_json_lines(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.xml", tmp_path / "good.xml"
    bad.write_text("<rsl><pa>")
    good.write_text(KEYED_XML)
    result = run("convert", "--from", "xml", "--to", "rest", "--keep-going", str(bad))
    assert result.returncode == EXIT_RECORDS_FAILED
    (line,) = lines_of(result)
    assert line["file"] == str(bad) and line["error"]["code"] == "bad_input"
    missing = tmp_path / "missing.xml"
    both = run("convert", "--from", "xml", "--to", "rest", "--keep-going", str(missing), str(good))
    assert both.returncode == EXIT_RECORDS_FAILED
    assert [(out["file"], "error" in out) for out in lines_of(both)] == [
        (str(missing), True),
        (str(good), False),
    ]
    assert lines_of(both)[0]["error"]["code"] == "io"
    stop = run("convert", "--from", "xml", "--to", "rest", str(good), str(missing))
    assert stop.returncode == 6 and len(lines_of(stop)) == 1


def test_a_records_warning_stays_on_its_line(tmp_path: Path) -> None:
    # A value type XML must guess (Library writes none) is that record's warning, in its
    # line: not a stderr line at the end (one per record, held until then), not dropped.
    path = tmp_path / "links.txt"
    path.write_text(f"{LIBRARY_LINK}\n{LIBRARY_LINK}\n")
    result = run("convert", "--from", "library", "--to", "xml", "--records", "lines", str(path))
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stderr == b""
    lines = lines_of(result)
    assert [line["line"] for line in lines] == [1, 2]
    for line in lines:
        (warning,) = line["warnings"]
        assert "data type of 1 value answer is unknown" in warning
        assert "--definitions FILE" in warning
