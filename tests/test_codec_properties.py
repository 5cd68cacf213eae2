"""Issue 20 item 9: properties that hold the classes of bugs the review found.

* every decoder, on every input (real fixtures mutated at random, and random text), either
  returns or raises the library's own error, never anything else;
* decode -> encode -> decode is stable: whatever an encoder writes, its decoder reads, to
  a set that encodes the same again;
* a set decoded from N answers on the wire has N answers (or the decoder refuses it).

Linear time on generated worst cases is tests/test_linear_time.py.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstr_prompts import definitions, formats, library, links, rest, url, xml
from mstr_prompts.errors import NotRepresentableError, PromptAnswerError
from mstr_prompts.model import AnswerSet

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _seeds(folder: str, *suffixes: str) -> list[str]:
    return sorted(
        p.read_text(encoding="utf-8")
        for p in (FIXTURES / folder).iterdir()
        if p.suffix in suffixes and p.is_file()
    )


SEEDS = {
    "rest": _seeds("rest", ".json"),
    "xml": _seeds("xml", ".xml"),
    "url": _seeds("url", ".txt"),
    "library": _seeds("library", ".json"),
    "definitions": _seeds("definitions", ".json"),
}
# Characters that matter to some grammar, and a few that matter to none.
_ALPHABET = "<>/=\"' &;%^~,:[]{}@\\\x1b\x00\ufeff\ud7ff\u00e9\U0001f600aZ09-_.+#?!*|"

DECODERS: dict[str, Callable[[str], Any]] = {
    "rest": rest.decode,
    "xml": xml.decode,
    "url": url.decode,
    "library": library.decode,
    "definitions": definitions.decode,
    "links": links.parse,
    "detect": formats.detect,
}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        piece = draw(st.text(alphabet=_ALPHABET, min_size=1, max_size=4))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + len(piece) :]
        elif kind == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        else:
            text = text[:at] + text[at : at + 8] * draw(st.integers(2, 5)) + text[at:]
    return text


def _inputs(name: str) -> st.SearchStrategy[str]:
    seeds = SEEDS.get(name) or [s for group in SEEDS.values() for s in group]
    return st.one_of(mutated(seeds), st.text(alphabet=_ALPHABET, max_size=60))


def _quiet(call: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_only_the_librarys_own_errors(name: str, data: st.DataObject) -> None:
    text = data.draw(_inputs(name))
    with contextlib.suppress(PromptAnswerError):  # anything else fails the test
        _quiet(lambda: DECODERS[name](text))


CODECS: dict[str, tuple[Callable[[Any], AnswerSet], Callable[[AnswerSet], Any]]] = {
    "rest": (rest.decode, rest.encode),
    "xml": (xml.decode, xml.encode),
    "library": (library.decode, library.encode),
    "url": (partial(url.decode, allow_empty=True), url.encode_query),
}


@pytest.mark.parametrize("name", sorted(CODECS))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_decode_encode_decode_is_stable(name: str, data: st.DataObject) -> None:
    decode, encode = CODECS[name]
    text = data.draw(_inputs(name))
    try:
        first = _quiet(lambda: decode(text))
        written = _quiet(lambda: encode(first))
    except PromptAnswerError:
        return
    # whatever the encoder writes, its decoder reads, and it writes the same again
    second = _quiet(lambda: decode(written))
    assert _quiet(lambda: encode(second)) == written
    assert len(second) == len(first)


@st.composite
def rest_bodies(draw: st.DrawFn) -> tuple[str, int]:
    items: list[dict[str, Any]] = []
    for index in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["VALUE", "ELEMENTS", "OBJECTS", "default", "empty"]))
        key = f"{index:032X}@0@10"
        if kind == "VALUE":
            items.append(
                {"key": key, "type": "VALUE", "answers": draw(st.sampled_from(["1", "x", ""]))}
            )
        elif kind == "ELEMENTS":
            items.append({"key": key, "type": "ELEMENTS", "answers": []})
        elif kind == "OBJECTS":
            items.append(
                {
                    "key": key,
                    "type": "OBJECTS",
                    "answers": [{"id": "4C05177011D3E877C000B3B2D86C964F", "type": 4}],
                }
            )
        elif kind == "default":
            items.append({"key": key, "type": "VALUE", "useDefault": True})
        else:
            items.append({"key": key, "type": "VALUE"})
    return json.dumps({"prompts": items}), len(items)


@st.composite
def xml_documents(draw: st.DrawFn) -> tuple[str, int]:
    parts = []
    count = draw(st.integers(0, 6))
    for index in range(count):
        body = draw(st.sampled_from(["", "v", "<exp></exp>", "<mi><es></es></mi>"]))
        parts.append(f'<pa pt="3" pin="0" did="{index:032X}" tp="10">{body}</pa>')
    return "<rsl>" + "".join(parts) + "</rsl>", count


@st.composite
def library_documents(draw: st.DrawFn) -> tuple[str, int]:
    rounds = []
    count = 0
    for _ in range(draw(st.integers(1, 3))):
        answers = []
        for index in range(draw(st.integers(0, 4))):
            values = draw(st.sampled_from([[], ["x"], ["a", "b"]]))
            answers.append(
                {
                    "key": f"{count + index:032X}@0@10",
                    "values": values,
                    "useDefault": draw(st.booleans()) and not values,
                }
            )
        count += len(answers)
        rounds.append(answers)
    return json.dumps(rounds), count


@st.composite
def url_queries(draw: st.DrawFn) -> tuple[str, int]:
    slots = draw(st.lists(st.sampled_from(["", "a", "1/1/2003", "x y"]), min_size=1, max_size=6))
    return "valuePromptAnswers=" + "%5E".join(slots), len(slots)


WIRE: dict[str, tuple[Callable[[str], AnswerSet], st.SearchStrategy[tuple[str, int]]]] = {
    "rest": (rest.decode, rest_bodies()),
    "xml": (xml.decode, xml_documents()),
    "library": (library.decode, library_documents()),
    "url": (url.decode, url_queries()),
}


@pytest.mark.parametrize("name", sorted(WIRE))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_n_answers_on_the_wire_are_n_answers(name: str, data: st.DataObject) -> None:
    decode, documents = WIRE[name]
    text, count = data.draw(documents)
    try:
        answers = _quiet(lambda: decode(text))
    except PromptAnswerError:
        return
    assert len(answers) == count, (text, answers)


def test_no_encoder_writes_what_its_decoder_refuses_for_repeated_keys() -> None:
    twice = rest.decode(
        '{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "a"},'
        ' {"key": "K@0@10", "type": "VALUE", "answers": "b"}]}'
    )
    for name, (_, encode) in CODECS.items():
        with pytest.raises(NotRepresentableError, match="twice" if name != "url" else None):
            _quiet(partial(encode, twice))
