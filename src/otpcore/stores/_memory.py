"""A store in a dict, for one process."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

from otpcore.errors import InvalidParameterError
from otpcore.stores._base import (
    Clock,
    Record,
    Ttl,
    check_key,
    check_ttl,
    decode_record,
    encode_record,
    resolve_ttl,
)

__all__ = ["MemoryStore"]

T = TypeVar("T")


# The heap is rebuilt when it holds this many times more entries than there
# are records.
_STALE_FACTOR: Final = 4


class MemoryStore:
    """Verification state in this process's memory, safe across threads.

    Records are kept as JSON text, so a caller never shares a mutable dict
    with the store, and whatever works here also works on the SQLite and
    Redis stores. One lock serialises every update. Expired records are
    dropped as time passes them.

    State is lost when the process ends and is not shared between
    processes: a server with several worker processes needs
    :class:`~otpcore.stores.SQLiteStore` or
    :class:`~otpcore.stores.RedisStore`, or each worker would accept the
    same code once.

    Args:
        clock: Returns Unix seconds; measures expiry. :func:`time.time` by
            default; tests pass their own.
    """

    __slots__ = ("_clock", "_data", "_expiries", "_lock")

    def __init__(self, *, clock: Clock = time.time) -> None:
        if not callable(clock):
            raise InvalidParameterError(
                "clock", f"expected a callable, got {type(clock).__name__}"
            )
        self._clock = clock
        self._lock = threading.Lock()
        self._data: dict[str, tuple[str, float | None]] = {}
        # A heap of (expiry, key); an entry is stale when the key has since
        # been rewritten, which the purge checks before deleting.
        self._expiries: list[tuple[float, str]] = []

    def update(
        self,
        key: str,
        change: Callable[[Record | None], tuple[Record | None, T]],
        *,
        ttl: Ttl = None,
    ) -> T:
        """Atomically replace the record at ``key``; see :class:`Store`.

        ``change`` runs under the store's lock, exactly once.

        Raises:
            InvalidParameterError: ``key`` or ``ttl`` is out of range, or
                ``change`` returned a record that is not a JSON object.
        """
        key = check_key(key)
        if not callable(ttl):
            ttl = check_ttl(ttl)
        with self._lock:
            now = self._clock()
            self._purge(now)
            entry = self._data.get(key)
            record = None if entry is None else decode_record(entry[0])

            new, result = change(record)

            if new is record:
                return result
            if new is None:
                self._data.pop(key, None)
                return result
            text = encode_record(new)
            seconds = resolve_ttl(ttl, new)
            expires = None if seconds is None else now + seconds
            self._data[key] = (text, expires)
            if expires is not None:
                heapq.heappush(self._expiries, (expires, key))
                if len(self._expiries) > _STALE_FACTOR * len(self._data):
                    self._compact()
            return result

    def close(self) -> None:
        """Do nothing: a memory store holds no connection."""

    def __len__(self) -> int:
        """Return the number of records that have not expired."""
        with self._lock:
            self._purge(self._clock())
            return len(self._data)

    def _purge(self, now: float) -> None:
        heap = self._expiries
        while heap and heap[0][0] <= now:
            expires, key = heapq.heappop(heap)
            entry = self._data.get(key)
            if entry is not None and entry[1] == expires:
                del self._data[key]

    def _compact(self) -> None:
        # Rewriting a key leaves its old expiry in the heap until that time
        # comes; for records kept a year, the heap would grow with every
        # write. Rebuilding it from the live entries bounds it.
        self._expiries = [
            (expires, key)
            for key, (_, expires) in self._data.items()
            if expires is not None
        ]
        heapq.heapify(self._expiries)

    def __repr__(self) -> str:
        return "MemoryStore()"
