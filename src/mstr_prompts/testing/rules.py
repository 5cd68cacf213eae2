"""How the reference server judges a round of answers: the first problem, as the server says it.

The server finds each answer's prompt among the open ones (key, then id, then name),
checks that the types agree, that element names exist in the prompt's element list,
and then applies the same validation table as :mod:`mstr_prompts.definitions`.
"""

from __future__ import annotations

from typing import Any

from .. import rest
from ..model import AnswerSet, ElementAnswer

__all__ = ["server_problem"]


def _find(prompts: list[dict[str, Any]], ref: Any) -> tuple[dict[str, Any] | None, str, str]:
    for field_name in ("key", "id", "name"):
        wanted = getattr(ref, field_name)
        if wanted is not None:
            found = next((p for p in prompts if p.get(field_name) == wanted), None)
            return found, field_name, wanted
    return None, "key", ""


def server_problem(
    answers: AnswerSet,
    prompts: list[dict[str, Any]],
    elements: dict[str, list[dict[str, str]]],
) -> tuple[str, str] | None:
    """``(code, message)`` of the first problem the server meets, or None.

    >>> from mstr_prompts import rest
    >>> server_problem(rest.decode({"prompts": [{"key": "X@0@10", "type": "VALUE",
    ...     "answers": "1"}]}), [], {})
    ('ERR006', 'Failed to locate the prompt by either key: X@0@10, please verify this information is correct.')
    """
    for answer in answers:
        definition, by, wanted = _find(prompts, answer.prompt)
        if definition is None:
            return (
                "ERR006",
                f"Failed to locate the prompt by either {by}: {wanted}, please verify this "
                "information is correct.",
            )
        actual = str(definition.get("type", "")).upper()
        family = getattr(answer, "family", None)
        if family is not None and rest.PROMPT_TYPES.get(actual) is not family:
            supplied = family.value.upper()
            return (
                "ERR006",
                f"The supplied prompt type {supplied} for prompt {definition.get('key')} does not "
                f"match, this prompt is of type {actual} please verify this information.",
            )
        if isinstance(answer, ElementAnswer):
            listed = elements.get(str(definition.get("key")))
            if listed is not None:
                names = {e.get("name") for e in listed}
                ids = {e.get("id") for e in listed}
                for element in answer.elements:
                    if element.id is None and element.name not in names:
                        return (
                            "ERR006",
                            f"Unable to find elements that match {element.name} for prompt name: "
                            f"{definition.get('name')} key: {definition.get('key')}.",
                        )
                    if (
                        element.id is not None
                        and element.id.to_terse(include_display=False) not in ids
                    ):
                        return (
                            "ERR006",
                            f"Unable to find elements that match {element.id.to_terse(include_display=False)} "
                            f"for prompt name: {definition.get('name')} key: {definition.get('key')}.",
                        )
    return None
