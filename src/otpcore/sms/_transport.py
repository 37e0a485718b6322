"""The SMS transport protocol, E.164 numbers, and two local transports."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from typing import Final, Protocol, TextIO, runtime_checkable

from otpcore.errors import InvalidParameterError, InvalidRecipientError

__all__ = [
    "ConsoleTransport",
    "MemoryTransport",
    "SentMessage",
    "SmsTransport",
    "check_body",
    "check_e164",
    "check_validity",
]

# ITU-T E.164: a country code that never starts with 0, and at most 15
# digits in all. Eight is the shortest we accept: no country's full
# international mobile number is shorter in practice (our choice).
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")

#: Twilio's ``ValidityPeriod`` range in seconds (Twilio Messages API, error
#: 90007); other transports take the same bound.
MIN_VALIDITY: Final = 1
MAX_VALIDITY: Final = 36_000


@runtime_checkable
class SmsTransport(Protocol):
    """Anything that can send a text message to a phone number.

    ``send`` returns the provider's message id and raises an
    :class:`~otpcore.errors.SmsError` subclass when the message cannot be
    sent: :class:`~otpcore.errors.InvalidRecipientError`,
    :class:`~otpcore.errors.CredentialsRejectedError`,
    :class:`~otpcore.errors.RateLimitedError` (with ``retry_after``),
    :class:`~otpcore.errors.MessageRejectedError` or
    :class:`~otpcore.errors.TransportUnavailableError`.

    A transport may also take a keyword-only ``validity`` argument (whole
    seconds after which the provider should drop the message rather than
    deliver it late). :class:`~otpcore.sms.SmsCodes` passes it to every
    transport whose ``send`` has that parameter; the shipped transports all
    do.
    """

    def send(self, to: str, body: str) -> str:
        """Send ``body`` to the E.164 number ``to``; return the message id."""
        ...  # pragma: no cover


def check_e164(number: object) -> str:
    """Return ``number`` if it is an E.164 phone number, else raise.

    E.164 here means a ``+``, then 8 to 15 ASCII digits, the first not 0,
    with no spaces or punctuation: ``+14155552671``. Formatting a number
    a person typed into this form is the application's job.

    Args:
        number: The recipient to check.

    Returns:
        ``number``, unchanged.

    Raises:
        InvalidRecipientError: ``number`` is not a str in that form.
    """
    if not isinstance(number, str):
        raise InvalidRecipientError(
            f"to: expected an E.164 number as str, got {type(number).__name__}"
        )
    if _E164.fullmatch(number) is None:
        raise InvalidRecipientError(
            "to: expected an E.164 number, '+' and 8 to 15 digits with no "
            f"leading zero and no separators; got {len(number)} characters"
        )
    return number


def check_body(body: object) -> str:
    """Return ``body`` if it is a non-empty str, else raise.

    Raises:
        InvalidParameterError: ``body`` is not a str, or is empty.
    """
    if not isinstance(body, str):
        raise InvalidParameterError(
            "body", f"expected str, got {type(body).__name__}"
        )
    if not body:
        raise InvalidParameterError("body", "the message text is empty")
    return body


def check_validity(validity: object) -> int | None:
    """Return ``validity`` if it is None or whole seconds in range.

    Raises:
        InvalidParameterError: ``validity`` is not an int from 1 to 36000.
    """
    if validity is None:
        return None
    if (
        isinstance(validity, bool)
        or not isinstance(validity, int)
        or not MIN_VALIDITY <= validity <= MAX_VALIDITY
    ):
        raise InvalidParameterError(
            "validity",
            f"expected whole seconds from {MIN_VALIDITY} to {MAX_VALIDITY}",
        )
    return validity


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message a :class:`MemoryTransport` accepted.

    Attributes:
        to: The recipient, an E.164 number.
        body: The message text.
        sid: The id ``send`` returned.
        validity: The ``validity`` passed to ``send``, or None.
    """

    to: str
    body: str
    sid: str
    validity: int | None = None


class MemoryTransport:
    """A transport that keeps every message in a list, for tests.

    Recipients and validity periods are checked as a real transport checks
    them, so a test that passes here does not send a malformed request in
    production.

    Attributes:
        outbox: The messages sent so far, oldest first.
    """

    def __init__(self) -> None:
        self.outbox: list[SentMessage] = []
        self._lock = threading.Lock()

    def send(self, to: str, body: str, *, validity: int | None = None) -> str:
        """Record a message and return its id, ``mem-1``, ``mem-2``, ...

        Raises:
            InvalidRecipientError: ``to`` is not an E.164 number.
            InvalidParameterError: ``body`` is empty or ``validity`` is out
                of range.
        """
        check_e164(to)
        check_body(body)
        check_validity(validity)

        with self._lock:
            sid = f"mem-{len(self.outbox) + 1}"
            self.outbox.append(SentMessage(to, body, sid, validity))
        return sid

    def __repr__(self) -> str:
        return f"MemoryTransport(<{len(self.outbox)} messages>)"


class ConsoleTransport:
    """A transport that writes each message to a stream, for development.

    It shows codes in clear text on the console, so it has no place on a
    production server.

    Args:
        stream: Where to write; standard error (as it is at each call) when
            None.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._count = 0
        self._lock = threading.Lock()

    def send(self, to: str, body: str, *, validity: int | None = None) -> str:
        """Write the message to the stream; return ``console-1``, ...

        Raises:
            InvalidRecipientError: ``to`` is not an E.164 number.
            InvalidParameterError: ``body`` is empty or ``validity`` is out
                of range.
        """
        check_e164(to)
        check_body(body)
        check_validity(validity)

        with self._lock:
            self._count += 1
            sid = f"console-{self._count}"
        expiry = "" if validity is None else f" (valid {validity} s)"
        stream = sys.stderr if self._stream is None else self._stream
        stream.write(f"SMS {sid} to {to}{expiry}: {body}\n")
        stream.flush()
        return sid

    def __repr__(self) -> str:
        return "ConsoleTransport()"
