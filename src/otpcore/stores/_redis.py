"""A store in Redis, shared by many application servers."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Sequence
from functools import partial
from importlib import resources
from typing import TYPE_CHECKING, Final, TypeVar

from otpcore.errors import (
    InvalidParameterError,
    StoreError,
    StoreUnavailableError,
)
from otpcore.stores._base import (
    Record,
    Ttl,
    check_int,
    check_key,
    check_ttl,
    decode_record,
    encode_record,
    resolve_ttl,
)

if TYPE_CHECKING:
    import redis
    from redis.commands.core import Script

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_PREFIX",
    "DEFAULT_SOCKET_TIMEOUT",
    "RedisStore",
    "load_script",
]

T = TypeVar("T")

#: Every key this store writes starts with this, so that otpcore's keys
#: can be told apart from the application's in a shared database.
DEFAULT_PREFIX: Final = "otpcore:"
#: How many times :meth:`RedisStore.update` re-reads and retries when a
#: concurrent writer changed the record first. Contention on one account's
#: record is rare; a record that keeps changing is a fault worth reporting.
DEFAULT_MAX_ATTEMPTS: Final = 16

#: Seconds :meth:`RedisStore.from_url` waits for a connection or a reply;
#: a verification that waits longer has lost its user anyway.
DEFAULT_SOCKET_TIMEOUT: Final = 5.0

_MILLISECONDS: Final = 1000
_MICROSECONDS: Final = 1_000_000
# The first back-off after a collision is up to 200 us; it doubles after
# each further one, up to 102 ms (16 attempts wait at most 0.8 s in all).
_BACKOFF_MICROSECONDS: Final = 100
_BACKOFF_DOUBLINGS: Final = 10


def load_script(name: str) -> str:
    """Return the Lua source of ``name``, shipped in this package."""
    return resources.files(__package__).joinpath(name).read_text("utf-8")


_COMPARE_AND_SET: Final = load_script("compare_and_set.lua")


class RedisStore:
    """Verification state in Redis, for servers that share one Redis.

    An update reads the record with GET, applies the caller's change in
    Python, and writes it back with a compare-and-set script that refuses
    the write if the record changed in between; the change is then retried
    on the fresh record. That is two round trips, and needs no dedicated
    connection (unlike WATCH). Work that must be cheaper, such as the
    guard's verification, runs as one Lua script with :meth:`run_script`.

    Keys are prefixed. The keys of one account carry the account as a hash
    tag (``{account}``), so each script touches one slot and the store
    runs unchanged on Redis Cluster. Expiry uses the server's clock.

    Args:
        client: A ``redis.Redis`` (or compatible) client, from the ``redis``
            extra. Set its ``socket_timeout``: without one, a Redis that
            stops answering blocks the caller.
        prefix: Put in front of every key; must not contain ``{`` or ``}``,
            which would move the hash tag.
        max_attempts: How many times a contended update is tried.

    Raises:
        InvalidParameterError: ``prefix`` or ``max_attempts`` is out of
            range.
    """

    __slots__ = ("_cas", "_client", "_max_attempts", "_prefix", "_scripts")

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        text: object = prefix
        if not isinstance(text, str) or "{" in text or "}" in text:
            raise InvalidParameterError(
                "prefix", "must be a str without '{' or '}'"
            )
        self._client = client
        self._prefix = text
        self._max_attempts = check_int("max_attempts", max_attempts, 1)
        self._scripts: dict[str, Script] = {}
        self._cas = self._script(_COMPARE_AND_SET)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT,
    ) -> RedisStore:
        """Return a store on a new client for ``url`` (``redis://...``).

        Args:
            url: The server, as ``redis.Redis.from_url`` reads it.
            prefix: As for the constructor.
            socket_timeout: Seconds to wait for a connection or a reply.

        Raises:
            StoreUnavailableError: The ``redis`` package is not installed.
            InvalidParameterError: ``url`` is not a Redis URL.
        """
        try:
            import redis  # noqa: PLC0415
        except ImportError as exc:
            raise StoreUnavailableError(
                "RedisStore needs the redis package: "
                "pip install 'otpcore[redis]'"
            ) from exc
        try:
            client = redis.Redis.from_url(
                url,
                socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
            )
        except ValueError:
            # The URL may hold a password, so it is not repeated.
            raise InvalidParameterError(
                "url", "not a Redis URL (redis://, rediss:// or unix://)"
            ) from None
        return cls(client, prefix=prefix)

    @property
    def client(self) -> redis.Redis:
        """The Redis client this store talks through."""
        return self._client

    @property
    def prefix(self) -> str:
        """What every key starts with."""
        return self._prefix

    def key(self, key: str) -> str:
        """Return the Redis key under which ``key`` is stored."""
        return self._prefix + check_key(key)

    def update(
        self,
        key: str,
        change: Callable[[Record | None], tuple[Record | None, T]],
        *,
        ttl: Ttl = None,
    ) -> T:
        """Atomically replace the record at ``key``; see :class:`Store`.

        ``change`` runs in this process between a GET and a
        compare-and-set; it runs again on the fresh record when another
        writer changed the record in between. A ``ttl`` becomes the key's
        PX expiry.

        Raises:
            StoreUnavailableError: Redis could not be reached, refused the
                write (a read-only replica, out of memory), or the record
                kept changing for every attempt; nothing was written.
            InvalidParameterError: ``key`` or ``ttl`` is out of range, or
                ``change`` returned a record that is not a JSON object.
        """
        name = self.key(key)
        if not callable(ttl):
            ttl = check_ttl(ttl)
        for attempt in range(self._max_attempts):
            if attempt:
                # Writers that collided back off by a random, growing
                # amount, so they stop colliding.
                time.sleep(
                    secrets.randbelow(
                        _BACKOFF_MICROSECONDS
                        << min(attempt, _BACKOFF_DOUBLINGS)
                    )
                    / _MICROSECONDS
                )
            raw = self._call(lambda: self._client.get(name))
            record = None if raw is None else decode_record(raw)

            new, result = change(record)

            if new is record:
                return result
            text, expiry = "", "0"
            if new is not None:
                text = encode_record(new)
                seconds = resolve_ttl(ttl, new)
                if seconds is not None:
                    expiry = str(math.ceil(seconds * _MILLISECONDS))
            args = (
                "0" if raw is None else "1",
                b"" if raw is None else raw,
                "0" if new is None else "1",
                text,
                expiry,
            )
            applied = self._call(partial(self._cas, keys=[name], args=args))
            if applied == 1:
                return result
        raise StoreUnavailableError(
            f"RedisStore: the record kept changing under "
            f"{self._max_attempts} attempts; nothing was written"
        )

    def run_script(
        self, source: str, key: str, args: Sequence[str | int | bytes]
    ) -> object:
        """Run a Lua script on one key, atomically, in one round trip.

        The script is sent once and then called by its SHA-1 (EVALSHA).

        Args:
            source: The Lua source.
            key: The key, unprefixed; the script sees it as ``KEYS[1]``.
            args: The script's ``ARGV``.

        Returns:
            The script's reply, as the client decodes it.

        Raises:
            StoreUnavailableError: Redis could not be reached or refused
                the script's writes.
            StoreError: The script failed.
        """
        name = self.key(key)
        script = self._script(source)
        return self._call(lambda: script(keys=[name], args=list(args)))

    def close(self) -> None:
        """Close the client's connections; it reconnects if used again."""
        try:
            self._client.close()
        except Exception:
            # Closing a broken connection may raise; it is closed anyway.
            return

    def _script(self, source: str) -> Script:
        script = self._scripts.get(source)
        if script is None:
            script = self._client.register_script(source)
            self._scripts[source] = script
        return script

    @staticmethod
    def _call(request: Callable[[], T]) -> T:
        import redis.exceptions as errors  # noqa: PLC0415

        try:
            return request()
        except (
            errors.ConnectionError,
            errors.TimeoutError,
            errors.BusyLoadingError,
        ) as exc:
            raise StoreUnavailableError(
                f"RedisStore: Redis could not be reached "
                f"({type(exc).__name__}); nothing was accepted"
            ) from exc
        except errors.ReadOnlyError as exc:
            raise StoreUnavailableError(
                "RedisStore: Redis is read-only (a replica?); nothing was "
                "written"
            ) from exc
        except errors.ResponseError as exc:
            if str(exc).startswith(("OOM", "MISCONF", "NOREPLICAS")):
                raise StoreUnavailableError(
                    "RedisStore: Redis refused the write "
                    f"({str(exc).split(' ', 1)[0]}); nothing was written"
                ) from exc
            raise StoreError(
                f"RedisStore: Redis answered with an error: {exc}"
            ) from exc
        except errors.RedisError as exc:
            raise StoreUnavailableError(
                f"RedisStore: Redis failed ({type(exc).__name__}); nothing "
                "was written"
            ) from exc

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self._prefix!r})"
