"""The app compatibility check: findings, profiles and their sources."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpcore import HOTP, TOTP
from otpcore.compat import APPS, CompatIssue, Impact, check
from otpcore.errors import InvalidParameterError, InvalidUriError
from otpcore.steam import SteamTOTP
from otpcore.uri import Provisioning

KEY = b"12345678901234567890"
B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "provisioning.md"


def findings(target: Any, app: str) -> list[tuple[str, Impact]]:
    return [(i.parameter, i.impact) for i in check(target, app)]


@pytest.mark.parametrize("app", sorted(APPS))
@pytest.mark.parametrize(
    "target",
    [
        Provisioning(TOTP(KEY), "alice", "Example"),
        Provisioning(HOTP(KEY), "alice", "Example", counter=0),
        f"otpauth://totp/Example:alice?secret={B32}&issuer=Example",
        TOTP(KEY),
        HOTP(KEY),
    ],
    ids=["totp-record", "hotp-record", "uri", "totp", "hotp"],
)
def test_defaults_raise_nothing(target: Any, app: str) -> None:
    """SHA1, 6 digits, 30 s and an issuer suit every profile."""
    assert check(target, app) == []


GOOGLE = [
    pytest.param(
        TOTP(KEY, algorithm="sha256"),
        [("algorithm", Impact.VARIES)],
        id="sha256",
    ),
    pytest.param(
        HOTP(KEY, algorithm="sha512"),
        [("algorithm", Impact.VARIES)],
        id="sha512-hotp",
    ),
    pytest.param(TOTP(KEY, digits=8), [("digits", Impact.VARIES)], id="8"),
    pytest.param(
        TOTP(KEY, digits=7), [("digits", Impact.UNSUPPORTED)], id="7"
    ),
    pytest.param(
        TOTP(KEY, digits=9), [("digits", Impact.UNSUPPORTED)], id="9"
    ),
    pytest.param(
        HOTP(KEY, digits=10), [("digits", Impact.UNSUPPORTED)], id="10-hotp"
    ),
    pytest.param(TOTP(KEY, period=60), [("period", Impact.IGNORED)], id="60s"),
    pytest.param(TOTP(KEY, period=15), [("period", Impact.IGNORED)], id="15s"),
    pytest.param(SteamTOTP(KEY), [("encoder", Impact.IGNORED)], id="steam"),
]


@pytest.mark.parametrize(("otp", "expected"), GOOGLE)
def test_google_findings(otp: TOTP | HOTP, expected: list[Any]) -> None:
    """Each parameter Google Authenticator mishandles is reported."""
    assert findings(otp, "google") == expected


KEYURI = [
    pytest.param(TOTP(KEY, algorithm="sha512"), [], id="sha512-is-defined"),
    pytest.param(TOTP(KEY, digits=8), [], id="8-is-defined"),
    pytest.param(TOTP(KEY, period=60), [], id="period-is-defined"),
    pytest.param(
        TOTP(KEY, digits=7), [("digits", Impact.UNSUPPORTED)], id="7"
    ),
    pytest.param(
        SteamTOTP(KEY), [("encoder", Impact.UNSUPPORTED)], id="steam"
    ),
]


@pytest.mark.parametrize(("otp", "expected"), KEYURI)
def test_keyuri_findings(otp: TOTP | HOTP, expected: list[Any]) -> None:
    """The published format's profile reports only what it does not define."""
    assert findings(otp, "keyuri") == expected


def test_record_findings_cover_issuer_image_and_extras() -> None:
    """A record without issuer, with an image and extras, is told so."""
    record = Provisioning(
        TOTP(KEY), "alice", image="https://e.com/i.png", extra={"color": "red"}
    )

    assert findings(record, "google") == [
        ("issuer", Impact.COSMETIC),
        ("image", Impact.COSMETIC),
        ("color", Impact.COSMETIC),
    ]


def test_several_findings_come_in_parameter_order() -> None:
    """Algorithm, digits and period are reported together."""
    otp = TOTP(KEY, digits=8, algorithm="sha256", period=60)

    assert findings(otp, "google") == [
        ("algorithm", Impact.VARIES),
        ("digits", Impact.VARIES),
        ("period", Impact.IGNORED),
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"otpauth://totp/E:a?secret={B32}AA%3D%3D%3D%3D%3D%3D&issuer=E",
        f"otpauth://totp/E:a?secret={B32}AA======&issuer=E",
        f"otpauth://totp/E:a?SECRET={B32}AA======&issuer=E",
    ],
    ids=["escaped", "raw", "upper-case-name"],
)
def test_padded_secret_in_text_is_reported(text: str) -> None:
    """A padded secret is flagged: old iOS apps refused it."""
    assert ("secret", Impact.VARIES) in findings(text, "google")


def test_plus_for_space_in_text_is_reported() -> None:
    """'+' for a space in the query is flagged: apps show a plus."""
    text = f"otpauth://totp/My%20Co:a?secret={B32}&issuer=My+Co"

    assert findings(text, "google") == [("issuer", Impact.COSMETIC)]


def test_text_is_read_leniently() -> None:
    """A URI that parse_uri would refuse by default is still checked."""
    text = "otpauth://hotp/Old:a?secret=JBSWY3DPEHPK3PXP&issuer=New"

    assert check(text, "google") == []


def test_text_that_is_no_uri_is_refused() -> None:
    """Checking text that is not an otpauth URI raises InvalidUriError."""
    with pytest.raises(InvalidUriError):
        check("https://example.com", "google")


@pytest.mark.parametrize("app", ["authy", "", "GOOGLE", None, 1])
def test_unknown_apps_are_refused(app: Any) -> None:
    """Only the known profiles are accepted."""
    with pytest.raises(InvalidParameterError, match="app"):
        check(TOTP(KEY), app)


@pytest.mark.parametrize("target", [None, b"otpauth://", 3], ids=repr)
def test_other_targets_are_refused(target: Any) -> None:
    """Only records, generators and text can be checked."""
    with pytest.raises(InvalidParameterError, match="target"):
        check(target, "google")


targets = st.builds(
    TOTP,
    st.just(KEY),
    st.integers(6, 10),
    st.sampled_from(["sha1", "sha256", "sha512"]),
    st.integers(1, 300),
)


@given(targets, st.sampled_from(sorted(APPS)))
def test_every_finding_is_sourced_in_the_guide(otp: TOTP, app: str) -> None:
    """Each finding cites https sources that docs/provisioning.md lists."""
    guide = GUIDE.read_text(encoding="utf-8")

    for issue in check(otp, app):
        assert isinstance(issue, CompatIssue)
        assert issue.app == app
        assert issue.message
        assert issue.sources
        for source in issue.sources:
            assert re.fullmatch(r"https://\S+", source)
            assert source in guide


EVERY_KIND = [
    pytest.param(SteamTOTP(KEY), id="steam"),
    pytest.param(TOTP(KEY, digits=7), id="digits-7"),
    pytest.param(
        Provisioning(
            TOTP(KEY), "a", image="https://e.com/i.png", extra={"x": "1"}
        ),
        id="record-cosmetic",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={B32}AA======&issuer=A+B", id="text"
    ),
]


@pytest.mark.parametrize("app", sorted(APPS))
@pytest.mark.parametrize("target", EVERY_KIND)
def test_every_kind_of_finding_is_sourced_in_the_guide(
    target: Any, app: str
) -> None:
    """Record and text findings cite sources the guide lists too."""
    guide = GUIDE.read_text(encoding="utf-8")

    issues = check(target, app)

    assert issues
    for issue in issues:
        assert all(source in guide for source in issue.sources)


def test_every_app_is_in_the_guide_table() -> None:
    """Each profile is described in the guide's compatibility table."""
    guide = GUIDE.read_text(encoding="utf-8")

    for app in APPS:
        assert f"`{app}`" in guide
