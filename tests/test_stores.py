"""Tests for otpcore.stores: the atomic update on memory, SQLite and Redis."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis

import _racers
from _stores import FakeClock, RedisServer, redis_store
from otpcore.errors import (
    InvalidParameterError,
    StoreError,
    StoreUnavailableError,
)
from otpcore.stores import (
    MAX_KEY_LENGTH,
    MemoryStore,
    RedisStore,
    SQLiteStore,
    Store,
)

THREADS = 8
INCREMENTS = 25


def increment(record: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
    """Add one to the record's ``n``; return the new value."""
    n = (record or {}).get("n", 0) + 1
    return {"n": n}, n


def read(record: dict[str, Any] | None) -> tuple[Any, Any]:
    """Leave the record as it is and return it."""
    return record, record


def _redis_ttl(store: Store, key: str) -> int:
    assert isinstance(store, RedisStore)
    ttl: int = store.client.pttl(store.key(key))
    return ttl


# The update contract, on every store.


def test_update_passes_none_for_a_missing_key(store: Store) -> None:
    """A key never written reads as None."""
    assert store.update("absent", read) is None


def test_update_stores_the_new_record(store: Store) -> None:
    """What change returns is what the next update reads."""
    store.update("k", lambda _: ({"a": [1, "x", None, True]}, None))

    assert store.update("k", read) == {"a": [1, "x", None, True]}


def test_update_returns_the_result_of_change(store: Store) -> None:
    """The second item change returns is update's answer."""
    assert store.update("k", increment) == 1
    assert store.update("k", increment) == 2


def test_returning_none_deletes_the_record(store: Store) -> None:
    """A change that returns None as the record deletes it."""
    store.update("k", increment)

    store.update("k", lambda _: (None, None))

    assert store.update("k", read) is None


def test_records_are_copies(store: Store) -> None:
    """Mutating a record after storing it does not change the store."""
    record = {"n": 1}
    store.update("k", lambda _: (record, None))
    record["n"] = 99

    assert store.update("k", read) == {"n": 1}


def test_keys_are_independent(store: Store) -> None:
    """Updating one key leaves another alone."""
    store.update("guard:{alice}", increment)
    store.update("guard:{alice}", increment)

    assert store.update("guard:{bob}", increment) == 1


def test_a_failing_change_writes_nothing(store: Store) -> None:
    """An exception from change propagates and the record is unchanged."""
    store.update("k", increment)

    def explode(_: object) -> tuple[dict[str, Any], None]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        store.update("k", explode)

    assert store.update("k", read) == {"n": 1}


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(["n"], id="list"),
        pytest.param("text", id="str"),
        pytest.param({"n": float("nan")}, id="nan"),
        pytest.param({"n": b"raw"}, id="bytes"),
        pytest.param({"n": {1, 2}}, id="set"),
    ],
)
def test_a_record_json_cannot_carry_is_refused(
    store: Store, record: object
) -> None:
    """Only JSON objects can be stored; nothing is written otherwise."""
    with pytest.raises(InvalidParameterError, match="change"):
        store.update("k", lambda _: (record, None))  # type: ignore[arg-type,return-value]

    assert store.update("k", read) is None


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * (MAX_KEY_LENGTH + 1), id="too-long"),
        pytest.param(b"k", id="bytes"),
        pytest.param(None, id="none"),
    ],
)
def test_bad_keys_are_refused(store: Store, key: object) -> None:
    """A key must be a non-empty str of bounded length."""
    with pytest.raises(InvalidParameterError, match="key"):
        store.update(key, increment)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "ttl",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1.0, id="negative"),
        pytest.param(float("inf"), id="infinite"),
        pytest.param(float("nan"), id="nan"),
        pytest.param("10", id="str"),
        pytest.param(True, id="bool"),
    ],
)
def test_bad_ttls_are_refused(store: Store, ttl: object) -> None:
    """A ttl must be a positive, finite number of seconds."""
    with pytest.raises(InvalidParameterError, match="ttl"):
        store.update("k", increment, ttl=ttl)  # type: ignore[arg-type]

    assert store.update("k", read) is None


# Expiry.


@pytest.mark.parametrize(
    "kind", [pytest.param(MemoryStore, id="memory"), "sqlite"]
)
def test_a_record_expires_after_its_ttl(
    kind: object, tmp_path: Path, clock: FakeClock
) -> None:
    """A record written with a ttl reads as None once the clock passes it."""
    made: Store = (
        MemoryStore(clock=clock)
        if kind is MemoryStore
        else SQLiteStore(tmp_path / "s.sqlite3", clock=clock)
    )
    made.update("k", increment, ttl=30)

    clock.advance(29.9)
    alive = made.update("k", read)
    clock.advance(0.1)
    gone = made.update("k", read)

    assert alive == {"n": 1}
    assert gone is None


def test_redis_expiry_is_the_ttl(redis_server: RedisServer) -> None:
    """On Redis a ttl becomes the key's PX expiry, rounded up to 1 ms."""
    made = redis_store(redis_server)

    made.update("k", increment, ttl=30.0004)

    assert 29_000 < _redis_ttl(made, "k") <= 30_001


def test_no_ttl_means_no_expiry(store: Store, clock: FakeClock) -> None:
    """A record written without a ttl outlives any clock."""
    store.update("k", increment, ttl=10)

    store.update("k", increment)
    clock.advance(10**9)

    assert store.update("k", read) == {"n": 2}
    if isinstance(store, RedisStore):
        assert _redis_ttl(store, "k") == -1


def test_returning_the_record_unchanged_keeps_its_expiry(
    store: Store, clock: FakeClock
) -> None:
    """Returning the record it was given makes update write nothing.

    Had the read written the record back without a ttl, it would never
    expire.
    """
    store.update("k", increment, ttl=30)
    clock.advance(20)

    seen = store.update("k", read)

    assert seen == {"n": 1}
    if isinstance(store, RedisStore):
        assert 0 < _redis_ttl(store, "k") <= 30_000
    else:
        clock.advance(10)
        assert store.update("k", read) is None


def test_a_ttl_may_depend_on_the_new_record(
    store: Store, clock: FakeClock
) -> None:
    """A callable ttl reads the record change returned."""

    def lifetime(record: dict[str, Any]) -> float | None:
        return None if record["keep"] else 5.0

    store.update("kept", lambda _: ({"keep": True}, None), ttl=lifetime)
    store.update("brief", lambda _: ({"keep": False}, None), ttl=lifetime)

    if isinstance(store, RedisStore):
        assert _redis_ttl(store, "kept") == -1
        assert 0 < _redis_ttl(store, "brief") <= 5_000
    else:
        clock.advance(5)
        assert store.update("kept", read) == {"keep": True}
        assert store.update("brief", read) is None


def test_an_expired_record_reads_as_none_to_change(
    store: Store, clock: FakeClock
) -> None:
    """Change sees None for an expired record and may write a new one."""
    if isinstance(store, RedisStore):
        store.update("k", increment, ttl=0.001)
        time.sleep(0.01)
    else:
        store.update("k", increment, ttl=1)
        clock.advance(1)

    assert store.update("k", increment) == 1


def test_memory_store_drops_expired_records(clock: FakeClock) -> None:
    """Expired records leave the memory store, rewritten ones stay."""
    made = MemoryStore(clock=clock)
    for i in range(10):
        made.update(f"k{i}", increment, ttl=10)
    made.update("k0", increment, ttl=100)

    clock.advance(50)

    assert len(made) == 1


def test_sqlite_purge_deletes_expired_rows(
    tmp_path: Path, clock: FakeClock
) -> None:
    """purge() deletes the rows whose expiry has passed, and counts them."""
    made = SQLiteStore(tmp_path / "s.sqlite3", clock=clock)
    for i in range(5):
        made.update(f"k{i}", increment, ttl=10)
    made.update("kept", increment)

    clock.advance(10)
    purged = made.purge()

    assert purged == 5
    assert made.update("kept", read) == {"n": 1}


# Atomicity.


def test_concurrent_updates_from_threads_are_never_lost(store: Store) -> None:
    """Threads incrementing one record end at exactly the sum."""
    barrier = threading.Barrier(THREADS)

    def work() -> None:
        barrier.wait()
        for _ in range(INCREMENTS):
            store.update("counter", increment)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert store.update("counter", read) == {"n": THREADS * INCREMENTS}


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_concurrent_updates_from_processes_are_never_lost(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    """Separate processes incrementing one record end at exactly the sum."""
    processes = 4
    where = str(tmp_path / "shared.sqlite3")
    if kind == "redis":
        where = redis_server.url
    spec = (kind, where, redis_store(redis_server).prefix)
    _racers.open_store(*spec).update("counter", lambda _: (None, None))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    workers = [
        context.Process(
            target=_racers.increment_many, args=(spec, barrier, INCREMENTS)
        )
        for _ in range(processes)
    ]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert [worker.exitcode for worker in workers] == [0] * processes
    made = _racers.open_store(*spec)
    assert made.update("counter", read) == {"n": processes * INCREMENTS}


def test_processes_opening_a_new_file_together_all_succeed(
    tmp_path: Path,
) -> None:
    """Processes creating one new file at once all get their update in.

    Regression: switching a new file to WAL takes a lock SQLite does not
    wait for, so a process that met another one switching failed at once
    with "database is locked".
    """
    processes = 8
    spec = ("sqlite", str(tmp_path / "new.sqlite3"), "")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    workers = [
        context.Process(target=_racers.increment_many, args=(spec, barrier, 1))
        for _ in range(processes)
    ]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert [worker.exitcode for worker in workers] == [0] * processes
    made = _racers.open_store(*spec)
    assert made.update("counter", read) == {"n": processes}


# SQLite specifics.


def test_sqlite_refuses_an_in_memory_database() -> None:
    """':memory:' would give each thread its own empty database."""
    with pytest.raises(InvalidParameterError, match="MemoryStore"):
        SQLiteStore(":memory:")


def test_sqlite_records_its_schema_version(tmp_path: Path) -> None:
    """The file records schema version 1 in otpcore_meta, and is in WAL."""
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).update("k", increment)

    with sqlite3.connect(path) as db:
        version = db.execute(
            "SELECT value FROM otpcore_meta WHERE name = 'schema_version'"
        ).fetchone()
        mode = db.execute("PRAGMA journal_mode").fetchone()

    assert version == ("1",)
    assert mode == ("wal",)


def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    """A file written by a later schema is refused, not misread."""
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).update("k", increment)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE otpcore_meta SET value = '2'")

    with pytest.raises(StoreError, match="schema version 2"):
        SQLiteStore(path).update("k", increment)


def test_sqlite_read_only_database_fails_closed(tmp_path: Path) -> None:
    """A read-only database refuses the write with a clear error.

    Tests may run as root, for whom a chmod does not stop writes; opening
    the file with the URI ``mode=ro`` makes SQLite itself refuse them.
    """
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).update("k", increment)
    read_only = SQLiteStore(f"file:{path}?mode=ro", uri=True)

    with pytest.raises(StoreUnavailableError, match="read-only"):
        read_only.update("k", increment)

    assert read_only.update("k", read) == {"n": 1}
    assert SQLiteStore(path).update("k", increment) == 2


def test_sqlite_locked_database_fails_closed(tmp_path: Path) -> None:
    """A lock held past the busy timeout gives a clear error, loses nothing."""
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).update("k", increment)
    made = SQLiteStore(path, timeout=0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    try:
        with pytest.raises(StoreUnavailableError, match="busy timeout"):
            made.update("k", increment)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert made.update("k", increment) == 2


def test_sqlite_unopenable_file_fails_closed(tmp_path: Path) -> None:
    """A path in a missing directory gives StoreUnavailableError."""
    made = SQLiteStore(tmp_path / "missing" / "s.sqlite3")

    with pytest.raises(StoreUnavailableError, match="cannot be opened"):
        made.update("k", increment)


_KILLED_WRITER = """
import sys, time
from otpcore.stores import SQLiteStore

def stall(record):
    print("inside", flush=True)
    time.sleep(60)
    return {"n": 999}, None

SQLiteStore(sys.argv[1]).update("k", stall)
"""


def test_sqlite_process_killed_mid_update_loses_nothing(
    tmp_path: Path,
) -> None:
    """A process killed inside an update leaves the record as it was."""
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).update("k", increment)
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE,
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"inside\n"

        writer.kill()

    assert SQLiteStore(path).update("k", increment) == 2


def test_sqlite_close_then_reuse_reconnects(tmp_path: Path) -> None:
    """A closed store opens a new connection when used again."""
    made = SQLiteStore(tmp_path / "s.sqlite3")
    made.update("k", increment)

    made.close()

    assert made.update("k", increment) == 2


# Redis specifics.


def test_redis_keys_are_prefixed(redis_server: RedisServer) -> None:
    """A record is stored under the prefix plus its key, hash tag intact."""
    made = RedisStore.from_url(redis_server.url, prefix="app:")

    made.update("guard:{alice}", increment)

    assert made.client.get("app:guard:{alice}") == b'{"n":1}'


@pytest.mark.parametrize(
    "prefix",
    [pytest.param("a{b:", id="open-brace"), pytest.param("a}", id="close")],
)
def test_redis_prefix_cannot_move_the_hash_tag(
    redis_server: RedisServer, prefix: str
) -> None:
    """A prefix with a brace would change which slot a key lands in."""
    with pytest.raises(InvalidParameterError, match="prefix"):
        RedisStore.from_url(redis_server.url, prefix=prefix)


def test_redis_stopped_fails_closed(
    redis_server_factory: Any,
) -> None:
    """With Redis gone, update raises StoreUnavailableError."""
    server = redis_server_factory()
    made = redis_store(server)
    made.update("k", increment)

    server.stop()

    with pytest.raises(StoreUnavailableError, match="could not be reached"):
        made.update("k", increment)


def test_redis_read_only_replica_fails_closed(
    redis_server_factory: Any,
) -> None:
    """A replica refuses writes; the store says so and writes nothing."""
    primary = redis_server_factory()
    replica = redis_server_factory()
    client = redis.Redis(host=replica.host, port=replica.port)
    client.replicaof(primary.host, primary.port)
    made = RedisStore(client)

    with pytest.raises(StoreUnavailableError, match="read-only"):
        made.update("k", increment)


def test_redis_gives_up_on_a_record_that_never_settles(
    redis_server: RedisServer,
) -> None:
    """A record changed by someone else on every attempt is an error."""
    made = RedisStore(
        redis.Redis.from_url(redis_server.url),
        prefix="settle:",
        max_attempts=3,
    )
    other = redis.Redis.from_url(redis_server.url)
    meddled: list[int] = []

    def meddle(_: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
        meddled.append(len(meddled))
        other.set("settle:k", f'{{"other": {len(meddled)}}}')
        return {"n": 1}, None

    with pytest.raises(StoreUnavailableError, match="kept changing"):
        made.update("k", meddle)

    assert len(meddled) == 3
    assert other.get("settle:k") == b'{"other": 3}'


def test_a_key_with_a_lone_surrogate_is_refused(store: Store) -> None:
    """Such a key used to escape from SQLite as a UnicodeEncodeError."""
    with pytest.raises(InvalidParameterError, match=r"^key: "):
        store.update("guard:{al\ud800ice}", lambda record: (record, None))


def test_a_value_otpcore_did_not_write_is_a_store_error(
    tmp_path: Path,
) -> None:
    """A row changed by another program is refused, never half-read."""
    store = SQLiteStore(tmp_path / "otp.sqlite3")
    store.update("k", lambda _record: ({"a": 1}, None))
    connection = sqlite3.connect(tmp_path / "otp.sqlite3")
    with connection:
        connection.execute("UPDATE otpcore_records SET value = 'not json'")
    connection.close()

    with pytest.raises(StoreError):
        store.update("k", lambda record: (record, None))


def test_the_memory_store_keeps_its_expiry_heap_bounded() -> None:
    """Rewriting one key with an expiry does not grow the heap forever."""
    store = MemoryStore()

    for n in range(1000):
        store.update("k", lambda _record, n=n: ({"n": n}, None), ttl=3600)

    assert len(store._expiries) <= 8
