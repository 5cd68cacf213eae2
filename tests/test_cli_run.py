"""``mstr-prompts run`` against the reference server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstr_prompts.cli import main
from mstr_prompts.testing import ReferenceServer
from mstr_prompts.testing.catalog import (
    NESTED_REPORT,
    PROMPTXML_REPORT,
    SEED_000_REPORT,
    UNPROMPTED_REPORT,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
PROJECT = "B7CA92F04B9FAE8D941C3E9B7E0CD754"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSTR_API_TOKEN", raising=False)
    monkeypatch.setenv("MSTR_USERNAME", "user")
    monkeypatch.setenv("MSTR_PASSWORD", "password")


def cli(server: ReferenceServer, *args: str) -> int:
    try:
        return main(["run", "--base", server.url, "--project", server.project_id, *args])
    except SystemExit as exit:
        return int(exit.code or 0)


@pytest.mark.usefixtures("env")
def test_sql_from_captured_xml(
    mstr_server: ReferenceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    xml_file = FIXTURES / "xml" / "f15-element-non-tutorial-key.xml"
    status = cli(mstr_server, "--report", PROMPTXML_REPORT, "--from", "xml", "--sql", str(xml_file))
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert "'Kenya'" in out and out.startswith("select")
    assert mstr_server.live_instances() == []


@pytest.mark.usefixtures("env")
def test_data_from_a_rest_body(
    mstr_server: ReferenceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = FIXTURES / "client" / "seed-000-answer-elements-by-name.json"
    assert cli(mstr_server, "--report", SEED_000_REPORT, "--data", str(body)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["data"]["paging"]["total"] == 57


@pytest.mark.usefixtures("env")
def test_server_errors_exit_5_with_their_code(
    mstr_server: ReferenceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(mstr_server, "--report", "00000000000000000000000000000000", "--sql") == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ERR004" in err and "404" in err


@pytest.mark.usefixtures("env")
def test_open_prompts_and_refused_answers_exit_1(
    mstr_server: ReferenceServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli(mstr_server, "--report", SEED_000_REPORT, "--sql") == 1
    assert "Elements of Country" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "prompts": [
                    {
                        "key": "A1000000000000000000000000000001@0@10",
                        "type": "VALUE",
                        "answers": "1999",
                    }
                ]
            }
        )
    )
    assert (
        cli(mstr_server, "--report", NESTED_REPORT, "--definitions-check", "--sql", str(bad)) == 1
    )
    err = capsys.readouterr().err
    assert "does not meet the minimum required value(2000)" in err and err.count("\n") == 1
    assert not any(r.method == "PUT" for r in mstr_server.requests)
    # Without the local check the server judges: same message, status 5.
    assert cli(mstr_server, "--report", NESTED_REPORT, "--sql", str(bad)) == 5
    assert "does not meet the minimum required value(2000)" in capsys.readouterr().err


@pytest.mark.usefixtures("env")
def test_missing_policy(mstr_server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(mstr_server, "--report", UNPROMPTED_REPORT, "--missing", "default", "--sql") == 0
    assert capsys.readouterr().out.startswith("select")


def test_credentials_only_from_the_environment(
    mstr_server: ReferenceServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MSTR_USERNAME", "MSTR_PASSWORD", "MSTR_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert cli(mstr_server, "--report", UNPROMPTED_REPORT, "--sql") == 2
    assert "MSTR_USERNAME" in capsys.readouterr().err
    monkeypatch.setenv("MSTR_USERNAME", "user")
    monkeypatch.setenv("MSTR_PASSWORD", "not-the-password-42")
    assert cli(mstr_server, "--report", UNPROMPTED_REPORT, "--sql") == 5
    err = capsys.readouterr().err
    assert "ERR003" in err and "not-the-password-42" not in err


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    "args",
    [
        ["run", "--base", "notaurl", "--project", PROJECT, "--report", PROJECT, "--sql"],
        ["run", "--base", "ftp://x", "--project", PROJECT, "--report", PROJECT, "--data"],
        ["wait", str(FIXTURES / "runs" / "handle-v1.json"), "--base", "ftp://x"],
        ["run", "--base", "http://127.0.0.1:9", "--project", PROJECT, "--document", PROJECT,
         "--sql"],
    ],
)  # fmt: skip
def test_a_bad_option_value_is_a_usage_error_in_every_command(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Like link's --base: an option the user typed wrong is status 2, not "bad input" (3).
    assert main(args) == 2
    assert capsys.readouterr().err.count("\n") == 1
