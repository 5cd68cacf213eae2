"""Benchmark: binding and validating 1,000 prompts with 10,000 elements.

The workload (issue #7) is one report with 1,000 prompts: 400 value prompts (numbers,
dates and texts, all with bounds), 100 object prompts (two objects each) and 500 element
prompts (20 elements each, 10,000 elements).  The same answers are given as a REST
body, as prompt-answer XML and as Web URL parameters.  For each, the floor is decoding
the answers, and ours is decoding them and then ``definitions.bind`` plus
``definitions.validate`` against the report's definitions; the cost of binding and
validation is the difference.  Decoders may defer building models until first use (XML
does), so the difference includes building them: what a user pays.  The target is that
binding and validation cost at most 2x the decode, so the whole at most 3x.  Ours and
the floor are timed interleaved in one process (see ``harness.py``).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_definitions.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from harness import compare, report

from mstr_prompts import definitions, rest, url, xml
from mstr_prompts.model import AnswerSet, PromptRef

VALUES = 400
OBJECTS = 100
ELEMENT_PROMPTS = 500
ELEMENTS_PER_PROMPT = 20


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


def bind_and_validate(answers: AnswerSet, defs: definitions.Definitions) -> None:
    bound = definitions.bind(answers, defs)
    problems = definitions.validate(bound, defs)
    assert not problems, problems[:1]


def main() -> None:
    raw_defs, body = workload()
    defs_text = json.dumps(raw_defs)
    defs = definitions.decode(defs_text)
    rest_text = json.dumps(body)
    bound = definitions.bind(rest.decode(rest_text), defs)
    texts: dict[str, tuple[str, Callable[[str], AnswerSet]]] = {
        "REST JSON text": (rest_text, rest.decode),
        "prompt-answer XML": (xml.encode(bound), xml.decode),
        "Web URL parameters": (url.encode_query(_as_url(bound)), url.decode),
    }
    elements = ELEMENT_PROMPTS * ELEMENTS_PER_PROMPT
    print(
        f"{len(defs):,} prompts ({VALUES} value, {ELEMENT_PROMPTS} element, {OBJECTS} object), "
        f"{elements:,} elements\n"
    )
    rows = []
    for label, (text, decode) in texts.items():
        assert definitions.bind(decode(text), defs) == bound

        def ours(text: str = text, decode: Callable[[str], AnswerSet] = decode) -> object:
            bind_and_validate(decode(text), defs)
            return None

        def floor(text: str = text, decode: Callable[[str], AnswerSet] = decode) -> object:
            return decode(text)

        rows.append(compare(f"{label}: decode + bind + validate", ours, floor, target=3.0))
    report("Binding and validation after decoding", "decode", rows)
    for row in rows:
        cost = row.ours - row.floor
        print(f"{row.label.split(':')[0]:<20} bind + validate {cost * 1e3:7.2f} ms = "
              f"{cost / row.floor:.2f}x the decode (target 2x)")  # fmt: skip
    decode_defs = compare("definitions.decode", lambda: definitions.decode(defs_text),
                          lambda: json.loads(defs_text), target=10.0)  # fmt: skip
    print()
    report("Reading the definitions (GET …/prompts, 1,000 prompts)", "json.loads", [decode_defs])


if __name__ == "__main__":
    main()
