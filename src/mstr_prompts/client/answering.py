"""Answering an instance's prompts, round after round, never interactively.

One round (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts):
fetch the open prompts (``closed=false``, and filtered on the ``closed`` field too,
because the sources disagree on what the parameter does), choose the answers meant
for them, bind them to those live definitions and check them
(:mod:`mstr_prompts.definitions`), ``PUT`` them, and poll the status.  While it stays
2 (prompted), the next round's prompts are open.

Answers come as one set covering every round (each answer goes to the round whose open
prompt it names; positional and attribute-only answers, as Web links carry them, bind
to the first round) or as a list with one set per round.  An open prompt that nothing
answers gets what the ``missing`` policy of :func:`~mstr_prompts.definitions.complete`
gives it, or stops the run with :class:`~mstr_prompts.errors.PromptsOutstanding`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..definitions import Definitions, Missing, bind, check, complete
from ..errors import Hint, Option, PromptsOutstanding
from ..model import Answer, AnswerSet, PromptRef
from .errors import ExecutionFailed, ServerError, UnusedAnswers, unsupported

if TYPE_CHECKING:
    from .instances import Instance

__all__ = [
    "MAX_ROUNDS",
    "Answers",
    "answer_rounds",
    "answer_unlisted",
    "given",
    "listed_prompts",
    "open_only",
    "prepare_round",
]

_log = logging.getLogger("mstr_prompts.client")

MAX_ROUNDS = 50
"""More nested rounds than this means the server keeps re-asking: stop instead of looping."""

Answers = AnswerSet | Sequence[AnswerSet] | None
"""One set for every round, a list of sets (one per round), or nothing."""


def given(answers: Answers) -> list[Answer]:
    """Every answer of ``answers`` (one set, or one set per round), in order.

    >>> given(None), len(given(AnswerSet()))
    ([], 0)
    """
    if answers is None:
        return []
    if isinstance(answers, AnswerSet):
        return list(answers)
    return [a for round_ in answers for a in round_]


def open_only(definitions: Definitions) -> Definitions:
    """The prompts not marked ``closed: true`` (a missing ``closed`` means open).

    >>> from mstr_prompts import definitions
    >>> defs = definitions.decode('[{"key": "A@0@10", "type": "VALUE"},'
    ...     ' {"key": "B@0@10", "type": "VALUE", "closed": true}]')
    >>> [d.key for d in open_only(defs)]
    ['A@0@10']
    """
    return Definitions(d for d in definitions if d.closed is not True)


def prepare_round(
    answers: AnswerSet,
    prompts: Definitions,
    *,
    round_number: int,
    validate: bool = True,
    missing: Missing | None = None,
) -> AnswerSet:
    """The answers to send for one round: bound, completed by ``missing``, checked.

    Raises :class:`~mstr_prompts.errors.PromptsOutstanding` when an open prompt is left
    without an answer and no ``missing`` policy gives it one, and
    :class:`~mstr_prompts.errors.AnswersRejected` (with the server's own messages) when
    ``validate`` finds a problem.

    >>> from mstr_prompts import definitions, rest
    >>> defs = definitions.decode('[{"key": "K@0@10", "name": "Year", "type": "VALUE"}]')
    >>> ready = prepare_round(rest.decode('{"prompts": [{"name": "Year", "type": "VALUE",'
    ...     ' "answers": "2015"}]}'), defs, round_number=1)
    >>> ready[0].prompt
    PromptRef(key='K@0@10', id=None, name=None, position=None)
    """
    if missing is not None:
        ready = complete(answers, prompts, missing)
    else:
        ready = bind(answers, prompts)
        answered = {id(prompts.find(a.prompt)) for a in ready}
        outstanding = [d.prompt for d in prompts if id(d) not in answered]
        if outstanding:
            raise PromptsOutstanding(
                outstanding,
                f"open in round {round_number} and not answered",
                hint=Hint(
                    "answer it, or choose what happens to prompts left out: {0} or {1}",
                    Option("missing", "default"),
                    Option("missing", "close"),
                ),
            )
    if validate:
        check(ready, prompts)
    return _by_key(ready)


def _by_key(answers: AnswerSet) -> AnswerSet:
    """Name each bound prompt by its key alone: the server looks the key up first, so an
    id or name beside it is redundant (the seed 003 body sends the key only)."""
    out = []
    for answer in answers:
        ref = answer.prompt
        if ref.key is not None and (ref.id is not None or ref.name is not None or ref.position):
            answer = answer.model_copy(update={"prompt": PromptRef(key=ref.key)})
        out.append(answer)
    return AnswerSet.of(tuple(out), answers.mode, answers.locale)


def _names_an_open_prompt(answer: Answer, prompts: Definitions) -> bool:
    return prompts.find(answer.prompt) is not None


def answer_rounds(
    instance: Instance,
    answers: Answers,
    *,
    validate: bool = True,
    missing: Missing | None = None,
) -> int:
    """Answer every round of ``instance``'s prompts; return the final status (1).

    With ``answers=None`` the status is checked first, and only ``missing`` can answer
    a prompted instance.  Answers that no round's prompts took raise
    :class:`~mstr_prompts.client.errors.UnusedAnswers`: nothing is dropped silently.
    """
    rounds = None if answers is None or isinstance(answers, AnswerSet) else list(answers)
    pool: list[Answer] = list(answers) if isinstance(answers, AnswerSet) else []
    mode = answers.mode if isinstance(answers, AnswerSet) else None
    locale = answers.locale if isinstance(answers, AnswerSet) else None
    if answers is None:
        status = instance.status()
        if status != 2:
            return _final(instance, status)
    for number in range(1, MAX_ROUNDS + 1):
        prompts = listed_prompts(instance)
        if prompts is None:
            remaining = (
                rounds[number - 1 :]
                if rounds is not None
                else [AnswerSet.of(tuple(pool), mode if number == 1 else None, locale)]
            )
            return answer_unlisted(instance, [r for r in remaining if len(r)])
        if not prompts:
            status = instance.status()
            break
        if rounds is not None:
            given = rounds[number - 1] if number <= len(rounds) else AnswerSet()
        else:
            if number == 1:
                # Positional and attribute-only answers (Web links) bind to the first round.
                mine = [
                    a
                    for a in pool
                    if not a.prompt.is_identified or _names_an_open_prompt(a, prompts)
                ]
            else:
                mine = [a for a in pool if _names_an_open_prompt(a, prompts)]
            pool = [a for a in pool if not any(a is m for m in mine)]
            # A URL's answer mode applies to the round it arrives with.
            given = AnswerSet.of(tuple(mine), mode if number == 1 else None, locale)
        ready = prepare_round(
            given, prompts, round_number=number, validate=validate, missing=missing
        )
        instance.put_answers(ready)
        status = instance.status()
        if status != 2:
            break
    else:
        raise PromptsOutstanding(
            [d.prompt for d in instance.open_prompts()],
            f"still open after {MAX_ROUNDS} rounds of answers",
        )
    status = _final(instance, status)
    unused = pool if rounds is None else [a for r in rounds[number:] for a in r]
    if unused:
        raise UnusedAnswers(unused)
    return status


def lists_no_prompts(instance: Instance) -> bool:
    """True once the server answered 404, 405 or 501 to this kind's ``GET …/prompts``."""
    return f"{instance.kind} prompts" in instance.conn.lacking


def listed_prompts(instance: Instance) -> Definitions | None:
    """The open prompts, or None when the server does not list them.

    The datamart and report workflows answer prompts without listing them first (the
    listing is a separate, optional workflow), so a server may not have
    ``GET …/prompts``: a 404, 405 or 501 there means the answers go as they were given.
    """
    if lists_no_prompts(instance):
        return None
    try:
        return instance.open_prompts()
    except ServerError as exc:
        if not unsupported(exc):
            raise
    _log.info("%s: the server lists no prompts; sending the answers as given", instance)
    return None


def answer_unlisted(instance: Instance, rounds: Sequence[AnswerSet]) -> int:
    """Answer a server that lists no prompts: each round's answers as given, while prompted.

    Nothing can be bound or checked without the definitions (the server checks them);
    ``missing`` cannot choose answers for prompts nobody can see, so a round that stays
    prompted once every answer is sent raises
    :class:`~mstr_prompts.errors.PromptsOutstanding`.
    """
    status = instance.status()
    if not instance.status_known:
        # Neither a status nor a listing (the SQL workflow on a server that has only the
        # documented requests): send the rounds as seed 000 does, and let the SQL view
        # judge; a round the server did not ask for is its refusal to make.
        for answers in rounds:
            instance.put_answers(answers)
        return 1
    sent = 0
    while status == 2 and sent < len(rounds):
        instance.put_answers(rounds[sent])
        # The listing failed, not the instance: remember it once the answers went through.
        instance.conn.lacking.add(f"{instance.kind} prompts")
        sent += 1
        status = instance.status()
    if status == 2:
        raise PromptsOutstanding(
            [],
            f"{instance} still asks for answers after {sent} round(s), and the server does "
            "not list its prompts (GET …/prompts answered 404, 405 or 501)",
            hint="give the answers of every round, as a list with one set per round",
        )
    status = _final(instance, status)
    unused = [a for r in rounds[sent:] for a in r]
    if unused:
        raise UnusedAnswers(unused)
    return status


def _final(instance: Instance, status: int) -> int:
    if status in (1, 2):
        return status
    raise ExecutionFailed(
        f"{instance}", server_message=f"the instance ended with status {status} (execution error)"
    )
