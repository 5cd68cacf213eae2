"""The client against a server that lies, stalls, drips and floods (issue 19, transport half).

Every test runs the real client over real HTTP against ``tests/hostile_server.py``, a
server written for these tests that shares no code with the reference server.  The
only timing checks are the ones the issue asks for ("a server dripping one byte at a
time cannot hold a ``timeout=1`` call for much longer than 1 s"), with generous bounds:
each hostile reply would take ten seconds or more if the client let it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hostile_server import (
    INSTANCE,
    PROJECT,
    REPORT,
    HostileServer,
    Request,
    Wire,
    gzip_bomb,
)

from mstr_prompts.client import (
    Connection,
    DatamartInstance,
    LoginFailed,
    PollPolicy,
    Run,
    RunTimeout,
    ServerError,
    TransportError,
)
from mstr_prompts.client.connection import Response, time_limit
from mstr_prompts.client.errors import BadIdentifier, NotFound, ServerUnreachable
from mstr_prompts.client.polling import PollTimeout, wait_status
from mstr_prompts.errors import PromptAnswerError

FAST = PollPolicy(interval=0.01, factor=2.0, cap=0.05, timeout=30)
STATUS = f"/api/reports/{REPORT}/instances/{INSTANCE}/status$"
V2 = f"/api/v2/reports/{REPORT}/instances/{INSTANCE}$"
DELETE = f"/api/model/reports/{REPORT}/instances$"
CREATE = f"/api/model/reports/{REPORT}/instances$"
ELEMENTS = "/prompts/[^/]+/elements$"
OBJECTS = "/prompts/[^/]+/objects$"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer(limit=15.0) as hostile:
        hostile.route("DELETE", DELETE, lambda req, wire: wire.reply(204))
        yield hostile


def connect(server: HostileServer, **kwargs: object) -> Connection:
    kwargs.setdefault("username", "u")
    kwargs.setdefault("password", "secret-pw")
    kwargs.setdefault("poll", FAST)
    return Connection(server.url, project_id=PROJECT, **kwargs)  # type: ignore[arg-type]


def created(req: Request, wire: Wire) -> None:
    wire.json(201, {"id": INSTANCE})


def run_of(conn: Connection) -> Run:
    return Run(conn, REPORT, INSTANCE, policy=FAST)


# --------------------------------------------------------------------------- deadlines


def test_a_body_dripped_one_byte_at_a_time_is_cut_off_at_the_total_timeout(
    server: HostileServer,
) -> None:
    body = json.dumps({"status": 1, "pad": "x" * 300}).encode()
    server.route("GET", STATUS, lambda req, wire: wire.drip(200, body, 0.05))
    with connect(server, timeout=1) as conn:
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            run_of(conn).status()
        elapsed = time.monotonic() - started
    assert elapsed < 5  # the drip lasts 15 s; each byte comes well within the read timeout
    assert "no complete response" in str(caught.value)


def test_headers_dripped_one_byte_at_a_time_are_cut_off_too(server: HostileServer) -> None:
    server.route("GET", STATUS, lambda req, wire: wire.drip_head(0.05))
    with connect(server, timeout=1) as conn:
        started = time.monotonic()
        with pytest.raises(TransportError):
            run_of(conn).status()
        assert time.monotonic() - started < 5


def test_wait_timeout_bounds_a_dripping_status_poll(server: HostileServer) -> None:
    body = json.dumps({"status": 4, "pad": "x" * 300}).encode()
    server.route("GET", STATUS, lambda req, wire: wire.drip(200, body, 0.05))
    with connect(server) as conn:  # the default 130 s per request
        started = time.monotonic()
        with pytest.raises(RunTimeout) as caught:
            run_of(conn).wait(timeout=1)
        assert time.monotonic() - started < 5
    assert caught.value.handle  # the run can be resumed


def test_a_503_retry_after_10_does_not_outlast_wait_timeout_1(server: HostileServer) -> None:
    server.route("GET", STATUS, lambda req, wire: wire.reply(503, b"", ("Retry-After", "10")))
    with connect(server) as conn:
        started = time.monotonic()
        with pytest.raises((RunTimeout, ServerError)):
            run_of(conn).wait(timeout=1)
        assert time.monotonic() - started < 5


def test_wait_waits_until_its_timeout_and_not_less(server: HostileServer) -> None:
    # A 202 asking for 5 s with a 1 s timeout: the wait used to give up at once.
    server.route("GET", STATUS, lambda req, wire: wire.reply(202, b"", ("Retry-After", "5")))
    with connect(server) as conn:
        started = time.monotonic()
        with pytest.raises(RunTimeout):
            run_of(conn).wait(timeout=1)
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 5


def test_wait_status_sleeps_exactly_to_the_deadline() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    def fetch() -> Response:
        return Response("GET s", 202, {"Retry-After": "2"}, b"")

    with pytest.raises(PollTimeout):
        wait_status(fetch, PollPolicy(timeout=6.5), sleep=sleep, clock=lambda: now[0])
    assert slept == [2.0, 2.0, 2.0, 0.5] and now[0] == 6.5


def test_backoff_starts_over_after_retry_after() -> None:
    replies = iter(
        [Response("GET s", 200, {}, b'{"status": 4}')] * 3
        + [Response("GET s", 202, {"Retry-After": "1"}, b"")]
        + [Response("GET s", 200, {}, b'{"status": 4}')] * 2
        + [Response("GET s", 200, {}, b'{"status": 1}')]
    )
    slept: list[float] = []
    policy = PollPolicy(interval=0.1, factor=2, cap=10, timeout=100)
    assert wait_status(lambda: next(replies), policy, sleep=slept.append) == 1
    assert slept == pytest.approx([0.1, 0.2, 0.4, 1.0, 0.1, 0.2])


def test_time_limit_bounds_retries_of_a_plain_request(server: HostileServer) -> None:
    server.route("GET", "/api/x$", lambda req, wire: wire.reply(503, b"", ("Retry-After", "20")))
    with connect(server) as conn, time_limit(1):
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            conn.request("GET", "/api/x")
        assert time.monotonic() - started < 5
    assert caught.value.status == 503


def test_a_prompted_round_answered_by_missing_waits_with_the_callers_timeout(
    server: HostileServer,
) -> None:
    # The run stops at a prompt; with missing="default" the client answers it and
    # polls again, and that poll used to run on the 600 s policy.
    polls = iter([2] + [4] * 10_000)
    server.route("GET", STATUS, lambda req, wire: wire.json(200, {"status": next(polls)}))
    prompt = {
        "key": "K@0@10",
        "id": "8D679D3C11D3E4981000E787EC6DE8A4",
        "name": "Year",
        "type": "VALUE",
        "required": False,
        "closed": False,
        "dataType": "NUMERIC",
        "defaultAnswer": 2016,
    }
    server.route("GET", "/prompts$", lambda req, wire: wire.json(200, [prompt]))
    server.route("PUT", "/prompts/answers$", lambda req, wire: wire.reply(204))
    with connect(server, poll=PollPolicy(timeout=600)) as conn:
        run = Run(conn, REPORT, INSTANCE, missing="default")
        started = time.monotonic()
        with pytest.raises(RunTimeout):
            run.wait(timeout=1)
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("workflow", ["sql", "data"])
def test_an_instance_whose_wait_used_up_the_time_limit_is_still_deleted(
    server: HostileServer, workflow: str
) -> None:
    # Found by the issue-19 attack: under time_limit(1), a wait that ran out of time
    # left no time for the DELETE either, and the instance stayed on the server.
    server.route("POST", CREATE, created)
    server.route("GET", STATUS, lambda req, wire: wire.json(202, {"status": 0}))
    server.route("GET", "/prompts", lambda req, wire: wire.json(200, []))
    with connect(server) as conn:
        started = time.monotonic()
        with time_limit(1), pytest.raises(PromptAnswerError):
            getattr(conn.report(REPORT), workflow)()
        assert time.monotonic() - started < 5
    assert len(server.seen("DELETE", DELETE)) == 1


# --------------------------------------------------------------------------- reads


def test_a_gzip_bomb_is_refused_unread(server: HostileServer) -> None:
    bomb = gzip_bomb(256 << 20)
    server.route(
        "GET",
        V2 + "|/sqlView$",
        lambda req, wire: wire.reply(200, bomb, ("Content-Encoding", "gzip")),
    )
    with connect(server) as conn, pytest.raises(TransportError) as caught:
        conn.request("GET", f"/api/v2/reports/{REPORT}/instances/{INSTANCE}/sqlView")
    assert "gzip" in str(caught.value) and "identity" in str(caught.value)
    assert server.seen("GET", "sqlView$")[0].headers["accept-encoding"] == "identity"


def test_an_endless_chunked_body_stops_at_the_cap(server: HostileServer) -> None:
    server.route("GET", "/api/x$", lambda req, wire: wire.endless_chunks())
    with connect(server, max_body=1 << 20) as conn, pytest.raises(TransportError) as caught:
        conn.request("GET", "/api/x")
    assert "1,048,576-byte limit" in str(caught.value)


def test_a_declared_huge_body_is_refused_before_reading(server: HostileServer) -> None:
    server.route("GET", "/api/x$", lambda req, wire: wire.flood(10 << 30))
    with connect(server) as conn:
        started = time.monotonic()
        with pytest.raises(TransportError, match="byte limit"):
            conn.request("GET", "/api/x")
        assert time.monotonic() - started < 5


def test_the_default_cap_holds_a_page_of_the_documented_size(server: HostileServer) -> None:
    row = {"element": "x" * 40, "value": 123.45}
    page = json.dumps({"rows": [row] * 50_000}).encode()  # ~3.5 MB, a large real page
    server.route("GET", "/api/x$", lambda req, wire: wire.reply(200, page))
    with connect(server) as conn:
        assert len(conn.request("GET", "/api/x").json()["rows"]) == 50_000


# --------------------------------------------------------------------------- loops


def test_elements_stop_when_the_server_ignores_offset(server: HostileServer) -> None:
    page = {
        "elements": [
            {"id": f"h{i};8D679D3C11D3E4981000E787EC6DE8A4", "name": f"E{i}"} for i in range(200)
        ],
        "totalSize": 10**9,
    }
    server.route("GET", ELEMENTS, lambda req, wire: wire.json(200, page))
    with connect(server) as conn, pytest.raises(TransportError, match="ignores offset") as caught:
        run_of(conn).instance.elements("K@0@10")
    assert "/elements" in caught.value.request
    assert len(server.seen("GET", ELEMENTS)) == 2


def test_objects_stop_when_the_server_makes_no_progress(server: HostileServer) -> None:
    server.route("GET", OBJECTS, lambda req, wire: wire.json(200, {"objects": [], "totalSize": 5}))
    with connect(server) as conn, pytest.raises(TransportError, match="no progress"):
        run_of(conn).instance.objects("K@0@10")
    assert len(server.seen("GET", OBJECTS)) == 1


def test_elements_follow_a_server_that_caps_the_page_size(server: HostileServer) -> None:
    def pages(req: Request, wire: Wire) -> None:
        offset = int(req.query["offset"][0])
        items = [
            {"id": f"h{i};8D679D3C11D3E4981000E787EC6DE8A4", "name": f"E{i}"}
            for i in range(offset, min(offset + 50, 120))
        ]
        wire.json(200, {"elements": items, "totalSize": 120})

    server.route("GET", ELEMENTS, pages)
    with connect(server) as conn:
        assert len(run_of(conn).instance.elements("K@0@10")) == 120


def test_data_with_total_10_12_in_pages_of_1_is_refused_at_once(server: HostileServer) -> None:
    page = {
        "data": {
            "paging": {"total": 10**12, "current": 1, "offset": 0, "limit": 1},
            "headers": {"rows": [[0]]},
            "metricValues": {"raw": [[1]]},
        }
    }
    server.route("GET", V2, lambda req, wire: wire.json(200, page))
    with connect(server) as conn, pytest.raises(TransportError, match="larger pages"):
        run_of(conn).instance.data()
    assert len(server.seen("GET", V2)) == 1


def test_data_stops_when_the_server_ignores_offset(server: HostileServer) -> None:
    page = {
        "data": {
            "paging": {"total": 30, "current": 10, "offset": 0, "limit": 10},
            "headers": {"rows": [[0]] * 10},
            "metricValues": {"raw": [[1]] * 10},
        }
    }
    server.route("GET", V2, lambda req, wire: wire.json(200, page))
    with connect(server) as conn, pytest.raises(TransportError, match="ignores offset"):
        run_of(conn).instance.data(limit=10)
    assert len(server.seen("GET", V2)) == 2


@pytest.mark.parametrize(("total", "offset"), [(5, 0), (10**12, 0), (3, None)])
def test_data_stops_at_an_empty_page_while_the_total_says_more(
    server: HostileServer, total: int, offset: int | None
) -> None:
    # Found by the issue-19 attack: "current": 0 used to end the read, returning no rows
    # of the total without a word (a silent truncation).
    paging: dict[str, object] = {"total": total, "current": 0, "limit": 1}
    if offset is not None:
        paging["offset"] = offset
    page = {"data": {"paging": paging, "headers": {"rows": []}, "metricValues": {"raw": []}}}
    server.route("GET", V2, lambda req, wire: wire.json(200, page))
    with connect(server) as conn, pytest.raises(TransportError, match="no progress") as caught:
        run_of(conn).instance.data()
    assert caught.value.request.startswith("GET /api/v2/reports/")
    assert len(server.seen("GET", V2)) == 1


def test_an_empty_report_is_still_read_as_empty(server: HostileServer) -> None:
    page = {"data": {"paging": {"total": 0, "current": 0, "offset": 0, "limit": 1000}}}
    server.route("GET", V2, lambda req, wire: wire.json(200, page))
    with connect(server) as conn:
        assert run_of(conn).instance.data()["data"]["paging"]["total"] == 0


# --------------------------------------------------------------------------- logins


def test_one_refused_login_is_never_sent_again(server: HostileServer) -> None:
    server.route(
        "POST",
        "/api/auth/login$",
        lambda req, wire: wire.json(401, {"code": "ERR003", "message": "Login failed"}),
    )
    with connect(server, password="wrong") as conn:
        outcomes = list(conn.run_many([REPORT] * 20, max_parallel=8))
        with pytest.raises(LoginFailed, match="not sent again"):
            conn.request("GET", "/api/x")
    assert len(outcomes) == 20 and all(isinstance(o.error, LoginFailed) for o in outcomes)
    assert len(server.seen("POST", "/api/auth/login$")) == 1
    assert not server.seen("POST", "/api/auth/logout$")


@pytest.mark.parametrize("status", [429, 503, 408])
def test_run_many_logs_in_once_when_the_login_is_answered_later(
    server: HostileServer, status: int
) -> None:
    # Found by the issue-19 attack: a login answered 429 (Retry-After 0) was sent 80
    # times for 20 jobs, each job logging in (and retrying) on its own.
    server.route(
        "POST",
        "/api/auth/login$",
        lambda req, wire: wire.json(status, {"code": "ERR001", "message": "later"}),
    )
    with connect(server, retries=0) as conn:
        outcomes = list(conn.run_many([REPORT] * 20, max_parallel=8))
    assert len(outcomes) == 20 and all(isinstance(o.error, ServerError) for o in outcomes)
    assert len(server.seen("POST", "/api/auth/login$")) == 1
    assert not server.seen("POST", CREATE)


def test_an_expired_session_whose_new_login_is_refused_stops_there(
    server: HostileServer,
) -> None:
    logins = iter([True] + [False] * 100)

    def login(req: Request, wire: Wire) -> None:
        if next(logins):
            wire.reply(204, b"", ("X-MSTR-AuthToken", "t1"))
        else:
            wire.json(401, {"code": "ERR003", "message": "Login failed"})

    server.route("POST", "/api/auth/login$", login)
    server.route(
        "GET", "/api/x$", lambda req, wire: wire.json(401, {"code": "ERR009", "message": "gone"})
    )
    with connect(server) as conn:
        for _ in range(3):
            with pytest.raises(LoginFailed):
                conn.request("GET", "/api/x")
    assert len(server.seen("POST", "/api/auth/login$")) == 2


# --------------------------------------------------------------------------- retries, paths


def test_429_with_retry_after_on_a_post_is_sent_again(server: HostileServer) -> None:
    replies = iter([False, True])

    def create(req: Request, wire: Wire) -> None:
        if next(replies):
            created(req, wire)
        else:
            wire.reply(429, b"", ("Retry-After", "0"))

    server.route("POST", CREATE, create)
    with connect(server) as conn, conn.report(REPORT).create() as instance:
        assert instance.instance_id == INSTANCE
    assert len(server.seen("POST", CREATE)) == 2


def test_a_500_on_a_post_is_not_sent_again(server: HostileServer) -> None:
    server.route("POST", CREATE, lambda req, wire: wire.reply(503, b"", ("Retry-After", "0")))
    with connect(server) as conn, pytest.raises(ServerError):
        conn.report(REPORT).create()
    assert len(server.seen("POST", CREATE)) == 1


def test_a_redirect_is_an_error_never_success(server: HostileServer) -> None:
    server.route(
        "DELETE", DELETE, lambda req, wire: wire.reply(302, b"", ("Location", "https://elsewhere/"))
    )
    with connect(server) as conn:
        instance = run_of(conn).instance
        with pytest.raises(TransportError, match="redirect") as caught:
            instance.delete()
        assert not instance.deleted
    assert caught.value.status == 302
    assert len(server.seen("DELETE")) == 1  # not followed


@pytest.mark.parametrize("bad", ["..", ".", ""])
def test_dot_segments_and_empty_ids_are_refused_before_sending(
    server: HostileServer, bad: str
) -> None:
    with connect(server) as conn:
        with pytest.raises(BadIdentifier):
            conn.report(bad).sql()
        with pytest.raises(BadIdentifier):
            Run(conn, REPORT, bad).status()
    assert not server.seen("POST", "/instances") and not server.seen("GET")


@pytest.mark.parametrize("bad", ["..", ".", ""])
def test_an_instance_id_that_names_nothing_is_never_sent_in_the_delete_header(
    server: HostileServer, bad: str
) -> None:
    # Found by the issue-19 attack: the DELETE of seed 000 carries the instance in
    # X-MSTR-MS-Instance, which took "", "." and ".." as they were.
    with connect(server) as conn:
        instance = Run(conn, REPORT, bad).instance
        with pytest.raises(BadIdentifier):
            instance.delete()
        assert not instance.deleted
        with pytest.raises(BadIdentifier):
            DatamartInstance(conn, REPORT, bad).delete()
    assert not server.seen("DELETE")


def test_an_unreachable_server_is_named() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn = Connection(
        f"http://127.0.0.1:{port}/MicroStrategyLibrary", login_mode=8, project_id=PROJECT, retries=0
    )
    with pytest.raises(ServerUnreachable) as caught:
        conn.report(REPORT).sql()
    assert f"127.0.0.1:{port}" in str(caught.value)
    with pytest.raises(ServerUnreachable):
        Run(conn, REPORT, INSTANCE, policy=FAST).wait(timeout=30)


# --------------------------------------------------------------------------- foreign exceptions


@pytest.mark.parametrize(
    "instance", ["a\r\nb", "Ā" * 4, "..", "", " x", "x" * 300, 12, None, ["I"]]
)
def test_an_unusable_instance_id_from_the_server_is_a_transport_error(
    server: HostileServer, instance: object
) -> None:
    server.route("POST", CREATE, lambda req, wire: wire.json(201, {"id": instance}))
    with connect(server) as conn, pytest.raises(TransportError):
        conn.report(REPORT).create()


@pytest.mark.parametrize("value", ["nan", "9" * 5000, "-1", "inf", "1e400", "Mon, 99 Foo", "\x00"])
def test_any_retry_after_on_a_202_is_read_safely(server: HostileServer, value: str) -> None:
    polls = iter([True, False])
    server.route(
        "GET",
        STATUS,
        lambda req, wire: (
            wire.reply(202, b"", ("Retry-After", value))
            if next(polls)
            else wire.json(200, {"status": 1})
        ),
    )
    with connect(server) as conn:
        started = time.monotonic()
        try:
            assert run_of(conn).wait(timeout=1).state == "ready"
        except RunTimeout:
            assert value == "9" * 5000  # a real (capped) wait: the timeout ends it
        assert time.monotonic() - started < 5


def test_a_503_with_5000_digit_retry_after_is_read_safely(server: HostileServer) -> None:
    server.route(
        "GET", "/api/x$", lambda req, wire: wire.reply(503, b"", ("Retry-After", "9" * 5000))
    )
    with connect(server) as conn, time_limit(1), pytest.raises(ServerError) as caught:
        conn.request("GET", "/api/x")
    assert caught.value.status == 503


@pytest.mark.parametrize("item", [{}, {"id": 5}, {"name": None}])
def test_bad_element_items_are_transport_errors(server: HostileServer, item: object) -> None:
    server.route("GET", ELEMENTS, lambda req, wire: wire.json(200, {"elements": [item]}))
    with connect(server) as conn, pytest.raises(TransportError):
        run_of(conn).instance.elements("K@0@10")


@pytest.mark.parametrize(
    "body", [b"{", b"[]", b'"x"', b"null", b'{"status": "1"}', b'{"status": true}', b"\xff\xfe"]
)
def test_bad_status_bodies_are_transport_errors(server: HostileServer, body: bytes) -> None:
    server.route("GET", STATUS, lambda req, wire: wire.reply(200, body))
    with connect(server) as conn, pytest.raises(TransportError):
        run_of(conn).status()


def test_a_404_status_reply_is_not_found_not_a_crash(server: HostileServer) -> None:
    server.route("GET", STATUS + "|" + V2, lambda req, wire: wire.reply(404, b"\x00" * 10))
    with connect(server) as conn, pytest.raises(NotFound):
        run_of(conn).status()


def test_every_error_is_the_librarys_own_while_the_server_drops_mid_reply(
    server: HostileServer,
) -> None:
    def half(req: Request, wire: Wire) -> None:
        wire.head(200, [("Content-Length", "1000")])
        wire.send(b'{"status"')
        wire.keep_alive = False
        raise ConnectionAbortedError

    server.route("GET", STATUS, half)
    with connect(server, retries=0) as conn, pytest.raises(PromptAnswerError):
        run_of(conn).status()


def test_the_deadline_watchdog_never_cuts_a_reused_connection(server: HostileServer) -> None:
    # Many short requests with deadlines that end right after them, on a few pooled
    # connections: none may be cut off for the request before it.
    server.route("GET", "/api/x$", lambda req, wire: wire.json(200, {"ok": True}))
    errors: list[BaseException] = []
    with connect(server, timeout=0.5) as conn:

        def work() -> None:
            try:
                for _ in range(40):
                    conn.request("GET", "/api/x")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors


def test_a_datamart_timeout_bounds_a_dripping_execution_poll(server: HostileServer) -> None:
    mart = f"/api/model/datamarts/{REPORT}/instances$"
    server.route(
        "POST", mart, lambda req, wire: wire.reply(201, b"", ("X-MSTR-MS-Instance", INSTANCE))
    )
    server.route("POST", "/execution/jobs$", lambda req, wire: wire.json(200, {"status": 5}))
    body = json.dumps({"status": 5, "pad": "x" * 300}).encode()
    server.route("GET", "/execution$", lambda req, wire: wire.drip(200, body, 0.05))
    server.route("DELETE", mart, lambda req, wire: wire.reply(204))
    with connect(server) as conn:
        started = time.monotonic()
        with pytest.raises(PollTimeout):
            conn.datamart(REPORT).execute(timeout=1)
        assert time.monotonic() - started < 5
    assert len(server.seen("DELETE", mart)) == 1  # cleaned up after the timeout


def test_an_unknown_host_is_unreachable_and_named() -> None:
    conn = Connection(
        "http://no-such-host.invalid/MicroStrategyLibrary",
        login_mode=8,
        project_id=PROJECT,
        retries=0,
    )
    with pytest.raises(ServerUnreachable, match=r"no-such-host\.invalid:80"):
        conn.report(REPORT).sql()


def test_a_long_token_sent_back_as_an_id_is_not_shown_in_part(server: HostileServer) -> None:
    token = "T" + "0123456789abcdef" * 5  # 81 characters
    server.route(
        "POST",
        "/api/auth/login$",
        lambda req, wire: wire.reply(204, b"", ("X-MSTR-AuthToken", token)),
    )
    server.route("POST", CREATE, lambda req, wire: wire.json(201, {"id": token + " "}))
    with connect(server) as conn, pytest.raises(TransportError) as caught:
        conn.report(REPORT).create()
    text = str(caught.value)
    assert not any(token[i : i + 12] in text for i in range(len(token) - 12))


def test_control_characters_in_a_server_message_are_escaped(server: HostileServer) -> None:
    message = "bad\x1b[2J\x07 \u202eevil\x00"
    server.route(
        "GET", "/api/x$", lambda req, wire: wire.json(400, {"code": "ERR\x1b6", "message": message})
    )
    with connect(server) as conn, pytest.raises(ServerError) as caught:
        conn.request("GET", "/api/x")
    text = str(caught.value)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in text)
    assert "\\x1b[2J\\x07" in text and "\\u202e" in text
