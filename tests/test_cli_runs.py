"""The CLI's asynchronous commands against the reference server: run --async, wait, datamart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstr_prompts.cli import main
from mstr_prompts.client import Connection, PollPolicy
from mstr_prompts.client.commands import submit_command
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_001_DATAMART, UNPROMPTED_REPORT

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
    assert main(["wait", handle.strip()]) == 0
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
    assert main(["wait", str(path), "--timeout", "30"]) == 0
    assert json.loads(capsys.readouterr().out)["data"]["paging"]["total"] == 3


def test_wait_on_a_gone_instance_is_a_server_error(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = submit(mstr_server)
    mstr_server.expire_instances()
    with pytest.raises(SystemExit) as caught:
        main(["wait", handle])
    assert caught.value.code == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is gone from the server" in err


def test_wait_timeout_exits_5_and_the_handle_still_works(
    mstr_server: ReferenceServer, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    mstr_server.execute_states = (5,) * 100_000
    try:
        handle = submit(mstr_server)
        with pytest.raises(SystemExit) as caught:
            main(["wait", handle, "--timeout", "0.05"])
        assert caught.value.code == 5
        assert "mstr-prompts wait" in capsys.readouterr().err
    finally:
        mstr_server.execute_states = (4, 5, 6, 7)
    for instance in mstr_server.instances.values():
        instance.schedule.clear()
    assert main(["wait", handle]) == 0


def test_bad_handle_is_bad_input(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["wait", '{"not": "a handle"}'])
    assert caught.value.code not in (0, 5, 70)
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


def test_datamart_usage_errors(mstr_server: ReferenceServer, env: None) -> None:
    base = ["datamart", "--base", mstr_server.url, "--project", PROJECT_ID]
    for extra in (["--save-as", "City"], ["--folder", "F"], ["--with-answers"]):
        with pytest.raises(SystemExit) as caught:
            main([*base, "--datamart", SEED_001_DATAMART, *extra])
        assert caught.value.code == 2
