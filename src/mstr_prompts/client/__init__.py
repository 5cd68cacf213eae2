"""A REST client on urllib3 that runs prompted reports, documents and dashboards.

>>> from mstr_prompts.client import Connection
>>> conn = Connection("https://example.com/MicroStrategyLibrary", username="u", password="p",
...                   project_id="B19DEDCC11D4E0EFC000EB9495D0F44F")
>>> conn.report("9B9ADA7F464E63CE0D0B709B03BD9370")
<Report 9B9ADA7F464E63CE0D0B709B03BD9370>

See docs/client.md for the workflows, the errors and the retry rules.

Inside the package, imports run one way, each layer using only those above it in
this list (checked by tests/test_layers.py):

1. ``errors``, ``deadlines``, ``redaction``, ``signals``, ``grid``: vocabulary and limits;
2. ``session``: the HTTP core (:class:`~.session.Session`: login, requests, retries);
3. ``polling``, ``answering``: statuses and waits; rounds of answers;
4. ``instances``: report, document and dashboard instances;
5. ``runs``, ``sqlview``, ``objects``, ``datamarts``: asynchronous runs; seed 000's SQL
   sequence; reports, documents, dashboards; datamarts;
6. ``many``: many runs at once;
7. ``connection``: the facade, :class:`Connection` (a session with ``report()``,
   ``datamart()``, ``run_many()`` …);
8. ``run``, ``progress``, ``commands``: what the command line calls.
"""

import logging

from ..errors import AnswersRejected
from .connection import (
    DEFAULT_MAX_BODY,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    Connection,
    LoginMode,
    Response,
)
from .datamarts import (
    Datamart,
    DatamartInstance,
    DatamartOptionsError,
    DatamartResult,
    PromptOptions,
    SaveAs,
)
from .deadlines import time_limit
from .errors import (
    AnswersRejectedByServer,
    BadBaseUrl,
    BadIdentifier,
    ExecutionFailed,
    Forbidden,
    InstanceGone,
    LoginFailed,
    NameNotResolved,
    NotFound,
    PromptsOutstanding,
    RunHandleError,
    ServerError,
    ServerUnreachable,
    SessionExpired,
    TransportError,
    UnusedAnswers,
)
from .instances import DocumentInstance, Instance, ReportInstance
from .many import Job, Outcome
from .objects import Document, Dossier, Report
from .polling import InstanceStatus, PollPolicy, PollTimeout
from .runs import ExecutionStatus, Run, RunStatus, RunTimeout
from .signals import Terminated

# A library never prints by itself (Python's logging HOWTO, "Configuring Logging for a
# Library": https://docs.python.org/3/howto/logging.html#configuring-logging-for-a-library):
# without this, logging's last-resort handler would write warnings to standard error.
logging.getLogger("mstr_prompts.client").addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "AnswersRejected",
    "AnswersRejectedByServer",
    "BadBaseUrl",
    "BadIdentifier",
    "Connection",
    "Datamart",
    "DatamartInstance",
    "DatamartOptionsError",
    "DatamartResult",
    "Document",
    "DocumentInstance",
    "Dossier",
    "ExecutionFailed",
    "ExecutionStatus",
    "Forbidden",
    "Instance",
    "InstanceGone",
    "InstanceStatus",
    "Job",
    "LoginFailed",
    "LoginMode",
    "NameNotResolved",
    "NotFound",
    "Outcome",
    "PollPolicy",
    "PollTimeout",
    "PromptOptions",
    "PromptsOutstanding",
    "Report",
    "ReportInstance",
    "Response",
    "Run",
    "RunHandleError",
    "RunStatus",
    "RunTimeout",
    "SaveAs",
    "ServerError",
    "ServerUnreachable",
    "SessionExpired",
    "Terminated",
    "TransportError",
    "UnusedAnswers",
    "time_limit",
]
