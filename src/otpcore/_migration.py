"""Google Authenticator's export format: otpauth-migration:// URIs.

Google Authenticator moves accounts between phones as
``otpauth-migration://offline?data=...`` URIs, one per QR code: the
percent-encoded standard base64 of a protobuf message holding a batch of
keys. :func:`parse_migration_uri` and :func:`parse_migration_uris` read
them into :class:`~otpcore.uri.Provisioning` records, and
:func:`migration_uris` writes records back, so that accounts can move in
and out of the app. The public names are re-exported by
:mod:`otpcore.uri`.

The payload comes from a scanned code and is read as hostile: every
malformed part, down to a truncated varint, is an
:class:`~otpcore.errors.InvalidUriError` naming the entry and the field.
"""

from __future__ import annotations

import base64
import binascii
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from otpcore import _protobuf as pb
from otpcore._keyuri import (
    MAX_URI_LENGTH,
    MIGRATION_SCHEME,
    Provisioning,
    check_encodable,
    describe,
    quote_component,
    split_uri,
    unescape,
)
from otpcore.errors import InvalidUriError, OtpError
from otpcore.hotp import HOTP
from otpcore.steam import SteamTOTP
from otpcore.totp import DEFAULT_PERIOD, DEFAULT_T0, TOTP

__all__ = [
    "DEFAULT_MIGRATION_BATCH_SIZE",
    "DEFAULT_MIGRATION_URI_LENGTH",
    "MigrationBatch",
    "migration_uris",
    "parse_migration_uri",
    "parse_migration_uris",
    "read_migration_batch",
]

#: Accounts per export URI at most, whatever their size.
DEFAULT_MIGRATION_BATCH_SIZE: Final = 10
#: Export URIs are cut so that each fits a version 20 QR code at error
#: correction level M (666 bytes, ISO/IEC 18004 table 7): 97 modules a side,
#: which a phone reads from a screen without trouble.
DEFAULT_MIGRATION_URI_LENGTH: Final = 666

# The schema, as published by Aegis (app/src/main/proto/google_auth.proto)
# and agreed by independent export decoders:
#   MigrationPayload: 1 otp_parameters (repeated message), 2 version,
#       3 batch_size, 4 batch_index (0-based), 5 batch_id (all int32)
#   OtpParameters: 1 secret (bytes), 2 name, 3 issuer (strings),
#       4 algorithm, 5 digits, 6 type (enums), 7 counter (int64)

_MIGRATION_HOST: Final = "offline"
_MIGRATION_DATA: Final = "data"
_MIGRATION_PREFIX: Final = f"{MIGRATION_SCHEME}://{_MIGRATION_HOST}?data="
# The payload version written; readers such as Aegis's do not check it.
_MIGRATION_VERSION: Final = 1

_PAYLOAD_ENTRY: Final = 1
_PAYLOAD_VERSION: Final = 2
_PAYLOAD_BATCH_SIZE: Final = 3
_PAYLOAD_BATCH_INDEX: Final = 4
_PAYLOAD_BATCH_ID: Final = 5
_PAYLOAD_FIELDS: Final = {
    _PAYLOAD_ENTRY: ("otp_parameters", pb.WIRE_LENGTH),
    _PAYLOAD_VERSION: ("version", pb.WIRE_VARINT),
    _PAYLOAD_BATCH_SIZE: ("batch_size", pb.WIRE_VARINT),
    _PAYLOAD_BATCH_INDEX: ("batch_index", pb.WIRE_VARINT),
    _PAYLOAD_BATCH_ID: ("batch_id", pb.WIRE_VARINT),
}

_ENTRY_SECRET: Final = 1
_ENTRY_NAME: Final = 2
_ENTRY_ISSUER: Final = 3
_ENTRY_ALGORITHM: Final = 4
_ENTRY_DIGITS: Final = 5
_ENTRY_TYPE: Final = 6
_ENTRY_COUNTER: Final = 7
_ENTRY_FIELDS: Final = {
    _ENTRY_SECRET: ("secret", pb.WIRE_LENGTH),
    _ENTRY_NAME: ("name", pb.WIRE_LENGTH),
    _ENTRY_ISSUER: ("issuer", pb.WIRE_LENGTH),
    _ENTRY_ALGORITHM: ("algorithm", pb.WIRE_VARINT),
    _ENTRY_DIGITS: ("digits", pb.WIRE_VARINT),
    _ENTRY_TYPE: ("type", pb.WIRE_VARINT),
    _ENTRY_COUNTER: ("counter", pb.WIRE_VARINT),
}

# Enum values. 0 is "unspecified"; for algorithm and digits the schema's
# defaults (SHA1, six) apply, but an entry of unspecified type cannot be
# read as either.
_ALGORITHM_BY_CODE: Final = {0: "sha1", 1: "sha1", 2: "sha256", 3: "sha512"}
_CODE_BY_ALGORITHM: Final = {"sha1": 1, "sha256": 2, "sha512": 3}
_MD5_CODE: Final = 4
_DIGITS_BY_CODE: Final = {0: 6, 1: 6, 2: 8}
_CODE_BY_DIGITS: Final = {6: 1, 8: 2}
_TYPE_HOTP: Final = 1
_TYPE_TOTP: Final = 2
_INT32_LIMIT: Final = 2**31
_INT64_MAX: Final = 2**63 - 1
#: The export carries no period or T0: every TOTP entry is 30 s from 0.
_MIGRATION_PERIOD: Final = DEFAULT_PERIOD
# The largest header migration_uris writes: version, batch size, index and
# id, each a one-byte key and a varint of at most 5 bytes for an int32 >= 0.
_MAX_HEADER_BYTES: Final = 2 + 3 * 6
# Standard base64 turns 3 bytes into 4 characters; percent-encoding turns
# one character into at most 3.
_B64_IN: Final = 3
_B64_OUT: Final = 4
_ESCAPED: Final = 3


@dataclass(frozen=True, slots=True)
class MigrationBatch:
    """One export URI: its accounts and its place in the export.

    Google Authenticator splits a large export over several QR codes; each
    carries its index and the total, and all share a batch id.

    Attributes:
        records: The accounts in this URI, in order.
        index: This URI's place in the export, from 0.
        size: How many URIs the export has.
        batch_id: The number all URIs of one export share.
        version: The payload version.
    """

    records: tuple[Provisioning, ...]
    index: int
    size: int
    batch_id: int
    version: int


def _decode_base64(text: str) -> bytes:
    # Some tools pass the data on in the URL-safe alphabet or without
    # padding; neither is ambiguous, so both are read.
    compact = text.strip().translate(str.maketrans("-_", "+/"))
    compact += "=" * (-len(compact) % _B64_OUT)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidUriError(
            "data: not valid base64; expected the payload in base64, "
            "percent-encoded"
        ) from None


def _check_wire_types(
    fields: Iterable[pb.Field],
    schema: Mapping[int, tuple[str, int]],
    where: str,
) -> None:
    for item in fields:
        expected = schema.get(item.number)
        if expected is not None and item.wire_type != expected[1]:
            raise InvalidUriError(
                f"{where}: field {item.number} ({expected[0]}) has wire "
                f"type {item.wire_type}, expected {expected[1]}"
            )


def _last(fields: Iterable[pb.Field]) -> dict[int, int | bytes]:
    # Protocol buffers: for a non-repeated field, the last value wins.
    return {item.number: item.value for item in fields}


def _int32(name: str, value: int | bytes | None, default: int = 0) -> int:
    if value is None:
        return default
    number = pb.signed64(value) if isinstance(value, int) else None
    if number is None or not -_INT32_LIMIT <= number < _INT32_LIMIT:
        raise InvalidUriError(f"payload: {name} is not an int32")
    return number


def _text(where: str, value: int | bytes | None) -> str:
    if not isinstance(value, bytes):
        return ""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidUriError(f"{where}: not valid UTF-8") from None


def _split_name(name: str, issuer: str | None) -> tuple[str | None, str]:
    """Return the issuer and account of an export entry.

    Google Authenticator keeps the whole label as the name, so an entry
    often reads "Issuer:account" with the issuer also given on its own.
    """
    prefix, colon, rest = name.partition(":")
    if colon:
        if issuer is None:
            return prefix.strip() or None, rest.strip()
        if prefix.strip() == issuer:
            return issuer, rest.strip()
    return issuer, name


def _read_entry(raw: bytes, number: int, allow_weak: bool) -> Provisioning:
    where = f"entry {number}"
    try:
        fields = pb.parse_fields(raw)
    except InvalidUriError as error:
        raise InvalidUriError(f"{where}: {error}") from error
    _check_wire_types(fields, _ENTRY_FIELDS, where)
    values = _last(fields)

    secret = values.get(_ENTRY_SECRET)
    if not isinstance(secret, bytes) or not secret:
        raise InvalidUriError(f"{where}: secret: missing or empty")
    algorithm_code = _int32("algorithm", values.get(_ENTRY_ALGORITHM))
    if algorithm_code == _MD5_CODE:
        raise InvalidUriError(
            f"{where}: algorithm: MD5 is not supported; SHA1, SHA256 or "
            "SHA512 only"
        )
    if algorithm_code not in _ALGORITHM_BY_CODE:
        raise InvalidUriError(
            f"{where}: algorithm: unknown value {algorithm_code}; the "
            "format defines 1 (SHA1), 2 (SHA256) and 3 (SHA512)"
        )
    digits_code = _int32("digits", values.get(_ENTRY_DIGITS))
    if digits_code not in _DIGITS_BY_CODE:
        raise InvalidUriError(
            f"{where}: digits: unknown value {digits_code}; the format "
            "defines 1 (six) and 2 (eight)"
        )
    type_code = _int32("type", values.get(_ENTRY_TYPE))
    if type_code not in {_TYPE_HOTP, _TYPE_TOTP}:
        raise InvalidUriError(
            f"{where}: type: unknown or unspecified value {type_code}; the "
            "format defines 1 (HOTP) and 2 (TOTP)"
        )
    counter_value = values.get(_ENTRY_COUNTER, 0)
    counter = (
        pb.signed64(counter_value) if isinstance(counter_value, int) else 0
    )
    if counter < 0:
        raise InvalidUriError(f"{where}: counter: negative")
    issuer_text = _text(f"{where}: issuer", values.get(_ENTRY_ISSUER))
    name = _text(f"{where}: name", values.get(_ENTRY_NAME)).strip()
    issuer, account = _split_name(name, issuer_text.strip() or None)
    if not account:
        raise InvalidUriError(f"{where}: name: the account name is empty")

    algorithm = _ALGORITHM_BY_CODE[algorithm_code]
    digits = _DIGITS_BY_CODE[digits_code]
    otp: TOTP | HOTP
    try:
        if type_code == _TYPE_TOTP:
            otp = TOTP(secret, digits, algorithm, allow_weak=allow_weak)
        else:
            otp = HOTP(secret, digits, algorithm, allow_weak=allow_weak)
    except OtpError as error:
        raise InvalidUriError(f"{where}: {error}") from error
    return Provisioning(
        otp, account, issuer, counter if type_code == _TYPE_HOTP else None
    )


def read_migration_batch(
    text: str, *, allow_weak: bool = True
) -> MigrationBatch:
    """Read one Google Authenticator export URI with its batch information.

    Args:
        text: An ``otpauth-migration://offline?data=...`` URI.
        allow_weak: Admit keys of 80 to 127 bits. True by default, since
            an export holds the keys services already issued, and several
            issue 80-bit keys; shorter keys are always refused.

    Returns:
        The batch: its records and its index, size and id.

    Raises:
        InvalidUriError: The URI is malformed (see :func:`parse_uri` for
            the shared checks), ``data`` is missing, repeated or not
            base64, the payload is not a well-formed protobuf message, a
            known field has the wrong wire type, an enum value is unknown
            (MD5, digits other than six or eight, an unspecified type), an
            entry's secret or name is missing, its key is too short, or the
            batch index is outside the batch size. The message names the
            entry, counting from 1.
    """
    host, path, query = split_uri(text, MIGRATION_SCHEME)
    if host.lower() != _MIGRATION_HOST:
        raise InvalidUriError(
            f"host: expected {MIGRATION_SCHEME}://{_MIGRATION_HOST}, got "
            "another host"
        )
    if path not in {"", "/"}:
        raise InvalidUriError(
            f"path: {MIGRATION_SCHEME}://{_MIGRATION_HOST} has no path"
        )
    data: str | None = None
    for position, piece in enumerate((query or "").split("&"), start=1):
        raw_name, _, raw_value = piece.partition("=")
        name = unescape(raw_name, f"parameter {position}", plus_is_space=True)
        if name.lower() != _MIGRATION_DATA:
            continue
        if data is not None:
            raise InvalidUriError("data: given more than once")
        # "+" belongs to the base64 alphabet here, never a space.
        data = unescape(raw_value, "data", plus_is_space=False)
    if not data:
        raise InvalidUriError("data: missing; the export payload is required")
    fields = pb.parse_fields(_decode_base64(data))
    _check_wire_types(fields, _PAYLOAD_FIELDS, "payload")

    entries = [
        item.value
        for item in fields
        if item.number == _PAYLOAD_ENTRY and isinstance(item.value, bytes)
    ]
    header = _last(item for item in fields if item.number != _PAYLOAD_ENTRY)
    version = _int32("version", header.get(_PAYLOAD_VERSION))
    size = _int32("batch_size", header.get(_PAYLOAD_BATCH_SIZE)) or 1
    index = _int32("batch_index", header.get(_PAYLOAD_BATCH_INDEX))
    batch_id = _int32("batch_id", header.get(_PAYLOAD_BATCH_ID))
    if not 0 <= index < size:
        raise InvalidUriError(
            f"payload: batch_index {index} is outside a batch of {size}"
        )
    records = tuple(
        _read_entry(entry, number, allow_weak)
        for number, entry in enumerate(entries, start=1)
    )
    return MigrationBatch(records, index, size, batch_id, version)


def parse_migration_uri(
    text: str, *, allow_weak: bool = True
) -> list[Provisioning]:
    """Read the accounts of one Google Authenticator export URI.

    For an export spread over several QR codes, read them all with
    :func:`parse_migration_uris`, which checks that none is missing.

    Each entry becomes a :class:`Provisioning` record. Google Authenticator
    keeps the whole label as the entry's name, so a name "Issuer:account"
    is split when the prefix is the entry's issuer or there is no issuer;
    otherwise the name is kept whole as the account (and, holding a colon,
    cannot be written back as an otpauth URI). Exports carry no period:
    TOTP entries are 30-second ones.

    Args:
        text: An ``otpauth-migration://offline?data=...`` URI.
        allow_weak: Admit keys of 80 to 127 bits (True by default; see
            :func:`read_migration_batch`).

    Returns:
        The accounts in the order the export lists them.

    Raises:
        InvalidUriError: As :func:`read_migration_batch`.
    """
    return list(read_migration_batch(text, allow_weak=allow_weak).records)


def parse_migration_uris(
    texts: Iterable[str], *, allow_weak: bool = True
) -> list[Provisioning]:
    """Read every URI of one Google Authenticator export, in batch order.

    The URIs may come in any order. They must share one batch id and size,
    and together cover every index once.

    Args:
        texts: The export URIs, one per QR code.
        allow_weak: Admit keys of 80 to 127 bits (True by default).

    Returns:
        All accounts, ordered by batch and then as each batch lists them.

    Raises:
        InvalidUriError: A URI is malformed (as
            :func:`read_migration_batch`), the URIs come from different
            exports, or a batch is missing or given twice.
    """
    if isinstance(texts, str):
        raise InvalidUriError(
            "texts: expected several URIs, got one string; use "
            "parse_migration_uri for a single URI"
        )
    batches = [read_migration_batch(t, allow_weak=allow_weak) for t in texts]
    if not batches:
        return []
    first = batches[0]
    by_index: dict[int, MigrationBatch] = {}
    for batch in batches:
        if (batch.batch_id, batch.size) != (first.batch_id, first.size):
            raise InvalidUriError(
                "batch: the URIs come from different exports (their batch "
                "ids or sizes differ)"
            )
        if batch.index in by_index:
            raise InvalidUriError(
                f"batch: part {batch.index + 1} of {batch.size} is given twice"
            )
        by_index[batch.index] = batch
    missing = [str(i + 1) for i in range(first.size) if i not in by_index]
    if missing:
        raise InvalidUriError(
            f"batch: part {', '.join(missing)} of {first.size} is missing"
        )
    return [
        record
        for index in range(first.size)
        for record in by_index[index].records
    ]


def _encode_entry(record: object, number: int) -> bytes:
    where = f"record {number}"
    if not isinstance(record, Provisioning):
        raise InvalidUriError(
            f"{where}: expected a Provisioning record, got {describe(record)}"
        )
    otp = record.otp
    if isinstance(otp, SteamTOTP):
        raise InvalidUriError(
            f"{where}: the export format has no Steam Guard type"
        )
    if isinstance(otp, TOTP) and (
        otp.period != _MIGRATION_PERIOD or otp.t0 != DEFAULT_T0
    ):
        raise InvalidUriError(
            f"{where}: period: the export format carries no period or T0; "
            f"only {_MIGRATION_PERIOD}-second TOTP from t0=0 can be exported"
        )
    if otp.digits not in _CODE_BY_DIGITS:
        raise InvalidUriError(
            f"{where}: digits: the export format carries only 6 or 8 digits"
        )
    if record.counter is not None and record.counter > _INT64_MAX:
        raise InvalidUriError(
            f"{where}: counter: the export format holds at most 2**63 - 1"
        )
    check_encodable(f"{where}: account", record.account)
    body = pb.field_bytes(_ENTRY_SECRET, bytes(otp.secret))
    body += pb.field_bytes(_ENTRY_NAME, record.account.encode("utf-8"))
    if record.issuer is not None:
        check_encodable(f"{where}: issuer", record.issuer)
        body += pb.field_bytes(_ENTRY_ISSUER, record.issuer.encode("utf-8"))
    body += pb.field_varint(
        _ENTRY_ALGORITHM, _CODE_BY_ALGORITHM[otp.algorithm]
    )
    body += pb.field_varint(_ENTRY_DIGITS, _CODE_BY_DIGITS[otp.digits])
    if isinstance(otp, HOTP):
        body += pb.field_varint(_ENTRY_TYPE, _TYPE_HOTP)
        body += pb.field_varint(_ENTRY_COUNTER, record.counter or 0)
    else:
        body += pb.field_varint(_ENTRY_TYPE, _TYPE_TOTP)
    return pb.field_bytes(_PAYLOAD_ENTRY, body)


def _data_text(payload: bytes) -> str:
    return quote_component(base64.b64encode(payload).decode("ascii"))


def _length_bound(body: bytes) -> int:
    """Bound the length of the URI for ``body`` plus any header we write.

    Base64 encodes each 3-byte group on its own, so the whole groups of the
    body give characters the header cannot change; only the tail and the
    header are counted at their worst, every character escaped.
    """
    whole = len(body) - len(body) % _B64_IN
    tail = len(body) - whole + _MAX_HEADER_BYTES
    worst_tail = math.ceil(tail / _B64_IN) * _B64_OUT * _ESCAPED
    return len(_MIGRATION_PREFIX) + len(_data_text(body[:whole])) + worst_tail


def _check_argument(
    name: str, value: object, low: int, high: int | None
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidUriError(
            f"{name}: expected an int, got {describe(value)}"
        )
    if value < low or (high is not None and value > high):
        allowed = f"from {low}" if high is None else f"from {low} to {high}"
        raise InvalidUriError(f"{name}: must be {allowed}, got {value}")
    return value


def migration_uris(
    records: Iterable[Provisioning],
    *,
    batch_size: int = DEFAULT_MIGRATION_BATCH_SIZE,
    max_length: int = DEFAULT_MIGRATION_URI_LENGTH,
    batch_id: int | None = None,
) -> list[str]:
    """Write records as Google Authenticator export URIs.

    Records are packed in order, as many to a URI as ``batch_size`` and
    ``max_length`` allow, so that each URI fits a QR code a phone reads
    easily (by default, version 20 at level M). The name of each entry is
    the account and its issuer is given on its own. ``image`` and ``extra``
    have no place in the format and are left out.

    Args:
        records: The accounts to export.
        batch_size: The most accounts one URI holds.
        max_length: The longest URI to write, in characters; at most
            :data:`MAX_URI_LENGTH`.
        batch_id: The id all URIs share, from 0 to 2**31 - 1; random when
            None.

    Returns:
        The URIs in batch order; empty if there are no records.

    Raises:
        InvalidUriError: A record is Steam Guard, TOTP with a period other
            than 30 seconds or a T0 other than 0, has digits other than 6
            or 8, or an HOTP counter above 2**63 - 1 (none of which the
            format can carry); one record alone needs more than
            ``max_length``; or an argument is out of range.
    """
    batch_size = _check_argument("batch_size", batch_size, 1, None)
    max_length = _check_argument(
        "max_length", max_length, len(_MIGRATION_PREFIX) + 1, MAX_URI_LENGTH
    )
    batch_id = (
        secrets.randbelow(_INT32_LIMIT)
        if batch_id is None
        else _check_argument("batch_id", batch_id, 0, _INT32_LIMIT - 1)
    )

    groups: list[list[bytes]] = []
    current: list[bytes] = []
    for number, record in enumerate(records, start=1):
        entry = _encode_entry(record, number)
        alone = _length_bound(entry)
        if alone > max_length:
            raise InvalidUriError(
                f"record {number}: needs up to {alone} characters on its "
                f"own, more than max_length={max_length}"
            )
        if current and (
            len(current) >= batch_size
            or _length_bound(b"".join([*current, entry])) > max_length
        ):
            groups.append(current)
            current = []
        current.append(entry)
    if current:
        groups.append(current)

    uris = []
    for index, group in enumerate(groups):
        header = (
            pb.field_varint(_PAYLOAD_VERSION, _MIGRATION_VERSION)
            + pb.field_varint(_PAYLOAD_BATCH_SIZE, len(groups))
            + pb.field_varint(_PAYLOAD_BATCH_INDEX, index)
            + pb.field_varint(_PAYLOAD_BATCH_ID, batch_id)
        )
        uris.append(_MIGRATION_PREFIX + _data_text(b"".join(group) + header))
    return uris
