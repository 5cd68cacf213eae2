"""MicroStrategy's expression XML (``<exp>``) ⇄ typed :mod:`~mstr_prompts.expressions`.

The same ``<exp>`` element is the body of an expression prompt's ``<pa>`` in
prompt-answer XML, REST's ``answers.xml`` and Library's stored answers.  :func:`loads`
reads exactly the shapes of the case table in docs/expressions.md (nodes as
MicroStrategy's Web and mobile builders write them) and raises
:class:`~mstr_prompts.errors.NotRepresentableError` naming the first node outside it;
:func:`dumps` writes the DHTML builder's spelling (elements never self-closed, attributes
``et nt dmt ddt`` in that order).  The enumerations are EnumDSSXMLExpressionType (``et``),
EnumDSSXMLNodeType (``nt``), EnumDSSXMLNodeDimty (``dmt``), EnumDSSXMLDataType
(``ddt``) and EnumDSSXMLFunction (``fnt``), from MicroStrategy's Web SDK.

:func:`answer` and :func:`level_answer` make answers of stored ``<exp>`` and ``<dmy>``
text, checked and in one spelling (typed whenever the ``<exp>`` is inside the table): the
model itself reads no XML, and every decoder goes through these.

>>> exp = dumps(loads('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
...   'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" nt="3" '
...   'dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')[0])
>>> print(loads(exp)[0])
{4C05177011D3E877C000B3B2D86C964F} > 10
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from lxml import etree
from pydantic import ValidationError

from . import expression_codes as codes
from . import expression_json, safexml
from ._trusted import build
from .element_id import (
    GUID_PATTERN,
    ElementId,
    OpaqueElementId,
    Presentation,
    parse_element_id,
    plain_element_id,
)
from .element_text import plain_keys, plain_terse_ids
from .elements import Element
from .errors import DecodeError, Hint, NotRepresentableError, validation_message
from .expressions import (
    FORM_OPERATORS,
    LOGICAL,
    METRIC_OPERATORS,
    RANKING,
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
from .model import ExpressionAnswer, LevelAnswer, PromptRef
from .row_kinds import EXPRESSION_ROW, Row
from .rules import is_text

__all__ = [
    "MAX_DEPTH",
    "answer",
    "dumps",
    "element_ei",
    "is_empty",
    "level_answer",
    "loads",
    "scan_row",
    "scan_text_row",
    "stored",
    "to_element",
]

MAX_DEPTH = 64
"""The deepest tree read."""

# EnumDSSXMLExpressionType (docs/expressions.md, "The mapping"): the codes are
# expression_codes', shared with the writer of REST's JSON trees.
_ET_GENERIC = codes.ET_GENERIC
_ET_LEAF = frozenset({"0", "1"})  # mojo writes 0 for children, DHTML and REST 1
_ET_FORM = codes.ET_FORM
_ET_ELEMENTS = codes.ET_ELEMENTS
_ET_FORM_LIST = codes.ET_FORM_LIST
_ET_METRIC = codes.ET_METRIC
_ET_BRANCH = codes.ET_BRANCH
_ET_NAMES = {
    "0": "Reserved", "3": "MultiBaseFormQual", "4": "JointFormQual", "7": "JointListQual",
    "8": "JointListFormQual", "9": "SingleBaseFormExpression", "11": "MultiMetricQual",
    "12": "MetricExpression", "13": "EmbedQual", "15": "RelationshipQual",
    "16": "AllAttributeQual", "17": "AttributeIDQual", "18": "AttributeDESCQual",
    "19": "AggMetric", "20": "Banding", "21": "ReportQual", "22": "MDXSAPVariable",
    "23": "SQLQueryQual", "24": "CanceledPrompt", "25": "ElementList", "26": "ElementSingle",
}  # fmt: skip
# EnumDSSXMLNodeType
_NT_FORM_SHORTCUT = codes.NT_FORM_SHORTCUT
_NT_ELEMENTS = codes.NT_ELEMENTS
_NT_CONSTANT = codes.NT_CONSTANT
_NT_OPERATOR = codes.NT_OPERATOR
_NT_SHORTCUT = codes.NT_SHORTCUT
_NT_TIME = codes.NT_TIME
_NT_BIG_DECIMAL = codes.NT_BIG_DECIMAL
# EnumDSSXMLNodeDimty: 1 None, 7 Unspecified (what metric qualifications carry)
_DMT_NONE = codes.DMT_NONE
_DMT_METRIC = codes.DMT_METRIC
_DDT_UNKNOWN = codes.DDT_UNKNOWN
# EnumDSSXMLObjectTypes of the references (docs/xml.md)
_TP_METRIC = codes.TP_METRIC
_TP_ATTRIBUTE = codes.TP_ATTRIBUTE
_TP_FORM = codes.TP_FORM
_CONCRETE_ELEMENT = codes.CONCRETE_ELEMENT

_FNT: dict[Operator, int] = codes.FNT
_OPERATOR_OF_FNT: dict[str, Operator] = {str(n): op for op, n in _FNT.items()}

# Rank and percent (docs/expressions.md row 9): expression_codes.MRP.
_MRP: dict[str, tuple[int, str | None]] = codes.MRP
_MRP_OF: dict[tuple[str, str | None], str] = {(str(f), v): name for name, (f, v) in _MRP.items()}
_RANK_V = codes.RANK_V
_PERCENT_V = codes.PERCENT_V

_DDT: dict[DataType, int] = codes.DDT
_TYPE_OF_DDT: dict[str, DataType] = {str(n): t for t, n in _DDT.items()}
# What a <cst> may carry: dates, times and big decimals have their own node types.
_CST_TYPE_OF_DDT: dict[str, DataType] = {
    d: t for d, t in _TYPE_OF_DDT.items() if not t.is_temporal and t is not DataType.BIG_DECIMAL
}
_NOT = Operator.NOT
_LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})

# Attributes seen in real answers that carry no meaning a typed tree loses (docs/expressions.md:
# node counts, a flag, and the defaults the REST doc sample writes); with any other
# attribute, or another value, a node is outside the table and stays verbatim.
_FREE = object()
_EXTRA: dict[str, dict[str, Any]] = {
    "exp": {"nc": _FREE},
    # disp_n: the display name Web's DHTML builder may give a node (buildExprNode); like
    # the text inside <exp>, display only.
    "nd": {"is_indp_csi": _FREE, "cc": _FREE, "lcl": "0", "disp_n": _FREE},
    "op": {"fg": "0", "apply_order": "0", "node": "0"},
}


class _Outside(Exception):
    def __init__(self, element: etree._Element, reason: str) -> None:
        self.element = element
        self.reason = reason


def _describe(element: etree._Element) -> str:
    attributes = " ".join(
        f'{k!s}="{v!s}"' for k, v in element.attrib.items() if k in ("et", "nt", "fnt")
    )
    tag = element.tag if isinstance(element.tag, str) else "?"
    head = f"<{tag} {attributes}>" if attributes else f"<{tag}>"
    line = element.sourceline
    return f"{head} (line {line})" if line else head


def is_empty(element: etree._Element) -> bool:
    """True for a body with nothing in it at all: ``<exp/>``, ``<dmy></dmy>``.

    Such a body closes the prompt.  One with attributes or text is not empty: it is kept
    as an answer, so that no conversion can turn it into "close the prompt".

    >>> is_empty(safexml.parse("<exp> </exp>")), is_empty(safexml.parse('<exp nc="0"/>'))
    (True, False)
    """
    return not element.attrib and len(element) == 0 and not (element.text or "").strip()


def loads(exp: str | etree._Element) -> tuple[Expression, str | None]:
    """Read an ``<exp>`` into a typed expression and its display text (or None).

    The display text is the text before the first node (REST's doc sample writes
    ``{Avg Revenue per Customer} > 10`` there), kept as written.  Raises
    :class:`~mstr_prompts.errors.NotRepresentableError` for XML outside the case table,
    naming the node, and :class:`~mstr_prompts.errors.DecodeError` for text that is not
    XML.

    >>> loads('<exp><nd et="16" nt="4" dmt="1" ddt="-1"><op fnt="19"/></nd></exp>')
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.NotRepresentableError: <nd et="16" nt="4"> (line 1): expression type 16 (AllAttributeQual) is outside the case table
    """
    root = safexml.parse(exp, where="expression xml") if isinstance(exp, str) else exp
    scanned = _scan(root)
    if scanned is not None:
        return scanned
    try:
        return _exp(root)
    except _Outside as exc:
        raise NotRepresentableError(f"{_describe(exc.element)}: {exc.reason}") from None


def _exp(root: etree._Element) -> tuple[Expression, str | None]:
    if root.tag != "exp":
        raise _Outside(root, "is not an <exp> element")
    _extras(root, _NONE)
    children = list(root)
    if len(children) != 1:
        raise _Outside(root, f"holds {len(children)} nodes; an answer holds one <nd>")
    _no_tails(root, children)
    text = root.text
    content = text if text and not text.isspace() else None
    return _node(children[0], 0), content


def _extras(element: etree._Element, required: frozenset[str]) -> None:
    allowed: dict[str, Any] | None = None
    for key in element.keys():  # noqa: SIM118 (an element iterates its children)
        if key in required:
            continue  # the common case: an attribute the caller reads
        if allowed is None:
            allowed = _EXTRA.get(element.tag if isinstance(element.tag, str) else "", {})
        rule = allowed.get(str(key))
        if rule is not _FREE:
            value = element.get(key)
            if rule is None or value != rule:
                raise _Outside(
                    element, f'has {key!s}="{value!s}", which the case table does not map'
                )


def _no_tails(element: etree._Element, children: list[etree._Element] | None = None) -> None:
    for child in element if children is None else children:
        tail = child.tail
        if tail and not tail.isspace():
            raise _Outside(element, "has text between its children")


def _no_text(element: etree._Element, children: list[etree._Element] | None = None) -> None:
    text = element.text
    if text and not text.isspace():
        raise _Outside(element, "has text where only elements belong")
    _no_tails(element, children)


_ND_ATTRIBUTES = frozenset({"et", "nt", "dmt", "ddt"})
_ND_ORDER = ["et", "nt", "dmt", "ddt"]
_NONE: frozenset[str] = frozenset()
_FNT_ATTRIBUTE = frozenset({"fnt"})
_FNT_ORDER = ["fnt"]


def _nd(element: etree._Element, *, nt: str | None = None) -> tuple[str, str, str, str]:
    if element.tag == "dmy":
        raise _Outside(
            element,
            "is a qualification's level (dimensionality), whose REST form is not established",
        )
    if element.tag != "nd":
        raise _Outside(element, "is not an <nd> node")
    # One call for the names and one for the values, in the usual case of the four
    # attributes as MicroStrategy orders them: lxml checks the name given to each get(),
    # which made the reads most of the cost of a node.
    if element.keys() == _ND_ORDER:
        read: list[str] = element.values()  # type: ignore[assignment]  # text, never bytes
        values = (read[0].strip(), read[1].strip(), read[2].strip(), read[3].strip())
    else:
        _extras(element, _ND_ATTRIBUTES)
        get = element.get
        values = (
            (get("et") or "").strip(),
            (get("nt") or "").strip(),
            (get("dmt") or "").strip(),
            (get("ddt") or "").strip(),
        )
    if nt is not None and values[1] != nt:
        raise _Outside(element, f"has node type {values[1] or 'none'}; expected {nt} here")
    return values


def _leaf(element: etree._Element, nt: str) -> tuple[str, str, str, str]:
    values = _nd(element, nt=nt)
    if values[0] not in _ET_LEAF or values[2] != _DMT_NONE:
        raise _Outside(
            element,
            "is a leaf node with an expression type or dimensionality the case table does not map",
        )
    return values


def _node(element: etree._Element, depth: int) -> Expression:
    if depth > MAX_DEPTH:
        raise _Outside(element, f"is nested more than {MAX_DEPTH} deep")
    et, nt, dmt, _ddt = _nd(element, nt=None)
    if nt != _NT_OPERATOR:
        raise _Outside(element, f"is a node of type {nt or 'none'} where an operator node belongs")
    children = list(element)
    _no_text(element, children)
    ops = [i for i, c in enumerate(children) if c.tag == "op"]
    if len(ops) != 1:
        raise _Outside(element, "has no single <op>")
    at = ops[0]
    tail = children[at + 1 :]
    operands = children[:at]
    prs = None
    if tail:
        if len(tail) != 1 or tail[0].tag != "prs":
            raise _Outside(element, "has elements after its <op> other than one <prs>")
        prs = tail[0]
    op = children[at]
    plain = op.keys() == _FNT_ORDER  # the usual <op fnt="…"/>: one read (see _nd)
    if not plain:
        _extras(op, _FNT_ATTRIBUTE)
    if len(op) or (op.text and not op.text.isspace()):
        raise _Outside(op, "has content")
    fnt_text: str = op.values()[0] if plain else op.get("fnt") or ""  # type: ignore[assignment]
    fnt = fnt_text.strip()
    try:
        if et == _ET_BRANCH:
            return _branch(element, dmt, fnt, operands, prs, depth)
        if et in (_ET_FORM, _ET_FORM_LIST):
            return _form(element, et, dmt, fnt, operands, prs)
        if et == _ET_ELEMENTS:
            return _elements(element, dmt, fnt, operands, prs)
        if et == _ET_METRIC:
            return _metric(element, dmt, fnt, operands, prs)
    except ValidationError as exc:
        raise _Outside(
            element, f"is not a valid qualification: {validation_message(exc)}"
        ) from None
    name = _ET_NAMES.get(et)
    raise _Outside(
        element,
        f"expression type {et or 'none'}{f' ({name})' if name else ''} is outside the case table",
    )


def _function(element: etree._Element, fnt: str) -> Operator:
    operator = _OPERATOR_OF_FNT.get(fnt)
    if operator is None:
        raise _Outside(
            element, f"has function fnt={fnt or 'none'}, which the case table does not map"
        )
    return operator


def _no_prs(element: etree._Element, prs: etree._Element | None) -> None:
    if prs is not None:
        raise _Outside(
            element, "has <prs> properties, which only rank and percent qualifications carry"
        )


def _dimty(element: etree._Element, dmt: str, expected: str) -> None:
    if dmt != expected:
        raise _Outside(element, f"has dmt={dmt or 'none'}; the case table writes {expected} here")


def _branch(
    element: etree._Element,
    dmt: str,
    fnt: str,
    operands: list[etree._Element],
    prs: etree._Element | None,
    depth: int,
) -> Expression:
    _dimty(element, dmt, _DMT_NONE)
    _no_prs(element, prs)
    operator = _function(element, fnt)
    if operator not in LOGICAL:
        raise _Outside(element, f"is a branch with function {operator.value}, not And, Or or Not")
    return _logical(operator, tuple(_node(c, depth + 1) for c in operands))


_REF_ATTRIBUTES = frozenset({"did", "tp", "n", "disp_n"})


def _ref(element: etree._Element, tag: str, tp: str) -> tuple[str, str | None]:
    if element.tag != tag:
        raise _Outside(element, f"is <{element.tag}>; expected <{tag}>")
    if len(element) or (element.text and not element.text.strip() == ""):
        raise _Outside(element, "has content; the case table's references are empty elements")
    # One read of all attributes: lxml checks the name given to each get() (see _nd).
    attributes: dict[str, str] = dict(element.items())  # type: ignore[arg-type]
    get = attributes.get
    did = get("did")
    if not did:
        raise _Outside(element, "has no did (object ID)")
    if (get("tp") or "").strip() != tp:
        raise _Outside(element, f"has tp={get('tp')!r}; expected {tp}")
    name, disp_n = get("n"), get("disp_n")
    if name is not None and disp_n is not None and name != disp_n:
        raise _Outside(element, "has two different names (n and disp_n)")
    for attribute in attributes:
        if attribute in _REF_ATTRIBUTES:
            continue
        if attribute == "stp" and (get("stp") or "").strip() == str(int(tp) * 256):
            # The plain subtype of the type (EnumDSSXMLSubTypes: attribute 3072 = 12 * 256,
            # metric 1024), as Library writes it (fixtures/xml/library-hierarchy-key-lcl.xml): it says nothing more.
            continue
        raise _Outside(element, f"has {attribute!s}=…, which the case table does not map")
    return did, name if name is not None else disp_n


def _one_child(element: etree._Element) -> etree._Element:
    children = list(element)
    _no_text(element, children)
    if len(children) != 1:
        raise _Outside(element, f"holds {len(children)} elements; expected one")
    return children[0]


# --- typed nodes, checked once -------------------------------------------------------
#
# Every node read is built here.  pydantic's validation of each node (the text check
# walks every string, then each field validator walks it again) cost several times the
# walk of the XML itself, so a node whose parts pass the same rules the model's
# validators apply is filled in directly (_trusted.build); any other is handed to the
# model's own constructor, so that a refusal raises the very ValidationError it always
# did.  tests/test_expression_xml.py checks both ways build equal trees.

_IS_GUID = re.compile(GUID_PATTERN).fullmatch


def _name_ok(name: str | None) -> bool:
    return name is None or (type(name) is str and is_text(name))


def _arity_ok(operator: Operator, count: int) -> bool:
    arity = operator.arity
    return count >= 1 if arity is None else count == arity


def _attribute(id: str, name: str | None) -> AttributeRef:
    if type(id) is str and _IS_GUID(id) and _name_ok(name):
        return build(AttributeRef, {"id": id, "name": name})
    return AttributeRef(id=id, name=name)


def _metric_named(id: str, name: str | None) -> MetricRef:
    if type(id) is str and _IS_GUID(id) and _name_ok(name):
        return build(MetricRef, {"id": id, "name": name})
    return MetricRef(id=id, name=name)


def _form_ref(attribute: AttributeRef, id: str, name: str | None) -> FormRef:
    if type(id) is str and _IS_GUID(id) and _name_ok(name):
        return build(FormRef, {"attribute": attribute, "id": id, "name": name})
    return FormRef(attribute=attribute, id=id, name=name)


def _constant(value: str, data_type: DataType) -> Constant:
    if type(value) is str and is_text(value):
        return build(Constant, {"value": value, "data_type": data_type})
    return Constant(value=value, data_type=data_type)


def _logical(operator: Operator, operands: tuple[Expression, ...]) -> Logical:
    count = len(operands)
    if operator in LOGICAL and count and (operator is not _NOT or count == 1):
        return build(Logical, {"kind": "logical", "operator": operator, "operands": operands})
    return Logical(operator=operator, operands=operands)


def _form_qualification(
    form: FormRef, operator: Operator, values: tuple[Constant, ...]
) -> FormQualification:
    if operator in FORM_OPERATORS and _arity_ok(operator, len(values)):
        return build(
            FormQualification,
            {"kind": "form", "form": form, "operator": operator, "values": values},
        )
    return FormQualification(form=form, operator=operator, values=values)


def _metric_qualification(
    metric: MetricRef, operator: Operator, values: tuple[Constant | MetricRef, ...]
) -> MetricQualification:
    if (
        operator in METRIC_OPERATORS
        and _arity_ok(operator, len(values))
        and not (operator in RANKING and any(type(v) is not Constant for v in values))
    ):
        return build(
            MetricQualification,
            {"kind": "metric", "metric": metric, "operator": operator, "values": values},
        )
    return MetricQualification(metric=metric, operator=operator, values=values)


def _element_qualification(
    attribute: AttributeRef, operator: Operator, elements: tuple[Element, ...]
) -> ElementQualification:
    # The model fills in an element ID's missing attribute and refuses another one; only
    # elements that already name this attribute (or have an opaque ID) pass as they are.
    own = attribute.id.upper()
    if (
        elements
        and operator in _LIST_OPERATORS
        and all(
            not isinstance(e.id, ElementId)
            or (e.id.attribute is not None and e.id.attribute.upper() == own)
            for e in elements
        )
    ):
        return build(
            ElementQualification,
            {
                "kind": "elements",
                "attribute": attribute,
                "operator": operator,
                "elements": elements,
            },
        )
    return ElementQualification(attribute=attribute, operator=operator, elements=elements)


def _value(element: etree._Element) -> Constant:
    _et, nt, _dmt, ddt = _leaf(element, element.get("nt", "").strip() or "?")
    if nt == _NT_CONSTANT:
        cst = _one_child(element)
        if cst.tag != "cst" or len(cst) or cst.keys() != ["ddt"]:
            raise _Outside(cst, "is not a <cst ddt=…> constant")
        data_type = _CST_TYPE_OF_DDT.get((cst.get("ddt") or "").strip())
        if data_type is None:
            # Dates, times and big decimals have their own node types (row 11).
            raise _Outside(
                cst,
                f"has data type ddt={cst.get('ddt')}, which the case table does not map in <cst>",
            )
        return _constant(cst.text or "", data_type)
    if nt in (_NT_TIME, _NT_BIG_DECIMAL):
        if len(element):
            raise _Outside(
                element, "holds elements; a date, time or big-decimal constant is bare text"
            )
        data_type = _TYPE_OF_DDT.get(ddt)
        expected = data_type is not None and (
            data_type.is_temporal if nt == _NT_TIME else data_type is DataType.BIG_DECIMAL
        )
        if not expected:
            raise _Outside(element, f"has node type {nt} with ddt={ddt}, which do not agree")
        assert data_type is not None
        return _constant(element.text or "", data_type)
    raise _Outside(element, f"has node type {nt}, where a constant belongs")


def _form(
    element: etree._Element,
    et: str,
    dmt: str,
    fnt: str,
    operands: list[etree._Element],
    prs: etree._Element | None,
) -> Expression:
    _dimty(element, dmt, _DMT_NONE)
    _no_prs(element, prs)
    operator = _function(element, fnt)
    if et == _ET_FORM_LIST and operator not in (Operator.IN, Operator.NOT_IN):
        raise _Outside(element, f"is a list form qualification (et 6) with {operator.value}")
    if not operands:
        raise _Outside(element, "has no form shortcut")
    shortcut = operands[0]
    _leaf(shortcut, _NT_FORM_SHORTCUT)
    refs = list(shortcut)
    _no_text(shortcut, refs)
    if len(refs) != 2:
        raise _Outside(shortcut, "does not hold one <at> and one <fm>")
    attribute_id, attribute_name = _ref(refs[0], "at", _TP_ATTRIBUTE)
    form_id, form_name = _ref(refs[1], "fm", _TP_FORM)
    return _form_qualification(
        _form_ref(_attribute(attribute_id, attribute_name), form_id, form_name),
        operator,
        tuple(_value(v) for v in operands[1:]),
    )


def _elements(
    element: etree._Element,
    dmt: str,
    fnt: str,
    operands: list[etree._Element],
    prs: etree._Element | None,
) -> Expression:
    _dimty(element, dmt, _DMT_NONE)
    _no_prs(element, prs)
    operator = _function(element, fnt)
    if len(operands) != 2:
        raise _Outside(element, "does not hold an attribute shortcut and an element list")
    shortcut, listed = operands
    _leaf(shortcut, _NT_SHORTCUT)
    attribute_id, attribute_name = _ref(_one_child(shortcut), "at", _TP_ATTRIBUTE)
    _leaf(listed, _NT_ELEMENTS)
    mi = _one_child(listed)
    if mi.tag != "mi" or mi.attrib:
        raise _Outside(mi, "is not the <mi> of an element list")
    es = _one_child(mi)
    if es.tag != "es" or es.attrib:
        raise _Outside(es, "is not the <es> of an element list")
    _no_text(es)
    elements: list[Element] = []
    for number, child in enumerate(es, start=1):
        if child.tag == "at" and number == 1:
            source, _name = _ref(child, "at", _TP_ATTRIBUTE)
            if source.upper() != attribute_id.upper():
                raise _Outside(child, "names another attribute than the qualified one")
            continue
        elements.append(_element(child))
    return _element_qualification(
        _attribute(attribute_id, attribute_name), operator, tuple(elements)
    )


def _element(e: etree._Element) -> Element:
    if e.tag != "e":
        raise _Outside(e, "is not an <e> element")
    if len(e) or (e.text and not e.text.isspace()):
        raise _Outside(e, "has content")
    attributes: dict[str, str] = dict(e.items())  # type: ignore[arg-type]  # see _ref
    for name in attributes:
        if name not in ("ei", "emt", "art", "disp_n", "disp_id"):
            raise _Outside(e, f"has {name!s}=…, which the case table does not map")
    ei = attributes.get("ei")
    if ei is None:
        raise _Outside(e, "has no ei (element ID)")
    if (attributes.get("emt") or _CONCRETE_ELEMENT).strip() != _CONCRETE_ELEMENT:
        raise _Outside(e, "is not a concrete element (emt 1)")
    try:
        element_id = parse_element_id(ei)
    except DecodeError as exc:
        raise _Outside(e, f"has an element ID that cannot be read: {exc.message}") from None
    # art (arity) is derived from ei and disp_id is presentation, as in element prompts.
    try:
        return Element.of(element_id, attributes.get("disp_n"))
    except ValidationError as exc:
        raise _Outside(e, validation_message(exc)) from None


def _metric(
    element: etree._Element,
    dmt: str,
    fnt: str,
    operands: list[etree._Element],
    prs: etree._Element | None,
) -> Expression:
    _dimty(element, dmt, _DMT_METRIC)
    operator = _function(element, fnt) if prs is None else _ranking(prs, fnt)
    if not operands:
        raise _Outside(element, "has no metric shortcut")
    metric_id, metric_name = _metric_ref(operands[0])
    values: list[Constant | MetricRef] = []
    for child in operands[1:]:
        if (child.get("nt") or "").strip() == _NT_SHORTCUT:
            other_id, other_name = _metric_ref(child)
            values.append(_metric_named(other_id, other_name))
        else:
            values.append(_value(child))
    return _metric_qualification(_metric_named(metric_id, metric_name), operator, tuple(values))


def _metric_ref(shortcut: etree._Element) -> tuple[str, str | None]:
    _leaf(shortcut, _NT_SHORTCUT)
    return _ref(_one_child(shortcut), "mt", _TP_METRIC)


def _ranking(prs: etree._Element, fnt: str) -> Operator:
    if prs.attrib:
        raise _Outside(prs, "has attributes")
    _no_text(prs)
    pairs: dict[str, str] = {}
    for pr in prs:
        if pr.tag != "pr" or set(pr.attrib) != {"ix", "v"} or len(pr) or (pr.text or "").strip():
            raise _Outside(pr, 'is not a <pr ix="…" v="…"/> property')
        ix = (pr.get("ix") or "").strip()
        if ix in pairs:
            raise _Outside(pr, f"repeats property {ix}")
        pairs[ix] = (pr.get("v") or "").strip()
    kind = pairs.pop("5", None)
    ascending = pairs.pop("4", None)
    if pairs or kind not in (_RANK_V, _PERCENT_V):
        raise _Outside(prs, "is not one of the rank or percent property sets")
    name = _MRP_OF.get((fnt, ascending))
    if name is None:
        raise _Outside(prs, f"with fnt={fnt} is not one of the rank or percent operators")
    return Operator(("Rank." if kind == _RANK_V else "Percent.") + name)


# --- the scan: the usual shapes read from the <exp>'s text -----------------------------
#
# The walk above reads each node through lxml (a proxy per element, a call per read) and
# checks it in Python: about 2 µs a node, most of an expression prompt's time.  An <exp>
# as the Web and mobile builders write it is a handful of fixed shapes, so _scan reads
# lxml's own serialisation of the parsed element (one C call; attributes always
# double-quoted, in document order, with only & < > " and \t \n \r escaped, empty
# elements self-closed, no comments, processing instructions or CDATA left) with one
# regular expression per qualification.  It accepts only spellings whose every part is
# one the walk accepts with the same meaning (the attribute sets and orders of
# MicroStrategy's writers, values without surrounding spaces, no text between nodes, the
# operators, arities and data types the builders take as they are) and returns None for
# anything else, which the walk then reads: so every result and every error is the
# walk's.  It writes REST's JSON tree, which REST's writer takes as it is (scan_row) and
# _typed turns into typed nodes through the builders above when a model is asked for.
# tests/test_expression_scan.py holds both equal to the walk's over generated, respelled
# and mutated trees.

_G = r"[0-9A-Fa-f]{32}"  # GUID_PATTERN without its anchors


def _indentable(pattern: str) -> str:
    """``pattern`` with indentation allowed before every tag: the walk takes any
    whitespace-only text between elements.  (Only space, tab and LF: a CR is serialised
    as &#13;, and other spaces are left to the walk.  A constant's text stays exact: the
    greedy ``[^<]+`` before its end tag keeps any spaces it ends with.)  Used only for
    a text that may be indented (_spaced): it costs the engine a try at every tag."""
    return re.sub(r"(?<!\^)<", "[ \t\n]*<", pattern)  # not the < of [^<]


def _spaced(text: str) -> bool:
    # Indentation somewhere (the compact patterns would fail on it); text that merely
    # holds a space or a new line reads the same by either
    return "\n" in text or "\t" in text or "> <" in text


def _closed(tag: str) -> str:
    """The end of an empty element's start tag: self-closed as lxml writes it, or as a
    pair, ``<op fnt="8"></op>``, as Web's DHTML builder writes it (the parser reads both
    as one element with no text).  The end tag's '<' is written ``\\x3c`` so that
    _indentable leaves it: whitespace inside the pair would be the element's text."""
    return rf"(?:/>|>\x3c/{tag}>)"


_OP = r'<op fnt="(\d+)"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
# Attribute values are [^"\x3c]*: §2.3 AttValue holds no '<' (the text scan must refuse
# what the parser refuses), written \x3c so that _indentable leaves it.
# What may follow a node's four attributes: the ones _EXTRA lets the walk ignore, in the
# order Web's builders write them (fixtures/xml: is_indp_csi cc; lcl on form shortcuts).
_ND_MORE = r'(?: is_indp_csi="[^"\x3c]*")?(?: cc="[^"\x3c]*")?(?: lcl="0")?(?: disp_n="[^"\x3c]*")?'


def _patterns(carried: bool) -> tuple[str, str, str]:
    """The token, value and element patterns.  ``carried``: with the attributes real
    answers carry beyond the builders' (_ND_MORE; a reference's stp and disp_n; emt
    before ei and disp_id on an element); without, the same groups, for the usual text
    that has none of them (each optional attribute costs the engine a try per node)."""
    more = _ND_MORE if carried else ""
    nd_end = r'ddt="[^"\x3c]*"' + more + ">"
    shortcut_end = nd_end if carried else r'ddt="[^"\x3c]*"(?: lcl="0")?>'

    def names(subtype: int) -> str:
        # stp, as Library writes it, then n and/or disp_n, captured together (_ref_json)
        if not carried:
            return r'((?: n="[^"\x3c]*")?)'
        return f'(?: stp="{subtype}")?' + r'((?: n="[^"\x3c]*")?(?: disp_n="[^"\x3c]*")?)'

    # One value of a qualification: a <cst> constant, a date/time or big decimal node,
    # or a metric shortcut (metric qualifications only).  Optional attributes are
    # captured with their name, so that an absent one (None, or "" from findall) is told
    # from an empty one.
    value = (
        r'<nd et="[01]" nt="3" dmt="1" ' + nd_end + r'<cst ddt="(\d+)">([^<]+)</cst></nd>'
        r'|<nd et="[01]" nt="(6|10)" dmt="1" ddt="(\d+)"' + more + r">([^<]+)</nd>"
        r'|<nd et="[01]" nt="5" dmt="1" ' + nd_end + r'<mt did="(' + _G + r')" tp="4"'
        + names(1024) + _closed("mt") + r"</nd>"
    )  # fmt: skip
    values = "((?:" + re.sub(r"\((?!\?)", "(?:", value) + ")*)"
    e = (
        r'<e(?: emt="1")? ei="([^"\x3c]*)"(?: emt="1")?(?: art="[^"\x3c]*")?( disp_n="[^"\x3c]*")?'
        r'(?: disp_id="[^"\x3c]*")?' + _closed("e")
        if carried
        else r'<e ei="([^"\x3c]*)"(?: emt="1")?(?: art="[^"\x3c]*")?( disp_n="[^"\x3c]*")?'
        + _closed("e")
    )
    token = (
        # 1: an And/Or/Not branch opens; 2: a branch closes with its <op>
        r'(<nd et="14" nt="4" dmt="1" ' + nd_end + ")"
        r'|<op fnt="(\d+)"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
        + r"</nd>"
        # 3-8: a metric qualification (id, names, values, fnt, rank/percent properties)
        r'|<nd et="10" nt="4" dmt="7" ' + nd_end + r'<nd et="[01]" nt="5" dmt="1" '
        + nd_end + r'<mt did="(' + _G + r')" tp="4"' + names(1024) + _closed("mt")
        + r"</nd>" + values + _OP
        + r'(?:<prs>(?:<pr ix="4" v="(-1|0)"' + _closed("pr") + r')?<pr ix="5" v="(-1|0)"'
        + _closed("pr") + r"</prs>)?</nd>"
        # 9-15: a form qualification (et, attribute id and names, form id and names,
        # values, fnt)
        r'|<nd et="(2|6)" nt="4" dmt="1" ' + nd_end + r'<nd et="[01]" nt="1" dmt="1" '
        + shortcut_end + r'<at did="(' + _G + r')" tp="12"' + names(3072) + _closed("at")
        + r'<fm did="(' + _G + r')" tp="21"' + names(5376) + _closed("fm") + r"</nd>"
        + values + _OP
        + r"</nd>"
        # 16-21: an element list (attribute id and names, the list's source and its
        # names, the <e>s, fnt)
        r'|<nd et="5" nt="4" dmt="1" ' + nd_end + r'<nd et="[01]" nt="5" dmt="1" '
        + nd_end + r'<at did="(' + _G + r')" tp="12"' + names(3072) + _closed("at")
        + r'</nd><nd et="[01]" nt="2" dmt="1" ' + nd_end + r'<mi><es>(?:<at did="('
        + _G + r')" tp="12"' + names(3072) + _closed("at") + r")?"
        r"((?:" + re.sub(r"\((?!\?)", "(?:", e) + r")+)</es></mi></nd>"
        r'<op fnt="(22|57)"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
        + r"</nd>"
    )  # fmt: skip
    return token, value, e


_TOKEN_PATTERN, _VALUE, _E = _patterns(carried=True)
_TOKEN = re.compile(_TOKEN_PATTERN)
_VALUE_ITEM = re.compile(_VALUE)
_TOKEN_SPACED = re.compile(_indentable(_TOKEN_PATTERN))
_VALUE_ITEM_SPACED = re.compile(_indentable(_VALUE))
_E_ITEM = re.compile(_E)
_PLAIN_PATTERN = _patterns(carried=False)[0]
_PLAIN = re.compile(_PLAIN_PATTERN)
_PLAIN_SPACED = re.compile(_indentable(_PLAIN_PATTERN))
# Signs that the walk certainly refuses an <exp> the patterns did not take, found in one
# search of the same serialisation: a walk that succeeds reads every element and checks
# its tag against the one it expects there (none of them outside this set), every node's
# et against the types it maps and every reference's tp against its tag's type (values
# stripped: one with a space or a reference, &, is left to the walk).  Comments and
# processing instructions (<! <?), which the decoders' parser removed, are left to it too.
_OUTSIDE = re.compile(
    r"<(?![/!?])(?!(?:exp|nd|op|prs|pr|mt|at|fm|cst|mi|es|e)[ />])"
    r'|<nd et="(?!(?:[01256]|10|14)")[^"&\s]*"'
    r'|<at\b[^>]* tp="(?!12")[^"&\s]*"'
    r'|<mt\b[^>]* tp="(?!4")[^"&\s]*"'
    r'|<fm\b[^>]* tp="(?!21")[^"&\s]*"'
)
_HEAD = re.compile(r'<exp(?: nc="[^"\x3c]*")?>([^<]*)')
_END = "</exp>"
_SCAN = True  # False reads every <exp> by the walk (the tests compare the two)
_SCAN_DEPTH = 32  # deeper trees are left to the walk, which says where MAX_DEPTH is passed
_TIME_OF_DDT = {d: t for d, t in _TYPE_OF_DDT.items() if t.is_temporal}
_BIG_OF_DDT = {d: t for d, t in _TYPE_OF_DDT.items() if t is DataType.BIG_DECIMAL}
# Names and arities looked up once: an enum member's .value is a descriptor call.
_CST_NAME_OF_DDT = {d: t.value for d, t in _CST_TYPE_OF_DDT.items()}
_TIME_NAME_OF_DDT = {d: t.value for d, t in _TIME_OF_DDT.items()}
_BIG_NAME_OF_DDT = {d: t.value for d, t in _BIG_OF_DDT.items()}
_LOGICAL_OF_FNT = {f: (op.value, op is _NOT) for f, op in _OPERATOR_OF_FNT.items() if op in LOGICAL}
_METRIC_OF_FNT = {
    f: (op.value, op.arity) for f, op in _OPERATOR_OF_FNT.items() if op in METRIC_OPERATORS
}
_FORM_OF_FNT = {
    f: (op.value, op.arity) for f, op in _OPERATOR_OF_FNT.items() if op in FORM_OPERATORS
}
_LISTS = frozenset(op.value for op in _LIST_OPERATORS)
_RANKING_OF = {
    (fnt, ascending, kind): (op.value, op.arity)
    for (fnt, ascending), name in _MRP_OF.items()
    for kind, prefix in ((_RANK_V, "Rank."), (_PERCENT_V, "Percent."))
    if (op := Operator(prefix + name)) in METRIC_OPERATORS
}

# The scan writes REST's JSON tree (what expression_json.dumps writes of the typed nodes)
# straight from the matches; _typed builds the typed nodes of such a tree.  A form's
# In/NotIn list whose constants have different data types has no REST spelling (one
# 'constants' operand has one dataType), so the scan leaves it to the walk.
#
# A qualification that matches a pattern but whose operator, arity or data type the
# walk (or the model it builds) refuses is _KEPT: every part of such a match is read by
# the walk with the meaning the scan gives it (see above), and a walk that succeeds reads
# every node of the tree, so the walk certainly fails and answer() keeps the <exp>
# verbatim.  Anything less certain (a pattern that does not match at all) is None.


class _Kept:
    """The scan's verdict on an ``<exp>`` that :func:`answer` certainly keeps verbatim."""

    __slots__ = ()


_KEPT = _Kept()
_Scanned = tuple[dict[str, Any], "str | None"]


def _scan_text(text: str) -> _Scanned | _Kept | None:
    """REST's tree and the display text of an ``<exp>``'s serialisation, or None (not
    of the usual shapes: the walk decides), or :data:`_KEPT` (see above)."""
    head = _HEAD.match(text)
    if head is None or not text.endswith(_END):
        return None
    spaced = _spaced(text)
    end = len(text) - len(_END)
    if spaced:
        end = len(text[:end].rstrip(" \t\n"))
    pos = head.end()
    try:
        # The plain patterns first; the ones with what real answers carry where they fail
        # (each takes only what the walk reads with the meaning the scan gives it).
        tree = _tokens(text, pos, end, (_PLAIN_SPACED if spaced else _PLAIN).match)
        if tree is None:
            tree = _tokens(text, pos, end, (_TOKEN_SPACED if spaced else _TOKEN).match)
    except _Refused:
        return _KEPT
    if tree is None or tree is _KEPT:
        return tree
    content = head[1]
    if "&" in content:
        content = _unescape(content)  # before the test: a lone CR is written &#13;
    return tree, content if content and not content.isspace() else None  # type: ignore[return-value]


def _tokens(
    text: str, pos: int, end: int, match: Callable[[str, int], re.Match[str] | None]
) -> dict[str, Any] | _Kept | None:
    """The tree of the tokens of ``text[pos:end]`` (see _scan_text)."""
    stack: list[list[dict[str, Any]]] = []
    top: list[dict[str, Any]] = []
    while pos < end:
        if top and not stack:
            return None  # a second node after the first: the walk says so
        found = match(text, pos)
        if found is None:
            return None
        pos = found.end()
        # The alternative that matched, by its last group (see _TOKEN)
        last = found.lastindex
        node: dict[str, Any] | _Kept | None
        if last == 1:
            if len(stack) >= _SCAN_DEPTH:
                return None
            stack.append(top)
            top = []
            continue
        if last == 2:
            if not stack:
                return None
            logical = _LOGICAL_OF_FNT.get(found[2])
            count = len(top)
            if logical is None or not count or (logical[1] and count != 1):
                # _branch: an unknown function or one not And/Or/Not, or the model's
                # Logical: no operand, or a Not of several
                return _KEPT
            node = {"operator": logical[0], "operands": top}
            top = stack.pop()
        elif last <= 8:  # type: ignore[operator]  # a match has a last group here
            node = _scanned_metric(found)
        elif last <= 15:  # type: ignore[operator]
            node = _scanned_form(found)
        else:
            node = _scanned_elements(found)
        if node is None or node is _KEPT:
            return node
        top.append(node)  # type: ignore[arg-type]  # a tree node here
    if stack or len(top) != 1:
        return None
    return top[0]


def _unescape(text: str) -> str:
    """``html.unescape`` of text lxml serialised, whose only references are the seven it
    writes (& < > " and tab, LF, CR): a few C-level replaces, where html.unescape calls
    back into Python for every reference.  Any other reference goes to html.unescape."""
    plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    if "&#" in plain:
        plain = plain.replace("&#10;", "\n").replace("&#13;", "\r").replace("&#9;", "\t")
    if plain.count("&") != plain.count("&amp;"):
        return html.unescape(text)  # not lxml's spelling: the general rule
    return plain.replace("&amp;", "&")


class _Refused(Exception):
    """A reference the walk's _ref refuses (two different names): the <exp> is _KEPT."""


def _ref_json(kind: str | None, id: str, names: str | None) -> dict[str, Any]:
    # names: ' n="…"', ' disp_n="…"' or both, as captured (_names), or "" / None when
    # absent.  With both, _ref takes them only when they are the same (the same text
    # serialised is the same text); the name is n's, else disp_n's.
    item = {"id": id} if kind is None else {"type": kind, "id": id}
    if names:
        if names[1] == "d":
            name = names[9:-1]  # ' disp_n="…"'
        else:
            name = names[4:-1]  # ' n="…"', or ' n="…" disp_n="…"' (a value holds no '"')
            if '"' in name:
                name, _, other = name.partition('" disp_n="')
                if other != name:
                    raise _Refused
        item["name"] = _unescape(name) if "&" in name else name
    return item


def _scanned_values(run: str, metrics: bool) -> list[dict[str, Any]] | _Kept:
    # Every refusal here is the walk's _value's: a data type it does not map, a node type
    # and data type that disagree, a metric where a form qualification's constant belongs.
    values: list[dict[str, Any]] = []
    append = values.append
    items = (_VALUE_ITEM_SPACED if _spaced(run) else _VALUE_ITEM).findall(run)
    for cst_ddt, cst, nt, ddt, bare, metric_id, metric_name in items:
        if cst_ddt:
            data_type = _CST_NAME_OF_DDT.get(cst_ddt)
            value = cst
        elif nt:
            data_type = (_TIME_NAME_OF_DDT if nt == _NT_TIME else _BIG_NAME_OF_DDT).get(ddt)
            value = bare
        else:
            if not metrics:
                return _KEPT  # a metric where a form qualification's constant belongs
            append(_ref_json("metric", metric_id, metric_name))
            continue
        if data_type is None:
            return _KEPT
        if "&" in value:
            value = _unescape(value)
        append({"type": "constant", "dataType": data_type, "value": value})
    return values


def _fits(operator: tuple[str, int | None] | None, count: int) -> bool:
    # a known operator (its name and arity), given as many values as it compares with
    if operator is None:
        return False
    arity = operator[1]
    return count >= 1 if arity is None else count == arity


def _scanned_metric(found: re.Match[str]) -> dict[str, Any] | _Kept:
    metric_id, metric_name, run, fnt, ascending, kind = found.group(3, 4, 5, 6, 7, 8)
    values = _scanned_values(run, metrics=True)
    if values is _KEPT:
        return _KEPT
    assert type(values) is list
    if kind is None:
        operator = _METRIC_OF_FNT.get(fnt)
    else:
        operator = _RANKING_OF.get((fnt, ascending, kind))
        if any(v["type"] != "constant" for v in values):
            return _KEPT  # a rank or percent of a metric: the model refuses it
    if operator is None or not _fits(operator, len(values)):
        # _function or _ranking (no such function), or the model (not a metric operator,
        # or not as many values as it compares with)
        return _KEPT
    values.insert(0, _ref_json("metric", metric_id, metric_name))
    return {"operator": operator[0], "operands": values}


def _scanned_form(found: re.Match[str]) -> dict[str, Any] | _Kept | None:
    et, attribute_id, attribute_name, form_id, form_name, run, fnt = found.group(
        9, 10, 11, 12, 13, 14, 15
    )
    operator = _FORM_OF_FNT.get(fnt)
    if operator is None or (et == _ET_FORM_LIST and operator[0] not in _LISTS):
        return _KEPT  # _function, _form (et 6 without In/NotIn) or the model
    values = _scanned_values(run, metrics=False)
    if values is _KEPT or not _fits(operator, len(values)):  # type: ignore[arg-type]
        return _KEPT
    assert type(values) is list
    subject = {
        "type": "form",
        "attribute": _ref_json(None, attribute_id, attribute_name),
        "form": _ref_json(None, form_id, form_name),
    }
    if operator[0] in _LISTS:
        data_type = values[0]["dataType"]
        if any(v["dataType"] != data_type for v in values):
            return None  # no REST spelling: the typed path (the walk) reads and refuses it
        constants = {
            "type": "constants",
            "dataType": data_type,
            "values": [v["value"] for v in values],
        }
        return {"operator": operator[0], "operands": [subject, constants]}
    values.insert(0, subject)
    return {"operator": operator[0], "operands": values}


def _scanned_elements(found: re.Match[str]) -> dict[str, Any] | _Kept | None:
    attribute_id, attribute_name, source, names, run, fnt = found.group(16, 17, 18, 19, 20, 21)
    if source is not None:
        if source.upper() != attribute_id.upper():
            return _KEPT  # _elements: the list names another attribute
        if names:
            _ref_json(None, source, names)  # _ref: two different names are refused
    items = _E_ITEM.findall(run)
    # Plain IDs of this very attribute, as xml's element rows check them: each is
    # "ATTRIBUTE:key", the key without escapes or character references, which "\0"
    # (never in XML) proves.
    joined = "\0" + "\0".join(ei for ei, _ in items)
    if (
        joined.count("\0" + attribute_id + ":") != len(items)
        or not plain_keys(joined)
        or "&" in joined
    ):
        return None
    cut = len(attribute_id) + 1
    suffix = plain_terse_ids(attribute_id, [""])[0][1:]  # ";ATTRIBUTE"
    elements: list[dict[str, str]] = []
    append = elements.append
    for ei, name in items:
        if name:
            name = name[9:-1]  # ' disp_n="…"'
            if "&" in name:
                name = _unescape(name)
            append({"id": "h" + ei[cut:] + suffix, "name": name})
        else:
            append({"id": "h" + ei[cut:] + suffix})
    return {
        "operator": "In" if fnt == "22" else "NotIn",
        "operands": [
            _ref_json("attribute", attribute_id, attribute_name),
            {"type": "elements", "elements": elements},
        ],
    }


def _scan(root: etree._Element) -> tuple[Expression, str | None] | None:
    """The walk's result for an ``<exp>`` of the usual shapes, or None (see above)."""
    if not _SCAN:
        return None
    scanned = _scan_text(etree.tostring(root, encoding="unicode", with_tail=False))
    if type(scanned) is not tuple:
        return None  # the walk reads it, and says what is outside the table
    return _typed(scanned[0]), scanned[1]


_OPERATOR_OF_NAME = {operator.value: operator for operator in Operator}
_DATA_TYPE_OF_NAME = {data_type.value: data_type for data_type in DataType}


def _typed(tree: dict[str, Any]) -> Expression:
    """The typed nodes of a tree _scan_text wrote (never another), by the builders."""
    operator = _OPERATOR_OF_NAME[tree["operator"]]
    operands = tree["operands"]
    if operator in LOGICAL:
        return _logical(operator, tuple(_typed(node) for node in operands))
    subject = operands[0]
    kind = subject["type"]
    if kind == "metric":
        return _metric_qualification(
            _metric_named(subject["id"], subject.get("name")),
            operator,
            tuple(
                _metric_named(v["id"], v.get("name"))
                if v["type"] == "metric"
                else _constant(v["value"], _DATA_TYPE_OF_NAME[v["dataType"]])
                for v in operands[1:]
            ),
        )
    if kind == "form":
        attribute, form = subject["attribute"], subject["form"]
        constants: tuple[Constant, ...]
        if operator in _LIST_OPERATORS:
            listed = operands[1]
            data_type = _DATA_TYPE_OF_NAME[listed["dataType"]]
            constants = tuple(_constant(value, data_type) for value in listed["values"])
        else:
            constants = tuple(
                _constant(v["value"], _DATA_TYPE_OF_NAME[v["dataType"]]) for v in operands[1:]
            )
        return _form_qualification(
            _form_ref(
                _attribute(attribute["id"], attribute.get("name")), form["id"], form.get("name")
            ),
            operator,
            constants,
        )
    attribute_id = subject["id"]
    cut = -len(attribute_id) - 1  # "h{key};ATTRIBUTE"
    return _element_qualification(
        _attribute(attribute_id, subject.get("name")),
        operator,
        tuple(
            Element.of(plain_element_id(attribute_id, e["id"][1:cut]), e.get("name"))
            for e in operands[1]["elements"]
        ),
    )


class _Answers:
    """An expression row's REST ``answers`` object: the scan's, given once, then written
    anew from the ``<exp>`` text at each call, so that no two callers share a tree."""

    __slots__ = ("_first", "_text")

    def __init__(self, first: dict[str, Any] | None, text: str) -> None:
        self._first = [] if first is None else [first]  # list.pop: one caller gets it
        self._text = text

    def __call__(self) -> dict[str, Any]:
        if self._first:
            try:
                return self._first.pop()
            except IndexError:  # pragma: no cover - another thread took it meanwhile
                pass
        scanned = _scan_text(self._text)
        assert type(scanned) is tuple  # it was scanned when the row was made
        return _answers_json(*scanned)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Answers, (None, self._text))


def _answers_json(tree: dict[str, Any], content: str | None) -> dict[str, Any]:
    return {"expression": tree} if content is None else {"content": content, "expression": tree}


def _scanned_answer(text: str, key: str) -> ExpressionAnswer:
    """The answer of a scanned row (``scan_row``): what :func:`answer` gives for it."""
    scanned = _scan_text(text)
    assert type(scanned) is tuple  # it was scanned when the row was made
    return _typed_answer(key, _typed(scanned[0]), scanned[1])


def _typed_answer(key: str, tree: Expression, content: str | None) -> ExpressionAnswer:
    # What answer() builds for a typed tree answering a key: checked parts, no validation.
    prompt = build(PromptRef, {"key": key, "id": None, "name": None, "position": None})
    return build(
        ExpressionAnswer,
        {
            "prompt": prompt,
            "kind": "expression",
            "xml": None,
            "expression": tree,
            "content": content,
        },
    )


def _walked_answers(tree: Expression, content: str | None) -> dict[str, Any]:
    """REST's ``answers`` of a typed tree the walk read (a new object at each call)."""
    return _answers_json(expression_json.dumps(tree), content)


def _given(answer: ExpressionAnswer) -> ExpressionAnswer:
    return answer  # a frozen model: every reader may share it


def _verbatim_answers(text: str) -> dict[str, Any]:
    """REST's ``answers`` of an ``<exp>`` kept verbatim: the text lxml wrote of it."""
    return {"xml": text}


def _verbatim_answer(text: str, key: str) -> ExpressionAnswer:
    """What :func:`answer` gives for a non-empty ``<exp>`` outside the table, of
    ``text``, lxml's serialisation of the parsed element (safexml.serialize): nothing
    for the model's validation or REST's check of stored text to refuse."""
    prompt = build(PromptRef, {"key": key, "id": None, "name": None, "position": None})
    return build(
        ExpressionAnswer,
        {"prompt": prompt, "kind": "expression", "xml": text, "expression": None, "content": None},
    )


def _typed_row(text: str, key: str, scanned: tuple[Any, ...]) -> Row:
    """The expression row of an ``<exp>`` the scan read (``scanned``), for scan_row and
    scan_text_row alike: REST's answers from the matches, the answer built on read."""
    return (
        EXPRESSION_ROW,
        key,
        _Answers(_answers_json(*scanned), text),
        partial(_scanned_answer, text, key),
    )


def scan_row(exp: etree._Element, key: str) -> Row | None:
    """The expression row (:data:`~mstr_prompts.row_kinds.EXPRESSION_ROW`) of a
    non-empty ``<exp>`` answering prompt ``key``: what :func:`answer` gives for it, read
    once and built only when asked for.  None for an empty ``<exp>`` (it closes the
    prompt) and for the rare tree that reads as typed but has no REST spelling or
    display text the model takes as it is; the caller then calls :func:`answer`.

    The row's third part gives REST's ``answers`` object (a new one at each call), and
    its fourth builds the answer :func:`answer` gives, for any reader other than REST's
    writer.  The usual shapes are read by one scan of lxml's serialisation; the others
    by the walk, once; an ``<exp>`` outside the case table gives ``{"xml": text}``, its
    text as lxml wrote it, which nothing parses again.

    >>> exp = safexml.parse('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" '
    ...   'dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" '
    ...   'nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
    >>> row = scan_row(exp, "K@0@10")
    >>> row[2]()["expression"]["operands"][1]
    {'type': 'constant', 'dataType': 'Real', 'value': '10'}
    >>> row[3]() == answer(exp, prompt=PromptRef(key="K@0@10"))
    True
    >>> outside = safexml.parse('<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>')
    >>> scan_row(outside, "K@0@10")[2]()
    {'xml': '<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>'}
    """
    if not _SCAN:
        return None
    text = etree.tostring(exp, encoding="unicode", with_tail=False)
    scanned = _scan_text(text)  # None for an empty <exp> or another element (_HEAD)
    if type(scanned) is tuple:
        return _typed_row(text, key, scanned)
    if scanned is None:
        if exp.tag != "exp" or is_empty(exp):
            return None  # answer() refuses the one, and the other closes the prompt
        if _OUTSIDE.search(text) is not None:
            scanned = _KEPT
    if scanned is None:
        # Not of the usual shapes: the walk, once, as answer() would read it.
        try:
            tree, content = _exp(exp)
        except (_Outside, NotRepresentableError):
            pass  # outside the table: kept verbatim
        else:
            if not _name_ok(content):
                return None  # pragma: no cover - text lxml parsed always passes
            answers = partial(_walked_answers, tree, content)
            try:
                answers()
            except NotRepresentableError:
                return None  # REST's writer names the answer in its refusal: answer()
            made = partial(_given, _typed_answer(key, tree, content))
            return (EXPRESSION_ROW, key, answers, made)
    return (
        EXPRESSION_ROW,
        key,
        partial(_verbatim_answers, text),
        partial(_verbatim_answer, text, key),
    )


# A raw text's attribute value holding a tab or a line feed, which the parser normalises
# to spaces (so that the value lxml serialises differs): only the start of a value is
# sought, `="`, never the attribute's name.
_RAW_BREAK_IN_VALUE = re.compile(r'="[^"\t\n]*[\t\n]')
# An empty element written as a pair, <op fnt="22"></op> (what Web's DHTML builder writes,
# and dumps): lxml reads it as an element with no text and writes it self-closed.  Only
# the spelling lxml writes of a start tag with attributes (single spaces, double quotes:
# it ends in '"'); anything else stays as it is, and the patterns refuse it.
_EMPTY_PAIR = re.compile(r'<([A-Za-z_][A-Za-z0-9_.\-]*)( [^<>]*")></\1>')
# The one attribute the patterns take twice (<e emt="1" ei="…" emt="1"/>, the two
# places writers put it): twice in one tag, the parser refuses the document.
_TWO_EMT = re.compile(r'<e emt="1" ei="[^"]*" emt=')


def scan_text_row(text: str, key: str) -> Row | None:
    """The expression row :func:`scan_row` gives for an ``<exp>`` of the usual shapes,
    read from the element's text as it stands in a document, without parsing it; None
    when that text does not show it is one (the caller then calls :func:`scan_row` with
    the parsed element).

    ``text`` must be the raw text of one ``<exp>`` element, from its ``<exp`` to its
    ``</exp>``, in which every character is an XML Char, every ``&`` starts a reference
    XML defines (its five entities, character references to a Char) and no namespace is
    in scope: what the caller checks of the document (no parse does it here).  Within
    that, every text the scan takes reads the same as lxml's serialisation of the
    element would: an empty element written as a pair (``<op fnt="22"></op>``, as Web's
    DHTML builder writes it) is read as the self-closed one lxml writes, indentation
    between nodes is kept as lxml keeps it, and the scan refuses a carriage return (line
    ends are normalised), a tab or line feed inside a quoted value (normalised to
    spaces), character references other than tab, LF and CR (HTML's rules for the others
    are not XML's), and any spelling of a tag but lxml's (double quotes, single spaces
    between attributes).  An ``<exp>`` the scan certainly keeps verbatim gives
    ``{"xml": text}`` only when its text is exactly what lxml writes of it (tags in
    lxml's spelling, references only ``&lt; &gt; &amp;``), checked well-formed here.

    >>> row = scan_text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" '
    ...   'dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"></mt></nd>'
    ...   '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"></op>'
    ...   '</nd></exp>', "K@0@10")
    >>> row[2]()["expression"]["operator"], row[3]().typed
    ('Greater', True)
    >>> scan_text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"></nd></exp>', "K@0@10") is None
    True
    """
    if (
        not _SCAN
        or "\r" in text
        or ("&#" in text and _unlisted_references(text))
        or (("\n" in text or "\t" in text) and _RAW_BREAK_IN_VALUE.search(text) is not None)
    ):
        return None
    if '<e emt="1" ei="' in text and _TWO_EMT.search(text) is not None:
        return None
    scanned = _scan_text(text)  # the patterns take empty elements self-closed or paired
    if type(scanned) is tuple:
        return _typed_row(text, key, scanned)
    if '"></' in text:
        text = _EMPTY_PAIR.sub(r"<\1\2/>", text)  # lxml writes these self-closed
    if (scanned is _KEPT or _OUTSIDE.search(text) is not None) and _as_lxml_writes(text):
        # scan_row's verdict on the element, whose serialisation is this very text
        return (
            EXPRESSION_ROW,
            key,
            partial(_verbatim_answers, text),
            partial(_verbatim_answer, text, key),
        )
    return None


# A tag as lxml writes it: a name, then each attribute after one space, in double quotes.
# Names as the document reader takes them (ASCII, no ':': no namespace prefix).
_WRITTEN_TAG = re.compile(
    r'<(/?)([A-Za-z_][A-Za-z0-9_.\-]*)((?: [A-Za-z_][A-Za-z0-9_.\-]*="[^"<>]*")*)(/?)>'
)
_WRITTEN_NAME = re.compile(r' ([A-Za-z_][A-Za-z0-9_.\-]*)="[^"<>]*"')


def _as_lxml_writes(text: str) -> bool:
    """True when ``text`` (an ``<exp>``'s, as scan_text_row's caller checked it) is
    well-formed and exactly what lxml writes of the element it parses to: every tag in
    lxml's spelling (empty elements self-closed already), the tags nested, no attribute
    twice, no '>' but the tags' own, and no reference but the three lxml writes in text
    and values alike (&lt; &gt; &amp;).  Anything else is left to the parser."""
    if (
        not text.startswith("<exp")
        or text.count("<") != text.count(">")
        or text.count("&") != text.count("&lt;") + text.count("&gt;") + text.count("&amp;")
    ):
        return False
    # The tags alone decide the rest: with no '<' or '>' in them, values and text can be
    # blanked (two C-level passes), and the verdict on the tags kept for the next <exp>
    # of the same shape (a document's verbatim expressions are usually a few shapes).
    shape = _TEXT_BETWEEN.sub("><", _QUOTED.sub('""', text))
    verdict = _WRITTEN_SHAPES.get(shape)
    if verdict is None:
        verdict = _written_tags(shape)
        if len(_WRITTEN_SHAPES) < _MAX_SHAPES:
            _WRITTEN_SHAPES[shape] = verdict
    return verdict


_QUOTED = re.compile(r'"[^"<>]*"')
_TEXT_BETWEEN = re.compile(r">[^<>]+<")
_WRITTEN_SHAPES: dict[str, bool] = {}
_MAX_SHAPES = 256  # verdicts remembered: the shapes come from the input


def _written_tags(shape: str) -> bool:
    # _as_lxml_writes's check of the tags: each one '<' and one '>', in lxml's spelling,
    # nested under one root, no attribute twice
    tags = _WRITTEN_TAG.findall(shape)
    if len(tags) != shape.count("<"):
        return False
    open_tags: list[str] = []
    for index, (slash, name, attributes, empty) in enumerate(tags):
        if index and not open_tags:
            return False  # a second element after the root
        if slash:
            if attributes or empty or not open_tags or open_tags.pop() != name:
                return False
            continue
        if attributes.count('="') > 1:
            names = _WRITTEN_NAME.findall(attributes)
            if len(set(names)) != len(names):
                return False  # §3.1: the parser refuses it
        if not empty:
            open_tags.append(name)
    return not open_tags


def _unlisted_references(text: str) -> bool:
    # a character reference other than the three lxml writes itself
    listed = text.count("&#9;") + text.count("&#10;") + text.count("&#13;")
    return text.count("&#") != listed


# --- writing -------------------------------------------------------------------------


class _Writer(codes.ExpWriter):
    """Writes a typed tree through expression_codes' writer (the rules REST's JSON trees
    are written by too: expression_plain.exp_element)."""

    def node(self, parent: etree._Element, expression: Expression) -> None:
        if isinstance(expression, Logical):
            self.logical(parent, expression.operator, expression.operands, self.node)
        elif isinstance(expression, FormQualification):
            form = expression.form
            self.form(
                parent,
                expression.operator,
                (form.attribute.id, form.attribute.name),
                (form.id, form.name),
                ((constant.value, constant.data_type) for constant in expression.values),
            )
        elif isinstance(expression, ElementQualification):
            attribute = expression.attribute
            self.elements(
                parent,
                expression.operator,
                (attribute.id, attribute.name),
                (
                    (*element_ei(element, number), element.name)
                    for number, element in enumerate(expression.elements, start=1)
                ),
            )
        else:
            metric = expression.metric
            self.metric(
                parent,
                expression.operator,
                metric.id,
                metric.name,
                (
                    (value.id, value.name)
                    if isinstance(value, MetricRef)
                    else (value.value, value.data_type)
                    for value in expression.values
                ),
            )


def element_ei(element: Element, number: int) -> tuple[str, int]:
    """The ``ei`` text of an ``<e>`` and its arity (``art``): one rule for every ``<e>``.

    ``ei`` is the old short ``ATTR:key`` form, the only one seen in answers
    (docs/element-ids.md), and the arity is the number of key parts.  Element prompts'
    ``<mi><es>`` and element-list qualifications write elements the same way.  An element
    that has no ``ei`` (no ID, an ID of another or unknown structure, no attribute) raises
    :class:`~mstr_prompts.errors.NotRepresentableError` naming it by ``number``.

    >>> from mstr_prompts.element_id import ElementId
    >>> element_id = ElementId.parse("8D679D3711D3E4981000E787EC6DE8A4:1")
    >>> element_ei(Element(id=element_id), 1)
    ('8D679D3711D3E4981000E787EC6DE8A4:1', 1)
    """
    element_id = element.id
    if element_id is None:
        raise NotRepresentableError(
            f"element #{number} ({element.name!r}) has a name but no ID; <e ei=…> needs the ID",
            target="xml",
            hint="look the element up (GET …/elements) to get its ID",
        )
    if isinstance(element_id, OpaqueElementId):
        if element_id.presentation is not Presentation.OLD_SHORT:
            raise NotRepresentableError(
                f"element #{number} has ID {element_id.text!r} of undocumented structure, "
                "which is not in the old short ATTR:key form that <e ei=…> uses",
                target="xml",
            )
        text = element_id.text
        # mojo getElementArity: the count of unescaped ':'.
        return text, text.count(":") - text.count("*:")
    if element_id.attribute is None:
        raise NotRepresentableError(
            f"element #{number} (h{element_id.key}) has no attribute",
            target="xml",
            hint=Hint("give ElementAnswer.attribute", cli=False),
        )
    return element_id.to_old_short(), len(element_id.keys)


def to_element(expression: Expression, content: str | None = None) -> etree._Element:
    """The ``<exp>`` element of a typed expression, with ``content`` as its display text.

    >>> from mstr_prompts.expressions import metric, qualify
    >>> to_element(qualify(metric("4C05177011D3E877C000B3B2D86C964F"), "IsNull"))[0].get("et")
    '10'
    """
    writer = _Writer()
    root = etree.Element("exp")
    writer.text(root, content or "")
    writer.node(root, expression)
    return root


def dumps(expression: Expression, content: str | None = None) -> str:
    """Write a typed expression as ``<exp>`` XML (the DHTML builder's spelling).

    >>> from mstr_prompts.expressions import metric, qualify
    >>> print(dumps(qualify(metric("4C05177011D3E877C000B3B2D86C964F", "Revenue"), ">", 10)))
    <exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4" n="Revenue"></mt></nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"></op></nd></exp>
    """
    return etree.tostring(to_element(expression, content), encoding="unicode")


def stored(
    text: str | etree._Element, tag: str, *, where: str | None = None, empty: bool = True
) -> etree._Element:
    """Parse an answer's stored XML, which must be exactly one ``<tag>`` element.

    Raises :class:`~mstr_prompts.errors.DecodeError` for text that is not XML (the
    limits of :mod:`~mstr_prompts.safexml` apply), has another root, or (with
    ``empty=False``, what an encoder asks) is an empty element (:func:`is_empty`), which
    would close the prompt instead of answering it.

    >>> stored("<dmy><x/></dmy>", "dmy").tag
    'dmy'
    """
    where = where or f"<{tag}> xml"
    root = safexml.parse(text, where=where) if isinstance(text, str) else text
    if root.tag != tag:
        found = root.tag if isinstance(root.tag, str) else "?"
        raise DecodeError(f"the xml must be a <{tag}> element, not <{found}>", where=where)
    if not empty and is_empty(root):
        raise DecodeError(
            f"an empty <{tag}> answers nothing; it would close the prompt", where=where
        )
    return root


def answer(
    exp: str | etree._Element,
    *,
    prompt: PromptRef | None = None,
    expression: Expression | Mapping[str, Any] | str | None = None,
    content: str | None = None,
    where: str = "<exp> xml",
) -> ExpressionAnswer:
    """An expression answer of its ``<exp>`` XML: typed when inside the case table.

    ``expression`` and ``content`` are what REST sends beside ``answers.xml`` (a typed
    tree, REST's JSON tree or its text).  When the XML reads as the same tree, with the
    same display text if both have one, the answer is that one typed tree; otherwise the
    XML is kept verbatim, in one spelling, beside the tree.  An empty ``<exp/>`` beside a
    tree says nothing and is dropped; alone it raises
    :class:`~mstr_prompts.errors.DecodeError` (closing the prompt is
    :class:`~mstr_prompts.model.Close`), as does text that is not one ``<exp>``.

    >>> a = answer('<exp>{Revenue} &gt; 10<nd et="10" nt="4" dmt="7" ddt="-1">'
    ...   '<nd et="1" nt="5" dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" '
    ...   'tp="4"/></nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd>'
    ...   '<op fnt="8"/></nd></exp>')
    >>> a.typed, a.xml, a.text
    (True, None, '{Revenue} > 10')
    """
    root: etree._Element | None = stored(exp, "exp", where=where)
    tree: Any = expression
    if isinstance(tree, (str, Mapping)):
        tree = expression_json.read(tree)
    xml: str | None = None
    assert root is not None
    if is_empty(root):
        if tree is None:
            raise DecodeError(
                "an empty <exp> answers nothing; an empty answer is Close(family=EXPRESSION)",
                where=where,
            )
        root = None  # an empty <exp> beside a tree says nothing
    if content is not None and (not content or content.isspace()):
        content = None  # the model's one spelling of "no display text"
    if root is not None and (tree is None or not isinstance(tree, Mapping)):
        try:
            typed, text = _scan(root) or _exp(root)
        except (_Outside, NotRepresentableError):
            pass  # outside the table: kept verbatim
        else:
            agrees = text is None or content is None or text == content
            if agrees and (tree is None or tree == typed):
                content = content if content is not None else text
                if (prompt is None or type(prompt) is PromptRef) and _name_ok(content):
                    # What the model's validation would leave as it is: a prompt, a
                    # typed tree (built checked) and checked display text.
                    return build(
                        ExpressionAnswer,
                        {
                            "prompt": prompt or PromptRef(),
                            "kind": "expression",
                            "xml": None,
                            "expression": typed,
                            "content": content,
                        },
                    )
                tree, root = typed, None
    if root is not None:
        xml = safexml.serialize(root)  # kept verbatim, in one spelling
    return ExpressionAnswer(prompt=prompt or PromptRef(), xml=xml, expression=tree, content=content)


def level_answer(
    dmy: str | etree._Element, *, prompt: PromptRef | None = None, where: str = "<dmy> xml"
) -> LevelAnswer:
    """A level answer of its ``<dmy>`` XML, checked and in one spelling.

    An empty ``<dmy/>`` raises :class:`~mstr_prompts.errors.DecodeError`: closing the
    prompt is :class:`~mstr_prompts.model.Close`.

    >>> level_answer('<dmy><dmyt n="Year"/></dmy>').xml
    '<dmy><dmyt n="Year"/></dmy>'
    """
    root = stored(dmy, "dmy", where=where)
    if is_empty(root):
        raise DecodeError(
            "an empty <dmy> answers nothing; an empty answer is Close(family=LEVEL)",
            where=where,
        )
    return LevelAnswer(prompt=prompt or PromptRef(), xml=safexml.serialize(root))
