"""The asynchronous commands as library functions (the CLI's thin layer calls them)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, cast

import pytest

from mstr_prompts import rest
from mstr_prompts.client import Connection, PollPolicy, RunHandleError, RunTimeout
from mstr_prompts.client.commands import datamart_command, submit_command, wait_command
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, SEED_001_DATAMART, UNPROMPTED_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000 = rest.decode((FIXTURES / "client" / "seed-000-answer-elements-by-name.json").read_text())
SEED_001 = rest.decode((FIXTURES / "datamart" / "answer-elements-of-country.json").read_text())
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=30)


def connect(base: str, project: str | None) -> Connection:
    return Connection(base, username="user", password="password", project_id=project, poll=FAST)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_submit_then_wait_prints_what_run_prints(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server.url, PROJECT_ID) as conn:
        handle = submit_command(conn, SEED_000_REPORT, SEED_000, sql=True)
    assert handle.endswith("\n") and handle.count("\n") == 1
    piped = io.StringIO()
    out = wait_command(handle.strip(), connect, base=mstr_server.url, progress=piped)
    assert "'USA', 'England'" in out and out.endswith("\n")
    assert piped.getvalue() == ""  # nothing extra when not on a terminal
    assert not mstr_server.live_instances()


def test_wait_on_a_terminal_shows_progress_after_a_second(mstr_server: ReferenceServer) -> None:
    mstr_server.status_polls = 2  # the run is still going when the slow polls end
    with connect(mstr_server.url, PROJECT_ID) as conn:
        handle = submit_command(conn, UNPROMPTED_REPORT, None)
    terminal = Terminal()
    mstr_server.slow(0.6, times=2, path="/status$")
    out = wait_command(handle, connect, base=mstr_server.url, progress=terminal)
    assert json.loads(out)["data"]["paging"]["total"] == 3
    shown = terminal.getvalue()
    assert "running" in shown and " s" in shown and shown.endswith("\r")


def test_wait_timeout_keeps_the_run(mstr_server: ReferenceServer) -> None:
    mstr_server.execute_states = (5,) * 100_000
    try:
        with connect(mstr_server.url, PROJECT_ID) as conn:
            handle = submit_command(conn, UNPROMPTED_REPORT, None)
        with pytest.raises(RunTimeout):
            wait_command(handle, connect, base=mstr_server.url, timeout=0.05)
        assert len(mstr_server.live_instances()) == 1
    finally:
        mstr_server.execute_states = (4, 5, 6, 7)
    for instance in mstr_server.instances.values():
        instance.schedule.clear()
    assert (
        json.loads(wait_command(handle, connect, base=mstr_server.url))["data"]["paging"]["total"]
        == 3
    )


def test_wait_needs_a_base(mstr_server: ReferenceServer) -> None:
    handle = json.dumps({"mstrPromptsRun": 1, "kind": "report", "report": "R", "instance": "I"})
    with pytest.raises(RunHandleError, match="--base"):
        wait_command(handle, connect)


def test_datamart_command_saves_as_with_answers(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server.url, PROJECT_ID) as conn:
        out = datamart_command(
            conn,
            SEED_001_DATAMART,
            SEED_001,
            save_as="City",
            folder="8A1831FF494F528D02A4A8BF5FB73459",
            with_answers=True,
        )
    outcome = json.loads(out)
    assert outcome["status"] == 1 and outcome["datamartId"] == SEED_001_DATAMART
    saved = mstr_server.saved[outcome["savedId"]]
    expected = json.loads((FIXTURES / "datamart" / "save-as-request.json").read_text())
    assert {k: saved[k] for k in expected} == expected


def test_datamart_command_save_as_needs_a_folder() -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=PROJECT_ID)
    with pytest.raises(PromptAnswerError, match="--folder"):
        datamart_command(conn, SEED_001_DATAMART, None, save_as="City")


def test_datamart_progress_goes_on_after_the_answers(mstr_server: ReferenceServer) -> None:
    terminal = Terminal()
    mstr_server.slow(1.1, times=1, path="/execution$")  # later polls are past a second
    with connect(mstr_server.url, PROJECT_ID) as conn:
        datamart_command(conn, SEED_001_DATAMART, SEED_001, progress=terminal)
    shown = terminal.getvalue()
    assert "prompted (PROMPT_XML)" in shown  # before the answers
    assert shown.rindex("ready (RESULT)") > shown.index("prompted (PROMPT_XML)")  # after
    assert shown.endswith("\r")


@pytest.mark.parametrize("output", ["sql", "data"])
def test_run_and_submit_show_progress_on_a_terminal(
    output: str, mstr_server: ReferenceServer
) -> None:
    from mstr_prompts.client.commands import run_command

    mstr_server.slow(1.1, times=1, path="/status$")
    terminal = Terminal()
    with connect(mstr_server.url, PROJECT_ID) as conn:
        out = run_command(
            conn, "report", SEED_000_REPORT, SEED_000, output=cast(Any, output), progress=terminal
        )
    assert out and "ready (RESULT)" in terminal.getvalue()
    mstr_server.slow(1.1, times=1, path="/status$")
    terminal = Terminal()
    with connect(mstr_server.url, PROJECT_ID) as conn:
        handle = submit_command(conn, SEED_000_REPORT, SEED_000, progress=terminal)
        conn.report(SEED_000_REPORT)  # the run goes on; delete it below
    assert "prompted" in terminal.getvalue() or "running" in terminal.getvalue()
    with connect(mstr_server.url, PROJECT_ID) as conn:
        from mstr_prompts.client import Run

        Run.from_json(conn, handle).delete()
