"""Tell which format a text is in: REST, XML, Web URL, Library, or prompt definitions.

Used by ``mstr-prompts convert --from auto``.  The rules look at the shape only (the
first characters, the JSON envelope, the parameter names), so they are cheap; the
chosen decoder then reads the text and says precisely what is wrong with it.

>>> detect('{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "1"}]}')
'rest'
>>> detect("mstrWeb?evt=4001&valuePromptAnswers=2015")
'url'
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from .errors import DecodeError, Hint, Option

__all__ = ["FORMATS", "Format", "detect"]

Format = Literal["rest", "xml", "url", "library", "definitions"]
FORMATS: tuple[Format, ...] = ("rest", "xml", "url", "library", "definitions")
"""Every format :func:`detect` can name."""

# Fields of a prompt definition (GET …/prompts) that an answer item never has.
_DEFINITION_FIELDS = frozenset(
    {"required", "title", "dataType", "closed", "defaultAnswer", "source", "min", "max"}
)
_URL_PARAMS = re.compile(
    r"(?:^|[?&;\s])(valuePromptAnswers|elementsPromptAnswers|objectsPromptAnswers|"
    r"prompts?AnswerXML|promptAnswerMode)=",  # promptAnswerXML: the Task API's spelling
    re.IGNORECASE,
)
_XML_START = re.compile(r"(<|%3C|&lt;)", re.IGNORECASE)

_CANNOT_TELL = (
    "cannot tell the format: not JSON, not prompt-answer XML, and no prompt-answer "
    "parameter (valuePromptAnswers, elementsPromptAnswers, objectsPromptAnswers, "
    "promptsAnswerXML, promptAnswerMode, prompts)"
)
_HINT = Hint(
    "name the format with {0}: rest, xml, url or library",
    Option("from", metavar="FORMAT", api="its module's decode()"),
)


def _is_definition(item: Any) -> bool:
    return isinstance(item, dict) and bool(_DEFINITION_FIELDS & item.keys())


def _json_format(document: Any) -> Format:
    if isinstance(document, dict):
        prompts = document.get("prompts")
        if isinstance(prompts, list):
            # Seed 000's own PUT body copies definition fields (required, closed, source)
            # beside its answers: a document whose every prompt carries answers is an
            # answer body, which the REST decoder reads whatever else the items hold.
            answered = all(isinstance(p, dict) and "answers" in p for p in prompts)
            return "definitions" if any(map(_is_definition, prompts)) and not answered else "rest"
        answers = document.get("answers")
        if isinstance(answers, list):
            # Library's body has "values"; REST's old "answers" envelope (a doc bug the
            # REST decoder explains) has typed items.
            if any(isinstance(a, dict) and "type" in a for a in answers):
                return "rest"
            return "library"
        if "type" in document:
            return "definitions"  # one definition, as the docs print them
    if isinstance(document, list) and document:
        if all(isinstance(r, list) for r in document):
            return "library"
        if all(isinstance(d, dict) and "type" in d for d in document):
            return "definitions"
    raise DecodeError(
        'cannot tell the format of this JSON: it is none of a REST body {"prompts": […]}, '
        'Library rounds [[…]] or body {"answers": […]}, or prompt definitions',
        where="auto",
        hint=_HINT,
    )


def detect(text: str) -> Format:
    """Name the format of ``text``, or raise :class:`~mstr_prompts.errors.DecodeError`.

    >>> detect("prompts=%5B%5B%5D%5D")
    'library'
    >>> detect('[{"key": "K@0@10", "type": "VALUE", "required": true}]')
    'definitions'
    >>> detect("hello")
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.DecodeError: auto: cannot tell the format: not JSON, not prompt-answer XML, and no prompt-answer parameter (valuePromptAnswers, elementsPromptAnswers, objectsPromptAnswers, promptsAnswerXML, promptAnswerMode, prompts) (hint: name the format with its module's decode(): rest, xml, url or library)
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            document = json.loads(stripped)
        except (ValueError, RecursionError):
            raise DecodeError(
                "the text starts like JSON but is not JSON", where="auto", hint=_HINT
            ) from None
        return _json_format(document)
    if _XML_START.match(stripped):
        return "xml"
    if _URL_PARAMS.search(stripped):
        return "url"
    if "3d" in stripped[:4096].lower():  # %3D, or %253D when encoded twice
        import urllib.parse  # here: detecting XML or JSON needs none of it

        once = urllib.parse.unquote(stripped)
        if _URL_PARAMS.search(once) or _URL_PARAMS.search(urllib.parse.unquote(once)):
            # A whole link percent-encoded once, which url.decode reads, or twice, which
            # it refuses with a message that says so.
            return "url"
    from . import library  # the last guess: the other formats do not need it

    if library.looks_like_library(stripped):
        return "library"
    raise DecodeError(_CANNOT_TELL, where="auto", hint=_HINT)
