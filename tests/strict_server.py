"""A deliberately minimal server that answers only the documented requests, and 404s the rest.

It stands in for a server the team did not write: written apart from
``mstr_prompts.testing`` (it shares no code with it), it implements "Execute a datamart"
(seed 001), "Execute report" (seed 000) and the asynchronous creation of "Asynchronous
execution of reports and cubes" exactly as documented, and nothing else:

* https://microstrategy.github.io/rest-api-docs/common-workflows/modeling/manage-datamart-objects/execute-a-datamart
* https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report
* https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/retrieve-data-from-the-intelligence-server/asynchronous-execution-of-reports-and-cubes

No status endpoint, no prompt listing, no cookies needed, lower-case response headers
(``x-mstr-authtoken``, ``x-mstr-ms-instance``) as the documented samples show them, and
a 404 with an empty body for every request it does not know.  A 202 names the instance
in one of three ways (``reference``): ``{"id"}`` in the body, the ``x-mstr-ms-instance``
header, or a ``Location`` header.  Ready data replies carry no ``status`` field unless
``status_in_data``.  Instances belong to the server, not to a session, so a handle
resumes from another connection or process.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PROJECT = "B7CA92F04B9FAE8D941C3E9B7E0CD754"
PROMPTED_REPORT = "9B9ADA7F464E63CE0D0B709B03BD9370"
PLAIN_REPORT = "0F1E2D3C4B5A49687786958473625140"
PROMPTED_DATAMART = "85000B907B4EAD3B0D9522A9CFD10DBC"
PLAIN_DATAMART = "3A4B5C6D7E8F40519A2B3C4D5E6F7081"
CONTEXT = "/MicroStrategyLibrary"
ROWS = [("Books", 100.0), ("Movies", 250.5), ("Music", 75.25)]

REPORTS = {PROMPTED_REPORT: True, PLAIN_REPORT: False}
DATAMARTS = {PROMPTED_DATAMART: True, PLAIN_DATAMART: False}

_OID = r"(?P<oid>[0-9A-F]{32})"
_IID = r"(?P<iid>[0-9A-F]{32})"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(f"^{p}$"), h)
    for m, p, h in [
        ("POST", "/api/auth/login", "login"),
        ("POST", "/api/auth/logout", "logout"),
        ("POST", f"/api/model/reports/{_OID}/instances", "create_report"),
        ("PUT", f"/api/reports/{_OID}/instances/{_IID}/prompts/answers", "answer"),
        ("GET", f"/api/v2/reports/{_OID}/instances/{_IID}", "report_instance"),
        ("GET", f"/api/v2/reports/{_OID}/instances/{_IID}/sqlView", "sql_view"),
        ("DELETE", f"/api/model/reports/{_OID}/instances", "delete"),
        ("POST", f"/api/model/datamarts/{_OID}/instances", "create_datamart"),
        ("POST", f"/api/datamarts/{_OID}/instances/{_IID}/execution/jobs", "execute"),
        ("GET", f"/api/datamarts/{_OID}/instances/{_IID}/execution", "execution"),
        ("POST", f"/api/model/datamarts/{_OID}/instances/(?P<action>save|saveAs)", "save"),
        ("DELETE", f"/api/model/datamarts/{_OID}/instances", "delete"),
    ]
]


@dataclass
class Seen:
    """One request: method, path (without the webapp), query, headers (lower-case), body, status."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Live:
    """One instance: its object, whether prompts are open, the running states still to show."""

    kind: str
    oid: str
    prompted: bool
    schedule: list[int] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)
    executed: bool = False


class _Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, code: str, message: str, **extra: Any) -> _Reply:
    return _Reply(status, {"code": code, "message": message, "ticketId": "0" * 32, **extra})


GONE = ("ERR004", "Message not found in user history list.")


class StrictServer:
    """The documented requests only; a context manager listening on 127.0.0.1."""

    def __init__(
        self,
        *,
        reference: str = "body",
        running: tuple[int, ...] = (4, 5, 6),
        status_in_data: bool = False,
    ) -> None:
        self.reference = reference
        self.running = running
        self.status_in_data = status_in_data
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.instances: dict[str, Live] = {}
        self.instances_ever: list[str] = []
        self.saved: list[dict[str, Any]] = []
        self.seen: list[Seen] = []
        handler = type("_Bound", (_Handler,), {"app": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{CONTEXT}"

    def __enter__(self) -> StrictServer:
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def lines(self) -> list[str]:
        """``"METHOD /path STATUS"`` of every request so far."""
        with self.lock:
            return [f"{s.line} {s.status}" for s in self.seen]

    # ------------------------------------------------------------ handlers

    def dispatch(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        for route_method, pattern, name in ROUTES:
            match = pattern.match(path)
            if match is not None and route_method == method:
                if name != "login":
                    with self.lock:
                        known = headers.get("x-mstr-authtoken") in self.tokens
                    if not known:
                        return _error(401, "ERR009", "The user's session has expired.")
                handler = getattr(self, f"_{name}")
                try:
                    handler(match, headers, body)
                except _Reply as reply:
                    return reply
                raise AssertionError(f"{name} did not reply")
        return _Reply(404)  # not documented: no body, as a servlet container answers

    def _project(self, headers: dict[str, str]) -> None:
        if headers.get("x-mstr-projectid") != PROJECT:
            raise _error(400, "ERR006", "X-MSTR-ProjectID is missing or wrong.")

    def _live(self, iid: str | None, oid: str) -> Live:
        with self.lock:
            live = self.instances.get(iid or "")
        if live is None or live.oid != oid:
            raise _error(404, *GONE, iServerCode=-2147468986)
        return live

    def _next_status(self, live: Live) -> int:
        with self.lock:
            if live.schedule:
                return live.schedule.pop(0)
        return 2 if live.prompted else 1

    def _login(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        login = json.loads(body or b"{}")
        if login.get("loginMode", 1) != 1 or login.get("username") != "user":
            raise _error(401, "ERR003", "Login failure.")
        token = secrets.token_hex(13)
        with self.lock:
            self.tokens.add(token)
        raise _Reply(204, None, {"x-mstr-authtoken": token})

    def _logout(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        with self.lock:
            self.tokens.discard(headers.get("x-mstr-authtoken", ""))
        raise _Reply(204)

    def _new(self, kind: str, oid: str, prompted: bool) -> str:
        iid = secrets.token_hex(16).upper()
        with self.lock:
            self.instances[iid] = Live(kind, oid, prompted, list(self.running))
            self.instances_ever.append(iid)
        return iid

    def _create_report(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        oid = match["oid"]
        if oid not in REPORTS:
            raise _error(404, "ERR004", "Report not found.")
        iid = self._new("report", oid, REPORTS[oid])
        if "respond-async" not in headers.get("prefer", ""):
            with self.lock:
                self.instances[iid].schedule.clear()
            raise _Reply(201, {"id": iid})
        if self.reference == "body":
            raise _Reply(202, {"id": iid})
        if self.reference == "header":
            raise _Reply(202, None, {"x-mstr-ms-instance": iid})
        raise _Reply(202, None, {"Location": f"{CONTEXT}/api/v2/reports/{oid}/instances/{iid}"})

    def _answer(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        live = self._live(match["iid"], match["oid"])
        if "json" not in headers.get("content-type", ""):
            raise _error(400, "ERR006", "Content-Type must be application/json.")
        prompts = json.loads(body or b"null")
        prompts = prompts.get("prompts") if isinstance(prompts, dict) else None
        if not isinstance(prompts, list) or not prompts:
            raise _error(400, "ERR006", "The body must have a prompts array.")
        for prompt in prompts:
            if not isinstance(prompt, dict) or not (
                "answers" in prompt or prompt.get("useDefault")
            ):
                raise _error(400, "ERR006", "Each prompt needs answers.")
        with self.lock:
            if not live.prompted or live.schedule:
                raise _error(400, "ERR006", "The instance is not waiting for prompt answers.")
            live.answers.append(prompts)
            live.prompted = False
            live.schedule = list(self.running)
        raise _Reply(204)

    def _report_instance(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        live = self._live(match["iid"], match["oid"])
        status = self._next_status(live)
        if status != 1:
            raise _Reply(200, {"id": live.oid, "status": status, "instanceId": match["iid"]})
        query = parse_qs(urlsplit(headers[":path"]).query)
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["1000"])[0])
        rows = ROWS[offset : offset + limit]
        data: dict[str, Any] = {
            "name": "Revenue by category",
            "id": live.oid,
            "instanceId": match["iid"],
            "definition": {"grid": {"rows": [], "columns": []}},
            "data": {
                "paging": {
                    "total": len(ROWS),
                    "current": len(rows),
                    "offset": offset,
                    "limit": limit,
                },
                "headers": {"rows": [[offset + i] for i in range(len(rows))], "columns": [[0]]},
                "metricValues": {"raw": [[v] for _, v in rows], "formatted": [], "extras": []},
            },
        }
        if self.status_in_data:
            data["status"] = 1
        raise _Reply(200, data)

    def _sql_view(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        live = self._live(match["iid"], match["oid"])
        if live.prompted:
            raise _error(400, "ERR006", "The report instance has unanswered prompts.")
        names = [
            a.get("name")
            for r in live.answers
            for p in r
            for a in p.get("answers", [])
            if isinstance(a, dict)
        ]
        where = f"\nwhere a11.Country in ({', '.join(map(repr, names))})" if names else ""
        raise _Reply(200, {"sqlStatement": f"select a11.*\nfrom LU_COUNTRY a11{where}"})

    def _delete(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        iid = headers.get("x-mstr-ms-instance")
        self._live(iid, match["oid"])
        with self.lock:
            self.instances.pop(iid or "", None)
        raise _Reply(204)

    def _create_datamart(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        oid = match["oid"]
        if oid not in DATAMARTS or body.strip():
            raise _error(404, "ERR004", "Datamart not found.")
        iid = self._new("datamart", oid, DATAMARTS[oid])
        raise _Reply(201, None, {"x-mstr-ms-instance": iid})

    def _execute(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        live = self._live(match["iid"], match["oid"])
        with self.lock:
            if live.executed:
                raise _error(400, "ERR006", "The datamart is already executing.")
            live.executed = True
        job = {"id": live.oid, "instanceId": match["iid"], "status": 5, "jobId": "10:Sk9CMQ=="}
        raise _Reply(200, job)

    def _execution(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        self._project(headers)
        live = self._live(match["iid"], match["oid"])
        if not live.executed:
            raise _error(400, "ERR006", "The datamart is not executing.")
        status = self._next_status(live)
        raise _Reply(200, {"id": live.oid, "status": status, "instanceId": match["iid"]})

    def _save(self, match: re.Match[str], headers: dict[str, str], body: bytes) -> None:
        iid = headers.get("x-mstr-ms-instance")
        live = self._live(iid, match["oid"])
        if not live.executed or live.prompted or live.schedule:
            raise _error(400, "ERR006", "The datamart has not finished executing.")
        request = json.loads(body or b"null")
        options = request.get("promptOptions") if isinstance(request, dict) else None
        names = {"saveAsWithAnswers", "saveAsFilterWithPrompts", "saveAsTemplateWithPrompts"}
        if not isinstance(options, dict) or set(options) != names:
            raise _error(400, "ERR006", "promptOptions must have the three options.")
        if match["action"] == "saveAs" and not (
            request.get("name")
            and re.fullmatch("[0-9A-F]{32}", request.get("destinationFolderId", ""))
        ):
            raise _error(400, "ERR006", "Save as needs a name and a destinationFolderId.")
        with self.lock:
            self.saved.append({"action": match["action"], "answers": live.answers, **request})
        object_id = live.oid if match["action"] == "save" else secrets.token_hex(16).upper()
        raise _Reply(200, {"objectId": object_id})


class _Handler(BaseHTTPRequestHandler):
    app: StrictServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        headers[":path"] = self.path
        inner = parts.path[len(CONTEXT) :] if parts.path.startswith(CONTEXT + "/") else None
        if inner is None:
            reply = _Reply(404)
        else:
            reply = self.app.dispatch(self.command, inner, headers, body)
        with self.app.lock:
            self.app.seen.append(
                Seen(
                    self.command,
                    inner or parts.path,
                    parse_qs(parts.query),
                    headers,
                    body,
                    reply.status,
                )
            )
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if data:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve
