"""Convert many captured answers at once: one result per record, in order, memory flat.

A migration converts every subscription, bookmark, portal link and schedule a company
has: hundreds of thousands to millions of records, exported as files, CSV columns or
JSON Lines.  :func:`convert` takes an iterable of :class:`Record` (the answers' text,
bytes or parsed JSON, and a :class:`RecordId` naming where it came from) and yields one
:class:`Result` per record, in input order: the converted text, or the library's error
for that record (a :class:`RecordError`, which names the record).  A bad record never
stops the others; what to do about it is the caller's choice.

It never holds more than a bounded window of records, however many pass: records are
read from the iterable only as results are taken.  ``jobs=N`` converts on N processes
(chunks of records go out, results come back in input order).

The per-record function, :func:`convert_record`, is pure and picklable: it reads
nothing but its arguments and returns a value, so it runs unchanged in a process pool or
an engine such as Dask or Spark (see ``docs/batch.md``).

>>> results = convert(["<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' "
...                    "tp='10'>Web</pa></rsl>", "<rsl><pa>"], source="xml", target="rest")
>>> [(str(r.record), r.output) for r in results]
[('record 1', '{"prompts": [{"key": "2294C41E44244ADAED930CB4E00A9DA0@0@10", "type": "VALUE", "answers": "Web"}]}'), ('record 2', None)]

Readers for the usual exports turn a binary stream into records lazily, with the size
limit applied while reading (:func:`read_jsonl`, :func:`read_csv`, :func:`read_lines`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
import signal
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple

from . import library, limits, rest, url, xml
from .errors import (
    AnswersRejected,
    DecodeError,
    HintedWarning,
    InputTooLarge,
    NotRepresentableError,
    PromptAnswerError,
    PromptsOutstanding,
    with_article,
)
from .formats import detect

if TYPE_CHECKING:
    from .definitions import Definitions, Missing
    from .model import AnswerSet

__all__ = [
    "NO_URL_ANSWERS",
    "Options",
    "Progress",
    "Record",
    "RecordError",
    "RecordId",
    "Result",
    "Unreadable",
    "convert",
    "convert_record",
    "error_code",
    "read_csv",
    "read_jsonl",
    "read_lines",
]

Source = Literal["auto", "rest", "xml", "url", "library"]
Target = Literal["rest", "xml", "url", "library"]
SOURCES: tuple[str, ...] = ("auto", "rest", "xml", "url", "library")
TARGETS: tuple[str, ...] = ("rest", "xml", "url", "library")


# ---------------------------------------------------------------------------- values


class RecordId(NamedTuple):
    """Where a record came from: a file, a line (counted from 1, as editors and ``grep -n``
    count; for CSV the line its row starts on), a caller's own ``id``, or its position
    ``position`` in an iterable (counted from 1).

    >>> str(RecordId(file="links.txt", line=3)), str(RecordId(id="SUB-17", file="a.csv", line=9))
    ('links.txt:3', 'a.csv:9 (SUB-17)')
    >>> str(RecordId(position=2)), RecordId(line=4).fields()
    ('record 2', {'line': 4})
    """

    file: str | None = None
    line: int | None = None
    id: str | None = None
    position: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            place = f"{self.file}:{self.line}" if self.file is not None else f"line {self.line}"
        elif self.file is not None:
            place = self.file
        elif self.position is not None:
            place = f"record {self.position}"
        else:
            place = ""
        if self.id is None:
            return place or "record"
        return f"{place} ({self.id})" if place else self.id

    def fields(self) -> dict[str, str | int]:
        """The identifier as JSON fields (``file``, ``line``, ``id``, ``position``), set ones only."""
        found: dict[str, str | int] = {}
        if self.file is not None:
            found["file"] = self.file
        if self.line is not None:
            found["line"] = self.line
        if self.id is not None:
            found["id"] = self.id
        if self.position is not None:
            found["position"] = self.position
        return found


class Record(NamedTuple):
    """One record: its ``data`` and where it came from.

    ``data`` is the answers' text (XML, a URL or query string, Library text, REST JSON),
    bytes (XML bytes keep their declared encoding), or parsed JSON (a REST or Library
    body, Library rounds, a mapping of URL parameters).  With ``json=True`` ``data`` is
    one JSON Lines line, text or bytes: a JSON string holding the answers' text, or a
    JSON object or array that is the answers (read from the line's own text, so a
    number keeps its digits).  A reader that could not read a record gives the error as
    ``data``: converting it gives that error.

    >>> Record('"valuePromptAnswers=2015"', RecordId(file="links.jsonl", line=1), json=True).where
    RecordId(file='links.jsonl', line=1, id=None, position=None)
    """

    data: str | bytes | Mapping[str, Any] | list[Any] | PromptAnswerError
    where: RecordId = RecordId()
    json: bool = False


class RecordError(PromptAnswerError):
    """A record could not be converted: ``record`` names it, ``cause`` is the library's error.

    The message and hint are the cause's; the line starts with the record's identifier.
    ``code`` names the kind of failure (:func:`error_code`).

    >>> e = RecordError(RecordId(file="a.jsonl", line=3), DecodeError("bad", where="xml"))
    >>> str(e), e.code
    ('a.jsonl:3: xml: bad', 'bad_input')
    """

    def __init__(self, record: RecordId, cause: PromptAnswerError) -> None:
        self.record = record
        self.cause = cause
        self.code = error_code(cause)
        super().__init__(cause.message, hint=cause.hint)

    def prefix(self) -> str:
        """The record, then where in it."""
        inner = self.cause.prefix()
        return f"{self.record}: {inner}" if inner else str(self.record)

    def describe(self) -> str:
        """The cause's line without the record or the hint (for a JSON ``message`` field)."""
        inner = self.cause.prefix()
        return f"{inner}: {self.message}" if inner else self.message


class Unreadable(PromptAnswerError):
    """A record's source could not be read (a missing file, a permission): code ``io``.

    >>> str(Unreadable("cannot read it: No such file or directory"))
    'cannot read it: No such file or directory'
    """


def error_code(error: PromptAnswerError) -> str:
    """A short name for the kind of failure, for JSON output and exit statuses.

    ``too_large`` (over the size limit), ``bad_input`` (not the format given),
    ``not_representable`` (the target cannot carry an answer), ``rejected`` (the
    definitions refuse the answers), ``io`` (the record could not be read).

    >>> error_code(InputTooLarge(9, 8)), error_code(NotRepresentableError("no"))
    ('too_large', 'not_representable')
    """
    if isinstance(error, RecordError):
        return error.code
    if isinstance(error, InputTooLarge):
        return "too_large"
    if isinstance(error, NotRepresentableError):
        return "not_representable"
    if isinstance(error, (AnswersRejected, PromptsOutstanding)):
        return "rejected"
    if isinstance(error, Unreadable):
        return "io"
    return "bad_input"


class Result(NamedTuple):
    """What one record became: ``output`` (text), or ``error``; and any ``warnings``.

    ``output`` is REST or Library JSON on one line, XML text, or a URL query string.
    ``warnings`` are the locale warnings the conversion gave (the target cannot say which
    locale value texts are in; ``ignore_locale=True`` silences them).

    >>> result = convert_record(Record("valuePromptAnswers=7"), Options(target="url"))
    >>> result.ok, result.output, result.error
    (True, 'valuePromptAnswers=7', None)
    """

    record: RecordId
    output: str | None = None
    error: RecordError | None = None
    warnings: tuple[HintedWarning, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the record converted."""
        return self.error is None


@dataclass(frozen=True)
class Options:
    """How every record is converted: :func:`mstr_prompts.cli` ``convert``'s options.

    ``definitions`` (with ``missing`` and ``validate``) binds, completes and checks the
    answers as ``definitions.prepare`` does; ``fallback``, ``assume_order`` and
    ``library_form`` shape URL and Library output; ``max_size`` is the size limit per
    record (default :data:`mstr_prompts.limits.MAX_SIZE`).

    >>> Options(source="xml", target="url", fallback="xml").fallback
    'xml'
    >>> Options(target="csv")
    Traceback (most recent call last):
    ...
    ValueError: target must be one of rest, xml, url, library, not 'csv'
    """

    source: Source = "auto"
    target: Target = "rest"
    definitions: Definitions | None = None
    missing: Missing | None = None
    validate: bool = True
    fallback: Literal["error", "xml"] = "error"
    assume_order: bool = False
    ignore_locale: bool = False
    library_form: Literal["json", "param", "body"] = "json"
    max_size: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {self.source!r}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {self.target!r}")
        if self.definitions is None and self.missing is not None:
            raise ValueError("missing needs definitions")


# ---------------------------------------------------------------------- one record


def _strip_xml(text: str) -> AnswerSet:
    return xml.decode(text.strip())


def _strip_url(text: str) -> AnswerSet:
    return url.decode(text.strip())


def _strip_library(text: str) -> AnswerSet:
    return library.decode(text.strip())


_TEXT_DECODERS: dict[str, Callable[[str], AnswerSet]] = {
    "rest": rest.decode,
    "xml": _strip_xml,
    "url": _strip_url,
    "library": _strip_library,
}


def _decode_text(fmt: str, text: str) -> AnswerSet:
    return _TEXT_DECODERS[fmt](text)


def _detect(text: str) -> str:
    fmt = detect(text)
    if fmt == "definitions":
        raise DecodeError(
            "the record is prompt definitions (GET …/prompts), not answers", where="auto"
        )
    return fmt


# XML in any encoding starts with '<' after a byte-order mark or blanks, or with the zero
# bytes of UTF-16 or UTF-32 '<' (see mstr_prompts.safexml.decode_bytes).
_XML_BYTES = re.compile(
    rb"(?:\xef\xbb\xbf|\xff\xfe\x00\x00|\x00\x00\xfe\xff|\xff\xfe|\xfe\xff)?"
    rb"(?:[ \t\r\n]*<|\x00<|<\x00|\x00\x00\x00<)"
)


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"the record is not UTF-8 (byte {exc.start})", where="input") from None


def _decode_bytes(fmt: str, data: bytes) -> AnswerSet:
    if fmt == "auto":
        try:
            fmt = _detect(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            if not _XML_BYTES.match(data):
                raise DecodeError(
                    "the record is not UTF-8 and not XML in another encoding", where="auto"
                ) from None
            fmt = "xml"
    if fmt == "xml":
        return xml.decode(data)  # its byte-order mark and declaration decide the encoding
    return _decode_text(fmt, _utf8(data))


def _decode_value(fmt: str, value: Mapping[str, Any] | list[Any]) -> AnswerSet:
    if fmt == "auto":
        try:
            fmt = _detect(json.dumps(value))
        except (TypeError, ValueError):
            fmt = "url"  # not JSON: a mapping of URL parameters
    if fmt == "rest" and isinstance(value, Mapping):
        return rest.decode(value)
    if fmt == "library":
        return library.decode(value)
    if fmt == "url" and isinstance(value, Mapping):
        return url.decode(value)
    raise DecodeError(
        f"{with_article(type(value).__name__)} is not {fmt} answers; give {fmt} records as text",
        where=fmt,
    )


def _json_line(data: str | bytes) -> str:
    """A JSON Lines line: the text of an object or array as it is, a string's content."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8")  # the C codec: utf-8-sig's is Python code
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the record is not UTF-8 (byte {exc.start})", where="input"
            ) from None
    stripped = text.strip().lstrip("\ufeff")
    if stripped[:1] in ("{", "["):
        return stripped  # the decoders read it, numbers keeping their digits
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        raise DecodeError(
            "the line is not JSON (a JSON Lines record is one JSON value a line)",
            where="jsonl",
        ) from None
    if not isinstance(value, str):
        raise DecodeError(
            f"a record is a JSON string (XML, URL or Library text) or a JSON object (a "
            f"REST or Library body), not {type(value).__name__}",
            where="jsonl",
        )
    return value


def _decode(record: Record, options: Options) -> AnswerSet:
    data = record.data
    if isinstance(data, PromptAnswerError):
        raise data
    if isinstance(data, (str, bytes, bytearray)):
        limits.check(data, where="input", limit=options.max_size)
        if record.json:
            data = _json_line(bytes(data) if isinstance(data, bytearray) else data)
    if isinstance(data, str):
        fmt: str = options.source
        if fmt == "auto":
            fmt = _detect(data)
        return _decode_text(fmt, data)
    if isinstance(data, (bytes, bytearray)):
        return _decode_bytes(options.source, bytes(data))
    if isinstance(data, (Mapping, list)):
        return _decode_value(options.source, data)
    raise DecodeError(
        f"a record is text, bytes or parsed JSON, not {type(data).__name__}", where="input"
    )


def _prepare(answers: AnswerSet, options: Options) -> AnswerSet:
    defs = options.definitions
    if defs is None:
        return answers
    from . import definitions

    ready = definitions.prepare(
        answers,
        defs,
        missing=options.missing,
        validate=options.validate,
        keep_mode=options.target == "url",
    )
    if options.target in ("xml", "url"):
        # Neither can say "use the default answer" for one prompt; the default itself
        # they can carry.
        ready = definitions.inline_defaults(ready, defs)
    return ready


NO_URL_ANSWERS = url.NO_ANSWERS
"""Why an empty set has no URL form (``convert --to url`` says the same for one input)."""


def _encode(answers: AnswerSet, options: Options) -> str:
    target = options.target
    if target == "rest":
        return rest.dumps(answers, ignore_locale=options.ignore_locale)
    if target == "xml":
        return xml.encode(answers)
    if target == "url":
        return url.encode_query(
            answers,
            fallback=options.fallback,
            assume_order=options.assume_order,
            ignore_locale=options.ignore_locale,
            refuse_empty=True,  # an empty output line would be a silent empty
        )
    return library.encode(answers, form=options.library_form, ignore_locale=options.ignore_locale)


def _convert(record: Record, options: Options) -> tuple[str, tuple[HintedWarning, ...]]:
    data = record.data
    if type(data) is str and not record.json and options.max_size is None:
        # The common case, straight: text, the default limit.
        if len(data) > limits.MAX_SIZE:
            limits.check(data, where="input")
        fmt = options.source
        answers = _TEXT_DECODERS[_detect(data) if fmt == "auto" else fmt](data)
    elif record.json and type(data) is bytes and options.max_size is None:
        # A JSON Lines line, the CLI's common case, straight.
        if len(data) > limits.MAX_SIZE:
            limits.check(data, where="input")
        text = _json_line(data)
        fmt = options.source
        answers = _TEXT_DECODERS[_detect(text) if fmt == "auto" else fmt](text)
    elif options.max_size is None:
        answers = _decode(record, options)
    else:
        with limits.allowing(options.max_size):
            answers = _decode(record, options)
    if (
        options.definitions is None
        and options.target != "xml"
        and (answers.locale is None or options.ignore_locale)
    ):
        # Nothing can warn (a lost locale, a value type XML must guess, a link's mode
        # deciding over missing=): no catch needed, which is the common case's speed.
        return _encode(answers, options), ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HintedWarning)
        if options.definitions is not None:
            answers = _prepare(answers, options)
        output = _encode(answers, options)
    found = tuple(w.message for w in caught if isinstance(w.message, HintedWarning))
    return output, found


def convert_record(record: Record, options: Options) -> Result:
    """Convert one record: its :class:`Result`, never an exception for bad input.

    Pure and picklable (a module-level function of two frozen values), so it runs as it
    is in a process pool, Dask or Spark.  A bug (anything that is not the library's own
    error) still raises.

    >>> options = Options(source="auto", target="url")
    >>> convert_record(Record("valuePromptAnswers=2015", RecordId(line=1)), options).output
    'valuePromptAnswers=2015'
    >>> str(convert_record(Record("<rsl>", RecordId(line=2)), options).error)
    'line 2: xml: not well-formed XML at line 1, column 6: Premature end of data in tag rsl line 1'
    """
    try:
        output, found = _convert(record, options)
    except PromptAnswerError as exc:
        return Result(record.where, error=RecordError(record.where, exc))
    return Result(record.where, output=output, warnings=found)


# ------------------------------------------------------------------------ many records


def _records(
    items: Iterable[Record | str | bytes | Mapping[str, Any] | list[Any]],
) -> Iterator[Record]:
    for index, item in enumerate(items, start=1):
        yield item if isinstance(item, Record) else Record(item, RecordId(position=index))


_WORKER_OPTIONS: Options | None = None


def _start_worker(options: Options) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options
    # Ctrl-C is the parent's to handle: it stops reading, writes what is done, and shuts
    # the pool down; a worker dying of KeyboardInterrupt would only break the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# What crosses between processes is kept lean: the records' data and JSON flags go out
# (the parent keeps their identifiers), and each result comes back as its output text, or
# as (error, warnings); the parent puts the Result back together.
_Outcome = Any  # str | tuple[str | PromptAnswerError, tuple[HintedWarning, ...]]
_NOWHERE = RecordId()


def _convert_chunk(data: list[Any], json_flags: list[bool]) -> list[_Outcome]:
    options = _WORKER_OPTIONS
    assert options is not None, "a worker starts with _start_worker"
    outcomes: list[_Outcome] = []
    append = outcomes.append
    for item, is_json in zip(data, json_flags, strict=True):
        try:
            output, found = _convert(Record(item, _NOWHERE, is_json), options)
        except PromptAnswerError as exc:
            append((exc, ()))
            continue
        append(output if not found else (output, found))
    return outcomes


def _result(where: RecordId, outcome: _Outcome) -> Result:
    if type(outcome) is str:
        return Result(where, outcome)
    value, found = outcome
    if isinstance(value, PromptAnswerError):
        return Result(where, error=RecordError(where, value))
    return Result(where, value, warnings=found)


def _in_processes(
    records: Iterator[Record], options: Options, jobs: int, chunk: int
) -> Iterator[Result]:
    """Chunks of records to ``jobs`` processes, at most ``2 * jobs`` chunks out at once."""
    pending: deque[tuple[list[RecordId], Future[list[_Outcome]]]] = deque()
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(options,)) as pool:
        try:
            while True:
                while len(pending) < 2 * jobs:
                    piece = list(itertools.islice(records, chunk))
                    if not piece:
                        break
                    data, where, flags = zip(*piece, strict=True)
                    future = pool.submit(_convert_chunk, list(data), list(flags))
                    pending.append((list(where), future))
                if not pending:
                    return
                where_list, done = pending.popleft()
                for where_one, outcome in zip(where_list, done.result(), strict=True):
                    yield _result(where_one, outcome)
        finally:
            for _, future in pending:
                future.cancel()


def convert(
    records: Iterable[Record | str | bytes | Mapping[str, Any] | list[Any]],
    *,
    source: Source = "auto",
    target: Target = "rest",
    definitions: Definitions | None = None,
    missing: Missing | None = None,
    validate: bool = True,
    fallback: Literal["error", "xml"] = "error",
    assume_order: bool = False,
    ignore_locale: bool = False,
    library_form: Literal["json", "param", "body"] = "json",
    max_size: int | None = None,
    jobs: int = 1,
    chunk: int = 256,
) -> Iterator[Result]:
    """Convert every record; yield one :class:`Result` per record, in input order.

    ``records`` holds :class:`Record` values, or bare data (text, bytes, parsed JSON),
    which is named by its position (``record 3``).  The options are those of
    ``mstr-prompts convert`` (:class:`Options`).  ``jobs`` > 1 converts on that many
    processes, ``chunk`` records at a time; at most ``2 * jobs * chunk`` records are
    read ahead, so memory stays flat however long the iterable is.

    >>> out = convert([{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "7"}]},
    ...                "valuePromptAnswers=2015"], target="url")
    >>> [r.output for r in out]
    [None, 'valuePromptAnswers=2015']
    """
    options = Options(
        source=source,
        target=target,
        definitions=definitions,
        missing=missing,
        validate=validate,
        fallback=fallback,
        assume_order=assume_order,
        ignore_locale=ignore_locale,
        library_form=library_form,
        max_size=max_size,
    )
    if jobs < 1 or chunk < 1:
        raise ValueError(f"jobs and chunk must be 1 or more, not {jobs} and {chunk}")
    stream = _records(records)
    if jobs == 1:
        return (convert_record(record, options) for record in stream)
    return _in_processes(stream, options, jobs, chunk)


# ----------------------------------------------------------------------------- readers


class Progress:
    """How many bytes the readers have consumed, for an estimate of the time left.

    >>> import io
    >>> meter = Progress()
    >>> _ = list(read_lines(io.BytesIO(b"a=1\\nb=2\\n"), progress=meter))
    >>> meter.bytes
    8
    """

    def __init__(self) -> None:
        self.bytes = 0


def _skip_line(
    stream: IO[bytes], line: bytes, limit: int, progress: Progress | None, where: str
) -> int:
    """Read to the end of an overlong line: its size, without its newline.

    A line longer than four times the limit (at least 64 MiB) is not a record that grew
    too large but input that is not lines at all (``/dev/zero``): the whole input is
    refused rather than read for ever.
    """
    size = len(line)
    cap = max(4 * limit, 64 << 20)
    while not line.endswith(b"\n"):
        line = stream.readline(1 << 20)
        if not line:
            break
        size += len(line)
        if progress is not None:
            progress.bytes += len(line)
        if size > cap:
            raise InputTooLarge(None, cap, unit="byte", where=f"{where}: a line")
    return size - (1 if line.endswith(b"\n") else 0)


def _bounded_line(
    stream: IO[bytes], line: bytes, limit: int, progress: Progress | None, where: RecordId
) -> bytes | int:
    """``line`` (read with ``readline(limit + 3)``) without its line break if it is within
    the limit, else its whole size, the rest of it skipped."""
    body = line.rstrip(b"\r\n")
    if len(body) <= limit:
        return body
    if line.endswith(b"\n"):
        return len(body)
    return _skip_line(stream, line, limit, progress, str(where))


def _physical_lines(
    stream: IO[bytes], limit: int, progress: Progress | None, name: str | None
) -> Iterator[tuple[int, bytes | int]]:
    """``(line number, line)`` per line, or ``(number, size)`` for a line over ``limit``.

    A line is read at most ``limit`` + 3 bytes at a time, so a line without end costs no
    more than that (and is refused past four times the limit).
    """
    number = 0
    while True:
        line = stream.readline(limit + 3)
        if not line:
            return
        number += 1
        if progress is not None:
            progress.bytes += len(line)
        if len(line) > limit:
            yield number, _bounded_line(stream, line, limit, progress, RecordId(name, number))
        else:
            yield number, line


def _too_large(size: int, limit: int) -> InputTooLarge:
    return InputTooLarge(size, limit, unit="byte", where="input")


def read_jsonl(
    stream: IO[bytes],
    *,
    name: str | None = None,
    max_size: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The records of a JSON Lines stream: one JSON value a line, blank lines skipped.

    Each value is a JSON string holding XML, URL or Library text, or a JSON object (or
    array) that is a REST body or Library answers.  A line over ``max_size`` bytes is
    a record whose conversion fails with :class:`~mstr_prompts.errors.InputTooLarge`; it
    is skipped unread.  Lines are parsed by :func:`convert_record`, so with ``jobs`` the
    workers parse them.

    >>> import io
    >>> [r.where.line for r in read_jsonl(io.BytesIO(b'"a"\\n\\n{"prompts": []}\\n'))]
    [1, 3]
    """
    limit = limits.current(max_size)
    readline = stream.readline
    number = 0
    while True:
        # The common case inline (a million lines): one bounded read, one record.
        line = readline(limit + 3)
        if not line:
            return
        number += 1
        if progress is not None:
            progress.bytes += len(line)
        if len(line) > limit:
            bounded = _bounded_line(stream, line, limit, progress, RecordId(name, number))
            if isinstance(bounded, int):
                yield Record(_too_large(bounded, limit), RecordId(name, number))
                continue
            line = bounded
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if line and not line.isspace():
            yield Record(line, RecordId(name, number), True)


def read_lines(
    stream: IO[bytes],
    *,
    name: str | None = None,
    max_size: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The records of a text stream with one Web or Library link (or query) a line.

    Blank lines are skipped; a line over ``max_size`` bytes is a record that fails with
    :class:`~mstr_prompts.errors.InputTooLarge`.

    >>> import io
    >>> [(r.where.line, r.data) for r in read_lines(io.BytesIO(b"a=1\\r\\n\\nb=2"))]
    [(1, 'a=1'), (3, 'b=2')]
    """
    limit = limits.current(max_size)
    for number, line in _physical_lines(stream, limit, progress, name):
        where = RecordId(file=name, line=number)
        if isinstance(line, int):
            yield Record(_too_large(line, limit), where)
            continue
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            text = line.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            yield Record(
                DecodeError(f"the line is not UTF-8 (byte {exc.start})", where="input"), where
            )
            continue
        if text:
            yield Record(text, where)


class _Overlong(Exception):
    """A physical CSV line over the limit (raised through csv.reader to its caller)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _CsvLines:
    """Text lines for csv.reader, bounded, counted, with their quotes' parity tracked.

    csv.reader reads no further than the row it returns, so the lines taken since the
    last row are that row's lines: an odd number of '"' among them means a quoted field
    is still open (each '""' escape adds two, the closing quote one).
    """

    def __init__(
        self, stream: IO[bytes], limit: int, progress: Progress | None, name: str | None
    ) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self.name = name
        self.limit = limit
        self.progress = progress
        self.number = 0  # physical lines read
        self.quotes = 0  # '"' read since the last row

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 3)
        if not line:
            raise StopIteration
        if self.progress is not None:
            self.progress.bytes += len(line)
        size = len(line)
        if size > self.limit + 2 and not line.endswith("\n"):
            self.quotes += line.count('"')
            while not line.endswith("\n"):
                line = self._more(size)
                if not line:
                    break
                size += len(line)
                self.quotes += line.count('"')
            self.number += 1
            raise _Overlong(size)
        self.number += 1
        self.quotes += line.count('"')
        return line

    def close_quote(self) -> None:
        """Skip lines until an open quoted field closes (after a row too large to read)."""
        skipped = 0
        while self.quotes % 2:
            try:
                line = self._more(skipped)
            except UnicodeDecodeError:
                return
            if not line:
                return
            skipped += len(line)
            if line.endswith("\n"):
                self.number += 1
            self.quotes += line.count('"')

    def _more(self, read: int) -> str:
        """The next megabyte of a line or field being skipped; refuse input past four
        times the limit (64 Mi at least): that is not CSV rows but runaway input."""
        cap = max(4 * self.limit, 64 << 20)
        if read > cap:
            where = RecordId(self.name, self.number + 1)
            raise InputTooLarge(None, cap, where=f"{where}: a CSV row")
        line = self.text.readline(1 << 20)
        if self.progress is not None:
            self.progress.bytes += len(line)
        return line


def read_csv(
    stream: IO[bytes],
    *,
    column: str,
    id_column: str | None = None,
    name: str | None = None,
    max_size: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The records of a CSV export (RFC 4180): the text of ``column``, row by row.

    The first row names the columns.  Quoted fields may hold commas, doubled quotes and
    line breaks; a record's line is the line its row starts on (the header is line 1),
    as an editor shows it.  ``id_column`` gives each record its ``id``.  A row over
    ``max_size`` characters is a record that fails with
    :class:`~mstr_prompts.errors.InputTooLarge`, and reading goes on after it.  A header
    without the column raises :class:`~mstr_prompts.errors.DecodeError` at once.

    >>> import io
    >>> data = b'id,link\\r\\n7,"valuePromptAnswers=a,\\r\\nb"\\r\\n8,valuePromptAnswers=c\\r\\n'
    >>> [(str(r.where), r.data) for r in read_csv(io.BytesIO(data), column="link", id_column="id")]
    [('line 2 (7)', 'valuePromptAnswers=a,\\r\\nb'), ('line 4 (8)', 'valuePromptAnswers=c')]
    """
    limit = limits.current(max_size)
    lines = _CsvLines(stream, limit, progress, name)
    previous = csv.field_size_limit()
    csv.field_size_limit(max(limit, 1))
    try:
        yield from _csv_rows(lines, column, id_column, name, limit)
    finally:
        csv.field_size_limit(previous)
        with contextlib.suppress(ValueError):  # the caller's stream stays open
            lines.text.detach()


def _csv_rows(
    lines: _CsvLines, column: str, id_column: str | None, name: str | None, limit: int
) -> Iterator[Record]:
    where_file = f"{name}: " if name else ""
    try:
        header = next(csv.reader(lines))
    except StopIteration:
        raise DecodeError(f"{where_file}the CSV is empty: no header row", where="csv") from None
    except (_Overlong, csv.Error, UnicodeDecodeError) as exc:
        raise DecodeError(f"{where_file}cannot read the header row: {exc}", where="csv") from None
    wanted = {"--column": column} | ({"--id-column": id_column} if id_column is not None else {})
    places: dict[str, int] = {}
    for option, title in wanted.items():
        if title not in header:
            shown = ", ".join(repr(h) for h in header[:20])
            raise DecodeError(
                f"{where_file}the header has no column {title!r} ({option}); it has {shown}",
                where="csv",
            )
        places[option] = header.index(title)
    at, id_at = places["--column"], places.get("--id-column")
    lines.quotes = 0
    while True:
        reader = csv.reader(lines)
        start = lines.number + 1
        try:
            for row in reader:
                lines.quotes = 0
                where = RecordId(file=name, line=start)
                start = lines.number + 1
                if not row:  # a blank line
                    continue
                if id_at is not None and id_at < len(row):
                    where = RecordId(file=name, line=where.line, id=row[id_at])
                if at >= len(row):
                    yield Record(
                        DecodeError(
                            f"the row has {len(row)} fields; column {column!r} is field {at + 1}",
                            where="csv",
                        ),
                        where,
                    )
                    continue
                yield Record(row[at], where)
            return
        except _Overlong:
            # A line of the row is over the limit: the row is, and is not read further.
            lines.close_quote()
            yield Record(InputTooLarge(None, limit, where="input"), RecordId(file=name, line=start))
        except csv.Error as exc:
            # Over the field limit, or malformed: the row is refused and reading goes on
            # after it (after its open quoted field, if any).
            lines.close_quote()
            too_large = "field limit" in str(exc)
            error: PromptAnswerError = (
                InputTooLarge(None, limit, where="input")
                if too_large
                else DecodeError(f"malformed CSV row: {exc}", where="csv")
            )
            yield Record(error, RecordId(file=name, line=start))
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"{where_file}the CSV is not UTF-8 near line {lines.number + 1} ({exc.reason})",
                where="csv",
            ) from None
        lines.quotes = 0
