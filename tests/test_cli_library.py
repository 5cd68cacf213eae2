"""The command line: --from/--to library, --from auto, and the schema command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mstr_prompts import library, rest
from mstr_prompts.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
URL = FIXTURES / "url"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_library_link_to_rest(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "convert", "--from", "library", "--to", "rest", str(URL / "L6.txt")
    )
    assert (status, err) == (0, "")
    assert (
        json.loads(out)["prompts"][0]["answers"][0]["id"] == "h14;8D679D4F11D3E4981000E787EC6DE8A4"
    )


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (URL / "L4.txt", "library"),
        (URL / "L6.txt", "library"),
        (URL / "D1.txt", "url"),
        (FIXTURES / "xml" / "library-hierarchy-key-lcl.xml", "xml"),
        (FIXTURES / "rest" / "elements-category-books.json", "rest"),
    ],
    ids=lambda v: getattr(v, "name", v),
)
def test_auto_recognises_each_format(
    capsys: pytest.CaptureFixture[str], path: Path, source: str
) -> None:
    target = "library" if source != "url" else "url"
    auto = run(capsys, "convert", "--from", "auto", "--to", target, str(path))
    given = run(capsys, "convert", "--from", source, "--to", target, str(path))
    assert auto == given


def test_auto_names_definitions_and_what_it_cannot_tell(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(
        capsys,
        "convert",
        "--from",
        "auto",
        "--to",
        "rest",
        str(FIXTURES / "definitions" / "value-text.json"),
    )
    assert status != 0 and out == "" and "prompt definitions" in err and err.count("\n") == 1
    unknown = tmp_path / "x.txt"
    unknown.write_text("hello")
    status, out, err = run(capsys, "convert", "--from", "auto", "--to", "rest", str(unknown))
    assert status != 0 and out == "" and "cannot tell the format" in err and err.count("\n") == 1


def test_to_library_in_each_form(capsys: pytest.CaptureFixture[str]) -> None:
    text = (URL / "L4.txt").read_text(encoding="utf-8").strip()
    status, out, _ = run(
        capsys,
        "convert",
        "--from",
        "library",
        "--to",
        "library",
        "--library-form",
        "param",
        str(URL / "L4.txt"),
    )
    assert status == 0 and out == text.rpartition("prompts=")[2] + "\n"
    status, out, _ = run(
        capsys,
        "convert",
        "--from",
        "rest",
        "--to",
        "library",
        "--library-form",
        "body",
        str(FIXTURES / "rest" / "elements-category-books.json"),
    )
    assert status == 0
    body = json.loads(out)
    assert library.decode(body) == library.decode(
        library.encode(
            rest.decode(
                (FIXTURES / "rest" / "elements-category-books.json").read_text(encoding="utf-8")
            )
        )
    )


def test_placeholder_cannot_leave_library(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "convert", "--from", "library", "--to", "rest", str(URL / "L4.txt")
    )
    assert status != 0 and out == "" and "Library link template" in err


@pytest.mark.parametrize("name", ["rest", "library", "definitions"])
def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str], name: str) -> None:
    from mstr_prompts import schema

    status, out, err = run(capsys, "schema", name)
    assert (status, err) == (0, "")
    assert json.loads(out) == schema.schema(name)


def test_indent_lays_out_library_json_and_is_refused_for_the_query_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = str(Path(__file__).parent.parent / "fixtures" / "xml" / "f20-object-filter.xml")
    assert main(["convert", "--from", "xml", "--to", "library", source]) == 0
    compact = capsys.readouterr().out
    assert compact.count("\n") == 1  # compact by default, as a link or body wants it
    assert main(["convert", "--from", "xml", "--to", "library", "--indent", "4", source]) == 0
    indented = capsys.readouterr().out
    assert indented.startswith("[\n    [\n        {") and json.loads(indented) == json.loads(
        compact
    )
    args = ["convert", "--from", "xml", "--to", "library", "--library-form", "param"]
    assert main([*args, "--indent", "2", source]) == 2
    assert "query string" in capsys.readouterr().err
