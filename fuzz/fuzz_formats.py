"""Fuzz ``formats.detect`` and the ``--from auto`` path behind it.

Checks, for every input: ``detect`` names one of ``formats.FORMATS`` or raises the
library's own error, and the decoder it names then reads the text or raises the
library's own error (what ``mstr-prompts convert --from auto`` does).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import common

from mstr_prompts import definitions, formats, library, rest, url, xml
from mstr_prompts.errors import PromptAnswerError

NAME = "formats"
TOKENS = (
    '{"prompts":[', '{"answers":[', '[[', '"type":', '"required":', "<rsl>", "<pa ", "%3Crsl",
    "&lt;rsl", "valuePromptAnswers=", "prompts=", "\ufeff", "<mi>",
)  # fmt: skip
DECODERS: dict[str, Callable[[str], object]] = {
    "rest": rest.decode,
    "xml": lambda t: xml.decode(t.strip()),
    "url": lambda t: url.decode(t.strip()),
    "library": lambda t: library.decode(t.strip()),
    "definitions": definitions.decode,
}


def seeds() -> list[bytes]:
    return [p.read_bytes() for p in common.fixture_files()]


def check(data: bytes) -> None:
    text = common.as_text(data)
    fmt = common.attempt(lambda: formats.detect(text))
    if isinstance(fmt, PromptAnswerError):
        return
    if fmt not in formats.FORMATS:
        raise common.Crash(f"detect returned {fmt!r}")
    common.attempt(lambda: DECODERS[fmt](text))


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
