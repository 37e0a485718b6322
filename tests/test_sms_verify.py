"""TwilioVerify against a fake Twilio Verify on loopback.

(otpcore.sms._verify)
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otpcore.errors import (
    CredentialsRejectedError,
    InvalidParameterError,
    InvalidRecipientError,
    MessageRejectedError,
    OtpError,
    PicklingRefusedError,
    RateLimitedError,
    SmsError,
    TransportUnavailableError,
)
from otpcore.sms import DelegatedVerifier, TwilioVerify, VerifyOutcome
from twilio_fake import (
    ACCOUNT_SID,
    API_KEY_SID,
    AUTH_TOKEN,
    CHECK_PATH,
    VERIFICATIONS_PATH,
    VERIFY_SID,
    FakeTwilio,
    Reply,
    SleepRecorder,
    closed_port_url,
    error,
    logged_texts,
    secret_forms,
    texts,
)

TO = "+14155552671"


Make = Callable[..., TwilioVerify]


@pytest.fixture
def make(twilio: FakeTwilio, sleep: SleepRecorder) -> Make:
    """Build a verifier aimed at the fake, with recorded sleeps."""

    def build(**options: object) -> TwilioVerify:
        settings: dict[str, object] = {
            "base_url": twilio.base_url,
            "sleep": sleep,
            "clock": sleep.clock,
            "random": lambda: 0.5,
            "timeout": 2.0,
        }
        settings.update(options)
        return TwilioVerify(ACCOUNT_SID, AUTH_TOKEN, VERIFY_SID, **settings)  # type: ignore[arg-type]

    return build


def assert_no_secret(exc: BaseException) -> None:
    """Neither the token nor the Basic credentials appear in any text."""
    for text in texts(exc):
        for secret in secret_forms():
            assert secret not in text


def test_twilio_verify_is_a_delegated_verifier(make: Make) -> None:
    """TwilioVerify satisfies the DelegatedVerifier protocol."""
    assert isinstance(make(), DelegatedVerifier)


# Starting a verification.


@pytest.mark.parametrize("channel", ["sms", "call", "whatsapp"])
def test_start_posts_to_and_channel(
    twilio: FakeTwilio, make: Make, channel: str
) -> None:
    """start() is one POST to Verifications with To and Channel."""
    sid = make().start(TO, channel)

    [request] = twilio.requests
    assert sid.startswith("VE")
    assert request.path == VERIFICATIONS_PATH
    assert request.basic_auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.fields == {"To": TO, "Channel": channel}


def test_start_defaults_to_sms(twilio: FakeTwilio, make: Make) -> None:
    """Without a channel, the code goes by SMS."""
    make().start(TO)

    assert twilio.requests[0].fields["Channel"] == "sms"


def test_api_key_is_the_basic_user_name(
    twilio: FakeTwilio, make: Make
) -> None:
    """With an API key, Basic auth uses the key SID and its secret."""
    make(api_key_sid=API_KEY_SID).start(TO)

    assert twilio.requests[0].basic_auth == (API_KEY_SID, AUTH_TOKEN)


@pytest.mark.parametrize(
    ("to", "channel", "error_type"),
    [
        pytest.param("4155552671", "sms", InvalidRecipientError, id="to"),
        pytest.param(TO, "email", InvalidParameterError, id="email"),
        pytest.param(TO, "SMS", InvalidParameterError, id="upper-case"),
    ],
)
def test_start_checks_arguments_before_any_request(
    twilio: FakeTwilio,
    make: Make,
    to: str,
    channel: str,
    error_type: type[Exception],
) -> None:
    """A malformed number or an unknown channel never reaches Twilio."""
    with pytest.raises(error_type):
        make().start(to, channel)

    assert twilio.requests == []


def test_too_many_sends_is_rate_limited_without_retry(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """60203 (HTTP 429, max send attempts) raises at once, code kept."""
    twilio.script(error(429, 60203, "Max send attempts reached"))

    with pytest.raises(RateLimitedError) as caught:
        make().start(TO)

    assert caught.value.provider_code == 60203
    assert len(twilio.requests) == 1
    assert sleep.delays == []


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        pytest.param(400, 21211, InvalidRecipientError, id="21211"),
        pytest.param(400, 21614, InvalidRecipientError, id="21614"),
        pytest.param(400, 60200, MessageRejectedError, id="60200"),
        pytest.param(401, 20003, CredentialsRejectedError, id="20003"),
    ],
)
def test_start_maps_errors_like_the_transport(
    twilio: FakeTwilio,
    make: Make,
    status: int,
    code: int,
    expected: type[Exception],
) -> None:
    """Verify's refusals map to the same errors as the Messages API's."""
    twilio.script(error(status, code))

    with pytest.raises(expected) as caught:
        make().start(TO)

    assert type(caught.value) is expected
    assert len(twilio.requests) == 1
    assert_no_secret(caught.value)


# Twilio Verify's messages for these codes repeat the number.
_BAD_TO = f"Invalid parameter `To`: {TO}"
_NOT_MOBILE = f"To number: {TO}, is not a mobile number"


def start_a_verification(verifier: TwilioVerify) -> object:
    """Start a verification for TO."""
    return verifier.start(TO)


def check_a_code(verifier: TwilioVerify) -> object:
    """Check a well-formed code for TO."""
    return verifier.check(TO, "123456")


@pytest.mark.parametrize(
    ("call", "reply", "expected"),
    [
        pytest.param(
            start_a_verification,
            error(400, 60200, _BAD_TO),
            MessageRejectedError,
            id="start-60200",
        ),
        pytest.param(
            start_a_verification,
            error(400, 21614, _NOT_MOBILE),
            InvalidRecipientError,
            id="start-21614",
        ),
        pytest.param(
            check_a_code,
            error(400, 60200, _BAD_TO),
            MessageRejectedError,
            id="check-60200",
        ),
    ],
)
def test_phone_numbers_in_verify_messages_stay_out_of_the_error_text(
    twilio: FakeTwilio,
    make: Make,
    call: Callable[[TwilioVerify], object],
    reply: Reply,
    expected: type[SmsError],
) -> None:
    """Verify's text, which repeats the number, used to be in str(exc)."""
    assert isinstance(reply.body, dict)
    twilio.script(reply)
    verifier = make()

    with pytest.raises(expected) as caught:
        call(verifier)

    for text in logged_texts(caught.value):
        for number in (TO, TO.removeprefix("+1")):
            assert number not in text
    assert caught.value.provider_message == reply.body["message"]
    assert f"Twilio error {reply.body['code']}" in str(caught.value)


def test_start_is_retried_after_5xx(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """Verify resends the same code, so an ambiguous start is retried."""
    twilio.script(error(503, 20503), Reply(hang=True))

    assert make(timeout=0.2).start(TO).startswith("VE")
    assert len(twilio.requests) == 3
    assert len(sleep.delays) == 2


def test_start_reply_without_sid_is_unavailable(
    twilio: FakeTwilio, make: Make
) -> None:
    """A 201 without a verification sid is an error, not retried."""
    twilio.script(Reply(201, b"not json"))

    with pytest.raises(TransportUnavailableError):
        make().start(TO)

    assert len(twilio.requests) == 1


# Checking a code.


@pytest.mark.parametrize(
    ("typed", "sent", "outcome"),
    [
        pytest.param("123456", "123456", VerifyOutcome.APPROVED, id="right"),
        pytest.param("123 456", "123456", VerifyOutcome.APPROVED, id="space"),
        pytest.param(
            "\uff11\uff12\uff13\uff14\uff15\uff16",
            "123456",
            VerifyOutcome.APPROVED,
            id="fullwidth",
        ),
        pytest.param("654321", "654321", VerifyOutcome.WRONG, id="wrong"),
        pytest.param("1234", "1234", VerifyOutcome.WRONG, id="4-digits"),
    ],
)
def test_check_posts_the_normalised_code(
    twilio: FakeTwilio,
    make: Make,
    typed: str,
    sent: str,
    outcome: VerifyOutcome,
) -> None:
    """check() sends To and the code in ASCII digits; status gives outcome."""
    result = make().check(TO, typed)

    [request] = twilio.requests
    assert request.path == CHECK_PATH
    assert request.fields == {"To": TO, "Code": sent}
    assert result is outcome


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("123", id="3-digits"),
        pytest.param("12345678901", id="11-digits"),
        pytest.param("12a456", id="letter"),
        pytest.param("-123456", id="sign"),
        pytest.param(
            "\u00b9\u00b2\u00b3\u2074\u2075\u2076", id="superscripts"
        ),
        pytest.param(None, id="none"),
        pytest.param(123456, id="int"),
    ],
)
def test_check_refuses_non_codes_without_asking_twilio(
    twilio: FakeTwilio, make: Make, typed: object
) -> None:
    """What is not a 4 to 10 digit code is WRONG and uses no attempt."""
    assert make().check(TO, typed) is VerifyOutcome.WRONG  # type: ignore[arg-type]
    assert twilio.requests == []


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        pytest.param(
            error(429, 60202, "Max check attempts reached"),
            VerifyOutcome.TOO_MANY_ATTEMPTS,
            id="60202",
        ),
        pytest.param(
            error(404, 20404, "The requested resource was not found"),
            VerifyOutcome.EXPIRED,
            id="20404",
        ),
        pytest.param(
            Reply(200, {"status": "max_attempts_reached"}),
            VerifyOutcome.TOO_MANY_ATTEMPTS,
            id="status-max-attempts",
        ),
        pytest.param(
            Reply(200, {"status": "canceled"}),
            VerifyOutcome.EXPIRED,
            id="status-canceled",
        ),
        pytest.param(
            Reply(200, {"status": "expired"}),
            VerifyOutcome.EXPIRED,
            id="status-expired",
        ),
    ],
)
def test_check_outcomes_from_twilio(
    twilio: FakeTwilio,
    make: Make,
    sleep: SleepRecorder,
    reply: Reply,
    outcome: VerifyOutcome,
) -> None:
    """Twilio's codes and statuses become outcomes, with a single request."""
    twilio.script(reply)

    assert make().check(TO, "123456") is outcome
    assert len(twilio.requests) == 1
    assert sleep.delays == []


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(error(500, 20500), id="500"),
        pytest.param(Reply(hang=True), id="hang"),
        pytest.param(Reply(drop=True), id="drop"),
    ],
)
def test_check_is_never_retried_after_an_ambiguous_failure(
    twilio: FakeTwilio, make: Make, reply: Reply
) -> None:
    """A check Twilio may have approved is not retried: it would read 20404."""
    twilio.script(reply)

    with pytest.raises(TransportUnavailableError) as caught:
        make(timeout=0.2).check(TO, "123456")

    assert len(twilio.requests) == 1
    assert_no_secret(caught.value)


def test_check_is_retried_after_throttling(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """A 429 (20429) check was never processed, so it is retried."""
    twilio.script(error(429, 20429, **{"Retry-After": "1"}))

    assert make().check(TO, "123456") is VerifyOutcome.APPROVED
    assert sleep.delays == [1.0]


def test_check_with_rejected_credentials_raises(
    twilio: FakeTwilio, make: Make
) -> None:
    """HTTP 401 on a check is CredentialsRejectedError."""
    twilio.script(error(401, 20003, "Authenticate"))

    with pytest.raises(CredentialsRejectedError) as caught:
        make().check(TO, "123456")

    assert caught.value.provider_code == 20003
    assert_no_secret(caught.value)


def test_check_reply_without_status_is_unavailable(
    twilio: FakeTwilio, make: Make
) -> None:
    """A 200 that names no status is not read as any outcome."""
    twilio.script(Reply(200, {"sid": "VE" + "0" * 32}))

    with pytest.raises(TransportUnavailableError):
        make().check(TO, "123456")


def test_unreachable_verify_is_unavailable(
    make: Make, sleep: SleepRecorder
) -> None:
    """Connection refused is retried, then TransportUnavailableError."""
    verifier = make(base_url=closed_port_url())

    with pytest.raises(TransportUnavailableError) as caught:
        verifier.check(TO, "123456")

    assert len(sleep.delays) == 2
    assert_no_secret(caught.value)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(typed=st.one_of(st.text(max_size=30), st.binary(), st.none()))
def test_check_never_raises_on_what_a_user_typed(
    make: Make, typed: object
) -> None:
    """Any typed input gives an outcome, never an exception."""
    assert make().check(TO, typed) in set(VerifyOutcome)  # type: ignore[arg-type]


# Construction.


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        pytest.param({"service_sid": "VA123"}, "service_sid", id="short"),
        pytest.param({"service_sid": ACCOUNT_SID}, "service_sid", id="ac"),
        pytest.param({"account_sid": VERIFY_SID}, "account_sid", id="va"),
        pytest.param({"auth_token": ""}, "auth_token", id="no-token"),
        pytest.param(
            {"base_url": "http://verify.twilio.com"}, "base_url", id="http"
        ),
    ],
)
def test_malformed_parameters_are_refused(
    options: dict[str, object], parameter: str
) -> None:
    """SIDs, token and base URL are checked at construction."""
    settings_: dict[str, object] = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "service_sid": VERIFY_SID,
        **options,
    }

    with pytest.raises(InvalidParameterError) as caught:
        TwilioVerify(**settings_)  # type: ignore[arg-type]

    assert str(caught.value).startswith(parameter)


def test_pickling_raises_an_otp_error_that_is_a_type_error() -> None:
    """Pickling used to raise a bare TypeError, outside the OtpError tree."""
    verifier = TwilioVerify(ACCOUNT_SID, AUTH_TOKEN, VERIFY_SID)

    with pytest.raises(PicklingRefusedError) as caught:
        pickle.dumps(verifier)

    assert isinstance(caught.value, OtpError)
    assert isinstance(caught.value, TypeError)


def test_repr_hides_the_token() -> None:
    """The verifier's repr names the service, never the token."""
    verifier = TwilioVerify(ACCOUNT_SID, AUTH_TOKEN, VERIFY_SID)

    assert VERIFY_SID in repr(verifier)
    for secret in secret_forms():
        assert secret not in repr(verifier)
