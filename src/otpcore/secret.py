"""Shared secrets: generation, base32 text, and a repr that hides them."""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Final

from otpcore.errors import InvalidSecretError, WeakSecretError

__all__ = [
    "DEFAULT_SECRET_BYTES",
    "MIN_SECRET_BYTES",
    "MIN_WEAK_SECRET_BYTES",
    "Secret",
]

#: RFC 4226 section 4, R6: the key length "RECOMMENDED" is 160 bits.
DEFAULT_SECRET_BYTES: Final = 20
#: RFC 4226 section 4, R6: the key "MUST be at least 128 bits".
MIN_SECRET_BYTES: Final = 16
#: The shortest key accepted with ``allow_weak=True``: 80 bits, what GitHub,
#: Microsoft 365 and the Google Authenticator PAM module hand out.
MIN_WEAK_SECRET_BYTES: Final = 10

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE32_ALPHABET: Final = frozenset(_ALPHABET + _ALPHABET.lower())
_TO_BASE32HEX: Final = bytes(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUV"[_ALPHABET.index(chr(byte).upper())]
    if byte < 0x80 and chr(byte).upper() in _ALPHABET
    else ord("!")
    for byte in range(256)
)
_BITS_PER_CHAR: Final = 5
_BYTES_LIKE: Final = (bytearray, memoryview)
# RFC 4648 section 6: a final quantum of 1, 3 or 6 characters cannot come
# from any byte string.
_IMPOSSIBLE_TAILS: Final = frozenset({1, 3, 6})
_QUANTUM: Final = 8


class Secret:
    """A shared HOTP/TOTP key.

    The key is kept as bytes and never shown: ``repr`` and ``str`` give only
    its length. Equality is checked in constant time. Secrets are not
    hashable, so that none ends up as a dictionary key by accident.

    Args:
        key: The raw key bytes. No length policy applies here; the HOTP and
            TOTP constructors enforce it, since only they know whether a weak
            key was allowed.

    Raises:
        InvalidSecretError: ``key`` is not bytes, or is empty.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        raw: object = key
        if type(raw) is not bytes and isinstance(raw, _BYTES_LIKE):
            raw = bytes(raw)
        if not isinstance(raw, bytes):
            raise InvalidSecretError(
                "secret: expected the raw key as bytes, got "
                f"{type(raw).__name__}; use Secret.from_b32 for base32 text"
            )
        if not raw:
            raise InvalidSecretError("secret: the key is empty")
        self._key = raw

    @classmethod
    def generate(cls, nbytes: int = DEFAULT_SECRET_BYTES) -> Secret:
        """Return a new random secret from the operating system's CSPRNG.

        Args:
            nbytes: The key length in bytes; 20 (160 bits) by default, as RFC
                4226 recommends, and never fewer than 16 (128 bits).

        Raises:
            WeakSecretError: ``nbytes`` is below 16.
        """
        if isinstance(nbytes, bool) or not isinstance(nbytes, int):
            raise InvalidSecretError(
                f"nbytes: expected an int, got {type(nbytes).__name__}"
            )
        if nbytes < MIN_SECRET_BYTES:
            raise WeakSecretError(
                f"nbytes: a generated key must be at least {MIN_SECRET_BYTES}"
                f" bytes (128 bits, RFC 4226 R6), got {nbytes}"
            )
        return cls(secrets.token_bytes(nbytes))

    @classmethod
    def from_b32(cls, text: str) -> Secret:
        """Read a base32 secret as people paste it.

        Upper or lower case, white space and hyphens between groups, and
        trailing ``=`` padding are all accepted. Anything else is refused.

        Args:
            text: The base32 text (RFC 4648 section 6 alphabet).

        Raises:
            InvalidSecretError: ``text`` is not a string, is empty, holds a
                character outside the base32 alphabet, or has a length no
                byte string encodes to. The message gives the position of a
                bad character, never the character or the text.
        """
        if not isinstance(text, str):
            raise InvalidSecretError(
                f"secret: expected base32 text, got {type(text).__name__}"
            )
        # Provider pages group a secret for reading, and both of Google's
        # authenticator apps drop spaces and hyphens before decoding.
        compact = (
            text
            if text.isalnum()
            else "".join(text.split()).replace("-", "").rstrip("=")
        )
        if not compact:
            raise InvalidSecretError("secret: the base32 text is empty")
        # Python reads base 32 in the digits 0-9A-V (RFC 4648's "base32hex"
        # alphabet), so renaming the characters turns decoding into one
        # integer parse instead of a loop over 8-character groups. Every
        # byte outside the alphabet is renamed to "!", which int() refuses.
        # "replace" turns anything outside ASCII, even a lone surrogate, into
        # "?", which the table renames to "!" like every other stray byte.
        digits = compact.encode("ascii", "replace").translate(_TO_BASE32HEX)
        try:
            number = int(digits, 32)
        except ValueError:
            position = _first_invalid(text)
            raise InvalidSecretError(
                "secret: base32 allows only A-Z and 2-7 (and '=' padding "
                f"at the end); character {position} is outside that set"
            ) from None
        if len(compact) % _QUANTUM in _IMPOSSIBLE_TAILS:
            raise InvalidSecretError(
                f"secret: {len(compact)} base32 characters cannot encode a "
                "whole number of bytes; is a character missing?"
            )
        nbits = len(compact) * _BITS_PER_CHAR
        nbytes = nbits // 8
        key = (number >> (nbits - nbytes * 8)).to_bytes(nbytes, "big")
        secret = object.__new__(cls)
        secret._key = key
        return secret

    @property
    def b32(self) -> str:
        """The key as upper-case base32 without padding."""
        return base64.b32encode(self._key).decode("ascii").rstrip("=")

    @property
    def bits(self) -> int:
        """The key length in bits."""
        return len(self._key) * 8

    def __bytes__(self) -> bytes:
        return self._key

    def __len__(self) -> int:
        return len(self._key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Secret: {self.bits} bits>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[Secret], tuple[bytes]]:
        return (Secret, (self._key,))


def _first_invalid(text: str) -> int:
    """Return the 1-based position in ``text`` of its first bad character.

    Counted in the text as given, separators included, so that the number
    points at the character the user sees.
    """
    body = text.rstrip().rstrip("=")
    for position, char in enumerate(body, start=1):
        if char not in _BASE32_ALPHABET and char != "-" and not char.isspace():
            return position
    return len(body) + 1
