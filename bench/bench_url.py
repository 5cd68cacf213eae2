"""Benchmark: a 1,000-element ``elementsPromptAnswers`` query, decoded and encoded.

The workload (issue #4) is one query string whose ``elementsPromptAnswers`` answers 10
element prompts with 100 elements each (1,000 elements, display names included).  We
time ``url.decode`` of the query and ``url.encode_query`` of the decoded answers next to
the bare floor for the same string: ``urllib.parse.parse_qsl`` plus
``str.split(',')``/``split(';')``/``split('^')`` (no validation, no model), and for
encoding the floor is joining those pieces back and ``urllib.parse.quote``.  The ratio is
ours / floor.  Best of several runs, so noise only ever makes us look slower.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_url.py``).
"""

from __future__ import annotations

import timeit
import urllib.parse
from collections.abc import Callable

from mstr_prompts import url
from mstr_prompts.model import ElementAnswer

PROMPTS = 10
ELEMENTS_PER_PROMPT = 100
REPEAT = 7


def _attribute(n: int) -> str:
    return f"8D679D{n:02d}11D3E4981000E787EC6DE8A4"


def thousand_elements() -> str:
    """A query answering 10 element prompts with 100 elements each."""
    prompts = []
    for p in range(PROMPTS):
        attribute = _attribute(p)
        elements = ";".join(f"{attribute}:{k}%5EElement%20{k}" for k in range(ELEMENTS_PER_PROMPT))
        prompts.append(f"{attribute};{elements}")
    return "evt=4001&src=mstrWeb.4001&reportID=4CF6D88A4588097466A4B7B8851A161F" + (
        "&elementsPromptAnswers=" + ",".join(prompts)
    )


def floor_decode(query: str) -> list[list[list[str]]]:
    """The least a decoder must do: split the query, then the three separators."""
    value = dict(urllib.parse.parse_qsl(query))["elementsPromptAnswers"]
    return [[e.split("^") for e in p.split(";")] for p in value.split(",")]


def floor_encode(parts: list[list[list[str]]]) -> str:
    """The least an encoder must do: join the pieces and percent-encode once."""
    text = ",".join(";".join("^".join(e) for e in p) for p in parts)
    return "elementsPromptAnswers=" + urllib.parse.quote(text, safe=",;:~")


def best(function: Callable[[], object], number: int) -> float:
    """Best time per call in seconds over REPEAT runs of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=REPEAT)) / number


def main() -> None:
    query = thousand_elements()
    answers = url.decode(query)
    elements = sum(len(a.elements) for a in answers if isinstance(a, ElementAnswer))
    assert elements == PROMPTS * ELEMENTS_PER_PROMPT
    parts = floor_decode(query)
    assert url.decode(url.encode_query(answers)) == answers

    rows = [
        ("decode", best(lambda: url.decode(query), 20), best(lambda: floor_decode(query), 200)),
        (
            "encode_query",
            best(lambda: url.encode_query(answers), 20),
            best(lambda: floor_encode(parts), 200),
        ),
    ]
    print(f"elementsPromptAnswers: {elements} elements in {PROMPTS} prompts, {len(query):,} chars")
    print(f"{'operation':<14}{'mstr-prompts':>14}{'floor':>12}{'ratio':>8}")
    for name, ours, floor in rows:
        print(f"{name:<14}{ours * 1e3:>11.2f} ms{floor * 1e3:>9.3f} ms{ours / floor:>7.1f}x")


if __name__ == "__main__":
    main()
