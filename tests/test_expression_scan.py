"""expression_xml's scan of the usual ``<exp>`` shapes against the walk (issue 22 item 5).

Prompt-answer XML reads an ``<exp>`` of the usual shapes by one regular expression per
qualification over lxml's serialisation, keeps it as an expression row that REST's
writer writes, and builds its model only when another reader asks.  Everything else
goes to the walk.  Here every document is read both ways (the scan switched off with
``expression_xml._SCAN = False``, which leaves exactly the walk), from generated trees,
spellings other people use, mutated ``<exp>`` documents and every fixture: the REST text
must be byte-identical through ``rest.dumps`` and ``json.dumps(rest.encode(...))``, the
models equal, the other encoders' text identical, and errors the same type and message.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from paths import outcome, switched

from mstr_prompts import expression_xml, expressions, library, rest, url, xml
from mstr_prompts.expressions import and_, attribute, form, metric, not_, or_, qualify
from mstr_prompts.model import AnswerSet, ExpressionAnswer, PromptRef
from mstr_prompts.row_kinds import EXPRESSION_ROW
from mstr_prompts.rows import RowSet, pending_rows
from mstr_prompts.strategies import expressions as expression_trees
from mstr_prompts.strategies import guids, xml_texts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


# Read every <exp> by the walk, as before the scan.
walked = partial(switched, expression_xml, _SCAN=False)


WRITERS: list[Callable[[Any], Any]] = [
    lambda s: rest.dumps(s, ignore_locale=True),
    lambda s: json.dumps(rest.encode(s, ignore_locale=True), ensure_ascii=False),
    lambda s: rest.dumps(s, ignore_locale=True, indent=2),
    lambda s: rest.dumps(s, ignore_locale=True, separators=(",", ":")),
    lambda s: rest.dumps(s, ignore_locale=True, indent=3, separators=(" ,", " : ")),
    lambda s: xml.encode(s),
    lambda s: library.encode(s),
    lambda s: url.encode(s, fallback="xml", assume_order=True, ignore_locale=True),
]


def assert_same(text: str) -> None:
    """``text`` reads and writes the same with the scan as by the walk."""
    for decode in (xml.decode, xml.decode_rows):
        scanned = outcome(lambda: decode(text))  # noqa: B023 (called at once)
        with walked():
            walk = outcome(lambda: decode(text))  # noqa: B023
        assert scanned[0] == walk[0], (scanned, walk)
        if scanned[0] != "ok":
            assert scanned == walk
            return
        # Each writer on a fresh decode: the writers read the rows before any model.
        for write in WRITERS:
            ours = outcome(partial(write, decode(text)))
            with walked():
                theirs = outcome(partial(write, decode(text)))
            assert ours == theirs
        answers = scanned[1].answer_set() if isinstance(scanned[1], RowSet) else scanned[1]
        expected = walk[1].answer_set() if isinstance(walk[1], RowSet) else walk[1]
        assert answers == expected
        assert repr(answers) == repr(expected)


def document(*bodies: str) -> str:
    return (
        "<rsl>"
        + "".join(
            f'<pa pt="8" pin="0" did="{guids_fixed(n)}" tp="10">{body}</pa>'
            for n, body in enumerate(bodies)
        )
        + "</rsl>"
    )


def guids_fixed(n: int) -> str:
    return f"{n + 1:032X}"


# --- the scan itself ------------------------------------------------------------------


def _scan_or_walk(text: str) -> tuple[Any, Any]:
    root = etree.fromstring(text)
    scanned = expression_xml._scan(root)
    walk = outcome(lambda: expression_xml._exp(root))
    return scanned, walk


_CONTENT = st.one_of(
    st.none(),
    xml_texts(min_size=1),
    st.text(alphabet=" \t\r\n\x85\u2028&<", min_size=1, max_size=3),
)


@given(expression_trees(xml=True), _CONTENT)
def test_the_scan_reads_the_writers_spelling_as_the_walk_does(
    tree: expressions.Expression, content: str | None
) -> None:
    text = expression_xml.dumps(tree, content)
    scanned, walk = _scan_or_walk(text)
    assert walk[0] == "ok"
    if scanned is not None:
        assert scanned == walk[1]
        assert repr(scanned) == repr(walk[1])


def test_the_scan_takes_the_usual_shapes() -> None:
    """The shapes MicroStrategy's builders write are read by the scan, not the walk."""
    region = attribute(ATTRIBUTE, "Région")
    revenue = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue & co")
    year = form("2EC9CD4E4E5577C0470A4FBB3DFBB272", "45C11FA478E745FEA08D781CEA190FE5")
    trees = [
        qualify(revenue, ">", 10),
        qualify(revenue, "Rank.Top", 10),
        qualify(revenue, "Percent.Bottom", 5),
        qualify(revenue, "Between", 1, 2),
        qualify(revenue, "IsNull"),
        qualify(revenue, "<", revenue),
        qualify(year, "In", "2014", "2015"),
        qualify(year, ">=", "01/02/2024", data_type="Date"),
        qualify(region, "NotIn", (f"{ATTRIBUTE}:1", "Books"), (f"{ATTRIBUTE}:2:3", None)),
        and_(or_(qualify(revenue, ">", 1), not_(qualify(region, "In", f"{ATTRIBUTE}:1")))),
    ]
    for tree in trees:
        text = expression_xml.dumps(tree, "shown")
        scanned, walk = _scan_or_walk(text)
        assert scanned is not None, text
        assert scanned == walk[1] == (tree, "shown")
        indented = _indented(_self_closed(text))
        assert expression_xml._scan(etree.fromstring(indented)) == walk[1], indented
        assert_same(document(text, _self_closed(text), indented))
        assert outcome(lambda: expression_xml.scan_row(etree.fromstring(text), "K")) != (  # noqa: B023
            "ok",
            None,
        )


# --- documents: generated, spelled otherwise, mutated ----------------------------------


def _self_closed(text: str) -> str:
    return re.sub(r"<(\w+)( [^>]*)?></\1>", r"<\1\2/>", text)


def _reordered(text: str) -> str:
    """Each element's attributes in reverse order (the walk reads any order)."""
    root = etree.fromstring(text)
    for element in root.iter():
        items = list(element.attrib.items())
        element.attrib.clear()
        for name, value in reversed(items):
            element.set(name, value)
    return etree.tostring(root, encoding="unicode")


def _indented(text: str) -> str:
    root = etree.fromstring(text)
    etree.indent(root)
    return etree.tostring(root, encoding="unicode")


def _referenced(text: str) -> str:
    """Non-ASCII letters as character references, as some writers send them."""
    return "".join(f"&#{ord(c)};" if ord(c) > 127 and c.isalpha() else c for c in text)


def _with_cdata(text: str) -> str:
    return re.sub(r"<cst ddt=\"(\d+)\">([^<]*)</cst>", r'<cst ddt="\1"><![CDATA[\2]]></cst>', text)


def _with_comment(text: str) -> str:
    return text.replace("<op ", "<!-- said --><op ", 1)


def _single_quoted(text: str) -> str:
    return re.sub(r'="([^"\']*)"', r"='\1'", text)


_SPELLINGS: list[Callable[[str], str]] = [
    lambda t: t,
    _self_closed,
    _reordered,
    _indented,
    _referenced,
    _with_cdata,
    _with_comment,
    _single_quoted,
]

_MUTANT_VALUES = st.one_of(
    st.sampled_from(
        ["", " ", " 1", "x", "-1", "0", "1", "2", "3", "4", "5", "6", "7", "10", "12", "14", "21"]
        + [str(n) for n in (8, 9, 11, 17, 19, 20, 22, 44, 54, 57, 76, 1024, 3072)]
    ),
    guids(),
    guids().map(lambda g: g + ":1"),
    guids().map(lambda g: g.lower()),
    guids().map(lambda g: f"{ATTRIBUTE}:{g}*:;"),
    xml_texts(max_size=6),
    st.sampled_from(["𝔘𝔫𝔦", "名前", "a&b", 'q"uote', "<", "\t\n\r", "\x80\x85\u2028", "&amp;lt;"]),
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """The <exp> of a typed tree in some spelling, with one thing changed: an attribute
    (set, added or removed), text, a node dropped, repeated or renamed."""
    tree = draw(expression_trees(xml=True))
    root = etree.fromstring(expression_xml.dumps(tree, draw(_CONTENT)))
    nodes = list(root.iter())
    node = nodes[draw(st.integers(0, len(nodes) - 1))]
    how = draw(
        st.sampled_from(
            ["none", "attribute", "add", "remove", "text", "tail", "drop", "repeat", "rename"]
        )
    )
    parent = node.getparent()
    if how == "attribute" and node.attrib:
        node.set(draw(st.sampled_from(sorted(node.attrib))), draw(_MUTANT_VALUES))
    elif how == "add":
        name = draw(st.sampled_from(["n", "disp_n", "lcl", "fg", "nc", "cc", "stp", "x", "emt"]))
        node.set(name, draw(_MUTANT_VALUES))
    elif how == "remove" and node.attrib:
        del node.attrib[draw(st.sampled_from(sorted(node.attrib)))]
    elif how == "text":
        node.text = draw(xml_texts(max_size=6))
    elif how == "tail" and parent is not None:
        node.tail = draw(xml_texts(max_size=3))
    elif how == "drop" and parent is not None:
        parent.remove(node)
    elif how == "repeat" and parent is not None:
        parent.insert(parent.index(node), copy.deepcopy(node))
    elif how == "rename":
        node.tag = draw(st.sampled_from(["nd", "op", "mt", "at", "fm", "e", "cst", "x", "exp"]))
    return draw(st.sampled_from(_SPELLINGS))(etree.tostring(root, encoding="unicode"))


@settings(max_examples=150, deadline=None)
@given(st.lists(mutated(), min_size=1, max_size=3))
def test_mutated_documents_read_and_write_as_the_walk_reads_them(bodies: list[str]) -> None:
    assert_same(document(*bodies))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(expression_trees(xml=True), _CONTENT, st.sampled_from(_SPELLINGS)),
        min_size=1,
        max_size=3,
    )
)
def test_generated_trees_in_every_spelling_write_the_same_rest_text(
    items: list[tuple[expressions.Expression, str | None, Callable[[str], str]]],
) -> None:
    assert_same(document(*(spell(expression_xml.dumps(t, c)) for t, c, spell in items)))


@pytest.mark.parametrize("content", ["\r", "\r\n", " \t", "&", "a\rb", "\x85", "\u2028"])
def test_display_text_that_is_only_space_is_no_display_text(content: str) -> None:
    exp = expression_xml.dumps(qualify(metric("4C05177011D3E877C000B3B2D86C964F"), ">", 1), content)
    scanned, walk = _scan_or_walk(exp)
    assert scanned == walk[1]
    assert_same(document(exp))


def test_beside_other_prompts_and_with_odd_prompt_references() -> None:
    exp = expression_xml.dumps(qualify(metric("4C05177011D3E877C000B3B2D86C964F"), ">", 1))
    did = "2294C41E44244ADAED930CB4E00A9DA0"
    for pa in (
        f'<pa pt="8" pin="0" did="{did}" tp="10">{exp}</pa>',
        f'<pa key="{did}@0@10">{exp}</pa>',
        f'<pa pt="8" key="{did}@0@10" did="{did}">{exp}</pa>',
        f'<pa pt="3" pin="0" did="{did}" tp="10">{exp}</pa>',
        f'<pa pt="99" pin="0" did="{did}" tp="10">{exp}</pa>',
        f'<pa pt="8" pin="0" did="{did}" tp="10">\n  {exp}\n</pa>',
        f'<pa pt="8" pin="0" did="{did}" tp="10">{exp}tail</pa>',
        f'<pa pt="8" pin="0" did="{did}" tp="10">{exp}{exp}</pa>',
        f'<pa pt="8" pin="0" did="{did}" tp="10"><exp/></pa>',
        f'<pa pt="8" pin="0" did="{did}" tp="10"><exp nc="0"/></pa>',
    ):
        for other in ("", f'<pa pt="3" pin="0" did="{did}" tp="10">twice</pa>'):
            text = f"<rsl>{pa}{other}</rsl>"
            assert_same(text)
            assert_same(
                f'<rsl lcl="1036">{pa}<pa pt="3" pin="0" did="{"1" * 32}" tp="10">v</pa></rsl>'
            )


@pytest.mark.parametrize(
    "path", sorted(p for p in (FIXTURES / "xml").rglob("*.xml")), ids=lambda p: p.name
)
def test_every_xml_fixture_reads_and_writes_as_before(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"))


def test_the_benchmarks_documents_read_and_write_as_before() -> None:
    import sys

    sys.path.insert(0, str(FIXTURES.parent / "bench"))
    try:
        import workloads
    finally:
        sys.path.pop(0)
    for make in (
        workloads.mixed_with_expressions,
        workloads.varied_expressions,
        workloads.listed_expressions,
    ):
        assert_same(make(40))


# --- the rows -------------------------------------------------------------------------


def _decoded() -> tuple[str, RowSet]:
    exp = expression_xml.dumps(
        qualify(attribute(ATTRIBUTE, "Région"), "In", (f"{ATTRIBUTE}:1", "Café & Bar")), "x"
    )
    text = document(exp, exp.replace(':1"', ':2"'))
    return text, xml.decode_rows(text)


def test_only_rests_writer_sees_expression_rows() -> None:
    text, rows = _decoded()
    raw = pending_rows(rows, expression_rows=True)
    assert raw is not None and {row[0] for row in raw} == {EXPRESSION_ROW}  # type: ignore[index]
    assert all(isinstance(item, ExpressionAnswer) for item in rows.items)
    assert pending_rows(rows) == rows.items
    answers = xml.decode(text)
    assert all(isinstance(item, ExpressionAnswer) for item in pending_rows(answers) or ())
    with walked():
        assert answers == xml.decode(text) == rows.answer_set()
    assert len(rows) == 2 and "2 items" in repr(rows)
    assert rows.with_mode(None).items == rows.items


def test_each_body_is_a_tree_of_its_own() -> None:
    _, rows = _decoded()
    first = rest.encode(rows)
    expected = copy.deepcopy(first)
    first["prompts"][0]["answers"]["expression"]["operator"] = "Or"
    first["prompts"][1]["answers"]["expression"]["operands"].clear()
    assert rest.encode(rows) == expected == rest.encode(rows)
    assert json.loads(rest.dumps(rows)) == expected


def test_sets_with_expression_rows_copy_and_pickle() -> None:
    text, _ = _decoded()
    answers = xml.decode(text)
    for clone in (copy.copy(answers), copy.deepcopy(answers), pickle.loads(pickle.dumps(answers))):
        assert clone == answers
    again = pickle.loads(pickle.dumps(xml.decode(text)))
    assert rest.dumps(again) == rest.dumps(xml.decode(text))
    assert AnswerSet(answers=[*answers]) == answers


def test_a_hand_built_rowset_cannot_hold_an_expression_row() -> None:
    from mstr_prompts.errors import DecodeError

    _, rows = _decoded()
    raw = pending_rows(rows, expression_rows=True)
    assert raw is not None
    with pytest.raises(DecodeError, match="row's kind"):
        RowSet(raw)
    assert RowSet(rows.items).answer_set() == rows.answer_set()


def test_a_prompt_with_more_than_a_key_is_not_a_row() -> None:
    exp = expression_xml.dumps(qualify(metric("4C05177011D3E877C000B3B2D86C964F"), ">", 1))
    answer = expression_xml.answer(exp, prompt=PromptRef(name="Region"))
    assert answer.prompt.name == "Region" and answer.typed
