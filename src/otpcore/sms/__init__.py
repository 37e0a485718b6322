"""Sending one-time codes by SMS.

Transports deliver a text (:class:`TwilioTransport`, and for development
and tests :class:`ConsoleTransport` and :class:`MemoryTransport`);
:class:`SmsCodes` issues, stores and checks the codes; delegated verifiers
(:class:`TwilioVerify`) own the code themselves.
"""

from otpcore.sms._codes import SendResult, SmsCodes, SmsVerdict
from otpcore.sms._transport import (
    ConsoleTransport,
    MemoryTransport,
    SentMessage,
    SmsTransport,
    check_e164,
)
from otpcore.sms._twilio import TwilioTransport
from otpcore.sms._verify import DelegatedVerifier, TwilioVerify, VerifyOutcome

__all__ = [
    "ConsoleTransport",
    "DelegatedVerifier",
    "MemoryTransport",
    "SendResult",
    "SentMessage",
    "SmsCodes",
    "SmsTransport",
    "SmsVerdict",
    "TwilioTransport",
    "TwilioVerify",
    "VerifyOutcome",
    "check_e164",
]
