"""The penalty score that picks the data mask (clause 7.8.3).

ISO/IEC 18004:2015, Table 11 charges a masked symbol for four features:

- N1: a run of five or more modules of one colour in a row or column,
  3 points plus 1 for each module past the fifth;
- N2: each 2 x 2 block of one colour, 3 points (blocks may overlap);
- N3: a 1:1:3:1:1 dark-light-dark-light-dark pattern in a row or column
  with 4 light modules before or after it, 40 points each; beyond the
  symbol's edge lies the light quiet zone;
- N4: 10 points for each whole 5 % by which the share of dark modules
  departs from 50 %.

The score is worked out on the packed symbol of :mod:`otpcore.qr._matrix`
with a few dozen operations on whole integers, rather than module by module:
this is the part of encoding that runs eight times.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from otpcore.qr._matrix import ROW_GAP

__all__ = ["penalty"]

# Table 11's weights.
N1: Final = 3
N2: Final = 3
N3: Final = 40
N4: Final = 10
_RUN: Final = 5
# Table 11: the dark share is judged in steps of 5 % around 50 %; twenty
# steps make a whole.
_STEPS_PER_WHOLE: Final = 20
_STEPS_TO_HALF: Final = 10
# The finder-like core: dark, light, dark x 3, light, dark.
_CORE: Final = (1, 0, 1, 1, 1, 0, 1)
_LIGHT_AREA: Final = 4


@dataclass(frozen=True, slots=True)
class _Geometry:
    stride: int
    total: int
    has_right: int
    has_below: int


@functools.cache
def _geometry(size: int) -> _Geometry:
    stride = size + ROW_GAP
    row = (1 << size) - 1
    has_right = has_below = 0
    for r in range(size):
        has_right |= (row >> 1) << r * stride
        if r < size - 1:
            has_below |= row << r * stride
    return _Geometry(stride, size * size, has_right, has_below)


def _runs(same: int, step: int) -> int:
    """Score N1 along one direction.

    ``same`` marks each module whose neighbour ``step`` further on has its
    colour. A run of ``n >= 5`` modules is ``n - 4`` windows of five, plus
    one window that starts the run.
    """
    windows = same
    for k in range(1, _RUN - 1):
        windows &= same >> k * step
    starts = windows & ~(windows << step)
    return windows.bit_count() + (N1 - 1) * starts.bit_count()


def _finder_like(bits: int, step: int) -> int:
    """Count N3 patterns along one direction."""
    core = bits
    for k, dark in enumerate(_CORE[1:], start=1):
        core &= bits >> k * step if dark else ~(bits >> k * step)
    before = after = 0
    for k in range(1, _LIGHT_AREA + 1):
        before |= bits << k * step
        after |= bits >> (len(_CORE) - 1 + k) * step
    return (core & ~(before & after)).bit_count()


def penalty(bits: int, size: int) -> int:
    """Return the penalty score of a packed, masked symbol (Table 11).

    Args:
        bits: The symbol packed as :mod:`otpcore.qr._matrix` describes,
            with every function pattern and the format information.
        size: Modules per side.
    """
    geometry = _geometry(size)
    stride = geometry.stride
    same_right = ~(bits ^ bits >> 1) & geometry.has_right
    same_below = ~(bits ^ bits >> stride) & geometry.has_below

    score = _runs(same_right, 1) + _runs(same_below, stride)
    blocks = same_right & same_right >> stride & same_below
    score += N2 * blocks.bit_count()
    score += N3 * (_finder_like(bits, 1) + _finder_like(bits, stride))
    total = geometry.total
    deviation = abs(
        _STEPS_PER_WHOLE * bits.bit_count() - _STEPS_TO_HALF * total
    )
    return score + N4 * (deviation // total)
