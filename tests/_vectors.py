"""Load the test vectors in vectors/ as pytest parameters with readable ids.

The data files are TOML (read with the standard library's tomllib) so that
each carries a header naming its source. This module only reads them; the
tests decide what to check.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def _load(name: str) -> dict[str, Any]:
    with (VECTORS / name).open("rb") as file:
        return tomllib.load(file)


@dataclass(frozen=True)
class HotpRow:
    """One row of RFC 4226 Appendix D, Tables 1 and 2."""

    count: int
    hmac: bytes
    truncated: int
    truncated_hex: str
    hotp: str


@dataclass(frozen=True)
class HotpVectors:
    """RFC 4226 Appendix D and the 8-digit values derived from it."""

    secret: bytes
    secret_b32: str
    algorithm: str
    digits: int
    rows: tuple[HotpRow, ...]
    derived_8_digits: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class TruncationExample:
    """The worked example of RFC 4226 section 5.4."""

    hmac: bytes
    offset: int
    dbc: int
    dbc_hex: str
    digits: int
    hotp: str


@dataclass(frozen=True)
class TotpRow:
    """One row of RFC 6238 Appendix B."""

    time: int
    utc: str
    step: int
    totp: str
    mode: str
    seed: bytes
    digits: int


@dataclass(frozen=True)
class TotpVectors:
    """RFC 6238 Appendix B and the 6-digit values derived from it."""

    period: int
    t0: int
    seeds: dict[str, bytes]
    rows: tuple[TotpRow, ...]
    derived_6_digits: tuple[TotpRow, ...]


@dataclass(frozen=True)
class SharedCodes:
    """Counters of the RFC 4226 key whose codes the tests rely on."""

    secret: bytes
    first: int
    between: int
    last: int
    code: str
    between_code: str
    anchor_counter: int
    anchor_code: str


def rfc4226() -> HotpVectors:
    """Return RFC 4226 Appendix D."""
    data = _load("rfc4226_appendix_d.toml")
    secret = data["secret_ascii"].encode("ascii")
    assert secret == bytes.fromhex(data["secret_hex"])
    rows = tuple(
        HotpRow(
            count=row["count"],
            hmac=bytes.fromhex(row["hmac"]),
            truncated=row["truncated"],
            truncated_hex=row["truncated_hex"],
            hotp=row["hotp"],
        )
        for row in data["rows"]
    )
    derived = data["derived_8_digits"]
    return HotpVectors(
        secret=secret,
        secret_b32=data["secret_b32"],
        algorithm=data["algorithm"],
        digits=data["digits"],
        rows=rows,
        derived_8_digits=tuple(
            (row["count"], row["hotp"]) for row in derived["rows"]
        ),
    )


def rfc4226_truncation() -> TruncationExample:
    """Return the truncation example of RFC 4226 section 5.4."""
    data = _load("rfc4226_section_5_4.toml")
    return TruncationExample(
        hmac=bytes.fromhex(data["hmac"]),
        offset=data["offset"],
        dbc=data["dbc"],
        dbc_hex=data["dbc_hex"],
        digits=data["digits"],
        hotp=data["hotp"],
    )


def rfc6238() -> TotpVectors:
    """Return RFC 6238 Appendix B with each row's seed attached."""
    data = _load("rfc6238_appendix_b.toml")
    seeds = {
        mode: seed.encode("ascii") for mode, seed in data["seeds"].items()
    }

    def row(raw: dict[str, Any], digits: int) -> TotpRow:
        time = raw["time"]
        if "t_hex" in raw:
            step = int(raw["t_hex"], 16)
        else:
            step = (time - data["t0"]) // data["period"]
        return TotpRow(
            time=time,
            utc=raw.get("utc", ""),
            step=step,
            totp=raw["totp"],
            mode=raw["mode"],
            seed=seeds[raw["mode"]],
            digits=digits,
        )

    table = data["table"]["rows"]
    derived = data["derived_6_digits"]
    return TotpVectors(
        period=data["period"],
        t0=data["t0"],
        seeds=seeds,
        rows=tuple(row(raw, data["digits"]) for raw in table),
        derived_6_digits=tuple(
            row(raw, derived["digits"]) for raw in derived["rows"]
        ),
    )


def shared_codes() -> SharedCodes:
    """Return the collision pair and the 123456 anchor."""
    data = _load("shared_codes.toml")
    collision = data["collision"]
    anchor = data["anchor"]
    return SharedCodes(
        secret=data["secret_ascii"].encode("ascii"),
        first=collision["first"],
        between=collision["between"],
        last=collision["last"],
        code=collision["code"],
        between_code=collision["between_code"],
        anchor_counter=anchor["counter"],
        anchor_code=anchor["code"],
    )


def hotp_params() -> list[Any]:
    """Return Appendix D rows as parameters with ids like ``count3``."""
    return [
        pytest.param(row, id=f"count{row.count}") for row in rfc4226().rows
    ]


def totp_params(*, derived: bool = False) -> list[Any]:
    """Return Appendix B rows with ids like ``sha256-t1111111109``."""
    vectors = rfc6238()
    rows = vectors.derived_6_digits if derived else vectors.rows
    return [
        pytest.param(row, id=f"{row.mode}-t{row.time}-d{row.digits}")
        if derived
        else pytest.param(row, id=f"{row.mode}-t{row.time}")
        for row in rows
    ]
