"""Seed 001, "Execute a datamart", request by request against the reference server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mstr_prompts import rest
from mstr_prompts.client import (
    AnswersRejectedByServer,
    Connection,
    ExecutionFailed,
    PollPolicy,
    PromptOptions,
    PromptsOutstanding,
    RunStatus,
    SaveAs,
)
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.testing import PROJECT_ID, Recorded, ReferenceServer
from mstr_prompts.testing.catalog import SEED_001_DATAMART, UNPROMPTED_DATAMART

FIXTURES = Path(__file__).parent.parent / "fixtures" / "datamart"
ANSWERS = rest.decode((FIXTURES / "answer-elements-of-country.json").read_text())
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=30)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def connect(server: ReferenceServer) -> Connection:
    return Connection(
        server.url, username="user", password="password", project_id=PROJECT_ID, poll=FAST
    )


def shape(r: Recorded) -> tuple[str, str, int]:
    return (r.method, r.path, r.status)


def check_modeling_call(r: Recorded, iid: str) -> None:
    """Save, save as and delete go with X-MSTR-MS-Instance and, as in the seed, no project."""
    assert r.headers["x-mstr-ms-instance"] == iid
    assert "x-mstr-projectid" not in r.headers
    assert r.headers["x-mstr-authtoken"]


def test_seed_001_with_prompts_and_save_request_by_request(mstr_server: ReferenceServer) -> None:
    # The running states the job goes through (the server's defaults have none).
    mstr_server.resolve_states, mstr_server.execute_states = (8, 23), (4, 5, 6, 7)
    with connect(mstr_server) as conn:
        result = conn.datamart(SEED_001_DATAMART).execute(
            ANSWERS, save=PromptOptions(with_answers=True)
        )
    iid = result.instance_id
    dm = SEED_001_DATAMART
    model = f"/api/model/datamarts/{dm}/instances"
    run = f"/api/datamarts/{dm}/instances/{iid}"
    report = f"/api/reports/{dm}/instances/{iid}"
    assert [shape(r) for r in mstr_server.requests] == [
        ("POST", "/api/auth/login", 204),
        # Step 1: the instance, named in the X-MSTR-MS-Instance response header.
        ("POST", model, 201),
        # Step 2: the job (the seed's reply says status 5, in the SQL engine).
        ("POST", f"{run}/execution/jobs", 200),
        # Step 3: poll the execution until it is prompted (2)...
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        # ... answer through the reports endpoints ...
        ("GET", f"{report}/prompts", 200),
        ("PUT", f"{report}/prompts/answers", 204),
        # ... and poll until it is done (1).
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        ("GET", f"{run}/execution", 200),
        # Step 4: save with the prompt options; step 5: delete.
        ("POST", f"{model}/save", 200),
        ("DELETE", model, 204),
        ("POST", "/api/auth/logout", 204),
    ]
    create, jobs = mstr_server.requests[1:3]
    assert create.body == b"" and jobs.body == b""
    assert create.headers["x-mstr-projectid"] == PROJECT_ID
    put = mstr_server.requests[7]
    assert put.json()["prompts"][0]["answers"] == [{"name": "USA"}, {"name": "England"}]
    save, delete = mstr_server.requests[13:15]
    assert save.json() == fixture("save-request.json")
    check_modeling_call(save, iid)
    check_modeling_call(delete, iid)
    assert result.saved_id == fixture("save-response.json")["objectId"] == dm
    assert result.status == 1 and result.job_id and result.job_id.startswith("10:")
    saved = mstr_server.saved[dm]
    assert "USA" in json.dumps(saved["answers"])


def test_seed_001_without_prompts_and_without_save(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        result = conn.datamart(UNPROMPTED_DATAMART).execute()
    lines = [r.line for r in mstr_server.requests]
    assert not any("/prompts" in line or "/save" in line for line in lines)
    assert lines[1:3] == [
        f"POST /api/model/datamarts/{UNPROMPTED_DATAMART}/instances",
        f"POST /api/datamarts/{UNPROMPTED_DATAMART}/instances/{result.instance_id}/execution/jobs",
    ]
    assert lines[-2:] == [
        f"DELETE /api/model/datamarts/{UNPROMPTED_DATAMART}/instances",
        "POST /api/auth/logout",
    ]
    assert result.saved_id is None and result.status == 1


def test_seed_001_save_as_with_prompt_options(mstr_server: ReferenceServer) -> None:
    sample = fixture("save-as-request.json")
    target = SaveAs(sample["name"], sample["destinationFolderId"], PromptOptions(with_answers=True))
    with connect(mstr_server) as conn:
        result = conn.datamart(SEED_001_DATAMART).execute(ANSWERS, save_as=target)
    save_as = next(r for r in mstr_server.requests if r.path.endswith("/saveAs"))
    assert save_as.json() == sample
    check_modeling_call(save_as, result.instance_id)
    assert result.saved_id in mstr_server.saved
    assert result.saved_id != SEED_001_DATAMART
    assert mstr_server.saved[result.saved_id]["name"] == "City"


def test_save_true_keeps_prompts_without_answers(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        conn.datamart(UNPROMPTED_DATAMART).execute(save=True)
    save = next(r for r in mstr_server.requests if r.path.endswith("/save"))
    assert save.json() == {
        "promptOptions": {
            "saveAsWithAnswers": False,
            "saveAsFilterWithPrompts": True,
            "saveAsTemplateWithPrompts": True,
        }
    }


def test_progress_reports_the_job_and_each_poll(mstr_server: ReferenceServer) -> None:
    mstr_server.execute_states = (4, 5, 6, 7)  # the server's defaults have none
    seen: list[RunStatus] = []
    with connect(mstr_server) as conn:
        conn.datamart(UNPROMPTED_DATAMART).execute(progress=lambda s, t: seen.append(s))
    assert [s.code for s in seen] == [5, 4, 5, 6, 7, 1]


def test_prompts_without_answers_fail_and_the_instance_goes(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, pytest.raises(PromptsOutstanding, match="Country"):
        conn.datamart(SEED_001_DATAMART).execute()
    assert mstr_server.requests[-2].method == "DELETE"


def test_rejected_answers_leave_no_instance(mstr_server: ReferenceServer) -> None:
    wrong = rest.decode(
        {
            "prompts": [
                {"name": "Elements of Country", "type": "ELEMENTS", "answers": [{"name": "Mars"}]}
            ]
        }
    )
    with connect(mstr_server) as conn, pytest.raises((AnswersRejectedByServer, PromptAnswerError)):
        conn.datamart(SEED_001_DATAMART).execute(wrong, validate=False)
    assert mstr_server.requests[-2].method == "DELETE"


def test_execution_error_skips_the_save(mstr_server: ReferenceServer) -> None:
    saved = mstr_server.execute_states
    mstr_server.execute_states = (4, 3)
    try:
        with connect(mstr_server) as conn, pytest.raises(ExecutionFailed, match="status 3"):
            conn.datamart(UNPROMPTED_DATAMART).execute(save=True)
    finally:
        mstr_server.execute_states = saved
    assert not any(r.path.endswith("/save") for r in mstr_server.requests)


def test_save_and_save_as_together_are_refused() -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=PROJECT_ID)
    with pytest.raises(PromptAnswerError, match="not both"):
        conn.datamart("D").execute(save=True, save_as=SaveAs("x", "F"))


def test_server_refuses_bad_prompt_options(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        datamart = conn.datamart(UNPROMPTED_DATAMART)
        with datamart.create() as instance:
            instance.start()
            instance.status()
            with pytest.raises(PromptAnswerError, match="must be true or false"):
                instance.save({"promptOptions": {"saveAsWithAnswers": "yes"}})


def test_a_server_that_lists_no_prompts_gets_the_answers_as_given(
    mstr_server: ReferenceServer,
) -> None:
    # Only the seed's own steps: no GET …/prompts for a datamart instance.
    mstr_server.fail(404, times=5, method="GET", path="/prompts$")
    with connect(mstr_server) as conn:
        result = conn.datamart(SEED_001_DATAMART).execute(ANSWERS, validate=False)
    assert result.status == 1
    put = next(r for r in mstr_server.requests if r.method == "PUT")
    assert put.json()["prompts"][0]["answers"] == [{"name": "USA"}, {"name": "England"}]
    assert not mstr_server.live_instances()
