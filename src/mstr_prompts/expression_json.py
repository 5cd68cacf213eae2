"""REST's JSON expression trees (``answers.expression``) ⇄ typed :mod:`~mstr_prompts.expressions`.

The grammar is the JSON Data API's view filter (rest-api-docs,
``filter-report-and-cube-instances-using-view-filters``): a node is
``{"operator": NAME, "operands": [...]}``, and an operand is a node or one of the
server's known operand types ``attribute``, ``constant``, ``constants``, ``elements``,
``form`` and ``metric``.  :func:`loads` reads exactly the shapes of the case table in
docs/expressions.md and raises :class:`~mstr_prompts.errors.NotRepresentableError`
naming the first node outside it; :func:`dumps` writes the canonical spelling.
:func:`answer` makes an expression answer of a tree (typed when inside the table, else
kept verbatim), and :func:`answer_tree` writes an answer's tree: the model itself reads
and writes no wire format.

>>> tree = {"operator": ">", "operands": [
...     {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F", "name": "Revenue"},
...     {"type": "constant", "dataType": "Real", "value": "10"}]}
>>> dumps(loads(tree))["operator"]
'Greater'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .element_id import ElementId, OpaqueElementId, parse_element_id
from .elements import Element
from .errors import DecodeError, NotRepresentableError, validation_message, with_article
from .expressions import (
    EXPRESSION_TYPES,
    LOGICAL,
    AttributeRef,
    Constant,
    DataType,
    ElementQualification,
    Expression,
    FormQualification,
    FormRef,
    Logical,
    MetricQualification,
    MetricRef,
    Operator,
)
from .model import ExpressionAnswer, PromptRef

__all__ = ["MAX_DEPTH", "answer", "answer_tree", "dumps", "loads", "read"]

MAX_DEPTH = 64
"""The deepest tree read: far beyond what a prompt's editor builds."""

_NODE_KEYS = frozenset({"operator", "operands", "level"})
_OPERAND_KEYS: dict[str, frozenset[str]] = {
    "attribute": frozenset({"type", "id", "name"}),
    "metric": frozenset({"type", "id", "name"}),
    "form": frozenset({"type", "attribute", "form"}),
    "constant": frozenset({"type", "dataType", "value"}),
    "constants": frozenset({"type", "dataType", "values"}),
    "elements": frozenset({"type", "elements"}),
}
_REF_KEYS = frozenset({"id", "name"})


class _Outside(Exception):
    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason


def loads(tree: Mapping[str, Any]) -> Expression:
    """Read a REST expression tree into a typed expression.

    Raises :class:`~mstr_prompts.errors.NotRepresentableError` for a tree outside the
    case table (an unknown operator or operand type, a non-default ``level``…), naming
    the node; such a tree can still travel verbatim in REST.

    >>> loads({"operator": "And", "operands": []})
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.NotRepresentableError: the node at expression has no operands
    """
    try:
        return _node(tree, "expression", 0)
    except _Outside as exc:
        raise NotRepresentableError(f"the node at {exc.path} {exc.reason}") from None


def _node(node: Any, path: str, depth: int) -> Expression:
    if depth > MAX_DEPTH:
        raise _Outside(path, f"is nested more than {MAX_DEPTH} deep")
    if not isinstance(node, Mapping):
        raise _Outside(path, "is not an object")
    unknown = sorted(set(node) - _NODE_KEYS)
    if unknown:
        raise _Outside(path, f"has key(s) {', '.join(map(repr, unknown))} outside the case table")
    level = node.get("level")
    # A qualification's level {"type": "default"} is the same as none (case table row 12);
    # any other level has no established <exp> spelling.
    if level is not None and level != {"type": "default"}:
        raise _Outside(path, "has a non-default level, which has no established <exp> form")
    raw = node.get("operator")
    if not isinstance(raw, str):
        raise _Outside(path, "has no operator name")
    try:
        operator = Operator.parse(raw)
    except ValueError:
        raise _Outside(
            path, f"has operator {raw!r}, which is not a known MicroStrategy name"
        ) from None
    operands = node.get("operands")
    if not isinstance(operands, list) or not operands:
        raise _Outside(path, "has no operands")
    try:
        if operator in LOGICAL:
            if level is not None:
                raise _Outside(path, "is a logical node with a level")
            return Logical(
                operator=operator,
                operands=tuple(
                    _node(o, f"{path}.operands[{i}]", depth + 1) for i, o in enumerate(operands)
                ),
            )
        return _qualification(operator, operands, path)
    except ValidationError as exc:
        raise _Outside(path, f"is not a valid qualification: {validation_message(exc)}") from None


def _operand(operands: list[Any], index: int, path: str) -> tuple[str, Mapping[str, Any]]:
    item = operands[index]
    where = f"{path}.operands[{index}]"
    if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
        raise _Outside(where, "is not a typed operand")
    kind = item["type"]
    allowed = _OPERAND_KEYS.get(kind)
    if allowed is None:
        raise _Outside(where, f"has operand type {kind!r}, which has no <exp> form")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise _Outside(where, f"has key(s) {', '.join(map(repr, unknown))} outside the case table")
    return kind, item


def _text(value: Any, where: str, what: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Outside(where, f"has a {what} that is not a string")
    return value


def _ref(item: Any, where: str) -> tuple[str, str | None]:
    if not isinstance(item, Mapping) or set(item) - _REF_KEYS:
        raise _Outside(where, 'is not an {"id", "name"} object')
    return _text(item.get("id"), where, "id"), _text(item.get("name"), where, "name", optional=True)


def _data_type(item: Mapping[str, Any], where: str) -> DataType:
    raw = item.get("dataType")
    try:
        return DataType(raw)
    except ValueError:
        raise _Outside(
            where, f"has dataType {raw!r}, which is not an EnumDSSXMLDataType name"
        ) from None


def _constants(operands: list[Any], path: str, *, metrics: bool) -> list[Constant | MetricRef]:
    values: list[Constant | MetricRef] = []
    for index in range(1, len(operands)):
        kind, item = _operand(operands, index, path)
        where = f"{path}.operands[{index}]"
        if kind == "constant":
            value = _text(item.get("value"), where, "value")
            values.append(Constant(value=value, data_type=_data_type(item, where)))
        elif kind == "constants" and len(operands) == 2:
            raw = item.get("values")
            if not isinstance(raw, list):
                raise _Outside(where, "has no values list")
            data_type = _data_type(item, where)
            values.extend(
                Constant(value=_text(v, f"{where}.values[{i}]", "value"), data_type=data_type)
                for i, v in enumerate(raw)
            )
        elif kind == "metric" and metrics:
            values.append(
                MetricRef(
                    id=_text(item.get("id"), where, "id"),
                    name=_text(item.get("name"), where, "name", optional=True),
                )
            )
        else:
            raise _Outside(
                where, f"is {_quoted_with_article(kind)} operand where a constant belongs"
            )
    return values


def _qualification(operator: Operator, operands: list[Any], path: str) -> Expression:
    kind, first = _operand(operands, 0, path)
    where = f"{path}.operands[0]"
    if kind == "form":
        attribute_id, attribute_name = _ref(first.get("attribute"), f"{where}.attribute")
        form_id, form_name = _ref(first.get("form"), f"{where}.form")
        lists = operator in (Operator.IN, Operator.NOT_IN)
        if lists != (len(operands) == 2 and _operand(operands, 1, path)[0] == "constants"):
            raise _Outside(
                path,
                f"writes {operator.value}'s values other than as the case table does "
                "(In/NotIn take one 'constants' operand, other operators 'constant' ones)",
            )
        values = _constants(operands, path, metrics=False)
        return FormQualification(
            form=FormRef(
                attribute=AttributeRef(id=attribute_id, name=attribute_name),
                id=form_id,
                name=form_name,
            ),
            operator=operator,
            values=tuple(v for v in values if isinstance(v, Constant)),
        )
    if kind == "attribute":
        if len(operands) != 2:
            raise _Outside(path, "qualifies an attribute with other than one 'elements' operand")
        second_kind, second = _operand(operands, 1, path)
        if second_kind != "elements":
            raise _Outside(f"{path}.operands[1]", "is not an 'elements' operand")
        raw = second.get("elements")
        if not isinstance(raw, list):
            raise _Outside(f"{path}.operands[1]", "has no elements list")
        elements = tuple(
            _element(e, f"{path}.operands[1].elements[{i}]") for i, e in enumerate(raw)
        )
        return ElementQualification(
            attribute=AttributeRef(
                id=_text(first.get("id"), where, "id"),
                name=_text(first.get("name"), where, "name", optional=True),
            ),
            operator=operator,
            elements=elements,
        )
    if kind == "metric":
        return MetricQualification(
            metric=MetricRef(
                id=_text(first.get("id"), where, "id"),
                name=_text(first.get("name"), where, "name", optional=True),
            ),
            operator=operator,
            values=tuple(_constants(operands, path, metrics=True)),
        )
    raise _Outside(where, f"is {_quoted_with_article(kind)} operand, which cannot be qualified")


def _element(item: Any, where: str) -> Element:
    if not isinstance(item, Mapping) or set(item) - _REF_KEYS:
        raise _Outside(where, 'is not an {"id", "name"} element')
    text = _text(item.get("id"), where, "id", optional=True)
    name = _text(item.get("name"), where, "name", optional=True)
    element_id: ElementId | OpaqueElementId | None = None
    if text is not None:
        try:
            element_id = parse_element_id(text)
        except DecodeError as exc:
            raise _Outside(where, f"has an element ID that cannot be read: {exc.message}") from None
    try:
        return Element.of(element_id, name)
    except ValidationError as exc:
        raise _Outside(where, validation_message(exc)) from None


# --- writing -------------------------------------------------------------------------


def _ref_json(id: str, name: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": id}
    if name is not None:
        item["name"] = name
    return item


def _constant_json(value: Constant | MetricRef) -> dict[str, Any]:
    if isinstance(value, MetricRef):
        return {"type": "metric", **_ref_json(value.id, value.name)}
    return {"type": "constant", "dataType": value.data_type.value, "value": value.value}


def dumps(expression: Expression) -> dict[str, Any]:
    """Write a typed expression as REST's JSON tree (canonical: operator names, no level).

    An ``In`` list whose constants have different data types has no REST spelling (one
    ``constants`` operand has one ``dataType``) and raises
    :class:`~mstr_prompts.errors.NotRepresentableError`.

    >>> from mstr_prompts.expressions import attribute, qualify
    >>> dumps(qualify(attribute("8D679D3711D3E4981000E787EC6DE8A4"), "In", "h1"))["operands"][1]
    {'type': 'elements', 'elements': [{'id': 'h1;8D679D3711D3E4981000E787EC6DE8A4'}]}
    """
    if isinstance(expression, Logical):
        return {
            "operator": expression.operator.value,
            "operands": [dumps(e) for e in expression.operands],
        }
    operator = expression.operator.value
    if isinstance(expression, ElementQualification):
        elements = []
        for element in expression.elements:
            item: dict[str, Any] = {}
            if isinstance(element.id, ElementId):
                item["id"] = element.id.to_terse(include_display=False)
            elif isinstance(element.id, OpaqueElementId):
                item["id"] = element.id.text
            if element.name is not None:
                item["name"] = element.name
            elements.append(item)
        return {
            "operator": operator,
            "operands": [
                {
                    "type": "attribute",
                    **_ref_json(expression.attribute.id, expression.attribute.name),
                },
                {"type": "elements", "elements": elements},
            ],
        }
    if isinstance(expression, FormQualification):
        subject = {
            "type": "form",
            "attribute": _ref_json(expression.form.attribute.id, expression.form.attribute.name),
            "form": _ref_json(expression.form.id, expression.form.name),
        }
        if expression.operator.arity is None:
            types = {c.data_type for c in expression.values}
            if len(types) != 1:
                raise NotRepresentableError(
                    f"the {operator} list mixes data types "
                    f"({', '.join(sorted(t.value for t in types))}); REST's 'constants' "
                    "operand has one dataType",
                    target="rest",
                )
            return {
                "operator": operator,
                "operands": [
                    subject,
                    {
                        "type": "constants",
                        "dataType": types.pop().value,
                        "values": [c.value for c in expression.values],
                    },
                ],
            }
        return {
            "operator": operator,
            "operands": [subject, *(_constant_json(c) for c in expression.values)],
        }
    return {
        "operator": operator,
        "operands": [
            {"type": "metric", **_ref_json(expression.metric.id, expression.metric.name)},
            *(_constant_json(v) for v in expression.values),
        ],
    }


def read(tree: Mapping[str, Any] | str) -> Expression | Mapping[str, Any]:
    """REST's tree (an object, or its JSON text) typed when inside the case table.

    A tree outside the table comes back as the object it is, for an answer to carry
    verbatim (:class:`~mstr_prompts.model.ExpressionAnswer` keeps it as canonical JSON
    text).  Text that is not a JSON object raises
    :class:`~mstr_prompts.errors.DecodeError`.

    >>> read('{"operator": "Frobnicate", "operands": []}')
    {'operator': 'Frobnicate', 'operands': []}
    """
    if isinstance(tree, str):
        try:
            tree = json.loads(tree)
        except ValueError as exc:
            raise DecodeError(
                f"the expression tree is not JSON: {exc}", where="expression"
            ) from None
    if not isinstance(tree, Mapping):
        raise DecodeError(
            f"an expression tree is a JSON object, not {type(tree).__name__}", where="expression"
        )
    try:
        return loads(tree)
    except NotRepresentableError:
        return tree  # outside the table: carried verbatim


def answer(
    tree: Mapping[str, Any] | str | Expression,
    *,
    prompt: PromptRef | None = None,
    content: str | None = None,
) -> ExpressionAnswer:
    """An expression answer of REST's tree: typed when inside the case table, else verbatim.

    What REST's decoder gives for ``answers: {"expression": tree, "content": …}``.
    Raises :class:`~mstr_prompts.errors.DecodeError` for a tree that is not a JSON
    object, and pydantic's ``ValidationError`` for fields the model refuses.

    >>> tree = {"operator": "Greater", "operands": [
    ...     {"type": "metric", "id": "4C05177011D3E877C000B3B2D86C964F", "name": "Revenue"},
    ...     {"type": "constant", "dataType": "Real", "value": "10"}]}
    >>> a = answer(tree)
    >>> a.typed, a.text
    (True, '{Revenue} > 10')
    """
    typed = tree if isinstance(tree, EXPRESSION_TYPES) else read(tree)
    return ExpressionAnswer(prompt=prompt or PromptRef(), expression=typed, content=content)


def answer_tree(answer: ExpressionAnswer) -> dict[str, Any] | None:
    """An expression answer's tree as REST's JSON (None when it is only verbatim XML).

    A typed tree is written canonically (:func:`dumps`, which raises
    :class:`~mstr_prompts.errors.NotRepresentableError` for what REST cannot spell); a
    verbatim one is given back as it came.

    >>> answer_tree(answer({"operator": "X", "operands": []}))
    {'operator': 'X', 'operands': []}
    """
    if answer.expression is None:
        return None
    if isinstance(answer.expression, str):
        verbatim: dict[str, Any] = json.loads(answer.expression)
        return verbatim
    return dumps(answer.expression)


def _quoted_with_article(kind: object) -> str:
    """``an 'attribute'``, ``a 'metric'``: the article as the quoted word is said."""
    article = with_article(kind).split(" ", 1)[0] if isinstance(kind, str) and kind else "a"
    return f"{article} {kind!r}"
