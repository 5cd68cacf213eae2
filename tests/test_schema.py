"""The published JSON Schemas agree with the codecs: fixtures, encodings and refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from test_rest import REFERENCE_BODIES, parse_block

from mstr_prompts import DecodeError, LocaleWarning, definitions, library, rest, schema
from mstr_prompts.strategies import (
    library_answer_sets,
    rest_answer_sets,
    xml_answer_sets,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"

VALIDATORS = {
    name: jsonschema.Draft202012Validator(
        schema.schema(name), format_checker=jsonschema.FormatChecker()
    )
    for name in schema.SCHEMAS
}


def valid(name: str, document: Any) -> bool:
    return bool(VALIDATORS[name].is_valid(document))


def load(path: Path) -> Any:
    return parse_block(path.suffix[1:], path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(schema.SCHEMAS))
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema.schema(name))


# --- fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (FIXTURES / "rest").iterdir() if p.suffix in (".json", ".jsonc")),
    ids=lambda p: p.name,
)
def test_rest_fixtures_validate(path: Path) -> None:
    document = load(path)
    rest.decode(document)
    assert valid("rest", document)


@pytest.mark.parametrize(("line", "tag", "body"), REFERENCE_BODIES, ids=lambda v: str(v))
def test_reference_bodies_validate_exactly_when_they_decode(line: int, tag: str, body: str) -> None:
    document = parse_block(tag, body)
    try:
        rest.decode(document)
    except DecodeError:
        return  # a refusal for content, not structure, may still validate
    assert valid("rest", document), line


LIBRARY_TEXTS = [
    *(FIXTURES / "url" / f"{name}.txt" for name in ("L2", "L4", "L5", "L6")),
]


@pytest.mark.parametrize("path", LIBRARY_TEXTS, ids=lambda p: p.name)
def test_library_strings_validate(path: Path) -> None:
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        document = json.loads(text)
    else:
        document = json.loads(library.unquote(text.rpartition("prompts=")[2]))
    assert valid("library", document)


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "library").glob("*.json")), ids=lambda p: p.name
)
def test_library_fixtures_validate(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert valid("library", case["library"])
    if "rest" in case:
        assert valid("rest", case["rest"])


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (FIXTURES / "definitions").iterdir() if p.suffix in (".json", ".jsonc")),
    ids=lambda p: p.name,
)
def test_definitions_fixtures_validate(path: Path) -> None:
    if path.name == "server-messages.json":
        pytest.skip("not a definitions response")
    document = load(path)
    definitions.decode(document)
    assert valid("definitions", document)


# --- every encoding -------------------------------------------------------------------------


@given(rest_answer_sets())
def test_rest_encodings_validate(answers: Any) -> None:
    assert valid("rest", rest.encode(answers))


@given(xml_answer_sets())
def test_rest_encodings_of_xml_answers_validate(answers: Any) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LocaleWarning)
            body = rest.encode(answers)
    except Exception:
        return
    assert valid("rest", body)


@given(library_answer_sets())
def test_library_encodings_validate(answers: Any) -> None:
    rounds = library.encode_rounds(answers)
    assert valid("library", rounds)
    assert valid("library", json.loads(library.encode(answers)))
    for part in answers.by_round():
        assert valid("library", library.encode_body(part, message_name="M"))


# --- structural refusals ----------------------------------------------------------------------

REST_REFUSED = [
    [],
    {},
    {"answers": []},
    {"prompts": {}},
    {"prompts": [], "extra": 1},
    {"prompts": ["x"]},
    {"prompts": [{"type": "VALUE", "answers": "1"}]},
    {"prompts": [{"key": "K", "answers": "1"}]},
    {"prompts": [{"key": "K", "type": 3}]},
    {"prompts": [{"key": "K", "type": "UNSUPPORTED"}]},
    {"prompts": [{"key": "K", "type": "COLOUR"}]},
    {"prompts": [{"key": "", "type": "VALUE"}]},
    {"prompts": [{"key": 1, "type": "VALUE"}]},
    {"prompts": [{"key": "K", "type": "VALUE", "useDefault": "yes"}]},
    {"prompts": [{"key": "K", "type": "VALUE", "answers": True}]},
    {"prompts": [{"key": "K", "type": "VALUE", "answers": {"a": 1}}]},
    {"prompts": [{"key": "K", "type": "VALUE", "answers": [True]}]},
    {"prompts": [{"key": "K", "type": "elements", "answers": "USA"}]},
    {"prompts": [{"key": "K", "type": "ELEMENTS", "answers": [{}]}]},
    {"prompts": [{"key": "K", "type": "ELEMENTS", "answers": [{"id": 1}]}]},
    {"prompts": [{"key": "K", "type": "ELEMENTS", "answers": [{"id": "x", "extra": 1}]}]},
    {"prompts": [{"key": "K", "type": "OBJECTS", "answers": [{"type": 4}]}]},
    {"prompts": [{"key": "K", "type": "OBJECTS", "answers": [{"id": "X", "type": ""}]}]},
    {"prompts": [{"key": "K", "type": "OBJECTS", "answers": [{"id": "X", "type": True}]}]},
    {"prompts": [{"key": "K", "type": "OBJECTS", "answers": "X"}]},
    {"prompts": [{"key": "K", "type": "EXPRESSION", "answers": "x"}]},
    {"prompts": [{"key": "K", "type": "EXPRESSION", "answers": {"tree": {}}}]},
    {"prompts": [{"key": "K", "type": "EXPRESSION", "answers": {"expression": []}}]},
    {"prompts": [{"key": "K", "type": "LEVEL", "answers": []}]},
]


@pytest.mark.parametrize("document", REST_REFUSED, ids=lambda d: json.dumps(d)[:60])
def test_rest_structural_refusals_agree(document: Any) -> None:
    with pytest.raises(DecodeError):
        rest.decode(document)
    assert not valid("rest", document)


LIBRARY_REFUSED = [
    [],
    {},
    "x",
    [{}],
    [["x"]],
    [[{}]],
    [[{"values": []}]],
    [[{"key": "", "values": []}]],
    [[{"key": 1, "values": []}]],
    [[{"key": "K"}]],
    [[{"key": "K", "useDefault": False}]],
    [[{"key": "K", "values": "x"}]],
    [[{"key": "K", "values": [1]}]],
    [[{"key": "K", "values": [], "useDefault": "no"}]],
    [[{"key": "K", "values": ["1"], "useDefault": True}]],
    [[{"key": "K", "values": [], "type": "VALUE"}]],
    {"messageName": "x"},
    {"messageName": 1, "answers": []},
    {"answers": {}},
    {"answers": [], "prompts": []},
    {"prompts": []},
]


@pytest.mark.parametrize("document", LIBRARY_REFUSED, ids=lambda d: json.dumps(d)[:60])
def test_library_structural_refusals_agree(document: Any) -> None:
    with pytest.raises(DecodeError):
        library.decode(document if not isinstance(document, str) else json.dumps(document))
    assert not valid("library", document)


DEFINITIONS_REFUSED = [
    "x",
    {"answers": []},
    {"prompts": {}},
    [1],
    [{"key": "K"}],
    [{"key": "K", "type": 1}],
    [{"key": "K", "type": "COLOUR"}],
    [{"type": "VALUE"}],
    [{"key": "", "type": "VALUE"}],
    [{"key": "K", "type": "VALUE", "required": "yes"}],
    [{"key": "K", "type": "VALUE", "title": 1}],
    [{"key": "K", "type": "VALUE", "dataType": True}],
    [{"key": "K", "type": "ELEMENTS", "source": "x"}],
    [{"key": "K", "type": "ELEMENTS", "defaultAnswer": "x"}],
]


@pytest.mark.parametrize("document", DEFINITIONS_REFUSED, ids=lambda d: json.dumps(d)[:60])
def test_definitions_structural_refusals_agree(document: Any) -> None:
    with pytest.raises(DecodeError):
        definitions.decode(document if not isinstance(document, str) else json.dumps(document))
    assert not valid("definitions", document)


def test_unknown_schema_name() -> None:
    with pytest.raises(ValueError, match="no schema 'xml'"):
        schema.schema("xml")


def test_module_is_importable_without_jsonschema() -> None:
    code = "import sys; sys.modules['jsonschema'] = None; import mstr_prompts.schema"
    subprocess.run([sys.executable, "-c", code], check=True)
