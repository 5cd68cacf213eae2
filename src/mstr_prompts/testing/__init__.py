"""An offline MicroStrategy Library REST server for tests, ours and our users'.

>>> from mstr_prompts.testing import ReferenceServer
>>> with ReferenceServer() as server:
...     server.url.endswith("/MicroStrategyLibrary")
True

In pytest, add ``pytest_plugins = ["mstr_prompts.testing.fixtures"]`` to a
``conftest.py`` and use the ``mstr_server`` fixture (see docs/client.md).

Inside the package, imports run one way, each layer using only those above it in
this list (checked by tests/test_layers.py):

1. ``catalog``, ``rules``: the served objects; the server's checks of answers;
2. ``wire``: what a handler gets and answers (:class:`Call`, :class:`Refusal`, :func:`reply` …);
3. ``reading``: answers read as the server reads them;
4. ``core``: :class:`ServerCore`, the settings, live state, route table and shared
   operations, without HTTP;
5. ``routes``, ``datamarts``, ``analytics``: route modules, each registering its
   handlers on a core it is given;
6. ``server``: :class:`ReferenceServer`, a core that installs the route modules and
   serves them over HTTP;
7. ``fixtures``, ``__main__``: the pytest plugin; ``python -m mstr_prompts.testing``.
"""

from .catalog import PROJECT_ID, Served, demo_catalog
from .core import ServerCore
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
    "ServerCore",
    "demo_catalog",
    "render_sql",
    "reply",
]
