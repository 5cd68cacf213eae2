"""Benchmark: a 1,000-element ``elementsPromptAnswers`` query, decoded and encoded.

The workload (issue #11) is one query string whose ``elementsPromptAnswers`` answers 10
element prompts with 100 elements each (1,000 elements, display names included).  We
time ``url.encode_query(url.decode(query))`` next to the floor for the same string:
``urllib.parse.parse_qsl``, then ``str.split`` on the three separators, then joining
the pieces back and ``urllib.parse.urlencode`` (no validation, no model), interleaved in
the same process (see ``harness.py``).  The target is 3x.  The two halves are reported
too, against the matching halves of the floor.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_url.py``).
"""

from __future__ import annotations

import urllib.parse

from harness import compare, report
from workloads import elements_query

from mstr_prompts import url
from mstr_prompts.model import ElementAnswer

TARGET = 3.0
PARAM = "elementsPromptAnswers"


def floor_decode(query: str) -> list[list[list[str]]]:
    """The least a decoder must do: split the query, then the three separators."""
    value = dict(urllib.parse.parse_qsl(query))[PARAM]
    return [[e.split("^") for e in p.split(";")] for p in value.split(",")]


def floor_encode(parts: list[list[list[str]]]) -> str:
    """The least an encoder must do: join the pieces and percent-encode once."""
    text = ",".join(";".join("^".join(e) for e in p) for p in parts)
    return urllib.parse.urlencode({PARAM: text}, safe=",;:~", quote_via=urllib.parse.quote)


def main() -> None:
    query = elements_query()
    answers = url.decode(query)
    elements = sum(len(a.elements) for a in answers if isinstance(a, ElementAnswer))
    assert elements == 1000
    assert url.decode(url.encode_query(answers)) == answers
    parts = floor_decode(query)
    assert url.encode_query(answers) == floor_encode(parts)

    rows = [
        compare(
            "decode + encode_query",
            lambda: url.encode_query(url.decode(query)),
            lambda: floor_encode(floor_decode(query)),
            target=TARGET,
            number=5,
        ),
        compare(
            "decode alone",
            lambda: url.decode(query),
            lambda: floor_decode(query),
            target=TARGET,
            number=5,
        ),
        compare(
            "encode_query alone",
            lambda: url.encode_query(answers),
            lambda: floor_encode(parts),
            target=TARGET,
            number=5,
        ),
    ]
    title = f"Web URL: {elements:,} elements in 10 prompts, {len(query):,} characters"
    report(title, "parse_qsl+split+urlencode", rows)


if __name__ == "__main__":
    main()
