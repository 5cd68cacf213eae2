"""Benchmark: many captured answers through ``mstr_prompts.batch`` and ``convert --records``.

The records are mixed captured answers built from ``fixtures/``: prompt-answer XML as
captured, the same XML percent-encoded, Web URL links and queries, and REST bodies (every
fixture that converts to REST on its own), cycled, with one malformed XML record in every
1,000 so that ``--keep-going`` names errors as it goes.  They are written as JSON Lines (a
JSON string a line, a REST body as an object).

* **API**: :func:`mstr_prompts.batch.convert` over 20,000 records in this process, against
  the floor, a plain Python loop calling the codecs one record at a time
  (``formats.detect``, the decoder, ``rest.dumps``, errors caught): records per second of
  CPU time, interleaved, best of ``BENCH_ROUNDS`` (default 5).
* **CLI**: ``mstr-prompts convert --from auto --to rest --records jsonl --keep-going`` on
  the whole file, against the floor as a script (the same loop reading the file and
  writing the same JSON Lines): records per second of the child's CPU time (user +
  system, ``os.wait4``), and its peak resident memory at 10,000 records and at the full
  count; then ``--jobs 2`` against ``--jobs 1`` in wall time.

Targets: at least 0.9x the floor's records per second on one process; peak memory at the
full count within 1.2x of that at 10,000; ``--jobs 2`` at least 1.7x as fast as
``--jobs 1`` on two idle cores (on a shared, loaded machine that figure says little).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_batch.py [RECORDS]``; the default
is 1,000,000 records, which takes several minutes; ``BENCH_BATCH_RECORDS`` also sets it).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from mstr_prompts import batch, formats, library, rest, url, xml
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import AnswerSet

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RECORDS = int(os.environ.get("BENCH_BATCH_RECORDS", "1000000"))
SMALL = 10_000
API_RECORDS = 20_000
BAD = "<rsl><pa>"
BAD_EVERY = 1000

FLOOR_SCRIPT = r"""
import json, sys
from mstr_prompts import formats, library, rest, url, xml
from mstr_prompts.errors import PromptAnswerError
DECODERS = {"rest": rest.decode, "xml": lambda t: xml.decode(t.strip()),
            "url": lambda t: url.decode(t.strip()), "library": lambda t: library.decode(t.strip())}
out = sys.stdout
with open(sys.argv[1], "rb") as lines:
    for number, line in enumerate(lines, start=1):
        text = line.decode().strip()
        if text[:1] != "{":
            text = json.loads(text)
        try:
            body = rest.dumps(DECODERS[formats.detect(text)](text))
            out.write('{"line": %d, "output": %s}\n' % (number, body))
        except PromptAnswerError as exc:
            out.write('{"line": %d, "error": %s}\n' % (number, json.dumps(str(exc))))
"""


def samples() -> list[str]:
    """Every fixture answer that converts to REST on its own, in the four captured forms."""
    found: list[str] = []
    for path in sorted((FIXTURES / "xml").glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        found += [text, urllib.parse.quote(text, safe="")]
    found += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "url").glob("*.txt"))]
    found += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "rest").glob("*.json"))]
    return [text for text in found if next(iter(batch.convert([text]))).ok]


def records(count: int, pool: list[str]) -> Iterator[str]:
    for number in range(1, count + 1):
        yield BAD if number % BAD_EVERY == 0 else pool[number % len(pool)]


def jsonl_line(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("{"):
        return json.dumps(json.loads(stripped), ensure_ascii=False) + "\n"  # one line
    return json.dumps(text, ensure_ascii=False) + "\n"


def write_jsonl(path: Path, count: int, pool: list[str]) -> None:
    lines = {text: jsonl_line(text) for text in [*pool, BAD]}
    with path.open("w", encoding="utf-8") as out:
        for text in records(count, pool):
            out.write(lines[text])


# ---------------------------------------------------------------------------- API

DECODERS: dict[str, Callable[[str], AnswerSet]] = {
    "rest": rest.decode,
    "xml": lambda t: xml.decode(t.strip()),
    "url": lambda t: url.decode(t.strip()),
    "library": lambda t: library.decode(t.strip()),
}


def api(pool: list[str]) -> tuple[float, float]:
    """Records per CPU second: the floor's and batch.convert's, best of ROUNDS each."""
    texts = list(records(API_RECORDS, pool))

    def floor() -> None:
        for text in texts:
            with contextlib.suppress(PromptAnswerError):
                rest.dumps(DECODERS[formats.detect(text)](text))

    def ours() -> None:
        for _ in batch.convert(texts):
            pass

    best = {"floor": 0.0, "ours": 0.0}
    floor()
    ours()
    for _ in range(ROUNDS):
        for name, function in (("floor", floor), ("ours", ours)):
            start = time.process_time()
            function()
            best[name] = max(best[name], len(texts) / (time.process_time() - start))
    return best["floor"], best["ours"]


# ---------------------------------------------------------------------------- CLI


def child(command: list[str]) -> tuple[float, float, int]:
    """Run ``command`` with output to /dev/null: (CPU seconds, wall seconds, peak RSS bytes)."""
    with open(os.devnull, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 8):
        raise RuntimeError(f"{command} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss * 1024


def cli(path: Path, jobs: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mstr_prompts",
        "convert",
        "--from",
        "auto",
        "--to",
        "rest",
        "--records",
        "jsonl",
        "--keep-going",
        "--jobs",
        str(jobs),
        str(path),
    ]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else RECORDS
    pool = samples()
    print(f"Batch conversion: {len(pool)} fixture answers, cycled; 1 bad record in {BAD_EVERY}")
    floor_rate, our_rate = api(pool)
    print(f"API, {API_RECORDS:,} records, records per CPU second (best of {ROUNDS}):")
    print(f"  plain loop (floor) {floor_rate:>10,.0f}")
    print(f"  batch.convert      {our_rate:>10,.0f}   {our_rate / floor_rate:.2f}x the floor")
    with tempfile.TemporaryDirectory() as tmp:
        small, full = Path(tmp) / "small.jsonl", Path(tmp) / "full.jsonl"
        write_jsonl(small, SMALL, pool)
        write_jsonl(full, count, pool)
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text(FLOOR_SCRIPT)
        size = full.stat().st_size
        print(f"CLI, {count:,} records ({size / 1e6:.0f} MB of JSON Lines):")
        floor_cpu, _, floor_peak = child([sys.executable, str(floor_script), str(full)])
        ours_cpu, wall_1, peak_full = child(cli(full))
        _, _, peak_small = child(cli(small))
        print(
            f"  plain loop (floor) {count / floor_cpu:>10,.0f} records/s   peak {floor_peak / 1e6:.0f} MB"
        )
        print(
            f"  convert --records  {count / ours_cpu:>10,.0f} records/s   {floor_cpu / ours_cpu:.2f}x the floor"
        )
        print(
            f"  peak memory: {peak_small / 1e6:.0f} MB at {SMALL:,} records, "
            f"{peak_full / 1e6:.0f} MB at {count:,}: {peak_full / peak_small:.2f}x (target 1.2x)"
        )
        # --jobs 2 against --jobs 1, interleaved, best wall time of each; and what the CPU
        # time says the speed-up would be on two idle cores (the work split over two
        # processes, the parent's share included).
        pairs = 3 if count <= 200_000 else 1
        best_1, best_2, cpu_2 = wall_1, float("inf"), float("inf")
        for round_ in range(pairs):
            if round_:
                best_1 = min(best_1, child(cli(full))[1])
            cpu, wall, _ = child(cli(full, jobs=2))
            best_2, cpu_2 = min(best_2, wall), min(cpu_2, cpu)
        load = os.getloadavg()[0]
        print(
            f"  --jobs 1 {best_1:.1f} s, --jobs 2 {best_2:.1f} s wall: {best_1 / best_2:.2f}x "
            f"(target 1.7x on two idle cores; load average now {load:.1f} on {os.cpu_count()} cores)"
        )
        print(
            f"  CPU: --jobs 1 {ours_cpu:.1f} s, --jobs 2 {cpu_2:.1f} s in all processes: on two "
            f"idle cores at most {2 * ours_cpu / cpu_2:.2f}x"
        )
    print()


if __name__ == "__main__":
    main()
