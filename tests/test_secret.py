"""Shared secrets: generation, base32 in and out, and hidden key material."""

from __future__ import annotations

import base64
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpcore import InvalidSecretError, OtpError, Secret, WeakSecretError
from otpcore.secret import (
    DEFAULT_SECRET_BYTES,
    MIN_SECRET_BYTES,
    MIN_WEAK_SECRET_BYTES,
)

RFC_KEY = b"12345678901234567890"
RFC_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

keys = st.binary(min_size=1, max_size=100)
# Long enough that its hex or base32 cannot turn up in a short repr by
# chance; the length policy of HOTP and TOTP starts at 10 bytes too.
realistic_keys = st.binary(min_size=MIN_WEAK_SECRET_BYTES, max_size=100)


def leaks(text: str, key: bytes) -> bool:
    """Return whether ``text`` shows ``key`` in any form a log would."""
    b32 = base64.b32encode(key).decode("ascii").rstrip("=")
    forms = {key.hex(), key.hex().upper(), b32, b32.lower(), repr(key)}
    forms.add(key.decode("latin-1"))
    return any(form in text for form in forms)


# Generation.


def test_generate_defaults_to_160_bits() -> None:
    """A generated secret has 20 bytes, as RFC 4226 R6 recommends."""
    secret = Secret.generate()

    assert len(secret) == DEFAULT_SECRET_BYTES == 20
    assert secret.bits == 160
    assert len(bytes(secret)) == 20


def test_generate_gives_a_new_key_each_time() -> None:
    """Two generated secrets differ (160 random bits each)."""
    assert Secret.generate() != Secret.generate()


@pytest.mark.parametrize("nbytes", [16, 32, 64], ids=lambda n: f"{n}-bytes")
def test_generate_accepts_128_bits_and_more(nbytes: int) -> None:
    """Any length from 128 bits up can be generated."""
    assert len(Secret.generate(nbytes)) == nbytes


@pytest.mark.parametrize(
    "nbytes", [MIN_SECRET_BYTES - 1, 10, 1, 0, -1], ids=lambda n: f"{n}"
)
def test_generate_refuses_fewer_than_128_bits(nbytes: int) -> None:
    """A generated key is never weak, even when asked (RFC 4226 R6)."""
    with pytest.raises(WeakSecretError, match=r"^nbytes: .*128 bits"):
        Secret.generate(nbytes)


@pytest.mark.parametrize(
    "nbytes",
    [
        pytest.param(20.0, id="float"),
        pytest.param("20", id="str"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
    ],
)
def test_generate_refuses_a_length_that_is_not_an_int(nbytes: object) -> None:
    """The length must be an int, not something that compares like one."""
    with pytest.raises(InvalidSecretError, match=r"^nbytes: "):
        Secret.generate(nbytes)  # type: ignore[arg-type]


# Construction from bytes.


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(RFC_KEY, id="bytes"),
        pytest.param(bytearray(RFC_KEY), id="bytearray"),
        pytest.param(memoryview(RFC_KEY), id="memoryview"),
    ],
)
def test_secret_takes_any_bytes_like(raw: bytes) -> None:
    """Bytes, bytearray and memoryview all give the same immutable key."""
    secret = Secret(raw)

    assert bytes(secret) == RFC_KEY
    assert type(bytes(secret)) is bytes


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"", r"^secret: the key is empty", id="empty"),
        pytest.param(RFC_B32, r"^secret: .*from_b32", id="base32-text"),
        pytest.param(None, r"^secret: .*NoneType", id="none"),
        pytest.param(12345, r"^secret: .*int", id="int"),
        pytest.param([1, 2, 3], r"^secret: .*list", id="list"),
    ],
)
def test_secret_refuses_what_is_not_a_key(raw: object, message: str) -> None:
    """Text, empty keys and other types are refused with a clear message."""
    with pytest.raises(InvalidSecretError, match=message) as caught:
        Secret(raw)  # type: ignore[arg-type]

    assert RFC_B32 not in str(caught.value)


def test_a_bytearray_key_is_copied() -> None:
    """Changing the bytearray afterwards does not change the secret."""
    raw = bytearray(RFC_KEY)
    secret = Secret(raw)

    raw[0] ^= 0xFF

    assert bytes(secret) == RFC_KEY


# Base32 in and out.


@pytest.mark.parametrize(
    ("raw", "b32"),
    [
        # RFC 4648 section 10, the base32 test vectors (the empty one aside,
        # since an empty key is refused), without their padding.
        pytest.param(b"f", "MY", id="rfc4648-f"),
        pytest.param(b"fo", "MZXQ", id="rfc4648-fo"),
        pytest.param(b"foo", "MZXW6", id="rfc4648-foo"),
        pytest.param(b"foob", "MZXW6YQ", id="rfc4648-foob"),
        pytest.param(b"fooba", "MZXW6YTB", id="rfc4648-fooba"),
        pytest.param(b"foobar", "MZXW6YTBOI", id="rfc4648-foobar"),
        pytest.param(RFC_KEY, RFC_B32, id="rfc4226-key"),
        # The Key URI format page's example: "Hello!" and 0xDEADBEEF.
        pytest.param(
            b"Hello!\xde\xad\xbe\xef", "JBSWY3DPEHPK3PXP", id="key-uri-page"
        ),
    ],
)
def test_base32_known_values(raw: bytes, b32: str) -> None:
    """Known keys encode to their published base32 and decode back."""
    assert Secret(raw).b32 == b32
    assert bytes(Secret.from_b32(b32)) == raw


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", id="lower-case"),
        pytest.param("GezdGNBVgy3tQOJQGEZDgnbvGY3TQOJQ", id="mixed-case"),
        pytest.param("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", id="spaces"),
        pytest.param("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", id="grouped"),
        pytest.param("GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ", id="hyphens"),
        pytest.param("GEZDGNBVGY3TQOJQ\tGEZDGNBVGY3TQOJQ", id="tab"),
        pytest.param("  GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ  ", id="surrounded"),
        pytest.param("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", id="newline"),
        pytest.param("GEZDGNBVGY3TQOJQ GEZDGNBVGY3TQOJQ", id="two-halves"),
    ],
)
def test_from_b32_accepts_what_people_paste(text: str) -> None:
    """Case, spaces, tabs, hyphens and line ends around groups are fine."""
    assert bytes(Secret.from_b32(text)) == RFC_KEY


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        pytest.param("MY======", b"f", id="padded-1-byte"),
        pytest.param("MZXQ====", b"fo", id="padded-2-bytes"),
        pytest.param("MZXW6===", b"foo", id="padded-3-bytes"),
        pytest.param("MZXW6YQ=", b"foob", id="padded-4-bytes"),
        pytest.param("MZXW6YTBOI======", b"foobar", id="padded-6-bytes"),
        pytest.param("mzxw 6ytb oi== ====", b"foobar", id="padded-grouped"),
    ],
)
def test_from_b32_accepts_padding(text: str, raw: bytes) -> None:
    """Trailing '=' padding of RFC 4648 is accepted but not required."""
    assert bytes(Secret.from_b32(text)) == raw


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("GEZDGNBVGY3TQOJ0", id="digit-0"),
        pytest.param("GEZDGNBVGY3TQOJ1", id="digit-1"),
        pytest.param("GEZDGNBVGY3TQOJ8", id="digit-8"),
        pytest.param("GEZDGNBVGY3TQOJ9", id="digit-9"),
        pytest.param("GEZDGNBV=GY3TQOJQ", id="padding-inside"),
        pytest.param("=GEZDGNBVGY3TQOJQ", id="padding-first"),
        pytest.param("GEZDGNBVGY3TQOJ_", id="underscore"),
        pytest.param("GEZDGNBVGY3TQOJ.", id="dot"),
        pytest.param("GEZDGNBVGY3TQOJ+", id="plus"),
        pytest.param("GEZDGNBVGY3TQOJ/", id="slash"),
        pytest.param("GEZDGNBVGY3TQOJ\x00", id="nul"),
        pytest.param("GEZDGNBVGY3TQOJ\u200b", id="zero-width-space"),
        pytest.param("GEZDGNBVGY3TQOJ\u00e9", id="e-acute"),
        # str.upper maps these into the alphabet; they must not slip in.
        pytest.param("GEZDGNBVGY3TQOJ\u017f", id="long-s-upper-is-S"),
        pytest.param("GEZDGNBVGY3TQOJ\u0131", id="dotless-i-upper-is-I"),
        pytest.param("GEZDGNBVGY3TQO\u00df", id="sharp-s-upper-is-SS"),
        pytest.param("GEZDGNBVGY3TQO\ufb06", id="st-ligature-upper-is-ST"),
        pytest.param("GEZDGNBVGY3TQOJ\uff31", id="fullwidth-Q"),
        pytest.param("GEZDGNBVGY3TQOJ\u0417", id="cyrillic-ze-looks-like-3"),
    ],
)
def test_from_b32_refuses_characters_outside_the_alphabet(text: str) -> None:
    """Anything but A-Z, 2-7, separators and final padding is refused."""
    with pytest.raises(InvalidSecretError, match=r"^secret: base32 allows"):
        Secret.from_b32(text)


def test_from_b32_names_the_position_not_the_character() -> None:
    """The message points at the bad character without repeating the text."""
    text = "JBSWY3DPEHPK3PX1"

    with pytest.raises(InvalidSecretError) as caught:
        Secret.from_b32(text)

    message = str(caught.value)
    assert "character 16" in message
    assert "JBSWY3DP" not in message
    assert "'1'" not in message


@pytest.mark.parametrize(
    "length", [1, 3, 6, 9, 11, 14, 17, 33], ids=lambda n: f"{n}-chars"
)
def test_from_b32_refuses_impossible_lengths(length: int) -> None:
    """A final group of 1, 3 or 6 characters encodes no whole byte string."""
    text = ("GEZDGNBV" * 5)[:length]

    with pytest.raises(InvalidSecretError, match=r"^secret: .*whole number"):
        Secret.from_b32(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param("----", id="hyphens"),
        pytest.param("========", id="padding-only"),
        pytest.param(" - = ", id="separators-and-padding"),
    ],
)
def test_from_b32_refuses_empty_text(text: str) -> None:
    """Text with no base32 characters at all is an empty secret."""
    with pytest.raises(InvalidSecretError, match=r"^secret: .*empty"):
        Secret.from_b32(text)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(RFC_B32.encode(), id="bytes"),
        pytest.param(None, id="none"),
        pytest.param(123, id="int"),
        pytest.param(Secret(RFC_KEY), id="secret"),
    ],
)
def test_from_b32_refuses_non_text(value: object) -> None:
    """Only str is base32 text; bytes are not silently decoded."""
    with pytest.raises(InvalidSecretError, match=r"^secret: expected base32"):
        Secret.from_b32(value)  # type: ignore[arg-type]


@settings(deadline=None)
@given(key=keys)
def test_b32_round_trips(key: bytes) -> None:
    """Secret(key).b32 read back with from_b32 gives an equal secret."""
    secret = Secret(key)

    again = Secret.from_b32(secret.b32)

    assert again == secret
    assert bytes(again) == key


@settings(deadline=None)
@given(key=keys)
def test_b32_is_upper_case_unpadded_rfc4648(key: bytes) -> None:
    """b32 is RFC 4648 base32 in upper case with the padding removed."""
    b32 = Secret(key).b32

    assert b32 == base64.b32encode(key).decode("ascii").rstrip("=")
    assert "=" not in b32
    assert set(b32) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@settings(deadline=None)
@given(
    key=keys,
    group=st.integers(min_value=1, max_value=8),
    separator=st.sampled_from([" ", "-", "  ", " - ", "\t"]),
    lower=st.booleans(),
    padded=st.booleans(),
)
def test_b32_variants_round_trip(
    key: bytes, group: int, separator: str, lower: bool, padded: bool
) -> None:
    """Grouped, hyphenated, lower-case or padded forms read back the same."""
    b32 = base64.b32encode(key).decode("ascii")
    if not padded:
        b32 = b32.rstrip("=")
    if lower:
        b32 = b32.lower()
    text = separator.join(
        b32[i : i + group] for i in range(0, len(b32), group)
    )

    assert bytes(Secret.from_b32(text)) == key


# Length, equality, hashing, pickling.


@settings(deadline=None)
@given(key=keys)
def test_length_and_bits(key: bytes) -> None:
    """len() counts bytes and .bits counts bits."""
    secret = Secret(key)

    assert len(secret) == len(key)
    assert secret.bits == 8 * len(key)


@settings(deadline=None)
@given(a=keys, b=keys)
def test_equality_follows_the_key(a: bytes, b: bytes) -> None:
    """Two secrets are equal exactly when their keys are."""
    assert (Secret(a) == Secret(b)) is (a == b)
    assert (Secret(a) != Secret(b)) is (a != b)


def test_a_secret_never_equals_its_bytes_or_text() -> None:
    """A Secret is not equal to raw bytes or base32 text of the same key."""
    secret = Secret(RFC_KEY)

    assert secret != RFC_KEY
    assert secret != RFC_B32


def test_secrets_are_not_hashable() -> None:
    """A secret cannot become a dict key or a set member by accident."""
    with pytest.raises(TypeError):
        hash(Secret(RFC_KEY))


def test_pickle_round_trips() -> None:
    """A pickled secret loads back equal (pickles hold the key; guard them)."""
    secret = Secret(RFC_KEY)

    assert pickle.loads(pickle.dumps(secret)) == secret


# No key material in text.


@settings(deadline=None)
@given(key=realistic_keys)
def test_repr_and_str_show_no_key(key: bytes) -> None:
    """Repr and str give the length only: no hex, base32 or raw bytes."""
    secret = Secret(key)

    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}"):
        assert not leaks(text, key)
        assert str(secret.bits) in text


def test_repr_shows_the_length() -> None:
    """The repr says what kind of object it is and how long the key is."""
    assert repr(Secret(RFC_KEY)) == "<Secret: 160 bits>"


@settings(deadline=None)
@given(
    key=realistic_keys,
    bad=st.sampled_from(["0", "1", "8", "9", "!", "\u017f", "\x00"]),
    where=st.integers(min_value=0),
)
def test_base32_errors_show_no_key(key: bytes, bad: str, where: int) -> None:
    """A refused base32 text is not repeated, whole or in part."""
    b32 = Secret(key).b32
    position = where % (len(b32) + 1)
    text = b32[:position] + bad + b32[position:]

    with pytest.raises(InvalidSecretError) as caught:
        Secret.from_b32(text)

    for shown in (str(caught.value), repr(caught.value)):
        assert b32 not in shown
        assert b32[:8] not in shown
        assert b32[-8:] not in shown
    assert caught.value.__cause__ is None


def test_errors_are_value_errors() -> None:
    """Secret errors are OtpErrors and ValueErrors, weak keys a subclass."""
    assert issubclass(InvalidSecretError, OtpError)
    assert issubclass(InvalidSecretError, ValueError)
    assert issubclass(WeakSecretError, InvalidSecretError)


def test_from_b32_counts_the_position_in_the_text_as_typed() -> None:
    """The position counts separators, so it points where the user looks."""
    with pytest.raises(InvalidSecretError) as caught:
        Secret.from_b32("JBSW Y3DP EHPK 3PX1")

    assert "character 19" in str(caught.value)


def test_from_b32_refuses_a_lone_surrogate_as_an_otp_error() -> None:
    """A lone surrogate used to escape as UnicodeEncodeError with the text."""
    with pytest.raises(InvalidSecretError) as caught:
        Secret.from_b32("GEZDGNBV\ud800GY3TQOJQ")

    assert "character 9" in str(caught.value)
    assert caught.value.__cause__ is None
