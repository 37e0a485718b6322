"""The verification policy: replay protection, throttling, drift, resync.

:meth:`TOTP.verify <otpcore.TOTP.verify>` and :meth:`HOTP.verify
<otpcore.HOTP.verify>` only do arithmetic. The RFCs ask a verifier for
more, and :class:`Guard` does it, per account, with its state in a store:

- a code once accepted is refused after (RFC 6238 section 5.2): the guard
  keeps the last accepted time step, or the next HOTP counter;
- guessing is slowed (RFC 4226 section 7.3): a few failures are free, then
  each one doubles a delay during which no code is even checked, and 100
  consecutive failures lock the account until :meth:`Guard.unlock`
  (NIST SP 800-63B section 5.2.2);
- a token whose clock drifts is followed (RFC 6238 section 6): the window
  is centred on the offset of the account's last accepted code;
- an HOTP token that ran ahead is found again (RFC 4226 section 7.4): a
  look-ahead window, and :meth:`Guard.resync` with two consecutive codes.

Each verification is one atomic store operation: one lock on a
:class:`~otpcore.stores.MemoryStore`, one ``BEGIN IMMEDIATE`` transaction
on an :class:`~otpcore.stores.SQLiteStore`, one script call (EVALSHA) on a
:class:`~otpcore.stores.RedisStore`. Two requests racing with the same
code get one acceptance. If the store cannot be reached, the guard raises
:class:`~otpcore.errors.StoreUnavailableError` and accepts nothing.

>>> from otpcore import TOTP
>>> from otpcore.guard import Guard
>>> from otpcore.stores import MemoryStore
>>> totp = TOTP(b"12345678901234567890")
>>> guard = Guard(MemoryStore())
>>> guard.verify("alice", totp, totp.at(1_000_000), at=1_000_000)
Verdict(ok=True, reason='accepted', retry_after=0.0, step=33333, failures=0)
>>> guard.verify("alice", totp, totp.at(1_000_000), at=1_000_001).reason
<Reason.REPLAYED: 'replayed'>
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from hmac import compare_digest
from typing import Any, Final

from otpcore._otp import (
    MAX_COUNTER,
    Match,
    OtpGenerator,
    check_counter,
    unix_seconds,
)
from otpcore.errors import (
    InvalidAccountError,
    InvalidParameterError,
    StoreError,
    StoreUnavailableError,
)
from otpcore.hotp import HOTP, MAX_LOOK_AHEAD
from otpcore.stores import RedisStore, Store
from otpcore.stores._base import check_int, check_seconds
from otpcore.stores._redis import load_script
from otpcore.totp import MAX_WINDOW, TOTP

__all__ = [
    "DEFAULT_BASE_DELAY",
    "DEFAULT_FREE_FAILURES",
    "DEFAULT_LOOK_AHEAD",
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MAX_DRIFT",
    "DEFAULT_MAX_FAILURES",
    "DEFAULT_RESYNC_WINDOW",
    "DEFAULT_WINDOW",
    "DRIFT_MEMORY",
    "MAX_ACCOUNT_LENGTH",
    "AccountStatus",
    "Guard",
    "Policy",
    "Reason",
    "Verdict",
    "check_account",
]

#: RFC 6238 section 5.2 recommends at most one time step of network delay.
DEFAULT_WINDOW: Final = 1
#: RFC 6238 section 6 asks the verifier to remember a token's drift; it
#: sets no bound. Five 30-second steps follow a clock up to 2.5 minutes
#: off; a clock further off is a device to fix, not to follow.
DEFAULT_MAX_DRIFT: Final = 5
#: RFC 4226 section 7.4 asks for a look-ahead window and sets no size. Ten
#: unused button presses are forgiven; each counter in the window adds one
#: chance in 10**digits to a guess.
DEFAULT_LOOK_AHEAD: Final = 10
#: RFC 4226 section 7.4: how far beyond the expected counter two
#: consecutive codes may resynchronise the token. Two codes in a row
#: matching by chance is one in 10**12 per counter, so a wide search is
#: safe; the bound caps the HMACs one request may cost.
DEFAULT_RESYNC_WINDOW: Final = 100
#: Failures answered without delay, for mistyped codes (RFC 4226 section
#: 7.3 leaves the threshold to the implementer).
DEFAULT_FREE_FAILURES: Final = 5
#: NIST SP 800-63B section 5.2.2 suggests making the user wait after a
#: failure, longer as the account nears its limit, from 30 seconds up to an
#: hour; the delay doubles from the first to the last.
DEFAULT_BASE_DELAY: Final = 30.0
DEFAULT_MAX_DELAY: Final = 3600.0
#: NIST SP 800-63B section 5.2.2: no more than 100 consecutive failed
#: attempts on one account.
DEFAULT_MAX_FAILURES: Final = 100
#: How long a remembered drift outlives the account's last login.
DRIFT_MEMORY: Final = 365 * 24 * 3600.0
#: Account ids become store keys; the bound keeps one from swamping a key.
MAX_ACCOUNT_LENGTH: Final = 256

_MS: Final = 1000
# Unicode category Cc: the C0 and C1 control characters and DEL.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Beyond 2**62 times the base, any delay is the cap anyway; the bound keeps
# the Lua twin's arithmetic in exact doubles.
_MAX_DOUBLINGS: Final = 62
# Attempts at a Redis HOTP verification whose counter moved under it.
_STALE_ATTEMPTS: Final = 4
# Accounts whose HOTP counter the guard remembers, to call Redis once.
_HINTS: Final = 4096
_SCRIPT: Final = load_script("guard.lua")
_TOTP: Final = "totp"
_HOTP: Final = "hotp"


class Reason(StrEnum):
    """Why a verification was accepted or refused."""

    ACCEPTED = "accepted"
    """The code matched a step or counter not used before."""
    WRONG_CODE = "wrong_code"
    """The code matches nothing in the window."""
    REPLAYED = "replayed"
    """The code matches a time step at or before the last one accepted."""
    THROTTLED = "throttled"
    """Too many recent failures; the code was not checked."""
    LOCKED = "locked"
    """Too many consecutive failures; only an unlock lifts this."""
    BAD_FORMAT = "bad_format"
    """The submission is not a code of the right length."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one verification; true only when the code is accepted.

    Attributes:
        reason: Why: accepted, or which refusal.
        retry_after: Seconds before another attempt will be considered: 0
            when one may follow at once, ``math.inf`` once locked.
        match: The step or counter that matched and its offset from the
            expected one; None unless accepted.
        failures: Consecutive failures on the account after this attempt.
    """

    reason: Reason
    retry_after: float = 0.0
    match: Match | None = None
    failures: int = 0

    @property
    def ok(self) -> bool:
        """Whether the code was accepted."""
        return self.reason is Reason.ACCEPTED

    @property
    def step(self) -> int | None:
        """The TOTP time step or HOTP counter accepted, or None."""
        return None if self.match is None else self.match.counter

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return (
            f"Verdict(ok={self.ok}, reason={self.reason.value!r}, "
            f"retry_after={self.retry_after}, step={self.step}, "
            f"failures={self.failures})"
        )


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """What the guard remembers about one account.

    Attributes:
        failures: Consecutive failed attempts.
        locked: Whether the account is locked until :meth:`Guard.unlock`.
        retry_after: Seconds of throttling left (``math.inf`` if locked).
        last_step: The last TOTP time step accepted, or None.
        drift: The TOTP offset, in steps, the window is centred on.
        counter: The next HOTP counter expected.
    """

    failures: int
    locked: bool
    retry_after: float
    last_step: int | None
    drift: int
    counter: int


@dataclass(frozen=True, slots=True)
class Policy:
    """The limits a :class:`Guard` applies; see the constants' sources.

    Attributes:
        window: TOTP steps accepted each side of the centre.
        max_drift: The largest TOTP drift followed, in steps.
        look_ahead: HOTP counters accepted after the expected one.
        resync_window: How far :meth:`Guard.resync` searches.
        free_failures: Failures answered without a delay.
        base_delay: Seconds of the first delay; it doubles with each
            further failure.
        max_delay: The longest delay, in seconds.
        max_failures: Consecutive failures that lock the account.
        count_bad_format: Whether a submission that is not a code counts
            as a failure.

    Raises:
        InvalidParameterError: A limit is out of range (the message names
            it).
    """

    window: int = DEFAULT_WINDOW
    max_drift: int = DEFAULT_MAX_DRIFT
    look_ahead: int = DEFAULT_LOOK_AHEAD
    resync_window: int = DEFAULT_RESYNC_WINDOW
    free_failures: int = DEFAULT_FREE_FAILURES
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    max_failures: int = DEFAULT_MAX_FAILURES
    count_bad_format: bool = True

    def __post_init__(self) -> None:
        check_int("window", self.window, 0)
        check_int("max_drift", self.max_drift, 0)
        if self.window + self.max_drift > MAX_WINDOW:
            raise InvalidParameterError(
                "max_drift",
                f"window + max_drift must be at most {MAX_WINDOW}, got "
                f"{self.window + self.max_drift}",
            )
        for name, value in (
            ("look_ahead", self.look_ahead),
            ("resync_window", self.resync_window),
        ):
            if check_int(name, value, 0) > MAX_LOOK_AHEAD:
                raise InvalidParameterError(
                    name, f"must be at most {MAX_LOOK_AHEAD}, got {value}"
                )
        check_int("free_failures", self.free_failures, 0)
        check_int("max_failures", self.max_failures, 1)
        base = check_seconds("base_delay", self.base_delay)
        if check_seconds("max_delay", self.max_delay) < base:
            raise InvalidParameterError(
                "max_delay", "must be at least base_delay"
            )
        flag: object = self.count_bad_format
        if not isinstance(flag, bool):
            raise InvalidParameterError(
                "count_bad_format",
                f"expected a bool, got {type(flag).__name__}",
            )

    def delay(self, failures: int) -> float:
        """Return the seconds to wait after ``failures`` consecutive ones."""
        if failures <= self.free_failures:
            return 0.0
        if failures >= self.max_failures:
            return math.inf
        return _delay_ms(self, failures) / _MS


def _delay_ms(policy: Policy, failures: int) -> int:
    doublings = min(failures - policy.free_failures - 1, _MAX_DOUBLINGS)
    base = round(policy.base_delay * _MS)
    return min(base << doublings, round(policy.max_delay * _MS))


def check_account(account: object) -> str:
    """Return ``account`` if it can name an account's state.

    Raises:
        InvalidAccountError: It is not a str of 1 to 256 characters, or it
            holds a control character.
    """
    if not isinstance(account, str):
        raise InvalidAccountError(
            "account", f"expected a str, got {type(account).__name__}"
        )
    if not 0 < len(account) <= MAX_ACCOUNT_LENGTH:
        raise InvalidAccountError(
            "account",
            f"must have 1 to {MAX_ACCOUNT_LENGTH} characters, got "
            f"{len(account)}",
        )
    if _CONTROL.search(account):
        raise InvalidAccountError(
            "account", "must not contain control characters"
        )
    if not _encodable(account):
        raise InvalidAccountError(
            "account", "must be valid Unicode text (no lone surrogates)"
        )
    return account


def _encodable(text: str) -> bool:
    """Whether ``text`` can be stored: stores write UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key(account: str) -> str:
    # The braces make the account a Redis hash tag, so one account's keys
    # share a Redis Cluster slot.
    return f"guard:{{{account}}}"


# The policy as a pure function, shared by the memory and SQLite stores;
# stores/guard.lua is its twin for Redis.


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One submission, with everything the policy needs but the state."""

    kind: str
    now_ms: int
    readable: bool
    # TOTP: the current time step. HOTP: unused.
    current: int
    # Returns the counters in first..last whose code the submission
    # matches (for a resync, whose pair of codes starts there).
    scan: Callable[[int, int], list[int]]
    # TOTP: Unix ms when a record whose last step is ``step`` and whose
    # drift is ``drift`` may be forgotten.
    expiry: Callable[[int, int], int]
    resync: bool = False


@dataclass(frozen=True, slots=True)
class _Outcome:
    reason: Reason
    retry_ms: float = 0
    failures: int = 0
    counter: int | None = None
    offset: int = 0


def _clamp(value: int, bound: int) -> int:
    return max(-bound, min(bound, value))


def _decide(
    record: dict[str, Any] | None, attempt: _Attempt, policy: Policy
) -> tuple[dict[str, Any] | None, _Outcome]:
    """Apply the policy to one attempt; return the new record and outcome.

    Returns ``record`` itself when nothing changes, so the store writes
    nothing.
    """
    state: dict[str, Any] = record or {}
    failures = int(state.get("fails", 0))
    if state.get("locked"):
        return record, _Outcome(Reason.LOCKED, math.inf, failures)
    until = int(state.get("until", 0))
    if attempt.now_ms < until:
        return record, _Outcome(
            Reason.THROTTLED, until - attempt.now_ms, failures
        )
    if not attempt.readable:
        if policy.count_bad_format:
            return _fail(state, Reason.BAD_FORMAT, attempt, policy)
        return record, _Outcome(Reason.BAD_FORMAT, 0, failures)

    decide = _decide_totp if attempt.kind == _TOTP else _decide_hotp
    return decide(state, attempt, policy)


def _decide_totp(
    state: dict[str, Any], attempt: _Attempt, policy: Policy
) -> tuple[dict[str, Any], _Outcome]:
    drift = _clamp(int(state.get("drift", 0)), policy.max_drift)
    centre = attempt.current + drift
    first = max(centre - policy.window, 0)
    last = min(centre + policy.window, MAX_COUNTER)
    found = attempt.scan(first, last) if first <= last else []
    if not found:
        return _fail(state, Reason.WRONG_CODE, attempt, policy)
    # The latest step carrying the code, so that replay protection cannot
    # be walked backwards when two steps of the window share a code.
    step = found[-1]
    if "last" in state and step <= int(state["last"]):
        return _fail(state, Reason.REPLAYED, attempt, policy)

    new = _cleared(state)
    new["last"] = str(step)
    offset = step - attempt.current
    drift = _clamp(offset, policy.max_drift)
    if drift:
        new["drift"] = drift
    else:
        new.pop("drift", None)
    if "counter" in new:
        new.pop("expires", None)
    else:
        new["expires"] = attempt.expiry(step, drift)
    return new, _Outcome(Reason.ACCEPTED, counter=step, offset=offset)


def _decide_hotp(
    state: dict[str, Any], attempt: _Attempt, policy: Policy
) -> tuple[dict[str, Any], _Outcome]:
    expected = int(state.get("counter", "0"))
    reach = policy.resync_window if attempt.resync else policy.look_ahead
    last = min(expected + reach, MAX_COUNTER)
    found = attempt.scan(expected, last) if expected <= last else []
    if not found:
        return _fail(state, Reason.WRONG_CODE, attempt, policy)

    # A resync matched two codes; the counter moves past the second.
    used = found[-1] + (1 if attempt.resync else 0)
    new = _cleared(state)
    new["counter"] = str(used + 1)
    new.pop("expires", None)
    return new, _Outcome(Reason.ACCEPTED, counter=used, offset=used - expected)


def _cleared(state: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in state.items()
        if name not in {"fails", "until", "locked"}
    }


def _fail(
    state: dict[str, Any], reason: Reason, attempt: _Attempt, policy: Policy
) -> tuple[dict[str, Any], _Outcome]:
    new = dict(state)
    failures = int(state.get("fails", 0)) + 1
    new["fails"] = failures
    new.pop("expires", None)
    new.pop("until", None)
    retry: float = 0
    if failures >= policy.max_failures:
        new["locked"] = True
        retry = math.inf
    elif failures > policy.free_failures:
        retry = _delay_ms(policy, failures)
        new["until"] = attempt.now_ms + retry
    return new, _Outcome(reason, retry, failures)


def _record_ttl(now_ms: int) -> Callable[[dict[str, Any]], float | None]:
    def ttl(record: dict[str, Any]) -> float | None:
        if "expires" not in record:
            return None
        return max(int(record["expires"]) - now_ms, 1) / _MS

    return ttl


def _matches(
    otp: OtpGenerator, typed: str, first: int, last: int
) -> list[int]:
    """Return the counters in first..last whose code is ``typed``.

    Every counter is computed and compared, so the time taken does not
    depend on where, or whether, the code matches.
    """
    code = otp._code
    return [
        c for c in range(first, last + 1) if compare_digest(code(c), typed)
    ]


def _pairs(
    otp: OtpGenerator, first_code: str, second_code: str, first: int, last: int
) -> list[int]:
    """Return each counter in first..last that starts the pair of codes.

    Like :func:`_matches`, every counter is computed and compared.
    """
    codes = [
        otp._code(c) for c in range(first, min(last + 1, MAX_COUNTER) + 1)
    ]
    found = []
    for i in range(len(codes) - 1):
        one = compare_digest(codes[i], first_code)
        two = compare_digest(codes[i + 1], second_code)
        if one & two:
            found.append(first + i)
    return found


class Guard:
    """Verifies codes with replay protection, throttling, drift and resync.

    One guard serves any number of accounts; their state lives in
    ``store``, so several guards (threads, processes, servers) sharing a
    store share the accounts. Build the guard once and keep it.

    Args:
        store: Where state lives: a :class:`~otpcore.stores.MemoryStore`
            (one process), :class:`~otpcore.stores.SQLiteStore` (one host)
            or :class:`~otpcore.stores.RedisStore` (many hosts).
        window: TOTP steps accepted each side of the centre (1).
        max_drift: The largest TOTP drift followed, in steps (5).
        look_ahead: HOTP counters accepted after the expected one (10).
        resync_window: How far :meth:`resync` searches (100).
        free_failures: Failures answered without a delay (5).
        base_delay: Seconds of the first delay; it doubles with each
            further failure (30).
        max_delay: The longest delay, in seconds (3600).
        max_failures: Consecutive failures that lock the account (100).
        count_bad_format: Whether a submission that is not a code at all
            counts as a failure (True).
        clock: Returns Unix seconds, for attempts made without ``at``.
            When None (the default), a TOTP's own clock is asked, and
            :func:`time.time` for HOTP; either way one reading serves both
            the time step and the throttle.

    Raises:
        InvalidParameterError: A limit is out of range.
    """

    __slots__ = ("_clock", "_hint_lock", "_hints", "_policy", "_store")

    def __init__(
        self,
        store: Store,
        *,
        window: int = DEFAULT_WINDOW,
        max_drift: int = DEFAULT_MAX_DRIFT,
        look_ahead: int = DEFAULT_LOOK_AHEAD,
        resync_window: int = DEFAULT_RESYNC_WINDOW,
        free_failures: int = DEFAULT_FREE_FAILURES,
        base_delay: float = DEFAULT_BASE_DELAY,
        max_delay: float = DEFAULT_MAX_DELAY,
        max_failures: int = DEFAULT_MAX_FAILURES,
        count_bad_format: bool = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not callable(getattr(store, "update", None)):
            raise InvalidParameterError(
                "store", f"expected a store, got {type(store).__name__}"
            )
        self._store = store
        self._policy = Policy(
            window=window,
            max_drift=max_drift,
            look_ahead=look_ahead,
            resync_window=resync_window,
            free_failures=free_failures,
            base_delay=base_delay,
            max_delay=max_delay,
            max_failures=max_failures,
            count_bad_format=count_bad_format,
        )
        if clock is not None and not callable(clock):
            raise InvalidParameterError(
                "clock", f"expected a callable, got {type(clock).__name__}"
            )
        self._clock = clock
        self._hints: dict[str, int] = {}
        self._hint_lock = threading.Lock()

    @property
    def store(self) -> Store:
        """Where the guard keeps its state."""
        return self._store

    @property
    def policy(self) -> Policy:
        """The limits this guard applies."""
        return self._policy

    def verify(
        self,
        account: str,
        otp: TOTP | HOTP,
        code: object,
        *,
        at: float | None = None,
    ) -> Verdict:
        """Check a code typed for ``account``, and record the outcome.

        The checks, in order: a locked account is refused; a throttled one
        is refused without looking at the code; a submission that is not a
        code is refused (and counts as a failure unless
        ``count_bad_format=False``); then the code is compared with every
        step of the window, in constant time. A TOTP code is accepted only
        for a step later than the last one accepted; an HOTP code moves
        the counter past it. Any refusal but throttled and locked counts
        as a failure; an acceptance clears the failures.

        Args:
            account: The account's id, as the application names it.
            otp: The account's :class:`~otpcore.TOTP` or
                :class:`~otpcore.HOTP`.
            code: What the user typed; never raises on it.
            at: Unix seconds of the attempt; the clock's time when None.

        Returns:
            A :class:`Verdict`, true if and only if the code is accepted.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            InvalidParameterError: ``otp`` is not a TOTP or HOTP.
            InvalidTimeError: ``at`` is not a finite number, or precedes
                the TOTP's t0.
            InvalidCounterError: ``at`` is so far in the future that its
                time step does not fit in 64 bits.
            StoreUnavailableError: The store could not be reached or
                written; nothing was accepted.
        """
        account = check_account(account)
        if not isinstance(otp, TOTP | HOTP):
            raise InvalidParameterError(
                "otp", f"expected a TOTP or HOTP, got {type(otp).__name__}"
            )
        now = self._now(at, otp)
        typed = otp._read(code)
        if isinstance(otp, TOTP):
            return self._verify_totp(account, otp, typed, now)
        return self._verify_hotp(account, otp, typed, now)

    def resync(
        self,
        account: str,
        hotp: HOTP,
        code1: object,
        code2: object,
        *,
        at: float | None = None,
    ) -> Verdict:
        """Resynchronise an HOTP token from two consecutive codes.

        RFC 4226 section 7.4: when a token has run beyond the look-ahead
        window, the user types two codes in a row; if they match two
        consecutive counters within ``resync_window`` of the expected one,
        the counter moves past the second. Throttling and locking apply
        as for :meth:`verify`, and a failed resync counts as a failure.

        Args:
            account: The account's id.
            hotp: The account's :class:`~otpcore.HOTP`.
            code1: The first code typed.
            code2: The code the token showed next.
            at: Unix seconds of the attempt; the clock's time when None.

        Returns:
            A :class:`Verdict` whose match is the second code's counter.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            InvalidParameterError: ``hotp`` is not an HOTP.
            StoreUnavailableError: The store could not be reached or
                written; nothing was accepted.
        """
        account = check_account(account)
        if not isinstance(hotp, HOTP):
            raise InvalidParameterError(
                "hotp", f"expected an HOTP, got {type(hotp).__name__}"
            )
        now = self._now(at, hotp)
        first_code, second_code = hotp._read(code1), hotp._read(code2)
        readable = first_code is not None and second_code is not None

        def scan(first: int, last: int) -> list[int]:
            # Called only when both codes were readable.
            return _pairs(
                hotp, first_code or "", second_code or "", first, last
            )

        attempt = _Attempt(
            _HOTP, _ms(now), readable, 0, scan, _never, resync=True
        )
        verdict = self._apply(account, attempt)
        if isinstance(self._store, RedisStore):
            self._remember(account, verdict, None)
        return verdict

    def unlock(self, account: str) -> None:
        """Clear the account's failures, throttling and lock.

        What protects against replay (the last step, the HOTP counter) and
        the drift are kept. Call it once the user has proved who they are
        another way, such as with a recovery code (with
        :meth:`otpcore.sms.SmsCodes.unlock` when texted codes are on too);
        :meth:`reset` is for a new key, not for this.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached.
        """
        account = check_account(account)

        def change(
            record: dict[str, Any] | None,
        ) -> tuple[dict[str, Any] | None, None]:
            if record is None:
                return None, None
            new = _cleared(record)
            return (new or None), None

        self._store.update(_key(account), change)

    def reset(self, account: str, *, counter: int = 0) -> None:
        """Forget everything about the account, for a new key.

        Call this when the account gets a new secret, never otherwise: it
        drops replay protection, failures and the lock along with the rest.
        An HOTP token provisioned at a counter other than 0 says so here.

        Args:
            account: The account's id.
            counter: The next HOTP counter to expect.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            InvalidCounterError: ``counter`` is out of range.
            StoreUnavailableError: The store could not be reached.
        """
        account = check_account(account)
        start = check_counter(counter)
        record = {"counter": str(start)} if start else None
        self._store.update(_key(account), lambda _: (record, None))
        with self._hint_lock:
            self._hints.pop(account, None)

    def status(
        self, account: str, *, at: float | None = None
    ) -> AccountStatus:
        """Return what the guard remembers about ``account``.

        Raises:
            InvalidAccountError: ``account`` is not a valid id.
            StoreUnavailableError: The store could not be reached.
        """
        account = check_account(account)
        now_ms = _ms(self._now(at, None))
        record = self._store.update(_key(account), _read) or {}
        locked = bool(record.get("locked"))
        until = int(record.get("until", 0))
        return AccountStatus(
            failures=int(record.get("fails", 0)),
            locked=locked,
            retry_after=math.inf if locked else max(until - now_ms, 0) / _MS,
            last_step=int(record["last"]) if "last" in record else None,
            drift=_clamp(int(record.get("drift", 0)), self._policy.max_drift),
            counter=int(record.get("counter", "0")),
        )

    # Internals.

    def _now(self, at: float | None, otp: TOTP | HOTP | None) -> float:
        if at is not None:
            now = at
        elif self._clock is not None:
            now = self._clock()
        elif isinstance(otp, TOTP):
            now = otp.clock()
        else:
            now = time.time()
        unix_seconds(now)
        return float(now)

    def _verify_totp(
        self, account: str, totp: TOTP, typed: str | None, now: float
    ) -> Verdict:
        current = totp.step(now)
        policy = self._policy

        def scan(first: int, last: int) -> list[int]:
            # Called only when the code was readable.
            return _matches(totp, typed or "", first, last)

        def expiry(step: int, drift: int) -> int:
            if drift:
                return _ms(now) + round(DRIFT_MEMORY * _MS)
            # Past this time no window can reach ``step`` again, so the
            # record guards nothing.
            horizon = step + policy.window + policy.max_drift + 1
            return (totp.t0 + horizon * totp.period) * _MS

        attempt = _Attempt(
            _TOTP, _ms(now), typed is not None, current, scan, expiry
        )
        if isinstance(self._store, RedisStore):
            reach = policy.window + policy.max_drift
            first = max(current - reach, 0)
            last = min(current + reach, MAX_COUNTER)
            found = scan(first, last) if typed is not None else []
            triples = [
                (
                    step - current,
                    str(step),
                    expiry(step, _clamp(step - current, policy.max_drift)),
                )
                for step in found
            ]
            verdict = self._run_script(
                self._store,
                account,
                attempt,
                reach=policy.window,
                expected=0,
                triples=triples,
            )
            if not isinstance(verdict, Verdict):
                raise StoreError("RedisStore: the guard script misread TOTP")
            return verdict
        return self._apply(account, attempt)

    def _verify_hotp(
        self, account: str, hotp: HOTP, typed: str | None, now: float
    ) -> Verdict:
        def scan(first: int, last: int) -> list[int]:
            # Called only when the code was readable.
            return _matches(hotp, typed or "", first, last)

        attempt = _Attempt(_HOTP, _ms(now), typed is not None, 0, scan, _never)
        store = self._store
        if not isinstance(store, RedisStore):
            return self._apply(account, attempt)
        policy = self._policy
        with self._hint_lock:
            expected = self._hints.get(account, 0)
        for _ in range(_STALE_ATTEMPTS):
            last = min(expected + policy.look_ahead, MAX_COUNTER)
            found = (
                scan(expected, last)
                if typed is not None and expected <= last
                else []
            )
            triples = [(c - expected, str(c + 1), 0) for c in found]
            verdict = self._run_script(
                store,
                account,
                attempt,
                reach=policy.look_ahead,
                expected=expected,
                triples=triples,
            )
            if isinstance(verdict, Verdict):
                self._remember(account, verdict, expected)
                return verdict
            expected = verdict
        raise StoreUnavailableError(
            "RedisStore: the HOTP counter kept changing under "
            f"{_STALE_ATTEMPTS} attempts; nothing was accepted"
        )

    def _remember(
        self, account: str, verdict: Verdict, expected: int | None
    ) -> None:
        counter = expected if verdict.step is None else verdict.step + 1
        with self._hint_lock:
            if counter is None:
                return
            if account not in self._hints and len(self._hints) >= _HINTS:
                self._hints.pop(next(iter(self._hints)))
            self._hints[account] = counter

    def _apply(self, account: str, attempt: _Attempt) -> Verdict:
        policy = self._policy
        outcome = self._store.update(
            _key(account),
            lambda record: _decide(record, attempt, policy),
            ttl=_record_ttl(attempt.now_ms),
        )
        return _verdict(outcome)

    def _run_script(
        self,
        store: RedisStore,
        account: str,
        attempt: _Attempt,
        *,
        reach: int,
        expected: int,
        triples: list[tuple[int, str, int]],
    ) -> Verdict | int:
        policy = self._policy
        args: list[str | int] = [
            attempt.now_ms,
            attempt.kind,
            "1" if attempt.readable else "0",
            policy.free_failures,
            policy.max_failures,
            round(policy.base_delay * _MS),
            round(policy.max_delay * _MS),
            "1" if policy.count_bad_format else "0",
            reach,
            policy.max_drift,
            str(expected),
            len(triples),
        ]
        for offset, value, expires in triples:
            args += [offset, value, expires]
        reply = store.run_script(_SCRIPT, _key(account), args)
        if not isinstance(reply, list) or not reply:
            raise StoreError("RedisStore: the guard script gave no answer")
        fields = [
            item.decode() if isinstance(item, bytes) else str(item)
            for item in reply
        ]
        try:
            return _script_verdict(fields, attempt, expected)
        except (ValueError, IndexError):
            raise StoreError(
                "RedisStore: the guard script's answer is not one otpcore "
                "gives; is another program writing under the same prefix?"
            ) from None


def _script_verdict(
    fields: list[str], attempt: _Attempt, expected: int
) -> Verdict | int:
    """Read the guard script's reply: a verdict, or a newer HOTP counter."""
    if fields[0] == "stale":
        return int(fields[1])
    reason = Reason(fields[0])
    retry = float(fields[1])
    match = None
    if reason is Reason.ACCEPTED:
        offset = int(fields[4])
        if attempt.kind == _TOTP:
            match = Match(attempt.current + offset, offset)
        else:
            match = Match(expected + offset, offset)
    return Verdict(
        reason,
        math.inf if retry < 0 else retry / _MS,
        match,
        int(fields[2]),
    )


def _verdict(outcome: _Outcome) -> Verdict:
    match = None
    if outcome.counter is not None:
        match = Match(outcome.counter, outcome.offset)
    return Verdict(
        outcome.reason, outcome.retry_ms / _MS, match, outcome.failures
    )


def _read(
    record: dict[str, Any] | None,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    return record, record


def _ms(seconds: float) -> int:
    return math.floor(seconds * _MS)


def _never(_step: int, _drift: int) -> int:
    return 0
