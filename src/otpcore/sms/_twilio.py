"""Twilio's Messages API over HTTPS, with the standard library only.

The HTTP machinery here (credentials, retries, error mapping) is shared with
the Twilio Verify client in :mod:`otpcore.sms._verify`.

Retries. Twilio says a request answered with 429 (error 20429) "is never
processed and is always safe to retry", and a connection that could not be
opened carried nothing, so both are retried. A 5xx reply, or a connection
that failed after the request was written (a timeout while waiting for the
reply), is ambiguous: Twilio may have acted on the request. Creating a
message is not idempotent, so retrying then may deliver the text twice.
For a one-time code that is the better failure: both copies carry the same
code, the retries are bounded by ``max_attempts``, and a lost code would
leave the user waiting out a resend cooldown. ``retry_ambiguous=False``
turns this off for texts where a duplicate matters. A 4xx reply is never
retried, except 429.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import math
import os
import random as _random
import re
import ssl
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final, NoReturn

from otpcore.errors import (
    CredentialsRejectedError,
    InvalidParameterError,
    InvalidRecipientError,
    MessageRejectedError,
    PicklingRefusedError,
    RateLimitedError,
    SmsError,
    TransportUnavailableError,
)
from otpcore.sms._transport import check_body, check_e164, check_validity

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MESSAGES_URL",
    "DEFAULT_TIMEOUT",
    "TwilioTransport",
]

#: Twilio's REST API host for Programmable Messaging.
DEFAULT_MESSAGES_URL: Final = "https://api.twilio.com"
#: Seconds to wait for one HTTP exchange (our choice: long enough for a
#: slow TLS handshake, short enough for a login page to answer).
DEFAULT_TIMEOUT: Final = 10.0
#: Attempts per request, the first included (our choice).
DEFAULT_MAX_ATTEMPTS: Final = 3
#: The most attempts anyone may ask for, so a typo cannot hammer Twilio.
MAX_ATTEMPTS_LIMIT: Final = 10
#: Seconds one call may spend across all attempts and waits (our choice).
DEFAULT_DEADLINE: Final = 30.0
#: Exponential backoff: the first wait is about this many seconds, doubling
#: per attempt up to the cap, with half of each wait random (jitter) so that
#: many servers throttled at once do not retry in step (our choice; Twilio's
#: error 20429 page asks for exponential backoff without numbers).
BACKOFF_BASE: Final = 0.5
BACKOFF_CAP: Final = 8.0
#: Twilio's replies are a few kilobytes; a larger one is not Twilio's.
MAX_REPLY_BYTES: Final = 1 << 20
#: Seconds to suggest when Twilio throttles without a ``Retry-After``
#: header and our own backoff is exhausted (our choice).
DEFAULT_RETRY_AFTER: Final = 60.0

# Twilio error codes (https://www.twilio.com/docs/api/errors/NNNNN).
AUTHENTICATE: Final = 20003
TOO_MANY_REQUESTS: Final = 20429
# The recipient cannot take SMS from this account: not a valid number
# (21211), not a mobile number (21614), a landline (21635), unsubscribed
# by replying STOP (21610).
RECIPIENT_CODES: Final = frozenset({21211, 21614, 21635, 21610})
# The sender's queue holds more than ten hours of messages (21611).
QUEUE_FULL: Final = 21611
# What the codes this package names mean, in our words. Our messages say
# this rather than quote Twilio's text, which for some codes (21211,
# 21614, Verify's 60200) repeats the recipient's phone number.
_MEANINGS: Final[Mapping[int, str]] = {
    20003: "authentication failed",
    20404: "the resource was not found",
    20429: "too many requests",
    21211: "the 'To' number is not a valid phone number",
    21408: "sending to the recipient's region is not enabled",
    21602: "the message body is empty",
    21606: "the sender cannot send to this recipient",
    21608: "a trial account may send only to verified numbers",
    21610: "the recipient has unsubscribed by replying STOP",
    21611: "the sender's queue of messages is full",
    21612: "the sender cannot reach the recipient",
    21614: "the 'To' number is not a mobile number",
    21635: "the 'To' number is a landline",
    60200: "a parameter is invalid",
    60202: "too many checks of this verification",
    60203: "too many sends to this number",
    90007: "the validity period is out of range",
}

# A Twilio SID is a two-letter type prefix and 32 hexadecimal digits; the
# check also keeps anything odd out of the URL path.
_SID_DIGITS: Final = "[0-9a-fA-F]{32}"
_SHORT_CODE: Final = re.compile(r"[0-9]{3,8}")
_ALPHANUMERIC_SENDER: Final = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
_HTTP_OK_FIRST: Final = 200
_HTTP_OK_LAST: Final = 299
_HTTP_UNAUTHORIZED: Final = 401
_HTTP_FORBIDDEN: Final = 403
_HTTP_TOO_MANY: Final = 429
_HTTP_CLIENT_ERROR: Final = 400
_HTTP_SERVER_ERROR: Final = 500
_HTTP_LAST: Final = 599
_MAX_PROVIDER_MESSAGE: Final = 300
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_LOOPBACK_NAMES: Final = frozenset({"localhost"})

_ENV_ACCOUNT_SID: Final = "TWILIO_ACCOUNT_SID"
_ENV_AUTH_TOKEN: Final = "TWILIO_AUTH_TOKEN"
_ENV_API_KEY_SID: Final = "TWILIO_API_KEY_SID"
_ENV_API_KEY_SECRET: Final = "TWILIO_API_KEY_SECRET"
_ENV_FROM_NUMBER: Final = "TWILIO_FROM_NUMBER"
_ENV_MESSAGING_SERVICE_SID: Final = "TWILIO_MESSAGING_SERVICE_SID"


def check_sid(name: str, value: object, prefix: str) -> str:
    """Return ``value`` if it is a Twilio SID with ``prefix``, else raise.

    Raises:
        InvalidParameterError: ``value`` is not such a SID.
    """
    if not isinstance(value, str) or not re.fullmatch(
        prefix + _SID_DIGITS, value
    ):
        raise InvalidParameterError(
            name,
            f"expected a Twilio SID, {prefix!r} and 32 hexadecimal digits",
        )
    return value


def check_secret(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(name, "expected a non-empty str")
    if _CONTROL.search(value) is not None:
        raise InvalidParameterError(name, "contains control characters")
    return value


def _check_positive(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidParameterError(
            name, "expected a positive, finite number of seconds"
        )
    return float(value)


def _check_attempts(value: object) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_ATTEMPTS_LIMIT
    ):
        raise InvalidParameterError(
            "max_attempts", f"expected an int from 1 to {MAX_ATTEMPTS_LIMIT}"
        )
    return value


def _check_sender(value: object) -> str:
    if isinstance(value, str) and (
        _SHORT_CODE.fullmatch(value) or _ALPHANUMERIC_SENDER.fullmatch(value)
    ):
        return value
    try:
        return check_e164(value)
    except InvalidRecipientError:
        raise InvalidParameterError(
            "from_number",
            "expected an E.164 number, a short code or an alphanumeric "
            "sender ID of at most 11 letters, digits and spaces",
        ) from None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to send requests: scheme, host and port of a base URL."""

    https: bool
    host: str
    port: int

    @classmethod
    def parse(cls, base_url: object) -> Endpoint:
        """Read ``scheme://host[:port]``, refusing plain HTTP off loopback.

        Raises:
            InvalidParameterError: The URL is malformed, has a path, query
                or credentials, or is plain HTTP to a host that is not a
                loopback address.
        """
        if not isinstance(base_url, str):
            raise InvalidParameterError("base_url", "expected a str")
        parts = urllib.parse.urlsplit(base_url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        host = parts.hostname
        if (
            parts.scheme not in {"http", "https"}
            or not host
            or port == -1
            or parts.username is not None
            or parts.path not in {"", "/"}
            or parts.query
            or parts.fragment
        ):
            raise InvalidParameterError(
                "base_url",
                "expected scheme://host[:port] with no path, query or "
                "credentials",
            )
        https = parts.scheme == "https"
        # Basic auth sends the credentials in every request: never in clear
        # text over a network, only to this machine (tests, local fakes).
        if not https and not _is_loopback(host):
            raise InvalidParameterError(
                "base_url",
                "plain http:// is allowed only for loopback hosts "
                "(127.0.0.0/8, ::1, localhost); use https://",
            )
        default_port = http.client.HTTPS_PORT if https else 80
        return cls(https, host, default_port if port is None else port)

    def url(self) -> str:
        """Return the base URL, for reprs and messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.https else "http"
        return f"{scheme}://{host}:{self.port}"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Credentials:
    """An HTTP Basic ``Authorization`` value that never shows itself."""

    __slots__ = ("_header",)

    def __init__(self, username: str, password: str) -> None:
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    @property
    def header(self) -> str:
        return self._header

    def __repr__(self) -> str:
        return "<credentials hidden>"

    def __reduce__(self) -> NoReturn:
        raise PicklingRefusedError(
            "Twilio credentials cannot be pickled; build the transport or "
            "verifier again where it is needed"
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP reply from Twilio.

    Attributes:
        status: The HTTP status.
        data: The JSON object in the body, or None if it was not one.
        retry_after: Seconds from the ``Retry-After`` header, or None.
    """

    status: int
    data: dict[str, object] | None
    retry_after: float | None

    @property
    def ok(self) -> bool:
        """Return whether the status is 2xx."""
        return _HTTP_OK_FIRST <= self.status <= _HTTP_OK_LAST

    @property
    def code(self) -> int | None:
        """Return Twilio's error ``code``, if the body has one."""
        code = None if self.data is None else self.data.get("code")
        return code if isinstance(code, int) else None

    @property
    def provider_message(self) -> str | None:
        """Return Twilio's error message, or None if the body has none.

        Control characters become spaces and the text is cut short, but it
        is otherwise Twilio's, phone numbers included: it goes to the
        error's ``provider_message``, never into our messages.
        """
        text = None if self.data is None else self.data.get("message")
        if not isinstance(text, str):
            return None
        return _CONTROL.sub(" ", text)[:_MAX_PROVIDER_MESSAGE]

    def describe(self) -> str:
        """Return "HTTP 400, Twilio error 21211: <what it means>".

        Only the status, the code and our own words for the code; never
        Twilio's text.
        """
        if self.code is None:
            return f"HTTP {self.status}"
        text = f"HTTP {self.status}, Twilio error {self.code}"
        meaning = _MEANINGS.get(self.code)
        return text if meaning is None else f"{text}: {meaning}"


class _NotSentError(Exception):
    """No byte of the request reached the server; retrying is safe."""


class _AmbiguousError(Exception):
    """The request may have reached the server; the reply was lost."""


def _parse_retry_after(value: str | None) -> float | None:
    # RFC 9110 section 10.2.3: delay-seconds or an HTTP-date.
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class TwilioHttp:
    """Form POSTs to one Twilio API host, with bounded retries.

    Args:
        base_url: ``https://host[:port]``; ``http://`` only for loopback.
        username: An Account SID or API key SID.
        password: The Auth Token or API key secret.
        timeout: Seconds for one HTTP exchange.
        max_attempts: Attempts per request, the first included.
        deadline: Seconds one request may take across attempts and waits.
        sleep: Called with the seconds to wait between attempts.
        clock: Monotonic seconds, to keep the deadline.
        random: Returns a float in [0, 1), for jitter.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float,
        max_attempts: int,
        deadline: float,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        random: Callable[[], float],
    ) -> None:
        self.endpoint = Endpoint.parse(base_url)
        self.timeout = _check_positive("timeout", timeout)
        self.max_attempts = _check_attempts(max_attempts)
        self.deadline = _check_positive("deadline", deadline)
        self._credentials = _Credentials(username, password)
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._tls = (
            ssl.create_default_context() if self.endpoint.https else None
        )

    def post(
        self, path: str, fields: Mapping[str, str], *, retry_ambiguous: bool
    ) -> Reply:
        """POST ``fields`` to ``path``; return the first final reply.

        A final reply is any reply but 5xx and a 429 that Twilio marks as
        safe to retry (no code, or 20429). Those, and connections that
        fail, are retried as the module docstring explains.

        Raises:
            RateLimitedError: Still throttled when attempts or time ran out.
            TransportUnavailableError: Twilio could not be reached, kept
                failing, or failed ambiguously with ``retry_ambiguous``
                False.
        """
        body = urllib.parse.urlencode(fields).encode("ascii")
        started = self._clock()
        ambiguous = False
        failure: BaseException | None = None
        reply: Reply | None = None
        attempt = 0
        while True:
            remaining = self.deadline - (self._clock() - started)
            if remaining <= 0 and attempt > 0:
                break
            attempt += 1
            try:
                reply = self._exchange(
                    path, body, min(self.timeout, remaining)
                )
            except _NotSentError as exc:
                failure, reply = exc.__cause__, None
            except _AmbiguousError as exc:
                failure, reply, ambiguous = exc.__cause__, None, True
            else:
                failure = None
                if _HTTP_SERVER_ERROR <= reply.status <= _HTTP_LAST:
                    ambiguous = True
                elif not _retryable_throttle(reply):
                    return reply
            if ambiguous and not retry_ambiguous:
                break
            delay = self._delay(attempt, reply)
            spent = self._clock() - started
            if attempt >= self.max_attempts or spent + delay >= self.deadline:
                break
            self._sleep(delay)
        error = self._error(attempt, reply, failure, ambiguous=ambiguous)
        raise error from failure

    def _delay(self, attempt: int, reply: Reply | None) -> float:
        if reply is not None and reply.retry_after is not None:
            return reply.retry_after
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._random() * ceiling / 2

    def _error(
        self,
        attempts: int,
        reply: Reply | None,
        failure: BaseException | None,
        *,
        ambiguous: bool,
    ) -> SmsError:
        tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        if reply is not None and _retryable_throttle(reply):
            retry_after = reply.retry_after
            return RateLimitedError(
                f"Twilio is throttling requests {tries} ({reply.describe()})",
                retry_after=(
                    DEFAULT_RETRY_AFTER if retry_after is None else retry_after
                ),
                provider_code=reply.code,
                provider_message=reply.provider_message,
            )
        where = self.endpoint.url()
        maybe = "; the request may have been carried out" if ambiguous else ""
        if reply is not None:
            return TransportUnavailableError(
                f"Twilio at {where} kept failing {tries} "
                f"({reply.describe()}){maybe}",
                provider_code=reply.code,
                provider_message=reply.provider_message,
            )
        kind = type(failure).__name__ if failure is not None else "timeout"
        return TransportUnavailableError(
            f"could not reach Twilio at {where} {tries} ({kind}){maybe}"
        )

    def _exchange(self, path: str, body: bytes, timeout: float) -> Reply:
        endpoint = self.endpoint
        conn: http.client.HTTPConnection
        if self._tls is not None:
            conn = http.client.HTTPSConnection(
                endpoint.host,
                endpoint.port,
                timeout=timeout,
                context=self._tls,
            )
        else:
            conn = http.client.HTTPConnection(
                endpoint.host, endpoint.port, timeout=timeout
            )
        try:
            try:
                conn.connect()
            except OSError as exc:
                raise _NotSentError from _without_frames(exc)
            try:
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Authorization": self._credentials.header,
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/json",
                        "User-Agent": "otpcore",
                    },
                )
                response = conn.getresponse()
                raw = response.read(MAX_REPLY_BYTES + 1)
            except (OSError, http.client.HTTPException) as exc:
                raise _AmbiguousError from _without_frames(exc)
            return Reply(
                response.status,
                _json_object(raw),
                _parse_retry_after(response.getheader("Retry-After")),
            )
        finally:
            conn.close()

    def __repr__(self) -> str:
        return f"TwilioHttp({self.endpoint.url()!r})"


def _without_frames(exc: BaseException) -> BaseException:
    # The frames of http.client hold the request headers in their locals;
    # error reporters that record locals would copy the credentials.
    exc.__traceback__ = None
    exc.__context__ = None
    return exc


def _retryable_throttle(reply: Reply) -> bool:
    # Verify's 60202 and 60203 also come as 429 but are verdicts about one
    # verification, not throttling of the API; only 20429 is retried.
    return reply.status == _HTTP_TOO_MANY and reply.code in {
        None,
        TOO_MANY_REQUESTS,
    }


def _json_object(raw: bytes) -> dict[str, object] | None:
    if len(raw) > MAX_REPLY_BYTES:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def raise_for_reply(reply: Reply, *, what: str) -> NoReturn:
    """Raise the error that a final, unsuccessful Twilio reply stands for.

    Args:
        reply: A reply that is not 2xx.
        what: What was asked, for the message ("send the message").

    Raises:
        CredentialsRejectedError: HTTP 401 or 403, or code 20003.
        InvalidRecipientError: 21211, 21614, 21635 or 21610.
        RateLimitedError: 21611, or a 429 with another code.
        MessageRejectedError: Any other 4xx.
        TransportUnavailableError: A status that is not an error.
    """
    code, detail = reply.code, reply.describe()
    message = reply.provider_message
    if (
        reply.status in {_HTTP_UNAUTHORIZED, _HTTP_FORBIDDEN}
        or code == AUTHENTICATE
    ):
        raise CredentialsRejectedError(
            f"Twilio refused the credentials ({detail}); check the Account "
            "SID and Auth Token or API key",
            provider_code=code,
            provider_message=message,
        )
    if code in RECIPIENT_CODES:
        raise InvalidRecipientError(
            f"Twilio refused the recipient ({detail})",
            provider_code=code,
            provider_message=message,
        )
    if code == QUEUE_FULL or reply.status == _HTTP_TOO_MANY:
        retry_after = reply.retry_after
        raise RateLimitedError(
            f"Twilio will not {what} now ({detail})",
            retry_after=(
                DEFAULT_RETRY_AFTER if retry_after is None else retry_after
            ),
            provider_code=code,
            provider_message=message,
        )
    if _HTTP_CLIENT_ERROR <= reply.status < _HTTP_SERVER_ERROR:
        raise MessageRejectedError(
            f"Twilio refused to {what} ({detail})",
            provider_code=code,
            provider_message=message,
        )
    raise TransportUnavailableError(
        f"Twilio gave an unexpected reply ({detail})",
        provider_code=code,
        provider_message=message,
    )


def make_http(
    base_url: str,
    username: str,
    password: str,
    *,
    timeout: float,
    max_attempts: int,
    deadline: float,
    sleep: Callable[[float], None] | None,
    clock: Callable[[], float] | None,
    random: Callable[[], float] | None,
) -> TwilioHttp:
    """Build a :class:`TwilioHttp`; None picks the real sleep and clock."""
    return TwilioHttp(
        base_url,
        username,
        password,
        timeout=timeout,
        max_attempts=max_attempts,
        deadline=deadline,
        sleep=time.sleep if sleep is None else sleep,
        clock=time.monotonic if clock is None else clock,
        random=_random.random if random is None else random,
    )


class TwilioTransport:
    """Send SMS through Twilio's Programmable Messaging API.

    Each :meth:`send` is one ``POST /2010-04-01/Accounts/{AccountSid}/
    Messages.json`` over HTTPS with HTTP Basic auth, retried as the module
    docstring describes. Nothing but the standard library is used; HTTP
    proxies are not supported.

    Args:
        account_sid: The Account SID (``AC`` and 32 hex digits); it is
            always the account in the URL.
        auth_token: The Auth Token, or the API key secret when
            ``api_key_sid`` is given. Never shown in a message or repr.
        from_number: The sender: a Twilio number in E.164 form, a short code
            or an alphanumeric sender ID.
        messaging_service_sid: A Messaging Service (``MG...``) to send
            through instead. Exactly one of this and ``from_number``.
        api_key_sid: An API key SID (``SK...``) to authenticate with
            instead of the Account SID; Twilio recommends API keys in
            production.
        base_url: Twilio's API host; ``http://`` only for loopback hosts.
        timeout: Seconds for one HTTP exchange.
        max_attempts: Attempts per message, the first included (1 to 10).
        deadline: Seconds one :meth:`send` may take in all.
        validity_period: Default ``ValidityPeriod`` in seconds (1 to 36000)
            for messages sent without ``validity``; None leaves Twilio's
            default of ten hours.
        retry_ambiguous: Whether to retry after a 5xx reply or a lost
            reply, which may deliver the message twice.
        sleep: Called with the seconds to wait between attempts; tests pass
            a recorder. ``time.sleep`` when None.
        clock: Monotonic seconds for the deadline; ``time.monotonic`` when
            None.
        random: A float in [0, 1) for jitter; ``random.random`` when None.

    Raises:
        InvalidParameterError: A parameter is malformed, or not exactly one
            of ``from_number`` and ``messaging_service_sid`` is given.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_key_sid: str | None = None,
        base_url: str = DEFAULT_MESSAGES_URL,
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        deadline: float = DEFAULT_DEADLINE,
        validity_period: int | None = None,
        retry_ambiguous: bool = True,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.account_sid = check_sid("account_sid", account_sid, "AC")
        secret = check_secret("auth_token", auth_token)
        if (from_number is None) == (messaging_service_sid is None):
            raise InvalidParameterError(
                "from_number",
                "give exactly one of from_number and messaging_service_sid",
            )
        self.from_number = (
            None if from_number is None else _check_sender(from_number)
        )
        self.messaging_service_sid = (
            None
            if messaging_service_sid is None
            else check_sid(
                "messaging_service_sid", messaging_service_sid, "MG"
            )
        )
        self.api_key_sid = (
            None
            if api_key_sid is None
            else check_sid("api_key_sid", api_key_sid, "SK")
        )
        self.validity_period = check_validity(validity_period)
        self.retry_ambiguous = bool(retry_ambiguous)
        self._http = make_http(
            base_url,
            self.api_key_sid or self.account_sid,
            secret,
            timeout=timeout,
            max_attempts=max_attempts,
            deadline=deadline,
            sleep=sleep,
            clock=clock,
            random=random,
        )
        self._path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        base_url: str = DEFAULT_MESSAGES_URL,
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        validity_period: int | None = None,
    ) -> TwilioTransport | None:
        """Build a transport from ``TWILIO_*`` environment variables.

        Reads ``TWILIO_ACCOUNT_SID``; ``TWILIO_AUTH_TOKEN``, or
        ``TWILIO_API_KEY_SID`` with ``TWILIO_API_KEY_SECRET``; and
        ``TWILIO_FROM_NUMBER`` or ``TWILIO_MESSAGING_SERVICE_SID``. Empty
        variables count as unset.

        Args:
            environ: The variables to read; ``os.environ`` when None.
            base_url: As for the constructor.
            timeout: As for the constructor.
            max_attempts: As for the constructor.
            validity_period: As for the constructor.

        Returns:
            The transport, or None when ``TWILIO_ACCOUNT_SID`` is unset.

        Raises:
            InvalidParameterError: The account is set but its credentials
                or sender are missing or malformed; the message names the
                variable, never its value.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None

        account_sid = get(_ENV_ACCOUNT_SID)
        if account_sid is None:
            return None
        key_sid, key_secret = get(_ENV_API_KEY_SID), get(_ENV_API_KEY_SECRET)
        secret = key_secret if key_sid is not None else get(_ENV_AUTH_TOKEN)
        if secret is None:
            missing = _ENV_API_KEY_SECRET if key_sid else _ENV_AUTH_TOKEN
            raise InvalidParameterError(missing, "is not set")
        from_number = get(_ENV_FROM_NUMBER)
        service_sid = get(_ENV_MESSAGING_SERVICE_SID)
        if (from_number is None) == (service_sid is None):
            raise InvalidParameterError(
                _ENV_FROM_NUMBER,
                f"set exactly one of {_ENV_FROM_NUMBER} and "
                f"{_ENV_MESSAGING_SERVICE_SID}",
            )
        return cls(
            account_sid,
            secret,
            from_number=from_number,
            messaging_service_sid=service_sid,
            api_key_sid=key_sid,
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            validity_period=validity_period,
        )

    def send(self, to: str, body: str, *, validity: int | None = None) -> str:
        """Send ``body`` to ``to``; return Twilio's message SID (``SM...``).

        Args:
            to: The recipient, an E.164 number; checked before any request.
            body: The message text.
            validity: Seconds (1 to 36000) after which Twilio should drop
                the message undelivered (``ValidityPeriod``); the
                transport's ``validity_period`` when None.

        Returns:
            The SID of the message Twilio created. Twilio has queued it;
            delivery happens later and is not reported here.

        Raises:
            InvalidRecipientError: ``to`` is not E.164, or Twilio refused it
                (21211, 21614, 21635, 21610).
            InvalidParameterError: ``body`` or ``validity`` is malformed.
            CredentialsRejectedError: Twilio refused the credentials.
            RateLimitedError: Twilio kept throttling, or the sender's queue
                is full (21611).
            MessageRejectedError: Twilio refused the message for another
                lasting reason (21408, 21608, 21612 and other 4xx).
            TransportUnavailableError: Twilio could not be reached, kept
                failing, or accepted the request without a readable reply.
        """
        check_e164(to)
        check_body(body)
        period = check_validity(validity)
        if period is None:
            period = self.validity_period

        fields = {"To": to, "Body": body}
        if self.messaging_service_sid is not None:
            fields["MessagingServiceSid"] = self.messaging_service_sid
        elif self.from_number is not None:
            fields["From"] = self.from_number
        if period is not None:
            fields["ValidityPeriod"] = str(period)
        reply = self._http.post(
            self._path, fields, retry_ambiguous=self.retry_ambiguous
        )

        if not reply.ok:
            raise_for_reply(reply, what="send the message")
        sid = None if reply.data is None else reply.data.get("sid")
        if not isinstance(sid, str) or not sid:
            # The message exists, so this is not retried.
            raise TransportUnavailableError(
                f"Twilio accepted the message but its reply (HTTP "
                f"{reply.status}) has no message sid; it may be delivered"
            )
        return sid

    def __repr__(self) -> str:
        sender = (
            f"from_number={self.from_number!r}"
            if self.from_number is not None
            else f"messaging_service_sid={self.messaging_service_sid!r}"
        )
        return (
            f"TwilioTransport(account_sid={self.account_sid!r}, {sender}, "
            f"base_url={self._http.endpoint.url()!r})"
        )
