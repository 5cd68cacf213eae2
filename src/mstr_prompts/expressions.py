"""Typed expression trees: the answers of attribute, metric and hierarchy qualification prompts.

An expression is one of

=============================  ============================================================
:class:`FormQualification`     an attribute form compared with constants
                               (``Category@ID In (1, 2)``, ``Year@ID Between 2014 And 2016``)
:class:`ElementQualification`  an attribute's elements, ``In`` or ``NotIn`` a list
:class:`MetricQualification`   a metric compared with constants or another metric, or
                               ranked (``Rank.Top``, ``Percent.Bottom``…)
:class:`Logical`               ``And``, ``Or`` or ``Not`` over other expressions
=============================  ============================================================

A hierarchy qualification is an element qualification, or an ``And`` of several (one
per attribute), exactly as both wire forms write it.

Names are MicroStrategy's own: operators are the EnumDSSXMLFunction names (``Greater``,
``NotIn``), rank and percent operators the EnumWebMRPFunction names after ``Rank.`` or
``Percent.``, and constant data types the EnumDSSXMLDataType names (``Real``, ``Date``).
Nothing here knows a wire format: :mod:`mstr_prompts.expression_json` reads and writes
REST's JSON trees and :mod:`mstr_prompts.expression_xml` the ``<exp>`` XML.  Constants are
text exactly as written: dates and numbers are never reformatted, because both formats
spell them in the session locale.

Build expressions with :func:`qualify`, :func:`and_`, :func:`or_` and :func:`not_`:

>>> revenue = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue")
>>> print(qualify(revenue, ">", 10))
{Revenue} > 10
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, model_validator

from ._base import Model
from .element_id import GUID_PATTERN, ElementId, parse_element_id
from .elements import Element
from .expression_names import COMPARISONS as COMPARISONS
from .expression_names import FORM_OPERATORS as FORM_OPERATORS
from .expression_names import LIST_OPERATORS
from .expression_names import LOGICAL as LOGICAL
from .expression_names import METRIC_OPERATORS as METRIC_OPERATORS
from .expression_names import PATTERNS as PATTERNS
from .expression_names import RANKING as RANKING
from .expression_names import DataType as DataType
from .expression_names import Operator as Operator
from .expression_text import (
    elements_text,
    form_text,
    logical_text,
    metric_text,
    qualification_text,
    ref_text,
)

__all__ = [
    "AttributeRef",
    "Constant",
    "DataType",
    "ElementQualification",
    "Expression",
    "FormQualification",
    "FormRef",
    "Logical",
    "MetricQualification",
    "MetricRef",
    "Operator",
    "and_",
    "attribute",
    "form",
    "metric",
    "not_",
    "or_",
    "qualify",
    "render",
]


def _operator(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Operator):
        return Operator.parse(value)
    return value


_Op = Annotated[Operator, BeforeValidator(_operator)]


class Constant(Model):
    """A constant: its text exactly as written, and its data type.

    >>> Constant(value="10", data_type="Real")
    Constant(value='10', data_type=<DataType.REAL: 'Real'>)
    """

    value: str
    data_type: DataType

    def __str__(self) -> str:
        return self.value


_Guid = Annotated[str, Field(pattern=GUID_PATTERN)]


class AttributeRef(Model):
    """An attribute, by GUID, with its name when known.

    >>> print(AttributeRef(id="8D679D3711D3E4981000E787EC6DE8A4", name="Category"))
    Category
    """

    id: _Guid
    name: str | None = None

    def __str__(self) -> str:
        return ref_text(self.id, self.name)


class FormRef(Model):
    """An attribute form (``ID``, ``DESC``…) of an attribute.

    >>> print(form("8D679D4211D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5",
    ...            attribute_name="Item", form_name="ID"))
    Item (ID)
    """

    attribute: AttributeRef
    id: _Guid
    name: str | None = None

    def __str__(self) -> str:
        return form_text(str(self.attribute), self.id, self.name)


class MetricRef(Model):
    """A metric, by GUID, with its name when known.

    >>> print(MetricRef(id="4C05177011D3E877C000B3B2D86C964F", name="Revenue"))
    {Revenue}
    """

    id: _Guid
    name: str | None = None

    def __str__(self) -> str:
        return metric_text(self.id, self.name)


def _check_arity(operator: Operator, count: int, what: str) -> None:
    if operator.takes(count):
        return
    arity = operator.arity
    if arity is None:
        raise ValueError(f"{operator.value} needs at least one value")
    raise ValueError(f"{operator.value} compares {what} with {arity} value(s), not {count}")


class FormQualification(Model):
    """An attribute form compared with constants.

    >>> q = FormQualification(
    ...     form=form("8D679D3711D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5",
    ...               attribute_name="Category", form_name="ID"),
    ...     operator="In", values=[Constant(value="1", data_type="Real")])
    >>> print(q)
    Category (ID) In (1)
    """

    kind: Literal["form"] = "form"
    form: FormRef
    operator: _Op
    values: tuple[Constant, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> FormQualification:
        if self.operator not in FORM_OPERATORS:
            raise ValueError(f"a form qualification cannot use {self.operator.value}")
        _check_arity(self.operator, len(self.values), "a form")
        return self

    def __str__(self) -> str:
        return render(self)


class ElementQualification(Model):
    """An attribute's elements, ``In`` or ``NotIn`` a list (a hierarchy prompt's unit).

    Elements whose ID lacks the attribute take the qualification's.

    >>> q = qualify(attribute("8D679D3711D3E4981000E787EC6DE8A4", "Category"), "In",
    ...             Element(id=ElementId(keys=("1",)), name="Books"))
    >>> q.elements[0].id.to_old_short()
    '8D679D3711D3E4981000E787EC6DE8A4:1'
    >>> print(q)
    Category In (Books)
    """

    kind: Literal["elements"] = "elements"
    attribute: AttributeRef
    operator: _Op = Operator.IN
    elements: tuple[Element, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ElementQualification:
        if self.operator not in LIST_OPERATORS:
            raise ValueError(
                f"an element qualification uses In or NotIn, not {self.operator.value}"
            )
        elements = []
        for number, element in enumerate(self.elements, start=1):
            element_id = element.id
            if isinstance(element_id, ElementId):
                if element_id.attribute is None:
                    element = element.model_copy(
                        update={"id": element_id.with_attribute(self.attribute.id)}
                    )
                elif element_id.attribute.upper() != self.attribute.id.upper():
                    raise ValueError(
                        f"element #{number} belongs to attribute {element_id.attribute}, "
                        f"not to the qualified attribute {self.attribute.id}"
                    )
            elements.append(element)
        object.__setattr__(self, "elements", tuple(elements))
        return self

    def __str__(self) -> str:
        return render(self)


class MetricQualification(Model):
    """A metric compared with constants or other metrics, or ranked.

    >>> q = qualify(metric("4C05177011D3E877C000B3B2D86C964F", "Revenue"), "Rank.Top", 10)
    >>> print(q)
    {Revenue} Rank.Top 10
    """

    kind: Literal["metric"] = "metric"
    metric: MetricRef
    operator: _Op
    values: tuple[Constant | MetricRef, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> MetricQualification:
        if self.operator not in METRIC_OPERATORS:
            raise ValueError(f"a metric qualification cannot use {self.operator.value}")
        _check_arity(self.operator, len(self.values), "a metric")
        if self.operator.is_ranking and not all(isinstance(v, Constant) for v in self.values):
            raise ValueError(f"{self.operator.value} compares the rank with constants only")
        return self

    def __str__(self) -> str:
        return render(self)


class Logical(Model):
    """``And`` or ``Or`` over one or more expressions, or ``Not`` over one.

    An ``And`` with one operand is kept as written (some writers always wrap).

    >>> a = attribute("8D679D3711D3E4981000E787EC6DE8A4", "Category")
    >>> print(not_(qualify(a, "In", Element(id=ElementId(keys=("1",)), name="Books"))))
    Not (Category In (Books))
    """

    kind: Literal["logical"] = "logical"
    operator: _Op
    operands: tuple[Expression, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Logical:
        if self.operator not in LOGICAL:
            raise ValueError(f"a logical expression uses And, Or or Not, not {self.operator.value}")
        if not self.operator.takes(len(self.operands)):  # Not of several
            raise ValueError(f"Not takes one operand, not {len(self.operands)}")
        return self

    def __str__(self) -> str:
        return render(self)


Expression = Annotated[
    Union[FormQualification, ElementQualification, MetricQualification, Logical],  # noqa: UP007
    Field(discriminator="kind"),
]
"""Any expression node; ``kind`` tells which."""

# No Logical.model_rebuild() here: every model class is deferred (_base.Model,
# defer_build=True), and pydantic resolves the recursive ``Expression`` from this module's
# namespace when the class is first used.  Rebuilding it at import built the schemas of
# all four expression classes (and loaded pydantic's plugin machinery) for every caller
# that imports the model, about 40 ms of a one-file command that never meets an
# expression (README, "Start-up").

EXPRESSION_TYPES = (FormQualification, ElementQualification, MetricQualification, Logical)


# --- reading it: content text -----------------------------------------------------------


def render(expression: Expression) -> str:
    """The expression as text, the way MicroStrategy shows it (display only).

    Operands are named by their names where known (metrics in braces, forms as
    ``Attribute (Form)``), else by their GUIDs; nested logic is parenthesised.  The
    rules are :mod:`mstr_prompts.expression_text`'s, which prompt-answer XML's scan also
    writes with, for the trees it reads without a model.

    >>> r = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue")
    >>> c = metric("7FD5B69611D5AC76C000D98A4CC5F24F", "Cost")
    >>> render(or_(qualify(r, "Between", 1, 5), qualify(r, "<", c)))
    '({Revenue} Between 1 And 5) Or ({Revenue} < {Cost})'
    """
    if isinstance(expression, Logical):
        return logical_text(expression.operator, [render(e) for e in expression.operands])
    if isinstance(expression, ElementQualification):
        return elements_text(
            str(expression.attribute),
            expression.operator,
            [e.name if e.name is not None else str(e.id) for e in expression.elements],
        )
    subject = expression.form if isinstance(expression, FormQualification) else expression.metric
    return qualification_text(
        str(subject), expression.operator, [str(v) for v in expression.values]
    )


# --- building it ------------------------------------------------------------------------


def attribute(id: str, name: str | None = None) -> AttributeRef:
    """An attribute to qualify on its elements.

    >>> attribute("8D679D3711D3E4981000E787EC6DE8A4", "Category").name
    'Category'
    """
    return AttributeRef(id=id, name=name)


def form(
    attribute_id: str,
    form_id: str,
    *,
    attribute_name: str | None = None,
    form_name: str | None = None,
) -> FormRef:
    """An attribute form to qualify (``45C11FA478E745FEA08D781CEA190FE5`` is the ID form).

    >>> form("8D679D3711D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5").attribute.id
    '8D679D3711D3E4981000E787EC6DE8A4'
    """
    return FormRef(
        attribute=AttributeRef(id=attribute_id, name=attribute_name), id=form_id, name=form_name
    )


def metric(id: str, name: str | None = None) -> MetricRef:
    """A metric to qualify, or to compare another metric with.

    >>> metric("4C05177011D3E877C000B3B2D86C964F").name is None
    True
    """
    return MetricRef(id=id, name=name)


def _constant(value: Any, data_type: DataType | str | None) -> Constant:
    if isinstance(value, Constant):
        return value
    if isinstance(value, bool):
        raise ValueError("give a boolean constant as text with its data type, e.g. '1', 'Bool'")
    if isinstance(value, (int, float)):
        # Numbers as the REST docs spell them: text, data type Real (docs/expressions.md).
        text = repr(value) if isinstance(value, float) else str(value)
        return Constant(value=text, data_type=data_type or DataType.REAL)
    if isinstance(value, Decimal):
        return Constant(value=format(value, "f"), data_type=data_type or DataType.BIG_DECIMAL)
    if isinstance(value, str):
        return Constant(value=value, data_type=data_type or DataType.CHAR)
    raise ValueError(f"cannot make a constant of {type(value).__name__}")


def _element(value: Any) -> Element:
    if isinstance(value, Element):
        return value
    if isinstance(value, ElementId):
        return Element(id=value)
    if isinstance(value, str):
        return Element(id=parse_element_id(value))
    if isinstance(value, tuple) and len(value) == 2:
        element_id, name = value
        return Element(
            id=parse_element_id(element_id) if isinstance(element_id, str) else element_id,
            name=name,
        )
    raise ValueError(f"cannot make an element of {type(value).__name__}")


def qualify(
    subject: FormRef | MetricRef | AttributeRef,
    operator: Operator | str,
    *values: Any,
    data_type: DataType | str | None = None,
) -> FormQualification | MetricQualification | ElementQualification:
    """Qualify a form, a metric or an attribute's elements: ``subject operator values``.

    ``operator`` is an :class:`Operator` or its name or alias (``"Greater"``, ``">"``).
    Values are constants: :class:`Constant`, text (``Char`` unless ``data_type`` says
    otherwise), numbers (``Real``) or :class:`~decimal.Decimal` (``BigDecimal``); a
    metric may also be compared with another :class:`MetricRef`.  An attribute takes
    elements: :class:`~mstr_prompts.model.Element`, element IDs, or ``(id, name)`` pairs.

    >>> q = qualify(metric("4C05177011D3E877C000B3B2D86C964F", "Revenue"), ">", 10)
    >>> q.operator.value, q.values[0]
    ('Greater', Constant(value='10', data_type=<DataType.REAL: 'Real'>))
    >>> y = form("8D679D5111D3E4981000E787EC6DE8A4", "45C11FA478E745FEA08D781CEA190FE5",
    ...          attribute_name="Year", form_name="ID")
    >>> print(qualify(y, "Between", "2014", "2016", data_type="Integer"))
    Year (ID) Between 2014 And 2016
    >>> region = attribute("8D679D4B11D3E4981000E787EC6DE8A4", "Region")
    >>> print(qualify(region, "In", ("h1", "North"), ("h2", "South")))
    Region In (North, South)
    """
    op = operator if isinstance(operator, Operator) else Operator.parse(operator)
    dt = DataType(data_type) if data_type is not None else None
    if isinstance(subject, AttributeRef):
        return ElementQualification(
            attribute=subject, operator=op, elements=tuple(_element(v) for v in values)
        )
    if isinstance(subject, FormRef):
        return FormQualification(
            form=subject, operator=op, values=tuple(_constant(v, dt) for v in values)
        )
    if isinstance(subject, MetricRef):
        return MetricQualification(
            metric=subject,
            operator=op,
            values=tuple(v if isinstance(v, MetricRef) else _constant(v, dt) for v in values),
        )
    raise ValueError(f"cannot qualify {type(subject).__name__}; give a form, metric or attribute")


def and_(*operands: Expression) -> Logical:
    """All of the expressions (also: a hierarchy qualification over several attributes).

    >>> r = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue")
    >>> print(and_(qualify(r, ">", 10), qualify(r, "<", 20)))
    ({Revenue} > 10) And ({Revenue} < 20)
    """
    return Logical(operator=Operator.AND, operands=operands)


def or_(*operands: Expression) -> Logical:
    """Any of the expressions.

    >>> r = metric("4C05177011D3E877C000B3B2D86C964F", "Revenue")
    >>> or_(qualify(r, "IsNull"), qualify(r, "=", 0)).operator.value
    'Or'
    """
    return Logical(operator=Operator.OR, operands=operands)


def not_(operand: Expression) -> Logical:
    """The negation of an expression.

    >>> print(not_(qualify(metric("4C05177011D3E877C000B3B2D86C964F", "Revenue"), ">", 1)))
    Not ({Revenue} > 1)
    """
    return Logical(operator=Operator.NOT, operands=(operand,))
