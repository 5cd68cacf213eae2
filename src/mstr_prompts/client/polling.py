"""Waiting for an instance: HTTP 202 means "poll again", then ``status`` says what it is.

This module also owns the vocabulary of a status: :class:`ExecutionStatus`,
:class:`RunStatus` (what a progress callback is told) and :func:`status_of`, so that
instances report progress without importing the runs built on them.

Status endpoints (``GET …/instances/{id}/status``) answer **202** while the server is
still processing and 200 when it is done, as mstrio-py and MicroStrategy for Office
read them; the body's ``status`` is ``EnumDSSXMLStatus``: 1 ready, 2 prompted (open
prompts remain), 3 an execution error, anything else still running
(https://www2.microstrategy.com/producthelp/2019/ReferenceFiles/reference/com/microstrategy/webapi/EnumDSSXMLStatus.html).

:class:`PollPolicy` says how long to wait and how often; :func:`wait_status` is the one
loop every instance kind uses, so asynchronous runs can reuse it unchanged.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from .deadlines import current_deadline, time_limit
from .errors import ServerError, ServerUnreachable, TransportError
from .session import Response, retry_after_seconds

__all__ = [
    "FINAL_STATUSES",
    "ExecutionStatus",
    "InstanceStatus",
    "PollPolicy",
    "PollTimeout",
    "Progress",
    "RunStatus",
    "status_code",
    "status_of",
    "wait_status",
]


class InstanceStatus(enum.IntEnum):
    """The ``status`` values that decide what a client does next (EnumDSSXMLStatus).

    >>> InstanceStatus(2).name
    'PROMPTED'
    """

    RUNNING = 0
    READY = 1
    PROMPTED = 2
    ERROR = 3


FINAL_STATUSES = frozenset({1, 2, 3, 18})
"""Statuses after which polling stops (18 is RequestExecutionError)."""


class ExecutionStatus(enum.IntEnum):
    """EnumDSSXMLStatus: the ``status`` of an instance or a datamart execution.

    >>> ExecutionStatus(5).name, ExecutionStatus(5).running
    ('IN_SQL_ENGINE', True)
    """

    MSG_ID = 0
    RESULT = 1
    PROMPT_XML = 2
    ERR_MSG_XML = 3
    JOB_RUNNING = 4
    IN_SQL_ENGINE = 5
    IN_QUERY_ENGINE = 6
    IN_ANALYTICAL_ENGINE = 7
    IN_RESOLUTION = 8
    WAITING_FOR_CACHE = 9
    UPDATING_CACHE = 10
    WAITING = 13
    WAITING_ON_GOVERNOR = 14
    WAITING_FOR_PROJECT = 15
    WAITING_FOR_CHILDREN = 16
    PREPARING_OUTPUT = 17
    REQUEST_EXECUTION_ERROR = 18
    CONSTRUCT_RESULT = 19
    HTML_RESULT = 20
    XML_RESULT = 21
    RUNNING_ON_OTHER_NODE = 22
    LOADING_PROMPT = 23
    IN_EXPORT_ENGINE = 24
    NEED_TO_GET_RESULTS = 26

    @property
    def running(self) -> bool:
        """True for every state but ready (1), prompted (2) and the errors (3, 18)."""
        return self.value not in FINAL_STATUSES


@dataclass(frozen=True)
class RunStatus:
    """One look at a run: its EnumDSSXMLStatus ``code`` (None while the server says 202).

    >>> RunStatus(2).state, str(RunStatus(None)), str(RunStatus(6))
    ('prompted', 'running (HTTP 202)', 'running (IN_QUERY_ENGINE)')
    """

    code: int | None

    @property
    def state(self) -> str:
        """``"running"``, ``"ready"``, ``"prompted"`` or ``"failed"``."""
        if self.code == 1:
            return "ready"
        if self.code == 2:
            return "prompted"
        if self.code in (3, 18):
            return "failed"
        return "running"

    @property
    def name(self) -> str:
        """The EnumDSSXMLStatus name, ``HTTP 202``, or ``status N`` for an unknown value."""
        if self.code is None:
            return "HTTP 202"
        try:
            return ExecutionStatus(self.code).name
        except ValueError:
            return f"status {self.code}"

    @property
    def done(self) -> bool:
        """True once the run no longer runs (ready, prompted or failed)."""
        return self.state != "running"

    def __str__(self) -> str:
        return f"{self.state} ({self.name})"


Progress = Callable[[RunStatus, float], None]
"""Called after every poll with the status seen and the seconds waited so far."""


class PollTimeout(TransportError):
    """The instance was still processing when the polling timeout ran out.

    ``last_status`` is the last status seen (None if only 202s came back).

    >>> PollTimeout("GET /api/x", server_message="still running after 1 s").last_status is None
    True
    """

    last_status: int | None = None


@dataclass(frozen=True)
class PollPolicy:
    """How to poll: first delay, growth, cap, the cap on ``Retry-After``, overall timeout.

    >>> list(PollPolicy(interval=0.5, factor=2, cap=1.5).delays(4))
    [0.5, 1.0, 1.5, 1.5]
    """

    interval: float = 0.25
    factor: float = 2.0
    cap: float = 5.0
    retry_after_cap: float = 30.0
    timeout: float = 600.0
    errors: int = 3
    """Polls in a row that may fail transiently (a 5xx or a dropped connection even after
    the connection's own retries) before the failure is raised: a poll changes nothing,
    so a failed one is taken as "still processing"."""

    def delays(self, count: int) -> list[float]:
        """The first ``count`` back-off delays."""
        out, delay = [], self.interval
        for _ in range(count):
            out.append(min(delay, self.cap))
            delay *= self.factor
        return out

    def retry_after(self, response: Response, fallback: float) -> float:
        """The server's ``Retry-After`` in seconds (capped), else ``fallback``.

        Only delta-seconds and HTTP dates count; ``nan``, negative or absurd values are
        no ``Retry-After`` at all.

        >>> PollPolicy().retry_after(Response("GET s", 202, {"Retry-After": "nan"}, b""), 0.5)
        0.5
        """
        seconds = retry_after_seconds(response.headers.get("Retry-After"), cap=self.retry_after_cap)
        return fallback if seconds is None else seconds


def transient(error: ServerError) -> bool:
    """A failure that says nothing about the instance: a 5xx or no response at all.

    >>> transient(ServerError("GET s", status=503)), transient(ServerError("GET s", status=404))
    (True, False)
    """
    return (isinstance(error, TransportError) and not isinstance(error, PollTimeout)) or (
        error.status is not None and error.status >= 500
    )


def status_code(response: Response) -> int:
    """The EnumDSSXMLStatus ``status`` of a (non-202) status or instance reply.

    A v2 instance reply that carries its ``data`` but no ``status`` is ready (1).

    >>> status_code(Response("GET s", 200, {}, b'{"status": 2}'))
    2
    >>> status_code(Response("GET s", 200, {}, b'{"id": "R", "data": {}}'))
    1
    """
    body = response.json_object("the instance status")
    status = body.get("status")
    if status is None and isinstance(body.get("data"), dict):
        return 1
    if not isinstance(status, int) or isinstance(status, bool):
        raise TransportError(
            response.request,
            status=response.status,
            server_message=f"the status reply has no numeric status: {status!r}",
        )
    return status


def status_of(response: Response) -> RunStatus:
    """The :class:`RunStatus` in a status reply (202 means still running).

    >>> status_of(Response("GET s", 200, {}, b'{"status": 4}')).name
    'JOB_RUNNING'
    """
    if response.status == 202:
        return RunStatus(None)
    return RunStatus(status_code(response))


def wait_status(
    fetch: Callable[[], Response],
    policy: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Call ``fetch`` until the instance is no longer processing; return its ``status``.

    A 202 waits for ``Retry-After`` (or the back-off delay); a running status waits for
    the back-off delay.  A ``Retry-After`` says when to look again, so the back-off
    starts over after it.  Waiting ends at ``policy.timeout`` seconds, or at the
    caller's :func:`~mstr_prompts.client.connection.time_limit` if that comes first,
    and not before: the last sleep is shortened to end there, and then
    :class:`PollTimeout` is raised.

    >>> replies = iter([Response("GET s", 202, {"Retry-After": "0"}, b""),
    ...                 Response("GET s", 200, {}, b'{"status": 4}'),
    ...                 Response("GET s", 200, {}, b'{"status": 1}')])
    >>> wait_status(lambda: next(replies), PollPolicy(interval=0), sleep=lambda s: None)
    1
    """
    started = clock()
    deadline = started + policy.timeout
    if clock is time.monotonic:
        deadline = min(deadline, current_deadline())
    delay = policy.interval
    last: int | None = None
    failures = 0
    reached = False  # a poll got through: a server that cannot be reached now is transient
    request = "polling"
    while True:
        try:
            if clock is time.monotonic and deadline != math.inf:
                # Each poll's requests and retries end by the wait's deadline too.
                with time_limit(max(deadline - clock(), 0.0)):
                    response = fetch()
            else:
                response = fetch()
            failures = 0
            reached = True
        except ServerError as exc:
            failures += 1
            request = exc.request
            if clock() >= deadline and transient(exc):
                raise _timed_out(request, clock() - started, last) from exc
            unreachable = isinstance(exc, ServerUnreachable) and not reached
            if unreachable or not transient(exc) or failures > policy.errors:
                raise
            response = Response(exc.request, 202, {}, b"")  # no news: poll again later
        request = response.request
        if response.status == 202:
            wait = policy.retry_after(response, -1.0)
            if wait < 0:
                wait = delay
                delay = _grow(delay, policy)
            else:
                delay = policy.interval  # the server said when: start the back-off over
        else:
            status = status_code(response)
            if status in FINAL_STATUSES:
                return status
            last, wait = status, delay
            delay = _grow(delay, policy)
        remaining = deadline - clock()
        if remaining <= 0:
            raise _timed_out(request, clock() - started, last)
        sleep(min(wait, remaining))
        if wait >= remaining:
            raise _timed_out(request, clock() - started, last)


def _grow(delay: float, policy: PollPolicy) -> float:
    return min(delay * policy.factor, policy.cap) if delay else policy.interval


def _timed_out(request: str, waited: float, last: int | None) -> PollTimeout:
    error = PollTimeout(
        request,
        server_message=f"still processing after {waited:.1f} s (last status {last})",
    )
    error.last_status = last
    return error
