"""Shared timing for the benchmarks: ours and the floor, interleaved, in one process.

The project's machine is shared, so a single timing means little.  Each workload runs
ours and its floor alternately, ``ROUNDS`` times, and keeps the best time of each:
noise only ever makes a figure larger, and interleaving exposes both sides to the same
machine state (heap, caches, neighbours).  The garbage collector stays on for both,
as it is in real use.  No test asserts a time; these scripts only report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))


@dataclass(frozen=True)
class Row:
    """One workload: our best time, the floor's best time, and the target ratio."""

    label: str
    ours: float
    floor: float
    target: float

    @property
    def ratio(self) -> float:
        return self.ours / self.floor


def _once(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def compare(
    label: str,
    ours: Callable[[], object],
    floor: Callable[[], object],
    *,
    target: float,
    number: int = 1,
    rounds: int = ROUNDS,
) -> Row:
    """Best time per call of ``ours`` and ``floor``, measured alternately."""
    ours()  # warm both up (first-use imports, schema building, caches)
    floor()
    best_ours = best_floor = float("inf")
    for _ in range(rounds):
        best_floor = min(best_floor, _once(floor, number))
        best_ours = min(best_ours, _once(ours, number))
    return Row(label, best_ours, best_floor, target)


def report(title: str, floor_name: str, rows: Sequence[Row]) -> None:
    """Print a table: workload, ours, floor, ratio, target."""
    print(title)
    width = max(len(r.label) for r in rows) + 2
    floor_width = max(len(floor_name), 9) + 2
    print(f"{'workload':<{width}}{'ours':>11}{floor_name:>{floor_width}}{'ratio':>8}{'target':>8}")
    for r in rows:
        print(
            f"{r.label:<{width}}{r.ours * 1e3:>8.2f} ms{r.floor * 1e3:>{floor_width - 3}.2f} ms"
            f"{r.ratio:>7.2f}x{r.target:>7.1f}x"
        )
    print()
