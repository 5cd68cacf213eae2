"""The ``mstr-prompts`` command: convert prompt answers and build Web links.

It reads a file (or standard input), writes the result to standard output, and on bad
input prints one line to standard error and exits with status 2, never a traceback.

Usage::

    mstr-prompts convert --from xml --to rest answers.xml
    mstr-prompts convert --from url --to xml - < link.txt
    mstr-prompts link --base https://host/MicroStrategy/servlet/mstrWeb --report ID answers.json
    mstr-prompts convert --from url --to rest --definitions prompts.json link.txt
    mstr-prompts validate --definitions prompts.json --from rest answers.json
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .errors import AnswersRejected, LocaleWarning, PromptAnswerError, PromptsOutstanding
from .model import AnswerSet

if TYPE_CHECKING:
    from .definitions import Definitions

__all__ = ["main"]

FORMATS = ("rest", "xml", "url")

EXIT_PROBLEMS = 1  # the answers break what their prompts allow (validate, --definitions)
EXIT_USAGE = 2
EXIT_BAD_INPUT = 2
# The project's agreed number for bad input; `validate` uses it already, the older
# commands still exit 2 until the CLI's exit codes are unified.
EXIT_BAD_INPUT_AGREED = 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in mstr-prompts, not in the input


class _CliError(Exception):
    """A problem with the command's own input: file unreadable, not UTF-8, …."""


class _UsageError(Exception):
    """Options that do not go together."""


class _Problems(Exception):
    """``validate`` found problems: its output goes to stdout, and the status is 1."""


def _read(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            where = "standard input"
        else:
            with open(path, "rb") as handle:
                data = handle.read()
            where = path
    except OSError as exc:
        raise _CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _CliError(f"{where} is not UTF-8 (byte {exc.start})") from None


def _decode(fmt: str, text: str) -> AnswerSet:
    if fmt == "rest":
        from . import rest

        return rest.decode(text)
    if fmt == "xml":
        from . import xml

        return xml.decode(text.strip())
    from . import url

    return url.decode(text.strip())


def _encode(fmt: str, answers: AnswerSet, args: argparse.Namespace) -> str:
    if fmt == "rest":
        from . import rest

        return rest.dumps(answers, ignore_locale=args.ignore_locale, indent=2)
    if fmt == "xml":
        from . import xml

        return xml.encode(answers)
    from . import url

    return url.encode_query(
        answers,
        fallback=args.fallback,
        assume_order=args.assume_order,
        ignore_locale=args.ignore_locale,
    )


def _definitions(args: argparse.Namespace) -> Definitions | None:
    if args.definitions is None:
        for option, given in (("--missing", args.missing), ("--no-validate", args.no_validate)):
            if given:
                raise _UsageError(f"{option} needs --definitions FILE")
        return None
    from . import definitions

    return definitions.decode(_read(args.definitions))


def _prepare(answers: AnswerSet, target: str, args: argparse.Namespace) -> AnswerSet:
    """Bind, complete and check the answers when --definitions is given."""
    defs = _definitions(args)
    if defs is None:
        return answers
    from . import definitions

    ready = definitions.prepare(
        answers,
        defs,
        missing=args.missing,
        validate=not args.no_validate,
        keep_mode=target == "url",
    )
    if target in ("xml", "url"):
        # Neither can say "use the default answer" for one prompt; the default itself
        # they can carry.
        ready = definitions.inline_defaults(ready, defs)
    return ready


def _convert(args: argparse.Namespace) -> str:
    answers = _decode(args.source_format, _read(args.file))
    answers = _prepare(answers, args.target_format, args)
    return _encode(args.target_format, answers, args)


def _validate(args: argparse.Namespace) -> str:
    from . import definitions, validation

    defs = _definitions(args)
    assert defs is not None  # --definitions is required here
    answers = _decode(args.source_format, _read(args.file))
    problems = definitions.validate(answers, defs)
    if args.json:
        output = json.dumps(validation.problems_json(problems), ensure_ascii=False, indent=2)
    else:
        output = "\n".join(" ".join(p.line().split()) for p in problems)
    if problems:
        raise _Problems(output)
    return output


def _link(args: argparse.Namespace) -> str:
    from . import links

    answers = _decode(args.source_format, _read(args.file)) if args.file is not None else None
    if answers is not None:
        answers = _prepare(answers, "url", args)
    # links.web_url checks the mode itself (LinkError lists the known values).
    return links.web_url(
        args.base,
        report_id=args.report,
        document_id=args.document,
        dossier_id=args.dossier,
        answers=answers,
        mode=args.mode,
        fallback=args.fallback,
        assume_order=args.assume_order,
        ignore_locale=args.ignore_locale,
    )


def _add_encoding_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignore-locale",
        action="store_true",
        help="do not warn that the output cannot say which locale value answers were "
        "written in (when the server's session uses that locale anyway)",
    )
    parser.add_argument(
        "--fallback",
        choices=("error", "xml"),
        default="error",
        help="URL output: put answers the URL parameters cannot carry into promptsAnswerXML",
    )
    parser.add_argument(
        "--assume-order",
        action="store_true",
        help="URL output: give value/object answers without positions the order they appear in",
    )


def _add_definition_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--definitions",
        metavar="FILE",
        help="the prompts' definitions (the JSON of GET …/prompts): bind the answers to "
        "them (URL positions and attributes become prompt keys), then check them as the "
        "server would",
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="with --definitions: bind only, do not check the answers",
    )
    parser.add_argument(
        "--missing",
        choices=("default", "close", "error"),
        help="with --definitions: answer the prompts the answers leave out with their "
        "default (closing optional ones without one), close the optional ones, or fail",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mstr-prompts",
        description="Convert MicroStrategy prompt answers between REST JSON, "
        "prompt-answer XML and Web URL parameters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert", help="convert answers from one format to another", description=__doc__
    )
    convert.add_argument("--from", dest="source_format", choices=FORMATS, required=True)
    convert.add_argument("--to", dest="target_format", choices=FORMATS, required=True)
    _add_encoding_options(convert)
    _add_definition_options(convert)
    convert.add_argument("file", nargs="?", default="-", metavar="FILE", help="input (default -)")
    convert.set_defaults(run=_convert)

    link = commands.add_parser("link", help="build a MicroStrategy Web link with answers")
    link.add_argument("--base", required=True, help=".../servlet/mstrWeb or .../asp/Main.aspx")
    target = link.add_mutually_exclusive_group(required=True)
    target.add_argument("--report", metavar="ID")
    target.add_argument("--document", metavar="ID")
    target.add_argument("--dossier", metavar="ID")
    link.add_argument("--mode", type=int, help="promptAnswerMode (0, 1, 2 or 4)")
    link.add_argument("--from", dest="source_format", choices=FORMATS, default="rest")
    _add_encoding_options(link)
    _add_definition_options(link)
    link.add_argument(
        "file", nargs="?", default=None, metavar="ANSWERS_FILE", help="answers (- for stdin)"
    )
    link.set_defaults(run=_link)

    check = commands.add_parser(
        "validate",
        help="check answers against the prompts' definitions, as the server would",
        description="Print one problem per line as KEY: CODE: message (the server's own "
        "message); exit 1 if there are problems, 0 if the answers are valid.",
    )
    check.add_argument(
        "--definitions", metavar="FILE", required=True, help="the JSON of GET …/prompts"
    )
    check.add_argument("--from", dest="source_format", choices=FORMATS, default="rest")
    check.add_argument("--json", action="store_true", help="print the problems as a JSON array")
    check.add_argument(
        "file", nargs="?", default="-", metavar="ANSWERS", help="answers (- for stdin)"
    )
    check.set_defaults(run=_validate, missing=None, no_validate=False)
    return parser


def _fail(message: str, status: int) -> NoReturn:
    print(f"mstr-prompts: error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.xml"
    >>> _ = path.write_text("<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>Web</pa></rsl>")
    >>> main(["convert", "--from", "xml", "--to", "xml", str(path)])
    <rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Web</pa></rsl>
    0
    """
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LocaleWarning)
            output = args.run(args)
    except _Problems as problems:
        _write(str(problems))
        return EXIT_PROBLEMS
    except _UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except (AnswersRejected, PromptsOutstanding) as exc:
        _fail(str(exc), EXIT_PROBLEMS)
    except (PromptAnswerError, _CliError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT_AGREED if args.run is _validate else EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: still one line, still no traceback
        _fail(f"internal error ({type(exc).__name__}: {exc}); please report it", EXIT_INTERNAL)
    for warning in caught:
        if issubclass(warning.category, LocaleWarning):
            print(f"mstr-prompts: warning: {warning.message}", file=sys.stderr)
    _write(output)
    return 0


def _write(output: str) -> None:
    if not output:
        return
    try:
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        sys.stderr.close()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
