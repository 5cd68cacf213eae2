"""Build and read MicroStrategy Web links that run a report, document or dossier.

A Web link is a base URL (``…/servlet/mstrWeb`` on J2EE, ``…/asp/Main.aspx`` on .NET,
url.md §1), an event (``evt``, url.md §3), the page component that handles it (``src``),
the object's ID and, optionally, prompt answers in the URL API parameters
(:mod:`mstr_prompts.url`).

>>> link = web_url("https://bi.example.com/MicroStrategy/servlet/mstrWeb",
...                report_id="4CF6D88A4588097466A4B7B8851A161F")
>>> link
'https://bi.example.com/MicroStrategy/servlet/mstrWeb?evt=4001&src=mstrWeb.4001&reportID=4CF6D88A4588097466A4B7B8851A161F'
>>> parse(link).object_kind
'report'
"""

from __future__ import annotations

import urllib.parse
from typing import Literal

from pydantic import BaseModel, ConfigDict

from . import url
from .errors import PromptAnswerError
from .model import AnswerMode, AnswerSet

__all__ = ["EVENTS", "LinkError", "WebLink", "parse", "web_url"]

# Events that execute an object (url.md §3): runReport, executeRWDocument, and 3140,
# which Web's "share link" of a dossier uses.
EVENTS: dict[str, int] = {"report": 4001, "document": 2048001, "dossier": 3140}
# The parameter that carries each kind's ID (url.md §2).
_ID_PARAMS = {"report": "reportID", "document": "documentID", "dossier": "documentID"}
# Base URLs we know how to address (url.md §1): the J2EE servlet and the .NET page.  The
# page name before ".<evt>" in src is the base's last path segment.
_UNDERSTOOD = "…/servlet/mstrWeb (J2EE) or …/asp/Main.aspx (.NET)"


class LinkError(PromptAnswerError):
    """A link cannot be built from what was given (bad base, ids, mode or parameters).

    >>> isinstance(LinkError("no id"), ValueError)
    True
    """


Surface = Literal["j2ee", ".net"]
_SURFACES: tuple[tuple[Surface, str, str], ...] = (
    ("j2ee", "servlet", "mstrWeb"),
    (".net", "asp", "main.aspx"),
)


def _surface(path: str) -> tuple[Surface, str] | None:
    """(surface, page name) from a base path, or None if it is neither Web surface."""
    segments = path.split("/")
    last = segments[-1]
    for surface, folder, page in _SURFACES:
        if last.lower() != page.lower():
            continue
        # .NET (IIS) paths are case-insensitive; the J2EE servlet name is not.
        if surface == "j2ee" and last != page:
            continue
        if len(segments) == 1 or segments[-2].lower() == folder:
            return surface, last
    return None


class WebLink(BaseModel):
    """What a Web link says: where it goes, what it runs, with which answers.

    ``params`` holds every parameter that is not a prompt-answer parameter and not the
    object ID read into ``object_id``, decoded, in order, repeats kept (``evt`` and
    ``src`` included, so nothing is lost).

    >>> parse("mstrWeb?evt=3140&src=mstrWeb.3140&documentID=A8D3D83748F566F36EC660A9744E180E").object_kind
    'dossier'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    surface: Surface | None = None
    event: int | None = None
    object_kind: Literal["report", "document", "dossier"] | None = None
    object_id: str | None = None
    answers: AnswerSet = AnswerSet()
    params: tuple[tuple[str, str], ...] = ()


def _mode(answers: AnswerSet | None, mode: AnswerMode | int | None) -> AnswerSet:
    answers = answers if answers is not None else AnswerSet()
    if mode is None:
        return answers
    try:
        wanted = AnswerMode(int(mode))
    except (ValueError, TypeError):
        known = ", ".join(str(m.value) for m in AnswerMode)
        raise LinkError(f"mode {mode!r} is not a prompt answer mode ({known})") from None
    if answers.mode is not None and answers.mode is not wanted:
        raise LinkError(
            f"mode {wanted.value} conflicts with the answers' own mode {answers.mode.value}",
            hint="pass mode only when the answers have none, or the same one",
        )
    return answers.model_copy(update={"mode": wanted})


def web_url(
    base: str,
    *,
    report_id: str | None = None,
    document_id: str | None = None,
    dossier_id: str | None = None,
    answers: AnswerSet | None = None,
    mode: AnswerMode | int | None = None,
    fallback: Literal["error", "xml"] = "error",
    assume_order: bool = False,
    ignore_locale: bool = False,
    **params: str,
) -> str:
    """Build a Web link that runs one report, document or dossier with prompt answers.

    Exactly one of the three IDs.  The query is ``evt``, ``src``, the ID, ``params`` in
    the order given, then the answer parameters from :func:`mstr_prompts.url.encode`
    (``fallback``, ``assume_order`` and ``ignore_locale`` are passed on; ``mode`` sets
    promptAnswerMode).

    >>> web_url("http://webserver/MicroStrategy/asp/Main.aspx",
    ...         document_id="B9800BBC42B65FD064717BB94AF0B44B", currentViewMedia="2", mode=2)
    'http://webserver/MicroStrategy/asp/Main.aspx?evt=2048001&src=Main.aspx.2048001&documentID=B9800BBC42B65FD064717BB94AF0B44B&currentViewMedia=2&promptAnswerMode=2'
    """
    given = {
        kind: value
        for kind, value in (
            ("report", report_id),
            ("document", document_id),
            ("dossier", dossier_id),
        )
        if value is not None
    }
    if len(given) != 1:
        raise LinkError(
            f"give exactly one of report_id, document_id, dossier_id (got {len(given)})"
        )
    ((kind, object_id),) = given.items()
    if not object_id:
        raise LinkError(f"the {kind} ID is empty")
    parts = urllib.parse.urlsplit(base)
    if parts.query or parts.fragment or "?" in base or "#" in base:
        raise LinkError(
            f"base {base!r} already has a query or fragment; give the bare page URL and "
            "pass extra parameters as keyword arguments"
        )
    found = _surface(parts.path)
    if found is None:
        raise LinkError(f"base {base!r} is not a Web page this library knows: {_UNDERSTOOD}")
    event = EVENTS[kind]
    reserved = {"evt", "src", _ID_PARAMS[kind].lower()}
    clash = [name for name in params if name.lower() in reserved or url.is_answer_param(name)]
    if clash:
        raise LinkError(
            f"parameter {clash[0]!r} is set by web_url itself",
            hint="use the keyword arguments (ids, answers, mode) instead",
        )
    not_text = [name for name, value in params.items() if not isinstance(value, str)]
    if not_text:
        raise LinkError(f"parameter {not_text[0]!r} must be a string")
    query: list[tuple[str, str]] = [
        ("evt", str(event)),
        ("src", f"{found[1]}.{event}"),
        (_ID_PARAMS[kind], object_id),
        *params.items(),
    ]
    answer_params = url.encode(
        _mode(answers, mode),
        fallback=fallback,
        assume_order=assume_order,
        ignore_locale=ignore_locale,
    )
    query += answer_params.items()
    return base + "?" + "&".join(f"{n}={url.quote_param(n, v)}" for n, v in query)


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def parse(link: str) -> WebLink:
    """Read a Web link: base, surface, event, object and prompt answers.

    Tolerates what real links contain (url.md §8): ``?&``, ``&&``, repeated ``evt`` and
    ``src`` (the first ``evt`` is the event), and ``src=Main.asp.4001`` (the surface comes
    from the base path, not from ``src``).  Malformed answers raise
    :class:`~mstr_prompts.errors.DecodeError`.

    >>> w = parse("http://webserver/MicroStrategy/asp/Main.aspx?&src=Main.asp.4001&evt=4001"
    ...           "&reportID=4CF6D88A4588097466A4B7B8851A161F&valuePromptAnswers=South%5e1/1/2003")
    >>> w.surface, w.event, w.object_id, [a.value for a in w.answers]
    ('.net', 4001, '4CF6D88A4588097466A4B7B8851A161F', ['South', '1/1/2003'])
    """
    text = link.strip()
    base = url.split_url(text)[0]
    pairs = url.split_query(text)
    answers = url.decode(dict(_group(pairs)), allow_empty=True)
    found = _surface(urllib.parse.urlsplit(base).path)
    lower = [(name.lower(), value) for name, value in pairs]
    event = next((_int(v) for n, v in lower if n == "evt"), None)
    kind: Literal["report", "document", "dossier"] | None = None
    id_index: int | None = None
    wanted = {4001: "reportid", 2048001: "documentid", 3140: "documentid"}.get(event or -1)
    for index, (name, _) in enumerate(lower):
        if name in ("reportid", "documentid") and (wanted is None or name == wanted):
            id_index = index
            # 3140 runs a dossier through documentID (url.md §3).
            kind = "report" if name == "reportid" else "dossier" if event == 3140 else "document"
            break
    params = tuple(
        pair
        for index, pair in enumerate(pairs)
        if index != id_index and not url.is_answer_param(lower[index][0])
    )
    return WebLink(
        base=base,
        surface=found[0] if found else None,
        event=event,
        object_kind=kind,
        object_id=pairs[id_index][1] if id_index is not None else None,
        answers=answers,
        params=params,
    )


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped
