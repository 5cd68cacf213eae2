"""Fuzz the typed expressions: ``expression_xml.loads`` (``<exp>``) and ``expression_json.loads``.

The input is read as ``<exp>`` XML and, when it is a JSON object, as REST's expression
tree.  Checks: only the library's own errors escape (``NotRepresentableError`` for a
tree outside the case table is one of them); what each reader returns, its writer
writes back and the reader reads as the same expression (and display text); and the
other format carries it too, or refuses it with ``NotRepresentableError``, never reading
back another expression.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import common

from mstr_prompts import expression_json, expression_xml
from mstr_prompts.errors import NotRepresentableError, PromptAnswerError

NAME = "expression"
TOKENS = (
    "<exp>", "</exp>", "<nd ", "</nd>", " et=\"5\"", " et=\"10\"", " et=\"13\"", " et=\"14\"",
    " nt=\"4\"", " nt=\"5\"", " nt=\"3\"", " dmt=\"1\"", " ddt=\"-1\"", "<op fnt=\"8\"/>",
    "<op fnt=\"22\"/>", "<op fnt=\"19\"/>", "<at ", "<mt ", "<cst ddt=\"5\">", "</cst>",
    "<prs>", "<pr ", "<es>", "<e ", "<fm ", " did=\"", " tp=\"12\"", " tp=\"4\"",
    '"operator":', '"operands":', '"type":', '"And"', '"Or"', '"Not"', '"In"', '"Between"',
    '"Greater"', '"Rank.Top"', '"constant"', '"constants"', '"elements"', '"attribute"',
    '"metric"', '"form"', '"dataType":', '"Real"', '"Date"', '"value":', '"id":', '"name":',
)  # fmt: skip


def _is_tree(value: Any) -> bool:
    return isinstance(value, dict) and "operator" in value


def seeds() -> list[bytes]:
    out = []
    for document in common.json_documents():
        if _is_tree(document):
            out.append(json.dumps(document).encode())
        elif isinstance(document, str) and document.lstrip().startswith("<exp"):
            out.append(document.encode())
    for path in common.fixture_files("xml", "expressions"):
        text = path.read_text("utf-8")
        start = text.find("<exp")
        if start >= 0:
            end = text.find("</exp>", start)
            out.append(text[start : end + 6 if end >= 0 else None].encode())
    return out


def _other(what: str, expression: Any, dumps: Any, loads: Any) -> None:
    written = common.attempt(lambda: dumps(expression))
    if isinstance(written, NotRepresentableError):
        return
    if isinstance(written, PromptAnswerError):
        raise common.Crash(f"{what}: the writer raised {written!r}")
    again = common.attempt(lambda: loads(written))
    if isinstance(again, PromptAnswerError):
        raise common.Crash(f"{what}: the reader refuses what the writer wrote: {again}")
    if again != expression:
        raise common.Crash(f"{what}: changed the expression\n  {expression!r}\n  {again!r}")


def _xml_loads(text: str) -> Any:
    return expression_xml.loads(text)[0]


def check(data: bytes) -> None:
    text = common.as_text(data)
    from_xml = common.attempt(lambda: expression_xml.loads(text))
    if not isinstance(from_xml, PromptAnswerError):
        expression, content = from_xml
        written = expression_xml.dumps(expression, content)
        common.same_outcome(
            "xml round trip", from_xml, common.attempt(lambda: expression_xml.loads(written))
        )
        _other("xml -> json", expression, expression_json.dumps, expression_json.loads)
    tree = common.parsed_json(text)
    if isinstance(tree, dict):
        from_json = common.attempt(lambda: expression_json.loads(tree))
        if not isinstance(from_json, PromptAnswerError):
            _other("json round trip", from_json, expression_json.dumps, expression_json.loads)
            _other("json -> xml", from_json, expression_xml.dumps, _xml_loads)


if __name__ == "__main__":
    common.main(sys.argv, sys.modules[__name__])
