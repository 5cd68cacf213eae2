"""The names of expression trees: operators and constant data types, with no model.

:mod:`mstr_prompts.expressions` builds its typed trees of these names, and the codecs
read and write them in REST's JSON trees and ``<exp>`` XML; kept in a module that loads
no pydantic model class, so that a codec can check a tree's names without building one
(a one-file ``mstr-prompts convert`` of an expression answer, README "Start-up").
:mod:`mstr_prompts.expressions` re-exports every name here.

>>> Operator.parse(">").value, DataType("Real").is_temporal
('Greater', False)
"""

from __future__ import annotations

import enum

__all__ = [
    "COMPARISONS",
    "FORM_OPERATORS",
    "LIST_OPERATORS",
    "LOGICAL",
    "METRIC_OPERATORS",
    "NULL_OPERATORS",
    "PATTERNS",
    "RANGE_OPERATORS",
    "RANKING",
    "DataType",
    "Operator",
]


class Operator(str, enum.Enum):
    """An expression operator, by its MicroStrategy name.

    The plain ones are EnumDSSXMLFunction names without the ``Function`` prefix; the
    metric ranking ones are ``Rank.`` or ``Percent.`` and an EnumWebMRPFunction name.
    :meth:`parse` also reads the symbolic aliases of the REST documentation.

    >>> Operator.parse(">=")
    <Operator.GREATER_EQUAL: 'GreaterEqual'>
    >>> Operator("Rank.Top").is_ranking
    True
    """

    EQUALS = "Equals"
    NOT_EQUAL = "NotEqual"
    GREATER = "Greater"
    LESS = "Less"
    GREATER_EQUAL = "GreaterEqual"
    LESS_EQUAL = "LessEqual"
    BETWEEN = "Between"
    NOT_BETWEEN = "NotBetween"
    LIKE = "Like"
    NOT_LIKE = "NotLike"
    CONTAINS = "Contains"
    NOT_CONTAINS = "NotContains"
    BEGINS_WITH = "BeginsWith"
    NOT_BEGINS_WITH = "NotBeginsWith"
    ENDS_WITH = "EndsWith"
    NOT_ENDS_WITH = "NotEndsWith"
    IS_NULL = "IsNull"
    IS_NOT_NULL = "IsNotNull"
    IN = "In"
    NOT_IN = "NotIn"
    AND = "And"
    OR = "Or"
    NOT = "Not"
    RANK_TOP = "Rank.Top"
    RANK_BOTTOM = "Rank.Bottom"
    RANK_BETWEEN = "Rank.Between"
    RANK_NOT_BETWEEN = "Rank.NotBetween"
    RANK_EXCLUDE_TOP = "Rank.ExcludeTop"
    RANK_EXCLUDE_BOTTOM = "Rank.ExcludeBottom"
    RANK_EQUALS = "Rank.Equals"
    RANK_DIFFERENT_FROM = "Rank.DifferentFrom"
    PERCENT_TOP = "Percent.Top"
    PERCENT_BOTTOM = "Percent.Bottom"
    PERCENT_BETWEEN = "Percent.Between"
    PERCENT_NOT_BETWEEN = "Percent.NotBetween"
    PERCENT_EXCLUDE_TOP = "Percent.ExcludeTop"
    PERCENT_EXCLUDE_BOTTOM = "Percent.ExcludeBottom"
    PERCENT_EQUALS = "Percent.Equals"
    PERCENT_DIFFERENT_FROM = "Percent.DifferentFrom"

    @classmethod
    def parse(cls, text: str) -> Operator:
        """The operator a name or a documented alias stands for (case-sensitive, as REST).

        >>> Operator.parse("notnull").value
        'IsNotNull'
        >>> Operator.parse("greater")
        Traceback (most recent call last):
        ...
        ValueError: unknown operator 'greater'; operators are case-sensitive MicroStrategy names such as Greater, In, Rank.Top
        """
        alias = _ALIASES.get(text)
        if alias is not None:
            return alias
        if text in _UNDOCUMENTED_ALIASES:
            raise ValueError(
                f"operator {text!r} appears only in {_UNDOCUMENTED_ALIASES[text]}, which does "
                "not say what it stands for, so it is not read as any operator (a tree "
                "with it is kept verbatim); write the operator's name"
            )
        try:
            return cls(text)
        except ValueError:
            raise ValueError(
                f"unknown operator {text!r}; operators are case-sensitive MicroStrategy "
                "names such as Greater, In, Rank.Top"
            ) from None

    @property
    def is_ranking(self) -> bool:
        """True for the ``Rank.*`` and ``Percent.*`` operators."""
        return "." in self.value

    @property
    def is_percent(self) -> bool:
        """True for the ``Percent.*`` operators."""
        return self.value.startswith("Percent.")

    @property
    def arity(self) -> int | None:
        """How many values the operator compares with; None for a list (one or more)."""
        if self in LIST_OPERATORS:
            return None
        if self in NULL_OPERATORS:
            return 0
        if self in RANGE_OPERATORS:
            return 2
        return 1

    def takes(self, count: int) -> bool:
        """Whether the operator takes ``count`` operands: as many values as its
        :attr:`arity` (one or more for a list), one or more expressions for ``And`` and
        ``Or``, one for ``Not``.  The one rule the model's checks, the codecs' readers and
        prompt-answer XML's scan all apply.

        >>> Operator.BETWEEN.takes(2), Operator.IN.takes(0), Operator.OR.takes(3)
        (True, False, True)
        """
        taken = _TAKEN[self]
        return count >= 1 if taken is None else count == taken


# The REST documentation's symbolic operators (docs/expressions.md, from the REST docs' supported-operators page).
_ALIASES: dict[str, Operator] = {
    "=": Operator.EQUALS,
    "!=": Operator.NOT_EQUAL,
    ">": Operator.GREATER,
    "<": Operator.LESS,
    ">=": Operator.GREATER_EQUAL,
    "<=": Operator.LESS_EQUAL,
    "null": Operator.IS_NULL,
    "notnull": Operator.IS_NOT_NULL,
}
# Symbols a REST sample uses without a definition: refused as typed operators with a
# message that says so, never guessed (docs/expressions.md, "Names").
_UNDOCUMENTED_ALIASES: dict[str, str] = {
    "|": "the REST metric-limits code sample (https://github.com/MicroStrategy/rest-api-docs/"
    "blob/88e6c6590621dd6a36e0c7223128580cd69351bf/docs/common-workflows/analytics/"
    "filter-data/filter-report-and-cube-instances/"
    "filter-report-and-cube-instances-using-metric-limits/code-sample.md)",
}
LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})
NULL_OPERATORS = frozenset({Operator.IS_NULL, Operator.IS_NOT_NULL})
RANGE_OPERATORS = frozenset(
    {
        Operator.BETWEEN,
        Operator.NOT_BETWEEN,
        Operator.RANK_BETWEEN,
        Operator.RANK_NOT_BETWEEN,
        Operator.PERCENT_BETWEEN,
        Operator.PERCENT_NOT_BETWEEN,
    }
)
LOGICAL = frozenset({Operator.AND, Operator.OR, Operator.NOT})
COMPARISONS = frozenset(
    {
        Operator.EQUALS,
        Operator.NOT_EQUAL,
        Operator.GREATER,
        Operator.LESS,
        Operator.GREATER_EQUAL,
        Operator.LESS_EQUAL,
    }
)
PATTERNS = frozenset(
    {
        Operator.LIKE,
        Operator.NOT_LIKE,
        Operator.CONTAINS,
        Operator.NOT_CONTAINS,
        Operator.BEGINS_WITH,
        Operator.NOT_BEGINS_WITH,
        Operator.ENDS_WITH,
        Operator.NOT_ENDS_WITH,
    }
)
RANKING = frozenset(op for op in Operator if "." in op.value)
FORM_OPERATORS = (
    COMPARISONS | PATTERNS | RANGE_OPERATORS - RANKING | NULL_OPERATORS | LIST_OPERATORS
)
"""What a form qualification may use (supported-operators.md)."""
METRIC_OPERATORS = COMPARISONS | (RANGE_OPERATORS - RANKING) | NULL_OPERATORS | RANKING
"""What a metric qualification may use."""

_TAKEN: dict[Operator, int | None] = {
    operator: None if operator in (Operator.AND, Operator.OR) else operator.arity
    for operator in Operator
}
"""Operator.takes's count, known once the families are: None for "one or more" (a list's
values, the operands of And and Or), else the arity (Not: 1).  A table: a reader asks
once per node."""


class DataType(str, enum.Enum):
    """A constant's data type, by its EnumDSSXMLDataType name.

    >>> DataType("TimeStamp").is_temporal
    True
    """

    INTEGER = "Integer"
    UNSIGNED = "Unsigned"
    NUMERIC = "Numeric"
    DECIMAL = "Decimal"
    REAL = "Real"
    DOUBLE = "Double"
    FLOAT = "Float"
    CHAR = "Char"
    VAR_CHAR = "VarChar"
    LONG_VAR_CHAR = "LongVarChar"
    BINARY = "Binary"
    VAR_BIN = "VarBin"
    LONG_VAR_BIN = "LongVarBin"
    DATE = "Date"
    TIME = "Time"
    TIME_STAMP = "TimeStamp"
    N_CHAR = "NChar"
    N_VAR_CHAR = "NVarChar"
    SHORT = "Short"
    LONG = "Long"
    MB_CHAR = "MBChar"
    BOOL = "Bool"
    PATTERN = "Pattern"
    N_PATTERN = "NPattern"
    BIG_DECIMAL = "BigDecimal"
    UTF8_CHAR = "UTF8Char"
    INT64 = "Int64"

    @property
    def is_temporal(self) -> bool:
        """Date, Time and TimeStamp: session-locale text, copied verbatim."""
        return self in (DataType.DATE, DataType.TIME, DataType.TIME_STAMP)
