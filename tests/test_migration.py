"""Google Authenticator's export: otpauth-migration:// read and written."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, unquote

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from _google_protobuf import MigrationPayload
from otpcore import HOTP, TOTP, Secret
from otpcore._protobuf import field_bytes, field_varint
from otpcore.errors import InvalidUriError, WeakSecretError
from otpcore.steam import SteamTOTP
from otpcore.uri import (
    DEFAULT_MIGRATION_URI_LENGTH,
    MAX_URI_LENGTH,
    MigrationBatch,
    Provisioning,
    migration_uris,
    parse_migration_uri,
    parse_migration_uris,
    read_migration_batch,
)

WHEN = 1_700_000_000
PREFIX = "otpauth-migration://offline?data="


def wrap(payload: bytes) -> str:
    """Return the export URI Google Authenticator would show for payload."""
    return PREFIX + quote(base64.b64encode(payload).decode("ascii"), safe="")


def payload_of(uri: str) -> bytes:
    """Return the protobuf payload of an export URI."""
    return base64.b64decode(unquote(uri.removeprefix(PREFIX)))


# A payload written out byte by byte: two entries, one unknown field, and
# the batch header.
JBSWY = b"Hello!\xde\xad\xbe\xef"  # JBSWY3DPEHPK3PXP, 80 bits
RFC_KEY = b"12345678901234567890"
ENTRY_TOTP = (
    b"\x0a\x0a"
    + JBSWY  # 1 secret, 10 bytes
    + b"\x12\x18"
    + b"Example:alice@google.com"  # 2 name, 24 bytes
    + b"\x1a\x07"
    + b"Example"  # 3 issuer, 7 bytes
    + b"\x20\x01"  # 4 algorithm = SHA1
    + b"\x28\x01"  # 5 digits = SIX
    + b"\x30\x02"  # 6 type = TOTP
)
ENTRY_HOTP = (
    b"\x0a\x14"
    + RFC_KEY  # 1 secret, 20 bytes
    + b"\x12\x03"
    + b"bob"  # 2 name
    + b"\x20\x02"  # 4 algorithm = SHA256
    + b"\x28\x02"  # 5 digits = EIGHT
    + b"\x30\x01"  # 6 type = HOTP
    + b"\x38\xac\x02"  # 7 counter = 300
    + b"\x42\x03"
    + b"uid"  # 8, not in the schema: skipped
)
HAND_BUILT = (
    b"\x0a\x35"
    + ENTRY_TOTP  # 1 otp_parameters, 53 bytes
    + b"\x0a\x29"
    + ENTRY_HOTP  # 1 otp_parameters, 41 bytes
    + b"\x10\x01"  # 2 version = 1
    + b"\x18\x01"  # 3 batch_size = 1
    + b"\x20\x00"  # 4 batch_index = 0
    + b"\x28\x07"  # 5 batch_id = 7
)


def test_hand_built_lengths_are_right() -> None:
    """The length bytes written above match the entries they announce."""
    assert (len(ENTRY_TOTP), len(ENTRY_HOTP)) == (0x35, 0x29)


def test_hand_built_payload_is_read() -> None:
    """Each field of a byte-by-byte payload lands in the right place."""
    batch = read_migration_batch(wrap(HAND_BUILT))

    assert (batch.index, batch.size, batch.batch_id, batch.version) == (
        0,
        1,
        7,
        1,
    )
    first, second = batch.records
    assert (first.type, first.issuer, first.account) == (
        "totp",
        "Example",
        "alice@google.com",
    )
    assert first.otp.secret == Secret(JBSWY)
    assert first.otp.at(WHEN) == TOTP(JBSWY, allow_weak=True).at(WHEN)
    assert (second.type, second.issuer, second.account) == (
        "hotp",
        None,
        "bob",
    )
    assert (second.otp.digits, second.otp.algorithm, second.counter) == (
        8,
        "sha256",
        300,
    )
    assert second.otp.at(300) == HOTP(RFC_KEY, 8, "sha256").at(300)


def test_hand_built_payload_agrees_with_google_runtime() -> None:
    """Google's runtime reads the hand-built bytes the same way."""
    message = MigrationPayload.FromString(HAND_BUILT)

    assert [e.name for e in message.otp_parameters] == [
        "Example:alice@google.com",
        "bob",
    ]
    assert message.otp_parameters[1].counter == 300
    assert message.batch_id == 7


def test_parse_migration_uri_returns_the_records() -> None:
    """parse_migration_uri gives the batch's records as a list."""
    records = parse_migration_uri(wrap(HAND_BUILT))

    assert [r.account for r in records] == ["alice@google.com", "bob"]


def test_weak_keys_are_admitted_by_default_only() -> None:
    """Exports carry 80-bit keys; allow_weak=False refuses them."""
    with pytest.raises(InvalidUriError, match="entry 1") as caught:
        parse_migration_uri(wrap(HAND_BUILT), allow_weak=False)

    assert isinstance(caught.value.__cause__, WeakSecretError)


def test_defaults_apply_to_unspecified_algorithm_and_digits() -> None:
    """Algorithm and digits left at 0 read as SHA1 and six."""
    entry = field_bytes(1, RFC_KEY) + field_bytes(2, b"a")
    entry += field_varint(6, 2)

    (record,) = parse_migration_uri(wrap(field_bytes(1, entry)))

    assert (record.otp.algorithm, record.otp.digits) == ("sha1", 6)


def test_missing_header_reads_as_a_single_batch() -> None:
    """A payload without batch fields is batch 1 of 1."""
    entry = field_bytes(1, RFC_KEY) + field_bytes(2, b"a")
    entry += field_varint(6, 2)

    batch = read_migration_batch(wrap(field_bytes(1, entry)))

    assert (batch.index, batch.size, batch.batch_id) == (0, 1, 0)


def test_unknown_fields_of_every_wire_type_are_skipped() -> None:
    """Fields outside the schema are skipped by wire type, in both levels."""
    entry = (
        field_bytes(1, RFC_KEY)
        + field_bytes(2, b"a")
        + field_varint(6, 2)
        + bytes.fromhex("4d01020304")  # 9, fixed32
        + bytes.fromhex("510102030405060708")  # 10, fixed64
        + bytes.fromhex("5b08015c")  # 11, a group
    )
    payload = (
        field_bytes(1, entry)
        + field_varint(99, 5)
        + field_bytes(100, b"future")
    )

    (record,) = parse_migration_uri(wrap(payload))

    assert record.account == "a"


NAMES = [
    pytest.param(b"Example:alice", b"Example", "Example", "alice", id="both"),
    pytest.param(b"Example: alice", b"", "Example", "alice", id="no-issuer"),
    pytest.param(b"alice", b"Example", "Example", "alice", id="plain-name"),
    pytest.param(b"alice", b"", None, "alice", id="no-issuer-at-all"),
    pytest.param(
        b"Other:alice",
        b"Example",
        "Example",
        "Other:alice",
        id="foreign-prefix-kept",
    ),
    pytest.param(b" alice ", b" Example ", "Example", "alice", id="trimmed"),
]


@pytest.mark.parametrize(("name", "issuer", "want_issuer", "account"), NAMES)
def test_names_are_split_like_labels(
    name: bytes, issuer: bytes, want_issuer: str | None, account: str
) -> None:
    """Names split at the colon when the prefix is the issuer, or alone."""
    entry = field_bytes(1, RFC_KEY) + field_bytes(2, name)
    entry += field_bytes(3, issuer) + field_varint(6, 2)

    (record,) = parse_migration_uri(wrap(field_bytes(1, entry)))

    assert (record.issuer, record.account) == (want_issuer, account)


def _entry(**overrides: Any) -> bytes:
    fields: dict[int, bytes | int | None] = {
        1: RFC_KEY,
        2: b"alice",
        3: b"Example",
        4: 1,
        5: 1,
        6: 2,
        7: None,
    }
    fields.update({int(k[1:]): v for k, v in overrides.items()})
    out = b""
    for number, value in fields.items():
        if isinstance(value, bytes):
            out += field_bytes(number, value)
        elif isinstance(value, int):
            out += field_varint(number, value)
    return field_bytes(1, out)


MALFORMED: list[Any] = [
    pytest.param("otpauth://offline?data=AA", "scheme", id="otpauth-scheme"),
    pytest.param("otpauth-migration://online?data=AA", "host", id="bad-host"),
    pytest.param("otpauth-migration://offline/x?data=AA", "path", id="path"),
    pytest.param("otpauth-migration://offline", "data", id="no-query"),
    pytest.param("otpauth-migration://offline?data=", "data", id="empty-data"),
    pytest.param("otpauth-migration://offline?x=1", "data", id="no-data"),
    pytest.param(
        "otpauth-migration://offline?data=CgA%3D&data=CgA%3D",
        "more than once",
        id="repeated-data",
    ),
    pytest.param(PREFIX + "!!!!", "base64", id="bad-base64-chars"),
    pytest.param(PREFIX + "AAAAA", "base64", id="bad-base64-length"),
    pytest.param(PREFIX + "%ZZ", "percent-escape", id="bad-escape"),
    pytest.param(wrap(b"\x0a"), "cut off", id="truncated-varint"),
    pytest.param(wrap(b"\x0a\x05ab"), "claims 5 bytes", id="length-past-end"),
    pytest.param(wrap(b"\x08\x01"), "wire type 0", id="entry-as-varint"),
    pytest.param(wrap(b"\x12\x01a"), "wire type 2", id="version-as-bytes"),
    pytest.param(wrap(field_varint(3, 2**40)), "int32", id="size-not-int32"),
    pytest.param(
        wrap(field_varint(3, 2) + field_varint(4, 2)),
        "outside a batch",
        id="index-past-size",
    ),
    pytest.param(wrap(field_varint(4, -1)), "outside", id="negative-index"),
    pytest.param(wrap(_entry(f1=None)), "secret", id="missing-secret"),
    pytest.param(wrap(_entry(f1=b"")), "secret", id="empty-secret"),
    pytest.param(wrap(_entry(f1=7)), "wire type 0", id="secret-as-varint"),
    pytest.param(wrap(_entry(f1=b"short")), "bits", id="key-under-80-bits"),
    pytest.param(wrap(_entry(f2=None)), "empty", id="missing-name"),
    pytest.param(wrap(_entry(f2=b" ")), "empty", id="blank-name"),
    pytest.param(wrap(_entry(f2=b"\xff")), "UTF-8", id="name-not-utf8"),
    pytest.param(wrap(_entry(f3=b"\xc3")), "UTF-8", id="issuer-not-utf8"),
    pytest.param(wrap(_entry(f2=b"Example:")), "empty", id="name-only-prefix"),
    pytest.param(wrap(_entry(f4=4)), "MD5", id="algorithm-md5"),
    pytest.param(wrap(_entry(f4=9)), "unknown value 9", id="algorithm-9"),
    pytest.param(wrap(_entry(f4=-1)), "unknown value -1", id="algorithm-neg"),
    pytest.param(wrap(_entry(f4=b"x")), "wire type 2", id="algorithm-bytes"),
    pytest.param(wrap(_entry(f5=3)), "unknown value 3", id="digits-3"),
    pytest.param(wrap(_entry(f6=0)), "unspecified", id="type-unspecified"),
    pytest.param(wrap(_entry(f6=None)), "unspecified", id="type-missing"),
    pytest.param(wrap(_entry(f6=3)), "unknown", id="type-3"),
    pytest.param(wrap(_entry(f6=1, f7=-1)), "negative", id="counter-neg"),
    pytest.param(
        wrap(field_bytes(1, b"\x0a")), "entry 1", id="entry-truncated"
    ),
    pytest.param(PREFIX + "A" * MAX_URI_LENGTH, "characters", id="too-long"),
    pytest.param(None, "text", id="not-text"),
]


@pytest.mark.parametrize(("text", "problem"), MALFORMED)
def test_malformed_exports_are_refused(text: Any, problem: str) -> None:
    """Each malformed export raises InvalidUriError naming the problem."""
    with pytest.raises(InvalidUriError, match=problem):
        parse_migration_uri(text)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_payloads_never_raise_anything_else(data: bytes) -> None:
    """Random payloads parse or raise InvalidUriError, never IndexError."""
    try:
        records = parse_migration_uri(wrap(data))
    except InvalidUriError:
        return
    assert all(r.account for r in records)


# Writing.

accounts = st.text(min_size=1, max_size=30).filter(
    lambda s: ":" not in s and s == s.strip()
)


@st.composite
def records(draw: st.DrawFn) -> Provisioning:
    """A record the export format can carry."""
    key = draw(st.binary(min_size=10, max_size=40))
    digits = draw(st.sampled_from([6, 8]))
    algorithm = draw(st.sampled_from(["sha1", "sha256", "sha512"]))
    account = draw(accounts)
    issuer = draw(st.none() | accounts)
    if draw(st.booleans()):
        otp: TOTP | HOTP = HOTP(key, digits, algorithm, allow_weak=True)
        counter: int | None = draw(st.integers(0, 2**63 - 1))
    else:
        otp = TOTP(key, digits, algorithm, allow_weak=True)
        counter = None
    return Provisioning(otp, account, issuer, counter)


def _same(left: Provisioning, right: Provisioning) -> bool:
    return (
        left.type == right.type
        and left.account == right.account
        and left.issuer == right.issuer
        and left.counter == right.counter
        and left.otp.secret == right.otp.secret
        and left.otp.digits == right.otp.digits
        and left.otp.algorithm == right.otp.algorithm
    )


@settings(max_examples=60)
@given(st.lists(records(), max_size=25), st.integers(0, 2**31 - 1))
def test_export_round_trips(items: list[Provisioning], batch_id: int) -> None:
    """migration_uris then parse_migration_uris gives back every record."""
    uris = migration_uris(items, batch_id=batch_id)

    back = parse_migration_uris(reversed(uris))

    assert len(back) == len(items)
    assert all(_same(a, b) for a, b in zip(items, back, strict=True))


@settings(max_examples=60)
@given(st.lists(records(), min_size=1, max_size=25), st.integers(1, 10))
def test_batches_respect_the_limits(
    items: list[Provisioning], batch_size: int
) -> None:
    """Each URI holds at most batch_size records and max_length characters."""
    uris = migration_uris(items, batch_size=batch_size, batch_id=3)

    batches = [read_migration_batch(uri) for uri in uris]
    assert all(len(uri) <= DEFAULT_MIGRATION_URI_LENGTH for uri in uris)
    assert all(0 < len(b.records) <= batch_size for b in batches)
    assert [(b.index, b.size, b.batch_id) for b in batches] == [
        (i, len(uris), 3) for i in range(len(uris))
    ]


def test_default_batches_fit_a_version_20_qr_code() -> None:
    """Each default-sized URI fits version 20 at level M, by segno."""
    items = [
        Provisioning(TOTP(bytes([n]) * 20), f"user{n}@example.com", "Example")
        for n in range(30)
    ]

    uris = migration_uris(items)

    assert len(uris) > 1
    for uri in uris:
        code = segno.make(uri, error="m", mode="byte", boost_error=False)
        assert code.version <= 20


@settings(max_examples=60)
@given(st.lists(records(), min_size=1, max_size=8), st.integers(0, 2**31 - 1))
def test_google_runtime_reads_our_export(
    items: list[Provisioning], batch_id: int
) -> None:
    """Google's protobuf runtime reads each field we write."""
    (uri,) = migration_uris(items, batch_id=batch_id, max_length=4096)

    message = MigrationPayload.FromString(payload_of(uri))

    assert (message.version, message.batch_size, message.batch_index) == (
        1,
        1,
        0,
    )
    assert message.batch_id == batch_id
    for record, entry in zip(items, message.otp_parameters, strict=True):
        assert entry.secret == bytes(record.otp.secret)
        assert entry.name == record.account
        assert entry.issuer == (record.issuer or "")
        assert entry.type == (1 if record.type == "hotp" else 2)
        assert entry.digits == {6: 1, 8: 2}[record.otp.digits]
        assert entry.counter == (record.counter or 0)


google_entries = st.builds(
    dict,
    secret=st.binary(min_size=16, max_size=40),
    name=accounts,
    issuer=st.just("") | accounts,
    algorithm=st.integers(1, 3),
    digits=st.integers(1, 2),
    type=st.integers(1, 2),
    counter=st.integers(0, 2**63 - 1),
)


@settings(max_examples=60)
@given(st.lists(google_entries, max_size=6))
def test_we_read_google_runtime_exports(items: list[dict[str, Any]]) -> None:
    """What Google's runtime writes, we read field for field."""
    message = MigrationPayload(version=1, batch_size=1, batch_id=42)
    for item in items:
        message.otp_parameters.add(**item)

    back = parse_migration_uri(wrap(message.SerializeToString()))

    for item, record in zip(items, back, strict=True):
        assert bytes(record.otp.secret) == item["secret"]
        assert record.account == item["name"]
        assert record.issuer == (item["issuer"] or None)
        assert (
            record.otp.algorithm
            == ["sha1", "sha256", "sha512"][item["algorithm"] - 1]
        )
        assert record.otp.digits == {1: 6, 2: 8}[item["digits"]]
        want = item["counter"] if item["type"] == 1 else None
        assert record.counter == want


def test_export_leaves_out_image_and_extras() -> None:
    """Parameters the format cannot carry are dropped, not refused."""
    record = Provisioning(
        TOTP(RFC_KEY), "a", image="https://e.com/i.png", extra={"x": "1"}
    )

    (back,) = parse_migration_uri(migration_uris([record])[0])

    assert (back.image, dict(back.extra)) == (None, {})


def test_export_of_nothing_is_no_uri() -> None:
    """No records give no URIs."""
    assert migration_uris([]) == []


def test_random_batch_id_is_shared() -> None:
    """Without batch_id, all URIs of one export share a random one."""
    items = [Provisioning(TOTP(RFC_KEY), f"u{n}") for n in range(25)]

    batches = [read_migration_batch(u) for u in migration_uris(items)]

    assert len({b.batch_id for b in batches}) == 1
    assert 0 <= batches[0].batch_id < 2**31


EXPORT_REFUSED: list[Any] = [
    pytest.param(
        [Provisioning(SteamTOTP(RFC_KEY), "a")], {}, "Steam", id="steam"
    ),
    pytest.param(
        [Provisioning(TOTP(RFC_KEY, period=60), "a")],
        {},
        "period",
        id="period-60",
    ),
    pytest.param([Provisioning(TOTP(RFC_KEY, t0=5), "a")], {}, "T0", id="t0"),
    pytest.param(
        [Provisioning(TOTP(RFC_KEY, digits=7), "a")],
        {},
        "6 or 8",
        id="digits-7",
    ),
    pytest.param(
        [Provisioning(HOTP(RFC_KEY), "a", counter=2**63)],
        {},
        "2\\*\\*63",
        id="counter-past-int64",
    ),
    pytest.param(["otpauth://totp/a"], {}, "Provisioning", id="not-a-record"),
    pytest.param(
        [Provisioning(TOTP(RFC_KEY), "a" * 700)],
        {},
        "on its own",
        id="record-too-big",
    ),
    pytest.param([], {"batch_size": 0}, "batch_size", id="batch-size-0"),
    pytest.param([], {"batch_size": True}, "batch_size", id="batch-size-bool"),
    pytest.param([], {"max_length": 10}, "max_length", id="max-length-tiny"),
    pytest.param([], {"max_length": 5000}, "max_length", id="max-length-big"),
    pytest.param([], {"batch_id": -1}, "batch_id", id="batch-id-negative"),
    pytest.param([], {"batch_id": 2**31}, "batch_id", id="batch-id-big"),
]


@pytest.mark.parametrize(("items", "options", "problem"), EXPORT_REFUSED)
def test_export_refuses(
    items: list[Any], options: dict[str, Any], problem: str
) -> None:
    """What the export format cannot carry is refused, naming the record."""
    with pytest.raises(InvalidUriError, match=problem):
        migration_uris(items, **options)


# Several URIs of one export.


def _export(count: int, batch_id: int = 9) -> list[str]:
    items = [Provisioning(TOTP(RFC_KEY), f"user{n}") for n in range(count)]
    return migration_uris(items, batch_size=2, batch_id=batch_id)


def test_batches_are_merged_in_index_order() -> None:
    """URIs in any order give the records in export order."""
    uris = _export(5)

    records = parse_migration_uris([uris[2], uris[0], uris[1]])

    assert [r.account for r in records] == [f"user{n}" for n in range(5)]


def test_a_missing_batch_is_refused() -> None:
    """A gap in the indexes is named."""
    uris = _export(5)

    with pytest.raises(InvalidUriError, match="part 2 of 3 is missing"):
        parse_migration_uris([uris[0], uris[2]])


def test_a_repeated_batch_is_refused() -> None:
    """The same index twice is named."""
    uris = _export(5)

    with pytest.raises(InvalidUriError, match="part 1 of 3 is given twice"):
        parse_migration_uris([uris[0], uris[0], uris[1], uris[2]])


def test_batches_of_different_exports_are_refused() -> None:
    """URIs with different batch ids do not mix."""
    with pytest.raises(InvalidUriError, match="different exports"):
        parse_migration_uris([_export(5, 1)[0], _export(5, 2)[1]])


def test_a_single_string_is_not_a_list_of_uris() -> None:
    """parse_migration_uris refuses a str instead of iterating its chars."""
    with pytest.raises(InvalidUriError, match="parse_migration_uri"):
        parse_migration_uris(_export(1)[0])


def test_no_uris_give_no_records() -> None:
    """An empty list of URIs is an empty list of records."""
    assert parse_migration_uris([]) == []


def test_batch_record_repr_hides_keys() -> None:
    """A batch's repr shows its records without key material."""
    batch = read_migration_batch(wrap(HAND_BUILT))

    assert isinstance(batch, MigrationBatch)
    assert base64.b32encode(RFC_KEY).decode() not in repr(batch)
    assert "JBSWY3DP" not in repr(batch)


def test_lenient_base64_spellings_are_read() -> None:
    """Unpadded and URL-safe base64 read the same payload."""
    raw = base64.b64encode(HAND_BUILT).decode("ascii")
    unpadded = raw.rstrip("=")
    urlsafe = raw.replace("+", "-").replace("/", "_")

    for text in (PREFIX + unpadded, PREFIX + urlsafe):
        assert [r.account for r in parse_migration_uri(text)] == [
            "alice@google.com",
            "bob",
        ]
