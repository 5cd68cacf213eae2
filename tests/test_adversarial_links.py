"""Adversarial links (issue 13, defects 1 and 2): no name, value or base changes a link's meaning.

Every case ends in one of three ways: the library's own error, a link that means exactly
its arguments, or (for links.parse) the link read as it stands.  Never a foreign
exception, an injected parameter or garbled text.
"""

from __future__ import annotations

import contextlib
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import links, url
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.links import LibraryLink, LinkError, WebLink
from mstr_prompts.model import AnswerSet, PromptRef, ValueAnswer
from mstr_prompts.rules import fold_name
from mstr_prompts.strategies import guids, hostile_texts, url_answer_sets

PROJECT = "EC70648611E7A2F962E90080EFD58751"
DASHBOARD = "837B57D711E941BF000000806FA1298F"
REPORT = "4CF6D88A4588097466A4B7B8851A161F"
J2EE = "https://bi.example.com/MicroStrategy/servlet/mstrWeb"
LIBRARY = "https://bi.example.com/MicroStrategyLibrary"
ONE = AnswerSet(answers=(ValueAnswer(value="x", prompt=PromptRef(position=1)),))
KEYED = AnswerSet(answers=(ValueAnswer(value="x", prompt=PromptRef(key="K@0@10")),))


def _pairs(link: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(link.partition("?")[2], keep_blank_values=True)


def _assert_means_exactly(link: str, params: dict[str, str], answers: AnswerSet) -> None:
    pairs = _pairs(link)
    folded = [fold_name(name) for name, _ in pairs]
    assert folded.count("evt") == 1 and folded.count("src") == 1
    assert folded.count("reportid") + folded.count("documentid") == 1
    extra = pairs[3 : 3 + len(params)]
    assert extra == list(params.items())
    answer_names = [n for n in folded if url.is_answer_param(n)]
    assert len(answer_names) == len(set(answer_names))
    back = links.parse(link)
    assert isinstance(back, WebLink)
    assert back.object_id == REPORT and back.answers == answers
    assert url.decode(link, allow_empty=True) == answers


# --- names: reserved names in other spellings and encodings are refused or inert -----------

RESERVED_SPELLINGS = [
    "EVT",
    "Src",
    "ſrc",  # U+017F folds to "s" in Java's equalsIgnoreCase
    "reportıD",  # dotless i
    "REPORTİD",  # dotted capital I
    "documentid",
    "valuePromptAnswerſ",
    "ELEMENTSPROMPTANSWERS",
    "objectsPromptAnswerſ",
    "PROMPTSANSWERXML",
    "promptAnswerXML",  # the Task API's spelling
    "promptanswermode",
]


@pytest.mark.parametrize("name", RESERVED_SPELLINGS)
def test_reserved_names_in_any_case_are_refused(name: str) -> None:
    with pytest.raises(LinkError, match="set from the object ID"):
        links.web_url(J2EE, report_id=REPORT, answers=ONE, **{name: "EVIL"})  # type: ignore[arg-type]


INERT_NAMES = [
    "a&evt",
    "a;evt=1",
    "x#",
    "#",
    "%2526evt",
    "reportI%44",
    "ev%74",
    "\r\nevt",
    " evt",
    "evt\u200b",
    "\ufeffevt",
    "ＥＶＴ",  # fullwidth: not folded by a Java server
    "e\u0301vt",
    "évt",
    "a=b",
    "a+b",
    "%",
    "?",
    "/",
    "x\r\nSet-Cookie: a=b",
    "\x00",
    "src\x00",
    "\x7f",
    "名前",
]


NEAR_MISSES = [
    "valuePromptAnswer%73",
    "valuePromptAnswers%2526",
    "\nvaluePromptAnswers",
    "valuePromptAnswers ",
    "valuePromptAnswers\t",
    "elementPromptAnswers",
    "objectPromptAnswers",
    "promptsAnswerXM1",
    "promptAnswersXML",
]


@pytest.mark.parametrize("name", NEAR_MISSES)
def test_near_misses_of_answer_names_are_refused(name: str) -> None:
    # url.decode refuses a link with one (its answers would be lost): never write one.
    with pytest.raises(LinkError, match="one typo away"):
        links.web_url(J2EE, report_id=REPORT, answers=ONE, **{name: "EVIL"})  # type: ignore[arg-type]
    with pytest.raises(PromptAnswerError, match="did you mean"):
        url.decode(f"mstrWeb?valuePromptAnswers=x&{urllib.parse.quote(name)}=EVIL")


@pytest.mark.parametrize("name", INERT_NAMES)
def test_hostile_names_are_one_literal_parameter(name: str) -> None:
    link = links.web_url(J2EE, report_id=REPORT, answers=ONE, **{name: "EVIL"})  # type: ignore[arg-type]
    assert "#" not in link and not any(c.isspace() for c in link)
    _assert_means_exactly(link, {name: "EVIL"}, ONE)


HOSTILE_VALUES = [
    "&evt=1",
    "#frag",
    "%26evt%3D1",
    "%2526evt%253D1",
    "a;valuePromptAnswers=EVIL",
    "\nvaluePromptAnswers=EVIL",
    "x\u2028y",
    "\x00",
    "a\xa0",
    " ",
    "+",
    "",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_values_are_one_literal_value(value: str) -> None:
    link = links.web_url(J2EE, report_id=REPORT, answers=ONE, Server=value)
    _assert_means_exactly(link, {"Server": value}, ONE)


@pytest.mark.parametrize(
    "params",
    [{"\ud800": "x"}, {"x": "\udfff"}, {"": "x"}, {"x": 1}, {"x": None}, {"x": b"v"}],
)
def test_bad_parameter_text_is_a_link_error(params: dict[str, object]) -> None:
    with pytest.raises(LinkError):
        links.web_url(J2EE, report_id=REPORT, **params)  # type: ignore[arg-type]


# --- bases ----------------------------------------------------------------------------

GOOD_BASES = [
    "mstrWeb",
    "servlet/mstrWeb",
    "/MicroStrategy/servlet/mstrWeb",
    "//bi.example.com/MicroStrategy/servlet/mstrWeb",
    "http://[::1]/MicroStrategy/servlet/mstrWeb",
    "http://[2001:db8::7]:8443/MicroStrategy/servlet/mstrWeb",
    "https://user:secret@bi.example.com:8443/MicroStrategy/servlet/mstrWeb",
    "HTTPS://BI.EXAMPLE.COM/MicroStrategy/asp/Main.aspx",
    "http://xn--bcher-kva.example/MicroStrategy/servlet/mstrWeb",
    "http://h/Micro%20Strategy/servlet/mstrWeb",
    "http://127.0.0.1:0/MicroStrategy/ASP/main.aspx",
    "http://h/a;b/servlet/mstrWeb",
]


@pytest.mark.parametrize("base", GOOD_BASES)
def test_accepted_bases_are_kept_verbatim(base: str) -> None:
    link = links.web_url(base, report_id=REPORT, answers=ONE, Port="0")
    assert link.partition("?")[0] == base
    _assert_means_exactly(link, {"Port": "0"}, ONE)
    assert links.parse(link).base == base


BAD_BASES = [
    "http://[::1/MicroStrategy/servlet/mstrWeb",
    "http://[v1.x]/servlet/mstrWeb",
    "http://ｈｏｓｔ/servlet/mstrWeb",  # fullwidth host
    "http://h\uff03x/servlet/mstrWeb",  # fullwidth number sign
    "http://bücher.example/servlet/mstrWeb",  # IDN must be punycode
    "http://h:port/servlet/mstrWeb",
    "http://h:٣/servlet/mstrWeb",
    "http://h:99999/servlet/mstrWeb",
    "http://h@evil@x/servlet/mstrWeb",
    "http://h/servlet/mstrWeb?",
    "http://h/servlet/mstrWeb?x=1",
    "http://h/servlet/mstrWeb#top",
    "http://h\\servlet\\mstrWeb",
    "http://h/servlet\\mstrWeb",
    "x=1&valuePromptAnswers=EVIL/servlet/mstrWeb",
    "a&b/servlet/mstrWeb",
    "/servlet/mstrWeb;evt=1",
    "http://h/a%/servlet/mstrWeb",
    "http://h/a%zz/servlet/mstrWeb",
    "http://h/\n/servlet/mstrWeb",
    " http://h/servlet/mstrWeb",
    "http://h/servlet/mstrWeb\xa0",
    "http://h/servlet/mstrWeb\t",
    "javascript://h/servlet/mstrWeb",
    "ftp://h/servlet/mstrWeb",
    "http://h/servlet/mstrweb",  # the J2EE servlet name is case-sensitive
    "http://h/servlet/mstrWeb/",
    "\ud800",
    "",
]


@pytest.mark.parametrize("base", BAD_BASES)
def test_bad_bases_are_link_errors(base: str) -> None:
    with pytest.raises(LinkError):
        links.web_url(base, report_id=REPORT, answers=ONE)


@pytest.mark.parametrize("base", [None, 1, b"mstrWeb"])
def test_non_text_bases_are_link_errors(base: object) -> None:
    with pytest.raises(LinkError):
        links.web_url(base, report_id=REPORT)  # type: ignore[arg-type]


# --- Library links: the same base rules, the same guarantees --------------------------

LIBRARY_BAD_BASES = [
    "http://[::1/MicroStrategyLibrary",
    "http://h\uff03x/MicroStrategyLibrary",
    "http://ｈ/MicroStrategyLibrary",
    "http://h:99999/MicroStrategyLibrary",
    "http://h/Lib?",
    "http://h/Lib#",
    "http://h\\Lib",
    "x=1&prompts=EVIL",
    "ftp://h/MicroStrategyLibrary",
    "javascript:alert(1)//h/Lib",
    "http://h/Lib\xa0",
    "http://h/%zz",
    "http:///Lib",
    "//h/Lib",
    "mstrLib",
    "http://h/Lib/app",
    f"http://h/Lib/app/{PROJECT}/{DASHBOARD}",
    "\ud800",
]


@pytest.mark.parametrize("base", LIBRARY_BAD_BASES)
def test_library_url_bad_bases_are_link_errors(base: str) -> None:
    with pytest.raises(LinkError):
        links.library_url(base, project_id=PROJECT, dossier_id=DASHBOARD, answers=KEYED)


LIBRARY_GOOD_BASES = [
    LIBRARY,
    LIBRARY + "/",
    "http://[::1]:8080/MicroStrategyLibrary",
    "https://user@bi.example.com/MicroStrategyLibrary",
    "http://127.0.0.1/Micro%20Strategy%20Library",
]


@pytest.mark.parametrize("base", LIBRARY_GOOD_BASES)
def test_library_url_good_bases_round_trip(base: str) -> None:
    link = links.library_url(
        base, project_id=PROJECT, dossier_id=DASHBOARD, answers=KEYED, filters="a&prompts=x"
    )
    back = links.parse(link)
    assert isinstance(back, LibraryLink)
    assert back.base == base.rstrip("/")
    assert (back.project_id, back.dossier_id) == (PROJECT, DASHBOARD)
    assert back.params == (("filters", "a&prompts=x"),)
    assert back.answers == KEYED


@pytest.mark.parametrize(
    "params",
    [
        {"prompts": "x"},
        {"Prompts": "x"},
        {"PROMPTS": "x"},
        {"x": "\ud800"},
        {"\udfff": "x"},
        {"": "x"},
        {"x": 1},
    ],
)
def test_library_url_bad_parameters_are_link_errors(params: dict[str, object]) -> None:
    with pytest.raises(LinkError):
        links.library_url(LIBRARY, project_id=PROJECT, dossier_id=DASHBOARD, **params)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["prompt%73", "a#", "a&prompts", "\nprompts", "名前"])
def test_library_url_hostile_names_are_inert(name: str) -> None:
    link = links.library_url(
        LIBRARY,
        project_id=PROJECT,
        dossier_id=DASHBOARD,
        answers=KEYED,
        **{name: "v"},  # type: ignore[arg-type]
    )
    back = links.parse(link)
    assert isinstance(back, LibraryLink)
    assert back.params == ((name, "v"),) and back.answers == KEYED


# --- links.parse: anything is read, or refused with the library's own error ------------

PARSE_INPUTS = [
    "http://[/servlet/mstrWeb?evt=4001",
    "http://[::1/servlet/mstrWeb?evt=4001&valuePromptAnswers=a",
    "http://h\uff03/servlet/mstrWeb?evt=4001",
    "http://h:99999999999999999999/servlet/mstrWeb?evt=4001",
    f"http://[::1/MicroStrategyLibrary/app/{PROJECT}/{DASHBOARD}?prompts=%5B%5B%5D%5D",
    "mstrWeb?evt=" + "9" * 5000,
    "mstrWeb?evt=٣&reportID=R",
    "mstrWeb?evt=4001&reportID=R&valuePromptAnswers=%ED%A0%80",
    "mstrWeb?evt=4001&valuePromptAnswers=\ud800",
    "mstrWeb?%ZZ=1&valuePromptAnswers=a",
    "mstrWeb?%FF=1&valuePromptAnswers=a",
    "mstrWeb?evt=4001&evt=2048001&reportID=R&documentID=D",
    "?" * 1000,
    "#" * 1000,
    "&" * 1000,
    "=" * 1000,
    "",
    "\ud800",
]


@pytest.mark.parametrize("text", PARSE_INPUTS)
def test_parse_never_raises_a_foreign_exception(text: str) -> None:
    with contextlib.suppress(PromptAnswerError):
        links.parse(text)


@pytest.mark.parametrize("link", [1, None, b"mstrWeb?evt=4001"])
def test_parse_refuses_what_is_not_text(link: object) -> None:
    with pytest.raises(PromptAnswerError):
        links.parse(link)  # type: ignore[arg-type]


@pytest.mark.parametrize("end", ["\xa0", " ", "\u3000", "\u2009", "\t"])
def test_parse_keeps_trailing_space_of_the_last_answer(end: str) -> None:
    link = f"mstrWeb?evt=4001&reportID={REPORT}&valuePromptAnswers=a{end}"
    back = links.parse(link)
    assert [a.value for a in back.answers] == ["a" + end]  # type: ignore[union-attr]
    assert back.answers == url.decode(link)


# --- properties -------------------------------------------------------------------------

_any_names = st.one_of(
    hostile_texts(max_size=10),
    st.sampled_from(RESERVED_SPELLINGS + INERT_NAMES + NEAR_MISSES),
    st.text(st.sampled_from("&=#%;?+ \n\r\tevtsrcEVTSRCſıİ"), max_size=8),
)


@given(
    st.dictionaries(_any_names, hostile_texts(max_size=8), max_size=4),
    url_answer_sets(),
)
def test_any_params_mean_exactly_themselves_or_are_refused(
    params: dict[str, str], answers: AnswerSet
) -> None:
    try:
        link = links.web_url(J2EE, report_id=REPORT, answers=answers, **params)  # type: ignore[arg-type]
    except PromptAnswerError:
        return
    _assert_means_exactly(link, params, answers)


_base_parts = st.lists(
    st.sampled_from([*"aZ09-._~!$&'()*+,;=:@/%?#[]\\ \n\xa0ｈ＃٣", "%2F", "%zz", "::1", "65536"]),
    max_size=12,
).map("".join)


@given(
    st.sampled_from(["http://", "https://", "HTTP://", "//", "", "ftp://", "javascript:"]),
    _base_parts,
    st.sampled_from(["/servlet/mstrWeb", "/asp/Main.aspx", "mstrWeb", "/MicroStrategyLibrary"]),
    guids(),
)
def test_any_base_is_refused_or_kept_exactly(
    scheme: str, middle: str, page: str, object_id: str
) -> None:
    base = scheme + middle + page
    try:
        link = links.web_url(base, report_id=object_id, answers=ONE)
    except LinkError:
        pass
    else:
        assert link.partition("?")[0] == base
        back = links.parse(link)
        assert isinstance(back, WebLink)
        assert (back.base, back.object_id, back.answers) == (base, object_id, ONE)
    try:
        link = links.library_url(base, project_id=PROJECT, dossier_id=object_id, answers=KEYED)
    except LinkError:
        return
    back = links.parse(link)
    assert isinstance(back, LibraryLink)
    assert (back.base, back.dossier_id, back.answers) == (base.rstrip("/"), object_id, KEYED)


# --- the other arguments -----------------------------------------------------------------


@pytest.mark.parametrize(
    "mode",
    [float("inf"), float("nan"), 2.7, True, "٢", "２", " 2", "2 ", 10**5000, -1, 3, b"2", [2]],
    ids=lambda mode: "huge" if isinstance(mode, int) and mode > 10**12 else repr(mode)[:12],
)
def test_bad_modes_are_link_errors(mode: object) -> None:
    with pytest.raises(LinkError, match="not a prompt answer mode"):
        links.web_url(J2EE, report_id=REPORT, mode=mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", [0, 1, 2, 4, "2", "0004"])
def test_good_modes(mode: object) -> None:
    link = links.web_url(J2EE, report_id=REPORT, mode=mode)  # type: ignore[arg-type]
    assert links.parse(link).answers.mode == int(mode)  # type: ignore[call-overload]


@pytest.mark.parametrize("answers", [5, "x", {"answers": []}, [ONE]])
def test_answers_must_be_an_answer_set(answers: object) -> None:
    with pytest.raises(LinkError, match="AnswerSet"):
        links.web_url(J2EE, report_id=REPORT, answers=answers)  # type: ignore[arg-type]
    with pytest.raises(LinkError, match="AnswerSet"):
        links.library_url(LIBRARY, project_id=PROJECT, dossier_id=DASHBOARD, answers=answers)  # type: ignore[arg-type]


@pytest.mark.parametrize("fallback", ["XML", None, "", "xml "])
def test_bad_fallbacks_are_the_library_s_errors(fallback: object) -> None:
    with pytest.raises(PromptAnswerError):
        links.web_url(J2EE, report_id=REPORT, answers=KEYED, fallback=fallback)  # type: ignore[arg-type]
    with pytest.raises(PromptAnswerError):
        url.encode(KEYED, fallback=fallback)  # type: ignore[arg-type]


@pytest.mark.parametrize("page_key", [".", "..", "", "a/b", "K1?x", "K1#x", "%2E%2E", 5])
def test_page_keys_that_would_move_the_link_are_refused(page_key: object) -> None:
    with pytest.raises(LinkError, match="page key"):
        links.library_url(LIBRARY, project_id=PROJECT, dossier_id=DASHBOARD, page_key=page_key)  # type: ignore[arg-type]


@pytest.mark.parametrize("object_id", [" ", "\x00", "a&b", "x#", "名前", "%41"])
def test_odd_object_ids_are_written_literally(object_id: str) -> None:
    link = links.web_url(J2EE, report_id=object_id, answers=ONE)
    back = links.parse(link)
    assert isinstance(back, WebLink)
    assert (back.object_id, back.answers) == (object_id, ONE)
