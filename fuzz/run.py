"""Run every fuzz harness in turn (``make fuzz``); see ``docs/fuzzing.md``.

    python fuzz/run.py                     # each harness for $FUZZ_SECONDS (default 60)
    python fuzz/run.py --runs 1000000      # each harness for that many inputs
    python fuzz/run.py --plain 2000        # no atheris: that many mutated inputs each
    python fuzz/run.py --campaign          # 10^6 inputs each, crashes recorded, go on
    python fuzz/run.py --merge             # minimise new inputs into fuzz/corpus/
    python fuzz/run.py rest xml            # only these harnesses
    python fuzz/run.py --plain 2000 --seed 7   # the plain loop from a chosen seed

With atheris installed the harnesses are coverage-guided; without it (or with
``--plain``) each runs the seeded mutation loop.  The exit status is 1 if any harness
crashed, 2 for an argument it does not know.  ``--campaign`` prints, and appends to ``fuzz/.work/campaign.txt``, one line
per harness: inputs, seconds, coverage and features (atheris), distinct crashes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESSES = (
    "rest", "xml", "url", "links_parse", "element_id", "library", "definitions", "formats",
    "link_args", "expression",
)  # fmt: skip
CORPUS_FILES = 40
"""At most this many files per harness in the committed corpus (the smallest kept)."""
CORPUS_FILE_BYTES = 1024
"""Committed corpus files are at most this long."""


def _has_atheris() -> bool:
    try:
        import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def _harness(name: str) -> str:
    return str(HERE / f"fuzz_{name}.py")


def _run(name: str, args: list[str], env: dict[str, str]) -> tuple[int, str]:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, _harness(name), *args],
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    output = proc.stdout + proc.stderr
    took = time.monotonic() - start
    return proc.returncode, output + f"\n[run.py] {name} took {took:.0f} s\n"


def _summary(name: str, output: str) -> str:
    done = re.search(r"Done (\d+) runs in (\d+) second", output)
    units = re.search(r"stat::number_of_executed_units: (\d+)", output)
    took = re.search(r"\[run.py\] \S+ took (\d+) s", output)
    if done is None and units is not None and took is not None:  # interrupted (Ctrl-C)
        done = re.match(r"(\d+) (\d+)", f"{units[1]} {took[1]}")
    stats = re.findall(r"cov: (\d+) ft: (\d+)", output)
    crashes = output.count("\nCRASH ") + output.startswith("CRASH ")
    if done is None:
        # Both plain-loop summaries: "--plain N" says "in X s"; the timed loop run when
        # atheris is missing says "atheris is not installed; N plain inputs" and its time
        # is the one run.py measured.
        plain = re.search(r"(\d+) plain inputs(?:.* in ([\d.]+) s)?", output)
        if plain is None:
            return f"{name}: did not finish (see its log)"
        seconds = plain[2] or (took[1] if took is not None else "?")
        return f"{name}: {plain[1]} plain inputs in {seconds} s, crashes {crashes}"
    cov = f", cov {stats[-1][0]}, ft {stats[-1][1]}" if stats else ""
    return f"{name}: {done[1]} inputs in {done[2]} s{cov}, distinct crashes {crashes}"


def merge(names: list[str]) -> None:
    """Minimise fuzz/.work/<name>/ and the committed corpus into fuzz/corpus/<name>/."""
    for name in names:
        work = HERE / ".work" / name
        corpus = HERE / "corpus" / name
        if not work.is_dir():
            continue
        merged = HERE / ".work" / f"{name}.merged"
        shutil.rmtree(merged, ignore_errors=True)
        merged.mkdir(parents=True)
        sources = [str(d) for d in (corpus, work) if d.is_dir()]
        _run(name, ["-merge=1", str(merged), *sources], dict(os.environ))
        files = sorted(
            (p for p in merged.iterdir() if p.stat().st_size <= CORPUS_FILE_BYTES),
            key=lambda p: (p.stat().st_size, p.name),
        )[:CORPUS_FILES]
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        for path in files:
            shutil.copy(path, corpus / path.name)
        print(f"{name}: {len(files)} corpus files")


_FLAGS = ("--campaign", "--runs", "--plain", "--merge", "--seed")


def _usage_error(argv: list[str]) -> str | None:
    """Why ``argv`` is not a command line this script understands, or None."""
    for i, arg in enumerate(argv):
        follows_number_flag = i > 0 and argv[i - 1] in ("--runs", "--plain", "--seed")
        if arg in _FLAGS or arg in HARNESSES or (arg.isdigit() and follows_number_flag):
            continue
        return f"unknown argument {arg!r}; harnesses: {', '.join(HARNESSES)}"
    for flag in ("--runs", "--seed"):
        after = argv[argv.index(flag) + 1 :][:1] if flag in argv else ["0"]
        if not (after and after[0].isdigit()):
            return f"{flag} needs a number"
    return None


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    problem = _usage_error(argv)
    if problem is not None:
        print(f"fuzz/run.py: {problem}", file=sys.stderr)
        return 2
    names = [a for a in argv if not a.startswith("-") and a in HARNESSES]
    numbers = [a for a in argv if a.isdigit()]
    names = names or list(HARNESSES)
    if "--merge" in argv:
        merge(names)
        return 0
    env = dict(os.environ)
    seconds = env.get("FUZZ_SECONDS", "60")
    atheris = _has_atheris() and "--plain" not in argv
    if "--campaign" in argv:
        args = ["-runs=1000000"] if atheris else ["--plain", "1000000"]
        env["FUZZ_KEEP_GOING"] = "1"
    elif "--runs" in argv:
        args = [f"-runs={numbers[0]}"] if atheris else ["--plain", numbers[0]]
    elif "--plain" in argv:
        args = ["--plain", numbers[0] if numbers else "2000"]
    elif atheris:
        args = [f"-max_total_time={seconds}"]
    else:
        args = []  # the harness's own plain loop for FUZZ_SECONDS
        env["FUZZ_SECONDS"] = seconds
    if "--seed" in argv and not atheris:
        args += ["--seed", argv[argv.index("--seed") + 1]]
    failed = 0
    lines = []
    for name in names:
        status, output = _run(name, args, env)
        log = HERE / ".work" / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(output, "utf-8")
        line = _summary(name, output)
        if status != 0:
            failed += 1
            line += f"; FAILED (exit {status}), log {log.relative_to(HERE.parent)}"
            print(output[-3000:], file=sys.stderr)
        print(line, flush=True)
        lines.append(line)
    if "--campaign" in argv:
        with (HERE / ".work" / "campaign.txt").open("a", encoding="utf-8") as out:
            out.write(time.strftime("%Y-%m-%d %H:%M UTC\n", time.gmtime()))
            out.writelines(f"  {line}\n" for line in lines)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
