"""Fuzz ``url.decode``: links, query strings and parameter mappings.

Checks, for every input: only the library's own errors escape (also with
``allow_empty=True``, and for the same text given as the value of each answer parameter
in a mapping); the fast path (deferred rows) and the checked path agree; and the answers
survive ``url.encode_query`` and ``url.encode`` (a mapping) read back by ``url.decode``.
"""

from __future__ import annotations

import functools
import sys

import common

from mstr_prompts import url
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import AnswerSet

NAME = "url"
PARAMS = (
    "valuePromptAnswers", "elementsPromptAnswers", "objectsPromptAnswers",
    "promptsAnswerXML", "promptAnswerMode",
)  # fmt: skip
TOKENS = (
    *(p + "=" for p in PARAMS), "promptAnswerXML=", "elementPromptAnswers=", "prompts=",
    "mstrWeb?evt=4001&src=mstrWeb.4001&reportID=", "%3D", "%5E", "%3B", "%2C", "%3A",
    "%7E", "%251B", "%0A", "8D679D3711D3E4981000E787EC6DE8A4:", "~4~", "~12~", "~1~",
    "h1;8D679D3711D3E4981000E787EC6DE8A4", "BB:", "<rsl>", "<pa pt=\"5\"",
)  # fmt: skip


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in common.fixture_files("url")]
    out += [v.encode() for d in common.json_documents() if isinstance(d, dict)
            for k, v in d.items() if k in PARAMS and isinstance(v, str)]  # fmt: skip
    # Separators only: decoded to no answers at all before (found by a mutation fuzzer).
    out += [b"elementsPromptAnswers=,", b"evt=4001&elementsPromptAnswers=%2C%2C"]
    return out + common.encodings(lambda a: url.encode_query(a, fallback="xml"))


def _decode(source: str | dict[str, str], allow_empty: bool = False) -> object:
    return common.attempt(lambda: url.decode(source, allow_empty=allow_empty))


def check(data: bytes) -> None:
    text = common.as_text(data)
    outcomes = []
    for source in (text, {PARAMS[data[0] % 5] if data else PARAMS[0]: common.as_text(data[1:])}):
        first = _decode(source)
        with common.switched(url, "_FAST", False):
            common.same_outcome("fast vs checked path", first, _decode(source))
        outcomes.append(first)
    empty = _decode(text, allow_empty=True)
    first = outcomes[0]
    # No silent empty: text with an answer parameter gives answers or a mode, unless it
    # is promptsAnswerXML's empty <rsl/> (docs/xml.md: the empty set).
    if isinstance(first, AnswerSet) and not (len(first) or first.mode or "rsl" in text.lower()):
        raise common.Crash(f"an answer parameter decoded to no answers: {text!r}")
    if not isinstance(outcomes[0], PromptAnswerError):
        common.same_outcome("allow_empty", outcomes[0], empty)
    for answers in (empty, outcomes[1]):
        if isinstance(answers, PromptAnswerError):
            continue
        for what, encode in (("query", url.encode_query), ("mapping", url.encode)):
            common.round_trip(
                f"url {what} round trip",
                answers,
                functools.partial(encode, fallback="xml"),
                functools.partial(url.decode, allow_empty=True),
                common.typed,
            )


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
