"""Adversarial inputs for every codec (issue 13, defects 2-8; issue 11's hostile inputs).

Each case ends in the library's own error (a ``PromptAnswerError``, with a message that
says where) or in a lossless round trip: never a foreign exception, garbled text or an
answer that changed meaning.  Sizes, never timings, are asserted for linear time.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from mstr_prompts import definitions, expression_xml, library, rest, url, xml
from mstr_prompts.client.errors import AnswersRejectedByServer
from mstr_prompts.errors import DecodeError, NotRepresentableError, PromptAnswerError
from mstr_prompts.model import (
    AnswerSet,
    Close,
    ExpressionAnswer,
    LevelAnswer,
    LevelUnit,
    ObjectAnswer,
    ObjectRef,
    PromptRef,
    ValueAnswer,
)
from mstr_prompts.rules import MAX_INT, MAX_POSITION, MIN_INT, java_int
from mstr_prompts.strategies import hostile_texts, xml_texts

G = "4CF6D88A4588097466A4B7B8851A161F"
ATTR = "8D679D3711D3E4981000E787EC6DE8A4"
KEY = f"{G}@0@10"
HUGE = "9" * 5000
NON_ASCII_DIGITS = ["٣", "²", "３", "߃", "𝟑", "¹"]


def _library_error_or(run: Callable[[], Any]) -> Any:
    """The result of ``run``, or None when it raised the library's own error."""
    try:
        return run()
    except PromptAnswerError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        assert "set_int_max_str_digits" not in str(exc)
        return None


def _round_trips(answers: AnswerSet) -> None:
    """Every format either refuses ``answers`` or reads back what it wrote, unchanged in
    what the format carries (an encoder never writes what its own decoder refuses)."""
    codecs_: list[tuple[Callable[[AnswerSet], Any], Callable[[Any], AnswerSet]]] = [
        (lambda a: json.dumps(rest.encode(a)), rest.decode),
        (lambda a: xml.encode(a), xml.decode),
        (lambda a: url.encode_query(a, fallback="xml"), url.decode),
        (lambda a: library.encode(a), library.decode),
    ]
    for encode, decode in codecs_:
        written = _library_error_or(lambda e=encode: e(answers))  # type: ignore[misc]
        if written is not None:
            back = decode(written)  # never a DecodeError
            assert decode(encode(back)) == back


# --- 5,000-digit and non-ASCII numbers in every numeric field of every format ----------


def _xml_with(attribute: str, number: str) -> str:
    pa = f'<pa pt="3" pin="0" did="{G}" tp="10">v</pa>'
    if attribute == "lcl":
        return f'<rsl lcl="{number}">{pa}</rsl>'
    if attribute in ("pt", "pin", "tp"):
        return "<rsl>" + pa.replace(f'{attribute}="', f'{attribute}="{number}" x="', 1) + "</rsl>"
    if attribute in ("at tp", "e emt"):
        at_tp, emt = (number, "1") if attribute == "at tp" else ("12", number)
        return (
            f'<rsl><pa pt="7" pin="0" did="{G}" tp="10"><mi><es><at did="{ATTR}" tp="{at_tp}"/>'
            f'<e emt="{emt}" ei="{ATTR}:1" art="1" disp_n="x"/></es></mi></pa></rsl>'
        )
    return (
        f'<rsl><pa pt="6" pin="0" did="{G}" tp="10"><mi><fct qsr="0">'
        f'<mt did="{ATTR}" tp="{number}"/></fct></mi></pa></rsl>'
    )


XML_NUMERIC = ["lcl", "pt", "pin", "tp", "at tp", "e emt", "object tp"]


@pytest.mark.parametrize("attribute", XML_NUMERIC)
@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, "2147483648", *NON_ASCII_DIGITS])
def test_xml_numbers_out_of_range_or_not_ascii(attribute: str, number: str) -> None:
    text = _xml_with(attribute, number)
    answers = _library_error_or(lambda: xml.decode(text))
    if answers is not None:  # only where the field is carried opaquely (pin in a key)
        assert xml.decode(xml.encode(answers)) == answers


def _rest_with(field: str, number: str) -> str:
    bodies = {
        "object type": f'{{"prompts":[{{"key":"K","type":"OBJECTS","answers":[{{"id":"{G}","type":{number}}}]}}]}}',
        "object type text": f'{{"prompts":[{{"key":"K","type":"OBJECTS","answers":[{{"id":"{G}","type":"{number}"}}]}}]}}',
        "value": f'{{"prompts":[{{"key":"K","type":"VALUE","answers":{number}}}]}}',
        "prompt type": f'{{"prompts":[{{"key":"K","type":{number},"answers":"1"}}]}}',
        "useDefault": f'{{"prompts":[{{"key":"K","type":"VALUE","useDefault":{number}}}]}}',
        "level unit": (
            f'{{"prompts":[{{"key":"K","type":"LEVEL","answers":{{"units":[{{"id":"{G}",'
            f'"type":{number},"aggregation":{number}}}]}}}}]}}'
        ),
        "expression": (
            f'{{"prompts":[{{"key":"K","type":"EXPRESSION","answers":{{"expression":'
            f'{{"operator":"Equals","operands":[{{"type":"constant","value":{number}}}]}}}}}}]}}'
        ),
    }
    return bodies[field]


@pytest.mark.parametrize(
    "field",
    [
        "object type",
        "object type text",
        "value",
        "prompt type",
        "useDefault",
        "level unit",
        "expression",
    ],
)
@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, "1e400", "1." + HUGE, "0." + HUGE])
def test_rest_numbers_out_of_range(field: str, number: str) -> None:
    body = _rest_with(field, number)
    answers = _library_error_or(lambda: rest.decode(body))
    if answers is not None:
        assert rest.decode(json.dumps(rest.encode(answers))) == answers


@pytest.mark.parametrize(
    "query",
    [
        f"objectsPromptAnswers={G}~{HUGE}~n",
        f"objectsPromptAnswers={G}~2147483648~n",
        f"valuePromptAnswers=a&promptAnswerMode={HUGE}",
        *(f"objectsPromptAnswers={G}~{d}~n" for d in NON_ASCII_DIGITS),
        *(f"valuePromptAnswers=a&promptAnswerMode={d}" for d in NON_ASCII_DIGITS),
        f"elementsPromptAnswers={ATTR};{ATTR}:{HUGE}",
    ],
)
def test_url_numbers(query: str) -> None:
    answers = _library_error_or(lambda: url.decode(query))
    if answers is not None:
        assert url.decode(url.encode_query(answers)) == answers


@pytest.mark.parametrize(
    "value",
    [
        f"{G}~{HUGE}~Profit",
        f"{G}~-{HUGE}~Profit",
        f"{G}~2147483648~Profit",
        f"{ATTR}:1~{HUGE}~Books",
        f"{G}~1048578~Year~{HUGE}~1~1~1",
        f"{G}~1048578~Year~1~1~1~-{HUGE}",
        f"{G}~1048578~Year~1~1~2147483648~1",
        *(f"{G}~{d}~Profit" for d in NON_ASCII_DIGITS),
        f"DYNAMIC_PLACEHOLDER_x~{HUGE}~n",
    ],
)
def test_library_numbers(value: str) -> None:
    text = json.dumps([[{"key": KEY, "values": [value], "useDefault": False}]])
    answers = _library_error_or(lambda: library.decode(text))
    if answers is not None:
        assert library.decode(library.encode(answers)) == answers


@pytest.mark.parametrize(
    "body",
    [
        f'[{{"key":"K","type":"VALUE","dataType":{HUGE},"required":true}}]',
        f'[{{"key":"K","type":"ELEMENTS","required":true,"min":{HUGE},"max":1}}]',
        f'[{{"key":"K","type":"VALUE","required":true,"max":-{HUGE}}}]',
        '[{"key":"K","type":"VALUE","dataType":1e400,"required":true}]',
        '[{"key":"K","type":"VALUE","dataType":"٣","required":true}]',
    ],
)
def test_definition_numbers(body: str) -> None:
    _library_error_or(lambda: definitions.decode(body))


@pytest.mark.parametrize(
    "make",
    [
        lambda n: LevelUnit(
            id=G, type=1048578, aggregation=n, filtering=1, group_by=1, report_level=1
        ),
        lambda n: ObjectRef(id=G, type=n),
        lambda n: PromptRef(position=n),
        lambda n: AnswerSet(locale=n),
        lambda n: AnswerSet(answers=(Close(prompt=PromptRef(key=KEY)),) * 2, rounds=(n, 2 - n)),
    ],
)
@pytest.mark.parametrize(
    "number",
    [10**5000, -(10**5000), MAX_INT + 1, MIN_INT - 1],
    ids=["10**5000", "-10**5000", "MAX_INT+1", "MIN_INT-1"],
)
def test_model_bounds_every_size_driving_number(make: Callable[[int], Any], number: int) -> None:
    with pytest.raises(ValidationError):
        make(number)


def test_rounds_must_cover_the_answers_even_for_one_round() -> None:
    with pytest.raises(ValidationError, match="rounds hold"):
        AnswerSet(answers=(Close(prompt=PromptRef(key=KEY)),), rounds=(10**9,))


@pytest.mark.parametrize("number", [MAX_INT, MIN_INT, 0, -1])
def test_level_units_at_the_bounds_round_trip(number: int) -> None:
    unit = LevelUnit(
        id=G, type=1048581, aggregation=number, filtering=number, group_by=1, report_level=0
    )
    answers = AnswerSet(answers=(LevelAnswer(prompt=PromptRef(key=KEY), units=(unit,)),))
    assert library.decode(library.encode(answers)) == answers


@pytest.mark.parametrize("position", [1, MAX_POSITION])
def test_positions_at_the_bound_encode_small(position: int) -> None:
    answers = AnswerSet(answers=(ValueAnswer(value="x", prompt=PromptRef(position=position)),))
    written = url.encode_query(answers)
    assert len(written) < 4 * MAX_POSITION + 40
    back = url.decode(written)
    assert [a for a in back if isinstance(a, ValueAnswer)] == list(answers)
    assert len(back) == position


@given(st.text(max_size=12))
def test_java_int_is_the_ascii_rule(text: str) -> None:
    number = java_int(text)
    if number is not None:
        assert MIN_INT <= number <= MAX_INT and text.lstrip("-").isascii()
        assert int(text) == number


# --- text: lone surrogates, controls, non-ASCII digits in every text field ------------

SURROGATE_SOURCES: list[tuple[Callable[[Any], Any], Any]] = [
    (rest.decode, '{"prompts":[{"key":"K","type":"VALUE","answers":"\\udfff"}]}'),
    (rest.decode, '{"prompts":[{"key":"K","type":"VALUE","answers":["a","\\ud83d"]}]}'),
    (rest.decode, '{"prompts":[{"key":"\\ud800","type":"VALUE","answers":"1"}]}'),
    (rest.decode, '{"prompts":[{"id":"\\ud800","type":"VALUE","answers":"1"}]}'),
    (rest.decode, '{"prompts":[{"key":"K","name":"\\udc00","type":"VALUE","answers":"1"}]}'),
    (
        rest.decode,
        f'{{"prompts":[{{"key":"K","type":"ELEMENTS","answers":[{{"id":"h1;{ATTR}","name":"\\ud800"}}]}}]}}',
    ),
    (
        rest.decode,
        '{"prompts":[{"key":"K","type":"OBJECTS","answers":[{"id":"\\ud800","type":4}]}]}',
    ),
    (
        rest.decode,
        f'{{"prompts":[{{"key":"K","type":"OBJECTS","answers":[{{"id":"{G}","type":4,"name":"\\ud800"}}]}}]}}',
    ),
    (
        rest.decode,
        '{"prompts":[{"key":"K","type":"EXPRESSION","answers":{"content":"\\ud800","xml":"<exp/>"}}]}',
    ),
    (
        rest.decode,
        '{"prompts":[{"key":"K","type":"EXPRESSION","answers":{"expression":{"operator":"\\ud800"}}}]}',
    ),
    (
        rest.decode,
        '{"prompts":[{"key":"K","type":"EXPRESSION","answers":{"xml":"<exp>&#xD800;</exp>"}}]}',
    ),
    (rest.decode, b'{"prompts":[{"key":"K","type":"VALUE","answers":"\\ud800"}]}'),
    (rest.decode, {"prompts": [{"key": "K", "type": "VALUE", "answers": "\ud800"}]}),
    (xml.decode, f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">&#xD800;</pa></rsl>'),
    (xml.decode, f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">&#55296;</pa></rsl>'),
    (xml.decode, f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">\udfff</pa></rsl>'),
    (
        xml.decode,
        f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">\ud800</pa></rsl>'.encode(
            "utf-8", "surrogatepass"
        ),
    ),
    (
        xml.decode,
        f'<rsl><pa pt="7" pin="0" did="{G}" tp="10"><mi><es><e ei="{ATTR}:1" disp_n="&#xDC00;"/></es></mi></pa></rsl>',
    ),
    (url.decode, {"valuePromptAnswers": "\ud800"}),
    (url.decode, {"valuePromptAnswers": ["a", "\udfff"]}),
    (url.decode, {"elementsPromptAnswers": f"{ATTR};{ATTR}:1^\ud800"}),
    (url.decode, {"objectsPromptAnswers": f"{G}~4~\ud800"}),
    (url.decode, "valuePromptAnswers=%ED%A0%80"),
    (url.decode, "valuePromptAnswers=\ud800"),
    (library.decode, '[[{"key":"\\ud800","values":["1"],"useDefault":false}]]'),
    (library.decode, '[[{"key":"K","values":["\\udfff"],"useDefault":false}]]'),
    (library.decode, f'[[{{"key":"K","values":["{G}~4~\\ud800"],"useDefault":false}}]]'),
    (definitions.decode, '[{"key":"K","type":"VALUE","title":"\\ud800","required":true}]'),
]


@pytest.mark.parametrize(("decode", "source"), SURROGATE_SOURCES)
def test_lone_surrogates_never_enter_the_model(decode: Callable[[Any], Any], source: Any) -> None:
    with pytest.raises(DecodeError):
        decode(source)


_TEXT_FIELDS: list[Callable[[str], Any]] = [
    lambda t: ValueAnswer(value=t, prompt=PromptRef(key=KEY)),
    lambda t: ValueAnswer(value=("a", t), prompt=PromptRef(key=KEY)),
    lambda t: ValueAnswer(value="v", prompt=PromptRef(key=t or "k")),
    lambda t: ValueAnswer(value="v", prompt=PromptRef(id=t or "i")),
    lambda t: ValueAnswer(value="v", prompt=PromptRef(name=t)),
    lambda t: ObjectAnswer(prompt=PromptRef(key=KEY), objects=(ObjectRef(id=G, type=4, name=t),)),
    lambda t: ObjectAnswer(prompt=PromptRef(key=KEY), objects=(ObjectRef(id=t or "i", type=4),)),
    # The codec of <exp> makes answers of stored XML (issue 22: the model reads none).
    lambda t: expression_xml.answer("<exp/>", prompt=PromptRef(key=KEY), content=t),
    lambda t: LevelAnswer(
        prompt=PromptRef(key=KEY),
        units=(
            LevelUnit(
                id=G, type=1048578, name=t, aggregation=1, filtering=1, group_by=1, report_level=1
            ),
        ),
    ),
]


@pytest.mark.parametrize("make", _TEXT_FIELDS)
@given(hostile_texts(max_size=8))
def test_hostile_text_in_every_field_is_refused_or_carried(
    make: Callable[[str], Any], text: str
) -> None:
    try:
        answer = make(text)
    except (ValidationError, DecodeError):
        return  # a lone surrogate, or an empty required field (or <exp>, refused by its codec)
    assert "\ud800" not in text and "\udfff" not in text
    answers = AnswerSet(answers=(answer,))
    _round_trips(answers)


@given(xml_texts(min_size=1, max_size=10))
def test_xml_carries_every_xml_text_in_every_text_field(text: str) -> None:
    answers = AnswerSet(
        answers=(
            ValueAnswer(value=text, type="string", prompt=PromptRef(key=KEY)),
            ObjectAnswer(
                prompt=PromptRef(key=f"{ATTR}@1@10"),
                objects=(ObjectRef(id=G, type=4, name=text or None),),
            ),
        )
    )
    assert xml.decode(xml.encode(answers)) == answers


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028", "\ufffe", "\uffff"]
)
def test_controls_xml_cannot_carry_are_not_representable(char: str) -> None:
    answers = AnswerSet(
        answers=(ValueAnswer(value=f"a{char}b", type="string", prompt=PromptRef(key=KEY)),)
    )
    try:
        written = xml.encode(answers)
    except NotRepresentableError as exc:
        assert exc.target == "xml"
        return
    assert xml.decode(written) == answers


@pytest.mark.parametrize(
    "key", [f"{G}@²@10", f"{G}@٣@10", f"{G}@0@３", f"{G}@0@{HUGE}", f"{G}@{HUGE}@10"]
)
def test_keys_with_odd_digits_stay_keys(key: str) -> None:
    typed = AnswerSet(answers=(ValueAnswer(value="v", type="string", prompt=PromptRef(key=key)),))
    written = _library_error_or(lambda: xml.encode(typed))
    if written is not None:
        assert xml.decode(written) == typed
    answers = AnswerSet(answers=(ValueAnswer(value="v", prompt=PromptRef(key=key)),))
    assert rest.decode(rest.encode(answers)) == answers
    assert library.decode(library.encode(answers)) == answers


# --- XML bytes: the encoding is read right or refused, never guessed --------------------

_BODY = f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">é€ü</pa></rsl>'
_LATIN_BODY = f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">éü</pa></rsl>'


def _decl(name: str) -> str:
    return f'<?xml version="1.0" encoding="{name}"?>'


@pytest.mark.parametrize(
    "data",
    [
        _BODY.encode("utf-8"),
        codecs.BOM_UTF8 + _BODY.encode("utf-8"),
        _BODY.encode("utf-16"),
        _BODY.encode("utf-16-le"),
        _BODY.encode("utf-16-be"),
        _BODY.encode("utf-32"),
        _BODY.encode("utf-32-le"),
        _BODY.encode("utf-32-be"),
        (_decl("UTF-16") + _BODY).encode("utf-16"),
        (_decl("UTF-16") + _BODY).encode("utf-16-be"),
        (_decl("UTF-8") + _BODY).encode("utf-32"),
        (_decl("ISO-8859-1") + _BODY).encode("utf-16"),  # the mark decides
        (_decl("windows-1252") + _BODY).encode("cp1252"),
        (_decl("cp1252") + _BODY).encode("cp1252"),
        (_decl("Shift_JIS") + f'<rsl><pa pt="3" pin="0" did="{G}" tp="10">名前</pa></rsl>').encode(
            "shift_jis"
        ),
        (_decl("ISO-8859-1") + _LATIN_BODY).encode("latin-1"),
        (_decl("latin1") + _LATIN_BODY).encode("latin-1"),
    ],
)
def test_xml_bytes_in_their_encoding_are_read_right(data: bytes) -> None:
    value = xml.decode(data)[0].value  # type: ignore[union-attr]
    assert value in ("é€ü", "éü", "名前")


@pytest.mark.parametrize(
    "data",
    [
        (_decl("ISO-8859-1") + _BODY).encode("utf-8"),  # é would become Ã©
        (_decl("windows-1252") + _BODY).encode("utf-8"),
        (_decl("Shift_JIS") + _BODY).encode("utf-8"),
        (_decl("ISO-8859-1") + _BODY).encode("cp1252"),  # € would be the control U+0080
        (_decl("UTF-16") + _BODY).encode("utf-8"),
        (_decl("UTF-32") + _BODY).encode("utf-8"),
        (_decl("UTF-7") + _BODY).encode("utf-8"),
        (
            _decl("UTF-7")
            + f'<rsl>+ADw-pa pt="3" pin="0" did="{G}" tp="10"+AD4-x+ADw-/pa+AD4-</rsl>'
        ).encode(),
        (_decl("unicode_escape") + _LATIN_BODY).encode("latin-1"),
        (_decl("raw_unicode_escape") + _LATIN_BODY).encode("latin-1"),
        (_decl("punycode") + _LATIN_BODY).encode("latin-1"),
        (_decl("idna") + _BODY).encode("utf-8"),
        (_decl("base64") + _BODY).encode("utf-8"),
        (_decl("rot13") + _BODY).encode("utf-8"),
        (_decl("x-no-such") + _BODY).encode("utf-8"),
        (_decl("EBCDIC-US") + _BODY).encode("utf-8"),
        (_decl("cp500") + _LATIN_BODY).encode("cp500"),
        (_decl("ascii") + _BODY).encode("utf-8"),
        _BODY.encode("cp1252"),  # no declaration: must be UTF-8
        codecs.BOM_UTF8 + _BODY.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + _BODY.encode("utf-16-le"),
        codecs.BOM_UTF32_LE + _BODY.encode("utf-8"),
        b"\x00\x00\x00",
        b"\xff\xfe",
    ],
)
def test_xml_bytes_that_lie_are_refused(data: bytes) -> None:
    with pytest.raises(DecodeError):
        xml.decode(data)


@pytest.mark.parametrize(
    "name", ["ISO-8859-1", "UTF-16", "UTF-7", "Shift_JIS", "EBCDIC-US", "base64"]
)
def test_xml_text_is_never_re_decoded_by_its_declaration(name: str) -> None:
    answers = xml.decode(_decl(name) + _BODY)
    assert answers[0].value == "é€ü"  # type: ignore[union-attr]


@given(
    st.sampled_from(
        [
            "utf-8",
            "utf-16",
            "utf-16-le",
            "utf-16-be",
            "utf-32",
            "utf-32-le",
            "utf-32-be",
            "utf-8-sig",
        ]
    ),
    st.sampled_from(["", _decl("UTF-8"), _decl("UTF-16"), _decl("ISO-8859-1"), _decl("UTF-7")]),
    xml_texts(min_size=1, max_size=10),
)
def test_xml_bytes_are_read_right_or_refused(encoding: str, declaration: str, text: str) -> None:
    answers = AnswerSet(
        answers=(ValueAnswer(value=text, type="string", prompt=PromptRef(key=KEY)),)
    )
    data = (declaration + xml.encode(answers)).encode(encoding, "surrogatepass")
    try:
        back = xml.decode(data)
    except DecodeError:
        return
    assert back == answers


# --- linear time on adversarial separators: sizes asserted, never timings -------------
# A million characters of each; a quadratic path would not finish.

_BIG = 1_000_000


@pytest.mark.parametrize(
    ("decode", "text"),
    [
        (library.decode, "[[" + "{" * 2 + "]]"),
        (library.decode, json.dumps([[{"key": KEY, "values": ["~" * _BIG], "useDefault": False}]])),
        (
            library.decode,
            json.dumps(
                [
                    [
                        {
                            "key": KEY,
                            "values": [f"{G}~1048578~" + "~1" * (_BIG // 2)],
                            "useDefault": False,
                        }
                    ]
                ]
            ),
        ),
        (
            library.decode,
            json.dumps(
                [[{"key": KEY, "values": ["a~1" * (_BIG // 3) + "x"], "useDefault": False}]]
            ),
        ),
        (library.decode, "prompts=" + "%5B" * (_BIG // 3)),
        (xml.decode, "<rsl>" + "<pa/>" * (_BIG // 5) + "</rsl>"),
        (xml.decode, "%3C" * (_BIG // 3)),
        (xml.decode, "&lt;" * (_BIG // 4)),
        (rest.decode, '{"prompts":[' + '{"key":"K","type":"VALUE","answers":"a"},' * 20000 + "1]}"),
        (url.decode, "valuePromptAnswers=a&" + "elementPromptAnswers=x&" * (_BIG // 23)),
        (url.decode, "prompt" * (_BIG // 6)),
        (url.decode, "%253D" * (_BIG // 5)),
        (url.decode, "elementsPromptAnswers=" + f"{ATTR};" * (_BIG // 33)),
        (url.decode, "objectsPromptAnswers=" + "~" * _BIG),
    ],
)
def test_decoders_stay_linear_on_adversarial_separators(
    decode: Callable[[str], Any], text: str
) -> None:
    result = _library_error_or(lambda: decode(text))
    assert result is None or len(result) <= len(text)


@pytest.mark.parametrize(
    "message",
    [
        "prompt name: " * (_BIG // 13),
        "prompt name: x key: " * (_BIG // 20),
        "Failed to locate the prompt by either key: " * (_BIG // 43),
        "for prompt " * (_BIG // 11),
        "prompt name: " + "x" * _BIG + " key: K@0@10.",
    ],
)
def test_server_messages_are_read_in_linear_time(message: str) -> None:
    error = AnswersRejectedByServer(
        "PUT /x", status=400, code_text="ERR006", server_message=message
    )
    assert error.prompt_key is None or len(error.prompt_key) < len(message)


def test_server_message_names_are_still_read() -> None:
    error = AnswersRejectedByServer(
        "PUT /x",
        status=400,
        code_text="ERR006",
        server_message="The value for prompt name: Year key: K@0@10. is out of range",
    )
    assert (error.prompt_name, error.prompt_key) == ("Year", "K@0@10")
    located = AnswersRejectedByServer(
        "PUT /x",
        status=400,
        code_text="ERR006",
        server_message="Failed to locate the prompt by either name: Region, please verify",
    )
    assert located.prompt_name == "Region"


# --- order and trailing spaces ---------------------------------------------------------


def test_xml_url_xml_with_fallback_keeps_the_order() -> None:
    # Every answer is keyed, so every one moves to promptsAnswerXML, in its order.
    source = (
        f'<rsl><pa pt="5" pin="4" did="{G}" tp="10">2020-01-01</pa>'
        f'<pa pt="3" pin="1" did="{G}" tp="10">a</pa>'
        f'<pa pt="6" pin="3" did="{G}" tp="10"><mi><fct><mt did="{ATTR}" tp="4"/></fct></mi></pa>'
        f'<pa pt="2" pin="0" did="{G}" tp="10">7</pa>'
        f'<pa pt="3" pin="2" did="{G}" tp="10"></pa></rsl>'
    )
    answers = xml.decode(source)
    back = url.decode(url.encode_query(answers, fallback="xml"))
    assert back == answers
    assert xml.decode(xml.encode(back)) == answers


_ORDERED = [
    f'<pa pt="5" pin="4" did="{G}" tp="10">2020-01-01</pa>',
    f'<pa pt="3" pin="1" did="{G}" tp="10">a</pa>',
    f'<pa pt="6" pin="3" did="{G}" tp="10"><mi><fct><mt did="{ATTR}" tp="4"/></fct></mi></pa>',
    f'<pa pt="2" pin="0" did="{G}" tp="10">7</pa>',
    f'<pa pt="3" pin="2" did="{G}" tp="10"></pa>',
    f'<pa pt="8" pin="5" did="{G}" tp="10"><exp nc="1"><nd et="1" nt="4" dmt="1" ddt="-1"/></exp></pa>',
    f'<pa pt="16" pin="6" did="{G}" tp="10">1.5</pa>',
    f'<pa pt="4" pin="7" did="{G}" tp="10">2.5</pa>',
]


@pytest.mark.parametrize("rotation", range(len(_ORDERED)))
@pytest.mark.parametrize("reverse", [False, True])
def test_fallback_keeps_any_order(rotation: int, reverse: bool) -> None:
    pas = _ORDERED[rotation:] + _ORDERED[:rotation]
    if reverse:
        pas.reverse()
    answers = xml.decode("<rsl>" + "".join(pas) + "</rsl>")
    back = url.decode(url.encode_query(answers, fallback="xml"))
    assert [a.prompt.key for a in back] == [a.prompt.key for a in answers]
    assert xml.decode(xml.encode(back)) == answers


@pytest.mark.parametrize("end", ["\xa0", " ", "\u3000", "\t", "\u200b"])
def test_trailing_spaces_survive_every_format(end: str) -> None:
    typed = AnswerSet(
        answers=(ValueAnswer(value="a" + end, prompt=PromptRef(key=KEY), type="string"),)
    )
    assert xml.decode(xml.encode(typed)) == typed
    answers = AnswerSet(answers=(ValueAnswer(value="a" + end, prompt=PromptRef(key=KEY)),))
    assert rest.decode(rest.encode(answers)) == answers
    assert library.decode(library.encode(answers)) == answers
    positional = AnswerSet(answers=(ValueAnswer(value="a" + end, prompt=PromptRef(position=1)),))
    assert url.decode(url.encode_query(positional)) == positional


# --- issue 13 defect 5, expression and level half (landed with issue 10b) --------------


@pytest.mark.parametrize(
    "tree", ['<exp nc="0"/>', "<exp/>", '<exp nc="0"></exp>', '<exp nc="0"> </exp>']
)
def test_an_empty_expression_never_becomes_close(tree: str) -> None:
    body = {"prompts": [{"key": KEY, "type": "EXPRESSION", "answers": {"xml": tree}}]}
    try:
        answers = rest.decode(body)
    except DecodeError:
        return
    back = xml.decode(xml.encode(answers))
    # The conversion never changes the meaning: an answer stays an answer ...
    assert back == answers
    # ... and only a body with nothing in it at all is REST's documented "no answer"
    # (definitions write "<exp></exp>"), read as Close before any conversion.
    assert isinstance(answers[0], Close) == (tree == "<exp/>")


def test_an_empty_level_never_becomes_close() -> None:
    answers = AnswerSet(answers=(LevelAnswer(prompt=PromptRef(key=KEY), xml='<dmy a="1"/>'),))
    back = xml.decode(xml.encode(answers))
    assert not isinstance(back[0], Close)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LevelAnswer(prompt=PromptRef(key=KEY), definition=[1, 2]),
        lambda: ExpressionAnswer(prompt=PromptRef(key=KEY), expression=[1]),
        lambda: ExpressionAnswer(prompt=PromptRef(key=KEY), xml=""),
    ],
)
def test_the_model_refuses_what_no_format_carries(make: Callable[[], Any]) -> None:
    with pytest.raises(ValidationError):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: expression_xml.answer("not xml", prompt=PromptRef(key=KEY)),
        lambda: expression_xml.answer("<rsl/>", prompt=PromptRef(key=KEY)),
    ],
)
def test_the_codec_of_exp_refuses_what_no_format_carries(make: Callable[[], Any]) -> None:
    """Issue 22 moved these checks from the model to the codec every decoder uses."""
    with pytest.raises(DecodeError):
        make()


@pytest.mark.parametrize("stored", ["not xml", "<rsl/>", "<exp/>", "<dmy><x/></dmy>"])
@pytest.mark.parametrize("codec", [rest, xml, library])
def test_encoders_refuse_stored_exp_the_model_keeps_opaque(stored: str, codec: Any) -> None:
    """A hand-built answer's <exp> text is opaque to the model; every encoder that writes
    it checks it, so bad text never leaves as an answer (or as a closed prompt)."""
    answers = AnswerSet(answers=(ExpressionAnswer(prompt=PromptRef(key=KEY), xml=stored),))
    with pytest.raises(NotRepresentableError, match="stored"):
        codec.encode(answers)


@pytest.mark.parametrize(
    ("decoder", "body", "message"),
    [
        (rest.decode, _rest_with("level unit", "1e400"), "holds a number out of range"),
        (rest.decode, _rest_with("expression", "1e400"), "holds a number out of range"),
        (rest.decode, _rest_with("object type", "1e400"), "not the number 1e400, which is out"),
        (rest.decode, _rest_with("object type", "4.5"), "whole number .* not the number 4.5"),
        (
            definitions.decode,
            '[{"key":"K","type":"VALUE","dataType":1e400,"required":true}]',
            "dataType must be a whole number .* not the number 1e400",
        ),
    ],
)
def test_out_of_range_numbers_are_named_in_our_words(decoder: Any, body: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as caught:
        decoder(body)
    assert "JSON compliant" not in str(caught.value)
