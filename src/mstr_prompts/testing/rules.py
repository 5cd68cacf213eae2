"""How the reference server judges a round of answers: its first problem, in its words.

The checks and message templates are :mod:`mstr_prompts.validation`'s, the same table
the client validates with; the server adds the checks only it can make: that each
element (by name or by ID) is in the prompt's element list, and each object in the
prompt's object list.
"""

from __future__ import annotations

from typing import Any

from .. import definitions
from ..model import AnswerSet, ElementAnswer, ObjectAnswer
from ..validation import ERR006, Problem, render, validate

__all__ = ["server_problem"]

_FIRST = frozenset({"key_not_found", "id_not_found", "name_not_found", "type_mismatch"})


def _missing_element(
    answer: ElementAnswer, definition: definitions.PromptDefinition, listed: list[dict[str, str]]
) -> str | None:
    names = {e.get("name") for e in listed}
    ids = {e.get("id") for e in listed}
    for element in answer.elements:
        if element.id is None:
            if element.name not in names:
                return render(
                    "element_not_found",
                    value=element.name,
                    name=definition.name or "",
                    key=definition.key,
                )
        else:
            terse = element.id.to_terse(include_display=False)
            if terse not in ids:
                return render(
                    "element_not_found", value=terse, name=definition.name or "", key=definition.key
                )
    return None


def _missing_object(
    answer: ObjectAnswer, definition: definitions.PromptDefinition, listed: list[dict[str, Any]]
) -> str | None:
    ids = {o.get("id") for o in listed}
    for obj in answer.objects:
        if obj.id not in ids:
            return (
                f"Unable to find objects that match {obj.id} for prompt name: "
                f"{definition.name or ''} key: {definition.key}."
            )
    return None


def server_problem(
    answers: AnswerSet,
    prompts: list[dict[str, Any]],
    elements: dict[str, list[dict[str, str]]],
    objects: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[str, str] | None:
    """``(code, message)`` of the first problem the server meets, or None.

    Answer by answer: is the prompt there and of that type, are its elements in the
    prompt's list, then the type's own checks.

    >>> from mstr_prompts import rest
    >>> server_problem(rest.decode({"prompts": [{"key": "X@0@10", "type": "VALUE",
    ...     "answers": "1"}]}), [], {})
    ('ERR006', 'Failed to locate the prompt by either key: X@0@10, please verify this information is correct.')
    """
    defs = definitions.decode(prompts)
    problems: list[Problem] = list(validate(answers, defs))
    for index, answer in enumerate(answers):
        mine = [p for p in problems if p.index == index]
        if mine and mine[0].rule in _FIRST:
            return mine[0].code, mine[0].message
        definition = defs.find(answer.prompt)
        if isinstance(answer, ElementAnswer) and definition is not None and definition.key:
            listed = elements.get(definition.key)
            message = _missing_element(answer, definition, listed) if listed is not None else None
            if message is not None:
                return ERR006, message
        if isinstance(answer, ObjectAnswer) and definition is not None and definition.key:
            listed_objects = (objects or {}).get(definition.key)
            if listed_objects is not None:
                message = _missing_object(answer, definition, listed_objects)
                if message is not None:
                    return ERR006, message
        if mine:
            return mine[0].code, mine[0].message
    return None
