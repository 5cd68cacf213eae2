"""Reports, documents and dashboards: the objects a connection runs with prompt answers.

``Report.sql`` and ``Report.data`` are the two workflows of seed 000, "Execute report"
(https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report);
``open`` gives the same instance for finer steps.  Documents and dashboards are created
with their answers as prompt-answer XML in ``linkingInfo.promptsAnswers`` or answered
with ``PUT …/prompts/answers`` afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .. import xml
from ..definitions import Definitions, Missing
from ..definitions import decode as decode_definitions
from ..errors import DecodeError
from ..model import AnswerSet
from .answering import Answers
from .errors import TransportError
from .instances import DocumentInstance, ReportInstance
from .polling import PollPolicy
from .redaction import redacting
from .runs import Progress, Run, submit
from .session import segment, server_id
from .sqlview import as_given, sql_as_the_seed

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Document", "Dossier", "Report"]


@redacting
class Report:
    """A report on the server, run through the modeling service (seed 000).

    >>> from mstr_prompts.client import Connection
    >>> Connection("http://127.0.0.1:1", login_mode=8).report("9B9ADA7F464E63CE0D0B709B03BD9370")
    <Report 9B9ADA7F464E63CE0D0B709B03BD9370>
    """

    def __init__(self, conn: Session, report_id: str, *, policy: PollPolicy | None = None) -> None:
        self.conn = conn
        self.id = report_id
        self.policy = policy or conn.poll_policy or PollPolicy()

    def __repr__(self) -> str:
        return f"<Report {self.id}>"

    def prompts(self) -> Definitions:
        """The report's prompt definitions (``GET /api/reports/{id}/prompts``).

        Nested prompts appear only in an instance, once earlier rounds are answered.
        """
        return _prompts(self.conn, f"/api/reports/{segment(self.id)}/prompts")

    def create(
        self, *, stage: str = "resolve_prompts", prefer_async: bool = False
    ) -> ReportInstance:
        """``POST /api/model/reports/{id}/instances?executionStage=…``: a new instance.

        The caller owns it (use it in a ``with`` block, or call ``delete``).
        """
        path = f"/api/model/reports/{segment(self.id)}/instances"
        headers = {"Prefer": "respond-async"} if prefer_async else None
        response = self.conn.request("POST", path, query={"executionStage": stage}, headers=headers)
        # 201 {"id"}; with respond-async also 202 with a reference to the instance,
        # which may be only the X-MSTR-MS-Instance header.
        body = response.json_or_none() if response.status == 202 else None
        if response.status != 202:
            body = response.json_object("the new instance")
        reply = body if isinstance(body, dict) else {}
        # ``instanceId`` first: in a v2-style reply ``id`` is the report's ID.
        instance_id = reply.get("instanceId") or response.headers.get("X-MSTR-MS-Instance")
        if not isinstance(instance_id, str) or not instance_id:
            instance_id = reply.get("id") or _from_location(response.headers.get("Location"))
        if not isinstance(instance_id, str) or not instance_id:
            raise TransportError(
                response.request,
                status=response.status,
                server_message="the reply names no instance (no instanceId or id in the body, "
                "no X-MSTR-MS-Instance or Location header)",
            )
        instance_id = server_id(instance_id, response.request)
        return ReportInstance(
            self.conn,
            self.id,
            instance_id,
            policy=self.policy,
            stage=stage,
            asynchronous=prefer_async,
        )

    def open(
        self,
        answers: Answers = None,
        *,
        stage: str = "resolve_prompts",
        validate: bool = True,
        missing: Missing | None = None,
        progress: Progress | None = None,
    ) -> ReportInstance:
        """Create an instance and answer every round of its prompts; delete it on exit.

        If answering fails, the instance is deleted before the error propagates.
        ``progress`` is called after every status poll (see
        :class:`~mstr_prompts.client.progress.TerminalProgress`).
        """
        instance = self.create(stage=stage)
        instance.progress = progress
        with _delete_on_error(instance):
            instance.answer(answers, validate=validate, missing=missing)
        return instance

    def sql(
        self,
        answers: Answers = None,
        *,
        validate: bool = True,
        missing: Missing | None = None,
        progress: Progress | None = None,
    ) -> str:
        """Seed 000, first workflow: the SQL the report runs with these answers.

        With ``validate=False``, no ``missing`` and one set of answers that name their
        prompts (key, ID or name), the requests are exactly seed 000's: create, ``PUT``
        the answers as given, read the SQL view, delete.  Only when the server refuses
        the answers or the SQL view are the prompts listed, to say why
        (:class:`~mstr_prompts.client.UnusedAnswers`, another round left open).
        Otherwise each round is listed, bound, checked and waited for (see "Answering"
        in docs/client.md); the wait never asks the data endpoint.
        """
        seed = as_given(answers) if not validate and missing is None else None
        if seed is not None:
            return sql_as_the_seed(self, seed)
        with self.open(
            answers,
            stage="resolve_prompts",
            validate=validate,
            missing=missing,
            progress=progress,
        ) as inst:
            return inst.sql()

    def data(
        self,
        answers: Answers = None,
        *,
        limit: int | None = None,
        validate: bool = True,
        missing: Missing | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Seed 000, second workflow: the report data, every page (``limit`` = page size)."""
        with self.open(
            answers, stage="execute_data", validate=validate, missing=missing, progress=progress
        ) as inst:
            return inst.data(limit=limit)

    def submit(
        self,
        answers: Answers = None,
        *,
        sql: bool = False,
        limit: int | None = None,
        validate: bool = True,
        missing: Missing | None = None,
        progress: Progress | None = None,
    ) -> Run:
        """Start a run and return its handle at once, without waiting for the data.

        The instance is created with ``Prefer: respond-async``; every round of prompts
        is answered (as in :meth:`open`); then the :class:`~mstr_prompts.client.Run` is
        returned while the server executes.  ``sql=True`` runs for the SQL instead of
        the data; ``limit`` is the page size :meth:`Run.result` uses.  If answering
        fails, the instance is deleted before the error propagates.

        >>> from mstr_prompts.testing import ReferenceServer
        >>> from mstr_prompts.client import Connection
        >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
        ...         project_id=server.project_id) as conn:
        ...     run = conn.report("0F1E2D3C4B5A49687786958473625140").submit()
        ...     run.result()["data"]["paging"]["total"]
        3
        """
        return submit(
            self,
            answers,
            sql=sql,
            limit=limit,
            validate=validate,
            missing=missing,
            progress=progress,
        )

    def run(
        self,
        answers: Answers = None,
        *,
        timeout: float | None = None,
        sql: bool = False,
        limit: int | None = None,
        validate: bool = True,
        missing: Missing | None = None,
    ) -> Any:
        """Submit a run and wait for its result: the data (or the SQL with ``sql=True``).

        ``timeout`` (seconds, None: as long as it takes) raises
        :class:`~mstr_prompts.client.RunTimeout`, which holds the run to resume.  The
        instance is deleted once the result is read or the run failed.

        >>> from mstr_prompts.testing import ReferenceServer
        >>> from mstr_prompts.client import Connection
        >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
        ...         project_id=server.project_id) as conn:
        ...     print(conn.report("0F1E2D3C4B5A49687786958473625140").run(sql=True))
        select a11.*
        from LU_SALES a11
        """
        run = self.submit(answers, sql=sql, limit=limit, validate=validate, missing=missing)
        return run.result(timeout)


def _from_location(location: str | None) -> str | None:
    """The instance ID in a 202's ``Location`` (RFC 7240's usual reference): ``…/instances/{id}``.

    >>> _from_location("/MicroStrategyLibrary/api/v2/reports/R/instances/I1?x=1"), _from_location("/x")
    ('I1', None)
    """
    if not location:
        return None
    path = location.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    head, _, last = path.rpartition("/")
    return unquote(last) if last and head.endswith("/instances") else None


def _prompts(conn: Session, path: str) -> Definitions:
    body = conn.request("GET", path).json("the prompts")
    try:
        return decode_definitions(body)
    except DecodeError as exc:
        raise TransportError(
            f"GET {path}", server_message=f"unreadable definitions: {exc}"
        ) from None


class _delete_on_error:
    def __init__(self, instance: ReportInstance | DocumentInstance) -> None:
        self.instance = instance

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is not None:
            self.instance.__exit__(type(exc), exc, None)


@redacting
class Document:
    """A document on the server (``/api/documents/{id}``).

    >>> from mstr_prompts.client import Connection
    >>> Connection("http://127.0.0.1:1", login_mode=8).document("D")
    <Document D>
    """

    _create_collection = "documents"

    def __init__(
        self, conn: Session, document_id: str, *, policy: PollPolicy | None = None
    ) -> None:
        self.conn = conn
        self.id = document_id
        self.policy = policy or conn.poll_policy or PollPolicy()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"

    def create(
        self, answers: AnswerSet | None = None, *, body: dict[str, Any] | None = None
    ) -> DocumentInstance:
        """``POST /api/{documents|dossiers}/{id}/instances``; answers go as XML in ``linkingInfo``.

        The caller owns the instance (use it in a ``with`` block, or call ``delete``).
        """
        payload: dict[str, Any] = dict(body or {})
        if answers is not None:
            linking = dict(payload.get("linkingInfo") or {})
            linking["promptsAnswers"] = xml.encode(answers)
            payload["linkingInfo"] = linking
        path = f"/api/{self._create_collection}/{segment(self.id)}/instances"
        response = self.conn.request("POST", path, json_body=payload)
        reply = response.json_object("the new instance")
        mid = reply.get("mid")
        if not isinstance(mid, str) or not mid:
            raise TransportError(response.request, server_message="the reply has no mid")
        mid = server_id(mid, response.request)
        return DocumentInstance(self.conn, self.id, mid, policy=self.policy)

    def open(
        self,
        answers: Answers = None,
        *,
        linking: bool = False,
        validate: bool = True,
        missing: Missing | None = None,
        progress: Progress | None = None,
    ) -> DocumentInstance:
        """Create an instance and answer every round of its prompts; delete it on exit.

        ``linking=True`` sends a single set of answers as XML in the creation request;
        otherwise they are ``PUT`` round by round.  Either way the status is then polled
        and further rounds are answered.
        """
        if linking:
            if not isinstance(answers, AnswerSet):
                raise ValueError("linking=True takes one AnswerSet")
            instance = self.create(answers)
            instance.progress = progress
            with _delete_on_error(instance):
                instance.answer(None, validate=validate, missing=missing)
            return instance
        instance = self.create()
        instance.progress = progress
        with _delete_on_error(instance):
            instance.answer(answers, validate=validate, missing=missing)
        return instance


@redacting
class Dossier(Document):
    """A dashboard (dossier): created under ``/api/dossiers/{id}/instances``, then a document.

    >>> from mstr_prompts.client import Connection
    >>> Connection("http://127.0.0.1:1", login_mode=8).dossier("D")
    <Dossier D>
    """

    _create_collection = "dossiers"
