"""The cost of the verification policy: Guard per store against bare verify.

Each scenario runs every contender in turn, round after round, and keeps
each one's best round, so that a busy machine slows all of them together
and the ratios stay meaningful. Contenders:

    bare verify   otpcore.TOTP.verify, window 1: arithmetic only, no state
    memory        Guard on a MemoryStore (one lock)
    sqlite        Guard on an SQLiteStore file in a temporary directory
                  (WAL, synchronous=NORMAL; one BEGIN IMMEDIATE transaction)
    redis         Guard on a RedisStore, against a redis-server this script
                  starts on a free loopback port (one EVALSHA)

For scale, two floors run in the same rounds: a Redis PING on the same
client (one round trip, nothing else), and a transaction inserting one row
into another SQLite file in the same directory, set up as the store's.

Scenarios:
    accepted      the current code, for a new account on every call, so
                  every call is a first login that writes its state
    wrong code    a code no step carries, on accounts whose throttle never
                  starts (free_failures set out of reach), so every call
                  checks the whole window and writes a failure

After timing, the script counts what one verification costs each store:
SQLite transactions begun (through the connection's trace callback) and
Redis commands (INFO commandstats; Redis also counts the commands a script
runs, so one round trip shows as one EVALSHA plus its inner GET and SET).

Usage: python benchmarks/guard.py [--rounds N] [--number N]
"""

from __future__ import annotations

import argparse
import itertools
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import redis

import otpcore
from _harness import measure
from otpcore import TOTP
from otpcore.guard import Guard
from otpcore.stores import MemoryStore, RedisStore, SQLiteStore, Store

KEY = b"12345678901234567890"
NOW = 1_700_000_000
WRONG = "000000"
# Far enough that no run of this script reaches the throttle.
NEVER = 10**9


@contextmanager
def redis_server() -> Iterator[int]:
    """Start redis-server on a free loopback port; yield the port."""
    program = shutil.which("redis-server")
    if program is None:
        sys.exit("redis-server is not installed (Debian: redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen(
            [program, "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            client = redis.Redis(port=port)
            for _ in range(500):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.01)
            yield port
        finally:
            process.kill()
            process.wait()


def floors(
    directory: Path, client: redis.Redis
) -> dict[str, Callable[[], object]]:
    """Return one bare write transaction and one bare round trip."""
    connection = sqlite3.connect(directory / "floor.sqlite3")
    connection.isolation_level = None
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    keys = itertools.count()

    def transaction() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?, 'x')", (next(keys),))
        connection.execute("COMMIT")

    return {"sqlite floor": transaction, "redis floor": client.ping}


def contenders(
    stores: dict[str, Store],
    totp: TOTP,
    extra: dict[str, Callable[[], object]],
    *,
    accepted: bool,
) -> dict[str, Callable[[], object]]:
    """Return the calls of one scenario, bare verify first."""
    code = totp.at(NOW) if accepted else WRONG
    table: dict[str, Callable[[], object]] = {
        "bare verify": lambda: totp.verify(code, at=NOW, window=1)
    }
    for name, store in stores.items():
        guard = Guard(store, free_failures=NEVER, max_failures=NEVER + 1)
        accounts = (f"{name}-{i}" for i in itertools.count())
        if accepted:
            table[name] = lambda g=guard, a=accounts: g.verify(
                next(a), totp, code, at=NOW
            )
        else:
            table[name] = lambda g=guard: g.verify(
                "attacked", totp, code, at=NOW
            )
    return table | extra


def sqlite_transactions(store: SQLiteStore, totp: TOTP, calls: int) -> int:
    """Count the transactions SQLite begins for ``calls`` verifications."""
    guard = Guard(store)
    guard.status("count")
    begun: list[str] = []
    connection = store._connection()
    connection.set_trace_callback(
        lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None
    )
    for i in range(calls):
        guard.verify(f"count-{i}", totp, totp.at(NOW), at=NOW)
    connection.set_trace_callback(None)
    return len(begun)


def redis_commands(
    store: RedisStore, port: int, totp: TOTP, calls: int
) -> dict[str, int]:
    """Count the commands Redis runs for ``calls`` verifications."""
    guard = Guard(store)
    guard.verify("count-warm-up", totp, WRONG, at=NOW)
    admin = redis.Redis(port=port)
    admin.config_resetstat()
    for i in range(calls):
        guard.verify(f"count-{i}", totp, totp.at(NOW), at=NOW)
    stats = admin.info("commandstats")
    return {
        name.removeprefix("cmdstat_"): value["calls"]
        for name, value in stats.items()
        if name not in {"cmdstat_config|resetstat", "cmdstat_info"}
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=500)
    args = parser.parse_args()

    totp = TOTP(KEY)
    with (
        redis_server() as port,
        tempfile.TemporaryDirectory() as directory,
    ):
        path = Path(directory) / "guard.sqlite3"
        sqlite = SQLiteStore(path)
        sqlite.update("warm-up", lambda r: (r, None))
        client = redis.Redis(port=port)
        remote = RedisStore(client)
        extra = floors(Path(directory), client)
        stores: dict[str, Store] = {
            "memory": MemoryStore(),
            "sqlite": sqlite,
            "redis": remote,
        }
        info = redis.Redis(port=port).info("server")
        print(
            f"Python {platform.python_version()} on {platform.machine()}, "
            f"otpcore {otpcore.__version__}, SQLite "
            f"{sqlite3.sqlite_version}, redis-server "
            f"{info['redis_version']}, redis-py {version('redis')}; "
            f"{args.rounds} rounds x {args.number} calls, best round"
        )
        for title, accepted in (
            ("accepted: the current code, a new account each call", True),
            ("wrong code: a full window checked, a failure written", False),
        ):
            results = measure(
                contenders(stores, totp, extra, accepted=accepted),
                args.rounds,
                args.number,
            )
            bare = results["bare verify"]
            print(f"\n{title}")
            for name, micros in results.items():
                note = ""
                if name in stores:
                    note = (
                        f"  {micros / bare:4.1f}x bare verify "
                        f"(+{micros - bare:.0f} us)"
                    )
                print(f"  {name:<13} {micros:7.1f} us{note}")

        calls = 100
        begun = sqlite_transactions(sqlite, totp, calls)
        commands = redis_commands(remote, port, totp, calls)
        print(f"\nstore work for {calls} guarded verifications")
        print(f"  sqlite: {begun} transactions begun")
        print(
            "  redis: "
            + ", ".join(f"{n} {name}" for name, n in sorted(commands.items()))
            + " (GET and SET run inside the script)"
        )
        sqlite.close()
        remote.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
