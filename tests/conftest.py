"""Test settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# No per-example deadline: CI machines are shared and a slow example is not a bug.
# Timing is never asserted in tests (benchmarks live in bench/).
settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    print_blob=True,
)
# `HYPOTHESIS_PROFILE=thorough make test` explores ten times more examples.
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

# The reference server's fixtures (mstr_server, mstr_server_session), as users get them.
pytest_plugins = ["mstr_prompts.testing.fixtures"]
