"""What every fuzz harness shares: the crash rule, the input helpers, the runner.

A harness module (``fuzz/fuzz_*.py``) defines ``NAME``, ``seeds()`` (inputs built from
``fixtures/``), ``check(data: bytes)`` (one input; returns normally or raises the
library's own error, anything else is a crash), optionally ``TOKENS`` (extra strings the
plain mutator inserts and the libFuzzer dictionary lists), and ends with
``common.main(sys.argv, sys.modules[__name__])``.  It then runs in three ways::

    python fuzz/fuzz_rest.py                 # coverage-guided, with atheris (or a plain loop)
    python fuzz/fuzz_rest.py --plain 100000 [--seed 0]   # no atheris: a seeded mutation loop
    python fuzz/fuzz_rest.py --replay        # the seeds and the committed corpus only

Coverage-guided runs add libFuzzer's own flags after the harness's
(``-max_total_time=60``, ``-runs=1000000``).  New inputs go to ``fuzz/.work/<name>/``;
``fuzz/run.py --merge`` minimises them into the small committed corpus
``fuzz/corpus/<name>/``, which every run (and CI's budget) replays first.

The crash rule: an input may make the library raise its own error (a
:class:`~mstr_prompts.errors.PromptAnswerError`), nothing else: no ``KeyError``,
``IndexError``, foreign ``ValueError`` (``pydantic.ValidationError``, urllib's, lxml's),
``RecursionError`` or ``MemoryError``.  The CLI turns ``MemoryError`` into "bad input"
for inputs too large for the machine, but fuzz inputs are at most a few kilobytes, so
running out of memory on one is unbounded work from a small input: a crash here.
Broken round trips raise :class:`Crash`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import random
import re
import sys
import time
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from mstr_prompts.errors import NotRepresentableError, PromptAnswerError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "fuzz" / "corpus"
WORK = ROOT / "fuzz" / ".work"

MAX_LEN = 4096
"""The longest input a harness is given (bytes); inputs are truncated to it."""

T = TypeVar("T")


class Crash(AssertionError):
    """A broken invariant that is not an exception escaping the library."""


# ------------------------------------------------------------------------ outcomes


def attempt(call: Callable[[], T]) -> T | PromptAnswerError:
    """Run ``call``; return its result, or the library's own error it raised.

    Any other exception propagates: that is what a crash is.

    >>> from mstr_prompts import url
    >>> type(attempt(lambda: url.decode(""))).__name__
    'DecodeError'
    """
    if _QUIET[0]:
        try:
            return call()
        except PromptAnswerError as exc:
            return exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LocaleWarning and kin: advice, not failures
        try:
            return call()
        except PromptAnswerError as exc:
            return exc


_QUIET = [False]  # set by main(): warnings are ignored process-wide, cheaper than per call


def same_outcome(what: str, first: object, second: object) -> None:
    """Fail unless two outcomes agree: equal values, or errors of one class and text."""
    if isinstance(first, PromptAnswerError) or isinstance(second, PromptAnswerError):
        if type(first) is not type(second) or str(first) != str(second):
            raise Crash(f"{what}: {_show(first)} but {_show(second)}")
        return
    if first != second:
        raise Crash(f"{what}: {_show(first)} != {_show(second)}")


def round_trip(
    what: str,
    answers: object,
    encode: Callable[[Any], Any],
    decode: Callable[[Any], Any],
    normalize: Callable[[Any], Any] | None = None,
) -> None:
    """Fail unless ``decode(encode(answers)) == answers`` (both sides ``normalize``-d).

    An encoder may refuse what its format cannot carry (NotRepresentableError); it may
    not write what its own decoder refuses or reads as other answers.  ``normalize``
    applies a format's documented normalisation (XML writes an untyped value as a
    string).  The encoder runs twice, before and after the answers' models are built
    (deferred rows, then models), and must write the same text both times.
    """
    encoded = attempt(lambda: encode(answers))
    if isinstance(encoded, NotRepresentableError):
        return
    if isinstance(encoded, PromptAnswerError):
        raise Crash(f"{what}: the encoder raised {_show(encoded)}")
    built = getattr(answers, "answers", None)  # builds the models of deferred rows
    if built is not None:
        same_outcome(f"{what}: rows vs models", encoded, attempt(lambda: encode(answers)))
    again = attempt(lambda: decode(encoded))
    if isinstance(again, PromptAnswerError):
        raise Crash(f"{what}: the decoder refuses what the encoder wrote: {_show(again)}")
    if normalize is not None:
        answers, again = normalize(answers), normalize(again)
    if again != answers:
        raise Crash(f"{what}: changed the answers\n  before {answers!r}\n  after  {again!r}")


def typed(answers: Any) -> Any:
    """XML's documented normalisation: a value of unknown type is written as a string."""
    from mstr_prompts.model import ValueAnswer, ValueType

    return answers.model_copy(
        update={
            "answers": tuple(
                a.model_copy(update={"type": ValueType.STRING})
                if isinstance(a, ValueAnswer) and a.type is None
                else a
                for a in answers
            )
        }
    )


def _show(outcome: object) -> str:
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}({outcome})"
    return repr(outcome)[:2000]


@contextlib.contextmanager
def switched(module: types.ModuleType, name: str, value: object) -> Iterator[None]:
    """Set a module global (a codec's ``_FAST``) for the duration of a block."""
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def as_text(data: bytes) -> str:
    """Bytes as text; invalid UTF-8 becomes lone surrogates, which decoders must refuse."""
    return data.decode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ structured input

# Characters worth more than their share of random draws: every separator of every
# grammar, look-alikes that case folding or Unicode digits turn into ASCII, and text no
# wire format can carry.
SPECIAL_CHARS = (
    "^;,:~%&=<>\"\\'#?/[]{}@*+ \t\r\n\x00\x1b\x7f"
    "\xa0\u00e9\u540d\u017f\u0131\u212a\uff03\uff1d\u00b2\u0663\ufeff\u2028\ud800\udfff\U0001f600"
)


class Provider:
    """Turns bytes into typed values, as atheris' FuzzedDataProvider does.

    Pure Python with fixed rules, so that a committed corpus file means the same
    arguments with or without atheris (atheris' own provider would read the same bytes
    differently).  Reading past the end gives zeros and empty strings.

    >>> p = Provider(bytes([3, 104, 105, 0x80]))
    >>> p.text(10)
    'hi^'
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def int_in_range(self, low: int, high: int) -> int:
        span = high - low + 1
        value = self.byte() if span <= 256 else self.byte() << 8 | self.byte()
        return low + value % span

    def boolean(self) -> bool:
        return bool(self.byte() & 1)

    def pick(self, choices: Sequence[T]) -> T:
        return choices[self.int_in_range(0, len(choices) - 1)]

    def char(self) -> str:
        b = self.byte()
        if b < 0x80:
            return chr(b)
        if b < 0xC0:
            return SPECIAL_CHARS[(b - 0x80) % len(SPECIAL_CHARS)]
        return chr(((b - 0xC0) << 16 | self.byte() << 8 | self.byte()) % 0x110000)

    def text(self, max_chars: int) -> str:
        """A string of at most ``max_chars`` characters (a length byte, then the chars)."""
        size = self.byte() % (max_chars + 1)
        return "".join(self.char() for _ in range(size))

    def rest(self) -> str:
        """What is left, as text."""
        text = as_text(self.data[self.pos :])
        self.pos = len(self.data)
        return text


# --------------------------------------------------------------------------- seeds


def fixture_files(*dirs: str) -> list[Path]:
    """The fixture files under ``fixtures/<dir>`` (all of them when no dir is given)."""
    roots = [FIXTURES / d for d in dirs] if dirs else [FIXTURES]
    return sorted(
        p
        for root in roots
        for p in root.rglob("*")
        if p.is_file() and p.suffix != ".md"  # SOURCES.md and notes are provenance
    )


_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


def json_documents() -> Iterator[Any]:
    """Every JSON fixture, parsed (``.jsonc`` comments dropped), and every JSON value in it."""
    for path in fixture_files():
        if path.suffix not in (".json", ".jsonc", ".txt"):
            continue
        text = _COMMENT.sub("", path.read_text("utf-8"))
        try:
            document = json.loads(text)
        except ValueError:
            continue
        yield from _walk(document)


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def parsed_json(text: str) -> Any:
    """``json.loads(text)`` when Python's reading is exact, else None.

    A decoder given JSON text keeps a number's spelling (``1.10``, ``1e400``), which
    ``json.loads`` loses (``1.1``, ``inf``): such a document cannot be compared with the
    text it came from.
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return None if _has_float(document) else document


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


@functools.cache
def all_answer_sets() -> list[Any]:
    """Every fixture that some decoder reads, decoded (for cross-format seeds)."""
    from mstr_prompts import formats, library, rest, url, xml

    decoders: dict[str, Callable[[str], Any]] = {
        "rest": rest.decode,
        "xml": xml.decode,
        "url": url.decode,
        "library": library.decode,
    }
    found = []
    texts = [p.read_text("utf-8") for p in fixture_files()]
    texts += [json.dumps(d) for d in json_documents() if isinstance(d, (dict, list))]
    texts += [d for d in json_documents() if isinstance(d, str)]
    for text in texts:
        fmt = attempt(functools.partial(formats.detect, text))
        if isinstance(fmt, PromptAnswerError) or fmt not in decoders:
            continue
        answers = attempt(functools.partial(decoders[fmt], text.strip()))
        if not isinstance(answers, PromptAnswerError):
            found.append(answers)
    return found


def encodings(encode: Callable[[Any], str]) -> list[bytes]:
    """Every decodable fixture written by ``encode`` (refusals skipped)."""
    out = []
    for answers in all_answer_sets():
        text = attempt(functools.partial(encode, answers))
        if isinstance(text, str):
            out.append(text.encode("utf-8"))
    return out


def dedupe(seeds: Sequence[bytes], limit: int = 300) -> list[bytes]:
    """Unique seeds, shortest first, at most ``limit`` of them, each at most MAX_LEN."""
    unique = {s[:MAX_LEN] for s in seeds}
    return sorted(unique, key=lambda s: (len(s), s))[:limit]


def corpus(name: str) -> list[bytes]:
    """The committed regression corpus of harness ``name``."""
    folder = CORPUS / name
    if not folder.is_dir():
        return []
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]


# ------------------------------------------------------------------ plain mutation

# Inserted by the plain mutator and listed in libFuzzer dictionaries: separators of
# every grammar, escapes, and numbers at the edges of what the formats accept.
TOKENS = (
    "^", ";", ",", ":", "~", "%1B", "%1b", "\x1b", "&", "=", "<", ">", '"', "\\", "'",
    "%", "%25", "%5E", "%3C", "%26", "&amp;", "&lt;", "&#x41;", "#", "?", "[", "]", "{",
    "}", "@", "*", "\n", "\r\n", " ", "\t", "+", "\x00", "\\u0000", "\\ud800", "\\udfff",
    "\xed\xa0\x80", "\xff", "\xef\xbb\xbf", "é", "名", "\u212a", "\uff03", "²", "٣",
    "-1", "0", "1e999", "2147483648", "99999999999", "1000", "1001", "null", "true",
    "[]", "{}", '""',
)  # fmt: skip


def _token_bytes(tokens: Sequence[str]) -> list[bytes]:
    return [t.encode("latin-1") if t in ("\xed\xa0\x80", "\xff", "\xef\xbb\xbf") else
            t.encode("utf-8") for t in tokens]  # fmt: skip


def mutate(
    rng: random.Random, data: bytes, pool: Sequence[bytes], tokens: Sequence[bytes]
) -> bytes:
    """One to four random edits of ``data``: flips, tokens, cuts, copies, splices."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        size = len(out)
        at = rng.randint(0, size)
        op = rng.randrange(8)
        if op == 0 and size:  # flip a bit
            i = rng.randrange(size)
            out[i] ^= 1 << rng.randrange(8)
        elif op == 1 and size:  # a random byte
            out[rng.randrange(size)] = rng.randrange(256)
        elif op in (2, 3):  # insert a separator or escape
            out[at:at] = rng.choice(tokens)
        elif op == 4 and size:  # replace a run by a token
            end = min(size, at + rng.randint(1, 8))
            out[at:end] = rng.choice(tokens)
        elif op == 5 and size:  # delete a run
            del out[at : min(size, at + rng.randint(1, 16))]
        elif op == 6:  # truncate
            del out[at:]
        elif op == 7:  # splice: our head, another input's tail (or a copy of a run)
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            out[at:] = other[cut:] if rng.random() < 0.5 else out[at : at + 64] * 2
    return bytes(out[:MAX_LEN])


def plain(module: types.ModuleType, runs: int, seed: int) -> dict[str, int]:
    """Replay seeds and corpus, then check ``runs`` mutated inputs; returns error counts."""
    check: Callable[[bytes], None] = module.check
    pool = dedupe(module.seeds()) + corpus(module.NAME)
    tokens = _token_bytes((*TOKENS, *getattr(module, "TOKENS", ())))
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for data in pool:
        _run_one(check, data, counts)
    for _ in range(runs):
        _run_one(check, mutate(rng, rng.choice(pool), pool, tokens), counts)
    return counts


def _run_one(check: Callable[[bytes], None], data: bytes, counts: dict[str, int]) -> None:
    try:
        check(data)
    except PromptAnswerError as exc:  # a harness may let the library's error through
        counts[type(exc).__name__] = counts.get(type(exc).__name__, 0) + 1
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise Crash(f"input {data!r}\n{type(exc).__name__}: {exc}") from exc


# ------------------------------------------------------------------------- atheris


def _entry(check: Callable[[bytes], None]) -> Callable[[bytes], None]:
    def one_input(data: bytes) -> None:
        with contextlib.suppress(PromptAnswerError):
            check(data[:MAX_LEN])

    if os.environ.get("FUZZ_KEEP_GOING"):
        # A campaign records every distinct crash and goes on, so that one bug does not
        # end the count of inputs; the crashes are in fuzz/.work/crashes/.
        seen: set[str] = set()

        def keep_going(data: bytes) -> None:
            try:
                one_input(data)
            except Exception as exc:
                tb = exc.__traceback__
                while tb is not None and tb.tb_next is not None:
                    tb = tb.tb_next
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
                signature = f"{type(exc).__name__} at {where}"
                if signature not in seen:
                    seen.add(signature)
                    folder = WORK / "crashes"
                    folder.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha1(data).hexdigest()[:12]
                    (folder / f"{_NAME[0]}-{digest}").write_bytes(data)
                    print(f"CRASH {signature}: {type(exc).__name__}: {str(exc)[:300]}", flush=True)

        return keep_going
    return one_input


_NAME = [""]


def instrumented() -> Any:
    """Import atheris and instrument every mstr_prompts function (None without atheris).

    The harnesses import the codecs before atheris is set up, so ``instrument_imports``
    would come too late: every function and method of every ``mstr_prompts`` module
    (the client, the test server and the optional mstrio-py bridge aside) is instrumented
    in place instead.
    """
    try:
        import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    import importlib
    import pkgutil

    import mstr_prompts

    for info in pkgutil.walk_packages(mstr_prompts.__path__, "mstr_prompts."):
        skipped = (".testing", ".client", "cli", ".mstrio")  # .mstrio needs mstrio-py
        if not any(part in info.name for part in skipped):
            importlib.import_module(info.name)
    done: set[int] = set()
    for name, module in list(sys.modules.items()):
        if name.startswith("mstr_prompts") and module is not None:
            for value in vars(module).values():
                _instrument(atheris, value, name, done)
    return atheris


def _instrument(atheris: Any, value: Any, module: str, done: set[int]) -> None:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    elif isinstance(value, property):
        for part in (value.fget, value.fset):
            if part is not None:
                _instrument(atheris, part, module, done)
        return
    if id(value) in done or getattr(value, "__module__", None) != module:
        return
    done.add(id(value))
    if isinstance(value, types.FunctionType):
        atheris.instrument_func(value)
    elif isinstance(value, type):
        for item in vars(value).values():
            _instrument(atheris, item, module, done)


def main(argv: list[str], module: types.ModuleType) -> None:
    """Run harness ``module`` as its command line asks (see this module's docstring)."""
    name = module.NAME
    _NAME[0] = name
    warnings.simplefilter("ignore")
    _QUIET[0] = True
    if "--plain" in argv or "--replay" in argv:
        runs = int(argv[argv.index("--plain") + 1]) if "--plain" in argv else 0
        seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
        start = time.perf_counter()
        counts = plain(module, runs, seed)
        took = time.perf_counter() - start
        del counts  # the harnesses keep the library's errors to themselves
        print(f"{name}: {runs} plain inputs (seed {seed}) in {took:.1f} s, no crash")
        return
    atheris = instrumented()
    if atheris is None:
        seconds = float(os.environ.get("FUZZ_SECONDS", "10"))
        seed, total, start = 0, 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            plain(module, 2000, seed)
            seed, total = seed + 1, total + 2000
        print(f"{name}: atheris is not installed; {total} plain inputs, no crash")
        return
    work = WORK / name
    seeds = WORK / "seeds" / name
    for folder in (work, seeds):
        folder.mkdir(parents=True, exist_ok=True)
    for data in dedupe(module.seeds()):
        (seeds / hashlib.sha1(data).hexdigest()).write_bytes(data)
    dictionary = WORK / f"{name}.dict"
    tokens = _token_bytes((*TOKENS, *getattr(module, "TOKENS", ())))
    dictionary.write_text("".join(f"{_dict_entry(t)}\n" for t in tokens), "ascii")
    flags = [a for a in argv[1:] if a.startswith("-")]
    defaults = {
        "-max_len": str(MAX_LEN),
        "-dict": str(dictionary),
        "-timeout": "10",
        "-rss_limit_mb": "2048",
        "-artifact_prefix": str(WORK / "crashes" / f"{name}-"),
        "-print_final_stats": "1",
    }
    (WORK / "crashes").mkdir(parents=True, exist_ok=True)
    flags += [
        f"{k}={v}" for k, v in defaults.items() if not any(f.startswith(k + "=") for f in flags)
    ]
    dirs = [str(work), str(CORPUS / name), str(seeds)]
    # libFuzzer starts argv[0] through the shell for -merge and -fork: make it a command.
    command = f"{sys.executable} {Path(argv[0]).resolve()}"
    if any(f.startswith(("-merge", "-minimize")) for f in flags):
        dirs = []  # the directories are among the flags' arguments (see run.py --merge)
    positional = [a for a in argv[1:] if not a.startswith("-")]
    atheris.Setup(
        [command, *flags, *positional, *(d for d in dirs if Path(d).is_dir())],
        _entry(module.check),
    )
    atheris.Fuzz()


def _dict_entry(token: bytes) -> str:
    return (
        '"'
        + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02X}" for b in token)
        + '"'
    )
