"""The :class:`~mstr_prompts.validation.Problem` model, defined apart from the rules.

Defining a pydantic model class loads pydantic's model machinery (``pydantic.main`` and
its schema builders, tens of milliseconds), and a run whose answers pass every check
builds no problem: :mod:`mstr_prompts.validation` gives this class on first use of
``validation.Problem``, so that checking answers loads it only when there is a problem.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .model import PromptRef

__all__ = ["Problem"]


class Problem(BaseModel):
    """One thing the server would reject about the answers.

    ``key`` names the prompt (its key, or the identifier the answer gave when no prompt
    has it); ``code`` and ``message`` are what the server returns (``verbatim`` is False
    for the few causes the docs list without a sample text, whose wording is ours);
    ``explanation`` says the same for people; ``rule`` is a stable name for the check
    (a key of :data:`mstr_prompts.validation.MESSAGES`); ``index`` is the answer's place
    in the set.

    >>> from mstr_prompts.validation import MESSAGES, Problem
    >>> Problem(key="K@0@10", code="ERR006", rule="required", verbatim=True,
    ...         message=MESSAGES["required"], explanation="required").line()
    'K@0@10: ERR006: Prompt validation failed. This is a required prompt.'
    """

    # Built when the first problem is made, not when the class is defined: a run that
    # finds no problem never pays for it.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    key: str
    code: str
    rule: str
    message: str
    explanation: str
    verbatim: bool
    index: int | None = None
    prompt: PromptRef | None = None

    def line(self) -> str:
        """``KEY: CODE: message``, as the ``validate`` command prints it."""
        return f"{self.key}: {self.code}: {self.message}"
