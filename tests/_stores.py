"""Helpers for tests that need a clock or a real redis-server.

The fixtures built on these live in conftest.py; test modules import the
classes from here for their type hints and for servers of their own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from otpcore.stores import RedisStore

__all__ = ["FakeClock", "RedisServer", "launch_redis", "redis_store"]

# Seconds to wait for a launched redis-server to answer PING.
_REDIS_START_TIMEOUT = 10.0
_LOOPBACK = "127.0.0.1"


class FakeClock:
    """A clock that moves only when told; starts at a fixed Unix time."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


@dataclass
class RedisServer:
    """A redis-server process on loopback, started by a fixture."""

    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://{self.host}:{self.port}/0"

    def stop(self) -> None:
        """Kill the server and wait for it to exit."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=_REDIS_START_TIMEOUT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((_LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    try:
        with socket.create_connection((_LOOPBACK, port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def launch_redis(directory: Path) -> RedisServer:
    """Start redis-server on a free loopback port, with no persistence."""
    program = shutil.which("redis-server")
    if program is None:
        pytest.fail("redis-server is not installed (Debian: redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [
            program,
            "--port", str(port),
            "--bind", _LOOPBACK,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(directory),
            "--protected-mode", "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = RedisServer(_LOOPBACK, port, process)
    deadline = time.monotonic() + _REDIS_START_TIMEOUT
    while not _ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"redis-server did not start on port {port}")
        time.sleep(0.02)
    return server


_OPENED: list[RedisStore] = []


def redis_store(server: RedisServer) -> RedisStore:
    """Return a store on ``server`` under a key prefix of its own.

    Stores are kept until :func:`close_redis_stores`, so that none is left
    for the garbage collector to find with its socket open.
    """
    store = RedisStore.from_url(
        server.url, prefix=f"test-{uuid.uuid4().hex}:", socket_timeout=2.0
    )
    _OPENED.append(store)
    return store


def close_redis_stores() -> None:
    """Close every store :func:`redis_store` made."""
    while _OPENED:
        _OPENED.pop().close()
