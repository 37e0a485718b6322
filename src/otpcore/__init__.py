"""otpcore: one-time passwords for two-factor login.

HOTP (RFC 4226) and TOTP (RFC 6238), base32 secrets, otpauth:// URIs and
verification that never raises on what a user typed. The QR encoder
(``otpcore.qr``), verification policy (``otpcore.guard``), stores
(``otpcore.stores``), recovery codes (``otpcore.recovery``) and SMS delivery
(``otpcore.sms``) are imported from their own modules.
"""

from otpcore._otp import Match
from otpcore.errors import (
    InvalidAlgorithmError,
    InvalidCounterError,
    InvalidDigitsError,
    InvalidParameterError,
    InvalidPeriodError,
    InvalidSecretError,
    InvalidTimeError,
    InvalidUriError,
    InvalidWindowError,
    OtpError,
    WeakSecretError,
)
from otpcore.hotp import HOTP
from otpcore.secret import Secret
from otpcore.totp import TOTP
from otpcore.uri import Provisioning, parse_uri

__all__ = [
    "HOTP",
    "TOTP",
    "InvalidAlgorithmError",
    "InvalidCounterError",
    "InvalidDigitsError",
    "InvalidParameterError",
    "InvalidPeriodError",
    "InvalidSecretError",
    "InvalidTimeError",
    "InvalidUriError",
    "InvalidWindowError",
    "Match",
    "OtpError",
    "Provisioning",
    "Secret",
    "WeakSecretError",
    "parse_uri",
]

__version__ = "0.1.0.dev0"
