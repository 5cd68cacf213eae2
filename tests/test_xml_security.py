"""Hostile prompt-answer XML: every attack is a DecodeError that reads no file and no network.

The inputs are chosen so that an unsafe parser would visibly misbehave (leak the secret
file, try to connect, expand entities exponentially); no timing is asserted.
"""

from __future__ import annotations

import builtins
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstr_prompts import safexml
from mstr_prompts.errors import DecodeError
from mstr_prompts.strategies import xml_texts
from mstr_prompts.xml import decode

SECRET = "s3cr3t-4f1c9e-do-not-leak"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_network_no_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test on any connection attempt; record every Python-level file open."""
    opened: list[str] = []
    real_open = builtins.open

    def connect(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"network access attempted: {address!r}")

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(builtins, "open", recording_open)
    yield opened
    assert not [f for f in opened if "secret" in f], opened


def _attacks(secret: Path) -> dict[str, str]:
    uri = secret.as_uri()
    return {
        "xxe-file": (
            f'<!DOCTYPE rsl [<!ENTITY x SYSTEM "{uri}">]>'
            '<rsl><pa pt="3" pin="0" did="D" tp="10">&x;</pa></rsl>'
        ),
        "xxe-etc-passwd": (
            '<!DOCTYPE rsl [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<rsl><pa pt="3" pin="0" did="D" tp="10">&x;</pa></rsl>'
        ),
        "xxe-http": (
            '<!DOCTYPE rsl [<!ENTITY x SYSTEM "http://127.0.0.1:9/evil">]>'
            '<rsl><pa pt="3" pin="0" did="D" tp="10">&x;</pa></rsl>'
        ),
        "xxe-in-attribute": (
            f'<!DOCTYPE rsl [<!ENTITY x SYSTEM "{uri}">]>'
            '<rsl><pa pt="7" pin="0" did="D" tp="10"><mi><es>'
            '<e ei="8D679D3711D3E4981000E787EC6DE8A4:1" disp_n="&x;"/></es></mi></pa></rsl>'
        ),
        "parameter-entity": (
            f'<!DOCTYPE rsl [<!ENTITY % p SYSTEM "{uri}"> %p;]>'
            '<rsl><pa pt="3" pin="0" did="D" tp="10">x</pa></rsl>'
        ),
        "parameter-entity-http": (
            '<!DOCTYPE rsl [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><rsl/>'
        ),
        "external-dtd": '<!DOCTYPE rsl SYSTEM "http://127.0.0.1:9/evil.dtd"><rsl/>',
        "external-dtd-file": f'<!DOCTYPE rsl SYSTEM "{uri}"><rsl/>',
        "billion-laughs": (
            '<!DOCTYPE rsl [<!ENTITY a "lollollollollollollollollollol">'
            + "".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
            )
            + ']><rsl><pa pt="3" pin="0" did="D" tp="10">&j;</pa></rsl>'
        ),
        "plain-dtd": "<!DOCTYPE rsl><rsl/>",
        "internal-entity": (
            '<!DOCTYPE rsl [<!ENTITY x "y">]><rsl><pa pt="3" pin="0" did="D" tp="10">&x;</pa></rsl>'
        ),
        "xinclude": (
            '<rsl xmlns:xi="http://www.w3.org/2001/XInclude"><pa pt="3" pin="0" did="D" tp="10">'
            f'<xi:include href="{uri}" parse="text"/></pa></rsl>'
        ),
        "undeclared-entity": '<rsl><pa pt="3" pin="0" did="D" tp="10">&nbsp;</pa></rsl>',
        "bare-pa-xxe": (
            f'<!DOCTYPE pa [<!ENTITY x SYSTEM "{uri}">]><pa pt="3" pin="0" did="D" tp="10">&x;</pa>'
        ),
    }


ATTACK_NAMES = sorted(_attacks(Path("/nonexistent")).keys())


@pytest.mark.parametrize("name", ATTACK_NAMES)
@pytest.mark.parametrize("transport", ["raw", "percent", "double-percent", "bytes"])
def test_attack_is_refused_without_reading_or_connecting(
    name: str, transport: str, secret_file: Path
) -> None:
    text = _attacks(secret_file)[name]
    payloads: dict[str, str | bytes] = {
        "raw": text,
        "percent": quote(text, safe=""),
        "double-percent": quote(quote(text, safe=""), safe=""),
        "bytes": text.encode("utf-8"),
    }
    payload = payloads[transport]
    with pytest.raises(DecodeError) as info:
        decode(payload)
    message = str(info.value)
    assert SECRET not in message
    assert "root:" not in message  # nothing of /etc/passwd
    assert message.startswith("xml")


@pytest.mark.parametrize("name", ["plain-dtd", "billion-laughs", "xxe-file", "external-dtd"])
def test_dtd_messages_say_why(name: str, secret_file: Path) -> None:
    with pytest.raises(DecodeError, match="a DTD is not allowed"):
        decode(_attacks(secret_file)[name])


def test_secret_is_readable_so_the_test_means_something(secret_file: Path) -> None:
    assert secret_file.read_text(encoding="utf-8") == SECRET


def test_oversized_input_is_refused_before_parsing() -> None:
    # A valid document just over the limit: an unlimited parser would accept it.
    head = '<rsl><pa pt="3" pin="0" did="D" tp="10">'
    tail = "</pa></rsl>"
    filler = "x" * (safexml.MAX_XML_CHARS - len(head) - len(tail) + 1)
    text = head + filler + tail
    assert len(text) > safexml.MAX_XML_CHARS
    with pytest.raises(DecodeError, match=r"over the \d+-character limit"):
        decode(text)
    del text, filler


def test_oversized_bare_fragment_is_refused() -> None:
    text = '<pa pt="3" pin="0" did="D" tp="10">' + "x" * safexml.MAX_XML_CHARS + "</pa>"
    with pytest.raises(DecodeError, match="character limit"):
        decode(text)


def test_deep_nesting_is_refused_or_parsed_without_crashing() -> None:
    depth = 100_000
    text = '<rsl><pa pt="8" pin="0" did="D" tp="10"><exp>' + "<nd>" * depth
    text += "</nd>" * depth + "</exp></pa></rsl>"
    with pytest.raises(DecodeError):
        decode(text)


def test_xinclude_is_not_processed(secret_file: Path) -> None:
    # The XInclude element is an unknown body element: refused, never followed.
    with pytest.raises(DecodeError, match="unexpected"):
        decode(_attacks(secret_file)["xinclude"])


# --- encoding declarations (issue 13): text is never re-decoded, bytes never garbled --

_DECLARATIONS = ["ISO-8859-1", "windows-1252", "Shift_JIS", "UTF-7", "UTF-16", "cp500", "bogus"]
_TEXTS = ["é", "Ünïcödé", "名前", "a+ADw-b", "plain"]


def _document(encoding: str, value: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?><rsl><pa key="K">{value}</pa></rsl>'


@pytest.mark.parametrize("encoding", _DECLARATIONS)
@pytest.mark.parametrize("value", _TEXTS)
def test_text_input_is_read_as_the_characters_it_is(encoding: str, value: str) -> None:
    assert decode(_document(encoding, value))[0].value == value  # type: ignore[union-attr]


def test_utf7_declaration_cannot_hide_an_answer() -> None:
    hidden = '<?xml version="1.0" encoding="UTF-7"?><rsl>+ADw-pa key=+ACI-K+ACI-+AD4-x+ADw-/pa+AD4-</rsl>'
    with pytest.raises(DecodeError, match="text content"):
        decode(hidden)
    with pytest.raises(DecodeError, match="UTF-7"):
        decode(hidden.encode("ascii"))


@given(
    st.sampled_from([*_DECLARATIONS, "UTF-8", "latin-1", "cp932", "ISO-2022-JP", "base64"]),
    st.booleans(),
    xml_texts(min_size=1),
)
def test_bytes_are_read_correctly_or_refused(declared: str, truthful: bool, value: str) -> None:
    # Bytes in the declared encoding (truthful), or UTF-8 under any declaration (a lie, the
    # case that produced mojibake): either way what is accepted is exactly the value.
    # Escaped as a writer would: a raw CR is read as LF by every XML parser (XML 1.0 §2.11).
    text = escape(value, {"\r": "&#13;"})
    try:
        data = _document(declared, text).encode(declared if truthful else "utf-8")
    except (UnicodeError, LookupError):
        return
    try:
        answers = decode(data)
    except DecodeError:
        return
    assert answers[0].value == value  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("encoding", "value"), [("ISO-8859-1", "é"), ("windows-1252", "€"), ("Shift_JIS", "名前")]
)
def test_bytes_in_their_declared_encoding_are_read(encoding: str, value: str) -> None:
    data = _document(encoding, value).encode(encoding)
    assert decode(data)[0].value == value  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("encoding", "pattern"),
    [("ISO-8859-1", "reads differently"), ("Shift_JIS", "reads differently"), ("bogus", "unknown")],
)
def test_utf8_bytes_under_a_lying_declaration_are_refused(encoding: str, pattern: str) -> None:
    with pytest.raises(DecodeError, match=pattern):
        decode(_document(encoding, "é名").encode("utf-8"))


def test_utf16_with_bom_is_read() -> None:
    data = _document("UTF-16", "é").encode("utf-16")
    assert decode(data)[0].value == "é"  # type: ignore[union-attr]
