"""Steam Guard codes: published values, peers, and typed input."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import tomllib
from pathlib import Path
from typing import Any

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpcore import TOTP, Match
from otpcore.steam import (
    STEAM_ALPHABET,
    STEAM_DIGITS,
    STEAM_PERIOD,
    SteamTOTP,
)

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def _published() -> dict[str, Any]:
    with (VECTORS / "steam_guard.toml").open("rb") as file:
        return tomllib.load(file)


def _key(row: dict[str, Any]) -> bytes:
    if "secret_ascii" in row:
        return str(row["secret_ascii"]).encode("ascii")
    return bytes.fromhex(row["secret_hex"])


PUBLISHED = [
    pytest.param(row, id=f"{row['code']}-t{row['time']}")
    for row in _published()["codes"]
]


def steam_code_by_hand(key: bytes, step: int) -> str:
    """Compute a Steam code with nothing but the standard library.

    HMAC-SHA-1 of the 8-byte step, RFC 4226 dynamic truncation, then five
    base-26 digits, least significant first, over Steam's alphabet.
    """
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    chars = []
    for _ in range(5):
        value, index = divmod(value, 26)
        chars.append("23456789BCDFGHJKMNPQRTVWXY"[index])
    return "".join(chars)


def test_the_alphabet_is_the_published_one() -> None:
    """The module's alphabet is the one the vectors' sources use."""
    assert _published()["alphabet"] == STEAM_ALPHABET
    assert len(set(STEAM_ALPHABET)) == 26


@pytest.mark.parametrize("row", PUBLISHED)
def test_intermediate_values_of_published_codes(row: dict[str, Any]) -> None:
    """The step, HMAC and truncated value behind each published code."""
    key = _key(row)

    step = row["time"] // _published()["period"]
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).hexdigest()

    assert step == row["step"]
    assert mac == row["hmac"]
    assert SteamTOTP(key)._render(row["truncated"]) == row["code"]


@pytest.mark.parametrize("row", PUBLISHED)
def test_published_codes(row: dict[str, Any]) -> None:
    """SteamTOTP gives the codes other implementations' tests assert."""
    steam = SteamTOTP(_key(row))

    assert steam.at(row["time"]) == row["code"]


def test_steam_totp_is_a_totp_with_steam_parameters() -> None:
    """SHA-1, 30-second steps, 5 characters, and a TOTP for callers."""
    steam = SteamTOTP(bytes(20))

    assert isinstance(steam, TOTP)
    assert (steam.algorithm, steam.period, steam.t0) == ("sha1", 30, 0)
    assert steam.digits == STEAM_DIGITS == 5
    assert steam.period == STEAM_PERIOD


@given(st.binary(min_size=16, max_size=64), st.integers(0, 2**40))
def test_codes_match_an_independent_implementation(
    key: bytes, step: int
) -> None:
    """Every key and step agrees with the by-hand computation."""
    assert SteamTOTP(key).at_step(step) == steam_code_by_hand(key, step)


@given(st.binary(min_size=16, max_size=64), st.integers(0, 2**33))
def test_codes_match_pyotp(key: bytes, when: int) -> None:
    """Every key and time agrees with pyotp's contrib Steam generator."""
    secret = base64.b32encode(key).decode("ascii")

    peer = pyotp.contrib.Steam(secret)

    # pyotp's at() goes through local time; its step-level call does not.
    assert SteamTOTP(key).at(when) == peer.generate_otp(when // 30)


@given(st.binary(min_size=16, max_size=32), st.integers(0, 2**40))
def test_codes_are_five_alphabet_characters(key: bytes, step: int) -> None:
    """A code is always exactly five characters of the alphabet."""
    code = SteamTOTP(key).at_step(step)

    assert len(code) == 5
    assert set(code) <= set(STEAM_ALPHABET)


TYPED_ACCEPTED = [
    pytest.param("RYH4D", id="as-shown"),
    pytest.param("ryh4d", id="lower-case"),
    pytest.param("Ryh4D", id="mixed-case"),
    pytest.param(" RYH 4D ", id="spaces"),
    pytest.param("RY-H4D", id="hyphen"),
    pytest.param("RYH\u00a04D", id="no-break-space"),
]


@pytest.mark.parametrize("typed", TYPED_ACCEPTED)
def test_typed_codes_are_read_leniently(typed: str) -> None:
    """Case, spaces and hyphens do not matter."""
    steam = SteamTOTP(bytes(20))

    assert steam.verify(typed, at=0, window=0) == Match(0, 0)


TYPED_REFUSED = [
    pytest.param("RYH4", id="too-short"),
    pytest.param("RYH4DD", id="too-long"),
    pytest.param("RYH4A", id="vowel-outside-alphabet"),
    pytest.param("RYH40", id="zero-outside-alphabet"),
    pytest.param("RYH41", id="one-outside-alphabet"),
    pytest.param("", id="empty"),
    pytest.param("\ufb00BCD", id="ligature-that-upper-cases-to-two"),
    pytest.param("\uff32\uff39\uff28\uff14\uff24", id="full-width"),
    pytest.param("R" * 100, id="very-long"),
    pytest.param(None, id="none"),
    pytest.param(12345, id="int"),
    pytest.param(b"RYH4D", id="bytes"),
]


@pytest.mark.parametrize("typed", TYPED_REFUSED)
def test_other_input_is_no_code(typed: object) -> None:
    """Anything else reads as no code, and verify returns None."""
    steam = SteamTOTP(bytes(20))

    assert steam._read(typed) is None
    assert steam.verify(typed, at=0, window=0) is None


@given(st.one_of(st.text(), st.binary(), st.integers(), st.none()))
def test_reading_typed_input_never_raises(typed: object) -> None:
    """Whatever is typed, reading it returns a code or None."""
    result = SteamTOTP(bytes(20))._read(typed)

    assert result is None or (
        len(result) == 5 and set(result) <= set(STEAM_ALPHABET)
    )


def test_verify_searches_the_window() -> None:
    """The previous step's code matches inside a window of one."""
    steam = SteamTOTP(bytes(20))

    assert steam.verify("RYH4D", at=45, window=1) == Match(0, -1)
    assert steam.verify("RYH4D", at=45, window=0) is None


def test_repr_shows_no_key() -> None:
    """The repr names the period only, never the key."""
    key = b"steam shared secret!"

    steam = SteamTOTP(key)

    assert repr(steam) == "SteamTOTP(period=30)"
    assert base64.b32encode(key).decode() not in repr(steam)


def test_clock_is_used_for_now() -> None:
    """now() asks the given clock for the time."""
    steam = SteamTOTP(bytes(20), clock=lambda: 31.0)

    assert steam.now() == "DR2DK"
