"""The asynchronous commands of the command line, as library functions.

``mstr-prompts run … --async`` prints a run's handle (:func:`submit_command`),
``mstr-prompts wait HANDLE`` resumes it and returns what ``run`` would have printed
(:func:`wait_command`), and ``mstr-prompts datamart`` runs a datamart
(:func:`datamart_command`).  Each returns the text to print on standard output; the
command line only parses options, reads files and maps errors to exit statuses.
While they wait, a :class:`~mstr_prompts.client.progress.TerminalProgress` on
``progress`` shows the state on a terminal and stays silent otherwise.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from ..definitions import Missing
from ..definitions import decode as decode_definitions
from ..errors import DecodeError, PromptAnswerError
from ..model import AnswerSet
from .connection import Connection, segment
from .datamarts import PromptOptions, SaveAs
from .errors import InstanceGone, RunHandleError, TransportError
from .progress import TerminalProgress
from .run import Kind, Output
from .run import run as run_once
from .runs import Run, RunTimeout, gone_as, parse_handle
from .signals import Terminated

_log = logging.getLogger("mstr_prompts.client")

__all__ = [
    "datamart_command",
    "format_result",
    "prompts_command",
    "run_command",
    "submit_command",
    "wait_command",
]

Connect = Callable[[str, "str | None"], Connection]
"""Makes a connection for a base URL and a project (the CLI reads credentials from the environment)."""


def format_result(value: Any) -> str:
    """What a run prints: SQL text as it is, data as indented JSON; one final newline.

    >>> format_result("select 1"), format_result({"a": 1})
    ('select 1\\n', '{\\n  "a": 1\\n}\\n')
    """
    if isinstance(value, str):
        return value if value.endswith("\n") else value + "\n"
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def prompts_command(conn: Connection, kind: str, object_id: str) -> str:
    """The prompt definitions of a report, document or dashboard as JSON, the way
    ``--definitions FILE`` reads them (``GET /api/reports/{id}/prompts``, or
    ``/api/documents/{id}/prompts`` for documents and dashboards).

    Only the first round's prompts are listed: nested prompts exist only in an instance.

    >>> from mstr_prompts.testing import ReferenceServer
    >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
    ...         project_id=server.project_id) as conn:
    ...     text = prompts_command(conn, "report", "9B9ADA7F464E63CE0D0B709B03BD9370")
    >>> json.loads(text)[0]["type"]
    'ELEMENTS'
    """
    # Dashboards are documents here, as for every instance call after creation.
    collection = "reports" if kind == "report" else "documents"
    path = f"/api/{collection}/{segment(object_id)}/prompts"
    body = conn.request("GET", path).json("the prompts")
    try:
        decode_definitions(body)  # what --definitions will read back
    except DecodeError as exc:
        raise TransportError(
            f"GET {path}", server_message=f"unreadable definitions: {exc}"
        ) from None
    return format_result(body)


def submit_command(
    conn: Connection,
    report_id: str,
    answers: AnswerSet | Sequence[AnswerSet] | None,
    *,
    sql: bool = False,
    validate: bool = True,
    missing: Missing | None = None,
    progress: IO[str] | None = None,
) -> str:
    """Submit a run of ``report_id`` and return its handle as one line of JSON.

    While submission waits for the prompts of each round, ``progress`` (a terminal)
    shows the state.
    """
    with _shown(progress) as show:
        run = conn.report(report_id).submit(
            answers, sql=sql, validate=validate, missing=missing, progress=show
        )
    return run.to_json() + "\n"


def run_command(
    conn: Connection,
    kind: Kind,
    object_id: str,
    answers: AnswerSet | None,
    *,
    output: Output,
    validate: bool = True,
    missing: Missing | None = None,
    progress: IO[str] | None = None,
) -> str:
    """What ``mstr-prompts run`` prints (:func:`mstr_prompts.client.run.run`), with the
    state of every wait shown on ``progress`` when it is a terminal.

    >>> from mstr_prompts.testing import ReferenceServer
    >>> with ReferenceServer() as server, Connection(server.url, login_mode=8,
    ...         project_id=server.project_id) as conn:
    ...     print(run_command(conn, "report", "0F1E2D3C4B5A49687786958473625140", None,
    ...                       output="sql"), end="")
    select a11.*
    from LU_SALES a11
    """
    with _shown(progress) as show:
        return run_once(
            conn,
            kind,
            object_id,
            answers,
            output=output,
            validate=validate,
            missing=missing,
            progress=show,
        )


@contextmanager
def _shown(progress: IO[str] | None) -> Iterator[TerminalProgress | None]:
    show = TerminalProgress(progress) if progress is not None else None
    try:
        yield show
    finally:
        if show is not None:
            show.done()


def wait_command(
    handle: str,
    connect: Connect,
    *,
    base: str | None = None,
    project: str | None = None,
    timeout: float | None = None,
    progress: IO[str] | None = None,
    login: Callable[[Connection], None] | None = None,
) -> str:
    """Resume the run of ``handle`` on the server at ``base``, wait, return what ``run`` prints.

    ``base`` is where the credentials go, so it is the caller's, never the handle's: a
    handle written for another server is refused (:class:`RunHandleError` naming both),
    and the handle's own ``base`` is only compared.  The project comes from the handle
    unless ``project`` is given.  ``login`` logs the connection in before the wait (the
    command line's names an unreachable server).  The instance is deleted once the
    result is read; after a :class:`~mstr_prompts.client.RunTimeout`, Ctrl-C, SIGTERM
    or SIGHUP it is kept, and the same handle resumes it (an interrupt is raised again
    as :class:`~mstr_prompts.client.signals.Terminated` saying so).

    >>> wait_command('{"mstrPromptsRun": 1, "kind": "report", "report": "R", "instance": "I"}',
    ...              lambda base, project: None)
    Traceback (most recent call last):
    ...
    mstr_prompts.client.errors.RunHandleError: run handle: no server given (the handle's base is never used: the credentials would go there) (hint: pass --base URL or set MSTR_BASE_URL)
    """
    fields = parse_handle(handle)
    if not base:
        raise RunHandleError(
            "no server given (the handle's base is never used: the credentials would go there)",
            hint="pass --base URL or set MSTR_BASE_URL",
        )
    with connect(base, project or fields.get("project")) as conn:
        theirs = fields.get("base")
        if theirs is not None and _same_base(theirs) != _same_base(conn.base_url):
            raise RunHandleError(
                f"the handle is for {theirs}, not {conn.base_url}; a handle never chooses "
                "where the credentials go",
                hint="pass the handle's server as --base if you trust it",
            )
        run = Run.from_json(conn, handle)
        if login is not None:
            login(conn)
        show = TerminalProgress(progress) if progress is not None else None
        try:
            run.wait(timeout, progress=show)
            with gone_as(str(run.instance)):
                value = run.instance.sql() if run.sql else run.instance.data(limit=run.limit)
        except KeyboardInterrupt as exc:
            # Ctrl-C, SIGTERM or SIGHUP: the user stops waiting, not the run.  It stays on
            # the server (the session is still logged out), so the handle stays good.
            signum = getattr(exc, "signum", signal.SIGINT)
            raise Terminated(
                signum,
                f"interrupted: the run goes on on the server ({run.instance}); resume it with "
                "the same handle (mstr-prompts wait HANDLE)",
            ) from None
        except (RunTimeout, InstanceGone):
            raise
        except PromptAnswerError:
            _delete_quietly(run)
            raise
        finally:
            if show is not None:
                show.done()
        run.delete()
    return format_result(value)


def _same_base(base: str) -> str:
    """A base URL as handles compare it: no trailing slash or ``/api``, scheme and host
    in lower case (handles are written with the connection's normalised base)."""
    text = base.strip().rstrip("/")
    if text.lower().endswith("/api"):
        text = text[: -len("/api")].rstrip("/")
    scheme, sep, rest = text.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}{sep}{host.lower()}{slash}{path}"


def _delete_quietly(run: Run) -> None:
    """Delete a failed run's instance; the failure matters more than the cleanup."""
    try:
        run.delete()
    except PromptAnswerError as exc:
        _log.warning("%s: could not delete after an error: %s", run.instance, exc)


def datamart_command(
    conn: Connection,
    datamart_id: str,
    answers: AnswerSet | Sequence[AnswerSet] | None,
    *,
    save: bool = False,
    save_as: str | None = None,
    folder: str | None = None,
    with_answers: bool = False,
    validate: bool = True,
    missing: Missing | None = None,
    timeout: float | None = None,
    progress: IO[str] | None = None,
) -> str:
    """Run a datamart (optionally saving it) and return the outcome as JSON.

    ``with_answers`` stores this run's answers with the saved datamart; its prompts are
    kept either way (``saveAsFilterWithPrompts`` and ``saveAsTemplateWithPrompts``).
    """
    options = PromptOptions(with_answers=with_answers)
    target = None
    if save_as is not None:
        if folder is None:
            raise PromptAnswerError("save as needs a destination folder", hint="pass --folder ID")
        target = SaveAs(save_as, folder, options)
    show = TerminalProgress(progress) if progress is not None else None
    try:
        result = conn.datamart(datamart_id).execute(
            answers,
            save=options if save else None,
            save_as=target,
            validate=validate,
            missing=missing,
            timeout=timeout,
            progress=show,
        )
    finally:
        if show is not None:
            show.done()
    return format_result(
        {
            "datamartId": result.datamart_id,
            "instanceId": result.instance_id,
            "status": result.status,
            "jobId": result.job_id,
            "savedId": result.saved_id,
        }
    )
