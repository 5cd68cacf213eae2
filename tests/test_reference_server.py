"""The reference server itself, driven with bare urllib3 over 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import urllib3

from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT

HTTP = urllib3.PoolManager(retries=False)


def call(
    server: ReferenceServer,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> urllib3.BaseHTTPResponse:
    data = json.dumps(body).encode() if body is not None else None
    return HTTP.request(method, server.url + path, headers=headers or {}, body=data)


def login(server: ReferenceServer) -> dict[str, str]:
    r = call(
        server,
        "POST",
        "/api/auth/login",
        body={"username": "user", "password": "password", "loginMode": 1},
    )
    assert r.status == 204 and r.data == b""
    cookies = r.headers.getlist("Set-Cookie")
    token = r.headers["x-mstr-authtoken"]  # read case-insensitively
    assert sorted(c.split("=")[0] for c in cookies) == ["JSESSIONID", "iSession"]
    for cookie in cookies:
        # RFC 6265: no Secure over plain http (tls=True and secure_cookies= set it).
        assert "Path=/MicroStrategyLibrary" in cookie and "Secure" not in cookie
    assert any(c.startswith(f"iSession={token};") for c in cookies)
    jar = "; ".join(c.split(";")[0] for c in cookies)
    return {"X-MSTR-AuthToken": token, "Cookie": jar, "X-MSTR-ProjectID": PROJECT_ID}


def test_login_sets_token_and_cookies_and_requires_both(mstr_server: ReferenceServer) -> None:
    headers = login(mstr_server)
    path = f"/api/reports/{SEED_000_REPORT}/prompts"
    assert call(mstr_server, "GET", path, headers).status == 200
    for missing in ("X-MSTR-AuthToken", "Cookie"):
        partial = {k: v for k, v in headers.items() if k != missing}
        r = call(mstr_server, "GET", path, partial)
        assert r.status == 401 and json.loads(r.data)["code"] == "ERR009"
    only_jsession = dict(headers, Cookie=headers["Cookie"].split(";")[0])
    assert call(mstr_server, "GET", path, only_jsession).status == 401


def test_form_encoded_login_and_string_login_mode(mstr_server: ReferenceServer) -> None:
    r = HTTP.request(
        "POST",
        mstr_server.url + "/api/auth/login",
        body=b"username=user&password=password&loginMode=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status == 204
    r = call(mstr_server, "POST", "/api/auth/login", body={"loginMode": "8"})
    assert r.status == 204


def test_project_header_and_instance_header_are_required(mstr_server: ReferenceServer) -> None:
    headers = login(mstr_server)
    no_project = {k: v for k, v in headers.items() if k != "X-MSTR-ProjectID"}
    r = call(mstr_server, "POST", f"/api/model/reports/{SEED_000_REPORT}/instances", no_project)
    assert r.status == 400
    r = call(
        mstr_server,
        "POST",
        f"/api/model/reports/{SEED_000_REPORT}/instances?executionStage=resolve_prompts",
        headers,
    )
    assert r.status == 201
    iid = json.loads(r.data)["id"]
    r = call(mstr_server, "DELETE", f"/api/model/reports/{SEED_000_REPORT}/instances", no_project)
    assert r.status == 400
    delete = dict(no_project, **{"X-MSTR-MS-Instance": iid})
    assert (
        call(
            mstr_server, "DELETE", f"/api/model/reports/{SEED_000_REPORT}/instances", delete
        ).status
        == 204
    )
    assert (
        call(
            mstr_server, "DELETE", f"/api/model/reports/{SEED_000_REPORT}/instances", delete
        ).status
        == 404
    )


def test_status_is_202_for_the_configured_polls(mstr_server: ReferenceServer) -> None:
    mstr_server.status_polls = 3
    headers = login(mstr_server)
    r = call(mstr_server, "POST", f"/api/model/reports/{SEED_000_REPORT}/instances", headers)
    iid = json.loads(r.data)["id"]
    path = f"/api/reports/{SEED_000_REPORT}/instances/{iid}/status"
    replies = [call(mstr_server, "GET", path, headers) for _ in range(4)]
    assert [r.status for r in replies] == [202, 202, 202, 200]
    assert replies[0].headers["Retry-After"] == "0"
    assert json.loads(replies[-1].data) == {"id": SEED_000_REPORT, "status": 2, "instanceId": iid}
    delete = dict(headers, **{"X-MSTR-MS-Instance": iid})
    call(mstr_server, "DELETE", f"/api/model/reports/{SEED_000_REPORT}/instances", delete)


def test_logout_ends_the_session(mstr_server: ReferenceServer) -> None:
    headers = login(mstr_server)
    assert call(mstr_server, "POST", "/api/auth/logout", headers).status == 204
    assert call(mstr_server, "POST", "/api/auth/logout", headers).status == 401


def test_unknown_paths_and_methods(mstr_server: ReferenceServer) -> None:
    headers = login(mstr_server)
    assert call(mstr_server, "GET", "/api/nothing/here", headers).status == 404
    assert call(mstr_server, "GET", "/api/auth/login", headers).status == 405
    assert HTTP.request("GET", f"http://127.0.0.1:{mstr_server.port}/elsewhere").status == 404


def test_requests_are_recorded_in_order(mstr_server: ReferenceServer) -> None:
    headers = login(mstr_server)
    call(mstr_server, "GET", f"/api/reports/{SEED_000_REPORT}/prompts?x=1", headers)
    first, second = mstr_server.requests
    assert first.line == "POST /api/auth/login" and first.status == 204
    assert second.query == {"x": ["1"]} and second.headers["x-mstr-projectid"] == PROJECT_ID
