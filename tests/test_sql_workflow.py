"""The SQL workflow sends seed 000's requests and never the data endpoint (issue 19, item 11).

Seed 000 ("Execute report", https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report):
create with ``executionStage=resolve_prompts``, ``PUT`` the answers, read the SQL view,
delete.  The data endpoint (``GET /api/v2/reports/{id}/instances/{iid}``) runs the
report, which ``resolve_prompts`` exists to avoid.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hostile import Hostile

from mstr_prompts import rest
from mstr_prompts.client import Connection, PromptsOutstanding
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import NESTED_REPORT, SEED_000_REPORT

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED_000 = rest.decode((FIXTURES / "client" / "seed-000-answer-elements-by-name.json").read_text())
DATA_ENDPOINT = re.compile(r"^/MicroStrategyLibrary/api/v2/reports/[^/]+/instances/[^/?]+(\?|$)")


def connect(url: str) -> Connection:
    return Connection(url, username="user", password="password", project_id=PROJECT_ID)


def test_validate_false_sends_exactly_seed_000s_requests(mstr_server: ReferenceServer) -> None:
    with connect(mstr_server.url) as conn:
        sql = conn.report(SEED_000_REPORT).sql(SEED_000, validate=False)
    assert "'USA', 'England'" in sql
    sent = [(r.method, r.path, r.query) for r in mstr_server.requests]
    report = f"/api/model/reports/{SEED_000_REPORT}/instances"
    [(_, _, _), create, answer, view, delete, (_, _, _)] = sent
    assert create == ("POST", report, {"executionStage": ["resolve_prompts"]})
    assert answer[:2] == (
        "PUT",
        f"/api/reports/{SEED_000_REPORT}/instances/{answer[1].split('/')[5]}/prompts/answers",
    )
    assert view[:2] == (
        "GET",
        f"/api/v2/reports/{SEED_000_REPORT}/instances/{answer[1].split('/')[5]}/sqlView",
    )
    assert delete[:2] == ("DELETE", report)
    assert [r.method + " " + r.path for r in mstr_server.requests][::5] == [
        "POST /api/auth/login",
        "POST /api/auth/logout",
    ]
    # The body is the seed's own, sent as given (by name, as in the sample).
    assert mstr_server.requests[2].json()["prompts"][0]["name"] == "Elements of Country"


@pytest.mark.parametrize("validate", [True, False])
def test_without_a_status_endpoint_the_listing_says_when_the_round_is_done(
    validate: bool, mstr_server: ReferenceServer
) -> None:
    mstr_server.fail(404, times=100, path="/status$")
    nested = [
        {"key": "A1000000000000000000000000000001@0@10", "type": "VALUE", "answers": "2016"},
        {
            "key": "A1000000000000000000000000000002@0@10",
            "type": "ELEMENTS",
            "answers": [{"id": "h2016;8D679D5111D3E4981000E787EC6DE8A4", "name": "2016"}],
        },
        {"key": "A1000000000000000000000000000003@0@10", "type": "VALUE", "answers": "Jones"},
    ]
    with connect(mstr_server.url) as conn:
        sql = conn.report(NESTED_REPORT).sql(rest.decode({"prompts": nested}), validate=validate)
    assert "'Jones'" in sql
    paths = [r.path for r in mstr_server.requests]
    assert not [p for p in paths if re.fullmatch(r"/api/v2/reports/[^/]+/instances/[^/]+", p)]
    assert not mstr_server.live_instances()


def test_validate_false_with_a_round_left_open_is_prompts_outstanding(
    mstr_server: ReferenceServer,
) -> None:
    first = {"key": "A1000000000000000000000000000001@0@10", "type": "VALUE", "answers": "2016"}
    with connect(mstr_server.url) as conn, pytest.raises(PromptsOutstanding) as caught:
        conn.report(NESTED_REPORT).sql(rest.decode({"prompts": [first]}), validate=False)
    assert [p.key for p in caught.value.prompts] == ["A1000000000000000000000000000002@0@10"]
    assert not mstr_server.live_instances()


def seed_000_only(state: dict[str, Any]) -> Any:
    """A server with seed 000's requests and nothing else (404 for the rest)."""

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        bare = path.split("?")[0].removeprefix("/MicroStrategyLibrary")
        json_type = {"Content-Type": "application/json"}
        if bare == "/api/auth/login":
            return 204, {"X-MSTR-AuthToken": "tok"}, b""
        if bare == "/api/auth/logout":
            return 204, {}, b""
        if method == "POST" and bare == f"/api/model/reports/{SEED_000_REPORT}/instances":
            state["answered"] = False
            return 201, json_type, b'{"id": "95DB57A54ACCCF292F0C0E9689EDF0A4"}'
        instance = f"/api/reports/{SEED_000_REPORT}/instances/95DB57A54ACCCF292F0C0E9689EDF0A4"
        if method == "PUT" and bare == f"{instance}/prompts/answers":
            state["answered"] = json.loads(body)
            return 204, {}, b""
        if method == "GET" and bare == f"/api/v2{instance.removeprefix('/api')}/sqlView":
            if not state.get("answered"):
                return 400, json_type, b'{"code": "ERR006", "message": "unanswered prompts"}'
            return 200, json_type, b'{"sqlStatement": "select 1"}'
        if method == "DELETE" and bare == f"/api/model/reports/{SEED_000_REPORT}/instances":
            return 204, {}, b""
        return 404, {}, b""

    return answer


@pytest.mark.parametrize("validate", [True, False])
def test_a_server_with_only_the_documented_requests(validate: bool) -> None:
    state: dict[str, Any] = {}
    with Hostile(seed_000_only(state)) as server:
        with connect(server.url) as conn:
            assert conn.report(SEED_000_REPORT).sql(SEED_000, validate=validate) == "select 1"
        paths = [p for _, p, _, _ in server.requests]
    assert not [p for p in paths if DATA_ENDPOINT.match(p)], paths
    assert state["answered"]["prompts"][0]["answers"] == [{"name": "USA"}, {"name": "England"}]
