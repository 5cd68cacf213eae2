"""Properties of the client's transport (issue 19): redaction that cannot be dodged, and
nothing but the library's own exceptions from any reply a server can send.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import urllib3
from hostile_server import INSTANCE, PROJECT, REPORT, HostileServer, Request, Wire
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstr_prompts.client import Connection, PollPolicy, Run, ServerError
from mstr_prompts.client.connection import time_limit
from mstr_prompts.client.errors import from_response
from mstr_prompts.client.redaction import Redactor, forms
from mstr_prompts.errors import PromptAnswerError

# --------------------------------------------------------------------------- redaction

# Any text at all: short, whitespace only, quotes, backslashes, non-ASCII, controls.
SECRETS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12
)
# A session token is a header value: printable Latin-1 without whitespace at its ends.
TOKENS = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)
    | st.characters(min_codepoint=0xA1, max_codepoint=0xFF),
    min_size=1,
    max_size=12,
)


def echoes(secret: str) -> list[str]:
    """The spellings a careless server could echo ``secret`` in."""
    return [
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
        " ".join(secret.split()),
        repr(secret)[1:-1],
    ]


@given(secret=SECRETS, other=SECRETS, before=st.text(max_size=10), after=st.text(max_size=10))
def test_redactor_removes_every_spelling_of_every_secret(
    secret: str, other: str, before: str, after: str
) -> None:
    redactor = Redactor([secret, other])
    for spelled in echoes(secret) + echoes(other):
        if not spelled:
            continue
        text = redactor.redact(f"{before}{spelled}{after}")
        for form in forms(secret) | forms(other):
            assert form not in text
        assert redactor.redact(text) == text or not any(f in text for f in forms(secret))


STATE: dict[str, Any] = {}


def _login(req: Request, wire: Wire) -> None:
    if STATE.get("refuse"):
        body = req.json() or {}
        sent = str(body.get("password") or body.get("username") or "")
        message = STATE["spell"](sent)
        wire.json(401, {"code": "ERR003", "message": f"Login failed for {message}!"})
    else:
        wire.reply(204, b"", ("X-MSTR-AuthToken", STATE["token"]))


def _status(req: Request, wire: Wire) -> None:
    # A normal reply that carries the session token where the status should be.
    wire.json(200, {"status": STATE["spell"](STATE["token"])})


def _elements(req: Request, wire: Wire) -> None:
    # An element ID the client cannot read, made of the session token.
    wire.json(200, {"elements": [{"id": "~" + STATE["spell"](STATE["token"]), "name": "x"}]})


def _prompts(req: Request, wire: Wire) -> None:
    # A prompt definition the client cannot read, carrying the session token.
    wire.json(200, [{"key": STATE["spell"](STATE["token"]), "type": "BOGUS", "closed": False}])


@pytest.fixture(scope="module")
def echo_server() -> Iterator[HostileServer]:
    with HostileServer() as server:
        server.route("POST", "/api/auth/login$", _login)
        server.route("GET", "/status$", _status)
        server.route("GET", "/elements$", _elements)
        server.route("GET", "/prompts$", _prompts)
        server.route(
            "POST",
            "/api/echo$",
            lambda req, wire: wire.json(
                400,
                {"code": "ERR006", "message": STATE["spell"](req.body.decode("utf-8", "replace"))},
            ),
        )
        yield server


SPELLINGS = st.sampled_from(
    [
        lambda s: s,
        lambda s: json.dumps(s)[1:-1],
        lambda s: quote(s, safe=""),
        lambda s: quote_plus(s),
        lambda s: " ".join(s.split()),
        lambda s: f"'{s}'  and \t{s}\n",
    ]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=SECRETS, token=TOKENS, spell=SPELLINGS)
def test_no_secret_survives_in_any_error_log_line_or_repr(
    echo_server: HostileServer,
    caplog: pytest.LogCaptureFixture,
    password: str,
    token: str,
    spell: Any,
) -> None:
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="mstr_prompts.client")
    STATE.update(token=token, spell=spell)
    texts: list[str] = []

    def collect(error: BaseException) -> None:
        assert isinstance(error, PromptAnswerError)
        texts.append(str(error))
        if isinstance(error, ServerError):
            texts.extend([error.server_message, error.request])

    # A refused login that echoes the password.
    STATE["refuse"] = True
    conn = Connection(echo_server.url, username="u", password=password, project_id=PROJECT)
    with pytest.raises(PromptAnswerError) as refused:
        conn.login()
    collect(refused.value)
    texts.append(repr(conn))
    # That connection never held the token: only the password is its secret.
    texts.extend(r.getMessage() for r in caplog.records)
    for text in texts:
        assert password not in text
    texts.clear()
    caplog.clear()
    # A session whose token comes back in errors built from normal replies.
    STATE["refuse"] = False
    with Connection(
        echo_server.url, username="u", password=password, project_id=PROJECT, retries=0
    ) as conn:
        run = Run(conn, REPORT, INSTANCE, policy=PollPolicy(timeout=1))
        for call in (
            run.status,
            lambda: run.instance.elements("K@0@10"),
            run.instance.prompts,
            lambda: conn.request("POST", "/api/echo", json_body={"p": password}),
        ):
            try:
                call()
            except PromptAnswerError as exc:
                collect(exc)
        texts.append(repr(conn))
    texts.extend(r.getMessage() for r in caplog.records)
    for text in texts:
        assert password not in text
        assert token not in text


def test_redaction_runs_before_whitespace_is_collapsed() -> None:
    error = from_response(
        "POST /api/auth/login",
        401,
        json.dumps({"code": "ERR003", "message": "bad pa  ss\t!"}).encode(),
        redact=Redactor(["pa  ss\t"]).redact,
    )
    assert "pa" not in error.server_message and "***" in error.server_message


# --------------------------------------------------------------------------- any reply


class FakePool:
    """A PoolManager that answers every request but the login with one given reply."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.reply = (status, headers, body)

    def urlopen(self, method: str, url: str, **kwargs: Any) -> urllib3.HTTPResponse:
        if url.endswith("/api/auth/login"):
            status, headers, body = 204, {"X-MSTR-AuthToken": "tok-123456"}, b""
        else:
            status, headers, body = self.reply
        return urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=status,
            preload_content=False,
            decode_content=False,
            enforce_content_length=True,
        )

    def clear(self) -> None:
        pass


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from([INSTANCE, "..", "a\r\nb", "Ā", "", "h1;8D679D3C11D3E4981000E787EC6DE8A4"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
SMALL = st.integers(-2, 4) | st.sampled_from([10**12, 2**63, -(10**9)]) | JSON_VALUES
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "instanceId": JSON_VALUES,
        "mid": JSON_VALUES,
        "status": SMALL,
        "elements": st.lists(JSON_VALUES, max_size=3),
        "objects": st.lists(JSON_VALUES, max_size=3),
        "totalSize": SMALL,
        "sqlStatement": JSON_VALUES,
        "code": st.sampled_from(["ERR006", "ERR009", "ERR" + "9" * 5000]) | JSON_VALUES,
        "message": JSON_VALUES,
        "data": st.fixed_dictionaries(
            {},
            optional={
                "paging": st.fixed_dictionaries(
                    {}, optional={"total": SMALL, "current": SMALL, "offset": SMALL}
                ),
                "headers": JSON_VALUES,
                "metricValues": JSON_VALUES,
            },
        ),
    },
)
BODIES = st.one_of(
    st.binary(max_size=64),
    FIELDS.map(lambda d: json.dumps(d).encode()),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
)
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30
) | st.sampled_from(["nan", "9" * 5000, "-1", "0", "gzip", "1e400", "Mon, 99 Foo 2024"])
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "Retry-After",
            "Content-Type",
            "Content-Length",
            "Content-Encoding",
            "Location",
            "X-MSTR-MS-Instance",
            "Set-Cookie",
            "X-MSTR-AuthToken",
        ]
    ),
    HEADER_TEXT,
    max_size=4,
)
STATUSES = st.sampled_from(
    [200, 201, 202, 204, 302, 400, 401, 403, 404, 429, 500, 503]
) | st.integers(100, 599)


def _operations(conn: Connection) -> list[Any]:
    run = Run(conn, REPORT, INSTANCE, policy=PollPolicy(timeout=0.2))
    report = conn.report(REPORT)
    return [
        lambda: conn.request("GET", "/api/x").json_or_none(),
        report.create,
        lambda: report.create(prefer_async=True),
        report.prompts,
        run.status,
        lambda: run.instance.elements("K@0@10"),
        lambda: run.instance.objects("K@0@10"),
        lambda: run.instance.data(limit=2),
        run.instance.sql,
        run.instance.delete,
        lambda: conn.document(REPORT).create(),
        lambda: conn.datamart(REPORT).create(),
    ]


@settings(max_examples=150)
@given(status=STATUSES, headers=HEADERS, body=BODIES)
def test_any_reply_raises_only_the_librarys_own_errors(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    conn = Connection(
        "http://127.0.0.1:9/MicroStrategyLibrary",
        username="u",
        password="secret-pw",
        project_id=PROJECT,
        retries=0,
        pool=FakePool(status, headers, body),  # type: ignore[arg-type]
    )
    for operation in _operations(conn):
        started = time.monotonic()
        try:
            with time_limit(2):
                operation()
        except PromptAnswerError:
            pass
        assert time.monotonic() - started < 10


@given(text=st.text(max_size=60) | st.sampled_from(["9" * 5000, "nan", "-0", "1" * 13]))
def test_retry_after_never_raises(text: str) -> None:
    from mstr_prompts.client.connection import retry_after_seconds

    seconds = retry_after_seconds(text)
    assert seconds is None or 0 <= seconds <= 30


@given(
    status=st.integers(100, 599),
    body=BODIES,
    login=st.booleans(),
    answering=st.booleans(),
)
def test_from_response_takes_any_body(
    status: int, body: bytes, login: bool, answering: bool
) -> None:
    error = from_response("GET /api/x", status, body, login=login, answering=answering)
    assert isinstance(error, ServerError) and "\n" not in str(error)
