"""HOTP: counter-based one-time passwords (RFC 4226)."""

from __future__ import annotations

from typing import Final

from otpcore._otp import (
    DEFAULT_ALGORITHM,
    DEFAULT_DIGITS,
    MAX_COUNTER,
    Match,
    OtpGenerator,
    SecretLike,
    check_counter,
    check_window,
)

__all__ = ["DEFAULT_LOOK_AHEAD", "HOTP", "MAX_LOOK_AHEAD"]

#: By default only the expected counter is accepted; a caller that lets the
#: token run ahead says how far (RFC 4226 section 7.4, look-ahead window).
DEFAULT_LOOK_AHEAD: Final = 0
#: The largest look-ahead one call may scan. RFC 4226 section 7.4 asks for a
#: bound; each step costs one HMAC, so an unbounded window is a denial of
#: service and a brute-force aid at once.
MAX_LOOK_AHEAD: Final = 1000


class HOTP(OtpGenerator):
    """An HMAC-based one-time password generator (RFC 4226).

    Args:
        secret: A :class:`~otpcore.Secret`, the raw key as bytes, or base32
            text (read by :meth:`Secret.from_b32`).
        digits: Code length, 6 to 10.
        algorithm: ``sha1`` (the RFC's), ``sha256`` or ``sha512``.
        allow_weak: Admit keys of 80 to 127 bits, as some providers issue.
            Keys under 80 bits are always refused.

    Raises:
        InvalidSecretError: The secret is of the wrong type or not base32.
        WeakSecretError: The key is too short (RFC 4226 section 4, R6).
        InvalidDigitsError: ``digits`` is not an int from 6 to 10.
        InvalidAlgorithmError: ``algorithm`` is not one of the three.

    >>> from otpcore import HOTP
    >>> hotp = HOTP(b"12345678901234567890")
    >>> hotp.at(0)
    '755224'
    >>> hotp.verify("287082", counter=0, look_ahead=5)
    Match(counter=1, offset=1)
    """

    __slots__ = ()

    def __init__(
        self,
        secret: SecretLike,
        digits: int = DEFAULT_DIGITS,
        algorithm: str = DEFAULT_ALGORITHM,
        *,
        allow_weak: bool = False,
    ) -> None:
        super().__init__(
            secret, digits=digits, algorithm=algorithm, allow_weak=allow_weak
        )

    def at(self, counter: int) -> str:
        """Return the code for ``counter``.

        Raises:
            InvalidCounterError: ``counter`` is not an int in 0 to 2**64 - 1.
        """
        return self._code(check_counter(counter))

    def verify(
        self,
        code: object,
        counter: int,
        *,
        look_ahead: int = DEFAULT_LOOK_AHEAD,
    ) -> Match | None:
        """Check a code typed by a user against ``counter`` and those after.

        The code is read leniently but strictly (spaces and inner hyphens
        dropped, decimal digits of any script, exact length) and never
        raises; anything else is simply no match. All candidates are
        compared, in constant time each. Where two counters in the window
        give the same code, the later one is reported.

        This method keeps no state: to refuse a code used before, advance the
        stored counter past ``match.counter`` (or use
        :class:`otpcore.guard.Guard`, which does that and throttles
        guessing, as RFC 4226 section 7 requires).

        Args:
            code: What the user typed.
            counter: The next counter value the server expects.
            look_ahead: How many counters after ``counter`` to accept too.

        Returns:
            A :class:`~otpcore.Match` with the counter that matched, or None.

        Raises:
            InvalidCounterError: ``counter`` is out of range.
            InvalidWindowError: ``look_ahead`` is negative or above
                :data:`MAX_LOOK_AHEAD`.
        """
        counter = check_counter(counter)
        look_ahead = check_window(look_ahead, "look_ahead", MAX_LOOK_AHEAD)
        typed = self._read(code)
        if typed is None:
            return None
        last = min(counter + look_ahead, MAX_COUNTER)
        found = self._scan(typed, counter, last)
        if found is None:
            return None
        return Match(found, found - counter)

    def provisioning_uri(
        self,
        account: str,
        issuer: str | None = None,
        *,
        counter: int = 0,
        **extra: str,
    ) -> str:
        """Return the otpauth:// URI that loads this key into an app.

        Args:
            account: The account name shown in the app.
            issuer: The service name; recommended.
            counter: The counter the app starts from.
            extra: Further parameters, such as ``image``.

        Raises:
            InvalidUriError: ``account`` or ``issuer`` contains a colon, or
                another value cannot be carried by the Key URI format.
        """
        # Imported here because otpcore.uri imports this module.
        from otpcore.uri import build_uri  # noqa: PLC0415

        return build_uri(
            self, account, issuer=issuer, counter=counter, **extra
        )

    def __repr__(self) -> str:
        return f"HOTP(digits={self.digits}, algorithm={self.algorithm!r})"
