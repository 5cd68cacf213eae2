"""Benchmark: captured prompt-answer XML -> model -> REST JSON text.

Two workloads (issue #3): an answer set of 1,000 prompts, and one element prompt with
10,000 elements.  Each is timed end to end (``xml.decode`` then ``rest.dumps``) next to
the bare floor for the same data: ``lxml.etree.fromstring`` of the same XML plus
``json.dumps`` of the same REST body.  The ratio is ours / floor.  Best of several runs,
so noise from the machine only ever makes a figure larger.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_xml_to_rest.py``).
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable

from lxml import etree

from mstr_prompts import rest, xml

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


def _guid(n: int) -> str:
    return f"{n:032X}"


def thousand_prompts() -> str:
    """1,000 prompts, mixed families, as MicroStrategy's builders write them."""
    parts = ["<rsl>"]
    for n in range(1000):
        did = _guid(n)
        family = n % 4
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif family == 1:
            elements = "".join(
                f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1" disp_n="Element {k}"></e>'
                for k in range(5)
            )
            parts.append(
                f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es>'
                f'<at did="{ATTRIBUTE}" tp="12"></at>{elements}</es></mi></pa>'
            )
        elif family == 2:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="2" '
                f'sto="1" pfc="0" pcc="2"><mt did="{_guid(n + 5000)}" tp="4" n="Revenue"></mt>'
                f'<at did="{ATTRIBUTE}" tp="12" n="Category"></at></fct></mi></pa>'
            )
        else:
            parts.append(f'<pa pt="5" pin="0" did="{did}" tp="10">1/{n % 28 + 1}/2024</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def ten_thousand_elements() -> str:
    """One element prompt answered with 10,000 elements."""
    elements = "".join(
        f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1" disp_n="Element {k}"></e>' for k in range(10000)
    )
    return (
        f'<rsl><pa pt="7" pin="0" did="{_guid(1)}" tp="10"><mi><es>'
        f'<at did="{ATTRIBUTE}" tp="12"></at>{elements}</es></mi></pa></rsl>'
    )


def best(fn: Callable[[], object], repeat: int = 10) -> float:
    """Best wall time of one call, in seconds."""
    number = 10
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def measure(label: str, text: str) -> tuple[str, float, float]:
    body = rest.encode(xml.decode(text))  # the same data, for the floor

    def ours() -> object:
        return rest.dumps(xml.decode(text), indent=None)

    def floor() -> object:
        etree.fromstring(text.encode("utf-8"))
        return json.dumps(body, ensure_ascii=False)

    # The floor first: timed after ours, it runs on a heap our objects have churned and
    # comes out slower, which would flatter the ratio.
    floor_time = best(floor)
    return label, best(ours), floor_time


def main() -> None:
    rows = [
        measure("1,000 prompts", thousand_prompts()),
        measure("1 prompt, 10,000 elements", ten_thousand_elements()),
    ]
    print(f"{'workload':<28} {'xml->rest':>11} {'lxml+json floor':>16} {'ratio':>7}")
    for label, ours, floor in rows:
        print(f"{label:<28} {ours * 1000:>9.1f}ms {floor * 1000:>14.1f}ms {ours / floor:>6.1f}x")


if __name__ == "__main__":
    main()
