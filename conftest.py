"""Doctest collection: the optional mstrio-py bridge needs the SDK installed."""

from __future__ import annotations

import importlib.util


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False


# mstr_prompts.mstrio and the tests' SDK body builder import mstrio-py; without it they
# (and their doctests) cannot load, so they are left out rather than failing collection.
# tests/test_mstrio.py skips itself.  The test extra installs the SDK.
collect_ignore = (
    [] if _installed("mstrio") else ["src/mstr_prompts/mstrio.py", "tests/mstrio_bodies.py"]
)
