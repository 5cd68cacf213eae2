"""The client's workflows against the reference server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mstr_prompts import rest, url, xml
from mstr_prompts.client import (
    AnswersRejected,
    AnswersRejectedByServer,
    Connection,
    NameNotResolved,
    PromptsOutstanding,
    UnusedAnswers,
)
from mstr_prompts.model import AnswerSet, ElementAnswer
from mstr_prompts.testing import PROJECT_ID, Recorded, ReferenceServer
from mstr_prompts.testing.catalog import (
    DEMO_DOCUMENT,
    DEMO_DOSSIER,
    LINK_REPORT,
    NESTED_REPORT,
    OBJECT_PROMPT_REPORT,
    PROMPTXML_REPORT,
    SEED_000_REPORT,
    UNPROMPTED_REPORT,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000_BODY = (FIXTURES / "client" / "seed-000-answer-elements-by-name.json").read_text()
SEED_003_BODY = (FIXTURES / "client" / "seed-003-answer-two-object-prompts.json").read_text()
COUNTRY_KEY = "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10"


def connect(server: ReferenceServer) -> Connection:
    return Connection(server.url, username="user", password="password", project_id=PROJECT_ID)


def shape(r: Recorded) -> tuple[str, str, dict[str, list[str]], int]:
    return (r.method, r.path, r.query, r.status)


def test_seed_000_sql_workflow_request_by_request(mstr_server: ReferenceServer) -> None:
    mstr_server.status_polls = 1  # one 202 after the answers (the default has none)
    answers = rest.decode(SEED_000_BODY)
    with connect(mstr_server) as conn:
        sql = conn.report(SEED_000_REPORT).sql(answers)
    assert "'USA', 'England'" in sql  # the answers arrived
    login, create, prompts, put, status202, status, view, delete, logout = mstr_server.requests
    report = f"/api/reports/{SEED_000_REPORT}"
    assert shape(login) == ("POST", "/api/auth/login", {}, 204)
    assert login.json() == {"loginMode": 1, "username": "user", "password": "password"}
    iid = prompts.path.split("/")[5]  # the instance the server created
    assert shape(create) == (
        "POST",
        f"/api/model/reports/{SEED_000_REPORT}/instances",
        {"executionStage": ["resolve_prompts"]},
        201,
    )
    assert create.body == b""
    assert shape(prompts) == (
        "GET",
        f"{report}/instances/{iid}/prompts",
        {"closed": ["false"]},
        200,
    )
    assert shape(put) == ("PUT", f"{report}/instances/{iid}/prompts/answers", {}, 204)
    assert put.headers["content-type"] == "application/json"
    assert put.json() == {
        "prompts": [
            {
                # Bound to the live definitions: named by key.
                "key": COUNTRY_KEY,
                "type": "ELEMENTS",
                "answers": [{"name": "USA"}, {"name": "England"}],
            }
        ]
    }
    assert shape(status202) == ("GET", f"{report}/instances/{iid}/status", {}, 202)
    assert shape(status) == ("GET", f"{report}/instances/{iid}/status", {}, 200)
    assert shape(view) == (
        "GET",
        f"/api/v2/reports/{SEED_000_REPORT}/instances/{iid}/sqlView",
        {},
        200,
    )
    assert shape(delete) == ("DELETE", f"/api/model/reports/{SEED_000_REPORT}/instances", {}, 204)
    assert delete.headers["x-mstr-ms-instance"] == iid
    assert "x-mstr-projectid" not in delete.headers  # as the seed's DELETE: token and instance
    assert shape(logout) == ("POST", "/api/auth/logout", {}, 204)
    token = create.headers["x-mstr-authtoken"]
    for r in (create, prompts, put, status, view, delete, logout):
        assert r.headers["x-mstr-authtoken"] == token
        assert f"iSession={token}" in r.headers["cookie"]
        assert "JSESSIONID=" in r.headers["cookie"]
        assert r.headers["accept"] == "application/json"
    for r in (create, prompts, put, status, view):
        assert r.headers["x-mstr-projectid"] == PROJECT_ID
    assert mstr_server.live_instances() == []


def test_seed_000_data_workflow_follows_paging(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        data = conn.report(SEED_000_REPORT).data(rest.decode(SEED_000_BODY), limit=20)
    assert len(data["data"]["metricValues"]["raw"]) == 57
    assert len(data["data"]["headers"]["rows"]) == 57
    assert data["data"]["paging"] == {"total": 57, "current": 57, "offset": 0, "limit": 57}
    pages = [r for r in mstr_server.requests if r.path.startswith("/api/v2/")]
    assert [r.query for r in pages] == [
        {"limit": ["20"]},
        {"offset": ["20"], "limit": ["20"]},
        {"offset": ["40"], "limit": ["20"]},
    ]
    create = next(r for r in mstr_server.requests if r.method == "POST" and "model" in r.path)
    assert create.query == {"executionStage": ["execute_data"]}
    assert mstr_server.requests[-2].method == "DELETE"


def test_data_without_limit_is_the_seeds_bare_get(mstr_server: ReferenceServer) -> None:
    mstr_server.status_polls = 1  # one 202 after creation (the default has none)
    with connect(mstr_server) as conn:
        data = conn.report(UNPROMPTED_REPORT).data()
    assert len(data["data"]["metricValues"]["raw"]) == 3
    lines = [(r.method, r.path.split("/instances")[0], r.query) for r in mstr_server.requests]
    assert lines[1:-1] == [
        ("POST", f"/api/model/reports/{UNPROMPTED_REPORT}", {"executionStage": ["execute_data"]}),
        ("GET", f"/api/reports/{UNPROMPTED_REPORT}", {}),  # status: 202
        ("GET", f"/api/reports/{UNPROMPTED_REPORT}", {}),  # status: 1, no prompts
        ("GET", f"/api/v2/reports/{UNPROMPTED_REPORT}", {}),
        ("DELETE", f"/api/model/reports/{UNPROMPTED_REPORT}", {}),
    ]


def test_seed_003_object_prompts(mstr_server: ReferenceServer) -> None:
    answers = rest.decode(SEED_003_BODY)
    with connect(mstr_server) as conn:
        sql = conn.report(OBJECT_PROMPT_REPORT).sql(answers)
    put = next(r for r in mstr_server.requests if r.method == "PUT")
    assert put.json() == json.loads(SEED_003_BODY)
    assert "'8D679D5111D3E4981000E787EC6DE8A4', '8D679D4A11D3E4981000E787EC6DE8A4'" in sql


def test_object_look_up(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, conn.report(OBJECT_PROMPT_REPORT).create() as instance:
        metrics = instance.objects("07736087478D24656A2A65820F968661@0@10", search="pro")
    assert [(o.id, o.type, o.name) for o in metrics] == [
        ("4C051DB611D3E877C000B3B2D86C964F", 4, "Profit")
    ]


def test_captured_prompt_xml_runs_end_to_end(mstr_server: ReferenceServer) -> None:
    answers = xml.decode((FIXTURES / "xml" / "f15-element-non-tutorial-key.xml").read_text())
    with connect(mstr_server) as conn:
        sql = conn.report(PROMPTXML_REPORT).sql(answers)
        data = conn.report(PROMPTXML_REPORT).data(answers)
    assert "'Kenya'" in sql
    assert data["data"]["paging"]["total"] == 4
    assert mstr_server.live_instances() == []


def test_names_resolve_to_element_ids(mstr_server: ReferenceServer) -> None:
    answers = rest.decode(SEED_000_BODY)
    with connect(mstr_server) as conn, conn.report(SEED_000_REPORT).create() as instance:
        resolved = instance.resolve(answers)
    answer = resolved[0]
    assert isinstance(answer, ElementAnswer)
    assert [(e.id.to_terse() if e.id else None, e.name) for e in answer.elements] == [
        ("h1;8D679D3811D3E4981000E787EC6DE8A4", "USA"),
        ("h2;8D679D3811D3E4981000E787EC6DE8A4", "England"),
    ]
    looked_up = [r for r in mstr_server.requests if r.path.endswith("/elements")]
    assert [r.query["searchPattern"] for r in looked_up] == [["USA"], ["England"]]
    assert all(COUNTRY_KEY in r.path for r in looked_up)
    # Names resolved to IDs can now be written as XML too.
    assert 'ei="8D679D3811D3E4981000E787EC6DE8A4:1"' in xml.encode(resolved)


@pytest.mark.parametrize(("name", "matches"), [("Atlantis", 0)])
def test_unknown_name_is_an_error_naming_it(
    mstr_server: ReferenceServer, name: str, matches: int
) -> None:
    body = {"prompts": [{"key": COUNTRY_KEY, "type": "ELEMENTS", "answers": [{"name": name}]}]}
    with (
        connect(mstr_server) as conn,
        conn.report(SEED_000_REPORT).create() as instance,
        pytest.raises(NameNotResolved) as caught,
    ):
        instance.resolve(rest.decode(body))
    assert caught.value.matches == matches
    assert repr(name) in str(caught.value)


def test_server_err006_names_the_prompt_and_the_instance_is_deleted(
    mstr_server: ReferenceServer,
) -> None:
    body = {
        "prompts": [{"key": COUNTRY_KEY, "type": "ELEMENTS", "answers": [{"name": "Atlantis"}]}]
    }
    with connect(mstr_server) as conn, pytest.raises(AnswersRejectedByServer) as caught:
        conn.report(SEED_000_REPORT).sql(rest.decode(body), validate=False)
    error = caught.value
    assert error.status == 400 and error.code == 6
    assert error.server_message == (
        f"Unable to find elements that match Atlantis for prompt name: Elements of Country key: {COUNTRY_KEY}."
    )
    assert error.prompt_key == COUNTRY_KEY and error.prompt_name == "Elements of Country"
    assert mstr_server.requests[-2].method == "DELETE"
    assert mstr_server.live_instances() == []


NESTED: list[dict[str, Any]] = [
    {"key": "A1000000000000000000000000000001@0@10", "type": "VALUE", "answers": "2016"},
    {
        "key": "A1000000000000000000000000000002@0@10",
        "type": "ELEMENTS",
        "answers": [{"id": "h2016;8D679D5111D3E4981000E787EC6DE8A4", "name": "2016"}],
    },
    {"key": "A1000000000000000000000000000003@0@10", "type": "VALUE", "answers": "Jones"},
]


def test_nested_rounds_from_one_set(mstr_server: ReferenceServer) -> None:
    answers = rest.decode({"prompts": NESTED})
    with connect(mstr_server) as conn:
        sql = conn.report(NESTED_REPORT).sql(answers)
    puts = [r.json() for r in mstr_server.requests if r.method == "PUT"]
    assert puts == [{"prompts": [p]} for p in NESTED]
    assert "'2016'" in sql and "'Jones'" in sql
    prompt_reads = [r for r in mstr_server.requests if r.path.endswith("/prompts")]
    assert len(prompt_reads) == 3 and all(r.query == {"closed": ["false"]} for r in prompt_reads)


def test_nested_rounds_as_a_list(mstr_server: ReferenceServer) -> None:
    rounds = [rest.decode({"prompts": [p]}) for p in NESTED]
    with connect(mstr_server) as conn:
        data = conn.report(NESTED_REPORT).data(rounds)
    assert data["data"]["paging"]["total"] == 12
    assert len([r for r in mstr_server.requests if r.method == "PUT"]) == 3


def test_prompts_outstanding_names_the_open_prompt(mstr_server: ReferenceServer) -> None:
    answers = rest.decode({"prompts": NESTED[:2]})
    with connect(mstr_server) as conn, pytest.raises(PromptsOutstanding) as caught:
        conn.report(NESTED_REPORT).sql(answers)
    assert "round 3" in str(caught.value)
    assert [p.key for p in caught.value.prompts] == ["A1000000000000000000000000000003@0@10"]
    assert mstr_server.live_instances() == []


def test_no_answers_for_a_prompted_report_is_outstanding(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn, pytest.raises(PromptsOutstanding) as caught:
        conn.report(SEED_000_REPORT).sql()
    assert "round 1" in str(caught.value)
    assert [p.name for p in caught.value.prompts] == ["Elements of Country"]
    assert not any(r.method == "PUT" for r in mstr_server.requests)


def test_document_with_linking_xml_then_a_put_round(mstr_server: ReferenceServer) -> None:
    region = xml.encode(
        rest.decode(
            {
                "prompts": [
                    {
                        "key": "D4F70D5ABA4F596ACE2844BAF90432D5@0@10",
                        "type": "ELEMENTS",
                        "answers": [
                            {"id": "h2;8D679D4B11D3E4981000E787EC6DE8A4", "name": "Central"}
                        ],
                    }
                ]
            }
        )
    )
    year = rest.decode({"prompts": [NESTED[0]]})
    with connect(mstr_server) as conn:
        dossier = conn.dossier(DEMO_DOSSIER)
        with dossier.create(xml.decode(region)) as instance:
            assert instance.answer(year) == 1
    create = mstr_server.requests[1]
    assert (create.method, create.path, create.status) == (
        "POST",
        f"/api/dossiers/{DEMO_DOSSIER}/instances",
        201,
    )
    assert create.json()["linkingInfo"]["promptsAnswers"].startswith("<rsl>")
    assert mstr_server.requests[-2].method == "DELETE"
    assert mstr_server.requests[-2].path.startswith(f"/api/documents/{DEMO_DOSSIER}/instances/")


def test_document_open_and_reprompt(mstr_server: ReferenceServer) -> None:
    answers = rest.decode(
        {
            "prompts": [
                {
                    "key": "D4F70D5ABA4F596ACE2844BAF90432D5@0@10",
                    "type": "ELEMENTS",
                    "answers": [{"id": "h1;8D679D4B11D3E4981000E787EC6DE8A4"}],
                }
            ]
        }
    )
    with connect(mstr_server) as conn:
        document = conn.document(DEMO_DOCUMENT)
        with document.open(answers) as instance:
            assert instance.status() == 1
            with instance.reprompt() as again:
                assert again.instance_id != instance.instance_id
                assert again.status() == 2
                assert again.answer(answers) == 1
        with document.open(answers, linking=True) as linked:
            assert linked.status() == 1
    assert mstr_server.live_instances() == []


def test_answers_as_any_codec_input(mstr_server: ReferenceServer) -> None:
    # One AnswerSet, whatever format it came from: here REST text with a useDefault.
    answers = AnswerSet.of(
        tuple(rest.decode({"prompts": NESTED[:2]}))
        + tuple(
            rest.decode(
                {
                    "prompts": [
                        {
                            "key": "A1000000000000000000000000000003@0@10",
                            "type": "VALUE",
                            "useDefault": True,
                        }
                    ]
                }
            )
        )
    )
    with connect(mstr_server) as conn:
        sql = conn.report(NESTED_REPORT).sql(answers)
    assert "'Smith'" in sql  # the prompt's default answer


# --------------------------------------------------------------------------- definitions


def test_a_web_link_binds_to_the_live_definitions(mstr_server: ReferenceServer) -> None:
    link = (FIXTURES / "url" / "D6.txt").read_text().strip()
    answers = url.decode(link)  # an object answer known only by its position
    assert answers[0].prompt.key is None
    with connect(mstr_server) as conn:
        sql = conn.report(LINK_REPORT).sql(answers)
    assert "'Profit'" in sql
    put = next(r for r in mstr_server.requests if r.method == "PUT")
    assert put.json() == {
        "prompts": [
            {
                "key": "9F1C0DE2A6B34F0E8D7C6B5A49382716@0@10",
                "type": "OBJECTS",
                "answers": [
                    {"id": "4C051DB611D3E877C000B3B2D86C964F", "type": "metric", "name": "Profit"}
                ],
            }
        ]
    }


def test_report_prompts_are_definitions(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server) as conn:
        defs = conn.report(SEED_000_REPORT).prompts()
    assert [(d.key, d.name, d.attribute, d.min, d.max) for d in defs] == [
        (COUNTRY_KEY, "Elements of Country", "8D679D3811D3E4981000E787EC6DE8A4", 1, 5)
    ]


def test_local_validation_stops_bad_answers_before_any_put(mstr_server: ReferenceServer) -> None:
    answers = rest.decode({"prompts": [dict(NESTED[0], answers="1999")]})
    with connect(mstr_server) as conn, pytest.raises(AnswersRejected) as caught:
        conn.report(NESTED_REPORT).sql(answers)
    assert caught.value.problems[0].message == (
        "The value(1999) provided for prompt name: Year key: "
        "A1000000000000000000000000000001@0@10 does not meet the minimum required value(2000)"
    )
    assert not any(r.method == "PUT" for r in mstr_server.requests)
    assert mstr_server.requests[-2].method == "DELETE"


def test_the_server_says_the_same_as_the_local_validator(mstr_server: ReferenceServer) -> None:
    six = [{"name": n} for n in ("USA", "England", "France", "Germany", "Canada", "Spain")]
    answers = rest.decode({"prompts": [{"key": COUNTRY_KEY, "type": "ELEMENTS", "answers": six}]})
    with connect(mstr_server) as conn:
        with pytest.raises(AnswersRejected) as local:
            conn.report(SEED_000_REPORT).sql(answers)
        with pytest.raises(AnswersRejectedByServer) as remote:
            conn.report(SEED_000_REPORT).sql(answers, validate=False)
    assert (
        remote.value.server_message
        == local.value.problems[0].message
        == (
            "The number of attribute elements for prompt name: Elements of Country key: "
            f"{COUNTRY_KEY} exceeds the maximum allowed(5}} answers."
        )
    )
    assert remote.value.prompt_key == COUNTRY_KEY


def test_missing_policy_answers_the_open_nested_prompt(mstr_server: ReferenceServer) -> None:
    answers = rest.decode({"prompts": NESTED[:2]})
    with connect(mstr_server) as conn:
        sql = conn.report(NESTED_REPORT).sql(answers, missing="default")
    assert "'Smith'" in sql
    last_put = [r for r in mstr_server.requests if r.method == "PUT"][-1]
    assert last_put.json() == {
        "prompts": [
            {"key": "A1000000000000000000000000000003@0@10", "type": "VALUE", "useDefault": True}
        ]
    }


def test_answers_no_round_takes_are_an_error(mstr_server: ReferenceServer) -> None:
    stray = {"key": "FFFF0000000000000000000000000000@0@10", "type": "VALUE", "answers": "1"}
    answers = rest.decode({"prompts": [*NESTED, stray]})
    with connect(mstr_server) as conn, pytest.raises(UnusedAnswers) as caught:
        conn.report(NESTED_REPORT).sql(answers)
    assert "FFFF0000000000000000000000000000@0@10" in str(caught.value)
    assert mstr_server.live_instances() == []
