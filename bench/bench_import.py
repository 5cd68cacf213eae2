"""Benchmark: the time ``import mstr_prompts`` adds to a bare interpreter start.

Each command runs in a fresh interpreter, alternately with bare ``python -c pass``,
``ROUNDS`` times; the best of each is kept.  The target is 150 ms over bare Python for
``import mstr_prompts``.  The other lines show what the first use of each part costs
(pydantic and the model's schemas load when a codec is first imported).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_import.py``).
"""

from __future__ import annotations

import subprocess
import sys
import time

from harness import ROUNDS

COMMANDS = {
    "import mstr_prompts": "import mstr_prompts",
    "CLI --help": "import sys; sys.argv = ['mstr-prompts', '--help'];"
    " from mstr_prompts.cli import main\ntry: main()\nexcept SystemExit: pass",
    "from mstr_prompts import rest, xml, url": "from mstr_prompts import rest, xml, url",
    "... and convert one XML answer to REST": (
        "from mstr_prompts import rest, xml; rest.dumps(xml.decode("
        '\'<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">'
        "Web</pa></rsl>'))"
    ),
}
TARGET_MS = 150.0


def run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    best = dict.fromkeys(["pass", *COMMANDS], float("inf"))
    for _ in range(ROUNDS):
        for name in best:
            best[name] = min(best[name], run(COMMANDS.get(name, "pass")))
    bare = best.pop("pass")
    print(f"Import time over bare `python -c pass` ({bare * 1e3:.1f} ms), best of {ROUNDS}")
    width = max(map(len, best)) + 2
    print(f"{'command':<{width}}{'total':>10}{'added':>10}{'target':>10}")
    for name, seconds in best.items():
        target = f"{TARGET_MS:.0f} ms" if name == "import mstr_prompts" else ""
        print(
            f"{name:<{width}}{seconds * 1e3:>7.1f} ms{(seconds - bare) * 1e3:>7.1f} ms{target:>10}"
        )
    print()


if __name__ == "__main__":
    main()
