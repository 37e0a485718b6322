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
