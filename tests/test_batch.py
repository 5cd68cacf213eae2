"""mstr_prompts.batch: one result per record, in order, each equal to converting it alone."""

from __future__ import annotations

import io
import json
import pickle
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstr_prompts import batch, formats, library, limits, rest, url, xml
from mstr_prompts.batch import Options, Record, RecordId
from mstr_prompts.errors import (
    DecodeError,
    InputTooLarge,
    NotRepresentableError,
    PromptAnswerError,
    PromptsOutstanding,
)
from mstr_prompts.model import AnswerSet, PromptRef
from mstr_prompts.strategies import library_answer_sets, rest_answer_sets, xml_answer_sets

FIXTURES = Path(__file__).parent.parent / "fixtures"
KEYED_XML = "<rsl><pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>Web</pa></rsl>"
REST_BODY = '{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "1.50"}]}'
LIBRARY = "prompts=%5B%5B%7B%22key%22%3A%22K%400%4010%22%2C%22values%22%3A%5B%222016%22%5D%2C%22useDefault%22%3Afalse%7D%5D%5D"
WEB = "http://host/MicroStrategy/servlet/mstrWeb?evt=4001&valuePromptAnswers=2015%5eSouth"

DECODERS: dict[str, Callable[[str], AnswerSet]] = {
    "rest": rest.decode,
    "xml": lambda t: xml.decode(t.strip()),
    "url": lambda t: url.decode(t.strip()),
    "library": lambda t: library.decode(t.strip()),
}


def alone(text: str, target: str = "rest") -> tuple[str, str]:
    """Convert one record the plain way: ("ok", output) or ("error", the error's line)."""
    try:
        fmt = formats.detect(text)
        if fmt == "definitions":
            raise DecodeError(
                "the record is prompt definitions (GET …/prompts), not answers", where="auto"
            )
        answers = DECODERS[fmt](text)
        if target == "rest":
            return ("ok", rest.dumps(answers, ignore_locale=True))
        if target == "xml":
            return ("ok", xml.encode(answers))
        if target == "url":
            query = url.encode_query(answers, ignore_locale=True)
            if not query:  # convert --to url refuses an empty set: url.decode refuses ""
                return ("error", f"url: {batch.NO_URL_ANSWERS}")
            return ("ok", query)
        return ("ok", library.encode(answers, ignore_locale=True))
    except PromptAnswerError as exc:
        return ("error", exc.render())


def outcome(result: batch.Result) -> tuple[str, str]:
    if result.error is not None:
        return ("error", result.error.cause.render())
    assert result.output is not None
    return ("ok", result.output)


def fixture_texts() -> list[str]:
    texts = []
    for path in sorted((FIXTURES / "xml").glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        texts += [text, urllib.parse.quote(text, safe=""), urllib.parse.quote_plus(text)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "url").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "rest").glob("*.json"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "library").glob("*.json"))]
    return texts


FIXTURE_TEXTS = fixture_texts()


# ----------------------------------------------------------------------------- API


def test_results_come_in_input_order_with_the_record_named() -> None:
    texts = [KEYED_XML, "<rsl><pa>", REST_BODY, WEB, LIBRARY]
    results = list(batch.convert(texts, target="rest"))
    assert [r.record.position for r in results] == [1, 2, 3, 4, 5]
    assert [r.ok for r in results] == [True, False, True, False, True]
    bad = results[1].error
    assert bad is not None and bad.code == "bad_input"
    assert str(bad).startswith("record 2: xml: not well-formed XML")
    positional = results[3].error
    assert positional is not None and positional.code == "not_representable"
    assert isinstance(positional.cause, NotRepresentableError)
    assert (
        results[2].output == '{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "1.50"}]}'
    )


def test_every_fixture_converts_as_it_does_alone() -> None:
    for target in ("rest", "xml", "url", "library"):
        results = batch.convert(FIXTURE_TEXTS, target=target, ignore_locale=True)
        assert [outcome(r) for r in results] == [alone(t, target) for t in FIXTURE_TEXTS], target


def test_jobs_give_the_same_results_in_the_same_order() -> None:
    texts = FIXTURE_TEXTS * 3 + ["<rsl><pa>", "x" * 50]
    one = [outcome(r) for r in batch.convert(texts, ignore_locale=True)]
    many = list(batch.convert(texts, jobs=2, chunk=7, ignore_locale=True))
    assert [outcome(r) for r in many] == one
    assert [r.record.position for r in many] == list(range(1, len(texts) + 1))
    # The errors crossed a process boundary intact (structure and hint).
    failed = [r.error for r in many if r.error is not None]
    assert failed and all(isinstance(e.cause, PromptAnswerError) for e in failed)


def test_records_keep_their_identifiers() -> None:
    records = [
        Record(KEYED_XML, RecordId(file="a.csv", line=7, id="SUB-1")),
        Record("<rsl>", RecordId(file="b.txt", line=2)),
    ]
    results = list(batch.convert(records, source="xml"))
    assert results[0].record == RecordId(file="a.csv", line=7, id="SUB-1")
    assert str(results[1].error).startswith("b.txt:2: xml: ")
    assert results[0].record.fields() == {"file": "a.csv", "line": 7, "id": "SUB-1"}


def test_parsed_json_records_and_bytes() -> None:
    body = json.loads(REST_BODY)
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?>' + KEYED_XML.replace("Web", "café")
    results = list(
        batch.convert([body, latin.encode("latin-1"), [[]], {"valuePromptAnswers": "1"}])
    )
    assert results[0].output is not None and '"answers": "1.50"' in results[0].output
    assert results[1].output is not None and "café" in results[1].output
    assert results[2].output == '{"prompts": []}'
    assert results[3].error is not None and results[3].error.code == "not_representable"


def test_json_lines_records_read_objects_from_their_own_text() -> None:
    """A REST body in a JSON line keeps its number's digits (1.50, not 1.5)."""
    record = Record(
        b'{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": 1.50}]}\n', json=True
    )
    result = batch.convert_record(record, Options())
    assert result.output == '{"prompts": [{"key": "K@0@10", "type": "VALUE", "answers": "1.50"}]}'
    number = batch.convert_record(Record(b"42", json=True), Options())
    assert number.error is not None and "not int" in number.error.message


def test_definitions_and_options_apply_to_every_record() -> None:
    from mstr_prompts import definitions

    defs = definitions.decode(
        '[{"key": "A@0@10", "type": "VALUE", "required": true, "dataType": "text"},'
        ' {"key": "B@0@10", "type": "VALUE", "required": false, "dataType": "text"}]'
    )
    texts = ["valuePromptAnswers=x^y", "valuePromptAnswers=x"]
    results = list(
        batch.convert(texts, source="url", target="rest", definitions=defs, missing="error")
    )
    assert results[0].output is not None and '"key": "A@0@10"' in results[0].output
    assert results[1].error is not None and results[1].error.code == "rejected"
    with pytest.raises(ValueError, match="missing needs definitions"):
        batch.convert([], missing="default")


def test_locale_warnings_travel_with_the_result() -> None:
    text = '<rsl lcl="1031"><pa pt="5" pin="0" did="2294C41E44244ADAED930CB4E00A9DA0" tp="10">1,5</pa></rsl>'
    (result,) = batch.convert([text], target="rest")
    assert (
        result.ok and result.warnings and "--ignore-locale" in result.warnings[0].render(cli=True)
    )
    (quiet,) = batch.convert([text], target="rest", ignore_locale=True)
    assert quiet.ok and quiet.warnings == ()


def test_the_window_is_bounded() -> None:
    """Records are taken from the iterable only as results are taken."""
    taken = 0

    def records() -> Any:
        nonlocal taken
        while True:
            taken += 1
            yield KEYED_XML

    results = batch.convert(records(), jobs=2, chunk=10)
    for _ in range(5):
        next(results)
    assert taken <= 2 * 2 * 10 + 10
    results.close()  # type: ignore[attr-defined]
    single = batch.convert(records())
    taken = 0
    next(single)
    assert taken == 1


# ------------------------------------------------------------------------ size limit


def test_the_limit_holds_before_percent_decoding() -> None:
    encoded = urllib.parse.quote(KEYED_XML, safe="")
    assert len(encoded) > 100 > len(KEYED_XML)
    for decode in (xml.decode, url.decode, library.decode, rest.decode):
        with pytest.raises(InputTooLarge, match="over the 100-character limit"):
            decode(encoded, max_size=100)
    assert xml.decode(encoded, max_size=len(encoded)) == xml.decode(KEYED_XML)
    with pytest.raises(InputTooLarge, match="bytes is over the 10-byte limit"):
        xml.decode(KEYED_XML.encode(), max_size=10)


def test_the_limit_is_raised_for_inner_decoders_too() -> None:
    inner = (
        "<rsl>"
        + "<pa pt='3' pin='0' did='2294C41E44244ADAED930CB4E00A9DA0' tp='10'>x</pa>" * 3
        + "</rsl>"
    )
    link = "promptsAnswerXML=" + urllib.parse.quote(inner, safe="")
    with limits.allowing(200), pytest.raises(InputTooLarge):
        url.decode(link)
    assert len(url.decode(link, max_size=len(link))) == 3
    assert limits.current() == limits.MAX_SIZE


def test_records_over_the_limit_fail_alone() -> None:
    texts = [KEYED_XML, KEYED_XML * 20, KEYED_XML]
    results = list(batch.convert(texts, max_size=len(KEYED_XML) + 10))
    assert [r.ok for r in results] == [True, False, True]
    error = results[1].error
    assert error is not None and error.code == "too_large"
    assert error.hint is not None and "max_size" in error.hint


def test_errors_pickle_whole() -> None:
    for error in (
        InputTooLarge(5, 4, unit="byte", where="xml"),
        PromptsOutstanding([PromptRef(key="K@0@10")], "no answer"),
        NotRepresentableError("no", prompt="p", target="url"),
        batch.RecordError(RecordId(line=3), DecodeError("bad", where="xml")),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.__dict__.keys() == error.__dict__.keys()


def test_rest_dumps_is_compact_by_default() -> None:
    answers = rest.decode(REST_BODY)
    assert rest.dumps(answers) == json.dumps(rest.encode(answers), ensure_ascii=False)
    assert "\n" not in rest.dumps(
        xml.decode((FIXTURES / "xml" / "f11-element-four-categories.xml").read_text())
    )
    assert rest.dumps(answers, indent=2).startswith('{\n  "prompts": [')


# --------------------------------------------------------------------------- readers


def test_jsonl_reader_counts_lines_as_editors_do() -> None:
    data = b'\xef\xbb\xbf"a"\n\n  \r\n{"prompts": []}\r\n"b"'
    records = list(batch.read_jsonl(io.BytesIO(data), name="x.jsonl"))
    assert [(r.where.line, r.data.strip()) for r in records] == [  # type: ignore[union-attr]
        (1, b'"a"'),
        (4, b'{"prompts": []}'),
        (5, b'"b"'),
    ]


def test_jsonl_reader_skips_lines_over_the_limit() -> None:
    data = b'"a"\n"' + b"x" * 100 + b'"\n"b"\n' + b"y" * 12 + b"\n"
    records = list(batch.read_jsonl(io.BytesIO(data), max_size=12))
    assert [r.where.line for r in records] == [1, 2, 3, 4]
    assert isinstance(records[1].data, InputTooLarge) and records[1].data.size == 102
    assert records[3].data == b"y" * 12  # exactly the limit is within it


def test_endless_lines_are_refused_whole() -> None:
    class Zeros(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

    with pytest.raises(InputTooLarge, match="a line"):
        list(batch.read_jsonl(io.BufferedReader(Zeros()), max_size=1000))
    with pytest.raises(InputTooLarge, match="a CSV row"):
        list(batch.read_csv(io.BufferedReader(Zeros()), column="a", max_size=1000))


CSV_CASES = [
    # quoting: commas, doubled quotes, CRLF and LF line breaks inside a field
    (
        b'id,a\r\n1,"x,y"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n4,"lf\nonly"\n5,plain\n',
        [
            (2, "1", "x,y"),
            (3, "2", 'say "hi"'),
            (4, "3", "two\r\nlines"),
            (6, "4", "lf\nonly"),
            (8, "5", "plain"),
        ],
    ),
    # a byte-order mark before the header; blank lines skipped but counted
    (b"\xef\xbb\xbfid,a\n\n1,v\n\n2,w\n", [(3, "1", "v"), (5, "2", "w")]),
    # the column may come first and hold the only quotes; no newline at the end
    (b'a,id\n"q""",9', [(2, "9", 'q"')]),
    # an empty field is a record (whose conversion says it is empty)
    (b"id,a\n1,\n", [(2, "1", "")]),
]


@pytest.mark.parametrize(("data", "expected"), CSV_CASES)
def test_csv_reader_follows_rfc_4180(data: bytes, expected: list[tuple[int, str, str]]) -> None:
    records = list(batch.read_csv(io.BytesIO(data), column="a", id_column="id"))
    assert [(r.where.line, r.where.id, r.data) for r in records] == expected


def test_csv_reader_leaves_the_stream_open() -> None:
    stream = io.BytesIO(b"a\nx\n")
    assert [r.data for r in batch.read_csv(stream, column="a")] == ["x"]
    assert not stream.closed


def test_csv_rows_that_cannot_be_read_are_records_too() -> None:
    data = (
        b'id,a\n1,short\n2\n3,"' + b"z" * 50 + b'\nstill z"\n4,after\n5,' + b"w" * 40 + b"\n6,end\n"
    )
    records = list(batch.read_csv(io.BytesIO(data), column="a", id_column="id", max_size=30))
    assert [r.where.line for r in records] == [2, 3, 4, 6, 7, 8]
    kinds = [type(r.data).__name__ for r in records]
    assert kinds == ["str", "DecodeError", "InputTooLarge", "str", "InputTooLarge", "str"]
    assert [r.data for r in records if isinstance(r.data, str)] == ["short", "after", "end"]
    with pytest.raises(DecodeError, match="no column 'b'"):
        list(batch.read_csv(io.BytesIO(b"id,a\n1,x\n"), column="b"))


# ------------------------------------------------------------------------ property


def _texts_of(answers: AnswerSet, fmt: str) -> str:
    try:
        if fmt == "xml":
            return xml.encode(answers)
        if fmt == "rest":
            return rest.dumps(answers, ignore_locale=True)
        if fmt == "library":
            return library.encode(answers, ignore_locale=True)
        return urllib.parse.quote(xml.encode(answers), safe="")
    except PromptAnswerError:
        return "<rsl><pa>"


records_strategy = st.lists(
    st.one_of(
        st.sampled_from(FIXTURE_TEXTS),
        st.builds(_texts_of, xml_answer_sets(), st.just("xml")),
        st.builds(_texts_of, xml_answer_sets(), st.just("percent")),
        st.builds(_texts_of, rest_answer_sets(), st.just("rest")),
        st.builds(_texts_of, library_answer_sets(), st.just("library")),
        st.text(max_size=30),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records_strategy, st.sampled_from(["rest", "xml", "url", "library"]))
def test_batch_equals_each_record_alone(texts: list[str], target: str) -> None:
    results = list(batch.convert(texts, target=target, ignore_locale=True))  # type: ignore[arg-type]
    assert [r.record.position for r in results] == list(range(1, len(texts) + 1))
    assert [outcome(r) for r in results] == [alone(text, target) for text in texts]
