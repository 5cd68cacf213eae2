"""Hypothesis strategies for prompt answers, published for your own tests.

Like ``hyperlink.hypothesis``: if your code builds or consumes prompt answers, these
generate them.  Each ``*_answer_sets()`` strategy generates exactly the domain on which
that format's ``decode(encode(x)) == x`` holds, so it also documents what the format can
carry.  Requires the ``hypothesis`` package (``pip install mstr-prompts[hypothesis]``).

>>> from hypothesis import given
>>> from mstr_prompts import strategies
>>> @given(strategies.element_ids())
... def test_terse_round_trip(element_id):
...     assert parse_element_id(element_id.to_terse()) == element_id
>>> test_terse_round_trip()
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given  # noqa: F401  (used by the doctests)
from hypothesis import strategies as st

from . import expression_json, expression_xml, rest, safexml
from . import expressions as expr
from .definitions import Bound, Definitions, PromptDefinition
from .element_id import ElementId, OpaqueElementId, parse_element_id
from .expressions import DataType
from .model import (
    Answer,
    AnswerMode,
    AnswerSet,
    Close,
    Element,
    ElementAnswer,
    ExpressionAnswer,
    LevelAnswer,
    LevelUnit,
    ObjectAnswer,
    ObjectRef,
    PlaceholderAnswer,
    PromptFamily,
    PromptRef,
    Unanswered,
    UseDefault,
    ValueAnswer,
    ValueType,
)
from .rules import MAX_INT, MAX_OBJECT_TYPE, MAX_POSITION

__all__ = [
    "answer_sets",
    "answers_for",
    "definition_documents",
    "element_ids",
    "expressions",
    "guids",
    "hostile_texts",
    "library_answer_sets",
    "library_items",
    "out_of_bounds",
    "prompt_definitions",
    "prompt_keys",
    "rest_answer_sets",
    "run_handles",
    "strip_identity",
    "url_answer_sets",
    "xml_answer_sets",
    "xml_texts",
]

# --- text alphabets -------------------------------------------------------------------

# XML 1.0 §2.2 Char: tab, LF, CR and everything from U+0020 except surrogates, FFFE, FFFF.
# UTF-8 encodes every code point but the surrogates (category Cs), which are excluded; we
# say so rather than pass codec="utf-8", whose first use costs hypothesis seconds (it
# scans the whole code space) and fails the health check of a user's first test.
_XML_CHARS = st.characters(
    exclude_categories=["Cs"],
    exclude_characters="".join(chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD))
    + "\ufffe\uffff",
)
# Text any format carries: no surrogates (not encodable), no NUL.
_ANY_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
# A few characters that break naive builders, mixed into every alphabet on purpose.
# Non-ASCII digits ("²", "٣", "１") are there because str.isdigit() accepts them and a
# wire format's [0-9] does not (issue 13).
_NASTY = st.sampled_from(list("^,;:~*\\&<>\"'%+= #?\x1b\n\tÅ名前²٣１\xa0"))


def _texts(
    chars: st.SearchStrategy[str], *, min_size: int = 0, max_size: int = 12
) -> st.SearchStrategy[str]:
    return st.text(st.one_of(chars, _NASTY), min_size=min_size, max_size=max_size)


def xml_texts(*, min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Text that XML 1.0 can carry (no control characters but tab, CR and LF).

    >>> @given(xml_texts())
    ... def check(text):
    ...     assert chr(0) not in text
    >>> check()
    """
    chars = _XML_CHARS
    return st.text(
        st.one_of(chars, _NASTY.filter(lambda c: c != "\x1b")), min_size=min_size, max_size=max_size
    )


def guids() -> st.SearchStrategy[str]:
    """MicroStrategy object GUIDs: 32 upper-case hex digits.

    >>> @given(guids())
    ... def check(guid):
    ...     assert len(guid) == 32
    >>> check()
    """
    return st.text("0123456789ABCDEF", min_size=32, max_size=32)


def prompt_keys(*, opaque: bool = True) -> st.SearchStrategy[str]:
    """Prompt keys: mostly ``GUID@pin@tp`` locations, sometimes opaque dashboard keys.

    >>> @given(prompt_keys(opaque=False))
    ... def check(key):
    ...     assert key.count("@") == 2
    >>> check()
    """
    pins = st.sampled_from(["0", "0", "1", "2", "12"])
    tps = st.sampled_from(["10", "10", "3", "55"])
    location = st.builds(lambda g, p, t: f"{g}@{p}@{t}", guids(), pins, tps)
    if not opaque:
        return location
    opaque_keys = st.one_of(
        st.builds(lambda g: "W" + g, guids()),
        st.integers(1, 999).map(lambda n: f"K{n}"),
        # Looks like a location, but pin or tp is not ASCII digits: an opaque key.
        st.builds("{}@{}@{}".format, guids(), st.sampled_from(["²", "0", "١"]), st.just("１0")),
    )
    return st.one_of(location, location, opaque_keys)


# --- element IDs ----------------------------------------------------------------------


def element_ids(
    *,
    attribute: bool | None = None,
    display: bool | None = None,
    forbidden: str = "",
    xml_only: bool = False,
) -> st.SearchStrategy[ElementId]:
    """Concrete element IDs; ``attribute``/``display`` force (True), forbid (False) or mix.

    ``forbidden`` lists characters that keys and display names must not contain;
    ``xml_only`` keeps to characters XML 1.0 can carry.

    >>> @given(element_ids(attribute=True, display=False))
    ... def check(e):
    ...     assert parse_element_id(e.to_old_short()) == e
    >>> check()
    """

    def text(max_size: int) -> st.SearchStrategy[str]:
        base = xml_texts(max_size=max_size) if xml_only else _texts(_ANY_CHARS, max_size=max_size)
        return base.filter(lambda s: not any(c in s for c in forbidden)) if forbidden else base

    keys = st.lists(text(6), min_size=1, max_size=3).map(tuple)
    attributes: st.SearchStrategy[str | None]
    if attribute is None:
        attributes = st.one_of(st.none(), guids())
    else:
        attributes = guids() if attribute else st.none()
    displays: st.SearchStrategy[str | None]
    if display is None:
        displays = st.one_of(st.none(), text(8))
    else:
        displays = text(8) if display else st.none()
    return st.builds(ElementId, attribute=attributes, keys=keys, display=displays)


def _opaque_terse_ids() -> st.SearchStrategy[OpaqueElementId]:
    # REST's undocumented hybrid h1874;ATTR:3771 (fixtures/element-ids/SOURCES.md): kept verbatim.
    def make(key: int, guid: str, suffix: int) -> OpaqueElementId:
        parsed = parse_element_id(f"h{key};{guid}:{suffix}")
        assert isinstance(parsed, OpaqueElementId)
        return parsed

    return st.builds(make, st.integers(0, 99999), guids(), st.integers(0, 9999))


# --- opaque expression and level bodies ------------------------------------------------

# Real bodies: the XML ones are fixtures/xml/f03-*, f08-* and negative/f17-* (sources in
# fixtures/xml/SOURCES.md), the REST one is from the public REST API docs' prompt samples.
_EXP_SAMPLES = (
    '<exp><nd et="2" nt="4" dmt="1" ddt="-1"><nd et="1" nt="1" dmt="1" ddt="-1" lcl="0">'
    '<at did="2EC9CD4E4E5577C0470A4FBB3DFBB272" tp="12"/><fm did="45C11FA478E745FEA08D781CEA190FE5"'
    ' tp="21"/></nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">42</cst></nd>'
    '<op fnt="6" fg="0" apply_order="0"/></nd></exp>',
    "<exp nc='3'>{Avg Revenue per Customer} > 10 <nd et='10' nt='4' dmt='7' ddt='-1' "
    "is_indp_csi='1' cc='2'><nd et='1' nt='5' dmt='1' ddt='-1' is_indp_csi='1' cc='0'>"
    "<mt rfd='9'>Avg Revenue per Customer</mt></nd><nd et='1' nt='3' dmt='1' ddt='3' "
    "is_indp_csi='1' cc='0'><cst ddt='5'>10</cst></nd><op fnt='8' fg='0' apply_order='0' "
    "node='0'/></nd></exp>",
    '<exp><nd et="5" nt="4" dmt="1" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
    '<at did="8D679D3811D3E4981000E787EC6DE8A4" tp="12"/></nd><nd et="1" nt="2" dmt="1" '
    'ddt="-1"><mi><es><at did="8D679D3811D3E4981000E787EC6DE8A4" tp="12"/><e emt="1" '
    'ei="8D679D3811D3E4981000E787EC6DE8A4:1" art="1" disp_n="USA"/></es></mi></nd>'
    '<op fnt="22"/></nd></exp>',
)
# Outside the case table, so kept verbatim: F17 (a metric named by rfd, not by GUID) and
# an AllAttributeQual (et 16) hierarchy node.
_EXP_VERBATIM = (
    _EXP_SAMPLES[1],
    '<exp><nd et="16" nt="4" dmt="1" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
    '<at did="8D679D3811D3E4981000E787EC6DE8A4" tp="12"/></nd><op fnt="19"/></nd></exp>',
)
# The level body shape is inferred (docs/xml.md); no real sample exists.
_DMY_SAMPLES = (
    '<dmy cct="0" fr="1"><du agg="1" flt="1" gb="1" rps="0" ut="-1">'
    '<at did="8D679D3711D3E4981000E787EC6DE8A4" tp="12"/></du></dmy>',
)


@functools.cache
def _canonical(samples: tuple[str, ...]) -> st.SearchStrategy[str]:
    # Cached: parsing the samples on every draw made generation slow.
    return st.sampled_from([safexml.serialize(safexml.parse(s)) for s in samples])


def _json_trees() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), _texts(_ANY_CHARS))
    trees = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(_texts(_ANY_CHARS), inner, max_size=3)
        ),
        max_leaves=8,
    )
    # A top-level "kind" naming a typed expression's kind is the model's own serialised
    # form (model.py, _expression_tree); any other "kind" is an ordinary key, tried often.
    keys = st.one_of(st.just("kind"), _texts(_ANY_CHARS, min_size=1))
    return st.dictionaries(keys, trees, min_size=1, max_size=3).filter(
        lambda tree: tree.get("kind") not in ("form", "elements", "metric", "logical")
    )


# --- typed expression trees -------------------------------------------------------------


@functools.cache
def _qualification_parts(xml: bool) -> dict[str, Any]:
    # Built once: hypothesis pays for analysing every strategy object it meets.
    text = xml_texts() if xml else _texts(_ANY_CHARS)
    names = _optional(text)
    data_types = st.sampled_from(list(DataType))
    ids: st.SearchStrategy[Any] = element_ids(attribute=False, display=False, xml_only=xml)
    if not xml:
        ids = st.one_of(ids, _opaque_terse_ids())  # REST's undocumented hybrid, verbatim
    metrics = st.builds(expr.MetricRef, id=guids(), name=names)
    constants = st.builds(expr.Constant, value=text, data_type=data_types)
    return {
        "text": text,
        "names": names,
        "guids": guids(),
        "data_types": data_types,
        "elements": _elements(ids, names, name_only=not xml),
        "kind": st.sampled_from(["form", "elements", "metric"]),
        "lists": st.sampled_from([expr.Operator.IN, expr.Operator.NOT_IN]),
        "form_operators": st.sampled_from(sorted(expr.FORM_OPERATORS)),
        "metric_operators": st.sampled_from(sorted(expr.METRIC_OPERATORS)),
        "metrics": metrics,
        "constants": constants,
        "metric_values": st.one_of(constants, metrics),
        "list_size": st.integers(1, 4),
    }


@st.composite
def _qualification(draw: st.DrawFn, xml: bool) -> expr.Expression:
    parts = _qualification_parts(xml)
    names = parts["names"]
    kind = draw(parts["kind"])
    if kind == "elements":
        attribute = expr.AttributeRef(id=draw(parts["guids"]), name=draw(names))
        return expr.ElementQualification(
            attribute=attribute, operator=draw(parts["lists"]), elements=draw(parts["elements"])
        )
    if kind == "form":
        operator = draw(parts["form_operators"])
        subject = expr.FormRef(
            attribute=expr.AttributeRef(id=draw(parts["guids"]), name=draw(names)),
            id=draw(parts["guids"]),
            name=draw(names),
        )
        if operator.arity is None:
            # one data type per list: REST's "constants" operand has one dataType
            data_type = draw(parts["data_types"])
            count = draw(parts["list_size"])
            values = tuple(
                expr.Constant(value=draw(parts["text"]), data_type=data_type) for _ in range(count)
            )
        else:
            values = tuple(draw(parts["constants"]) for _ in range(operator.arity))
        return expr.FormQualification(form=subject, operator=operator, values=values)
    operator = draw(parts["metric_operators"])
    value = parts["constants"] if operator.is_ranking else parts["metric_values"]
    metric_values = tuple(draw(value) for _ in range(operator.arity or 0))
    return expr.MetricQualification(
        metric=draw(parts["metrics"]), operator=operator, values=metric_values
    )


def expressions(*, xml: bool = False) -> st.SearchStrategy[expr.Expression]:
    """Typed expression trees inside the case table (docs/expressions.md).

    Each one converts to REST's JSON tree and back unchanged; with ``xml=True`` the
    texts are XML 1.0 text and every element has an old-short ID, so each one also
    converts to ``<exp>`` XML and back unchanged.

    >>> from mstr_prompts import expression_json
    >>> @given(expressions())
    ... def check(tree):
    ...     assert expression_json.loads(expression_json.dumps(tree)) == tree
    >>> check()
    """
    return _expression_trees(xml)


@functools.cache
def _expression_trees(xml: bool) -> st.SearchStrategy[expr.Expression]:
    leaves = _qualification(xml)

    def branches(inner: st.SearchStrategy[expr.Expression]) -> st.SearchStrategy[expr.Expression]:
        return st.one_of(
            st.builds(
                expr.Logical,
                operator=st.sampled_from([expr.Operator.AND, expr.Operator.OR]),
                operands=st.lists(inner, min_size=1, max_size=3).map(tuple),
            ),
            st.builds(expr.not_, inner),
        )

    return st.recursive(leaves, branches, max_leaves=5)


def _xml_content() -> st.SearchStrategy[str | None]:
    # The display text inside <exp>: indentation alone is no text.
    return _optional(xml_texts(min_size=1).filter(lambda t: not t.isspace()))


# --- answers, one family at a time ------------------------------------------------------


def _objects(
    ids: st.SearchStrategy[str], names: st.SearchStrategy[str | None], *, untyped: bool = False
) -> Any:
    # The edges of the shared object-type rule: 0, the old URL limit of 9 digits, the
    # largest number a server reads.
    edges = st.sampled_from([0, 10**9 - 1, 10**9, MAX_OBJECT_TYPE])
    types: st.SearchStrategy[int | None] = st.one_of(
        st.sampled_from([4, 12, 1, 3, 47, 55]), st.integers(0, 120), edges
    )
    if untyped:
        # REST carries an object without its type (mstrio-py's documented spelling).
        types = st.one_of(types, st.none())
    refs = st.builds(ObjectRef, id=ids, type=types, name=names)
    return st.lists(refs, min_size=1, max_size=4).map(tuple)


def _elements(
    ids: st.SearchStrategy[ElementId | OpaqueElementId],
    names: st.SearchStrategy[str | None],
    *,
    name_only: bool,
) -> Any:
    with_id = st.builds(Element, id=ids, name=names)
    element = with_id
    if name_only:
        element = st.one_of(with_id, st.builds(Element, name=names.filter(lambda n: n is not None)))
    return st.lists(element, min_size=1, max_size=4).map(tuple)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# --- REST ----------------------------------------------------------------------------


@st.composite
def _rest_answer(draw: st.DrawFn) -> Answer:
    key = draw(_optional(prompt_keys()))
    id_ = draw(_optional(guids()))
    name = draw(_optional(_texts(_ANY_CHARS)))
    if key is None and id_ is None and name is None:
        key = draw(prompt_keys())
    prompt = PromptRef(key=key, id=id_, name=name)
    text = _texts(_ANY_CHARS, min_size=1)
    kind = draw(st.sampled_from(["value", "elements", "objects", "expression", "level", "other"]))
    if kind == "value":
        value = draw(st.one_of(text, st.lists(text, min_size=2, max_size=3).map(tuple)))
        return ValueAnswer(prompt=prompt, value=value)
    if kind == "elements":
        attribute = draw(_optional(guids()))
        ids = st.one_of(
            element_ids(display=False).map(lambda e: e.with_attribute(attribute)),
            _opaque_terse_ids(),
        )
        elements = draw(_elements(ids, _optional(text), name_only=True))
        return ElementAnswer(prompt=prompt, elements=elements)
    if kind == "objects":
        objects = draw(_objects(guids(), _optional(text), untyped=True))
        return ObjectAnswer(prompt=prompt, objects=objects)
    if kind == "expression":
        content = draw(_optional(_texts(_ANY_CHARS)))
        if draw(st.booleans()):
            return ExpressionAnswer(prompt=prompt, expression=draw(expressions()), content=content)
        # outside the case table: verbatim XML and/or JSON
        xml = draw(_optional(_canonical(_EXP_VERBATIM)))
        tree = draw(_json_trees()) if xml is None else draw(_optional(_json_trees()))
        return _expression_answer(prompt, xml=xml, expression=tree, content=content)
    if kind == "level":
        return LevelAnswer(prompt=prompt, definition=draw(_json_trees()))
    family = draw(st.sampled_from(list(PromptFamily)))
    cls = draw(st.sampled_from([UseDefault, Close]))
    return cls(prompt=prompt, family=family)  # type: ignore[no-any-return]


def rest_answer_sets() -> st.SearchStrategy[AnswerSet]:
    """Answer sets REST carries exactly: ``rest.decode(rest.encode(x)) == x``.

    No positions, no value data types, no answer mode or locale, no deliberately
    unanswered slots, no XML level bodies.  Objects may have no type, as mstrio-py
    writes them.

    >>> @given(rest_answer_sets())
    ... def check(answers):
    ...     assert all(a.prompt.position is None for a in answers)
    >>> check()
    """
    return st.builds(
        AnswerSet, answers=st.lists(_rest_answer(), max_size=5, unique_by=_key_or_self).map(tuple)
    )


def _key_or_self(answer: Answer) -> object:
    """What makes two generated answers distinct: their prompt key (a set answers each
    key once, and every decoder refuses a second answer), else the answer itself."""
    return answer.prompt.key if answer.prompt.key is not None else id(answer)


# --- XML -----------------------------------------------------------------------------


@st.composite
def _xml_answer(draw: st.DrawFn) -> Answer:
    key = draw(prompt_keys())
    prompt = PromptRef(key=key)
    located = prompt.location is not None
    text = xml_texts(min_size=1)
    kind = draw(st.sampled_from(["value", "elements", "objects", "expression", "level", "close"]))
    if kind == "value":
        # <pa key=…> carries no pt, so a value type needs the pt/pin/did/tp spelling.
        value_type = draw(st.sampled_from(list(ValueType))) if located else None
        return ValueAnswer(prompt=prompt, value=draw(text), type=value_type)
    if kind == "elements":
        attribute = draw(guids())
        ids = element_ids(display=False, xml_only=True).map(lambda e: e.with_attribute(attribute))
        elements = draw(_elements(ids, _optional(text), name_only=False))
        return ElementAnswer(prompt=prompt, elements=elements)
    if kind == "objects":
        object_ids = st.one_of(guids(), text)
        return ObjectAnswer(prompt=prompt, objects=draw(_objects(object_ids, _optional(text))))
    if kind == "expression":
        if draw(st.booleans()):
            tree = draw(_expression_trees(True))
            return ExpressionAnswer(prompt=prompt, expression=tree, content=draw(_xml_content()))
        return expression_xml.answer(draw(_canonical(_EXP_VERBATIM)), prompt=prompt)
    if kind == "level":
        return expression_xml.level_answer(draw(_canonical(_DMY_SAMPLES)), prompt=prompt)
    families: list[PromptFamily | None] = [*PromptFamily, None]
    if not located:
        # Without pt an empty <pa key=…></pa> cannot say it was a value prompt.
        families.remove(PromptFamily.VALUE)
    family = draw(st.sampled_from(families))
    source = draw(_optional(guids())) if family is PromptFamily.ELEMENTS else None
    return Close(prompt=prompt, family=family, attribute=source)


def xml_answer_sets() -> st.SearchStrategy[AnswerSet]:
    """Answer sets prompt-answer XML carries exactly: ``xml.decode(xml.encode(x)) == x``.

    Every answer is identified by its key alone; no use-default, no answer mode, no
    several values for one value prompt, no name-only elements, no REST trees.

    >>> @given(xml_answer_sets())
    ... def check(answers):
    ...     assert all(a.prompt.key for a in answers)
    >>> check()
    """
    return st.builds(
        AnswerSet,
        answers=st.lists(_xml_answer(), max_size=5, unique_by=_key_or_self).map(tuple),
        locale=_optional(st.sampled_from([1033, 1031, 1041, 2052, 1042, 0, MAX_INT])),
    )


# --- URL -----------------------------------------------------------------------------

# Characters the URL convenience parameters use as separators (docs/url.md, "The parameters").
_URL_VALUE_FORBIDDEN = "^"
_URL_ELEMENT_FORBIDDEN = ",;^"
_URL_OBJECT_FORBIDDEN = "~^\x1b"


def _url_text(forbidden: str, *, min_size: int = 1) -> st.SearchStrategy[str]:
    return _texts(_ANY_CHARS, min_size=min_size).filter(
        lambda s: not any(c in s for c in forbidden)
    )


@st.composite
def _url_answers(draw: st.DrawFn) -> tuple[Answer, ...]:
    answers: list[Answer] = []
    for position in range(1, draw(st.integers(0, 4)) + 1):
        prompt = PromptRef(position=position)
        if draw(st.booleans()):
            answers.append(ValueAnswer(prompt=prompt, value=draw(_url_text(_URL_VALUE_FORBIDDEN))))
        else:
            answers.append(Unanswered(prompt=prompt, family=PromptFamily.VALUE))
    for attribute in draw(st.lists(guids(), max_size=3, unique=True)):
        if draw(st.integers(0, 3)) == 0:
            answers.append(Close(family=PromptFamily.ELEMENTS, attribute=attribute))
            continue
        ids = element_ids(display=False, forbidden=_URL_ELEMENT_FORBIDDEN).map(
            lambda e, a=attribute: e.with_attribute(a)  # type: ignore[misc]
        )
        names = _optional(_url_text(_URL_ELEMENT_FORBIDDEN))
        answers.append(ElementAnswer(elements=draw(_elements(ids, names, name_only=False))))
    for position in range(1, draw(st.integers(0, 3)) + 1):
        prompt = PromptRef(position=position)
        if draw(st.booleans()):
            objects = _objects(
                _url_text(_URL_OBJECT_FORBIDDEN), _optional(_url_text(_URL_OBJECT_FORBIDDEN))
            )
            answers.append(ObjectAnswer(prompt=prompt, objects=draw(objects)))
        else:
            answers.append(Unanswered(prompt=prompt, family=PromptFamily.OBJECTS))
    return tuple(answers)


def url_answer_sets() -> st.SearchStrategy[AnswerSet]:
    """Answer sets the Web URL convenience parameters carry exactly.

    Value and object answers are matched by 1-based position (contiguous, gaps as
    :class:`Unanswered`), element answers by attribute; no separators inside texts.
    The order is the canonical decode order: values, elements, objects.  Never empty
    (an answer or a mode): an empty query is not read as "no answers".

    >>> @given(url_answer_sets())
    ... def check(answers):
    ...     assert all(a.prompt.key is None for a in answers)
    >>> check()
    """
    return st.builds(
        AnswerSet, answers=_url_answers(), mode=_optional(st.sampled_from(AnswerMode))
    ).filter(lambda answers: len(answers) > 0 or answers.mode is not None)


# --- Library ---------------------------------------------------------------------------

# Texts Library writes without escapes; a value must not read back as an item
# (id~digits~name), an <rsl> string or a link template, so those shapes are avoided.
_LIBRARY_NASTY = st.sampled_from(list('~:"\\%&+=#?{}[]@ \nÅ名前'))


def _expression_answer(
    prompt: PromptRef, *, xml: str | None, expression: Any, content: str | None
) -> ExpressionAnswer:
    """An expression answer as a decoder makes it: the codecs read wire forms, not the model."""
    if xml is not None:
        return expression_xml.answer(xml, prompt=prompt, expression=expression, content=content)
    return expression_json.answer(expression, prompt=prompt, content=content)


def _library_text(*, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(st.one_of(_ANY_CHARS, _LIBRARY_NASTY), min_size=min_size, max_size=12)


def _library_value(text: str) -> bool:
    from .library import is_plain_value

    return is_plain_value(text)


def library_items() -> st.SearchStrategy[str]:
    """Library ``values`` item strings: elements, objects and level units (docs/library.md, "Items").

    >>> @given(library_items())
    ... def check(item):
    ...     assert "~" in item
    >>> check()
    """
    from .library import ELEMENT_TYPE, LEVEL_TYPES

    elements = st.builds(
        lambda e, n: f"{e.to_old_short()}~{ELEMENT_TYPE}~{n}",
        element_ids(attribute=True, display=False, forbidden="~"),
        _library_text(),
    )
    objects = st.builds(
        lambda g, t, n: f"{g}~{t}~{n}", guids(), st.integers(0, 120), _library_text()
    )
    numbers = st.integers(-1, 3).map(str)
    units = st.builds(
        lambda g, t, n, a, b, c, d: "~".join([g, str(t), n, a, b, c, d]),
        guids(),
        st.sampled_from(LEVEL_TYPES),
        _library_text(),
        numbers,
        numbers,
        numbers,
        numbers,
    )
    return st.one_of(elements, objects, units)


_LIBRARY_PLACEHOLDERS = (
    ("DYNAMIC_PLACEHOLDER_Date",),
    ("8D679D5111D3E4981000E787EC6DE8A4:{[Year]@ID}~1048576~{[Year]@ID}",),
    ("DYNAMIC_PLACEHOLDER_Region", "DYNAMIC_PLACEHOLDER_Year"),
)


@st.composite
def _library_answer(draw: st.DrawFn, expressions: bool) -> Answer:
    from .library import ELEMENT_TYPE

    prompt = PromptRef(key=draw(prompt_keys()))
    names = _optional(_library_text(min_size=1))
    kinds = ["value", "elements", "objects", "level", "use_default", "close", "placeholder"]
    if expressions:
        kinds.append("expression")
    kind = draw(st.sampled_from(kinds))
    if kind == "value":
        text = _library_text(min_size=1).filter(_library_value)
        value = draw(st.one_of(text, st.lists(text, min_size=2, max_size=3).map(tuple)))
        return ValueAnswer(prompt=prompt, value=value)
    if kind == "elements":
        attribute = draw(guids())
        ids = element_ids(display=False, forbidden="~").map(lambda e: e.with_attribute(attribute))
        return ElementAnswer(prompt=prompt, elements=draw(_elements(ids, names, name_only=False)))
    if kind == "objects":
        types = st.integers(0, 120)
        refs = st.builds(ObjectRef, id=guids(), type=types, name=names)
        return ObjectAnswer(prompt=prompt, objects=draw(st.lists(refs, min_size=1, max_size=4)))
    if kind == "level":
        from .library import LEVEL_TYPES

        numbers = st.integers(-1, 3)
        unit = st.builds(
            LevelUnit,
            id=guids(),
            type=st.sampled_from(LEVEL_TYPES),
            name=names,
            aggregation=numbers,
            filtering=numbers,
            group_by=numbers,
            report_level=numbers,
        )
        return LevelAnswer(prompt=prompt, units=draw(st.lists(unit, min_size=1, max_size=3)))
    if kind == "expression":
        # Library's <rsl> carries typed trees (with their display text) and <exp> samples
        if draw(st.booleans()):
            tree = draw(_expression_trees(True))
            return ExpressionAnswer(prompt=prompt, expression=tree, content=draw(_xml_content()))
        return expression_xml.answer(draw(_canonical(_EXP_SAMPLES)), prompt=prompt)
    if kind == "use_default":
        return UseDefault(prompt=prompt)
    if kind == "close":
        return Close(prompt=prompt)
    values = draw(st.sampled_from(_LIBRARY_PLACEHOLDERS))
    family = PromptFamily.ELEMENTS if f"~{ELEMENT_TYPE}~" in values[0] else None
    return PlaceholderAnswer(prompt=prompt, values=values, family=family)


@st.composite
def _library_set(draw: st.DrawFn) -> AnswerSet:
    rounds = draw(st.integers(1, 3))
    locale = draw(_optional(st.sampled_from([1033, 1031, 2052])))
    locale_key = draw(prompt_keys())
    parts = []
    for number in range(rounds):
        # The locale travels in the <rsl> of expression answers: a set with a locale
        # has one in its first round; a set without has none at all.
        answers = draw(
            st.lists(_library_answer(expressions=True), max_size=4, unique_by=_key_or_self)
        )
        if number == 0 and locale is not None:
            answers = [a for a in answers if a.prompt.key != locale_key]
            answers.append(
                expression_xml.answer(
                    draw(_canonical(_EXP_SAMPLES)), prompt=PromptRef(key=locale_key)
                )
            )
        parts.append(AnswerSet.of(tuple(answers), locale=locale))
    return AnswerSet.from_rounds(parts)


def library_answer_sets() -> st.SearchStrategy[AnswerSet]:
    """Answer sets Library short answers carry exactly: ``library.decode(library.encode(x)) == x``.

    Every answer has a key and nothing else identifying; no prompt families on
    use-default and close (Library writes no type), no value data types, no answer
    mode; a locale only when an expression answer's ``<rsl>`` carries it; values that
    cannot read back as items; one to three rounds.

    >>> @given(library_answer_sets())
    ... def check(answers):
    ...     assert all(a.prompt.key for a in answers)
    >>> check()
    """
    return _library_set()


# --- anything ------------------------------------------------------------------------


def answer_sets() -> st.SearchStrategy[AnswerSet]:
    """Any answer set the model allows, including ones no single format carries.

    Use it to check that a codec either encodes an answer set or raises
    :class:`~mstr_prompts.errors.NotRepresentableError`, never anything else.

    >>> @given(answer_sets())
    ... def check(answers):
    ...     assert isinstance(answers, AnswerSet)
    >>> check()
    """

    @st.composite
    def any_answer(draw: st.DrawFn) -> Answer:
        source = draw(st.sampled_from([_rest_answer(), _xml_answer()]))
        answer: Answer = draw(source)
        position = draw(_optional(st.one_of(st.integers(1, 5), st.just(MAX_POSITION))))
        prompt = answer.prompt.model_copy(update={"position": position})
        if draw(st.integers(0, 5)) == 0:
            prompt = PromptRef(position=position)
        if draw(st.integers(0, 7)) == 0:
            family = draw(st.sampled_from(list(PromptFamily)))
            return Unanswered(prompt=prompt, family=family)
        return answer.model_copy(update={"prompt": prompt})

    return st.builds(
        AnswerSet,
        answers=st.lists(any_answer(), max_size=5).map(tuple),
        mode=_optional(st.sampled_from(AnswerMode)),
        locale=_optional(st.sampled_from([1033, 1031])),
    )


# --- prompt definitions ----------------------------------------------------------------

# Texts every format carries: no control characters (XML 1.0 cannot), no separator of
# the URL parameters.
_BMP_CHARS = st.characters(
    max_codepoint=0xFFFF, exclude_categories=["Cs", "Cc"], exclude_characters="^,;~\ufffe\uffff"
)
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
_NUMERIC = (ValueType.LONG, ValueType.DOUBLE, ValueType.BIG_DECIMAL)


def _date_text(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}+0000"


@st.composite
def _value_bounds(draw: st.DrawFn, value_type: ValueType) -> tuple[Bound | None, Bound | None]:
    low: Bound | None
    high: Bound | None
    if value_type in _NUMERIC:
        places = 0 if value_type is ValueType.LONG else 2
        start = draw(st.integers(-1000, 1000))
        width = draw(st.integers(2, 5000))
        low = Decimal(start).scaleb(-places) if places else Decimal(start)
        high = (Decimal(start + width).scaleb(-places)) if places else Decimal(start + width)
    elif value_type is ValueType.DATE:
        days = draw(st.integers(0, 20000))
        low = _EPOCH + timedelta(days=days)
        high = low + timedelta(days=draw(st.integers(2, 3000)))
    else:
        low = draw(st.integers(0, 3))
        high = low + draw(st.integers(1, 8))
    return (low if draw(st.booleans()) else None, high if draw(st.booleans()) else None)


@st.composite
def _definition(
    draw: st.DrawFn, key: str, family: PromptFamily, attribute: str
) -> PromptDefinition:
    ref = PromptRef(key=key, id=key.split("@")[0], name=draw(_url_text("")))
    fields: dict[str, Any] = {
        "prompt": ref,
        "family": family,
        "required": draw(st.booleans()),
        "closed": draw(st.sampled_from([None, False, False, True])),
    }
    if family is PromptFamily.VALUE:
        value_type = draw(st.sampled_from([*_NUMERIC, ValueType.DATE, ValueType.STRING]))
        fields["value_type"] = value_type
        fields["data_type"] = {
            ValueType.LONG: 1,
            ValueType.DOUBLE: 6,
            ValueType.BIG_DECIMAL: 30,
            ValueType.DATE: "DATE",
            ValueType.STRING: "TEXT",
        }[value_type]
        fields["min"], fields["max"] = draw(_value_bounds(value_type))
    elif family in (PromptFamily.ELEMENTS, PromptFamily.OBJECTS):
        low = draw(st.integers(0, 3))
        fields["min"] = low or None
        fields["max"] = draw(st.one_of(st.none(), st.integers(max(low, 1), 5)))
        if family is PromptFamily.ELEMENTS:
            fields["attribute"] = attribute
    definition = PromptDefinition(**fields)
    if draw(st.booleans()) and family is not PromptFamily.EXPRESSION:
        default = draw(_answer_within(definition))
        definition = definition.model_copy(update={"default": default})
    else:
        definition = definition.model_copy(
            update={"default": expression_xml.answer(draw(_canonical(_EXP_SAMPLES)), prompt=ref)}
            if family is PromptFamily.EXPRESSION and draw(st.booleans())
            else {}
        )
    return definition


def prompt_definitions(
    *, min_size: int = 0, max_size: int = 6, expressions: bool = True
) -> st.SearchStrategy[Definitions]:
    """Prompt definitions: value, element and object prompts (and, unless
    ``expressions=False``, expression prompts) with random bounds, defaults, and
    required and closed flags.  Keys are unique, and so are the attributes of the
    element prompts (two element prompts on one attribute are a URL's blind spot).

    >>> @given(prompt_definitions(min_size=1))
    ... def check(defs):
    ...     assert len({d.key for d in defs}) == len(defs)
    >>> check()
    """
    families = [PromptFamily.VALUE, PromptFamily.ELEMENTS, PromptFamily.OBJECTS]
    if expressions:
        families.append(PromptFamily.EXPRESSION)

    @st.composite
    def build(draw: st.DrawFn) -> Definitions:
        count = draw(st.integers(min_size, max_size))
        guids_ = draw(st.lists(guids(), min_size=2 * count, max_size=2 * count, unique=True))
        return Definitions(
            draw(
                _definition(
                    f"{guids_[2 * i]}@0@10", draw(st.sampled_from(families)), guids_[2 * i + 1]
                )
            )
            for i in range(count)
        )

    return build()


def _bound_json(bound: Bound) -> Any:
    if isinstance(bound, datetime):
        return _date_text(bound)
    if isinstance(bound, Decimal):
        # A whole number as a JSON number, as the REST samples write bounds; any other
        # as the text of its digits, which decode reads to the same Decimal.
        return int(bound) if bound == bound.to_integral_value() else format(bound, "f")
    return bound


def _definition_json(definition: PromptDefinition) -> dict[str, Any]:
    """One definition as ``GET …/prompts`` writes it."""
    item: dict[str, Any] = {"type": definition.type}
    for name in ("key", "id", "name"):
        if getattr(definition, name) is not None:
            item[name] = getattr(definition, name)
    item["required"] = definition.required
    if definition.closed is not None:
        item["closed"] = definition.closed
    if definition.data_type is not None:
        item["dataType"] = definition.data_type
    for side in ("min", "max"):
        bound = getattr(definition, side)
        if bound is not None:
            item[side] = _bound_json(bound)
    if definition.attribute is not None:
        item["source"] = {"id": definition.attribute, "type": 12}
        if definition.attribute_name is not None:
            item["source"]["name"] = definition.attribute_name
    if definition.default is not None:
        # The answer as a REST body's item writes it (the same JSON, GET …/prompts's).
        body = rest.encode(AnswerSet(answers=[definition.default]))
        item["defaultAnswer"] = body["prompts"][0]["answers"]
    return item


def definition_documents(
    *, min_size: int = 0, max_size: int = 6, expressions: bool = True
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """The JSON of ``GET …/prompts`` (parsed): the definitions of
    :func:`prompt_definitions`, as the server writes them, for
    :func:`mstr_prompts.definitions.decode`.

    >>> from mstr_prompts import definitions
    >>> @given(definition_documents(min_size=1))
    ... def check(document):
    ...     assert len(definitions.decode(document)) == len(document)
    >>> check()
    """
    return prompt_definitions(min_size=min_size, max_size=max_size, expressions=expressions).map(
        lambda defs: [_definition_json(d) for d in defs]
    )


def _number_text(number: Decimal) -> str:
    return format(number, "f")


@st.composite
def _answer_within(draw: st.DrawFn, definition: PromptDefinition) -> Answer:
    """An answer (value, elements or objects) inside the definition's bounds."""
    ref = definition.prompt
    low, high = definition.min, definition.max
    if definition.family is PromptFamily.VALUE:
        value_type = definition.value_type
        if value_type in _NUMERIC:
            places = 0 if value_type is ValueType.LONG else 2
            bottom = low if isinstance(low, Decimal) else Decimal(-5000)
            top = high if isinstance(high, Decimal) else bottom + 10000
            if not isinstance(low, Decimal) and isinstance(high, Decimal):
                bottom = top - 10000
            number = draw(st.decimals(bottom, top, places=places, allow_nan=False))
            text = _number_text(number)
        elif value_type is ValueType.DATE:
            bottom_date = low if isinstance(low, datetime) else _EPOCH
            top_date = high if isinstance(high, datetime) else bottom_date + timedelta(days=9000)
            if not isinstance(low, datetime) and isinstance(high, datetime):
                bottom_date = top_date - timedelta(days=9000)
            offset = draw(st.integers(0, int((top_date - bottom_date).total_seconds())))
            text = _date_text(bottom_date + timedelta(seconds=offset))
        else:
            shortest = max(low if isinstance(low, int) else 0, 1)
            longest = high if isinstance(high, int) else shortest + 8
            text = draw(st.text(_BMP_CHARS, min_size=shortest, max_size=longest))
        return ValueAnswer(prompt=ref, value=text, type=value_type)
    fewest = max(low if isinstance(low, int) else 0, 1)
    most = high if isinstance(high, int) and high > 0 else fewest + 3
    count = draw(st.integers(fewest, max(fewest, most)))
    names = _optional(st.text(_BMP_CHARS, min_size=1, max_size=6))
    if definition.family is PromptFamily.ELEMENTS:
        attribute = definition.attribute or draw(guids())
        elements = tuple(
            Element(id=ElementId(attribute=attribute, keys=(str(i),)), name=draw(names))
            for i in range(count)
        )
        return ElementAnswer(prompt=ref, attribute=attribute, elements=elements)
    if definition.family is PromptFamily.OBJECTS:
        objects = tuple(
            ObjectRef(id=draw(guids()), type=draw(st.sampled_from([4, 12])), name=draw(names))
            for _ in range(count)
        )
        return ObjectAnswer(prompt=ref, objects=objects)
    return expression_xml.answer(draw(_canonical(_EXP_SAMPLES)), prompt=ref)


@st.composite
def _answers_for(draw: st.DrawFn, definitions: Definitions, url: bool) -> AnswerSet:
    answers: list[Answer] = []
    for definition in definitions:
        family = definition.family
        if family is None or (url and family is PromptFamily.EXPRESSION):
            continue
        choices = ["answer", "answer"]
        if url:
            # A positional family cannot leave a prompt out: an empty slot stands for it.
            choices.append("leave" if family is PromptFamily.ELEMENTS else "slot")
            if family is PromptFamily.ELEMENTS and not definition.required:
                choices.append("close")
        else:
            choices.append("leave")
            if definition.has_default:
                choices.append("default")
            if not definition.required:
                choices.append("close")
        choice = draw(st.sampled_from(choices))
        ref = definition.prompt
        if choice == "answer":
            answers.append(draw(_answer_within(definition)))
        elif choice == "default":
            answers.append(UseDefault(prompt=ref, family=family))
        elif choice == "close":
            attribute = definition.attribute if family is PromptFamily.ELEMENTS else None
            answers.append(Close(prompt=ref, family=family, attribute=attribute))
        elif choice == "slot":
            answers.append(Unanswered(prompt=ref, family=family))
    if url:
        # The URL parameters' canonical order: values, elements, objects.
        order = [PromptFamily.VALUE, PromptFamily.ELEMENTS, PromptFamily.OBJECTS]
        answers.sort(key=lambda a: order.index(getattr(a, "family", PromptFamily.VALUE)))
    return AnswerSet(answers=tuple(answers))


def answers_for(definitions: Definitions, *, url: bool = False) -> st.SearchStrategy[AnswerSet]:
    """Answers that the definitions accept: each prompt answered inside its bounds, with
    its default, closed (if optional), or left out; every answer names its prompt as
    :func:`~mstr_prompts.definitions.bind` would.  With ``url=True`` only what the Web
    URL parameters carry, in their canonical order (values, elements, objects).

    >>> from mstr_prompts.definitions import validate
    >>> @given(prompt_definitions().flatmap(lambda d: st.tuples(st.just(d), answers_for(d))))
    ... def check(pair):
    ...     assert validate(pair[1], pair[0]) == ()
    >>> check()
    """
    return _answers_for(definitions, url)


def out_of_bounds(definition: PromptDefinition) -> st.SearchStrategy[Answer]:
    """An answer that breaks exactly one bound of ``definition`` (and nothing else).

    Only for definitions with a bound the strategy can break: a value prompt with a
    ``min`` or ``max``, a text prompt with ``min >= 2`` or a ``max``, an element or
    object prompt with ``min >= 2`` or a ``max``.

    >>> d = PromptDefinition(prompt=PromptRef(key="K@0@10"), family=PromptFamily.OBJECTS, max=1)
    >>> @given(out_of_bounds(d))
    ... def check(answer):
    ...     assert len(answer.objects) == 2
    >>> check()
    """

    @st.composite
    def build(draw: st.DrawFn) -> Answer:
        low, high = definition.min, definition.max
        value_type = definition.value_type
        ref = definition.prompt
        options: list[str] = []
        if definition.family is PromptFamily.VALUE and value_type is not ValueType.STRING:
            options += [side for side, bound in (("low", low), ("high", high)) if bound is not None]
        else:
            if isinstance(low, int) and low >= 2:
                options.append("low")
            if isinstance(high, int) and high > 0:
                options.append("high")
        if not options:
            raise ValueError(f"{definition.describe()} has no bound to break")
        side = draw(st.sampled_from(options))
        bound = low if side == "low" else high
        sign = -1 if side == "low" else 1
        if isinstance(bound, Decimal):
            step = Decimal(1) if value_type is ValueType.LONG else Decimal("0.01")
            return ValueAnswer(prompt=ref, value=_number_text(bound + sign * step), type=value_type)
        if isinstance(bound, datetime):
            moment = bound + sign * timedelta(days=1)
            return ValueAnswer(prompt=ref, value=_date_text(moment), type=value_type)
        assert isinstance(bound, int)
        if definition.family is PromptFamily.VALUE:
            text = draw(st.text(_BMP_CHARS, min_size=bound + sign, max_size=bound + sign))
            return ValueAnswer(prompt=ref, value=text, type=value_type)
        count = bound + sign
        return draw(_answer_within(definition.model_copy(update={"min": count, "max": count})))

    return build()


def strip_identity(answers: AnswerSet) -> AnswerSet:
    """What a Web URL keeps of bound answers' identity: value and object answers their
    position, element answers their attribute.  Data types go too (URLs carry none).

    >>> s = AnswerSet(answers=[ValueAnswer(value="1", type="long",
    ...                                    prompt=PromptRef(key="K@0@10", position=2))])
    >>> strip_identity(s)[0]
    ValueAnswer(prompt=PromptRef(key=None, id=None, name=None, position=2), kind='value', value='1', type=None)
    """
    stripped: list[Answer] = []
    for answer in answers:
        family = getattr(answer, "family", None)
        if family in (PromptFamily.VALUE, PromptFamily.OBJECTS):
            update: dict[str, Any] = {"prompt": PromptRef(position=answer.prompt.position)}
            if isinstance(answer, ValueAnswer):
                update["type"] = None
            stripped.append(answer.model_copy(update=update))
        else:
            stripped.append(answer.model_copy(update={"prompt": PromptRef()}))
    return answers.model_copy(update={"answers": tuple(stripped)})


# --- hostile text ----------------------------------------------------------------------


def hostile_texts(*, max_size: int = 12) -> st.SearchStrategy[str]:
    """Text that breaks careless codecs: lone surrogates, controls, non-ASCII digits, separators.

    Not every such text is valid in the model (lone surrogates are refused), so a test
    must expect the library's own errors as well as round trips.

    >>> @given(hostile_texts())
    ... def check(text):
    ...     assert isinstance(text, str)
    >>> check()
    """
    edges = st.sampled_from(
        ["\ud800", "\udfff", "\x00", "\x01", "\x7f", "\x85", "\u2028", "\xa0", "²", "٣", "１"]
    )
    return st.text(st.one_of(edges, _NASTY, st.characters()), max_size=max_size)


# --- run handles ----------------------------------------------------------------------


@st.composite
def _run_handle(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "mstrPromptsRun": 1,
        "kind": "report",
        "base": draw(
            st.sampled_from(
                ["https://host/MicroStrategyLibrary", "http://127.0.0.1:8080/Library", None]
            )
        ),
        "project": draw(st.none() | guids()),
        "report": draw(guids()),
        "instance": draw(guids()),
        "result": draw(st.sampled_from(["data", "sql"])),
        "limit": draw(st.none() | st.integers(min_value=1, max_value=10**6)),
        "missing": draw(st.sampled_from([None, "default", "close"])),
        "validate": draw(st.booleans()),
        "submitted": "2026-11-28T09:50:00Z",
    }


def run_handles() -> st.SearchStrategy[dict[str, Any]]:
    """Run handles as :meth:`mstr_prompts.client.Run.handle` writes them (JSON-ready dicts).

    >>> @given(run_handles())
    ... def test_handle(handle):
    ...     assert handle["mstrPromptsRun"] == 1 and handle["kind"] == "report"
    >>> test_handle()
    """
    return _run_handle()
