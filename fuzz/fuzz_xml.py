"""Fuzz ``xml.decode`` with text and with bytes.

Checks, for every input: only the library's own errors escape, for the bytes and for
the same bytes read as UTF-8 text; when both decode, they agree; the fast path (deferred
rows) and the checked path give the same answers or the same error; and
``xml.decode(xml.encode(a)) == a``.
"""

from __future__ import annotations

import sys

import common

from mstr_prompts import xml
from mstr_prompts.errors import PromptAnswerError

NAME = "xml"
TOKENS = (
    "<rsl>", "</rsl>", "<pa ", "</pa>", "<mi>", "</mi>", "<es>", "</es>", "<e ", "/>",
    "<fct ", "<at ", "<exp ", "<dmy ", "<fct qsr=\"0\" fcn=\"0\" cc=\"1\" sto=\"1\" pfc=\"0\" pcc=\"1\">",
    " pt=\"5\"", " pin=\"0\"", " did=\"", " tp=\"10\"", " lcl=\"1033\"", " ei=\"", " emt=\"1\"",
    " art=\"1\"", " disp_n=\"", " ia=\"1\"", " rcv=\"", " n=\"", " t=\"", "<![CDATA[", "]]>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", "&e;", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    "<?xml version=\"1.0\" encoding=\"UTF-7\"?>", "\xfe\xff", "<!--", "-->", "%3C", "%3E", "%22",
)  # fmt: skip


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in common.fixture_files("xml")]
    out += [p.read_bytes() for p in common.fixture_files("url") if p.name.startswith("C14-xml")]
    return out + common.encodings(xml.encode)


def _decode(source: str | bytes) -> object:
    return common.attempt(lambda: xml.decode(source))


def check(data: bytes) -> None:
    from_bytes = _decode(data)
    with common.switched(xml, "_FAST", False):
        common.same_outcome("fast vs checked path (bytes)", from_bytes, _decode(data))
    text = common.as_text(data)
    from_text = _decode(text)
    with common.switched(xml, "_FAST", False):
        common.same_outcome("fast vs checked path (text)", from_text, _decode(text))
    both = not isinstance(from_bytes, PromptAnswerError) and not isinstance(
        from_text, PromptAnswerError
    )
    if both and from_bytes != from_text and data.isascii():
        raise common.Crash(f"bytes and text decode differently: {from_bytes!r} != {from_text!r}")
    for answers in (from_bytes, from_text):
        if not isinstance(answers, PromptAnswerError):
            common.round_trip("xml round trip", answers, xml.encode, xml.decode, common.typed)


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
