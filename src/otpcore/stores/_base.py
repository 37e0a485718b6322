"""What every store shares: the protocol, record encoding and checks."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, Final, Protocol, TypeAlias, TypeVar

from otpcore.errors import InvalidParameterError, StoreError

__all__ = [
    "MAX_KEY_LENGTH",
    "Change",
    "Clock",
    "Record",
    "Store",
    "Ttl",
    "check_int",
    "check_key",
    "check_seconds",
    "check_ttl",
    "decode_record",
    "encode_record",
    "resolve_ttl",
]

T = TypeVar("T")

#: A stored value: a JSON object, as ``json.loads`` returns it.
Record: TypeAlias = dict[str, Any]
#: What :meth:`Store.update` calls: the record (or None) in, the record to
#: store (or None to delete) and the caller's result out.
Change: TypeAlias = Callable[[Record | None], tuple[Record | None, T]]
#: How long a new record lives: seconds, None for no expiry, or a function
#: that reads the new record and answers one of those.
Ttl: TypeAlias = float | Callable[[Record], float | None] | None
#: Returns the current Unix time in seconds.
Clock: TypeAlias = Callable[[], float]

# One encoder for every record: json.dumps builds a new one per call when
# given options.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), allow_nan=False)

#: Keys are chosen by library code, never by a user; the bound catches a
#: caller that builds them from unchecked input.
MAX_KEY_LENGTH: Final = 1024


class Store(Protocol):
    """Where verification state lives: JSON records under string keys.

    The one operation is an atomic read-modify-write, so that two requests
    racing on one key are applied one after the other, never interleaved.
    Keys for one account should contain ``{account}`` (a Redis hash tag),
    so that a Redis Cluster keeps them in one slot.
    """

    def update(
        self,
        key: str,
        change: Callable[[Record | None], tuple[Record | None, T]],
        *,
        ttl: Ttl = None,
    ) -> T:
        """Atomically replace the record at ``key`` with what ``change`` says.

        The store reads the record (None if absent or expired), calls
        ``change(record)``, which returns ``(new_record, result)``, stores
        ``new_record`` and returns ``result``. Returning None as the new
        record deletes it; returning the very object it was given leaves
        the record and its expiry untouched and writes nothing.

        ``change`` may be called more than once, when a concurrent writer
        got in first, so it must be a pure function of its argument: no
        side effects, no clock reads, no calls into the store.

        Args:
            key: The record's key; a non-empty str of at most 1024
                characters.
            change: The pure function described above. Its record must be
                a JSON object (a dict with str keys) of JSON values.
            ttl: Seconds until the new record expires, by the store's
                clock; None keeps it until it is replaced or deleted. A
                callable is given the new record and answers either, for
                records whose lifetime depends on what ``change`` decided;
                it must be pure too.

        Returns:
            The second item ``change`` returned.

        Raises:
            StoreUnavailableError: The store could not be reached, is
                read-only or stayed locked; nothing was written.
            InvalidParameterError: ``key`` or ``ttl`` is out of range, or
                ``change`` returned a record that is not a JSON object.
        """
        ...

    def close(self) -> None:
        """Release connections; the store reconnects if used again."""
        ...


def check_key(key: object) -> str:
    """Return ``key`` if it is a non-empty str of at most 1024 characters.

    Raises:
        InvalidParameterError: It is not.
    """
    if not isinstance(key, str):
        raise InvalidParameterError(
            "key", f"expected a str, got {type(key).__name__}"
        )
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidParameterError(
            "key",
            f"must have 1 to {MAX_KEY_LENGTH} characters, got {len(key)}",
        )
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidParameterError(
            "key", "must be valid Unicode text (no lone surrogates)"
        ) from None
    return key


def resolve_ttl(ttl: Ttl, record: Record) -> float | None:
    """Return the lifetime ``ttl`` gives ``record``, checked.

    Raises:
        InvalidParameterError: The lifetime is not None or a positive,
            finite number of seconds.
    """
    return check_ttl(ttl(record) if callable(ttl) else ttl)


def check_ttl(ttl: object) -> float | None:
    """Return ``ttl`` if it is None or a positive, finite number of seconds.

    Raises:
        InvalidParameterError: It is not.
    """
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise InvalidParameterError(
            "ttl", f"expected seconds as a number, got {type(ttl).__name__}"
        )
    if not (math.isfinite(ttl) and ttl > 0):
        raise InvalidParameterError(
            "ttl", f"must be a positive, finite number of seconds, got {ttl}"
        )
    return float(ttl)


def check_int(parameter: str, value: object, minimum: int) -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``.

    Raises:
        InvalidParameterError: It is not.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(
            parameter, f"expected an int, got {type(value).__name__}"
        )
    if value < minimum:
        raise InvalidParameterError(
            parameter, f"must be at least {minimum}, got {value}"
        )
    return value


def check_seconds(parameter: str, value: object) -> float:
    """Return ``value`` if it is a finite, non-negative number of seconds.

    Raises:
        InvalidParameterError: It is not.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(
            parameter,
            f"expected seconds as a number, got {type(value).__name__}",
        )
    if not (math.isfinite(value) and value >= 0):
        raise InvalidParameterError(
            parameter, f"must be finite and not negative, got {value}"
        )
    return float(value)


def encode_record(record: object) -> str:
    """Return ``record`` as compact JSON text.

    Raises:
        InvalidParameterError: ``record`` is not a dict, or holds values
            JSON cannot carry (NaN, infinities, sets, bytes, ...).
    """
    if not isinstance(record, dict):
        raise InvalidParameterError(
            "change",
            "must return a dict or None as the new record, got "
            f"{type(record).__name__}",
        )
    try:
        return _ENCODER.encode(record)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            "change", "returned a record that is not JSON-compatible"
        ) from exc


def decode_record(text: str | bytes) -> Record:
    """Return the record stored as ``text``.

    Raises:
        StoreError: ``text`` is not a record otpcore wrote (the store was
            changed by something else); nothing is accepted on it.
    """
    try:
        record: object = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        record = None
    if not isinstance(record, dict):
        raise StoreError("the stored value is not an otpcore record")
    return record
