"""The CLI prints hints in its own spelling, never Python's (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mstr_prompts.cli import main
from mstr_prompts.testing import PROJECT_ID, ReferenceServer
from mstr_prompts.testing.catalog import SEED_000_REPORT, SEED_001_DATAMART

FIXTURES = Path(__file__).parent.parent / "fixtures"
PYTHON_SPELLING = (
    "=True",
    "=False",
    "missing=",
    "fallback=",
    "mstr_prompts.",
    "web_url",
    "assume_order",
    "ignore_locale",
    "keyword argument",
    "definitions.bind",
    "url.encode",
    "or definitions",
)


def stderr_of(args: list[str], capsys: pytest.CaptureFixture[str], status: int) -> str:
    assert main(args) == status
    err = capsys.readouterr().err
    for python in PYTHON_SPELLING:
        assert python not in err, err
    assert err.count("\n") == 1, err  # one line, hint included
    return err


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSTR_USERNAME", "user")
    monkeypatch.setenv("MSTR_PASSWORD", "password")
    monkeypatch.delenv("MSTR_API_TOKEN", raising=False)


def test_locale_warning_names_only_the_cli_switch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "f.xml"
    f.write_text('<rsl lcl="1036"><pa pt="5" pin="0" did="' + "A" * 32 + '" tp="10">3,5</pa></rsl>')
    err = stderr_of(["convert", "--from", "xml", "--to", "library", str(f)], capsys, 0)
    assert err.count("--ignore-locale") == 1


@pytest.mark.parametrize(
    ("args", "status", "needle"),
    [
        (
            ["--from", "rest", "--to", "library", "client/seed-000-answer-elements-by-name.json"],
            4,
            "(--definitions FILE)",
        ),
        (["--from", "url", "--to", "rest", "url/C10.txt"], 4, "--to url"),
        (["--from", "library", "--to", "url", "url/L2.txt"], 4, "link --mode 2"),
        (["--from", "url", "--to", "xml", "url/D1.txt"], 4, "--definitions FILE"),
    ],
)
def test_convert_hints_in_cli_spelling(
    args: list[str], status: int, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    *options, name = args
    err = stderr_of(["convert", *options, str(FIXTURES / name)], capsys, status)
    assert needle in err


def test_auto_lists_only_formats_convert_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    err = stderr_of(["convert", "--from", "auto", "--to", "rest", str(empty)], capsys, 3)
    assert "--from FORMAT: rest, xml, url or library" in err and "definitions)" not in err


def test_link_reserved_parameter_names_the_cli_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [
        "link",
        "--base",
        "https://h/MicroStrategy/servlet/mstrWeb",
        "--report",
        "A" * 32,
        "--param",
        "evt=3",
        str(FIXTURES / "rest" / "value-text.json"),
    ]
    err = stderr_of(args, capsys, 2)
    assert "--report/--document/--dossier ID and --mode N" in err


def test_unanswered_prompt_names_missing_option(
    mstr_server: ReferenceServer, env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    none = tmp_path / "none.json"
    none.write_text('{"prompts": []}')
    base = ["--base", mstr_server.url, "--project", PROJECT_ID]
    for args in (
        ["run", *base, "--report", SEED_000_REPORT, "--sql", str(none)],
        ["datamart", *base, "--datamart", SEED_001_DATAMART, str(none)],
    ):
        assert main(args) == 1  # prompts left open: the answers do not fit
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        for python in PYTHON_SPELLING:
            assert python not in err, err
        assert "--missing default or --missing close" in err, err
