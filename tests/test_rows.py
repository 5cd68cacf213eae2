"""A decoder's rows (``decode_rows``) against its answer set (``decode``): the same output.

The CLI converts, inspects and links from :class:`~mstr_prompts.rows.RowSet` without
building a model (issue 22 item 2), so every encoder must write the same text for the
rows as for the set, warnings and errors included, and ``RowSet.dump`` must be the
set's ``model_dump(mode="json", exclude_none=True)``.  Checked over every fixture and
over generated sets written out by the encoders and read back.
"""

from __future__ import annotations

import json
import pathlib
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts import library, links, rest, url, xml
from mstr_prompts.enums import AnswerMode, ValueType
from mstr_prompts.errors import DecodeError, PromptAnswerError
from mstr_prompts.model import AnswerSet
from mstr_prompts.rows import VALUE_ROW, RowSet, pending_rows
from mstr_prompts.strategies import rest_answer_sets, url_answer_sets, xml_answer_sets

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
BASE = "https://bi.example.com/MicroStrategy/servlet/mstrWeb"
REPORT = "4CF6D88A4588097466A4B7B8851A161F"

ENCODERS: dict[str, Callable[[Any], Any]] = {
    "rest.dumps": rest.dumps,
    "rest.dumps indent=2": lambda s: rest.dumps(s, indent=2),
    "rest.encode": lambda s: json.dumps(rest.encode(s), ensure_ascii=False),
    "xml.encode": xml.encode,
    "url.encode_query": url.encode_query,
    "url.encode_query assume_order": lambda s: url.encode_query(s, assume_order=True),
    "url.encode fallback xml": lambda s: url.encode(s, fallback="xml"),
    "library.encode": library.encode,
    "links.web_url": lambda s: links.web_url(BASE, report_id=REPORT, answers=s, mode=2),
    "dump": lambda s: json.dumps(
        s.dump() if isinstance(s, RowSet) else s.model_dump(mode="json", exclude_none=True),
        ensure_ascii=False,
        indent=2,
    ),
}


def outcome(function: Callable[[], Any]) -> tuple[Any, ...]:
    """The result and the warnings' messages, or the error's type and message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function()
        except PromptAnswerError as exc:
            return ("error", type(exc).__name__, str(exc))
    return ("ok", result, [(type(w.message).__name__, str(w.message)) for w in caught])


def same_output(rows: RowSet, answers: AnswerSet) -> None:
    assert rows.answer_set() == answers
    for name, encode in ENCODERS.items():
        # A fresh set per encoder: each must work from the rows, not from models built
        # by an earlier one.
        fresh = RowSet(rows.items, mode=rows.mode, locale=rows.locale)
        assert outcome(partial(encode, fresh)) == outcome(partial(encode, answers)), name


def fixture_texts(folder: str, *patterns: str) -> list[pathlib.Path]:
    return sorted(p for pattern in patterns for p in (FIXTURES / folder).glob(pattern))


DECODERS: dict[
    str, tuple[Callable[[str], RowSet], Callable[[str], AnswerSet], list[pathlib.Path]]
] = {
    "xml": (xml.decode_rows, xml.decode, fixture_texts("xml", "*.xml")),
    "rest": (rest.decode_rows, rest.decode, fixture_texts("rest", "*.json")),
    "url": (url.decode_rows, url.decode, fixture_texts("url", "*.txt")),
}


@pytest.mark.parametrize(
    ("codec", "path"),
    [(codec, path) for codec, (_, _, paths) in DECODERS.items() for path in paths],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_rows_of_every_fixture_write_as_the_set(codec: str, path: pathlib.Path) -> None:
    decode_rows, decode, _ = DECODERS[codec]
    text = path.read_text(encoding="utf-8")
    decoded = outcome(lambda: decode(text))
    rows = outcome(lambda: decode_rows(text))
    if decoded[0] == "error":
        assert rows == decoded  # the same error, word for word
        return
    assert rows[0] == "ok" and rows[2] == decoded[2]
    same_output(rows[1], decoded[1])


def test_fixtures_cover_rows() -> None:
    # The fixtures above exercise the rows themselves, not only models in a RowSet.
    kinds = set()
    for decode_rows, _, paths in DECODERS.values():
        for path in paths:
            try:
                rows = decode_rows(path.read_text(encoding="utf-8"))
            except PromptAnswerError:
                continue
            kinds |= {item[0] for item in rows.items if type(item) is tuple}
    assert kinds == {"value", "elements", "objects"}


@settings(max_examples=60, deadline=None)
@given(rest_answer_sets())
def test_rest_rows_write_as_the_set(answers: AnswerSet) -> None:
    text = rest.dumps(answers)
    same_output(rest.decode_rows(text), rest.decode(text))


@settings(max_examples=60, deadline=None)
@given(xml_answer_sets())
def test_xml_rows_write_as_the_set(answers: AnswerSet) -> None:
    text = xml.encode(answers)
    same_output(xml.decode_rows(text), xml.decode(text))


@settings(max_examples=60, deadline=None)
@given(url_answer_sets())
def test_url_rows_write_as_the_set(answers: AnswerSet) -> None:
    try:
        text = url.encode_query(answers, fallback="xml")
    except PromptAnswerError:
        return  # nothing the URL parameters carry
    if not text:
        return
    same_output(url.decode_rows(text), url.decode(text))


def test_row_set_is_immutable_and_one_round() -> None:
    rows = RowSet(((VALUE_ROW, "K@0@10", "2015", None),), locale=1033)
    with pytest.raises(AttributeError):
        rows.locale = 1036
    assert rows.rounds is None
    assert rows.by_round() == (rows.answer_set(),)
    assert rows.answer_set() is rows.answer_set()  # built once
    assert pending_rows(rows) == rows.items
    assert [a.value for a in rows] == ["2015"]  # type: ignore[union-attr]  # a ValueAnswer


def test_links_refuse_what_is_no_answer_set() -> None:
    with pytest.raises(links.LinkError, match="must be an AnswerSet, not dict"):
        links.web_url(BASE, report_id=REPORT, answers={"prompts": []})  # type: ignore[arg-type]


# --- a hand-built RowSet is checked (issue 22 review) ------------------------------------
#
# The encoders write rows without looking at them again, so a RowSet built by hand with a
# bad row gave IndexError, KeyError, AttributeError or AssertionError in one encoder and
# wrong text in another.  The constructor now checks every row as its model would and
# raises the library's DecodeError naming the row; decoders build theirs through the
# private _trusted.unchecked (rows checked as they are made), and RowSet has no public
# unchecked constructor (it had RowSet.of).

GUID = "8D679D3711D3E4981000E787EC6DE8A4"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (((VALUE_ROW, "K@0@10", "x", "nonsense-type"),), r"items\[0\]: .*ValueType"),
        ((("bogus",),), r"items\[0\]: a row's kind"),
        ((("value", 1, 2, 3),), r"items\[0\]: a row's prompt"),
        ((("value",),), r"items\[0\]: a value row has 4 parts"),
        (("abc",), r"items\[0\]: "),
        ((("elements", "K@0@10", GUID, ("a;b",), (None,)),), r"not plain"),
        ((("elements", "K@0@10", GUID, ("1", "2"), (None,)),), r"2 keys but 1 names"),
        ((("elements", "K@0@10", "not a guid", ("1",), (None,)),), r"items\[0\]: "),
        ((("objects", "K@0@10", [("X", "4", None)]),), r"an object must be"),
        (None, r"items must be a tuple"),
    ],
)
def test_a_hand_built_row_set_refuses_bad_rows(items: Any, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        RowSet(items)


def test_a_hand_built_row_set_refuses_a_bad_mode_or_locale() -> None:
    with pytest.raises(DecodeError, match="mode must be"):
        RowSet((), mode=2)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match="locale must be"):
        RowSet((), locale=-1)
    with pytest.raises(DecodeError, match="mode must be"):
        RowSet(()).with_mode("2")  # type: ignore[arg-type]


_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from([VALUE_ROW, "elements", "objects", "K@0@10", GUID, ValueType.LONG]),
    lambda inner: (
        st.tuples(inner)
        | st.tuples(inner, inner, inner)
        | st.lists(inner, max_size=4)
        | st.tuples(inner, inner, inner, inner)
        | st.tuples(inner, inner, inner, inner, inner)
    ),
    max_leaves=12,
)
_rows = st.one_of(
    st.tuples(st.just(VALUE_ROW), _junk, _junk, _junk),
    st.tuples(st.just("elements"), _junk, _junk, _junk, _junk),
    st.tuples(st.just("objects"), _junk, _junk),
    _junk,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_rows, max_size=3))
def test_junk_rows_give_only_the_librarys_errors(items: list[Any]) -> None:
    try:
        rows = RowSet(tuple(items))
    except PromptAnswerError:
        return
    # Accepted: every encoder writes it as the set of its models.
    same_output(rows, AnswerSet(answers=tuple(rows.answer_set())))


def test_no_public_constructor_skips_the_checks() -> None:
    # RowSet.of took rows unchecked "for codecs"; any caller could reach it.  The decoders
    # now build their sets through the private _trusted.unchecked.
    assert not hasattr(RowSet, "of")
    with pytest.raises(DecodeError, match=r"items\[0\]"):
        RowSet(((VALUE_ROW, "K@0@10", "2015", "text"),))
    decoded = xml.decode_rows('<rsl><pa pt="3" pin="0" did="' + GUID + '" tp="10">2015</pa></rsl>')
    assert decoded.answer_set() is decoded.answer_set()
    assert decoded.with_mode(AnswerMode(2)).mode == AnswerMode(2)
    assert decoded.with_mode(AnswerMode(2)).answer_set() == decoded.answer_set().model_copy(
        update={"mode": AnswerMode(2)}
    )
