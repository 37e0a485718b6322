"""Shared test settings and fixtures: hypothesis, clock, stores, fake Twilio.

``redis_server`` starts Debian's ``redis-server`` on a free loopback port,
without persistence, once per session; a missing program fails the tests
that need it, since CI installs it. ``store`` runs a test once per store:
memory, SQLite (a file in ``tmp_path``) and Redis (a key prefix of its
own, so tests never see each other's keys).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from _stores import (
    FakeClock,
    RedisServer,
    close_redis_stores,
    launch_redis,
    redis_store,
)
from otpcore.stores import MemoryStore, SQLiteStore, Store
from twilio_fake import FakeTwilio, SleepRecorder

# No property has a time limit: speed is measured by benchmarks/, and a slow
# CI machine must not fail a correct example. In CI the examples are drawn
# from a fixed seed, so that a red run can be reproduced exactly; locally
# they stay random, to keep finding new cases.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session", autouse=True)
def _close_redis_stores() -> Iterator[None]:
    """Close the Redis stores the tests made, once the session ends."""
    yield
    close_redis_stores()


@pytest.fixture(scope="session")
def redis_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RedisServer]:
    """A redis-server on loopback for the whole session; killed at the end."""
    server = launch_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_server_factory(
    tmp_path: Path,
) -> Iterator[Callable[[], RedisServer]]:
    """Start private redis-servers (to stop mid-test); all killed after."""
    started: list[RedisServer] = []

    def start() -> RedisServer:
        server = launch_redis(tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when the test says so."""
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[Store]:
    """Each store in turn; memory and SQLite run on the ``clock`` fixture.

    Redis measures expiry by its own clock, so tests of expiry read the TTL
    rather than move ``clock``.
    """
    made: Store
    if request.param == "memory":
        made = MemoryStore(clock=clock)
    elif request.param == "sqlite":
        made = SQLiteStore(tmp_path / "state.sqlite3", clock=clock)
    else:
        made = redis_store(request.getfixturevalue("redis_server"))
    yield made
    made.close()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """A fake Twilio (Messages and Verify) on a free loopback port."""
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def sleep() -> SleepRecorder:
    """Records the waits between attempts instead of sleeping."""
    return SleepRecorder()
