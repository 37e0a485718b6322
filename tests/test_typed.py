"""Reading a code as a person typed it (otpcore._typed).

Two tables sit side by side: hostile input that must read as no code at all,
and the same code typed in other scripts' digits, which must match. Both are
checked through read_code and through the verify methods a caller uses. The
key and counter come from vectors/shared_codes.toml: at that counter the
RFC 4226 test key gives the code 123456, so the tables can spell it out.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import shared_codes
from otpcore import HOTP, TOTP, Match
from otpcore._typed import _MAX_TYPED_LENGTH, read_code

CODES = shared_codes()
PERIOD = 30
AT = CODES.anchor_counter * PERIOD + 7
EXPECTED = Match(CODES.anchor_counter, 0)

# The grammar's separators, as its module docstring lists them.
SPACES = (" ", "\u00a0", "\u2007", "\u202f", "\u3000")
HYPHENS = ("-", "\u2010", "\u2011", "\uff0d")

# The zero of every script's decimal digits (Unicode category Nd); each
# script's digits 0 to 9 follow its zero.
ZEROS = tuple(
    chr(point)
    for point in range(sys.maxunicode + 1)
    if unicodedata.category(chr(point)) == "Nd"
    and unicodedata.decimal(chr(point)) == 0
)


def totp() -> TOTP:
    """Return the TOTP whose code at AT is 123456."""
    return TOTP(CODES.secret, period=PERIOD)


def hotp() -> HOTP:
    """Return the HOTP whose code at the anchor counter is 123456."""
    return HOTP(CODES.secret)


def in_script(code: str, zero: str) -> str:
    """Return ``code`` written with the digits that start at ``zero``."""
    return "".join(chr(ord(zero) + int(digit)) for digit in code)


HOSTILE = [
    # Signs and misplaced hyphens.
    pytest.param("+123456", id="plus-sign"),
    pytest.param("-123456", id="leading-hyphen"),
    pytest.param("123456-", id="trailing-hyphen"),
    pytest.param("12--3456", id="double-hyphen"),
    pytest.param("- 123456", id="hyphen-space-first"),
    pytest.param("123-", id="short-with-hyphen"),
    pytest.param("-", id="hyphen-only"),
    pytest.param("\uff0d\uff11\uff12\uff13\uff14\uff15\uff16", id="fw-minus"),
    # Dashes and minus signs that are not hyphens in the grammar.
    pytest.param("123\u2212456", id="minus-sign-U+2212"),
    pytest.param("123\u2013456", id="en-dash"),
    pytest.param("123\u2014456", id="em-dash"),
    pytest.param("123_456", id="underscore"),
    pytest.param("123.456", id="full-stop"),
    pytest.param("123,456", id="comma"),
    pytest.param("123/456", id="slash"),
    # Numeric characters that are not decimal digits (not category Nd).
    pytest.param("\u00b9\u00b2\u00b3\u2074\u2075\u2076", id="superscripts"),
    pytest.param("\u2081\u2082\u2083\u2084\u2085\u2086", id="subscripts"),
    pytest.param("12345\u2076", id="one-superscript"),
    pytest.param("\u2460\u2461\u2462\u2463\u2464\u2465", id="circled"),
    pytest.param("\u2474\u2475\u2476\u2477\u2478\u2479", id="parenthesized"),
    pytest.param("\u2488\u2489\u248a\u248b\u248c\u248d", id="digit-full-stop"),
    pytest.param("\u2776\u2777\u2778\u2779\u277a\u277b", id="dingbat-circled"),
    pytest.param("\u00bd\u2153\u00bc\u2155\u2159\u2150", id="fractions"),
    pytest.param("12345\u00bd", id="one-fraction"),
    pytest.param("\u2160\u2161\u2162\u2163\u2164\u2165", id="roman"),
    pytest.param("\u2170\u2171\u2172\u2173\u2174\u2175", id="small-roman"),
    pytest.param("\u4e00\u4e8c\u4e09\u56db\u4e94\u516d", id="cjk-numerals"),
    pytest.param("\u3021\u3022\u3023\u3024\u3025\u3026", id="hangzhou"),
    pytest.param("12345\u3007", id="ideographic-zero"),
    pytest.param("1\u20e32\u20e33\u20e34\u20e35\u20e36\u20e3", id="keycaps"),
    # Letters.
    pytest.param("abcdef", id="letters"),
    pytest.param("12345a", id="trailing-letter"),
    pytest.param("I23456", id="letter-I-for-1"),
    pytest.param("12345O", id="letter-O-for-0"),
    pytest.param("\uff11\uff12\uff13\uff14\uff15\uff41", id="fw-letter"),
    pytest.param("0x1e240", id="hex"),
    pytest.param("1e5", id="exponent"),
    # Control, format and combining characters.
    pytest.param("123456\x00", id="nul-after"),
    pytest.param("\x00123456", id="nul-before"),
    pytest.param("123\x00456", id="nul-inside"),
    pytest.param("\t123456", id="tab-before"),
    pytest.param("123\t456", id="tab-inside"),
    pytest.param("123456\n", id="newline-after"),
    pytest.param("123 456\r", id="carriage-return"),
    pytest.param("123456\r\n", id="crlf"),
    pytest.param("123\x0b456", id="vertical-tab"),
    pytest.param("123\u200b456", id="zero-width-space"),
    pytest.param("123\u200d456", id="zero-width-joiner"),
    pytest.param("123\u2060456", id="word-joiner"),
    pytest.param("\ufeff123456", id="byte-order-mark"),
    pytest.param("123\u00ad456", id="soft-hyphen"),
    pytest.param("123456\u0301", id="combining-acute"),
    pytest.param("1\u03032\u03033\u03034\u03035\u03036\u0303", id="tildes"),
    pytest.param("123\u2009456", id="thin-space-not-in-grammar"),
    pytest.param("123\u2003456", id="em-space-not-in-grammar"),
    # Wrong lengths.
    pytest.param("12345", id="five-digits"),
    pytest.param("1234567", id="seven-digits"),
    pytest.param("123 4567", id="seven-digits-grouped"),
    pytest.param("0123456", id="leading-zero-added"),
    pytest.param("1" * 100, id="100-digits"),
    pytest.param("1" * 10_000, id="10000-digits"),
    pytest.param("123456" * 1000, id="code-repeated"),
    pytest.param("123456" + " " * 59, id="code-padded-past-64-chars"),
    pytest.param(" " * 10_000 + "123456", id="10000-spaces-then-code"),
    pytest.param("", id="empty"),
    pytest.param(" ", id="one-space"),
    pytest.param("      ", id="six-spaces"),
    pytest.param("\u3000" * 6, id="ideographic-spaces"),
    # Not text at all.
    pytest.param(None, id="none"),
    pytest.param(123456, id="int"),
    pytest.param(123456.0, id="float"),
    pytest.param(True, id="bool"),
    pytest.param(b"123456", id="bytes"),
    pytest.param(bytearray(b"123456"), id="bytearray"),
    pytest.param(memoryview(b"123456"), id="memoryview"),
    pytest.param(["1", "2", "3", "4", "5", "6"], id="list"),
    pytest.param(("123456",), id="tuple"),
    pytest.param({"code": "123456"}, id="dict"),
    pytest.param(object(), id="object"),
]

SAME_CODE = [
    pytest.param("123456", id="ascii"),
    pytest.param("123 456", id="ascii-space"),
    pytest.param("12 34 56", id="ascii-pairs"),
    pytest.param("1 2 3 4 5 6", id="ascii-spaced-out"),
    pytest.param("123-456", id="ascii-hyphen"),
    pytest.param("12-34-56", id="ascii-hyphen-pairs"),
    pytest.param("123 - 456", id="ascii-spaced-hyphen"),
    pytest.param("  123456  ", id="surrounding-spaces"),
    pytest.param("123\u00a0456", id="no-break-space"),
    pytest.param("123\u2007456", id="figure-space"),
    pytest.param("123\u202f456", id="narrow-no-break-space"),
    pytest.param("123\u3000456", id="ideographic-space"),
    pytest.param("123\u2010456", id="unicode-hyphen"),
    pytest.param("123\u2011456", id="non-breaking-hyphen"),
    pytest.param("123456" + " " * 58, id="code-padded-to-64-chars"),
    pytest.param("\u0661\u0662\u0663\u0664\u0665\u0666", id="arabic-indic"),
    pytest.param(
        "\u0661\u0662\u0663 \u0664\u0665\u0666", id="arabic-indic-space"
    ),
    pytest.param("\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6", id="persian"),
    pytest.param("\u06f1\u06f2\u06f3-\u06f4\u06f5\u06f6", id="persian-hyphen"),
    pytest.param("\uff11\uff12\uff13\uff14\uff15\uff16", id="full-width"),
    pytest.param(
        "\uff11\uff12\uff13\u3000\uff14\uff15\uff16",
        id="full-width-ideographic-space",
    ),
    pytest.param(
        "\uff11\uff12\uff13-\uff14\uff15\uff16", id="full-width-ascii-hyphen"
    ),
    pytest.param(
        "\uff11\uff12\uff13\uff0d\uff14\uff15\uff16",
        id="full-width-hyphen-minus",
    ),
    pytest.param("\u0967\u0968\u0969\u096a\u096b\u096c", id="devanagari"),
    pytest.param("\u09e7\u09e8\u09e9\u09ea\u09eb\u09ec", id="bengali"),
    pytest.param("\u0e51\u0e52\u0e53\u0e54\u0e55\u0e56", id="thai"),
    pytest.param("\u0be7\u0be8\u0be9\u0bea\u0beb\u0bec", id="tamil"),
    pytest.param("\u1041\u1042\u1043\u1044\u1045\u1046", id="myanmar"),
    pytest.param("\u0661\u0662\u0663456", id="arabic-indic-and-ascii"),
    pytest.param("12\u0969\u096a\u0665\uff16", id="four-scripts"),
    pytest.param("\u06f1\u06f2\u06f3\u00a0\u0664\u0665\u0666", id="mixed"),
    # Category Nd, so the grammar reads them, though no keyboard types them.
    pytest.param(
        "\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3\U0001d7d4",
        id="mathematical-bold",
    ),
]


def test_anchor_code_is_123456() -> None:
    """The key and time the tables use really give the code 123456."""
    assert CODES.anchor_code == "123456"
    assert totp().at(AT) == "123456"
    assert hotp().at(CODES.anchor_counter) == "123456"


@pytest.mark.parametrize("typed", HOSTILE)
def test_read_code_refuses_hostile_input(typed: object) -> None:
    """Hostile or malformed input reads as no code at all."""
    assert read_code(typed, 6) is None


@pytest.mark.parametrize("typed", HOSTILE)
def test_totp_verify_refuses_hostile_input(typed: object) -> None:
    """TOTP.verify answers None to hostile input, without raising."""
    assert totp().verify(typed, at=AT, window=1) is None


@pytest.mark.parametrize("typed", HOSTILE)
def test_hotp_verify_refuses_hostile_input(typed: object) -> None:
    """HOTP.verify answers None to hostile input, without raising."""
    assert hotp().verify(typed, CODES.anchor_counter, look_ahead=2) is None


@pytest.mark.parametrize("typed", SAME_CODE)
def test_read_code_reads_other_scripts(typed: str) -> None:
    """The code in any script's digits, grouped, reads as ASCII 123456."""
    assert read_code(typed, 6) == "123456"


@pytest.mark.parametrize("typed", SAME_CODE)
def test_totp_verify_accepts_other_scripts(typed: str) -> None:
    """TOTP.verify accepts the code however it was typed."""
    assert totp().verify(typed, at=AT, window=0) == EXPECTED


@pytest.mark.parametrize("typed", SAME_CODE)
def test_hotp_verify_accepts_other_scripts(typed: str) -> None:
    """HOTP.verify accepts the code however it was typed."""
    match = hotp().verify(typed, CODES.anchor_counter)

    assert match == EXPECTED


@pytest.mark.parametrize(
    ("typed", "digits", "expected"),
    [
        pytest.param("1234 5678", 8, "12345678", id="8-grouped"),
        pytest.param("0000 0000", 8, "00000000", id="8-zeros"),
        pytest.param("012 345 6", 7, "0123456", id="7-leading-zero"),
        pytest.param(
            "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660",
            10,
            "1234567890",
            id="10-arabic-indic",
        ),
        pytest.param("1234567", 6, None, id="7-for-6"),
        pytest.param("123456", 8, None, id="6-for-8"),
    ],
)
def test_read_code_uses_the_length_asked_for(
    typed: str, digits: int, expected: str | None
) -> None:
    """Exactly ``digits`` digits are required, with leading zeros kept."""
    assert read_code(typed, digits) == expected


def test_length_bound_is_what_the_tables_assume() -> None:
    """The tables above probe both sides of a 64-character bound."""
    assert _MAX_TYPED_LENGTH == 64


def test_every_script_table_entry_uses_decimal_digits() -> None:
    """The scripts in the matching table are all category Nd, as claimed."""
    for param in SAME_CODE:
        typed = param.values[0]
        digits = [c for c in typed if c not in SPACES and c not in HYPHENS]
        assert all(unicodedata.category(c) == "Nd" for c in digits)


def test_zeros_cover_the_scripts_people_type() -> None:
    """The list of scripts includes Arabic-Indic, Persian and full-width."""
    assert {"0", "\u0660", "\u06f0", "\uff10", "\u0966"} <= set(ZEROS)


@settings(deadline=None)
@given(
    digits=st.integers(min_value=6, max_value=10),
    data=st.data(),
)
def test_any_script_and_separators_read_back(
    digits: int, data: st.DataObject
) -> None:
    """Each digit in any Nd script, any grammar separators: same code."""
    code = data.draw(
        st.text(alphabet="0123456789", min_size=digits, max_size=digits)
    )
    zeros = data.draw(
        st.lists(st.sampled_from(ZEROS), min_size=digits, max_size=digits)
    )
    separators = data.draw(
        st.lists(
            st.sampled_from(["", *SPACES, *HYPHENS, " - ", "\u3000\uff0d"]),
            min_size=digits - 1,
            max_size=digits - 1,
        )
    )
    edges = st.sampled_from(["", *SPACES, "  "])
    typed = data.draw(edges)
    for index, (digit, zero) in enumerate(zip(code, zeros, strict=True)):
        if index:
            typed += separators[index - 1]
        typed += in_script(digit, zero)
    typed += data.draw(edges)

    assert read_code(typed, digits) == code


ALLOWED = frozenset(SPACES) | frozenset(HYPHENS)
script_digits = st.sampled_from(ZEROS).flatmap(
    lambda zero: st.integers(0, 9).map(lambda d: chr(ord(zero) + d))
)
# Mostly digits, so that many drawn strings are codes and the property
# below is tested on accepted input, not only on refusals.
near_codes = st.lists(
    st.one_of(
        script_digits,
        script_digits,
        script_digits,
        script_digits,
        st.sampled_from(sorted(ALLOWED)),
        st.characters(),
    ),
    min_size=6,
    max_size=12,
).map("".join)


@settings(deadline=None)
@given(typed=st.one_of(near_codes, st.text()), digits=st.integers(6, 10))
def test_read_code_never_accepts_other_characters(
    typed: str, digits: int
) -> None:
    """A read code came from decimal digits and separators, nothing else."""
    result = read_code(typed, digits)

    if result is not None:
        assert all(c in ALLOWED or c.isdecimal() for c in typed)
        assert typed.strip("".join(SPACES))[:1] not in HYPHENS
        values = [str(unicodedata.decimal(c)) for c in typed if c.isdecimal()]
        assert result == "".join(values)
        assert len(result) == digits
        assert result.isascii()


@settings(deadline=None)
@given(
    typed=st.one_of(
        st.text(),
        st.binary(),
        st.integers(),
        st.floats(),
        st.none(),
        st.booleans(),
        st.lists(st.text(max_size=3), max_size=8),
    )
)
def test_verify_never_raises_on_user_input(typed: object) -> None:
    """Whatever was submitted, verify answers a Match or None."""
    totp_result = totp().verify(typed, at=AT)
    hotp_result = hotp().verify(typed, CODES.anchor_counter, look_ahead=1)

    assert totp_result is None or isinstance(totp_result, Match)
    assert hotp_result is None or isinstance(hotp_result, Match)
