"""mstr-prompts: MicroStrategy prompt answers, losslessly, in every wire format.

The canonical model lives here; each format has a module with a ``decode``/``encode``
pair: :mod:`mstr_prompts.rest`, :mod:`mstr_prompts.xml`, :mod:`mstr_prompts.url`,
:mod:`mstr_prompts.library`.

>>> from mstr_prompts import rest, xml
>>> answers = xml.decode('<rsl><pa pt="3" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">Web</pa></rsl>')
>>> rest.encode(answers)["prompts"][0]["answers"]
'Web'
"""

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
