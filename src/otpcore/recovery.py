"""Single-use recovery codes, stored only as salted hashes.

A recovery code lets a user in when their authenticator is lost. Each is a
look-up secret in the terms of NIST SP 800-63B section 5.1.2: random,
usable once, and stored in a form that resists offline attack.

A code is 24 characters of Crockford's base32 alphabet (digits and
lower-case letters without i, l, o and u), in four groups of six for
reading: 120 bits each. NIST SP 800-63B section 5.1.2.2 lets look-up
secrets of at least 112 bits be stored with an approved one-way function
(shorter ones need a salted key-derivation function), so each is kept as
SHA-256 over a random per-set salt, the code's position and the code. A
copy of the store gives an attacker nothing better than trying 2**120 codes
per account. Passing a ``pepper`` (a key kept outside the store) turns the
hash into HMAC-SHA-256, so that a copy of the store alone is useless.

>>> from otpcore.recovery import RecoveryCodes
>>> from otpcore.stores import MemoryStore
>>> codes = RecoveryCodes(MemoryStore())
>>> issued = codes.generate("alice")
>>> len(issued), len(issued[0])
(10, 27)
>>> codes.use("alice", issued[3].upper().replace("-", " "))
Redemption(ok=True, remaining=9)
>>> codes.use("alice", issued[3])
Redemption(ok=False, remaining=9)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Final

from otpcore.errors import InvalidParameterError
from otpcore.guard import check_account
from otpcore.stores import Store
from otpcore.stores._base import check_int

__all__ = [
    "ALPHABET",
    "DEFAULT_COUNT",
    "DEFAULT_GROUPS",
    "DEFAULT_GROUP_LENGTH",
    "MIN_BITS",
    "RecoveryCodes",
    "Redemption",
]

#: Crockford's base32 digits: no i, l, o or u, so nothing reads as
#: something else. Five bits a character.
ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
#: Ten codes, as most services hand out.
DEFAULT_COUNT: Final = 10
#: Four groups of six characters: 120 bits.
DEFAULT_GROUPS: Final = 4
DEFAULT_GROUP_LENGTH: Final = 6
#: NIST SP 800-63B section 5.1.2.2: a look-up secret of fewer than 112 bits
#: must be stored through a salted key-derivation function (and below 64
#: bits, throttled); this module hashes once and does not throttle, so it
#: refuses shorter codes.
MIN_BITS: Final = 112
#: The most codes one set may hold; each use hashes every position.
MAX_COUNT: Final = 100

_BITS_PER_CHARACTER: Final = 5
_SALT_BYTES: Final = 16
_MIN_PEPPER_BYTES: Final = 16
# Crockford's decoding: letters that look like digits read as those digits.
_LOOKALIKES: Final = str.maketrans({"o": "0", "i": "1", "l": "1"})
_SEPARATORS: Final = str.maketrans(
    dict.fromkeys(" \t\u00a0\u2007\u202f\u3000-\u2010\u2011\uff0d")
)
# Longer input cannot be a code with separators; refusing it bounds work.
_MAX_TYPED_LENGTH: Final = 128
_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Redemption:
    """The answer to one recovery code; true only if it was accepted.

    Attributes:
        ok: Whether the code was one of the account's unused codes.
        remaining: How many unused codes the account has now.
    """

    ok: bool
    remaining: int

    def __bool__(self) -> bool:
        return self.ok


class RecoveryCodes:
    """Issues recovery codes and accepts each of them once.

    Args:
        store: Where the hashes live; any :class:`~otpcore.stores.Store`.
        count: Codes per set (10).
        groups: Groups per code (4).
        group_length: Characters per group (6).
        pepper: A key of at least 16 bytes kept outside the store; when
            given, codes are hashed with HMAC-SHA-256 under it. Changing
            it invalidates every set issued before.

    Raises:
        InvalidParameterError: A parameter is out of range, or the codes
            would carry fewer than 112 bits.
    """

    __slots__ = ("_count", "_group_length", "_groups", "_pepper", "_store")

    def __init__(
        self,
        store: Store,
        *,
        count: int = DEFAULT_COUNT,
        groups: int = DEFAULT_GROUPS,
        group_length: int = DEFAULT_GROUP_LENGTH,
        pepper: bytes | None = None,
    ) -> None:
        self._count = check_int("count", count, 1)
        if count > MAX_COUNT:
            raise InvalidParameterError(
                "count", f"must be at most {MAX_COUNT}, got {count}"
            )
        self._groups = check_int("groups", groups, 1)
        self._group_length = check_int("group_length", group_length, 1)
        bits = groups * group_length * _BITS_PER_CHARACTER
        if bits < MIN_BITS:
            raise InvalidParameterError(
                "group_length",
                f"codes of {groups} x {group_length} characters carry "
                f"{bits} bits; at least {MIN_BITS} are required "
                "(NIST SP 800-63B 5.1.2.2)",
            )
        key: object = pepper
        if key is not None and (
            not isinstance(key, bytes) or len(key) < _MIN_PEPPER_BYTES
        ):
            raise InvalidParameterError(
                "pepper",
                f"must be None or at least {_MIN_PEPPER_BYTES} bytes",
            )
        self._pepper = pepper
        self._store = store

    @property
    def bits(self) -> int:
        """The entropy of one code, in bits."""
        return self._groups * self._group_length * _BITS_PER_CHARACTER

    def generate(self, account: str) -> list[str]:
        """Issue a new set of codes for ``account``, replacing any old set.

        Show the codes to the user once; only their hashes are kept.

        Returns:
            The codes, formatted in groups like ``k7mq3-xhp9d-fa2bn``.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached; no code
                was issued.
        """
        account = check_account(account)
        length = self._groups * self._group_length
        codes: list[str] = []
        while len(codes) < self._count:
            code = "".join(secrets.choice(ALPHABET) for _ in range(length))
            if code not in codes:
                codes.append(code)
        salt = secrets.token_bytes(_SALT_BYTES)
        record = {
            "v": _VERSION,
            "salt": salt.hex(),
            "hashes": [
                self._digest(salt, i, code).hex()
                for i, code in enumerate(codes)
            ],
        }
        self._store.update(_key(account), lambda _: (record, None))
        return [self._format(code) for code in codes]

    def use(self, account: str, code: object) -> Redemption:
        """Accept ``code`` if it is one of the account's unused codes.

        The code is read leniently (any case, spaces and hyphens anywhere,
        ``o`` for 0 and ``i`` or ``l`` for 1) and compared with every
        stored hash in constant time. An accepted code is spent at once,
        in the same atomic store operation, so two requests racing with it
        get one acceptance. Never raises on what the user typed.

        Args:
            account: The account's id.
            code: What the user typed.

        Returns:
            A :class:`Redemption`, true if and only if the code was
            accepted, with the number of codes left.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached; the code
                was not accepted.
        """
        account = check_account(account)
        typed = self._read(code)

        def change(
            record: dict[str, Any] | None,
        ) -> tuple[dict[str, Any] | None, Redemption]:
            if record is None:
                return None, Redemption(ok=False, remaining=0)
            hashes: list[str | None] = record["hashes"]
            left = sum(h is not None for h in hashes)
            if typed is None:
                return record, Redemption(ok=False, remaining=left)
            found = self._find(bytes.fromhex(record["salt"]), hashes, typed)
            if found is None:
                return record, Redemption(ok=False, remaining=left)
            spent = list(hashes)
            spent[found] = None
            return (
                {**record, "hashes": spent},
                Redemption(ok=True, remaining=left - 1),
            )

        return self._store.update(_key(account), change)

    def remaining(self, account: str) -> int:
        """Return how many unused codes ``account`` has.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached.
        """
        account = check_account(account)

        def count(
            record: dict[str, Any] | None,
        ) -> tuple[dict[str, Any] | None, int]:
            if record is None:
                return None, 0
            return record, sum(h is not None for h in record["hashes"])

        return self._store.update(_key(account), count)

    def forget(self, account: str) -> None:
        """Delete the account's codes, for instance when 2FA is turned off.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached.
        """
        account = check_account(account)
        self._store.update(_key(account), lambda _: (None, None))

    def _digest(self, salt: bytes, index: int, code: str) -> bytes:
        # The position is hashed in, so that one guess tests one code, not
        # the whole set at once.
        message = salt + index.to_bytes(4, "big") + code.encode("ascii")
        if self._pepper is None:
            return hashlib.sha256(message).digest()
        return hmac.new(self._pepper, message, hashlib.sha256).digest()

    def _find(
        self, salt: bytes, hashes: list[str | None], typed: str
    ) -> int | None:
        """Return the position of ``typed`` among the unused codes.

        Every position is hashed and compared, used or not, so the time
        taken does not reveal which codes were used or where one matched.
        """
        found = None
        for index, stored in enumerate(hashes):
            digest = self._digest(salt, index, typed)
            expected = bytes.fromhex(stored) if stored else bytes(len(digest))
            if hmac.compare_digest(digest, expected) and stored:
                found = index
        return found

    def _read(self, typed: object) -> str | None:
        if not isinstance(typed, str) or len(typed) > _MAX_TYPED_LENGTH:
            return None
        code = typed.translate(_SEPARATORS).lower().translate(_LOOKALIKES)
        length = self._groups * self._group_length
        if len(code) != length or any(c not in ALPHABET for c in code):
            return None
        return code

    def _format(self, code: str) -> str:
        step = self._group_length
        return "-".join(code[i : i + step] for i in range(0, len(code), step))

    def __repr__(self) -> str:
        return (
            f"RecoveryCodes(count={self._count}, bits={self.bits}, "
            f"peppered={self._pepper is not None})"
        )


def _key(account: str) -> str:
    # The braces make the account a Redis hash tag; see otpcore.guard.
    return f"recovery:{{{account}}}"
