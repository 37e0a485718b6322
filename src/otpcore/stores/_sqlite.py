"""A store in an SQLite file, shared by the threads and processes of a host."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

from otpcore.errors import (
    InvalidParameterError,
    StoreError,
    StoreUnavailableError,
)
from otpcore.stores._base import (
    Clock,
    Record,
    Ttl,
    check_key,
    check_seconds,
    check_ttl,
    decode_record,
    encode_record,
    resolve_ttl,
)

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "SCHEMA_VERSION",
    "SQLiteStore",
]

T = TypeVar("T")

#: Seconds a writer waits for another to finish before giving up. A
#: verification holds the write lock for well under a millisecond, so
#: five seconds is a queue of thousands.
DEFAULT_BUSY_TIMEOUT: Final = 5.0
#: The layout of the tables, recorded in the file's ``meta`` table.
SCHEMA_VERSION: Final = 1
#: SQLite's ``synchronous`` levels. NORMAL in WAL mode survives a crashed
#: process; only a power cut can lose the last commits (sqlite.org/wal.html).
_SYNCHRONOUS: Final = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_SYNCHRONOUS: Final = "NORMAL"
# Seconds between attempts to switch a new file to WAL.
_WAL_RETRY_PAUSE: Final = 0.005
#: Every this many updates on a connection, expired rows are deleted.
_PURGE_EVERY: Final = 256

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS otpcore_records ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL,"
    " expires_at REAL"
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS otpcore_records_expiry"
    " ON otpcore_records (expires_at)"
    " WHERE expires_at IS NOT NULL",
)
_UPSERT: Final = (
    "INSERT INTO otpcore_records (key, value, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE"
    " SET value = excluded.value, expires_at = excluded.expires_at"
)

# Primary result codes (sqlite.org/rescode.html), for the error messages.
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_READONLY: Final = 8
_SQLITE_CANTOPEN: Final = 14
_PRIMARY_CODE_MASK: Final = 0xFF


class _Local(threading.local):
    connection: sqlite3.Connection | None = None
    pid: int = 0
    updates: int = 0


class SQLiteStore:
    """Verification state in an SQLite file: the embedded default.

    Each thread gets its own connection (a new one after a fork), in WAL
    mode with a busy timeout. Each update is one ``BEGIN IMMEDIATE``
    transaction, which takes the file's write lock before reading, so two
    writers on the same file, in any threads or processes of the host, are
    applied one after the other. A process that dies mid-update leaves the
    transaction uncommitted and the file as it was. The tables are created
    on first use and carry a schema version. Their names start with
    ``otpcore_``, so the file can be the application's own database.

    Network file systems break SQLite's locking; keep the file on a local
    disk.

    Args:
        path: The database file. ``:memory:`` is refused, since every
            thread would see its own empty database; use
            :class:`~otpcore.stores.MemoryStore`.
        timeout: Seconds to wait for another writer before failing with
            :class:`~otpcore.errors.StoreUnavailableError`.
        clock: Returns Unix seconds; measures expiry.
        uri: Read ``path`` as an SQLite URI (``file:...?mode=ro``).
        synchronous: SQLite's ``synchronous`` setting: ``NORMAL`` (the
            default) survives crashed processes, ``FULL`` power cuts too.

    Raises:
        InvalidParameterError: A parameter is out of range.
    """

    __slots__ = (
        "_clock",
        "_connections",
        "_guard",
        "_local",
        "_path",
        "_synchronous",
        "_timeout",
        "_uri",
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock = time.time,
        uri: bool = False,
        synchronous: str = DEFAULT_SYNCHRONOUS,
    ) -> None:
        name: object = os.fspath(path)
        if not isinstance(name, str) or name in {"", ":memory:"}:
            raise InvalidParameterError(
                "path",
                "must name a database file; for state in memory use "
                "MemoryStore",
            )
        timeout = check_seconds("timeout", timeout)
        level: object = synchronous
        if not isinstance(level, str) or level.upper() not in _SYNCHRONOUS:
            raise InvalidParameterError(
                "synchronous", f"must be one of {', '.join(_SYNCHRONOUS)}"
            )
        self._path = name
        self._timeout = timeout
        if not callable(clock):
            raise InvalidParameterError(
                "clock", f"expected a callable, got {type(clock).__name__}"
            )
        self._clock = clock
        self._uri = uri
        self._synchronous = level.upper()
        self._local = _Local()
        self._guard = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    @property
    def path(self) -> str:
        """The database file (or URI) this store opens."""
        return self._path

    def update(
        self,
        key: str,
        change: Callable[[Record | None], tuple[Record | None, T]],
        *,
        ttl: Ttl = None,
    ) -> T:
        """Atomically replace the record at ``key``; see :class:`Store`.

        One ``BEGIN IMMEDIATE`` transaction: ``change`` runs once, inside
        it, while this store holds the file's write lock. If ``change``
        raises, the transaction is rolled back and the exception
        propagates.

        Raises:
            StoreUnavailableError: The file cannot be opened, is
                read-only, or another connection held its lock past the
                busy timeout; nothing was written.
            StoreError: The file is not a database of this schema.
            InvalidParameterError: ``key`` or ``ttl`` is out of range, or
                ``change`` returned a record that is not a JSON object.
        """
        key = check_key(key)
        if not callable(ttl):
            ttl = check_ttl(ttl)
        connection = self._connection()
        self._begin(connection)
        try:
            now = self._clock()
            row = connection.execute(
                "SELECT value, expires_at FROM otpcore_records WHERE key = ?",
                (key,),
            ).fetchone()
            live = row is not None and (row[1] is None or row[1] > now)
            record = decode_record(row[0]) if live else None

            new, result = change(record)

            if new is not record:
                if new is None:
                    connection.execute(
                        "DELETE FROM otpcore_records WHERE key = ?", (key,)
                    )
                else:
                    text = encode_record(new)
                    seconds = resolve_ttl(ttl, new)
                    expires = None if seconds is None else now + seconds
                    connection.execute(_UPSERT, (key, text, expires))
            elif row is not None and not live:
                connection.execute(
                    "DELETE FROM otpcore_records WHERE key = ?", (key,)
                )
            self._maybe_purge(connection, now)
            connection.execute("COMMIT")
        except BaseException as exc:
            self._rollback(connection)
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise
        return result

    def purge(self) -> int:
        """Delete every expired record now, and return how many went.

        Updates also do this now and then, so calling it is optional.

        Raises:
            StoreUnavailableError: As :meth:`update`.
        """
        connection = self._connection()
        self._begin(connection)
        try:
            cursor = connection.execute(
                "DELETE FROM otpcore_records WHERE expires_at <= ?",
                (self._clock(),),
            )
            connection.execute("COMMIT")
        except BaseException as exc:
            self._rollback(connection)
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise
        return cursor.rowcount

    def close(self) -> None:
        """Close every connection this store opened, in all threads."""
        with self._guard:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.close()
            except sqlite3.Error:
                # A connection busy in another thread closes with it.
                continue
        self._local = _Local()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if local.connection is not None and local.pid == os.getpid():
            return local.connection
        try:
            # check_same_thread is off only so that close() may close every
            # connection; each is used by the thread that opened it.
            connection = sqlite3.connect(
                self._path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=self._uri,
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            self._prepare(connection)
        except sqlite3.Error as exc:
            connection.close()
            raise self._error(exc) from exc
        except BaseException:
            connection.close()
            raise
        local.connection = connection
        local.pid = os.getpid()
        local.updates = 0
        with self._guard:
            self._connections.append(connection)
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        connection.execute(f"PRAGMA synchronous = {self._synchronous}")
        if self._schema_version(connection) == SCHEMA_VERSION:
            return
        self._enable_wal(connection)
        connection.execute("BEGIN IMMEDIATE")
        try:
            self._create_schema(connection)
            connection.execute("COMMIT")
        except BaseException:
            self._rollback(connection)
            raise

    def _enable_wal(self, connection: sqlite3.Connection) -> None:
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                connection.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                # Switching a new file to WAL takes an exclusive lock for
                # which SQLite does not wait (a wait could deadlock), so
                # connections opening one file together wait here instead.
                code = getattr(exc, "sqlite_errorcode", 0) & _PRIMARY_CODE_MASK
                if code != _SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
                time.sleep(_WAL_RETRY_PAUSE)
            else:
                return

    def _create_schema(self, connection: sqlite3.Connection) -> None:
        version = self._schema_version(connection)
        if version == SCHEMA_VERSION:
            return
        if version is not None:
            raise StoreError(
                f"path: {self._path} holds otpcore schema version {version}; "
                f"this version of otpcore reads {SCHEMA_VERSION}"
            )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS otpcore_meta"
            " (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.execute(
            "INSERT INTO otpcore_meta (name, value)"
            " VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def _schema_version(self, connection: sqlite3.Connection) -> int | None:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master"
            " WHERE type = 'table' AND name = 'otpcore_meta'"
        ).fetchone()
        if exists is None:
            return None
        row = connection.execute(
            "SELECT value FROM otpcore_meta WHERE name = 'schema_version'"
        ).fetchone()
        if row is None:
            return None
        try:
            return int(row[0])
        except ValueError:
            raise StoreError(
                f"path: {self._path} has an unreadable schema version"
            ) from None

    def _begin(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _maybe_purge(self, connection: sqlite3.Connection, now: float) -> None:
        self._local.updates += 1
        if self._local.updates % _PURGE_EVERY == 0:
            connection.execute(
                "DELETE FROM otpcore_records WHERE expires_at <= ?", (now,)
            )

    @staticmethod
    def _rollback(connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:
                # SQLite has already rolled back (it does so on some I/O
                # errors); the transaction is gone either way.
                return

    def _error(self, exc: sqlite3.Error) -> StoreError:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = None if code is None else code & _PRIMARY_CODE_MASK
        name = getattr(exc, "sqlite_errorname", type(exc).__name__)
        where = f"SQLite store {self._path}"
        if primary in {_SQLITE_BUSY, _SQLITE_LOCKED}:
            reason = (
                "another connection held the database lock past the busy "
                f"timeout of {self._timeout:g} s"
            )
        elif primary == _SQLITE_READONLY:
            reason = "the database is read-only"
        elif primary == _SQLITE_CANTOPEN:
            reason = "the database file cannot be opened"
        elif isinstance(exc, sqlite3.OperationalError):
            reason = "the database could not be used"
        else:
            return StoreError(
                f"{where}: the file is not a usable otpcore database "
                f"({name}); nothing was written"
            )
        return StoreUnavailableError(
            f"{where}: {reason} ({name}); nothing was written"
        )

    def __repr__(self) -> str:
        return f"SQLiteStore({self._path!r})"
