"""Live instances of reports, documents and dashboards, and what can be done with them.

An :class:`Instance` is one server-side execution: it has a status, open prompts,
answers, element and object look-ups, and it is deleted when its ``with`` block ends,
whatever happened inside.  :class:`ReportInstance` follows seed 000, "Execute report"
(https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report):
the instance is created through the modeling service, answered and read through the
analytics endpoints, and deleted with ``X-MSTR-MS-Instance``.  :class:`DocumentInstance`
serves documents and dashboards (``/api/documents/{id}/instances/{mid}``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeGuard, TypeVar

from pydantic import ValidationError

from .. import rest
from ..definitions import Definitions, Missing, bind
from ..definitions import decode as decode_definitions
from ..element_id import parse_element_id
from ..errors import DecodeError, validation_message
from ..model import AnswerSet, Element, ElementAnswer, ObjectAnswer, ObjectRef
from ..object_types import object_type_from_name
from .answering import Answers, answer_rounds, listed_prompts, open_only
from .deadlines import cleanup_time
from .errors import NameNotResolved, ServerError, TransportError, unsupported
from .grid import merge_page
from .polling import PollPolicy, status_of, wait_status
from .redaction import redacting
from .session import Response, Session, instance_header, segment, server_id

__all__ = ["DocumentInstance", "Instance", "ReportInstance"]

_log = logging.getLogger("mstr_prompts.client")

_I = TypeVar("_I", bound="Instance")

STATUS_ENDPOINT = "report status"
"""The key of ``GET /api/reports/{id}/instances/{iid}/status`` in ``Connection.lacking``."""

SQL_STAGE = "resolve_prompts"
"""The ``executionStage`` of the SQL workflow: the prompts are resolved, nothing runs."""

PAGE_LIMIT = 200
"""The documented maximum ``limit`` of the element and object look-ups."""

MAX_PAGES = 10_000
"""The most pages one look-up or one data read asks for (2 million elements at 200)."""


@redacting
class Instance:
    """One instance on the server; a context manager that deletes it on exit.

    Subclasses say where it lives (:attr:`path`), what it is (:attr:`kind`) and how
    it is deleted (:meth:`send_delete`).
    """

    kind = "instance"
    """What the instance is of, for messages: ``"report"``, ``"document"``, ``"datamart"``."""

    def __init__(
        self,
        conn: Session,
        object_id: str,
        instance_id: str,
        *,
        policy: PollPolicy | None = None,
    ) -> None:
        self.conn = conn
        self.object_id = object_id
        self.instance_id = instance_id
        self.policy = policy or PollPolicy()
        self.deleted = False
        self.progress: Callable[[Any, float], None] | None = None
        """Called after every status poll with the :class:`~mstr_prompts.client.RunStatus`
        seen and the seconds since :attr:`started` (a command line's progress line)."""
        self.started = time.monotonic()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.object_id} instance {self.instance_id}>"

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} instance {self.instance_id}"

    # ------------------------------------------------------------ paths

    @property
    def path(self) -> str:
        """The analytics path of this instance, ``/api/{reports|documents}/{id}/instances/{iid}``."""
        raise NotImplementedError

    # ------------------------------------------------------------ lifecycle

    def __enter__(self: _I) -> _I:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.delete()
            return
        try:
            # A failure that is the caller's time limit running out leaves no time for
            # the DELETE: it gets a bounded time of its own, so the instance is not left.
            with cleanup_time():
                self.delete()
        except ServerError as cleanup:
            # The original failure matters more; the leftover instance is logged.
            _log.warning("%s: could not delete after an error: %s", self, cleanup)

    def delete(self) -> None:
        """Delete the instance on the server (once; later calls do nothing)."""
        if self.deleted:
            return
        try:
            self.send_delete()
        except KeyboardInterrupt:
            # Ctrl-C, SIGTERM or SIGHUP cut the DELETE short: the program stops, but the
            # cleanup must not.  The first DELETE may or may not have been taken (a
            # server that gets it after the logout refuses it), so it is sent once
            # more; a 404 says the first one was taken.
            self._delete_again()
            raise
        self.deleted = True

    def _delete_again(self) -> None:
        try:
            self.send_delete()
        except ServerError as exc:
            if exc.status == 404:
                self.deleted = True
            else:
                _log.warning("%s: could not delete after an interrupt: %s", self, exc)
        else:
            self.deleted = True

    def send_delete(self) -> None:
        """Send the DELETE of this instance once (each kind has its own request).

        :meth:`delete` is what callers use: it sends this once, again after an
        interrupt, and marks the instance deleted.

        >>> from mstr_prompts.client import Connection
        >>> Instance(Connection("http://127.0.0.1:1", login_mode=8), "R", "I").send_delete()
        Traceback (most recent call last):
        ...
        NotImplementedError: a subclass says how its instances are deleted
        """
        raise NotImplementedError("a subclass says how its instances are deleted")

    # ------------------------------------------------------------ status and prompts

    def status_reply(self) -> Response:
        """One look at the status, not waiting: ``GET …/status`` (HTTP 202 while processing)."""
        return self.conn.request("GET", f"{self.path}/status")

    @property
    def status_known(self) -> bool:
        """True while every status came from the server (see ``ReportInstance``)."""
        return True

    def status(self) -> int:
        """Poll the status until it is not 202 and the instance is not running.

        Returns 1 (ready) or 2 (prompted); a status of 3 is returned too and left for
        the caller to judge.
        """
        return wait_status(self.reported(self.status_reply), self.policy)

    def reported(self, fetch: Callable[[], Response]) -> Callable[[], Response]:
        """``fetch``, telling :attr:`progress` (when set) what each reply says."""
        if self.progress is None:
            return fetch

        def polled() -> Response:
            response = fetch()
            if self.progress is not None:
                try:
                    seen = status_of(response)
                except TransportError:
                    return response  # wait_status says what is wrong with it
                self.progress(seen, time.monotonic() - self.started)
            return response

        return polled

    def prompts_json(self, *, closed: bool | None = None) -> Any:
        """The raw ``GET …/prompts`` reply (``closed=false`` asks for open prompts only)."""
        query = None if closed is None else {"closed": "true" if closed else "false"}
        return self.conn.request("GET", f"{self.path}/prompts", query=query).json("the prompts")

    def prompts(self, *, closed: bool | None = None) -> Definitions:
        """The instance's prompt definitions (``closed=False``: the open ones only)."""
        return _definitions(self.prompts_json(closed=closed), f"GET {self.path}/prompts")

    def open_prompts(self) -> Definitions:
        """The prompts open in this round (``closed=false``, and filtered again here)."""
        return open_only(self.prompts(closed=False))

    def put_answers(self, answers: AnswerSet) -> None:
        """``PUT …/prompts/answers`` with the REST body of ``answers`` (one round, no checks)."""
        self.conn.request(
            "PUT", f"{self.path}/prompts/answers", json_body=rest.encode(answers), answering=True
        )

    def answer(
        self,
        answers: Answers = None,
        *,
        validate: bool = True,
        missing: Missing | None = None,
    ) -> int:
        """Answer every round of prompts; return the final status (1 when ready).

        ``answers`` is one set for all rounds or a list of sets, one per round.  Each
        round's answers are bound to the live definitions and, unless ``validate`` is
        False, checked before they are sent; ``missing`` (``"default"``, ``"close"`` or
        ``"error"``) decides the open prompts they leave out.
        """
        return answer_rounds(self, answers, validate=validate, missing=missing)

    # ------------------------------------------------------------ look-ups

    def _pages(self, path: str, query: dict[str, Any], field: str) -> list[dict[str, Any]]:
        """Every page of an element or object look-up, for as long as the server makes progress.

        A server that ignores ``offset`` (the same page again), repeats items, sends an
        empty page while its ``totalSize`` says more, or never ends, is stopped with a
        :class:`TransportError` naming the request, instead of being asked for ever.
        """
        request = f"GET {path}"
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        offset = 0
        for _ in range(MAX_PAGES):
            body = self.conn.request(
                "GET", path, query={**query, "offset": offset, "limit": PAGE_LIMIT}
            ).json(f"the {field}")
            page = body.get(field) if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise TransportError(request, server_message=f"the reply has no {field} list")
            total = body.get("totalSize") if isinstance(body, dict) else None
            if not isinstance(total, int) or isinstance(total, bool) or total < 0:
                total = None
            fresh = 0
            for item in page:
                if not isinstance(item, dict):
                    continue
                key = json.dumps(item, sort_keys=True, default=str)
                if key not in seen:
                    seen.add(key)
                    items.append(item)
                    fresh += 1
            if page and not fresh:
                raise TransportError(
                    request,
                    server_message=f"the page at offset {offset} repeats items already "
                    "received (the server ignores offset): stopped",
                )
            offset += len(page)
            if total is not None:
                if offset >= total:
                    return items
                if not page:
                    raise TransportError(
                        request,
                        server_message=f"an empty page at offset {offset} while totalSize "
                        f"is {total}: the server makes no progress",
                    )
            elif len(page) < PAGE_LIMIT:
                return items
        raise TransportError(
            request, server_message=f"more than {MAX_PAGES} pages of {field}: stopped"
        )

    def elements(self, prompt: str, *, search: str | None = None) -> list[Element]:
        """The elements a prompt (by key or ID) offers, all pages, optionally searched.

        The element IDs are parsed (``h7796;8D679D3C…``), so the answers they build can be
        written in every format.
        """
        query = {"searchPattern": search} if search is not None else {}
        path = f"{self.path}/prompts/{segment(prompt)}/elements"
        out = []
        for item in self._pages(path, query, "elements"):
            raw_id, name = item.get("id"), item.get("name")
            try:
                element_id = parse_element_id(raw_id) if isinstance(raw_id, str) else None
            except DecodeError as exc:
                raise TransportError(
                    f"GET {path}", server_message=f"the server sent a bad element ID: {exc}"
                ) from None
            try:
                out.append(Element(id=element_id, name=name if isinstance(name, str) else None))
            except ValidationError as exc:
                raise TransportError(
                    f"GET {path}",
                    server_message=f"the server sent an unusable element: {validation_message(exc)}",
                ) from None
        return out

    def objects(self, prompt: str, *, search: str | None = None) -> list[ObjectRef]:
        """The objects an object prompt (by key or ID) offers, all pages, optionally searched."""
        query = {"searchPattern": search} if search is not None else {}
        path = f"{self.path}/prompts/{segment(prompt)}/objects"
        out = []
        for item in self._pages(path, query, "objects"):
            kind = item.get("type")
            number = object_type_from_name(kind) if isinstance(kind, str) else kind
            if isinstance(item.get("id"), str) and isinstance(number, int):
                name = item.get("name")
                try:
                    out.append(
                        ObjectRef(
                            id=item["id"], type=number, name=name if isinstance(name, str) else None
                        )
                    )
                except ValidationError as exc:
                    raise TransportError(
                        f"GET {path}",
                        server_message=f"the server sent an unusable object: {validation_message(exc)}",
                    ) from None
        return out

    def resolve(self, answers: AnswerSet) -> AnswerSet:
        """Bind the answers to the open prompts and give elements named only by name their IDs.

        Each name is looked up with ``GET …/prompts/{key}/elements?searchPattern=NAME``;
        exactly one element of the prompt must have that name, or
        :class:`NameNotResolved` names it.  Objects given without their type take it
        from the prompt's object list (``GET …/prompts/{key}/objects``).  The result can
        be written as prompt-answer XML or a Web link, which need element IDs and object
        types.
        """
        bound = bind(answers, self.open_prompts())
        resolved = []
        for answer in bound:
            if isinstance(answer, ObjectAnswer) and answer.untyped:
                # An object given without its type (as mstrio-py documents it) takes the
                # type the prompt's object list gives it; one not listed stays untyped.
                listed = self.objects(answer.prompt.key or answer.prompt.id or "")
                answer = answer.with_types({o.id: o.type for o in listed if o.type is not None})
            if not isinstance(answer, ElementAnswer) or all(
                e.id is not None for e in answer.elements
            ):
                resolved.append(answer)
                continue
            identifier = answer.prompt.key or answer.prompt.id
            assert identifier is not None  # bound answers carry their prompt's key
            elements = []
            for element in answer.elements:
                if element.id is not None or element.name is None:
                    elements.append(element)
                    continue
                hits = [
                    e
                    for e in self.elements(identifier, search=element.name)
                    if e.name == element.name
                ]
                if len(hits) != 1:
                    raise NameNotResolved(element.name, answer.describe(), matches=len(hits))
                elements.append(hits[0])
            try:
                resolved.append(ElementAnswer.of(answer.prompt, None, tuple(elements)))
            except ValidationError as exc:
                raise DecodeError(
                    f"{answer.describe()}: {validation_message(exc)}", where="resolved elements"
                ) from None
        return AnswerSet.of(tuple(resolved), bound.mode, bound.locale)


def _definitions(body: Any, request: str) -> Definitions:
    try:
        return decode_definitions(body)
    except DecodeError as exc:
        raise TransportError(
            request, server_message=f"unreadable prompt definitions: {exc}"
        ) from None


@redacting
class ReportInstance(Instance):
    """A report instance created through the modeling service (seed 000).

    ``sql()`` reads ``GET /api/v2/reports/{id}/instances/{iid}/sqlView``; ``data()``
    reads every page of ``GET /api/v2/reports/{id}/instances/{iid}``; deletion is
    ``DELETE /api/model/reports/{id}/instances`` with ``X-MSTR-MS-Instance``.
    """

    kind = "report"

    def __init__(
        self,
        conn: Session,
        object_id: str,
        instance_id: str,
        *,
        policy: PollPolicy | None = None,
        stage: str | None = None,
        asynchronous: bool = False,
    ) -> None:
        super().__init__(conn, object_id, instance_id, policy=policy)
        self._assumed = False
        self.stage = stage
        self.asynchronous = asynchronous
        """True for an instance created with ``Prefer: respond-async``."""
        """``executionStage`` of the creation: ``"resolve_prompts"`` for the SQL workflow,
        whose waits never ask the data endpoint (None: not known, as for a datamart)."""

    @property
    def path(self) -> str:
        return f"/api/reports/{segment(self.object_id)}/instances/{segment(self.instance_id)}"

    @property
    def v2_path(self) -> str:
        """``/api/v2/reports/{id}/instances/{iid}``, where the SQL view and the data live."""
        return f"/api/v2/reports/{segment(self.object_id)}/instances/{segment(self.instance_id)}"

    def status_reply(self) -> Response:
        """One look at the status: ``GET …/status``, else a documented request.

        "Execute report" documents no status endpoint; MicroStrategy's clients poll
        ``GET /api/reports/{id}/instances/{iid}/status`` (202 while processing).  On a
        server that answers it with 404, 405 or 501 the data workflow polls the
        documented ``GET /api/v2/reports/{id}/instances/{iid}`` (its reply has the
        ``status``; one row is asked for) from then on, and a 404 there too means the
        instance is gone.  The SQL workflow (``stage="resolve_prompts"``) never asks
        the data endpoint, which would run the report: see :meth:`_sql_status`.
        """
        conn = self.conn
        if STATUS_ENDPOINT not in conn.lacking:
            try:
                return conn.request("GET", f"{self.path}/status")
            except ServerError as exc:
                if not unsupported(exc):
                    raise
        if self.stage == SQL_STAGE:
            reply = self._sql_status()
        else:
            reply = conn.request("GET", self.v2_path, query={"limit": 1})
        if STATUS_ENDPOINT not in conn.lacking:
            _log.info("%s: no status endpoint; waiting the documented way", self)
            conn.lacking.add(STATUS_ENDPOINT)
        return reply

    def _sql_status(self) -> Response:
        """The status of an instance created for its SQL, without the status endpoint.

        Seed 000 reads the SQL view right after the answers ("after answering the
        prompts, the SQL view will be available"): a ``resolve_prompts`` instance does not
        run.  What is left to know is whether another round of prompts opened, which
        the documented prompt listing says (``GET …/prompts?closed=false``: open
        prompts mean 2, none 1).  A server without the listing either gets the seed's
        own sequence: the status is taken as 1 and the SQL view judges
        (:attr:`status_known` is then False), unless the instance was created
        asynchronously, when only the v2 instance can say that it is ready.
        """
        prompts = listed_prompts(self)
        if prompts is None and self.asynchronous:
            # Created with ``Prefer: respond-async``: the server works on the instance
            # after the reply, and the asynchronous workflow's way to follow it is the
            # instance itself ("use the instance ID to fetch the status").
            return self.conn.request("GET", self.v2_path, query={"limit": 1})
        if prompts is None:
            self._assumed = True
            return Response(f"GET {self.path}/status", 200, {}, b'{"status": 1}')
        status = 2 if prompts else 1
        return Response(f"GET {self.path}/prompts", 200, {}, b'{"status": %d}' % status)

    @property
    def status_known(self) -> bool:
        """False once the status had to be assumed (see :meth:`_sql_status`)."""
        return not self._assumed

    def send_delete(self) -> None:
        # As the seed's DELETE: token, cookies and X-MSTR-MS-Instance, no project.
        self.conn.request(
            "DELETE",
            f"/api/model/reports/{segment(self.object_id)}/instances",
            # Checked as a path segment would be: "", "." or ".." name no instance.
            headers={"X-MSTR-MS-Instance": instance_header(self.instance_id)},
            project=False,
        )

    def sql(self) -> str:
        """The SQL the report runs with the answers given (``sqlStatement``)."""
        body = self.conn.request("GET", f"{self.v2_path}/sqlView").json_object("the SQL view")
        statement = body.get("sqlStatement")
        if not isinstance(statement, str):
            raise TransportError(
                f"GET {self.v2_path}/sqlView", server_message="the reply has no sqlStatement text"
            )
        return statement

    def data(self, *, limit: int | None = None) -> dict[str, Any]:
        """The report data, every page merged (``limit`` is the size of each page)."""
        return fetch_pages(self.conn, self.v2_path, limit=limit)


@redacting
class DocumentInstance(Instance):
    """A document or dashboard instance (``mid``), under ``/api/documents/{id}/instances/{mid}``."""

    kind = "document"

    @property
    def path(self) -> str:
        return f"/api/documents/{segment(self.object_id)}/instances/{segment(self.instance_id)}"

    def send_delete(self) -> None:
        self.conn.request("DELETE", self.path)

    def reprompt(self) -> DocumentInstance:
        """``POST …/rePrompt``: a new instance (new ``mid``) whose prompts are open again.

        The old instance is left as it is (delete it, or keep using its ``with`` block).
        """
        body = self.conn.request("POST", f"{self.path}/rePrompt").json_object("the new instance")
        mid = body.get("mid")
        if not isinstance(mid, str) or not mid:
            raise TransportError(
                f"POST {self.path}/rePrompt", server_message="the reply has no mid"
            )
        mid = server_id(mid, f"POST {self.path}/rePrompt")
        return type(self)(self.conn, self.object_id, mid, policy=self.policy)


def _merge_page(total: dict[str, Any], page: dict[str, Any], request: str) -> None:
    """Append a page to the first page's data: rows, their elements and metric values
    (:func:`~mstr_prompts.client.grid.merge_page` rebases each page's header indexes)."""
    merge_page(total, page, request)


def fetch_pages(conn: Session, path: str, *, limit: int | None) -> dict[str, Any]:
    """Every page of a v2 data reply at ``path``, merged into the first page's shape.

    Bounded: a page that does not start where it was asked to (``paging.offset``), a
    ``total`` that changes, or more than :data:`MAX_PAGES` pages stop the read with a
    :class:`TransportError` naming the request.
    """
    if limit is not None and limit < 1:
        raise ValueError("limit is the page size and must be at least 1")
    offset = 0
    merged: dict[str, Any] | None = None
    first_total: int | None = None
    first_current = 0
    for _ in range(MAX_PAGES):
        # The first request is the seed's bare GET; later pages say where they start.
        query: dict[str, Any] = {"offset": offset} if offset else {}
        if limit is not None:
            query["limit"] = limit
        response: Response = conn.request("GET", path, query=query)
        page = response.json_object("the data")
        paging = page.get("data", {}).get("paging") if isinstance(page.get("data"), dict) else None
        if merged is None:
            merged = page
        else:
            _merge_page(merged, page, response.request)
        if not isinstance(paging, dict):
            return merged
        total, current = paging.get("total"), paging.get("current")
        if not _count(total) or not _count(current):
            return merged
        if current == 0:
            if offset < total:
                # An empty page while the total says more: returning what came would be
                # a silent truncation, and asking again would never end.
                raise TransportError(
                    response.request,
                    server_message=f"an empty page at offset {offset} while the total is "
                    f"{total}: the server makes no progress",
                )
            return merged
        start = paging.get("offset")
        if offset and _count(start) and start != offset:
            raise TransportError(
                response.request,
                server_message=f"asked for the page at offset {offset}, the server sent the "
                f"one at {start} (it ignores offset): stopped",
            )
        if first_total is None:
            first_total, first_current = total, current
            if -(-(total - current) // current) >= MAX_PAGES:
                # Decided up front: 10**12 rows in pages of 1 is not read a row at a time.
                raise TransportError(
                    response.request,
                    server_message=f"the server says {total} rows in pages of {current}: "
                    f"more than {MAX_PAGES} pages",
                    hint="ask for larger pages (limit=…)",
                )
        elif current < first_current and offset + current < total:
            # A server may cap the page size, but then every page but the last is full.
            raise TransportError(
                response.request,
                server_message=f"the page at offset {offset} has {current} rows, the first "
                f"had {first_current}, and more remain: the server makes no progress",
            )
        elif total != first_total:
            raise TransportError(
                response.request,
                server_message=f"the total changed from {first_total} to {total} between pages",
            )
        offset += current
        if offset >= total:
            data = merged["data"]
            data["paging"] = {"total": total, "current": total, "offset": 0, "limit": total}
            return merged
    raise TransportError(
        f"GET {path}",
        server_message=f"more than {MAX_PAGES} pages (total {first_total}): stopped",
        hint="ask for larger pages (limit=…)",
    )


def _count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
