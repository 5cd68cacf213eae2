"""Properties of run handles: round trips, and nothing but RunHandleError on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts.client import Connection, Run, RunHandleError
from mstr_prompts.strategies import run_handles


@given(run_handles())
def test_handles_round_trip(handle: dict[str, Any]) -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=handle["project"])
    run = Run.from_json(conn, json.dumps(handle))
    again = run.handle()
    # The base is the connection's; everything else is the handle's.
    assert {k: v for k, v in again.items() if k != "base"} == {
        k: v for k, v in handle.items() if k != "base"
    }
    assert Run.from_json(conn, run.to_json()).handle() == again


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    run_handles(),
    st.sampled_from(
        [
            "mstrPromptsRun",
            "kind",
            "report",
            "instance",
            "result",
            "limit",
            "validate",
            "project",
            "missing",
        ]
    ),
    _JSON,
)
def test_damaged_handles_fail_only_with_run_handle_error(
    handle: dict[str, Any], field: str, value: Any
) -> None:
    handle[field] = value
    conn = Connection("http://127.0.0.1:1", login_mode=8, project_id=None)
    try:
        run = Run.from_json(conn, json.dumps(handle))
    except RunHandleError as exc:
        assert str(exc).startswith("run handle: ") and "\n" not in str(exc)
    else:
        assert run.instance_id == handle["instance"]


@given(st.text() | st.binary())
def test_any_text_is_refused_clearly(text: str | bytes) -> None:
    conn = Connection("http://127.0.0.1:1", login_mode=8)
    with pytest.raises(RunHandleError):
        Run.from_json(conn, text)
