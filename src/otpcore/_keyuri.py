"""otpauth:// Key URIs: the record, the builder and the parser.

The format is Google's "Key Uri Format" (the google-authenticator wiki),
which every app reads in its own way. :func:`build_uri` writes the form the
most apps read alike; :func:`parse_uri` reads what apps and libraries
actually emit while refusing what is ambiguous or out of range. Both work
with a :class:`Provisioning` record. The public names are re-exported by
:mod:`otpcore.uri`; the splitting and percent-decoding helpers are shared
with the export format in :mod:`otpcore._migration`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import quote, unquote_to_bytes, urlsplit

from otpcore._otp import (
    DEFAULT_ALGORITHM,
    DEFAULT_DIGITS,
    MAX_COUNTER,
    MAX_DIGITS,
    MIN_DIGITS,
    check_counter,
)
from otpcore.errors import InvalidUriError, OtpError
from otpcore.hotp import HOTP
from otpcore.secret import Secret
from otpcore.steam import (
    STEAM_ALGORITHM,
    STEAM_DIGITS,
    STEAM_PERIOD,
    SteamTOTP,
)
from otpcore.totp import DEFAULT_PERIOD, DEFAULT_T0, TOTP

__all__ = [
    "MAX_URI_LENGTH",
    "MIGRATION_SCHEME",
    "SCHEME",
    "OtpType",
    "Provisioning",
    "build_uri",
    "check_encodable",
    "describe",
    "parse_uri",
    "quote_component",
    "split_uri",
    "unescape",
]

#: The Key URI format's scheme.
SCHEME: Final = "otpauth"
#: Google Authenticator's export scheme, named here for a helpful refusal.
MIGRATION_SCHEME: Final = "otpauth-migration"
#: The longest URI either parser reads. The largest QR code holds 2953
#: bytes (ISO/IEC 18004, version 40 at level L), so no scanned URI is
#: longer; the bound keeps hostile input from costing unbounded work.
MAX_URI_LENGTH: Final = 4096

#: What :attr:`Provisioning.type` reports.
OtpType = Literal["totp", "hotp", "steam"]

# Key URI format, "Parameters": the names this module gives a meaning to.
# Anything else is kept, in order, in Provisioning.extra.
_KNOWN_PARAMETERS: Final = frozenset(
    {
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
_TYPES: Final[Mapping[str, OtpType]] = MappingProxyType(
    {"totp": "totp", "hotp": "hotp", "steam": "steam"}
)
_ALGORITHMS: Final = ("SHA1", "SHA256", "SHA512")
# The iOS app of 2011 knew MD5; naming it gives a clearer refusal.
_MD5: Final = "MD5"
_STEAM_ENCODER: Final = "steam"
# Key URI format, "Label": the issuer prefix ends at the first literal or
# percent-encoded colon.
_LABEL_SEPARATOR: Final = re.compile(r":|%3[aA]")
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_URI_PARTS: Final = re.compile(r"([^/?]*)(/[^?]*)?(?:\?(.*))?\Z", re.DOTALL)
# 2**64 - 1 has 20 digits; a longer number is out of every range here and
# is refused before int() is asked to read it.
_MAX_NUMBER_CHARS: Final = 20
_HTTPS: Final = "https"


def describe(value: object) -> str:
    """Name the type of ``value`` for a message, which never shows it."""
    return type(value).__name__


def _otp_type(otp: object) -> OtpType:
    if isinstance(otp, SteamTOTP):
        return "steam"
    if isinstance(otp, TOTP):
        return "totp"
    if isinstance(otp, HOTP):
        return "hotp"
    raise InvalidUriError(
        f"otp: expected a TOTP, HOTP or SteamTOTP, got {describe(otp)}"
    )


def check_encodable(parameter: str, value: str) -> None:
    """Refuse text that UTF-8 cannot encode (it holds a lone surrogate).

    Raises:
        InvalidUriError: It cannot be encoded.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidUriError(
            f"{parameter}: holds a lone surrogate, which UTF-8 cannot encode"
        ) from None


def _check_label_part(parameter: str, value: object) -> str:
    """Return ``value`` if it can be an issuer or account name in a label."""
    if not isinstance(value, str):
        raise InvalidUriError(
            f"{parameter}: expected text, got {describe(value)}"
        )
    if not value:
        raise InvalidUriError(f"{parameter}: must not be empty")
    if ":" in value:
        raise InvalidUriError(
            f"{parameter}: may not contain a colon; the Key URI format "
            "separates issuer and account with one, so no parser could "
            "split the label back"
        )
    if value != value.strip():
        raise InvalidUriError(
            f"{parameter}: may not start or end with whitespace, which "
            "apps and parsers trim"
        )
    check_encodable(parameter, value)
    return value


def _check_image(value: object) -> str:
    """Return ``value`` if it is an absolute https URL."""
    if not isinstance(value, str):
        raise InvalidUriError(
            f"image: expected an https URL as text, got {describe(value)}"
        )
    if any(char.isspace() for char in value) or _CONTROL.search(value):
        raise InvalidUriError(
            "image: must be an https URL without spaces or control characters"
        )
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    # The app fetches the icon over the network and shows it beside the
    # codes; over plain http anyone on the path could swap it.
    if parts is None or parts.scheme.lower() != _HTTPS or not host:
        raise InvalidUriError(
            "image: must be an absolute https:// URL with a host"
        )
    check_encodable("image", value)
    return value


def _check_extra(extra: Mapping[str, object]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for key, value in extra.items():
        # Typed str, but a record's mapping is often built by hand.
        name: object = key
        if not isinstance(name, str) or not name:
            raise InvalidUriError(
                "extra: parameter names must be non-empty text"
            )
        if name.lower() in _KNOWN_PARAMETERS:
            raise InvalidUriError(
                f"extra: {name.lower()!r} is a Key URI parameter with its own "
                "argument, not an extra one"
            )
        if not isinstance(value, str):
            raise InvalidUriError(
                f"extra: parameter values must be text, got {describe(value)}"
            )
        check_encodable("extra", name)
        check_encodable("extra", value)
        checked[name] = value
    return checked


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Provisioning:
    """A key and what an authenticator app shows with it.

    :func:`parse_uri` and :func:`parse_migration_uri` return these, and
    :meth:`uri` and :func:`migration_uris` write them back. A record can also
    be made directly, to build a URI or an export from parts.

    The repr shows the parameters, never the key. Records compare by
    identity; compare :meth:`uri` results to compare contents.

    Attributes:
        otp: The ready generator: a :class:`~otpcore.TOTP`,
            :class:`~otpcore.HOTP` or :class:`~otpcore.steam.SteamTOTP`.
        account: The account name, such as an email address.
        issuer: The service the account belongs to, or None.
        counter: For HOTP, the counter the app starts from; else None.
        image: An https URL of an icon some apps show, or None.
        extra: Parameters otpcore does not interpret, by name, kept in the
            order they came so that :meth:`uri` writes them back.

    Raises:
        InvalidUriError: A field has the wrong type, the account is empty,
            an HOTP record has no counter or a TOTP record has one.
    """

    otp: TOTP | HOTP
    account: str
    issuer: str | None = None
    counter: int | None = None
    image: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = _otp_type(self.otp)
        # Typed fields, but a record is often built by hand: check them.
        account: object = self.account
        if not isinstance(account, str) or not account:
            raise InvalidUriError("account: must be non-empty text")
        for name in ("issuer", "image"):
            value: object = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InvalidUriError(
                    f"{name}: expected text or None, got {describe(value)}"
                )
        if kind == "hotp":
            if self.counter is None:
                raise InvalidUriError(
                    "counter: an HOTP record needs the counter the app "
                    "starts from"
                )
            _check_uri_counter(self.counter)
        elif self.counter is not None:
            raise InvalidUriError(
                f"counter: only an HOTP record has a counter; this is {kind}"
            )
        extra = _check_extra(self.extra)
        object.__setattr__(self, "extra", MappingProxyType(extra))

    @property
    def type(self) -> OtpType:
        """``"totp"``, ``"hotp"`` or ``"steam"``."""
        return _otp_type(self.otp)

    def uri(self) -> str:
        """Return the otpauth:// URI for this record (see :func:`build_uri`).

        Raises:
            InvalidUriError: The record cannot be written as a Key URI, for
                instance because its account name contains a colon.
        """
        return build_uri(
            self.otp,
            self.account,
            issuer=self.issuer,
            counter=self.counter,
            image=self.image,
            **self.extra,
        )

    def __repr__(self) -> str:
        parts = [
            f"type={self.type!r}",
            f"account={self.account!r}",
            f"issuer={self.issuer!r}",
            f"otp={self.otp!r}",
        ]
        if self.counter is not None:
            parts.append(f"counter={self.counter}")
        if self.image is not None:
            parts.append(f"image={self.image!r}")
        if self.extra:
            parts.append(f"extra={sorted(self.extra)!r}")
        return f"Provisioning({', '.join(parts)})"


def _check_uri_counter(counter: object) -> int:
    try:
        return check_counter(counter)
    except OtpError as error:
        raise InvalidUriError(str(error)) from error


def quote_component(text: str) -> str:
    """Percent-encode ``text`` as one URI component, spaces as ``%20``."""
    # RFC 3986 section 2.3: only the unreserved characters stay as they are;
    # quote() leaves exactly those (letters, digits, "-._~") and writes a
    # space as %20, never "+".
    return quote(text, safe="")


def _algorithm_parameters(
    otp: TOTP | HOTP, kind: OtpType, counter: int | None
) -> list[tuple[str, str]]:
    """Return the parameters that differ from the defaults, and counter."""
    params: list[tuple[str, str]] = []
    if otp.algorithm != DEFAULT_ALGORITHM:
        params.append(("algorithm", otp.algorithm.upper()))
    if kind != "steam" and otp.digits != DEFAULT_DIGITS:
        params.append(("digits", str(otp.digits)))
    if isinstance(otp, TOTP):
        if otp.t0 != DEFAULT_T0:
            raise InvalidUriError(
                "t0: the Key URI format has no parameter for T0, so an app "
                "would count steps from 0; only t0=0 can be provisioned"
            )
        if counter is not None:
            raise InvalidUriError(
                "counter: applies only to hotp; a totp URI carries no counter"
            )
        if otp.period != DEFAULT_PERIOD:
            params.append(("period", str(otp.period)))
        return params
    if counter is None:
        raise InvalidUriError(
            "counter: required for hotp (Key URI format: REQUIRED if type "
            "is hotp)"
        )
    params.append(("counter", str(_check_uri_counter(counter))))
    return params


def build_uri(
    otp: TOTP | HOTP,
    account: str,
    *,
    issuer: str | None = None,
    counter: int | None = None,
    image: str | None = None,
    **extra: str,
) -> str:
    """Return the otpauth:// URI that loads ``otp`` into an authenticator app.

    The URI follows Google's Key URI format in the form apps read most
    alike: the label is ``issuer:account`` with a literal colon and the
    issuer repeated as a parameter; every character outside RFC 3986's
    unreserved set is percent-encoded as UTF-8, spaces as ``%20`` (never
    ``+``, which several apps show as a plus); the secret is upper-case
    base32 without padding; parameters at their defaults (SHA1, 6 digits,
    30 seconds) are left out, since some apps refuse any they do not know;
    ``counter`` is always written for HOTP. A Steam Guard generator is
    written as a totp URI with ``encoder=steam``, the form pyotp and
    KeePassXC read.

    Args:
        otp: The generator whose key and parameters to provision.
        account: The account name the app shows, such as an email address.
        issuer: The service name; the format strongly recommends one.
        counter: For HOTP, the counter the app starts from (required).
            Refused for TOTP.
        image: An https URL of an icon, read by some apps (FreeOTP).
        extra: Further parameters, written after the others.

    Returns:
        The URI, at most :data:`MAX_URI_LENGTH` characters.

    Raises:
        InvalidUriError: ``account`` is empty; ``account`` or ``issuer``
            contains a colon or starts or ends with whitespace; ``counter``
            is missing for HOTP, given for TOTP or out of range; the TOTP
            has a ``t0`` other than 0, which the format cannot carry;
            ``image`` is not an https URL; an extra parameter reuses a
            Key URI name; or the URI would be too long.

    >>> from otpcore import TOTP
    >>> totp = TOTP("JBSWY3DPEHPK3PXP", allow_weak=True)
    >>> build_uri(totp, "alice@example.com", issuer="ACME Co")
    'otpauth://totp/ACME%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co'
    """
    kind = _otp_type(otp)
    account = _check_label_part("account", account)
    params: list[tuple[str, str]] = [("secret", otp.secret.b32)]
    if issuer is None:
        label = quote_component(account)
    else:
        issuer = _check_label_part("issuer", issuer)
        label = f"{quote_component(issuer)}:{quote_component(account)}"
        params.append(("issuer", issuer))
    params.extend(_algorithm_parameters(otp, kind, counter))
    if image is not None:
        params.append(("image", _check_image(image)))
    if kind == "steam":
        params.append(("encoder", _STEAM_ENCODER))
    params.extend(_check_extra(extra).items())

    scheme_type = "hotp" if kind == "hotp" else "totp"
    query = "&".join(
        f"{quote_component(name)}={quote_component(value)}"
        for name, value in params
    )
    uri = f"{SCHEME}://{scheme_type}/{label}?{query}"
    if len(uri) > MAX_URI_LENGTH:
        raise InvalidUriError(
            f"uri: would be {len(uri)} characters, more than the "
            f"{MAX_URI_LENGTH} a parser reads and a QR code holds"
        )
    return uri


# Parsing.


def split_uri(text: object, scheme: str) -> tuple[str, str, str | None]:
    """Check the scheme and return the host, the path and the query.

    The text must be at most :data:`MAX_URI_LENGTH` characters, free of
    control characters and raw ``#``; surrounding whitespace is dropped.
    The query is None when there is no ``?``.

    Raises:
        InvalidUriError: It is not a URI of ``scheme``.
    """
    if not isinstance(text, str):
        raise InvalidUriError(f"uri: expected text, got {describe(text)}")
    if len(text) > MAX_URI_LENGTH:
        raise InvalidUriError(
            f"uri: {len(text)} characters, more than the {MAX_URI_LENGTH} "
            "any QR code can hold"
        )
    text = text.strip()
    control = _CONTROL.search(text)
    if control:
        raise InvalidUriError(
            f"uri: character {control.start() + 1} is a control character; "
            "a URI carries those percent-encoded"
        )
    if "#" in text:
        raise InvalidUriError(
            "uri: contains a raw '#', which would cut the URI short as a "
            "fragment; it must be percent-encoded as %23"
        )
    found, separator, rest = text.partition("://")
    if not separator:
        raise InvalidUriError(
            f"uri: expected {scheme}://..., found no '://' at all"
        )
    found = found.lower()
    if found != scheme:
        hint = ""
        if found == MIGRATION_SCHEME:
            hint = "; a Google Authenticator export is read by " + (
                "parse_migration_uri"
            )
        elif found == SCHEME:
            hint = "; a single account is read by parse_uri"
        raise InvalidUriError(
            f"scheme: expected {scheme}://, got another scheme{hint}"
        )
    parts = _URI_PARTS.match(rest)
    if parts is None:  # pragma: no cover - the pattern matches any text
        raise InvalidUriError("uri: cannot be split into parts")
    host, path, query = parts.groups()
    return host, path or "", query


def unescape(text: str, where: str, *, plus_is_space: bool) -> str:
    """Percent-decode ``text`` strictly, as UTF-8.

    Raises:
        InvalidUriError: A ``%`` is not followed by two hexadecimal digits,
            or the bytes are not UTF-8. The message names ``where``.
    """
    bad = _BAD_ESCAPE.search(text)
    if bad:
        raise InvalidUriError(
            f"{where}: malformed percent-escape at character "
            f"{bad.start() + 1}; '%' must be followed by two hexadecimal "
            "digits"
        )
    if plus_is_space:
        # In a query, "+" means a space (HTML form encoding); pyotp and
        # other peers write it so.
        text = text.replace("+", " ")
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeEncodeError:
        raise InvalidUriError(
            f"{where}: holds a lone surrogate, which is not text"
        ) from None
    except UnicodeDecodeError:
        raise InvalidUriError(
            f"{where}: the percent-escapes are not valid UTF-8"
        ) from None


def _parse_label(raw: str) -> tuple[str | None, str]:
    """Return the issuer prefix (or None) and the account name."""
    separator = _LABEL_SEPARATOR.search(raw)
    if separator is None:
        prefix = None
        account = unescape(raw, "label", plus_is_space=False)
    else:
        prefix = unescape(
            raw[: separator.start()], "label", plus_is_space=False
        ).strip()
        account = unescape(
            raw[separator.end() :], "label", plus_is_space=False
        )
    # Key URI format: "optional spaces may precede the account name"; apps
    # trim the rest.
    account = account.strip()
    if ":" in account:
        raise InvalidUriError(
            "label: the account name contains a colon; the Key URI format "
            "allows one colon only, between issuer and account"
        )
    if not account:
        raise InvalidUriError("label: the account name is empty")
    return prefix or None, account


def _parse_query(query: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return the known parameters by lower-case name, and the others."""
    known: dict[str, str] = {}
    extra: dict[str, str] = {}
    for position, piece in enumerate(query.split("&"), start=1):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition("=")
        where = f"parameter {position}"
        name = unescape(raw_name, where, plus_is_space=True)
        if not name:
            raise InvalidUriError(f"{where}: has no name")
        lowered = name.lower()
        if lowered in _KNOWN_PARAMETERS:
            value = unescape(raw_value, lowered, plus_is_space=True)
            if lowered in known:
                raise InvalidUriError(
                    f"{lowered}: given more than once; which one an app "
                    "would use is anyone's guess"
                )
            known[lowered] = value
        else:
            value = unescape(raw_value, where, plus_is_space=True)
            if name in extra:
                raise InvalidUriError(
                    f"{where}: repeats the name of an earlier parameter; "
                    "which one an app would use is anyone's guess"
                )
            extra[name] = value
    return known, extra


def _whole_number(
    parameter: str, text: str, low: int, high: int | None = None
) -> int:
    """Read a decimal parameter value in ``low`` to ``high``."""
    allowed = (
        f"a whole number from {low}"
        if high is None
        else f"a whole number from {low} to {high}"
    )
    if not (text.isascii() and text.isdigit()):
        raise InvalidUriError(
            f"{parameter}: must be {allowed}, got text that is not a number"
        )
    if len(text) > _MAX_NUMBER_CHARS:
        raise InvalidUriError(
            f"{parameter}: must be {allowed}, got a {len(text)}-digit number"
        )
    value = int(text)
    if value < low or (high is not None and value > high):
        raise InvalidUriError(f"{parameter}: must be {allowed}, got {value}")
    return value


def _parse_algorithm(text: str | None) -> str:
    if text is None:
        return DEFAULT_ALGORITHM
    name = text.strip().upper()
    if name in _ALGORITHMS:
        return name.lower()
    if name == _MD5:
        raise InvalidUriError(
            "algorithm: MD5 is not supported; use SHA1, SHA256 or SHA512"
        )
    raise InvalidUriError(
        "algorithm: must be SHA1, SHA256 or SHA512, got an unknown name"
    )


def _parse_issuer(
    prefix: str | None, parameter: str | None, *, strict: bool
) -> str | None:
    value = parameter.strip() if parameter is not None else ""
    if ":" in value:
        raise InvalidUriError(
            "issuer: the issuer parameter contains a colon, which the Key "
            "URI format does not allow"
        )
    # Some generators form-encode the label too, writing a space as "+",
    # which is literal in a path; that spelling is no contradiction.
    if (
        strict
        and prefix
        and value
        and value not in {prefix, prefix.replace("+", " ")}
    ):
        raise InvalidUriError(
            "issuer: the issuer parameter differs from the label's prefix; "
            "pass strict_issuer=False to let the parameter win"
        )
    return value or prefix


def _make_otp(
    kind: OtpType,
    secret_text: str,
    *,
    digits: int,
    algorithm: str,
    period: int,
    allow_weak: bool,
) -> TOTP | HOTP:
    try:
        key = Secret.from_b32(secret_text)
        if kind == "steam":
            return SteamTOTP(key, allow_weak=allow_weak)
        if kind == "totp":
            return TOTP(key, digits, algorithm, period, allow_weak=allow_weak)
        return HOTP(key, digits, algorithm, allow_weak=allow_weak)
    except OtpError as error:
        raise InvalidUriError(str(error)) from error


def _steam_parameters(params: Mapping[str, str]) -> None:
    """Refuse parameters that contradict Steam Guard's fixed ones."""
    digits = params.get("digits")
    if digits is not None and digits.strip() != str(STEAM_DIGITS):
        raise InvalidUriError(
            f"digits: Steam Guard codes have {STEAM_DIGITS} characters"
        )
    if _parse_algorithm(params.get("algorithm")) != STEAM_ALGORITHM:
        raise InvalidUriError("algorithm: Steam Guard uses SHA1")
    period = params.get("period")
    if period is not None and _whole_number("period", period, 1) != (
        STEAM_PERIOD
    ):
        raise InvalidUriError(
            f"period: Steam Guard uses {STEAM_PERIOD}-second steps"
        )


def _parse_encoder(kind: OtpType, encoder: str | None) -> OtpType:
    """Return the type an ``encoder`` parameter turns ``kind`` into."""
    if encoder is None:
        return kind
    if encoder.strip().lower() != _STEAM_ENCODER:
        raise InvalidUriError(
            "encoder: only 'steam' is known, got another encoder"
        )
    if kind == "hotp":
        raise InvalidUriError(
            "encoder: Steam Guard codes are time-based; an hotp URI cannot "
            "use them"
        )
    return "steam"


def _parse_code_parameters(
    kind: OtpType, params: Mapping[str, str]
) -> tuple[int, str, int]:
    """Return digits, algorithm and period (ignored for hotp)."""
    if kind == "steam":
        _steam_parameters(params)
        return STEAM_DIGITS, STEAM_ALGORITHM, STEAM_PERIOD
    algorithm = _parse_algorithm(params.get("algorithm"))
    digits_text = params.get("digits")
    digits = (
        DEFAULT_DIGITS
        if digits_text is None
        else _whole_number("digits", digits_text, MIN_DIGITS, MAX_DIGITS)
    )
    period_text = params.get("period")
    period = (
        DEFAULT_PERIOD
        if kind == "hotp" or period_text is None
        else _whole_number("period", period_text, 1)
    )
    return digits, algorithm, period


def _parse_counter(text: str | None, default: int | None) -> int:
    if text is not None:
        return _whole_number("counter", text, 0, MAX_COUNTER)
    if default is not None:
        return _check_uri_counter(default)
    raise InvalidUriError(
        "counter: missing; the Key URI format requires it for hotp (pass "
        "default_counter=0 to assume 0, as Google Authenticator for "
        "Android does)"
    )


def parse_uri(
    text: str,
    *,
    allow_weak: bool = False,
    strict_issuer: bool = True,
    default_counter: int | None = None,
) -> Provisioning:
    """Read an otpauth:// URI into a :class:`Provisioning` record.

    Accepted, because apps and libraries emit them: a literal ``:`` or
    ``%3A`` between issuer and account, spaces before the account, ``+``
    for a space in the query, padded or lower-case or space-grouped
    secrets, ``TOTP`` or ``OTPAUTH`` in upper case, lower-case algorithm
    names, parameter names in any case, raw ``/`` in the label (pyotp),
    ``otpauth://steam/...`` (Aegis, totp-rs) and ``encoder=steam``
    (pyotp, KeePassXC), whose ``digits=5`` is allowed. Parameters without a
    meaning here are kept in :attr:`Provisioning.extra`; a ``period`` on an
    hotp URI and a ``counter`` on a totp URI do not apply and are dropped.
    Surrounding whitespace is ignored.

    Args:
        text: The URI.
        allow_weak: Admit keys of 80 to 127 bits, as some providers issue
            (GitHub, Microsoft 365). Shorter keys are always refused.
        strict_issuer: Refuse a URI whose ``issuer`` parameter differs from
            its label prefix (the format says they "should be equal"; a
            prefix that writes spaces as ``+`` still agrees).
            With False the parameter wins, as in Google's apps; some
            providers ship such URIs.
        default_counter: The counter to assume when an hotp URI has none.
            The format requires ``counter`` for hotp, so by default its
            absence is an error; Google Authenticator for Android assumes
            0, and so does ``default_counter=0``.

    Returns:
        The record, with a ready ``otp``.

    Raises:
        InvalidUriError: The text is not an otpauth URI (another scheme, a
            control character, a raw ``#``, longer than
            :data:`MAX_URI_LENGTH`); the type is not totp, hotp or steam;
            the label is missing or empty, or its account contains a
            colon; a percent-escape is malformed or not UTF-8; a parameter
            is repeated or has no name; the secret is missing, not base32
            or too short (the :class:`~otpcore.errors.InvalidSecretError`
            or :class:`~otpcore.errors.WeakSecretError` is the
            ``__cause__``); digits, period or counter are not whole numbers
            in range; the algorithm is unknown; the encoder is not steam;
            the image is not an https URL; the issuer parameter contains a
            colon or contradicts the label (with ``strict_issuer``); or an
            hotp URI has no counter and no ``default_counter`` was given.

    >>> record = parse_uri(
    ...     "otpauth://totp/ACME%20Co:john.doe@email.com"
    ...     "?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"
    ...     "&algorithm=SHA1&digits=6&period=30"
    ... )
    >>> record.issuer, record.account, record.type
    ('ACME Co', 'john.doe@email.com', 'totp')
    >>> record.otp.at(1_700_000_000)
    '825131'
    """
    host, path, query = split_uri(text, SCHEME)
    named = _TYPES.get(host.lower())
    if named is None:
        raise InvalidUriError(
            "type: must be totp, hotp or steam (the part after "
            "otpauth://), got an unknown type"
        )
    if len(path) <= 1:
        raise InvalidUriError(
            "label: missing; the account name is required after the type"
        )
    prefix, account = _parse_label(path[1:])
    params, extra = _parse_query(query or "")

    secret_text = params.get("secret", "")
    if not secret_text.strip():
        raise InvalidUriError("secret: missing; the parameter is required")
    kind = _parse_encoder(named, params.get("encoder"))
    digits, algorithm, period = _parse_code_parameters(kind, params)
    counter = (
        _parse_counter(params.get("counter"), default_counter)
        if kind == "hotp"
        else None
    )
    image = params.get("image")
    if image is not None:
        image = _check_image(image)
    issuer = _parse_issuer(prefix, params.get("issuer"), strict=strict_issuer)

    otp = _make_otp(
        kind,
        secret_text,
        digits=digits,
        algorithm=algorithm,
        period=period,
        allow_weak=allow_weak,
    )
    return Provisioning(otp, account, issuer, counter, image, extra)
