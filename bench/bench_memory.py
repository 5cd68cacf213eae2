"""Benchmark: peak memory of each decoder, as a multiple of the input.

Two kinds of input per format.  Element-heavy (20 MB): prompt-answer XML raw and
percent-encoded, one ``<pa>`` of 160,000 elements, a REST body, a Web URL query with and
without display names, a Library link.  Many small prompts (6 MB): XML value prompts,
XML object prompts with names, mixed small XML prompts (a value, 6 elements with display
names, 3 named objects), REST value and mixed prompts, a Web link of value answers
(``valuePromptAnswers``) and a Library link of the mixed prompts.  Each input is written
to a file, and a fresh interpreter reads it, resets its peak resident set size
(``/proc/self/clear_refs``), decodes, and reports how far the peak rose above the
resident size before decoding.  That counts everything: Python objects, lxml's C tree
and the allocator's slack.  Three figures per decoder: ``decode`` as it returns;
``+ every model`` after the caller has walked the set and read every answer's fields
(``a.prompt.key``; ``a.value``, every object's ``id`` and ``name``, every element's
``e.id.keys`` and ``e.name``), as a caller walking the answers does; and ``+ all held``
with every answer and every element held at once (``(a, tuple(a.elements))`` kept for
all), which no target covers.  A decoded set builds each answer from its row when it is
read (``AnswerList``) and an element answer each element (``ElementList``), so only a
caller that keeps them all pays for the models.  The target is 10x the input size for
the first two.

A second table is the whole command, as a user meets it: ``mstr-prompts convert --from
xml --to rest --compact FILE`` in a fresh process, its peak resident memory (interpreter
included, its own VmHWM) over the file's size, for the XML inputs raw and
percent-encoded (issue 21).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_memory.py``; ``--small`` for the
inputs of many small prompts alone; ``--tree`` to read XML with the text reader
``mstr_prompts._xml_text`` switched off, every document parsed into lxml's tree).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from workloads import (
    big_xml,
    elements_query,
    named_objects,
    one_big_pa,
    small_mixed,
    value_prompts,
    values_query,
)

MEGABYTES = 20
TREE = "--tree" in sys.argv[1:]  # XML read into lxml's tree, the text reader off
SMALL_MEGABYTES = 6
TARGET = 10.0
LABELS = {
    "xml": "xml",
    "xml%": "xml, %-encoded",
    "xml-1pa": "xml, 1 <pa>",
    "xml%-1pa": "xml, 1 <pa>, %",
    "rest": "rest",
    "url": "url, no names",
    "url^": "url, names",
    "library": "library link",
    "xml-values": "xml, value prompts",
    "xml-objects": "xml, object prompts",
    "xml-mixed": "xml, mixed small",
    "rest-values": "rest, value prompts",
    "rest-mixed": "rest, mixed small",
    "url-values": "url, value prompts",
    "library-mixed": "library, mixed small",
}
WEB_LINK = (
    "https://example.com/MicroStrategy/servlet/mstrWeb?server=S1&project=Sales&"
    "reportID=27D33ACF4C8A9A5DF3E8B1BE5DCE4D62&"
)
LIBRARY_LINK = (
    "https://example.com/MicroStrategyLibrary/app/B7CA92F04B9FAE8D941C3E9B7E0CD754/"
    "27D33ACF4C8A9A5DF3E8B1BE5DCE4D62?prompts="
)


def _status(field: str) -> int:
    """A size from /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


class _Chain:
    """The answers of several sets, walked one set after another (each built when read)."""

    def __init__(self, sets: list[Any]) -> None:
        self.sets = sets

    def __iter__(self) -> Iterator[Any]:
        for answers in self.sets:
            yield from answers


def child(fmt: str, path: str, stage: str) -> None:
    """Decode the file's text in this process and print the peak growth as JSON.

    One stage per process: memory a stage freed stays with the process (the allocator
    keeps its arenas), so a second stage in the same process would start from a
    resident size that already covers part of its peak, and show less than it costs."""
    from mstr_prompts import library, rest, url, xml
    from mstr_prompts.model import AnswerSet

    xml._RAW = not TREE
    decoders: dict[str, Callable[[str], AnswerSet]] = {
        "rest": rest.decode,
        "xml": xml.decode,
        "url": url.decode,
        "library": library.decode,
    }
    decoder = decoders[fmt.split("-")[0].rstrip("%^")]
    text = Path(path).read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    gc.collect()
    before = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
    if fmt == "url-values":
        # A file of Web links, one a line (a link answers at most 1,000 value prompts by
        # position): every link's set, all kept, as one document's answers would be.
        answers: Any = [a for line in text.splitlines() for a in [decoder(line)]]
        answers = _Chain(answers)
    else:
        answers = decoder(text)
    held: list[object] = []
    if stage == "full":
        touched = 0
        for answer in answers:  # builds each answer's model from its row, keeps none
            assert answer.prompt is not None
            touched += answer.prompt.key is not None
            getattr(answer, "value", None)
            for ref in getattr(answer, "objects", ()):
                assert ref.id
                touched += ref.name is not None
            for element in getattr(answer, "elements", ()):
                assert element.id is not None and element.id.keys
                touched += element.name is not None
        assert touched > 0 or fmt.startswith("url")
    elif stage == "held":
        held = [(a, tuple(getattr(a, "elements", ()))) for a in answers]
    peak = _status("VmHWM") - before
    del answers, held
    print(json.dumps({"size": size, stage: peak}))


def _convert_peak(path: Path) -> int:
    """Peak resident memory, in bytes, of ``mstr-prompts convert`` of ``path`` to REST.

    The command runs in a fresh interpreter that reports its own VmHWM when it is done
    (a child's ``ru_maxrss`` would count the memory of this process it was forked from).
    """
    script = (
        "import sys\n"
        "from mstr_prompts.cli import main\n"
        + ("import mstr_prompts.xml\nmstr_prompts.xml._RAW = False\n" if TREE else "")
        + "status = main(sys.argv[1:])\n"
        "sys.stdout.flush()\n"
        "for line in open('/proc/self/status'):\n"
        "    if line.startswith('VmHWM:'):\n"
        "        print(int(line.split()[1]) * 1024, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    command = [sys.executable, "-c", script, "convert", "--from", "xml", "--to", "rest"]
    command += ["--compact", str(path)]
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True
    )
    return int(done.stderr.split()[-1])


def _inputs(small_only: bool) -> dict[str, str]:
    from mstr_prompts import library, rest, xml

    inputs: dict[str, str] = {}
    if not small_only:
        xml_text = big_xml(MEGABYTES)
        one_pa = one_big_pa()
        inputs = {
            "xml": xml_text,
            # the same document percent-encoded, as captured from a link or a form
            "xml%": urllib.parse.quote(xml_text, safe=""),
            # one prompt of 160,000 elements, raw and percent-encoded
            "xml-1pa": one_pa,
            "xml%-1pa": urllib.parse.quote(one_pa, safe=""),
            "rest": rest.dumps(xml.decode(xml_text), indent=None),
            # a Web link's element list as Web writes it (ATTR:key), and with display names
            "url": elements_query(MEGABYTES * 1_000_000 // 37_000, per_prompt=1000, names=False),
            "url^": elements_query(prompts=MEGABYTES * 1_000_000 // 51_000, per_prompt=1000),
            "library": LIBRARY_LINK
            + library.encode(xml.decode(big_xml(MEGABYTES * 13 // 10)), form="param"),
        }
    # Many small prompts: about SMALL_MEGABYTES each (one prompt per 60 to 300 bytes).
    megabyte = SMALL_MEGABYTES * 1_000_000
    values = value_prompts(megabyte // 80)
    mixed = small_mixed(megabyte // 360)
    inputs |= {
        "xml-values": values,
        "xml-objects": named_objects(megabyte // 340),
        "xml-mixed": mixed,
        "rest-values": rest.dumps(xml.decode(value_prompts(megabyte // 90)), indent=None),
        "rest-mixed": rest.dumps(xml.decode(small_mixed(megabyte // 325)), indent=None),
        "url-values": "\n".join(
            WEB_LINK + values_query(1000) for _ in range(megabyte // len(values_query(1000)))
        ),
        "library-mixed": LIBRARY_LINK
        + library.encode(xml.decode(small_mixed(megabyte // 300)), form="param"),
    }
    return inputs


def main(small_only: bool = False) -> None:
    inputs = _inputs(small_only)
    print("Peak memory of a decode, as a multiple of the input")
    print(
        f"{'decoder':<22}{'input':>10}{'decode':>18}{'+ every model':>18}{'+ all held':>18}"
        f"{'target':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for fmt, text in inputs.items():
            path = paths[fmt] = Path(tmp) / fmt.replace("%", "-percent")
            path.write_text(text, encoding="utf-8")
            r: dict[str, int] = {}
            for stage in ("decode", "full", "held"):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", fmt, str(path), stage]
                    + (["--tree"] if TREE else []),
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r.update(json.loads(out))
            mb = r["size"] / 1e6
            cells = "".join(
                f"{r[s] / 1e6:>10.0f} MB {r[s] / r['size']:>4.1f}x"
                for s in ("decode", "full", "held")
            )
            print(f"{LABELS[fmt]:<22}{mb:>7.1f} MB{cells}{TARGET:>7.0f}x")
        if small_only:
            return
        print()
        print("Peak memory of `mstr-prompts convert --from xml --to rest --compact FILE`")
        print(f"{'input':<24}{'size':>10}{'peak (whole process)':>28}{'target':>8}")
        for fmt in ("xml", "xml%", "xml-1pa", "xml%-1pa"):
            size = paths[fmt].stat().st_size
            peak = _convert_peak(paths[fmt])
            label = ("percent-encoded" if "%" in fmt else "raw") + (
                ", 1 <pa>" if "1pa" in fmt else ""
            )
            cell = f"{peak / 1e6:>7.0f} MB {peak / size:>5.1f}x"
            print(f"{label:<24}{size / 1e6:>7.1f} MB{cell:>28}{TARGET:>7.0f}x")
    print()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main(small_only="--small" in sys.argv[1:])
