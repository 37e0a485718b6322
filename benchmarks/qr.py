"""QR encoding speed: otpcore against segno, in one process.

Each scenario runs both encoders in turn, round after round, and keeps each
one's best round, so that a busy machine slows both together and the ratio
stays meaningful. The work is the same on both sides: one otpauth URI to a
finished module matrix at level M, in byte mode, with the smallest version
and the mask chosen by the penalty rules (segno with ``micro=False`` and
``boost_error=False``, so that neither picks a different symbol type or
level).

otpcore keeps what depends only on the version (the function patterns, the
placement order, the mask patterns) after the first symbol of that version.
The "cold" scenario empties those caches before every call, to show what
the first symbol of a version costs.

Usage: python benchmarks/qr.py [--rounds N] [--number N]
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable
from importlib.metadata import version

import segno

import otpcore
from _harness import measure
from otpcore.qr import QrCode, _matrix, _penalty, _reedsolomon, _tables

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URIS = {
    "typical URI": (
        "otpauth://totp/Example%20Co:alice%40example.com"
        f"?secret={SECRET}&issuer=Example%20Co"
    ),
    "SHA256, 8 digits, 60 s, long account": (
        "otpauth://totp/Example%20Co:a.very.long.account.name.for.testing"
        "%40subdomain.example.com"
        f"?secret={SECRET}&issuer=Example%20Co&algorithm=SHA256&digits=8"
        "&period=60"
    ),
}


def ours(uri: str) -> Callable[[], object]:
    return lambda: QrCode.encode(uri, "M").modules


def theirs(uri: str) -> Callable[[], object]:
    return lambda: (
        segno.make(
            uri, error="m", mode="byte", micro=False, boost_error=False
        ).matrix
    )


def cold(uri: str) -> Callable[[], object]:
    """Return an otpcore encode that first forgets every per-version cache."""
    caches = [
        _matrix.layout,
        _matrix.format_overlay,
        _penalty._geometry,
        _reedsolomon._feedback,
        _reedsolomon.generator,
        _tables.total_codewords,
    ]

    def call() -> object:
        for cache in caches:
            cache.cache_clear()
        return QrCode.encode(uri, "M").modules

    return call


def scenarios() -> dict[str, dict[str, Callable[[], object]]]:
    table: dict[str, dict[str, Callable[[], object]]] = {}
    for title, uri in URIS.items():
        symbol = QrCode.encode(uri, "M")
        reference = segno.make(uri, error="m", micro=False, boost_error=False)
        assert reference.version == symbol.version
        heading = (
            f"{title}: {len(uri)} bytes, version {symbol.version}-M, "
            f"mask {symbol.mask} (segno: {reference.mask})"
        )
        table[heading] = {"otpcore": ours(uri), "segno": theirs(uri)}
    uri = URIS["typical URI"]
    table["typical URI, otpcore's caches emptied before each call"] = {
        "otpcore": cold(uri),
        "segno": theirs(uri),
    }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args()

    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"otpcore {otpcore.__version__}, segno {version('segno')}; "
        f"{args.rounds} rounds x {args.number} encodes, best round"
    )
    for title, contenders in scenarios().items():
        results = measure(contenders, args.rounds, args.number)
        mine = results["otpcore"]
        print(f"\n{title}")
        for name, micros in results.items():
            line = f"  {name:<8} {micros:9.1f} us per encode"
            if name != "otpcore":
                line += f"  otpcore is {micros / mine:.1f}x faster"
            print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
