"""The numbers ISO/IEC 18004:2015 fixes for QR code model 2.

Clause and table numbers below are those of the 2015 edition.
"""

from __future__ import annotations

import enum
import functools
from typing import Final

__all__ = [
    "ALIGNMENT_STEP_V32",
    "ALPHANUMERIC_CHARSET",
    "EC_LEVELS",
    "FINDER_SIZE",
    "MAX_VERSION",
    "MIN_VERSION",
    "MIN_VERSION_WITH_INFO",
    "MODE_INDICATOR_BITS",
    "NUM_MASKS",
    "QUIET_ZONE",
    "EcLevel",
    "Mode",
    "alignment_positions",
    "blocks",
    "data_capacity_bits",
    "data_module_count",
    "format_bits",
    "symbol_size",
    "total_codewords",
    "version_bits",
]

#: Clause 6.1: model 2 symbols come in versions 1 to 40.
MIN_VERSION: Final = 1
MAX_VERSION: Final = 40
#: Clause 6.3.8: the light margin around the symbol is 4 modules wide.
QUIET_ZONE: Final = 4
#: Clause 6.3.3: a finder pattern is 7 by 7 modules.
FINDER_SIZE: Final = 7
#: Clause 7.8.2, Table 10: eight data mask patterns, 000 to 111.
NUM_MASKS: Final = 8
#: Clause 7.4.2, Table 2: every segment opens with a 4-bit mode indicator.
MODE_INDICATOR_BITS: Final = 4

# Clause 6.1: the side grows by 4 modules a version from 21 at version 1.
_SIZE_AT_VERSION_0: Final = 17
_MODULES_PER_VERSION: Final = 4

#: Clause 7.4.4, Table 5: the 45 characters of alphanumeric mode, in the
#: order of their values 0 to 44.
ALPHANUMERIC_CHARSET: Final = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

# Annex E, Table E.1: version 32 is the one version whose alignment pattern
# spacing is not the rule's (the even step just above an equal split).
ALIGNMENT_STEP_V32: Final = 26
_ALIGNMENT_FIRST: Final = 6
_VERSIONS_PER_ALIGNMENT_STEP: Final = 7

# Clause 7.9.1 and Annex C: format information is a BCH(15, 5) code,
# generator x^10 + x^8 + x^5 + x^4 + x^2 + x + 1, XORed with 101010000010010
# so that no combination gives an all-light area.
_FORMAT_GENERATOR: Final = 0b10100110111
_FORMAT_CHECK_BITS: Final = 10
_FORMAT_XOR: Final = 0b101010000010010
_MASK_BITS: Final = 3
# Clause 7.10 and Annex D: version information is a BCH(18, 6) code,
# generator x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1.
_VERSION_GENERATOR: Final = 0b1111100100101
_VERSION_CHECK_BITS: Final = 12
#: Clause 7.10: version information is carried from version 7 on.
MIN_VERSION_WITH_INFO: Final = 7


class EcLevel(enum.Enum):
    """An error correction level and its format-information bits.

    Clause 7.9.1, Table 12: L recovers about 7 % of the codewords, M 15 %,
    Q 25 % and H 30 %.
    """

    L = 0b01
    M = 0b00
    Q = 0b11
    H = 0b10


#: The levels in the order of Table 9's columns.
EC_LEVELS: Final = (EcLevel.L, EcLevel.M, EcLevel.Q, EcLevel.H)


class Mode(enum.Enum):
    """A data encoding mode: its indicator and character count widths.

    Clause 7.4.2, Table 2 gives the indicators; Table 3 the widths of the
    character count indicator for versions 1-9, 10-26 and 27-40.
    """

    NUMERIC = ("numeric", 0b0001, (10, 12, 14))
    ALPHANUMERIC = ("alphanumeric", 0b0010, (9, 11, 13))
    BYTE = ("byte", 0b0100, (8, 16, 16))

    def __init__(
        self, label: str, indicator: int, count_bits: tuple[int, int, int]
    ) -> None:
        self.label = label
        self.indicator = indicator
        self._count_bits = count_bits

    def count_bits(self, version: int) -> int:
        """Return the width of the character count indicator at a version."""
        return self._count_bits[_VERSION_GROUP[version]]


# Table 3: the last version of each range with its own count widths.
_COUNT_RANGE_ENDS: Final = (9, 26, MAX_VERSION)
# The range of each version (index 0 unused), looked up once per segment.
_VERSION_GROUP: Final = (
    0,
    *(
        next(i for i, end in enumerate(_COUNT_RANGE_ENDS) if v <= end)
        for v in range(MIN_VERSION, MAX_VERSION + 1)
    ),
)

# Table 9: error correction codewords per block, versions 1 to 40.
_EC_PER_BLOCK: Final = {
    EcLevel.L: (
        7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28,
        30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30,
        30, 30, 30, 30, 30, 30,
    ),
    EcLevel.M: (
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28,
        26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        28, 28, 28, 28, 28, 28,
    ),
    EcLevel.Q: (
        13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28,
        28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30,
        30, 30, 30, 30, 30, 30,
    ),
    EcLevel.H: (
        17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28,
        28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        30, 30, 30, 30, 30, 30,
    ),
}  # fmt: skip

# Table 9: the number of error correction blocks, versions 1 to 40.
_BLOCK_COUNT: Final = {
    EcLevel.L: (
        1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9,
        10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ),
    EcLevel.M: (
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17,
        17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45,
        47, 49,
    ),
    EcLevel.Q: (
        1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
        23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59,
        62, 65, 68,
    ),
    EcLevel.H: (
        1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
        25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70,
        74, 77, 81,
    ),
}  # fmt: skip

# Clause 6.3 and 7.9: modules every symbol spends on function patterns,
# whatever its version: three finders with their separators (8 x 8 each),
# the dark module and two copies of the 15 format bits.
_FINDERS_WITH_SEPARATORS: Final = 3 * 8 * 8
_FORMAT_AND_DARK_MODULE: Final = 2 * 15 + 1
_ALIGNMENT_MODULES: Final = 5 * 5
# Clause 7.10: two copies of the 18 version bits.
_VERSION_INFO_MODULES: Final = 2 * 18
_TIMING_SPAN_OFFSET: Final = 2 * (FINDER_SIZE + 1)


def symbol_size(version: int) -> int:
    """Return the number of modules per side of a version (clause 6.1)."""
    return _SIZE_AT_VERSION_0 + _MODULES_PER_VERSION * version


def alignment_positions(version: int) -> tuple[int, ...]:
    """Return the row and column centres of alignment patterns (Annex E).

    Version 1 has none. From version 2 on, ``version // 7 + 2`` centres run
    from 6 to ``size - 7``; the gaps after the first are equal and even.
    """
    if version == MIN_VERSION:
        return ()
    last = symbol_size(version) - FINDER_SIZE
    count = version // _VERSIONS_PER_ALIGNMENT_STEP + 2
    if version == 32:
        step = ALIGNMENT_STEP_V32
    else:
        step = -(-(last - _ALIGNMENT_FIRST) // (count - 1))
        step += step % 2
    rest = range(last - step * (count - 2), last + 1, step)
    return (_ALIGNMENT_FIRST, *rest)


def data_module_count(version: int) -> int:
    """Return how many modules of a version carry codewords (clause 7.7.1).

    This is every module outside the function patterns; it includes the
    remainder bits that do not fill a whole codeword.
    """
    size = symbol_size(version)
    count = size * size - _FINDERS_WITH_SEPARATORS - _FORMAT_AND_DARK_MODULE
    count -= 2 * (size - _TIMING_SPAN_OFFSET)
    centres = len(alignment_positions(version))
    if centres:
        # Three would-be patterns sit on finders; the others on the timing
        # row and column each share 5 modules with it.
        patterns = centres * centres - 3
        count -= _ALIGNMENT_MODULES * patterns - 2 * 5 * (centres - 2)
    if version >= MIN_VERSION_WITH_INFO:
        count -= _VERSION_INFO_MODULES
    return count


@functools.cache
def total_codewords(version: int) -> int:
    """Return the number of codewords, data and EC, of a version (Table 9)."""
    return data_module_count(version) // 8


def blocks(version: int, level: EcLevel) -> tuple[int, int, int]:
    """Return the block structure of a version and level (Table 9).

    Returns:
        ``(block_count, ec_per_block, data_codewords)``: the number of
        blocks, the EC codewords in each, and the data codewords in all.
    """
    count = _BLOCK_COUNT[level][version - 1]
    ec_per_block = _EC_PER_BLOCK[level][version - 1]
    return count, ec_per_block, total_codewords(version) - count * ec_per_block


def data_capacity_bits(version: int, level: EcLevel) -> int:
    """Return how many data bits a version holds at a level (Table 7)."""
    return blocks(version, level)[2] * 8


def _bch(value: int, generator: int, check_bits: int) -> int:
    """Append the BCH check bits of ``value`` (Annex C and D)."""
    remainder = value << check_bits
    top = generator.bit_length() - 1
    for shift in range(remainder.bit_length() - 1, top - 1, -1):
        if remainder >> shift & 1:
            remainder ^= generator << (shift - top)
    return value << check_bits | remainder


def format_bits(level: EcLevel, mask: int) -> int:
    """Return the 15 masked format information bits (clause 7.9.1)."""
    data = level.value << _MASK_BITS | mask
    return _bch(data, _FORMAT_GENERATOR, _FORMAT_CHECK_BITS) ^ _FORMAT_XOR


def version_bits(version: int) -> int:
    """Return the 18 version information bits (clause 7.10)."""
    return _bch(version, _VERSION_GENERATOR, _VERSION_CHECK_BITS)
