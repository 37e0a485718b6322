"""Tests for otpcore.recovery: issue, accept once, hash only, count down."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _stores import RedisServer, redis_store
from otpcore.errors import (
    InvalidAccountError,
    InvalidParameterError,
    StoreUnavailableError,
)
from otpcore.recovery import ALPHABET, RecoveryCodes, Redemption
from otpcore.stores import MemoryStore, Store

CODE_SHAPE = re.compile(r"^[0-9a-hjkmnp-tv-z]{6}(-[0-9a-hjkmnp-tv-z]{6}){3}$")
PEPPER = b"p" * 32


def stored(store: Store, account: str) -> dict[str, Any] | None:
    """The raw record the recovery codes keep for ``account``."""
    record: dict[str, Any] | None = store.update(
        f"recovery:{{{account}}}", lambda r: (r, r)
    )
    return record


@pytest.fixture
def codes(store: Store) -> RecoveryCodes:
    """Recovery codes with the defaults, on each store."""
    return RecoveryCodes(store)


def test_a_set_has_ten_grouped_codes(codes: RecoveryCodes) -> None:
    """Ten distinct codes of four groups of six alphabet characters."""
    issued = codes.generate("alice")

    assert len(issued) == 10
    assert len(set(issued)) == 10
    assert all(CODE_SHAPE.match(code) for code in issued)
    assert codes.bits == 120


def test_the_alphabet_has_no_lookalikes() -> None:
    """Crockford's alphabet: 32 symbols, no i, l, o or u."""
    assert len(set(ALPHABET)) == 32
    assert not set("ilou") & set(ALPHABET)


def test_each_code_is_accepted_once(codes: RecoveryCodes) -> None:
    """A code works the first time and never again."""
    issued = codes.generate("alice")

    first = codes.use("alice", issued[0])
    second = codes.use("alice", issued[0])

    assert first == Redemption(ok=True, remaining=9)
    assert first
    assert second == Redemption(ok=False, remaining=9)
    assert not second


def test_every_code_works_and_then_none_remain(codes: RecoveryCodes) -> None:
    """All ten codes can be used, in any order, counting down to zero."""
    issued = codes.generate("alice")

    results = [codes.use("alice", code) for code in reversed(issued)]

    assert [r.remaining for r in results] == list(range(9, -1, -1))
    assert all(results)
    assert codes.remaining("alice") == 0


def test_a_wrong_code_is_refused(codes: RecoveryCodes) -> None:
    """A well-formed code that was not issued is refused and spends none."""
    issued = codes.generate("alice")
    wrong = next(
        f"{c * 5}-{c * 5}-{c * 5}"
        for c in ALPHABET
        if f"{c * 5}-{c * 5}-{c * 5}" not in issued
    )

    assert codes.use("alice", wrong) == Redemption(ok=False, remaining=10)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(None, id="none"),
        pytest.param(12345, id="int"),
        pytest.param("", id="empty"),
        pytest.param("abc", id="short"),
        pytest.param("x" * 10_000, id="huge"),
        pytest.param("uuuuu-uuuuu-uuuuu", id="letter-u"),
        pytest.param(
            "".join(chr(ord(c) + 0xFEE0) for c in "abcde-fghjk-mnpqr"),
            id="full-width",
        ),
    ],
)
def test_junk_is_refused_without_an_exception(
    codes: RecoveryCodes, typed: object
) -> None:
    """Anything that is not a code is simply not accepted."""
    codes.generate("alice")

    assert codes.use("alice", typed) == Redemption(ok=False, remaining=10)


@pytest.mark.parametrize(
    "retype",
    [
        pytest.param(str.upper, id="upper-case"),
        pytest.param(lambda c: c.replace("-", ""), id="no-hyphens"),
        pytest.param(lambda c: c.replace("-", " "), id="spaces"),
        pytest.param(" ".join, id="spaced-out"),
        pytest.param(
            lambda c: c.replace("0", "o").replace("1", "l"), id="lookalikes"
        ),
    ],
)
def test_codes_are_read_leniently(codes: RecoveryCodes, retype: Any) -> None:
    """Case, spaces, hyphens and o/i/l for 0/1 do not matter."""
    issued = codes.generate("alice")

    results = [codes.use("alice", retype(code)) for code in issued]

    assert all(results)


def test_a_new_set_replaces_the_old(codes: RecoveryCodes) -> None:
    """Generating again invalidates every earlier code."""
    old = codes.generate("alice")
    codes.use("alice", old[0])

    new = codes.generate("alice")

    assert not codes.use("alice", old[1])
    assert codes.remaining("alice") == 10
    assert codes.use("alice", new[1])


def test_forget_removes_the_codes(codes: RecoveryCodes) -> None:
    """After forget, no code works and none remain."""
    issued = codes.generate("alice")

    codes.forget("alice")

    assert codes.remaining("alice") == 0
    assert codes.use("alice", issued[0]) == Redemption(ok=False, remaining=0)


def test_accounts_are_independent(codes: RecoveryCodes) -> None:
    """One account's code does not work for another."""
    issued = codes.generate("alice")
    codes.generate("bob")

    assert not codes.use("bob", issued[0])
    assert codes.use("alice", issued[0])


def test_an_account_without_codes_has_none(codes: RecoveryCodes) -> None:
    """An account that never had codes refuses all and has zero left."""
    assert codes.remaining("nobody") == 0
    assert codes.use("nobody", "abcde-fghjk-mnpqr") == Redemption(False, 0)


# What is stored.


def test_only_salted_hashes_are_stored(
    codes: RecoveryCodes, store: Store
) -> None:
    """The record holds a salt and SHA-256 hashes, never a code."""
    issued = codes.generate("alice")

    record = stored(store, "alice")

    assert record is not None
    text = repr(record)
    for code in issued:
        assert code not in text
        assert code.replace("-", "") not in text
    salt = bytes.fromhex(record["salt"])
    assert len(salt) == 16
    assert [bytes.fromhex(h) for h in record["hashes"]] == [
        hashlib.sha256(
            salt + i.to_bytes(4, "big") + code.replace("-", "").encode()
        ).digest()
        for i, code in enumerate(issued)
    ]


def test_each_set_has_its_own_salt(codes: RecoveryCodes, store: Store) -> None:
    """Two sets never share a salt."""
    codes.generate("alice")
    codes.generate("bob")

    alice, bob = stored(store, "alice"), stored(store, "bob")

    assert alice is not None
    assert bob is not None
    assert alice["salt"] != bob["salt"]


def test_a_used_code_leaves_no_hash(
    codes: RecoveryCodes, store: Store
) -> None:
    """Spending a code deletes its hash from the record."""
    issued = codes.generate("alice")

    codes.use("alice", issued[4])

    record = stored(store, "alice")
    assert record is not None
    assert record["hashes"][4] is None
    assert sum(h is not None for h in record["hashes"]) == 9


def test_a_pepper_keys_the_hash(store: Store) -> None:
    """With a pepper, hashes are HMAC-SHA-256 under it."""
    codes = RecoveryCodes(store, pepper=PEPPER)
    issued = codes.generate("alice")

    record = stored(store, "alice")

    assert record is not None
    salt = bytes.fromhex(record["salt"])
    message = (
        salt + (0).to_bytes(4, "big") + issued[0].replace("-", "").encode()
    )
    expected = hmac.new(PEPPER, message, hashlib.sha256).hexdigest()
    assert record["hashes"][0] == expected


@pytest.mark.parametrize(
    "other",
    [pytest.param(None, id="no-pepper"), pytest.param(b"q" * 32, id="other")],
)
def test_codes_need_the_same_pepper(store: Store, other: bytes | None) -> None:
    """A set issued under one pepper is not accepted under another."""
    issued = RecoveryCodes(store, pepper=PEPPER).generate("alice")

    assert not RecoveryCodes(store, pepper=other).use("alice", issued[0])
    assert RecoveryCodes(store, pepper=PEPPER).use("alice", issued[0])


# Parameters.


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        pytest.param({"groups": 2}, "group_length", id="60-bits"),
        pytest.param({"group_length": 4}, "group_length", id="80-bits"),
        pytest.param(
            {"groups": 5, "group_length": 4}, "group_length", id="100-bits"
        ),
        pytest.param({"count": 0}, "count", id="no-codes"),
        pytest.param({"count": 101}, "count", id="too-many"),
        pytest.param({"groups": 0}, "groups", id="no-groups"),
        pytest.param({"pepper": b"short"}, "pepper", id="short-pepper"),
        pytest.param({"pepper": "p" * 32}, "pepper", id="text-pepper"),
    ],
)
def test_weak_or_odd_parameters_are_refused(
    options: dict[str, Any], parameter: str
) -> None:
    """Codes under 112 bits and other odd settings fail at construction."""
    with pytest.raises(InvalidParameterError) as caught:
        RecoveryCodes(MemoryStore(), **options)

    assert caught.value.parameter == parameter


def test_longer_codes_can_be_asked_for() -> None:
    """Five groups of five give 125-bit codes in that shape."""
    codes = RecoveryCodes(MemoryStore(), groups=5, group_length=5, count=3)

    issued = codes.generate("alice")

    assert [len(code.split("-")) for code in issued] == [5, 5, 5]
    assert codes.bits == 125
    assert codes.use("alice", issued[2])


def test_bad_account_ids_are_refused(codes: RecoveryCodes) -> None:
    """The account id rules are the guard's."""
    with pytest.raises(InvalidAccountError):
        codes.generate("")


def test_repr_shows_no_pepper() -> None:
    """The repr says whether a pepper is set, never what it is."""
    text = repr(RecoveryCodes(MemoryStore(), pepper=PEPPER))

    assert "peppered=True" in text
    assert "ppp" not in text


# Races and faults.


def test_threads_racing_with_one_code_get_one_acceptance(
    codes: RecoveryCodes,
) -> None:
    """Of eight threads using the same code, exactly one succeeds."""
    issued = codes.generate("alice")
    barrier = threading.Barrier(8)
    results: list[Redemption] = []

    def race() -> None:
        barrier.wait()
        results.append(codes.use("alice", issued[0]))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.ok for r in results) == 1
    assert codes.remaining("alice") == 9


def test_redis_stopped_accepts_nothing(redis_server_factory: Any) -> None:
    """With Redis gone, using a code raises StoreUnavailableError."""
    server: RedisServer = redis_server_factory()
    codes = RecoveryCodes(redis_store(server))
    issued = codes.generate("alice")

    server.stop()

    with pytest.raises(StoreUnavailableError):
        codes.use("alice", issued[0])


@settings(max_examples=50, deadline=None)
@given(
    data=st.data(),
    upper=st.lists(st.booleans(), min_size=24, max_size=24),
    separator=st.sampled_from(["", " ", "-", "  ", "\u00a0"]),
)
def test_any_casing_and_grouping_of_a_code_is_accepted(
    data: st.DataObject, upper: list[bool], separator: str
) -> None:
    """Whatever the case and separators, an issued code is accepted once."""
    codes = RecoveryCodes(MemoryStore())
    issued = codes.generate("alice")
    code = data.draw(st.sampled_from(issued)).replace("-", "")
    cased = "".join(
        c.upper() if up else c for c, up in zip(code, upper, strict=True)
    )
    cut = data.draw(st.lists(st.integers(1, 23), max_size=4, unique=True))
    typed = "".join(
        separator + c if i in cut else c for i, c in enumerate(cased)
    )

    assert codes.use("alice", typed)
    assert not codes.use("alice", typed)
