"""Tests for Web link building and parsing (mstr_prompts.links)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import url
from mstr_prompts.errors import NotRepresentableError
from mstr_prompts.links import LinkError, WebLink, parse, web_url
from mstr_prompts.model import AnswerMode, AnswerSet, PromptRef, ValueAnswer
from mstr_prompts.strategies import guids, url_answer_sets

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
    link = parse(fixture("D14.txt"))
    assert link == WebLink(base=fixture("D14.txt"))


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
        ({"base": J2EE, "report_id": "A", "evt": "1"}, "set by web_url itself"),
        ({"base": J2EE, "report_id": "A", "valuepromptanswers": "x"}, "set by web_url itself"),
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
