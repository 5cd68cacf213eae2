"""Deadlines for requests: the caller's time limit, and a watchdog that enforces it.

A socket read timeout bounds each read, not a response: a server that sends one byte
a second holds a request for as long as it likes.  Here every request attempt gets a
deadline (the connection's total timeout, or the caller's :func:`time_limit` if that
comes first), and one watchdog thread shuts the socket down when the deadline passes,
which wakes the blocked read at once, whichever phase it is in (status line, headers or
body).  :func:`time_limit` also bounds every retry and every wait that runs inside it.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "CLEANUP_SECONDS",
    "WATCHDOG",
    "Attempt",
    "Watchdog",
    "cleanup_time",
    "current_deadline",
    "pool_manager",
    "time_limit",
]

_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar(
    "mstr_prompts_deadline", default=math.inf
)


def current_deadline() -> float:
    """The ``time.monotonic()`` instant by which the caller wants every call done (or inf)."""
    return _DEADLINE.get()


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[float]:
    """Bound every request, retry and wait inside the block by ``seconds`` from now.

    Nested limits keep the earliest deadline; None adds no limit.  A request that would
    run past it is cut off with a :class:`TransportError`; a retry whose sleep would end
    after it is not made.

    >>> with time_limit(5) as deadline:
    ...     deadline - time.monotonic() <= 5
    True
    """
    if seconds is None:
        yield _DEADLINE.get()
        return
    deadline = min(_DEADLINE.get(), time.monotonic() + max(seconds, 0.0))
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


CLEANUP_SECONDS = 10.0
"""How long the DELETE of an instance may take after a failure, past the caller's limit."""


@contextlib.contextmanager
def cleanup_time(seconds: float = CLEANUP_SECONDS) -> Iterator[float]:
    """A deadline of its own, ``seconds`` from now, for cleaning up after a failure.

    Unlike :func:`time_limit` it may end after the caller's deadline: an instance whose
    wait ran out of the caller's time is still deleted (a bounded DELETE), rather than
    left on the server because no time was left to send it.

    >>> with time_limit(0), cleanup_time(5) as deadline:
    ...     0 < deadline - time.monotonic() <= 5
    True
    """
    deadline = time.monotonic() + max(seconds, 0.0)
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


class Watchdog:
    """One thread that cuts off requests at their deadline by shutting their socket down.

    A socket read timeout bounds each read, not the response: a server sending one
    byte per second could hold a request for ever.  Shutting the socket down wakes the
    blocked read at once, whichever phase it is in (status line, headers or body).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, list[Any]]] = []
        self._count = itertools.count()
        self._thread: threading.Thread | None = None
        self._live = 0

    def watch(self, deadline: float, kill: Callable[[], None]) -> list[Any]:
        entry: list[Any] = [kill]
        with self._cond:
            self._live += 1
            if len(self._heap) > 64 and len(self._heap) > 2 * self._live:
                # Cancelled entries wait for their deadline in the heap: drop them in
                # bulk so that a busy client's heap stays the size of its live requests.
                self._heap = [item for item in self._heap if item[2][0] is not None]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline, next(self._count), entry))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="mstr-prompts-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is entry:
                self._cond.notify()  # the thread sleeps until the earliest deadline only
        return entry

    def cancel(self, entry: list[Any]) -> None:
        with self._cond:
            if entry[0] is not None:
                entry[0] = None
                self._live -= 1

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait(30.0)
                    if not self._heap:
                        self._thread = None
                        return
                deadline, _, entry = self._heap[0]
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                kill = entry[0]
                if kill is not None:
                    entry[0] = None
                    self._live -= 1
            if kill is not None:
                with contextlib.suppress(Exception):
                    kill()


WATCHDOG = Watchdog()
"""The one watchdog of the process (its thread starts on first use, ends when idle)."""

_attempt = threading.local()


class Attempt:
    """The deadline of one request attempt, for the connections it uses on this thread.

    Inside ``with Attempt(deadline):`` a connection of :func:`pool_manager` that starts
    a request puts itself under the watchdog; :meth:`sent` covers the body of a reply
    from any other pool; leaving the block cancels every watch.

    >>> with Attempt(time.monotonic() + 5) as attempt:
    ...     attempt.entries
    []
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.entries: list[list[Any]] = []

    def __enter__(self) -> Attempt:
        _attempt.deadline = self.deadline if math.isfinite(self.deadline) else None
        _attempt.entries = self.entries
        return self

    def sent(self, response: Any) -> None:
        """The headers are in: stop watching for new connections; cover ``response``'s body."""
        _attempt.deadline = None
        if math.isfinite(self.deadline) and not self.entries:
            # A pool of the caller's own: cut the body off at the deadline at least.
            shutdown = getattr(response, "shutdown", None)
            if callable(shutdown):
                self.entries.append(WATCHDOG.watch(self.deadline, shutdown))

    def __exit__(self, *exc_info: object) -> None:
        _attempt.deadline = None
        for entry in self.entries:
            WATCHDOG.cancel(entry)


class _DeadlineMixin:
    """A urllib3 connection that puts itself under the watchdog when a request starts.

    The request's deadline comes from the thread that sends it; a generation number
    makes sure that a connection back in the pool, already serving another request,
    is never cut off for the one before.
    """

    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        lock = self.__dict__.setdefault("_mstr_lock", threading.Lock())
        with lock:
            generation = self.__dict__.get("_mstr_generation", 0) + 1
            self.__dict__["_mstr_generation"] = generation
        deadline = getattr(_attempt, "deadline", None)
        if deadline is not None:
            entries: list[list[Any]] = _attempt.entries

            def kill() -> None:
                with lock:
                    sock = self.sock
                    if self.__dict__.get("_mstr_generation") == generation and sock is not None:
                        sock.shutdown(socket.SHUT_RDWR)

            entries.append(WATCHDOG.watch(deadline, kill))
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def pool_manager(maxsize: int = 8) -> urllib3.PoolManager:
    """urllib3's PoolManager whose connections honour the total deadline of each request.

    >>> pool_manager().pool_classes_by_scheme["http"].__name__
    '_HTTPPool'
    """
    manager = urllib3.PoolManager(maxsize=maxsize, block=False)
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager
