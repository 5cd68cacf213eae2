"""Fuzz ``links.parse``: Web links and Library links.

Checks, for every input: only the library's own errors escape; ``parse`` returns a
``WebLink`` or a ``LibraryLink``; and a parsed link rebuilt with ``links.web_url`` or
``links.library_url`` (when they accept its parts) parses back to the same object and
answers; a Web link has exactly the answers ``url.decode`` reads in the same text.
"""

from __future__ import annotations

import sys
from typing import Any

import common

from mstr_prompts import links, url
from mstr_prompts.errors import PromptAnswerError

NAME = "links_parse"
TOKENS = (
    "http://", "https://", "mstrWeb?", "/servlet/mstrWeb?", "/asp/Main.aspx?", "/app/",
    "MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/837B57D711E941BF000000806FA1298F",
    "evt=4001&", "evt=3140&", "src=mstrWeb.4001&", "reportID=", "documentID=", "&prompts=",
    "valuePromptAnswers=", "elementsPromptAnswers=", "objectsPromptAnswers=",
    "promptsAnswerXML=", "promptAnswerMode=2", "[::1]", "http://[", ":8080", "%2F", "%3F",
    "%23", "/export/pdf",
)  # fmt: skip


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in common.fixture_files("url", "library")]
    return out + [d.encode() for d in common.json_documents() if isinstance(d, str) and "?" in d]


def _rebuild(link: links.WebLink | links.LibraryLink) -> str:
    if isinstance(link, links.LibraryLink):
        return links.library_url(
            link.base,
            project_id=link.project_id,
            dossier_id=link.dossier_id,
            page_key=link.page_key,
            answers=link.answers,
            **dict[str, Any](link.params),
        )
    if link.object_kind is None or link.object_id is None:
        raise links.LinkError("no object to rebuild")  # not a link web_url builds
    params: dict[str, Any] = {k: v for k, v in link.params if k.lower() not in ("evt", "src")}
    return links.web_url(
        link.base,
        **{f"{link.object_kind}_id": link.object_id},  # type: ignore[arg-type]
        answers=link.answers,
        fallback="xml",
        **params,
    )


def check(data: bytes) -> None:
    text = common.as_text(data)
    link = common.attempt(lambda: links.parse(text))
    if isinstance(link, PromptAnswerError):
        return
    if not isinstance(link, (links.WebLink, links.LibraryLink)):
        raise common.Crash(f"parse returned {link!r}")
    if isinstance(link, links.WebLink):
        # No silent empty: a Web link carries exactly the answers url.decode reads in it.
        read = common.attempt(lambda: url.decode(text, allow_empty=True))
        if not isinstance(read, PromptAnswerError) and common.typed(read) != common.typed(
            link.answers
        ):
            raise common.Crash(f"parse and url.decode read different answers in {text!r}")
    rebuilt = common.attempt(lambda: _rebuild(link))
    if isinstance(rebuilt, PromptAnswerError):
        return
    again = common.attempt(lambda: links.parse(rebuilt))
    if isinstance(again, PromptAnswerError):
        raise common.Crash(f"parse refuses the link the library built: {rebuilt!r}: {again}")
    if type(again) is not type(link):
        raise common.Crash(f"rebuilt {rebuilt!r} parses as another kind of link")
    for field in ("dossier_id", "project_id", "page_key", "object_id", "object_kind"):
        if getattr(again, field, None) != getattr(link, field, None):
            raise common.Crash(f"rebuilt {rebuilt!r} changes {field}")
    if common.typed(again.answers) != common.typed(link.answers):
        raise common.Crash(f"rebuilt {rebuilt!r} changes the answers")


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
