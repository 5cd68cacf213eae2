"""Objects answered without a type (mstrio-py's documented spelling), in every format.

The body is the SDK's own docstring example (fixtures/mstrio/, with its source); these
tests need no SDK.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import definitions, library, rest, url, xml
from mstr_prompts.client import Connection
from mstr_prompts.errors import DecodeError, NotRepresentableError
from mstr_prompts.model import Answer, AnswerSet, ObjectAnswer, ObjectRef, PromptRef, ValueAnswer
from mstr_prompts.strategies import guids, prompt_keys, rest_answer_sets
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import OBJECT_PROMPT_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
COST = "7FD5B69611D5AC76C000D98A4CC5F24F"
K_OBJECTS = "8891A8AF4A747A3EA8506DBB6189F252@0@10"


def connect(server: ReferenceServer) -> Connection:
    return Connection(server.url, username="user", password="password", project_id=PROJECT_ID)


def _objects(answer: Answer) -> tuple[ObjectRef, ...]:
    assert isinstance(answer, ObjectAnswer)
    return answer.objects


BODY = json.loads((FIXTURES / "mstrio" / "prompt-docstring-objects-untyped.json").read_text())
UNTYPED = rest.decode(BODY)
LISTED = [{"key": K_OBJECTS, "name": "Predefined list of objects", "type": "OBJECTS",
           "defaultAnswer": [{"name": "Cost", "id": COST, "type": "metric"}]}]  # fmt: skip


@pytest.mark.parametrize(
    "encode",
    [xml.encode, url.encode, library.encode],
    ids=["xml", "url", "library"],
)
def test_formats_that_write_the_type_refuse_an_untyped_object(encode: Any) -> None:
    with pytest.raises(NotRepresentableError) as caught:
        encode(UNTYPED)
    assert caught.value.prompt == f"objects prompt {K_OBJECTS}"
    assert f"object {COST} has no type" in str(caught.value)
    assert "definitions" in (caught.value.hint or "")


def test_url_fallback_to_xml_still_refuses() -> None:
    with pytest.raises(NotRepresentableError, match="has no type"):
        url.encode(UNTYPED, fallback="xml")


def test_rest_writes_an_untyped_object_back_as_it_came() -> None:
    assert rest.encode(UNTYPED)["prompts"][0]["answers"] == [{"id": COST, "name": "Cost"}]


def test_the_definitions_supply_the_type() -> None:
    bound = definitions.bind(UNTYPED, definitions.decode(LISTED))
    assert _objects(bound[0]) == (ObjectRef(id=COST, type=4, name="Cost"),)
    assert 'tp="4"' in xml.encode(bound)


def test_definitions_that_do_not_list_the_object_leave_it_untyped() -> None:
    defs = definitions.decode([{"key": K_OBJECTS, "type": "OBJECTS"}])
    assert _objects(definitions.bind(UNTYPED, defs)[0])[0].type is None


def test_the_object_list_supplies_the_type() -> None:
    listed = [ObjectRef(id=COST.lower(), type=4), ObjectRef(id="X", type=None)]
    typed = UNTYPED.with_object_types(listed)
    assert _objects(typed[0])[0] == ObjectRef(id=COST, type=4, name="Cost")
    assert UNTYPED.with_object_types([]) is UNTYPED
    with pytest.raises(DecodeError, match="two types"):
        UNTYPED.with_object_types([ObjectRef(id=COST, type=4), ObjectRef(id=COST, type=12)])


def test_a_type_out_of_range_is_refused() -> None:
    answer = UNTYPED[0]
    assert isinstance(answer, ObjectAnswer)
    with pytest.raises(DecodeError, match=r"^object types: "):
        answer.with_types({COST: -1})


def test_an_explicit_type_is_never_replaced() -> None:
    typed = rest.decode(rest.encode(UNTYPED.with_object_types([ObjectRef(id=COST, type=4)])))
    assert typed.with_object_types([ObjectRef(id=COST, type=12)]) is typed


def test_the_object_list_keeps_rounds() -> None:
    rounds = AnswerSet.from_rounds(
        [UNTYPED, AnswerSet(answers=[ValueAnswer(prompt=PromptRef(key="K@0@10"), value="2015")])]
    )
    typed = rounds.with_object_types([ObjectRef(id=COST, type=4)])
    assert typed.rounds == (1, 1) and _objects(typed[0])[0].type == 4


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_cli_refuses_then_binds(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(BODY))
    refused = _cli("convert", "--from", "rest", "--to", "xml", str(body))
    assert refused.returncode == 4 and refused.stdout == b""
    err = refused.stderr.decode()
    assert err.count("\n") == 1 and K_OBJECTS in err and "--definitions FILE" in err
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(LISTED))
    done = _cli("convert", "--from", "rest", "--to", "xml", "--definitions", str(defs), str(body))
    assert done.returncode == 0, done.stderr
    assert b'tp="4"' in done.stdout


def test_a_reading_of_the_body_keeps_the_type_unknown() -> None:
    assert _objects(UNTYPED[0]) == (ObjectRef(id=COST, type=None, name="Cost"),)
    assert rest.decode({"prompts": [{"key": "K", "type": "OBJECTS",
                                     "answers": [{"id": COST, "type": None}]}]}) == rest.decode(
        {"prompts": [{"key": "K", "type": "OBJECTS", "answers": [{"id": COST}]}]}
    )  # fmt: skip


def test_the_client_types_objects_from_the_prompts_object_list(
    mstr_server: ReferenceServer,
) -> None:
    body = {
        "prompts": [
            {
                "key": "07736087478D24656A2A65820F968661@0@10",
                "type": "OBJECTS",
                "answers": [{"id": "4C051DB611D3E877C000B3B2D86C964F", "name": "Profit"}],
            }
        ]
    }
    with connect(mstr_server) as conn, conn.report(OBJECT_PROMPT_REPORT).create() as instance:
        resolved = instance.resolve(rest.decode(body))
    assert _objects(resolved[0])[0].type == 4
    assert 'tp="4"' in xml.encode(resolved)


# --- properties -----------------------------------------------------------------------------


@st.composite
def with_untyped(draw: st.DrawFn) -> AnswerSet:
    """REST answer sets with at least one object prompt answered without types."""
    base = draw(rest_answer_sets())
    objects = draw(
        st.lists(
            st.builds(ObjectRef, id=guids(), type=st.none(), name=st.none() | st.text(max_size=4)),
            min_size=1,
            max_size=3,
        )
    )
    # A key the set already answers would be a repeated key, which every encoder refuses.
    taken = {a.prompt.key for a in base.answers}
    key = draw(prompt_keys().filter(lambda k: k not in taken))
    extra = ObjectAnswer(prompt=PromptRef(key=key), objects=objects)
    return AnswerSet(answers=(*base.answers, extra))


@given(with_untyped())
def test_rest_round_trip_is_stable_with_untyped_objects(answers: AnswerSet) -> None:
    body = rest.encode(answers)
    again = rest.decode(body)
    assert again == answers
    assert rest.encode(again) == body
    assert rest.decode(json.dumps(body)) == answers


@given(
    st.lists(
        st.builds(ObjectRef, id=guids(), type=st.integers(0, 120), name=st.none()),
        min_size=1,
        max_size=4,
        unique_by=lambda o: o.id,
    ),
    st.data(),
)
def test_bind_restores_the_types_the_definition_lists(
    listed: list[ObjectRef], data: st.DataObject
) -> None:
    key = data.draw(prompt_keys())
    chosen = data.draw(st.lists(st.sampled_from(listed), min_size=1, max_size=3))
    definition = {
        "key": key,
        "type": "OBJECTS",
        "defaultAnswer": [{"id": o.id, "type": o.type} for o in listed],
    }
    untyped = ObjectAnswer(
        prompt=PromptRef(key=key),
        objects=[o.model_copy(update={"type": None}) for o in chosen],
    )
    bound = definitions.bind(AnswerSet(answers=[untyped]), definitions.decode([definition]))
    assert _objects(bound[0]) == tuple(chosen)
    # and the bound answer now goes where the type is needed
    assert xml.decode(xml.encode(bound)) == bound.model_copy(
        update={"answers": (bound[0].model_copy(update={"prompt": PromptRef(key=key)}),)}
    )
