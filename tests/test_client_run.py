"""client.run: one run as the command line does it, against the reference server."""

from __future__ import annotations

import json

import pytest

from mstr_prompts import rest
from mstr_prompts.client.run import CredentialsMissing, connect_from_env, run
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.testing import ReferenceServer
from mstr_prompts.testing.catalog import DEMO_DOCUMENT, SEED_000_REPORT, UNPROMPTED_REPORT

ENV = {"MSTR_USERNAME": "user", "MSTR_PASSWORD": "password"}
REGION = {
    "prompts": [
        {
            "key": "D4F70D5ABA4F596ACE2844BAF90432D5@0@10",
            "type": "ELEMENTS",
            "answers": [{"id": "h3;8D679D4B11D3E4981000E787EC6DE8A4", "name": "South"}],
        }
    ]
}


def test_report_sql_and_data(mstr_server: ReferenceServer) -> None:
    body = rest.decode(
        '{"prompts": [{"name": "Elements of Country", "type": "ELEMENTS", "answers": [{"name": "USA"}]}]}'
    )
    with connect_from_env(mstr_server.url, mstr_server.project_id, ENV) as conn:
        sql = run(conn, "report", SEED_000_REPORT, body, output="sql")
        data = json.loads(run(conn, "report", UNPROMPTED_REPORT, None, output="data"))
    assert sql.endswith("\n") and "'USA'" in sql
    assert data["data"]["paging"]["total"] == 3


def test_document_data_is_the_answered_state(mstr_server: ReferenceServer) -> None:
    with connect_from_env(mstr_server.url, mstr_server.project_id, ENV) as conn:
        state = json.loads(run(conn, "document", DEMO_DOCUMENT, rest.decode(REGION), output="data"))
        with pytest.raises(PromptAnswerError, match="no SQL view"):
            run(conn, "document", DEMO_DOCUMENT, rest.decode(REGION), output="sql")
    assert state["status"] == 1
    assert [(p["key"], p["closed"]) for p in state["prompts"]] == [
        ("D4F70D5ABA4F596ACE2844BAF90432D5@0@10", True)
    ]


def test_credentials_come_from_the_environment(mstr_server: ReferenceServer) -> None:
    with pytest.raises(CredentialsMissing):
        connect_from_env(mstr_server.url, None, {})
    mstr_server.api_tokens.add("env-token-123")
    conn = connect_from_env(mstr_server.url, None, {"MSTR_API_TOKEN": "env-token-123", **ENV})
    assert conn.login_mode == 4096
    conn.login()
    conn.close()
    with pytest.raises(PromptAnswerError, match="MSTR_LOGIN_MODE"):
        connect_from_env(mstr_server.url, None, {**ENV, "MSTR_LOGIN_MODE": "8"})
    assert (
        connect_from_env(mstr_server.url, None, {**ENV, "MSTR_LOGIN_MODE": "16"}).login_mode == 16
    )
