"""Verification throughput: otpcore against its peers, in one process.

Each scenario runs every contender in turn, round after round, and keeps
each one's best round, so that a busy machine slows all of them together
and the ratios stay meaningful. The code submitted never matches, which is
both the common case under attack and the one where every implementation
must do all of its work.

Contenders:
    otpcore       otpcore.TOTP.verify
    pyotp         pyotp.TOTP.verify (valid_window)
    cryptography  cryptography's hazmat twofactor TOTP.verify (no window)
    bare loop     hashlib states keyed once, then per step: two copies,
                  truncation, formatting and hmac.compare_digest; the floor
                  any Python implementation of the same algorithm stands on

Usage: python benchmarks/verify.py [--rounds N] [--number N]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import platform
import struct
import sys
from collections.abc import Callable
from importlib.metadata import version

import cryptography
import pyotp
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor import totp as crypto_totp

import otpcore
from _harness import measure
from otpcore import TOTP, Secret

KEY = b"12345678901234567890"
B32 = Secret(KEY).b32
NOW = 1_700_000_000
WRONG = "000000"
PERIOD = 30
DIGITS = 6


def bare_loop(window: int) -> Callable[[], bool]:
    """Return a minimal pre-keyed HOTP window check, the speed floor."""
    block = KEY.ljust(64, b"\0")
    inner = hashlib.sha1(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha1(bytes(b ^ 0x5C for b in block))
    pack = struct.Struct(">Q").pack
    step = NOW // PERIOD

    def check() -> bool:
        found = False
        for counter in range(step - window, step + window + 1):
            i = inner.copy()
            i.update(pack(counter))
            o = outer.copy()
            o.update(i.digest())
            d = o.digest()
            offset = d[-1] & 0x0F
            value = int.from_bytes(d[offset : offset + 4], "big") & 0x7FFFFFFF
            code = str(value % 1_000_000).zfill(DIGITS)
            if hmac.compare_digest(code, WRONG):
                found = True
        return found

    return check


def scenarios() -> dict[str, dict[str, Callable[[], object]]]:
    ours = TOTP(KEY)
    theirs = pyotp.TOTP(B32)
    crypto = crypto_totp.TOTP(KEY, DIGITS, SHA1(), PERIOD)

    def crypto_verify() -> bool:
        try:
            crypto.verify(WRONG.encode(), NOW)
        except InvalidToken:
            return False
        return True

    return {
        "window +-1, object reused": {
            "otpcore": lambda: ours.verify(WRONG, at=NOW, window=1),
            "pyotp": lambda: theirs.verify(
                WRONG, for_time=NOW, valid_window=1
            ),
            "bare loop": bare_loop(1),
        },
        "window +-1, new object per request": {
            "otpcore": lambda: TOTP(B32).verify(WRONG, at=NOW, window=1),
            "pyotp": lambda: pyotp.TOTP(B32).verify(
                WRONG, for_time=NOW, valid_window=1
            ),
        },
        "window 0, object reused": {
            "otpcore": lambda: ours.verify(WRONG, at=NOW, window=0),
            "pyotp": lambda: theirs.verify(
                WRONG, for_time=NOW, valid_window=0
            ),
            "cryptography": crypto_verify,
            "bare loop": bare_loop(0),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()

    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"otpcore {otpcore.__version__}, pyotp {version('pyotp')}, "
        f"cryptography {cryptography.__version__}; "
        f"{args.rounds} rounds x {args.number} calls, best round"
    )
    for title, contenders in scenarios().items():
        results = measure(contenders, args.rounds, args.number)
        ours = results["otpcore"]
        print(f"\n{title}")
        for name, micros in results.items():
            ratio = micros / ours
            if name == "otpcore":
                note = ""
            elif name == "bare loop":
                note = f"otpcore takes {ours / micros:.2f}x the bare loop"
            else:
                note = f"otpcore is {ratio:.1f}x faster"
            print(f"  {name:<13} {micros:8.2f} us  {note}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
