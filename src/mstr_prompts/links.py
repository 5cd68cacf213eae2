"""Build and read MicroStrategy Web and Library links that run a report or dashboard.

Library links are ``{library}/app/{project}/{dashboard}[/{page}]?prompts=…`` (docs/library.md;
https://www2.microstrategy.com/producthelp/2021/InstallConfig/en-us/Content/deep_link_to_library.htm):
:func:`library_url` builds them and :func:`parse` reads both kinds.

A Web link is a base URL (``…/servlet/mstrWeb`` on J2EE, ``…/asp/Main.aspx`` on .NET,
docs/url.md "Links"), an event (``evt``), the page component that handles it (``src``),
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

import re
import urllib.parse
from typing import TYPE_CHECKING, Any, Literal

from . import url
from .element_text import GUID_PATTERN
from .enums import AnswerMode
from .errors import DecodeError, Hint, Option, PromptAnswerError
from .rows import RowSet
from .rules import MAX_INT, ascii_number, fold_name, text_problem

# The answers' models, and the parsed links (pydantic models themselves), load on first
# use: building a link from a decoder's rows (mstr_prompts.rows) needs none.
if TYPE_CHECKING:
    from ._link_models import LibraryLink, Surface, WebLink
    from .rows import Answers

__all__ = ["EVENTS", "LibraryLink", "LinkError", "WebLink", "library_url", "parse", "web_url"]

# Events that execute an object: runReport, executeRWDocument, and 3140, which Web's
# "share link" of a dossier uses (the URL API's page, "Passing Prompt Answers Using the URL API":
# https://www2.microstrategy.com/producthelp/Current/WebSDK/Content/topics/urlapi/Passing_Prompt_Answers_Using_the_URL_API.htm).
EVENTS: dict[str, int] = {"report": 4001, "document": 2048001, "dossier": 3140}
# The parameter that carries each kind's ID (the URL API page cited above).
_ID_PARAMS = {"report": "reportID", "document": "documentID", "dossier": "documentID"}
# Base URLs we know how to address (the URL API page cited above): the J2EE servlet and
# the .NET page.  The page name before ".<evt>" in src is the base's last path segment.
_UNDERSTOOD = "…/servlet/mstrWeb (J2EE) or …/asp/Main.aspx (.NET)"
_ID_NAMES = frozenset(fold_name(name) for name in _ID_PARAMS.values())
# Names web_url writes itself; an extra parameter may not repeat one in any case (a
# server that matches names case-insensitively would see two).  Both ID names are
# reserved, so a link never names two objects.
_RESERVED = frozenset(
    {"evt", "src", *_ID_NAMES, *(fold_name(p) for p in (*url.ANSWER_PARAMS, url.TASK_XML_PARAM))}
)


class LinkError(PromptAnswerError):
    """A link cannot be built from what was given (bad base, ids, mode or parameters).

    >>> isinstance(LinkError("no id"), ValueError)
    True
    """


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


def _answers(answers: object) -> Answers:
    """``answers`` when it is an AnswerSet or a decoder's RowSet, else LinkError."""
    if isinstance(answers, RowSet):
        return answers
    from .model import AnswerSet

    if not isinstance(answers, AnswerSet):
        raise LinkError(f"answers must be an AnswerSet, not {type(answers).__name__}")
    return answers


def _mode(answers: object, mode: object) -> Answers:
    answers = RowSet(()) if answers is None else _answers(answers)
    if mode is None:
        return answers
    # An AnswerMode, an int, or its ASCII digits: never a bool, a float that would be
    # truncated, or digits such as "٢" that int() reads.
    number: int | None = None
    if isinstance(mode, int) and not isinstance(mode, bool):
        number = mode
    elif isinstance(mode, str):
        number = ascii_number(mode, MAX_INT)
    known = ", ".join(str(m.value) for m in AnswerMode)
    if number is None or number not in {m.value for m in AnswerMode}:
        shown = repr(mode) if not isinstance(mode, int) or abs(mode) < 10**12 else "a huge number"
        raise LinkError(f"mode {shown[:40]} is not a prompt answer mode ({known})")
    wanted = AnswerMode(number)
    if answers.mode is not None and answers.mode is not wanted:
        raise LinkError(
            f"mode {wanted.value} conflicts with the answers' own mode {answers.mode.value}",
            hint="pass mode only when the answers have none, or the same one",
        )
    if isinstance(answers, RowSet):
        return answers.with_mode(wanted)
    return answers.model_copy(update={"mode": wanted})


# What the link builders accept as a base (RFC 3986 §3): an http(s) URL (or, for web_url,
# a relative reference) in URL characters only (non-ASCII must be percent-encoded: an IDN
# host as punycode), without query or fragment, with a port of at most 65535.
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<authority>[^/]*)")
_AUTHORITY = re.compile(
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:%]*@)?"  # userinfo@
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)"  # [IPv6] or a host name
    r"(?::(?P<port>[0-9]*))?"  # :port
)
_MAX_PORT = 65535
_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BASE_RULE = (
    "an http(s) URL or a relative reference such as 'mstrWeb', in URL characters "
    "(percent-encode anything else), without query or fragment"
)


def _base_path(base: object, *, absolute: bool = False) -> str:
    """The path of a base URL that a link can be built on, or a LinkError.

    Shared by :func:`web_url` and :func:`library_url`, so both refuse the same bases with
    the same messages; ``absolute`` requires ``http(s)://host``.
    """
    if not isinstance(base, str):
        raise LinkError(f"the base must be a string, not {type(base).__name__}")
    if "?" in base or "#" in base:
        raise LinkError(
            f"base {base!r} already has a query or fragment; give the bare URL and pass "
            "extra parameters as keyword arguments"
        )
    scheme = _SCHEME.match(base)
    path = base
    if scheme is not None:
        if scheme["scheme"].lower() not in ("http", "https"):
            raise LinkError(f"base {base!r} is not an http or https URL; a base is {_BASE_RULE}")
        authority = _AUTHORITY.fullmatch(scheme["authority"])
        port = authority["port"] if authority is not None else None
        if authority is None or not authority["host"] or (port and int(port) > _MAX_PORT):
            raise LinkError(
                f"base {base!r} has a malformed host part {scheme['authority']!r}; "
                f"a base is {_BASE_RULE}"
            )
        path = base[scheme.end() :]
    elif absolute:
        raise LinkError(f"base {base!r} is not an absolute URL (https://host/…)")
    elif "=" in base or "&" in base:
        # url.split_url (and so parse and every server-side reader) reads such text as a
        # query string: the link would start with parameters the caller never passed.
        raise LinkError(
            f"relative base {base!r} contains '=' or '&', so the link would read as a query "
            "string; give an absolute http(s) URL"
        )
    if not _PATH.fullmatch(path) or _BAD_PERCENT.search(base):
        raise LinkError(f"base {base!r} has characters a URL cannot hold; a base is {_BASE_RULE}")
    return path


def _check_base(base: object) -> tuple[Surface, str]:
    """The surface and page name of a base web_url can build on, or a LinkError."""
    found = _surface(_base_path(base))
    if found is None:
        raise LinkError(f"base {base!r} is not a Web page this library knows: {_UNDERSTOOD}")
    return found


def _check_text(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise LinkError(f"{what} must be a string, not {type(text).__name__}")
    problem = text_problem(text)
    if problem is not None:
        raise LinkError(f"{what} is not valid text: {problem}")
    return text


def web_url(
    base: str,
    *,
    report_id: str | None = None,
    document_id: str | None = None,
    dossier_id: str | None = None,
    answers: Answers | None = None,
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
    if not _check_text(object_id, f"the {kind} ID"):
        raise LinkError(f"the {kind} ID is empty")
    found = _check_base(base)
    if fallback not in ("error", "xml"):
        raise LinkError(f"fallback must be 'error' or 'xml', not {str(fallback)[:40]!r}")
    event = EVENTS[kind]
    for name, value in params.items():
        _check_text(name, "a parameter name")
        if not name:
            raise LinkError("a parameter name is empty")
        if fold_name(name) in _RESERVED:
            raise LinkError(
                f"parameter {name!r} is set from the object ID, the answers and the mode",
                hint=Hint(
                    "set it with {0} and {1} instead",
                    Option(
                        "report",
                        api="report_id=, document_id= or dossier_id=",
                        flag="--report/--document/--dossier ID",
                    ),
                    Option("mode", metavar="N", api="mode"),
                ),
            )
        close = url.near_miss(name)
        if close is not None:
            # url.decode refuses such a link (its answers would be lost), so never write one.
            raise LinkError(
                f"parameter {name!r} is one typo away from {close}, which a server would not read",
                hint="give the answers with answers=",
            )
        _check_text(value, f"parameter {name!r}")
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
    # Names are percent-encoded completely, so no name can add a pair ('&'), start the
    # fragment ('#'), become layout (a line break) or decode into a reserved name ('%73').
    return base + "?" + "&".join(f"{_quote_name(n)}={url.quote_param(n, v)}" for n, v in query)


def _quote_name(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _int(text: str) -> int | None:
    return ascii_number(text, MAX_INT)


def _path(base: str) -> str:
    """The path of a URL or relative reference (never raises, unlike urlsplit)."""
    scheme = _SCHEME.match(base)
    return base[scheme.end() :] if scheme is not None else base


def parse(link: str) -> WebLink | LibraryLink:
    """Read a Web or Library link: where it goes, what it runs, with which answers.

    A link whose path has ``/app/{project}/{dashboard}`` is a Library link
    (:class:`LibraryLink`, answers from ``prompts=``); anything else is read as a Web link
    (:class:`WebLink`).

    Tolerates what real links contain (docs/url.md, "Decoding tolerance"): ``?&``, ``&&``,
    repeated ``evt`` and ``src`` (the first ``evt`` is the event), and
    ``src=Main.asp.4001`` (the surface comes from the base path, not from ``src``).  Malformed answers raise
    :class:`~mstr_prompts.errors.DecodeError`.

    >>> w = parse("http://webserver/MicroStrategy/asp/Main.aspx?&src=Main.asp.4001&evt=4001"
    ...           "&reportID=4CF6D88A4588097466A4B7B8851A161F&valuePromptAnswers=South%5e1/1/2003")
    >>> w.surface, w.event, w.object_id, [a.value for a in w.answers]
    ('.net', 4001, '4CF6D88A4588097466A4B7B8851A161F', ['South', '1/1/2003'])
    """
    from . import library  # only Library links and answers need it

    if not isinstance(link, str):
        raise DecodeError(f"expected a link (a string), not {type(link).__name__}", where="url")
    found_library = _LIBRARY_PATH.search(url.split_url(link.strip())[0])
    if found_library is not None:
        # A Library link's answers are JSON, where surrounding layout is never content.
        return _parse_library(link.strip(), found_library)
    inner = url.percent_encoded_link(link) or _percent_encoded_library_link(link)
    if inner is not None:
        # The whole link percent-encoded once: url.decode reads its answers, so parse
        # reads the link it stands for (never a Web link with none of them).
        return parse(inner)
    # Nothing is stripped from the link itself: a trailing space or NBSP of the last answer
    # is content, exactly as url.decode reads it.  Only the base loses surrounding layout.
    base = url.split_url(link)[0].strip(" \t\r\n")
    # A parameter that carries no answers and whose percent-encoding is not UTF-8 is kept
    # as written, so parse reads every link url.decode reads.
    pairs = url.split_query(link, keep_raw=True)
    answers = url.decode(dict(_group(pairs)), allow_empty=True)
    found = _surface(_path(base))
    lower = [(fold_name(name), value) for name, value in pairs]
    event = next((_int(v) for n, v in lower if n == "evt"), None)
    kind: Literal["report", "document", "dossier"] | None = None
    id_index: int | None = None
    wanted = {4001: "reportid", 2048001: "documentid", 3140: "documentid"}.get(event or -1)
    for index, (name, _) in enumerate(lower):
        if name in _ID_NAMES and (wanted is None or name == wanted):
            id_index = index
            # 3140 runs a dossier through documentID (fixtures/url/D15.txt).
            kind = "report" if name == "reportid" else "dossier" if event == 3140 else "document"
            break
    if not answers and (
        any(name == library.PARAM for name, _ in lower) or library.looks_like_library(link)
    ):
        # Library's answers without Library's path (a prompts= query, or the rounds'
        # JSON itself, raw or percent-encoded): a Web link would silently carry none of
        # them, and a LibraryLink needs the project and dashboard the path names.
        raise DecodeError(
            "the link has Library answers (prompts=, or their JSON) but no "
            "/app/{project}/{dashboard} path, so it is neither a Library link nor a Web "
            "link with answers",
            where="url",
            hint=Hint(
                "read the answers alone with {0}, or give the whole Library link",
                Option("from", "library", api="mstr_prompts.library.decode"),
            ),
        )
    params = tuple(
        pair
        for index, pair in enumerate(pairs)
        if index != id_index and not url.is_answer_param(lower[index][0])
    )
    from ._link_models import WebLink

    return WebLink(
        base=base,
        surface=found[0] if found else None,
        event=event,
        object_kind=kind,
        object_id=pairs[id_index][1] if id_index is not None else None,
        answers=answers,
        params=params,
    )


def _percent_encoded_library_link(text: str) -> str | None:
    """The Library link inside ``text`` when all of ``text`` is one, percent-encoded once."""
    if "=" in text or "%2f" not in text.lower():
        return None
    try:
        inner = urllib.parse.unquote(text.strip(), errors="strict")
    except UnicodeDecodeError:
        return None
    if _LIBRARY_PATH.search(url.split_url(inner)[0]) is None:
        return None
    return inner


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


# --- Library links ------------------------------------------------------------------------

_GUID = re.compile(GUID_PATTERN)
# Library page keys look like K53--K46 (deep_link_to_library.htm); only URL-unreserved
# characters are accepted, so a key cannot add path segments, a query or a fragment.
_PAGE_KEY = re.compile(r"[A-Za-z0-9._~-]+")
_LIBRARY_PATH = re.compile(
    r"(?:^|/)app/(?P<project>[0-9A-Fa-f]{32})/(?P<dossier>[0-9A-Fa-f]{32})"
    r"(?:/(?P<page>[^/?#]+))?(?P<tail>/[^?#]*)?$"
)


def _parse_library(text: str, found: re.Match[str]) -> LibraryLink:
    from . import library  # only Library links and answers need it

    head, query = url.split_url(text)
    base = head[: found.start()]  # the match starts at the "/" before app/
    params: list[tuple[str, str]] = []
    has_prompts = False
    for pair in query.split("&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        name = library.unquote(raw_name, "library: query")
        if name == library.PARAM:
            has_prompts = True
            continue
        params.append((name, library.unquote(raw_value, f"library: {name}")))
    from ._link_models import LibraryLink
    from .model import AnswerSet

    answers = library.decode(text) if has_prompts else AnswerSet()
    return LibraryLink(
        base=base,
        project_id=found["project"],
        dossier_id=found["dossier"],
        page_key=found["page"],
        tail=found["tail"] or "",
        answers=answers,
        params=tuple(params),
    )


def library_url(
    base: str,
    *,
    project_id: str,
    dossier_id: str,
    page_key: str | None = None,
    answers: Answers | None = None,
    ignore_locale: bool = False,
    **params: str,
) -> str:
    """Build a Library link that opens a dashboard (at a page) with prompt answers.

    ``base`` is the Library's root URL (``https://host/MicroStrategyLibrary``); the link
    is ``{base}/app/{project_id}/{dossier_id}[/{page_key}]?{params}&prompts=…``.  Every
    parameter name and value is percent-encoded as ``encodeURIComponent`` does, so no
    text can add a parameter, a path or a fragment; the answers are written by
    :func:`mstr_prompts.library.encode` (``ignore_locale`` is passed on).

    >>> from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
    >>> library_url("https://h/MicroStrategyLibrary", project_id="EC70648611E7A2F962E90080EFD58751",
    ...             dossier_id="837B57D711E941BF000000806FA1298F", page_key="K53--K46",
    ...             answers=AnswerSet(answers=[ValueAnswer(value="750", prompt=PromptRef(key="K@0@10"))]))
    'https://h/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/837B57D711E941BF000000806FA1298F/K53--K46?prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%22750%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D'
    """
    from . import library  # only Library links and answers need it

    _base_path(base, absolute=True)
    root = base.rstrip("/")
    if _LIBRARY_PATH.search(root) or root.endswith("/app"):
        raise LinkError(
            f"base {base!r} already has the /app/ path; give the Library's root URL",
        )
    for name, value in (("project_id", project_id), ("dossier_id", dossier_id)):
        if not isinstance(value, str) or not _GUID.fullmatch(value):
            raise LinkError(f"{name} {value!r} is not a 32-hex-digit object ID")
    path = f"{root}/app/{project_id}/{dossier_id}"
    if page_key is not None:
        # "." and ".." are path steps a browser resolves away, not page keys.
        if (
            not isinstance(page_key, str)
            or not _PAGE_KEY.fullmatch(page_key)
            or page_key in (".", "..")
        ):
            raise LinkError(
                f"page_key {page_key!r} is not a page key (letters, digits and - . _ ~, "
                "e.g. K53--K46)"
            )
        path += f"/{page_key}"
    for name, value in params.items():
        _check_text(name, "a parameter name")
        if not name:
            raise LinkError("a parameter name is empty")
        if fold_name(name) == library.PARAM:
            # Compared in any case, as web_url does: no reader may see a second prompts=.
            raise LinkError(
                f"parameter {name!r} is set by library_url itself", hint="pass answers= instead"
            )
        _check_text(value, f"parameter {name!r}")
    query = [f"{library.quote(n)}={library.quote(v)}" for n, v in params.items()]
    if answers is not None:
        query.append(
            f"{library.PARAM}="
            + library.encode(_answers(answers), form="param", ignore_locale=ignore_locale)
        )
    return path + ("?" + "&".join(query) if query else "")


def __getattr__(name: str) -> Any:
    if name in ("WebLink", "LibraryLink", "Surface"):
        from . import _link_models

        return getattr(_link_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
