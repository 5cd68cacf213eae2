"""What the reference server serves: reports, documents and dashboards with prompts.

A :class:`Served` object holds its prompts as REST definitions (the items of
``GET …/prompts``), one list per nested round, plus what its instances return: the
element and object lists of its prompts, data rows, and the table its SQL reads.

:func:`demo_catalog` loads the objects of the public samples the tests replay:

* seed 000, "Execute report" (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/manage-reports/manage-report-objects/execute-report):
  report ``9B9ADA7F464E63CE0D0B709B03BD9370`` with the element prompt "Elements of
  Country" on attribute ``8D679D3811D3E4981000E787EC6DE8A4``;
* seed 003, "Object prompts" (https://microstrategy.github.io/rest-api-docs/common-workflows/analytics/use-prompts-objects/prompt-types/object-prompts):
  a report with the two object prompts answered in the sample;
* seed 001, "Execute a datamart" (https://microstrategy.github.io/rest-api-docs/common-workflows/modeling/manage-datamart-objects/execute-a-datamart):
  datamart ``85000B907B4EAD3B0D9522A9CFD10DBC`` with the same "Elements of Country"
  prompt, and a datamart without prompts;
* a report with three nested rounds, a document and a dashboard.

The prompt IDs of seed 000's prompt and the element keys are invented (the sample
answers by name and shows no IDs); everything else is as published.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COUNTRY_ATTRIBUTE",
    "NESTED_REPORT",
    "OBJECT_PROMPT_REPORT",
    "PROJECT_ID",
    "SEED_000_REPORT",
    "SEED_001_DATAMART",
    "UNPROMPTED_DATAMART",
    "Served",
    "demo_catalog",
]

PROJECT_ID = "B19DEDCC11D4E0EFC000EB9495D0F44F"
"""The project of seed 000."""

SEED_000_REPORT = "9B9ADA7F464E63CE0D0B709B03BD9370"
SEED_001_DATAMART = "85000B907B4EAD3B0D9522A9CFD10DBC"
UNPROMPTED_DATAMART = "3A4B5C6D7E8F40519A2B3C4D5E6F7081"
OBJECT_PROMPT_REPORT = "6E3D5F1B4A8C4E2F9D7B1C0A3E5F7D9B"
NESTED_REPORT = "1A2B3C4D5E6F40718293A4B5C6D7E8F9"
UNPROMPTED_REPORT = "0F1E2D3C4B5A49687786958473625140"
PROMPTXML_REPORT = "5C21F4D24F0312951BBE4A9DD2E6FF91"
LINK_REPORT = "EB3CD5D14F4C8C77782AC0882C986B8D"
DEMO_DOCUMENT = "AB12CD34EF5647589ABCDEF012345678"
DEMO_DOSSIER = "CD34EF56AB7849609BCDEF0123456789"

COUNTRY_ATTRIBUTE = "8D679D3811D3E4981000E787EC6DE8A4"
YEAR_ATTRIBUTE = "8D679D5111D3E4981000E787EC6DE8A4"


@dataclass
class Served:
    """One object the server can run: its prompts per round and what it returns.

    ``rounds`` holds the prompt definitions of each round in REST form; the prompts of
    round *n + 1* open once every prompt of round *n* is answered.  ``elements`` and
    ``objects`` map a prompt key to what ``…/prompts/{key}/elements`` and ``/objects``
    list.  ``rows`` are the data rows (attribute element name, metric value).

    >>> Served("R1", "Sales").kind
    'report'
    """

    id: str
    name: str
    rounds: list[list[dict[str, Any]]] = field(default_factory=list)
    kind: str = "report"
    elements: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rows: list[tuple[str, float]] = field(default_factory=list)
    table: str = "LU_SALES"

    def prompts(self, round_index: int) -> list[dict[str, Any]]:
        """A deep copy of one round's definitions."""
        return copy.deepcopy(self.rounds[round_index]) if round_index < len(self.rounds) else []


def _country_elements() -> list[dict[str, str]]:
    names = ["USA", "England", "France", "Germany", "Canada", "Spain", "Italy", "Japan"]
    return [
        {"id": f"h{i};{COUNTRY_ATTRIBUTE}", "name": name} for i, name in enumerate(names, start=1)
    ]


def _rows(count: int) -> list[tuple[str, float]]:
    return [(f"Row {i:03d}", round(1000.0 + i * 12.5, 2)) for i in range(1, count + 1)]


def demo_catalog() -> dict[str, Served]:
    """The objects of the public samples, fresh copies each call, by object ID.

    >>> sorted(s.kind for s in demo_catalog().values())
    ['datamart', 'datamart', 'document', 'dossier', 'report', 'report', 'report', 'report', 'report', 'report']
    """
    country_key = "3F8A2C6B4D1E4F5A8B9C0D1E2F3A4B5C@0@10"
    seed_000 = Served(
        SEED_000_REPORT,
        "Revenue by Country",
        rounds=[
            [
                {
                    "id": country_key.split("@")[0],
                    "key": country_key,
                    "name": "Elements of Country",
                    "title": "Country",
                    "type": "ELEMENTS",
                    "required": True,
                    "closed": False,
                    "source": {"id": COUNTRY_ATTRIBUTE, "name": "Country", "type": 12},
                    "min": 1,
                    "max": 5,
                    "defaultAnswer": [],
                }
            ]
        ],
        elements={country_key: _country_elements()},
        rows=_rows(57),
        table="LU_COUNTRY",
    )
    # Seed 003: the two object prompts of the multi-prompt answer sample; their
    # definitions take the sample definition's shape ("Predefined list of objects").
    objects_report = Served(
        OBJECT_PROMPT_REPORT,
        "Object prompt report",
        rounds=[
            [
                {
                    "id": "753C65EB402C44D3A991F285D3CB7F6D",
                    "key": "753C65EB402C44D3A991F285D3CB7F6D@0@10",
                    "name": "Attributes",
                    "title": "Objects",
                    "type": "OBJECTS",
                    "required": True,
                    "max": 3,
                    "min": 1,
                },
                {
                    "id": "07736087478D24656A2A65820F968661",
                    "key": "07736087478D24656A2A65820F968661@0@10",
                    "name": "Metrics",
                    "title": "Objects",
                    "type": "OBJECTS",
                    "required": True,
                    "max": 2,
                    "min": 1,
                    "defaultAnswer": [
                        {
                            "name": "Cost Growth",
                            "id": "D823D64B48A0104B01135587BA87A2BD",
                            "type": "metric",
                        }
                    ],
                },
            ]
        ],
        objects={
            "753C65EB402C44D3A991F285D3CB7F6D@0@10": [
                {"id": "8D679D5111D3E4981000E787EC6DE8A4", "name": "Year", "type": "attribute"},
                {"id": "8D679D4A11D3E4981000E787EC6DE8A4", "name": "Quarter", "type": "attribute"},
            ],
            "07736087478D24656A2A65820F968661@0@10": [
                {"id": "7FD5B69611D5AC76C000D98A4CC5F24F", "name": "Revenue", "type": "metric"},
                {"id": "4C051DB611D3E877C000B3B2D86C964F", "name": "Profit", "type": "metric"},
            ],
        },
        rows=_rows(5),
    )
    nested = Served(
        NESTED_REPORT,
        "Nested prompts",
        rounds=[
            [
                {
                    "id": "A1000000000000000000000000000001",
                    "key": "A1000000000000000000000000000001@0@10",
                    "name": "Year",
                    "type": "VALUE",
                    "dataType": "NUMERIC",
                    "required": True,
                    "min": 2000,
                    "max": 2030,
                }
            ],
            [
                {
                    "id": "A1000000000000000000000000000002",
                    "key": "A1000000000000000000000000000002@0@10",
                    "name": "Elements of Year",
                    "type": "ELEMENTS",
                    "required": True,
                    "source": {"id": YEAR_ATTRIBUTE, "name": "Year", "type": 12},
                    "min": 1,
                    "max": 2,
                }
            ],
            [
                {
                    "id": "A1000000000000000000000000000003",
                    "key": "A1000000000000000000000000000003@0@10",
                    "name": "Customer name",
                    "type": "VALUE",
                    "dataType": "TEXT",
                    "required": False,
                    "min": 1,
                    "max": 20,
                    "defaultAnswer": "Smith",
                }
            ],
        ],
        elements={
            "A1000000000000000000000000000002@0@10": [
                {"id": f"h{y};{YEAR_ATTRIBUTE}", "name": str(y)} for y in range(2014, 2018)
            ]
        },
        rows=_rows(12),
    )
    plain = Served(UNPROMPTED_REPORT, "No prompts", rows=_rows(3))
    region_key = "D4F70D5ABA4F596ACE2844BAF90432D5@0@10"
    region_prompt: dict[str, Any] = {
        "id": "D4F70D5ABA4F596ACE2844BAF90432D5",
        "key": region_key,
        "name": "Region",
        "type": "ELEMENTS",
        "required": True,
        "source": {"id": "8D679D4B11D3E4981000E787EC6DE8A4", "name": "Region", "type": 12},
        "min": 1,
    }
    region_elements = [
        {"id": f"h{i};8D679D4B11D3E4981000E787EC6DE8A4", "name": name}
        for i, name in enumerate(["Northeast", "Central", "South"], start=1)
    ]
    document = Served(
        DEMO_DOCUMENT,
        "Regional document",
        kind="document",
        rounds=[[copy.deepcopy(region_prompt)]],
        elements={region_key: region_elements},
    )
    dossier = Served(
        DEMO_DOSSIER,
        "Regional dashboard",
        kind="dossier",
        rounds=[[copy.deepcopy(region_prompt)], copy.deepcopy(nested.rounds[0])],
        elements={region_key: region_elements},
    )
    # The element prompt of a captured prompt-answer XML: the {&PROMPTXML} example in
    # arcann/mstr_python_api, microstrategy_api/task_proc/executable_base.py (fixtures/xml/f15-element-non-tutorial-key.xml).
    kenya_key = "5C21F4D24F0312951BBE4A9DD2E6FF90@0@10"
    kenya_attribute = "7039371C4B5CC07DC6682D9C0EC8F45C"
    promptxml = Served(
        PROMPTXML_REPORT,
        "Country report",
        rounds=[
            [
                {
                    "id": kenya_key.split("@")[0],
                    "key": kenya_key,
                    "name": "Country",
                    "type": "ELEMENTS",
                    "required": True,
                    "source": {"id": kenya_attribute, "name": "Country", "type": 12},
                }
            ]
        ],
        elements={
            kenya_key: [
                {"id": f"hHfVjCurKxh2;{kenya_attribute}", "name": "Kenya"},
                {"id": f"hQ2mZr8Lw0p;{kenya_attribute}", "name": "Ghana"},
            ]
        },
        rows=_rows(4),
        table="LU_COUNTRY",
    )
    # The report of the URL API's object-prompt link (seed 004, D6): one metric prompt.
    link = Served(
        LINK_REPORT,
        "Metric choice",
        rounds=[
            [
                {
                    "id": "9F1C0DE2A6B34F0E8D7C6B5A49382716",
                    "key": "9F1C0DE2A6B34F0E8D7C6B5A49382716@0@10",
                    "name": "Choose metrics",
                    "type": "OBJECTS",
                    "required": True,
                    "min": 1,
                    "max": 3,
                }
            ]
        ],
        objects={
            "9F1C0DE2A6B34F0E8D7C6B5A49382716@0@10": [
                {"id": "4C051DB611D3E877C000B3B2D86C964F", "name": "Profit", "type": "metric"},
                {"id": "7FD5B69611D5AC76C000D98A4CC5F24F", "name": "Revenue", "type": "metric"},
            ]
        },
        rows=_rows(2),
    )
    # Seed 001, "Execute a datamart": the datamart answered with "Elements of Country"
    # (USA, England) by name; its prompt key is invented like seed 000's.
    datamart_key = "4B7E1D2C9A3F4E6B8C0D1E2F3A4B5C6D@0@10"
    seed_001 = Served(
        SEED_001_DATAMART,
        "Country datamart",
        kind="datamart",
        rounds=[
            [
                dict(
                    copy.deepcopy(seed_000.rounds[0][0]),
                    id=datamart_key.split("@")[0],
                    key=datamart_key,
                )
            ]
        ],
        elements={datamart_key: _country_elements()},
        table="DM_COUNTRY",
    )
    plain_datamart = Served(UNPROMPTED_DATAMART, "Plain datamart", kind="datamart")
    everything = (
        seed_000,
        objects_report,
        nested,
        plain,
        promptxml,
        link,
        document,
        dossier,
        seed_001,
        plain_datamart,
    )
    return {s.id: s for s in everything}
