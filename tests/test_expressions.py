"""Typed expression answers: the case table both ways, real samples, and round trips."""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from mstr_prompts import expression_json, expression_xml, expressions, library, rest, url, xml
from mstr_prompts.element_id import ElementId
from mstr_prompts.elements import Element
from mstr_prompts.errors import DecodeError, NotRepresentableError, PromptAnswerError
from mstr_prompts.expressions import (
    Constant,
    DataType,
    Logical,
    MetricQualification,
    Operator,
    and_,
    attribute,
    form,
    metric,
    not_,
    qualify,
)
from mstr_prompts.model import (
    AnswerSet,
    Close,
    ExpressionAnswer,
    LevelAnswer,
    PromptRef,
)
from mstr_prompts.strategies import answer_sets, guids, xml_texts
from mstr_prompts.strategies import expressions as expression_trees

FIXTURES = Path(__file__).parent.parent / "fixtures"
CASES = json.loads((FIXTURES / "expressions" / "cases.json").read_text(encoding="utf-8"))
KEY = PromptRef(key="753C65EB402C44D3A991F285D3CB7F6D@0@10")
REVENUE = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue")
CATEGORY = "8D679D3711D3E4981000E787EC6DE8A4"


def rest_fixture(name: str) -> Any:
    return json.loads((FIXTURES / "rest" / name).read_text(encoding="utf-8"))


def xml_fixture(name: str) -> str:
    return (FIXTURES / "xml" / name).read_text(encoding="utf-8")


def one(answers: AnswerSet) -> ExpressionAnswer:
    (answer,) = answers
    assert isinstance(answer, ExpressionAnswer)
    return answer


# --- the case table, both ways --------------------------------------------------------


def _skeleton(text: str) -> list[tuple[str | None, ...]]:
    """The nodes of an <exp> in order, with what carries meaning: tag, expression, node
    and function types, object IDs and text; a leaf's et 0 (mojo) is et 1 (DHTML)."""
    from lxml import etree

    nodes: list[tuple[str | None, ...]] = []
    for element in etree.fromstring(text.encode()).iter():
        et = element.get("et")
        nodes.append(
            (
                str(element.tag),
                "1" if et == "0" else et,
                element.get("nt"),
                element.get("fnt"),
                element.get("did"),
                element.get("ei"),
                element.get("ix"),
                element.get("v"),
                (element.text or "").strip() or None,
            )
        )
    return nodes


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_table_both_ways(case: dict[str, Any]) -> None:
    from_json = expression_json.loads(case["json"])
    from_xml, content = expression_xml.loads(case["xml"])
    assert from_json == from_xml and content is None
    assert expression_json.dumps(from_xml) == case["json"]
    # The fixture's XML is hand-written in a real writer's shape (SOURCES.md), not our
    # output: what we write reads back the same and has the same nodes, in order.
    written = expression_xml.dumps(from_json)
    assert expression_xml.loads(written)[0] == from_json
    assert _skeleton(written) == _skeleton(case["xml"])
    # and through the codecs: REST body -> model -> prompt-answer XML -> model -> REST body
    body = {
        "prompts": [{"key": KEY.key, "type": "EXPRESSION", "answers": {"expression": case["json"]}}]
    }
    answers = rest.decode(body)
    assert one(answers).expression == from_json
    assert xml.decode(xml.encode(answers)) == answers
    assert rest.encode(xml.decode(xml.encode(answers))) == body


def test_aliases_are_read_and_written_back_as_names() -> None:
    tree = {
        "operator": ">=",
        "operands": [
            {"type": "metric", "id": REVENUE.id},
            {"type": "constant", "dataType": "Real", "value": "10"},
        ],
    }
    assert expression_json.dumps(expression_json.loads(tree))["operator"] == "GreaterEqual"
    assert qualify(REVENUE, "notnull").operator is Operator.IS_NOT_NULL
    for alias, name in [("=", "Equals"), ("!=", "NotEqual"), ("<", "Less"), ("<=", "LessEqual")]:
        assert Operator.parse(alias).value == name
    with pytest.raises(ValueError, match="case-sensitive"):
        Operator.parse("equals")


def test_default_level_is_no_level() -> None:
    tree = {
        "level": {"type": "default"},
        "operator": "Greater",
        "operands": [
            {"type": "metric", "id": REVENUE.id, "name": "Revenue"},
            {"type": "constant", "dataType": "Real", "value": "10"},
        ],
    }
    assert expression_json.loads(tree) == qualify(REVENUE, ">", 10)


def test_mojo_leaf_expression_type_zero_is_read() -> None:
    written = expression_xml.dumps(qualify(REVENUE, ">", 10))
    mojo = written.replace('<nd et="1"', '<nd et="0"')
    assert expression_xml.loads(mojo)[0] == qualify(REVENUE, ">", 10)


def test_in_on_a_form_as_et_2_is_read_and_written_as_et_6() -> None:
    case = next(c for c in CASES if c["name"] == "form-in-real")
    mojo = case["xml"].replace('<nd et="6"', '<nd et="2"', 1)
    tree, _ = expression_xml.loads(mojo)
    assert expression_xml.dumps(tree).startswith('<exp><nd et="6" nt="4"')
    assert _skeleton(expression_xml.dumps(tree)) == _skeleton(case["xml"])


# --- real samples ----------------------------------------------------------------------


def test_rest_attribute_qualification_sample() -> None:
    answer = one(rest.decode(rest_fixture("expression-attribute-qualification.json")))
    assert answer.typed and answer.content == "Category In List 1, 2, 3, 4, 5"
    assert answer.text == "Category In List 1, 2, 3, 4, 5"
    tree = answer.expression
    assert isinstance(tree, expressions.FormQualification)
    assert [c.value for c in tree.values] == ["1", "2", "3", "4", "5"]
    assert str(tree) == "Category (ID) In (1, 2, 3, 4, 5)"
    # to XML and back: content travels as the <exp>'s display text
    again = xml.decode(xml.encode(AnswerSet(answers=(answer,))))
    assert one(again) == answer.model_copy(update={"prompt": PromptRef(key=answer.prompt.key)})


def test_rest_metric_sample_with_a_level_stays_verbatim_and_names_the_node() -> None:
    answers = rest.decode(rest_fixture("expression-metric-full.json"))
    answer = one(answers)
    assert not answer.typed and isinstance(answer.expression, str)
    assert rest.decode(rest.encode(answers)) == answers
    with pytest.raises(NotRepresentableError) as info:
        xml.encode(answers)
    message = str(info.value)
    assert message.startswith(
        "xml: expression prompt 'test' (key 753C65EB402C44D3A991F285D3CB7F6D@0@10): "
    )
    assert "the node at expression has a non-default level" in message


def test_rest_xml_sample_f17_stays_verbatim() -> None:
    # The metric is named by rfd, with no GUID: outside the table, so kept as written.
    answers = rest.decode(rest_fixture("expression-metric-xml.json"))
    answer = one(answers)
    assert answer.xml is not None and answer.expression is None
    assert rest.decode(rest.encode(answers)) == answers
    assert xml.decode(xml.encode(answers)) == AnswerSet(
        answers=(answer.model_copy(update={"content": None, "prompt": KEY}),)
    )
    with pytest.raises(NotRepresentableError, match=r"<mt> \(line 1\): has content"):
        expression_xml.loads(answer.xml)


def test_mstrio_sample_keeps_its_single_child_and() -> None:
    body = rest_fixture("mstrio-prompted-subscription.json")
    answers = rest.decode(body)
    (expression,) = [a for a in answers if isinstance(a, ExpressionAnswer)]
    assert isinstance(expression.expression, Logical)
    assert expression.expression.operator is Operator.AND
    assert len(expression.expression.operands) == 1
    assert expression.text == "Item (ID) = 23"


def test_library_f16_hierarchy_converts_to_the_tree_an_expert_writes() -> None:
    answers = xml.decode(xml_fixture("library-hierarchy-key-lcl.xml"))
    body = rest.encode(answers)
    assert body["prompts"][0]["answers"] == {
        "expression": {
            "operator": "And",
            "operands": [
                {
                    "operator": "In",
                    "operands": [
                        {
                            "type": "attribute",
                            "id": "8D679D3811D3E4981000E787EC6DE8A4",
                            "name": "Country",
                        },
                        {
                            "type": "elements",
                            "elements": [
                                {"id": "h1;8D679D3811D3E4981000E787EC6DE8A4", "name": "USA"}
                            ],
                        },
                    ],
                }
            ],
        }
    }
    assert rest.decode(body) == answers.model_copy(update={"locale": None})


@pytest.mark.parametrize(
    "name",
    [
        "f03-aq-id-equals-derived.xml",
        "f08-hierarchy-one-level.xml",
        "f22-jquery-builder-derived.xml",
    ],
)
def test_xml_samples_are_typed_and_commute_with_rest(name: str) -> None:
    answers = xml.decode(xml_fixture(name))
    for answer in answers:
        if isinstance(answer, ExpressionAnswer):
            assert answer.typed
    expression_only = AnswerSet(answers=[a for a in answers if isinstance(a, ExpressionAnswer)])
    assert rest.decode(rest.encode(expression_only)) == expression_only
    assert xml.decode(xml.encode(expression_only)) == expression_only


def test_dates_are_copied_verbatim() -> None:
    day = form("8D679D4F11D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5")
    tree = qualify(day, "=", "  2014-1-1 ", data_type="Date")
    written = expression_xml.dumps(tree)
    assert '<nd et="1" nt="6" dmt="1" ddt="14">  2014-1-1 </nd>' in written
    assert expression_xml.loads(written)[0] == tree
    assert expression_json.dumps(tree)["operands"][1]["value"] == "  2014-1-1 "


# --- outside the table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "node"),
    [
        (
            '<exp><nd et="16" nt="4" dmt="1" ddt="-1"><op fnt="19"/></nd></exp>',
            "expression type 16 (AllAttributeQual)",
        ),
        (
            '<exp><nd et="14" nt="4" dmt="1" ddt="-1"><op fnt="1"/></nd></exp>',
            "function fnt=1",
        ),
        (
            '<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
            '<mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><op fnt="8"/>'
            '<prs><pr ix="9" v="1"/></prs></nd></exp>',
            "rank or percent property sets",
        ),
        (
            '<exp><nd et="10" nt="4" dmt="2" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
            '<mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><op fnt="54"/></nd></exp>',
            "dmt=2",
        ),
    ],
)
def test_xml_outside_the_table_is_kept_and_names_its_node(text: str, node: str) -> None:
    answer = ExpressionAnswer(prompt=KEY, xml=text)
    assert not answer.typed and answer.xml is not None
    with pytest.raises(NotRepresentableError, match=re.escape(node)):
        expression_xml.loads(text)
    # REST carries it verbatim as answers.xml, and reads it back
    answers = AnswerSet(answers=(answer,))
    assert rest.decode(rest.encode(answers)) == answers


def test_mixed_in_list_has_no_rest_spelling() -> None:
    item = form("8D679D4211D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5")
    tree = qualify(
        item, "In", Constant(value="1", data_type="Real"), Constant(value="a", data_type="Char")
    )
    answers = AnswerSet(answers=(ExpressionAnswer(prompt=KEY, expression=tree),))
    assert xml.decode(xml.encode(answers)) == answers
    with pytest.raises(NotRepresentableError, match="mixes data types"):
        rest.encode(answers)


# --- issue 13 defect 5: no silent Close, no body our decoders refuse ------------------


def test_an_expression_with_attributes_but_no_node_stays_an_answer() -> None:
    body = {
        "prompts": [{"key": KEY.key, "type": "EXPRESSION", "answers": {"xml": '<exp nc="0"/>'}}]
    }
    answers = rest.decode(body)
    assert isinstance(answers[0], ExpressionAnswer)
    assert xml.decode(xml.encode(answers)) == answers
    assert rest.decode(rest.encode(answers)) == answers


def test_a_level_with_attributes_but_no_unit_stays_an_answer() -> None:
    answers = AnswerSet(answers=(LevelAnswer(prompt=KEY, xml='<dmy a="1"/>'),))
    assert xml.decode(xml.encode(answers)) == answers


def test_truly_empty_bodies_close_in_every_decoder() -> None:
    for body in ("<exp/>", "<exp> </exp>"):
        rest_body = {"prompts": [{"key": KEY.key, "type": "EXPRESSION", "answers": {"xml": body}}]}
        assert rest.decode(rest_body)[0] == Close(prompt=KEY, family="expression")
        pa = f'<rsl><pa key="{KEY.key}">{body}</pa></rsl>'
        assert xml.decode(pa)[0] == Close(prompt=KEY, family="expression")


@given(
    st.sampled_from(["exp", "dmy"]),
    st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), xml_texts(), max_size=2),
    st.one_of(st.none(), xml_texts(max_size=4)),
)
def test_only_a_body_with_nothing_in_it_closes_whatever_the_path(
    tag: str, attributes: dict[str, str], text: str | None
) -> None:
    """Issue 13, defect 5, as a class: an <exp> or <dmy> body stays an answer through
    every format (or is refused) unless it has nothing in it at all."""
    body = etree.Element(tag, attributes)
    body.text = text
    written = etree.tostring(body, encoding="unicode")
    decoded = xml.decode(f'<rsl><pa key="{KEY.key}">{written}</pa></rsl>')
    (answer,) = decoded
    if expression_xml.is_empty(body):
        family = "expression" if tag == "exp" else "level"
        assert answer == Close(prompt=KEY, family=family)
        return
    assert isinstance(answer, ExpressionAnswer if tag == "exp" else LevelAnswer)
    if tag == "exp":
        rest_body = {
            "prompts": [{"key": KEY.key, "type": "EXPRESSION", "answers": {"xml": written}}]
        }
        assert rest.decode(rest_body) == decoded
    for codec in (rest, xml, library):
        try:
            again = codec.decode(codec.encode(decoded))
        except NotRepresentableError:
            continue
        assert again == decoded, codec.__name__


@pytest.mark.parametrize(
    "make",
    [
        lambda: LevelAnswer(definition=[1, 2]),
        lambda: LevelAnswer(definition="[1, 2]"),
        lambda: ExpressionAnswer(expression=[{"operator": "And"}]),
        lambda: ExpressionAnswer(expression="[]"),
        lambda: ExpressionAnswer(content="Category In List Books"),
        lambda: ExpressionAnswer(xml=""),
        lambda: LevelAnswer(xml=""),
    ],
)
def test_the_model_refuses_what_no_format_carries(make: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: expression_xml.level_answer("<exp/>"),
        lambda: expression_xml.level_answer("<dmy/>"),
        lambda: expression_xml.level_answer("not xml"),
        lambda: expression_xml.answer("not xml"),
        lambda: expression_xml.answer("<exp>"),
        lambda: expression_xml.answer("<dmy/>"),
        lambda: expression_xml.answer("<exp/>"),
        lambda: expression_json.answer("[]"),
        lambda: expression_json.answer("not json"),
    ],
)
def test_the_codecs_refuse_stored_xml_that_answers_nothing(make: Any) -> None:
    """Issue 22: the model reads no XML, so the codec of <exp>/<dmy> (which every decoder
    uses) refuses what the model used to refuse for it: these checks moved, not went."""
    with pytest.raises(DecodeError):
        make()


def test_the_codecs_make_the_answers_the_model_used_to_make() -> None:
    """Issue 22: the model reads no wire text, and the codecs of the two forms give the
    answers it used to: typed whenever inside the table, equal across forms, and a
    model_dump/model_validate round trip keeps them (typed and verbatim alike)."""
    typed = qualify(REVENUE, ">", 10)
    by_hand = ExpressionAnswer(prompt=KEY, expression=typed, content="{Revenue} > 10")
    from_xml = expression_xml.answer(expression_xml.dumps(typed, "{Revenue} > 10"), prompt=KEY)
    from_rest = expression_json.answer(
        expression_json.dumps(typed), prompt=KEY, content="{Revenue} > 10"
    )
    from_text = expression_json.answer(json.dumps(expression_json.dumps(typed)), prompt=KEY)
    assert from_xml == from_rest == by_hand
    assert from_text.expression == typed
    assert expression_json.answer_tree(from_xml) == expression_json.dumps(typed)
    # REST's answers.xml and answers.expression side by side read as one typed tree.
    both = expression_xml.answer(
        expression_xml.dumps(typed), prompt=KEY, expression=expression_json.dumps(typed)
    )
    assert both == ExpressionAnswer(prompt=KEY, expression=typed) and both.xml is None
    outside = '<exp><nd et="16" nt="4" dmt="1" ddt="-1"><op fnt="19"></op></nd></exp>'
    verbatim = expression_xml.answer(outside.replace("></op>", "/>"), prompt=KEY)
    assert not verbatim.typed and verbatim.xml == outside.replace("></op>", "/>")
    tree = {"operator": "Frobnicate", "operands": []}
    verbatim_tree = expression_json.answer(tree, prompt=KEY)
    assert verbatim_tree.expression == '{"operator":"Frobnicate","operands":[]}'
    assert expression_json.answer_tree(verbatim_tree) == tree
    level = expression_xml.level_answer("<dmy  cct='1'><du/></dmy>", prompt=KEY)
    assert level.xml == '<dmy cct="1"><du/></dmy>'
    for answer in (from_xml, verbatim, verbatim_tree, level):
        assert type(answer).model_validate(answer.model_dump()) == answer
        assert type(answer).model_validate_json(answer.model_dump_json()) == answer
    # Built by hand, stored text is the model's opaque value, kept as given.
    assert ExpressionAnswer(xml=outside).xml == outside


def test_typed_trees_refuse_impossible_shapes() -> None:
    with pytest.raises(pydantic.ValidationError, match="Between compares a metric with 2"):
        MetricQualification(
            metric=REVENUE, operator="Between", values=[Constant(value="1", data_type="Real")]
        )
    with pytest.raises(pydantic.ValidationError, match="cannot use In"):
        MetricQualification(
            metric=REVENUE, operator="In", values=[Constant(value="1", data_type="Real")]
        )
    with pytest.raises(pydantic.ValidationError, match="Not takes one operand"):
        Logical(operator="Not", operands=[qualify(REVENUE, ">", 1), qualify(REVENUE, "<", 2)])
    with pytest.raises(pydantic.ValidationError, match="belongs to attribute"):
        qualify(attribute(CATEGORY), "In", "8D679D3811D3E4981000E787EC6DE8A4:1")
    with pytest.raises(pydantic.ValidationError, match="rank with constants only"):
        qualify(REVENUE, "Rank.Top", metric("7FD5B69611D5AC76C000D98A4CC5F24F"))


def test_xml_characters_are_refused_on_conversion_not_garbled() -> None:
    tree = qualify(metric(REVENUE.id, "bell\x07"), ">", 1)
    answers = AnswerSet(answers=(ExpressionAnswer(prompt=KEY, expression=tree),))
    with pytest.raises(NotRepresentableError, match=r"XML 1\.0 cannot carry"):
        xml.encode(answers)
    assert rest.decode(rest.encode(answers)) == answers


# --- builders and content -----------------------------------------------------------


def test_builders_and_rendering() -> None:
    region = attribute("8D679D4B11D3E4981000E787EC6DE8A4", "Region")
    tree = and_(
        qualify(region, "In", ("h1", "North"), ("h2", "South")),
        not_(qualify(REVENUE, "Percent.Top", "20%", data_type="Real")),
    )
    assert str(tree) == "(Region In (North, South)) And (Not ({Revenue} Percent.Top 20%))"
    element = tree.operands[0].elements[0]  # type: ignore[union-attr]
    assert element == Element(id=ElementId(attribute=region.id, keys=("1",)), name="North")
    answer = ExpressionAnswer(prompt=KEY, expression=tree)
    assert answer.content is None and answer.text == str(tree)
    between = qualify(REVENUE, "Between", 1, 2.5)
    assert isinstance(between, MetricQualification)
    assert between.values == (
        Constant(value="1", data_type=DataType.REAL),
        Constant(value="2.5", data_type=DataType.REAL),
    )


# --- properties ----------------------------------------------------------------------


@given(expression_trees())
def test_rest_trees_round_trip(tree: expressions.Expression) -> None:
    assert expression_json.loads(expression_json.dumps(tree)) == tree
    answer = expression_json.answer(expression_json.dumps(tree), prompt=KEY)
    assert answer.expression == tree


@given(expression_trees(xml=True), st.one_of(st.none(), st.sampled_from(["{Revenue} > 10", "x"])))
def test_xml_trees_round_trip_and_commute_with_rest(
    tree: expressions.Expression, content: str | None
) -> None:
    text = expression_xml.dumps(tree, content)
    assert expression_xml.loads(text) == (tree, content)
    assert expression_xml.answer(text, prompt=KEY) == ExpressionAnswer(
        prompt=KEY, expression=tree, content=content
    )
    answers = AnswerSet(answers=(ExpressionAnswer(prompt=KEY, expression=tree, content=content),))
    via_rest = rest.decode(rest.encode(answers))
    assert via_rest == answers
    assert xml.decode(xml.encode(via_rest)) == answers


_CONTENT = st.one_of(st.none(), xml_texts(min_size=1).filter(lambda t: not t.isspace()))


def _validated_build(cls: type[pydantic.BaseModel], values: dict[str, Any]) -> Any:
    """What expression_xml's checked-once nodes stand for: the model's own validation."""
    return cls.model_validate(values)


def _outcome(read: Any, text: str) -> tuple[Any, ...]:
    try:
        result = read(text)
    except PromptAnswerError as exc:
        return type(exc), str(exc)
    return "read", result, repr(result)


def _both_ways(read: Any, text: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    trusted = _outcome(read, text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(expression_xml, "build", _validated_build)
        validated = _outcome(read, text)
    return trusted, validated


@given(expression_trees(xml=True), _CONTENT)
def test_nodes_checked_once_equal_validated_ones(
    tree: expressions.Expression, content: str | None
) -> None:
    """<exp> nodes filled in after one check of their parts (issue 22 item 5) are the
    nodes pydantic's validation builds, field for field and in the same order."""
    text = expression_xml.dumps(tree, content)
    trusted, validated = _both_ways(expression_xml.loads, text)
    assert trusted == validated == ("read", (tree, content), repr((tree, content)))
    assert trusted[1][0].model_dump() == tree.model_dump()
    trusted, validated = _both_ways(lambda t: expression_xml.answer(t, prompt=KEY), text)
    assert trusted == validated
    assert trusted[1] == ExpressionAnswer(prompt=KEY, expression=tree, content=content)


_MUTANT_VALUES = st.one_of(
    st.sampled_from(
        ["", " ", "x", "-1", "0", "1", "2", "3", "4", "5", "6", "7", "10", "12", "14", "21"]
        + [str(n) for n in (8, 9, 11, 17, 19, 20, 21, 22, 44, 54, 57, 76, 1024, 3072)]
    ),
    guids(),
    guids().map(lambda g: g + ":1"),
    guids().map(lambda g: g.lower()),
    xml_texts(max_size=6),
)


@st.composite
def _mutants(draw: st.DrawFn) -> str:
    """The <exp> of a typed tree with one thing changed: an attribute, text, a node
    dropped or repeated.  Most fall outside the table, some stay inside."""
    tree = draw(expression_trees(xml=True))
    root = etree.fromstring(expression_xml.dumps(tree))
    nodes = list(root.iter())
    node = nodes[draw(st.integers(0, len(nodes) - 1))]
    how = draw(st.sampled_from(["attribute", "text", "drop", "repeat"]))
    parent = node.getparent()
    if how == "attribute" and node.attrib:
        node.set(draw(st.sampled_from(sorted(node.attrib))), draw(_MUTANT_VALUES))
    elif how == "text":
        node.text = draw(xml_texts(max_size=6))
    elif how == "drop" and parent is not None:
        parent.remove(node)
    elif how == "repeat" and parent is not None:
        parent.insert(parent.index(node), copy.deepcopy(node))
    return etree.tostring(root, encoding="unicode")


@given(_mutants())
def test_every_refusal_of_a_node_stays_the_same_refusal(text: str) -> None:
    """Whatever a changed <exp> reads as, or the message it is refused with, is the same
    whether its nodes are checked once or validated by pydantic."""
    trusted, validated = _both_ways(expression_xml.loads, text)
    assert trusted == validated
    trusted, validated = _both_ways(lambda t: expression_xml.answer(t, prompt=KEY), text)
    assert trusted == validated


_CODECS: dict[str, Any] = {"rest": rest, "xml": xml, "library": library}


@given(expression_trees(xml=True), _CONTENT, st.permutations(sorted(_CODECS)))
def test_rest_xml_and_library_commute_on_trees(
    tree: expressions.Expression, content: str | None, order: list[str]
) -> None:
    """A typed tree (with its display text) goes through the three formats in any order
    and comes back unchanged; each format writes the same thing whatever the path."""
    answers = AnswerSet(answers=(ExpressionAnswer(prompt=KEY, expression=tree, content=content),))
    current = answers
    for name in order:
        codec = _CODECS[name]
        current = codec.decode(codec.encode(current))
        assert current == answers, name
    assert library.encode(current) == library.encode(answers)
    assert xml.encode(current) == xml.encode(answers)
    assert rest.encode(current) == rest.encode(answers)


def _expression_or_level(answers: AnswerSet) -> AnswerSet:
    # Keyed answers only: a key is what every format writes (names, ids and positions
    # have their own properties in the codecs' tests).
    return AnswerSet(
        answers=[
            a.model_copy(update={"prompt": PromptRef(key=a.prompt.key)})
            for a in answers
            if isinstance(a, (ExpressionAnswer, LevelAnswer)) and a.prompt.key is not None
        ],
        mode=answers.mode,
        locale=answers.locale,
    )


@given(answer_sets().map(_expression_or_level))
def test_every_expression_and_level_answer_encodes_to_what_its_decoder_reads_back(
    answers: AnswerSet,
) -> None:
    """Each codec either refuses the set or writes something it reads back as the same
    set; the one documented exception is REST's content next to verbatim <exp> XML,
    which prompt-answer XML does not write (the <exp> carries its own display text)."""
    for codec in (rest, xml, url, library):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                written = codec.encode(answers)
        except NotRepresentableError:
            continue
        except PromptAnswerError as exc:  # pragma: no cover - the property's failure
            raise AssertionError(f"{codec.__name__}.encode raised {exc!r}") from exc
        again = url.decode(written, allow_empty=True) if codec is url else codec.decode(written)
        # Verbatim <exp> carries its own display text, so XML and Library do not write
        # REST's content beside it; Library's locale travels in the <rsl> of an answer.
        without_content = [
            a.model_copy(update={"content": None})
            if isinstance(a, ExpressionAnswer) and a.xml is not None
            else a
            for a in answers
        ]
        if codec is library:
            expected = AnswerSet(
                answers=without_content, locale=answers.locale if len(answers) else None
            )
        elif codec is xml:
            expected = AnswerSet(answers=without_content, locale=answers.locale)
        else:
            # neither carries a locale; without value answers it changes nothing
            expected = AnswerSet(answers=answers.answers, mode=answers.mode)
        assert again == expected, codec.__name__


# --- the CLI -------------------------------------------------------------------------


def test_cli_converts_and_refuses_naming_the_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstr_prompts.cli import main

    assert (
        main(
            [
                "convert",
                "--from",
                "xml",
                "--to",
                "rest",
                str(FIXTURES / "xml" / "f08-hierarchy-one-level.xml"),
            ]
        )
        == 0
    )
    body = json.loads(capsys.readouterr().out)
    assert body["prompts"][0]["answers"]["expression"]["operator"] == "In"
    source = tmp_path / "metric.json"
    source.write_text(json.dumps(body), encoding="utf-8")
    assert main(["convert", "--from", "rest", "--to", "xml", str(source)]) == 0
    assert '<nd et="5" nt="4" dmt="1" ddt="-1">' in capsys.readouterr().out
    # exit status 4: "not representable", one line on stderr
    status = main(
        [
            "convert",
            "--from",
            "rest",
            "--to",
            "xml",
            str(FIXTURES / "rest" / "expression-metric-full.json"),
        ]
    )
    assert status == 4
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "has no <exp> form: the node at expression has a non-default level" in error


def test_cli_converts_typed_trees_through_library_and_shows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mstr_prompts import cli

    source = FIXTURES / "xml" / "library-hierarchy-key-lcl.xml"
    assert cli.main(["convert", "--from", "xml", "--to", "library", str(source)]) == 0
    value = capsys.readouterr().out
    assert "&lt;" not in value and '<nd et=\\"5\\" nt=\\"4\\"' in value
    written = tmp_path / "library.json"
    written.write_text(value, encoding="utf-8")
    assert cli.main(["convert", "--from", "library", "--to", "rest", str(written)]) == 0
    tree = json.loads(capsys.readouterr().out)["prompts"][0]["answers"]["expression"]
    assert tree["operator"] == "And" and tree["operands"][0]["operator"] == "In"
    # inspect's summary (on a terminal) reads the tree as MicroStrategy shows it
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    assert cli.main(["inspect", "--from", "xml", str(source)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (
        "expression prompt 2C8E58F049B088D631DE75B4C1F25EAB@0@10: expression (typed): "
        "Country In (USA)"
    )
    assert (
        cli.main(
            ["inspect", "--from", "rest", str(FIXTURES / "rest" / "expression-metric-xml.json")]
        )
        == 0
    )
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("expression (kept verbatim): {Avg Revenue per Customer} > 10")


@pytest.mark.parametrize("content", ["", "  ", "\n"])
def test_blank_content_is_no_content_in_every_format(content: str) -> None:
    """REST's content defaults to "", and XML cannot tell blank <exp> text from layout,
    so a blank content is None in the model and survives every path."""
    tree = expression_json.dumps(qualify(REVENUE, ">", 10))
    body = {
        "prompts": [
            {
                "key": KEY.key,
                "type": "EXPRESSION",
                "answers": {"content": content, "expression": tree},
            }
        ]
    }
    answers = rest.decode(body)
    assert one(answers).content is None
    for codec in (rest, xml, library):
        assert codec.decode(codec.encode(answers)) == answers


_LEVEL_FORMS: dict[str, Any] = {
    "xml": {"xml": '<dmy cct="1" fr="1"><du agg="1" flt="1" gb="1" rps="0" ut="-1"></du></dmy>'},
    "rest": {"definition": {"canContinue": True, "units": [{"id": CATEGORY}]}},
    "library": {
        "units": [
            {
                "id": CATEGORY,
                "type": 1048581,
                "aggregation": 1,
                "filtering": 1,
                "group_by": 1,
                "report_level": 0,
            }
        ]
    },
}


@pytest.mark.parametrize("source", sorted(_LEVEL_FORMS))
@pytest.mark.parametrize("target", sorted(_CODECS))
def test_level_answers_travel_only_in_their_own_form(source: str, target: str) -> None:
    """No published source maps <dmy> units, REST's units and Library's display units onto
    each other, so a level answer converts to no other form: the error names the prompt."""
    form = _LEVEL_FORMS[source]
    level = (
        expression_xml.level_answer(form["xml"], prompt=KEY)  # as the XML decoder makes it
        if source == "xml"
        else LevelAnswer(prompt=KEY, **form)
    )
    answers = AnswerSet(answers=(level,))
    codec = _CODECS[target]
    if source == target:
        assert codec.decode(codec.encode(answers)) == answers
        return
    with pytest.raises(NotRepresentableError) as info:
        codec.encode(answers)
    assert info.value.prompt == f"level prompt {KEY.key}"


# --- answers as a live server and its clients write them -----------------------------

_COUNTRY = "8D679D3811D3E4981000E787EC6DE8A4"
_ID_FORM = "45C11FA478E745FEA08D781CEA190FE5"
_DECORATED = f"""<exp nc='9'>(Country In (USA, Canada)) And ((Category (ID) Between 1 And 3) Or
  (Revenue Is Null))
  <nd et='14' nt='4' dmt='1' ddt='-1' is_indp_csi='1' cc='2' disp_n='root'>
    <nd et='5' nt='4' dmt='1' ddt='-1' is_indp_csi='1' cc='2'>
      <nd et='0' nt='5' dmt='1' ddt='-1'>
        <at did='{_COUNTRY}' tp='12' stp='3072' n='Country' disp_n='Country'/></nd>
      <nd et='0' nt='2' dmt='1' ddt='-1'><mi><es>
        <at did='{_COUNTRY}' tp='12' stp='3072' n='Country'/>
        <e ei='{_COUNTRY}:1' emt='1' art='1' disp_n='USA' disp_id='1'/>
        <e ei='{_COUNTRY}:2' emt='1' disp_n='Canada'/>
      </es></mi></nd>
      <op fnt='22' fg='0' apply_order='0' node='0'/></nd>
    <nd et='14' nt='4' dmt='1' ddt='-1'>
      <nd et='2' nt='4' dmt='1' ddt='-1'>
        <nd et='1' nt='1' dmt='1' ddt='-1' lcl='0'>
          <at did='{CATEGORY}' tp='12' n='Category'/><fm did='{_ID_FORM}' tp='21' n='ID'/></nd>
        <nd et='1' nt='3' dmt='1' ddt='1'><cst ddt='1'>1</cst></nd>
        <nd et='1' nt='3' dmt='1' ddt='-1'><cst ddt='1'>3</cst></nd>
        <op fnt='17'/></nd>
      <nd et='10' nt='4' dmt='7' ddt='-1'>
        <nd et='1' nt='5' dmt='1' ddt='-1'><mt did='{REVENUE.id}' tp='4' stp='1024' n='Revenue'/></nd>
        <op fnt='54'/></nd>
      <op fnt='20'/></nd>
    <op fnt='19'/></nd></exp>"""
_EXPERT_TREE = {
    "operator": "And",
    "operands": [
        {
            "operator": "In",
            "operands": [
                {"type": "attribute", "id": _COUNTRY, "name": "Country"},
                {
                    "type": "elements",
                    "elements": [
                        {"id": f"h1;{_COUNTRY}", "name": "USA"},
                        {"id": f"h2;{_COUNTRY}", "name": "Canada"},
                    ],
                },
            ],
        },
        {
            "operator": "Or",
            "operands": [
                {
                    "operator": "Between",
                    "operands": [
                        {
                            "type": "form",
                            "attribute": {"id": CATEGORY, "name": "Category"},
                            "form": {"id": _ID_FORM, "name": "ID"},
                        },
                        {"type": "constant", "dataType": "Integer", "value": "1"},
                        {"type": "constant", "dataType": "Integer", "value": "3"},
                    ],
                },
                {
                    "operator": "IsNull",
                    "operands": [{"type": "metric", "id": REVENUE.id, "name": "Revenue"}],
                },
            ],
        },
    ],
}


def test_a_decorated_server_answer_converts_to_the_tree_an_expert_writes() -> None:
    """Single quotes, indentation, display text, node counts and flags, subtypes, mobile's
    et="0" children, disp_id: none changes the meaning, so the answer is typed."""
    did = "753C65EB402C44D3A991F285D3CB7F6D"  # KEY's prompt, written pt pin did tp
    pa = f'<rsl lcl="1033"><pa pt="8" pin="0" did="{did}" tp="10">{_DECORATED}</pa></rsl>'
    answers = xml.decode(pa)
    body = rest.encode(answers)["prompts"][0]["answers"]
    assert body["expression"] == _EXPERT_TREE
    assert body["content"].startswith("(Country In (USA, Canada)) And")
    # and back: the canonical <exp> reads as the same answer in every format
    again = rest.decode(rest.encode(answers))
    assert again == AnswerSet(answers=answers.answers)
    assert xml.decode(xml.encode(again)) == again
    assert library.decode(library.encode(answers)) == answers


@pytest.mark.parametrize(
    ("node", "reason"),
    [
        # a date written as <cst> rather than Web's bare-text time node
        (
            f"<nd et='2' nt='4' dmt='1' ddt='-1'><nd et='1' nt='1' dmt='1' ddt='-1'>"
            f"<at did='{CATEGORY}' tp='12'/><fm did='{_ID_FORM}' tp='21'/></nd>"
            "<nd et='1' nt='3' dmt='1' ddt='14'><cst ddt='14'>1/2/2016</cst></nd>"
            "<op fnt='8'/></nd>",
            "ddt=14, which the case table does not map in <cst>",
        ),
        # a metric named by a reference to the report, not by GUID (REST's own sample)
        (
            "<nd et='10' nt='4' dmt='7' ddt='-1'><nd et='1' nt='5' dmt='1' ddt='-1'>"
            "<mt rfd='9'>Avg Revenue per Customer</mt></nd><op fnt='54'/></nd>",
            "has content; the case table's references are empty elements",
        ),
        # a level (dimensionality) inside the qualification
        (
            "<nd et='10' nt='4' dmt='7' ddt='-1'><dmy cct='1' fr='1'><du ut='-1'/></dmy>"
            f"<nd et='1' nt='5' dmt='1' ddt='-1'><mt did='{REVENUE.id}' tp='4'/></nd>"
            "<op fnt='54'/></nd>",
            "<dmy> (line 1): is a qualification's level (dimensionality)",
        ),
        # an element that is not concrete (emt 1)
        (
            f"<nd et='5' nt='4' dmt='1' ddt='-1'><nd et='1' nt='5' dmt='1' ddt='-1'>"
            f"<at did='{_COUNTRY}' tp='12'/></nd><nd et='1' nt='2' dmt='1' ddt='-1'><mi><es>"
            f"<e ei='{_COUNTRY}:1' emt='2'/></es></mi></nd><op fnt='22'/></nd>",
            "is not a concrete element (emt 1)",
        ),
        # an unknown operator function
        (
            "<nd et='10' nt='4' dmt='7' ddt='-1'><nd et='1' nt='5' dmt='1' ddt='-1'>"
            f"<mt did='{REVENUE.id}' tp='4'/></nd><op fnt='99'/></nd>",
            "has function fnt=99",
        ),
    ],
)
def test_real_shapes_outside_the_table_name_their_node_and_stay_verbatim(
    node: str, reason: str
) -> None:
    pa = f'<rsl><pa key="{KEY.key}"><exp>{node}</exp></pa></rsl>'
    answers = xml.decode(pa)
    answer = one(answers)
    assert not answer.typed
    with pytest.raises(NotRepresentableError, match=re.escape(reason)):
        expression_xml.loads(answer.xml or "")
    # REST carries it as answers.xml and XML writes it back unchanged
    assert rest.encode(answers)["prompts"][0]["answers"] == {"xml": answer.xml}
    assert xml.decode(xml.encode(rest.decode(rest.encode(answers)))) == answers


def test_the_pipe_of_the_metric_limits_sample_is_not_guessed() -> None:
    """Issue 20 item 8: `|` appears in a REST code sample without a definition."""
    with pytest.raises(ValueError, match="metric-limits code sample"):
        Operator.parse("|")
    tree = {
        "operator": "|",
        "operands": [
            {"type": "metric", "id": REVENUE.id},
            {"type": "constant", "dataType": "Real", "value": "1"},
        ],
    }
    body = {"prompts": [{"key": KEY.key, "type": "EXPRESSION", "answers": {"expression": tree}}]}
    answers = rest.decode(body)
    assert not one(answers).typed
    assert rest.encode(answers) == body  # kept verbatim
    with pytest.raises(NotRepresentableError, match="'\\|'"):
        xml.encode(answers)
