"""Steam Guard: TOTP with five-character codes from Steam's own alphabet.

Steam's mobile authenticator runs RFC 6238 unchanged (HMAC-SHA-1, 30-second
steps, T0 = 0) up to the 31-bit number of RFC 4226 section 5.3. It then
spells that number in base 26 over an alphabet without vowels and
look-alike characters, least significant character first, and keeps five
characters. Valve has published no specification; the steps are those every
independent implementation agrees on (pyotp's ``contrib.steam``, KeePassXC's
``src/totp/totp.cpp``, Aegis's ``SteamInfo``), and the tests check published
codes.
"""

from __future__ import annotations

import time
from typing import Final

from otpcore._otp import SecretLike
from otpcore.totp import DEFAULT_PERIOD, DEFAULT_T0, TOTP, Clock

__all__ = [
    "STEAM_ALGORITHM",
    "STEAM_ALPHABET",
    "STEAM_DIGITS",
    "STEAM_PERIOD",
    "SteamTOTP",
]

#: The 26 characters Steam Guard codes are spelled in.
STEAM_ALPHABET: Final = "23456789BCDFGHJKMNPQRTVWXY"
#: The length of a Steam Guard code.
STEAM_DIGITS: Final = 5
#: Steam uses RFC 6238's defaults for everything else.
STEAM_ALGORITHM: Final = "sha1"
STEAM_PERIOD: Final = DEFAULT_PERIOD

_BASE: Final = len(STEAM_ALPHABET)
_LOOKUP: Final = frozenset(STEAM_ALPHABET)
# What users type between characters, and a bound on input worth reading.
_SEPARATORS: Final = str.maketrans("", "", " \t\u00a0\u2007\u202f\u3000-")
_MAX_TYPED_LENGTH: Final = 64
# The generator's digit count must satisfy the base class's RFC 4226 check
# at construction; Steam's own length replaces it straight after.
_CONSTRUCTION_DIGITS: Final = 6


class SteamTOTP(TOTP):
    """A Steam Guard code generator.

    Codes are five characters from :data:`STEAM_ALPHABET`, such as
    ``"P2QJN"``. Everything else behaves as :class:`~otpcore.TOTP`:
    :meth:`at`, :meth:`now`, :meth:`verify` with a window, and a repr
    without the key. The key is Steam's ``shared_secret`` (which Steam
    tools show in base64; decode it to bytes first).

    Args:
        secret: A :class:`~otpcore.Secret`, raw key bytes or base32 text.
        clock: What :meth:`now` and :meth:`verify` ask for the time.
        allow_weak: Admit keys of 80 to 127 bits.

    Raises:
        InvalidSecretError: The secret is of the wrong type or not base32.
        WeakSecretError: The key is too short (RFC 4226 section 4, R6).

    >>> from otpcore.steam import SteamTOTP
    >>> steam = SteamTOTP(bytes(20))
    >>> steam.at_step(0)
    'RYH4D'
    >>> steam.verify("ryh 4d", at=15)
    Match(counter=0, offset=0)
    """

    __slots__ = ()

    _decimal = False

    def __init__(
        self,
        secret: SecretLike,
        *,
        clock: Clock = time.time,
        allow_weak: bool = False,
    ) -> None:
        super().__init__(
            secret,
            _CONSTRUCTION_DIGITS,
            STEAM_ALGORITHM,
            STEAM_PERIOD,
            DEFAULT_T0,
            clock=clock,
            allow_weak=allow_weak,
        )
        self._digits = STEAM_DIGITS

    def _render(self, value: int) -> str:
        """Spell a truncated value in Steam's alphabet, low digit first."""
        chars = []
        for _ in range(STEAM_DIGITS):
            value, index = divmod(value, _BASE)
            chars.append(STEAM_ALPHABET[index])
        return "".join(chars)

    def _read(self, typed: object) -> str | None:
        """Read a typed Steam code, or return None if it is not one.

        Spaces and hyphens are dropped and ASCII letters read in either
        case. Never raises: anything that is not then exactly five
        characters of the alphabet is None.
        """
        if not isinstance(typed, str) or len(typed) > _MAX_TYPED_LENGTH:
            return None
        code = typed.translate(_SEPARATORS)
        # ASCII first: some letters outside it upper-case into two letters
        # of the alphabet (U+FB00, the "ff" ligature, becomes "FF").
        if not code.isascii():
            return None
        code = code.upper()
        if len(code) != STEAM_DIGITS or not _LOOKUP.issuperset(code):
            return None
        return code

    def __repr__(self) -> str:
        return f"SteamTOTP(period={self.period})"
