"""Issue 20 item 6: the schemas agree with the decoders, both ways.

Every document a decoder accepts validates against its schema; every document the schema
accepts decodes, or is refused for one of the reasons the schema cannot express, which
``schema.BEYOND_SCHEMA`` lists (and docs/library.md / docs/rest.md repeat).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts import definitions, library, rest, schema
from mstr_prompts.errors import PromptAnswerError

VALIDATORS = {name: jsonschema.Draft202012Validator(schema.schema(name)) for name in schema.SCHEMAS}
DECODERS: dict[str, Callable[[Any], object]] = {
    "library": library.decode,
    "rest": rest.decode,
    "definitions": definitions.decode,
}

G = "8D679D3711D3E4981000E787EC6DE8A4"
TEXTS = st.sampled_from(
    [
        "",
        "2016",
        "x",
        f"{G}:1~1048576~USA",
        f"{G}~4~Revenue",
        "UNIT~1048581~Y~0~0~0~0",
        "DYNAMIC_PLACEHOLDER_Date",
        '<rsl><pa key="K@0@10"><exp></exp></pa></rsl>',
        "a~1~b",
    ]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), TEXTS)


def _near(keys: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with some of ``keys`` (and now and then one more), values from ``value``."""
    return st.dictionaries(
        st.one_of(st.sampled_from(keys), st.just("extra")), value, max_size=len(keys) + 1
    )


KEYS = st.sampled_from(["K@0@10", f"{G}@0@10", "W34D600FCA9CE481F89859762AED04C69", "", "k"])
# Mostly well-formed, now and then one field of another type or one key too many.
LIBRARY_ANSWER = st.one_of(
    st.fixed_dictionaries(
        {"key": KEYS},
        optional={"values": st.lists(TEXTS, max_size=3), "useDefault": st.booleans()},
    ),
    _near(["key", "values", "useDefault"], st.one_of(SCALARS, st.lists(SCALARS, max_size=2))),
)
LIBRARY_ROUND = st.lists(LIBRARY_ANSWER, max_size=3)
LIBRARY_DOCS = st.one_of(
    st.lists(LIBRARY_ROUND, min_size=1, max_size=3),
    st.fixed_dictionaries(
        {"answers": LIBRARY_ROUND}, optional={"messageName": st.one_of(st.none(), TEXTS)}
    ),
    st.lists(LIBRARY_ROUND, max_size=3),
    _near(["messageName", "answers"], st.one_of(SCALARS, LIBRARY_ROUND)),
)

ELEMENT = st.fixed_dictionaries(
    {"id": st.sampled_from([f"h2014;{G}", f"{G}:2014", "x", ""])},
    optional={"name": TEXTS},
)
OBJECT = st.fixed_dictionaries(
    {"id": st.sampled_from([G, "x"]), "type": st.sampled_from([4, "4", "metric", True, 0])},
    optional={"name": TEXTS},
)
TYPED_ANSWERS: dict[str, st.SearchStrategy[Any]] = {
    "VALUE": st.one_of(TEXTS, st.lists(TEXTS, max_size=2)),
    "ELEMENTS": st.lists(ELEMENT, max_size=3),
    "OBJECTS": st.lists(OBJECT, max_size=3),
    "EXPRESSION": st.one_of(
        st.fixed_dictionaries({}, optional={"content": TEXTS, "xml": TEXTS}),
        st.just({"expression": {"operator": "And", "operands": []}}),
    ),
    "LEVEL": st.one_of(st.just({}), st.just({"units": []})),
}


@st.composite
def _rest_item(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(TYPED_ANSWERS)))
    item: dict[str, Any] = {"key": draw(KEYS), "type": draw(st.sampled_from([kind, kind.lower()]))}
    choice = draw(st.integers(0, 9))
    if choice < 7:
        item["answers"] = draw(TYPED_ANSWERS[kind])
    elif choice == 7:
        item["useDefault"] = draw(st.booleans())
    elif choice == 8:
        item["answers"] = draw(SCALARS)
    if draw(st.integers(0, 9)) == 0:
        del item["key"]
        item[draw(st.sampled_from(["id", "name"]))] = draw(st.sampled_from([G, "Year", 1]))
    return item


REST_DOCS = st.one_of(
    st.fixed_dictionaries({"prompts": st.lists(_rest_item(), max_size=3)}),
    _near(["prompts"], SCALARS),
)


@st.composite
def _definition(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([*sorted(TYPED_ANSWERS), "UNSUPPORTED", "DIMENSION"]))
    item: dict[str, Any] = {"key": draw(KEYS), "type": kind}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "name": st.one_of(TEXTS, st.none()),
        "required": st.one_of(st.booleans(), st.none(), st.just("yes")),
        "closed": st.booleans(),
        "dataType": st.sampled_from([8, 14, "NUMERIC", "DATE", "TEXT", "COLOUR", True, None, "8"]),
        "min": st.sampled_from([0, 1, -1, 1.5, "2", "2020-01-01", "x", None]),
        "max": st.sampled_from([5, "9999-12-31T23:00:00-0100", "10", None]),
        "source": st.sampled_from([{"id": G}, {"id": None}, None, "x"]),
        "defaultAnswer": TYPED_ANSWERS.get(kind, st.none()),
        "answers": st.one_of(st.none(), st.just("")),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        item[name] = draw(optional[name])
    return item


DEFINITION_DOCS = st.one_of(
    st.lists(_definition(), max_size=3),
    st.fixed_dictionaries({"prompts": st.lists(_definition(), max_size=3)}),
    _definition(),
)
DOCS = {"library": LIBRARY_DOCS, "rest": REST_DOCS, "definitions": DEFINITION_DOCS}


def _decodes(name: str, document: Any) -> PromptAnswerError | None:
    try:
        DECODERS[name](document)
    except PromptAnswerError as exc:
        return exc
    return None


def _beyond(name: str, error: PromptAnswerError) -> bool:
    return any(re.search(p, str(error)) for p in schema.BEYOND_SCHEMA[name])


@pytest.mark.parametrize("name", sorted(DOCS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_decoder_and_schema_agree(name: str, data: st.DataObject) -> None:
    document = data.draw(DOCS[name])
    error = _decodes(name, document)
    valid = VALIDATORS[name].is_valid(document)
    if error is None:
        assert valid, f"{name} decodes {json.dumps(document)} but its schema refuses it"
    elif valid:
        assert _beyond(name, error), f"the schema accepts {json.dumps(document)}: {error}"


def test_library_schema_takes_a_null_message_name() -> None:
    document: dict[str, Any] = {"messageName": None, "answers": []}
    assert _decodes("library", document) is None
    assert VALIDATORS["library"].is_valid(document)
