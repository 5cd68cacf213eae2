"""Benchmark: binding and validating 1,000 prompts with 10,000 elements.

The workload (issue #7) is one report with 1,000 prompts: 400 value prompts (numbers,
dates and texts, all with bounds), 100 object prompts (two objects each) and 500 element
prompts (20 elements each, 10,000 elements).  The same answers are given as a REST
body, as prompt-answer XML and as Web URL parameters.  For each we time decoding the
answers (the yardstick) next to ``definitions.bind`` plus ``definitions.validate`` of the
decoded answers against the report's definitions; the target is at most 2x the decode.
Best of several runs, so noise only ever makes a side look slower.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_definitions.py``).
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from typing import Any

from mstr_prompts import definitions, rest, url, xml
from mstr_prompts.model import AnswerSet, PromptRef

VALUES = 400
OBJECTS = 100
ELEMENT_PROMPTS = 500
ELEMENTS_PER_PROMPT = 20
REPEAT = 7


def _guid(kind: int, n: int) -> str:
    return f"{kind:02X}{n:06X}11D3E4981000E787EC6DE8A4"


def workload() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The definitions (GET …/prompts) and a REST body that answers every prompt."""
    defs: list[dict[str, Any]] = []
    body: list[dict[str, Any]] = []
    for n in range(VALUES):
        key = f"{_guid(1, n)}@0@10"
        kind = n % 3
        item: dict[str, Any] = {"key": key, "name": f"Value {n}", "type": "VALUE"}
        if kind == 0:
            item.update(dataType="NUMERIC", min=0, max=1000000)
            answer = f"{n}.5"
        elif kind == 1:
            item.update(dataType="DATE", min="2000-01-01T00:00:00.000+0000", max="2030-01-01")
            answer = f"2020-01-{n % 28 + 1:02d}T10:00:00.000+0000"
        else:
            item.update(dataType="TEXT", min=1, max=40)
            answer = f"text number {n}"
        defs.append(item)
        body.append({"key": key, "type": "VALUE", "answers": answer})
    for n in range(ELEMENT_PROMPTS):
        key = f"{_guid(2, n)}@0@10"
        attribute = _guid(3, n)
        defs.append(
            {
                "key": key,
                "name": f"Elements {n}",
                "type": "ELEMENTS",
                "min": 1,
                "max": 50,
                "source": {"id": attribute, "name": f"Attribute {n}", "type": 12},
            }
        )
        elements = [
            {"id": f"h{k};{attribute}", "name": f"Element {k}"} for k in range(ELEMENTS_PER_PROMPT)
        ]
        body.append({"key": key, "type": "ELEMENTS", "answers": elements})
    for n in range(OBJECTS):
        key = f"{_guid(4, n)}@0@10"
        defs.append({"key": key, "name": f"Objects {n}", "type": "OBJECTS", "min": 1, "max": 3})
        objects = [{"id": _guid(5, 2 * n + k), "type": "metric", "name": f"M{k}"} for k in (0, 1)]
        body.append({"key": key, "type": "OBJECTS", "answers": objects})
    return defs, {"prompts": body}


def _as_url(bound: AnswerSet) -> AnswerSet:
    """What a Web link keeps: positions for value and object answers, attributes for
    element answers."""
    kept = []
    for answer in bound:
        position = answer.prompt.position if answer.kind in ("value", "objects") else None
        kept.append(answer.model_copy(update={"prompt": PromptRef(position=position)}))
    return AnswerSet(answers=tuple(kept))


def best(function: Callable[[], object], number: int) -> float:
    """Best time per call in seconds over REPEAT runs of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=REPEAT)) / number


def bind_and_validate(answers: AnswerSet, defs: definitions.Definitions) -> None:
    bound = definitions.bind(answers, defs)
    problems = definitions.validate(bound, defs)
    assert not problems, problems[:1]


def main() -> None:
    raw_defs, body = workload()
    defs = definitions.decode(json.dumps(raw_defs))
    rest_text = json.dumps(body)
    answers = rest.decode(rest_text)
    bound = definitions.bind(answers, defs)
    xml_text = xml.encode(bound)
    url_query = url.encode_query(_as_url(bound))
    sources = {
        "rest": (lambda: rest.decode(rest_text), answers),
        "xml": (lambda: xml.decode(xml_text), xml.decode(xml_text)),
        "url": (lambda: url.decode(url_query), url.decode(url_query)),
    }
    elements = ELEMENT_PROMPTS * ELEMENTS_PER_PROMPT
    print(
        f"{len(defs):,} prompts ({VALUES} value, {ELEMENT_PROMPTS} element, {OBJECTS} object), "
        f"{elements:,} elements"
    )
    defs_text = json.dumps(raw_defs)
    decode_defs = best(lambda: definitions.decode(defs_text), 5)
    print(f"definitions.decode of the GET …/prompts reply: {decode_defs * 1e3:.1f} ms")
    print(f"{'answers from':<14}{'decode':>12}{'bind+validate':>16}{'ratio':>8}")
    for name, (decode, decoded) in sources.items():
        assert definitions.bind(decoded, defs) == bound
        ours = best(lambda decoded=decoded: bind_and_validate(decoded, defs), 10)  # type: ignore[misc]
        floor = best(decode, 5)
        print(f"{name:<14}{floor * 1e3:>9.1f} ms{ours * 1e3:>13.1f} ms{ours / floor:>7.2f}x")


if __name__ == "__main__":
    main()
