"""Helpers for the QR tests: a real decoder, and the penalty rules spelled out.

``decode`` draws a module matrix as a greyscale bitmap and hands it to
zxing-cpp (a C++ decoder, a test dependency); it needs neither numpy nor
Pillow. ``reference_penalty`` scores a matrix module by module, straight
from ISO/IEC 18004:2015 Table 11, with exact fractions: slow, but written
independently of the packed-integer scorer it checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import zxingcpp

Matrix = Sequence[Sequence[bool]]

BLACK = 0
WHITE = 255
QUIET_ZONE = 4


@dataclass(frozen=True)
class Decoded:
    """What zxing-cpp read from one symbol."""

    text: str
    content: bytes
    version: int
    ecc: str
    mask: int


def bitmap(
    matrix: Matrix, *, scale: int = 2, border: int = QUIET_ZONE
) -> memoryview:
    """Return ``matrix`` as 8-bit greyscale rows, dark modules black."""
    side = (len(matrix) + 2 * border) * scale
    pixels = bytearray([WHITE]) * (side * side)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            left = (x + border) * scale
            for line in range((y + border) * scale, (y + border + 1) * scale):
                start = line * side + left
                pixels[start : start + scale] = bytes([BLACK]) * scale
    return memoryview(bytes(pixels)).cast("B", (side, side))


def read(image: object, *, try_invert: bool = True) -> list[Decoded]:
    """Return every QR code zxing-cpp finds in an image or bitmap."""
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=try_invert
    )
    return [
        Decoded(
            text=barcode.text,
            content=barcode.bytes,
            version=int(barcode.extra["Version"]),
            ecc=barcode.ec_level,
            mask=int(barcode.extra["DataMask"]),
        )
        for barcode in found
    ]


def decode(matrix: Matrix, *, scale: int = 2) -> Decoded:
    """Decode the one QR code drawn from ``matrix``; fail if there is none."""
    found = read(bitmap(matrix, scale=scale))
    assert len(found) == 1, f"zxing-cpp found {len(found)} QR codes"
    return found[0]


def _lines(matrix: Matrix) -> list[str]:
    rows = ["".join("1" if dark else "0" for dark in row) for row in matrix]
    columns = ["".join(row[c] for row in rows) for c in range(len(rows))]
    return rows + columns


def reference_penalty(matrix: Matrix, *, finder_weight: int = 40) -> int:
    """Score a matrix by Table 11's four rules, one module at a time.

    ``finder_weight`` is N3's; a test sets it to 0 to see the other rules.
    """
    size = len(matrix)
    lines = _lines(matrix)
    score = 0
    # N1: 3 points for a run of 5 in a row or column, 1 more per module.
    for line in lines:
        for run in re.findall("0{5,}|1{5,}", line):
            score += 3 + len(run) - 5
    # N2: 3 points for each 2 x 2 block of one colour.
    for y in range(size - 1):
        for x in range(size - 1):
            block = {
                matrix[y][x],
                matrix[y][x + 1],
                matrix[y + 1][x],
                matrix[y + 1][x + 1],
            }
            score += 3 * (len(block) == 1)
    # N3: 40 points for 1:1:3:1:1 with 4 light modules on either side; the
    # quiet zone beyond the edge is light.
    for line in lines:
        padded = "0000" + line + "0000"
        for start in range(4, len(padded) - 10):
            if padded[start : start + 7] != "1011101":
                continue
            before = padded[start - 4 : start]
            after = padded[start + 7 : start + 11]
            score += finder_weight * ("0000" in (before, after))
    # N4: 10 points for each whole 5 % the dark share is away from 50 %.
    dark = sum(sum(row) for row in matrix)
    deviation = abs(Fraction(dark, size * size) - Fraction(1, 2))
    score += 10 * int(deviation / Fraction(5, 100))
    return score
