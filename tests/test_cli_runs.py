"""The CLI's asynchronous commands against the reference server: run --async, wait, datamart."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from mstr_prompts.cli import main
from mstr_prompts.client import Connection, PollPolicy
from mstr_prompts.client.commands import submit_command
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, SEED_001_DATAMART, UNPROMPTED_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_001 = FIXTURES / "datamart" / "answer-elements-of-country.json"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSTR_USERNAME", "user")
    monkeypatch.setenv("MSTR_PASSWORD", "password")
    monkeypatch.delenv("MSTR_API_TOKEN", raising=False)


def submit(server: ReferenceServer) -> str:
    with Connection(
        server.url,
        username="user",
        password="password",
        project_id=PROJECT_ID,
        poll=PollPolicy(interval=0.002, cap=0.02),
    ) as conn:
        return submit_command(conn, UNPROMPTED_REPORT, None)


def test_wait_prints_the_data_and_nothing_extra_when_piped(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = submit(mstr_server)
    assert main(["wait", "--base", mstr_server.url, handle.strip()]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["data"]["paging"]["total"] == 3
    assert err == ""
    assert not mstr_server.live_instances()


def test_wait_reads_the_handle_from_a_file_or_stdin(
    mstr_server: ReferenceServer,
    env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "handle.json"
    path.write_text(submit(mstr_server))
    assert main(["wait", "--base", mstr_server.url, str(path), "--timeout", "30"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["paging"]["total"] == 3


def test_wait_on_a_gone_instance_is_a_server_error(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = submit(mstr_server)
    mstr_server.expire_instances()
    assert main(["wait", "--base", mstr_server.url, handle]) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is gone from the server" in err


def test_wait_timeout_exits_5_and_the_handle_still_works(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    mstr_server.execute_states = (5,) * 100_000
    try:
        handle = submit(mstr_server)
        assert main(["wait", "--base", mstr_server.url, handle, "--timeout", "0.05"]) == 5
        assert "mstr-prompts wait" in capsys.readouterr().err
    finally:
        mstr_server.execute_states = (4, 5, 6, 7)
    for instance in mstr_server.instances.values():
        instance.schedule.clear()
    assert main(["wait", "--base", mstr_server.url, handle]) == 0


def test_bad_handle_is_bad_input(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wait", "--base", "http://127.0.0.1:1", '{"not": "a handle"}']) == 3
    assert "run handle" in capsys.readouterr().err


def test_datamart_save_as_with_answers(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "datamart",
            "--base",
            mstr_server.url,
            "--project",
            PROJECT_ID,
            "--datamart",
            SEED_001_DATAMART,
            "--save-as",
            "City",
            "--folder",
            "8A1831FF494F528D02A4A8BF5FB73459",
            "--with-answers",
            str(SEED_001),
        ]
    )
    assert code == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["status"] == 1
    saved = mstr_server.saved[outcome["savedId"]]
    assert saved["promptOptions"]["saveAsWithAnswers"] is True
    assert not mstr_server.live_instances()


def test_datamart_usage_errors(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["datamart", "--base", mstr_server.url, "--project", PROJECT_ID]
    for extra in (["--save-as", "City"], ["--folder", "F"], ["--with-answers"]):
        assert main([*base, "--datamart", SEED_001_DATAMART, *extra]) == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_missing_file_is_an_io_error(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wait", "--base", "http://127.0.0.1:1", "/nonexistent/handle.json"]) == 6
    assert capsys.readouterr().err.count("\n") == 1


def test_run_async_prints_a_handle_that_wait_resumes(
    mstr_server: ReferenceServer, env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = FIXTURES / "client" / "seed-000-answer-elements-by-name.json"
    base = ["run", "--base", mstr_server.url, "--project", PROJECT_ID]
    assert main([*base, "--report", SEED_000_REPORT, "--sql", "--async", str(answers)]) == 0
    handle = capsys.readouterr().out
    assert json.loads(handle)["result"] == "sql" and handle.count("\n") == 1
    assert len(mstr_server.live_instances()) == 1
    assert main(["wait", "--base", mstr_server.url, handle.strip()]) == 0
    assert "'USA', 'England'" in capsys.readouterr().out
    assert not mstr_server.live_instances()


def test_run_without_async_prints_the_result(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["run", "--base", mstr_server.url, "--project", PROJECT_ID]
    assert main([*base, "--report", UNPROMPTED_REPORT, "--data"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["paging"]["total"] == 3


def test_run_async_is_for_reports(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["run", "--base", mstr_server.url, "--project", PROJECT_ID]
    assert main([*base, "--document", "AB12CD34EF5647589ABCDEF012345678", "--data", "--async"]) == 2
    assert "reports only" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_wait_shows_progress_on_a_terminal_only_and_after_a_second(
    mstr_server: ReferenceServer, tmp_path: Path
) -> None:
    """A new process waits with its stderr on a pseudo-terminal and its stdout on a pipe."""
    mstr_server.status_walk = True  # the running states show as they go by
    mstr_server.execute_states = (5,) * 1_000_000  # held until the test lets it finish
    handle = submit(mstr_server)
    primary, secondary = os.openpty()
    env = {**os.environ, "MSTR_USERNAME": "user", "MSTR_PASSWORD": "password"}
    env.pop("MSTR_API_TOKEN", None)
    env["PYTHONPATH"] = str(Path(__file__).parent.parent / "src")
    waiting = subprocess.Popen(
        [sys.executable, "-m", "mstr_prompts", "wait", "--base", mstr_server.url, handle.strip()],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    seen = b""
    try:
        while b" s" not in seen:  # the first progress line, once a second has gone by
            ready, _, _ = select.select([primary], [], [], 60)
            assert ready, "no progress within 60 s"
            seen += os.read(primary, 1024)
        with mstr_server.lock:
            for instance in mstr_server.instances.values():
                instance.schedule.clear()
        out, _ = waiting.communicate(timeout=60)
        while select.select([primary], [], [], 0.5)[0]:
            try:
                chunk = os.read(primary, 1024)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
        os.close(primary)
    assert waiting.returncode == 0
    assert json.loads(out)["data"]["paging"]["total"] == 3  # stdout: the result only
    text = seen.decode()
    assert "running (IN_SQL_ENGINE), " in text and text.startswith("\r")
    assert text.rstrip(" ").endswith("\r")  # the status line is erased at the end
    assert not mstr_server.live_instances()
