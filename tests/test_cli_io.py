"""The CLI's promises at the edges of I/O, beside tests/test_adversarial_cli.py: every byte
written or a one-line error with the documented status (6 for I/O, 141 for a closed pipe)
with Python's stdout buffered or not (``PYTHONUNBUFFERED``) and on a stdout without a
descriptor, closed standard error, standard input named twice in every command that reads
several inputs, and one line from a client command whose cleanup failed too."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli_runs import submit

from mstr_prompts import cli as cli_module
from mstr_prompts.cli import main
from mstr_prompts.testing import ReferenceServer

FIXTURES = Path(__file__).parent.parent / "fixtures"
ONE_PROMPT = FIXTURES / "xml" / "f07-constant-pt4-date.xml"
HAS_DEV_FULL = os.path.exists("/dev/full")


def big_xml(tmp_path: Path, prompts: int = 3000) -> Path:
    """An answer file whose REST output (~300 KB) is larger than a pipe's buffer."""
    path = tmp_path / "big.xml"
    rows = (
        f"<pa pt='3' pin='0' did='{i:032X}' tp='10'>value {i} with some padding</pa>"
        for i in range(prompts)
    )
    path.write_text("<rsl>" + "".join(rows) + "</rsl>")
    return path


def cli(
    *args: str,
    unbuffered: bool = True,
    env: dict[str, str] | None = None,
    stdout: int | IO[bytes] = subprocess.PIPE,
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:  # stdout is then a raw FileIO, whose writes may be short
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
    )


class ShortWrites(io.RawIOBase):
    """A binary standard output that takes at most ``chunk`` bytes a call, then fails
    with ``error`` once ``limit`` bytes are in (as a disk fills up)."""

    def __init__(self, chunk: int, limit: int | None = None, error: int = errno.ENOSPC) -> None:
        self.data = bytearray()
        self.chunk, self.limit, self.error = chunk, limit, error

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        data = bytes(b)  # type: ignore[call-overload]
        if self.limit is not None and len(self.data) >= self.limit:
            raise OSError(self.error, os.strerror(self.error))
        taken = data[: self.chunk]
        self.data += taken
        return len(taken)


def fake_stdout(monkeypatch: pytest.MonkeyPatch, raw: ShortWrites) -> None:
    stream = io.TextIOWrapper(raw, encoding="ascii")  # type: ignore[type-var]
    monkeypatch.setattr(sys, "stdout", stream)


def test_short_writes_are_continued_until_everything_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    raw = ShortWrites(chunk=1000)
    fake_stdout(monkeypatch, raw)
    assert main(["convert", "--from", "xml", "--to", "rest", str(big_xml(tmp_path))]) == 0
    assert len(json.loads(raw.data)["prompts"]) == 3000


def test_a_disk_that_fills_up_after_a_short_write_is_an_io_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = ShortWrites(chunk=65536, limit=65536)
    fake_stdout(monkeypatch, raw)
    assert main(["convert", "--from", "xml", "--to", "rest", str(big_xml(tmp_path))]) == 6
    assert capsys.readouterr().err == (
        "mstr-prompts: error: cannot write standard output: the disk is full\n"
    )


@pytest.mark.parametrize("unbuffered", [True, False])
def test_a_reader_that_goes_away_gives_141(tmp_path: Path, unbuffered: bool) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1" if unbuffered else "")
    command = [sys.executable, "-m", "mstr_prompts", "convert", "--from", "xml", "--to", "rest"]
    with subprocess.Popen(
        [*command, str(big_xml(tmp_path))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert len(proc.stdout.read(10)) == 10  # as `| head -c 10`
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait() == 141
    assert err == b""


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", [True, False])
@pytest.mark.parametrize(
    "args",
    [
        ["convert", "--help"],
        ["convert", "--from", "xml", "--to", "rest", str(ONE_PROMPT)],
        ["convert", "--from", "xml", "--to", "rest", "BIG"],
    ],
)
def test_a_full_disk_is_status_6_buffered_or_not(
    args: list[str], unbuffered: bool, tmp_path: Path
) -> None:
    args = [str(big_xml(tmp_path)) if a == "BIG" else a for a in args]
    with open("/dev/full", "wb") as full:
        result = cli(*args, unbuffered=unbuffered, stdout=full)
    assert result.returncode == 6
    assert result.stderr == b"mstr-prompts: error: cannot write standard output: the disk is full\n"


def sh(script: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI through ``sh`` to close standard streams as a shell user would."""
    return subprocess.run(
        ["sh", "-c", f'"$0" -m mstr_prompts "$@" {script}', sys.executable, *args],
        capture_output=True,
        check=False,
    )


@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
def test_closed_stderr_still_gives_the_status() -> None:
    result = sh("2>&- >/dev/full", "convert", "--from", "xml", "--to", "rest", str(ONE_PROMPT))
    assert result.returncode == 6
    result = sh("2>&-", "convert", "--from", "xml", "--to", "rest", "missing.xml")
    assert result.returncode == 6


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["validate", "--definitions", "-", "--from", "url", "-"], "--definitions - and the input -"),
        (["validate", "--definitions", "-"], "--definitions - and the input -"),  # default -
        (["convert", "--from", "url", "--to", "rest", "--definitions", "-", "-"], "--definitions -"),
        (["convert", "--from", "xml", "--to", "rest", "-", str(ONE_PROMPT), "-"], "the input - and the input -"),
        (["link", "--base", "https://h/MicroStrategy/servlet/mstrWeb", "--report", "4CF6D88A4588097466A4B7B8851A161F", "--definitions", "-", "-"], "--definitions -"),
    ],
)  # fmt: skip
def test_standard_input_named_twice_is_a_usage_error(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("mstr-prompts: error: standard input is named twice (")
    assert named in err and err.count("\n") == 1


def test_a_cleanup_failure_adds_no_second_line(
    mstr_server: ReferenceServer, tmp_path: Path
) -> None:
    # In a process of its own: pytest's log capture would hide logging's last-resort output.
    handle = tmp_path / "handle.json"
    handle.write_text(submit(mstr_server))
    env = dict(os.environ, MSTR_USERNAME="user", MSTR_PASSWORD="bad")
    env.pop("MSTR_API_TOKEN", None)
    try:
        result = cli("wait", "--base", mstr_server.url, str(handle), env=env)
        assert mstr_server.live_instances()  # the cleanup did fail: worth a log record
    finally:
        mstr_server.expire_instances()
    assert result.returncode == 5
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mstr-prompts: error: "), lines


@given(chunk=st.integers(min_value=1, max_value=70_000), text=st.text(max_size=3000))
def test_every_byte_is_written_whatever_each_write_takes(chunk: int, text: str) -> None:
    # The property behind the short-write fixes: however little each write takes, the
    # stream ends up with exactly the UTF-8 of the text (surrogates as the CLI escapes them).
    raw = ShortWrites(chunk=chunk)
    stream = io.TextIOWrapper(raw, encoding="ascii")  # type: ignore[type-var]
    cli_module._write(stream, text, "backslashreplace")
    assert bytes(raw.data) == text.encode("utf-8", "backslashreplace")
