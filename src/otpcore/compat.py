"""Which provisioning parameters an authenticator app is known to mishandle.

A URI can be valid and still fail in the app that scans it: some apps drop
parameters they do not read and show codes that never match, some refuse the
URI. :func:`check` lists what a record, generator or URI asks of a given app
that the app is known not to honour, each finding with its source, so that a
service can pick parameters its users' apps will follow.

The facts, and the documents they come from, are tabled in
docs/provisioning.md. Apps change; a finding marked
:attr:`Impact.VARIES` means versions disagree and only a test with the
app in hand settles it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from otpcore._otp import DEFAULT_ALGORITHM, DEFAULT_DIGITS
from otpcore.errors import InvalidParameterError
from otpcore.hotp import HOTP
from otpcore.steam import SteamTOTP
from otpcore.totp import DEFAULT_PERIOD, TOTP
from otpcore.uri import Provisioning, parse_uri

__all__ = [
    "APPS",
    "DEFAULT_APP",
    "CompatIssue",
    "Impact",
    "check",
]


class Impact(StrEnum):
    """What a finding means for the person scanning the code."""

    #: The app is documented to refuse the URI, or the setting lies outside
    #: what the app's format defines: expect an error or wrong codes.
    UNSUPPORTED = "unsupported"
    #: The app loads the key but drops the parameter and uses its default,
    #: so its codes will not match the server's.
    IGNORED = "ignored"
    #: Versions of the app disagree; test with the app before relying on it.
    VARIES = "varies"
    #: The app drops or mis-shows it, but codes are unaffected.
    COSMETIC = "cosmetic"


@dataclass(frozen=True, slots=True)
class CompatIssue:
    """One parameter a target app is known not to honour.

    Attributes:
        app: The app profile checked, such as ``"google"``.
        parameter: The URI parameter concerned (``"algorithm"``,
            ``"digits"``, ``"period"``, ``"encoder"``, ``"secret"``, ...).
        impact: How bad it is.
        message: One sentence for a person.
        sources: Where the facts come from, as URLs.
    """

    app: str
    parameter: str
    impact: Impact
    message: str
    sources: tuple[str, ...]


#: The profiles :func:`check` knows, by name, with what each describes.
APPS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "google": "Google Authenticator for Android and iOS",
        "keyuri": "Google's Key URI format as published: the portable subset",
    }
)
DEFAULT_APP: Final = "google"

# Sources, as cited in docs/provisioning.md.
_KEY_URI = "https://github.com/google/google-authenticator/wiki/Key-Uri-Format"
_ANDROID = (
    "https://github.com/google/google-authenticator-android/blob/"
    "6f65e99/java/com/google/android/apps/authenticator/"
    "AuthenticatorActivity.java"
)
_KEYCLOAK_27349 = "https://github.com/keycloak/keycloak/issues/27349"
_ARUBA_21 = "https://github.com/andry08/ArubaOTP-seed-extractor/issues/21"
_IOS_PADDING = "https://github.com/google/google-authenticator/issues/652"
_PLUS_SHOWN = "https://github.com/dashbitco/nimble_totp/issues/10"
_PYOTP_47 = "https://github.com/pyauth/pyotp/issues/47"

# Key URI format, "Digits": "may have the values 6 or 8".
_KEY_URI_DIGITS: Final = frozenset({6, 8})
_PADDING: Final = re.compile(r"[?&]secret=[^&]*(=|%3[dD])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Subject:
    """What is checked, whatever form it came in."""

    otp: TOTP | HOTP
    has_issuer: bool | None
    has_image: bool
    extra: tuple[str, ...]
    text: str | None


def _subject(target: object) -> _Subject:
    if isinstance(target, str):
        # Read as leniently as apps do: the point is to report problems,
        # not to refuse the URI over them.
        record = parse_uri(
            target, allow_weak=True, strict_issuer=False, default_counter=0
        )
        return _Subject(
            record.otp,
            record.issuer is not None,
            record.image is not None,
            tuple(record.extra),
            target,
        )
    if isinstance(target, Provisioning):
        return _Subject(
            target.otp,
            target.issuer is not None,
            target.image is not None,
            tuple(target.extra),
            None,
        )
    if isinstance(target, TOTP | HOTP):
        return _Subject(target, None, False, (), None)
    raise InvalidParameterError(
        "target",
        "expected a Provisioning record, a TOTP or HOTP generator or an "
        f"otpauth URI, got {type(target).__name__}",
    )


def _check_google(subject: _Subject, app: str) -> list[CompatIssue]:
    otp = subject.otp
    found: list[CompatIssue] = []
    if isinstance(otp, SteamTOTP):
        found.append(
            CompatIssue(
                app,
                "encoder",
                Impact.IGNORED,
                "Google Authenticator does not know Steam Guard; it shows "
                "6-digit codes that Steam refuses.",
                (_ANDROID,),
            )
        )
    elif otp.algorithm != DEFAULT_ALGORITHM:
        found.append(
            CompatIssue(
                app,
                "algorithm",
                Impact.VARIES,
                f"{otp.algorithm.upper()}: the Key URI format page says "
                "Google Authenticator ignores the algorithm; a 2023 report "
                "has the Android app refuse SHA256, and a 2024 one has "
                "current apps accept it.",
                (_KEY_URI, _ARUBA_21, _KEYCLOAK_27349),
            )
        )
    if not isinstance(otp, SteamTOTP) and otp.digits != DEFAULT_DIGITS:
        if otp.digits in _KEY_URI_DIGITS:
            found.append(
                CompatIssue(
                    app,
                    "digits",
                    Impact.VARIES,
                    "8 digits: the Key URI format page says the Android app "
                    "ignores digits; 2023 and 2024 reports have current "
                    "apps show 8.",
                    (_KEY_URI, _ARUBA_21, _KEYCLOAK_27349),
                )
            )
        else:
            found.append(
                CompatIssue(
                    app,
                    "digits",
                    Impact.UNSUPPORTED,
                    f"{otp.digits} digits: Google's format allows only 6 or "
                    "8.",
                    (_KEY_URI,),
                )
            )
    if isinstance(otp, TOTP) and otp.period != DEFAULT_PERIOD:
        found.append(
            CompatIssue(
                app,
                "period",
                Impact.IGNORED,
                f"{otp.period}-second period: Google Authenticator ignores "
                "the period and changes codes every 30 seconds.",
                (_KEY_URI, _ARUBA_21),
            )
        )
    found.extend(_common(subject, app, source=_ANDROID))
    return found


def _check_keyuri(subject: _Subject, app: str) -> list[CompatIssue]:
    otp = subject.otp
    found: list[CompatIssue] = []
    if isinstance(otp, SteamTOTP):
        found.append(
            CompatIssue(
                app,
                "encoder",
                Impact.UNSUPPORTED,
                "Steam Guard is not part of the Key URI format, which "
                "defines only hotp and totp.",
                (_KEY_URI,),
            )
        )
    elif otp.digits not in _KEY_URI_DIGITS:
        found.append(
            CompatIssue(
                app,
                "digits",
                Impact.UNSUPPORTED,
                f"{otp.digits} digits: the Key URI format allows only 6 or 8.",
                (_KEY_URI,),
            )
        )
    found.extend(_common(subject, app, source=_KEY_URI))
    return found


def _common(subject: _Subject, app: str, *, source: str) -> list[CompatIssue]:
    """Findings that hold for every profile: cosmetic ones and raw text."""
    found: list[CompatIssue] = []
    if subject.has_issuer is False:
        found.append(
            CompatIssue(
                app,
                "issuer",
                Impact.COSMETIC,
                "No issuer: the Key URI format strongly recommends one, "
                "and apps group and label accounts by it.",
                (_KEY_URI,),
            )
        )
    if subject.has_image:
        found.append(
            CompatIssue(
                app,
                "image",
                Impact.COSMETIC,
                "The image parameter is not part of the Key URI format; "
                "the app shows no icon from it.",
                (source,),
            )
        )
    found.extend(
        CompatIssue(
            app,
            name,
            Impact.COSMETIC,
            "An unknown parameter; the app ignores it.",
            (source,),
        )
        for name in subject.extra
    )
    text = subject.text
    if text is not None:
        if _PADDING.search(text):
            found.append(
                CompatIssue(
                    app,
                    "secret",
                    Impact.VARIES,
                    "The secret is padded with '='; the Key URI format says "
                    "to omit padding, and Google Authenticator for iOS has "
                    "refused padded secrets.",
                    (_KEY_URI, _IOS_PADDING),
                )
            )
        found.extend(_plus_signs(text, app))
    return found


def _plus_signs(text: str, app: str) -> list[CompatIssue]:
    """Flag query values that write a space as "+"."""
    found = []
    for piece in text.partition("?")[2].split("&"):
        name, _, value = piece.partition("=")
        if "+" in value and name.lower() != "secret":
            found.append(
                CompatIssue(
                    app,
                    name.lower(),
                    Impact.COSMETIC,
                    "A '+' stands for a space here; Google Authenticator "
                    "and other apps show it as a plus sign. Write spaces "
                    "as %20.",
                    (_PLUS_SHOWN, _PYOTP_47),
                )
            )
    return found


_PROFILES: Final[
    Mapping[str, Callable[[_Subject, str], list[CompatIssue]]]
] = MappingProxyType({"google": _check_google, "keyuri": _check_keyuri})


def check(
    target: Provisioning | TOTP | HOTP | str, app: str = DEFAULT_APP
) -> list[CompatIssue]:
    """List what ``target`` asks of ``app`` that the app is known not to do.

    Args:
        target: A :class:`~otpcore.uri.Provisioning` record, a generator
            (then issuer and extra parameters are not checked) or an
            otpauth URI as text (then its spelling is checked too:
            a padded secret, a ``+`` for a space).
        app: A profile from :data:`APPS`: ``"google"`` for Google
            Authenticator, ``"keyuri"`` for the format as published.

    Returns:
        The findings, empty when nothing is known to go wrong.

    Raises:
        InvalidParameterError: ``app`` is not a known profile, or
            ``target`` is of another type.
        InvalidUriError: ``target`` is text that is not an otpauth URI.

    >>> from otpcore import TOTP
    >>> totp = TOTP(bytes(20), digits=8, algorithm="sha256", period=60)
    >>> [(i.parameter, i.impact.value) for i in check(totp)]
    [('algorithm', 'varies'), ('digits', 'varies'), ('period', 'ignored')]
    """
    name: object = app
    profile = _PROFILES.get(name) if isinstance(name, str) else None
    if profile is None:
        raise InvalidParameterError(
            "app", f"must be one of {', '.join(sorted(APPS))}"
        )
    return profile(_subject(target), app)
