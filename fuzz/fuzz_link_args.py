"""Fuzz the arguments of ``links.web_url`` and ``links.library_url`` (issue 13).

Every argument (base, object ID, extra parameter names and values, answers decoded from
a fuzzed query) is drawn from the input by :class:`common.Provider`.  The invariant: the
builder raises the library's own error, or returns a link in which Python's
``parse_qsl`` and ``links.parse`` see exactly one ``evt``, one ``src`` and one object ID
(a Web link) or the given project, dashboard and page (a Library link), exactly the
extra parameters given, and exactly the answers given.  Nothing a caller passes may add
a parameter, a path or a fragment.
"""

from __future__ import annotations

import sys
import urllib.parse
from collections.abc import Callable
from typing import Any, Literal

import common

from mstr_prompts import library, links, url
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import AnswerSet
from mstr_prompts.rules import fold_name

NAME = "link_args"
BASES = (
    "http://h/MicroStrategy/servlet/mstrWeb",
    "https://bi.example.com:8443/MicroStrategy/asp/Main.aspx",
    "mstrWeb",
    "Main.aspx",
    "x=1&valuePromptAnswers=EVIL/servlet/mstrWeb",
    "http://[::1/servlet/mstrWeb",
    "https://h/MicroStrategyLibrary",
    "https://h:443/MicroStrategyLibrary/",
)
NAMES = (
    "evt", "src", "reportID", "documentID", "valuePromptAnswers", "promptAnswerMode",
    "promptsAnswerXML", "promptAnswerXML", "prompts", "Server", "Project", "Port",
)  # fmt: skip
GUIDS = ("EC70648611E7A2F962E90080EFD58751", "837B57D711E941BF000000806FA1298F", "R")
QUERIES = (
    "valuePromptAnswers=", "elementsPromptAnswers=8D679D3711D3E4981000E787EC6DE8A4:",
    "objectsPromptAnswers=A~4~", "promptsAnswerXML=<rsl><pa pt='3' pin='0' did='D' tp='10'>",
    "prompts=[[{\"key\":\"K@0@10\",\"values\":[\"", "",
)  # fmt: skip


def seeds() -> list[bytes]:
    # Provider input: every byte is a choice, so short runs of each value are seeds.
    return [bytes([i, j, 3, 65, 66, 67]) * 8 for i in range(8) for j in (0, 1, 0x80, 0xC1)]


def _answers(p: common.Provider, web: bool) -> AnswerSet:
    query = p.pick(QUERIES) + p.text(40) + p.pick(("", "'>")) + p.text(8)
    decode: Callable[[str], AnswerSet] = url.decode if web else library.decode
    answers = common.attempt(lambda: decode(query))
    return AnswerSet() if isinstance(answers, PromptAnswerError) else answers


def _params(p: common.Provider) -> dict[str, Any]:
    params = {}
    for _ in range(p.int_in_range(0, 3)):
        name = p.pick(NAMES) if p.boolean() else ""
        params[name + p.text(6)] = p.text(8)
    return params


def _base(p: common.Provider) -> str:
    base = p.pick(BASES)
    if p.boolean():
        base = p.text(20) + p.pick(("/servlet/mstrWeb", "/MicroStrategyLibrary", ""))
    return base


def _pairs(link: str) -> list[tuple[str, str]]:
    query = link.partition("?")[2]
    return urllib.parse.parse_qsl(query, keep_blank_values=True)


def check_web(p: common.Provider) -> None:
    base = _base(p)
    kind = p.pick(("report", "document", "dossier"))
    object_id = p.pick(GUIDS) if p.boolean() else p.text(8)
    params = _params(p)
    answers = _answers(p, web=True)
    fallback: Literal["error", "xml"] = "xml" if p.boolean() else "error"
    link = common.attempt(
        lambda: links.web_url(
            base, answers=answers, fallback=fallback, **{f"{kind}_id": object_id, **params}
        )
    )
    if isinstance(link, PromptAnswerError):
        return
    names = [fold_name(name) for name, _ in _pairs(link)]
    if names.count("evt") != 1 or names.count("src") != 1:
        raise common.Crash(f"not exactly one evt and src: {link!r}")
    if names.count("reportid") + names.count("documentid") != 1:
        raise common.Crash(f"not exactly one object ID: {link!r}")
    parsed = links.parse(link)
    if not isinstance(parsed, links.WebLink) or parsed.object_id != object_id:
        raise common.Crash(f"the object ID does not read back: {link!r}")
    if common.typed(parsed.answers) != common.typed(answers):
        raise common.Crash(f"the answers do not read back: {link!r}")
    if common.typed(url.decode(link, allow_empty=True)) != common.typed(answers):
        raise common.Crash(f"url.decode reads other answers: {link!r}")
    extra = [(k, v) for k, v in parsed.params if fold_name(k) not in ("evt", "src")]
    if extra != list(params.items()):
        raise common.Crash(f"the extra parameters do not read back: {link!r}")


def check_library(p: common.Provider) -> None:
    base = _base(p)
    project = p.pick(GUIDS) if p.boolean() else p.text(8)
    dossier = p.pick(GUIDS) if p.boolean() else p.text(8)
    page = p.pick((None, "K53--K46", p.text(6)))
    params = _params(p)
    answers = _answers(p, web=False)
    link = common.attempt(
        lambda: links.library_url(
            base, project_id=project, dossier_id=dossier, page_key=page, answers=answers, **params
        )
    )
    if isinstance(link, PromptAnswerError):
        return
    if "#" in link:
        raise common.Crash(f"a fragment: {link!r}")
    parsed = links.parse(link)
    if not isinstance(parsed, links.LibraryLink):
        raise common.Crash(f"not read back as a Library link: {link!r}")
    if (parsed.project_id, parsed.dossier_id, parsed.page_key, parsed.tail) != (
        project,
        dossier,
        page,
        "",
    ):
        raise common.Crash(f"the path does not read back: {link!r}")
    if parsed.answers != answers or list(parsed.params) != list(params.items()):
        raise common.Crash(f"the answers or parameters do not read back: {link!r}")


def check(data: bytes) -> None:
    p = common.Provider(data)
    if p.boolean():
        check_web(p)
    else:
        check_library(p)
    # Whatever else the bytes say, as a link to parse.
    common.attempt(lambda: links.parse(p.rest()))


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
