"""No silent drops (issue 19, item 10): answers no prompt takes are ``UnusedAnswers`` on
every path, and datamart saves take the documentation's JSON or a clear refusal.

Against the reference server and ``tests/strict_server.py`` (which lists no prompts and
has no status endpoint), through the library and the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from strict_server import PLAIN_DATAMART, PLAIN_REPORT, PROJECT, StrictServer

from mstr_prompts import rest
from mstr_prompts.cli import main
from mstr_prompts.client import (
    AnswersRejectedByServer,
    Connection,
    DatamartOptionsError,
    Job,
    PollPolicy,
    PromptOptions,
    SaveAs,
    UnusedAnswers,
)
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import (
    SEED_001_DATAMART,
    UNPROMPTED_DATAMART,
    UNPROMPTED_REPORT,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000_FILE = FIXTURES / "client" / "seed-000-answer-elements-by-name.json"
SEED_001_FILE = FIXTURES / "datamart" / "answer-elements-of-country.json"
ANSWERS = rest.decode(SEED_000_FILE.read_text())
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=30)
FOLDER = "8A1831FF494F528D02A4A8BF5FB73459"

Path_ = Callable[[Connection, str, str], Any]

PATHS: dict[str, Path_] = {
    "sql": lambda c, r, d: c.report(r).sql(ANSWERS),
    "sql unchecked": lambda c, r, d: c.report(r).sql(ANSWERS, validate=False),
    "data": lambda c, r, d: c.report(r).data(ANSWERS),
    "submit": lambda c, r, d: c.report(r).submit(ANSWERS),
    "submit rounds": lambda c, r, d: c.report(r).submit([ANSWERS]),
    "run": lambda c, r, d: c.report(r).run(ANSWERS),
    "run_many": lambda c, r, d: [o.unwrap() for o in c.run_many([Job(r, ANSWERS)])],
    "datamart": lambda c, r, d: c.datamart(d).execute(ANSWERS),
    "datamart unchecked": lambda c, r, d: c.datamart(d).execute([ANSWERS], validate=False),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_answers_for_an_unprompted_object_are_unused_answers(
    path: str, mstr_server: ReferenceServer
) -> None:
    with (
        Connection(
            mstr_server.url, username="user", password="password", project_id=PROJECT_ID, poll=FAST
        ) as conn,
        pytest.raises(UnusedAnswers, match="Elements of Country"),
    ):
        PATHS[path](conn, UNPROMPTED_REPORT, UNPROMPTED_DATAMART)
    assert not mstr_server.live_instances()


@pytest.mark.parametrize("path", sorted(PATHS))
def test_and_on_a_server_that_lists_no_prompts(path: str) -> None:
    # The SQL workflow there is seed 000's own sequence (no status, no listing, no data
    # endpoint): the answers go with the PUT, and the server's refusal is the error.
    expected: Any = UnusedAnswers
    if path.startswith("sql"):
        expected = (UnusedAnswers, AnswersRejectedByServer)
    with StrictServer() as strict:
        with (
            Connection(
                strict.url, username="user", password="password", project_id=PROJECT, poll=FAST
            ) as conn,
            pytest.raises(expected),
        ):
            PATHS[path](conn, PLAIN_REPORT, PLAIN_DATAMART)
        assert not strict.instances


@pytest.mark.parametrize(
    "extra",
    [["run", "--sql"], ["run", "--data"], ["run", "--data", "--async"], ["datamart"]],
)
def test_the_cli_exits_1(
    extra: list[str],
    mstr_server: ReferenceServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MSTR_USERNAME", "user")
    monkeypatch.setenv("MSTR_PASSWORD", "password")
    monkeypatch.delenv("MSTR_API_TOKEN", raising=False)
    command, *options = extra
    argv = [command, "--base", mstr_server.url, "--project", PROJECT_ID]
    if command == "run":
        argv += ["--report", UNPROMPTED_REPORT, *options]
    else:
        argv += ["--datamart", UNPROMPTED_DATAMART]
    assert main([*argv, str(SEED_000_FILE)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Elements of Country" in err and err.count("\n") == 1
    assert not mstr_server.live_instances()


# ------------------------------------------------------------------ save= and save_as=


def run_datamart(server: ReferenceServer, **kwargs: Any) -> Any:
    answers = rest.decode(SEED_001_FILE.read_text())
    with Connection(
        server.url, username="user", password="password", project_id=PROJECT_ID, poll=FAST
    ) as conn:
        return conn.datamart(SEED_001_DATAMART).execute(answers, **kwargs)


SEED_OPTIONS = {
    "saveAsWithAnswers": True,
    "saveAsFilterWithPrompts": True,
    "saveAsTemplateWithPrompts": False,
}


@pytest.mark.parametrize(
    "save", [SEED_OPTIONS, {"promptOptions": SEED_OPTIONS}, PromptOptions.from_json(SEED_OPTIONS)]
)
def test_save_takes_the_documented_json(save: Any, mstr_server: ReferenceServer) -> None:
    result = run_datamart(mstr_server, save=save)
    assert mstr_server.saved[result.saved_id]["promptOptions"] == SEED_OPTIONS


def test_save_as_takes_the_documented_json(mstr_server: ReferenceServer) -> None:
    body = {"name": "City", "destinationFolderId": FOLDER, "promptOptions": SEED_OPTIONS}
    result = run_datamart(mstr_server, save_as=body)
    saved = mstr_server.saved[result.saved_id]
    assert saved["action"] == "saveAs" and saved["name"] == "City"
    assert saved["promptOptions"] == SEED_OPTIONS
    assert SaveAs.from_json(body).to_json() == body


@pytest.mark.parametrize(
    "kwargs",
    [
        {"save": "yes"},
        {"save": 1.5},
        {"save": {"saveAsWithAnswers": "true"}},
        {"save": {"saveAsWithAnswer": True}},
        {"save": {"promptOptions": [True]}},
        {"save_as": 42},
        {"save_as": "City"},
        {"save_as": {"name": "City"}},
        {"save_as": {"name": "", "destinationFolderId": FOLDER}},
        {"save_as": {"name": "C\x1b", "destinationFolderId": FOLDER}},
        {"save_as": {"name": "City", "destinationFolderId": "../x"}},
        {"save_as": {"name": "City", "destinationFolderId": FOLDER, "extra": 1}},
        {"save": True, "save_as": SaveAs("City", FOLDER)},
        {"save": SEED_OPTIONS, "save_as": {"name": "City", "destinationFolderId": FOLDER}},
    ],
)
def test_anything_else_is_refused_before_any_request(
    kwargs: dict[str, Any], mstr_server: ReferenceServer
) -> None:
    with pytest.raises(DatamartOptionsError) as caught:
        run_datamart(mstr_server, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert not [r for r in mstr_server.requests if "datamarts" in r.path]
    json.dumps(str(caught.value))  # one plain line
