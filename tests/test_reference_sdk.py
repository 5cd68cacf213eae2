"""The official Python SDK, mstrio-py, unmodified, against the reference server.

Its documented prompt workflows (https://github.com/MicroStrategy/mstrio-py, the
``code_snippets`` for reports, documents and dashboards, and ``mstrio.api.reports``),
step by step, over http and over https (``certificate_path=server.ca_file``).  Each
step leaves no instance behind: where the SDK does not delete what it created, the
test deletes it through the documented endpoint (``DELETE
/api/model/reports/{id}/instances`` with ``X-MSTR-MS-Instance``, or ``DELETE
/api/documents/{id}/instances/{mid}``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from mstrio.api import documents as documents_api
from mstrio.api import reports as reports_api
from mstrio.connection import Connection
from mstrio.modeling import Prompt
from mstrio.project_objects.dashboard import Dashboard
from mstrio.project_objects.document import Document
from mstrio.project_objects.report import Report
from mstrio.utils.response_processors import reports as reports_processors

from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import (
    COUNTRY_ATTRIBUTE,
    DEMO_DOCUMENT,
    DEMO_DOSSIER,
    NESTED_REPORT,
    OBJECT_PROMPT_REPORT,
    SEED_000_REPORT,
    UNPROMPTED_REPORT,
)

COUNTRY_KEY = "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10"
REGION_KEY = "D4F70D5ABA4F596ACE2844BAF90432D5@0@10"
YEAR_VALUE_KEY = "A1000000000000000000000000000001@0@10"
YEAR_ELEMENTS_KEY = "A1000000000000000000000000000002@0@10"
CUSTOMER_KEY = "A1000000000000000000000000000003@0@10"
ATTRIBUTES_KEY = "753C65EB402C44D3A991F285D3CB7F6D@0@10"
METRICS_KEY = "07736087478D24656A2A65820F968661@0@10"


class SDK:
    """A server and an SDK connection to it."""

    def __init__(self, server: ReferenceServer, conn: Connection) -> None:
        self.server, self.conn = server, conn

    def delete_report_instance(self, report_id: str, instance_id: str) -> None:
        """The SDK keeps v2 report instances; the documented endpoint deletes them."""
        r = self.conn.delete(
            endpoint=f"/api/model/reports/{report_id}/instances",
            headers={"X-MSTR-MS-Instance": instance_id},
        )
        assert r.status_code == 204, r.text

    def answers_received(self) -> list[Any]:
        """The bodies of every answer call so far."""
        return [r.json() for r in self.server.requests if r.path.endswith("/prompts/answers")]


@pytest.fixture(scope="module", params=["http", "https"])
def sdk(request: pytest.FixtureRequest) -> Iterator[SDK]:
    logging.getLogger("mstrio").setLevel(logging.WARNING)
    with (
        pytest.MonkeyPatch.context() as env,
        ReferenceServer(tls=request.param == "https") as server,
    ):
        # requests lets these variables override a session's CA bundle (its own quirk).
        env.delenv("REQUESTS_CA_BUNDLE", raising=False)
        env.delenv("CURL_CA_BUNDLE", raising=False)
        extra = {"certificate_path": server.ca_file} if server.tls else {}
        conn = Connection(server.url, "user", "password", project_id=PROJECT_ID, **extra)
        yield SDK(server, conn)
        conn.close()


@pytest.fixture
def step(sdk: SDK) -> Iterator[SDK]:
    """One workflow step: recorded requests cleared before, no instance left after."""
    sdk.server.clear()
    yield sdk
    left = sdk.server.live_instances()
    sdk.server.expire_instances()
    assert not left, f"instances left on the server: {left}"


def test_01_connection(step: SDK) -> None:
    conn = step.conn
    assert conn.status() and conn.iserver_version == "11.3.0000"
    assert conn.project_id == PROJECT_ID and conn.user_full_name == "user"
    assert conn.base_url.startswith("https://" if step.server.tls else "http://")


def test_02_report_prompts(step: SDK) -> None:
    prompts = Report(step.conn, id=SEED_000_REPORT).prompts
    assert [(p.key, p.name) for p in prompts] == [(COUNTRY_KEY, "Elements of Country")]


def test_03_to_dataframe_with_prompt_answers(step: SDK) -> None:
    report = Report(step.conn, id=SEED_000_REPORT)
    answer = Prompt(
        type="ELEMENTS", key=COUNTRY_KEY, answers=[{"name": "USA"}, {"name": "England"}]
    )
    df = report.to_dataframe(prompt_answers=[answer])
    assert list(df.columns) == ["Row", "Revenue"] and df.shape == (57, 2)
    assert df["Revenue"].iloc[0] == 1012.5
    assert step.answers_received()[0]["prompts"][0]["answers"] == [
        {"name": "USA"},
        {"name": "England"},
    ]
    step.delete_report_instance(SEED_000_REPORT, report.instance_id)


def test_04_to_dataframe_asynchronously(step: SDK) -> None:
    report = Report(step.conn, id=SEED_000_REPORT)
    answer = Prompt(type="ELEMENTS", key=COUNTRY_KEY, answers=[{"id": f"h1;{COUNTRY_ATTRIBUTE}"}])
    df = report.to_dataframe(prompt_answers=[answer], async_execution=True, poll_interval=0.01)
    assert df.shape == (57, 2)
    step.delete_report_instance(SEED_000_REPORT, report.instance_id)


def test_05_to_dataframe_with_untyped_objects_and_a_default(step: SDK) -> None:
    report = Report(step.conn, id=OBJECT_PROMPT_REPORT)
    answers = [
        # The SDK's documentation writes object answers without their type.
        Prompt(
            type="OBJECTS", key=ATTRIBUTES_KEY, answers=[{"id": "8D679D5111D3E4981000E787EC6DE8A4"}]
        ),
        Prompt(type="OBJECTS", key=METRICS_KEY, use_default=True),
    ]
    assert report.to_dataframe(prompt_answers=answers).shape == (5, 2)
    sql = reports_api.report_sql(step.conn, OBJECT_PROMPT_REPORT, report.instance_id).json()
    assert "8D679D5111D3E4981000E787EC6DE8A4" in sql["sqlStatement"]
    step.delete_report_instance(OBJECT_PROMPT_REPORT, report.instance_id)


def test_06_answer_prompts_over_three_nested_rounds(step: SDK) -> None:
    report = Report(step.conn, id=NESTED_REPORT)
    answered = report.answer_prompts(
        [
            Prompt(type="VALUE", key=YEAR_VALUE_KEY, answers=2016),
            Prompt(type="ELEMENTS", key=YEAR_ELEMENTS_KEY, answers=[{"name": "2016"}]),
            Prompt(type="VALUE", key=CUSTOMER_KEY, answers="Jo"),
        ],
        force=True,
    )
    assert answered is True
    assert [len(b["prompts"]) for b in step.answers_received()] == [1, 1, 1]
    sql = reports_api.report_sql(step.conn, NESTED_REPORT, report.instance_id).json()[
        "sqlStatement"
    ]
    assert "'2016'" in sql and "'Jo'" in sql
    data = reports_api.report_instance_id(step.conn, NESTED_REPORT, report.instance_id).json()
    assert data["status"] == 1 and data["data"]["paging"]["total"] == 12
    step.delete_report_instance(NESTED_REPORT, report.instance_id)


def test_07_report_sql(step: SDK) -> None:
    report = Report(step.conn, id=UNPROMPTED_REPORT)
    assert report.sql.startswith("select a11.*")
    iid = step.server.live_instances()[0]
    step.delete_report_instance(UNPROMPTED_REPORT, iid)


def test_08_to_12_api_execute_status_prompts_answers_sql(step: SDK) -> None:
    conn = step.conn
    created = reports_api.execute_report(
        conn,
        SEED_000_REPORT,
        instance_id=None,
        project_id=PROJECT_ID,
        execution_stage="resolve_prompts",
    )
    assert created.status_code == 202  # the SDK asks for respond-async
    iid = created.json()["id"]
    status = reports_processors.get_report_status(conn, SEED_000_REPORT, iid, PROJECT_ID)
    assert status.status_code == 200 and status.json()["status"] == 2
    prompts = reports_api.get_prompted_instance(conn, SEED_000_REPORT, iid, closed=False).json()
    assert [p["key"] for p in prompts] == [COUNTRY_KEY]
    body = {"prompts": [{"key": COUNTRY_KEY, "type": "ELEMENTS", "answers": [{"name": "USA"}]}]}
    answered = reports_api.answer_report_prompts(conn, SEED_000_REPORT, iid, body, PROJECT_ID)
    assert answered.status_code == 204
    assert (
        reports_processors.get_report_status(conn, SEED_000_REPORT, iid, PROJECT_ID).json()[
            "status"
        ]
        == 1
    )
    sql = reports_api.report_sql(conn, SEED_000_REPORT, iid).json()["sqlStatement"]
    assert "'USA'" in sql
    step.delete_report_instance(SEED_000_REPORT, iid)


def test_13_document_prompts(step: SDK) -> None:
    document = Document(step.conn, id=DEMO_DOCUMENT)
    assert [p.key for p in document.prompts] == [REGION_KEY]


def test_14_document_answer_prompts(step: SDK) -> None:
    document = Document(step.conn, id=DEMO_DOCUMENT)
    answer = Prompt(type="ELEMENTS", key=REGION_KEY, answers=[{"name": "South"}])
    assert document.answer_prompts([answer], force=True) is True
    mid = document.instance_id
    status = documents_api.get_document_status(step.conn, DEMO_DOCUMENT, mid).json()
    assert status["status"] == 1
    assert documents_api.delete_document_instance(step.conn, DEMO_DOCUMENT, mid).ok


def test_15_dashboard_answer_prompts_over_two_rounds(step: SDK) -> None:
    dashboard = Dashboard(step.conn, id=DEMO_DOSSIER)
    assert [p.key for p in dashboard.prompts] == [REGION_KEY]
    answers = [
        Prompt(type="ELEMENTS", key=REGION_KEY, answers=[{"name": "South"}]),
        Prompt(type="VALUE", key=YEAR_VALUE_KEY, answers=2016),
    ]
    assert dashboard.answer_prompts(answers, force=True) is True
    assert [len(b["prompts"]) for b in step.answers_received()] == [1, 1]
    mid = dashboard.instance_id
    assert documents_api.delete_document_instance(step.conn, DEMO_DOSSIER, mid).ok


def test_16_session_renewal_and_a_refusal_the_sdk_reads(step: SDK) -> None:
    conn = step.conn
    assert conn._renew().status_code == 204  # PUT /api/sessions
    report = Report(conn, id=SEED_000_REPORT)
    bad = Prompt(type="ELEMENTS", key=COUNTRY_KEY, answers=[{"name": "Atlantis"}])
    with pytest.raises(Exception, match="Unable to find elements that match Atlantis") as caught:
        report.to_dataframe(prompt_answers=[bad])
    assert "ERR006" in str(caught.value)
    step.delete_report_instance(SEED_000_REPORT, report.instance_id)


SDK_ANSWERS = [
    # Each as the SDK's Prompt writes it: no type, lower-case type, numbers, null names,
    # object answers without their type (as its own docstring writes them), use_default.
    (SEED_000_REPORT, [Prompt(key=COUNTRY_KEY, answers=[{"name": "USA"}])]),
    (
        SEED_000_REPORT,
        [
            Prompt(
                key=COUNTRY_KEY,
                type="elements",
                answers=[{"id": f"h1;{COUNTRY_ATTRIBUTE}", "name": None}],
            )
        ],
    ),
    (NESTED_REPORT, [Prompt(key=YEAR_VALUE_KEY, answers=2016)]),
    (NESTED_REPORT, [Prompt(key=YEAR_VALUE_KEY, type="value", answers=2016.0)]),
    (
        OBJECT_PROMPT_REPORT,
        [
            Prompt(
                key=ATTRIBUTES_KEY,
                type="OBJECTS",
                answers=[{"name": "Year", "id": "8D679D5111D3E4981000E787EC6DE8A4"}],
            ),
            Prompt(key=METRICS_KEY, use_default=True),
        ],
    ),
    (
        OBJECT_PROMPT_REPORT,
        [
            Prompt(
                key=ATTRIBUTES_KEY,
                type="objects",
                answers=[{"id": "8D679D4A11D3E4981000E787EC6DE8A4"}],
            ),
            Prompt(
                key=METRICS_KEY,
                type="OBJECTS",
                answers=[{"id": "4C051DB611D3E877C000B3B2D86C964F", "type": "metric"}],
            ),
        ],
    ),
]


@pytest.mark.parametrize(("report_id", "prompts"), SDK_ANSWERS)
def test_17_the_sdks_answer_bodies_are_read(
    step: SDK, report_id: str, prompts: list[Prompt]
) -> None:
    created = reports_api.report_instance(step.conn, report_id)
    iid = created.json()["instanceId"]
    body = {"prompts": [p.to_dict() for p in prompts]}
    answered = reports_api.answer_report_prompts(step.conn, report_id, iid, body, PROJECT_ID)
    assert answered.status_code == 204
    status = reports_processors.get_report_status(step.conn, report_id, iid, PROJECT_ID)
    # The nested report's next round opens (2); the others are ready (1).
    assert status.json()["status"] == (2 if report_id == NESTED_REPORT else 1)
    step.delete_report_instance(report_id, iid)
