"""Fuzz ``rest.decode``: JSON text, bytes and parsed mappings.

Checks, for every input: only the library's own errors escape; bytes, text and the
parsed mapping give the same outcome; the fast path (deferred rows) and the checked path
give the same answers or the same error; ``rest.decode(rest.dumps(a)) == a``.
"""

from __future__ import annotations

import json
import sys

import common

from mstr_prompts import rest
from mstr_prompts.errors import PromptAnswerError

NAME = "rest"
TOKENS = (
    '"prompts"', '"key"', '"id"', '"name"', '"type"', '"answers"', '"useDefault"',
    '"VALUE"', '"ELEMENTS"', '"OBJECTS"', '"EXPRESSION"', '"LEVEL"', '"elements"',
    '"xml"', '"expression"', '"operator"', '"operands"', '"units"', '"definition"',
    '"attribute"', '"metric"', "@0@10", "h1;8D679D3711D3E4981000E787EC6DE8A4",
    "<exp", "<mi>", "</exp>",
)  # fmt: skip


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in common.fixture_files("rest", "datamart", "client")]
    out += [
        json.dumps(d).encode()
        for d in common.json_documents()
        if isinstance(d, dict) and "prompts" in d
    ]
    return out + common.encodings(lambda a: rest.dumps(a, ignore_locale=True))


def _decode_bytes(data: bytes) -> object:
    return common.attempt(lambda: rest.decode(data))


def check(data: bytes) -> None:
    first = _decode_bytes(data)
    with common.switched(rest, "_FAST", False):
        common.same_outcome("fast vs checked path", first, _decode_bytes(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not text.startswith("\ufeff"):
        common.same_outcome("bytes vs text", first, common.attempt(lambda: rest.decode(text)))
        document = common.parsed_json(text)
        if isinstance(document, dict) and not isinstance(first, PromptAnswerError):
            common.same_outcome(
                "text vs mapping", first, common.attempt(lambda: rest.decode(document))
            )
    if isinstance(first, PromptAnswerError):
        return
    common.round_trip(
        "rest round trip", first, lambda a: rest.dumps(a, ignore_locale=True), rest.decode
    )


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
