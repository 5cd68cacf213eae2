"""Regular expressions compiled when first used.

The text readers (``_xml_text``, ``_expression_scan``) hold a few dozen patterns that cost
about 17 ms to compile together, a fifth of a one-file ``convert``'s start-up (issue 22
item 2), while a small document uses a few of them.  :func:`lazy` gives a stand-in that
compiles its pattern on first use and then puts the compiled pattern's methods on
itself, so every later call finds them there as it would on the pattern.

>>> word = lazy("[a-z]+")
>>> word.match("abc1").group()
'abc'
"""

from __future__ import annotations

import re
from typing import Any, cast

__all__ = ["lazy"]

_METHODS = ("match", "fullmatch", "search", "split", "findall", "finditer", "sub")


class _Lazy:
    __slots__ = ("_source", *_METHODS)

    def __init__(self, source: str) -> None:
        self._source = source

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(self._source)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def lazy(source: str) -> re.Pattern[str]:
    """A stand-in for ``re.compile(source)`` that compiles it when first used.

    >>> lazy(r"\\d+").findall("a1b22")
    ['1', '22']
    """
    return cast("re.Pattern[str]", _Lazy(source))
