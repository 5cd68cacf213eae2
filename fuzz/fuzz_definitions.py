"""Fuzz ``definitions.decode`` (the response of ``GET …/prompts``) and what reads it.

Checks, for every input: only the library's own errors escape from ``decode`` (text,
bytes and the parsed JSON value, which must agree), and from ``bind``, ``validate`` and
``complete`` of the decoded definitions against answers decoded from the fixtures.
Definitions have no encoder, so there is no round trip.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import common

from mstr_prompts import definitions, validation
from mstr_prompts.errors import PromptAnswerError

NAME = "definitions"
TOKENS = (
    '"key":', '"type":', '"VALUE"', '"ELEMENTS"', '"OBJECTS"', '"EXPRESSION"', '"LEVEL"',
    '"required":true', '"closed":false', '"min":', '"max":', '"dataType":', '"defaultAnswer":',
    '"answers":', '"source":', '"title":', '"2024-01-31T00:00:00.000+0000"', '"Real"',
    '"Date"', '"Text"', "1.5e308", "-0", "8D679D4B11D3E4981000E787EC6DE8A4",
)  # fmt: skip


def seeds() -> list[bytes]:
    return [p.read_bytes() for p in common.fixture_files("definitions")]


@functools.cache
def _answer_sets() -> list[Any]:
    return common.all_answer_sets()[:12]


def check(data: bytes) -> None:
    text = common.as_text(data)
    decoded = common.attempt(lambda: definitions.decode(text))
    from_bytes = common.attempt(lambda: definitions.decode(data))
    if not isinstance(decoded, PromptAnswerError) and not isinstance(from_bytes, PromptAnswerError):
        common.same_outcome("text vs bytes", decoded, from_bytes)
    document = common.parsed_json(text)
    if isinstance(document, (dict, list)):
        from_value = common.attempt(lambda: definitions.decode(document))
        if not isinstance(decoded, PromptAnswerError):
            common.same_outcome("text vs parsed value", decoded, from_value)
    if isinstance(decoded, PromptAnswerError):
        return
    for answers in _answer_sets():
        common.attempt(functools.partial(definitions.bind, answers, decoded))
        common.attempt(functools.partial(validation.validate, answers, decoded))
        for missing in ("default", "close", "error"):
            common.attempt(functools.partial(definitions.complete, answers, decoded, missing))


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
