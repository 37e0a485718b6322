"""The demo site's own tables: users, sessions, pending logins, enrolments.

The guard's state (replay, throttling) and the SMS codes live in the
library's SQLite store; this module holds only what a web site keeps about
its users. Every call opens its own connection, so one ``Database`` can be
shared by the threads of a threaded server.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "ENROLMENT_LIFETIME",
    "PENDING_LOGIN_LIFETIME",
    "SESSION_LIFETIME",
    "Database",
    "Enrolment",
    "Method",
    "User",
]

#: How long the password-checked stage of a login waits for the second
#: factor. Long enough to find a phone and read a text message.
PENDING_LOGIN_LIFETIME: Final = 5 * 60
#: How long a key or phone number waits to be confirmed with a first code.
ENROLMENT_LIFETIME: Final = 15 * 60
#: How long a login lasts, whatever the activity: one working day.
SESSION_LIFETIME: Final = 12 * 60 * 60
# Session and pending-login tokens: 256 bits, far beyond guessing.
_TOKEN_BYTES: Final = 32
# SQLite waits this long for another writer before giving up.
_BUSY_TIMEOUT: Final = 10.0

Method = Literal["app", "sms"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    tfa_method TEXT CHECK (tfa_method IN ('app', 'sms')),
    totp_secret TEXT,
    phone TEXT,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_logins (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolments (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    method TEXT NOT NULL CHECK (method IN ('app', 'sms')),
    totp_secret TEXT,
    phone TEXT,
    expires_at REAL NOT NULL
);
"""


@dataclass(frozen=True, repr=False)
class User:
    """A row of the users table.

    Attributes:
        id: The row id; the guard's account names derive from it.
        username: The name as the user typed it at sign-up.
        password_hash: Werkzeug's salted hash of the password.
        tfa_method: ``"app"``, ``"sms"``, or None while two-factor login
            is off.
        totp_secret: The base32 key when the method is ``"app"``.
        phone: The E.164 number when the method is ``"sms"``.
    """

    id: int
    username: str
    password_hash: str
    tfa_method: Method | None
    totp_secret: str | None
    phone: str | None

    def __repr__(self) -> str:
        return f"<User {self.id} method={self.tfa_method}>"


@dataclass(frozen=True, repr=False)
class Enrolment:
    """A second factor chosen but not yet confirmed with a code.

    Attributes:
        method: ``"app"`` or ``"sms"``.
        totp_secret: The new base32 key for ``"app"``.
        phone: The number a code was sent to for ``"sms"``; None until then.
        expires_at: Unix seconds after which it is forgotten.
    """

    method: Method
    totp_secret: str | None
    phone: str | None
    expires_at: float

    def __repr__(self) -> str:
        return f"<Enrolment {self.method}>"


def _digest(token: str) -> str:
    # Only the hash of a token is stored, so a copy of the database does not
    # hand out live sessions.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Database:
    """The users database, created on first use.

    Args:
        path: The SQLite file.
        clock: Returns the current Unix time; expiry is measured with it.
    """

    def __init__(self, path: str, *, clock: Callable[[], float]) -> None:
        self._path = path
        self._clock = clock
        with closing(self._connect()) as con:
            # WAL lets the readers of a threaded server run beside a writer;
            # the mode is stored in the file, so setting it once suffices.
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self._path, timeout=_BUSY_TIMEOUT)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA foreign_keys=ON")
        return con

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con, con:
            yield con

    # Users.

    def create_user(self, username: str, password_hash: str) -> User | None:
        """Add a user; None if the name is taken (ignoring case)."""
        with self._transaction() as con:
            try:
                con.execute(
                    "INSERT INTO users (username, password_hash, created_at)"
                    " VALUES (?, ?, ?)",
                    (username, password_hash, self._clock()),
                )
            except sqlite3.IntegrityError:
                return None
        return self.user_by_name(username)

    def user_by_id(self, user_id: int) -> User | None:
        """Return the user with this id, or None."""
        return self._user("id = ?", user_id)

    def user_by_name(self, username: str) -> User | None:
        """Return the user with this name (ignoring case), or None."""
        return self._user("username = ?", username)

    def _user(self, where: str, value: object) -> User | None:
        with self._transaction() as con:
            row = con.execute(
                "SELECT id, username, password_hash, tfa_method,"  # noqa: S608
                f" totp_secret, phone FROM users WHERE {where}",
                (value,),
            ).fetchone()
        if row is None:
            return None
        return User(
            id=row["id"],
            username=row["username"],
            password_hash=row["password_hash"],
            tfa_method=row["tfa_method"],
            totp_secret=row["totp_secret"],
            phone=row["phone"],
        )

    def enable_tfa(
        self,
        user_id: int,
        method: Method,
        *,
        totp_secret: str | None = None,
        phone: str | None = None,
    ) -> None:
        """Turn two-factor login on and drop the enrolment that led to it."""
        with self._transaction() as con:
            con.execute(
                "UPDATE users SET tfa_method = ?, totp_secret = ?, phone = ?"
                " WHERE id = ?",
                (method, totp_secret, phone, user_id),
            )
            con.execute("DELETE FROM enrolments WHERE user_id = ?", (user_id,))

    def disable_tfa(self, user_id: int) -> None:
        """Turn two-factor login off and forget the key and the number."""
        with self._transaction() as con:
            con.execute(
                "UPDATE users SET tfa_method = NULL, totp_secret = NULL,"
                " phone = NULL WHERE id = ?",
                (user_id,),
            )

    # Sessions and pending logins: random tokens, stored hashed.

    def open_session(self, user_id: int) -> str:
        """Start a login session and return its token for the cookie."""
        return self._open("sessions", user_id, SESSION_LIFETIME)

    def session_user(self, token: str) -> User | None:
        """Return the user a live session token belongs to, or None."""
        return self._lookup("sessions", token)

    def close_session(self, token: str) -> None:
        """End a session; its token is worthless afterwards."""
        self._close("sessions", token)

    def open_pending(self, user_id: int) -> str:
        """Record that a password was right and a code is awaited."""
        return self._open("pending_logins", user_id, PENDING_LOGIN_LIFETIME)

    def pending_user(self, token: str) -> User | None:
        """Return the user of a live pending login, or None."""
        return self._lookup("pending_logins", token)

    def close_pending(self, token: str) -> None:
        """Forget a pending login, whether it succeeded or not."""
        self._close("pending_logins", token)

    def _open(self, table: str, user_id: int, lifetime: float) -> str:
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._clock()
        with self._transaction() as con:
            con.execute(
                f"DELETE FROM {table} WHERE expires_at <= ?",  # noqa: S608
                (now,),
            )
            con.execute(
                f"INSERT INTO {table} (token_hash, user_id, expires_at)"  # noqa: S608
                " VALUES (?, ?, ?)",
                (_digest(token), user_id, now + lifetime),
            )
        return token

    def _lookup(self, table: str, token: str) -> User | None:
        with self._transaction() as con:
            row = con.execute(
                f"SELECT user_id FROM {table}"  # noqa: S608 - fixed names
                " WHERE token_hash = ? AND expires_at > ?",
                (_digest(token), self._clock()),
            ).fetchone()
        return None if row is None else self.user_by_id(row["user_id"])

    def _close(self, table: str, token: str) -> None:
        with self._transaction() as con:
            con.execute(
                f"DELETE FROM {table} WHERE token_hash = ?",  # noqa: S608
                (_digest(token),),
            )

    # Enrolments.

    def start_enrolment(
        self,
        user_id: int,
        method: Method,
        *,
        totp_secret: str | None = None,
        phone: str | None = None,
    ) -> Enrolment:
        """Record a second factor awaiting its first code, replacing any."""
        enrolment = Enrolment(
            method=method,
            totp_secret=totp_secret,
            phone=phone,
            expires_at=self._clock() + ENROLMENT_LIFETIME,
        )
        with self._transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO enrolments"
                " (user_id, method, totp_secret, phone, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_id, method, totp_secret, phone, enrolment.expires_at),
            )
        return enrolment

    def enrolment(self, user_id: int, method: Method) -> Enrolment | None:
        """Return the live enrolment of this user by this method, or None."""
        with self._transaction() as con:
            row = con.execute(
                "SELECT method, totp_secret, phone, expires_at"
                " FROM enrolments"
                " WHERE user_id = ? AND method = ? AND expires_at > ?",
                (user_id, method, self._clock()),
            ).fetchone()
        if row is None:
            return None
        return Enrolment(
            method=row["method"],
            totp_secret=row["totp_secret"],
            phone=row["phone"],
            expires_at=row["expires_at"],
        )

    def end_enrolment(self, user_id: int) -> None:
        """Forget an unconfirmed second factor."""
        with self._transaction() as con:
            con.execute("DELETE FROM enrolments WHERE user_id = ?", (user_id,))
