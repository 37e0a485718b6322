"""otpauth:// Key URIs: building, parsing, round trips and peers."""

from __future__ import annotations

import base64
import hashlib
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor import hotp as crypto_hotp
from cryptography.hazmat.primitives.twofactor import totp as crypto_totp
from hypothesis import given
from hypothesis import strategies as st

import otpcore.uri
from otpcore import HOTP, TOTP, Secret
from otpcore.errors import InvalidSecretError, InvalidUriError, WeakSecretError
from otpcore.steam import SteamTOTP
from otpcore.uri import MAX_URI_LENGTH, Provisioning, build_uri, parse_uri

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
KEY = b"12345678901234567890"
KEY_B32 = base64.b32encode(KEY).decode("ascii")
WHEN = 1_700_000_000


def _real_world() -> list[Any]:
    with (VECTORS / "otpauth_uris.toml").open("rb") as file:
        rows = tomllib.load(file)["uris"]
    return [pytest.param(row, id=row["id"]) for row in rows]


# Building.


def test_build_writes_issuer_in_label_and_parameter() -> None:
    """The issuer prefixes the label with a literal colon and is repeated."""
    totp = TOTP(KEY)

    uri = build_uri(totp, "alice@example.com", issuer="Example")

    assert uri == (
        f"otpauth://totp/Example:alice%40example.com?secret={KEY_B32}"
        "&issuer=Example"
    )


def test_build_without_issuer_has_a_bare_label() -> None:
    """With no issuer, the label is the account alone and no parameter."""
    uri = build_uri(TOTP(KEY), "alice")

    assert uri == f"otpauth://totp/alice?secret={KEY_B32}"


RESERVED = [
    pytest.param(" ", "%20", id="space"),
    pytest.param("/", "%2F", id="slash"),
    pytest.param("?", "%3F", id="question-mark"),
    pytest.param("#", "%23", id="hash"),
    pytest.param("&", "%26", id="ampersand"),
    pytest.param("@", "%40", id="at"),
    pytest.param("%", "%25", id="percent"),
    pytest.param("+", "%2B", id="plus"),
    pytest.param("=", "%3D", id="equals"),
    pytest.param("é", "%C3%A9", id="non-ascii-utf8"),
    pytest.param("\U0001f511", "%F0%9F%94%91", id="astral"),
]


@pytest.mark.parametrize(("char", "escaped"), RESERVED)
def test_build_percent_encodes_outside_unreserved(
    char: str, escaped: str
) -> None:
    """Label and query carry each reserved character percent-encoded."""
    uri = build_uri(TOTP(KEY), f"a{char}b", issuer=f"I{char}J")

    assert f"/I{escaped}J:a{escaped}b?" in uri
    assert f"&issuer=I{escaped}J" in uri


def test_build_keeps_unreserved_characters() -> None:
    """RFC 3986 unreserved characters stay as they are."""
    uri = build_uri(TOTP(KEY), "Az09-._~")

    assert "/Az09-._~?" in uri


def test_build_omits_defaults_and_writes_the_rest() -> None:
    """SHA1, 6 digits and 30 s are left out; other values are written."""
    totp = TOTP(KEY, digits=8, algorithm="sha512", period=60)

    uri = build_uri(totp, "a")

    assert uri.endswith(
        f"?secret={KEY_B32}&algorithm=SHA512&digits=8&period=60"
    )


def test_build_writes_the_secret_unpadded_and_upper_case() -> None:
    """A key whose base32 needs padding is written without it."""
    key = bytes(range(17))

    uri = build_uri(TOTP(key), "a")

    secret = uri.partition("secret=")[2]
    assert "=" not in secret
    assert "%3D" not in secret
    assert secret == secret.upper()
    assert Secret.from_b32(secret) == Secret(key)


@pytest.mark.parametrize("counter", [0, 7, 2**64 - 1], ids=str)
def test_build_hotp_always_writes_counter(counter: int) -> None:
    """HOTP URIs carry counter even at 0."""
    uri = build_uri(HOTP(KEY), "a", counter=counter)

    assert uri == f"otpauth://hotp/a?secret={KEY_B32}&counter={counter}"


def test_provisioning_uri_hooks_call_the_builder() -> None:
    """TOTP and HOTP provisioning_uri build the same URI as build_uri."""
    totp, hotp = TOTP(KEY), HOTP(KEY)

    assert totp.provisioning_uri("a", "I") == build_uri(totp, "a", issuer="I")
    assert hotp.provisioning_uri("a", "I") == build_uri(
        hotp, "a", issuer="I", counter=0
    )
    assert hotp.provisioning_uri("a", counter=9).endswith("&counter=9")


def test_build_writes_image_and_extras_last() -> None:
    """image, then extra parameters in the order given."""
    uri = build_uri(
        TOTP(KEY), "a", image="https://example.com/i.png", b="2", a="1 x"
    )

    assert uri.endswith("&image=https%3A%2F%2Fexample.com%2Fi.png&b=2&a=1%20x")


def test_build_steam_writes_a_totp_uri_with_encoder() -> None:
    """Steam Guard is written as totp with encoder=steam, no digits."""
    uri = build_uri(SteamTOTP(KEY), "gabe", issuer="Steam")

    assert uri == (
        f"otpauth://totp/Steam:gabe?secret={KEY_B32}&issuer=Steam"
        "&encoder=steam"
    )


BUILD_REFUSED: list[Any] = [
    pytest.param(TOTP(KEY), {"account": ""}, "account", id="empty-account"),
    pytest.param(TOTP(KEY), {"account": "a:b"}, "colon", id="colon-account"),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "issuer": "I:J"},
        "colon",
        id="colon-issuer",
    ),
    pytest.param(
        TOTP(KEY), {"account": "a", "issuer": ""}, "issuer", id="empty-issuer"
    ),
    pytest.param(
        TOTP(KEY), {"account": " a"}, "whitespace", id="leading-space"
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "issuer": "I\t"},
        "whitespace",
        id="trailing-tab-issuer",
    ),
    pytest.param(
        TOTP(KEY), {"account": "\ud800"}, "surrogate", id="lone-surrogate"
    ),
    pytest.param(TOTP(KEY), {"account": 5}, "text", id="account-not-text"),
    pytest.param(
        TOTP(KEY), {"account": "a", "counter": 0}, "hotp", id="totp-counter"
    ),
    pytest.param(
        HOTP(KEY), {"account": "a"}, "required", id="hotp-no-counter"
    ),
    pytest.param(
        HOTP(KEY), {"account": "a", "counter": -1}, "counter", id="counter-neg"
    ),
    pytest.param(
        HOTP(KEY),
        {"account": "a", "counter": 2**64},
        "counter",
        id="counter-too-big",
    ),
    pytest.param(TOTP(KEY, t0=60), {"account": "a"}, "t0", id="t0-nonzero"),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "image": "http://example.com/i.png"},
        "https",
        id="image-http",
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "image": "https:///i.png"},
        "host",
        id="image-no-host",
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "image": "data:image/png;base64,AAAA"},
        "https",
        id="image-data-uri",
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "image": "https://e.com/a b.png"},
        "spaces",
        id="image-space",
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "digits": "8"},
        "own argument",
        id="x-digits",
    ),
    pytest.param(
        TOTP(KEY),
        {"account": "a", "Secret": "X"},
        "own argument",
        id="x-secret",
    ),
    pytest.param(
        TOTP(KEY), {"account": "a" * MAX_URI_LENGTH}, "characters", id="long"
    ),
    pytest.param("not an otp", {"account": "a"}, "otp", id="not-a-generator"),
]


@pytest.mark.parametrize(("otp", "arguments", "problem"), BUILD_REFUSED)
def test_build_refuses(
    otp: TOTP | HOTP, arguments: dict[str, Any], problem: str
) -> None:
    """Each value the Key URI format cannot carry is refused by name."""
    with pytest.raises(InvalidUriError, match=problem):
        build_uri(otp, **arguments)


# Parsing: real-world URIs.


@pytest.mark.parametrize("row", _real_world())
def test_real_world_uris(row: dict[str, Any]) -> None:
    """URIs from the format page and from peers give the listed fields."""
    record = parse_uri(row["uri"], allow_weak=row["allow_weak"])

    assert record.type == row["type"]
    assert record.issuer == row["issuer"]
    assert record.account == row["account"]
    assert record.otp.secret == Secret.from_b32(row["secret_b32"])
    assert record.otp.algorithm == row["algorithm"]
    assert record.otp.digits == row["digits"]
    assert record.counter == row.get("counter")
    if isinstance(record.otp, TOTP):
        assert record.otp.period == row["period"]


ACCEPTED = [
    pytest.param("otpauth://totp/I:a?secret={s}&issuer=I", id="literal-colon"),
    pytest.param("otpauth://totp/I%3Aa?secret={s}", id="encoded-colon"),
    pytest.param("otpauth://totp/I%3aa?secret={s}", id="encoded-colon-lower"),
    pytest.param("otpauth://totp/I:%20%20a?secret={s}", id="spaces-before"),
    pytest.param("otpauth://totp/I: a?secret={s}", id="raw-space-before"),
    pytest.param("otpauth://totp/I:a?secret={s}&issuer=I&", id="trailing-amp"),
    pytest.param("otpauth://totp/a?secret={s}&issuer=I", id="issuer-param"),
    pytest.param("otpauth://totp/I:a?secret={s}&issuer=", id="empty-param"),
    pytest.param("OTPAUTH://TOTP/I:a?secret={s}", id="upper-case-scheme"),
    pytest.param(
        "otpauth://Totp/I:a?SECRET={s}&Issuer=I", id="names-any-case"
    ),
    pytest.param("  otpauth://totp/I:a?secret={s}\n", id="whitespace-around"),
    pytest.param("otpauth://totp/I:a?secret={lower}", id="lower-case-secret"),
    pytest.param("otpauth://totp/I:a?secret={padded}", id="padded-secret"),
    pytest.param("otpauth://totp/I:a?secret={escaped}", id="escaped-padding"),
    pytest.param("otpauth://totp/I:a?secret={grouped}", id="plus-grouped"),
]


@pytest.mark.parametrize("template", ACCEPTED)
def test_accepted_spellings(template: str) -> None:
    """Spellings apps and peers emit all read as issuer I, account a."""
    key = bytes(range(17))
    b32 = base64.b32encode(key).decode("ascii")
    text = template.format(
        s=b32.rstrip("="),
        lower=b32.rstrip("=").lower(),
        padded=b32,
        escaped=b32.replace("=", "%3D"),
        grouped="+".join(b32[i : i + 4] for i in range(0, 24, 4)) + b32[24:],
    )

    record = parse_uri(text)

    assert (record.issuer, record.account) == ("I", "a")
    assert record.otp.secret == Secret(key)


def test_plus_in_query_is_a_space_but_literal_in_label() -> None:
    """'+' means a space in the query (form encoding) only."""
    record = parse_uri(f"otpauth://totp/A+B?secret={KEY_B32}&issuer=My+Co")

    assert record.account == "A+B"
    assert record.issuer == "My Co"


def test_lower_case_algorithm_is_read() -> None:
    """algorithm=sha256 is SHA256."""
    record = parse_uri(f"otpauth://totp/a?secret={KEY_B32}&algorithm=sha256")

    assert record.otp.algorithm == "sha256"


def test_unknown_parameters_are_kept_in_order() -> None:
    """Parameters without a meaning here survive, and uri() rewrites them."""
    text = f"otpauth://totp/a?z=1&secret={KEY_B32}&foo=b%20r&A=x"

    record = parse_uri(text)

    assert list(record.extra.items()) == [
        ("z", "1"),
        ("foo", "b r"),
        ("A", "x"),
    ]
    assert record.uri() == (
        f"otpauth://totp/a?secret={KEY_B32}&z=1&foo=b%20r&A=x"
    )


def test_extra_is_read_only() -> None:
    """The kept parameters cannot be changed through the record."""
    record = parse_uri(f"otpauth://totp/a?secret={KEY_B32}&x=1")

    with pytest.raises(TypeError):
        record.extra["x"] = "2"  # type: ignore[index]


def test_period_on_hotp_and_counter_on_totp_are_dropped() -> None:
    """Parameters that do not apply to the type are ignored."""
    hotp = parse_uri(f"otpauth://hotp/a?secret={KEY_B32}&counter=1&period=60")
    totp = parse_uri(f"otpauth://totp/a?secret={KEY_B32}&counter=5")

    assert (hotp.counter, dict(hotp.extra)) == (1, {})
    assert (totp.counter, dict(totp.extra)) == (None, {})


def test_missing_hotp_counter_can_default() -> None:
    """default_counter=0 reads an hotp URI without counter, as Android."""
    text = f"otpauth://hotp/a?secret={KEY_B32}"

    assert parse_uri(text, default_counter=0).counter == 0
    with pytest.raises(InvalidUriError, match="default_counter"):
        parse_uri(text)


def test_mismatched_issuer_relaxed_lets_the_parameter_win() -> None:
    """strict_issuer=False reads a contradicting issuer as the parameter."""
    text = f"otpauth://totp/Old%20Name:a?secret={KEY_B32}&issuer=New"

    record = parse_uri(text, strict_issuer=False)

    assert record.issuer == "New"
    with pytest.raises(InvalidUriError, match="differs"):
        parse_uri(text)


def test_plus_for_space_in_both_label_and_query_is_no_contradiction() -> None:
    """A label prefix "My+Co" agrees with issuer=My+Co, which wins."""
    record = parse_uri(f"otpauth://totp/My+Co:a?secret={KEY_B32}&issuer=My+Co")

    assert record.issuer == "My Co"


@pytest.mark.parametrize(
    "text",
    [
        f"otpauth://steam/Steam:gabe?secret={KEY_B32}",
        f"otpauth://totp/Steam:gabe?secret={KEY_B32}&encoder=steam",
        f"otpauth://totp/Steam:gabe?secret={KEY_B32}&encoder=STEAM&digits=5",
        f"otpauth://steam/gabe?secret={KEY_B32}&period=30&algorithm=SHA1",
    ],
    ids=["steam-type", "encoder", "encoder-upper-digits-5", "steam-defaults"],
)
def test_steam_forms_give_steam_codes(text: str) -> None:
    """Both Steam forms give a SteamTOTP with Steam's codes."""
    record = parse_uri(text)

    assert record.type == "steam"
    assert record.otp.at(WHEN) == SteamTOTP(KEY).at(WHEN)


def test_weak_secret_is_refused_with_the_cause_kept() -> None:
    """An 80-bit key needs allow_weak; the WeakSecretError is the cause."""
    text = "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"

    with pytest.raises(InvalidUriError, match="allow_weak") as caught:
        parse_uri(text)

    assert isinstance(caught.value.__cause__, WeakSecretError)
    assert parse_uri(text, allow_weak=True).otp.secret.bits == 80


def test_invalid_secret_keeps_the_cause() -> None:
    """A non-base32 secret is refused with the InvalidSecretError as cause."""
    with pytest.raises(InvalidUriError, match="base32") as caught:
        parse_uri("otpauth://totp/a?secret=JBSWY3DPEHPK3PX1")

    assert isinstance(caught.value.__cause__, InvalidSecretError)


S = KEY_B32
MALFORMED = [
    pytest.param(f"https://totp/a?secret={S}", "scheme", id="other-scheme"),
    pytest.param(
        "otpauth-migration://offline?data=AA",
        "parse_migration_uri",
        id="migration-scheme",
    ),
    pytest.param(f"otpauth:totp/a?secret={S}", "://", id="no-slashes"),
    pytest.param(f"otpauth://motp/a?secret={S}", "type", id="unknown-type"),
    pytest.param(f"otpauth:///a?secret={S}", "type", id="empty-type"),
    pytest.param(f"otpauth://totp?secret={S}", "label", id="no-label"),
    pytest.param(f"otpauth://totp/?secret={S}", "label", id="empty-label"),
    pytest.param(f"otpauth://totp/I:?secret={S}", "empty", id="empty-account"),
    pytest.param(f"otpauth://totp/I:%20?secret={S}", "empty", id="blank-acct"),
    pytest.param(f"otpauth://totp/I:a:b?secret={S}", "colon", id="two-colons"),
    pytest.param(
        f"otpauth://totp/I:a%3Ab?secret={S}", "colon", id="enc-colon"
    ),
    pytest.param("otpauth://totp/a", "secret", id="no-query"),
    pytest.param("otpauth://totp/a?issuer=I", "secret", id="no-secret"),
    pytest.param("otpauth://totp/a?secret=", "secret", id="empty-secret"),
    pytest.param("otpauth://totp/a?secret=%20", "secret", id="blank-secret"),
    pytest.param("otpauth://totp/a?secret=ABC1", "base32", id="bad-base32"),
    pytest.param("otpauth://totp/a?secret=ABCDEFGHI", "base32", id="bad-len"),
    pytest.param("otpauth://totp/a?secret=MZXW6", "bits", id="short-key"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&secret={S}",
        "more than once",
        id="repeated-secret",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=6&Digits=6",
        "more than once",
        id="repeated-any-case",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&x=1&x=2", "repeats", id="repeated-extra"
    ),
    pytest.param(f"otpauth://totp/a?secret={S}&=1", "no name", id="no-name"),
    pytest.param(f"otpauth://totp/a?secret={S}&digits=5", "6 to 10", id="d5"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=11", "6 to 10", id="d11"
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=", "number", id="d-empty"
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=six", "number", id="d-w"
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=-6", "number", id="d-neg"
    ),
    pytest.param(f"otpauth://totp/a?secret={S}&digits=+6", "number", id="d-+"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&digits=%D9%A6",
        "number",
        id="digits-arabic-indic",
    ),
    pytest.param(f"otpauth://totp/a?secret={S}&period=0", "from 1", id="p0"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&period=1.5",
        "number",
        id="period-fraction",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&period=" + "9" * 21,
        "21-digit",
        id="period-huge",
    ),
    pytest.param(
        f"otpauth://hotp/a?secret={S}&counter=-1",
        "number",
        id="counter-negative",
    ),
    pytest.param(
        f"otpauth://hotp/a?secret={S}&counter=18446744073709551616",
        "got 18446744073709551616",
        id="counter-2-64",
    ),
    pytest.param(
        f"otpauth://hotp/a?secret={S}&counter=x",
        "number",
        id="counter-not-number",
    ),
    pytest.param(f"otpauth://hotp/a?secret={S}", "counter", id="counter-none"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&algorithm=MD5", "MD5", id="md5"
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&algorithm=SHA-256",
        "unknown",
        id="sha-256-spelling",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&algorithm=",
        "unknown",
        id="empty-algorithm",
    ),
    pytest.param(
        f"otpauth://totp/a%2?secret={S}",
        "percent-escape",
        id="short-escape-label",
    ),
    pytest.param(
        f"otpauth://totp/a%zz?secret={S}",
        "percent-escape",
        id="non-hex-escape",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&issuer=%E",
        "percent-escape",
        id="short-escape-query",
    ),
    pytest.param(f"otpauth://totp/%C3?secret={S}", "UTF-8", id="bad-utf8-lab"),
    pytest.param(
        f"otpauth://totp/a?secret={S}&issuer=%FF", "UTF-8", id="bad-utf8-query"
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&x%C0=1", "UTF-8", id="bad-utf8-name"
    ),
    pytest.param(
        f"otpauth://totp/I:a?secret={S}&issuer=J",
        "differs",
        id="issuer-contradicts",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&issuer=I%3AJ",
        "colon",
        id="issuer-param-colon",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&encoder=yandex",
        "encoder",
        id="unknown-encoder",
    ),
    pytest.param(
        f"otpauth://hotp/a?secret={S}&counter=0&encoder=steam",
        "time-based",
        id="hotp-steam",
    ),
    pytest.param(
        f"otpauth://steam/a?secret={S}&digits=6",
        "5 characters",
        id="steam-digits",
    ),
    pytest.param(
        f"otpauth://steam/a?secret={S}&algorithm=SHA256",
        "SHA1",
        id="steam-algorithm",
    ),
    pytest.param(
        f"otpauth://steam/a?secret={S}&period=60",
        "30-second",
        id="steam-period",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&image=http%3A%2F%2Fe.com%2Fi",
        "https",
        id="image-http",
    ),
    pytest.param(
        f"otpauth://totp/a?secret={S}&image=", "https", id="image-empty"
    ),
    pytest.param(f"otpauth://totp/a#b?secret={S}", "#", id="raw-hash"),
    pytest.param(f"otpauth://totp/a\nb?secret={S}", "control", id="newline"),
    pytest.param(f"otpauth://totp/a\x00?secret={S}", "control", id="nul"),
    pytest.param(
        "otpauth://totp/" + "a" * MAX_URI_LENGTH + f"?secret={S}",
        "characters",
        id="too-long",
    ),
    pytest.param(b"otpauth://totp/a", "text", id="bytes"),
    pytest.param(None, "text", id="none"),
]


@pytest.mark.parametrize(("text", "problem"), MALFORMED)
def test_malformed_uris_are_refused(text: Any, problem: str) -> None:
    """Each malformed URI raises InvalidUriError naming the problem."""
    with pytest.raises(InvalidUriError, match=problem):
        parse_uri(text)


@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_invalid_uri(text: str) -> None:
    """Any text is a record or an InvalidUriError, nothing else."""
    try:
        record = parse_uri("otpauth://totp/" + text)
    except InvalidUriError:
        return
    assert record.account


# Round trips.

accounts = st.text(min_size=1, max_size=40).filter(
    lambda s: ":" not in s and s == s.strip()
)
issuers = st.none() | accounts
keys = st.binary(min_size=16, max_size=64)
extras = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(
        lambda s: (
            s.lower()
            not in {
                "secret",
                "issuer",
                "algorithm",
                "digits",
                "period",
                "counter",
                "image",
                "encoder",
            }
        )
    ),
    st.text(max_size=20),
    max_size=3,
)
images = st.none() | st.sampled_from(
    ["https://example.com/logo.png", "https://cdn.example/a%20b.png?x=1"]
)
algorithms = st.sampled_from(["sha1", "sha256", "sha512"])


@given(
    key=keys,
    account=accounts,
    issuer=issuers,
    digits=st.integers(6, 10),
    algorithm=algorithms,
    period=st.integers(1, 10**6),
    image=images,
    extra=extras,
)
def test_totp_round_trip(
    *,
    key: bytes,
    account: str,
    issuer: str | None,
    digits: int,
    algorithm: str,
    period: int,
    image: str | None,
    extra: dict[str, str],
) -> None:
    """Build then parse gives back every field of a TOTP URI."""
    totp = TOTP(key, digits, algorithm, period)

    uri = build_uri(totp, account, issuer=issuer, image=image, **extra)
    record = parse_uri(uri)

    assert (record.type, record.account, record.issuer) == (
        "totp",
        account,
        issuer,
    )
    assert isinstance(record.otp, TOTP)
    assert record.otp.secret == totp.secret
    assert (record.otp.digits, record.otp.algorithm, record.otp.period) == (
        digits,
        algorithm,
        period,
    )
    assert (record.counter, record.image) == (None, image)
    assert dict(record.extra) == extra
    assert record.uri() == uri


@given(
    key=keys,
    account=accounts,
    issuer=issuers,
    digits=st.integers(6, 10),
    algorithm=algorithms,
    counter=st.integers(0, 2**64 - 1),
)
def test_hotp_round_trip(
    *,
    key: bytes,
    account: str,
    issuer: str | None,
    digits: int,
    algorithm: str,
    counter: int,
) -> None:
    """Build then parse gives back every field of an HOTP URI."""
    hotp = HOTP(key, digits, algorithm)

    uri = hotp.provisioning_uri(account, issuer, counter=counter)
    record = parse_uri(uri)

    assert (record.type, record.account, record.issuer) == (
        "hotp",
        account,
        issuer,
    )
    assert record.otp.secret == hotp.secret
    assert (record.otp.digits, record.otp.algorithm) == (digits, algorithm)
    assert record.counter == counter
    assert record.uri() == uri


@given(key=keys, account=accounts, issuer=issuers)
def test_steam_round_trip(
    key: bytes, account: str, issuer: str | None
) -> None:
    """Build then parse gives back a Steam Guard record."""
    uri = build_uri(SteamTOTP(key), account, issuer=issuer)

    record = parse_uri(uri)

    assert (record.type, record.account, record.issuer) == (
        "steam",
        account,
        issuer,
    )
    assert record.otp.at(WHEN) == SteamTOTP(key).at(WHEN)
    assert record.uri() == uri


# Peers.

# pyotp refuses periods over 120 s and digits outside 6 to 8.
PYOTP_PERIODS = st.integers(1, 120)


@given(
    key=keys,
    account=accounts,
    issuer=issuers,
    digits=st.integers(6, 8),
    algorithm=algorithms,
    period=PYOTP_PERIODS,
    when=st.integers(0, 2**33),
)
def test_pyotp_reads_our_totp_uris(
    *,
    key: bytes,
    account: str,
    issuer: str | None,
    digits: int,
    algorithm: str,
    period: int,
    when: int,
) -> None:
    """pyotp.parse_uri of our URI gives the same codes and names."""
    totp = TOTP(key, digits, algorithm, period)

    peer = pyotp.parse_uri(build_uri(totp, account, issuer=issuer))

    assert isinstance(peer, pyotp.TOTP)
    # pyotp's at() goes through local time; its step-level call does not.
    assert peer.generate_otp(when // period) == totp.at(when)
    assert (peer.name, peer.issuer) == (account, issuer)


@given(
    key=keys,
    account=accounts,
    digits=st.integers(6, 8),
    algorithm=algorithms,
    counter=st.integers(0, 2**40),
)
def test_pyotp_reads_our_hotp_uris(
    key: bytes, account: str, digits: int, algorithm: str, counter: int
) -> None:
    """pyotp.parse_uri of our HOTP URI counts from the same counter."""
    hotp = HOTP(key, digits, algorithm)

    peer = pyotp.parse_uri(hotp.provisioning_uri(account, counter=counter))

    assert isinstance(peer, pyotp.HOTP)
    assert peer.initial_count == counter
    assert peer.at(0) == hotp.at(counter)


@given(
    key=keys,
    account=accounts,
    issuer=issuers,
    digits=st.integers(6, 8),
    algorithm=algorithms,
    period=PYOTP_PERIODS,
    when=st.integers(0, 2**33),
)
def test_we_read_pyotp_totp_uris(
    *,
    key: bytes,
    account: str,
    issuer: str | None,
    digits: int,
    algorithm: str,
    period: int,
    when: int,
) -> None:
    """Our parser reads pyotp's provisioning_uri to the same codes."""
    peer = pyotp.TOTP(
        base64.b32encode(key).decode("ascii"),
        digits=digits,
        digest=getattr(hashlib, algorithm),
        interval=period,
    )

    record = parse_uri(peer.provisioning_uri(name=account, issuer_name=issuer))

    assert record.otp.at(when) == peer.generate_otp(when // period)
    assert (record.account, record.issuer) == (account, issuer)


@given(key=keys, account=accounts, counter=st.integers(0, 2**40))
def test_we_read_pyotp_hotp_uris(
    key: bytes, account: str, counter: int
) -> None:
    """Our parser reads pyotp's HOTP URI with its initial count."""
    peer = pyotp.HOTP(base64.b32encode(key).decode("ascii"))

    record = parse_uri(
        peer.provisioning_uri(name=account, initial_count=counter)
    )

    assert record.counter == counter
    assert record.otp.at(counter) == peer.at(counter)


CRYPTO_HASHES = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}


@given(
    key=keys,
    account=accounts,
    issuer=issuers,
    digits=st.integers(6, 8),
    algorithm=algorithms,
    period=st.integers(1, 600),
    when=st.integers(0, 2**33),
)
def test_we_read_cryptography_totp_uris(
    *,
    key: bytes,
    account: str,
    issuer: str | None,
    digits: int,
    algorithm: str,
    period: int,
    when: int,
) -> None:
    """URIs from cryptography ('+' spaces, padded secrets) read the same."""
    peer = crypto_totp.TOTP(key, digits, CRYPTO_HASHES[algorithm](), period)

    record = parse_uri(peer.get_provisioning_uri(account, issuer))

    assert record.otp.at(when) == peer.generate(when).decode("ascii")
    assert (record.account, record.issuer) == (account, issuer)


@given(key=keys, account=accounts, counter=st.integers(0, 2**40))
def test_we_read_cryptography_hotp_uris(
    key: bytes, account: str, counter: int
) -> None:
    """An HOTP URI from cryptography reads with its counter."""
    peer = crypto_hotp.HOTP(key, 6, CRYPTO_HASHES["sha1"]())

    record = parse_uri(peer.get_provisioning_uri(account, counter, None))

    assert record.counter == counter
    assert record.otp.at(counter) == peer.generate(counter).decode("ascii")


# The record.


def test_record_type_and_repr_show_no_secret() -> None:
    """The repr names the fields and parameters, never the key."""
    record = parse_uri(
        f"otpauth://hotp/I:a?secret={KEY_B32}&counter=3&x=1"
        "&image=https%3A%2F%2Fe.com%2Fi.png"
    )

    assert record.type == "hotp"
    assert repr(record) == (
        "Provisioning(type='hotp', account='a', issuer='I', "
        "otp=HOTP(digits=6, algorithm='sha1'), counter=3, "
        "image='https://e.com/i.png', extra=['x'])"
    )


def test_record_can_be_made_by_hand() -> None:
    """A record built from parts writes the URI build_uri writes."""
    totp = TOTP(KEY)

    record = Provisioning(totp, "a", "I", extra={"x": "1"})

    assert record.uri() == build_uri(totp, "a", issuer="I", x="1")


RECORD_REFUSED = [
    pytest.param({"otp": "x", "account": "a"}, "otp", id="otp-not-generator"),
    pytest.param({"otp": TOTP(KEY), "account": ""}, "account", id="empty"),
    pytest.param({"otp": TOTP(KEY), "account": 1}, "account", id="not-text"),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "issuer": 1}, "issuer", id="issuer"
    ),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "image": 1}, "image", id="image"
    ),
    pytest.param({"otp": HOTP(KEY), "account": "a"}, "counter", id="no-ctr"),
    pytest.param(
        {"otp": HOTP(KEY), "account": "a", "counter": -1},
        "counter",
        id="ctr-neg",
    ),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "counter": 0},
        "counter",
        id="totp-ctr",
    ),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "extra": {"digits": "8"}},
        "own argument",
        id="extra-known-name",
    ),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "extra": {"x": 1}},
        "values",
        id="extra-value-not-text",
    ),
    pytest.param(
        {"otp": TOTP(KEY), "account": "a", "extra": {1: "x"}},
        "names",
        id="extra-name-not-text",
    ),
]


@pytest.mark.parametrize(("fields", "problem"), RECORD_REFUSED)
def test_record_checks_its_fields(
    fields: dict[str, Any], problem: str
) -> None:
    """A record with a wrong field is refused at construction."""
    with pytest.raises(InvalidUriError, match=problem):
        Provisioning(**fields)


def test_record_with_a_colon_cannot_be_written() -> None:
    """A record whose account holds a colon refuses to become a URI."""
    record = Provisioning(TOTP(KEY), "a:b")

    with pytest.raises(InvalidUriError, match="colon"):
        record.uri()


# Secrets stay out of messages.

MUTATIONS = [
    "otpauth://totp/a?secret={s}&digits=99",
    "otpauth://totp/a?secret={s}&algorithm=MD5",
    "otpauth://totp/a?secret={s}&secret={s}",
    "otpauth://totp/a?secret={s}%",
    "otpauth://totp/a?secret={s}1",
    "otpauth://totp/a?secret={s}%FF",
    "otpauth://wotp/a?secret={s}",
    "https://totp/a?secret={s}",
    "otpauth://totp/I:a?secret={s}&issuer=J",
    "otpauth://totp/{s}:a:b?secret={s}",
    "otpauth://{s}/a?secret={s}",
    "otpauth://totp/a?{s}=1&{s}=2&secret={s}",
    "otpauth://hotp/a?secret={s}&counter={s}",
    "otpauth://totp/a?secret={s}&period={s}",
    "otpauth://totp/a?secret={s}&image={s}",
    "otpauth://totp/a?secret={s}&encoder={s}",
    "{s}://totp/a",
    "otpauth://totp/a?secret={s}#",
]


@given(
    key=st.binary(min_size=10, max_size=40),
    mutation=st.sampled_from(MUTATIONS),
)
def test_no_secret_in_errors_or_reprs(key: bytes, mutation: str) -> None:
    """Neither a refusal's message nor a record's repr shows the secret."""
    secret = base64.b32encode(key).decode("ascii").rstrip("=")
    text = mutation.format(s=secret)

    try:
        record = parse_uri(text, allow_weak=len(key) < 16)
    except InvalidUriError as error:
        shown = f"{error} {error!r}"
    else:
        shown = repr(record)
    assert secret not in shown
    assert secret.lower() not in shown.lower()


def test_public_names_are_exported() -> None:
    """otpcore.uri's __all__ lists exactly its public names."""
    public = {name for name in vars(otpcore.uri) if not name.startswith("_")}

    assert set(otpcore.uri.__all__) == public


def test_quote_leaves_only_unreserved() -> None:
    """The standard library's quote() keeps exactly RFC 3986 unreserved."""
    kept = {chr(c) for c in range(128) if quote(chr(c), safe="") == chr(c)}

    assert kept == set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )
