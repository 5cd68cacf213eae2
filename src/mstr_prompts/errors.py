"""The library's exceptions, warnings and hints.

Every error the library raises on purpose is a :class:`PromptAnswerError`, which is a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not know
this library.  ``message`` is the bare reason; ``str(error)`` is one line that adds where
(``where`` for a :class:`DecodeError`, ``target`` and ``prompt`` for a
:class:`NotRepresentableError`) and, when present, what to do about it (``hint``, the h11
habit).

Hints for the other modules (and for anyone adding a CLI command):

* A hint that names an option the user can pass is a :class:`Hint`, never a plain string:
  ``Hint("encode with {0} if the answers are in prompt order", Option("assume_order"))``.
  ``str(hint)`` spells the option the Python way (``assume_order=True``) and is what
  ``str(error)`` shows; :meth:`Hint.cli` spells it the CLI way (``--assume-order``), and
  the CLI prints only that.  ``Option("fallback", "xml")`` is ``fallback='xml'`` /
  ``--fallback xml``; ``Option("definitions", metavar="FILE")`` is ``definitions=...`` /
  ``--definitions FILE``; ``Option("definitions", metavar="FILE",
  api="mstr_prompts.definitions.bind")`` is that function / ``--definitions FILE``.
* A hint that only a Python caller can follow (``use name=None``) is
  ``Hint("use name=None", cli=False)``: the CLI leaves it out rather than suggest what a
  shell user cannot do.  A plain string hint is shown everywhere as it is.
* Give a hint only when following it can work: check the answer first (no "give it a
  key" for an answer that has one, no ``fallback='xml'`` for what XML cannot carry either).
* Re-raising with more context: pass ``exc.message`` (never ``str(exc)``, which would
  double the prefix) and ``hint=exc.hint`` (the :class:`Hint` travels intact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

if TYPE_CHECKING:
    from .model import PromptRef
    from .validation import Problem

__all__ = [
    "AnswersRejected",
    "DecodeError",
    "Hint",
    "HintedWarning",
    "InputTooLarge",
    "LocaleWarning",
    "NotRepresentableError",
    "Option",
    "PromptAnswerError",
    "PromptsOutstanding",
    "ValueTypeWarning",
    "placeholder_refusal",
    "rounds_refusal",
    "untyped_object_refusal",
    "validation_message",
    "with_article",
]

_UNSET: Any = object()


@dataclass(frozen=True)
class Option:
    """An option a hint suggests: its Python keyword, and the value to pass.

    ``value`` is ``True`` for a switch; ``metavar`` stands for a value the user supplies;
    ``api`` replaces the Python spelling when the option is a function there, not a keyword;
    ``flag`` replaces the CLI spelling when the command line spells it otherwise.

    >>> Option("fallback", "xml").python(), Option("fallback", "xml").cli()
    ("fallback='xml'", '--fallback xml')
    >>> Option("assume_order").cli(), Option("definitions", metavar="FILE").cli()
    ('--assume-order', '--definitions FILE')
    """

    name: str
    value: object = True
    metavar: str | None = None
    api: str | None = None
    flag: str | None = None

    def python(self) -> str:
        """The keyword argument as a Python caller writes it (or ``api``, when given)."""
        if self.api is not None:
            return self.api
        if self.metavar is not None:
            return f"{self.name}=..."
        return f"{self.name}={self.value!r}"

    def cli(self) -> str:
        """The option as a shell user types it (``flag``, when given, as it is)."""
        if self.flag is not None:
            return self.flag
        flag = "--" + self.name.replace("_", "-")
        if self.metavar is not None:
            return f"{flag} {self.metavar}"
        if self.value is True:
            return flag
        return f"{flag} {self.value}"


class Hint(str):
    """What to do about an error, with the options it names kept structured.

    A ``str`` (its Python spelling), so ``"assume_order" in error.hint`` keeps working;
    :meth:`cli` gives the command line's spelling, or ``None`` when a shell user cannot
    follow the hint.

    >>> h = Hint("encode with {0} if the answers are in prompt order", Option("assume_order"))
    >>> str(h)
    'encode with assume_order=True if the answers are in prompt order'
    >>> h.cli()
    'encode with --assume-order if the answers are in prompt order'
    >>> Hint("use name=None", cli=False).cli() is None
    True
    """

    template: str
    options: tuple[Option, ...]
    for_cli: bool

    def __new__(cls, template: str, *options: Option, cli: bool = True) -> Hint:
        self = super().__new__(cls, template.format(*(o.python() for o in options)))
        self.template = template
        self.options = options
        self.for_cli = cli
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # keep the structure through pickle
        return (_make_hint, (self.template, self.options, self.for_cli))

    def cli(self) -> str | None:
        """The hint in the CLI's spelling, or ``None`` if it applies to Python callers only."""
        if not self.for_cli:
            return None
        return self.template.format(*(o.cli() for o in self.options))


def _make_hint(template: str, options: tuple[Option, ...], cli: bool) -> Hint:
    return Hint(template, *options, cli=cli)


def _rebuild_error(cls: type[Exception], args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


def _cli_hint(hint: str | None) -> str | None:
    if isinstance(hint, Hint):
        return hint.cli()
    return hint


def _one_line(text: str) -> str:
    # One line, always: a CLI prints an error as its whole diagnostic.
    return " ".join(text.split("\n"))


class PromptAnswerError(ValueError):
    """Base class of every error raised by mstr-prompts.

    ``message`` is the bare reason, ``hint`` what to do (a :class:`Hint` or a string, or
    ``None``); :meth:`render` gives the whole line, in Python or CLI spelling.

    >>> issubclass(PromptAnswerError, ValueError)
    True
    >>> e = PromptAnswerError("no position", hint=Hint("pass {0}", Option("assume_order")))
    >>> str(e)
    'no position (hint: pass assume_order=True)'
    >>> e.render(cli=True)
    'no position (hint: pass --assume-order)'
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own pickling calls ``cls(*args)`` with the rendered line, which
        # subclasses with other signatures cannot take; rebuild from the attributes, so
        # every error crosses a process boundary intact (mstr_prompts.batch's workers).
        return (_rebuild_error, (type(self), self.args, self.__dict__))

    def prefix(self) -> str:
        """Where the problem is, as the line's prefix (empty if unknown)."""
        return ""

    def render(self, *, cli: bool = False) -> str:
        """The one-line message; ``cli=True`` spells hints for the command line."""
        prefix = self.prefix()
        text = f"{prefix}: {self.message}" if prefix else self.message
        hint = _cli_hint(self.hint) if cli else self.hint
        if hint:
            text = f"{text} (hint: {hint})"
        return _one_line(text)


class DecodeError(PromptAnswerError):
    """The input is malformed: the message says what is wrong, ``where`` says where.

    >>> str(DecodeError("unexpected element <foo>", where="xml: /rsl/pa[2]"))
    'xml: /rsl/pa[2]: unexpected element <foo>'
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        super().__init__(message, hint=hint)

    def prefix(self) -> str:
        """``where``."""
        return self.where or ""


class InputTooLarge(DecodeError):
    """The input is over the size limit (:data:`mstr_prompts.limits.MAX_SIZE` unless raised).

    Raised before anything is decoded; ``size`` and ``limit`` count ``unit`` (a
    character for text, a byte for bytes and files).

    >>> str(InputTooLarge(40, 32, unit="byte", where="xml"))
    'xml: input of 40 bytes is over the 32-byte limit (hint: raise the limit with max_size=...)'
    >>> InputTooLarge(40, 32, unit="byte").render(cli=True)
    'input of 40 bytes is over the 32-byte limit (hint: raise the limit with --max-size BYTES)'
    """

    def __init__(
        self, size: int | None, limit: int, *, unit: str = "character", where: str | None = None
    ) -> None:
        self.size = size  # None when reading stopped at the limit
        self.limit = limit
        self.unit = unit
        what = "the input" if size is None else f"input of {size} {unit}s"
        super().__init__(
            f"{what} is over the {limit}-{unit} limit",
            where=where,
            hint=Hint("raise the limit with {0}", Option("max_size", metavar="BYTES")),
        )


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
        super().__init__(message, hint=hint)

    def prefix(self) -> str:
        """``target: prompt``."""
        return ": ".join(p for p in (self.target, self.prompt) if p)


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
        # A server that does not list its prompts leaves nothing to name.
        super().__init__(f"{names}: {reason}" if names else reason, hint=hint)


class HintedWarning(UserWarning):
    """A warning with a hint: its text and, spelled for Python or the command line, what
    to do about it (each subclass sets ``HINT``)."""

    HINT: ClassVar[Hint]

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(self.render())

    def render(self, *, cli: bool = False) -> str:
        """The one-line warning; ``cli=True`` spells the hint for the command line."""
        hint = self.HINT.cli() if cli else str(self.HINT)
        return _one_line(f"{self.message} (hint: {hint})")


class LocaleWarning(HintedWarning):
    """A target format cannot say which locale the value texts were written in.

    Value texts (numbers, dates) are kept exactly; the locale that says how to read them
    is what the target cannot carry, so the server will read them in its session locale.
    Encoders warn rather than fail, because the values are usually locale-neutral and
    the conversion is the whole point; turn the warning into an error with
    ``warnings.simplefilter("error", LocaleWarning)``, or silence it per call with
    ``ignore_locale=True`` (``--ignore-locale`` on the command line).

    >>> w = LocaleWarning("url: locale 1031 is lost")
    >>> str(w)
    'url: locale 1031 is lost (hint: pass ignore_locale=True if the session uses that locale)'
    >>> w.render(cli=True)
    'url: locale 1031 is lost (hint: pass --ignore-locale if the session uses that locale)'
    """

    HINT = Hint("pass {0} if the session uses that locale", Option("ignore_locale"))


class ValueTypeWarning(HintedWarning):
    """A value answer's data type is unknown, so prompt-answer XML gets a guess.

    Library short answers and REST bodies write no data type (their servers know the
    prompt's); XML writes one in ``pt``, so a value of unknown type is written as a
    string (``pt="3"``).  Servers treat ``pt`` as advisory (docs/xml.md), but the guess
    is still a guess: bind the answers to their prompt definitions to write each type.

    >>> w = ValueTypeWarning("xml: the data type of 1 value answer is unknown")
    >>> w.render(cli=True)
    "xml: the data type of 1 value answer is unknown (hint: give each prompt's type with --definitions FILE (definitions with their dataType))"
    """

    HINT = Hint(
        "give each prompt's type with {0} (definitions with their dataType)",
        Option("definitions", metavar="FILE", api="mstr_prompts.definitions.bind"),
    )


class ModeWarning(HintedWarning):
    """A link's ``promptAnswerMode`` decides what the prompts it leaves out get, so the
    ``missing`` policy the caller gave is not used.

    >>> ModeWarning("the link's promptAnswerMode=1 decides").render(cli=True)
    "the link's promptAnswerMode=1 decides (hint: drop promptAnswerMode from the link to use --missing)"
    """

    HINT = Hint(
        "drop promptAnswerMode from the link to use {0}", Option("missing", flag="--missing")
    )


_PYDANTIC_WORDING = {
    "Out of range float values are not JSON compliant": (
        "holds a number out of range (such as 1e400) or NaN, which JSON cannot carry"
    ),
}
"""pydantic's phrasing of a refusal, where it would puzzle a user, and ours."""


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
        message = _PYDANTIC_WORDING.get(message, message)
        loc = ".".join(str(p) for p in error.get("loc", ())) if locations else ""
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)


# Written as said: "an XML body", "a URL" (you-are-el), "an ELEMENTS prompt".
_SAID_WITH_AN = frozenset({"xml", "html", "mdx"})
_SAID_WITH_A = ("url", "uri", "utf", "uni", "use", "usu", "one")


def with_article(word: str) -> str:
    """``word`` after its indefinite article, "a" or "an", as the word is said.

    Family names and format names go into messages ("is an ELEMENTS prompt", "an xml
    answer"); a fixed "a" read wrongly for half of them.

    >>> with_article("ELEMENTS"), with_article("VALUE"), with_article("xml"), with_article("url")
    ('an ELEMENTS', 'a VALUE', 'an xml', 'a url')
    """
    lower = word.lower()
    if lower in _SAID_WITH_AN:
        return f"an {word}"
    if lower[:1] in ("a", "e", "i", "o", "u") and not lower.startswith(_SAID_WITH_A):
        return f"an {word}"
    return f"a {word}"


def rounds_refusal(target: str, rounds: int) -> NotRepresentableError:
    """The error of a one-round format given answers in several prompting rounds.

    Rounds are never merged: a nested prompt answered in the first round would not be
    open yet, so the server would not find it.

    >>> str(rounds_refusal("rest", 2))
    'rest: the answers are in 2 prompting rounds and a rest body is one round (hint: convert each round on its own: AnswerSet.by_round())'
    """
    return NotRepresentableError(
        f"the answers are in {rounds} prompting rounds and {with_article(target)} body is "
        "one round",
        target=target,
        hint=Hint("convert each round on its own: AnswerSet.by_round()", cli=False),
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


def untyped_object_refusal(prompt: str, object_id: str, target: str) -> NotRepresentableError:
    """The error of a format that needs an object's type, given an object without one.

    REST answer bodies may leave an object's type out (mstrio-py's documentation does);
    prompt-answer XML, Web URL parameters and Library answers write it, and guessing one
    would send another object.

    >>> str(untyped_object_refusal("objects prompt K@0@10", "7FD5B69611D5AC76C000D98A4CC5F24F", "xml"))[:76]
    'xml: objects prompt K@0@10: object 7FD5B69611D5AC76C000D98A4CC5F24F has no t'
    """
    return NotRepresentableError(
        f"object {object_id} has no type, and {with_article(target)} answer must give each "
        "object's type",
        prompt=prompt,
        target=target,
        hint=Hint(
            "give each object its type, or bind the answers to the prompt definitions "
            "first ({0}), which supply the types of the objects they list",
            Option("definitions", metavar="FILE", api="mstr_prompts.definitions.bind"),
        ),
    )
