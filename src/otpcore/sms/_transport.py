"""The SMS transport protocol, E.164 numbers, and two local transports."""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
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
    "parse_phone",
]

# ITU-T E.164: a country code that never starts with 0, and at most 15
# digits in all. Eight is the shortest we accept: no country's full
# international mobile number is shorter in practice (our choice).
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")

#: The longest text :func:`parse_phone` reads: 15 digits and a prefix
#: leave room for a separator or two around every digit (our choice; it
#: bounds the work a form field can ask for).
MAX_TYPED_PHONE: Final = 64
# ITU-T E.164 numbers are written with "+"; "00" is the international
# prefix that most countries dial in its place (ITU-T E.164 Annex A).
_INTERNATIONAL_PREFIX: Final = "00"
_PLUS: Final = frozenset("+\uff0b")
_OPEN: Final = frozenset("(\uff08")
_CLOSE: Final = frozenset(")\uff09")
# Between groups, besides spaces (Unicode Zs) and dashes (Unicode Pd):
# dots, slashes (German numbers) and the minus sign word processors put in.
_SEPARATORS: Final = frozenset(".\uff0e/\uff0f\u2212")
_SEPARATOR_CATEGORIES: Final = frozenset({"Zs", "Pd"})
# Invisible direction marks that come along when a number is copied out of
# right-to-left text (Unicode UAX #9).
_DIRECTION_MARKS: Final = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# "+44 (0)20 ..." marks a 0 dialled only inside the country. Kept, it makes
# a valid-looking wrong number; dropped, it is a guess about one country's
# habits. Refusing it asks the user, who knows.
_TRUNK_ZERO: Final = "(0)"
_ASCII_ZERO: Final = 0x30

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
    with no spaces or punctuation: ``+14155552671``. For a number as a
    person types it, use :func:`parse_phone`.

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


def parse_phone(text: object) -> str:
    r"""Read a phone number in international form as people type it.

    Accepted around the digits: spaces, hyphens and other dashes, dots,
    slashes, parentheses and invisible direction marks. A leading ``00``
    (the international prefix most countries dial) means ``+``, and so does
    a full-width plus sign (U+FF0B). Decimal digits of any script are read
    as their value, so full-width digits from a Japanese IME (U+FF10 to
    U+FF19) and Arabic-Indic digits (U+0660 to U+0669) count as 0 to 9.
    The result must then be E.164, as :func:`check_e164` checks.

    There is no default country: a national number (``020 7183 8750``,
    ``(415) 555-2671``) is refused, not guessed at, since the same digits
    dial different people in different countries. Other international
    prefixes (``011`` in North America) are refused for the same reason,
    and so is the ``(0)`` some write after the country code, which would
    otherwise make a wrong number that looks right. Letters, extensions
    (``x12``, ``#12``, ``ext. 12``) and ``tel:`` URIs are refused too.

    >>> from otpcore.sms import parse_phone
    >>> parse_phone("+44 20 7183 8750")
    '+442071838750'
    >>> parse_phone("0044 (20) 7183-8750")
    '+442071838750'
    >>> parse_phone("\uff0b\uff14\uff14 20 7183 8750")
    '+442071838750'

    Args:
        text: What the user typed; any object.

    Returns:
        The number in E.164 form, ``+`` and ASCII digits only.

    Raises:
        InvalidRecipientError: ``text`` is not a str, holds anything else,
            or is not an E.164 number once read. The message says why,
            never what was typed.
    """
    if not isinstance(text, str):
        raise InvalidRecipientError(
            f"text: expected a phone number as str, got {type(text).__name__}"
        )
    if len(text) > MAX_TYPED_PHONE:
        raise InvalidRecipientError(
            f"text: expected a phone number of at most {MAX_TYPED_PHONE} "
            "characters"
        )

    kept = []
    for char in text:
        if char.isdecimal():
            kept.append(chr(_ASCII_ZERO + unicodedata.decimal(char)))
        elif char in _PLUS:
            kept.append("+")
        elif char in _OPEN:
            kept.append("(")
        elif char in _CLOSE:
            kept.append(")")
        elif not _is_separator(char):
            raise InvalidRecipientError(
                "text: a phone number holds only digits, a leading '+', "
                "and spaces, hyphens, dots, slashes or brackets"
            )
    compact = "".join(kept)
    if _TRUNK_ZERO in compact:
        raise InvalidRecipientError(
            "text: leave out the '(0)' after the country code; it is "
            "dialled only inside the country"
        )
    compact = compact.replace("(", "").replace(")", "")
    if compact.startswith(_INTERNATIONAL_PREFIX):
        compact = "+" + compact.removeprefix(_INTERNATIONAL_PREFIX)

    if not compact.startswith("+"):
        raise InvalidRecipientError(
            "text: expected the number in international form, starting "
            "with '+' or '00' and the country code"
        )
    try:
        return check_e164(compact)
    except InvalidRecipientError:
        digits = sum(char.isdigit() for char in compact)
        raise InvalidRecipientError(
            "text: expected '+' or '00', then a country code (never "
            f"starting with 0) and 8 to 15 digits in all; got {digits} "
            "digits"
        ) from None


def _is_separator(char: str) -> bool:
    return (
        char in _SEPARATORS
        or char in _DIRECTION_MARKS
        or unicodedata.category(char) in _SEPARATOR_CATEGORIES
    )


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
