"""The benchmark inputs, shared by the timing and memory scripts.

All are built the way MicroStrategy's own writers spell them, so the fast paths a real
document takes are the ones measured.
"""

from __future__ import annotations

import re

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


def guid(n: int) -> str:
    """A distinct 32-hex-digit GUID for ``n``."""
    return f"{n:032X}"


def _element_pa(did: str, count: int, start: int = 0) -> str:
    elements = "".join(
        f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1" disp_n="Element {k}"></e>'
        for k in range(start, start + count)
    )
    return (
        f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es>'
        f'<at did="{ATTRIBUTE}" tp="12"></at>{elements}</es></mi></pa>'
    )


def mixed_prompts(count: int = 1000) -> str:
    """``count`` prompts mixing value (text and date), element and object answers."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n)
        family = n % 4
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif family == 1:
            parts.append(_element_pa(did, 5))
        elif family == 2:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="2" '
                f'sto="1" pfc="0" pcc="2"><mt did="{guid(n + 5000)}" tp="4" n="Revenue"></mt>'
                f'<at did="{ATTRIBUTE}" tp="12" n="Category"></at></fct></mi></pa>'
            )
        else:
            parts.append(f'<pa pt="5" pin="0" did="{did}" tp="10">1/{n % 28 + 1}/2024</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def value_prompts(count: int = 1000) -> str:
    """``count`` value prompts (text, numbers and dates)."""
    parts = ["<rsl>"]
    for n in range(count):
        pt, text = ((3, f"value {n}"), (2, str(n * 7)), (5, f"1/{n % 28 + 1}/2024"))[n % 3]
        parts.append(f'<pa pt="{pt}" pin="0" did="{guid(n)}" tp="10">{text}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def many_elements(count: int = 10000) -> str:
    """One element prompt answered with ``count`` elements."""
    return f"<rsl>{_element_pa(guid(1), count)}</rsl>"


def elements_query(prompts: int = 10, per_prompt: int = 100, *, names: bool = True) -> str:
    """A Web query whose ``elementsPromptAnswers`` answers ``prompts`` element prompts
    (each element with a display name ``^Element k`` unless ``names`` is False)."""
    answers = []
    for p in range(prompts):
        attribute = f"{p:08X}11D3E4981000E787EC6DE8A4"
        name = "%5EElement%20{k}" if names else ""
        elements = ";".join(f"{attribute}:{k}" + name.format(k=k) for k in range(per_prompt))
        answers.append(f"{attribute};{elements}")
    return (
        "evt=4001&src=mstrWeb.4001&reportID=4CF6D88A4588097466A4B7B8851A161F"
        "&elementsPromptAnswers=" + ",".join(answers)
    )


def big_xml(megabytes: int) -> str:
    """About ``megabytes`` MB of XML: element prompts of 10,000 elements each."""
    one = len(_element_pa(guid(0), 10000))
    count = max(1, megabytes * 1_000_000 // one)
    return (
        "<rsl>" + "".join(_element_pa(guid(n), 10000, n * 10000) for n in range(count)) + "</rsl>"
    )


XML_WORKLOADS = {
    "1,000 prompts (value, element, object)": mixed_prompts,
    "1,000 value prompts": value_prompts,
    "1 prompt, 10,000 elements": many_elements,
}


# --- documents as other people write them ----------------------------------------------
#
# The workloads above follow MicroStrategy's DHTML writer to the byte.  These are spelled
# the way a hand-written integration, a template or another tool writes the same answers:
# self-closed items, attributes in another order, element display names and object names
# (some of them with characters XML or JSON must escape, some not ASCII), indentation,
# expressions next to the other families, and long value strings.

_CATEGORIES = (
    "Books",
    "Movies",
    "Electronics",
    "Music",
    "Café &amp; Bar",
    "Ébénisterie",
    "東京都",
    "Straße",
)
_METRICS = (
    ("mt", 4, "Revenue"),
    ("mt", 4, "Profit Margin (%)"),
    ("at", 12, "Category"),
    ("fm", 21, "Région"),
)
_EXPRESSION = (
    '<exp><nd et="2" nt="4" dmt="1" ddt="-1"><nd et="1" nt="1" dmt="1" ddt="-1" lcl="0">'
    '<at did="2EC9CD4E4E5577C0470A4FBB3DFBB272" tp="12"/><fm did="45C11FA478E745FEA08D781CEA190FE5" tp="21"/>'
    '</nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">{n}</cst></nd>'
    '<op fnt="6" fg="0" apply_order="0"/></nd></exp>'
)


def _named_elements(did: str, count: int, start: int = 0) -> str:
    elements = "".join(
        f'<e emt="1" ei="{ATTRIBUTE}:{k}" art="1" disp_n="{_CATEGORIES[k % 8]} {k}"/>'
        for k in range(start, start + count)
    )
    return (
        f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es><at did="{ATTRIBUTE}" tp="12"/>'
        f"{elements}</es></mi></pa>"
    )


def _named_objects(did: str, count: int, n: int) -> str:
    objects = "".join(
        f'<{tag} did="{guid(n * 10 + k + 7000)}" tp="{tp}" n="{name}"/>'
        for k, (tag, tp, name) in enumerate(_METRICS[j % 4] for j in range(count))
    )
    return (
        f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="{count}" sto="1" '
        f'pfc="0" pcc="{count}">{objects}</fct></mi></pa>'
    )


def named_elements(count: int = 500) -> str:
    """``count`` element prompts of 8 self-closed elements with display names."""
    return "<rsl>" + "".join(_named_elements(guid(n), 8, n) for n in range(count)) + "</rsl>"


def named_objects(count: int = 1000) -> str:
    """``count`` object prompts of 3 named objects each (metrics, an attribute, a form)."""
    return "<rsl>" + "".join(_named_objects(guid(n), 3, n) for n in range(count)) + "</rsl>"


def mixed_with_expressions(count: int = 1000) -> str:
    """``count`` prompts in turn value, named elements, named objects and expression."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rsl>']
    for n in range(count):
        did = guid(n)
        family = n % 4
        if family == 0:
            parts.append(f"<pa pt='3' pin='0' did='{did}' tp='10'>Région {n} &amp; co</pa>")
        elif family == 1:
            parts.append(_named_elements(did, 4, n))
        elif family == 2:
            parts.append(_named_objects(did, 2, n))
        else:
            parts.append(f'<pa pt="8" pin="0" did="{did}" tp="10">{_EXPRESSION.format(n=n)}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def pretty_mixed(count: int = 1000) -> str:
    """:func:`mixed_with_expressions` without expressions, indented as a person would."""
    parts = ["<rsl>\n"]
    for n in range(count):
        did = guid(n)
        family = n % 3
        if family == 0:
            parts.append(f'  <pa pt="2" pin="0" did="{did}" tp="10">{n * 3}</pa>\n')
            continue
        parts.append(
            f'  <pa pt="{7 if family == 1 else 6}" pin="0" did="{did}" tp="10">\n    <mi>\n'
        )
        if family == 1:
            parts.append(f'      <es>\n        <at did="{ATTRIBUTE}" tp="12"/>\n')
            for k in range(n, n + 4):
                parts.append(
                    f'        <e emt="1" ei="{ATTRIBUTE}:{k}" art="1" disp_n="{_CATEGORIES[k % 8]}"/>\n'
                )
            parts.append("      </es>\n")
        else:
            parts.append("      <fct>\n")
            for k, (tag, tp, name) in enumerate(_METRICS[:3]):
                parts.append(
                    f'        <{tag} did="{guid(n * 10 + k + 7000)}" tp="{tp}" n="{name}"/>\n'
                )
            parts.append("      </fct>\n")
        parts.append("    </mi>\n  </pa>\n")
    parts.append("</rsl>\n")
    return "".join(parts)


def long_values(count: int = 200) -> str:
    """``count`` string prompts of about 2 KB each: sentences, quotes, accents, new lines."""
    sentence = 'Le "café" d\'Ångström coûte 3 € & plus; see http://example.com/a?b=1&c=2.\n'
    parts = ["<rsl>"]
    for n in range(count):
        text = (sentence * 28).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        parts.append(f'<pa pt="3" pin="0" did="{guid(n)}" tp="10">{n}: {text}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def many_named_elements(count: int = 10000) -> str:
    """One element prompt of ``count`` self-closed elements with non-ASCII display names."""
    return f"<rsl>{_named_elements(guid(1), count)}</rsl>"


def one_big_pa(count: int = 160_000) -> str:
    """One element prompt of ``count`` self-closed elements: about 14 MB (issue 21)."""
    elements = "".join(
        f'<e emt="1" ei="{ATTRIBUTE}:{i}" art="1" disp_n="Element {i}"/>' for i in range(count)
    )
    return (
        f'<rsl><pa pt="7" pin="0" did="A173{guid(5)[4:]}" tp="10"><mi><es>'
        f'<at did="{ATTRIBUTE}" tp="12"/>{elements}</es></mi></pa></rsl>'
    )


def _varied_expression(n: int) -> str:
    """One of four expressions as a person composes them: nested And/Or/Not over metric,
    form and element-list qualifications, a rank, dates and a big decimal, non-ASCII
    names; written with the library, then self-closed as hand-written XML is."""
    import re
    from decimal import Decimal

    from mstr_prompts import expression_xml
    from mstr_prompts.expressions import (
        Expression,
        and_,
        attribute,
        form,
        metric,
        not_,
        or_,
        qualify,
    )

    revenue = metric(guid(n * 7 + 1), "Chiffre d'affaires")
    profit = metric(guid(n * 7 + 2), "Profit (€)")
    year = form(guid(n * 7 + 3), "45C11FA478E745FEA08D781CEA190FE5", attribute_name="Année",
                form_name="ID")  # fmt: skip
    day = form(guid(n * 7 + 4), "CCFBE2A5EADB4F50941FB879CCF1721C", attribute_name="Jour",
               form_name="DESC")  # fmt: skip
    region = attribute(ATTRIBUTE, "Région")
    names = [_CATEGORIES[(n + k) % 8].replace("&amp;", "&") for k in range(3)]
    elements = [(f"{ATTRIBUTE}:{n + k}", f"{name} {k}") for k, name in enumerate(names)]
    shape = n % 4
    tree: Expression
    if shape == 0:
        tree = and_(
            qualify(revenue, ">", n),
            or_(
                qualify(year, "Between", "2014", "2016", data_type="Integer"),
                not_(qualify(region, "In", *elements)),
            ),
        )
    elif shape == 1:
        tree = qualify(profit, "Rank.Top", 10)
    elif shape == 2:
        tree = or_(
            qualify(day, ">=", "01/02/2024", data_type="Date"),
            qualify(revenue, "<", Decimal("12345678901234567890.5")),
        )
    else:
        tree = and_(qualify(region, "NotIn", *elements), qualify(revenue, "<", profit))
    text = expression_xml.dumps(tree, f"Filtre n°{n}")
    return re.sub(r"<(mt|at|fm|op|e|pr)( [^>]*)></\1>", r"<\1\2/>", text)


def varied_expressions(count: int = 400) -> str:
    """``count`` expression prompts of the four shapes of :func:`_varied_expression`."""
    return (
        "<rsl>"
        + "".join(
            f'<pa pt="8" pin="0" did="{guid(n)}" tp="10">{_varied_expression(n)}</pa>'
            for n in range(count)
        )
        + "</rsl>"
    )


def tabbed_crlf(count: int = 1000) -> str:
    """:func:`pretty_mixed`'s prompts indented with tabs, CRLF line ends, single quotes and
    an XML declaration: a Windows editor's spelling.  Not used to tune the fast path."""
    text = pretty_mixed(count).replace("  ", "\t").replace('"', "'").replace("\n", "\r\n")
    return "<?xml version='1.0' encoding='UTF-8'?>\r\n" + text


def reordered_mixed(count: int = 1000) -> str:
    """``count`` prompts of every plain family with attributes in other orders than
    MicroStrategy's: ``key=`` or ``did tp pin pt`` on the ``<pa>``, ``disp_n`` before
    ``ei`` on elements, ``n`` or ``disp_n`` before ``did`` on objects; number, date and
    long non-ASCII text values; elements with and without display names.  Not used to
    tune the fast path."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n + 90000)
        ident = f'key="{did}@0@10"' if n % 2 else f'did="{did}" tp="10" pin="0"'
        family = n % 5
        if family == 0:
            text = f"Überweisung n°{n}: « {_CATEGORIES[n % 8]} » " * 3
            parts.append(f'<pa {ident} pt="3">{text}</pa>')
        elif family == 1:
            parts.append(f'<pa pt="4" {ident}>{n * 1.25}</pa>')
        elif family == 2:
            items = "".join(
                f'<e disp_n="{_CATEGORIES[k % 8]} {k}" ei="{ATTRIBUTE}:{k}" emt="1"/>'
                if k % 3
                else f'<e ei="{ATTRIBUTE}:{k}"/>'
                for k in range(n, n + 6)
            )
            parts.append(
                f'<pa {ident} pt="7"><mi><es><at tp="12" did="{ATTRIBUTE}"/>{items}</es></mi></pa>'
            )
        elif family == 3:
            objects = "".join(
                f'<{tag} n="{name}" tp="{tp}" did="{guid(n * 10 + k + 7000)}"/>'
                if k % 2
                else f'<{tag} disp_n="{name}" did="{guid(n * 10 + k + 7000)}" tp="{tp}"/>'
                for k, (tag, tp, name) in enumerate(_METRICS)
            )
            parts.append(f'<pa {ident} pt="6"><mi><fct>{objects}</fct></mi></pa>')
        else:
            parts.append(f'<pa {ident} pt="5">{n % 12 + 1}/{n % 28 + 1}/2025</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def _listed_expression(n: int) -> str:
    """An And/Or tree four levels deep (the XML as Web's DHTML builder writes it, never
    self-closed): each leaf an element list of 10 elements with display names (some to
    escape, some not ASCII), a form list or a metric against another metric."""
    from mstr_prompts import expression_xml
    from mstr_prompts.expressions import Expression, and_, attribute, form, metric, or_, qualify

    def leaf(k: int) -> Expression:
        if k % 3 == 0:
            region = attribute(guid(n * 97 + k), f"Région {k}")
            elements = [
                (
                    f"{guid(n * 97 + k)}:{n * 10 + j}",
                    f"{_CATEGORIES[j % 8].replace('&amp;', '&')} <{j}>",
                )
                for j in range(10)
            ]
            return qualify(region, "In" if k % 2 else "NotIn", *elements)
        if k % 3 == 1:
            code = form(guid(n * 97 + k), "45C11FA478E745FEA08D781CEA190FE5", form_name="ID")
            return qualify(code, "In", *(str(n + j) for j in range(4)), data_type="Integer")
        return qualify(metric(guid(n * 89 + k), f"Métrique « {k} »"), ">=", metric(guid(k), "Base"))

    def tree(depth: int, k: int) -> Expression:
        if depth == 0:
            return leaf(k)
        join = and_ if depth % 2 else or_
        return join(tree(depth - 1, 2 * k), tree(depth - 1, 2 * k + 1))

    return expression_xml.dumps(tree(3, n), f"Liste n°{n}")


def listed_expressions(count: int = 100) -> str:
    """``count`` expression prompts, each an And/Or tree of 8 leaves, two or three of them
    element lists of 10 named elements (:func:`_listed_expression`); not used to tune."""
    return (
        "<rsl>"
        + "".join(
            f'<pa pt="8" pin="0" did="{guid(n)}" tp="10">{_listed_expression(n)}</pa>'
            for n in range(count)
        )
        + "</rsl>"
    )


# Qualifications outside docs/expressions.md's case table, as an outside reviewer and
# real answers write them: the typed reader keeps each verbatim (ExpressionAnswer.xml).
_VERBATIM = (
    # An In list of constants on a metric (MicroStrategy takes it; the table maps In on
    # attributes and forms only)
    '<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
    '<mt did="{g}" tp="4" n="Revenue"/></nd><nd et="1" nt="3" dmt="1" ddt="5">'
    '<cst ddt="5">{n}</cst></nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">2{n}</cst>'
    '</nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">3{n}</cst></nd><op fnt="22"/></nd></exp>',
    # The same In list, its metric written as an <at> of type 4 (a metric by its type)
    '<exp><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" ddt="-1">'
    '<at did="{g}" tp="4"/></nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">{n}</cst>'
    '</nd><nd et="1" nt="3" dmt="1" ddt="5"><cst ddt="5">1{n}</cst></nd><op fnt="22"/></nd></exp>',
    # An AllAttributeQual (et 16) hierarchy node under an And
    '<exp>Tout {n}<nd et="14" nt="4" dmt="1" ddt="-1"><nd et="16" nt="4" dmt="1" ddt="-1">'
    '<nd et="1" nt="5" dmt="1" ddt="-1"><at did="{g}" tp="12" n="Région"/></nd>'
    '<op fnt="19"/></nd><nd et="10" nt="4" dmt="7" ddt="-1"><nd et="1" nt="5" dmt="1" '
    'ddt="-1"><mt did="{g}" tp="4"/></nd><nd et="1" nt="3" dmt="1" ddt="5">'
    '<cst ddt="5">{n}</cst></nd><op fnt="8"/></nd><op fnt="19"/></nd></exp>',
    # A metric qualification at a level (its <dmy> dimensionality), with Web's counts
    '<exp nc="1"><nd et="10" nt="4" dmt="7" ddt="-1" cc="2"><nd et="1" nt="5" dmt="1" '
    'ddt="-1"><mt did="{g}" tp="4" n="Profit (€)"/></nd><nd et="1" nt="3" dmt="1" ddt="5">'
    '<cst ddt="5">{n}</cst></nd><op fnt="10"/><dmy><dmyt n="Year"/></dmy></nd></exp>',
)


def verbatim_mixed(count: int = 1000) -> str:
    """``count`` prompts in turn value, named elements, named objects, a typed expression
    and an expression the typed reader keeps verbatim (four kinds, :data:`_VERBATIM`):
    a fifth of the prompts are verbatim expressions.  Not used to tune."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n)
        family = n % 5
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">Région {n} &amp; co</pa>')
        elif family == 1:
            parts.append(_named_elements(did, 4, n))
        elif family == 2:
            parts.append(_named_objects(did, 2, n))
        else:
            body = (
                _EXPRESSION.format(n=n)
                if family == 3
                else _VERBATIM[n // 5 % 4].format(g=guid(n + 50000), n=n)
            )
            parts.append(f'<pa pt="8" pin="0" did="{did}" tp="10">{body}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def _indented(text: str) -> str:
    """An ``<exp>`` as a person indents it: each node on its own line, two spaces a level
    (empty elements and ``<cst>`` constants kept whole)."""
    out = []
    depth = 0
    for found in _EXP_TOKEN.finditer(text):
        token = found.group(0)
        if token.startswith("</"):
            depth -= 1
        if token.startswith("<") and not token.startswith("<exp"):
            out.append("\n" + "  " * depth)
        out.append(token)
        if found.group(2) and token != "<exp>":
            depth += 1
    return "".join(out)


# an empty element's pair or a constant (kept whole), a start tag, an end tag, text
_EXP_TOKEN = re.compile(r"<(\w+)[^>]*></\1>|<cst[^>]*>[^<]*</cst>|(<\w[^>]*>)|</[^>]*>|[^<]+")


def _reviewer_expression(n: int) -> str:
    """A qualification on a metric or an attribute, as Web's DHTML builder writes it
    (``<op fnt="8"></op>``, never self-closed), every other one indented."""
    from mstr_prompts import expression_xml
    from mstr_prompts.expressions import Expression, and_, attribute, form, metric, qualify

    revenue = metric(guid(n * 5 + 1), "Revenue")
    year = form(guid(n * 5 + 2), "45C11FA478E745FEA08D781CEA190FE5", attribute_name="Year",
                form_name="ID")  # fmt: skip
    region = attribute(ATTRIBUTE, "Region")
    shape = n % 4
    tree: Expression
    if shape == 0:
        tree = qualify(revenue, ">", n)
    elif shape == 1:
        tree = qualify(year, "Between", "2014", "2016", data_type="Integer")
    elif shape == 2:
        tree = qualify(region, "In", *[(f"{ATTRIBUTE}:{n + k}", f"Region {k}") for k in range(3)])
    else:
        tree = and_(qualify(revenue, ">=", n), qualify(year, "=", "2024", data_type="Integer"))
    text = expression_xml.dumps(tree)
    return _indented(text) if n % 2 else text


def reviewer_mixed(count: int = 1000) -> str:
    """``count`` prompts in turn value, named elements, named objects, and two of five
    expression qualifications on metrics and attributes (:func:`_reviewer_expression`:
    DHTML's spelling, compact and indented).  Not used to tune."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n)
        family = n % 5
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">Region {n} &amp; co</pa>')
        elif family == 1:
            parts.append(_named_elements(did, 4, n))
        elif family == 2:
            parts.append(_named_objects(did, 2, n))
        elif family == 3:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">Value {n}</pa>')
        else:
            body = _reviewer_expression(n // 5)
            parts.append(f'<pa pt="8" pin="0" did="{did}" tp="10">{body}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


OTHER_XML_WORKLOADS = {
    "500 prompts, 8 named elements each": named_elements,
    "1,000 prompts, 3 named objects each": named_objects,
    "1,000 prompts (value, element, object, expression)": mixed_with_expressions,
    "1,000 prompts, indented (value, element, object)": pretty_mixed,
    "200 value prompts of 2 KB": long_values,
    "1 prompt, 10,000 non-ASCII named elements": many_named_elements,
    "400 expression prompts (nested, ranks, dates, element lists)": varied_expressions,
    "1,000 prompts, tabs, CRLF, single quotes (value, element, object)": tabbed_crlf,
    "1,000 prompts, attributes reordered, key= (every plain family)": reordered_mixed,
    "100 expression prompts, And/Or trees of 8 leaves, lists of 10 named elements": listed_expressions,
    "1,000 prompts, 200 of them expressions kept verbatim (4 kinds)": verbatim_mixed,
    "1,000 prompts, 200 of them DHTML expressions, compact and indented": reviewer_mixed,
}


def small_mixed(count: int = 1000) -> str:
    """``count`` small prompts in turn: a value, 6 elements with display names, 3 named
    objects (metrics, an attribute, a form): a document of many small prompts."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n)
        family = n % 3
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif family == 1:
            parts.append(_named_elements(did, 6, n))
        else:
            parts.append(_named_objects(did, 3, n))
    parts.append("</rsl>")
    return "".join(parts)


def values_query(count: int = 1000) -> str:
    """A Web query answering ``count`` value prompts by position (``valuePromptAnswers``):
    texts, numbers and dates, as Web writes them (``^`` between answers)."""
    texts = ((f"value%20{n}", str(n * 7), f"1/{n % 28 + 1}/2024")[n % 3] for n in range(count))
    return "evt=4001&src=mstrWeb.4001&valuePromptAnswers=" + "^".join(texts)


def review_mixed(count: int = 1000, *, indent: bool = False) -> str:
    """``count`` small prompts in turn: a text value with a reference, 6 elements with
    display names (references, non-ASCII), 3 named objects of type 4 written as ``<at>``,
    and a date; compact, or indented.  The shape of an outside review's workload, written
    to measure reading many small lists; not used to tune the fast path."""
    nl, p2, p4, p6 = ("\n", "  ", "    ", "      ") if indent else ("", "", "", "")
    parts = ["<rsl>" + nl]
    for n in range(count):
        did = guid(n)
        family = n % 4
        if family == 0:
            parts.append(
                f'{p2}<pa pt="3" pin="0" did="{did}" tp="10">Text &amp; value {n}</pa>{nl}'
            )
        elif family == 1:
            items = "".join(
                f'{p6}<e emt="1" ei="{ATTRIBUTE}:{k}" art="1" '
                f'disp_n="{_CATEGORIES[k % 8]} &lt;{k}&gt;"/>{nl}'
                for k in range(n, n + 6)
            )
            parts.append(
                f'{p2}<pa pt="7" pin="0" did="{did}" tp="10">{nl}{p4}<mi>{nl}{p4}<es>{nl}'
                f'{p6}<at did="{ATTRIBUTE}" tp="12"/>{nl}{items}{p4}</es>{nl}{p4}</mi>{nl}{p2}</pa>{nl}'
            )
        elif family == 2:
            objects = "".join(
                f'{p6}<at did="{guid(n * 10 + k + 7000)}" tp="4" n="Métrique {k} &amp; co"/>{nl}'
                for k in range(3)
            )
            parts.append(
                f'{p2}<pa pt="6" pin="0" did="{did}" tp="10">{nl}{p4}<mi>{nl}{p4}<fct>{nl}'
                f"{objects}{p4}</fct>{nl}{p4}</mi>{nl}{p2}</pa>{nl}"
            )
        else:
            parts.append(
                f'{p2}<pa pt="5" pin="0" did="{did}" tp="10">{n % 12 + 1}/{n % 28 + 1}/2025</pa>{nl}'
            )
    parts.append("</rsl>" + nl)
    return "".join(parts)


def review_indented(count: int = 1000) -> str:
    """:func:`review_mixed`, indented."""
    return review_mixed(count, indent=True)


OTHER_XML_WORKLOADS["1,000 small prompts, named lists with references (review's shape)"] = (
    review_mixed
)
OTHER_XML_WORKLOADS["the same, indented"] = review_indented


def mixed_spellings(count: int = 1000, *, indent: bool = False) -> str:
    """``count`` prompts written by three writers in turn, as a document that one tool
    starts and others add to: DHTML's ``<pa pt pin did tp>`` in double quotes, a script's
    ``<pa did tp pin pt>`` in single quotes, a template's ``<pa key pt>``; each writer
    spells its list items its own way too.  The prompts are values (text with references,
    dates), elements with display names (references, non-ASCII), named objects and, one
    in ten, an expression; compact, or indented.  Written to measure documents whose
    ``<pa>``s are spelled several ways; not used to tune the fast path."""
    nl, p2, p4 = ("\n", "  ", "    ") if indent else ("", "", "")
    parts = ["<rsl>" + nl]
    for n in range(count):
        did = guid(n + 50000)
        writer = n % 3
        family = n % 10
        pt = {0: 3, 1: 7, 2: 6, 3: 5, 4: 7, 5: 3, 6: 6, 7: 2, 8: 7, 9: 8}[family]
        if writer == 0:
            head = f'<pa pt="{pt}" pin="0" did="{did}" tp="10">'
        elif writer == 1:
            head = f"<pa did='{did}' tp='10' pin='0' pt='{pt}'>"
        else:
            head = f'<pa key="{did}@0@10" pt="{pt}">'
        if pt == 3:
            body = f"Région {n} &amp; co &lt;{writer}&gt;"
        elif pt == 5:
            body = f"{n % 12 + 1}/{n % 28 + 1}/2025"
        elif pt == 2:
            body = str(n * 7)
        elif pt == 8:
            body = _EXPRESSION.format(n=n)
        elif pt == 7:
            items = []
            for k in range(n, n + 5):
                shown = f"{_CATEGORIES[k % 8]} {k}"
                ei = f"{ATTRIBUTE}:{k}"
                if writer == 0:
                    items.append(f'<e emt="1" ei="{ei}" art="1" disp_n="{shown}"/>')
                elif writer == 1:
                    items.append(f"<e ei='{ei}' disp_n='{shown}'></e>")
                else:
                    items.append(f'<e disp_n="{shown}" ei="{ei}"/>')
            at = f'<at did="{ATTRIBUTE}" tp="12"/>' if writer != 2 else ""
            body = f"{nl}{p4}<mi><es>{at}{''.join(items)}</es></mi>{nl}{p2}"
        else:
            items = []
            for k, (tag, tp, name) in enumerate(_METRICS[:3]):
                object_did = guid(n * 10 + k + 7000)
                if writer == 0:
                    items.append(f'<{tag} did="{object_did}" tp="{tp}" n="{name}"/>')
                elif writer == 1:
                    items.append(f"<{tag} n='{name}' did='{object_did}' tp='{tp}'></{tag}>")
                else:
                    items.append(f'<{tag} disp_n="{name}" tp="{tp}" did="{object_did}"/>')
            body = f"{nl}{p4}<mi><fct>{''.join(items)}</fct></mi>{nl}{p2}"
        parts.append(f"{p2}{head}{body}</pa>{nl}")
    parts.append("</rsl>" + nl)
    return "".join(parts)


def mixed_spellings_indented(count: int = 1000) -> str:
    """:func:`mixed_spellings`, indented."""
    return mixed_spellings(count, indent=True)


OTHER_XML_WORKLOADS["1,000 prompts, <pa>s and items spelled three ways (every family)"] = (
    mixed_spellings
)
OTHER_XML_WORKLOADS["the same, three spellings, indented"] = mixed_spellings_indented
