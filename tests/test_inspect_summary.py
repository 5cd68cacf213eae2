"""``inspect``'s summary at a terminal (issue 22 item 2): worded from a decoder's rows.

When stdout is a terminal, ``inspect`` prints one line per prompt before the JSON.  For a
:class:`~mstr_prompts.rows.RowSet` the lines are now written from the rows, so that a
one-file ``inspect`` of value, element and object prompts loads no model class at a
terminal either.  Checked here: the rows' summary is byte for byte the summary the models
gave before (``models_summary`` below is the old ``cli._summary``, kept as the oracle),
over every fixture and generated sets; only expression rows are described from their
models; and a real ``inspect`` whose stdout is a pseudo-terminal loads neither
``pydantic.main`` nor ``mstr_prompts.model``.
"""

from __future__ import annotations

import json
import os
import pathlib
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from mstr_prompts import cli, library, rest, url, xml
from mstr_prompts._expression_scan import row_words
from mstr_prompts.element_id import ElementId
from mstr_prompts.enums import AnswerMode
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import (
    AnswerSet,
    Element,
    ElementAnswer,
    ExpressionAnswer,
    ObjectAnswer,
    ObjectRef,
    PromptRef,
    ValueAnswer,
)
from mstr_prompts.row_kinds import EXPRESSION_ROW
from mstr_prompts.rows import RowSet, pending_rows
from mstr_prompts.strategies import (
    answer_sets,
    library_answer_sets,
    rest_answer_sets,
    url_answer_sets,
    xml_answer_sets,
)

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
GUID = "2294C41E44244ADAED930CB4E00A9DA0"
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"
METRIC = "4C051DB611D3E877C000B3B2D86C964F"


def models_summary(answers: Any) -> list[str]:
    """``cli._summary`` as it was before it read rows (the oracle): it iterates the
    answers, building every model of a RowSet."""
    lines = []
    for answer in answers:
        what: str
        if answer.kind == "value":
            what = " | ".join(getattr(answer, "values", ()))
        elif answer.kind == "elements":
            elements = getattr(answer, "elements", ())
            names = [
                e.name or (e.id.text if hasattr(e.id, "text") else str(e.id)) for e in elements
            ]
            shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
            what = f"{len(elements)} element{'s' if len(elements) != 1 else ''}: {shown}"
        elif answer.kind == "objects":
            objects = getattr(answer, "objects", ())
            shown = ", ".join(o.name or o.id for o in objects[:5]) + (
                ", …" if len(objects) > 5 else ""
            )
            what = f"{len(objects)} object{'s' if len(objects) != 1 else ''}: {shown}"
        elif isinstance(answer, ExpressionAnswer):
            form = "typed" if answer.typed else "kept verbatim"
            what = f"expression ({form})" + (f": {answer.text}" if answer.text else "")
        else:
            what = answer.kind.replace("_", " ")
        lines.append(f"{answer.describe()}: {what}")
    extras = []
    if answers.mode is not None:
        extras.append(f"answer mode {answers.mode.value} ({answers.mode.name})")
    if answers.locale is not None:
        extras.append(f"locale {answers.locale}")
    if not lines:
        lines.append("no answers")
    return lines + extras


def expression_rows(rows: RowSet) -> int:
    """The expression rows only their model describes: the walk's and REST's typed rows
    with no display text (the scan's rows are described from their text,
    _expression_scan.row_words; a verbatim row, or one with display text, from its REST
    answers: issue 22 item 2)."""
    held = pending_rows(rows, expression_rows=True)
    assert held is not None
    return sum(
        1
        for item in held
        if type(item) is tuple
        and item[0] == EXPRESSION_ROW
        and row_words(item) is None
        and "xml" not in (written := item[2]())
        and written.get("content") is None
    )


def check(decoded: RowSet | AnswerSet, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary of ``decoded`` is the models' summary, and a RowSet's builds a model
    only for the expression rows the walk or REST's reader made with no display text."""
    if not isinstance(decoded, RowSet):  # Library answers in several rounds: a set
        assert cli._summary(decoded) == models_summary(decoded)
        return
    built: list[object] = []
    answer_of = cli._answer_of

    def counted(row: tuple[Any, ...]) -> Any:
        built.append(row[0])
        return answer_of(row)

    with monkeypatch.context() as patch:
        patch.setattr(cli, "_answer_of", counted)
        from_rows = cli._summary(decoded)
    assert built == [EXPRESSION_ROW] * expression_rows(decoded)
    assert from_rows == models_summary(decoded.answer_set())
    # The model path (an AnswerSet, as --definitions gives) says the same.
    assert cli._summary(decoded.answer_set()) == from_rows


def fixture_text(folder: str, path: pathlib.Path) -> str:
    text = path.read_text(encoding="utf-8")
    if folder == "library":  # each holds the Library answers beside their REST body
        return json.dumps(json.loads(text)["library"], ensure_ascii=False)
    return text


DECODERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "xml": (xml.decode_rows, "*.xml"),
    "rest": (rest.decode_rows, "*.json"),
    "url": (url.decode_rows, "*.txt"),
    "library": (library.decode_rows, "*.json"),
}
FIXTURE_CASES = [
    (folder, path)
    for folder, (_, pattern) in DECODERS.items()
    for path in sorted((FIXTURES / folder).glob(pattern))
]


@pytest.mark.parametrize(
    ("folder", "path"),
    FIXTURE_CASES,
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_every_fixture_is_summarised_as_its_models(
    folder: str, path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        decoded = DECODERS[folder][0](fixture_text(folder, path))
    except PromptAnswerError:
        return  # a fixture of bad input: nothing to summarise
    check(decoded, monkeypatch)


def test_fixtures_reach_rows_and_expression_rows() -> None:
    # The table above covers the rows themselves and the expression rows' fallback.
    kinds: set[str] = set()
    for folder, path in FIXTURE_CASES:
        try:
            decoded = DECODERS[folder][0](fixture_text(folder, path))
        except PromptAnswerError:
            continue
        if isinstance(decoded, RowSet):
            held = pending_rows(decoded, expression_rows=True)
            assert held is not None
            kinds |= {item[0] for item in held if type(item) is tuple}
    assert kinds >= {
        "value", "elements", "objects", "unanswered", "use_default", "close", EXPRESSION_ROW
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rest_answer_sets())
def test_rest_rows_are_summarised_as_their_models(answers: AnswerSet) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        check(rest.decode_rows(rest.dumps(answers)), monkeypatch)


@settings(max_examples=60, deadline=None)
@given(xml_answer_sets())
def test_xml_rows_are_summarised_as_their_models(answers: AnswerSet) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        check(xml.decode_rows(xml.encode(answers)), monkeypatch)


@settings(max_examples=60, deadline=None)
@given(url_answer_sets())
def test_url_rows_are_summarised_as_their_models(answers: AnswerSet) -> None:
    try:
        text = url.encode_query(answers, fallback="xml")
    except PromptAnswerError:
        return  # nothing the URL parameters carry
    if text:
        with pytest.MonkeyPatch.context() as monkeypatch:
            check(url.decode_rows(text), monkeypatch)


@settings(max_examples=60, deadline=None)
@given(library_answer_sets())
def test_library_rows_are_summarised_as_their_models(answers: AnswerSet) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        check(library.decode_rows(library.encode(answers)), monkeypatch)


@settings(max_examples=60, deadline=None)
@given(answer_sets())
def test_answer_models_are_summarised_as_before(answers: AnswerSet) -> None:
    # Every kind of answer, as models: in a set, and held as models in a RowSet.
    assert cli._summary(answers) == models_summary(answers)
    if answers.rounds is None:
        held = RowSet(tuple(answers), mode=answers.mode, locale=answers.locale)
        assert cli._summary(held) == models_summary(answers)


def _mixed(empty: str | None = "") -> AnswerSet:
    """A value, seven elements (names, no name, an ``empty`` name) and six objects."""
    names = ["Books", None, empty, "Music", "Movies", "Toys", "Games"]
    elements = [
        Element(id=ElementId.parse(f"{ATTRIBUTE}:{i + 1}"), name=name)
        for i, name in enumerate(names)
    ]
    objects = [ObjectRef(id=METRIC[:-1] + str(i), type=4, name=("Profit" if i % 2 else None))
               for i in range(6)]  # fmt: skip
    return AnswerSet(
        answers=[
            ValueAnswer(prompt=PromptRef(key=f"{GUID}@0@10", position=1), value="2015"),
            ElementAnswer(prompt=PromptRef(key=f"{GUID}@1@10"), elements=elements),
            ObjectAnswer(prompt=PromptRef(key=f"{GUID}@2@10"), objects=objects),
        ]
    )


def test_the_summary_words(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = rest.decode_rows(rest.dumps(_mixed()))
    check(rows, monkeypatch)
    assert cli._summary(rows) == [
        f"value prompt {GUID}@0@10: 2015",
        f"elements prompt {GUID}@1@10: 7 elements: Books, h2;{ATTRIBUTE}, h3;{ATTRIBUTE}, "
        "Music, Movies, …",
        f"objects prompt {GUID}@2@10: 6 objects: {METRIC[:-1]}0, Profit, {METRIC[:-1]}2, "
        f"Profit, {METRIC[:-1]}4, …",
    ]
    assert cli._summary(xml.decode_rows("<rsl></rsl>")) == ["no answers"]
    with_mode = RowSet(pending_rows(rows) or (), mode=AnswerMode(2), locale=1033)
    assert cli._summary(with_mode)[-2:] == [
        "answer mode 2 (OPTIONAL_PROMPTS_USE_EMPTY_ANSWER)",
        "locale 1033",
    ]
    check(with_mode, monkeypatch)


# --- a real inspect whose stdout is a terminal -----------------------------------------

# Runs the command as the console script does, then reports what it loaded on stderr.
RUNNER = """
import json, sys
from mstr_prompts.cli import main
sys.argv = ["mstr-prompts", *json.loads(sys.argv[1])]
status = main()
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
MODELS = ("pydantic.main", "mstr_prompts.model")


def _inputs() -> dict[str, tuple[str, str]]:
    """Value, element and object prompts in each format: name -> (--from, text)."""
    answers = _mixed(None)  # a Web link cannot tell an empty display name from none
    return {
        "mixed.xml": ("xml", xml.encode(answers)),
        "mixed.json": ("rest", rest.dumps(answers)),
        "mixed.txt": ("url", url.encode_query(answers, assume_order=True)),
        "mixed-library.txt": ("library", library.encode(answers, form="param")),
    }


def _on_a_terminal(argv: list[str], cwd: pathlib.Path) -> tuple[str, dict[str, Any]]:
    """Run ``argv`` in a fresh interpreter whose stdout is a pseudo-terminal: what it
    wrote there, and the report RUNNER writes on stderr."""
    leader, follower = pty.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", RUNNER, json.dumps(argv)],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(follower)
    out = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        _, err = child.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(leader)
        if child.poll() is None:
            child.kill()
            child.wait()
    report = json.loads(err.decode().splitlines()[-1])
    assert report["status"] == 0, err.decode()
    return out.decode().replace("\r\n", "\n"), report


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("name", ["mixed.xml", "mixed.json", "mixed.txt", "mixed-library.txt"])
def test_inspect_on_a_terminal_builds_no_model(tmp_path: pathlib.Path, name: str) -> None:
    fmt, text = _inputs()[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    out, report = _on_a_terminal(["inspect", "--from", fmt, name], tmp_path)
    loaded = [m for m in report["modules"] if any(m == n or m.startswith(n + ".") for n in MODELS)]
    assert loaded == []
    summary, _, document = out.partition("\n\n")
    # The summary is there (it is what a terminal gets), and it is the models' summary.
    rows = cli.DECODERS[fmt](text)
    assert isinstance(rows, RowSet)
    assert summary.splitlines() == models_summary(rows.answer_set())
    assert "7 elements: Books" in summary and "6 objects: " in summary
    assert json.loads(document) == rows.dump()


# Captures that built a model until prompt-answer XML read them as rows (issue 22 item 2):
# hierarchy and form qualifications (expression rows of the scan) and empty answers.
_CAPTURES = [
    "f03-aq-id-equals-derived.xml",
    "f05-c14-value-and-empty-value.xml",
    "f09-empty-expression.xml",
    "f12-element-empty.xml",
    "f22-jquery-builder-derived.xml",
    "library-hierarchy-key-lcl.xml",
]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("name", _CAPTURES)
def test_inspect_of_xml_captures_on_a_terminal_builds_no_model(
    tmp_path: pathlib.Path, name: str
) -> None:
    text = (FIXTURES / "xml" / name).read_text(encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    out, report = _on_a_terminal(["inspect", "--from", "xml", name], tmp_path)
    loaded = [m for m in report["modules"] if any(m == n or m.startswith(n + ".") for n in MODELS)]
    assert loaded == []
    summary, _, document = out.partition("\n\n")
    assert summary.splitlines() == models_summary(xml.decode(text))
    assert json.loads(document) == xml.decode(text).model_dump(mode="json", exclude_none=True)
