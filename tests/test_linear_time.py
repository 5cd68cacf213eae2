"""Issue 20 items 2 and 9: every decoder's worst input we know takes time linear in its size.

The issue asks for a timing check here (and only here): ten times the input may take at
most fifteen times the time, measured with process time (what this process spent, not
what the machine's other jobs took), best of several runs.  Inputs stay small so CI stays
fast; a quadratic path already shows at these sizes (the Library reproducer took 10.8 s
for 250 KB).
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstr_prompts import (
    _expression_scan,
    definitions,
    expression_xml,
    formats,
    library,
    links,
    rest,
    url,
    xml,
)
from mstr_prompts.element_id import parse_element_id
from mstr_prompts.errors import PromptAnswerError

KEY = "8D679D3711D3E4981000E787EC6DE8A4@0@10"
G = "8D679D3711D3E4981000E787EC6DE8A4"
ATTR = "8D679D5111D3E4981000E787EC6DE8A4"


def _once(call: Callable[[], object]) -> float:
    # The collector off while timing, as timeit does: in the full suite a pass of it over
    # the heap other tests left costs more than a small decode, and lands on the large
    # run more often, so the ratio measured the suite's heap rather than the decoder.
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        with contextlib.suppress(PromptAnswerError):
            call()
        return time.process_time() - start
    finally:
        gc.enable()


def best_time(call: Callable[[], object], runs: int = 5) -> float:
    return min(_once(call) for _ in range(runs))


def time_of(decode: Callable[[str], Any], text: str, runs: int = 5) -> float:
    return best_time(lambda: decode(text), runs)


_FLOOR = 0.002  # seconds: below this, timer noise would decide
_MAX_SMALL = 100_000  # characters: the small input grows to this at most


def assert_linear(decode: Callable[[str], Any], make: Callable[[int], str], n: int) -> None:
    """10x the input in at most 15x the time.

    The small input grows (doubling ``n``) until it takes ``_FLOOR`` or reaches
    ``_MAX_SMALL`` characters, so the ratio compares real work, not timer noise.

    The host's speed drifts (by up to 2x on shared CI machines), and a drift between the
    small and the large measurement once failed a linear decoder at 15.7x.  So each
    attempt times the two inputs alternately, best of five each, and the check passes when
    one of ``_ATTEMPTS`` attempts is within the bound.  The bound is the same for each
    attempt: a quadratic path takes about 100x at 10x the input every time, and fails all.
    """
    small = make(n)
    small_time = time_of(decode, small)
    while small_time < _FLOOR and len(make(2 * n)) <= _MAX_SMALL:
        n *= 2
        small = make(n)
        small_time = time_of(decode, small)
    large = make(10 * n)
    assert len(large) >= 9 * len(small)
    ratios = []
    for _ in range(_ATTEMPTS):
        small_best = large_best = float("inf")
        for _ in range(5):
            small_best = min(small_best, time_of(decode, small, runs=1))
            large_best = min(large_best, time_of(decode, large, runs=1))
        ratios.append((small_best, large_best))
        if large_best <= 15 * max(small_best, _FLOOR):
            return
    raise AssertionError((len(small), len(large), ratios))


_ATTEMPTS = 3


def _library_values(value: str) -> str:
    return json.dumps([[{"key": KEY, "values": [value], "useDefault": False}]])


def _scanned(text: str) -> object:
    return _expression_scan.scan_text(text), _expression_scan.OUTSIDE.search(text)


WORST: dict[str, tuple[Callable[[str], Any], Callable[[int], str], int]] = {
    # the reproducer: a placeholder token opened again and again, never closed
    "library-placeholder": (library.decode, lambda n: _library_values("{[a]@" * n), 4000),
    "library-placeholder-unclosed": (library.decode, lambda n: _library_values("{[" * n), 4000),
    "library-item-digits": (library.decode, lambda n: _library_values("a~" + "1" * n), 20000),
    "library-level-tildes": (
        library.decode,
        lambda n: _library_values(f"{G}~1048578~" + "~1" * n + "x"),
        4000,
    ),
    "library-link-app-paths": (
        library.decode,
        lambda n: f"/app/{G}/{G}" * n + "?prompts=%5B%5B%5D%5D",
        500,
    ),
    "links-app-paths": (
        links.parse,
        lambda n: "https://h" + f"/app/{G}/{G}" * n + "#?x",
        500,
    ),
    "links-scheme": (links.parse, lambda n: "a" * n + "?x=1", 20000),
    "url-percent-twice": (url.decode, lambda n: "valuePromptAnswers=" + "%25" * n, 5000),
    "url-carets": (url.decode, lambda n: "valuePromptAnswers=" + "^" * n, 5000),
    "url-element-separators": (
        url.decode,
        lambda n: "elementsPromptAnswers=" + f"{ATTR};" * n,
        500,
    ),
    "url-whitespace": (url.decode, lambda n: "valuePromptAnswers=a" + " \n" * n + "b", 5000),
    "url-scheme": (url.decode, lambda n: "a" * n + "://", 20000),
    "xml-open-pa": (xml.decode, lambda n: "<rsl>" + "<pa " * n, 5000),
    "xml-transport": (xml.decode, lambda n: "%253C" * n, 5000),
    "rest-deep": (rest.decode, lambda n: '{"prompts":' + "[" * n + "]" * n + "}", 2000),
    "definitions-many": (
        definitions.decode,
        lambda n: json.dumps([{"key": f"{i:032X}@0@10", "type": "VALUE"} for i in range(n)]),
        200,
    ),
    "element-id-escapes": (
        lambda text: parse_element_id(text),
        lambda n: f"{ATTR}:" + "*:" * n + "*",
        5000,
    ),
    "element-id-terse-escapes": (
        lambda text: parse_element_id(text),
        lambda n: "h" + "\\;" * n + f";{ATTR}",
        5000,
    ),
    "expression-xml-wide": (
        lambda text: expression_xml.loads(text),
        lambda n: (
            '<exp><nd et="14" nt="4" dmt="1" ddt="-1">'
            + '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">1</cst></nd>' * n
            + '<op fnt="19"/></nd></exp>'
        ),
        500,
    ),
    # issue 22 item 5: the <exp> scan's patterns (emt before ei and disp_id on elements,
    # node and reference attributes) and its search for what the walk refuses, over
    # lxml's serialisation, each run ending in a near miss.  Items are long enough that
    # the large input holds fewer than 8,000: past some 10,000 repetitions CPython's
    # engine steps up once in cost per repetition (the patterns before this issue's
    # change did too), which is no growth in the order of the time.
    "expression-scan-elements-near-miss": (
        _scanned,
        lambda n: (
            '<exp><nd et="5" nt="4" dmt="1" ddt="-1" is_indp_csi="1" cc="2"><nd et="1" nt="5" '
            f'dmt="1" ddt="-1"><at did="{ATTR}" tp="12" stp="3072" n="A" disp_n="A"/></nd>'
            '<nd et="1" nt="2" dmt="1" ddt="-1"><mi><es>'
            + f'<e emt="1" ei="{ATTR}:1" art="1" disp_n="{"x" * 100}" disp_id="y"/>' * n
            + f'<e ei="{ATTR}:1" emt="2"/></es></mi></nd><op fnt="22"/></nd></exp>'
        ),
        500,
    ),
    "expression-scan-values-near-miss": (
        _scanned,
        lambda n: (
            '<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
            f'<mt did="{G}" tp="4" stp="1024" n="m" disp_n="m"/></nd>'
            + '<nd et="1" nt="3" dmt="1" ddt="5" is_indp_csi="1" cc="0" lcl="0" disp_n="v">'
            f'<cst ddt="5">{"1" * 50}</cst></nd>'
            * n
            + '<nd et="1" nt="3" dmt="1" ddt="5" cc="0" is_indp_csi="1"><cst ddt="5">1</cst>'
            '</nd><op fnt="22"/></nd></exp>'
        ),
        500,
    ),
    # issue 22 item 5: <exp> text read as it stands in a document (scan_text_row: empty
    # elements written as pairs, emt twice), and documents of many such prompts.
    "expression-text-pairs-near-miss": (
        lambda text: expression_xml.scan_text_row(text, "K@0@10"),
        lambda n: "<exp>" + '<e emt="1" ei="a" disp_n="x"></f>' * n + "</exp>",
        2000,
    ),
    "expression-text-one-long-tag": (
        lambda text: expression_xml.scan_text_row(text, "K@0@10"),
        lambda n: "<exp><op" + ' fnt="1"' * n + "></exp>",
        5000,
    ),
    "expression-text-verbatim-unclosed": (
        lambda text: expression_xml.scan_text_row(text, "K@0@10"),
        lambda n: (
            '<exp><nd et="16" nt="4" dmt="1" ddt="-1">' + '<x a="1" b="2" a="3">' * n + "</exp>"
        ),
        2000,
    ),
    "xml-expression-prompts": (
        xml.decode,
        lambda n: (
            "<rsl>"
            + (
                f'<pa pt="8" pin="0" did="{G}" tp="10"><exp><nd et="10" nt="4" dmt="7" '
                f'ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1"><mt did="{G}" tp="4"></mt>'
                '</nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">1</cst></nd>'
                '<op fnt="8"></op></nd></exp></pa>'
            )
            * n
            + "</rsl>"
        ),
        300,
    ),
    "detect-many-params": (
        lambda text: formats.detect(text),
        lambda n: "x=1&" * n + "valuePromptAnswers=1",
        5000,
    ),
}


@pytest.mark.parametrize("name", sorted(WORST))
def test_worst_known_input_is_linear(name: str) -> None:
    decode, make, n = WORST[name]
    assert_linear(decode, make, n)


def test_validate_of_many_answers_is_linear() -> None:
    def make(n: int) -> str:
        return json.dumps([{"key": f"{i:032X}@0@10", "type": "VALUE"} for i in range(n)])

    def answers(n: int) -> str:
        prompts = [{"key": f"{i:032X}@0@10", "type": "VALUE", "answers": "1"} for i in range(n)]
        return json.dumps({"prompts": prompts})

    n = 200
    small_defs, large_defs = definitions.decode(make(n)), definitions.decode(make(10 * n))
    small, large = rest.decode(answers(n)), rest.decode(answers(10 * n))
    small_time = best_time(lambda: definitions.validate(small, small_defs))
    large_time = best_time(lambda: definitions.validate(large, large_defs), runs=3)
    assert large_time <= 15 * max(small_time, 0.002), (small_time, large_time)


@settings(max_examples=10, deadline=None)
@given(
    unit=st.text(alphabet='{[]@}~1a%^;&=<>/ "\\', min_size=1, max_size=6),
    decoder=st.sampled_from(["library", "url", "xml", "links"]),
)
def test_generated_repetitions_are_linear(unit: str, decoder: str) -> None:
    """Any short unit repeated: the shape that finds overlapping quantifiers."""
    decode: Callable[[str], Any] = {
        "library": lambda s: library.decode(_library_values(s)),
        "url": lambda s: url.decode("valuePromptAnswers=" + s),
        "xml": lambda s: xml.decode("<rsl>" + s),
        "links": lambda s: links.parse("https://h/" + s),
    }[decoder]
    assert_linear(decode, lambda n: unit * n, 3000 // len(unit))
