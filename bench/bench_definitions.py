"""Benchmark: binding and validating answers costs no more than decoding them.

Two reports.  The first (issue #7) has 1,000 prompts: 400 value prompts (numbers, dates
and texts, all with bounds), 100 object prompts (two named objects each) and 500 element
prompts (20 elements each with display names, 10,000 elements).  The second has one
element prompt answered with 10,000 elements.  The same answers are given the ways
users write them: a REST body naming each prompt by key, and one as
mstrio-py writes it (key, id, name and type per prompt), prompt-answer XML, a Web link
with and without display names, and a Library link (``prompts=``).  For each, the floor
is decoding the answers, and ours is decoding them and then ``definitions.bind`` plus
``definitions.validate`` against the report's definitions (what ``convert
--definitions`` and ``validate`` do); the cost of binding and validation is the
difference.  Decoders may defer building models until first use, so the difference
includes any model binding builds: what a user pays.  The target (issue 22) is that
binding and validation cost at most 1x the decode, so the whole at most 2x.  Ours and
the floor are timed interleaved in one process (see ``harness.py``).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_definitions.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from harness import compare, report

from mstr_prompts import definitions, library, rest, url, xml
from mstr_prompts.model import AnswerSet, Element, ElementAnswer, PromptRef

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


def one_prompt(count: int = 10_000) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One element prompt answered with ``count`` elements with display names."""
    key, attribute = f"{_guid(6, 0)}@0@10", _guid(7, 0)
    source = {"id": attribute, "name": "Category", "type": 12}
    defs = [{"key": key, "name": "Category", "type": "ELEMENTS", "max": count, "source": source}]
    elements = [{"id": f"h{k};{attribute}", "name": f"Element {k}"} for k in range(count)]
    return defs, {"prompts": [{"key": key, "type": "ELEMENTS", "answers": elements}]}


def _as_url(bound: AnswerSet, names: bool = True) -> AnswerSet:
    """What a Web link keeps: positions for value and object answers, attributes for
    element answers (and, unless ``names`` is False, the elements' display names)."""
    kept = []
    for answer in bound:
        position = answer.prompt.position if answer.kind in ("value", "objects") else None
        update: dict[str, Any] = {"prompt": PromptRef(position=position)}
        if isinstance(answer, ElementAnswer) and not names:
            update["elements"] = tuple(Element(id=e.id) for e in answer.elements)
        kept.append(answer.model_copy(update=update))
    return AnswerSet(answers=tuple(kept))


def _mstrio_body(bound: AnswerSet) -> str:
    """The body as mstrio-py's ``answer_prompts`` writes it: each prompt's key, id,
    name and type from its definition (tests/mstrio_bodies.py calls the SDK itself)."""
    body = rest.encode(bound)
    for item, answer in zip(body["prompts"], bound, strict=True):
        item.update(id=_guid(9, answer.prompt.position or 0), name=answer.prompt.name)
    return json.dumps(body)


LIBRARY_LINK = (
    "https://example.com/MicroStrategyLibrary/app/B7CA92F04B9FAE8D941C3E9B7E0CD754/"
    "27D33ACF4C8A9A5DF3E8B1BE5DCE4D62/K53--K46?prompts="
)


def bind_and_validate(answers: AnswerSet, defs: definitions.Definitions) -> None:
    bound = definitions.bind(answers, defs)
    problems = definitions.validate(bound, defs)
    assert not problems, problems[:1]


def _inputs(raw_defs: list[dict[str, Any]], body: dict[str, Any], many: bool) -> tuple[
    definitions.Definitions, dict[str, tuple[str, Callable[[str], AnswerSet]]]
]:  # fmt: skip
    defs = definitions.decode(json.dumps(raw_defs))
    rest_text = json.dumps(body)
    bound = definitions.bind(rest.decode(rest_text), defs)
    texts: dict[str, tuple[str, Callable[[str], AnswerSet]]] = {
        "REST body, by key": (rest_text, rest.decode),
        "REST body, mstrio-py": (_mstrio_body(bound), rest.decode),
        "prompt-answer XML": (xml.encode(bound), xml.decode),
        "Web link, display names": (url.encode_query(_as_url(bound)), url.decode),
        "Web link, no names": (url.encode_query(_as_url(bound, names=False)), url.decode),
        "Library link": (LIBRARY_LINK + library.encode(bound, form="param"), library.decode),
    }
    if not many:
        del texts["REST body, mstrio-py"]
    for label, (text, decode) in texts.items():
        assert definitions.bind(decode(text), defs) == (
            bound if "no names" not in label else definitions.bind(decode(text), defs)
        ), label
    return defs, texts


def main() -> None:
    reports = {
        "1,000 prompts": (*workload(), True),
        "1 prompt, 10,000 elements": (*one_prompt(), False),
    }
    elements = ELEMENT_PROMPTS * ELEMENTS_PER_PROMPT
    print(
        f"1,000 prompts: {VALUES} value, {ELEMENT_PROMPTS} element, {OBJECTS} object, "
        f"{elements:,} elements; 1 prompt: 10,000 elements\n"
    )
    rows = []
    for report_label, (raw_defs, body, many) in reports.items():
        defs, texts = _inputs(raw_defs, body, many)
        for label, (text, decode) in texts.items():

            def ours(
                text: str = text,
                decode: Callable[[str], AnswerSet] = decode,
                defs: definitions.Definitions = defs,
            ) -> object:
                bind_and_validate(decode(text), defs)
                return None

            def floor(text: str = text, decode: Callable[[str], AnswerSet] = decode) -> object:
                return decode(text)

            rows.append(compare(f"{report_label}, {label}", ours, floor, target=2.0))
    report("Decode + bind + validate, against decoding alone", "decode", rows)
    width = max(len(r.label) for r in rows) + 2
    for row in rows:
        cost = row.ours - row.floor
        print(f"{row.label:<{width}} bind + validate {cost * 1e3:7.2f} ms = "
              f"{cost / row.floor:.2f}x the decode (target 1x)")  # fmt: skip
    raw_defs, _ = workload()
    defs_text = json.dumps(raw_defs)
    decode_defs = compare("definitions.decode", lambda: definitions.decode(defs_text),
                          lambda: json.loads(defs_text), target=10.0)  # fmt: skip
    print()
    report("Reading the definitions (GET …/prompts, 1,000 prompts)", "json.loads", [decode_defs])


if __name__ == "__main__":
    main()
