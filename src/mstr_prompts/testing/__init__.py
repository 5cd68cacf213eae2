"""An offline MicroStrategy Library REST server for tests, ours and our users'.

>>> from mstr_prompts.testing import ReferenceServer
>>> with ReferenceServer() as server:
...     server.url.endswith("/MicroStrategyLibrary")
True

In pytest, add ``pytest_plugins = ["mstr_prompts.testing.fixtures"]`` to a
``conftest.py`` and use the ``mstr_server`` fixture (see docs/client.md).
"""

from .catalog import PROJECT_ID, Served, demo_catalog
from .server import (
    Call,
    Fault,
    Recorded,
    ReferenceServer,
    Refusal,
    Reply,
    ServedInstance,
    render_sql,
    reply,
)

__all__ = [
    "PROJECT_ID",
    "Call",
    "Fault",
    "Recorded",
    "ReferenceServer",
    "Refusal",
    "Reply",
    "Served",
    "ServedInstance",
    "demo_catalog",
    "render_sql",
    "reply",
]
