"""What HOTP and TOTP share (otpcore._otp): parameters, keys, codes, Match."""

from __future__ import annotations

import base64
import dataclasses
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import HotpRow, hotp_params, rfc4226, rfc4226_truncation
from otpcore import (
    HOTP,
    TOTP,
    InvalidAlgorithmError,
    InvalidCounterError,
    InvalidDigitsError,
    InvalidParameterError,
    InvalidSecretError,
    InvalidTimeError,
    InvalidWindowError,
    Match,
    OtpError,
    Secret,
    WeakSecretError,
)
from otpcore._otp import (
    MAX_COUNTER,
    MAX_DIGITS,
    MIN_DIGITS,
    OtpGenerator,
    check_counter,
    check_window,
    unix_seconds,
)

KEY = b"12345678901234567890"

Factory = Callable[..., OtpGenerator]
GENERATORS = [pytest.param(HOTP, id="hotp"), pytest.param(TOTP, id="totp")]


def first_code(generator: OtpGenerator) -> str:
    """Return the code at counter or time step 0."""
    if isinstance(generator, TOTP):
        return generator.at_step(0)
    assert isinstance(generator, HOTP)
    return generator.at(0)


# Digits.


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    ("digits", "message"),
    [
        pytest.param(5, r"between 6 and 10, got 5", id="5"),
        pytest.param(11, r"between 6 and 10, got 11", id="11"),
        pytest.param(0, r"between 6 and 10, got 0", id="0"),
        pytest.param(-6, r"between 6 and 10, got -6", id="negative"),
        pytest.param(10**100, r"between 6 and 10", id="huge"),
        pytest.param(6.0, r"expected an int, got float", id="float"),
        pytest.param("6", r"expected an int, got str", id="str"),
        pytest.param(True, r"expected an int, got bool", id="bool"),
        pytest.param(None, r"expected an int, got NoneType", id="none"),
    ],
)
def test_bad_digits_are_refused(
    factory: Factory, digits: object, message: str
) -> None:
    """Digits must be an int from 6 to 10 (RFC 4226 section 5.3)."""
    with pytest.raises(InvalidDigitsError, match=message) as caught:
        factory(KEY, digits=digits)

    assert caught.value.parameter == "digits"
    assert str(caught.value).startswith("digits: ")


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize("digits", range(MIN_DIGITS, MAX_DIGITS + 1))
def test_digits_6_to_10_are_accepted(factory: Factory, digits: int) -> None:
    """Every length from 6 to 10 gives codes of that length."""
    generator = factory(KEY, digits=digits)

    assert generator.digits == digits
    assert len(first_code(generator)) == digits


def test_digit_bounds_are_6_and_10() -> None:
    """The bounds are RFC 4226's minimum and what 31 bits can fill."""
    assert (MIN_DIGITS, MAX_DIGITS) == (6, 10)
    assert len(str(0x7FFFFFFF)) == MAX_DIGITS


# Algorithms.


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    "algorithm",
    [
        pytest.param("md5", id="md5"),
        pytest.param("sha224", id="sha224"),
        pytest.param("sha384", id="sha384"),
        pytest.param("sha3_256", id="sha3_256"),
        pytest.param("blake2b", id="blake2b"),
        pytest.param("SHA-1", id="SHA-1"),
        pytest.param("sha1 ", id="trailing-space"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param(b"sha1", id="bytes"),
        pytest.param(1, id="int"),
        pytest.param(print, id="callable"),
    ],
)
def test_bad_algorithms_are_refused(
    factory: Factory, algorithm: object
) -> None:
    """Only sha1, sha256 and sha512 are accepted, from an allow-list."""
    with pytest.raises(InvalidAlgorithmError) as caught:
        factory(KEY, algorithm=algorithm)

    assert caught.value.parameter == "algorithm"
    assert str(caught.value).startswith("algorithm: ")


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    ("algorithm", "name"),
    [
        pytest.param("sha1", "sha1", id="sha1"),
        pytest.param("SHA1", "sha1", id="SHA1"),
        pytest.param("sha256", "sha256", id="sha256"),
        pytest.param("Sha256", "sha256", id="Sha256"),
        pytest.param("SHA512", "sha512", id="SHA512"),
    ],
)
def test_algorithm_names_are_case_insensitive(
    factory: Factory, algorithm: str, name: str
) -> None:
    """Names are read in any case (URIs say SHA1) and kept in lower case."""
    assert factory(KEY, algorithm=algorithm).algorithm == name


# Secrets and the weak-key policy.


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="none"),
        pytest.param(12345, id="int"),
        pytest.param(1.5, id="float"),
        pytest.param([1, 2], id="list"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param("", id="empty-text"),
        pytest.param("JBSWY3DPEHPK3PX1", id="not-base32"),
        pytest.param("JBSWY3DPEHPK3PXPA", id="impossible-length"),
    ],
)
def test_bad_secrets_are_refused(factory: Factory, secret: object) -> None:
    """A key must be a Secret, bytes, or valid base32 text."""
    with pytest.raises(InvalidSecretError, match=r"^secret: "):
        factory(secret)


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    ("nbytes", "allow_weak", "accepted"),
    [
        pytest.param(1, True, False, id="8-bits-weak-allowed"),
        pytest.param(9, False, False, id="72-bits"),
        pytest.param(9, True, False, id="72-bits-weak-allowed"),
        pytest.param(10, False, False, id="80-bits"),
        pytest.param(10, True, True, id="80-bits-weak-allowed"),
        pytest.param(15, False, False, id="120-bits"),
        pytest.param(15, True, True, id="120-bits-weak-allowed"),
        pytest.param(16, False, True, id="128-bits"),
        pytest.param(16, True, True, id="128-bits-weak-allowed"),
        pytest.param(20, False, True, id="160-bits"),
    ],
)
def test_key_length_boundaries(
    factory: Factory, nbytes: int, allow_weak: bool, accepted: bool
) -> None:
    """128 bits are required; allow_weak admits 80 bits and nothing less."""
    key = bytes(range(1, nbytes + 1))

    if accepted:
        generator = factory(key, allow_weak=allow_weak)
        assert bytes(generator.secret) == key
    else:
        with pytest.raises(WeakSecretError, match=r"^secret: ") as caught:
            factory(key, allow_weak=allow_weak)
        message = str(caught.value)
        assert f"has {nbytes * 8} bits" in message
        assert ("allow_weak" in message) is (not allow_weak)


@pytest.mark.parametrize("factory", GENERATORS)
def test_weak_base32_key_from_a_provider(factory: Factory) -> None:
    """An 80-bit base32 key, as some providers issue, needs allow_weak."""
    text = "JBSWY3DPEHPK3PXP"

    with pytest.raises(WeakSecretError):
        factory(text)
    generator = factory(text, allow_weak=True)

    assert generator.secret.bits == 80


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    "allow_weak",
    [
        pytest.param("no", id="str"),
        pytest.param(1, id="int"),
        pytest.param(None, id="none"),
    ],
)
def test_allow_weak_must_be_a_bool(
    factory: Factory, allow_weak: object
) -> None:
    """Only True opts out of the policy; a truthy string is not consent."""
    with pytest.raises(InvalidParameterError) as caught:
        factory(bytes(10), allow_weak=allow_weak)

    assert caught.value.parameter == "allow_weak"


@pytest.mark.parametrize("factory", GENERATORS)
@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(Secret(KEY), id="secret"),
        pytest.param(KEY, id="bytes"),
        pytest.param(bytearray(KEY), id="bytearray"),
        pytest.param(memoryview(KEY), id="memoryview"),
        pytest.param("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", id="base32"),
        pytest.param("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", id="pasted"),
    ],
)
def test_every_key_form_gives_the_same_codes(
    factory: Factory, secret: object
) -> None:
    """A Secret, raw bytes and base32 text of one key are interchangeable."""
    generator = factory(secret)

    assert generator.secret == Secret(KEY)
    assert first_code(generator) == "755224"


# Rendering a truncated value as a code.


def test_render_section_5_4_example() -> None:
    """Snum 0x50ef7f19 gives the 6-digit code 872921 (RFC 4226 5.4)."""
    example = rfc4226_truncation()
    generator = HOTP(KEY, digits=example.digits)

    assert generator._render(example.dbc) == example.hotp


@pytest.mark.parametrize("row", hotp_params())
def test_render_appendix_d(row: HotpRow) -> None:
    """Each truncated value of Table 2 renders as its HOTP value."""
    assert HOTP(KEY)._render(row.truncated) == row.hotp


def test_render_derived_8_digits() -> None:
    """The same truncated values render as the derived 8-digit codes."""
    vectors = rfc4226()
    truncated = {row.count: row.truncated for row in vectors.rows}
    generator = HOTP(KEY, digits=8)

    rendered = [
        (count, generator._render(truncated[count]))
        for count, _ in vectors.derived_8_digits
    ]

    assert rendered == list(vectors.derived_8_digits)


@pytest.mark.parametrize(
    ("value", "digits", "code"),
    [
        pytest.param(0, 6, "000000", id="zero-6"),
        pytest.param(5, 6, "000005", id="five-6"),
        pytest.param(1_000_000, 6, "000000", id="wraps-6"),
        pytest.param(0, 10, "0000000000", id="zero-10"),
        pytest.param(0x7FFFFFFF, 10, "2147483647", id="largest-10"),
        pytest.param(0x7FFFFFFF, 9, "147483647", id="largest-9"),
        pytest.param(82162583, 8, "82162583", id="appendix-d-count7-8"),
        pytest.param(82162583, 7, "2162583", id="appendix-d-count7-7"),
    ],
)
def test_render_pads_with_zeros(value: int, digits: int, code: str) -> None:
    """Snum mod 10^digits, left-padded with zeros to the full length."""
    assert HOTP(KEY, digits=digits)._render(value) == code


# Match.


def test_match_is_true_at_counter_zero() -> None:
    """A match at step 0 with offset 0 is still true."""
    match = Match(0, 0)

    assert match
    assert bool(match) is True


def test_verify_at_step_zero_gives_a_true_match() -> None:
    """Verifying the very first code returns a truthy Match, not 0."""
    totp = TOTP(KEY)
    hotp = HOTP(KEY)

    by_time = totp.verify(totp.at(0), at=0)
    by_counter = hotp.verify(hotp.at(0), 0)

    assert by_time == Match(0, 0)
    assert by_counter == Match(0, 0)
    assert by_time
    assert by_counter


def test_match_is_frozen() -> None:
    """A Match cannot be altered after the fact."""
    match = Match(3, 1)

    with pytest.raises(dataclasses.FrozenInstanceError):
        match.counter = 4  # type: ignore[misc]


def test_match_fields_and_repr() -> None:
    """A Match names the counter and the offset, and compares by value."""
    match = Match(counter=7, offset=-1)

    assert (match.counter, match.offset) == (7, -1)
    assert match == Match(7, -1)
    assert match != Match(7, 0)
    assert repr(match) == "Match(counter=7, offset=-1)"


# The shared checks.


@pytest.mark.parametrize(
    "counter", [0, 1, 2**32, MAX_COUNTER], ids=["0", "1", "2**32", "max"]
)
def test_check_counter_accepts_64_bit_values(counter: int) -> None:
    """Counters from 0 to 2**64 - 1 pass (RFC 4226 section 5.2)."""
    assert check_counter(counter) == counter


@pytest.mark.parametrize(
    ("counter", "message"),
    [
        pytest.param(
            -1, r"^counter: must be between 0 and 2\*\*64 - 1", id="-1"
        ),
        pytest.param(2**64, r"^counter: must be between", id="2**64"),
        pytest.param(1.0, r"^counter: expected an int, got float", id="float"),
        pytest.param(True, r"^counter: expected an int, got bool", id="bool"),
        pytest.param("1", r"^counter: expected an int, got str", id="str"),
    ],
)
def test_check_counter_refuses(counter: object, message: str) -> None:
    """Anything but an int in range is an InvalidCounterError."""
    with pytest.raises(InvalidCounterError, match=message):
        check_counter(counter)


def test_check_counter_names_the_parameter_given() -> None:
    """The message names whichever parameter the caller checked."""
    with pytest.raises(InvalidCounterError, match=r"^step: ") as caught:
        check_counter(-1, "step")

    assert caught.value.parameter == "step"


@pytest.mark.parametrize(
    ("window", "accepted"),
    [
        pytest.param(0, True, id="0"),
        pytest.param(5, True, id="max"),
        pytest.param(6, False, id="above-max"),
        pytest.param(-1, False, id="negative"),
        pytest.param(1.0, False, id="float"),
        pytest.param(False, False, id="bool"),
        pytest.param(None, False, id="none"),
    ],
)
def test_check_window(window: object, accepted: bool) -> None:
    """A window is an int from 0 to the bound given."""
    if accepted:
        assert check_window(window, "window", 5) == window
    else:
        with pytest.raises(InvalidWindowError, match=r"^window: "):
            check_window(window, "window", 5)


@pytest.mark.parametrize(
    ("when", "seconds"),
    [
        pytest.param(0, 0, id="int-zero"),
        pytest.param(1_700_000_000, 1_700_000_000, id="int"),
        pytest.param(2**70, 2**70, id="huge-int"),
        pytest.param(59.999, 59, id="float-rounds-down"),
        pytest.param(60.0, 60, id="float-whole"),
        pytest.param(-0.5, -1, id="negative-float-floors"),
        pytest.param(1e20, 10**20, id="large-float"),
    ],
)
def test_unix_seconds_floors(when: float, seconds: int) -> None:
    """Times are whole seconds, rounded down as RFC 6238 section 4.2 says."""
    assert unix_seconds(when) == seconds


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(math.nan, id="nan"),
        pytest.param(math.inf, id="inf"),
        pytest.param(-math.inf, id="minus-inf"),
        pytest.param(True, id="bool"),
        pytest.param("59", id="str"),
        pytest.param(None, id="none"),
        pytest.param(Decimal(59), id="decimal"),
        pytest.param(Fraction(59), id="fraction"),
        pytest.param(datetime(2024, 1, 1, tzinfo=UTC), id="aware-datetime"),
        pytest.param(datetime(2024, 1, 1), id="naive-datetime"),
    ],
)
def test_unix_seconds_refuses(when: object) -> None:
    """Only finite ints and floats are times; datetimes never are."""
    with pytest.raises(InvalidTimeError, match=r"^at: "):
        unix_seconds(when)


# Errors.


@pytest.mark.parametrize(
    "error",
    [
        InvalidAlgorithmError,
        InvalidCounterError,
        InvalidDigitsError,
        InvalidTimeError,
        InvalidWindowError,
    ],
    ids=lambda error: error.__name__,
)
def test_parameter_errors_share_a_base(error: type[OtpError]) -> None:
    """Each parameter error is an InvalidParameterError and a ValueError."""
    assert issubclass(error, InvalidParameterError)
    assert issubclass(error, OtpError)
    assert issubclass(error, ValueError)


# No key material in text.


def leaks(text: str, key: bytes) -> bool:
    """Return whether ``text`` shows ``key`` as hex, base32 or bytes."""
    b32 = base64.b32encode(key).decode("ascii").rstrip("=")
    forms = {key.hex(), key.hex().upper(), b32, b32.lower(), repr(key)}
    return any(form in text for form in forms)


@settings(deadline=None)
@given(
    key=st.binary(min_size=16, max_size=80),
    algorithm=st.sampled_from(["sha1", "sha256", "sha512"]),
    digits=st.integers(min_value=6, max_value=10),
)
def test_generators_and_matches_show_no_key(
    key: bytes, algorithm: str, digits: int
) -> None:
    """Repr and str of HOTP, TOTP and their Matches never show the key."""
    totp = TOTP(key, digits, algorithm)
    hotp = HOTP(Secret(key), digits, algorithm)
    matches = [
        totp.verify(totp.at_step(0), at=0),
        hotp.verify(hotp.at(0), 0),
    ]

    for shown in (totp, hotp, totp.secret, hotp.secret, *matches):
        assert not leaks(repr(shown), key)
        assert not leaks(str(shown), key)


# From 6 bytes up, the key's hex (12 characters) and base32 (10) are too long
# to turn up in the message by chance, as "4226" or "fewer" could.
@settings(deadline=None)
@given(key=st.binary(min_size=6, max_size=15), as_text=st.booleans())
def test_weak_key_errors_show_no_key(key: bytes, as_text: bool) -> None:
    """Refusing a short key does not print it, in any form."""
    secret = base64.b32encode(key).decode() if as_text else key

    with pytest.raises(WeakSecretError) as caught:
        TOTP(secret)

    error = caught.value
    assert error.__cause__ is None
    for shown in (str(error), repr(error), *map(str, error.args)):
        assert not leaks(shown, key)


def test_construction_errors_happen_before_the_key_is_used() -> None:
    """A bad parameter is reported even with a valid key, naming it."""
    with pytest.raises(InvalidDigitsError, match=r"^digits: ") as caught:
        HOTP(Secret.generate(), digits=4)

    assert caught.value.parameter == "digits"
