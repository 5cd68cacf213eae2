"""Benchmark: REST JSON text -> model -> REST JSON text, against ``json.loads`` + ``json.dumps``.

The bodies are the REST spelling of the XML workloads (``workloads.py``), so the two
benchmarks read the same answers.  Each is timed end to end
(``rest.dumps(rest.decode(text))``) next to ``json.dumps(json.loads(text))``,
interleaved in the same process (see ``harness.py``).  The target is 3x.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_rest.py``).
"""

from __future__ import annotations

import json

from harness import Row, compare, report
from workloads import XML_WORKLOADS

from mstr_prompts import rest, xml

TARGET = 3.0


def measure(label: str, text: str) -> Row:
    assert rest.dumps(rest.decode(text), indent=None) == text

    def ours() -> object:
        return rest.dumps(rest.decode(text), indent=None)

    def floor() -> object:
        return json.dumps(json.loads(text), ensure_ascii=False)

    return compare(f"{label}, {len(text) // 1024:,} KiB", ours, floor, target=TARGET)


def main() -> None:
    rows = [
        measure(label, rest.dumps(xml.decode(make()), indent=None))
        for label, make in XML_WORKLOADS.items()
    ]
    report("REST text -> model -> REST text", "json.loads + dumps", rows)


if __name__ == "__main__":
    main()
