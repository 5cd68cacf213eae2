"""Helpers for the tests that hold two paths of the library equal (a fast path against
the checked one, packed rows against a row per answer, the ``<exp>`` scan against the
walk): switch a module's path off for a while, and compare outcomes, errors included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from mstr_prompts.errors import PromptAnswerError


@contextmanager
def switched(module: ModuleType, **values: Any) -> Iterator[None]:
    """Set the module's switches (``switched(url, _PACK=False)``) and restore them after."""
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def outcome(function: Callable[[], Any]) -> Any:
    """The result, or the error's type and message.

    Any exception counts: the two paths must agree even where the library has a bug
    (a foreign exception is other tests' business).
    """
    try:
        return ("ok", function())
    except PromptAnswerError as exc:
        return (type(exc).__name__, str(exc))
    except Exception as exc:
        return ("foreign " + type(exc).__name__, str(exc))
