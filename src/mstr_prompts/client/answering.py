"""Answering an instance's prompts, round after round, never interactively.

One round (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts):
fetch the open prompts (``closed=false``, and filtered on the ``closed`` field too,
because the sources disagree on what the parameter does), choose the answers meant
for them, bind and check them against those live definitions, ``PUT`` them, and poll
the status.  While it stays 2 (prompted), the next round's prompts are open.

Answers come as one set covering every round (each answer goes to the round whose
open prompt it names) or as a list with one set per round.  A round with an open
prompt that nothing answers applies the ``missing`` policy, or raises
:class:`~mstr_prompts.client.errors.PromptsOutstanding`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import rest
from ..model import Answer, AnswerSet, PromptFamily, PromptRef
from .errors import ExecutionFailed, PromptsOutstanding, TransportError

if TYPE_CHECKING:
    from .instances import Instance

__all__ = ["MAX_ROUNDS", "OpenPrompt", "answer_rounds", "matches", "open_prompts"]

MAX_ROUNDS = 50
"""More nested rounds than this means the server keeps re-asking: stop instead of looping."""


@dataclass(frozen=True)
class OpenPrompt:
    """What a round needs to know of one open prompt: who it is and what it asks.

    >>> OpenPrompt(PromptRef(key="K@0@10", name="Year"), PromptFamily.VALUE).prompt.name
    'Year'
    """

    prompt: PromptRef
    family: PromptFamily | None
    required: bool = False


def open_prompts(body: Any, request: str) -> list[OpenPrompt]:
    """The open prompts in a ``GET …/prompts`` reply (items with ``closed: true`` left out).

    >>> [p.prompt.key for p in open_prompts([{"key": "A@0@10", "type": "VALUE"},
    ...     {"key": "B@0@10", "type": "VALUE", "closed": True}], "GET p")]
    ['A@0@10']
    """
    if isinstance(body, dict) and isinstance(body.get("prompts"), list):
        body = body["prompts"]
    if not isinstance(body, list):
        raise TransportError(request, server_message="the prompts reply is not a JSON array")
    out = []
    for item in body:
        if not isinstance(item, dict) or item.get("closed") is True:
            continue
        key, pid, name = item.get("key"), item.get("id"), item.get("name")
        family = rest.PROMPT_TYPES.get(str(item.get("type", "")).upper())
        out.append(
            OpenPrompt(
                PromptRef(
                    key=key if isinstance(key, str) and key else None,
                    id=pid if isinstance(pid, str) and pid else None,
                    name=name if isinstance(name, str) else None,
                ),
                family,
                item.get("required") is True,
            )
        )
    return out


def matches(answer_ref: PromptRef, prompt: PromptRef) -> bool:
    """Does an answer naming ``answer_ref`` answer ``prompt``?  Key, then id, then name.

    >>> matches(PromptRef(name="Year"), PromptRef(key="K@0@10", name="Year"))
    True
    >>> matches(PromptRef(key="X@0@10", name="Year"), PromptRef(key="K@0@10", name="Year"))
    False
    """
    if answer_ref.key is not None:
        return answer_ref.key == prompt.key
    if answer_ref.id is not None:
        return answer_ref.id == prompt.id
    if answer_ref.name is not None:
        return answer_ref.name == prompt.name
    return False


def _for_round(answers: AnswerSet, prompts: list[OpenPrompt]) -> list[Answer]:
    return [a for a in answers if any(matches(a.prompt, p.prompt) for p in prompts)]


def answer_rounds(
    instance: Instance,
    answers: AnswerSet | Sequence[AnswerSet] | None,
    *,
    validate: bool = True,
    missing: str | None = None,
) -> int:
    """Answer every round of ``instance``'s prompts; return the final status (1).

    ``answers`` is one set for all rounds, a list of sets (one per round), or None
    (then the status is checked first and only ``missing`` can answer).
    """
    by_round = None if answers is None or isinstance(answers, AnswerSet) else list(answers)
    everything = answers if isinstance(answers, AnswerSet) else None
    if answers is None:
        status = instance.status()
        if status != 2:
            return _final(instance, status)
    leftover_unbound = everything is not None and any(
        not a.prompt.is_identified for a in everything
    )
    for number in range(1, MAX_ROUNDS + 1):
        prompts = instance.open_prompts()
        if not prompts:
            return _final(instance, instance.status())
        if by_round is not None:
            given = by_round[number - 1] if number <= len(by_round) else AnswerSet()
            chosen = instance._prepare(given, prompts, validate=validate, missing=missing)
        else:
            pool = everything if everything is not None else AnswerSet()
            if leftover_unbound and number == 1:
                # Positional or attribute-only answers (Web links) bind to the first round.
                chosen_list = list(pool)
            else:
                chosen_list = _for_round(pool, prompts)
            chosen = instance._prepare(
                AnswerSet.of(tuple(chosen_list), pool.mode, pool.locale),
                prompts,
                validate=validate,
                missing=missing,
            )
        outstanding = [p for p in prompts if not any(matches(a.prompt, p.prompt) for a in chosen)]
        if outstanding:
            raise PromptsOutstanding(
                ((p.prompt.key, p.prompt.name) for p in outstanding), round=number
            )
        instance.put_answers(chosen)
        status = instance.status()
        if status != 2:
            return _final(instance, status)
    raise PromptsOutstanding(
        ((p.prompt.key, p.prompt.name) for p in instance.open_prompts()), round=MAX_ROUNDS + 1
    )


def _final(instance: Instance, status: int) -> int:
    if status in (1, 2):
        return status
    raise ExecutionFailed(
        f"{instance}", server_message=f"the instance ended with status {status} (execution error)"
    )
