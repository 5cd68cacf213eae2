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
from collections.abc import Callable, Sequence
from typing import IO, Any

from ..definitions import Missing
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .connection import Connection
from .datamarts import PromptOptions, SaveAs
from .errors import RunHandleError
from .progress import TerminalProgress
from .runs import Run, parse_handle

__all__ = ["datamart_command", "format_result", "submit_command", "wait_command"]

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


def submit_command(
    conn: Connection,
    report_id: str,
    answers: AnswerSet | Sequence[AnswerSet] | None,
    *,
    sql: bool = False,
    validate: bool = True,
    missing: Missing | None = None,
) -> str:
    """Submit a run of ``report_id`` and return its handle as one line of JSON."""
    run = conn.report(report_id).submit(answers, sql=sql, validate=validate, missing=missing)
    return run.to_json() + "\n"


def wait_command(
    handle: str,
    connect: Connect,
    *,
    base: str | None = None,
    project: str | None = None,
    timeout: float | None = None,
    progress: IO[str] | None = None,
) -> str:
    """Resume the run of ``handle``, wait for it, and return its result as ``run`` prints it.

    The base URL and the project come from the handle unless ``base`` and ``project``
    are given.  The instance is deleted once the result is read; after a
    :class:`~mstr_prompts.client.RunTimeout` it is kept, and the same handle resumes it.
    """
    fields = parse_handle(handle)
    base = base or fields.get("base")
    if not base:
        raise RunHandleError("the handle names no base URL", hint="pass --base URL")
    with connect(base, project or fields.get("project")) as conn:
        run = Run.from_json(conn, handle)
        show = TerminalProgress(progress) if progress is not None else None
        try:
            value = run.result(timeout, progress=show)
        finally:
            if show is not None:
                show.done()
    return format_result(value)


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
