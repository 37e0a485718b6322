"""SMS one-time codes: issue, hash, expiry, single use and limits.

(otpcore.sms._codes) Every flow test runs on each store (memory, SQLite,
Redis) through the ``store`` fixture, with the ``clock`` fixture as the
flow's clock, and MemoryTransport as the phone.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _stores import FakeClock
from otpcore.errors import (
    InvalidAccountError,
    InvalidDigitsError,
    InvalidParameterError,
    InvalidRecipientError,
    TransportUnavailableError,
)
from otpcore.guard import MAX_ACCOUNT_LENGTH, check_account
from otpcore.sms import (
    MemoryTransport,
    SendReason,
    SendResult,
    SmsCodes,
    SmsReason,
    SmsVerdict,
)
from otpcore.stores import MemoryStore, Store

ALICE = "alice"
BOB = "bob"
PHONE = "+14155552671"
OTHER_PHONE = "+442071838750"


def make(
    store: Store,
    clock: FakeClock,
    transport: object | None = None,
    **options: Any,
) -> tuple[SmsCodes, MemoryTransport]:
    """A flow on ``store`` and ``clock`` sending to a MemoryTransport."""
    phone = MemoryTransport() if transport is None else transport
    codes = SmsCodes(
        store,
        phone,  # type: ignore[arg-type]
        site_name="Example",
        clock=clock,
        **options,
    )
    return codes, phone  # type: ignore[return-value]


def last_code(phone: MemoryTransport, digits: int = 6) -> str:
    """The code in the latest message: the first run of ``digits`` digits."""
    match = re.search(rf"\b\d{{{digits}}}\b", phone.outbox[-1].body)
    assert match is not None
    return match.group()


def wrong(code: str) -> str:
    """A code that differs from ``code`` in its last digit only."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def record(store: Store, key: str) -> Any:
    """The record stored at ``key``, read without changing it."""
    return store.update(key, lambda current: (current, current))


# Issue and message.


def test_send_delivers_a_fresh_code_with_site_and_lifetime(
    store: Store, clock: FakeClock
) -> None:
    """The text holds a 6-digit code and the site; validity is the lifetime."""
    codes, phone = make(store, clock)

    result = codes.send(ALICE, PHONE)

    [message] = phone.outbox
    assert result.ok
    assert result.reason == "sent"
    assert result.message_id == message.sid
    assert result.expires_at == clock.now + 300
    assert message.to == PHONE
    assert message.validity == 300
    code = last_code(phone)
    assert message.body == (
        f"{code} is your Example verification code. It expires in 5 "
        "minutes. Do not share it."
    )


def test_message_template_and_origin_bound_line(
    store: Store, clock: FakeClock
) -> None:
    """A custom template is filled in; a domain adds '@host #code'."""
    codes, phone = make(
        store,
        clock,
        message="{site}: {code} ({minutes} min)",
        domain="login.example.com",
        digits=8,
        lifetime=600,
    )

    codes.send(ALICE, PHONE)

    code = last_code(phone, 8)
    assert phone.outbox[-1].body == (
        f"Example: {code} (10 min)\n\n@login.example.com #{code}"
    )


def test_codes_are_random_and_zero_padded(
    store: Store, clock: FakeClock
) -> None:
    """Twenty sends give 6-digit ASCII codes that are not all alike."""
    codes, phone = make(
        store,
        clock,
        resend_cooldown=0,
        account_hourly_cap=20,
        number_hourly_cap=20,
    )

    for _ in range(20):
        codes.send(ALICE, PHONE)

    sent = [re.match(r"\d+", m.body).group() for m in phone.outbox]  # type: ignore[union-attr]
    assert all(len(code) == 6 and code.isascii() for code in sent)
    assert len(set(sent)) > 1


def test_the_code_is_stored_as_a_salted_hmac_only(
    store: Store, clock: FakeClock
) -> None:
    """The record holds salt and HMAC-SHA-256(salt || code), not the code."""
    codes, phone = make(store, clock)

    codes.send(ALICE, PHONE)

    pending = record(store, "sms:{alice}")["code"]
    code = last_code(phone)
    salt = bytes.fromhex(pending["salt"])
    assert set(pending) == {
        "id",
        "salt",
        "mac",
        "phone",
        "issued",
        "expires",
        "attempts",
    }
    assert len(salt) == 16
    assert (
        pending["mac"]
        == hmac.new(b"", salt + code.encode(), hashlib.sha256).hexdigest()
    )


def test_a_pepper_keys_the_stored_hmac(store: Store, clock: FakeClock) -> None:
    """With a pepper, the stored MAC is keyed with it, and codes still work."""
    pepper = bytes(range(32))
    codes, phone = make(store, clock, pepper=pepper)

    codes.send(ALICE, PHONE)

    pending = record(store, "sms:{alice}")["code"]
    code = last_code(phone)
    salt = bytes.fromhex(pending["salt"])
    assert (
        pending["mac"]
        == hmac.new(pepper, salt + code.encode(), hashlib.sha256).hexdigest()
    )
    assert codes.verify(ALICE, code).ok


# Verification: single use, expiry, attempts.


def test_a_code_is_accepted_once(store: Store, clock: FakeClock) -> None:
    """The right code is accepted, names the phone, then is gone."""
    codes, phone = make(store, clock)
    codes.send(ALICE, PHONE)
    code = last_code(phone)

    first = codes.verify(ALICE, code)
    second = codes.verify(ALICE, code)

    assert (first.ok, first.reason, first.phone) == (True, "accepted", PHONE)
    assert (second.ok, second.reason) == (False, "no_code")


def test_codes_belong_to_their_account(store: Store, clock: FakeClock) -> None:
    """Alice's code does not verify Bob."""
    codes, phone = make(store, clock)
    codes.send(ALICE, PHONE)

    verdict = codes.verify(BOB, last_code(phone))

    assert verdict.reason == "no_code"


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda c: f"{c[:3]} {c[3:]}", id="space"),
        pytest.param(lambda c: f"{c[:3]}-{c[3:]}", id="hyphen"),
        pytest.param(
            lambda c: "".join(chr(0xFF10 + int(d)) for d in c), id="fullwidth"
        ),
        pytest.param(
            lambda c: "".join(chr(0x0660 + int(d)) for d in c),
            id="arabic-indic",
        ),
    ],
)
def test_typed_forms_of_the_code_are_accepted(
    store: Store, clock: FakeClock, typed: Any
) -> None:
    """The code typed with separators or in other digits is accepted."""
    codes, phone = make(store, clock)
    codes.send(ALICE, PHONE)

    assert codes.verify(ALICE, typed(last_code(phone))).ok


def test_a_code_expires_after_its_lifetime(
    store: Store, clock: FakeClock
) -> None:
    """At issue + lifetime the code is expired, then it is gone."""
    codes, phone = make(store, clock, lifetime=120)
    codes.send(ALICE, PHONE)
    code = last_code(phone)

    clock.advance(120)
    expired = codes.verify(ALICE, code)
    after = codes.verify(ALICE, code)

    assert expired.reason == "expired"
    assert after.reason == "no_code"


def test_a_code_works_until_the_last_second(
    store: Store, clock: FakeClock
) -> None:
    """One second before expiry the code is still accepted."""
    codes, phone = make(store, clock, lifetime=120)
    codes.send(ALICE, PHONE)

    clock.advance(119)

    assert codes.verify(ALICE, last_code(phone)).ok


def test_the_attempt_cap_spends_the_code(
    store: Store, clock: FakeClock
) -> None:
    """After max_attempts wrong codes even the right one is refused."""
    codes, phone = make(store, clock, max_attempts=3)
    codes.send(ALICE, PHONE)
    code = last_code(phone)

    wrongs = [codes.verify(ALICE, wrong(code)) for _ in range(3)]
    final = codes.verify(ALICE, code)

    assert [v.reason for v in wrongs] == ["wrong_code"] * 3
    assert [v.attempts_left for v in wrongs] == [2, 1, 0]
    assert (final.ok, final.reason) == (False, "too_many_attempts")


def test_a_right_code_within_the_cap_is_accepted(
    store: Store, clock: FakeClock
) -> None:
    """Wrong guesses below the cap leave the code usable."""
    codes, phone = make(store, clock, max_attempts=3)
    codes.send(ALICE, PHONE)
    code = last_code(phone)

    codes.verify(ALICE, wrong(code))
    codes.verify(ALICE, wrong(code))

    assert codes.verify(ALICE, code).ok


def test_a_new_code_replaces_the_pending_one(
    store: Store, clock: FakeClock
) -> None:
    """After a resend, the earlier code is no longer accepted."""
    codes, phone = make(store, clock, resend_cooldown=0)
    codes.send(ALICE, PHONE)
    old = last_code(phone)
    codes.send(ALICE, PHONE)
    new = last_code(phone)

    if old != new:
        assert codes.verify(ALICE, old).reason == "wrong_code"
    assert codes.verify(ALICE, new).ok


def test_bad_format_spends_an_attempt(store: Store, clock: FakeClock) -> None:
    """Not-a-code used to cost nothing, a free probe; it spends an attempt."""
    codes, phone = make(store, clock, max_attempts=3)
    codes.send(ALICE, PHONE)

    verdicts = [codes.verify(ALICE, typed) for typed in ("12345", "abcdef")]
    final = codes.verify(ALICE, wrong(last_code(phone)))
    spent = codes.verify(ALICE, last_code(phone))

    assert [v.reason for v in verdicts] == ["bad_format", "bad_format"]
    assert [v.attempts_left for v in verdicts] == [2, 1]
    assert (final.reason, final.attempts_left) == ("wrong_code", 0)
    assert (spent.ok, spent.reason) == (False, "too_many_attempts")


def test_bad_format_counts_towards_the_lock(
    store: Store, clock: FakeClock
) -> None:
    """Not-a-code used to leave the failure count alone; it now adds one."""
    codes, phone = make(
        store, clock, max_attempts=5, max_failures=3, resend_cooldown=0
    )
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, "12345")
    codes.verify(ALICE, None)
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, "not a code")

    locked = codes.verify(ALICE, last_code(phone))

    assert locked.reason == "locked"
    assert codes.send(ALICE, PHONE).reason == "locked"


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("12345", id="too-short"),
        pytest.param("abcdef", id="letters"),
        pytest.param(None, id="none"),
    ],
)
def test_a_locked_account_answers_locked_whatever_was_typed(
    store: Store, clock: FakeClock, typed: object
) -> None:
    """A locked account used to answer bad_format to malformed input."""
    codes, phone = make(store, clock, max_attempts=1, max_failures=1)
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))

    verdict = codes.verify(ALICE, typed)

    assert (verdict.ok, verdict.reason) == (False, "locked")


def test_bad_format_with_no_code_pending_is_no_code(
    store: Store, clock: FakeClock
) -> None:
    """With nothing pending, not-a-code answers no_code and counts nothing."""
    codes, phone = make(store, clock, max_failures=1)

    verdict = codes.verify(ALICE, "abc")
    codes.send(ALICE, PHONE)

    assert verdict.reason == "no_code"
    assert codes.verify(ALICE, last_code(phone)).ok


def test_count_bad_format_false_spends_nothing(
    store: Store, clock: FakeClock
) -> None:
    """With count_bad_format=False, not-a-code spends no attempt or failure."""
    codes, phone = make(
        store, clock, max_attempts=1, max_failures=1, count_bad_format=False
    )
    codes.send(ALICE, PHONE)

    verdicts = [codes.verify(ALICE, typed) for typed in ("12345", "abcdef")]

    assert [v.reason for v in verdicts] == ["bad_format", "bad_format"]
    assert [v.attempts_left for v in verdicts] == [1, 1]
    assert codes.verify(ALICE, last_code(phone)).ok


def test_count_bad_format_false_still_checks_the_lock_first(
    store: Store, clock: FakeClock
) -> None:
    """Even when bad format is not counted, a locked account reads locked."""
    codes, phone = make(
        store, clock, max_attempts=1, max_failures=1, count_bad_format=False
    )
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))

    assert codes.verify(ALICE, "abc").reason == "locked"


def test_cancel_drops_the_pending_code(store: Store, clock: FakeClock) -> None:
    """cancel() makes the pending code unusable."""
    codes, phone = make(store, clock)
    codes.send(ALICE, PHONE)

    codes.cancel(ALICE)

    assert codes.verify(ALICE, last_code(phone)).reason == "no_code"


def test_consecutive_failures_lock_the_account(
    store: Store, clock: FakeClock
) -> None:
    """max_failures wrong codes in a row, across codes, lock the account."""
    codes, phone = make(
        store, clock, max_attempts=3, max_failures=4, resend_cooldown=0
    )
    codes.send(ALICE, PHONE)
    for _ in range(3):
        codes.verify(ALICE, wrong(last_code(phone)))
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))

    locked_verify = codes.verify(ALICE, last_code(phone))
    locked_send = codes.send(ALICE, PHONE)

    assert locked_verify.reason == "locked"
    assert (locked_send.ok, locked_send.reason) == (False, "locked")
    assert locked_send.retry_after == math.inf
    assert len(phone.outbox) == 2


def test_unlock_ends_a_lock(store: Store, clock: FakeClock) -> None:
    """After unlock() codes can be sent and accepted again."""
    codes, phone = make(store, clock, max_attempts=1, max_failures=1)
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))

    codes.unlock(ALICE)
    clock.advance(30)
    sent = codes.send(ALICE, PHONE)

    assert sent.ok
    assert codes.verify(ALICE, last_code(phone)).ok


def test_success_resets_the_failure_count(
    store: Store, clock: FakeClock
) -> None:
    """Failures are counted in a row: a right code starts again from zero."""
    codes, phone = make(
        store, clock, max_attempts=5, max_failures=3, resend_cooldown=0
    )
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))
    codes.verify(ALICE, wrong(last_code(phone)))
    codes.verify(ALICE, last_code(phone))
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, wrong(last_code(phone)))
    codes.verify(ALICE, wrong(last_code(phone)))

    assert codes.verify(ALICE, last_code(phone)).ok


# Sending limits.


def test_resend_cooldown(store: Store, clock: FakeClock) -> None:
    """A second send within the cooldown is refused with the time left."""
    codes, phone = make(store, clock, resend_cooldown=30)
    codes.send(ALICE, PHONE)

    clock.advance(10)
    early = codes.send(ALICE, PHONE)
    clock.advance(19)
    almost = codes.send(ALICE, PHONE)
    clock.advance(1)
    on_time = codes.send(ALICE, PHONE)

    assert (early.ok, early.reason) == (False, "cooldown")
    assert early.retry_after == pytest.approx(20)
    assert (almost.reason, almost.retry_after) == ("cooldown", 1)
    assert on_time.ok
    assert len(phone.outbox) == 2


def test_hourly_cap_per_account(store: Store, clock: FakeClock) -> None:
    """The account's cap refuses sends until the oldest leaves the hour."""
    codes, phone = make(store, clock, resend_cooldown=0, account_hourly_cap=3)
    for _ in range(3):
        assert codes.send(ALICE, PHONE).ok
        clock.advance(600)

    capped = codes.send(ALICE, OTHER_PHONE)
    clock.advance(capped.retry_after)
    later = codes.send(ALICE, OTHER_PHONE)

    assert (capped.ok, capped.reason) == (False, "account_limit")
    assert capped.retry_after == pytest.approx(3600 - 1800)
    assert later.ok
    assert len(phone.outbox) == 4


def test_hourly_cap_per_number_across_accounts(
    store: Store, clock: FakeClock
) -> None:
    """A number's cap holds across accounts, and frees the account's slot."""
    codes, phone = make(store, clock, number_hourly_cap=2)
    codes.send(ALICE, PHONE)
    codes.send(BOB, PHONE)

    capped = codes.send("carol", PHONE)
    elsewhere = codes.send("carol", OTHER_PHONE)

    assert (capped.ok, capped.reason) == (False, "number_limit")
    assert capped.retry_after == pytest.approx(3600)
    # The refusal did not start carol's cooldown.
    assert elsewhere.ok
    assert [m.to for m in phone.outbox] == [PHONE, PHONE, OTHER_PHONE]


def test_refused_sends_do_not_count(store: Store, clock: FakeClock) -> None:
    """Sends refused by the cooldown use none of the hourly cap."""
    codes, _ = make(store, clock, resend_cooldown=60, account_hourly_cap=2)
    codes.send(ALICE, PHONE)
    for _ in range(5):
        clock.advance(5)
        assert codes.send(ALICE, PHONE).reason == "cooldown"

    clock.advance(60)

    assert codes.send(ALICE, PHONE).ok


def test_an_accepted_code_ends_the_cooldown(
    store: Store, clock: FakeClock
) -> None:
    """Right after a code is accepted, the next one is sent without a wait."""
    codes, phone = make(store, clock, resend_cooldown=30)
    codes.send(ALICE, PHONE)
    clock.advance(5)
    codes.verify(ALICE, last_code(phone))

    again = codes.send(ALICE, PHONE)

    assert (again.ok, again.reason) == (True, "sent")
    assert len(phone.outbox) == 2
    assert codes.verify(ALICE, last_code(phone)).ok


def test_acceptances_end_the_cooldown_within_one_clock_tick(
    store: Store, clock: FakeClock
) -> None:
    """Sends in one instant: the last one reserved is the one that counts."""
    codes, phone = make(store, clock, resend_cooldown=30)
    for _ in range(3):
        assert codes.send(ALICE, PHONE).ok
        assert codes.verify(ALICE, last_code(phone)).ok

    assert len(phone.outbox) == 3


@pytest.mark.parametrize(
    "spend",
    [
        pytest.param(
            lambda codes, code: codes.verify(ALICE, wrong(code)),
            id="wrong-code",
        ),
        pytest.param(
            lambda codes, _code: codes.verify(ALICE, "12"), id="bad-format"
        ),
        pytest.param(lambda codes, _code: codes.cancel(ALICE), id="cancelled"),
        pytest.param(
            lambda codes, code: codes.verify(BOB, code), id="other-account"
        ),
    ],
)
def test_only_an_accepted_code_ends_the_cooldown(
    store: Store, clock: FakeClock, spend: Any
) -> None:
    """A wrong, malformed, cancelled or misdirected code leaves it running."""
    codes, phone = make(store, clock, resend_cooldown=30)
    codes.send(ALICE, PHONE)
    clock.advance(5)
    spend(codes, last_code(phone))

    again = codes.send(ALICE, PHONE)

    assert (again.ok, again.reason) == (False, "cooldown")
    assert again.retry_after == pytest.approx(25)


def test_a_send_after_an_accepted_code_starts_a_new_cooldown(
    store: Store, clock: FakeClock
) -> None:
    """The acceptance ends the cooldown of its own code only."""
    codes, phone = make(store, clock, resend_cooldown=30)
    codes.send(ALICE, PHONE)
    codes.verify(ALICE, last_code(phone))
    codes.send(ALICE, PHONE)
    clock.advance(10)

    third = codes.send(ALICE, PHONE)

    assert (third.ok, third.reason) == (False, "cooldown")
    assert third.retry_after == pytest.approx(20)
    assert len(phone.outbox) == 2


@pytest.mark.parametrize(
    ("caps", "reason"),
    [
        pytest.param({"account_hourly_cap": 2}, "account_limit", id="account"),
        pytest.param({"number_hourly_cap": 2}, "number_limit", id="number"),
    ],
)
def test_hourly_caps_still_count_accepted_codes(
    store: Store, clock: FakeClock, caps: dict[str, int], reason: str
) -> None:
    """Ending the cooldown does not lift the caps per account or number."""
    codes, phone = make(store, clock, resend_cooldown=30, **caps)
    for _ in range(2):
        assert codes.send(ALICE, PHONE).ok
        assert codes.verify(ALICE, last_code(phone)).ok

    capped = codes.send(ALICE, PHONE)

    assert (capped.ok, capped.reason) == (False, reason)
    assert capped.retry_after == pytest.approx(3600)
    assert len(phone.outbox) == 2


def test_a_failing_transport_keeps_the_code_and_the_slot(
    store: Store, clock: FakeClock
) -> None:
    """A code handed to a transport that then failed may still arrive."""

    class Flaky:
        def __init__(self) -> None:
            self.bodies: list[str] = []

        def send(self, to: str, body: str) -> str:
            self.bodies.append(f"{to} {body}")
            raise TransportUnavailableError("provider timed out")

    flaky = Flaky()
    codes, _ = make(store, clock, transport=flaky)

    with pytest.raises(TransportUnavailableError):
        codes.send(ALICE, PHONE)

    code = re.match(r"\+\d+ (\d{6})", flaky.bodies[0]).group(1)  # type: ignore[union-attr]
    assert codes.send(ALICE, PHONE).reason == "cooldown"
    assert codes.verify(ALICE, code).ok


def test_a_transport_without_validity_is_called_without_it(
    store: Store, clock: FakeClock
) -> None:
    """A plain send(to, body) transport fits the flow."""

    class Plain:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str]] = []

        def send(self, to: str, body: str) -> str:
            self.calls.append((to, body))
            return "plain-1"

    plain = Plain()
    codes, _ = make(store, clock, transport=plain)

    result = codes.send(ALICE, PHONE)

    assert result.message_id == "plain-1"
    assert plain.calls[0][0] == PHONE


def test_a_transport_with_keyword_arguments_gets_validity(
    store: Store, clock: FakeClock
) -> None:
    """A send(**options) transport is handed validity too."""
    seen: dict[str, object] = {}

    class Keywords:
        def send(self, to: str, body: str, **options: object) -> str:
            seen.update(options, to=to, body=body)
            return "kw-1"

    codes, _ = make(store, clock, transport=Keywords(), lifetime=240)
    codes.send(ALICE, PHONE)

    assert seen["to"] == PHONE
    assert seen["validity"] == 240


def test_two_racing_verifies_accept_once(
    store: Store, clock: FakeClock
) -> None:
    """Threads submitting the right code together get one acceptance."""
    codes, phone = make(store, clock)
    codes.send(ALICE, PHONE)
    code = last_code(phone)
    barrier = threading.Barrier(4)
    verdicts: list[bool] = []

    def submit() -> None:
        barrier.wait()
        verdicts.append(codes.verify(ALICE, code).ok)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(verdicts) == [False, False, False, True]


# Result types.


def test_reasons_are_exported_str_enums_with_the_documented_values() -> None:
    """SmsReason and SendReason keep the strings callers compare with."""
    assert [r.value for r in SmsReason] == [
        "accepted",
        "wrong_code",
        "expired",
        "no_code",
        "too_many_attempts",
        "locked",
        "bad_format",
    ]
    assert [r.value for r in SendReason] == [
        "sent",
        "cooldown",
        "account_limit",
        "number_limit",
        "locked",
    ]
    assert all(isinstance(r, str) for r in [*SmsReason, *SendReason])


def test_results_carry_enum_reasons_and_are_true_only_when_ok(
    store: Store, clock: FakeClock
) -> None:
    """Results of send and verify carry enum reasons; bool() is ok."""
    codes, phone = make(store, clock)

    sent = codes.send(ALICE, PHONE)
    refused = codes.send(ALICE, PHONE)
    wrong_verdict = codes.verify(ALICE, wrong(last_code(phone)))
    accepted = codes.verify(ALICE, last_code(phone))

    assert sent.reason is SendReason.SENT
    assert refused.reason is SendReason.COOLDOWN
    assert wrong_verdict.reason is SmsReason.WRONG_CODE
    assert accepted.reason is SmsReason.ACCEPTED
    assert [bool(r) for r in (sent, refused, wrong_verdict, accepted)] == [
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    "result",
    [
        pytest.param(SendResult(True, SendReason.SENT), id="sent"),
        pytest.param(SendResult(False, SendReason.LOCKED), id="send-locked"),
        pytest.param(SmsVerdict(True, SmsReason.ACCEPTED), id="accepted"),
        pytest.param(SmsVerdict(False, SmsReason.EXPIRED), id="expired"),
    ],
)
def test_bool_of_a_result_is_its_ok(result: SendResult | SmsVerdict) -> None:
    """A result reads as its ok in an if statement."""
    assert bool(result) is result.ok


# Arguments and user input.


@settings(
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    typed=st.one_of(
        st.text(max_size=40), st.binary(), st.integers(), st.none()
    )
)
def test_verify_never_raises_on_typed_input(typed: object) -> None:
    """Whatever the user typed, verify returns a verdict."""
    clock = FakeClock()
    codes, _ = make(MemoryStore(clock=clock), clock)
    codes.send(ALICE, PHONE)

    verdict = codes.verify(ALICE, typed)

    assert verdict.reason in {"accepted", "wrong_code", "bad_format"}


def test_send_refuses_a_malformed_number(
    store: Store, clock: FakeClock
) -> None:
    """A number that is not E.164 raises before any state is written."""
    codes, phone = make(store, clock)

    with pytest.raises(InvalidRecipientError):
        codes.send(ALICE, "0415 555 2671")

    assert phone.outbox == []
    assert record(store, "sms:{alice}") is None


_BAD_ACCOUNTS = [
    pytest.param("", id="empty"),
    pytest.param(17, id="int"),
    pytest.param(None, id="none"),
    pytest.param("x" * (MAX_ACCOUNT_LENGTH + 1), id="too-long"),
    pytest.param("x" * 512, id="512-chars"),
    pytest.param("alice\nbob", id="newline"),
    pytest.param("alice\x00", id="nul"),
    pytest.param("alice\x7f", id="del"),
    pytest.param("alice\ud800", id="lone-surrogate"),
]
_ACCOUNT_CALLS = [
    pytest.param(lambda c, a: c.send(a, PHONE), id="send"),
    pytest.param(lambda c, a: c.verify(a, "123456"), id="verify"),
    pytest.param(lambda c, a: c.cancel(a), id="cancel"),
    pytest.param(lambda c, a: c.unlock(a), id="unlock"),
]


@pytest.mark.parametrize("call", _ACCOUNT_CALLS)
@pytest.mark.parametrize("account", _BAD_ACCOUNTS)
def test_malformed_accounts_are_refused_as_the_guard_refuses_them(
    account: object, call: Callable[[SmsCodes, Any], object]
) -> None:
    """Account ids used to have their own, laxer rules and error."""
    phone = MemoryTransport()
    codes = SmsCodes(MemoryStore(), phone, site_name="Example")
    with pytest.raises(InvalidAccountError) as expected:
        check_account(account)

    with pytest.raises(InvalidAccountError) as caught:
        call(codes, account)

    assert str(caught.value) == str(expected.value)
    assert caught.value.parameter == "account"
    assert phone.outbox == []


def test_the_longest_account_the_guard_allows_is_accepted(
    store: Store, clock: FakeClock
) -> None:
    """An id of MAX_ACCOUNT_LENGTH characters works for every call."""
    account = "x" * MAX_ACCOUNT_LENGTH
    codes, phone = make(store, clock)

    sent = codes.send(account, PHONE)
    verdict = codes.verify(account, last_code(phone))
    codes.cancel(account)
    codes.unlock(account)

    assert sent.ok
    assert verdict.ok


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        pytest.param({"lifetime": 601}, "lifetime", id="lifetime-over-10-min"),
        pytest.param({"lifetime": 59}, "lifetime", id="lifetime-short"),
        pytest.param({"max_attempts": 0}, "max_attempts", id="attempts"),
        pytest.param({"max_failures": 101}, "max_failures", id="failures"),
        pytest.param(
            {"resend_cooldown": -1}, "resend_cooldown", id="cooldown"
        ),
        pytest.param(
            {"account_hourly_cap": 0}, "account_hourly_cap", id="cap"
        ),
        pytest.param(
            {"number_hourly_cap": 1.5}, "number_hourly_cap", id="cap-float"
        ),
        pytest.param({"site_name": ""}, "site_name", id="site-empty"),
        pytest.param({"site_name": "a\nb"}, "site_name", id="site-newline"),
        pytest.param({"message": "Your code"}, "message", id="no-fields"),
        pytest.param({"message": "{code}"}, "message", id="no-site"),
        pytest.param(
            {"message": "{code} {site} {user}"}, "message", id="extra"
        ),
        pytest.param({"message": "{code.real} {site}"}, "message", id="attr"),
        pytest.param(
            {"message": "{code!r} {site}"}, "message", id="conversion"
        ),
        pytest.param({"message": "{code:>8} {site}"}, "message", id="spec"),
        pytest.param({"message": "{code {site}"}, "message", id="unbalanced"),
        pytest.param({"domain": "https://example.com"}, "domain", id="domain"),
        pytest.param({"pepper": b"short"}, "pepper", id="pepper"),
        pytest.param(
            {"count_bad_format": 1}, "count_bad_format", id="count-not-bool"
        ),
    ],
)
def test_malformed_options_are_refused(
    options: dict[str, object], parameter: str
) -> None:
    """Each option is checked at construction, naming itself."""
    settings_: dict[str, object] = {"site_name": "Example", **options}

    with pytest.raises(InvalidParameterError) as caught:
        SmsCodes(MemoryStore(), MemoryTransport(), **settings_)  # type: ignore[arg-type]

    assert str(caught.value).startswith(parameter)


@pytest.mark.parametrize("digits", [5, 11, True])
def test_digits_outside_6_to_10_are_refused(digits: object) -> None:
    """Code length follows the engine's range, 6 to 10."""
    with pytest.raises(InvalidDigitsError):
        SmsCodes(
            MemoryStore(),
            MemoryTransport(),
            site_name="Example",
            digits=digits,  # type: ignore[arg-type]
        )


def test_repr_shows_no_state() -> None:
    """The repr shows settings only."""
    codes = SmsCodes(MemoryStore(), MemoryTransport(), site_name="Example")

    assert repr(codes) == (
        "SmsCodes(site_name='Example', digits=6, lifetime=300)"
    )
