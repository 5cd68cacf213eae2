"""The display text of expression trees, from their plain parts, with no model.

The one place the text MicroStrategy shows for an expression is written (display only,
never read back): :func:`mstr_prompts.expressions.render` gives it for typed trees, and
prompt-answer XML's scan for the trees it reads without building a model (the CLI's
summary of an expression row).  Both hand over the parts already named: a reference by
its name where known, else its GUID; a constant by its text; an element by its display
name, else its ID.

>>> qualification_text(metric_text("4C05177011D3E877C000B3B2D86C964F", "Revenue"),
...                    Operator.BETWEEN, ["1", "5"])
'{Revenue} Between 1 And 5'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .expression_names import Operator

__all__ = [
    "elements_text",
    "form_text",
    "logical_text",
    "metric_text",
    "qualification_text",
    "ref_text",
]

_SYMBOLS: dict[Operator, str] = {
    Operator.EQUALS: "=",
    Operator.NOT_EQUAL: "<>",
    Operator.GREATER: ">",
    Operator.LESS: "<",
    Operator.GREATER_EQUAL: ">=",
    Operator.LESS_EQUAL: "<=",
}
"""The comparisons shown as symbols; every other operator is shown by its name."""


def ref_text(id: str, name: str | None) -> str:
    """An attribute or a form: its name where known, else its GUID.

    >>> ref_text("8D679D3711D3E4981000E787EC6DE8A4", None)
    '8D679D3711D3E4981000E787EC6DE8A4'
    """
    return name if name is not None else id


def metric_text(id: str, name: str | None) -> str:
    """A metric: its name or GUID in braces.

    >>> metric_text("4C05177011D3E877C000B3B2D86C964F", "Revenue")
    '{Revenue}'
    """
    return "{" + (name if name is not None else id) + "}"


def form_text(attribute: str, form_id: str, form_name: str | None) -> str:
    """An attribute form, ``Attribute (Form)``; ``attribute`` as :func:`ref_text` gives it.

    >>> form_text("Item", "45C11FA478E745FEA08D781CEA190FE5", "ID")
    'Item (ID)'
    """
    return f"{attribute} ({ref_text(form_id, form_name)})"


def qualification_text(subject: str, operator: Operator, values: Sequence[str]) -> str:
    """A form or metric qualification: its subject's text, the operator (comparisons as
    symbols), and its values' texts as the operator's arity takes them.

    >>> qualification_text("Year (ID)", Operator.IN, ["2014", "2016"])
    'Year (ID) In (2014, 2016)'
    >>> qualification_text("{Revenue}", Operator.IS_NOT_NULL, [])
    '{Revenue} Is Not Null'
    """
    if operator is Operator.IS_NULL:
        return f"{subject} Is Null"
    if operator is Operator.IS_NOT_NULL:
        return f"{subject} Is Not Null"
    text = f"{subject} {_SYMBOLS.get(operator, operator.value)}"
    arity = operator.arity
    if arity is None:
        return text + " (" + ", ".join(values) + ")"
    if arity == 2:
        return f"{text} {values[0]} And {values[1]}"
    if arity == 1:
        return f"{text} {values[0]}"
    return text


def elements_text(attribute: str, operator: Operator, elements: Iterable[str]) -> str:
    """An element qualification: the attribute's text, ``In`` or ``NotIn``, the elements'.

    >>> elements_text("Category", Operator.NOT_IN, ["Books", "Movies"])
    'Category NotIn (Books, Movies)'
    """
    return f"{attribute} {operator.value} (" + ", ".join(elements) + ")"


def logical_text(operator: Operator, operands: Sequence[str]) -> str:
    """``And``, ``Or`` or ``Not`` over its operands' texts: each parenthesised, but a
    single ``And`` or ``Or`` operand (kept as some writers wrap it) shown as it is.

    >>> logical_text(Operator.OR, ["{Revenue} > 1", "{Cost} < 2"])
    '({Revenue} > 1) Or ({Cost} < 2)'
    >>> logical_text(Operator.NOT, ["{Revenue} > 1"])
    'Not ({Revenue} > 1)'
    """
    if operator is Operator.NOT:
        return f"Not ({operands[0]})"
    if len(operands) == 1:
        return operands[0]
    return f" {operator.value} ".join(f"({text})" for text in operands)
