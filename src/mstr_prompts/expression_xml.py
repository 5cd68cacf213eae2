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

import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from lxml import etree
from pydantic import ValidationError

from . import _expression_scan, expression_json, safexml
from . import expression_codes as codes
from ._expression_scan import KEPT as _KEPT
from ._expression_scan import OUTSIDE as _OUTSIDE
from ._expression_scan import is_empty as is_empty
from ._expression_scan import scan_text as _scan_text
from ._expression_scan import text_row, typed_row, verbatim_row
from ._trusted import build
from .element_id import (
    GUID_PATTERN,
    ElementId,
    OpaqueElementId,
    Presentation,
    parse_element_id,
    plain_element_id,
)
from .elements import Element
from .errors import DecodeError, Hint, NotRepresentableError, validation_message
from .expression_plain import answers_json
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
from .rules import display_text, is_text

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
    "text_answer",
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

# The function and data type numbers, both ways (docs/expressions.md row 9 for rank and
# percent): expression_codes', shared with the scan and the writers.
_OPERATOR_OF_FNT: dict[str, Operator] = codes.OPERATOR_OF_FNT
_RANKING_OF: dict[tuple[str, str | None, str], Operator] = codes.RANKING_OF
_RANK_V = codes.RANK_V
_PERCENT_V = codes.PERCENT_V
_TYPE_OF_DDT: dict[str, DataType] = codes.DATA_TYPE_OF_DDT
_CST_TYPE_OF_DDT: dict[str, DataType] = codes.CST_DATA_TYPE_OF_DDT
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
    return _node(children[0], 0), display_text(text)


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
    if operator in LOGICAL and operator.takes(count):
        return build(Logical, {"kind": "logical", "operator": operator, "operands": operands})
    return Logical(operator=operator, operands=operands)


def _form_qualification(
    form: FormRef, operator: Operator, values: tuple[Constant, ...]
) -> FormQualification:
    if operator in FORM_OPERATORS and operator.takes(len(values)):
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
        and operator.takes(len(values))
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
        if data_type is None or codes.node_type(data_type) != nt:
            raise _Outside(element, f"has node type {nt} with ddt={ddt}, which do not agree")
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
    operator = _RANKING_OF.get((fnt, ascending, kind))
    if operator is None:
        raise _Outside(prs, f"with fnt={fnt} is not one of the rank or percent operators")
    return operator


# --- the scan: the usual shapes read from the <exp>'s text -----------------------------
#
# The walk above reads each node through lxml (a proxy per element, a call per read) and
# checks it in Python: about 2 µs a node, most of an expression prompt's time.  An <exp>
# as the Web and mobile builders write it is a handful of fixed shapes, which
# mstr_prompts._expression_scan reads from lxml's own serialisation of the parsed element
# into REST's JSON tree, with no model class loaded (so that prompt-answer XML's readers
# make rows of them alone); _typed below turns such a tree into typed nodes through the
# builders above when a model is asked for.  tests/test_expression_scan.py holds both
# equal to the walk's over generated, respelled and mutated trees.


def _scan(root: etree._Element) -> tuple[Expression, str | None] | None:
    """The walk's result for an ``<exp>`` of the usual shapes, or None (see above)."""
    if not _expression_scan.SCAN:
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
    return answers_json(expression_json.dumps(tree), content)


def _given(answer: ExpressionAnswer) -> ExpressionAnswer:
    return answer  # a frozen model: every reader may share it


def _verbatim_answer(text: str, key: str) -> ExpressionAnswer:
    """What :func:`answer` gives for a non-empty ``<exp>`` outside the table, of
    ``text``, lxml's serialisation of the parsed element (safexml.serialize): nothing
    for the model's validation or REST's check of stored text to refuse."""
    prompt = build(PromptRef, {"key": key, "id": None, "name": None, "position": None})
    return build(
        ExpressionAnswer,
        {"prompt": prompt, "kind": "expression", "xml": text, "expression": None, "content": None},
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
    if not _expression_scan.SCAN:
        return None
    text = etree.tostring(exp, encoding="unicode", with_tail=False)
    scanned = _scan_text(text)  # None for an empty <exp> or another element (_HEAD)
    if type(scanned) is tuple:
        return typed_row(text, key, scanned, _scanned_answer)
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
    return verbatim_row(text, key, _verbatim_answer)


def text_answer(text: str, key: str) -> ExpressionAnswer:
    """What :func:`answer` gives for the ``<exp>`` lxml writes as ``text`` (of the usual
    shapes, or kept verbatim), answering prompt ``key``: the answer of an expression row
    a reader of prompt-answer XML made with no model (``mstr_prompts._expression_scan``),
    built when it is asked for.

    >>> text = ('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    ...   'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" '
    ...   'nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
    >>> text_answer(text, "K@0@10") == answer(text, prompt=PromptRef(key="K@0@10"))
    True
    """
    scanned = _scan_text(text)
    if type(scanned) is tuple:
        return _typed_answer(key, _typed(scanned[0]), scanned[1])
    return _verbatim_answer(text, key)


def scan_text_row(text: str, key: str) -> Row | None:
    """The expression row :func:`scan_row` gives for an ``<exp>`` of the usual shapes,
    read from the element's text as it stands in a document, without parsing it; None
    when that text does not show it is one (the caller then calls :func:`scan_row` with
    the parsed element).  What may be given, and what is read, is
    :func:`mstr_prompts._expression_scan.text_row`'s; the row's answer is built by
    :func:`text_answer`.

    >>> row = scan_text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" '
    ...   'dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"></mt></nd>'
    ...   '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"></op>'
    ...   '</nd></exp>', "K@0@10")
    >>> row[2]()["expression"]["operator"], row[3]().typed
    ('Greater', True)
    >>> scan_text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"></nd></exp>', "K@0@10") is None
    True
    """
    return text_row(text, key, text_answer)


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
    content = display_text(content)  # the model's one spelling of "no display text"
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
