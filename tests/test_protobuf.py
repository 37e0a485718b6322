"""The protobuf wire format: the encoding guide and Google's runtime."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _google_protobuf import MigrationPayload
from otpcore import _protobuf as pb
from otpcore.errors import InvalidUriError

# The encoding guide's worked varints: 1, 150 and 300.
# https://protobuf.dev/programming-guides/encoding/#varints
GUIDE_VARINTS = [
    pytest.param(1, "01", id="one"),
    pytest.param(150, "9601", id="150"),
    pytest.param(300, "ac02", id="300"),
    pytest.param(0, "00", id="zero"),
    pytest.param(2**64 - 1, "ffffffffffffffffff01", id="uint64-max"),
    pytest.param(-1, "ffffffffffffffffff01", id="minus-one-int64"),
]


@pytest.mark.parametrize(("value", "encoded"), GUIDE_VARINTS)
def test_encode_varint_matches_the_encoding_guide(
    value: int, encoded: str
) -> None:
    """Varints are written as the encoding guide spells them."""
    assert pb.encode_varint(value).hex() == encoded


def test_a_field_of_150_reads_as_in_the_encoding_guide() -> None:
    """The guide's message "08 96 01" is field 1, varint 150."""
    fields = pb.parse_fields(bytes.fromhex("089601"))

    assert fields == [pb.Field(1, pb.WIRE_VARINT, 150)]


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varint_round_trips(value: int) -> None:
    """Every 64-bit value written as a varint field reads back the same."""
    fields = pb.parse_fields(pb.field_varint(5, value))

    assert fields == [pb.Field(5, pb.WIRE_VARINT, value)]


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_signed64_reads_back_negative_int64(value: int) -> None:
    """A negative int64 is read back through its 64-bit two's complement."""
    (field,) = pb.parse_fields(pb.field_varint(7, value))

    assert isinstance(field.value, int)
    assert pb.signed64(field.value) == value


@given(st.binary(max_size=300), st.integers(1, pb.MAX_FIELD_NUMBER))
def test_bytes_field_round_trips(value: bytes, number: int) -> None:
    """A length-delimited field of any length and number reads back."""
    fields = pb.parse_fields(pb.field_bytes(number, value))

    assert fields == [pb.Field(number, pb.WIRE_LENGTH, value)]


def test_every_wire_type_is_read_in_order() -> None:
    """Varint, fixed64, bytes, a group and fixed32 are split correctly."""
    data = bytes.fromhex(
        "082a"  # field 1, varint 42
        "110102030405060708"  # field 2, fixed64 (little-endian)
        "1a03616263"  # field 3, bytes "abc"
        "23"
        "2807"
        "24"  # field 4, a group holding field 5 = 7
        "350a000000"  # field 6, fixed32 10
    )

    fields = pb.parse_fields(data)

    assert fields == [
        pb.Field(1, pb.WIRE_VARINT, 42),
        pb.Field(2, pb.WIRE_FIXED64, 0x0807060504030201),
        pb.Field(3, pb.WIRE_LENGTH, b"abc"),
        pb.Field(4, pb.WIRE_START_GROUP, bytes.fromhex("2807")),
        pb.Field(6, pb.WIRE_FIXED32, 10),
    ]


def test_nested_groups_are_skipped_whole() -> None:
    """A group inside a group closes at its own end marker."""
    data = bytes.fromhex("0b130801140c1001")

    fields = pb.parse_fields(data)

    assert [(f.number, f.wire_type) for f in fields] == [
        (1, pb.WIRE_START_GROUP),
        (2, pb.WIRE_VARINT),
    ]


def test_the_field_repr_hides_bytes() -> None:
    """A field's repr gives the size of a bytes value, not the bytes."""
    field = pb.Field(1, pb.WIRE_LENGTH, b"secret key bytes")

    assert "secret" not in repr(field)
    assert "16 bytes" in repr(field)


MALFORMED = [
    pytest.param("08", "cut off", id="varint-value-truncated"),
    pytest.param("0880", "cut off", id="varint-continuation-at-end"),
    pytest.param("08" + "ff" * 10 + "01", "longer than 10", id="varint-11"),
    pytest.param("08" + "ff" * 9 + "02", "exceeds 64 bits", id="varint-65"),
    pytest.param("80", "cut off", id="key-truncated"),
    pytest.param("0a05616263", "claims 5 bytes", id="length-past-end"),
    pytest.param("0aff", "cut off", id="length-varint-truncated"),
    pytest.param("090102", "cut off", id="fixed64-truncated"),
    pytest.param("0d0102", "cut off", id="fixed32-truncated"),
    pytest.param("0001", "field number 0", id="field-number-zero"),
    pytest.param("0e", "wire type 6", id="wire-type-6"),
    pytest.param("0f", "wire type 7", id="wire-type-7"),
    pytest.param("0c", "closes no group", id="end-group-alone"),
    pytest.param("0b0801", "not closed", id="group-not-closed"),
    pytest.param("0b14", "closed by an end-group", id="group-wrong-end"),
    pytest.param("0b" * 40 + "0c" * 40, "nested deeper", id="groups-too-deep"),
]


@pytest.mark.parametrize(("hexdata", "problem"), MALFORMED)
def test_malformed_messages_are_refused(hexdata: str, problem: str) -> None:
    """Each malformed message raises InvalidUriError saying what broke."""
    with pytest.raises(InvalidUriError, match=problem):
        pb.parse_fields(bytes.fromhex(hexdata))


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_else(data: bytes) -> None:
    """Random input parses or raises InvalidUriError, never IndexError."""
    try:
        fields = pb.parse_fields(data)
    except InvalidUriError:
        return
    assert all(1 <= f.number <= pb.MAX_FIELD_NUMBER for f in fields)


@pytest.mark.parametrize(
    "value", [2**64, -(2**63) - 1], ids=["too-big", "too-small"]
)
def test_encode_varint_refuses_values_beyond_64_bits(value: int) -> None:
    """A value no varint can hold is refused."""
    with pytest.raises(InvalidUriError, match="varint holds"):
        pb.encode_varint(value)


@pytest.mark.parametrize(
    "number", [0, pb.MAX_FIELD_NUMBER + 1], ids=["zero", "too-big"]
)
def test_field_numbers_out_of_range_are_refused(number: int) -> None:
    """Writing a field number outside 1 to 2**29 - 1 is refused."""
    with pytest.raises(InvalidUriError, match="field numbers run"):
        pb.field_varint(number, 1)


entries = st.builds(
    dict,
    secret=st.binary(max_size=64),
    name=st.text(max_size=40),
    issuer=st.text(max_size=40),
    algorithm=st.integers(-(2**31), 2**31 - 1),
    digits=st.integers(0, 3),
    type=st.integers(0, 2),
    counter=st.integers(-(2**63), 2**63 - 1),
)


@given(st.lists(entries, max_size=4), st.integers(-(2**31), 2**31 - 1))
def test_google_serialised_messages_read_field_for_field(
    items: list[dict[str, object]], batch_id: int
) -> None:
    """What Google's runtime writes, parse_fields splits into its fields."""
    message = MigrationPayload(version=1, batch_id=batch_id)
    for item in items:
        message.otp_parameters.add(**item)

    fields = pb.parse_fields(message.SerializeToString())

    entries_read = [f.value for f in fields if f.number == 1]
    assert entries_read == [
        entry.SerializeToString() for entry in message.otp_parameters
    ]
    ids = [f.value for f in fields if f.number == 5]
    expected = [] if batch_id == 0 else [batch_id]
    assert [pb.signed64(v) for v in ids if isinstance(v, int)] == expected


@given(st.integers(0, 2**31 - 1), st.binary(max_size=64), st.text())
def test_our_fields_are_read_by_google_runtime(
    version: int, secret: bytes, name: str
) -> None:
    """What field_varint and field_bytes write, Google's runtime reads."""
    entry = pb.field_bytes(1, secret) + pb.field_bytes(2, name.encode())
    data = pb.field_bytes(1, entry) + pb.field_varint(2, version)

    message = MigrationPayload.FromString(data)

    assert message.version == version
    assert message.otp_parameters[0].secret == secret
    assert message.otp_parameters[0].name == name
