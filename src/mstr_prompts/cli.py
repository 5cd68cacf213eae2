"""The ``mstr-prompts`` command: convert, inspect and link prompt answers.

A Unix tool: it reads files (or standard input, ``-``), writes UTF-8 to standard output
whatever the terminal's encoding, and reports every problem, usage errors included, as
one line on standard error with a distinct exit status (:data:`EXIT_CODES`), never a
traceback.

Usage::

    mstr-prompts convert --from xml --to rest answers.xml
    mstr-prompts convert --from url --to xml - < link.txt
    mstr-prompts convert --from xml --to rest a.xml b.xml      # JSON Lines, one per file
    mstr-prompts inspect --from rest answers.json
    mstr-prompts convert --from auto --to library --library-form param link.txt
    mstr-prompts schema rest
    mstr-prompts convert --from url --to rest --definitions prompts.json link.txt
    mstr-prompts validate --definitions prompts.json --from rest answers.json
    mstr-prompts link --base https://host/MicroStrategy/servlet/mstrWeb --report ID \\
        --param Server=host --param Project=Tutorial answers.json

For the helpers adding commands: put the logic in a library module, add a function that
adds the command's subparser to :data:`_COMMANDS` (its ``run`` returns the output text;
:func:`_parser` builds only the parser of the command a command line names), and raise
library errors; the mapping from error to exit status is :func:`_status_of`.  Hints on
errors are rendered with ``error.render(cli=True)`` (see :mod:`mstr_prompts.errors`).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import itertools
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, NoReturn

from . import __version__, limits
from .element_text import GUID_PATTERN, plain_terse
from .errors import (
    AnswersRejected,
    Hint,
    HintedWarning,
    InputTooLarge,
    NotRepresentableError,
    PromptAnswerError,
    PromptsOutstanding,
)
from .row_kinds import CLOSE_ATTRIBUTE_ROW, CLOSE_ROW, EXPRESSION_ROW
from .rows import (
    ELEMENTS_ROW,
    OBJECTS_ROW,
    STATE_ROWS,
    VALUE_ROW,
    VALUES_ROW,
    RowSet,
    describe_row,
    pending_rows,
)

if TYPE_CHECKING:
    from .definitions import Definitions
    from .model import Answer, AnswerSet
    from .rows import Answers

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_CODES",
    "EXIT_HANGUP",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_IO",
    "EXIT_NOT_REPRESENTABLE",
    "EXIT_OK",
    "EXIT_RECORDS_FAILED",
    "EXIT_SERVER",
    "EXIT_TERMINATED",
    "EXIT_TOO_LARGE",
    "EXIT_USAGE",
    "main",
]

EXIT_OK = 0
EXIT_INVALID = 1  # validate: the answers have validation problems
EXIT_USAGE = 2  # bad command line (argparse's own convention)
EXIT_BAD_INPUT = 3  # the input cannot be read as the format given (DecodeError, not UTF-8)
EXIT_NOT_REPRESENTABLE = 4  # the target format cannot carry an answer
EXIT_SERVER = 5  # client commands: the server refused or failed
EXIT_IO = 6  # a file cannot be read or written (missing, permissions, full disk)
EXIT_TOO_LARGE = 7  # an input is over the size limit (--max-size)
EXIT_RECORDS_FAILED = 8  # --keep-going: some records failed (each is named in the output)
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in mstr-prompts, not in the input
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of standard output went away
EXIT_HANGUP = 129  # 128 + SIGHUP, after cleaning up as for Ctrl-C
EXIT_INTERRUPTED = 130  # 128 + SIGINT (Ctrl-C)
EXIT_TERMINATED = 143  # 128 + SIGTERM, after cleaning up as for Ctrl-C

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_INVALID: "validation problems (validate; convert/link --definitions; answers a "
    "client command refused, left open or did not use)",
    EXIT_USAGE: "usage error (unknown option, missing argument, …)",
    EXIT_BAD_INPUT: "bad input: the text is not the format given",
    EXIT_NOT_REPRESENTABLE: "an answer cannot be written in the target format",
    EXIT_SERVER: "server error (client commands)",
    EXIT_IO: "I/O error: a file cannot be read or written (e.g. full disk)",
    EXIT_TOO_LARGE: "an input is over the size limit (33,554,432 bytes; --max-size raises it)",
    EXIT_RECORDS_FAILED: "--keep-going: some records failed (each one's line says why)",
    EXIT_INTERNAL: "internal error: a bug in mstr-prompts, please report it",
    EXIT_HANGUP: "SIGHUP: stopped as by Ctrl-C",
    EXIT_INTERRUPTED: "Ctrl-C: stopped; client commands delete their instances (wait keeps "
    "its run) and log out first",
    EXIT_BROKEN_PIPE: "standard output was closed early (as by `| head`); nothing is printed",
    EXIT_TERMINATED: "SIGTERM: stopped as by Ctrl-C",
}

_PROG = "mstr-prompts"


# ----------------------------------------------------------------------------- output


def _write(stream: IO[str] | None, text: str, errors: str = "strict") -> None:
    """Write all of ``text`` as UTF-8 bytes, whatever the stream's own encoding.

    Raises OSError (``BrokenPipeError``, ENOSPC, EBADF for a closed stream) if not every
    byte was written: a short write must never pass for success.
    """
    if stream is None:  # started with the descriptor closed (`>&-`)
        raise OSError(errno.EBADF, "it is closed")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # an in-memory text stream (doctest, some IDEs)
        stream.write(text)
        stream.flush()
        return
    data = memoryview(text.encode("utf-8", errors))
    stream.flush()
    buffer.flush()
    try:
        descriptor = buffer.fileno()
    except (AttributeError, OSError, ValueError):  # a wrapped in-memory buffer
        _write_all(buffer.write, data)
        buffer.flush()
        return
    # os.write, not buffer.write: the descriptor says at once how much it took (a pipe or
    # a nearly full disk may take part) and why it took nothing.
    _write_all(functools.partial(os.write, descriptor), data)


def _write_all(write: Callable[[memoryview], int | None], data: memoryview) -> None:
    """Call ``write`` until every byte is in: each call may take only part of the data."""
    while data:
        written = write(data)
        if written is None:  # a non-blocking stream that is full
            raise BlockingIOError(errno.EAGAIN, "the output would block")
        if written <= 0:
            raise OSError(errno.EIO, "nothing could be written")
        data = data[written:]


def _one_line(text: str) -> str:
    return " ".join(text.split())


_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
"""What a terminal would act on rather than show: C0 and C1 controls but tab and line
feed (ESC starts escape sequences, BEL rings, CR rewrites the line), the line and
paragraph separators, and the bidirectional overrides that reorder what is shown
(https://trojansource.codes/).  One character class: linear on any text.  A pattern, not
compiled at import: only a command that reports something uses it (``re`` caches it)."""


def _escape_controls(text: str) -> str:
    r"""``text`` with every control character written as a ``\xNN`` escape, tabs and
    line feeds kept (they become spaces in a one-line message).

    >>> _escape_controls("bad\x1b[31m\a\r name")
    'bad\\x1b[31m\\x07\\x0d name'
    """

    def escaped(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return re.sub(_CONTROLS, escaped, text)


def _say(kind: str, message: str) -> None:
    """One line on standard error; errors while reporting are not worth a traceback.

    Control characters are escaped: the message may quote a server or a file name."""
    with contextlib.suppress(OSError, ValueError):  # standard error closed or full too
        line = _one_line(_escape_controls(message))
        _write(sys.stderr, f"{_PROG}: {kind}: {line}\n", "backslashreplace")


class _Problems(Exception):
    """``validate`` found problems: ``output`` goes to standard output, the status is 1."""

    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


class _Exit(Exception):
    """Stop with ``status``, after printing ``message`` (if any) as one line."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _status_of(exc: PromptAnswerError) -> int:
    """The exit status for a library error."""
    from .links import LinkError

    client = _client_status(exc)
    if client is not None:
        return client
    if isinstance(exc, (AnswersRejected, PromptsOutstanding)):
        return EXIT_INVALID  # the answers do not fit the prompts (checked locally)
    if isinstance(exc, NotRepresentableError):
        return EXIT_NOT_REPRESENTABLE
    if isinstance(exc, InputTooLarge):
        return EXIT_TOO_LARGE
    if isinstance(exc, LinkError):  # built from the command line's options
        return EXIT_USAGE
    return EXIT_BAD_INPUT  # DecodeError and anything else about the input


def _client_status(exc: PromptAnswerError) -> int | None:
    """The exit status of one of the client's errors, or None for any other error.

    The client is not imported to find out: an instance of one of its classes exists
    only once a client command has imported them, and a codec command (``convert``,
    ``inspect``, ``link``) must not pay for loading the REST client and urllib3.
    """
    if "mstr_prompts.client.errors" in sys.modules:
        from .client.errors import BadBaseUrl, NameNotResolved, ServerError, UnusedAnswers

        if isinstance(exc, ServerError):  # the server refused, or could not be reached
            return EXIT_SERVER
        if isinstance(exc, (UnusedAnswers, NameNotResolved)):
            return EXIT_INVALID  # the answers do not fit the prompts (checked locally)
        if isinstance(exc, BadBaseUrl):  # from the command line's options
            return EXIT_USAGE
    if "mstr_prompts.client.run" in sys.modules:
        from .client.run import CredentialsMissing

        if isinstance(exc, CredentialsMissing):  # from the environment
            return EXIT_USAGE
    return None


# ----------------------------------------------------------------------------- input


def _where(path: str) -> str:
    if path == "-":
        return "standard input"
    # A name that is not UTF-8 shows its bytes as \xff, as other Unix tools show them.
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _check_stdin(args: argparse.Namespace) -> None:
    """Refuse a command line that names standard input twice before anything is read:
    otherwise the first reader takes text meant for the other (``convert --definitions -
    -`` reads the definitions as answers) and reports the wrong problem.  Every input a
    command reads is ``--definitions``, ``file`` or ``files``."""
    named: list[str] = []
    if getattr(args, "definitions", None) == "-":
        named.append("--definitions -")
    inputs = getattr(args, "files", None) or [getattr(args, "file", None)]
    named.extend("the input -" for path in inputs if path == "-")
    if len(named) > 1:
        raise _Exit(
            EXIT_USAGE,
            f"standard input is named twice ({' and '.join(named[:2])}); give all but one "
            "of the inputs as files",
        )


def _read_bytes(path: str) -> bytes:
    """The file's bytes, refused with InputTooLarge as soon as they pass the size limit
    (:func:`mstr_prompts.limits.current`): a link to /dev/zero costs the limit, no more."""
    try:
        if path == "-":
            if sys.stdin is None:  # started with the descriptor closed (`<&-`)
                raise _Exit(EXIT_IO, "cannot read standard input: it is closed")
            return _read_limited(sys.stdin.buffer, _where(path))
        with open(path, "rb") as handle:
            return _read_limited(handle, _where(path))
    except OSError as exc:
        raise _Exit(EXIT_IO, f"cannot read {_where(path)}: {exc.strerror or exc}") from None


def _read_limited(handle: IO[bytes], where: str) -> bytes:
    limit = limits.current()
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(None, limit, unit="byte", where=where)
    return data


def _as_text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Exit(EXIT_BAD_INPUT, f"{where} is not UTF-8 (byte {exc.start})") from None


def _read(path: str) -> str:
    return _as_text(_read_bytes(path), _where(path))


# XML in any encoding starts with '<' after a byte-order mark or blanks, or with the zero
# bytes of UTF-16 or UTF-32 '<' (see mstr_prompts.safexml.decode_bytes).  Compiled when
# first used (re caches it): only --from auto on text that is not UTF-8 needs it.
_XML_BYTES = (
    rb"(?:\xef\xbb\xbf|\xff\xfe\x00\x00|\x00\x00\xfe\xff|\xff\xfe|\xfe\xff)?"
    rb"(?:[ \t\r\n]*<|\x00<|<\x00|\x00\x00\x00<)"
)


# ---------------------------------------------------------------------------- formats


def _decode_rest(text: str) -> Answers:
    from . import rest

    return rest.decode_rows(text)


def _decode_xml(source: str | bytes) -> Answers:
    from . import xml

    # Bytes go in whole: their byte-order mark and declaration decide the encoding.
    return xml.decode_rows(source.strip() if isinstance(source, str) else source)


def _decode_url(text: str) -> Answers:
    from . import url

    return url.decode_rows(text.strip())


def _decode_library(text: str) -> Answers:
    from . import library

    return library.decode_rows(text.strip())


def _detect(text: str) -> str:
    from .formats import detect

    fmt = detect(text)
    if fmt == "definitions":
        raise _Exit(
            EXIT_BAD_INPUT,
            "the input is prompt definitions (GET …/prompts), not answers; give them "
            "with --definitions FILE where a command takes them",
        )
    return fmt


def _decode_auto(text: str) -> Answers:
    return DECODERS[_detect(text)](text)


DECODERS: dict[str, Callable[[Any], Answers]] = {
    "rest": _decode_rest,
    "xml": _decode_xml,
    "url": _decode_url,
    "library": _decode_library,
    "auto": _decode_auto,
}
"""Input formats by ``--from`` name (lower case); each takes the whole input text (XML's
also takes the file's bytes).  REST, XML and URL give their rows (:mod:`mstr_prompts.rows`):
a conversion of plain answers builds no model."""


def _encode_rest(answers: Answers, args: argparse.Namespace) -> Any:
    from . import rest

    # The text directly, in json.dumps's layout: no dict per element for a large answer
    # set.  The CLI's compact layout has no spaces, as _json writes every other output.
    if args.compact:
        return rest.dumps(answers, ignore_locale=args.ignore_locale, separators=(",", ":"))
    indent = 2 if args.indent is None else args.indent
    return rest.dumps(answers, ignore_locale=args.ignore_locale, indent=indent)


def _encode_xml(answers: Answers, args: argparse.Namespace) -> Any:
    from . import xml

    return xml.encode(answers)


def _encode_url(answers: Answers, args: argparse.Namespace) -> Any:
    from . import url

    return url.encode_query(
        answers,
        fallback=args.fallback,
        assume_order=args.assume_order,
        ignore_locale=args.ignore_locale,
        refuse_empty=True,  # rather than print nothing with status 0
    )


def _encode_library(answers: Answers, args: argparse.Namespace) -> Any:
    from . import library

    text = library.encode(answers, form=args.library_form, ignore_locale=args.ignore_locale)
    if args.indent is None:
        return text  # compact by default: Library JSON usually goes into a link or a body
    if args.library_form == "param":
        raise _Exit(EXIT_USAGE, "--indent is for JSON; --library-form param writes a query string")
    return json.loads(text)  # laid out by --indent like every other JSON output


ENCODERS: dict[str, Callable[[Answers, argparse.Namespace], Any]] = {
    "rest": _encode_rest,
    "xml": _encode_xml,
    "url": _encode_url,
    "library": _encode_library,
}
"""Output formats by ``--to`` name: a str is written as text, anything else as JSON."""


def _json(document: Any, args: argparse.Namespace, *, lines: bool = False) -> str:
    if lines or args.compact:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(
        document, ensure_ascii=False, indent=2 if args.indent is None else args.indent
    )


# ---------------------------------------------------------------------------- commands


def _decode_file(fmt: str, path: str) -> AnswerSet:
    """Decode a file into an AnswerSet (see :func:`_decode_rows_file`)."""
    return _built(_decode_rows_file(fmt, path))


def _built(answers: Answers) -> AnswerSet:
    """The AnswerSet of a decoder's rows (what definitions, validation and the client take)."""
    return answers.answer_set() if isinstance(answers, RowSet) else answers


def _decode_rows_file(fmt: str, path: str) -> Answers:
    """Decode a file into rows where the format has them; XML is given to the XML decoder
    as bytes, so that its declaration and byte-order mark decide the encoding (an
    ISO-8859-1 file reads as the API reads it).
    """
    data = _read_bytes(path)
    if fmt == "auto":
        try:
            fmt = _detect(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            fmt = "xml" if re.match(_XML_BYTES, data) else fmt
    if fmt == "xml":
        return DECODERS["xml"](data)
    return DECODERS[fmt](_as_text(data, _where(path)))


def _definitions(args: argparse.Namespace) -> Definitions | None:
    if args.definitions is None:
        for option, given in (("--missing", args.missing), ("--no-validate", args.no_validate)):
            if given:
                raise _Exit(EXIT_USAGE, f"{option} needs --definitions FILE")
        return None
    from . import definitions

    return definitions.decode(_read(args.definitions))


def _prepare(answers: Answers, target: str, args: argparse.Namespace) -> Answers:
    """Bind, complete and check the answers when --definitions is given."""
    defs = _definitions(args)
    if defs is None:
        return answers
    from . import definitions

    # A decoder's rows stay rows where binding and checking them needs no model (no
    # pydantic model class is even defined then); anything else is prepared as models.
    return definitions.prepare_rows(
        answers,
        defs,
        missing=args.missing,
        validate=not args.no_validate,
        keep_mode=target == "url",
        # Neither XML nor a Web link can say "use the default answer" for one prompt;
        # the default itself they can carry.
        spell_defaults=target in ("xml", "url"),
    )


def _convert(args: argparse.Namespace) -> str:
    with limits.allowing(args.max_size):
        if args.records is not None or len(args.files) > 1 or args.keep_going:
            from ._cli_batch import convert_many

            return convert_many(
                args,
                fail=_Exit,
                write=_write_stdout,
                say=_say,
                where=_where,
                status_of=_status_of,
                definitions=_definitions(args),
                progress=_isatty(sys.stderr),
            )
        # --jobs has nothing to share out with one input (xargs may pass just one): ignored.
        for option, given in (("--column", args.column), ("--id-column", args.id_column)):
            if given is not None:
                raise _Exit(EXIT_USAGE, f"{option} is for --records csv")
        answers = _prepare(
            _decode_rows_file(args.source_format, args.files[0]), args.target_format, args
        )
        result = ENCODERS[args.target_format](answers, args)
        return result if isinstance(result, str) else _json(result, args)


# --- inspect's summary ------------------------------------------------------------------
# One line per answer, for people, worded here once: from a decoder's rows (no model
# built, so ``inspect`` at a terminal loads no model class) or from answer models, each
# path reading its parts and handing them to the same words below.

_SHOWN = 5  # elements or objects named in a line; the rest are "…"


def _listed(count: int, noun: str, labels: Iterable[str]) -> str:
    """``3 elements: Books, Music, …``: the count, then the first labels."""
    shown = ", ".join(itertools.islice(labels, _SHOWN)) + (", …" if count > _SHOWN else "")
    return f"{count} {noun}{'s' if count != 1 else ''}: {shown}"


def _expression_words(typed: bool, text: str | None) -> str:
    form = "typed" if typed else "kept verbatim"
    return f"expression ({form})" + (f": {text}" if text else "")


def _kind_words(kind: str) -> str:
    """A state (or any other kind) by its name: ``use_default`` is ``use default``."""
    return kind.replace("_", " ")


def _row_words(row: tuple[Any, ...]) -> str | None:
    """What a row answers, or None for a row only its model can describe (a typed
    expression row the walk or REST's reader made with no display text: its text is the
    model's rendering)."""
    kind = row[0]
    if kind == VALUE_ROW:
        return str(row[2])
    if kind == VALUES_ROW:
        return " | ".join(row[2])
    if kind == ELEMENTS_ROW:
        attribute, keys, names = row[2], row[3], row[4]
        # A plain element's ID is written h{key};ATTR, as its ElementId's str.
        labels = (
            name or plain_terse(attribute, key) for key, name in zip(keys, names, strict=True)
        )
        return _listed(len(keys), "element", labels)
    if kind == OBJECTS_ROW:
        objects = row[2]
        return _listed(len(objects), "object", (name or ident for ident, _, name in objects))
    if kind in STATE_ROWS:
        return _kind_words(kind)
    if kind == CLOSE_ATTRIBUTE_ROW:  # a Close (its attribute is not shown, as for the model)
        return _kind_words(CLOSE_ROW)
    if kind == EXPRESSION_ROW:
        # An expression row prompt-answer XML's scan made is described from its text;
        # another (REST's, the walk's) from its REST answers where they say it all: a
        # verbatim one, or a typed one with display text.
        from ._expression_scan import row_words

        words = row_words(row)
        if words is not None:
            return _expression_words(*words)
        written = row[2]()
        if "xml" in written:
            return _expression_words(False, None)
        if written.get("content") is not None:
            return _expression_words(True, written["content"])
    return None


def _answer_words(answer: Answer) -> str:
    """What an answer model answers."""
    from .model import ExpressionAnswer

    if answer.kind == "value":
        return " | ".join(getattr(answer, "values", ()))
    if answer.kind == "elements":
        elements = getattr(answer, "elements", ())
        labels = (e.name or (e.id.text if hasattr(e.id, "text") else str(e.id)) for e in elements)
        return _listed(len(elements), "element", labels)
    if answer.kind == "objects":
        objects = getattr(answer, "objects", ())
        return _listed(len(objects), "object", (o.name or o.id for o in objects))
    if isinstance(answer, ExpressionAnswer):
        return _expression_words(answer.typed, answer.text)
    return _kind_words(answer.kind)


def _summary(answers: Answers) -> list[str]:
    """One line per answer, for people, then the answer mode and locale.

    A decoder's rows (a :class:`~mstr_prompts.rows.RowSet`) are described from the rows,
    building no model; only a typed expression row without display text, and an answer
    the set holds as a model, are described from their models.
    """
    lines = []
    rows = pending_rows(answers, expression_rows=True) if isinstance(answers, RowSet) else None
    for item in answers if rows is None else rows:
        if isinstance(item, tuple):
            what = _row_words(item)
            if what is not None:
                lines.append(f"{describe_row(item)}: {what}")
                continue
            item = _answer_of(item)
        lines.append(f"{item.describe()}: {_answer_words(item)}")
    extras = []
    if answers.mode is not None:
        extras.append(f"answer mode {answers.mode.value} ({answers.mode.name})")
    if answers.locale is not None:
        extras.append(f"locale {answers.locale}")
    if not lines:
        lines.append("no answers")
    return lines + extras


def _answer_of(row: tuple[Any, ...]) -> Answer:
    from .model import answer_of

    return answer_of(row)


def _inspect(args: argparse.Namespace) -> str:
    answers = _decode_rows_file(args.source_format, args.file)
    # The rows' own dump is the set's model_dump, without building the models.
    document = (
        answers.dump()
        if isinstance(answers, RowSet)
        else answers.model_dump(mode="json", exclude_none=True)
    )
    text = _json(document, args)
    if _isatty(sys.stdout):
        return "\n".join([*_summary(answers), "", text])
    return text


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise _Exit(EXIT_USAGE, f"--param {pair!r}: give NAME=VALUE, e.g. --param Server=host")
        if name in params:
            raise _Exit(EXIT_USAGE, f"--param {name} is given twice")
        params[name] = value
    return params


def _link(args: argparse.Namespace) -> str:
    from . import links

    params = _params(args.param)
    if args.project is not None:
        return _library_link(args, params)
    if args.page is not None:
        raise _Exit(EXIT_USAGE, "--page KEY is for Library links, which need --project ID")
    answers = _link_answers(args, "url")
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
        **params,
    )


def _link_answers(args: argparse.Namespace, target: str) -> Answers | None:
    """The answers of ANSWERS_FILE, bound and judged with --definitions; None without it."""
    if args.file is None:
        if args.definitions is not None:
            # Nothing to judge: the definitions (and --missing) would be ignored silently.
            raise _Exit(
                EXIT_USAGE,
                "--definitions FILE judges the answers of ANSWERS_FILE, and none is given "
                "(- reads them from standard input)",
            )
        _definitions(args)  # --missing or --no-validate alone: the usual usage error
        return None
    return _prepare(_decode_rows_file(args.source_format, args.file), target, args)


def _library_link(args: argparse.Namespace, params: dict[str, str]) -> str:
    """``link --project ID``: a Library link, ``{base}/app/{project}/{dashboard}``."""
    from . import links

    target = args.dossier or args.document
    if target is None:
        raise _Exit(
            EXIT_USAGE,
            "a Library link opens a dashboard or a document: give --dossier ID or "
            "--document ID with --project ID",
        )
    for option, given in (
        ("--mode", args.mode is not None),
        ("--fallback xml", args.fallback != "error"),
        ("--assume-order", args.assume_order),
    ):
        if given:
            raise _Exit(EXIT_USAGE, f"{option} is for Web links (without --project)")
    answers = _link_answers(args, "library")
    return links.library_url(
        args.base,
        project_id=args.project,
        dossier_id=target,
        page_key=args.page,
        answers=answers,
        ignore_locale=args.ignore_locale,
        **params,
    )


def _validate(args: argparse.Namespace) -> str:
    from . import definitions, validation

    defs = _definitions(args)
    assert defs is not None  # --definitions is required here
    problems = definitions.validate(_decode_file(args.source_format, args.file), defs)
    if args.json:
        output = json.dumps(validation.problems_json(problems), ensure_ascii=False, indent=2)
    else:
        output = "\n".join(_one_line(p.line()) for p in problems)
    if problems:
        raise _Problems(output)
    return output


def _schema(args: argparse.Namespace) -> str:
    from . import schema

    return schema.dumps(args.name)


# ----------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line (status 2) and UTF-8 help text."""

    def error(self, message: str) -> NoReturn:
        raise _Exit(EXIT_USAGE, f"{message} (see {self.prog} --help)")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        # argparse finds options no command has only at the top level, whose help lists
        # no command's options: the hint names the command's own help instead.
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = getattr(parsed, "command", None)
            prog = f"{self.prog} {command}" if isinstance(command, str) else self.prog
            raise _Exit(
                EXIT_USAGE, f"unrecognized arguments: {' '.join(extra)} (see {prog} --help)"
            )
        return parsed

    def _print_message(self, message: str, file: Any = None) -> None:
        if not message:
            return
        if file in (None, sys.stdout):  # --help and --version: checked like any output
            _write_stdout(message)
        else:
            _write(file, message)


def _lower(text: str) -> str:
    return text.lower()


def _object_id(text: str) -> str:
    """An object ID option: 32 hex digits, as every MicroStrategy object ID is."""
    if not re.fullmatch(GUID_PATTERN, text):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a 32-hex-digit object ID")
    return text


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) > 16:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 16")
    return int(text)


def _add_layout_options(parser: argparse.ArgumentParser) -> None:
    layout = parser.add_mutually_exclusive_group()
    layout.add_argument("--compact", action="store_true", help="JSON output on one line")
    layout.add_argument(
        "--indent",
        type=_positive,
        metavar="N",
        help="JSON output indented by N spaces (default 2; Library JSON is compact unless "
        "--indent is given)",
    )


def _add_encoding_options(parser: argparse.ArgumentParser, *, library: bool = True) -> None:
    parser.add_argument(
        "--ignore-locale",
        action="store_true",
        help="do not warn that the output cannot say which locale value answers were "
        "written in (when the server's session uses that locale anyway)",
    )
    parser.add_argument(
        "--fallback",
        type=_lower,
        choices=("error", "xml"),
        default="error",
        help="URL output: put answers the URL parameters cannot carry into promptsAnswerXML",
    )
    parser.add_argument(
        "--assume-order",
        action="store_true",
        help="URL output: give value/object answers without positions the order they appear in",
    )
    if not library:  # a Web link has no Library part: the option would be ignored
        return
    parser.add_argument(
        "--library-form",
        type=_lower,
        choices=("json", "param", "body"),
        default="json",
        help="Library output: the rounds as JSON (default), percent-encoded as the prompts= "
        "value of a link, or a one-round promptsAnswers body",
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
        type=_lower,
        choices=("default", "close", "error"),
        help="with --definitions: answer the prompts the answers leave out with their "
        "default (closing optional ones without one), close the optional ones, or fail",
    )


def _size(text: str) -> int:
    """A size in bytes: digits, with K, M or G for KiB, MiB or GiB (``64M``)."""
    number, unit = text[:-1], text[-1:].upper()
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(unit)
    if scale is None:
        number, scale = text, 1
    if not number.isascii() or not number.isdigit() or len(number) > 15:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (bytes, or with K, M or G)")
    return int(number) * scale


def _jobs(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 256:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes from 1 to 256")
    return int(text)


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--records",
        type=_lower,
        choices=("jsonl", "csv", "lines"),
        help="each FILE holds many records: JSON Lines (a JSON string of XML, URL or Library "
        "text, or a REST body object, a line), CSV (--column NAME), or one link a line; the "
        "output is JSON Lines, one object per record",
    )
    parser.add_argument("--column", metavar="NAME", help="--records csv: the answers' column")
    parser.add_argument(
        "--id-column", metavar="NAME", help="--records csv: a column that names each record"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="write a record that fails as its error (code, message, hint) and go on; exit "
        f"{EXIT_RECORDS_FAILED} if any failed",
    )
    parser.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N", help="convert on N processes (default 1)"
    )
    parser.add_argument(
        "--max-size",
        type=_size,
        metavar="BYTES",
        help=f"the size limit of an input or record (default {limits.MAX_SIZE}, 32M)",
    )


def _exit_codes_text() -> str:
    width = max(len(str(code)) for code in EXIT_CODES)
    rows = "\n".join(f"  {code:>{width}}  {meaning}" for code, meaning in EXIT_CODES.items())
    return "exit status:\n" + rows


_FORMATS = tuple(DECODERS)
"""The ``--from`` names, in the order the help lists them."""


def _add_convert(commands: Any, common: dict[str, Any]) -> None:
    """``convert``: each FILE from one format to another."""
    convert = commands.add_parser(
        "convert",
        help="convert answers from one format to another",
        description="Convert each FILE (- for standard input). With several files, "
        "--records or --keep-going, write JSON Lines: one object per file or record, its "
        'identifier ("file", "line", "id") beside its "output" (a REST or Library JSON '
        'value, or the XML or URL text as a string) or, with --keep-going, its "error".',
        **common,
    )
    convert.add_argument(
        "--from", dest="source_format", type=_lower, choices=_FORMATS, required=True
    )
    convert.add_argument(
        "--to", dest="target_format", type=_lower, choices=tuple(ENCODERS), required=True
    )
    _add_encoding_options(convert)
    _add_definition_options(convert)
    _add_layout_options(convert)
    _add_batch_options(convert)
    convert.add_argument(
        "files", nargs="*", default=["-"], metavar="FILE", help="input files (default -)"
    )
    convert.set_defaults(run=_convert)


def _add_inspect(commands: Any, common: dict[str, Any]) -> None:
    """``inspect``: FILE's answers as the model's JSON."""
    inspect = commands.add_parser(
        "inspect",
        help="print the decoded answers as the model's JSON",
        description="Decode FILE and print the answers as the model's JSON; on a terminal, "
        "a one-line summary per prompt comes first.",
        **common,
    )
    inspect.add_argument(
        "--from", dest="source_format", type=_lower, choices=_FORMATS, required=True
    )
    _add_layout_options(inspect)
    inspect.add_argument("file", nargs="?", default="-", metavar="FILE", help="input (default -)")
    inspect.set_defaults(run=_inspect)


def _add_link(commands: Any, common: dict[str, Any]) -> None:
    """``link``: a Web or Library link opening an object with the answers."""
    link = commands.add_parser(
        "link",
        help="build a MicroStrategy Web or Library link with answers",
        description="Build a Web link (--base .../servlet/mstrWeb or .../asp/Main.aspx) or, "
        "with --project ID, a Library link (--base the Library root, e.g. "
        "https://host/MicroStrategyLibrary; --dossier or --document ID; --page KEY) that "
        "opens the object with the answers of ANSWERS_FILE.",
        **common,
    )
    link.add_argument(
        "--base",
        required=True,
        help=".../servlet/mstrWeb or .../asp/Main.aspx; with --project, the Library root",
    )
    link.add_argument(
        "--project", metavar="ID", type=_object_id, help="build a Library link in this project"
    )
    link.add_argument("--page", metavar="KEY", help="Library links: the page key (K53--K46)")
    target = link.add_mutually_exclusive_group(required=True)
    target.add_argument("--report", metavar="ID", type=_object_id)
    target.add_argument("--document", metavar="ID", type=_object_id)
    target.add_argument("--dossier", metavar="ID", type=_object_id)
    # A string: links.web_url reads ASCII digits only and says which modes exist.
    link.add_argument("--mode", help="promptAnswerMode (0, 1, 2 or 4)")
    link.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another Web parameter (Server, Project, Port, …); repeat for more",
    )
    # auto, never a silent rest: a Web link or XML given to `link` is read as what it is
    link.add_argument("--from", dest="source_format", type=_lower, choices=_FORMATS, default="auto")
    _add_encoding_options(link, library=False)
    _add_definition_options(link)
    link.add_argument(
        "file", nargs="?", default=None, metavar="ANSWERS_FILE", help="answers (- for stdin)"
    )
    link.set_defaults(run=_link)


def _add_validate(commands: Any, common: dict[str, Any]) -> None:
    """``validate``: the answers checked against the prompts' definitions."""
    check = commands.add_parser(
        "validate",
        help="check answers against the prompts' definitions, as the server would",
        description="Print one problem per line as KEY: CODE: message (the server's own "
        "message); exit 1 if there are problems, 0 if the answers are valid.",
        **common,
    )
    check.add_argument(
        "--definitions", metavar="FILE", required=True, help="the JSON of GET …/prompts"
    )
    check.add_argument(
        "--from", dest="source_format", type=_lower, choices=_FORMATS, default="auto"
    )
    check.add_argument("--json", action="store_true", help="print the problems as a JSON array")
    check.add_argument(
        "file", nargs="?", default="-", metavar="ANSWERS", help="answers (- for stdin)"
    )
    check.set_defaults(run=_validate, missing=None, no_validate=False)


def _add_schema(commands: Any, common: dict[str, Any]) -> None:
    """``schema``: the JSON Schema of a JSON format."""
    schema = commands.add_parser(
        "schema", help="print the JSON Schema (draft 2020-12) of a JSON format", **common
    )
    schema.add_argument("name", type=_lower, choices=("rest", "library", "definitions"))
    schema.set_defaults(run=_schema)


_COMMANDS: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "convert": _add_convert,
    "inspect": _add_inspect,
    "link": _add_link,
    "validate": _add_validate,
    "schema": _add_schema,
}
"""The commands this module defines, each by the function that adds its parser; the
client's commands (``run``, ``wait``, ``datamart``, ``prompts``) come from
:func:`mstr_prompts._cli_runs.add_commands`."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout, the width found without :mod:`shutil`.

    argparse makes a formatter for every ``add_argument`` (to check its metavar), and
    finds the width with ``shutil.get_terminal_size``: importing shutil (and lzma, bz2,
    fnmatch with it) cost a one-file command about 2 ms it never used.  :func:`_columns`
    gives the same width.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
        **more: Any,
    ) -> None:
        width = _columns() - 2 if width is None else width  # argparse's own margin of 2
        super().__init__(prog, indent_increment, max_help_position, width, **more)


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size().columns`` gives it: a positive
    ``COLUMNS``, else the width of the terminal on ``sys.__stdout__``, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    if stdout is None:  # started with the descriptor closed (`>&-`)
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):  # not a terminal
        return 80


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command`` (one of :data:`_COMMANDS`), a parser
    that has that command alone.

    A run needs only the parser of the command it names: building all ten, with some 86
    options, was a fifth of a one-file command's time over its libraries' imports.  With
    one command named first, argparse hands everything after it to that command's parser,
    so the parse, its help and its errors are those of the full parser; the full parser
    is for the rest (``--help``, ``--version``, no command, an unknown one, the client's).
    """
    epilog = _exit_codes_text()
    common: dict[str, Any] = {
        "formatter_class": _Formatter,
        "epilog": epilog,
        # No abbreviations: "--definitions" must never be read as "--definitions-check",
        # nor a prefix as whatever option a later version adds.
        "allow_abbrev": False,
    }
    parser = _Parser(
        prog=_PROG,
        description="Convert MicroStrategy prompt answers between REST JSON, "
        "prompt-answer XML, Web URL parameters and Library short answers "
        "(--from auto tells them apart). Formats are case-insensitive; "
        "every error is one line on standard error.",
        **common,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    if command in _COMMANDS:
        _COMMANDS[command](commands, common)
    else:
        for add in _COMMANDS.values():
            add(commands, common)
        from ._cli_runs import add_commands

        add_commands(
            commands,
            common,
            read=_read,
            decode_file=_decode_file,
            formats=_FORMATS,
            object_id=_object_id,
        )
    for each in commands.choices.values():
        # The options each command has, for its hints (see _render).
        each.set_defaults(flags=frozenset(each._option_string_actions))
    return parser


def _named(argv: Sequence[str] | None) -> str | None:
    """The command a command line starts with, if it is one of :data:`_COMMANDS`."""
    args = sys.argv[1:] if argv is None else argv
    return args[0] if args and args[0] in _COMMANDS else None


# ------------------------------------------------------------------------------- main


def _render(exc: PromptAnswerError, flags: frozenset[str]) -> str:
    """The error's line in the CLI's spelling, its hint dropped when the hint names an
    option this command does not have (``run`` has no ``--definitions FILE``)."""
    hint = exc.hint
    if isinstance(hint, Hint) and any(_lacks(o.cli(), flags) for o in hint.options):
        exc.hint = None
        try:
            return exc.render(cli=True)
        finally:
            exc.hint = hint
    return exc.render(cli=True)


def _lacks(spelling: str, flags: frozenset[str]) -> bool:
    """True when a hint's option (``--definitions FILE``) is not one of ``flags``; a hint
    naming another command (``link --mode 2``) is kept."""
    words = spelling.split()
    # "--report/--document/--dossier ID": one of them is enough.
    choices = words[0].split("/") if words else []
    return bool(choices) and all(c.startswith("-") and c not in flags for c in choices)


def _run(argv: Sequence[str] | None) -> str:
    args = _parser(_named(argv)).parse_args(argv)
    _check_stdin(args)
    flags: frozenset[str] = getattr(args, "flags", frozenset())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HintedWarning)
        try:
            output: str = args.run(args)
        except PromptAnswerError as exc:
            raise _Exit(_status_of(exc), _render(exc, flags)) from None
    for warning in caught:
        message = warning.message
        if isinstance(message, HintedWarning):
            _say("warning", message.render(cli=True))
    return output


def _emit(output: str) -> None:
    if not output:  # nothing to say (a clean `validate`): not even a blank line
        return
    _write_stdout(output if output.endswith("\n") else output + "\n")


_WRITE_FAILURES = {errno.ENOSPC: "the disk is full", errno.EBADF: "it is closed"}
"""Our words for the write failures a user meets most (``>/dev/full``, ``>&-``)."""


def _write_stdout(text: str) -> None:
    """Write to standard output, turning every way that can fail into its exit status."""
    try:
        _write(sys.stdout, text)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's own exit-time
        # flush of the closed pipe from printing a message.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        raise _Exit(EXIT_BROKEN_PIPE) from None
    except UnicodeEncodeError as exc:
        raise _Exit(
            EXIT_NOT_REPRESENTABLE,
            f"the output contains {exc.object[exc.start]!r} (a lone surrogate), which UTF-8 "
            "cannot carry",
        ) from None
    except OSError as exc:
        reason = _WRITE_FAILURES.get(exc.errno or 0) or exc.strerror or str(exc)
        raise _Exit(EXIT_IO, f"cannot write standard output: {reason}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_CODES`).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.xml"
    >>> _ = path.write_text("<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>Web</pa></rsl>")
    >>> main(["convert", "--from", "XML", "--to", "xml", str(path)])
    <rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Web</pa></rsl>
    0
    """
    try:
        try:
            _emit(_run(argv))
        except _Problems as problems:
            _emit(problems.output)
            return EXIT_INVALID
        except SystemExit as exc:  # --help and --version
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        except _Exit:
            raise
        except KeyboardInterrupt as exc:
            # Ctrl-C, or SIGTERM or SIGHUP turned into one by the client commands
            # (mstr_prompts.client.signals), after the cleanup: 128 + the signal.
            signum = getattr(exc, "signum", 2)
            raise _Exit(128 + signum, getattr(exc, "message", None)) from None
        except MemoryError:
            raise _Exit(EXIT_BAD_INPUT, "out of memory: the input is too large") from None
        except Exception as exc:  # a bug: still one line, still no traceback
            raise _Exit(
                EXIT_INTERNAL, f"internal error ({type(exc).__name__}: {exc}); please report it"
            ) from None
    except _Exit as stop:
        if stop.message:
            _say("error", stop.message)
        return stop.status
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
