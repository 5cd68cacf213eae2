"""Asynchronous runs with handles, against the reference server over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mstr_prompts import rest
from mstr_prompts.client import (
    Connection,
    ExecutionFailed,
    InstanceGone,
    PollPolicy,
    PromptsOutstanding,
    Run,
    RunHandleError,
    RunStatus,
    RunTimeout,
    ServerError,
)
from mstr_prompts.errors import DecodeError
from mstr_prompts.model import AnswerSet
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import NESTED_REPORT, SEED_000_REPORT, UNPROMPTED_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000_BODY = (FIXTURES / "client" / "seed-000-answer-elements-by-name.json").read_text()
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=30)


@pytest.fixture
def server(mstr_server: ReferenceServer) -> Iterator[ReferenceServer]:
    """The session's server; the fixture resets every setting these tests change."""
    yield mstr_server


def test_the_fixture_reset_every_setting_the_last_test_changed(
    server: ReferenceServer,
) -> None:
    fresh = ReferenceServer()
    for name in ("status_polls", "retry_after", "resolve_states", "execute_states"):
        assert getattr(server, name) == getattr(fresh, name), name
    assert server.instance_ttl is None and server.page_size == fresh.page_size
    server.execute_states, server.instance_ttl = (5,), 0.0  # the next test sees neither


def test_polls_wait_out_transient_failures_a_bounded_number_of_times(
    server: ReferenceServer,
) -> None:
    with connect(server, retries=0) as conn:
        # Three polls in a row fail (no retries on the connection): the run goes on.
        server.fail(503, times=2, method="GET", path="/status$")
        server.drop(times=1, method="GET", path="/status$")
        assert conn.report(UNPROMPTED_REPORT).run()["data"]["paging"]["total"] == 3
        server.clear()
        # A server that keeps failing: the poll's own error once the bound is passed.
        server.fail(503, times=1000, method="GET", path="/status$")
        run = conn.report(UNPROMPTED_REPORT).submit()
        with pytest.raises(ServerError, match="HTTP 503"):
            run.result()
        assert run.deleted or not server.live_instances()
        fails = [r for r in server.requests if r.status == 503]
        assert len(fails) == FAST.errors + 1
        server.clear()


def connect(server: ReferenceServer, **kwargs: object) -> Connection:
    return Connection(
        server.url,
        username="user",
        password="password",
        project_id=PROJECT_ID,
        poll=FAST,
        **kwargs,  # type: ignore[arg-type]
    )


def lines(server: ReferenceServer) -> list[str]:
    return [f"{r.line} {r.status}" for r in server.requests]


def nested_answers(*, customer: str | None) -> AnswerSet:
    """Answers for the nested report's rounds 1 and 2, and round 3 if ``customer``."""
    prompts: list[dict[str, object]] = [
        {"key": "A1000000000000000000000000000001@0@10", "type": "VALUE", "answers": "2016"},
        {
            "key": "A1000000000000000000000000000002@0@10",
            "type": "ELEMENTS",
            "answers": [{"name": "2016"}],
        },
    ]
    if customer is not None:
        prompts.append(
            {"key": "A1000000000000000000000000000003@0@10", "type": "VALUE", "answers": customer}
        )
    return rest.decode({"prompts": prompts})


def test_submit_answers_and_returns_without_waiting_for_the_data(
    server: ReferenceServer,
) -> None:
    server.status_walk = True  # the 200-with-running-states walk some servers do
    server.status_polls = 1  # and a 202 first (the server's defaults have neither)
    server.resolve_states, server.execute_states = (8, 23), (4, 5, 6, 7)
    with connect(server) as conn:
        run = conn.report(SEED_000_REPORT).submit(rest.decode(SEED_000_BODY))
        submitted = lines(server)
        # Still executing on the server: the run's status says so.
        assert run.status().state == "running"
        data = run.result()
    iid = run.instance_id
    base = f"/api/reports/{SEED_000_REPORT}/instances/{iid}"
    assert submitted == [
        "POST /api/auth/login 204",
        f"POST /api/model/reports/{SEED_000_REPORT}/instances 202",
        f"GET {base}/status 202",
        f"GET {base}/status 200",  # 8: in resolution
        f"GET {base}/status 200",  # 23: loading the prompt
        f"GET {base}/status 200",  # 2: prompted
        f"GET {base}/prompts 200",
        f"PUT {base}/prompts/answers 204",
    ]
    create = server.requests[1]
    assert create.headers["prefer"] == "respond-async"
    assert create.query == {"executionStage": ["execute_data"]}
    assert data["data"]["paging"]["total"] == 57
    assert run.deleted and not server.live_instances()


def test_status_walks_the_running_states(server: ReferenceServer) -> None:
    server.status_walk = True  # the 200-with-running-states walk some servers do
    server.status_polls, server.execute_states = 0, (4, 5, 6, 7)
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        seen: list[RunStatus] = []
        run.wait(progress=lambda status, waited: seen.append(status))
        run.delete()
    assert [s.name for s in seen] == [
        "JOB_RUNNING",
        "IN_SQL_ENGINE",
        "IN_QUERY_ENGINE",
        "IN_ANALYTICAL_ENGINE",
        "RESULT",
    ]
    assert [s.state for s in seen][-1] == "ready"


def test_seed_002_submit_store_resume_from_a_new_connection(server: ReferenceServer) -> None:
    with connect(server) as first:
        handle = first.report(SEED_000_REPORT).submit(rest.decode(SEED_000_BODY)).to_json()
    assert "password" not in handle and "user" not in handle
    assert len(server.live_instances()) == 1  # it survives the first session's logout
    server.clear()
    with connect(server) as second:
        run = Run.from_json(second, handle)
        data = run.result()
    assert data["data"]["paging"]["total"] == 57
    assert server.requests[0].line == "POST /api/auth/login"
    assert not server.live_instances()


def test_handle_resumes_in_another_process(server: ReferenceServer) -> None:
    with connect(server) as conn:
        handle = conn.report(SEED_000_REPORT).submit(rest.decode(SEED_000_BODY), sql=True).to_json()
    script = (
        "import sys\n"
        "from mstr_prompts.client import Connection, Run\n"
        "with Connection(sys.argv[1], username='user', password='password') as conn:\n"
        "    print(Run.from_json(conn, sys.argv[2]).result())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, server.url, handle],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "'USA', 'England'" in done.stdout
    assert not server.live_instances()


def test_handle_of_a_deleted_instance_is_a_clear_error(server: ReferenceServer) -> None:
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        handle = run.to_json()
        run.delete()
        resumed = Run.from_json(conn, handle)
        with pytest.raises(InstanceGone) as caught:
            resumed.wait()
    error = caught.value
    assert error.status == 404 and error.code == 4
    assert run.instance_id in str(error) and "is gone from the server" in str(error)
    assert "Message not found" in str(error)


def test_expired_instance_is_gone(server: ReferenceServer) -> None:
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        server.expire_instances()
        with pytest.raises(InstanceGone):
            run.result()


def test_instances_expire_after_their_idle_time(server: ReferenceServer) -> None:
    server.instance_ttl = 0.0
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        with pytest.raises(InstanceGone):
            run.status()
    assert not server.live_instances()


def test_timeout_raises_run_timeout_holding_the_handle(server: ReferenceServer) -> None:
    server.status_walk = True  # the 200-with-running-states walk some servers do
    server.execute_states = (5,) * 100_000
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        with pytest.raises(RunTimeout) as caught:
            run.wait(timeout=0.05)
        error = caught.value
        assert error.run is run and json.loads(error.handle)["instance"] == run.instance_id
        assert error.last is not None and error.last.name == "IN_SQL_ENGINE"
        assert "mstr-prompts wait" in str(error)
        assert server.live_instances() == [run.instance_id]  # kept for resuming
        server.instances[run.instance_id].schedule.clear()
        assert Run.from_json(conn, error.handle).result()["data"]["paging"]["total"] == 3


def test_polling_honours_retry_after_then_backs_off_to_the_cap(
    server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(Run, "_sleep", staticmethod(slept.append))
    server.status_walk = True  # the 200-with-running-states walk some servers do
    server.status_polls, server.retry_after = 2, "3"
    server.execute_states = (4, 5, 6, 7, 9, 10)
    policy = PollPolicy(interval=0.01, factor=2.0, cap=0.1, timeout=60)
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        run.policy = policy
        run.wait()
        run.delete()
    # Retry-After for each 202; it says when to look again, so the back-off starts over
    # from the interval after it and doubles up to its cap (issue 19: it used to keep
    # growing through the 202s, 23 s of waiting for 8 s of work).
    assert slept == [3.0, 3.0, 0.01, 0.02, 0.04, 0.08, 0.1, 0.1]


def test_retry_after_is_capped(server: ReferenceServer, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(Run, "_sleep", staticmethod(slept.append))
    server.status_polls, server.retry_after = 1, "86400"
    server.execute_states = ()
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        run.wait()
        run.delete()
    assert slept == [FAST.retry_after_cap]


def test_nested_rounds_are_answered_at_submission(server: ReferenceServer) -> None:
    answers = nested_answers(customer="Jo")
    with connect(server) as conn:
        run = conn.report(NESTED_REPORT).submit(answers, sql=True)
        puts = [r for r in server.requests if r.method == "PUT"]
        assert len(puts) == 3
        # After the last round nothing was polled: submission does not wait for the run.
        assert server.requests[-1].method == "PUT"
        sql = run.result()
    assert "'2016'" in sql and "'Jo'" in sql


def test_unanswered_prompt_surfaces_at_the_result_and_the_instance_goes(
    server: ReferenceServer,
) -> None:
    with connect(server) as conn:
        run = conn.report(SEED_000_REPORT).submit()
        # Nothing to answer with: submission returned right after creating the instance.
        assert [r.method for r in server.requests] == ["POST", "POST"]
        with pytest.raises(PromptsOutstanding) as caught:
            run.result()
    assert "Elements of Country" in str(caught.value)
    assert run.deleted and not server.live_instances()


def test_execution_error_is_reported_and_the_instance_deleted(server: ReferenceServer) -> None:
    server.execute_states = (5, 3)
    with connect(server) as conn:
        run = conn.report(UNPROMPTED_REPORT).submit()
        with pytest.raises(ExecutionFailed, match="status 3"):
            run.result()
    assert not server.live_instances()


def test_report_run_is_the_synchronous_convenience(server: ReferenceServer) -> None:
    with connect(server) as conn:
        sql = conn.report(SEED_000_REPORT).run(rest.decode(SEED_000_BODY), sql=True, timeout=30)
    assert "'USA', 'England'" in sql
    assert not server.live_instances()


def test_with_block_deletes_the_instance(server: ReferenceServer) -> None:
    with connect(server) as conn, conn.report(UNPROMPTED_REPORT).submit() as run:
        assert run.status().state in ("running", "ready")
    assert not server.live_instances()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "expected a JSON object"),
        ("{}", "not an mstr-prompts run handle"),
        ('{"mstrPromptsRun": 9, "kind": "report"}', "version 9 is not supported"),
        (
            '{"mstrPromptsRun": 1, "kind": "cube", "report": "R", "instance": "I"}',
            "unknown run kind",
        ),
        ('{"mstrPromptsRun": 1, "kind": "report", "report": "R"}', '"instance" must be'),
        (
            '{"mstrPromptsRun": 1, "kind": "report", "report": "R", "instance": "I", "limit": 0}',
            '"limit" must be',
        ),
        (
            '{"mstrPromptsRun": 1, "kind": "report", "report": "R", "instance": "I", "project": "X"}',
            "the handle is for project X",
        ),
    ],
)
def test_bad_handles_are_refused_clearly(text: str, message: str) -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=PROJECT_ID)
    with pytest.raises(RunHandleError, match=message) as caught:
        Run.from_json(conn, text)
    assert isinstance(caught.value, DecodeError)
    assert str(caught.value).startswith("run handle: ")


def test_handle_round_trip_keeps_what_the_run_returns() -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=PROJECT_ID)
    run = Run(conn, "R", "I", sql=True, limit=50, missing="default", validate=False)
    again = Run.from_json(conn, run.to_json())
    assert again.handle() == run.handle()
    # A connection without a project takes the handle's.
    bare = Connection("http://127.0.0.1:1", login_mode=8)
    assert Run.from_json(bare, run.to_json()).conn.project_id == PROJECT_ID


def test_stored_version_1_handle_still_reads() -> None:
    text = (FIXTURES / "runs" / "handle-v1.json").read_text()
    conn = Connection("https://demo.microstrategy.com/MicroStrategyLibrary", login_mode=8)
    run = Run.from_json(conn, text)
    assert (run.report_id, run.instance_id, run.sql) == (
        SEED_000_REPORT,
        "95DB57A54ACCCF292F0C0E9689EDF0A4",
        True,
    )
    assert json.loads(run.to_json()) == json.loads(text)


def test_a_round_left_open_at_submission_takes_the_missing_policy_in_wait(
    server: ReferenceServer,
) -> None:
    answers = nested_answers(customer=None)
    with connect(server) as conn:
        handle = conn.report(NESTED_REPORT).submit(answers, sql=True, missing="default").to_json()
    # Round 3 (optional, with a default) opens after submission; the resumed run answers it.
    with connect(server) as conn:
        sql = Run.from_json(conn, handle).result()
    assert "'Smith'" in sql
    assert not server.live_instances()
