"""REST's expression trees of the usual shapes, read and written as plain JSON values.

:func:`mstr_prompts.expression_json.loads` reads a tree into typed
:mod:`~mstr_prompts.expressions` nodes, which are pydantic models, and
:func:`~mstr_prompts.expression_json.dumps` writes them back in one canonical spelling.
For the shapes answers usually take (metric and form qualifications with constants,
element qualifications ``In``/``NotIn`` of plain element IDs, hierarchy qualifications,
``And``/``Or``/``Not`` of them) :func:`canonical_tree` gives that canonical tree
straight from the JSON, with no model class loaded, so that REST's decoder can keep the
answer as a row (:data:`~mstr_prompts.row_kinds.EXPRESSION_ROW`) and REST's writer write it.

It is a filter, never a judge: anything it does not surely read as the typed path does
(a name outside the case table, an element ID that is not plain, a data type not known,
a tree nested deeper than :data:`MAX_DEPTH`) gives None, and the caller then takes the
typed path, which builds the same answer or says precisely what is wrong.  The property
tests hold ``canonical_tree(t) == expression_json.dumps(expression_json.loads(t))``
wherever it is not None.

>>> canonical_tree({"operator": ">", "operands": [
...     {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F", "name": "Revenue"},
...     {"type": "constant", "dataType": "Real", "value": "10"}]})["operator"]
'Greater'
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .element_text import plain_keys, plain_old_short
from .errors import NotRepresentableError
from .expression_codes import ExpWriter, MetricValue
from .expression_names import (
    FORM_OPERATORS,
    LIST_OPERATORS,
    LOGICAL,
    METRIC_OPERATORS,
    DataType,
    Operator,
)
from .rules import display_text

__all__ = [
    "MAX_DEPTH",
    "answers_json",
    "canonical_answers",
    "canonical_tree",
    "exp_element",
    "typed_dump",
]

MAX_DEPTH = 32
"""The deepest tree read here; deeper ones take the typed path (its own bound is 64)."""

_NODE_KEYS = frozenset({"operator", "operands", "level"})
_DEFAULT_LEVEL = {"type": "default"}
_REF_OPERAND_KEYS = frozenset({"type", "id", "name"})  # attribute, metric
_FORM_KEYS = frozenset({"type", "attribute", "form"})
_CONSTANT_KEYS = frozenset({"type", "dataType", "value"})
_CONSTANTS_KEYS = frozenset({"type", "dataType", "values"})
_ELEMENTS_KEYS = frozenset({"type", "elements"})
_REF_KEYS = frozenset({"id", "name"})
_DATA_TYPES = frozenset(data_type.value for data_type in DataType)
_HEX = frozenset("0123456789abcdefABCDEF")
_TERSE_TAIL = 33  # ";" and the attribute's GUID after a terse ID's key part


class _Other(Exception):
    """Not surely one of the usual shapes: the typed path decides."""


def _guid(value: Any) -> str:
    # element_text.GUID_PATTERN, without a regular expression: 32 hex digits exactly.
    if type(value) is not str or len(value) != 32 or not _HEX.issuperset(value):
        raise _Other
    return value


def _name(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise _Other
    return value


def _ref(item: Any, kind: str | None) -> dict[str, Any]:
    """``{"type"?, "id", "name"?}``: a reference as expression_json.dumps writes it."""
    if type(item) is not dict:
        raise _Other
    if not item.keys() <= (_REF_KEYS if kind is None else _REF_OPERAND_KEYS):
        raise _Other
    written: dict[str, Any] = {"id": _guid(item.get("id"))}
    if kind is not None:
        written = {"type": kind, **written}
    name = _name(item.get("name"))
    if name is not None:
        written["name"] = name
    return written


def _operand(item: Any, keys: frozenset[str]) -> dict[str, Any]:
    if type(item) is not dict or not item.keys() <= keys:
        raise _Other
    return item


def _data_type(value: Any) -> str:
    if type(value) is not str or value not in _DATA_TYPES:
        raise _Other
    return value


def _constant(item: dict[str, Any]) -> dict[str, Any]:
    _operand(item, _CONSTANT_KEYS)
    value = item.get("value")
    if type(value) is not str:
        raise _Other
    return {"type": "constant", "dataType": _data_type(item.get("dataType")), "value": value}


def _constants(item: dict[str, Any]) -> tuple[str, list[str]]:
    _operand(item, _CONSTANTS_KEYS)
    values = item.get("values")
    if type(values) is not list or not all(type(value) is str for value in values):
        raise _Other
    return _data_type(item.get("dataType")), list(values)


def _arity(operator: Operator, count: int) -> None:
    if not operator.takes(count):
        raise _Other


def _operator(node: dict[str, Any]) -> Operator:
    raw = node.get("operator")
    if type(raw) is not str:
        raise _Other
    try:
        return Operator.parse(raw)
    except ValueError:
        raise _Other from None


def _node(node: Any, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH or type(node) is not dict or not node.keys() <= _NODE_KEYS:
        raise _Other
    level = node.get("level")
    if level is not None and level != _DEFAULT_LEVEL:
        raise _Other
    operator = _operator(node)
    operands = node.get("operands")
    if type(operands) is not list or not operands:
        raise _Other
    if operator in LOGICAL:
        if level is not None or not operator.takes(len(operands)):
            raise _Other
        return {
            "operator": operator.value,
            "operands": [_node(operand, depth + 1) for operand in operands],
        }
    first = operands[0]
    kind = first.get("type") if type(first) is dict else None
    if kind == "metric":
        return _metric(operator, first, operands)
    if kind == "form":
        return _form(operator, first, operands)
    if kind == "attribute":
        return _elements(operator, first, operands)
    raise _Other


def _metric(operator: Operator, first: Any, operands: list[Any]) -> dict[str, Any]:
    if operator not in METRIC_OPERATORS:
        raise _Other
    written = [_ref(first, "metric")]
    for item in operands[1:]:
        kind = item.get("type") if type(item) is dict else None
        if kind == "constant":
            written.append(_constant(item))
        elif kind == "constants" and len(operands) == 2:
            data_type, values = _constants(item)
            written.extend(
                {"type": "constant", "dataType": data_type, "value": value} for value in values
            )
        elif kind == "metric" and not operator.is_ranking:
            written.append(_ref(item, "metric"))
        else:
            raise _Other
    _arity(operator, len(written) - 1)
    return {"operator": operator.value, "operands": written}


def _form(operator: Operator, first: Any, operands: list[Any]) -> dict[str, Any]:
    if operator not in FORM_OPERATORS:
        raise _Other
    _operand(first, _FORM_KEYS)
    subject = {
        "type": "form",
        "attribute": _ref(first.get("attribute"), None),
        "form": _ref(first.get("form"), None),
    }
    if operator in LIST_OPERATORS:
        listed = operands[1] if len(operands) == 2 else None
        if type(listed) is not dict or listed.get("type") != "constants":
            raise _Other
        data_type, values = _constants(listed)
        _arity(operator, len(values))
        written = {"type": "constants", "dataType": data_type, "values": values}
        return {"operator": operator.value, "operands": [subject, written]}
    values_written = []
    for item in operands[1:]:
        if type(item) is not dict or item.get("type") != "constant":
            raise _Other
        values_written.append(_constant(item))
    _arity(operator, len(values_written))
    return {"operator": operator.value, "operands": [subject, *values_written]}


def _elements(operator: Operator, first: Any, operands: list[Any]) -> dict[str, Any]:
    if operator not in LIST_OPERATORS or len(operands) != 2:
        raise _Other
    subject = _ref(first, "attribute")
    listed = operands[1]
    if type(listed) is not dict or listed.get("type") != "elements":
        raise _Other
    _operand(listed, _ELEMENTS_KEYS)
    items = listed.get("elements")
    if type(items) is not list or not items:
        raise _Other
    attribute = subject["id"].upper()
    elements: list[dict[str, Any]] = []
    for item in items:
        if type(item) is not dict or not item.keys() <= _REF_KEYS:
            raise _Other
        element_id = item.get("id")
        if _terse_parts(element_id)[1].upper() != attribute:
            raise _Other
        name = _name(item.get("name"))
        elements.append({"id": element_id} if name is None else {"id": element_id, "name": name})
    return {
        "operator": operator.value,
        "operands": [subject, {"type": "elements", "elements": elements}],
    }


def _terse_parts(element_id: Any) -> tuple[str, str]:
    """``(key, attribute)`` of a plain terse ID ``h{key};ATTR`` (element_text.plain_keys):
    what the typed path parses and writes back as the very same text."""
    if (
        type(element_id) is not str
        or len(element_id) < _TERSE_TAIL + 1
        or element_id[0] != "h"
        or element_id[-_TERSE_TAIL] != ";"
        or not plain_keys(element_id[1:-_TERSE_TAIL])
    ):
        raise _Other
    return element_id[1:-_TERSE_TAIL], _guid(element_id[-32:])


def canonical_tree(tree: Any) -> dict[str, Any] | None:
    """``expression_json.dumps(expression_json.loads(tree))`` for a tree of the usual
    shapes (see above), written from the JSON values without building a model; None for
    anything else (the caller then takes the typed path).

    A new tree at each call: the caller may keep or change it.

    >>> canonical_tree({"operator": "In", "operands": [
    ...     {"type": "attribute", "id": "8D679D3711D3E4981000E787EC6DE8A4"},
    ...     {"type": "elements", "elements": [
    ...         {"id": "h1;8D679D3711D3E4981000E787EC6DE8A4", "name": None}]}]})["operands"][1]
    {'type': 'elements', 'elements': [{'id': 'h1;8D679D3711D3E4981000E787EC6DE8A4'}]}
    >>> canonical_tree({"operator": "Frobnicate", "operands": []}) is None
    True
    """
    try:
        return _node(tree, 0)
    except (_Other, RecursionError):
        return None


def canonical_answers(answers: Any) -> dict[str, Any] | None:
    """REST's ``answers`` object of an expression answer as REST's writer writes it back
    (``{"content"?, "expression"}``), for ``{"expression": tree, "content"?: text}`` whose
    tree :func:`canonical_tree` reads; None for anything else (an ``xml`` answer, a blank
    one, a tree of another shape: the typed path reads those).

    Blank content is no content, as in :class:`~mstr_prompts.model.ExpressionAnswer`.

    >>> canonical_answers({"content": " ", "expression": {"operator": "IsNull", "operands": [
    ...     {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F"}]}})
    {'expression': {'operator': 'IsNull', 'operands': [{'type': 'metric', 'id': '4C05177011D3E877C000B3B2D86C964F'}]}}
    """
    if type(answers) is not dict or not answers.keys() <= _ANSWERS_KEYS:
        return None
    content = answers.get("content")
    if answers.get("xml") is not None or (content is not None and type(content) is not str):
        return None
    tree = canonical_tree(answers.get("expression"))
    if tree is None:
        return None
    return answers_json(tree, display_text(content))


_ANSWERS_KEYS = frozenset({"content", "expression", "xml"})  # rest.EXPRESSION_KEYS


def answers_json(tree: dict[str, Any], content: str | None) -> dict[str, Any]:
    """REST's ``answers`` of a canonical tree and its display text (None for none), as
    REST's writer writes them: for REST's rows and prompt-answer XML's alike.

    >>> answers_json({"operator": "And", "operands": []}, "Région")
    {'content': 'Région', 'expression': {'operator': 'And', 'operands': []}}
    """
    return {"expression": tree} if content is None else {"content": content, "expression": tree}


# --- writing <exp> ----------------------------------------------------------------------


def exp_element(answers: dict[str, Any]) -> etree._Element | None:
    """The ``<exp>`` of REST's ``answers`` of an expression row (``{"content"?,
    "expression"}``, canonical: as :func:`canonical_answers` or prompt-answer XML's scan
    write them), exactly as :func:`mstr_prompts.xml.expression_element` writes the
    answer's model: one writer for both (:class:`~mstr_prompts.expression_codes.ExpWriter`).

    None for what this does not write plainly (verbatim ``xml``, element IDs that are not
    plain terse IDs, text XML 1.0 cannot carry): the caller then takes the model's path,
    which writes it or says why not.

    >>> answers = canonical_answers({"content": "{Revenue} Is Null", "expression": {
    ...     "operator": "IsNull", "operands": [
    ...         {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F"}]}})
    >>> etree.tostring(exp_element(answers), encoding="unicode")[:44]
    '<exp>{Revenue} Is Null<nd et="10" nt="4" dmt'
    """
    tree = answers.get("expression")
    if "xml" in answers or type(tree) is not dict:
        return None
    writer = ExpWriter()
    root = etree.Element("exp")
    try:
        writer.text(root, answers.get("content") or "")
        _write(writer, root, tree)
    except (_Other, NotRepresentableError):
        return None
    return root


def _write(writer: ExpWriter, parent: etree._Element, tree: dict[str, Any]) -> None:
    operator = Operator(tree["operator"])
    operands = tree["operands"]
    if operator in LOGICAL:
        writer.logical(
            parent, operator, operands, lambda node, operand: _write(writer, node, operand)
        )
        return
    subject = operands[0]
    kind = subject["type"]
    if kind == "metric":
        values: list[MetricValue] = [
            (value["value"], DataType(value["dataType"]))
            if value["type"] == "constant"
            else (value["id"], value.get("name"))
            for value in operands[1:]
        ]
        writer.metric(parent, operator, subject["id"], subject.get("name"), values)
    elif kind == "form":
        attribute, form = subject["attribute"], subject["form"]
        if operator in LIST_OPERATORS:
            data_type = DataType(operands[1]["dataType"])
            constants = [(value, data_type) for value in operands[1]["values"]]
        else:
            constants = [(value["value"], DataType(value["dataType"])) for value in operands[1:]]
        writer.form(
            parent,
            operator,
            (attribute["id"], attribute.get("name")),
            (form["id"], form.get("name")),
            constants,
        )
    else:
        elements = []
        for element in operands[1]["elements"]:
            key, element_attribute = _terse_parts(element.get("id"))
            # expression_xml.element_ei of a plain ID: old short ATTR:key, a part per ':'
            ei = plain_old_short(element_attribute, key)
            elements.append((ei, key.count(":") + 1, element.get("name")))
        writer.elements(parent, operator, (subject["id"], subject.get("name")), elements)


# --- the typed tree's JSON values --------------------------------------------------------


def typed_dump(tree: dict[str, Any]) -> dict[str, Any] | None:
    """The typed tree's ``model_dump(mode="json", exclude_none=True)`` of a canonical
    tree (as :func:`canonical_tree` or prompt-answer XML's scan write them), written from
    the JSON values: what ``RowSet.dump`` gives for an expression row.  None for a tree
    with an element ID that is not a plain terse ID (its model is dumped instead).

    >>> typed_dump({"operator": "IsNull", "operands": [
    ...     {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F"}]})
    {'kind': 'metric', 'metric': {'id': '4C05177011D3E877C000B3B2D86C964F'}, 'operator': 'IsNull', 'values': []}
    """
    try:
        return _dumped(tree)
    except _Other:
        return None


def _ref_dump(item: dict[str, Any]) -> dict[str, Any]:
    name = item.get("name")
    return {"id": item["id"]} if name is None else {"id": item["id"], "name": name}


def _constant_dump(value: str, data_type: str) -> dict[str, Any]:
    return {"value": value, "data_type": data_type}


def _dumped(tree: dict[str, Any]) -> dict[str, Any]:
    # The fields of mstr_prompts.expressions' classes, in their order.
    operator = tree["operator"]
    operands = tree["operands"]
    if operator in _LOGICAL_NAMES:
        return {
            "kind": "logical",
            "operator": operator,
            "operands": [_dumped(operand) for operand in operands],
        }
    subject = operands[0]
    kind = subject["type"]
    if kind == "metric":
        values = [
            _constant_dump(value["value"], value["dataType"])
            if value["type"] == "constant"
            else _ref_dump(value)
            for value in operands[1:]
        ]
        return {
            "kind": "metric",
            "metric": _ref_dump(subject),
            "operator": operator,
            "values": values,
        }
    if kind == "form":
        if operator in _LIST_NAMES:
            data_type = operands[1]["dataType"]
            constants = [_constant_dump(value, data_type) for value in operands[1]["values"]]
        else:
            constants = [_constant_dump(v["value"], v["dataType"]) for v in operands[1:]]
        form = {"attribute": _ref_dump(subject["attribute"]), **_ref_dump(subject["form"])}
        return {"kind": "form", "form": form, "operator": operator, "values": constants}
    elements = []
    for element in operands[1]["elements"]:
        key, attribute = _terse_parts(element.get("id"))
        dumped: dict[str, Any] = {
            "id": {"kind": "element_id", "attribute": attribute, "keys": key.split(":")}
        }
        if element.get("name") is not None:
            dumped["name"] = element["name"]
        elements.append(dumped)
    return {
        "kind": "elements",
        "attribute": _ref_dump(subject),
        "operator": operator,
        "elements": elements,
    }


_LOGICAL_NAMES = frozenset(operator.value for operator in LOGICAL)
_LIST_NAMES = frozenset(operator.value for operator in LIST_OPERATORS)
