"""Benchmark: the client's overhead per request against a bare urllib3 PoolManager.

Both sides make the same request to the reference server on loopback: ``GET
…/instances/{iid}/status`` with the token, cookies and project headers, and the same
JSON reply.  The client (``Connection.request`` plus ``Response.json``) adds header
building, the cookie store, error mapping and JSON reading; the floor is
``PoolManager.request`` with a prebuilt header dict and ``json.loads``.  The server's
own time is in both, as it is in real use.  Interleaved rounds, best round of each (``harness.py``),
so noise only ever makes us look slower.  The issue's target is a ratio of at most 1.5.

A second pair reads a 500-row page of report data (``GET /api/v2/reports/{id}/instances/{iid}``).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_client.py``).
"""

from __future__ import annotations

import json

import urllib3
from harness import compare, report

from mstr_prompts.client import Connection
from mstr_prompts.testing import PROJECT_ID, ReferenceServer, demo_catalog
from mstr_prompts.testing.catalog import UNPROMPTED_REPORT

TARGET = 1.5
PER_ROUND = 200


def main() -> None:
    catalog = demo_catalog()
    catalog[UNPROMPTED_REPORT].rows = [(f"Row {i}", 1000.0 + i) for i in range(500)]
    with ReferenceServer(catalog, status_polls=0) as server:
        conn = Connection(server.url, username="user", password="password", project_id=PROJECT_ID)
        instance = conn.report(UNPROMPTED_REPORT).create(stage="execute_data")
        status_path = f"{instance.path}/status"
        # The same headers the client sends, prebuilt once for the floor.
        headers = {
            "Accept": "application/json",
            "X-MSTR-AuthToken": conn._token or "",
            "Cookie": conn._cookie_header,
            "X-MSTR-ProjectID": PROJECT_ID,
        }
        pool = urllib3.PoolManager(maxsize=8, block=False)
        url = server.url + status_path
        timeout = urllib3.Timeout(connect=10.0, read=120.0)
        retries = urllib3.Retry(total=3, status_forcelist={503}, raise_on_status=False)

        def bare_get() -> object:
            return json.loads(
                pool.request("GET", url, headers=headers, timeout=timeout, retries=retries).data
            )

        def client_get() -> object:
            return conn.request("GET", status_path).json()

        data_url = server.url + instance.v2_path + "?limit=1000"

        def bare_data() -> object:
            response = pool.request(
                "GET", data_url, headers=headers, timeout=timeout, retries=retries
            )
            return json.loads(response.data)

        def client_data() -> object:
            return conn.request("GET", instance.v2_path, query={"limit": 1000}).json()

        assert client_get() == bare_get()
        assert client_data() == bare_data()
        rows = [
            compare("GET …/status", client_get, bare_get, target=TARGET, number=PER_ROUND),
            compare(
                "GET report data, 500 rows", client_data, bare_data, target=TARGET, number=PER_ROUND
            ),
        ]
        instance.delete()
        conn.close()
    report("Client request vs bare urllib3 PoolManager (loopback)", "urllib3", rows)


if __name__ == "__main__":
    main()
