"""One run from start to finish, as the command line does it: connect, answer, print.

:func:`connect_from_env` reads the credentials from the environment (never from the
command line, where other users of the machine can see them); :func:`run` creates the
instance, answers every round, fetches the SQL or the data, and deletes the instance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal

from ..definitions import Missing
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .connection import Connection
from .runs import Progress

__all__ = ["CredentialsMissing", "Output", "connect_from_env", "run"]

Output = Literal["sql", "data"]
Kind = Literal["report", "document", "dossier"]


class CredentialsMissing(PromptAnswerError):
    """The environment's credentials are missing, half given or unusable.

    A usage error: nothing has been sent.  The message names the variables, never a
    value.

    >>> str(CredentialsMissing())
    'no credentials: set MSTR_USERNAME and MSTR_PASSWORD, or MSTR_API_TOKEN, in the environment'
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "no credentials: set MSTR_USERNAME and MSTR_PASSWORD, or MSTR_API_TOKEN, in the "
            "environment"
        )


def _usable(env: Mapping[str, str], name: str) -> str | None:
    """``env[name]``, refused (by name only) if no request could carry it: bytes that
    are not UTF-8 (Python keeps them as lone surrogates) or control characters."""
    value = env.get(name)
    if value is None:
        return None
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise CredentialsMissing(f"{name} is not valid UTF-8")
    if name != "MSTR_PASSWORD" and not value.isprintable():
        # A password may hold any character JSON carries; the others go into a header
        # or a JSON field a server compares as printed text.
        raise CredentialsMissing(f"{name} holds control characters")
    return value


def connect_from_env(base_url: str, project_id: str | None, env: Mapping[str, str]) -> Connection:
    """A connection with the credentials of ``env`` (``MSTR_API_TOKEN``, else
    ``MSTR_USERNAME`` and ``MSTR_PASSWORD``; ``MSTR_LOGIN_MODE=16`` for LDAP).

    Nothing is sent yet.  Credentials half given (a user name without a password, or a
    password without a user name) raise :class:`CredentialsMissing` here, before any
    request, rather than a refused login from the server; an empty ``MSTR_PASSWORD`` is
    a password (some accounts have none).

    >>> connect_from_env("https://h/MicroStrategyLibrary", "P",
    ...                  {"MSTR_USERNAME": "me", "MSTR_PASSWORD": "pw"}).login_mode
    1
    >>> connect_from_env("https://h/MicroStrategyLibrary", "P", {"MSTR_USERNAME": "me"})
    Traceback (most recent call last):
    ...
    mstr_prompts.client.run.CredentialsMissing: MSTR_USERNAME is set but MSTR_PASSWORD is not (set MSTR_PASSWORD="" for an account without a password)
    """
    token = _usable(env, "MSTR_API_TOKEN")
    username = _usable(env, "MSTR_USERNAME")
    password = _usable(env, "MSTR_PASSWORD")
    if token:
        return Connection(base_url, api_token=token, project_id=project_id)
    if username and password is None:
        raise CredentialsMissing(
            'MSTR_USERNAME is set but MSTR_PASSWORD is not (set MSTR_PASSWORD="" for an '
            "account without a password)"
        )
    if not username:
        if password is not None:
            raise CredentialsMissing("MSTR_PASSWORD is set but MSTR_USERNAME is not")
        raise CredentialsMissing()
    mode_text = env.get("MSTR_LOGIN_MODE", "1")
    if mode_text not in ("1", "16"):
        raise CredentialsMissing(
            f"MSTR_LOGIN_MODE must be 1 (standard) or 16 (LDAP), not {mode_text[:20]!r}"
        )
    return Connection(
        base_url,
        username=username,
        password=password,
        login_mode=int(mode_text),
        project_id=project_id,
    )


def run(
    conn: Connection,
    kind: Kind,
    object_id: str,
    answers: AnswerSet | None,
    *,
    output: Output,
    validate: bool = True,
    missing: Missing | None = None,
    progress: Progress | None = None,
) -> str:
    """Run one object with ``answers`` and return what to print: the SQL text, or JSON.

    Reports give their SQL (``output="sql"``) or all their data as JSON. Documents and
    dashboards have no SQL view; for them ``"data"`` is the answered instance's state
    (``id``, ``mid``, ``status`` and its prompts with their answers) as JSON.
    """
    if kind == "report":
        report = conn.report(object_id)
        if output == "sql":
            text = report.sql(answers, validate=validate, missing=missing, progress=progress)
            return text if text.endswith("\n") else text + "\n"
        data = report.data(answers, validate=validate, missing=missing, progress=progress)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output == "sql":
        raise PromptAnswerError(f"a {kind} has no SQL view; use --data")
    document = conn.dossier(object_id) if kind == "dossier" else conn.document(object_id)
    with document.open(answers, validate=validate, missing=missing, progress=progress) as instance:
        state = {
            "id": object_id,
            "mid": instance.instance_id,
            "status": instance.status(),
            "prompts": instance.prompts_json(),
        }
    return json.dumps(state, ensure_ascii=False, indent=2) + "\n"
