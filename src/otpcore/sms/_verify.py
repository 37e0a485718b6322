"""Delegated verifiers, which own the code themselves, and Twilio Verify.

With Twilio Verify, Twilio generates the code, sends it and checks it; the
application only starts a verification and passes on what the user typed.
That is a different role from a transport, so it has its own protocol.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Final, Protocol, runtime_checkable

from otpcore._typed import read_code
from otpcore.errors import InvalidParameterError, TransportUnavailableError
from otpcore.sms._transport import check_e164
from otpcore.sms._twilio import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT,
    Reply,
    check_secret,
    check_sid,
    make_http,
    raise_for_reply,
)

__all__ = [
    "DEFAULT_VERIFY_URL",
    "DelegatedVerifier",
    "TwilioVerify",
    "VerifyOutcome",
]

#: Twilio Verify's API host (https://twilio.com/docs/verify/api).
DEFAULT_VERIFY_URL: Final = "https://verify.twilio.com"
#: Channels that deliver to a phone number, as Verify names them.
CHANNELS: Final = frozenset({"sms", "call", "whatsapp"})
#: A Verify service sends codes of 4 to 10 digits (its ``CodeLength``).
MIN_CODE_DIGITS: Final = 4
MAX_CODE_DIGITS: Final = 10

# Twilio error codes (https://www.twilio.com/docs/api/errors/NNNNN).
# 20404: the verification no longer exists (approved, expired or
# canceled). 60202: too many checks of one verification (HTTP 429).
NOT_FOUND: Final = 20404
TOO_MANY_CHECKS: Final = 60202
_HTTP_NOT_FOUND: Final = 404


class VerifyOutcome(enum.Enum):
    """What a delegated verifier said about a code."""

    #: The code is right; the verification is complete.
    APPROVED = "approved"
    #: The code is wrong, or not a code at all; the verification goes on.
    WRONG = "wrong"
    #: There is no pending verification: it expired, was used, or was
    #: never started.
    EXPIRED = "expired"
    #: The verification took its last wrong code; start a new one.
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@runtime_checkable
class DelegatedVerifier(Protocol):
    """A service that sends a code to a phone and later checks it."""

    def start(self, to: str, channel: str = "sms") -> str:
        """Send a code to ``to``; return the verification's id."""
        ...  # pragma: no cover

    def check(self, to: str, code: str) -> VerifyOutcome:
        """Check what the user typed against the code sent to ``to``."""
        ...  # pragma: no cover


# Twilio's own statuses for a verification, beyond approved and pending.
_STATUS_OUTCOMES: Final = {
    "approved": VerifyOutcome.APPROVED,
    "pending": VerifyOutcome.WRONG,
    "max_attempts_reached": VerifyOutcome.TOO_MANY_ATTEMPTS,
}


def _read_any_length(typed: object) -> str | None:
    for digits in range(MIN_CODE_DIGITS, MAX_CODE_DIGITS + 1):
        code = read_code(typed, digits)
        if code is not None:
            return code
    return None


class TwilioVerify:
    """A :class:`DelegatedVerifier` backed by Twilio Verify (v2).

    Requests go to ``/v2/Services/{ServiceSid}/Verifications`` and
    ``/v2/Services/{ServiceSid}/VerificationCheck`` with the same
    credentials, timeouts and retries as
    :class:`~otpcore.sms.TwilioTransport`, with one difference: a check is
    never retried after an ambiguous failure (a 5xx reply or a lost reply),
    because if Twilio did approve the first one, the retry finds the
    verification gone and would report a right code as expired.

    Args:
        account_sid: The Account SID (``AC...``).
        auth_token: The Auth Token, or the API key secret when
            ``api_key_sid`` is given. Never shown in a message or repr.
        service_sid: The Verify service (``VA...``).
        api_key_sid: An API key SID (``SK...``) to authenticate with.
        base_url: Verify's API host; ``http://`` only for loopback hosts.
        timeout: Seconds for one HTTP exchange.
        max_attempts: Attempts per request, the first included (1 to 10).
        deadline: Seconds one call may take in all.
        sleep: Called with the seconds to wait between attempts.
        clock: Monotonic seconds for the deadline.
        random: A float in [0, 1) for jitter.

    Raises:
        InvalidParameterError: A parameter is malformed.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        service_sid: str,
        *,
        api_key_sid: str | None = None,
        base_url: str = DEFAULT_VERIFY_URL,
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        deadline: float = DEFAULT_DEADLINE,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.account_sid = check_sid("account_sid", account_sid, "AC")
        self.service_sid = check_sid("service_sid", service_sid, "VA")
        self.api_key_sid = (
            None
            if api_key_sid is None
            else check_sid("api_key_sid", api_key_sid, "SK")
        )
        secret = check_secret("auth_token", auth_token)
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
        self._base = f"/v2/Services/{self.service_sid}"

    def start(self, to: str, channel: str = "sms") -> str:
        """Ask Twilio to send a code to ``to``; return the verification SID.

        Within a verification's lifetime Twilio sends the same code again
        rather than a new one.

        Args:
            to: The phone number, E.164; checked before any request.
            channel: ``"sms"``, ``"call"`` or ``"whatsapp"``.

        Returns:
            The verification SID (``VE...``).

        Raises:
            InvalidRecipientError: ``to`` is not E.164, or Twilio refused it.
            InvalidParameterError: ``channel`` is not one of the above.
            RateLimitedError: Too many sends to this number (60203), or
                Twilio kept throttling.
            CredentialsRejectedError: Twilio refused the credentials.
            MessageRejectedError: Twilio refused for another lasting reason.
            TransportUnavailableError: Twilio could not be reached or kept
                failing.
        """
        check_e164(to)
        if channel not in CHANNELS:
            raise InvalidParameterError(
                "channel", f"expected one of {', '.join(sorted(CHANNELS))}"
            )

        reply = self._http.post(
            f"{self._base}/Verifications",
            {"To": to, "Channel": channel},
            retry_ambiguous=True,
        )

        if not reply.ok:
            raise_for_reply(reply, what="start a verification")
        sid = _field(reply, "sid")
        if sid is None:
            raise TransportUnavailableError(
                f"Twilio Verify answered HTTP {reply.status} without a "
                "verification sid; a code may have been sent"
            )
        return sid

    def check(self, to: str, code: str) -> VerifyOutcome:
        """Check what the user typed; never raises because of ``code``.

        ``code`` is read with the same grammar as every otpcore verifier
        (spaces and inner hyphens dropped, decimal digits of any script),
        and must then be 4 to 10 digits. Anything else is
        :attr:`VerifyOutcome.WRONG` without asking Twilio, so it uses none
        of the verification's attempts.

        Args:
            to: The phone number the verification was started for.
            code: What the user typed; any object.

        Returns:
            The outcome. A status other than approved, pending and
            max_attempts_reached (canceled, expired, deleted) reads as
            :attr:`VerifyOutcome.EXPIRED`.

        Raises:
            InvalidRecipientError: ``to`` is not E.164.
            CredentialsRejectedError: Twilio refused the credentials.
            RateLimitedError: Twilio kept throttling the account.
            MessageRejectedError: Twilio refused the check for another
                lasting reason.
            TransportUnavailableError: Twilio could not be reached, kept
                failing, or failed without saying whether it checked.
        """
        check_e164(to)
        typed = _read_any_length(code)
        if typed is None:
            return VerifyOutcome.WRONG

        reply = self._http.post(
            f"{self._base}/VerificationCheck",
            {"To": to, "Code": typed},
            retry_ambiguous=False,
        )

        if reply.code == TOO_MANY_CHECKS:
            return VerifyOutcome.TOO_MANY_ATTEMPTS
        if reply.code == NOT_FOUND or reply.status == _HTTP_NOT_FOUND:
            return VerifyOutcome.EXPIRED
        if not reply.ok:
            raise_for_reply(reply, what="check the code")
        status = _field(reply, "status")
        if status is None:
            raise TransportUnavailableError(
                f"Twilio Verify answered HTTP {reply.status} without a status"
            )
        return _STATUS_OUTCOMES.get(status, VerifyOutcome.EXPIRED)

    def __repr__(self) -> str:
        return (
            f"TwilioVerify(account_sid={self.account_sid!r}, "
            f"service_sid={self.service_sid!r}, "
            f"base_url={self._http.endpoint.url()!r})"
        )


def _field(reply: Reply, name: str) -> str | None:
    value = None if reply.data is None else reply.data.get(name)
    return value if isinstance(value, str) and value else None
