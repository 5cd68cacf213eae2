"""Every kind of REST answer body mstrio-py writes, made by calling the installed SDK.

mstrio-py (https://github.com/MicroStrategy/mstrio-py) sends prompt answers on two paths:

* ``Report.to_dataframe(prompt_answers=[...])`` PUTs ``{"prompts": [p.to_dict() ...]}``
  of the answer-mode ``Prompt`` objects it is given (``mstrio/project_objects/report.py``);
* ``answer_prompts(...)`` on reports, documents and dashboards runs
  ``mstrio.project_objects.helpers.answer_prompts_helper``: while the instance is
  prompted it reads the open prompts' definitions and PUTs one item per prompt built from
  the definition's ``key``/``id``/``name``/``type`` and the user's (or the default) answer.

Nothing here re-implements either: the first calls ``Prompt.to_dict()`` (only the REST
envelope ``{"prompts": [...]}`` is ours, as documented at
https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/answer-prompts),
and the second calls ``answer_prompts_helper`` itself with stand-in status, definition
and answer functions, recording every body it would PUT.  The arguments are those of
the SDK's documented examples where there is one (named in each kind's note).

The 19 kinds, one per way the SDK spells something:

 1. value-text             a string value
 2. value-integer          a JSON integer (workflows/import_report_data_into_dataframe.py)
 3. value-decimal          a JSON number with a fraction
 4. value-list             a one-item list of values (mstrio/utils/entity.py docstring)
 5. type-lower-case        ``type='value'`` (the answer-mode Prompt keeps what it is given)
 6. type-enum              ``type=PromptType.ELEMENTS``
 7. use-default            ``use_default=True`` (code_snippets/reports.py)
 8. elements               terse element IDs with names (workflows/create_prompted_subscription.py)
 9. objects                typed objects (the same workflow)
10. objects-untyped        objects without ``type`` (the ``Prompt`` class docstring)
11. expression             content and a view-filter tree (the same workflow)
12. level                  a level definition object (the REST docs' level sample)
13. close-left-out         ``answers=[]``: ``to_dict()`` leaves ``answers`` out
14. close-empty-value      ``answers=''``
15. deprecated-dataclass   ``mstrio.project_objects.prompt.Prompt`` (the workflow's import)
16. workflow               the five prompts of the workflow in one body: key, id and name
17. answer-prompts-null-id the helper copies ``id: null`` from a definition without one
18. answer-prompts-default the helper copies ``defaultAnswer`` into ``answers``
19. answer-prompts-rounds  two rounds of nested prompts, answers given without ``type``
"""

from __future__ import annotations

import builtins
import copy
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mstrio.modeling.prompt import Prompt, PromptType
from mstrio.project_objects.helpers import answer_prompts_helper

FIXTURES = Path(__file__).parent.parent / "fixtures"

COST = "7FD5B69611D5AC76C000D98A4CC5F24F"
CATEGORY = "8D679D3711D3E4981000E787EC6DE8A4"
REGION = "8D679D4B11D3E4981000E787EC6DE8A4"
YEAR = "8D679D5111D3E4981000E787EC6DE8A4"
K_OBJECTS = "8891A8AF4A747A3EA8506DBB6189F252@0@10"
K_VALUE = "CA6906D3499B6AEE259BFE9C308076D7@0@10"
K_ELEMENTS = "094AF11F4164B417491024AE00C2A122@0@10"
K_LEVEL = "753C65EB402C44D3A991F285D3CB7F6D@0@10"

Body = dict[str, Any]


def envelope(prompts: list[Any]) -> Body:
    """What ``Report.to_dataframe`` PUTs: the documented envelope around ``to_dict()``s."""
    return {"prompts": [p.to_dict() for p in prompts]}


class _Response:
    """Enough of ``requests.Response`` for ``mstrio.utils.helper.get_response_json``."""

    ok = True

    def __init__(self, data: Any) -> None:
        self._data = data

    def json(self) -> Any:
        return copy.deepcopy(self._data)


def answer_prompts(
    rounds: list[list[dict[str, Any]]],
    prompt_answers: list[Any] | None,
    *,
    force: bool = True,
    replies: tuple[str, ...] = (),
) -> list[Body]:
    """Every body ``answer_prompts_helper`` PUTs while ``rounds`` of prompts are open.

    ``rounds`` are the open prompts' definitions (``GET …/prompts?closed=false``) in
    each round; ``replies`` answer the SDK's ``input()`` questions when ``force`` is False.
    """
    statuses = iter([2] * len(rounds) + [1])
    opened = iter(rounds)
    sent: list[Body] = []
    asked = iter(replies)
    real_input = builtins.input

    def reply(question: object = "") -> str:
        return next(asked)

    def put(body: Body) -> None:
        sent.append(json.loads(json.dumps(body)))  # what requests would send

    builtins.input = reply
    try:
        answer_prompts_helper(
            instance_id="INSTANCE",
            prompt_answers=prompt_answers,
            get_status_func=lambda: _Response({"status": next(statuses)}),
            get_prompts_func=lambda: _Response(next(opened)),
            answer_prompts_func=lambda body: put(body),
            force=force,
        )
    finally:
        builtins.input = real_input
    return sent


def _definitions(name: str) -> list[dict[str, Any]]:
    loaded = json.loads((FIXTURES / "definitions" / name).read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, list) else [loaded]


def _level_answers() -> Any:
    text = (FIXTURES / "rest" / "level.jsonc").read_text(encoding="utf-8")
    plain = "\n".join(line.split("//")[0] for line in text.splitlines())
    return json.loads(plain)["prompts"][0]["answers"]


def _workflow_prompts(cls: Callable[..., Any]) -> list[Any]:
    """The ``prompts`` list of workflows/create_prompted_subscription.py, built with ``cls``."""
    expression = json.loads(
        (FIXTURES / "rest" / "mstrio-prompted-subscription.json").read_text(encoding="utf-8")
    )["prompts"][1]["answers"]
    return [
        cls(
            type="OBJECTS",
            answers=[{"name": "Cost", "id": COST, "type": "metric"}],
            key=K_OBJECTS,
            id="8891A8AF4A747A3EA8506DBB6189F252",
            name="Predefined list of objects",
            use_default=False,
        ),
        cls(
            type="EXPRESSION",
            answers=expression,
            key="742FE7A7486EE982FC006C98D4048A1B@0@10",
            id="742FE7A7486EE982FC006C98D4048A1B",
            name="Attributes of the Products hierarchy",
            use_default=False,
        ),
        cls(
            type="ELEMENTS",
            answers=[{"id": f"h11;{REGION}", "name": "Canada"}],
            key="0CF9922747C3C94DAA18F489C36532D2@0@10",
            id="0CF9922747C3C94DAA18F489C36532D2",
            name="Elements of Region",
            use_default=False,
        ),
        cls(
            type="ELEMENTS",
            answers=[
                {"id": f"h1;{CATEGORY}", "name": "Books"},
                {"id": f"h3;{CATEGORY}", "name": "Movies"},
            ],
            key=K_ELEMENTS,
            id="094AF11F4164B417491024AE00C2A122",
            name="Elements of Category",
            use_default=False,
        ),
        cls(
            type="ELEMENTS",
            answers=[{"id": "h12;8D679D4F11D3E4981000E787EC6DE8A4", "name": "Business"}],
            key="17E83147401F9CEDAA07CF826DE4CFB4@0@10",
            id="17E83147401F9CEDAA07CF826DE4CFB4",
            name="Elements of Subcategory filtered by Elements of Category",
            use_default=False,
        ),
    ]


def _deprecated_prompt() -> type[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the module warns that it is deprecated
        from mstrio.project_objects.prompt import Prompt as Deprecated
    return Deprecated  # type: ignore[no-any-return]


def _default_round() -> list[dict[str, Any]]:
    # An open optional object prompt with a default and no current answer.
    prompt = _definitions("objects-metric.json")[0]
    prompt.pop("answers")
    return [prompt]


def _nested_rounds() -> list[list[dict[str, Any]]]:
    second = _default_round()
    return [_definitions("elements-year-open.json"), second]


def kinds() -> Iterator[tuple[str, list[Body], list[Any] | None]]:
    """``(name, bodies, prompts)`` for each of the 19 kinds; ``prompts`` are the
    answer-mode ``Prompt`` objects of a ``to_dataframe`` body (None for the helper's)."""

    def one(name: str, *prompts: Any) -> tuple[str, list[Body], list[Any]]:
        return name, [envelope(list(prompts))], list(prompts)

    yield one("value-text", Prompt(type="VALUE", key=K_VALUE, answers="2015"))
    yield one("value-integer", Prompt(type="VALUE", key=K_VALUE, answers=100, use_default=False))
    yield one("value-decimal", Prompt(type="VALUE", key=K_VALUE, answers=1.50))
    yield one("value-list", Prompt(type="VALUE", key=K_VALUE, answers=["value1"]))
    yield one("type-lower-case", Prompt(type="value", key=K_VALUE, answers="2015"))
    yield one(
        "type-enum",
        Prompt(
            type=PromptType.ELEMENTS,
            key=K_ELEMENTS,
            answers=[{"id": f"h1;{CATEGORY}", "name": "Books"}],
        ),
    )
    yield one("use-default", Prompt(type="VALUE", key=K_VALUE, use_default=True))
    workflow = _workflow_prompts(Prompt)
    yield one("elements", workflow[2])
    yield one("objects", workflow[0])
    yield one(
        "objects-untyped",
        Prompt(key=K_OBJECTS, answers=[{"name": "Cost", "id": COST}], type="OBJECTS"),
    )
    yield one("expression", workflow[1])
    yield one("level", Prompt(type="LEVEL", key=K_LEVEL, answers=_level_answers()))
    yield one("close-left-out", Prompt(type="ELEMENTS", key=K_ELEMENTS, answers=[]))
    yield one("close-empty-value", Prompt(type="VALUE", key=K_VALUE, answers=""))
    yield one("deprecated-dataclass", *_workflow_prompts(_deprecated_prompt())[:1])
    yield one("workflow", *workflow)
    number = _definitions("value-number.json")
    yield (
        "answer-prompts-null-id",
        answer_prompts([number], [Prompt(key=number[0]["key"], answers=12)]),
        None,
    )
    yield (
        "answer-prompts-default",
        answer_prompts([_default_round()], [], force=False, replies=("Y",)),
        None,
    )
    rounds = _nested_rounds()
    yield (
        "answer-prompts-rounds",
        answer_prompts(
            rounds,
            [
                Prompt(key=rounds[0][0]["key"], answers=[{"id": f"h2014;{YEAR}", "name": "2014"}]),
                Prompt(
                    key=rounds[1][0]["key"],
                    answers=[{"id": "D823D64B48A0104B01135587BA87A2BD", "name": "Cost Growth"}],
                ),
            ],
        ),
        None,
    )
