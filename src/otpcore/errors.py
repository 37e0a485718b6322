"""The exceptions otpcore raises.

Every exception is an :class:`OtpError`, which is also a :class:`ValueError`
so that code written against the standard library's conventions keeps
working. Messages name the parameter and what is allowed; they never contain
a key, a base32 secret, a submitted code or a credential.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CredentialsRejectedError",
    "DataTooLongError",
    "InvalidAccountError",
    "InvalidAlgorithmError",
    "InvalidCounterError",
    "InvalidDigitsError",
    "InvalidParameterError",
    "InvalidPeriodError",
    "InvalidQrParameterError",
    "InvalidRecipientError",
    "InvalidSecretError",
    "InvalidTimeError",
    "InvalidUriError",
    "InvalidWindowError",
    "MessageRejectedError",
    "OtpError",
    "PicklingRefusedError",
    "QrError",
    "RateLimitedError",
    "SmsError",
    "StoreError",
    "StoreUnavailableError",
    "TransportUnavailableError",
    "WeakSecretError",
]


class OtpError(ValueError):
    """The base class of every error otpcore raises."""


# Keys and algorithm parameters.


class InvalidSecretError(OtpError):
    """A secret could not be read: not base32, empty, or not bytes."""


class WeakSecretError(InvalidSecretError):
    """A key is shorter than the policy allows (RFC 4226 section 4, R6)."""


class InvalidParameterError(OtpError):
    """A parameter of an algorithm or a call is out of its allowed range.

    Attributes:
        parameter: The name of the parameter that was refused.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self._detail = message

    def __reduce__(
        self,
    ) -> tuple[type[InvalidParameterError], tuple[str, str]]:
        # Exceptions pickle their args, which here is the joined message;
        # rebuilding from the two parts lets them cross process boundaries.
        return (type(self), (self.parameter, self._detail))


class InvalidAlgorithmError(InvalidParameterError):
    """The hash algorithm is not one of sha1, sha256 or sha512."""


class InvalidDigitsError(InvalidParameterError):
    """The number of digits is outside 6 to 10."""


class InvalidPeriodError(InvalidParameterError):
    """The TOTP period is not a positive whole number of seconds."""


class InvalidCounterError(InvalidParameterError):
    """A counter or time step is outside 0 to 2**64 - 1."""


class InvalidTimeError(InvalidParameterError):
    """A time is not a finite number of Unix seconds, or precedes T0."""


class InvalidWindowError(InvalidParameterError):
    """A verification window is negative or larger than the bound."""


# Provisioning.


class InvalidUriError(OtpError):
    """An otpauth URI cannot be built or parsed; the message says why."""


class QrError(OtpError):
    """A QR code cannot be built with the requested parameters."""


class DataTooLongError(QrError):
    """The data does not fit a QR code at the requested level or version."""


class InvalidQrParameterError(QrError, InvalidParameterError):
    """A QR code or renderer parameter is not one of the allowed values.

    Attributes:
        parameter: The name of the parameter that was refused.
    """


# Verification state.


class StoreError(OtpError):
    """A store for verification state failed."""


class InvalidAccountError(InvalidParameterError):
    """An account id is not a non-empty str of bounded length."""


class StoreUnavailableError(StoreError):
    """A store could not be reached or written; nothing was accepted."""


# SMS delivery.


class SmsError(OtpError):
    """An SMS transport or verifier could not do what was asked.

    ``str(exc)`` says what went wrong in otpcore's words, with the
    provider's error code, and never holds a phone number, so it may be
    logged. The provider's own text is kept apart, in ``provider_message``.

    Attributes:
        provider_code: The provider's error code (Twilio's ``code``), when
            it gave one.
        provider_message: The provider's own message, when it gave one.
            It may contain personal data: Twilio repeats the recipient's
            phone number in some messages (21211, 21614, Verify's 60200).
            Keep it out of logs and error reports that may not hold phone
            numbers.
    """

    def __init__(
        self,
        message: str,
        *,
        provider_code: int | None = None,
        provider_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider_code = provider_code
        self.provider_message = provider_message


class InvalidRecipientError(SmsError):
    """The recipient is not an E.164 number, or cannot receive SMS."""


class MessageRejectedError(SmsError):
    """The provider refused the message for a lasting reason."""


class CredentialsRejectedError(SmsError):
    """The provider refused the credentials; retrying will not help."""


class RateLimitedError(SmsError):
    """Sending is rate limited; try again after ``retry_after`` seconds.

    Attributes:
        retry_after: Seconds to wait before trying again.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        provider_code: int | None = None,
        provider_message: str | None = None,
    ) -> None:
        super().__init__(
            message,
            provider_code=provider_code,
            provider_message=provider_message,
        )
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds from args alone, which lack retry_after.
        return (_rebuild_rate_limited, (type(self), str(self)), vars(self))


def _rebuild_rate_limited(
    cls: type[RateLimitedError], message: str
) -> RateLimitedError:
    """Recreate a pickled RateLimitedError; its attributes follow."""
    return cls(message, retry_after=0.0)


class TransportUnavailableError(SmsError):
    """The provider could not be reached or kept failing; try later."""


class PicklingRefusedError(OtpError, TypeError):
    """An object that holds provider credentials refused to be pickled.

    It is also a :class:`TypeError`, which is what pickling raises for
    other objects that cannot be pickled.
    """
