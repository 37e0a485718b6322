"""Reed-Solomon error correction and block interleaving.

Clauses 7.5 and 7.6 of ISO/IEC 18004:2015: the data codewords are split
into blocks, each block gets its error correction codewords, and the final
message takes one codeword from each block in turn.
"""

from __future__ import annotations

import functools
from typing import Final

from otpcore.qr._tables import EcLevel, blocks

__all__ = ["ec_codewords", "final_message", "generator"]

# Clause 7.5.2: arithmetic in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
_FIELD_POLYNOMIAL: Final = 0b1_0001_1101
_FIELD_SIZE: Final = 256
_GROUP_ORDER: Final = _FIELD_SIZE - 1


def _exp_log() -> tuple[tuple[int, ...], tuple[int, ...]]:
    exp = [0] * (2 * _GROUP_ORDER)
    log = [0] * _FIELD_SIZE
    value = 1
    for power in range(_GROUP_ORDER):
        exp[power] = exp[power + _GROUP_ORDER] = value
        log[value] = power
        value <<= 1
        if value & _FIELD_SIZE:
            value ^= _FIELD_POLYNOMIAL
    return tuple(exp), tuple(log)


_EXP, _LOG = _exp_log()


def _multiply(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


@functools.cache
def generator(degree: int) -> tuple[int, ...]:
    """Return the generator polynomial of ``degree`` EC codewords (Annex A).

    The product of ``(x - 2^i)`` for ``i`` from 0 to ``degree - 1``, as its
    coefficients from the highest power down; the first is always 1.
    """
    poly = [1]
    for i in range(degree):
        root = _EXP[i]
        shifted = [*poly, 0]
        for j, coefficient in enumerate(poly):
            shifted[j + 1] ^= _multiply(coefficient, root)
        poly = shifted
    return tuple(poly)


@functools.cache
def _feedback(degree: int) -> tuple[int, ...]:
    """Return, for each byte value, the generator's tail times that value.

    Packed as integers so that one XOR updates the whole remainder of the
    polynomial division.
    """
    tail = generator(degree)[1:]
    return tuple(
        int.from_bytes(bytes(_multiply(c, factor) for c in tail))
        for factor in range(_FIELD_SIZE)
    )


def ec_codewords(data: bytes, degree: int) -> bytes:
    """Return the ``degree`` EC codewords of one block (clause 7.5.2).

    They are the remainder of the data polynomial times ``x^degree``
    divided by the generator polynomial.
    """
    feedback = _feedback(degree)
    top = 8 * (degree - 1)
    full = (1 << 8 * degree) - 1
    remainder = 0
    for byte in data:
        remainder = (remainder << 8 & full) ^ feedback[remainder >> top ^ byte]
    return remainder.to_bytes(degree)


def final_message(data: bytes, version: int, level: EcLevel) -> bytes:
    """Return the interleaved data and EC codewords (clause 7.6).

    Table 9 splits the data codewords into blocks, the shorter ones first
    and the longer ones holding one codeword more. The message is the first
    codeword of each block, then the second, and so on; then the EC
    codewords likewise.
    """
    count, degree, total = blocks(version, level)
    short = total // count
    long_blocks = total % count
    short_blocks = count - long_blocks

    parts = []
    start = 0
    for index in range(count):
        length = short + (index >= short_blocks)
        parts.append(data[start : start + length])
        start += length

    head = bytearray(short * count)
    ec = bytearray(degree * count)
    for index, part in enumerate(parts):
        head[index::count] = part[:short]
        ec[index::count] = ec_codewords(part, degree)
    tail = bytes(part[short] for part in parts[short_blocks:])
    return bytes(head) + tail + bytes(ec)
