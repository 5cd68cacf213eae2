"""pytest fixtures for the reference server.

Use them with ``pytest_plugins = ["mstr_prompts.testing.fixtures"]`` in ``conftest.py``:

* ``mstr_server_session``: one server for the whole test session;
* ``mstr_server``: that server, reset before each test (recorded requests, faults,
  instances and every setting a test may change, see
  :meth:`~mstr_prompts.testing.ReferenceServer.reset`), and its instances checked
  after it (a test that leaves one behind fails).
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
    server.reset()  # every setting a test may have changed, and no leftovers
    yield server
    server.quiesce()
    server.clear()
    left = server.live_instances()
    server.reset()
    assert not left, f"instances left on the server: {left}"
