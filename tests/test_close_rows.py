"""Empty answers read as rows, written by every writer as their Close (issue 22 item 2).

Each family's empty answer in prompt-answer XML (``<pa …></pa>`` told apart by ``pt``,
``<mi><es/></mi>``, ``<mi><fct …/></mi>``, ``<exp/>``) is a ``CLOSE_ROW``.  Prompt-answer
XML's writer, and the Web URL's promptsAnswerXML, write it from the row; the URL
parameters refuse it from the row.  Each check holds every target's text, or its error,
equal for the rows and for the models (``test_rest_expression_rows.targets``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_close_attribute_rows import same_both_ways

from mstr_prompts import xml
from mstr_prompts.row_kinds import CLOSE_ROW
from mstr_prompts.rows import RowSet, pending_rows
from mstr_prompts.strategies import guids

BODIES = {
    "7": ["<mi><es/></mi>", "<mi><es></es></mi>", "<mi>\n  <es/>\n</mi>"],
    "6": ['<mi><fct qsr="0" fcn="0" cc="0" sto="1" pfc="0" pcc="0"/></mi>', "<mi><fct/></mi>"],
    "8": ["<exp/>", "<exp></exp>", "<exp>\n</exp>"],
    "3": [""],
    "5": [""],
    None: [""],
}


def close_rows(rows: RowSet) -> list[Any]:
    pending = pending_rows(rows, expression_rows=True)
    assert pending is not None
    return [r for r in pending if type(r) is tuple and r[0] == CLOSE_ROW]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, int]:
    """A document of one to four prompts, each a close or a value; how many closes."""
    pas, closes = [], 0
    for pin in range(draw(st.integers(1, 4))):
        did = draw(guids())
        if draw(st.booleans()):
            pas.append(f'<pa pt="3" pin="{pin}" did="{did}" tp="10">2015</pa>')
            continue
        pt = draw(st.sampled_from(sorted(BODIES, key=str)))
        body = draw(st.sampled_from(BODIES[pt]))
        head = "<pa" if pt is None else f'<pa pt="{pt}"'
        pas.append(f'{head} pin="{pin}" did="{did}" tp="10">{body}</pa>')
        closes += 1
    return "<rsl>" + "".join(pas) + "</rsl>", closes


@settings(max_examples=80, deadline=None)
@given(documents())
def test_xml_closes_are_rows_written_as_their_close(document: tuple[str, int]) -> None:
    text, closes = document
    rows = same_both_ways(xml.decode_rows, xml.decode, text)
    assert rows is not None
    assert len(close_rows(rows)) == closes


def test_each_family_written_back_as_read() -> None:
    guid = "2294C41E44244ADAED930CB4E00A9DA0"
    for pt, bodies in BODIES.items():
        head = "<pa" if pt is None else f'<pa pt="{pt}"'
        text = f'<rsl>{head} pin="0" did="{guid}" tp="10">{bodies[0]}</pa></rsl>'
        rows = xml.decode_rows(text)
        assert close_rows(rows), text
        # the row's text is the model's, which reads back as the same Close
        assert xml.decode(xml.encode(rows)) == rows.answer_set()
