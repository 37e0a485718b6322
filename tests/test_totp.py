"""TOTP, time-based one-time passwords (RFC 6238)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _vectors import TotpRow, rfc6238, shared_codes, totp_params
from otpcore import (
    HOTP,
    TOTP,
    InvalidCounterError,
    InvalidPeriodError,
    InvalidTimeError,
    InvalidWindowError,
    Match,
)
from otpcore._otp import MAX_COUNTER
from otpcore.totp import DEFAULT_PERIOD, DEFAULT_T0, DEFAULT_WINDOW, MAX_WINDOW

RFC6238 = rfc6238()
SHA1_SEED = RFC6238.seeds["sha1"]
CODES = shared_codes()

keys = st.binary(min_size=16, max_size=80)
algorithms = st.sampled_from(["sha1", "sha256", "sha512"])
digit_counts = st.integers(min_value=6, max_value=10)
periods = st.integers(min_value=1, max_value=600)


class FakeClock:
    """A clock the test moves by hand; TOTP calls it for the time."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.now


def rfc_totp(row: TotpRow) -> TOTP:
    """Return the TOTP of an Appendix B row: its seed, mode and length."""
    return TOTP(
        row.seed,
        digits=row.digits,
        algorithm=row.mode,
        period=RFC6238.period,
        t0=RFC6238.t0,
    )


def expected_match(
    totp: TOTP, code: str, current: int, window: int
) -> Match | None:
    """Return what verify must answer, by computing every step."""
    first = max(current - window, 0)
    last = min(current + window, MAX_COUNTER)
    hits = [s for s in range(first, last + 1) if totp.at_step(s) == code]
    if not hits:
        return None
    return Match(hits[-1], hits[-1] - current)


# RFC 6238 Appendix B, each step on its own.


@pytest.mark.parametrize("row", totp_params())
def test_step_matches_appendix_b(row: TotpRow) -> None:
    """T = floor((time - T0) / X) is the table's hex value of T."""
    assert rfc_totp(row).step(row.time) == row.step


@pytest.mark.parametrize("row", totp_params())
def test_at_step_matches_appendix_b(row: TotpRow) -> None:
    """The code of step T is the table's TOTP value."""
    assert rfc_totp(row).at_step(row.step) == row.totp


@pytest.mark.parametrize("row", totp_params())
def test_at_matches_appendix_b(row: TotpRow) -> None:
    """The code at each time is the table's TOTP value."""
    assert rfc_totp(row).at(row.time) == row.totp


@pytest.mark.parametrize("row", totp_params())
def test_verify_accepts_appendix_b(row: TotpRow) -> None:
    """Each table value verifies at its time with no window at all."""
    match = rfc_totp(row).verify(row.totp, at=row.time, window=0)

    assert match == Match(row.step, 0)


@pytest.mark.parametrize("row", totp_params())
def test_totp_is_hotp_of_the_step(row: TotpRow) -> None:
    """TOTP is HOTP with the time step as counter (RFC 6238 section 4.2)."""
    hotp = HOTP(row.seed, digits=row.digits, algorithm=row.mode)

    assert hotp.at(row.step) == row.totp


@pytest.mark.parametrize("row", totp_params(derived=True))
def test_at_matches_derived_6_digit_values(row: TotpRow) -> None:
    """At 6 digits the codes are the last 6 of the table, zeros kept."""
    assert rfc_totp(row).at(row.time) == row.totp


@pytest.mark.parametrize(
    "row",
    [param for param in totp_params() if "sha1" not in param.id],
)
def test_sha2_rows_need_the_longer_seeds(row: TotpRow) -> None:
    """With the 20-byte seed the SHA-256/512 rows do not reproduce."""
    totp = TOTP(SHA1_SEED, digits=8, algorithm=row.mode)

    assert len(row.seed) in {32, 64}
    assert totp.at(row.time) != row.totp


def test_defaults_are_rfc_6238s() -> None:
    """Without parameters: 30-second steps from the epoch, 6 digits, SHA-1."""
    totp = TOTP(SHA1_SEED)

    assert (DEFAULT_PERIOD, DEFAULT_T0, DEFAULT_WINDOW) == (30, 0, 1)
    assert (totp.period, totp.t0, totp.digits) == (30, 0, 6)
    assert totp.algorithm == "sha1"
    assert totp.clock is time.time


# Time.


@pytest.mark.parametrize(
    ("when", "step"),
    [
        pytest.param(0, 0, id="epoch"),
        pytest.param(29, 0, id="29"),
        pytest.param(29.999, 0, id="29.999"),
        pytest.param(30, 1, id="30"),
        pytest.param(59, 1, id="59-rfc-example"),
        pytest.param(60, 2, id="60-rfc-example"),
        pytest.param(60.5, 2, id="60.5"),
    ],
)
def test_steps_are_floored(when: float, step: int) -> None:
    """T is rounded down; RFC 6238 4.2 gives T=1 at 59 s and T=2 at 60 s."""
    assert TOTP(SHA1_SEED).step(when) == step


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(2**31, id="2038"),
        pytest.param(2**32 * 30 + 5, id="step-over-32-bits"),
        pytest.param(253_402_300_800, id="year-10000"),
    ],
)
def test_time_beyond_32_bits(when: int) -> None:
    """Times and steps past 32 bits work (RFC 6238 section 4.2)."""
    totp = TOTP(SHA1_SEED)
    hotp = HOTP(SHA1_SEED)

    assert totp.at(when) == hotp.at(when // 30)


@settings(deadline=None)
@given(
    t0=st.integers(min_value=-(10**10), max_value=10**10),
    period=periods,
    steps=st.integers(min_value=0, max_value=10**9),
    into=st.integers(min_value=0, max_value=599),
)
def test_t0_shifts_the_steps(
    t0: int, period: int, steps: int, into: int
) -> None:
    """Step k starts at t0 + k * period and lasts one period."""
    totp = TOTP(SHA1_SEED, period=period, t0=t0)
    when = t0 + steps * period + into % period

    assert totp.step(when) == steps
    assert totp.at(when) == HOTP(SHA1_SEED).at(steps)


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(math.nan, id="nan"),
        pytest.param(math.inf, id="inf"),
        pytest.param(-math.inf, id="minus-inf"),
        pytest.param(True, id="bool"),
        pytest.param("1700000000", id="str"),
        pytest.param(b"1700000000", id="bytes"),
        pytest.param(Decimal(1_700_000_000), id="decimal"),
        pytest.param(datetime(2024, 1, 1, tzinfo=UTC), id="aware-datetime"),
        pytest.param(datetime(2024, 1, 1), id="naive-datetime"),
        pytest.param(None, id="none"),
    ],
)
def test_at_refuses_what_is_not_unix_seconds(when: object) -> None:
    """Times are finite numbers of Unix seconds; datetimes are refused."""
    with pytest.raises(InvalidTimeError, match=r"^when: ") as caught:
        TOTP(SHA1_SEED).at(when)  # type: ignore[arg-type]

    assert caught.value.parameter == "when"


@pytest.mark.parametrize(
    ("t0", "when"),
    [
        pytest.param(0, -1, id="before-epoch"),
        pytest.param(1000, 999, id="one-second-early"),
        pytest.param(1000, 999.5, id="half-second-early"),
    ],
)
def test_at_refuses_times_before_t0(t0: int, when: float) -> None:
    """A time before T0 has no step."""
    with pytest.raises(InvalidTimeError, match=r"^at: precedes t0"):
        TOTP(SHA1_SEED, t0=t0).at(when)


def test_at_t0_is_step_zero() -> None:
    """T0 itself is the first second of step 0."""
    totp = TOTP(SHA1_SEED, t0=1000)

    assert totp.step(1000) == 0
    assert totp.at(1000) == HOTP(SHA1_SEED).at(0)


@pytest.mark.parametrize(
    ("t0", "when", "fits"),
    [
        pytest.param(0, MAX_COUNTER, True, id="last-step"),
        pytest.param(0, MAX_COUNTER + 1, False, id="step-2**64"),
        pytest.param(5, MAX_COUNTER + 5, True, id="last-step-after-t0"),
        pytest.param(5, MAX_COUNTER + 6, False, id="2**64-after-t0"),
        pytest.param(0, 1e30, False, id="huge-float"),
    ],
)
def test_step_overflow_at_2_64(t0: int, when: float, fits: bool) -> None:
    """A step must fit the 8-byte counter of RFC 4226 section 5.2."""
    totp = TOTP(SHA1_SEED, period=1, t0=t0)

    if fits:
        assert totp.step(when) == MAX_COUNTER
        assert totp.at(when) == HOTP(SHA1_SEED).at(MAX_COUNTER)
        assert totp.verify(totp.at(when), at=when) == Match(MAX_COUNTER, 0)
    else:
        with pytest.raises(InvalidCounterError, match=r"^at: "):
            totp.at(when)
        with pytest.raises(InvalidCounterError, match=r"^at: "):
            totp.verify("123456", at=when)


@pytest.mark.parametrize(
    "step",
    [pytest.param(-1, id="-1"), pytest.param(2**64, id="2**64")],
)
def test_at_step_refuses_out_of_range(step: int) -> None:
    """at_step takes a 64-bit step and names it."""
    with pytest.raises(InvalidCounterError, match=r"^step: "):
        TOTP(SHA1_SEED).at_step(step)


# Construction.


@pytest.mark.parametrize(
    ("period", "message"),
    [
        pytest.param(0, r"at least 1 second, got 0", id="zero"),
        pytest.param(-30, r"at least 1 second, got -30", id="negative"),
        pytest.param(30.0, r"as an int, got float", id="float"),
        pytest.param(0.5, r"as an int, got float", id="half-second"),
        pytest.param("30", r"as an int, got str", id="str"),
        pytest.param(True, r"as an int, got bool", id="bool"),
        pytest.param(None, r"as an int, got NoneType", id="none"),
    ],
)
def test_bad_periods_are_refused(period: object, message: str) -> None:
    """The period is a positive whole number of seconds."""
    with pytest.raises(InvalidPeriodError, match=message) as caught:
        TOTP(SHA1_SEED, period=period)  # type: ignore[arg-type]

    assert caught.value.parameter == "period"
    assert str(caught.value).startswith("period: ")


@pytest.mark.parametrize("period", [1, 30, 60, 86_400, 2**40])
def test_any_positive_period_is_accepted(period: int) -> None:
    """Any whole number of seconds from 1 up is a period."""
    totp = TOTP(SHA1_SEED, period=period)

    assert totp.period == period
    assert totp.step(period * 7) == 7


@pytest.mark.parametrize(
    "t0",
    [
        pytest.param(0.5, id="float"),
        pytest.param("0", id="str"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
        pytest.param(datetime(1970, 1, 1, tzinfo=UTC), id="datetime"),
    ],
)
def test_bad_t0_is_refused(t0: object) -> None:
    """T0 is whole Unix seconds."""
    with pytest.raises(InvalidTimeError, match=r"^t0: ") as caught:
        TOTP(SHA1_SEED, t0=t0)  # type: ignore[arg-type]

    assert caught.value.parameter == "t0"


@pytest.mark.parametrize(
    "clock",
    [
        pytest.param(1_700_000_000, id="number"),
        pytest.param("time.time", id="str"),
        pytest.param(None, id="none"),
    ],
)
def test_clock_must_be_callable(clock: object) -> None:
    """A clock is something to call, not a time."""
    with pytest.raises(InvalidTimeError, match=r"^clock: "):
        TOTP(SHA1_SEED, clock=clock)  # type: ignore[arg-type]


# Windows.


@pytest.mark.parametrize(
    ("window", "message"),
    [
        pytest.param(-1, r"between 0 and 100, got -1", id="negative"),
        pytest.param(MAX_WINDOW + 1, r"got 101", id="above-max"),
        pytest.param(10**12, r"between 0 and 100", id="absurd"),
        pytest.param(1.0, r"expected an int, got float", id="float"),
        pytest.param(True, r"expected an int, got bool", id="bool"),
        pytest.param(None, r"expected an int, got NoneType", id="none"),
    ],
)
def test_bad_windows_are_refused(window: object, message: str) -> None:
    """An absurd window is a parameter error, not a slow request."""
    totp = TOTP(SHA1_SEED)

    with pytest.raises(InvalidWindowError, match=message) as caught:
        totp.verify("287082", at=59, window=window)  # type: ignore[arg-type]

    assert caught.value.parameter == "window"


def test_largest_window_is_accepted() -> None:
    """The bound itself is a valid window, reaching that many steps back."""
    totp = TOTP(SHA1_SEED)
    now = 10**9
    current = totp.step(now)
    code = totp.at_step(current - MAX_WINDOW)

    match = totp.verify(code, at=now, window=MAX_WINDOW)

    assert match == expected_match(totp, code, current, MAX_WINDOW)
    assert match is not None


def test_window_is_symmetric() -> None:
    """One step each side is accepted by default, two steps are not."""
    totp = TOTP(SHA1_SEED)
    now = 1_111_111_109
    current = totp.step(now)
    codes = {offset: totp.at_step(current + offset) for offset in range(-2, 3)}

    results = {
        offset: totp.verify(code, at=now) for offset, code in codes.items()
    }

    # The five codes differ, so no match can be a chance collision.
    assert len(set(codes.values())) == 5
    assert results == {
        -2: None,
        -1: Match(current - 1, -1),
        0: Match(current, 0),
        1: Match(current + 1, 1),
        2: None,
    }


def test_window_stops_at_step_zero() -> None:
    """Near the epoch the window has no negative steps, and step 0 matches."""
    totp = TOTP(SHA1_SEED)

    match = totp.verify(totp.at_step(0), at=0, window=3)

    assert match == Match(0, 0)
    assert match


def test_collision_reports_the_latest_step() -> None:
    """Where two steps of the window share a code, the later is reported."""
    totp = TOTP(CODES.secret, period=30)
    at = CODES.between * 30

    match = totp.verify(CODES.code, at=at, window=1)

    assert totp.at_step(CODES.first) == totp.at_step(CODES.last) == CODES.code
    assert match == Match(CODES.last, CODES.last - CODES.between)


def test_collision_at_the_edge_of_the_window() -> None:
    """With only the earlier step in the window, it is the one reported."""
    totp = TOTP(CODES.secret, period=30)
    at = CODES.first * 30

    assert totp.verify(CODES.code, at=at, window=1) == Match(CODES.first, 0)
    assert totp.verify(CODES.code, at=at, window=2) == Match(CODES.last, 2)


# The clock.


def test_now_reads_the_injected_clock() -> None:
    """now() is the code at whatever the clock says."""
    clock = FakeClock(59.0)
    totp = TOTP(SHA1_SEED, digits=8, clock=clock)

    first = totp.now()
    clock.now = 1_111_111_109.5
    second = totp.now()

    assert (first, second) == ("94287082", "07081804")
    assert clock.calls == 2


def test_verify_without_at_reads_the_clock() -> None:
    """verify() checks against the clock's time when no time is given."""
    clock = FakeClock(1_234_567_890)
    totp = TOTP(SHA1_SEED, digits=8, clock=clock)

    accepted = totp.verify("89005924")
    clock.now += 60
    expired = totp.verify("89005924")

    assert accepted == Match(0x273EF07, 0)
    assert expired is None


def test_step_without_at_reads_the_clock() -> None:
    """step() with no time is the clock's current step."""
    clock = FakeClock(20_000_000_000)

    assert TOTP(SHA1_SEED, clock=clock).step() == 0x27BC86AA


def test_an_explicit_time_does_not_read_the_clock() -> None:
    """With at= given, the clock is not consulted."""
    clock = FakeClock(0)
    totp = TOTP(SHA1_SEED, clock=clock)

    totp.verify("287082", at=59)
    totp.at(59)

    assert clock.calls == 0


@pytest.mark.parametrize(
    "reading",
    [
        pytest.param(math.nan, id="nan"),
        pytest.param(None, id="none"),
        pytest.param(-5.0, id="before-t0"),
    ],
)
def test_a_broken_clock_is_an_error(reading: object) -> None:
    """A clock that gives no usable time raises instead of guessing."""
    totp = TOTP(SHA1_SEED, clock=lambda: reading)  # type: ignore[arg-type,return-value]

    with pytest.raises(InvalidTimeError):
        totp.now()
    with pytest.raises(InvalidTimeError):
        totp.verify("123456")


def test_default_clock_is_the_system_time() -> None:
    """Without a clock, now() is the code of the current Unix time."""
    totp = TOTP(SHA1_SEED)

    before = time.time()
    code = totp.now()
    after = time.time()

    assert code in {totp.at(before), totp.at(after)}


# Daylight saving time.

DST_SCRIPT = """
import json, sys, time
from otpcore import TOTP
key = bytes.fromhex(sys.argv[1])
times = json.loads(sys.argv[2])
out = []
for t in times:
    totp = TOTP(key, clock=lambda t=t: float(t))
    out.append([time.localtime(t).tm_gmtoff, totp.at(t), totp.now(),
                totp.step(), totp.verify(totp.at(t), at=t) is not None])
print(json.dumps(out))
"""

# Changes of 2024, as Unix times of the UTC instant of each change.
DST_CHANGES = {
    "us-spring": 1_710_054_000,  # 2024-03-10 07:00 UTC, New York
    "eu-spring": 1_711_846_800,  # 2024-03-31 01:00 UTC, Berlin
    "eu-autumn": 1_729_990_800,  # 2024-10-27 01:00 UTC, Berlin
    "us-autumn": 1_730_613_600,  # 2024-11-03 06:00 UTC, New York
}
DST_TIMES = sorted(
    change + offset
    for change in DST_CHANGES.values()
    for offset in range(-2 * 3600, 2 * 3600 + 1, 900)
)


def run_in_zone(zone: str) -> list[list[object]]:
    """Compute codes around the changes in a fresh interpreter in ``zone``."""
    env = {**os.environ, "TZ": zone}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DST_SCRIPT,
            SHA1_SEED.hex(),
            json.dumps(DST_TIMES),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    rows: list[list[object]] = json.loads(result.stdout)
    return rows


@pytest.fixture(scope="module")
def utc_rows() -> list[list[object]]:
    """Return the codes computed with TZ=UTC."""
    return run_in_zone("UTC")


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
def test_codes_do_not_depend_on_the_time_zone(
    zone: str, utc_rows: list[list[object]]
) -> None:
    """Regression: codes around DST changes must not follow local time.

    A library that goes through naive local datetimes is an hour off for
    the repeated hour of each autumn change. The offsets printed by the
    child show that the zone really took effect on both sides of a change.
    """
    rows = run_in_zone(zone)

    offsets = {row[0] for row in rows}
    assert len(offsets) == 2
    assert {row[0] for row in utc_rows} == {0}
    assert [row[1:] for row in rows] == [row[1:] for row in utc_rows]


def test_codes_around_dst_match_this_process(
    utc_rows: list[list[object]],
) -> None:
    """The child's codes are this process's codes at the same times."""
    totp = TOTP(SHA1_SEED)

    expected = [
        [totp.at(t), totp.at(t), totp.step(t), True] for t in DST_TIMES
    ]

    assert [row[1:] for row in utc_rows] == expected


# Properties.


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=digit_counts,
    period=periods,
    when=st.integers(min_value=0, max_value=2**40),
)
def test_code_is_always_digits_ascii_digits(
    key: bytes, algorithm: str, digits: int, period: int, when: int
) -> None:
    """Every code is exactly ``digits`` ASCII digits, zeros kept."""
    code = TOTP(key, digits, algorithm, period).at(when)

    assert len(code) == digits
    assert code.isascii()
    assert code.isdigit()


@settings(deadline=None)
@given(
    key=keys,
    algorithm=algorithms,
    digits=digit_counts,
    period=periods,
    t0=st.integers(min_value=0, max_value=10**9),
    since=st.integers(min_value=0, max_value=2**36),
    window=st.integers(min_value=0, max_value=3),
    offset=st.integers(min_value=-5, max_value=5),
)
def test_verify_accepts_inside_the_window_and_not_outside(
    *,
    key: bytes,
    algorithm: str,
    digits: int,
    period: int,
    t0: int,
    since: int,
    window: int,
    offset: int,
) -> None:
    """A code from step current + k verifies iff |k| <= window.

    Random codes of different steps can be equal by chance, more often at
    6 digits, so the exact answer is worked out by computing every step of
    the window: the latest whose code is the one typed, or None. When k is
    inside the window the answer is never None and never an earlier step
    than k; outside it, a match can only be an in-window step whose own
    code is the same.
    """
    totp = TOTP(key, digits, algorithm, period, t0)
    now = t0 + since
    current = totp.step(now)
    source = current + offset
    source = max(source, 0)
    code = totp.at_step(source)

    match = totp.verify(code, at=now, window=window)

    assert match == expected_match(totp, code, current, window)
    if abs(source - current) <= window:
        assert match is not None
        assert match.counter >= source
    elif match is not None:
        assert abs(match.counter - current) <= window
        assert match.counter != source
        assert totp.at_step(match.counter) == code
    if match is not None:
        assert match.offset == match.counter - current


def test_repr_names_parameters_only() -> None:
    """The repr shows the parameters and nothing of the key."""
    totp = TOTP(SHA1_SEED, digits=8, algorithm="sha512", period=60, t0=5)

    assert repr(totp) == (
        "TOTP(digits=8, algorithm='sha512', period=60, t0=5)"
    )
