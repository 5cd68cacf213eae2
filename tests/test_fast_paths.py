"""The decoders' fast paths against their checked paths: the same answers, the same errors.

Decoders keep plainly spelled answers as compact rows and build the models only when a
caller needs them (model.py, "Deferred answers"); encoders read the rows directly.  Here
every input is decoded both ways (the fast path switched off with ``_FAST = False``),
including inputs mutated to be unusual or wrong, and the results must agree: equal
answer sets, equal REST bodies, or the same error with the same message.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import outcome
from pydantic import BaseModel

from mstr_prompts import library, limits, rest, url, xml
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import (
    VALUE_ROW,
    AnswerSet,
    PromptRef,
    ValueAnswer,
    answer_of,
    deferred,
    pending_rows,
)
from mstr_prompts.strategies import (
    guids,
    library_answer_sets,
    rest_answer_sets,
    url_answer_sets,
    xml_answer_sets,
)

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"
GUID = "2294C41E44244ADAED930CB4E00A9DA0"


@contextmanager
def checked_path() -> Iterator[None]:
    """Turn the fast paths off for the duration."""
    saved = xml._FAST, rest._FAST, url._FAST, library._FAST
    xml._FAST = rest._FAST = url._FAST = library._FAST = False
    try:
        yield
    finally:
        xml._FAST, rest._FAST, url._FAST, library._FAST = saved


def both_ways(decode: Callable[[str], AnswerSet], text: str) -> tuple[Any, Any]:
    fast = outcome(lambda: decode(text))
    with checked_path():
        checked = outcome(lambda: decode(text))
    return fast, checked


ENCODERS: list[Callable[[AnswerSet], Any]] = [
    lambda s: rest.encode(s, ignore_locale=True),
    # rest.dumps writes rows as text itself: it must be json.dumps of encode's body.
    lambda s: rest.dumps(s, ignore_locale=True, indent=None),
    lambda s: rest.dumps(s, ignore_locale=True),
    lambda s: rest.dumps(s, ignore_locale=True, indent=2),
    lambda s: rest.dumps(s, ignore_locale=True, indent=0),
    lambda s: rest.dumps(s, ignore_locale=True, separators=(",", ":")),
    lambda s: rest.dumps(s, ignore_locale=True, indent=3, separators=(" ,", " : ")),
    lambda s: url.encode_query(s, ignore_locale=True),
    lambda s: url.encode(s, fallback="xml", assume_order=True, ignore_locale=True),
]


def assert_same(decode: Callable[[str], AnswerSet], text: str) -> None:
    fast, checked = both_ways(decode, text)
    assert fast[0] == checked[0], (fast, checked)
    if fast[0] != "ok":
        assert fast == checked
        return
    # Encode before anything else touches the models: the encoders read the rows.
    for encode in ENCODERS:
        fast_text = outcome(partial(encode, fast[1]))
        checked_text = outcome(partial(encode, checked[1]))
        assert fast_text == checked_text
    assert fast[1] == checked[1]
    assert repr(fast[1]) == repr(checked[1])
    assert hash(fast[1]) == hash(checked[1])


# --- documents spelled as MicroStrategy writes them, then mutated -------------------------


def _element_pa(did: str, count: int, source: bool, names: bool) -> str:
    at = f'<at did="{ATTRIBUTE}" tp="12"></at>' if source else ""
    elements = "".join(
        f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1"' + (f' disp_n="E {k}"' if names else "") + "></e>"
        for k in range(count)
    )
    return f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es>{at}{elements}</es></mi></pa>'


def key_spelling(draw: st.DrawFn, part: str, did: str) -> str:
    """``part`` as written, or with ``key="did@pin@tp"`` for its location, maybe without pt."""
    spelling = draw(st.sampled_from(["location", "key", "key without pt"]))
    if spelling == "location":
        return part
    head, rest = part.split(">", 1)
    for pin in ("0", "1"):
        head = head.replace(f'pin="{pin}" did="{did}" tp="10"', f'key="{did}@{pin}@10"')
    if spelling == "key without pt":
        head = re.sub(r' pt="[^"]*"', "", head, count=1)
    return head + ">" + rest


@st.composite
def plain_documents(draw: st.DrawFn) -> str:
    parts = ["<rsl>"]
    dids = draw(st.lists(guids(), min_size=1, max_size=4, unique=True))  # one answer a prompt
    for n, did in enumerate(dids):
        start = len(parts)
        kind = draw(st.sampled_from(["value", "date", "elements", "many", "objects"]))
        if kind == "value":
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif kind == "date":
            parts.append(f'<pa pt="5" pin="1" did="{did}" tp="10">1/{n}/2024</pa>')
        elif kind in ("elements", "many"):
            # "many" crosses the size where lists are checked in bulk.
            count = draw(st.integers(1, 5) if kind == "elements" else st.integers(60, 90))
            parts.append(_element_pa(did, count, draw(st.booleans()), draw(st.booleans())))
        else:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="2" '
                f'sto="1" pfc="0" pcc="2"><mt did="{draw(guids())}" tp="4" n="Revenue"></mt>'
                f'<at did="{ATTRIBUTE}" tp="12" disp_n="Category"></at></fct></mi></pa>'
            )
        parts[start:] = [key_spelling(draw, part, did) for part in parts[start:]]
    parts.append("</rsl>")
    return "".join(parts)


# Small edits that make a plain document unusual (but maybe fine) or wrong.
MUTATIONS = [
    ('emt="1"', 'emt=" 1"'),
    ('emt="1"', 'emt="2"'),
    ('emt="1"', ""),
    (' ei="', ' eix="'),
    (' ei="', ' ei="h'),
    (f'ei="{ATTRIBUTE}', f'ei="{ATTRIBUTE.lower()}'),
    (f'ei="{ATTRIBUTE}', f'ei="{"8D679D3811D3E4981000E787EC6DE8A4"}'),
    (f'ei="{ATTRIBUTE}', 'ei="NOTAGUIDNOTAGUIDNOTAGUIDNOTAGUID'),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:*"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:a;"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:\\"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:2:"),
    ("></e>", "> </e>"),
    ("></e>", ">x</e>"),
    ("></e>", "><x></x></e>"),
    ("</e>", "</e> "),
    ("</e>", "</e>x"),
    ("</e>", "</e>\u00a0"),
    ("</e>", "</e><at did='8D679D3711D3E4981000E787EC6DE8A4'></at>"),
    ("</e>", "</e><x></x>"),
    ("<es>", "<es> "),
    ("<es>", "<es>x"),
    ("<es>", "<es><at did='8D679D3811D3E4981000E787EC6DE8A4'></at>"),
    ('tp="12"', 'tp="4"'),
    ('tp="12"', 'tp=" 12"'),
    ('tp="12"', ""),
    ('tp="4"', 'tp="-4"'),
    ('tp="4"', 'tp="x"'),
    ('tp="4"', ""),
    ('did="', 'did="@'),
    ('did="', 'did="'),
    (f'did="{ATTRIBUTE}"', f'did="{ATTRIBUTE.lower()}"'),
    (f'did="{ATTRIBUTE}"', 'did=""'),
    ('pt="', 'pt=" '),
    ('pt="3"', 'pt="7"'),
    ('pt="3"', 'pt=""'),
    ('pt="7"', 'pt="3"'),
    ('pt="6"', 'pt="99"'),
    ('pin="0"', 'pin="x"'),
    ('pin="0"', 'pin="\u0660"'),
    ('pin="0"', ""),
    ('tp="10"', 'tp="10" key="K@0@10"'),
    ('key="', 'key="@'),
    ('key="', 'key="" x="'),
    ('key="', 'did="0A" key="'),
    ('key="', 'pin="0" key="'),
    ('key="', 'tp="10" key="'),
    ('<pa key="', '<pa pt="" key="'),
    ('<pa key="', '<pa pt=" 3" key="'),
    ('<pa key="', '<pa pt="7" key="'),
    ('<pa key="', '<pa pt="6" key="'),
    ('<pa key="', '<pa pt="3" key="'),
    (' key="', ' KEY="'),
    # A <pa>'s attributes in another order or beside others (read by where each sits).
    ('pt="3" pin="0"', 'pin="0" pt="3"'),
    ('pt="7" pin="0"', 'pin="0" pt="7"'),
    ('pt="6" pin="0" did="', 'did="'),
    ('tp="10">', 'tp="10" pt="3">'),
    ('<pa pt="', '<pa x="1" pt="'),
    ('<pa key="', '<pa x="1" key="'),
    ("<mi>", "<mi> "),
    ("<mi>", "<mi>x"),
    ("</mi>", "</mi>x"),
    ("</es>", "</es>x"),
    ("<mi>", "<mi><es></es>"),
    (' disp_n="', ' n="'),
    (' disp_n="', ' disp_n=";'),
    (' disp_n="', ' disp_n="^'),
    (' disp_n="', ' disp_n="" x="'),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:,"),
    (' n="', ' disp_n="'),
    ("></mt>", ">x</mt>"),
    ("value ", ""),
    (">value", "> "),
    ("</pa>", "</pa> "),
    ("</pa>", "</pa>x"),
    # Characters JSON escapes, in every string the REST text writer copies.
    (' disp_n="', ' disp_n="&quot;'),
    (' disp_n="', ' disp_n="\\'),
    (' disp_n="', ' disp_n="&#9;'),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:&quot;"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:\\x"),
    (f"{ATTRIBUTE}:", f"{ATTRIBUTE}:&#10;"),
    ('did="', 'did="&quot;\\'),
    (">value", ">&quot;\\&#13;"),
    (' n="', ' n="&quot;\\'),
]


def mutate(draw: st.DrawFn, text: str, mutations: list[tuple[str, str]]) -> str:
    """Apply one to three of the edits that apply to ``text``, each at one occurrence."""
    for _ in range(draw(st.integers(1, 3))):
        applicable = [m for m in mutations if m[0] in text]
        if not applicable:
            break
        old, new = draw(st.sampled_from(applicable))
        at = -1
        for _ in range(draw(st.integers(1, text.count(old)))):
            at = text.index(old, at + 1)
        text = text[:at] + new + text[at + len(old) :]
    return text


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    return mutate(draw, draw(plain_documents()), MUTATIONS)


@given(plain_documents())
def test_plain_xml_is_kept_as_rows(text: str) -> None:
    rows = pending_rows(xml.decode(text))
    assert rows is not None
    assert all(type(r) is tuple for r in rows)
    assert_same(xml.decode, text)


@settings(max_examples=600)
@given(mutated_documents())
def test_xml_fast_path_equals_checked_path(text: str) -> None:
    assert_same(xml.decode, text)


@given(xml_answer_sets())
def test_xml_fast_path_equals_checked_path_on_every_carried_answer(answers: AnswerSet) -> None:
    assert_same(xml.decode, xml.encode(answers))


@contextmanager
def streaming(chunk: int) -> Iterator[None]:
    """Read every document as parsed (xml.py, "large documents"), fed ``chunk`` at a time,
    its lists' items read after every piece.  The text reader (mstr_prompts._xml_text),
    which would take plain documents first, is off."""
    saved = xml._STREAM_CHARS, xml._CHUNK, xml._BATCH, xml._RAW
    xml._STREAM_CHARS, xml._CHUNK, xml._BATCH, xml._RAW = 0, chunk, 1, False
    try:
        yield
    finally:
        xml._STREAM_CHARS, xml._CHUNK, xml._BATCH, xml._RAW = saved


@given(plain_documents(), st.integers(1, 300))
def test_plain_xml_is_streamed(text: str, chunk: int) -> None:
    with streaming(chunk):
        assert xml._streamed(text) is not None
        assert_same(xml.decode, text)


@settings(max_examples=400)
@given(mutated_documents(), st.integers(1, 300))
def test_xml_streamed_equals_checked_path(text: str, chunk: int) -> None:
    with streaming(chunk):
        assert_same(xml.decode, text)


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t[:-3],  # truncated: a syntax error after every <pa> was read
        lambda t: t.replace("</rsl>", "<pa/></rsl>"),  # the last <pa> is not plain
        lambda t: t.replace("</rsl>", "<x/></rsl>"),
        lambda t: t.replace("</rsl>", "x</rsl>"),
        lambda t: t.replace("<rsl>", "<rsl>x"),
        lambda t: t.replace("<rsl>", "<rsl><!-- c --><?pi x?>"),
        lambda t: t.replace("<rsl>", "<rsl lcl='1033'>"),
        lambda t: t.replace("<rsl>", "<rsl lcl='x'>"),
        lambda t: t.replace("<rsl>", "<rs>"),
        lambda t: t.replace("<rsl>", "<x><rsl>") + "</x>",
        lambda t: '<!DOCTYPE rsl [<!ENTITY a "b">]>' + t,
        lambda t: t.replace("</pa>", "</pa><!-- c -->", 1),
        lambda t: t.replace("</pa>", "</pa><x/>", 1),
        lambda t: t.replace("</pa>", "</pa>&#160;", 1),
        lambda t: t.replace("E 0", "E 0 &amp; &#x1F600;"),
        lambda t: t.replace("<rsl>", ""),
        lambda t: t.replace("<rsl>", "").replace("</rsl>", ""),  # bare <pa> fragments
    ],
)
def test_streamed_edges_equal_checked_path(edit: Callable[[str], str]) -> None:
    value = '<pa pt="3" pin="0" did="0A" tp="10">v</pa>'
    text = edit("<rsl>" + value + _element_pa(ATTRIBUTE, 70, True, True) + value + "</rsl>")
    for chunk in (5, 64, 1 << 20):
        with streaming(chunk):
            assert_same(xml.decode, text)


def _at(n: int, old: str, new: str) -> Callable[[str], str]:
    """An edit replacing the ``n``-th occurrence (from 0) of ``old``."""

    def edit(text: str) -> str:
        at = -1
        for _ in range(n + 1):
            at = text.index(old, at + 1)
        return text[:at] + new + text[at + len(old) :]

    return edit


SOURCE = f'<at did="{ATTRIBUTE}" tp="12"></at>'


# Inside one long list, read item by item as it is parsed (xml.py, "large documents"):
# an unusual or wrong item anywhere must give what the whole tree gives.
@pytest.mark.parametrize(
    "edit",
    [
        _at(30, "</e>", "</e>x"),  # text after an item in the middle
        _at(30, "</e>", "</e>\u00a0"),  # blank to str.isspace, not to XPath
        _at(0, "</e>", "</e> \n "),
        _at(10, "</e>", "</e>" + SOURCE),  # a source after the first items
        _at(68, "</e>", "</e>" + SOURCE),
        _at(10, "</e>", "</e>" + SOURCE.replace("37", "38")),
        _at(10, "<e ", "<x></x><e "),
        _at(40, 'emt="1"', 'emt="2"'),
        _at(40, 'emt="1"', 'emt=" 1"'),
        _at(50, f'ei="{ATTRIBUTE}:', 'ei="8D679D3811D3E4981000E787EC6DE8A4:'),
        _at(50, f'ei="{ATTRIBUTE}:', f'ei="{ATTRIBUTE}:*'),
        _at(0, f'ei="{ATTRIBUTE}:', f'ei="{ATTRIBUTE.lower()}:'),
        _at(0, f'ei="{ATTRIBUTE}:', 'ei="h'),
        _at(60, ' ei="', ' eix="'),
        _at(69, ' ei="', ' eix="'),  # the last item, read from the tree
        _at(20, "></e>", "><x></x></e>"),
        _at(20, "></e>", ">t</e>"),
        _at(20, ' disp_n="', ' disp_n="&quot;\\'),
        _at(0, "<es>", "<es>x"),
        _at(0, "</es>", "</es><es></es>"),
        _at(0, "</mi>", "</mi><mi></mi>"),
        _at(0, "<mi>", f'<mi><es><e ei="{ATTRIBUTE}:1" emt="1"></e><e></e></es></mi><mi>'),
        _at(
            0,
            "<pa ",
            f'<pa pt="6" pin="0" did="0B" tp="10"><mi><fct><e did="{ATTRIBUTE}" tp="4"></e>'
            f'<e did="{ATTRIBUTE}" tp="4"></e></fct></mi></pa><pa ',
        ),
        _at(
            0,
            "<pa ",
            '<pa pt="8" pin="0" did="0C" tp="10"><exp><nd et="5" nt="4" dmt="1" ddt="-1">'
            f'<nd et="1" nt="5" dmt="1" ddt="-1"><at did="{ATTRIBUTE}" tp="12"/></nd>'
            f'<nd et="1" nt="2" dmt="1" ddt="-1"><mi><es><at did="{ATTRIBUTE}" tp="12"/>'
            f'<e emt="1" ei="{ATTRIBUTE}:1" art="1" disp_n="USA"/><e emt="1" ei="{ATTRIBUTE}:2" '
            'art="1"/></es></mi></nd><op fnt="22"/></nd></exp></pa><pa ',
        ),
        lambda t: t.replace("<rsl>", "<rsl><e></e><e></e>"),
        lambda t: t.replace("</rsl>", "<e></e><e></e></rsl>"),
        lambda t: t[: t.index("</es>")],  # truncated inside the list
    ],
)
def test_streamed_list_edges_equal_checked_path(edit: Callable[[str], str]) -> None:
    value = '<pa pt="3" pin="0" did="0A" tp="10">v</pa>'
    for source in (True, False):
        text = edit("<rsl>" + _element_pa(ATTRIBUTE, 70, source, True) + value + "</rsl>")
        for chunk in (7, 64, 1 << 20):
            with streaming(chunk):
                assert_same(xml.decode, text)


@settings(max_examples=200)
@given(xml_answer_sets(), st.integers(1, 300))
def test_streamed_equals_checked_path_on_every_carried_answer(
    answers: AnswerSet, chunk: int
) -> None:
    with streaming(chunk):
        assert_same(xml.decode, xml.encode(answers))


FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "xml").rglob("*.xml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_streamed_equals_checked_path_on_every_fixture(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    for chunk in (3, 50, 1 << 20):
        with streaming(chunk):
            assert_same(xml.decode, text)


def test_one_long_list_is_read_item_by_item() -> None:
    """A <pa> of 20,000 elements, streamed 1,000 characters at a time: the same answers."""
    text = "<rsl>" + _element_pa(ATTRIBUTE, 20000, True, True) + "</rsl>"
    read = []
    extend = xml._Read.extend

    def counted(self: Any, items: Iterable[Any]) -> bool:
        batch = list(items)
        read.append(len(batch))
        return extend(self, batch)

    with streaming(1000), pytest.MonkeyPatch.context() as patch:
        patch.setattr(xml, "_BATCH", 64)
        patch.setattr(xml._Read, "extend", counted)
        streamed = xml._streamed(text)
        assert len(read) > 100 and sum(read) > 19900  # all but the last few, as parsed
        assert streamed is not None
        rows = streamed[1]
        assert len(rows) == 1 and len(rows[0][3]) == 20000
        assert rows[0][3][:2] == ["0", "1"] and rows[0][4][-1] == "E 19999"
        assert_same(xml.decode, text)


def test_bench_workloads_take_the_fast_path() -> None:
    text = "<rsl>" + _element_pa(ATTRIBUTE, 10000, True, True) + "</rsl>"
    rows = pending_rows(xml.decode(text))
    assert rows is not None and type(rows[0]) is tuple
    assert_same(xml.decode, text)


# --- REST -------------------------------------------------------------------------------

REST_MUTATIONS = [
    ('"type": "VALUE"', '"type": "value"'),
    ('"type": "ELEMENTS"', '"type": "Elements"'),
    ('"type": "OBJECTS"', '"type": "DIMENSION"'),
    ('"answers": "', '"answers": "\\ud800'),
    ('"answers": "', '"answers": "\ud800'),
    ('"answers": "', '"answers": "", "x": "'),
    ('"answers": "', '"answers": ["'),
    ('"id": "h', '"id": "H'),
    ('"id": "h', '"id": "h*'),
    ('"id": "h', '"id": "h\\\\'),
    ('"id": "h', '"id": "h;'),
    ('"id": "h', '"id": "h\\u0000h1;'),
    ('"id": "h', '"id": "h1;8D679D3711D3E4981000E787EC6DE8A4\\u0000h'),
    ('"id": "h', '"id": 5, "i": "h'),
    ('"id": "h', '"name": "n", "id": "h'),
    (f";{ATTRIBUTE}", f";{ATTRIBUTE.lower()}"),
    (f";{ATTRIBUTE}", ";8D679D3811D3E4981000E787EC6DE8A4"),
    (f";{ATTRIBUTE}", f";{ATTRIBUTE};Books"),
    (f";{ATTRIBUTE}", ""),
    ('"name": "', '"name": 5, "x": "'),
    ('"name": "', '"name": null, "x": "'),
    ('"name": "', '"name": "\\udc00'),
    ('"name": "', '"name": "\\ud83d\\ude80'),  # a pair: one astral character
    ('"name": "', '"name": "\\ud83d\\ud83d\\ude80'),
    ('"name": "', '"name": "\\\\ud83d\\ude80'),
    ('"}]', '", "name": null}]'),
    ('"type": "metric"', '"type": 4'),
    ('"type": "metric"', '"type": "4"'),
    ('"type": "metric"', '"type": -4'),
    ('"type": "metric"', '"type": " metric "'),
    ('"type": "metric"', '"type": "bogus"'),
    ('"type": "metric"', '"type": true'),
    ('"type": "metric"', '"type": 4.0'),
    ('"type": "metric"', '"type": null'),
    ('"type": "attribute"', '"type": 12, "x": 1'),
    ('"key": "', '"useDefault": 0, "key": "'),
    ('"key": "', '"useDefault": false, "key": "'),
    ('"key": "', '"useDefault": true, "key": "'),
    ('"key": "', '"id": "X", "key": "'),
    ('"key": "', '"name": "N", "key": "'),
    # Prompts named by id or name alone, or beside the key (rows with a rows.Ref).
    ('"key": "', '"id": "'),
    ('"key": "', '"name": "'),
    ('"key": "', '"key": null, "id": "'),
    ('"key": "', '"id": "", "key": "'),
    ('"key": "', '"name": "", "key": "'),
    ('"key": "', '"id": 5, "key": "'),
    ('"key": "', '"name": ["N"], "key": "'),
    ('"key": "', '"id": "\\udc00", "key": "'),
    ('"key": "', '"useDefault": true, "id": "X", "answers": 5, "key": "'),
    # Blank answers close the prompt (rows too); a misspelt "answers" is refused.
    ('"answers": [{', '"answers": [], "x": [{'),
    ('"answers": [{', '"answers": "", "x": [{'),
    ('"answers": [{', '"answers": {}, "x": [{'),
    ('"answers": [{', '"answer": [], "x": [{'),
    ('"key": "', '"key": "", "k": "'),
    ('"key": "', '"key": 5, "k": "'),
    ('"answers": [{', '"answers": {"id": "X", "type": 4}, "a": [{'),
    ('"answers": [{', '"answers": [], "a": [{'),
    ('"answers": [{', '"answers": [5, {'),
    ('"answers": [{"id": "', '"answers": [{"id": "", "x": "'),
    ("}]}", "}, 5]}"),
]


@st.composite
def rest_bodies(draw: st.DrawFn) -> str:
    text = rest.dumps(xml.decode(draw(plain_documents())), indent=None)
    return mutate(draw, text, REST_MUTATIONS)


@given(plain_documents())
def test_plain_rest_is_kept_as_rows(document: str) -> None:
    text = rest.dumps(xml.decode(document), indent=None)
    rows = pending_rows(rest.decode(text))
    assert rows is not None
    assert all(type(r) is tuple for r in rows)
    assert_same(rest.decode, text)
    assert rest.dumps(rest.decode(text), indent=None) == text


@settings(max_examples=600)
@given(rest_bodies())
def test_rest_fast_path_equals_checked_path(text: str) -> None:
    assert_same(rest.decode, text)
    assert_same(lambda t: rest.decode(t.encode("utf-8", "surrogatepass")), text)


@settings(max_examples=300)
@given(
    mutated_documents(),
    st.sampled_from([None, 0, 1, 2, 4]),
    st.sampled_from([None, (",", ":"), (", ", ": "), (",", ": "), ("\t,", ":\n")]),
)
def test_rest_text_of_rows_is_json_dumps_of_the_body(
    text: str, indent: int | None, separators: tuple[str, str] | None
) -> None:
    """rest.dumps writes a deferred set's rows itself, exactly as json.dumps would."""
    try:
        answers = xml.decode(text)
    except PromptAnswerError:
        return
    written = outcome(
        lambda: rest.dumps(answers, ignore_locale=True, indent=indent, separators=separators)
    )
    body = outcome(lambda: rest.encode(answers, ignore_locale=True))
    if body[0] != "ok":
        assert written == body
    else:
        expected = json.dumps(body[1], ensure_ascii=False, indent=indent, separators=separators)
        assert written == ("ok", expected)


@given(rest_answer_sets())
def test_rest_fast_path_equals_checked_path_on_every_carried_answer(answers: AnswerSet) -> None:
    assert_same(rest.decode, rest.dumps(answers))


def _astral_body(name: str) -> str:
    """An element answer with a display name, as json.dumps (and so mstrio-py) writes it:
    ASCII only, an astral character as a pair of surrogate escapes."""
    body = {
        "prompts": [
            {
                "key": "K@0@10",
                "type": "ELEMENTS",
                "answers": [{"id": f"h{i};{ATTRIBUTE}", "name": f"{name} {i}"} for i in range(3)],
            }
        ]
    }
    return json.dumps(body)


@pytest.mark.parametrize(
    "name", ["\U0001f680", "Rocket \U0001f680\U0001f30d", "\U00010000\U0010ffff"]
)
def test_rest_astral_escapes_stay_on_the_fast_path(name: str) -> None:
    # A valid surrogate pair ("\ud83d\ude80") is one character: the body stays on the fast
    # path (its rows are kept), where any surrogate escape sent it to the checked path
    # (issue 22 review: about 12x slower and 17.8x the memory).
    text = _astral_body(name)
    assert "\\ud8" in text or "\\udb" in text
    decoded = rest.decode(text)
    assert pending_rows(decoded) is not None  # rows: no model built
    assert_same(rest.decode, text)
    assert decoded.answers[0].elements[1].name == f"{name} 1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name",
    [
        "\\ud800",  # a lone high half
        "\\ude80",  # a lone low half
        "\\ud83d\\ud83d\\ude80",  # a high half before a pair
        "\\ud83d\\ude80\\ude80",  # a low half after a pair
        "\\ud83dx\\ude80",  # halves apart
        "\\\\ud83d\\ude80",  # the text "\ud83d", then a lone low half
        "\\\\\\ud83d",  # an escaped backslash, then a lone high half
    ],
)
def test_rest_lone_surrogate_escapes_still_take_the_checked_path(name: str) -> None:
    text = _astral_body("x").replace('"x 1"', f'"{name}"')
    assert rest._plain_text(text) is False
    assert_same(rest.decode, text)


def test_rest_escaped_backslashes_before_a_pair_stay_fast() -> None:
    text = _astral_body("x").replace('"x 1"', '"\\\\\\ud83d\\ude80"')  # "\\" then a pair
    assert rest._plain_text(text)
    assert pending_rows(rest.decode(text)) is not None
    assert_same(rest.decode, text)


# --- URL ----------------------------------------------------------------------------------


@st.composite
def plain_queries(draw: st.DrawFn) -> str:
    prompts = []
    for p in range(draw(st.integers(1, 4))):
        attribute = f"{draw(st.sampled_from([p, 0])):08X}11D3E4981000E787EC6DE8A4"
        count = draw(st.integers(0, 6))
        names = draw(st.booleans())
        elements = ";".join(
            f"{attribute}:{k}" + (f"%5EElement%20{k}" if names else "") for k in range(count)
        )
        prompts.append(f"{attribute};{elements}")
    return "evt=4001&elementsPromptAnswers=" + ",".join(prompts)


URL_MUTATIONS = [
    ("11D3E4981000E787EC6DE8A4:", "11D3E4981000E787EC6DE8A4:*"),
    ("11D3E4981000E787EC6DE8A4:", "11D3E4981000E787EC6DE8A4:\\"),
    ("11D3E4981000E787EC6DE8A4:", "11D3E4981000E787EC6DE8A4:1:"),
    ("11D3E4981000E787EC6DE8A4:", "11D3E4981000E787EC6DE8A4"),
    ("11D3E4981000E787EC6DE8A4:", "11d3e4981000e787ec6de8a4:"),
    ("11D3E4981000E787EC6DE8A4;", "11d3e4981000e787ec6de8a4;"),
    ("11D3E4981000E787EC6DE8A4;", "11D3E4981000E787EC6DE8A;"),
    ("%5E", "%5E%5E"),
    ("%5E", "%5E%2C"),
    ("%5E", "%5E%E9"),
    ("%5E", "%5E%ED%A0%80"),
    ("%5E", "^"),
    ("%20", ""),
    ("Element%20", "%5E"),
    (";", ";;"),
    (";", ";%5E"),
    (",", ",,"),
    (",", ",0000000011D3E4981000E787EC6DE8A4;"),
    ("elementsPromptAnswers=", "elementsPromptAnswers=,"),
    ("elementsPromptAnswers=", "valuePromptAnswers=a^b&elementsPromptAnswers="),
    ("elementsPromptAnswers=", "promptAnswerMode=2&elementsPromptAnswers="),
]


@given(plain_queries())
def test_plain_url_elements_are_kept_as_rows(query: str) -> None:
    assert_same(url.decode, query)


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    return mutate(draw, draw(plain_queries()), URL_MUTATIONS)


@settings(max_examples=400)
@given(mutated_queries())
def test_url_fast_path_equals_checked_path_on_mutations(query: str) -> None:
    assert_same(url.decode, query)


@given(url_answer_sets())
def test_url_fast_path_equals_checked_path_on_every_carried_answer(answers: AnswerSet) -> None:
    assert_same(url.decode, url.encode_query(answers))


@settings(max_examples=60)
@given(library_answer_sets(), st.booleans())
def test_library_fast_path_equals_checked_path_on_every_carried_answer(
    answers: AnswerSet, body: bool
) -> None:
    # library.decode keeps plain answers as rows, as the other decoders do.
    if body and answers.rounds is None:
        assert_same(library.decode, library.encode(answers, form="body"))
    else:
        assert_same(library.decode, library.encode(answers, form="param"))


# --- a deferred set behaves as any other ------------------------------------------------


def _deferred() -> AnswerSet:
    return deferred(((VALUE_ROW, "K@0@10", "2015", None),), locale=1033)


def _built() -> AnswerSet:
    answer = ValueAnswer(value="2015", prompt=PromptRef(key="K@0@10"))
    return AnswerSet(answers=[answer], locale=1033)


@pytest.mark.parametrize(
    "use",
    [
        lambda s: s.answers,
        lambda s: list(s),
        lambda s: len(s),
        lambda s: s[0],
        repr,
        str,
        hash,
        lambda s: s.model_dump(),
        lambda s: s.model_dump_json(),
        lambda s: s.model_copy(update={"locale": 1031}),
        lambda s: pickle.loads(pickle.dumps(s)),
        copy.copy,
        copy.deepcopy,
        lambda s: json.loads(s.model_dump_json())["answers"],
    ],
)
def test_a_deferred_set_is_indistinguishable(use: Callable[[AnswerSet], Any]) -> None:
    result = use(_deferred())
    assert result == use(_built())
    if isinstance(result, AnswerSet):
        assert result == _built().model_copy(update={"locale": result.locale})


def test_a_deferred_set_nested_in_another_model() -> None:
    class Job(BaseModel):
        answers: AnswerSet

    assert Job(answers=_deferred()).model_dump() == Job(answers=_built()).model_dump()
    assert Job(answers=_deferred()) == Job(answers=_built())


def test_rows_and_models_mix() -> None:
    model = _built()[0]
    s = deferred(((VALUE_ROW, "K@0@10", "2015", None), model))
    assert s.answers == (model, model)
    assert answer_of(model) is model


def test_the_schema_is_unchanged() -> None:
    assert AnswerSet.model_json_schema(mode="serialization") == AnswerSet.model_json_schema()


def test_importing_the_package_loads_no_codec() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mstr_prompts; "
        "assert 'pydantic' not in sys.modules and 'lxml' not in sys.modules; "
        "assert mstr_prompts.AnswerSet.__name__ == 'AnswerSet'; "
        "assert mstr_prompts.DecodeError.__module__ == 'mstr_prompts.errors'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- long URL parameters, percent-decoded a piece at a time ------------------------------


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(["%", "%5", "%5E", "%5e", "%C3%A9", "%C3", "%FF", "+", "a", "é"])),
    st.integers(1, 12),
)
def test_long_values_decode_as_short_ones(pieces: list[str], chunk: int) -> None:
    query = "elementsPromptAnswers=" + "".join(pieces)
    whole = outcome(lambda: url.split_query(query))
    saved = limits._CHUNK  # url percent-decodes long values through limits.unquote_bytes
    limits._CHUNK = chunk
    try:
        assert outcome(lambda: url.split_query(query)) == whole
    finally:
        limits._CHUNK = saved


# --- empty answers: a Close from the fast walk, the same as the checked path's ----------

CLOSES = [
    '<pa pt="3" pin="0" did="0A" tp="10"></pa>',
    '<pa pt="3" pin="0" did="0A" tp="10"/>',
    '<pa pt="7" pin="0" did="0A" tp="10"></pa>',
    '<pa pt="" pin="0" did="0A" tp="10"></pa>',
    '<pa pin="0" did="0A" tp="10"></pa>',
    '<pa key="K@0@10"></pa>',
    '<pa pt="5" key="W34D"></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"> </pa>',
    '<pa pt="3" pin="0" did="0A" tp="10"> </pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es>{SOURCE}</es></mi></pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es>{SOURCE.lower()}</es></mi></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"><mi><es><at did="0B" tp="12"/></es></mi></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"><mi><es><at did="" tp="12"/></es></mi></pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es><at did="{ATTRIBUTE}" tp=" 12"/></es></mi></pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es><at did="{ATTRIBUTE}"/></es></mi></pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es><at did="{ATTRIBUTE}">x</at></es></mi></pa>',
    f'<pa pt="7" pin="0" did="0A" tp="10"><mi><es>{SOURCE}{SOURCE}</es></mi></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"><mi><es></es></mi></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"><mi>\n  <es>\n  </es>\n</mi></pa>',
    '<pa pt="7" pin="0" did="0A" tp="10"><mi><es>x</es></mi></pa>',
    '<pa pt="6" pin="0" did="0A" tp="10"><mi><fct qsr="0" fcn="0" cc="0" sto="1" pfc="0" pcc="0"></fct></mi></pa>',
    '<pa pt="3" pin="0" did="0A" tp="10"><mi><fct/></mi></pa>',
    '<pa key="K@0@10"><mi><fct/></mi></pa>',
    '<pa pt="6" pin="0" did="0A" tp="10"><mi><fct> </fct></mi></pa>',
    '<pa pt="8" pin="0" did="0A" tp="10"><exp/></pa>',
    '<pa pt="13" pin="0" did="0A" tp="10"><dmy/></pa>',
]


@pytest.mark.parametrize("close", CLOSES)
def test_empty_answers_equal_checked_path(close: str) -> None:
    value = '<pa pt="3" pin="0" did="0C" tp="10">v</pa>'
    text = "<rsl>" + value + close + _element_pa(ATTRIBUTE, 3, True, True) + "</rsl>"
    assert_same(xml.decode, text)
    with streaming(16):
        assert_same(xml.decode, text)


@pytest.mark.parametrize("indent", [None, 0, 2])
@pytest.mark.parametrize("separators", [None, (",", ":")])
def test_rest_text_of_element_rows_with_names_to_escape(
    indent: int | None, separators: tuple[str, str] | None
) -> None:
    """Display names with a quote, a backslash, a tab or a line break (written escaped by
    rest.dumps's element pieces) and names needing none, named and unnamed elements in one
    list: the text is json.dumps's."""
    names = ["Music &quot;CD&quot;", "back\\slash", "tab&#9;here", "line&#10;break", "東京 🚀", ""]
    items = "".join(
        f'<e emt="1" ei="{ATTRIBUTE}:{k}" art="1"'
        + (f' disp_n="{names[k % len(names)]}"' if k % 4 else "")
        + "/>"
        for k in range(24)
    )
    document = (
        f'<rsl><pa pt="7" pin="0" did="{GUID}" tp="10"><mi><es>'
        f'<at did="{ATTRIBUTE}" tp="12"/>{items}</es></mi></pa></rsl>'
    )
    answers = xml.decode(document)
    assert pending_rows(answers) is not None
    expected = json.dumps(
        rest.encode(answers), ensure_ascii=False, indent=indent, separators=separators
    )
    assert rest.dumps(answers, indent=indent, separators=separators) == expected
    assert '\\"CD\\"' in expected and "\\\\slash" in expected and "\\n" in expected


def test_rest_keeps_a_bounded_number_of_layouts() -> None:
    # Callers choose indent and separators: ever new ones must not grow the table.
    for n in range(200):
        assert rest.dumps(rest.decode('{"prompts": []}'), separators=(",", ":" + " " * n))
    assert len(rest._LAYOUTS) <= rest._MAX_LAYOUTS
