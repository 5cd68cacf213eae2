"""EnumDSSXMLObjectTypes: the numbers MicroStrategy gives object types, and their names.

The numbers are MicroStrategy's (``com.microstrategy.webapi.EnumDSSXMLObjectTypes``; the
list at
https://www2.microstrategy.com/producthelp/Current/ReferenceFiles/reference/com/microstrategy/webapi/EnumDSSXMLObjectTypes.html).  The names are the lower-case spelling REST
uses for object-prompt answers: the docs show ``"metric"`` and ``"attribute"``
(whats-new 2020); the others follow the same rule, which the reference marks
[INFERRED].
"""

from __future__ import annotations

__all__ = ["OBJECT_TYPE_NAMES", "object_type_from_name", "object_type_name"]

OBJECT_TYPE_NAMES: dict[int, str] = {
    1: "filter",
    2: "template",
    3: "report_definition",
    4: "metric",
    6: "auto_style",
    7: "agg_metric",
    8: "folder",
    9: "subscription_device",
    10: "prompt",
    11: "function",
    12: "attribute",
    13: "fact",
    14: "dimension",
    15: "table",
    16: "datamart_report",
    17: "fact_group",
    18: "shortcut_type",
    19: "resolution",
    20: "monitor",
    21: "attribute_form",
    22: "schema",
    23: "format",
    24: "catalog",
    25: "catalog_definition",
    26: "column",
    28: "property_set",
    29: "dbrole",
    30: "dblogin",
    31: "dbconnection",
    32: "project",
    33: "server_definition",
    34: "user",
    35: "subscription_transmitter",
    36: "configuration",
    37: "request",
    39: "search",
    40: "search_folder",
    41: "datamart",
    42: "package_definition",
    43: "role",
    44: "security_role",
    45: "locale",
    47: "consolidation",
    48: "consolidation_element",
    49: "schedule_event",
    50: "schedule_object",
    51: "schedule_trigger",
    52: "link",
    53: "dbtable",
    54: "table_source",
    55: "document_definition",
    56: "drill_map",
    57: "dbms",
    58: "security_filter",
}

_BY_NAME: dict[str, int] = {name: number for number, name in OBJECT_TYPE_NAMES.items()}
# Spellings seen in REST besides the canonical one (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-types/object-prompts).
_BY_NAME.update({"hierarchy": 14, "report": 3, "document": 55})


def object_type_name(number: int) -> str | None:
    """The REST name of an object type number, or None if it has none.

    >>> object_type_name(4)
    'metric'
    >>> object_type_name(9999) is None
    True
    """
    return OBJECT_TYPE_NAMES.get(number)


def object_type_from_name(name: str) -> int | None:
    """The number for a REST object type name (any case), or None if unknown.

    >>> object_type_from_name("Attribute")
    12
    """
    return _BY_NAME.get(name.strip().lower())
