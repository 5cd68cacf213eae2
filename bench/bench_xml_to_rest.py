"""Benchmark: prompt-answer XML -> model -> REST JSON text, against its parse floor.

Three workloads (issue #11): 1,000 prompts mixing value, element and object answers;
1,000 value prompts; one prompt with 10,000 elements.  Each is timed end to end
(``rest.dumps(xml.decode(text))``) next to the floor for the same data: bare
``lxml.etree.fromstring`` of the same XML plus ``json.dumps`` of the same REST body,
interleaved in the same process (see ``harness.py``).  The target is 2.0x.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_xml_to_rest.py``).
"""

from __future__ import annotations

import json

from harness import Row, compare, report
from lxml import etree
from workloads import XML_WORKLOADS

from mstr_prompts import rest, xml

TARGET = 2.0


def measure(label: str, text: str) -> Row:
    body = rest.encode(xml.decode(text))  # the same data, for the floor
    assert json.loads(rest.dumps(xml.decode(text), indent=None)) == body

    def ours() -> object:
        return rest.dumps(xml.decode(text), indent=None)

    def floor() -> object:
        etree.fromstring(text.encode("utf-8"))
        return json.dumps(body, ensure_ascii=False)

    return compare(label, ours, floor, target=TARGET)


def main() -> None:
    rows = [measure(label, make()) for label, make in XML_WORKLOADS.items()]
    report("XML -> model -> REST text", "lxml parse + json.dumps", rows)


if __name__ == "__main__":
    main()
