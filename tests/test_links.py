"""Tests for Web link building and parsing (mstr_prompts.links)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import links, url
from mstr_prompts.errors import DecodeError, NotRepresentableError
from mstr_prompts.links import LibraryLink, LinkError, WebLink, web_url
from mstr_prompts.model import AnswerMode, AnswerSet, PromptRef, ValueAnswer
from mstr_prompts.rules import fold_name
from mstr_prompts.strategies import guids, url_answer_sets


def parse(text: str) -> WebLink:
    """links.parse, for links that must read as Web links (Library ones: test_library_links)."""
    link = links.parse(text)
    assert isinstance(link, WebLink)
    return link


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "url"
J2EE = "http://webserver/MicroStrategy/servlet/mstrWeb"
NET = "http://webserver/MicroStrategy/asp/Main.aspx"


def fixture(name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


# --- parse: the doc's links ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "surface", "event", "kind", "object_id"),
    [
        ("D1.txt", "j2ee", 4001, "report", "4CF6D88A4588097466A4B7B8851A161F"),
        ("D2.txt", "j2ee", 2048001, "document", "B9800BBC42B65FD064717BB94AF0B44B"),
        ("D3.txt", ".net", 2048001, "document", "B9800BBC42B65FD064717BB94AF0B44B"),
        ("D4.txt", "j2ee", 4001, "report", "58981E80412090A924C6528D14182897"),
        ("D5.txt", ".net", 4001, "report", "4CF6D88A4588097466A4B7B8851A161F"),
        ("D6.txt", "j2ee", 4001, "report", "EB3CD5D14F4C8C77782AC0882C986B8D"),
        ("D7.txt", "j2ee", 4001, "report", "EB3CD5D14F4C8C77782AC0882C986B8D"),
        ("D9.txt", "j2ee", 3036, None, None),
        ("D15.txt", "j2ee", 3140, "dossier", "A8D3D83748F566F36EC660A9744E180E"),
        ("S2.txt", "j2ee", 4001, "report", "EB3CD5D14F4C8C77782AC0882C986B8D"),
        ("S3.txt", ".net", 4001, "report", "EB3CD5D14F4C8C77782AC0882C986B8D"),
        ("C3.txt", None, None, "report", "1D5591A74999A408FE26C0AB245BA17D"),
        ("C10.txt", None, 3140, "dossier", "F7069A9C40775A6EB927FA9173795272"),
        ("C11.txt", "j2ee", 2048001, "document", "B9800BBC42B65FD064717BB94AF0B44B"),
    ],
)
def test_parse_fixtures(
    name: str, surface: str | None, event: int | None, kind: str | None, object_id: str | None
) -> None:
    link = parse(fixture(name))
    assert (link.surface, link.event, link.object_kind, link.object_id) == (
        surface,
        event,
        kind,
        object_id,
    )
    assert link.answers == url.decode(fixture(name), allow_empty=True)


def test_parse_d1_keeps_every_other_parameter() -> None:
    link = parse(fixture("D1.txt"))
    assert link.base == J2EE
    assert link.params == (("src", "mstrWeb.4001"), ("evt", "4001"), ("reportViewMode", "1"))


def test_parse_d5_surface_from_base_not_from_src_typo() -> None:
    link = parse(fixture("D5.txt"))
    assert link.surface == ".net"
    assert ("src", "Main.asp.4001") in link.params


def test_parse_d9_repeated_evt_and_src() -> None:
    link = parse(fixture("D9.txt"))
    assert link.base == "mstrWeb"
    assert link.event == 3036
    assert [v for n, v in link.params if n == "evt"] == ["3036", "8026"]
    assert [v for n, v in link.params if n == "src"] == [
        "mstrWeb.3036",
        "mstrWeb.subFrame.pcb.8026",
    ]
    assert ("evtorder", "3036,8026") in link.params
    assert link.answers.mode is AnswerMode.OPTIONAL_PROMPTS_USE_EMPTY_ANSWER


def test_parse_d15_decodes_plus_and_empty_values() -> None:
    params = dict(parse(fixture("D15.txt")).params)
    assert params["Project"] == "MicroStrategy Tutorial"
    assert params["pwd"] == ""
    assert params["layoutIndex"] == "0"


def test_parse_library_deep_link_is_not_a_web_link() -> None:
    link = links.parse(fixture("D14.txt"))
    assert isinstance(link, LibraryLink)
    assert link.dossier_id == "837B57D711E941BF000000806FA1298F"  # see test_library_links.py


def test_parse_multi_line_doc_sample_matches_one_line() -> None:
    assert parse(fixture("S2.txt")) == parse(fixture("S2.txt").replace("\n", ""))


# --- web_url ---------------------------------------------------------------------------


def test_web_url_report_with_values_and_params() -> None:
    answers = AnswerSet(
        answers=(
            ValueAnswer(value="30", prompt=PromptRef(position=1)),
            ValueAnswer(value="Sam Hill", prompt=PromptRef(position=2)),
        )
    )
    link = web_url(
        J2EE,
        report_id="4CF6D88A4588097466A4B7B8851A161F",
        answers=answers,
        reportViewMode="1",
        hiddensections="header,path",
    )
    assert link == (
        f"{J2EE}?evt=4001&src=mstrWeb.4001&reportID=4CF6D88A4588097466A4B7B8851A161F"
        "&reportViewMode=1&hiddensections=header,path&valuePromptAnswers=30%5ESam%20Hill"
    )


def test_web_url_dossier_on_net() -> None:
    link = web_url(NET.replace("Main.aspx", "main.ASPX"), dossier_id="A" * 32, mode=1)
    assert "?evt=3140&src=main.ASPX.3140&documentID=" + "A" * 32 in link
    assert link.endswith("&promptAnswerMode=1")


def test_web_url_relative_bases() -> None:
    assert web_url("mstrWeb", document_id="X").startswith("mstrWeb?evt=2048001&src=mstrWeb.2048001")
    assert web_url("Main.aspx", report_id="X").startswith("Main.aspx?evt=4001&src=Main.aspx.4001")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"base": J2EE}, "exactly one of"),
        ({"base": J2EE, "report_id": "A", "document_id": "B"}, "exactly one of"),
        ({"base": J2EE, "report_id": ""}, "empty"),
        ({"base": J2EE + "?evt=1", "report_id": "A"}, "already has a query"),
        ({"base": "http://h/MicroStrategy/servlet/taskAdmin", "report_id": "A"}, "servlet/mstrWeb"),
        ({"base": "http://h/MicroStrategy/servlet/mstrweb", "report_id": "A"}, "not a Web page"),
        ({"base": J2EE, "report_id": "A", "mode": 3}, "not a prompt answer mode"),
        ({"base": J2EE, "report_id": "A", "evt": "1"}, "set from the object ID"),
        ({"base": J2EE, "report_id": "A", "valuepromptanswers": "x"}, "set from the object ID"),
    ],
)
def test_web_url_refuses(kwargs: dict[str, object], pattern: str) -> None:
    with pytest.raises(LinkError, match=pattern):
        web_url(**kwargs)  # type: ignore[arg-type]


def test_web_url_mode_conflict() -> None:
    answers = AnswerSet(mode=AnswerMode.ALL_PROMPTS_USE_DEFAULT_ANSWER)
    assert web_url(J2EE, report_id="A", answers=answers, mode=1).endswith("promptAnswerMode=1")
    with pytest.raises(LinkError, match="conflicts"):
        web_url(J2EE, report_id="A", answers=answers, mode=2)


def test_web_url_passes_encode_options_on() -> None:
    answers = AnswerSet(answers=(ValueAnswer(value="a"),))
    with pytest.raises(NotRepresentableError, match="no position"):
        web_url(J2EE, report_id="A", answers=answers)
    assert web_url(J2EE, report_id="A", answers=answers, assume_order=True).endswith(
        "valuePromptAnswers=a"
    )


# --- round trip ------------------------------------------------------------------------

_BASES = st.sampled_from(
    [J2EE, NET, "https://bi.example.com:8443/MicroStrategy/servlet/mstrWeb", "mstrWeb", "Main.aspx"]
)
_KINDS = st.sampled_from(["report", "document", "dossier"])
_PARAMS = st.dictionaries(
    st.sampled_from(["reportViewMode", "currentViewMedia", "hiddensections", "Project", "x y"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    max_size=3,
)


@given(_BASES, _KINDS, guids(), url_answer_sets(), _PARAMS)
def test_parse_web_url_round_trip(
    base: str, kind: str, object_id: str, answers: AnswerSet, params: dict[str, str]
) -> None:
    link = web_url(base, **{f"{kind}_id": object_id}, answers=answers, **params)  # type: ignore[arg-type]
    back = parse(link)
    assert back.base == base
    assert back.surface == (".net" if base.endswith("aspx") else "j2ee")
    assert (back.object_kind, back.object_id) == (kind, object_id)
    assert back.answers == answers
    assert back.params[2:] == tuple(params.items())


# --- injection: no name, value or base changes what a link means (issue 13) ------------

# Names that spell, or decode into, or fold into the parameters web_url writes itself.
_HOSTILE_NAMES = [
    "a&evt",
    "valuePromptAnswer%73",
    "reportI%44",
    "\nvaluePromptAnswers",
    "\r\nsrc",
    "x#",
    "#",
    "a=b",
    "x y",
    "+",
    "%",
    "%26evt%3D1",
    "valuePromptAnswerſ",  # Java's equalsIgnoreCase: 'ſ' equals 's'
    "reportıD",  # ... and 'ı' equals 'I'
    "\u212avt",
    "documentID",
    "DOCUMENTid",
    "promptsAnswerXML",
    "",
    "\ud800",
]


def _names() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_HOSTILE_NAMES), st.text(max_size=12))


def _bases() -> st.SearchStrategy[str]:
    accepted = st.builds(
        "{}{}{}".format,
        st.sampled_from(["http://", "https://", "HTTP://", ""]),
        st.sampled_from(
            ["h", "bi.example.com:8443", "user@h", "[::1]:80", "h/a=b&c", "h/Micro%20Strategy"]
        ),
        st.sampled_from(["/MicroStrategy/servlet/mstrWeb", "/asp/Main.aspx", "/servlet/mstrWeb"]),
    )
    hostile = st.sampled_from(
        [
            "x=1&valuePromptAnswers=EVIL/servlet/mstrWeb",
            "a&b/servlet/mstrWeb",
            "http://[::1/servlet/mstrWeb",
            "http://a\uff03b/servlet/mstrWeb",
            "http://h/servlet/mstrWeb\n",
            "http://h/x y/servlet/mstrWeb",
            "javascript://h/servlet/mstrWeb",
            "http://h/servlet/mstrWeb#x",
            "http://h/%zz/servlet/mstrWeb",
            "mstrWeb",
        ]
    )
    return st.one_of(accepted, hostile, st.text(max_size=30).map(lambda t: t + "/servlet/mstrWeb"))


def _one_of_each(pairs: list[tuple[str, str]], kind: str, object_id: str) -> None:
    names = [fold_name(name) for name, _ in pairs]
    assert names.count("evt") == 1
    assert names.count("src") == 1
    assert names.count("reportid") + names.count("documentid") == 1
    id_name = "reportid" if kind == "report" else "documentid"
    assert [v for n, v in pairs if fold_name(n) == id_name] == [object_id]


@given(
    _bases(),
    _KINDS,
    st.one_of(guids(), st.text(min_size=1, max_size=8)),
    url_answer_sets(),
    st.dictionaries(_names(), st.text(max_size=8), max_size=4),
)
def test_web_url_means_exactly_its_arguments(
    base: str, kind: str, object_id: str, answers: AnswerSet, params: dict[str, str]
) -> None:
    try:
        link = web_url(base, **{f"{kind}_id": object_id}, answers=answers, **params)  # type: ignore[arg-type]
    except LinkError:
        return
    assert "#" not in link and not any(c.isspace() for c in link)
    head, _, query = link.partition("?")
    assert head == base
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    _one_of_each(pairs, kind, object_id)
    assert url.decode(dict(_grouped(pairs))) == answers
    assert pairs[3 : 3 + len(params)] == list(params.items())
    back = parse(link)
    assert (back.base, back.object_kind, back.object_id) == (base, kind, object_id)
    assert back.answers == answers
    assert url.decode(link) == answers
    id_name = "reportID" if kind == "report" else "documentID"
    _one_of_each([*back.params, (id_name, object_id)], kind, object_id)


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


@pytest.mark.parametrize("name", [n for n in _HOSTILE_NAMES if n not in ("x y", "+", "%")])
def test_web_url_hostile_names_are_inert_or_refused(name: str) -> None:
    try:
        link = web_url(J2EE, report_id="R", **{name: "EVIL"})  # type: ignore[arg-type]
    except LinkError:
        return
    pairs = urllib.parse.parse_qsl(link.partition("?")[2], keep_blank_values=True)
    assert pairs == [("evt", "4001"), ("src", "mstrWeb.4001"), ("reportID", "R"), (name, "EVIL")]
    assert parse(link).answers == AnswerSet()


@pytest.mark.parametrize(
    ("base", "pattern"),
    [
        ("x=1&valuePromptAnswers=EVIL/servlet/mstrWeb", "read as a query string"),
        ("http://[::1/servlet/mstrWeb", "malformed host"),
        ("http://a\uff03b/servlet/mstrWeb", "malformed host"),
        ("http://h/x y/servlet/mstrWeb", "characters a URL cannot hold"),
        ("http://h/%zz/servlet/mstrWeb", "characters a URL cannot hold"),
        ("ftp://h/servlet/mstrWeb", "not an http or https URL"),
        ("http://h/servlet/mstrWeb#top", "query or fragment"),
        ("http://h/\ud800/servlet/mstrWeb", "characters a URL cannot hold"),
    ],
)
def test_web_url_refuses_bases_that_would_change_the_link(base: str, pattern: str) -> None:
    with pytest.raises(LinkError, match=pattern):
        web_url(base, report_id="R")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"report_id": "\ud800"}, "report ID is not valid text"),
        ({"report_id": "R", "x": "\udc80"}, "parameter 'x' is not valid text"),
        ({"report_id": "R", "\ud800": "x"}, "parameter name is not valid text"),
        ({"report_id": "R", "": "x"}, "parameter name is empty"),
        ({"report_id": "R", "documentID": "X"}, "set from the object ID"),
        ({"report_id": "R", "valuePromptAnswerſ": "X"}, "set from the object ID"),
    ],
)
def test_web_url_refuses_bad_text(kwargs: dict[str, str], pattern: str) -> None:
    with pytest.raises(LinkError, match=pattern):
        web_url(J2EE, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "link",
    [
        "http://[abc/servlet/mstrWeb?evt=4001&reportID=R",
        "http://a\uff03b/servlet/mstrWeb?evt=4001",
        "http://h/servlet/mstrWeb?evt=" + "9" * 5000,
    ],
)
def test_parse_bad_hosts_and_numbers_are_read_without_foreign_errors(link: str) -> None:
    parsed = parse(link)
    assert parsed.surface == "j2ee"


def test_parse_keeps_a_trailing_nbsp_like_url_decode() -> None:
    link = "mstrWeb?evt=4001&reportID=R&valuePromptAnswers=a\xa0"
    assert parse(link).answers == url.decode(link)
    assert parse(link).answers[0].value == "a\xa0"  # type: ignore[union-attr]


@given(st.text(alphabet=" \t\r\n\xa0a^=&?#%", max_size=40))
def test_parse_reads_the_answers_url_decode_reads(tail: str) -> None:
    link = "http://h/servlet/mstrWeb?evt=4001&reportID=R&valuePromptAnswers=" + tail
    try:
        expected = url.decode(link)
    except DecodeError:
        with pytest.raises(DecodeError):
            parse(link)
        return
    assert parse(link).answers == expected
