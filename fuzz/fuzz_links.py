"""Fuzz ``links.web_url`` arguments and ``links.parse`` (issue 13).

With atheris installed this is a coverage-guided harness::

    python fuzz/fuzz_links.py -atheris_runs=1000000

Without it, the same checks run on pseudo-random inputs (a plain loop, seeded, so a
failure can be replayed)::

    python fuzz/fuzz_links.py --plain 100000 [--seed N]

The invariant: ``web_url`` either raises the library's own error, or returns a link in
which Python's ``parse_qsl`` and ``links.parse`` both see exactly one ``evt``, one
``src``, one object ID and exactly the answers given; ``links.parse`` of any text returns
a ``WebLink`` or raises the library's own error.  Anything else is a crash.
"""

from __future__ import annotations

import contextlib
import random
import sys
import urllib.parse
from collections.abc import Callable

from mstr_prompts import links, url
from mstr_prompts.errors import PromptAnswerError
from mstr_prompts.model import AnswerSet
from mstr_prompts.rules import fold_name

_BASES = [
    "http://h/MicroStrategy/servlet/mstrWeb",
    "https://bi.example.com:8443/MicroStrategy/asp/Main.aspx",
    "mstrWeb",
    "Main.aspx",
    "x=1&valuePromptAnswers=EVIL/servlet/mstrWeb",
    "http://[::1/servlet/mstrWeb",
]
_NAMES = ["evt", "src", "reportID", "documentID", "valuePromptAnswers", "promptAnswerMode"]
_PIECES = [
    "&",
    "=",
    "#",
    "%",
    "%73",
    "%26",
    "\n",
    "\r",
    " ",
    "+",
    "ſ",
    "ı",
    "\u212a",
    "^",
    "\ud800",
]


def _check(base: str, kind: str, object_id: str, query: str, params: dict[str, str]) -> None:
    try:
        answers = url.decode(query)
    except PromptAnswerError:
        answers = AnswerSet()
    try:
        link = links.web_url(base, **{f"{kind}_id": object_id}, answers=answers, **params)  # type: ignore[arg-type]
    except PromptAnswerError:
        return
    pairs = urllib.parse.parse_qsl(link.partition("?")[2], keep_blank_values=True)
    names = [fold_name(name) for name, _ in pairs]
    assert names.count("evt") == 1 and names.count("src") == 1, link
    assert names.count("reportid") + names.count("documentid") == 1, link
    parsed = links.parse(link)
    assert parsed.object_id == object_id, link
    assert parsed.answers == answers, link
    assert url.decode(link, allow_empty=True) == answers, link


def _parse_anything(text: str) -> None:
    with contextlib.suppress(PromptAnswerError):
        links.parse(text)


def _text(pick: Callable[[list[str]], str], chars: Callable[[], str], size: int) -> str:
    return "".join(pick(_PIECES) if i % 2 else chars() for i in range(size))


def one_input(data: bytes) -> None:
    """The atheris entry point: every argument of web_url drawn from ``data``."""
    import atheris  # type: ignore[import-not-found]

    fdp = atheris.FuzzedDataProvider(data)
    base = _BASES[fdp.ConsumeIntInRange(0, len(_BASES) - 1)]
    if fdp.ConsumeBool():
        base = fdp.ConsumeUnicode(20) + "/servlet/mstrWeb"
    kind = ("report", "document", "dossier")[fdp.ConsumeIntInRange(0, 2)]
    object_id = fdp.ConsumeUnicode(8) or "R"
    params = {}
    for _ in range(fdp.ConsumeIntInRange(0, 3)):
        name = _NAMES[fdp.ConsumeIntInRange(0, len(_NAMES) - 1)] if fdp.ConsumeBool() else ""
        params[name + fdp.ConsumeUnicode(6)] = fdp.ConsumeUnicode(6)
    query = fdp.ConsumeUnicode(200)
    _check(base, kind, object_id, query, params)
    _parse_anything(query)


def plain(runs: int, seed: int) -> None:
    """The same checks on ``runs`` pseudo-random inputs, without atheris."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(32, 127)] + ["é", "名", "\xa0", "\x1b"]

    def chars() -> str:
        return rng.choice(alphabet)

    for _ in range(runs):
        base = rng.choice(_BASES)
        if rng.random() < 0.3:
            base = _text(rng.choice, chars, rng.randint(0, 8)) + "/servlet/mstrWeb"
        params = {
            rng.choice([*_NAMES, ""]) + _text(rng.choice, chars, rng.randint(0, 4)): _text(
                rng.choice, chars, rng.randint(0, 4)
            )
            for _ in range(rng.randint(0, 3))
        }
        query = "valuePromptAnswers=" + _text(rng.choice, chars, rng.randint(0, 12))
        if rng.random() < 0.5:
            query += "&objectsPromptAnswers=A~4~" + _text(rng.choice, chars, rng.randint(0, 6))
        kind = rng.choice(["report", "document", "dossier"])
        _check(base, kind, _text(rng.choice, chars, rng.randint(1, 6)), query, params)
        _parse_anything(base + "?" + query)


def main(argv: list[str]) -> None:
    if "--plain" in argv:
        runs = int(argv[argv.index("--plain") + 1])
        seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
        plain(runs, seed)
        print(f"fuzz_links: {runs} plain runs, seed {seed}: no crash")
        return
    try:
        import atheris
    except ImportError:
        plain(10_000, 0)
        print("fuzz_links: atheris is not installed; ran 10,000 plain runs instead")
        return
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
