"""Benchmark: 500 prompted runs through ``Connection.run_many`` against the reference server.

The reference server runs in a child process (so its request log is not the client's
memory).  Each run is seed 000's prompted report answered with "USA" and "England":
asynchronous creation (202), status poll, open prompts, ``PUT`` answers, status poll,
data, delete; the server finishes at once (no running states), so the figures are the
client's cost, not waiting.

* throughput (runs per second) and p50/p95 latency of ``run_many`` with 8 in parallel;
* the floor: the same request sequence made with bare urllib3 calls (one
  ``PoolManager``, the same 8 threads, no model, no checks), and our ratio to it;
* memory: the peak of Python allocations (``tracemalloc``) while 1,000 runs go through
  ``run_many`` with their outcomes dropped as they come, against the largest peak of ten
  batches of 100 runs (see :func:`peak_memory`); the ratio must stay within 1.2.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_run_many.py``).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import urllib3

from mstr_prompts import rest
from mstr_prompts.client import Connection, Job, PollPolicy
from mstr_prompts.testing import PROJECT_ID
from mstr_prompts.testing.catalog import SEED_000_REPORT

RUNS = 500
PARALLEL = 8
ANSWER_BODY = {
    "prompts": [
        {
            "name": "Elements of Country",
            "type": "ELEMENTS",
            "answers": [{"name": "USA"}, {"name": "England"}],
        }
    ]
}
POLICY = PollPolicy(interval=0.001, factor=2.0, cap=0.01, timeout=60)
SERVER = """
import sys
from mstr_prompts.testing import ReferenceServer
server = ReferenceServer(status_polls=0, resolve_states=(), execute_states=(), page_size=1000)
server.start()
print(server.url, flush=True)
sys.stdin.read()
server.stop()
"""


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The reference server in a child process; its URL."""
    child = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, child.stdout.readline().strip()


def jobs(count: int) -> Iterator[Job]:
    answers = rest.decode(ANSWER_BODY)
    for _ in range(count):
        yield Job(SEED_000_REPORT, answers)


def ours(url: str, count: int) -> tuple[float, list[float]]:
    """Wall time and per-run latencies of ``count`` runs through ``run_many``."""
    with Connection(url, login_mode=8, project_id=PROJECT_ID, poll=POLICY) as conn:
        conn.login()
        started = time.perf_counter()
        latencies = []
        for outcome in conn.run_many(jobs(count), max_parallel=PARALLEL):
            outcome.unwrap()
            latencies.append(outcome.elapsed)
        return time.perf_counter() - started, latencies


def bare(url: str, count: int) -> tuple[float, list[float]]:
    """The same runs with bare urllib3: the least any client must do."""
    pool = urllib3.PoolManager(maxsize=PARALLEL)
    login = pool.request("POST", f"{url}/api/auth/login", json={"loginMode": 8})
    cookies = "; ".join(c.split(";")[0] for c in login.headers.getlist("Set-Cookie"))
    headers = {
        "X-MSTR-AuthToken": login.headers["X-MSTR-AuthToken"],
        "Cookie": cookies,
        "X-MSTR-ProjectID": PROJECT_ID,
        "Accept": "application/json",
    }
    body = json.dumps(ANSWER_BODY).encode()

    def status(path: str) -> int:
        while True:
            reply = pool.request("GET", f"{path}/status", headers=headers)
            if reply.status == 200:
                code = int(json.loads(reply.data)["status"])
                if code in (1, 2, 3):
                    return code
            time.sleep(0.001)

    def one() -> float:
        started = time.perf_counter()
        created = pool.request(
            "POST",
            f"{url}/api/model/reports/{SEED_000_REPORT}/instances?executionStage=execute_data",
            headers={**headers, "Prefer": "respond-async"},
        )
        iid = json.loads(created.data)["id"]
        path = f"{url}/api/reports/{SEED_000_REPORT}/instances/{iid}"
        assert status(path) == 2
        pool.request("GET", f"{path}/prompts?closed=false", headers=headers)
        put = pool.request(
            "PUT",
            f"{path}/prompts/answers",
            body=body,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert put.status == 204
        assert status(path) == 1
        data = pool.request(
            "GET", f"{url}/api/v2/reports/{SEED_000_REPORT}/instances/{iid}", headers=headers
        )
        json.loads(data.data)
        pool.request(
            "DELETE",
            f"{url}/api/model/reports/{SEED_000_REPORT}/instances",
            headers={
                "X-MSTR-AuthToken": headers["X-MSTR-AuthToken"],
                "Cookie": cookies,
                "X-MSTR-MS-Instance": iid,
            },
        )
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL) as executor:
        latencies = list(executor.map(lambda _: one(), range(count)))
    return time.perf_counter() - started, latencies


def peak_memory(url: str) -> tuple[list[int], int, int, int]:
    """Peaks of traced allocations: ten batches of 100 runs, then one of 1,000.

    A peak is the most memory live at one moment: it comes when several of the 8 runs in
    flight are at their largest at once, which a longer batch has more chances to meet.
    So the 1,000 runs are compared with the largest peak of ten 100-run batches (the same
    number of runs seen), not with one batch.  Outcomes are dropped as they come.  Also
    returned: the memory still held after the 100-run batches and after the 1,000 runs,
    which shows whether anything accumulates run after run.
    """
    with Connection(url, login_mode=8, project_id=PROJECT_ID, poll=POLICY) as conn:
        conn.login()
        for outcome in conn.run_many(jobs(200), max_parallel=PARALLEL):  # warm up
            outcome.unwrap()
        tracemalloc.start()
        small = []
        for _ in range(10):
            tracemalloc.reset_peak()
            for outcome in conn.run_many(jobs(100), max_parallel=PARALLEL):
                outcome.unwrap()
            small.append(tracemalloc.get_traced_memory()[1])
        held_small = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for outcome in conn.run_many(jobs(1000), max_parallel=PARALLEL):
            outcome.unwrap()
        held_large, large = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return small, large, held_small, held_large


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, run: Callable[[str, int], tuple[float, list[float]]], url: str) -> float:
    wall, latencies = run(url, RUNS)
    print(
        f"{name:<22} {RUNS / wall:8.0f} runs/s   p50 {percentile(latencies, 0.5) * 1000:6.1f} ms"
        f"   p95 {percentile(latencies, 0.95) * 1000:6.1f} ms   mean "
        f"{statistics.fmean(latencies) * 1000:6.1f} ms"
    )
    return wall


def main() -> None:
    child, url = start_server()
    try:
        print(f"{RUNS} prompted runs, {PARALLEL} in parallel, reference server in a child process")
        # Interleave the two so that machine noise hits both alike; keep the best.
        walls: dict[str, list[float]] = {"run_many": [], "bare urllib3 (floor)": []}
        for _ in range(2):
            walls["bare urllib3 (floor)"].append(report("bare urllib3 (floor)", bare, url))
            walls["run_many"].append(report("run_many", ours, url))
        ratio = min(walls["run_many"]) / min(walls["bare urllib3 (floor)"])
        print(f"overhead: run_many wall time / bare urllib3 = {ratio:.2f}x")
        small, large, held_small, held_large = peak_memory(url)
        print(
            f"memory peak: 100 runs {min(small) / 1024:.0f}-{max(small) / 1024:.0f} KiB "
            f"(ten batches), 1,000 runs {large / 1024:.0f} KiB, ratio to the largest "
            f"100-run peak {large / max(small):.2f} (target <= 1.2); held after: "
            f"{held_small / 1024:.0f} KiB and {held_large / 1024:.0f} KiB"
        )
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)


if __name__ == "__main__":
    main()
