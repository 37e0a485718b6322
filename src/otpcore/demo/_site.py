"""The site's use of otpcore: keys, QR codes, the guard, SMS, recovery.

Everything the pages ask of the library goes through :class:`Site`, which
turns the library's verdicts into the sentences a user reads.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from werkzeug.security import check_password_hash, generate_password_hash

from otpcore import TOTP, Secret
from otpcore.demo._db import Database, User
from otpcore.errors import InvalidRecipientError, RateLimitedError, SmsError
from otpcore.guard import Guard, Reason, Verdict
from otpcore.qr import DEFAULT_BORDER, QrCode
from otpcore.recovery import RecoveryCodes
from otpcore.sms import (
    ConsoleTransport,
    SendReason,
    SmsCodes,
    SmsReason,
    SmsTransport,
    TwilioTransport,
)
from otpcore.stores import SQLiteStore

__all__ = [
    "DEFAULT_ISSUER",
    "INVALID_PHONE",
    "Provisioning",
    "Refusal",
    "Site",
    "default_transport",
    "too_many_attempts",
]

#: The name authenticator apps show beside the account.
DEFAULT_ISSUER: Final = "otpcore demo"
# Level M (15% of the symbol restorable) is the usual choice for a code on
# a screen: a phone camera sees glare and moiré, not torn paper.
_QR_ECC: Final = "M"
# CSS pixels per module: a version 7 symbol with its quiet zone is then
# about 200 pixels wide.
_QR_SCALE: Final = 4
#: Grouping of the key shown for typing: four characters, as apps show it.
_KEY_GROUP: Final = 4

# HMAC-SHA-256 output; more than the 16 bytes the library asks of a pepper.
_DERIVED_KEY_BYTES: Final = 32
# HTTP statuses of a page shown again with a refusal on it.
_WRONG: Final = 400
_TOO_MANY: Final = 429
_UNAVAILABLE: Final = 503

WRONG_CODE: Final = "Wrong code. Check it and try again."
CODE_USED: Final = (
    "That code was already used. Wait for the app to show a new one."
)
LOCKED: Final = (
    "Too many wrong codes in a row, so codes are locked for this account. "
    "Log in with a recovery code to unlock them."
)
INVALID_PHONE: Final = (
    "Invalid phone number. Give it in international form, with + and the "
    "country code, like +44 7700 900123."
)
WRONG_RECOVERY_CODE: Final = (
    "Wrong recovery code. Each one works once; check it and try again."
)
SMS_FAILED: Final = (
    "The text message could not be sent just now. Try again in a minute."
)


@dataclass(frozen=True)
class Refusal:
    """Why a code or request was refused, in words, with an HTTP status.

    Attributes:
        message: The sentence shown on the page.
        status: 400 for a wrong value, 429 while throttled.
    """

    message: str
    status: int = _WRONG


@dataclass(frozen=True, repr=False)
class Provisioning:
    """A new key, ready to show: as a URI, a QR code and grouped text.

    Attributes:
        uri: The otpauth:// URI.
        qr: The QR code of the URI as an SVG ``data:`` URI.
        qr_pixels: The image's width and height in CSS pixels.
        key: The base32 key in groups of four, for typing.
    """

    uri: str
    qr: str
    qr_pixels: int
    key: str


def _seconds(wait: float) -> str:
    whole = max(1, math.ceil(wait))
    return "1 second" if whole == 1 else f"{whole} seconds"


def too_many_attempts(wait: float) -> str:
    """Say that guessing is slowed down, and for how long."""
    return f"Too many attempts. Try again in {_seconds(wait)}."


def _too_many_texts(wait: float) -> str:
    return f"Too many text messages. Try again in {_seconds(wait)}."


_NO_CODE: Final = Refusal(
    "No code is waiting: it was used already, or none was sent. "
    "Ask for a new one."
)
_SMS_REFUSALS: Final[Mapping[SmsReason, Refusal]] = {
    SmsReason.WRONG_CODE: Refusal(WRONG_CODE),
    SmsReason.BAD_FORMAT: Refusal(WRONG_CODE),
    SmsReason.EXPIRED: Refusal("That code has expired. Ask for a new one."),
    SmsReason.NO_CODE: _NO_CODE,
    SmsReason.TOO_MANY_ATTEMPTS: Refusal(
        "Too many wrong tries for that code. Ask for a new one.", _TOO_MANY
    ),
    SmsReason.LOCKED: Refusal(LOCKED, _TOO_MANY),
}


def _guard_refusal(verdict: Verdict) -> Refusal | None:
    if verdict.ok:
        return None
    if verdict.reason is Reason.LOCKED or math.isinf(verdict.retry_after):
        return Refusal(LOCKED, _TOO_MANY)
    if verdict.reason is Reason.THROTTLED:
        return Refusal(too_many_attempts(verdict.retry_after), _TOO_MANY)
    said = CODE_USED if verdict.reason is Reason.REPLAYED else WRONG_CODE
    if verdict.retry_after > 0:
        # This failure started a delay: say so now, not on the next try.
        return Refusal(
            f"{said} {too_many_attempts(verdict.retry_after)}", _TOO_MANY
        )
    return Refusal(said)


def _derive(key: bytes | None, purpose: bytes) -> bytes:
    # One configured secret, a separate key for each use of it; without
    # one, a random key that lasts as long as the process.
    if key is None:
        return secrets.token_bytes(_DERIVED_KEY_BYTES)
    return hmac.new(key, purpose, hashlib.sha256).digest()


def _account(user: User) -> str:
    # The guard, SMS codes and recovery codes key their state by this; the
    # row id never changes, unlike a username might.
    return f"user-{user.id}"


def _group(b32: str) -> str:
    return " ".join(
        b32[i : i + _KEY_GROUP] for i in range(0, len(b32), _KEY_GROUP)
    )


def default_transport() -> SmsTransport:
    """Twilio when its environment variables are set, else the console."""
    return TwilioTransport.from_env() or ConsoleTransport()


class Site:
    """The library pieces one demo site uses, built once per app.

    Args:
        db_path: The SQLite file for users and for the guard's state.
        transport: Where SMS codes go.
        clock: Returns the current Unix time.
        issuer: The service name in provisioning URIs and text messages.
        key: The site's configured secret, from which the keys of the
            hashes of texted codes and recovery codes derive; None when the
            site has none that outlives the process.
    """

    def __init__(
        self,
        db_path: str,
        *,
        transport: SmsTransport,
        clock: Callable[[], float],
        issuer: str,
        key: bytes | None,
    ) -> None:
        self.clock = clock
        self.issuer = issuer
        self.db = Database(db_path, clock=clock)
        # The library's state shares the users' file: its tables are named
        # apart from the site's, and one file is one thing to back up.
        self.store = SQLiteStore(db_path, clock=clock)
        self.guard = Guard(self.store, clock=clock)
        self.sms = SmsCodes(
            self.store,
            transport,
            site_name=issuer,
            pepper=_derive(key, b"sms codes"),
            clock=clock,
        )
        self.recovery = RecoveryCodes(
            self.store,
            pepper=None if key is None else _derive(key, b"recovery codes"),
        )
        # Checking a password against this when the username is unknown
        # takes as long as a real check, so timing does not reveal which
        # usernames exist.
        self._decoy_hash = generate_password_hash(secrets.token_urlsafe())

    def password_ok(self, user: User | None, password: str) -> bool:
        """Check a password in the same time whether or not the user exists."""
        if user is None:
            check_password_hash(self._decoy_hash, password)
            return False
        return check_password_hash(user.password_hash, password)

    # Authenticator apps.

    def totp(self, b32: str) -> TOTP:
        """Return the TOTP generator of a stored key, on the site's clock."""
        return TOTP(Secret.from_b32(b32), clock=self.clock)

    def new_key(self, user: User) -> str:
        """Return a fresh 160-bit key as base32, for the user to confirm."""
        # The guard's memory (last step used, drift) belongs to the old key.
        self.guard.reset(_account(user))
        return Secret.generate().b32

    def provisioning(self, b32: str, user: User) -> Provisioning:
        """Return what the enable-by-app page shows for a new key."""
        uri = self.totp(b32).provisioning_uri(user.username, self.issuer)
        qr = QrCode.encode(uri, ecc=_QR_ECC)
        return Provisioning(
            uri=uri,
            qr=qr.data_uri("svg", scale=_QR_SCALE),
            qr_pixels=(qr.size + 2 * DEFAULT_BORDER) * _QR_SCALE,
            key=_group(b32),
        )

    def check_app_code(
        self, user: User, b32: str, code: str
    ) -> Refusal | None:
        """Check an authenticator app's code through the guard."""
        verdict = self.guard.verify(_account(user), self.totp(b32), code)
        return _guard_refusal(verdict)

    def check_second_factor(self, user: User, code: str) -> Refusal | None:
        """Check a code by the user's method: app or text message."""
        if user.tfa_method == "app" and user.totp_secret is not None:
            return self.check_app_code(user, user.totp_secret, code)
        return self.check_sms_code(user, code)

    # Text messages.

    def send_code(self, user: User, phone: str) -> Refusal | None:
        """Text a new code to the E.164 ``phone``, unless a limit says no.

        One flow serves confirming a new number and logging in: the code
        that confirms a number ends the resend cooldown, so a login right
        after is not told to wait.
        """
        try:
            sent = self.sms.send(_account(user), phone)
        except InvalidRecipientError:
            return Refusal(INVALID_PHONE)
        except RateLimitedError as exc:
            return Refusal(_too_many_texts(exc.retry_after), _TOO_MANY)
        except SmsError:
            return Refusal(SMS_FAILED, _UNAVAILABLE)
        if sent:
            return None
        if sent.reason is SendReason.LOCKED:
            message = LOCKED
        elif sent.reason is SendReason.COOLDOWN:
            message = (
                "A code was sent moments ago. Wait "
                f"{_seconds(sent.retry_after)} before asking for another."
            )
        else:
            message = _too_many_texts(sent.retry_after)
        return Refusal(message, _TOO_MANY)

    def check_sms_code(self, user: User, code: str) -> Refusal | None:
        """Check the code last texted to the user's number, to log in."""
        refusal, phone = self.confirm_number(user, code)
        if refusal is None and phone != user.phone:
            # Only a code sent to the number on file proves the second
            # factor; one left over from choosing another number does not.
            return _NO_CODE
        return refusal

    def confirm_number(
        self, user: User, code: str
    ) -> tuple[Refusal | None, str | None]:
        """Check a texted code; also return the number it was sent to."""
        verdict = self.sms.verify(_account(user), code)
        if verdict:
            return None, verdict.phone
        return _SMS_REFUSALS[verdict.reason], None

    # Recovery codes.

    def issue_recovery_codes(self, user: User) -> list[str]:
        """Replace the user's recovery codes; return the new ones."""
        return self.recovery.generate(_account(user))

    def check_recovery_code(self, user: User, code: str) -> Refusal | None:
        """Accept one of the user's recovery codes, once."""
        account = _account(user)
        if not self.recovery.use(account, code):
            return Refusal(WRONG_RECOVERY_CODE)
        # The user has proved who they are another way: lift the locks
        # that wrong codes put on the app and on text messages.
        self.guard.unlock(account)
        self.sms.unlock(account)
        return None

    def recovery_left(self, user: User) -> int:
        """Return how many recovery codes the user has not used."""
        return self.recovery.remaining(_account(user))

    def forget_recovery_codes(self, user: User) -> None:
        """Drop the user's recovery codes."""
        self.recovery.forget(_account(user))
