"""The fuzz harnesses (fuzz/, docs/fuzzing.md) run in CI without atheris.

Each harness replays its seeds (built from fixtures/) and its committed corpus
(fuzz/corpus/<name>/), then checks a fixed number of inputs from its seeded plain
mutation loop: the same deterministic inputs on every run, so a failure here is a
reproducible crash, never a flaky one.  The long coverage-guided campaigns are run by
``make fuzz`` and recorded in docs/fuzzing.md.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
HARNESSES = sorted(p.stem.removeprefix("fuzz_") for p in FUZZ.glob("fuzz_*.py"))
RUNS = 400
"""Mutated inputs per harness in CI (on top of seeds and corpus): about 30 s in all."""


@pytest.fixture(scope="module")
def fuzz_path() -> Iterator[None]:
    sys.path.insert(0, str(FUZZ))
    try:
        yield
    finally:
        sys.path.remove(str(FUZZ))


def _harness(name: str) -> types.ModuleType:
    return importlib.import_module(f"fuzz_{name}")


def test_every_decoder_has_a_harness() -> None:
    assert set(HARNESSES) >= {
        "rest", "xml", "url", "links_parse", "element_id", "library", "definitions",
        "formats", "link_args", "expression",
    }  # fmt: skip
    sys.path.insert(0, str(FUZZ))
    try:
        run = importlib.import_module("run")
    finally:
        sys.path.remove(str(FUZZ))
    assert set(run.HARNESSES) == set(HARNESSES)  # make fuzz runs them all


@pytest.mark.parametrize("name", HARNESSES)
@pytest.mark.usefixtures("fuzz_path")
def test_harness_finds_no_crash_in_a_short_plain_run(name: str) -> None:
    module = _harness(name)
    assert name == module.NAME
    assert module.seeds(), "a harness is seeded from fixtures/"
    common = importlib.import_module("common")
    common.plain(module, RUNS, seed=0)


@pytest.mark.parametrize("name", HARNESSES)
@pytest.mark.usefixtures("fuzz_path")
def test_committed_corpus_is_small(name: str) -> None:
    run = importlib.import_module("run")
    folder = FUZZ / "corpus" / name
    files = list(folder.iterdir()) if folder.is_dir() else []
    assert len(files) <= run.CORPUS_FILES
    assert all(f.stat().st_size <= run.CORPUS_FILE_BYTES for f in files)


@pytest.mark.usefixtures("fuzz_path")
def test_a_foreign_exception_is_a_crash() -> None:
    common = importlib.import_module("common")
    module: Any = types.ModuleType("fuzz_broken")
    module.NAME = "broken"
    module.seeds = lambda: [b"x"]

    def check(data: bytes) -> None:
        raise KeyError(data)

    module.check = check
    with pytest.raises(common.Crash, match="KeyError"):
        common.plain(module, 1, seed=0)


@pytest.mark.usefixtures("fuzz_path")
def test_the_library_s_own_error_is_not_a_crash() -> None:
    common = importlib.import_module("common")
    from mstr_prompts import url

    assert type(common.attempt(lambda: url.decode("hello"))).__name__ == "DecodeError"
    with pytest.raises(KeyError):
        common.attempt(lambda: {"a": 1}["k"])


@pytest.mark.parametrize(
    "output",
    [
        "rest: atheris is not installed; 4000 plain inputs, no crash\n[run.py] rest took 2 s\n",
        "rest: 50 plain inputs (seed 0) in 0.2 s, no crash\n[run.py] rest took 1 s\n",
    ],
)
def test_make_fuzz_without_atheris_reports_a_clean_run_as_finished(output: str) -> None:
    """Issue 20 item 8: each harness that ran clean is reported as such, not "did not finish"."""
    sys.path.insert(0, str(FUZZ))
    try:
        run = importlib.import_module("run")
    finally:
        sys.path.remove(str(FUZZ))
    summary = run._summary("rest", output)
    assert "did not finish" not in summary
    assert "plain inputs" in summary and "crashes 0" in summary
