"""What HOTP and TOTP share: the key, the parameters and the code space."""

from __future__ import annotations

import math
from dataclasses import dataclass
from hmac import compare_digest
from typing import ClassVar, Final, TypeAlias

from otpcore._hmac import (
    ALGORITHMS,
    OFFSET_MASK,
    VALUE_BYTES,
    VALUE_MASK,
    KeyedHmac,
    pack_counter,
)
from otpcore._typed import read_code
from otpcore.errors import (
    InvalidAlgorithmError,
    InvalidCounterError,
    InvalidDigitsError,
    InvalidParameterError,
    InvalidSecretError,
    InvalidTimeError,
    InvalidWindowError,
    WeakSecretError,
)
from otpcore.secret import MIN_SECRET_BYTES, MIN_WEAK_SECRET_BYTES, Secret

__all__ = [
    "DEFAULT_ALGORITHM",
    "DEFAULT_DIGITS",
    "MAX_COUNTER",
    "MAX_DIGITS",
    "MIN_DIGITS",
    "Match",
    "OtpGenerator",
    "SecretLike",
    "check_counter",
    "check_window",
    "coerce_secret",
    "unix_seconds",
]

#: RFC 4226 section 5.3 requires at least 6 digits; 10 is the most a 31-bit
#: value can fill.
MIN_DIGITS: Final = 6
MAX_DIGITS: Final = 10
#: RFC 4226 section 5.3 and RFC 6238 section 1.2: 6 digits, HMAC-SHA-1.
DEFAULT_DIGITS: Final = 6
DEFAULT_ALGORITHM: Final = "sha1"
#: RFC 4226 section 5.2: the counter is an 8-byte value.
MAX_COUNTER: Final = 2**64 - 1

_MAX_ECHOED_NAME: Final = 8
# The spellings met in practice, looked up before the general case-folding.
_CANONICAL: Final = {
    spelling: name for name in ALGORITHMS for spelling in (name, name.upper())
}
_KEY_TYPES: Final = (bytes, bytearray, memoryview)

SecretLike: TypeAlias = Secret | bytes | str


@dataclass(frozen=True, slots=True)
class Match:
    """A code that matched.

    A match is always true, even at counter or time step 0; a failed
    verification returns None instead.

    Attributes:
        counter: The HOTP counter or TOTP time step that produced the code.
        offset: How many steps ``counter`` lies from the one expected:
            negative for an earlier step, positive for a later one.
    """

    counter: int
    offset: int

    def __bool__(self) -> bool:
        return True


def coerce_secret(secret: object, *, allow_weak: bool) -> Secret:
    """Return ``secret`` as a :class:`Secret` that meets the length policy.

    Raises:
        InvalidSecretError: ``secret`` is of another type or not base32.
        WeakSecretError: The key is shorter than 128 bits, or than 80 bits
            with ``allow_weak``.
        InvalidParameterError: ``allow_weak`` is not a bool.
    """
    # An opt-out of a security policy must be explicit: a truthy "no" or 1
    # is not consent to weak keys.
    if allow_weak is not False and allow_weak is not True:
        raise InvalidParameterError(
            "allow_weak",
            f"expected True or False, got {type(allow_weak).__name__}",
        )
    if isinstance(secret, str):
        key = Secret.from_b32(secret)
    elif isinstance(secret, _KEY_TYPES):
        key = Secret(bytes(secret))
    elif isinstance(secret, Secret):
        key = secret
    else:
        raise InvalidSecretError(
            "secret: expected a Secret, raw key bytes or base32 text, got "
            f"{type(secret).__name__}"
        )
    minimum = MIN_WEAK_SECRET_BYTES if allow_weak else MIN_SECRET_BYTES
    if len(key._key) < minimum:
        hint = "" if allow_weak else "; allow_weak=True admits 80 bits"
        raise WeakSecretError(
            f"secret: the key has {key.bits} bits, fewer than the "
            f"{minimum * 8} required (RFC 4226 R6){hint}"
        )
    return key


def _check_int(
    parameter: str, value: object, error: type[InvalidParameterError]
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(parameter, f"expected an int, got {type(value).__name__}")
    return value


def _describe_name(name: str) -> str:
    """Quote a short name, but only describe a long one.

    A caller who passes arguments in the wrong order could put a secret
    where a name belongs; a long string is never echoed.
    """
    if len(name) <= _MAX_ECHOED_NAME and name.isascii() and name.isalnum():
        return repr(name)
    return f"a string of {len(name)} characters"


def _check_algorithm(algorithm: object) -> str:
    """Return ``algorithm``'s canonical name, in any case, or refuse it."""
    if not isinstance(algorithm, str):
        raise InvalidAlgorithmError(
            "algorithm",
            f"expected a name, got {type(algorithm).__name__}",
        )
    name = algorithm.lower()
    if name not in ALGORITHMS:
        raise InvalidAlgorithmError(
            "algorithm",
            f"must be one of {', '.join(ALGORITHMS)}, got "
            + _describe_name(algorithm),
        )
    return name


def check_counter(counter: object, parameter: str = "counter") -> int:
    """Return ``counter`` if it is an int in 0 to 2**64 - 1.

    Raises:
        InvalidCounterError: It is not.
    """
    value = _check_int(parameter, counter, InvalidCounterError)
    if not 0 <= value <= MAX_COUNTER:
        raise InvalidCounterError(
            parameter, f"must be between 0 and 2**64 - 1, got {value}"
        )
    return value


def check_window(window: object, parameter: str, maximum: int) -> int:
    """Return ``window`` if it is an int in 0 to ``maximum``.

    Raises:
        InvalidWindowError: It is not.
    """
    value = _check_int(parameter, window, InvalidWindowError)
    if not 0 <= value <= maximum:
        raise InvalidWindowError(
            parameter, f"must be between 0 and {maximum}, got {value}"
        )
    return value


def unix_seconds(when: object, parameter: str = "at") -> int:
    """Return ``when`` as whole Unix seconds, rounding down.

    Raises:
        InvalidTimeError: ``when`` is not a finite int or float.
    """
    if isinstance(when, int) and not isinstance(when, bool):
        return when
    if isinstance(when, float):
        if not math.isfinite(when):
            raise InvalidTimeError(parameter, f"must be finite, got {when}")
        return math.floor(when)
    raise InvalidTimeError(
        parameter,
        f"expected Unix seconds as an int or float, got {type(when).__name__}",
    )


class OtpGenerator:
    """The shared part of HOTP and TOTP: a prepared key and a code space.

    Subclasses add how a counter is chosen. ``_render`` and ``_read`` define
    the code alphabet; a subclass that replaces them (Steam Guard) sets
    ``_decimal`` to False, so that the inlined decimal paths step aside.
    """

    __slots__ = ("_algorithm", "_digits", "_mac", "_modulus", "_secret")

    _decimal: ClassVar[bool] = True

    def __init__(
        self,
        secret: SecretLike,
        *,
        digits: int,
        algorithm: str,
        allow_weak: bool,
    ) -> None:
        if type(digits) is not int:
            digits = _check_int("digits", digits, InvalidDigitsError)
        if not MIN_DIGITS <= digits <= MAX_DIGITS:
            raise InvalidDigitsError(
                "digits",
                f"must be between {MIN_DIGITS} and {MAX_DIGITS}, got {digits}",
            )
        name = _CANONICAL.get(algorithm) if type(algorithm) is str else None
        if name is None:
            name = _check_algorithm(algorithm)
        self._secret = coerce_secret(secret, allow_weak=allow_weak)
        self._digits = digits
        self._algorithm = name
        self._modulus = 10**digits
        self._mac = KeyedHmac(self._secret._key, name)

    @property
    def secret(self) -> Secret:
        """The shared key."""
        return self._secret

    @property
    def digits(self) -> int:
        """The number of characters in a code."""
        return self._digits

    @property
    def algorithm(self) -> str:
        """The hash function: ``sha1``, ``sha256`` or ``sha512``."""
        return self._algorithm

    def _render(self, value: int) -> str:
        """Turn a truncated value into a code (RFC 4226 section 5.3)."""
        return str(value % self._modulus).zfill(self._digits)

    def _read(self, typed: object) -> str | None:
        """Read what a user typed into the form ``_render`` produces."""
        return read_code(typed, self._digits)

    def _code(self, counter: int) -> str:
        return self._render(self._mac.value(counter))

    def _scan(self, code: str, first: int, last: int) -> int | None:
        """Return the latest counter in ``first..last`` whose code is ``code``.

        Every candidate is computed and compared, whatever matched before,
        so the time taken does not reveal where (or whether) a match lies.
        Reporting the latest match keeps replay protection from being walked
        backwards when two steps share a code.

        This is the hot path of verification, so the HMAC, the dynamic
        truncation of :mod:`otpcore._hmac` and, for decimal codes,
        :meth:`_render` are written out here rather than called, saving
        calls per step.
        """
        inner = self._mac.inner
        outer = self._mac.outer
        pack = pack_counter
        modulus = self._modulus
        digits = self._digits
        render = None if self._decimal else self._render
        found = -1
        for counter in range(first, last + 1):
            state = inner.copy()
            state.update(pack(counter))
            mac = outer.copy()
            mac.update(state.digest())
            digest = mac.digest()
            offset = digest[-1] & OFFSET_MASK
            chunk = digest[offset : offset + VALUE_BYTES]
            value = int.from_bytes(chunk, "big") & VALUE_MASK
            candidate = (
                str(value % modulus).zfill(digits)
                if render is None
                else render(value)
            )
            if compare_digest(candidate, code):
                found = counter
        return found if found >= 0 else None
