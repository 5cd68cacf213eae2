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


# Real prompt-answer XML captures (fixtures/xml) that built a model before issue 22 item 2
# and now read as rows: hierarchy and form qualifications (the <exp> scan's expression
# rows) and empty answers of each family (close rows).  tests/test_expression_scan.py
# holds their rows equal to the model path's; tests/test_startup.py converts them with no
# model class loaded.
ROW_CAPTURES = [
    "f03-aq-id-equals-derived.xml",
    "f05-c14-value-and-empty-value.xml",
    "f08-hierarchy-one-level.xml",
    "f09-empty-expression.xml",
    "f12-element-empty.xml",
    "f14-objects-empty-counters.xml",
    "f20-object-empty.xml",
    "f22-jquery-builder-derived.xml",
    "library-hierarchy-key-lcl.xml",
]
