"""TwilioTransport against a fake Twilio on loopback (otpcore.sms._twilio).

Every test talks HTTP to tests/twilio_fake.py, which records each request
and answers as the test scripts it. Sleeps and jitter are injected, so the
backoff is checked exactly and no test waits for it.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

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
from otpcore.sms import TwilioTransport
from twilio_fake import (
    ACCOUNT_SID,
    API_KEY_SID,
    AUTH_TOKEN,
    MESSAGES_PATH,
    SERVICE_SID,
    FakeTwilio,
    Reply,
    SleepRecorder,
    closed_port_url,
    error,
    frame_locals,
    logged_texts,
    secret_forms,
    texts,
)

TO = "+14155552671"
FROM = "+15005550006"
# The recipient as Twilio's messages may spell it: E.164, or national.
TO_FORMS = (TO, TO.removeprefix("+1"))


Make = Callable[..., TwilioTransport]


@pytest.fixture
def make(twilio: FakeTwilio, sleep: SleepRecorder) -> Make:
    """Build a transport aimed at the fake, with recorded sleeps."""

    def build(**options: object) -> TwilioTransport:
        settings: dict[str, object] = {
            "from_number": FROM,
            "base_url": twilio.base_url,
            "sleep": sleep,
            "clock": sleep.clock,
            "random": lambda: 0.5,
            "timeout": 2.0,
        }
        settings.update(options)
        return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, **settings)  # type: ignore[arg-type]

    return build


def assert_no_secret(exc: BaseException) -> None:
    """Neither the token nor the Basic credentials appear in any text."""
    for text in texts(exc):
        for secret in secret_forms():
            assert secret not in text


# The request, field by field.


def test_send_posts_the_documented_request(
    twilio: FakeTwilio, make: Make
) -> None:
    """One POST to Messages.json with Basic auth and To, From, Body."""
    sid = make().send(TO, "Your code is 123456")

    [request] = twilio.requests
    assert sid.startswith("SM")
    assert request.method == "POST"
    assert request.path == MESSAGES_PATH
    assert request.basic_auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.headers["content-type"] == (
        "application/x-www-form-urlencoded"
    )
    assert request.headers["accept"] == "application/json"
    assert request.fields == {
        "To": TO,
        "From": FROM,
        "Body": "Your code is 123456",
    }


def test_send_through_a_messaging_service(
    twilio: FakeTwilio, make: Make
) -> None:
    """With a Messaging Service, MessagingServiceSid replaces From."""
    make(from_number=None, messaging_service_sid=SERVICE_SID).send(TO, "hi")

    [request] = twilio.requests
    assert request.fields == {
        "To": TO,
        "Body": "hi",
        "MessagingServiceSid": SERVICE_SID,
    }


def test_api_key_authenticates_with_the_account_in_the_path(
    twilio: FakeTwilio, make: Make
) -> None:
    """An API key is the Basic user name; the URL keeps the Account SID."""
    make(api_key_sid=API_KEY_SID).send(TO, "hi")

    [request] = twilio.requests
    assert request.basic_auth == (API_KEY_SID, AUTH_TOKEN)
    assert request.path == MESSAGES_PATH


@pytest.mark.parametrize(
    ("default", "per_call", "sent"),
    [
        pytest.param(None, None, None, id="none"),
        pytest.param(600, None, "600", id="default"),
        pytest.param(600, 120, "120", id="per-call-wins"),
        pytest.param(None, 1, "1", id="minimum"),
        pytest.param(None, 36_000, "36000", id="maximum"),
    ],
)
def test_validity_period_is_sent_when_known(
    twilio: FakeTwilio,
    make: Make,
    default: int | None,
    per_call: int | None,
    sent: str | None,
) -> None:
    """ValidityPeriod comes from the call, else the transport's default."""
    make(validity_period=default).send(TO, "hi", validity=per_call)

    [request] = twilio.requests
    assert request.fields.get("ValidityPeriod") == sent


def test_body_text_arrives_intact(twilio: FakeTwilio, make: Make) -> None:
    """Non-ASCII text and form metacharacters survive the form encoding."""
    body = "Code 123456 für Zoë & co = 100% 🙂\nline two"

    make().send(TO, body)

    assert twilio.requests[0].fields["Body"] == body


def test_invalid_recipient_is_refused_before_any_request(
    twilio: FakeTwilio, make: Make
) -> None:
    """A number that is not E.164 never reaches Twilio."""
    with pytest.raises(InvalidRecipientError):
        make().send("4155552671", "hi")

    assert twilio.requests == []


# Twilio's error codes.


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        pytest.param(400, 21211, InvalidRecipientError, id="21211-invalid-to"),
        pytest.param(400, 21614, InvalidRecipientError, id="21614-not-mobile"),
        pytest.param(400, 21635, InvalidRecipientError, id="21635-landline"),
        pytest.param(400, 21610, InvalidRecipientError, id="21610-stop"),
        pytest.param(400, 21408, MessageRejectedError, id="21408-geo"),
        pytest.param(400, 21608, MessageRejectedError, id="21608-trial"),
        pytest.param(400, 21612, MessageRejectedError, id="21612-route"),
        pytest.param(400, 21606, MessageRejectedError, id="21606-from"),
        pytest.param(400, 21602, MessageRejectedError, id="21602-no-body"),
        pytest.param(400, 90007, MessageRejectedError, id="90007-validity"),
        pytest.param(400, 21611, RateLimitedError, id="21611-queue-full"),
        pytest.param(401, 20003, CredentialsRejectedError, id="401-20003"),
        pytest.param(403, 20003, CredentialsRejectedError, id="403-20003"),
        pytest.param(404, 20404, MessageRejectedError, id="404-20404"),
    ],
)
def test_twilio_error_codes_map_to_our_errors(
    twilio: FakeTwilio,
    make: Make,
    status: int,
    code: int,
    expected: type[SmsError],
) -> None:
    """Each code gives its error, keeps code and message, is not retried."""
    twilio.script(error(status, code, f"Twilio says no ({code})"))

    with pytest.raises(expected) as caught:
        make().send(TO, "hi")

    assert type(caught.value) is expected
    assert caught.value.provider_code == code
    assert caught.value.provider_message == f"Twilio says no ({code})"
    assert f"Twilio error {code}" in str(caught.value)
    assert "Twilio says no" not in str(caught.value)
    assert len(twilio.requests) == 1
    assert_no_secret(caught.value)


# Twilio's own messages, as its API sends them for these codes: they
# repeat the recipient's number.
_INVALID_TO = f"The 'To' number {TO} is not a valid phone number."
_NOT_MOBILE = f"To number: {TO}, is not a mobile number"
_NO_REGION = (
    "Permission to send an SMS has not been enabled for the region "
    f"indicated by the 'To' number: {TO}."
)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            error(400, 21211, _INVALID_TO), InvalidRecipientError, id="21211"
        ),
        pytest.param(
            error(400, 21614, _NOT_MOBILE), InvalidRecipientError, id="21614"
        ),
        pytest.param(
            error(400, 21408, _NO_REGION), MessageRejectedError, id="21408"
        ),
        pytest.param(
            error(400, 21611, f"Queue full: {TO}"),
            RateLimitedError,
            id="21611",
        ),
        pytest.param(
            error(401, 20003, f"Denied: {TO}"),
            CredentialsRejectedError,
            id="401",
        ),
        pytest.param(
            error(429, 20429, f"Slow down: {TO}"),
            RateLimitedError,
            id="429-exhausted",
        ),
        pytest.param(
            error(500, 20500, f"Failed: {TO}"),
            TransportUnavailableError,
            id="500-exhausted",
        ),
        pytest.param(
            error(418, 99999, f"Odd: {TO}"),
            MessageRejectedError,
            id="unknown-code",
        ),
    ],
)
def test_phone_numbers_in_twilio_messages_stay_out_of_the_error_text(
    twilio: FakeTwilio, make: Make, reply: Reply, expected: type[SmsError]
) -> None:
    """Twilio's text, which repeats the number, used to be in str(exc)."""
    assert isinstance(reply.body, dict)
    message, code = reply.body["message"], reply.body["code"]
    # Three of each, so that retried statuses exhaust the attempts.
    twilio.script(reply, reply, reply)

    with pytest.raises(expected) as caught:
        make().send(TO, "hi")

    for text in logged_texts(caught.value):
        for number in TO_FORMS:
            assert number not in text
    assert caught.value.provider_message == message
    assert caught.value.provider_code == code
    assert f"Twilio error {code}" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        pytest.param(21211, "not a valid phone number", id="21211"),
        pytest.param(21614, "not a mobile number", id="21614"),
        pytest.param(21610, "replying STOP", id="21610"),
    ],
)
def test_error_text_says_what_went_wrong_in_our_words(
    twilio: FakeTwilio, make: Make, code: int, words: str
) -> None:
    """Without Twilio's text, the message still says what the code means."""
    twilio.script(error(400, code, "Twilio's own words"))

    with pytest.raises(InvalidRecipientError) as caught:
        make().send(TO, "hi")

    message = str(caught.value)
    prefix = f"Twilio refused the recipient (HTTP 400, Twilio error {code}: "
    assert message.startswith(prefix)
    assert words in message


def test_an_error_without_a_message_has_no_provider_message(
    twilio: FakeTwilio, make: Make
) -> None:
    """A reply with no message leaves provider_message None."""
    twilio.script(Reply(400, {"code": 21211}))

    with pytest.raises(InvalidRecipientError) as caught:
        make().send(TO, "hi")

    assert caught.value.provider_code == 21211
    assert caught.value.provider_message is None


def test_401_without_a_json_body_is_still_rejected_credentials(
    twilio: FakeTwilio, make: Make
) -> None:
    """HTTP 401 alone means rejected credentials, whatever the body."""
    twilio.script(Reply(401, b"<html>nope</html>"))

    with pytest.raises(CredentialsRejectedError) as caught:
        make().send(TO, "hi")

    assert caught.value.provider_code is None
    assert len(twilio.requests) == 1


def test_queue_full_takes_retry_after_from_the_header(
    twilio: FakeTwilio, make: Make
) -> None:
    """21611 with Retry-After gives RateLimitedError with that wait."""
    twilio.script(error(400, 21611, "queue full", **{"Retry-After": "42"}))

    with pytest.raises(RateLimitedError) as caught:
        make().send(TO, "hi")

    assert caught.value.retry_after == 42.0


# Retries: 429 and 5xx.


def test_429_is_retried_honouring_retry_after(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """429 with Retry-After waits exactly that long, then succeeds."""
    twilio.script(
        error(429, 20429, "Too Many Requests", **{"Retry-After": "3"})
    )

    sid = make().send(TO, "hi")

    assert sid.startswith("SM")
    assert len(twilio.requests) == 2
    assert sleep.delays == [3.0]


def test_429_without_retry_after_backs_off_exponentially(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """Without Retry-After, waits double per attempt, half of each random."""
    twilio.script(*[error(429, 20429)] * 5)

    with pytest.raises(RateLimitedError) as caught:
        make(max_attempts=5).send(TO, "hi")

    # random() == 0.5: each wait is 3/4 of 0.5, 1, 2, 4 seconds.
    assert sleep.delays == [0.375, 0.75, 1.5, 3.0]
    assert len(twilio.requests) == 5
    assert caught.value.provider_code == 20429


@pytest.mark.parametrize(
    ("randoms", "expected"),
    [
        pytest.param(0.0, 0.25, id="random-0"),
        pytest.param(0.999, 0.49975, id="random-near-1"),
    ],
)
def test_jitter_stays_within_half_to_full_backoff(
    twilio: FakeTwilio,
    make: Make,
    sleep: SleepRecorder,
    randoms: float,
    expected: float,
) -> None:
    """The first wait is between half of 0.5 s and 0.5 s, set by random()."""
    twilio.script(error(429, 20429))

    make(random=lambda: randoms).send(TO, "hi")

    assert sleep.delays == [pytest.approx(expected)]
    assert 0.25 <= sleep.delays[0] <= 0.5


@pytest.mark.parametrize(
    "retry_after",
    [pytest.param("7", id="seconds"), pytest.param(None, id="absent")],
)
def test_429_exhausted_raises_rate_limited(
    twilio: FakeTwilio,
    make: Make,
    sleep: SleepRecorder,
    retry_after: str | None,
) -> None:
    """After max_attempts throttled replies, RateLimitedError with a wait."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    twilio.script(*[error(429, 20429, "Too Many Requests", **headers)] * 3)

    with pytest.raises(RateLimitedError) as caught:
        make().send(TO, "hi")

    assert len(twilio.requests) == 3
    assert len(sleep.delays) == 2
    expected = 60.0 if retry_after is None else 7.0
    assert caught.value.retry_after == expected
    assert_no_secret(caught.value)


def test_retry_after_as_an_http_date_is_honoured(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """Retry-After may be an HTTP-date; the wait is the time until it."""
    when = datetime.now(UTC) + timedelta(seconds=20)
    twilio.script(
        error(
            429, 20429, **{"Retry-After": format_datetime(when, usegmt=True)}
        )
    )

    make().send(TO, "hi")

    [delay] = sleep.delays
    assert 15.0 < delay <= 20.0


def test_retry_after_past_the_deadline_gives_up_at_once(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """A wait longer than the time budget is not slept; the caller is told."""
    twilio.script(error(429, 20429, **{"Retry-After": "120"}))

    with pytest.raises(RateLimitedError) as caught:
        make(deadline=30.0).send(TO, "hi")

    assert len(twilio.requests) == 1
    assert sleep.delays == []
    assert caught.value.retry_after == 120.0


def test_the_deadline_bounds_the_total_time(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """Attempts stop once the next wait would pass the deadline."""
    twilio.script(*[error(429, 20429, **{"Retry-After": "4"})] * 10)

    with pytest.raises(RateLimitedError):
        make(max_attempts=10, deadline=10.0).send(TO, "hi")

    # Waits of 4 s: after 4 and 8 s of waiting, a third would end at 12.
    assert sleep.delays == [4.0, 4.0]
    assert len(twilio.requests) == 3


@pytest.mark.parametrize(
    "statuses",
    [
        pytest.param([500], id="500"),
        pytest.param([503], id="503"),
        pytest.param([500, 503], id="500-503"),
        pytest.param([502, 504], id="502-504"),
    ],
)
def test_5xx_runs_are_retried_until_success(
    twilio: FakeTwilio,
    make: Make,
    sleep: SleepRecorder,
    statuses: list[int],
) -> None:
    """A run of 5xx replies shorter than max_attempts ends in success."""
    twilio.script(*(error(status, 20500) for status in statuses))

    sid = make().send(TO, "hi")

    assert sid.startswith("SM")
    assert len(twilio.requests) == len(statuses) + 1
    assert len(sleep.delays) == len(statuses)


def test_5xx_exhausted_raises_unavailable(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """Three 5xx replies give TransportUnavailableError after 3 attempts."""
    twilio.script(error(500, 20500), error(503, 20503), error(500, 20500))

    with pytest.raises(TransportUnavailableError) as caught:
        make().send(TO, "hi")

    assert len(twilio.requests) == 3
    assert len(sleep.delays) == 2
    assert "may have been carried out" in str(caught.value)
    assert caught.value.provider_code == 20500
    assert_no_secret(caught.value)


def test_503_retry_after_is_honoured(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """A 503 with Retry-After waits that long before the next attempt."""
    twilio.script(error(503, 20503, **{"Retry-After": "2"}))

    make().send(TO, "hi")

    assert sleep.delays == [2.0]


def test_5xx_is_not_retried_when_ambiguous_retries_are_off(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """retry_ambiguous=False stops after a 5xx: Twilio may have sent it."""
    twilio.script(error(500, 20500))

    with pytest.raises(TransportUnavailableError):
        make(retry_ambiguous=False).send(TO, "hi")

    assert len(twilio.requests) == 1
    assert sleep.delays == []


def test_429_is_retried_even_when_ambiguous_retries_are_off(
    twilio: FakeTwilio, make: Make
) -> None:
    """Twilio never processes a 429'd request, so it is always retried."""
    twilio.script(error(429, 20429))

    make(retry_ambiguous=False).send(TO, "hi")

    assert len(twilio.requests) == 2


# Connection faults.


def test_a_hang_past_the_timeout_is_retried_then_unavailable(
    twilio: FakeTwilio, make: Make, sleep: SleepRecorder
) -> None:
    """A reply that never comes times out each attempt; then unavailable."""
    twilio.script(Reply(hang=True), Reply(hang=True))

    with pytest.raises(TransportUnavailableError) as caught:
        make(timeout=0.2, max_attempts=2).send(TO, "hi")

    assert len(twilio.requests) == 2
    assert len(sleep.delays) == 1
    assert isinstance(caught.value.__cause__, TimeoutError)
    assert "may have been carried out" in str(caught.value)
    assert_no_secret(caught.value)


def test_a_hang_then_success_returns_the_second_sid(
    twilio: FakeTwilio, make: Make
) -> None:
    """After a timeout the retry's reply is used."""
    twilio.script(Reply(hang=True))

    sid = make(timeout=0.2).send(TO, "hi")

    assert sid.startswith("SM")
    assert len(twilio.requests) == 2


def test_a_hang_is_not_retried_when_ambiguous_retries_are_off(
    twilio: FakeTwilio, make: Make
) -> None:
    """A timed-out request may have been sent; with retries off, one try."""
    twilio.script(Reply(hang=True))

    with pytest.raises(TransportUnavailableError):
        make(timeout=0.2, retry_ambiguous=False).send(TO, "hi")

    assert len(twilio.requests) == 1


def test_a_dropped_connection_is_retried(
    twilio: FakeTwilio, make: Make
) -> None:
    """A connection closed without a reply is retried."""
    twilio.script(Reply(drop=True))

    sid = make().send(TO, "hi")

    assert sid.startswith("SM")
    assert len(twilio.requests) == 2


def test_connection_refused_is_retried_then_unavailable(
    make: Make, sleep: SleepRecorder
) -> None:
    """Nothing listening: each attempt is refused; then unavailable."""
    transport = make(base_url=closed_port_url(), max_attempts=3)

    with pytest.raises(TransportUnavailableError) as caught:
        transport.send(TO, "hi")

    assert len(sleep.delays) == 2
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
    assert "3 attempts" in str(caught.value)
    assert "may have been" not in str(caught.value)
    assert_no_secret(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(hang=True), id="hang"),
        pytest.param(Reply(drop=True), id="drop"),
        pytest.param(error(500, 20500), id="500"),
        pytest.param(error(401, 20003), id="401"),
    ],
)
def test_no_frame_in_the_exception_chain_holds_the_credentials(
    twilio: FakeTwilio, make: Make, reply: Reply
) -> None:
    """Error reporters that record frame locals find no credentials."""
    twilio.script(reply)

    with pytest.raises(SmsError) as caught:
        make(timeout=0.2, max_attempts=1).send(TO, "hi")

    for text in frame_locals(caught.value):
        for secret in secret_forms():
            assert secret not in text


def test_https_base_urls_connect_with_tls(make: Make) -> None:
    """An https:// base URL goes through TLS; a closed port is unreachable."""
    url = closed_port_url().replace("http://", "https://")

    with pytest.raises(TransportUnavailableError) as caught:
        make(base_url=url, max_attempts=1).send(TO, "hi")

    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
    assert caught.value.__cause__.__traceback__ is None


# Replies that are not what Twilio sends.


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(201, b"<html>OK</html>"), id="not-json"),
        pytest.param(Reply(201, b"[1, 2]"), id="json-array"),
        pytest.param(Reply(201, {"status": "queued"}), id="no-sid"),
        pytest.param(Reply(201, {"sid": ""}), id="empty-sid"),
        pytest.param(Reply(201, {"sid": 17}), id="number-sid"),
    ],
)
def test_success_without_a_sid_is_unavailable_and_not_retried(
    twilio: FakeTwilio, make: Make, reply: Reply
) -> None:
    """A 201 without a readable sid is an error, never retried (it exists)."""
    twilio.script(reply)

    with pytest.raises(TransportUnavailableError) as caught:
        make().send(TO, "hi")

    assert len(twilio.requests) == 1
    assert "may be delivered" in str(caught.value)
    assert_no_secret(caught.value)


def test_a_non_json_5xx_is_retried(twilio: FakeTwilio, make: Make) -> None:
    """A 502 page from a proxy is a 5xx like any other."""
    twilio.script(Reply(502, b"<html>Bad Gateway</html>"))

    assert make().send(TO, "hi").startswith("SM")
    assert len(twilio.requests) == 2


def test_an_unexpected_status_is_unavailable(
    twilio: FakeTwilio, make: Make
) -> None:
    """A redirect is not followed (it would carry the credentials along)."""
    twilio.script(Reply(302, b"", {"Location": "http://127.0.0.1:1/"}))

    with pytest.raises(TransportUnavailableError):
        make().send(TO, "hi")

    assert len(twilio.requests) == 1


# Construction, configuration and secrecy.


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="neither"),
        pytest.param(
            {"from_number": FROM, "messaging_service_sid": SERVICE_SID},
            id="both",
        ),
    ],
)
def test_exactly_one_sender_is_required(options: dict[str, str]) -> None:
    """Neither or both of From and MessagingServiceSid is refused at once."""
    with pytest.raises(InvalidParameterError, match="exactly one"):
        TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://127.0.0.1:8080", id="ipv4-loopback"),
        pytest.param("http://127.8.9.10", id="loopback-range"),
        pytest.param("http://[::1]:8080", id="ipv6-loopback"),
        pytest.param("http://localhost:8080/", id="localhost"),
        pytest.param("https://api.twilio.com", id="https"),
        pytest.param("https://twilio.example:8443", id="https-port"),
    ],
)
def test_base_url_accepts_https_and_loopback_http(base_url: str) -> None:
    """HTTPS anywhere, plain HTTP only to this machine."""
    transport = TwilioTransport(
        ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=base_url
    )

    assert "base_url=" in repr(transport)


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("http://api.twilio.com", id="plain-http-remote"),
        pytest.param("http://10.0.0.1", id="plain-http-private"),
        pytest.param("http://localhost.example.com", id="not-localhost"),
        pytest.param("ftp://127.0.0.1", id="ftp"),
        pytest.param("https://user:pw@api.twilio.com", id="credentials"),
        pytest.param("https://api.twilio.com/2010-04-01", id="path"),
        pytest.param("https://api.twilio.com?x=1", id="query"),
        pytest.param("https://api.twilio.com:99999", id="bad-port"),
        pytest.param("api.twilio.com", id="no-scheme"),
    ],
)
def test_base_url_refuses_the_rest(base_url: str) -> None:
    """Plain HTTP off loopback, odd schemes, paths, credentials: refused."""
    with pytest.raises(InvalidParameterError, match="base_url"):
        TwilioTransport(
            ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=base_url
        )


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        pytest.param({"account_sid": "AC123"}, "account_sid", id="short-sid"),
        pytest.param(
            {"account_sid": "AC" + "0" * 31 + "/"}, "account_sid", id="slash"
        ),
        pytest.param({"account_sid": SERVICE_SID}, "account_sid", id="mg-sid"),
        pytest.param({"auth_token": ""}, "auth_token", id="empty-token"),
        pytest.param({"auth_token": "a\nb"}, "auth_token", id="newline"),
        pytest.param({"from_number": "555-1234"}, "from_number", id="from"),
        pytest.param({"api_key_sid": ACCOUNT_SID}, "api_key_sid", id="key"),
        pytest.param({"timeout": 0}, "timeout", id="timeout-0"),
        pytest.param({"timeout": float("nan")}, "timeout", id="timeout-nan"),
        pytest.param({"max_attempts": 0}, "max_attempts", id="attempts-0"),
        pytest.param({"max_attempts": 11}, "max_attempts", id="attempts-11"),
        pytest.param({"deadline": -1}, "deadline", id="deadline"),
        pytest.param({"validity_period": 0}, "validity", id="validity"),
    ],
)
def test_malformed_parameters_are_refused(
    options: dict[str, object], parameter: str
) -> None:
    """Each parameter is checked at construction, naming itself."""
    settings: dict[str, object] = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "from_number": FROM,
        **options,
    }

    with pytest.raises(InvalidParameterError) as caught:
        TwilioTransport(**settings)  # type: ignore[arg-type]

    assert str(caught.value).startswith(parameter)


@pytest.mark.parametrize(
    "sender",
    [
        pytest.param(FROM, id="e164"),
        pytest.param("55555", id="short-code"),
        pytest.param("Example Co", id="alphanumeric"),
    ],
)
def test_sender_forms_are_accepted(sender: str) -> None:
    """A number, a short code or an alphanumeric sender ID may send."""
    transport = TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, from_number=sender)

    assert transport.from_number == sender


def test_repr_and_pickle_keep_the_token_hidden() -> None:
    """No repr shows the token, and the transport refuses to be pickled."""
    transport = TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, from_number=FROM)

    shown = [repr(transport), str(transport), repr(vars(transport))]
    shown += [repr(value) for value in vars(transport).values()]

    for text in shown:
        for secret in secret_forms():
            assert secret not in text
    with pytest.raises(TypeError):
        pickle.dumps(transport)


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("https://api.twilio.com", id="https"),
        pytest.param("http://127.0.0.1:8080", id="loopback-http"),
    ],
)
def test_pickling_raises_an_otp_error_that_is_a_type_error(
    base_url: str,
) -> None:
    """Pickling used to raise a bare TypeError, outside the OtpError tree."""
    transport = TwilioTransport(
        ACCOUNT_SID, AUTH_TOKEN, from_number=FROM, base_url=base_url
    )

    with pytest.raises(PicklingRefusedError) as caught:
        pickle.dumps(transport)

    assert isinstance(caught.value, OtpError)
    assert isinstance(caught.value, TypeError)
    for text in logged_texts(caught.value):
        for secret in secret_forms():
            assert secret not in text


def test_from_env_returns_none_when_unconfigured() -> None:
    """Without TWILIO_ACCOUNT_SID there is no transport."""
    assert TwilioTransport.from_env({}) is None
    assert TwilioTransport.from_env({"TWILIO_ACCOUNT_SID": ""}) is None


def test_from_env_builds_a_working_transport(twilio: FakeTwilio) -> None:
    """The TWILIO_* variables configure account, token and sender."""
    transport = TwilioTransport.from_env(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM,
        },
        base_url=twilio.base_url,
    )

    assert transport is not None
    transport.send(TO, "hi")
    [request] = twilio.requests
    assert request.basic_auth == (ACCOUNT_SID, AUTH_TOKEN)
    assert request.fields["From"] == FROM


def test_from_env_reads_a_messaging_service_and_api_key(
    twilio: FakeTwilio,
) -> None:
    """TWILIO_MESSAGING_SERVICE_SID and an API key pair are read too."""
    transport = TwilioTransport.from_env(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_API_KEY_SID": API_KEY_SID,
            "TWILIO_API_KEY_SECRET": AUTH_TOKEN,
            "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        },
        base_url=twilio.base_url,
    )

    assert transport is not None
    transport.send(TO, "hi")
    [request] = twilio.requests
    assert request.basic_auth == (API_KEY_SID, AUTH_TOKEN)
    assert request.fields["MessagingServiceSid"] == SERVICE_SID


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        pytest.param(
            {"TWILIO_FROM_NUMBER": FROM}, "TWILIO_AUTH_TOKEN", id="no-token"
        ),
        pytest.param(
            {"TWILIO_AUTH_TOKEN": AUTH_TOKEN},
            "TWILIO_FROM_NUMBER",
            id="no-sender",
        ),
        pytest.param(
            {
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_FROM_NUMBER": FROM,
                "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
            },
            "TWILIO_FROM_NUMBER",
            id="two-senders",
        ),
    ],
)
def test_from_env_names_the_missing_variable(
    environ: dict[str, str], named: str
) -> None:
    """A half-configured environment names the variable, not its value."""
    with pytest.raises(InvalidParameterError) as caught:
        TwilioTransport.from_env(
            {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, **environ}
        )

    assert named in str(caught.value)
    assert AUTH_TOKEN not in str(caught.value)


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a mapping, the process environment is read."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_MESSAGING_SERVICE_SID", SERVICE_SID)
    monkeypatch.delenv("TWILIO_FROM_NUMBER", raising=False)
    monkeypatch.delenv("TWILIO_API_KEY_SID", raising=False)

    transport = TwilioTransport.from_env()

    assert transport is not None
    assert transport.messaging_service_sid == SERVICE_SID
