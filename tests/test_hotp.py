"""HOTP, counter-based one-time passwords (RFC 4226)."""

from __future__ import annotations

import hashlib
import hmac
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import HotpRow, hotp_params, rfc4226, shared_codes
from otpcore import HOTP, InvalidCounterError, InvalidWindowError, Match
from otpcore._otp import MAX_COUNTER
from otpcore.hotp import DEFAULT_LOOK_AHEAD, MAX_LOOK_AHEAD

RFC4226 = rfc4226()
CODES = shared_codes()

keys = st.binary(min_size=16, max_size=80)
algorithms = st.sampled_from(["sha1", "sha256", "sha512"])
digit_counts = st.integers(min_value=6, max_value=10)
counters = st.integers(min_value=0, max_value=MAX_COUNTER)


def reference_code(key: bytes, counter: int, digits: int = 6) -> str:
    """Return RFC 4226's HOTP, spelled out with the standard library."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    snum = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(snum % 10**digits).zfill(digits)


def expected_match(
    generator: HOTP, code: str, counter: int, look_ahead: int
) -> Match | None:
    """Return what verify must answer, by computing every candidate."""
    last = min(counter + look_ahead, MAX_COUNTER)
    hits = [c for c in range(counter, last + 1) if generator.at(c) == code]
    if not hits:
        return None
    return Match(hits[-1], hits[-1] - counter)


# RFC 4226 Appendix D.


@pytest.mark.parametrize("row", hotp_params())
def test_at_matches_appendix_d(row: HotpRow) -> None:
    """Each count gives the HOTP value of RFC 4226 Appendix D."""
    hotp = HOTP(RFC4226.secret)

    assert hotp.at(row.count) == row.hotp


@pytest.mark.parametrize("row", hotp_params())
def test_verify_accepts_appendix_d(row: HotpRow) -> None:
    """Each Appendix D value verifies at its own count."""
    hotp = HOTP(RFC4226.secret)

    assert hotp.verify(row.hotp, row.count) == Match(row.count, 0)


@pytest.mark.parametrize(
    ("count", "code"),
    [pytest.param(c, h, id=f"count{c}") for c, h in RFC4226.derived_8_digits],
)
def test_at_matches_derived_8_digit_values(count: int, code: str) -> None:
    """The 8-digit codes derived from Appendix D come out at 8 digits."""
    assert HOTP(RFC4226.secret, digits=8).at(count) == code


def test_base32_key_of_appendix_d() -> None:
    """The Appendix D key in base32 gives the same first code."""
    hotp = HOTP(RFC4226.secret_b32)

    assert hotp.at(0) == RFC4226.rows[0].hotp


def test_default_is_six_digits_sha1() -> None:
    """Without parameters HOTP is RFC 4226's: 6 digits of HMAC-SHA-1."""
    hotp = HOTP(RFC4226.secret)

    assert (hotp.digits, hotp.algorithm) == (6, "sha1")


# Counter range (RFC 4226 section 5.2: an 8-byte counter).


@pytest.mark.parametrize(
    "counter",
    [
        pytest.param(2**32, id="2**32"),
        pytest.param(2**63, id="2**63"),
        pytest.param(MAX_COUNTER, id="2**64-1"),
    ],
)
def test_at_uses_all_eight_counter_bytes(counter: int) -> None:
    """Counters beyond 32 bits, up to 2**64 - 1, are packed in full."""
    assert HOTP(RFC4226.secret).at(counter) == reference_code(
        RFC4226.secret, counter
    )


@pytest.mark.parametrize(
    ("counter", "error"),
    [
        pytest.param(
            -1, r"^counter: must be between 0 and 2\*\*64 - 1", id="-1"
        ),
        pytest.param(2**64, r"^counter: must be between", id="2**64"),
        pytest.param(0.0, r"^counter: expected an int, got float", id="float"),
        pytest.param(True, r"^counter: expected an int, got bool", id="bool"),
        pytest.param("0", r"^counter: expected an int, got str", id="str"),
        pytest.param(None, r"^counter: expected an int", id="none"),
    ],
)
def test_at_refuses_counters_out_of_range(counter: object, error: str) -> None:
    """A counter outside 0 to 2**64 - 1 is a parameter error."""
    with pytest.raises(InvalidCounterError, match=error):
        HOTP(RFC4226.secret).at(counter)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "counter",
    [pytest.param(-1, id="-1"), pytest.param(2**64, id="2**64")],
)
def test_verify_refuses_counters_out_of_range(counter: int) -> None:
    """The expected counter of verify is checked as at checks one."""
    with pytest.raises(InvalidCounterError, match=r"^counter: "):
        HOTP(RFC4226.secret).verify("755224", counter)


def test_verify_at_the_last_counter() -> None:
    """At 2**64 - 1 the look-ahead stops at the end of the counter space."""
    hotp = HOTP(RFC4226.secret)
    code = hotp.at(MAX_COUNTER)

    match = hotp.verify(code, MAX_COUNTER, look_ahead=MAX_LOOK_AHEAD)

    assert match == Match(MAX_COUNTER, 0)


# Look-ahead.


def test_look_ahead_defaults_to_zero() -> None:
    """By default only the expected counter is accepted."""
    hotp = HOTP(RFC4226.secret)

    assert DEFAULT_LOOK_AHEAD == 0
    assert hotp.verify(RFC4226.rows[1].hotp, 0) is None
    assert hotp.verify(RFC4226.rows[0].hotp, 0) == Match(0, 0)


def test_look_ahead_reaches_later_counters() -> None:
    """A token pressed ahead is found within the look-ahead and no further."""
    hotp = HOTP(RFC4226.secret)
    code = RFC4226.rows[5].hotp

    assert hotp.verify(code, 2, look_ahead=3) == Match(5, 3)
    assert hotp.verify(code, 2, look_ahead=2) is None


def test_look_ahead_never_looks_back() -> None:
    """A code from before the expected counter is refused: it was used."""
    hotp = HOTP(RFC4226.secret)

    assert hotp.verify(RFC4226.rows[4].hotp, 5, look_ahead=4) is None


@pytest.mark.parametrize(
    ("look_ahead", "message"),
    [
        pytest.param(-1, r"between 0 and 1000, got -1", id="negative"),
        pytest.param(MAX_LOOK_AHEAD + 1, r"got 1001", id="above-max"),
        pytest.param(10**9, r"between 0 and 1000", id="absurd"),
        pytest.param(1.0, r"expected an int, got float", id="float"),
        pytest.param(True, r"expected an int, got bool", id="bool"),
        pytest.param(None, r"expected an int, got NoneType", id="none"),
    ],
)
def test_bad_look_ahead_is_refused(look_ahead: object, message: str) -> None:
    """An absurd look-ahead is a parameter error, not a slow request."""
    with pytest.raises(InvalidWindowError, match=message) as caught:
        HOTP(RFC4226.secret).verify("755224", 0, look_ahead=look_ahead)  # type: ignore[arg-type]

    assert caught.value.parameter == "look_ahead"


def test_largest_look_ahead_is_accepted() -> None:
    """The bound itself is a valid look-ahead."""
    hotp = HOTP(RFC4226.secret)
    code = hotp.at(MAX_LOOK_AHEAD)

    match = hotp.verify(code, 0, look_ahead=MAX_LOOK_AHEAD)

    assert match is not None
    assert match.counter >= MAX_LOOK_AHEAD


def test_parameters_are_checked_before_the_code() -> None:
    """A bad look-ahead raises even when the code is garbage."""
    with pytest.raises(InvalidWindowError):
        HOTP(RFC4226.secret).verify("not a code", 0, look_ahead=-1)


# Two counters with one code.


def test_collision_pair_shares_a_code() -> None:
    """The stored pair really shares a code, and the counter between not."""
    hotp = HOTP(CODES.secret)

    assert hotp.at(CODES.first) == hotp.at(CODES.last) == CODES.code
    assert hotp.at(CODES.between) == CODES.between_code != CODES.code


def test_latest_counter_is_reported_when_two_share_a_code() -> None:
    """Where two counters give the code, the later one is the match."""
    hotp = HOTP(CODES.secret)

    match = hotp.verify(CODES.code, CODES.first, look_ahead=2)

    assert match == Match(CODES.last, CODES.last - CODES.first)


def test_earlier_counter_matches_when_the_later_is_out_of_reach() -> None:
    """Without the later counter in the window, the earlier one matches."""
    hotp = HOTP(CODES.secret)

    match = hotp.verify(CODES.code, CODES.first, look_ahead=1)

    assert match == Match(CODES.first, 0)


# Properties.


@settings(deadline=None)
@given(key=keys, algorithm=algorithms, digits=digit_counts, counter=counters)
def test_code_is_always_digits_ascii_digits(
    key: bytes, algorithm: str, digits: int, counter: int
) -> None:
    """Every code is exactly ``digits`` ASCII digits, zeros kept."""
    code = HOTP(key, digits, algorithm).at(counter)

    assert len(code) == digits
    assert code.isascii()
    assert code.isdigit()


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=digit_counts,
    counter=st.integers(min_value=0, max_value=MAX_COUNTER - 30),
    look_ahead=st.integers(min_value=0, max_value=12),
    ahead=st.integers(min_value=0, max_value=12),
)
def test_verify_accepts_inside_the_look_ahead(
    *,
    key: bytes,
    algorithm: str,
    digits: int,
    counter: int,
    look_ahead: int,
    ahead: int,
) -> None:
    """A code from counter + k verifies iff k is within the look-ahead.

    Two counters can share a code by chance, so the exact answer is worked
    out by computing every candidate: the latest counter in the window
    whose code matches, or None. Inside the window that is never None and
    never earlier than the counter the code came from.
    """
    hotp = HOTP(key, digits, algorithm)
    code = hotp.at(counter + ahead)

    match = hotp.verify(code, counter, look_ahead=look_ahead)

    assert match == expected_match(hotp, code, counter, look_ahead)
    if ahead <= look_ahead:
        assert match is not None
        assert match.counter >= counter + ahead
        assert match.offset == match.counter - counter
    elif match is not None:
        assert counter <= match.counter <= counter + look_ahead


@settings(deadline=None)
@given(
    key=keys,
    counter=st.integers(min_value=20, max_value=MAX_COUNTER),
    behind=st.integers(min_value=1, max_value=20),
)
def test_verify_refuses_codes_from_before_the_counter(
    key: bytes, counter: int, behind: int
) -> None:
    """An earlier counter's code matches only by a genuine collision."""
    hotp = HOTP(key, digits=10)
    code = hotp.at(counter - behind)

    match = hotp.verify(code, counter, look_ahead=3)

    assert match == expected_match(hotp, code, counter, 3)


@settings(deadline=None)
@given(key=st.binary(min_size=20, max_size=20), counter=counters)
def test_at_equals_the_rfc_reference(key: bytes, counter: int) -> None:
    """at() agrees with RFC 4226 spelled out with hmac and struct."""
    assert HOTP(key).at(counter) == reference_code(key, counter)


def test_repr_names_parameters_only() -> None:
    """The repr shows digits and algorithm and nothing of the key."""
    hotp = HOTP(RFC4226.secret, digits=8, algorithm="sha256")

    assert repr(hotp) == "HOTP(digits=8, algorithm='sha256')"
