"""The symbol's layout: function patterns, codeword placement, masks.

Clauses 6.3, 7.7, 7.8.2, 7.9 and 7.10 of ISO/IEC 18004:2015. Everything
that depends on the version alone is worked out once per version and kept.

A symbol is packed into one integer: the module in row ``r`` and column
``c`` is bit ``r * stride + c``, set when dark. Each row is followed by
:data:`ROW_GAP` light bits, so that the penalty rules, which shift the whole
integer at once, never read from one row into the next, and see light
modules beyond the edges, as the quiet zone makes them.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from otpcore.qr._tables import (
    FINDER_SIZE,
    MIN_VERSION_WITH_INFO,
    NUM_MASKS,
    QUIET_ZONE,
    EcLevel,
    alignment_positions,
    format_bits,
    symbol_size,
    version_bits,
)

__all__ = ["ROW_GAP", "Layout", "format_overlay", "layout", "unpack"]

#: Light bits after each packed row; as wide as the quiet zone so that the
#: finder-like pattern rule sees the 4 light modules beyond an edge.
ROW_GAP: Final = QUIET_ZONE

_FORMAT_LENGTH: Final = 15
_VERSION_LENGTH: Final = 18
# Clause 7.10: each copy of the version bits is 6 by 3 modules,
# starting 11 modules from the far edge.
_VERSION_BLOCK_OFFSET: Final = 11
_VERSION_BLOCK_DEPTH: Final = 3
# Clause 6.3.5: the timing patterns run along row 6 and column 6.
_TIMING_LINE: Final = 6
# Clause 6.3.6: an alignment pattern is 5 by 5 modules around its centre.
_ALIGNMENT_RADIUS: Final = 2
# Clause 6.3.3: a finder is a dark 3 x 3 core, a light ring, a dark ring;
# clause 6.3.4 adds a light separator ring around it.
_FINDER_LIGHT_RINGS: Final = frozenset({2, 4})
_FINDER_CENTRE: Final = 3
_SEPARATOR_FAR: Final = FINDER_SIZE + 1
# Every mask pattern of Table 10 repeats within 12 rows and 12 columns.
_MASK_PERIOD: Final = 12

# Clause 7.8.2, Table 10: module (i, j) is flipped where the condition holds.
_MASK_CONDITIONS: Final[tuple[Callable[[int, int], bool], ...]] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, _: i % 2 == 0,
    lambda _, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


def _from_positions(chars: str) -> int:
    """Return the integer whose bit ``p`` is ``chars[p]``."""
    return int(chars[::-1], 2)


def unpack(bits: int, size: int) -> tuple[str, ...]:
    """Return the rows of a packed symbol as strings of ``0`` and ``1``."""
    stride = size + ROW_GAP
    chars = format(bits, f"0{size * stride}b")[::-1]
    return tuple(chars[r * stride : r * stride + size] for r in range(size))


@dataclass(frozen=True, slots=True)
class Layout:
    """What one version's symbols share.

    Attributes:
        version: The version, 1 to 40.
        size: Modules per side.
        data_modules: How many modules carry codeword or remainder bits.
        masks: For each mask pattern, the packed modules it flips: the
            pattern of Table 10 restricted to the encoding region.
        format_positions: For each format bit, least significant first,
            the packed positions of its two copies.
    """

    version: int
    size: int
    data_modules: int
    masks: tuple[int, ...]
    format_positions: tuple[tuple[int, int], ...]
    _place: Callable[[str], tuple[str, ...]]

    def pack(self, message: bytes) -> int:
        """Return the packed symbol with ``message`` placed, unmasked.

        Clause 7.7.3: codeword bits fill the encoding region in two-module
        columns from the bottom right, up and down in turn, most significant
        bit first; remainder bits (clause 7.7.2) are 0. Function patterns
        and version information are included; format information is not.
        """
        length = 8 * len(message)
        bits = format(int.from_bytes(message), f"0{length}b")
        source = bits + "0" * (self.data_modules - length) + "01"
        return int("".join(self._place(source)), 2)


@functools.cache
def format_overlay(version: int, level: EcLevel, mask: int) -> int:
    """Return the packed dark modules of the format information (7.9.1)."""
    bits = format_bits(level, mask)
    overlay = 0
    for index, (first, second) in enumerate(layout(version).format_positions):
        if bits >> index & 1:
            overlay |= 1 << first | 1 << second
    return overlay


def _format_cells(size: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the two (row, column) cells of each format bit (7.9.1).

    The first copy runs down column 8 and along row 8 beside the top-left
    finder, stepping over the timing patterns; the second is split between
    the top-right finder (row 8) and the bottom-left one (column 8).
    """
    first = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)]
    first += [(8, 14 - i) for i in range(9, _FORMAT_LENGTH)]
    second = [(8, size - 1 - i) for i in range(8)]
    second += [
        (size - _FORMAT_LENGTH + i, 8) for i in range(8, _FORMAT_LENGTH)
    ]
    return tuple(zip(first, second, strict=True))


class _Grid:
    """The function patterns of one version, drawn cell by cell.

    A cell is True (dark) or False (light) once a function pattern or the
    format area claims it, and None while it is free for codewords.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.cells: list[bool | None] = [None] * (size * size)

    def put(self, row: int, column: int, dark: bool) -> None:
        self.cells[row * self.size + column] = dark


def _draw_finders(grid: _Grid) -> None:
    """Draw the three finders and their separators (6.3.3 and 6.3.4)."""
    size = grid.size
    far = size - FINDER_SIZE
    for top, left in ((0, 0), (0, far), (far, 0)):
        rows = range(max(top - 1, 0), min(top + _SEPARATOR_FAR, size))
        columns = range(max(left - 1, 0), min(left + _SEPARATOR_FAR, size))
        for row in rows:
            for column in columns:
                ring = max(
                    abs(row - top - _FINDER_CENTRE),
                    abs(column - left - _FINDER_CENTRE),
                )
                grid.put(row, column, ring not in _FINDER_LIGHT_RINGS)


def _draw_timing(grid: _Grid) -> None:
    """Draw the timing patterns, dark on even positions (6.3.5)."""
    for i in range(_SEPARATOR_FAR, grid.size - _SEPARATOR_FAR):
        grid.put(_TIMING_LINE, i, i % 2 == 0)
        grid.put(i, _TIMING_LINE, i % 2 == 0)


def _draw_alignment(grid: _Grid, version: int) -> None:
    """Draw the alignment patterns (6.3.6 and Annex E)."""
    centres = alignment_positions(version)
    if not centres:
        return
    # No alignment pattern goes where a finder already is.
    first, last = centres[0], centres[-1]
    taken = {(first, first), (first, last), (last, first)}
    reach = range(-_ALIGNMENT_RADIUS, _ALIGNMENT_RADIUS + 1)
    for row in centres:
        for column in centres:
            if (row, column) in taken:
                continue
            for dr in reach:
                for dc in reach:
                    ring = max(abs(dr), abs(dc))
                    grid.put(row + dr, column + dc, ring != 1)


def _reserve_format(grid: _Grid) -> None:
    """Claim the format area as light, and set the dark module (7.9.1)."""
    for pair in _format_cells(grid.size):
        for row, column in pair:
            grid.put(row, column, False)
    grid.put(grid.size - _SEPARATOR_FAR, _SEPARATOR_FAR, True)


def _draw_version(grid: _Grid, version: int) -> None:
    """Draw both copies of the version information (7.10)."""
    if version < MIN_VERSION_WITH_INFO:
        return
    info = version_bits(version)
    for index in range(_VERSION_LENGTH):
        near = grid.size - _VERSION_BLOCK_OFFSET + index % _VERSION_BLOCK_DEPTH
        across = index // _VERSION_BLOCK_DEPTH
        dark = bool(info >> index & 1)
        grid.put(across, near, dark)
        grid.put(near, across, dark)


@functools.cache
def layout(version: int) -> Layout:
    """Return the layout of a version, built once and then kept."""
    size = symbol_size(version)
    stride = size + ROW_GAP
    grid = _Grid(size)
    _draw_finders(grid)
    _draw_timing(grid)
    _draw_alignment(grid, version)
    _reserve_format(grid)
    _draw_version(grid, version)

    order = _placement_order(grid.cells, size)
    # The packed symbol is read from a string: codeword bits first, then
    # one light and one dark character for the fixed cells. ``source``
    # names the character of each packed bit, highest bit first.
    light, dark = len(order), len(order) + 1
    slot = {cell: index for index, cell in enumerate(order)}
    source: list[int] = []
    region: list[str] = []
    for cell, fixed in enumerate(grid.cells):
        if fixed is None:
            source.append(slot[cell])
            region.append("1")
        else:
            source.append(dark if fixed else light)
            region.append("0")
        if cell % size == size - 1:
            source.extend([light] * ROW_GAP)
            region.append("0" * ROW_GAP)
    source.reverse()

    encoding_region = _from_positions("".join(region))
    masks = tuple(
        _mask_pattern(number, size) & encoding_region
        for number in range(NUM_MASKS)
    )
    format_positions = tuple(
        (a[0] * stride + a[1], b[0] * stride + b[1])
        for a, b in _format_cells(size)
    )
    return Layout(
        version=version,
        size=size,
        data_modules=len(order),
        masks=masks,
        format_positions=format_positions,
        _place=operator.itemgetter(*source),
    )


def _placement_order(cells: list[bool | None], size: int) -> list[int]:
    """Return the free cells in the order codeword bits fill them."""
    order = []
    right = size - 1
    upward = True
    while right > 0:
        if right == _TIMING_LINE:
            # Clause 7.7.3: the vertical timing pattern is stepped over.
            right -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for row in rows:
            for column in (right, right - 1):
                cell = row * size + column
                if cells[cell] is None:
                    order.append(cell)
        upward = not upward
        right -= 2
    return order


def _mask_pattern(number: int, size: int) -> int:
    """Return the packed pattern of one mask over the whole symbol."""
    condition = _MASK_CONDITIONS[number]
    tiles = [
        "".join("1" if condition(i, j) else "0" for j in range(_MASK_PERIOD))
        for i in range(_MASK_PERIOD)
    ]
    repeat = -(-size // _MASK_PERIOD)
    gap = "0" * ROW_GAP
    rows = [
        (tiles[i % _MASK_PERIOD] * repeat)[:size] + gap for i in range(size)
    ]
    return _from_positions("".join(rows))
