"""The pre-keyed HMAC engine and dynamic truncation (otpcore._hmac)."""

from __future__ import annotations

import hashlib
import hmac
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import (
    HotpRow,
    hotp_params,
    rfc4226,
    rfc4226_truncation,
)
from otpcore._hmac import ALGORITHMS, KeyedHmac, truncate

RFC4226 = rfc4226()


def counter_bytes(counter: int) -> bytes:
    """Return the 8-byte big-endian counter of RFC 4226 section 5.2."""
    return struct.pack(">Q", counter)


def test_algorithms_are_the_three_of_rfc_6238() -> None:
    """The allow-list holds exactly SHA-1, SHA-256 and SHA-512."""
    assert set(ALGORITHMS) == {"sha1", "sha256", "sha512"}


@pytest.mark.parametrize("row", hotp_params())
def test_digest_matches_appendix_d_hmac(row: HotpRow) -> None:
    """HMAC-SHA-1 of each count equals Table 1 of RFC 4226 Appendix D."""
    mac = KeyedHmac(RFC4226.secret, "sha1")

    digest = mac.digest(counter_bytes(row.count))

    assert digest == row.hmac


@pytest.mark.parametrize("row", hotp_params())
def test_truncate_matches_appendix_d(row: HotpRow) -> None:
    """Truncating each Table 1 HMAC gives the Table 2 value."""
    value = truncate(row.hmac)

    assert value == row.truncated
    assert f"{value:08x}" == row.truncated_hex


@pytest.mark.parametrize("row", hotp_params())
def test_value_matches_appendix_d(row: HotpRow) -> None:
    """The fused HMAC-and-truncate call gives the Table 2 value."""
    mac = KeyedHmac(RFC4226.secret, "sha1")

    assert mac.value(row.count) == row.truncated


def test_truncate_section_5_4_example() -> None:
    """The worked example of RFC 4226 section 5.4 truncates to 0x50ef7f19."""
    example = rfc4226_truncation()

    value = truncate(example.hmac)

    assert example.hmac[-1] & 0x0F == example.offset
    assert value == example.dbc
    assert f"{value:08x}" == example.dbc_hex
    assert example.hmac[example.offset : example.offset + 4] == (
        bytes.fromhex(example.dbc_hex)
    )


@pytest.mark.parametrize("offset", range(16), ids=lambda o: f"offset{o}")
def test_truncate_reads_four_bytes_at_the_offset(offset: int) -> None:
    """The low nibble of the last byte picks where the 4 bytes are read."""
    digest = bytearray(20)
    digest[offset : offset + 4] = b"\x12\x34\x56\x78"
    digest[19] = 0xF0 | offset

    value = truncate(bytes(digest))

    assert value == 0x12345678


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        pytest.param(b"\x80\x00\x00\x01", 1, id="top-bit-masked"),
        pytest.param(b"\xff\xff\xff\xff", 0x7FFFFFFF, id="all-ones"),
        pytest.param(b"\x7f\xff\xff\xff", 0x7FFFFFFF, id="largest"),
        pytest.param(b"\x00\x00\x00\x00", 0, id="zero"),
    ],
)
def test_truncate_masks_the_sign_bit(chunk: bytes, expected: int) -> None:
    """The top bit of the 4 bytes is dropped (RFC 4226 section 5.3)."""
    digest = chunk + bytes(15) + b"\x00"

    assert truncate(digest) == expected


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
def test_truncate_uses_the_last_byte_of_longer_digests(
    algorithm: str,
) -> None:
    """For SHA-256 and SHA-512 the offset comes from their last byte."""
    size = hashlib.new(algorithm).digest_size
    digest = bytearray(size)
    digest[19] = 0x0F
    digest[-1] = 0x03
    digest[3:7] = b"\x01\x02\x03\x04"

    assert truncate(bytes(digest)) == 0x01020304


@settings(deadline=None)
@given(
    algorithm=st.sampled_from(["sha1", "sha256", "sha512"]),
    key=st.binary(min_size=1, max_size=300),
    message=st.binary(max_size=200),
)
def test_digest_equals_standard_library_hmac(
    algorithm: str, key: bytes, message: bytes
) -> None:
    """For any key, including keys longer than a block, HMAC is RFC 2104's."""
    mac = KeyedHmac(key, algorithm)

    assert mac.digest(message) == hmac.digest(key, message, algorithm)


@settings(deadline=None)
@given(
    algorithm=st.sampled_from(["sha1", "sha256", "sha512"]),
    key=st.binary(min_size=10, max_size=200),
    counter=st.integers(min_value=0, max_value=2**64 - 1),
)
def test_value_is_truncate_of_digest(
    algorithm: str, key: bytes, counter: int
) -> None:
    """value(counter) is the truncation of the HMAC of the packed counter."""
    mac = KeyedHmac(key, algorithm)
    expected = truncate(hmac.digest(key, counter_bytes(counter), algorithm))

    assert mac.value(counter) == expected
    assert 0 <= mac.value(counter) <= 0x7FFFFFFF


def test_prepared_states_are_not_consumed() -> None:
    """Computing one HMAC leaves the key's states ready for the next."""
    mac = KeyedHmac(RFC4226.secret, "sha1")
    rows = RFC4226.rows

    forwards = [mac.digest(counter_bytes(row.count)) for row in rows]
    backwards = [mac.digest(counter_bytes(row.count)) for row in rows[::-1]]

    assert forwards == [row.hmac for row in rows]
    assert backwards == [row.hmac for row in rows[::-1]]


def test_repr_shows_no_key() -> None:
    """The prepared key's repr names the type and nothing of the key."""
    key = bytes(range(1, 21))

    text = repr(KeyedHmac(key, "sha1"))

    assert key.hex() not in text
    assert repr(key) not in text
    assert text == "<KeyedHmac>"
