"""``encode(decode(s))`` is the canonical spelling of ``s``.

Each test takes a canonical wire string ``encode(x)``, re-spells it the ways real
writers do (quotes, self-closing tags, indentation, the ``key=`` form, percent- and
form-encoding; old-short element IDs, integer object types, definition fields; ``%5e``,
raw carets, ``+``, ``?&`` and ``&&``), and checks that decoding the re-spelling and
encoding again gives back exactly the canonical string.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import AnswerSet, rest, url, xml
from mstr_prompts.strategies import rest_answer_sets, url_answer_sets, xml_answer_sets

# --- XML ------------------------------------------------------------------------------

_PA = re.compile(r"<pa [^>]*>.*?</pa>", re.DOTALL)
_EMPTY = re.compile(r"<(\w+)((?: [\w:]+=\"[^\"]*\")*)></\1>")
# Attributes are respelled inside start tags only, each from its own start: a value may
# hold ' and = (an object ID "' 0="), and a prompt's text may read like an attribute.
_START_TAG = re.compile(r"<\w+(?:\s[\w:]+=\"[^\"]*\")*\s*/?>")
_ATTR = re.compile(r"(\s[\w:]+)=\"([^\"']*)\"")
_ATTR_ANY = re.compile(r"(\s[\w:]+)=\"([^\"]*)\"")


def _single_quoted(tag: re.Match[str]) -> str:
    return _ATTR_ANY.sub(lambda m: _ATTR.sub(r"\1='\2'", m[0]), tag[0])


_LOCATED = re.compile(r'<pa pt="(6|7|8|13)" pin="(\d+)" did="([^"@]+)" tp="(\d+)">')


def _respell_pa(pa: str, draw: st.DrawFn) -> str:
    if "<exp" in pa or "<dmy" in pa:
        return pa  # whitespace inside an expression is content, so leave the body alone
    if draw(st.booleans()) and "<mi>" in pa:
        pa = _LOCATED.sub(lambda m: f'<pa key="{m[3]}@{m[2]}@{m[4]}">', pa)
    if draw(st.booleans()) and "<mi>" in pa:
        pa = (
            pa.replace("<mi>", "\n  <mi>\n    ")
            .replace("</e><e ", "</e>\n      <e ")
            .replace("</mi>", "\n  </mi>\n")
        )
    return pa


@st.composite
def _respelled_xml(draw: st.DrawFn) -> tuple[str, str]:
    canonical = xml.encode(draw(xml_answer_sets()))
    text = _PA.sub(lambda m: _respell_pa(m[0], draw), canonical)
    if draw(st.booleans()):
        text = _EMPTY.sub(r"<\1\2/>", text)
    if draw(st.booleans()):
        text = _START_TAG.sub(_single_quoted, text)
    if draw(st.booleans()):
        text = text.replace("</pa><pa", "</pa>\n<pa")
    transport = draw(st.sampled_from(["raw", "percent", "form", "twice"]))
    if transport == "percent":
        text = quote(text, safe="")
    elif transport == "form":
        text = quote_plus(text, safe="")
    elif transport == "twice":
        text = quote(quote(text, safe=""), safe="")
    return canonical, text


@given(_respelled_xml())
def test_xml_encode_decode_is_canonical(pair: tuple[str, str]) -> None:
    canonical, respelled = pair
    assert xml.encode(xml.decode(respelled)) == canonical


# --- REST -----------------------------------------------------------------------------

_TERSE = re.compile(r"h([^;\\*:]+);([0-9A-F]{32})")
_TYPE_NUMBERS = {"metric": 4, "attribute": 12, "filter": 1}


def _respell_item(item: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    item = dict(item)
    if draw(st.booleans()):
        item["type"] = item["type"].lower()
    if draw(st.booleans()):  # definition fields the server ignores
        item.update(required=False, closed=False, defaultAnswer=[])
    answers = item.get("answers")
    if isinstance(answers, str) and answers and draw(st.booleans()):
        item["answers"] = [answers]
    if isinstance(answers, list) and item["type"].upper() in ("ELEMENTS", "OBJECTS"):
        respelled = []
        for entry in answers:
            entry = dict(entry)
            terse = _TERSE.fullmatch(entry["id"]) if isinstance(entry.get("id"), str) else None
            if terse and draw(st.booleans()):
                entry["id"] = f"{terse[2]}:{terse[1]}"
            if entry.get("type") in _TYPE_NUMBERS and draw(st.booleans()):
                entry["type"] = _TYPE_NUMBERS[entry["type"]]
            respelled.append(entry)
        item["answers"] = respelled
    return item


@st.composite
def _respelled_rest(draw: st.DrawFn) -> tuple[dict[str, Any], Any]:
    canonical = rest.encode(draw(rest_answer_sets()))
    body = {"prompts": [_respell_item(item, draw) for item in canonical["prompts"]]}
    spelling = draw(st.sampled_from(["dict", "text", "bytes"]))
    if spelling == "text":
        return canonical, json.dumps(body, indent=draw(st.sampled_from([None, 2])))
    if spelling == "bytes":
        return canonical, json.dumps(body).encode("utf-8")
    return canonical, body


@given(_respelled_rest())
def test_rest_encode_decode_is_canonical(pair: tuple[dict[str, Any], Any]) -> None:
    canonical, respelled = pair
    assert rest.encode(rest.decode(respelled)) == canonical


# --- URL ------------------------------------------------------------------------------


@st.composite
def _respelled_url(draw: st.DrawFn) -> tuple[str, str]:
    answers: AnswerSet = draw(url_answer_sets())
    canonical = url.encode_query(answers)
    text = canonical
    if draw(st.booleans()):
        text = text.replace("%5E", draw(st.sampled_from(["%5e", "^"])))
    if draw(st.booleans()):
        text = text.replace("%1B", "%1b")
    if draw(st.booleans()):
        text = text.replace("%20", "+")
    if draw(st.booleans()):
        text = text.replace("&", "&&")
    if draw(st.booleans()):
        text = text.replace("elementsPromptAnswers=", "elementspromptanswers=")
    if draw(st.booleans()) and "elementsPromptAnswers=" in text:
        text += "&evt=4001"  # another parameter, which decode ignores
    prefix = draw(st.sampled_from(["", "?", "?&", "http://h/MicroStrategy/servlet/mstrWeb?"]))
    return canonical, prefix + text


@given(_respelled_url())
def test_url_encode_decode_is_canonical(pair: tuple[str, str]) -> None:
    canonical, respelled = pair
    assert url.encode_query(url.decode(respelled)) == canonical


def test_the_readme_strategy_example_passes_in_a_fresh_directory(tmp_path: Path) -> None:
    # Run as a user would, first thing, with no .hypothesis directory: the strategies once
    # failed hypothesis's "input generation is slow" health check there (codec="utf-8").
    example = (
        "from hypothesis import given\n"
        "from mstr_prompts.strategies import xml_answer_sets\n"
        "@given(xml_answer_sets())\n"
        "def test_my_exporter(answers): ...\n"
        "test_my_exporter()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
