"""TOTP: time-based one-time passwords (RFC 6238)."""

from __future__ import annotations

import time
from collections.abc import Callable
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
    unix_seconds,
)
from otpcore.errors import (
    InvalidCounterError,
    InvalidPeriodError,
    InvalidTimeError,
)

__all__ = [
    "DEFAULT_PERIOD",
    "DEFAULT_T0",
    "DEFAULT_WINDOW",
    "MAX_WINDOW",
    "TOTP",
    "Clock",
]

#: RFC 6238 section 4.1: X, the time step, "default value X = 30 seconds".
DEFAULT_PERIOD: Final = 30
#: RFC 6238 section 4.1: T0, "default value is 0" (the Unix epoch).
DEFAULT_T0: Final = 0
#: RFC 6238 section 5.2 recommends accepting at most one step of network
#: delay; the window is symmetric so that a phone's clock may run either way.
DEFAULT_WINDOW: Final = 1
#: The widest window one call may scan, in steps each side. Each step costs
#: one HMAC and widens the odds of a guess, so a bound is a safety property.
MAX_WINDOW: Final = 100

# Below these, verify takes its fast path: a float converts exactly enough
# and a step plus any window stays within 64 bits.
_FAST_SECONDS: Final = float(2**52)
_FAST_STEPS: Final = MAX_COUNTER - MAX_WINDOW

#: Returns the current Unix time in seconds.
Clock = Callable[[], float]


class TOTP(OtpGenerator):
    """A time-based one-time password generator (RFC 6238).

    Time is always Unix seconds, divided as integers: ``(t - t0) // period``.
    No local or naive datetime is involved anywhere, so codes do not shift
    at a daylight-saving change.

    Args:
        secret: A :class:`~otpcore.Secret`, the raw key as bytes, or base32
            text (read by :meth:`Secret.from_b32`).
        digits: Code length, 6 to 10.
        algorithm: ``sha1``, ``sha256`` or ``sha512``.
        period: The time step in whole seconds (30 by default).
        t0: The Unix time at which step 0 starts (0 by default).
        clock: What :meth:`now` and :meth:`verify` ask for the time;
            :func:`time.time` by default. Tests pass their own.
        allow_weak: Admit keys of 80 to 127 bits, as some providers issue.

    Raises:
        InvalidSecretError: The secret is of the wrong type or not base32.
        WeakSecretError: The key is too short (RFC 4226 section 4, R6).
        InvalidDigitsError: ``digits`` is not an int from 6 to 10.
        InvalidAlgorithmError: ``algorithm`` is not one of the three.
        InvalidPeriodError: ``period`` is not a positive int.
        InvalidTimeError: ``t0`` is not an int, or ``clock`` is not
            callable.

    >>> from otpcore import TOTP
    >>> totp = TOTP(b"12345678901234567890", digits=8)
    >>> totp.at(59)
    '94287082'
    >>> totp.verify("9428 7082", at=89)
    Match(counter=1, offset=-1)
    >>> totp.verify("94287082", at=120) is None
    True
    """

    __slots__ = ("_clock", "_period", "_t0")

    def __init__(
        self,
        secret: SecretLike,
        digits: int = DEFAULT_DIGITS,
        algorithm: str = DEFAULT_ALGORITHM,
        period: int = DEFAULT_PERIOD,
        t0: int = DEFAULT_T0,
        *,
        clock: Clock = time.time,
        allow_weak: bool = False,
    ) -> None:
        if type(period) is not int and (
            isinstance(period, bool) or not isinstance(period, int)
        ):
            raise InvalidPeriodError(
                "period",
                "expected whole seconds as an int, got "
                f"{type(period).__name__}",
            )
        if period < 1:
            raise InvalidPeriodError(
                "period", f"must be at least 1 second, got {period}"
            )
        if type(t0) is not int and (
            isinstance(t0, bool) or not isinstance(t0, int)
        ):
            raise InvalidTimeError(
                "t0",
                f"expected Unix seconds as an int, got {type(t0).__name__}",
            )
        if not callable(clock):
            raise InvalidTimeError(
                "clock", f"expected a callable, got {type(clock).__name__}"
            )
        super().__init__(
            secret, digits=digits, algorithm=algorithm, allow_weak=allow_weak
        )
        self._period = period
        self._t0 = t0
        self._clock = clock

    @property
    def period(self) -> int:
        """The time step in seconds."""
        return self._period

    @property
    def t0(self) -> int:
        """The Unix time at which step 0 starts."""
        return self._t0

    @property
    def clock(self) -> Clock:
        """The clock :meth:`now` and :meth:`verify` read."""
        return self._clock

    def step(self, at: float | None = None) -> int:
        """Return the time step T of RFC 6238 section 4.2 at ``at``.

        Args:
            at: Unix seconds; the clock's time when None.

        Raises:
            InvalidTimeError: ``at`` is not a finite number, or precedes t0.
            InvalidCounterError: The step does not fit in 64 bits.
        """
        seconds = unix_seconds(self._clock() if at is None else at)
        if seconds < self._t0:
            raise InvalidTimeError(
                "at", f"precedes t0 ({self._t0}); got {seconds}"
            )
        step = (seconds - self._t0) // self._period
        if step > MAX_COUNTER:
            raise InvalidCounterError(
                "at", "the time step does not fit in 64 bits (RFC 4226 5.2)"
            )
        return step

    def at(self, when: float) -> str:
        """Return the code for the Unix time ``when``.

        Raises:
            InvalidTimeError: ``when`` is not a finite number, or precedes t0.
            InvalidCounterError: The time step does not fit in 64 bits.
        """
        return self._code(self.step(unix_seconds(when, "when")))

    def at_step(self, step: int) -> str:
        """Return the code for time step ``step``."""
        return self._code(check_counter(step, "step"))

    def now(self) -> str:
        """Return the code for the clock's current time."""
        return self._code(self.step())

    def verify(
        self,
        code: object,
        *,
        at: float | None = None,
        window: int = DEFAULT_WINDOW,
    ) -> Match | None:
        """Check a code typed by a user against the steps around ``at``.

        The code is read leniently but strictly (spaces and inner hyphens
        dropped, decimal digits of any script, exact length) and never
        raises; anything else is simply no match. Every step of the window is
        computed and compared in constant time. Where two steps share a code,
        the later one is reported.

        This method keeps no state, so on its own it accepts the same code
        again until its steps leave the window. RFC 6238 section 5.2 requires
        refusing a second use, and RFC 4226 section 7.3 requires throttling
        guesses: :class:`otpcore.guard.Guard` does both.

        Args:
            code: What the user typed.
            at: Unix seconds; the clock's time when None.
            window: How many steps before and after to accept as well.

        Returns:
            A :class:`~otpcore.Match` whose ``counter`` is the time step that
            matched and ``offset`` its distance from the current step, or
            None.

        Raises:
            InvalidTimeError: ``at`` is not a finite number, or precedes t0.
            InvalidWindowError: ``window`` is negative or above
                :data:`MAX_WINDOW`.
        """
        # The checks are written out for the common types so that a call
        # with valid arguments costs little beyond its HMACs.
        if type(window) is not int or not 0 <= window <= MAX_WINDOW:
            window = check_window(window, "window", MAX_WINDOW)
        seconds = self._clock() if at is None else at
        if type(seconds) is float and 0.0 <= seconds < _FAST_SECONDS:
            # int() rounds towards zero, which is floor for these.
            seconds = int(seconds)
        t0 = self._t0
        if (
            type(seconds) is int
            and seconds >= t0
            and (current := (seconds - t0) // self._period) <= _FAST_STEPS
        ):
            last = current + window
        else:
            current = self.step(seconds)
            last = min(current + window, MAX_COUNTER)

        # The common case of read_code, six ASCII digits, without a call.
        if (
            self._decimal
            and type(code) is str
            and len(code) == self._digits
            and code.isascii()
            and code.isdigit()
        ):
            typed: str | None = code
        else:
            typed = self._read(code)
        if typed is None:
            return None
        first = current - window if current > window else 0
        found = self._scan(typed, first, last)

        if found is None:
            return None
        return Match(found, found - current)

    def provisioning_uri(
        self, account: str, issuer: str | None = None, **extra: str
    ) -> str:
        """Return the otpauth:// URI that loads this key into an app.

        Args:
            account: The account name shown in the app.
            issuer: The service name; recommended.
            extra: Further parameters, such as ``image``.

        Raises:
            InvalidUriError: ``account`` or ``issuer`` contains a colon, or
                another value cannot be carried by the Key URI format.
        """
        # Imported here because otpcore.uri imports this module.
        from otpcore.uri import build_uri  # noqa: PLC0415

        # mypy cannot tell that a "counter" in extra, the only key it
        # objects to, is refused by build_uri with an InvalidUriError.
        return build_uri(
            self,
            account,
            issuer=issuer,
            **extra,  # type: ignore[arg-type]
        )

    def __repr__(self) -> str:
        return (
            f"TOTP(digits={self.digits}, algorithm={self.algorithm!r}, "
            f"period={self.period}, t0={self.t0})"
        )
