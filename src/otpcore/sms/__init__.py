"""Sending one-time codes by SMS.

Transports deliver a text (:class:`TwilioTransport`, and for development
and tests :class:`ConsoleTransport` and :class:`MemoryTransport`);
:class:`SmsCodes` issues, stores and checks the codes; delegated verifiers
(:class:`TwilioVerify`) own the code themselves. :func:`parse_phone` reads
a number as people type it, :func:`check_e164` checks one.
"""

from otpcore.sms._codes import (
    SendReason,
    SendResult,
    SmsCodes,
    SmsReason,
    SmsVerdict,
)
from otpcore.sms._transport import (
    ConsoleTransport,
    MemoryTransport,
    SentMessage,
    SmsTransport,
    check_e164,
    parse_phone,
)
from otpcore.sms._twilio import TwilioTransport
from otpcore.sms._verify import DelegatedVerifier, TwilioVerify, VerifyOutcome

__all__ = [
    "ConsoleTransport",
    "DelegatedVerifier",
    "MemoryTransport",
    "SendReason",
    "SendResult",
    "SentMessage",
    "SmsCodes",
    "SmsReason",
    "SmsTransport",
    "SmsVerdict",
    "TwilioTransport",
    "TwilioVerify",
    "VerifyOutcome",
    "check_e164",
    "parse_phone",
]
