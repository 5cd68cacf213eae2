"""The command line's asynchronous commands: ``run … --async``, ``wait`` and ``datamart``.

A thin layer: options are parsed here, the work is done by
:mod:`mstr_prompts.client.commands`.  Credentials come from the environment
(``MSTR_USERNAME`` and ``MSTR_PASSWORD``, or ``MSTR_API_TOKEN``), never from the
command line.  Progress goes to standard error, and only on a terminal.

The client (and urllib3 under it) is imported when one of these commands runs, not
when the parser is built: ``convert``, ``inspect`` and ``link`` build the same parser
and must not pay for a REST client they never use (issue 22).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client.connection import Connection
    from .client.run import Kind
    from .model import AnswerSet

__all__ = ["add_async_option", "add_commands", "submit_from_args"]

Read = Callable[[str], str]
DecodeFile = Callable[[str, str], "AnswerSet"]
ObjectId = Callable[[str], str]


def _connect(base: str, project: str | None) -> Connection:
    """A connection with the environment's credentials; nothing is sent yet, so that a
    half-given credential is a usage error before any request (see connect_from_env)."""
    from .client.run import connect_from_env

    return connect_from_env(base, project, os.environ)


@contextmanager
def _session(conn: Connection) -> Iterator[Connection]:
    """Log in first, so that an unreachable server is said so, by name, before any run
    starts (not taken for a run that is still going); log out at the end, also after
    Ctrl-C, SIGTERM or SIGHUP."""
    from .client.signals import signals_as_interrupts

    with signals_as_interrupts(), conn:
        _reached(conn)
        yield conn


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
    object_id: ObjectId = str,
) -> None:
    """Add ``wait`` and ``datamart`` to the ``commands`` sub-parsers, and ``--async`` to ``run``.

    ``run`` belongs to the client's command line; if it is not there yet, a ``run`` with
    the same options is added here so that ``--async`` has a home.  ``object_id`` checks
    an object ID option (32 hex digits) as argparse reads it, so that no ID a request
    could not carry reaches one.
    """
    run = commands.choices.get("run")
    if run is None:
        run = _add_run(
            commands, common, decode_file=decode_file, formats=formats, object_id=object_id
        )
    add_async_option(run)
    synchronous = run.get_default("run")

    def run_or_submit(args: argparse.Namespace) -> str:
        if not getattr(args, "asynchronous", False):
            result: str = synchronous(args)
            return result
        if getattr(args, "report", None) is None:
            run.error("--async runs reports only (--report ID)")
        conn = _connect(args.base, args.project)
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        with _session(conn):
            return submit_from_args(
                conn,
                args.report,
                answers,
                sql=bool(getattr(args, "sql", False)),
                validate=bool(getattr(args, "definitions_check", True)),
                missing=getattr(args, "missing", None),
                progress=sys.stderr,
            )

    run.set_defaults(run=run_or_submit)
    wait = commands.add_parser(
        "wait",
        help="resume a run from its handle and print its result",
        description="Resume the run of HANDLE (its JSON text, a file holding it, or - for "
        "standard input), wait for it, and print its SQL or its data as JSON. The server is "
        "--base, else MSTR_BASE_URL: never the handle's, since the credentials go there (a "
        "handle for another server is refused). The project comes from the handle unless "
        "--project is given. Ctrl-C, SIGTERM or SIGHUP stops the wait and leaves the run on "
        "the server; the same handle resumes it.",
        **common,
    )
    wait.add_argument("handle", metavar="HANDLE", help="the handle `run --async` printed")
    wait.add_argument("--base", help="the Library URL (default: MSTR_BASE_URL)")
    wait.add_argument(
        "--project", metavar="ID", type=object_id, help="the project (default: the handle's)"
    )
    wait.add_argument("--timeout", type=_seconds, metavar="S", help="give up after S seconds")

    def run_wait(args: argparse.Namespace) -> str:
        base = args.base or os.environ.get("MSTR_BASE_URL")
        if not base:
            wait.error(
                "wait needs the server: --base URL or MSTR_BASE_URL (the handle's own base is "
                "never used, since the credentials go there)"
            )
        from .client.commands import wait_command
        from .client.signals import signals_as_interrupts

        text = args.handle
        if text == "-" or not text.lstrip().startswith("{"):
            text = read(text)
        with signals_as_interrupts():
            return wait_command(
                text,
                _connect,
                base=base,
                project=args.project,
                timeout=args.timeout,
                progress=sys.stderr,
                login=_reached,
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
    datamart.add_argument("--project", required=True, metavar="ID", type=object_id)
    datamart.add_argument("--datamart", required=True, metavar="ID", type=object_id)
    saving = datamart.add_mutually_exclusive_group()
    saving.add_argument("--save", action="store_true", help="save the datamart")
    saving.add_argument("--save-as", metavar="NAME", help="save a copy named NAME")
    datamart.add_argument("--folder", metavar="ID", type=object_id, help="the folder of --save-as")
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
        if args.save_as is not None and not _printable(args.save_as):
            datamart.error("--save-as NAME must be printable text (no control characters)")
        from .client.commands import datamart_command

        conn = _connect(args.base, args.project)
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        with _session(conn):
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

    prompts = commands.add_parser(
        "prompts",
        help="save an object's prompt definitions, for --definitions FILE",
        description="Print the prompt definitions of a report, document or dashboard as "
        "JSON (GET …/prompts), the file other commands read with --definitions FILE. Only "
        "the first round is listed: nested prompts exist only in a running instance.",
        **common,
    )
    prompts.add_argument("--base", required=True, help="the Library URL")
    prompts.add_argument("--project", required=True, metavar="ID", type=object_id)
    listed = prompts.add_mutually_exclusive_group(required=True)
    listed.add_argument("--report", metavar="ID", type=object_id)
    listed.add_argument("--document", metavar="ID", type=object_id)
    listed.add_argument("--dossier", metavar="ID", type=object_id)

    def run_prompts(args: argparse.Namespace) -> str:
        from .client.commands import prompts_command

        conn = _connect(args.base, args.project)
        kind = "report" if args.report else "document" if args.document else "dossier"
        with _session(conn):
            return prompts_command(conn, kind, args.report or args.document or args.dossier)

    prompts.set_defaults(run=run_prompts)


def _reached(conn: Connection) -> None:
    """Log in, naming the server when it cannot be reached (``wait_command``'s ``login``)."""
    from .client.errors import TransportError

    try:
        conn.login()
    except TransportError as exc:
        raise TransportError(
            exc.request,
            server_message=f"cannot reach the server at {conn.base_url}: {exc.server_message}",
        ) from None


def _printable(text: str) -> bool:
    """Text a request can carry and a terminal shows as it is: no controls, no lone
    surrogates (bytes that were not UTF-8 on the command line)."""
    return text.isprintable() and not any("\ud800" <= c <= "\udfff" for c in text)


def _add_run(
    commands: Any,
    common: dict[str, Any],
    *,
    decode_file: DecodeFile,
    formats: tuple[str, ...],
    object_id: ObjectId = str,
) -> argparse.ArgumentParser:
    """``run``: one run with answers, printing the SQL or the data (as the client issue has it)."""
    run: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run a report, document or dashboard with answers",
        description="Run the object with the answers of ANSWERS (- for standard input) and "
        "print its SQL (--sql) or its data as JSON (--data).",
        **common,
    )
    run.add_argument("--base", required=True, help="the Library URL")
    run.add_argument("--project", required=True, metavar="ID", type=object_id)
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--report", metavar="ID", type=object_id)
    target.add_argument("--document", metavar="ID", type=object_id)
    target.add_argument("--dossier", metavar="ID", type=object_id)
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
        from .client.commands import run_command

        conn = _connect(args.base, args.project)
        answers = None if args.file is None else decode_file(args.source_format, args.file)
        kind: Kind = "report" if args.report else "document" if args.document else "dossier"
        target_id = args.report or args.document or args.dossier
        with _session(conn):
            return run_command(
                conn,
                kind,
                target_id,
                answers,
                output="sql" if args.sql else "data",
                validate=args.definitions_check,
                missing=args.missing,
                progress=sys.stderr,
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
    progress: Any = None,
) -> str:
    """What ``run --report ID … --async`` prints: the run's handle, one line of JSON."""
    from .client.commands import submit_command

    return submit_command(
        conn,
        report_id,
        answers,
        sql=sql,
        validate=validate,
        missing=missing,
        progress=progress,
    )
