"""Data encoding: modes, bit streams, terminator and padding (clause 7.4)."""

from __future__ import annotations

import pytest

from otpcore.qr._segment import data_codewords, make_segment
from otpcore.qr._tables import EcLevel, Mode


def bits(segment_bits: int, length: int) -> str:
    return format(segment_bits, f"0{length}b")


def test_numeric_example() -> None:
    """7.4.3: "01234567" is 012, 345, 67 in 10, 10 and 7 bits."""
    segment = make_segment(b"01234567")

    assert segment.mode is Mode.NUMERIC
    assert segment.count == 8
    assert bits(segment.bits, segment.length) == (
        "000000110001010110011000011"
    )


def test_alphanumeric_example() -> None:
    """7.4.4: "AC-42" is AC, -4 and 2 in 11, 11 and 6 bits."""
    segment = make_segment(b"AC-42")

    assert segment.mode is Mode.ALPHANUMERIC
    assert bits(segment.bits, segment.length) == (
        "0011100111011100111001000010"
    )


def test_byte_mode_keeps_the_bytes() -> None:
    """7.4.5: bytes are 8 bits each, as they are."""
    segment = make_segment(b"a\xff")

    assert segment.mode is Mode.BYTE
    assert bits(segment.bits, segment.length) == "0110000111111111"


def test_annex_i_data_codewords() -> None:
    """Annex I: "01234567" at 1-M gives 10 20 0C 56 61 80 and pads."""
    codewords = data_codewords(make_segment(b"01234567"), 1, EcLevel.M)

    assert codewords == bytes.fromhex(
        "10 20 0C 56 61 80 EC 11 EC 11 EC 11 EC 11 EC 11"
    )


def test_stream_on_a_codeword_boundary_gets_no_zero_codeword() -> None:
    """7.4.10: when the terminator ends a codeword, pads follow at once."""
    codewords = data_codewords(make_segment(b"a"), 1, EcLevel.M)

    assert codewords[:3] == bytes.fromhex("40 16 10")
    assert codewords[3:] == bytes.fromhex("EC 11") * 6 + b"\xec"


@pytest.mark.parametrize(
    ("data", "level", "header", "terminator"),
    [
        (b"a" * 14, EcLevel.M, "010000001110", "0000"),
        (b"A" * 25, EcLevel.L, "0010000011001", "0"),
        (b"7" * 34, EcLevel.M, "00010000100010", ""),
    ],
    ids=["byte-4-bits", "alphanumeric-1-bit", "numeric-no-room"],
)
def test_terminator_is_cut_short_at_capacity(
    data: bytes, level: EcLevel, header: str, terminator: str
) -> None:
    """7.4.9: the terminator shrinks or goes when the symbol is full."""
    segment = make_segment(data)

    codewords = data_codewords(segment, 1, level)

    stream = header + bits(segment.bits, segment.length) + terminator
    assert len(stream) == 8 * len(codewords)
    assert bits(int.from_bytes(codewords), len(stream)) == stream
