"""The transport protocol, E.164 checks, and the memory and console transports.

(otpcore.sms._transport)
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpcore.errors import (
    InvalidParameterError,
    InvalidRecipientError,
    OtpError,
    SmsError,
)
from otpcore.sms import (
    ConsoleTransport,
    MemoryTransport,
    SentMessage,
    SmsTransport,
    TwilioTransport,
    check_e164,
    parse_phone,
)
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN

# E.164 as the checker's docstring states it, written out independently.
E164 = re.compile(r"\+[1-9][0-9]{7,14}")


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("+14155552671", id="us"),
        pytest.param("+442071838750", id="uk"),
        pytest.param("+12345678", id="shortest-8-digits"),
        pytest.param("+123456789012345", id="longest-15-digits"),
        pytest.param("+919876543210", id="india"),
    ],
)
def test_check_e164_returns_valid_numbers_unchanged(number: str) -> None:
    """A well-formed E.164 number comes back as it was."""
    assert check_e164(number) == number


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("14155552671", id="no-plus"),
        pytest.param("+04155552671", id="leading-zero"),
        pytest.param("+1234567", id="7-digits"),
        pytest.param("+1234567890123456", id="16-digits"),
        pytest.param("+1 415 555 2671", id="spaces"),
        pytest.param("+1-415-555-2671", id="hyphens"),
        pytest.param("+1(415)5552671", id="parentheses"),
        pytest.param("+14155552671\n", id="trailing-newline"),
        pytest.param(" +14155552671", id="leading-space"),
        pytest.param("++14155552671", id="double-plus"),
        pytest.param(
            "+\u0661\u0664\u0661\u0665\u0665\u0665\u0662\u0666",
            id="arabic-digits",
        ),
        pytest.param(
            "+\uff11\uff14\uff11\uff15\uff15\uff15\uff12\uff16\uff17",
            id="fullwidth",
        ),
        pytest.param("", id="empty"),
        pytest.param("tel:+14155552671", id="tel-uri"),
    ],
)
def test_check_e164_refuses_malformed_numbers(number: str) -> None:
    """Anything but '+' and 8 to 15 ASCII digits, no leading 0, is refused."""
    with pytest.raises(InvalidRecipientError):
        check_e164(number)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(14155552671, id="int"),
        pytest.param(b"+14155552671", id="bytes"),
        pytest.param(None, id="none"),
    ],
)
def test_check_e164_refuses_non_strings(value: object) -> None:
    """A number that is not a str is refused with InvalidRecipientError."""
    with pytest.raises(InvalidRecipientError, match="str"):
        check_e164(value)


def test_recipient_error_is_an_sms_and_otp_error() -> None:
    """InvalidRecipientError is caught by `except SmsError` and OtpError."""
    with pytest.raises(InvalidRecipientError) as caught:
        check_e164("nope")

    assert isinstance(caught.value, SmsError)
    assert isinstance(caught.value, OtpError)
    assert caught.value.provider_code is None


def test_check_e164_message_does_not_echo_the_number() -> None:
    """The error names the rule, not the (personal) number given."""
    with pytest.raises(InvalidRecipientError) as caught:
        check_e164("+0987654321")

    assert "0987654321" not in str(caught.value)


@given(st.text(max_size=24))
def test_check_e164_accepts_exactly_the_e164_form(text: str) -> None:
    """For any text, the checker accepts it iff it is E.164, else refuses."""
    if E164.fullmatch(text):
        assert check_e164(text) == text
    else:
        with pytest.raises(InvalidRecipientError):
            check_e164(text)


@given(st.from_regex(E164, fullmatch=True))
def test_check_e164_accepts_every_generated_number(number: str) -> None:
    """Every number built from the E.164 grammar is accepted."""
    assert check_e164(number) == number


# parse_phone: what people type.

UK = "+442071838750"


def _digits(text: str, zero: int) -> str:
    """``text`` with its ASCII digits written in the script of ``zero``."""
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        pytest.param(UK, UK, id="e164"),
        pytest.param("+44 20 7183 8750", UK, id="spaces"),
        pytest.param("+44-20-7183-8750", UK, id="hyphens"),
        pytest.param("+44.20.7183.8750", UK, id="dots"),
        pytest.param("+1 (415) 555-2671", "+14155552671", id="parentheses"),
        pytest.param("(+44) 20 7183 8750", UK, id="plus-in-brackets"),
        pytest.param("+49 30/1234567", "+49301234567", id="slash"),
        pytest.param("0044 20 7183 8750", UK, id="double-zero"),
        pytest.param("  +44 20 7183 8750  ", UK, id="surrounding-spaces"),
        pytest.param(
            "+44\u00a020\u202f7183\u30008750", UK, id="unicode-spaces"
        ),
        pytest.param("+44\u201320\u20127183\u22128750", UK, id="dashes"),
        pytest.param("\u202a+44 20 7183 8750\u202c", UK, id="direction-marks"),
        pytest.param(
            "\uff0b"
            + _digits("81 3-1234-5678", 0xFF10).replace("-", "\uff0d"),
            "+81312345678",
            id="full-width",
        ),
        pytest.param(
            "+" + _digits("971 50 123 4567", 0x0660),
            "+971501234567",
            id="arabic-indic",
        ),
        pytest.param(
            _digits("0098 912 345 6789", 0x06F0),
            "+989123456789",
            id="persian-with-00",
        ),
        pytest.param(
            "+91 " + _digits("98765 43210", 0x0966),
            "+919876543210",
            id="devanagari",
        ),
    ],
)
def test_parse_phone_reads_numbers_as_people_type_them(
    typed: str, number: str
) -> None:
    """Separators, a 00 prefix and other scripts' digits give E.164."""
    assert parse_phone(typed) == number


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        pytest.param("020 7183 8750", "international form", id="national"),
        pytest.param("(415) 555-2671", "international form", id="us-national"),
        pytest.param("14155552671", "international form", id="no-plus"),
        pytest.param(
            "011 44 20 7183 8750", "international form", id="us-exit-code"
        ),
        pytest.param("+44 (0)20 7183 8750", "(0)", id="trunk-zero"),
        pytest.param("0044 (0) 20 7183 8750", "(0)", id="trunk-zero-00"),
        pytest.param("+1 415 555 2671 x12", "only digits", id="extension-x"),
        pytest.param("+1 415 555 2671 ext. 12", "only digits", id="ext"),
        pytest.param("+1 415 555 2671#12", "only digits", id="extension-hash"),
        pytest.param("tel:+14155552671", "only digits", id="tel-uri"),
        pytest.param("+44 20 7183 875O", "only digits", id="letter-o"),
        pytest.param(
            "+\u00b944 20 7183 8750", "only digits", id="superscript"
        ),
        pytest.param("+44 20 7183 8750\n", "only digits", id="newline"),
        pytest.param("+44_20_7183_8750", "only digits", id="underscore"),
        pytest.param("+44 20 7183 875\ud800", "only digits", id="surrogate"),
        pytest.param("+1 555 12", "got 6 digits", id="too-short"),
        pytest.param("+44 20 7183 8750 1234", "got 16 digits", id="too-long"),
        pytest.param("+0 20 7183 8750", "never starting with 0", id="zero-cc"),
        pytest.param("+0044 20 7183 8750", "got 14 digits", id="plus-00"),
        pytest.param("++44 20 7183 8750", "got 12 digits", id="double-plus"),
        pytest.param("+44 20 +7183 8750", "got 12 digits", id="inner-plus"),
        pytest.param("", "international form", id="empty"),
        pytest.param(" - ", "international form", id="separators-only"),
        pytest.param(
            "+44" + " " * 60 + "2071838750", "at most 64", id="over-64"
        ),
    ],
)
def test_parse_phone_refuses_anything_else(typed: str, said: str) -> None:
    """No national numbers, trunk zeros, extensions, letters or bad lengths."""
    with pytest.raises(InvalidRecipientError) as caught:
        parse_phone(typed)

    message = str(caught.value)
    assert message.startswith("text: ")
    assert said in message
    assert re.search(r"\d{3}", message) is None, "the message shows digits"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(442071838750, id="int"),
        pytest.param(b"+442071838750", id="bytes"),
        pytest.param(None, id="none"),
    ],
)
def test_parse_phone_refuses_non_strings(value: object) -> None:
    """Only text is read; the error names the type."""
    with pytest.raises(InvalidRecipientError, match=type(value).__name__):
        parse_phone(value)


# Digits of eight scripts; each run is the ten decimal digits of its block.
_ZEROS = [0x30, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10, 0x1D7CE]
_SEPARATORS = [" ", "", "-", ".", "/", " - ", "\u00a0", "\u2013", "\u3000"]


@st.composite
def formatted(draw: st.DrawFn, number: str) -> str:
    """``number`` written as a person might: grouped, bracketed, any digits."""
    digits = number[1:]
    groups: list[str] = []
    while len("".join(groups)) < len(digits):
        start = len("".join(groups))
        groups.append(digits[start : start + draw(st.integers(1, 4))])
    bracketed = draw(st.integers(-1, len(groups) - 1))
    written = [
        _digits(group, draw(st.sampled_from(_ZEROS))) for group in groups
    ]
    if bracketed >= 0 and groups[bracketed] != "0":
        written[bracketed] = f"({written[bracketed]})"
    prefix = draw(
        st.sampled_from(["+", "\uff0b", "00", _digits("00", 0xFF10)])
    )
    body = "".join(
        part + draw(st.sampled_from(_SEPARATORS)) for part in written
    )
    return f"{prefix}{body}"


_NUMBERS = st.from_regex(E164, fullmatch=True)
# Text drawn mostly from what parse_phone reads, so some of it is a number.
_PHONE_LIKE = st.lists(
    st.sampled_from([*"+0123456789()-./ x#", "00", "\uff11", "\u0663", "(0)"]),
    max_size=20,
).map("".join)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A formatted number with one character put in, dropped or changed."""
    typed = draw(_NUMBERS.flatmap(formatted))
    at = draw(st.integers(0, len(typed)))
    extra = draw(st.sampled_from([*"+0()x-", "\uff10", "\u00b2", ""]))
    cut = draw(st.integers(0, 1))
    return typed[:at] + extra + typed[at + cut :]


@given(st.one_of(st.text(max_size=40), _PHONE_LIKE, _mutated()))
def test_parse_phone_returns_only_e164(text: str) -> None:
    """Whatever parse_phone returns, check_e164 accepts unchanged."""
    try:
        number = parse_phone(text)
    except InvalidRecipientError:
        return

    assert check_e164(number) == number


@given(_NUMBERS)
def test_parse_phone_round_trips_e164(number: str) -> None:
    """An E.164 number comes back as it was."""
    assert parse_phone(number) == number


@given(st.data(), _NUMBERS)
def test_parse_phone_reads_formatted_variants_alike(
    data: st.DataObject, number: str
) -> None:
    """Every way of writing one number parses to that number."""
    typed = data.draw(formatted(number))

    assert parse_phone(typed) == number


@given(
    st.one_of(
        st.text(max_size=80),
        _PHONE_LIKE,
        st.binary(max_size=20),
        st.integers(),
        st.none(),
        st.floats(),
        st.lists(st.text(max_size=5), max_size=3),
    )
)
def test_parse_phone_raises_only_invalid_recipient(typed: object) -> None:
    """Any input gives a str or InvalidRecipientError, never echoed."""
    try:
        parse_phone(typed)
    except InvalidRecipientError as exc:
        message = str(exc)
        assert re.search(r"\d{3}", message) is None


def test_memory_transport_keeps_an_outbox() -> None:
    """MemoryTransport records each message with its id, in order."""
    transport = MemoryTransport()

    first = transport.send("+14155552671", "one")
    second = transport.send("+442071838750", "two", validity=120)

    assert (first, second) == ("mem-1", "mem-2")
    assert transport.outbox == [
        SentMessage("+14155552671", "one", "mem-1", None),
        SentMessage("+442071838750", "two", "mem-2", 120),
    ]


@pytest.mark.parametrize(
    ("to", "body", "validity", "error"),
    [
        pytest.param("555-1234", "hi", None, InvalidRecipientError, id="to"),
        pytest.param(
            "+14155552671", "", None, InvalidParameterError, id="empty-body"
        ),
        pytest.param(
            "+14155552671", b"hi", None, InvalidParameterError, id="bytes-body"
        ),
        pytest.param(
            "+14155552671", "hi", 0, InvalidParameterError, id="validity-0"
        ),
        pytest.param(
            "+14155552671",
            "hi",
            36_001,
            InvalidParameterError,
            id="validity-big",
        ),
        pytest.param(
            "+14155552671",
            "hi",
            1.5,
            InvalidParameterError,
            id="validity-float",
        ),
        pytest.param(
            "+14155552671",
            "hi",
            True,
            InvalidParameterError,
            id="validity-bool",
        ),
    ],
)
@pytest.mark.parametrize("kind", [MemoryTransport, ConsoleTransport])
def test_local_transports_check_like_a_real_one(
    kind: type[MemoryTransport | ConsoleTransport],
    to: str,
    body: object,
    validity: object,
    error: type[OtpError],
) -> None:
    """Local transports refuse what Twilio's does, and send nothing."""
    stream = io.StringIO()
    transport = kind() if kind is MemoryTransport else ConsoleTransport(stream)

    with pytest.raises(error):
        transport.send(to, body, validity=validity)  # type: ignore[arg-type]

    assert stream.getvalue() == ""
    assert getattr(transport, "outbox", []) == []


def test_console_transport_writes_the_message() -> None:
    """ConsoleTransport writes recipient, validity and text to its stream."""
    stream = io.StringIO()
    transport = ConsoleTransport(stream)

    sid = transport.send("+14155552671", "Your code is 123456", validity=300)

    assert sid == "console-1"
    assert stream.getvalue() == (
        "SMS console-1 to +14155552671 (valid 300 s): Your code is 123456\n"
    )


def test_console_transport_defaults_to_standard_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without a stream, ConsoleTransport writes to standard error."""
    ConsoleTransport().send("+14155552671", "hello")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "+14155552671" in captured.err
    assert "hello" in captured.err


@pytest.mark.parametrize(
    "transport",
    [
        pytest.param(MemoryTransport(), id="memory"),
        pytest.param(ConsoleTransport(io.StringIO()), id="console"),
        pytest.param(
            TwilioTransport(
                ACCOUNT_SID, AUTH_TOKEN, from_number="+15005550006"
            ),
            id="twilio",
        ),
    ],
)
def test_shipped_transports_satisfy_the_protocol(transport: object) -> None:
    """Every shipped transport is an SmsTransport."""
    assert isinstance(transport, SmsTransport)


def test_a_plain_object_is_not_a_transport() -> None:
    """An object without send is not taken for a transport."""
    assert not isinstance(object(), SmsTransport)
