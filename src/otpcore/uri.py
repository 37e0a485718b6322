"""otpauth:// provisioning URIs, and Google Authenticator's export format.

A provisioning URI puts a key into an authenticator app, usually through a
QR code. :func:`build_uri` writes one (``TOTP.provisioning_uri`` and
``HOTP.provisioning_uri`` call it), :func:`parse_uri` reads one into a
:class:`Provisioning` record, whose :meth:`~Provisioning.uri` writes it
back. Google Authenticator's export, ``otpauth-migration://offline?...``,
is read by :func:`parse_migration_uri` and :func:`parse_migration_uris`
into the same records, and written by :func:`migration_uris`.

Every error is an :class:`~otpcore.errors.InvalidUriError` whose message
names the part that was wrong and never repeats the secret. When the secret
itself is the problem, the original :class:`~otpcore.errors.InvalidSecretError`
or :class:`~otpcore.errors.WeakSecretError` is the ``__cause__``.

docs/provisioning.md explains the rules each function follows and why.
"""

from otpcore._keyuri import (
    MAX_URI_LENGTH,
    MIGRATION_SCHEME,
    SCHEME,
    OtpType,
    Provisioning,
    build_uri,
    parse_uri,
)
from otpcore._migration import (
    DEFAULT_MIGRATION_BATCH_SIZE,
    DEFAULT_MIGRATION_URI_LENGTH,
    MigrationBatch,
    migration_uris,
    parse_migration_uri,
    parse_migration_uris,
    read_migration_batch,
)

__all__ = [
    "DEFAULT_MIGRATION_BATCH_SIZE",
    "DEFAULT_MIGRATION_URI_LENGTH",
    "MAX_URI_LENGTH",
    "MIGRATION_SCHEME",
    "SCHEME",
    "MigrationBatch",
    "OtpType",
    "Provisioning",
    "build_uri",
    "migration_uris",
    "parse_migration_uri",
    "parse_migration_uris",
    "parse_uri",
    "read_migration_batch",
]
