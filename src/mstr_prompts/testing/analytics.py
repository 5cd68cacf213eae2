"""The endpoints that clients other than ours call around prompted content.

Each route answers in the shape of the REST API documentation's sample for it, or of a
response recorded from a live server where the documentation shows none (the official
Python SDK, mstrio-py, keeps such recordings under ``tests/resources/api-responses/``;
the ones the tests compare with are in ``fixtures/server/``).  The Swagger is
https://demo.microstrategy.com/MicroStrategyLibrary/api-docs/ and the workflows
https://microstrategy.github.io/rest-api-docs/.

* ``GET /api/status`` (no session): ``iServerVersion``, ``webVersion``, ``upSince`` …
  (Swagger "Server status", ``misc/server_status.json``);
* ``GET``/``PUT``/``DELETE /api/sessions``, ``GET /api/sessions/userInfo`` (Swagger
  "Authentication"; ``sessions/userInfo-GET.json``);
* ``GET /api/projects`` (Swagger "Projects"; ``microstrategy/projects.json``);
* ``GET /api/objects/{id}?type=`` (Swagger "Object Management");
* ``GET /api/v2/reports/{id}``: the report definition (``reports/report_definition.json``);
* report instances, v1 ``POST /api/reports/{id}/instances`` and v2
  ``POST /api/v2/reports/{id}/instances`` (body, ``offset``/``limit``/``fields``): status
  2 and ``instanceId`` while prompts are open, else the first page; ``GET`` of either
  version's instance; ``PUT`` of a v2 instance (a manipulation); ``…/pageBy/elements``;
* ``POST …/promptsAnswers`` (Library short answers) on reports and documents, and the
  document routes under ``/api/dossiers/{id}/instances/{mid}/…`` too.

The v2 data grid is the documented one (``definition.grid.rows[]``/``columns[]`` with
``id``, ``forms`` and ``elements[{id, formValues}]``, ``data.headers`` indexing them,
``data.metricValues.{raw, formatted, extras}``, ``data.paging``), as in the "Execute
report" and "Manage page-by information" samples
(https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report)
and ``reports/report_instance.json``.
"""

from __future__ import annotations

import time
from typing import Any

from .. import definitions, library
from ..errors import PromptAnswerError
from .catalog import Served
from .core import ServerCore
from .wire import Call, Refusal, Reply, ServedInstance, reply

__all__ = ["ROW_ATTRIBUTE", "ROW_FORM", "VALUE_METRIC", "data_grid", "install_analytics"]

ROW_ATTRIBUTE = "3C2B1A0F9E8D47C6B5A4938271605F4E"
"""The attribute of every served object's rows (an invented ID; the rows are invented)."""
ROW_FORM = "45C11FA478E745FEA08D781CEA190FE5"
"""The one form the rows show (its ID is the recorded ``reports/report_instance.json``'s)."""
VALUE_METRIC = "7FD5B69611D5AC76C000D98A4CC5F24F"
"""The metric of every served object: "Revenue" of the "Object prompts" sample."""

_TYPES = {"report": 3, "datamart": 3, "document": 55, "dossier": 55}
_SUBTYPES = {"report": 768, "datamart": 776, "document": 14081, "dossier": 14081}
_OWNER = {"name": "Administrator", "id": "54F3D26011D2896560009A8E67019608"}
_STARTED = int(time.time() * 1000)


def install_analytics(server: ServerCore) -> None:
    """Add the routes of this module to ``server`` (:class:`~mstr_prompts.testing.ReferenceServer` does).

    >>> core = ServerCore()
    >>> install_analytics(core)
    >>> any(p.pattern == "^/api/status$" for _, p, *_ in core.routes)
    True
    """
    r = server.route
    obj = r"(?P<oid>[^/]+)"
    v1 = rf"/api/reports/{obj}/instances/(?P<iid>[^/]+)"
    v2 = rf"/api/v2/reports/{obj}/instances/(?P<iid>[^/]+)"

    # ------------------------------------------------------------ server and session

    def status(call: Call) -> Reply:
        # Swagger GET /api/status; recorded: mstrio-py tests/resources/api-responses/misc/server_status.json
        up = int(time.time() * 1000) - _STARTED
        return reply(
            200,
            {
                "upSince": _STARTED,
                "upTime": up,
                "upTimeText": _uptime(up),
                "webVersion": server.web_version,
                "iServerVersion": server.iserver_version,
                "minMobileCompatibleVersion": "11.2.220.0000",
            },
        )

    def session_info(call: Call) -> Reply:
        # Swagger GET /api/sessions ("Get information for the current session")
        user = server.user_of(call) or ""
        return reply(
            200,
            {
                "locale": 1033,
                "maxSearch": 3,
                "workingSet": 10,
                "timeout": 600,
                "id": _user_id(user),
                "fullName": user,
                "initials": user[:2].upper(),
            },
        )

    def renew(call: Call) -> Reply:
        # Swagger PUT /api/sessions: 204; an ended session gets 401 ERR009 (recorded:
        # mstrio-py tests/resources/auto-api-responses/sessions-PUT.json)
        return reply(204)

    def user_info(call: Call) -> Reply:
        # Swagger GET /api/sessions/userInfo; recorded: auto-api-responses/sessions/userInfo-GET.json
        user = server.user_of(call) or ""
        return reply(
            200,
            {
                "metadataUser": True,
                "id": _user_id(user),
                "fullName": user,
                "initials": user[:2].upper(),
                "profileColor": "#F48852",
            },
        )

    def projects(call: Call) -> Reply:
        # Swagger GET /api/projects; recorded: api-responses/microstrategy/projects.json
        return reply(
            200,
            [
                {
                    "acg": 255,
                    "id": server.project_id,
                    "name": "MicroStrategy Tutorial",
                    "status": 0,
                    "alias": "",
                    "description": "The reference server's project.",
                    "dateCreated": "2015-06-30T21:55:35.000+0000",
                    "dateModified": "2019-11-14T10:10:37.000+0000",
                    "owner": dict(_OWNER),
                }
            ],
        )

    def object_info(call: Call) -> Reply:
        # Swagger GET /api/objects/{id}?type= (Object Management); recorded:
        # api-responses/admin/application/get_object_info.json
        served = server.catalog.get(call.group("oid"))
        wanted = call.param("type")
        if call.group("oid") == server.project_id and wanted in (None, "32"):
            return reply(200, _project_object(server.project_id))
        if served is None or (wanted is not None and wanted != str(_TYPES[served.kind])):
            raise Refusal(
                404,
                "ERR004",
                f"Object with ID '{call.group('oid')}' and type {wanted} is not found.",
                iServerCode=-2147216373,
            )
        return reply(200, _object(served, server.project_id))

    def nodes(call: Call) -> Reply:
        # Swagger GET /api/monitors/iServer/nodes; recorded: api-responses/admin/application/nodes.json
        return reply(
            200,
            {
                "nodes": [
                    {
                        "name": "127.0.0.1",
                        "port": 34952,
                        "status": "running",
                        "load": 0,
                        "projects": [
                            {
                                "id": server.project_id,
                                "name": "MicroStrategy Tutorial",
                                "status": "loaded",
                            }
                        ],
                        "default": True,
                    }
                ]
            },
        )

    # ------------------------------------------------------------ reports

    def definition(call: Call) -> Reply:
        # GET /api/v2/reports/{id}; recorded: api-responses/reports/report_definition.json
        served = server.served_object(call.group("oid"), ("report", "datamart"))
        grid = _grid(served, [])
        for row in grid["rows"]:
            row.pop("elements")
        return reply(
            200,
            {
                "name": served.name,
                "id": served.id,
                "source": {"id": served.id, "name": served.name},
                "definition": {"grid": grid, "availableObjects": _available()},
            },
        )

    def create(version: int) -> Any:
        def handler(call: Call) -> Reply:
            served = server.served_object(call.group("oid"), ("report", "datamart"))
            body = call.json()
            if body is not None and not isinstance(body, dict):
                raise Refusal(400, "ERR006", "The request body must be a JSON object.")
            instance = server.new_instance(served, owner=server.owner_of(call))
            if "respond-async" in call.headers.get("prefer", "").lower():
                server.run_async(instance)
                return reply(
                    202,
                    {"id": served.id, "name": served.name, "instanceId": instance.id, "status": 2}
                    if instance.status == 2
                    else {"id": served.id, "name": served.name, "instanceId": instance.id},
                )
            server.finish(instance)  # a synchronous creation runs the report now
            return reply(200, _page(server, call, instance, version))

        return handler

    def read(version: int) -> Any:
        def handler(call: Call) -> Reply:
            instance = server.instance_for(call)
            if server.status_walk:
                # The old walk: each read is a poll that shows the next running state.
                status = server.current_status(instance) if instance.schedule else 1
            else:
                server.finish(instance)  # a synchronous read waits for the run's end
                status = server.current_status(instance) if instance.schedule else 1
            if status not in (1, 2):
                body = {"id": instance.served.id, "status": status, "instanceId": instance.id}
                return reply(200, body)
            return reply(200, _page(server, call, instance, version))

        return handler

    def page_by(call: Call) -> Reply:
        # Swagger GET /api/v2/reports/{id}/instances/{iid}/pageBy/elements: the served
        # reports have no page-by attributes (the SDK asks before it reads the status).
        server.instance_for(call)
        return reply(200, {"pageBy": [], "validPageByElements": {"items": []}})

    def end_session(call: Call) -> Reply:
        # Swagger DELETE /api/sessions: the logout's other spelling, 204
        server.end_session(call.token)
        return reply(204)

    def prompts_answers(call: Call) -> Reply:
        # POST …/promptsAnswers: Library's short answers ({"answers": [{"key", "values",
        # "useDefault"}]}), as MicroStrategy for Office and the Power BI connector send them
        instance = server.instance_for(call)
        try:
            answers, _name = library.decode_body(call.json())
            with server.lock:
                defs = definitions.decode(instance.open_prompts())
            answers = definitions.bind(answers, defs)
        except PromptAnswerError:
            raise Refusal(400, "ERR006", "The prompt answers are not valid.") from None
        server.apply_answers(instance, answers)
        return reply(204)

    r("GET", "/api/status", auth=False, project=False)(status)
    r("GET", "/api/sessions", project=False)(session_info)
    r("PUT", "/api/sessions", project=False)(renew)
    r("DELETE", "/api/sessions", project=False)(end_session)
    r("GET", "/api/sessions/userInfo", project=False)(user_info)
    r("GET", "/api/projects", project=False)(projects)
    r("GET", f"/api/objects/{obj}", project=False)(object_info)
    r("GET", "/api/monitors/iServer/nodes", project=False)(nodes)
    r("GET", f"/api/v2/reports/{obj}")(definition)
    r("POST", f"/api/reports/{obj}/instances/?")(create(1))
    r("POST", f"/api/v2/reports/{obj}/instances/?")(create(2))
    r("GET", v1)(read(1))
    r("GET", v2)(read(2))
    r("PUT", v2)(read(2))
    r("GET", f"{v2}/pageBy/elements")(page_by)
    r("POST", f"{v1}/promptsAnswers")(prompts_answers)

    def dashboard(call: Call) -> Reply:
        # GET /api/dossiers/{id}/instances/{mid} ("Object prompts" workflow, step 7): the
        # dashboard's status once its prompts are answered, and its (empty) chapters.
        instance = server.instance_for(call)
        served = instance.served
        return reply(
            200,
            {
                "id": served.id,
                "name": served.name,
                "mid": instance.id,
                "status": server.current_status(instance),
                "chapters": [],
            },
        )

    r("GET", rf"/api/dossiers/{obj}/instances/(?P<iid>[^/]+)")(dashboard)
    for kind in ("documents", "dossiers"):
        r("POST", rf"/api/{kind}/{obj}/instances/(?P<iid>[^/]+)/promptsAnswers")(prompts_answers)


def _uptime(ms: int) -> str:
    seconds = ms // 1000
    return (
        f"{seconds // 3600:02d} Hours {seconds // 60 % 60:02d} Minutes {seconds % 60:02d} seconds"
    )


def _user_id(user: str) -> str:
    import hashlib

    return hashlib.md5(user.encode(), usedforsecurity=False).hexdigest().upper()


def _object(served: Served, project_id: str) -> dict[str, Any]:
    return {
        "name": served.name,
        "id": served.id,
        "type": _TYPES[served.kind],
        "subtype": _SUBTYPES[served.kind],
        "extType": 0,
        "dateCreated": "2021-03-01T10:00:00.000+0000",
        "dateModified": "2021-03-01T10:00:00.000+0000",
        "version": "3A4A5A6A7A8A49B0A1B2C3D4E5F60718",
        "owner": dict(_OWNER),
        "acg": 255,
        "acl": _acl(),
        "ancestors": [
            {"name": "Shared Reports", "id": "D3C7D461F69C4610AA6BAA5EF51F4125", "level": 1}
        ],
        "projectId": project_id,
    }


def _project_object(project_id: str) -> dict[str, Any]:
    return {
        "name": "MicroStrategy Tutorial",
        "id": project_id,
        "type": 32,
        "subtype": 8192,
        "dateCreated": "2015-06-30T21:55:35.000+0000",
        "dateModified": "2019-11-14T10:10:37.000+0000",
        "version": "1EFC012711EAC74100000080EFD58CAD",
        "acg": 255,
        "owner": dict(_OWNER),
        "acl": _acl(),
        "extType": 0,
        "ancestors": [],
    }


def _acl() -> list[dict[str, Any]]:
    return [
        {
            "deny": False,
            "type": 1,
            "rights": 255,
            "trusteeId": "C82C6B1011D2894CC0009D9F29718E4F",
            "trusteeName": "Everyone",
            "trusteeType": 34,
            "trusteeSubtype": 8705,
            "inheritable": False,
        }
    ]


def _available() -> dict[str, Any]:
    return {
        "attributes": [
            {"id": ROW_ATTRIBUTE, "name": "Row", "type": "attribute", "forms": [_form()]}
        ],
        "metrics": [
            {"id": VALUE_METRIC, "name": "Revenue", "type": "metric", "dataType": "double"}
        ],
        "customGroups": [],
        "consolidations": [],
        "hierarchies": [],
    }


def _form() -> dict[str, str]:
    return {
        "id": ROW_FORM,
        "name": "DESC",
        "dataType": "varChar",
        "baseFormCategory": "DESC",
        "baseFormType": "text",
    }


def _grid(served: Served, rows: list[tuple[str, float]]) -> dict[str, Any]:
    values = [value for _, value in served.rows] or [0.0]
    return {
        "crossTab": False,
        "metricsPosition": {"axis": "columns", "index": 0},
        "rows": [
            {
                "name": "Row",
                "id": ROW_ATTRIBUTE,
                "type": "attribute",
                "forms": [_form()],
                "elements": [
                    {
                        "id": f"h{name.split()[-1]};{ROW_ATTRIBUTE}",
                        "name": name,
                        "formValues": [name],
                    }
                    for name, _ in rows
                ],
            }
        ],
        "columns": [
            {
                "name": "Metrics",
                "id": "00000000000000000000000000000000",
                "type": "templateMetrics",
                "elements": [
                    {
                        "name": "Revenue",
                        "id": VALUE_METRIC,
                        "type": "metric",
                        "min": min(values),
                        "max": max(values),
                        "dataType": "double",
                        "numberFormatting": {"category": 1, "formatString": '"$"#,##0.00'},
                    }
                ],
            }
        ],
        "pageBy": [],
        # recorded: api-responses/reports/subtotals_definition.json
        "subtotals": {"defined": False, "visible": False},
        "sorting": {"rows": [], "columns": []},
        "thresholds": [],
    }


def data_grid(
    instance: ServedInstance, offset: int, limit: int, fields: str | None = None
) -> dict[str, Any]:
    """One page of a ready instance's data in the v2 shape, ``fields`` applied.

    >>> from mstr_prompts.testing.catalog import Served
    >>> page = data_grid(ServedInstance("I", Served("R", "r", rows=[("Row 001", 1.5)])), 0, 10)
    >>> page["definition"]["grid"]["rows"][0]["elements"][0]["formValues"], page["data"]["headers"]
    (['Row 001'], {'rows': [[0]], 'columns': [[0]]})
    """
    served = instance.served
    rows = served.rows[offset : offset + limit]
    body: dict[str, Any] = {
        "name": served.name,
        "id": served.id,
        "source": {"id": served.id, "name": served.name},
        "instanceId": instance.id,
        "status": 1,
        "definition": {"grid": _grid(served, rows)},
        "data": {
            "currentPageBy": [],
            "paging": {
                "total": len(served.rows),
                "current": len(rows),
                "offset": offset,
                "limit": limit,
            },
            "headers": {"rows": [[i] for i in range(len(rows))], "columns": [[0]]},
            "metricValues": {
                "raw": [[value] for _, value in rows],
                "formatted": [[f"${value:,.2f}"] for _, value in rows],
                "extras": [[{}] for _ in rows],
            },
        },
    }
    return apply_fields(body, fields)


def apply_fields(body: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """The documented ``fields`` filter: ``a,b`` keeps top-level fields, ``-a.b`` drops a path.

    >>> apply_fields({"a": 1, "b": {"c": 2, "d": 3}}, "-b.c")
    {'a': 1, 'b': {'d': 3}}
    >>> apply_fields({"a": 1, "b": 2}, "a")
    {'a': 1}
    """
    if not fields:
        return body
    names = [f.strip() for f in fields.split(",") if f.strip()]
    keep = [n for n in names if not n.startswith("-")]
    if keep:
        body = {k: v for k, v in body.items() if k in keep}
    for name in names:
        if not name.startswith("-"):
            continue
        *parents, last = name[1:].split(".")
        node: Any = body
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return body


def _page(server: ServerCore, call: Call, instance: ServedInstance, version: int) -> Any:
    if instance.status == 2:
        return {
            "name": instance.served.name,
            "id": instance.served.id,
            "status": 2,
            "instanceId": instance.id,
        }
    offset = _number(call.param("offset"), 0)
    limit = _number(call.param("limit"), server.page_size)
    if limit == -1:
        limit = max(len(instance.served.rows), 1)
    if limit < 1 or offset < 0:
        raise Refusal(400, "ERR006", "offset and limit must be positive.")
    grid = data_grid(instance, offset, limit, call.param("fields"))
    return grid if version == 2 else _v1(grid)


def _v1(grid: dict[str, Any]) -> dict[str, Any]:
    """The v1 report data: ``result.definition`` and a ``result.data.root`` tree."""
    rows = grid["definition"]["grid"]["rows"][0]["elements"]
    values = grid["data"]["metricValues"]
    children = [
        {
            "depth": 0,
            "element": {
                "attributeIndex": 0,
                "formValues": {"DESC": element["formValues"][0]},
                "name": element["name"],
                "id": element["id"],
            },
            "metrics": {
                "Revenue": {
                    "rv": raw[0],
                    "fv": formatted[0],
                    "mi": 0,
                }
            },
        }
        for element, raw, formatted in zip(
            rows, values.get("raw", []), values.get("formatted", []), strict=False
        )
    ]
    return {
        "name": grid["name"],
        "id": grid["id"],
        "instanceId": grid["instanceId"],
        "status": 1,
        "result": {
            "definition": {
                "attributes": [
                    {"name": "Row", "id": ROW_ATTRIBUTE, "type": "Attribute", "forms": []}
                ],
                "metrics": [{"name": "Revenue", "id": VALUE_METRIC, "type": "Metric"}],
                "thresholds": [],
                "sorting": [],
            },
            "data": {
                "paging": grid["data"]["paging"],
                "root": {"isPartial": False, "children": children},
            },
        },
    }


def _number(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    stripped = text.strip()
    digits = stripped[1:] if stripped.startswith("-") else stripped
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        raise Refusal(400, "ERR006", f"'{text[:40]}' is not a number.")
    return int(stripped)
