"""Where verification state lives: in memory, in SQLite, or in Redis.

Every store offers one atomic operation, :meth:`Store.update`: read the
JSON record under a key, let a pure function decide the new record and a
result, and write it back, with no other writer in between. The guard,
recovery codes and SMS challenges all keep their state through it.

Importing this package does not import ``redis``; only a
:class:`RedisStore` needs it.
"""

from otpcore.stores._base import MAX_KEY_LENGTH, Change, Record, Store, Ttl
from otpcore.stores._memory import MemoryStore
from otpcore.stores._redis import RedisStore
from otpcore.stores._sqlite import SQLiteStore

__all__ = [
    "MAX_KEY_LENGTH",
    "Change",
    "MemoryStore",
    "Record",
    "RedisStore",
    "SQLiteStore",
    "Store",
    "Ttl",
]
