"""Report.data joins real recorded pages of a v2 grid (issue 19, item 11).

The pages are MicroStrategy's own recordings from mstrio-py (fixtures/client/grid,
Apache 2.0; see SOURCES.md there): the Iris report in pages of 70 and 80 rows, and the
same report in one page.  Each page lists only its own elements and indexes them from
0, so joining must rebase the second page's header indexes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hostile import Hostile

from mstr_prompts.client import Connection, TransportError
from mstr_prompts.client.grid import merge_page

GRID = Path(__file__).parent.parent / "fixtures" / "client" / "grid"
WHOLE = json.loads((GRID / "report_instance.json").read_text())
FIRST = json.loads((GRID / "report_instance_id.json").read_text())
SECOND = json.loads((GRID / "report_instance_id2.json").read_text())
REPORT = "0F1E2D3C4B5A49687786958473625140"
PROJECT = "B19DEDCC11D4E0EFC000EB9495D0F44F"
INSTANCE = "95DB57A54ACCCF292F0C0E9689EDF0A4"


def rows_as_values(reply: dict[str, Any]) -> list[list[Any]]:
    """Each header row as the elements it names: what a reader of the grid sees."""
    axis = reply["definition"]["grid"]["rows"]
    return [
        [axis[k]["elements"][index] for k, index in enumerate(row)]
        for row in reply["data"]["headers"]["rows"]
    ]


def test_the_recordings_index_their_own_pages() -> None:
    species = [e["formValues"] for e in SECOND["definition"]["grid"]["rows"][1]["elements"]]
    assert species == [["Iris-versicolor"], ["Iris-virginica"]]
    assert SECOND["data"]["headers"]["rows"][0] == [0, 0]  # row 71 is versicolor, index 0


def test_joined_pages_are_the_whole_report() -> None:
    joined = copy.deepcopy(FIRST)
    merge_page(joined, copy.deepcopy(SECOND), "GET /api/v2/reports/R/instances/I")
    assert joined["data"]["headers"] == WHOLE["data"]["headers"]
    assert joined["definition"]["grid"]["rows"] == WHOLE["definition"]["grid"]["rows"]
    assert joined["data"]["metricValues"] == WHOLE["data"]["metricValues"]
    assert rows_as_values(joined) == rows_as_values(WHOLE)


def test_appending_without_rebasing_would_be_wrong() -> None:
    """The bug this guards against: the second page's rows named the first page's
    elements (row 71 became row 1, Iris-setosa) or none at all."""
    naive = copy.deepcopy(FIRST)
    naive["data"]["headers"]["rows"] += SECOND["data"]["headers"]["rows"]
    assert naive["data"]["headers"]["rows"][70] == [0, 0]
    assert WHOLE["data"]["headers"]["rows"][70] == [70, 1]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda page: page["data"]["headers"]["rows"].append([0, 7]),
        lambda page: page["data"]["headers"]["rows"].append([0, "x"]),
        lambda page: page["data"]["headers"].update(columns=[[7, 6, 5]]),
        lambda page: page["definition"]["grid"]["columns"][0]["elements"].reverse(),
    ],
)
def test_a_page_that_does_not_fit_is_a_transport_error(spoil: Any) -> None:
    joined, page = copy.deepcopy(FIRST), copy.deepcopy(SECOND)
    spoil(page)
    with pytest.raises(TransportError, match="GET /x"):
        merge_page(joined, page, "GET /x")


def recorded_pages(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """A server that answers the data workflow with the recorded pages."""
    json_type = {"Content-Type": "application/json"}
    if path.endswith("/api/auth/login"):
        return 204, {"X-MSTR-AuthToken": "t0k3n"}, b""
    if method == "POST" and "/instances" in path:
        return 201, json_type, json.dumps({"id": INSTANCE}).encode()
    if path.split("?")[0].endswith("/status"):
        return 200, json_type, b'{"status": 1}'
    if method == "GET" and f"/api/v2/reports/{REPORT}/instances/{INSTANCE}" in path:
        query = parse_qs(urlsplit(path).query)
        page = SECOND if query.get("offset") == ["70"] else FIRST
        return 200, json_type, json.dumps(page).encode()
    return 204, {}, b""


def test_report_data_joins_the_recorded_pages() -> None:
    with Hostile(recorded_pages) as server:
        with Connection(server.url, login_mode=8, project_id=PROJECT) as conn:
            data = conn.report(REPORT).data(limit=70)
        asked = [(m, p) for m, p, _, _ in server.requests if "/api/v2/" in p]
    assert [urlsplit(p).query for _, p in asked] == ["limit=70", "offset=70&limit=70"]
    assert data["data"]["headers"] == WHOLE["data"]["headers"]
    assert rows_as_values(data) == rows_as_values(WHOLE)
    assert data["data"]["paging"]["total"] == 150
