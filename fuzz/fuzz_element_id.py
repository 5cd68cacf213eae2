"""Fuzz ``element_id.parse_element_id``: every presentation of an element ID.

Checks, for every input: only the library's own errors escape; an ``ElementId`` reads
back from each spelling it writes (terse with its display name, terse without, old
short without the display name, terse-default as the key alone); an
``OpaqueElementId`` writes only its own text, or refuses.
"""

from __future__ import annotations

import json
import re
import sys

import common

from mstr_prompts.element_id import ElementId, OpaqueElementId, parse_element_id
from mstr_prompts.errors import PromptAnswerError

NAME = "element_id"
TOKENS = (
    "BB:", "h", ";", "*:", "*;", "**", "\\;", ":1:2:0:2:1:3:", "8D679D4B11D3E4981000E787EC6DE8A4",
    "8D679D4B11D3E4981000E787EC6DE8A4:", ";8D679D4B11D3E4981000E787EC6DE8A4", "h1;;Books",
)  # fmt: skip
_IDS = re.compile(
    r"(?:BB:[^\s\"'<>&^]+|[0-9A-F]{32}:[^\s\"'<>&^,]+|h[^\s\"'<>&^,]*;[0-9A-F]{32}[^\s\"'<>&^,]*)"
)


def seeds() -> list[bytes]:
    samples = json.loads((common.FIXTURES / "element-ids" / "samples.json").read_text("utf-8"))
    out = [s["text"].encode() for s in samples]
    out += [
        v.encode() for s in samples for v in s.get("expected", {}).values() if isinstance(v, str)
    ]
    for path in common.fixture_files():
        out += [m.encode() for m in _IDS.findall(path.read_text("utf-8"))]
    return out


def _reads_back(what: str, text: str, expected: object) -> None:
    again = common.attempt(lambda: parse_element_id(text))
    if again != expected:
        raise common.Crash(f"{what} {text!r} reads as {again!r}, not {expected!r}")


def check(data: bytes) -> None:
    text = common.as_text(data)
    parsed = common.attempt(lambda: parse_element_id(text))
    if isinstance(parsed, PromptAnswerError):
        return
    if isinstance(parsed, OpaqueElementId):
        for spell in (parsed.to_old_short, parsed.to_terse, parsed.to_terse_default):
            out = common.attempt(spell)
            if not isinstance(out, PromptAnswerError) and out != text:
                raise common.Crash(f"opaque {text!r} is written as {out!r}")
        return
    if not isinstance(parsed, ElementId):
        raise common.Crash(f"parse_element_id returned {parsed!r}")
    _reads_back("terse", parsed.to_terse(), parsed)
    _reads_back(
        "terse without display", parsed.to_terse(include_display=False), parsed.without_display()
    )
    short = common.attempt(parsed.to_old_short)
    if not isinstance(short, PromptAnswerError):
        _reads_back("old short", short, parsed.without_display())
    default = ElementId(keys=parsed.keys)
    _reads_back("terse default", parsed.to_terse_default(), default)


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
