"""Asynchronous runs: submit a prompted report, keep a handle, fetch the result later.

MicroStrategy creates instances asynchronously when the request says
``Prefer: respond-async`` (RFC 7240): the reply may be **202** with a reference to the
instance, and ``GET …/instances/{id}/status`` answers 202 while the server is still
working and then the instance's ``status``
(https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/retrieve-data-from-the-intelligence-server/asynchronous-execution-of-reports-and-cubes).
A :class:`Run` is the client side of that: :meth:`Report.submit
<mstr_prompts.client.Report.submit>` creates the instance, answers its prompts and
returns at once; the run's :meth:`~Run.to_json` handle can be stored and resumed in
another process with :meth:`Run.from_json`, like a Salesforce report instance ID
(https://developer.salesforce.com/docs/atlas.en-us.api_analytics.meta/api_analytics/sforce_analytics_rest_api_get_reportdata.htm).

``status`` is EnumDSSXMLStatus (:class:`ExecutionStatus`): 1 ready, 2 prompted, 3 and 18
execution errors, every other value a running state
(https://www2.microstrategy.com/producthelp/2019/ReferenceFiles/reference/com/microstrategy/webapi/EnumDSSXMLStatus.html).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..definitions import Definitions, Missing
from ..errors import Hint, Option, PromptAnswerError
from ..model import Answer, AnswerSet
from .answering import answer_rounds, given, listed_prompts
from .deadlines import cleanup_time, time_limit
from .errors import (
    ExecutionFailed,
    InstanceGone,
    NotFound,
    PromptsOutstanding,
    RunHandleError,
    TransportError,
    UnusedAnswers,
)
from .instances import ReportInstance
from .polling import (
    ExecutionStatus,
    PollPolicy,
    PollTimeout,
    Progress,
    RunStatus,
    status_of,
    wait_status,
)
from .redaction import redacting
from .session import Response, Session

if TYPE_CHECKING:
    from .objects import Report

__all__ = [
    "HANDLE_VERSION",
    "ExecutionStatus",
    "Progress",
    "Run",
    "RunStatus",
    "RunTimeout",
    "submit",
]

_log = logging.getLogger("mstr_prompts.client")

HANDLE_VERSION = 1
"""The version written in every handle; a handle of another version is refused."""


class RunTimeout(PollTimeout):
    """The run was still going when :meth:`Run.wait` ran out of time.

    ``run`` is the run (resume it with ``wait`` again), ``handle`` its JSON handle,
    ``waited`` the seconds waited and ``last`` the last :class:`RunStatus` seen.
    """

    def __init__(self, run: Run, *, waited: float, last: RunStatus | None) -> None:
        self.run = run
        self.handle = run.to_json()
        self.waited = waited
        self.last = last
        seen = f"; last seen {last}" if last is not None else ""
        super().__init__(
            str(run.instance),
            server_message=f"still running after {waited:.1f} s{seen}",
            hint="the run goes on: resume it later from its handle (mstr-prompts wait HANDLE)",
        )
        self.last_status = None if last is None else last.code


@contextmanager
def gone_as(what: str) -> Iterator[None]:
    """Turn a 404 on an instance into :class:`InstanceGone` naming ``what``."""
    try:
        yield
    except NotFound as exc:
        raise InstanceGone.of(exc, what) from None


@redacting
class Run:
    """A run submitted with :meth:`Report.submit <mstr_prompts.client.Report.submit>`.

    It holds the server's instance: :meth:`status` looks once, :meth:`wait` polls
    until the run ends, :meth:`result` returns the data (or the SQL for a run submitted
    with ``sql=True``) and deletes the instance.  :meth:`to_json` is a handle to store;
    :meth:`from_json` resumes it from any process.  In a ``with`` block the instance is
    deleted at the end whatever happened.

    >>> from mstr_prompts.client import Connection
    >>> conn = Connection("http://127.0.0.1:1", login_mode=8, project_id="P")
    >>> run = Run(conn, "R1", "I1")
    >>> Run.from_json(conn, run.to_json()).instance_id
    'I1'
    """

    _sleep: Callable[[float], None] = staticmethod(time.sleep)
    """How the run sleeps between polls (tests replace it to see the delays)."""

    def __init__(
        self,
        conn: Session,
        report_id: str,
        instance_id: str,
        *,
        sql: bool = False,
        limit: int | None = None,
        missing: Missing | None = None,
        validate: bool = True,
        policy: PollPolicy | None = None,
        submitted: str | None = None,
    ) -> None:
        self.conn = conn
        self.report_id = report_id
        self.instance_id = instance_id
        self.sql = sql
        self.limit = limit
        self.missing = missing
        self.validate = validate
        self.policy = policy or conn.poll_policy or PollPolicy()
        self.submitted = submitted or _now()
        self.instance = ReportInstance(
            conn,
            report_id,
            instance_id,
            policy=self.policy,
            stage="resolve_prompts" if sql else "execute_data",
            asynchronous=True,  # every run is created with Prefer: respond-async
        )

    def __repr__(self) -> str:
        kind = "SQL" if self.sql else "data"
        return f"<Run report {self.report_id} instance {self.instance_id} ({kind})>"

    @property
    def deleted(self) -> bool:
        """True once the instance has been deleted."""
        return self.instance.deleted

    # ------------------------------------------------------------ handles

    def handle(self) -> dict[str, Any]:
        """The handle as a JSON-ready dict (what :meth:`to_json` writes)."""
        return {
            "mstrPromptsRun": HANDLE_VERSION,
            "kind": "report",
            "base": self.conn.base_url,
            "project": self.conn.project_id,
            "report": self.report_id,
            "instance": self.instance_id,
            "result": "sql" if self.sql else "data",
            "limit": self.limit,
            "missing": self.missing,
            "validate": self.validate,
            "submitted": self.submitted,
        }

    def to_json(self) -> str:
        """A one-line JSON handle: no secret in it, only where the run is and what it returns.

        >>> from mstr_prompts.client import Connection
        >>> conn = Connection("http://127.0.0.1:1", login_mode=8, project_id="P")
        >>> '"instance": "I1"' in Run(conn, "R1", "I1").to_json()
        True
        """
        return json.dumps(self.handle(), ensure_ascii=False)

    @classmethod
    def from_json(
        cls, conn: Session, text: str | bytes, *, policy: PollPolicy | None = None
    ) -> Run:
        """Resume a run from its handle on ``conn`` (any connection to the same project).

        Raises :class:`RunHandleError` for a text that is not a handle, or a handle for
        another project; a run whose instance is gone raises :class:`InstanceGone` at
        its first request.

        >>> from mstr_prompts.client import Connection
        >>> Run.from_json(Connection("http://127.0.0.1:1", login_mode=8), "{}")
        Traceback (most recent call last):
        ...
        mstr_prompts.client.errors.RunHandleError: run handle: not an mstr-prompts run handle (no "mstrPromptsRun" version)
        """
        handle = parse_handle(text)
        project = handle.get("project")
        if conn.project_id is None and isinstance(project, str):
            conn.project_id = project
        elif project is not None and project != conn.project_id:
            raise RunHandleError(
                f"the handle is for project {project}, the connection for {conn.project_id}",
                hint="connect to the handle's project (--project)",
            )
        return cls(
            conn,
            handle["report"],
            handle["instance"],
            sql=handle.get("result") == "sql",
            limit=handle.get("limit"),
            missing=handle.get("missing"),
            validate=handle.get("validate", True),
            policy=policy,
            submitted=handle.get("submitted"),
        )

    # ------------------------------------------------------------ state

    def _fetch_status(self) -> Response:
        with gone_as(str(self.instance)):
            return self.instance.status_reply()

    def status(self) -> RunStatus:
        """Look at the run once (``GET …/status``, or the v2 instance), without waiting.

        Raises :class:`InstanceGone` if the server no longer has the instance.
        """
        return status_of(self._fetch_status())

    def wait(self, timeout: float | None = None, *, progress: Progress | None = None) -> RunStatus:
        """Poll until the run is ready; ``timeout`` in seconds (None: as long as it takes).

        Polling honours ``Retry-After`` and backs off exponentially up to the policy's
        cap.  At the timeout it raises :class:`RunTimeout`, which holds this run (and its
        handle) so that it can be resumed.  A run that stops at a prompt it has no answer
        for applies the run's ``missing`` policy, or raises
        :class:`~mstr_prompts.client.PromptsOutstanding`; an execution error raises
        :class:`~mstr_prompts.client.ExecutionFailed`.
        """
        started = time.monotonic()
        # Everything in the wait, a nested round answered with ``missing`` included,
        # ends by the caller's deadline (not the policy's 600 s).
        with time_limit(timeout) as deadline:
            try:
                return self._wait(deadline, started, progress)
            except (PollTimeout, TransportError) as exc:
                if isinstance(exc, RunTimeout) or time.monotonic() < deadline:
                    raise
                raise RunTimeout(self, waited=time.monotonic() - started, last=None) from exc

    def _wait(self, deadline: float, started: float, progress: Progress | None) -> RunStatus:
        while True:
            status = self._poll(deadline, started, progress)
            if status.state == "ready":
                return status
            if status.state == "failed":
                raise ExecutionFailed(
                    str(self.instance),
                    server_message=f"the run ended with status {status.code} (execution error)",
                )
            # Prompted: a nested round nobody answered at submission.
            if self.missing is None:
                with gone_as(str(self.instance)):
                    prompts = listed_prompts(self.instance)
                raise PromptsOutstanding(
                    [p.prompt for p in prompts or ()],
                    f"{'' if prompts else f'{self.instance}: prompts '}open after the answers "
                    "given at submission",
                    hint=Hint(
                        "answer it when submitting, or submit with {0} or {1}",
                        Option("missing", "default"),
                        Option("missing", "close"),
                    ),
                )
            with gone_as(str(self.instance)):
                answer_rounds(self.instance, None, validate=self.validate, missing=self.missing)

    def _poll(self, deadline: float, started: float, progress: Progress | None) -> RunStatus:
        last: list[RunStatus] = []

        def fetch() -> Response:
            response = self._fetch_status()
            seen = status_of(response)
            last[:] = [seen]
            if progress is not None:
                progress(seen, time.monotonic() - started)
            return response

        remaining = deadline - time.monotonic()
        try:
            policy = dataclasses.replace(self.policy, timeout=max(remaining, 0))
            code = wait_status(fetch, policy, sleep=type(self)._sleep)
        except PollTimeout as exc:
            waited = time.monotonic() - started
            seen = last[0] if last else None
            raise RunTimeout(self, waited=waited, last=seen) from exc
        return RunStatus(code)

    def result(
        self, timeout: float | None = None, *, keep: bool = False, progress: Progress | None = None
    ) -> Any:
        """Wait for the run, then return its data (every page) or its SQL text.

        The instance is deleted afterwards (unless ``keep``), also when the run failed;
        after a :class:`RunTimeout` it is kept, so that the run can be resumed.
        """
        try:
            self.wait(timeout, progress=progress)
            with gone_as(str(self.instance)):
                instance = self.instance
                value: Any = instance.sql() if self.sql else instance.data(limit=self.limit)
        except (RunTimeout, InstanceGone):
            raise
        except BaseException:
            self.discard()
            raise
        if not keep:
            self.delete()
        return value

    # ------------------------------------------------------------ cleanup

    def delete(self) -> None:
        """Delete the instance on the server (once; an instance already gone is fine)."""
        try:
            self.instance.delete()
        except NotFound:
            self.instance.deleted = True

    def discard(self) -> None:
        """Delete after a failure: the failure matters more than a failed cleanup.

        The DELETE gets a bounded time of its own (also after the caller's time limit
        ran out), and a failure to delete is logged rather than raised.

        >>> from mstr_prompts.client import Connection
        >>> run = Run(Connection("http://127.0.0.1:1", login_mode=8, project_id="P"), "R", "I")
        >>> run.instance.deleted = True
        >>> run.discard()  # nothing left to delete: no request is sent
        """
        try:
            with cleanup_time():  # also after the caller's time_limit ran out
                self.delete()
        except PromptAnswerError as exc:
            _log.warning("%s: could not delete after an error: %s", self.instance, exc)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.delete()
        else:
            self.discard()


def parse_handle(text: str | bytes) -> dict[str, Any]:
    """Read and check a run handle written by :meth:`Run.to_json`.

    >>> parse_handle('{"mstrPromptsRun": 1, "kind": "report", "report": "R", "instance": "I"}')["instance"]
    'I'
    """
    try:
        handle = json.loads(text)
    except (ValueError, RecursionError):
        raise RunHandleError("not JSON", hint="give the text `run --async` printed") from None
    if not isinstance(handle, dict):
        raise RunHandleError(f"expected a JSON object, got {type(handle).__name__}")
    version = handle.get("mstrPromptsRun")
    if version is None:
        raise RunHandleError('not an mstr-prompts run handle (no "mstrPromptsRun" version)')
    if version != HANDLE_VERSION:
        raise RunHandleError(
            f"handle version {version!r} is not supported (this version reads {HANDLE_VERSION})"
        )
    if handle.get("kind") != "report":
        raise RunHandleError(f"unknown run kind {handle.get('kind')!r}")
    for name in ("report", "instance"):
        if not isinstance(handle.get(name), str) or not handle[name]:
            raise RunHandleError(f'"{name}" must be a non-empty string')
    for name in ("project", "base", "missing", "submitted"):
        if handle.get(name) is not None and not isinstance(handle[name], str):
            raise RunHandleError(f'"{name}" must be a string')
    for name in ("report", "instance", "project", "base", "submitted"):
        value = handle.get(name)
        if isinstance(value, str) and not _plain(value, ascii_only=name not in ("base",)):
            raise RunHandleError(
                f'"{name}" holds control characters, lone surrogates, non-ASCII text or more '
                f"than {_MAX_FIELD} characters"
            )
    for name in ("report", "instance", "project"):
        if handle.get(name) in (".", ".."):
            raise RunHandleError(f'"{name}" cannot be {handle[name]!r}')
    if handle.get("missing") not in (None, *_MISSING):
        raise RunHandleError(
            f'"missing" must be one of {", ".join(_MISSING)} or null, not {handle["missing"]!r}'
        )
    if handle.get("result", "data") not in ("data", "sql"):
        raise RunHandleError(f'"result" must be "data" or "sql", not {handle.get("result")!r}')
    limit = handle.get("limit")
    if limit is not None and (
        not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= _MAX_LIMIT
    ):
        raise RunHandleError(f'"limit" must be an integer from 1 to {_MAX_LIMIT}')
    if not isinstance(handle.get("validate", True), bool):
        raise RunHandleError('"validate" must be true or false')
    return handle


_MISSING = ("default", "close", "error")
"""The ``missing`` policies a handle may carry (:data:`~mstr_prompts.definitions.Missing`)."""

_MAX_LIMIT = 2**31 - 1
"""The largest page size a server takes (a Java ``int``)."""

_MAX_FIELD = 2048
"""No ID or URL in a handle is longer (an ID is 32 hex digits)."""


def _plain(text: str, *, ascii_only: bool) -> bool:
    """Text that can go into a URL path, a header and a terminal line as it is (IDs go
    into headers too, so they are ASCII)."""
    return len(text) <= _MAX_FIELD and text.isprintable() and (text.isascii() or not ascii_only)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---------------------------------------------------------------- submission


class _Submitting(ReportInstance):
    """The instance while :func:`submit` answers it.

    The round loop is the client's own (:func:`~mstr_prompts.client.answering.answer_rounds`);
    only the waiting differs: once every given answer has been sent it does not wait
    at all, because the run's data is not what submission waits for.
    """

    def __init__(self, base: ReportInstance, answers: AnswerSet | Sequence[AnswerSet]) -> None:
        super().__init__(
            base.conn,
            base.object_id,
            base.instance_id,
            policy=base.policy,
            stage=base.stage,
            asynchronous=base.asynchronous,
        )
        self._rounds_left = None if isinstance(answers, AnswerSet) else len(answers)
        self._left: list[Answer] = list(answers) if isinstance(answers, AnswerSet) else []
        self._unbound = isinstance(answers, AnswerSet) and any(
            not a.prompt.is_identified for a in answers
        )
        self._round = Definitions()

    def open_prompts(self) -> Definitions:
        self._round = super().open_prompts()
        return self._round

    def put_answers(self, answers: AnswerSet) -> None:
        super().put_answers(answers)
        if self._rounds_left is not None:
            self._rounds_left -= 1
        elif not self._round:
            # A server that lists no prompts gets the answers as they were given.
            self._left = [a for a in self._left if not any(a is b for b in answers)]
        elif self._unbound:
            self._left, self._unbound = [], False  # positional answers bind to round 1
        else:
            self._left = [a for a in self._left if self._round.find(a.prompt) is None]

    @property
    def given_all(self) -> bool:
        """True once every answer given to :func:`submit` has been sent."""
        return (self._rounds_left or 0) <= 0 and not self._left

    def status(self) -> int:
        if self.given_all:
            # Nothing left to give: the run goes on without us.  A nested round that
            # nobody answered shows up in Run.wait (which applies ``missing``).
            return 1
        # Answers are left to give: wait until the run asks for them (2) or ends.  No
        # running state is taken to mean "past the prompts": servers differ in which
        # ones they show before a prompt.
        return super().status()


def create_async(report: Report, *, sql: bool) -> ReportInstance:
    """``POST /api/model/reports/{id}/instances`` with ``Prefer: respond-async``.

    The instance ID is read from the reply whether it is 201 (``{"id"}``) or 202 (a
    reference to the instance: ``instanceId`` or ``id`` in the body, or the
    ``X-MSTR-MS-Instance`` header).
    """
    stage = "resolve_prompts" if sql else "execute_data"
    return report.create(stage=stage, prefer_async=True)


def submit(
    report: Report,
    answers: AnswerSet | Sequence[AnswerSet] | None = None,
    *,
    sql: bool = False,
    limit: int | None = None,
    validate: bool = True,
    missing: Missing | None = None,
    created: Callable[[Run], None] | None = None,
    progress: Progress | None = None,
) -> Run:
    """Create ``report``'s instance asynchronously, answer its prompts, return a :class:`Run`.

    ``created`` is called with the run as soon as its instance exists, before the
    answers are sent, so that a caller can delete it later even if answering fails and
    the deletion after that failure fails too.

    See :meth:`Report.submit <mstr_prompts.client.Report.submit>`.
    """
    instance = create_async(report, sql=sql)
    instance.progress = progress
    run = Run(
        report.conn,
        report.id,
        instance.instance_id,
        sql=sql,
        limit=limit,
        missing=missing,
        validate=validate,
        policy=report.policy,
    )
    if created is not None:
        created(run)
    try:
        if answers is not None:
            submitting = _Submitting(instance, answers)
            submitting.progress, submitting.started = instance.progress, instance.started
            first = submitting.status()
            if first == 2 or not submitting.status_known:
                answer_rounds(submitting, answers, validate=validate, missing=missing)
            elif first == 1 and given(answers):
                # The report asks for nothing: say so rather than drop the answers.
                raise UnusedAnswers(given(answers))
            elif first not in (1, 2):
                raise ExecutionFailed(
                    str(instance),
                    server_message=f"the run ended with status {first} (execution error)",
                )
    except BaseException:
        run.discard()
        raise
    return run
