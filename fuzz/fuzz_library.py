"""Fuzz ``library.decode`` and ``library.decode_body`` in all their forms.

The input is read as a link or query with ``prompts=``, as the parameter's value, as
raw JSON text, as bytes and as the parsed JSON value (rounds, a ``promptsAnswers`` body
or an Embedding payload).  Checks: only the library's own errors escape; text, bytes
and the parsed value agree; and the answers survive ``library.encode`` in each form
(``json``, ``param``, ``body``) read back by ``library.decode``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import common

from mstr_prompts import library
from mstr_prompts.errors import PromptAnswerError

NAME = "library"
TOKENS = (
    "prompts=", "[[", "]]", "[{", "}]", '"key":', '"values":', '"useDefault":false',
    '"useDefault":true', '"answers":', '"messageName":', "@0@10", "~12~", "~4~", "%5B",
    "%5D", "%7B", "%22", "%3A", "%40", ":{[Year]@ID}", "{[", "]@ID}", "<rsl>", "h1;",
)  # fmt: skip


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in common.fixture_files("library")]
    out += [p.read_bytes() for p in common.fixture_files("url") if p.name.startswith("L")]
    out += [json.dumps(d).encode() for d in common.json_documents()
            if isinstance(d, list) and d and all(isinstance(r, list) for r in d)]  # fmt: skip
    return out + common.encodings(lambda a: library.encode(a, form="param", ignore_locale=True))


def _same_success(what: str, first: object, second: object) -> None:
    if not isinstance(first, PromptAnswerError) and not isinstance(second, PromptAnswerError):
        common.same_outcome(what, first, second)


def check(data: bytes) -> None:
    text = common.as_text(data)
    from_text = common.attempt(lambda: library.decode(text))
    from_bytes = common.attempt(lambda: library.decode(data))
    _same_success("text vs bytes", from_text, from_bytes)
    common.attempt(lambda: library.decode_body(text))
    document: Any
    document = common.parsed_json(text)
    if document is not None:
        from_value = common.attempt(lambda: library.decode(document))
        _same_success("text vs parsed value", from_text, from_value)
        common.attempt(lambda: library.decode_body(document))
    for answers in (from_text, from_bytes):
        if isinstance(answers, PromptAnswerError):
            continue
        for form in ("json", "param", "body"):
            common.round_trip(
                f"library {form} round trip",
                answers,
                lambda a, f=form: library.encode(a, form=f, ignore_locale=True),  # type: ignore[misc]
                library.decode,
            )


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
