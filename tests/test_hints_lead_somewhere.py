"""Issue 20 item 7: every hint the command line prints leads somewhere.

For each failing command below, the hint's options (in the CLI's own spelling) are
applied, and the command is run again: it must no longer fail with the same message.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from mstr_prompts.cli import main

KEY = "3F1C2D7A4B5E46C8A9D0E1F203142536@0@10"
DEFS = [
    {
        "key": KEY,
        "id": KEY[:32],
        "name": "Pay",
        "type": "VALUE",
        "dataType": "NUMERIC",
        "defaultAnswer": "7",
        "required": True,
    },
    {"key": "6A7B8C9D0E1F40A1B2C3D4E5F6071829@0@10", "name": "Name", "type": "VALUE"},
]
REST_ONE = json.dumps({"prompts": [{"key": KEY, "type": "VALUE", "answers": "30"}]})

# (command after `mstr-prompts`, with {input}; the input text)
CASES = {
    "url-to-rest-positional": ("convert --from url --to rest {input}", "valuePromptAnswers=30"),
    "rest-to-url-keyed": ("convert --from rest --to url {input}", REST_ONE),
    "library-as-url": (
        "convert --from url --to rest {input}",
        "prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%222016%22%5D%7D%5D%5D",
    ),
    "rest-as-xml": ("convert --from xml --to rest {input}", REST_ONE),
    "xml-as-rest": (
        "convert --from rest --to xml {input}",
        f'<rsl><pa key="{KEY}" pt="3">30</pa></rsl>',
    ),
    "url-open-slot-to-xml": ("convert --from url --to xml {input}", "valuePromptAnswers=^30"),
    "library-to-xml-untyped": (
        "convert --from library --to xml {input}",
        json.dumps([[{"key": KEY, "values": ["30"], "useDefault": False}]]),
    ),
    "url-mode-to-rest": (
        "convert --from url --to rest --definitions {defs} {input}",
        "valuePromptAnswers=^Sam&promptAnswerMode=2",
    ),
    "url-missing-error": (
        "convert --from url --to rest --definitions {defs} --missing error {input}",
        "valuePromptAnswers=^Sam",
    ),
}

_OPTION = re.compile(r"(--[a-z][a-z-]*)(?: ([A-Za-z0-9_]+))?")


def _hint(err: str) -> str | None:
    found = re.search(r"\(hint: (.*)\)\s*$", err)
    return found.group(1) if found else None


def _follow(args: list[str], hint: str, defs: str) -> list[str]:
    """The command with every option the hint names applied."""
    followed = list(args)
    for flag, value in _OPTION.findall(hint):
        if flag == "--definitions":
            value = defs
        if flag == "--from":
            # the input must be read by what the hint names: a file of another format
            followed[followed.index("--to") + 1] = "xml" if value != "xml" else "rest"
        if flag in followed:
            at = followed.index(flag)
            if value:
                followed[at + 1] = value
            continue
        followed[1:1] = [flag, value] if value else [flag]
    return followed


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_cli_hint_leads_somewhere(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command, text = CASES[case]
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(DEFS))
    source = tmp_path / "input.txt"
    source.write_text(text)
    args = shlex.split(command.format(input=source, defs=defs))
    first = main(args)
    err = capsys.readouterr().err
    hint = _hint(err.strip().splitlines()[-1])
    assert hint is not None, f"{case}: no hint in {err!r}"
    assert "ids argument" not in hint and "=True" not in hint and "mstr_prompts." not in hint
    if "promptAnswerMode" in hint:
        source.write_text(re.sub(r"&promptAnswerMode=\d", "", text))
    followed = _follow(args, hint, str(defs))
    again = main(followed)
    err_again = capsys.readouterr().err
    assert (again, err_again) != (first, err), f"{case}: following {hint!r} changed nothing"
    assert err_again.splitlines()[-1:] != err.splitlines()[-1:]


def test_positional_hints_offer_definitions_before_assume_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "input.json"
    source.write_text(REST_ONE)
    assert main(["convert", "--from", "rest", "--to", "url", str(source)]) == 4
    hint = _hint(capsys.readouterr().err) or ""
    assert 0 <= hint.index("--definitions FILE") < hint.index("--assume-order")


def test_web_url_hint_names_real_arguments() -> None:
    from mstr_prompts import links
    from mstr_prompts.errors import PromptAnswerError

    with pytest.raises(PromptAnswerError) as info:
        links.web_url("https://h/MicroStrategy/servlet/mstrWeb", report_id=KEY[:32], evt="1")
    hint = str(info.value.hint)
    assert "ids" not in hint.split() and "report_id=" in hint
    import inspect

    for name in re.findall(r"(\w+)=", hint):
        assert name in inspect.signature(links.web_url).parameters


def test_rest_content_with_an_empty_exp_says_what_disagrees() -> None:
    from mstr_prompts import rest
    from mstr_prompts.errors import DecodeError

    body = {
        "prompts": [
            {"key": "K", "type": "EXPRESSION", "answers": {"content": "x", "xml": "<exp/>"}}
        ]
    }
    with pytest.raises(DecodeError, match="empty <exp>") as info:
        rest.decode(body)
    assert "drop content" in str(info.value.hint)
    del body["prompts"][0]["answers"]["content"]  # type: ignore[attr-defined]
    assert rest.decode(body)[0].kind == "close"  # the hint leads somewhere


@pytest.mark.parametrize(
    "text",
    [
        "valuePromptAnswers=30",
        f'<rsl><pa key="{KEY}" pt="3">30</pa></rsl>',
        json.dumps([[{"key": KEY, "values": ["30"], "useDefault": False}]]),
        REST_ONE,
    ],
)
def test_validate_and_link_read_any_format_by_default(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 20 item 8: --from defaults to auto for link and validate, never silently rest."""
    defs = tmp_path / "defs.json"
    defs.write_text(json.dumps(DEFS))
    source = tmp_path / "answers.txt"
    source.write_text(text)
    assert main(["validate", "--definitions", str(defs), str(source)]) == 0, capsys.readouterr()
    capsys.readouterr()
    status = main(
        [
            "link",
            "--base",
            "https://h/MicroStrategy/servlet/mstrWeb",
            "--report",
            KEY[:32],
            "--definitions",
            str(defs),
            str(source),
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "valuePromptAnswers=30" in captured.out or "promptsAnswerXML" in captured.out


def _cli_options() -> dict[str, set[str]]:
    """Every option string of every subcommand, and the choices each one takes."""
    import argparse

    from mstr_prompts.cli import _parser

    options: dict[str, set[str]] = {}
    parsers = [_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
                continue
            for flag in action.option_strings:
                options.setdefault(flag, set()).update(map(str, action.choices or ()))
    return options


def _hint_options() -> list[tuple[str, object, str]]:
    """Every Option(...) a hint in src/ builds from literals, with where it is."""
    import ast

    from mstr_prompts.errors import Option

    found: list[tuple[str, object, str]] = []
    source = Path(__file__).parent.parent / "src" / "mstr_prompts"
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Option"):
                continue
            try:
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except ValueError:
                continue  # built from a variable: checked where it is used
            option = Option(*args, **kwargs)
            found.append((option.cli(), option.value, f"{path.name}:{node.lineno}"))
    return found


def test_every_option_a_hint_names_exists_on_the_command_line() -> None:
    """Issue 20 item 7: no hint names an option (or a value) the CLI does not have."""
    options = _cli_options()
    checked = 0
    for spelled, value, where in _hint_options():
        for part in re.split(r"/| or ", spelled):
            words = part.split()
            flags = [w for w in words if w.startswith("--")]
            for flag in flags:
                assert flag in options, f"{where}: a hint names {flag}, which no command has"
                checked += 1
                at = words.index(flag)
                if options[flag] and at + 1 < len(words) and isinstance(value, str):
                    assert value in options[flag], f"{where}: {flag} takes no {value!r}"
    assert checked > 10
