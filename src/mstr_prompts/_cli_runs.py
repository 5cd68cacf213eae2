"""The command line's asynchronous commands: ``run … --async``, ``wait`` and ``datamart``.

A thin layer: options are parsed here, the work is done by
:mod:`mstr_prompts.client.commands`.  Credentials come from the environment
(``MSTR_USERNAME`` and ``MSTR_PASSWORD``, or ``MSTR_API_TOKEN``), never from the
command line.  Progress goes to standard error, and only on a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from .client.commands import datamart_command, submit_command, wait_command
from .client.connection import Connection
from .model import AnswerSet

__all__ = ["add_async_option", "add_commands", "submit_from_args"]

Read = Callable[[str], str]
DecodeFile = Callable[[str, str], AnswerSet]


def _connect(base: str, project: str | None) -> Connection:
    from .client.run import connect_from_env

    return connect_from_env(base, project, os.environ)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("the timeout must be a positive number of seconds")
    return value


def add_commands(
    commands: Any,
    common: dict[str, Any],
    *,
    read: Read,
    decode_file: DecodeFile,
    formats: tuple[str, ...],
) -> None:
    """Add ``wait`` and ``datamart`` to the ``commands`` sub-parsers, and ``--async`` to ``run``.

    ``run`` belongs to the client's command line; if it is not there yet, a ``run`` with
    the same options is added here so that ``--async`` has a home.
    """
    run = commands.choices.get("run")
    if run is None:
        run = _add_run(commands, common, decode_file=decode_file, formats=formats)
    add_async_option(run)
    synchronous = run.get_default("run")

    def run_or_submit(args: argparse.Namespace) -> str:
        if not getattr(args, "asynchronous", False):
            result: str = synchronous(args)
            return result
        if getattr(args, "report", None) is None:
            run.error("--async runs reports only (--report ID)")
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        with _connect(args.base, args.project) as conn:
            return submit_from_args(
                conn,
                args.report,
                answers,
                sql=bool(getattr(args, "sql", False)),
                validate=bool(getattr(args, "definitions_check", True)),
                missing=getattr(args, "missing", None),
            )

    run.set_defaults(run=run_or_submit)
    wait = commands.add_parser(
        "wait",
        help="resume a run from its handle and print its result",
        description="Resume the run of HANDLE (its JSON text, a file holding it, or - for "
        "standard input), wait for it, and print its SQL or its data as JSON. The base URL "
        "and the project come from the handle unless --base and --project are given.",
        **common,
    )
    wait.add_argument("handle", metavar="HANDLE", help="the handle `run --async` printed")
    wait.add_argument("--base", help="the Library URL (default: the handle's)")
    wait.add_argument("--project", metavar="ID", help="the project (default: the handle's)")
    wait.add_argument("--timeout", type=_seconds, metavar="S", help="give up after S seconds")

    def run_wait(args: argparse.Namespace) -> str:
        text = args.handle
        if text == "-" or not text.lstrip().startswith("{"):
            text = read(text)
        return wait_command(
            text,
            _connect,
            base=args.base,
            project=args.project,
            timeout=args.timeout,
            progress=sys.stderr,
        )

    wait.set_defaults(run=run_wait)

    datamart = commands.add_parser(
        "datamart",
        help="run a datamart with answers, optionally save it",
        description="Run the datamart with the answers of ANSWERS (- for standard input; "
        "none for a datamart without prompts), then optionally save it (--save) or save a "
        "copy (--save-as NAME --folder ID); print the outcome as JSON.",
        **common,
    )
    datamart.add_argument("--base", required=True, help="the Library URL")
    datamart.add_argument("--project", required=True, metavar="ID")
    datamart.add_argument("--datamart", required=True, metavar="ID")
    saving = datamart.add_mutually_exclusive_group()
    saving.add_argument("--save", action="store_true", help="save the datamart")
    saving.add_argument("--save-as", metavar="NAME", help="save a copy named NAME")
    datamart.add_argument("--folder", metavar="ID", help="the folder of --save-as")
    datamart.add_argument(
        "--with-answers", action="store_true", help="store this run's answers with the save"
    )
    datamart.add_argument(
        "--from", dest="source_format", type=str.lower, choices=formats, default="rest"
    )
    datamart.add_argument("--missing", choices=("default", "close", "error"))
    datamart.add_argument("--timeout", type=_seconds, metavar="S", help="give up after S seconds")
    datamart.add_argument("file", nargs="?", default=None, metavar="ANSWERS")

    def run_datamart(args: argparse.Namespace) -> str:
        if args.save_as is not None and args.folder is None:
            datamart.error("--save-as needs --folder ID")
        if args.folder is not None and args.save_as is None:
            datamart.error("--folder goes with --save-as NAME")
        if args.with_answers and not (args.save or args.save_as):
            datamart.error("--with-answers goes with --save or --save-as")
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        with _connect(args.base, args.project) as conn:
            return datamart_command(
                conn,
                args.datamart,
                answers,
                save=args.save,
                save_as=args.save_as,
                folder=args.folder,
                with_answers=args.with_answers,
                missing=args.missing,
                timeout=args.timeout,
                progress=sys.stderr,
            )

    datamart.set_defaults(run=run_datamart)


def _add_run(
    commands: Any, common: dict[str, Any], *, decode_file: DecodeFile, formats: tuple[str, ...]
) -> argparse.ArgumentParser:
    """``run``: one run with answers, printing the SQL or the data (as the client issue has it)."""
    from .client.run import Kind
    from .client.run import run as run_once

    run: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run a report, document or dashboard with answers",
        description="Run the object with the answers of ANSWERS (- for standard input) and "
        "print its SQL (--sql) or its data as JSON (--data).",
        **common,
    )
    run.add_argument("--base", required=True, help="the Library URL")
    run.add_argument("--project", required=True, metavar="ID")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--report", metavar="ID")
    target.add_argument("--document", metavar="ID")
    target.add_argument("--dossier", metavar="ID")
    output = run.add_mutually_exclusive_group(required=True)
    output.add_argument("--sql", action="store_true", help="print the SQL")
    output.add_argument("--data", action="store_true", help="print the data as JSON")
    run.add_argument(
        "--from", dest="source_format", type=str.lower, choices=formats, default="rest"
    )
    run.add_argument(
        "--definitions-check",
        action="store_true",
        help="check the answers against the live prompt definitions before sending them "
        "(the server's own messages, with no request wasted); without it the server judges",
    )
    run.add_argument(
        "--missing",
        type=str.lower,
        choices=("default", "close", "error"),
        help="what open prompts the answers leave out get (default: stop with status 1)",
    )
    run.add_argument("file", nargs="?", default=None, metavar="ANSWERS")

    def run_sync(args: argparse.Namespace) -> str:
        if args.sql and not args.report:
            run.error(
                "--sql needs --report: documents and dashboards have no SQL view (use --data)"
            )
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        kind: Kind = "report" if args.report else "document" if args.document else "dossier"
        object_id = args.report or args.document or args.dossier
        with _connect(args.base, args.project) as conn:
            return run_once(
                conn,
                kind,
                object_id,
                answers,
                output="sql" if args.sql else "data",
                validate=args.definitions_check,
                missing=args.missing,
            )

    run.set_defaults(run=run_sync)
    return run


def add_async_option(run: argparse.ArgumentParser) -> None:
    """Add ``--async`` to the ``run`` command."""
    run.add_argument(
        "--async",
        dest="asynchronous",
        action="store_true",
        help="submit the run and print its handle at once (resume it with `wait`)",
    )


def submit_from_args(
    conn: Connection,
    report_id: str,
    answers: AnswerSet | None,
    *,
    sql: bool,
    validate: bool = True,
    missing: Any = None,
) -> str:
    """What ``run --report ID … --async`` prints: the run's handle, one line of JSON."""
    return submit_command(conn, report_id, answers, sql=sql, validate=validate, missing=missing)
