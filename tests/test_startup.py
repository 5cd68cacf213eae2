"""Start-up of the codec commands (issue 22 item 2): a one-file ``convert``, ``inspect``
or ``link`` of value, element and object answers loads no pydantic model class, nothing
of the REST client or the reference server, and no urllib3.

Each check runs in a fresh interpreter and looks at ``sys.modules`` afterwards.  Timing
is ``bench/bench_import.py``'s business, not a test's.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import pytest
from paths import ROW_CAPTURES

GUID = "2294C41E44244ADAED930CB4E00A9DA0"
ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"
BASE = "https://bi.example.com/MicroStrategy/servlet/mstrWeb"
REPORT = "4CF6D88A4588097466A4B7B8851A161F"
LIBRARY_PROJECT = "EC70648611E7A2F962E90080EFD58751"

# pydantic's model machinery (``import pydantic`` alone is lazy and loads none of it)
MODELS = ("pydantic.main", "mstr_prompts.model", "mstr_prompts.element_id")
# the client, the reference server and their transport (see also test_cli_startup_imports)
CLIENT = ("urllib3", "mstr_prompts.client", "mstr_prompts.testing")

INPUTS = {
    "one.xml": f'<rsl lcl="1033"><pa pt="3" pin="0" did="{GUID}" tp="10">Web</pa></rsl>',
    "elements.json": json.dumps(
        {
            "prompts": [
                {
                    "key": f"{GUID}@0@10",
                    "type": "ELEMENTS",
                    "answers": [{"id": f"h1;{ATTRIBUTE}", "name": "Books"}],
                }
            ]
        }
    ),
    "objects.json": json.dumps(
        {
            "prompts": [
                {
                    "key": f"{GUID}@1@10",
                    "type": "OBJECTS",
                    "answers": [{"id": "4C051DB611D3E877C000B3B2D86C964F", "type": 4}],
                }
            ]
        }
    ),
    "values-objects.xml": (
        f'<rsl><pa pt="3" pin="0" did="{GUID}" tp="10">Web</pa>'
        f'<pa pt="6" pin="1" did="{GUID}" tp="10"><mi><fct qsr="0" fcn="0" cc="1" sto="1" '
        'pfc="0" pcc="1"><mt did="4C051DB611D3E877C000B3B2D86C964F" tp="4" n="Profit"></mt>'
        "</fct></mi></pa></rsl>"
    ),
    "link.txt": (
        f"{BASE}?evt=4001&promptsAnswerXML=%3Crsl%3E%3Cpa%20pt%3D%225%22%20pin%3D%220%22"
        f"%20did%3D%22{GUID}%22%20tp%3D%2210%22%3E2015%3C%2Fpa%3E%3C%2Frsl%3E"
    ),
    # Prompts named by id or by name, as mstrio-py writes them, and by all three at once.
    "by-id.json": json.dumps(
        {
            "prompts": [
                {"id": "0CE45CA4483E29FFB0AF969D68588E95", "type": "VALUE", "answers": "2015"}
            ]
        }
    ),
    "by-name.json": json.dumps(
        {
            "prompts": [
                {"name": "Year", "type": "VALUE", "answers": "2015"},
                {
                    "name": "Category",
                    "type": "ELEMENTS",
                    "answers": [{"id": f"h1;{ATTRIBUTE}", "name": "Books"}],
                },
            ]
        }
    ),
    "by-all.json": json.dumps(
        {
            "prompts": [
                {
                    "key": f"{GUID}@0@10",
                    "id": "0CE45CA4483E29FFB0AF969D68588E95",
                    "name": "Year",
                    "type": "VALUE",
                    "answers": "2015",
                },
                {
                    "key": f"{GUID}@1@10",
                    "name": "Category",
                    "type": "ELEMENTS",
                    "answers": [{"id": f"h1;{ATTRIBUTE}", "name": "Books"}],
                },
            ]
        }
    ),
    "defaults.json": json.dumps(
        {
            "prompts": [
                {"id": "3C0E4CB64F4B4D34A7BBD7D2E5C1C3F0", "type": "OBJECTS", "useDefault": True},
                {"key": f"{GUID}@0@10", "type": "VALUE", "useDefault": True},
            ]
        }
    ),
    # Web links with positional values and with element lists.
    "values.txt": f"{BASE}?evt=4001&valuePromptAnswers=2015^^Sam%20Hill^25354"
    "&objectsPromptAnswers=^4C051DB611D3E877C000B3B2D86C964F~4~Profit",
    "elements.txt": (
        f"{BASE}?evt=4001&elementsPromptAnswers={ATTRIBUTE};{ATTRIBUTE}:1%5EBooks;{ATTRIBUTE}:2"
    ),
    # A Library link and a promptsAnswers body.
    "library.txt": (
        f"https://bi.example.com/MicroStrategyLibrary/app/{LIBRARY_PROJECT}/{REPORT}/K53--K46"
        "?prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%22"
        f"{ATTRIBUTE}%3A1~1048576~Books%22%5D%2C%22useDefault%22%3Afalse%7D%2C%7B%22key%22%3A%22"
        "V%400%4010%22%2C%22values%22%3A%5B%222015%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"
    ),
    "body.json": json.dumps(
        {
            "messageName": "Sales",
            "answers": [
                {"key": f"{GUID}@0@10", "values": ["2015"], "useDefault": False},
                {
                    "key": f"{GUID}@1@10",
                    "values": ["4C051DB611D3E877C000B3B2D86C964F~4~Profit"],
                    "useDefault": False,
                },
                {"key": f"{GUID}@2@10", "values": [], "useDefault": True},
                {"key": f"{GUID}@3@10", "values": [], "useDefault": False},
            ],
        }
    ),
    # A value of several texts: REST's list, and a Library link whose element prompt is
    # answered with REST-style terse IDs (h1;…), which Library reads as plain texts.
    "texts.json": json.dumps(
        {"prompts": [{"key": f"{GUID}@0@10", "type": "VALUE", "answers": ["2015", "2016"]}]}
    ),
    "terse.txt": (
        f"https://bi.example.com/MicroStrategyLibrary/app/{LIBRARY_PROJECT}/{REPORT}"
        f"?prompts=%5B%5B%7B%22key%22%3A%22{GUID}%400%4010%22%2C%22values%22%3A%5B%22h1%3B"
        f"{ATTRIBUTE}%22%2C%22h2%3B{ATTRIBUTE}%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"
    ),
    # Expression answers of the usual shapes: a form In list (as the REST docs' sample)
    # and an And of an element and a metric qualification, with display text.
    "expression.json": json.dumps(
        {
            "prompts": [
                {
                    "key": f"{GUID}@0@10",
                    "type": "EXPRESSION",
                    "answers": {
                        "content": "Category In List 1, 2",
                        "expression": {
                            "operator": "In",
                            "operands": [
                                {
                                    "type": "form",
                                    "attribute": {"id": ATTRIBUTE, "name": "Category"},
                                    "form": {"id": "45C11FA478E745FEA08D781CEA190FE5"},
                                },
                                {"type": "constants", "dataType": "Real", "values": ["1", "2"]},
                            ],
                        },
                    },
                },
                {
                    "name": "Filter",
                    "type": "EXPRESSION",
                    "answers": {
                        "expression": {
                            "operator": "And",
                            "operands": [
                                {
                                    "operator": "In",
                                    "operands": [
                                        {"type": "attribute", "id": ATTRIBUTE},
                                        {
                                            "type": "elements",
                                            "elements": [
                                                {"id": f"h1;{ATTRIBUTE}", "name": "Books"}
                                            ],
                                        },
                                    ],
                                },
                                {
                                    "operator": ">",
                                    "operands": [
                                        {
                                            "type": "metric",
                                            "id": "4C05177011D3E877C000B3B2D86C964F",
                                        },
                                        {"type": "constant", "dataType": "Real", "value": "10"},
                                    ],
                                },
                            ],
                        }
                    },
                },
                {"key": f"{GUID}@1@10", "type": "EXPRESSION", "useDefault": True},
            ]
        }
    ),
}

# A form qualification in prompt-answer XML (fixtures/xml/f03): read by the scan, written
# to XML, a Web link and Library from its row (expression_plain.exp_element).
INPUTS["expression.xml"] = (
    (pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "xml")
    .joinpath("f03-aq-id-equals-derived.xml")
    .read_text(encoding="utf-8")
)

# The same expressions, each prompt named by its key (prompt-answer XML's only name).
_KEYED = json.loads(INPUTS["expression.json"])["prompts"][:2]
_KEYED[1] = {"key": f"{GUID}@1@10", **{k: v for k, v in _KEYED[1].items() if k != "name"}}
INPUTS["expression-keyed.json"] = json.dumps({"prompts": _KEYED})

# REST's alternative form of an expression answer, {"xml": "<exp>…</exp>"}: an <exp> of
# the usual shapes with its display text (typed), and one outside the case table (kept
# verbatim): read into the rows prompt-answer XML's reader makes of them.
_EXP = (
    "<exp>{Revenue} &gt; 10<nd et='10' nt='4' dmt='7' ddt='-1'><nd et='1' nt='5' dmt='1' "
    "ddt='-1'><mt did='4C05177011D3E877C000B3B2D86C964F' tp='4' n='Revenue'/></nd>"
    "<nd et='1' nt='3' dmt='1' ddt='5'><cst ddt='5'>10</cst></nd><op fnt='8'/></nd></exp>"
)
INPUTS["expression-xml.json"] = json.dumps(
    {
        "prompts": [
            {
                "key": f"{GUID}@0@10",
                "type": "EXPRESSION",
                "answers": {"content": "{Revenue} > 10", "xml": _EXP},
            },
            {
                "key": f"{GUID}@1@10",
                "type": "EXPRESSION",
                "answers": {"xml": '<exp><nd et="16" nt="4" dmt="1" ddt="-1"/></exp>'},
            },
        ]
    }
)
INPUTS["expression-xml-typed.json"] = json.dumps(
    {"prompts": [{"key": f"{GUID}@0@10", "type": "EXPRESSION", "answers": {"xml": _EXP}}]}
)

# A close that names its attribute: prompt-answer XML's empty <es> with its <at> source,
# and a Web link's elementsPromptAnswers=ATTR; (fixtures/url/D3.txt).
INPUTS["close-attribute.xml"] = (
    f'<rsl><pa pt="7" pin="0" did="{GUID}" tp="10"><mi><es><at did="{ATTRIBUTE}" tp="12"/>'
    "</es></mi></pa></rsl>"
)
INPUTS["close-attribute.txt"] = f"{BASE}?evt=4001&elementsPromptAnswers={ATTRIBUTE};"
# The same prompt answered twice alike: the repeat is compared as two rows (it loaded the
# model to compare them, found by an attack on the rows).
INPUTS["close-attribute-twice.txt"] = (
    f"{BASE}?evt=4001&elementsPromptAnswers={ATTRIBUTE};,{ATTRIBUTE};"
)

# Every family's empty answer (a Close): read as CLOSE_ROWs, and written by every writer
# from the row, prompt-answer XML's too.
INPUTS["closes.xml"] = (
    "<rsl>"
    + "".join(
        f'<pa{pt} pin="{pin}" did="{GUID}" tp="10">{body}</pa>'
        for pin, (pt, body) in enumerate(
            [
                (' pt="7"', "<mi><es/></mi>"),
                (' pt="6"', '<mi><fct qsr="0" fcn="0" cc="0" sto="1" pfc="0" pcc="0"/></mi>'),
                (' pt="8"', "<exp/>"),
                (' pt="3"', ""),
            ]
        )
    )
    + "</rsl>"
)
# No pt: a Close of no family (prompt-answer XML writes it back; REST needs the type).
INPUTS["close-no-family.xml"] = f'<rsl><pa pin="0" did="{GUID}" tp="10"></pa></rsl>'

# Three definitions as GET /api/reports/{id}/prompts returns them (an element prompt with
# its attribute, a numeric value prompt, an object prompt; no default answers): what an
# outside review converted with --definitions.
INPUTS["defs.json"] = json.dumps(
    [
        {
            "key": f"{GUID}@1@10",
            "id": GUID,
            "name": "Category",
            "title": "Category",
            "type": "ELEMENTS",
            "required": True,
            "closed": False,
            "min": 1,
            "max": 5,
            "source": {"id": ATTRIBUTE, "name": "Category", "type": 12},
        },
        {
            "key": f"{GUID}@0@10",
            "id": "0CE45CA4483E29FFB0AF969D68588E95",
            "name": "Year",
            "title": "Year",
            "type": "VALUE",
            "required": False,
            "closed": False,
            "dataType": "NUMERIC",
            "min": 2000,
            "max": 2030,
        },
        {
            "key": f"{GUID}@2@10",
            "id": "4C051DB611D3E877C000B3B2D86C964F",
            "name": "Metrics",
            "type": "OBJECTS",
            "required": False,
            "max": 3,
        },
    ]
)

# The same with default and current answers, as many reports have them: read (as rows)
# to check them, and kept as records.
_WITH_DEFAULTS = json.loads(INPUTS["defs.json"])
_WITH_DEFAULTS[0]["defaultAnswer"] = [{"id": f"h1;{ATTRIBUTE}", "name": "Books"}]
_WITH_DEFAULTS[1]["defaultAnswer"] = "2020"
_WITH_DEFAULTS[1]["answers"] = "2021"
_WITH_DEFAULTS[2]["defaultAnswer"] = [{"id": "7FD5B69611D5AC76C000D98A4CC5F24F", "type": 4}]
INPUTS["defaults-defs.json"] = json.dumps(_WITH_DEFAULTS)

# Data types given as numbers, as the REST API's samples (and docs/definitions.md) write
# them: REST's reader gives them as an int subclass, which once sent every such
# definition to the model path.
_NUMBERED = json.loads(INPUTS["defs.json"])
_NUMBERED[1]["dataType"] = 6
INPUTS["numbered-defs.json"] = json.dumps(_NUMBERED)

LINK = ["link", "--base", BASE, "--report", REPORT]
LIBRARY_LINK = [
    "link", "--base", "https://bi.example.com/MicroStrategyLibrary", "--project",
    LIBRARY_PROJECT, "--dossier", REPORT]  # fmt: skip

# Inputs an outside review found building a model (issue 22 item 2): through every target
# the command offers that can carry their answers.
MORE_COMMANDS = {
    "rest by id -> rest": ["convert", "--from", "rest", "--to", "rest", "by-id.json"],
    "rest by id -> url": ["convert", "--from", "auto", "--to", "url", "--assume-order", "by-id.json"],
    "inspect rest by id": ["inspect", "--from", "auto", "by-id.json"],
    "link rest by id": [*LINK, "--assume-order", "by-id.json"],
    "rest by name -> rest": ["convert", "--from", "rest", "--to", "rest", "by-name.json"],
    "inspect rest by name": ["inspect", "--from", "rest", "by-name.json"],
    "rest by key, id, name -> rest": ["convert", "--from", "auto", "--to", "rest", "by-all.json"],
    "rest by key, id, name -> library": ["convert", "--from", "auto", "--to", "library", "by-all.json"],
    "rest by key, id, name -> xml": ["convert", "--from", "auto", "--to", "xml", "by-all.json"],
    "rest by key, id, name -> url": [
        "convert", "--from", "auto", "--to", "url", "--assume-order", "by-all.json"],
    "rest useDefault -> rest": ["convert", "--from", "rest", "--to", "rest", "defaults.json"],
    "inspect rest useDefault": ["inspect", "--from", "rest", "defaults.json"],
    "link rest by key, id, name": [*LIBRARY_LINK, "by-all.json"],
    "url values -> url": ["convert", "--from", "url", "--to", "url", "values.txt"],
    "inspect url values": ["inspect", "--from", "auto", "values.txt"],
    "link url values": [*LINK, "--from", "url", "values.txt"],
    "url elements -> url": ["convert", "--from", "url", "--to", "url", "elements.txt"],
    "inspect url elements": ["inspect", "--from", "url", "elements.txt"],
    "link url elements": [*LINK, "elements.txt"],
    "library -> rest": ["convert", "--from", "library", "--to", "rest", "library.txt"],
    "library -> xml": ["convert", "--from", "auto", "--to", "xml", "library.txt"],
    "library body -> library": ["convert", "--from", "auto", "--to", "library", "body.json"],
    "inspect library body": ["inspect", "--from", "library", "body.json"],
    "library -> url": ["convert", "--from", "auto", "--to", "url", "--assume-order", "library.txt"],
    "library -> library": ["convert", "--from", "auto", "--to", "library", "library.txt"],
    "library -> library param": [
        "convert", "--from", "auto", "--to", "library", "--library-form", "param", "library.txt"],
    "library -> library body": [
        "convert", "--from", "auto", "--to", "library", "--library-form", "body", "body.json"],
    "inspect library": ["inspect", "--from", "library", "library.txt"],
    "link library": [*LIBRARY_LINK, "--from", "library", "library.txt"],
    "rest -> library": ["convert", "--from", "rest", "--to", "library", "elements.json"],
    "xml -> library": ["convert", "--from", "xml", "--to", "library", "one.xml",
                       "--ignore-locale"],
    "link rest -> library": [*LIBRARY_LINK, "elements.json"],
    "rest several values -> rest": ["convert", "--from", "rest", "--to", "rest", "texts.json"],
    "rest several values -> library": [
        "convert", "--from", "auto", "--to", "library", "texts.json"],
    "inspect rest several values": ["inspect", "--from", "rest", "texts.json"],
    "library terse IDs -> rest": ["convert", "--from", "library", "--to", "rest", "terse.txt"],
    "library terse IDs -> library": ["convert", "--from", "auto", "--to", "library", "terse.txt"],
    "inspect library terse IDs": ["inspect", "--from", "library", "terse.txt"],
    "link library terse IDs": [*LIBRARY_LINK, "--from", "library", "terse.txt"],
    # REST expression answers of the usual shapes (expression_plain): to REST, to
    # prompt-answer XML, to a Web link's promptsAnswerXML and to Library's <rsl> values;
    # inspect's JSON is written from the rows too (its terminal summary builds the model
    # of a typed tree without display text, to render it).
    "inspect rest expression": ["inspect", "--from", "rest", "expression.json"],
    "rest expression -> library": [
        "convert", "--from", "rest", "--to", "library", "expression-keyed.json"],
    "link library rest expression": [*LIBRARY_LINK, "expression-keyed.json"],
    "xml expression -> xml": ["convert", "--from", "xml", "--to", "xml", "expression.xml"],
    "xml expression -> url --fallback xml": [
        "convert", "--from", "xml", "--to", "url", "--fallback", "xml", "expression.xml"],
    "xml expression -> library": [
        "convert", "--from", "xml", "--to", "library", "expression.xml"],
    "link xml expression --fallback xml": [*LINK, "--fallback", "xml", "expression.xml"],
    "rest expression -> url --fallback xml": [
        "convert", "--from", "rest", "--to", "url", "--fallback", "xml", "expression-keyed.json"],
    "link rest expression --fallback xml": [
        *LINK, "--fallback", "xml", "expression-keyed.json"],
    "rest expression -> rest": ["convert", "--from", "rest", "--to", "rest", "expression.json"],
    "rest expression -> xml": [
        "convert", "--from", "rest", "--to", "xml", "expression-keyed.json"],
    "auto expression -> rest compact": [
        "convert", "--from", "auto", "--to", "rest", "--compact", "expression.json"],
    # REST's {"xml": …} answers (issue 22 item 2): typed and verbatim to REST and inspect;
    # typed ones to every other target (a verbatim <exp> is still written there from its
    # model, as prompt-answer XML's own verbatim rows are).
    "rest xml expression -> rest": [
        "convert", "--from", "rest", "--to", "rest", "expression-xml.json"],
    "inspect rest xml expression": ["inspect", "--from", "rest", "expression-xml.json"],
    "rest typed xml expression -> xml": [
        "convert", "--from", "rest", "--to", "xml", "expression-xml-typed.json"],
    "rest typed xml expression -> url --fallback xml": [
        "convert", "--from", "rest", "--to", "url", "--fallback", "xml",
        "expression-xml-typed.json"],
    "rest typed xml expression -> library": [
        "convert", "--from", "rest", "--to", "library", "expression-xml-typed.json"],
    # A close naming its attribute (issue 22 item 2): a CLOSE_ATTRIBUTE_ROW, written by
    # every writer as its Close.
    "xml close with attribute -> rest": [
        "convert", "--from", "xml", "--to", "rest", "close-attribute.xml"],
    "xml close with attribute -> xml": [
        "convert", "--from", "xml", "--to", "xml", "close-attribute.xml"],
    "xml close with attribute -> url": [
        "convert", "--from", "xml", "--to", "url", "close-attribute.xml"],
    "xml close with attribute -> library": [
        "convert", "--from", "xml", "--to", "library", "close-attribute.xml"],
    "inspect xml close with attribute": ["inspect", "--from", "xml", "close-attribute.xml"],
    "url close with attribute -> url": [
        "convert", "--from", "url", "--to", "url", "close-attribute.txt"],
    "inspect url close with attribute": ["inspect", "--from", "url", "close-attribute.txt"],
    "inspect url close with attribute twice": [
        "inspect", "--from", "url", "close-attribute-twice.txt"],
    "link url close with attribute": [*LINK, "close-attribute.txt"],
    # Every family's empty answer: a CLOSE_ROW, written by every writer as its Close.
    "xml closes -> xml": ["convert", "--from", "xml", "--to", "xml", "closes.xml"],
    "xml closes -> rest": ["convert", "--from", "xml", "--to", "rest", "closes.xml"],
    "xml closes -> url --fallback xml": [
        "convert", "--from", "xml", "--to", "url", "--fallback", "xml", "closes.xml"],
    "xml closes -> library": ["convert", "--from", "xml", "--to", "library", "closes.xml"],
    "inspect xml closes": ["inspect", "--from", "xml", "closes.xml"],
    "xml close of no family -> xml": [
        "convert", "--from", "xml", "--to", "xml", "close-no-family.xml"],
}  # fmt: skip

# --definitions with answers the row path binds and checks (issue 22 item 2): the
# definitions are read into plain records, and no model class is even defined.
DEFINITIONS_COMMANDS = {
    "rest by name -> url": [
        "convert", "--from", "rest", "--to", "url", "--definitions", "defs.json", "by-name.json"],
    "url elements -> rest": [
        "convert", "--from", "url", "--to", "rest", "--definitions", "defs.json", "elements.txt"],
    "rest by name -> rest": [
        "convert", "--from", "rest", "--to", "rest", "--definitions", "defs.json", "by-name.json"],
    "rest by name -> xml": [
        "convert", "--from", "rest", "--to", "xml", "--definitions", "defs.json", "by-name.json"],
    "url elements -> library, bound only": [
        "convert", "--from", "url", "--to", "library", "--no-validate", "--definitions",
        "defs.json", "elements.txt"],
    "link url elements": [*LINK, "--definitions", "defs.json", "elements.txt"],
    "rest by name -> url, definitions with defaults": [
        "convert", "--from", "rest", "--to", "url", "--definitions", "defaults-defs.json",
        "by-name.json"],
    "url elements -> rest, definitions with defaults": [
        "convert", "--from", "url", "--to", "rest", "--definitions", "defaults-defs.json",
        "elements.txt"],
    "rest by name -> url, a dataType given as a number": [
        "convert", "--from", "rest", "--to", "url", "--definitions", "numbered-defs.json",
        "by-name.json"],
}  # fmt: skip

# Commands that fail, and word their error from the rows (exit 4, NotRepresentableError).
FAILING_COMMANDS = {
    "link xml value without a position": [*LINK, "one.xml"],
    "link rest by id without a position": [*LINK, "by-id.json"],
    "link rest several values": [*LINK, "texts.json"],
    "convert rest several values -> url": ["convert", "--from", "rest", "--to", "url", "texts.json"],
    # Prompts REST or Library cannot name: positional values, open slots, element lists
    # known by their attribute, prompts known by id.
    "url values -> rest": ["convert", "--from", "url", "--to", "rest", "values.txt"],
    "url values -> library": ["convert", "--from", "url", "--to", "library", "values.txt"],
    "url elements -> rest": ["convert", "--from", "url", "--to", "rest", "elements.txt"],
    "url elements -> library": ["convert", "--from", "url", "--to", "library", "elements.txt"],
    "rest by id -> library": ["convert", "--from", "rest", "--to", "library", "by-id.json"],
    "link library url values": [*LIBRARY_LINK, "--from", "url", "values.txt"],
    # An expression answer has no URL parameter: refused from the row without --fallback.
    "convert rest expression -> url": [
        "convert", "--from", "rest", "--to", "url", "expression.json"],
    "link rest expression": [*LINK, "expression.json"],
    "convert rest typed xml expression -> url": [
        "convert", "--from", "rest", "--to", "url", "expression-xml-typed.json"],
    # A Web link's close names its prompt by attribute alone (REST and Library need a key).
    "url close with attribute -> rest": [
        "convert", "--from", "url", "--to", "rest", "close-attribute.txt"],
    "url close with attribute -> library": [
        "convert", "--from", "url", "--to", "library", "close-attribute.txt"],
    # A close without its attribute has no URL parameter (promptsAnswerXML with --fallback).
    "convert xml closes -> url": ["convert", "--from", "xml", "--to", "url", "closes.xml"],
    "link xml closes": [*LINK, "closes.xml"],
}  # fmt: skip
# (prompt-answer XML's refusals are still worded from the model: xml.py is not changed here.)

COMMANDS = {
    "convert xml->rest": ["convert", "--from", "xml", "--to", "rest", "one.xml"],
    "convert rest->url": ["convert", "--from", "rest", "--to", "url", "elements.json"],
    "convert url->rest": ["convert", "--from", "url", "--to", "rest", "link.txt"],
    "convert rest->xml": ["convert", "--from", "rest", "--to", "xml", "elements.json"],
    "convert xml->url --assume-order": [
        "convert", "--from", "xml", "--to", "url", "--assume-order", "values-objects.xml"],
    "convert auto->rest": ["convert", "--from", "auto", "--to", "rest", "one.xml"],
    "inspect": ["inspect", "--from", "xml", "one.xml"],
    "inspect objects": ["inspect", "--from", "auto", "objects.json"],
    "link": ["link", "--base", BASE, "--report", "4CF6D88A4588097466A4B7B8851A161F",
             "elements.json"],
}  # fmt: skip

# Runs the command as the console script does, then reports what it loaded.
RUNNER = """
import json, sys
from mstr_prompts.cli import main
sys.argv = ["mstr-prompts", *json.loads(sys.argv[1])]
status = main()
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

# The same pipeline through the CLI's own functions, without its parser: decode rows,
# encode or dump, build the link (a failure here points at the codecs, not the CLI).
PIPELINE = """
import argparse, json, sys
from mstr_prompts import cli, links
outputs = []
for fmt, path, target in json.loads(sys.argv[1]):
    rows = cli._decode_rows_file(fmt, path)
    args = argparse.Namespace(compact=False, indent=None, ignore_locale=True,
                              fallback="error", assume_order=True, library_form="json")
    if target == "dump":
        outputs.append(json.dumps(rows.dump()))
    elif target == "link":
        outputs.append(links.web_url(cli_base, report_id=cli_report, answers=rows))
    else:
        outputs.append(cli.ENCODERS[target](rows, args))
print(json.dumps({"outputs": outputs, "modules": sorted(sys.modules)}))
""".replace("cli_base", repr(BASE)).replace("cli_report", repr("4CF6D88A4588097466A4B7B8851A161F"))


@pytest.fixture
def inputs(tmp_path: pathlib.Path) -> pathlib.Path:
    for name, text in INPUTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_the_pipeline_of_the_codec_commands_builds_no_model(inputs: pathlib.Path) -> None:
    jobs = [
        ("xml", "one.xml", "rest"),
        ("rest", "elements.json", "url"),
        ("url", "link.txt", "rest"),
        ("auto", "one.xml", "rest"),
        ("xml", "one.xml", "dump"),
        ("auto", "elements.json", "dump"),
        ("auto", "objects.json", "dump"),
        ("auto", "elements.json", "link"),
        ("rest", "elements.json", "xml"),
        ("xml", "values-objects.xml", "url"),
        ("auto", "values-objects.xml", "rest"),
    ]
    done = subprocess.run(
        [sys.executable, "-c", PIPELINE, json.dumps(jobs)],
        cwd=inputs,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert loaded(report["modules"], MODELS) == []
    assert '"answers": "Web"' in report["outputs"][0]
    assert '"answers": "2015"' in report["outputs"][2]
    assert "elementsPromptAnswers=" in report["outputs"][1]
    assert "elementsPromptAnswers=" in report["outputs"][7]
    assert '<e ei="8D679D3711D3E4981000E787EC6DE8A4:1"' in report["outputs"][8]
    assert report["outputs"][9] == (
        "valuePromptAnswers=Web&objectsPromptAnswers=4C051DB611D3E877C000B3B2D86C964F~4~Profit"
    )


def _run(inputs: pathlib.Path, argv: list[str]) -> tuple[subprocess.CompletedProcess[str], Any]:
    """The command run by RUNNER in a fresh interpreter, and the report it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(argv)],
        cwd=inputs,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done, json.loads(done.stderr.splitlines()[-1])


@pytest.mark.parametrize("command", [*COMMANDS, *MORE_COMMANDS])
def test_codec_commands_load_no_model_and_no_client(inputs: pathlib.Path, command: str) -> None:
    done, report = _run(inputs, {**COMMANDS, **MORE_COMMANDS}[command])
    assert report["status"] == 0, done.stderr
    assert loaded(report["modules"], MODELS + CLIENT) == []


@pytest.mark.parametrize("command", FAILING_COMMANDS)
def test_refusals_load_no_model_and_no_client(inputs: pathlib.Path, command: str) -> None:
    done, report = _run(inputs, FAILING_COMMANDS[command])
    assert report["status"] == 4, done.stderr
    assert "mstr-prompts: error: " in done.stderr
    assert loaded(report["modules"], MODELS + CLIENT) == []


@pytest.mark.parametrize("command", DEFINITIONS_COMMANDS)
def test_definitions_commands_load_no_model_and_no_client(
    inputs: pathlib.Path, command: str
) -> None:
    done, report = _run(inputs, DEFINITIONS_COMMANDS[command])
    assert report["status"] == 0, done.stderr
    assert loaded(report["modules"], MODELS + CLIENT) == []
    assert done.stdout.strip()  # what it writes is held equal to the model path elsewhere


# What a one-file command no longer loads (issue 22 item 2, start-up with margin): modules
# a path does not use, which an import at the top of a module or the parser of every
# command used to load.  (The baseline, pydantic, lxml.etree and json, loads none of them.)
UNUSED_ANYWHERE = (
    "shutil",  # argparse's help width (cli._Formatter finds it without)
    "html",  # xml: only HTML-escaped XML is unescaped
    "difflib",  # url: only a near miss of a parameter name is looked for
    "importlib.util",  # url: only a text that is not a link asks which codecs exist
    "mstr_prompts._cli_runs",  # the client's commands: only their own parser has them
)
NO_PERCENT = ("urllib.parse", "ipaddress")  # limits, formats: only percent-encoded text
NO_PACKED = ("array",)  # rows: only a Web link's valuePromptAnswers is packed

UNUSED = {
    "convert xml->rest": NO_PERCENT + NO_PACKED,
    "convert rest->xml": NO_PERCENT + NO_PACKED,
    "convert auto->rest": NO_PERCENT + NO_PACKED,
    "inspect": NO_PERCENT + NO_PACKED,
    "inspect objects": NO_PERCENT + NO_PACKED,
    "rest by name -> rest": NO_PERCENT + NO_PACKED,
    "inspect rest useDefault": NO_PERCENT + NO_PACKED,
    "convert rest->url": NO_PACKED,
    "convert url->rest": NO_PACKED,
    "link": NO_PACKED,
    "url elements -> url": NO_PACKED,
    "library -> rest": NO_PACKED,
    "link library": NO_PACKED,
    "url values -> url": (),
    "inspect url values": (),
}


@pytest.mark.parametrize("command", UNUSED)
def test_codec_commands_load_only_what_their_path_uses(inputs: pathlib.Path, command: str) -> None:
    done, report = _run(inputs, {**COMMANDS, **MORE_COMMANDS}[command])
    assert report["status"] == 0, done.stderr
    assert loaded(report["modules"], UNUSED_ANYWHERE + UNUSED[command]) == []


# Real captures that built a model before (issue 22 item 2): hierarchy and form
# qualifications (expression rows of prompt-answer XML's scan) and empty answers of each
# family (close rows).  Each converts, and is inspected (its JSON, and the summary a
# terminal gets), with no model class loaded.
XML_FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "xml"

SUMMARY = """
import json, sys
from mstr_prompts import cli, rest, xml
path = sys.argv[1]
outputs = [
    rest.dumps(xml.decode_rows(open(path, encoding="utf-8").read())),
    json.dumps(rest.encode(xml.decode_rows(open(path, encoding="utf-8").read()))),
    cli._summary(xml.decode_rows(open(path, encoding="utf-8").read())),
]
print(json.dumps({"outputs": outputs, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("name", ROW_CAPTURES)
@pytest.mark.parametrize("command", ["convert", "inspect"])
def test_the_captures_read_as_rows_load_no_model(name: str, command: str) -> None:
    path = str(XML_FIXTURES / name)
    argv = (
        ["convert", "--from", "xml", "--to", "rest", path]
        if command == "convert"
        else ["inspect", "--from", "xml", path]
    )
    done, report = _run(XML_FIXTURES, argv)
    assert report["status"] == 0, done.stderr
    assert loaded(report["modules"], MODELS + CLIENT) == []
    assert done.stdout.strip()  # what it writes is held equal to the model path elsewhere


@pytest.mark.parametrize("name", ROW_CAPTURES)
def test_the_captures_summary_and_both_rest_writers_load_no_model(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SUMMARY, str(XML_FIXTURES / name)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert loaded(report["modules"], MODELS) == []
    assert json.loads(report["outputs"][0]) == json.loads(report["outputs"][1])
    assert report["outputs"][2]  # one line per answer (held equal to the models' elsewhere)
