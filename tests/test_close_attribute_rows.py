"""A close that names its attribute, read as a row (issue 22 item 2).

Prompt-answer XML's ``<pa …><mi><es><at did="ATTR" tp="12"/></es></mi></pa>`` and the
Web URL's ``elementsPromptAnswers=ATTR;`` close an element prompt and name its attribute:
``Close(family=ELEMENTS, attribute=ATTR)``.  Their readers keep it as a
``CLOSE_ATTRIBUTE_ROW`` (no model class), which every writer writes as it writes that
Close; ``bind`` and ``validate`` are given the Close.  Each check holds every target's
text, or its error, equal for the rows and for the models
(``test_rest_expression_rows.targets``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rest_expression_rows import outcome, targets

from mstr_prompts import definitions, url, xml
from mstr_prompts.enums import PromptFamily
from mstr_prompts.model import AnswerSet, Close
from mstr_prompts.row_kinds import CLOSE_ATTRIBUTE_ROW
from mstr_prompts.rows import RowSet, pending_rows
from mstr_prompts.strategies import guids

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GUID = "2294C41E44244ADAED930CB4E00A9DA0"
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


def modelled(rows: RowSet) -> AnswerSet:
    """The same answers as models (each built from its row), in a set of models."""
    built = rows.answer_set()
    return AnswerSet(answers=tuple(built), mode=built.mode, locale=built.locale)


def same_both_ways(decode_rows: Any, decode: Any, text: str) -> RowSet | None:
    rows = outcome(lambda: decode_rows(text))
    models = outcome(lambda: decode(text))
    if models[0] == "error":
        assert rows == models
        return None
    assert rows[0] == "ok", rows
    assert rows[1].answer_set() == models[1]
    assert targets(rows[1]) == targets(models[1])
    assert targets(rows[1]) == targets(modelled(rows[1]))
    return rows[1]  # type: ignore[no-any-return]


def close_rows(rows: RowSet | None) -> list[Any]:
    assert rows is not None
    pending = pending_rows(rows, expression_rows=True)
    assert pending is not None
    return [r for r in pending if type(r) is tuple and r[0] == CLOSE_ATTRIBUTE_ROW]


SPELLINGS = [
    '<mi><es><at did="{a}" tp="12"/></es></mi>',
    '<mi><es><at did="{a}" tp="12"></at></es></mi>',
    '<mi>\n  <es>\n    <at did="{a}" tp="12"/>\n  </es>\n</mi>',
    "<mi><es><at did='{a}' tp='12'/></es></mi>",
    '<mi><es><at did="{a}"/></es></mi>',
]


@settings(max_examples=60, deadline=None)
@given(
    guids(),
    st.sampled_from(SPELLINGS),
    st.sampled_from(["", '<pa pt="5" pin="1" did="{g}" tp="10">2015</pa>']),
    st.booleans(),
    st.sampled_from(["7", "", None]),
)
def test_xml_closes_naming_their_attribute(
    attribute: str, spelling: str, other: str, lower: bool, pt: str | None
) -> None:
    attribute = attribute.lower() if lower else attribute
    head = "<pa" if pt is None else f'<pa pt="{pt}"'
    body = spelling.format(a=attribute)
    text = f'<rsl>{head} pin="0" did="{GUID}" tp="10">{body}</pa>{other.format(g=GUID)}</rsl>'
    rows = same_both_ways(xml.decode_rows, xml.decode, text)
    if rows is not None and pt == "7":
        assert close_rows(rows) == [(CLOSE_ATTRIBUTE_ROW, f"{GUID}@0@10", attribute)]


@pytest.mark.parametrize(
    "attribute", [ATTRIBUTE, ATTRIBUTE.lower(), "XYZ", "", ATTRIBUTE + "0", "a&amp;b"]
)
def test_xml_odd_sources_read_as_the_model_says(attribute: str) -> None:
    text = (
        f'<rsl><pa pt="7" pin="0" did="{GUID}" tp="10"><mi><es><at did="{attribute}" '
        'tp="12"/></es></mi></pa></rsl>'
    )
    same_both_ways(xml.decode_rows, xml.decode, text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(guids(), min_size=1, max_size=3),
    st.sampled_from(
        [
            "",
            "valuePromptAnswers=2015^^Sam&",
            "objectsPromptAnswers=^4C051DB611D3E877C000B3B2D86C964F~4&",
        ]
    ),
    st.sampled_from(["", f",{ATTRIBUTE};{ATTRIBUTE}:1^Books", ",", ";;"]),
    st.booleans(),
)
def test_url_closes_naming_their_attribute(
    attributes: list[str], before: str, after: str, trailing: bool
) -> None:
    closes = ",".join(a + ";" + (";" if trailing else "") for a in attributes)
    text = f"{before}elementsPromptAnswers={closes}{after}"
    rows = same_both_ways(url.decode_rows, url.decode, text)
    if rows is not None and after in ("", ","):
        assert len(close_rows(rows)) == len(attributes)


@pytest.mark.parametrize("path", sorted((FIXTURES / "url").glob("*.txt")), ids=lambda p: p.name)
def test_every_url_fixture(path: Path) -> None:
    same_both_ways(url.decode_rows, url.decode, path.read_text(encoding="utf-8"))


def test_d3_is_a_close_row() -> None:
    rows = url.decode_rows((FIXTURES / "url" / "D3.txt").read_text(encoding="utf-8"))
    (row,) = close_rows(rows)
    assert row[2] == "54BABC8311D59D57C000B28A4CC5F24F"
    assert rows.answer_set().answers[0] == Close(
        family=PromptFamily.ELEMENTS, attribute="54BABC8311D59D57C000B28A4CC5F24F"
    )
    assert rows.dump() == rows.answer_set().model_dump(mode="json", exclude_none=True)


def test_bind_and_validate_are_given_the_close() -> None:
    """Bound by its attribute to the element prompt that has it, as its model is."""
    defs = definitions.decode(
        '[{"key": "' + GUID + '@1@10", "id": "' + GUID + '", "name": "Category", '
        '"type": "ELEMENTS", "required": false, "min": 0, '
        '"source": {"id": "' + ATTRIBUTE + '", "name": "Category", "type": 12}}]'
    )
    text = f"elementsPromptAnswers={ATTRIBUTE};"
    rows = url.decode_rows(text)
    models = url.decode(text)
    bound = outcome(lambda: definitions.bind(rows, defs))
    assert bound == outcome(lambda: definitions.bind(models, defs))
    assert bound[0] == "ok"
    assert targets(bound[1]) == targets(definitions.bind(models, defs))
    assert bound[1].answers[0].prompt.key == f"{GUID}@1@10"
