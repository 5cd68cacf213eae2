"""Decoders on adversarial separators: linear, next to a linear floor (issue 13).

The old layout pattern retried at every space, so 20,000 spaces before a line break took
12 s.  Each workload here is run at two sizes, ten times apart; a linear decoder keeps
its ratio to the floor (``urllib.parse.parse_qsl`` on the same text) about constant, a
quadratic one would multiply it by ten.  The tests assert sizes only
(tests/test_url.py "linear time"); this script reports times.
"""

from __future__ import annotations

import urllib.parse

from harness import compare, report

from mstr_prompts import links, url

SIZES = (100_000, 1_000_000)


def workloads(n: int) -> dict[str, str]:
    return {
        "spaces then a line break": "valuePromptAnswers=" + " " * n + "a\n",
        "layout runs": "valuePromptAnswers=" + "a \t\n " * (n // 5),
        "empty pairs": "&" * n,
        "lone percents": "valuePromptAnswers=" + "%" * n,
        "open slots": "valuePromptAnswers=" + "^" * min(n, 999),
        "link, trailing spaces": "mstrWeb?evt=4001&reportID=R&valuePromptAnswers=a" + " " * n,
    }


def main() -> None:
    rows = []
    for n in SIZES:
        for label, text in workloads(n).items():
            decode = links.parse if text.startswith("mstrWeb") else url.decode
            rows.append(
                compare(
                    f"{label} ({n:,})",
                    lambda d=decode, t=text: d(t),  # type: ignore[misc]
                    lambda t=text: urllib.parse.parse_qsl(t, keep_blank_values=True),  # type: ignore[misc]
                    target=30.0,
                    rounds=3,
                )
            )
    report("adversarial input, url.decode / links.parse", "parse_qsl", rows)


if __name__ == "__main__":
    main()
