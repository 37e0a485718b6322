"""Just enough of the protocol buffers wire format for an export payload.

Google Authenticator's export (``otpauth-migration://``) carries a protobuf
message. Reading it needs no schema compiler: a message is a sequence of
fields, each a varint key ``(number << 3) | wire_type`` followed by a value
whose extent the wire type alone determines. This module splits a message
into those fields, skipping none, so the caller can pick the fields it knows
and ignore the rest; and it writes the two kinds of field the export uses.

Input here is untrusted (it comes from a scanned QR code), so every read is
bounds-checked: a truncated varint, a length running past the end or a
malformed key raises :class:`~otpcore.errors.InvalidUriError` with the byte
offset, never an ``IndexError``. Messages say where the payload broke, never
what it held.

Reference: https://protobuf.dev/programming-guides/encoding/
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from otpcore.errors import InvalidUriError

__all__ = [
    "MAX_FIELD_NUMBER",
    "WIRE_END_GROUP",
    "WIRE_FIXED32",
    "WIRE_FIXED64",
    "WIRE_LENGTH",
    "WIRE_START_GROUP",
    "WIRE_VARINT",
    "Field",
    "encode_varint",
    "field_bytes",
    "field_varint",
    "parse_fields",
    "signed64",
]

# The encoding guide, "Message Structure": the six wire types.
WIRE_VARINT: Final = 0
WIRE_FIXED64: Final = 1
WIRE_LENGTH: Final = 2
WIRE_START_GROUP: Final = 3
WIRE_END_GROUP: Final = 4
WIRE_FIXED32: Final = 5

#: Field numbers are 29 bits wide (the language guide, "Assigning Field
#: Numbers"); 0 is never valid.
MAX_FIELD_NUMBER: Final = 2**29 - 1

# A varint carries 7 bits a byte; 64 bits need at most ten bytes.
_VARINT_BITS: Final = 7
_VARINT_MORE: Final = 0x80
_VARINT_LOW: Final = 0x7F
_MAX_VARINT_BYTES: Final = 10
_UINT64_LIMIT: Final = 2**64
_INT64_LIMIT: Final = 2**63
_WIRE_TYPE_BITS: Final = 3
_WIRE_TYPE_MASK: Final = 0x07
_FIXED_SIZES: Final = {WIRE_FIXED64: 8, WIRE_FIXED32: 4}
# Groups are deprecated but still skippable by wire type; a bound on their
# nesting keeps a hostile payload from forcing deep recursion.
_MAX_GROUP_DEPTH: Final = 32


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message, as it appeared on the wire.

    Attributes:
        number: The field number from the schema.
        wire_type: One of the ``WIRE_*`` constants.
        value: The unsigned value of a varint or fixed-width field, or the
            bytes of a length-delimited field or a group's contents.
    """

    number: int
    wire_type: int
    value: int | bytes

    def __repr__(self) -> str:
        # The value may be key material (the export's secret field).
        size = (
            f"{len(self.value)} bytes"
            if isinstance(self.value, bytes)
            else "an integer"
        )
        return (
            f"Field(number={self.number}, wire_type={self.wire_type}, "
            f"value=<{size}>)"
        )


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Return the varint starting at ``pos`` and the offset after it."""
    result = 0
    for index in range(_MAX_VARINT_BYTES):
        if pos + index >= len(data):
            raise InvalidUriError(
                f"payload: a varint starting at byte {pos} is cut off by the "
                "end of the data"
            )
        byte = data[pos + index]
        result |= (byte & _VARINT_LOW) << (_VARINT_BITS * index)
        if not byte & _VARINT_MORE:
            if result >= _UINT64_LIMIT:
                raise InvalidUriError(
                    f"payload: the varint at byte {pos} exceeds 64 bits"
                )
            return result, pos + index + 1
    raise InvalidUriError(
        f"payload: the varint at byte {pos} is longer than "
        f"{_MAX_VARINT_BYTES} bytes"
    )


def _read_key(data: bytes, pos: int) -> tuple[int, int, int]:
    """Return the field number and wire type at ``pos``, and the offset."""
    key, after = _read_varint(data, pos)
    number = key >> _WIRE_TYPE_BITS
    wire_type = key & _WIRE_TYPE_MASK
    if not 1 <= number <= MAX_FIELD_NUMBER:
        raise InvalidUriError(
            f"payload: the field key at byte {pos} has field number "
            f"{number}; field numbers run from 1 to {MAX_FIELD_NUMBER}"
        )
    return number, wire_type, after


def _read_value(
    data: bytes, pos: int, number: int, wire_type: int, depth: int
) -> tuple[int | bytes, int]:
    """Return the value of a field whose key ended at ``pos``."""
    if wire_type == WIRE_VARINT:
        return _read_varint(data, pos)
    if wire_type == WIRE_LENGTH:
        length, start = _read_varint(data, pos)
        end = start + length
        if end > len(data):
            raise InvalidUriError(
                f"payload: field {number} at byte {pos} claims {length} bytes"
                f" but only {len(data) - start} remain"
            )
        return data[start:end], end
    if wire_type in _FIXED_SIZES:
        end = pos + _FIXED_SIZES[wire_type]
        if end > len(data):
            raise InvalidUriError(
                f"payload: fixed-width field {number} at byte {pos} is cut "
                "off by the end of the data"
            )
        return int.from_bytes(data[pos:end], "little"), end
    if wire_type == WIRE_START_GROUP:
        end, after = _skip_group(data, pos, number, depth + 1)
        return data[pos:end], after
    if wire_type == WIRE_END_GROUP:
        raise InvalidUriError(
            f"payload: an end-group marker for field {number} at byte {pos}"
            " closes no group"
        )
    raise InvalidUriError(
        f"payload: field {number} before byte {pos} has wire type "
        f"{wire_type}; only 0 to 5 exist"
    )


def _skip_group(
    data: bytes, pos: int, number: int, depth: int
) -> tuple[int, int]:
    """Find the end-group key that closes group ``number``.

    Returns:
        Where the group's contents stop, and the offset after the key.
    """
    if depth > _MAX_GROUP_DEPTH:
        raise InvalidUriError(
            f"payload: groups are nested deeper than {_MAX_GROUP_DEPTH}"
        )
    while pos < len(data):
        inner, wire_type, after = _read_key(data, pos)
        if wire_type == WIRE_END_GROUP:
            if inner != number:
                raise InvalidUriError(
                    f"payload: group {number} is closed by an end-group "
                    f"marker for field {inner} at byte {pos}"
                )
            return pos, after
        _, pos = _read_value(data, after, inner, wire_type, depth)
    raise InvalidUriError(
        f"payload: group {number} is not closed before the end of the data"
    )


def parse_fields(data: bytes) -> list[Field]:
    """Split a message into its fields, in wire order, skipping none.

    Groups (wire types 3 and 4) are returned as one field whose value is the
    raw bytes of their contents, so a caller that does not know them can
    ignore them as it ignores any other unknown field.

    Args:
        data: The serialised message.

    Returns:
        The fields in the order they appear; a field number may repeat.

    Raises:
        InvalidUriError: The data is not a well-formed message.
    """
    fields: list[Field] = []
    pos = 0
    while pos < len(data):
        number, wire_type, after = _read_key(data, pos)
        value, pos = _read_value(data, after, number, wire_type, 0)
        fields.append(Field(number, wire_type, value))
    return fields


def signed64(value: int) -> int:
    """Read an unsigned 64-bit varint value as the int64 it encodes.

    ``int32`` and ``int64`` fields store negative numbers in two's
    complement over 64 bits (the encoding guide, "Signed Integers").
    """
    return value - _UINT64_LIMIT if value >= _INT64_LIMIT else value


def encode_varint(value: int) -> bytes:
    """Return ``value`` as a varint, a negative one in two's complement.

    Raises:
        InvalidUriError: ``value`` does not fit in 64 bits.
    """
    if not -_INT64_LIMIT <= value < _UINT64_LIMIT:
        raise InvalidUriError(
            "payload: a varint holds -2**63 to 2**64 - 1, got a value "
            "outside that range"
        )
    value %= _UINT64_LIMIT
    out = bytearray()
    while value > _VARINT_LOW:
        out.append((value & _VARINT_LOW) | _VARINT_MORE)
        value >>= _VARINT_BITS
    out.append(value)
    return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    if not 1 <= number <= MAX_FIELD_NUMBER:
        raise InvalidUriError(
            f"payload: field numbers run from 1 to {MAX_FIELD_NUMBER}, "
            f"got {number}"
        )
    return encode_varint(number << _WIRE_TYPE_BITS | wire_type)


def field_varint(number: int, value: int) -> bytes:
    """Return a varint field (``int32``, ``int64``, ``bool`` or an enum)."""
    return _key(number, WIRE_VARINT) + encode_varint(value)


def field_bytes(number: int, value: bytes) -> bytes:
    """Return a length-delimited field: bytes, a string or a message."""
    return _key(number, WIRE_LENGTH) + encode_varint(len(value)) + bytes(value)
