"""Parsing untrusted XML safely, and writing it back in one canonical spelling.

Prompt-answer XML arrives from URLs, forms and captured pages, so it is hostile until
proven otherwise.  The parser here resolves no entities, reads no DTD, never touches the
network or the filesystem, and refuses a document that declares a DTD at all (that is
where external entities, parameter entities and "billion laughs" live).  Input larger
than :data:`MAX_XML_CHARS` is refused before parsing.
"""

from __future__ import annotations

from lxml import etree

from .errors import DecodeError

__all__ = ["MAX_XML_CHARS", "parse", "serialize"]

MAX_XML_CHARS = 32 * 1024 * 1024
"""The largest XML text accepted (32 Mi characters): far above any real answer set."""

# libxml2's limits without its huge_tree flag, which stays off: no real answer set nears them.
_LIMITS = {
    "depth": "elements are nested more than 256 deep",
    "size": "a text node, attribute value or name is over 10,000,000 bytes",
}

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def parse(text: str, *, where: str = "xml") -> etree._Element:
    """Parse ``text`` into an element tree, refusing anything unsafe or malformed.

    >>> parse("<rsl><pa/></rsl>").tag
    'rsl'
    >>> parse('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: xml: a DTD is not allowed in prompt-answer XML (it could declare entities)
    """
    if len(text) > MAX_XML_CHARS:
        raise DecodeError(
            f"input of {len(text)} characters is over the {MAX_XML_CHARS}-character limit",
            where=where,
        )
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise DecodeError(
            "a DTD is not allowed in prompt-answer XML (it could declare entities)", where=where
        )
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = (exc.msg or "not well-formed").split(", line ")[0]
        # libxml2's own limits name a parser flag the user cannot set; say what the limit is.
        if "XML_PARSE_HUGE" in message:
            limit = _LIMITS["depth" if "depth" in message.lower() else "size"]
            raise DecodeError(
                f"the XML is over a size limit at line {line}, column {column}: {limit}",
                where=where,
            ) from None
        raise DecodeError(
            f"not well-formed XML at line {line}, column {column}: {message}", where=where
        ) from None
    except (ValueError, UnicodeError) as exc:  # e.g. an encoding declaration that lies
        raise DecodeError(f"cannot read the XML: {exc}", where=where) from None
    if root is None:
        raise DecodeError("empty XML document", where=where)
    doctype: str = getattr(root.getroottree().docinfo, "doctype", "")
    if doctype:
        raise DecodeError("a DTD is not allowed in prompt-answer XML", where=where)
    return root


def serialize(element: etree._Element) -> str:
    """Write ``element`` (without its tail) as text: double quotes, attribute order kept.

    >>> serialize(parse("<exp nc='3'>a &gt; 1<nd/></exp>"))
    '<exp nc="3">a &gt; 1<nd/></exp>'
    """
    return etree.tostring(element, encoding="unicode", with_tail=False)
