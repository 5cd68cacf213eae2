"""The library's exceptions.

Every error the library raises on purpose is a :class:`PromptAnswerError`, which is a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not know
this library.  The message is one line that says what was wrong and where; ``hint``, when
present, says what to do about it (the h11 habit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:
    from .model import PromptRef
    from .validation import Problem

__all__ = [
    "AnswersRejected",
    "DecodeError",
    "LocaleWarning",
    "NotRepresentableError",
    "PromptAnswerError",
    "PromptsOutstanding",
    "placeholder_refusal",
    "rounds_refusal",
    "validation_message",
]


class PromptAnswerError(ValueError):
    """Base class of every error raised by mstr-prompts.

    >>> issubclass(PromptAnswerError, ValueError)
    True
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        text = self.message
        if self.hint:
            text = f"{text} (hint: {self.hint})"
        # One line, always: a CLI prints str(error) as its whole diagnostic.
        return " ".join(text.split("\n"))


class DecodeError(PromptAnswerError):
    """The input is malformed: the message says what is wrong, ``where`` says where.

    >>> str(DecodeError("unexpected element <foo>", where="xml: /rsl/pa[2]"))
    'xml: /rsl/pa[2]: unexpected element <foo>'
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class NotRepresentableError(PromptAnswerError):
    """The target format cannot carry an answer.  Names the prompt and the reason.

    >>> e = NotRepresentableError("a URL value cannot contain '^'", prompt="value prompt #2")
    >>> str(e)
    "value prompt #2: a URL value cannot contain '^'"
    """

    def __init__(
        self,
        message: str,
        *,
        prompt: str | None = None,
        target: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.prompt = prompt
        self.target = target
        prefix = ": ".join(p for p in (target, prompt) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message, hint=hint)


class AnswersRejected(PromptAnswerError):
    """The answers break what their prompts allow; ``problems`` holds every problem.

    The first problem is the one the server would report (it stops at its first), so
    ``problems[0].message`` is the server's own text.  Raised by
    :func:`mstr_prompts.definitions.check`.

    >>> from mstr_prompts.validation import Problem
    >>> p = Problem(key="K@0@10", code="ERR006", rule="required", verbatim=True,
    ...             message="Prompt validation failed. This is a required prompt.",
    ...             explanation="prompt K@0@10 is required; it cannot be closed")
    >>> str(AnswersRejected([p, p]))
    'K@0@10: ERR006: Prompt validation failed. This is a required prompt. (and 1 more problem)'
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("AnswersRejected needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        text = f"{first.key}: {first.code}: {first.message}"
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(text)


class PromptsOutstanding(PromptAnswerError):
    """Prompts are left without an answer and the policy in force cannot answer them.

    ``prompts`` names them, in the definitions' order.

    >>> from mstr_prompts.model import PromptRef
    >>> str(PromptsOutstanding([PromptRef(key="K@0@10", name="Region")], "no answer given"))
    "prompt 'Region' (key K@0@10): no answer given"
    """

    def __init__(
        self, prompts: Sequence[PromptRef], reason: str, *, hint: str | None = None
    ) -> None:
        self.prompts: tuple[PromptRef, ...] = tuple(prompts)
        names = ", ".join(p.describe() for p in self.prompts)
        super().__init__(f"{names}: {reason}", hint=hint)


class LocaleWarning(UserWarning):
    """A target format cannot say which locale the value texts were written in.

    Value texts (numbers, dates) are kept exactly; the locale that says how to read them
    is what the target cannot carry, so the server will read them in its session locale.
    Encoders warn rather than fail, because the values are usually locale-neutral and
    the conversion is the whole point; turn the warning into an error with
    ``warnings.simplefilter("error", LocaleWarning)``, or silence it per call with
    ``ignore_locale=True``.

    >>> issubclass(LocaleWarning, UserWarning)
    True
    """


def validation_message(exc: ValidationError, *, locations: bool = False) -> str:
    """Say in one plain line what pydantic refused, for a :class:`DecodeError`.

    Decoders never let pydantic's ``ValidationError`` escape; they wrap it with this.

    >>> from mstr_prompts.model import ValueAnswer
    >>> try:
    ...     ValueAnswer(value="")
    ... except ValidationError as exc:
    ...     print(validation_message(exc, locations=True))
    value: a value answer cannot be empty; an empty answer is Close(family=VALUE)
    """
    parts = []
    for error in exc.errors(include_url=False):
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in error.get("loc", ())) if locations else ""
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)


def rounds_refusal(target: str, rounds: int) -> NotRepresentableError:
    """The error of a one-round format given answers in several prompting rounds.

    Rounds are never merged: a nested prompt answered in the first round would not be
    open yet, so the server would not find it.

    >>> str(rounds_refusal("rest", 2))
    'rest: the answers are in 2 prompting rounds and a rest body is one round (hint: convert each round on its own: AnswerSet.by_round())'
    """
    return NotRepresentableError(
        f"the answers are in {rounds} prompting rounds and a {target} body is one round",
        target=target,
        hint="convert each round on its own: AnswerSet.by_round()",
    )


def placeholder_refusal(prompt: str, target: str) -> NotRepresentableError:
    """The error of a format given a Library link template (a placeholder answer).

    >>> str(placeholder_refusal("prompt K@0@10", "xml"))[:60]
    'xml: prompt K@0@10: the answer is a Library link template (D'
    """
    return NotRepresentableError(
        "the answer is a Library link template (DYNAMIC_PLACEHOLDER_…, {[Attr]@Form}) that "
        "the dashboard fills in when the link is followed; only a Library link carries it",
        prompt=prompt,
        target=target,
        hint="replace the template with the actual answer, or keep the Library format",
    )
