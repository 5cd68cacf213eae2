"""mstr-prompts: MicroStrategy prompt answers, losslessly, in every wire format.

The canonical model lives here; each format has a module with a ``decode``/``encode``
pair: :mod:`mstr_prompts.rest`, :mod:`mstr_prompts.xml`, :mod:`mstr_prompts.url`,
:mod:`mstr_prompts.library`.

>>> from mstr_prompts import rest, xml
>>> answers = xml.decode('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Web</pa></rsl>')
>>> rest.encode(answers)["prompts"][0]["answers"]
'Web'
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .element_id import ElementId, OpaqueElementId, Presentation, classify, parse_element_id
    from .errors import DecodeError, LocaleWarning, NotRepresentableError, PromptAnswerError
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

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "AnswerMode",
    "AnswerSet",
    "Close",
    "DecodeError",
    "Element",
    "ElementAnswer",
    "ElementId",
    "ExpressionAnswer",
    "LevelAnswer",
    "LevelUnit",
    "LocaleWarning",
    "NotRepresentableError",
    "ObjectAnswer",
    "ObjectRef",
    "OpaqueElementId",
    "PlaceholderAnswer",
    "Presentation",
    "PromptAnswerError",
    "PromptFamily",
    "PromptRef",
    "Unanswered",
    "UseDefault",
    "ValueAnswer",
    "ValueType",
    "classify",
    "parse_element_id",
]

# The names above load on first use (PEP 562): importing the package, or the CLI to
# print its help, does not pay for pydantic and the model's schemas until they are needed.
_HOME = {
    **dict.fromkeys(
        ("ElementId", "OpaqueElementId", "Presentation", "classify", "parse_element_id"),
        "element_id",
    ),
    **dict.fromkeys(
        ("DecodeError", "LocaleWarning", "NotRepresentableError", "PromptAnswerError"), "errors"
    ),
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_HOME.get(name, 'model')}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
