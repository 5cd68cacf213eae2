"""JSON Schemas (draft 2020-12) of the JSON formats: REST bodies, Library answers, definitions.

The schemas are built here from the codecs' own constants (the REST prompt types and
answer keys, Library's answer and body keys, the definitions' envelope), so a change
to what a decoder reads changes its schema too.  They describe *structure*: every body a
decoder accepts validates, every body an encoder writes validates, and a body a decoder
refuses for its structure (a wrong type, a missing or unknown key) is refused by the
schema too.  What a schema cannot say (that an element ID parses, that a Library item
is ``id~type~name``) is left to the decoders, which say exactly what is wrong.

>>> import json
>>> sorted(SCHEMAS)
['definitions', 'library', 'rest']
>>> schema("rest")["$schema"]
'https://json-schema.org/draft/2020-12/schema'
>>> json.loads(dumps("library"))["title"]
'MicroStrategy Library short prompt answers'
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from . import library, rest
from .model import PromptFamily

__all__ = [
    "BEYOND_SCHEMA",
    "SCHEMAS",
    "definitions_schema",
    "dumps",
    "library_schema",
    "rest_schema",
    "schema",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ID_BASE = "urn:mstr-prompts:schema:"

Schema = dict[str, Any]

_NULL: Schema = {"type": "null"}
_STRING: Schema = {"type": "string"}
_NONEMPTY: Schema = {"type": "string", "minLength": 1}
_NUMBER: Schema = {"type": "number"}


def _nullable(*options: Schema) -> Schema:
    return {"anyOf": [_NULL, *options]}


def _any_case(word: str) -> str:
    """A regex matching ``word`` in any letter case (JSON Schema has no ``(?i)``)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def _one_of_words(words: Iterable[str]) -> Schema:
    return {"type": "string", "pattern": "^(" + "|".join(_any_case(w) for w in words) + ")$"}


def _types_of(family: PromptFamily) -> list[str]:
    return [name for name, f in rest.PROMPT_TYPES.items() if f is family]


def _object(keys: Iterable[str], properties: Schema, **extra: Any) -> Schema:
    """An object with exactly ``keys`` allowed (as rest.decode's _check_keys)."""
    keys = list(keys)
    return {
        "type": "object",
        "properties": {k: properties[k] for k in keys},
        "additionalProperties": False,
        **extra,
    }


def _some_non_null(keys: Iterable[str]) -> Schema:
    """At least one of ``keys`` is present and not null."""
    return {"anyOf": [{"required": [k], "properties": {k: {"not": _NULL}}} for k in keys]}


# --- REST -------------------------------------------------------------------------------


def _rest_defs() -> Schema:
    element = _object(
        sorted(rest.ELEMENT_KEYS),
        {"id": _nullable(_STRING), "name": _nullable(_STRING)},
        **_some_non_null(sorted(rest.ELEMENT_KEYS)),
    )
    object_type = {
        "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "minLength": 1}, _NULL],
        "description": "EnumDSSXMLObjectTypes number, as a number, digits or its REST name; "
        "absent or null when not known (mstrio-py's documented spelling)",
    }
    obj = _object(
        sorted(rest.OBJECT_KEYS),
        {"id": _NONEMPTY, "type": object_type, "name": _nullable(_STRING)},
        required=["id"],
    )
    expression = _object(
        sorted(rest.EXPRESSION_KEYS),
        {
            "content": _nullable(_STRING),
            "expression": _nullable({"type": "object"}),
            "xml": _nullable(_STRING),
        },
    )
    return {
        "valueAnswers": {
            "description": "VALUE: the value as text (numbers accepted); several as an array",
            "anyOf": [
                _NULL,
                _STRING,
                _NUMBER,
                {"type": "array", "items": {"type": ["string", "number"]}},
            ],
        },
        "elementsAnswers": {
            "description": "ELEMENTS: the chosen elements; empty closes the prompt",
            "anyOf": [_NULL, {"type": "array", "items": {"$ref": "#/$defs/element"}}],
        },
        "objectsAnswers": {
            "description": "OBJECTS: the chosen objects; empty closes the prompt",
            "anyOf": [
                _NULL,
                {"$ref": "#/$defs/object"},
                {"type": "array", "items": {"$ref": "#/$defs/object"}},
            ],
        },
        "expressionAnswers": {
            "description": "EXPRESSION: a view-filter tree and/or <exp> XML",
            "anyOf": [_NULL, {"$ref": "#/$defs/expression"}],
        },
        "levelAnswers": {
            "description": "LEVEL: the {canContinue, filterRest, units} object",
            "anyOf": [_NULL, {"type": "object"}],
        },
        "element": element,
        "object": obj,
        "expression": expression,
        "promptType": _one_of_words(rest.PROMPT_TYPES),
    }


_ANSWERS_DEF = {
    PromptFamily.VALUE: "valueAnswers",
    PromptFamily.ELEMENTS: "elementsAnswers",
    PromptFamily.OBJECTS: "objectsAnswers",
    PromptFamily.EXPRESSION: "expressionAnswers",
    PromptFamily.LEVEL: "levelAnswers",
}


def _answers_by_type(answers_key: str) -> list[Schema]:
    """``if type is T then answers_key is T's answers``, one rule per family."""
    return [
        {
            "if": {
                "required": ["type"],
                "properties": {"type": _one_of_words(_types_of(family))},
            },
            "then": {"properties": {answers_key: {"$ref": f"#/$defs/{name}"}}},
        }
        for family, name in _ANSWERS_DEF.items()
    ]


def rest_schema() -> Schema:
    """The schema of a REST answer body ``{"prompts": [...]}`` (what rest.decode reads).

    >>> rest_schema()["required"]
    ['prompts']
    """
    identity = ("key", "id", "name")
    item = {
        "type": "object",
        "description": "One prompt's answer; keys other than these are ignored by the decoder",
        "required": ["type"],
        "properties": {
            "key": _nullable(_NONEMPTY),
            "id": _nullable(_NONEMPTY),
            "name": _nullable(_STRING),
            "type": {"$ref": "#/$defs/promptType"},
            "useDefault": _nullable({"type": "boolean"}),
            "answers": {},
        },
        **_some_non_null(identity),
        # With useDefault true the server ignores answers (answer-prompts: "If true, the values would be ignored").
        "if": {"required": ["useDefault"], "properties": {"useDefault": {"const": True}}},
        "else": {"allOf": _answers_by_type("answers")},
    }
    return {
        "$schema": DRAFT,
        "$id": _ID_BASE + "rest",
        "title": "MicroStrategy REST prompt answers",
        "description": "Body of PUT /api/{reports|documents}/{id}/instances/{iid}/prompts/answers",
        "type": "object",
        "required": [rest.ENVELOPE],
        "properties": {rest.ENVELOPE: {"type": "array", "items": {"$ref": "#/$defs/item"}}},
        "additionalProperties": False,
        "$defs": {"item": item, **_rest_defs()},
    }


# --- Library ------------------------------------------------------------------------------


def library_schema() -> Schema:
    """The schema of Library short answers: ``prompts=`` rounds, or a promptsAnswers body.

    ``#/$defs/rounds`` is the ``prompts=`` value (decoded), ``#/$defs/body`` the body of
    ``POST …/promptsAnswers`` and the Embedding SDK's event payload.

    >>> library_schema()["$defs"]["answer"]["required"]
    ['key']
    """
    key, values, use_default = library.ANSWER_KEYS
    answer = {
        "type": "object",
        "description": "One prompt's answer; values are texts, id~type~name items, <rsl> XML "
        "or link templates (docs/library.md)",
        "required": [key],
        "properties": {
            key: _NONEMPTY,
            values: {"type": "array", "items": _STRING},
            use_default: {"type": "boolean"},
        },
        "additionalProperties": False,
        "if": {"required": [use_default], "properties": {use_default: {"const": True}}},
        "then": {"properties": {values: {"maxItems": 0}}},
        "else": {"required": [values]},
    }
    message_name, answers = library.BODY_KEYS
    body = {
        "type": "object",
        "required": [answers],
        "properties": {
            # library.decode takes a null messageName (no name), as the Embedding SDK's
            # payload may carry one; the schema says the same (issue 20 item 6).
            message_name: _nullable(_STRING),
            answers: {"$ref": "#/$defs/round"},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": DRAFT,
        "$id": _ID_BASE + "library",
        "title": "MicroStrategy Library short prompt answers",
        "description": "The prompts= value of a Library link (rounds), or a promptsAnswers "
        "body / Embedding ON_PROMPT_ANSWERED payload (one round)",
        "anyOf": [{"$ref": "#/$defs/rounds"}, {"$ref": "#/$defs/body"}],
        "$defs": {
            "rounds": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/round"}},
            "round": {"type": "array", "items": {"$ref": "#/$defs/answer"}},
            "answer": answer,
            "body": body,
        },
    }


# --- prompt definitions ----------------------------------------------------------------


def definitions_schema() -> Schema:
    """The schema of prompt definitions, the response of ``GET …/prompts``.

    An array of definitions, ``{"prompts": [...]}``, or one definition; unknown fields
    are allowed, as the decoder ignores what a newer server adds.

    >>> definitions_schema()["$defs"]["definition"]["required"]
    ['type']
    """
    from . import definitions

    identity = ("key", "id", "name")
    types = [*rest.PROMPT_TYPES, "UNSUPPORTED"]
    bound = _nullable(_NUMBER, _STRING)
    definition = {
        "type": "object",
        "required": ["type"],
        "properties": {
            "key": _nullable(_NONEMPTY),
            "id": _nullable(_NONEMPTY),
            "name": _nullable(_STRING),
            "type": _one_of_words(types),
            "title": _nullable(_STRING),
            "required": _nullable({"type": "boolean"}),
            "closed": _nullable({"type": "boolean"}),
            "dataType": _nullable({"type": "integer"}, _STRING),
            "min": bound,
            "max": bound,
            "source": _nullable(
                {
                    "type": "object",
                    "properties": {"id": _nullable(_STRING), "name": _nullable(_STRING)},
                }
            ),
            "answers": {},
            "defaultAnswer": {},
        },
        **_some_non_null(identity),
        "allOf": _answers_by_type("answers") + _answers_by_type("defaultAnswer"),
    }
    envelope = definitions.ENVELOPE
    return {
        "$schema": DRAFT,
        "$id": _ID_BASE + "definitions",
        "title": "MicroStrategy prompt definitions",
        "description": "Response of GET /api/{reports|documents|dossiers}/{id}[/instances/"
        "{iid}]/prompts",
        "anyOf": [
            {"$ref": "#/$defs/definitions"},
            {
                "type": "object",
                "required": [envelope],
                "properties": {envelope: {"$ref": "#/$defs/definitions"}},
            },
            {
                "allOf": [
                    {"$ref": "#/$defs/definition"},
                    {"not": {"required": [envelope]}},
                ]
            },
        ],
        "$defs": {
            "definitions": {"type": "array", "items": {"$ref": "#/$defs/definition"}},
            "definition": definition,
            **_rest_defs(),
        },
    }


SCHEMAS: dict[str, Callable[[], Schema]] = {
    "rest": rest_schema,
    "library": library_schema,
    "definitions": definitions_schema,
}
"""Every published schema by name: ``rest``, ``library``, ``definitions``."""


def schema(name: str) -> Schema:
    """The schema called ``name`` (a fresh copy, safe to change).

    >>> schema("definitions")["title"]
    'MicroStrategy prompt definitions'
    """
    try:
        build = SCHEMAS[name]
    except KeyError:
        raise ValueError(f"no schema {name!r}; known: {', '.join(SCHEMAS)}") from None
    return copy.deepcopy(build())


def dumps(name: str) -> str:
    """The schema called ``name`` as indented JSON text.

    >>> dumps("rest").startswith('{\\n  "$schema"')
    True
    """
    return json.dumps(schema(name), indent=2, ensure_ascii=False)


BEYOND_SCHEMA: dict[str, tuple[str, ...]] = {
    "library": (
        r"a value answer cannot be empty",  # [""]: Close is values []
        r"values mix ",  # one answer holds one kind of item
        r"looks like an item id~type~name",  # an item's ID must parse
        r"malformed element ID|element ID",
        r"an expression answer is one <rsl> string",
        r"prompt-answer XML|<rsl>|xml: ",  # what the <rsl> string says (xml.decode)
        r"lone surrogate",
        r"answered twice",
    ),
    "rest": (
        r"a value answer cannot be empty",  # "" is Close: answers left out, or []
        r"malformed element ID|element ID",  # an element ID must parse
        r"answers\.xml",  # <exp> XML must be well-formed and an <exp>
        r"content is informational only",  # content alone answers nothing
        r"is not a field the server reads",  # "answer"/"values" for a missing "answers"
        r"expression",  # a typed tree must be inside the case table (docs/expressions.md)
        r"lone surrogate",
    ),
    "definitions": (
        # min/max in the unit the prompt's type and dataType give them
        r"must be a whole number|is not a number|is not an ISO date|neither a number nor",
        r"outside the dates that can be compared|a boolean prompt has no|digits, far more",
        r"unknown dataType",  # a name or number outside EnumDSSXMLDataType
        r"defaultAnswer: |answers: ",  # a default/current answer is read by the REST rules
        r"lone surrogate",
    ),
}
"""What a decoder refuses that its schema accepts, by schema: patterns of the messages.

A schema describes structure; these are the rules it cannot state (docs/library.md and
docs/rest.md list them in words).  Every refusal of a schema-valid document matches one.
"""
