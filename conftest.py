"""Doctest collection: the optional mstrio-py bridge needs the SDK installed."""

from __future__ import annotations

import importlib.util


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False


# mstr_prompts.mstrio imports mstrio-py; without it the module (and its doctests) cannot
# load, so it is left out rather than failing collection.  The test extra installs it.
collect_ignore = [] if _installed("mstrio") else ["src/mstr_prompts/mstrio.py"]
