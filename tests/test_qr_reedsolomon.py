"""Reed-Solomon codewords and interleaving (ISO/IEC 18004 7.5 and 7.6).

The field arithmetic here is written out independently: carry-less
multiplication reduced by the field polynomial, no tables.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpcore.qr._reedsolomon import ec_codewords, final_message, generator
from otpcore.qr._tables import EcLevel

FIELD_POLYNOMIAL = 0x11D
# Table 9 uses these numbers of EC codewords per block.
DEGREES = [7, 10, 13, 15, 16, 17, 18, 20, 22, 24, 26, 28, 30]


def multiply(a: int, b: int) -> int:
    """Multiply in GF(256) the long way."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= FIELD_POLYNOMIAL
        b >>= 1
    return product


def power(exponent: int) -> int:
    """Return 2 raised to ``exponent`` in GF(256)."""
    value = 1
    for _ in range(exponent):
        value = multiply(value, 2)
    return value


def evaluate(codewords: bytes, x: int) -> int:
    """Evaluate the polynomial with these coefficients, highest first."""
    value = 0
    for c in codewords:
        value = multiply(value, x) ^ c
    return value


def test_annex_i_example() -> None:
    """Annex I: "01234567" at 1-M gives EC codewords A5 24 D4 C1 ED ..."""
    data = bytes.fromhex("10 20 0C 56 61 80 EC 11 EC 11 EC 11 EC 11 EC 11")

    assert ec_codewords(data, 10) == bytes.fromhex(
        "A5 24 D4 C1 ED 36 C7 87 2C 55"
    )


def test_generator_of_degree_7() -> None:
    """Annex A: degree 7 is x^7 + a^87 x^6 + a^229 x^5 + ... + a^21."""
    exponents = [0, 87, 229, 146, 149, 238, 102, 21]

    assert generator(7) == tuple(power(e) for e in exponents)


@pytest.mark.parametrize("degree", DEGREES, ids=lambda d: f"degree{d}")
def test_generator_roots(degree: int) -> None:
    """The generator vanishes at 2^0 to 2^(degree - 1) and is monic."""
    poly = bytes(generator(degree))

    assert poly[0] == 1
    assert len(poly) == degree + 1
    assert all(evaluate(poly, power(i)) == 0 for i in range(degree))


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=153),
    degree=st.sampled_from(DEGREES),
)
def test_codeword_syndromes_are_zero(data: bytes, degree: int) -> None:
    """Data plus EC codewords is a multiple of the generator."""
    block = data + ec_codewords(data, degree)

    assert all(evaluate(block, power(i)) == 0 for i in range(degree))


def test_interleaving_of_5_q() -> None:
    """5-Q: two blocks of 15 and two of 16, read across, EC after."""
    data = bytes(range(62))
    blocks = [data[0:15], data[15:30], data[30:46], data[46:62]]

    message = final_message(data, 5, EcLevel.Q)

    expected = bytearray()
    for i in range(16):
        expected += bytes(b[i] for b in blocks if i < len(b))
    ec = [ec_codewords(b, 18) for b in blocks]
    for i in range(18):
        expected += bytes(e[i] for e in ec)
    assert message == bytes(expected)
    assert message[:4] == bytes([0, 15, 30, 46])
    assert message[60:62] == bytes([45, 61])


def test_single_block_is_not_reordered() -> None:
    """1-L has one block: data, then its EC codewords."""
    data = bytes(range(19))

    assert final_message(data, 1, EcLevel.L) == data + ec_codewords(data, 7)
