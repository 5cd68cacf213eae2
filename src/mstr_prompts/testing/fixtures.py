"""pytest fixtures for the reference server.

Use them with ``pytest_plugins = ["mstr_prompts.testing.fixtures"]`` in ``conftest.py``:

* ``mstr_server_session``: one server for the whole test session;
* ``mstr_server``: that server, with recorded requests and faults cleared before each
  test, and its instances checked after it (a test that leaves one behind fails).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import ReferenceServer

__all__ = ["mstr_server", "mstr_server_session"]


@pytest.fixture(scope="session")
def mstr_server_session() -> Iterator[ReferenceServer]:
    """A reference server running for the whole session."""
    with ReferenceServer() as server:
        yield server


@pytest.fixture
def mstr_server(mstr_server_session: ReferenceServer) -> Iterator[ReferenceServer]:
    """The session's reference server, cleared for this test; no instance may be left."""
    server = mstr_server_session
    server.quiesce()  # a slow request of the last test must not land in this one's record
    server.clear()
    server.status_polls = 1
    with server.lock:
        server.instances.clear()
    yield server
    server.clear()
    left = server.live_instances()
    with server.lock:
        server.instances.clear()
    assert not left, f"instances left on the server: {left}"
