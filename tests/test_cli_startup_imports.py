"""A codec command loads no REST client (issue 22, item 2).

``convert``, ``inspect`` and ``link`` on one file read and write text: they must not
import ``mstr_prompts.client``, the reference server or urllib3, which cost a third of
a one-file run's wall time when the parser pulled them in for the client commands.
Each case runs in a fresh interpreter (``python -c``), calls the real ``cli.main`` and
then lists what it imported; the error paths (bad input, ``--help``) count too, since
working out an exit status must not import the client either.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mstr_prompts.cli import EXIT_BAD_INPUT, EXIT_USAGE

FIXTURES = Path(__file__).parent.parent / "fixtures"
REST = str(FIXTURES / "rest" / "elements-category-books.json")
XML = str(FIXTURES / "xml" / "library-hierarchy-key-lcl.xml")
REPORT = "4CF6D88A4588097466A4B7B8851A161F"

# Calls the command line in this process, then writes its status and the modules
# it loaded that it should not have, as one JSON line on standard error.
RUNNER = """
import json, sys
from mstr_prompts import cli
status = cli.main(sys.argv[1:])
heavy = sorted(
    name for name in sys.modules
    if name == "urllib3" or name.startswith(("urllib3.", "mstr_prompts.client", "mstr_prompts.testing"))
)
models = sorted(name for name in sys.modules if name in ("pydantic.main", "mstr_prompts.model"))
sys.stderr.write("\\n" + json.dumps({"status": status, "heavy": heavy, "models": models}) + "\\n")
"""

CASES = {
    "convert": (["convert", "--from", "rest", "--to", "xml", REST], 0),
    "convert to url": (["convert", "--from", "rest", "--to", "url", REST], 0),
    "inspect": (["inspect", "--from", "rest", REST], 0),
    "link": (
        [
            "link",
            "--from",
            "rest",
            "--base",
            "https://example.com/MicroStrategy/servlet/mstrWeb",
            "--report",
            REPORT,
            REST,
        ],
        0,
    ),
    "convert url values": (
        ["convert", "--from", "url", "--to", "url", str(FIXTURES / "url" / "C3.txt")],
        0,
    ),
    "inspect url elements": (["inspect", "--from", "url", str(FIXTURES / "url" / "C10.txt")], 0),
    "convert rest to library": (["convert", "--from", "rest", "--to", "library", REST], 0),
    "convert, bad input": (["convert", "--from", "rest", "--to", "xml", XML], EXIT_BAD_INPUT),
    "help": (["--help"], 0),
    "convert --help": (["convert", "--help"], 0),
}


def _run(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        capture_output=True,
        check=False,
        timeout=120,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("name", list(CASES))
def test_a_codec_command_imports_no_client(name: str) -> None:
    args, status = CASES[name]
    report = _run(args)
    assert report["status"] == status
    assert report["heavy"] == []


# Inputs that named their prompts by id or name, by position, or in Library's format built
# a model until the rows carried a plain reference (rows.Ref) and Library had rows.
BODIES = {
    "rest by id": '{"prompts": [{"id": "0CE45CA4483E29FFB0AF969D68588E95", "type": "VALUE", '
    '"answers": "2015"}]}',
    "rest by name": '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}',
    "rest by key, id and name": '{"prompts": [{"key": "K@0@10", "id": '
    '"0CE45CA4483E29FFB0AF969D68588E95", "name": "Year", "type": "VALUE", "answers": "2015"}]}',
    "url values and objects": "valuePromptAnswers=2015^^x&objectsPromptAnswers="
    "4C051DB611D3E877C000B3B2D86C964F~4~Profit",
    "library body": '{"messageName": "M", "answers": [{"key": "K@0@10", "values": ["2015"], '
    '"useDefault": false}, {"key": "L@0@10", "values": [], "useDefault": true}]}',
    "library link": "https://h/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/"
    "837B57D711E941BF000000806FA1298F?prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22"
    "values%22%3A%5B%222015%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D",
}


@pytest.mark.parametrize("name", list(BODIES))
@pytest.mark.parametrize("command", ["convert", "inspect", "link"])
def test_inputs_named_otherwise_load_no_client_and_no_model(
    name: str, command: str, tmp_path: Path
) -> None:
    path = tmp_path / "answers.txt"
    path.write_text(BODIES[name], encoding="utf-8")
    target = {"url values and objects": "url", "library body": "library"}.get(name, "rest")
    args = {
        "convert": ["convert", "--from", "auto", "--to", target, str(path)],
        "inspect": ["inspect", "--from", "auto", str(path)],
        "link": ["link", "--base", "https://example.com/MicroStrategy/servlet/mstrWeb",
                 "--report", REPORT, "--assume-order", "--from", "auto", str(path)],
    }[command]  # fmt: skip
    if command == "link" and name == "library body":  # a default: only Library carries it
        args = ["link", "--base", "https://example.com/MicroStrategyLibrary", "--project",
                REPORT, "--dossier", REPORT, "--from", "auto", str(path)]  # fmt: skip
    report = _run(args)
    assert report["status"] == 0
    assert report["heavy"] == []
    assert report["models"] == []


def test_a_client_command_still_loads_the_client() -> None:
    # The other side of the bargain: the client is imported when a client command
    # runs (here it stops at once, with no credentials in the environment).
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            "prompts",
            "--base",
            "http://127.0.0.1:9/MicroStrategyLibrary",
            "--project",
            REPORT,
            "--report",
            REPORT,
        ],
        capture_output=True,
        check=False,
        timeout=120,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["status"] == EXIT_USAGE  # no credentials (MSTR_USERNAME …)
    assert "mstr_prompts.client.commands" in report["heavy"]


# A command line naming one of cli's own commands first gets a parser with that command
# alone (cli._parser(command)); its help, its errors and its parse must be the full
# parser's.  Each is run both ways in this process: once as main runs it, once with the
# full parser forced.
WEB = "https://example.com/MicroStrategy/servlet/mstrWeb"
PARSES = [
    ["convert", "--help"],
    ["convert", "-h", "--from"],
    ["convert"],
    ["convert", "--from", "xml"],
    ["convert", "--from", "nope", "--to", "rest", REST],
    ["convert", "--from=rest", "--to=xml", "--indent", "99", REST],
    ["convert", "--from", "rest", "--to", "rest", "--compact", "--indent", "2", REST],
    ["convert", "--from", "rest", "--to", "rest", "--defin", "x", REST],
    ["convert", "--from", "rest", "--to", "rest", "--max-size", "1Q", REST],
    ["convert", "--from", "rest", "--to", "rest", "--version", REST],
    ["convert", "--", REST],
    ["convert", "inspect"],
    ["convert", "--from", "rest", "--to", "url", REST],
    ["convert", "--from", "rest", "--to", "rest", "--column", "x", REST],
    ["convert", "--from", "rest", "--to", "xml", XML],
    ["inspect", "--help"],
    ["inspect"],
    ["inspect", "--from", "rest", REST, REST],
    ["inspect", "--from", "REST", "--indent", "4", REST],
    ["link", "--help"],
    ["link"],
    ["link", "--base", WEB],
    ["link", "--base", WEB, "--report", "xyz"],
    ["link", "--base", WEB, "--report", REPORT, "--dossier", REPORT],
    ["link", "--base", WEB, "--report", REPORT, "--mode", "9", REST],
    ["link", "--base", WEB, "--report", REPORT, "--page", "K", REST],
    ["link", "--base", WEB, "--report", REPORT, "--param", "Server", REST],
    ["link", "--base", WEB, "--report", REPORT, REST],
    ["validate", "--help"],
    ["validate"],
    ["validate", "--definitions", REST, "--json", "--from", "bad"],
    ["schema", "--help"],
    ["schema"],
    ["schema", "nope"],
    ["schema", "REST"],
]


@pytest.mark.parametrize("argv", PARSES, ids=" ".join)
@pytest.mark.parametrize("columns", ["80", "43", "151"])
def test_one_commands_parser_reads_as_the_full_parser(
    argv: list[str],
    columns: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mstr_prompts import cli

    assert argv[0] in cli._COMMANDS
    monkeypatch.setenv("COLUMNS", columns)  # the help's layout follows it
    status = cli.main(argv)
    one = (status, *capsys.readouterr())
    monkeypatch.setattr(cli, "_named", lambda argv: None)
    status = cli.main(argv)
    assert one == (status, *capsys.readouterr())
    assert one[1] or one[2]  # each printed something


def test_the_help_width_is_shutils() -> None:
    # cli._columns finds the width without importing shutil (see cli._Formatter); in a
    # fresh interpreter, with and without COLUMNS (a terminal is tested by hand).
    import os

    check = (
        "import shutil; from mstr_prompts import cli; "
        "assert cli._columns() == shutil.get_terminal_size().columns, cli._columns()"
    )
    for columns in (None, "0", "x", "57", "200"):
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        if columns is not None:
            env["COLUMNS"] = columns
        subprocess.run([sys.executable, "-c", check], env=env, check=True, timeout=120)


def test_the_console_script_freezes_what_start_up_made() -> None:
    # mstr_prompts.__main__.main loads the CLI with the collector paused, then freezes
    # what loading made (no later collection, nor the one at exit, goes over pydantic's
    # objects again) and turns the collector back on for the command's own work.
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="mstr-prompts")
    assert script.value == "mstr_prompts.__main__:main"
    check = (
        "import gc, sys; from mstr_prompts.__main__ import main; "
        "sys.argv = ['mstr-prompts', 'schema', 'rest']; status = main(); "
        "print(status, gc.isenabled(), gc.get_freeze_count() > 10000, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stderr.split() == ["0", "True", "True"]
    assert done.stdout.startswith("{")


def test_a_caller_that_turned_the_collector_off_keeps_it_off() -> None:
    check = (
        "import gc, sys; gc.disable(); from mstr_prompts.__main__ import main; "
        "sys.argv = ['mstr-prompts', '--version']; status = main(); "
        "print(status, gc.isenabled(), gc.get_freeze_count(), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stderr.split() == ["0", "False", "0"]


def test_ctrl_c_while_the_cli_loads_exits_130_without_a_traceback() -> None:
    # Ctrl-C in the first tenth of a second lands while the modules load, before
    # cli.main's handler exists: made certain here by a finder that raises it as the CLI
    # is imported.
    check = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'mstr_prompts.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from mstr_prompts.__main__ import main\n"
        "sys.argv = ['mstr-prompts', '--version']\n"
        "print(main(), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stderr.split() == ["130"]
    assert done.stdout == ""
