"""How the reference server reads an answer body: leniently, as a server does, and in its words.

MicroStrategy's server matches each item of ``{"prompts": [...]}`` to one of the
instance's prompts and takes what it needs from the prompt's definition, so clients
write less than the canonical form: mstrio-py (the official Python SDK) sends object
answers without ``type``, numbers as JSON numbers, lower-case ``type``, ``id`` or
``name`` as null, and leaves ``answers`` out.  This module fills those gaps from the
definitions and the prompt's object list (an object outside the list is refused) and
then reads the body with :func:`mstr_prompts.rest.decode`.

Whatever is refused is refused with a server's message (400 ERR006), never the
decoder's words: the answer body format is
https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts
and the messages follow
https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-execution-errors
"""

from __future__ import annotations

from typing import Any

from .. import rest
from ..errors import PromptAnswerError
from ..model import AnswerSet
from .wire import Refusal

__all__ = ["read_answers"]

_MAX_ITEMS = 1000


def read_answers(
    body: Any, prompts: list[dict[str, Any]], objects: dict[str, list[dict[str, Any]]]
) -> AnswerSet:
    """The answers of a ``PUT …/prompts/answers`` body, judged as the server reads them.

    ``prompts`` are the definitions of the prompts the instance holds (open ones
    first); ``objects`` the object lists by prompt key.  Raises :class:`Refusal`.

    >>> defs = [{"key": "K@0@10", "id": "K", "name": "Year", "type": "VALUE"}]
    >>> read_answers({"prompts": [{"key": "K@0@10", "answers": 2015}]}, defs, {})[0].value
    '2015'
    >>> read_answers({"prompts": [{"key": "X@0@10", "answers": "1"}]}, defs, {})
    Traceback (most recent call last):
    ...
    mstr_prompts.testing.wire.Refusal: Failed to locate the prompt by either key: X@0@10, please verify this information is correct.
    """
    if not isinstance(body, dict) or not isinstance(body.get("prompts"), list):
        raise Refusal(400, "ERR006", "The request body must be an object with a 'prompts' list.")
    items = body["prompts"]
    if len(items) > _MAX_ITEMS:
        raise Refusal(400, "ERR006", f"Too many prompt answers: at most {_MAX_ITEMS}.")
    fixed = [_normalised(item, prompts, objects) for item in items]
    try:
        return rest.decode({**body, "prompts": fixed})
    except PromptAnswerError:
        pass
    # Name the first item the decoder cannot read, in the server's words.
    for item in fixed:
        try:
            rest.decode({"prompts": [item]})
        except PromptAnswerError:
            raise Refusal(400, "ERR006", _incorrect(item, prompts)) from None
    raise Refusal(400, "ERR006", "The prompt answers are not valid.")


def _incorrect(item: dict[str, Any], prompts: list[dict[str, Any]]) -> str:
    """The documented message, naming the prompt as its definition does (an answer
    item found by key usually carries no name of its own).

    >>> _incorrect({"key": "K@0@10", "answers": True}, [{"key": "K@0@10", "name": "Year"}])
    'Incorrect prompt answer format for prompt name: Year key: K@0@10, please verify this information is correct.'
    """
    definition = _find(item, prompts) or item
    name = definition.get("name") or ""
    key = definition.get("key") or item.get("id") or item.get("name") or ""
    return (
        f"Incorrect prompt answer format for prompt name: {name} key: {key}, "
        "please verify this information is correct."
    )


def _find(item: dict[str, Any], prompts: list[dict[str, Any]]) -> dict[str, Any] | None:
    for field in ("key", "id", "name"):
        value = item.get(field)
        if isinstance(value, str) and value:
            found = next((p for p in prompts if p.get(field) == value), None)
            if found is not None or field == "key":
                return found
    return None


def _not_found(item: dict[str, Any]) -> Refusal:
    for field in ("key", "id", "name"):
        value = item.get(field)
        if isinstance(value, str) and value:
            return Refusal(
                400,
                "ERR006",
                f"Failed to locate the prompt by either {field}: {value}, "
                "please verify this information is correct.",
            )
    return Refusal(400, "ERR006", "Each prompt answer needs a key, id or name.")


def _normalised(
    item: Any, prompts: list[dict[str, Any]], objects: dict[str, list[dict[str, Any]]]
) -> Any:
    """One item with what the server takes from the definition filled in."""
    if not isinstance(item, dict):
        raise Refusal(400, "ERR006", "Each prompt answer must be a JSON object.")
    out = {k: v for k, v in item.items() if not (k in ("id", "name", "key") and v is None)}
    definition = _find(out, prompts)
    if definition is None:
        raise _not_found(out)
    kind = out.get("type")
    if kind is None or (isinstance(kind, str) and kind.upper() == definition.get("type")):
        out["type"] = definition.get("type")
    elif isinstance(kind, str) and kind.upper() != definition.get("type"):
        raise Refusal(
            400,
            "ERR006",
            f"The supplied prompt type {kind} for prompt {definition.get('key')} does not "
            f"match, this prompt is of type {definition.get('type')} please verify this "
            "information.",
        )
    out.setdefault("key", definition.get("key"))
    answers = out.get("answers")
    if "answers" not in out and not out.get("useDefault"):
        out["answers"] = []  # left out: the prompt is closed without an answer
    elif (
        out["type"] == "VALUE"
        and isinstance(answers, (int, float))
        and not isinstance(answers, bool)
    ):
        out["answers"] = repr(answers) if isinstance(answers, float) else str(answers)
    elif out["type"] == "OBJECTS" and isinstance(answers, list):
        out["answers"] = [
            _typed_object(_no_nulls(a), definition, objects.get(str(definition.get("key")), []))
            for a in answers
        ]
    elif isinstance(answers, list):
        out["answers"] = [_no_nulls(a) for a in answers]
    return out


def _no_nulls(answer: Any) -> Any:
    """An answer object without its null fields (``{"id": …, "name": null}``)."""
    if isinstance(answer, dict):
        return {k: v for k, v in answer.items() if v is not None}
    return answer


def _typed_object(answer: Any, definition: dict[str, Any], listed: list[dict[str, Any]]) -> Any:
    """An object answer with its ``type`` taken from the prompt's object list."""
    if not isinstance(answer, dict) or answer.get("type") is not None:
        return answer
    found = next((o for o in listed if o.get("id") == answer.get("id")), None)
    if found is None:
        raise Refusal(
            400,
            "ERR006",
            f"Unable to find objects that match {answer.get('id')} for prompt name: "
            f"{definition.get('name') or ''} key: {definition.get('key')}.",
        )
    return {**{k: v for k, v in answer.items() if v is not None}, "type": found.get("type")}
