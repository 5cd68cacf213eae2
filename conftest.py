"""Doctest collection: the optional mstrio-py bridge needs the SDK installed."""

from __future__ import annotations

import importlib.util

# mstr_prompts.mstrio imports mstrio-py; without it the module (and its doctests) cannot
# load, so it is left out rather than failing collection.  The test extra installs it.
collect_ignore = [] if importlib.util.find_spec("mstrio") else ["src/mstr_prompts/mstrio.py"]
