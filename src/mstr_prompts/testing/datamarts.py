"""Datamarts on the reference server, as "Execute a datamart" documents them (seed 001).

https://microstrategy.github.io/rest-api-docs/common-workflows/modeling/manage-datamart-objects/execute-a-datamart

* ``POST /api/model/datamarts/{id}/instances``: 201, empty body, the instance in the
  ``X-MSTR-MS-Instance`` response header;
* ``POST /api/datamarts/{id}/instances/{iid}/execution/jobs``: 200
  ``{"id", "instanceId", "status": 5, "jobId"}``; the job then runs through the
  server's running states before it is prompted (2) or done (1);
* ``GET /api/datamarts/{id}/instances/{iid}/execution``: 200 ``{"id", "status", "instanceId"}``;
* prompts are answered through the reports endpoints (``/api/reports/{id}/instances/{iid}/…``);
* ``POST /api/model/datamarts/{id}/instances/save`` and ``…/saveAs`` with
  ``X-MSTR-MS-Instance`` and ``promptOptions``: 200 ``{"objectId"}``;
* ``DELETE /api/model/datamarts/{id}/instances`` with ``X-MSTR-MS-Instance``: 204.
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

from .core import ServerCore
from .wire import Call, Refusal, Reply, ServedInstance, reply

__all__ = ["PROMPT_OPTIONS", "install_datamarts"]

PROMPT_OPTIONS = ("saveAsWithAnswers", "saveAsFilterWithPrompts", "saveAsTemplateWithPrompts")
"""The three booleans of ``promptOptions``."""

_GUID = re.compile(r"[0-9A-F]{32}")


def install_datamarts(server: ServerCore) -> None:
    """Add the datamart routes to ``server``.

    >>> core = ServerCore()
    >>> install_datamarts(core)
    >>> sorted({method for method, *_ in core.routes})
    ['DELETE', 'GET', 'POST']
    """
    obj = r"(?P<oid>[^/]+)"
    run = r"/api/datamarts/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
    model = f"/api/model/datamarts/{obj}/instances"

    def create(call: Call) -> Reply:
        served = server.served_object(call.group("oid"), ("datamart",))
        instance = server.new_instance(served, owner=server.owner_of(call))
        instance.pending_polls = 0
        return reply(201, None, ("X-MSTR-MS-Instance", instance.id))

    def start(call: Call) -> Reply:
        instance = server.instance_for(call)
        with server.lock:
            if instance.job_id is not None:
                raise Refusal(400, "ERR006", "The datamart is already executing.")
            token = base64.b64encode(uuid.uuid4().hex[:18].upper().encode()).decode()
            instance.job_id = f"10:{token}"
            server.run_async(instance)
            instance.schedule.insert(0, 5)
            first = instance.schedule.pop(0)
        return reply(
            200,
            {
                "id": instance.served.id,
                "instanceId": instance.id,
                "status": first,
                "jobId": instance.job_id,
            },
        )

    def execution(call: Call) -> Reply:
        instance = server.instance_for(call)
        if instance.job_id is None:
            raise Refusal(400, "ERR006", "The datamart instance has not been executed.")
        status = server.current_status(instance)
        return reply(200, {"id": instance.served.id, "status": status, "instanceId": instance.id})

    def saver(action: str) -> Any:
        def save(call: Call) -> Reply:
            instance = _ms_instance(server, call)
            if instance.job_id is None or instance.schedule or instance.status != 1:
                raise Refusal(400, "ERR006", "The datamart has not finished executing.")
            body = call.json()
            if not isinstance(body, dict):
                raise Refusal(400, "ERR006", "The request body must be a JSON object.")
            _check_options(body.get("promptOptions"))
            allowed = {"promptOptions"}
            if action == "saveAs":
                allowed |= {"name", "destinationFolderId"}
                name, folder = body.get("name"), body.get("destinationFolderId")
                if not isinstance(name, str) or not name.strip():
                    raise Refusal(400, "ERR006", "The name of the datamart is required.")
                if not isinstance(folder, str) or not _GUID.fullmatch(folder):
                    raise Refusal(400, "ERR006", "destinationFolderId must be an object ID.")
            unknown = set(body) - allowed
            if unknown:
                raise Refusal(400, "ERR006", f"Unknown field(s): {', '.join(sorted(unknown))}.")
            object_id = instance.served.id if action == "save" else uuid.uuid4().hex.upper()
            with server.lock:
                server.saved[object_id] = {
                    "action": action,
                    "datamart": instance.served.id,
                    "answers": dict(instance.answered),
                    **body,
                }
            return reply(200, {"objectId": object_id})

        return save

    def delete(call: Call) -> Reply:
        server.drop_instance(_ms_instance(server, call))
        return reply(204)

    r = server.route
    r("POST", model)(create)
    r("POST", f"{model}/save", project=False)(saver("save"))
    r("POST", f"{model}/saveAs", project=False)(saver("saveAs"))
    r("DELETE", model, project=False)(delete)
    r("POST", f"{run}/execution/jobs")(start)
    r("GET", f"{run}/execution")(execution)


def _ms_instance(server: ServerCore, call: Call) -> ServedInstance:
    iid = call.headers.get("x-mstr-ms-instance")
    if not iid:
        raise Refusal(400, "ERR006", "The X-MSTR-MS-Instance header is required.")
    return server.instance_for(call, iid)


def _check_options(options: Any) -> None:
    if options is None:
        return
    if not isinstance(options, dict):
        raise Refusal(400, "ERR006", "promptOptions must be an object.")
    for key, value in options.items():
        if key not in PROMPT_OPTIONS:
            raise Refusal(400, "ERR006", f"Unknown prompt option '{key}'.")
        if not isinstance(value, bool):
            raise Refusal(400, "ERR006", f"The prompt option '{key}' must be true or false.")
