"""The mask penalty score, checked against Table 11 spelled out.

The packed-integer scorer must give the score of ``reference_penalty``, a
module-by-module reading of ISO/IEC 18004:2015 Table 11, on any matrix.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _qr import reference_penalty
from otpcore.qr._matrix import ROW_GAP
from otpcore.qr._penalty import penalty

SIZES = [21, 25, 29, 45, 57]


def pack(matrix: list[list[bool]]) -> int:
    """Pack a matrix as the scorer expects: bit ``r * stride + c``."""
    stride = len(matrix) + ROW_GAP
    return sum(
        1 << (r * stride + c)
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
        if dark
    )


@st.composite
def matrices(draw: st.DrawFn) -> list[list[bool]]:
    """Square matrices of symbol sizes, from sparse to dense."""
    size = draw(st.sampled_from(SIZES))
    density = draw(st.floats(0, 1))
    rng = random.Random(draw(st.integers(0, 2**32)))
    return [[rng.random() < density for _ in range(size)] for _ in range(size)]


@settings(max_examples=60, deadline=None)
@given(matrix=matrices())
def test_packed_score_equals_reference(matrix: list[list[bool]]) -> None:
    """On any matrix the fast score is Table 11's."""
    assert penalty(pack(matrix), len(matrix)) == reference_penalty(matrix)


def blank(size: int) -> list[list[bool]]:
    return [[False] * size for _ in range(size)]


def test_all_light_symbol() -> None:
    """All light: 42 runs of 21, 400 blocks, a 50 % dark deficit."""
    matrix = blank(21)

    score = penalty(pack(matrix), 21)

    runs = 42 * (3 + 21 - 5)
    blocks = 3 * 20 * 20
    balance = 10 * 10
    assert score == runs + blocks + balance == reference_penalty(matrix)


FINDER_ROWS = {
    # 21 modules; "." light, "#" dark.
    "left-edge": ("#.###.#..............", 1),
    "right-edge": ("..............#.###.#", 1),
    "light-both-sides": ("#....#.###.#....#....", 1),
    "light-before-only": ("#....#.###.#...#.....", 1),
    "light-after-only": ("#...#.###.#....#.....", 1),
    "no-light-area": ("####.#.###.#.####....", 0),
    "three-light-each-side": ("#...#.###.#...#......", 0),
    "two-patterns": ("#.###.#....#.###.#...", 2),
}


@pytest.mark.parametrize(
    ("row", "expected"), FINDER_ROWS.values(), ids=FINDER_ROWS.keys()
)
@pytest.mark.parametrize("across", [True, False], ids=["row", "column"])
def test_finder_like_patterns(row: str, expected: int, across: bool) -> None:
    """1:1:3:1:1 needs 4 light modules on one side; it counts once."""
    matrix = blank(21)
    for i, char in enumerate(row):
        if across:
            matrix[10][i] = char == "#"
        else:
            matrix[i][10] = char == "#"

    score = penalty(pack(matrix), 21)

    assert score == reference_penalty(matrix)
    assert score - reference_penalty(matrix, finder_weight=0) == 40 * expected


@pytest.mark.parametrize(
    "dark",
    [250, 312, 313, 375],
    ids=["40%", "below-half", "above-half", "60%"],
)
def test_dark_share_in_whole_steps(dark: int) -> None:
    """N4 counts whole 5 % steps, exact at the boundaries (25 x 25)."""
    cells = [True] * dark + [False] * (625 - dark)
    random.Random(dark).shuffle(cells)
    matrix = [cells[r * 25 : (r + 1) * 25] for r in range(25)]

    assert penalty(pack(matrix), 25) == reference_penalty(matrix)
