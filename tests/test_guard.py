"""Tests for otpcore.guard: replay, throttling, lock, drift, HOTP resync.

Every behaviour test runs on the three stores through the ``store``
fixture: the memory and SQLite stores apply the policy in Python, Redis in
its Lua twin, so one suite holds both to the same answers.
"""

from __future__ import annotations

import math
import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import _racers
from _stores import FakeClock, RedisServer, redis_store
from _vectors import rfc4226, shared_codes
from otpcore import HOTP, TOTP
from otpcore.errors import (
    InvalidAccountError,
    InvalidCounterError,
    InvalidParameterError,
    InvalidTimeError,
    StoreUnavailableError,
)
from otpcore.guard import (
    DEFAULT_MAX_FAILURES,
    DRIFT_MEMORY,
    MAX_ACCOUNT_LENGTH,
    Guard,
    Policy,
    Reason,
    Verdict,
)
from otpcore.stores import MemoryStore, RedisStore, SQLiteStore, Store

KEY = b"12345678901234567890"
PERIOD = 30
RACERS = 8


@pytest.fixture
def totp() -> TOTP:
    """The RFC 6238 SHA-1 key, 6 digits, 30-second steps."""
    return TOTP(KEY)


@pytest.fixture
def hotp() -> HOTP:
    """The RFC 4226 Appendix D key."""
    return HOTP(rfc4226().secret)


@pytest.fixture
def guard(store: Store, clock: FakeClock) -> Guard:
    """A guard with the default policy on each store, on the fake clock."""
    return Guard(store, clock=clock)


def code_at(totp: TOTP, clock: FakeClock, offset: int = 0) -> str:
    """The code ``offset`` steps from the clock's current step."""
    return totp.at_step(totp.step(clock()) + offset)


def fail(guard: Guard, account: str, otp: TOTP | HOTP) -> Verdict:
    """Submit a code no step of the window carries."""
    verdict = guard.verify(account, otp, "000000")
    assert verdict.reason is not Reason.ACCEPTED
    return verdict


def wrong_code(otp: TOTP | HOTP, clock: FakeClock) -> str:
    """Return a code that matches no step within 110 of the clock's."""
    if isinstance(otp, HOTP):
        near = {otp.at(c) for c in range(1200)}
    else:
        step = otp.step(clock())
        near = {otp.at_step(s) for s in range(step - 110, step + 111)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in near)


# Acceptance and replay (RFC 6238 section 5.2).


def test_a_current_code_is_accepted(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """The code of the current step is accepted and reports that step."""
    verdict = guard.verify("alice", totp, code_at(totp, clock))

    assert verdict.ok
    assert verdict
    assert verdict.reason is Reason.ACCEPTED
    assert verdict.step == totp.step(clock())
    assert verdict.match is not None
    assert verdict.match.offset == 0
    assert (verdict.retry_after, verdict.failures) == (0.0, 0)


def test_a_code_is_accepted_only_once(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """The same code a second time is refused as replayed."""
    code = code_at(totp, clock)
    guard.verify("alice", totp, code)

    clock.advance(1)
    again = guard.verify("alice", totp, code)

    assert not again
    assert again.reason is Reason.REPLAYED
    assert again.failures == 1


def test_an_earlier_step_after_a_later_one_is_replayed(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """Once step T is accepted, the code of T - 1 is refused too."""
    assert guard.verify("alice", totp, code_at(totp, clock, 0))

    verdict = guard.verify("alice", totp, code_at(totp, clock, -1))

    assert verdict.reason is Reason.REPLAYED


def test_the_next_steps_code_is_accepted(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """After a period passes, the new code is accepted."""
    guard.verify("alice", totp, code_at(totp, clock))

    clock.advance(PERIOD)
    verdict = guard.verify("alice", totp, code_at(totp, clock))

    assert verdict.ok


def test_accounts_are_independent(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """A code used by one account is still good for another."""
    code = code_at(totp, clock)
    guard.verify("alice", totp, code)

    assert guard.verify("bob", totp, code).ok


def test_a_shared_code_records_the_latest_step(
    guard: Guard, totp: TOTP
) -> None:
    """Where two steps of the window share a code, the later one is used.

    Steps 153567 and 153569 of the RFC key both give 468457. Recording the
    earlier would let the same code in again one step later.
    """
    shared = shared_codes()
    middle = shared.between * PERIOD

    first = guard.verify("alice", totp, shared.code, at=middle)
    second = guard.verify("alice", totp, shared.code, at=middle + PERIOD)

    assert first.step == shared.last
    assert second.reason is Reason.REPLAYED


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        pytest.param(-2, Reason.WRONG_CODE, id="minus-2"),
        pytest.param(-1, Reason.ACCEPTED, id="minus-1"),
        pytest.param(1, Reason.ACCEPTED, id="plus-1"),
        pytest.param(2, Reason.WRONG_CODE, id="plus-2"),
    ],
)
def test_the_window_is_one_step_each_side(
    guard: Guard,
    totp: TOTP,
    clock: FakeClock,
    offset: int,
    reason: Reason,
) -> None:
    """With no drift recorded, steps T - 1 to T + 1 are accepted."""
    verdict = guard.verify("alice", totp, code_at(totp, clock, offset))

    assert verdict.reason is reason


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("{code}", id="ascii"),
        pytest.param("{head} {tail}", id="grouped"),
        pytest.param("{head}-{tail}", id="hyphen"),
        pytest.param(" {code} ", id="padded"),
    ],
)
def test_codes_are_read_as_typed(
    guard: Guard, totp: TOTP, clock: FakeClock, template: str
) -> None:
    """Spaces and a hyphen between groups, as apps show them, are fine."""
    code = code_at(totp, clock)
    typed = template.format(code=code, head=code[:3], tail=code[3:])

    verdict = guard.verify("alice", totp, typed)

    assert verdict.ok


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("12345", id="short"),
        pytest.param("1234567", id="long"),
        pytest.param("abcdef", id="letters"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param(123456, id="int"),
        pytest.param("-123456", id="sign"),
    ],
)
def test_a_submission_that_is_not_a_code_is_bad_format(
    guard: Guard, totp: TOTP, typed: object
) -> None:
    """Anything but a code is refused as bad_format, and counts."""
    verdict = guard.verify("alice", totp, typed)

    assert verdict.reason is Reason.BAD_FORMAT
    assert verdict.failures == 1


def test_bad_format_can_be_free(
    store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """With count_bad_format=False, a non-code costs no failure."""
    guard = Guard(store, clock=clock, count_bad_format=False)
    for _ in range(10):
        guard.verify("alice", totp, "nope")

    verdict = guard.verify("alice", totp, "nope")

    assert verdict.reason is Reason.BAD_FORMAT
    assert verdict.failures == 0
    assert guard.status("alice").failures == 0


def test_an_accepted_code_clears_failures(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """Success resets the count of consecutive failures."""
    for _ in range(3):
        fail(guard, "alice", totp)

    guard.verify("alice", totp, code_at(totp, clock))

    assert guard.status("alice").failures == 0


# Throttling (RFC 4226 section 7.3) and the lock (NIST SP 800-63B 5.2.2).


def test_the_first_failures_are_free(guard: Guard, totp: TOTP) -> None:
    """Five failures in a row carry no delay."""
    delays = [fail(guard, "alice", totp).retry_after for _ in range(5)]

    assert delays == [0.0] * 5


def test_delays_double_from_the_base_to_the_cap(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """After the free failures, each one doubles the delay up to an hour."""
    for _ in range(5):
        fail(guard, "alice", totp)
    delays = []

    for _ in range(10):
        verdict = fail(guard, "alice", totp)
        delays.append(verdict.retry_after)
        clock.advance(verdict.retry_after)

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_a_throttled_account_does_not_check_the_code(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """While throttled, even the right code is refused, and costs nothing."""
    for _ in range(6):
        fail(guard, "alice", totp)

    clock.advance(29)
    right = guard.verify("alice", totp, code_at(totp, clock))
    wrong = guard.verify("alice", totp, "000000")

    assert right.reason is Reason.THROTTLED
    assert wrong.reason is Reason.THROTTLED
    assert right.retry_after == pytest.approx(1.0)
    assert guard.status("alice").failures == 6


def test_the_right_code_is_accepted_once_the_delay_passed(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """When the delay is over, the code is checked again."""
    for _ in range(6):
        fail(guard, "alice", totp)

    clock.advance(30)
    verdict = guard.verify("alice", totp, code_at(totp, clock))

    assert verdict.ok
    assert guard.status("alice").failures == 0


def _lock(
    guard: Guard, account: str, otp: TOTP | HOTP, clock: FakeClock
) -> Verdict:
    verdict = fail(guard, account, otp)
    while verdict.retry_after != math.inf:
        clock.advance(verdict.retry_after)
        verdict = fail(guard, account, otp)
    return verdict


def test_the_hundredth_failure_locks_the_account(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """100 consecutive failures lock; time does not lift the lock."""
    last = _lock(guard, "alice", totp, clock)

    clock.advance(10 * 365 * 86400)
    verdict = guard.verify("alice", totp, code_at(totp, clock))

    assert last.failures == DEFAULT_MAX_FAILURES
    assert verdict.reason is Reason.LOCKED
    assert verdict.retry_after == math.inf
    assert guard.status("alice").locked


def test_unlock_lifts_the_lock(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """After unlock, the right code is accepted and failures are zero."""
    _lock(guard, "alice", totp, clock)

    guard.unlock("alice")
    verdict = guard.verify("alice", totp, code_at(totp, clock))

    assert verdict.ok
    assert guard.status("alice").failures == 0


def test_unlock_keeps_replay_protection(
    store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """Unlocking does not let an already used code in again."""
    guard = Guard(store, clock=clock, max_failures=3)
    code = code_at(totp, clock)
    guard.verify("alice", totp, code)
    for _ in range(3):
        fail(guard, "alice", totp)

    guard.unlock("alice")

    assert guard.verify("alice", totp, code).reason is Reason.REPLAYED


def test_unlock_of_an_unknown_account_is_harmless(guard: Guard) -> None:
    """Unlocking an account with no state leaves none."""
    guard.unlock("nobody")

    assert guard.status("nobody").failures == 0


def test_a_small_lock_limit(
    store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """max_failures is honoured: three failures lock when it says three."""
    guard = Guard(store, clock=clock, max_failures=3, free_failures=10)

    verdicts = [fail(guard, "alice", totp) for _ in range(3)]

    assert [v.retry_after for v in verdicts] == [0, 0, math.inf]
    assert guard.verify("alice", totp, code_at(totp, clock)).reason is (
        Reason.LOCKED
    )


def test_failures_are_shared_between_totp_and_hotp(
    guard: Guard, totp: TOTP, hotp: HOTP
) -> None:
    """One account has one failure count, whatever kind of code failed."""
    for _ in range(3):
        fail(guard, "alice", totp)

    verdict = guard.verify("alice", hotp, "000000")

    assert verdict.failures == 4


# Drift (RFC 6238 section 6).


def test_drift_is_remembered(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """After a code one step ahead, the window is centred one step ahead."""
    guard.verify("alice", totp, code_at(totp, clock, 1))

    clock.advance(PERIOD)
    ahead = guard.verify("alice", totp, code_at(totp, clock, 2))

    assert guard.status("alice").drift == 2
    assert ahead.ok
    assert ahead.match is not None
    assert ahead.match.offset == 2


def test_the_window_follows_the_drift(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """With drift +1, a code one step behind the clock is out of reach."""
    guard.verify("alice", totp, code_at(totp, clock, 1))
    clock.advance(2 * PERIOD)

    behind = guard.verify("alice", totp, code_at(totp, clock, -1))

    assert behind.reason is Reason.WRONG_CODE


def test_drift_is_bounded(store: Store, totp: TOTP, clock: FakeClock) -> None:
    """A clock running away is followed only up to max_drift steps."""
    guard = Guard(store, clock=clock, max_drift=2)
    for offset in (1, 2, 3):
        clock.advance(PERIOD)
        assert guard.verify("alice", totp, code_at(totp, clock, offset))

    clock.advance(PERIOD)
    beyond = guard.verify("alice", totp, code_at(totp, clock, 4))

    assert guard.status("alice").drift == 2
    assert beyond.reason is Reason.WRONG_CODE


def test_drift_returns_to_zero(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """A code on time again after drift resets the offset to 0."""
    guard.verify("alice", totp, code_at(totp, clock, 1))
    clock.advance(2 * PERIOD)

    guard.verify("alice", totp, code_at(totp, clock, 0))

    assert guard.status("alice").drift == 0


# HOTP (RFC 4226 section 7.4).


def test_hotp_codes_are_accepted_in_order(guard: Guard, hotp: HOTP) -> None:
    """The Appendix D codes, one after another, are all accepted."""
    verdicts = [
        guard.verify("alice", hotp, row.hotp) for row in rfc4226().rows
    ]

    assert [v.step for v in verdicts] == list(range(10))
    assert guard.status("alice").counter == 10


def test_an_hotp_code_is_not_accepted_twice(guard: Guard, hotp: HOTP) -> None:
    """The counter moves past an accepted code, so it is refused after."""
    code = rfc4226().rows[0].hotp
    guard.verify("alice", hotp, code)

    verdict = guard.verify("alice", hotp, code)

    assert verdict.reason is Reason.WRONG_CODE


def test_hotp_look_ahead_skips_unused_codes(guard: Guard, hotp: HOTP) -> None:
    """A code 5 counters ahead is accepted and the counter moves past it."""
    rows = rfc4226().rows

    verdict = guard.verify("alice", hotp, rows[5].hotp)

    assert verdict.step == 5
    assert verdict.match is not None
    assert verdict.match.offset == 5
    assert guard.verify("alice", hotp, rows[4].hotp).reason is (
        Reason.WRONG_CODE
    )
    assert guard.verify("alice", hotp, rows[6].hotp).ok


def test_hotp_look_ahead_is_bounded(
    store: Store, hotp: HOTP, clock: FakeClock
) -> None:
    """A code beyond the look-ahead window is refused."""
    guard = Guard(store, clock=clock, look_ahead=3)
    rows = rfc4226().rows

    beyond = guard.verify("alice", hotp, rows[4].hotp)
    within = guard.verify("alice", hotp, rows[3].hotp)

    assert beyond.reason is Reason.WRONG_CODE
    assert within.step == 3


def test_resync_accepts_two_consecutive_codes_beyond_the_window(
    store: Store, hotp: HOTP, clock: FakeClock
) -> None:
    """RFC 4226 7.4: two codes in a row beyond the window move the counter."""
    guard = Guard(store, clock=clock, look_ahead=2)
    rows = rfc4226().rows

    alone = guard.verify("alice", hotp, rows[7].hotp)
    verdict = guard.resync("alice", hotp, rows[7].hotp, rows[8].hotp)

    assert alone.reason is Reason.WRONG_CODE
    assert verdict.ok
    assert verdict.step == 8
    assert guard.status("alice").counter == 9
    assert guard.verify("alice", hotp, rows[9].hotp).ok


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(7, 9, id="gap"),
        pytest.param(8, 7, id="reversed"),
        pytest.param(7, 7, id="same"),
    ],
)
def test_resync_needs_consecutive_codes(
    guard: Guard, hotp: HOTP, first: int, second: int
) -> None:
    """Codes that are not consecutive, in order, do not resynchronise."""
    rows = rfc4226().rows

    verdict = guard.resync("alice", hotp, rows[first].hotp, rows[second].hotp)

    assert verdict.reason is Reason.WRONG_CODE
    assert guard.status("alice").counter == 0


def test_resync_window_is_bounded(
    store: Store, hotp: HOTP, clock: FakeClock
) -> None:
    """Codes beyond the resync window are refused."""
    guard = Guard(store, clock=clock, resync_window=6)
    rows = rfc4226().rows

    verdict = guard.resync("alice", hotp, rows[7].hotp, rows[8].hotp)

    assert verdict.reason is Reason.WRONG_CODE


def test_resync_cannot_go_back(guard: Guard, hotp: HOTP) -> None:
    """Codes already behind the counter do not resynchronise."""
    rows = rfc4226().rows
    for row in rows[:5]:
        guard.verify("alice", hotp, row.hotp)

    verdict = guard.resync("alice", hotp, rows[2].hotp, rows[3].hotp)

    assert verdict.reason is Reason.WRONG_CODE


def test_resync_with_a_bad_code_is_bad_format(
    guard: Guard, hotp: HOTP
) -> None:
    """A resync where either code is not a code is refused as bad_format."""
    verdict = guard.resync("alice", hotp, rfc4226().rows[0].hotp, "x")

    assert verdict.reason is Reason.BAD_FORMAT


def test_resync_is_throttled(guard: Guard, hotp: HOTP) -> None:
    """A throttled account cannot resynchronise either."""
    rows = rfc4226().rows
    for _ in range(6):
        fail(guard, "alice", hotp)

    verdict = guard.resync("alice", hotp, rows[0].hotp, rows[1].hotp)

    assert verdict.reason is Reason.THROTTLED


def test_reset_sets_the_hotp_counter(guard: Guard, hotp: HOTP) -> None:
    """reset(counter=n) makes n the next counter expected."""
    rows = rfc4226().rows

    guard.reset("alice", counter=8)

    assert guard.verify("alice", hotp, rows[7].hotp).reason is (
        Reason.WRONG_CODE
    )
    assert guard.verify("alice", hotp, rows[8].hotp).ok


def test_reset_forgets_everything(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """After reset, the account has no failures, lock or last step."""
    _lock(guard, "alice", totp, clock)

    guard.reset("alice")

    status = guard.status("alice")
    assert (status.failures, status.locked, status.last_step) == (
        0,
        False,
        None,
    )


# Expiry of state.


def _ttl(store: Store, account: str, clock: FakeClock) -> float | None:
    """Seconds the account's record has left, or None if it never expires."""
    key = f"guard:{{{account}}}"
    if isinstance(store, RedisStore):
        ttl = store.client.pttl(store.key(key))
        assert ttl != -2, "the record is missing"
        return None if ttl == -1 else ttl / 1000
    if isinstance(store, MemoryStore):
        entry = store._data[key]
        return None if entry[1] is None else entry[1] - clock()
    assert isinstance(store, SQLiteStore)
    with sqlite3.connect(store.path) as db:
        (expires,) = db.execute(
            "SELECT expires_at FROM otpcore_records WHERE key = ?", (key,)
        ).fetchone()
    return None if expires is None else expires - clock()


def test_a_clean_totp_record_expires_when_no_window_can_reach_it(
    guard: Guard, store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """Replay state lives until its step leaves every possible window."""
    step = totp.step(clock())
    guard.verify("alice", totp, code_at(totp, clock))

    ttl = _ttl(store, "alice", clock)

    # Step T may be matched until step T + window + max_drift = T + 6 ends.
    assert ttl == pytest.approx((step + 7) * PERIOD - clock(), abs=1)


def test_a_drifting_account_is_remembered_for_long(
    guard: Guard, store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """A record with a drift lives for DRIFT_MEMORY."""
    guard.verify("alice", totp, code_at(totp, clock, 1))

    assert _ttl(store, "alice", clock) == pytest.approx(DRIFT_MEMORY, abs=1)


@pytest.mark.parametrize("kind", ["failure", "hotp"])
def test_state_that_matters_never_expires(
    store: Store, totp: TOTP, clock: FakeClock, kind: str
) -> None:
    """Failures and HOTP counters are kept until cleared."""
    guard = Guard(store, clock=clock)
    guard.verify("alice", totp, code_at(totp, clock))
    if kind == "failure":
        fail(guard, "alice", totp)
    else:
        hotp = HOTP(rfc4226().secret)
        guard.verify("alice", hotp, rfc4226().rows[0].hotp)

    assert _ttl(store, "alice", clock) is None


def test_expired_replay_state_does_not_readmit_the_code(
    store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """Once the record may expire, the old code is outside every window."""
    guard = Guard(store, clock=clock)
    code = code_at(totp, clock)
    guard.verify("alice", totp, code)

    clock.advance(7 * PERIOD)
    verdict = guard.verify("alice", totp, code)

    assert guard.status("alice").failures == 1
    assert verdict.reason is Reason.WRONG_CODE


# Arguments.


@pytest.mark.parametrize(
    "account",
    [
        pytest.param("", id="empty"),
        pytest.param("a" * (MAX_ACCOUNT_LENGTH + 1), id="too-long"),
        pytest.param("a\nb", id="newline"),
        pytest.param("\x00", id="nul"),
        pytest.param("al\ud800ice", id="lone-surrogate"),
        pytest.param(17, id="int"),
        pytest.param(None, id="none"),
    ],
)
def test_bad_account_ids_are_refused(
    totp: TOTP, clock: FakeClock, account: object
) -> None:
    """Account ids are non-empty str of bounded length, no controls."""
    guard = Guard(MemoryStore(), clock=clock)

    with pytest.raises(InvalidAccountError, match=r"^account: "):
        guard.verify(account, totp, "123456")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "account",
    [
        pytest.param("a" * MAX_ACCOUNT_LENGTH, id="longest"),
        pytest.param("user:{17}", id="braces"),
        pytest.param("ünïcødé 名前", id="unicode"),
    ],
)
def test_unusual_account_ids_work(
    guard: Guard, totp: TOTP, clock: FakeClock, account: str
) -> None:
    """Any printable id up to the bound has its own state."""
    code = code_at(totp, clock)

    assert guard.verify(account, totp, code).ok
    assert guard.verify(account, totp, code).reason is Reason.REPLAYED


def test_without_at_the_totps_clock_is_used(clock: FakeClock) -> None:
    """A guard given no clock reads the TOTP's own clock."""
    totp = TOTP(KEY, clock=clock)
    guard = Guard(MemoryStore())

    verdict = guard.verify("alice", totp, totp.now())

    assert verdict.step == totp.step(clock())


def test_the_guards_clock_wins_over_the_totps(clock: FakeClock) -> None:
    """A clock given to the guard serves every attempt without ``at``."""
    totp = TOTP(KEY, clock=lambda: 0.0)
    guard = Guard(MemoryStore(), clock=clock)

    verdict = guard.verify("alice", totp, totp.at(clock()))

    assert verdict.step == totp.step(clock())


def test_the_otp_must_be_totp_or_hotp(clock: FakeClock) -> None:
    """A guard verifies TOTP and HOTP codes only."""
    guard = Guard(MemoryStore(), clock=clock)

    with pytest.raises(InvalidParameterError, match=r"^otp: "):
        guard.verify("alice", "not an otp", "123456")  # type: ignore[arg-type]


def test_resync_needs_an_hotp(totp: TOTP, clock: FakeClock) -> None:
    """Resynchronising a TOTP is refused."""
    guard = Guard(MemoryStore(), clock=clock)

    with pytest.raises(InvalidParameterError, match=r"^hotp: "):
        guard.resync("alice", totp, "1", "2")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "at",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="inf"),
        pytest.param("now", id="str"),
    ],
)
def test_bad_times_are_refused(totp: TOTP, at: object) -> None:
    """The time of an attempt must be finite Unix seconds."""
    guard = Guard(MemoryStore())

    with pytest.raises(InvalidTimeError):
        guard.verify("alice", totp, "123456", at=at)  # type: ignore[arg-type]


def test_reset_checks_the_counter() -> None:
    """A counter outside 0 to 2**64 - 1 is refused."""
    with pytest.raises(InvalidCounterError):
        Guard(MemoryStore()).reset("alice", counter=-1)


@pytest.mark.parametrize(
    ("limits", "parameter"),
    [
        pytest.param({"window": -1}, "window", id="window-negative"),
        pytest.param({"window": 60, "max_drift": 41}, "max_drift", id="wide"),
        pytest.param({"look_ahead": 1001}, "look_ahead", id="look-ahead"),
        pytest.param({"resync_window": -1}, "resync_window", id="resync"),
        pytest.param({"free_failures": -1}, "free_failures", id="free"),
        pytest.param({"max_failures": 0}, "max_failures", id="max-failures"),
        pytest.param({"base_delay": -1.0}, "base_delay", id="base-delay"),
        pytest.param({"max_delay": 1.0}, "max_delay", id="cap-below-base"),
        pytest.param({"base_delay": math.nan}, "base_delay", id="nan"),
        pytest.param({"window": True}, "window", id="bool"),
        pytest.param({"count_bad_format": 1}, "count_bad_format", id="flag"),
        pytest.param({"clock": 1.0}, "clock", id="clock"),
    ],
)
def test_limits_out_of_range_are_refused(
    limits: dict[str, Any], parameter: str
) -> None:
    """Each limit is checked at construction, and the error names it."""
    with pytest.raises(InvalidParameterError) as caught:
        Guard(MemoryStore(), **limits)

    assert caught.value.parameter == parameter


def test_the_store_must_be_a_store() -> None:
    """Passing something that is not a store fails at construction."""
    with pytest.raises(InvalidParameterError, match=r"^store: "):
        Guard("otp.sqlite3")  # type: ignore[arg-type]


def test_policy_delay_describes_the_schedule() -> None:
    """Policy.delay gives the wait after n failures, as verify applies it."""
    policy = Policy()

    delays = [policy.delay(n) for n in (1, 5, 6, 7, 13, 99, 100)]

    assert delays == [0, 0, 30, 60, 3600, 3600, math.inf]


def test_verdict_repr_shows_no_code(
    guard: Guard, totp: TOTP, clock: FakeClock
) -> None:
    """A verdict's repr carries the outcome, never the submitted code."""
    code = code_at(totp, clock)

    text = repr(guard.verify("alice", totp, code))

    assert code not in text
    assert text.startswith("Verdict(ok=True, reason='accepted'")


# Atomicity: N racers, one acceptance.


def test_threads_racing_with_one_code_get_one_acceptance(
    store: Store, totp: TOTP, clock: FakeClock
) -> None:
    """Of eight threads submitting the same valid code, exactly one wins."""
    guard = Guard(store, clock=clock, free_failures=RACERS)
    code = code_at(totp, clock)
    barrier = threading.Barrier(RACERS)
    verdicts: list[Verdict] = []

    def race() -> None:
        barrier.wait()
        verdicts.append(guard.verify("alice", totp, code))

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    reasons = sorted(v.reason.value for v in verdicts)
    assert reasons == ["accepted"] + ["replayed"] * (RACERS - 1)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_processes_racing_with_one_code_get_one_acceptance(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    """Of eight processes submitting the same code, exactly one wins."""
    if kind == "sqlite":
        spec = ("sqlite", str(tmp_path / "guard.sqlite3"), "")
    else:
        spec = ("redis", redis_server.url, redis_store(redis_server).prefix)
    _racers.open_store(*spec).update("warm-up", lambda r: (r, None))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(RACERS)
    results = context.Queue()
    workers = [
        context.Process(
            target=_racers.verify_once, args=(spec, barrier, results, RACERS)
        )
        for _ in range(RACERS)
    ]

    for worker in workers:
        worker.start()
    reasons = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)

    assert reasons == ["accepted"] + ["replayed"] * (RACERS - 1)


def test_threads_racing_with_hotp_get_one_acceptance(
    store: Store, hotp: HOTP, clock: FakeClock
) -> None:
    """Of eight threads submitting one HOTP code, exactly one wins."""
    guard = Guard(store, clock=clock)
    code = rfc4226().rows[3].hotp
    barrier = threading.Barrier(RACERS)
    verdicts: list[Verdict] = []

    def race() -> None:
        barrier.wait()
        verdicts.append(guard.verify("alice", hotp, code))

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(v.ok for v in verdicts) == 1
    assert guard.status("alice").counter == 4


# Cost: one transaction or one round trip per verification.


def test_sqlite_verification_is_one_transaction(
    tmp_path: Path, totp: TOTP, clock: FakeClock
) -> None:
    """A guarded verification on SQLite begins exactly one transaction."""
    store = SQLiteStore(tmp_path / "guard.sqlite3", clock=clock)
    guard = Guard(store, clock=clock)
    guard.status("warm-up")
    statements: list[str] = []
    store._connection().set_trace_callback(statements.append)

    guard.verify("alice", totp, code_at(totp, clock))
    guard.verify("alice", totp, "000000")

    begins = [s for s in statements if s.startswith("BEGIN")]
    commits = [s for s in statements if s.startswith("COMMIT")]
    assert (len(begins), len(commits)) == (2, 2)


def _commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items()}


@pytest.mark.parametrize("otp_kind", ["totp", "hotp"])
def test_redis_verification_is_one_round_trip(
    redis_server_factory: Any,
    totp: TOTP,
    hotp: HOTP,
    clock: FakeClock,
    otp_kind: str,
) -> None:
    """A guarded verification on Redis is one EVALSHA and nothing else.

    Redis counts the commands a script runs too: each EVALSHA here runs
    one GET and one SET inside the script, so any extra round trip would
    show up as a further GET, SET or EVALSHA.
    """
    server = redis_server_factory()
    store = redis_store(server)
    guard = Guard(store, clock=clock)
    otp: TOTP | HOTP = totp if otp_kind == "totp" else hotp
    guard.verify("warm-up", otp, "000000")
    client = redis.Redis(host=server.host, port=server.port)
    client.config_resetstat()

    for i in range(5):
        code = code_at(totp, clock) if otp_kind == "totp" else hotp.at(i)
        assert guard.verify("alice", otp, code).ok
        clock.advance(PERIOD)

    calls = _commands(client)
    calls.pop("cmdstat_config|resetstat", None)
    calls.pop("cmdstat_info", None)
    assert calls == {
        "cmdstat_evalsha": 5,
        "cmdstat_get": 5,
        "cmdstat_set": 5,
    }


def test_redis_hotp_recovers_from_a_stale_counter(
    redis_server: RedisServer, hotp: HOTP, clock: FakeClock
) -> None:
    """A guard whose idea of the counter is old still gets it right."""
    store = redis_store(redis_server)
    behind = Guard(store, clock=clock)
    ahead = Guard(store, clock=clock)
    rows = rfc4226().rows
    behind.verify("alice", hotp, rows[0].hotp)
    for row in rows[1:5]:
        ahead.verify("alice", hotp, row.hotp)

    verdict = behind.verify("alice", hotp, rows[5].hotp)

    assert verdict.step == 5


# Faults: a store that cannot be reached accepts nothing.


def test_redis_stopped_mid_test_accepts_nothing(
    redis_server_factory: Any, totp: TOTP, clock: FakeClock
) -> None:
    """With Redis gone, verify raises StoreUnavailableError."""
    server = redis_server_factory()
    guard = Guard(redis_store(server), clock=clock)
    assert guard.verify("alice", totp, code_at(totp, clock)).ok
    clock.advance(PERIOD)

    server.stop()

    with pytest.raises(StoreUnavailableError):
        guard.verify("alice", totp, code_at(totp, clock))


def test_read_only_sqlite_accepts_nothing(
    tmp_path: Path, totp: TOTP, clock: FakeClock
) -> None:
    """A read-only database refuses the verification, clearly.

    The file is opened with the URI ``mode=ro``, which stops writes even
    for root (a chmod would not).
    """
    path = tmp_path / "guard.sqlite3"
    Guard(SQLiteStore(path, clock=clock), clock=clock).status("alice")
    read_only = SQLiteStore(f"file:{path}?mode=ro", uri=True, clock=clock)
    guard = Guard(read_only, clock=clock)

    with pytest.raises(StoreUnavailableError, match="read-only"):
        guard.verify("alice", totp, code_at(totp, clock))

    writable = Guard(SQLiteStore(path, clock=clock), clock=clock)
    assert writable.verify("alice", totp, code_at(totp, clock)).ok


def test_locked_sqlite_accepts_nothing_and_loses_nothing(
    tmp_path: Path, totp: TOTP, clock: FakeClock
) -> None:
    """A lock held past the busy timeout refuses; nothing is lost."""
    path = tmp_path / "guard.sqlite3"
    guard = Guard(SQLiteStore(path, timeout=0.05, clock=clock), clock=clock)
    for _ in range(2):
        fail(guard, "alice", totp)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    try:
        with pytest.raises(StoreUnavailableError, match="busy timeout"):
            guard.verify("alice", totp, code_at(totp, clock))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert guard.status("alice").failures == 2
    assert guard.verify("alice", totp, code_at(totp, clock)).ok


# The policy against a model, in a state machine.


class Model:
    """The policy as the documentation states it, written plainly."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.last: int | None = None
        self.drift = 0
        self.failures = 0
        self.until = 0.0
        self.locked = False

    def fail(self, reason: Reason, now: float) -> tuple[Reason, float]:
        self.failures += 1
        delay = self.policy.delay(self.failures)
        self.locked = delay == math.inf
        self.until = now + delay if 0 < delay < math.inf else 0.0
        return reason, delay

    def verify(
        self, totp: TOTP, code: str | None, now: float
    ) -> tuple[Reason, float]:
        if self.locked:
            return Reason.LOCKED, math.inf
        if now < self.until:
            return Reason.THROTTLED, self.until - now
        if code is None:
            return self.fail(Reason.BAD_FORMAT, now)
        current = totp.step(now)
        window = self.policy.window
        centre = current + self.drift
        steps = [
            s
            for s in range(centre - window, centre + window + 1)
            if s >= 0 and totp.at_step(s) == code
        ]
        if not steps:
            return self.fail(Reason.WRONG_CODE, now)
        if self.last is not None and steps[-1] <= self.last:
            return self.fail(Reason.REPLAYED, now)
        self.last = steps[-1]
        bound = self.policy.max_drift
        self.drift = max(-bound, min(bound, steps[-1] - current))
        self.failures, self.until = 0, 0.0
        return Reason.ACCEPTED, 0.0

    def unlock(self) -> None:
        self.failures, self.until, self.locked = 0, 0.0, False


class GuardMachine(RuleBasedStateMachine):
    """Random sequences of codes, waits and unlocks, guard against model."""

    store_factory: Any = staticmethod(MemoryStore)

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.totp = TOTP(KEY)
        self.guard = Guard(
            self.store_factory(),
            clock=self.clock,
            max_failures=12,
            free_failures=2,
            base_delay=10,
            max_delay=80,
            max_drift=3,
        )
        self.model = Model(self.guard.policy)

    @initialize(start=st.integers(0, 10**9))
    def start(self, start: int) -> None:
        self.clock.now = 1_000_000_000 + start

    def check(self, code: str | None, typed: object) -> None:
        now = self.clock()
        verdict = self.guard.verify("alice", self.totp, typed)
        expected, retry = self.model.verify(self.totp, code, now)
        assert verdict.reason is expected
        assert verdict.retry_after == pytest.approx(retry, abs=1e-3)

    @rule(offset=st.integers(-5, 5))
    def submit_code(self, offset: int) -> None:
        code = self.totp.at_step(self.totp.step(self.clock()) + offset)
        self.check(code, code)

    @rule(number=st.integers(0, 999_999))
    def submit_guess(self, number: int) -> None:
        self.check(f"{number:06d}", f"{number:06d}")

    @rule(typed=st.sampled_from(["", "12345", "abcdef", "1234567"]))
    def submit_junk(self, typed: str) -> None:
        self.check(None, typed)

    # Whole seconds: the guard counts milliseconds, the model floats, and
    # only a boundary finer than both could tell them apart.
    @rule(seconds=st.integers(0, 200))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule()
    def unlock(self) -> None:
        self.guard.unlock("alice")
        self.model.unlock()

    @invariant()
    def status_agrees(self) -> None:
        status = self.guard.status("alice", at=self.clock())
        assert status.failures == self.model.failures
        assert status.locked == self.model.locked
        assert status.drift == self.model.drift
        assert status.last_step == self.model.last


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_guard_matches_the_model(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    """Random sequences give the model's verdicts, on every store."""
    counter = iter(range(10**6))

    def make() -> Store:
        if kind == "memory":
            return MemoryStore()
        if kind == "sqlite":
            return SQLiteStore(tmp_path / f"m{next(counter)}.sqlite3")
        return redis_store(redis_server)

    class Machine(GuardMachine):
        store_factory = staticmethod(make)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40 if kind == "memory" else 15,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
