"""The QR encoder: read back by real decoders, module-equal to segno.

zxing-cpp decodes our symbols; segno, an independent pure-Python encoder,
draws the same symbol module for module when version, level and mask are
forced; its capacity table (ISO/IEC 18004 Table 7) sizes the data.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys

import pytest
import segno
import segno.consts
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

import otpcore.qr
from _qr import decode, read, reference_penalty
from otpcore import OtpError
from otpcore.errors import DataTooLongError, InvalidQrParameterError, QrError
from otpcore.qr import QrCode, encode

LEVELS = "LMQH"
VERSIONS = range(1, 41)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URIS = {
    "plain": (
        "otpauth://totp/Example%20Co:alice%40example.com"
        f"?secret={SECRET}&issuer=Example%20Co"
    ),
    "all-params": (
        "otpauth://totp/Example%20Co:a.very.long.account.name.for.testing"
        "%40subdomain.example.com"
        f"?secret={SECRET}&issuer=Example%20Co&algorithm=SHA256&digits=8"
        "&period=60"
    ),
    "hotp": f"otpauth://hotp/bob?secret={SECRET[:16]}&counter=42",
}
# ISO/IEC 18004:2015 Table 7: what version 40 holds at each level.
VERSION_40_CAPACITY = {
    "L": {"numeric": 7089, "alphanumeric": 4296, "byte": 2953},
    "M": {"numeric": 5596, "alphanumeric": 3391, "byte": 2331},
    "Q": {"numeric": 3993, "alphanumeric": 2420, "byte": 1663},
    "H": {"numeric": 3057, "alphanumeric": 1852, "byte": 1273},
}
SEGNO_LEVEL = {
    "L": segno.consts.ERROR_LEVEL_L,
    "M": segno.consts.ERROR_LEVEL_M,
    "Q": segno.consts.ERROR_LEVEL_Q,
    "H": segno.consts.ERROR_LEVEL_H,
}
# Clause 7.4.2, Table 3: character count widths for versions 1-9, 10-26
# and 27-40.
COUNT_BITS = {
    "numeric": (10, 12, 14),
    "alphanumeric": (9, 11, 13),
    "byte": (8, 16, 16),
}
ALPHANUMERIC = string.digits + string.ascii_uppercase + " $%*+-./:"
URI_CHARACTERS = string.ascii_letters + string.digits + "%:/?=&.-_"
# Text that every encoder puts in a single byte-mode segment: no digits or
# upper-case runs for a mixed-mode encoder to split off.
BYTE_ONLY = string.ascii_lowercase + "%:/?=&."


def capacity(version: int, level: str, mode: str) -> int:
    """Return how many characters of ``mode`` fit a version and level.

    segno tabulates the data bits of Table 7; the header and the bits per
    character are clause 7.4's.
    """
    bits = segno.consts.SYMBOL_CAPACITY[version][SEGNO_LEVEL[level]]
    width = COUNT_BITS[mode][0 if version <= 9 else 1 if version <= 26 else 2]
    room = bits - 4 - width
    if mode == "byte":
        fit = room // 8
    elif mode == "alphanumeric":
        fit = 2 * (room // 11) + (room % 11 >= 6)
    else:
        fit = 3 * (room // 10) + (room % 10 >= 4) + (room % 10 >= 7)
    return min(fit, 2**width - 1)


def sample(alphabet: str, length: int, seed: str) -> str:
    """Return reproducible random text of ``length`` from ``alphabet``."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def segno_modules(
    data: str, version: int, level: str, mask: int, mode: str
) -> tuple[tuple[bool, ...], ...]:
    """Return segno's symbol for the same forced parameters."""
    symbol = segno.make(
        data,
        version=version,
        error=level.lower(),
        mask=mask,
        mode=mode,
        micro=False,
        boost_error=False,
    )
    return tuple(tuple(bool(m) for m in row) for row in symbol.matrix)


# Real decoders.


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"v{v:02}")
def test_every_version_and_level_decodes(version: int, level: str) -> None:
    """A symbol filled to its byte capacity reads back in zxing-cpp."""
    data = sample(URI_CHARACTERS, capacity(version, level, "byte"), "fill")

    qr = QrCode.encode(data, level, version=version)
    decoded = decode(qr.modules)

    assert decoded.text == data
    assert (decoded.version, decoded.ecc) == (version, level)
    assert decoded.mask == qr.mask


@pytest.mark.parametrize(
    ("mode", "alphabet", "version", "level"),
    [
        ("numeric", string.digits, 1, "H"),
        ("numeric", string.digits, 9, "M"),
        ("numeric", string.digits, 10, "L"),
        ("numeric", string.digits, 27, "Q"),
        ("alphanumeric", ALPHANUMERIC, 1, "L"),
        ("alphanumeric", ALPHANUMERIC, 9, "Q"),
        ("alphanumeric", ALPHANUMERIC, 10, "H"),
        ("alphanumeric", ALPHANUMERIC, 27, "M"),
    ],
    ids=str,
)
def test_numeric_and_alphanumeric_data_decodes(
    mode: str, alphabet: str, version: int, level: str
) -> None:
    """Digits and upper-case text take their compact modes and read back."""
    data = sample(alphabet, capacity(version, level, mode), mode)

    qr = QrCode.encode(data, level)
    decoded = decode(qr.modules)

    assert qr.mode == mode
    assert qr.version == version
    assert decoded.text == data


@pytest.mark.parametrize(
    ("data", "mode"),
    [
        ("0123456789", "numeric"),
        ("OTPAUTH://TOTP/ALICE", "alphanumeric"),
        ("otpauth://totp/alice", "byte"),
        (b"\x00\xff", "byte"),
        (b"12345", "numeric"),
    ],
    ids=["digits", "upper-case", "lower-case", "binary", "digit-bytes"],
)
def test_mode_is_the_most_compact_that_carries_all(
    data: str | bytes, mode: str
) -> None:
    """Digits go numeric, the 45 alphanumeric characters alphanumeric."""
    qr = QrCode.encode(data)

    assert qr.mode == mode
    expected = data if isinstance(data, bytes) else data.encode()
    assert decode(qr.modules).content == expected


@pytest.mark.parametrize("uri", URIS.values(), ids=URIS.keys())
def test_otpauth_uris_read_back(uri: str) -> None:
    """Typical otpauth URIs at the default level read back unchanged."""
    qr = encode(uri)

    assert qr.ecc == "M"
    assert decode(qr.modules).text == uri


@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=1, max_size=300))
def test_arbitrary_text_round_trips(text: str) -> None:
    """Any text comes back from zxing-cpp as the same UTF-8 bytes."""
    qr = QrCode.encode(text, "L")

    decoded = decode(qr.modules)

    assert decoded.content == text.encode("utf-8")
    assert decoded.content.decode("utf-8") == text


# Equal to segno, module for module.
#
# segno 1.6 adds a zero codeword where the bit stream ends on a codeword
# boundary with room to spare, a known bug of its own; clause 7.4.10 adds
# pad codewords only. Data that fills the symbol leaves no room for that
# extra codeword, so the symbols can be compared exactly.


SEGNO_CASES = [
    # Every version once, the level and mask turning with it.
    *((v, LEVELS[v % 4], v % 8) for v in VERSIONS),
    # Every level and mask at version 7, the first with version information.
    *((7, level, mask) for level in LEVELS for mask in range(8)),
]


@pytest.mark.parametrize(
    ("version", "level", "mask"),
    SEGNO_CASES,
    ids=[f"v{v:02}-{level}-mask{m}" for v, level, m in SEGNO_CASES],
)
def test_byte_mode_symbol_equals_segno(
    version: int, level: str, mask: int
) -> None:
    """With version, level and mask forced, every module is segno's."""
    length = capacity(version, level, "byte")
    data = sample(URI_CHARACTERS, length, f"{version}{level}{mask}")

    ours = QrCode.encode(data, level, version=version, mask=mask).modules

    assert ours == segno_modules(data, version, level, mask, "byte")


@pytest.mark.parametrize(
    ("mode", "alphabet", "version", "level", "mask"),
    [
        ("numeric", string.digits, 1, "M", 3),
        ("numeric", string.digits, 12, "Q", 6),
        ("numeric", string.digits, 30, "H", 1),
        ("alphanumeric", ALPHANUMERIC, 2, "L", 4),
        ("alphanumeric", ALPHANUMERIC, 13, "H", 7),
        ("alphanumeric", ALPHANUMERIC, 28, "M", 0),
    ],
    ids=str,
)
def test_compact_mode_symbol_equals_segno(
    mode: str, alphabet: str, version: int, level: str, mask: int
) -> None:
    """Numeric and alphanumeric bit streams are segno's too."""
    length = capacity(version, level, mode)
    data = sample(alphabet, length, mode)

    qr = QrCode.encode(data, level, version=version, mask=mask, mode=mode)

    assert qr.modules == segno_modules(data, version, level, mask, mode)


# Shape, version and mask choice.


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400), level=st.sampled_from(LEVELS))
def test_size_follows_the_version(data: bytes, level: str) -> None:
    """A symbol is 17 + 4 * version modules a side, in every row."""
    qr = QrCode.encode(data, level)

    assert qr.size == 17 + 4 * qr.version
    assert len(qr.modules) == qr.size
    assert all(len(row) == qr.size for row in qr.modules)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(min_size=1, max_size=400), level=st.sampled_from(LEVELS))
def test_version_is_the_smallest_that_fits(data: bytes, level: str) -> None:
    """The version below the chosen one cannot hold the data."""
    qr = QrCode.encode(data, level)

    if qr.version > 1:
        with pytest.raises(DataTooLongError):
            QrCode.encode(data, level, version=qr.version - 1)
    assert QrCode.encode(data, level, version=qr.version).modules == qr.modules


@settings(max_examples=10, deadline=None)
@given(
    text=st.text(alphabet=URI_CHARACTERS, min_size=1, max_size=80),
    level=st.sampled_from(LEVELS),
)
def test_auto_mask_has_the_lowest_penalty(text: str, level: str) -> None:
    """The chosen mask scores lowest of the eight, the first on a tie."""
    chosen = QrCode.encode(text, level)

    scores = [
        reference_penalty(
            QrCode.encode(text, level, version=chosen.version, mask=m).modules
        )
        for m in range(8)
    ]

    assert chosen.mask == scores.index(min(scores))


@settings(max_examples=30, deadline=None)
@given(
    text=st.text(alphabet=BYTE_ONLY, min_size=1, max_size=300),
    level=st.sampled_from(LEVELS),
)
def test_auto_mask_agrees_with_zxing_cpp_writer(text: str, level: str) -> None:
    """zxing-cpp's own encoder picks the same version and mask."""
    theirs = zxingcpp.create_barcode(
        text, zxingcpp.BarcodeFormat.QRCode, ec_level=level
    )
    ours = QrCode.encode(text, level)

    (read_back,) = read(theirs.to_image(scale=2))

    assert read_back.text == text
    assert (read_back.version, read_back.mask) == (ours.version, ours.mask)


# Refusals.


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("mode", ["numeric", "alphanumeric", "byte"])
def test_version_40_holds_exactly_its_capacity(level: str, mode: str) -> None:
    """Table 7's capacity fits version 40; one character more is refused."""
    alphabet = {
        "numeric": string.digits,
        "alphanumeric": ALPHANUMERIC,
        "byte": string.ascii_lowercase,
    }[mode]
    limit = VERSION_40_CAPACITY[level][mode]
    data = sample(alphabet, limit + 1, "limit")

    assert QrCode.encode(data[:limit], level).version == 40
    with pytest.raises(DataTooLongError) as raised:
        QrCode.encode(data, level)

    message = str(raised.value)
    assert f"level {level}" in message
    assert "version 40" in message
    assert message.startswith(f"data: {limit + 1} ")
    assert f"holds at most {limit} " in message
    assert data[:20] not in message


def test_forced_version_too_small_is_refused() -> None:
    """Data for version 7 does not go into a forced version 5."""
    with pytest.raises(DataTooLongError, match=r"version 5 at level M"):
        QrCode.encode(URIS["plain"], version=5)


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("ecc", "X"),
        ("ecc", ""),
        ("ecc", "LM"),
        ("ecc", 1),
        ("ecc", None),
        ("version", 0),
        ("version", 41),
        ("version", -1),
        ("version", "7"),
        ("version", 7.0),
        ("version", True),
        ("mask", -1),
        ("mask", 8),
        ("mask", "1"),
        ("mask", 1.5),
        ("mask", False),
        ("mode", "kanji"),
        ("mode", 4),
        ("mode", "numeric"),
    ],
    ids=repr,
)
def test_bad_parameters_are_refused_by_name(
    parameter: str, value: object
) -> None:
    """Each bad ecc, version, mask or mode names the parameter."""
    arguments: dict[str, object] = {"ecc": "M"} | {parameter: value}

    with pytest.raises(InvalidQrParameterError) as raised:
        QrCode.encode("otpauth://totp/alice", **arguments)  # type: ignore[arg-type]

    assert raised.value.parameter == parameter
    assert str(raised.value).startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    "data",
    [123, None, ["a"], "\ud800"],
    ids=["int", "None", "list", "surrogate"],
)
def test_data_that_is_not_text_or_bytes_is_refused(data: object) -> None:
    """Only str (as UTF-8) and bytes are encoded."""
    with pytest.raises(InvalidQrParameterError) as raised:
        QrCode.encode(data)  # type: ignore[arg-type]

    assert raised.value.parameter == "data"


def test_errors_belong_to_the_hierarchy() -> None:
    """QR errors are QrError, OtpError and ValueError."""
    assert issubclass(InvalidQrParameterError, QrError)
    assert issubclass(DataTooLongError, QrError)
    assert issubclass(QrError, OtpError)
    assert issubclass(QrError, ValueError)


def test_level_and_mode_names_ignore_case() -> None:
    """``ecc="q"`` and ``mode="BYTE"`` mean level Q and byte mode."""
    qr = QrCode.encode("12345", "q", mode="BYTE")

    assert (qr.ecc, qr.mode) == ("Q", "byte")


# Secrets stay out of sight.


@pytest.mark.parametrize("uri", URIS.values(), ids=URIS.keys())
def test_repr_shows_no_data(uri: str) -> None:
    """The repr shows version, level, mask, mode and size, never the URI."""
    qr = QrCode.encode(uri)

    for shown in (repr(qr), str(qr)):
        assert SECRET[:16] not in shown
        assert "otpauth" not in shown
    assert repr(qr) == (
        f"<QrCode version={qr.version} ecc=M mask={qr.mask} mode=byte "
        f"size={qr.size}>"
    )


@settings(max_examples=30, deadline=None)
@given(
    secret=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16)
)
def test_repr_never_contains_the_secret(secret: str) -> None:
    """No secret, of any length, appears in a symbol's repr."""
    qr = QrCode.encode(f"otpauth://totp/a?secret={secret}")

    assert secret not in repr(qr)


def test_symbol_is_immutable() -> None:
    """Attributes cannot be reassigned after encoding."""
    qr = QrCode.encode(URIS["plain"])

    with pytest.raises(AttributeError):
        qr.version = 1  # type: ignore[misc]


def test_package_all_resolves() -> None:
    """otpcore.qr exports every name in its __all__, each once."""
    exported = otpcore.qr.__all__

    assert len(exported) == len(set(exported))
    assert all(hasattr(otpcore.qr, name) for name in exported)


def test_encoder_imports_only_the_standard_library() -> None:
    """Importing otpcore.qr in a fresh interpreter loads nothing else."""
    script = (
        "import json, sys; before = set(sys.modules); import otpcore.qr; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    loaded = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert "otpcore" in loaded
    assert loaded - {"otpcore"} <= set(sys.stdlib_module_names)
