"""One-time codes sent by SMS: issue, store hashed, check once.

An SMS code is not a TOTP code. It is a fresh random number with its own
issue time and lifetime, kept in a store as a salted HMAC, accepted once,
and guarded by three limits: attempts per code, consecutive failures per
account, and how often codes may be sent (a resend cooldown and hourly caps
per account and per phone number).

Records, one per account and one per phone number:

- ``sms:{<account>}``: ``sends``, a list of ``[time, id]`` for the sends
  of the last hour; ``code``, the pending code (``id``, ``salt``, ``mac``,
  ``phone``, ``issued``, ``expires``, ``attempts``) or absent; ``failures``,
  the wrong codes since the last right one; ``accepted``, the id of the
  send whose code was last accepted, which ends the resend cooldown.
- ``sms-number:{<phone>}``: ``sends``, as above.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import math
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, TypeAlias, cast

from otpcore._typed import read_code
from otpcore.errors import InvalidDigitsError, InvalidParameterError
from otpcore.guard import check_account
from otpcore.sms._transport import SmsTransport, check_e164
from otpcore.stores import Store

__all__ = [
    "DEFAULT_ACCOUNT_HOURLY_CAP",
    "DEFAULT_CODE_ATTEMPTS",
    "DEFAULT_DIGITS",
    "DEFAULT_LIFETIME",
    "DEFAULT_MAX_FAILURES",
    "DEFAULT_MESSAGE",
    "DEFAULT_NUMBER_HOURLY_CAP",
    "DEFAULT_RESEND_COOLDOWN",
    "MAX_LIFETIME",
    "SendReason",
    "SendResult",
    "SmsCodes",
    "SmsReason",
    "SmsVerdict",
]

_Record: TypeAlias = dict[str, Any]

#: NIST SP 800-63B section 5.1.3.2: out-of-band secrets have "at least 20
#: bits of entropy"; section 5.1.4.1 counts 6 decimal digits as about 20.
DEFAULT_DIGITS: Final = 6
MIN_DIGITS: Final = 6
MAX_DIGITS: Final = 10
#: Seconds a code stays valid (our choice, half of the bound below: an SMS
#: usually arrives in seconds, and a shorter life leaves less time to phish
#: the code out of its owner).
DEFAULT_LIFETIME: Final = 300
#: NIST SP 800-63B section 5.1.3.2: "the authentication SHALL be considered
#: invalid if not completed within 10 minutes".
MAX_LIFETIME: Final = 600
#: Below this an SMS that is a little slow arrives dead (our choice).
MIN_LIFETIME: Final = 60
#: Wrong codes one code survives (our choice; Twilio Verify allows 5 checks
#: per verification).
DEFAULT_CODE_ATTEMPTS: Final = 5
MAX_CODE_ATTEMPTS: Final = 20
#: NIST SP 800-63B section 5.2.2: "limit consecutive failed authentication
#: attempts on a single account to no more than 100".
DEFAULT_MAX_FAILURES: Final = 100
#: Seconds between two codes for one account, unless the first was accepted
#: (our choice).
DEFAULT_RESEND_COOLDOWN: Final = 30
MAX_RESEND_COOLDOWN: Final = 3600
#: Codes per account in any hour (our choice). With 5 attempts a code, an
#: attacker who can trigger sends gets at most 25 guesses an hour, and the
#: failure limit above ends that after four hours.
DEFAULT_ACCOUNT_HOURLY_CAP: Final = 5
#: Codes per phone number in any hour, across accounts (our choice; a
#: number may be shared by a household). Bounds what anyone can spend by
#: sending codes to numbers they do not own (SMS pumping).
DEFAULT_NUMBER_HOURLY_CAP: Final = 10
MAX_HOURLY_CAP: Final = 1000
#: The window of the hourly caps, in seconds.
RATE_WINDOW: Final = 3600
#: How long an idle account's record (failure count, recent sends) is kept
#: (our choice: a month, the window NIST SP 800-63-2 gave its failure
#: limit).
RECORD_TTL: Final = 30 * 24 * 3600
#: Random salt per code, in bytes; NIST SP 800-63B section 5.1.1.2 asks for
#: at least 32 bits of salt for stored memorized secrets.
SALT_BYTES: Final = 16
#: A server-side key shorter than this adds little (our choice, 128 bits).
MIN_PEPPER_BYTES: Final = 16
#: The default text; ``{code}``, ``{site}`` and ``{minutes}`` are filled in.
DEFAULT_MESSAGE: Final = (
    "{code} is your {site} verification code. It expires in {minutes} "
    "minutes. Do not share it."
)
_MESSAGE_FIELDS: Final = frozenset({"code", "site", "minutes"})
_REQUIRED_FIELDS: Final = frozenset({"code", "site"})
_MAX_SITE_LENGTH: Final = 64
# A host name as the origin-bound code format needs it: letters, digits,
# hyphens and dots, no scheme or port.
_DOMAIN: Final = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


class SmsReason(StrEnum):
    """Why :meth:`SmsCodes.verify` accepted or refused a code."""

    ACCEPTED = "accepted"
    """The code was right; it is now used up."""
    WRONG_CODE = "wrong_code"
    """The code does not match the pending one; an attempt is spent."""
    EXPIRED = "expired"
    """The pending code outlived its lifetime; it is now dropped."""
    NO_CODE = "no_code"
    """No code is pending: never sent, already used, or cancelled."""
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    """The pending code took its last wrong guess; send a new one."""
    LOCKED = "locked"
    """Too many wrong codes in a row; only an unlock lifts this."""
    BAD_FORMAT = "bad_format"
    """Not a code of the right length; counts as a wrong code by default."""


class SendReason(StrEnum):
    """Why :meth:`SmsCodes.send` sent a code or did not."""

    SENT = "sent"
    """A code was handed to the transport."""
    COOLDOWN = "cooldown"
    """A code was sent moments ago and none accepted since."""
    ACCOUNT_LIMIT = "account_limit"
    """The account's hourly cap is reached."""
    NUMBER_LIMIT = "number_limit"
    """The phone number's hourly cap is reached."""
    LOCKED = "locked"
    """Too many wrong codes in a row; only an unlock lifts this."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What :meth:`SmsCodes.send` did; true only when a code was sent.

    Attributes:
        ok: True when a code was handed to the transport.
        reason: A :class:`SendReason`: ``sent``, or why not: ``cooldown``
            (a code was sent moments ago and none accepted since),
            ``account_limit`` or ``number_limit`` (the hourly cap),
            ``locked`` (too many wrong codes; see :meth:`SmsCodes.unlock`).
            It compares equal to its string value.
        retry_after: Seconds until sending may succeed; 0 when sent,
            infinity when locked.
        message_id: The transport's message id, when sent.
        expires_at: Unix time when the code stops being accepted, when
            sent.
    """

    ok: bool
    reason: SendReason
    retry_after: float = 0.0
    message_id: str | None = None
    expires_at: float | None = None

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True, slots=True)
class SmsVerdict:
    """What :meth:`SmsCodes.verify` decided; true only when accepted.

    Attributes:
        ok: True only when the code was accepted.
        reason: An :class:`SmsReason`: ``accepted``; or ``wrong_code``,
            ``expired``, ``no_code`` (none pending: never sent, already
            used or cancelled), ``too_many_attempts`` (this code took its
            last wrong guess; send a new one), ``locked`` (too many wrong
            codes in a row on this account), ``bad_format`` (not a code;
            it spends an attempt like a wrong code unless
            ``count_bad_format`` is False). It compares equal to its string
            value.
        phone: The number the accepted code was sent to, so that a flow
            that confirms a phone number confirms the right one.
        attempts_left: Wrong codes the pending code still survives.
    """

    ok: bool
    reason: SmsReason
    phone: str | None = None
    attempts_left: int = 0

    def __bool__(self) -> bool:
        return self.ok


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(
            name, f"expected an int, got {type(value).__name__}"
        )
    if not low <= value <= high:
        raise InvalidParameterError(
            name, f"expected {low} to {high}, got {value}"
        )
    return value


def _check_text(name: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(name, "expected a non-empty str")
    if len(value) > limit or _CONTROL.search(value) is not None:
        raise InvalidParameterError(
            name,
            f"expected at most {limit} characters and no control characters",
        )
    return value


def _check_message(message: object) -> str:
    if not isinstance(message, str):
        raise InvalidParameterError("message", "expected a str template")
    try:
        parsed = list(string.Formatter().parse(message))
    except ValueError:
        parsed = None
    names = set()
    plain = parsed is not None
    for _, name, spec, conversion in parsed or []:
        if name is None:
            continue
        names.add(name)
        if spec or conversion or name not in _MESSAGE_FIELDS:
            plain = False
    if not plain or not names >= _REQUIRED_FIELDS:
        raise InvalidParameterError(
            "message",
            "expected a template with {code} and {site}, and optionally "
            "{minutes}, with no other fields, formats or conversions",
        )
    return message


def _check_domain(domain: object) -> str:
    if not isinstance(domain, str) or _DOMAIN.fullmatch(domain) is None:
        raise InvalidParameterError(
            "domain", "expected a host name such as example.com"
        )
    return domain


def _check_pepper(pepper: object) -> None:
    if pepper is not None and (
        not isinstance(pepper, bytes) or len(pepper) < MIN_PEPPER_BYTES
    ):
        raise InvalidParameterError(
            "pepper", f"expected bytes, at least {MIN_PEPPER_BYTES}"
        )


def _takes_validity(transport: object) -> bool:
    send = getattr(transport, "send", None)
    if not callable(send):
        raise InvalidParameterError(
            "transport", "expected an SmsTransport, with a send method"
        )
    try:
        parameters = inspect.signature(send).parameters
    except (TypeError, ValueError):
        return False
    named = parameters.get("validity")
    if named is not None and named.kind in {
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    }:
        return True
    return any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _recent(sends: object, now: float) -> list[list[Any]]:
    # Entries from the future (a clock stepped back) are kept: they still
    # count against the caps, which errs on the side of sending less.
    if not isinstance(sends, list):
        return []
    return [
        entry
        for entry in sends
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int | float)
        and now - entry[0] < RATE_WINDOW
    ]


def _cap_wait(sends: list[list[Any]], cap: int, now: float) -> float:
    if len(sends) < cap:
        return 0.0
    oldest = sorted(float(entry[0]) for entry in sends)[len(sends) - cap]
    return max(oldest + RATE_WINDOW - now, 0.0)


class SmsCodes:
    """Send one-time codes by SMS and check them, with state in a store.

    >>> from otpcore.sms import MemoryTransport, SmsCodes
    >>> from otpcore.stores import MemoryStore
    >>> outbox = MemoryTransport()
    >>> codes = SmsCodes(MemoryStore(), outbox, site_name="Example")
    >>> codes.send("alice", "+14155552671").ok
    True
    >>> code = outbox.outbox[-1].body[:6]
    >>> codes.verify("alice", code).reason
    <SmsReason.ACCEPTED: 'accepted'>
    >>> codes.verify("alice", code).reason == "no_code"
    True

    Sending a new code replaces the pending one. Once a code is handed to
    the transport it stays valid even if the transport then fails, since a
    provider that timed out may still deliver it; sends that pass the
    limits count against them whether or not the provider delivers.

    Codes are stored as HMAC-SHA-256 of a random per-code salt and the
    code, keyed with ``pepper``. Without a pepper, anyone who reads the
    store can still try all 10**digits codes offline in well under a
    second: the hash keeps codes out of dumps and logs, not out of reach of
    a determined reader. A pepper kept outside the store (in the
    application's configuration) closes that gap.

    Args:
        store: Where state lives: a :class:`~otpcore.stores.MemoryStore`,
            :class:`~otpcore.stores.SQLiteStore` or
            :class:`~otpcore.stores.RedisStore`.
        transport: What sends the text; given ``validity`` (the seconds
            left of the code's life) when its ``send`` takes that keyword.
        site_name: The name the message shows, at most 64 characters.
        digits: Code length, 6 to 10.
        lifetime: Seconds a code stays valid, 60 to 600.
        max_attempts: Wrong codes one code survives, 1 to 20.
        max_failures: Consecutive wrong codes, across codes, that lock the
            account until :meth:`unlock`; 1 to 100.
        resend_cooldown: Seconds between two sends for one account, 0 to
            3600; accepting a code ends it.
        account_hourly_cap: Sends per account in any hour, 1 to 1000.
        number_hourly_cap: Sends per phone number in any hour, 1 to 1000.
        message: The text, with ``{code}`` and ``{site}`` and optionally
            ``{minutes}``.
        domain: When given, the host the code is for; the message then
            ends with the origin-bound line ``@domain #code`` that browsers
            and phones read to offer the code only on that site.
        pepper: A server-side key of at least 16 bytes for the code hashes.
        count_bad_format: Whether a submission that is not a code at all
            counts as a wrong code, against the code's attempts and the
            account's consecutive failures (True, as in
            :class:`otpcore.guard.Guard`).
        clock: Returns Unix seconds; :func:`time.time` by default.

    Raises:
        InvalidParameterError: A parameter is out of range.
        InvalidDigitsError: ``digits`` is outside 6 to 10.
    """

    def __init__(
        self,
        store: Store,
        transport: SmsTransport,
        *,
        site_name: str,
        digits: int = DEFAULT_DIGITS,
        lifetime: int = DEFAULT_LIFETIME,
        max_attempts: int = DEFAULT_CODE_ATTEMPTS,
        max_failures: int = DEFAULT_MAX_FAILURES,
        resend_cooldown: int = DEFAULT_RESEND_COOLDOWN,
        account_hourly_cap: int = DEFAULT_ACCOUNT_HOURLY_CAP,
        number_hourly_cap: int = DEFAULT_NUMBER_HOURLY_CAP,
        message: str = DEFAULT_MESSAGE,
        domain: str | None = None,
        pepper: bytes | None = None,
        count_bad_format: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            _check_int("digits", digits, MIN_DIGITS, MAX_DIGITS)
        except InvalidParameterError:
            raise InvalidDigitsError(
                "digits", f"expected an int from {MIN_DIGITS} to {MAX_DIGITS}"
            ) from None
        self.digits = digits
        self.lifetime = _check_int(
            "lifetime", lifetime, MIN_LIFETIME, MAX_LIFETIME
        )
        self.max_attempts = _check_int(
            "max_attempts", max_attempts, 1, MAX_CODE_ATTEMPTS
        )
        self.max_failures = _check_int(
            "max_failures", max_failures, 1, DEFAULT_MAX_FAILURES
        )
        self.resend_cooldown = _check_int(
            "resend_cooldown", resend_cooldown, 0, MAX_RESEND_COOLDOWN
        )
        self.account_hourly_cap = _check_int(
            "account_hourly_cap", account_hourly_cap, 1, MAX_HOURLY_CAP
        )
        self.number_hourly_cap = _check_int(
            "number_hourly_cap", number_hourly_cap, 1, MAX_HOURLY_CAP
        )
        self.site_name = _check_text("site_name", site_name, _MAX_SITE_LENGTH)
        self.message = _check_message(message)
        self.domain = None if domain is None else _check_domain(domain)
        _check_pepper(pepper)
        self._pepper = b"" if pepper is None else pepper
        flag: object = count_bad_format
        if not isinstance(flag, bool):
            raise InvalidParameterError(
                "count_bad_format",
                f"expected a bool, got {type(flag).__name__}",
            )
        self.count_bad_format = count_bad_format
        if not callable(clock):
            raise InvalidParameterError("clock", "expected a callable")
        self._clock = clock
        self._store = store
        self._transport = transport
        self._pass_validity = _takes_validity(transport)

    def send(self, account: str, phone: str) -> SendResult:
        """Send a new code to ``phone`` for ``account``, if the limits allow.

        The new code replaces any pending one. Limits are checked in order:
        lock, cooldown, account cap, number cap; a refusal by one of them
        counts against none. The cooldown runs from the latest send unless
        that send's code has been accepted, so a user who just confirmed a
        number can log in with it at once.

        Args:
            account: The account the code is for, by the rules of
                :func:`otpcore.guard.check_account`: 1 to 256 characters,
                no control characters.
            phone: Where to send it, an E.164 number; :func:`parse_phone`
                reads one as a person types it.

        Returns:
            A :class:`SendResult`; refusals by the limits are results, not
            errors.

        Raises:
            InvalidAccountError: ``account`` is not a valid account id.
            InvalidRecipientError: ``phone`` is not an E.164 number, or the
                provider refused it.
            SmsError: The transport failed (its subclasses say how).
            StoreUnavailableError: The store failed; nothing was sent.
        """
        account_key = _account_key(account)
        number_key = f"sms-number:{{{check_e164(phone)}}}"
        now = float(self._clock())
        send_id = secrets.token_hex(8)

        outcome = self._store.update(
            account_key,
            lambda record: self._reserve_account(record, now, send_id),
            ttl=RECORD_TTL,
        )
        if outcome is not None:
            return outcome
        outcome = self._store.update(
            number_key,
            lambda record: self._reserve_number(record, now, send_id),
            ttl=RATE_WINDOW,
        )
        if outcome is not None:
            self._store.update(
                account_key,
                lambda record: _release(record, send_id),
                ttl=RECORD_TTL,
            )
            return outcome

        code = f"{secrets.randbelow(10**self.digits):0{self.digits}d}"
        salt = secrets.token_bytes(SALT_BYTES)
        expires = now + self.lifetime
        pending = {
            "id": send_id,
            "salt": salt.hex(),
            "mac": self._mac(salt, code).hex(),
            "phone": phone,
            "issued": now,
            "expires": expires,
            "attempts": 0,
        }
        self._store.update(
            account_key,
            lambda record: (_with_code(record, pending), None),
            ttl=RECORD_TTL,
        )
        message_id = self._deliver(phone, self._text(code), expires)
        return SendResult(True, SendReason.SENT, 0.0, message_id, expires)

    def verify(self, account: str, code: object) -> SmsVerdict:
        """Check a code the user typed; never raises because of ``code``.

        ``code`` follows the grammar of every otpcore verifier: spaces and
        hyphens between digits are dropped, and decimal digits of any
        script count. A right code is accepted once, compared in constant
        time, and removed.

        The checks, in order, as in :meth:`otpcore.guard.Guard.verify`: a
        locked account is refused; then a missing, expired or spent code;
        then a submission that is not a code (``bad_format``), which spends
        an attempt and counts as a failure like a wrong code unless
        ``count_bad_format`` is False, so that it cannot probe the
        account's state for free; then the code is compared.

        Args:
            account: The account the code was sent for.
            code: What the user typed; any object.

        Returns:
            An :class:`SmsVerdict`.

        Raises:
            InvalidAccountError: ``account`` is not a valid account id.
            StoreUnavailableError: The store failed; nothing was accepted.
        """
        account_key = _account_key(account)
        typed = read_code(code, self.digits)
        now = float(self._clock())

        return self._store.update(
            account_key,
            lambda record: self._check(record, typed, now),
            ttl=RECORD_TTL,
        )

    def cancel(self, account: str) -> None:
        """Drop the pending code of ``account``, if any (say, on a new number).

        Raises:
            InvalidAccountError: ``account`` is not a valid account id.
        """
        self._store.update(
            _account_key(account),
            lambda record: (_with_code(record, None), None),
            ttl=RECORD_TTL,
        )

    def unlock(self, account: str) -> None:
        """Clear the failure count of ``account``, ending a lock.

        Call it once the user has proved who they are another way, such as
        with a recovery code (together with
        :meth:`otpcore.guard.Guard.unlock` when the account also has an
        authenticator app). The pending code, the resend cooldown and the
        hourly caps are kept.

        Raises:
            InvalidAccountError: ``account`` is not a valid account id.
        """

        def change(record: _Record | None) -> tuple[_Record | None, None]:
            if record is None:
                return None, None
            return {**record, "failures": 0}, None

        self._store.update(_account_key(account), change, ttl=RECORD_TTL)

    def _reserve_account(
        self, record: _Record | None, now: float, send_id: str
    ) -> tuple[_Record | None, SendResult | None]:
        record = {} if record is None else record
        if record.get("failures", 0) >= self.max_failures:
            return record, SendResult(False, SendReason.LOCKED, math.inf)
        sends = _recent(record.get("sends"), now)
        # Of sends in the same instant, the one reserved last is the latest.
        latest = max(reversed(sends), key=lambda entry: entry[0], default=None)
        # The cooldown keeps a user from flooding their own phone while a
        # code is on its way. Once the latest code has been accepted there
        # is none on its way, and a login straight after confirming a
        # number must not be told to wait; the hourly caps still count it.
        if (
            latest is not None
            and latest[1] != record.get("accepted")
            and now - latest[0] < self.resend_cooldown
        ):
            wait = latest[0] + self.resend_cooldown - now
            return record, SendResult(False, SendReason.COOLDOWN, wait)
        wait = _cap_wait(sends, self.account_hourly_cap, now)
        if wait > 0:
            return record, SendResult(False, SendReason.ACCOUNT_LIMIT, wait)
        return {**record, "sends": [*sends, [now, send_id]]}, None

    def _reserve_number(
        self, record: _Record | None, now: float, send_id: str
    ) -> tuple[_Record | None, SendResult | None]:
        sends = _recent(None if record is None else record.get("sends"), now)
        wait = _cap_wait(sends, self.number_hourly_cap, now)
        if wait > 0:
            return record, SendResult(False, SendReason.NUMBER_LIMIT, wait)
        return {"sends": [*sends, [now, send_id]]}, None

    def _check(
        self, record: _Record | None, typed: str | None, now: float
    ) -> tuple[_Record | None, SmsVerdict]:
        if record is None:
            return None, SmsVerdict(False, SmsReason.NO_CODE)
        refusal = self._refusal(record, now)
        if refusal is not None:
            return refusal
        pending = record["code"]

        if typed is None:
            if not self.count_bad_format:
                left = self.max_attempts - pending["attempts"]
                return record, SmsVerdict(
                    False, SmsReason.BAD_FORMAT, attempts_left=left
                )
            reason = SmsReason.BAD_FORMAT
        else:
            expected = bytes.fromhex(pending["mac"])
            actual = self._mac(bytes.fromhex(pending["salt"]), typed)
            if hmac.compare_digest(expected, actual):
                accepted = {
                    **_with_code(record, None),
                    "failures": 0,
                    "accepted": pending["id"],
                }
                return accepted, SmsVerdict(
                    True, SmsReason.ACCEPTED, pending["phone"]
                )
            reason = SmsReason.WRONG_CODE

        attempts = pending["attempts"] + 1
        spent = {
            **record,
            "code": {**pending, "attempts": attempts},
            "failures": record.get("failures", 0) + 1,
        }
        left = self.max_attempts - attempts
        return spent, SmsVerdict(False, reason, attempts_left=left)

    def _refusal(
        self, record: _Record, now: float
    ) -> tuple[_Record | None, SmsVerdict] | None:
        if record.get("failures", 0) >= self.max_failures:
            return record, SmsVerdict(False, SmsReason.LOCKED)
        pending = record.get("code")
        if not isinstance(pending, dict):
            return record, SmsVerdict(False, SmsReason.NO_CODE)
        if now >= pending["expires"]:
            return _with_code(record, None), SmsVerdict(
                False, SmsReason.EXPIRED
            )
        if pending["attempts"] >= self.max_attempts:
            return record, SmsVerdict(False, SmsReason.TOO_MANY_ATTEMPTS)
        return None

    def _mac(self, salt: bytes, code: str) -> bytes:
        return hmac.new(
            self._pepper, salt + code.encode("ascii"), hashlib.sha256
        ).digest()

    def _text(self, code: str) -> str:
        text = self.message.format(
            code=code, site=self.site_name, minutes=self.lifetime // 60
        )
        if self.domain is not None:
            # The origin-bound one-time code format (WICG "sms-one-time-
            # codes"): a last line "@host #code".
            text = f"{text}\n\n@{self.domain} #{code}"
        return text

    def _deliver(self, phone: str, body: str, expires: float) -> str:
        if not self._pass_validity:
            return self._transport.send(phone, body)
        # Ask the provider to drop the text once the code is dead, rather
        # than deliver it late (Twilio's ValidityPeriod).
        validity = max(1, math.floor(expires - self._clock()))
        send = cast("Callable[..., str]", self._transport.send)
        return send(phone, body, validity=validity)

    def __repr__(self) -> str:
        return (
            f"SmsCodes(site_name={self.site_name!r}, digits={self.digits}, "
            f"lifetime={self.lifetime})"
        )


def _account_key(account: object) -> str:
    # The guard's rules, so that one account id serves both.
    return f"sms:{{{check_account(account)}}}"


def _with_code(record: _Record | None, pending: _Record | None) -> _Record:
    base = {} if record is None else dict(record)
    base.pop("code", None)
    if pending is not None:
        base["code"] = pending
    return base


def _release(
    record: _Record | None, send_id: str
) -> tuple[_Record | None, None]:
    if record is None:
        return None, None
    sends = [
        entry
        for entry in record.get("sends", [])
        if not (isinstance(entry, list) and entry[-1:] == [send_id])
    ]
    return {**record, "sends": sends}, None
