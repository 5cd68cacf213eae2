"""The REST API's own routes on the reference server: sessions, instances and prompts.

* ``POST /api/auth/login`` and ``/logout`` (standard, LDAP, anonymous and API-token
  logins; https://microstrategy.github.io/rest-api-docs/getting-started/authentication);
* report instances through the modeling service (``POST``/``DELETE
  /api/model/reports/{id}/instances``, seed 000), their ``status``, ``prompts``,
  ``prompts/answers``, element and object lists and ``sqlView``;
* document and dashboard instances (``mid``): creation with ``linkingInfo.promptsAnswers``
  XML, ``rePrompt``, delete, and the same prompt routes.

:func:`install_routes` registers them on a :class:`~.core.ServerCore`;
:class:`~mstr_prompts.testing.ReferenceServer` calls it before the routes of
:mod:`.datamarts` and :mod:`.analytics`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from .. import xml
from ..errors import PromptAnswerError
from .core import ServerCore
from .reading import read_answers
from .wire import DONE, Call, Refusal, Reply, render_sql, reply

__all__ = ["install_routes"]


def install_routes(server: ServerCore) -> None:
    """Add the sessions, instances and prompts routes to ``server``.

    >>> core = ServerCore()
    >>> install_routes(core)
    >>> core.handle("POST", "/api/auth/login", {}, {}, b'{"loginMode": 8}')[0]
    204
    """

    def login(call: Call) -> Reply:
        content_type = call.headers.get("content-type", "")
        if "json" in content_type or call.body.strip().startswith(b"{"):
            body = call.json()
        else:
            body = {k: v[0] for k, v in parse_qs(call.body.decode(errors="replace")).items()}
        if not isinstance(body, dict):
            raise Refusal(400, "ERR006", "The login body must be a JSON object.")
        mode = _login_mode(body.get("loginMode", 1))
        username, password = body.get("username"), body.get("password", "")
        for name, value in (("username", username), ("password", password)):
            if value is not None and not isinstance(value, str):
                raise Refusal(400, "ERR006", f"Invalid value for '{name}': a string is expected.")
        if mode in (1, 16):
            accepted = (
                isinstance(username, str)
                and username in server.users
                and server.users[username] == password
            )
        elif mode == 8:
            accepted = server.anonymous
        elif mode == 4096:
            accepted = isinstance(username, str) and username in server.api_tokens
        else:
            accepted = False
        if not accepted:
            raise Refusal(401, "ERR003", "Login failure: wrong username or password.")
        # Whose instances this session sees: the user's, the API token's, or the guest's.
        if mode in (1, 16) and isinstance(username, str):
            token, session = server.open_session(("user", username), username)
        elif mode == 4096:
            token, session = server.open_session(
                ("api-token", str(username)), f"api-token:{username}"
            )
        else:
            token, session = server.open_session(("guest", ""), "guest")
        # RFC 6265 §4.1.2.5: a Secure cookie goes back over https only, so a webapp
        # served over plain http cannot set one that a standard cookie jar returns.
        secure = "Secure; " if server.cookies_secure else ""
        attributes = f"Path={server.context}; {secure}HttpOnly"
        return reply(
            204,
            None,
            ("X-MSTR-AuthToken", token),
            ("Set-Cookie", f"JSESSIONID={session}; {attributes}"),
            ("Set-Cookie", f"iSession={token}; {attributes}"),
        )

    def logout(call: Call) -> Reply:
        server.end_session(call.token)
        return reply(204)

    def object_prompts(call: Call) -> Reply:
        served = server.catalog.get(call.group("oid"))
        if served is None:
            raise Refusal(404, "ERR004", "Object not found.")
        return reply(200, served.prompts(0))

    def create_report_instance(call: Call) -> Reply:
        served = server.served_object(call.group("oid"), ("report",))
        stage = call.param("executionStage") or "resolve_prompts"
        if stage not in ("resolve_prompts", "execute_data", "no_action"):
            raise Refusal(400, "ERR006", f"Invalid executionStage '{stage}'.")
        instance = server.new_instance(served, stage, server.owner_of(call))
        if "respond-async" in call.headers.get("prefer", "").lower():
            # Asynchronous creation: 202 with the instance, which then runs through
            # the running states before it is prompted (2) or ready (1).
            server.run_async(instance)
            return reply(202, {"id": instance.id}, ("X-MSTR-MS-Instance", instance.id))
        return reply(201, {"id": instance.id})

    def delete_report_instance(call: Call) -> Reply:
        iid = call.headers.get("x-mstr-ms-instance")
        if not iid:
            raise Refusal(400, "ERR006", "The X-MSTR-MS-Instance header is required.")
        server.drop_instance(server.instance_for(call, iid))
        return reply(204)

    def create_document_instance(call: Call) -> Reply:
        kind = "dossier" if call.path.startswith("/api/dossiers/") else "document"
        served = server.served_object(call.group("oid"), (kind, "document", "dossier"))
        body = call.json() or {}
        if not isinstance(body, dict):
            raise Refusal(400, "ERR006", "The request body must be a JSON object.")
        linking = body.get("linkingInfo")
        if linking is None:
            linking = {}
        if not isinstance(linking, dict):
            # As the server's JSON binding refuses it: linkingInfo is an object.
            raise Refusal(400, "ERR006", "linkingInfo must be a JSON object.")
        instance = server.new_instance(served, owner=server.owner_of(call))
        xml_text = linking.get("promptsAnswers")
        if xml_text:
            try:
                if not isinstance(xml_text, str):
                    raise Refusal(400, "ERR006", "linkingInfo.promptsAnswers must be a string.")
                try:
                    answers = xml.decode(xml_text)
                except PromptAnswerError:
                    raise Refusal(
                        400, "ERR006", "The prompt answers XML in linkingInfo is not valid."
                    ) from None
                server.apply_answers(instance, answers)
            except Refusal:
                # A refused creation leaves nothing behind.
                with server.lock:
                    server.instances.pop(instance.id, None)
                raise
        return reply(201, {"id": served.id, "mid": instance.id, "status": instance.status})

    def delete_document_instance(call: Call) -> Reply:
        server.drop_instance(server.instance_for(call))
        return reply(204)

    def reprompt(call: Call) -> Reply:
        instance = server.instance_for(call)
        fresh = server.new_instance(instance.served, owner=instance.owner)
        return reply(200, {"mid": fresh.id, "status": fresh.status})

    def status(call: Call) -> Reply:
        instance = server.instance_for(call)
        with server.lock:
            if instance.pending_polls > 0:
                instance.pending_polls -= 1
                return reply(202, None, ("Retry-After", server.retry_after))
            if instance.schedule and not server.status_walk and instance.schedule[0] not in DONE:
                # Still running: 202 and when to come back, as MicroStrategy's SDK reads
                # it (200 means ready, prompted or failed); the state goes by unseen.
                instance.schedule.pop(0)
                return reply(202, None, ("Retry-After", server.retry_after))
            # The datamart execution sample's shape, {id, status, instanceId}: the SDK
            # takes the instance ID from whichever reply ends its wait.
            status = server.current_status(instance)
            body = {"id": instance.served.id, "status": status, "instanceId": instance.id}
            return reply(200, body)

    def prompts(call: Call) -> Reply:
        instance = server.instance_for(call)
        closed_items = [dict(item, closed=True) for item in instance.answered.values()]
        open_items = [dict(p, closed=False) for p in instance.open_prompts()]
        if call.flag("closed") is False:
            return reply(200, open_items)
        return reply(200, closed_items + open_items)

    def answers(call: Call) -> Reply:
        instance = server.instance_for(call)
        with server.lock:
            known = instance.open_prompts() + list(instance.answered.values())
        server.apply_answers(instance, read_answers(call.json(), known, instance.served.objects))
        return reply(204)

    def look_up(call: Call, table: dict[str, list[dict[str, Any]]], field_name: str) -> Reply:
        instance = server.instance_for(call)
        key = call.group("key")
        items = table.get(key)
        if items is None:
            # The identifier may be the prompt's ID instead of its key.
            items = next((v for k, v in table.items() if k.split("@")[0] == key), None)
        if items is None:
            raise Refusal(
                404, "ERR004", f"Prompt '{key}' of {instance.served.id} has no {field_name}."
            )
        pattern = (call.param("searchPattern") or "").lower()
        chosen = [i for i in items if pattern in str(i.get("name", "")).lower()]
        offset, limit = _int(call.param("offset"), 0), _int(call.param("limit"), 100)
        if offset < 0:
            raise Refusal(400, "ERR006", "offset must not be negative.")
        if limit > 200 or limit < 1:
            raise Refusal(400, "ERR006", "limit must be between 1 and 200.")
        return reply(200, {field_name: chosen[offset : offset + limit], "totalSize": len(chosen)})

    def elements(call: Call) -> Reply:
        served = server.catalog.get(call.group("oid"))
        return look_up(call, served.elements if served else {}, "elements")

    def objects(call: Call) -> Reply:
        served = server.catalog.get(call.group("oid"))
        return look_up(call, served.objects if served else {}, "objects")

    def sql_view(call: Call) -> Reply:
        instance = server.instance_for(call)
        if instance.status != 1:
            raise Refusal(400, "ERR006", "The report instance still has unanswered prompts.")
        return reply(200, {"sqlStatement": render_sql(instance)})

    # ------------------------------------------------------------ the table
    obj = r"(?P<oid>[^/]+)"
    rep = r"/api/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
    doc = r"/api/documents/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
    dossier = r"/api/dossiers/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)"
    r = server.route
    r("POST", "/api/auth/login", auth=False, project=False)(login)
    r("POST", "/api/auth/logout", project=False)(logout)
    r("GET", f"/api/reports/{obj}/prompts")(object_prompts)
    r("GET", f"/api/documents/{obj}/prompts")(object_prompts)
    r("POST", f"/api/model/reports/{obj}/instances")(create_report_instance)
    r("DELETE", f"/api/model/reports/{obj}/instances", project=False)(delete_report_instance)
    for base in (rep, doc, dossier):
        r("GET", f"{base}/status")(status)
        r("GET", f"{base}/prompts")(prompts)
        r("PUT", f"{base}/prompts/answers")(answers)
        r("GET", rf"{base}/prompts/(?P<key>[^/]+)/elements")(elements)
        r("GET", rf"{base}/prompts/(?P<key>[^/]+)/objects")(objects)
    # "Answer prompts": documents and dashboards also take POST …/prompts/answers
    # (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-types/object-prompts)
    r("POST", f"{doc}/prompts/answers")(answers)
    r("POST", f"{dossier}/prompts/answers")(answers)
    r("GET", r"/api/v2/reports/(?P<oid>[^/]+)/instances/(?P<iid>[^/]+)/sqlView")(sql_view)
    r("POST", f"/api/documents/{obj}/instances")(create_document_instance)
    r("POST", f"/api/dossiers/{obj}/instances")(create_document_instance)
    for base in (doc, dossier):
        r("POST", f"{base}/rePrompt")(reprompt)
        r("DELETE", base)(delete_document_instance)


def _login_mode(value: Any) -> int:
    """``loginMode`` as a number or a numeric string (PBI sends ``"1"``); else 400."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,10}", value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise Refusal(400, "ERR006", "Invalid value for 'loginMode': an integer is expected.")
    return value


def _int(text: str | None, default: int) -> int:
    if text is None:
        return default
    if not re.fullmatch(r"-?[0-9]{1,9}", text.strip()):
        raise Refusal(400, "ERR006", f"'{text[:40]}' is not a number.")
    return int(text)
