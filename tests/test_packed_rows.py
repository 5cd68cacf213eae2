"""Web links' value answers kept packed (``rows.PackedRows``) against the rows they stand for.

A ``valuePromptAnswers`` text whose every slot is a plain value is kept as the text once
and where each slot starts; each row is built when it is read.  Here every link is
decoded packed and unpacked (``url._PACK`` off: the row per answer the decoder kept
before), and everything a reader can see must agree: the rows, the answers, every
encoder's text (byte for byte, errors included), ``dump``, ``bind`` and ``validate``,
pickling.  A state test shows that reading the rows keeps none of them.
"""

from __future__ import annotations

import copy
import gc
import json
import pickle
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import outcome, switched

from mstr_prompts import definitions, library, rest, url, validation, xml
from mstr_prompts.model import AnswerList, AnswerSet, ValueAnswer
from mstr_prompts.rows import VALUE_ROW, PackedRows, Ref, RowSet, pending_rows
from mstr_prompts.strategies import url_answer_sets

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "url"
LINKS = sorted(p for p in FIXTURES.iterdir() if p.suffix == ".txt")
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


# Value answers as one row each, as the decoder kept them before packing.
unpacked = partial(switched, url, _PACK=False)


ENCODERS: list[Callable[[Any], Any]] = [
    lambda s: rest.encode(s, ignore_locale=True),
    lambda s: rest.dumps(s, ignore_locale=True),
    lambda s: rest.dumps(s, ignore_locale=True, indent=2),
    lambda s: rest.dumps(s, ignore_locale=True, separators=(",", ":")),
    lambda s: json.dumps(rest.encode(s, ignore_locale=True)),
    lambda s: url.encode(s),
    lambda s: url.encode_query(s, ignore_locale=True),
    lambda s: url.encode(s, fallback="xml", assume_order=True, ignore_locale=True),
    lambda s: xml.encode(s),
    lambda s: library.encode(s, ignore_locale=True),
    lambda s: s.dump(),
]


def _definitions(count: int) -> definitions.Definitions:
    """``count`` value prompts, some typed and bounded, so bind and validate have work."""
    items = []
    for n in range(count):
        item: dict[str, Any] = {"key": f"{n:032X}@0@10", "name": f"P{n}", "type": "VALUE"}
        if n % 3 == 1:
            item |= {"dataType": "NUMERIC", "min": 0, "max": 100}
        elif n % 3 == 2:
            item |= {"dataType": "TEXT", "max": 3}
        items.append(item)
    return definitions.decode(json.dumps(items))


def assert_same_both_ways(query: str) -> None:
    """Packed and unpacked decodes of ``query`` agree on everything a reader sees."""
    packed = outcome(lambda: url.decode_rows(query))
    with unpacked():
        plain = outcome(lambda: url.decode_rows(query))
    assert packed[0] == plain[0], (packed, plain)
    if packed[0] != "ok":
        assert packed == plain
        return
    a: RowSet = packed[1]
    b: RowSet = plain[1]
    assert type(b.items) is tuple
    # The rows: equal as sequences, element by element, by index and slice, both ways.
    assert a.items == b.items and b.items == a.items
    assert tuple(a.items) == b.items and len(a.items) == len(b.items)
    assert outcome(lambda: hash(a.items)) == outcome(lambda: hash(b.items))
    assert repr(a.items) == repr(b.items)
    for index in range(-len(b.items), len(b.items)):
        assert a.items[index] == b.items[index]
    assert a.items[1:-1] == b.items[1:-1] and a.items[::2] == b.items[::2]
    with pytest.raises(IndexError):
        a.items[len(b.items)]
    assert pending_rows(a) == pending_rows(b)
    # Every encoder, byte for byte (or the same error), from the rows and from the sets.
    for encode in ENCODERS:
        assert outcome(partial(encode, a)) == outcome(partial(encode, b))
    sa, sb = a.answer_set(), b.answer_set()
    for encode in ENCODERS[:-1]:
        assert outcome(partial(encode, sa)) == outcome(partial(encode, sb))
    assert sa == sb and sa.answers == sb.answers and list(sa) == list(sb)
    assert repr(sa) == repr(sb) and hash(sa.answers) == hash(sb.answers)
    assert sa.model_dump(mode="json") == sb.model_dump(mode="json")
    # bind and validate, against definitions that fit the slots and ones that do not.
    slots = sum(1 for item in b.items if type(item) is tuple and item[0] == VALUE_ROW)
    for count in {slots, max(slots - 1, 0), slots + 2}:
        defs = _definitions(count)
        bound = outcome(lambda: definitions.bind(a, defs))  # noqa: B023
        assert bound == outcome(lambda: definitions.bind(b, defs))  # noqa: B023
        if bound[0] == "ok":
            for encode in ENCODERS:
                assert outcome(partial(encode, bound[1])) == outcome(
                    partial(encode, definitions.bind(b, defs))
                )
        found = outcome(lambda: validation.validate(a, defs))  # noqa: B023
        assert found == outcome(lambda: validation.validate(b, defs))  # noqa: B023
        assert outcome(lambda: definitions.complete(a, defs)) == outcome(  # noqa: B023
            lambda: definitions.complete(b, defs)  # noqa: B023
        )
    # Copies and pickles keep the rows (and a packed set stays packed).
    for copied in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a), copy.copy(a)):
        assert copied.items == b.items and type(copied.items) is type(a.items)
        for encode in ENCODERS:
            assert outcome(partial(encode, copied)) == outcome(partial(encode, b))
    assert pickle.loads(pickle.dumps(sa)) == sb
    restored = pickle.loads(pickle.dumps(sa)).answers
    assert type(restored) is type(sa.answers)
    if type(restored) is AnswerList:
        assert type(restored.items) is type(a.items)


# --- generated links ----------------------------------------------------------------------

# Values as a user types them: plain words, numbers, dates, spaces, and characters the
# link must percent-encode; an empty slot is an open prompt (which is not packed).
_VALUE_TEXT = st.one_of(
    st.sampled_from(["2024", "Sam Hill", "1/31/2024", "value 7", "", "a+b", "名前", "100%"]),
    st.text(st.characters(blacklist_characters="^", blacklist_categories=["Cs"]), max_size=8),
)


@st.composite
def value_links(draw: st.DrawFn) -> str:
    """A Web link's query with a valuePromptAnswers and, maybe, other answer parameters."""
    values = draw(st.lists(_VALUE_TEXT, min_size=1, max_size=12))
    params = [("valuePromptAnswers", "^".join(values))]
    if draw(st.booleans()):
        params.append(("elementsPromptAnswers", f"{ATTRIBUTE};{ATTRIBUTE}:1^Books"))
    if draw(st.booleans()):
        params.append(("objectsPromptAnswers", "4C051DB611D3E877C000B3B2D86C964F~4~Profit"))
    if draw(st.booleans()):
        params.append(("promptAnswerMode", draw(st.sampled_from(["1", "2", "9"]))))
    if draw(st.booleans()):
        params.append(
            (
                "promptsAnswerXML",
                "<rsl lcl='1033'><pa pt='5' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' "
                "tp='10'>2015</pa></rsl>",
            )
        )
    query = "&".join(f"{name}={urllib.parse.quote(value, safe='')}" for name, value in params)
    return draw(st.sampled_from(["", "mstrWeb?evt=4001&", "https://h/MicroStrategy/x?"])) + query


@settings(max_examples=300)
@given(value_links())
def test_packed_and_unpacked_rows_agree_on_generated_links(query: str) -> None:
    assert_same_both_ways(query)


@given(url_answer_sets())
def test_packed_and_unpacked_rows_agree_on_every_carried_answer(answers: AnswerSet) -> None:
    assert_same_both_ways(url.encode_query(answers))


@pytest.mark.parametrize("path", LINKS, ids=lambda p: p.name)
def test_packed_and_unpacked_rows_agree_on_every_url_fixture(path: Path) -> None:
    assert_same_both_ways(path.read_text(encoding="utf-8").strip())


@pytest.mark.parametrize(
    "values",
    ["2015", "a^b^c", "^a", "a^", "a^^b", "^", "", "x\udc80y^z", "^".join(["7"] * 1000)],
)
def test_packed_and_unpacked_rows_agree_at_the_edges(values: str) -> None:
    assert_same_both_ways("valuePromptAnswers=" + values)
    assert_same_both_ways({"valuePromptAnswers": values})  # type: ignore[arg-type]


def test_only_plain_slots_are_packed() -> None:
    assert type(url.decode_rows("valuePromptAnswers=30^Sam%20Hill^25354").items) is PackedRows
    # Open slots are packed too: a Web link with some prompts left open is no different.
    for values in ("30^^25354", "^30", "30^", "^", ""):
        assert type(url.decode_rows("valuePromptAnswers=" + values).items) is PackedRows
    for values in ("^".join(["7"] * 1001),):
        found = outcome(lambda: url.decode_rows("valuePromptAnswers=" + values))  # noqa: B023
        assert found[0] != "ok" or type(found[1].items) is tuple
    with url_fast_off():
        assert type(url.decode_rows("valuePromptAnswers=30^40").items) is tuple


url_fast_off = partial(switched, url, _FAST=False)


def test_a_packed_row_is_the_row_the_decoder_kept() -> None:
    packed = url.decode_rows("valuePromptAnswers=30^Sam%20Hill&promptAnswerMode=2").items
    assert packed[1] == (VALUE_ROW, Ref.of(position=2), "Sam Hill", None)
    assert isinstance(packed, PackedRows) and packed.slots == 2 and packed.text == "30^Sam Hill"
    answer = url.decode("valuePromptAnswers=30^Sam%20Hill")[1]
    assert type(answer) is ValueAnswer and answer.prompt.position == 2


# --- the public constructor checks what it is given ---------------------------------------


def test_packed_rows_refuse_what_is_not_plain() -> None:
    from mstr_prompts.errors import DecodeError

    for text in ("x\udc80", "a^\ud800", "^".join(["7"] * 1001), 7):
        with pytest.raises(DecodeError, match="PackedRows"):
            PackedRows(text)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match="RowSet: items\\[0\\]"):
        PackedRows("a", [(VALUE_ROW, "K@0@10", "x", "text")])
    with pytest.raises(AttributeError):
        PackedRows("a")._text = "b"
    hand_made = RowSet(PackedRows("2015^16", [(VALUE_ROW, "K@0@10", "x", None)]))
    assert hand_made.dump()["answers"][2] == {
        "prompt": {"key": "K@0@10"},
        "kind": "value",
        "value": "x",
    }


# --- reading keeps nothing ----------------------------------------------------------------


def _count(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_walking_packed_rows_keeps_nothing() -> None:
    links = "valuePromptAnswers=" + "^".join(f"value%20{n}" for n in range(1000))
    rows = url.decode_rows(links)
    answers = url.decode(links)
    assert type(rows.items) is PackedRows
    packed: Any = rows.items
    state = [id(part) for part in gc.get_referents(packed)]
    refs, models = _count(Ref), _count(ValueAnswer)
    # Every reader that walks the rows or the answers, one after another.
    touched = sum(len(row[2]) for row in packed) + sum(
        len(a.value) for a in answers if type(a) is ValueAnswer
    )
    touched += len(url.encode_query(rows)) + len(rows.dump()["answers"])
    touched += len(rest.dumps(definitions.bind(rows, _definitions(1000))))
    touched += len(validation.validate(answers, _definitions(1000)))
    assert touched > 0
    assert packed[999][2] == "value 999" and answers[999].prompt.position == 1000
    assert [id(part) for part in gc.get_referents(packed)] == state
    assert rows.items is packed and pending_rows(answers) is pending_rows(answers)
    assert type(pending_rows(answers)) is PackedRows
    assert _count(Ref) == refs and _count(ValueAnswer) == models
