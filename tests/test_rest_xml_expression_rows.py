"""REST's ``{"xml": "<exp>…</exp>"}`` expression answers read as rows (issue 22 item 2).

``rest.decode_rows`` keeps such an answer as the row prompt-answer XML's reader makes of
that ``<exp>`` (``_expression_scan``: typed for the usual shapes, verbatim outside the
case table), with no model class; anything else takes the checked path.  Each check
decodes a body both ways (rows, and the checked path with ``rest._FAST`` off) and holds
every target's text, or its error, equal (``test_rest_expression_rows.same_both_ways``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from test_rest_expression_rows import KEY, body_of, is_row, same_both_ways

from mstr_prompts import expression_xml, limits, rest, xml
from mstr_prompts._expression_scan import Answers, VerbatimAnswers
from mstr_prompts.row_kinds import EXPRESSION_ROW
from mstr_prompts.rows import pending_rows
from mstr_prompts.strategies import expressions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
METRIC = (
    '<exp>{Revenue} &gt; 10<nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4" n="Revenue"/></nd>'
    '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>'
)
OUTSIDE = '<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>'
PROMPTS: list[dict[str, Any]] = [
    {"key": KEY},
    {"id": KEY[:32]},
    {"name": "Filter"},
    {"key": KEY, "id": KEY[:32], "name": "Filter"},
]
CONTENTS = [None, "", "  ", "{Revenue} > 10", "something else"]


def spelt(exp: str, draw: st.DrawFn) -> str:
    """The same ``<exp>`` in another spelling: single quotes, spaces between nodes."""
    if draw(st.booleans()):
        exp = exp.replace('"', "'")
    if draw(st.booleans()):
        exp = exp.replace("><nd", ">\n  <nd")
    return exp


def xml_reader_row(exp: str) -> bool:
    """True when prompt-answer XML's reader keeps ``exp`` as a row of the scan (not the
    walk's, which builds on the model)."""
    rows = xml.decode_rows(f'<rsl><pa pt="8" pin="0" did="{KEY[:32]}" tp="10">{exp}</pa></rsl>')
    pending = pending_rows(rows, expression_rows=True)
    return (
        pending is not None
        and type(pending[0]) is tuple
        and pending[0][0] == EXPRESSION_ROW
        and type(pending[0][2]) in (Answers, VerbatimAnswers)
    )


@st.composite
def xml_answers(draw: st.DrawFn) -> dict[str, Any]:
    exp = expression_xml.dumps(draw(expressions(xml=True)))
    head = draw(st.sampled_from([None, "{Revenue} &gt; 10", "a"]))
    if head is not None:
        exp = exp.replace("<exp>", f"<exp>{head}", 1)
    answers: dict[str, Any] = {"xml": spelt(exp, draw)}
    content = draw(st.sampled_from([*CONTENTS, "a"]))
    if content is not None or draw(st.booleans()):
        answers["content"] = content
    return answers


@settings(max_examples=150, deadline=None)
@given(xml_answers(), st.sampled_from(PROMPTS))
def test_xml_answers_write_as_their_models(answers: dict[str, Any], prompt: Any) -> None:
    rows = same_both_ways(body_of(answers, **prompt))
    content = answers.get("content")
    if rows is not None and (content is None or not content.strip()):
        # with no text to disagree with, a row exactly where XML's reader makes one
        assert is_row(rows) == xml_reader_row(answers["xml"])


@pytest.mark.parametrize("content", CONTENTS)
@pytest.mark.parametrize("exp", [METRIC, OUTSIDE], ids=["typed", "verbatim"])
@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: ",".join(p))
def test_content_beside_the_xml(exp: str, content: str | None, prompt: Any) -> None:
    answers = {"xml": exp} if content is None else {"content": content, "xml": exp}
    rows = same_both_ways(body_of(answers, **prompt))
    if exp is OUTSIDE and "key" not in prompt:
        return  # the model's (see rest._xml_expression)
    if content is None or not content.strip() or (exp is METRIC and "Revenue" in content):
        assert is_row(rows)


def fixture_exps() -> list[tuple[str, str]]:
    found = []
    for path in sorted((FIXTURES / "xml").glob("*.xml")):
        try:
            root = etree.fromstring(path.read_bytes())
        except etree.XMLSyntaxError:
            continue
        for index, exp in enumerate(root.iter("exp")):
            text = etree.tostring(exp, encoding="unicode", with_tail=False)
            found.append((f"{path.name}#{index}", text))
    return found


@pytest.mark.parametrize(("name", "exp"), fixture_exps(), ids=lambda v: v[:60])
def test_every_xml_fixtures_exp_as_rest_xml(name: str, exp: str) -> None:
    same_both_ways(body_of({"xml": exp}))
    same_both_ways(body_of({"xml": exp, "content": "shown"}, name="Filter"))


@pytest.mark.parametrize(
    "answers",
    [
        {"xml": "<exp><nd"},  # not XML
        {"xml": "<dmy/>"},  # another element
        {"xml": "<exp/>"},  # closes the prompt
        {"xml": "<exp></exp>", "content": "x > 1"},  # disagrees
        {"xml": "<exp/>", "content": "  "},
        {"xml": 3},
        {"xml": None},
        {"xml": METRIC, "content": 3},
        {"xml": METRIC, "expression": None},
        {"xml": METRIC, "expression": {"operator": "And", "operands": []}},
        {"xml": METRIC, "extra": 1},
        {"xml": METRIC.replace("<exp>", '<exp xmlns="urn:x">')},
        {"xml": "<!DOCTYPE exp [<!ENTITY e 'x'>]><exp>&e;</exp>"},
        {"xml": "<exp>" + "<nd>" * 300 + "</nd>" * 300 + "</exp>"},  # deep
        {"xml": "<exp>\ud800</exp>"},
    ],
    ids=repr,
)
def test_odd_xml_answers_fail_or_read_as_the_checked_path_says(answers: Any) -> None:
    same_both_ways(body_of(answers))


def test_size_limit_checked_as_the_checked_path_checks_it() -> None:
    with limits.allowing(max_size=len(METRIC) + 400):
        same_both_ways(body_of({"xml": METRIC + " " * 200}))
        same_both_ways(body_of({"xml": METRIC + " " * 2000}))


def test_the_rest_docs_fixture_reads_as_its_model() -> None:
    """Its <mt> names the metric by rfd, not did: the walk's, so the checked path's."""
    text = (FIXTURES / "rest" / "expression-metric-xml.json").read_text(encoding="utf-8")
    same_both_ways(text)
    body = json.loads(text)
    body["prompts"][0]["answers"]["xml"] = METRIC
    body["prompts"][0]["answers"]["content"] = "{Revenue} > 10"
    assert is_row(same_both_ways(json.dumps(body)))


def test_decode_rows_keeps_the_scans_row() -> None:
    rows = rest.decode_rows(body_of({"xml": METRIC}))
    written = rest.dumps(rows)
    assert json.loads(written)["prompts"][0]["answers"] == {
        "content": "{Revenue} > 10",
        "expression": {
            "operator": "Greater",
            "operands": [
                {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F", "name": "Revenue"},
                {"type": "constant", "dataType": "Real", "value": "10"},
            ],
        },
    }
