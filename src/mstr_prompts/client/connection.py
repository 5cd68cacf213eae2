"""The client's facade: :class:`Connection`, a :class:`~.session.Session` with the
convenience methods that open reports, documents, dashboards and datamarts and run many
reports at once.

The HTTP core (login, requests, retries, limits) is :mod:`.session`'s; everything in
between (polling, instances, runs, objects, datamarts) takes a session and never imports
this module, so the client's imports run one way: the facade builds on what lies below it.
The names this module exported before the split (``Response``, ``segment``,
``time_limit``, ``RELOGINS`` …) are still here.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from .datamarts import Datamart
from .deadlines import time_limit
from .many import Job, Outcome
from .many import run_many as _run_many
from .objects import Document, Dossier, Report
from .polling import PollPolicy
from .session import (
    DEFAULT_MAX_BODY,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    RELOGINS,
    RETRY_METHODS,
    RETRY_STATUSES,
    LoginMode,
    Response,
    Session,
    instance_header,
    retry_after_seconds,
    segment,
    server_id,
)

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "RELOGINS",
    "RETRY_METHODS",
    "RETRY_STATUSES",
    "Connection",
    "LoginMode",
    "Response",
    "Session",
    "instance_header",
    "retry_after_seconds",
    "segment",
    "server_id",
    "time_limit",
]


class Connection(Session):
    """A logged-in session with a MicroStrategy Library server, and what it serves.

    Everything about the session itself (logins, retries, time limits, size limits,
    redaction) is :class:`~.session.Session`'s, whose arguments it takes; this class
    adds :meth:`report`, :meth:`document`, :meth:`dossier`, :meth:`datamart` and
    :meth:`run_many`.

    >>> conn = Connection("https://example.com/MicroStrategyLibrary/api/", username="u",
    ...                   password="secret", project_id="B19DEDCC11D4E0EFC000EB9495D0F44F")
    >>> conn.base_url, conn.report("9B9ADA7F464E63CE0D0B709B03BD9370")
    ('https://example.com/MicroStrategyLibrary', <Report 9B9ADA7F464E63CE0D0B709B03BD9370>)
    >>> "secret" in repr(conn)
    False
    """

    def report(self, report_id: str, *, policy: PollPolicy | None = None) -> Report:
        """The report with this ID; ``policy`` says how its instances are polled.

        >>> Connection("http://127.0.0.1:1", login_mode=8).report("R1").id
        'R1'
        """
        return Report(self, report_id, policy=policy)

    def document(self, document_id: str, *, policy: PollPolicy | None = None) -> Document:
        """The document with this ID.

        >>> Connection("http://127.0.0.1:1", login_mode=8).document("D1").id
        'D1'
        """
        return Document(self, document_id, policy=policy)

    def dossier(self, dossier_id: str, *, policy: PollPolicy | None = None) -> Dossier:
        """The dashboard (dossier) with this ID.

        >>> Connection("http://127.0.0.1:1", login_mode=8).dossier("D1").id
        'D1'
        """
        return Dossier(self, dossier_id, policy=policy)

    def datamart(self, datamart_id: str) -> Datamart:
        """The datamart with this ID; ``execute`` runs it (seed 001).

        >>> Connection("http://127.0.0.1:1", login_mode=8).datamart("D1").id
        'D1'
        """
        return Datamart(self, datamart_id)

    def run_many(
        self,
        jobs: Iterable[Job | str | tuple[Any, ...]],
        *,
        max_parallel: int = 8,
        timeout: float | None = None,
    ) -> Generator[Outcome, None, None]:
        """Run many prompted reports at once; yield each :class:`Outcome` as it finishes.

        ``jobs`` are :class:`~mstr_prompts.client.Job` objects, report IDs, or
        ``(report ID, answers)`` pairs, taken lazily.  At most ``max_parallel`` runs
        go at once over this connection's pool; ``timeout`` bounds each run's wait.
        One failing run never stops the others (its outcome holds the error), and
        every instance is deleted at the end, whatever happened, also when the caller
        stops iterating early.

        >>> from mstr_prompts.testing import ReferenceServer
        >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
        ...         project_id=server.project_id) as conn:
        ...     outcomes = list(conn.run_many(["0F1E2D3C4B5A49687786958473625140", "nope"]))
        ...     sorted(o.ok for o in outcomes), server.live_instances()
        ([False, True], [])
        """
        return _run_many(self, jobs, max_parallel=max_parallel, timeout=timeout, report=self.report)
