"""The reference server as any HTTP client meets it: requests, a standard cookie jar, raw sockets.

Nothing here uses our client: ``requests.Session`` (RFC 6265 cookie jar) drives the
seeds' workflows as written, raw sockets send what no library would, and the server
runs as a separate process from the shell.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import (
    COUNTRY_ATTRIBUTE,
    DEMO_DOCUMENT,
    DEMO_DOSSIER,
    NESTED_REPORT,
    OBJECT_PROMPT_REPORT,
    SEED_000_REPORT,
    SEED_001_DATAMART,
    UNPROMPTED_REPORT,
)

COUNTRY_KEY = "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10"
ERROR_KEYS = {"code", "message", "ticketId", "iServerCode"}
SEED_000_BODY = json.loads(
    (
        Path(__file__).parent.parent / "fixtures/client/seed-000-answer-elements-by-name.json"
    ).read_text()
)


def session(server: ReferenceServer, user: str = "user", password: str = "password") -> Any:
    """A logged-in ``requests.Session``: its jar keeps the cookies, the token is a header."""
    s = requests.Session()
    if server.tls:
        s.verify = server.ca_file
    s.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    r = s.post(
        f"{server.url}/api/auth/login",
        json={"username": user, "password": password, "loginMode": 1},
        timeout=10,
    )
    assert r.status_code == 204, r.text
    s.headers.update({"X-MSTR-AuthToken": r.headers["X-MSTR-AuthToken"]})
    s.headers.update({"X-MSTR-ProjectID": server.project_id})
    return s


def error(r: Any, status: int, code: str) -> dict[str, Any]:
    """The MicroStrategy error body of ``r``, checked for status, code and shape."""
    assert r.status_code == status, (r.status_code, r.text)
    body: dict[str, Any] = r.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body
    assert isinstance(body["iServerCode"], int) and isinstance(body["ticketId"], str)
    assert "rest:" not in body["message"] and "prompts[" not in body["message"]
    return body


@pytest.fixture
def server(mstr_server: ReferenceServer) -> Iterator[ReferenceServer]:
    yield mstr_server


# ---------------------------------------------------------------- cookies and TLS


def test_a_standard_cookie_jar_stays_logged_in_over_http(server: ReferenceServer) -> None:
    s = session(server)
    assert {c.name for c in s.cookies} == {"JSESSIONID", "iSession"}
    assert all(not c.secure for c in s.cookies)
    r = s.get(f"{server.url}/api/reports/{SEED_000_REPORT}/prompts", timeout=10)
    assert r.status_code == 200 and r.json()[0]["key"] == COUNTRY_KEY


def test_secure_cookies_can_be_forced_and_a_jar_then_withholds_them(
    server: ReferenceServer,
) -> None:
    server.secure_cookies = True  # for clients that must cope with a misconfigured proxy
    s = session(server)
    assert all(c.secure for c in s.cookies)
    r = s.get(f"{server.url}/api/reports/{SEED_000_REPORT}/prompts", timeout=10)
    error(r, 401, "ERR009")


def test_https_with_the_ca_file_and_secure_cookies() -> None:
    with ReferenceServer(tls=True) as server:
        assert server.url.startswith("https://127.0.0.1:")
        s = session(server)
        assert {c.name for c in s.cookies if c.secure} == {"JSESSIONID", "iSession"}
        assert s.get(f"{server.url}/api/projects", timeout=10).json()[0]["id"] == PROJECT_ID
        # Without the CA the certificate is refused, as a real client refuses it.
        with pytest.raises(requests.exceptions.SSLError):
            plain = requests.Session()
            plain.trust_env = False
            plain.get(f"{server.url}/api/status", timeout=10)
        # A client that connects and never says hello does not stop the server.
        with socket.create_connection(("127.0.0.1", server.port)):
            assert s.get(f"{server.url}/api/status", timeout=10).status_code == 200


def test_ca_file_needs_tls(server: ReferenceServer) -> None:
    with pytest.raises(RuntimeError, match="tls=True"):
        server.ca_file  # noqa: B018


# ---------------------------------------------------------------- query flags and status


def test_closed_reads_as_java_reads_it(server: ReferenceServer) -> None:
    s = session(server)
    r = s.post(f"{server.url}/api/v2/reports/{NESTED_REPORT}/instances", timeout=10)
    iid = r.json()["instanceId"]
    base = f"{server.url}/api/reports/{NESTED_REPORT}/instances/{iid}"
    year = {"key": "A1000000000000000000000000000001@0@10", "type": "VALUE", "answers": "2016"}
    assert s.put(f"{base}/prompts/answers", json={"prompts": [year]}, timeout=10).ok
    for spelling in ("false", "False", "FALSE", False):
        keys = [p["key"] for p in s.get(f"{base}/prompts", params={"closed": spelling}).json()]
        assert keys == ["A1000000000000000000000000000002@0@10"], spelling
    everything = s.get(f"{base}/prompts", params={"closed": "TRUE"}).json()
    assert [p["closed"] for p in everything] == [True, False]
    s.delete(
        f"{server.url}/api/model/reports/{NESTED_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
    )


def test_status_is_202_with_retry_after_while_running_and_200_only_at_the_end(
    server: ReferenceServer,
) -> None:
    server.execute_states, server.retry_after = (4, 5, 6, 7), "1"
    s = session(server)
    r = s.post(
        f"{server.url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        params={"executionStage": "execute_data"},
        headers={"Prefer": "respond-async"},
    )
    iid = r.json()["id"]
    path = f"{server.url}/api/reports/{UNPROMPTED_REPORT}/instances/{iid}/status"
    replies = [s.get(path) for _ in range(5)]
    assert [r.status_code for r in replies] == [202, 202, 202, 202, 200]
    assert all(r.headers["Retry-After"] == "1" for r in replies[:4])
    assert replies[-1].json() == {"id": UNPROMPTED_REPORT, "status": 1, "instanceId": iid}
    s.delete(
        f"{server.url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
    )


def test_a_failed_run_answers_200_with_status_3(server: ReferenceServer) -> None:
    server.execute_states = (5, 3)
    s = session(server)
    r = s.post(
        f"{server.url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        params={"executionStage": "execute_data"},
        headers={"Prefer": "respond-async"},
    )
    iid = r.json()["id"]
    path = f"{server.url}/api/reports/{UNPROMPTED_REPORT}/instances/{iid}/status"
    replies = [s.get(path) for _ in range(3)]
    assert [r.status_code for r in replies] == [202, 200, 200]
    assert [r.json()["status"] for r in replies[1:]] == [3, 3]  # failed stays failed
    server.expire_instances()


def test_status_walk_is_the_old_behaviour_behind_a_setting(server: ReferenceServer) -> None:
    server.status_walk, server.execute_states = True, (4, 5)
    s = session(server)
    iid = s.post(
        f"{server.url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        params={"executionStage": "execute_data"},
        headers={"Prefer": "respond-async"},
    ).json()["id"]
    path = f"{server.url}/api/reports/{UNPROMPTED_REPORT}/instances/{iid}/status"
    assert [s.get(path).json()["status"] for _ in range(3)] == [4, 5, 1]
    server.expire_instances()


def test_the_defaults_run_a_prompted_report_without_a_single_wait(
    server: ReferenceServer,
) -> None:
    s = session(server)
    r = s.post(
        f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
        params={"executionStage": "resolve_prompts"},
        headers={"Prefer": "respond-async"},
    )
    iid = r.json()["id"]
    base = f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}"
    assert s.get(f"{base}/status").json()["status"] == 2
    assert s.put(f"{base}/prompts/answers", json=SEED_000_BODY).status_code == 204
    assert s.get(f"{base}/status").json()["status"] == 1
    assert all(r.status == 200 for r in server.requests if r.path.endswith("/status"))
    server.expire_instances()


# ---------------------------------------------------------------- malformed requests


def raw(server: ReferenceServer, request: bytes) -> tuple[int, dict[str, Any]]:
    """Send bytes as they are; the status and JSON body of the reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _expected(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":")[1])
    return 0


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"username": "user", "password": "password", "loginMode": 1e999}',
        b'{"username": ["user"], "password": "password", "loginMode": 1}',
        b'{"username": {"a": 1}, "password": "password", "loginMode": 1}',
        b'{"username": "user", "password": 5, "loginMode": 1}',
        b'{"username": "user", "password": "password", "loginMode": NaN}',
        b'{"username": "user", "password": "password", "loginMode": "9' + b"9" * 5000 + b'"}',
        b"\xff\xfe{}",
        b'{"username": "user", "password": "password", "loginMode": true}',
    ],
)
def test_malformed_logins_get_400_in_the_servers_shape(
    server: ReferenceServer, body: bytes
) -> None:
    r = requests.post(
        f"{server.url}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    error(r, 400, "ERR006")


def test_a_huge_content_length_is_refused_before_reading(server: ReferenceServer) -> None:
    request = (
        b"POST /MicroStrategyLibrary/api/auth/login HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n{"
    )
    status, body = raw(server, request)
    assert status == 400 and set(body) == ERROR_KEYS and "exceeds" in body["message"]
    status, body = raw(server, request.replace(b"100000000000", b"-5"))
    assert status == 400 and body["message"] == "Invalid Content-Length header."


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /MicroStrategyLibrary/api/status HTTP/1.1\r\n" + b"X-A: 1\r\n" * 120 + b"\r\n", 431),
        # A method the REST API does not use on a resource that exists: 405, as Spring
        # answers it; a method no servlet container knows: 501.
        (b"PATCH /MicroStrategyLibrary/api/status HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"BREW /MicroStrategyLibrary/api/status HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (
            b"GET /MicroStrategyLibrary/api/status?"
            + b"&".join([b"a=1"] * 2000)
            + b" HTTP/1.1\r\n\r\n",
            400,
        ),
        (
            b"POST /MicroStrategyLibrary/api/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
        ),
    ],
)
def test_what_http_server_refuses_is_refused_in_the_servers_shape(
    server: ReferenceServer, request_bytes: bytes, status: int
) -> None:
    got, body = raw(server, request_bytes)
    assert got == status and set(body) == ERROR_KEYS


def test_malformed_answer_bodies_are_refused_in_the_servers_words(
    server: ReferenceServer,
) -> None:
    s = session(server)
    iid = s.post(f"{server.url}/api/v2/reports/{SEED_000_REPORT}/instances").json()["instanceId"]
    answers = f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts/answers"
    bodies: list[Any] = [
        {"prompts": [{"key": COUNTRY_KEY, "type": "ELEMENTS", "answers": [17]}]},
        {"prompts": "x"},
        {"prompts": [5]},
        {"prompts": [{"key": "NOPE@0@10", "answers": []}]},
        {"prompts": [{"key": COUNTRY_KEY, "type": "VALUE", "answers": "x"}]},
        [],
    ]
    for body in bodies:
        error(s.put(answers, json=body), 400, "ERR006")
    locate = error(s.put(answers, json=bodies[3]), 400, "ERR006")["message"]
    assert locate.startswith("Failed to locate the prompt by either key: NOPE@0@10")
    error(s.put(answers, data=b"{", headers={"Content-Type": "application/json"}), 400, "ERR006")
    s.delete(
        f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
    )


def test_an_object_outside_the_prompts_list_is_refused(server: ReferenceServer) -> None:
    s = session(server)
    iid = s.post(f"{server.url}/api/v2/reports/{OBJECT_PROMPT_REPORT}/instances").json()[
        "instanceId"
    ]
    answers = f"{server.url}/api/reports/{OBJECT_PROMPT_REPORT}/instances/{iid}/prompts/answers"
    key = "753C65EB402C44D3A991F285D3CB7F6D@0@10"
    stranger = "0123456789ABCDEF0123456789ABCDEF"
    for answer in ({"id": stranger, "type": "attribute"}, {"id": stranger}):
        body = {"prompts": [{"key": key, "type": "OBJECTS", "answers": [answer]}]}
        message = error(s.put(answers, json=body), 400, "ERR006")["message"]
        assert stranger in message and key in message
    # Listed objects are accepted without their type, as the official SDK writes them.
    listed = {"id": "8D679D5111D3E4981000E787EC6DE8A4", "name": None}
    body = {"prompts": [{"key": key, "type": "objects", "answers": [listed]}]}
    assert s.put(answers, json=body).status_code == 204
    s.delete(
        f"{server.url}/api/model/reports/{OBJECT_PROMPT_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
    )


def test_a_refused_document_creation_leaves_no_instance(server: ReferenceServer) -> None:
    s = session(server)
    bad = (
        "<rsl><pa pt='7' pin='0' did='D4F70D5ABA4F596ACE2844BAF90432D5' tp='10'>"
        "<mi><es><at did='8D679D4B11D3E4981000E787EC6DE8A4' tp='12'/>"
        "<e emt='1' ei='h9;8D679D4B11D3E4981000E787EC6DE8A4' art='1' disp_n='Atlantis'/>"
        "</es></mi></pa></rsl>"
    )
    for body in ({"linkingInfo": {"promptsAnswers": bad}}, {"linkingInfo": {"promptsAnswers": 5}}):
        r = s.post(f"{server.url}/api/documents/{DEMO_DOCUMENT}/instances", json=body)
        error(r, 400, "ERR006")
    assert server.live_instances() == []


def test_another_users_session_cannot_see_an_instance(server: ReferenceServer) -> None:
    server.users["other"] = "secret"
    mine, theirs = session(server), session(server, "other", "secret")
    iid = mine.post(f"{server.url}/api/v2/reports/{SEED_000_REPORT}/instances").json()["instanceId"]
    base = f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}"
    assert mine.get(f"{base}/prompts").status_code == 200
    for r in (
        theirs.get(f"{base}/prompts"),
        theirs.get(f"{base}/status"),
        theirs.put(f"{base}/prompts/answers", json=SEED_000_BODY),
        theirs.delete(
            f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
            headers={"X-MSTR-MS-Instance": iid},
        ),
    ):
        body = error(r, 404, "ERR004")
        assert body["iServerCode"] == -2147468986
        assert body["message"].startswith("(Message not found in user history list.")
    # The owner's second session (a new login of the same user) still sees it.
    again = session(server)
    assert again.get(f"{base}/prompts").status_code == 200
    assert (
        mine.delete(
            f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
            headers={"X-MSTR-MS-Instance": iid},
        ).status_code
        == 204
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60)
@given(
    st.dictionaries(
        st.sampled_from(["key", "id", "name", "type", "answers", "useDefault"]),
        json_values,
    )
)
def test_no_answer_body_gets_a_5xx_or_the_decoders_words(
    mstr_server_session: ReferenceServer, item: dict[str, Any]
) -> None:
    server = mstr_server_session
    s = session(server)
    iid = s.post(f"{server.url}/api/v2/reports/{SEED_000_REPORT}/instances").json()["instanceId"]
    try:
        r = s.put(
            f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts/answers",
            json={"prompts": [item]},
        )
        assert r.status_code in (204, 400), r.text
        if r.status_code == 400:
            error(r, 400, "ERR006")
    finally:
        s.delete(
            f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
            headers={"X-MSTR-MS-Instance": iid},
        )


# ---------------------------------------------------------------- the seeds, as written


def test_seed_000_execute_report_with_requests(server: ReferenceServer) -> None:
    s = session(server)
    url = server.url
    r = s.post(
        f"{url}/api/model/reports/{SEED_000_REPORT}/instances",
        params={"executionStage": "resolve_prompts"},
    )
    assert r.status_code == 201 and set(r.json()) == {"id"}
    iid = r.json()["id"]
    r = s.put(
        f"{url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts/answers", json=SEED_000_BODY
    )
    assert r.status_code == 204 and r.content == b""
    sql = s.get(f"{url}/api/v2/reports/{SEED_000_REPORT}/instances/{iid}/sqlView").json()
    assert "'USA', 'England'" in sql["sqlStatement"]
    data = s.get(f"{url}/api/v2/reports/{SEED_000_REPORT}/instances/{iid}").json()
    assert data["data"]["paging"]["total"] == 57
    r = s.delete(
        f"{url}/api/model/reports/{SEED_000_REPORT}/instances", headers={"X-MSTR-MS-Instance": iid}
    )
    assert r.status_code == 204
    assert s.post(f"{url}/api/auth/logout").status_code == 204


def test_seed_001_execute_a_datamart_with_requests(server: ReferenceServer) -> None:
    s = session(server)
    url, dm = server.url, SEED_001_DATAMART
    r = s.post(f"{url}/api/model/datamarts/{dm}/instances")
    assert r.status_code == 201
    iid = r.headers["x-mstr-ms-instance"]
    job = s.post(f"{url}/api/datamarts/{dm}/instances/{iid}/execution/jobs").json()
    assert job["instanceId"] == iid and job["jobId"].startswith("10:")
    assert s.get(f"{url}/api/datamarts/{dm}/instances/{iid}/execution").json()["status"] == 2
    r = s.put(f"{url}/api/reports/{dm}/instances/{iid}/prompts/answers", json=SEED_000_BODY)
    assert r.status_code == 204
    assert s.get(f"{url}/api/datamarts/{dm}/instances/{iid}/execution").json()["status"] == 1
    options = {
        "saveAsWithAnswers": True,
        "saveAsFilterWithPrompts": True,
        "saveAsTemplateWithPrompts": True,
    }
    r = s.post(
        f"{url}/api/model/datamarts/{dm}/instances/save",
        json={"promptOptions": options},
        headers={"X-MSTR-MS-Instance": iid},
    )
    assert r.json() == {"objectId": dm}
    r = s.delete(f"{url}/api/model/datamarts/{dm}/instances", headers={"X-MSTR-MS-Instance": iid})
    assert r.status_code == 204


def test_seed_002_asynchronous_run_with_requests(server: ReferenceServer) -> None:
    """Submit with ``Prefer: respond-async``, poll the instance, then fetch the results."""
    server.status_polls, server.execute_states = 1, (4, 5)
    s = session(server)
    url = server.url
    r = s.post(
        f"{url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        params={"executionStage": "execute_data"},
        headers={"Prefer": "respond-async"},
    )
    assert r.status_code == 202
    iid = r.json()["id"]
    polls = 0
    while (
        status := s.get(f"{url}/api/reports/{UNPROMPTED_REPORT}/instances/{iid}/status")
    ).status_code == 202:
        polls += 1
        assert polls < 10
    assert status.json()["status"] == 1 and polls == 3
    data = s.get(f"{url}/api/v2/reports/{UNPROMPTED_REPORT}/instances/{iid}", params={"limit": 2})
    assert data.json()["data"]["paging"] == {"total": 3, "current": 2, "offset": 0, "limit": 2}
    s.delete(
        f"{url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
    )


def test_seed_003_object_prompts_with_requests(server: ReferenceServer) -> None:
    s = session(server)
    url, report = server.url, OBJECT_PROMPT_REPORT
    keys = ["753C65EB402C44D3A991F285D3CB7F6D@0@10", "07736087478D24656A2A65820F968661@0@10"]
    r = s.post(f"{url}/api/reports/{report}/instances")
    assert r.status_code == 200 and r.json()["status"] == 2
    iid = r.json()["instanceId"]
    assert [p["key"] for p in s.get(f"{url}/api/reports/{report}/prompts").json()] == keys
    base = f"{url}/api/reports/{report}/instances/{iid}"
    assert [p["key"] for p in s.get(f"{base}/prompts").json()] == keys
    objects = s.get(f"{base}/prompts/{keys[0]}/objects", params={"limit": 1}).json()
    assert objects["totalSize"] == 2 and len(objects["objects"]) == 1
    sample = {
        "prompts": [
            {
                "key": keys[0],
                "type": "OBJECTS",
                "answers": [
                    {"id": "8D679D5111D3E4981000E787EC6DE8A4", "type": "attribute"},
                    {"id": "8D679D4A11D3E4981000E787EC6DE8A4", "type": "attribute"},
                ],
            },
            {
                "key": keys[1],
                "type": "OBJECTS",
                "answers": [
                    {"id": "7FD5B69611D5AC76C000D98A4CC5F24F", "type": "metric"},
                    {"id": "4C051DB611D3E877C000B3B2D86C964F", "type": "metric"},
                ],
            },
        ]
    }
    assert s.put(f"{base}/prompts/answers", json=sample).status_code == 204
    v1 = s.get(base).json()
    assert v1["status"] == 1 and len(v1["result"]["data"]["root"]["children"]) == 5
    s.delete(f"{url}/api/model/reports/{report}/instances", headers={"X-MSTR-MS-Instance": iid})
    # Documents and dashboards: POST …/prompts/answers, promptsAnswers, the dashboard routes.
    region = {"key": "D4F70D5ABA4F596ACE2844BAF90432D5@0@10", "type": "ELEMENTS"}
    mid = s.post(f"{url}/api/documents/{DEMO_DOCUMENT}/instances", json={}).json()["mid"]
    doc = f"{url}/api/documents/{DEMO_DOCUMENT}/instances/{mid}"
    body = {"prompts": [dict(region, answers=[{"name": "South"}])]}
    assert s.post(f"{doc}/prompts/answers", json=body).status_code == 204
    assert s.get(f"{doc}/status").json()["status"] == 1
    assert s.delete(doc).status_code == 204
    mid = s.post(f"{url}/api/dossiers/{DEMO_DOSSIER}/instances", json={}).json()["mid"]
    dash = f"{url}/api/dossiers/{DEMO_DOSSIER}/instances/{mid}"
    short = {
        "answers": [
            {
                "key": region["key"],
                "values": ["8D679D4B11D3E4981000E787EC6DE8A4:3~1048576~South"],
                "useDefault": False,
            }
        ]
    }
    assert s.post(f"{dash}/promptsAnswers", json=short).status_code == 204
    assert s.get(f"{dash}/prompts", params={"closed": "false"}).json()[0]["name"] == "Year"
    assert s.get(dash).json()["status"] == 2  # its nested round is open
    fresh = s.post(f"{dash}/rePrompt").json()["mid"]
    assert s.delete(dash).status_code == 204
    assert s.delete(f"{url}/api/dossiers/{DEMO_DOSSIER}/instances/{fresh}").status_code == 204
    assert COUNTRY_ATTRIBUTE  # the catalog's public names stay importable


# ---------------------------------------------------------------- from a shell


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("tls", [False, True])
def test_python_m_runs_it_in_the_foreground_until_a_signal(how: signal.Signals, tls: bool) -> None:
    args = [sys.executable, "-m", "mstr_prompts.testing", *(["--tls"] if tls else [])]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().split()
        url, fields = line[0], dict(f.split("=", 1) for f in line[1:])
        assert url.startswith("https://" if tls else "http://") and fields["project"] == PROJECT_ID
        s = requests.Session()
        s.trust_env = False
        if tls:
            s.verify = fields["ca_file"]
            assert ssl.create_default_context(cafile=fields["ca_file"])
        r = s.post(
            f"{url}/api/auth/login",
            json={"username": fields["username"], "password": fields["password"], "loginMode": 1},
            timeout=10,
        )
        assert r.status_code == 204
        process.send_signal(how)
        assert process.wait(timeout=20) == 0
        assert process.stderr is not None and process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_cli_runs_against_the_server_started_from_a_shell(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "mstr_prompts.testing"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        url, fields = line[0], dict(f.split("=", 1) for f in line[1:])
        answers = tmp_path / "answers.json"
        answers.write_text(json.dumps(SEED_000_BODY))
        env = {"MSTR_USERNAME": fields["username"], "MSTR_PASSWORD": fields["password"]}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mstr_prompts",
                "run",
                "--base",
                url,
                "--project",
                fields["project"],
                "--report",
                SEED_000_REPORT,
                "--sql",
                str(answers),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("MSTR_")}, **env},
        )
        assert done.returncode == 0, done.stderr
        assert "'USA', 'England'" in done.stdout
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0


def test_python_m_refuses_a_bad_port() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mstr_prompts.testing", "--port", "99999"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and done.stdout == ""
