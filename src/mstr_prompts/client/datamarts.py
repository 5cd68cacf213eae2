"""Datamarts: run one with prompt answers, then optionally save it with prompt options.

The workflow is MicroStrategy's "Execute a datamart" (available since 2021 Update 9,
https://microstrategy.github.io/rest-api-docs/common-workflows/modeling/manage-datamart-objects/execute-a-datamart):

1. ``POST /api/model/datamarts/{id}/instances`` (empty body) answers 201 with the
   instance ID in the ``X-MSTR-MS-Instance`` response header;
2. ``POST /api/datamarts/{id}/instances/{iid}/execution/jobs`` starts the job;
3. ``GET /api/datamarts/{id}/instances/{iid}/execution`` is polled; status 2 means the
   datamart has prompts, answered through the **reports** endpoint
   ``PUT /api/reports/{id}/instances/{iid}/prompts/answers`` (every nested round), and
   polling goes on until status 1;
4. optionally ``POST /api/model/datamarts/{id}/instances/save`` or ``…/saveAs`` with
   ``promptOptions`` (and ``name``, ``destinationFolderId`` for save as), sent with
   ``X-MSTR-MS-Instance``;
5. ``DELETE /api/model/datamarts/{id}/instances`` with ``X-MSTR-MS-Instance``, whatever
   happened before.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..definitions import Missing
from ..element_id import GUID_PATTERN
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .answering import answer_rounds, given
from .errors import ExecutionFailed, TransportError, UnusedAnswers
from .instances import ReportInstance
from .polling import PollPolicy, wait_status
from .redaction import redacting
from .runs import Progress, RunStatus, gone_as
from .session import Response, instance_header, segment, server_id

if TYPE_CHECKING:
    from .session import Session

_log = logging.getLogger("mstr_prompts.client")

__all__ = [
    "Datamart",
    "DatamartInstance",
    "DatamartOptionsError",
    "DatamartResult",
    "PromptOptions",
    "SaveAs",
]


class DatamartOptionsError(PromptAnswerError):
    """``save=`` or ``save_as=`` is neither the typed options nor their documented JSON.

    >>> str(DatamartOptionsError("save_as must be a SaveAs or its JSON object, not int"))
    'save_as must be a SaveAs or its JSON object, not int'
    """


_OPTION_FIELDS = {
    "saveAsWithAnswers": "with_answers",
    "saveAsFilterWithPrompts": "filter_with_prompts",
    "saveAsTemplateWithPrompts": "template_with_prompts",
}
"""The documented ``promptOptions`` fields and the :class:`PromptOptions` fields they set."""


@dataclasses.dataclass(frozen=True)
class PromptOptions:
    """The ``promptOptions`` of a datamart save: what becomes of its prompts.

    ``with_answers`` saves this run's answers with the datamart (``saveAsWithAnswers``);
    ``filter_with_prompts`` and ``template_with_prompts`` keep the filter's and the
    template's prompts (``saveAsFilterWithPrompts``, ``saveAsTemplateWithPrompts``).
    The defaults keep the prompts and do not store the answers.

    >>> PromptOptions(with_answers=True).to_json()
    {'saveAsWithAnswers': True, 'saveAsFilterWithPrompts': True, 'saveAsTemplateWithPrompts': True}
    """

    with_answers: bool = False
    filter_with_prompts: bool = True
    template_with_prompts: bool = True

    def to_json(self) -> dict[str, bool]:
        """The ``promptOptions`` object of the save request."""
        return {
            "saveAsWithAnswers": self.with_answers,
            "saveAsFilterWithPrompts": self.filter_with_prompts,
            "saveAsTemplateWithPrompts": self.template_with_prompts,
        }

    @classmethod
    def from_json(cls, body: Any) -> PromptOptions:
        """The options of a ``promptOptions`` mapping, or of the whole save body that holds
        one (``{"promptOptions": {...}}``, as the documentation's sample).  A field left
        out keeps its default; an unknown field or a value that is not true or false
        raises :class:`DatamartOptionsError`.

        >>> PromptOptions.from_json({"promptOptions": {"saveAsWithAnswers": True}})
        PromptOptions(with_answers=True, filter_with_prompts=True, template_with_prompts=True)
        """
        if isinstance(body, Mapping) and set(body) == {"promptOptions"}:
            body = body["promptOptions"]
        if not isinstance(body, Mapping):
            raise DatamartOptionsError(
                f"promptOptions must be a JSON object, not {type(body).__name__}"
            )
        unknown = sorted(str(k) for k in body if k not in _OPTION_FIELDS)
        if unknown:
            raise DatamartOptionsError(
                f"unknown promptOptions field(s): {', '.join(unknown)[:200]} (known: "
                f"{', '.join(_OPTION_FIELDS)})"
            )
        values = {}
        for name, value in body.items():
            if not isinstance(value, bool):
                raise DatamartOptionsError(f"promptOptions {name} must be true or false")
            values[_OPTION_FIELDS[name]] = value
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class SaveAs:
    """Save the datamart as a new object ``name`` in folder ``folder_id``.

    >>> SaveAs("City", "8A1831FF494F528D02A4A8BF5FB73459").to_json()["destinationFolderId"]
    '8A1831FF494F528D02A4A8BF5FB73459'
    """

    name: str
    folder_id: str
    options: PromptOptions = dataclasses.field(default_factory=PromptOptions)

    def to_json(self) -> dict[str, Any]:
        """The body of ``POST …/instances/saveAs``."""
        return {
            "name": self.name,
            "destinationFolderId": self.folder_id,
            "promptOptions": self.options.to_json(),
        }

    @classmethod
    def from_json(cls, body: Any) -> SaveAs:
        """The target of a ``saveAs`` body as the documentation writes it (``name``,
        ``destinationFolderId`` and optionally ``promptOptions``); anything else raises
        :class:`DatamartOptionsError`.

        >>> SaveAs.from_json({"name": "City", "destinationFolderId": "8A1831FF494F528D02A4A8BF5FB73459",
        ...                   "promptOptions": {"saveAsWithAnswers": True}}).options.with_answers
        True
        """
        if not isinstance(body, Mapping):
            raise DatamartOptionsError(
                f"save_as must be a SaveAs or its JSON object, not {type(body).__name__}"
            )
        unknown = sorted(
            str(k) for k in body if k not in ("name", "destinationFolderId", "promptOptions")
        )
        if unknown:
            raise DatamartOptionsError(f"unknown saveAs field(s): {', '.join(unknown)[:200]}")
        name, folder = body.get("name"), body.get("destinationFolderId")
        if not isinstance(name, str) or not name.strip() or not name.isprintable():
            raise DatamartOptionsError("saveAs name must be non-empty printable text")
        if not isinstance(folder, str) or not re.fullmatch(GUID_PATTERN, folder):
            raise DatamartOptionsError(
                "saveAs destinationFolderId must be a 32-hex-digit object ID"
            )
        options = body.get("promptOptions")
        return cls(
            name, folder, PromptOptions() if options is None else PromptOptions.from_json(options)
        )


@dataclasses.dataclass(frozen=True)
class DatamartResult:
    """What a datamart execution did: its instance, job, final status, the saved object.

    >>> DatamartResult("D", "I", 1, job_id=None, saved_id=None).status
    1
    """

    datamart_id: str
    instance_id: str
    status: int
    job_id: str | None
    saved_id: str | None


@redacting
class DatamartInstance(ReportInstance):
    """A datamart instance: prompts answered through the reports endpoints (seed 001).

    Its status is the execution status (``GET /api/datamarts/{id}/instances/{iid}/execution``);
    it is deleted with ``DELETE /api/model/datamarts/{id}/instances`` and
    ``X-MSTR-MS-Instance``.
    """

    kind = "datamart"

    @property
    def execution_path(self) -> str:
        """``/api/datamarts/{id}/instances/{iid}/execution``."""
        return f"/api/datamarts/{segment(self.object_id)}/instances/{segment(self.instance_id)}/execution"

    def send_delete(self) -> None:
        # As the seed's DELETE: token, cookies and X-MSTR-MS-Instance, no project.
        self.conn.request(
            "DELETE",
            f"/api/model/datamarts/{segment(self.object_id)}/instances",
            # Checked as a path segment would be: "", "." or ".." name no instance.
            headers={"X-MSTR-MS-Instance": instance_header(self.instance_id)},
            project=False,
        )

    def status_reply(self) -> Response:
        """One look at the execution (``GET …/execution``): ``{"id", "status", "instanceId"}``."""
        return self.conn.request("GET", self.execution_path)

    def status(self) -> int:
        """Poll the execution until it is no longer running; return its status."""
        with gone_as(str(self)):
            return wait_status(self.reported(self.status_reply), self.policy)

    def start(self) -> dict[str, Any]:
        """``POST …/execution/jobs``: start the job; the reply has ``status`` and ``jobId``."""
        path = f"/api/datamarts/{segment(self.object_id)}/instances/{segment(self.instance_id)}/execution/jobs"
        with gone_as(str(self)):
            response = self.conn.request("POST", path)
        body = response.json_or_none()
        return body if isinstance(body, dict) else {}

    def save(self, body: dict[str, Any], *, save_as: bool = False) -> str | None:
        """``POST /api/model/datamarts/{id}/instances/save`` (or ``saveAs``); the saved ID."""
        action = "saveAs" if save_as else "save"
        response = self.conn.request(
            "POST",
            f"/api/model/datamarts/{segment(self.object_id)}/instances/{action}",
            json_body=body,
            # Checked as a path segment would be: "", "." or ".." name no instance.
            headers={"X-MSTR-MS-Instance": instance_header(self.instance_id)},
            project=False,
        )
        reply = response.json_or_none()
        saved = reply.get("objectId") if isinstance(reply, dict) else None
        return saved if isinstance(saved, str) else None


@redacting
class Datamart:
    """A datamart on the server; :meth:`execute` runs it (seed 001).

    >>> from mstr_prompts.client import Connection
    >>> Connection("http://127.0.0.1:1", login_mode=8).datamart("85000B907B4EAD3B0D9522A9CFD10DBC")
    <Datamart 85000B907B4EAD3B0D9522A9CFD10DBC>
    """

    def __init__(
        self, conn: Session, datamart_id: str, *, policy: PollPolicy | None = None
    ) -> None:
        self.conn = conn
        self.id = datamart_id
        self.policy = policy or conn.poll_policy or PollPolicy()

    def __repr__(self) -> str:
        return f"<Datamart {self.id}>"

    def create(self) -> DatamartInstance:
        """``POST /api/model/datamarts/{id}/instances``: a new instance (the caller deletes it)."""
        response: Response = self.conn.request(
            "POST", f"/api/model/datamarts/{segment(self.id)}/instances"
        )
        instance_id = response.headers.get("X-MSTR-MS-Instance")
        if not instance_id:
            body = response.json_or_none()
            if isinstance(body, dict):
                instance_id = body.get("instanceId") or body.get("id")
        if not isinstance(instance_id, str) or not instance_id:
            raise TransportError(
                response.request,
                status=response.status,
                server_message="the reply names no instance (no X-MSTR-MS-Instance header)",
            )
        instance_id = server_id(instance_id, response.request)
        return DatamartInstance(self.conn, self.id, instance_id, policy=self.policy)

    def execute(
        self,
        answers: AnswerSet | Sequence[AnswerSet] | None = None,
        *,
        save: PromptOptions | Mapping[str, Any] | bool | None = None,
        save_as: SaveAs | Mapping[str, Any] | None = None,
        validate: bool = True,
        missing: Missing | None = None,
        timeout: float | None = None,
        progress: Progress | None = None,
    ) -> DatamartResult:
        """Run the datamart with ``answers``, optionally save it, and delete the instance.

        ``save=True`` (or a :class:`PromptOptions`) saves the datamart with those prompt
        options; ``save_as`` saves it as a new object.  ``timeout`` bounds each wait for
        the execution (None: as long as it takes).  Raises
        :class:`~mstr_prompts.client.ExecutionFailed` on an execution error,
        :class:`~mstr_prompts.client.PromptsOutstanding` when a prompt has no answer.
        The instance is deleted whatever happens.
        """
        options = _save_options(save)
        target = None if save_as is None else _save_target(save_as)
        if options is not None and target is not None:
            raise DatamartOptionsError("give save= or save_as=, not both")
        policy = self.policy
        if timeout is not None:
            policy = dataclasses.replace(policy, timeout=timeout)
        elif policy.timeout != math.inf:
            policy = dataclasses.replace(policy, timeout=math.inf)
        instance = self.create()
        instance.policy = policy
        # Every wait reports, also those between the rounds of answers.
        instance.progress = progress
        started = instance.started = time.monotonic()
        with instance:
            job = instance.start()
            if progress is not None:
                progress(_job_status(job), time.monotonic() - started)
            status = instance.status()
            if status == 2:
                status = answer_rounds(instance, answers, validate=validate, missing=missing)
            elif status == 1 and given(answers):
                # No prompt ever came: the answers would be dropped without a word.
                raise UnusedAnswers(given(answers))
            if status != 1:
                raise ExecutionFailed(
                    str(instance),
                    server_message=f"the execution ended with status {status} (execution error)",
                )
            saved = None
            if target is not None:
                saved = instance.save(target.to_json(), save_as=True)
            elif options is not None:
                saved = instance.save({"promptOptions": options.to_json()})
        job_id = job.get("jobId")
        return DatamartResult(
            self.id,
            instance.instance_id,
            status,
            job_id if isinstance(job_id, str) else None,
            saved,
        )


def _save_options(save: Any) -> PromptOptions | None:
    """``save=``: None or False (no save), True (the defaults), the typed options, or the
    documented JSON (the save body, or its ``promptOptions``)."""
    if save is None or save is False:
        return None
    if save is True:
        return PromptOptions()
    if isinstance(save, PromptOptions):
        return save
    if isinstance(save, Mapping):
        return PromptOptions.from_json(save)
    raise DatamartOptionsError(
        f"save= takes True, PromptOptions or its JSON object, not {type(save).__name__}"
    )


def _save_target(save_as: Any) -> SaveAs:
    if isinstance(save_as, SaveAs):
        return save_as
    return SaveAs.from_json(save_as)


def _job_status(job: dict[str, Any]) -> RunStatus:
    code = job.get("status")
    return RunStatus(code if isinstance(code, int) and not isinstance(code, bool) else None)
