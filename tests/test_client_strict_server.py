"""Against a server that implements only what is documented (tests/strict_server.py).

"Done when" of the asynchronous-runs issue: against a server no one on the team wrote,
which implements seed 001 and the asynchronous pattern as documented, a datamart runs
with prompts and saves with prompt options in the documented request sequence, and a
submitted run resumes from its JSON handle in a new process.  The strict server has no
status endpoint and no prompt listing, so each undocumented request the client tries
(at most once per connection) must fall back to the documented path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pytest
from strict_server import (
    PLAIN_DATAMART,
    PLAIN_REPORT,
    PROJECT,
    PROMPTED_DATAMART,
    PROMPTED_REPORT,
    StrictServer,
)

from mstr_prompts import rest
from mstr_prompts.client import (
    Connection,
    PollPolicy,
    PromptOptions,
    PromptsOutstanding,
    Run,
    SaveAs,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_001_ANSWERS = rest.decode(
    (FIXTURES / "datamart" / "answer-elements-of-country.json").read_text()
)
SEED_001_BODY = json.loads((FIXTURES / "datamart" / "answer-elements-of-country.json").read_text())
FOLDER = "8A1831FF494F528D02A4A8BF5FB73459"
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=30)
SRC = Path(__file__).parent.parent / "src"


@pytest.fixture
def strict() -> Iterator[StrictServer]:
    with StrictServer() as server:
        yield server


def connect(server: StrictServer) -> Connection:
    return Connection(
        server.url, username="user", password="password", project_id=PROJECT, poll=FAST
    )


def documented(server: StrictServer, datamart: str = PROMPTED_DATAMART) -> list[str]:
    """The requests that the server knows, with ids shortened and repeated polls folded."""
    lines = []
    for seen in server.seen:
        if seen.status == 404 and not seen.headers.get("x-mstr-ms-instance"):
            continue  # an undocumented request the client tried and gave up on
        line = seen.line
        for instance in server.instances_ever:
            line = line.replace(instance, "{iid}")
        lines.append(
            line.replace(datamart, "{id}")
            .replace(PROMPTED_REPORT, "{id}")
            .replace(PLAIN_REPORT, "{id}")
        )
    return [line for line, _ in groupby(lines)]


def probes(server: StrictServer) -> list[str]:
    return [s.line for s in server.seen if s.status == 404]


def test_datamart_with_prompts_saves_as_in_the_documented_sequence(strict: StrictServer) -> None:
    with connect(strict) as conn:
        result = conn.datamart(PROMPTED_DATAMART).execute(
            SEED_001_ANSWERS, save_as=SaveAs("City", FOLDER, PromptOptions(with_answers=True))
        )
    assert result.status == 1 and result.job_id == "10:Sk9CMQ=="
    assert documented(strict) == [
        "POST /api/auth/login",
        "POST /api/model/datamarts/{id}/instances",
        "POST /api/datamarts/{id}/instances/{iid}/execution/jobs",
        "GET /api/datamarts/{id}/instances/{iid}/execution",
        "PUT /api/reports/{id}/instances/{iid}/prompts/answers",
        "GET /api/datamarts/{id}/instances/{iid}/execution",
        "POST /api/model/datamarts/{id}/instances/saveAs",
        "DELETE /api/model/datamarts/{id}/instances",
        "POST /api/auth/logout",
    ]
    # The one undocumented request (listing the prompts) was tried once, then dropped.
    assert len(probes(strict)) <= 1
    assert all(p.endswith("/prompts") for p in probes(strict))
    # The answers went as the seed's body gives them; the save carried its prompt options.
    (saved,) = strict.saved
    assert saved["answers"] == [rest.encode(SEED_001_ANSWERS)["prompts"]]
    assert [a["name"] for a in saved["answers"][0][0]["answers"]] == ["USA", "England"]
    assert saved["name"] == "City" and saved["destinationFolderId"] == FOLDER
    assert saved["promptOptions"] == {
        "saveAsWithAnswers": True,
        "saveAsFilterWithPrompts": True,
        "saveAsTemplateWithPrompts": True,
    }
    assert not strict.instances


def test_headers_are_the_documented_ones(strict: StrictServer) -> None:
    with connect(strict) as conn:
        conn.datamart(PROMPTED_DATAMART).execute(SEED_001_ANSWERS, save=True)
    known = [s for s in strict.seen if s.status != 404]
    for seen in known[1:]:
        assert seen.headers["x-mstr-authtoken"], seen.line
    by_line = {s.line.rsplit("/", 1)[-1] + " " + s.method: s for s in known}
    put = by_line["answers PUT"]
    assert put.headers["content-type"] == "application/json"
    assert json.loads(put.body) == rest.encode(SEED_001_ANSWERS)
    for action in ("save POST", "instances DELETE"):
        assert by_line[action].headers["x-mstr-ms-instance"] in strict.instances_ever
    assert json.loads(by_line["save POST"].body) == {
        "promptOptions": {
            "saveAsWithAnswers": False,
            "saveAsFilterWithPrompts": True,
            "saveAsTemplateWithPrompts": True,
        }
    }


def test_datamart_without_prompts_and_a_second_run_without_probes(strict: StrictServer) -> None:
    with connect(strict) as conn:
        conn.datamart(PROMPTED_DATAMART).execute(SEED_001_ANSWERS)
        first = len(probes(strict))
        strict.seen.clear()
        conn.datamart(PROMPTED_DATAMART).execute(SEED_001_ANSWERS, save=True)
        assert probes(strict) == []  # the connection remembers what the server lacks
        strict.seen.clear()
        conn.datamart(PLAIN_DATAMART).execute(save=PromptOptions())
    assert first <= 1
    assert documented(strict, PLAIN_DATAMART) == [
        "POST /api/model/datamarts/{id}/instances",
        "POST /api/datamarts/{id}/instances/{iid}/execution/jobs",
        "GET /api/datamarts/{id}/instances/{iid}/execution",
        "POST /api/model/datamarts/{id}/instances/save",
        "DELETE /api/model/datamarts/{id}/instances",
        "POST /api/auth/logout",
    ]
    assert not strict.instances


def test_datamart_prompts_nobody_answered_are_a_clear_error(strict: StrictServer) -> None:
    with connect(strict) as conn, pytest.raises(PromptsOutstanding, match="does not list"):
        conn.datamart(PROMPTED_DATAMART).execute()
    assert not strict.instances


@pytest.mark.parametrize("reference", ["body", "header", "location"])
def test_submit_store_the_handle_resume_on_a_new_connection(reference: str) -> None:
    with StrictServer(reference=reference) as server:
        with connect(server) as conn:
            handle = conn.report(PROMPTED_REPORT).submit(SEED_001_ANSWERS, sql=True).to_json()
        assert len(server.instances) == 1
        with connect(server) as other:
            sql = Run.from_json(other, handle).result()
        assert "'USA', 'England'" in sql
        assert not server.instances
        lines = documented(server)
        assert lines[:5] == [
            "POST /api/auth/login",
            "POST /api/model/reports/{id}/instances",
            "GET /api/v2/reports/{id}/instances/{iid}",
            "PUT /api/reports/{id}/instances/{iid}/prompts/answers",
            "POST /api/auth/logout",
        ]
        assert lines[5:] == [
            "POST /api/auth/login",
            "GET /api/v2/reports/{id}/instances/{iid}",
            "GET /api/v2/reports/{id}/instances/{iid}/sqlView",
            "DELETE /api/model/reports/{id}/instances",
            "POST /api/auth/logout",
        ]
        created = next(s for s in server.seen if s.method == "POST" and "/model/" in s.path)
        assert created.headers["prefer"] == "respond-async"


def test_run_data_synchronously(strict: StrictServer) -> None:
    with connect(strict) as conn:
        data = conn.report(PLAIN_REPORT).run()
        assert data["data"]["paging"]["total"] == 3
        rows = conn.report(PROMPTED_REPORT).run(SEED_001_ANSWERS)["data"]["metricValues"]["raw"]
    assert rows == [[100.0], [250.5], [75.25]]
    assert not strict.instances


def test_a_handle_resumes_in_a_new_process_with_the_cli(strict: StrictServer) -> None:
    with connect(strict) as conn:
        handle = conn.report(PROMPTED_REPORT).submit(SEED_001_ANSWERS).to_json()
    env = {
        **os.environ,
        "MSTR_USERNAME": "user",
        "MSTR_PASSWORD": "password",
        "PYTHONPATH": str(SRC),
    }
    env.pop("MSTR_API_TOKEN", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mstr_prompts",
            "wait",
            "-",
            "--timeout",
            "60",
            "--base",
            strict.url,
        ],
        input=handle,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # piped: no progress
    assert json.loads(done.stdout)["data"]["metricValues"]["raw"] == [[100.0], [250.5], [75.25]]
    assert not strict.instances
    # The new process resumed the stored instance: no second creation.
    creations = [s for s in strict.seen if s.method == "POST" and "/model/reports/" in s.path]
    assert len(creations) == 1
