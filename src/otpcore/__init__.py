"""otpcore: one-time passwords for two-factor login.

HOTP (RFC 4226) and TOTP (RFC 6238), base32 secrets, otpauth:// URIs and
verification that never raises on what a user typed. The guard, stores, SMS
and QR modules live in their own subpackages and are imported from there.
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
    "Secret",
    "WeakSecretError",
]

__version__ = "0.1.0.dev0"
