"""The reference server's replies have the shapes of the documentation's samples and of
responses recorded from a live server: every key the sample has, with a value of the
same JSON type (the values themselves are another server's data).

The samples are in ``fixtures/server`` (see its README for their sources and licence).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import (
    OBJECT_PROMPT_REPORT,
    SEED_000_REPORT,
    SEED_001_DATAMART,
    UNPROMPTED_REPORT,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "server"
RECORDED = SAMPLES / "mstrio-py"


def kind(value: Any) -> str:
    """A JSON value's type: object, array, string, number, boolean or null."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


def shape_problems(ours: Any, sample: Any, where: str = "$") -> list[str]:
    """Where ``ours`` lacks a key of ``sample`` or holds another type (arrays: first items).

    >>> shape_problems({"a": [1], "b": "x"}, {"a": [2.5], "b": 1, "c": None})
    ['$.b: number expected, string found', '$.c: missing']
    """
    if kind(ours) != kind(sample):
        return [f"{where}: {kind(sample)} expected, {kind(ours)} found"]
    if isinstance(sample, dict):
        problems = []
        for key, value in sample.items():
            if key not in ours:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += shape_problems(ours[key], value, f"{where}.{key}")
        return problems
    if isinstance(sample, list) and sample and ours:
        return shape_problems(ours[0], sample[0], f"{where}[0]")
    return []


def recorded(path: str) -> Any:
    return json.loads((RECORDED / path).read_text())


def documented(endpoint: str) -> tuple[int, Any]:
    for sample in json.loads((SAMPLES / "documented-samples.json").read_text()):
        if sample["endpoint"] == endpoint:
            assert sample["source"].startswith("https://microstrategy.github.io/rest-api-docs/")
            return sample["status"], sample["body"]
    raise KeyError(endpoint)


@pytest.fixture
def s(mstr_server: ReferenceServer) -> Iterator[Any]:
    session = requests.Session()
    session.trust_env = False
    r = session.post(
        f"{mstr_server.url}/api/auth/login",
        json={"username": "user", "password": "password", "loginMode": 1},
    )
    session.headers.update(
        {"X-MSTR-AuthToken": r.headers["X-MSTR-AuthToken"], "X-MSTR-ProjectID": PROJECT_ID}
    )
    yield session


def check(ours: Any, sample: Any) -> None:
    assert shape_problems(ours, sample) == []


@pytest.mark.parametrize(
    "path", ["api-responses/misc/server_status.json", "auto-api-responses/status-GET.json"]
)
def test_status(mstr_server: ReferenceServer, path: str) -> None:
    check(requests.get(f"{mstr_server.url}/api/status", timeout=10).json(), recorded(path))


def test_session_user_info_projects_objects_nodes(mstr_server: ReferenceServer, s: Any) -> None:
    url = mstr_server.url
    check(
        s.get(f"{url}/api/sessions/userInfo").json(),
        recorded("auto-api-responses/sessions/userInfo-GET.json"),
    )
    check(
        s.get(f"{url}/api/projects").json(), recorded("api-responses/microstrategy/projects.json")
    )
    project = s.get(f"{url}/api/objects/{PROJECT_ID}", params={"type": 32}).json()
    check(project, recorded("api-responses/admin/application/get_object_info.json"))
    check(
        s.get(f"{url}/api/monitors/iServer/nodes").json(),
        recorded("api-responses/admin/application/nodes.json"),
    )


def test_an_ended_session(mstr_server: ReferenceServer, s: Any) -> None:
    assert s.post(f"{mstr_server.url}/api/auth/logout").status_code == 204
    r = s.put(f"{mstr_server.url}/api/sessions")
    assert r.status_code == 401
    check(r.json(), recorded("auto-api-responses/sessions-PUT.json"))


def test_report_definition_and_data(mstr_server: ReferenceServer, s: Any) -> None:
    url = mstr_server.url
    definition = s.get(f"{url}/api/v2/reports/{UNPROMPTED_REPORT}").json()
    check(definition, recorded("api-responses/reports/report_definition.json"))
    first = s.post(f"{url}/api/v2/reports/{UNPROMPTED_REPORT}/instances").json()
    check(first, recorded("api-responses/reports/report_instance.json"))
    again = s.get(f"{url}/api/v2/reports/{UNPROMPTED_REPORT}/instances/{first['instanceId']}")
    check(again.json(), recorded("api-responses/reports/report_instance.json"))
    # The data grid indexes its definition: every header names an element that is there.
    grid = first["definition"]["grid"]
    for index in (row[0] for row in first["data"]["headers"]["rows"]):
        assert grid["rows"][0]["elements"][index]["formValues"]
    s.delete(
        f"{url}/api/model/reports/{UNPROMPTED_REPORT}/instances",
        headers={"X-MSTR-MS-Instance": first["instanceId"]},
    )


def test_the_execute_report_samples(mstr_server: ReferenceServer, s: Any) -> None:
    url = mstr_server.url
    status, sample = documented("POST /api/model/reports/{reportId}/instances")
    r = s.post(
        f"{url}/api/model/reports/{SEED_000_REPORT}/instances",
        params={"executionStage": "resolve_prompts"},
    )
    assert r.status_code == status and set(r.json()) == set(sample)
    iid = r.json()["id"]
    body = {
        "prompts": [
            {
                "key": "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10",
                "type": "ELEMENTS",
                "answers": [{"name": "USA"}],
            }
        ]
    }
    assert (
        s.put(
            f"{url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts/answers", json=body
        ).status_code
        == 204
    )
    status, sample = documented("GET /api/v2/reports/{reportId}/instances/{instanceId}/sqlView")
    r = s.get(f"{url}/api/v2/reports/{SEED_000_REPORT}/instances/{iid}/sqlView")
    assert r.status_code == status and set(r.json()) == set(sample)
    s.delete(
        f"{url}/api/model/reports/{SEED_000_REPORT}/instances", headers={"X-MSTR-MS-Instance": iid}
    )
    status, sample = documented(
        "GET /api/reports/{reportId}/instances/{instanceId} (an instance that is gone)"
    )
    r = s.get(f"{url}/api/reports/{SEED_000_REPORT}/instances/{iid}/prompts")
    assert r.status_code == status and r.json()["message"] == sample["message"]
    check(r.json(), sample)


def test_the_datamart_samples(mstr_server: ReferenceServer, s: Any) -> None:
    url, dm = mstr_server.url, SEED_001_DATAMART
    iid = s.post(f"{url}/api/model/datamarts/{dm}/instances").headers["X-MSTR-MS-Instance"]
    status, sample = documented(
        "POST /api/datamarts/{datamartId}/instances/{instanceId}/execution/jobs"
    )
    r = s.post(f"{url}/api/datamarts/{dm}/instances/{iid}/execution/jobs")
    assert r.status_code == status and set(r.json()) == set(sample)
    check(r.json(), sample)
    status, sample = documented("GET /api/datamarts/{datamartId}/instances/{instanceId}/execution")
    r = s.get(f"{url}/api/datamarts/{dm}/instances/{iid}/execution")
    assert r.status_code == status and set(r.json()) == set(sample)
    body = {
        "prompts": [
            {
                "key": "4B7E1D2C9A3F4E6B8C0D1E2F3A4B5C6D@0@10",
                "type": "ELEMENTS",
                "answers": [{"name": "USA"}],
            }
        ]
    }
    assert (
        s.put(f"{url}/api/reports/{dm}/instances/{iid}/prompts/answers", json=body).status_code
        == 204
    )
    # The report status endpoint answers in the same shape as the datamart's execution.
    r = s.get(f"{url}/api/reports/{dm}/instances/{iid}/status")
    assert set(r.json()) == set(sample)
    status, sample = documented("POST /api/model/datamarts/{datamartId}/instances/save")
    r = s.post(
        f"{url}/api/model/datamarts/{dm}/instances/save",
        json={},
        headers={"X-MSTR-MS-Instance": iid},
    )
    assert r.status_code == status and r.json() == sample
    s.delete(f"{url}/api/model/datamarts/{dm}/instances", headers={"X-MSTR-MS-Instance": iid})


def test_the_object_prompt_definition_sample(mstr_server: ReferenceServer, s: Any) -> None:
    _, sample = documented(
        "GET /api/reports/{reportId}/instances/{instanceId}/prompts (an object prompt)"
    )
    prompts = s.get(f"{mstr_server.url}/api/reports/{OBJECT_PROMPT_REPORT}/prompts").json()
    check(prompts[1:], sample)
