"""The command line with prompt definitions: --definitions, --missing, --no-validate, validate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from seed_links import SEED_LINKS

from mstr_prompts import definitions, rest, url, xml
from mstr_prompts.cli import main
from mstr_prompts.model import AnswerSet

FIXTURES = Path(__file__).parent.parent / "fixtures"
DEFS = FIXTURES / "definitions" / "url"
EMPLOYEE = str(DEFS / "employee-values.json")


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mstr_prompts", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode()
    assert result.stdout == b"" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("mstr-prompts: error: ")
    return err


@pytest.mark.parametrize(("link", "defs_name"), sorted(SEED_LINKS.items()))
@pytest.mark.parametrize("target", ["rest", "xml"])
def test_every_seed_link_converts_through_the_cli(
    link: str, defs_name: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    defs_file = DEFS / f"{defs_name}.json"
    args = ["convert", "--from", "url", "--to", target, "--definitions", str(defs_file)]
    assert main([*args, str(FIXTURES / "url" / f"{link}.txt")]) == 0
    out = capsys.readouterr().out
    answers = rest.decode(out) if target == "rest" else xml.decode(out.strip())
    keys = {d.key for d in definitions.decode(defs_file.read_bytes())}
    assert len(answers) >= 1 and {a.prompt.key for a in answers} <= keys


def test_bad_answers_print_the_servers_message_and_exit_1() -> None:
    link = b"valuePromptAnswers=900%5eSam Hill"
    result = run("convert", "--from", "url", "--to", "rest", "--definitions", EMPLOYEE, stdin=link)
    assert result.returncode == 1
    err = one_line_error(result)
    assert "ERR006: The value(900) provided for prompt name: PayRate key:" in err
    assert "exceeds the maximum allowed value(500}" in err
    skipped = run(
        "convert", "--from", "url", "--to", "rest", "--definitions", EMPLOYEE, "--no-validate",
        stdin=link,
    )  # fmt: skip
    assert skipped.returncode == 0 and json.loads(skipped.stdout)["prompts"][0]["answers"] == "900"


def test_missing_policies() -> None:
    link = b"valuePromptAnswers=30%5eSam"
    base = ("convert", "--from", "url", "--to", "rest", "--definitions", EMPLOYEE)
    plain = run(*base, stdin=link)
    assert plain.returncode == 0 and len(json.loads(plain.stdout)["prompts"]) == 2
    closed = run(*base, "--missing", "close", stdin=link)
    assert closed.returncode == 0
    assert json.loads(closed.stdout)["prompts"][2] == {
        "key": "9C8B7A6F5E4D43C2B1A0F9E8D7C6B5A4@0@10",
        "id": "9C8B7A6F5E4D43C2B1A0F9E8D7C6B5A4",
        "name": "EmployeeID",
        "type": "VALUE",
        "answers": "",
    }
    failed = run(*base, "--missing", "error", stdin=link)
    assert failed.returncode == 1 and "EmployeeID" in one_line_error(failed)
    usage = run("convert", "--from", "url", "--to", "rest", "--missing", "close", stdin=link)
    assert usage.returncode == 2 and "--missing needs --definitions FILE" in one_line_error(usage)


def test_a_links_mode_becomes_explicit_answers() -> None:
    defs = str(DEFS / "subscription-optional.json")
    d9 = str(FIXTURES / "url" / "D9.txt")
    result = run("convert", "--from", "url", "--to", "rest", "--definitions", defs, d9)
    assert result.returncode == 0, result.stderr
    assert [p["answers"] for p in json.loads(result.stdout)["prompts"]] == [[], ""]
    without = run("convert", "--from", "url", "--to", "rest", d9)
    assert without.returncode != 0 and "mode" in one_line_error(without)


def test_link_with_definitions_binds_rest_answers_to_positions(tmp_path: Path) -> None:
    body = tmp_path / "answers.json"
    body.write_text(
        json.dumps(
            {
                "prompts": [
                    {"name": "EmployeeID", "type": "VALUE", "answers": "25354"},
                    {"name": "PayRate", "type": "VALUE", "answers": "30"},
                ]
            }
        )
    )
    base = "http://webserver/MicroStrategy/servlet/mstrWeb"
    report = "4CF6D88A4588097466A4B7B8851A161F"
    result = run("link", "--base", base, "--report", report, "--definitions", EMPLOYEE, str(body))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip().endswith("&valuePromptAnswers=30%5E%5E25354")


def test_validate_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "prompts": [
                    {"name": "PayRate", "type": "VALUE", "answers": "-1"},
                    {"name": "EmployeeName", "type": "VALUE", "answers": ""},
                    {"name": "Nobody", "type": "VALUE", "answers": "x"},
                ]
            }
        )
    )
    assert main(["validate", "--definitions", EMPLOYEE, str(answers)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "3F1C2D7A4B5E46C8A9D0E1F203142536@0@10: ERR006: The value(-1) provided for prompt name: "
        "PayRate key: 3F1C2D7A4B5E46C8A9D0E1F203142536@0@10 does not meet the minimum required "
        "value(0)",
        "6A7B8C9D0E1F40A1B2C3D4E5F6071829@0@10: ERR006: Prompt validation failed. This is a "
        "required prompt.",
        "Nobody: ERR006: Failed to locate the prompt by either name: Nobody, please verify this "
        "information is correct.",
    ]
    assert main(["validate", "--json", "--definitions", EMPLOYEE, str(answers)]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [p["rule"] for p in problems] == ["below_minimum", "required", "name_not_found"]
    good = run(
        "validate", "--from", "url", "--definitions", EMPLOYEE, stdin=b"valuePromptAnswers=30"
    )
    assert good.returncode == 0 and good.stdout == b"" and good.stderr == b""
    good_json = run("validate", "--json", "--from", "url", "--definitions", EMPLOYEE,
                    stdin=b"valuePromptAnswers=30")  # fmt: skip
    assert good_json.returncode == 0 and json.loads(good_json.stdout) == []


def test_validate_bad_input_and_usage() -> None:
    bad = run("validate", "--definitions", EMPLOYEE, stdin=b"{not json")
    assert bad.returncode == 3 and "not JSON" in one_line_error(bad)
    unbound = run("validate", "--from", "url", "--definitions", EMPLOYEE,
                  stdin=b"valuePromptAnswers=1%5e2%5e3%5e4")  # fmt: skip
    assert unbound.returncode == 3 and "value prompt #4" in one_line_error(unbound)
    bad_defs = run("validate", "--definitions", str(FIXTURES / "url" / "D1.txt"), stdin=b"{}")
    assert bad_defs.returncode == 3 and "definitions: not JSON" in one_line_error(bad_defs)
    usage = run("validate", stdin=b"{}")
    assert usage.returncode == 2 and b"--definitions" in usage.stderr


def test_a_10000_element_link_validates_and_converts_as_the_api_binds_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Issue 22 item 3: the CLI binds and validates through definitions.bind/validate,
    # which read the link's rows; the results are the API's on the built models.
    attribute = "8D679D3711D3E4981000E787EC6DE8A4"
    elements = ";".join(f"{attribute}:{k}" for k in range(10_000))
    link = tmp_path / "link.txt"
    defs_file = tmp_path / "defs.json"
    defs_file.write_text(
        json.dumps(
            [
                {"key": "V@0@10", "name": "Year", "type": "VALUE", "dataType": 6, "max": 2030},
                {
                    "key": "E@0@10",
                    "name": "Category",
                    "type": "ELEMENTS",
                    "max": 9_999,
                    "source": {"id": attribute},
                },
            ]
        )
    )
    link.write_text(f"valuePromptAnswers=2031&elementsPromptAnswers={attribute};{elements}")
    defs = definitions.decode(defs_file.read_bytes())
    eager = url.decode(link.read_text())
    expected = [p.line() for p in definitions.validate(AnswerSet(answers=tuple(eager)), defs)]
    assert len(expected) == 2
    assert main(["validate", str(link), "--definitions", str(defs_file)]) == 1
    assert capsys.readouterr().out.splitlines() == expected
    fewer = elements.rsplit(";", 1)[0]  # 9,999 elements: within the prompt's max
    link.write_text(f"valuePromptAnswers=2030&elementsPromptAnswers={attribute};{fewer}")
    args = ["convert", "--from", "url", "--to", "rest", "--definitions", str(defs_file)]
    assert main([*args, str(link)]) == 0
    bound = definitions.bind(AnswerSet(answers=tuple(url.decode(link.read_text()))), defs)
    assert json.loads(capsys.readouterr().out) == rest.encode(bound)
