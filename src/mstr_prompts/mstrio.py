"""A bridge to mstrio-py, MicroStrategy's Python SDK: answer sets to its ``Prompt`` objects and back.

mstrio-py (https://github.com/MicroStrategy/mstrio-py) answers prompts with answer-mode
``mstrio.modeling.prompt.Prompt(key=…, type=…, answers=…, use_default=…)`` objects,
which ``Report.to_dataframe(prompt_answers=…)`` and ``answer_prompts(…)`` (on reports,
documents and dashboards) send as REST answer bodies: each ``Prompt.to_dict()`` is one
item of ``{"prompts": [...]}``.  With this module its users answer prompts from
anything this library reads: captured prompt-answer XML, Web links, Library links.

* :func:`to_prompts` turns an :class:`~mstr_prompts.model.AnswerSet` into such
  ``Prompt`` objects, one per answer;
* :func:`from_prompts` reads ``Prompt`` objects back: the answer set is what the SDK
  sends for them (``rest.decode`` of their ``to_dict()``).

``to_prompts`` refuses, with :class:`~mstr_prompts.errors.NotRepresentableError`
naming the prompt, whatever the SDK would not send as given: everything a REST body
cannot carry (see docs/rest.md), an answer without the prompt's key (the answer-mode
``Prompt`` needs it, and ``answer_prompts`` matches answers by key alone), and an answer
that ``Prompt.to_dict()`` would change on the way (it rewrites snake_case keys inside an
answer object and drops an empty one).  So ``from_prompts(to_prompts(s)) == s`` for
every one-round set it accepts.

The SDK is an optional dependency (``pip install 'mstr-prompts[mstrio]'``), and nothing
else in this package imports this module.

>>> from mstr_prompts import xml
>>> answers = xml.decode('<rsl><pa pt="5" pin="0" did="9BC4631D436CAA78D7A70AB2D0635D88" '
...                      'tp="10">2015</pa></rsl>')
>>> [p.to_dict() for p in to_prompts(answers)]
[{'answers': '2015', 'key': '9BC4631D436CAA78D7A70AB2D0635D88@0@10', 'useDefault': False, 'type': 'VALUE'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import rest
from .definitions import Definitions
from .errors import DecodeError, Hint, NotRepresentableError, Option
from .model import Answer, AnswerSet, PromptFamily, PromptRef

try:
    from mstrio.modeling.prompt import Prompt, PromptType
    from mstrio.utils.helper import snake_to_camel
except ImportError as exc:  # pragma: no cover - the tests run with the SDK installed
    raise ImportError(
        "mstr_prompts.mstrio needs mstrio-py: pip install 'mstr-prompts[mstrio]'"
    ) from exc

__all__ = ["TARGET", "from_prompts", "to_prompts"]

TARGET = "mstrio"
"""How errors name this target."""

_KEY_HINT = Hint(
    "bind the answers to the prompt definitions first ({0}), which give every answer its key",
    Option("definitions", metavar="FILE", api="mstr_prompts.definitions.bind"),
)

# What to pass as ``answers`` for a closed prompt.  The answer-mode constructor needs
# answers or use_default; Prompt.to_dict() drops an empty list or object, so the item
# goes out without answers, which closes the prompt (docs/rest.md, "Inferred rules").
_EMPTY: dict[PromptFamily, Any] = {
    PromptFamily.VALUE: "",
    PromptFamily.ELEMENTS: [],
    PromptFamily.OBJECTS: [],
    PromptFamily.EXPRESSION: {},
    PromptFamily.LEVEL: {},
}


def _refuse(answer: Answer, message: str, hint: str | None = None) -> NotRepresentableError:
    return NotRepresentableError(message, prompt=answer.describe(), target=TARGET, hint=hint)


def _renamed_key(value: Any) -> str | None:
    """A key the SDK's ``to_dict()`` would rename inside ``value``, if any.

    ``Prompt.to_dict()`` passes the whole item through mstrio's ``snake_to_camel``,
    which renames keys in nested objects (not in objects inside arrays).
    """
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if next(iter(snake_to_camel({key: None}))) != key:
            return str(key)
        found = _renamed_key(item)
        if found is not None:
            return found
    return None


def _prompt(answer: Answer, item: Mapping[str, Any]) -> Prompt:
    key = item.get("key")
    if key is None:
        raise _refuse(
            answer,
            "mstrio-py's answer-mode Prompt needs the prompt's key (its answer_prompts "
            "matches answers by key alone)",
            hint=_KEY_HINT,
        )
    family = rest.PROMPT_TYPES[item["type"]]
    answers = item.get("answers")
    use_default = bool(item.get("useDefault"))
    if answers is None and not use_default:
        answers = _EMPTY[family]
    renamed = _renamed_key(answers)
    if renamed is not None:
        raise _refuse(
            answer,
            f"mstrio-py's Prompt.to_dict() renames the key {renamed!r} inside the answer "
            "(snake_case to camelCase), so the server would get another answer",
            hint="send this answer with mstr_prompts.client or as REST JSON",
        )
    prompt = Prompt(
        key=key,
        id=item.get("id"),
        name=item.get("name"),
        type=PromptType(item["type"]),
        answers=answers,
        use_default=use_default,
    )
    # The body the SDK will send must say what the answer says: Prompt.to_dict() drops
    # an empty answer object, which would close the prompt instead.
    sent = rest.decode({"prompts": [prompt.to_dict()]})[0]
    meant = rest.decode({"prompts": [dict(item)]})[0]
    if sent != meant:
        what = (
            "another answer"
            if sent.kind == meant.kind
            else f"{sent.kind.replace('_', ' ')} instead of this {meant.kind} answer"
        )
        raise _refuse(
            answer,
            f"mstrio-py's Prompt.to_dict() would send {what}",
            hint="send this answer with mstr_prompts.client or as REST JSON",
        )
    return prompt


def to_prompts(answers: AnswerSet, *, ignore_locale: bool = False) -> list[Prompt]:
    """mstrio-py ``Prompt`` objects (answer mode) that send these answers.

    Pass them to ``Report.to_dataframe(prompt_answers=…)`` or ``answer_prompts(…)``.
    Every answer needs its prompt's key: bind answers from a Web link to the prompt
    definitions first (:func:`mstr_prompts.definitions.bind`).  The prompting rounds of
    a Library link are flattened, in order: ``answer_prompts`` picks each round's
    answers from the one list by key (``to_dataframe`` sends them all at once, so it
    cannot answer nested prompts).  ``ignore_locale`` is as for :func:`rest.encode`.

    Raises :class:`~mstr_prompts.errors.NotRepresentableError` naming the prompt for
    what the SDK would not send as given (see the module's documentation).

    >>> from mstr_prompts import rest
    >>> s = rest.decode({"prompts": [{"key": "8891A8AF4A747A3EA8506DBB6189F252@0@10",
    ...     "type": "OBJECTS", "answers": [{"id": "7FD5B69611D5AC76C000D98A4CC5F24F",
    ...                                     "name": "Cost", "type": "metric"}]}]})
    >>> p = to_prompts(s)[0]
    >>> p.key, p.prompt_type.value, p.answers
    ('8891A8AF4A747A3EA8506DBB6189F252@0@10', 'OBJECTS', [{'id': '7FD5B69611D5AC76C000D98A4CC5F24F', 'type': 'metric', 'name': 'Cost'}])
    """
    prompts: list[Prompt] = []
    first: dict[str, tuple[Answer, Mapping[str, Any]]] = {}
    for part in answers.by_round():
        try:
            body = rest.encode(part, ignore_locale=ignore_locale)
        except NotRepresentableError as exc:
            raise NotRepresentableError(
                exc.message, prompt=exc.prompt, target=TARGET, hint=exc.hint
            ) from None
        for answer, item in zip(part, body["prompts"], strict=True):
            prompts.append(_prompt(answer, item))
            seen = first.setdefault(item["key"], (answer, item))
            if seen[1] != item:
                raise _refuse(
                    answer,
                    f"the answers give prompt key {item['key']} two different answers; "
                    "mstrio-py's answer_prompts matches answers by key alone and would "
                    "send the first one every time",
                )
    return prompts


def from_prompts(prompts: Iterable[Any], *, definitions: Definitions | None = None) -> AnswerSet:
    """The answers mstrio-py ``Prompt`` objects send: ``rest.decode`` of their ``to_dict()``.

    Takes answer-mode prompts (``Prompt(key=…, answers=…)``), the deprecated
    ``mstrio.project_objects.prompt.Prompt``, or prompts read from a server
    (``report.prompts``: their current answers).  Objects answered without a type keep
    it unknown (:class:`~mstr_prompts.model.ObjectRef`).

    mstrio-py's documentation often leaves the prompt's type out
    (``Prompt(key='prompt_key', answers=['value1'])``): ``answer_prompts`` takes it from
    the open prompt's definition, matched by key.  Pass the prompts' ``definitions``
    (:func:`mstr_prompts.definitions.decode` of ``GET …/prompts``) to do the same; without
    them such a prompt is refused, as a REST body without ``type`` is.  Malformed
    answers raise :class:`~mstr_prompts.errors.DecodeError` saying which prompt and where.

    >>> from mstrio.modeling.prompt import Prompt
    >>> s = from_prompts([Prompt(key="8891A8AF4A747A3EA8506DBB6189F252@0@10", type="OBJECTS",
    ...     answers=[{"name": "Cost", "id": "7FD5B69611D5AC76C000D98A4CC5F24F"}])])
    >>> s[0].objects[0].name, s[0].objects[0].type is None
    ('Cost', True)
    >>> from mstr_prompts import definitions
    >>> defs = definitions.decode([{"key": "prompt_key", "type": "VALUE"}])
    >>> from_prompts([Prompt(key="prompt_key", answers=["value1"])], definitions=defs)[0].value
    'value1'
    """
    items: list[Any] = []
    for index, prompt in enumerate(prompts):
        to_dict = getattr(prompt, "to_dict", None)
        if not callable(to_dict):
            raise DecodeError(
                f"expected a mstrio-py Prompt, not {type(prompt).__name__}",
                where=f"{TARGET}: prompts[{index}]",
            )
        item = to_dict()
        if isinstance(item, dict) and item.get("type") is None:
            item = _typed(item, definitions, index)
        items.append(item)
    try:
        return rest.decode({"prompts": items})
    except DecodeError as exc:
        where = exc.where or ""
        if where.startswith("rest"):
            where = TARGET + where[len("rest") :]
        raise DecodeError(exc.message, where=where, hint=exc.hint) from None


def _typed(item: dict[str, Any], definitions: Definitions | None, index: int) -> dict[str, Any]:
    """The item with the type of its prompt's definition, matched by key as the SDK does."""
    key = item.get("key")
    where = f"{TARGET}: prompts[{index}]" + (f" (key {key})" if isinstance(key, str) else "")
    if definitions is None:
        raise DecodeError(
            "the Prompt has no type; mstrio-py's answer_prompts takes it from the open "
            "prompt's definition",
            where=where,
            hint=Hint("pass the prompts' definitions (definitions=…)", cli=False),
        )
    found = definitions.find(PromptRef(key=key)) if isinstance(key, str) and key else None
    if found is None:
        raise DecodeError(
            "the Prompt has no type, and no prompt of the definitions has its key",
            where=where,
        )
    return {**item, "type": found.type}
