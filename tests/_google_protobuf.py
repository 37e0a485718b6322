"""Google's own protobuf runtime, loaded with the export schema, as an oracle.

The schema is the one Aegis publishes (app/src/main/proto/google_auth.proto)
for Google Authenticator's export, built at run time from a descriptor so
that no generated code or protoc is needed. Enum fields are declared as
int32, which has the same wire encoding and lets the tests write values the
schema does not define.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_FIELD = descriptor_pb2.FieldDescriptorProto


def _schema() -> descriptor_pb2.FileDescriptorProto:
    schema = descriptor_pb2.FileDescriptorProto(
        name="otpcore_migration_oracle.proto",
        package="oracle",
        syntax="proto3",
    )
    payload = schema.message_type.add(name="MigrationPayload")
    payload.field.add(
        name="otp_parameters",
        number=1,
        type=_FIELD.TYPE_MESSAGE,
        label=_FIELD.LABEL_REPEATED,
        type_name=".oracle.MigrationPayload.OtpParameters",
    )
    for number, name in enumerate(
        ("version", "batch_size", "batch_index", "batch_id"), start=2
    ):
        payload.field.add(
            name=name,
            number=number,
            type=_FIELD.TYPE_INT32,
            label=_FIELD.LABEL_OPTIONAL,
        )
    entry = payload.nested_type.add(name="OtpParameters")
    for number, name, kind in (
        (1, "secret", _FIELD.TYPE_BYTES),
        (2, "name", _FIELD.TYPE_STRING),
        (3, "issuer", _FIELD.TYPE_STRING),
        (4, "algorithm", _FIELD.TYPE_INT32),
        (5, "digits", _FIELD.TYPE_INT32),
        (6, "type", _FIELD.TYPE_INT32),
        (7, "counter", _FIELD.TYPE_INT64),
    ):
        entry.field.add(
            name=name, number=number, type=kind, label=_FIELD.LABEL_OPTIONAL
        )
    return schema


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_schema())

#: The MigrationPayload message class of Google's runtime.
MigrationPayload: Any = message_factory.GetMessageClass(
    _POOL.FindMessageTypeByName("oracle.MigrationPayload")
)
