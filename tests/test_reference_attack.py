"""The reference server attacked as an outsider would: regressions of what broke.

Each test is one request (or a few) that a hostile or merely unusual client sends, over
real HTTP on 127.0.0.1, with raw sockets where no library would send it.  Every answer
is a status line and MicroStrategy's error body (``code``, ``message``, ``ticketId``,
``iServerCode``; https://microstrategy.github.io/rest-api-docs/getting-started/handle-rest-api-exceptions),
never a hang, a dropped connection or an empty body.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT

ERROR_KEYS = {"code", "message", "ticketId", "iServerCode"}
LOGIN = b"POST /MicroStrategyLibrary/api/auth/login HTTP/1.1\r\nHost: x\r\n"
STATUS = b"GET /MicroStrategyLibrary/api/status HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture
def server(mstr_server: ReferenceServer) -> Iterator[ReferenceServer]:
    yield mstr_server


def exchange(
    server: ReferenceServer, request: bytes, *, timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the status, lower-case headers and body of the reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                headers = _headers(head)
                if len(body) >= int(headers.get("content-length", "0")):
                    break
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head else 0
    return status, _headers(head), body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def refusal(status: int, body: bytes) -> dict[str, Any]:
    """The error body, checked for MicroStrategy's shape."""
    parsed: dict[str, Any] = json.loads(body)
    assert set(parsed) == ERROR_KEYS, parsed
    assert isinstance(parsed["iServerCode"], int) and isinstance(parsed["ticketId"], str)
    return parsed


def login(server: ReferenceServer, body: dict[str, Any]) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    r = s.post(f"{server.url}/api/auth/login", json=body, timeout=10)
    assert r.status_code == 204, r.text
    s.headers.update(
        {"X-MSTR-AuthToken": r.headers["X-MSTR-AuthToken"], "X-MSTR-ProjectID": PROJECT_ID}
    )
    return s


# ---------------------------------------------------------------- framing


def test_two_different_content_lengths_are_refused_not_waited_for(
    server: ReferenceServer,
) -> None:
    # Found: the last header won (5), and the server waited for three bytes that
    # never came. RFC 9112 §6.3: different values are an unrecoverable error.
    request = LOGIN + b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}"
    status, _, body = exchange(server, request, timeout=5)
    assert status == 400
    assert refusal(status, body)["message"] == "Invalid Content-Length header."
    # The same value twice is one length (RFC 9112 §6.3 allows it).
    same = (
        LOGIN
        + b"Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
    )
    assert exchange(server, same)[0] == 401


def test_a_body_that_stalls_or_drips_gets_408_within_the_deadline(
    server: ReferenceServer,
) -> None:
    # Found: no deadline at all; a client that promised 50 bytes and sent 5 held a
    # thread (and the fixtures' quiesce) for ever.
    server.request_timeout = 0.5
    stalled = LOGIN + b'Content-Length: 50\r\n\r\n{"use'
    status, _, body = exchange(server, stalled, timeout=10)
    assert status == 408 and refusal(status, body)["code"] == "ERR006"
    # A drip of one byte at a time is bounded as a whole, not per read.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(LOGIN + b"Content-Length: 100\r\n\r\n")
        sock.settimeout(0.1)
        reply = b""
        for _ in range(100):
            try:
                sock.sendall(b" ")
                reply += sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if reply:
                break
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert server.quiesce(timeout=5)


def test_headers_dripped_a_byte_at_a_time_are_bounded_as_a_whole(
    server: ReferenceServer,
) -> None:
    # Found: a socket timeout bounds each recv alone; a header line dripped a byte just
    # before each one expired kept the request (and its thread) open for ever.
    server.request_timeout = 0.5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(STATUS + b"X-A: ")
        sock.settimeout(0.1)
        closed = False
        for _ in range(200):  # 20 s of drip at most; the server ends it after 0.5 s
            try:
                sock.sendall(b"a")
                closed = sock.recv(65536) == b""
            except TimeoutError:
                continue
            except OSError:
                closed = True
            if closed:
                break
    assert closed
    assert server.quiesce(timeout=5)


def test_a_keep_alive_connection_serves_request_after_request(server: ReferenceServer) -> None:
    # Each request has its own deadline: a connection reused for many is not cut off.
    server.request_timeout = 0.5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(STATUS + b"\r\n")
            reply = b""
            while not reply.endswith(b"}"):
                reply += sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200 ")
            time.sleep(0.3)  # idle, under the deadline


def test_a_body_shorter_than_its_length_is_refused(server: ReferenceServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(LOGIN + b"Content-Length: 50\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert "shorter" in refusal(400, body)["message"]


def test_a_connection_that_never_finishes_its_headers_is_closed_by_the_deadline(
    server: ReferenceServer,
) -> None:
    server.request_timeout = 0.5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(STATUS)
        assert sock.recv(65536) == b""  # closed, as a container closes an idle one
    assert server.quiesce(timeout=5)


def test_expect_100_continue_is_not_sent_for_a_body_that_will_be_refused(
    server: ReferenceServer,
) -> None:
    # Found: "100 Continue" first, inviting 10^11 bytes, then the 400.
    request = LOGIN + b"Expect: 100-continue\r\nContent-Length: 100000000000\r\n\r\n"
    status, _, body = exchange(server, request)
    assert status == 400 and "exceeds" in refusal(status, body)["message"]
    ok = LOGIN + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(ok)
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue")


def test_an_http_0_9_request_gets_a_status_line(server: ReferenceServer) -> None:
    # Found: http.server answered "GET /" with no status line and no body.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /MicroStrategyLibrary/api/status\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert refusal(400, body)["code"] == "ERR006"


def test_empty_lines_before_the_request_line_are_ignored(server: ReferenceServer) -> None:
    # Found: the connection was closed without a word. RFC 9112 §2.2.
    status, _, body = exchange(server, b"\r\n\r\n" + STATUS + b"\r\n")
    assert status == 200 and "iServerVersion" in json.loads(body)


# ---------------------------------------------------------------- paths and methods


@pytest.mark.parametrize("path", [b"/", b"/api/status", b"/MicroStrategyLibraryX/api/status"])
def test_outside_the_webapp_is_a_404_in_the_servers_shape(
    server: ReferenceServer, path: bytes
) -> None:
    # Found: 404 with an empty body.
    status, _, body = exchange(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 404 and refusal(status, body)["code"] == "ERR004"


def test_head_is_get_without_a_body(server: ReferenceServer) -> None:
    # Found: 501. A servlet container answers HEAD for every GET resource.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"HEAD /MicroStrategyLibrary/api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.sendall(STATUS + b"\r\n")  # the same connection goes on: no stray body
        reply = b""
        while reply.count(b"HTTP/1.1 200 ") < 2 or not reply.endswith(b"}"):
            reply += sock.recv(65536)
    first, _, rest = reply.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 ") and b"Content-Length: " in first
    assert rest.startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize("method", [b"PATCH", b"OPTIONS", b"TRACE"])
def test_other_methods_get_405_with_allow_or_404(server: ReferenceServer, method: bytes) -> None:
    # Found: 501 for each, on any path.
    request = method + b" /MicroStrategyLibrary/api/sessions HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = exchange(server, request)
    assert status == 405 and refusal(status, body)["code"] == "ERR001"
    assert headers["allow"] == "DELETE, GET, PUT"
    request = method + b" /MicroStrategyLibrary/api/nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
    status, _, body = exchange(server, request)
    assert status == 404 and refusal(status, body)["code"] == "ERR004"


def test_a_405_from_requests_names_the_allowed_methods(server: ReferenceServer) -> None:
    s = login(server, {"username": "user", "password": "password", "loginMode": 1})
    r = s.post(f"{server.url}/api/v2/reports/{SEED_000_REPORT}", timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "GET"
    assert set(r.json()) == ERROR_KEYS


# ---------------------------------------------------------------- whose instances


@pytest.mark.parametrize(
    ("named", "other_login"),
    [
        ("guest", {"loginMode": 8}),
        ("api-token:t0k3n", {"username": "t0k3n", "loginMode": 4096}),
    ],
)
def test_a_user_named_like_the_guest_or_a_token_does_not_share_their_instances(
    server: ReferenceServer, named: str, other_login: dict[str, Any]
) -> None:
    # Found: owners were user names, and the anonymous guest was "guest": a user
    # called "guest" and every anonymous session saw each other's instances.
    server.users[named] = "pw"
    server.api_tokens.add("t0k3n")
    user = login(server, {"username": named, "password": "pw", "loginMode": 1})
    other = login(server, other_login)
    for owner, stranger in ((user, other), (other, user)):
        r = owner.post(f"{server.url}/api/v2/reports/{SEED_000_REPORT}/instances", timeout=10)
        iid = r.json()["instanceId"]
        base = f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}"
        assert owner.get(f"{base}/prompts", timeout=10).status_code == 200
        r = stranger.get(f"{base}/prompts", timeout=10)
        assert r.status_code == 404 and r.json()["iServerCode"] == -2147468986
        delete = owner.delete(
            f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
            headers={"X-MSTR-MS-Instance": iid},
            timeout=10,
        )
        assert delete.status_code == 204


def test_the_deadline_is_a_setting_reset_restores(server: ReferenceServer) -> None:
    server.request_timeout = 0.25
    server.reset()
    assert server.request_timeout == ReferenceServer().request_timeout == 30.0


# ---------------------------------------------------------------- answer bodies


@pytest.mark.parametrize(
    "answers", ["true", "[" * 500 + "1" + "]" * 500, '{"a": 1}'], ids=["bool", "nested", "dict"]
)
def test_an_unreadable_answer_names_the_prompt_as_its_definition_does(
    server: ReferenceServer, answers: str
) -> None:
    # Found: "Incorrect prompt answer format for prompt name:  key: …" (the name of the
    # answer item, which by key has none, instead of the prompt's).
    from mstr_prompts.testing.catalog import NESTED_REPORT

    s = login(server, {"username": "user", "password": "password", "loginMode": 1})
    url = server.url
    iid = s.post(f"{url}/api/v2/reports/{NESTED_REPORT}/instances", timeout=10).json()["instanceId"]
    key = s.get(f"{url}/api/reports/{NESTED_REPORT}/prompts", timeout=10).json()[0]["key"]
    item = json.dumps({"key": key, "type": "VALUE"})[:-1] + ', "answers": ' + answers + "}"
    body = '{"prompts": [' + item + "]}"
    r = s.put(
        f"{url}/api/reports/{NESTED_REPORT}/instances/{iid}/prompts/answers",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400 and set(r.json()) == ERROR_KEYS
    assert r.json()["message"] == (
        f"Incorrect prompt answer format for prompt name: Year key: {key}, "
        "please verify this information is correct."
    )
    s.delete(
        f"{url}/api/model/reports/{NESTED_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
        timeout=10,
    )


# ---------------------------------------------------------------- from a shell


def test_a_signal_while_the_server_starts_stops_it_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found: the handlers were installed after start(), so a Ctrl-C while the test
    # certificate was made ended in a KeyboardInterrupt traceback.
    import os
    import signal

    from mstr_prompts.testing.__main__ import main
    from mstr_prompts.testing.server import ReferenceServer as Server

    started = Server.start

    def start_and_be_interrupted(self: Server) -> Server:
        os.kill(os.getpid(), signal.SIGINT)
        return started(self)

    monkeypatch.setattr(Server, "start", start_and_be_interrupted)
    assert main([]) == 0
    assert capsys.readouterr().out.startswith("http://127.0.0.1:")


# ---------------------------------------------------------------- parameters


def test_a_document_creation_with_linking_info_not_an_object_is_refused(
    server: ReferenceServer,
) -> None:
    # Found: {"linkingInfo": [1]} created an instance, its linking info ignored.
    from mstr_prompts.testing.catalog import DEMO_DOCUMENT

    s = login(server, {"username": "user", "password": "password", "loginMode": 1})
    for linking in ([1], "x", 5):
        r = s.post(
            f"{server.url}/api/documents/{DEMO_DOCUMENT}/instances",
            json={"linkingInfo": linking},
            timeout=10,
        )
        assert r.status_code == 400 and set(r.json()) == ERROR_KEYS
    assert server.live_instances() == []


def test_a_negative_offset_is_refused_as_such(server: ReferenceServer) -> None:
    # Found: "offset=-1" was refused with "limit must be between 1 and 200."
    s = login(server, {"username": "user", "password": "password", "loginMode": 1})
    url = f"{server.url}/api/v2/reports/{SEED_000_REPORT}/instances"
    iid = s.post(url, timeout=10).json()["instanceId"]
    key = "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10"
    base = f"{server.url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts/{key}/elements"
    r = s.get(f"{base}?offset=-1", timeout=10)
    assert r.status_code == 400 and r.json()["message"] == "offset must not be negative."
    r = s.get(f"{base}?limit=201", timeout=10)
    assert r.status_code == 400 and r.json()["message"] == "limit must be between 1 and 200."
    s.delete(
        f"{server.url}/api/model/reports/{SEED_000_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": iid},
        timeout=10,
    )


def test_max_recorded_keeps_only_the_latest_requests(server: ReferenceServer) -> None:
    # Found: every request and its body (up to max_body) was kept for the server's life,
    # so a server left running from the shell grew without bound.
    server.max_recorded = 3
    for _ in range(5):
        assert exchange(server, STATUS + b"\r\n")[0] == 200
    assert [r.line for r in server.requests] == ["GET /api/status"] * 3
    server.reset()
    assert server.max_recorded is None
