"""Benchmark: the client's overhead per request against a bare urllib3 PoolManager.

Both sides make the same request to the reference server on loopback: ``GET
…/instances/{iid}/status`` with the token, cookies and project headers, and the same
JSON reply.  The client (``Connection.request`` plus ``Response.json``) adds header
building, the cookie store, error mapping and JSON reading; the floor is
``PoolManager.request`` with a prebuilt header dict and ``json.loads``.  The server's
own time is in both, as it is in real use.  Interleaved rounds, best round of each, so
noise only ever makes us look slower.  The issue's target is a ratio of at most 1.5.

A second pair times a PUT of a 200-element REST answer body (``json.dumps`` included on
both sides).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_client.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import urllib3

from mstr_prompts.client import Connection
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT

ROUNDS = 15
PER_ROUND = 200


def best_per_call(functions: list[Callable[[], object]]) -> list[float]:
    """Best seconds per call of each function, over interleaved rounds."""
    best = [float("inf")] * len(functions)
    for _ in range(ROUNDS):
        for i, function in enumerate(functions):
            started = time.perf_counter()
            for _ in range(PER_ROUND):
                function()
            best[i] = min(best[i], (time.perf_counter() - started) / PER_ROUND)
    return best


def main() -> None:
    with ReferenceServer(status_polls=0) as server:
        conn = Connection(server.url, username="user", password="password", project_id=PROJECT_ID)
        instance = conn.report(SEED_000_REPORT).create()
        status_path = f"{instance.path}/status"
        answers_path = f"{instance.path}/prompts/answers"
        # The same headers the client sends, prebuilt once for the floor.
        headers = {
            "Accept": "application/json",
            "X-MSTR-AuthToken": conn._token or "",
            "Cookie": "; ".join(f"{k}={v}" for k, v in conn._cookies.items()),
            "X-MSTR-ProjectID": PROJECT_ID,
        }
        pool = urllib3.PoolManager(maxsize=8, block=False)
        url = server.url + status_path
        put_url = server.url + answers_path
        timeout = urllib3.Timeout(connect=10.0, read=120.0)
        retries = urllib3.Retry(total=3, status_forcelist={503}, raise_on_status=False)
        body = {
            "prompts": [
                {
                    "key": "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10",
                    "type": "ELEMENTS",
                    "answers": [{"name": "USA"}] * 200,
                }
            ]
        }

        def bare_get() -> object:
            return json.loads(
                pool.request("GET", url, headers=headers, timeout=timeout, retries=retries).data
            )

        def client_get() -> object:
            return conn.request("GET", status_path).json()

        put_headers = dict(headers, **{"Content-Type": "application/json"})

        def bare_put() -> object:
            data = json.dumps(body, ensure_ascii=False).encode()
            return pool.request(
                "PUT", put_url, body=data, headers=put_headers, timeout=timeout, retries=retries
            ).status

        def client_put() -> object:
            # A 400 from the server (the names are not all valid) is what both sides get.
            try:
                return conn.request("PUT", answers_path, json_body=body).status
            except Exception:  # noqa: BLE001 - same work as the bare side
                return 400

        assert client_get() == bare_get()
        get_client, get_bare, put_client, put_bare = best_per_call(
            [client_get, bare_get, client_put, bare_put]
        )
        instance.delete()
        conn.close()
    print(f"{'request':<28}{'client':>10}{'bare urllib3':>15}{'ratio':>8}")
    for name, ours, floor in (
        ("GET …/status", get_client, get_bare),
        ("PUT …/prompts/answers (200)", put_client, put_bare),
    ):
        print(f"{name:<28}{ours * 1e6:>7.0f} µs{floor * 1e6:>12.0f} µs{ours / floor:>7.2f}x")


if __name__ == "__main__":
    main()
