"""Benchmark: prompt-answer XML -> model -> REST JSON text, against its parse floor.

Two sets of workloads.  Issue #11's, spelled as MicroStrategy's DHTML writer spells
them: 1,000 prompts mixing value, element and object answers; 1,000 value prompts; one
prompt with 10,000 elements.  And issue #22's, spelled as other people write the same
answers (``workloads.OTHER_XML_WORKLOADS``): element display names and object names,
expressions beside the other families, indentation, long value strings, non-ASCII names.

Each is timed end to end both ways a caller writes REST text: ``rest.dumps(xml.decode(
text))``, and ``json.dumps(rest.encode(xml.decode(text)))`` (the README's first example),
each next to the floor for the same data: bare ``lxml.etree.fromstring`` of the same XML
plus ``json.dumps`` of the same REST body, interleaved in the same process (see
``harness.py``).  The target is 2.0x.

Plain documents are read straight from their text (``mstr_prompts._xml_text``); with
``--tree`` each workload is also timed with that reader switched off (every document
parsed into lxml's tree, as before it existed), side by side in the same run.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_xml_to_rest.py [--tree]``).
"""

from __future__ import annotations

import json
import sys

from harness import Row, compare, report
from lxml import etree
from workloads import OTHER_XML_WORKLOADS, XML_WORKLOADS

from mstr_prompts import rest, xml

TARGET = 2.0


def measure(label: str, text: str) -> list[Row]:
    body = rest.encode(xml.decode(text))  # the same data, for the floor
    assert json.loads(rest.dumps(xml.decode(text))) == body

    def dumps() -> object:
        return rest.dumps(xml.decode(text))

    def encode() -> object:
        return json.dumps(rest.encode(xml.decode(text)), ensure_ascii=False)

    def floor() -> object:
        etree.fromstring(text.encode("utf-8"))
        return json.dumps(body, ensure_ascii=False)

    rows = [
        compare(f"{label}: rest.dumps", dumps, floor, target=TARGET),
        compare(f"{label}: json.dumps(rest.encode)", encode, floor, target=TARGET),
    ]
    if "--tree" in sys.argv[1:]:
        xml._RAW = False  # the text reader off: every document parsed into a tree
        try:
            rows.append(compare(f"{label}: rest.dumps, tree", dumps, floor, target=TARGET))
            rows.append(
                compare(f"{label}: json.dumps(rest.encode), tree", encode, floor, target=TARGET)
            )
        finally:
            xml._RAW = True
    return rows


def main() -> None:
    for title, workloads in (
        ("XML -> model -> REST text", XML_WORKLOADS),
        ("XML -> model -> REST text, spelled as others write it", OTHER_XML_WORKLOADS),
    ):
        rows = [row for label, make in workloads.items() for row in measure(label, make())]
        report(title, "lxml parse + json.dumps", rows)


if __name__ == "__main__":
    main()
