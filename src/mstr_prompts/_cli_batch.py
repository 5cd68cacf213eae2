"""``mstr-prompts convert`` over many files or records: JSON Lines out, one per record.

The conversion is :func:`mstr_prompts.batch.convert`; this module reads the inputs,
writes each result as one JSON line (the record's identifier beside its output or its
error), shows progress on a terminal, and turns Ctrl-C into complete lines only.

Output is written in whole lines, gathered up to 64 KiB or a quarter of a second, so a
million records are not a million system calls; a line is never cut: Ctrl-C during a
write is acted on when the write is done.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from . import batch, limits
from .batch import Progress, Record, RecordId, Result, Unreadable
from .errors import Hint, InputTooLarge, PromptAnswerError

if TYPE_CHECKING:
    from .definitions import Definitions

# The exit status of a failed record, by batch.error_code (the CLI's table, cli.EXIT_CODES).
_STATUS = {"bad_input": 3, "not_representable": 4, "rejected": 1, "too_large": 7, "io": 6}
_EXIT_RECORDS_FAILED = 8
_EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130
_FLUSH_BYTES = 1 << 16
_FLUSH_SECONDS = 0.25
_JSON_OUTPUT = frozenset({"rest"})


def convert_many(
    args: argparse.Namespace,
    *,
    fail: Callable[..., Exception],
    write: Callable[[str], None],
    say: Callable[[str, str], None],
    where: Callable[[str], str],
    status_of: Callable[[PromptAnswerError], int],
    definitions: Definitions | None,
    progress: bool,
) -> str:
    """Convert every record of ``args.files`` and write JSON Lines; return ``""``."""
    _check(args, fail)
    meter = Progress()
    if args.records is None:
        records: Iterator[Record] = _files(args.files, where)
        total: int | None = len(args.files)
        total_bytes = None
    else:
        records = _record_files(args, meter, where, fail)
        total = None
        total_bytes = _sizes(args.files)
    results = batch.convert(
        records,
        source=args.source_format,
        target=args.target_format,
        definitions=definitions,
        missing=args.missing,
        validate=not args.no_validate,
        fallback=args.fallback,
        assume_order=args.assume_order,
        ignore_locale=args.ignore_locale,
        library_form=args.library_form,
        max_size=args.max_size,
        jobs=args.jobs,
    )
    out = _Output(write)
    shown = _Shown(total, total_bytes, meter) if progress else None
    raw_json = args.target_format in _JSON_OUTPUT or (
        args.target_format == "library" and args.library_form != "param"
    )
    first_failed: RecordId | None = None
    failures = done = 0
    previous = _catch_interrupts(out.interrupt)
    # What is alive now (modules, the models' schemas) lives for the whole run: keep the
    # collector from re-scanning it at every full collection of a million records.
    gc.freeze()
    try:
        for result in results:
            done += 1
            error = result.error
            if error is None:
                out.add(_output_line(result, raw_json))
            elif args.keep_going:
                failures += 1
                first_failed = first_failed or result.record
                out.add(_error_line(result))
            else:
                out.flush()  # every earlier good record is out before the message
                if shown is not None:
                    shown.clear()
                status = _STATUS["io"] if error.code == "io" else status_of(error.cause)
                raise fail(status, error.render(cli=True))
            if shown is not None:
                shown.errors = failures
                shown.tick(done)
        out.flush()
    except KeyboardInterrupt:
        out.flush()  # what is done is written, in whole lines
        raise fail(_EXIT_INTERRUPTED, None) from None
    except PromptAnswerError:  # the input itself is unreadable (runaway, bad CSV header)
        out.flush()
        raise
    finally:
        gc.unfreeze()
        if shown is not None:
            shown.clear()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        close = getattr(results, "close", None)
        if close is not None:
            close()  # a generator: stop reading, shut the workers down
    if first_failed is not None:
        say(
            "error",
            f"{failures} of {done} records failed; the first is {first_failed} (see its line)",
        )
        raise fail(_EXIT_RECORDS_FAILED, None)
    return ""


def _catch_interrupts(handler: Callable[[int, Any], None]) -> Any:
    """Install ``handler`` for SIGINT; the previous handler, or None where one cannot be set."""
    try:
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, handler)
    except (ValueError, OSError):  # not the main thread
        return None
    return previous


def _check(args: argparse.Namespace, fail: Callable[..., Exception]) -> None:
    if args.indent is not None:
        raise fail(
            _EXIT_USAGE,
            "--indent needs a single input without --records or --keep-going; JSON Lines "
            "are one line a record",
        )
    if args.records == "csv" and args.column is None:
        raise fail(_EXIT_USAGE, "--records csv needs --column NAME (the answers' column)")
    if args.records != "csv":
        for option, given in (("--column", args.column), ("--id-column", args.id_column)):
            if given is not None:
                raise fail(_EXIT_USAGE, f"{option} is for --records csv")


def _sizes(paths: list[str]) -> int | None:
    total = 0
    for path in paths:
        if path == "-":
            return None
        try:
            total += os.stat(path).st_size
        except OSError:
            return None
    return total or None


# ------------------------------------------------------------------------------ input


def _files(paths: list[str], where: Callable[[str], str]) -> Iterator[Record]:
    """One record per file, read within the size limit (its bytes: XML keeps its encoding)."""
    limit = limits.current()
    for path in paths:
        name = "-" if path == "-" else where(path)
        record_id = RecordId(file=name)
        try:
            if path == "-":
                if sys.stdin is None:
                    raise OSError("it is closed")
                data = sys.stdin.buffer.read(limit + 1)
            else:
                with open(path, "rb") as handle:
                    data = handle.read(limit + 1)
        except OSError as exc:
            yield Record(Unreadable(f"cannot read it: {exc.strerror or exc}"), record_id)
            continue
        if len(data) > limit:
            yield Record(InputTooLarge(None, limit, unit="byte", where="input"), record_id)
            continue
        yield Record(data, record_id)


def _record_files(
    args: argparse.Namespace,
    meter: Progress,
    where: Callable[[str], str],
    fail: Callable[..., Exception],
) -> Iterator[Record]:
    """Every record of every file, file after file."""
    for path in args.files:
        name = None if path == "-" else where(path)
        try:
            if path == "-":
                if sys.stdin is None:
                    raise OSError("it is closed")
                yield from _read(args, sys.stdin.buffer, name, meter, fail)
                continue
            with open(path, "rb") as handle:
                yield from _read(args, handle, name, meter, fail)
        except OSError as exc:
            shown = "standard input" if path == "-" else where(path)
            reason = f"cannot read {shown}: {exc.strerror or exc}"
            if not args.keep_going:
                raise fail(6, reason) from None
            yield Record(Unreadable(f"cannot read it: {exc.strerror or exc}"), RecordId(file=name))


def _read(
    args: argparse.Namespace,
    handle: IO[bytes],
    name: str | None,
    meter: Progress,
    fail: Callable[..., Exception],
) -> Iterator[Record]:
    if args.records == "jsonl":
        return batch.read_jsonl(handle, name=name, progress=meter)
    if args.records == "lines":
        return batch.read_lines(handle, name=name, progress=meter)
    try:
        rows = batch.read_csv(
            handle, column=args.column, id_column=args.id_column, name=name, progress=meter
        )
        first = list(itertools.islice(rows, 1))  # the header's problems show at once
    except InputTooLarge as exc:
        raise fail(_STATUS["too_large"], exc.render(cli=True)) from None
    except PromptAnswerError as exc:
        status = _EXIT_USAGE if "column" in exc.message else _STATUS["bad_input"]
        raise fail(status, exc.render(cli=True)) from None
    return itertools.chain(first, rows)


# ----------------------------------------------------------------------------- output


_QUOTED: dict[str, str] = {}


def _record_head(record: RecordId) -> str:
    """The line's start, up to the output or error: ``{"file": …, "line": …, ``."""
    file, line, given_id, position = record
    if given_id is None and position is None:
        # The usual identifiers, spelled without json.dumps of a dict per record.
        if file is not None:
            quoted = _QUOTED.get(file)
            if quoted is None:
                if len(_QUOTED) > 1000:
                    _QUOTED.clear()
                quoted = _QUOTED[file] = json.dumps(file, ensure_ascii=False)
            return (
                f'{{"file": {quoted}, "line": {line}, '
                if line is not None
                else f'{{"file": {quoted}, '
            )
        if line is not None:
            return f'{{"line": {line}, '
    fields = record.fields()
    return json.dumps(fields, ensure_ascii=False)[:-1] + ", " if fields else "{"


def _output_line(result: Result, raw_json: bool) -> str:
    output = result.output or ""
    value = output if raw_json else json.dumps(output, ensure_ascii=False)
    line = f'{_record_head(result.record)}"output": {value}'
    if result.warnings:
        texts = [w.render(cli=True) for w in result.warnings]
        line += ', "warnings": ' + json.dumps(texts, ensure_ascii=False)
    return line + "}\n"


def _error_line(result: Result) -> str:
    error = result.error
    assert error is not None
    hint = error.hint.cli() if isinstance(error.hint, Hint) else error.hint
    body = {"code": error.code, "message": error.describe(), "hint": hint}
    return f'{_record_head(result.record)}"error": {json.dumps(body, ensure_ascii=False)}}}\n'


class _Output:
    """Whole lines to standard output, gathered; Ctrl-C waits for a write to finish."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.lines: list[str] = []
        self.size = 0
        self.last = time.monotonic()
        self.writing = False
        self.pending = False

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.size += len(line)
        if self.size >= _FLUSH_BYTES or time.monotonic() - self.last >= _FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        text = "".join(self.lines)
        self.lines.clear()
        self.size = 0
        self.last = time.monotonic()
        if not text:
            return
        self.writing = True
        try:
            self.write(text)
        finally:
            self.writing = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt

    def interrupt(self, signum: int, frame: Any) -> None:
        if self.writing:
            self.pending = True  # acted on when the lines are out
            return
        raise KeyboardInterrupt


class _Shown:
    """Progress on standard error (a terminal only): done, rate, errors, time left."""

    def __init__(self, total: int | None, total_bytes: int | None, meter: Progress) -> None:
        self.total = total
        self.total_bytes = total_bytes
        self.meter = meter
        self.errors = 0
        self.start = time.monotonic()
        self.next = self.start + 0.5
        self.width = 0

    def tick(self, done: int) -> None:
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + 0.5
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        text = f"{done:,} records, {rate:,.0f}/s, {self.errors:,} error{'s' if self.errors != 1 else ''}"
        left = None
        if self.total:
            left = (self.total - done) / rate if rate else None
        elif self.total_bytes and self.meter.bytes:
            fraction = min(self.meter.bytes / self.total_bytes, 1.0)
            left = elapsed * (1 - fraction) / fraction
        if left is not None:
            minutes, seconds = divmod(int(left), 60)
            text += f", about {minutes // 60}:{minutes % 60:02d}:{seconds:02d} left"
        self._show(text)

    def _show(self, text: str) -> None:
        pad = max(self.width - len(text), 0)
        self.width = len(text)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(f"\r{text}{' ' * pad}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.width:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.write("\r" + " " * self.width + "\r")
                sys.stderr.flush()
            self.width = 0
