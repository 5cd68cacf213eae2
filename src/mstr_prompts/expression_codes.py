"""The codes of MicroStrategy's expression XML (``<exp>``) and its one writer, with no model.

:mod:`mstr_prompts.expression_xml` reads and writes ``<exp>`` for typed
:mod:`~mstr_prompts.expressions` trees; the writer it uses is :class:`ExpWriter`, which
takes plain parts (IDs, names, values, operators), so that the same rules also write a
tree known only as REST's JSON (:func:`mstr_prompts.expression_plain.exp_element`)
without building a model.  The enumerations are EnumDSSXMLExpressionType (``et``),
EnumDSSXMLNodeType (``nt``), EnumDSSXMLNodeDimty (``dmt``), EnumDSSXMLDataType (``ddt``)
and EnumDSSXMLFunction (``fnt``), from MicroStrategy's Web SDK (docs/expressions.md,
"The mapping").

>>> from lxml import etree
>>> root = etree.Element("exp")
>>> ExpWriter().metric(root, Operator.IS_NULL, "4C05177011D3E877C000B3B2D86C964F", None, ())
>>> etree.tostring(root, encoding="unicode")[:41]
'<exp><nd et="10" nt="4" dmt="7" ddt="-1">'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from lxml import etree

from .errors import NotRepresentableError
from .expression_names import DataType, Operator

__all__ = [
    "CONCRETE_ELEMENT",
    "CST_DATA_TYPE_OF_DDT",
    "DATA_TYPE_OF_DDT",
    "DDT",
    "DDT_UNKNOWN",
    "DMT_METRIC",
    "DMT_NONE",
    "ET_BRANCH",
    "ET_ELEMENTS",
    "ET_FORM",
    "ET_FORM_LIST",
    "ET_GENERIC",
    "ET_METRIC",
    "FNT",
    "MRP",
    "NT_BIG_DECIMAL",
    "NT_CONSTANT",
    "NT_ELEMENTS",
    "NT_FORM_SHORTCUT",
    "NT_OPERATOR",
    "NT_SHORTCUT",
    "NT_TIME",
    "OPERATOR_OF_FNT",
    "PERCENT_V",
    "RANKING_OF",
    "RANK_V",
    "TP_ATTRIBUTE",
    "TP_FORM",
    "TP_METRIC",
    "ExpWriter",
    "MetricValue",
    "node_type",
]

# EnumDSSXMLExpressionType
ET_GENERIC = "1"
ET_FORM = "2"  # SingleBaseFormQual
ET_ELEMENTS = "5"  # ListQual
ET_FORM_LIST = "6"  # ListFormQual: DHTML's et for a form qualification with In/NotIn
ET_METRIC = "10"  # SingleMetricQual
ET_BRANCH = "14"  # BranchQual
# EnumDSSXMLNodeType
NT_FORM_SHORTCUT = "1"
NT_ELEMENTS = "2"
NT_CONSTANT = "3"
NT_OPERATOR = "4"
NT_SHORTCUT = "5"
NT_TIME = "6"
NT_BIG_DECIMAL = "10"
# EnumDSSXMLNodeDimty: 1 None, 7 Unspecified (what metric qualifications carry)
DMT_NONE = "1"
DMT_METRIC = "7"
DDT_UNKNOWN = "-1"
# EnumDSSXMLObjectTypes of the references (docs/xml.md)
TP_METRIC = "4"
TP_ATTRIBUTE = "12"
TP_FORM = "21"
CONCRETE_ELEMENT = "1"

FNT: dict[Operator, int] = {
    Operator.EQUALS: 6,
    Operator.NOT_EQUAL: 7,
    Operator.GREATER: 8,
    Operator.LESS: 9,
    Operator.GREATER_EQUAL: 10,
    Operator.LESS_EQUAL: 11,
    Operator.BETWEEN: 17,
    Operator.LIKE: 18,
    Operator.AND: 19,
    Operator.OR: 20,
    Operator.NOT: 21,
    Operator.IN: 22,
    Operator.NOT_LIKE: 43,
    Operator.NOT_BETWEEN: 44,
    Operator.IS_NULL: 54,
    Operator.IS_NOT_NULL: 55,
    Operator.NOT_IN: 57,
    Operator.CONTAINS: 76,
    Operator.BEGINS_WITH: 77,
    Operator.ENDS_WITH: 78,
    Operator.NOT_CONTAINS: 79,
    Operator.NOT_BEGINS_WITH: 80,
    Operator.NOT_ENDS_WITH: 81,
}
"""The EnumDSSXMLFunction number of each plain operator."""
OPERATOR_OF_FNT: dict[str, Operator] = {str(number): op for op, number in FNT.items()}
""":data:`FNT` read back: the operator of an ``fnt`` attribute's text.

>>> OPERATOR_OF_FNT["8"]
<Operator.GREATER: 'Greater'>
"""

# Rank and percent (docs/expressions.md row 9, from mojo WebOperatorNode.on_set_func):
# the MRP function is written as a plain function plus <pr ix="4"> (ascending, when it
# matters), then <pr ix="5"> says rank (-1) or percent (0).
MRP: dict[str, tuple[int, str | None]] = {
    "Top": (11, "0"),
    "Bottom": (11, "-1"),
    "Between": (17, "0"),
    "NotBetween": (44, "0"),
    "ExcludeTop": (8, "0"),
    "ExcludeBottom": (8, "-1"),
    "Equals": (6, None),
    "DifferentFrom": (7, None),
}
"""Each EnumWebMRPFunction name: its function number and ``<pr ix="4">`` (ascending)."""
RANK_V = "-1"
PERCENT_V = "0"
RANKING_OF: dict[tuple[str, str | None, str], Operator] = {
    (str(fnt), ascending, v): Operator(prefix + name)
    for name, (fnt, ascending) in MRP.items()
    for v, prefix in ((RANK_V, "Rank."), (PERCENT_V, "Percent."))
}
""":data:`MRP` read back: the ``Rank.*`` or ``Percent.*`` operator of an ``fnt``, its
``<pr ix="4">`` (None when absent) and its ``<pr ix="5">``.

>>> RANKING_OF[("11", "-1", PERCENT_V)]
<Operator.PERCENT_BOTTOM: 'Percent.Bottom'>
"""

DDT: dict[DataType, int] = {
    DataType.INTEGER: 1,
    DataType.UNSIGNED: 2,
    DataType.NUMERIC: 3,
    DataType.DECIMAL: 4,
    DataType.REAL: 5,
    DataType.DOUBLE: 6,
    DataType.FLOAT: 7,
    DataType.CHAR: 8,
    DataType.VAR_CHAR: 9,
    DataType.LONG_VAR_CHAR: 10,
    DataType.BINARY: 11,
    DataType.VAR_BIN: 12,
    DataType.LONG_VAR_BIN: 13,
    DataType.DATE: 14,
    DataType.TIME: 15,
    DataType.TIME_STAMP: 16,
    DataType.N_CHAR: 17,
    DataType.N_VAR_CHAR: 18,
    DataType.SHORT: 21,
    DataType.LONG: 22,
    DataType.MB_CHAR: 23,
    DataType.BOOL: 24,
    DataType.PATTERN: 25,
    DataType.N_PATTERN: 29,
    DataType.BIG_DECIMAL: 30,
    DataType.UTF8_CHAR: 33,
    DataType.INT64: 34,
}
"""The EnumDSSXMLDataType number of each data type."""
DATA_TYPE_OF_DDT: dict[str, DataType] = {str(number): t for t, number in DDT.items()}
""":data:`DDT` read back: the data type of a ``ddt`` attribute's text."""


def node_type(data_type: DataType) -> str:
    """The node type (``nt``) of a constant of ``data_type``: dates, times and big
    decimals have their own, bare text; every other constant is a ``<cst>`` in a node.

    >>> node_type(DataType.DATE), node_type(DataType.BIG_DECIMAL), node_type(DataType.REAL)
    ('6', '10', '3')
    """
    if data_type.is_temporal:
        return NT_TIME
    return NT_BIG_DECIMAL if data_type is DataType.BIG_DECIMAL else NT_CONSTANT


CST_DATA_TYPE_OF_DDT: dict[str, DataType] = {
    ddt: t for ddt, t in DATA_TYPE_OF_DDT.items() if node_type(t) == NT_CONSTANT
}
"""What a ``<cst>`` may carry: :data:`DATA_TYPE_OF_DDT` but for dates, times and big
decimals."""

MetricValue = tuple[str, "str | None"] | tuple[str, DataType]
"""A value a metric is compared with, for :meth:`ExpWriter.metric`: ``(id, name)`` of
another metric, or ``(text, data_type)`` of a constant (told apart by the second part's
type)."""

_Operand = TypeVar("_Operand")


class ExpWriter:
    """Writes ``<exp>`` nodes in the DHTML builder's spelling (elements never
    self-closed, attributes ``et nt dmt ddt`` in that order), turning lxml's refusal of a
    character into :class:`~mstr_prompts.errors.NotRepresentableError`.

    One method per kind of qualification, taking its plain parts: the typed writer
    (:func:`mstr_prompts.expression_xml.to_element`) and the writer of REST's JSON trees
    (:func:`mstr_prompts.expression_plain.exp_element`) both write through them.

    >>> root = etree.Element("exp")
    >>> ExpWriter().form(root, Operator.EQUALS, ("8D679D3711D3E4981000E787EC6DE8A4", None),
    ...     ("45C11FA478E745FEA08D781CEA190FE5", "ID"), [("1", DataType.REAL)])
    >>> root[0].get("et"), root[0][-1].get("fnt")
    ('2', '6')
    """

    def child(self, parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, tag)
        for name, value in attributes.items():
            self.set(element, name, value)
        element.text = ""  # never self-close, as Web's builder writes it
        return element

    def set(self, element: etree._Element, name: str, value: str) -> None:
        try:
            element.set(name, value)
        except ValueError:  # includes UnicodeEncodeError for lone surrogates
            raise NotRepresentableError(
                f"{name}={value!r} contains characters XML 1.0 cannot carry",
                target="xml",
                hint="remove control characters and lone surrogates",
            ) from None

    def text(self, element: etree._Element, text: str) -> None:
        try:
            element.text = text
        except ValueError:
            raise NotRepresentableError(
                f"the text {text!r} contains characters XML 1.0 cannot carry",
                target="xml",
                hint="remove control characters and lone surrogates",
            ) from None

    def nd(self, parent: etree._Element, et: str, nt: str, dmt: str, ddt: str) -> etree._Element:
        return self.child(parent, "nd", et=et, nt=nt, dmt=dmt, ddt=ddt)

    def ref(self, parent: etree._Element, tag: str, id: str, tp: str, name: str | None) -> None:
        element = self.child(parent, tag, did=id, tp=tp)
        if name is not None:
            self.set(element, "n", name)

    def constant(self, parent: etree._Element, value: str, data_type: DataType) -> None:
        ddt = str(DDT[data_type])
        nt = node_type(data_type)
        if nt != NT_CONSTANT:
            self.text(self.nd(parent, ET_GENERIC, nt, DMT_NONE, ddt), value)
            return
        node = self.nd(parent, ET_GENERIC, NT_CONSTANT, DMT_NONE, ddt)
        self.text(self.child(node, "cst", ddt=ddt), value)

    def metric_ref(self, parent: etree._Element, id: str, name: str | None) -> None:
        shortcut = self.nd(parent, ET_GENERIC, NT_SHORTCUT, DMT_NONE, DDT_UNKNOWN)
        self.ref(shortcut, "mt", id, TP_METRIC, name)

    def op(self, parent: etree._Element, fnt: int) -> None:
        self.child(parent, "op", fnt=str(fnt))

    def logical(
        self,
        parent: etree._Element,
        operator: Operator,
        operands: Iterable[_Operand],
        write: Callable[[etree._Element, _Operand], None],
    ) -> None:
        """An ``And``/``Or``/``Not`` node: each operand written by ``write``, in order."""
        node = self.nd(parent, ET_BRANCH, NT_OPERATOR, DMT_NONE, DDT_UNKNOWN)
        for operand in operands:
            write(node, operand)
        self.op(node, FNT[operator])

    def form(
        self,
        parent: etree._Element,
        operator: Operator,
        attribute: tuple[str, str | None],
        form: tuple[str, str | None],
        values: Iterable[tuple[str, DataType]],
    ) -> None:
        """A form qualification: ``attribute`` and ``form`` as ``(id, name)``."""
        et = ET_FORM if operator.arity is not None else ET_FORM_LIST
        node = self.nd(parent, et, NT_OPERATOR, DMT_NONE, DDT_UNKNOWN)
        shortcut = self.nd(node, ET_GENERIC, NT_FORM_SHORTCUT, DMT_NONE, DDT_UNKNOWN)
        self.ref(shortcut, "at", attribute[0], TP_ATTRIBUTE, attribute[1])
        self.ref(shortcut, "fm", form[0], TP_FORM, form[1])
        for value, data_type in values:
            self.constant(node, value, data_type)
        self.op(node, FNT[operator])

    def elements(
        self,
        parent: etree._Element,
        operator: Operator,
        attribute: tuple[str, str | None],
        elements: Iterable[tuple[str, int, str | None]],
    ) -> None:
        """An element qualification: ``elements`` as ``(ei, arity, display name)``."""
        node = self.nd(parent, ET_ELEMENTS, NT_OPERATOR, DMT_NONE, DDT_UNKNOWN)
        shortcut = self.nd(node, ET_GENERIC, NT_SHORTCUT, DMT_NONE, DDT_UNKNOWN)
        self.ref(shortcut, "at", attribute[0], TP_ATTRIBUTE, attribute[1])
        listed = self.nd(node, ET_GENERIC, NT_ELEMENTS, DMT_NONE, DDT_UNKNOWN)
        es = self.child(self.child(listed, "mi"), "es")
        self.child(es, "at", did=attribute[0], tp=TP_ATTRIBUTE)
        for ei, arity, name in elements:
            e = self.child(es, "e", ei=ei, emt=CONCRETE_ELEMENT, art=str(arity))
            if name is not None:
                self.set(e, "disp_n", name)
        self.op(node, FNT[operator])

    def metric(
        self,
        parent: etree._Element,
        operator: Operator,
        id: str,
        name: str | None,
        values: Iterable[MetricValue],
    ) -> None:
        """A metric qualification, plain or ranked (``Rank.*``, ``Percent.*``)."""
        node = self.nd(parent, ET_METRIC, NT_OPERATOR, DMT_METRIC, DDT_UNKNOWN)
        self.metric_ref(node, id, name)
        for first, second in values:
            if isinstance(second, DataType):
                self.constant(node, first, second)
            else:
                self.metric_ref(node, first, second)
        if not operator.is_ranking:
            self.op(node, FNT[operator])
            return
        fnt, ascending = MRP[operator.value.split(".", 1)[1]]
        self.op(node, fnt)
        prs = self.child(node, "prs")
        if ascending is not None:
            self.child(prs, "pr", ix="4", v=ascending)
        self.child(prs, "pr", ix="5", v=PERCENT_V if operator.is_percent else RANK_V)
