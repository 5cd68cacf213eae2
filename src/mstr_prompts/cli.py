"""The ``mstr-prompts`` command: convert prompt answers and build Web links.

It reads a file (or standard input), writes the result to standard output, and on bad
input prints one line to standard error and exits with status 2, never a traceback.

Usage::

    mstr-prompts convert --from xml --to rest answers.xml
    mstr-prompts convert --from url --to xml - < link.txt
    mstr-prompts link --base https://host/MicroStrategy/servlet/mstrWeb --report ID answers.json
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .client.errors import ServerError
from .errors import LocaleWarning, PromptAnswerError
from .model import AnswerSet

__all__ = ["main"]

FORMATS = ("rest", "xml", "url")

EXIT_BAD_INPUT = 2
EXIT_SERVER = 5
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in mstr-prompts, not in the input


class _CliError(Exception):
    """A problem with the command's own input: file unreadable, not UTF-8, …."""


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


def _convert(args: argparse.Namespace) -> str:
    answers = _decode(args.source_format, _read(args.file))
    return _encode(args.target_format, answers, args)


def _link(args: argparse.Namespace) -> str:
    from . import links

    answers = _decode(args.source_format, _read(args.file)) if args.file is not None else None
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
    link.add_argument(
        "file", nargs="?", default=None, metavar="ANSWERS_FILE", help="answers (- for stdin)"
    )
    link.set_defaults(run=_link)

    from ._cli_runs import add_commands

    add_commands(
        commands,
        {},
        read=_read,
        decode_file=lambda fmt, path: _decode(fmt, _read(path)),
        formats=FORMATS,
    )
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
    except ServerError as exc:  # the server refused, or could not be reached
        _fail(str(exc), EXIT_SERVER)
    except (PromptAnswerError, _CliError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: still one line, still no traceback
        _fail(f"internal error ({type(exc).__name__}: {exc}); please report it", EXIT_INTERNAL)
    for warning in caught:
        if issubclass(warning.category, LocaleWarning):
            print(f"mstr-prompts: warning: {warning.message}", file=sys.stderr)
    try:
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        sys.stderr.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
