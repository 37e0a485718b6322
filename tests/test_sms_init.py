"""The public surface of otpcore.sms (its __init__ re-exports)."""

from __future__ import annotations

import otpcore.sms


def test_all_is_sorted_and_unique() -> None:
    """__all__ lists each public name once, in sorted order."""
    names = otpcore.sms.__all__

    assert names == sorted(set(names))


def test_all_agrees_with_the_public_names() -> None:
    """Every name in __all__ exists, and every public name is in __all__."""
    public = {
        name
        for name in vars(otpcore.sms)
        if not name.startswith("_") and name != "annotations"
    }

    assert set(otpcore.sms.__all__) == public


def test_the_contract_names_are_exported() -> None:
    """The transports, the verifier protocol and the code flow are public."""
    contract = {
        "SmsTransport",
        "TwilioTransport",
        "ConsoleTransport",
        "MemoryTransport",
        "DelegatedVerifier",
        "TwilioVerify",
        "VerifyOutcome",
        "SmsCodes",
        "check_e164",
    }

    assert contract <= set(otpcore.sms.__all__)


def test_the_reason_enums_and_parse_phone_are_exported() -> None:
    """The result reasons and the lenient number reader are public."""
    names = {"SendReason", "SmsReason", "parse_phone"}

    assert names <= set(otpcore.sms.__all__)
