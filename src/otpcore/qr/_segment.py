"""Data encoding: the mode, the bit stream and the data codewords.

Clause 7.4 of ISO/IEC 18004:2015. The whole input goes into one segment,
in the most compact of numeric, alphanumeric and byte mode that can carry
all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from otpcore.qr._tables import (
    ALPHANUMERIC_CHARSET,
    MAX_VERSION,
    MIN_VERSION,
    MODE_INDICATOR_BITS,
    EcLevel,
    Mode,
    data_capacity_bits,
)

__all__ = [
    "MODES",
    "Segment",
    "can_carry",
    "data_codewords",
    "fits",
    "make_segment",
    "max_count",
    "smallest_version",
]

#: The modes by the names callers use.
MODES: Final = {mode.label: mode for mode in Mode}

_DIGITS: Final = frozenset(b"0123456789")
_ALPHANUMERIC: Final = frozenset(ALPHANUMERIC_CHARSET)
_ALPHANUMERIC_VALUE: Final = {c: i for i, c in enumerate(ALPHANUMERIC_CHARSET)}
# Clause 7.4.3: three digits in 10 bits; a final two in 7, a final one in 4.
_DIGITS_PER_GROUP: Final = 3
_NUMERIC_GROUP_BITS: Final = (0, 4, 7, 10)
# Clause 7.4.4: two characters in 11 bits as 45 * first + second; a final
# one in 6.
_ALPHANUMERIC_BASE: Final = 45
_ALPHANUMERIC_PAIR_BITS: Final = 11
_ALPHANUMERIC_SINGLE_BITS: Final = 6
# Clause 7.4.9: the terminator is up to four 0 bits.
_TERMINATOR_BITS: Final = 4
# Clause 7.4.10: the pad codewords 11101100 and 00010001, alternately.
_PAD_CODEWORDS: Final = b"\xec\x11"


@dataclass(frozen=True, slots=True)
class Segment:
    """One run of data in one mode, encoded but for its header.

    Attributes:
        mode: The encoding mode.
        count: The character count (clause 7.4.2): digits, characters or
            bytes.
        bits: The encoded data as an integer, most significant bit first.
        length: The number of bits in ``bits``.
    """

    mode: Mode
    count: int
    bits: int
    length: int

    def bit_length(self, version: int) -> int:
        """Return the segment's length in bits with its header at a version."""
        return (
            MODE_INDICATOR_BITS + self.mode.count_bits(version) + self.length
        )


def _best_mode(data: bytes) -> Mode:
    """Return the most compact mode that can carry all of ``data``.

    Empty data takes byte mode, the mode of text.
    """
    present = frozenset(data)
    if data and present <= _DIGITS:
        return Mode.NUMERIC
    if data and present <= _ALPHANUMERIC:
        return Mode.ALPHANUMERIC
    return Mode.BYTE


def can_carry(mode: Mode, data: bytes) -> bool:
    """Tell whether every byte of ``data`` has a value in ``mode``."""
    if mode is Mode.NUMERIC:
        return frozenset(data) <= _DIGITS
    if mode is Mode.ALPHANUMERIC:
        return frozenset(data) <= _ALPHANUMERIC
    return True


def make_segment(data: bytes, mode: Mode | None = None) -> Segment:
    """Encode ``data`` in ``mode``, or in the most compact mode if None.

    The caller checks with :func:`can_carry` that a forced mode fits.
    """
    if mode is None:
        mode = _best_mode(data)
    if mode is Mode.NUMERIC:
        return _numeric(data)
    if mode is Mode.ALPHANUMERIC:
        return _alphanumeric(data)
    return Segment(Mode.BYTE, len(data), int.from_bytes(data), 8 * len(data))


def _numeric(data: bytes) -> Segment:
    value = 0
    length = 0
    for start in range(0, len(data), _DIGITS_PER_GROUP):
        group = data[start : start + _DIGITS_PER_GROUP]
        width = _NUMERIC_GROUP_BITS[len(group)]
        value = value << width | int(group)
        length += width
    return Segment(Mode.NUMERIC, len(data), value, length)


def _alphanumeric(data: bytes) -> Segment:
    values = [_ALPHANUMERIC_VALUE[c] for c in data]
    value = 0
    length = 0
    for i in range(0, len(values) - 1, 2):
        pair = values[i] * _ALPHANUMERIC_BASE + values[i + 1]
        value = value << _ALPHANUMERIC_PAIR_BITS | pair
        length += _ALPHANUMERIC_PAIR_BITS
    if len(values) % 2:
        value = value << _ALPHANUMERIC_SINGLE_BITS | values[-1]
        length += _ALPHANUMERIC_SINGLE_BITS
    return Segment(Mode.ALPHANUMERIC, len(data), value, length)


def fits(segment: Segment, version: int, level: EcLevel) -> bool:
    """Tell whether ``segment`` fits the data capacity of a version."""
    if segment.count >= 1 << segment.mode.count_bits(version):
        return False
    return segment.bit_length(version) <= data_capacity_bits(version, level)


def max_count(mode: Mode, version: int, level: EcLevel) -> int:
    """Return how many characters of ``mode`` fit a version (Table 7)."""
    width = mode.count_bits(version)
    room = data_capacity_bits(version, level) - MODE_INDICATOR_BITS - width
    if mode is Mode.NUMERIC:
        groups, rest = divmod(room, _NUMERIC_GROUP_BITS[_DIGITS_PER_GROUP])
        tail = sum(1 for bits in _NUMERIC_GROUP_BITS[1:-1] if rest >= bits)
        fit = groups * _DIGITS_PER_GROUP + tail
    elif mode is Mode.ALPHANUMERIC:
        pairs, rest = divmod(room, _ALPHANUMERIC_PAIR_BITS)
        fit = 2 * pairs + (rest >= _ALPHANUMERIC_SINGLE_BITS)
    else:
        fit = room // 8
    return min(fit, (1 << width) - 1)


def smallest_version(segment: Segment, level: EcLevel) -> int | None:
    """Return the smallest version that holds ``segment``, or None."""
    for version in range(MIN_VERSION, MAX_VERSION + 1):
        if fits(segment, version, level):
            return version
    return None


def data_codewords(segment: Segment, version: int, level: EcLevel) -> bytes:
    """Return the data codewords of ``segment`` at a version and level.

    The bit stream is the mode indicator, the character count and the data
    (clause 7.4.2), then the terminator (7.4.9), zero bits up to a codeword
    boundary and the pad codewords (7.4.10).
    """
    capacity = data_capacity_bits(version, level)
    count_bits = segment.mode.count_bits(version)
    stream = segment.mode.indicator << count_bits | segment.count
    stream = stream << segment.length | segment.bits
    length = segment.bit_length(version)

    terminator = min(_TERMINATOR_BITS, capacity - length)
    length += terminator
    filler = -length % 8
    stream <<= terminator + filler
    length += filler

    used = length // 8
    spare = capacity // 8 - used
    padding = _PAD_CODEWORDS * (spare // 2 + 1)
    return stream.to_bytes(used) + padding[:spare]
