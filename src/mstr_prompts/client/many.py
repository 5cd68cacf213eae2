"""Many prompted runs at once over one connection: :meth:`Connection.run_many`.

Each job is submitted, waited for and read on a worker thread; at most
``max_parallel`` runs are on the server at any time, and jobs are taken from the
iterable only as workers free up, so a generator of a million jobs holds no more
than ``max_parallel`` of them in memory.  Outcomes are yielded as the runs finish,
each with its result or its error: one failing run never stops the others.  Every
instance is deleted at the end, whatever happened, including when the caller stops
iterating early.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ..definitions import Missing
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .deadlines import cleanup_time
from .objects import Report
from .redaction import redact_error
from .runs import Run, RunStatus, submit
from .signals import signals_as_interrupts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .session import Session

__all__ = ["Job", "Outcome", "run_many"]

_log = logging.getLogger("mstr_prompts.client")


@dataclasses.dataclass(frozen=True)
class Job:
    """One run for :meth:`Connection.run_many`: a report, its answers, what to return.

    ``tag`` is anything the caller wants to find the job by in its :class:`Outcome`.

    >>> Job("9B9ADA7F464E63CE0D0B709B03BD9370", sql=True).sql
    True
    """

    report_id: str
    answers: AnswerSet | Sequence[AnswerSet] | None = None
    sql: bool = False
    limit: int | None = None
    missing: Missing | None = None
    validate: bool = True
    tag: Any = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one job ended: its ``result`` (data or SQL), or the ``error`` that stopped it.

    ``instance_id`` is the run's instance (None if creating it failed) and ``elapsed``
    the seconds from submission to the end.

    >>> o = Outcome(Job("R"), result="select 1", error=None, instance_id="I", elapsed=0.1)
    >>> o.ok, o.unwrap()
    (True, 'select 1')
    """

    job: Job
    result: Any
    error: Exception | None
    instance_id: str | None
    elapsed: float

    @property
    def ok(self) -> bool:
        """True when the run returned its result."""
        return self.error is None

    def unwrap(self) -> Any:
        """The result, or raise the run's error."""
        if self.error is not None:
            raise self.error
        return self.result


def _job(item: Job | str | tuple[Any, ...]) -> Job:
    if isinstance(item, Job):
        return item
    if isinstance(item, str):
        return Job(item)
    if isinstance(item, tuple) and item and isinstance(item[0], str) and len(item) <= 2:
        return Job(*item)
    raise PromptAnswerError(
        f"a job is a Job, a report ID or a (report ID, answers) pair, not {type(item).__name__}"
    )


class _Tracker:
    """The runs whose instances may still be on the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, Run] = {}

    def add(self, run: Run) -> None:
        with self._lock:
            self._runs[id(run)] = run

    def discard(self, run: Run) -> None:
        with self._lock:
            self._runs.pop(id(run), None)

    def left(self) -> list[Run]:
        with self._lock:
            return list(self._runs.values())


class _Stopped(Exception):
    """The caller stopped iterating: runs still going are abandoned (and deleted)."""


def _execute(
    conn: Session,
    report: Callable[[str], Report],
    job: Job,
    timeout: float | None,
    tracker: _Tracker,
    stop: threading.Event,
    workers: set[int],
) -> Outcome:
    workers.add(threading.get_ident())
    started = time.monotonic()
    mine: list[Run] = []

    def created(run: Run) -> None:
        # Known before its answers go, so it is deleted at the end whatever happens.
        mine.append(run)
        tracker.add(run)

    def check(status: RunStatus, waited: float) -> None:
        if stop.is_set():
            raise _Stopped

    try:
        if stop.is_set():
            raise _Stopped
        run = submit(
            report(job.report_id),
            job.answers,
            sql=job.sql,
            limit=job.limit,
            validate=job.validate,
            missing=job.missing,
            created=created,
        )
        result = run.result(timeout, progress=check)
    except Exception as exc:  # one failing run never stops the others
        if isinstance(exc, PromptAnswerError):
            redact_error(exc, conn.redactor())
        for run in mine:
            run.discard()
            if run.deleted:
                tracker.discard(run)
        instance_id = mine[0].instance_id if mine else None
        return Outcome(job, None, exc, instance_id, time.monotonic() - started)
    tracker.discard(run)
    return Outcome(job, result, None, run.instance_id, time.monotonic() - started)


def run_many(
    conn: Session,
    jobs: Iterable[Job | str | tuple[Any, ...]],
    *,
    max_parallel: int = 8,
    timeout: float | None = None,
    report: Callable[[str], Report] | None = None,
) -> Generator[Outcome, None, None]:
    """Run ``jobs`` at most ``max_parallel`` at a time; yield each :class:`Outcome` as it ends.

    ``report`` opens a job's report from its ID (:meth:`Connection.report
    <mstr_prompts.client.Connection.report>` when the connection calls this, so that a
    subclass's ``report`` is the one used); by default ``Report(conn, report_id)``.
    See :meth:`Connection.run_many <mstr_prompts.client.Connection.run_many>`.
    """
    if report is None:
        report = functools.partial(Report, conn)
    if max_parallel < 1:
        raise PromptAnswerError("max_parallel must be at least 1")
    if not conn.logged_in:
        # One login for all the jobs, before any of them starts: a login that fails (a
        # refusal, or a 429/5xx asking to come back later) fails every job with that
        # error, instead of each job sending the credentials again on its own.
        try:
            conn.login()
        except PromptAnswerError as refused:
            redact_error(refused, conn.redactor())
            for item in jobs:
                yield Outcome(_job(item), None, refused, None, 0.0)
            return
    tracker = _Tracker()
    stop = threading.Event()
    workers: set[int] = set()  # the pool's threads (see the cleanup below)
    pending: set[Future[Outcome]] = set()
    source = iter(jobs)
    executor = ThreadPoolExecutor(max_workers=max_parallel, thread_name_prefix="mstr-run")
    # SIGTERM and SIGHUP stop the runs as Ctrl-C does (Terminated, a KeyboardInterrupt,
    # in the main thread): the cleanup below deletes every instance either way.
    with signals_as_interrupts():
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < max_parallel:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    job = _job(item)
                    pending.add(
                        executor.submit(
                            _execute, conn, report, job, timeout, tracker, stop, workers
                        )
                    )
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            stop.set()
            for future in pending:
                future.cancel()
            if threading.get_ident() in workers:
                # The generator was dropped unfinished and the garbage collector closed it
                # on one of the pool's own threads, which cannot wait for itself: the
                # cleanup goes on on a thread of its own (not a daemon: it is waited for
                # at exit).
                threading.Thread(
                    target=_finish, args=(executor, tracker), name="mstr-run-cleanup"
                ).start()
            else:
                _finish(executor, tracker)


def _finish(executor: ThreadPoolExecutor, tracker: _Tracker) -> None:
    """Wait for the runs under way (they stop at their next poll), then delete every
    instance left."""
    executor.shutdown(wait=True)
    for run in tracker.left():
        try:
            with cleanup_time():  # also after the caller's time_limit ran out
                run.delete()
        except PromptAnswerError as exc:
            _log.warning("%s: could not delete: %s", run.instance, exc)
