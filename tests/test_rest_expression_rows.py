"""REST's expression answers read as rows without a model (issue 22 item 2).

``rest.decode_rows`` keeps an ``EXPRESSION`` answer whose tree is of the usual shapes as
an expression row (``expression_plain.canonical_answers``); anything else takes the
checked path.  Each check here decodes a body both ways (the rows, and the checked path
with ``rest._FAST`` off, which builds every answer) and holds every target's text, or
its error, equal.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts import cli, expression_json, library, rest, url, xml
from mstr_prompts.expression_plain import canonical_answers, canonical_tree
from mstr_prompts.row_kinds import EXPRESSION_ROW
from mstr_prompts.rows import RowSet, pending_rows
from mstr_prompts.strategies import expressions, guids

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KEY = "753C65EB402C44D3A991F285D3CB7F6D@0@10"
LAYOUTS: list[dict[str, Any]] = [{}, {"indent": 2}, {"separators": (",", ":")}]


@contextmanager
def checked_path() -> Iterator[None]:
    """REST's decoder with its row path off: every answer built by the checked path."""
    saved = rest._FAST
    rest._FAST = False
    try:
        yield
    finally:
        rest._FAST = saved


def outcome(make: Any) -> Any:
    try:
        return ("ok", make())
    except Exception as exc:  # the error, word for word, is what is compared
        return ("error", type(exc).__name__, str(exc))


def targets(answers: Any) -> dict[str, Any]:
    """Every target's text (or error) of a decoded set."""
    written: dict[str, Any] = {
        f"rest.dumps {layout}": outcome(lambda layout=layout: rest.dumps(answers, **layout))
        for layout in map(dict, LAYOUTS)
    }
    written["rest.encode"] = outcome(lambda: rest.encode(answers))
    written["json.dumps(rest.encode)"] = outcome(
        lambda: json.dumps(rest.encode(answers), ensure_ascii=False)
    )
    written["xml"] = outcome(lambda: xml.encode(answers))
    written["url"] = outcome(lambda: url.encode_query(answers, fallback="xml"))
    written["url, no fallback"] = outcome(lambda: url.encode_query(answers, assume_order=True))
    written["library"] = outcome(lambda: library.encode(answers))
    written["library body"] = outcome(lambda: library.encode(answers, form="body"))
    written["dump"] = outcome(
        lambda: (
            answers.dump()
            if isinstance(answers, RowSet)
            else answers.model_dump(mode="json", exclude_none=True)
        )
    )
    written["summary"] = outcome(lambda: cli._summary(answers))
    return written


def same_both_ways(body: str) -> RowSet | None:
    """Decode ``body`` both ways; assert equal answers, texts and errors; the rows."""
    with checked_path():
        modelled = outcome(lambda: rest.decode(body))
    rows = outcome(lambda: rest.decode_rows(body))
    if modelled[0] == "error":
        assert rows == modelled
        return None
    assert rows[0] == "ok", rows
    decoded: RowSet = rows[1]
    assert decoded.answer_set() == modelled[1]
    assert targets(decoded) == targets(modelled[1])
    return decoded


def body_of(answers: Any, **prompt: Any) -> str:
    item = {**(prompt or {"key": KEY}), "type": "EXPRESSION", "answers": answers}
    return json.dumps({"prompts": [item]})


def is_row(rows: RowSet | None) -> bool:
    assert rows is not None
    pending = pending_rows(rows, expression_rows=True)
    return pending is not None and type(pending[0]) is tuple and pending[0][0] == EXPRESSION_ROW


# --- the usual shapes become rows, and write as their models do ------------------------


# Spellings the typed path reads as the same tree: operator aliases, a default level,
# null names, any key order.
def respelt(tree: Any, draw: st.DrawFn) -> Any:
    if isinstance(tree, list):
        return [respelt(item, draw) for item in tree]
    if not isinstance(tree, dict):
        return tree
    out = {key: respelt(value, draw) for key, value in tree.items()}
    operator = out.get("operator")
    aliases = {"Equals": "=", "NotEqual": "!=", "Greater": ">", "Less": "<",
               "GreaterEqual": ">=", "LessEqual": "<=", "IsNull": "null",
               "IsNotNull": "notnull"}  # fmt: skip
    if operator in aliases and draw(st.booleans()):
        out["operator"] = aliases[operator]
    if "operator" in out and operator not in ("And", "Or", "Not") and draw(st.booleans()):
        out["level"] = draw(st.sampled_from([{"type": "default"}, None]))
    if "id" in out and "name" not in out and draw(st.booleans()):
        out["name"] = None
    items = list(out.items())
    if draw(st.booleans()):
        items.reverse()
    return dict(items)


@st.composite
def usual_bodies(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    tree = expression_json.dumps(draw(expressions()))
    answers: dict[str, Any] = {"expression": respelt(tree, draw)}
    content = draw(st.one_of(st.none(), st.sampled_from(["", " ", "{Revenue} > 10", "a\tb"])))
    if content is not None:
        answers["content"] = content
    if draw(st.booleans()):
        answers["xml"] = None
    prompt = draw(
        st.sampled_from(
            [
                {"key": KEY},
                {"id": "0CE45CA4483E29FFB0AF969D68588E95"},
                {"key": KEY, "name": "Region"},
            ]
        )
    )
    return body_of(answers, **prompt), tree


@settings(max_examples=200, deadline=None)
@given(usual_bodies())
def test_the_usual_trees_are_rows_that_write_as_their_models(case: tuple[str, Any]) -> None:
    body, tree = case
    answers = json.loads(body)["prompts"][0]["answers"]
    plain = canonical_tree(answers["expression"])
    assert plain is None or plain == tree
    rows = same_both_ways(body)
    assert is_row(rows) == (canonical_answers(answers) is not None)


@settings(max_examples=200, deadline=None)
@given(expressions())
def test_the_filter_gives_what_the_typed_path_writes(expression: Any) -> None:
    tree = expression_json.dumps(expression)
    plain = canonical_tree(tree)
    if plain is not None:
        assert plain == expression_json.dumps(expression_json.loads(tree))


def test_a_tree_of_plain_elements_is_a_row() -> None:
    attribute = "8D679D3711D3E4981000E787EC6DE8A4"
    tree = {
        "operator": "And",
        "operands": [
            {
                "operator": "NotIn",
                "operands": [
                    {"type": "attribute", "id": attribute, "name": "Category"},
                    {
                        "type": "elements",
                        "elements": [
                            {"id": f"h1;{attribute}", "name": "Books"},
                            {"id": f"h2:3;{attribute.lower()}"},
                        ],
                    },
                ],
            },
            {
                "operator": "Rank.Top",
                "operands": [
                    {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F"},
                    {"type": "constants", "dataType": "Integer", "values": ["10"]},
                ],
            },
        ],
    }
    assert is_row(same_both_ways(body_of({"expression": tree, "content": "x"})))


# --- everything else takes the checked path: the same answers and the same errors --------


def mutations(tree: Any) -> Iterator[Any]:
    """``tree`` with one part changed, dropped or retyped, at every place in it."""
    if isinstance(tree, dict):
        for key in tree:
            for changed in mutations(tree[key]):
                yield {**tree, key: changed}
            yield {k: v for k, v in tree.items() if k != key}
        yield {**tree, "extra": 1}
    elif isinstance(tree, list):
        for index, item in enumerate(tree):
            for changed in mutations(item):
                yield [*tree[:index], changed, *tree[index + 1 :]]
        yield []
        yield [*tree, copy.deepcopy(tree[-1])] if tree else [None]
    elif isinstance(tree, str):
        yield tree + "x"
        yield ""
        yield 1
        yield None
        yield {"type": "default"}
        yield "Percent.Top" if tree != "Percent.Top" else "In"
        yield "metric" if tree != "metric" else "form"
    else:
        yield "x"


@settings(max_examples=40, deadline=None)
@given(expressions(), st.data())
def test_changed_trees_read_and_fail_as_the_checked_path_says(expression: Any, data: Any) -> None:
    tree = expression_json.dumps(expression)
    changed = list(mutations(tree))
    for mutant in data.draw(st.lists(st.sampled_from(changed), min_size=1, max_size=8)):
        same_both_ways(body_of({"expression": mutant}))
        plain = canonical_tree(mutant)
        if plain is not None:
            assert plain == expression_json.dumps(expression_json.loads(mutant))


@pytest.mark.parametrize(
    "answers",
    [
        None,
        [],
        "x",
        {},
        {"content": ""},
        {"content": "Revenue > 10"},
        {"content": 3, "expression": {"operator": "IsNull", "operands": []}},
        {"expression": "tree"},
        {"expression": {"operator": "Frobnicate", "operands": [{"type": "metric"}]}},
        {"expressions": {}},
        {"xml": "<exp/>"},
        {"xml": "<exp/>", "content": "x"},
        {"xml": "<nd/>"},
    ],
)
def test_odd_answers_are_the_checked_paths(answers: Any) -> None:
    assert not is_row(same_both_ways(body_of(answers))) if _reads(answers) else True


def _reads(answers: Any) -> bool:
    try:
        rest.decode(body_of(answers))
    except ValueError:
        same_both_ways(body_of(answers))
        return False
    return True


def test_deep_trees_take_the_checked_path() -> None:
    leaf = {
        "operator": "IsNull",
        "operands": [{"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F"}],
    }
    tree: dict[str, Any] = leaf
    for _ in range(70):
        tree = {"operator": "Not", "operands": [tree]}
    same_both_ways(body_of({"expression": tree}))
    shallow: dict[str, Any] = leaf
    for _ in range(10):
        shallow = {"operator": "Not", "operands": [shallow]}
    assert is_row(same_both_ways(body_of({"expression": shallow})))


@given(guids())
def test_use_default_of_an_expression_prompt_is_a_row(guid: str) -> None:
    body = json.dumps({"prompts": [{"id": guid, "type": "EXPRESSION", "useDefault": True}]})
    rows = same_both_ways(body)
    assert rows is not None
    item = rows.items[0]
    assert type(item) is tuple and item[0] == "use_default"


# --- the fixtures ----------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((FIXTURES / "rest").glob("*.json")), ids=lambda p: p.name)
def test_every_rest_fixture_reads_and_writes_as_its_models(path: Path) -> None:
    same_both_ways(path.read_text(encoding="utf-8"))


def test_the_rest_fixture_of_an_attribute_qualification_is_a_row() -> None:
    text = (FIXTURES / "rest" / "expression-attribute-qualification.json").read_text("utf-8")
    assert is_row(same_both_ways(text))


CASES = json.loads((FIXTURES / "expressions" / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_every_expression_case_reads_and_writes_as_its_models(case: dict[str, Any]) -> None:
    if "json" not in case:
        pytest.skip("no REST tree")
    rows = same_both_ways(body_of({"expression": case["json"], "content": "shown"}))
    if canonical_tree(case["json"]) is not None:
        assert is_row(rows)


# --- prompt-answer XML writes an expression row's <exp> itself (issue 22 item 2) ---------


@settings(max_examples=150, deadline=None)
@given(expressions(xml=True), st.sampled_from([None, "{Revenue} &gt; 10", "a"]))
def test_xml_rows_write_as_their_models(expression: Any, content: str | None) -> None:
    """XML's own expression rows (its scan) go through the same writer: XML -> XML, URL and
    Library from the rows are the text (or error) of the models."""
    from mstr_prompts import expression_xml
    from mstr_prompts.model import AnswerSet

    exp = expression_xml.dumps(expression)
    if content is not None:
        exp = exp.replace("<exp>", f"<exp>{content}", 1)
    text = f'<rsl><pa pt="8" pin="0" did="{KEY[:32]}" tp="10">{exp}</pa></rsl>'
    rows = xml.decode_rows(text)
    models = AnswerSet(answers=tuple(rows.answer_set()))
    assert targets(rows) == targets(models)


def test_xml_writes_a_rest_expression_row_without_its_model() -> None:
    text = (FIXTURES / "rest" / "expression-attribute-qualification.json").read_text("utf-8")
    rows = rest.decode_rows(text)
    with checked_path():
        models = rest.decode(text)
    written = xml.encode(rows)
    assert written == xml.encode(models)
    assert '<exp>Category In List 1, 2, 3, 4, 5<nd et="6"' in written


def test_inspect_of_expression_rows_builds_no_model_where_the_row_says_it_all() -> None:
    """The dump of a typed row, and the summary of one with display text, from the row."""
    import subprocess
    import sys

    body = (FIXTURES / "rest" / "expression-attribute-qualification.json").read_text("utf-8")
    script = (
        "import json, sys\n"
        "from mstr_prompts import cli, rest\n"
        "rows = rest.decode_rows(sys.stdin.read())\n"
        "print(json.dumps([rows.dump(), cli._summary(rows), sorted(sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=body, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    dumped, summary, modules = json.loads(done.stdout)
    with checked_path():
        models = rest.decode(body)
    assert dumped == models.model_dump(mode="json", exclude_none=True)
    assert summary == cli._summary(models)
    assert "pydantic.main" not in modules and "mstr_prompts.model" not in modules


@pytest.mark.parametrize("path", sorted((FIXTURES / "xml").glob("*.xml")), ids=lambda p: p.name)
def test_every_xml_fixture_writes_its_rows_as_its_models(path: Path) -> None:
    from mstr_prompts.model import AnswerSet

    text = path.read_text(encoding="utf-8")
    rows = outcome(lambda: xml.decode_rows(text))
    if rows[0] == "error":
        return  # the decoders' errors are test_rows' and test_expression_scan's
    models = AnswerSet(
        answers=tuple(rows[1].answer_set()), mode=rows[1].mode, locale=rows[1].locale
    )
    assert targets(rows[1]) == targets(models)
