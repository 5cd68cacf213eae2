"""Sessions, errors, retries, timeouts and secrets, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import pickle
from typing import Any

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3.util import Timeout

from mstr_prompts.client import (
    Connection,
    LoginFailed,
    NotFound,
    Response,
    ServerError,
    SessionExpired,
    TransportError,
)
from mstr_prompts.client.connection import RELOGINS
from mstr_prompts.client.errors import from_response, parse_code
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, UNPROMPTED_REPORT
from mstr_prompts.testing.server import Call, Reply, reply

FAST = urllib3.Retry(
    total=3,
    connect=3,
    read=2,
    status=3,
    backoff_factor=0,
    status_forcelist={429, 500, 502, 503, 504},
    allowed_methods={"GET", "PUT", "DELETE"},
    raise_on_status=False,
    redirect=0,
)


def connect(
    server: ReferenceServer,
    *,
    timeout: float | urllib3.Timeout = 10.0,
    retries: int | urllib3.Retry = FAST,
) -> Connection:
    return Connection(
        server.url,
        username="user",
        password="password",
        project_id=PROJECT_ID,
        timeout=timeout,
        retries=retries,
    )


@pytest.mark.parametrize("suffix", ["", "/", "/api", "/api/", "//"])
def test_base_url_spellings_all_reach_the_api(mstr_server: ReferenceServer, suffix: str) -> None:
    conn = Connection(mstr_server.url + suffix, login_mode=8, project_id=PROJECT_ID, retries=FAST)
    with conn:
        assert conn.base_url == mstr_server.url
        assert conn.report(UNPROMPTED_REPORT).sql().startswith("select")
    assert mstr_server.requests[0].path == "/api/auth/login"


def test_bad_base_urls_are_refused_without_echoing_credentials() -> None:
    with pytest.raises(PromptAnswerError) as caught:
        Connection("https://me:hunter2secret@host/MicroStrategyLibrary", login_mode=8)
    assert "hunter2secret" not in str(caught.value)
    with pytest.raises(PromptAnswerError):
        Connection("ftp://host/x", login_mode=8)


def test_login_modes(mstr_server: ReferenceServer) -> None:
    mstr_server.api_tokens.add("tok-123456")
    with Connection(mstr_server.url, api_token="tok-123456", project_id=PROJECT_ID) as conn:
        conn.login()
    with Connection(mstr_server.url, login_mode=8, project_id=PROJECT_ID) as conn:
        conn.login()
    mstr_server.users["ldapuser"] = "ldappass"
    with Connection(
        mstr_server.url, username="ldapuser", password="ldappass", login_mode=16
    ) as conn:
        conn.login()
    logins = [r.json() for r in mstr_server.requests if r.path == "/api/auth/login"]
    assert logins == [
        {"loginMode": 4096, "username": "tok-123456"},
        {"loginMode": 8},
        {"loginMode": 16, "username": "ldapuser", "password": "ldappass"},
    ]


def test_login_failure(mstr_server: ReferenceServer) -> None:
    conn = Connection(mstr_server.url, username="user", password="wrong-password-xyz")
    with pytest.raises(LoginFailed) as caught:
        conn.login()
    assert caught.value.status == 401 and caught.value.code == 3
    assert "wrong-password-xyz" not in str(caught.value)
    assert "wrong-password-xyz" not in repr(conn)
    conn.close()


def test_cookies_are_kept_and_required(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        conn.login()
        login = mstr_server.requests[-1]
        token = conn._token
        assert token is not None
        conn.request("GET", f"/api/reports/{UNPROMPTED_REPORT}/prompts")
        sent = mstr_server.requests[-1].headers["cookie"]
        assert f"iSession={token}" in sent and "JSESSIONID=" in sent
        assert login.status == 204
        # The server sets Path and Secure; plain-HTTP replay still works (see connection.py).
        raw = urllib3.request(
            "GET",
            f"{mstr_server.url}/api/reports/{UNPROMPTED_REPORT}/prompts",
            headers={"X-MSTR-AuthToken": token, "X-MSTR-ProjectID": PROJECT_ID},
        )
        assert raw.status == 401 and json.loads(raw.data)["code"] == "ERR009"


def test_project_header_is_required_by_the_server(mstr_server: ReferenceServer) -> None:
    with Connection(mstr_server.url, login_mode=8) as conn:
        with pytest.raises(PromptAnswerError, match="no project"):
            conn.report(SEED_000_REPORT).sql()
        assert mstr_server.requests == []  # refused before any request
        with pytest.raises(ServerError) as caught:
            conn.request("GET", f"/api/reports/{SEED_000_REPORT}/prompts", project=False)
        assert caught.value.status == 400


def test_relogin_once_after_expiry(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        report = conn.report(UNPROMPTED_REPORT)
        with report.create() as instance:
            mstr_server.expire_sessions()
            assert instance.sql().startswith("select")
    lines = [(r.line, r.status) for r in mstr_server.requests]
    assert [line for line in lines if line[0] == "POST /api/auth/login"] == [
        ("POST /api/auth/login", 204),
        ("POST /api/auth/login", 204),
    ]
    assert lines[-1] == ("POST /api/auth/logout", 204)


def test_repeated_expiry_logs_in_again_a_bounded_number_of_times(
    mstr_server: ReferenceServer,
) -> None:
    path = f"/api/reports/{UNPROMPTED_REPORT}/prompts"
    with connect(mstr_server) as conn:
        conn.login()
        # The session ends again right after each new login: the request goes through.
        mstr_server.fail(401, times=RELOGINS, path="/prompts$")
        assert conn.request("GET", path).status == 200
        mstr_server.clear()
        # A server that never keeps a session: bounded, then a clear error, no loop.
        mstr_server.fail(401, times=1000, path="/prompts$")
        with pytest.raises(SessionExpired):
            conn.request("GET", path)
        logins = [r for r in mstr_server.requests if r.path == "/api/auth/login"]
        assert len(logins) == RELOGINS
        mstr_server.clear()
        # A POST refused with 401 created nothing, so it is repeated too.
        mstr_server.fail(401, times=2, method="POST", path="/instances$")
        with conn.report(UNPROMPTED_REPORT).create() as instance:
            assert instance.instance_id


def test_logout_after_expiry_is_quiet(mstr_server: ReferenceServer) -> None:
    conn = connect(mstr_server)
    conn.login()
    mstr_server.expire_sessions()
    conn.close()
    conn.close()
    assert mstr_server.requests[-1].status == 401


def test_get_is_retried_on_503(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, conn.report(UNPROMPTED_REPORT).create() as instance:
        mstr_server.fail(503, times=2, method="GET", path="/sqlView$", retry_after="0")
        assert instance.sql().startswith("select")
    views = [r.status for r in mstr_server.requests if r.path.endswith("/sqlView")]
    assert views == [503, 503, 200]


def test_get_gives_up_after_its_retries(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, conn.report(UNPROMPTED_REPORT).create() as instance:
        mstr_server.fail(503, times=10, method="GET", path="/sqlView$")
        with pytest.raises(ServerError) as caught:
            instance.sql()
    assert caught.value.status == 503
    views = [r.status for r in mstr_server.requests if r.path.endswith("/sqlView")]
    assert views == [503, 503, 503, 503]


def test_put_is_retried_on_502(mstr_server: ReferenceServer) -> None:
    from mstr_prompts import rest

    body = {
        "prompts": [
            {"name": "Elements of Country", "type": "ELEMENTS", "answers": [{"name": "USA"}]}
        ]
    }
    with connect(mstr_server) as conn:
        mstr_server.fail(502, times=1, method="PUT")
        assert "'USA'" in conn.report(SEED_000_REPORT).sql(rest.decode(body))
    assert [r.status for r in mstr_server.requests if r.method == "PUT"] == [502, 204]


def test_post_is_never_retried(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        conn.login()
        mstr_server.fail(503, times=1, method="POST", path="/instances$", retry_after="0")
        with pytest.raises(ServerError) as caught:
            conn.report(UNPROMPTED_REPORT).sql()
    assert caught.value.status == 503
    posts = [r for r in mstr_server.requests if r.method == "POST" and "model" in r.path]
    assert len(posts) == 1


def test_dropped_connection_get_retried_post_not(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        with conn.report(UNPROMPTED_REPORT).create() as instance:
            mstr_server.drop(times=1, method="GET", path="/sqlView$")
            assert instance.sql().startswith("select")
        mstr_server.drop(times=1, method="POST", path="/instances$")
        with pytest.raises(TransportError) as caught:
            conn.report(UNPROMPTED_REPORT).create()
    assert caught.value.status is None
    assert "dropped" in str(caught.value)
    posts = [r for r in mstr_server.requests if r.method == "POST" and "model" in r.path]
    assert [r.status for r in posts] == [201, 0]


def test_read_timeout(mstr_server: ReferenceServer) -> None:
    timeout = urllib3.Timeout(connect=2, read=0.2)
    with (
        connect(mstr_server, timeout=timeout, retries=0) as conn,
        conn.report(UNPROMPTED_REPORT).create() as instance,
    ):
        mstr_server.slow(1.0, times=1, path="/sqlView$")
        with pytest.raises(TransportError) as caught:
            instance.sql()
    assert "no response in time" in str(caught.value)


def test_slow_get_within_retries_succeeds(mstr_server: ReferenceServer) -> None:
    timeout = urllib3.Timeout(connect=2, read=0.3)
    with (
        connect(mstr_server, timeout=timeout) as conn,
        conn.report(UNPROMPTED_REPORT).create() as instance,
    ):
        mstr_server.slow(1.0, times=1, path="/sqlView$")
        assert instance.sql().startswith("select")


def test_connection_refused_is_a_transport_error() -> None:
    with ReferenceServer() as server:
        url = server.url
    conn = Connection(url, login_mode=8, retries=0)
    with pytest.raises(TransportError, match="cannot connect"):
        conn.login()


def test_not_found(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, pytest.raises(NotFound) as caught:
        conn.report("00000000000000000000000000000000").sql()
    assert caught.value.code == 4


def test_empty_and_non_json_bodies_are_never_parsed() -> None:
    assert Response("GET /x", 204, {}, b"").json_or_none() is None
    assert Response("GET /x", 200, {}, b"  ").json_or_none() is None
    with pytest.raises(TransportError, match="empty body"):
        Response("GET /x", 200, {}, b"").json("the instance")
    with pytest.raises(TransportError, match="not JSON"):
        Response("GET /x", 200, {}, b"<html/>").json("the instance")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ERR006", 6),
        ("ERR0014", 14),
        ("ERR014", 14),
        ("err009", 9),
        ("ERR0R22", None),
        (None, None),
    ],
)
def test_error_codes_parse(text: str | None, number: int | None) -> None:
    assert parse_code(text) == number


def test_error_fields_in_any_spelling() -> None:
    body = b'{"errors": [{"Code": "ERR0017", "Message": "No\\nprivilege", "TicketID": "t1", "IServerCode": -5}]}'
    error = from_response("GET /api/x", 403, body)
    assert type(error).__name__ == "Forbidden"
    assert (error.code, error.server_message, error.ticket_id, error.iserver_code) == (
        17,
        "No privilege",
        "t1",
        -5,
    )
    assert "\n" not in str(error)
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error) and str(restored) == str(error)


def test_debug_log_has_no_secrets(
    mstr_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mstr_prompts.client")
    with connect(mstr_server) as conn:
        conn.report(UNPROMPTED_REPORT).sql()
        token = conn._token
    assert token and caplog.records
    assert "password" not in caplog.text.replace("/api/auth", "") and token not in caplog.text


# --------------------------------------------------------------------------- secrets

# Random secrets behind a marker, so that a hit is a leak and never a coincidence with
# ordinary text such as a header name.
SECRET = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8, max_size=40
).map(lambda s: f"Q~{s.strip()}~Q")


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=SECRET, token=SECRET)
def test_secrets_never_appear_in_errors_or_repr(
    mstr_server_session: ReferenceServer, password: str, token: str
) -> None:
    server = mstr_server_session

    def echo(call: Call) -> Reply:
        # A careless server that echoes what it was sent, headers included.
        text = f"{call.body!r} {dict(call.headers)!r}"
        return reply(400, {"code": "ERR006", "message": text})

    if not any(r[1].pattern == "^/api/echo$" for r in server.routes):
        server.route("POST", "/api/echo")(echo)
        server.route("POST", "/api/echo-login", auth=False, project=False)(echo)
    server.users["sam"] = password
    server.api_tokens.add(token)
    texts: list[str] = []
    conn = Connection(server.url, username="sam", password=password + "x", project_id=PROJECT_ID)
    with pytest.raises(LoginFailed) as caught:
        conn.login()
    texts += [str(caught.value), repr(caught.value), repr(conn)]
    for conn, secret in (
        (
            Connection(server.url, username="sam", password=password, project_id=PROJECT_ID),
            password,
        ),
        (Connection(server.url, api_token=token, project_id=PROJECT_ID), token),
    ):
        with conn:
            with pytest.raises(ServerError) as echoed:
                conn.request("POST", "/api/echo", json_body={"secret": secret})
            texts += [
                str(echoed.value),
                repr(echoed.value),
                echoed.value.server_message,
                repr(conn),
            ]
            assert conn._token is not None
            session_token = conn._token
            texts_token_free = [str(echoed.value), echoed.value.server_message]
            assert all(session_token not in t for t in texts_token_free)
    for text in texts:
        assert password not in text
        assert token not in text


def test_cookie_store_updates_and_deletes() -> None:
    conn = Connection("http://127.0.0.1:1/MicroStrategyLibrary", login_mode=8)
    conn._absorb(["JSESSIONID=A1; Path=/MicroStrategyLibrary; Secure; HttpOnly", "lb=x=1; Path=/"])
    conn._absorb(["iSession=tok; Secure", "JSESSIONID=B2; Path=/other"])
    assert conn._cookie_header == "JSESSIONID=B2; lb=x=1; iSession=tok"
    conn._absorb(["lb=; Max-Age=0", "junk", "=novalue"])
    assert conn._cookie_header == "JSESSIONID=B2; iSession=tok"


@pytest.mark.parametrize(
    "timeout", [Timeout(None), Timeout(connect=2, read=None), Timeout(total=30), 5, 0.5]
)
def test_any_timeout_shape_works(mstr_server: ReferenceServer, timeout: Any) -> None:
    # Each attempt's socket timeouts are the given ones, bounded by its deadline; an
    # unbounded one stays unbounded rather than becoming an infinite float.
    with Connection(mstr_server.url, login_mode=8, project_id=PROJECT_ID, timeout=timeout) as conn:
        assert conn.report(UNPROMPTED_REPORT).sql().startswith("select")
