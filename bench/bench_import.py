"""Benchmark: start-up of a one-file ``mstr-prompts`` command, next to its baseline.

Issue 22 item 2: a one-file ``convert``, ``inspect`` or ``link`` must start within 1.5x
of ``python -c "import pydantic, lxml.etree, json"`` (the libraries any such tool
loads), median wall time, on the same machine.  Each command runs in a fresh
interpreter, interleaved with the baseline and with every other command, ``ROUNDS``
times (``BENCH_ROUNDS``, default 15); the median and the best of each are printed, and
each command's ratio is its median over the baseline's median.  The inputs are small
files written to a temporary directory: one value prompt (XML, and a Web link carrying
it in ``promptsAnswerXML``), and one element prompt (REST); then the shapes of an outside
review (an indented XML element list with display names, converted and inspected, a
named object prompt, REST elements naming their prompt by ``id``, a Library link built
by ``link``); then the inputs that built a
model before the rows carried a plain prompt reference (``rows.Ref``) and Library had
rows: REST bodies naming their prompts by ``id`` and by ``name`` (as mstrio-py writes
them), Web links with ``valuePromptAnswers`` and with ``elementsPromptAnswers``, a
Library link, and REST converted to Library; and conversions with ``--definitions``
(the definitions read into plain records, the answers bound and checked as rows): an
element answer against one definition, and, against three definitions as ``GET
…/prompts`` returns them, a value answer naming its prompt by name (to a Web link) and
a Web link's element list with display names (to REST); prompt-answer XML that built
a model before it read them as rows: a hierarchy qualification as Library writes it, a
form qualification with ``lcl`` and ``apply_order``, and an empty answer of each family;
and a REST expression answer of the usual shapes (a form qualification read as a row,
written to every target).

Three library lines show the parts: the conversion the first command does, from Python
(rows in, text out, no model); ``import mstr_prompts`` (lazy, target 150 ms over bare
``python -c pass``); and building a model (``xml.decode`` then reading the answers),
which loads pydantic's model machinery and the model's classes.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_import.py``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROUNDS

GUID = "2294C41E44244ADAED930CB4E00A9DA0"
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"
REPORT = "4CF6D88A4588097466A4B7B8851A161F"
BASE = "https://bi.example.com/MicroStrategy/servlet/mstrWeb"
LIBRARY = "https://bi.example.com/MicroStrategyLibrary"
PROJECT = "EC70648611E7A2F962E90080EFD58751"
INPUTS = {
    "one.xml": f'<rsl><pa pt="3" pin="0" did="{GUID}" tp="10">Web</pa></rsl>',
    "elements.json": (
        f'{{"prompts": [{{"key": "{GUID}@0@10", "type": "ELEMENTS", '
        f'"answers": [{{"id": "h1;{ATTRIBUTE}", "name": "Books"}}]}}]}}'
    ),
    "link.txt": (
        f"{BASE}?evt=4001&reportID={REPORT}&promptsAnswerXML=%3Crsl%3E%3Cpa%20pt%3D%225%22"
        f"%20pin%3D%220%22%20did%3D%22{GUID}%22%20tp%3D%2210%22%3E2015%3C%2Fpa%3E%3C%2Frsl%3E"
    ),
    "by-id.json": (
        '{"prompts": [{"id": "0CE45CA4483E29FFB0AF969D68588E95", "type": "VALUE", '
        '"answers": "2015"}]}'
    ),
    "by-name.json": '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}',
    "values.txt": f"{BASE}?evt=4001&reportID={REPORT}&valuePromptAnswers=2015^Sam%20Hill",
    "elements.txt": (
        f"{BASE}?evt=4001&reportID={REPORT}&elementsPromptAnswers="
        f"{ATTRIBUTE};{ATTRIBUTE}:1%5EBooks;{ATTRIBUTE}:2%5EMusic"
    ),
    "definitions.json": f'[{{"key": "{GUID}@0@10", "name": "Category", "type": "ELEMENTS"}}]',
    # Three definitions as GET /api/reports/{id}/prompts returns them (an element prompt
    # with its attribute, a numeric value prompt, an object prompt; no default answers),
    # a value answer naming its prompt by name, and a Web link's element list with
    # display names: the shapes an outside review converted with --definitions.
    "defs.json": (
        f'[{{"key": "{GUID}@0@10", "id": "{GUID}", "name": "Category", "title": "Category", '
        f'"type": "ELEMENTS", "required": true, "closed": false, "min": 1, "max": 5, '
        f'"source": {{"id": "{ATTRIBUTE}", "name": "Category", "type": 12}}}}, '
        '{"key": "0CE45CA4483E29FFB0AF969D68588E95@0@10", "id": "0CE45CA4483E29FFB0AF969D68588E95", '
        '"name": "Year", "title": "Year", "type": "VALUE", "required": false, "closed": false, '
        '"dataType": "NUMERIC", "min": 2000, "max": 2030}, '
        '{"key": "4C051DB611D3E877C000B3B2D86C964F@0@10", "id": "4C051DB611D3E877C000B3B2D86C964F", '
        '"name": "Metrics", "title": "Metrics", "type": "OBJECTS", "required": false, "max": 3}]'
    ),
    "rest-by-name.json": '{"prompts": [{"name": "Year", "type": "VALUE", "answers": "2015"}]}',
    "texts.json": (
        f'{{"prompts": [{{"key": "{GUID}@0@10", "type": "VALUE", "answers": ["2015", "2016"]}}]}}'
    ),
    "terse.txt": (
        "https://bi.example.com/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/"
        f"{REPORT}?prompts=%5B%5B%7B%22key%22%3A%22{GUID}%400%4010%22%2C%22values%22%3A%5B"
        f"%22h1%3B{ATTRIBUTE}%22%2C%22h2%3B{ATTRIBUTE}%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"
    ),
    # As an outside review wrote them: an indented element list with display names (an
    # entity in one), a named object prompt, and REST elements naming their prompt by id.
    "elements.xml": (
        f'<rsl>\n  <pa pt="7" pin="0" did="{GUID}" tp="10">\n    <mi>\n      <es>\n'
        f'        <at did="{ATTRIBUTE}" tp="12"/>\n'
        f'        <e emt="1" ei="{ATTRIBUTE}:1" art="1" disp_n="Books &amp; Magazines"/>\n'
        f'        <e emt="1" ei="{ATTRIBUTE}:2" art="1" disp_n="Music"/>\n'
        "      </es>\n    </mi>\n  </pa>\n</rsl>\n"
    ),
    "objects.xml": (
        f'<rsl>\n  <pa pt="6" pin="0" did="{GUID}" tp="10">\n    <mi>\n'
        '      <fct qsr="0" fcn="0" cc="1" sto="1" pfc="0" pcc="1">\n'
        '        <mt did="4C051DB611D3E877C000B3B2D86C964F" tp="4" n="Profit"></mt>\n'
        '        <mt did="7FD5B69611D5AC76C000D98A4CC5F24F" tp="4" n="Revenue"></mt>\n'
        "      </fct>\n    </mi>\n  </pa>\n</rsl>\n"
    ),
    "elements-by-id.json": (
        '{"prompts": [{"id": "0CE45CA4483E29FFB0AF969D68588E95", "type": "ELEMENTS", '
        f'"answers": [{{"id": "h1;{ATTRIBUTE}", "name": "Books"}}]}}]}}'
    ),
    "library.txt": (
        "https://bi.example.com/MicroStrategyLibrary/app/EC70648611E7A2F962E90080EFD58751/"
        f"{REPORT}?prompts=%5B%5B%7B%22key%22%3A%22{GUID}%400%4010%22%2C%22values%22%3A%5B"
        f"%22{ATTRIBUTE}%3A1~1048576~Books%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"
    ),
    # Shapes that built a model before prompt-answer XML read them as rows (issue 22
    # item 2): a hierarchy qualification as Library writes it (key=, lcl, end tags, an
    # And of element qualifications; fixtures/xml/library-hierarchy-key-lcl.xml), a form
    # qualification with lcl="0" and apply_order (f03), and an empty answer of each
    # family (f05, f09, f12, f14).
    "hierarchy.xml": (
        '<rsl lcl="1033"><pa key="2C8E58F049B088D631DE75B4C1F25EAB@0@10"><exp >\n'
        '  <nd et="14" nt="4" dmt="1" ddt="-1"><nd et="5" nt="4" dmt="1" ddt="-1">'
        '<nd et="1" nt="5" dmt="1" ddt="-1">\n'
        '  <at did="8D679D3811D3E4981000E787EC6DE8A4" tp="12" stp="3072" n="Country" '
        'disp_n="Country"></at>\n  </nd><nd et="1" nt="2" dmt="1" ddt="-1"><mi ><es >\n'
        '  <at did="8D679D3811D3E4981000E787EC6DE8A4" tp="12" stp="3072" n="Country" '
        'disp_n="Country"></at>\n'
        '  <e ei="8D679D3811D3E4981000E787EC6DE8A4:1" emt="1" disp_n="USA"></e></es></mi>'
        '</nd><op fnt="22"></op></nd>\n  <op fnt="19"></op></nd></exp></pa></rsl>'
    ),
    "form.xml": (
        '<rsl><pa pt="8" pin="0" did="6C72923411E74D652FC90080EF753357" tp="10"><exp>'
        '<nd et="2" nt="4" dmt="1" ddt="-1"><nd et="1" nt="1" dmt="1" ddt="-1" lcl="0">'
        '<at did="2EC9CD4E4E5577C0470A4FBB3DFBB272" tp="12"/>'
        '<fm did="45C11FA478E745FEA08D781CEA190FE5" tp="21"/></nd>'
        '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">12345</cst></nd>'
        '<op fnt="6" fg="0" apply_order="0"/></nd></exp></pa></rsl>'
    ),
    "empty.xml": (
        f'<rsl><pa pt="5" pin="0" did="{GUID}" tp="10"></pa>'
        f'<pa pt="7" pin="1" did="{GUID}" tp="10"><mi><es/></mi></pa>'
        f'<pa pt="6" pin="2" did="{GUID}" tp="10"><mi><fct qsr="0" fcn="0" cc="0" sto="1" '
        'pfc="0" pcc="0"/></mi></pa>'
        f'<pa pt="8" pin="3" did="{GUID}" tp="10"><exp/></pa></rsl>'
    ),
    # An expression answer of the usual shapes (the REST docs' attribute qualification
    # sample: a form In list, with display text), read as a row (expression_plain).
    "expression.json": (
        f'{{"prompts": [{{"key": "{GUID}@0@10", "type": "EXPRESSION", "answers": {{'
        '"content": "Category In List 1, 2, 3", "expression": {"operator": "In", "operands": ['
        f'{{"type": "form", "attribute": {{"id": "{ATTRIBUTE}", "name": "Category"}}, '
        '"form": {"id": "45C11FA478E745FEA08D781CEA190FE5", "name": "ID"}}, '
        '{"type": "constants", "dataType": "Real", "values": ["1", "2", "3"]}]}}}]}'
    ),
}

PYTHON = [sys.executable]
# The console script, as users run it (python -m mstr_prompts where it is not installed).
_SCRIPT = Path(sys.executable).with_name("mstr-prompts")
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "mstr_prompts"]
BASELINE = "python -c 'import pydantic, lxml.etree, json'"
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [*PYTHON, "-c", "pass"],
    BASELINE: [*PYTHON, "-c", "import pydantic, lxml.etree, json"],
    "convert --from xml --to rest one.xml": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "one.xml"],
    "convert --from rest --to url elements.json": [
        *CLI, "convert", "--from", "rest", "--to", "url", "elements.json"],
    "convert --from url --to rest link.txt": [
        *CLI, "convert", "--from", "url", "--to", "rest", "link.txt"],
    "inspect --from xml one.xml": [*CLI, "inspect", "--from", "xml", "one.xml"],
    "link --base … --report … elements.json": [
        *CLI, "link", "--base", BASE, "--report", REPORT, "elements.json"],
    "convert --from rest --to rest by-id.json": [
        *CLI, "convert", "--from", "rest", "--to", "rest", "by-id.json"],
    "convert --from rest --to rest by-name.json": [
        *CLI, "convert", "--from", "rest", "--to", "rest", "by-name.json"],
    "convert --from url --to url values.txt": [
        *CLI, "convert", "--from", "url", "--to", "url", "values.txt"],
    "inspect --from url elements.txt": [*CLI, "inspect", "--from", "url", "elements.txt"],
    "link --base … --report … values.txt": [
        *CLI, "link", "--base", BASE, "--report", REPORT, "--from", "url", "values.txt"],
    "convert --from library --to rest library.txt": [
        *CLI, "convert", "--from", "library", "--to", "rest", "library.txt"],
    "convert --from rest --to library elements.json": [
        *CLI, "convert", "--from", "rest", "--to", "library", "elements.json"],
    # A value of several texts (REST's list; Library's terse IDs h1;…, read as texts),
    # and a link that fails (an XML value answer has no position): rows, no model.
    "convert --from rest --to rest texts.json": [
        *CLI, "convert", "--from", "rest", "--to", "rest", "texts.json"],
    "convert --from library --to rest terse.txt": [
        *CLI, "convert", "--from", "library", "--to", "rest", "terse.txt"],
    "link --base … --report … one.xml (fails: no position)": [
        *CLI, "link", "--base", BASE, "--report", REPORT, "one.xml"],
    "convert --from xml --to rest elements.xml (display names, indented)": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "elements.xml"],
    "inspect --from xml elements.xml": [*CLI, "inspect", "--from", "xml", "elements.xml"],
    "convert --from xml --to rest objects.xml (named objects)": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "objects.xml"],
    "convert --from rest --to url elements-by-id.json": [
        *CLI, "convert", "--from", "rest", "--to", "url", "elements-by-id.json"],
    "inspect --from url link.txt": [*CLI, "inspect", "--from", "url", "link.txt"],
    "link --base … --project … --dossier … library.txt (a Library link)": [
        *CLI, "link", "--base", LIBRARY, "--project", PROJECT, "--dossier", REPORT,
        "--from", "library", "library.txt"],
    # Read as rows since issue 22 item 2's last round (they built a model before).
    "convert --from xml --to rest hierarchy.xml (Library, key=, end tags)": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "hierarchy.xml"],
    "inspect --from xml hierarchy.xml": [*CLI, "inspect", "--from", "xml", "hierarchy.xml"],
    "convert --from xml --to rest form.xml (lcl, apply_order)": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "form.xml"],
    "convert --from xml --to rest empty.xml (an empty answer of each family)": [
        *CLI, "convert", "--from", "xml", "--to", "rest", "empty.xml"],
    "inspect --from xml empty.xml": [*CLI, "inspect", "--from", "xml", "empty.xml"],
    # With definitions: read into plain records, the answers bound and checked as rows.
    "convert --from rest --to rest --definitions … elements.json": [
        *CLI, "convert", "--from", "rest", "--to", "rest", "--definitions", "definitions.json",
        "elements.json"],
    "convert --from rest --to url --definitions defs.json rest-by-name.json": [
        *CLI, "convert", "--from", "rest", "--to", "url", "--definitions", "defs.json",
        "rest-by-name.json"],
    "convert --from url --to rest --definitions defs.json elements.txt": [
        *CLI, "convert", "--from", "url", "--to", "rest", "--definitions", "defs.json",
        "elements.txt"],
    # An expression answer of the usual shapes, written from its row to every target.
    "convert --from rest --to rest expression.json": [
        *CLI, "convert", "--from", "rest", "--to", "rest", "expression.json"],
    "convert --from rest --to xml expression.json": [
        *CLI, "convert", "--from", "rest", "--to", "xml", "expression.json"],
    "convert --from rest --to url --fallback xml expression.json": [
        *CLI, "convert", "--from", "rest", "--to", "url", "--fallback", "xml", "expression.json"],
    "convert --from rest --to library expression.json": [
        *CLI, "convert", "--from", "rest", "--to", "library", "expression.json"],
    "inspect --from rest expression.json": [
        *CLI, "inspect", "--from", "rest", "expression.json"],
    "link --base … --report … --fallback xml expression.json": [
        *CLI, "link", "--base", BASE, "--report", REPORT, "--fallback", "xml",
        "expression.json"],
    "python -c: rest.dumps(xml.decode_rows(one.xml))": [
        *PYTHON, "-c", "from mstr_prompts import rest, xml; "
        "rest.dumps(xml.decode_rows(open('one.xml').read()))"],
    "import mstr_prompts": [*PYTHON, "-c", "import mstr_prompts"],
    "... and build one model (xml.decode, answers)": [
        *PYTHON, "-c", "from mstr_prompts import xml; xml.decode(open('one.xml').read())[0]"],
}  # fmt: skip
CLI_COMMANDS = [name for name, argv in COMMANDS.items() if argv[: len(CLI)] == CLI]
TARGET = 1.5


# As installed: an installer compiles the modules, and an editable install writes their
# bytecode on first import (the warm-up round), so no run compiles source.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


# Commands that exit with an error on purpose (exit 4: the answers cannot be written).
FAILS = {"link --base … --report … one.xml (fails: no position)": 4}


def run(argv: list[str], cwd: str, status: int = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    elapsed = time.perf_counter() - start
    if done.returncode != status:
        raise SystemExit(f"{argv}: exit {done.returncode}, expected {status}")
    return elapsed


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as folder:
        for name, text in INPUTS.items():
            Path(folder, name).write_text(text, encoding="utf-8")
        for name, argv in COMMANDS.items():  # warm the disk cache, write the bytecode once
            run(argv, folder, FAILS.get(name, 0))
        for _ in range(ROUNDS):
            for name, argv in COMMANDS.items():
                times[name].append(run(argv, folder, FAILS.get(name, 0)))
    median = {name: statistics.median(t) for name, t in times.items()}
    best = {name: min(t) for name, t in times.items()}
    base = median[BASELINE]
    print(
        f"Start-up, wall time of a fresh interpreter, {ROUNDS} interleaved rounds "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end); "
        f"ratio = median / the baseline's median, target {TARGET}x"
    )
    width = max(map(len, COMMANDS)) + 2
    print(f"{'command':<{width}}{'median':>10}{'best':>10}{'ratio':>8}")
    for name in COMMANDS:
        ratio = f"{median[name] / base:.2f}x" if name != "python -c pass" else ""
        mark = (
            ""
            if name not in CLI_COMMANDS
            else "  ok"
            if median[name] / base <= TARGET
            else "  OVER"
        )
        print(
            f"{name:<{width}}{median[name] * 1e3:>7.1f} ms{best[name] * 1e3:>7.1f} ms"
            f"{ratio:>8}{mark}"
        )
    print()


if __name__ == "__main__":
    main()
