"""Work for the processes of the race tests, importing as little as it can.

A spawned process imports the module its target lives in; keeping these
here, away from pytest and hypothesis, makes each process start quickly.
"""

from __future__ import annotations

from typing import Any

from otpcore import TOTP
from otpcore.guard import Guard
from otpcore.stores import RedisStore, SQLiteStore, Store

#: The RFC 6238 SHA-1 key, which every racer verifies against.
KEY = b"12345678901234567890"
#: The time of the racers' attempts.
AT = 1_700_000_000


def open_store(kind: str, where: str, prefix: str) -> Store:
    """Return the SQLite store at ``where`` or the Redis one at that URL."""
    if kind == "sqlite":
        return SQLiteStore(where)
    return RedisStore.from_url(where, prefix=prefix)


def increment(record: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
    """Add one to the record's ``n``; return the new value."""
    n = (record or {}).get("n", 0) + 1
    return {"n": n}, n


def increment_many(
    spec: tuple[str, str, str], barrier: Any, count: int
) -> None:
    """Wait for the others, then add one to the record ``count`` times."""
    store = open_store(*spec)
    barrier.wait()
    for _ in range(count):
        store.update("counter", increment)
    store.close()


def verify_once(
    spec: tuple[str, str, str], barrier: Any, results: Any, racers: int
) -> None:
    """Wait for the others, then submit the current code once."""
    store = open_store(*spec)
    totp = TOTP(KEY)
    guard = Guard(store, free_failures=racers)
    barrier.wait()
    verdict = guard.verify("alice", totp, totp.at(AT), at=AT)
    results.put(verdict.reason.value)
    store.close()
