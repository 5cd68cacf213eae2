"""Many runs at once: run_many against the reference server, with faults injected."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

from mstr_prompts import rest
from mstr_prompts.client import Connection, Job, Outcome, PollPolicy, ServerError
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, UNPROMPTED_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000 = rest.decode((FIXTURES / "client" / "seed-000-answer-elements-by-name.json").read_text())
FAST = PollPolicy(interval=0.002, factor=2.0, cap=0.02, timeout=60)
SLOWER = PollPolicy(interval=0.01, factor=2.0, cap=0.2, timeout=120)
"""200 runs polling at once would keep two cores busy with FAST's 20 ms cap."""


def connect(server: ReferenceServer, pool_size: int = 8, poll: PollPolicy = FAST) -> Connection:
    return Connection(
        server.url,
        username="user",
        password="password",
        project_id=PROJECT_ID,
        poll=poll,
        pool=urllib3.PoolManager(maxsize=pool_size),
    )


def jobs(count: int) -> Iterator[Job]:
    for number in range(count):
        if number % 2:
            yield Job(SEED_000_REPORT, SEED_000, sql=True, tag=number)
        else:
            yield Job(UNPROMPTED_REPORT, tag=number)


def check(outcome: Outcome) -> None:
    """A run ended with its own result, or with a clear library error."""
    if outcome.ok:
        if outcome.job.sql:
            assert "'USA', 'England'" in outcome.result
        else:
            rows = 57 if outcome.job.report_id == SEED_000_REPORT else 3
            assert outcome.result["data"]["paging"]["total"] == rows
    else:
        assert isinstance(outcome.error, PromptAnswerError)
        assert str(outcome.error) and "\n" not in str(outcome.error)


def test_results_and_errors_as_they_finish(mstr_server: ReferenceServer) -> None:
    work: list[Job | str | tuple[str, object]] = [
        *jobs(6),
        "00000000000000000000000000000000",  # no such report
        (SEED_000_REPORT, SEED_000),
        Job(SEED_000_REPORT),  # prompted, no answers
    ]
    with connect(mstr_server) as conn:
        outcomes = list(conn.run_many(work, max_parallel=4))
    assert len(outcomes) == len(work)
    failed = [o for o in outcomes if not o.ok]
    assert sorted(type(o.error).__name__ for o in failed) == ["NotFound", "PromptsOutstanding"]
    for outcome in outcomes:
        check(outcome)
    assert sorted(o.job.tag for o in outcomes if o.job.tag is not None) == list(range(6))
    assert not mstr_server.live_instances()


def test_at_most_max_parallel_runs_at_once(mstr_server: ReferenceServer) -> None:
    live: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            live.append(len(mstr_server.live_instances()))
            stop.wait(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with connect(mstr_server) as conn:
            outcomes = list(conn.run_many(jobs(24), max_parallel=3))
    finally:
        stop.set()
        watcher.join()
    assert all(o.ok for o in outcomes) and max(live) <= 3


def test_stopping_early_deletes_every_instance(mstr_server: ReferenceServer) -> None:
    mstr_server.slow(0.05, times=40, path="/status")
    with connect(mstr_server) as conn:
        results = conn.run_many(jobs(40), max_parallel=8)
        first = next(results)
        results.close()  # the caller stops iterating
    check(first)
    assert not mstr_server.live_instances()


def test_bad_jobs_and_parallelism_are_refused(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        with pytest.raises(PromptAnswerError, match="max_parallel"):
            list(conn.run_many([], max_parallel=0))
        with pytest.raises(PromptAnswerError, match="a job is"):
            list(conn.run_many([42]))  # type: ignore[list-item]


def test_200_concurrent_runs_under_faults_lose_nothing(mstr_server: ReferenceServer) -> None:
    """5xx bursts, dropped connections, session expiry and slow polls during 200 runs at once.

    The server keeps every run in a running state until all 200 have been created, so
    that the 200 are truly on the server at the same time; then it lets them finish.
    """
    server = mstr_server
    server.fail(503, times=60, method="GET", path="/status$", retry_after="0")
    server.fail(500, times=8, method="POST", path="/instances$")  # creation refused
    server.drop(times=20, method="GET", path="/status$")
    server.drop(times=4, method="POST", path="/instances$")
    server.fail(502, times=10, method="DELETE")
    server.drop(times=6, method="PUT")
    server.fail(503, times=6, method="PUT", retry_after="0")
    server.slow(0.2, times=30, method="GET", path="/status$")
    held = (4,) * 1_000_000
    server.resolve_states, server.execute_states = held, held
    stop = threading.Event()
    at_once: list[int] = []

    def created() -> int:
        """Creations that ended (with an instance, a 500 or a dropped connection)."""
        return sum(
            r.method == "POST" and r.path.endswith("/instances") and r.status in (202, 500, 0)
            for r in server.requests
        )

    def hold_then_release() -> None:
        while created() < 200 and not stop.wait(0.05):
            pass
        at_once.append(len(server.live_instances()))
        with server.lock:
            server.resolve_states, server.execute_states = (8, 23), (4, 5, 6, 7)
            for instance in server.instances.values():
                instance.schedule = instance.schedule[:2]

    def expire_sessions() -> None:
        for _ in range(4):  # the session ends four times while the runs go on
            if stop.wait(0.5):
                return
            server.expire_sessions()

    helpers = [threading.Thread(target=hold_then_release), threading.Thread(target=expire_sessions)]
    for helper in helpers:
        helper.start()
    try:
        with connect(server, pool_size=200, poll=SLOWER) as conn:
            outcomes = list(conn.run_many(jobs(200), max_parallel=200))
    finally:
        stop.set()
        for helper in helpers:
            helper.join()
    # 0 runs lost: every job has its outcome, with its own result or a clear error.
    assert sorted(o.job.tag for o in outcomes) == list(range(200))
    for outcome in outcomes:
        check(outcome)
    failed = [o for o in outcomes if not o.ok]
    # Only creation can fail for good (a POST is never repeated blindly).
    for outcome in failed:
        assert isinstance(outcome.error, ServerError)
        assert "/instances" in outcome.error.request and outcome.instance_id is None
    assert len(failed) <= 12, [str(o.error) for o in failed]
    # Every run that was created was on the server at the same time as all the others.
    assert at_once == [200 - len(failed)]
    assert any(r.status == 0 for r in server.requests)  # the faults did happen
    # 0 instances left on the server.
    assert not server.live_instances()


def test_a_generator_closed_on_one_of_its_own_threads_still_cleans_up(
    mstr_server: ReferenceServer,
) -> None:
    # Found by the issue-19 attack: a run_many generator dropped unfinished can be closed
    # by the garbage collector on one of the pool's threads; its cleanup then waited for
    # that very thread ("cannot join current thread") and deleted nothing.
    first_out = threading.Event()
    holder: dict[str, Any] = {}
    errors: list[BaseException] = []

    class Closing(Connection):
        def report(self, report_id: str, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread() and report_id == "B":
                assert first_out.wait(30)
                try:
                    holder["gen"].close()  # what the garbage collector would do here
                except BaseException as exc:
                    errors.append(exc)
                report_id = UNPROMPTED_REPORT
            return super().report(report_id, **kwargs)

    with Closing(
        mstr_server.url, username="user", password="password", project_id=PROJECT_ID, poll=FAST
    ) as conn:
        gen = conn.run_many([UNPROMPTED_REPORT, "B"], max_parallel=2)
        holder["gen"] = gen
        assert next(gen).ok
        first_out.set()
        deadline = time.monotonic() + 30
        while not errors and any(
            t.name == "mstr-run-cleanup" or t.name.startswith("mstr-run")
            for t in threading.enumerate()
        ):
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert not errors
    assert mstr_server.live_instances() == []
