"""The usual ``<exp>`` shapes read from their text, with no model class (issue 22 item 2).

The scan of :mod:`mstr_prompts.expression_xml`: an ``<exp>`` as MicroStrategy's Web and
mobile builders write it is read by one regular expression per qualification into
REST's JSON tree, which REST's writer takes as it is.  It lives apart from the walk and
the typed nodes (the model) so that prompt-answer XML's readers make an expression's row
without loading pydantic's model machinery: the row's answer is built only when a reader
other than REST's writer asks, by the ``build`` function its maker is given
(:func:`mstr_prompts.expression_xml.text_answer`).

>>> scanned = scan_text('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" '
...   'dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" '
...   'nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
>>> scanned[0]["operator"], scanned[1]
('Greater', None)
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from lxml import etree

from . import expression_codes as codes
from ._lazy import lazy as _lazy  # compiled on first use
from .element_text import plain_keys, plain_terse_ids
from .expression_names import (
    FORM_OPERATORS,
    LIST_OPERATORS,
    LOGICAL,
    METRIC_OPERATORS,
    RANKING,
    Operator,
)
from .expression_plain import answers_json, typed_dump
from .expression_text import (
    elements_text,
    form_text,
    logical_text,
    metric_text,
    qualification_text,
    ref_text,
)
from .row_kinds import EXPRESSION_ROW, Row
from .rules import display_text

__all__ = [
    "KEPT",
    "OUTSIDE",
    "SCAN",
    "Answers",
    "Build",
    "Kept",
    "Scanned",
    "VerbatimAnswers",
    "is_empty",
    "row_dump",
    "row_words",
    "scan_text",
    "serialised_row",
    "text_row",
    "typed_row",
    "unescape",
    "verbatim_row",
]


Build = Callable[[str, str], Any]
"""What builds an expression row's answer from its ``<exp>`` text and prompt key."""


def is_empty(element: etree._Element) -> bool:
    """True for a body with nothing in it at all: ``<exp/>``, ``<dmy></dmy>``
    (``mstr_prompts.expression_xml.is_empty``; kept here, below the model, so that the
    XML reader closes a prompt without loading it).

    Such a body closes the prompt.  One with attributes or text is not empty: it is kept
    as an answer, so that no conversion can turn it into "close the prompt".

    >>> from lxml import etree
    >>> is_empty(etree.fromstring("<exp> </exp>")), is_empty(etree.fromstring('<exp nc="0"/>'))
    (True, False)
    """
    return not element.attrib and len(element) == 0 and not (element.text or "").strip()


# --- the scan: the usual shapes read from the <exp>'s text -----------------------------
#
# The walk (expression_xml) reads each node through lxml (a proxy per element, a call per read) and
# checks it in Python: about 2 µs a node, most of an expression prompt's time.  An <exp>
# as the Web and mobile builders write it is a handful of fixed shapes, so the scan reads
# lxml's own serialisation of the parsed element (one C call; attributes always
# double-quoted, in document order, with only & < > " and \t \n \r escaped, empty
# elements self-closed, no comments, processing instructions or CDATA left) with one
# regular expression per qualification.  It accepts only spellings whose every part is
# one the walk accepts with the same meaning (the attribute sets and orders of
# MicroStrategy's writers, values without surrounding spaces, no text between nodes, the
# operators, arities and data types the builders take as they are) and returns None for
# anything else, which the walk then reads: so every result and every error is the
# walk's.  It writes REST's JSON tree, which REST's writer takes as it is (scan_row) and
# expression_xml._typed turns into typed nodes when a model is asked for.
# tests/test_expression_scan.py holds both equal to the walk's over generated, respelled
# and mutated trees.

_G = r"[0-9A-Fa-f]{32}"  # GUID_PATTERN without its anchors


def _indentable(pattern: str) -> str:
    """``pattern`` with indentation allowed before every tag: the walk takes any
    whitespace-only text between elements.  (Only space, tab and LF: a CR is serialised
    as &#13;, and other spaces are left to the walk.  A constant's text stays exact: the
    greedy ``[^<]+`` before its end tag keeps any spaces it ends with.)  Used only for
    a text that may be indented (_spaced): it costs the engine a try at every tag."""
    return re.sub(r"(?<!\^)<", "[ \t\n]*<", pattern)  # not the < of [^<]


def _spaced(text: str) -> bool:
    # Indentation somewhere (the compact patterns would fail on it); text that merely
    # holds a space or a new line reads the same by either
    return "\n" in text or "\t" in text or "> <" in text


def _closed(tag: str) -> str:
    """The end of an empty element's start tag: self-closed as lxml writes it, or as a
    pair, ``<op fnt="8"></op>``, as Web's DHTML builder writes it (the parser reads both
    as one element with no text).  The end tag's '<' is written ``\\x3c`` so that
    _indentable leaves it: whitespace inside the pair would be the element's text."""
    return rf"(?:/>|>\x3c/{tag}>)"


_OP = r'<op fnt="(\d+)"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
# Attribute values are [^"\x3c]*: §2.3 AttValue holds no '<' (the text scan must refuse
# what the parser refuses), written \x3c so that _indentable leaves it.
# What may follow a node's four attributes: the ones _EXTRA lets the walk ignore, in the
# order Web's builders write them (fixtures/xml: is_indp_csi cc; lcl on form shortcuts).
_ND_MORE = r'(?: is_indp_csi="[^"\x3c]*")?(?: cc="[^"\x3c]*")?(?: lcl="0")?(?: disp_n="[^"\x3c]*")?'


# An element list's functions, In and NotIn: "22|57"
_LIST_FNTS = "|".join(sorted(str(codes.FNT[op]) for op in LIST_OPERATORS))


def _patterns(carried: bool) -> tuple[str, str, str]:
    """The token, value and element patterns.  ``carried``: with the attributes real
    answers carry beyond the builders' (_ND_MORE; a reference's stp and disp_n; emt
    before ei and disp_id on an element); without, the same groups, for the usual text
    that has none of them (each optional attribute costs the engine a try per node)."""
    more = _ND_MORE if carried else ""
    nd_end = r'ddt="[^"\x3c]*"' + more + ">"
    shortcut_end = nd_end if carried else r'ddt="[^"\x3c]*"(?: lcl="0")?>'

    def names(subtype: int) -> str:
        # stp, as Library writes it, then n and/or disp_n, captured together (_ref_json)
        if not carried:
            return r'((?: n="[^"\x3c]*")?)'
        return f'(?: stp="{subtype}")?' + r'((?: n="[^"\x3c]*")?(?: disp_n="[^"\x3c]*")?)'

    # One value of a qualification: a <cst> constant, a date/time or big decimal node,
    # or a metric shortcut (metric qualifications only).  Optional attributes are
    # captured with their name, so that an absent one (None, or "" from findall) is told
    # from an empty one.
    value = (
        r'<nd et="[01]" nt="3" dmt="1" ' + nd_end + r'<cst ddt="(\d+)">([^<]+)</cst></nd>'
        r'|<nd et="[01]" nt="(6|10)" dmt="1" ddt="(\d+)"' + more + r">([^<]+)</nd>"
        r'|<nd et="[01]" nt="5" dmt="1" ' + nd_end + r'<mt did="(' + _G + r')" tp="4"'
        + names(1024) + _closed("mt") + r"</nd>"
    )  # fmt: skip
    values = "((?:" + re.sub(r"\((?!\?)", "(?:", value) + ")*)"
    e = (
        r'<e(?: emt="1")? ei="([^"\x3c]*)"(?: emt="1")?(?: art="[^"\x3c]*")?( disp_n="[^"\x3c]*")?'
        r'(?: disp_id="[^"\x3c]*")?' + _closed("e")
        if carried
        else r'<e ei="([^"\x3c]*)"(?: emt="1")?(?: art="[^"\x3c]*")?( disp_n="[^"\x3c]*")?'
        + _closed("e")
    )
    token = (
        # 1: an And/Or/Not branch opens; 2: a branch closes with its <op>
        r'(<nd et="14" nt="4" dmt="1" ' + nd_end + ")"
        r'|<op fnt="(\d+)"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
        + r"</nd>"
        # 3-8: a metric qualification (id, names, values, fnt, rank/percent properties)
        r'|<nd et="10" nt="4" dmt="7" ' + nd_end + r'<nd et="[01]" nt="5" dmt="1" '
        + nd_end + r'<mt did="(' + _G + r')" tp="4"' + names(1024) + _closed("mt")
        + r"</nd>" + values + _OP
        + r'(?:<prs>(?:<pr ix="4" v="(-1|0)"' + _closed("pr") + r')?<pr ix="5" v="(-1|0)"'
        + _closed("pr") + r"</prs>)?</nd>"
        # 9-15: a form qualification (et, attribute id and names, form id and names,
        # values, fnt)
        r'|<nd et="(2|6)" nt="4" dmt="1" ' + nd_end + r'<nd et="[01]" nt="1" dmt="1" '
        + shortcut_end + r'<at did="(' + _G + r')" tp="12"' + names(3072) + _closed("at")
        + r'<fm did="(' + _G + r')" tp="21"' + names(5376) + _closed("fm") + r"</nd>"
        + values + _OP
        + r"</nd>"
        # 16-21: an element list (attribute id and names, the list's source and its
        # names, the <e>s, fnt)
        r'|<nd et="5" nt="4" dmt="1" ' + nd_end + r'<nd et="[01]" nt="5" dmt="1" '
        + nd_end + r'<at did="(' + _G + r')" tp="12"' + names(3072) + _closed("at")
        + r'</nd><nd et="[01]" nt="2" dmt="1" ' + nd_end + r'<mi><es>(?:<at did="('
        + _G + r')" tp="12"' + names(3072) + _closed("at") + r")?"
        r"((?:" + re.sub(r"\((?!\?)", "(?:", e) + r")+)</es></mi></nd>"
        r'<op fnt="(' + _LIST_FNTS + r')"(?: fg="0")?(?: apply_order="0")?(?: node="0")?' + _closed("op")
        + r"</nd>"
    )  # fmt: skip
    return token, value, e


_TOKEN_PATTERN, _VALUE, _E = _patterns(carried=True)
_TOKEN = _lazy(_TOKEN_PATTERN)
_VALUE_ITEM = _lazy(_VALUE)
_TOKEN_SPACED = _lazy(_indentable(_TOKEN_PATTERN))
_VALUE_ITEM_SPACED = _lazy(_indentable(_VALUE))
_E_ITEM = _lazy(_E)
_PLAIN_PATTERN = _patterns(carried=False)[0]
_PLAIN = _lazy(_PLAIN_PATTERN)
_PLAIN_SPACED = _lazy(_indentable(_PLAIN_PATTERN))
# Signs that the walk certainly refuses an <exp> the patterns did not take, found in one
# search of the same serialisation: a walk that succeeds reads every element and checks
# its tag against the one it expects there (none of them outside this set), every node's
# et against the types it maps and every reference's tp against its tag's type (values
# stripped: one with a space or a reference, &, is left to the walk).  Comments and
# processing instructions (<! <?), which the decoders' parser removed, are left to it too.
OUTSIDE = _lazy(
    r"<(?![/!?])(?!(?:exp|nd|op|prs|pr|mt|at|fm|cst|mi|es|e)[ />])"
    r'|<nd et="(?!(?:[01256]|10|14)")[^"&\s]*"'
    r'|<at\b[^>]* tp="(?!12")[^"&\s]*"'
    r'|<mt\b[^>]* tp="(?!4")[^"&\s]*"'
    r'|<fm\b[^>]* tp="(?!21")[^"&\s]*"'
)
_HEAD = _lazy(r'<exp(?: nc="[^"\x3c]*")?>([^<]*)')
_END = "</exp>"
SCAN = True  # False reads every <exp> by the walk (the tests compare the two)
_SCAN_DEPTH = 32  # deeper trees are left to the walk, which says where MAX_DEPTH is passed
# The vocabulary of EnumDSSXMLDataType (ddt) and EnumDSSXMLFunction (fnt) the scan takes,
# as the names and arities REST's tree spells: expression_codes' tables (which the walk,
# expression_xml, reads by too), keyed by the attribute texts the patterns capture.
_CST_NAME_OF_DDT = {ddt: t.value for ddt, t in codes.CST_DATA_TYPE_OF_DDT.items()}
# nt (a date or time node, or a big decimal node) -> ddt -> name
_BARE_NAME_OF_DDT = {
    nt: {ddt: t.value for ddt, t in codes.DATA_TYPE_OF_DDT.items() if codes.node_type(t) == nt}
    for nt in (codes.NT_TIME, codes.NT_BIG_DECIMAL)
}
# fnt -> (operator, its name), by family (the counts each takes: Operator.takes)
_LOGICAL_OF_FNT = {str(codes.FNT[op]): (op, op.value) for op in LOGICAL}
_METRIC_OF_FNT = {str(codes.FNT[op]): (op, op.value) for op in METRIC_OPERATORS - RANKING}
_FORM_OF_FNT = {str(codes.FNT[op]): (op, op.value) for op in FORM_OPERATORS}
# (fnt, <pr ix="4"> ascending, <pr ix="5"> rank -1 or percent 0) -> (operator, its name)
_RANKING_OF = {key: (op, op.value) for key, op in codes.RANKING_OF.items()}
_LISTS = frozenset(op.value for op in LIST_OPERATORS)
_ET_FORM_LIST = codes.ET_FORM_LIST

# The scan writes REST's JSON tree (what expression_json.dumps writes of the typed nodes)
# straight from the matches; expression_xml builds the typed nodes of such a tree.  A form's
# In/NotIn list whose constants have different data types has no REST spelling (one
# 'constants' operand has one dataType), so the scan leaves it to the walk.
#
# A qualification that matches a pattern but whose operator, arity or data type the
# walk (or the model it builds) refuses is KEPT: every part of such a match is read by
# the walk with the meaning the scan gives it (see above), and a walk that succeeds reads
# every node of the tree, so the walk certainly fails and answer() keeps the <exp>
# verbatim.  Anything less certain (a pattern that does not match at all) is None.


class Kept:
    """The scan's verdict on an ``<exp>`` that :func:`mstr_prompts.expression_xml.answer`
    certainly keeps verbatim (its one instance is :data:`KEPT`).

    >>> scan_text('<exp><nd et="14" nt="4" dmt="1" ddt="-1"><op fnt="19"/></nd></exp>') is KEPT
    True
    """

    __slots__ = ()


KEPT = Kept()
Scanned = tuple[dict[str, Any], "str | None"]


def scan_text(text: str) -> Scanned | Kept | None:
    """REST's tree and the display text of an ``<exp>``'s serialisation, or None (not
    of the usual shapes: the walk decides), or :data:`KEPT` (see above).

    >>> scan_text('<exp>Région<nd et="16" nt="4" dmt="1" ddt="-1"/></exp>') is None
    True
    """
    head = _HEAD.match(text)
    if head is None or not text.endswith(_END):
        return None
    spaced = _spaced(text)
    end = len(text) - len(_END)
    if spaced:
        end = len(text[:end].rstrip(" \t\n"))
    pos = head.end()
    try:
        # The plain patterns first; the ones with what real answers carry where they fail
        # (each takes only what the walk reads with the meaning the scan gives it).
        tree = _tokens(text, pos, end, (_PLAIN_SPACED if spaced else _PLAIN).match)
        if tree is None:
            tree = _tokens(text, pos, end, (_TOKEN_SPACED if spaced else _TOKEN).match)
    except _Refused:
        return KEPT
    if tree is None or tree is KEPT:
        return tree
    content = head[1]
    if "&" in content:
        content = unescape(content)  # before the test: a lone CR is written &#13;
    return tree, display_text(content)  # type: ignore[return-value]


def _tokens(
    text: str, pos: int, end: int, match: Callable[[str, int], re.Match[str] | None]
) -> dict[str, Any] | Kept | None:
    """The tree of the tokens of ``text[pos:end]`` (see scan_text)."""
    stack: list[list[dict[str, Any]]] = []
    top: list[dict[str, Any]] = []
    while pos < end:
        if top and not stack:
            return None  # a second node after the first: the walk says so
        found = match(text, pos)
        if found is None:
            return None
        pos = found.end()
        # The alternative that matched, by its last group (see _TOKEN)
        last = found.lastindex
        node: dict[str, Any] | Kept | None
        if last == 1:
            if len(stack) >= _SCAN_DEPTH:
                return None
            stack.append(top)
            top = []
            continue
        if last == 2:
            if not stack:
                return None
            logical = _LOGICAL_OF_FNT.get(found[2])
            if logical is None or not logical[0].takes(len(top)):
                # _branch: an unknown function or one not And/Or/Not, or the model's
                # Logical: no operand, or a Not of several
                return KEPT
            node = {"operator": logical[1], "operands": top}
            top = stack.pop()
        elif last <= 8:  # type: ignore[operator]  # a match has a last group here
            node = _scanned_metric(found)
        elif last <= 15:  # type: ignore[operator]
            node = _scanned_form(found)
        else:
            node = _scanned_elements(found)
        if node is None or node is KEPT:
            return node
        top.append(node)  # type: ignore[arg-type]  # a tree node here
    if stack or len(top) != 1:
        return None
    return top[0]


def unescape(text: str) -> str:
    """``html.unescape`` of text lxml serialised, whose only references are the seven it
    writes (& < > " and tab, LF, CR): a few C-level replaces, where html.unescape calls
    back into Python for every reference.  Any other reference goes to html.unescape.

    >>> unescape("R&amp;D &lt;&#10;&eacute;")
    'R&D <\\né'
    """
    plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    if "&#" in plain:
        plain = plain.replace("&#10;", "\n").replace("&#13;", "\r").replace("&#9;", "\t")
    if plain.count("&") != plain.count("&amp;"):
        return html.unescape(text)  # not lxml's spelling: the general rule
    return plain.replace("&amp;", "&")


class _Refused(Exception):
    """A reference the walk's _ref refuses (two different names): the <exp> is KEPT."""


def _ref_json(kind: str | None, id: str, names: str | None) -> dict[str, Any]:
    # names: ' n="…"', ' disp_n="…"' or both, as captured (_names), or "" / None when
    # absent.  With both, _ref takes them only when they are the same (the same text
    # serialised is the same text); the name is n's, else disp_n's.
    item = {"id": id} if kind is None else {"type": kind, "id": id}
    if names:
        if names[1] == "d":
            name = names[9:-1]  # ' disp_n="…"'
        else:
            name = names[4:-1]  # ' n="…"', or ' n="…" disp_n="…"' (a value holds no '"')
            if '"' in name:
                name, _, other = name.partition('" disp_n="')
                if other != name:
                    raise _Refused
        item["name"] = unescape(name) if "&" in name else name
    return item


def _scanned_values(run: str, metrics: bool) -> list[dict[str, Any]] | Kept:
    # Every refusal here is the walk's _value's: a data type it does not map, a node type
    # and data type that disagree, a metric where a form qualification's constant belongs.
    values: list[dict[str, Any]] = []
    append = values.append
    items = (_VALUE_ITEM_SPACED if _spaced(run) else _VALUE_ITEM).findall(run)
    for cst_ddt, cst, nt, ddt, bare, metric_id, metric_name in items:
        if cst_ddt:
            data_type = _CST_NAME_OF_DDT.get(cst_ddt)
            value = cst
        elif nt:
            data_type = _BARE_NAME_OF_DDT[nt].get(ddt)
            value = bare
        else:
            if not metrics:
                return KEPT  # a metric where a form qualification's constant belongs
            append(_ref_json("metric", metric_id, metric_name))
            continue
        if data_type is None:
            return KEPT
        if "&" in value:
            value = unescape(value)
        append({"type": "constant", "dataType": data_type, "value": value})
    return values


def _scanned_metric(found: re.Match[str]) -> dict[str, Any] | Kept:
    metric_id, metric_name, run, fnt, ascending, kind = found.group(3, 4, 5, 6, 7, 8)
    values = _scanned_values(run, metrics=True)
    if values is KEPT:
        return KEPT
    assert type(values) is list
    if kind is None:
        operator = _METRIC_OF_FNT.get(fnt)
    else:
        operator = _RANKING_OF.get((fnt, ascending, kind))
        if any(v["type"] != "constant" for v in values):
            return KEPT  # a rank or percent of a metric: the model refuses it
    if operator is None or not operator[0].takes(len(values)):
        # _function or _ranking (no such function), or the model (not a metric operator,
        # or not as many values as it compares with)
        return KEPT
    values.insert(0, _ref_json("metric", metric_id, metric_name))
    return {"operator": operator[1], "operands": values}


def _scanned_form(found: re.Match[str]) -> dict[str, Any] | Kept | None:
    et, attribute_id, attribute_name, form_id, form_name, run, fnt = found.group(
        9, 10, 11, 12, 13, 14, 15
    )
    operator = _FORM_OF_FNT.get(fnt)
    if operator is None or (et == _ET_FORM_LIST and operator[1] not in _LISTS):
        return KEPT  # _function, _form (et 6 without In/NotIn) or the model
    values = _scanned_values(run, metrics=False)
    if values is KEPT:
        return KEPT
    assert type(values) is list
    if not operator[0].takes(len(values)):
        return KEPT
    subject = {
        "type": "form",
        "attribute": _ref_json(None, attribute_id, attribute_name),
        "form": _ref_json(None, form_id, form_name),
    }
    if operator[1] in _LISTS:
        data_type = values[0]["dataType"]
        if any(v["dataType"] != data_type for v in values):
            return None  # no REST spelling: the typed path (the walk) reads and refuses it
        constants = {
            "type": "constants",
            "dataType": data_type,
            "values": [v["value"] for v in values],
        }
        return {"operator": operator[1], "operands": [subject, constants]}
    values.insert(0, subject)
    return {"operator": operator[1], "operands": values}


def _scanned_elements(found: re.Match[str]) -> dict[str, Any] | Kept | None:
    attribute_id, attribute_name, source, names, run, fnt = found.group(16, 17, 18, 19, 20, 21)
    if source is not None:
        if source.upper() != attribute_id.upper():
            return KEPT  # _elements: the list names another attribute
        if names:
            _ref_json(None, source, names)  # _ref: two different names are refused
    items = _E_ITEM.findall(run)
    # Plain IDs of this very attribute, as xml's element rows check them: each is
    # "ATTRIBUTE:key", the key without escapes or character references, which "\0"
    # (never in XML) proves.
    joined = "\0" + "\0".join(ei for ei, _ in items)
    if (
        joined.count("\0" + attribute_id + ":") != len(items)
        or not plain_keys(joined)
        or "&" in joined
    ):
        return None
    cut = len(attribute_id) + 1
    suffix = plain_terse_ids(attribute_id, [""])[0][1:]  # ";ATTRIBUTE"
    elements: list[dict[str, str]] = []
    append = elements.append
    for ei, name in items:
        if name:
            name = name[9:-1]  # ' disp_n="…"'
            if "&" in name:
                name = unescape(name)
            append({"id": "h" + ei[cut:] + suffix, "name": name})
        else:
            append({"id": "h" + ei[cut:] + suffix})
    return {
        "operator": codes.OPERATOR_OF_FNT[fnt].value,
        "operands": [
            _ref_json("attribute", attribute_id, attribute_name),
            {"type": "elements", "elements": elements},
        ],
    }


class Answers:
    """An expression row's REST ``answers`` object: the scan's, given once, then written
    anew from the ``<exp>`` text at each call, so that no two callers share a tree.

    >>> answers = Answers(None, '<exp><nd et="14" nt="4" dmt="1" ddt="-1"/></exp>')
    >>> answers.__reduce__()[0] is Answers
    True
    """

    __slots__ = ("_first", "_text")

    def __init__(self, first: dict[str, Any] | None, text: str) -> None:
        self._first = [] if first is None else [first]  # list.pop: one caller gets it
        self._text = text

    @property
    def text(self) -> str:
        """The ``<exp>`` text the answers are read from."""
        return self._text

    def __call__(self) -> dict[str, Any]:
        if self._first:
            try:
                return self._first.pop()
            except IndexError:  # pragma: no cover - another thread took it meanwhile
                pass
        scanned = scan_text(self._text)
        assert type(scanned) is tuple  # it was scanned when the row was made
        return answers_json(*scanned)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Answers, (None, self._text))


class VerbatimAnswers:
    """REST's ``answers`` of an ``<exp>`` kept verbatim: the text lxml wrote of it.

    >>> VerbatimAnswers('<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>')()
    {'xml': '<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>'}
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self) -> dict[str, Any]:
        return {"xml": self.text}

    def __reduce__(self) -> tuple[Any, ...]:
        return (VerbatimAnswers, (self.text,))


def typed_row(text: str, key: str, scanned: Scanned, build: Build) -> Row:
    """The expression row of an ``<exp>`` the scan read (``scanned``, what
    :func:`scan_text` gave for ``text``): REST's answers from the matches, the answer
    built by ``build(text, key)`` when a reader asks.

    >>> text = ('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    ...   'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" '
    ...   'nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
    >>> row = typed_row(text, "K@0@10", scan_text(text), lambda text, key: key)
    >>> row[2]()["expression"]["operator"], row[3]()
    ('Greater', 'K@0@10')
    """
    return (EXPRESSION_ROW, key, Answers(answers_json(*scanned), text), partial(build, text, key))


def verbatim_row(text: str, key: str, build: Build) -> Row:
    """The expression row of an ``<exp>`` kept verbatim, ``text`` as lxml writes it.

    >>> verbatim_row("<exp/>", "K@0@10", lambda text, key: key)[2]()
    {'xml': '<exp/>'}
    """
    return (EXPRESSION_ROW, key, VerbatimAnswers(text), partial(build, text, key))


def serialised_row(text: str, key: str, build: Build) -> Row | None:
    """The expression row of an ``<exp>`` of the usual shapes or one the scan certainly
    keeps verbatim, of ``text``, lxml's serialisation of the parsed element; None for any
    other (:func:`mstr_prompts.expression_xml.scan_row` reads it, by the walk).

    >>> serialised_row('<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>', "K", print) is None
    True
    """
    if not SCAN:
        return None
    scanned = scan_text(text)
    if type(scanned) is tuple:
        return typed_row(text, key, scanned, build)
    if scanned is KEPT:
        return verbatim_row(text, key, build)
    return None


# A raw text's attribute value holding a tab or a line feed, which the parser normalises
# to spaces (so that the value lxml serialises differs): only the start of a value is
# sought, `="`, never the attribute's name.
_RAW_BREAK_IN_VALUE = _lazy(r'="[^"\t\n]*[\t\n]')
# An empty element written as a pair, <op fnt="22"></op> (what Web's DHTML builder writes,
# and dumps): lxml reads it as an element with no text and writes it self-closed.  Only
# the spelling lxml writes of a start tag with attributes (single spaces, double quotes:
# it ends in '"'); anything else stays as it is, and the patterns refuse it.
_EMPTY_PAIR = _lazy(r'<([A-Za-z_][A-Za-z0-9_.\-]*)( [^<>]*")></\1>')
# The one attribute the patterns take twice (<e emt="1" ei="…" emt="1"/>, the two
# places writers put it): twice in one tag, the parser refuses the document.
_TWO_EMT = _lazy(r'<e emt="1" ei="[^"]*" emt=')


def text_row(text: str, key: str, build: Build) -> Row | None:
    """The expression row :func:`mstr_prompts.expression_xml.scan_row` gives for an ``<exp>`` of the usual shapes,
    read from the element's text as it stands in a document, without parsing it; None
    when that text does not show it is one (the caller then calls :func:`scan_row` with
    the parsed element).  ``build(text, key)`` builds the row's answer when a reader
    asks for it (:func:`mstr_prompts.expression_xml.text_answer`; given by the caller,
    so that reading the row loads no model class).

    ``text`` must be the raw text of one ``<exp>`` element, from its ``<exp`` to its
    ``</exp>``, in which every character is an XML Char, every ``&`` starts a reference
    XML defines (its five entities, character references to a Char) and no namespace is
    in scope: what the caller checks of the document (no parse does it here).  Within
    that, every text the scan takes reads the same as lxml's serialisation of the
    element would: an empty element written as a pair (``<op fnt="22"></op>``, as Web's
    DHTML builder writes it) is read as the self-closed one lxml writes, indentation
    between nodes is kept as lxml keeps it, and the scan refuses a carriage return (line
    ends are normalised), a tab or line feed inside a quoted value (normalised to
    spaces), character references other than tab, LF and CR (HTML's rules for the others
    are not XML's), and any spelling of a tag but lxml's (double quotes, single spaces
    between attributes).  An ``<exp>`` the scan certainly keeps verbatim gives
    ``{"xml": text}`` only when its text is exactly what lxml writes of it (tags in
    lxml's spelling, references only ``&lt; &gt; &amp;``), checked well-formed here.

    >>> row = text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" '
    ...   'dmt="1" ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"></mt></nd>'
    ...   '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"></op>'
    ...   '</nd></exp>', "K@0@10", lambda text, key: (key, len(text)))
    >>> row[2]()["expression"]["operator"], row[3]()
    ('Greater', ('K@0@10', 224))
    >>> text_row('<exp><nd et="10" nt="4" dmt="7" ddt="-1"></nd></exp>', "K@0@10", print) is None
    True
    """
    if (
        not SCAN
        or "\r" in text
        or ("&#" in text and _unlisted_references(text))
        or (("\n" in text or "\t" in text) and _RAW_BREAK_IN_VALUE.search(text) is not None)
    ):
        return None
    if '<e emt="1" ei="' in text and _TWO_EMT.search(text) is not None:
        return None
    scanned = scan_text(text)  # the patterns take empty elements self-closed or paired
    if type(scanned) is tuple:
        return typed_row(text, key, scanned, build)
    if '"></' in text:
        text = _EMPTY_PAIR.sub(r"<\1\2/>", text)  # lxml writes these self-closed
    if (scanned is KEPT or OUTSIDE.search(text) is not None) and _as_lxml_writes(text):
        # scan_row's verdict on the element, whose serialisation is this very text
        return verbatim_row(text, key, build)
    return None


# A tag as lxml writes it: a name, then each attribute after one space, in double quotes.
# Names as the document reader takes them (ASCII, no ':': no namespace prefix).
_WRITTEN_TAG = _lazy(
    r'<(/?)([A-Za-z_][A-Za-z0-9_.\-]*)((?: [A-Za-z_][A-Za-z0-9_.\-]*="[^"<>]*")*)(/?)>'
)
_WRITTEN_NAME = _lazy(r' ([A-Za-z_][A-Za-z0-9_.\-]*)="[^"<>]*"')


def _as_lxml_writes(text: str) -> bool:
    """True when ``text`` (an ``<exp>``'s, as text_row's caller checked it) is
    well-formed and exactly what lxml writes of the element it parses to: every tag in
    lxml's spelling (empty elements self-closed already), the tags nested, no attribute
    twice, no '>' but the tags' own, and no reference but the three lxml writes in text
    and values alike (&lt; &gt; &amp;).  Anything else is left to the parser."""
    if (
        not text.startswith("<exp")
        or text.count("<") != text.count(">")
        or text.count("&") != text.count("&lt;") + text.count("&gt;") + text.count("&amp;")
    ):
        return False
    # The tags alone decide the rest: with no '<' or '>' in them, values and text can be
    # blanked (two C-level passes), and the verdict on the tags kept for the next <exp>
    # of the same shape (a document's verbatim expressions are usually a few shapes).
    shape = _TEXT_BETWEEN.sub("><", _QUOTED.sub('""', text))
    verdict = _WRITTEN_SHAPES.get(shape)
    if verdict is None:
        verdict = _written_tags(shape)
        if len(_WRITTEN_SHAPES) < _MAX_SHAPES:
            _WRITTEN_SHAPES[shape] = verdict
    return verdict


_QUOTED = _lazy(r'"[^"<>]*"')
_TEXT_BETWEEN = _lazy(r">[^<>]+<")
_WRITTEN_SHAPES: dict[str, bool] = {}
_MAX_SHAPES = 256  # verdicts remembered: the shapes come from the input


def _written_tags(shape: str) -> bool:
    # _as_lxml_writes's check of the tags: each one '<' and one '>', in lxml's spelling,
    # nested under one root, no attribute twice
    tags = _WRITTEN_TAG.findall(shape)
    if len(tags) != shape.count("<"):
        return False
    open_tags: list[str] = []
    for index, (slash, name, attributes, empty) in enumerate(tags):
        if index and not open_tags:
            return False  # a second element after the root
        if slash:
            if attributes or empty or not open_tags or open_tags.pop() != name:
                return False
            continue
        if attributes.count('="') > 1:
            names = _WRITTEN_NAME.findall(attributes)
            if len(set(names)) != len(names):
                return False  # §3.1: the parser refuses it
        if not empty:
            open_tags.append(name)
    return not open_tags


def _unlisted_references(text: str) -> bool:
    # a character reference other than the three lxml writes itself
    listed = text.count("&#9;") + text.count("&#10;") + text.count("&#13;")
    return text.count("&#") != listed


# --- an expression row described without its model ------------------------------------
#
# What a reader of a set's rows asks of an expression row besides REST's answers: the
# answer model's dump (RowSet.dump, the CLI's inspect) and whether it is typed and its
# text (the CLI's summary).  Both are written from the scan's tree (canonical REST JSON)
# by the rules the model's are written by: the tree's dump by expression_plain.typed_dump
# (REST's rows use it too), the text by expression_text (expressions.render uses it).
# tests/test_expression_scan.py holds both equal to the model's over generated trees.


def _scanned_of(row: Row) -> tuple[Scanned | None, str | None] | None:
    """``(scanned, None)`` of a typed row this module made, ``(None, text)`` of a verbatim
    one, None of any other row (the walk's: its model is built already)."""
    answers = row[2]
    if type(answers) is VerbatimAnswers:
        return None, answers.text
    if type(answers) is not Answers:
        return None
    scanned = scan_text(answers.text)
    assert type(scanned) is tuple  # it was scanned when the row was made
    return scanned, None


def row_dump(row: Row) -> dict[str, Any] | None:
    """The answer model's ``model_dump(mode="json", exclude_none=True)`` of an expression
    row made here, written from its text with no model; None for another row.

    >>> text = ('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    ...   'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4"/></nd><nd et="1" '
    ...   'nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
    >>> row_dump(typed_row(text, "K@0@10", scan_text(text), print))["expression"]["values"]
    [{'value': '10', 'data_type': 'Real'}]
    """
    found = _scanned_of(row)
    if found is None:
        return None
    scanned, verbatim = found
    dumped: dict[str, Any] = {"prompt": {"key": row[1]}, "kind": "expression"}
    if scanned is None:
        dumped["xml"] = verbatim
        return dumped
    tree = typed_dump(scanned[0])
    assert tree is not None  # the scan writes plain terse element IDs only
    dumped["expression"] = tree
    if scanned[1] is not None:
        dumped["content"] = scanned[1]
    return dumped


def row_words(row: Row) -> tuple[bool, str | None] | None:
    """``(answer.typed, answer.text)`` of an expression row made here, with no model;
    None for another row.

    >>> text = ('<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    ...   'ddt="-1"><mt did="4C05177011D3E877C000B3B2D86C964F" tp="4" n="Revenue"/></nd>'
    ...   '<nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">10</cst></nd><op fnt="8"/></nd></exp>')
    >>> row_words(typed_row(text, "K@0@10", scan_text(text), print))
    (True, '{Revenue} > 10')
    """
    found = _scanned_of(row)
    if found is None:
        return None
    scanned = found[0]
    if scanned is None:
        return False, None
    tree, content = scanned
    return True, content if content is not None else _rendered(tree)


def _constant_texts(operands: list[dict[str, Any]]) -> list[str]:
    """The texts of a form or metric qualification's values (after its subject)."""
    if len(operands) == 2 and operands[1]["type"] == "constants":
        return operands[1]["values"]  # type: ignore[no-any-return]
    return [
        metric_text(v["id"], v.get("name")) if v["type"] == "metric" else v["value"]
        for v in operands[1:]
    ]


def _rendered(tree: dict[str, Any]) -> str:
    """expressions.render of the typed tree of ``tree`` (by the same rules:
    expression_text), from its parts."""
    operator = Operator(tree["operator"])
    operands = tree["operands"]
    if operator in LOGICAL:
        return logical_text(operator, [_rendered(node) for node in operands])
    subject = operands[0]
    kind = subject["type"]
    if kind == "attribute":
        # an element without a name is shown by its ID, the terse h{key};ATTRIBUTE the
        # scan wrote (str of its model's ElementId)
        return elements_text(
            ref_text(subject["id"], subject.get("name")),
            operator,
            [element.get("name", element["id"]) for element in operands[1]["elements"]],
        )
    if kind == "metric":
        shown = metric_text(subject["id"], subject.get("name"))
    else:
        attribute, form = subject["attribute"], subject["form"]
        shown = form_text(
            ref_text(attribute["id"], attribute.get("name")), form["id"], form.get("name")
        )
    return qualification_text(shown, operator, _constant_texts(operands))
