"""SIGTERM, SIGHUP and Ctrl-C clean up: no instance and no session left on the server.

Real signals go to a CLI process of its own while it waits on the reference server,
which runs on a thread of the test process and holds every run in a running state until
the signal has arrived.  ``wait`` is the exception: it leaves the run on the server,
says so in one line, and the same handle resumes it.  ``run_many`` is checked in this
process, with the signal sent to it from another thread.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mstr_prompts.client import Connection, Job, PollPolicy
from mstr_prompts.client.signals import Terminated, signals_as_interrupts
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, SEED_001_DATAMART, UNPROMPTED_REPORT

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")

ROOT = Path(__file__).parent.parent
SEED_000 = ROOT / "fixtures" / "client" / "seed-000-answer-elements-by-name.json"
SEED_001 = ROOT / "fixtures" / "datamart" / "answer-elements-of-country.json"
HELD = (5,) * 1_000_000  # IN_SQL_ENGINE for as long as the test needs


@pytest.fixture
def held(mstr_server: ReferenceServer) -> Iterator[ReferenceServer]:
    """Every run stays running (and every report resolution too) until released."""
    mstr_server.execute_states = HELD
    mstr_server.resolve_states = (8,) * 1_000_000
    mstr_server.status_polls = 1_000_000  # HTTP 202 from every status endpoint
    with mstr_server.lock:  # sessions other tests left on the session-wide server
        _BEFORE[id(mstr_server)] = set(mstr_server.sessions)
    mstr_server.retry_after = "0.05"
    try:
        yield mstr_server
    finally:
        release(mstr_server)
        mstr_server.expire_instances()


_BEFORE: dict[int, set[str]] = {}


def new_sessions(server: ReferenceServer) -> set[str]:
    """Sessions opened since the test began and still open (not logged out)."""
    with server.lock:
        return set(server.sessions) - _BEFORE.get(id(server), set())


def release(server: ReferenceServer) -> None:
    with server.lock:
        server.execute_states = (4,)
        server.resolve_states = ()
        server.status_polls = 0
        for instance in server.instances.values():
            instance.schedule.clear()
            instance.pending_polls = 0


def start(server: ReferenceServer, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSTR_")}
    env.update(MSTR_USERNAME="user", MSTR_PASSWORD="password", PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen(
        [sys.executable, "-m", "mstr_prompts", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def polled(server: ReferenceServer, *, suffix: str, times: int = 2) -> None:
    """Wait until the server has answered ``times`` polls ending in ``suffix``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with server.lock:
            seen = sum(1 for r in server.requests if r.path.endswith(suffix))
        if seen >= times:
            return
        time.sleep(0.02)
    raise AssertionError(f"no poll of …{suffix} within 60 s")


def stopped(process: subprocess.Popen[bytes], signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    return process.returncode, err.decode()


SIGNALS = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]


@pytest.mark.parametrize("signum", SIGNALS)
def test_run_cleans_up(held: ReferenceServer, signum: int) -> None:
    base = ["run", "--base", held.url, "--project", PROJECT_ID]
    process = start(held, *base, "--report", UNPROMPTED_REPORT, "--data")
    polled(held, suffix="/status")
    status, err = stopped(process, signum)
    assert status == 128 + signum, err
    assert not held.live_instances() and not new_sessions(held)
    assert "Traceback" not in err


@pytest.mark.parametrize("signum", SIGNALS)
def test_run_async_cleans_up_while_submitting(held: ReferenceServer, signum: int) -> None:
    base = ["run", "--base", held.url, "--project", PROJECT_ID, "--report", SEED_000_REPORT]
    process = start(held, *base, "--sql", "--async", str(SEED_000))
    polled(held, suffix="/status")  # resolving the prompts, before the answers
    status, err = stopped(process, signum)
    assert status == 128 + signum, err
    assert not held.live_instances() and not new_sessions(held)


@pytest.mark.parametrize("signum", SIGNALS)
def test_datamart_cleans_up(held: ReferenceServer, signum: int) -> None:
    base = ["datamart", "--base", held.url, "--project", PROJECT_ID]
    process = start(held, *base, "--datamart", SEED_001_DATAMART, str(SEED_001))
    polled(held, suffix="/execution")
    status, err = stopped(process, signum)
    assert status == 128 + signum, err
    assert not held.live_instances() and not new_sessions(held)


@pytest.mark.parametrize("signum", SIGNALS)
def test_wait_leaves_the_run_and_the_handle_resumes(held: ReferenceServer, signum: int) -> None:
    with Connection(held.url, username="user", password="password", project_id=PROJECT_ID) as conn:
        handle = conn.report(UNPROMPTED_REPORT).submit().to_json()
    process = start(held, "wait", "--base", held.url, handle)
    polled(held, suffix="/status")
    status, err = stopped(process, signum)
    assert status == 128 + signum, err
    lines = err.splitlines()
    assert len(lines) == 1 and "the run goes on on the server" in lines[0], err
    assert len(held.live_instances()) == 1 and not new_sessions(held)
    release(held)
    again = start(held, "wait", "--base", held.url, handle)
    out, err2 = again.communicate(timeout=60)
    assert again.returncode == 0, err2
    assert json.loads(out)["data"]["paging"]["total"] == 3
    assert not held.live_instances() and not new_sessions(held)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_delete_still_deletes(held: ReferenceServer, signum: int) -> None:
    # Found by the issue-19 attack: a signal while the final DELETE was on its way cut it
    # short; the logout then ended the session before the server took the DELETE, and
    # the instance stayed.
    release(held)
    slow = held.slow(3.0, method="DELETE", path="/instances$")
    base = ["run", "--base", held.url, "--project", PROJECT_ID]
    process = start(held, *base, "--report", UNPROMPTED_REPORT, "--data")
    deadline = time.monotonic() + 60
    while slow.times > 0:  # the DELETE has arrived and is held
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    status, err = stopped(process, signum)
    assert status == 128 + signum, err
    time.sleep(3.5)  # the held DELETE is answered (refused: the session is over)
    assert not held.live_instances() and not new_sessions(held)
    assert "Traceback" not in err


def test_run_many_cleans_up_on_sigterm(held: ReferenceServer) -> None:
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("the test runner handles SIGTERM itself")
    fast = PollPolicy(interval=0.01, cap=0.05)

    def kill_once_installed() -> None:
        deadline = time.monotonic() + 60
        while signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        polled(held, suffix="/status", times=6)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=kill_once_installed, daemon=True)
    with Connection(
        held.url, username="user", password="password", project_id=PROJECT_ID, poll=fast
    ) as conn:
        jobs = [Job(UNPROMPTED_REPORT) for _ in range(4)]
        sender.start()
        with pytest.raises(Terminated) as caught:
            for _ in conn.run_many(jobs, max_parallel=4):
                pass
        assert caught.value.signum == signal.SIGTERM
        assert not held.live_instances()
    sender.join(5)
    assert not new_sessions(held)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back


def test_signals_as_interrupts_leaves_other_handlers_alone() -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    old = signal.signal(signal.SIGHUP, mine)
    try:
        with signals_as_interrupts():
            assert signal.getsignal(signal.SIGHUP) is mine
        assert signal.getsignal(signal.SIGHUP) is mine
    finally:
        signal.signal(signal.SIGHUP, old)
