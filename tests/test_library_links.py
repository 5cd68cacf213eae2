"""Library links: links.library_url builds them, links.parse reads them back identically."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import AnswerSet, PromptRef, ValueAnswer, library, links, rest
from mstr_prompts.links import LibraryLink, LinkError, WebLink
from mstr_prompts.strategies import library_answer_sets

URL = Path(__file__).parent.parent / "fixtures" / "url"
PROJECT = "EC70648611E7A2F962E90080EFD58751"
DOSSIER = "837B57D711E941BF000000806FA1298F"
BASE = "https://test.microstrategy.com/MicroStrategyLibrary"


def test_documented_deep_link_is_a_library_link() -> None:
    link = links.parse((URL / "D14.txt").read_text(encoding="utf-8"))
    assert link == LibraryLink(
        base=BASE, project_id=PROJECT, dossier_id=DOSSIER, page_key="K53--K46"
    )


def test_export_link_with_filters_and_prompts() -> None:
    text = (URL / "L5.txt").read_text(encoding="utf-8").strip()
    text = "https://h/MicroStrategyLibrary/" + text.replace("<project>", PROJECT).replace(
        "<dashboard>", DOSSIER
    )
    link = links.parse(text)
    assert isinstance(link, LibraryLink)
    assert (link.base, link.page_key, link.tail) == (
        "https://h/MicroStrategyLibrary",
        "K53--K46",
        "/export/pdf",
    )
    assert [name for name, _ in link.params] == ["filters"]
    assert link.params[0][1].startswith('[{"key":"W5F0B6AC7FAD14C3BB18D1DAB58B31D58"')
    assert rest.encode(link.answers) == {
        "prompts": [
            {"key": "34DF05924F261FC68D6450BC619EB31E@0@10", "type": "VALUE", "answers": "750"}
        ]
    }


def test_web_links_stay_web_links() -> None:
    assert isinstance(links.parse((URL / "D1.txt").read_text(encoding="utf-8")), WebLink)


def test_a_built_link_is_what_library_writes() -> None:
    answers = library.decode((URL / "L4.txt").read_text(encoding="utf-8"))
    built = links.library_url(BASE + "/", project_id=PROJECT, dossier_id=DOSSIER, answers=answers)
    assert built == (
        f"{BASE}/app/{PROJECT}/{DOSSIER}?" + (URL / "L4.txt").read_text(encoding="utf-8").strip()
    )


keys = st.sampled_from(["K53--K46", "W1", None])
texts = st.text(max_size=8)


@given(
    answers=st.one_of(st.none(), library_answer_sets()),
    page_key=keys,
    # library_url refuses empty names and "prompts" in any case (as web_url does its own).
    params=st.dictionaries(texts.filter(lambda n: n and n.lower() != "prompts"), texts, max_size=3),
)
def test_built_links_parse_back_identically(
    answers: AnswerSet | None, page_key: str | None, params: dict[str, str]
) -> None:
    built = links.library_url(
        BASE,
        project_id=PROJECT,
        dossier_id=DOSSIER,
        page_key=page_key,
        answers=answers,
        **params,  # type: ignore[arg-type]
    )
    assert links.parse(built) == LibraryLink(
        base=BASE,
        project_id=PROJECT,
        dossier_id=DOSSIER,
        page_key=page_key,
        answers=answers if answers is not None else AnswerSet(),
        params=tuple(params.items()),
    )


def test_names_and_values_cannot_change_the_link() -> None:
    extra = {"a&prompts": "x#y?z=/w"}
    built = links.library_url(BASE, project_id=PROJECT, dossier_id=DOSSIER, **extra)  # type: ignore[arg-type]
    assert built == f"{BASE}/app/{PROJECT}/{DOSSIER}?a%26prompts=x%23y%3Fz%3D%2Fw"
    link = links.parse(built)
    assert isinstance(link, LibraryLink)
    assert link.params == (("a&prompts", "x#y?z=/w"),) and link.answers == AnswerSet()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": BASE + "?x=1"}, "query or fragment"),
        ({"base": BASE + "#top"}, "query or fragment"),
        ({"base": "MicroStrategyLibrary"}, "not an absolute URL"),
        ({"base": "https://h/Library x"}, "characters a URL cannot hold"),
        ({"base": f"{BASE}/app/{PROJECT}/{DOSSIER}"}, "already has the /app/ path"),
        ({"project_id": "../../x"}, "project_id"),
        ({"dossier_id": PROJECT + "/x"}, "dossier_id"),
        ({"page_key": "K1/../x"}, "page_key"),
        ({"page_key": "K1?x"}, "page_key"),
        ({"prompts": "[[]]"}, "set by library_url itself"),
        # Found by fuzz/fuzz_link_args.py: urllib's "Invalid IPv6 URL" and NFKC
        # ValueErrors escaped from library_url for these hosts.
        ({"base": "http://[::1/MicroStrategyLibrary"}, "malformed host part"),
        ({"base": "https://\uff03/MicroStrategyLibrary"}, "malformed host part"),
        ({"base": "//[::1/MicroStrategyLibrary"}, "not an absolute URL"),
        ({"base": "//\uff03/MicroStrategyLibrary"}, "not an absolute URL"),
    ],
)
def test_what_would_change_the_meaning_is_refused(kwargs: dict[str, str], message: str) -> None:
    arguments = {"base": BASE, "project_id": PROJECT, "dossier_id": DOSSIER, **kwargs}
    with pytest.raises(LinkError, match=message):
        links.library_url(**arguments)  # type: ignore[arg-type]


def test_answers_library_cannot_carry_are_refused() -> None:
    from mstr_prompts import NotRepresentableError

    answers = AnswerSet(answers=[ValueAnswer(value="1", prompt=PromptRef(position=1))])
    with pytest.raises(NotRepresentableError, match="only by key"):
        links.library_url(BASE, project_id=PROJECT, dossier_id=DOSSIER, answers=answers)
