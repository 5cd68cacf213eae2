"""Field rules shared by the model, every decoder and every encoder: one definition each.

A decoder that reads a field by one rule and an encoder that writes it by another lets
the library write what it then refuses to read (``str.isdigit()`` accepts ``"²"``, a
regex ``[0-9]{1,9}`` does not).  So each rule lives here once, and the model, the codecs
and the link builder all call it:

* **text**: every text field holds valid Unicode, that is text UTF-8 can encode.  A lone
  surrogate (``"\\ud800"``, which a JSON ``\\ud800`` escape or a Python caller can make)
  is no character at all: no wire format can carry it, so the model refuses it.
* **numbers**: a number on the wire is ASCII digits ``[0-9]`` only, and is bounded by
  what a real server reads (a Java ``int``), so a 5,000-digit ``lcl`` is an error that
  says so, never an exception from ``int()``.
* **positions** are bounded by what a URL can address (see :data:`MAX_POSITION`).
* **one answer per prompt**: decoders carry a second answer for one prompt key as they
  read it (REST's own documentation repeats a placeholder key), ``validate`` reports it,
  and every encoder refuses it, naming the prompt (:func:`refuse_to_write_repeated_keys`),
  so it never converts silently.  A Library round is one set: a nested prompt may be
  answered again in a later round.
* **display text**: an expression answer's ``content`` that is empty or only whitespace
  is no display text, None (:func:`display_text`).
* **parameter names** are compared the way a case-insensitive Java server compares them
  (:func:`fold_name`).

>>> is_text("Sam Hill"), is_text("\\ud800")
(True, False)
>>> ascii_number("1033", MAX_INT), ascii_number("²", MAX_INT), ascii_number("9" * 12, MAX_INT)
(1033, None, None)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "MAX_INT",
    "MAX_OBJECT_TYPE",
    "MAX_POSITION",
    "MIN_INT",
    "ascii_number",
    "display_text",
    "fold_name",
    "is_digits",
    "is_text",
    "java_int",
    "refuse_to_write_repeated_keys",
    "repeated_key",
    "text_problem",
]

MAX_INT = 2**31 - 1
"""The largest number a server reads in a numeric field (Java ``int``: lcl, pt, tp…)."""

MIN_INT = -(2**31)
"""The smallest number a server reads in a signed numeric field (Java ``int``)."""

MAX_OBJECT_TYPE = MAX_INT
"""The largest EnumDSSXMLObjectTypes number: the server reads ``tp`` as a Java ``int``."""

MAX_POSITION = 1000
"""The largest 1-based position of a value or object prompt a URL can address.

Each open slot before a position costs at least three characters (``%5E``), and web
servers refuse request lines near 8 KB (IIS's default query limit is 2,048 characters,
docs/url.md "Length limits"), so a position in the thousands cannot be sent at all; and
no real prompt page has a thousand prompts of one family.  Bounding it keeps a tiny
answer from making a huge link.
"""

# Characters whose simple case mapping is an ASCII letter (Java's equalsIgnoreCase maps
# them so: "ſrc" equals "src", "reportıD" equals "reportID").  Every other non-ASCII
# character's lower case is non-ASCII.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def is_text(text: str) -> bool:
    """True when ``text`` can be encoded as UTF-8 (no lone surrogates).

    >>> is_text("名前"), is_text("a\\udc80")
    (True, False)
    """
    if text.isascii():  # nearly always, and cheap
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(text: str) -> str | None:
    """Say why ``text`` is not valid text, or None when it is.

    >>> text_problem("a\\ud800b")
    'it contains a lone surrogate (U+D800 at index 1), which is not a character and which no format can carry'
    """
    if is_text(text):
        return None
    index, char = next((i, c) for i, c in enumerate(text) if 0xD800 <= ord(c) <= 0xDFFF)
    return (
        f"it contains a lone surrogate (U+{ord(char):04X} at index {index}), which is not a "
        "character and which no format can carry"
    )


def display_text(content: str | None) -> str | None:
    """An expression answer's display text as the model and every codec keep it: None for none at all, empty
    or only whitespace (REST's ``content`` defaults to ""; XML cannot tell blank text
    inside ``<exp>`` from layout), so that "no display text" has one spelling.

    >>> display_text(" \\n"), display_text("Revenue > 10")
    (None, 'Revenue > 10')
    """
    return content if content and not content.isspace() else None


def is_digits(text: str) -> bool:
    """True when ``text`` is one or more ASCII digits ``[0-9]`` (never ``²`` or ``٣``).

    >>> is_digits("0012"), is_digits("²"), is_digits("")
    (True, False, False)
    """
    # str.isdigit alone also accepts other scripts' digits; ASCII leaves only 0-9.
    return text.isdigit() and text.isascii()


def key_location(key: str | None) -> tuple[str, str, str] | None:
    """``(did, pin, tp)`` when a prompt key has the ``did@pin@tp`` shape, else None.

    >>> key_location("2294C41E44244ADAED930CB4E00A9DA0@0@10"), key_location("W34D")
    (('2294C41E44244ADAED930CB4E00A9DA0', '0', '10'), None)
    """
    if key is None:
        return None
    parts = key.split("@")
    if len(parts) == 3 and parts[0] and is_digits(parts[1]) and is_digits(parts[2]):
        return (parts[0], parts[1], parts[2])
    return None


def describe_prompt(
    key: str | None,
    id: str | None,
    name: str | None,
    position: int | None,
    family: str | None = None,
) -> str:
    """A short human name for a prompt known by these fields, for error messages
    (``PromptRef.describe`` and ``rows.Ref.describe``).

    >>> describe_prompt(None, None, None, 2, "value")
    'value prompt #2'
    """
    noun = f"{family} prompt" if family else "prompt"
    if name and key:
        return f"{noun} {name!r} (key {key})"
    if key:
        return f"{noun} {key}"
    if id:
        return f"{noun} id {id}"
    if name:
        return f"{noun} {name!r}"
    if position is not None:
        return f"{noun} #{position}"
    return f"unidentified {noun}"


def ascii_number(text: str, maximum: int) -> int | None:
    """The number ``text`` spells in ASCII digits if it is at most ``maximum``, else None.

    Leading zeros are allowed; the length is checked before ``int()``, so the work stays
    small whatever the input.

    >>> ascii_number("007", 10), ascii_number("11", 10), ascii_number("+1", 10)
    (7, None, None)
    """
    if not is_digits(text):
        return None
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return None
    number = int(significant)
    return number if number <= maximum else None


def java_int(text: str) -> int | None:
    """The Java ``int`` that ``text`` spells as ``[-]digits`` in ASCII, or None.

    >>> java_int("-1"), java_int("2147483648"), java_int("-2147483648"), java_int("٣")
    (-1, None, -2147483648, None)
    """
    if text.startswith("-"):
        number = ascii_number(text[1:], -MIN_INT)
        return None if number is None else -number
    return ascii_number(text, MAX_INT)


def fold_name(name: str) -> str:
    """A parameter name as a case-insensitive server compares it.

    >>> fold_name("valuePromptAnswers") == fold_name("VALUEPROMPTANSWERſ")
    True
    """
    return name.translate(_FOLD).lower()


def repeated_key(items: Iterable[Any], *, start: int = 1) -> tuple[str, int, int] | None:
    """The first prompt key two of ``items`` (answer models or decoder rows) answer, with
    the 1-based places of both, or None.

    Keys are compared exactly, as written: a key is opaque text (``did@pin@tp`` or a
    dashboard key) and nothing says the server folds its case.

    >>> from mstr_prompts.model import VALUE_ROW
    >>> repeated_key([(VALUE_ROW, "K@0@10", "North", None), (VALUE_ROW, "K@0@10", "South", None)])
    ('K@0@10', 1, 2)
    """
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start):
        if type(item) is tuple:
            prompt = item[1]
            key = prompt if isinstance(prompt, str) else prompt.key
        else:
            key = item.prompt.key
        if key is None:
            continue
        first = seen.setdefault(key, index)
        if first != index:
            return key, first, index
    return None


def refuse_to_write_repeated_keys(items: Iterable[Any], target: str) -> None:
    """Raise :class:`~mstr_prompts.errors.NotRepresentableError` when two answers of
    ``items`` answer one prompt key: the decoders refuse such a set, so no encoder
    writes one.

    >>> from mstr_prompts.model import VALUE_ROW
    >>> refuse_to_write_repeated_keys([(VALUE_ROW, "K@0@10", "a", None)] * 2, "rest")
    Traceback (most recent call last):
    ...
    mstr_prompts.errors.NotRepresentableError: rest: prompt K@0@10: it is answered twice (answers 1 and 2), and rest reads one answer per prompt (hint: keep only the answer you mean)
    """
    found = repeated_key(items)
    if found is not None:
        from .errors import NotRepresentableError

        key, first, second = found
        raise NotRepresentableError(
            f"it is answered twice (answers {first} and {second}), and {target} reads one "
            "answer per prompt",
            prompt=f"prompt {key}",
            target=target,
            hint="keep only the answer you mean",
        )
